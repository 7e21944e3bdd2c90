//! What a mediator records from the first meeting to the closed file: sessions and who mediated
//! them, agreements with instalments and judicial confirmation, follow-up visits, attachments, and
//! groups of related (collective) cases.

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
        m.create_table(
            Table::create()
                .table("case_sessions")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(timestamp_with_time_zone("held_at"))
                .col(big_integer("unit_id"))
                .col(text("attendees"))
                .col(text("summary"))
                .col(string_len("outcome", 16))
                .col(timestamp_with_time_zone_null("next_session_at"))
                .col(big_integer("recorded_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_case_sessions_case",
                    ("case_sessions", "case_id"),
                    "cases",
                ))
                .foreign_key(&mut fk(
                    "fk_case_sessions_unit",
                    ("case_sessions", "unit_id"),
                    "units",
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_case_sessions_case",
            "case_sessions",
            &["case_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("case_session_mediators")
                .col(big_integer("session_id"))
                .col(big_integer("mediator_id"))
                .primary_key(Index::create().col("session_id").col("mediator_id"))
                .foreign_key(&mut fk(
                    "fk_csm_session",
                    ("case_session_mediators", "session_id"),
                    "case_sessions",
                ))
                .foreign_key(&mut fk(
                    "fk_csm_mediator",
                    ("case_session_mediators", "mediator_id"),
                    "mediators",
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_csm_mediator",
            "case_session_mediators",
            &["mediator_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("agreements")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(timestamp_with_time_zone("signed_at"))
                .col(text("matters"))
                .col(text("terms"))
                .col(big_integer("amount_fen"))
                .col(boolean("superseded").default(false))
                .col(date_null("confirmation_applied_on"))
                .col(date_null("confirmation_received_on"))
                .col(text_null("confirmation_note"))
                .col(big_integer("recorded_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_agreements_case",
                    ("agreements", "case_id"),
                    "cases",
                ))
                .take(),
        )
        .await?;
        m.create_index(index("ix_agreements_case", "agreements", &["case_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table("agreement_instalments")
                .col(big_pk_auto("id"))
                .col(big_integer("agreement_id"))
                .col(integer("seq"))
                .col(date("due_on"))
                .col(big_integer("amount_fen"))
                .col(date_null("paid_on"))
                .foreign_key(&mut fk(
                    "fk_instalments_agreement",
                    ("agreement_instalments", "agreement_id"),
                    "agreements",
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_instalments_agreement",
            "agreement_instalments",
            &["agreement_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("follow_ups")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(big_integer_null("agreement_id"))
                .col(timestamp_with_time_zone("done_at"))
                .col(text("result"))
                .col(integer("satisfaction"))
                .col(boolean("fulfilled"))
                .col(big_integer("recorded_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_follow_ups_case",
                    ("follow_ups", "case_id"),
                    "cases",
                ))
                .take(),
        )
        .await?;
        m.create_index(index("ix_follow_ups_case", "follow_ups", &["case_id"]))
            .await?;

        // Files are stored on disk by content hash; this row says which case they belong to.
        m.create_table(
            Table::create()
                .table("attachments")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(string_len("sha256", 64))
                .col(string_len("filename", 255))
                .col(string_len("content_type", 100))
                .col(big_integer("size_bytes"))
                .col(string_len("kind", 32))
                .col(big_integer("uploaded_by"))
                .col(timestamp_with_time_zone("uploaded_at"))
                .foreign_key(&mut fk(
                    "fk_attachments_case",
                    ("attachments", "case_id"),
                    "cases",
                ))
                .take(),
        )
        .await?;
        m.create_index(index("ix_attachments_case", "attachments", &["case_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table("case_groups")
                .col(big_pk_auto("id"))
                .col(string_len("name", 200))
                .col(string_len("respondent", 200))
                .col(text("claim"))
                .col(text("representatives"))
                .col(big_integer("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("cases")
                .add_column(big_integer_null("group_id"))
                .take(),
        )
        .await?;
        m.create_index(index("ix_cases_group", "cases", &["group_id"]))
            .await?;
        Ok(())
    }
}
