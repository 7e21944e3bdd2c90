//! A mediator's record (履职档案): the facts of every case they were on the team of, summed by
//! `domain::mediator_record`, with their load, the units they worked in (带案轮训), their pairs and
//! the events on their record.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use chrono_tz::Tz;
use entity::{
    case_assignments, case_invited_units, case_session_mediators, case_sessions, cases, follow_ups,
    mediators,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::case_terms::{DisputeType, Grade, TeamRole};
use crate::domain::mediator_record::{summarize, CaseOnRecord, Record};
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
    let assignments = case_assignments::Entity::find()
        .filter(case_assignments::Column::MediatorId.eq(mediator.id))
        .all(db)
        .await?;
    let led: HashSet<i64> = assignments
        .iter()
        .filter(|a| a.role == TeamRole::Lead.as_str())
        .map(|a| a.case_id)
        .collect();
    let mut ids: Vec<i64> = assignments.iter().map(|a| a.case_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let their_cases = cases::Entity::find()
        .filter(cases::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?;
    let joint: HashSet<i64> = case_invited_units::Entity::find()
        .filter(case_invited_units::Column::CaseId.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.case_id)
        .collect();
    let facts: Vec<CaseOnRecord> = their_cases
        .iter()
        .map(|c| CaseOnRecord {
            case_id: c.id,
            led: led.contains(&c.id),
            grade: Grade::parse(&c.grade).unwrap_or(Grade::Ordinary),
            dispute_type: DisputeType::parse(&c.dispute_type).unwrap_or(DisputeType::Other),
            received_at: c.received_at,
            closed_at: c.closed_at,
            resolved: c.outcome.as_deref() == Some(Outcome::Resolved.as_str()),
            joint: joint.contains(&c.id),
        })
        .collect();
    let attended: Vec<i64> = case_session_mediators::Entity::find()
        .filter(case_session_mediators::Column::MediatorId.eq(mediator.id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.session_id)
        .collect();
    let session_units: Vec<i64> = case_sessions::Entity::find()
        .filter(case_sessions::Column::Id.is_in(attended.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.unit_id)
        .collect();
    let satisfactions: Vec<i32> = follow_ups::Entity::find()
        .filter(follow_ups::Column::CaseId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|f| f.satisfaction)
        .collect();
    let figures = summarize(&facts, attended.len() as i64, &satisfactions);

    let names = units::names(db).await?;
    let mut worked: BTreeMap<i64, i64> = BTreeMap::new();
    for c in &their_cases {
        *worked.entry(c.current_unit_id).or_default() += 1;
    }
    for u in session_units {
        worked.entry(u).or_default();
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
            kind: e.kind,
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
