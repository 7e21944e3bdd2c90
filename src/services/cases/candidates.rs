//! The ranked mediators a coordinator is offered when accepting or assigning (rules in
//! `domain::assignment`), with their current open cases counted from the database.

use std::collections::{HashMap, HashSet};

use entity::{case_assignments, cases, mediators, units};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;

use super::{active_team, find_visible, grade_of, lead_of};
use crate::domain::assignment::{self, Candidate, CaseNeeds, Reason};
use crate::domain::workflow::Status;
use crate::error::AppError;
use crate::services::auth::CurrentUser;
use crate::services::mediators::specialties;
use crate::services::mentorships;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Suggestion {
    pub mediator_id: i64,
    pub name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub score: i64,
    pub open_cases: i64,
    pub max_open_cases: i64,
    /// Why: `specialty`, `same_unit`, `experienced`, `full`, and for complex and major cases
    /// `apprentice_of_lead` / `apprentice_of_team` (an active apprentice whose mentor is on the team).
    pub reasons: Vec<String>,
}

/// Open cases per mediator: active assignments on cases that are not closed.
///
/// # Errors
/// Database failures.
pub async fn open_cases_by_mediator(
    db: &impl ConnectionTrait,
) -> Result<HashMap<i64, i64>, AppError> {
    let open = [
        Status::Registered,
        Status::Accepted,
        Status::Mediating,
        Status::Agreed,
    ]
    .map(|s| s.as_str());
    let rows: Vec<(i64, i64)> = case_assignments::Entity::find()
        .select_only()
        .column(case_assignments::Column::MediatorId)
        .column_as(case_assignments::Column::Id.count(), "open")
        .filter(case_assignments::Column::EndedAt.is_null())
        .filter(
            case_assignments::Column::CaseId.in_subquery(
                Query::select()
                    .column(cases::Column::Id)
                    .from(cases::Entity)
                    .and_where(Expr::col(cases::Column::Status).is_in(open))
                    .to_owned(),
            ),
        )
        .group_by(case_assignments::Column::MediatorId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Every active mediator, best suggestion first, for the case `case_id`.
///
/// # Errors
/// 404 out of scope.
pub async fn suggest(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    case_id: i64,
) -> Result<Vec<Suggestion>, AppError> {
    let case = find_visible(db, user, case_id).await?;
    let team = active_team(db, case.id).await?;
    suggest_for(db, &case, &team).await
}

/// [`suggest`] for a case already read with its team.
///
/// # Errors
/// Database failures.
pub async fn suggest_for(
    db: &impl ConnectionTrait,
    case: &cases::Model,
    team: &[case_assignments::Model],
) -> Result<Vec<Suggestion>, AppError> {
    let open = open_cases_by_mediator(db).await?;
    let on_team: HashSet<i64> = team.iter().map(|a| a.mediator_id).collect();
    let lead_id = lead_of(team).map(|a| a.mediator_id);
    let mentor_of = mentorships::active_mentor_of(db).await?;
    let all = mediators::Entity::find()
        .filter(mediators::Column::Active.eq(true))
        .all(db)
        .await?;
    let unit_names: HashMap<i64, String> = units::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let candidates: Vec<Candidate> = all
        .iter()
        .map(|m| Candidate {
            mediator_id: m.id,
            unit_id: m.unit_id,
            specialties: specialties(m),
            open_cases: open.get(&m.id).copied().unwrap_or(0),
            max_open_cases: i64::from(m.max_open_cases),
            gold_medal: m.gold_medal,
            is_mentor: m.is_mentor,
            mentor_id: mentor_of.get(&m.id).copied(),
            mentor_on_team: mentor_of
                .get(&m.id)
                .is_some_and(|mentor| on_team.contains(mentor)),
            on_team: on_team.contains(&m.id),
        })
        .collect();
    let needs = CaseNeeds {
        dispute_type: case.dispute_type.into(),
        unit_id: case.current_unit_id,
        grade: grade_of(case),
        lead_id,
    };
    let by_id: HashMap<i64, &mediators::Model> = all.iter().map(|m| (m.id, m)).collect();
    Ok(assignment::rank(&needs, &candidates)
        .into_iter()
        .filter_map(|r| {
            let m = by_id.get(&r.mediator_id)?;
            let (open_cases, max_open_cases) = r
                .reasons
                .iter()
                .find_map(|reason| match reason {
                    Reason::Load { open, max } => Some((*open, *max)),
                    _ => None,
                })
                .unwrap_or((0, i64::from(m.max_open_cases)));
            Some(Suggestion {
                mediator_id: m.id,
                name: m.name.clone(),
                unit_id: m.unit_id,
                unit_name: unit_names.get(&m.unit_id).cloned().unwrap_or_default(),
                score: r.score,
                open_cases,
                max_open_cases,
                reasons: r
                    .reasons
                    .iter()
                    .filter_map(|reason| match reason {
                        Reason::Specialty => Some("specialty"),
                        Reason::SameUnit => Some("same_unit"),
                        Reason::Experienced => Some("experienced"),
                        Reason::Full => Some("full"),
                        Reason::ApprenticeOfLead => Some("apprentice_of_lead"),
                        Reason::ApprenticeOfTeam => Some("apprentice_of_team"),
                        Reason::Load { .. } => None,
                    })
                    .map(str::to_owned)
                    .collect(),
            })
        })
        .collect())
}
