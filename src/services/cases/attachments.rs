//! Files attached to a case (evidence, IDs, pay slips, photos of the signed agreement): checked by
//! their content (not their name), stored on disk under their SHA-256, and handed out only to those
//! who can see the case.

use std::path::{Path, PathBuf};

use chrono::Utc;
use entity::attachments;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{active_team, actor_facts, find_visible, record_event, status_of, NewEvent};
use crate::db::begin_write;
use crate::domain::role::Role;
use crate::domain::workflow::Status;
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;

/// The kinds of file a case can have.
pub const KINDS: [&str; 5] = ["evidence", "id", "pay_slip", "agreement_photo", "other"];

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

fn stored_path(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(&sha256[..2]).join(sha256)
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

/// Where files go and how big they may be.
pub struct Storage<'a> {
    pub dir: &'a Path,
    pub max_bytes: usize,
}

/// Stores a file for a case.
///
/// # Errors
/// 404 out of scope; 403 for those who do not work the case; 422 for an empty, oversized or
/// disguised file, an unknown kind, or a closed case.
pub async fn store(
    db: &DatabaseConnection,
    storage: &Storage<'_>,
    user: &CurrentUser,
    case_id: i64,
    filename: &str,
    kind: &str,
    bytes: &[u8],
) -> Result<attachments::Model, AppError> {
    let case = find_visible(db, user, case_id).await?;
    let team = active_team(db, case.id).await?;
    let actor = actor_facts(user, &case, &team);
    if !(user.is(Role::Coordinator) || actor.is_assigned || actor.at_current_unit) {
        return Err(AppError::Forbidden(Message::key("err-role-may-not")));
    }
    if status_of(&case)? == Status::Closed {
        return Err(AppError::Refused(Message::key("err-upload-closed")));
    }
    if !KINDS.contains(&kind) {
        return Err(AppError::field("kind", Message::key("err-unknown-choice")));
    }
    if bytes.is_empty() {
        return Err(AppError::field("file", Message::key("err-upload-empty")));
    }
    let (dir, max_bytes) = (storage.dir, storage.max_bytes);
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
    let path = stored_path(dir, &sha256);
    if !path.exists() {
        // Written to a temporary name and renamed, so a crash never leaves half a file under
        // the hash; the same content uploaded twice is stored once.
        let parent = path
            .parent()
            .ok_or_else(|| AppError::Internal("attachment path".into()))?;
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| AppError::Internal(format!("attachment folder: {e}")))?;
        let tmp = parent.join(format!("{sha256}.{}.tmp", std::process::id()));
        tokio::fs::write(&tmp, bytes)
            .await
            .map_err(|e| AppError::Internal(format!("attachment write: {e}")))?;
        tokio::fs::rename(&tmp, &path)
            .await
            .map_err(|e| AppError::Internal(format!("attachment rename: {e}")))?;
    }
    let txn = begin_write(db).await?;
    let row = attachments::ActiveModel {
        case_id: Set(case.id),
        sha256: Set(sha256),
        filename: Set(clean_filename(filename)),
        content_type: Set(content_type.to_owned()),
        size_bytes: Set(bytes.len() as i64),
        kind: Set(kind.to_owned()),
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
            kind: "attachment",
            actor_user_id: Some(user.id),
            at: Utc::now(),
            from: None,
            to: Some(json!({"filename": row.filename, "kind": row.kind})),
            note: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// A case's file and its bytes, for someone who can see the case.
///
/// # Errors
/// 404 out of scope or no such file.
pub async fn open(
    db: &DatabaseConnection,
    dir: &Path,
    user: &CurrentUser,
    case_id: i64,
    attachment_id: i64,
) -> Result<(attachments::Model, Vec<u8>), AppError> {
    find_visible(db, user, case_id).await?;
    let row = attachments::Entity::find_by_id(attachment_id)
        .filter(attachments::Column::CaseId.eq(case_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let bytes = tokio::fs::read(stored_path(dir, &row.sha256))
        .await
        .map_err(|e| AppError::Internal(format!("attachment {} missing on disk: {e}", row.id)))?;
    Ok((row, bytes))
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
