//! A subsidy rate: the award for a case of one grade closed on or after `effective_from`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subsidy_rates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub grade: crate::terms::Grade,
    pub amount_fen: i64,
    pub effective_from: Date,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
