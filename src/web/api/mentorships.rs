//! `/api/v1/mentorships` (优师带徒) and the joint-mediation report. The request bodies, shared
//! with the mentorship pages, are in `web::shapes`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ApiUser, ErrorBody, ListOut};
use crate::domain::clocks::local_date;
use crate::domain::mentorship::{Finish, PairStatus};
use crate::error::AppError;
use crate::services::joint_report::{self, JointReport};
use crate::services::mentorships::{self, MentorshipFilter, MentorshipOut};
use crate::services::PageRequest;
use crate::web::extract::{ApiJson, ApiQuery, Checker};
use crate::web::shapes::{FinishBody, JointQuery, MentorshipBody, NewPair};
use crate::web::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct MentorshipQuery {
    /// `active`, `graduated` or `ended`.
    pub status: Option<String>,
    pub mentor_id: Option<i64>,
    pub apprentice_id: Option<i64>,
    /// Pairs this mediator is in, as mentor or apprentice.
    pub mediator_id: Option<i64>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl MentorshipQuery {
    /// # Errors
    /// 422 naming an unknown status.
    pub fn filter(&self) -> Result<MentorshipFilter, AppError> {
        let mut c = Checker::default();
        let status = c.optional_choice("status", &self.status, PairStatus::parse);
        c.finish(MentorshipFilter {
            status,
            mentor_id: self.mentor_id,
            apprentice_id: self.apprentice_id,
            mediator_id: self.mediator_id,
        })
    }
}

/// Mentor-apprentice pairs with their progress, active first (any signed-in user).
#[utoipa::path(get, path = "/api/v1/mentorships", params(MentorshipQuery),
    responses((status = 200, body = ListOut<MentorshipOut>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn index(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    ApiQuery(query): ApiQuery<MentorshipQuery>,
) -> Result<Json<ListOut<MentorshipOut>>, AppError> {
    let page = mentorships::list(
        &state.db,
        state.config.time_zone,
        &query.filter()?,
        PageRequest::parse(query.page, query.per_page)?,
    )
    .await?;
    Ok(Json(ListOut::from_page(page, |m| m)))
}

/// Pairs a mentor with an apprentice (admin, coordinator).
#[utoipa::path(post, path = "/api/v1/mentorships", request_body = MentorshipBody,
    responses((status = 201, body = MentorshipOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<MentorshipBody>,
) -> Result<(StatusCode, Json<MentorshipOut>), AppError> {
    let tz = state.config.time_zone;
    let command = NewPair {
        body,
        today: local_date(chrono::Utc::now(), tz),
    };
    Ok((
        StatusCode::CREATED,
        Json(mentorships::create(&state.db, tz, &user, command).await?),
    ))
}

/// One pair with its progress.
#[utoipa::path(get, path = "/api/v1/mentorships/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = MentorshipOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<MentorshipOut>, AppError> {
    Ok(Json(
        mentorships::get(&state.db, state.config.time_zone, id).await?,
    ))
}

async fn finish(
    state: &AppState,
    user: &crate::services::auth::CurrentUser,
    id: i64,
    how: Finish,
    body: FinishBody,
) -> Result<Json<MentorshipOut>, AppError> {
    Ok(Json(
        mentorships::finish(&state.db, state.config.time_zone, user, id, how, body).await?,
    ))
}

/// Graduates the apprentice, certifying them a gold-medal mediator from that day (admin,
/// coordinator). Before the target is reached a `reason` is required and recorded.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/graduate", params(("id" = i64, Path)), request_body = FinishBody,
    responses((status = 200, body = MentorshipOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(mentorship_id = id))]
pub async fn graduate(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FinishBody>,
) -> Result<Json<MentorshipOut>, AppError> {
    finish(&state, &user, id, Finish::Graduate, body).await
}

/// Ends a pair without graduating; a `reason` is required (admin, coordinator).
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/end", params(("id" = i64, Path)), request_body = FinishBody,
    responses((status = 200, body = MentorshipOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(mentorship_id = id))]
pub async fn end(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FinishBody>,
) -> Result<Json<MentorshipOut>, AppError> {
    finish(&state, &user, id, Finish::End, body).await
}

/// Area joint mediation (片区联调): joint cases per unit, over the cases the user may see.
#[utoipa::path(get, path = "/api/v1/reports/joint_mediation", params(JointQuery),
    responses((status = 200, body = JointReport), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn joint_mediation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<JointQuery>,
) -> Result<Json<JointReport>, AppError> {
    let (from, to) = query.days()?;
    Ok(Json(
        joint_report::joint_by_unit(&state.db, state.config.time_zone, &user, from, to).await?,
    ))
}
