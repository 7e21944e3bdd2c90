//! Sessions, agreements (with instalments and judicial confirmation) and follow-up visits: what a
//! mediator records from the first meeting to the closed file. Sessions and agreements move the case
//! through the workflow table like any action; every record writes its event in the same
//! transaction and bumps the case's version.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{
    agreement_instalments, agreements, case_session_mediators, case_sessions, cases, follow_ups,
    mediators, units,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;

use super::{
    active_team, actor_facts, case_facts, find_visible, record_event, refusal, status_of, NewEvent,
};
use crate::db::begin_write;
use crate::domain::agreement::{check_schedule, Instalment, ScheduleError, SessionOutcome};
use crate::domain::clocks;
use crate::domain::role::Role;
use crate::domain::workflow::{decide, Action, Refusal, Status};
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;

#[derive(Clone, Debug)]
pub struct SessionInput {
    pub held_at: DateTime<Utc>,
    pub unit_id: i64,
    pub mediator_ids: Vec<i64>,
    pub attendees: String,
    pub summary: String,
    pub outcome: SessionOutcome,
    pub next_session_at: Option<DateTime<Utc>>,
    pub version: Option<i32>,
}

#[derive(Clone, Debug)]
pub struct AgreementInput {
    pub signed_at: DateTime<Utc>,
    pub matters: String,
    pub terms: String,
    pub amount_fen: i64,
    pub instalments: Vec<Instalment>,
    pub version: Option<i32>,
}

#[derive(Clone, Debug)]
pub struct FollowUpInput {
    pub done_at: DateTime<Utc>,
    pub result: String,
    pub satisfaction: i32,
    pub fulfilled: bool,
}

/// A time a record says something happened: not in the future, not before the case was received.
fn check_when(field: &str, at: DateTime<Utc>, case: &cases::Model) -> Result<(), AppError> {
    if at > Utc::now() {
        return Err(AppError::field(field, Message::key("err-in-future")));
    }
    if at < case.received_at {
        return Err(AppError::field(field, Message::key("err-before-receipt")));
    }
    Ok(())
}

/// Moves the case to `status` and bumps its version, only if nobody changed it meanwhile.
async fn bump(
    db: &impl ConnectionTrait,
    case: &cases::Model,
    status: Status,
) -> Result<cases::Model, AppError> {
    let result = cases::Entity::update_many()
        .col_expr(cases::Column::Status, Expr::value(status.as_str()))
        .col_expr(cases::Column::Version, Expr::value(case.version + 1))
        .col_expr(cases::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(cases::Column::Id.eq(case.id))
        .filter(cases::Column::Version.eq(case.version))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::Conflict(Message::key("err-stale-version")));
    }
    cases::Entity::find_by_id(case.id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The workflow decision for a record, in the promised order: role (403), version (409), then the
/// transition (422).
async fn decide_record(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    case: &cases::Model,
    action: Action,
    version: Option<i32>,
) -> Result<Result<Status, Refusal>, AppError> {
    let team = active_team(db, case.id).await?;
    let facts = case_facts(db, case, &team).await?;
    let decision = decide(&facts, &actor_facts(user, case, &team), action, None);
    if let Err(r @ Refusal::RoleMayNot(_)) = decision {
        return Err(refusal(r));
    }
    if version.is_some_and(|v| v != case.version) {
        return Err(AppError::Conflict(Message::key("err-stale-version")));
    }
    Ok(decision)
}

/// The scope and role checks of a record, before its fields are read, so that the answers come in
/// the promised order (out of scope 404, then role 403, then the fields 422): `action` is the
/// workflow step of a session or an agreement; `None` for a follow-up visit.
///
/// # Errors
/// 404, 403.
pub async fn may_record_on(
    db: &DatabaseConnection,
    user: &CurrentUser,
    case_id: i64,
    action: Option<Action>,
) -> Result<(), AppError> {
    let case = find_visible(db, user, case_id).await?;
    match action {
        Some(action) => decide_record(db, user, &case, action, None)
            .await
            .map(|_| ()),
        None => may_record(user, &case, &active_team(db, case.id).await?),
    }
}

/// Records a session (调解笔录). The first moves an accepted case to `mediating`.
///
/// # Errors
/// 404, 403, 409, 422 (a time before receipt or in the future, unknown mediators or unit, a case not
/// accepted yet or closed).
pub async fn record_session(
    db: &DatabaseConnection,
    user: &CurrentUser,
    case_id: i64,
    input: SessionInput,
) -> Result<case_sessions::Model, AppError> {
    let txn = begin_write(db).await?;
    let case = find_visible(&txn, user, case_id).await?;
    let decision = decide_record(&txn, user, &case, Action::RecordSession, input.version).await?;
    check_when("held_at", input.held_at, &case)?;
    if input.next_session_at.is_some_and(|n| n <= input.held_at) {
        return Err(AppError::field(
            "next_session_at",
            Message::key("err-next-session-before"),
        ));
    }
    if units::Entity::find_by_id(input.unit_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(AppError::field(
            "unit_id",
            Message::key("err-unit-not-found"),
        ));
    }
    for id in &input.mediator_ids {
        if mediators::Entity::find_by_id(*id)
            .one(&txn)
            .await?
            .is_none()
        {
            return Err(AppError::field(
                "mediator_ids",
                Message::key("err-mediator-not-found"),
            ));
        }
    }
    let status = decision.map_err(refusal)?;
    bump(&txn, &case, status).await?;
    let session = case_sessions::ActiveModel {
        case_id: Set(case.id),
        held_at: Set(input.held_at),
        unit_id: Set(input.unit_id),
        attendees: Set(input.attendees),
        summary: Set(input.summary),
        outcome: Set(input.outcome.as_str().to_owned()),
        next_session_at: Set(input.next_session_at),
        recorded_by: Set(user.id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for mediator_id in &input.mediator_ids {
        case_session_mediators::ActiveModel {
            session_id: Set(session.id),
            mediator_id: Set(*mediator_id),
        }
        .insert(&txn)
        .await?;
    }
    let mut to = json!({"session_id": session.id, "session_outcome": input.outcome.as_str()});
    let mut from = json!({});
    if status != Status::from(case.status) {
        from["status"] = json!(Status::from(case.status));
        to["status"] = json!(status.as_str());
    }
    record_event(
        &txn,
        NewEvent {
            case_id: case.id,
            kind: Action::RecordSession.as_str(),
            actor_user_id: Some(user.id),
            at: input.held_at,
            from: Some(from),
            to: Some(to),
            note: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(session)
}

/// Records the signed agreement (调解协议书): the case becomes `agreed`. After a reopen, a new
/// agreement supersedes the earlier one, which stays on file.
///
/// # Errors
/// 404, 403, 409, 422 (instalments not adding up, a signing date before receipt or in the future, a
/// closed case).
pub async fn record_agreement(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    case_id: i64,
    input: AgreementInput,
) -> Result<agreements::Model, AppError> {
    let txn = begin_write(db).await?;
    let case = find_visible(&txn, user, case_id).await?;
    let decision = decide_record(&txn, user, &case, Action::RecordAgreement, input.version).await?;
    check_when("signed_at", input.signed_at, &case)?;
    let signed_on = clocks::local_date(input.signed_at, tz);
    check_schedule(input.amount_fen, signed_on, &input.instalments).map_err(|e| match e {
        ScheduleError::NotPositive { index } => AppError::field(
            &format!("instalments[{index}].amount_fen"),
            Message::key("err-positive"),
        ),
        ScheduleError::DueBeforeSigning { index } => AppError::field(
            &format!("instalments[{index}].due_on"),
            Message::key("err-due-before-signing"),
        ),
        ScheduleError::SumMismatch { sum_fen } => AppError::field(
            "instalments",
            Message::with(
                "err-instalments-sum",
                &[
                    ("sum", crate::domain::money::format_yuan(sum_fen)),
                    (
                        "amount",
                        crate::domain::money::format_yuan(input.amount_fen),
                    ),
                ],
            ),
        ),
    })?;
    let status = decision.map_err(refusal)?;
    bump(&txn, &case, status).await?;
    let superseded = agreements::Entity::update_many()
        .col_expr(agreements::Column::Superseded, Expr::value(true))
        .filter(agreements::Column::CaseId.eq(case.id))
        .filter(agreements::Column::Superseded.eq(false))
        .exec(&txn)
        .await?;
    let agreement = agreements::ActiveModel {
        case_id: Set(case.id),
        signed_at: Set(input.signed_at),
        matters: Set(input.matters),
        terms: Set(input.terms),
        amount_fen: Set(input.amount_fen),
        superseded: Set(false),
        confirmation_applied_on: Set(None),
        confirmation_received_on: Set(None),
        confirmation_note: Set(None),
        recorded_by: Set(user.id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for (i, inst) in input.instalments.iter().enumerate() {
        agreement_instalments::ActiveModel {
            agreement_id: Set(agreement.id),
            seq: Set(i as i32 + 1),
            due_on: Set(inst.due_on),
            amount_fen: Set(inst.amount_fen),
            paid_on: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    record_event(
        &txn,
        NewEvent {
            case_id: case.id,
            kind: Action::RecordAgreement.as_str(),
            actor_user_id: Some(user.id),
            at: input.signed_at,
            from: Some(json!({"status": Status::from(case.status)})),
            to: Some(json!({
                "status": status.as_str(),
                "agreement_id": agreement.id,
                "amount_fen": agreement.amount_fen,
                "instalments": input.instalments.len(),
                "superseded_earlier": superseded.rows_affected > 0,
            })),
            note: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(agreement)
}

/// The agreement in force (not superseded), if any.
///
/// # Errors
/// Database failures.
pub async fn current_agreement(
    db: &impl ConnectionTrait,
    case_id: i64,
) -> Result<Option<agreements::Model>, AppError> {
    Ok(agreements::Entity::find()
        .filter(agreements::Column::CaseId.eq(case_id))
        .filter(agreements::Column::Superseded.eq(false))
        .order_by_desc(agreements::Column::Id)
        .one(db)
        .await?)
}

/// Who may write the records of a case that does not move it: the team, the unit that has it, or
/// the coordination centre.
fn may_record(
    user: &CurrentUser,
    case: &cases::Model,
    team: &[entity::case_assignments::Model],
) -> Result<(), AppError> {
    let actor = actor_facts(user, case, team);
    if user.is(Role::Coordinator) || actor.is_assigned || actor.at_current_unit {
        Ok(())
    } else {
        Err(AppError::Forbidden(Message::key("err-role-may-not")))
    }
}

/// Marks an instalment paid (or unpaid, with `None`).
///
/// # Errors
/// 404 (no such case, agreement or instalment), 403, 422 (a payment date in the future or before
/// signing).
pub async fn mark_instalment(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    case_id: i64,
    seq: i32,
    paid_on: Option<NaiveDate>,
) -> Result<agreement_instalments::Model, AppError> {
    let txn = begin_write(db).await?;
    let case = find_visible(&txn, user, case_id).await?;
    let team = active_team(&txn, case.id).await?;
    may_record(user, &case, &team)?;
    let agreement = current_agreement(&txn, case.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let instalment = agreement_instalments::Entity::find()
        .filter(agreement_instalments::Column::AgreementId.eq(agreement.id))
        .filter(agreement_instalments::Column::Seq.eq(seq))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(day) = paid_on {
        if day > clocks::local_date(Utc::now(), tz) {
            return Err(AppError::field("paid_on", Message::key("err-in-future")));
        }
        if day < clocks::local_date(agreement.signed_at, tz) {
            return Err(AppError::field(
                "paid_on",
                Message::key("err-paid-before-signing"),
            ));
        }
    }
    let mut active: agreement_instalments::ActiveModel = instalment.clone().into();
    active.paid_on = Set(paid_on);
    let updated = active.update(&txn).await?;
    record_event(
        &txn,
        NewEvent {
            case_id: case.id,
            kind: "instalment_paid",
            actor_user_id: Some(user.id),
            at: Utc::now(),
            from: Some(json!({"seq": seq, "paid_on": instalment.paid_on})),
            to: Some(json!({"seq": seq, "paid_on": paid_on, "amount_fen": instalment.amount_fen})),
            note: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Records the application for, or the receipt of, judicial confirmation (人民调解法 art. 33).
///
/// # Errors
/// 404, 403, 422 (dates in the future, received before applied).
pub async fn record_confirmation(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    case_id: i64,
    applied_on: Option<NaiveDate>,
    received_on: Option<NaiveDate>,
    note: Option<String>,
) -> Result<agreements::Model, AppError> {
    let txn = begin_write(db).await?;
    let case = find_visible(&txn, user, case_id).await?;
    let team = active_team(&txn, case.id).await?;
    may_record(user, &case, &team)?;
    let agreement = current_agreement(&txn, case.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if applied_on.is_none() && received_on.is_none() && note.is_none() {
        // Nothing to record: an empty request would only add an empty line to the timeline.
        return Err(AppError::field("applied_on", Message::key("err-required")));
    }
    let today = clocks::local_date(Utc::now(), tz);
    if applied_on.is_some_and(|d| d > today) {
        return Err(AppError::field("applied_on", Message::key("err-in-future")));
    }
    if received_on.is_some_and(|d| d > today) {
        return Err(AppError::field(
            "received_on",
            Message::key("err-in-future"),
        ));
    }
    let applied = applied_on.or(agreement.confirmation_applied_on);
    if let (Some(a), Some(r)) = (applied, received_on) {
        if r < a {
            return Err(AppError::field(
                "received_on",
                Message::key("err-received-before-applied"),
            ));
        }
    }
    let mut active: agreements::ActiveModel = agreement.clone().into();
    active.confirmation_applied_on = Set(applied);
    active.confirmation_received_on = Set(received_on.or(agreement.confirmation_received_on));
    active.confirmation_note = Set(note.clone().or(agreement.confirmation_note.clone()));
    let updated = active.update(&txn).await?;
    record_event(&txn, NewEvent {
        case_id: case.id,
        kind: "judicial_confirmation",
        actor_user_id: Some(user.id),
        at: Utc::now(),
        from: None,
        to: Some(json!({"applied_on": updated.confirmation_applied_on, "received_on": updated.confirmation_received_on})),
        note,
    })
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Records a follow-up visit (回访). A breached agreement (`fulfilled: false`) is flagged on the
/// case page so that a coordinator can reopen it.
///
/// # Errors
/// 404, 403, 422 (no agreement on file, a visit before signing or in the future, satisfaction
/// outside 1–5).
pub async fn record_follow_up(
    db: &DatabaseConnection,
    user: &CurrentUser,
    case_id: i64,
    input: FollowUpInput,
) -> Result<follow_ups::Model, AppError> {
    let txn = begin_write(db).await?;
    let case = find_visible(&txn, user, case_id).await?;
    let team = active_team(&txn, case.id).await?;
    may_record(user, &case, &team)?;
    if !(1..=5).contains(&input.satisfaction) {
        return Err(AppError::field(
            "satisfaction",
            Message::with("err-range", &[("min", "1".into()), ("max", "5".into())]),
        ));
    }
    let agreement = current_agreement(&txn, case.id)
        .await?
        .ok_or_else(|| AppError::Refused(Message::key("err-follow-up-needs-agreement")))?;
    if input.done_at > Utc::now() {
        return Err(AppError::field("done_at", Message::key("err-in-future")));
    }
    if input.done_at < agreement.signed_at {
        return Err(AppError::field(
            "done_at",
            Message::key("err-follow-up-before-signing"),
        ));
    }
    if status_of(&case)? != Status::Agreed && status_of(&case)? != Status::Closed {
        return Err(AppError::Refused(Message::key(
            "err-follow-up-needs-agreement",
        )));
    }
    let follow_up = follow_ups::ActiveModel {
        case_id: Set(case.id),
        agreement_id: Set(Some(agreement.id)),
        done_at: Set(input.done_at),
        result: Set(input.result),
        satisfaction: Set(input.satisfaction),
        fulfilled: Set(input.fulfilled),
        recorded_by: Set(user.id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record_event(
        &txn,
        NewEvent {
            case_id: case.id,
            kind: "follow_up",
            actor_user_id: Some(user.id),
            at: input.done_at,
            from: None,
            to: Some(json!({"satisfaction": input.satisfaction, "fulfilled": input.fulfilled})),
            note: Some(follow_up.result.clone()),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(follow_up)
}
