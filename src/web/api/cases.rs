//! `/api/v1/cases`: intake, the list, one case, and the workflow actions.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiUser, ErrorBody};
use crate::error::AppError;
use crate::services::cases::actions;
use crate::services::cases::candidates::{self, Suggestion};
use crate::services::cases::edit;
use crate::services::cases::intake;
use crate::services::cases::list as case_list;
use crate::services::cases::view::{self, CaseDetail, CaseOut};
use crate::services::PageRequest;
use crate::web::extract::{ApiJson, ApiQuery};
use crate::web::shapes::{ActionBody, CaseBody, CaseDetailsBody, CaseQuery};
use crate::web::AppState;

/// One page of cases: `total` is exact up to 10,000 and 10,000 with `total_capped` beyond;
/// `next_after` continues the list from the last case of this page.
#[derive(Serialize, ToSchema)]
pub struct CaseListOut {
    pub items: Vec<CaseOut>,
    pub total: u64,
    pub total_capped: bool,
    pub page: u64,
    pub per_page: u64,
    pub next_after: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct DetailQuery {
    /// `pii`: show ID and phone numbers in full (audited; only for those who may act on the case).
    pub reveal: Option<String>,
}

/// Registers a case (mediators at their unit, coordinators anywhere).
#[utoipa::path(post, path = "/api/v1/cases", request_body = CaseBody,
    responses((status = 201, body = CaseOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<CaseBody>,
) -> Result<(StatusCode, Json<CaseOut>), AppError> {
    user.require(&intake::INTAKE_ROLES)?;
    let input = body.check()?;
    let tz = state.config.time_zone;
    let case = intake::intake(&state.db, tz, &user, input).await?;
    let cal = crate::services::calendar::load(&state.db).await?;
    Ok((
        StatusCode::CREATED,
        Json(CaseOut::build(&case, tz, &cal, Utc::now())),
    ))
}

/// The cases the signed-in user may see, filtered and paged.
#[utoipa::path(get, path = "/api/v1/cases", params(CaseQuery),
    responses((status = 200, body = CaseListOut), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn index(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<CaseQuery>,
) -> Result<Json<CaseListOut>, AppError> {
    let filter = query.filter()?;
    let page = PageRequest::parse(query.page, query.per_page)?;
    let after = query
        .after
        .as_deref()
        .filter(|a| !a.trim().is_empty())
        .map(case_list::Cursor::parse)
        .transpose()?;
    let list = case_list::list_after(
        &state.db,
        state.config.time_zone,
        &user,
        &filter,
        page,
        after,
    )
    .await?;
    Ok(Json(CaseListOut {
        items: list.page.items,
        total: list.page.total,
        total_capped: list.total_capped,
        page: list.page.page,
        per_page: list.page.per_page,
        next_after: list.next_after,
    }))
}

/// One case with parties, team, timeline and the actions the user may take now.
#[utoipa::path(get, path = "/api/v1/cases/{id}", params(("id" = i64, Path), DetailQuery),
    responses((status = 200, body = CaseDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<DetailQuery>,
) -> Result<Json<CaseDetail>, AppError> {
    let reveal = query.reveal.as_deref() == Some("pii");
    Ok(Json(
        view::detail(&state.db, state.config.time_zone, &user, id, reveal).await?,
    ))
}

/// Corrects a case's details after intake (coordinators; the mediators of the unit that has it and
/// its team). Fields left out keep their value. A grade the rules gave follows the new inputs (a new
/// complex or major grade needs confirming again); a grade a person set stands. Closed cases are
/// read-only (422) until reopened.
#[utoipa::path(patch, path = "/api/v1/cases/{id}", params(("id" = i64, Path)), request_body = CaseDetailsBody,
    responses((status = 200, body = CaseOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(case_id = id))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<CaseDetailsBody>,
) -> Result<Json<CaseOut>, AppError> {
    Ok(Json(
        edit::edit_details(&state.db, state.config.time_zone, &user, id, patch).await?,
    ))
}

/// Takes a workflow action. Checks in this order: out of scope 404, role 403, stale version 409,
/// invalid parameters or transition 422.
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", params(("id" = i64, Path)), request_body = ActionBody,
    responses((status = 200, body = CaseOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(case_id = id))]
pub async fn act(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionBody>,
) -> Result<Json<CaseOut>, AppError> {
    Ok(Json(
        actions::run(&state.db, state.config.time_zone, &user, id, body).await?,
    ))
}

/// The mediators to suggest for this case, best first, with the reasons (specialty, same unit,
/// load, experience for complex and major cases).
#[utoipa::path(get, path = "/api/v1/cases/{id}/candidates", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Suggestion>), (status = 404, body = ErrorBody)))]
pub async fn candidates(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Suggestion>>, AppError> {
    Ok(Json(candidates::suggest(&state.db, &user, id).await?))
}
