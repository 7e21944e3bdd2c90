//! A follow-up visit (回访): was the agreement honoured, how satisfied were the parties.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_ups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub agreement_id: Option<i64>,
    pub done_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub result: String,
    pub satisfaction: i32,
    pub fulfilled: bool,
    pub recorded_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
