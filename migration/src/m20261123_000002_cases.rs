//! Cases and everything the workflow records: parties, team, invited units, the event log, the
//! per-hub case-number counters, the rest-day calendar and the adjustable settings.

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
        // Adjustable rules (grading thresholds, later the subsidy split) as JSON values by key.
        m.create_table(
            Table::create()
                .table("settings")
                .col(string_len("key", 64).primary_key())
                .col(text("value"))
                .col(big_integer_null("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .take(),
        )
        .await?;

        // Exceptions to the Saturday/Sunday rest days: statutory holidays and working weekend days.
        m.create_table(
            Table::create()
                .table("calendar_days")
                .col(date("day").primary_key())
                .col(string_len("kind", 16))
                .col(string_len("name", 100))
                .take(),
        )
        .await?;

        // One row per street hub and year of receipt: the last case number given out. Incremented
        // inside the intake transaction, so numbers are gap-free and never given twice.
        m.create_table(
            Table::create()
                .table("case_counters")
                .col(big_integer("hub_id"))
                .col(integer("year"))
                .col(big_integer("last_seq"))
                .primary_key(Index::create().col("hub_id").col("year"))
                .foreign_key(&mut fk(
                    "fk_case_counters_hub",
                    ("case_counters", "hub_id"),
                    "units",
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("cases")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("case_no", 32))
                .col(big_integer("hub_id"))
                .col(string_len("status", 16))
                .col(string_len_null("outcome", 16))
                .col(string_len("grade", 16))
                .col(string_len("grade_source", 16))
                .col(boolean("grade_confirmed").default(false))
                .col(text("grade_reason"))
                .col(big_integer("current_unit_id"))
                .col(big_integer("intake_unit_id"))
                .col(string_len("dispute_type", 32))
                .col(string_len("source", 32))
                .col(text("summary"))
                .col(big_integer("amount_claimed_fen"))
                .col(integer("people_involved"))
                .col(text("risk_flags"))
                .col(timestamp_with_time_zone("received_at"))
                .col(date_null("infringement_known_on"))
                .col(date_null("employment_ended_on"))
                .col(timestamp_with_time_zone("deadline_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(big_integer("created_by"))
                .col(integer("version").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("fk_cases_hub", ("cases", "hub_id"), "units"))
                .foreign_key(&mut fk(
                    "fk_cases_current_unit",
                    ("cases", "current_unit_id"),
                    "units",
                ))
                .foreign_key(&mut fk(
                    "fk_cases_intake_unit",
                    ("cases", "intake_unit_id"),
                    "units",
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_cases_current_unit",
            "cases",
            &["current_unit_id"],
        ))
        .await?;
        m.create_index(index("ix_cases_intake_unit", "cases", &["intake_unit_id"]))
            .await?;
        m.create_index(index(
            "ix_cases_status_deadline",
            "cases",
            &["status", "deadline_at"],
        ))
        .await?;
        m.create_index(index("ix_cases_closed_at", "cases", &["closed_at"]))
            .await?;
        m.create_index(index("ix_cases_received_at", "cases", &["received_at"]))
            .await?;

        m.create_table(
            Table::create()
                .table("case_parties")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(string_len("role", 16))
                .col(string_len("kind", 16))
                .col(string_len("name", 200))
                .col(string_len_null("id_number", 32))
                .col(string_len_null("phone", 32))
                .col(string_len_null("organisation", 200))
                .foreign_key(&mut fk(
                    "fk_case_parties_case",
                    ("case_parties", "case_id"),
                    "cases",
                ))
                .take(),
        )
        .await?;
        m.create_index(index("ix_case_parties_case", "case_parties", &["case_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table("case_assignments")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(big_integer("mediator_id"))
                .col(string_len("role", 16))
                .col(timestamp_with_time_zone("assigned_at"))
                .col(timestamp_with_time_zone_null("ended_at"))
                .foreign_key(&mut fk(
                    "fk_case_assignments_case",
                    ("case_assignments", "case_id"),
                    "cases",
                ))
                .foreign_key(&mut fk(
                    "fk_case_assignments_mediator",
                    ("case_assignments", "mediator_id"),
                    "mediators",
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_case_assignments_case",
            "case_assignments",
            &["case_id"],
        ))
        .await?;
        m.create_index(index(
            "ix_case_assignments_mediator",
            "case_assignments",
            &["mediator_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("case_invited_units")
                .col(big_integer("case_id"))
                .col(big_integer("unit_id"))
                .col(timestamp_with_time_zone("invited_at"))
                .primary_key(Index::create().col("case_id").col("unit_id"))
                .foreign_key(&mut fk(
                    "fk_case_invited_units_case",
                    ("case_invited_units", "case_id"),
                    "cases",
                ))
                .foreign_key(&mut fk(
                    "fk_case_invited_units_unit",
                    ("case_invited_units", "unit_id"),
                    "units",
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_case_invited_units_unit",
            "case_invited_units",
            &["unit_id"],
        ))
        .await?;

        // Append-only facts: every change of a case is one row, written in the same transaction.
        m.create_table(
            Table::create()
                .table("case_events")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(string_len("kind", 32))
                .col(big_integer_null("actor_user_id"))
                .col(timestamp_with_time_zone("at"))
                .col(timestamp_with_time_zone("recorded_at"))
                .col(text_null("from_state"))
                .col(text_null("to_state"))
                .col(text_null("note"))
                .foreign_key(&mut fk(
                    "fk_case_events_case",
                    ("case_events", "case_id"),
                    "cases",
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_case_events_case",
            "case_events",
            &["case_id", "at"],
        ))
        .await?;
        Ok(())
    }
}
