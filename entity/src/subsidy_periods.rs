//! A settlement period (结算期) of the graded subsidies: a month or a quarter, draft → approved → paid.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subsidy_periods")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub period: String,
    pub kind: crate::terms::SubsidyPeriodKind,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub status: crate::terms::SubsidyPeriodStatus,
    pub computed_at: DateTimeUtc,
    pub computed_by: Option<i64>,
    pub approved_at: Option<DateTimeUtc>,
    pub approved_by: Option<i64>,
    pub paid_at: Option<DateTimeUtc>,
    pub paid_on: Option<Date>,
    pub paid_by: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub created_by: Option<i64>,
    /// JSON `[{case_id, case_no, missing[]}]`: resolved cases left out for an incomplete file.
    #[sea_orm(column_type = "Text", nullable)]
    pub withheld: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
