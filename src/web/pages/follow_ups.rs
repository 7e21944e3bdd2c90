//! `/follow-ups` (回访待办): the follow-up visits due by today and in the next week, overdue first,
//! for the coordination centre (the whole street) and mediators (the cases they see).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use serde::Serialize;

use crate::domain::clocks;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services::cases::follow_ups_due::{self, FollowUpDue, Scope};
use crate::services::units as unit_service;
use crate::web::render::{self, Layout};
use crate::web::session::PageUser;
use crate::web::AppState;

/// How many days ahead the page looks, besides what is already due.
pub const AHEAD_DAYS: i64 = 7;

#[derive(Serialize)]
struct Row {
    case_id: i64,
    case_no: String,
    status: String,
    outcome: Option<String>,
    unit: String,
    lead: Option<String>,
    due_on: String,
    /// Positive when overdue, 0 on the day, negative while ahead.
    days_overdue: i64,
}

#[derive(Serialize)]
struct IndexPage {
    #[serde(flatten)]
    layout: Layout,
    until: String,
    rows: Vec<Row>,
}

/// The list: due by today or within [`AHEAD_DAYS`], each row linking to its case.
pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
) -> Result<Response, AppError> {
    session.user.require(&follow_ups_due::LIST_ROLES)?;
    let tz = state.config.time_zone;
    let today = clocks::local_date(Utc::now(), tz);
    let until = today + Duration::days(AHEAD_DAYS);
    let due = follow_ups_due::list(&state.db, Scope::User(&session.user), until, today).await?;
    let units = unit_service::names(&state.db).await?;
    let rows = due
        .into_iter()
        .map(|d: FollowUpDue| Row {
            unit: units.get(&d.current_unit_id).cloned().unwrap_or_default(),
            case_id: d.case_id,
            case_no: d.case_no,
            status: d.status,
            outcome: d.outcome,
            lead: d.lead_mediator_name,
            due_on: d.due_on.to_string(),
            days_overdue: d.days_overdue,
        })
        .collect();
    let page = IndexPage {
        layout: Layout::new(&session, lang, "/follow-ups"),
        until: until.to_string(),
        rows,
    };
    Ok(render::render(&state, "follow_ups/index.html", &page)?.into_response())
}
