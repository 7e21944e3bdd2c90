//! `/api/v1/settings/grading`: the thresholds of the automatic grading rules (DESIGN §4).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiUser, ErrorBody};
use crate::domain::grading::GradingThresholds;

use crate::error::{AppError, Message};
use crate::services::command::Command;
use crate::services::settings;
use crate::web::extract::{ApiJson, Checker, Loose};
use crate::web::AppState;

/// The six thresholds; a rule matches when a case's value is at least its threshold. Amounts are in
/// fen. All six are required: a PUT replaces the whole set.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct GradingBody {
    #[schema(value_type = i64, example = 30)]
    pub major_people: Option<Loose>,
    #[schema(value_type = i64, example = 100_000_000)]
    pub major_amount_fen: Option<Loose>,
    #[schema(value_type = i64, example = 10)]
    pub complex_people: Option<Loose>,
    #[schema(value_type = i64, example = 10_000_000)]
    pub complex_amount_fen: Option<Loose>,
    #[schema(value_type = i64, example = 3)]
    pub ordinary_people: Option<Loose>,
    #[schema(value_type = i64, example = 1_000_000)]
    pub ordinary_amount_fen: Option<Loose>,
}

impl GradingBody {
    /// Reads the six whole numbers, or 422 naming each missing or unreadable one. Their ranges and
    /// order are the service's to check.
    ///
    /// # Errors
    /// 422 with the field errors.
    pub fn check(&self) -> Result<GradingThresholds, AppError> {
        let mut c = Checker::default();
        let thresholds = GradingThresholds {
            major_people: required_int(&mut c, "major_people", &self.major_people),
            major_amount_fen: required_int(&mut c, "major_amount_fen", &self.major_amount_fen),
            complex_people: required_int(&mut c, "complex_people", &self.complex_people),
            complex_amount_fen: required_int(
                &mut c,
                "complex_amount_fen",
                &self.complex_amount_fen,
            ),
            ordinary_people: required_int(&mut c, "ordinary_people", &self.ordinary_people),
            ordinary_amount_fen: required_int(
                &mut c,
                "ordinary_amount_fen",
                &self.ordinary_amount_fen,
            ),
        };
        c.finish(thresholds)
    }
}

/// `PUT /settings/grading`.
impl Command for GradingBody {
    type Params = GradingThresholds;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<GradingThresholds, AppError> {
        self.check()
    }
}

fn required_int(c: &mut Checker, field: &str, value: &Option<Loose>) -> i64 {
    match c.optional_int(field, value) {
        Some(n) => n,
        None => {
            c.add(field, Message::key("err-required"));
            0
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct GradingOut {
    pub major_people: i64,
    pub major_amount_fen: i64,
    pub complex_people: i64,
    pub complex_amount_fen: i64,
    pub ordinary_people: i64,
    pub ordinary_amount_fen: i64,
}

impl From<GradingThresholds> for GradingOut {
    fn from(t: GradingThresholds) -> GradingOut {
        GradingOut {
            major_people: t.major_people,
            major_amount_fen: t.major_amount_fen,
            complex_people: t.complex_people,
            complex_amount_fen: t.complex_amount_fen,
            ordinary_people: t.ordinary_people,
            ordinary_amount_fen: t.ordinary_amount_fen,
        }
    }
}

/// The grading thresholds in force (any signed-in user).
#[utoipa::path(get, path = "/api/v1/settings/grading",
    responses((status = 200, body = GradingOut), (status = 401, body = ErrorBody)))]
pub async fn show_grading(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<GradingOut>, AppError> {
    Ok(Json(settings::grading_thresholds(&state.db).await?.into()))
}

/// Replaces the grading thresholds (admin). Each must be at least 1, and for people and for amounts
/// major ≥ complex ≥ ordinary.
#[utoipa::path(put, path = "/api/v1/settings/grading", request_body = GradingBody,
    responses((status = 200, body = GradingOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn update_grading(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<GradingBody>,
) -> Result<Json<GradingOut>, AppError> {
    let saved = settings::set_grading_thresholds(&state.db, &user, body).await?;
    Ok(Json(saved.into()))
}
