//! The mentorship shapes (优师带徒): a new pair, graduating or ending one, and the days of the
//! joint-mediation report.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::error::{AppError, Message};
use crate::services::command::Command;
use crate::services::mentorships::{FinishParams, MentorshipInput};
use crate::web::extract::{loose_version, optional_text, Checker, Loose};

#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct MentorshipBody {
    /// A mediator marked as mentor.
    #[schema(value_type = Option<i64>)]
    pub mentor_id: Option<Loose>,
    #[schema(value_type = Option<i64>)]
    pub apprentice_id: Option<Loose>,
    /// `YYYY-MM-DD`; default today.
    pub started_on: Option<String>,
    /// Resolved co-mediated cases that make the apprentice ready (at least 1).
    #[schema(value_type = Option<i64>)]
    pub target_cases: Option<Loose>,
    #[validate(length(max = 2000))]
    pub notes: Option<String>,
}

/// A whole number that must be there.
fn required_int(c: &mut Checker, field: &str, value: &Option<Loose>) -> i64 {
    let n = c.optional_int(field, value);
    if n.is_none() {
        c.add(field, Message::key("err-required"));
    }
    n.unwrap_or_default()
}

impl MentorshipBody {
    /// Reads the fields; the pairing rules themselves are checked by the service.
    ///
    /// # Errors
    /// 422 naming each unreadable or missing field.
    pub fn check(&self, today: NaiveDate) -> Result<MentorshipInput, AppError> {
        let mut c = Checker::validated(self);
        let mentor_id = required_int(&mut c, "mentor_id", &self.mentor_id);
        let apprentice_id = required_int(&mut c, "apprentice_id", &self.apprentice_id);
        let target_cases = required_int(&mut c, "target_cases", &self.target_cases);
        let started_on = c
            .optional_date("started_on", &self.started_on)
            .unwrap_or(today);
        c.finish(MentorshipInput {
            mentor_id,
            apprentice_id,
            started_on,
            target_cases,
            notes: optional_text(&self.notes).unwrap_or_default(),
        })
    }
}

/// A new pair as sent, with the day it is sent on (the start when none is given).
pub struct NewPair {
    pub body: MentorshipBody,
    pub today: NaiveDate,
}

impl Command for NewPair {
    type Params = MentorshipInput;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<MentorshipInput, AppError> {
        self.body.check(self.today)
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct FinishBody {
    /// `YYYY-MM-DD`; default today.
    pub on: Option<String>,
    /// Required to end a pair, and to graduate one before it reached its target.
    #[validate(length(max = 2000))]
    pub reason: Option<String>,
    #[schema(value_type = Option<i32>)]
    pub version: Option<Loose>,
}

impl FinishBody {
    /// # Errors
    /// 422 naming an unreadable day or version.
    pub fn check(&self) -> Result<FinishParams, AppError> {
        let mut c = Checker::validated(self);
        let on = c.optional_date("on", &self.on);
        c.optional_int("version", &self.version);
        c.finish(FinishParams {
            on,
            reason: optional_text(&self.reason),
        })
    }
}

/// `POST /mentorships/{id}/graduate` and `/end`, and the buttons of the pair's page.
impl Command for FinishBody {
    type Params = FinishParams;

    fn version(&self) -> Option<i32> {
        loose_version(&self.version)
    }

    fn params(self) -> Result<FinishParams, AppError> {
        self.check()
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct JointQuery {
    /// Received on or after this local day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Received on or before this local day, `YYYY-MM-DD`.
    pub to: Option<String>,
}

impl JointQuery {
    /// # Errors
    /// 422 naming an unreadable day.
    pub fn days(&self) -> Result<(Option<NaiveDate>, Option<NaiveDate>), AppError> {
        let mut c = Checker::default();
        let from = c.optional_date("from", &self.from);
        let to = c.optional_date("to", &self.to);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                c.add("to", Message::key("err-to-before-from"));
            }
        }
        c.finish((from, to))
    }
}
