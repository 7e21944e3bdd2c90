//! Parties follow their own case (DESIGN §10): each case carries the code its parties use on the
//! public progress page; public attempts (progress look-ups, online applications) are counted in
//! the database so that their limits hold across app servers; a subsidy period remembers the
//! resolved cases it left out because their case file was incomplete.
//!
//! Existing cases get their code when the app starts (a random code needs the app's generator;
//! SQL has no portable one that is both random enough and restricted to the code's alphabet).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("cases")
                .add_column(string_len_null("access_code", 16))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("subsidy_periods")
                .add_column(text_null("withheld"))
                .to_owned(),
        )
        .await?;
        // One row per public attempt: `kind` is `track_failure` (a wrong code or unknown number)
        // or `application`; `case_no` is the number tried (empty for applications).
        m.create_table(
            Table::create()
                .table("public_attempts")
                .col(big_pk_auto("id"))
                .col(string_len("kind", 16))
                .col(string_len("address", 64))
                .col(string_len("case_no", 40).default(""))
                .col(timestamp_with_time_zone("at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_public_attempts_kind_address_at")
                .table("public_attempts")
                .col("kind")
                .col("address")
                .col("at")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_public_attempts_kind_case_no_at")
                .table("public_attempts")
                .col("kind")
                .col("case_no")
                .col("at")
                .to_owned(),
        )
        .await?;
        // Duplicate online applications are found by the applicant's phone.
        m.create_index(
            Index::create()
                .name("ix_case_parties_phone")
                .table("case_parties")
                .col("phone")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_case_parties_phone")
                .table("case_parties")
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("public_attempts").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("subsidy_periods")
                .drop_column("withheld")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("cases")
                .drop_column("access_code")
                .to_owned(),
        )
        .await
    }
}
