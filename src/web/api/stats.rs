//! `GET /api/v1/stats`: the street's figures for a range of local days (DESIGN §6, §11).

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ApiUser, ErrorBody};
use crate::error::{AppError, Message};
use crate::services::stats::{self, StatsOut, StatsRange};
use crate::web::extract::{ApiQuery, Checker};
use crate::web::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct StatsQuery {
    /// First local day, `YYYY-MM-DD` (default: the first day of the month eleven months before `to`).
    pub from: Option<String>,
    /// Last local day, inclusive (default: today).
    pub to: Option<String>,
    /// Only the cases at this unit now.
    pub unit_id: Option<String>,
}

impl StatsQuery {
    /// # Errors
    /// 422 naming `from`, `to` or `unit_id` when malformed, `to` when before `from`.
    pub fn range(&self, today: chrono::NaiveDate) -> Result<StatsRange, AppError> {
        let mut c = Checker::default();
        let from = c.optional_date("from", &self.from);
        let to = c.optional_date("to", &self.to);
        let unit_id = match self.unit_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => match text.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    c.add("unit_id", Message::key("err-whole-number"));
                    None
                }
            },
        };
        let (from, to, unit_id) = c.finish((from, to, unit_id))?;
        StatsRange::new(from, to, unit_id, today)
    }
}

/// The figures of the cases the signed-in user may see: received-based ones over the cases
/// received in the range, closed-based ones over the cases closed in it, overdue as of now, and
/// month by month.
#[utoipa::path(get, path = "/api/v1/stats", params(StatsQuery),
    responses((status = 200, body = StatsOut), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> Result<Json<StatsOut>, AppError> {
    let tz = state.config.time_zone;
    let range = query.range(stats::today(tz))?;
    Ok(Json(
        stats::stats(&state.db, tz, &user, range, Utc::now()).await?,
    ))
}
