//! Graded subsidies (以奖代补, DESIGN §5): the rates by grade with their effective dates, the
//! settlement periods with their approval trail, and the items that say who gets what for which case.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    name: &str,
    from: (&'static str, &'static str),
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name.to_owned())
        .from(from.0, from.1)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

fn index(name: &str, table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name.to_owned()).table(table);
    for c in cols {
        i.col(*c);
    }
    i.take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Rates are never edited: a new rate with a later `effective_from` replaces the old one from
        // that day on, so the history stays and old closings keep their rate.
        m.create_table(
            Table::create()
                .table("subsidy_rates")
                .col(big_pk_auto("id"))
                .col(string_len("grade", 16))
                .col(big_integer("amount_fen"))
                .col(date("effective_from"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;
        m.create_index(
            index(
                "ux_subsidy_rates_grade_from",
                "subsidy_rates",
                &["grade", "effective_from"],
            )
            .unique()
            .take(),
        )
        .await?;

        // One row per settlement period; `starts_at`/`ends_at` are its local bounds in UTC, kept so
        // that overlapping periods can be refused and closings booked without re-deriving them.
        m.create_table(
            Table::create()
                .table("subsidy_periods")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("period", 16))
                .col(string_len("kind", 16))
                .col(timestamp_with_time_zone("starts_at"))
                .col(timestamp_with_time_zone("ends_at"))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("computed_at"))
                .col(big_integer_null("computed_by"))
                .col(timestamp_with_time_zone_null("approved_at"))
                .col(big_integer_null("approved_by"))
                .col(timestamp_with_time_zone_null("paid_at"))
                .col(date_null("paid_on"))
                .col(big_integer_null("paid_by"))
                .col(integer("version").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(big_integer_null("created_by"))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_subsidy_periods_starts_at",
            "subsidy_periods",
            &["starts_at"],
        ))
        .await?;

        // The items of a period: one per mediator and case (award), or per mediator and re-closing
        // (adjustment). `closed_at` is the closing the item pays for; `base_fen` the case's amount.
        // Only the period is a foreign key: the case, mediator and unit are copied facts of rows
        // that are never deleted (units and mediators are deactivated, not removed), and their
        // per-row checks made writing a month's 20,000 items on PostgreSQL three times slower.
        m.create_table(
            Table::create()
                .table("subsidy_items")
                .col(big_pk_auto("id"))
                .col(big_integer("period_id"))
                .col(big_integer("case_id"))
                .col(string_len("case_no", 32))
                .col(big_integer("mediator_id"))
                .col(string_len("team_role", 16))
                .col(big_integer("unit_id"))
                .col(string_len("grade", 16))
                .col(string_len("kind", 16))
                .col(big_integer("amount_fen"))
                .col(big_integer("base_fen"))
                .col(timestamp_with_time_zone("closed_at"))
                .foreign_key(&mut fk(
                    "fk_subsidy_items_period",
                    ("subsidy_items", "period_id"),
                    "subsidy_periods",
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_subsidy_items_period",
            "subsidy_items",
            &["period_id", "mediator_id"],
        ))
        .await?;
        m.create_index(index(
            "ix_subsidy_items_case",
            "subsidy_items",
            &["case_id", "period_id"],
        ))
        .await?;
        Ok(())
    }
}
