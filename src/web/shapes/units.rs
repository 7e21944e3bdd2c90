//! The unit's shapes: the body of the unit pages and `/api/v1/units`, the page form, a unit as both
//! show it, and the list's query.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::domain::network::{Department, UnitKind};
use crate::error::{AppError, Message};
use crate::services::command::Patch;
use crate::services::units::{Unit, UnitFilter, UnitInput};
use crate::web::extract::{loose_version, optional_text, Checker, Loose};

/// A unit as sent by a form or a JSON client. Every field is optional here so that a missing one
/// is reported by name (422) rather than as unreadable JSON.
#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct UnitBody {
    /// Short unique code, letters, digits and `-` (e.g. `JB-C01`).
    #[validate(length(max = 32))]
    pub code: Option<String>,
    #[validate(length(max = 200))]
    pub name: Option<String>,
    /// `street_hub`, `village_station`, `specialist_room` or `mentor_workstation`.
    pub kind: Option<String>,
    /// The street hub this unit belongs to (none for a hub).
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Loose>,
    /// For specialist rooms: `police`, `admin_enforcement`, `market_supervision`,
    /// `labour_inspection`, `court`, `legal_aid`, `other`.
    pub department: Option<String>,
    #[validate(length(max = 300))]
    pub address: Option<String>,
    #[validate(length(max = 40))]
    pub phone: Option<String>,
    #[schema(value_type = Option<bool>)]
    pub active: Option<Loose>,
    /// The version the editor saw; a different current version answers 409.
    #[schema(value_type = Option<i32>)]
    pub version: Option<Loose>,
}

impl UnitBody {
    /// The current values of a unit, to fill an edit form or to apply a PATCH over.
    pub fn from_model(u: &Unit) -> UnitBody {
        UnitBody {
            code: Some(u.code.clone()),
            name: Some(u.name.clone()),
            kind: Some(UnitKind::from(u.kind).as_str().to_owned()),
            parent_id: u.parent_id.map(Loose::Int),
            department: u
                .department
                .map(|d| Department::from(d).as_str().to_owned()),
            address: u.address.clone(),
            phone: u.phone.clone(),
            active: Some(Loose::Bool(u.active)),
            version: Some(Loose::Int(i64::from(u.version))),
        }
    }

    /// PATCH: the fields present in `patch` replace those of `self`.
    pub fn overlay(self, patch: UnitBody) -> UnitBody {
        UnitBody {
            code: patch.code.or(self.code),
            name: patch.name.or(self.name),
            kind: patch.kind.or(self.kind),
            parent_id: patch.parent_id.or(self.parent_id),
            department: patch.department.or(self.department),
            address: patch.address.or(self.address),
            phone: patch.phone.or(self.phone),
            active: patch.active.or(self.active),
            version: patch.version,
        }
    }

    /// Checks every field and returns the service input and the version, or 422 naming each field.
    ///
    /// # Errors
    /// 422 with the field errors.
    pub fn check(&self, default_active: bool) -> Result<(UnitInput, Option<i32>), AppError> {
        let mut c = Checker::validated(self);
        let code = c.text("code", &self.code).to_uppercase();
        if !code.is_empty()
            && !code
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        {
            c.add("code", Message::key("err-code-chars"));
        }
        let name = c.text("name", &self.name);
        let kind = c.choice("kind", &self.kind, UnitKind::parse);
        let parent_id = c.optional_int("parent_id", &self.parent_id);
        let department = c.optional_choice("department", &self.department, Department::parse);
        let active = match &self.active {
            None => default_active,
            some => c.flag("active", some),
        };
        let version = c.optional_int("version", &self.version).map(|v| v as i32);
        let input = UnitInput {
            code,
            name,
            kind: kind.unwrap_or(UnitKind::VillageStation),
            parent_id,
            department,
            address: optional_text(&self.address),
            phone: optional_text(&self.phone),
            active,
        };
        c.finish((input, version))
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnitOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    #[schema(value_type = UnitKind)]
    pub kind: String,
    pub parent_id: Option<i64>,
    #[schema(value_type = Option<Department>)]
    pub department: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Unit> for UnitOut {
    fn from(u: Unit) -> UnitOut {
        UnitOut {
            id: u.id,
            code: u.code,
            name: u.name,
            kind: UnitKind::from(u.kind).as_str().to_owned(),
            parent_id: u.parent_id,
            department: u
                .department
                .map(|d| Department::from(d).as_str().to_owned()),
            address: u.address,
            phone: u.phone,
            active: u.active,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// `PATCH /units/{id}`: what the patch leaves out keeps its value.
impl Patch<Unit> for UnitBody {
    type Params = UnitInput;

    fn version(&self) -> Option<i32> {
        loose_version(&self.version)
    }

    fn params(self, current: &Unit) -> Result<UnitInput, AppError> {
        let (input, _) = UnitBody::from_model(current)
            .overlay(self)
            .check(current.active)?;
        Ok(input)
    }
}

/// The unit form of the pages: every field as sent.
pub struct UnitForm(pub UnitBody);

impl Patch<Unit> for UnitForm {
    type Params = UnitInput;

    fn version(&self) -> Option<i32> {
        loose_version(&self.0.version)
    }

    fn params(self, current: &Unit) -> Result<UnitInput, AppError> {
        let (input, _) = self.0.check(current.active)?;
        Ok(input)
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct UnitQuery {
    pub kind: Option<String>,
    pub parent_id: Option<i64>,
    pub active: Option<bool>,
    /// Part of the name or code.
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl UnitQuery {
    /// # Errors
    /// 422 naming `kind` when it is not a kind of unit.
    pub fn filter(&self) -> Result<UnitFilter, AppError> {
        let mut c = Checker::default();
        let kind = c.optional_choice("kind", &self.kind, UnitKind::parse);
        c.finish(UnitFilter {
            kind,
            parent_id: self.parent_id,
            active: self.active,
            q: self.q.clone(),
        })
    }
}
