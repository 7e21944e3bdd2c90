//! The ledger on the pages: the case list's download buttons (`/ledger.xlsx`, `/ledger.csv`, by
//! the filters shown) and the import upload (`/ledger/import`, coordinators and admins).

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::cases::ListQuery;
use crate::error::{AppError, Message};
use crate::i18n::{self, Lang};
use crate::services::ledger::export::Format;
use crate::services::ledger::import::{self, Options, Report, IMPORT_ROLES};
use crate::web::render::{self, Choice, Layout};
use crate::web::session::{PageUser, SessionInfo};
use crate::web::shapes::{ledger_download, LedgerQuery};
use crate::web::AppState;

/// The largest ledger accepted by upload: 32 MB (a 100,000-row CSV is about 12 MB).
pub const MAX_LEDGER_BYTES: usize = 32 * 1024 * 1024;

fn ledger_query(q: &ListQuery) -> LedgerQuery {
    let c = q.api_query();
    LedgerQuery {
        unit_id: c.unit_id,
        status: c.status,
        grade: c.grade,
        dispute_type: c.dispute_type,
        source: c.source,
        overdue: c.overdue,
        q: c.q,
        group_id: c.group_id,
        mediator_id: c.mediator_id,
        joint_unit_id: c.joint_unit_id,
        received_from: c.received_from,
        received_to: c.received_to,
        ..Default::default()
    }
}

async fn export(
    state: AppState,
    session: SessionInfo,
    q: ListQuery,
    format: Format,
) -> Result<Response, AppError> {
    let q = ledger_query(&q);
    let filter = q.filter()?;
    ledger_download(&state, &session.user, filter, format, q.describe()).await
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    export(state, session, q, Format::Xlsx).await
}

pub async fn export_csv(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    export(state, session, q, Format::Csv).await
}

#[derive(Serialize)]
struct ImportPage {
    #[serde(flatten)]
    layout: Layout,
    units: Vec<Choice>,
    unit: String,
    dry_run: bool,
    error: Option<String>,
    report: Option<Report>,
    headers: Vec<&'static str>,
}

async fn import_page(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    form: (String, bool),
    outcome: Result<Option<Report>, String>,
) -> Result<Response, AppError> {
    let units = crate::services::units::all_active(&state.db)
        .await?
        .into_iter()
        .map(|u| Choice {
            label: format!("{} ({})", u.name, u.code),
            value: u.code,
        })
        .collect();
    let status = if outcome.is_err() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (report, error) = match outcome {
        Ok(r) => (r, None),
        Err(e) => (None, Some(e)),
    };
    let page = ImportPage {
        layout: Layout::new(session, lang, "/ledger/import"),
        units,
        unit: form.0,
        dry_run: form.1,
        error,
        report,
        headers: crate::domain::ledger::HEADERS.to_vec(),
    };
    Ok((status, render::render(state, "ledger/import.html", &page)?).into_response())
}

pub async fn import_form(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
) -> Result<Response, AppError> {
    session.user.require(&IMPORT_ROLES)?;
    import_page(&state, &session, lang, (String::new(), true), Ok(None)).await
}

/// Reads the upload: the file (at most [`MAX_LEDGER_BYTES`]), the default unit and the dry-run
/// box.
async fn read_form(mut form: Multipart) -> Result<(Vec<u8>, String, bool), String> {
    let mut bytes = None;
    let mut unit = String::new();
    let mut dry_run = false;
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err("上传未能读取，请重试".to_owned()),
        };
        match field.name() {
            Some("unit") => unit = field.text().await.unwrap_or_default().trim().to_owned(),
            Some("dry_run") => dry_run = true,
            Some("file") => {
                let mut buf = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(piece)) => {
                            if buf.len() + piece.len() > MAX_LEDGER_BYTES {
                                return Err(
                                    "文件过大（最多 32 MB）；更大的台账请用命令行导入".to_owned()
                                );
                            }
                            buf.extend_from_slice(&piece);
                        }
                        Ok(None) => break,
                        Err(_) => return Err("文件未能读取，请重试".to_owned()),
                    }
                }
                bytes = Some(buf);
            }
            _ => {}
        }
    }
    match bytes {
        Some(b) => Ok((b, unit, dry_run)),
        None => Err("请选择要导入的台账文件".to_owned()),
    }
}

pub async fn import_upload(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    // The role first: a refused role learns nothing about what it sent.
    session.user.require(&IMPORT_ROLES)?;
    let read = match form {
        Ok(form) => read_form(form).await,
        Err(_) => Err("请选择要导入的台账文件（表单须以文件上传方式提交）".to_owned()),
    };
    let (bytes, unit, dry_run) = match read {
        Ok(f) => f,
        Err(e) => return import_page(&state, &session, lang, (String::new(), true), Err(e)).await,
    };
    let options = Options {
        unit_code: Some(unit.clone()).filter(|u| !u.is_empty()),
        dry_run,
    };
    let handle = tokio::runtime::Handle::current();
    let (db, tz, user) = (
        state.db.clone(),
        state.config.time_zone,
        session.user.clone(),
    );
    let result = tokio::task::spawn_blocking(move || {
        import::import(
            &handle,
            &db,
            tz,
            &user,
            std::io::Cursor::new(bytes),
            &options,
            &|_| {},
        )
    })
    .await
    .map_err(|e| AppError::Internal(format!("ledger import: {e}")))?;
    let outcome = match result {
        Ok(report) => Ok(Some(report)),
        Err(AppError::Invalid(fields)) => Err(fields
            .values()
            .map(|m: &Message| i18n::message(lang, m))
            .collect::<Vec<_>>()
            .join("；")),
        Err(other) => return Err(other),
    };
    import_page(&state, &session, lang, (unit, dry_run), outcome).await
}
