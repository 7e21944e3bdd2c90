//! The first page after sign-in: the network at a glance, and where each role lands.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::domain::role::Role;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::web::render::{self, Layout};
use crate::web::session::PageUser;
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    pub notice: Option<String>,
}

#[derive(Serialize)]
struct KindCount {
    kind: &'static str,
    count: u64,
}

#[derive(Serialize)]
struct HomePage {
    #[serde(flatten)]
    layout: Layout,
    unit_counts: Vec<KindCount>,
    mediators: u64,
    full_time: u64,
    gold_medal: u64,
    mentors: u64,
}

/// Where each role's work is (DESIGN §9): the page a sign-in without a page to return to lands on.
pub fn landing(role: Role) -> &'static str {
    match role {
        Role::Coordinator => "/queue",
        Role::Mediator => "/cases",
        Role::Finance => "/subsidy",
        Role::Viewer => "/stats",
        Role::Admin => "/",
    }
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<HomeQuery>,
) -> Result<Response, AppError> {
    // The network counts are no part of a finance clerk's work: their home is the subsidy periods,
    // also when they open the site's address or click 首页. Coordinators and mediators keep the
    // counts one click away.
    // Likewise the street leader's (viewer's) home is the dashboard.
    if session.user.is(Role::Finance) || session.user.is(Role::Viewer) {
        let home = landing(session.user.role);
        let target = match q.notice.as_deref() {
            Some(notice) => format!("{home}?notice={}", crate::web::errors::urlencode(notice)),
            None => home.to_owned(),
        };
        return Ok(Redirect::to(&target).into_response());
    }
    let counts = crate::services::network::counts(&state.db).await?;
    let page = HomePage {
        layout: super::auth::notice(Layout::new(&session, lang, "/"), lang, q.notice.as_deref()),
        unit_counts: counts
            .units
            .into_iter()
            .map(|(kind, count)| KindCount {
                kind: kind.as_str(),
                count,
            })
            .collect(),
        mediators: counts.mediators,
        full_time: counts.full_time,
        gold_medal: counts.gold_medal,
        mentors: counts.mentors,
    };
    Ok(render::render(&state, "home.html", &page)?.into_response())
}
