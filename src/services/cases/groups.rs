//! Groups of related cases (same respondent, same claim). A group of 10 or more workers is a
//! collective dispute and can name worker representatives (劳动争议调解仲裁法 art. 7).

use chrono::Utc;
use entity::{case_groups, cases};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{find_visible, record_event, visible_condition, NewEvent};
use crate::db::begin_write;
use crate::domain::case_terms::is_collective;
use crate::domain::role::Role;
use crate::domain::workflow::EventKind;
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GroupCase {
    pub id: i64,
    pub case_no: String,
    pub status: String,
    pub people_involved: i32,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GroupOut {
    pub id: i64,
    pub name: String,
    pub respondent: String,
    pub claim: String,
    /// Workers involved across all the group's cases.
    pub workers: i64,
    /// 10 or more workers: a collective dispute.
    pub collective: bool,
    pub representatives: Vec<String>,
    /// The group's cases the signed-in user may see.
    pub cases: Vec<GroupCase>,
}

/// Who may link cases: the coordination centre and mediators (each only for cases they can see).
const LINKERS: [Role; 2] = [Role::Coordinator, Role::Mediator];

/// # Errors
/// 404 when there is no such group or none of its cases is visible to the user.
pub async fn get(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    id: i64,
) -> Result<GroupOut, AppError> {
    let group = case_groups::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let all = cases::Entity::find()
        .filter(cases::Column::GroupId.eq(id))
        .order_by_asc(cases::Column::Id)
        .all(db)
        .await?;
    let visible: Vec<i64> = cases::Entity::find()
        .filter(cases::Column::GroupId.eq(id))
        .filter(visible_condition(user))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    if visible.is_empty() && !all.is_empty() {
        return Err(AppError::NotFound);
    }
    let workers: i64 = all.iter().map(|c| i64::from(c.people_involved)).sum();
    Ok(GroupOut {
        id: group.id,
        name: group.name,
        respondent: group.respondent,
        claim: group.claim,
        workers,
        collective: is_collective(workers),
        representatives: serde_json::from_str(&group.representatives).unwrap_or_default(),
        cases: all
            .into_iter()
            .filter(|c| visible.contains(&c.id))
            .map(|c| GroupCase {
                id: c.id,
                case_no: c.case_no,
                status: crate::domain::workflow::Status::from(c.status)
                    .as_str()
                    .to_owned(),
                people_involved: c.people_involved,
            })
            .collect(),
    })
}

/// Creates a group around one case.
///
/// # Errors
/// 404 out of scope, 403 for roles that do not link cases, 422 for an empty name or respondent.
pub async fn create(
    db: &DatabaseConnection,
    user: &CurrentUser,
    case_id: i64,
    name: String,
    respondent: String,
    claim: String,
) -> Result<GroupOut, AppError> {
    let txn = begin_write(db).await?;
    let case = find_visible(&txn, user, case_id).await?;
    user.require(&LINKERS)?;
    let group = case_groups::ActiveModel {
        name: Set(name),
        respondent: Set(respondent),
        claim: Set(claim),
        representatives: Set("[]".to_owned()),
        created_by: Set(user.id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    set_group(&txn, user, &case, Some(group.id)).await?;
    txn.commit().await?;
    get(db, user, group.id).await
}

/// Puts a case (by number) into a group, or takes it out (`None`).
///
/// # Errors
/// 404 for a case or group the user cannot see, 403 for roles that do not link cases.
pub async fn link(
    db: &DatabaseConnection,
    user: &CurrentUser,
    case_no: &str,
    group_id: Option<i64>,
) -> Result<(), AppError> {
    user.require(&LINKERS)?;
    let txn = begin_write(db).await?;
    let case = cases::Entity::find()
        .filter(cases::Column::CaseNo.eq(case_no.trim().to_uppercase()))
        .filter(visible_condition(user))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::field("case_no", Message::key("err-group-case-not-found")))?;
    if let Some(id) = group_id {
        case_groups::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    set_group(&txn, user, &case, group_id).await?;
    txn.commit().await?;
    Ok(())
}

async fn set_group(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    case: &cases::Model,
    group_id: Option<i64>,
) -> Result<(), AppError> {
    cases::Entity::update_many()
        .col_expr(cases::Column::GroupId, Expr::value(group_id))
        .col_expr(cases::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(cases::Column::Id.eq(case.id))
        .exec(db)
        .await?;
    record_event(
        db,
        NewEvent {
            case_id: case.id,
            kind: EventKind::Group,
            actor_user_id: Some(user.id),
            at: Utc::now(),
            from: Some(json!({"group_id": case.group_id})),
            to: Some(json!({"group_id": group_id})),
            note: None,
        },
    )
    .await
}

/// Names the worker representatives of a collective dispute.
///
/// # Errors
/// 404, 403, 422 when the group has fewer than 10 workers.
pub async fn set_representatives(
    db: &DatabaseConnection,
    user: &CurrentUser,
    group_id: i64,
    names: Vec<String>,
) -> Result<GroupOut, AppError> {
    user.require(&LINKERS)?;
    let current = get(db, user, group_id).await?;
    if !current.collective && !names.is_empty() {
        return Err(AppError::field(
            "representatives",
            Message::key("err-group-representatives-need-collective"),
        ));
    }
    let txn = begin_write(db).await?;
    let group = case_groups::Entity::find_by_id(group_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut active: case_groups::ActiveModel = group.into();
    active.representatives = Set(serde_json::to_string(&names).unwrap_or_else(|_| "[]".into()));
    active.update(&txn).await?;
    txn.commit().await?;
    get(db, user, group_id).await
}
