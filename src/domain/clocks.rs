//! All calendar arithmetic of DESIGN §3 "Clocks": rest days, legal periods, the mediation limit,
//! judicial confirmation, arbitration limitation, the local-time bounds of subsidy periods and office
//! hours.
//!
//! Pure: the caller reads the calendar table and the street's time zone and passes them in. Instants are
//! UTC; "days" are local dates in the street's zone. The clocks are shown and warned about, never used
//! to block an action.
//!
//! Periods in days follow 民法典 arts. 201–203: the day of the event is not counted (art. 201), a period
//! in years ends on the corresponding day (art. 202), the period ends at 24:00 of its last day and a last
//! day that is a rest day moves to the next working day (art. 203).

use std::collections::BTreeMap;
use std::fmt;

use chrono::{
    DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, Offset, TimeDelta, TimeZone, Timelike,
    Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// 劳动争议调解仲裁法 art. 14: mediation that reaches no agreement within 15 days may be left for
/// arbitration.
pub const MEDIATION_LIMIT_DAYS: u32 = 15;
/// DESIGN §3 `extend`: with both parties' consent, at most 15 more days at a time.
pub const MAX_EXTENSION_DAYS: u32 = 15;
/// DESIGN §3: a deadline is "due soon" when its last day is at most this many days away.
pub const DUE_SOON_DAYS: i64 = 3;
/// 人民调解法 art. 33: the parties may apply jointly for judicial confirmation within 30 days.
pub const CONFIRMATION_PERIOD_DAYS: u32 = 30;

// ---------------------------------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------------------------------

/// The kind of a calendar-table entry: a statutory holiday, or a weekend day declared a working day
/// (调休上班).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Holiday,
    Workday,
}

impl DayKind {
    pub const ALL: [Self; 2] = [Self::Holiday, Self::Workday];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::Workday => "workday",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "holiday" => Some(Self::Holiday),
            "workday" => Some(Self::Workday),
            _ => None,
        }
    }
}

/// Rest days: Saturdays and Sundays, except those declared working days, plus the declared holidays.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    overrides: BTreeMap<NaiveDate, DayKind>,
}

impl Calendar {
    /// A calendar from the entries of the calendar table. A later entry for the same date replaces an
    /// earlier one.
    pub fn new<I>(entries: I) -> Self
    where
        I: IntoIterator<Item = (NaiveDate, DayKind)>,
    {
        Self {
            overrides: entries.into_iter().collect(),
        }
    }

    /// Whether `date` is a rest day: a declared holiday, or a Saturday or Sunday not declared a working
    /// day.
    pub fn is_rest_day(&self, date: NaiveDate) -> bool {
        match self.overrides.get(&date) {
            Some(DayKind::Holiday) => true,
            Some(DayKind::Workday) => false,
            None => matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// `date` itself if it is a working day, otherwise the first working day after it (民法典 art. 203:
    /// a last day that is a rest day moves to the day after the rest days end).
    ///
    /// Terminates: the table is finite, so past its last entry a working day comes within three days.
    /// At the very end of the representable dates it stops at `NaiveDate::MAX`.
    pub fn next_working_day_on_or_after(&self, date: NaiveDate) -> NaiveDate {
        let mut day = date;
        while self.is_rest_day(day) {
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        day
    }
}

const fn d2026(month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(2026, month, day) {
        Some(date) => date,
        // Only ever evaluated while building the constant below, so a bad date fails the build.
        None => panic!("not a date in 2026"),
    }
}

/// The 2026 holiday notice of the State Council General Office (国办, 4 Nov 2025).
const SEED_2026: [(NaiveDate, DayKind, &str); 39] = [
    (d2026(1, 1), DayKind::Holiday, "元旦"),
    (d2026(1, 2), DayKind::Holiday, "元旦"),
    (d2026(1, 3), DayKind::Holiday, "元旦"),
    (d2026(1, 4), DayKind::Workday, "元旦调休上班"),
    (d2026(2, 14), DayKind::Workday, "春节调休上班"),
    (d2026(2, 15), DayKind::Holiday, "春节"),
    (d2026(2, 16), DayKind::Holiday, "春节"),
    (d2026(2, 17), DayKind::Holiday, "春节"),
    (d2026(2, 18), DayKind::Holiday, "春节"),
    (d2026(2, 19), DayKind::Holiday, "春节"),
    (d2026(2, 20), DayKind::Holiday, "春节"),
    (d2026(2, 21), DayKind::Holiday, "春节"),
    (d2026(2, 22), DayKind::Holiday, "春节"),
    (d2026(2, 23), DayKind::Holiday, "春节"),
    (d2026(2, 28), DayKind::Workday, "春节调休上班"),
    (d2026(4, 4), DayKind::Holiday, "清明节"),
    (d2026(4, 5), DayKind::Holiday, "清明节"),
    (d2026(4, 6), DayKind::Holiday, "清明节"),
    (d2026(5, 1), DayKind::Holiday, "劳动节"),
    (d2026(5, 2), DayKind::Holiday, "劳动节"),
    (d2026(5, 3), DayKind::Holiday, "劳动节"),
    (d2026(5, 4), DayKind::Holiday, "劳动节"),
    (d2026(5, 5), DayKind::Holiday, "劳动节"),
    (d2026(5, 9), DayKind::Workday, "劳动节调休上班"),
    (d2026(6, 19), DayKind::Holiday, "端午节"),
    (d2026(6, 20), DayKind::Holiday, "端午节"),
    (d2026(6, 21), DayKind::Holiday, "端午节"),
    (d2026(9, 20), DayKind::Workday, "国庆节调休上班"),
    (d2026(9, 25), DayKind::Holiday, "中秋节"),
    (d2026(9, 26), DayKind::Holiday, "中秋节"),
    (d2026(9, 27), DayKind::Holiday, "中秋节"),
    (d2026(10, 1), DayKind::Holiday, "国庆节"),
    (d2026(10, 2), DayKind::Holiday, "国庆节"),
    (d2026(10, 3), DayKind::Holiday, "国庆节"),
    (d2026(10, 4), DayKind::Holiday, "国庆节"),
    (d2026(10, 5), DayKind::Holiday, "国庆节"),
    (d2026(10, 6), DayKind::Holiday, "国庆节"),
    (d2026(10, 7), DayKind::Holiday, "国庆节"),
    (d2026(10, 10), DayKind::Workday, "国庆节调休上班"),
];

/// The seed rows of the calendar table for 2026: `(date, kind, name)`, in date order.
pub fn seeded_2026() -> Vec<(NaiveDate, DayKind, &'static str)> {
    SEED_2026.to_vec()
}

// ---------------------------------------------------------------------------------------------------
// Local days
// ---------------------------------------------------------------------------------------------------

/// The local date of an instant in the street's time zone.
pub fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The local year of an instant (case numbers and subsidy periods use it).
pub fn local_year(at: DateTime<Utc>, tz: Tz) -> i32 {
    local_date(at, tz).year()
}

/// The first instant of a local date (00:00 local), in UTC.
///
/// When clocks go back across midnight, the earlier midnight; when midnight is skipped by a clock
/// change, the first local time that exists that day (the instant of the change).
pub fn start_of_local_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    if let Some(start) = tz.from_local_datetime(&midnight).earliest() {
        return start.with_timezone(&Utc);
    }
    // Midnight falls in a gap. Gaps are at most a day long (Pacific/Apia skipped 30 Dec 2011), so
    // probing minute by minute for two days finds the end of it.
    let mut probe = midnight;
    for _ in 0..(2 * 24 * 60) {
        probe = match probe.checked_add_signed(TimeDelta::minutes(1)) {
            Some(next) => next,
            None => break,
        };
        if let Some(start) = tz.from_local_datetime(&probe).earliest() {
            return start.with_timezone(&Utc);
        }
    }
    // Only at the edge of the representable range: read midnight with the offset in force at the UTC
    // instant of the same wall-clock reading.
    let offset = TimeDelta::seconds(i64::from(
        tz.offset_from_utc_datetime(&midnight)
            .fix()
            .local_minus_utc(),
    ));
    Utc.from_utc_datetime(&midnight.checked_sub_signed(offset).unwrap_or(midnight))
}

/// 24:00 local time of `date`, which is the start of the next local day, in UTC: the instant a period
/// whose last day is `date` has ended (民法典 art. 203).
pub fn end_of_local_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    match date.succ_opt() {
        Some(next) => start_of_local_day(next, tz),
        None => DateTime::<Utc>::MAX_UTC,
    }
}

// ---------------------------------------------------------------------------------------------------
// Office hours
// ---------------------------------------------------------------------------------------------------

/// When a mediation office receives the parties, local time: sessions are held and agreements
/// signed between these.
pub const OFFICE_OPENS: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => panic!("09:00 is a time"),
};
pub const OFFICE_CLOSES: NaiveTime = match NaiveTime::from_hms_opt(17, 30, 0) {
    Some(t) => t,
    None => panic!("17:30 is a time"),
};

/// Whether an instant falls in office hours (opening and closing included) in the street's zone.
pub fn is_office_hours(at: DateTime<Utc>, tz: Tz) -> bool {
    let time = at.with_timezone(&tz).time();
    (OFFICE_OPENS..=OFFICE_CLOSES).contains(&time)
}

/// `at` moved into the office hours of its local day, keeping its place in the day: 00:00 local
/// becomes 09:00 and the day's last minute 17:25, on five-minute steps, so that the moments of one
/// day keep their order and later days stay later.
pub fn within_office_hours(at: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let local = at.with_timezone(&tz);
    let minute_of_day = i64::from(local.hour() * 60 + local.minute());
    let span = (OFFICE_CLOSES - OFFICE_OPENS).num_minutes();
    let offset = minute_of_day * span / (24 * 60) / 5 * 5;
    local_instant(
        local.date_naive(),
        OFFICE_OPENS + TimeDelta::minutes(offset),
        tz,
    )
}

/// The last moment of office hours at or before `at`: `at` itself during them, else the closing
/// time of the same day (after hours) or of the day before (before opening).
pub fn latest_office_moment(at: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let local = at.with_timezone(&tz);
    let (date, time) = (local.date_naive(), local.time());
    if time > OFFICE_CLOSES {
        local_instant(date, OFFICE_CLOSES, tz)
    } else if time < OFFICE_OPENS {
        local_instant(date.pred_opt().unwrap_or(date), OFFICE_CLOSES, tz)
    } else {
        at
    }
}

/// A local date and time of day in UTC: the earlier reading when clocks go back, and the time
/// after midnight counted on from the start of the day when clocks skip over it.
fn local_instant(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&date.and_time(time)).earliest() {
        Some(at) => at.with_timezone(&Utc),
        None => start_of_local_day(date, tz) + (time - NaiveTime::MIN),
    }
}

/// The local last day of a period that ends at `deadline_at` (24:00 of its last day): the local date of
/// the instant one second earlier.
pub fn deadline_last_day(deadline_at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    let last_moment = deadline_at
        .checked_sub_signed(TimeDelta::seconds(1))
        .unwrap_or(deadline_at);
    local_date(last_moment, tz)
}

fn add_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

/// The last day of a period of `days` days starting on the day of an event on `start`.
///
/// 民法典 art. 201: the day of the event is not counted, so the period's last day is `start + days`;
/// art. 203: if that is a rest day, the next working day.
pub fn period_last_day(start: NaiveDate, days: u32, cal: &Calendar) -> NaiveDate {
    cal.next_working_day_on_or_after(add_days(start, days))
}

/// The corresponding day one year after `start` (民法典 art. 202): same month and day of the next year,
/// or the month's last day when the next year has no such day (29 Feb → 28 Feb). Not yet moved off a
/// rest day.
pub fn corresponding_day_next_year(start: NaiveDate) -> NaiveDate {
    // chrono clamps to the end of the month, which is exactly art. 202's rule.
    start
        .checked_add_months(Months::new(12))
        .unwrap_or(NaiveDate::MAX)
}

// ---------------------------------------------------------------------------------------------------
// Mediation limit (劳动争议调解仲裁法 art. 14)
// ---------------------------------------------------------------------------------------------------

/// `deadline_at` of a new case: 24:00 local of the 15th day after the local date of receipt, the
/// rest-day rule applied. A case received at 23:30 local counts from that local date.
pub fn mediation_deadline(received_at: DateTime<Utc>, tz: Tz, cal: &Calendar) -> DateTime<Utc> {
    let last_day = period_last_day(local_date(received_at, tz), MEDIATION_LIMIT_DAYS, cal);
    end_of_local_day(last_day, tz)
}

/// The deadline after an `extend` by `days` (1..=15) with both parties' consent: `days` are added to the
/// current last day (itself possibly already moved off a rest day), then the rest-day rule applies
/// again.
pub fn extend_deadline(
    current_deadline: DateTime<Utc>,
    days: u32,
    tz: Tz,
    cal: &Calendar,
) -> Result<DateTime<Utc>, ClockError> {
    if !(1..=MAX_EXTENSION_DAYS).contains(&days) {
        return Err(ClockError::ExtensionDaysOutOfRange { days });
    }
    let last_day = period_last_day(deadline_last_day(current_deadline, tz), days, cal);
    Ok(end_of_local_day(last_day, tz))
}

/// Where a case stands against its mediation deadline.
///
/// Only meaningful while the case is open and not yet agreed: the caller shows neither `due_soon` nor
/// `overdue` for `agreed` or `closed` cases (DESIGN §3: "overdue" only "while not agreed/closed").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    Open,
    DueSoon,
    Overdue,
}

/// Days from today's local date to the local last day of the deadline: 0 on the last day itself,
/// negative once it has passed. The caller ignores it for agreed or closed cases.
pub fn days_left(deadline_at: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> i64 {
    (deadline_last_day(deadline_at, tz) - local_date(now, tz)).num_days()
}

/// `Overdue` from `deadline_at` on; `DueSoon` while at most three days remain (counting the last day:
/// `days_left` in 0..=3); `Open` before that. The caller ignores it for agreed or closed cases.
pub fn deadline_state(deadline_at: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> DeadlineState {
    if now >= deadline_at {
        DeadlineState::Overdue
    } else if days_left(deadline_at, now, tz) <= DUE_SOON_DAYS {
        DeadlineState::DueSoon
    } else {
        DeadlineState::Open
    }
}

// ---------------------------------------------------------------------------------------------------
// Judicial confirmation (人民调解法 art. 33)
// ---------------------------------------------------------------------------------------------------

/// The last day on which the parties may jointly apply for judicial confirmation of an agreement: 30
/// days from the local date of `signed_at` (the agreement takes effect on signing), rest-day rule
/// applied.
pub fn confirmation_last_day(signed_at: DateTime<Utc>, tz: Tz, cal: &Calendar) -> NaiveDate {
    period_last_day(local_date(signed_at, tz), CONFIRMATION_PERIOD_DAYS, cal)
}

// ---------------------------------------------------------------------------------------------------
// Arbitration limitation (劳动争议调解仲裁法 art. 27)
// ---------------------------------------------------------------------------------------------------

/// Which rule of art. 27 gave `limitation_ends_on` (DESIGN §6 "Case fields").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitationRule {
    /// Wage arrears while the employment continues: no limitation (art. 27 ¶4). No date.
    WageArrearsUnlimited,
    /// The year had already run out before the local date of receipt: that last day, with a warning.
    LapsedBeforeApplication,
    /// The application for mediation interrupted the year (art. 27 ¶2): one year from the local date of
    /// receipt.
    InterruptedByApplication,
    /// Not wage arrears and no `infringement_known_on`: no date can be given.
    Unknown,
}

impl LimitationRule {
    pub const ALL: [Self; 4] = [
        Self::WageArrearsUnlimited,
        Self::LapsedBeforeApplication,
        Self::InterruptedByApplication,
        Self::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::WageArrearsUnlimited => "wage_arrears_unlimited",
            Self::LapsedBeforeApplication => "lapsed_before_application",
            Self::InterruptedByApplication => "interrupted_by_application",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "wage_arrears_unlimited" => Some(Self::WageArrearsUnlimited),
            "lapsed_before_application" => Some(Self::LapsedBeforeApplication),
            "interrupted_by_application" => Some(Self::InterruptedByApplication),
            "unknown" => Some(Self::Unknown),
            _ => None,
        }
    }
}

/// `limitation_rule` and `limitation_ends_on` of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limitation {
    pub rule: LimitationRule,
    pub last_day: Option<NaiveDate>,
}

/// The arbitration limitation of DESIGN §6 "Case fields", rules tried in this order:
///
/// 1. wage arrears with no `employment_ended_on`: `wage_arrears_unlimited`, no date (art. 27 ¶4);
/// 2. not wage arrears and no `infringement_known_on`: `unknown`, no date;
/// 3. the year from `employment_ended_on` (wage arrears) or `infringement_known_on` (otherwise) —
///    corresponding day (民法典 art. 202), rest-day rule (art. 203) — ended before the local date of
///    receipt: `lapsed_before_application` with that last day. An application on the last day itself is
///    in time;
/// 4. otherwise `interrupted_by_application`: art. 27 ¶2 restarts the year on the application, so one
///    year from the local date of receipt, corresponding day, rest-day rule applied.
pub fn arbitration_limitation(
    is_wage_arrears: bool,
    received_at: DateTime<Utc>,
    infringement_known_on: Option<NaiveDate>,
    employment_ended_on: Option<NaiveDate>,
    tz: Tz,
    cal: &Calendar,
) -> Limitation {
    // For wage arrears the year runs from the end of the employment (art. 27 ¶4), not from when the
    // worker learnt of the arrears.
    let year_starts_on = if is_wage_arrears {
        employment_ended_on
    } else {
        infringement_known_on
    };
    let Some(start) = year_starts_on else {
        let rule = if is_wage_arrears {
            LimitationRule::WageArrearsUnlimited
        } else {
            LimitationRule::Unknown
        };
        return Limitation {
            rule,
            last_day: None,
        };
    };

    let received_on = local_date(received_at, tz);
    let original_last_day = cal.next_working_day_on_or_after(corresponding_day_next_year(start));
    if original_last_day < received_on {
        return Limitation {
            rule: LimitationRule::LapsedBeforeApplication,
            last_day: Some(original_last_day),
        };
    }
    Limitation {
        rule: LimitationRule::InterruptedByApplication,
        last_day: Some(cal.next_working_day_on_or_after(corresponding_day_next_year(received_on))),
    }
}

// ---------------------------------------------------------------------------------------------------
// Subsidy periods (DESIGN §5)
// ---------------------------------------------------------------------------------------------------

/// The half-open instant range `[start, end)` of a calendar month in the street's time zone: local
/// midnight of its first day to local midnight of the next month's first day.
pub fn month_bounds(
    year: i32,
    month: u32,
    tz: Tz,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ClockError> {
    if !(1..=12).contains(&month) {
        return Err(ClockError::InvalidMonth { month });
    }
    months_bounds(year, month, 1, tz)
}

/// The half-open instant range `[start, end)` of a calendar quarter (1..=4) in the street's time zone.
pub fn quarter_bounds(
    year: i32,
    quarter: u32,
    tz: Tz,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ClockError> {
    if !(1..=4).contains(&quarter) {
        return Err(ClockError::InvalidQuarter { quarter });
    }
    months_bounds(year, (quarter - 1) * 3 + 1, 3, tz)
}

/// `[start, end)` of `count` months from the first day of `first_month` (already checked to be 1..=12).
fn months_bounds(
    year: i32,
    first_month: u32,
    count: u32,
    tz: Tz,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ClockError> {
    let first_day =
        NaiveDate::from_ymd_opt(year, first_month, 1).ok_or(ClockError::YearOutOfRange { year })?;
    let next_first_day = first_day
        .checked_add_months(Months::new(count))
        .ok_or(ClockError::YearOutOfRange { year })?;
    Ok((
        start_of_local_day(first_day, tz),
        start_of_local_day(next_first_day, tz),
    ))
}

// ---------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------

/// Inputs the clocks refuse. The Display text is Chinese, for the UI and API messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockError {
    /// `extend` takes 1 to 15 days (DESIGN §3).
    ExtensionDaysOutOfRange { days: u32 },
    /// A month outside 1..=12.
    InvalidMonth { month: u32 },
    /// A quarter outside 1..=4.
    InvalidQuarter { quarter: u32 },
    /// A year beyond the dates the calendar can represent.
    YearOutOfRange { year: i32 },
}

impl fmt::Display for ClockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ExtensionDaysOutOfRange { days } => write!(
                f,
                "延长天数须为 1 至 {MAX_EXTENSION_DAYS} 天，收到 {days} 天"
            ),
            Self::InvalidMonth { month } => write!(f, "月份须为 1 至 12，收到 {month}"),
            Self::InvalidQuarter { quarter } => write!(f, "季度须为 1 至 4，收到 {quarter}"),
            Self::YearOutOfRange { year } => write!(f, "年份 {year} 超出可计算的范围"),
        }
    }
}

impl std::error::Error for ClockError {}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    // --- office hours ---------------------------------------------------------------------------

    fn local_hm(at: DateTime<Utc>) -> String {
        at.with_timezone(&Shanghai)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    #[test]
    fn a_late_evening_moment_moves_into_the_late_afternoon_of_the_same_local_day() {
        // 22:50 local (14:50Z) is 1370/1440 of the day: 09:00 + 485 of the 510 office minutes.
        let at = within_office_hours(utc("2026-11-20T14:50:00Z"), Shanghai);
        assert_eq!(local_hm(at), "2026-11-20 17:05");
        assert_eq!(at, utc("2026-11-20T09:05:00Z"));
        assert!(is_office_hours(at, Shanghai));
    }

    #[test]
    fn midnight_opens_the_office_and_the_last_minute_is_before_closing() {
        assert_eq!(
            local_hm(within_office_hours(utc("2026-11-19T16:00:00Z"), Shanghai)),
            "2026-11-20 09:00"
        );
        assert_eq!(
            local_hm(within_office_hours(utc("2026-11-20T15:59:59Z"), Shanghai)),
            "2026-11-20 17:25"
        );
    }

    #[test]
    fn moments_keep_their_order_when_moved_into_office_hours() {
        let start = utc("2026-11-19T16:00:00Z");
        let mut previous = within_office_hours(start, Shanghai);
        for minutes in (0..3 * 24 * 60).step_by(7) {
            let moved = within_office_hours(start + TimeDelta::minutes(minutes), Shanghai);
            assert!(moved >= previous);
            assert!(is_office_hours(moved, Shanghai), "{}", local_hm(moved));
            previous = moved;
        }
    }

    #[test]
    fn the_latest_office_moment_is_now_during_hours_else_the_last_closing() {
        let during = utc("2026-11-20T03:00:00Z"); // 11:00 local
        assert_eq!(latest_office_moment(during, Shanghai), during);
        assert_eq!(
            local_hm(latest_office_moment(utc("2026-11-20T14:50:00Z"), Shanghai)),
            "2026-11-20 17:30"
        );
        assert_eq!(
            local_hm(latest_office_moment(utc("2026-11-19T23:00:00Z"), Shanghai)),
            "2026-11-19 17:30"
        );
    }

    #[test]
    fn office_hours_follow_a_zone_with_summer_time() {
        // London on the day clocks go forward (29 Mar 2026): 09:00 local is 08:00Z.
        let london = chrono_tz::Europe::London;
        let at = within_office_hours(utc("2026-03-29T00:00:00Z"), london);
        assert_eq!(at, utc("2026-03-29T08:00:00Z"));
        assert!(is_office_hours(at, london));
    }

    fn cal() -> Calendar {
        Calendar::new(seeded_2026().into_iter().map(|(d, k, _)| (d, k)))
    }

    // --- calendar -----------------------------------------------------------------------------

    #[test]
    fn the_2026_seed_has_thirty_three_holidays_and_six_working_weekend_days() {
        let seed = seeded_2026();
        let holidays = seed.iter().filter(|e| e.1 == DayKind::Holiday).count();
        let workdays: Vec<NaiveDate> = seed
            .iter()
            .filter(|e| e.1 == DayKind::Workday)
            .map(|e| e.0)
            .collect();
        assert_eq!(holidays, 3 + 9 + 3 + 5 + 3 + 3 + 7);
        assert_eq!(
            workdays,
            [
                date(2026, 1, 4),
                date(2026, 2, 14),
                date(2026, 2, 28),
                date(2026, 5, 9),
                date(2026, 9, 20),
                date(2026, 10, 10)
            ]
        );
        for d in workdays {
            assert!(matches!(d.weekday(), Weekday::Sat | Weekday::Sun), "{d}");
        }
        assert!(seed.windows(2).all(|w| w[0].0 < w[1].0), "in date order");
        assert!(seed.iter().all(|e| e.0.year() == 2026));
    }

    #[test]
    fn the_2026_seed_names_each_holiday_and_each_working_day() {
        let seed = seeded_2026();
        let name_of = |d: NaiveDate| seed.iter().find(|e| e.0 == d).map(|e| e.2);
        assert_eq!(name_of(date(2026, 1, 1)), Some("元旦"));
        assert_eq!(name_of(date(2026, 1, 4)), Some("元旦调休上班"));
        assert_eq!(name_of(date(2026, 2, 23)), Some("春节"));
        assert_eq!(name_of(date(2026, 2, 28)), Some("春节调休上班"));
        assert_eq!(name_of(date(2026, 4, 6)), Some("清明节"));
        assert_eq!(name_of(date(2026, 5, 9)), Some("劳动节调休上班"));
        assert_eq!(name_of(date(2026, 6, 19)), Some("端午节"));
        assert_eq!(name_of(date(2026, 9, 27)), Some("中秋节"));
        assert_eq!(name_of(date(2026, 10, 7)), Some("国庆节"));
        assert_eq!(name_of(date(2026, 10, 10)), Some("国庆节调休上班"));
        assert_eq!(name_of(date(2026, 10, 8)), None);
    }

    #[test]
    fn an_ordinary_saturday_and_sunday_are_rest_days_and_a_monday_is_not() {
        let c = cal();
        assert!(c.is_rest_day(date(2026, 3, 7)));
        assert!(c.is_rest_day(date(2026, 3, 8)));
        assert!(!c.is_rest_day(date(2026, 3, 9)));
    }

    #[test]
    fn a_declared_working_saturday_is_not_a_rest_day() {
        assert!(!cal().is_rest_day(date(2026, 2, 28)));
        assert!(!cal().is_rest_day(date(2026, 1, 4)));
    }

    #[test]
    fn a_holiday_on_a_weekday_is_a_rest_day() {
        // 1 Oct 2026 is a Thursday.
        assert_eq!(date(2026, 10, 1).weekday(), Weekday::Thu);
        assert!(cal().is_rest_day(date(2026, 10, 1)));
    }

    #[test]
    fn an_empty_calendar_rests_on_weekends_only() {
        let c = Calendar::default();
        assert!(!c.is_rest_day(date(2026, 10, 1)));
        assert!(c.is_rest_day(date(2026, 2, 28)));
    }

    #[test]
    fn a_later_calendar_entry_for_the_same_date_replaces_an_earlier_one() {
        let d = date(2026, 3, 9);
        let c = Calendar::new([(d, DayKind::Holiday), (d, DayKind::Workday)]);
        assert!(!c.is_rest_day(d));
    }

    #[test]
    fn a_working_day_is_its_own_next_working_day() {
        assert_eq!(
            cal().next_working_day_on_or_after(date(2026, 3, 9)),
            date(2026, 3, 9)
        );
    }

    #[test]
    fn a_saturday_moves_to_the_monday() {
        assert_eq!(
            cal().next_working_day_on_or_after(date(2026, 3, 7)),
            date(2026, 3, 9)
        );
    }

    #[test]
    fn a_day_in_the_spring_festival_moves_past_the_whole_holiday() {
        assert_eq!(
            cal().next_working_day_on_or_after(date(2026, 2, 15)),
            date(2026, 2, 24)
        );
    }

    #[test]
    fn the_last_representable_date_does_not_loop_forever() {
        let c = Calendar::new([(NaiveDate::MAX, DayKind::Holiday)]);
        assert_eq!(
            c.next_working_day_on_or_after(NaiveDate::MAX),
            NaiveDate::MAX
        );
    }

    #[test]
    fn day_kinds_round_trip_through_their_names() {
        for k in DayKind::ALL {
            assert_eq!(DayKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
        }
    }

    // --- local days ---------------------------------------------------------------------------

    #[test]
    fn a_quarter_to_midnight_local_is_still_that_local_day() {
        // 23:30 in Shanghai is 15:30 UTC the same date.
        assert_eq!(
            local_date(utc("2026-03-05T15:30:00Z"), Shanghai),
            date(2026, 3, 5)
        );
    }

    #[test]
    fn half_past_midnight_local_is_the_next_day_although_utc_is_still_the_day_before() {
        assert_eq!(
            local_date(utc("2026-03-05T16:30:00Z"), Shanghai),
            date(2026, 3, 6)
        );
    }

    #[test]
    fn the_local_year_turns_at_local_midnight() {
        assert_eq!(local_year(utc("2026-12-31T15:59:59Z"), Shanghai), 2026);
        assert_eq!(local_year(utc("2026-12-31T16:00:00Z"), Shanghai), 2027);
    }

    #[test]
    fn the_end_of_a_local_day_is_the_next_local_midnight_in_utc() {
        assert_eq!(
            end_of_local_day(date(2026, 3, 20), Shanghai),
            utc("2026-03-20T16:00:00Z")
        );
        assert_eq!(
            start_of_local_day(date(2026, 3, 20), Shanghai),
            utc("2026-03-19T16:00:00Z")
        );
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_when_the_clocks_jump() {
        // São Paulo went from 00:00 -03 straight to 01:00 -02 on 4 Nov 2018.
        let tz = chrono_tz::America::Sao_Paulo;
        assert_eq!(
            start_of_local_day(date(2018, 11, 4), tz),
            utc("2018-11-04T03:00:00Z")
        );
        assert_eq!(
            end_of_local_day(date(2018, 11, 3), tz),
            utc("2018-11-04T03:00:00Z")
        );
    }

    #[test]
    fn a_day_whose_midnight_happens_twice_starts_at_the_first() {
        // Havana went from 01:00 CDT (-04) back to 00:00 CST (-05) on 5 Nov 2023.
        let tz = chrono_tz::America::Havana;
        assert_eq!(
            start_of_local_day(date(2023, 11, 5), tz),
            utc("2023-11-05T04:00:00Z")
        );
    }

    #[test]
    fn the_end_of_the_last_representable_day_is_the_last_instant() {
        assert_eq!(
            end_of_local_day(NaiveDate::MAX, Shanghai),
            DateTime::<Utc>::MAX_UTC
        );
    }

    #[test]
    fn the_last_day_of_a_deadline_is_the_day_before_its_midnight() {
        assert_eq!(
            deadline_last_day(utc("2026-03-20T16:00:00Z"), Shanghai),
            date(2026, 3, 20)
        );
    }

    // --- periods ------------------------------------------------------------------------------

    #[test]
    fn the_day_of_the_event_is_not_counted() {
        // Event on Thursday 5 Mar; 15 days later is Friday 20 Mar.
        assert_eq!(
            period_last_day(date(2026, 3, 5), 15, &cal()),
            date(2026, 3, 20)
        );
    }

    #[test]
    fn a_period_ending_on_a_sunday_moves_to_monday() {
        assert_eq!(
            period_last_day(date(2026, 3, 7), 15, &cal()),
            date(2026, 3, 23)
        );
    }

    #[test]
    fn the_corresponding_day_of_29_february_is_28_february() {
        assert_eq!(
            corresponding_day_next_year(date(2024, 2, 29)),
            date(2025, 2, 28)
        );
        assert_eq!(
            corresponding_day_next_year(date(2027, 2, 28)),
            date(2028, 2, 28)
        );
        assert_eq!(
            corresponding_day_next_year(date(2026, 3, 5)),
            date(2027, 3, 5)
        );
    }

    // --- mediation limit ----------------------------------------------------------------------

    #[test]
    fn a_deadline_on_a_weekday_is_midnight_after_the_fifteenth_day() {
        // Received Thursday 5 Mar 10:00 local; last day Friday 20 Mar; ends 24:00 local = 16:00Z.
        assert_eq!(
            mediation_deadline(utc("2026-03-05T02:00:00Z"), Shanghai, &cal()),
            utc("2026-03-20T16:00:00Z")
        );
    }

    #[test]
    fn a_deadline_on_a_saturday_moves_to_monday() {
        // Received Friday 6 Mar; day 15 is Saturday 21 Mar; last day Monday 23 Mar.
        assert_eq!(
            mediation_deadline(utc("2026-03-06T02:00:00Z"), Shanghai, &cal()),
            utc("2026-03-23T16:00:00Z")
        );
    }

    #[test]
    fn a_deadline_in_the_spring_festival_moves_past_it() {
        // Received 1 Feb; day 15 is 16 Feb, inside the 15–23 Feb holiday; last day Tuesday 24 Feb.
        assert_eq!(
            mediation_deadline(utc("2026-02-01T02:00:00Z"), Shanghai, &cal()),
            utc("2026-02-24T16:00:00Z")
        );
    }

    #[test]
    fn a_deadline_on_a_declared_working_saturday_is_not_moved() {
        // Received 13 Feb; day 15 is Saturday 28 Feb, a declared working day.
        assert_eq!(
            mediation_deadline(utc("2026-02-13T02:00:00Z"), Shanghai, &cal()),
            utc("2026-02-28T16:00:00Z")
        );
    }

    #[test]
    fn a_case_received_at_half_past_eleven_at_night_counts_from_that_local_day() {
        // 23:30 local on Thursday 5 Mar is 15:30Z; the day is not counted, last day Friday 20 Mar.
        assert_eq!(
            mediation_deadline(utc("2026-03-05T15:30:00Z"), Shanghai, &cal()),
            utc("2026-03-20T16:00:00Z")
        );
    }

    #[test]
    fn a_case_received_after_local_midnight_counts_from_the_local_day_not_the_utc_day() {
        // 00:30 local on Friday 6 Mar is still 5 Mar in UTC; counted from 6 Mar: Saturday 21 → Monday 23.
        assert_eq!(
            mediation_deadline(utc("2026-03-05T16:30:00Z"), Shanghai, &cal()),
            utc("2026-03-23T16:00:00Z")
        );
    }

    #[test]
    fn an_extension_of_fifteen_days_counts_from_the_current_last_day() {
        // Last day Friday 20 Mar + 15 = Saturday 4 Apr, in the 4–6 Apr holiday: Tuesday 7 Apr.
        let current = utc("2026-03-20T16:00:00Z");
        assert_eq!(
            extend_deadline(current, 15, Shanghai, &cal()),
            Ok(utc("2026-04-07T16:00:00Z"))
        );
    }

    #[test]
    fn an_extension_counts_from_a_last_day_already_moved_off_a_weekend() {
        // Last day Monday 23 Mar (moved from Saturday 21) + 5 = Saturday 28 Mar → Monday 30 Mar.
        let current = utc("2026-03-23T16:00:00Z");
        assert_eq!(
            extend_deadline(current, 5, Shanghai, &cal()),
            Ok(utc("2026-03-30T16:00:00Z"))
        );
    }

    #[test]
    fn an_extension_onto_a_declared_working_saturday_is_not_moved() {
        // Last day Thursday 5 Feb (ends 16:00Z that day) + 9 = Saturday 14 Feb, a working day.
        let current = utc("2026-02-05T16:00:00Z");
        assert_eq!(
            extend_deadline(current, 9, Shanghai, &cal()),
            Ok(utc("2026-02-14T16:00:00Z"))
        );
    }

    #[test]
    fn an_extension_of_zero_or_sixteen_days_is_refused() {
        let current = utc("2026-03-20T16:00:00Z");
        assert_eq!(
            extend_deadline(current, 0, Shanghai, &cal()),
            Err(ClockError::ExtensionDaysOutOfRange { days: 0 })
        );
        assert_eq!(
            extend_deadline(current, 16, Shanghai, &cal()),
            Err(ClockError::ExtensionDaysOutOfRange { days: 16 })
        );
        assert!(extend_deadline(current, 1, Shanghai, &cal()).is_ok());
    }

    #[test]
    fn four_days_before_the_last_day_the_deadline_is_open() {
        let deadline = utc("2026-03-20T16:00:00Z");
        let now = utc("2026-03-16T02:00:00Z"); // 16 Mar 10:00 local
        assert_eq!(days_left(deadline, now, Shanghai), 4);
        assert_eq!(deadline_state(deadline, now, Shanghai), DeadlineState::Open);
    }

    #[test]
    fn three_days_before_the_last_day_the_deadline_is_due_soon() {
        let deadline = utc("2026-03-20T16:00:00Z");
        // 17 Mar 00:00 local: the local date decides, not the hours left.
        let now = utc("2026-03-16T16:00:00Z");
        assert_eq!(days_left(deadline, now, Shanghai), 3);
        assert_eq!(
            deadline_state(deadline, now, Shanghai),
            DeadlineState::DueSoon
        );
    }

    #[test]
    fn on_the_last_day_the_deadline_is_due_soon_until_local_midnight() {
        let deadline = utc("2026-03-20T16:00:00Z");
        let now = utc("2026-03-20T15:59:59Z"); // 23:59:59 local
        assert_eq!(days_left(deadline, now, Shanghai), 0);
        assert_eq!(
            deadline_state(deadline, now, Shanghai),
            DeadlineState::DueSoon
        );
    }

    #[test]
    fn at_local_midnight_after_the_last_day_the_case_is_overdue() {
        let deadline = utc("2026-03-20T16:00:00Z");
        assert_eq!(
            deadline_state(deadline, deadline, Shanghai),
            DeadlineState::Overdue
        );
        assert_eq!(days_left(deadline, deadline, Shanghai), -1);
        let later = utc("2026-03-25T02:00:00Z");
        assert_eq!(days_left(deadline, later, Shanghai), -5);
        assert_eq!(
            deadline_state(deadline, later, Shanghai),
            DeadlineState::Overdue
        );
    }

    #[test]
    fn deadline_states_serialise_in_snake_case() {
        assert_eq!(
            serde_json::to_string(&DeadlineState::DueSoon).unwrap(),
            "\"due_soon\""
        );
    }

    // --- judicial confirmation ----------------------------------------------------------------

    #[test]
    fn judicial_confirmation_ends_thirty_days_after_the_local_signing_date() {
        // Signed Thursday 5 Mar 23:30 local (15:30Z): 30 days later is Saturday 4 Apr, a holiday
        // until Monday 6 Apr: Tuesday 7 Apr.
        assert_eq!(
            confirmation_last_day(utc("2026-03-05T15:30:00Z"), Shanghai, &cal()),
            date(2026, 4, 7)
        );
        // Signed Monday 2 Mar: Wednesday 1 Apr.
        assert_eq!(
            confirmation_last_day(utc("2026-03-02T02:00:00Z"), Shanghai, &cal()),
            date(2026, 4, 1)
        );
    }

    #[test]
    fn judicial_confirmation_ending_in_the_national_day_week_moves_past_it() {
        // Signed 1 Sep: 30 days later is 1 Oct; the holiday runs to 7 Oct.
        assert_eq!(
            confirmation_last_day(utc("2026-09-01T02:00:00Z"), Shanghai, &cal()),
            date(2026, 10, 8)
        );
    }

    // --- arbitration limitation ---------------------------------------------------------------

    const RECEIVED: &str = "2026-03-05T02:00:00Z"; // Thursday 5 Mar 2026, 10:00 local

    #[test]
    fn wage_arrears_while_employed_are_not_limited() {
        let l = arbitration_limitation(
            true,
            utc(RECEIVED),
            Some(date(2020, 1, 1)),
            None,
            Shanghai,
            &cal(),
        );
        assert_eq!(
            l,
            Limitation {
                rule: LimitationRule::WageArrearsUnlimited,
                last_day: None
            }
        );
    }

    #[test]
    fn without_the_day_the_infringement_was_known_the_limitation_is_unknown() {
        let l = arbitration_limitation(
            false,
            utc(RECEIVED),
            None,
            Some(date(2025, 6, 1)),
            Shanghai,
            &cal(),
        );
        assert_eq!(
            l,
            Limitation {
                rule: LimitationRule::Unknown,
                last_day: None
            }
        );
    }

    #[test]
    fn a_year_that_ran_out_the_day_before_receipt_has_lapsed_with_that_last_day() {
        // Known Tuesday 4 Mar 2025; the year ends Wednesday 4 Mar 2026, before receipt on 5 Mar.
        let l = arbitration_limitation(
            false,
            utc(RECEIVED),
            Some(date(2025, 3, 4)),
            None,
            Shanghai,
            &cal(),
        );
        assert_eq!(
            l,
            Limitation {
                rule: LimitationRule::LapsedBeforeApplication,
                last_day: Some(date(2026, 3, 4))
            }
        );
    }

    #[test]
    fn wage_arrears_lapse_a_year_after_the_employment_ended() {
        // Ended Friday 10 May 2024: the year ends Saturday 10 May 2025, moved to Monday 12 May.
        let l = arbitration_limitation(
            true,
            utc(RECEIVED),
            None,
            Some(date(2024, 5, 10)),
            Shanghai,
            &cal(),
        );
        assert_eq!(
            l,
            Limitation {
                rule: LimitationRule::LapsedBeforeApplication,
                last_day: Some(date(2025, 5, 12))
            }
        );
    }

    #[test]
    fn an_application_on_the_last_day_of_the_year_interrupts_it() {
        // Known 5 Mar 2025: the year ends on 5 Mar 2026, the day of receipt; counted anew from
        // receipt: Friday 5 Mar 2027.
        let l = arbitration_limitation(
            false,
            utc(RECEIVED),
            Some(date(2025, 3, 5)),
            None,
            Shanghai,
            &cal(),
        );
        assert_eq!(
            l,
            Limitation {
                rule: LimitationRule::InterruptedByApplication,
                last_day: Some(date(2027, 3, 5))
            }
        );
    }

    #[test]
    fn wage_arrears_after_the_employment_ended_are_interrupted_by_a_timely_application() {
        // Ended 1 Jun 2025, received 5 Mar 2026: in time; the date shown counts from receipt.
        let l = arbitration_limitation(
            true,
            utc(RECEIVED),
            Some(date(2019, 1, 1)),
            Some(date(2025, 6, 1)),
            Shanghai,
            &cal(),
        );
        assert_eq!(
            l,
            Limitation {
                rule: LimitationRule::InterruptedByApplication,
                last_day: Some(date(2027, 3, 5))
            }
        );
    }

    #[test]
    fn a_year_ending_in_the_spring_festival_still_runs_to_the_next_working_day() {
        // Known 21 Feb 2025: the year ends Saturday 21 Feb 2026, in the holiday, so on Tuesday 24 Feb;
        // received that day at 09:00 local: in time. One year from receipt is Wednesday 24 Feb 2027.
        let l = arbitration_limitation(
            false,
            utc("2026-02-24T01:00:00Z"),
            Some(date(2025, 2, 21)),
            None,
            Shanghai,
            &cal(),
        );
        assert_eq!(
            l,
            Limitation {
                rule: LimitationRule::InterruptedByApplication,
                last_day: Some(date(2027, 2, 24))
            }
        );
    }

    #[test]
    fn the_interrupted_year_is_counted_from_the_local_date_of_receipt() {
        // 00:30 local on Saturday 6 Mar 2027 is still 5 Mar in UTC; one year from 6 Mar 2027 is
        // Monday 6 Mar 2028.
        let l = arbitration_limitation(
            false,
            utc("2027-03-05T16:30:00Z"),
            Some(date(2026, 12, 1)),
            None,
            Shanghai,
            &cal(),
        );
        assert_eq!(l.rule, LimitationRule::InterruptedByApplication);
        assert_eq!(l.last_day, Some(date(2028, 3, 6)));
    }

    #[test]
    fn an_application_on_29_february_runs_to_28_february_of_the_next_year() {
        // Received 29 Feb 2028 (Tuesday): corresponding day 28 Feb 2029, a Wednesday.
        let l = arbitration_limitation(
            false,
            utc("2028-02-29T02:00:00Z"),
            Some(date(2028, 1, 10)),
            None,
            Shanghai,
            &cal(),
        );
        assert_eq!(l.rule, LimitationRule::InterruptedByApplication);
        assert_eq!(l.last_day, Some(date(2029, 2, 28)));
    }

    #[test]
    fn limitation_rules_serialise_in_snake_case() {
        for rule in LimitationRule::ALL {
            assert_eq!(
                serde_json::to_string(&rule).unwrap(),
                format!("\"{}\"", rule.as_str())
            );
            assert_eq!(LimitationRule::parse(rule.as_str()), Some(rule));
        }
        assert_eq!(
            LimitationRule::ALL.map(LimitationRule::as_str),
            [
                "wage_arrears_unlimited",
                "lapsed_before_application",
                "interrupted_by_application",
                "unknown"
            ]
        );
    }

    // --- subsidy periods ----------------------------------------------------------------------

    #[test]
    fn a_month_runs_from_local_midnight_to_local_midnight() {
        assert_eq!(
            month_bounds(2026, 11, Shanghai),
            Ok((utc("2026-10-31T16:00:00Z"), utc("2026-11-30T16:00:00Z")))
        );
    }

    #[test]
    fn december_ends_at_local_new_year() {
        assert_eq!(
            month_bounds(2026, 12, Shanghai),
            Ok((utc("2026-11-30T16:00:00Z"), utc("2026-12-31T16:00:00Z")))
        );
    }

    #[test]
    fn a_month_outside_one_to_twelve_is_refused() {
        assert_eq!(
            month_bounds(2026, 0, Shanghai),
            Err(ClockError::InvalidMonth { month: 0 })
        );
        assert_eq!(
            month_bounds(2026, 13, Shanghai),
            Err(ClockError::InvalidMonth { month: 13 })
        );
    }

    #[test]
    fn a_year_beyond_the_calendar_is_refused() {
        assert_eq!(
            month_bounds(i32::MAX, 1, Shanghai),
            Err(ClockError::YearOutOfRange { year: i32::MAX })
        );
    }

    #[test]
    fn a_quarter_runs_over_three_local_months() {
        assert_eq!(
            quarter_bounds(2026, 4, Shanghai),
            Ok((utc("2026-09-30T16:00:00Z"), utc("2026-12-31T16:00:00Z")))
        );
        assert_eq!(
            quarter_bounds(2026, 1, Shanghai),
            Ok((utc("2025-12-31T16:00:00Z"), utc("2026-03-31T16:00:00Z")))
        );
    }

    #[test]
    fn a_quarter_outside_one_to_four_is_refused() {
        assert_eq!(
            quarter_bounds(2026, 0, Shanghai),
            Err(ClockError::InvalidQuarter { quarter: 0 })
        );
        assert_eq!(
            quarter_bounds(2026, 5, Shanghai),
            Err(ClockError::InvalidQuarter { quarter: 5 })
        );
    }

    #[test]
    fn clock_errors_read_in_chinese() {
        assert_eq!(
            ClockError::ExtensionDaysOutOfRange { days: 16 }.to_string(),
            "延长天数须为 1 至 15 天，收到 16 天"
        );
        assert_eq!(
            ClockError::InvalidMonth { month: 13 }.to_string(),
            "月份须为 1 至 12，收到 13"
        );
        assert_eq!(
            ClockError::InvalidQuarter { quarter: 5 }.to_string(),
            "季度须为 1 至 4，收到 5"
        );
        assert_eq!(
            ClockError::YearOutOfRange { year: 300000 }.to_string(),
            "年份 300000 超出可计算的范围"
        );
    }
}
