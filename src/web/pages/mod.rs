//! The HTML pages: server-rendered, Chinese first, every form CSRF-protected by
//! [`super::session::load_session`].

pub mod auth;
pub mod calendar;
pub mod case_edit;
pub mod case_records;
pub mod cases;
pub mod follow_ups;
pub mod groups;
pub mod home;
pub mod inbox;
pub mod ledger;
pub mod mediators;
pub mod mentorships;
pub mod monthly_report;
pub mod parties;
pub mod settings;
pub mod stats;
pub mod submit;
pub mod subsidy;
pub mod units;
pub mod users;
pub mod warnings;

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
        .route(
            "/cases/{id}/edit",
            get(case_edit::edit).post(case_edit::update),
        )
        .route("/cases/{id}/actions", post(cases::act))
        .route(
            "/cases/{id}/attachments",
            post(super::attachments::page_upload).layer(
                // Uploads may be larger than the forms everywhere else.
                axum::extract::DefaultBodyLimit::max(super::extract::MAX_UPLOAD_BYTES + 64 * 1024),
            ),
        )
        .route(
            "/cases/{id}/attachments/{attachment_id}",
            get(super::attachments::page_download),
        )
        .route("/cases/{id}/group", post(groups::create))
        .route("/cases/{id}/group/cases", post(groups::add_case))
        .route(
            "/cases/{id}/group/representatives",
            post(groups::set_representatives),
        )
        .route("/follow-ups", get(follow_ups::index))
        .route("/subsidy", get(subsidy::index))
        .route("/subsidy/periods", post(subsidy::create))
        .route("/subsidy/periods/{id}", get(subsidy::show))
        .route("/subsidy/periods/{id}/recompute", post(subsidy::recompute))
        .route(
            "/subsidy/periods/{id}/approve",
            get(subsidy::approve_confirm).post(subsidy::approve),
        )
        .route(
            "/subsidy/periods/{id}/paid",
            get(subsidy::paid_confirm).post(subsidy::paid),
        )
        .route("/subsidy/periods/{id}/export.csv", get(subsidy::export_csv))
        .route(
            "/subsidy/periods/{id}/export.xlsx",
            get(subsidy::export_xlsx),
        )
        .route(
            "/subsidy/rates",
            get(subsidy::rates).post(subsidy::add_rate),
        )
        .route("/subsidy/lead_share", post(subsidy::set_lead_share))
        .route("/cases/{id}/sessions", post(case_records::create_session))
        .route(
            "/cases/{id}/agreement",
            post(case_records::create_agreement),
        )
        .route(
            "/cases/{id}/agreement/print",
            get(case_records::print_agreement),
        )
        .route(
            "/cases/{id}/agreement/instalments/{seq}",
            post(case_records::mark_instalment),
        )
        .route(
            "/cases/{id}/agreement/confirmation",
            post(case_records::record_confirmation),
        )
        .route(
            "/cases/{id}/follow_ups",
            post(case_records::create_follow_up),
        )
        .route(
            "/mentorships",
            get(mentorships::index).post(mentorships::create),
        )
        .route("/mentorships/new", get(mentorships::new))
        .route("/mentorships/{id}", get(mentorships::show))
        .route("/mentorships/{id}/graduate", post(mentorships::graduate))
        .route("/mentorships/{id}/end", post(mentorships::end))
        .route("/reports/joint", get(mentorships::joint))
        .route("/inbox", get(inbox::index))
        .route("/inbox/read_all", post(inbox::mark_all_read))
        .route("/inbox/{id}/read", post(inbox::mark_read))
        .route(
            "/account/notifications",
            get(inbox::preferences).post(inbox::save_preferences),
        )
        .route("/admin/outbox", get(inbox::outbox_index))
        .route("/admin/outbox/{id}/retry", post(inbox::outbox_retry))
        .route("/stats", get(stats::show))
        .route(
            "/settings/monthly_report",
            get(monthly_report::show).post(monthly_report::update),
        )
        .route("/cases/{id}/receipt", get(parties::receipt))
        .route("/cases/{id}/access_code", post(parties::reissue))
        .route("/cases/{id}/file", get(parties::file))
        .route("/track", get(parties::track))
        .route("/apply", get(parties::apply_form).post(parties::apply))
        .route(
            "/settings/case_file",
            get(parties::requirements).post(parties::save_requirements),
        )
        .route("/ledger.xlsx", get(ledger::export_xlsx))
        .route("/ledger.csv", get(ledger::export_csv))
        .route(
            "/ledger/import",
            get(ledger::import_form).post(ledger::import_upload).layer(
                axum::extract::DefaultBodyLimit::max(ledger::MAX_LEDGER_BYTES + 64 * 1024),
            ),
        )
        .route("/warnings", get(warnings::index))
        .route("/warnings/{id}", get(warnings::show))
        .route("/warnings/{id}/actions", post(warnings::act))
        .route(
            "/settings/warnings",
            get(warnings::settings).post(warnings::save_settings),
        )
        .route("/static/app.css", get(stylesheet))
        // Inside the session layer: it counts the signed-in user's unread notifications.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            inbox::count_unread,
        ))
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
