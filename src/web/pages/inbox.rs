//! Notification pages: the inbox (`/inbox`), the e-mail preferences (`/account/notifications`),
//! the admins' outbox (`/admin/outbox`), and the unread count every page's navigation shows.

use axum::extract::{Path, Query, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{submit, Pager};
use crate::domain::notifications::{EmailStatus, Kind};
use crate::domain::role::Role;
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::services::notifications::{inbox, outbox};
use crate::services::PageRequest;
use crate::web::extract::PageForm;
use crate::web::render::{self, Choice, Layout};
use crate::web::session::{PageUser, SessionInfo};
use crate::web::AppState;

tokio::task_local! {
    static UNREAD: u64;
}

/// Counts the signed-in user's unread notifications once per page request, for the navigation
/// ([`unread_now`], read by `Layout::new`).
pub async fn count_unread(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let user_id = request.extensions().get::<SessionInfo>().map(|s| s.user.id);
    let unread = match user_id {
        Some(id) => inbox::unread_count(&state.db, id)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "unread count failed");
                0
            }),
        None => 0,
    };
    UNREAD.scope(unread, next.run(request)).await
}

/// The unread count of the page being rendered (0 outside a page request).
pub fn unread_now() -> u64 {
    UNREAD.try_with(|n| *n).unwrap_or(0)
}

fn local_minute(at: DateTime<Utc>, state: &AppState) -> String {
    at.with_timezone(&state.config.time_zone)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn kind_label(lang: Lang, kind: Kind) -> String {
    i18n::t(lang, &format!("notify-kind-{}", kind.as_str()))
}

fn with_notice(layout: Layout, lang: Lang, notice: Option<&str>) -> Layout {
    match notice {
        Some("saved") => layout.with_notice(lang, "notify-notice-saved"),
        Some("all-read") => layout.with_notice(lang, "notify-notice-all-read"),
        Some("retried") => layout.with_notice(lang, "notify-notice-retried"),
        _ => layout,
    }
}

#[derive(Deserialize, Default)]
pub struct InboxQuery {
    pub unread: Option<String>,
    pub page: Option<u64>,
    pub notice: Option<String>,
}

#[derive(Serialize)]
struct InboxRow {
    id: i64,
    kind: String,
    subject: String,
    link: String,
    at: String,
    read: bool,
}

#[derive(Serialize)]
struct InboxPage {
    #[serde(flatten)]
    layout: Layout,
    rows: Vec<InboxRow>,
    pager: Pager,
    unread_only: bool,
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<InboxQuery>,
) -> Result<Response, AppError> {
    let unread_only = q.unread.as_deref() == Some("1");
    let page = inbox::list(
        &state.db,
        &session.user,
        unread_only,
        PageRequest::parse(q.page, Some(50))?,
    )
    .await?;
    let pager = Pager::of(&page);
    let rows = page
        .items
        .into_iter()
        .map(|n| InboxRow {
            id: n.id,
            kind: kind_label(lang, Kind::from(n.kind)),
            subject: n.subject,
            link: n.link,
            at: local_minute(n.created_at, &state),
            read: n.read_at.is_some(),
        })
        .collect();
    let layout = with_notice(
        Layout::new(&session, lang, "/inbox"),
        lang,
        q.notice.as_deref(),
    );
    let page = InboxPage {
        layout,
        rows,
        pager,
        unread_only,
    };
    Ok(render::render(&state, "notifications/index.html", &page)?.into_response())
}

pub async fn mark_read(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let result = inbox::mark_read(&state.db, &session.user, id).await;
    submit::done(result, |_| "/inbox".to_owned())
}

pub async fn mark_all_read(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, AppError> {
    let result = inbox::mark_all_read(&state.db, &session.user).await;
    submit::done(result, |_| "/inbox?notice=all-read".to_owned())
}

#[derive(Serialize)]
struct PreferenceRow {
    kind: String,
    label: String,
    by_email: bool,
}

#[derive(Serialize)]
struct PreferencesPage {
    #[serde(flatten)]
    layout: Layout,
    rows: Vec<PreferenceRow>,
    email: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

pub async fn preferences(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let choices = inbox::preferences(&state.db, &session.user).await?;
    let account = crate::services::accounts::get(&state.db, &session.user, session.user.id).await?;
    let layout = with_notice(
        Layout::new(&session, lang, "/account/notifications"),
        lang,
        q.notice.as_deref(),
    );
    let page = PreferencesPage {
        layout,
        rows: choices
            .into_iter()
            .map(|(kind, by_email)| PreferenceRow {
                kind: kind.as_str().to_owned(),
                label: kind_label(lang, kind),
                by_email,
            })
            .collect(),
        email: account.email,
    };
    Ok(render::render(&state, "notifications/preferences.html", &page)?.into_response())
}

/// The checked kinds arrive as repeated `email` fields; unchecked ones are absent.
#[derive(Deserialize, Default)]
pub struct PreferencesForm {
    #[serde(default)]
    pub email: Vec<String>,
}

pub async fn save_preferences(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PageForm(form): PageForm<PreferencesForm>,
) -> Result<Response, AppError> {
    let choices: Vec<(Kind, bool)> = Kind::ALL
        .into_iter()
        .map(|k| (k, form.email.iter().any(|e| e == k.as_str())))
        .collect();
    let result = inbox::set_preferences(&state.db, &session.user, &choices).await;
    submit::done(result, |_| "/account/notifications?notice=saved".to_owned())
}

#[derive(Deserialize, Default)]
pub struct OutboxQuery {
    pub status: Option<String>,
    pub page: Option<u64>,
    pub notice: Option<String>,
}

#[derive(Serialize)]
struct OutboxRow {
    id: i64,
    kind: String,
    email: String,
    subject: String,
    case_id: Option<i64>,
    status: String,
    status_label: String,
    attempts: i32,
    last_error: String,
    next_attempt: String,
    created: String,
    retriable: bool,
}

#[derive(Serialize)]
struct OutboxPage {
    #[serde(flatten)]
    layout: Layout,
    rows: Vec<OutboxRow>,
    pager: Pager,
    statuses: Vec<Choice>,
    status: String,
}

pub async fn outbox_index(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<OutboxQuery>,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Admin])?;
    let status = q.status.as_deref().and_then(EmailStatus::parse);
    let page = outbox::list(
        &state.db,
        &session.user,
        status,
        PageRequest::parse(q.page, Some(50))?,
    )
    .await?;
    let pager = Pager::of(&page);
    let rows = page
        .items
        .into_iter()
        .map(|n| OutboxRow {
            id: n.id,
            kind: kind_label(lang, Kind::from(n.kind)),
            email: n.email.unwrap_or_default(),
            subject: n.subject,
            case_id: n.case_id,
            status_label: i18n::t(
                lang,
                &format!(
                    "notify-status-{}",
                    EmailStatus::from(n.email_status).as_str()
                ),
            ),
            retriable: matches!(
                EmailStatus::from(n.email_status),
                EmailStatus::Failed | EmailStatus::Pending
            ),
            status: EmailStatus::from(n.email_status).as_str().to_owned(),
            attempts: n.attempts,
            last_error: n.last_error.unwrap_or_default(),
            next_attempt: n
                .next_attempt_at
                .map(|t| local_minute(t, &state))
                .unwrap_or_default(),
            created: local_minute(n.created_at, &state),
        })
        .collect();
    let layout = with_notice(
        Layout::new(&session, lang, "/admin/outbox"),
        lang,
        q.notice.as_deref(),
    );
    let page = OutboxPage {
        layout,
        rows,
        pager,
        statuses: EmailStatus::ALL
            .into_iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: i18n::t(lang, &format!("notify-status-{}", s.as_str())),
            })
            .collect(),
        status: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
    };
    Ok(render::render(&state, "notifications/outbox.html", &page)?.into_response())
}

pub async fn outbox_retry(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let result = outbox::retry(&state.db, &session.user, id).await;
    submit::done(result, |_| "/admin/outbox?notice=retried".to_owned())
}
