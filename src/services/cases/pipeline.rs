//! The one way a change to a case goes through (STYLE.md, "the way through"), shared by the
//! workflow actions, the records and the edit: [`load`] reads the case in the user's scope (404)
//! with its team and how the user stands to it; the service then checks the role (403), the
//! version (409, [`Loaded::check_version`]), reads the [`Command`]'s parameters and asks the
//! domain about the transition (422), and writes the change ([`update_case`]), its event and its
//! notifications in one transaction, answering with the new screen model. The actions answer in
//! exactly that order (DESIGN §3); the records read their fields before their version, and the
//! edit its fields before the role, as those endpoints have always answered.
use chrono::Utc;
use chrono_tz::Tz;
use entity::{case_assignments, cases};
use sea_orm::sea_query::{Expr, LockType};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, UpdateMany};

use super::{active_team, actor_facts, case_facts, find_visible, refusal, visible_condition};
use crate::domain::team::{self, Member};
use crate::domain::workflow::{decide, Action, ActorFacts, CaseFacts, Outcome, Refusal, Status};
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;
use crate::services::stats::counters;
use crate::services::versioned;

pub use crate::services::command::Command;

/// A case as the pipeline loaded it, with its team and how the user stands to it.
pub struct Loaded {
    pub case: cases::Model,
    pub team: Vec<case_assignments::Model>,
    pub actor: ActorFacts,
}

/// Step 1: the case in the user's scope (404 otherwise), its team, and the user's standing.
///
/// # Errors
/// 404; database failures.
pub async fn load(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    case_id: i64,
) -> Result<Loaded, AppError> {
    let case = find_visible(db, user, case_id).await?;
    let team = active_team(db, case.id).await?;
    let actor = actor_facts(user, &case, &team);
    Ok(Loaded { case, team, actor })
}

/// Step 1 of a change: as [`load`], in the change's transaction, with the case row locked until it
/// commits (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's writers already take turns). Two changes
/// to one case then queue instead of the second losing the version race with a 409: it reads the
/// case as the first left it. A version the user sent is still checked against that.
///
/// # Errors
/// 404; database failures.
pub async fn load_for_update(
    txn: &impl ConnectionTrait,
    user: &CurrentUser,
    case_id: i64,
) -> Result<Loaded, AppError> {
    let mut query = cases::Entity::find_by_id(case_id).filter(visible_condition(user));
    if txn.get_database_backend() == DbBackend::Postgres {
        query = query.lock(LockType::Update);
    }
    let case = query.one(txn).await?.ok_or(AppError::NotFound)?;
    let team = active_team(txn, case.id).await?;
    let actor = actor_facts(user, &case, &team);
    Ok(Loaded { case, team, actor })
}

impl Loaded {
    /// What the workflow table needs to know about the case.
    ///
    /// # Errors
    /// Database failures.
    pub async fn facts(&self, db: &impl ConnectionTrait) -> Result<CaseFacts, AppError> {
        case_facts(db, &self.case, &self.team).await
    }

    /// Step 2 for a workflow step: the table's decision, with "the role may never" answered now
    /// (403) and "not now" left for step 4.
    ///
    /// # Errors
    /// 403.
    pub fn decide(
        &self,
        facts: &CaseFacts,
        action: Action,
        outcome: Option<Outcome>,
    ) -> Result<Result<Status, Refusal>, AppError> {
        let decision = decide(facts, &self.actor, action, outcome);
        if let Err(r @ Refusal::RoleMayNot(_)) = decision {
            return Err(refusal(r));
        }
        Ok(decision)
    }

    /// Step 2 for a record that does not move the case: those who work it
    /// ([`team::works_the_case`]).
    ///
    /// # Errors
    /// 403.
    pub fn require_works_the_case(&self) -> Result<(), AppError> {
        if team::works_the_case(&self.actor) {
            Ok(())
        } else {
            Err(AppError::Forbidden(Message::key("err-role-may-not")))
        }
    }

    /// Step 3: the version the user saw, when they sent one, is the case's.
    ///
    /// # Errors
    /// 409.
    pub fn check_version(&self, seen: Option<i32>) -> Result<(), AppError> {
        versioned::check(seen, self.case.version)
    }

    /// The team as the domain's team rules read it.
    pub fn members(&self) -> Vec<Member> {
        self.team
            .iter()
            .map(|a| Member {
                assignment_id: a.id,
                mediator_id: a.mediator_id,
                role: a.role.into(),
            })
            .collect()
    }
}

/// Step 3 for commands that must carry the version they saw: a missing one is a 422 naming
/// `version`, a different one a 409.
///
/// # Errors
/// 422, 409.
pub fn require_version(loaded: &Loaded, seen: Option<i32>) -> Result<i32, AppError> {
    let seen = seen.ok_or_else(|| AppError::field("version", Message::key("err-required")))?;
    loaded.check_version(Some(seen))?;
    Ok(seen)
}

/// Step 5: writes `update` to the case row (with `updated_at`) only if nobody changed it since it
/// was loaded, moving its version on, reads the row back and moves the statistics counters from
/// the case as loaded to the case as written (nothing when no figure moved), all in the caller's
/// transaction.
///
/// # Errors
/// 409 when the case changed meanwhile (the caller's transaction writes nothing); database
/// failures.
pub async fn update_case(
    db: &impl ConnectionTrait,
    tz: Tz,
    case: &cases::Model,
    update: UpdateMany<cases::Entity>,
) -> Result<cases::Model, AppError> {
    versioned::update(
        db,
        update.col_expr(cases::Column::UpdatedAt, Expr::value(Utc::now())),
        (cases::Column::Id, case.id),
        (cases::Column::Version, case.version),
    )
    .await?;
    let updated = cases::Entity::find_by_id(case.id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    counters::apply(db, tz, Some(case), Some(&updated)).await?;
    Ok(updated)
}

/// A team refusal as the API answers it: 422 naming `field`.
pub fn team_refusal(field: &str, r: team::TeamRefusal) -> AppError {
    AppError::field(field, Message::key(r.key()))
}
