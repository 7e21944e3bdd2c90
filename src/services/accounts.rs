//! Accounts: create, list, edit, deactivate users; change and reset passwords.

use chrono::Utc;
use entity::{mediators, units, users};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use super::{like_pattern, paging, versioned, Page, PageRequest};
use crate::db::begin_write;
use crate::domain::password::{self, WeakPassword};
use crate::domain::role::Role;
use crate::error::{AppError, FieldErrors, Message};
use crate::services::{audit, auth, auth::CurrentUser};

#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub mediator_id: Option<i64>,
    pub email: Option<String>,
}

#[derive(Clone, Debug)]
pub struct UserChanges {
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub mediator_id: Option<i64>,
    pub email: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub unit_id: Option<i64>,
    pub q: Option<String>,
}

/// The message for a password the policy refuses, always on the field `password`.
pub fn weak_password_message(weak: WeakPassword) -> Message {
    match weak {
        WeakPassword::TooShort => Message::with(
            "err-password-short",
            &[("min", password::MIN_CHARS.to_string())],
        ),
        WeakPassword::TooLong => Message::with(
            "err-length-max",
            &[("max", password::MAX_CHARS.to_string())],
        ),
        WeakPassword::AllDigits => Message::key("err-password-digits"),
        WeakPassword::SameAsUsername => Message::key("err-password-username"),
        WeakPassword::TooCommon => Message::key("err-password-common"),
    }
}

fn check_password(pw: &str, username: &str, field: &str) -> Result<(), AppError> {
    password::check(pw, username).map_err(|w| AppError::field(field, weak_password_message(w)))
}

/// # Errors
/// 403 for anyone but an admin.
pub async fn list(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    filter: &UserFilter,
    page: PageRequest,
) -> Result<Page<users::Model>, AppError> {
    actor.require(&[Role::Admin])?;
    let mut query = users::Entity::find();
    if let Some(role) = filter.role {
        query = query.filter(users::Column::Role.eq(role.as_str()));
    }
    if let Some(unit_id) = filter.unit_id {
        query = query.filter(users::Column::UnitId.eq(unit_id));
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let pattern = like_pattern(q);
        query = query.filter(
            Expr::col(users::Column::Username)
                .like(pattern.clone())
                .or(Expr::col(users::Column::DisplayName).like(pattern)),
        );
    }
    paging::paginate(db, query, |q| q.order_by_asc(users::Column::Id), page).await
}

/// An admin sees every account; anyone else only their own (others are 404, not 403, so that
/// account ids reveal nothing).
///
/// # Errors
/// 404.
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    id: i64,
) -> Result<users::Model, AppError> {
    if !actor.is(Role::Admin) && actor.id != id {
        return Err(AppError::NotFound);
    }
    users::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Creates an account. `actor` is `None` only for the command line (`mediation user add`).
///
/// # Errors
/// 403 for anyone but an admin; 422 for a taken username, a weak password, a unit or mediator that
/// does not exist, a mediator account without a mediator record.
pub async fn create(
    db: &DatabaseConnection,
    actor: Option<&CurrentUser>,
    input: NewUser,
) -> Result<users::Model, AppError> {
    if let Some(actor) = actor {
        actor.require(&[Role::Admin])?;
    }
    let username = input.username.trim().to_lowercase();
    check_password(&input.password, &username, "password")?;
    // Hash before the transaction: it takes CPU time and needs no lock.
    let password_hash = auth::hash_password(&input.password).await?;
    let txn = begin_write(db).await?;
    if users::Entity::find()
        .filter(users::Column::Username.eq(&username))
        .count(&txn)
        .await?
        > 0
    {
        return Err(AppError::field(
            "username",
            Message::key("err-username-taken"),
        ));
    }
    let unit_id = check_links(&txn, input.role, input.unit_id, input.mediator_id).await?;
    let now = Utc::now();
    let user = users::ActiveModel {
        username: Set(username),
        display_name: Set(input.display_name),
        password_hash: Set(password_hash),
        role: Set(input.role.into()),
        unit_id: Set(unit_id),
        mediator_id: Set(input.mediator_id),
        email: Set(input.email),
        active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if AppError::is_unique_violation(&e) {
            AppError::field("username", Message::key("err-username-taken"))
        } else {
            e.into()
        }
    })?;
    audit::record(
        &txn,
        actor.map(|a| a.id),
        "user.create",
        "user",
        Some(user.id),
        Some(Role::from(user.role).as_str().to_owned()),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        user_id = user.id,
        role = Role::from(user.role).as_str(),
        "user created"
    );
    Ok(user)
}

/// Changes an account's name, role, unit, mediator record and e-mail (admins only).
///
/// # Errors
/// As [`create`], plus 404 and 409 (stale version).
pub async fn update(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    input: UserChanges,
    version: Option<i32>,
) -> Result<users::Model, AppError> {
    actor.require(&[Role::Admin])?;
    let txn = begin_write(db).await?;
    let current = get(&txn, actor, id).await?;
    versioned::check(version, current.version)?;
    if current.id == actor.id && input.role != Role::Admin {
        // The last door out of the admin pages must not lock itself.
        return Err(AppError::field("role", Message::key("err-own-admin-role")));
    }
    let unit_id = check_links(&txn, input.role, input.unit_id, input.mediator_id).await?;
    versioned::update(
        &txn,
        users::Entity::update_many()
            .col_expr(users::Column::DisplayName, Expr::value(input.display_name))
            .col_expr(users::Column::Role, Expr::value(input.role.as_str()))
            .col_expr(users::Column::UnitId, Expr::value(unit_id))
            .col_expr(users::Column::MediatorId, Expr::value(input.mediator_id))
            .col_expr(users::Column::Email, Expr::value(input.email))
            .col_expr(users::Column::UpdatedAt, Expr::value(Utc::now())),
        (users::Column::Id, id),
        (users::Column::Version, current.version),
    )
    .await?;
    if Role::from(current.role) != input.role {
        // A new role takes effect at the next sign-in, never alongside the old one.
        auth::end_all_sessions(&txn, id).await?;
    }
    audit::record(
        &txn,
        Some(actor.id),
        "user.update",
        "user",
        Some(id),
        Some(input.role.as_str().to_owned()),
    )
    .await?;
    let user = get(&txn, actor, id).await?;
    txn.commit().await?;
    Ok(user)
}

/// Deactivates (signing the user out everywhere) or reactivates an account (admins only).
///
/// # Errors
/// 403, 404, 409; 422 when an admin tries to deactivate themselves.
pub async fn set_active(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    active: bool,
    version: Option<i32>,
) -> Result<users::Model, AppError> {
    actor.require(&[Role::Admin])?;
    if id == actor.id && !active {
        return Err(AppError::Refused(Message::key("err-deactivate-self")));
    }
    let txn = begin_write(db).await?;
    let current = get(&txn, actor, id).await?;
    versioned::check(version, current.version)?;
    versioned::update(
        &txn,
        users::Entity::update_many()
            .col_expr(users::Column::Active, Expr::value(active))
            .col_expr(users::Column::UpdatedAt, Expr::value(Utc::now())),
        (users::Column::Id, id),
        (users::Column::Version, current.version),
    )
    .await?;
    if !active {
        auth::end_all_sessions(&txn, id).await?;
    }
    let action = if active {
        "user.activate"
    } else {
        "user.deactivate"
    };
    audit::record(&txn, Some(actor.id), action, "user", Some(id), None).await?;
    let user = get(&txn, actor, id).await?;
    txn.commit().await?;
    Ok(user)
}

/// A user changes their own password, proving they know the current one. Every other session of
/// theirs ends.
///
/// # Errors
/// 422 naming `current_password` when it is wrong, `new_password` when it is weak.
pub async fn change_password(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    current_password: &str,
    new_password: &str,
) -> Result<(), AppError> {
    let user = get(db, actor, actor.id).await?;
    if !auth::verify_password(current_password, &user.password_hash).await? {
        return Err(AppError::field(
            "current_password",
            Message::key("err-password-wrong"),
        ));
    }
    check_password(new_password, &user.username, "new_password")?;
    let hash = auth::hash_password(new_password).await?;
    let txn = begin_write(db).await?;
    users::Entity::update_many()
        .col_expr(users::Column::PasswordHash, Expr::value(hash))
        .col_expr(users::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(users::Column::Id.eq(actor.id))
        .exec(&txn)
        .await?;
    auth::end_all_sessions(&txn, actor.id).await?;
    audit::record(
        &txn,
        Some(actor.id),
        "user.password",
        "user",
        Some(actor.id),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Checks that the unit and mediator exist and fit the role. A mediator account must name its
/// mediator record; its unit is the mediator's unit. Returns the unit to store.
async fn check_links(
    db: &impl ConnectionTrait,
    role: Role,
    unit_id: Option<i64>,
    mediator_id: Option<i64>,
) -> Result<Option<i64>, AppError> {
    let mut errors = FieldErrors::new();
    if let Some(unit_id) = unit_id {
        if units::Entity::find_by_id(unit_id).one(db).await?.is_none() {
            errors.insert("unit_id".into(), Message::key("err-unit-not-found"));
        }
    }
    let mediator = match mediator_id {
        Some(mediator_id) => {
            let found = mediators::Entity::find_by_id(mediator_id).one(db).await?;
            if found.is_none() {
                errors.insert("mediator_id".into(), Message::key("err-mediator-not-found"));
            }
            found
        }
        None => None,
    };
    if role == Role::Mediator && mediator_id.is_none() {
        errors.insert(
            "mediator_id".into(),
            Message::key("err-mediator-account-needs-record"),
        );
    }
    if let (Some(m), Some(u)) = (&mediator, unit_id) {
        if m.unit_id != u {
            errors.insert("unit_id".into(), Message::key("err-unit-not-mediators"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(unit_id.or(mediator.map(|m| m.unit_id)))
}
