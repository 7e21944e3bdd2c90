//! The early-warning shapes (预警): the list's query, an action on a warning, and the thresholds
//! of the four rules.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::warnings::{WarningAction, WarningKind, WarningStatus, WarningThresholds};
use crate::error::{AppError, Message};
use crate::services::command::Command;
use crate::services::warnings::WarningFilter;
use crate::web::extract::{Checker, Loose};

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct WarningsQuery {
    /// `respondent_repeat`, `applicant_return`, `station_surge` or `collective_forming`.
    pub kind: Option<String>,
    /// `open` or `closed` (default: both).
    pub status: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl WarningsQuery {
    /// # Errors
    /// 422 naming an unknown `kind` or `status`.
    pub fn filter(&self) -> Result<WarningFilter, AppError> {
        let mut c = Checker::default();
        let kind = c.optional_choice("kind", &self.kind, WarningKind::parse);
        let status = c.optional_choice("status", &self.status, WarningStatus::parse);
        c.finish(WarningFilter { kind, status })
    }
}

/// `note`: what was done (约谈平台企业, a consultation meeting), `text` required; `close`: done
/// with, `text` optional. `version` is the warning's, as last read.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct WarningActionBody {
    /// `note` or `close`.
    pub action: Option<String>,
    pub text: Option<String>,
    #[schema(value_type = i64)]
    pub version: Option<Loose>,
}

impl WarningActionBody {
    /// # Errors
    /// 422 naming `action`, `version` or `text` (too long).
    pub fn check(&self) -> Result<(WarningAction, Option<String>, i32), AppError> {
        let mut c = Checker::default();
        let action = c.choice("action", &self.action, WarningAction::parse);
        let version = match c.optional_int("version", &self.version) {
            Some(v) => i32::try_from(v).unwrap_or(-1),
            None => {
                c.add("version", Message::key("err-required"));
                0
            }
        };
        if self
            .text
            .as_deref()
            .is_some_and(|t| t.chars().count() > TEXT_MAX)
        {
            c.add(
                "text",
                Message::with("err-length-max", &[("max", TEXT_MAX.to_string())]),
            );
        }
        let action = c.finish(action)?;
        Ok((
            action.unwrap_or(WarningAction::Note),
            self.text.clone(),
            version,
        ))
    }
}

/// The longest note.
pub const TEXT_MAX: usize = 2_000;

/// The thresholds of the four rules; days count back from today, today included. A PUT replaces
/// them all.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct WarningSettingsBody {
    #[schema(value_type = i64, example = 90)]
    pub respondent_days: Option<Loose>,
    #[schema(value_type = i64, example = 5)]
    pub respondent_min_cases: Option<Loose>,
    #[schema(value_type = i64, example = 365)]
    pub applicant_days: Option<Loose>,
    #[schema(value_type = i64, example = 2)]
    pub applicant_min_cases: Option<Loose>,
    #[schema(value_type = i64, example = 30)]
    pub surge_recent_days: Option<Loose>,
    #[schema(value_type = i64, example = 180)]
    pub surge_baseline_days: Option<Loose>,
    #[schema(value_type = i64, example = 10)]
    pub surge_min_cases: Option<Loose>,
    #[schema(value_type = i64, example = 200)]
    pub surge_ratio_percent: Option<Loose>,
    #[schema(value_type = i64, example = 3)]
    pub collective_days: Option<Loose>,
    #[schema(value_type = i64, example = 3)]
    pub collective_min_cases: Option<Loose>,
}

impl WarningSettingsBody {
    fn get(&self, name: &str) -> &Option<Loose> {
        match name {
            "respondent_days" => &self.respondent_days,
            "respondent_min_cases" => &self.respondent_min_cases,
            "applicant_days" => &self.applicant_days,
            "applicant_min_cases" => &self.applicant_min_cases,
            "surge_recent_days" => &self.surge_recent_days,
            "surge_baseline_days" => &self.surge_baseline_days,
            "surge_min_cases" => &self.surge_min_cases,
            "surge_ratio_percent" => &self.surge_ratio_percent,
            "collective_days" => &self.collective_days,
            _ => &self.collective_min_cases,
        }
    }

    /// Reads the ten whole numbers, or 422 naming each missing or unreadable one (ranges are the
    /// service's to check).
    ///
    /// # Errors
    /// 422 with the field errors.
    pub fn check(&self) -> Result<WarningThresholds, AppError> {
        let mut c = Checker::default();
        let mut t = WarningThresholds::default();
        let names: Vec<&'static str> = t.fields().iter().map(|f| f.0).collect();
        for name in names {
            match c.optional_int(name, self.get(name)) {
                Some(n) => {
                    t.set(name, n);
                }
                None => c.add(name, Message::key("err-required")),
            }
        }
        c.finish(t)
    }
}

/// `PUT /settings/warnings` and the warning settings page.
impl Command for WarningSettingsBody {
    type Params = WarningThresholds;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<WarningThresholds, AppError> {
        self.check()
    }
}
