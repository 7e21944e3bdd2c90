//! Correcting a case's details after intake, with the grade following the new inputs when the
//! rules gave it (`domain::case_edit`). One version-checked update and one `edit_details` event.

use chrono::Utc;
use chrono_tz::Tz;
use entity::cases;
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use serde_json::{json, Map, Value};

use super::intake::risk_flags_json;
use super::pipeline;
use super::view::CaseOut;
use super::{active_team, actor_facts, grade_of, record_event, status_of, NewEvent};
use crate::db::begin_write;
use crate::domain::case_edit::{self, CaseDetails, EditRefusal};
use crate::domain::case_terms::{GradeSource, RiskFlag};
use crate::domain::grading;
use crate::domain::workflow::{ActorFacts, EventKind};
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;
use crate::services::calendar;
use crate::services::command::Patch;
use crate::services::settings;

/// The details of a case as stored.
pub fn details_of(case: &cases::Model) -> CaseDetails {
    CaseDetails {
        dispute_type: case.dispute_type.into(),
        source: case.source.into(),
        summary: case.summary.clone(),
        amount_claimed_fen: case.amount_claimed_fen,
        people_involved: case.people_involved,
        risk_flags: serde_json::from_str::<Vec<String>>(&case.risk_flags)
            .unwrap_or_default()
            .iter()
            .filter_map(|f| RiskFlag::parse(f))
            .collect(),
        infringement_known_on: case.infringement_known_on,
        employment_ended_on: case.employment_ended_on,
    }
}

fn field_json(d: &CaseDetails, field: &str) -> Value {
    match field {
        "dispute_type" => json!(d.dispute_type.as_str()),
        "source" => json!(d.source.as_str()),
        "summary" => json!(d.summary),
        "amount_claimed_fen" => json!(d.amount_claimed_fen),
        "people_involved" => json!(d.people_involved),
        "risk_flags" => json!(d.risk_flags.iter().map(|f| f.as_str()).collect::<Vec<_>>()),
        "infringement_known_on" => json!(d.infringement_known_on),
        "employment_ended_on" => json!(d.employment_ended_on),
        _ => Value::Null,
    }
}

/// Whether `user` may correct `case` now (`domain::case_edit::may_edit`).
///
/// # Errors
/// 403 for those who do not work the case; 422 for a closed case.
pub async fn check_may_edit(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    case: &cases::Model,
) -> Result<(), AppError> {
    let team = active_team(db, case.id).await?;
    may_edit(&actor_facts(user, case, &team), case)
}

fn may_edit(actor: &ActorFacts, case: &cases::Model) -> Result<(), AppError> {
    match case_edit::may_edit(actor, status_of(case)?) {
        Ok(()) => Ok(()),
        Err(EditRefusal::NotYours) => Err(AppError::Forbidden(Message::key("err-edit-not-yours"))),
        Err(EditRefusal::Closed) => Err(AppError::Refused(Message::key("err-edit-closed"))),
    }
}

/// Corrects the details of case `id` through the case pipeline, and answers with the case as it
/// now stands. Nothing changes (and no event is written) when the details are the same.
///
/// # Errors
/// 404 out of scope; 422 naming each invalid field; 403 for those who may not correct it; 422 for
/// a closed case; 409 for a stale `version`.
pub async fn edit_details(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    id: i64,
    command: impl Patch<CaseDetails, Params = CaseDetails>,
) -> Result<CaseOut, AppError> {
    let thresholds = settings::grading_thresholds(db).await?;
    let txn = begin_write(db).await?;
    let loaded = pipeline::load_for_update(&txn, user, id).await?;
    let case = &loaded.case;
    let old = details_of(case);
    // The new details are read first (422), then who may correct the case (403, or 422 while it
    // is closed), then the version (409): the order this endpoint and its page answer in.
    let seen = command.version();
    let new = command.params(&old)?;
    may_edit(&loaded.actor, case)?;
    loaded.check_version(seen)?;
    let changed = case_edit::changed_fields(&old, &new);
    if changed.is_empty() {
        let cal = calendar::load(&txn).await?;
        return Ok(CaseOut::build(case, tz, &cal, Utc::now()));
    }
    let graded = grading::grade(
        &grading::GradingInput {
            people_involved: i64::from(new.people_involved),
            amount_claimed_fen: new.amount_claimed_fen,
            risk_flags: &new.risk_flags,
            source: new.source,
        },
        &thresholds,
    );
    let regraded = case_edit::regrade_after_edit(
        GradeSource::from(case.grade_source) == GradeSource::Auto,
        grade_of(case),
        &graded,
    );
    let mut from = Map::new();
    let mut to = Map::new();
    for field in &changed {
        from.insert((*field).to_owned(), field_json(&old, field));
        to.insert((*field).to_owned(), field_json(&new, field));
    }
    let mut update = cases::Entity::update_many()
        .col_expr(
            cases::Column::DisputeType,
            Expr::value(new.dispute_type.as_str()),
        )
        .col_expr(cases::Column::Source, Expr::value(new.source.as_str()))
        .col_expr(cases::Column::Summary, Expr::value(new.summary.clone()))
        .col_expr(
            cases::Column::AmountClaimedFen,
            Expr::value(new.amount_claimed_fen),
        )
        .col_expr(
            cases::Column::PeopleInvolved,
            Expr::value(new.people_involved),
        )
        .col_expr(
            cases::Column::RiskFlags,
            Expr::value(risk_flags_json(&new.risk_flags)),
        )
        .col_expr(
            cases::Column::InfringementKnownOn,
            Expr::value(new.infringement_known_on),
        )
        .col_expr(
            cases::Column::EmploymentEndedOn,
            Expr::value(new.employment_ended_on),
        );
    if let Some(r) = &regraded {
        from.insert("grade".into(), json!(grade_of(case)));
        to.insert("grade".into(), json!(r.grade.as_str()));
        if case.grade_confirmed != r.confirmed {
            from.insert("grade_confirmed".into(), json!(case.grade_confirmed));
            to.insert("grade_confirmed".into(), json!(r.confirmed));
        }
        update = update
            .col_expr(cases::Column::Grade, Expr::value(r.grade.as_str()))
            .col_expr(cases::Column::GradeReason, Expr::value(r.reason.clone()))
            .col_expr(cases::Column::GradeConfirmed, Expr::value(r.confirmed));
    }
    let updated = pipeline::update_case(&txn, tz, case, update).await?;
    record_event(
        &txn,
        NewEvent {
            case_id: id,
            kind: EventKind::EditDetails,
            actor_user_id: Some(user.id),
            at: Utc::now(),
            from: Some(Value::Object(from)),
            to: Some(Value::Object(to)),
            note: regraded.as_ref().map(|r| r.reason.clone()),
        },
    )
    .await?;
    let cal = calendar::load(&txn).await?;
    txn.commit().await?;
    tracing::info!(case_id = id, fields = ?changed, "case details corrected");
    Ok(CaseOut::build(&updated, tz, &cal, Utc::now()))
}
