//! The settings page (admins): the grading thresholds, amounts typed in yuan.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::submit;
use crate::domain::grading::GradingThresholds;
use crate::domain::money::{format_yuan, parse_yuan};
use crate::domain::role::Role;
use crate::error::{AppError, FieldErrors, Message};
use crate::i18n::Lang;
use crate::services::command::Command;
use crate::services::settings as settings_service;
use crate::web::extract::PageForm;
use crate::web::render::{self, field_errors, Layout};
use crate::web::session::{PageUser, SessionInfo};
use crate::web::AppState;

/// The thresholds as typed: people as whole numbers, amounts in yuan (`100,000.00`, `¥800`).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct GradingForm {
    pub major_people: Option<String>,
    pub major_amount_yuan: Option<String>,
    pub complex_people: Option<String>,
    pub complex_amount_yuan: Option<String>,
    pub ordinary_people: Option<String>,
    pub ordinary_amount_yuan: Option<String>,
}

impl GradingForm {
    fn from_thresholds(t: &GradingThresholds) -> GradingForm {
        GradingForm {
            major_people: Some(t.major_people.to_string()),
            major_amount_yuan: Some(format_yuan(t.major_amount_fen)),
            complex_people: Some(t.complex_people.to_string()),
            complex_amount_yuan: Some(format_yuan(t.complex_amount_fen)),
            ordinary_people: Some(t.ordinary_people.to_string()),
            ordinary_amount_yuan: Some(format_yuan(t.ordinary_amount_fen)),
        }
    }

    /// The thresholds in fen, or 422 naming each field of this form that cannot be read.
    fn check(&self) -> Result<GradingThresholds, AppError> {
        let mut errors = FieldErrors::new();
        let mut people = |field: &str, value: &Option<String>| -> i64 {
            match value.as_deref().map(str::trim) {
                None | Some("") => {
                    errors.insert(field.into(), Message::key("err-required"));
                    0
                }
                Some(v) => v.parse().unwrap_or_else(|_| {
                    errors.insert(field.into(), Message::key("err-whole-number"));
                    0
                }),
            }
        };
        let major_people = people("major_people", &self.major_people);
        let complex_people = people("complex_people", &self.complex_people);
        let ordinary_people = people("ordinary_people", &self.ordinary_people);
        let mut amount = |field: &str, value: &Option<String>| -> i64 {
            match value.as_deref().map(str::trim) {
                None | Some("") => {
                    errors.insert(field.into(), Message::key("err-required"));
                    0
                }
                Some(v) => parse_yuan(v).unwrap_or_else(|| {
                    errors.insert(field.into(), Message::key("err-settings-amount-yuan"));
                    0
                }),
            }
        };
        let thresholds = GradingThresholds {
            major_people,
            major_amount_fen: amount("major_amount_yuan", &self.major_amount_yuan),
            complex_people,
            complex_amount_fen: amount("complex_amount_yuan", &self.complex_amount_yuan),
            ordinary_people,
            ordinary_amount_fen: amount("ordinary_amount_yuan", &self.ordinary_amount_yuan),
        };
        if errors.is_empty() {
            Ok(thresholds)
        } else {
            Err(AppError::Invalid(errors))
        }
    }
}

/// The settings page's form.
impl Command for GradingForm {
    type Params = GradingThresholds;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<GradingThresholds, AppError> {
        self.check()
    }
}

/// The service names amounts by their fen field; the form shows them in yuan.
fn form_field_errors(errors: FieldErrors) -> FieldErrors {
    errors
        .into_iter()
        .map(|(field, message)| match field.strip_suffix("_amount_fen") {
            Some(grade) => (format!("{grade}_amount_yuan"), message),
            None => (field, message),
        })
        .collect()
}

#[derive(Serialize)]
struct SettingsPage {
    #[serde(flatten)]
    layout: Layout,
    values: GradingForm,
    errors: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    pub notice: Option<String>,
}

fn settings_page(
    state: &AppState,
    layout: Layout,
    lang: Lang,
    values: GradingForm,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = SettingsPage {
        layout,
        values,
        errors: field_errors(lang, errors),
    };
    Ok((status, render::render(state, "settings/index.html", &page)?).into_response())
}

fn layout_of(session: &SessionInfo, lang: Lang) -> Layout {
    Layout::new(session, lang, "/settings")
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Admin])?;
    let thresholds = settings_service::grading_thresholds(&state.db).await?;
    let layout = super::auth::notice(layout_of(&session, lang), lang, q.notice.as_deref());
    settings_page(
        &state,
        layout,
        lang,
        GradingForm::from_thresholds(&thresholds),
        &FieldErrors::new(),
        StatusCode::OK,
    )
}

#[tracing::instrument(skip_all)]
pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    PageForm(form): PageForm<GradingForm>,
) -> Result<Response, AppError> {
    let result = settings_service::set_grading_thresholds(&state.db, &session.user, form.clone())
        .await
        .map_err(|e| match e {
            AppError::Invalid(errors) => AppError::Invalid(form_field_errors(errors)),
            other => other,
        });
    submit::fields(
        result,
        |_| "/settings?notice=saved".to_owned(),
        async |errors| {
            settings_page(
                &state,
                layout_of(&session, lang),
                lang,
                form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        },
    )
    .await
}
