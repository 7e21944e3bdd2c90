//! An early warning (预警): a respondent, applicant or unit whose cases call for a look.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "warnings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: crate::terms::WarningKind,
    pub subject_key: String,
    pub subject: String,
    pub subject_unit_id: Option<i64>,
    pub status: crate::terms::WarningStatus,
    pub case_count: i32,
    pub since: DateTimeUtc,
    pub latest_at: DateTimeUtc,
    /// JSON object of the figures that raised it.
    #[sea_orm(column_type = "Text")]
    pub facts: String,
    pub opened_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
