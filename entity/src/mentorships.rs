//! A mentor-apprentice pair (师徒结对) with its target number of co-mediated cases.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mentorships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub mentor_id: i64,
    pub apprentice_id: i64,
    pub started_on: Date,
    pub target_cases: i32,
    pub status: crate::terms::MentorshipStatus,
    #[sea_orm(column_type = "Text")]
    pub notes: String,
    pub finished_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub finish_reason: Option<String>,
    pub created_by: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
