//! The case page's forms for sessions, the agreement (and its instalments and judicial
//! confirmation), follow-ups, and the A4 print page of the agreement. A refused form re-renders the
//! case page with the reason in its section; nothing is written.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::cases::{local_day, local_input_to_rfc3339, show_page};
use super::submit;
use crate::domain::money;
use crate::error::{AppError, Message};
use crate::i18n::Lang;
use crate::services::cases::records;
use crate::services::cases::view::{self, CaseDetail};
use crate::services::command::Prechecked;
use crate::web::extract::{loose_version, Checker, Loose, PageForm};
use crate::web::render::{self, Layout};
use crate::web::session::PageUser;
use crate::web::shapes::{
    AgreementBody, ConfirmationBody, FollowUpBody, InstalmentBody, InstalmentPaidBody, SessionBody,
};
use crate::web::AppState;

/// After a record: back to the case, or the case page again with the reason in `section`.
async fn answer<T>(
    state: &AppState,
    session: &crate::web::session::SessionInfo,
    lang: Lang,
    id: i64,
    section: &str,
    result: Result<T, AppError>,
) -> Result<Response, AppError> {
    submit::refusable(
        result,
        |_| format!("/cases/{id}?notice=saved"),
        async |e| {
            show_page(
                state,
                session,
                lang,
                id,
                false,
                None,
                Some((section.to_owned(), e)),
            )
            .await
        },
    )
    .await
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct SessionForm {
    pub held_at: Option<String>,
    pub unit_id: Option<String>,
    #[serde(default)]
    pub mediator_ids: Vec<String>,
    pub attendees: Option<String>,
    pub summary: Option<String>,
    pub outcome: Option<String>,
    pub next_session_at: Option<String>,
    pub version: Option<String>,
}

#[tracing::instrument(skip_all, fields(case_id = id))]
pub async fn create_session(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<SessionForm>,
) -> Result<Response, AppError> {
    let tz = state.config.time_zone;
    let body = SessionBody {
        held_at: local_input_to_rfc3339(&form.held_at, tz),
        unit_id: form.unit_id.clone().map(Loose::Text),
        mediator_ids: Some(form.mediator_ids.iter().cloned().map(Loose::Text).collect()),
        attendees: form.attendees.clone(),
        summary: form.summary.clone(),
        outcome: form.outcome.clone(),
        next_session_at: local_input_to_rfc3339(&form.next_session_at, tz),
        version: form.version.clone().map(Loose::Text),
    };
    let result =
        records::record_session(&state.db, state.config.time_zone, &session.user, id, body).await;
    answer(&state, &session, lang, id, "session", result).await
}

/// Up to six instalments on the page form (more can be recorded through the API).
const FORM_INSTALMENTS: usize = 6;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct AgreementForm {
    pub signed_at: Option<String>,
    pub matters: Option<String>,
    pub terms: Option<String>,
    pub amount_yuan: Option<String>,
    #[serde(default)]
    pub due_on: Vec<String>,
    #[serde(default)]
    pub instalment_yuan: Vec<String>,
    pub version: Option<String>,
}

fn yuan_field(c: &mut Checker, field: &str, text: &str) -> Option<Loose> {
    match money::parse_yuan(text) {
        Some(fen) => Some(Loose::Int(fen)),
        None => {
            c.add(field, Message::key("err-yuan"));
            None
        }
    }
}

#[tracing::instrument(skip_all, fields(case_id = id))]
pub async fn create_agreement(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<AgreementForm>,
) -> Result<Response, AppError> {
    let tz = state.config.time_zone;
    let mut c = Checker::default();
    let amount = form
        .amount_yuan
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .and_then(|t| yuan_field(&mut c, "amount_fen", t));
    let mut instalments = Vec::new();
    for (i, due) in form.due_on.iter().enumerate().take(FORM_INSTALMENTS) {
        let yuan = form
            .instalment_yuan
            .get(i)
            .map(String::as_str)
            .unwrap_or_default();
        if due.trim().is_empty() && yuan.trim().is_empty() {
            continue;
        }
        instalments.push(InstalmentBody {
            due_on: Some(due.clone()),
            amount_fen: yuan_field(&mut c, &format!("instalments[{i}].amount_fen"), yuan),
        });
    }
    let version = loose_version(&form.version.clone().map(Loose::Text));
    let body = c.finish(()).map(|()| AgreementBody {
        signed_at: local_input_to_rfc3339(&form.signed_at, tz),
        matters: form.matters.clone(),
        terms: form.terms.clone(),
        amount_fen: amount,
        instalments: Some(instalments),
        version: form.version.clone().map(Loose::Text),
    });
    let command = Prechecked {
        version,
        command: body,
    };
    let result = records::record_agreement(&state.db, tz, &session.user, id, command).await;
    answer(&state, &session, lang, id, "agreement", result).await
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PaidForm {
    pub paid_on: Option<String>,
}

pub async fn mark_instalment(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path((id, seq)): Path<(i64, i32)>,
    PageForm(form): PageForm<PaidForm>,
) -> Result<Response, AppError> {
    let body = InstalmentPaidBody {
        paid_on: form.paid_on,
    };
    let tz = state.config.time_zone;
    let result = records::mark_instalment(&state.db, tz, &session.user, id, seq, body).await;
    answer(&state, &session, lang, id, "agreement", result).await
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ConfirmationForm {
    pub applied_on: Option<String>,
    pub received_on: Option<String>,
    pub note: Option<String>,
}

pub async fn record_confirmation(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<ConfirmationForm>,
) -> Result<Response, AppError> {
    let body = ConfirmationBody {
        applied_on: form.applied_on,
        received_on: form.received_on,
        note: form.note,
    };
    let tz = state.config.time_zone;
    let result = records::record_confirmation(&state.db, tz, &session.user, id, body).await;
    answer(&state, &session, lang, id, "agreement", result).await
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct FollowUpForm {
    pub done_at: Option<String>,
    pub result: Option<String>,
    pub satisfaction: Option<String>,
    pub fulfilled: Option<String>,
}

#[tracing::instrument(skip_all, fields(case_id = id))]
pub async fn create_follow_up(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<FollowUpForm>,
) -> Result<Response, AppError> {
    let body = FollowUpBody {
        done_at: local_input_to_rfc3339(&form.done_at, state.config.time_zone),
        result: form.result.clone(),
        satisfaction: form.satisfaction.clone().map(Loose::Text),
        fulfilled: form.fulfilled.clone().map(Loose::Text),
    };
    let result =
        records::record_follow_up(&state.db, state.config.time_zone, &session.user, id, body).await;
    answer(&state, &session, lang, id, "follow_up", result).await
}

#[derive(Serialize)]
struct PrintPage {
    #[serde(flatten)]
    layout: Layout,
    case: CaseDetail,
    signed_on: String,
    /// The agreed amount in Chinese capitals (大写), as agreements are written.
    amount_in_capitals: String,
    unit_name: String,
    lead: Option<String>,
}

/// The agreement laid out for A4, to print on paper or to PDF from the browser. It is signed with
/// full identities: those who may see them get them (audited), everyone else the masked ones.
pub async fn print_agreement(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let tz = state.config.time_zone;
    let case = view::detail_with(
        &state.db,
        tz,
        &session.user,
        id,
        view::Disclosure::AgreementPrint,
    )
    .await?;
    let agreement = case.agreement.as_ref().ok_or(AppError::NotFound)?;
    let signed_on = local_day(agreement.signed_at, tz);
    let amount_in_capitals = money::yuan_in_capitals(agreement.amount_fen);
    let lead = case
        .assignments
        .iter()
        .find(|a| a.ended_at.is_none() && a.role == "lead")
        .map(|a| a.mediator_name.clone());
    let page = PrintPage {
        layout: Layout::new(&session, lang, "/cases"),
        signed_on,
        amount_in_capitals,
        unit_name: case.current_unit.name.clone(),
        lead,
        case,
    };
    Ok(render::render(&state, "cases/print.html", &page)?.into_response())
}
