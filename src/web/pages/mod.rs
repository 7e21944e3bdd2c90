//! The HTML pages: server-rendered, Chinese first, every form CSRF-protected by
//! [`super::session::load_session`].

pub mod auth;
pub mod calendar;
pub mod cases;
pub mod home;
pub mod mediators;
pub mod settings;
pub mod units;
pub mod users;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;

use super::session;
use super::AppState;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route(
            "/account/password",
            get(auth::password_form).post(auth::change_password),
        )
        .route("/lang/{code}", get(auth::switch_language))
        .route("/units", get(units::index).post(units::create))
        .route("/units/new", get(units::new))
        .route("/units/{id}", get(units::show).post(units::update))
        .route("/units/{id}/edit", get(units::edit))
        .route("/units/{id}/active", post(units::set_active))
        .route("/mediators", get(mediators::index).post(mediators::create))
        .route("/mediators/new", get(mediators::new))
        .route(
            "/mediators/{id}",
            get(mediators::show).post(mediators::update),
        )
        .route("/mediators/{id}/edit", get(mediators::edit))
        .route("/mediators/{id}/active", post(mediators::set_active))
        .route("/users", get(users::index).post(users::create))
        .route("/users/new", get(users::new))
        .route("/users/{id}", get(users::show).post(users::update))
        .route("/users/{id}/edit", get(users::edit))
        .route("/users/{id}/active", post(users::set_active))
        .route("/calendar", get(calendar::index).post(calendar::create))
        .route("/calendar/{date}/delete", post(calendar::remove))
        .route("/settings", get(settings::show).post(settings::update))
        .route("/queue", get(cases::queue))
        .route("/cases", get(cases::index).post(cases::create))
        .route("/cases/new", get(cases::new))
        .route("/cases/{id}", get(cases::show))
        .route("/cases/{id}/actions", post(cases::act))
        .route("/static/app.css", get(stylesheet))
        .layer(axum::middleware::from_fn_with_state(
            state,
            session::load_session,
        ))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../templates/static/app.css"),
    )
}

/// A pager's numbers for list pages.
#[derive(serde::Serialize)]
pub struct Pager {
    pub page: u64,
    pub pages: u64,
    pub total: u64,
    pub prev: Option<u64>,
    pub next: Option<u64>,
}

impl Pager {
    pub fn of<T>(page: &crate::services::Page<T>) -> Pager {
        let pages = page.pages();
        Pager {
            page: page.page,
            pages,
            total: page.total,
            prev: (page.page > 1).then(|| page.page - 1),
            next: (page.page < pages).then(|| page.page + 1),
        }
    }
}
