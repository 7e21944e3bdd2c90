//! What was recorded on a warning: a note of what was done, its closing, a reopening.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "warning_actions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub warning_id: i64,
    pub kind: crate::terms::WarningEntryKind,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub actor_user_id: Option<i64>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
