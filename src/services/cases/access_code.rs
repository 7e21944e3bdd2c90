//! The case code of DESIGN §10: issued at intake, given to cases from before codes existed when the
//! app starts, and issued anew by the coordination centre (the old code stops working; audited).

use entity::cases;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::find_visible;
use crate::db::begin_write;
use crate::domain::access;
use crate::domain::role::Role;
use crate::error::{AppError, Message};
use crate::services::audit;
use crate::services::auth::CurrentUser;

/// A fresh code from the operating system's generator.
pub fn new_code() -> String {
    access::generate(&mut rand::rngs::OsRng)
}

/// Gives every case without a code one, in batches, at start. A code needs the app's random
/// generator, which a migration does not have; two servers starting at once are fine (a row that
/// got its code meanwhile is left alone).
///
/// # Errors
/// Database failures.
pub async fn ensure_codes(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    let mut given = 0;
    loop {
        let ids: Vec<i64> = cases::Entity::find()
            .select_only()
            .column(cases::Column::Id)
            .filter(cases::Column::AccessCode.is_null())
            .limit(500)
            .into_tuple()
            .all(db)
            .await?;
        if ids.is_empty() {
            break;
        }
        for id in ids {
            let done = cases::Entity::update_many()
                .col_expr(cases::Column::AccessCode, Expr::value(new_code()))
                .filter(cases::Column::Id.eq(id))
                .filter(cases::Column::AccessCode.is_null())
                .exec(db)
                .await?;
            given += done.rows_affected;
        }
    }
    if given > 0 {
        tracing::info!(cases = given, "case codes given to cases from before codes");
    }
    Ok(given)
}

/// Issues a new code for a case (coordinators): the old one stops working at once. Written to the
/// audit log (without either code) and counted as a change of the case (`version`).
///
/// # Errors
/// 404 out of scope; 403 for other roles; 409 for a stale `version`; 422 without one.
pub async fn reissue(
    db: &sea_orm::DatabaseConnection,
    tz: chrono_tz::Tz,
    user: &CurrentUser,
    id: i64,
    version: Option<i32>,
) -> Result<cases::Model, AppError> {
    let txn = begin_write(db).await?;
    let case = find_visible(&txn, user, id).await?;
    user.require(&[Role::Coordinator])?;
    let Some(version) = version else {
        return Err(AppError::field("version", Message::key("err-required")));
    };
    if version != case.version {
        return Err(AppError::Conflict(Message::key("err-stale-version")));
    }
    super::pipeline::update_case(
        &txn,
        tz,
        &case,
        cases::Entity::update_many().col_expr(cases::Column::AccessCode, Expr::value(new_code())),
    )
    .await?;
    audit::record(
        &txn,
        Some(user.id),
        "case.access_code_reissued",
        "case",
        Some(id),
        None,
    )
    .await?;
    let case = find_visible(&txn, user, id).await?;
    txn.commit().await?;
    tracing::info!(case_id = id, "case code issued anew");
    Ok(case)
}
