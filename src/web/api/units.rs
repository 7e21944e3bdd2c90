//! `/api/v1/units`: the network's units. The request body, shared with the unit pages, is in
//! `web::shapes`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::{ApiUser, ErrorBody, ListOut};
use crate::error::AppError;
use crate::services::units;
use crate::services::PageRequest;
use crate::web::extract::{ApiJson, ApiQuery};
use crate::web::shapes::{UnitBody, UnitOut, UnitQuery};
use crate::web::AppState;

/// Lists units (any signed-in user: the network is everyone's directory).
#[utoipa::path(get, path = "/api/v1/units", params(UnitQuery),
    responses((status = 200, body = ListOut<UnitOut>), (status = 401, body = ErrorBody)))]
pub async fn index(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    ApiQuery(query): ApiQuery<UnitQuery>,
) -> Result<Json<ListOut<UnitOut>>, AppError> {
    let page = units::list(
        &state.db,
        &query.filter()?,
        PageRequest::parse(query.page, query.per_page)?,
    )
    .await?;
    Ok(Json(ListOut::from_page(page, UnitOut::from)))
}

/// Creates a unit (admin).
#[utoipa::path(post, path = "/api/v1/units", request_body = UnitBody,
    responses((status = 201, body = UnitOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<UnitBody>,
) -> Result<(StatusCode, Json<UnitOut>), AppError> {
    user.require(&[crate::domain::role::Role::Admin])?;
    let (input, _) = body.check(true)?;
    let unit = units::create(&state.db, &user, input).await?;
    Ok((StatusCode::CREATED, Json(unit.into())))
}

/// One unit.
#[utoipa::path(get, path = "/api/v1/units/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = UnitOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<UnitOut>, AppError> {
    Ok(Json(units::get(&state.db, id).await?.into()))
}

/// Changes the fields given (admin); `"active": false` deactivates the unit.
#[utoipa::path(patch, path = "/api/v1/units/{id}", params(("id" = i64, Path)), request_body = UnitBody,
    responses((status = 200, body = UnitOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(unit_id = id))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<UnitBody>,
) -> Result<Json<UnitOut>, AppError> {
    Ok(Json(
        units::update(&state.db, &user, id, patch).await?.into(),
    ))
}
