//! Optimistic concurrency written once (DESIGN §8): a change is `UPDATE … SET …, version =
//! version + 1 WHERE id = ? AND version = ?` in the caller's transaction; zero rows updated means
//! someone changed the row first, and the caller's transaction is rolled back with a 409.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, UpdateMany};

use crate::error::{AppError, Message};

/// Writes `update` to row `id` only while it is still at `version`, and moves it to `version + 1`.
/// `Ok(false)`: the row was changed (or removed) first and nothing was written.
///
/// # Errors
/// Database failures, as they are (for callers that turn a constraint into a field error).
pub async fn try_update<E: EntityTrait>(
    db: &impl ConnectionTrait,
    update: UpdateMany<E>,
    (id_column, id): (E::Column, i64),
    (version_column, version): (E::Column, i32),
) -> Result<bool, DbErr> {
    let result = update
        .col_expr(version_column, Expr::value(version + 1))
        .filter(id_column.eq(id))
        .filter(version_column.eq(version))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// [`try_update`], with a stale version answered as a 409 (`err-stale-version`).
///
/// # Errors
/// 409; database failures.
pub async fn update<E: EntityTrait>(
    db: &impl ConnectionTrait,
    update: UpdateMany<E>,
    id: (E::Column, i64),
    version: (E::Column, i32),
) -> Result<(), AppError> {
    if try_update(db, update, id, version).await? {
        Ok(())
    } else {
        Err(stale())
    }
}

/// The 409 of a stale `version`.
pub fn stale() -> AppError {
    AppError::Conflict(Message::key("err-stale-version"))
}

/// The version the user saw, when they sent one, against the row's: a different one is a 409.
///
/// # Errors
/// 409.
pub fn check(seen: Option<i32>, current: i32) -> Result<(), AppError> {
    match seen {
        Some(v) if v != current => Err(stale()),
        _ => Ok(()),
    }
}
