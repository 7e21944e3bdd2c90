//! Units of the network: list, show, create, edit, deactivate. Units are never deleted, because
//! cases and mediators point at them.

use chrono::Utc;
use entity::units;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use super::{like_pattern, paging, versioned, Page, PageRequest};
use crate::db::begin_write;
use crate::domain::network::{check_placement, Department, PlacementError, UnitKind};
use crate::domain::role::Role;
use crate::error::{AppError, FieldErrors, Message};
use crate::services::command::{Command, Patch};
use crate::services::{audit, auth::CurrentUser};

/// A unit as the services answer with it (its row: every column is the screen's).
pub use entity::units::Model as Unit;

/// A unit as the user typed it, after the field checks of the web layer.
#[derive(Clone, Debug)]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    pub department: Option<Department>,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// Inactive units stay on record but are not offered for new work.
    pub active: bool,
}

/// Filters of the unit list.
#[derive(Clone, Debug, Default)]
pub struct UnitFilter {
    pub kind: Option<UnitKind>,
    pub parent_id: Option<i64>,
    pub active: Option<bool>,
    pub q: Option<String>,
}

/// # Errors
/// Database failures only.
pub async fn list(
    db: &DatabaseConnection,
    filter: &UnitFilter,
    page: PageRequest,
) -> Result<Page<units::Model>, AppError> {
    let mut query = units::Entity::find();
    if let Some(kind) = filter.kind {
        query = query.filter(units::Column::Kind.eq(kind.as_str()));
    }
    if let Some(parent_id) = filter.parent_id {
        query = query.filter(units::Column::ParentId.eq(parent_id));
    }
    if let Some(active) = filter.active {
        query = query.filter(units::Column::Active.eq(active));
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let pattern = like_pattern(q);
        query = query.filter(
            Expr::col(units::Column::Name)
                .like(pattern.clone())
                .or(Expr::col(units::Column::Code).like(pattern)),
        );
    }
    paging::paginate(db, query, |q| q.order_by_asc(units::Column::Id), page).await
}

/// Every active unit, for pickers (a street has a few dozen).
///
/// # Errors
/// Database failures only.
pub async fn all_active(db: &impl ConnectionTrait) -> Result<Vec<units::Model>, AppError> {
    Ok(units::Entity::find()
        .filter(units::Column::Active.eq(true))
        .order_by_asc(units::Column::Id)
        .all(db)
        .await?)
}

/// Every unit's name by id (active or not), to name units in lists and timelines.
///
/// # Errors
/// Database failures only.
pub async fn names(
    db: &impl ConnectionTrait,
) -> Result<std::collections::BTreeMap<i64, String>, AppError> {
    Ok(units::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

/// # Errors
/// 404 when there is no such unit.
pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<units::Model, AppError> {
    units::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Creates a unit (admins only).
///
/// # Errors
/// 403 for other roles; 422 naming the field for a taken code, a missing or wrong parent, a
/// missing or unexpected department.
pub async fn create(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    input: UnitInput,
) -> Result<units::Model, AppError> {
    actor.require(&[Role::Admin])?;
    let txn = begin_write(db).await?;
    check(&txn, None, &input).await?;
    let now = Utc::now();
    let unit = units::ActiveModel {
        code: Set(input.code.clone()),
        name: Set(input.name),
        kind: Set(input.kind.into()),
        parent_id: Set(input.parent_id),
        department: Set(input.department.map(Into::into)),
        address: Set(input.address),
        phone: Set(input.phone),
        active: Set(input.active),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(taken_code_or)?;
    audit::record(
        &txn,
        Some(actor.id),
        "unit.create",
        "unit",
        Some(unit.id),
        Some(unit.code.clone()),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(unit_id = unit.id, "unit created");
    Ok(unit)
}

/// Changes a unit's fields (admins only) the one way a change goes: the row (404), the role (403),
/// the new values read against it (422), the version the editor saw, when given (409), then the
/// checks against the network (422), the write and its audit line.
///
/// # Errors
/// 403, 404, 409 as above; 422 as for [`create`], and for a unit placed under itself.
pub async fn update(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    command: impl Patch<units::Model, Params = UnitInput>,
) -> Result<units::Model, AppError> {
    let txn = begin_write(db).await?;
    let current = get(&txn, id).await?;
    actor.require(&[Role::Admin])?;
    let seen = command.version();
    let input = command.params(&current)?;
    versioned::check(seen, current.version)?;
    if input.parent_id == Some(id) {
        return Err(AppError::field(
            "parent_id",
            Message::key("err-parent-self"),
        ));
    }
    if input.kind != UnitKind::from(current.kind) && has_children(&txn, id).await? {
        return Err(AppError::field(
            "kind",
            Message::key("err-unit-kind-has-children"),
        ));
    }
    check(&txn, Some(id), &input).await?;
    let changes = units::ActiveModel {
        code: Set(input.code),
        name: Set(input.name),
        kind: Set(input.kind.into()),
        parent_id: Set(input.parent_id),
        department: Set(input.department.map(Into::into)),
        address: Set(input.address),
        phone: Set(input.phone),
        active: Set(input.active),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    let written = versioned::try_update(
        &txn,
        units::Entity::update_many().set(changes),
        (units::Column::Id, id),
        (units::Column::Version, current.version),
    )
    .await
    .map_err(taken_code_or)?;
    if !written {
        return Err(versioned::stale());
    }
    audit::record(&txn, Some(actor.id), "unit.update", "unit", Some(id), None).await?;
    let unit = get(&txn, id).await?;
    txn.commit().await?;
    Ok(unit)
}

/// Deactivates or reactivates a unit (admins only). A deactivated unit stays on every record that
/// points at it but is no longer offered for new work.
///
/// # Errors
/// 403, 404, 409 (stale version).
pub async fn set_active(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    command: impl Command<Params = bool>,
) -> Result<units::Model, AppError> {
    actor.require(&[Role::Admin])?;
    let txn = begin_write(db).await?;
    let current = get(&txn, id).await?;
    versioned::check(command.version(), current.version)?;
    let active = command.params()?;
    versioned::update(
        &txn,
        units::Entity::update_many()
            .col_expr(units::Column::Active, Expr::value(active))
            .col_expr(units::Column::UpdatedAt, Expr::value(Utc::now())),
        (units::Column::Id, id),
        (units::Column::Version, current.version),
    )
    .await?;
    let action = if active {
        "unit.activate"
    } else {
        "unit.deactivate"
    };
    audit::record(&txn, Some(actor.id), action, "unit", Some(id), None).await?;
    let unit = get(&txn, id).await?;
    txn.commit().await?;
    Ok(unit)
}

async fn has_children(db: &impl ConnectionTrait, id: i64) -> Result<bool, AppError> {
    Ok(units::Entity::find()
        .filter(units::Column::ParentId.eq(id))
        .count(db)
        .await?
        > 0)
}

/// The checks only the database can answer: the code is free, the parent exists and fits.
async fn check(
    db: &impl ConnectionTrait,
    own_id: Option<i64>,
    input: &UnitInput,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let mut taken = units::Entity::find().filter(units::Column::Code.eq(&input.code));
    if let Some(id) = own_id {
        taken = taken.filter(units::Column::Id.ne(id));
    }
    if taken.count(db).await? > 0 {
        errors.insert("code".into(), Message::key("err-code-taken"));
    }
    let parent_kind = match input.parent_id {
        Some(parent_id) => match units::Entity::find_by_id(parent_id).one(db).await? {
            Some(parent) => Some(UnitKind::from(parent.kind)),
            None => {
                errors.insert("parent_id".into(), Message::key("err-unit-not-found"));
                None
            }
        },
        None => None,
    };
    if !errors.contains_key("parent_id") {
        if let Err(e) = check_placement(input.kind, parent_kind, input.department) {
            let (field, key) = match e {
                PlacementError::HubHasParent => ("parent_id", "err-hub-has-parent"),
                PlacementError::ParentMissing => ("parent_id", "err-parent-missing"),
                PlacementError::ParentNotHub => ("parent_id", "err-parent-not-hub"),
                PlacementError::DepartmentMissing => ("department", "err-department-missing"),
                PlacementError::DepartmentNotAllowed => {
                    ("department", "err-department-not-allowed")
                }
            };
            errors.insert(field.into(), Message::key(key));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Two admins creating the same code at once: the loser gets the same answer as a checked duplicate.
fn taken_code_or(err: sea_orm::DbErr) -> AppError {
    if AppError::is_unique_violation(&err) {
        AppError::field("code", Message::key("err-code-taken"))
    } else {
        err.into()
    }
}
