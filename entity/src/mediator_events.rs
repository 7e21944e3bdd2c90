//! A fact on a mediator's record: a pairing started, graduated or ended, a title awarded.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mediator_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub mediator_id: i64,
    pub kind: crate::terms::RecordEventKind,
    /// The local day it happened.
    pub on_day: Date,
    pub mentorship_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
