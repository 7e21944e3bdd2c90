//! Mentor-apprentice pairs (优师带徒): pairing, progress counted from the case records, graduation
//! (which certifies the apprentice a gold-medal mediator) and ending. Rules in
//! `domain::mentorship`; every change is audited and written as events on both mediators' records.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{mediator_events, mediators, mentorships};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set, Statement,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{paging, versioned, Page, PageRequest};
use crate::db::begin_write;
use crate::domain::clocks::local_date;
use crate::domain::mentorship::{
    self, check_finish, check_new_pair, Finish, FinishProblem, NewPair, PairProblem, PairStatus,
    Progress, RecordEventKind, SharedCase,
};
use crate::domain::workflow::{Outcome, Status};
use crate::error::{AppError, FieldErrors, Message};
use crate::services::command::Command;
use crate::services::mediators::EDITORS;
use crate::services::{audit, auth::CurrentUser};

/// What a coordinator fills in to pair a mentor with an apprentice.
#[derive(Clone, Debug)]
pub struct MentorshipInput {
    pub mentor_id: i64,
    pub apprentice_id: i64,
    pub started_on: NaiveDate,
    pub target_cases: i64,
    pub notes: String,
}

/// A pair as the API and the pages show it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MentorshipOut {
    pub id: i64,
    pub mentor_id: i64,
    pub mentor_name: String,
    pub mentor_unit_id: i64,
    pub apprentice_id: i64,
    pub apprentice_name: String,
    pub apprentice_unit_id: i64,
    pub started_on: NaiveDate,
    pub target_cases: i64,
    /// `active`, `graduated` or `ended`.
    pub status: String,
    pub notes: String,
    /// The day it graduated or ended.
    pub finished_on: Option<NaiveDate>,
    /// Why it ended, or why it graduated before reaching its target.
    pub finish_reason: Option<String>,
    pub progress: Progress,
    /// Resolved cases of the target, in percent (capped at 100).
    pub percent: i64,
    pub close_to_ready: bool,
    pub version: i32,
}

#[derive(Clone, Debug, Default)]
pub struct MentorshipFilter {
    pub status: Option<PairStatus>,
    pub mentor_id: Option<i64>,
    pub apprentice_id: Option<i64>,
    /// Pairs this mediator is in, as mentor or apprentice.
    pub mediator_id: Option<i64>,
}

/// The cases mentor and apprentice were both on the team of, with what progress counts of each.
///
/// # Errors
/// Database failures.
pub async fn shared_cases(
    db: &impl ConnectionTrait,
    tz: Tz,
    mentor_id: i64,
    apprentice_id: i64,
) -> Result<Vec<SharedCase>, AppError> {
    Ok(shared_cases_of(db, tz, &[(mentor_id, apprentice_id)])
        .await?
        .remove(&(mentor_id, apprentice_id))
        .unwrap_or_default())
}

/// [`shared_cases`] of several (mentor, apprentice) pairs in one SQL aggregate: the mentor's
/// assignments (index on `mediator_id, case_id`) joined to the apprentice's on the same case,
/// grouped by case, with the case's outcome and the apprentice's sessions of it. It reads index
/// entries of the two people's cases and returns only the shared ones, never the cases
/// themselves.
///
/// # Errors
/// Database failures.
pub async fn shared_cases_of(
    db: &impl ConnectionTrait,
    tz: Tz,
    pairs: &[(i64, i64)],
) -> Result<HashMap<(i64, i64), Vec<SharedCase>>, AppError> {
    let mut out: HashMap<(i64, i64), Vec<SharedCase>> = HashMap::new();
    if pairs.is_empty() {
        return Ok(out);
    }
    let mut pairs = pairs.to_vec();
    pairs.sort_unstable();
    pairs.dedup();
    // The ids are numbers from rows, written into the statement as numbers.
    let wanted = pairs
        .iter()
        .map(|(m, a)| format!("SELECT {m} AS mentor_id, {a} AS apprentice_id"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let sql = format!(
        "SELECT p.mentor_id AS mentor_id, p.apprentice_id AS apprentice_id, x.case_id AS case_id, \
         MIN(x.assigned_at) AS mentor_at, MIN(y.assigned_at) AS apprentice_at, \
         MAX(CASE WHEN c.status = '{closed}' AND c.outcome = '{resolved}' THEN 1 ELSE 0 END) AS resolved, \
         (SELECT COUNT(*) FROM case_sessions s JOIN case_session_mediators sm ON sm.session_id = s.id \
          WHERE s.case_id = x.case_id AND sm.mediator_id = p.apprentice_id) AS sessions \
         FROM ({wanted}) p \
         JOIN case_assignments x ON x.mediator_id = p.mentor_id \
         JOIN case_assignments y ON y.case_id = x.case_id AND y.mediator_id = p.apprentice_id \
         JOIN cases c ON c.id = x.case_id \
         GROUP BY p.mentor_id, p.apprentice_id, x.case_id \
         ORDER BY x.case_id",
        closed = Status::Closed.as_str(),
        resolved = Outcome::Resolved.as_str(),
    );
    let backend = db.get_database_backend();
    for row in db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?
    {
        let int = |col: &str| super::mediator_record::int_column(&row, col);
        let mentor_at: DateTime<Utc> = row.try_get("", "mentor_at")?;
        let apprentice_at: DateTime<Utc> = row.try_get("", "apprentice_at")?;
        out.entry((int("mentor_id")?, int("apprentice_id")?))
            .or_default()
            .push(SharedCase {
                case_id: int("case_id")?,
                // From the later of the two first joinings they worked it together.
                paired_on: local_date(Ord::max(mentor_at, apprentice_at), tz),
                resolved: int("resolved")? == 1,
                apprentice_sessions: int("sessions")?,
            });
    }
    Ok(out)
}

/// A pair's progress as of now (or as of the day it finished).
///
/// # Errors
/// Database failures.
pub async fn progress_of(
    db: &impl ConnectionTrait,
    tz: Tz,
    m: &mentorships::Model,
) -> Result<Progress, AppError> {
    let shared = shared_cases(db, tz, m.mentor_id, m.apprentice_id).await?;
    Ok(progress_given(m, &shared))
}

fn progress_given(m: &mentorships::Model, shared: &[SharedCase]) -> Progress {
    mentorship::progress(
        m.started_on,
        m.finished_on,
        i64::from(m.target_cases),
        shared,
    )
}

fn out(
    m: mentorships::Model,
    progress: Progress,
    people: &HashMap<i64, mediators::Model>,
) -> Result<MentorshipOut, AppError> {
    let name = |id: i64| people.get(&id).map(|p| (p.name.clone(), p.unit_id));
    let (mentor_name, mentor_unit_id) = name(m.mentor_id).unwrap_or_default();
    let (apprentice_name, apprentice_unit_id) = name(m.apprentice_id).unwrap_or_default();
    Ok(MentorshipOut {
        id: m.id,
        mentor_id: m.mentor_id,
        mentor_name,
        mentor_unit_id,
        apprentice_id: m.apprentice_id,
        apprentice_name,
        apprentice_unit_id,
        started_on: m.started_on,
        target_cases: i64::from(m.target_cases),
        status: PairStatus::from(m.status).as_str().to_owned(),
        notes: m.notes,
        finished_on: m.finished_on,
        finish_reason: m.finish_reason,
        percent: progress.percent(),
        close_to_ready: progress.close_to_ready(),
        progress,
        version: m.version,
    })
}

async fn people_of(
    db: &impl ConnectionTrait,
    pairs: &[mentorships::Model],
) -> Result<HashMap<i64, mediators::Model>, AppError> {
    let mut ids: Vec<i64> = pairs
        .iter()
        .flat_map(|m| [m.mentor_id, m.apprentice_id])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(mediators::Entity::find()
        .filter(mediators::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect())
}

fn filter_condition(filter: &MentorshipFilter) -> Condition {
    let mut c = Condition::all();
    if let Some(status) = filter.status {
        c = c.add(mentorships::Column::Status.eq(status.as_str()));
    }
    if let Some(id) = filter.mentor_id {
        c = c.add(mentorships::Column::MentorId.eq(id));
    }
    if let Some(id) = filter.apprentice_id {
        c = c.add(mentorships::Column::ApprenticeId.eq(id));
    }
    if let Some(id) = filter.mediator_id {
        c = c.add(
            Condition::any()
                .add(mentorships::Column::MentorId.eq(id))
                .add(mentorships::Column::ApprenticeId.eq(id)),
        );
    }
    c
}

/// Pairs, active first, then the most recently started.
///
/// # Errors
/// Database failures.
pub async fn list(
    db: &DatabaseConnection,
    tz: Tz,
    filter: &MentorshipFilter,
    page: PageRequest,
) -> Result<Page<MentorshipOut>, AppError> {
    let query = mentorships::Entity::find().filter(filter_condition(filter));
    let Page {
        items: rows, total, ..
    } = paging::paginate(
        db,
        query,
        |q| {
            // 'active' < 'ended' < 'graduated': active pairs first.
            q.order_by_asc(mentorships::Column::Status)
                .order_by_desc(mentorships::Column::StartedOn)
                .order_by_desc(mentorships::Column::Id)
        },
        page,
    )
    .await?;
    let people = people_of(db, &rows).await?;
    let pairs: Vec<(i64, i64)> = rows
        .iter()
        .map(|m| (m.mentor_id, m.apprentice_id))
        .collect();
    let shared = shared_cases_of(db, tz, &pairs).await?;
    let mut items = Vec::with_capacity(rows.len());
    for m in rows {
        let progress = progress_given(
            &m,
            shared
                .get(&(m.mentor_id, m.apprentice_id))
                .map_or(&[][..], Vec::as_slice),
        );
        items.push(out(m, progress, &people)?);
    }
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// # Errors
/// 404 when there is no such pair.
pub async fn get(db: &impl ConnectionTrait, tz: Tz, id: i64) -> Result<MentorshipOut, AppError> {
    let m = mentorships::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let people = people_of(db, std::slice::from_ref(&m)).await?;
    let progress = progress_of(db, tz, &m).await?;
    out(m, progress, &people)
}

/// For each apprentice in an active pair, their mentor.
///
/// # Errors
/// Database failures.
pub async fn active_mentor_of(db: &impl ConnectionTrait) -> Result<HashMap<i64, i64>, AppError> {
    Ok(mentorships::Entity::find()
        .filter(mentorships::Column::Status.eq(PairStatus::Active.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.apprentice_id, m.mentor_id))
        .collect())
}

fn pair_problem_message(p: PairProblem) -> Message {
    match p {
        PairProblem::MentorNotMentor => Message::key("err-mentor-not-mentor"),
        PairProblem::SamePerson => Message::key("err-apprentice-is-mentor"),
        PairProblem::ApprenticeAlreadyPaired => Message::key("err-apprentice-already-paired"),
        PairProblem::TargetOutOfRange => Message::with(
            "err-range",
            &[
                ("min", "1".to_owned()),
                ("max", mentorship::MAX_TARGET_CASES.to_string()),
            ],
        ),
        PairProblem::StartInFuture => Message::key("err-day-in-future"),
    }
}

/// An active mediator, or a 422 naming `field`.
async fn active_mediator(
    db: &impl ConnectionTrait,
    field: &str,
    id: i64,
    errors: &mut FieldErrors,
) -> Result<Option<mediators::Model>, AppError> {
    match mediators::Entity::find_by_id(id).one(db).await? {
        Some(m) if m.active => Ok(Some(m)),
        Some(_) => {
            errors.insert(field.to_owned(), Message::key("err-mediator-inactive"));
            Ok(None)
        }
        None => {
            errors.insert(field.to_owned(), Message::key("err-mediator-not-found"));
            Ok(None)
        }
    }
}

/// Writes one event on a mediator's record, inside the caller's transaction.
async fn record_event(
    db: &impl ConnectionTrait,
    mediator_id: i64,
    kind: RecordEventKind,
    on_day: NaiveDate,
    mentorship_id: i64,
    actor: &CurrentUser,
    note: &str,
) -> Result<(), AppError> {
    mediator_events::ActiveModel {
        mediator_id: Set(mediator_id),
        kind: Set(kind.into()),
        on_day: Set(on_day),
        mentorship_id: Set(Some(mentorship_id)),
        actor_user_id: Set(Some(actor.id)),
        note: Set(note.to_owned()),
        recorded_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Pairs a mentor with an apprentice: the role (403), the fields (422), the pairing rules (422),
/// then the pair, the events on both records and the audit line in one transaction.
///
/// # Errors
/// 403 for roles other than admin and coordinator; 422 naming each field that is wrong (a mentor
/// not marked mentor, the same person twice, an apprentice already in an active pair, a target
/// below 1, a start in the future, an unknown or inactive mediator). Nothing is written then.
pub async fn create(
    db: &DatabaseConnection,
    tz: Tz,
    actor: &CurrentUser,
    command: impl Command<Params = MentorshipInput>,
) -> Result<MentorshipOut, AppError> {
    actor.require(&EDITORS)?;
    let input = command.params()?;
    let txn = begin_write(db).await?;
    let mut errors = FieldErrors::new();
    let mentor = active_mediator(&txn, "mentor_id", input.mentor_id, &mut errors).await?;
    let apprentice =
        active_mediator(&txn, "apprentice_id", input.apprentice_id, &mut errors).await?;
    let busy = mentorships::Entity::find()
        .filter(mentorships::Column::ApprenticeId.eq(input.apprentice_id))
        .filter(mentorships::Column::Status.eq(PairStatus::Active.as_str()))
        .count(&txn)
        .await?
        > 0;
    let problems = check_new_pair(&NewPair {
        mentor_id: input.mentor_id,
        apprentice_id: input.apprentice_id,
        // An unknown mentor is already reported as such.
        mentor_is_mentor: mentor.as_ref().is_none_or(|m| m.is_mentor),
        apprentice_in_active_pair: busy,
        target_cases: input.target_cases,
        started_on: input.started_on,
        today: local_date(Utc::now(), tz),
    });
    for p in problems {
        errors
            .entry(p.field().to_owned())
            .or_insert_with(|| pair_problem_message(p));
    }
    let (Some(mentor), Some(apprentice)) = (mentor, apprentice) else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = Utc::now();
    let inserted = mentorships::ActiveModel {
        mentor_id: Set(mentor.id),
        apprentice_id: Set(apprentice.id),
        started_on: Set(input.started_on),
        target_cases: Set(input.target_cases as i32),
        status: Set(PairStatus::Active.into()),
        notes: Set(input.notes.trim().to_owned()),
        finished_on: Set(None),
        finish_reason: Set(None),
        created_by: Set(Some(actor.id)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let pair = match inserted {
        Ok(pair) => pair,
        // Another coordinator paired the same apprentice a moment ago.
        Err(e) if AppError::is_unique_violation(&e) => {
            return Err(AppError::field(
                "apprentice_id",
                Message::key("err-apprentice-already-paired"),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    record_event(
        &txn,
        apprentice.id,
        RecordEventKind::MentorshipStarted,
        pair.started_on,
        pair.id,
        actor,
        &mentor.name,
    )
    .await?;
    record_event(
        &txn,
        mentor.id,
        RecordEventKind::ApprenticeTaken,
        pair.started_on,
        pair.id,
        actor,
        &apprentice.name,
    )
    .await?;
    audit::record(
        &txn,
        Some(actor.id),
        "mentorship.create",
        "mentorship",
        Some(pair.id),
        None,
    )
    .await?;
    txn.commit().await?;
    tracing::info!(mentorship_id = pair.id, "mentorship started");
    get(db, tz, pair.id).await
}

fn finish_problem_message(p: FinishProblem) -> AppError {
    match p {
        FinishProblem::NotActive => AppError::Refused(Message::key("err-mentorship-not-active")),
        FinishProblem::ReasonRequired => {
            AppError::field("reason", Message::key("err-mentorship-reason"))
        }
        FinishProblem::DayOutOfRange => AppError::field("on", Message::key("err-mentorship-day")),
    }
}

/// How a pair is graduated or ended, as read from the request.
#[derive(Clone, Debug, Default)]
pub struct FinishParams {
    /// The day (default today).
    pub on: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// Graduates or ends an active pair on `on` (default today). Graduating certifies the apprentice
/// a gold-medal mediator from that day (an earlier title is kept with its date); before the target
/// is reached it needs a reason, which is recorded. In order, as the endpoints have always
/// answered: the role (403), the request read (422), the pair (404), the version (409), the rules
/// of finishing (422), then the change, its events and its audit line in one transaction.
///
/// # Errors
/// 403, 404, 409 (stale `version`), 422 (the pair is not active, a missing reason, a day before the
/// start or in the future).
pub async fn finish(
    db: &DatabaseConnection,
    tz: Tz,
    actor: &CurrentUser,
    id: i64,
    how: Finish,
    command: impl Command<Params = FinishParams>,
) -> Result<MentorshipOut, AppError> {
    actor.require(&EDITORS)?;
    let version = command.version();
    let FinishParams { on, reason } = command.params()?;
    let txn = begin_write(db).await?;
    let pair = mentorships::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    versioned::check(version, pair.version)?;
    let today = local_date(Utc::now(), tz);
    let on = on.unwrap_or(today);
    let status = PairStatus::from(pair.status);
    // Ready as of the finishing day: cases paired after it do not count.
    let shared = shared_cases(&txn, tz, pair.mentor_id, pair.apprentice_id).await?;
    let progress = mentorship::progress(
        pair.started_on,
        Some(on),
        i64::from(pair.target_cases),
        &shared,
    );
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    check_finish(
        how,
        status,
        progress.ready,
        reason.as_deref(),
        pair.started_on,
        on,
        today,
    )
    .map_err(finish_problem_message)?;
    versioned::update(
        &txn,
        mentorships::Entity::update_many()
            .col_expr(
                mentorships::Column::Status,
                Expr::value(how.status().as_str()),
            )
            .col_expr(mentorships::Column::FinishedOn, Expr::value(Some(on)))
            .col_expr(
                mentorships::Column::FinishReason,
                Expr::value(reason.clone()),
            )
            .col_expr(mentorships::Column::UpdatedAt, Expr::value(Utc::now())),
        (mentorships::Column::Id, id),
        (mentorships::Column::Version, pair.version),
    )
    .await?;
    let note = reason.clone().unwrap_or_default();
    match how {
        Finish::Graduate => {
            record_event(
                &txn,
                pair.apprentice_id,
                RecordEventKind::MentorshipGraduated,
                on,
                id,
                actor,
                &note,
            )
            .await?;
            record_event(
                &txn,
                pair.mentor_id,
                RecordEventKind::ApprenticeGraduated,
                on,
                id,
                actor,
                &note,
            )
            .await?;
            let apprentice = mediators::Entity::find_by_id(pair.apprentice_id)
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::Internal(format!("mediator of mentorship {id}")))?;
            if !apprentice.gold_medal {
                mediators::Entity::update_many()
                    .col_expr(mediators::Column::GoldMedal, Expr::value(true))
                    .col_expr(mediators::Column::GoldMedalSince, Expr::value(Some(on)))
                    .col_expr(
                        mediators::Column::Version,
                        Expr::col(mediators::Column::Version).add(1),
                    )
                    .col_expr(mediators::Column::UpdatedAt, Expr::value(Utc::now()))
                    .filter(mediators::Column::Id.eq(apprentice.id))
                    .exec(&txn)
                    .await?;
                record_event(
                    &txn,
                    apprentice.id,
                    RecordEventKind::GoldMedalAwarded,
                    on,
                    id,
                    actor,
                    "",
                )
                .await?;
            }
        }
        Finish::End => {
            for mediator_id in [pair.apprentice_id, pair.mentor_id] {
                record_event(
                    &txn,
                    mediator_id,
                    RecordEventKind::MentorshipEnded,
                    on,
                    id,
                    actor,
                    &note,
                )
                .await?;
            }
        }
    }
    let action = match how {
        Finish::Graduate => "mentorship.graduate",
        Finish::End => "mentorship.end",
    };
    audit::record(&txn, Some(actor.id), action, "mentorship", Some(id), None).await?;
    txn.commit().await?;
    tracing::info!(mentorship_id = id, action, "mentorship finished");
    get(db, tz, id).await
}

/// The events on a mediator's record, newest first.
///
/// # Errors
/// Database failures.
pub async fn events_of(
    db: &impl ConnectionTrait,
    mediator_id: i64,
) -> Result<Vec<mediator_events::Model>, AppError> {
    Ok(mediator_events::Entity::find()
        .filter(mediator_events::Column::MediatorId.eq(mediator_id))
        .order_by_desc(mediator_events::Column::OnDay)
        .order_by_desc(mediator_events::Column::Id)
        .all(db)
        .await?)
}

/// A mentor's load, for the coordinator's view of the programme.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MentorLoad {
    pub mentor_id: i64,
    pub name: String,
    pub unit_id: i64,
    pub active_apprentices: i64,
    pub graduated_apprentices: i64,
    pub open_cases: i64,
    pub max_open_cases: i64,
}

/// Every active mentor with their apprentices and open cases, busiest first.
///
/// # Errors
/// Database failures.
pub async fn mentor_loads(db: &impl ConnectionTrait) -> Result<Vec<MentorLoad>, AppError> {
    let mentors = mediators::Entity::find()
        .filter(mediators::Column::IsMentor.eq(true))
        .filter(mediators::Column::Active.eq(true))
        .all(db)
        .await?;
    let pairs = mentorships::Entity::find().all(db).await?;
    let open = crate::services::cases::candidates::open_cases_by_mediator(db).await?;
    let mut loads: Vec<MentorLoad> = mentors
        .into_iter()
        .map(|m| {
            let count = |status: PairStatus| {
                pairs
                    .iter()
                    .filter(|p| p.mentor_id == m.id && PairStatus::from(p.status) == status)
                    .count() as i64
            };
            MentorLoad {
                mentor_id: m.id,
                active_apprentices: count(PairStatus::Active),
                graduated_apprentices: count(PairStatus::Graduated),
                open_cases: open.get(&m.id).copied().unwrap_or(0),
                max_open_cases: i64::from(m.max_open_cases),
                unit_id: m.unit_id,
                name: m.name,
            }
        })
        .collect();
    loads.sort_by(|a, b| {
        b.active_apprentices
            .cmp(&a.active_apprentices)
            .then(b.open_cases.cmp(&a.open_cases))
            .then(a.mentor_id.cmp(&b.mentor_id))
    });
    Ok(loads)
}
