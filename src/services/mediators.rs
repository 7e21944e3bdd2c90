//! Mediators: list, show, create, edit, deactivate. Never deleted: cases and accounts point at them.

use chrono::{NaiveDate, Utc};
use entity::{mediators, units};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use super::{like_pattern, paging, versioned, Page, PageRequest};
use crate::db::begin_write;
use crate::domain::case_terms::DisputeType;
use crate::domain::network::{Background, Employment};
use crate::domain::role::Role;
use crate::error::{AppError, Message};
use crate::services::command::{Command, Patch};
use crate::services::{audit, auth::CurrentUser};

/// A mediator as the services answer with it (its row; the web masks the contact details).
pub use entity::mediators::Model as Mediator;

/// Who may create and edit mediators: admins, and the coordination centre that builds the teams.
pub const EDITORS: [Role; 2] = [Role::Admin, Role::Coordinator];

#[derive(Clone, Debug)]
pub struct MediatorInput {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub unit_id: i64,
    pub employment: Employment,
    pub background: Background,
    pub gold_medal: bool,
    pub gold_medal_since: Option<NaiveDate>,
    pub is_mentor: bool,
    pub years_experience: i32,
    pub specialties: Vec<DisputeType>,
    pub max_open_cases: i32,
    pub active: bool,
}

#[derive(Clone, Debug, Default)]
pub struct MediatorFilter {
    pub unit_id: Option<i64>,
    pub active: Option<bool>,
    pub gold_medal: Option<bool>,
    pub is_mentor: Option<bool>,
    pub q: Option<String>,
}

/// The specialties column holds a JSON array of dispute-type names.
pub fn specialties(m: &mediators::Model) -> Vec<DisputeType> {
    serde_json::from_str::<Vec<String>>(&m.specialties)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| DisputeType::parse(s))
        .collect()
}

fn specialties_json(list: &[DisputeType]) -> String {
    let names: Vec<&str> = list.iter().map(|d| d.as_str()).collect();
    serde_json::to_string(&names).unwrap_or_else(|_| "[]".to_owned())
}

/// # Errors
/// Database failures only.
pub async fn list(
    db: &DatabaseConnection,
    filter: &MediatorFilter,
    page: PageRequest,
) -> Result<Page<mediators::Model>, AppError> {
    let mut query = mediators::Entity::find();
    if let Some(unit_id) = filter.unit_id {
        query = query.filter(mediators::Column::UnitId.eq(unit_id));
    }
    if let Some(active) = filter.active {
        query = query.filter(mediators::Column::Active.eq(active));
    }
    if let Some(gold) = filter.gold_medal {
        query = query.filter(mediators::Column::GoldMedal.eq(gold));
    }
    if let Some(mentor) = filter.is_mentor {
        query = query.filter(mediators::Column::IsMentor.eq(mentor));
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        query = query.filter(Expr::col(mediators::Column::Name).like(like_pattern(q)));
    }
    paging::paginate(db, query, |q| q.order_by_asc(mediators::Column::Id), page).await
}

/// Every active mediator, for pickers.
///
/// # Errors
/// Database failures only.
pub async fn all_active(db: &impl ConnectionTrait) -> Result<Vec<mediators::Model>, AppError> {
    Ok(mediators::Entity::find()
        .filter(mediators::Column::Active.eq(true))
        .order_by_asc(mediators::Column::Name)
        .all(db)
        .await?)
}

/// # Errors
/// 404 when there is no such mediator.
pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<mediators::Model, AppError> {
    mediators::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// # Errors
/// 403 for roles other than admin and coordinator; 422 naming `unit_id` for a unit that does not
/// exist or is inactive.
pub async fn create(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    input: MediatorInput,
) -> Result<mediators::Model, AppError> {
    actor.require(&EDITORS)?;
    let txn = begin_write(db).await?;
    check_unit(&txn, input.unit_id, None).await?;
    let now = Utc::now();
    let mediator = mediators::ActiveModel {
        name: Set(input.name),
        phone: Set(input.phone),
        email: Set(input.email),
        unit_id: Set(input.unit_id),
        employment: Set(input.employment.into()),
        background: Set(input.background.into()),
        gold_medal: Set(input.gold_medal),
        gold_medal_since: Set(input.gold_medal_since.filter(|_| input.gold_medal)),
        is_mentor: Set(input.is_mentor),
        years_experience: Set(input.years_experience),
        specialties: Set(specialties_json(&input.specialties)),
        max_open_cases: Set(input.max_open_cases),
        active: Set(input.active),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(actor.id),
        "mediator.create",
        "mediator",
        Some(mediator.id),
        None,
    )
    .await?;
    txn.commit().await?;
    tracing::info!(mediator_id = mediator.id, "mediator created");
    Ok(mediator)
}

/// Changes a mediator's record the one way a change goes: the row (404), the role (403), the new
/// values read against it (422), the version (409), then the write and its audit line.
///
/// # Errors
/// As [`create`], plus 404 and 409 (stale `version`).
pub async fn update(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    command: impl Patch<mediators::Model, Params = MediatorInput>,
) -> Result<mediators::Model, AppError> {
    let txn = begin_write(db).await?;
    let current = get(&txn, id).await?;
    actor.require(&EDITORS)?;
    let seen = command.version();
    let input = command.params(&current)?;
    versioned::check(seen, current.version)?;
    check_unit(&txn, input.unit_id, Some(current.unit_id)).await?;
    let changes = mediators::ActiveModel {
        name: Set(input.name),
        phone: Set(input.phone),
        email: Set(input.email),
        unit_id: Set(input.unit_id),
        employment: Set(input.employment.into()),
        background: Set(input.background.into()),
        gold_medal: Set(input.gold_medal),
        gold_medal_since: Set(input.gold_medal_since.filter(|_| input.gold_medal)),
        is_mentor: Set(input.is_mentor),
        years_experience: Set(input.years_experience),
        specialties: Set(specialties_json(&input.specialties)),
        max_open_cases: Set(input.max_open_cases),
        active: Set(input.active),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    versioned::update(
        &txn,
        mediators::Entity::update_many().set(changes),
        (mediators::Column::Id, id),
        (mediators::Column::Version, current.version),
    )
    .await?;
    audit::record(
        &txn,
        Some(actor.id),
        "mediator.update",
        "mediator",
        Some(id),
        None,
    )
    .await?;
    let mediator = get(&txn, id).await?;
    txn.commit().await?;
    Ok(mediator)
}

/// Deactivates or reactivates a mediator; their past work stays on record.
///
/// # Errors
/// 403, 404, 409 (stale version).
pub async fn set_active(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    command: impl Command<Params = bool>,
) -> Result<mediators::Model, AppError> {
    actor.require(&EDITORS)?;
    let txn = begin_write(db).await?;
    let current = get(&txn, id).await?;
    versioned::check(command.version(), current.version)?;
    let active = command.params()?;
    versioned::update(
        &txn,
        mediators::Entity::update_many()
            .col_expr(mediators::Column::Active, Expr::value(active))
            .col_expr(mediators::Column::UpdatedAt, Expr::value(Utc::now())),
        (mediators::Column::Id, id),
        (mediators::Column::Version, current.version),
    )
    .await?;
    let action = if active {
        "mediator.activate"
    } else {
        "mediator.deactivate"
    };
    audit::record(&txn, Some(actor.id), action, "mediator", Some(id), None).await?;
    let mediator = get(&txn, id).await?;
    txn.commit().await?;
    Ok(mediator)
}

/// The unit must exist and be active, unless it is the one the mediator already belongs to.
async fn check_unit(
    db: &impl ConnectionTrait,
    unit_id: i64,
    current_unit_id: Option<i64>,
) -> Result<(), AppError> {
    match units::Entity::find_by_id(unit_id).one(db).await? {
        Some(unit) if unit.active || current_unit_id == Some(unit_id) => Ok(()),
        Some(_) => Err(AppError::field(
            "unit_id",
            Message::key("err-unit-inactive"),
        )),
        None => Err(AppError::field(
            "unit_id",
            Message::key("err-unit-not-found"),
        )),
    }
}
