//! The case page's forms for related cases: start a group, add a case to it by number, name the
//! representatives of a collective dispute.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::cases::show_page;
use super::submit;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services::cases::{find_visible, groups};
use crate::web::extract::{Checker, Loose, PageForm};
use crate::web::session::{PageUser, SessionInfo};
use crate::web::shapes::GroupBody;
use crate::web::AppState;

async fn answer(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    id: i64,
    result: Result<(), AppError>,
) -> Result<Response, AppError> {
    submit::when(
        result,
        |()| format!("/cases/{id}?notice=saved#group"),
        |e| {
            matches!(
                e,
                AppError::Invalid(_)
                    | AppError::Refused(_)
                    | AppError::Forbidden(_)
                    | AppError::NotFound
            )
        },
        async |e| {
            show_page(
                state,
                session,
                lang,
                id,
                false,
                None,
                Some(("group".to_owned(), e)),
            )
            .await
        },
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct NewGroupForm {
    pub name: Option<String>,
    pub respondent: Option<String>,
    pub claim: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<NewGroupForm>,
) -> Result<Response, AppError> {
    find_visible(&state.db, &session.user, id).await?;
    let body = GroupBody {
        case_id: Some(Loose::Int(id)),
        name: form.name,
        respondent: form.respondent,
        claim: form.claim,
    };
    let result = match body.check() {
        Ok((case_id, name, respondent, claim)) => {
            groups::create(&state.db, &session.user, case_id, name, respondent, claim)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    answer(&state, &session, lang, id, result).await
}

#[derive(Debug, Default, Deserialize)]
pub struct AddForm {
    pub case_no: Option<String>,
}

pub async fn add_case(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<AddForm>,
) -> Result<Response, AppError> {
    let case = find_visible(&state.db, &session.user, id).await?;
    let group_id = case.group_id.ok_or(AppError::NotFound)?;
    let mut c = Checker::default();
    let case_no = c.text("case_no", &form.case_no);
    let result = match c.finish(()) {
        Ok(()) => groups::link(&state.db, &session.user, &case_no, Some(group_id)).await,
        Err(e) => Err(e),
    };
    answer(&state, &session, lang, id, result).await
}

#[derive(Debug, Default, Deserialize)]
pub struct RepresentativesForm {
    /// One name per line (or separated by commas).
    pub representatives: Option<String>,
}

pub async fn set_representatives(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<RepresentativesForm>,
) -> Result<Response, AppError> {
    let case = find_visible(&state.db, &session.user, id).await?;
    let group_id = case.group_id.ok_or(AppError::NotFound)?;
    let names: Vec<String> = form
        .representatives
        .unwrap_or_default()
        .split(['\n', ',', '，', '、'])
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    let result = groups::set_representatives(&state.db, &session.user, group_id, names)
        .await
        .map(|_| ());
    answer(&state, &session, lang, id, result).await
}
