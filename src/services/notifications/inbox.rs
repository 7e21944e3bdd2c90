//! The in-app inbox: a user's notifications (the same rows the mail worker sends), read marks, the
//! unread count of the navigation, and which kinds the user wants by e-mail.

use chrono::{DateTime, Utc};
use entity::{notification_preferences, notifications};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

use super::newest_first;
use crate::domain::notifications::Kind;
use crate::error::AppError;
use crate::services::auth::CurrentUser;
use crate::services::{paging, Page, PageRequest};

/// The user's notifications, newest first; `unread_only` leaves out those already read.
///
/// # Errors
/// Database failures.
pub async fn list(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    unread_only: bool,
    page: PageRequest,
) -> Result<Page<notifications::Model>, AppError> {
    let mut query = notifications::Entity::find().filter(notifications::Column::UserId.eq(user.id));
    if unread_only {
        query = query.filter(notifications::Column::ReadAt.is_null());
    }
    paging::paginate(db, query, newest_first, page).await
}

/// How many of the user's notifications are unread.
///
/// # Errors
/// Database failures.
pub async fn unread_count(db: &impl ConnectionTrait, user_id: i64) -> Result<u64, AppError> {
    Ok(notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Marks one of the user's notifications read (again is fine).
///
/// # Errors
/// 404 when it is not theirs.
pub async fn mark_read(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> Result<notifications::Model, AppError> {
    let row = notifications::Entity::find_by_id(id)
        .filter(notifications::Column::UserId.eq(user.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.read_at.is_some() {
        return Ok(row);
    }
    notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAt, Expr::value(Some(Utc::now())))
        .filter(notifications::Column::Id.eq(id))
        .filter(notifications::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    notifications::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Marks all of the user's notifications read; returns how many were unread.
///
/// # Errors
/// Database failures.
pub async fn mark_all_read(db: &DatabaseConnection, user: &CurrentUser) -> Result<u64, AppError> {
    let now: Option<DateTime<Utc>> = Some(Utc::now());
    Ok(notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAt, Expr::value(now))
        .filter(notifications::Column::UserId.eq(user.id))
        .filter(notifications::Column::ReadAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// For every kind, whether the user wants it by e-mail (yes unless turned off).
///
/// # Errors
/// Database failures.
pub async fn preferences(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
) -> Result<Vec<(Kind, bool)>, AppError> {
    let rows = notification_preferences::Entity::find()
        .filter(notification_preferences::Column::UserId.eq(user.id))
        .all(db)
        .await?;
    Ok(Kind::ALL
        .into_iter()
        .filter(|kind| kind.user_may_choose())
        .map(|kind| {
            let by_email = rows
                .iter()
                .find(|r| Kind::from(r.kind) == kind)
                .is_none_or(|r| r.by_email);
            (kind, by_email)
        })
        .collect())
}

/// Saves the user's choices (kinds not named keep theirs) and returns all of them.
///
/// # Errors
/// Database failures.
pub async fn set_preferences(
    db: &DatabaseConnection,
    user: &CurrentUser,
    choices: &[(Kind, bool)],
) -> Result<Vec<(Kind, bool)>, AppError> {
    let txn = crate::db::begin_write(db).await?;
    for (kind, by_email) in choices {
        notification_preferences::Entity::insert(notification_preferences::ActiveModel {
            user_id: Set(user.id),
            kind: Set((*kind).into()),
            by_email: Set(*by_email),
            updated_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::columns([
                notification_preferences::Column::UserId,
                notification_preferences::Column::Kind,
            ])
            .update_columns([
                notification_preferences::Column::ByEmail,
                notification_preferences::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    let all = preferences(&txn, user).await?;
    txn.commit().await?;
    Ok(all)
}
