//! The queue: one `notifications` row per recipient, written ([`enqueue`]) in the transaction of
//! the change that causes it (who is told is `services::notifications`' business), then claimed,
//! sent and recorded by the worker.

use chrono::{DateTime, Duration, Utc};
use entity::{cases, notification_attempts, notification_preferences, notifications};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::{json, Map, Value};

use super::{messages, EmailStatus, Kind};
use crate::config::Config;
use crate::domain::case_terms::DisputeType;
use crate::domain::notifications::delivery;
pub use crate::domain::notifications::Recipient;
use crate::error::AppError;
use crate::i18n::{self, Lang};

/// One notification to write.
pub struct NewNotification<'a> {
    pub kind: Kind,
    pub case: Option<&'a cases::Model>,
    pub recipient: Recipient,
    /// The template context (a JSON object); `recipient` and `case_no` are added here.
    pub data: Value,
}

/// Writes one notification in the caller's transaction. It goes by e-mail when the recipient has
/// an address and has not turned this kind off; it is in the inbox whenever there is an account.
/// Returns the new row's id, or `None` when there is nobody to reach.
///
/// # Errors
/// Database failures; a template error (a bug).
pub async fn enqueue(
    db: &impl ConnectionTrait,
    new: NewNotification<'_>,
) -> Result<Option<i64>, AppError> {
    let NewNotification {
        kind,
        case,
        recipient,
        data,
    } = new;
    let email = recipient
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned);
    let wants_email = match recipient.user_id {
        Some(user_id) => by_email(db, user_id, kind).await?,
        None => true,
    };
    let Some(status) = delivery(recipient.user_id.is_some(), email.is_some(), wants_email) else {
        return Ok(None);
    };
    let mut data = match data {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    data.insert("recipient".into(), json!(recipient.name));
    if let Some(case) = case {
        data.entry("case_no").or_insert(json!(case.case_no));
        data.entry("deadline_at").or_insert(json!(case.deadline_at));
        let dispute_type = i18n::label(Lang::Zh, DisputeType::from(case.dispute_type));
        data.entry("dispute_type").or_insert(json!(dispute_type));
    }
    let data = Value::Object(data);
    let subject = messages::subject(kind, &data)?;
    let now = Utc::now();
    let row = notifications::ActiveModel {
        user_id: Set(recipient.user_id),
        email: Set(email),
        kind: Set(kind.into()),
        case_id: Set(case.map(|c| c.id)),
        subject: Set(subject),
        data: Set(data.to_string()),
        body_text: Set(None),
        body_html: Set(None),
        link: Set(case.map_or_else(
            || {
                if kind == Kind::MonthlyReport {
                    "/stats".to_owned()
                } else {
                    "/inbox".to_owned()
                }
            },
            |c| format!("/cases/{}", c.id),
        )),
        created_at: Set(now),
        read_at: Set(None),
        email_status: Set(status.into()),
        attempts: Set(0),
        next_attempt_at: Set((status == EmailStatus::Pending).then_some(now)),
        claimed_at: Set(None),
        claimed_by: Set(None),
        last_error: Set(None),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(
        notification_id = row.id,
        kind = kind.as_str(),
        email_status = status.as_str(),
        "notification enqueued"
    );
    Ok(Some(row.id))
}

/// Whether the user wants this kind by e-mail (yes unless they turned it off).
async fn by_email(db: &impl ConnectionTrait, user_id: i64, kind: Kind) -> Result<bool, AppError> {
    Ok(
        notification_preferences::Entity::find_by_id((user_id, kind.into()))
            .one(db)
            .await?
            .is_none_or(|p| p.by_email),
    )
}

// ---------------------------------------------------------------------------------------------
// The worker's side: claim, record.
// ---------------------------------------------------------------------------------------------

/// When to try again and when to give up (`MAIL_RETRY_BASE_SECS`, `MAIL_RETRY_CAP_SECS`,
/// `MAIL_MAX_ATTEMPTS`).
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub base_secs: u64,
    pub cap_secs: u64,
    pub max_attempts: u32,
}

impl RetryPolicy {
    pub fn from_config(config: &Config) -> RetryPolicy {
        RetryPolicy {
            base_secs: config.mail_retry_base_secs,
            cap_secs: config.mail_retry_cap_secs,
            max_attempts: config.mail_max_attempts.max(1),
        }
    }

    /// The wait after the `attempts`-th failed try: base, 2×base, 4×base… up to the cap.
    pub fn delay(&self, attempts: u32) -> std::time::Duration {
        let exponent = attempts.saturating_sub(1).min(30);
        let secs = self
            .base_secs
            .saturating_mul(1u64 << exponent)
            .min(self.cap_secs.max(self.base_secs));
        std::time::Duration::from_secs(secs)
    }
}

fn claimable() -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(notifications::Column::EmailStatus.eq(entity::terms::EmailStatus::Pending))
        .add(notifications::Column::ClaimedAt.is_null())
        .add(notifications::Column::NextAttemptAt.lte(Utc::now()))
}

/// The id of the message due first (oldest first). Only the id, so that a row this code cannot
/// read (a kind a later version wrote) is still claimed and given up, not left blocking the queue.
fn next_due() -> sea_orm::Select<notifications::Entity> {
    notifications::Entity::find()
        .select_only()
        .column(notifications::Column::Id)
        .filter(claimable())
        .order_by_asc(notifications::Column::NextAttemptAt)
        .order_by_asc(notifications::Column::Id)
}

/// Claims the next message due, for this worker only. PostgreSQL: `SELECT … FOR UPDATE SKIP
/// LOCKED` and the claim in one transaction, so two servers never take the same row. SQLite (one
/// writer): a conditional `UPDATE … WHERE claimed_at IS NULL`, which only one worker can win.
///
/// A claimed row that does not load (a value outside the stored vocabulary) is marked failed with
/// the reason, for an admin to see in the outbox, and the next one is claimed.
///
/// # Errors
/// Database failures.
pub async fn claim_next(
    db: &DatabaseConnection,
    worker: &str,
) -> Result<Option<notifications::Model>, AppError> {
    loop {
        let Some(id) = claim_next_id(db, worker).await? else {
            return Ok(None);
        };
        match notifications::Entity::find_by_id(id).one(db).await {
            Ok(row) => return Ok(row),
            Err(DbErr::Type(why)) => give_up_unreadable(db, id, worker, &why).await?,
            Err(e) => return Err(e.into()),
        }
    }
}

async fn claim_next_id(db: &DatabaseConnection, worker: &str) -> Result<Option<i64>, AppError> {
    if db.get_database_backend() == DbBackend::Postgres {
        let txn = db.begin().await?;
        let Some(id) = next_due()
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .into_tuple::<i64>()
            .one(&txn)
            .await?
        else {
            txn.commit().await?;
            return Ok(None);
        };
        let claimed = mark_claimed(&txn, id, worker).await?;
        txn.commit().await?;
        return Ok(claimed.then_some(id));
    }
    // A few tries: another worker may win a row between the read and the update.
    for _ in 0..5 {
        let Some(id) = next_due().into_tuple::<i64>().one(db).await? else {
            return Ok(None);
        };
        if mark_claimed(db, id, worker).await? {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Whether this worker won the claim on row `id`.
async fn mark_claimed(db: &impl ConnectionTrait, id: i64, worker: &str) -> Result<bool, AppError> {
    let updated = notifications::Entity::update_many()
        .col_expr(
            notifications::Column::ClaimedAt,
            Expr::value(Some(Utc::now())),
        )
        .col_expr(notifications::Column::ClaimedBy, Expr::value(Some(worker)))
        .filter(notifications::Column::Id.eq(id))
        .filter(claimable())
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// A claimed row that cannot be read: failed for good, with why, and the try recorded. Written by
/// column, since the row itself does not load.
async fn give_up_unreadable(
    db: &DatabaseConnection,
    id: i64,
    worker: &str,
    why: &str,
) -> Result<(), AppError> {
    let error = format!("cannot read the message: {why}");
    let txn = crate::db::begin_write(db).await?;
    record_attempt(&txn, id, worker, Some(&error)).await?;
    released(id, worker)
        .col_expr(
            notifications::Column::EmailStatus,
            Expr::value(entity::terms::EmailStatus::Failed),
        )
        .col_expr(notifications::Column::LastError, Expr::value(Some(error)))
        .col_expr(
            notifications::Column::NextAttemptAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .exec(&txn)
        .await?;
    txn.commit().await?;
    tracing::error!(notification_id = id, error = %why, "e-mail given up: unreadable row");
    Ok(())
}

/// Releases the claims of a worker that stopped mid-send (crashed process): after `timeout` the
/// row is pending for anyone again. Returns how many were released.
///
/// # Errors
/// Database failures.
pub async fn release_stale_claims(
    db: &impl ConnectionTrait,
    timeout: std::time::Duration,
) -> Result<u64, AppError> {
    let cutoff = Utc::now() - Duration::from_std(timeout).unwrap_or(Duration::minutes(10));
    let released = unclaimed()
        .filter(notifications::Column::EmailStatus.eq(entity::terms::EmailStatus::Pending))
        .filter(notifications::Column::ClaimedAt.lt(cutoff))
        .exec(db)
        .await?;
    if released.rows_affected > 0 {
        tracing::warn!(
            count = released.rows_affected,
            "released e-mails claimed by a worker that did not finish"
        );
    }
    Ok(released.rows_affected)
}

/// Keeps the bodies as rendered for the first try, so that every retry sends the same text.
///
/// # Errors
/// Database failures.
pub async fn store_bodies(
    db: &impl ConnectionTrait,
    id: i64,
    bodies: &messages::Bodies,
) -> Result<(), AppError> {
    notifications::Entity::update_many()
        .col_expr(
            notifications::Column::BodyText,
            Expr::value(Some(bodies.text.clone())),
        )
        .col_expr(
            notifications::Column::BodyHtml,
            Expr::value(Some(bodies.html.clone())),
        )
        .filter(notifications::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

async fn record_attempt(
    db: &impl ConnectionTrait,
    id: i64,
    worker: &str,
    error: Option<&str>,
) -> Result<(), AppError> {
    notification_attempts::ActiveModel {
        notification_id: Set(id),
        attempted_at: Set(Utc::now()),
        worker: Set(worker.to_owned()),
        ok: Set(error.is_none()),
        error: Set(error.map(str::to_owned)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// An update that clears a row's claim.
fn unclaimed() -> sea_orm::UpdateMany<notifications::Entity> {
    notifications::Entity::update_many()
        .col_expr(
            notifications::Column::ClaimedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            notifications::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
}

/// An update of the row `id` as its worker lets it go: the claim cleared, and only while `worker`
/// still holds it (a claim that expired and went to another worker is not touched).
fn released(id: i64, worker: &str) -> sea_orm::UpdateMany<notifications::Entity> {
    unclaimed()
        .filter(notifications::Column::Id.eq(id))
        .filter(notifications::Column::ClaimedBy.eq(worker))
}

/// Records a delivered message and releases it.
///
/// # Errors
/// Database failures.
pub async fn record_sent(
    db: &DatabaseConnection,
    row: &notifications::Model,
    worker: &str,
) -> Result<(), AppError> {
    let txn = crate::db::begin_write(db).await?;
    record_attempt(&txn, row.id, worker, None).await?;
    released(row.id, worker)
        .col_expr(
            notifications::Column::EmailStatus,
            Expr::value(entity::terms::EmailStatus::Sent),
        )
        .col_expr(
            notifications::Column::Attempts,
            Expr::value(row.attempts + 1),
        )
        .col_expr(notifications::Column::SentAt, Expr::value(Some(Utc::now())))
        .col_expr(
            notifications::Column::NextAttemptAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Records a failed try: pending again after the backoff, or failed for good after the last try
/// (or at once when retrying cannot help). Returns the new status.
///
/// # Errors
/// Database failures.
pub async fn record_failure(
    db: &DatabaseConnection,
    row: &notifications::Model,
    worker: &str,
    error: &str,
    permanent: bool,
    policy: &RetryPolicy,
) -> Result<EmailStatus, AppError> {
    let attempts = u32::try_from(row.attempts).unwrap_or(0) + 1;
    let give_up = permanent || attempts >= policy.max_attempts;
    let (status, next) = if give_up {
        (EmailStatus::Failed, None)
    } else {
        let wait = Duration::from_std(policy.delay(attempts)).unwrap_or(Duration::minutes(1));
        (EmailStatus::Pending, Some(Utc::now() + wait))
    };
    let error: String = error.chars().take(2000).collect();
    let txn = crate::db::begin_write(db).await?;
    record_attempt(&txn, row.id, worker, Some(&error)).await?;
    released(row.id, worker)
        .col_expr(
            notifications::Column::EmailStatus,
            Expr::value(entity::terms::EmailStatus::from(status)),
        )
        .col_expr(
            notifications::Column::Attempts,
            Expr::value(i32::try_from(attempts).unwrap_or(i32::MAX)),
        )
        .col_expr(notifications::Column::LastError, Expr::value(Some(error)))
        .col_expr(notifications::Column::NextAttemptAt, Expr::value(next))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_workers_skip_the_rows_another_worker_has_locked() {
        use sea_orm::QueryTrait;
        let sql = next_due()
            .limit(1)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .build(DbBackend::Postgres)
            .to_string();
        assert!(sql.ends_with("FOR UPDATE SKIP LOCKED"), "{sql}");
        assert!(sql.contains(r#""claimed_at" IS NULL"#), "{sql}");
    }

    #[test]
    fn the_first_retry_comes_within_a_minute_and_the_wait_is_capped() {
        let policy = RetryPolicy {
            base_secs: 30,
            cap_secs: 3600,
            max_attempts: 8,
        };
        assert_eq!(policy.delay(1).as_secs(), 30);
        assert_eq!(policy.delay(2).as_secs(), 60);
        assert_eq!(policy.delay(3).as_secs(), 120);
        assert_eq!(policy.delay(8).as_secs(), 3600);
        assert_eq!(policy.delay(200).as_secs(), 3600);
    }
}
