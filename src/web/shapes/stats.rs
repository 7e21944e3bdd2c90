//! The statistics' query: a range of local days and a unit.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{AppError, Message};
use crate::services::stats::StatsRange;
use crate::web::extract::Checker;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct StatsQuery {
    /// First local day, `YYYY-MM-DD` (default: the first day of the month eleven months before `to`).
    pub from: Option<String>,
    /// Last local day, inclusive (default: today).
    pub to: Option<String>,
    /// Only the cases at this unit now.
    pub unit_id: Option<String>,
}

impl StatsQuery {
    /// # Errors
    /// 422 naming `from`, `to` or `unit_id` when malformed, `to` when before `from`.
    pub fn range(&self, today: chrono::NaiveDate) -> Result<StatsRange, AppError> {
        let mut c = Checker::default();
        let from = c.optional_date("from", &self.from);
        let to = c.optional_date("to", &self.to);
        let unit_id = match self.unit_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => match text.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    c.add("unit_id", Message::key("err-whole-number"));
                    None
                }
            },
        };
        let (from, to, unit_id) = c.finish((from, to, unit_id))?;
        StatsRange::new(from, to, unit_id, today)
    }
}
