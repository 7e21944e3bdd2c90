//! A party to a case: applicant, respondent or third party.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_parties")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub role: crate::terms::PartyRole,
    pub kind: crate::terms::PartyKind,
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub organisation: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
