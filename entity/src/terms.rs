//! The stored vocabulary: each column that holds a term (a grade, a status, a role…) is one of these
//! active enums, so a row with a value outside the list fails to load instead of being guessed at.
//!
//! The strings are those the migrations' `VARCHAR` columns already hold (no data migration). The
//! domain has its own enum for each term (the rules do not know sea-orm); the main crate converts
//! between the two by exhaustive match and tests that both spell every value the same way.

use sea_orm::entity::prelude::*;

/// `cases.grade`, `subsidy_items.grade`, `subsidy_rates.grade` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Grade {
    #[sea_orm(string_value = "simple")]
    Simple,
    #[sea_orm(string_value = "ordinary")]
    Ordinary,
    #[sea_orm(string_value = "complex")]
    Complex,
    #[sea_orm(string_value = "major")]
    Major,
}

/// `cases.status` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CaseStatus {
    #[sea_orm(string_value = "registered")]
    Registered,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    #[sea_orm(string_value = "mediating")]
    Mediating,
    #[sea_orm(string_value = "agreed")]
    Agreed,
    #[sea_orm(string_value = "closed")]
    Closed,
}

/// `users.role` (`VARCHAR(32)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum UserRole {
    #[sea_orm(string_value = "admin")]
    Admin,
    #[sea_orm(string_value = "coordinator")]
    Coordinator,
    #[sea_orm(string_value = "mediator")]
    Mediator,
    #[sea_orm(string_value = "finance")]
    Finance,
    #[sea_orm(string_value = "viewer")]
    Viewer,
}

/// `subsidy_periods.kind` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SubsidyPeriodKind {
    #[sea_orm(string_value = "month")]
    Month,
    #[sea_orm(string_value = "quarter")]
    Quarter,
}

/// `subsidy_periods.status` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SubsidyPeriodStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "paid")]
    Paid,
}

/// `mentorships.status` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MentorshipStatus {
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "graduated")]
    Graduated,
    #[sea_orm(string_value = "ended")]
    Ended,
}
