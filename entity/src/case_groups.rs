//! Related cases against the same respondent on the same claim; 10+ workers make it collective.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_groups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub respondent: String,
    #[sea_orm(column_type = "Text")]
    pub claim: String,
    /// JSON array of the worker representatives' names.
    #[sea_orm(column_type = "Text")]
    pub representatives: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
