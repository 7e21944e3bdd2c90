//! A signed mediation agreement (调解协议书); a later one after a reopen supersedes it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agreements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub signed_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub matters: String,
    #[sea_orm(column_type = "Text")]
    pub terms: String,
    pub amount_fen: i64,
    pub superseded: bool,
    pub confirmation_applied_on: Option<Date>,
    pub confirmation_received_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub confirmation_note: Option<String>,
    pub recorded_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
