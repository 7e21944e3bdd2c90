//! The mail worker: every `MAIL_POLL_MS` it releases stale claims, then claims due messages one by
//! one, renders them on their first try, sends them and records the attempt. It stops between two
//! messages when the server shuts down.

use std::sync::Arc;
use std::time::Duration;

use entity::notifications;
use rand::Rng;
use sea_orm::DatabaseConnection;
use serde_json::Value;
use tokio::sync::watch;

use super::messages::{self, Bodies};
use super::queue::{self, RetryPolicy};
use super::transport::{Outgoing, SendError, Transport};
use super::{EmailStatus, Kind};
use crate::config::Config;
use crate::error::AppError;

/// A name for this worker's claims: the process and a random suffix, unique across servers.
fn worker_name() -> String {
    let suffix: u32 = rand::thread_rng().gen();
    format!("mail-{}-{suffix:08x}", std::process::id())
}

/// Runs until `stop` turns true (or its sender is dropped).
pub async fn run(
    db: DatabaseConnection,
    config: Arc<Config>,
    transport: Transport,
    mut stop: watch::Receiver<bool>,
) {
    let worker = worker_name();
    let policy = RetryPolicy::from_config(&config);
    let poll = Duration::from_millis(config.mail_poll_ms.max(10));
    let claim_timeout = Duration::from_secs(config.mail_claim_timeout_secs.max(1));
    tracing::info!(worker, transport = %transport.describe(), "mail worker started");
    loop {
        if *stop.borrow() {
            break;
        }
        if let Err(e) = drain(
            &db,
            &config,
            &transport,
            &worker,
            &policy,
            claim_timeout,
            &stop,
        )
        .await
        {
            tracing::error!(error = %e, "mail worker: database trouble, trying again shortly");
        }
        tokio::select! {
            changed = stop.changed() => if changed.is_err() { break },
            () = tokio::time::sleep(poll) => {}
        }
    }
    tracing::info!(worker, "mail worker stopped");
}

/// Sends everything due now.
async fn drain(
    db: &DatabaseConnection,
    config: &Config,
    transport: &Transport,
    worker: &str,
    policy: &RetryPolicy,
    claim_timeout: Duration,
    stop: &watch::Receiver<bool>,
) -> Result<(), AppError> {
    queue::release_stale_claims(db, claim_timeout).await?;
    while !*stop.borrow() {
        let Some(row) = queue::claim_next(db, worker).await? else {
            break;
        };
        deliver(db, config, transport, worker, policy, &row).await?;
    }
    Ok(())
}

/// One try at one claimed message, recorded whatever happens.
///
/// # Errors
/// Database failures while recording (the claim then expires and the message is tried again).
pub async fn deliver(
    db: &DatabaseConnection,
    config: &Config,
    transport: &Transport,
    worker: &str,
    policy: &RetryPolicy,
    row: &notifications::Model,
) -> Result<(), AppError> {
    let result = match try_send(db, config, transport, row).await {
        Ok(result) => result,
        Err(e) => Err(SendError {
            message: format!("cannot prepare the message: {e}"),
            permanent: true,
        }),
    };
    match result {
        Ok(()) => {
            queue::record_sent(db, row, worker).await?;
            tracing::info!(notification_id = row.id, "e-mail sent");
        }
        Err(e) => {
            let status =
                queue::record_failure(db, row, worker, &e.message, e.permanent, policy).await?;
            if status == EmailStatus::Failed {
                tracing::error!(notification_id = row.id, error = %e.message, "e-mail given up");
            } else {
                tracing::warn!(notification_id = row.id, error = %e.message, attempts = row.attempts + 1, "e-mail not sent, will retry");
            }
        }
    }
    Ok(())
}

async fn try_send(
    db: &DatabaseConnection,
    config: &Config,
    transport: &Transport,
    row: &notifications::Model,
) -> Result<Result<(), SendError>, AppError> {
    let Some(to) = row.email.as_deref() else {
        return Ok(Err(SendError {
            message: "no e-mail address".into(),
            permanent: true,
        }));
    };
    let bodies = match (&row.body_text, &row.body_html) {
        (Some(text), Some(html)) => Bodies {
            text: text.clone(),
            html: html.clone(),
        },
        _ => {
            let kind = Kind::from(row.kind);
            let data: Value = serde_json::from_str(&row.data)
                .map_err(|e| AppError::Internal(format!("notification data: {e}")))?;
            let bodies = messages::bodies(kind, &data, &row.link, config)?;
            queue::store_bodies(db, row.id, &bodies).await?;
            bodies
        }
    };
    let recipient_name = serde_json::from_str::<Value>(&row.data)
        .ok()
        .and_then(|d| {
            d.get("recipient")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .filter(|n| !n.is_empty());
    let message = match transport.build(&Outgoing {
        id: row.id,
        to_name: recipient_name.as_deref(),
        to,
        subject: &row.subject,
        bodies: &bodies,
    }) {
        Ok(m) => m,
        Err(e) => return Ok(Err(e)),
    };
    Ok(transport.send(row.id, message).await)
}
