//! One fact in a case's history: who did what, when, from which state to which.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub kind: crate::terms::CaseEventKind,
    pub actor_user_id: Option<i64>,
    pub at: DateTimeUtc,
    pub recorded_at: DateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub from_state: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub to_state: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
