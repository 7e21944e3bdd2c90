//! Adjustable rules stored as JSON by key in the `settings` table; for now the grading thresholds
//! of DESIGN §4 ("thresholds live in configuration, not code").

use chrono::Utc;
use entity::settings;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Set};

use crate::db::begin_write;
use crate::domain::grading::GradingThresholds;
use crate::domain::role::Role;
use crate::error::{AppError, FieldErrors, Message};
use crate::services::command::Command;
use crate::services::{audit, auth::CurrentUser};

/// The key of the grading thresholds.
pub const GRADING_THRESHOLDS: &str = "grading_thresholds";

/// Writes the default grading thresholds when none are stored, so that the table shows what is in
/// force. An existing value (an admin's) is never touched; two servers starting at once are fine.
///
/// # Errors
/// Database failures only.
pub async fn seed_defaults(db: &impl ConnectionTrait) -> Result<(), AppError> {
    insert_if_absent(
        db,
        GRADING_THRESHOLDS,
        to_json(&GradingThresholds::default())?,
    )
    .await?;
    Ok(())
}

/// The thresholds in force: the stored ones, or the defaults of DESIGN §4 when none are stored or
/// the stored value cannot be read (logged; grading must go on).
///
/// # Errors
/// Database failures only.
pub async fn grading_thresholds(db: &impl ConnectionTrait) -> Result<GradingThresholds, AppError> {
    let Some(row) = settings::Entity::find_by_id(GRADING_THRESHOLDS.to_owned())
        .one(db)
        .await?
    else {
        return Ok(GradingThresholds::default());
    };
    match serde_json::from_str(&row.value) {
        Ok(thresholds) => Ok(thresholds),
        Err(e) => {
            tracing::warn!(error = %e, "stored grading thresholds unreadable; using the defaults");
            Ok(GradingThresholds::default())
        }
    }
}

/// Replaces the grading thresholds (admins only). They apply to cases graded from now on. The role
/// (403), the six numbers read (422), their ranges and order (422), then the one settings writer.
///
/// # Errors
/// 403 for other roles; 422 naming each threshold that is unreadable, not positive or out of order
/// (a major threshold below the complex one, a complex one below the ordinary one).
pub async fn set_grading_thresholds(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    command: impl Command<Params = GradingThresholds>,
) -> Result<GradingThresholds, AppError> {
    actor.require(&[Role::Admin])?;
    let t = command.params()?;
    let errors = check_thresholds(&t);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let value = to_json(&t)?;
    write_audited(
        db,
        Some(actor.id),
        GRADING_THRESHOLDS,
        value,
        "settings.grading_thresholds",
    )
    .await?;
    tracing::info!("grading thresholds changed");
    Ok(t)
}

/// Every threshold is at least 1, and each grade's threshold is at least the one of the grade below
/// it: otherwise the first-match rules of DESIGN §4 could never reach a grade.
fn check_thresholds(t: &GradingThresholds) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let fields = [
        ("major_people", t.major_people),
        ("major_amount_fen", t.major_amount_fen),
        ("complex_people", t.complex_people),
        ("complex_amount_fen", t.complex_amount_fen),
        ("ordinary_people", t.ordinary_people),
        ("ordinary_amount_fen", t.ordinary_amount_fen),
    ];
    for (field, value) in fields {
        if value < 1 {
            errors.insert(
                field.into(),
                Message::key("err-settings-threshold-positive"),
            );
        }
    }
    // (the higher grade's field and value, the lower grade's field and value)
    let pairs = [
        (
            "major_people",
            t.major_people,
            "complex_people",
            t.complex_people,
        ),
        (
            "complex_people",
            t.complex_people,
            "ordinary_people",
            t.ordinary_people,
        ),
        (
            "major_amount_fen",
            t.major_amount_fen,
            "complex_amount_fen",
            t.complex_amount_fen,
        ),
        (
            "complex_amount_fen",
            t.complex_amount_fen,
            "ordinary_amount_fen",
            t.ordinary_amount_fen,
        ),
    ];
    for (higher, high, lower, low) in pairs {
        if high < low {
            errors
                .entry(higher.into())
                .or_insert_with(|| Message::key(below_key(lower)));
            errors
                .entry(lower.into())
                .or_insert_with(|| Message::key(above_key(higher)));
        }
    }
    errors
}

/// "Must not be below the `lower` threshold."
fn below_key(lower: &str) -> &'static str {
    if lower.starts_with("complex") {
        "err-settings-threshold-below-complex"
    } else {
        "err-settings-threshold-below-ordinary"
    }
}

/// "Must not be above the `higher` threshold."
fn above_key(higher: &str) -> &'static str {
    if higher.starts_with("major") {
        "err-settings-threshold-above-major"
    } else {
        "err-settings-threshold-above-complex"
    }
}

fn to_json(t: &GradingThresholds) -> Result<String, AppError> {
    serde_json::to_string(t).map_err(|e| AppError::Internal(format!("grading thresholds: {e}")))
}

/// Writes `value` under `key` and its audit line (`action`, by `actor_user_id`) in one
/// transaction: how people change a setting, so a setting never changes unaudited.
///
/// # Errors
/// Database failures.
pub async fn write_audited(
    db: &DatabaseConnection,
    actor_user_id: Option<i64>,
    key: &str,
    value: String,
    action: &str,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    upsert(&txn, actor_user_id, key, value.clone()).await?;
    audit::record(&txn, actor_user_id, action, "setting", None, Some(value)).await?;
    txn.commit().await?;
    Ok(())
}

/// Writes `value` under `key` for the system itself (no one to audit: the statistics counters
/// recording the zone they were built for), in the caller's transaction.
///
/// # Errors
/// Database failures.
pub async fn write_system(
    db: &impl ConnectionTrait,
    key: &str,
    value: String,
) -> Result<(), AppError> {
    upsert(db, None, key, value).await
}

/// Writes `value` under `key` only when the key is absent, in the caller's transaction: a default
/// that must not overwrite an admin's value, or a once-only claim (the monthly report of a month)
/// that two servers may race for. `true` when this call wrote it.
///
/// # Errors
/// Database failures.
pub async fn insert_if_absent(
    db: &impl ConnectionTrait,
    key: &str,
    value: String,
) -> Result<bool, AppError> {
    let inserted = settings::Entity::insert(settings::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value),
        updated_by: Set(None),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(settings::Column::Key)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted > 0)
}

/// The one `INSERT … ON CONFLICT UPDATE` of the settings table.
async fn upsert(
    db: &impl ConnectionTrait,
    updated_by: Option<i64>,
    key: &str,
    value: String,
) -> Result<(), AppError> {
    settings::Entity::insert(settings::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value),
        updated_by: Set(updated_by),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(settings::Column::Key)
            .update_columns([
                settings::Column::Value,
                settings::Column::UpdatedBy,
                settings::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_thresholds_pass_their_own_checks() {
        assert!(check_thresholds(&GradingThresholds::default()).is_empty());
    }

    #[test]
    fn thresholds_out_of_order_name_both_fields() {
        let t = GradingThresholds {
            complex_people: 40,
            ..GradingThresholds::default()
        };
        let errors = check_thresholds(&t);
        assert_eq!(
            errors.get("major_people"),
            Some(&Message::key("err-settings-threshold-below-complex"))
        );
        assert_eq!(
            errors.get("complex_people"),
            Some(&Message::key("err-settings-threshold-above-major"))
        );
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn a_zero_threshold_is_refused_before_its_order() {
        let t = GradingThresholds {
            ordinary_amount_fen: 0,
            ..GradingThresholds::default()
        };
        let errors = check_thresholds(&t);
        assert_eq!(
            errors.get("ordinary_amount_fen"),
            Some(&Message::key("err-settings-threshold-positive"))
        );
        assert_eq!(errors.len(), 1);
    }
}
