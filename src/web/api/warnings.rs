//! `/api/v1/warnings` (early warnings, 预警: list, one with its cases, record what was done or
//! close) and `/api/v1/settings/warnings` (the thresholds of the four rules).

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiUser, ErrorBody, ListOut};
use crate::domain::warnings::{WarningAction, WarningKind, WarningStatus, WarningThresholds};
use crate::error::{AppError, Message};
use crate::services::command::Command;
use crate::services::warnings::{self, WarningDetail, WarningFilter, WarningOut};
use crate::services::PageRequest;
use crate::web::extract::{ApiJson, ApiQuery, Checker, Loose};
use crate::web::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct WarningsQuery {
    /// `respondent_repeat`, `applicant_return`, `station_surge` or `collective_forming`.
    pub kind: Option<String>,
    /// `open` or `closed` (default: both).
    pub status: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl WarningsQuery {
    /// # Errors
    /// 422 naming an unknown `kind` or `status`.
    pub fn filter(&self) -> Result<WarningFilter, AppError> {
        let mut c = Checker::default();
        let kind = c.optional_choice("kind", &self.kind, WarningKind::parse);
        let status = c.optional_choice("status", &self.status, WarningStatus::parse);
        c.finish(WarningFilter { kind, status })
    }
}

/// The warnings, newest first, computed afresh over the cases the reader may see (coordinators,
/// admins, viewers).
#[utoipa::path(get, path = "/api/v1/warnings", params(WarningsQuery),
    responses((status = 200, body = ListOut<WarningOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn index(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<WarningsQuery>,
) -> Result<Json<ListOut<WarningOut>>, AppError> {
    user.require(&warnings::READ_ROLES)?;
    let filter = query.filter()?;
    let page = PageRequest::parse(query.page, query.per_page)?;
    let found = warnings::list(&state.db, state.config.time_zone, &user, filter, page).await?;
    Ok(Json(ListOut::from_page(found, |w| w)))
}

/// One warning with its cases (newest first, those the reader may see) and what was recorded.
#[utoipa::path(get, path = "/api/v1/warnings/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = WarningDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<WarningDetail>, AppError> {
    Ok(Json(
        warnings::detail(&state.db, state.config.time_zone, &user, id).await?,
    ))
}

/// `note`: what was done (约谈平台企业, a consultation meeting), `text` required; `close`: done
/// with, `text` optional. `version` is the warning's, as last read.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct WarningActionBody {
    /// `note` or `close`.
    pub action: Option<String>,
    pub text: Option<String>,
    #[schema(value_type = i64)]
    pub version: Option<Loose>,
}

impl WarningActionBody {
    /// # Errors
    /// 422 naming `action`, `version` or `text` (too long).
    pub fn check(&self) -> Result<(WarningAction, Option<String>, i32), AppError> {
        let mut c = Checker::default();
        let action = c.choice("action", &self.action, WarningAction::parse);
        let version = match c.optional_int("version", &self.version) {
            Some(v) => i32::try_from(v).unwrap_or(-1),
            None => {
                c.add("version", Message::key("err-required"));
                0
            }
        };
        if self
            .text
            .as_deref()
            .is_some_and(|t| t.chars().count() > TEXT_MAX)
        {
            c.add(
                "text",
                Message::with("err-length-max", &[("max", TEXT_MAX.to_string())]),
            );
        }
        let action = c.finish(action)?;
        Ok((
            action.unwrap_or(WarningAction::Note),
            self.text.clone(),
            version,
        ))
    }
}

/// The longest note.
pub const TEXT_MAX: usize = 2_000;

/// Records what was done on a warning, or closes it (coordinators). A closed warning reopens
/// by itself only when new cases join it.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/actions", params(("id" = i64, Path)), request_body = WarningActionBody,
    responses((status = 200, body = WarningDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(warning_id = id))]
pub async fn act(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<WarningActionBody>,
) -> Result<Json<WarningDetail>, AppError> {
    user.require(&warnings::READ_ROLES)?;
    let (action, text, version) = body.check()?;
    Ok(Json(
        warnings::act(
            &state.db,
            state.config.time_zone,
            &user,
            id,
            action,
            text,
            version,
        )
        .await?,
    ))
}

/// The thresholds of the four rules; days count back from today, today included. A PUT replaces
/// them all.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct WarningSettingsBody {
    #[schema(value_type = i64, example = 90)]
    pub respondent_days: Option<Loose>,
    #[schema(value_type = i64, example = 5)]
    pub respondent_min_cases: Option<Loose>,
    #[schema(value_type = i64, example = 365)]
    pub applicant_days: Option<Loose>,
    #[schema(value_type = i64, example = 2)]
    pub applicant_min_cases: Option<Loose>,
    #[schema(value_type = i64, example = 30)]
    pub surge_recent_days: Option<Loose>,
    #[schema(value_type = i64, example = 180)]
    pub surge_baseline_days: Option<Loose>,
    #[schema(value_type = i64, example = 10)]
    pub surge_min_cases: Option<Loose>,
    #[schema(value_type = i64, example = 200)]
    pub surge_ratio_percent: Option<Loose>,
    #[schema(value_type = i64, example = 3)]
    pub collective_days: Option<Loose>,
    #[schema(value_type = i64, example = 3)]
    pub collective_min_cases: Option<Loose>,
}

impl WarningSettingsBody {
    fn get(&self, name: &str) -> &Option<Loose> {
        match name {
            "respondent_days" => &self.respondent_days,
            "respondent_min_cases" => &self.respondent_min_cases,
            "applicant_days" => &self.applicant_days,
            "applicant_min_cases" => &self.applicant_min_cases,
            "surge_recent_days" => &self.surge_recent_days,
            "surge_baseline_days" => &self.surge_baseline_days,
            "surge_min_cases" => &self.surge_min_cases,
            "surge_ratio_percent" => &self.surge_ratio_percent,
            "collective_days" => &self.collective_days,
            _ => &self.collective_min_cases,
        }
    }

    /// Reads the ten whole numbers, or 422 naming each missing or unreadable one (ranges are the
    /// service's to check).
    ///
    /// # Errors
    /// 422 with the field errors.
    pub fn check(&self) -> Result<WarningThresholds, AppError> {
        let mut c = Checker::default();
        let mut t = WarningThresholds::default();
        let names: Vec<&'static str> = t.fields().iter().map(|f| f.0).collect();
        for name in names {
            match c.optional_int(name, self.get(name)) {
                Some(n) => {
                    t.set(name, n);
                }
                None => c.add(name, Message::key("err-required")),
            }
        }
        c.finish(t)
    }
}

/// `PUT /settings/warnings` and the warning settings page.
impl Command for WarningSettingsBody {
    type Params = WarningThresholds;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<WarningThresholds, AppError> {
        self.check()
    }
}

/// The thresholds as stored.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct WarningSettingsOut {
    pub respondent_days: i64,
    pub respondent_min_cases: i64,
    pub applicant_days: i64,
    pub applicant_min_cases: i64,
    pub surge_recent_days: i64,
    pub surge_baseline_days: i64,
    pub surge_min_cases: i64,
    pub surge_ratio_percent: i64,
    pub collective_days: i64,
    pub collective_min_cases: i64,
}

impl From<WarningThresholds> for WarningSettingsOut {
    fn from(t: WarningThresholds) -> WarningSettingsOut {
        WarningSettingsOut {
            respondent_days: t.respondent_days,
            respondent_min_cases: t.respondent_min_cases,
            applicant_days: t.applicant_days,
            applicant_min_cases: t.applicant_min_cases,
            surge_recent_days: t.surge_recent_days,
            surge_baseline_days: t.surge_baseline_days,
            surge_min_cases: t.surge_min_cases,
            surge_ratio_percent: t.surge_ratio_percent,
            collective_days: t.collective_days,
            collective_min_cases: t.collective_min_cases,
        }
    }
}

/// The warning thresholds in force (any signed-in user).
#[utoipa::path(get, path = "/api/v1/settings/warnings",
    responses((status = 200, body = WarningSettingsOut), (status = 401, body = ErrorBody)))]
pub async fn show_settings(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<WarningSettingsOut>, AppError> {
    Ok(Json(warnings::thresholds(&state.db).await?.into()))
}

/// Replaces the warning thresholds (admin). Each has a range; the surge baseline is at least as
/// long as the recent window.
#[utoipa::path(put, path = "/api/v1/settings/warnings", request_body = WarningSettingsBody,
    responses((status = 200, body = WarningSettingsOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn update_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<WarningSettingsBody>,
) -> Result<Json<WarningSettingsOut>, AppError> {
    Ok(Json(
        warnings::set_thresholds(&state.db, &user, body)
            .await?
            .into(),
    ))
}
