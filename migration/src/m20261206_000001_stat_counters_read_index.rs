//! An index for the dashboard's reads of the monthly counters (issue 16). The primary key starts
//! with the month, so each of the three grouped reads of a year (the street's months, its
//! breakdowns, each unit's totals) walked every row of the year's months — about 7,000 at
//! 1,000,000 cases — to keep a dozen or a few hundred. With (dimension, unit_id, month) each read is
//! a range of this index: the street's months are 12 entries, its breakdowns one range per
//! dimension, the units' totals one range over the units of dimension `all`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_stat_counters_read")
                .table("stat_counters")
                .col("dimension")
                .col("unit_id")
                .col("month")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_stat_counters_read")
                .table("stat_counters")
                .to_owned(),
        )
        .await
    }
}
