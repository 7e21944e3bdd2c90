//! The calendar's shapes: a holiday or working weekend day as the calendar page's form and
//! `POST /calendar/days` send it, and the date of a removal.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::domain::clocks::DayKind;
use crate::error::{AppError, Message};
use crate::services::calendar::CalendarDay;
use crate::services::command::Command;
use crate::web::extract::Checker;

/// A calendar entry as sent by a form or a JSON client. Every field is optional here so that a
/// missing one is reported by name (422) rather than as unreadable JSON.
#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct CalendarDayBody {
    /// `YYYY-MM-DD`.
    #[schema(example = "2026-10-01")]
    pub date: Option<String>,
    /// `holiday` (a statutory holiday) or `workday` (a Saturday or Sunday declared a working day).
    pub kind: Option<String>,
    /// What the day is, e.g. `国庆节` or `国庆节调休上班`.
    #[validate(length(max = 100))]
    pub name: Option<String>,
}

impl CalendarDayBody {
    /// Checks every field, or 422 naming each wrong one.
    ///
    /// # Errors
    /// 422 with the field errors.
    pub fn check(&self) -> Result<CalendarDay, AppError> {
        let mut c = Checker::validated(self);
        let date = required_date(&mut c, "date", &self.date);
        let kind = c.choice("kind", &self.kind, DayKind::parse);
        let name = c.text("name", &self.name);
        c.finish(CalendarDay {
            day: date.unwrap_or_default(),
            kind: kind.unwrap_or(DayKind::Holiday),
            name,
        })
    }
}

/// `POST /calendar/days` and the calendar page's form.
impl Command for CalendarDayBody {
    type Params = CalendarDay;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<CalendarDay, AppError> {
        self.check()
    }
}

/// The date of `DELETE /calendar/days/{date}` and of the page's remove button, as typed.
pub struct DayInPath<'a>(pub &'a str);

impl Command for DayInPath<'_> {
    type Params = NaiveDate;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<NaiveDate, AppError> {
        path_date(self.0)
    }
}

/// A required date `YYYY-MM-DD`.
fn required_date(c: &mut Checker, field: &str, value: &Option<String>) -> Option<NaiveDate> {
    let date = c.optional_date(field, value);
    if date.is_none() {
        c.add(field, Message::key("err-required"));
    }
    date
}

/// A date of the path, or 422 naming `date`.
///
/// # Errors
/// 422 naming `date` when it is not `YYYY-MM-DD`.
pub fn path_date(text: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field("date", Message::key("err-date")))
}
