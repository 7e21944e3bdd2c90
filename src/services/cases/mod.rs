//! Cases: intake, the scope each user sees, the workflow actions and the events they write.
//!
//! Scope lives here, once: [`visible_condition`] turns the signed-in user into the query
//! condition every list, detail and count goes through; [`actor_facts`] says how they stand to one
//! case for the workflow table of `domain::workflow`.

pub mod access_code;
pub mod actions;
pub mod attachments;
pub mod candidates;
pub mod edit;
pub mod follow_ups_due;
pub mod groups;
pub mod intake;
pub mod list;
pub mod name_search;
pub mod page;
pub mod pipeline;
pub mod receipt;
pub mod records;
pub mod view;

use chrono::{DateTime, Utc};
use entity::{case_assignments, case_events, case_invited_units, cases, units};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use serde_json::Value;

use crate::domain::case_terms::{Grade, TeamRole};
use crate::domain::network::UnitKind;
use crate::domain::role::Role;
use crate::domain::workflow::{ActorFacts, CaseFacts, EventKind, Status};
use crate::error::AppError;
use crate::services::auth::CurrentUser;

/// A workflow refusal as the API answers it: the role may never (403), an outcome is missing
/// (422 on `outcome`), or not now (422), in the table's own words.
pub fn refusal(r: crate::domain::workflow::Refusal) -> AppError {
    use crate::domain::workflow::Refusal;
    let m = r.message();
    let message = crate::error::Message::Text {
        zh: m.zh.clone(),
        en: m.en.clone(),
    };
    match r {
        Refusal::RoleMayNot(_) => AppError::Forbidden(message),
        Refusal::OutcomeRequired(_) => AppError::field("outcome", message),
        Refusal::NotNow(_) => AppError::Refused(message),
    }
}

/// The condition selecting the cases `user` may see. Coordinators, finance clerks, viewers and
/// admins see the whole street; a mediator sees the cases at or taken in by their unit, those
/// their unit was invited to, and those they are assigned to.
pub fn visible_condition(user: &CurrentUser) -> Condition {
    match user.role {
        Role::Coordinator | Role::Finance | Role::Viewer | Role::Admin => Condition::all(),
        Role::Mediator => {
            let mut any = Condition::any();
            if let Some(unit_id) = user.unit_id {
                any = any
                    .add(cases::Column::CurrentUnitId.eq(unit_id))
                    .add(cases::Column::IntakeUnitId.eq(unit_id))
                    .add(
                        cases::Column::Id.in_subquery(
                            Query::select()
                                .column(case_invited_units::Column::CaseId)
                                .from(case_invited_units::Entity)
                                .and_where(
                                    Expr::col(case_invited_units::Column::UnitId).eq(unit_id),
                                )
                                .to_owned(),
                        ),
                    );
            }
            if let Some(mediator_id) = user.mediator_id {
                any = any.add(
                    cases::Column::Id.in_subquery(
                        Query::select()
                            .column(case_assignments::Column::CaseId)
                            .from(case_assignments::Entity)
                            .and_where(
                                Expr::col(case_assignments::Column::MediatorId).eq(mediator_id),
                            )
                            .and_where(Expr::col(case_assignments::Column::EndedAt).is_null())
                            .to_owned(),
                    ),
                );
            }
            // A mediator account without unit or mediator record sees nothing.
            any.add(Expr::val(false))
        }
    }
}

/// Whether `user` sees every case of the street: [`visible_condition`] is `Condition::all()`.
pub fn sees_every_case(user: &CurrentUser) -> bool {
    matches!(
        user.role,
        Role::Coordinator | Role::Finance | Role::Viewer | Role::Admin
    )
}

/// A case the user may see, or 404 (a case out of scope is indistinguishable from none).
///
/// # Errors
/// 404.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    id: i64,
) -> Result<cases::Model, AppError> {
    cases::Entity::find_by_id(id)
        .filter(visible_condition(user))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The team as it stands (assignments not ended).
///
/// # Errors
/// Database failures.
pub async fn active_team(
    db: &impl ConnectionTrait,
    case_id: i64,
) -> Result<Vec<case_assignments::Model>, AppError> {
    Ok(case_assignments::Entity::find()
        .filter(case_assignments::Column::CaseId.eq(case_id))
        .filter(case_assignments::Column::EndedAt.is_null())
        .all(db)
        .await?)
}

pub fn lead_of(team: &[case_assignments::Model]) -> Option<&case_assignments::Model> {
    team.iter()
        .find(|a| TeamRole::from(a.role) == TeamRole::Lead)
}

/// The case's status (a row with an unknown one does not load: see `entity::terms`).
///
/// # Errors
/// None any more; the `Result` stays for the callers.
pub fn status_of(case: &cases::Model) -> Result<Status, AppError> {
    Ok(case.status.into())
}

pub fn grade_of(case: &cases::Model) -> Grade {
    case.grade.into()
}

/// What the workflow table needs to know about a case.
///
/// # Errors
/// Database failures.
pub async fn case_facts(
    db: &impl ConnectionTrait,
    case: &cases::Model,
    team: &[case_assignments::Model],
) -> Result<CaseFacts, AppError> {
    let unit = units::Entity::find_by_id(case.current_unit_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal(format!("case {} has no current unit", case.id)))?;
    let has_agreement = records::current_agreement(db, case.id).await?.is_some();
    Ok(facts_of(case, team, &unit, has_agreement))
}

/// [`case_facts`] from rows already read: the case's current unit, and whether an agreement is in
/// force.
pub fn facts_of(
    case: &cases::Model,
    team: &[case_assignments::Model],
    current_unit: &units::Model,
    has_agreement: bool,
) -> CaseFacts {
    CaseFacts {
        status: case.status.into(),
        at_street_hub: UnitKind::from(current_unit.kind) == UnitKind::StreetHub,
        has_lead: lead_of(team).is_some(),
        grade_needs_confirmation: crate::domain::grading::needs_confirmation_to_close(grade_of(
            case,
        )),
        grade_confirmed: case.grade_confirmed,
        has_agreement,
    }
}

/// How the user stands to the case, for the workflow table.
pub fn actor_facts(
    user: &CurrentUser,
    case: &cases::Model,
    team: &[case_assignments::Model],
) -> ActorFacts {
    let mine = |a: &&case_assignments::Model| Some(a.mediator_id) == user.mediator_id;
    let is_mediator = user.role == Role::Mediator;
    ActorFacts {
        role: user.role,
        at_current_unit: is_mediator && user.unit_id == Some(case.current_unit_id),
        is_assigned: is_mediator && team.iter().any(|a| mine(&a)),
        is_lead: is_mediator
            && lead_of(team).is_some_and(|a| Some(a.mediator_id) == user.mediator_id),
    }
}

/// One fact of a case's history, written in the caller's transaction.
pub struct NewEvent {
    pub case_id: i64,
    pub kind: EventKind,
    pub actor_user_id: Option<i64>,
    pub at: DateTime<Utc>,
    pub from: Option<Value>,
    pub to: Option<Value>,
    pub note: Option<String>,
}

/// # Errors
/// Database failures.
pub async fn record_event(db: &impl ConnectionTrait, event: NewEvent) -> Result<(), AppError> {
    case_events::ActiveModel {
        case_id: Set(event.case_id),
        kind: Set(event.kind.into()),
        actor_user_id: Set(event.actor_user_id),
        at: Set(event.at),
        recorded_at: Set(Utc::now()),
        from_state: Set(event.from.map(|v| v.to_string())),
        to_state: Set(event.to.map(|v| v.to_string())),
        note: Set(event.note),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The street hub a unit belongs to (itself for a hub).
///
/// # Errors
/// 422 naming `field` when the unit does not exist or is inactive.
pub async fn hub_of(
    db: &impl ConnectionTrait,
    unit_id: i64,
    field: &str,
) -> Result<(units::Model, units::Model), AppError> {
    use crate::error::Message;
    let unit = units::Entity::find_by_id(unit_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::field(field, Message::key("err-unit-not-found")))?;
    if !unit.active {
        return Err(AppError::field(field, Message::key("err-unit-inactive")));
    }
    if UnitKind::from(unit.kind) == UnitKind::StreetHub {
        return Ok((unit.clone(), unit));
    }
    let hub = match unit.parent_id {
        Some(p) => units::Entity::find_by_id(p).one(db).await?,
        None => None,
    }
    .ok_or_else(|| AppError::Internal(format!("unit {unit_id} has no street hub")))?;
    Ok((unit, hub))
}
