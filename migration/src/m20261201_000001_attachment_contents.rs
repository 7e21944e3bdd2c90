//! Attachment contents move into the database, so that every app server sharing one database sees
//! every file: one row per chunk of a file, keyed by the file's SHA-256 (content-addressed, as the
//! files on disk were). The files already on disk are copied in at start by the app, which knows
//! where its data folder is.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Chunks keep each row (and each read while streaming a download) small.
        m.create_table(
            Table::create()
                .table("attachment_chunks")
                .col(string_len("sha256", 64))
                .col(integer("seq"))
                .col(blob("data"))
                .primary_key(Index::create().col("sha256").col("seq"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("attachment_chunks").to_owned())
            .await
    }
}
