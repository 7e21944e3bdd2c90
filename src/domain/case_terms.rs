//! The case vocabulary of DESIGN §2: grade, dispute type, source, risk flag, party role and party kind.
//!
//! The snake_case names (`as_str`, serde) are the API and storage contract; the labels are in the
//! locale files (`crate::i18n::label`), under the key prefix each [`Term`] names.
//! The match arms are written out on purpose: a new variant then fails to compile in `as_str`, and
//! the round-trip tests over `ALL` catch a forgotten `parse` arm.

use serde::{Deserialize, Serialize};

use super::term::Term;

/// 等级: how hard a case is. Ordered so that `Major > Complex > Ordinary > Simple`; the variant order
/// below is that order (derived `Ord` follows declaration order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Simple,
    Ordinary,
    Complex,
    Major,
}

impl Grade {
    /// Every grade, from the lowest to the highest.
    pub const ALL: [Self; 4] = [Self::Simple, Self::Ordinary, Self::Complex, Self::Major];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Simple => "simple",
            Self::Ordinary => "ordinary",
            Self::Complex => "complex",
            Self::Major => "major",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "simple" => Some(Self::Simple),
            "ordinary" => Some(Self::Ordinary),
            "complex" => Some(Self::Complex),
            "major" => Some(Self::Major),
            _ => None,
        }
    }
}

/// Who set a case's grade: the rules (`auto`, regraded when the facts change) or people (`manual`,
/// a regrade or a ledger's grade, which the rules then leave alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeSource {
    Auto,
    Manual,
}

impl GradeSource {
    pub const ALL: [Self; 2] = [Self::Auto, Self::Manual];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "auto" => Some(Self::Auto),
            "manual" => Some(Self::Manual),
            _ => None,
        }
    }
}

/// 争议类型: what the dispute is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeType {
    WageArrears,
    WorkInjury,
    SocialInsurance,
    ContractTermination,
    EconomicCompensation,
    Overtime,
    PlatformWork,
    Other,
}

impl DisputeType {
    pub const ALL: [Self; 8] = [
        Self::WageArrears,
        Self::WorkInjury,
        Self::SocialInsurance,
        Self::ContractTermination,
        Self::EconomicCompensation,
        Self::Overtime,
        Self::PlatformWork,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::WageArrears => "wage_arrears",
            Self::WorkInjury => "work_injury",
            Self::SocialInsurance => "social_insurance",
            Self::ContractTermination => "contract_termination",
            Self::EconomicCompensation => "economic_compensation",
            Self::Overtime => "overtime",
            Self::PlatformWork => "platform_work",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "wage_arrears" => Some(Self::WageArrears),
            "work_injury" => Some(Self::WorkInjury),
            "social_insurance" => Some(Self::SocialInsurance),
            "contract_termination" => Some(Self::ContractTermination),
            "economic_compensation" => Some(Self::EconomicCompensation),
            "overtime" => Some(Self::Overtime),
            "platform_work" => Some(Self::PlatformWork),
            "other" => Some(Self::Other),
            _ => None,
        }
    }
}

/// 来源: how the case reached the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    WalkIn,
    /// serde's snake_case would give `hotline12351` (it puts no underscore before digits).
    #[serde(rename = "hotline_12351")]
    Hotline12351,
    Online,
    CourtReferral,
    PoliceReferral,
    PetitionReferral,
    LabourInspection,
    Other,
}

impl Source {
    pub const ALL: [Self; 8] = [
        Self::WalkIn,
        Self::Hotline12351,
        Self::Online,
        Self::CourtReferral,
        Self::PoliceReferral,
        Self::PetitionReferral,
        Self::LabourInspection,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::WalkIn => "walk_in",
            Self::Hotline12351 => "hotline_12351",
            Self::Online => "online",
            Self::CourtReferral => "court_referral",
            Self::PoliceReferral => "police_referral",
            Self::PetitionReferral => "petition_referral",
            Self::LabourInspection => "labour_inspection",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "walk_in" => Some(Self::WalkIn),
            "hotline_12351" => Some(Self::Hotline12351),
            "online" => Some(Self::Online),
            "court_referral" => Some(Self::CourtReferral),
            "police_referral" => Some(Self::PoliceReferral),
            "petition_referral" => Some(Self::PetitionReferral),
            "labour_inspection" => Some(Self::LabourInspection),
            "other" => Some(Self::Other),
            _ => None,
        }
    }
}

/// 风险标记: circumstances that raise the grade (DESIGN §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskFlag {
    MassIncident,
    ExtremeBehaviour,
    MediaAttention,
    RepeatPetition,
    CrossDepartment,
}

impl RiskFlag {
    pub const ALL: [Self; 5] = [
        Self::MassIncident,
        Self::ExtremeBehaviour,
        Self::MediaAttention,
        Self::RepeatPetition,
        Self::CrossDepartment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MassIncident => "mass_incident",
            Self::ExtremeBehaviour => "extreme_behaviour",
            Self::MediaAttention => "media_attention",
            Self::RepeatPetition => "repeat_petition",
            Self::CrossDepartment => "cross_department",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "mass_incident" => Some(Self::MassIncident),
            "extreme_behaviour" => Some(Self::ExtremeBehaviour),
            "media_attention" => Some(Self::MediaAttention),
            "repeat_petition" => Some(Self::RepeatPetition),
            "cross_department" => Some(Self::CrossDepartment),
            _ => None,
        }
    }
}

/// 当事人角色: which side of the dispute a party is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    Applicant,
    Respondent,
    ThirdParty,
}

impl PartyRole {
    pub const ALL: [Self; 3] = [Self::Applicant, Self::Respondent, Self::ThirdParty];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applicant => "applicant",
            Self::Respondent => "respondent",
            Self::ThirdParty => "third_party",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "applicant" => Some(Self::Applicant),
            "respondent" => Some(Self::Respondent),
            "third_party" => Some(Self::ThirdParty),
            _ => None,
        }
    }
}

/// 当事人类别: a natural person or an organisation (employer, agency, platform).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    Person,
    Organisation,
}

impl PartyKind {
    pub const ALL: [Self; 2] = [Self::Person, Self::Organisation];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Organisation => "organisation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "person" => Some(Self::Person),
            "organisation" => Some(Self::Organisation),
            _ => None,
        }
    }
}

impl Term for Grade {
    const LABEL_KEY: &'static str = "grade";

    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Term for DisputeType {
    const LABEL_KEY: &'static str = "dispute-type";

    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Term for Source {
    const LABEL_KEY: &'static str = "source";

    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Term for RiskFlag {
    const LABEL_KEY: &'static str = "risk-flag";

    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Term for PartyRole {
    const LABEL_KEY: &'static str = "party-role";

    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Term for PartyKind {
    const LABEL_KEY: &'static str = "party-kind";

    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Term for TeamRole {
    const LABEL_KEY: &'static str = "team-role";

    fn name(self) -> &'static str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// serde and `as_str` must agree, or the API and the database would spell a value two ways.
    fn serde_name<T: Serialize>(value: T) -> String {
        match serde_json::to_value(value).expect("serialises") {
            serde_json::Value::String(s) => s,
            other => panic!("expected a JSON string, got {other}"),
        }
    }

    #[test]
    fn major_outranks_complex_which_outranks_ordinary_which_outranks_simple() {
        assert!(Grade::Major > Grade::Complex);
        assert!(Grade::Complex > Grade::Ordinary);
        assert!(Grade::Ordinary > Grade::Simple);
        let mut sorted = Grade::ALL;
        sorted.sort();
        assert_eq!(sorted, Grade::ALL);
        assert_eq!(Grade::ALL.iter().max(), Some(&Grade::Major));
    }

    #[test]
    fn every_grade_round_trips_through_its_name_and_serde() {
        for g in Grade::ALL {
            assert_eq!(Grade::parse(g.as_str()), Some(g));
            assert_eq!(serde_name(g), g.as_str());
            let back: Grade = serde_json::from_str(&format!("\"{}\"", g.as_str())).unwrap();
            assert_eq!(back, g);
        }
    }

    #[test]
    fn every_grade_source_round_trips_through_its_name_and_serde() {
        for s in GradeSource::ALL {
            assert_eq!(GradeSource::parse(s.as_str()), Some(s));
            assert_eq!(serde_name(s), s.as_str());
        }
        assert_eq!(GradeSource::parse("guessed"), None);
    }

    #[test]
    fn every_dispute_type_round_trips_through_its_name_and_serde() {
        for d in DisputeType::ALL {
            assert_eq!(DisputeType::parse(d.as_str()), Some(d));
            assert_eq!(serde_name(d), d.as_str());
            let back: DisputeType = serde_json::from_str(&format!("\"{}\"", d.as_str())).unwrap();
            assert_eq!(back, d);
        }
    }

    #[test]
    fn every_source_round_trips_through_its_name_and_serde() {
        for s in Source::ALL {
            assert_eq!(Source::parse(s.as_str()), Some(s));
            assert_eq!(serde_name(s), s.as_str());
            let back: Source = serde_json::from_str(&format!("\"{}\"", s.as_str())).unwrap();
            assert_eq!(back, s);
        }
    }

    #[test]
    fn every_risk_flag_round_trips_through_its_name_and_serde() {
        for f in RiskFlag::ALL {
            assert_eq!(RiskFlag::parse(f.as_str()), Some(f));
            assert_eq!(serde_name(f), f.as_str());
            let back: RiskFlag = serde_json::from_str(&format!("\"{}\"", f.as_str())).unwrap();
            assert_eq!(back, f);
        }
    }

    #[test]
    fn every_party_role_and_kind_round_trips_through_its_name_and_serde() {
        for r in PartyRole::ALL {
            assert_eq!(PartyRole::parse(r.as_str()), Some(r));
            assert_eq!(serde_name(r), r.as_str());
        }
        for k in PartyKind::ALL {
            assert_eq!(PartyKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_name(k), k.as_str());
        }
    }

    #[test]
    fn the_union_hotline_serialises_as_hotline_12351() {
        assert_eq!(serde_name(Source::Hotline12351), "hotline_12351");
        assert_eq!(Source::Hotline12351.as_str(), "hotline_12351");
        let parsed: Source = serde_json::from_str("\"hotline_12351\"").unwrap();
        assert_eq!(parsed, Source::Hotline12351);
    }

    #[test]
    fn the_names_are_exactly_those_of_design_section_2() {
        let names = |v: Vec<&str>| v.join(",");
        assert_eq!(
            names(Grade::ALL.iter().map(|g| g.as_str()).collect()),
            "simple,ordinary,complex,major"
        );
        assert_eq!(
            names(DisputeType::ALL.iter().map(|d| d.as_str()).collect()),
            "wage_arrears,work_injury,social_insurance,contract_termination,\
             economic_compensation,overtime,platform_work,other"
        );
        assert_eq!(
            names(Source::ALL.iter().map(|s| s.as_str()).collect()),
            "walk_in,hotline_12351,online,court_referral,police_referral,\
             petition_referral,labour_inspection,other"
        );
        assert_eq!(
            names(RiskFlag::ALL.iter().map(|f| f.as_str()).collect()),
            "mass_incident,extreme_behaviour,media_attention,repeat_petition,cross_department"
        );
        assert_eq!(
            names(PartyRole::ALL.iter().map(|r| r.as_str()).collect()),
            "applicant,respondent,third_party"
        );
        assert_eq!(
            names(PartyKind::ALL.iter().map(|k| k.as_str()).collect()),
            "person,organisation"
        );
    }

    #[test]
    fn unknown_or_differently_cased_names_do_not_parse() {
        assert_eq!(Grade::parse("Major"), None);
        assert_eq!(Grade::parse(""), None);
        assert_eq!(DisputeType::parse("wage-arrears"), None);
        assert_eq!(Source::parse("hotline12351"), None);
        assert_eq!(RiskFlag::parse("extreme_behavior"), None);
        assert_eq!(PartyRole::parse("third party"), None);
        assert_eq!(PartyKind::parse("organization"), None);
        assert!(serde_json::from_str::<Grade>("\"huge\"").is_err());
    }
}

/// A mediator's place on a case's team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    Lead,
    Co,
    Apprentice,
}

impl TeamRole {
    pub const ALL: [TeamRole; 3] = [TeamRole::Lead, TeamRole::Co, TeamRole::Apprentice];

    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::Lead => "lead",
            TeamRole::Co => "co",
            TeamRole::Apprentice => "apprentice",
        }
    }

    pub fn parse(s: &str) -> Option<TeamRole> {
        TeamRole::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Workers from which a dispute is collective and names representatives (劳动争议调解仲裁法 art. 7).
pub const COLLECTIVE_WORKERS: i64 = 10;

/// Whether a group of related cases involving `workers` people is a collective dispute.
pub fn is_collective(workers: i64) -> bool {
    workers >= COLLECTIVE_WORKERS
}

#[cfg(test)]
mod collective_tests {
    use super::*;

    #[test]
    fn ten_workers_make_a_collective_dispute() {
        assert!(!is_collective(9));
        assert!(is_collective(10));
    }
}
