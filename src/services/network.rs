//! The network at a glance: how many active units of each kind and how many active mediators
//! (full-time, gold-medal, mentors) the street has, for the home page.

use entity::{mediators, units};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::domain::network::UnitKind;
use crate::error::AppError;

/// The counts of the home page.
pub struct NetworkCounts {
    /// Active units of each kind, in [`UnitKind::ALL`]'s order.
    pub units: Vec<(UnitKind, u64)>,
    pub mediators: u64,
    pub full_time: u64,
    pub gold_medal: u64,
    pub mentors: u64,
}

/// Counts the active units of each kind and the active mediators.
///
/// # Errors
/// Database failures.
pub async fn counts(db: &impl ConnectionTrait) -> Result<NetworkCounts, AppError> {
    let mut unit_counts = Vec::new();
    for kind in UnitKind::ALL {
        let count = units::Entity::find()
            .filter(units::Column::Kind.eq(kind.as_str()))
            .filter(units::Column::Active.eq(true))
            .count(db)
            .await?;
        unit_counts.push((kind, count));
    }
    let active = || mediators::Entity::find().filter(mediators::Column::Active.eq(true));
    Ok(NetworkCounts {
        units: unit_counts,
        mediators: active().count(db).await?,
        full_time: active()
            .filter(mediators::Column::Employment.eq(entity::terms::Employment::FullTime))
            .count(db)
            .await?,
        gold_medal: active()
            .filter(mediators::Column::GoldMedal.eq(true))
            .count(db)
            .await?,
        mentors: active()
            .filter(mediators::Column::IsMentor.eq(true))
            .count(db)
            .await?,
    })
}
