//! `/api/v1/warnings` (early warnings, 预警: list, one with its cases, record what was done or
//! close) and `/api/v1/settings/warnings` (the thresholds of the four rules).

use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::{ApiUser, ErrorBody, ListOut};
use crate::domain::warnings::WarningThresholds;
use crate::error::AppError;
use crate::services::warnings::{self, WarningDetail, WarningOut};
use crate::services::PageRequest;
use crate::web::extract::{ApiJson, ApiQuery};
use crate::web::shapes::{WarningActionBody, WarningSettingsBody, WarningsQuery};
use crate::web::AppState;

/// The warnings, newest first, computed afresh over the cases the reader may see (coordinators,
/// admins, viewers).
#[utoipa::path(get, path = "/api/v1/warnings", params(WarningsQuery),
    responses((status = 200, body = ListOut<WarningOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn index(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<WarningsQuery>,
) -> Result<Json<ListOut<WarningOut>>, AppError> {
    user.require(&warnings::READ_ROLES)?;
    let filter = query.filter()?;
    let page = PageRequest::parse(query.page, query.per_page)?;
    let found = warnings::list(&state.db, state.config.time_zone, &user, filter, page).await?;
    Ok(Json(ListOut::from_page(found, |w| w)))
}

/// One warning with its cases (newest first, those the reader may see) and what was recorded.
#[utoipa::path(get, path = "/api/v1/warnings/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = WarningDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<WarningDetail>, AppError> {
    Ok(Json(
        warnings::detail(&state.db, state.config.time_zone, &user, id).await?,
    ))
}

/// Records what was done on a warning, or closes it (coordinators). A closed warning reopens
/// by itself only when new cases join it.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/actions", params(("id" = i64, Path)), request_body = WarningActionBody,
    responses((status = 200, body = WarningDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(warning_id = id))]
pub async fn act(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<WarningActionBody>,
) -> Result<Json<WarningDetail>, AppError> {
    user.require(&warnings::READ_ROLES)?;
    let (action, text, version) = body.check()?;
    Ok(Json(
        warnings::act(
            &state.db,
            state.config.time_zone,
            &user,
            id,
            action,
            text,
            version,
        )
        .await?,
    ))
}

/// The thresholds as stored.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct WarningSettingsOut {
    pub respondent_days: i64,
    pub respondent_min_cases: i64,
    pub applicant_days: i64,
    pub applicant_min_cases: i64,
    pub surge_recent_days: i64,
    pub surge_baseline_days: i64,
    pub surge_min_cases: i64,
    pub surge_ratio_percent: i64,
    pub collective_days: i64,
    pub collective_min_cases: i64,
}

impl From<WarningThresholds> for WarningSettingsOut {
    fn from(t: WarningThresholds) -> WarningSettingsOut {
        WarningSettingsOut {
            respondent_days: t.respondent_days,
            respondent_min_cases: t.respondent_min_cases,
            applicant_days: t.applicant_days,
            applicant_min_cases: t.applicant_min_cases,
            surge_recent_days: t.surge_recent_days,
            surge_baseline_days: t.surge_baseline_days,
            surge_min_cases: t.surge_min_cases,
            surge_ratio_percent: t.surge_ratio_percent,
            collective_days: t.collective_days,
            collective_min_cases: t.collective_min_cases,
        }
    }
}

/// The warning thresholds in force (any signed-in user).
#[utoipa::path(get, path = "/api/v1/settings/warnings",
    responses((status = 200, body = WarningSettingsOut), (status = 401, body = ErrorBody)))]
pub async fn show_settings(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<WarningSettingsOut>, AppError> {
    Ok(Json(warnings::thresholds(&state.db).await?.into()))
}

/// Replaces the warning thresholds (admin). Each has a range; the surge baseline is at least as
/// long as the recent window.
#[utoipa::path(put, path = "/api/v1/settings/warnings", request_body = WarningSettingsBody,
    responses((status = 200, body = WarningSettingsOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn update_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<WarningSettingsBody>,
) -> Result<Json<WarningSettingsOut>, AppError> {
    Ok(Json(
        warnings::set_thresholds(&state.db, &user, body)
            .await?
            .into(),
    ))
}
