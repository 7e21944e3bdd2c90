//! A person who mediates, attached to one unit.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mediators")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub unit_id: i64,
    pub employment: crate::terms::Employment,
    pub background: crate::terms::Background,
    pub gold_medal: bool,
    pub gold_medal_since: Option<Date>,
    pub is_mentor: bool,
    pub years_experience: i32,
    /// JSON array of dispute types, e.g. `["wage_arrears","platform_work"]`.
    #[sea_orm(column_type = "Text")]
    pub specialties: String,
    pub max_open_cases: i32,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
