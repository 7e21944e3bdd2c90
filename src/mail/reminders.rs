//! The reminder scheduler: every `REMINDER_INTERVAL_SECS` (a minute) each app server looks for
//! clocks running out and enqueues each reminder once per case, kind and deadline. Several servers
//! may look at once: the unique row in `reminders_sent`, inserted in the same transaction as the
//! notifications, decides which one enqueues; the others insert nothing and enqueue nothing.
//!
//! Adding a kind is one finder function (a query and `domain::clocks`) returning [`Due`]s, one line
//! in [`find_due`], and its templates.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::{cases, reminders_sent};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{json, Value};
use tokio::sync::watch;

use super::outbox::{self, NewNotification, Recipient};
use super::Kind;
use crate::config::Config;
use crate::domain::clocks::{self, Calendar, DeadlineState};
use crate::domain::workflow::Status;
use crate::error::AppError;
use crate::services::{calendar, cases as case_service};

/// One reminder that is due: for `case`, of `kind`, about the clock ending at `due_at`.
pub struct Due {
    pub case: cases::Model,
    pub kind: Kind,
    /// The end of the clock it is about; a new deadline (an extension) allows a new reminder.
    pub due_at: DateTime<Utc>,
    pub recipients: Vec<Recipient>,
    /// Template values besides the case's own.
    pub data: Value,
}

/// What every finder gets.
pub struct Scan<'a> {
    pub db: &'a DatabaseConnection,
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub calendar: Calendar,
}

/// All reminders due now, of every kind.
///
/// # Errors
/// Database failures.
pub async fn find_due(scan: &Scan<'_>) -> Result<Vec<Due>, AppError> {
    let mut due = Vec::new();
    due.extend(mediation_deadline(scan).await?);
    // Follow-ups due and judicial-confirmation dates near: one finder each, added here.
    Ok(due)
}

/// The 15-day mediation limit (劳动争议调解仲裁法 art. 14): `due_soon` when at most three days are
/// left, `overdue` once it has passed, while the case is neither agreed nor closed. The lead
/// mediator is told; a case nobody leads yet goes to the coordinators of its hub.
async fn mediation_deadline(scan: &Scan<'_>) -> Result<Vec<Due>, AppError> {
    // Every case whose deadline could be within the due-soon window (three local days, plus the
    // rest of today and a time-zone margin); the clocks decide exactly.
    let horizon = scan.now + chrono::Duration::days(clocks::DUE_SOON_DAYS + 2);
    let open = [Status::Registered, Status::Accepted, Status::Mediating].map(Status::as_str);
    let candidates = cases::Entity::find()
        .filter(cases::Column::Status.is_in(open))
        .filter(cases::Column::DeadlineAt.lte(horizon))
        .order_by_asc(cases::Column::DeadlineAt)
        .all(scan.db)
        .await?;
    let mut due = Vec::new();
    for case in candidates {
        let kind = match clocks::deadline_state(case.deadline_at, scan.now, scan.tz) {
            DeadlineState::Open => continue,
            DeadlineState::DueSoon => Kind::DueSoon,
            DeadlineState::Overdue => Kind::Overdue,
        };
        let team = case_service::active_team(scan.db, case.id).await?;
        let lead = case_service::lead_of(&team);
        let recipients = match lead {
            Some(lead) => outbox::mediator_recipients(scan.db, lead.mediator_id).await?,
            None => outbox::coordinators_of_hub(scan.db, case.hub_id).await?,
        };
        let days_left = clocks::days_left(case.deadline_at, scan.now, scan.tz);
        due.push(Due {
            kind,
            due_at: case.deadline_at,
            recipients,
            data: json!({ "days_left": days_left.max(0), "for_lead": lead.is_some() }),
            case,
        });
    }
    Ok(due)
}

/// One scan: finds what is due and enqueues each reminder nobody has enqueued yet. Returns the
/// number of reminders this server enqueued.
///
/// # Errors
/// Database failures.
pub async fn run_once(
    db: &DatabaseConnection,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let scan = Scan {
        db,
        now,
        tz: config.time_zone,
        calendar: calendar::load(db).await?,
    };
    let mut enqueued = 0;
    for due in find_due(&scan).await? {
        if due.recipients.is_empty() {
            continue;
        }
        let txn = crate::db::begin_write(db).await?;
        let inserted = reminders_sent::Entity::insert(reminders_sent::ActiveModel {
            case_id: Set(due.case.id),
            kind: Set(due.kind.as_str().to_owned()),
            due_at: Set(due.due_at),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                reminders_sent::Column::CaseId,
                reminders_sent::Column::Kind,
                reminders_sent::Column::DueAt,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if inserted == 0 {
            // Already enqueued, here or by another server.
            txn.rollback().await?;
            continue;
        }
        for recipient in &due.recipients {
            outbox::enqueue(
                &txn,
                NewNotification {
                    kind: due.kind,
                    case: Some(&due.case),
                    recipient: recipient.clone(),
                    data: due.data.clone(),
                },
            )
            .await?;
        }
        txn.commit().await?;
        enqueued += 1;
        tracing::info!(
            case_id = due.case.id,
            kind = due.kind.as_str(),
            "reminder enqueued"
        );
    }
    Ok(enqueued)
}

/// Runs [`run_once`] at start and then every `REMINDER_INTERVAL_SECS` until `stop`.
pub async fn run(db: DatabaseConnection, config: Arc<Config>, mut stop: watch::Receiver<bool>) {
    let every = Duration::from_secs(config.reminder_interval_secs.max(1));
    loop {
        if *stop.borrow() {
            break;
        }
        if let Err(e) = run_once(&db, &config, Utc::now()).await {
            tracing::error!(error = %e, "reminder scan failed; trying again at the next one");
        }
        tokio::select! {
            changed = stop.changed() => if changed.is_err() { break },
            () = tokio::time::sleep(every) => {}
        }
    }
}
