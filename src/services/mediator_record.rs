//! A mediator's record (履职档案): the facts of every case they were on the team of, summed by
//! `domain::mediator_record`, with their load, the units they worked in (带案轮训), their pairs and
//! the events on their record.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use entity::mediators;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::case_terms::TeamRole;
use crate::domain::mediator_record::{summarize_groups, CaseGroup, Record};
use crate::domain::mentorship::RecordEventKind;
use crate::domain::workflow::Outcome;
use crate::error::AppError;
use crate::services::cases::candidates::open_cases_by_mediator;
use crate::services::mentorships::{self, MentorshipFilter, MentorshipOut};
use crate::services::{units, PageRequest};

/// A unit the mediator has worked in: the unit that had the case, or where a session was held.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnitWorked {
    pub unit_id: i64,
    pub name: String,
    /// Their own unit.
    pub home: bool,
    /// Their cases handled by that unit now.
    pub cases: i64,
}

/// An event on the record.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RecordEvent {
    /// `mentorship_started`, `apprentice_taken`, `mentorship_graduated`, `apprentice_graduated`,
    /// `gold_medal_awarded`, `mentorship_ended`.
    pub kind: String,
    pub on_day: NaiveDate,
    pub mentorship_id: Option<i64>,
    pub note: String,
}

/// The `record` object of `GET /api/v1/mediators/{id}`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RecordOut {
    #[serde(flatten)]
    pub figures: Record,
    pub open_cases: i64,
    pub max_open_cases: i64,
    pub units_worked_in: Vec<UnitWorked>,
    /// Pairs they are or were in, as mentor or apprentice.
    pub mentorships: Vec<MentorshipOut>,
    pub events: Vec<RecordEvent>,
}

/// The record of `mediator`.
///
/// # Errors
/// Database failures.
pub async fn record(
    db: &DatabaseConnection,
    tz: Tz,
    mediator: &mediators::Model,
) -> Result<RecordOut, AppError> {
    // SQL aggregates over the mediator's assignments (index on mediator_id, case_id): a record of
    // thousands of cases reads a few dozen grouped rows, never the cases themselves.
    let backend = db.get_database_backend();
    let seconds = match backend {
        DatabaseBackend::Sqlite => {
            "MAX(0, CAST(ROUND((julianday(c.closed_at) - julianday(c.received_at)) * 86400.0, 3) AS INTEGER))"
        }
        _ => "GREATEST(0, CAST(FLOOR(EXTRACT(EPOCH FROM (c.closed_at - c.received_at))) AS BIGINT))",
    };
    let mine = format!(
        "SELECT case_id, MAX(CASE WHEN role = '{lead}' THEN 1 ELSE 0 END) AS led \
         FROM case_assignments WHERE mediator_id = {id} GROUP BY case_id",
        lead = TeamRole::Lead.as_str(),
        id = mediator.id
    );
    let grouped = format!(
        "SELECT c.grade AS grade, c.dispute_type AS dispute_type, t.led AS led, \
         CASE WHEN j.case_id IS NULL THEN 0 ELSE 1 END AS joint, \
         COUNT(*) AS n, \
         SUM(CASE WHEN c.closed_at IS NOT NULL THEN 1 ELSE 0 END) AS closed, \
         SUM(CASE WHEN c.closed_at IS NOT NULL AND c.outcome = '{resolved}' THEN 1 ELSE 0 END) AS resolved, \
         CAST(SUM(CASE WHEN c.closed_at IS NOT NULL THEN {seconds} ELSE 0 END) AS BIGINT) AS secs \
         FROM cases c JOIN ({mine}) t ON t.case_id = c.id \
         LEFT JOIN (SELECT DISTINCT case_id FROM case_invited_units) j ON j.case_id = c.id \
         GROUP BY c.grade, c.dispute_type, t.led, CASE WHEN j.case_id IS NULL THEN 0 ELSE 1 END",
        resolved = Outcome::Resolved.as_str(),
    );
    let mut groups = Vec::new();
    for row in db
        .query_all_raw(Statement::from_string(backend, grouped))
        .await?
    {
        let int = |col: &str| int_column(&row, col);
        let grade: entity::terms::Grade = row.try_get("", "grade")?;
        let dispute_type: entity::terms::DisputeType = row.try_get("", "dispute_type")?;
        groups.push(CaseGroup {
            led: int("led")? == 1,
            grade: grade.into(),
            dispute_type: dispute_type.into(),
            joint: int("joint")? == 1,
            cases: int("n")?,
            closed: int("closed")?,
            resolved: int("resolved")?,
            seconds_to_close: int("secs")?,
        });
    }
    let one = |sql: String| async move {
        let row = db
            .query_one_raw(Statement::from_string(backend, sql))
            .await?
            .ok_or_else(|| AppError::Internal("aggregate without a row".into()))?;
        let a = row.try_get::<Option<i64>>("", "a")?.unwrap_or(0);
        let b = row.try_get::<Option<i64>>("", "b")?.unwrap_or(0);
        Ok::<(i64, i64), AppError>((a, b))
    };
    let (attended, _) = one(format!(
        "SELECT COUNT(*) AS a, CAST(0 AS BIGINT) AS b FROM case_session_mediators WHERE mediator_id = {}",
        mediator.id
    ))
    .await?;
    let (follow_up_count, satisfaction_sum) = one(format!(
        "SELECT COUNT(*) AS a, CAST(COALESCE(SUM(f.satisfaction), 0) AS BIGINT) AS b FROM follow_ups f \
         WHERE f.case_id IN (SELECT case_id FROM case_assignments WHERE mediator_id = {})",
        mediator.id
    ))
    .await?;
    let figures = summarize_groups(&groups, attended, follow_up_count, satisfaction_sum);

    let names = units::names(db).await?;
    let mut worked: BTreeMap<i64, i64> = BTreeMap::new();
    for row in db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT c.current_unit_id AS unit_id, COUNT(*) AS n FROM cases c \
                 WHERE c.id IN (SELECT case_id FROM case_assignments WHERE mediator_id = {}) \
                 GROUP BY c.current_unit_id",
                mediator.id
            ),
        ))
        .await?
    {
        worked.insert(row.try_get("", "unit_id")?, row.try_get("", "n")?);
    }
    for row in db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT DISTINCT s.unit_id AS unit_id FROM case_sessions s \
                 JOIN case_session_mediators m ON m.session_id = s.id WHERE m.mediator_id = {}",
                mediator.id
            ),
        ))
        .await?
    {
        worked.entry(row.try_get("", "unit_id")?).or_default();
    }
    let units_worked_in = worked
        .into_iter()
        .map(|(unit_id, cases)| UnitWorked {
            unit_id,
            name: names.get(&unit_id).cloned().unwrap_or_default(),
            home: unit_id == mediator.unit_id,
            cases,
        })
        .collect();
    let open = open_cases_by_mediator(db).await?;
    let pairs = mentorships::list(
        db,
        tz,
        &MentorshipFilter {
            mediator_id: Some(mediator.id),
            ..MentorshipFilter::default()
        },
        PageRequest::first(PageRequest::MAX_PER_PAGE),
    )
    .await?;
    let events = mentorships::events_of(db, mediator.id)
        .await?
        .into_iter()
        .map(|e| RecordEvent {
            kind: RecordEventKind::from(e.kind).as_str().to_owned(),
            on_day: e.on_day,
            mentorship_id: e.mentorship_id,
            note: e.note,
        })
        .collect();
    Ok(RecordOut {
        figures,
        open_cases: open.get(&mediator.id).copied().unwrap_or(0),
        max_open_cases: i64::from(mediator.max_open_cases),
        units_worked_in,
        mentorships: pairs.items,
        events,
    })
}

/// An integer column of a raw aggregate row, 0 when NULL: PostgreSQL answers `int4` for some
/// expressions (a literal, `MAX(CASE …)`) and `int8` for others (`COUNT`), SQLite always `i64`.
///
/// # Errors
/// A column that is missing or not an integer.
pub(crate) fn int_column(row: &sea_orm::QueryResult, col: &str) -> Result<i64, AppError> {
    Ok(row
        .try_get::<Option<i64>>("", col)
        .or_else(|_| {
            row.try_get::<Option<i32>>("", col)
                .map(|v| v.map(i64::from))
        })?
        .unwrap_or(0))
}
