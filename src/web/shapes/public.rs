//! The public shapes (no sign-in): tracking a case by number and code, and an online application
//! with its applicant and respondent.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::domain::case_terms::{DisputeType, PartyKind};
use crate::error::{AppError, Message};
use crate::services::public::Application;
use crate::web::extract::{optional_text, Checker, Loose};

// `TEXT` in the schemas below (utoipa takes only literals): at least one character that is not a
// space, and no control characters but tabs and line breaks, as the checks and `ApiJson` require.

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrackQuery {
    /// The case number on the receipt, `JB-2026-00042`.
    #[param(
        required = true,
        min_length = 1,
        max_length = 40,
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub case_no: Option<String>,
    /// The case code on the receipt (spaces and dashes are ignored).
    #[param(
        required = true,
        min_length = 1,
        max_length = 40,
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub code: Option<String>,
}

impl TrackQuery {
    /// # Errors
    /// 422 naming a missing or oversized field.
    pub fn check(&self) -> Result<(String, String), AppError> {
        let mut c = Checker::default();
        let case_no = c.text("case_no", &self.case_no);
        let code = c.text("code", &self.code);
        if case_no.chars().count() > 40 {
            c.add(
                "case_no",
                Message::with("err-length-max", &[("max", "40".into())]),
            );
        }
        if code.chars().count() > 40 {
            c.add(
                "code",
                Message::with("err-length-max", &[("max", "40".into())]),
            );
        }
        c.finish((case_no, code))
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct ApplicantBody {
    #[validate(length(max = 50))]
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 50,
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub name: Option<String>,
    /// A mobile or landline number the station can call back: 7 to 15 digits (spaces and dashes
    /// between them are also read).
    #[validate(length(max = 20))]
    #[schema(
        required = true,
        nullable = false,
        pattern = r"^\+?[0-9]{7,15}$",
        example = "13900001234"
    )]
    pub phone: Option<String>,
    /// 18-character resident ID (optional).
    #[validate(length(max = 18))]
    #[schema(pattern = r"^([0-9]{17}[0-9Xx])?$")]
    pub id_number: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct RespondentBody {
    /// The employer or platform.
    #[validate(length(max = 100))]
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub name: Option<String>,
    /// `organisation` (the default, also when empty) or `person`.
    #[schema(pattern = "^(organisation|person)?$")]
    pub kind: Option<String>,
}

/// An online application. `website` must stay empty (a field people never see).
#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct ApplicationBody {
    #[schema(required = true, nullable = false)]
    pub applicant: Option<ApplicantBody>,
    #[schema(required = true, nullable = false)]
    pub respondent: Option<RespondentBody>,
    /// One of `GET /public/stations` (another is 422 naming `station_id`).
    #[schema(value_type = i64, required = true)]
    pub station_id: Option<Loose>,
    /// `wage_arrears`, `work_injury`, `social_insurance`, `contract_termination`,
    /// `economic_compensation`, `overtime`, `platform_work`, `other`.
    #[schema(
        required = true,
        nullable = false,
        pattern = "^(wage_arrears|work_injury|social_insurance|contract_termination|economic_compensation|overtime|platform_work|other)$"
    )]
    pub dispute_type: Option<String>,
    /// What happened, in the applicant's words.
    #[validate(length(max = 2000))]
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub summary: Option<String>,
    /// Fen; 0 when unknown.
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000_000_i64)]
    pub amount_claimed_fen: Option<Loose>,
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 10_000)]
    pub people_involved: Option<Loose>,
    /// Left empty by people; filled in by robots.
    #[validate(length(max = 200))]
    #[schema(max_length = 0)]
    pub website: Option<String>,
}

fn digits_of_phone(s: &str) -> Option<String> {
    let ok = s.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c));
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    (ok && (7..=15).contains(&digits.len())).then_some(digits)
}

fn looks_like_id_number(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars.len() == 18
        && chars[..17].iter().all(char::is_ascii_digit)
        && (chars[17].is_ascii_digit() || chars[17] == 'X' || chars[17] == 'x')
}

impl ApplicationBody {
    /// # Errors
    /// 422 naming each invalid field (`applicant.phone`, `respondent.name`, …).
    pub fn check(&self) -> Result<Application, AppError> {
        let mut c = Checker::validated(self);
        let applicant = self.applicant.clone().unwrap_or_default();
        let respondent = self.respondent.clone().unwrap_or_default();
        for (prefix, result) in [
            ("applicant", applicant.validate()),
            ("respondent", respondent.validate()),
        ] {
            if let Err(e) = result {
                for (name, errors) in e.field_errors() {
                    let max = errors
                        .first()
                        .and_then(|e| e.params.get("max"))
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    c.add(
                        &format!("{prefix}.{name}"),
                        Message::with("err-length-max", &[("max", max)]),
                    );
                }
            }
        }
        if optional_text(&self.website).is_some() {
            c.add("website", Message::key("err-apply-refused"));
        }
        let applicant_name = c.text("applicant.name", &applicant.name);
        let phone_text = c.text("applicant.phone", &applicant.phone);
        let applicant_phone = if phone_text.is_empty() {
            String::new()
        } else {
            digits_of_phone(&phone_text).unwrap_or_else(|| {
                c.add("applicant.phone", Message::key("err-phone"));
                String::new()
            })
        };
        let id_number = optional_text(&applicant.id_number);
        if id_number
            .as_deref()
            .is_some_and(|s| !looks_like_id_number(s))
        {
            c.add("applicant.id_number", Message::key("err-id-number"));
        }
        let respondent_name = c.text("respondent.name", &respondent.name);
        let respondent_kind = match optional_text(&respondent.kind) {
            None => Some(PartyKind::Organisation),
            Some(k) => {
                let kind = PartyKind::parse(&k);
                if kind.is_none() {
                    c.add("respondent.kind", Message::key("err-unknown-choice"));
                }
                kind
            }
        };
        let station_id = c.optional_int("station_id", &self.station_id);
        if station_id.is_none() {
            c.add("station_id", Message::key("err-required"));
        }
        let dispute_type = c.choice("dispute_type", &self.dispute_type, DisputeType::parse);
        let summary = c.text("summary", &self.summary);
        let amount = c.int_in(
            "amount_claimed_fen",
            &self.amount_claimed_fen,
            0,
            10_000_000_000,
            Some(0),
        );
        let people = c.int_in("people_involved", &self.people_involved, 1, 10_000, Some(1));
        c.finish(Application {
            applicant_name,
            applicant_phone,
            applicant_id_number: id_number.map(|s| s.to_uppercase()),
            respondent_name,
            respondent_kind: respondent_kind.unwrap_or(PartyKind::Organisation),
            station_id: station_id.unwrap_or_default(),
            dispute_type: dispute_type.unwrap_or(DisputeType::Other),
            summary,
            amount_claimed_fen: amount,
            people_involved: people as i32,
        })
    }
}
