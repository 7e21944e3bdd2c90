//! What the public reaches without signing in (DESIGN §10): the stations to apply to, a case's
//! progress by its number and code, and applying online. Nothing here shows a party's personal
//! data, a mediator's phone or any note; guessing is limited per address and per case number, in
//! the database so that the limits hold across app servers.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::terms::PublicAttemptKind;
use entity::{case_events, case_parties, case_sessions, cases, public_attempts, units};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::cases::intake::{self, IntakeInput, PartyInput};
use crate::db::begin_write;
use crate::domain::access;
use crate::domain::case_terms::{DisputeType, PartyKind, PartyRole, Source};
use crate::domain::clocks;
use crate::domain::network::UnitKind;
use crate::domain::notifications::Kind;
use crate::domain::throttle::{self, RecentFailures, Verdict};
use crate::domain::workflow::{Action, EventKind, Outcome, Status};
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::mail::queue::{self, NewNotification};
use crate::services::calendar;

const TRACK_FAILURE: PublicAttemptKind = PublicAttemptKind::TrackFailure;
const APPLICATION: PublicAttemptKind = PublicAttemptKind::Application;

/// A station one may apply to (`GET /public/stations`).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StationOut {
    pub id: i64,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
}

/// The village stations and the street hub, hub first, then by code.
///
/// # Errors
/// Database failures.
pub async fn stations(db: &impl ConnectionTrait) -> Result<Vec<StationOut>, AppError> {
    let rows = units::Entity::find()
        .filter(units::Column::Active.eq(true))
        .filter(units::Column::Kind.is_in(["street_hub", "village_station"]))
        // `street_hub` sorts before `village_station`.
        .order_by_asc(units::Column::Kind)
        .order_by_asc(units::Column::Code)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(station_out).collect())
}

fn station_out(u: units::Model) -> StationOut {
    StationOut {
        id: u.id,
        name: u.name,
        address: u.address,
        phone: u.phone,
    }
}

/// The public contact of the unit handling a case.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicUnit {
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TimelineLine {
    pub at: DateTime<Utc>,
    pub text: String,
}

/// A case's progress as its parties see it (`GET /public/track`).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TrackOut {
    pub case_no: String,
    /// `registered`, `accepted`, `mediating`, `agreed`, `closed`.
    pub status: String,
    /// The status in plain words.
    pub status_text: String,
    pub unit: PublicUnit,
    /// The next mediation session, when one is planned.
    pub next_session_at: Option<DateTime<Utc>>,
    /// Where the next session is held (the unit holding it).
    pub next_session_place: Option<String>,
    /// The last day of the 15-day mediation limit (local date).
    pub deadline_on: NaiveDate,
    /// The last day to apply for arbitration, when known.
    pub limitation_ends_on: Option<NaiveDate>,
    /// `wage_arrears_unlimited`, `lapsed_before_application`, `interrupted_by_application`, `unknown`.
    pub limitation_rule: String,
    /// The rule in plain words.
    pub limitation_text: String,
    /// `resolved`, `failed`, `withdrawn` once closed.
    pub outcome: Option<String>,
    pub outcome_text: Option<String>,
    /// What happened, oldest first, in plain words.
    pub timeline: Vec<TimelineLine>,
}

/// The failures that concern a look-up of `case_no` from `address`, in one bounded query.
async fn track_failures(
    db: &impl ConnectionTrait,
    case_no: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<RecentFailures, AppError> {
    let since = now - Duration::minutes(throttle::WINDOW_MINUTES);
    let rows: Vec<(String, String, DateTime<Utc>)> = public_attempts::Entity::find()
        .select_only()
        .column(public_attempts::Column::CaseNo)
        .column(public_attempts::Column::Address)
        .column(public_attempts::Column::At)
        .filter(public_attempts::Column::Kind.eq(TRACK_FAILURE))
        .filter(public_attempts::Column::At.gt(since))
        .filter(
            Condition::any()
                .add(public_attempts::Column::CaseNo.eq(case_no))
                .add(public_attempts::Column::Address.eq(address)),
        )
        .order_by_desc(public_attempts::Column::At)
        .limit(500)
        .into_tuple()
        .all(db)
        .await?;
    let mut f = RecentFailures {
        last_at: rows.first().map(|r| r.2),
        ..RecentFailures::default()
    };
    for (no, from, _) in &rows {
        let (same_case, same_address) = (no == case_no, from == address);
        f.account += u64::from(same_case);
        f.address += u64::from(same_address);
        f.account_and_address += u64::from(same_case && same_address);
    }
    Ok(f)
}

async fn record_attempt(
    db: &impl ConnectionTrait,
    kind: PublicAttemptKind,
    address: &str,
    case_no: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    public_attempts::ActiveModel {
        kind: Set(kind),
        address: Set(address.chars().take(64).collect()),
        case_no: Set(case_no.chars().take(40).collect()),
        at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A code nobody has, compared when the number is unknown so that an unknown number costs what a
/// wrong code costs.
const NO_CODE: &str = "ZZZZZZZZZZ";

/// A case's progress for whoever holds its number and code. A wrong code and an unknown number
/// answer the same 404 after the same work; each counts as a failure of the address and the number,
/// and past the limits a look-up waits (429) without being checked.
///
/// # Errors
/// 404 wrong code or unknown number; 429 while slowed down.
pub async fn track(
    db: &DatabaseConnection,
    tz: Tz,
    lang: Lang,
    case_no: &str,
    code: &str,
    address: &str,
) -> Result<TrackOut, AppError> {
    let case_no: String = case_no.trim().to_uppercase().chars().take(40).collect();
    let now = Utc::now();
    let failures = track_failures(db, &case_no, address, now).await?;
    if let Verdict::Wait { seconds } = throttle::decide_with(&failures, &access::TRACK_LIMITS, now)
    {
        tracing::info!("case look-up refused while slowed down");
        return Err(AppError::TooManyRequests {
            retry_after_secs: seconds,
        });
    }
    let case = cases::Entity::find()
        .filter(cases::Column::CaseNo.eq(&case_no))
        .one(db)
        .await?;
    let given = access::normalize(code).unwrap_or_default();
    let stored = case
        .as_ref()
        .and_then(|c| c.access_code.clone())
        .unwrap_or_else(|| NO_CODE.to_owned());
    let ok = access::matches(&stored, &given) && case.is_some();
    let Some(case) = case.filter(|_| ok) else {
        record_attempt(db, TRACK_FAILURE, address, &case_no, now).await?;
        tracing::info!("case look-up failed");
        return Err(AppError::NotFound);
    };
    progress(db, tz, lang, &case, now).await
}

fn status_text(lang: Lang, status: &str) -> String {
    i18n::t(lang, &format!("track-status-{status}"))
}

/// The progress of a case in plain words (also shown to staff on the receipt).
///
/// # Errors
/// Database failures.
pub async fn progress(
    db: &impl ConnectionTrait,
    tz: Tz,
    lang: Lang,
    case: &cases::Model,
    now: DateTime<Utc>,
) -> Result<TrackOut, AppError> {
    let cal = calendar::load(db).await?;
    let unit = units::Entity::find_by_id(case.current_unit_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal(format!("case {} has no unit", case.id)))?;
    let running = Status::from(case.status) != Status::Closed;
    let next = if running {
        case_sessions::Entity::find()
            .filter(case_sessions::Column::CaseId.eq(case.id))
            .filter(case_sessions::Column::NextSessionAt.gt(now))
            .order_by_desc(case_sessions::Column::HeldAt)
            .one(db)
            .await?
    } else {
        None
    };
    let next_place = match &next {
        Some(s) => {
            let u = units::Entity::find_by_id(s.unit_id).one(db).await?;
            u.map(|u| match u.address {
                Some(a) if !a.trim().is_empty() => format!("{}（{}）", u.name, a),
                _ => u.name,
            })
        }
        None => None,
    };
    let limitation = clocks::arbitration_limitation(
        DisputeType::from(case.dispute_type) == DisputeType::WageArrears,
        case.received_at,
        case.infringement_known_on,
        case.employment_ended_on,
        tz,
        &cal,
    );
    let events = case_events::Entity::find()
        .filter(case_events::Column::CaseId.eq(case.id))
        .order_by_asc(case_events::Column::At)
        .order_by_asc(case_events::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let unit_ids: Vec<i64> = events
        .iter()
        .filter_map(|e| event_unit(e.to_state.as_deref()))
        .collect();
    let names: std::collections::HashMap<i64, String> = if unit_ids.is_empty() {
        Default::default()
    } else {
        units::Entity::find()
            .filter(units::Column::Id.is_in(unit_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect()
    };
    let mut timeline = Vec::new();
    for e in &events {
        if let Some(text) = event_text(lang, e, &names) {
            timeline.push(TimelineLine { at: e.at, text });
        }
    }
    let outcome = case.outcome.map(|o| Outcome::from(o).as_str().to_owned());
    Ok(TrackOut {
        case_no: case.case_no.clone(),
        status_text: status_text(lang, Status::from(case.status).as_str()),
        status: Status::from(case.status).as_str().to_owned(),
        unit: PublicUnit {
            name: unit.name,
            address: unit.address,
            phone: unit.phone,
        },
        next_session_at: next.as_ref().and_then(|s| s.next_session_at),
        next_session_place: next_place,
        deadline_on: clocks::deadline_last_day(case.deadline_at, tz),
        limitation_ends_on: limitation.last_day,
        limitation_rule: limitation.rule.as_str().to_owned(),
        limitation_text: i18n::t(
            lang,
            &format!("track-limitation-{}", limitation.rule.as_str()),
        ),
        outcome_text: outcome
            .as_deref()
            .map(|o| i18n::t(lang, &format!("track-outcome-{o}"))),
        outcome,
        timeline,
    })
}

fn event_unit(to: Option<&str>) -> Option<i64> {
    let v: Value = serde_json::from_str(to?).ok()?;
    v.get("unit_id").and_then(Value::as_i64)
}

/// One event in words a worker understands, or nothing for the office's internal steps (team
/// changes, grading, corrections, files). Notes are never shown.
fn event_text(
    lang: Lang,
    e: &case_events::Model,
    names: &std::collections::HashMap<i64, String>,
) -> Option<String> {
    let key = match EventKind::from(e.kind) {
        EventKind::Intake => "track-ev-intake",
        EventKind::Action(Action::Accept) => "track-ev-accept",
        EventKind::Action(Action::Escalate) => "track-ev-escalate",
        EventKind::Action(Action::Refer) => "track-ev-refer",
        EventKind::Action(Action::RecordSession) => "track-ev-session",
        EventKind::Action(Action::RecordAgreement) => "track-ev-agreement",
        EventKind::Action(Action::Extend) => "track-ev-extend",
        EventKind::Action(Action::Reopen) => "track-ev-reopen",
        EventKind::FollowUp => "track-ev-follow-up",
        EventKind::JudicialConfirmation => "track-ev-confirmation",
        EventKind::Action(Action::Close) => {
            let outcome = e
                .to_state
                .as_deref()
                .and_then(|s| serde_json::from_str::<Value>(s).ok())
                .and_then(|v| v.get("outcome").and_then(Value::as_str).map(str::to_owned))
                .and_then(|o| Outcome::parse(&o));
            match outcome {
                Some(Outcome::Resolved) => "track-ev-close-resolved",
                Some(Outcome::Failed) => "track-ev-close-failed",
                Some(Outcome::Withdrawn) => "track-ev-close-withdrawn",
                None => "track-ev-close",
            }
        }
        _ => return None,
    };
    let unit = event_unit(e.to_state.as_deref())
        .and_then(|id| names.get(&id).cloned())
        .unwrap_or_default();
    Some(i18n::message(
        lang,
        &crate::error::Message::with(key, &[("unit", unit)]),
    ))
}

/// An online application, checked at the edge.
#[derive(Clone, Debug)]
pub struct Application {
    pub applicant_name: String,
    pub applicant_phone: String,
    pub applicant_id_number: Option<String>,
    pub respondent_name: String,
    pub respondent_kind: PartyKind,
    pub station_id: i64,
    pub dispute_type: DisputeType,
    pub summary: String,
    pub amount_claimed_fen: i64,
    pub people_involved: i32,
}

/// What the applicant keeps: the number and the code (`201`, or `200` for a repeat).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ApplicationOut {
    pub case_no: String,
    pub access_code: String,
    /// False when the same application (same phone, respondent and day) was already registered:
    /// this is its receipt, and nothing new was written.
    pub created: bool,
    #[serde(skip)]
    pub case_id: i64,
}

/// The case an online application registered, for its receipt (the applicant has no account to
/// scope it by: only the id [`apply`] just returned reaches here).
///
/// # Errors
/// 404 when there is no such case.
pub async fn applied_case(
    db: &impl ConnectionTrait,
    case_id: i64,
) -> Result<cases::Model, AppError> {
    cases::Entity::find_by_id(case_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Registers an online application as a `registered` case at the chosen station (source `online`),
/// through the same intake as the office's, and tells the station. The same phone applying
/// against the same respondent on the same local day gets the receipt of the case already
/// registered. At most [`access::APPLICATIONS_PER_ADDRESS`] new applications per address and hour.
///
/// # Errors
/// 422 naming `station_id` for a unit that is not an active station or hub; 429 past the limit.
pub async fn apply(
    db: &DatabaseConnection,
    tz: Tz,
    a: Application,
    address: &str,
) -> Result<ApplicationOut, AppError> {
    let now = Utc::now();
    let station = units::Entity::find_by_id(a.station_id)
        .one(db)
        .await?
        .filter(|u| {
            u.active
                && matches!(
                    UnitKind::from(u.kind),
                    UnitKind::StreetHub | UnitKind::VillageStation
                )
        })
        .ok_or_else(|| {
            AppError::field(
                "station_id",
                crate::error::Message::key("err-unit-not-found"),
            )
        })?;
    let day = clocks::local_date(now, tz);
    let input = IntakeInput {
        intake_unit_id: station.id,
        dispute_type: a.dispute_type,
        source: Source::Online,
        summary: a.summary.clone(),
        amount_claimed_fen: a.amount_claimed_fen,
        people_involved: a.people_involved,
        risk_flags: Vec::new(),
        received_at: Some(now),
        infringement_known_on: None,
        employment_ended_on: None,
        parties: vec![
            PartyInput {
                role: PartyRole::Applicant,
                kind: PartyKind::Person,
                name: a.applicant_name.clone(),
                id_number: a.applicant_id_number.clone(),
                phone: Some(a.applicant_phone.clone()),
                organisation: None,
            },
            PartyInput {
                role: PartyRole::Respondent,
                kind: a.respondent_kind,
                name: a.respondent_name.clone(),
                id_number: None,
                phone: None,
                organisation: (a.respondent_kind == PartyKind::Organisation)
                    .then(|| a.respondent_name.clone()),
            },
        ],
    };
    let prepared = intake::prepare(db, tz, input).await?;
    let txn = begin_write(db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // Applications to one station one at a time, so that a form posted twice at once finds
        // the first (SQLite's write transaction already excludes every other writer).
        units::Entity::find_by_id(station.id)
            .lock_exclusive()
            .one(&txn)
            .await?;
    }
    if let Some(existing) = duplicate(&txn, tz, &a, day).await? {
        txn.commit().await?;
        tracing::info!(
            case_id = existing.id,
            "online application repeated; receipt shown again"
        );
        return Ok(ApplicationOut {
            case_no: existing.case_no,
            access_code: existing.access_code.unwrap_or_default(),
            created: false,
            case_id: existing.id,
        });
    }
    let since = now - Duration::minutes(access::APPLICATION_WINDOW_MINUTES);
    let recent: Vec<DateTime<Utc>> = public_attempts::Entity::find()
        .select_only()
        .column(public_attempts::Column::At)
        .filter(public_attempts::Column::Kind.eq(APPLICATION))
        .filter(public_attempts::Column::Address.eq(address))
        .filter(public_attempts::Column::At.gt(since))
        .order_by_asc(public_attempts::Column::At)
        .limit(access::APPLICATIONS_PER_ADDRESS)
        .into_tuple()
        .all(&txn)
        .await?;
    if recent.len() as u64 >= access::APPLICATIONS_PER_ADDRESS {
        let free_at = recent[0] + Duration::minutes(access::APPLICATION_WINDOW_MINUTES);
        return Err(AppError::TooManyRequests {
            retry_after_secs: (free_at - now).num_seconds().max(1) as u64,
        });
    }
    let case = intake::insert_case(&txn, tz, prepared, None).await?;
    record_attempt(&txn, APPLICATION, address, "", now).await?;
    let mut data = serde_json::Map::new();
    data.insert("unit".into(), json!(station.name));
    for r in crate::services::notifications::mediators_of_unit(&txn, station.id).await? {
        queue::enqueue(
            &txn,
            NewNotification {
                kind: Kind::AppliedOnline,
                case: Some(&case),
                recipient: r,
                data: Value::Object(data.clone()),
            },
        )
        .await?;
    }
    txn.commit().await?;
    tracing::info!(case_id = case.id, case_no = %case.case_no, "online application registered");
    Ok(ApplicationOut {
        case_no: case.case_no,
        access_code: case.access_code.unwrap_or_default(),
        created: true,
        case_id: case.id,
    })
}

/// An online case of today (local) with the same applicant phone and respondent name.
async fn duplicate(
    db: &impl ConnectionTrait,
    tz: Tz,
    a: &Application,
    day: NaiveDate,
) -> Result<Option<cases::Model>, AppError> {
    let (start, end) = (
        clocks::start_of_local_day(day, tz),
        clocks::end_of_local_day(day, tz),
    );
    let same_phone: Vec<i64> = case_parties::Entity::find()
        .select_only()
        .column(case_parties::Column::CaseId)
        .filter(case_parties::Column::Phone.eq(&a.applicant_phone))
        .filter(case_parties::Column::Role.eq(PartyRole::Applicant.as_str()))
        .limit(200)
        .into_tuple()
        .all(db)
        .await?;
    if same_phone.is_empty() {
        return Ok(None);
    }
    let candidates = cases::Entity::find()
        .filter(cases::Column::Id.is_in(same_phone))
        .filter(cases::Column::Source.eq(Source::Online.as_str()))
        .filter(cases::Column::ReceivedAt.gte(start))
        .filter(cases::Column::ReceivedAt.lt(end))
        .all(db)
        .await?;
    if candidates.is_empty() {
        return Ok(None);
    }
    let ids: Vec<i64> = candidates.iter().map(|c| c.id).collect();
    let respondents: Vec<i64> = case_parties::Entity::find()
        .select_only()
        .column(case_parties::Column::CaseId)
        .filter(case_parties::Column::CaseId.is_in(ids))
        .filter(case_parties::Column::Role.eq(PartyRole::Respondent.as_str()))
        .filter(case_parties::Column::Name.eq(&a.respondent_name))
        .into_tuple()
        .all(db)
        .await?;
    Ok(candidates.into_iter().find(|c| respondents.contains(&c.id)))
}
