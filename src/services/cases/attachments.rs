//! Files attached to a case (evidence, IDs, pay slips, photos of the signed agreement): checked by
//! their content (not their name), stored in the database in chunks under their SHA-256 (so every
//! app server sharing the database sees every file), and handed out only to those who can see the
//! case.

use std::path::Path;

use chrono::Utc;
use entity::{attachment_chunks, attachments};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{active_team, actor_facts, find_visible, record_event, status_of, NewEvent};
use crate::db::begin_write;
use crate::domain::case_file::AttachmentKind;
use crate::domain::pii;
use crate::domain::workflow::{EventKind, Status};
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;

/// How much of a file one row holds: small enough that streaming a download holds little in
/// memory at a time, large enough that a 10 MB file is a handful of rows.
pub const CHUNK_BYTES: usize = 512 * 1024;

/// The type of a file from its first bytes, for the types accepted: PDF, JPEG, PNG, WEBP.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Only a plain file name is kept: no folders, no control characters, at most 200 characters.
fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.trim().is_empty() {
        "file".to_owned()
    } else {
        cleaned
    }
}

/// Stores a file for a case.
///
/// # Errors
/// 404 out of scope; 403 for those who do not work the case; 422 for an empty, oversized or
/// disguised file, an unknown kind, or a closed case.
pub async fn store(
    db: &DatabaseConnection,
    max_bytes: usize,
    user: &CurrentUser,
    case_id: i64,
    filename: &str,
    kind: &str,
    bytes: &[u8],
) -> Result<attachments::Model, AppError> {
    let case = find_visible(db, user, case_id).await?;
    let team = active_team(db, case.id).await?;
    let actor = actor_facts(user, &case, &team);
    if !crate::domain::team::works_the_case(&actor) {
        return Err(AppError::Forbidden(Message::key("err-role-may-not")));
    }
    if status_of(&case)? == Status::Closed {
        return Err(AppError::Refused(Message::key("err-upload-closed")));
    }
    let kind = AttachmentKind::parse(kind)
        .ok_or_else(|| AppError::field("kind", Message::key("err-unknown-choice")))?;
    if bytes.is_empty() {
        return Err(AppError::field("file", Message::key("err-upload-empty")));
    }
    if bytes.len() > max_bytes {
        return Err(AppError::field(
            "file",
            Message::with(
                "err-upload-too-large",
                &[("max", format!("{} MB", max_bytes / 1024 / 1024))],
            ),
        ));
    }
    let content_type =
        sniff(bytes).ok_or_else(|| AppError::field("file", Message::key("err-upload-type")))?;
    let sha256 = hex::encode(Sha256::digest(bytes));
    let txn = begin_write(db).await?;
    // The same content uploaded twice (or by two servers at once) is stored once.
    write_content(&txn, &sha256, bytes).await?;
    let row = attachments::ActiveModel {
        case_id: Set(case.id),
        sha256: Set(sha256),
        filename: Set(clean_filename(filename)),
        content_type: Set(content_type.to_owned()),
        size_bytes: Set(bytes.len() as i64),
        kind: Set(kind.into()),
        uploaded_by: Set(user.id),
        uploaded_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record_event(
        &txn,
        NewEvent {
            case_id: case.id,
            kind: EventKind::Attachment,
            actor_user_id: Some(user.id),
            at: Utc::now(),
            from: None,
            to: Some(json!({"filename": row.filename, "kind": kind.as_str()})),
            note: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// A case's file, for those who may see the parties' personal data in full ([`pii::may_reveal`]):
/// evidence and ID photos carry the same data as the ID numbers. Its content is read with
/// [`read_chunk`].
///
/// # Errors
/// 404 out of scope, no such file, or for those who may not reveal (the answer says nothing
/// about the file).
pub async fn open(
    db: &DatabaseConnection,
    user: &CurrentUser,
    case_id: i64,
    attachment_id: i64,
) -> Result<attachments::Model, AppError> {
    let case = find_visible(db, user, case_id).await?;
    let team = active_team(db, case.id).await?;
    if !pii::may_reveal(&actor_facts(user, &case, &team)) {
        return Err(AppError::NotFound);
    }
    attachments::Entity::find_by_id(attachment_id)
        .filter(attachments::Column::CaseId.eq(case_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The `seq`th piece of the content with this hash, or `None` past its end.
///
/// # Errors
/// The database failed.
pub async fn read_chunk(
    db: &impl ConnectionTrait,
    sha256: &str,
    seq: i32,
) -> Result<Option<Vec<u8>>, AppError> {
    Ok(
        attachment_chunks::Entity::find_by_id((sha256.to_owned(), seq))
            .one(db)
            .await?
            .map(|c| c.data),
    )
}

/// Stores content under its hash, in chunks, unless it is there already.
async fn write_content(
    db: &impl ConnectionTrait,
    sha256: &str,
    bytes: &[u8],
) -> Result<(), AppError> {
    for (seq, piece) in bytes.chunks(CHUNK_BYTES).enumerate() {
        let seq =
            i32::try_from(seq).map_err(|_| AppError::Internal("attachment too long".into()))?;
        attachment_chunks::Entity::insert(attachment_chunks::ActiveModel {
            sha256: Set(sha256.to_owned()),
            seq: Set(seq),
            data: Set(piece.to_vec()),
        })
        .on_conflict_do_nothing()
        .exec(db)
        .await?;
    }
    Ok(())
}

/// Copies the files that earlier versions kept under `data_dir/attachments/` into the database;
/// run at start, after the migrations. A file already in the database is skipped, so running it
/// again does nothing; the files on disk are left for the operator to remove. Returns how many
/// files were copied.
///
/// # Errors
/// The database failed, or a file on disk could not be read.
pub async fn move_files_into_database(
    db: &DatabaseConnection,
    data_dir: &Path,
) -> Result<usize, AppError> {
    let folder = data_dir.join("attachments");
    if !folder.is_dir() {
        return Ok(0);
    }
    let hashes: Vec<String> = attachments::Entity::find()
        .select_only()
        .column(attachments::Column::Sha256)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let mut moved = 0;
    for sha256 in hashes {
        if sha256.len() < 2 || read_chunk(db, &sha256, 0).await?.is_some() {
            continue;
        }
        let path = folder.join(&sha256[..2]).join(&sha256);
        let bytes = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(sha256 = %sha256, "attachment missing on disk and in the database");
                continue;
            }
            Err(e) => {
                return Err(AppError::Internal(format!(
                    "reading {}: {e}",
                    path.display()
                )))
            }
        };
        if hex::encode(Sha256::digest(&bytes)) != sha256 {
            tracing::warn!(sha256 = %sha256, "attachment on disk does not match its hash; left out");
            continue;
        }
        let txn = begin_write(db).await?;
        write_content(&txn, &sha256, &bytes).await?;
        txn.commit().await?;
        moved += 1;
    }
    if moved > 0 {
        tracing::info!(moved, folder = %folder.display(), "attachments copied into the database; the folder may be removed");
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_their_content_not_their_name() {
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"MZ\x90\0 an exe named photo.jpg"), None);
        assert_eq!(sniff(b"<html>"), None);
    }

    #[test]
    fn file_names_lose_their_folders() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\Users\\x\\工资条.pdf"), "工资条.pdf");
        assert_eq!(clean_filename(""), "file");
    }
}
