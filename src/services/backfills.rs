//! Stored values that a migration adds but cannot fill itself (they need the app's configured time
//! zone or its own code): the migration names them in `pending_backfills`, and the app fills them
//! when it starts and crosses them off. Two servers starting at once both fill them, which writes
//! the same values twice.

use chrono_tz::Tz;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::ConnectionTrait;

use crate::error::AppError;
use crate::services::cases::{follow_ups_due, name_search};

const TABLE: &str = "pending_backfills";

/// Fills what is still to fill, then crosses it off.
///
/// # Errors
/// Database failures.
pub async fn run_pending(db: &impl ConnectionTrait, tz: Tz) -> Result<(), AppError> {
    let select = Query::select()
        .column(Alias::new("name"))
        .from(Alias::new(TABLE))
        .to_owned();
    let mut names = Vec::new();
    for row in db.query_all(&select).await? {
        names.push(row.try_get::<String>("", "name")?);
    }
    for name in names {
        match name.as_str() {
            "follow_up_due_on" => {
                let cases = follow_ups_due::backfill(db, tz).await?;
                tracing::info!(cases, "follow-up due days stored");
            }
            "party_name_suffixes" => {
                let parties = name_search::backfill(db).await?;
                tracing::info!(parties, "party names indexed for search");
            }
            other => {
                tracing::warn!(backfill = other, "unknown pending backfill left alone");
                continue;
            }
        }
        let delete = Query::delete()
            .from_table(Alias::new(TABLE))
            .and_where(Expr::col(Alias::new("name")).eq(name.as_str()))
            .to_owned();
        db.execute(&delete).await?;
    }
    Ok(())
}
