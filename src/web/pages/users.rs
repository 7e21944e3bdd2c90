//! Account pages (admins): list, show, new, edit, deactivate.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::submit;
use super::units::{after_toggle, ActiveForm};
use super::Pager;
use crate::domain::role::Role;
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::services::{
    accounts, mediators as mediator_service, units as unit_service, PageRequest,
};
use crate::web::extract::PageForm;
use crate::web::render::{self, choices, field_errors, Choice, Layout};
use crate::web::session::{PageUser, SessionInfo};
use crate::web::shapes::{UserBody, UserForm, UserOut, UserQuery};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct IndexQuery {
    pub role: Option<String>,
    pub q: Option<String>,
    pub page: Option<u64>,
    pub notice: Option<String>,
}

#[derive(Serialize)]
struct IndexPage {
    #[serde(flatten)]
    layout: Layout,
    rows: Vec<UserOut>,
    pager: Pager,
    roles: Vec<Choice>,
    role: String,
    q: String,
}

fn role_choices(lang: Lang) -> Vec<Choice> {
    choices(lang, "role", Role::ALL.map(Role::as_str))
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<IndexQuery>,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Admin])?;
    let role = q.role.clone().filter(|r| !r.is_empty());
    let filter = UserQuery {
        role: role.clone(),
        q: q.q.clone(),
        ..Default::default()
    }
    .filter()
    .unwrap_or_default();
    let page = accounts::list(
        &state.db,
        &session.user,
        &filter,
        PageRequest::parse(q.page, Some(50))?,
    )
    .await?;
    let pager = Pager::of(&page);
    let layout = super::auth::notice(
        Layout::new(&session, lang, "/users"),
        lang,
        q.notice.as_deref(),
    );
    let page = IndexPage {
        layout,
        rows: page.items.into_iter().map(UserOut::from).collect(),
        pager,
        roles: role_choices(lang),
        role: role.unwrap_or_default(),
        q: q.q.unwrap_or_default(),
    };
    Ok(render::render(&state, "users/index.html", &page)?.into_response())
}

#[derive(Serialize)]
struct ShowPage {
    #[serde(flatten)]
    layout: Layout,
    account: UserOut,
    unit: Option<String>,
    mediator: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<IndexQuery>,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Admin])?;
    let account = accounts::get(&state.db, &session.user, id).await?;
    let unit = match account.unit_id {
        Some(u) => Some(unit_service::get(&state.db, u).await?.name),
        None => None,
    };
    let mediator = match account.mediator_id {
        Some(m) => Some(mediator_service::get(&state.db, m).await?.name),
        None => None,
    };
    let layout = super::auth::notice(
        Layout::new(&session, lang, "/users"),
        lang,
        q.notice.as_deref(),
    );
    let page = ShowPage {
        layout,
        account: account.into(),
        unit,
        mediator,
    };
    Ok(render::render(&state, "users/show.html", &page)?.into_response())
}

#[derive(Serialize)]
struct FormPage {
    #[serde(flatten)]
    layout: Layout,
    values: UserBody,
    errors: BTreeMap<String, String>,
    roles: Vec<Choice>,
    units: Vec<Choice>,
    mediators: Vec<Choice>,
    action: String,
    editing: bool,
}

async fn form_page(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    values: UserBody,
    errors: &FieldErrors,
    action: String,
    status: StatusCode,
) -> Result<Response, AppError> {
    let units = unit_service::all_active(&state.db)
        .await?
        .into_iter()
        .map(|u| Choice {
            value: u.id.to_string(),
            label: u.name,
        })
        .collect();
    let mediators = mediator_service::all_active(&state.db)
        .await?
        .into_iter()
        .map(|m| Choice {
            value: m.id.to_string(),
            label: m.name,
        })
        .collect();
    let page = FormPage {
        layout: Layout::new(session, lang, "/users"),
        editing: action != "/users",
        values,
        errors: field_errors(lang, errors),
        roles: role_choices(lang),
        units,
        mediators,
        action,
    };
    Ok((status, render::render(state, "users/form.html", &page)?).into_response())
}

pub async fn new(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Admin])?;
    let values = UserBody {
        role: Some("mediator".into()),
        ..Default::default()
    };
    form_page(
        &state,
        &session,
        lang,
        values,
        &FieldErrors::new(),
        "/users".into(),
        StatusCode::OK,
    )
    .await
}

#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    PageForm(body): PageForm<UserBody>,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Admin])?;
    let result = accounts::create(&state.db, &session.user, body.clone()).await;
    submit::fields(
        result,
        |u| format!("/users/{}?notice=created", u.id),
        async |errors| {
            form_page(
                &state,
                &session,
                lang,
                body,
                &errors,
                "/users".into(),
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
    session.user.require(&[Role::Admin])?;
    let account = accounts::get(&state.db, &session.user, id).await?;
    let values = UserBody::from_model(&account);
    form_page(
        &state,
        &session,
        lang,
        values,
        &FieldErrors::new(),
        format!("/users/{id}"),
        StatusCode::OK,
    )
    .await
}

#[tracing::instrument(skip_all, fields(user_id = id))]
pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(body): PageForm<UserBody>,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Admin])?;
    let result = accounts::update(&state.db, &session.user, id, UserForm(body.clone())).await;
    submit::fields(
        result,
        |_| format!("/users/{id}?notice=saved"),
        async |errors| {
            // The form shows the username it does not send.
            let current = accounts::get(&state.db, &session.user, id).await?;
            let values = UserBody {
                username: Some(current.username),
                active: None,
                ..body
            };
            form_page(
                &state,
                &session,
                lang,
                values,
                &errors,
                format!("/users/{id}"),
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
    let result = accounts::set_active(&state.db, &session.user, id, &form).await;
    submit::done(result, |user| {
        after_toggle(&format!("/users/{id}"), user.active)
    })
}
