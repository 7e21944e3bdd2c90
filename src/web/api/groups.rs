//! `/api/v1/case_groups`: related cases (same respondent, same claim); collective disputes of 10 or
//! more workers name representatives.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiUser, ErrorBody};
use crate::error::AppError;
use crate::services::cases::groups::{self, GroupOut};
use crate::web::extract::{ApiJson, Checker};
use crate::web::shapes::GroupBody;
use crate::web::AppState;

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct GroupCaseBody {
    /// The case number to add, e.g. `JB-2026-00042`.
    pub case_no: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct RepresentativesBody {
    pub representatives: Option<Vec<String>>,
}

/// Creates a group of related cases around one case.
#[utoipa::path(post, path = "/api/v1/case_groups", request_body = GroupBody,
    responses((status = 201, body = GroupOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<GroupBody>,
) -> Result<(StatusCode, Json<GroupOut>), AppError> {
    let (case_id, name, respondent, claim) = body.check()?;
    Ok((
        StatusCode::CREATED,
        Json(groups::create(&state.db, &user, case_id, name, respondent, claim).await?),
    ))
}

/// A group with its cases (those the user may see), workers and representatives.
#[utoipa::path(get, path = "/api/v1/case_groups/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = GroupOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<GroupOut>, AppError> {
    Ok(Json(groups::get(&state.db, &user, id).await?))
}

/// Adds a case (by number) to the group.
#[utoipa::path(post, path = "/api/v1/case_groups/{id}/cases", params(("id" = i64, Path)), request_body = GroupCaseBody,
    responses((status = 200, body = GroupOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_case(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<GroupCaseBody>,
) -> Result<Json<GroupOut>, AppError> {
    let mut c = Checker::default();
    let case_no = c.text("case_no", &body.case_no);
    c.finish(())?;
    groups::get(&state.db, &user, id).await?;
    groups::link(&state.db, &user, &case_no, Some(id)).await?;
    Ok(Json(groups::get(&state.db, &user, id).await?))
}

/// Names the worker representatives (collective disputes of 10 or more workers only).
#[utoipa::path(put, path = "/api/v1/case_groups/{id}/representatives", params(("id" = i64, Path)), request_body = RepresentativesBody,
    responses((status = 200, body = GroupOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_representatives(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RepresentativesBody>,
) -> Result<Json<GroupOut>, AppError> {
    let names: Vec<String> = body
        .representatives
        .unwrap_or_default()
        .into_iter()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    Ok(Json(
        groups::set_representatives(&state.db, &user, id, names).await?,
    ))
}
