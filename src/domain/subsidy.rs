//! The graded-subsidy rules of DESIGN §5 (以奖代补), pure and in one place: settlement periods,
//! eligibility, the rate in force, the team at closing and its split, where a closing is booked,
//! adjustments for re-closed cases, and the totals of a period.
//!
//! Money is integer fen; shares are basis points (1% = 100 bp). Instants are UTC; the local dates
//! and period bounds come from `domain::clocks`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::domain::case_terms::{Grade, TeamRole};
use crate::domain::clocks::{self, ClockError};
use crate::domain::term::Term;
use crate::domain::workflow::Outcome;

/// 100% in basis points.
pub const FULL_SHARE_BP: u32 = 10_000;
/// DESIGN §5: the lead gets 60% unless the setting says otherwise.
pub const DEFAULT_LEAD_SHARE_BP: u32 = 6_000;

/// DESIGN §5 default rates: simple ¥50, ordinary ¥200, complex ¥500, major ¥1,000.
pub const DEFAULT_RATES: [(Grade, i64); 4] = [
    (Grade::Simple, 5_000),
    (Grade::Ordinary, 20_000),
    (Grade::Complex, 50_000),
    (Grade::Major, 100_000),
];

/// The day the default rates take effect.
pub fn default_rates_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or(NaiveDate::MIN)
}

// ---------------------------------------------------------------------------------------------------
// Periods
// ---------------------------------------------------------------------------------------------------

/// A settlement period is a calendar month or a calendar quarter of the street's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 2] = [PeriodKind::Month, PeriodKind::Quarter];

    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
        }
    }

    pub fn parse(s: &str) -> Option<PeriodKind> {
        PeriodKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// `2026-11` (a month) or `2026-Q4` (a quarter).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub year: i32,
    pub kind: PeriodKind,
    /// The month (1..=12) or the quarter (1..=4).
    pub number: u32,
}

/// Why a period name was refused. The Display text is Chinese, like the clocks' errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodError {
    /// Neither `YYYY-MM` nor `YYYY-Qn`.
    Malformed,
    /// A month outside 1..=12 (`2026-13`).
    InvalidMonth { month: u32 },
    /// A quarter outside 1..=4 (`2026-Q5`).
    InvalidQuarter { quarter: u32 },
}

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeriodError::Malformed => write!(f, "结算期应写作 2026-11（月）或 2026-Q4（季度）"),
            PeriodError::InvalidMonth { month } => write!(f, "月份须为 1 至 12，收到 {month}"),
            PeriodError::InvalidQuarter { quarter } => {
                write!(f, "季度须为 1 至 4，收到 {quarter}")
            }
        }
    }
}

impl std::error::Error for PeriodError {}

impl Period {
    /// # Errors
    /// A month outside 1..=12.
    pub fn month(year: i32, month: u32) -> Result<Period, PeriodError> {
        if !(1..=12).contains(&month) {
            return Err(PeriodError::InvalidMonth { month });
        }
        Ok(Period {
            year,
            kind: PeriodKind::Month,
            number: month,
        })
    }

    /// # Errors
    /// A quarter outside 1..=4.
    pub fn quarter(year: i32, quarter: u32) -> Result<Period, PeriodError> {
        if !(1..=4).contains(&quarter) {
            return Err(PeriodError::InvalidQuarter { quarter });
        }
        Ok(Period {
            year,
            kind: PeriodKind::Quarter,
            number: quarter,
        })
    }

    /// Reads `2026-11`, `2026-1`, `2026-Q4` or `2026-q4` (surrounding spaces ignored); the year has four
    /// digits.
    ///
    /// # Errors
    /// Anything else; `2026-13` and `2026-Q5` name the month or quarter that is out of range.
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let (year, rest) = text.trim().split_once('-').ok_or(PeriodError::Malformed)?;
        if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
            return Err(PeriodError::Malformed);
        }
        let year: i32 = year.parse().map_err(|_| PeriodError::Malformed)?;
        let number = |digits: &str| -> Result<u32, PeriodError> {
            if digits.is_empty() || digits.len() > 2 || !digits.chars().all(|c| c.is_ascii_digit())
            {
                return Err(PeriodError::Malformed);
            }
            digits.parse().map_err(|_| PeriodError::Malformed)
        };
        match rest.strip_prefix(['Q', 'q']) {
            Some(q) => Period::quarter(year, number(q)?),
            None => Period::month(year, number(rest)?),
        }
    }

    /// The half-open instant range `[start, end)` of the period in the street's time zone.
    ///
    /// # Errors
    /// A year beyond the calendar.
    pub fn bounds(self, tz: Tz) -> Result<(DateTime<Utc>, DateTime<Utc>), ClockError> {
        match self.kind {
            PeriodKind::Month => clocks::month_bounds(self.year, self.number, tz),
            PeriodKind::Quarter => clocks::quarter_bounds(self.year, self.number, tz),
        }
    }

    /// The period of `kind` that holds the local date of `at`.
    pub fn containing(at: DateTime<Utc>, tz: Tz, kind: PeriodKind) -> Period {
        let day = clocks::local_date(at, tz);
        let number = match kind {
            PeriodKind::Month => day.month(),
            PeriodKind::Quarter => (day.month() - 1) / 3 + 1,
        };
        Period {
            year: day.year(),
            kind,
            number,
        }
    }

    /// The period of the same kind just before this one.
    pub fn previous(self) -> Period {
        let last = match self.kind {
            PeriodKind::Month => 12,
            PeriodKind::Quarter => 4,
        };
        if self.number <= 1 {
            Period {
                year: self.year - 1,
                number: last,
                ..self
            }
        } else {
            Period {
                number: self.number - 1,
                ..self
            }
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Month => write!(f, "{:04}-{:02}", self.year, self.number),
            PeriodKind::Quarter => write!(f, "{:04}-Q{}", self.year, self.number),
        }
    }
}

/// Where a period is in its life: `draft` (computed, recomputed freely) → `approved` (locked: its
/// items never change) → `paid`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodStatus {
    Draft,
    Approved,
    Paid,
}

impl PeriodStatus {
    pub const ALL: [PeriodStatus; 3] = [
        PeriodStatus::Draft,
        PeriodStatus::Approved,
        PeriodStatus::Paid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PeriodStatus::Draft => "draft",
            PeriodStatus::Approved => "approved",
            PeriodStatus::Paid => "paid",
        }
    }

    pub fn parse(s: &str) -> Option<PeriodStatus> {
        PeriodStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Approved and paid periods are locked: their items are final and count as paid out.
    pub fn is_locked(self) -> bool {
        self != PeriodStatus::Draft
    }
}

/// What can be done to a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodAction {
    Recompute,
    Approve,
    MarkPaid,
}

/// Why a period action was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodRefusal {
    /// An approved or paid period never changes.
    Locked,
    /// Approving twice.
    AlreadyApproved,
    /// Paying a draft.
    NotApproved,
    /// Paying twice.
    AlreadyPaid,
}

/// The period workflow: the status after `action`, or why not.
///
/// # Errors
/// The refusal of DESIGN §5 for the current status.
pub fn period_transition(
    status: PeriodStatus,
    action: PeriodAction,
) -> Result<PeriodStatus, PeriodRefusal> {
    use PeriodAction as A;
    use PeriodStatus as S;
    match (status, action) {
        (S::Draft, A::Recompute) => Ok(S::Draft),
        (S::Approved | S::Paid, A::Recompute) => Err(PeriodRefusal::Locked),
        (S::Draft, A::Approve) => Ok(S::Approved),
        (S::Approved | S::Paid, A::Approve) => Err(PeriodRefusal::AlreadyApproved),
        (S::Approved, A::MarkPaid) => Ok(S::Paid),
        (S::Draft, A::MarkPaid) => Err(PeriodRefusal::NotApproved),
        (S::Paid, A::MarkPaid) => Err(PeriodRefusal::AlreadyPaid),
    }
}

// ---------------------------------------------------------------------------------------------------
// Rates and the split policy
// ---------------------------------------------------------------------------------------------------

/// One rate: from `effective_from` (a local date) on, a case of `grade` earns `amount_fen`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub grade: Grade,
    pub amount_fen: i64,
    pub effective_from: NaiveDate,
}

/// Why a new rate was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateError {
    NegativeAmount,
    /// Another rate of the same grade already starts that day.
    DateTaken,
}

/// Checks a new rate against the existing ones.
///
/// # Errors
/// A negative amount, or an `effective_from` already used by a rate of the same grade.
pub fn check_new_rate(existing: &[Rate], new: &Rate) -> Result<(), RateError> {
    if new.amount_fen < 0 {
        return Err(RateError::NegativeAmount);
    }
    if existing
        .iter()
        .any(|r| r.grade == new.grade && r.effective_from == new.effective_from)
    {
        return Err(RateError::DateTaken);
    }
    Ok(())
}

/// The rates of every grade with their history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateTable {
    /// Per grade, sorted by `effective_from`.
    by_grade: BTreeMap<Grade, Vec<(NaiveDate, i64)>>,
}

impl RateTable {
    pub fn new(rates: impl IntoIterator<Item = Rate>) -> RateTable {
        let mut by_grade: BTreeMap<Grade, Vec<(NaiveDate, i64)>> = BTreeMap::new();
        for r in rates {
            by_grade
                .entry(r.grade)
                .or_default()
                .push((r.effective_from, r.amount_fen));
        }
        for list in by_grade.values_mut() {
            list.sort();
        }
        RateTable { by_grade }
    }

    /// The amount of the rate for `grade` in force on `day`: the one with the latest
    /// `effective_from` on or before it. `None` before the first rate of that grade.
    pub fn in_force(&self, grade: Grade, day: NaiveDate) -> Option<i64> {
        self.by_grade
            .get(&grade)?
            .iter()
            .rev()
            .find(|(from, _)| *from <= day)
            .map(|(_, amount)| *amount)
    }

    /// DESIGN §5 base amount: the rate for the grade in force on the local date of the closing.
    pub fn base_amount(&self, grade: Grade, closed_at: DateTime<Utc>, tz: Tz) -> Option<i64> {
        self.in_force(grade, clocks::local_date(closed_at, tz))
    }
}

/// The lead's share of a case's base amount, in basis points (0..=10,000).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadShare(u32);

/// A lead share outside 0–100%, or one finer than 0.01%.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeadShareError;

impl Default for LeadShare {
    fn default() -> LeadShare {
        LeadShare(DEFAULT_LEAD_SHARE_BP)
    }
}

impl LeadShare {
    /// # Errors
    /// Outside 0..=10,000 bp.
    pub fn from_bp(bp: i64) -> Result<LeadShare, LeadShareError> {
        u32::try_from(bp)
            .ok()
            .filter(|bp| *bp <= FULL_SHARE_BP)
            .map(LeadShare)
            .ok_or(LeadShareError)
    }

    /// Reads a percentage as typed: `60`, `62.5`, `62.55`, `60%`.
    ///
    /// # Errors
    /// Not a number with at most two decimals between 0 and 100.
    pub fn from_percent_text(text: &str) -> Result<LeadShare, LeadShareError> {
        let t = text.trim().trim_end_matches(['%', '％']).trim();
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || whole.len() > 3 || frac.len() > 2 || !digits(whole) || !digits(frac)
        {
            return Err(LeadShareError);
        }
        let whole: i64 = whole.parse().map_err(|_| LeadShareError)?;
        let frac: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| LeadShareError)? * 10,
            _ => frac.parse().map_err(|_| LeadShareError)?,
        };
        LeadShare::from_bp(whole * 100 + frac)
    }

    pub fn bp(self) -> u32 {
        self.0
    }

    /// `60`, `62.5`, `62.55`: the percentage without trailing zeros.
    pub fn percent_text(self) -> String {
        let whole = self.0 / 100;
        let frac = self.0 % 100;
        match frac {
            0 => whole.to_string(),
            f if f % 10 == 0 => format!("{whole}.{}", f / 10),
            f => format!("{whole}.{f:02}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Eligibility, the team at closing and the split
// ---------------------------------------------------------------------------------------------------

/// The state of a case's closing that decides its entitlement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClosingFacts {
    pub outcome: Option<Outcome>,
    pub grade_confirmed: bool,
}

impl ClosingFacts {
    /// DESIGN §5: resolved with a confirmed grade. (The period and "not already paid" are decided by
    /// [`booking_instant`] and [`compute_items`].)
    pub fn is_eligible(self) -> bool {
        self.outcome == Some(Outcome::Resolved) && self.grade_confirmed
    }

    /// Resolved, but a complex or major grade still awaits its confirmation: no entitlement can be
    /// settled yet, neither an award nor an adjustment.
    pub fn awaits_confirmation(self) -> bool {
        self.outcome == Some(Outcome::Resolved) && !self.grade_confirmed
    }
}

/// An assignment row of a case's team.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub mediator_id: i64,
    pub role: TeamRole,
    pub assigned_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl Assignment {
    /// On the team at `at`: assigned by then and not yet ended (an assignment ended at the very
    /// instant of closing no longer counts).
    pub fn active_at(&self, at: DateTime<Utc>) -> bool {
        self.assigned_at <= at && self.ended_at.is_none_or(|end| end > at)
    }
}

/// A mediator on the team at closing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    pub mediator_id: i64,
    pub role: TeamRole,
}

/// The team at `closed_at`, one entry per mediator, the lead first, then by mediator id. Should two
/// lead rows overlap (records entered after the fact), the later-assigned one leads and the other
/// counts as a co-mediator.
pub fn team_at(assignments: &[Assignment], closed_at: DateTime<Utc>) -> Vec<Member> {
    let active: Vec<&Assignment> = assignments
        .iter()
        .filter(|a| a.active_at(closed_at))
        .collect();
    let lead = active
        .iter()
        .filter(|a| a.role == TeamRole::Lead)
        .max_by_key(|a| (a.assigned_at, a.mediator_id))
        .map(|a| a.mediator_id);
    let mut others: BTreeMap<i64, TeamRole> = BTreeMap::new();
    for a in &active {
        if Some(a.mediator_id) == lead {
            continue;
        }
        let role = if a.role == TeamRole::Lead {
            TeamRole::Co
        } else {
            a.role
        };
        others
            .entry(a.mediator_id)
            .and_modify(|r| {
                // Co ranks above apprentice when one person holds both.
                if role == TeamRole::Co {
                    *r = TeamRole::Co;
                }
            })
            .or_insert(role);
    }
    lead.map(|mediator_id| Member {
        mediator_id,
        role: TeamRole::Lead,
    })
    .into_iter()
    .chain(
        others
            .into_iter()
            .map(|(mediator_id, role)| Member { mediator_id, role }),
    )
    .collect()
}

/// What one mediator gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    pub mediator_id: i64,
    pub role: TeamRole,
    pub amount_fen: i64,
}

/// DESIGN §5 split of `base_fen` among `team` (as [`team_at`] orders it): the lead gets `lead_share`,
/// the others share the rest equally, each rounded down to the fen, and the fen left over go to the
/// lead, so the shares always sum to `base_fen`. Alone, the lead gets everything. Without a lead
/// (closed while nobody led) the team shares equally and the leftover fen go to the first member.
/// An empty team gets nothing.
pub fn split(base_fen: i64, lead_share: LeadShare, team: &[Member]) -> Vec<Share> {
    let Some(first) = team.first() else {
        return Vec::new();
    };
    let has_lead = first.role == TeamRole::Lead;
    let others = if has_lead { &team[1..] } else { team };
    let n = others.len() as i128;
    let each: i64 = if n == 0 {
        0
    } else if has_lead {
        let rest = i128::from(base_fen) * i128::from(FULL_SHARE_BP - lead_share.bp());
        (rest.div_euclid(i128::from(FULL_SHARE_BP) * n)) as i64
    } else {
        (i128::from(base_fen).div_euclid(n)) as i64
    };
    let leftover = base_fen - each * others.len() as i64;
    let mut shares: Vec<Share> = Vec::with_capacity(team.len());
    if has_lead {
        shares.push(Share {
            mediator_id: first.mediator_id,
            role: TeamRole::Lead,
            amount_fen: leftover,
        });
        shares.extend(others.iter().map(|m| Share {
            mediator_id: m.mediator_id,
            role: m.role,
            amount_fen: each,
        }));
    } else {
        shares.extend(others.iter().enumerate().map(|(i, m)| Share {
            mediator_id: m.mediator_id,
            role: m.role,
            amount_fen: if i == 0 { each + leftover } else { each },
        }));
    }
    shares
}

/// DESIGN §5 adjustment for a case re-closed after its award was approved: per mediator, the new
/// entitlement minus what was already approved (negative when the new one is smaller). Mediators
/// whose difference is zero get no line. The entitled come first, in their order, then those who
/// are no longer entitled, by id.
pub fn adjustments(entitled: &[Share], approved: &[Share]) -> Vec<Share> {
    let mut approved_by: BTreeMap<i64, (TeamRole, i64)> = BTreeMap::new();
    for a in approved {
        let e = approved_by.entry(a.mediator_id).or_insert((a.role, 0));
        e.1 += a.amount_fen;
    }
    let mut entitled_by: Vec<Share> = Vec::new();
    for s in entitled {
        match entitled_by
            .iter_mut()
            .find(|e| e.mediator_id == s.mediator_id)
        {
            Some(e) => e.amount_fen += s.amount_fen,
            None => entitled_by.push(*s),
        }
    }
    let mut out: Vec<Share> = entitled_by
        .iter()
        .map(|s| Share {
            amount_fen: s.amount_fen - approved_by.get(&s.mediator_id).map_or(0, |a| a.1),
            ..*s
        })
        .collect();
    out.extend(
        approved_by
            .iter()
            .filter(|(id, _)| !entitled_by.iter().any(|s| s.mediator_id == **id))
            .map(|(id, (role, fen))| Share {
                mediator_id: *id,
                role: *role,
                amount_fen: -fen,
            }),
    );
    out.retain(|s| s.amount_fen != 0);
    out
}

// ---------------------------------------------------------------------------------------------------
// Booking closings into periods
// ---------------------------------------------------------------------------------------------------

/// An approved or paid period, as far as booking needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockedPeriod {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub approved_at: DateTime<Utc>,
}

impl LockedPeriod {
    fn covers(&self, at: DateTime<Utc>) -> bool {
        self.starts_at <= at && at < self.ends_at
    }

    /// Where closings that reach this period after it was locked go: the moment it was approved,
    /// and never before its end.
    fn passes_on_to(&self) -> DateTime<Utc> {
        self.approved_at.max(self.ends_at)
    }
}

/// The instant a closing is booked at. Normally its `closed_at` (DESIGN §5: the period holding
/// `closed_at`). When a locked period already covers it — the closing was entered, or its grade
/// confirmed, or the case re-closed, after that period was approved — it lands in the period open
/// after that approval: the moment of approval (not before the period's end), again moved on while
/// that moment falls in a locked period too. Each step moves past a locked period's end, so this
/// ends after at most one step per locked period.
pub fn booking_instant(closed_at: DateTime<Utc>, locked: &[LockedPeriod]) -> DateTime<Utc> {
    let mut at = closed_at;
    for _ in 0..=locked.len() {
        match locked.iter().find(|l| l.covers(at)) {
            Some(l) => at = l.passes_on_to(),
            None => break,
        }
    }
    at
}

/// The ranges of `closed_at` whose closings are booked into `[start, end)`: the period itself and
/// every locked period whose late closings pass on into it. A query for a period's candidates
/// needs to look at these ranges only.
pub fn booked_ranges(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    locked: &[LockedPeriod],
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut ranges = vec![(start, end)];
    for l in locked {
        let lands = booking_instant(l.passes_on_to(), locked);
        if start <= lands && lands < end {
            ranges.push((l.starts_at, l.ends_at));
        }
    }
    ranges
}

// ---------------------------------------------------------------------------------------------------
// A period's items
// ---------------------------------------------------------------------------------------------------

/// An award for a case's closing, or an adjustment after a re-closing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Award,
    Adjustment,
}

impl ItemKind {
    pub const ALL: [ItemKind; 2] = [ItemKind::Award, ItemKind::Adjustment];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Award => "award",
            ItemKind::Adjustment => "adjustment",
        }
    }

    pub fn parse(s: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl Term for ItemKind {
    const LABEL_KEY: &'static str = "subsidy-kind";

    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// A closed case that may earn something in a period, with what was already approved for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub case_id: i64,
    pub case_no: String,
    pub grade: Grade,
    pub closed_at: DateTime<Utc>,
    /// The unit where the case was resolved (current unit at closing).
    pub unit_id: i64,
    pub facts: ClosingFacts,
    /// The team at closing ([`team_at`]).
    pub team: Vec<Member>,
    /// The items of this case in approved or paid periods (awards and adjustments).
    pub approved: Vec<Share>,
    /// The closings those approved items paid for.
    pub approved_closings: Vec<DateTime<Utc>>,
}

/// One computed line of a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub case_id: i64,
    pub case_no: String,
    pub mediator_id: i64,
    pub role: TeamRole,
    pub unit_id: i64,
    pub grade: Grade,
    pub kind: ItemKind,
    pub amount_fen: i64,
    /// The case's base amount for this closing (0 when it no longer earns anything).
    pub base_fen: i64,
    pub closed_at: DateTime<Utc>,
}

/// What a period's computation needs besides the candidates.
#[derive(Clone, Debug)]
pub struct Rules<'a> {
    pub rates: &'a RateTable,
    pub lead_share: LeadShare,
    pub tz: Tz,
    /// The approved and paid periods.
    pub locked: &'a [LockedPeriod],
}

/// The items of the period `[start, end)`:
/// - a case never awarded in a locked period, booked into this period and eligible, gets its award,
///   split among its team at closing;
/// - a case with approved items whose current closing is not the one they paid for (reopened and
///   re-closed since) gets adjustments here when the new closing is booked into this period: the new
///   entitlement (nothing unless eligible) minus what was approved. A resolved re-closing still
///   awaiting grade confirmation waits.
///
/// Items come out by case, then in team order.
pub fn compute_items(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    candidates: &[Candidate],
    rules: &Rules<'_>,
) -> Vec<Item> {
    let mut items = Vec::new();
    let mut sorted: Vec<&Candidate> = candidates.iter().collect();
    sorted.sort_by_key(|c| c.case_id);
    for c in sorted {
        let booked = booking_instant(c.closed_at, rules.locked);
        if !(start <= booked && booked < end) {
            continue;
        }
        let base = if c.facts.is_eligible() {
            rules
                .rates
                .base_amount(c.grade, c.closed_at, rules.tz)
                .unwrap_or(0)
        } else {
            0
        };
        let entitled = if base > 0 {
            split(base, rules.lead_share, &c.team)
        } else {
            Vec::new()
        };
        let (kind, shares) = if c.approved.is_empty() && c.approved_closings.is_empty() {
            (ItemKind::Award, entitled)
        } else {
            if c.approved_closings.contains(&c.closed_at) || c.facts.awaits_confirmation() {
                continue;
            }
            (ItemKind::Adjustment, adjustments(&entitled, &c.approved))
        };
        items.extend(shares.into_iter().map(|s| Item {
            case_id: c.case_id,
            case_no: c.case_no.clone(),
            mediator_id: s.mediator_id,
            role: s.role,
            unit_id: c.unit_id,
            grade: c.grade,
            kind,
            amount_fen: s.amount_fen,
            base_fen: base,
            closed_at: c.closed_at,
        }));
    }
    items
}

// ---------------------------------------------------------------------------------------------------
// The completeness gate (DESIGN §10): no award for a case whose file is incomplete
// ---------------------------------------------------------------------------------------------------

/// A resolved case left out of a period because its case file (卷宗) lacks something.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withheld {
    pub case_id: i64,
    pub case_no: String,
    /// What the file lacks (`session_record`, `agreement`, …).
    pub missing: Vec<String>,
}

/// Splits the candidates of `[start, end)` into those that may be paid and those withheld: an
/// eligible closing booked into this period whose file lacks something (`missing` by case id)
/// earns nothing here and is listed instead, so that nothing is silently paid or silently lost.
/// Once the file is complete, the closing is paid by recomputing this draft, or, when this period
/// was approved meanwhile, in the period open after that approval ([`booking_instant`]).
pub fn withhold_incomplete(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    candidates: Vec<Candidate>,
    missing: &std::collections::HashMap<i64, Vec<String>>,
    locked: &[LockedPeriod],
) -> (Vec<Candidate>, Vec<Withheld>) {
    let mut kept = Vec::with_capacity(candidates.len());
    let mut withheld = Vec::new();
    for c in candidates {
        let lacks = missing.get(&c.case_id).filter(|m| !m.is_empty());
        let booked = booking_instant(c.closed_at, locked);
        let here = start <= booked && booked < end;
        let paid_already = c.approved_closings.contains(&c.closed_at);
        match lacks {
            Some(m) if c.facts.is_eligible() && !paid_already => {
                if here {
                    withheld.push(Withheld {
                        case_id: c.case_id,
                        case_no: c.case_no.clone(),
                        missing: m.clone(),
                    });
                }
            }
            _ => kept.push(c),
        }
    }
    withheld.sort_by_key(|w| w.case_id);
    (kept, withheld)
}

// ---------------------------------------------------------------------------------------------------
// Totals
// ---------------------------------------------------------------------------------------------------

/// A sum with the number of lines and of distinct cases behind it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub amount_fen: i64,
    pub items: u64,
    pub cases: u64,
}

/// The totals of a period: overall, by grade, by mediator and by unit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub total: Figure,
    pub by_grade: BTreeMap<Grade, Figure>,
    pub by_mediator: BTreeMap<i64, Figure>,
    pub by_unit: BTreeMap<i64, Figure>,
}

/// The part of an item the totals need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    pub case_id: i64,
    pub mediator_id: i64,
    pub unit_id: i64,
    pub grade: Grade,
    pub amount_fen: i64,
}

impl From<&Item> for Line {
    fn from(i: &Item) -> Line {
        Line {
            case_id: i.case_id,
            mediator_id: i.mediator_id,
            unit_id: i.unit_id,
            grade: i.grade,
            amount_fen: i.amount_fen,
        }
    }
}

/// Adds up lines; every breakdown sums to the same total, to the fen.
pub fn totals(lines: impl IntoIterator<Item = Line>) -> Totals {
    #[derive(Default)]
    struct Acc {
        amount_fen: i64,
        items: u64,
        cases: BTreeSet<i64>,
    }
    impl Acc {
        fn add(&mut self, l: &Line) {
            self.amount_fen += l.amount_fen;
            self.items += 1;
            self.cases.insert(l.case_id);
        }
        fn figure(&self) -> Figure {
            Figure {
                amount_fen: self.amount_fen,
                items: self.items,
                cases: self.cases.len() as u64,
            }
        }
    }
    let mut total = Acc::default();
    let mut by_grade: BTreeMap<Grade, Acc> = BTreeMap::new();
    let mut by_mediator: BTreeMap<i64, Acc> = BTreeMap::new();
    let mut by_unit: BTreeMap<i64, Acc> = BTreeMap::new();
    for l in lines {
        total.add(&l);
        by_grade.entry(l.grade).or_default().add(&l);
        by_mediator.entry(l.mediator_id).or_default().add(&l);
        by_unit.entry(l.unit_id).or_default().add(&l);
    }
    Totals {
        total: total.figure(),
        by_grade: by_grade.iter().map(|(k, a)| (*k, a.figure())).collect(),
        by_mediator: by_mediator.iter().map(|(k, a)| (*k, a.figure())).collect(),
        by_unit: by_unit.iter().map(|(k, a)| (*k, a.figure())).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn default_table() -> RateTable {
        RateTable::new(DEFAULT_RATES.map(|(grade, amount_fen)| Rate {
            grade,
            amount_fen,
            effective_from: default_rates_from(),
        }))
    }

    fn lead(id: i64) -> Member {
        Member {
            mediator_id: id,
            role: TeamRole::Lead,
        }
    }

    fn co(id: i64) -> Member {
        Member {
            mediator_id: id,
            role: TeamRole::Co,
        }
    }

    fn amounts(shares: &[Share]) -> Vec<(i64, i64)> {
        shares
            .iter()
            .map(|s| (s.mediator_id, s.amount_fen))
            .collect()
    }

    fn sum(shares: &[Share]) -> i64 {
        shares.iter().map(|s| s.amount_fen).sum()
    }

    // --- periods -------------------------------------------------------------------------------

    #[test]
    fn months_and_quarters_are_read_and_written_back() {
        assert_eq!(Period::parse("2026-11"), Period::month(2026, 11));
        assert_eq!(Period::parse(" 2026-1 "), Period::month(2026, 1));
        assert_eq!(Period::parse("2026-Q4"), Period::quarter(2026, 4));
        assert_eq!(Period::parse("2026-q1"), Period::quarter(2026, 1));
        assert_eq!(Period::parse("2026-1").unwrap().to_string(), "2026-01");
        assert_eq!(Period::parse("2026-Q4").unwrap().to_string(), "2026-Q4");
    }

    #[test]
    fn a_thirteenth_month_and_a_fifth_quarter_are_refused() {
        assert_eq!(
            Period::parse("2026-13"),
            Err(PeriodError::InvalidMonth { month: 13 })
        );
        assert_eq!(
            Period::parse("2026-00"),
            Err(PeriodError::InvalidMonth { month: 0 })
        );
        assert_eq!(
            Period::parse("2026-Q5"),
            Err(PeriodError::InvalidQuarter { quarter: 5 })
        );
        assert_eq!(
            Period::parse("2026-Q0"),
            Err(PeriodError::InvalidQuarter { quarter: 0 })
        );
        for bad in [
            "",
            "2026",
            "26-11",
            "2026-",
            "2026-Q",
            "2026-111",
            "2026/11",
            "二〇二六-11",
            "2026-Q4x",
            "+202-11",
        ] {
            assert_eq!(Period::parse(bad), Err(PeriodError::Malformed), "{bad}");
        }
    }

    #[test]
    fn a_period_runs_from_local_midnight_to_local_midnight() {
        let (start, end) = Period::parse("2026-11").unwrap().bounds(Shanghai).unwrap();
        assert_eq!(start, utc("2026-10-31T16:00:00Z"));
        assert_eq!(end, utc("2026-11-30T16:00:00Z"));
        let (start, end) = Period::parse("2026-Q4").unwrap().bounds(Shanghai).unwrap();
        assert_eq!(start, utc("2026-09-30T16:00:00Z"));
        assert_eq!(end, utc("2026-12-31T16:00:00Z"));
    }

    #[test]
    fn the_period_of_an_instant_is_that_of_its_local_date() {
        // 00:00 local on 1 Dec is still 30 Nov in UTC.
        let at = utc("2026-11-30T16:00:00Z");
        assert_eq!(
            Period::containing(at, Shanghai, PeriodKind::Month).to_string(),
            "2026-12"
        );
        assert_eq!(
            Period::containing(at, Shanghai, PeriodKind::Quarter).to_string(),
            "2026-Q4"
        );
        assert_eq!(
            Period::parse("2026-01").unwrap().previous().to_string(),
            "2025-12"
        );
        assert_eq!(
            Period::parse("2026-Q1").unwrap().previous().to_string(),
            "2025-Q4"
        );
    }

    #[test]
    fn approved_periods_are_locked_and_paid_only_once() {
        use PeriodAction as A;
        use PeriodStatus as S;
        assert_eq!(period_transition(S::Draft, A::Recompute), Ok(S::Draft));
        assert_eq!(
            period_transition(S::Approved, A::Recompute),
            Err(PeriodRefusal::Locked)
        );
        assert_eq!(
            period_transition(S::Paid, A::Recompute),
            Err(PeriodRefusal::Locked)
        );
        assert_eq!(period_transition(S::Draft, A::Approve), Ok(S::Approved));
        assert_eq!(
            period_transition(S::Approved, A::Approve),
            Err(PeriodRefusal::AlreadyApproved)
        );
        assert_eq!(
            period_transition(S::Draft, A::MarkPaid),
            Err(PeriodRefusal::NotApproved)
        );
        assert_eq!(period_transition(S::Approved, A::MarkPaid), Ok(S::Paid));
        assert_eq!(
            period_transition(S::Paid, A::MarkPaid),
            Err(PeriodRefusal::AlreadyPaid)
        );
        for s in PeriodStatus::ALL {
            assert_eq!(PeriodStatus::parse(s.as_str()), Some(s));
        }
    }

    // --- rates and shares ----------------------------------------------------------------------

    #[test]
    fn the_default_rates_are_those_of_the_design() {
        let t = default_table();
        let day = date(2026, 11, 5);
        assert_eq!(t.in_force(Grade::Simple, day), Some(5_000));
        assert_eq!(t.in_force(Grade::Ordinary, day), Some(20_000));
        assert_eq!(t.in_force(Grade::Complex, day), Some(50_000));
        assert_eq!(t.in_force(Grade::Major, day), Some(100_000));
        assert_eq!(t.in_force(Grade::Simple, date(2019, 12, 31)), None);
    }

    #[test]
    fn a_rate_changing_mid_month_applies_from_the_local_date_of_closing() {
        let mut rates: Vec<Rate> = DEFAULT_RATES
            .map(|(grade, amount_fen)| Rate {
                grade,
                amount_fen,
                effective_from: default_rates_from(),
            })
            .to_vec();
        rates.push(Rate {
            grade: Grade::Simple,
            amount_fen: 8_000,
            effective_from: date(2026, 11, 15),
        });
        let t = RateTable::new(rates);
        // 23:59:59 local on 14 Nov: the old rate.
        assert_eq!(
            t.base_amount(Grade::Simple, utc("2026-11-14T15:59:59Z"), Shanghai),
            Some(5_000)
        );
        // 00:00 local on 15 Nov (still 14 Nov in UTC): the new one.
        assert_eq!(
            t.base_amount(Grade::Simple, utc("2026-11-14T16:00:00Z"), Shanghai),
            Some(8_000)
        );
        assert_eq!(
            t.base_amount(Grade::Ordinary, utc("2026-11-20T02:00:00Z"), Shanghai),
            Some(20_000)
        );
    }

    #[test]
    fn a_negative_rate_or_a_taken_date_is_refused() {
        let existing = [Rate {
            grade: Grade::Simple,
            amount_fen: 5_000,
            effective_from: date(2020, 1, 1),
        }];
        let mut new = Rate {
            grade: Grade::Simple,
            amount_fen: -1,
            effective_from: date(2027, 1, 1),
        };
        assert_eq!(
            check_new_rate(&existing, &new),
            Err(RateError::NegativeAmount)
        );
        new.amount_fen = 0;
        assert_eq!(check_new_rate(&existing, &new), Ok(()));
        new.effective_from = date(2020, 1, 1);
        assert_eq!(check_new_rate(&existing, &new), Err(RateError::DateTaken));
        new.grade = Grade::Major;
        assert_eq!(check_new_rate(&existing, &new), Ok(()));
    }

    #[test]
    fn lead_shares_are_read_as_percentages_within_0_and_100() {
        assert_eq!(LeadShare::from_percent_text("60").unwrap().bp(), 6_000);
        assert_eq!(LeadShare::from_percent_text("62.5%").unwrap().bp(), 6_250);
        assert_eq!(LeadShare::from_percent_text("0").unwrap().bp(), 0);
        assert_eq!(LeadShare::from_percent_text("100").unwrap().bp(), 10_000);
        assert_eq!(LeadShare::from_percent_text("33.33").unwrap().bp(), 3_333);
        for bad in ["100.01", "101", "-1", "abc", "", "1.234", ".5"] {
            assert_eq!(
                LeadShare::from_percent_text(bad),
                Err(LeadShareError),
                "{bad}"
            );
        }
        assert_eq!(LeadShare::from_bp(10_001), Err(LeadShareError));
        assert_eq!(LeadShare::from_bp(-1), Err(LeadShareError));
        assert_eq!(LeadShare::default().percent_text(), "60");
        assert_eq!(LeadShare::from_bp(6_250).unwrap().percent_text(), "62.5");
        assert_eq!(LeadShare::from_bp(3_333).unwrap().percent_text(), "33.33");
    }

    // --- team and split ------------------------------------------------------------------------

    #[test]
    fn alone_the_lead_gets_everything() {
        let shares = split(5_000, LeadShare::default(), &[lead(1)]);
        assert_eq!(amounts(&shares), vec![(1, 5_000)]);
    }

    #[test]
    fn a_lead_and_one_co_mediator_split_sixty_forty() {
        let shares = split(20_000, LeadShare::default(), &[lead(1), co(2)]);
        assert_eq!(amounts(&shares), vec![(1, 12_000), (2, 8_000)]);
    }

    #[test]
    fn the_fen_left_over_by_rounding_go_to_the_lead() {
        // ¥50 with three others: 40% is 2,000 fen, 666 each, the lead gets 3,000 + 2.
        let team = [
            lead(1),
            co(2),
            co(3),
            Member {
                mediator_id: 4,
                role: TeamRole::Apprentice,
            },
        ];
        let shares = split(5_000, LeadShare::default(), &team);
        assert_eq!(
            amounts(&shares),
            vec![(1, 3_002), (2, 666), (3, 666), (4, 666)]
        );
        assert_eq!(sum(&shares), 5_000);
        // A lead share that itself leaves a fraction of a fen: 33.33% of 1 fen.
        let odd = LeadShare::from_bp(3_333).unwrap();
        let shares = split(1, odd, &[lead(1), co(2)]);
        assert_eq!(amounts(&shares), vec![(1, 1), (2, 0)]);
    }

    #[test]
    fn many_co_mediators_always_sum_to_the_base() {
        for base in [0, 1, 7, 5_000, 20_000, 50_000, 100_000, 99_999] {
            for others in 0..12 {
                for bp in [0i64, 1, 3_333, 5_000, 6_000, 9_999, 10_000] {
                    let mut team = vec![lead(100)];
                    team.extend((0..others).map(|i| co(i + 1)));
                    let shares = split(base, LeadShare::from_bp(bp).unwrap(), &team);
                    assert_eq!(sum(&shares), base, "base {base} others {others} bp {bp}");
                    assert_eq!(shares.len(), team.len());
                    // The others are equal and never above their nominal share.
                    if others > 0 {
                        let each = shares[1].amount_fen;
                        assert!(shares[1..].iter().all(|s| s.amount_fen == each));
                        assert!(each * others * 10_000 <= base * (10_000 - bp));
                        assert!(shares[0].amount_fen >= base * bp / 10_000);
                    }
                }
            }
        }
    }

    #[test]
    fn a_lead_share_of_100_percent_leaves_nothing_to_the_others() {
        let shares = split(
            20_000,
            LeadShare::from_bp(10_000).unwrap(),
            &[lead(1), co(2)],
        );
        assert_eq!(amounts(&shares), vec![(1, 20_000), (2, 0)]);
    }

    #[test]
    fn without_a_lead_the_team_shares_equally_and_the_first_gets_the_leftover() {
        let shares = split(5_000, LeadShare::default(), &[co(2), co(3), co(4)]);
        assert_eq!(amounts(&shares), vec![(2, 1_668), (3, 1_666), (4, 1_666)]);
        assert!(split(5_000, LeadShare::default(), &[]).is_empty());
    }

    #[test]
    fn the_team_at_closing_counts_assignments_open_at_that_instant() {
        let closed = utc("2026-11-10T08:00:00Z");
        let a = |id, role, from: &str, to: Option<&str>| Assignment {
            mediator_id: id,
            role,
            assigned_at: utc(from),
            ended_at: to.map(utc),
        };
        let rows = [
            // Lead until a new lead took over; then a co-mediator.
            a(
                1,
                TeamRole::Lead,
                "2026-11-01T00:00:00Z",
                Some("2026-11-05T00:00:00Z"),
            ),
            a(1, TeamRole::Co, "2026-11-05T00:00:00Z", None),
            a(2, TeamRole::Lead, "2026-11-05T00:00:00Z", None),
            // Unassigned at the very instant of closing: not on the team.
            a(
                3,
                TeamRole::Co,
                "2026-11-02T00:00:00Z",
                Some("2026-11-10T08:00:00Z"),
            ),
            // Assigned after closing (entered late): not on the team.
            a(4, TeamRole::Co, "2026-11-10T08:00:01Z", None),
            a(5, TeamRole::Apprentice, "2026-11-03T00:00:00Z", None),
            // Escalation ended these before closing.
            a(
                6,
                TeamRole::Co,
                "2026-10-01T00:00:00Z",
                Some("2026-10-05T00:00:00Z"),
            ),
        ];
        assert_eq!(
            team_at(&rows, closed),
            vec![
                lead(2),
                co(1),
                Member {
                    mediator_id: 5,
                    role: TeamRole::Apprentice
                }
            ]
        );
    }

    #[test]
    fn of_two_overlapping_leads_the_later_leads_and_the_other_counts_as_co() {
        let closed = utc("2026-11-10T08:00:00Z");
        let rows = [
            Assignment {
                mediator_id: 7,
                role: TeamRole::Lead,
                assigned_at: utc("2026-11-01T00:00:00Z"),
                ended_at: None,
            },
            Assignment {
                mediator_id: 8,
                role: TeamRole::Lead,
                assigned_at: utc("2026-11-02T00:00:00Z"),
                ended_at: None,
            },
        ];
        assert_eq!(team_at(&rows, closed), vec![lead(8), co(7)]);
    }

    // --- adjustments ---------------------------------------------------------------------------

    #[test]
    fn a_regrade_after_approval_is_adjusted_by_the_difference() {
        // Approved as simple (¥50: 30 + 20), re-closed as major (¥1,000: 600 + 400).
        let approved = split(5_000, LeadShare::default(), &[lead(1), co(2)]);
        let entitled = split(100_000, LeadShare::default(), &[lead(1), co(2)]);
        let adj = adjustments(&entitled, &approved);
        assert_eq!(amounts(&adj), vec![(1, 57_000), (2, 38_000)]);
        assert_eq!(sum(&approved) + sum(&adj), 100_000);
    }

    #[test]
    fn an_adjustment_can_be_negative_and_reaches_mediators_no_longer_on_the_team() {
        // Approved as ordinary with two; re-closed as simple by the lead alone.
        let approved = split(20_000, LeadShare::default(), &[lead(1), co(2)]);
        let entitled = split(5_000, LeadShare::default(), &[lead(1)]);
        let adj = adjustments(&entitled, &approved);
        assert_eq!(amounts(&adj), vec![(1, -7_000), (2, -8_000)]);
        assert_eq!(adj[1].role, TeamRole::Co);
        // Nothing due any more (re-closed as failed): everything approved is taken back.
        let adj = adjustments(&[], &approved);
        assert_eq!(sum(&adj), -20_000);
        // The same entitlement again: no lines.
        assert!(adjustments(&approved, &approved).is_empty());
    }

    // --- booking and items ---------------------------------------------------------------------

    fn candidate(id: i64, grade: Grade, closed_at: &str) -> Candidate {
        Candidate {
            case_id: id,
            case_no: format!("JB-2026-{id:05}"),
            grade,
            closed_at: utc(closed_at),
            unit_id: 10,
            facts: ClosingFacts {
                outcome: Some(Outcome::Resolved),
                grade_confirmed: true,
            },
            team: vec![lead(1), co(2)],
            approved: Vec::new(),
            approved_closings: Vec::new(),
        }
    }

    fn november() -> (DateTime<Utc>, DateTime<Utc>) {
        Period::parse("2026-11").unwrap().bounds(Shanghai).unwrap()
    }

    fn october_locked(approved_at: &str) -> LockedPeriod {
        let (starts_at, ends_at) = Period::parse("2026-10").unwrap().bounds(Shanghai).unwrap();
        LockedPeriod {
            starts_at,
            ends_at,
            approved_at: utc(approved_at),
        }
    }

    #[test]
    fn a_resolved_case_with_an_incomplete_file_is_withheld_and_paid_once_complete() {
        let rates = default_table();
        let rules = Rules {
            rates: &rates,
            lead_share: LeadShare::default(),
            tz: Shanghai,
            locked: &[],
        };
        let (start, end) = november();
        let cases = vec![
            candidate(1, Grade::Simple, "2026-11-10T02:00:00Z"),
            candidate(2, Grade::Simple, "2026-11-11T02:00:00Z"),
        ];
        let mut missing = std::collections::HashMap::new();
        missing.insert(2, vec!["agreement".to_owned()]);
        let (kept, withheld) = withhold_incomplete(start, end, cases.clone(), &missing, &[]);
        let items = compute_items(start, end, &kept, &rules);
        assert!(items.iter().all(|i| i.case_id == 1));
        assert_eq!(
            withheld,
            vec![Withheld {
                case_id: 2,
                case_no: "JB-2026-00002".to_owned(),
                missing: vec!["agreement".to_owned()],
            }]
        );
        // Completed: nothing withheld, both paid.
        let (kept, withheld) =
            withhold_incomplete(start, end, cases, &std::collections::HashMap::new(), &[]);
        assert!(withheld.is_empty());
        let items = compute_items(start, end, &kept, &rules);
        assert!(items.iter().any(|i| i.case_id == 2));
        assert!(items.iter().any(|i| i.case_id == 1));
    }

    #[test]
    fn a_case_withheld_from_an_approved_period_is_listed_in_the_next_one() {
        let (start, end) = november();
        let october = october_locked("2026-11-05T02:00:00Z");
        let late = candidate(3, Grade::Simple, "2026-10-20T02:00:00Z");
        let mut missing = std::collections::HashMap::new();
        missing.insert(3, vec!["session_record".to_owned()]);
        let (kept, withheld) = withhold_incomplete(start, end, vec![late], &missing, &[october]);
        assert!(kept.is_empty());
        assert_eq!(withheld.len(), 1);
    }

    #[test]
    fn a_closing_at_local_midnight_belongs_to_the_month_that_starts_then() {
        let rates = default_table();
        let rules = Rules {
            rates: &rates,
            lead_share: LeadShare::default(),
            tz: Shanghai,
            locked: &[],
        };
        let (start, end) = november();
        let cases = [
            // 23:59:59 local on 31 Oct: October.
            candidate(1, Grade::Simple, "2026-10-31T15:59:59Z"),
            // 00:00 local on 1 Nov: November.
            candidate(2, Grade::Simple, "2026-10-31T16:00:00Z"),
            // 23:59:59 local on 30 Nov: November.
            candidate(3, Grade::Simple, "2026-11-30T15:59:59Z"),
            // 00:00 local on 1 Dec: December.
            candidate(4, Grade::Simple, "2026-11-30T16:00:00Z"),
        ];
        let items = compute_items(start, end, &cases, &rules);
        let ids: BTreeSet<i64> = items.iter().map(|i| i.case_id).collect();
        assert_eq!(ids, BTreeSet::from([2, 3]));
        assert!(items.iter().all(|i| i.kind == ItemKind::Award));
    }

    #[test]
    fn only_resolved_cases_with_a_confirmed_grade_earn_an_award() {
        let rates = default_table();
        let rules = Rules {
            rates: &rates,
            lead_share: LeadShare::default(),
            tz: Shanghai,
            locked: &[],
        };
        let (start, end) = november();
        let mut failed = candidate(1, Grade::Simple, "2026-11-05T02:00:00Z");
        failed.facts.outcome = Some(Outcome::Failed);
        let mut unconfirmed = candidate(2, Grade::Complex, "2026-11-05T02:00:00Z");
        unconfirmed.facts.grade_confirmed = false;
        let mut nobody = candidate(3, Grade::Simple, "2026-11-05T02:00:00Z");
        nobody.team.clear();
        let good = candidate(4, Grade::Complex, "2026-11-05T02:00:00Z");
        let items = compute_items(start, end, &[failed, unconfirmed, nobody, good], &rules);
        assert_eq!(
            items
                .iter()
                .map(|i| (i.case_id, i.mediator_id, i.amount_fen))
                .collect::<Vec<_>>(),
            vec![(4, 1, 30_000), (4, 2, 20_000)]
        );
        assert!(items.iter().all(|i| i.base_fen == 50_000));
    }

    #[test]
    fn a_case_already_awarded_in_an_approved_period_is_never_awarded_again() {
        let rates = default_table();
        let locked = [october_locked("2026-11-03T02:00:00Z")];
        let rules = Rules {
            rates: &rates,
            lead_share: LeadShare::default(),
            tz: Shanghai,
            locked: &locked,
        };
        let (start, end) = november();
        let mut paid = candidate(1, Grade::Simple, "2026-10-20T02:00:00Z");
        paid.approved = split(5_000, LeadShare::default(), &paid.team);
        paid.approved_closings = vec![paid.closed_at];
        assert!(compute_items(start, end, &[paid], &rules).is_empty());
    }

    #[test]
    fn a_closing_entered_after_its_month_was_approved_lands_in_the_next_open_period() {
        let rates = default_table();
        // October approved on 3 Nov; a case closed on 28 Oct was entered later.
        let locked = [october_locked("2026-11-03T02:00:00Z")];
        let rules = Rules {
            rates: &rates,
            lead_share: LeadShare::default(),
            tz: Shanghai,
            locked: &locked,
        };
        let (start, end) = november();
        let late = candidate(1, Grade::Ordinary, "2026-10-28T02:00:00Z");
        let items = compute_items(start, end, &[late], &rules);
        assert_eq!(items.len(), 2);
        assert_eq!(items.iter().map(|i| i.amount_fen).sum::<i64>(), 20_000);
        assert_eq!(
            booked_ranges(start, end, &locked),
            vec![(start, end), (locked[0].starts_at, locked[0].ends_at)]
        );
        // When November was locked as well, it passes on to December.
        let (nov_start, nov_end) = november();
        let both = [
            locked[0],
            LockedPeriod {
                starts_at: nov_start,
                ends_at: nov_end,
                approved_at: utc("2026-12-02T02:00:00Z"),
            },
        ];
        assert_eq!(
            booking_instant(utc("2026-10-28T02:00:00Z"), &both),
            utc("2026-12-02T02:00:00Z")
        );
    }

    #[test]
    fn a_period_approved_before_its_end_passes_later_closings_to_the_next() {
        let (starts_at, ends_at) = november();
        let early = [LockedPeriod {
            starts_at,
            ends_at,
            approved_at: utc("2026-11-20T02:00:00Z"),
        }];
        assert_eq!(
            booking_instant(utc("2026-11-25T02:00:00Z"), &early),
            ends_at
        );
    }

    #[test]
    fn a_case_reopened_and_re_closed_after_approval_is_adjusted_where_it_closed_again() {
        let rates = default_table();
        let locked = [october_locked("2026-11-03T02:00:00Z")];
        let rules = Rules {
            rates: &rates,
            lead_share: LeadShare::default(),
            tz: Shanghai,
            locked: &locked,
        };
        let (start, end) = november();
        // Awarded ¥50 in October as simple; regraded ordinary and re-closed on 12 Nov.
        let mut c = candidate(1, Grade::Ordinary, "2026-11-12T02:00:00Z");
        c.approved = split(5_000, LeadShare::default(), &c.team);
        c.approved_closings = vec![utc("2026-10-20T02:00:00Z")];
        let items = compute_items(start, end, std::slice::from_ref(&c), &rules);
        assert!(items.iter().all(|i| i.kind == ItemKind::Adjustment));
        assert_eq!(
            items
                .iter()
                .map(|i| (i.mediator_id, i.amount_fen))
                .collect::<Vec<_>>(),
            vec![(1, 9_000), (2, 6_000)]
        );
        // Re-closed as failed: the approved ¥50 is taken back.
        c.facts.outcome = Some(Outcome::Failed);
        let items = compute_items(start, end, std::slice::from_ref(&c), &rules);
        assert_eq!(items.iter().map(|i| i.amount_fen).sum::<i64>(), -5_000);
        // Resolved again but a complex grade not yet confirmed: it waits.
        c.facts = ClosingFacts {
            outcome: Some(Outcome::Resolved),
            grade_confirmed: false,
        };
        assert!(compute_items(start, end, &[c], &rules).is_empty());
    }

    #[test]
    fn totals_by_grade_mediator_and_unit_each_sum_to_the_total() {
        let lines = [
            Line {
                case_id: 1,
                mediator_id: 1,
                unit_id: 10,
                grade: Grade::Simple,
                amount_fen: 3_002,
            },
            Line {
                case_id: 1,
                mediator_id: 2,
                unit_id: 10,
                grade: Grade::Simple,
                amount_fen: 1_998,
            },
            Line {
                case_id: 2,
                mediator_id: 1,
                unit_id: 11,
                grade: Grade::Major,
                amount_fen: 100_000,
            },
            Line {
                case_id: 3,
                mediator_id: 2,
                unit_id: 11,
                grade: Grade::Simple,
                amount_fen: -500,
            },
        ];
        let t = totals(lines);
        assert_eq!(t.total.amount_fen, 104_500);
        assert_eq!(t.total.cases, 3);
        assert_eq!(t.total.items, 4);
        for breakdown in [
            t.by_grade.values().map(|f| f.amount_fen).sum::<i64>(),
            t.by_mediator.values().map(|f| f.amount_fen).sum::<i64>(),
            t.by_unit.values().map(|f| f.amount_fen).sum::<i64>(),
        ] {
            assert_eq!(breakdown, 104_500);
        }
        assert_eq!(t.by_grade[&Grade::Simple].cases, 2);
        assert_eq!(t.by_mediator[&1].amount_fen, 103_002);
    }
}
