//! `/api/v1/notifications`: the signed-in user's inbox, read marks and e-mail preferences; and
//! `/api/v1/outbox` for admins: e-mails waiting or failed, and sending a failed one again.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiUser, ErrorBody};
use crate::domain::notifications::{EmailStatus, Kind};
use crate::domain::role::Role;
use crate::error::{AppError, Message};
use crate::services::notifications::{inbox, outbox, Notification};
use crate::services::PageRequest;
use crate::web::extract::{ApiJson, ApiQuery, Checker, Loose};
use crate::web::AppState;

/// One notification as its recipient sees it.
#[derive(Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: i64,
    #[schema(value_type = Kind)]
    pub kind: String,
    pub case_id: Option<i64>,
    pub subject: String,
    /// A path in the app, e.g. `/cases/12`.
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    /// Whether it also went by e-mail: `pending`, `sent`, `failed` or `skipped`.
    #[schema(value_type = EmailStatus)]
    pub email_status: String,
}

impl From<Notification> for NotificationOut {
    fn from(n: Notification) -> NotificationOut {
        NotificationOut {
            id: n.id,
            kind: Kind::from(n.kind).as_str().to_owned(),
            case_id: n.case_id,
            subject: n.subject,
            link: n.link,
            created_at: n.created_at,
            read_at: n.read_at,
            email_status: EmailStatus::from(n.email_status).as_str().to_owned(),
        }
    }
}

/// A page of the inbox with the number still unread.
#[derive(Serialize, ToSchema)]
pub struct InboxOut {
    pub items: Vec<NotificationOut>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub unread: u64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct InboxQuery {
    /// `true`: only unread notifications.
    pub unread: Option<bool>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// The signed-in user's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", params(InboxQuery),
    responses((status = 200, body = InboxOut), (status = 401, body = ErrorBody)))]
pub async fn index(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<InboxQuery>,
) -> Result<Json<InboxOut>, AppError> {
    let page = inbox::list(
        &state.db,
        &user,
        query.unread.unwrap_or(false),
        PageRequest::parse(query.page, query.per_page)?,
    )
    .await?;
    let unread = inbox::unread_count(&state.db, user.id).await?;
    Ok(Json(InboxOut {
        items: page.items.into_iter().map(NotificationOut::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        unread,
    }))
}

/// Marks one of the user's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", params(("id" = i64, Path)),
    responses((status = 200, body = NotificationOut), (status = 404, body = ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<NotificationOut>, AppError> {
    Ok(Json(inbox::mark_read(&state.db, &user, id).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct ReadAllOut {
    /// How many were unread.
    pub updated: u64,
}

/// Marks all of the user's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read_all",
    responses((status = 200, body = ReadAllOut), (status = 401, body = ErrorBody)))]
pub async fn mark_all_read(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<ReadAllOut>, AppError> {
    let updated = inbox::mark_all_read(&state.db, &user).await?;
    Ok(Json(ReadAllOut { updated }))
}

/// Which kinds come by e-mail: `{"email": {"escalated": true, "overdue": false, …}}`, every kind
/// named. Notifications always reach the inbox.
#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct PreferencesBody {
    #[schema(value_type = BTreeMap<String, bool>)]
    pub email: Option<BTreeMap<String, Loose>>,
}

#[derive(Serialize, ToSchema)]
pub struct PreferencesOut {
    pub email: BTreeMap<String, bool>,
}

impl PreferencesOut {
    pub fn from_choices(choices: Vec<(Kind, bool)>) -> PreferencesOut {
        PreferencesOut {
            email: choices
                .into_iter()
                .map(|(k, b)| (k.as_str().to_owned(), b))
                .collect(),
        }
    }
}

impl PreferencesBody {
    /// # Errors
    /// 422 naming `email.<kind>` for an unknown kind or a value that is not yes/no.
    pub fn check(&self) -> Result<Vec<(Kind, bool)>, AppError> {
        let mut c = Checker::default();
        let mut choices = Vec::new();
        for (name, value) in self.email.iter().flatten() {
            let field = format!("email.{name}");
            match Kind::parse(name) {
                Some(kind) => {
                    let before = c.errors.len();
                    let yes = c.flag(&field, &Some(value.clone()));
                    if c.errors.len() == before {
                        choices.push((kind, yes));
                    }
                }
                None => c.add(&field, Message::key("err-unknown-choice")),
            }
        }
        c.finish(choices)
    }
}

/// The signed-in user's e-mail preferences.
#[utoipa::path(get, path = "/api/v1/notifications/preferences",
    responses((status = 200, body = PreferencesOut), (status = 401, body = ErrorBody)))]
pub async fn show_preferences(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<PreferencesOut>, AppError> {
    Ok(Json(PreferencesOut::from_choices(
        inbox::preferences(&state.db, &user).await?,
    )))
}

/// Changes the signed-in user's e-mail preferences; kinds not named keep theirs.
#[utoipa::path(put, path = "/api/v1/notifications/preferences", request_body = PreferencesBody,
    responses((status = 200, body = PreferencesOut), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn update_preferences(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<PreferencesBody>,
) -> Result<Json<PreferencesOut>, AppError> {
    let choices = body.check()?;
    Ok(Json(PreferencesOut::from_choices(
        inbox::set_preferences(&state.db, &user, &choices).await?,
    )))
}

/// One outbox row as admins see it.
#[derive(Serialize, ToSchema)]
pub struct OutboxOut {
    pub id: i64,
    pub user_id: Option<i64>,
    pub email: Option<String>,
    #[schema(value_type = Kind)]
    pub kind: String,
    pub case_id: Option<i64>,
    pub subject: String,
    #[schema(value_type = EmailStatus)]
    pub email_status: String,
    /// Tries so far (since the last retry by an admin).
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<Notification> for OutboxOut {
    fn from(n: Notification) -> OutboxOut {
        OutboxOut {
            id: n.id,
            user_id: n.user_id,
            email: n.email,
            kind: Kind::from(n.kind).as_str().to_owned(),
            case_id: n.case_id,
            subject: n.subject,
            email_status: EmailStatus::from(n.email_status).as_str().to_owned(),
            attempts: n.attempts,
            next_attempt_at: n.next_attempt_at,
            last_error: n.last_error,
            created_at: n.created_at,
            sent_at: n.sent_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OutboxListOut {
    pub items: Vec<OutboxOut>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct OutboxQuery {
    /// `pending`, `failed`, `sent` or `skipped`; by default pending and failed.
    pub status: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl OutboxQuery {
    /// # Errors
    /// 422 naming `status` when it is not a status.
    pub fn status(&self) -> Result<Option<EmailStatus>, AppError> {
        let mut c = Checker::default();
        let status = c.optional_choice("status", &self.status, EmailStatus::parse);
        c.finish(status)
    }
}

/// E-mails waiting or failed (admin).
#[utoipa::path(get, path = "/api/v1/outbox", params(OutboxQuery),
    responses((status = 200, body = OutboxListOut), (status = 403, body = ErrorBody)))]
pub async fn outbox_index(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<OutboxQuery>,
) -> Result<Json<OutboxListOut>, AppError> {
    user.require(&[Role::Admin])?;
    let page = outbox::list(
        &state.db,
        &user,
        query.status()?,
        PageRequest::parse(query.page, query.per_page)?,
    )
    .await?;
    Ok(Json(OutboxListOut {
        items: page.items.into_iter().map(OutboxOut::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Sends a failed e-mail again with a fresh count of tries, or a waiting one now (admin).
#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", params(("id" = i64, Path)),
    responses((status = 200, body = OutboxOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(notification_id = id))]
pub async fn outbox_retry(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<OutboxOut>, AppError> {
    Ok(Json(outbox::retry(&state.db, &user, id).await?.into()))
}
