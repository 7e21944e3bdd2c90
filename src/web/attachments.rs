//! Uploading and downloading case attachments, for the API (bearer token) and the pages (session;
//! the CSRF token travels in the query string of the multipart form).

use axum::body::Body;
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
use crate::services::cases::attachments;
use crate::services::cases::view::AttachmentOut;
use sea_orm::DatabaseConnection;

fn too_large() -> AppError {
    AppError::field(
        "file",
        Message::with(
            "err-upload-too-large",
            &[("max", format!("{} MB", MAX_UPLOAD_BYTES / 1024 / 1024))],
        ),
    )
}

/// The parts of an upload, as the OpenAPI document describes them (read by [`read_upload`]).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// `evidence` (the default), `id`, `pay_slip`, `agreement_photo` or `other`.
    kind: Option<String>,
    /// A PDF, JPG, PNG or WEBP file (checked by its content), at most 10 MB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Reads the `kind` and `file` parts of an upload.
async fn read_upload(mut form: Multipart) -> Result<(String, String, Vec<u8>), AppError> {
    let mut kind = "evidence".to_owned();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
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
                // Read piece by piece, stopping as soon as the file is over the limit.
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(piece)) => {
                            if bytes.len() + piece.len() > MAX_UPLOAD_BYTES {
                                return Err(too_large());
                            }
                            bytes.extend_from_slice(&piece);
                        }
                        Ok(None) => break,
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            return Err(too_large())
                        }
                        Err(_) => {
                            return Err(AppError::BadRequest("the file could not be read".into()))
                        }
                    }
                }
                file = Some((name, bytes));
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
    let a = attachments::store(&state.db, MAX_UPLOAD_BYTES, user, id, &name, &kind, &bytes).await?;
    Ok(AttachmentOut {
        id: a.id,
        filename: a.filename,
        content_type: a.content_type,
        size_bytes: a.size_bytes,
        kind: crate::domain::case_file::AttachmentKind::from(a.kind)
            .as_str()
            .to_owned(),
        uploaded_at: a.uploaded_at,
    })
}

async fn download(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    attachment_id: i64,
) -> Result<Response, AppError> {
    let row = attachments::open(&state.db, user, id, attachment_id).await?;
    let first = attachments::read_chunk(&state.db, &row.sha256, 0)
        .await?
        .ok_or_else(|| AppError::Internal(format!("attachment {} has no content", row.id)))?;
    // RFC 6266/5987: the UTF-8 name percent-encoded, so Chinese names survive.
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        super::errors::urlencode(&row.filename)
    );
    let mut response =
        Body::from_stream(content_stream(state.db.clone(), row.sha256.clone(), first))
            .into_response();
    let headers = response.headers_mut();
    // Only the type sniffed at upload (one of four) is ever sent, never what the client said.
    if let Ok(v) = HeaderValue::from_str(&row.content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(row.size_bytes));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// The content of a file, one chunk from the database at a time, after `first` (read before
/// answering, so that a file whose content is missing is a 500 rather than a cut-off download).
fn content_stream(
    db: DatabaseConnection,
    sha256: String,
    first: Vec<u8>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, AppError>> {
    let rest = futures_util::stream::try_unfold(1_i32, move |seq| {
        let (db, sha256) = (db.clone(), sha256.clone());
        async move {
            let chunk = attachments::read_chunk(&db, &sha256, seq).await?;
            Ok(chunk.map(|data| (data, seq + 1)))
        }
    });
    // Fused: polled again after its end (the compression layer may), an unfused stream panics.
    futures_util::StreamExt::fuse(futures_util::StreamExt::chain(
        futures_util::stream::once(async { Ok(first) }),
        rest,
    ))
}

/// Attaches a file to a case (multipart: `kind`, `file`). PDF, JPEG, PNG or WEBP, checked by
/// content; at most 10 MB.
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", params(("id" = i64, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "`kind` (evidence, id, pay_slip, agreement_photo, other) and `file`"),
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

/// Downloads an attachment (for those who may reveal the parties' ID numbers; 404 for others).
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
