//! One monthly counter of the street's figures: a month, a unit (0 = all units) and a value of one
//! dimension (see the migration `m20261204_010000_stat_counters`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stat_counters")]
pub struct Model {
    /// The local month, `2026-11`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: i64,
    /// `all`, `grade`, `dispute_type` or `source`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub dimension: String,
    /// The grade, type or source; '' for `all`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub dimension_value: String,
    pub received: i64,
    pub amount_claimed_fen: i64,
    pub people_involved: i64,
    pub closed: i64,
    pub resolved: i64,
    pub seconds_to_close: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
