//! The calendar page (admins): one year's holidays and working weekend days by month, a form to
//! add a day and a button to remove one.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Utc};
use serde::{Deserialize, Serialize};

use super::submit;
use crate::domain::clocks::{self, DayKind};
use crate::domain::role::Role;
use crate::error::{AppError, FieldErrors};
use crate::i18n::{self, Lang};
use crate::services::calendar::{self as calendar_service, CalendarDay};
use crate::services::PageRequest;
use crate::web::extract::PageForm;
use crate::web::render::{self, choices, field_errors, Choice, Layout};
use crate::web::session::PageUser;
use crate::web::shapes::{path_date, CalendarDayBody, DayInPath};
use crate::web::AppState;

#[derive(Serialize)]
struct DayRow {
    date: String,
    weekday: String,
    kind: String,
    name: String,
}

#[derive(Serialize)]
struct Month {
    label: String,
    rows: Vec<DayRow>,
}

#[derive(Serialize)]
struct IndexPage {
    #[serde(flatten)]
    layout: Layout,
    year: i32,
    years: Vec<i32>,
    months: Vec<Month>,
    holidays: usize,
    workdays: usize,
    kinds: Vec<Choice>,
    values: CalendarDayBody,
    errors: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
pub struct IndexQuery {
    pub year: Option<String>,
    pub notice: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<IndexQuery>,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Admin])?;
    let year = q
        .year
        .as_deref()
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (1..=9999).contains(y))
        .unwrap_or_else(|| this_year(&state));
    let mut layout = Layout::new(&session, lang, "/calendar");
    if let Some(key) = match q.notice.as_deref() {
        Some("added") => Some("notice-calendar-added"),
        Some("removed") => Some("notice-calendar-removed"),
        _ => None,
    } {
        layout = layout.with_notice(lang, key);
    }
    let view = View {
        year,
        values: CalendarDayBody {
            kind: Some(DayKind::Holiday.as_str().to_owned()),
            ..Default::default()
        },
        errors: FieldErrors::new(),
    };
    index_page(&state, layout, lang, view, StatusCode::OK).await
}

/// What the page shows besides the list: the year, and the add form's values and errors.
struct View {
    year: i32,
    values: CalendarDayBody,
    errors: FieldErrors,
}

async fn index_page(
    state: &AppState,
    layout: Layout,
    lang: Lang,
    view: View,
    status: StatusCode,
) -> Result<Response, AppError> {
    let View {
        year,
        values,
        errors,
    } = view;
    let days = calendar_service::list(
        &state.db,
        Some(year),
        PageRequest::first(PageRequest::MAX_PER_PAGE),
    )
    .await?
    .items;
    let holidays = days.iter().filter(|d| d.kind == DayKind::Holiday).count();
    let workdays = days.len() - holidays;
    let mut years = calendar_service::years(&state.db).await?;
    let now = this_year(state);
    years.extend([now - 1, now, now + 1, year]);
    years.sort_unstable();
    years.dedup();
    let page = IndexPage {
        layout,
        year,
        years,
        months: by_month(lang, days),
        holidays,
        workdays,
        kinds: choices(lang, "calendar-kind", DayKind::ALL.map(DayKind::as_str)),
        values,
        errors: field_errors(lang, &errors),
    };
    Ok((status, render::render(state, "calendar/index.html", &page)?).into_response())
}

/// The days grouped by month, in date order (the list arrives sorted).
fn by_month(lang: Lang, days: Vec<CalendarDay>) -> Vec<Month> {
    let mut months: Vec<(u32, Month)> = Vec::new();
    for d in days {
        let month = d.day.month();
        if months.last().map(|(m, _)| *m) != Some(month) {
            months.push((
                month,
                Month {
                    label: i18n::t(lang, &format!("calendar-month-{month}")),
                    rows: Vec::new(),
                },
            ));
        }
        let weekday = d.day.weekday().number_from_monday();
        if let Some((_, group)) = months.last_mut() {
            group.rows.push(DayRow {
                date: d.day.format("%Y-%m-%d").to_string(),
                weekday: i18n::t(lang, &format!("calendar-weekday-{weekday}")),
                kind: d.kind.as_str().to_owned(),
                name: d.name,
            });
        }
    }
    months.into_iter().map(|(_, m)| m).collect()
}

/// The current year in the street's time zone.
fn this_year(state: &AppState) -> i32 {
    clocks::local_year(Utc::now(), state.config.time_zone)
}

#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    PageForm(body): PageForm<CalendarDayBody>,
) -> Result<Response, AppError> {
    let result = calendar_service::add(&state.db, &session.user, body.clone()).await;
    submit::fields(
        result,
        |row| format!("/calendar?year={}&notice=added", row.day.year()),
        async |errors| {
            let typed_year = body
                .date
                .as_deref()
                .and_then(|d| path_date(d).ok())
                .map(|d| d.year());
            let year = typed_year.unwrap_or_else(|| this_year(&state));
            let view = View {
                year,
                values: body,
                errors,
            };
            let layout = Layout::new(&session, lang, "/calendar");
            index_page(&state, layout, lang, view, StatusCode::UNPROCESSABLE_ENTITY).await
        },
    )
    .await
}

#[tracing::instrument(skip_all, fields(date = %date))]
pub async fn remove(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(date): Path<String>,
) -> Result<Response, AppError> {
    let result = calendar_service::remove(&state.db, &session.user, DayInPath(&date)).await;
    submit::done(result, |day| {
        format!("/calendar?year={}&notice=removed", day.year())
    })
}
