//! Failed sign-ins remember the address they came from, so that guessing is limited per address
//! and per account separately (one address cannot lock an account's owner out elsewhere).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("failed_sign_ins")
                .add_column(string_len("address", 64).default(""))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_failed_sign_ins_address_at")
                .table("failed_sign_ins")
                .col("address")
                .col("at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_failed_sign_ins_address_at")
                .table("failed_sign_ins")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("failed_sign_ins")
                .drop_column("address")
                .to_owned(),
        )
        .await
    }
}
