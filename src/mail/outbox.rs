//! The outbox: one `notifications` row per recipient, written in the transaction of the change that
//! causes it ([`on_case_action`], [`on_subsidy_approved`], the reminders), then claimed, sent and recorded by the worker.
//! Admins list the rows that wait or failed and send a failed one again.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use entity::{
    case_events, cases, mediators, notification_attempts, notification_preferences, notifications,
    subsidy_items, subsidy_periods, units, users,
};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::{json, Map, Value};

use super::{messages, EmailStatus, Kind};
use crate::config::Config;
use crate::domain::case_terms::{DisputeType, TeamRole};
use crate::domain::money;
use crate::domain::role::Role;
use crate::domain::workflow::Action;
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;
use crate::services::{audit, Page, PageRequest};

/// Someone to tell: an account (inbox, and e-mail when it has an address), or a mediator without
/// an account, reached by their mediator record's e-mail only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: Option<i64>,
    pub name: String,
    pub email: Option<String>,
}

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
    let status = if email.is_some() && wants_email {
        EmailStatus::Pending
    } else {
        EmailStatus::Skipped
    };
    if recipient.user_id.is_none() && status == EmailStatus::Skipped {
        return Ok(None);
    }
    let mut data = match data {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    data.insert("recipient".into(), json!(recipient.name));
    if let Some(case) = case {
        data.entry("case_no").or_insert(json!(case.case_no));
        data.entry("deadline_at").or_insert(json!(case.deadline_at));
        let dispute_type = DisputeType::parse(&case.dispute_type)
            .map_or_else(|| case.dispute_type.clone(), |d| d.label_zh().to_owned());
        data.entry("dispute_type").or_insert(json!(dispute_type));
    }
    let data = Value::Object(data);
    let subject = messages::subject(kind, &data)?;
    let now = Utc::now();
    let row = notifications::ActiveModel {
        user_id: Set(recipient.user_id),
        email: Set(email),
        kind: Set(kind.as_str().to_owned()),
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
        email_status: Set(status.as_str().to_owned()),
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
        notification_preferences::Entity::find_by_id((user_id, kind.as_str().to_owned()))
            .one(db)
            .await?
            .is_none_or(|p| p.by_email),
    )
}

/// Decides who hears about a workflow action and enqueues their notifications, in the action's
/// transaction: escalation → the coordinators of the hub; referral → the mediators of the unit it
/// went to; accept / assign → the mediator put on the team; invitation → the mediators of each
/// invited unit. The actor is never told about their own action.
///
/// `params` is the `to` object of the event the action recorded; `Value::Null` reads it back
/// from that event (the latest of the case, in the same transaction), which also gives the note.
///
/// # Errors
/// Database failures: the action fails with them, so no change goes unannounced.
pub async fn on_case_action(
    db: &impl ConnectionTrait,
    case_before: &cases::Model,
    case_after: &cases::Model,
    action: Action,
    params: &Value,
    actor: &CurrentUser,
) -> Result<(), AppError> {
    if !matches!(
        action,
        Action::Escalate | Action::Refer | Action::Accept | Action::Assign | Action::Invite
    ) {
        return Ok(());
    }
    let event = case_events::Entity::find()
        .filter(case_events::Column::CaseId.eq(case_after.id))
        .filter(case_events::Column::Kind.eq(action.as_str()))
        .order_by_desc(case_events::Column::Id)
        .one(db)
        .await?;
    let note = event
        .as_ref()
        .and_then(|e| e.note.clone())
        .unwrap_or_default();
    let to = if params.is_object() {
        params.clone()
    } else {
        event
            .as_ref()
            .and_then(|e| e.to_state.as_deref())
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or(Value::Null)
    };
    let id_of = |key: &str| to.get(key).and_then(Value::as_i64);
    let mut data = Map::new();
    data.insert("actor".into(), json!(actor.display_name));
    data.insert(
        "case_unit".into(),
        json!(unit_name(db, case_after.current_unit_id).await?),
    );

    let mut sends: Vec<(Kind, Recipient, Map<String, Value>)> = Vec::new();
    match action {
        Action::Escalate => {
            data.insert(
                "from_unit".into(),
                json!(unit_name(db, case_before.current_unit_id).await?),
            );
            data.insert(
                "unit".into(),
                json!(unit_name(db, case_after.hub_id).await?),
            );
            data.insert("reason".into(), json!(note));
            for r in coordinators_of_hub(db, case_after.hub_id).await? {
                sends.push((Kind::Escalated, r, data.clone()));
            }
        }
        Action::Refer => {
            let unit_id = id_of("unit_id").unwrap_or(case_after.current_unit_id);
            data.insert("unit".into(), json!(unit_name(db, unit_id).await?));
            data.insert("reason".into(), json!(note));
            for r in mediators_of_unit(db, unit_id).await? {
                sends.push((Kind::Referred, r, data.clone()));
            }
        }
        Action::Accept | Action::Assign => {
            let (mediator_id, role) = if action == Action::Accept {
                (id_of("lead_mediator_id"), TeamRole::Lead)
            } else {
                let role = to
                    .get("role")
                    .and_then(Value::as_str)
                    .and_then(TeamRole::parse)
                    .unwrap_or(TeamRole::Co);
                (id_of("mediator_id"), role)
            };
            if let Some(mediator_id) = mediator_id {
                let unit = data.get("case_unit").cloned().unwrap_or_default();
                data.insert("unit".into(), unit);
                data.insert("role_label".into(), json!(role.label_zh()));
                data.insert("note".into(), json!(note));
                for r in mediator_recipients(db, mediator_id).await? {
                    sends.push((Kind::Assigned, r, data.clone()));
                }
            }
        }
        Action::Invite => {
            let unit_ids: Vec<i64> = to
                .get("invited_unit_ids")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_i64).collect())
                .unwrap_or_default();
            data.insert("note".into(), json!(note));
            for unit_id in unit_ids {
                let mut d = data.clone();
                d.insert("unit".into(), json!(unit_name(db, unit_id).await?));
                for r in mediators_of_unit(db, unit_id).await? {
                    sends.push((Kind::Invited, r, d.clone()));
                }
            }
        }
        _ => {}
    }
    let mut told: Vec<Recipient> = Vec::new();
    for (kind, recipient, data) in sends {
        if recipient.user_id == Some(actor.id) || told.contains(&recipient) {
            continue;
        }
        told.push(recipient.clone());
        enqueue(
            db,
            NewNotification {
                kind,
                case: Some(case_after),
                recipient,
                data: Value::Object(data),
            },
        )
        .await?;
    }
    Ok(())
}

/// Tells each mediator with items in a subsidy period just approved their total for it (all their
/// awards and adjustments of the period), in the approval's transaction. Not about a case: the
/// message links to the inbox.
///
/// # Errors
/// Database failures: the approval fails with them.
pub async fn on_subsidy_approved(
    db: &impl ConnectionTrait,
    period: &subsidy_periods::Model,
) -> Result<(), AppError> {
    let mut totals: BTreeMap<i64, (i64, usize)> = BTreeMap::new();
    for item in subsidy_items::Entity::find()
        .filter(subsidy_items::Column::PeriodId.eq(period.id))
        .all(db)
        .await?
    {
        let (total, count) = totals.entry(item.mediator_id).or_default();
        *total = total.saturating_add(item.amount_fen);
        *count += 1;
    }
    for (mediator_id, (total_fen, item_count)) in totals {
        let data = json!({
            "period": period.period,
            "total_fen": total_fen,
            "total": money::format_yuan(total_fen),
            "item_count": item_count,
        });
        for recipient in mediator_recipients(db, mediator_id).await? {
            enqueue(
                db,
                NewNotification {
                    kind: Kind::SubsidyApproved,
                    case: None,
                    recipient,
                    data: data.clone(),
                },
            )
            .await?;
        }
    }
    Ok(())
}

async fn unit_name(db: &impl ConnectionTrait, id: i64) -> Result<String, AppError> {
    Ok(units::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|u| u.name)
        .unwrap_or_default())
}

/// The active coordinator accounts of a street hub.
///
/// # Errors
/// Database failures.
pub async fn coordinators_of_hub(
    db: &impl ConnectionTrait,
    hub_id: i64,
) -> Result<Vec<Recipient>, AppError> {
    Ok(users::Entity::find()
        .filter(users::Column::Role.eq(Role::Coordinator.as_str()))
        .filter(users::Column::UnitId.eq(hub_id))
        .filter(users::Column::Active.eq(true))
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| Recipient {
            user_id: Some(u.id),
            name: u.display_name,
            email: u.email,
        })
        .collect())
}

/// A mediator's active accounts (each with its own address, else the mediator record's), or the
/// mediator record alone when they have no account.
///
/// # Errors
/// Database failures.
pub async fn mediator_recipients(
    db: &impl ConnectionTrait,
    mediator_id: i64,
) -> Result<Vec<Recipient>, AppError> {
    let Some(mediator) = mediators::Entity::find_by_id(mediator_id).one(db).await? else {
        return Ok(Vec::new());
    };
    recipients_for(db, &mediator).await
}

async fn recipients_for(
    db: &impl ConnectionTrait,
    mediator: &mediators::Model,
) -> Result<Vec<Recipient>, AppError> {
    let accounts = users::Entity::find()
        .filter(users::Column::MediatorId.eq(mediator.id))
        .filter(users::Column::Active.eq(true))
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?;
    if accounts.is_empty() {
        return Ok(vec![Recipient {
            user_id: None,
            name: mediator.name.clone(),
            email: mediator.email.clone(),
        }]);
    }
    Ok(accounts
        .into_iter()
        .map(|u| Recipient {
            user_id: Some(u.id),
            name: u.display_name,
            email: u.email.or_else(|| mediator.email.clone()),
        })
        .collect())
}

/// Everyone reached through the active mediators of a unit.
///
/// # Errors
/// Database failures.
pub async fn mediators_of_unit(
    db: &impl ConnectionTrait,
    unit_id: i64,
) -> Result<Vec<Recipient>, AppError> {
    let mut all = Vec::new();
    for m in mediators::Entity::find()
        .filter(mediators::Column::UnitId.eq(unit_id))
        .filter(mediators::Column::Active.eq(true))
        .order_by_asc(mediators::Column::Id)
        .all(db)
        .await?
    {
        all.extend(recipients_for(db, &m).await?);
    }
    Ok(all)
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
        .add(notifications::Column::EmailStatus.eq(EmailStatus::Pending.as_str()))
        .add(notifications::Column::ClaimedAt.is_null())
        .add(notifications::Column::NextAttemptAt.lte(Utc::now()))
}

/// The messages due, oldest first.
fn next_due() -> sea_orm::Select<notifications::Entity> {
    notifications::Entity::find()
        .filter(claimable())
        .order_by_asc(notifications::Column::NextAttemptAt)
        .order_by_asc(notifications::Column::Id)
}

/// Claims the next message due, for this worker only. PostgreSQL: `SELECT … FOR UPDATE SKIP
/// LOCKED` and the claim in one transaction, so two servers never take the same row. SQLite (one
/// writer): a conditional `UPDATE … WHERE claimed_at IS NULL`, which only one worker can win.
///
/// # Errors
/// Database failures.
pub async fn claim_next(
    db: &DatabaseConnection,
    worker: &str,
) -> Result<Option<notifications::Model>, AppError> {
    let next = next_due();
    if db.get_database_backend() == DbBackend::Postgres {
        let txn = db.begin().await?;
        let Some(row) = next
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .one(&txn)
            .await?
        else {
            txn.commit().await?;
            return Ok(None);
        };
        let claimed = mark_claimed(&txn, row.id, worker).await?;
        txn.commit().await?;
        return Ok(claimed);
    }
    // A few tries: another worker may win a row between the read and the update.
    for _ in 0..5 {
        let Some(row) = next.clone().one(db).await? else {
            return Ok(None);
        };
        if let Some(claimed) = mark_claimed(db, row.id, worker).await? {
            return Ok(Some(claimed));
        }
    }
    Ok(None)
}

async fn mark_claimed(
    db: &impl ConnectionTrait,
    id: i64,
    worker: &str,
) -> Result<Option<notifications::Model>, AppError> {
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
    if updated.rows_affected != 1 {
        return Ok(None);
    }
    Ok(notifications::Entity::find_by_id(id).one(db).await?)
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
    let released = notifications::Entity::update_many()
        .col_expr(
            notifications::Column::ClaimedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            notifications::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .filter(notifications::Column::EmailStatus.eq(EmailStatus::Pending.as_str()))
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
    notifications::Entity::update_many()
        .col_expr(
            notifications::Column::EmailStatus,
            Expr::value(EmailStatus::Sent.as_str()),
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
        .col_expr(
            notifications::Column::ClaimedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            notifications::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .filter(notifications::Column::Id.eq(row.id))
        .filter(notifications::Column::ClaimedBy.eq(worker))
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
    notifications::Entity::update_many()
        .col_expr(
            notifications::Column::EmailStatus,
            Expr::value(status.as_str()),
        )
        .col_expr(
            notifications::Column::Attempts,
            Expr::value(i32::try_from(attempts).unwrap_or(i32::MAX)),
        )
        .col_expr(notifications::Column::LastError, Expr::value(Some(error)))
        .col_expr(notifications::Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            notifications::Column::ClaimedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            notifications::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .filter(notifications::Column::Id.eq(row.id))
        .filter(notifications::Column::ClaimedBy.eq(worker))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(status)
}

// ---------------------------------------------------------------------------------------------
// Admins: what waits, what failed, send again.
// ---------------------------------------------------------------------------------------------

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
        Some(s) => query.filter(notifications::Column::EmailStatus.eq(s.as_str())),
        None => query.filter(
            notifications::Column::EmailStatus
                .is_in([EmailStatus::Pending.as_str(), EmailStatus::Failed.as_str()]),
        ),
    };
    let total = query.clone().count(db).await?;
    let items = query
        .order_by_desc(notifications::Column::CreatedAt)
        .order_by_desc(notifications::Column::Id)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
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
            Expr::value(EmailStatus::Pending.as_str()),
        )
        .col_expr(
            notifications::Column::NextAttemptAt,
            Expr::value(Some(Utc::now())),
        );
    match EmailStatus::parse(&row.email_status) {
        Some(EmailStatus::Failed) => {
            update = update.col_expr(notifications::Column::Attempts, Expr::value(0));
        }
        Some(EmailStatus::Pending) => {}
        _ => return Err(AppError::Refused(Message::key("notify-err-cannot-retry"))),
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
        Some(row.email_status.clone()),
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
