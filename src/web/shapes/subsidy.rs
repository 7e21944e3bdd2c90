//! The subsidy shapes: a body read after the reach check ([`Deferred`]), a rate, the lead share, a
//! period, and a period's CSV and XLSX downloads.

use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::case_terms::Grade;
use crate::domain::subsidy::{LeadShare, Period, Rate};
use crate::error::{AppError, Message};
use crate::services::command::Command;
use crate::services::subsidy::export::{self, View};
use crate::services::subsidy::{self as service, PeriodOut};
use crate::web::extract::{ApiJson, Checker, Loose};

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

/// `POST /subsidy/rates` and the rate form: the rate, read after the role is checked.
impl Command for Deferred<RateBody> {
    type Params = Rate;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<Rate, AppError> {
        self.0?.check()
    }
}

/// `PUT /subsidy/lead_share` and the share form: the share, read after the role is checked.
impl Command for Deferred<LeadShareBody> {
    type Params = LeadShare;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<LeadShare, AppError> {
        self.0?.check()
    }
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
