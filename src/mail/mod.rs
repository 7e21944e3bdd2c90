//! Mail, below the services: the queue written in the transaction of the change that causes it,
//! the worker that sends it by e-mail, the transport, and the messages. Who is told about what is
//! `services::notifications`' business (by the rules of `domain::notifications`).
//!
//! - [`queue`]: [`queue::enqueue`] one row per recipient, and the claim / record functions the
//!   worker uses;
//! - [`messages`]: subject and bodies from `templates/emails/<kind>/{subject.txt,body.txt,body.html}`;
//! - [`transport`]: one mail type over SMTP (lettre, `SMTP_URL`) or `.eml` files (`data/mail/`);
//! - [`worker`]: claims pending rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, a conditional
//!   `UPDATE` on SQLite), sends, records each attempt, retries with capped exponential backoff.

pub mod messages;
pub mod queue;
pub mod transport;
pub mod worker;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use crate::domain::notifications::{EmailStatus, Kind};

use crate::config::Config;
use crate::error::AppError;

/// The background tasks of one app server: the mail worker, and whatever the layers above start
/// beside it with [`Workers::spawn`] (the reminder scheduler), all stopped together.
pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Starts one more task that runs until the receiver it is given turns true.
    pub fn spawn<F, Fut>(&mut self, task: F)
    where
        F: FnOnce(watch::Receiver<bool>) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        self.tasks.push(tokio::spawn(task(self.stop.subscribe())));
    }

    /// Asks the tasks to stop and waits for them: a message being sent is finished and recorded
    /// first, so nothing is left claimed.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "background task ended badly");
            }
        }
    }
}

/// Starts the mail worker of this app server.
///
/// # Errors
/// A `SMTP_URL` or `MAIL_FROM` that cannot work (reported at start, not at the first e-mail).
pub fn spawn_workers(db: DatabaseConnection, config: Arc<Config>) -> Result<Workers, AppError> {
    let transport = transport::Transport::from_config(&config)?;
    let (stop, stopped) = watch::channel(false);
    let mail = tokio::spawn(worker::run(db, config, transport, stopped));
    Ok(Workers {
        stop,
        tasks: vec![mail],
    })
}
