//! Monthly counters of the street's figures (issue 16, the dashboard at 1,000,000 cases): the
//! statistics of whole months are read from here instead of from every case of the range.
//!
//! One row per (local month `YYYY-MM` in the street's zone, unit the case is at now — 0 for all
//! units —, dimension `all` / `grade` / `dispute_type` / `source`, value of that dimension — ''
//! for `all`). The received side (received, amount, people) is counted by the month a case was
//! received; the closed side (closed, resolved, seconds from receipt to closing) by the month it
//! was closed, under dimension `all` only. The rows are kept in the same transaction as every
//! change of a case that moves a figure.
//!
//! Monthly, not daily: a year of daily rows by unit and dimension would be 365 × ~28 units × ~20
//! values ≈ 200,000 rows, as many as the cases of that year, and reading them would cost what the
//! GROUP BY over the cases costs now; a year of months is 12 × that ÷ 365, of which the dashboard
//! reads a few hundred rows (the street-wide rows and the unit totals). Days at the edges of a
//! range are counted from the cases themselves.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("stat_counters")
                .col(string_len("month", 7))
                .col(big_integer("unit_id"))
                .col(string_len("dimension", 16))
                .col(string_len("dimension_value", 40))
                .col(big_integer("received").default(0))
                .col(big_integer("amount_claimed_fen").default(0))
                .col(big_integer("people_involved").default(0))
                .col(big_integer("closed").default(0))
                .col(big_integer("resolved").default(0))
                .col(big_integer("seconds_to_close").default(0))
                .primary_key(
                    Index::create()
                        .col("month")
                        .col("unit_id")
                        .col("dimension")
                        .col("dimension_value"),
                )
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("stat_counters").to_owned())
            .await
    }
}
