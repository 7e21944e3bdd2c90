//! Browser sessions: the `sid` cookie, the signed-in user of a page request, and the CSRF check
//! every form post passes before its handler runs.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::AppState;
use crate::error::{AppError, Message};
use crate::services::auth::{self, CurrentUser};

pub const SESSION_COOKIE: &str = "sid";
/// The sign-in lifetimes of the settings.
pub fn limits(state: &AppState) -> auth::SessionLimits {
    auth::SessionLimits::hours(
        state.config.session_idle_hours,
        state.config.session_max_hours,
    )
}

/// Double-submit CSRF cookie for the forms shown before sign-in (the sign-in form itself).
pub const PRE_CSRF_COOKIE: &str = "csrf_pre";
/// The form field every form carries.
pub const CSRF_FIELD: &str = "_csrf";

/// The session of a page request, put in the request by [`load_session`].
#[derive(Clone, Debug)]
pub struct SessionInfo {
    pub user: CurrentUser,
    pub csrf: String,
}

/// The signed-in user of a page; without a session the page answers by sending to the sign-in page.
pub struct PageUser(pub SessionInfo);

impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<SessionInfo>()
            .cloned()
            .map(PageUser)
            .ok_or(AppError::Unauthorized)
    }
}

/// A cookie with the attributes every cookie of ours has.
pub fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .build()
}

/// Resolves the `sid` cookie into the signed-in user, then refuses any form post whose `_csrf`
/// field does not match the session's token (or, before sign-in, the `csrf_pre` cookie).
pub async fn load_session(
    State(state): State<AppState>,
    jar: CookieJar,
    mut request: Request,
    next: Next,
) -> Response {
    let mut expected_csrf = jar.get(PRE_CSRF_COOKIE).map(|c| c.value().to_owned());
    if let Some(sid) = jar.get(SESSION_COOKIE) {
        match auth::user_for_session(&state.db, sid.value(), limits(&state)).await {
            Ok((user, csrf)) => {
                expected_csrf = Some(csrf.clone());
                request.extensions_mut().insert(SessionInfo { user, csrf });
            }
            Err(AppError::Unauthorized) => {}
            Err(other) => return other.into_response(),
        }
    }
    if request.method() == Method::POST {
        let (parts, body) = request.into_parts();
        let (sent, body) = if is_multipart(&parts) {
            // File uploads carry the token in the query string, so the body (up to the upload
            // limit) streams straight to the handler.
            (query_csrf(&parts), body)
        } else {
            let bytes = match axum::body::to_bytes(body, super::extract::MAX_BODY_BYTES).await {
                Ok(b) => b,
                Err(_) => return AppError::TooLarge.into_response(),
            };
            (form_csrf(&parts, &bytes), Body::from(bytes))
        };
        let valid = matches!((&sent, &expected_csrf), (Some(s), Some(e)) if constant_time_eq(s, e));
        if !valid {
            tracing::warn!("form post refused: CSRF token missing or wrong");
            return AppError::Forbidden(Message::key("err-csrf")).into_response();
        }
        request = Request::from_parts(parts, body);
    }
    next.run(request).await
}

fn is_multipart(parts: &Parts) -> bool {
    parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"))
}

fn query_csrf(parts: &Parts) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_html_form::from_str(parts.uri.query()?).ok()?;
    pairs
        .into_iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v)
}

fn form_csrf(parts: &Parts, body: &[u8]) -> Option<String> {
    if let Some(h) = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return Some(h.to_owned());
    }
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return None;
    }
    let pairs: Vec<(String, String)> = serde_html_form::from_bytes(body).ok()?;
    pairs
        .into_iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v)
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
