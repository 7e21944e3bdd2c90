//! The case code of DESIGN §10: issued at intake, given to cases from before codes existed when the
//! app starts, and issued anew by the coordination centre (the old code stops working; audited).

use entity::cases;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

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
/// The cases are walked once in id order (a keyset, not "the first 500 still without a code",
/// which rescans the coded rows on every batch), and each batch is one transaction: a commit per
/// row made 1,000,000 old cases take about eight minutes.
///
/// # Errors
/// Database failures.
pub async fn ensure_codes(db: &DatabaseConnection) -> Result<u64, AppError> {
    let mut given = 0;
    let mut after = 0i64;
    loop {
        let ids: Vec<i64> = cases::Entity::find()
            .select_only()
            .column(cases::Column::Id)
            .filter(cases::Column::AccessCode.is_null())
            .filter(cases::Column::Id.gt(after))
            .order_by_asc(cases::Column::Id)
            .limit(500)
            .into_tuple()
            .all(db)
            .await?;
        let Some(&last) = ids.last() else { break };
        after = last;
        let txn = begin_write(db).await?;
        for id in ids {
            let done = cases::Entity::update_many()
                .col_expr(cases::Column::AccessCode, Expr::value(new_code()))
                .filter(cases::Column::Id.eq(id))
                .filter(cases::Column::AccessCode.is_null())
                .exec(&txn)
                .await?;
            given += done.rows_affected;
        }
        txn.commit().await?;
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
