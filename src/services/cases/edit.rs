//! Correcting a case's details after intake, with the grade following the new inputs when the
//! rules gave it (`domain::case_edit`). One version-checked update and one `edit_details` event.

use chrono::Utc;
use entity::cases;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{json, Map, Value};

use super::intake::risk_flags_json;
use super::{active_team, actor_facts, find_visible, grade_of, record_event, status_of, NewEvent};
use crate::db::begin_write;
use crate::domain::case_edit::{self, CaseDetails, EditRefusal};
use crate::domain::case_terms::{DisputeType, RiskFlag, Source};
use crate::domain::grading;
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;
use crate::services::settings;

/// The details of a case as stored.
pub fn details_of(case: &cases::Model) -> CaseDetails {
    CaseDetails {
        dispute_type: DisputeType::parse(&case.dispute_type).unwrap_or(DisputeType::Other),
        source: Source::parse(&case.source).unwrap_or(Source::WalkIn),
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
    match case_edit::may_edit(&actor_facts(user, case, &team), status_of(case)?) {
        Ok(()) => Ok(()),
        Err(EditRefusal::NotYours) => Err(AppError::Forbidden(Message::key("err-edit-not-yours"))),
        Err(EditRefusal::Closed) => Err(AppError::Refused(Message::key("err-edit-closed"))),
    }
}

/// Corrects the details of case `id`. Nothing changes (and no event is written) when the details
/// are the same.
///
/// # Errors
/// 404 out of scope; 403 for those who may not correct it; 409 for a stale `version`; 422 for a
/// closed case.
pub async fn edit_details(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    new: CaseDetails,
    version: Option<i32>,
) -> Result<cases::Model, AppError> {
    let thresholds = settings::grading_thresholds(db).await?;
    let txn = begin_write(db).await?;
    let case = find_visible(&txn, user, id).await?;
    check_may_edit(&txn, user, &case).await?;
    if version.is_some_and(|v| v != case.version) {
        return Err(AppError::Conflict(Message::key("err-stale-version")));
    }
    let old = details_of(&case);
    let changed = case_edit::changed_fields(&old, &new);
    if changed.is_empty() {
        return Ok(case);
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
    let regraded =
        case_edit::regrade_after_edit(case.grade_source == "auto", grade_of(&case), &graded);
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
        )
        .col_expr(cases::Column::Version, Expr::value(case.version + 1))
        .col_expr(cases::Column::UpdatedAt, Expr::value(Utc::now()));
    if let Some(r) = &regraded {
        from.insert("grade".into(), json!(grade_of(&case)));
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
    let updated = update
        .filter(cases::Column::Id.eq(id))
        .filter(cases::Column::Version.eq(case.version))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::Conflict(Message::key("err-stale-version")));
    }
    record_event(
        &txn,
        NewEvent {
            case_id: id,
            kind: "edit_details",
            actor_user_id: Some(user.id),
            at: Utc::now(),
            from: Some(Value::Object(from)),
            to: Some(Value::Object(to)),
            note: regraded.as_ref().map(|r| r.reason.clone()),
        },
    )
    .await?;
    let case = find_visible(&txn, user, id).await?;
    txn.commit().await?;
    tracing::info!(case_id = id, fields = ?changed, "case details corrected");
    Ok(case)
}
