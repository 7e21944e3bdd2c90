//! Uploading and downloading case attachments, for the API (bearer token) and the pages (session;
//! the CSRF token travels in the query string of the multipart form).

use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;

use super::api::{ApiUser, ErrorBody};
use super::extract::MAX_UPLOAD_BYTES;
use super::session::PageUser;
use super::AppState;
use crate::error::{AppError, Message};
use crate::i18n::Lang;
use crate::services::auth::CurrentUser;
use crate::services::cases::attachments::{self, Storage};
use crate::services::cases::view::AttachmentOut;

fn dir(state: &AppState) -> std::path::PathBuf {
    state.config.data_dir.join("attachments")
}

/// Reads the `kind` and `file` parts of an upload.
async fn read_upload(mut form: Multipart) -> Result<(String, String, Vec<u8>), AppError> {
    let mut kind = "evidence".to_owned();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(AppError::field(
                    "file",
                    Message::with(
                        "err-upload-too-large",
                        &[("max", format!("{} MB", MAX_UPLOAD_BYTES / 1024 / 1024))],
                    ),
                ))
            }
            Err(_) => return Err(AppError::BadRequest("the upload could not be read".into())),
        };
        match field.name() {
            Some("kind") => {
                kind = field
                    .text()
                    .await
                    .map_err(|_| AppError::BadRequest("kind".into()))?
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("file").to_owned();
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        AppError::field(
                            "file",
                            Message::with(
                                "err-upload-too-large",
                                &[("max", format!("{} MB", MAX_UPLOAD_BYTES / 1024 / 1024))],
                            ),
                        )
                    } else {
                        AppError::BadRequest("the file could not be read".into())
                    }
                })?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let (name, bytes) =
        file.ok_or_else(|| AppError::field("file", Message::key("err-upload-empty")))?;
    Ok((kind, name, bytes))
}

async fn upload(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    form: Multipart,
) -> Result<AttachmentOut, AppError> {
    crate::services::cases::find_visible(&state.db, user, id).await?;
    let (kind, name, bytes) = read_upload(form).await?;
    let folder = dir(state);
    let storage = Storage {
        dir: &folder,
        max_bytes: MAX_UPLOAD_BYTES,
    };
    let a = attachments::store(&state.db, &storage, user, id, &name, &kind, &bytes).await?;
    Ok(AttachmentOut {
        id: a.id,
        filename: a.filename,
        content_type: a.content_type,
        size_bytes: a.size_bytes,
        kind: a.kind,
        uploaded_at: a.uploaded_at,
    })
}

async fn download(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    attachment_id: i64,
) -> Result<Response, AppError> {
    let (row, bytes) = attachments::open(&state.db, &dir(state), user, id, attachment_id).await?;
    // RFC 6266/5987: the UTF-8 name percent-encoded, so Chinese names survive.
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        super::errors::urlencode(&row.filename)
    );
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&row.content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// Attaches a file to a case (multipart: `kind`, `file`). PDF, JPEG, PNG or WEBP, checked by
/// content; at most 10 MB.
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "`kind` (evidence, id, pay_slip, agreement_photo, other) and `file`"),
    responses((status = 201, body = AttachmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(case_id = id))]
pub async fn api_upload(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<(StatusCode, Json<AttachmentOut>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(upload(&state, &user, id, form).await?),
    ))
}

/// Downloads an attachment (only for users who can see the case).
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments/{attachment_id}", params(("id" = i64, Path), ("attachment_id" = i64, Path)),
    responses((status = 200, description = "the file"), (status = 404, body = ErrorBody)))]
pub async fn api_download(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, attachment_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    download(&state, &user, id, attachment_id).await
}

pub async fn page_upload(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response, AppError> {
    match upload(&state, &session.user, id, form).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?notice=saved#attachments")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Refused(_) | AppError::Forbidden(_))) => {
            super::pages::cases::show_page(
                &state,
                &session,
                lang,
                id,
                false,
                None,
                Some(("attachment".to_owned(), e)),
            )
            .await
        }
        Err(other) => Err(other),
    }
}

pub async fn page_download(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path((id, attachment_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    download(&state, &session.user, id, attachment_id).await
}
