//! Notifications: the outbox written in the transaction of the change that causes it, the worker
//! that sends it by e-mail, the reminder scheduler, and the in-app inbox.
//!
//! - [`outbox`]: who hears about a case action ([`outbox::on_case_action`]), enqueueing, and the
//!   claim / record functions the worker uses; admins list and retry from here too;
//! - [`messages`]: subject and bodies from `templates/emails/<kind>/{subject.txt,body.txt,body.html}`;
//! - [`transport`]: one mail type over SMTP (lettre, `SMTP_URL`) or `.eml` files (`data/mail/`);
//! - [`worker`]: claims pending rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, a conditional
//!   `UPDATE` on SQLite), sends, records each attempt, retries with capped exponential backoff;
//! - [`reminders`]: every minute, enqueues each clock reminder (the 15-day limit, follow-up visits,
//!   judicial confirmation) once per case, kind and deadline;
//! - [`inbox`]: the user's list, read marks, unread count and e-mail preferences.

pub mod inbox;
pub mod messages;
pub mod outbox;
pub mod reminders;
pub mod transport;
pub mod worker;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use utoipa::ToSchema;

use crate::config::Config;
use crate::error::AppError;

/// What a notification is about. Each kind has its templates in `templates/emails/<kind>/` and its
/// label `notify-kind-<kind>` in `locales/*/notify.ftl`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A mediator was made lead (accept) or put on the team (assign).
    Assigned,
    /// A station escalated a case to the street hub: its coordinators.
    Escalated,
    /// The hub referred a case to a unit: that unit's mediators.
    Referred,
    /// Joint mediation: the mediators of each invited unit.
    Invited,
    /// The 15-day limit ends within three days: the lead mediator.
    DueSoon,
    /// The 15-day limit has passed without agreement: the lead mediator.
    Overdue,
    /// The follow-up visit (回访) of an agreement is due: the lead mediator.
    FollowUpDue,
    /// The 30 days to apply for judicial confirmation (人民调解法 art. 33) end within five days and
    /// no application is recorded: the lead mediator.
    ConfirmationNear,
    /// A subsidy period was approved: each mediator with items in it, with their total (no case).
    SubsidyApproved,
    /// The monthly report (月报) of the month before: the addresses an admin chose (no case).
    MonthlyReport,
    /// Someone applied online to a station (DESIGN §10): that station's mediators.
    AppliedOnline,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Assigned,
        Kind::Escalated,
        Kind::Referred,
        Kind::Invited,
        Kind::DueSoon,
        Kind::Overdue,
        Kind::FollowUpDue,
        Kind::ConfirmationNear,
        Kind::SubsidyApproved,
        Kind::MonthlyReport,
        Kind::AppliedOnline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Assigned => "assigned",
            Kind::Escalated => "escalated",
            Kind::Referred => "referred",
            Kind::Invited => "invited",
            Kind::DueSoon => "due_soon",
            Kind::Overdue => "overdue",
            Kind::FollowUpDue => "follow_up_due",
            Kind::ConfirmationNear => "confirmation_near",
            Kind::SubsidyApproved => "subsidy_approved",
            Kind::MonthlyReport => "monthly_report",
            Kind::AppliedOnline => "applied_online",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether a notification of this kind is about one case (and links to it).
    pub fn about_a_case(self) -> bool {
        !matches!(self, Kind::SubsidyApproved | Kind::MonthlyReport)
    }

    /// Whether users choose to get it by e-mail (the monthly report goes to addresses an admin
    /// chose, not to accounts).
    pub fn user_may_choose(self) -> bool {
        self != Kind::MonthlyReport
    }
}

/// Whether a notification still has to go by e-mail, went, gave up, or never will.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmailStatus {
    /// Waiting for the worker (possibly after failed tries).
    Pending,
    Sent,
    /// Given up after the last try (or an error that no retry can fix); admins may retry.
    Failed,
    /// Inbox only: the recipient has no address or does not want this kind by e-mail.
    Skipped,
}

impl EmailStatus {
    pub const ALL: [EmailStatus; 4] = [
        EmailStatus::Pending,
        EmailStatus::Sent,
        EmailStatus::Failed,
        EmailStatus::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EmailStatus::Pending => "pending",
            EmailStatus::Sent => "sent",
            EmailStatus::Failed => "failed",
            EmailStatus::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<EmailStatus> {
        EmailStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

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
