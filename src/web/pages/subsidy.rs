//! The finance clerk's pages for the graded subsidies (以奖代补): the periods with their status and
//! totals, a period by mediator, unit and grade with a drill-down from every figure to the cases
//! behind it, approve and mark-paid behind a confirmation page, downloads, the audit trail, and the
//! rates with their history and the lead share.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::submit;
use super::Pager;
use crate::domain::case_terms::Grade;
use crate::domain::clocks;
use crate::domain::money::parse_yuan;
use crate::domain::subsidy::{period_transition, Period, PeriodAction, PeriodKind, PeriodStatus};
use crate::error::{AppError, FieldErrors, Message};
use crate::i18n::{self, Lang};
use crate::services::command::{Command, Ready};
use crate::services::subsidy::{
    self as service,
    page::{period_page, ItemFilter, PeriodPage},
    require_reach, ItemOut, PeriodOut, PeriodSummary, TotalsOut,
};
use crate::services::{Page, PageRequest};
use crate::web::extract::{loose_version, Checker, Loose, PageForm};
use crate::web::render::{self, choices, field_errors, Choice, Layout};
use crate::web::session::{PageUser, SessionInfo};
use crate::web::shapes::{
    csv_response, xlsx_response, Deferred, LeadShareBody, PeriodBody, RateBody,
};
use crate::web::AppState;

const ITEMS_PER_PAGE: u64 = 100;

/// `?notice=` of these pages: only known codes, so a link cannot inject text.
fn with_notice(layout: Layout, lang: Lang, code: Option<&str>) -> Layout {
    match code {
        Some(
            c @ ("computed" | "recomputed" | "approved" | "paid" | "rate-added" | "share-saved"),
        ) => layout.with_notice(lang, &format!("subsidy-notice-{c}")),
        // The finance clerk's home: the notices of `/` (a changed password) land here.
        other => super::auth::notice(layout, lang, other),
    }
}

fn local_minute(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// `2026-11-01 – 2026-11-30`: the local days a period covers.
fn day_range(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    let last = clocks::local_date(end - Duration::seconds(1), tz);
    format!("{} – {}", clocks::local_date(start, tz), last)
}

// ---------------------------------------------------------------------------------------------------
// The list of periods
// ---------------------------------------------------------------------------------------------------

#[derive(Serialize)]
struct PeriodRow {
    #[serde(flatten)]
    summary: PeriodSummary,
    days: String,
    approved: Option<String>,
}

#[derive(Serialize)]
struct IndexPage {
    #[serde(flatten)]
    layout: Layout,
    rows: Vec<PeriodRow>,
    pager: Pager,
    pager_query: String,
    period: String,
    errors: BTreeMap<String, String>,
    /// A refusal that is not about a field (409).
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct IndexQuery {
    pub page: Option<u64>,
    pub notice: Option<String>,
}

#[derive(Deserialize, Serialize, Default)]
pub struct PeriodForm {
    pub period: Option<String>,
}

struct IndexView {
    period: String,
    errors: FieldErrors,
    error: Option<String>,
    notice: Option<String>,
    page: Option<u64>,
}

async fn index_page(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    view: IndexView,
    status: StatusCode,
) -> Result<Response, AppError> {
    let tz = state.config.time_zone;
    let page: Page<PeriodSummary> = service::list_periods(
        &state.db,
        &session.user,
        PageRequest::parse(view.page, Some(24))?,
    )
    .await?;
    let pager = Pager::of(&page);
    let rows = page
        .items
        .into_iter()
        .map(|p| PeriodRow {
            days: day_range(p.starts_at, p.ends_at, tz),
            approved: p.approved_at.map(|a| local_minute(a, tz)),
            summary: p,
        })
        .collect();
    let page = IndexPage {
        layout: with_notice(
            Layout::new(session, lang, "/subsidy"),
            lang,
            view.notice.as_deref(),
        ),
        rows,
        pager,
        pager_query: String::new(),
        period: view.period,
        errors: field_errors(lang, &view.errors),
        error: view.error,
    };
    Ok((status, render::render(state, "subsidy/index.html", &page)?).into_response())
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<IndexQuery>,
) -> Result<Response, AppError> {
    require_reach(&session.user)?;
    let last_month = Period::containing(Utc::now(), state.config.time_zone, PeriodKind::Month)
        .previous()
        .to_string();
    let view = IndexView {
        period: last_month,
        errors: FieldErrors::new(),
        error: None,
        notice: q.notice,
        page: q.page,
    };
    index_page(&state, &session, lang, view, StatusCode::OK).await
}

#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    PageForm(form): PageForm<PeriodForm>,
) -> Result<Response, AppError> {
    let text = form.period.clone().unwrap_or_default();
    let named = Deferred(Ok(PeriodBody {
        period: form.period.clone(),
    }));
    let result =
        service::create_period(&state.db, &session.user, state.config.time_zone, named).await;
    submit::when(
        result,
        |p| format!("/subsidy/periods/{}?notice=computed", p.id),
        |e| matches!(e, AppError::Invalid(_) | AppError::Conflict(_)),
        async |e| {
            let (errors, error, status) = match e {
                AppError::Invalid(errors) => (errors, None, StatusCode::UNPROCESSABLE_ENTITY),
                e => (
                    FieldErrors::new(),
                    Some(i18n::message(lang, &e.message())),
                    StatusCode::CONFLICT,
                ),
            };
            let view = IndexView {
                period: text,
                errors,
                error,
                notice: None,
                page: None,
            };
            index_page(&state, &session, lang, view, status).await
        },
    )
    .await
}

// ---------------------------------------------------------------------------------------------------
// One period
// ---------------------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    pub mediator_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub grade: Option<String>,
    pub kind: Option<String>,
    pub page: Option<u64>,
    pub notice: Option<String>,
}

#[derive(Serialize)]
struct ItemRow {
    #[serde(flatten)]
    item: ItemOut,
    closed: String,
}

#[derive(Serialize)]
struct AuditRow {
    action_key: String,
    actor: String,
    at: String,
    detail: Option<String>,
}

#[derive(Serialize)]
struct ShowPage {
    #[serde(flatten)]
    layout: Layout,
    period: PeriodHead,
    totals: TotalsOut,
    /// The drill-down: the items behind the figure chosen (all when none is).
    items: Vec<ItemRow>,
    items_fen: i64,
    items_cases: u64,
    filter_label: Option<String>,
    filtered: bool,
    pager: Pager,
    pager_query: String,
    audit: Vec<AuditRow>,
    can_recompute: bool,
    can_approve: bool,
    can_pay: bool,
    error: Option<String>,
    /// Resolved cases left out because their case file is incomplete.
    withheld: Vec<service::WithheldOut>,
}

#[derive(Serialize)]
struct PeriodHead {
    id: i64,
    period: String,
    kind: String,
    status: String,
    days: String,
    version: i32,
    computed: String,
    computed_by: Option<String>,
    approved: Option<String>,
    approved_by: Option<String>,
    paid: Option<String>,
    paid_on: Option<String>,
    paid_by: Option<String>,
}

impl PeriodHead {
    fn of(p: &PeriodOut, tz: Tz) -> PeriodHead {
        PeriodHead {
            id: p.id,
            period: p.period.clone(),
            kind: p.kind.clone(),
            status: p.status.clone(),
            days: day_range(p.starts_at, p.ends_at, tz),
            version: p.version,
            computed: local_minute(p.computed_at, tz),
            computed_by: p.computed_by_name.clone(),
            approved: p.approved_at.map(|a| local_minute(a, tz)),
            approved_by: p.approved_by_name.clone(),
            paid: p.paid_at.map(|a| local_minute(a, tz)),
            paid_on: p.paid_on.map(|d| d.to_string()),
            paid_by: p.paid_by_name.clone(),
        }
    }
}

fn allowed(status: &str, action: PeriodAction) -> bool {
    PeriodStatus::parse(status).is_some_and(|s| period_transition(s, action).is_ok())
}

async fn show_page(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    id: i64,
    q: ShowQuery,
    error: Option<(StatusCode, String)>,
) -> Result<Response, AppError> {
    let tz = state.config.time_zone;
    let grade = q.grade.as_deref().and_then(Grade::parse);
    let kind = q.kind.clone().filter(|k| !k.is_empty());
    let filter = ItemFilter {
        mediator_id: q.mediator_id,
        unit_id: q.unit_id,
        grade,
        kind: kind.clone(),
    };
    let page_no = PageRequest::parse(q.page, Some(ITEMS_PER_PAGE))?.page;
    let PeriodPage {
        period: p,
        selected,
        page: page_no,
        pages,
    } = period_page(
        &state.db,
        &session.user,
        id,
        &filter,
        page_no,
        ITEMS_PER_PAGE,
    )
    .await?;
    let mut labels = Vec::new();
    if let Some(m) = q.mediator_id {
        let name = p
            .totals
            .by_mediator
            .iter()
            .find(|t| t.mediator_id == m)
            .map_or_else(|| format!("#{m}"), |t| t.mediator_name.clone());
        labels.push(format!("{}：{name}", i18n::t(lang, "subsidy-mediator")));
    }
    if let Some(u) = q.unit_id {
        let name = p
            .totals
            .by_unit
            .iter()
            .find(|t| t.unit_id == u)
            .map_or_else(|| format!("#{u}"), |t| t.unit_name.clone());
        labels.push(format!("{}：{}", i18n::t(lang, "subsidy-unit"), name));
    }
    if let Some(g) = grade {
        labels.push(format!(
            "{}：{}",
            i18n::t(lang, "subsidy-grade"),
            i18n::t(lang, &format!("grade-{}", g.as_str()))
        ));
    }
    if let Some(k) = &kind {
        labels.push(i18n::t(lang, &format!("subsidy-kind-{k}")));
    }
    let total = selected.items;
    let items = p
        .items
        .iter()
        .map(|i| ItemRow {
            closed: local_minute(i.closed_at, tz),
            item: i.clone(),
        })
        .collect();
    let mut pager_query = String::new();
    if let Some(m) = q.mediator_id {
        pager_query.push_str(&format!("mediator_id={m}&"));
    }
    if let Some(u) = q.unit_id {
        pager_query.push_str(&format!("unit_id={u}&"));
    }
    if let Some(g) = grade {
        pager_query.push_str(&format!("grade={}&", g.as_str()));
    }
    if let Some(k) = &kind {
        pager_query.push_str(&format!("kind={}&", crate::web::errors::urlencode(k)));
    }
    let audit = p
        .audit
        .iter()
        .map(|a| AuditRow {
            action_key: format!("subsidy-audit-{}", a.action.replace('.', "-")),
            actor: a
                .actor_name
                .clone()
                .unwrap_or_else(|| i18n::t(lang, "subsidy-system")),
            at: local_minute(a.at, tz),
            detail: a.detail.clone(),
        })
        .collect();
    let (status, error) = match error {
        Some((s, e)) => (s, Some(e)),
        None => (StatusCode::OK, None),
    };
    let page = ShowPage {
        layout: with_notice(
            Layout::new(session, lang, "/subsidy"),
            lang,
            q.notice.as_deref(),
        ),
        can_recompute: allowed(&p.status, PeriodAction::Recompute),
        can_approve: allowed(&p.status, PeriodAction::Approve),
        can_pay: allowed(&p.status, PeriodAction::MarkPaid),
        period: PeriodHead::of(&p, tz),
        filtered: !labels.is_empty(),
        filter_label: (!labels.is_empty()).then(|| labels.join(" · ")),
        items,
        items_fen: selected.amount_fen,
        items_cases: selected.cases,
        pager: Pager {
            page: page_no,
            pages,
            total,
            prev: (page_no > 1).then(|| page_no - 1),
            next: (page_no < pages).then(|| page_no + 1),
        },
        pager_query,
        audit,
        error,
        withheld: p.withheld,
        totals: p.totals,
    };
    Ok((status, render::render(state, "subsidy/show.html", &page)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    show_page(&state, &session, lang, id, q, None).await
}

/// The version the button was shown with.
#[derive(Deserialize, Serialize, Default)]
pub struct VersionForm {
    pub version: Option<Loose>,
    pub paid_on: Option<String>,
}

impl VersionForm {
    /// A recompute or approve button: the version it was shown with (one that cannot be read is
    /// no version, as a page has always sent it).
    fn step(&self) -> Ready<()> {
        Ready {
            version: loose_version(&self.version),
            params: (),
        }
    }
}

/// The mark-paid confirmation: the payment date is required here (the form shows today).
impl Command for &VersionForm {
    type Params = Option<NaiveDate>;

    fn version(&self) -> Option<i32> {
        loose_version(&self.version)
    }

    fn params(self) -> Result<Option<NaiveDate>, AppError> {
        let mut c = Checker::default();
        let paid_on = c.optional_date("paid_on", &self.paid_on);
        if paid_on.is_none() && !c.errors.contains_key("paid_on") {
            c.add("paid_on", Message::key("err-required"));
        }
        c.finish(paid_on)
    }
}

/// What a period's buttons show on the period page when refused: a stale version (409) or a step
/// its status does not allow (422).
fn is_refusal(e: &AppError) -> bool {
    matches!(e, AppError::Conflict(_) | AppError::Refused(_))
}

/// The period page with the reason of a refusal on top, under the refusal's status.
async fn refused(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    id: i64,
    e: AppError,
) -> Result<Response, AppError> {
    let message = i18n::message(lang, &e.message());
    show_page(
        state,
        session,
        lang,
        id,
        ShowQuery::default(),
        Some((e.status(), message)),
    )
    .await
}

#[tracing::instrument(skip_all, fields(period_id = id))]
pub async fn recompute(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<VersionForm>,
) -> Result<Response, AppError> {
    let result = service::recompute(
        &state.db,
        &session.user,
        state.config.time_zone,
        id,
        form.step(),
    )
    .await;
    submit::when(
        result,
        |_| format!("/subsidy/periods/{id}?notice=recomputed"),
        is_refusal,
        async |e| refused(&state, &session, lang, id, e).await,
    )
    .await
}

#[derive(Serialize)]
struct ConfirmPage {
    #[serde(flatten)]
    layout: Layout,
    period: PeriodHead,
    totals: TotalsOut,
    /// `approve` or `paid`.
    step: &'static str,
    paid_on: String,
    errors: BTreeMap<String, String>,
}

/// Which confirmation, with what the form showed.
struct Confirm<'a> {
    /// `approve` or `paid`.
    step: &'static str,
    paid_on: Option<String>,
    errors: &'a FieldErrors,
    status: StatusCode,
}

async fn confirm_page(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    id: i64,
    confirm: Confirm<'_>,
) -> Result<Response, AppError> {
    let Confirm {
        step,
        paid_on,
        errors,
        status,
    } = confirm;
    let tz = state.config.time_zone;
    // The totals and the head only: no line is shown on the confirmation.
    let p = period_page(&state.db, &session.user, id, &ItemFilter::default(), 1, 1)
        .await?
        .period;
    let action = if step == "approve" {
        PeriodAction::Approve
    } else {
        PeriodAction::MarkPaid
    };
    if !allowed(&p.status, action) {
        return Ok(Redirect::to(&format!("/subsidy/periods/{id}")).into_response());
    }
    let page = ConfirmPage {
        layout: Layout::new(session, lang, "/subsidy"),
        period: PeriodHead::of(&p, tz),
        totals: p.totals,
        step,
        paid_on: paid_on.unwrap_or_else(|| clocks::local_date(Utc::now(), tz).to_string()),
        errors: field_errors(lang, errors),
    };
    Ok((
        status,
        render::render(state, "subsidy/confirm.html", &page)?,
    )
        .into_response())
}

/// A confirmation step as first shown: no errors yet, today as the payment date.
async fn first_confirm(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    id: i64,
    step: &'static str,
) -> Result<Response, AppError> {
    let none = FieldErrors::new();
    let confirm = Confirm {
        step,
        paid_on: None,
        errors: &none,
        status: StatusCode::OK,
    };
    confirm_page(state, session, lang, id, confirm).await
}

/// The confirmation step before approving.
pub async fn approve_confirm(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    first_confirm(&state, &session, lang, id, "approve").await
}

#[tracing::instrument(skip_all, fields(period_id = id))]
pub async fn approve(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<VersionForm>,
) -> Result<Response, AppError> {
    let result = service::approve(
        &state.db,
        &session.user,
        state.config.time_zone,
        id,
        form.step(),
    )
    .await;
    submit::when(
        result,
        |_| format!("/subsidy/periods/{id}?notice=approved"),
        is_refusal,
        async |e| refused(&state, &session, lang, id, e).await,
    )
    .await
}

/// The confirmation step before marking paid, with the payment date.
pub async fn paid_confirm(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    first_confirm(&state, &session, lang, id, "paid").await
}

#[tracing::instrument(skip_all, fields(period_id = id))]
pub async fn paid(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<VersionForm>,
) -> Result<Response, AppError> {
    let result =
        service::mark_paid(&state.db, &session.user, state.config.time_zone, id, &form).await;
    submit::when(
        result,
        |_| format!("/subsidy/periods/{id}?notice=paid"),
        |e| matches!(e, AppError::Invalid(_)) || is_refusal(e),
        async |e| match e {
            AppError::Invalid(errors) => {
                let confirm = Confirm {
                    step: "paid",
                    paid_on: form.paid_on.clone(),
                    errors: &errors,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                };
                confirm_page(&state, &session, lang, id, confirm).await
            }
            e => refused(&state, &session, lang, id, e).await,
        },
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct ExportQuery {
    pub view: Option<String>,
}

pub async fn export_csv(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let period = service::for_export(&state.db, &session.user, id, "csv").await?;
    csv_response(&period, q.view.as_deref(), state.config.time_zone)
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let period = service::for_export(&state.db, &session.user, id, "xlsx").await?;
    xlsx_response(&period, state.config.time_zone)
}

// ---------------------------------------------------------------------------------------------------
// Rates and the lead share
// ---------------------------------------------------------------------------------------------------

/// A new rate as typed: the amount in yuan.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct RateForm {
    pub grade: Option<String>,
    pub amount_yuan: Option<String>,
    pub effective_from: Option<String>,
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ShareForm {
    pub lead_share_percent: Option<String>,
}

#[derive(Serialize)]
struct RateRow {
    #[serde(flatten)]
    rate: service::RateOut,
    created: String,
}

#[derive(Serialize)]
struct RateGroup {
    grade: &'static str,
    rates: Vec<RateRow>,
}

#[derive(Serialize)]
struct RatesPage {
    #[serde(flatten)]
    layout: Layout,
    groups: Vec<RateGroup>,
    grades: Vec<Choice>,
    rate: RateForm,
    rate_errors: BTreeMap<String, String>,
    share: ShareForm,
    share_errors: BTreeMap<String, String>,
    share_updated: Option<String>,
    share_updated_by: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct RatesQuery {
    pub notice: Option<String>,
}

struct RatesView {
    rate: RateForm,
    rate_errors: FieldErrors,
    share: Option<ShareForm>,
    share_errors: FieldErrors,
    notice: Option<String>,
}

async fn rates_page(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    view: RatesView,
    status: StatusCode,
) -> Result<Response, AppError> {
    let tz = state.config.time_zone;
    let rates = service::list_rates(&state.db, &session.user, tz).await?;
    let share = service::lead_share_view(&state.db, &session.user).await?;
    let groups = Grade::ALL
        .iter()
        .map(|g| RateGroup {
            grade: g.as_str(),
            rates: rates
                .iter()
                .filter(|r| r.grade == g.as_str())
                .map(|r| RateRow {
                    created: local_minute(r.created_at, tz),
                    rate: r.clone(),
                })
                .collect(),
        })
        .collect();
    let page = RatesPage {
        layout: with_notice(
            Layout::new(session, lang, "/subsidy/rates"),
            lang,
            view.notice.as_deref(),
        ),
        groups,
        grades: choices(lang, "grade", Grade::ALL.map(Grade::as_str)),
        rate: view.rate,
        rate_errors: field_errors(lang, &view.rate_errors),
        share: view.share.unwrap_or(ShareForm {
            lead_share_percent: Some(share.lead_share_percent.clone()),
        }),
        share_errors: field_errors(lang, &view.share_errors),
        share_updated: share.updated_at.map(|a| local_minute(a, tz)),
        share_updated_by: share.updated_by_name,
    };
    Ok((status, render::render(state, "subsidy/rates.html", &page)?).into_response())
}

pub async fn rates(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<RatesQuery>,
) -> Result<Response, AppError> {
    require_reach(&session.user)?;
    let view = RatesView {
        rate: RateForm {
            grade: Some(Grade::Simple.as_str().to_owned()),
            ..Default::default()
        },
        rate_errors: FieldErrors::new(),
        share: None,
        share_errors: FieldErrors::new(),
        notice: q.notice,
    };
    rates_page(&state, &session, lang, view, StatusCode::OK).await
}

#[tracing::instrument(skip_all)]
pub async fn add_rate(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    PageForm(form): PageForm<RateForm>,
) -> Result<Response, AppError> {
    let mut yuan_error = FieldErrors::new();
    let amount_fen = match form.amount_yuan.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => match t.strip_prefix('-') {
            // A minus sign is read, so that the domain's "not negative" answers it.
            Some(rest) => parse_yuan(rest).map(|f| Loose::Int(-f)),
            None => parse_yuan(t).map(Loose::Int),
        }
        .or_else(|| {
            yuan_error.insert("amount_yuan".into(), Message::key("err-yuan"));
            None
        }),
    };
    let body = RateBody {
        grade: form.grade.clone(),
        amount_fen,
        effective_from: form.effective_from.clone(),
    };
    let body = if yuan_error.is_empty() {
        Ok(body)
    } else {
        Err(AppError::Invalid(yuan_error))
    };
    let result = service::add_rate(
        &state.db,
        &session.user,
        Deferred(body),
        state.config.time_zone,
    )
    .await;
    submit::fields(
        result,
        |_| "/subsidy/rates?notice=rate-added".to_owned(),
        async |errors| {
            let errors = errors
                .into_iter()
                .map(|(k, v)| match k.as_str() {
                    "amount_fen" => ("amount_yuan".to_owned(), v),
                    _ => (k, v),
                })
                .collect();
            let view = RatesView {
                rate: form,
                rate_errors: errors,
                share: None,
                share_errors: FieldErrors::new(),
                notice: None,
            };
            rates_page(
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

#[tracing::instrument(skip_all)]
pub async fn set_lead_share(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    PageForm(form): PageForm<ShareForm>,
) -> Result<Response, AppError> {
    let body = LeadShareBody {
        lead_share_percent: Some(Loose::Text(
            form.lead_share_percent.clone().unwrap_or_default(),
        )),
        lead_share_bp: None,
    };
    let result = service::set_lead_share(&state.db, &session.user, Deferred(Ok(body))).await;
    submit::fields(
        result,
        |_| "/subsidy/rates?notice=share-saved".to_owned(),
        async |errors| {
            let view = RatesView {
                rate: RateForm {
                    grade: Some(Grade::Simple.as_str().to_owned()),
                    ..Default::default()
                },
                rate_errors: FieldErrors::new(),
                share: Some(form),
                share_errors: errors,
                notice: None,
            };
            rates_page(
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
