//! `/api/v1/calendar/days`: the holidays and working weekend days every clock counts with. The
//! request body, shared with the calendar page, is in `web::shapes`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiUser, ErrorBody, ListOut};
use crate::error::AppError;
use crate::services::calendar::{self, CalendarDay};
use crate::services::PageRequest;
use crate::web::extract::{ApiJson, ApiQuery};
use crate::web::shapes::{CalendarDayBody, DayInPath};
use crate::web::AppState;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CalendarDayOut {
    pub date: NaiveDate,
    #[schema(value_type = String, example = "holiday")]
    pub kind: String,
    pub name: String,
}

impl From<CalendarDay> for CalendarDayOut {
    fn from(d: CalendarDay) -> CalendarDayOut {
        CalendarDayOut {
            date: d.day,
            kind: d.kind.as_str().to_owned(),
            name: d.name,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct CalendarQuery {
    /// Only the entries of this year.
    pub year: Option<i32>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// Lists the calendar's holidays and working weekend days in date order (any signed-in user).
#[utoipa::path(get, path = "/api/v1/calendar/days", params(CalendarQuery),
    responses((status = 200, body = ListOut<CalendarDayOut>), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn index(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    ApiQuery(query): ApiQuery<CalendarQuery>,
) -> Result<Json<ListOut<CalendarDayOut>>, AppError> {
    let page = calendar::list(
        &state.db,
        query.year,
        PageRequest::parse(query.page, query.per_page)?,
    )
    .await?;
    Ok(Json(ListOut::from_page(page, CalendarDayOut::from)))
}

/// Adds a holiday or a working weekend day (admin).
#[utoipa::path(post, path = "/api/v1/calendar/days", request_body = CalendarDayBody,
    responses((status = 201, body = CalendarDayOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<CalendarDayBody>,
) -> Result<(StatusCode, Json<CalendarDayOut>), AppError> {
    let added = calendar::add(&state.db, &user, body).await?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// Removes a date from the calendar (admin): it becomes an ordinary day again.
#[utoipa::path(delete, path = "/api/v1/calendar/days/{date}", params(("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(date = %date))]
pub async fn remove(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(date): Path<String>,
) -> Result<StatusCode, AppError> {
    calendar::remove(&state.db, &user, DayInPath(&date)).await?;
    Ok(StatusCode::NO_CONTENT)
}
