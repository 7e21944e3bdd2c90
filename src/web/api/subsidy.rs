//! `/api/v1/subsidy/…`: rates, the lead share, settlement periods and their exports (DESIGN §5,
//! §6). Only admins and finance clerks reach any of it; everyone else gets 404, before the body is
//! even read.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiUser, ErrorBody, ListOut};
use chrono::NaiveDate;

use crate::error::AppError;
use crate::services::command::Command;
use crate::services::subsidy::{self as service, LeadShareOut, PeriodOut, PeriodSummary, RateOut};
use crate::services::PageRequest;
use crate::web::extract::{loose_version, Checker, Loose};
use crate::web::shapes::{
    csv_response, xlsx_response, Deferred, LeadShareBody, PeriodBody, RateBody,
};
use crate::web::AppState;

/// The version the clerk saw (optional): a different current version answers 409.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct VersionBody {
    #[schema(value_type = Option<i32>)]
    pub version: Option<Loose>,
}

impl VersionBody {
    fn version(&self) -> Result<Option<i32>, AppError> {
        let mut c = Checker::default();
        let v = c.optional_int("version", &self.version).map(|v| v as i32);
        c.finish(v)
    }
}

/// The payment date (a local date, `YYYY-MM-DD`; today when absent) and optionally the version.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct PaidBody {
    pub paid_on: Option<String>,
    #[schema(value_type = Option<i32>)]
    pub version: Option<Loose>,
}

/// `POST /subsidy/periods/{id}/recompute` and `/approve`: only the version seen.
impl Command for Deferred<VersionBody> {
    type Params = ();

    fn version(&self) -> Option<i32> {
        self.0.as_ref().ok().and_then(|b| loose_version(&b.version))
    }

    fn params(self) -> Result<(), AppError> {
        self.0?.version()?;
        Ok(())
    }
}

/// `POST /subsidy/periods/{id}/paid`: the payment date (today when absent).
impl Command for Deferred<PaidBody> {
    type Params = Option<NaiveDate>;

    fn version(&self) -> Option<i32> {
        self.0.as_ref().ok().and_then(|b| loose_version(&b.version))
    }

    fn params(self) -> Result<Option<NaiveDate>, AppError> {
        let body = self.0?;
        let mut c = Checker::default();
        let paid_on = c.optional_date("paid_on", &body.paid_on);
        c.optional_int("version", &body.version);
        c.finish(paid_on)
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct PeriodQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ExportQuery {
    /// `items` (default), `mediators`, `units` or `grades`.
    pub view: Option<String>,
}

/// Every rate with its history, by grade, newest first (admin, finance).
#[utoipa::path(get, path = "/api/v1/subsidy/rates",
    responses((status = 200, body = Vec<RateOut>), (status = 404, body = ErrorBody)))]
pub async fn rates(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<RateOut>>, AppError> {
    Ok(Json(
        service::list_rates(&state.db, &user, state.config.time_zone).await?,
    ))
}

/// Adds a rate (admin, finance). A negative amount, or an `effective_from` another rate of the
/// grade already has, is 422.
#[utoipa::path(post, path = "/api/v1/subsidy/rates", request_body = RateBody,
    responses((status = 201, body = RateOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn add_rate(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Deferred<RateBody>,
) -> Result<(StatusCode, Json<RateOut>), AppError> {
    let out = service::add_rate(&state.db, &user, body, state.config.time_zone).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// The lead's share of each case's award (admin, finance).
#[utoipa::path(get, path = "/api/v1/subsidy/lead_share",
    responses((status = 200, body = LeadShareOut), (status = 404, body = ErrorBody)))]
pub async fn lead_share(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<LeadShareOut>, AppError> {
    Ok(Json(service::lead_share_view(&state.db, &user).await?))
}

/// Sets the lead's share (admin, finance); outside 0–100% is 422.
#[utoipa::path(put, path = "/api/v1/subsidy/lead_share", request_body = LeadShareBody,
    responses((status = 200, body = LeadShareOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn set_lead_share(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Deferred<LeadShareBody>,
) -> Result<Json<LeadShareOut>, AppError> {
    Ok(Json(service::set_lead_share(&state.db, &user, body).await?))
}

/// The periods, newest first, with status and totals (admin, finance).
#[utoipa::path(get, path = "/api/v1/subsidy/periods", params(PeriodQuery),
    responses((status = 200, body = ListOut<PeriodSummary>), (status = 404, body = ErrorBody)))]
pub async fn periods(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    crate::web::extract::ApiQuery(q): crate::web::extract::ApiQuery<PeriodQuery>,
) -> Result<Json<ListOut<PeriodSummary>>, AppError> {
    let page =
        service::list_periods(&state.db, &user, PageRequest::parse(q.page, q.per_page)?).await?;
    Ok(Json(ListOut::from_page(page, |p| p)))
}

/// Creates and computes a period (a draft). One per month or quarter: a second POST, or a period
/// overlapping another, is 409; a malformed period (`2026-13`, `2026-Q5`) is 422.
#[utoipa::path(post, path = "/api/v1/subsidy/periods", request_body = PeriodBody,
    responses((status = 201, body = PeriodOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_period(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Deferred<PeriodBody>,
) -> Result<(StatusCode, Json<PeriodOut>), AppError> {
    let out = service::create_period(&state.db, &user, state.config.time_zone, body).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// A period with its items and totals.
#[utoipa::path(get, path = "/api/v1/subsidy/periods/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = PeriodOut), (status = 404, body = ErrorBody)))]
pub async fn period(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PeriodOut>, AppError> {
    Ok(Json(service::detail(&state.db, &user, id).await?))
}

/// Computes a draft period again; an approved or paid one is locked (409).
#[utoipa::path(post, path = "/api/v1/subsidy/periods/{id}/recompute", params(("id" = i64, Path)),
    request_body = VersionBody,
    responses((status = 200, body = PeriodOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(period_id = id))]
pub async fn recompute(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    body: Deferred<VersionBody>,
) -> Result<Json<PeriodOut>, AppError> {
    Ok(Json(
        service::recompute(&state.db, &user, state.config.time_zone, id, body).await?,
    ))
}

/// Approves a draft period: its items are locked from now on. Approving twice, a stale version,
/// or cases that changed since the last computation (recompute and check again) are 409.
#[utoipa::path(post, path = "/api/v1/subsidy/periods/{id}/approve", params(("id" = i64, Path)),
    request_body = VersionBody,
    responses((status = 200, body = PeriodOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(period_id = id))]
pub async fn approve(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    body: Deferred<VersionBody>,
) -> Result<Json<PeriodOut>, AppError> {
    Ok(Json(
        service::approve(&state.db, &user, state.config.time_zone, id, body).await?,
    ))
}

/// Marks an approved period paid on `paid_on`. A draft or a period already paid is 409; a payment
/// date in the future or before the approval is 422.
#[utoipa::path(post, path = "/api/v1/subsidy/periods/{id}/paid", params(("id" = i64, Path)),
    request_body = PaidBody,
    responses((status = 200, body = PeriodOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(period_id = id))]
pub async fn paid(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    body: Deferred<PaidBody>,
) -> Result<Json<PeriodOut>, AppError> {
    Ok(Json(
        service::mark_paid(&state.db, &user, state.config.time_zone, id, body).await?,
    ))
}

/// A period as CSV (UTF-8 with BOM): `view=items` (default), `mediators`, `units` or `grades`.
#[utoipa::path(get, path = "/api/v1/subsidy/periods/{id}/export.csv", params(("id" = i64, Path), ExportQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody)))]
pub async fn export_csv(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    crate::web::extract::ApiQuery(q): crate::web::extract::ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    let period = service::for_export(&state.db, &user, id, "csv").await?;
    csv_response(&period, q.view.as_deref(), state.config.time_zone)
}

/// A period as an XLSX workbook: a sheet per view, Chinese headers, amounts in yuan.
#[utoipa::path(get, path = "/api/v1/subsidy/periods/{id}/export.xlsx", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        body = Vec<u8>), (status = 404, body = ErrorBody)))]
pub async fn export_xlsx(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let period = service::for_export(&state.db, &user, id, "xlsx").await?;
    xlsx_response(&period, state.config.time_zone)
}
