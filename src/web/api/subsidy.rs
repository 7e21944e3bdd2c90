//! `/api/v1/subsidy/…`: rates, the lead share, settlement periods and their exports (DESIGN §5,
//! §6). Only admins and finance clerks reach any of it; everyone else gets 404, before the body is
//! even read.

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiUser, ErrorBody, ListOut};
use crate::domain::case_terms::Grade;
use chrono::NaiveDate;

use crate::domain::subsidy::{LeadShare, Period, Rate};
use crate::error::{AppError, Message};
use crate::services::command::Command;
use crate::services::subsidy::export::{self, View};
use crate::services::subsidy::{
    self as service, require_reach, LeadShareOut, PeriodOut, PeriodSummary, RateOut,
};
use crate::services::PageRequest;
use crate::web::extract::{loose_version, ApiJson, Checker, Loose};
use crate::web::AppState;

/// A JSON body read without refusing the request: the handler answers 404 to those who may not
/// reach the subsidies before it looks at what they sent. An empty body is the type's default.
pub struct Deferred<T>(pub Result<T, AppError>);

impl<S, T> FromRequest<S> for Deferred<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Default,
{
    type Rejection = std::convert::Infallible;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_owned());
        let empty = match length {
            Some(l) => l == "0",
            None => req.headers().get(header::TRANSFER_ENCODING).is_none(),
        };
        if empty {
            return Ok(Deferred(Ok(T::default())));
        }
        Ok(Deferred(
            ApiJson::<T>::from_request(req, state).await.map(|j| j.0),
        ))
    }
}

fn required_int(c: &mut Checker, field: &str, value: &Option<Loose>) -> i64 {
    match c.optional_int(field, value) {
        Some(n) => n,
        None => {
            c.add(field, Message::key("err-required"));
            0
        }
    }
}

/// A new rate: from `effective_from` (a local date) on, a resolved case of `grade` earns
/// `amount_fen`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct RateBody {
    /// `simple`, `ordinary`, `complex` or `major`.
    pub grade: Option<String>,
    #[schema(value_type = i64, example = 5000)]
    pub amount_fen: Option<Loose>,
    /// `YYYY-MM-DD`.
    pub effective_from: Option<String>,
}

impl RateBody {
    /// # Errors
    /// 422 naming each missing or unreadable field (the amount's sign and the date's uniqueness
    /// are the service's to check).
    pub fn check(&self) -> Result<Rate, AppError> {
        let mut c = Checker::default();
        let grade = c.choice("grade", &self.grade, Grade::parse);
        let amount_fen = required_int(&mut c, "amount_fen", &self.amount_fen);
        let effective_from = c.optional_date("effective_from", &self.effective_from);
        if effective_from.is_none() && !c.errors.contains_key("effective_from") {
            c.add("effective_from", Message::key("err-required"));
        }
        c.finish(Rate {
            grade: grade.unwrap_or(Grade::Simple),
            amount_fen,
            effective_from: effective_from.unwrap_or_default(),
        })
    }
}

/// The lead's share: `lead_share_percent` (0–100, up to two decimals) or `lead_share_bp`
/// (0–10,000).
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct LeadShareBody {
    #[schema(value_type = Option<String>, example = "60")]
    pub lead_share_percent: Option<Loose>,
    #[schema(value_type = Option<i64>, example = 6000)]
    pub lead_share_bp: Option<Loose>,
}

impl LeadShareBody {
    /// # Errors
    /// 422 naming the field given when it is outside 0–100%, or `lead_share_percent` when neither is.
    pub fn check(&self) -> Result<LeadShare, AppError> {
        let bad = |field: &str| AppError::field(field, Message::key("subsidy-err-lead-share"));
        // Given, each must be good, even when the percentage is the one used.
        let bp = match self.lead_share_bp.as_ref().map(Loose::int) {
            Some(Ok(Some(bp))) => Some(LeadShare::from_bp(bp).map_err(|_| bad("lead_share_bp"))?),
            Some(_) => return Err(bad("lead_share_bp")),
            None => None,
        };
        if let Some(v) = &self.lead_share_percent {
            let text = match v {
                Loose::Int(n) => n.to_string(),
                Loose::Float(f) => f.to_string(),
                Loose::Text(t) => t.clone(),
                Loose::Bool(_) => String::new(),
            };
            return LeadShare::from_percent_text(&text).map_err(|_| bad("lead_share_percent"));
        }
        bp.ok_or_else(|| AppError::field("lead_share_percent", Message::key("err-required")))
    }
}

/// `{"period": "2026-11"}` or `{"period": "2026-Q4"}`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct PeriodBody {
    #[schema(example = "2026-11")]
    pub period: Option<String>,
}

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

/// `POST /subsidy/periods` and the period form: the period named.
impl Command for Deferred<PeriodBody> {
    type Params = Period;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<Period, AppError> {
        let body = self.0?;
        let mut c = Checker::default();
        let text = c.text("period", &body.period);
        c.finish(())?;
        service::parse_period(&text, "period")
    }
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
    Deferred(body): Deferred<RateBody>,
) -> Result<(StatusCode, Json<RateOut>), AppError> {
    require_reach(&user)?;
    let rate = body?.check()?;
    let out = service::add_rate(&state.db, &user, rate, state.config.time_zone).await?;
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
    Deferred(body): Deferred<LeadShareBody>,
) -> Result<Json<LeadShareOut>, AppError> {
    require_reach(&user)?;
    let share = body?.check()?;
    Ok(Json(
        service::set_lead_share(&state.db, &user, share).await?,
    ))
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

/// A file download with an ASCII and a UTF-8 file name.
pub fn download(content_type: &'static str, names: (String, String), bytes: Vec<u8>) -> Response {
    let (ascii, utf8) = names;
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::web::errors::urlencode(&utf8)
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// The CSV of one view of a period (UTF-8 with BOM, amounts in yuan, a last row 合计).
///
/// # Errors
/// 422 naming `view` for an unknown view.
pub fn csv_response(
    period: &PeriodOut,
    view: Option<&str>,
    tz: chrono_tz::Tz,
) -> Result<Response, AppError> {
    let view = match view.map(str::trim).filter(|v| !v.is_empty()) {
        None => View::Items,
        Some(v) => View::parse(v)
            .ok_or_else(|| AppError::field("view", Message::key("err-unknown-choice")))?,
    };
    Ok(download(
        "text/csv; charset=utf-8",
        export::file_names(period, Some(view), "csv"),
        export::csv(period, view, tz),
    ))
}

/// The XLSX workbook of a period.
///
/// # Errors
/// Only a failure to assemble the workbook.
pub fn xlsx_response(period: &PeriodOut, tz: chrono_tz::Tz) -> Result<Response, AppError> {
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        export::file_names(period, None, "xlsx"),
        export::xlsx(period, tz)?,
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
