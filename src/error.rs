//! The one error type of the services, free of HTTP: each variant says what went wrong (and, for
//! the reader, which status `web::errors` answers it with); the words the user reads are message
//! keys translated into the request's language by `web::errors` (JSON for /api, an HTML page for
//! the pages). Database and unexpected errors are logged there and shown as a plain 500.

use std::collections::BTreeMap;

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
