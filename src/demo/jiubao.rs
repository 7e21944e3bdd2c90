//! `mediation seed --profile jiubao`: a street shaped like the published Jiubao model (DESIGN §1):
//! "1+23+3N" (one hub, 23 village and community stations, four specialist rooms, seven mentor
//! workstations), 11 full-time and 127 part-time mediators, 20 mentors in the 7 workstations,
//! 130 gold-medal mediators, and the cases up to November 2022 that the street reported:
//! 1,662 cases, ¥7.82 million, 3,347 people, so that the dashboard's headline for that range
//! reads 累计调解各类纠纷案件1662件，涉及金额782万元，涉及人员3300余人.
//!
//! The street is written in one transaction; the cases go through the real services (intake,
//! accept, session, agreement, close), so their numbers, grades, clocks and timelines are as
//! genuine as those of the pages. [`plan`] decides them, purely, with exact totals.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::terms::{Background, Employment};
use entity::{mediators, units, users};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryOrder, Set};

use crate::db::begin_write;
use crate::demo::cases::{settle, step_at, Settlement, EMPLOYERS, SUMMARIES, WORKERS};
use crate::demo::street::{self as demo, DEMO_ACCOUNTS, DEMO_PASSWORD};
use crate::domain::case_terms::{DisputeType, PartyKind, PartyRole, Source};
use crate::domain::clocks::start_of_local_day;
use crate::domain::grading::needs_confirmation_to_close;
use crate::domain::network::{Department, UnitKind};
use crate::domain::role::Role;
use crate::domain::workflow::{Action, Outcome};
use crate::error::AppError;
use crate::services::auth::{self, user_by_username};
use crate::services::cases::actions::Params;
use crate::services::cases::grade_of;
use crate::services::cases::intake::{intake, IntakeInput, PartyInput};

/// The published figures (by November 2022).
pub const CASES: usize = 1662;
pub const AMOUNT_FEN: i64 = 782_000_000;
/// 3,300 and more ("3300余人").
pub const PEOPLE: u64 = 3347;
/// The cases are received from the first of these days to the last.
pub fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default()
}
pub fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 11, 30).unwrap_or_default()
}

pub const FULL_TIME: usize = 11;
pub const PART_TIME: usize = 127;
pub const MENTORS: usize = 20;
pub const GOLD_MEDAL: usize = 130;

/// Where a planned case is taken in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intake {
    Station(usize),
    Hub,
    Room(usize),
}

/// One planned case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseSpec {
    pub received_on: NaiveDate,
    /// Local hour of receipt (office hours).
    pub hour: i64,
    pub intake: Intake,
    pub dispute_type: DisputeType,
    pub source: Source,
    pub people: i32,
    pub amount_fen: i64,
    pub outcome: Outcome,
}

/// `n` cases received evenly from `from` to `to`, whose amounts sum to exactly `amount_fen` (in
/// whole yuan) and people to exactly `people` (at least one each, at most nine: no collective
/// dispute among them). Deterministic.
pub fn plan(
    n: usize,
    from: NaiveDate,
    to: NaiveDate,
    amount_fen: i64,
    people: u64,
) -> Vec<CaseSpec> {
    if n == 0 {
        return Vec::new();
    }
    let days = (to - from).num_days().max(0);
    let mut specs: Vec<CaseSpec> = (0..n)
        .map(|i| {
            let received_on =
                from + Duration::days(days * i as i64 / n.max(2).saturating_sub(1) as i64);
            let intake = match i % 10 {
                0..=6 => Intake::Station((i * 7) % demo::STATIONS.len()),
                7 | 8 => Intake::Hub,
                _ => Intake::Room((i / 10) % demo::ROOMS.len()),
            };
            let outcome = if i % 40 == 17 {
                Outcome::Failed
            } else if i % 50 == 29 {
                Outcome::Withdrawn
            } else {
                Outcome::Resolved
            };
            // Whole yuan: mostly a few thousand, one in twenty-five above ¥10,000.
            let yuan = if i % 25 == 3 {
                12_000 + (i as i64 * 7_919) % 18_000
            } else {
                600 + (i as i64 * 7_919) % 8_800
            };
            CaseSpec {
                received_on: received_on.min(to),
                hour: 9 + (i % 7) as i64,
                intake,
                dispute_type: DisputeType::ALL[(i * 5 + i / 8) % DisputeType::ALL.len()],
                // Walk-ins, the hotline and online mostly; some referrals; no petition referrals
                // (those are complex by rule and would need confirming before closing).
                source: [
                    Source::WalkIn,
                    Source::WalkIn,
                    Source::Hotline12351,
                    Source::Online,
                    Source::WalkIn,
                    Source::CourtReferral,
                    Source::PoliceReferral,
                    Source::LabourInspection,
                ][(i * 3 + i / 5) % 8],
                people: match i % 20 {
                    0 => 4,
                    7 => 3,
                    3 | 11 | 15 => 2,
                    _ => 1,
                },
                amount_fen: yuan,
                outcome,
            }
        })
        .collect();
    // Amounts: scaled to the total in whole yuan, the rounding left over on the first case.
    let target_yuan = i128::from(amount_fen / 100);
    let sum: i128 = specs.iter().map(|s| i128::from(s.amount_fen)).sum();
    for s in &mut specs {
        s.amount_fen = (i128::from(s.amount_fen) * target_yuan / sum.max(1)) as i64;
    }
    let scaled: i128 = specs.iter().map(|s| i128::from(s.amount_fen)).sum();
    specs[0].amount_fen += (target_yuan - scaled) as i64;
    for s in &mut specs {
        s.amount_fen *= 100;
    }
    // People: ones become twos (or twos ones) until the total is exact.
    let mut total: i64 = specs.iter().map(|s| i64::from(s.people)).sum();
    let target = people as i64;
    let mut i = 0;
    while total != target && i < 9 * specs.len() {
        let s = &mut specs[(i * 37) % n];
        if total < target && s.people < 9 {
            s.people += 1;
            total += 1;
        } else if total > target && s.people > 1 {
            s.people -= 1;
            total -= 1;
        }
        i += 1;
    }
    specs
}

/// What was loaded, for the command's message.
#[derive(Debug)]
pub struct Loaded {
    pub units: u64,
    pub mediators: u64,
    pub cases: u64,
}

/// Loads the Jiubao street and its published cases into an empty database.
///
/// # Errors
/// A database that already has units (nothing is written then), whatever the services refuse,
/// database failures.
pub async fn load(db: &DatabaseConnection, tz: Tz) -> Result<Loaded, AppError> {
    load_with(
        db,
        tz,
        &plan(CASES, first_day(), last_day(), AMOUNT_FEN, PEOPLE),
    )
    .await
}

/// As [`load`], with the cases of `specs` (tests load a smaller plan).
///
/// # Errors
/// As [`load`].
pub async fn load_with(
    db: &DatabaseConnection,
    tz: Tz,
    specs: &[CaseSpec],
) -> Result<Loaded, AppError> {
    if units::Entity::find().count(db).await? > 0 {
        return Err(AppError::Config(
            "the Jiubao profile loads only into an empty database (it already has units)".into(),
        ));
    }
    load_street(db).await?;
    let coordinator = user_by_username(db, "coordinator").await?;
    let all_units = units::Entity::find()
        .order_by_asc(units::Column::Id)
        .all(db)
        .await?;
    let of_kind = |kind: UnitKind| -> Vec<i64> {
        all_units
            .iter()
            .filter(|u| UnitKind::from(u.kind) == kind)
            .map(|u| u.id)
            .collect()
    };
    let (hub, stations, rooms) = (
        of_kind(UnitKind::StreetHub),
        of_kind(UnitKind::VillageStation),
        of_kind(UnitKind::SpecialistRoom),
    );
    let hub = *hub
        .first()
        .ok_or_else(|| AppError::Internal("no hub".into()))?;
    let mut first_mediator: BTreeMap<i64, i64> = BTreeMap::new();
    for m in mediators::Entity::find()
        .order_by_asc(mediators::Column::Id)
        .all(db)
        .await?
    {
        first_mediator.entry(m.unit_id).or_insert(m.id);
    }
    let mut count = 0;
    for (i, spec) in specs.iter().enumerate() {
        let unit_id = match spec.intake {
            Intake::Station(s) => stations[s % stations.len()],
            Intake::Hub => hub,
            Intake::Room(r) => rooms[r % rooms.len()],
        };
        let lead = *first_mediator
            .get(&unit_id)
            .ok_or_else(|| AppError::Internal(format!("unit {unit_id} has no mediator")))?;
        let received_at = start_of_local_day(spec.received_on, tz) + Duration::hours(spec.hour);
        let (employer, platform) = EMPLOYERS[i % EMPLOYERS.len()];
        let case = intake(
            db,
            tz,
            &coordinator,
            IntakeInput {
                intake_unit_id: unit_id,
                dispute_type: spec.dispute_type,
                source: spec.source,
                summary: SUMMARIES[i % SUMMARIES.len()].to_owned(),
                amount_claimed_fen: spec.amount_fen,
                people_involved: spec.people,
                risk_flags: Vec::new(),
                received_at: Some(received_at),
                infringement_known_on: (spec.dispute_type != DisputeType::WageArrears)
                    .then(|| spec.received_on - Duration::days(30 + (i % 60) as i64)),
                employment_ended_on: None,
                parties: vec![
                    PartyInput {
                        role: PartyRole::Applicant,
                        kind: PartyKind::Person,
                        name: WORKERS[i % WORKERS.len()].to_owned(),
                        id_number: None,
                        phone: Some(format!("139{:08}", 57_200_000 + i)),
                        organisation: None,
                    },
                    PartyInput {
                        role: PartyRole::Respondent,
                        kind: PartyKind::Organisation,
                        name: employer.to_owned(),
                        id_number: None,
                        phone: None,
                        organisation: (!platform.is_empty()).then(|| platform.to_owned()),
                    },
                ],
            },
        )
        .await?;
        count += 1;
        if spec.outcome == Outcome::Withdrawn {
            step_at(
                db,
                tz,
                &coordinator,
                &case,
                Action::Close,
                Params::Close {
                    outcome: Outcome::Withdrawn,
                    reason: Some("申请人与用人单位自行和解，撤回申请。".into()),
                },
                received_at + Duration::days(1),
            )
            .await?;
            continue;
        }
        let mut case = step_at(
            db,
            tz,
            &coordinator,
            &case,
            Action::Accept,
            Params::Accept {
                lead_mediator_id: lead,
            },
            received_at + Duration::minutes(30),
        )
        .await?;
        if spec.outcome == Outcome::Failed {
            step_at(
                db,
                tz,
                &coordinator,
                &case,
                Action::Close,
                Params::Close {
                    outcome: Outcome::Failed,
                    reason: Some("双方差距过大，已告知申请人可申请劳动仲裁。".into()),
                },
                received_at + Duration::days(10),
            )
            .await?;
            continue;
        }
        if needs_confirmation_to_close(grade_of(&case)) {
            case = step_at(
                db,
                tz,
                &coordinator,
                &case,
                Action::ConfirmGrade,
                Params::ConfirmGrade,
                received_at + Duration::hours(1),
            )
            .await?;
        }
        settle(
            db,
            tz,
            &coordinator,
            &case,
            Settlement {
                mediator_ids: vec![lead],
                session_at: received_at + Duration::days(2),
                signed_at: received_at + Duration::days(3),
                closed_at: received_at + Duration::days(4),
            },
        )
        .await?;
        if count % 200 == 0 {
            tracing::info!(cases = count, of = specs.len(), "jiubao cases loaded");
        }
    }
    Ok(Loaded {
        units: units::Entity::find().count(db).await?,
        mediators: mediators::Entity::find().count(db).await?,
        cases: count,
    })
}

/// The network, mediators and accounts, in one transaction.
async fn load_street(db: &DatabaseConnection) -> Result<(), AppError> {
    let password_hash = auth::hash_password(DEMO_PASSWORD).await?;
    let txn = begin_write(db).await?;
    let now = Utc::now();
    let unit = |code: String,
                name: String,
                kind: UnitKind,
                parent: Option<i64>,
                dept: Option<Department>| {
        units::ActiveModel {
            code: Set(code),
            name: Set(name),
            kind: Set(kind.into()),
            parent_id: Set(parent),
            department: Set(dept.map(Into::into)),
            address: Set(None),
            phone: Set(None),
            active: Set(true),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
    };
    let hub = unit(
        "JB".into(),
        "九堡街道和谐劳动关系工作站（矛盾纠纷调处化解中心）".into(),
        UnitKind::StreetHub,
        None,
        None,
    )
    .insert(&txn)
    .await?;
    let mut stations = Vec::new();
    for (i, s) in demo::STATIONS.iter().enumerate() {
        let u = unit(
            format!("JB-C{:02}", i + 1),
            format!("{s}和谐劳动关系工作站"),
            UnitKind::VillageStation,
            Some(hub.id),
            None,
        )
        .insert(&txn)
        .await?;
        stations.push(u.id);
    }
    let mut rooms = Vec::new();
    for (code, room, dept) in demo::ROOMS {
        let u = unit(
            code.into(),
            room.into(),
            UnitKind::SpecialistRoom,
            Some(hub.id),
            Some(dept),
        )
        .insert(&txn)
        .await?;
        rooms.push(u.id);
    }
    let mut workstations = Vec::new();
    for (i, w) in demo::WORKSTATIONS.iter().enumerate() {
        let u = unit(
            format!("JB-DS{}", i + 1),
            format!("“{w}”治社导师工作站"),
            UnitKind::MentorWorkstation,
            Some(hub.id),
            None,
        )
        .insert(&txn)
        .await?;
        workstations.push(u.id);
    }
    // (unit, full time, mentor, background, years): 11 full-time at the hub and the rooms, 20
    // mentors over the 7 workstations (3, 3, 3, 3, 3, 3, 2), the other 107 part-time volunteers at
    // the stations (4 or 5 each).
    let mut people: Vec<(i64, bool, bool, Background, i32)> = Vec::new();
    for i in 0..FULL_TIME {
        let unit_id = if i < 7 { hub.id } else { rooms[i - 7] };
        let years = if i < 7 {
            10 + i as i32
        } else {
            4 + i as i32 % 4
        };
        people.push((unit_id, true, false, Background::CivilServant, years));
    }
    for i in 0..MENTORS {
        let bg = [
            Background::RetiredCadre,
            Background::Lawyer,
            Background::LocalGentry,
        ][i % 3];
        people.push((
            workstations[i % workstations.len()],
            false,
            true,
            bg,
            12 + (i % 9) as i32,
        ));
    }
    let backgrounds = super::VOLUNTEER_BACKGROUNDS;
    for i in 0..(PART_TIME - MENTORS) {
        people.push((
            stations[i % stations.len()],
            false,
            false,
            backgrounds[i % backgrounds.len()],
            1 + (i % 9) as i32,
        ));
    }
    // The first 130 are gold-medal: every full-time mediator and mentor, and most volunteers.
    let mut station_mediator = None;
    for (n, (unit_id, full_time, mentor, background, years)) in people.into_iter().enumerate() {
        let gold = n < GOLD_MEDAL;
        let m = mediators::ActiveModel {
            name: Set(demo::name(n + 1)),
            phone: Set(Some(format!("139{:08}", 57_100_000 + (n + 1) * 137))),
            email: Set(None),
            unit_id: Set(unit_id),
            employment: Set(if full_time {
                Employment::FullTime
            } else {
                Employment::PartTime
            }),
            background: Set(background),
            gold_medal: Set(gold),
            gold_medal_since: Set(gold
                .then(|| NaiveDate::from_ymd_opt(2019 + (n % 3) as i32, 1 + (n % 12) as u32, 1))
                .flatten()),
            is_mentor: Set(mentor),
            years_experience: Set(years),
            specialties: Set(demo::specialties(n + 1)),
            max_open_cases: Set(if full_time { 15 } else { 6 }),
            active: Set(true),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if station_mediator.is_none() && m.unit_id == stations[0] {
            station_mediator = Some(m);
        }
    }
    let station_mediator =
        station_mediator.ok_or_else(|| AppError::Internal("no station mediator".into()))?;
    for (username, display_name, role) in DEMO_ACCOUNTS {
        let (unit_id, mediator_id) = match role {
            Role::Mediator => (Some(station_mediator.unit_id), Some(station_mediator.id)),
            Role::Coordinator | Role::Finance | Role::Viewer => (Some(hub.id), None),
            Role::Admin => (None, None),
        };
        users::ActiveModel {
            username: Set(username.to_owned()),
            display_name: Set(display_name.to_owned()),
            password_hash: Set(password_hash.clone()),
            role: Set(role.into()),
            unit_id: Set(unit_id),
            mediator_id: Set(mediator_id),
            email: Set(None),
            active: Set(true),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::stats::Headline;

    #[test]
    fn the_published_plan_totals_exactly_the_published_figures() {
        let specs = plan(CASES, first_day(), last_day(), AMOUNT_FEN, PEOPLE);
        assert_eq!(specs.len(), 1662);
        let amount: i64 = specs.iter().map(|s| s.amount_fen).sum();
        let people: i64 = specs.iter().map(|s| i64::from(s.people)).sum();
        assert_eq!(amount, 782_000_000);
        assert_eq!(people, 3347);
        assert!(specs
            .iter()
            .all(|s| s.amount_fen > 0 && s.amount_fen % 100 == 0));
        assert!(specs.iter().all(|s| (1..=9).contains(&s.people)));
        assert!(specs
            .iter()
            .all(|s| s.received_on >= first_day() && s.received_on <= last_day()));
        assert_eq!(specs.last().map(|s| s.received_on), Some(last_day()));
        assert_eq!(
            Headline::new(specs.len() as u64, amount, people as u64).zh(),
            "累计调解各类纠纷案件1662件，涉及金额782万元，涉及人员3300余人"
        );
    }

    #[test]
    fn the_network_has_the_published_shape() {
        assert_eq!(FULL_TIME + PART_TIME, 138);
        const { assert!(GOLD_MEDAL <= FULL_TIME + PART_TIME && GOLD_MEDAL >= FULL_TIME + MENTORS) };
        assert_eq!(demo::STATIONS.len(), 23);
        assert_eq!(demo::WORKSTATIONS.len(), 7);
    }
}
