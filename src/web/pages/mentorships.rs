//! Mentorship pages (优师带徒): the coordinator's view of every pair with progress bars, who is
//! ready to be certified, mentors' loads; pairing, a pair's page with its cases, graduation and
//! ending. Also the joint-mediation report (片区联调).

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::submit;
use super::Pager;
use crate::domain::clocks::local_date;
use crate::domain::mentorship::{Finish, PairStatus};
use crate::error::{AppError, FieldErrors};
use crate::i18n::{self, Lang};
use crate::services::cases::list::{self as case_list, CaseFilter};
use crate::services::joint_report::{self, JointReport};
use crate::services::mediators::{self as mediator_service, EDITORS};
use crate::services::mentorships::{self, MentorLoad, MentorshipFilter, MentorshipOut};
use crate::services::{units as unit_service, PageRequest};
use crate::web::extract::{Loose, PageForm};
use crate::web::render::{self, field_errors, Choice, Layout};
use crate::web::session::{PageUser, SessionInfo};
use crate::web::shapes::{FinishBody, JointQuery, MentorshipBody, NewPair};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct IndexQuery {
    pub status: Option<String>,
    pub page: Option<u64>,
    pub notice: Option<String>,
}

#[derive(Serialize)]
struct IndexPage {
    #[serde(flatten)]
    layout: Layout,
    /// Active pairs whose apprentice reached the target: certify them.
    ready: Vec<MentorshipOut>,
    /// Active pairs one case (or a fifth of the target) away.
    close: Vec<MentorshipOut>,
    /// Pairs of the chosen status, paged.
    rows: Vec<MentorshipOut>,
    pager: Pager,
    status: String,
    statuses: Vec<Choice>,
    loads: Vec<MentorLoad>,
    units: BTreeMap<i64, String>,
    can_edit: bool,
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<IndexQuery>,
) -> Result<Response, AppError> {
    let tz = state.config.time_zone;
    let status = q
        .status
        .as_deref()
        .map_or(Some(PairStatus::Active), PairStatus::parse);
    let all_active = mentorships::list(
        &state.db,
        tz,
        &MentorshipFilter {
            status: Some(PairStatus::Active),
            ..MentorshipFilter::default()
        },
        PageRequest::first(PageRequest::MAX_PER_PAGE),
    )
    .await?;
    let page = mentorships::list(
        &state.db,
        tz,
        &MentorshipFilter {
            status,
            ..MentorshipFilter::default()
        },
        PageRequest::parse(q.page, Some(30))?,
    )
    .await?;
    let (ready, close) = (
        all_active
            .items
            .iter()
            .filter(|m| m.progress.ready)
            .cloned()
            .collect(),
        all_active
            .items
            .iter()
            .filter(|m| m.close_to_ready)
            .cloned()
            .collect(),
    );
    let layout = notice(
        Layout::new(&session, lang, "/mentorships"),
        lang,
        q.notice.as_deref(),
    );
    let page = IndexPage {
        layout,
        ready,
        close,
        pager: Pager::of(&page),
        rows: page.items,
        status: status.map(|s| s.as_str()).unwrap_or("").to_owned(),
        statuses: PairStatus::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: i18n::t(lang, &format!("pair-status-{}", s.as_str())),
            })
            .collect(),
        loads: mentorships::mentor_loads(&state.db).await?,
        units: unit_service::names(&state.db).await?,
        can_edit: EDITORS.contains(&session.user.role),
    };
    Ok(render::render(&state, "mentorships/index.html", &page)?.into_response())
}

fn notice(layout: Layout, lang: Lang, key: Option<&str>) -> Layout {
    match key {
        Some(k @ ("created" | "graduated" | "ended")) => {
            layout.with_notice(lang, &format!("pair-notice-{k}"))
        }
        _ => layout,
    }
}

#[derive(Serialize)]
struct FormPage {
    #[serde(flatten)]
    layout: Layout,
    values: MentorshipBody,
    errors: BTreeMap<String, String>,
    mentors: Vec<Choice>,
    apprentices: Vec<Choice>,
}

async fn form_page(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    values: MentorshipBody,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let people = mediator_service::all_active(&state.db).await?;
    let units = unit_service::names(&state.db).await?;
    // (is a mentor, is gold-medal, the choice), in the services' order.
    let choices: Vec<(bool, bool, Choice)> = people
        .iter()
        .map(|m| {
            let unit = units.get(&m.unit_id).cloned().unwrap_or_default();
            let gold = if m.gold_medal {
                format!(" · {}", i18n::t(lang, "mediator-gold-medal"))
            } else {
                String::new()
            };
            let choice = Choice {
                value: m.id.to_string(),
                label: format!("{}（{unit}）{gold}", m.name),
            };
            (m.is_mentor, m.gold_medal, choice)
        })
        .collect();
    let (mentors, mut apprentices): (Vec<_>, Vec<_>) = choices
        .into_iter()
        .partition(|(is_mentor, _, _)| *is_mentor);
    // Anyone may learn; gold-medal mediators rarely do, so they come last.
    apprentices.sort_by_key(|(_, gold_medal, _)| *gold_medal);
    let page = FormPage {
        layout: Layout::new(session, lang, "/mentorships"),
        values,
        errors: field_errors(lang, errors),
        mentors: mentors.into_iter().map(|(_, _, c)| c).collect(),
        apprentices: apprentices.into_iter().map(|(_, _, c)| c).collect(),
    };
    Ok((
        status,
        render::render(state, "mentorships/new.html", &page)?,
    )
        .into_response())
}

pub async fn new(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    session.user.require(&EDITORS)?;
    let today = local_date(Utc::now(), state.config.time_zone);
    // `?apprentice_id=` from a mediator's page preselects the apprentice.
    let values = MentorshipBody {
        apprentice_id: q
            .get("apprentice_id")
            .and_then(|v| v.parse().ok())
            .map(Loose::Int),
        mentor_id: q
            .get("mentor_id")
            .and_then(|v| v.parse().ok())
            .map(Loose::Int),
        started_on: Some(today.to_string()),
        target_cases: Some(Loose::Int(10)),
        notes: None,
    };
    form_page(
        &state,
        &session,
        lang,
        values,
        &FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    PageForm(body): PageForm<MentorshipBody>,
) -> Result<Response, AppError> {
    let tz = state.config.time_zone;
    let command = NewPair {
        body: body.clone(),
        today: local_date(Utc::now(), tz),
    };
    let result = mentorships::create(&state.db, tz, &session.user, command).await;
    submit::fields(
        result,
        |m| format!("/mentorships/{}?notice=created", m.id),
        async |errors| {
            form_page(
                &state,
                &session,
                lang,
                body,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        },
    )
    .await
}

#[derive(Serialize)]
struct ShowPage {
    #[serde(flatten)]
    layout: Layout,
    pair: MentorshipOut,
    units: BTreeMap<i64, String>,
    /// The counted cases the user may see (others are counted but not listed).
    rows: Vec<super::cases::CaseRow>,
    hidden_cases: i64,
    can_edit: bool,
    today: String,
    /// Which form failed (`graduate` or `end`), its values and errors.
    failed: String,
    values: FinishBody,
    errors: BTreeMap<String, String>,
    refusal: String,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    pub notice: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    id: i64,
    notice_key: Option<&str>,
    failed: &str,
    values: FinishBody,
    error: Option<AppError>,
) -> Result<Response, AppError> {
    let tz = state.config.time_zone;
    let pair = mentorships::get(&state.db, tz, id).await?;
    let visible = case_list::list(
        &state.db,
        tz,
        &session.user,
        &CaseFilter {
            ids: Some(pair.progress.case_ids.clone()),
            ..CaseFilter::default()
        },
        PageRequest::first(PageRequest::MAX_PER_PAGE),
    )
    .await?;
    let units = unit_service::names(&state.db).await?;
    let rows = super::cases::rows(visible.items, &units, tz);
    let (errors, refusal, status) = match error {
        Some(AppError::Invalid(fields)) => (
            field_errors(lang, &fields),
            String::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Some(AppError::Refused(message)) => (
            BTreeMap::new(),
            i18n::message(lang, &message),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Some(other) => return Err(other),
        None => (BTreeMap::new(), String::new(), StatusCode::OK),
    };
    let page = ShowPage {
        layout: notice(Layout::new(session, lang, "/mentorships"), lang, notice_key),
        hidden_cases: pair.progress.co_mediated_cases - rows.len() as i64,
        rows,
        units,
        can_edit: EDITORS.contains(&session.user.role),
        today: local_date(Utc::now(), tz).to_string(),
        failed: failed.to_owned(),
        values,
        errors,
        refusal,
        pair,
    };
    Ok((
        status,
        render::render(state, "mentorships/show.html", &page)?,
    )
        .into_response())
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    show_page(
        &state,
        &session,
        lang,
        id,
        q.notice.as_deref(),
        "",
        FinishBody::default(),
        None,
    )
    .await
}

async fn finish(
    state: AppState,
    lang: Lang,
    session: SessionInfo,
    id: i64,
    how: Finish,
    body: FinishBody,
) -> Result<Response, AppError> {
    let result = mentorships::finish(
        &state.db,
        state.config.time_zone,
        &session.user,
        id,
        how,
        body.clone(),
    )
    .await;
    let (name, notice_key) = match how {
        Finish::Graduate => ("graduate", "graduated"),
        Finish::End => ("end", "ended"),
    };
    submit::when(
        result,
        |_| format!("/mentorships/{id}?notice={notice_key}"),
        |e| matches!(e, AppError::Invalid(_) | AppError::Refused(_)),
        async |e| show_page(&state, &session, lang, id, None, name, body, Some(e)).await,
    )
    .await
}

#[tracing::instrument(skip_all, fields(mentorship_id = id))]
pub async fn graduate(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(body): PageForm<FinishBody>,
) -> Result<Response, AppError> {
    finish(state, lang, session, id, Finish::Graduate, body).await
}

#[tracing::instrument(skip_all, fields(mentorship_id = id))]
pub async fn end(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(body): PageForm<FinishBody>,
) -> Result<Response, AppError> {
    finish(state, lang, session, id, Finish::End, body).await
}

#[derive(Serialize)]
struct JointPage {
    #[serde(flatten)]
    layout: Layout,
    report: Option<JointReport>,
    from: String,
    to: String,
    errors: BTreeMap<String, String>,
}

/// The joint-mediation report, each figure linked to the cases behind it.
pub async fn joint(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<JointQuery>,
) -> Result<Response, AppError> {
    let (report, errors, status) = match q.days() {
        Ok((from, to)) => (
            Some(
                joint_report::joint_by_unit(
                    &state.db,
                    state.config.time_zone,
                    &session.user,
                    from,
                    to,
                )
                .await?,
            ),
            BTreeMap::new(),
            StatusCode::OK,
        ),
        Err(AppError::Invalid(fields)) => (
            None,
            field_errors(lang, &fields),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(other) => return Err(other),
    };
    let page = JointPage {
        layout: Layout::new(&session, lang, "/reports/joint"),
        report,
        from: q.from.unwrap_or_default(),
        to: q.to.unwrap_or_default(),
        errors,
    };
    Ok((status, render::render(&state, "reports/joint.html", &page)?).into_response())
}
