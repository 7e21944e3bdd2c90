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
use crate::services::command::{Command, Patch};
use crate::services::{audit, auth, auth::CurrentUser};

/// An account as the services answer with it (its row; the web shapes leave the password hash out).
pub use entity::users::Model as Account;

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

/// An account edit read against the account: its fields, and whether it is to be active (`None`:
/// as it is).
#[derive(Clone, Debug)]
pub struct AccountEdit {
    pub changes: UserChanges,
    pub active: Option<bool>,
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
) -> Result<Page<Account>, AppError> {
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
) -> Result<Account, AppError> {
    if !actor.is(Role::Admin) && actor.id != id {
        return Err(AppError::NotFound);
    }
    users::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Creates an account (admins only): the role (403), the fields (422), then [`insert`].
///
/// # Errors
/// 403 for anyone but an admin; 422 as for [`insert`].
pub async fn create(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    command: impl Command<Params = NewUser>,
) -> Result<Account, AppError> {
    actor.require(&[Role::Admin])?;
    insert(db, Some(actor), command.params()?).await
}

/// Writes a new account whose fields are read. `actor` is `None` only for the command line
/// (`mediation user add`), which has no signed-in user to check.
///
/// # Errors
/// 422 for a taken username, a weak password, a unit or mediator that does not exist, a mediator
/// account without a mediator record.
pub async fn insert(
    db: &DatabaseConnection,
    actor: Option<&CurrentUser>,
    input: NewUser,
) -> Result<Account, AppError> {
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

/// Changes an account (admins only) the one way a change goes, in one transaction: the account
/// (404, as [`get`]), the role (403), the new values read against it (422), the version the editor
/// saw, when given (409), then the rules of the account (an admin keeps their own role and stays
/// active, 422) and the links (422), the write, its audit lines and the end of the account's
/// sessions when its role changes or it is deactivated.
///
/// # Errors
/// As above.
pub async fn update(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    command: impl Patch<Account, Params = AccountEdit>,
) -> Result<Account, AppError> {
    let txn = begin_write(db).await?;
    let current = get(&txn, actor, id).await?;
    actor.require(&[Role::Admin])?;
    let seen = command.version();
    let AccountEdit { changes, active } = command.params(&current)?;
    versioned::check(seen, current.version)?;
    let active = active.unwrap_or(current.active);
    if current.id == actor.id && changes.role != Role::Admin {
        // The last door out of the admin pages must not lock itself.
        return Err(AppError::field("role", Message::key("err-own-admin-role")));
    }
    if current.id == actor.id && !active {
        return Err(AppError::Refused(Message::key("err-deactivate-self")));
    }
    let unit_id = check_links(&txn, changes.role, changes.unit_id, changes.mediator_id).await?;
    versioned::update(
        &txn,
        users::Entity::update_many()
            .col_expr(
                users::Column::DisplayName,
                Expr::value(changes.display_name),
            )
            .col_expr(users::Column::Role, Expr::value(changes.role.as_str()))
            .col_expr(users::Column::UnitId, Expr::value(unit_id))
            .col_expr(users::Column::MediatorId, Expr::value(changes.mediator_id))
            .col_expr(users::Column::Email, Expr::value(changes.email))
            .col_expr(users::Column::Active, Expr::value(active))
            .col_expr(users::Column::UpdatedAt, Expr::value(Utc::now())),
        (users::Column::Id, id),
        (users::Column::Version, current.version),
    )
    .await?;
    // A new role takes effect at the next sign-in, never alongside the old one; a deactivated
    // account is signed out everywhere.
    if Role::from(current.role) != changes.role || !active {
        auth::end_all_sessions(&txn, id).await?;
    }
    audit::record(
        &txn,
        Some(actor.id),
        "user.update",
        "user",
        Some(id),
        Some(changes.role.as_str().to_owned()),
    )
    .await?;
    if active != current.active {
        audit::record(
            &txn,
            Some(actor.id),
            active_action(active),
            "user",
            Some(id),
            None,
        )
        .await?;
    }
    let user = get(&txn, actor, id).await?;
    txn.commit().await?;
    Ok(user)
}

fn active_action(active: bool) -> &'static str {
    if active {
        "user.activate"
    } else {
        "user.deactivate"
    }
}

/// Deactivates (signing the user out everywhere) or reactivates an account (admins only).
///
/// # Errors
/// 403, 404, 409; 422 when an admin tries to deactivate themselves.
pub async fn set_active(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    command: impl Command<Params = bool>,
) -> Result<Account, AppError> {
    actor.require(&[Role::Admin])?;
    let txn = begin_write(db).await?;
    let current = get(&txn, actor, id).await?;
    versioned::check(command.version(), current.version)?;
    let active = command.params()?;
    if id == actor.id && !active {
        return Err(AppError::Refused(Message::key("err-deactivate-self")));
    }
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
    audit::record(
        &txn,
        Some(actor.id),
        active_action(active),
        "user",
        Some(id),
        None,
    )
    .await?;
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
