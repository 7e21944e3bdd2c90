//! `/api/v1/case_groups`: related cases (same respondent, same claim); collective disputes of 10 or
//! more workers name representatives.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{ApiUser, ErrorBody};
use crate::error::AppError;
use crate::services::cases::groups::{self, GroupOut};
use crate::web::extract::{optional_text, ApiJson, Checker, Loose};
use crate::web::AppState;

#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct GroupBody {
    /// The case the group starts from.
    #[schema(value_type = Option<i64>)]
    pub case_id: Option<Loose>,
    #[validate(length(max = 200))]
    pub name: Option<String>,
    #[validate(length(max = 200))]
    pub respondent: Option<String>,
    #[validate(length(max = 2000))]
    pub claim: Option<String>,
}

impl GroupBody {
    /// # Errors
    /// 422 naming each invalid field.
    pub fn check(&self) -> Result<(i64, String, String, String), AppError> {
        let mut c = Checker::validated(self);
        let case_id = c.optional_int("case_id", &self.case_id);
        if case_id.is_none() {
            c.add("case_id", crate::error::Message::key("err-required"));
        }
        let name = c.text("name", &self.name);
        let respondent = c.text("respondent", &self.respondent);
        let claim = optional_text(&self.claim).unwrap_or_default();
        c.finish((case_id.unwrap_or_default(), name, respondent, claim))
    }
}

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
