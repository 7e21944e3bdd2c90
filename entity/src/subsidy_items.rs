//! One line of a period: what one mediator gets for one case (award) or re-closing (adjustment).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subsidy_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub period_id: i64,
    pub case_id: i64,
    pub case_no: String,
    pub mediator_id: i64,
    pub team_role: crate::terms::TeamRole,
    pub unit_id: i64,
    pub grade: crate::terms::Grade,
    pub kind: crate::terms::SubsidyItemKind,
    pub amount_fen: i64,
    pub base_fen: i64,
    pub closed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
