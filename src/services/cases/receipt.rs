//! What a case's receipt (回执, DESIGN §10) is printed from: the case with its code, and the unit
//! the parties go to. The page draws it (the QR code, the local dates).

use entity::cases;
use sea_orm::ConnectionTrait;

use super::pipeline;
use crate::domain::pii;
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;
use crate::services::public;
use crate::services::units::{self, Unit};

/// A case's receipt: the case row (number, code, dates, type, version) and its current unit.
pub struct ReceiptFacts {
    pub case: cases::Model,
    pub unit: Unit,
}

/// The receipt of a case for a signed-in user: the case in their scope (404), for those who may
/// see the parties' data in full, as the receipt holds the case code (403).
///
/// # Errors
/// 404, 403; database failures.
pub async fn for_user(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    case_id: i64,
) -> Result<ReceiptFacts, AppError> {
    let loaded = pipeline::load(db, user, case_id).await?;
    if !pii::may_reveal(&loaded.actor) {
        return Err(AppError::Forbidden(Message::key("err-receipt-not-allowed")));
    }
    of_case(db, loaded.case).await
}

/// The receipt of a case just registered by an online application (the applicant has no scope:
/// they are shown the receipt of what they sent).
///
/// # Errors
/// 404; database failures.
pub async fn of_application(
    db: &impl ConnectionTrait,
    case_id: i64,
) -> Result<ReceiptFacts, AppError> {
    let case = public::applied_case(db, case_id).await?;
    of_case(db, case).await
}

async fn of_case(db: &impl ConnectionTrait, case: cases::Model) -> Result<ReceiptFacts, AppError> {
    let unit = units::get(db, case.current_unit_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound => AppError::Internal(format!("case {} has no unit", case.id)),
            e => e,
        })?;
    Ok(ReceiptFacts { case, unit })
}
