//! The workflow actions of DESIGN §3 on one case, through the case pipeline
//! ([`super::pipeline`]): checked in the order the API promises (out of scope 404, role 403, stale
//! version 409, parameters and transition 422), the team and unit rules asked of `domain::team`,
//! then applied with the case row, its side rows, its event and its notifications in one
//! transaction, answering with the case as it now stands.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::{case_assignments, case_invited_units, cases, mediators, units};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde_json::{json, Value};

use super::pipeline::{self, team_refusal, Command};
use super::view::CaseOut;
use super::{grade_of, record_event, refusal, NewEvent};
use crate::db::begin_write;
use crate::domain::case_terms::{Grade, GradeSource, TeamRole};
use crate::domain::clocks::{self, Calendar};
use crate::domain::team::{self, TeamChange, UnitFacts};
use crate::domain::workflow::{Action, Outcome, Status};
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;
use crate::services::calendar;

/// The parameters of each action (DESIGN §3, exact names in the API).
#[derive(Clone, Debug)]
pub enum Params {
    Accept {
        lead_mediator_id: i64,
    },
    Assign {
        mediator_id: i64,
        role: TeamRole,
    },
    Unassign {
        mediator_id: i64,
    },
    Escalate {
        reason: String,
    },
    Refer {
        unit_id: i64,
        reason: Option<String>,
    },
    Invite {
        unit_ids: Vec<i64>,
    },
    Close {
        outcome: Outcome,
        reason: Option<String>,
    },
    Regrade {
        grade: Grade,
        reason: String,
    },
    ConfirmGrade,
    Extend {
        days: u32,
        reason: String,
    },
    Reopen {
        reason: String,
    },
}

/// The parameters of an action with its common fields, once checked.
#[derive(Clone, Debug)]
pub struct ActionParams {
    pub params: Params,
    /// When it really happened (records entered after the fact); default now.
    pub at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

/// An action as requested, read by [`run`] step by step (see [`Command`]): the action and, for a
/// `close`, its outcome are needed for the role check, before anything else is read.
pub trait ActionCommand: Command<Params = ActionParams> {
    /// The action, or 422 naming `action` when it is missing or unknown (after the scope check).
    ///
    /// # Errors
    /// 422.
    fn action(&self) -> Result<Action, AppError>;
    /// The outcome of a `close`, when readable (who may close depends on it).
    fn outcome(&self) -> Option<Outcome>;
}

/// One action with its parameters already typed (the demo street, the CLI): a [`Command`] whose
/// parameter errors, if any, are reported where the pipeline reads them.
pub struct ActionRequest {
    pub action: Action,
    /// The version the user saw; missing is a 422 naming `version`, after the role check.
    pub version: Option<i32>,
    pub at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub params: Result<Params, AppError>,
    /// The outcome of a `close`, known even when other parameters are wrong (for the role check).
    pub outcome: Option<Outcome>,
}

impl Command for ActionRequest {
    type Params = ActionParams;

    fn version(&self) -> Option<i32> {
        self.version
    }

    fn params(self) -> Result<ActionParams, AppError> {
        Ok(ActionParams {
            params: self.params?,
            at: self.at,
            note: self.note,
        })
    }
}

impl ActionCommand for ActionRequest {
    fn action(&self) -> Result<Action, AppError> {
        Ok(self.action)
    }

    fn outcome(&self) -> Option<Outcome> {
        self.outcome
    }
}

/// Applies one action and answers with the case as it now stands.
///
/// # Errors
/// 404 out of scope; 403 the role may not; 409 stale version (nothing written); 422 an unknown
/// action, invalid parameters or a transition the table does not allow now, with the reason in
/// words.
pub async fn run(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    case_id: i64,
    command: impl ActionCommand,
) -> Result<CaseOut, AppError> {
    execute(db, tz, user, case_id, command)
        .await
        .map(|(_, out)| out)
}

/// [`run`] for callers that go on working with the row (the demo street).
///
/// # Errors
/// As [`run`].
pub async fn act(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    case_id: i64,
    req: ActionRequest,
) -> Result<cases::Model, AppError> {
    execute(db, tz, user, case_id, req)
        .await
        .map(|(case, _)| case)
}

async fn execute(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    case_id: i64,
    command: impl ActionCommand,
) -> Result<(cases::Model, CaseOut), AppError> {
    let txn = begin_write(db).await?;
    // 1. Scope (404), even for an unknown action.
    let loaded = pipeline::load_for_update(&txn, user, case_id).await?;
    let action = command.action()?;
    // 2. Role (403).
    let facts = loaded.facts(&txn).await?;
    let decision = loaded.decide(&facts, action, command.outcome())?;
    // 3. Version (409).
    pipeline::require_version(&loaded, command.version())?;
    // 4. Parameters and transition (422).
    let ActionParams { params, at, note } = command.params()?;
    let case = &loaded.case;
    let now = Utc::now();
    let at = at.unwrap_or(now);
    if at > now {
        return Err(AppError::field("at", Message::key("err-in-future")));
    }
    if at < case.received_at {
        return Err(AppError::field("at", Message::key("err-before-receipt")));
    }
    let new_status = decision.map_err(refusal)?;
    let members = loaded.members();
    let mut calendar: Option<Calendar> = None;

    let mut change = Change::new(case, new_status);
    let mut after: Vec<TeamChange> = Vec::new();
    let mut invites: Vec<i64> = Vec::new();
    let mut event_note = note;
    match params {
        Params::Accept { lead_mediator_id } => {
            let m = active_mediator(&txn, lead_mediator_id, "lead_mediator_id").await?;
            after.extend(team::plan_accept(m.id));
            change.to.insert("lead_mediator_id".into(), json!(m.id));
        }
        Params::Assign { mediator_id, role } => {
            let m = active_mediator(&txn, mediator_id, "mediator_id").await?;
            let plan = team::plan_assign(&members, m.id, role)
                .map_err(|r| team_refusal("mediator_id", r))?;
            if let Some(old) = plan.replaced_lead {
                change.from.insert("lead_mediator_id".into(), json!(old));
            }
            after.extend(plan.changes);
            change.to.insert("mediator_id".into(), json!(m.id));
            change.to.insert("role".into(), json!(role.as_str()));
        }
        Params::Unassign { mediator_id } => {
            after.extend(
                team::plan_unassign(&members, mediator_id)
                    .map_err(|r| team_refusal("mediator_id", r))?,
            );
            change.from.insert("mediator_id".into(), json!(mediator_id));
        }
        Params::Escalate { reason } => {
            change.unit(case, case.hub_id);
            after.extend(team::plan_escalate(&members));
            event_note = Some(reason);
        }
        Params::Refer { unit_id, reason } => {
            let unit = unit_facts(&txn, unit_id).await?;
            team::check_refer(case.hub_id, unit).map_err(|r| team_refusal("unit_id", r))?;
            change.unit(case, unit_id);
            event_note = reason.or(event_note);
        }
        Params::Invite { unit_ids } => {
            let invited: Vec<i64> = case_invited_units::Entity::find()
                .filter(case_invited_units::Column::CaseId.eq(case.id))
                .all(&txn)
                .await?
                .into_iter()
                .map(|i| i.unit_id)
                .collect();
            let known: Vec<UnitFacts> = units::Entity::find()
                .filter(units::Column::Id.is_in(unit_ids.iter().copied()))
                .all(&txn)
                .await?
                .into_iter()
                .map(|u| UnitFacts {
                    id: u.id,
                    active: u.active,
                    parent_id: u.parent_id,
                })
                .collect();
            let asked: Vec<(i64, Option<UnitFacts>)> = unit_ids
                .iter()
                .map(|id| (*id, known.iter().find(|u| u.id == *id).copied()))
                .collect();
            team::check_invite(case.hub_id, case.current_unit_id, &invited, &asked)
                .map_err(|r| team_refusal("unit_ids", r))?;
            invites.clone_from(&unit_ids);
            change.to.insert("invited_unit_ids".into(), json!(unit_ids));
        }
        Params::Close { outcome, reason } => {
            change.set_outcome(Some(outcome), Some(at));
            if outcome == Outcome::Resolved
                && !grading_needs_confirmation(case)
                && !case.grade_confirmed
            {
                // Simple and ordinary grades are confirmed by a resolved close (DESIGN §3).
                change.confirm_grade(case);
            }
            if outcome != Outcome::Resolved {
                // The advice given with a failed or withdrawn close names the last day to apply
                // for arbitration, from the clocks (劳动争议调解仲裁法 art. 27).
                let cal = calendar::load(&txn).await?;
                let limitation = clocks::arbitration_limitation(
                    crate::domain::case_terms::DisputeType::from(case.dispute_type)
                        == crate::domain::case_terms::DisputeType::WageArrears,
                    case.received_at,
                    case.infringement_known_on,
                    case.employment_ended_on,
                    tz,
                    &cal,
                );
                change
                    .to
                    .insert("limitation_ends_on".into(), json!(limitation.last_day));
                change
                    .to
                    .insert("limitation_rule".into(), json!(limitation.rule.as_str()));
                calendar = Some(cal);
            }
            event_note = reason.or(event_note);
        }
        Params::Regrade { grade, reason } => {
            change.regrade(
                case,
                grade,
                user.is(crate::domain::role::Role::Coordinator),
                &reason,
            );
            event_note = Some(reason);
        }
        Params::ConfirmGrade => {
            if case.grade_confirmed {
                return Err(AppError::Refused(Message::key(
                    "err-grade-already-confirmed",
                )));
            }
            change.confirm_grade(case);
        }
        Params::Extend { days, reason } => {
            let cal = calendar::load(&txn).await?;
            let deadline =
                clocks::extend_deadline(case.deadline_at, days, tz, &cal).map_err(|_| {
                    AppError::field(
                        "days",
                        Message::with("err-range", &[("min", "1".into()), ("max", "15".into())]),
                    )
                })?;
            change
                .from
                .insert("deadline_at".into(), json!(case.deadline_at));
            change.to.insert("deadline_at".into(), json!(deadline));
            change.deadline_at = Some(deadline);
            calendar = Some(cal);
            event_note = Some(reason);
        }
        Params::Reopen { reason } => {
            change.set_outcome(None, None);
            change
                .from
                .insert("outcome".into(), json!(case.outcome.map(Outcome::from)));
            event_note = Some(reason);
        }
    }

    // 5. The case row first: if someone else changed it meanwhile, nothing else is written.
    let updated = change.write(&txn, tz, case).await?;
    for effect in after {
        apply_team_change(&txn, case.id, effect, at).await?;
    }
    for unit_id in invites {
        case_invited_units::ActiveModel {
            case_id: Set(case.id),
            unit_id: Set(unit_id),
            invited_at: Set(at),
        }
        .insert(&txn)
        .await?;
    }
    record_event(
        &txn,
        NewEvent {
            case_id: case.id,
            kind: action.into(),
            actor_user_id: Some(user.id),
            at,
            from: Some(Value::Object(change.from)),
            to: Some(Value::Object(change.to)),
            note: event_note,
        },
    )
    .await?;
    crate::services::notifications::on_case_action(
        &txn,
        case,
        &updated,
        action,
        &Value::Null,
        user,
    )
    .await?;
    if updated.status != case.status || updated.outcome != case.outcome {
        // Closing (failed or not) and reopening decide whether a follow-up is waited for.
        super::follow_ups_due::refresh(&txn, tz, case.id).await?;
    }
    let cal = match calendar {
        Some(cal) => cal,
        None => calendar::load(&txn).await?,
    };
    txn.commit().await?;
    tracing::info!(case_id = case.id, action = action.as_str(), "case action");
    let out = CaseOut::build(&updated, tz, &cal, Utc::now());
    Ok((updated, out))
}

async fn unit_facts(db: &impl ConnectionTrait, id: i64) -> Result<Option<UnitFacts>, AppError> {
    Ok(units::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|u| UnitFacts {
            id: u.id,
            active: u.active,
            parent_id: u.parent_id,
        }))
}

fn grading_needs_confirmation(case: &cases::Model) -> bool {
    crate::domain::grading::needs_confirmation_to_close(grade_of(case))
}

async fn active_mediator(
    db: &impl ConnectionTrait,
    id: i64,
    field: &str,
) -> Result<mediators::Model, AppError> {
    mediators::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|m| m.active)
        .ok_or_else(|| AppError::field(field, Message::key("err-mediator-not-found")))
}

/// The changes to the case row, and the from/to of its event.
struct Change {
    status: Status,
    current_unit_id: Option<i64>,
    outcome: Option<Option<String>>,
    closed_at: Option<Option<DateTime<Utc>>>,
    grade: Option<(Grade, GradeSource)>,
    grade_confirmed: Option<bool>,
    grade_reason: Option<String>,
    deadline_at: Option<DateTime<Utc>>,
    from: serde_json::Map<String, Value>,
    to: serde_json::Map<String, Value>,
}

impl Change {
    fn new(case: &cases::Model, status: Status) -> Change {
        let mut from = serde_json::Map::new();
        let mut to = serde_json::Map::new();
        if Status::from(case.status) != status {
            from.insert("status".into(), json!(Status::from(case.status)));
            to.insert("status".into(), json!(status.as_str()));
        }
        Change {
            status,
            current_unit_id: None,
            outcome: None,
            closed_at: None,
            grade: None,
            grade_confirmed: None,
            grade_reason: None,
            deadline_at: None,
            from,
            to,
        }
    }

    fn unit(&mut self, case: &cases::Model, unit_id: i64) {
        self.current_unit_id = Some(unit_id);
        self.from
            .insert("unit_id".into(), json!(case.current_unit_id));
        self.to.insert("unit_id".into(), json!(unit_id));
    }

    fn set_outcome(&mut self, outcome: Option<Outcome>, closed_at: Option<DateTime<Utc>>) {
        self.outcome = Some(outcome.map(|o| o.as_str().to_owned()));
        self.closed_at = Some(closed_at);
        if let Some(o) = outcome {
            self.to.insert("outcome".into(), json!(o.as_str()));
        }
    }

    fn confirm_grade(&mut self, case: &cases::Model) {
        self.grade_confirmed = Some(true);
        self.from
            .insert("grade_confirmed".into(), json!(case.grade_confirmed));
        self.to.insert("grade_confirmed".into(), json!(true));
    }

    /// A manual grade wins over the rules. A coordinator's regrade is itself a confirmation; a
    /// lead's waits for the coordinator's.
    fn regrade(&mut self, case: &cases::Model, grade: Grade, by_coordinator: bool, reason: &str) {
        self.grade = Some((grade, GradeSource::Manual));
        self.grade_confirmed = Some(by_coordinator);
        self.grade_reason = Some(reason.to_owned());
        self.from
            .insert("grade".into(), json!(Grade::from(case.grade)));
        self.to.insert("grade".into(), json!(grade.as_str()));
        self.to
            .insert("grade_confirmed".into(), json!(by_coordinator));
    }

    async fn write(
        &self,
        db: &impl ConnectionTrait,
        tz: Tz,
        case: &cases::Model,
    ) -> Result<cases::Model, AppError> {
        let mut update = cases::Entity::update_many()
            .col_expr(cases::Column::Status, Expr::value(self.status.as_str()));
        if let Some(unit_id) = self.current_unit_id {
            update = update.col_expr(cases::Column::CurrentUnitId, Expr::value(unit_id));
        }
        if let Some(outcome) = &self.outcome {
            update = update.col_expr(cases::Column::Outcome, Expr::value(outcome.clone()));
        }
        if let Some(closed_at) = self.closed_at {
            update = update.col_expr(cases::Column::ClosedAt, Expr::value(closed_at));
        }
        if let Some((grade, source)) = self.grade {
            update = update
                .col_expr(cases::Column::Grade, Expr::value(grade.as_str()))
                .col_expr(
                    cases::Column::GradeSource,
                    Expr::value(entity::terms::GradeSource::from(source)),
                );
        }
        if let Some(confirmed) = self.grade_confirmed {
            update = update.col_expr(cases::Column::GradeConfirmed, Expr::value(confirmed));
        }
        if let Some(reason) = &self.grade_reason {
            update = update.col_expr(cases::Column::GradeReason, Expr::value(reason.clone()));
        }
        if let Some(deadline) = self.deadline_at {
            update = update.col_expr(cases::Column::DeadlineAt, Expr::value(deadline));
        }
        pipeline::update_case(db, tz, case, update).await
    }
}

/// Writes one change of the team planned by `domain::team`, at the action's `at`.
///
/// # Errors
/// Database failures.
pub(super) async fn apply_team_change(
    db: &impl ConnectionTrait,
    case_id: i64,
    change: TeamChange,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    match change {
        TeamChange::Join { mediator_id, role } => {
            case_assignments::ActiveModel {
                case_id: Set(case_id),
                mediator_id: Set(mediator_id),
                role: Set(role.into()),
                assigned_at: Set(at),
                ended_at: Set(None),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        TeamChange::Leave { assignment_id } => {
            case_assignments::Entity::update_many()
                .col_expr(case_assignments::Column::EndedAt, Expr::value(Some(at)))
                .filter(case_assignments::Column::Id.eq(assignment_id))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}
