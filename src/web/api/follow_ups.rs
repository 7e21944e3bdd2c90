//! `/api/v1/follow_ups/due`: the follow-up visits (回访) due by a day, in the caller's scope.

use axum::extract::State;
use axum::Json;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiUser, ErrorBody};
use crate::domain::clocks;
use crate::error::AppError;
use crate::services::cases::follow_ups_due::{self, FollowUpDue, Scope};
use crate::web::extract::{ApiQuery, Checker};
use crate::web::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct DueQuery {
    /// `YYYY-MM-DD`: the visits due on or before this local day (default today).
    pub until: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DueOut {
    pub until: NaiveDate,
    /// The street's local date today; `days_overdue` counts from it.
    pub today: NaiveDate,
    pub total: u64,
    /// Overdue first: by due day, then case number.
    pub items: Vec<FollowUpDue>,
}

/// Lists the follow-up visits due on or before `until` (coordinators: the whole street; mediators:
/// the cases they see), with the case number, the lead mediator and the days overdue.
#[utoipa::path(get, path = "/api/v1/follow_ups/due", params(DueQuery),
    responses((status = 200, body = DueOut), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn due(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<DueQuery>,
) -> Result<Json<DueOut>, AppError> {
    user.require(&follow_ups_due::LIST_ROLES)?;
    let tz = state.config.time_zone;
    let today = clocks::local_date(Utc::now(), tz);
    let mut c = Checker::default();
    let until = c.optional_date("until", &query.until).unwrap_or(today);
    c.finish(())?;
    let items = follow_ups_due::list(&state.db, Scope::User(&user), until, today).await?;
    Ok(Json(DueOut {
        until,
        today,
        total: items.len() as u64,
        items,
    }))
}
