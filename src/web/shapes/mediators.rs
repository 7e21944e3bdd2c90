//! The mediator's shapes: the body of the mediator pages and `/api/v1/mediators`, the page form,
//! and a mediator as both show it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::domain::case_terms::DisputeType;
use crate::domain::network::{Background, Employment};
use crate::domain::pii;
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;
use crate::services::command::Patch;
use crate::services::mediator_record::RecordOut;
use crate::services::mediators::{self, Mediator, MediatorInput, EDITORS};
use crate::web::extract::{loose_version, optional_text, Checker, Loose};

#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct MediatorBody {
    #[validate(length(max = 100))]
    pub name: Option<String>,
    #[validate(length(max = 40))]
    pub phone: Option<String>,
    #[validate(email, length(max = 254))]
    pub email: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub unit_id: Option<Loose>,
    /// `full_time` or `part_time`.
    pub employment: Option<String>,
    /// `local_gentry`, `retired_cadre`, `homeowner_committee`, `lawyer`, `social_org`, `volunteer`,
    /// `civil_servant`, `other`.
    pub background: Option<String>,
    #[schema(value_type = Option<bool>)]
    pub gold_medal: Option<Loose>,
    /// `YYYY-MM-DD`.
    pub gold_medal_since: Option<String>,
    #[schema(value_type = Option<bool>)]
    pub is_mentor: Option<Loose>,
    #[schema(value_type = Option<i32>)]
    pub years_experience: Option<Loose>,
    /// Dispute types the mediator is good at.
    pub specialties: Option<Vec<String>>,
    #[schema(value_type = Option<i32>)]
    pub max_open_cases: Option<Loose>,
    #[schema(value_type = Option<bool>)]
    pub active: Option<Loose>,
    #[schema(value_type = Option<i32>)]
    pub version: Option<Loose>,
}

impl MediatorBody {
    pub fn from_model(m: &Mediator) -> MediatorBody {
        MediatorBody {
            name: Some(m.name.clone()),
            phone: m.phone.clone(),
            email: m.email.clone(),
            unit_id: Some(Loose::Int(m.unit_id)),
            employment: Some(Employment::from(m.employment).as_str().to_owned()),
            background: Some(Background::from(m.background).as_str().to_owned()),
            gold_medal: Some(Loose::Bool(m.gold_medal)),
            gold_medal_since: m.gold_medal_since.map(|d| d.to_string()),
            is_mentor: Some(Loose::Bool(m.is_mentor)),
            years_experience: Some(Loose::Int(i64::from(m.years_experience))),
            specialties: Some(
                mediators::specialties(m)
                    .iter()
                    .map(|d| d.as_str().to_owned())
                    .collect(),
            ),
            max_open_cases: Some(Loose::Int(i64::from(m.max_open_cases))),
            active: Some(Loose::Bool(m.active)),
            version: Some(Loose::Int(i64::from(m.version))),
        }
    }

    pub fn overlay(self, p: MediatorBody) -> MediatorBody {
        MediatorBody {
            name: p.name.or(self.name),
            phone: p.phone.or(self.phone),
            email: p.email.or(self.email),
            unit_id: p.unit_id.or(self.unit_id),
            employment: p.employment.or(self.employment),
            background: p.background.or(self.background),
            gold_medal: p.gold_medal.or(self.gold_medal),
            gold_medal_since: p.gold_medal_since.or(self.gold_medal_since),
            is_mentor: p.is_mentor.or(self.is_mentor),
            years_experience: p.years_experience.or(self.years_experience),
            specialties: p.specialties.or(self.specialties),
            max_open_cases: p.max_open_cases.or(self.max_open_cases),
            active: p.active.or(self.active),
            version: p.version,
        }
    }

    /// # Errors
    /// 422 naming each invalid field.
    pub fn check(&self, default_active: bool) -> Result<(MediatorInput, Option<i32>), AppError> {
        // Forms send an empty e-mail field; only a non-empty one is checked.
        let mut copy = self.clone();
        copy.email = optional_text(&self.email);
        let mut c = Checker::validated(&copy);
        let name = c.text("name", &self.name);
        let unit_id = c.optional_int("unit_id", &self.unit_id);
        if unit_id.is_none() {
            c.add("unit_id", Message::key("err-required"));
        }
        let employment = c.choice("employment", &self.employment, Employment::parse);
        let background = c.choice("background", &self.background, Background::parse);
        let gold_medal = c.flag("gold_medal", &self.gold_medal);
        let gold_medal_since: Option<NaiveDate> =
            c.optional_date("gold_medal_since", &self.gold_medal_since);
        let is_mentor = c.flag("is_mentor", &self.is_mentor);
        let years_experience =
            c.int_in("years_experience", &self.years_experience, 0, 70, Some(0)) as i32;
        let max_open_cases =
            c.int_in("max_open_cases", &self.max_open_cases, 1, 200, Some(10)) as i32;
        let mut specialties = Vec::new();
        for s in self
            .specialties
            .iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
        {
            match DisputeType::parse(s.trim()) {
                Some(d) if !specialties.contains(&d) => specialties.push(d),
                Some(_) => {}
                None => c.add("specialties", Message::key("err-unknown-choice")),
            }
        }
        let active = match &self.active {
            None => default_active,
            some => c.flag("active", some),
        };
        let version = c.optional_int("version", &self.version).map(|v| v as i32);
        let input = MediatorInput {
            name,
            phone: optional_text(&self.phone),
            email: optional_text(&self.email),
            unit_id: unit_id.unwrap_or_default(),
            employment: employment.unwrap_or(Employment::PartTime),
            background: background.unwrap_or(Background::Other),
            gold_medal,
            gold_medal_since,
            is_mentor,
            years_experience,
            specialties,
            max_open_cases,
            active,
        };
        c.finish((input, version))
    }
}

#[derive(Serialize, ToSchema)]
pub struct MediatorOut {
    pub id: i64,
    pub name: String,
    /// Masked (`139****0000`) for users who do not manage mediators.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub unit_id: i64,
    #[schema(value_type = Employment)]
    pub employment: String,
    #[schema(value_type = Background)]
    pub background: String,
    pub gold_medal: bool,
    pub gold_medal_since: Option<NaiveDate>,
    pub is_mentor: bool,
    pub years_experience: i32,
    pub specialties: Vec<String>,
    pub max_open_cases: i32,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Their record (履职档案), on `GET /mediators/{id}` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordOut>,
}

impl MediatorOut {
    /// Contact details are for those who organise the mediators; others see them masked.
    pub fn for_user(m: Mediator, user: &CurrentUser) -> MediatorOut {
        let full_contact = EDITORS.contains(&user.role) || user.mediator_id == Some(m.id);
        let specialties = mediators::specialties(&m)
            .iter()
            .map(|d| d.as_str().to_owned())
            .collect();
        MediatorOut {
            id: m.id,
            name: m.name,
            phone: m
                .phone
                .map(|p| if full_contact { p } else { pii::mask_phone(&p) }),
            email: m.email.filter(|_| full_contact),
            unit_id: m.unit_id,
            employment: Employment::from(m.employment).as_str().to_owned(),
            background: Background::from(m.background).as_str().to_owned(),
            gold_medal: m.gold_medal,
            gold_medal_since: m.gold_medal_since,
            is_mentor: m.is_mentor,
            years_experience: m.years_experience,
            specialties,
            max_open_cases: m.max_open_cases,
            active: m.active,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
            record: None,
        }
    }
}

/// `PATCH /mediators/{id}`: what the patch leaves out keeps its value.
impl Patch<Mediator> for MediatorBody {
    type Params = MediatorInput;

    fn version(&self) -> Option<i32> {
        loose_version(&self.version)
    }

    fn params(self, current: &Mediator) -> Result<MediatorInput, AppError> {
        let (input, _) = MediatorBody::from_model(current)
            .overlay(self)
            .check(current.active)?;
        Ok(input)
    }
}

/// The mediator form of the pages: every field as sent.
pub struct MediatorForm(pub MediatorBody);

impl Patch<Mediator> for MediatorForm {
    type Params = MediatorInput;

    fn version(&self) -> Option<i32> {
        loose_version(&self.0.version)
    }

    fn params(self, current: &Mediator) -> Result<MediatorInput, AppError> {
        let (input, _) = self.0.check(current.active)?;
        Ok(input)
    }
}
