//! `/api/v1/cases/{id}/file` (is the 卷宗 complete), `/api/v1/cases/{id}/access_code` (a new case
//! code) and `/api/v1/settings/case_file` (what each grade's file must hold).

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiUser, ErrorBody};
use crate::domain::case_file::{FileItem, FileRequirements, GradeRequirements};
use crate::domain::case_terms::Grade;

use crate::error::{AppError, Message};
use crate::services::case_file::{self, FileStatus};
use crate::services::cases::access_code;
use crate::services::cases::view::{self, CaseDetail};
use crate::services::command::Command;
use crate::web::extract::{ApiJson, Checker, Loose};
use crate::web::AppState;

/// Whether the case's file holds what its grade and outcome require, and what is missing.
#[utoipa::path(get, path = "/api/v1/cases/{id}/file", params(("id" = i64, Path)),
    responses((status = 200, body = FileStatus), (status = 404, body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<FileStatus>, AppError> {
    Ok(Json(case_file::status(&state.db, &user, id).await?))
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct VersionBody {
    #[schema(value_type = Option<i32>)]
    pub version: Option<Loose>,
}

/// Issues a new case code (coordinators): the old one stops working at once. Audited.
#[utoipa::path(post, path = "/api/v1/cases/{id}/access_code", params(("id" = i64, Path)), request_body = VersionBody,
    responses((status = 200, body = CaseDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(case_id = id))]
pub async fn reissue(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<VersionBody>,
) -> Result<Json<CaseDetail>, AppError> {
    let mut c = Checker::default();
    let version = c.optional_int("version", &body.version).map(|v| v as i32);
    c.finish(())?;
    access_code::reissue(&state.db, state.config.time_zone, &user, id, version).await?;
    Ok(Json(
        view::detail(&state.db, state.config.time_zone, &user, id, false).await?,
    ))
}

/// What one grade's file must hold: `always`, and besides when resolved.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct GradeRequirementsBody {
    /// Items among `session_record`, `agreement`, `follow_up`, `attachment`; absent or null is
    /// none.
    pub always: Option<Vec<String>>,
    pub resolved: Option<Vec<String>>,
}

/// The requirements of the four grades; a PUT replaces them all.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct FileRequirementsBody {
    pub simple: Option<GradeRequirementsBody>,
    pub ordinary: Option<GradeRequirementsBody>,
    pub complex: Option<GradeRequirementsBody>,
    pub major: Option<GradeRequirementsBody>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GradeRequirementsOut {
    pub always: Vec<String>,
    pub resolved: Vec<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FileRequirementsOut {
    pub simple: GradeRequirementsOut,
    pub ordinary: GradeRequirementsOut,
    pub complex: GradeRequirementsOut,
    pub major: GradeRequirementsOut,
}

fn names(items: &[FileItem]) -> Vec<String> {
    items.iter().map(|i| i.as_str().to_owned()).collect()
}

impl From<FileRequirements> for FileRequirementsOut {
    fn from(r: FileRequirements) -> FileRequirementsOut {
        let out = |g: &GradeRequirements| GradeRequirementsOut {
            always: names(&g.always),
            resolved: names(&g.resolved),
        };
        FileRequirementsOut {
            simple: out(&r.simple),
            ordinary: out(&r.ordinary),
            complex: out(&r.complex),
            major: out(&r.major),
        }
    }
}

/// `PUT /settings/case_file`.
impl Command for FileRequirementsBody {
    type Params = FileRequirements;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<FileRequirements, AppError> {
        self.check()
    }
}

impl FileRequirementsBody {
    /// # Errors
    /// 422 naming a missing grade (`simple`) or an unknown item (`complex.resolved`).
    pub fn check(&self) -> Result<FileRequirements, AppError> {
        let mut c = Checker::default();
        let mut r = FileRequirements::default();
        for grade in Grade::ALL {
            let body = match grade {
                Grade::Simple => &self.simple,
                Grade::Ordinary => &self.ordinary,
                Grade::Complex => &self.complex,
                Grade::Major => &self.major,
            };
            let Some(body) = body else {
                c.add(grade.as_str(), Message::key("err-required"));
                continue;
            };
            let mut read = |list: &Option<Vec<String>>, part: &str| -> Vec<FileItem> {
                let mut out = Vec::new();
                // A blank entry is nothing chosen, as in the other lists of names.
                for name in list.iter().flatten().filter(|n| !n.trim().is_empty()) {
                    match FileItem::parse(name.trim()) {
                        Some(item) => out.push(item),
                        None => c.add(
                            &format!("{}.{part}", grade.as_str()),
                            Message::key("err-unknown-choice"),
                        ),
                    }
                }
                out
            };
            let always = read(&body.always, "always");
            let resolved = read(&body.resolved, "resolved");
            *r.of_mut(grade) = GradeRequirements { always, resolved };
        }
        c.finish(r)
    }
}

/// What each grade's case file must hold (any signed-in user).
#[utoipa::path(get, path = "/api/v1/settings/case_file",
    responses((status = 200, body = FileRequirementsOut), (status = 401, body = ErrorBody)))]
pub async fn show_requirements(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<FileRequirementsOut>, AppError> {
    Ok(Json(case_file::requirements(&state.db).await?.into()))
}

/// Replaces what each grade's case file must hold (admin).
#[utoipa::path(put, path = "/api/v1/settings/case_file", request_body = FileRequirementsBody,
    responses((status = 200, body = FileRequirementsOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn update_requirements(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<FileRequirementsBody>,
) -> Result<Json<FileRequirementsOut>, AppError> {
    Ok(Json(
        case_file::set_requirements(&state.db, &user, body)
            .await?
            .into(),
    ))
}
