//! One labour dispute: where it is, who has it, its grade, clocks and state.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub case_no: String,
    pub hub_id: i64,
    pub status: crate::terms::CaseStatus,
    pub outcome: Option<crate::terms::Outcome>,
    pub grade: crate::terms::Grade,
    pub grade_source: crate::terms::GradeSource,
    pub grade_confirmed: bool,
    #[sea_orm(column_type = "Text")]
    pub grade_reason: String,
    pub current_unit_id: i64,
    pub intake_unit_id: i64,
    pub dispute_type: crate::terms::DisputeType,
    pub source: crate::terms::Source,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    pub amount_claimed_fen: i64,
    pub people_involved: i32,
    /// JSON array of risk-flag names.
    #[sea_orm(column_type = "Text")]
    pub risk_flags: String,
    pub received_at: DateTimeUtc,
    pub infringement_known_on: Option<Date>,
    pub employment_ended_on: Option<Date>,
    pub deadline_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    /// The group of related cases this one belongs to, if any.
    pub group_id: Option<i64>,
    /// The code the parties use on the public progress page (DESIGN §10).
    pub access_code: Option<String>,
    /// The local day a follow-up visit of the current agreement is due, null when none is due:
    /// kept by the services with every change it follows from (the follow-ups list reads it).
    pub follow_up_due_on: Option<Date>,
    pub created_by: i64,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
