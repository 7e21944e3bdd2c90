//! The shape of the mediation network ("1+23+3N"): kinds of unit, departments, how mediators are
//! employed and where they come from, and which unit may sit under which.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A node of the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 街道和谐劳动关系工作站: the coordination centre of a street.
    StreetHub,
    /// 村社和谐劳动关系工作站: the first line, in a village or community.
    VillageStation,
    /// N 部门矛盾工作室: a department's room (police, labour inspection, …).
    SpecialistRoom,
    /// 治社导师工作站: where mentors train apprentices.
    MentorWorkstation,
}

impl UnitKind {
    pub const ALL: [UnitKind; 4] = [
        UnitKind::StreetHub,
        UnitKind::VillageStation,
        UnitKind::SpecialistRoom,
        UnitKind::MentorWorkstation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::StreetHub => "street_hub",
            UnitKind::VillageStation => "village_station",
            UnitKind::SpecialistRoom => "specialist_room",
            UnitKind::MentorWorkstation => "mentor_workstation",
        }
    }

    pub fn parse(s: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A street hub is the root of its street; every other unit hangs under a hub.
    pub fn needs_parent(self) -> bool {
        self != UnitKind::StreetHub
    }

    /// Only specialist rooms belong to a department.
    pub fn needs_department(self) -> bool {
        self == UnitKind::SpecialistRoom
    }
}

/// The department a specialist room belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Department {
    Police,
    AdminEnforcement,
    MarketSupervision,
    LabourInspection,
    Court,
    LegalAid,
    Other,
}

impl Department {
    pub const ALL: [Department; 7] = [
        Department::Police,
        Department::AdminEnforcement,
        Department::MarketSupervision,
        Department::LabourInspection,
        Department::Court,
        Department::LegalAid,
        Department::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Department::Police => "police",
            Department::AdminEnforcement => "admin_enforcement",
            Department::MarketSupervision => "market_supervision",
            Department::LabourInspection => "labour_inspection",
            Department::Court => "court",
            Department::LegalAid => "legal_aid",
            Department::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Department> {
        Department::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Employment {
    FullTime,
    PartTime,
}

impl Employment {
    pub const ALL: [Employment; 2] = [Employment::FullTime, Employment::PartTime];

    pub fn as_str(self) -> &'static str {
        match self {
            Employment::FullTime => "full_time",
            Employment::PartTime => "part_time",
        }
    }

    pub fn parse(s: &str) -> Option<Employment> {
        Employment::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// Where a mediator comes from (乡贤, 退休干部, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Background {
    LocalGentry,
    RetiredCadre,
    HomeownerCommittee,
    Lawyer,
    SocialOrg,
    Volunteer,
    CivilServant,
    Other,
}

impl Background {
    pub const ALL: [Background; 8] = [
        Background::LocalGentry,
        Background::RetiredCadre,
        Background::HomeownerCommittee,
        Background::Lawyer,
        Background::SocialOrg,
        Background::Volunteer,
        Background::CivilServant,
        Background::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Background::LocalGentry => "local_gentry",
            Background::RetiredCadre => "retired_cadre",
            Background::HomeownerCommittee => "homeowner_committee",
            Background::Lawyer => "lawyer",
            Background::SocialOrg => "social_org",
            Background::Volunteer => "volunteer",
            Background::CivilServant => "civil_servant",
            Background::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Background> {
        Background::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// Why a unit may not hang under the proposed parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlacementError {
    /// A street hub is a root: it has no parent.
    HubHasParent,
    /// Every other unit needs a parent.
    ParentMissing,
    /// The parent must be a street hub.
    ParentNotHub,
    /// Only specialist rooms have a department, and they must have one.
    DepartmentMissing,
    DepartmentNotAllowed,
}

/// Checks where a unit of `kind` may sit: hubs are roots, everything else hangs directly under a
/// street hub, and only specialist rooms name a department.
///
/// # Errors
/// The first rule broken.
pub fn check_placement(
    kind: UnitKind,
    parent_kind: Option<UnitKind>,
    department: Option<Department>,
) -> Result<(), PlacementError> {
    match (kind.needs_parent(), parent_kind) {
        (false, Some(_)) => return Err(PlacementError::HubHasParent),
        (true, None) => return Err(PlacementError::ParentMissing),
        (true, Some(p)) if p != UnitKind::StreetHub => return Err(PlacementError::ParentNotHub),
        _ => {}
    }
    match (kind.needs_department(), department) {
        (true, None) => Err(PlacementError::DepartmentMissing),
        (false, Some(_)) => Err(PlacementError::DepartmentNotAllowed),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hub_is_a_root_and_stations_hang_under_a_hub() {
        assert_eq!(check_placement(UnitKind::StreetHub, None, None), Ok(()));
        assert_eq!(
            check_placement(UnitKind::StreetHub, Some(UnitKind::StreetHub), None),
            Err(PlacementError::HubHasParent)
        );
        assert_eq!(
            check_placement(UnitKind::VillageStation, Some(UnitKind::StreetHub), None),
            Ok(())
        );
        assert_eq!(
            check_placement(UnitKind::VillageStation, None, None),
            Err(PlacementError::ParentMissing)
        );
    }

    #[test]
    fn a_station_under_another_station_is_refused() {
        assert_eq!(
            check_placement(
                UnitKind::VillageStation,
                Some(UnitKind::VillageStation),
                None
            ),
            Err(PlacementError::ParentNotHub)
        );
    }

    #[test]
    fn only_specialist_rooms_have_a_department() {
        assert_eq!(
            check_placement(
                UnitKind::SpecialistRoom,
                Some(UnitKind::StreetHub),
                Some(Department::Police)
            ),
            Ok(())
        );
        assert_eq!(
            check_placement(UnitKind::SpecialistRoom, Some(UnitKind::StreetHub), None),
            Err(PlacementError::DepartmentMissing)
        );
        assert_eq!(
            check_placement(
                UnitKind::VillageStation,
                Some(UnitKind::StreetHub),
                Some(Department::Court)
            ),
            Err(PlacementError::DepartmentNotAllowed)
        );
    }

    #[test]
    fn every_name_parses_back_to_itself() {
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.as_str()), Some(k));
        }
        for d in Department::ALL {
            assert_eq!(Department::parse(d.as_str()), Some(d));
        }
        for b in Background::ALL {
            assert_eq!(Background::parse(b.as_str()), Some(b));
        }
        assert_eq!(UnitKind::parse("castle"), None);
    }
}
