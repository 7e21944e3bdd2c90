//! The reminder scheduler: every `REMINDER_INTERVAL_SECS` (a minute) each app server looks for
//! clocks running out and enqueues each reminder once per case, kind and deadline. Several servers
//! may look at once: the unique row in `reminders_sent`, inserted in the same transaction as the
//! notifications, decides which one enqueues; the others insert nothing and enqueue nothing.
//!
//! Adding a kind is one finder function (a query and `domain::clocks`) returning [`Due`]s, one line
//! in [`find_due`], and its templates.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{agreements, cases, reminders_sent};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{json, Value};
use tokio::sync::watch;

use super::routing;
use crate::config::Config;
use crate::domain::clocks::{self, Calendar, DeadlineState};
use crate::domain::notifications::{Kind, Recipient};
use crate::domain::workflow::{Outcome, Status};
use crate::error::AppError;
use crate::mail::queue::{self, NewNotification};
use crate::services::cases::follow_ups_due::{self, Scope};
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
    due.extend(follow_up_visits(scan).await?);
    due.extend(confirmation_near(scan).await?);
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
            Some(lead) => routing::mediator_recipients(scan.db, lead.mediator_id).await?,
            None => routing::coordinators_of_hub(scan.db, case.hub_id).await?,
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

/// How many days before the last day to apply for judicial confirmation the lead is reminded.
pub const CONFIRMATION_NEAR_DAYS: i64 = 5;

/// A local day as the e-mails write it.
fn day_zh(day: NaiveDate) -> String {
    day.format("%Y年%-m月%-d日").to_string()
}

/// The lead mediator of a case, else (nobody leads) the coordinators of its hub; and which.
async fn lead_or_hub(
    scan: &Scan<'_>,
    case: &cases::Model,
    lead_mediator_id: Option<i64>,
) -> Result<(Vec<Recipient>, bool), AppError> {
    Ok(match lead_mediator_id {
        Some(lead) => (routing::mediator_recipients(scan.db, lead).await?, true),
        None => (
            routing::coordinators_of_hub(scan.db, case.hub_id).await?,
            false,
        ),
    })
}

/// The (case, due_at) pairs of `kind` already enqueued among `case_ids`: a reminder already sent
/// needs no recipients looked up again at every scan.
async fn already_sent(
    scan: &Scan<'_>,
    kind: Kind,
    case_ids: Vec<i64>,
) -> Result<HashSet<(i64, DateTime<Utc>)>, AppError> {
    if case_ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(reminders_sent::Entity::find()
        .filter(reminders_sent::Column::Kind.eq(entity::terms::NotificationKind::from(kind)))
        .filter(reminders_sent::Column::CaseId.is_in(case_ids))
        .all(scan.db)
        .await?
        .into_iter()
        .map(|r| (r.case_id, r.due_at))
        .collect())
}

async fn cases_by_id(
    scan: &Scan<'_>,
    ids: Vec<i64>,
) -> Result<HashMap<i64, cases::Model>, AppError> {
    Ok(cases::Entity::find()
        .filter(cases::Column::Id.is_in(ids))
        .all(scan.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect())
}

/// Follow-up visits (回访) due by today, as the case page and `/follow-ups` count them
/// (`services::cases::follow_ups_due`): once per case and due day, to the lead mediator (the
/// coordinators of the hub when nobody leads). A visit recorded settles it; a new due day (a new
/// agreement, a later instalment) allows a new reminder.
async fn follow_up_visits(scan: &Scan<'_>) -> Result<Vec<Due>, AppError> {
    let today = clocks::local_date(scan.now, scan.tz);
    let items = follow_ups_due::list(scan.db, Scope::Everyone, today, today).await?;
    let sent = already_sent(
        scan,
        Kind::FollowUpDue,
        items.iter().map(|i| i.case_id).collect(),
    )
    .await?;
    let items: Vec<_> = items
        .into_iter()
        .map(|i| (clocks::end_of_local_day(i.due_on, scan.tz), i))
        .filter(|(due_at, i)| !sent.contains(&(i.case_id, *due_at)))
        .collect();
    let mut cases = cases_by_id(scan, items.iter().map(|(_, i)| i.case_id).collect()).await?;
    let mut due = Vec::new();
    for (due_at, item) in items {
        let Some(case) = cases.remove(&item.case_id) else {
            continue;
        };
        let (recipients, for_lead) = lead_or_hub(scan, &case, item.lead_mediator_id).await?;
        due.push(Due {
            kind: Kind::FollowUpDue,
            due_at,
            recipients,
            data: json!({
                "due_day": day_zh(item.due_on),
                "days_overdue": item.days_overdue.max(0),
                "for_lead": for_lead,
            }),
            case,
        });
    }
    Ok(due)
}

/// The last day to apply for judicial confirmation (人民调解法 art. 33, `clocks::
/// confirmation_last_day`) within [`CONFIRMATION_NEAR_DAYS`] days, no application recorded, the
/// agreement in force and its case not closed as failed: once per agreement's last day, to the
/// lead mediator (the coordinators of the hub when nobody leads).
async fn confirmation_near(scan: &Scan<'_>) -> Result<Vec<Due>, AppError> {
    let today = clocks::local_date(scan.now, scan.tz);
    // Signed 30 days before a last day between today and five days on, give or take the days a
    // last day can move off rest days (a long holiday) and a time-zone margin; the clock decides.
    let earliest =
        scan.now - chrono::Duration::days(i64::from(clocks::CONFIRMATION_PERIOD_DAYS) + 15);
    let latest = scan.now
        - chrono::Duration::days(
            i64::from(clocks::CONFIRMATION_PERIOD_DAYS) - CONFIRMATION_NEAR_DAYS - 2,
        );
    let mut near = Vec::new();
    for a in agreements::Entity::find()
        .filter(agreements::Column::Superseded.eq(false))
        .filter(agreements::Column::ConfirmationAppliedOn.is_null())
        .filter(agreements::Column::SignedAt.gte(earliest))
        .filter(agreements::Column::SignedAt.lte(latest))
        .order_by_asc(agreements::Column::Id)
        .all(scan.db)
        .await?
    {
        let last_day = clocks::confirmation_last_day(a.signed_at, scan.tz, &scan.calendar);
        let days_left = (last_day - today).num_days();
        if (0..=CONFIRMATION_NEAR_DAYS).contains(&days_left) {
            near.push((a, last_day, days_left));
        }
    }
    let sent = already_sent(
        scan,
        Kind::ConfirmationNear,
        near.iter().map(|(a, ..)| a.case_id).collect(),
    )
    .await?;
    near.retain(|(a, last_day, _)| {
        !sent.contains(&(a.case_id, clocks::end_of_local_day(*last_day, scan.tz)))
    });
    let cases = cases_by_id(scan, near.iter().map(|(a, ..)| a.case_id).collect()).await?;
    let mut due = Vec::new();
    for (agreement, last_day, days_left) in near {
        let Some(case) = cases.get(&agreement.case_id) else {
            continue;
        };
        if case.outcome.map(Outcome::from) == Some(Outcome::Failed) {
            continue;
        }
        let team = case_service::active_team(scan.db, case.id).await?;
        let lead = case_service::lead_of(&team).map(|a| a.mediator_id);
        let (recipients, for_lead) = lead_or_hub(scan, case, lead).await?;
        due.push(Due {
            kind: Kind::ConfirmationNear,
            due_at: clocks::end_of_local_day(last_day, scan.tz),
            recipients,
            data: json!({
                "due_day": day_zh(last_day),
                "days_left": days_left,
                "for_lead": for_lead,
            }),
            case: case.clone(),
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
            kind: Set(due.kind.into()),
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
            queue::enqueue(
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
        if let Err(e) = crate::services::monthly_report::run_once(&db, &config, Utc::now()).await {
            tracing::error!(error = %e, "monthly report failed; trying again at the next scan");
        }
        let tz = config.time_zone;
        if let Err(e) = crate::services::warnings::refresh_street(&db, tz, Utc::now()).await {
            tracing::error!(error = %e, "warnings refresh failed; trying again at the next scan");
        }
        tokio::select! {
            changed = stop.changed() => if changed.is_err() { break },
            () = tokio::time::sleep(every) => {}
        }
    }
}
