//! `/api/v1/mentorships` (优师带徒) and the joint-mediation report. The request bodies are shared
//! with the mentorship pages.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::{ApiUser, ErrorBody, ListOut};
use crate::domain::clocks::local_date;
use crate::domain::mentorship::{Finish, PairStatus};
use crate::error::{AppError, Message};
use crate::services::command::Command;
use crate::services::joint_report::{self, JointReport};
use crate::services::mentorships::{
    self, FinishParams, MentorshipFilter, MentorshipInput, MentorshipOut,
};
use crate::services::PageRequest;
use crate::web::extract::{loose_version, optional_text, ApiJson, ApiQuery, Checker, Loose};
use crate::web::AppState;

#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct MentorshipBody {
    /// A mediator marked as mentor.
    #[schema(value_type = Option<i64>)]
    pub mentor_id: Option<Loose>,
    #[schema(value_type = Option<i64>)]
    pub apprentice_id: Option<Loose>,
    /// `YYYY-MM-DD`; default today.
    pub started_on: Option<String>,
    /// Resolved co-mediated cases that make the apprentice ready (at least 1).
    #[schema(value_type = Option<i64>)]
    pub target_cases: Option<Loose>,
    #[validate(length(max = 2000))]
    pub notes: Option<String>,
}

/// A whole number that must be there.
fn required_int(c: &mut Checker, field: &str, value: &Option<Loose>) -> i64 {
    let n = c.optional_int(field, value);
    if n.is_none() {
        c.add(field, Message::key("err-required"));
    }
    n.unwrap_or_default()
}

impl MentorshipBody {
    /// Reads the fields; the pairing rules themselves are checked by the service.
    ///
    /// # Errors
    /// 422 naming each unreadable or missing field.
    pub fn check(&self, today: NaiveDate) -> Result<MentorshipInput, AppError> {
        let mut c = Checker::validated(self);
        let mentor_id = required_int(&mut c, "mentor_id", &self.mentor_id);
        let apprentice_id = required_int(&mut c, "apprentice_id", &self.apprentice_id);
        let target_cases = required_int(&mut c, "target_cases", &self.target_cases);
        let started_on = c
            .optional_date("started_on", &self.started_on)
            .unwrap_or(today);
        c.finish(MentorshipInput {
            mentor_id,
            apprentice_id,
            started_on,
            target_cases,
            notes: optional_text(&self.notes).unwrap_or_default(),
        })
    }
}

/// A new pair as sent, with the day it is sent on (the start when none is given).
pub struct NewPair {
    pub body: MentorshipBody,
    pub today: NaiveDate,
}

impl Command for NewPair {
    type Params = MentorshipInput;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<MentorshipInput, AppError> {
        self.body.check(self.today)
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct FinishBody {
    /// `YYYY-MM-DD`; default today.
    pub on: Option<String>,
    /// Required to end a pair, and to graduate one before it reached its target.
    #[validate(length(max = 2000))]
    pub reason: Option<String>,
    #[schema(value_type = Option<i32>)]
    pub version: Option<Loose>,
}

impl FinishBody {
    /// # Errors
    /// 422 naming an unreadable day or version.
    pub fn check(&self) -> Result<FinishParams, AppError> {
        let mut c = Checker::validated(self);
        let on = c.optional_date("on", &self.on);
        c.optional_int("version", &self.version);
        c.finish(FinishParams {
            on,
            reason: optional_text(&self.reason),
        })
    }
}

/// `POST /mentorships/{id}/graduate` and `/end`, and the buttons of the pair's page.
impl Command for FinishBody {
    type Params = FinishParams;

    fn version(&self) -> Option<i32> {
        loose_version(&self.version)
    }

    fn params(self) -> Result<FinishParams, AppError> {
        self.check()
    }
}

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

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct JointQuery {
    /// Received on or after this local day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Received on or before this local day, `YYYY-MM-DD`.
    pub to: Option<String>,
}

impl JointQuery {
    /// # Errors
    /// 422 naming an unreadable day.
    pub fn days(&self) -> Result<(Option<NaiveDate>, Option<NaiveDate>), AppError> {
        let mut c = Checker::default();
        let from = c.optional_date("from", &self.from);
        let to = c.optional_date("to", &self.to);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                c.add("to", Message::key("err-to-before-from"));
            }
        }
        c.finish((from, to))
    }
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
