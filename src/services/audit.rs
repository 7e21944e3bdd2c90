//! The audit log: who changed an account or the network, who revealed personal data, and when.

use chrono::Utc;
use entity::audit_log;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::error::AppError;

/// Appends one line to the audit log, inside the caller's transaction.
///
/// # Errors
/// The database refused the write.
pub async fn record(
    db: &impl ConnectionTrait,
    actor_user_id: Option<i64>,
    action: &str,
    target_type: &str,
    target_id: Option<i64>,
    detail: Option<String>,
) -> Result<(), AppError> {
    audit_log::ActiveModel {
        actor_user_id: Set(actor_user_id),
        action: Set(action.to_owned()),
        target_type: Set(target_type.to_owned()),
        target_id: Set(target_id),
        detail: Set(detail),
        at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
