//! `/settings/monthly_report` (admins): the addresses the monthly report (月报) goes to.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::submit;
use crate::domain::role::Role;
use crate::error::{AppError, Message};
use crate::i18n::Lang;
use crate::services::command::Command;
use crate::services::monthly_report;
use crate::web::extract::PageForm;
use crate::web::render::{self, field_errors, Layout};
use crate::web::session::PageUser;
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    pub notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct RecipientsForm {
    /// One address a line; required (empty text clears the list).
    pub recipients: Option<String>,
}

/// The form's text, one address a line; required (empty text clears the list).
impl Command for &RecipientsForm {
    type Params = Vec<String>;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<Vec<String>, AppError> {
        self.recipients
            .as_deref()
            .map(monthly_report::parse_addresses)
            .ok_or_else(|| AppError::field("recipients", Message::key("err-required")))
    }
}

#[derive(Serialize)]
struct RecipientsPage {
    #[serde(flatten)]
    layout: Layout,
    recipients: String,
    errors: BTreeMap<String, String>,
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Admin])?;
    let mut layout = Layout::new(&session, lang, "/settings/monthly_report");
    if q.notice.as_deref() == Some("saved") {
        layout = layout.with_notice(lang, "report-saved");
    }
    let page = RecipientsPage {
        layout,
        recipients: monthly_report::recipients(&state.db).await?.join("\n"),
        errors: BTreeMap::new(),
    };
    Ok(render::render(&state, "settings/monthly_report.html", &page)?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    PageForm(form): PageForm<RecipientsForm>,
) -> Result<Response, AppError> {
    let result = monthly_report::set_recipients(&state.db, &session.user, &form).await;
    submit::fields(
        result,
        |_| "/settings/monthly_report?notice=saved".to_owned(),
        async |fields| {
            let page = RecipientsPage {
                layout: Layout::new(&session, lang, "/settings/monthly_report"),
                recipients: form.recipients.clone().unwrap_or_default(),
                errors: field_errors(lang, &fields),
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render::render(&state, "settings/monthly_report.html", &page)?,
            )
                .into_response())
        },
    )
    .await
}
