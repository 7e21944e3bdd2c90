//! The monthly report (月报): on the first working day of each month the headline and the tables of
//! the month before go by e-mail, through the outbox, to the addresses an admin chose.
//!
//! Both the addresses and the record that a month's report went live in the `settings` table: the
//! addresses under [`RECIPIENTS`], and one row `monthly_report_sent:YYYY-MM` per report, inserted
//! in the transaction that writes the e-mails. With two app servers scanning at once, the primary
//! key lets only one insert it; the other writes nothing.

use chrono::{DateTime, Utc};
use entity::settings;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use serde_json::{json, Value};
use validator::ValidateEmail;

use crate::config::Config;
use crate::db::begin_write;
use crate::domain::case_terms::{DisputeType, Grade, Source};
use crate::domain::clocks::local_date;
use crate::domain::money;
use crate::domain::notifications::{Kind, Recipient};
use crate::domain::role::Role;
use crate::domain::stats::monthly_report_due;
use crate::error::{AppError, Message};
use crate::i18n::{self, Lang};
use crate::mail::queue::{self, NewNotification};
use crate::services::auth::CurrentUser;
use crate::services::calendar;
use crate::services::command::Command;
use crate::services::stats::{stats_in_scope, Scope, StatsOut, StatsRange};

/// The key of the report's addresses (a JSON array of e-mail addresses).
pub const RECIPIENTS: &str = "monthly_report_recipients";
const SENT_PREFIX: &str = "monthly_report_sent:";
/// At most this many addresses.
pub const MAX_RECIPIENTS: usize = 50;

/// The addresses the report goes to (none until an admin chooses).
///
/// # Errors
/// Database failures.
pub async fn recipients(db: &impl ConnectionTrait) -> Result<Vec<String>, AppError> {
    let Some(row) = settings::Entity::find_by_id(RECIPIENTS.to_owned())
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    Ok(serde_json::from_str(&row.value).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "stored monthly-report recipients unreadable");
        Vec::new()
    }))
}

/// Reads addresses written one a line (or separated by commas, semicolons or spaces).
pub fn parse_addresses(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == ';' || c == '，' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Replaces the addresses (admins only); an empty list stops the report. The role (403), the list
/// (422 when missing), each address (422), then the one settings writer.
///
/// # Errors
/// 403 for other roles; 422 naming `recipients` for a missing list, an address that is not one,
/// or too many.
pub async fn set_recipients(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    command: impl Command<Params = Vec<String>>,
) -> Result<Vec<String>, AppError> {
    actor.require(&[Role::Admin])?;
    let addresses = command.params()?;
    let mut clean: Vec<String> = Vec::new();
    for a in addresses {
        let a = a.trim().to_lowercase();
        if a.is_empty() {
            continue;
        }
        if !a.validate_email() {
            return Err(AppError::field("recipients", Message::key("err-email")));
        }
        if !clean.contains(&a) {
            clean.push(a);
        }
    }
    if clean.len() > MAX_RECIPIENTS {
        return Err(AppError::field(
            "recipients",
            Message::with("err-length-max", &[("max", MAX_RECIPIENTS.to_string())]),
        ));
    }
    let value = serde_json::to_string(&clean)
        .map_err(|e| AppError::Internal(format!("recipients: {e}")))?;
    crate::services::settings::write_audited(
        db,
        Some(actor.id),
        RECIPIENTS,
        value,
        "settings.monthly_report_recipients",
    )
    .await?;
    Ok(clean)
}

/// The template values of a month's report: the headline, the figures and the tables.
pub fn report_data(month: &str, s: &StatsOut) -> Value {
    let lang = Lang::Zh;
    let rows =
        |prefix: &str,
         names: Vec<&'static str>,
         map: &std::collections::BTreeMap<&'static str, crate::services::stats::Tally>| {
            names
                .into_iter()
                .filter_map(|n| map.get(n).map(|t| (n, t)))
                .map(|(n, t)| {
                    json!({
                        "label": i18n::t(lang, &format!("{prefix}-{n}")),
                        "received": t.received,
                        "amount": money::format_yuan(t.amount_claimed_fen),
                        "people": t.people_involved,
                    })
                })
                .collect::<Vec<_>>()
        };
    let units: Vec<Value> = s
        .by_unit
        .iter()
        .map(|u| {
            json!({
                "label": u.unit_name,
                "received": u.tally.received,
                "amount": money::format_yuan(u.tally.amount_claimed_fen),
                "people": u.tally.people_involved,
            })
        })
        .collect();
    let t = |key: &str| i18n::t(lang, key);
    json!({
        "period": month,
        "headline": s.headline.text,
        "from": s.from.to_string(),
        "to": s.to.to_string(),
        "figures": [
            {"label": t("stats-received"), "value": s.received.to_string()},
            {"label": t("stats-closed"), "value": s.closed.to_string()},
            {"label": t("stats-resolved"), "value": s.resolved.to_string()},
            {"label": t("stats-success-rate"), "value": s.success_rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0))},
            {"label": t("stats-amount"), "value": money::format_yuan(s.amount_claimed_fen)},
            {"label": t("stats-people"), "value": s.people_involved.to_string()},
            {"label": t("stats-avg-days"), "value": s.avg_days_to_close.map_or_else(|| "—".to_owned(), |d| format!("{d:.1}"))},
            {"label": t("stats-overdue"), "value": s.overdue_open.to_string()},
        ],
        "tables": [
            {"title": t("stats-by-grade"), "rows": rows("grade", Grade::ALL.map(Grade::as_str).to_vec(), &s.by_grade)},
            {"title": t("stats-by-dispute-type"), "rows": rows("dispute-type", DisputeType::ALL.map(DisputeType::as_str).to_vec(), &s.by_dispute_type)},
            {"title": t("stats-by-source"), "rows": rows("source", Source::ALL.map(Source::as_str).to_vec(), &s.by_source)},
            {"title": t("stats-by-unit"), "rows": units},
        ],
    })
}

/// Sends the report of the month before when `now` is on the first working day of its month
/// (local), once across all servers. Returns the month sent, if this call sent it.
///
/// # Errors
/// Database failures.
pub async fn run_once(
    db: &DatabaseConnection,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    let tz = config.time_zone;
    let cal = calendar::load(db).await?;
    let Some((month, from, to)) = monthly_report_due(local_date(now, tz), &cal) else {
        return Ok(None);
    };
    let addresses = recipients(db).await?;
    if addresses.is_empty() {
        return Ok(None);
    }
    let label = month.label();
    let sent_key = format!("{SENT_PREFIX}{label}");
    if settings::Entity::find_by_id(sent_key.clone())
        .one(db)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let range = StatsRange {
        from,
        to,
        unit_id: None,
    };
    let stats = stats_in_scope(db, tz, Scope::Street, range, now).await?;
    let data = report_data(&label, &stats);
    let txn = begin_write(db).await?;
    let sent = json!({"sent_at": now, "recipients": addresses.len()}).to_string();
    if !crate::services::settings::insert_if_absent(&txn, &sent_key, sent).await? {
        txn.rollback().await?;
        return Ok(None);
    }
    for address in &addresses {
        queue::enqueue(
            &txn,
            NewNotification {
                kind: Kind::MonthlyReport,
                case: None,
                recipient: Recipient {
                    user_id: None,
                    name: address.clone(),
                    email: Some(address.clone()),
                },
                data: data.clone(),
            },
        )
        .await?;
    }
    txn.commit().await?;
    tracing::info!(month = %label, recipients = addresses.len(), "monthly report enqueued");
    Ok(Some(label))
}
