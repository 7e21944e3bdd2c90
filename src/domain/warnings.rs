//! Early warnings (预警, issue 16 item 3): the four rules that turn aggregated facts into a
//! warning, their thresholds (a setting, with defaults), and how a fresh finding merges into a
//! stored warning (a closed warning comes back only when new cases join it).
//!
//! The facts come from SQL aggregates in `services::warnings`; the rules here only judge them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// What a warning is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WarningKind {
    /// One employer or platform (the same normalised respondent name) with many cases lately.
    RespondentRepeat,
    /// An applicant (same ID number, or same phone) coming back in another case.
    ApplicantReturn,
    /// A unit taking in cases much faster than it used to.
    StationSurge,
    /// Several workers against one respondent within a few days, not yet grouped.
    CollectiveForming,
}

impl WarningKind {
    pub const ALL: [WarningKind; 4] = [
        WarningKind::RespondentRepeat,
        WarningKind::ApplicantReturn,
        WarningKind::StationSurge,
        WarningKind::CollectiveForming,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::RespondentRepeat => "respondent_repeat",
            WarningKind::ApplicantReturn => "applicant_return",
            WarningKind::StationSurge => "station_surge",
            WarningKind::CollectiveForming => "collective_forming",
        }
    }

    pub fn parse(s: &str) -> Option<WarningKind> {
        WarningKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Whether someone still has to act on a warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WarningStatus {
    Open,
    Closed,
}

impl WarningStatus {
    pub const ALL: [WarningStatus; 2] = [WarningStatus::Open, WarningStatus::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            WarningStatus::Open => "open",
            WarningStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<WarningStatus> {
        WarningStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a coordinator records on a warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WarningAction {
    /// What was done (约谈平台企业, a consultation meeting); the warning stays open.
    Note,
    /// Done with: closed, with an optional last word.
    Close,
}

impl WarningAction {
    pub const ALL: [WarningAction; 2] = [WarningAction::Note, WarningAction::Close];

    pub fn as_str(self) -> &'static str {
        match self {
            WarningAction::Note => "note",
            WarningAction::Close => "close",
        }
    }

    pub fn parse(s: &str) -> Option<WarningAction> {
        WarningAction::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A note says what was done; closing may say nothing more.
    pub fn needs_text(self) -> bool {
        self == WarningAction::Note
    }
}

/// What an entry of a warning's history is: a coordinator's [`WarningAction`], or a reopening (new
/// cases joined a closed warning; written by the system).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WarningEntryKind {
    Note,
    Close,
    Reopened,
}

impl WarningEntryKind {
    pub const ALL: [WarningEntryKind; 3] = [
        WarningEntryKind::Note,
        WarningEntryKind::Close,
        WarningEntryKind::Reopened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WarningEntryKind::Note => "note",
            WarningEntryKind::Close => "close",
            WarningEntryKind::Reopened => "reopened",
        }
    }

    pub fn parse(s: &str) -> Option<WarningEntryKind> {
        WarningEntryKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl From<WarningAction> for WarningEntryKind {
    fn from(action: WarningAction) -> Self {
        match action {
            WarningAction::Note => WarningEntryKind::Note,
            WarningAction::Close => WarningEntryKind::Close,
        }
    }
}

/// The thresholds of the four rules, stored as the `warning_thresholds` setting. Days are local
/// days counted back from today, today included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WarningThresholds {
    /// (a) Cases received within this many days count against a respondent…
    pub respondent_days: i64,
    /// …and this many of them raise the warning.
    pub respondent_min_cases: i64,
    /// (b) An applicant's cases received within this many days…
    pub applicant_days: i64,
    /// …this many of them (the first and its returns).
    pub applicant_min_cases: i64,
    /// (c) A unit's recent window…
    pub surge_recent_days: i64,
    /// …compared with the average of the same length over this many days before it…
    pub surge_baseline_days: i64,
    /// …with at least this many recent cases (so tiny numbers do not trigger)…
    pub surge_min_cases: i64,
    /// …and the recent count at least this percentage of the average.
    pub surge_ratio_percent: i64,
    /// (d) Ungrouped cases against one respondent within this many days…
    pub collective_days: i64,
    /// …this many of them.
    pub collective_min_cases: i64,
}

impl Default for WarningThresholds {
    fn default() -> WarningThresholds {
        WarningThresholds {
            respondent_days: 90,
            respondent_min_cases: 5,
            applicant_days: 365,
            applicant_min_cases: 2,
            surge_recent_days: 30,
            surge_baseline_days: 180,
            surge_min_cases: 10,
            surge_ratio_percent: 200,
            collective_days: 3,
            collective_min_cases: 3,
        }
    }
}

/// Why a threshold was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdProblem {
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// The baseline must be at least as long as the recent window it is compared with.
    BaselineShorterThanRecent,
}

impl WarningThresholds {
    /// Each field with its value and allowed range, in the order of the settings form.
    pub fn fields(&self) -> [(&'static str, i64, i64, i64); 10] {
        [
            ("respondent_days", self.respondent_days, 1, 730),
            ("respondent_min_cases", self.respondent_min_cases, 2, 10_000),
            ("applicant_days", self.applicant_days, 1, 3_650),
            ("applicant_min_cases", self.applicant_min_cases, 2, 1_000),
            ("surge_recent_days", self.surge_recent_days, 1, 365),
            ("surge_baseline_days", self.surge_baseline_days, 1, 1_825),
            ("surge_min_cases", self.surge_min_cases, 1, 100_000),
            ("surge_ratio_percent", self.surge_ratio_percent, 101, 10_000),
            ("collective_days", self.collective_days, 1, 30),
            ("collective_min_cases", self.collective_min_cases, 2, 1_000),
        ]
    }

    /// Sets the field `name` (one of [`Self::fields`]); false for an unknown name.
    pub fn set(&mut self, name: &str, value: i64) -> bool {
        let slot = match name {
            "respondent_days" => &mut self.respondent_days,
            "respondent_min_cases" => &mut self.respondent_min_cases,
            "applicant_days" => &mut self.applicant_days,
            "applicant_min_cases" => &mut self.applicant_min_cases,
            "surge_recent_days" => &mut self.surge_recent_days,
            "surge_baseline_days" => &mut self.surge_baseline_days,
            "surge_min_cases" => &mut self.surge_min_cases,
            "surge_ratio_percent" => &mut self.surge_ratio_percent,
            "collective_days" => &mut self.collective_days,
            "collective_min_cases" => &mut self.collective_min_cases,
            _ => return false,
        };
        *slot = value;
        true
    }

    /// Every refused field, named.
    pub fn problems(&self) -> BTreeMap<&'static str, ThresholdProblem> {
        let mut out = BTreeMap::new();
        for (name, value, min, max) in self.fields() {
            if !(min..=max).contains(&value) {
                out.insert(name, ThresholdProblem::OutOfRange { min, max });
            }
        }
        if !out.contains_key("surge_baseline_days")
            && !out.contains_key("surge_recent_days")
            && self.surge_baseline_days < self.surge_recent_days
        {
            out.insert(
                "surge_baseline_days",
                ThresholdProblem::BaselineShorterThanRecent,
            );
        }
        out
    }
}

/// The first local day of a window of `days` days ending today (today included).
pub fn window_start(today: NaiveDate, days: i64) -> NaiveDate {
    let back = u64::try_from(days.max(1) - 1).unwrap_or(0);
    today.checked_sub_days(Days::new(back)).unwrap_or(today)
}

/// (a) A respondent with `cases` cases in the window.
pub fn respondent_repeats(cases: i64, t: &WarningThresholds) -> bool {
    cases >= t.respondent_min_cases
}

/// (b) An applicant found in `cases` cases in the window.
pub fn applicant_returns(cases: i64, t: &WarningThresholds) -> bool {
    cases >= t.applicant_min_cases
}

/// (c) A unit with `recent` cases in the recent window and `past` in the baseline before it:
/// enough recent cases, and the recent count at least `surge_ratio_percent` % of the baseline's
/// average per window of the same length. A unit with no past at all surges once it has enough
/// recent cases.
pub fn station_surges(recent: i64, past: i64, t: &WarningThresholds) -> bool {
    if recent < t.surge_min_cases {
        return false;
    }
    // recent ≥ ratio/100 × past × recent_days / baseline_days, in whole numbers.
    let lhs = i128::from(recent) * 100 * i128::from(t.surge_baseline_days);
    let rhs =
        i128::from(t.surge_ratio_percent) * i128::from(past) * i128::from(t.surge_recent_days);
    lhs >= rhs
}

/// The baseline's average per recent window (one decimal), for display.
pub fn baseline_average(past: i64, t: &WarningThresholds) -> f64 {
    if t.surge_baseline_days <= 0 {
        return 0.0;
    }
    let avg = past as f64 * t.surge_recent_days as f64 / t.surge_baseline_days as f64;
    (avg * 10.0).round() / 10.0
}

/// (d) `cases` ungrouped cases against one respondent within the collective window.
pub fn collective_forming(cases: i64, t: &WarningThresholds) -> bool {
    cases >= t.collective_min_cases
}

/// What folds two spellings of one respondent name together, applied after trimming: spaces
/// (ASCII and ideographic) go, full-width brackets become ASCII ones; then ASCII letters are
/// lower-cased. The SQL that groups the names applies the same list (`services::warnings`).
pub const NAME_FOLDS: [(&str, &str); 4] = [(" ", ""), ("\u{3000}", ""), ("（", "("), ("）", ")")];

/// A respondent name as the grouping compares it.
pub fn normalise_name(name: &str) -> String {
    let mut s = name.trim().to_owned();
    for (from, to) in NAME_FOLDS {
        s = s.replace(from, to);
    }
    s.to_ascii_lowercase()
}

/// What a fresh finding does to the stored warning of the same kind and subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Merge {
    /// No such warning yet: raise it with these cases.
    Raise(Vec<i64>),
    /// Link these new cases; `reopen` when the warning was closed (new cases joined it).
    Join { cases: Vec<i64>, reopen: bool },
    /// Nothing new: a closed warning stays closed for the same cases.
    Nothing,
}

/// How `found` (the cases behind a finding now) merges into a stored warning with `status` that
/// already links `linked` of them (`None`: no stored warning).
pub fn merge(stored: Option<(WarningStatus, &BTreeSet<i64>)>, found: &[i64]) -> Merge {
    match stored {
        None => {
            let mut cases = found.to_vec();
            cases.sort_unstable();
            cases.dedup();
            Merge::Raise(cases)
        }
        Some((status, linked)) => {
            let mut new: Vec<i64> = found
                .iter()
                .copied()
                .filter(|c| !linked.contains(c))
                .collect();
            new.sort_unstable();
            new.dedup();
            if new.is_empty() {
                Merge::Nothing
            } else {
                Merge::Join {
                    cases: new,
                    reopen: status == WarningStatus::Closed,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warning_history_kinds_parse_by_their_names_and_actions_are_recorded_as_theirs() {
        for k in WarningEntryKind::ALL {
            assert_eq!(WarningEntryKind::parse(k.as_str()), Some(k));
        }
        for a in WarningAction::ALL {
            assert_eq!(WarningEntryKind::from(a).as_str(), a.as_str());
        }
        assert_eq!(WarningEntryKind::parse("deleted"), None);
    }

    fn t() -> WarningThresholds {
        WarningThresholds::default()
    }

    #[test]
    fn kinds_statuses_and_actions_read_back_their_names() {
        for k in WarningKind::ALL {
            assert_eq!(WarningKind::parse(k.as_str()), Some(k));
        }
        for s in WarningStatus::ALL {
            assert_eq!(WarningStatus::parse(s.as_str()), Some(s));
        }
        for a in WarningAction::ALL {
            assert_eq!(WarningAction::parse(a.as_str()), Some(a));
        }
        assert_eq!(WarningKind::parse("other"), None);
    }

    #[test]
    fn a_respondent_warns_at_its_threshold_and_not_one_below() {
        assert!(respondent_repeats(5, &t()));
        assert!(!respondent_repeats(4, &t()));
    }

    #[test]
    fn an_applicant_warns_on_the_first_return() {
        assert!(applicant_returns(2, &t()));
        assert!(!applicant_returns(1, &t()));
    }

    #[test]
    fn a_station_surges_when_doubling_its_average_with_enough_cases() {
        // Baseline 180 days = 6 windows of 30; 30 past cases = 5 per window; double is 10.
        assert!(station_surges(10, 30, &t()));
        assert!(!station_surges(9, 0, &t()), "tiny numbers do not trigger");
        assert!(!station_surges(11, 36, &t()), "11 < 2 × 6");
        assert!(station_surges(12, 36, &t()));
        assert!(station_surges(10, 0, &t()), "no past at all");
        assert!((baseline_average(36, &t()) - 6.0).abs() < 1e-9);
    }

    #[test]
    fn a_collective_dispute_forms_at_its_threshold() {
        assert!(collective_forming(3, &t()));
        assert!(!collective_forming(2, &t()));
    }

    #[test]
    fn windows_count_today() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(window_start(today, 1), today);
        assert_eq!(
            window_start(today, 90),
            NaiveDate::from_ymd_opt(2026, 9, 5).unwrap()
        );
    }

    #[test]
    fn names_fold_spaces_brackets_and_case() {
        assert_eq!(
            normalise_name(" 杭州某某 科技（集团）Co "),
            normalise_name("杭州某某科技(集团)co")
        );
        assert_eq!(normalise_name("甲\u{3000}公司"), "甲公司");
        assert_ne!(normalise_name("甲公司"), normalise_name("乙公司"));
    }

    #[test]
    fn the_defaults_pass_and_bad_values_are_named() {
        assert!(t().problems().is_empty());
        let mut bad = t();
        bad.respondent_min_cases = 1;
        bad.surge_ratio_percent = 100;
        let problems = bad.problems();
        assert_eq!(
            problems.get("respondent_min_cases"),
            Some(&ThresholdProblem::OutOfRange {
                min: 2,
                max: 10_000
            })
        );
        assert!(problems.contains_key("surge_ratio_percent"));
        assert_eq!(problems.len(), 2);
        let mut short = t();
        short.surge_baseline_days = 20;
        assert_eq!(
            short.problems().get("surge_baseline_days"),
            Some(&ThresholdProblem::BaselineShorterThanRecent)
        );
        let mut set = t();
        assert!(set.set("collective_days", 5));
        assert_eq!(set.collective_days, 5);
        assert!(!set.set("nothing", 5));
    }

    #[test]
    fn a_closed_warning_comes_back_only_when_new_cases_join_it() {
        let linked: BTreeSet<i64> = [1, 2, 3].into();
        assert_eq!(merge(None, &[3, 1, 2, 1]), Merge::Raise(vec![1, 2, 3]));
        assert_eq!(
            merge(Some((WarningStatus::Closed, &linked)), &[1, 2, 3]),
            Merge::Nothing
        );
        assert_eq!(
            merge(Some((WarningStatus::Closed, &linked)), &[2, 3]),
            Merge::Nothing,
            "fewer of the same cases"
        );
        assert_eq!(
            merge(Some((WarningStatus::Closed, &linked)), &[2, 3, 4]),
            Merge::Join {
                cases: vec![4],
                reopen: true
            }
        );
        assert_eq!(
            merge(Some((WarningStatus::Open, &linked)), &[4, 5]),
            Merge::Join {
                cases: vec![4, 5],
                reopen: false
            }
        );
    }
}
