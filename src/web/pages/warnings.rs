//! The early-warning pages (预警): the list, one warning with its cases and history and the form
//! to record what was done or close it, the thresholds (admins), and the section the queue and
//! the dashboard show.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::cases::{local_day, local_minute, rows, CaseRow};
use super::submit;
use crate::domain::role::Role;
use crate::domain::warnings::{WarningKind, WarningStatus, WarningThresholds};
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::services::auth::CurrentUser;
use crate::services::warnings::{self as service, WarningOut};
use crate::services::{units as unit_service, PageRequest};
use crate::web::extract::{Loose, PageForm};
use crate::web::render::{self, choices, field_errors, Choice, Layout};
use crate::web::session::{PageUser, SessionInfo};
use crate::web::shapes::{WarningActionBody, WarningSettingsBody, WarningsQuery};
use crate::web::AppState;

/// A warning as a row of a list or a section.
#[derive(Serialize)]
pub struct WarningRow {
    id: i64,
    kind: String,
    subject: String,
    status: String,
    case_count: i32,
    since: String,
    opened_at: String,
    /// `cases` and `days` of the rule, shown as "12 件 / 90 天".
    facts_cases: i64,
    facts_days: i64,
    baseline_average: Option<f64>,
}

impl WarningRow {
    fn of(w: &WarningOut, tz: Tz) -> WarningRow {
        let int = |k: &str| {
            w.facts
                .get(k)
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0)
        };
        WarningRow {
            id: w.id,
            kind: w.kind.clone(),
            subject: w.subject.clone(),
            status: w.status.clone(),
            case_count: w.case_count,
            since: local_day(w.since, tz),
            opened_at: local_day(w.opened_at, tz),
            facts_cases: int("cases"),
            facts_days: int("days"),
            baseline_average: w
                .facts
                .get("baseline_average")
                .and_then(serde_json::Value::as_f64),
        }
    }
}

/// The open warnings for the queue and the dashboard; `None` for those who do not see them.
#[derive(Serialize)]
pub struct WarningSection {
    total: u64,
    rows: Vec<WarningRow>,
}

/// # Errors
/// Database failures.
pub async fn section(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Option<WarningSection>, AppError> {
    let tz = state.config.time_zone;
    Ok(service::open_summary(&state.db, user, 5)
        .await?
        .map(|s| WarningSection {
            total: s.total,
            rows: s.items.iter().map(|w| WarningRow::of(w, tz)).collect(),
        }))
}

#[derive(Serialize)]
struct IndexPage {
    #[serde(flatten)]
    layout: Layout,
    rows: Vec<WarningRow>,
    pager: super::Pager,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    f: BTreeMap<&'static str, String>,
    errors: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
pub struct IndexQuery {
    pub kind: Option<String>,
    /// Open by default; empty for both.
    pub status: Option<String>,
    pub page: Option<u64>,
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<IndexQuery>,
) -> Result<Response, AppError> {
    session.user.require(&service::READ_ROLES)?;
    let tz = state.config.time_zone;
    let status = q
        .status
        .clone()
        .unwrap_or_else(|| WarningStatus::Open.as_str().to_owned());
    let query = WarningsQuery {
        kind: q.kind.clone(),
        status: Some(status.clone()),
        page: q.page,
        per_page: None,
    };
    let mut f = BTreeMap::new();
    f.insert("kind", q.kind.clone().unwrap_or_default());
    f.insert("status", status);
    let result = match (query.filter(), PageRequest::parse(query.page, Some(50))) {
        (Ok(filter), Ok(page)) => service::list(&state.db, tz, &session.user, filter, page).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let (found, errors, code) = match result {
        Ok(found) => (found, FieldErrors::new(), StatusCode::OK),
        Err(AppError::Invalid(fields)) => (
            crate::services::Page {
                items: Vec::new(),
                total: 0,
                page: 1,
                per_page: 50,
            },
            fields,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(other) => return Err(other),
    };
    let page = IndexPage {
        layout: Layout::new(&session, lang, "/warnings"),
        pager: super::Pager::of(&found),
        rows: found.items.iter().map(|w| WarningRow::of(w, tz)).collect(),
        kinds: choices(lang, "warn-kind", WarningKind::ALL.map(WarningKind::as_str)),
        statuses: choices(
            lang,
            "warn-status",
            WarningStatus::ALL.map(WarningStatus::as_str),
        ),
        f,
        errors: field_errors(lang, &errors),
    };
    Ok((code, render::render(&state, "warnings/index.html", &page)?).into_response())
}

#[derive(Serialize)]
struct ActionRow {
    kind: String,
    text: String,
    actor: Option<String>,
    at: String,
}

#[derive(Serialize)]
struct ShowPage {
    #[serde(flatten)]
    layout: Layout,
    warning: WarningRow,
    version: i32,
    subject_unit_id: Option<i64>,
    closed_at: Option<String>,
    cases: Vec<CaseRow>,
    actions: Vec<ActionRow>,
    can_act: bool,
    is_open: bool,
    values: ActionForm,
    errors: BTreeMap<String, String>,
    refusal: Option<String>,
}

/// The form on a warning: `action` is the button pressed (`note` or `close`).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ActionForm {
    pub action: Option<String>,
    pub text: Option<String>,
    pub version: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    id: i64,
    values: ActionForm,
    errors: &FieldErrors,
    refusal: Option<String>,
    code: StatusCode,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let tz = state.config.time_zone;
    let detail = service::detail(&state.db, tz, &session.user, id).await?;
    let names = unit_service::names(&state.db).await?;
    let layout = super::auth::notice(Layout::new(session, lang, "/warnings"), lang, notice);
    let page = ShowPage {
        layout,
        warning: WarningRow::of(&detail.warning, tz),
        version: detail.warning.version,
        subject_unit_id: detail.warning.subject_unit_id,
        closed_at: detail.warning.closed_at.map(|at| local_minute(at, tz)),
        is_open: detail.warning.status == WarningStatus::Open.as_str(),
        cases: rows(detail.cases, &names, tz),
        actions: detail
            .actions
            .into_iter()
            .map(|a| ActionRow {
                kind: a.kind,
                text: a.text,
                actor: a.actor,
                at: local_minute(a.at, tz),
            })
            .collect(),
        can_act: detail.can_act,
        values,
        errors: field_errors(lang, errors),
        refusal,
    };
    Ok((code, render::render(state, "warnings/show.html", &page)?).into_response())
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    pub notice: Option<String>,
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
        ActionForm::default(),
        &FieldErrors::new(),
        None,
        StatusCode::OK,
        q.notice.as_deref(),
    )
    .await
}

#[tracing::instrument(skip_all, fields(warning_id = id))]
pub async fn act(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<ActionForm>,
) -> Result<Response, AppError> {
    session.user.require(&service::READ_ROLES)?;
    let body = WarningActionBody {
        action: form.action.clone(),
        text: form.text.clone(),
        version: form.version.clone().map(Loose::Text),
    };
    let result = match body.check() {
        Ok((action, text, version)) => {
            service::act(
                &state.db,
                state.config.time_zone,
                &session.user,
                id,
                action,
                text,
                version,
            )
            .await
        }
        Err(e) => Err(e),
    };
    submit::when(
        result,
        |_| format!("/warnings/{id}?notice=saved"),
        |e| {
            matches!(
                e,
                AppError::Invalid(_) | AppError::Refused(_) | AppError::Conflict(_)
            )
        },
        async |e| {
            let (errors, refusal, code) = match e {
                AppError::Invalid(fields) => (fields, None, StatusCode::UNPROCESSABLE_ENTITY),
                e => (
                    FieldErrors::new(),
                    Some(crate::i18n::message(lang, &e.message())),
                    e.status(),
                ),
            };
            show_page(
                &state, &session, lang, id, form, &errors, refusal, code, None,
            )
            .await
        },
    )
    .await
}

// ----- thresholds -----

#[derive(Serialize)]
struct SettingsField {
    name: &'static str,
    value: String,
    min: i64,
    max: i64,
}

#[derive(Serialize)]
struct SettingsPage {
    #[serde(flatten)]
    layout: Layout,
    fields: Vec<SettingsField>,
    errors: BTreeMap<String, String>,
}

fn settings_page(
    state: &AppState,
    layout: Layout,
    lang: Lang,
    values: &BTreeMap<String, String>,
    errors: &FieldErrors,
    code: StatusCode,
) -> Result<Response, AppError> {
    let fields = WarningThresholds::default()
        .fields()
        .into_iter()
        .map(|(name, _, min, max)| SettingsField {
            name,
            value: values.get(name).cloned().unwrap_or_default(),
            min,
            max,
        })
        .collect();
    let page = SettingsPage {
        layout,
        fields,
        errors: field_errors(lang, errors),
    };
    Ok((
        code,
        render::render(state, "warnings/settings.html", &page)?,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
pub struct SettingsQuery {
    pub notice: Option<String>,
}

pub async fn settings(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<SettingsQuery>,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Admin])?;
    let t = service::thresholds(&state.db).await?;
    let values = t
        .fields()
        .into_iter()
        .map(|(name, value, _, _)| (name.to_owned(), value.to_string()))
        .collect();
    let layout = super::auth::notice(
        Layout::new(&session, lang, "/settings/warnings"),
        lang,
        q.notice.as_deref(),
    );
    settings_page(
        &state,
        layout,
        lang,
        &values,
        &FieldErrors::new(),
        StatusCode::OK,
    )
}

#[tracing::instrument(skip_all)]
pub async fn save_settings(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    PageForm(form): PageForm<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Admin])?;
    let get = |name: &str| form.get(name).cloned().map(Loose::Text);
    let body = WarningSettingsBody {
        respondent_days: get("respondent_days"),
        respondent_min_cases: get("respondent_min_cases"),
        applicant_days: get("applicant_days"),
        applicant_min_cases: get("applicant_min_cases"),
        surge_recent_days: get("surge_recent_days"),
        surge_baseline_days: get("surge_baseline_days"),
        surge_min_cases: get("surge_min_cases"),
        surge_ratio_percent: get("surge_ratio_percent"),
        collective_days: get("collective_days"),
        collective_min_cases: get("collective_min_cases"),
    };
    let result = service::set_thresholds(&state.db, &session.user, body).await;
    submit::fields(
        result,
        |_| "/settings/warnings?notice=saved".to_owned(),
        async |errors| {
            settings_page(
                &state,
                Layout::new(&session, lang, "/settings/warnings"),
                lang,
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        },
    )
    .await
}
