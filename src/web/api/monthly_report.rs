//! `/api/v1/settings/monthly_report`: the addresses the monthly report (月报) goes to.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiUser, ErrorBody};
use crate::domain::role::Role;
use crate::error::{AppError, Message};
use crate::services::command::Command;
use crate::services::monthly_report;
use crate::web::extract::ApiJson;
use crate::web::AppState;

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct MonthlyReportBody {
    /// E-mail addresses; an empty list stops the report. Required: a PUT replaces the list.
    pub recipients: Option<Vec<String>>,
}

/// `PUT /settings/monthly_report`: the list is required (a PUT replaces it).
impl Command for MonthlyReportBody {
    type Params = Vec<String>;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<Vec<String>, AppError> {
        self.recipients
            .ok_or_else(|| AppError::field("recipients", Message::key("err-required")))
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MonthlyReportOut {
    pub recipients: Vec<String>,
}

/// The addresses the monthly report goes to (admin).
#[utoipa::path(get, path = "/api/v1/settings/monthly_report",
    responses((status = 200, body = MonthlyReportOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<MonthlyReportOut>, AppError> {
    user.require(&[Role::Admin])?;
    Ok(Json(MonthlyReportOut {
        recipients: monthly_report::recipients(&state.db).await?,
    }))
}

/// Replaces the addresses (admin): on the first working day of each month the headline and the
/// tables of the month before go to each.
#[utoipa::path(put, path = "/api/v1/settings/monthly_report", request_body = MonthlyReportBody,
    responses((status = 200, body = MonthlyReportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<MonthlyReportBody>,
) -> Result<Json<MonthlyReportOut>, AppError> {
    Ok(Json(MonthlyReportOut {
        recipients: monthly_report::set_recipients(&state.db, &user, body).await?,
    }))
}
