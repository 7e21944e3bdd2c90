//! The bodies of a case's records: sessions, the agreement (with instalments and judicial
//! confirmation) and follow-ups, as the case page's forms and `/api/v1/cases/{id}/…` send them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::domain::agreement::{Instalment, SessionOutcome};
use crate::error::{AppError, Message};
use crate::services::cases::pipeline::Command;
use crate::services::cases::records::{
    AgreementInput, ConfirmationInput, FollowUpInput, SessionInput,
};
use crate::web::extract::{loose_version, optional_text, Checker, Loose};

/// An RFC 3339 time, required.
fn when(c: &mut Checker, field: &str, value: &Option<String>) -> DateTime<Utc> {
    match value.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            c.add(field, Message::key("err-required"));
            Utc::now()
        }
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|_| {
                c.add(field, Message::key("err-datetime"));
                Utc::now()
            }),
    }
}

fn optional_when(c: &mut Checker, field: &str, value: &Option<String>) -> Option<DateTime<Utc>> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|_| when(c, field, value))
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct SessionBody {
    /// RFC 3339.
    pub held_at: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub unit_id: Option<Loose>,
    #[schema(value_type = Option<Vec<i64>>)]
    pub mediator_ids: Option<Vec<Loose>>,
    #[validate(length(max = 2000))]
    pub attendees: Option<String>,
    #[validate(length(max = 20000))]
    pub summary: Option<String>,
    /// `continue`, `agreement`, `no_agreement`, `adjourned`.
    pub outcome: Option<String>,
    /// RFC 3339, after `held_at`.
    pub next_session_at: Option<String>,
    #[schema(value_type = Option<i32>)]
    pub version: Option<Loose>,
}

impl SessionBody {
    /// # Errors
    /// 422 naming each invalid field.
    pub fn check(&self) -> Result<SessionInput, AppError> {
        let mut c = Checker::validated(self);
        let held_at = when(&mut c, "held_at", &self.held_at);
        let unit_id = c.optional_int("unit_id", &self.unit_id);
        if unit_id.is_none() {
            c.add("unit_id", Message::key("err-required"));
        }
        let mut mediator_ids = Vec::new();
        for v in self.mediator_ids.iter().flatten() {
            match v.int() {
                Ok(Some(n)) if !mediator_ids.contains(&n) => mediator_ids.push(n),
                Ok(_) => {}
                Err(_) => c.add("mediator_ids", Message::key("err-whole-number")),
            }
        }
        if mediator_ids.is_empty() {
            c.add("mediator_ids", Message::key("err-required"));
        }
        let summary = c.text("summary", &self.summary);
        let outcome = c.choice("outcome", &self.outcome, SessionOutcome::parse);
        let next_session_at = optional_when(&mut c, "next_session_at", &self.next_session_at);
        let version = c.optional_int("version", &self.version).map(|v| v as i32);
        c.finish(SessionInput {
            held_at,
            unit_id: unit_id.unwrap_or_default(),
            mediator_ids,
            attendees: optional_text(&self.attendees).unwrap_or_default(),
            summary,
            outcome: outcome.unwrap_or(SessionOutcome::Continue),
            next_session_at,
            version,
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct InstalmentBody {
    /// `YYYY-MM-DD`.
    pub due_on: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub amount_fen: Option<Loose>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct AgreementBody {
    /// RFC 3339.
    pub signed_at: Option<String>,
    /// The matters in dispute (人民调解法 art. 29).
    #[validate(length(max = 5000))]
    pub matters: Option<String>,
    /// The agreed terms.
    #[validate(length(max = 20000))]
    pub terms: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub amount_fen: Option<Loose>,
    /// Empty: paid on signing. When given, they add up to `amount_fen`.
    pub instalments: Option<Vec<InstalmentBody>>,
    #[schema(value_type = Option<i32>)]
    pub version: Option<Loose>,
}

impl AgreementBody {
    /// # Errors
    /// 422 naming each invalid field.
    pub fn check(&self) -> Result<AgreementInput, AppError> {
        let mut c = Checker::validated(self);
        let signed_at = when(&mut c, "signed_at", &self.signed_at);
        let terms = c.text("terms", &self.terms);
        let amount_fen = c.int_in("amount_fen", &self.amount_fen, 0, 100_000_000_000, None);
        let mut instalments = Vec::new();
        for (i, inst) in self.instalments.iter().flatten().enumerate() {
            let due_on = c.optional_date(&format!("instalments[{i}].due_on"), &inst.due_on);
            if due_on.is_none() && !c.errors.contains_key(&format!("instalments[{i}].due_on")) {
                c.add(
                    &format!("instalments[{i}].due_on"),
                    Message::key("err-required"),
                );
            }
            let amount = c.int_in(
                &format!("instalments[{i}].amount_fen"),
                &inst.amount_fen,
                1,
                100_000_000_000,
                None,
            );
            if let Some(due_on) = due_on {
                instalments.push(Instalment {
                    due_on,
                    amount_fen: amount,
                });
            }
        }
        let version = c.optional_int("version", &self.version).map(|v| v as i32);
        c.finish(AgreementInput {
            signed_at,
            matters: optional_text(&self.matters).unwrap_or_default(),
            terms,
            amount_fen,
            instalments,
            version,
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct FollowUpBody {
    /// RFC 3339.
    pub done_at: Option<String>,
    #[validate(length(max = 5000))]
    pub result: Option<String>,
    /// 1 to 5.
    #[schema(value_type = Option<i32>)]
    pub satisfaction: Option<Loose>,
    /// Whether the agreement was honoured.
    #[schema(value_type = Option<bool>)]
    pub fulfilled: Option<Loose>,
}

impl FollowUpBody {
    /// # Errors
    /// 422 naming each invalid field.
    pub fn check(&self) -> Result<FollowUpInput, AppError> {
        let mut c = Checker::validated(self);
        let done_at = when(&mut c, "done_at", &self.done_at);
        let result = c.text("result", &self.result);
        let satisfaction = c.int_in("satisfaction", &self.satisfaction, 1, 5, None) as i32;
        if self.fulfilled.is_none() {
            c.add("fulfilled", Message::key("err-required"));
        }
        let fulfilled = c.flag("fulfilled", &self.fulfilled);
        c.finish(FollowUpInput {
            done_at,
            result,
            satisfaction,
            fulfilled,
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct InstalmentPaidBody {
    /// `YYYY-MM-DD`, or null to mark it unpaid again.
    pub paid_on: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct ConfirmationBody {
    /// The day the parties applied to court for judicial confirmation, `YYYY-MM-DD`.
    pub applied_on: Option<String>,
    /// The day the confirmation was received, `YYYY-MM-DD`.
    pub received_on: Option<String>,
    pub note: Option<String>,
}

/// The bodies as the case pipeline reads them: the version first, the fields once scope, role and
/// version have passed.
impl Command for SessionBody {
    type Params = SessionInput;

    fn version(&self) -> Option<i32> {
        loose_version(&self.version)
    }

    fn params(self) -> Result<SessionInput, AppError> {
        self.check()
    }
}

impl Command for AgreementBody {
    type Params = AgreementInput;

    fn version(&self) -> Option<i32> {
        loose_version(&self.version)
    }

    fn params(self) -> Result<AgreementInput, AppError> {
        self.check()
    }
}

impl Command for FollowUpBody {
    type Params = FollowUpInput;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<FollowUpInput, AppError> {
        self.check()
    }
}

impl Command for InstalmentPaidBody {
    type Params = Option<NaiveDate>;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<Option<NaiveDate>, AppError> {
        let mut c = Checker::default();
        let paid_on = c.optional_date("paid_on", &self.paid_on);
        c.finish(paid_on)
    }
}

impl Command for ConfirmationBody {
    type Params = ConfirmationInput;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<ConfirmationInput, AppError> {
        let mut c = Checker::default();
        let applied_on = c.optional_date("applied_on", &self.applied_on);
        let received_on = c.optional_date("received_on", &self.received_on);
        c.finish(ConfirmationInput {
            applied_on,
            received_on,
            note: optional_text(&self.note),
        })
    }
}
