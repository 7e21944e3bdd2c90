//! The one error type. Each variant documents its HTTP status; the words the user reads are
//! message keys translated into the request's language by `web::errors` (JSON for /api, an HTML
//! page for the pages). Database and unexpected errors are logged and shown as a plain 500.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sea_orm::{DbErr, SqlErr};

/// Words for the user: a key of `locales/*/main.ftl` with its arguments, or text already written
/// in both languages (the workflow's refusals).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    Key(&'static str, Vec<(&'static str, String)>),
    Text { zh: String, en: String },
}

impl Message {
    pub fn key(key: &'static str) -> Message {
        Message::Key(key, Vec::new())
    }

    pub fn with(key: &'static str, args: &[(&'static str, String)]) -> Message {
        Message::Key(key, args.to_vec())
    }
}

/// What is wrong with each named field of a request.
pub type FieldErrors = BTreeMap<String, Message>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request could not be read at all (malformed JSON, wrong types).
    #[error("malformed request: {0}")]
    BadRequest(String),
    /// 401: not signed in, or the token or session has expired.
    #[error("not signed in")]
    Unauthorized,
    /// 403: the thing is visible to this user but their role may not do this.
    #[error("forbidden")]
    Forbidden(Message),
    /// 404: not found, or not in the user's scope (the two are never told apart).
    #[error("not found")]
    NotFound,
    /// 405: the path exists but does not take this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: someone changed the record first, or it already exists; nothing was written.
    #[error("conflict")]
    Conflict(Message),
    /// 413: the body is larger than the server accepts.
    #[error("body too large")]
    TooLarge,
    /// 422: one or more fields are invalid; nothing was written.
    #[error("invalid fields")]
    Invalid(FieldErrors),
    /// 422: the request is well-formed but not allowed now (a workflow refusal).
    #[error("refused")]
    Refused(Message),
    /// 429: too many failed sign-ins; try again after this many seconds.
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: u64 },
    /// 503: the server is busy with this kind of request (password checks); try again after this
    /// many seconds.
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    /// 500: the database failed. Logged; the user sees nothing internal.
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    /// 500 at run time; at start, a setting that cannot work (printed, the process exits).
    #[error("configuration: {0}")]
    Config(String),
    /// 500: a bug or an unexpected failure. Logged; the user sees nothing internal.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// A 422 naming one field.
    pub fn field(name: &str, message: Message) -> AppError {
        let mut fields = FieldErrors::new();
        fields.insert(name.to_owned(), message);
        AppError::Invalid(fields)
    }

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

    /// The sentence for the user, before translation.
    pub fn message(&self) -> Message {
        match self {
            AppError::BadRequest(_) => Message::key("err-bad-request"),
            AppError::Unauthorized => Message::key("err-unauthorized"),
            AppError::Forbidden(m) | AppError::Conflict(m) | AppError::Refused(m) => m.clone(),
            AppError::NotFound => Message::key("err-not-found"),
            AppError::MethodNotAllowed => Message::key("err-method-not-allowed"),
            AppError::TooLarge => Message::key("err-too-large"),
            AppError::Invalid(_) => Message::key("err-invalid"),
            AppError::TooManyRequests { retry_after_secs } => Message::with(
                "err-too-many-sign-ins",
                &[("seconds", retry_after_secs.to_string())],
            ),
            AppError::Busy { .. } => Message::key("err-busy"),
            AppError::Database(_) | AppError::Config(_) | AppError::Internal(_) => {
                Message::key("err-internal")
            }
        }
    }

    /// When a refused client may try again (429 and 503), for the `Retry-After` header.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::TooManyRequests { retry_after_secs }
            | AppError::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// True when the database refused a write because a unique value already exists.
    pub fn is_unique_violation(err: &DbErr) -> bool {
        matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
    }
}

/// The parts of an error that survive into the response, so that `web::errors` can translate
/// them once it knows the request's language and whether it came from the API or a page.
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
    /// What of this error survives into the response, for `web::errors` to translate.
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
