//! The page that corrects a case's details after intake (`PATCH /api/v1/cases/{id}` as a form).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::submit;
use crate::domain::case_edit::CaseDetails;
use crate::domain::case_terms::{DisputeType, RiskFlag, Source};
use crate::domain::money::{format_yuan, parse_yuan};
use crate::error::{AppError, FieldErrors, Message};
use crate::i18n::Lang;
use crate::services::cases::edit;
use crate::services::cases::find_visible;
use crate::services::command::Patch;
use crate::web::extract::{loose_version, Loose, PageForm};
use crate::web::render::{self, choices, field_errors, Choice, Layout};
use crate::web::session::{PageUser, SessionInfo};
use crate::web::shapes::CaseDetailsBody;
use crate::web::AppState;

/// The form as the page sends it: the amount in yuan, the risk flags as checkboxes.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct EditForm {
    pub dispute_type: Option<String>,
    pub source: Option<String>,
    pub summary: Option<String>,
    pub amount_claimed_yuan: Option<String>,
    pub people_involved: Option<String>,
    #[serde(default)]
    pub risk_flags: Vec<String>,
    pub infringement_known_on: Option<String>,
    pub employment_ended_on: Option<String>,
    pub version: Option<String>,
}

impl EditForm {
    fn of(body: &CaseDetailsBody) -> EditForm {
        let text = |v: &Option<Loose>| match v {
            Some(Loose::Int(n)) => Some(n.to_string()),
            Some(Loose::Text(t)) => Some(t.clone()),
            _ => None,
        };
        EditForm {
            dispute_type: body.dispute_type.clone(),
            source: body.source.clone(),
            summary: body.summary.clone(),
            amount_claimed_yuan: match &body.amount_claimed_fen {
                Some(Loose::Int(fen)) => Some(format_yuan(*fen)),
                _ => None,
            },
            people_involved: text(&body.people_involved),
            risk_flags: body.risk_flags.clone().unwrap_or_default(),
            infringement_known_on: body.infringement_known_on.clone(),
            employment_ended_on: body.employment_ended_on.clone(),
            version: text(&body.version),
        }
    }

    /// The API body; the form always sends every field, so empty dates clear them.
    fn to_body(&self) -> Result<CaseDetailsBody, FieldErrors> {
        let amount = match self.amount_claimed_yuan.as_deref().map(str::trim) {
            None | Some("") => Loose::Int(0),
            Some(text) => match parse_yuan(text) {
                Some(fen) => Loose::Int(fen),
                None => {
                    let mut errors = FieldErrors::new();
                    errors.insert("amount_claimed_yuan".into(), Message::key("err-yuan"));
                    return Err(errors);
                }
            },
        };
        Ok(CaseDetailsBody {
            dispute_type: self.dispute_type.clone(),
            source: self.source.clone(),
            summary: self.summary.clone(),
            amount_claimed_fen: Some(amount),
            people_involved: self.people_involved.clone().map(Loose::Text),
            risk_flags: Some(self.risk_flags.clone()),
            infringement_known_on: Some(self.infringement_known_on.clone().unwrap_or_default()),
            employment_ended_on: Some(self.employment_ended_on.clone().unwrap_or_default()),
            version: self.version.clone().map(Loose::Text),
        })
    }
}

#[derive(Serialize)]
struct EditPage {
    #[serde(flatten)]
    layout: Layout,
    case_id: i64,
    case_no: String,
    /// The grade's name in the page's language.
    grade_label: String,
    grade_source: String,
    values: EditForm,
    errors: BTreeMap<String, String>,
    /// A refusal that belongs to no field (a closed case, someone else's change).
    refusal: Option<String>,
    dispute_types: Vec<Choice>,
    sources: Vec<Choice>,
    risk_flags: Vec<Choice>,
}

#[allow(clippy::too_many_arguments)]
async fn edit_page(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    id: i64,
    values: EditForm,
    errors: &FieldErrors,
    refusal: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let case = find_visible(&state.db, &session.user, id).await?;
    let page = EditPage {
        layout: Layout::new(session, lang, "/cases"),
        case_id: case.id,
        case_no: case.case_no,
        grade_label: crate::i18n::t(
            lang,
            &format!(
                "grade-{}",
                crate::domain::case_terms::Grade::from(case.grade).as_str()
            ),
        ),
        grade_source: crate::domain::case_terms::GradeSource::from(case.grade_source)
            .as_str()
            .to_owned(),
        values,
        // The API names the amount in fen; the form asks for yuan.
        errors: field_errors(lang, errors)
            .into_iter()
            .map(|(k, v)| match k.as_str() {
                "amount_claimed_fen" => ("amount_claimed_yuan".to_owned(), v),
                _ => (k, v),
            })
            .collect(),
        refusal,
        dispute_types: choices(
            lang,
            "dispute-type",
            DisputeType::ALL.map(DisputeType::as_str),
        ),
        sources: choices(lang, "source", Source::ALL.map(Source::as_str)),
        risk_flags: choices(lang, "risk-flag", RiskFlag::ALL.map(RiskFlag::as_str)),
    };
    Ok((status, render::render(state, "cases/edit.html", &page)?).into_response())
}

pub async fn edit(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let case = find_visible(&state.db, &session.user, id).await?;
    // The form is not offered to whoever may not save it (403, with the reason).
    match edit::check_may_edit(&state.db, &session.user, &case).await {
        Err(AppError::Refused(why)) => return Err(AppError::Forbidden(why)),
        other => other?,
    }
    let values = EditForm::of(&CaseDetailsBody::from_details(
        &edit::details_of(&case),
        case.version,
    ));
    edit_page(
        &state,
        &session,
        lang,
        id,
        values,
        &FieldErrors::new(),
        None,
        StatusCode::OK,
    )
    .await
}

/// The whole form as sent: every field replaces the stored one (empty dates clear them).
struct WholeForm {
    version: Option<i32>,
    body: Result<CaseDetailsBody, FieldErrors>,
}

impl Patch<CaseDetails> for WholeForm {
    type Params = CaseDetails;

    fn version(&self) -> Option<i32> {
        self.version
    }

    fn params(self, _current: &CaseDetails) -> Result<CaseDetails, AppError> {
        let (details, _) = self.body.map_err(AppError::Invalid)?.check()?;
        Ok(details)
    }
}

#[tracing::instrument(skip_all, fields(case_id = id))]
pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<EditForm>,
) -> Result<Response, AppError> {
    let command = WholeForm {
        version: loose_version(&form.version.clone().map(Loose::Text)),
        body: form.to_body(),
    };
    let tz = state.config.time_zone;
    let result = edit::edit_details(&state.db, tz, &session.user, id, command).await;
    submit::refusable(
        result,
        |_| format!("/cases/{id}?notice=saved"),
        async |e| {
            let (errors, refusal, status) = match e {
                AppError::Invalid(fields) => (fields, None, StatusCode::UNPROCESSABLE_ENTITY),
                e @ (AppError::Refused(_) | AppError::Conflict(_)) => (
                    FieldErrors::new(),
                    Some(crate::i18n::message(lang, &e.message())),
                    e.status(),
                ),
                // Whoever may not correct the case gets the error page, as on the form's GET.
                other => return Err(other),
            };
            edit_page(&state, &session, lang, id, form, &errors, refusal, status).await
        },
    )
    .await
}
