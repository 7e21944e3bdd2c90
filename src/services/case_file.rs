//! The case file (卷宗): what each grade's file must hold (a setting an admin maintains) and what
//! a case's file lacks, for one case or a batch of cases in a fixed number of queries.

use std::collections::HashMap;

use entity::{agreements, attachments, case_sessions, cases, follow_ups, settings};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::CurrentUser;
use super::cases::find_visible;
use crate::domain::case_file::{self, FileFacts, FileItem, FileRequirements};
use crate::domain::case_terms::Grade;
use crate::domain::role::Role;
use crate::domain::workflow::Outcome;
use crate::error::AppError;
use crate::services::command::Command;

/// The settings key of the requirements.
pub const FILE_REQUIREMENTS: &str = "case_file_requirements";

/// Ids per `IN (…)` list, well below every database's parameter limit.
const ID_BATCH: usize = 1_000;

/// Whether a case's file is complete, and what it lacks (`GET /cases/{id}/file`).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FileStatus {
    pub complete: bool,
    /// `session_record`, `agreement`, `follow_up`, `attachment`, in the order of the file.
    pub missing: Vec<String>,
}

impl FileStatus {
    pub fn of(missing: &[FileItem]) -> FileStatus {
        FileStatus {
            complete: missing.is_empty(),
            missing: missing.iter().map(|i| i.as_str().to_owned()).collect(),
        }
    }
}

/// The requirements in force: the stored ones, or DESIGN §10's default when none are stored or the
/// stored value cannot be read (logged).
///
/// # Errors
/// Database failures only.
pub async fn requirements(db: &impl ConnectionTrait) -> Result<FileRequirements, AppError> {
    let Some(row) = settings::Entity::find_by_id(FILE_REQUIREMENTS.to_owned())
        .one(db)
        .await?
    else {
        return Ok(FileRequirements::default());
    };
    match serde_json::from_str::<FileRequirements>(&row.value) {
        Ok(r) => Ok(r.normalized()),
        Err(e) => {
            tracing::warn!(error = %e, "stored case-file requirements unreadable; using the defaults");
            Ok(FileRequirements::default())
        }
    }
}

/// Replaces the requirements (admins only; audited). They apply at once, also to the subsidy of
/// draft periods when they are next computed.
///
/// The role (403), the items read (422), then the one settings writer.
///
/// # Errors
/// 403 for other roles; 422 naming a missing grade or an unknown item.
pub async fn set_requirements(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    command: impl Command<Params = FileRequirements>,
) -> Result<FileRequirements, AppError> {
    actor.require(&[Role::Admin])?;
    let requirements = command.params()?;
    let requirements = requirements.normalized();
    let value = serde_json::to_string(&requirements)
        .map_err(|e| AppError::Internal(format!("case-file requirements: {e}")))?;
    crate::services::settings::write_audited(
        db,
        Some(actor.id),
        FILE_REQUIREMENTS,
        value,
        "settings.case_file_requirements",
    )
    .await?;
    tracing::info!("case-file requirements changed");
    Ok(requirements)
}

async fn counts_by_case<E>(
    db: &impl ConnectionTrait,
    case_col: E::Column,
    ids: &[i64],
    extra: sea_orm::Condition,
) -> Result<HashMap<i64, u64>, AppError>
where
    E: EntityTrait,
{
    let mut out = HashMap::new();
    for chunk in ids.chunks(ID_BATCH) {
        let rows: Vec<(i64, i64)> = E::find()
            .select_only()
            .column(case_col)
            .column_as(case_col.count(), "n")
            .filter(case_col.is_in(chunk.iter().copied()))
            .filter(extra.clone())
            .group_by(case_col)
            .into_tuple()
            .all(db)
            .await?;
        for (id, n) in rows {
            out.insert(id, n.max(0) as u64);
        }
    }
    Ok(out)
}

/// What the files of `ids` hold: one grouped count per kind of record (four queries per thousand
/// cases, whatever is in them).
///
/// # Errors
/// Database failures.
pub async fn facts(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, FileFacts>, AppError> {
    let all = sea_orm::Condition::all();
    let sessions = counts_by_case::<case_sessions::Entity>(
        db,
        case_sessions::Column::CaseId,
        ids,
        all.clone(),
    )
    .await?;
    let agreements = counts_by_case::<agreements::Entity>(
        db,
        agreements::Column::CaseId,
        ids,
        sea_orm::Condition::all().add(agreements::Column::Superseded.eq(false)),
    )
    .await?;
    let follow_ups =
        counts_by_case::<follow_ups::Entity>(db, follow_ups::Column::CaseId, ids, all.clone())
            .await?;
    let attachments =
        counts_by_case::<attachments::Entity>(db, attachments::Column::CaseId, ids, all).await?;
    Ok(ids
        .iter()
        .map(|id| {
            (
                *id,
                FileFacts {
                    sessions: sessions.get(id).copied().unwrap_or(0),
                    has_agreement: agreements.get(id).copied().unwrap_or(0) > 0,
                    follow_ups: follow_ups.get(id).copied().unwrap_or(0),
                    attachments: attachments.get(id).copied().unwrap_or(0),
                },
            )
        })
        .collect())
}

/// What each case's file lacks now (`(id, grade, outcome)` as stored).
///
/// # Errors
/// Database failures; a grade or outcome that is not a known name (an internal error, never a guess).
pub async fn missing_of(
    db: &impl ConnectionTrait,
    cases: &[(i64, String, Option<String>)],
) -> Result<HashMap<i64, Vec<FileItem>>, AppError> {
    let requirements = requirements(db).await?;
    let ids: Vec<i64> = cases.iter().map(|c| c.0).collect();
    let facts = facts(db, &ids).await?;
    cases
        .iter()
        .map(|(id, grade, outcome)| {
            let unknown =
                |what: &str| AppError::Internal(format!("case {id} has an unknown {what}"));
            let grade = Grade::parse(grade).ok_or_else(|| unknown("grade"))?;
            let outcome = match outcome.as_deref() {
                Some(o) => Some(Outcome::parse(o).ok_or_else(|| unknown("outcome"))?),
                None => None,
            };
            let f = facts.get(id).copied().unwrap_or_default();
            Ok((*id, case_file::missing(&requirements, grade, outcome, &f)))
        })
        .collect()
}

/// What one case's file lacks.
///
/// # Errors
/// Database failures.
pub async fn missing_for(
    db: &impl ConnectionTrait,
    case: &cases::Model,
) -> Result<Vec<FileItem>, AppError> {
    let key = (
        case.id,
        Grade::from(case.grade).as_str().to_owned(),
        case.outcome.map(|o| Outcome::from(o).as_str().to_owned()),
    );
    let mut m = missing_of(db, &[key]).await?;
    Ok(m.remove(&case.id).unwrap_or_default())
}

/// What one case's file lacks, from what it is known to hold (the case page has read its rows).
///
/// # Errors
/// Database failures.
pub async fn missing_given(
    db: &impl ConnectionTrait,
    case: &cases::Model,
    facts: &FileFacts,
) -> Result<Vec<FileItem>, AppError> {
    let requirements = requirements(db).await?;
    Ok(case_file::missing(
        &requirements,
        Grade::from(case.grade),
        case.outcome.map(Outcome::from),
        facts,
    ))
}

/// The file status of a case the user may see.
///
/// # Errors
/// 404 out of scope.
pub async fn status(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    id: i64,
) -> Result<FileStatus, AppError> {
    let case = find_visible(db, user, id).await?;
    Ok(FileStatus::of(&missing_for(db, &case).await?))
}
