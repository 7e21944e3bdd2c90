//! `POST/DELETE /api/v1/auth/token`, `GET /api/v1/auth/me`, `POST /api/v1/auth/password`.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiUser, ErrorBody};
use crate::error::AppError;
use crate::services::{accounts, auth};
use crate::web::extract::{ApiJson, ClientAddress};
use crate::web::AppState;

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Exchanges a username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", security(()), request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_token(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, AppError> {
    let user = auth::sign_in(&state.db, &body.username, &body.password, &address).await?;
    let (token, expires_at) =
        auth::issue_api_token(&state.db, user.id, state.config.token_hours).await?;
    Ok(Json(TokenResponse { token, expires_at }))
}

/// Revokes the token of this request.
#[utoipa::path(delete, path = "/api/v1/auth/token", responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthorized)?;
    auth::revoke_api_token(&state.db, token.trim()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: crate::domain::role::Role,
    pub unit_id: Option<i64>,
    pub mediator_id: Option<i64>,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/auth/me", responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)))]
pub async fn me(ApiUser(user): ApiUser) -> Json<MeResponse> {
    Json(MeResponse {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        unit_id: user.unit_id,
        mediator_id: user.mediator_id,
    })
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
}

/// Changes the signed-in user's password; every session and token of theirs ends.
#[utoipa::path(post, path = "/api/v1/auth/password", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn change_password(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, AppError> {
    accounts::change_password(&state.db, &user, &body.current_password, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}
