//! `/api/v1/calendar/days`: the holidays and working weekend days every clock counts with. The
//! request body is shared with the calendar page.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::{ApiUser, ErrorBody, ListOut};
use crate::domain::clocks::DayKind;

use crate::error::{AppError, Message};
use crate::services::calendar::{self, CalendarDay};
use crate::services::command::Command;
use crate::services::PageRequest;
use crate::web::extract::{ApiJson, ApiQuery, Checker};
use crate::web::AppState;

/// A calendar entry as sent by a form or a JSON client. Every field is optional here so that a
/// missing one is reported by name (422) rather than as unreadable JSON.
#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct CalendarDayBody {
    /// `YYYY-MM-DD`.
    #[schema(example = "2026-10-01")]
    pub date: Option<String>,
    /// `holiday` (a statutory holiday) or `workday` (a Saturday or Sunday declared a working day).
    pub kind: Option<String>,
    /// What the day is, e.g. `国庆节` or `国庆节调休上班`.
    #[validate(length(max = 100))]
    pub name: Option<String>,
}

impl CalendarDayBody {
    /// Checks every field, or 422 naming each wrong one.
    ///
    /// # Errors
    /// 422 with the field errors.
    pub fn check(&self) -> Result<CalendarDay, AppError> {
        let mut c = Checker::validated(self);
        let date = required_date(&mut c, "date", &self.date);
        let kind = c.choice("kind", &self.kind, DayKind::parse);
        let name = c.text("name", &self.name);
        c.finish(CalendarDay {
            day: date.unwrap_or_default(),
            kind: kind.unwrap_or(DayKind::Holiday),
            name,
        })
    }
}

/// `POST /calendar/days` and the calendar page's form.
impl Command for CalendarDayBody {
    type Params = CalendarDay;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<CalendarDay, AppError> {
        self.check()
    }
}

/// The date of `DELETE /calendar/days/{date}` and of the page's remove button, as typed.
pub struct DayInPath<'a>(pub &'a str);

impl Command for DayInPath<'_> {
    type Params = NaiveDate;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<NaiveDate, AppError> {
        path_date(self.0)
    }
}

/// A required date `YYYY-MM-DD`.
fn required_date(c: &mut Checker, field: &str, value: &Option<String>) -> Option<NaiveDate> {
    let date = c.optional_date(field, value);
    if date.is_none() {
        c.add(field, Message::key("err-required"));
    }
    date
}

/// A date of the path, or 422 naming `date`.
///
/// # Errors
/// 422 naming `date` when it is not `YYYY-MM-DD`.
pub fn path_date(text: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field("date", Message::key("err-date")))
}

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
