//! Sessions, agreements (with instalments and judicial confirmation) and follow-up visits: what a
//! mediator records from the first meeting to the closed file, each through the case pipeline
//! ([`super::pipeline`]): scope 404, role 403, the record's fields 422, version 409, then the
//! transition 422. Sessions and agreements move the case through the workflow table like any
//! action; every record writes its event in the same transaction, and each answers with the
//! record as the case page shows it.

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

use super::pipeline::{self, Command};
use super::view::{self, AgreementOut, FollowUpOut, InstalmentOut, SessionOut};
use super::{record_event, refusal, status_of, NewEvent};
use crate::db::begin_write;
use crate::domain::agreement::{check_schedule, Instalment, ScheduleError, SessionOutcome};
use crate::domain::clocks;
use crate::domain::workflow::{Action, EventKind, Status};
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;
use crate::services::calendar;

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
    tz: Tz,
    case: &cases::Model,
    status: Status,
) -> Result<cases::Model, AppError> {
    pipeline::update_case(
        db,
        tz,
        case,
        cases::Entity::update_many().col_expr(cases::Column::Status, Expr::value(status.as_str())),
    )
    .await
}

macro_rules! typed_command {
    ($($input:ty),*) => {$(
        /// Input already typed (the demo street) is its own command.
        impl Command for $input {
            type Params = $input;

            fn version(&self) -> Option<i32> {
                typed_version(self)
            }

            fn params(self) -> Result<$input, AppError> {
                Ok(self)
            }
        }
    )*};
}

trait Versioned {
    fn seen_version(&self) -> Option<i32>;
}

impl Versioned for SessionInput {
    fn seen_version(&self) -> Option<i32> {
        self.version
    }
}

impl Versioned for AgreementInput {
    fn seen_version(&self) -> Option<i32> {
        self.version
    }
}

impl Versioned for FollowUpInput {
    fn seen_version(&self) -> Option<i32> {
        None
    }
}

impl Versioned for ConfirmationInput {
    fn seen_version(&self) -> Option<i32> {
        None
    }
}

impl Versioned for Option<NaiveDate> {
    fn seen_version(&self) -> Option<i32> {
        None
    }
}

fn typed_version(input: &impl Versioned) -> Option<i32> {
    input.seen_version()
}

typed_command!(
    SessionInput,
    AgreementInput,
    FollowUpInput,
    ConfirmationInput,
    Option<NaiveDate>
);

/// What a judicial-confirmation record says; what it leaves out stays as it was.
#[derive(Clone, Debug, Default)]
pub struct ConfirmationInput {
    pub applied_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Records a session (调解笔录). The first moves an accepted case to `mediating`.
///
/// # Errors
/// 404, 403, 409, 422 (a time before receipt or in the future, unknown mediators or unit, a case not
/// accepted yet or closed).
pub async fn record_session(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    case_id: i64,
    command: impl Command<Params = SessionInput>,
) -> Result<SessionOut, AppError> {
    let txn = begin_write(db).await?;
    let loaded = pipeline::load_for_update(&txn, user, case_id).await?;
    let facts = loaded.facts(&txn).await?;
    let decision = loaded.decide(&facts, Action::RecordSession, None)?;
    // A record's fields are read before its version: the order these endpoints answer in.
    let seen = command.version();
    let input = command.params()?;
    loaded.check_version(seen)?;
    let case = &loaded.case;
    check_when("held_at", input.held_at, case)?;
    if input.next_session_at.is_some_and(|n| n <= input.held_at) {
        return Err(AppError::field(
            "next_session_at",
            Message::key("err-next-session-before"),
        ));
    }
    let unit = units::Entity::find_by_id(input.unit_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::field("unit_id", Message::key("err-unit-not-found")))?;
    let found = mediators::Entity::find()
        .filter(mediators::Column::Id.is_in(input.mediator_ids.iter().copied()))
        .all(&txn)
        .await?;
    let mut mediator_names = Vec::with_capacity(input.mediator_ids.len());
    for id in &input.mediator_ids {
        let m = found.iter().find(|m| m.id == *id).ok_or_else(|| {
            AppError::field("mediator_ids", Message::key("err-mediator-not-found"))
        })?;
        mediator_names.push(m.name.clone());
    }
    let status = decision.map_err(refusal)?;
    bump(&txn, tz, case, status).await?;
    let session = case_sessions::ActiveModel {
        case_id: Set(case.id),
        held_at: Set(input.held_at),
        unit_id: Set(input.unit_id),
        attendees: Set(input.attendees),
        summary: Set(input.summary),
        outcome: Set(input.outcome.into()),
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
            kind: Action::RecordSession.into(),
            actor_user_id: Some(user.id),
            at: input.held_at,
            from: Some(from),
            to: Some(to),
            note: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(SessionOut {
        id: session.id,
        held_at: session.held_at,
        unit_id: session.unit_id,
        unit_name: unit.name,
        mediator_ids: input.mediator_ids,
        mediator_names,
        attendees: session.attendees,
        summary: session.summary,
        outcome: SessionOutcome::from(session.outcome).as_str().to_owned(),
        next_session_at: session.next_session_at,
    })
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
    command: impl Command<Params = AgreementInput>,
) -> Result<AgreementOut, AppError> {
    let txn = begin_write(db).await?;
    let loaded = pipeline::load_for_update(&txn, user, case_id).await?;
    let facts = loaded.facts(&txn).await?;
    let decision = loaded.decide(&facts, Action::RecordAgreement, None)?;
    // A record's fields are read before its version: the order these endpoints answer in.
    let seen = command.version();
    let input = command.params()?;
    loaded.check_version(seen)?;
    let case = &loaded.case;
    check_when("signed_at", input.signed_at, case)?;
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
    bump(&txn, tz, case, status).await?;
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
    let mut instalments = Vec::with_capacity(input.instalments.len());
    for (i, inst) in input.instalments.iter().enumerate() {
        let row = agreement_instalments::ActiveModel {
            agreement_id: Set(agreement.id),
            seq: Set(i as i32 + 1),
            due_on: Set(inst.due_on),
            amount_fen: Set(inst.amount_fen),
            paid_on: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        instalments.push(instalment_out(row));
    }
    record_event(
        &txn,
        NewEvent {
            case_id: case.id,
            kind: Action::RecordAgreement.into(),
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
    // The new agreement and its instalments set the day its follow-up is due.
    super::follow_ups_due::refresh(&txn, tz, case.id).await?;
    let cal = calendar::load(&txn).await?;
    txn.commit().await?;
    Ok(view::agreement_out(agreement, instalments, tz, &cal))
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

fn instalment_out(i: agreement_instalments::Model) -> InstalmentOut {
    InstalmentOut {
        seq: i.seq,
        due_on: i.due_on,
        amount_fen: i.amount_fen,
        paid_on: i.paid_on,
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
    command: impl Command<Params = Option<NaiveDate>>,
) -> Result<InstalmentOut, AppError> {
    let txn = begin_write(db).await?;
    let loaded = pipeline::load_for_update(&txn, user, case_id).await?;
    loaded.require_works_the_case()?;
    let case = &loaded.case;
    let agreement = current_agreement(&txn, case.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let instalment = agreement_instalments::Entity::find()
        .filter(agreement_instalments::Column::AgreementId.eq(agreement.id))
        .filter(agreement_instalments::Column::Seq.eq(seq))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let paid_on = command.params()?;
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
            kind: EventKind::InstalmentPaid,
            actor_user_id: Some(user.id),
            at: Utc::now(),
            from: Some(json!({"seq": seq, "paid_on": instalment.paid_on})),
            to: Some(json!({"seq": seq, "paid_on": paid_on, "amount_fen": instalment.amount_fen})),
            note: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(instalment_out(updated))
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
    command: impl Command<Params = ConfirmationInput>,
) -> Result<AgreementOut, AppError> {
    let txn = begin_write(db).await?;
    let loaded = pipeline::load_for_update(&txn, user, case_id).await?;
    loaded.require_works_the_case()?;
    let case = &loaded.case;
    let agreement = current_agreement(&txn, case.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ConfirmationInput {
        applied_on,
        received_on,
        note,
    } = command.params()?;
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
        kind: EventKind::JudicialConfirmation,
        actor_user_id: Some(user.id),
        at: Utc::now(),
        from: None,
        to: Some(json!({"applied_on": updated.confirmation_applied_on, "received_on": updated.confirmation_received_on})),
        note,
    })
    .await?;
    let instalments = agreement_instalments::Entity::find()
        .filter(agreement_instalments::Column::AgreementId.eq(updated.id))
        .order_by_asc(agreement_instalments::Column::Seq)
        .all(&txn)
        .await?
        .into_iter()
        .map(instalment_out)
        .collect();
    let cal = calendar::load(&txn).await?;
    txn.commit().await?;
    Ok(view::agreement_out(updated, instalments, tz, &cal))
}

/// Records a follow-up visit (回访). A breached agreement (`fulfilled: false`) is flagged on the
/// case page so that a coordinator can reopen it.
///
/// # Errors
/// 404, 403, 422 (no agreement on file, a visit before signing or in the future, satisfaction
/// outside 1–5).
pub async fn record_follow_up(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    case_id: i64,
    command: impl Command<Params = FollowUpInput>,
) -> Result<FollowUpOut, AppError> {
    let txn = begin_write(db).await?;
    let loaded = pipeline::load_for_update(&txn, user, case_id).await?;
    loaded.require_works_the_case()?;
    let input = command.params()?;
    let case = &loaded.case;
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
    if !matches!(status_of(case)?, Status::Agreed | Status::Closed) {
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
            kind: EventKind::FollowUp,
            actor_user_id: Some(user.id),
            at: input.done_at,
            from: None,
            to: Some(json!({"satisfaction": input.satisfaction, "fulfilled": input.fulfilled})),
            note: Some(follow_up.result.clone()),
        },
    )
    .await?;
    // A visit on or after the last due day settles the follow-up.
    super::follow_ups_due::refresh(&txn, tz, case.id).await?;
    txn.commit().await?;
    Ok(FollowUpOut {
        id: follow_up.id,
        done_at: follow_up.done_at,
        result: follow_up.result,
        satisfaction: follow_up.satisfaction,
        fulfilled: follow_up.fulfilled,
    })
}
