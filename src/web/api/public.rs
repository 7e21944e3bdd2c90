//! `/api/v1/public/…`: what anyone may reach without signing in (DESIGN §10): the stations, a
//! case's progress by number and code, and applying online.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::ErrorBody;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services::public::{self, ApplicationOut, StationOut, TrackOut};
use crate::web::extract::{ApiJson, ApiQuery, ClientAddress};
use crate::web::shapes::{ApplicationBody, TrackQuery};
use crate::web::AppState;

/// Largest body of an application: the text fields' limits together, with room for JSON.
pub const MAX_APPLICATION_BYTES: usize = 16 * 1024;

/// The village stations and the street hub one may apply to.
#[utoipa::path(get, path = "/api/v1/public/stations", security(()),
    responses((status = 200, body = Vec<StationOut>)))]
pub async fn stations(State(state): State<AppState>) -> Result<Json<Vec<StationOut>>, AppError> {
    Ok(Json(public::stations(&state.db).await?))
}

/// A case's progress for whoever holds its number and code. A wrong code and an unknown number
/// give the same 404; past the limits per address and per case number, 429.
#[utoipa::path(get, path = "/api/v1/public/track", security(()), params(TrackQuery),
    responses((status = 200, body = TrackOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn track(
    State(state): State<AppState>,
    lang: Lang,
    ClientAddress(address): ClientAddress,
    ApiQuery(query): ApiQuery<TrackQuery>,
) -> Result<Json<TrackOut>, AppError> {
    let (case_no, code) = query.check()?;
    Ok(Json(
        public::track(
            &state.db,
            state.config.time_zone,
            lang,
            &case_no,
            &code,
            &address,
        )
        .await?,
    ))
}

/// Applies for mediation online: a `registered` case at the chosen station, source `online`. The
/// answer is the receipt (case number and code). The same phone applying against the same
/// respondent on the same day gets that case's receipt again (200) and nothing is written twice.
#[utoipa::path(post, path = "/api/v1/public/applications", security(()), request_body = ApplicationBody,
    responses((status = 201, body = ApplicationOut), (status = 200, body = ApplicationOut),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn apply(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(body): ApiJson<ApplicationBody>,
) -> Result<(StatusCode, Json<ApplicationOut>), AppError> {
    let application = body.check()?;
    let out = public::apply(&state.db, state.config.time_zone, application, &address).await?;
    let status = if out.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(out)))
}
