//! The case's shapes: intake with its parties, the corrected details, a workflow action, and the
//! case list's query (also the ledger's).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::domain::case_edit::CaseDetails;
use crate::domain::case_terms::{
    DisputeType, Grade, PartyKind, PartyRole, RiskFlag, Source, TeamRole,
};
use crate::domain::workflow::{Action, Outcome, Status};
use crate::error::{AppError, Message};
use crate::services::cases::actions::{ActionCommand, ActionParams, Params};
use crate::services::cases::intake::{IntakeInput, PartyInput};
use crate::services::cases::list::CaseFilter;
use crate::services::cases::pipeline::Command;
use crate::services::command::Patch;
use crate::web::extract::{loose_version, optional_text, Checker, Loose};

#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct PartyBody {
    /// `applicant`, `respondent` or `third_party`.
    pub role: Option<String>,
    /// `person` or `organisation`.
    pub kind: Option<String>,
    #[validate(length(max = 200))]
    pub name: Option<String>,
    #[validate(length(max = 32))]
    pub id_number: Option<String>,
    #[validate(length(max = 32))]
    pub phone: Option<String>,
    /// Employer or platform.
    #[validate(length(max = 200))]
    pub organisation: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct CaseBody {
    #[schema(value_type = Option<i64>)]
    pub intake_unit_id: Option<Loose>,
    pub dispute_type: Option<String>,
    pub source: Option<String>,
    #[validate(length(max = 5000))]
    pub summary: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub amount_claimed_fen: Option<Loose>,
    #[schema(value_type = Option<i32>)]
    pub people_involved: Option<Loose>,
    pub risk_flags: Option<Vec<String>>,
    /// RFC 3339; defaults to now; never in the future.
    pub received_at: Option<String>,
    /// `YYYY-MM-DD`.
    pub infringement_known_on: Option<String>,
    /// `YYYY-MM-DD`; for wage arrears after the employment ended.
    pub employment_ended_on: Option<String>,
    pub parties: Option<Vec<PartyBody>>,
}

/// An 18-character resident ID: 17 digits and a digit or X.
fn looks_like_id_number(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars.len() == 18
        && chars[..17].iter().all(char::is_ascii_digit)
        && (chars[17].is_ascii_digit() || chars[17] == 'X' || chars[17] == 'x')
}

fn looks_like_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits) && s.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c))
}

impl CaseBody {
    /// # Errors
    /// 422 naming each invalid field (`parties[1].name` for a party's field).
    pub fn check(&self) -> Result<IntakeInput, AppError> {
        let mut c = Checker::validated(self);
        let intake_unit_id = c.optional_int("intake_unit_id", &self.intake_unit_id);
        if intake_unit_id.is_none() {
            c.add("intake_unit_id", Message::key("err-required"));
        }
        let details = CaseDetailsBody {
            dispute_type: self.dispute_type.clone(),
            source: self.source.clone(),
            summary: self.summary.clone(),
            amount_claimed_fen: self.amount_claimed_fen.clone(),
            people_involved: self.people_involved.clone(),
            risk_flags: self.risk_flags.clone(),
            infringement_known_on: self.infringement_known_on.clone(),
            employment_ended_on: self.employment_ended_on.clone(),
            version: None,
        }
        .read(&mut c);
        let received_at = match self
            .received_at
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match DateTime::parse_from_rfc3339(s) {
                Ok(t) => Some(t.with_timezone(&Utc)),
                Err(_) => {
                    c.add("received_at", Message::key("err-datetime"));
                    None
                }
            },
        };
        let mut parties = Vec::new();
        for (i, p) in self.parties.iter().flatten().enumerate() {
            let field = |name: &str| format!("parties[{i}].{name}");
            if let Err(e) = p.validate() {
                for (name, _) in e.field_errors() {
                    c.add(
                        &field(&name),
                        Message::with("err-length-max", &[("max", "200".into())]),
                    );
                }
            }
            let role = c.choice(&field("role"), &p.role, PartyRole::parse);
            let kind = c.choice(&field("kind"), &p.kind, PartyKind::parse);
            let name = c.text(&field("name"), &p.name);
            let id_number = optional_text(&p.id_number);
            if id_number
                .as_deref()
                .is_some_and(|s| !looks_like_id_number(s))
            {
                c.add(&field("id_number"), Message::key("err-id-number"));
            }
            let phone = optional_text(&p.phone);
            if phone.as_deref().is_some_and(|s| !looks_like_phone(s)) {
                c.add(&field("phone"), Message::key("err-phone"));
            }
            if let (Some(role), Some(kind)) = (role, kind) {
                parties.push(PartyInput {
                    role,
                    kind,
                    name,
                    id_number: id_number.map(|s| s.to_uppercase()),
                    phone,
                    organisation: optional_text(&p.organisation),
                });
            }
        }
        if !parties.iter().any(|p| p.role == PartyRole::Applicant) {
            c.add("parties", Message::key("err-needs-applicant"));
        }
        if !parties.iter().any(|p| p.role == PartyRole::Respondent) {
            c.add("parties", Message::key("err-needs-respondent"));
        }
        let input = IntakeInput {
            intake_unit_id: intake_unit_id.unwrap_or_default(),
            dispute_type: details.dispute_type,
            source: details.source,
            summary: details.summary,
            amount_claimed_fen: details.amount_claimed_fen,
            people_involved: details.people_involved,
            risk_flags: details.risk_flags,
            received_at,
            infringement_known_on: details.infringement_known_on,
            employment_ended_on: details.employment_ended_on,
            parties,
        };
        c.finish(input)
    }
}

/// The details intake records, as `PATCH /cases/{id}` corrects them: fields left out keep their
/// value.
#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct CaseDetailsBody {
    pub dispute_type: Option<String>,
    pub source: Option<String>,
    #[validate(length(max = 5000))]
    pub summary: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub amount_claimed_fen: Option<Loose>,
    #[schema(value_type = Option<i32>)]
    pub people_involved: Option<Loose>,
    pub risk_flags: Option<Vec<String>>,
    /// `YYYY-MM-DD`; empty clears it.
    pub infringement_known_on: Option<String>,
    /// `YYYY-MM-DD`; empty clears it.
    pub employment_ended_on: Option<String>,
    #[schema(value_type = Option<i32>)]
    pub version: Option<Loose>,
}

impl CaseDetailsBody {
    /// The stored details, as a body to overlay a patch on.
    pub fn from_details(d: &CaseDetails, version: i32) -> CaseDetailsBody {
        CaseDetailsBody {
            dispute_type: Some(d.dispute_type.as_str().to_owned()),
            source: Some(d.source.as_str().to_owned()),
            summary: Some(d.summary.clone()),
            amount_claimed_fen: Some(Loose::Int(d.amount_claimed_fen)),
            people_involved: Some(Loose::Int(i64::from(d.people_involved))),
            risk_flags: Some(d.risk_flags.iter().map(|f| f.as_str().to_owned()).collect()),
            infringement_known_on: d.infringement_known_on.map(|d| d.to_string()),
            employment_ended_on: d.employment_ended_on.map(|d| d.to_string()),
            version: Some(Loose::Int(i64::from(version))),
        }
    }

    pub fn overlay(self, p: CaseDetailsBody) -> CaseDetailsBody {
        CaseDetailsBody {
            dispute_type: p.dispute_type.or(self.dispute_type),
            source: p.source.or(self.source),
            summary: p.summary.or(self.summary),
            amount_claimed_fen: p.amount_claimed_fen.or(self.amount_claimed_fen),
            people_involved: p.people_involved.or(self.people_involved),
            risk_flags: p.risk_flags.or(self.risk_flags),
            infringement_known_on: p.infringement_known_on.or(self.infringement_known_on),
            employment_ended_on: p.employment_ended_on.or(self.employment_ended_on),
            version: p.version,
        }
    }

    /// Reads the details into `c`, which collects every problem (intake shares these checks).
    fn read(&self, c: &mut Checker) -> CaseDetails {
        let dispute_type = c.choice("dispute_type", &self.dispute_type, DisputeType::parse);
        let source = c.choice("source", &self.source, Source::parse);
        let summary = c.text("summary", &self.summary);
        let amount = c.int_in(
            "amount_claimed_fen",
            &self.amount_claimed_fen,
            0,
            100_000_000_000,
            Some(0),
        );
        let people = c.int_in("people_involved", &self.people_involved, 1, 100_000, None);
        let mut risk_flags = Vec::new();
        for f in self
            .risk_flags
            .iter()
            .flatten()
            .filter(|f| !f.trim().is_empty())
        {
            match RiskFlag::parse(f.trim()) {
                Some(flag) if !risk_flags.contains(&flag) => risk_flags.push(flag),
                Some(_) => {}
                None => c.add("risk_flags", Message::key("err-unknown-choice")),
            }
        }
        CaseDetails {
            dispute_type: dispute_type.unwrap_or(DisputeType::Other),
            source: source.unwrap_or(Source::Other),
            summary,
            amount_claimed_fen: amount,
            people_involved: people as i32,
            risk_flags,
            infringement_known_on: c
                .optional_date("infringement_known_on", &self.infringement_known_on),
            employment_ended_on: c.optional_date("employment_ended_on", &self.employment_ended_on),
        }
    }

    /// # Errors
    /// 422 naming each invalid field.
    pub fn check(&self) -> Result<(CaseDetails, Option<i32>), AppError> {
        let mut c = Checker::validated(self);
        let details = self.read(&mut c);
        let version = c.optional_int("version", &self.version).map(|v| v as i32);
        c.finish((details, version))
    }
}

/// `POST /cases/{id}/actions`: `{"action", "version", ...params}` (DESIGN §3). Unknown fields are
/// ignored.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct ActionBody {
    /// `accept`, `assign`, `unassign`, `escalate`, `refer`, `invite`, `close`, `regrade`,
    /// `confirm_grade`, `extend`, `reopen`.
    pub action: Option<String>,
    #[schema(value_type = Option<i32>)]
    pub version: Option<Loose>,
    /// RFC 3339: when it really happened (records entered after the fact).
    pub at: Option<String>,
    pub note: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub lead_mediator_id: Option<Loose>,
    #[schema(value_type = Option<i64>)]
    pub mediator_id: Option<Loose>,
    /// `lead`, `co` or `apprentice`.
    pub role: Option<String>,
    pub reason: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub unit_id: Option<Loose>,
    pub unit_ids: Option<Vec<Loose>>,
    /// `resolved`, `failed` or `withdrawn`.
    pub outcome: Option<String>,
    pub grade: Option<String>,
    #[schema(value_type = Option<i32>)]
    pub days: Option<Loose>,
}

impl ActionBody {
    /// The action, or 422 naming `action` when it is missing or unknown.
    ///
    /// # Errors
    /// 422.
    pub fn action(&self) -> Result<Action, AppError> {
        self.action
            .as_deref()
            .map(str::trim)
            .and_then(Action::parse)
            .ok_or_else(|| AppError::field("action", Message::key("err-unknown-action")))
    }

    fn params(&self, action: Action) -> Result<Params, AppError> {
        let mut c = Checker::default();
        let reason = optional_text(&self.reason);
        let required_reason = |c: &mut Checker| {
            if reason.is_none() {
                c.add("reason", Message::key("err-reason-required"));
            }
            reason.clone().unwrap_or_default()
        };
        let id = |c: &mut Checker, name: &str, value: &Option<Loose>| {
            let v = c.optional_int(name, value);
            if v.is_none() && !c.errors.contains_key(name) {
                c.add(name, Message::key("err-required"));
            }
            v.unwrap_or_default()
        };
        if let Some(at) = self.at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            if DateTime::parse_from_rfc3339(at).is_err() {
                c.add("at", Message::key("err-datetime"));
            }
        }
        let params = match action {
            Action::Accept => Params::Accept {
                lead_mediator_id: id(&mut c, "lead_mediator_id", &self.lead_mediator_id),
            },
            Action::Assign => Params::Assign {
                mediator_id: id(&mut c, "mediator_id", &self.mediator_id),
                role: c
                    .choice("role", &self.role, TeamRole::parse)
                    .unwrap_or(TeamRole::Co),
            },
            Action::Unassign => Params::Unassign {
                mediator_id: id(&mut c, "mediator_id", &self.mediator_id),
            },
            Action::Escalate => Params::Escalate {
                reason: required_reason(&mut c),
            },
            Action::Refer => Params::Refer {
                unit_id: id(&mut c, "unit_id", &self.unit_id),
                reason,
            },
            Action::Invite => {
                let mut unit_ids = Vec::new();
                for v in self.unit_ids.iter().flatten() {
                    match v.int() {
                        Ok(Some(n)) if !unit_ids.contains(&n) => unit_ids.push(n),
                        Ok(_) => {}
                        Err(_) => c.add("unit_ids", Message::key("err-whole-number")),
                    }
                }
                if unit_ids.is_empty() {
                    c.add("unit_ids", Message::key("err-required"));
                }
                Params::Invite { unit_ids }
            }
            Action::Close => {
                let outcome = c.choice("outcome", &self.outcome, Outcome::parse);
                if outcome.is_some_and(|o| o != Outcome::Resolved) && reason.is_none() {
                    c.add("reason", Message::key("err-reason-required"));
                }
                Params::Close {
                    outcome: outcome.unwrap_or(Outcome::Withdrawn),
                    reason,
                }
            }
            Action::Regrade => Params::Regrade {
                grade: c
                    .choice("grade", &self.grade, Grade::parse)
                    .unwrap_or(Grade::Simple),
                reason: required_reason(&mut c),
            },
            Action::ConfirmGrade => Params::ConfirmGrade,
            Action::Extend => {
                let days = c.int_in("days", &self.days, 1, 15, None) as u32;
                Params::Extend {
                    days,
                    reason: required_reason(&mut c),
                }
            }
            Action::Reopen => Params::Reopen {
                reason: required_reason(&mut c),
            },
            Action::RecordSession | Action::RecordAgreement => {
                c.add("action", Message::key("err-unknown-action"));
                Params::ConfirmGrade
            }
        };
        c.finish(params)
    }
}

/// `PATCH /cases/{id}` as the case pipeline reads it: what the patch leaves out keeps its value.
impl Patch<CaseDetails> for CaseDetailsBody {
    type Params = CaseDetails;

    fn version(&self) -> Option<i32> {
        loose_version(&self.version)
    }

    fn params(self, current: &CaseDetails) -> Result<CaseDetails, AppError> {
        // The version of the base is never read: the overlay keeps the patch's own.
        let (details, _) = CaseDetailsBody::from_details(current, 0)
            .overlay(self)
            .check()?;
        Ok(details)
    }
}

/// The body as the case pipeline reads it: the action and a close's outcome for the role check,
/// then the version, then the parameters.
impl Command for ActionBody {
    type Params = ActionParams;

    fn version(&self) -> Option<i32> {
        loose_version(&self.version)
    }

    fn params(self) -> Result<ActionParams, AppError> {
        let action = self.action()?;
        let params = ActionBody::params(&self, action)?;
        Ok(ActionParams {
            params,
            // A malformed `at` was reported by `params`.
            at: self
                .at
                .as_deref()
                .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
                .map(|t| t.with_timezone(&Utc)),
            note: optional_text(&self.note),
        })
    }
}

impl ActionCommand for ActionBody {
    fn action(&self) -> Result<Action, AppError> {
        ActionBody::action(self)
    }

    fn outcome(&self) -> Option<Outcome> {
        self.outcome.as_deref().and_then(Outcome::parse)
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct CaseQuery {
    pub status: Option<String>,
    /// The unit a case is at now.
    pub unit_id: Option<i64>,
    pub grade: Option<String>,
    pub dispute_type: Option<String>,
    pub source: Option<String>,
    /// `true`: only cases past their 15-day limit.
    pub overdue: Option<bool>,
    /// Case number or party name.
    pub q: Option<String>,
    /// Only the cases of this group of related cases.
    pub group_id: Option<i64>,
    /// Only cases this mediator is or was on the team of.
    pub mediator_id: Option<i64>,
    /// Only joint cases (with invited units) this unit hosts or was invited to.
    pub joint_unit_id: Option<i64>,
    /// Received on or after this local day, `YYYY-MM-DD`.
    pub received_from: Option<String>,
    /// Received on or before this local day, `YYYY-MM-DD`.
    pub received_to: Option<String>,
    /// Closed on or after this local day, `YYYY-MM-DD`.
    pub closed_from: Option<String>,
    /// Closed on or before this local day, `YYYY-MM-DD`.
    pub closed_to: Option<String>,
    /// `resolved`, `failed` or `withdrawn`.
    pub outcome: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    /// Continue after the page that gave this `next_after` cursor (deep pages stay fast).
    pub after: Option<String>,
}

impl CaseQuery {
    /// # Errors
    /// 422 naming an unknown status, grade, type or source.
    pub fn filter(&self) -> Result<CaseFilter, AppError> {
        let mut c = Checker::default();
        let status = c.optional_choice("status", &self.status, Status::parse);
        let grade = c.optional_choice("grade", &self.grade, Grade::parse);
        let dispute_type =
            c.optional_choice("dispute_type", &self.dispute_type, DisputeType::parse);
        let source = c.optional_choice("source", &self.source, Source::parse);
        let received_from = c.optional_date("received_from", &self.received_from);
        let received_to = c.optional_date("received_to", &self.received_to);
        if let (Some(from), Some(to)) = (received_from, received_to) {
            if to < from {
                c.add("received_to", Message::key("err-to-before-from"));
            }
        }
        let closed_from = c.optional_date("closed_from", &self.closed_from);
        let closed_to = c.optional_date("closed_to", &self.closed_to);
        if let (Some(from), Some(to)) = (closed_from, closed_to) {
            if to < from {
                c.add("closed_to", Message::key("err-to-before-from"));
            }
        }
        let outcome = c.optional_choice("outcome", &self.outcome, Outcome::parse);
        c.finish(CaseFilter {
            status,
            unit_id: self.unit_id,
            grade: grade.map(|g| g.as_str().to_owned()),
            dispute_type: dispute_type.map(|d| d.as_str().to_owned()),
            source: source.map(|s| s.as_str().to_owned()),
            overdue: self.overdue.unwrap_or(false),
            q: self.q.clone(),
            group_id: self.group_id,
            mediator_id: self.mediator_id,
            joint_unit_id: self.joint_unit_id,
            received_from,
            received_to,
            closed_from,
            closed_to,
            outcome: outcome.map(|o| o.as_str().to_owned()),
            ..Default::default()
        })
    }
}
