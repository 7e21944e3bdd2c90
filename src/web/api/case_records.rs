//! `/api/v1/cases/{id}/sessions`, `/agreement` (with instalments and judicial confirmation) and
//! `/follow_ups`. The bodies, shared with the case page's forms, are in `web::shapes`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::{ApiUser, ErrorBody};
use crate::error::AppError;
use crate::services::cases::records;
use crate::services::cases::view::{AgreementOut, FollowUpOut, InstalmentOut, SessionOut};
use crate::web::extract::ApiJson;
use crate::web::shapes::{
    AgreementBody, ConfirmationBody, FollowUpBody, InstalmentPaidBody, SessionBody,
};
use crate::web::AppState;

/// Records a mediation session (调解笔录); the first moves an accepted case to `mediating`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/sessions", params(("id" = i64, Path)), request_body = SessionBody,
    responses((status = 201, body = SessionOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(case_id = id))]
pub async fn create_session(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SessionBody>,
) -> Result<(StatusCode, Json<SessionOut>), AppError> {
    let session =
        records::record_session(&state.db, state.config.time_zone, &user, id, body).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

/// Records the signed agreement (调解协议书); the case becomes `agreed`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/agreement", params(("id" = i64, Path)), request_body = AgreementBody,
    responses((status = 201, body = AgreementOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(case_id = id))]
pub async fn create_agreement(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AgreementBody>,
) -> Result<(StatusCode, Json<AgreementOut>), AppError> {
    let agreement =
        records::record_agreement(&state.db, state.config.time_zone, &user, id, body).await?;
    Ok((StatusCode::CREATED, Json(agreement)))
}

/// Marks instalment `seq` (from 1) of the agreement in force paid on `paid_on`, or unpaid.
#[utoipa::path(post, path = "/api/v1/cases/{id}/agreement/instalments/{seq}", params(("id" = i64, Path), ("seq" = i32, Path)),
    request_body = InstalmentPaidBody,
    responses((status = 200, body = InstalmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn mark_instalment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, seq)): Path<(i64, i32)>,
    ApiJson(body): ApiJson<InstalmentPaidBody>,
) -> Result<Json<InstalmentOut>, AppError> {
    Ok(Json(
        records::mark_instalment(&state.db, state.config.time_zone, &user, id, seq, body).await?,
    ))
}

/// Records the application for, or receipt of, judicial confirmation of the agreement.
#[utoipa::path(post, path = "/api/v1/cases/{id}/agreement/confirmation", params(("id" = i64, Path)), request_body = ConfirmationBody,
    responses((status = 200, body = AgreementOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_confirmation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ConfirmationBody>,
) -> Result<Json<AgreementOut>, AppError> {
    Ok(Json(
        records::record_confirmation(&state.db, state.config.time_zone, &user, id, body).await?,
    ))
}

/// Records a follow-up visit (回访).
#[utoipa::path(post, path = "/api/v1/cases/{id}/follow_ups", params(("id" = i64, Path)), request_body = FollowUpBody,
    responses((status = 201, body = FollowUpOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(case_id = id))]
pub async fn create_follow_up(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FollowUpBody>,
) -> Result<(StatusCode, Json<FollowUpOut>), AppError> {
    let follow_up =
        records::record_follow_up(&state.db, state.config.time_zone, &user, id, body).await?;
    Ok((StatusCode::CREATED, Json(follow_up)))
}
