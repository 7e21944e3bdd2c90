//! One public attempt (a failed progress look-up, an online application), counted for the limits.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "public_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: crate::terms::PublicAttemptKind,
    /// The client's address (IP).
    pub address: String,
    /// The case number tried (empty for applications).
    pub case_no: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
