//! Two reads of issue 13 that read every row until now:
//! - the follow-ups due list: each case keeps the day its follow-up visit is due
//!   (`cases.follow_up_due_on`, null when none is), kept in the same transaction as the
//!   agreement, instalments, visits and status changes it follows from, with a partial index
//!   over the cases where it is set, so that the list is one index range;
//! - the search by party name (`q=` of the case list), a substring search: every suffix of every
//!   party's name, lowercased (`case_party_name_suffixes`), so that "names containing q" is the
//!   index range of the suffixes starting with q, for a query of any length (Chinese names are
//!   two or three characters: a trigram index cannot serve them).
//!
//! Both are filled when the app starts (`pending_backfills` names what is still to do): the due
//! day is a local date in the app's configured time zone, which a migration does not know, and
//! splitting names into characters is the same code as at intake.

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("cases")
                .add_column(date_null("follow_up_due_on"))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE INDEX ix_cases_follow_up_due ON cases (follow_up_due_on, case_no) \
             WHERE follow_up_due_on IS NOT NULL",
        )
        .await?;
        // One row per (suffix, case): the primary key is the search's index. On PostgreSQL the
        // suffixes compare byte by byte (`COLLATE "C"`), so that "starts with" is a range there
        // as on SQLite whatever the database's collation.
        let collate = match m.get_database_backend() {
            DbBackend::Postgres => " COLLATE \"C\"",
            _ => "",
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE case_party_name_suffixes (suffix TEXT{collate} NOT NULL, \
             case_id BIGINT NOT NULL, PRIMARY KEY (suffix, case_id))"
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("pending_backfills")
                .col(string_len("name", 64).primary_key())
                .take(),
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO pending_backfills (name) VALUES ('follow_up_due_on'), ('party_name_suffixes')",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("pending_backfills").to_owned())
            .await?;
        m.drop_table(Table::drop().table("case_party_name_suffixes").to_owned())
            .await?;
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX ix_cases_follow_up_due")
            .await?;
        m.alter_table(
            Table::alter()
                .table("cases")
                .drop_column("follow_up_due_on")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
