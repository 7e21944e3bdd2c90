//! The outbox as admins see it: the rows with an e-mail that waits or failed, the tries of each,
//! and sending a failed one again.

use chrono::Utc;
use entity::terms as stored;
use entity::{notification_attempts, notifications};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

use super::newest_first;
use crate::domain::notifications::EmailStatus;
use crate::domain::role::Role;
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;
use crate::services::{audit, paging, Page, PageRequest};

/// The outbox rows with an e-mail to send or that failed (admins), newest first; `status` narrows
/// it to one status.
///
/// # Errors
/// 403 for anyone but an admin.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    status: Option<EmailStatus>,
    page: PageRequest,
) -> Result<Page<notifications::Model>, AppError> {
    actor.require(&[Role::Admin])?;
    let mut query = notifications::Entity::find();
    query = match status {
        Some(s) => {
            query.filter(notifications::Column::EmailStatus.eq(stored::EmailStatus::from(s)))
        }
        None => query.filter(
            notifications::Column::EmailStatus
                .is_in([stored::EmailStatus::Pending, stored::EmailStatus::Failed]),
        ),
    };
    paging::paginate(db, query, newest_first, page).await
}

/// The tries of one message, oldest first.
///
/// # Errors
/// Database failures.
pub async fn attempts_of(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Vec<notification_attempts::Model>, AppError> {
    Ok(notification_attempts::Entity::find()
        .filter(notification_attempts::Column::NotificationId.eq(id))
        .order_by_asc(notification_attempts::Column::Id)
        .all(db)
        .await?)
}

/// Sends a failed message again with a fresh count of tries (the earlier tries stay on record),
/// or brings a waiting one forward to now (admins).
///
/// # Errors
/// 403; 404; 422 for a message that was sent or never goes by e-mail.
pub async fn retry(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
) -> Result<notifications::Model, AppError> {
    actor.require(&[Role::Admin])?;
    let txn = crate::db::begin_write(db).await?;
    let row = notifications::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut update = notifications::Entity::update_many()
        .col_expr(
            notifications::Column::EmailStatus,
            Expr::value(stored::EmailStatus::Pending),
        )
        .col_expr(
            notifications::Column::NextAttemptAt,
            Expr::value(Some(Utc::now())),
        );
    let status = EmailStatus::from(row.email_status);
    match status {
        EmailStatus::Failed => {
            update = update.col_expr(notifications::Column::Attempts, Expr::value(0));
        }
        EmailStatus::Pending => {}
        EmailStatus::Sent | EmailStatus::Skipped => {
            return Err(AppError::Refused(Message::key("notify-err-cannot-retry")))
        }
    }
    update
        .filter(notifications::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Some(actor.id),
        "outbox.retry",
        "notification",
        Some(id),
        Some(status.as_str().to_owned()),
    )
    .await?;
    let row = notifications::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    txn.commit().await?;
    tracing::info!(notification_id = id, "e-mail queued again by an admin");
    Ok(row)
}
