//! Taking in a case: parties, grading at intake, the gap-free case number, the 15-day clock.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{case_counters, case_parties, cases};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Set};
use serde_json::json;

use super::{hub_of, record_event, NewEvent};
use crate::db::begin_write;
use crate::domain::case_terms::{DisputeType, GradeSource, PartyKind, PartyRole, RiskFlag, Source};
use crate::domain::role::Role;
use crate::domain::workflow::{EventKind, Status};
use crate::domain::{clocks, grading};
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;
use crate::services::stats::counters;
use crate::services::{calendar, settings};

#[derive(Clone, Debug)]
pub struct PartyInput {
    pub role: PartyRole,
    pub kind: PartyKind,
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub organisation: Option<String>,
}

#[derive(Clone, Debug)]
pub struct IntakeInput {
    pub intake_unit_id: i64,
    pub dispute_type: DisputeType,
    pub source: Source,
    pub summary: String,
    pub amount_claimed_fen: i64,
    pub people_involved: i32,
    pub risk_flags: Vec<RiskFlag>,
    pub received_at: Option<DateTime<Utc>>,
    pub infringement_known_on: Option<NaiveDate>,
    pub employment_ended_on: Option<NaiveDate>,
    pub parties: Vec<PartyInput>,
}

/// Who may take in cases: mediators (at their own unit) and the coordination centre (anywhere).
pub const INTAKE_ROLES: [Role; 2] = [Role::Mediator, Role::Coordinator];

pub fn risk_flags_json(flags: &[RiskFlag]) -> String {
    let names: Vec<&str> = flags.iter().map(|f| f.as_str()).collect();
    serde_json::to_string(&names).unwrap_or_else(|_| "[]".to_owned())
}

/// Registers a case at `intake_unit_id`, graded by the rules and numbered `JB-2026-00042`.
///
/// # Errors
/// 403 for roles that do not take in cases, or a mediator registering at another unit; 422 naming
/// the field for a unit that does not exist, a receipt date in the future, missing parties.
pub async fn intake(
    db: &DatabaseConnection,
    tz: Tz,
    actor: &CurrentUser,
    input: IntakeInput,
) -> Result<cases::Model, AppError> {
    actor.require(&INTAKE_ROLES)?;
    if actor.role == Role::Mediator && actor.unit_id != Some(input.intake_unit_id) {
        return Err(AppError::Forbidden(Message::key("err-intake-own-unit")));
    }
    let prepared = prepare(db, tz, input).await?;
    let txn = begin_write(db).await?;
    let case = insert_case(&txn, tz, prepared, Some(actor.id)).await?;
    txn.commit().await?;
    tracing::info!(case_id = case.id, case_no = %case.case_no, "case taken in");
    Ok(case)
}

/// An intake checked and graded, ready to be written.
pub struct Prepared {
    input: IntakeInput,
    received_at: DateTime<Utc>,
    graded: grading::Graded,
    deadline_at: DateTime<Utc>,
}

impl Prepared {
    pub fn received_at(&self) -> DateTime<Utc> {
        self.received_at
    }
}

/// Checks the receipt time and works out the grade and the 15-day limit, before the write.
///
/// # Errors
/// 422 on `received_at` in the future; database failures.
pub async fn prepare(
    db: &impl ConnectionTrait,
    tz: Tz,
    input: IntakeInput,
) -> Result<Prepared, AppError> {
    let now = Utc::now();
    let received_at = input.received_at.unwrap_or(now);
    if received_at > now {
        return Err(AppError::field(
            "received_at",
            Message::key("err-in-future"),
        ));
    }
    let thresholds = settings::grading_thresholds(db).await?;
    let calendar = calendar::load(db).await?;
    Ok(prepare_with(
        tz,
        input,
        received_at,
        &Rules {
            thresholds: &thresholds,
            calendar: &calendar,
        },
    ))
}

/// Grades a case and sets its 15-day limit by rules already read.
fn prepare_with(
    tz: Tz,
    input: IntakeInput,
    received_at: DateTime<Utc>,
    rules: &Rules<'_>,
) -> Prepared {
    let graded = grading::grade(
        &grading::GradingInput {
            people_involved: i64::from(input.people_involved),
            amount_claimed_fen: input.amount_claimed_fen,
            risk_flags: &input.risk_flags,
            source: input.source,
        },
        rules.thresholds,
    );
    let deadline_at = clocks::mediation_deadline(received_at, tz, rules.calendar);
    Prepared {
        input,
        received_at,
        graded,
        deadline_at,
    }
}

/// What intake needs from settings and the calendar, read once (an import reads them once for
/// all its rows).
pub struct Rules<'a> {
    pub thresholds: &'a grading::GradingThresholds,
    pub calendar: &'a clocks::Calendar,
}

/// Where a new case's number comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Numbering {
    /// The next of the (hub, year) counter.
    Next,
    /// A number the case already has (an imported register): the counter is moved past it, so
    /// the numbers given later never collide with it.
    Given(i64),
}

/// Writes a new case, its parties and its `intake` event in the caller's transaction: graded by
/// the rules, numbered, the 15-day clock set. With [`Numbering::Given`] the event says the case
/// was imported.
///
/// # Errors
/// 422 naming `intake_unit_id` for a unit that does not exist; database failures.
pub async fn insert(
    txn: &impl ConnectionTrait,
    tz: Tz,
    actor: &CurrentUser,
    input: IntakeInput,
    received_at: DateTime<Utc>,
    rules: &Rules<'_>,
    numbering: Numbering,
) -> Result<cases::Model, AppError> {
    let prepared = prepare_with(tz, input, received_at, rules);
    write(txn, tz, prepared, Some(actor.id), numbering).await
}

/// Writes a prepared case in the caller's write transaction: the number, the row with its case
/// code, the parties and the intake event. `actor_user_id` is `None` for an online application
/// (recorded as made by nobody).
///
/// # Errors
/// 422 naming `intake_unit_id` for a unit that does not exist or is inactive; database failures.
pub async fn insert_case(
    txn: &impl ConnectionTrait,
    tz: Tz,
    prepared: Prepared,
    actor_user_id: Option<i64>,
) -> Result<cases::Model, AppError> {
    write(txn, tz, prepared, actor_user_id, Numbering::Next).await
}

async fn write(
    txn: &impl ConnectionTrait,
    tz: Tz,
    prepared: Prepared,
    actor_user_id: Option<i64>,
    numbering: Numbering,
) -> Result<cases::Model, AppError> {
    let Prepared {
        input,
        received_at,
        graded,
        deadline_at,
    } = prepared;
    let now = Utc::now();
    let (_, hub) = hub_of(txn, input.intake_unit_id, "intake_unit_id").await?;
    let year = clocks::local_year(received_at, tz);
    let seq = match numbering {
        Numbering::Next => next_case_number(txn, hub.id, year).await?,
        Numbering::Given(seq) => {
            move_counter_past(txn, hub.id, year, seq).await?;
            seq
        }
    };
    let imported = numbering != Numbering::Next;
    let case_no = format!("{}-{year}-{seq:05}", hub.code);
    let case = cases::ActiveModel {
        case_no: Set(case_no),
        hub_id: Set(hub.id),
        status: Set(Status::Registered.into()),
        outcome: Set(None),
        grade: Set(graded.grade.into()),
        grade_source: Set(GradeSource::Auto.into()),
        grade_confirmed: Set(false),
        grade_reason: Set(graded.reason_zh.clone()),
        current_unit_id: Set(input.intake_unit_id),
        intake_unit_id: Set(input.intake_unit_id),
        dispute_type: Set(input.dispute_type.into()),
        source: Set(input.source.into()),
        summary: Set(input.summary),
        amount_claimed_fen: Set(input.amount_claimed_fen),
        people_involved: Set(input.people_involved),
        risk_flags: Set(risk_flags_json(&input.risk_flags)),
        received_at: Set(received_at),
        infringement_known_on: Set(input.infringement_known_on),
        employment_ended_on: Set(input.employment_ended_on),
        deadline_at: Set(deadline_at),
        closed_at: Set(None),
        access_code: Set(Some(super::access_code::new_code())),
        created_by: Set(actor_user_id.unwrap_or(0)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    counters::apply(txn, tz, None, Some(&case)).await?;
    let name_rows =
        super::name_search::rows_of(case.id, input.parties.iter().map(|p| p.name.as_str()));
    super::name_search::write(txn, &name_rows).await?;
    for p in input.parties {
        case_parties::ActiveModel {
            case_id: Set(case.id),
            role: Set(p.role.into()),
            kind: Set(p.kind.into()),
            name: Set(p.name),
            id_number: Set(p.id_number),
            phone: Set(p.phone),
            organisation: Set(p.organisation),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    record_event(
        txn,
        NewEvent {
            case_id: case.id,
            kind: EventKind::Intake,
            actor_user_id,
            at: received_at,
            from: None,
            to: Some(json!({
                "status": Status::Registered.as_str(),
                "unit_id": input.intake_unit_id,
                "grade": graded.grade.as_str(),
                "imported": imported,
            })),
            note: Some(if imported {
                format!("台账导入 / imported from a ledger; {}", graded.reason_zh)
            } else {
                graded.reason_zh
            }),
        },
    )
    .await?;
    Ok(case)
}

/// The next number of the (hub, year) counter, inside the intake transaction. The counter row is
/// created if missing (a concurrent creator makes this a no-op), then incremented with
/// `UPDATE … RETURNING`: on PostgreSQL the update takes a row lock that the other registering
/// transaction waits on; on SQLite the write transaction already excludes every other writer.
/// A rollback of the intake rolls the increment back too, so numbers have no gaps.
async fn next_case_number(
    db: &impl ConnectionTrait,
    hub_id: i64,
    year: i32,
) -> Result<i64, AppError> {
    let insert = Query::insert()
        .into_table(case_counters::Entity)
        .columns([
            case_counters::Column::HubId,
            case_counters::Column::Year,
            case_counters::Column::LastSeq,
        ])
        .values_panic([hub_id.into(), year.into(), 0i64.into()])
        .on_conflict(
            OnConflict::columns([case_counters::Column::HubId, case_counters::Column::Year])
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    db.execute(&insert).await?;
    let update = Query::update()
        .table(case_counters::Entity)
        .value(
            case_counters::Column::LastSeq,
            Expr::col(case_counters::Column::LastSeq).add(1),
        )
        .and_where(Expr::col(case_counters::Column::HubId).eq(hub_id))
        .and_where(Expr::col(case_counters::Column::Year).eq(year))
        .returning_col(case_counters::Column::LastSeq)
        .to_owned();
    let row = db
        .query_one(&update)
        .await?
        .ok_or_else(|| AppError::Internal("case counter missing".into()))?;
    Ok(row.try_get::<i64>("", "last_seq")?)
}

/// Moves the (hub, year) counter to at least `seq`, inside the caller's transaction (the same
/// lock as [`next_case_number`]).
async fn move_counter_past(
    db: &impl ConnectionTrait,
    hub_id: i64,
    year: i32,
    seq: i64,
) -> Result<(), AppError> {
    let insert = Query::insert()
        .into_table(case_counters::Entity)
        .columns([
            case_counters::Column::HubId,
            case_counters::Column::Year,
            case_counters::Column::LastSeq,
        ])
        .values_panic([hub_id.into(), year.into(), 0i64.into()])
        .on_conflict(
            OnConflict::columns([case_counters::Column::HubId, case_counters::Column::Year])
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    db.execute(&insert).await?;
    let update = Query::update()
        .table(case_counters::Entity)
        .value(case_counters::Column::LastSeq, seq)
        .and_where(Expr::col(case_counters::Column::HubId).eq(hub_id))
        .and_where(Expr::col(case_counters::Column::Year).eq(year))
        .and_where(Expr::col(case_counters::Column::LastSeq).lt(seq))
        .to_owned();
    db.execute(&update).await?;
    Ok(())
}
