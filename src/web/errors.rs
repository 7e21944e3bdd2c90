//! The one place errors meet HTTP: each [`AppError`] gets its status and `error.code` here, and
//! the [`ErrorReport`] it leaves in a response is turned into words in the request's language:
//! the JSON error shape of DESIGN §6 for /api, an HTML page (or the sign-in page) for the rest.

use std::collections::BTreeMap;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;
use serde_json::json;

use super::render::{self, Layout};
use super::AppState;
use crate::error::{AppError, FieldErrors, Message};
use crate::i18n::{self, Lang};

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Invalid(_) | AppError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Config(_) | AppError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The machine-readable `error.code` of the JSON error shape.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Conflict(_) => "conflict",
            AppError::TooLarge => "too_large",
            AppError::Invalid(_) => "invalid",
            AppError::Refused(_) => "not_allowed",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Busy { .. } => "busy",
            AppError::Database(_) | AppError::Config(_) | AppError::Internal(_) => "internal",
        }
    }
}

/// The parts of an error that survive into the response, so that [`localize_errors`] can
/// translate them once it knows the request's language and whether it came from the API or a page.
#[derive(Clone, Debug)]
pub struct ErrorReport {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: Message,
    pub fields: FieldErrors,
    pub detail: Option<String>,
    pub retry_after_secs: Option<u64>,
}

impl AppError {
    /// What of this error survives into the response, for [`localize_errors`] to translate.
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            status: self.status(),
            code: self.code(),
            message: self.message(),
            fields: match self {
                AppError::Invalid(fields) => fields.clone(),
                _ => FieldErrors::new(),
            },
            detail: match self {
                AppError::BadRequest(detail) if !detail.is_empty() => Some(detail.clone()),
                _ => None,
            },
            retry_after_secs: self.retry_after_secs(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let report = self.report();
        if report.status == StatusCode::INTERNAL_SERVER_ERROR {
            // The only place internal failures are logged; the text never reaches the user.
            tracing::error!(error = %self, "request failed");
        }
        let mut response = report.status.into_response();
        response.extensions_mut().insert(report);
        response
    }
}

pub async fn localize_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let lang = super::extract::lang_of(&parts);
    let path = parts.uri.path().to_owned();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| path.clone());
    let is_api = path.starts_with("/api/");
    let response = next.run(Request::from_parts(parts, body)).await;

    let report = match response.extensions().get::<ErrorReport>() {
        Some(report) => report.clone(),
        // A body over the limit is refused by a layer that knows nothing of our error shape.
        None if response.status() == StatusCode::PAYLOAD_TOO_LARGE => ErrorReport {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "too_large",
            message: Message::key("err-too-large"),
            fields: Default::default(),
            detail: None,
            retry_after_secs: None,
        },
        // A request that axum's own extractors refused (a path id that is not a number, a
        // wrong method) gets the same error shape as every other refusal.
        None if is_plain_rejection(&response) => rejection_report(response.status()),
        None => return response,
    };
    let mut out = if is_api {
        api_error(lang, &report)
    } else if report.status == StatusCode::UNAUTHORIZED {
        let next = urlencode(&path_and_query);
        Redirect::to(&format!("/login?next={next}")).into_response()
    } else {
        page_error(&state, lang, &report)
    };
    if let Some(secs) = report.retry_after_secs {
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            out.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    out
}

/// A client error answered by axum itself (plain text), not by our error type.
fn is_plain_rejection(response: &Response) -> bool {
    response.status().is_client_error()
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|ct| ct.starts_with("text/plain"))
}

/// The report of the error of ours that matches a status axum answered with; the status itself
/// is kept (a 408 or 415 reads as a malformed request).
fn rejection_report(status: StatusCode) -> ErrorReport {
    let error = match status {
        StatusCode::NOT_FOUND => AppError::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        StatusCode::UNPROCESSABLE_ENTITY => AppError::Invalid(Default::default()),
        _ => AppError::BadRequest(String::new()),
    };
    ErrorReport {
        status,
        ..error.report()
    }
}

fn api_error(lang: Lang, report: &ErrorReport) -> Response {
    let fields: BTreeMap<&str, String> = report
        .fields
        .iter()
        .map(|(k, m)| (k.as_str(), i18n::message(lang, m)))
        .collect();
    let mut message = i18n::message(lang, &report.message);
    if let Some(detail) = &report.detail {
        message = format!("{message} ({detail})");
    }
    let body = json!({
        "error": { "code": report.code, "message": message, "fields": fields }
    });
    let mut response = (report.status, axum::Json(body)).into_response();
    if report.status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

#[derive(Serialize)]
struct ErrorPage {
    #[serde(flatten)]
    layout: Layout,
    status: u16,
    message: String,
    /// What is wrong with each field, when the form could not be shown again around them.
    fields: Vec<String>,
}

fn page_error(state: &AppState, lang: Lang, report: &ErrorReport) -> Response {
    let page = ErrorPage {
        layout: Layout::anonymous(lang, "/"),
        status: report.status.as_u16(),
        message: i18n::message(lang, &report.message),
        fields: report
            .fields
            .iter()
            .map(|(field, m)| format!("{field}: {}", i18n::message(lang, m)))
            .collect(),
    };
    match render::render(state, "error.html", &page) {
        Ok(html) => (report.status, html).into_response(),
        // The error page itself failed: fall back to plain text rather than loop.
        Err(_) => (report.status, Html(page.message)).into_response(),
    }
}

/// Percent-encodes a path for a `next=` parameter.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
