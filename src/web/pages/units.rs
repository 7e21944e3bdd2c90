//! Unit pages: list, show, new, edit, deactivate.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::submit;
use super::Pager;
use crate::domain::network::{Department, Employment, UnitKind};
use crate::domain::role::Role;
use crate::error::{AppError, Message};
use crate::i18n::Lang;
use crate::services::command::Command;
use crate::services::mediators::{self as mediator_service, MediatorFilter};
use crate::services::units::{self as unit_service, UnitFilter};
use crate::services::PageRequest;
use crate::web::extract::{loose_version, Loose, PageForm};
use crate::web::render::{self, choices, field_errors, Choice, Layout};
use crate::web::session::{PageUser, SessionInfo};
use crate::web::shapes::{UnitBody, UnitForm, UnitQuery};
use crate::web::AppState;

#[derive(Serialize)]
struct UnitRow {
    id: i64,
    code: String,
    name: String,
    kind: UnitKind,
    department: Option<Department>,
    parent: Option<String>,
    active: bool,
}

#[derive(Serialize)]
struct IndexPage {
    #[serde(flatten)]
    layout: Layout,
    rows: Vec<UnitRow>,
    pager: Pager,
    kinds: Vec<Choice>,
    kind: String,
    q: String,
    can_create: bool,
}

#[derive(Deserialize, Default)]
pub struct IndexQuery {
    pub kind: Option<String>,
    pub q: Option<String>,
    pub page: Option<u64>,
    pub notice: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<IndexQuery>,
) -> Result<Response, AppError> {
    let kind = q.kind.clone().filter(|k| !k.is_empty());
    let filter = UnitQuery {
        kind: kind.clone(),
        q: q.q.clone(),
        ..Default::default()
    }
    .filter()
    .unwrap_or_default();
    let page =
        unit_service::list(&state.db, &filter, PageRequest::parse(q.page, Some(50))?).await?;
    let names = unit_names(&state).await?;
    let pager = Pager::of(&page);
    let rows = page
        .items
        .into_iter()
        .map(|u| UnitRow {
            parent: u.parent_id.and_then(|p| names.get(&p).cloned()),
            id: u.id,
            code: u.code,
            name: u.name,
            kind: u.kind.into(),
            department: u.department.map(Into::into),
            active: u.active,
        })
        .collect();
    let layout = super::auth::notice(
        Layout::new(&session, lang, "/units"),
        lang,
        q.notice.as_deref(),
    );
    let page = IndexPage {
        layout,
        rows,
        pager,
        kinds: choices(lang, "unit-kind", UnitKind::ALL.map(UnitKind::as_str)),
        kind: kind.unwrap_or_default(),
        q: q.q.unwrap_or_default(),
        can_create: session.user.is(Role::Admin),
    };
    Ok(render::render(&state, "units/index.html", &page)?.into_response())
}

async fn unit_names(state: &AppState) -> Result<BTreeMap<i64, String>, AppError> {
    unit_service::names(&state.db).await
}

#[derive(Serialize)]
struct ShowPage {
    #[serde(flatten)]
    layout: Layout,
    unit: crate::web::shapes::UnitOut,
    parent: Option<String>,
    children: Vec<UnitRow>,
    mediators: Vec<MediatorRow>,
    can_edit: bool,
}

#[derive(Serialize)]
struct MediatorRow {
    id: i64,
    name: String,
    employment: String,
    gold_medal: bool,
    is_mentor: bool,
    active: bool,
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<IndexQuery>,
) -> Result<Response, AppError> {
    let unit = unit_service::get(&state.db, id).await?;
    let parent = match unit.parent_id {
        Some(p) => Some(unit_service::get(&state.db, p).await?.name),
        None => None,
    };
    let children = unit_service::list(
        &state.db,
        &UnitFilter {
            parent_id: Some(id),
            ..Default::default()
        },
        PageRequest::first(PageRequest::MAX_PER_PAGE),
    )
    .await?
    .items
    .into_iter()
    .map(|u| UnitRow {
        id: u.id,
        code: u.code,
        name: u.name,
        kind: u.kind.into(),
        department: u.department.map(Into::into),
        parent: None,
        active: u.active,
    })
    .collect();
    let mediators = mediator_service::list(
        &state.db,
        &MediatorFilter {
            unit_id: Some(id),
            ..Default::default()
        },
        PageRequest::first(PageRequest::MAX_PER_PAGE),
    )
    .await?
    .items
    .into_iter()
    .map(|m| MediatorRow {
        id: m.id,
        name: m.name,
        employment: Employment::from(m.employment).as_str().to_owned(),
        gold_medal: m.gold_medal,
        is_mentor: m.is_mentor,
        active: m.active,
    })
    .collect();
    let layout = super::auth::notice(
        Layout::new(&session, lang, "/units"),
        lang,
        q.notice.as_deref(),
    );
    let page = ShowPage {
        layout,
        unit: unit.into(),
        parent,
        children,
        mediators,
        can_edit: session.user.is(Role::Admin),
    };
    Ok(render::render(&state, "units/show.html", &page)?.into_response())
}

#[derive(Serialize)]
struct FormPage {
    #[serde(flatten)]
    layout: Layout,
    values: UnitBody,
    errors: BTreeMap<String, String>,
    kinds: Vec<Choice>,
    departments: Vec<Choice>,
    hubs: Vec<Choice>,
    action: String,
    editing: bool,
}

/// What a unit form shows: the values, their errors, and where it posts.
pub struct FormView {
    pub values: UnitBody,
    pub errors: crate::error::FieldErrors,
    pub action: String,
    pub editing: bool,
}

async fn form_page(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    view: FormView,
    status: StatusCode,
) -> Result<Response, AppError> {
    let FormView {
        values,
        errors,
        action,
        editing,
    } = view;
    let hubs = unit_service::all_active(&state.db)
        .await?
        .into_iter()
        .filter(|u| UnitKind::from(u.kind) == UnitKind::StreetHub)
        .map(|u| Choice {
            value: u.id.to_string(),
            label: u.name,
        })
        .collect();
    let page = FormPage {
        layout: Layout::new(session, lang, "/units"),
        values,
        errors: field_errors(lang, &errors),
        kinds: choices(lang, "unit-kind", UnitKind::ALL.map(UnitKind::as_str)),
        departments: choices(lang, "department", Department::ALL.map(Department::as_str)),
        hubs,
        action,
        editing,
    };
    Ok((status, render::render(state, "units/form.html", &page)?).into_response())
}

pub async fn new(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Admin])?;
    let values = UnitBody {
        kind: Some("village_station".into()),
        ..Default::default()
    };
    let view = FormView {
        values,
        errors: Default::default(),
        action: "/units".into(),
        editing: false,
    };
    form_page(&state, &session, lang, view, StatusCode::OK).await
}

#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    PageForm(body): PageForm<UnitBody>,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Admin])?;
    let result = match body.check(true) {
        Ok((input, _)) => unit_service::create(&state.db, &session.user, input).await,
        Err(e) => Err(e),
    };
    submit::fields(
        result,
        |unit| format!("/units/{}?notice=created", unit.id),
        async |errors| {
            let view = FormView {
                values: body,
                errors,
                action: "/units".into(),
                editing: false,
            };
            form_page(
                &state,
                &session,
                lang,
                view,
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
    let unit = unit_service::get(&state.db, id).await?;
    session.user.require(&[Role::Admin])?;
    let view = FormView {
        values: UnitBody::from_model(&unit),
        errors: Default::default(),
        action: format!("/units/{id}"),
        editing: true,
    };
    form_page(&state, &session, lang, view, StatusCode::OK).await
}

#[tracing::instrument(skip_all, fields(unit_id = id))]
pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(body): PageForm<UnitBody>,
) -> Result<Response, AppError> {
    let form = UnitForm(body.clone());
    let result = unit_service::update(&state.db, &session.user, id, form).await;
    submit::fields(
        result,
        |_| format!("/units/{id}?notice=saved"),
        async |errors| {
            let view = FormView {
                values: body,
                errors,
                action: format!("/units/{id}"),
                editing: true,
            };
            form_page(
                &state,
                &session,
                lang,
                view,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct ActiveForm {
    pub active: Option<Loose>,
    pub version: Option<Loose>,
}

/// A deactivate or reactivate button (units, mediators, users): the state asked for, and the
/// version the button was shown with.
impl Command for &ActiveForm {
    type Params = bool;

    fn version(&self) -> Option<i32> {
        loose_version(&self.version)
    }

    fn params(self) -> Result<bool, AppError> {
        match self.active.as_ref().map(Loose::bool) {
            Some(Ok(active)) => Ok(active),
            _ => Err(AppError::field("active", Message::key("err-required"))),
        }
    }
}

/// Where a deactivate or reactivate button goes back to, saying which was done.
pub fn after_toggle(path: &str, active: bool) -> String {
    let notice = if active { "activated" } else { "deactivated" };
    format!("{path}?notice={notice}")
}

pub async fn set_active(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<ActiveForm>,
) -> Result<Response, AppError> {
    let result = unit_service::set_active(&state.db, &session.user, id, &form).await;
    submit::done(result, |unit| {
        after_toggle(&format!("/units/{id}"), unit.active)
    })
}
