//! `GET /api/v1/stats`: the street's figures for a range of local days (DESIGN §6, §11).

use axum::extract::State;
use axum::Json;
use chrono::Utc;

use super::{ApiUser, ErrorBody};
use crate::error::AppError;
use crate::services::stats::{self, StatsOut};
use crate::web::extract::ApiQuery;
use crate::web::shapes::StatsQuery;
use crate::web::AppState;

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
