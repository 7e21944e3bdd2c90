//! `/api/v1/users`: accounts (admin). Passwords go in, never come out.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::{ApiUser, ErrorBody, ListOut};
use crate::domain::role::Role;
use crate::error::AppError;
use crate::services::accounts;
use crate::services::PageRequest;
use crate::web::extract::{ApiJson, ApiQuery};
use crate::web::shapes::{UserBody, UserOut, UserQuery};
use crate::web::AppState;

/// Lists accounts (admin).
#[utoipa::path(get, path = "/api/v1/users", params(UserQuery),
    responses((status = 200, body = ListOut<UserOut>), (status = 403, body = ErrorBody)))]
pub async fn index(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> Result<Json<ListOut<UserOut>>, AppError> {
    user.require(&[Role::Admin])?;
    let page = accounts::list(
        &state.db,
        &user,
        &query.filter()?,
        PageRequest::parse(query.page, query.per_page)?,
    )
    .await?;
    Ok(Json(ListOut::from_page(page, UserOut::from)))
}

/// Creates an account (admin).
#[utoipa::path(post, path = "/api/v1/users", request_body = UserBody,
    responses((status = 201, body = UserOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<UserBody>,
) -> Result<(StatusCode, Json<UserOut>), AppError> {
    let created = accounts::create(&state.db, &user, body).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One account (admins see all; others only their own).
#[utoipa::path(get, path = "/api/v1/users/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = UserOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<UserOut>, AppError> {
    Ok(Json(accounts::get(&state.db, &user, id).await?.into()))
}

/// Changes an account (admin); `"active": false` deactivates it and ends its sessions.
#[utoipa::path(patch, path = "/api/v1/users/{id}", params(("id" = i64, Path)), request_body = UserBody,
    responses((status = 200, body = UserOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(user_id = id))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<UserBody>,
) -> Result<Json<UserOut>, AppError> {
    let updated = accounts::update(&state.db, &user, id, patch).await?;
    Ok(Json(updated.into()))
}
