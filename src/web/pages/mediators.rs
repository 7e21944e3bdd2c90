//! Mediator pages: list, show, new, edit, deactivate.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::submit;
use super::units::{after_toggle, ActiveForm};
use super::Pager;
use crate::domain::case_terms::DisputeType;
use crate::domain::network::{Background, Employment};
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::services::mediator_record::{self, RecordOut};
use crate::services::mediators::{self as mediator_service, MediatorFilter, EDITORS};
use crate::services::units as unit_service;
use crate::services::PageRequest;
use crate::web::extract::PageForm;
use crate::web::render::{self, choices, field_errors, Choice, Layout};
use crate::web::session::{PageUser, SessionInfo};
use crate::web::shapes::{MediatorBody, MediatorForm, MediatorOut};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct IndexQuery {
    pub unit_id: Option<String>,
    pub q: Option<String>,
    pub title: Option<String>,
    pub page: Option<u64>,
    pub notice: Option<String>,
}

#[derive(Serialize)]
struct Row {
    mediator: MediatorOut,
    unit: String,
}

#[derive(Serialize)]
struct IndexPage {
    #[serde(flatten)]
    layout: Layout,
    rows: Vec<Row>,
    pager: Pager,
    units: Vec<Choice>,
    unit_id: String,
    q: String,
    title: String,
    can_create: bool,
}

async fn unit_choices(state: &AppState) -> Result<Vec<Choice>, AppError> {
    Ok(unit_service::all_active(&state.db)
        .await?
        .into_iter()
        .map(|u| Choice {
            value: u.id.to_string(),
            label: u.name,
        })
        .collect())
}

async fn unit_names(state: &AppState) -> Result<BTreeMap<String, String>, AppError> {
    Ok(unit_choices(state)
        .await?
        .into_iter()
        .map(|c| (c.value, c.label))
        .collect())
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<IndexQuery>,
) -> Result<Response, AppError> {
    let unit_id = q.unit_id.as_deref().and_then(|u| u.parse::<i64>().ok());
    let title = q.title.clone().unwrap_or_default();
    let filter = MediatorFilter {
        unit_id,
        active: None,
        gold_medal: (title == "gold_medal").then_some(true),
        is_mentor: (title == "mentor").then_some(true),
        q: q.q.clone(),
    };
    let page =
        mediator_service::list(&state.db, &filter, PageRequest::parse(q.page, Some(50))?).await?;
    let names = unit_names(&state).await?;
    let pager = Pager::of(&page);
    let rows = page
        .items
        .into_iter()
        .map(|m| Row {
            unit: names
                .get(&m.unit_id.to_string())
                .cloned()
                .unwrap_or_default(),
            mediator: MediatorOut::for_user(m, &session.user),
        })
        .collect();
    let layout = super::auth::notice(
        Layout::new(&session, lang, "/mediators"),
        lang,
        q.notice.as_deref(),
    );
    let page = IndexPage {
        layout,
        rows,
        pager,
        units: unit_choices(&state).await?,
        unit_id: unit_id.map(|u| u.to_string()).unwrap_or_default(),
        q: q.q.unwrap_or_default(),
        title,
        can_create: EDITORS.contains(&session.user.role),
    };
    Ok(render::render(&state, "mediators/index.html", &page)?.into_response())
}

#[derive(Serialize)]
struct ShowPage {
    #[serde(flatten)]
    layout: Layout,
    mediator: MediatorOut,
    unit: String,
    can_edit: bool,
    record: RecordOut,
    units: BTreeMap<i64, String>,
    /// Their pair as an apprentice now, if any.
    active_pair_as_apprentice: Option<i64>,
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<IndexQuery>,
) -> Result<Response, AppError> {
    let mediator = mediator_service::get(&state.db, id).await?;
    let unit = unit_service::get(&state.db, mediator.unit_id).await?.name;
    let layout = super::auth::notice(
        Layout::new(&session, lang, "/mediators"),
        lang,
        q.notice.as_deref(),
    );
    let record = mediator_record::record(&state.db, state.config.time_zone, &mediator).await?;
    let active_pair_as_apprentice = record
        .mentorships
        .iter()
        .find(|p| p.apprentice_id == mediator.id && p.status == "active")
        .map(|p| p.id);
    let page = ShowPage {
        layout,
        mediator: MediatorOut::for_user(mediator, &session.user),
        unit,
        can_edit: EDITORS.contains(&session.user.role),
        record,
        units: unit_service::names(&state.db).await?,
        active_pair_as_apprentice,
    };
    Ok(render::render(&state, "mediators/show.html", &page)?.into_response())
}

#[derive(Serialize)]
struct FormPage {
    #[serde(flatten)]
    layout: Layout,
    values: MediatorBody,
    errors: BTreeMap<String, String>,
    units: Vec<Choice>,
    employments: Vec<Choice>,
    backgrounds: Vec<Choice>,
    dispute_types: Vec<Choice>,
    action: String,
    editing: bool,
}

async fn form_page(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    values: MediatorBody,
    errors: &FieldErrors,
    action: String,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = FormPage {
        layout: Layout::new(session, lang, "/mediators"),
        editing: action != "/mediators",
        values,
        errors: field_errors(lang, errors),
        units: unit_choices(state).await?,
        employments: choices(lang, "employment", Employment::ALL.map(Employment::as_str)),
        backgrounds: choices(lang, "background", Background::ALL.map(Background::as_str)),
        dispute_types: choices(
            lang,
            "dispute-type",
            DisputeType::ALL.map(DisputeType::as_str),
        ),
        action,
    };
    Ok((status, render::render(state, "mediators/form.html", &page)?).into_response())
}

pub async fn new(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
) -> Result<Response, AppError> {
    session.user.require(&EDITORS)?;
    let values = MediatorBody {
        employment: Some("part_time".into()),
        background: Some("volunteer".into()),
        max_open_cases: Some(crate::web::extract::Loose::Int(10)),
        years_experience: Some(crate::web::extract::Loose::Int(0)),
        ..Default::default()
    };
    form_page(
        &state,
        &session,
        lang,
        values,
        &FieldErrors::new(),
        "/mediators".into(),
        StatusCode::OK,
    )
    .await
}

#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    PageForm(body): PageForm<MediatorBody>,
) -> Result<Response, AppError> {
    session.user.require(&EDITORS)?;
    let result = match body.check(true) {
        Ok((input, _)) => mediator_service::create(&state.db, &session.user, input).await,
        Err(e) => Err(e),
    };
    submit::fields(
        result,
        |m| format!("/mediators/{}?notice=created", m.id),
        async |errors| {
            form_page(
                &state,
                &session,
                lang,
                body,
                &errors,
                "/mediators".into(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        },
    )
    .await
}

pub async fn edit(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let mediator = mediator_service::get(&state.db, id).await?;
    session.user.require(&EDITORS)?;
    let values = MediatorBody::from_model(&mediator);
    form_page(
        &state,
        &session,
        lang,
        values,
        &FieldErrors::new(),
        format!("/mediators/{id}"),
        StatusCode::OK,
    )
    .await
}

#[tracing::instrument(skip_all, fields(mediator_id = id))]
pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(body): PageForm<MediatorBody>,
) -> Result<Response, AppError> {
    let form = MediatorForm(body.clone());
    let result = mediator_service::update(&state.db, &session.user, id, form).await;
    submit::fields(
        result,
        |_| format!("/mediators/{id}?notice=saved"),
        async |errors| {
            form_page(
                &state,
                &session,
                lang,
                body,
                &errors,
                format!("/mediators/{id}"),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        },
    )
    .await
}

pub async fn set_active(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<ActiveForm>,
) -> Result<Response, AppError> {
    let result = mediator_service::set_active(&state.db, &session.user, id, &form).await;
    submit::done(result, |m| {
        after_toggle(&format!("/mediators/{id}"), m.active)
    })
}
