//! `/api/v1/mediators`. The request body, shared with the mediator pages, is in `web::shapes`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ApiUser, ErrorBody, ListOut};
use crate::error::AppError;
use crate::services::mediator_record;
use crate::services::mediators::{self, MediatorFilter, EDITORS};
use crate::services::PageRequest;
use crate::web::extract::{ApiJson, ApiQuery};
use crate::web::shapes::{MediatorBody, MediatorOut};
use crate::web::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct MediatorQuery {
    pub unit_id: Option<i64>,
    pub active: Option<bool>,
    pub gold_medal: Option<bool>,
    pub is_mentor: Option<bool>,
    /// Part of the name.
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl MediatorQuery {
    pub fn filter(&self) -> MediatorFilter {
        MediatorFilter {
            unit_id: self.unit_id,
            active: self.active,
            gold_medal: self.gold_medal,
            is_mentor: self.is_mentor,
            q: self.q.clone(),
        }
    }
}

/// Lists mediators (any signed-in user).
#[utoipa::path(get, path = "/api/v1/mediators", params(MediatorQuery),
    responses((status = 200, body = ListOut<MediatorOut>), (status = 401, body = ErrorBody)))]
pub async fn index(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<MediatorQuery>,
) -> Result<Json<ListOut<MediatorOut>>, AppError> {
    let page = mediators::list(
        &state.db,
        &query.filter(),
        PageRequest::parse(query.page, query.per_page)?,
    )
    .await?;
    Ok(Json(ListOut::from_page(page, |m| {
        MediatorOut::for_user(m, &user)
    })))
}

/// Creates a mediator (admin, coordinator).
#[utoipa::path(post, path = "/api/v1/mediators", request_body = MediatorBody,
    responses((status = 201, body = MediatorOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<MediatorBody>,
) -> Result<(StatusCode, Json<MediatorOut>), AppError> {
    user.require(&EDITORS)?;
    let (input, _) = body.check(true)?;
    let mediator = mediators::create(&state.db, &user, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(MediatorOut::for_user(mediator, &user)),
    ))
}

/// One mediator with their `record`: cases led and co-mediated by grade and type, resolved share,
/// days to close, joint cases, sessions, follow-up satisfaction, load, units worked in, pairs and
/// the events on their record.
#[utoipa::path(get, path = "/api/v1/mediators/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = MediatorOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<MediatorOut>, AppError> {
    let mediator = mediators::get(&state.db, id).await?;
    let record = mediator_record::record(&state.db, state.config.time_zone, &mediator).await?;
    let mut out = MediatorOut::for_user(mediator, &user);
    out.record = Some(record);
    Ok(Json(out))
}

/// Changes the fields given (admin, coordinator); `"active": false` deactivates.
#[utoipa::path(patch, path = "/api/v1/mediators/{id}", params(("id" = i64, Path)), request_body = MediatorBody,
    responses((status = 200, body = MediatorOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(mediator_id = id))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<MediatorBody>,
) -> Result<Json<MediatorOut>, AppError> {
    let mediator = mediators::update(&state.db, &user, id, patch).await?;
    Ok(Json(MediatorOut::for_user(mediator, &user)))
}
