//! Mentor-apprentice pairs (优师带徒) for the demo street, with progress that comes from real cases:
//! each pair's cases are taken in at a station (the apprentice's own, or another one: 带案轮训),
//! accepted with the mentor leading (or co-mediating), the apprentice assigned as apprentice, a
//! session held by both, and the resolved ones settled and closed — all through the real services,
//! so progress, the joint-mediation report and the suggestions read genuine records.
//!
//! What it builds:
//! - a pair that is **ready** (3 resolved of a target of 3, a fourth case still mediating), one of
//!   whose cases is a joint mediation led by the station with the mentor as co-mediator, at a
//!   station other than the apprentice's;
//! - a pair **close to ready** (3 resolved of 4, a fourth mediating and joint), one of whose cases
//!   was regraded complex; its mentor also leads a fresh complex case without the apprentice, so
//!   the case page suggests the apprentice to learn on it;
//! - a pair **just started** (one case mediating);
//! - a pair that reached its target and **graduated** (the apprentice is now gold-medal);
//! - a pair **ended** with a reason after one failed case.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{case_assignments, cases, mediators, units, users};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::demo::cases::{meeting_at, settle, step_at, Settlement};
use crate::domain::agreement::SessionOutcome;
use crate::domain::case_terms::{DisputeType, Grade, PartyKind, PartyRole, Source, TeamRole};
use crate::domain::clocks::local_date;
use crate::domain::mentorship::Finish;
use crate::domain::network::{Department, UnitKind};
use crate::domain::workflow::{Action, Outcome};
use crate::error::AppError;
use crate::services::auth::{user_by_username, CurrentUser};
use crate::services::cases::actions::Params;
use crate::services::cases::intake::{intake, IntakeInput, PartyInput};
use crate::services::cases::records::{self, SessionInput};
use crate::services::command::Ready;
use crate::services::mentorships::{self, FinishParams, MentorshipInput};

/// (worker, employer, summary, dispute type) of the pairs' cases, used in turn.
const CASES: [(&str, &str, &str, DisputeType); 8] = [
    (
        "蒋小工",
        "鑫达装饰工程队",
        "装修工人被拖欠一个半月工资，包工头称甲方未结款。",
        DisputeType::WageArrears,
    ),
    (
        "韩骑手",
        "城北配送站",
        "骑手因超时被扣罚，要求退还扣款并结清工资。",
        DisputeType::PlatformWork,
    ),
    (
        "曹阿姨",
        "康乐养老服务中心",
        "护理员被提前解除合同，要求支付经济补偿。",
        DisputeType::EconomicCompensation,
    ),
    (
        "彭师傅",
        "恒通汽修厂",
        "修理工维修时手部受伤，双方对停工期间工资有争议。",
        DisputeType::WorkInjury,
    ),
    (
        "鲁店员",
        "好运来超市",
        "店员连续加班未获加班费。",
        DisputeType::Overtime,
    ),
    (
        "许保安",
        "安泰物业公司",
        "保安未缴社保，要求补缴并赔偿损失。",
        DisputeType::SocialInsurance,
    ),
    (
        "邓厨师",
        "老街面馆",
        "厨师被口头辞退，对补偿金额有争议。",
        DisputeType::ContractTermination,
    ),
    (
        "苏木工",
        "宏建建筑劳务公司",
        "木工班组工资结算争议，涉及多名工人，劳务公司与总包互相推诿。",
        DisputeType::WageArrears,
    ),
];

/// Where the pairs' cases come from: none that the grading rules make complex on its own (a
/// petition-office referral would), so that only the regrade below makes one complex.
const SOURCES: [Source; 4] = [
    Source::WalkIn,
    Source::Hotline12351,
    Source::Online,
    Source::LabourInspection,
];

/// How far a pair's case goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// Accepted, nothing recorded yet.
    Accepted,
    /// A session held; still mediating.
    Mediating,
    /// Settled: session, agreement paid on signing, closed resolved.
    Resolved,
    /// A session without agreement, closed as failed.
    Failed,
}

/// One case of a pair.
struct CaseSpec {
    /// Received this many days ago (and a few hours more).
    days_ago: i64,
    unit_id: i64,
    lead: i64,
    /// On the team as co-mediator (the mentor, when someone else leads).
    co: Option<i64>,
    apprentice: Option<i64>,
    /// A unit invited to mediate jointly.
    invite: Option<i64>,
    /// Regraded complex by the coordinator (which confirms the grade).
    complex: bool,
    end: End,
}

struct Loader<'a> {
    db: &'a DatabaseConnection,
    tz: Tz,
    coordinator: CurrentUser,
    now: DateTime<Utc>,
    n: usize,
}

impl Loader<'_> {
    fn day(&self, days_ago: i64) -> NaiveDate {
        local_date(self.now - Duration::days(days_ago), self.tz)
    }

    async fn step(
        &self,
        case: &cases::Model,
        action: Action,
        params: Params,
        at: DateTime<Utc>,
    ) -> Result<cases::Model, AppError> {
        let at = at.min(self.now - Duration::minutes(5));
        step_at(
            self.db,
            self.tz,
            &self.coordinator,
            case,
            action,
            params,
            at,
        )
        .await
    }

    /// Takes in, staffs and works one case as `spec` says; returns its id.
    async fn case(&mut self, spec: CaseSpec) -> Result<i64, AppError> {
        let (worker, employer, summary, dispute_type) = CASES[self.n % CASES.len()];
        let i = self.n as i64;
        self.n += 1;
        let received_at = self.now - Duration::days(spec.days_ago) - Duration::hours(3 + i % 5);
        let case = intake(
            self.db,
            self.tz,
            &self.coordinator,
            IntakeInput {
                intake_unit_id: spec.unit_id,
                dispute_type,
                source: SOURCES[self.n % SOURCES.len()],
                summary: summary.into(),
                amount_claimed_fen: 400_000 + (i * 173_700) % 1_200_000,
                people_involved: 1 + (i % 3) as i32,
                risk_flags: Vec::new(),
                received_at: Some(received_at),
                infringement_known_on: None,
                employment_ended_on: None,
                parties: vec![
                    PartyInput {
                        role: PartyRole::Applicant,
                        kind: PartyKind::Person,
                        name: worker.into(),
                        id_number: None,
                        phone: Some(format!("1365710{:04}", 2000 + i * 17)),
                        organisation: None,
                    },
                    PartyInput {
                        role: PartyRole::Respondent,
                        kind: PartyKind::Organisation,
                        name: employer.into(),
                        id_number: None,
                        phone: None,
                        organisation: None,
                    },
                ],
            },
        )
        .await?;
        let day1 = received_at + Duration::days(1);
        let mut case = self
            .step(
                &case,
                Action::Accept,
                Params::Accept {
                    lead_mediator_id: spec.lead,
                },
                day1,
            )
            .await?;
        let mut team = vec![spec.lead];
        if let Some(co) = spec.co {
            case = self
                .step(
                    &case,
                    Action::Assign,
                    Params::Assign {
                        mediator_id: co,
                        role: TeamRole::Co,
                    },
                    day1 + Duration::minutes(30),
                )
                .await?;
            team.push(co);
        }
        if let Some(apprentice) = spec.apprentice {
            case = self
                .step(
                    &case,
                    Action::Assign,
                    Params::Assign {
                        mediator_id: apprentice,
                        role: TeamRole::Apprentice,
                    },
                    day1 + Duration::hours(1),
                )
                .await?;
            team.push(apprentice);
        }
        if let Some(unit_id) = spec.invite {
            case = self
                .step(
                    &case,
                    Action::Invite,
                    Params::Invite {
                        unit_ids: vec![unit_id],
                    },
                    day1 + Duration::hours(2),
                )
                .await?;
        }
        if spec.complex {
            case = self
                .step(
                    &case,
                    Action::Regrade,
                    Params::Regrade {
                        grade: Grade::Complex,
                        reason: "涉及多个用工主体，按疑难复杂办理，由导师带徒弟办理。".into(),
                    },
                    day1 + Duration::hours(3),
                )
                .await?;
        }
        let session_at = received_at + Duration::days(2);
        match spec.end {
            End::Accepted => {}
            End::Mediating | End::Failed => {
                let failed = spec.end == End::Failed;
                records::record_session(
                    self.db,
                    self.tz,
                    &self.coordinator,
                    case.id,
                    SessionInput {
                        held_at: meeting_at(session_at, received_at, self.tz),
                        unit_id: case.current_unit_id,
                        mediator_ids: team,
                        attendees: "申请人、被申请人代表".into(),
                        summary: if failed {
                            "双方对金额分歧较大，未能达成一致。".into()
                        } else {
                            "导师主持，学徒记录并释明政策，双方同意继续协商。".into()
                        },
                        outcome: if failed {
                            SessionOutcome::NoAgreement
                        } else {
                            SessionOutcome::Continue
                        },
                        next_session_at: None,
                        version: None,
                    },
                )
                .await?;
                if failed {
                    let case = cases::Entity::find_by_id(case.id)
                        .one(self.db)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    self.step(
                        &case,
                        Action::Close,
                        Params::Close {
                            outcome: Outcome::Failed,
                            reason: Some("双方分歧较大，已告知申请人可申请劳动仲裁。".into()),
                        },
                        received_at + Duration::days(4),
                    )
                    .await?;
                }
            }
            End::Resolved => {
                settle(
                    self.db,
                    self.tz,
                    &self.coordinator,
                    &case,
                    Settlement {
                        mediator_ids: team,
                        session_at,
                        signed_at: received_at + Duration::days(3),
                        closed_at: received_at + Duration::days(4),
                    },
                )
                .await?;
            }
        }
        Ok(case.id)
    }

    async fn pair(
        &self,
        mentor_id: i64,
        apprentice_id: i64,
        started_days_ago: i64,
        target_cases: i64,
        notes: &str,
    ) -> Result<i64, AppError> {
        Ok(mentorships::create(
            self.db,
            self.tz,
            &self.coordinator,
            Ready::new(MentorshipInput {
                mentor_id,
                apprentice_id,
                started_on: self.day(started_days_ago),
                target_cases,
                notes: notes.into(),
            }),
        )
        .await?
        .id)
    }
}

/// A mediator of a station who can lead its cases: the first active one not among `but`.
async fn station_lead(db: &DatabaseConnection, unit_id: i64, but: &[i64]) -> Result<i64, AppError> {
    mediators::Entity::find()
        .filter(mediators::Column::UnitId.eq(unit_id))
        .filter(mediators::Column::Active.eq(true))
        .filter(mediators::Column::Id.is_not_in(but.to_vec()))
        .order_by_asc(mediators::Column::Id)
        .one(db)
        .await?
        .map(|m| m.id)
        .ok_or_else(|| AppError::Internal(format!("demo unit {unit_id} has no mediator")))
}

/// Loads the demo pairs and their cases, only when there is no pair yet. Returns the number of
/// pairs loaded.
///
/// # Errors
/// Database failures, or a demo street that is not the one `demo::load_if_empty` builds.
pub async fn load_if_empty(db: &DatabaseConnection, tz: Tz) -> Result<u64, AppError> {
    if entity::mentorships::Entity::find().count(db).await? > 0 {
        return Ok(0);
    }
    let all_units = units::Entity::find()
        .filter(units::Column::Active.eq(true))
        .order_by_asc(units::Column::Id)
        .all(db)
        .await?;
    let kind_ids = |kind: UnitKind| -> Vec<i64> {
        all_units
            .iter()
            .filter(|u| UnitKind::from(u.kind) == kind)
            .map(|u| u.id)
            .collect()
    };
    let stations = kind_ids(UnitKind::VillageStation);
    let workstations = kind_ids(UnitKind::MentorWorkstation);
    let inspection_room = all_units
        .iter()
        .find(|u| u.department.map(Department::from) == Some(Department::LabourInspection))
        .map(|u| u.id);

    // Mentors: the mentor workstations' mediators marked mentor.
    let mentors: Vec<i64> = mediators::Entity::find()
        .filter(mediators::Column::UnitId.is_in(workstations))
        .filter(mediators::Column::IsMentor.eq(true))
        .filter(mediators::Column::Active.eq(true))
        .order_by_asc(mediators::Column::UnitId)
        .order_by_asc(mediators::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    // Apprentices: station volunteers, neither mentor nor gold-medal, on no case and no account
    // yet, one per station.
    let busy: Vec<i64> = case_assignments::Entity::find()
        .select_only()
        .column(case_assignments::Column::MediatorId)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let with_account: Vec<i64> = users::Entity::find()
        .filter(users::Column::MediatorId.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|u| u.mediator_id)
        .collect();
    let mut apprentices: Vec<mediators::Model> = Vec::new();
    for m in mediators::Entity::find()
        .filter(mediators::Column::UnitId.is_in(stations.clone()))
        .filter(mediators::Column::IsMentor.eq(false))
        .filter(mediators::Column::GoldMedal.eq(false))
        .filter(mediators::Column::Active.eq(true))
        .order_by_asc(mediators::Column::Id)
        .all(db)
        .await?
    {
        if !busy.contains(&m.id)
            && !with_account.contains(&m.id)
            && !apprentices.iter().any(|a| a.unit_id == m.unit_id)
        {
            apprentices.push(m);
        }
    }
    if mentors.len() < 4 || apprentices.len() < 5 || stations.len() < 3 {
        return Err(AppError::Internal(
            "the demo street has too few mentors or station volunteers".into(),
        ));
    }
    // A station other than `unit_id`, for rotation (带案轮训) and joint mediation.
    let elsewhere = |unit_id: i64, k: usize| -> i64 {
        let at = stations.iter().position(|&s| s == unit_id).unwrap_or(0);
        stations[(at + 5 + k) % stations.len()]
    };
    let mentor = |k: usize| mentors[(k * 4) % mentors.len()];

    let mut l = Loader {
        db,
        tz,
        coordinator: user_by_username(db, "coordinator").await?,
        now: Utc::now(),
        n: 0,
    };
    let mut pairs = 0u64;

    // Graduated: three resolved cases of a target of three, then certified gold-medal.
    let (m, a) = (mentor(0), &apprentices[0]);
    let id = l
        .pair(m, a.id, 50, 3, "带案轮训：欠薪、工伤类案件。")
        .await?;
    for (days_ago, unit_id) in [
        (48, a.unit_id),
        (42, a.unit_id),
        (37, elsewhere(a.unit_id, 0)),
    ] {
        l.case(CaseSpec {
            days_ago,
            unit_id,
            lead: m,
            co: None,
            apprentice: Some(a.id),
            invite: None,
            complex: false,
            end: End::Resolved,
        })
        .await?;
    }
    mentorships::finish(
        db,
        tz,
        &l.coordinator,
        id,
        Finish::Graduate,
        Ready::new(FinishParams {
            on: Some(l.day(30)),
            reason: None,
        }),
    )
    .await?;
    pairs += 1;

    // Ended: one failed case, then the apprentice moved away.
    let (m, a) = (mentor(3), &apprentices[1]);
    let id = l
        .pair(m, a.id, 45, 4, "带案轮训：社保、合同类案件。")
        .await?;
    l.case(CaseSpec {
        days_ago: 43,
        unit_id: a.unit_id,
        lead: m,
        co: None,
        apprentice: Some(a.id),
        invite: None,
        complex: false,
        end: End::Failed,
    })
    .await?;
    mentorships::finish(
        db,
        tz,
        &l.coordinator,
        id,
        Finish::End,
        Ready::new(FinishParams {
            on: Some(l.day(25)),
            reason: Some("学徒工作调动至外区，结对终止。".into()),
        }),
    )
    .await?;
    pairs += 1;

    // Ready: three resolved of three, one of them a joint mediation at another station led by
    // that station with the mentor as co-mediator; a fourth case still mediating.
    let (m, a) = (mentor(0), &apprentices[2]);
    l.pair(m, a.id, 36, 3, "带案轮训：平台用工类案件，参与片区联调。")
        .await?;
    let joint_unit = elsewhere(a.unit_id, 1);
    let apprentice_ids: Vec<i64> = apprentices.iter().map(|a| a.id).collect();
    let joint_lead = station_lead(db, joint_unit, &apprentice_ids).await?;
    for (days_ago, unit_id, lead, co, invite, end) in [
        (34, a.unit_id, m, None, None, End::Resolved),
        (
            26,
            joint_unit,
            joint_lead,
            Some(m),
            inspection_room.or(Some(a.unit_id)),
            End::Resolved,
        ),
        (18, a.unit_id, m, None, None, End::Resolved),
        (9, a.unit_id, m, None, None, End::Mediating),
    ] {
        l.case(CaseSpec {
            days_ago,
            unit_id,
            lead,
            co,
            apprentice: Some(a.id),
            invite,
            complex: false,
            end,
        })
        .await?;
    }
    pairs += 1;

    // Close to ready: three resolved of four (one regraded complex, at another station), a fourth
    // mediating jointly with a neighbouring station; and a fresh complex case the mentor leads
    // without the apprentice, for which the apprentice is suggested.
    let (m, a) = (mentor(1), &apprentices[3]);
    l.pair(m, a.id, 30, 4, "带案轮训：疑难复杂案件。").await?;
    for (days_ago, unit_id, invite, complex, end) in [
        (28, a.unit_id, None, false, End::Resolved),
        (21, elsewhere(a.unit_id, 2), None, true, End::Resolved),
        (14, a.unit_id, None, false, End::Resolved),
        (
            7,
            a.unit_id,
            Some(elsewhere(a.unit_id, 3)),
            false,
            End::Mediating,
        ),
    ] {
        l.case(CaseSpec {
            days_ago,
            unit_id,
            lead: m,
            co: None,
            apprentice: Some(a.id),
            invite,
            complex,
            end,
        })
        .await?;
    }
    l.case(CaseSpec {
        days_ago: 3,
        unit_id: a.unit_id,
        lead: m,
        co: None,
        apprentice: None,
        invite: None,
        complex: true,
        end: End::Accepted,
    })
    .await?;
    pairs += 1;

    // Just started: one case mediating.
    let (m, a) = (mentor(2), &apprentices[4]);
    l.pair(m, a.id, 6, 4, "新结对：先跟案旁听，熟悉调解流程。")
        .await?;
    l.case(CaseSpec {
        days_ago: 4,
        unit_id: a.unit_id,
        lead: m,
        co: None,
        apprentice: Some(a.id),
        invite: None,
        complex: false,
        end: End::Mediating,
    })
    .await?;
    pairs += 1;

    tracing::info!(pairs, cases = l.n, "demo mentorships loaded");
    Ok(pairs)
}
