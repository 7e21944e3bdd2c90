//! Early warnings (预警, issue 16): a warning per kind and subject (a respondent, an applicant, a
//! unit), the cases behind it, and what the coordination centre recorded on it.
//!
//! `subject_key` is what identifies the subject within its kind: a SHA-256 of the normalised
//! name, ID number or phone (so the table holds no personal number in the clear) or the unit id.
//! One row per (kind, subject_key), so two app servers computing at once raise it once.

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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // `facts` is a JSON object of the figures that raised it (counts, the baseline average);
        // `subject_unit_id` names the unit of a station warning.
        m.create_table(
            Table::create()
                .table("warnings")
                .col(big_pk_auto("id"))
                .col(string_len("kind", 24))
                .col(string_len("subject_key", 80))
                .col(string_len("subject", 200))
                .col(big_integer_null("subject_unit_id"))
                .col(string_len("status", 16))
                .col(integer("case_count").default(0))
                .col(timestamp_with_time_zone("since"))
                .col(timestamp_with_time_zone("latest_at"))
                .col(text("facts").default("{}"))
                .col(timestamp_with_time_zone("opened_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(big_integer_null("closed_by"))
                .col(integer("version").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_warnings_kind_subject")
                .table("warnings")
                .col("kind")
                .col("subject_key")
                .unique()
                .to_owned(),
        )
        .await?;
        // The list: open (or closed) warnings, newest first, optionally of one kind.
        m.create_index(
            Index::create()
                .name("ix_warnings_status_opened")
                .table("warnings")
                .col("status")
                .col("opened_at")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("warning_cases")
                .col(big_integer("warning_id"))
                .col(big_integer("case_id"))
                .col(timestamp_with_time_zone("added_at"))
                .primary_key(Index::create().col("warning_id").col("case_id"))
                .foreign_key(&mut fk(
                    "fk_warning_cases_warning",
                    ("warning_cases", "warning_id"),
                    "warnings",
                ))
                .foreign_key(&mut fk(
                    "fk_warning_cases_case",
                    ("warning_cases", "case_id"),
                    "cases",
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_warning_cases_case")
                .table("warning_cases")
                .col("case_id")
                .to_owned(),
        )
        .await?;
        // `kind`: `note`, `close`, or `reopened` (by the system: no actor).
        m.create_table(
            Table::create()
                .table("warning_actions")
                .col(big_pk_auto("id"))
                .col(big_integer("warning_id"))
                .col(string_len("kind", 16))
                .col(text("text").default(""))
                .col(big_integer_null("actor_user_id"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk(
                    "fk_warning_actions_warning",
                    ("warning_actions", "warning_id"),
                    "warnings",
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_warning_actions_warning")
                .table("warning_actions")
                .col("warning_id")
                .col("at")
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["warning_actions", "warning_cases", "warnings"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
