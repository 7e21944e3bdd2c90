//! Sign-in, sign-out, change password, and the language switch.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::{Deserialize, Serialize};

use super::submit;
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::services::{accounts, auth};
use crate::web::extract::{ClientAddress, PageForm};
use crate::web::render::{self, field_errors, Layout};
use crate::web::session::{self, PageUser, PRE_CSRF_COOKIE, SESSION_COOKIE};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct NextQuery {
    pub next: Option<String>,
}

#[derive(Deserialize, Default, Serialize)]
pub struct LoginForm {
    #[serde(default)]
    pub username: String,
    #[serde(default, skip_serializing)]
    pub password: String,
    #[serde(default)]
    pub next: String,
}

#[derive(Serialize)]
struct LoginPage {
    #[serde(flatten)]
    layout: Layout,
    username: String,
    next: String,
    error: Option<String>,
}

/// Only paths of this site, so that a crafted link cannot send someone elsewhere after sign-in.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

fn login_page(
    state: &AppState,
    jar: CookieJar,
    lang: Lang,
    status: StatusCode,
    username: String,
    next: String,
    error: Option<String>,
) -> Result<Response, AppError> {
    let csrf = jar
        .get(PRE_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_else(auth::new_csrf_token);
    let jar = jar.add(session::cookie(state, PRE_CSRF_COOKIE, csrf.clone()));
    let mut layout = Layout::anonymous(lang, "/login");
    layout.csrf = csrf;
    let html = render::render(
        state,
        "auth/login.html",
        &LoginPage {
            layout,
            username,
            next,
            error,
        },
    )?;
    Ok((status, jar, html).into_response())
}

pub async fn login_form(
    State(state): State<AppState>,
    jar: CookieJar,
    lang: Lang,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let next = safe_next(q.next.as_deref().unwrap_or("/"));
    login_page(&state, jar, lang, StatusCode::OK, String::new(), next, None)
}

#[tracing::instrument(skip_all)]
pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    lang: Lang,
    ClientAddress(address): ClientAddress,
    PageForm(form): PageForm<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(&form.next);
    match auth::sign_in(&state.db, &form.username, &form.password, &address).await {
        Ok(user) => {
            let (token, _csrf) =
                auth::start_session(&state.db, user.id, session::limits(&state)).await?;
            let jar = jar
                .remove(session::cookie(&state, PRE_CSRF_COOKIE, String::new()))
                .add(session::cookie(&state, SESSION_COOKIE, token));
            // Without a page to return to, each role lands where its work is (DESIGN §9).
            let target = if next == "/" {
                super::home::landing(user.role).to_owned()
            } else {
                next
            };
            Ok((jar, Redirect::to(&target)).into_response())
        }
        Err(AppError::Unauthorized) => {
            let message = i18n::t(lang, "login-failed");
            login_page(
                &state,
                jar,
                lang,
                StatusCode::UNAUTHORIZED,
                form.username,
                next,
                Some(message),
            )
        }
        Err(e @ (AppError::TooManyRequests { .. } | AppError::Busy { .. })) => {
            let (status, retry_after_secs) = (e.status(), e.retry_after_secs().unwrap_or(1));
            let message = i18n::message(lang, &e.message());
            let mut page = login_page(
                &state,
                jar,
                lang,
                status,
                form.username,
                next,
                Some(message),
            )?;
            page.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_secs),
            );
            Ok(page)
        }
        Err(other) => Err(other),
    }
}

pub async fn logout(State(state): State<AppState>, jar: CookieJar) -> Result<Response, AppError> {
    if let Some(sid) = jar.get(SESSION_COOKIE) {
        auth::end_session(&state.db, sid.value()).await?;
    }
    let jar = jar.remove(session::cookie(&state, SESSION_COOKIE, String::new()));
    Ok((jar, Redirect::to("/login")).into_response())
}

#[derive(Deserialize, Default)]
pub struct PasswordForm {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
    #[serde(default)]
    pub confirm_password: String,
}

#[derive(Serialize)]
struct PasswordPage {
    #[serde(flatten)]
    layout: Layout,
    errors: std::collections::BTreeMap<String, String>,
}

pub async fn password_form(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
) -> Result<Response, AppError> {
    let page = PasswordPage {
        layout: Layout::new(&session, lang, "/account/password"),
        errors: Default::default(),
    };
    Ok(render::render(&state, "auth/password.html", &page)?.into_response())
}

#[tracing::instrument(skip_all)]
pub async fn change_password(
    State(state): State<AppState>,
    jar: CookieJar,
    lang: Lang,
    PageUser(session): PageUser,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response, AppError> {
    let changed = async {
        if form.new_password != form.confirm_password {
            return Err(AppError::field(
                "confirm_password",
                crate::error::Message::key("err-password-mismatch"),
            ));
        }
        accounts::change_password(
            &state.db,
            &session.user,
            &form.current_password,
            &form.new_password,
        )
        .await?;
        // Every session ended with the change; sign this browser in again at once.
        let (token, _) =
            auth::start_session(&state.db, session.user.id, session::limits(&state)).await?;
        Ok(token)
    }
    .await;
    let jar = match &changed {
        Ok(token) => jar.add(session::cookie(&state, SESSION_COOKIE, token.clone())),
        Err(_) => jar,
    };
    let response = submit::fields(
        changed,
        |_| "/?notice=password-changed".to_owned(),
        async |errors| {
            let page = PasswordPage {
                layout: Layout::new(&session, lang, "/account/password"),
                errors: field_errors(lang, &errors),
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render::render(&state, "auth/password.html", &page)?,
            )
                .into_response())
        },
    )
    .await?;
    Ok((jar, response).into_response())
}

/// Sets the `lang` cookie and goes back to where the switch was clicked.
pub async fn switch_language(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let mut cookie = session::cookie(&state, "lang", lang.code().to_owned());
    cookie.set_max_age(Some(time_year()));
    let next = safe_next(q.next.as_deref().unwrap_or("/"));
    (jar.add(cookie), Redirect::to(&next)).into_response()
}

fn time_year() -> time::Duration {
    time::Duration::days(365)
}

/// A signed-in session's notice from `?notice=key` (only known keys, so links cannot inject text).
pub fn notice(layout: Layout, lang: Lang, key: Option<&str>) -> Layout {
    match key {
        Some(k @ ("saved" | "created" | "password-changed" | "deactivated" | "activated")) => {
            layout.with_notice(lang, &format!("notice-{k}"))
        }
        _ => layout,
    }
}
