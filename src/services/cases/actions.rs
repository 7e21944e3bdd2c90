//! The workflow actions of DESIGN §3 on one case: checked in the order the API promises (out of
//! scope 404, role 403, stale version 409, parameters and transition 422), then applied with the
//! case row, its side rows and its event in one transaction.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::{case_assignments, case_invited_units, cases, mediators, units};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde_json::{json, Value};

use super::{
    active_team, actor_facts, case_facts, find_visible, grade_of, lead_of, record_event, refusal,
    NewEvent,
};
use crate::db::begin_write;
use crate::domain::case_terms::{Grade, TeamRole};
use crate::domain::clocks;
use crate::domain::workflow::{decide, Action, Outcome, Refusal, Status};
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

/// One action as requested. `params` holds the parameter errors, if any, so that they are
/// reported only after the scope, role and version checks.
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

/// Applies one action.
///
/// # Errors
/// 404 out of scope; 403 the role may not; 409 stale version (nothing written); 422 invalid
/// parameters or a transition the table does not allow now, with the reason in words.
pub async fn act(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    case_id: i64,
    req: ActionRequest,
) -> Result<cases::Model, AppError> {
    let txn = begin_write(db).await?;
    let case = find_visible(&txn, user, case_id).await?;
    let team = active_team(&txn, case.id).await?;
    let facts = case_facts(&txn, &case, &team).await?;
    let actor = actor_facts(user, &case, &team);
    let decision = decide(&facts, &actor, req.action, req.outcome);
    if let Err(r @ Refusal::RoleMayNot(_)) = decision {
        return Err(refusal(r));
    }
    let version = req
        .version
        .ok_or_else(|| AppError::field("version", Message::key("err-required")))?;
    if version != case.version {
        return Err(AppError::Conflict(Message::key("err-stale-version")));
    }
    let params = req.params?;
    let now = Utc::now();
    let at = req.at.unwrap_or(now);
    if at > now {
        return Err(AppError::field("at", Message::key("err-in-future")));
    }
    if at < case.received_at {
        return Err(AppError::field("at", Message::key("err-before-receipt")));
    }
    let new_status = decision.map_err(refusal)?;

    let mut change = Change::new(&case, new_status);
    let mut after: Vec<SideEffect> = Vec::new();
    let mut event_note = req.note.clone();
    match params {
        Params::Accept { lead_mediator_id } => {
            let m = active_mediator(&txn, lead_mediator_id, "lead_mediator_id").await?;
            after.push(SideEffect::Assign {
                mediator_id: m.id,
                role: TeamRole::Lead,
            });
            change.to.insert("lead_mediator_id".into(), json!(m.id));
        }
        Params::Assign { mediator_id, role } => {
            let m = active_mediator(&txn, mediator_id, "mediator_id").await?;
            if team
                .iter()
                .any(|a| a.mediator_id == m.id && a.role == role.as_str())
            {
                return Err(AppError::field(
                    "mediator_id",
                    Message::key("err-already-on-team"),
                ));
            }
            if let Some(existing) = team.iter().find(|a| a.mediator_id == m.id) {
                if existing.role == TeamRole::Lead.as_str() {
                    return Err(AppError::field(
                        "mediator_id",
                        Message::key("err-lead-needs-successor"),
                    ));
                }
                after.push(SideEffect::End {
                    assignment_id: existing.id,
                });
            }
            if role == TeamRole::Lead {
                if let Some(old) = lead_of(&team) {
                    after.push(SideEffect::End {
                        assignment_id: old.id,
                    });
                    after.push(SideEffect::Assign {
                        mediator_id: old.mediator_id,
                        role: TeamRole::Co,
                    });
                    change
                        .from
                        .insert("lead_mediator_id".into(), json!(old.mediator_id));
                }
            }
            after.push(SideEffect::Assign {
                mediator_id: m.id,
                role,
            });
            change.to.insert("mediator_id".into(), json!(m.id));
            change.to.insert("role".into(), json!(role.as_str()));
        }
        Params::Unassign { mediator_id } => {
            let a = team
                .iter()
                .find(|a| a.mediator_id == mediator_id)
                .ok_or_else(|| AppError::field("mediator_id", Message::key("err-not-on-team")))?;
            if a.role == TeamRole::Lead.as_str() {
                return Err(AppError::field(
                    "mediator_id",
                    Message::key("err-cannot-unassign-lead"),
                ));
            }
            after.push(SideEffect::End {
                assignment_id: a.id,
            });
            change.from.insert("mediator_id".into(), json!(mediator_id));
        }
        Params::Escalate { reason } => {
            let hub_id = case.hub_id;
            change.unit(&case, hub_id);
            for a in &team {
                after.push(SideEffect::End {
                    assignment_id: a.id,
                });
            }
            event_note = Some(reason);
        }
        Params::Refer { unit_id, reason } => {
            let unit = units::Entity::find_by_id(unit_id)
                .one(&txn)
                .await?
                .filter(|u| u.active && u.parent_id == Some(case.hub_id))
                .ok_or_else(|| {
                    AppError::field("unit_id", Message::key("err-refer-outside-street"))
                })?;
            change.unit(&case, unit.id);
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
            for unit_id in &unit_ids {
                let ok = units::Entity::find_by_id(*unit_id)
                    .one(&txn)
                    .await?
                    .is_some_and(|u| {
                        u.active && (u.parent_id == Some(case.hub_id) || u.id == case.hub_id)
                    });
                if !ok {
                    return Err(AppError::field(
                        "unit_ids",
                        Message::key("err-refer-outside-street"),
                    ));
                }
                if *unit_id == case.current_unit_id || invited.contains(unit_id) {
                    return Err(AppError::field(
                        "unit_ids",
                        Message::key("err-already-invited"),
                    ));
                }
                after.push(SideEffect::Invite { unit_id: *unit_id });
            }
            change.to.insert("invited_unit_ids".into(), json!(unit_ids));
        }
        Params::Close { outcome, reason } => {
            change.set_outcome(Some(outcome), Some(at));
            if outcome == Outcome::Resolved
                && !grading_needs_confirmation(&case)
                && !case.grade_confirmed
            {
                // Simple and ordinary grades are confirmed by a resolved close (DESIGN §3).
                change.confirm_grade(&case);
            }
            if outcome != Outcome::Resolved {
                // The advice given with a failed or withdrawn close names the last day to apply
                // for arbitration, from the clocks (劳动争议调解仲裁法 art. 27).
                let cal = calendar::load(&txn).await?;
                let limitation = clocks::arbitration_limitation(
                    case.dispute_type
                        == crate::domain::case_terms::DisputeType::WageArrears.as_str(),
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
            }
            event_note = reason.or(event_note);
        }
        Params::Regrade { grade, reason } => {
            change.regrade(
                &case,
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
            change.confirm_grade(&case);
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
            event_note = Some(reason);
        }
        Params::Reopen { reason } => {
            change.set_outcome(None, None);
            change.from.insert("outcome".into(), json!(case.outcome));
            event_note = Some(reason);
        }
    }

    // The case row first: if someone else changed it meanwhile, nothing else is written.
    let updated = change.write(&txn, &case).await?;
    for effect in after {
        effect.apply(&txn, case.id, at).await?;
    }
    record_event(
        &txn,
        NewEvent {
            case_id: case.id,
            kind: req.action.as_str(),
            actor_user_id: Some(user.id),
            at,
            from: Some(Value::Object(change.from)),
            to: Some(Value::Object(change.to)),
            note: event_note,
        },
    )
    .await?;
    crate::mail::outbox::on_case_action(&txn, &case, &updated, req.action, &Value::Null, user)
        .await?;
    txn.commit().await?;
    tracing::info!(
        case_id = case.id,
        action = req.action.as_str(),
        "case action"
    );
    Ok(updated)
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
    grade: Option<(Grade, &'static str)>,
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
        self.grade = Some((grade, "manual"));
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
        case: &cases::Model,
    ) -> Result<cases::Model, AppError> {
        let mut update = cases::Entity::update_many()
            .col_expr(cases::Column::Status, Expr::value(self.status.as_str()))
            .col_expr(cases::Column::Version, Expr::value(case.version + 1))
            .col_expr(cases::Column::UpdatedAt, Expr::value(Utc::now()));
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
                .col_expr(cases::Column::GradeSource, Expr::value(source));
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
        let result = update
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
}

/// Rows besides the case row that an action writes.
enum SideEffect {
    Assign { mediator_id: i64, role: TeamRole },
    End { assignment_id: i64 },
    Invite { unit_id: i64 },
}

impl SideEffect {
    async fn apply(
        self,
        db: &impl ConnectionTrait,
        case_id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), AppError> {
        match self {
            SideEffect::Assign { mediator_id, role } => {
                case_assignments::ActiveModel {
                    case_id: Set(case_id),
                    mediator_id: Set(mediator_id),
                    role: Set(role.as_str().to_owned()),
                    assigned_at: Set(at),
                    ended_at: Set(None),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
            SideEffect::End { assignment_id } => {
                case_assignments::Entity::update_many()
                    .col_expr(case_assignments::Column::EndedAt, Expr::value(Some(at)))
                    .filter(case_assignments::Column::Id.eq(assignment_id))
                    .exec(db)
                    .await?;
            }
            SideEffect::Invite { unit_id } => {
                case_invited_units::ActiveModel {
                    case_id: Set(case_id),
                    unit_id: Set(unit_id),
                    invited_at: Set(at),
                }
                .insert(db)
                .await?;
            }
        }
        Ok(())
    }
}
