//! The street's figures in words and shapes: the headline sentence it reports upward
//! (DESIGN §11), the success rate and average days, the months of a range, and the geometry of
//! the dashboard's charts. Pure; the counting itself is SQL in `services::stats`.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// Fen in one 万元 (10,000 yuan).
const FEN_PER_WAN: i64 = 1_000_000;

/// The figures of the headline, rounded as the street reports them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Headline {
    pub received: u64,
    /// The amount involved in 万元, rounded half up (¥7,815,000 → 782).
    pub amount_wan: i64,
    /// People, rounded down to the hundred from 100 on (3,347 → 3,300); below 100 the exact count.
    pub people: u64,
    /// Whether `people` was rounded down, so the sentence says 余 (more than).
    pub people_more: bool,
}

impl Headline {
    pub fn new(received: u64, amount_claimed_fen: i64, people_involved: u64) -> Headline {
        let amount_wan = if amount_claimed_fen >= 0 {
            (amount_claimed_fen + FEN_PER_WAN / 2) / FEN_PER_WAN
        } else {
            -((-amount_claimed_fen + FEN_PER_WAN / 2) / FEN_PER_WAN)
        };
        let people = if people_involved >= 100 {
            people_involved / 100 * 100
        } else {
            people_involved
        };
        Headline {
            received,
            amount_wan,
            people,
            people_more: people < people_involved,
        }
    }

    /// `累计调解各类纠纷案件1662件，涉及金额782万元，涉及人员3300余人`.
    pub fn zh(&self) -> String {
        format!(
            "累计调解各类纠纷案件{}件，涉及金额{}万元，涉及人员{}{}人",
            self.received,
            self.amount_wan,
            self.people,
            if self.people_more { "余" } else { "" }
        )
    }
}

/// Resolved ÷ closed in per mille (0..=1000), `None` when nothing closed.
pub fn success_rate_permille(closed: u64, resolved: u64) -> Option<u64> {
    (closed > 0).then(|| (resolved.min(closed) * 1000 + closed / 2) / closed)
}

/// Resolved ÷ closed as a fraction with three decimals, `None` when nothing closed.
pub fn success_rate(closed: u64, resolved: u64) -> Option<f64> {
    success_rate_permille(closed, resolved).map(|p| p as f64 / 1000.0)
}

/// The average of `total_days` over `closed` cases, with one decimal; `None` when nothing closed.
pub fn average_days(total_days: f64, closed: u64) -> Option<f64> {
    (closed > 0).then(|| (total_days / closed as f64 * 10.0).round() / 10.0)
}

/// Seconds in a day.
const SECONDS_PER_DAY: f64 = 86_400.0;

/// [`average_days`] from the whole seconds the closed cases took, summed as integers so that
/// the counters and the direct queries give the same figure to the last bit.
pub fn average_days_of_seconds(total_seconds: i64, closed: u64) -> Option<f64> {
    average_days(total_seconds as f64 / SECONDS_PER_DAY, closed)
}

/// A calendar month, `2026-11`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The first day of the month.
    pub fn first_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
    }

    pub fn label(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// The months a range of local days touches, in order, each with the part of the range inside
/// it (`from..=to` clipped to the month): the first and last may be partial.
pub fn months_of(from: NaiveDate, to: NaiveDate) -> Vec<(Month, NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    if to < from {
        return out;
    }
    let mut m = Month::of(from);
    let last = Month::of(to);
    while m <= last {
        let start = m.first_day().map_or(from, |d| d.max(from));
        let end = m
            .next()
            .first_day()
            .and_then(|d| d.pred_opt())
            .map_or(to, |d| d.min(to));
        out.push((m, start, end));
        m = m.next();
    }
    out
}

/// The months lying entirely inside `from..=to` (first and last, in order), when there is one:
/// those the counters answer; the days before and after them are counted from the cases.
pub fn whole_months(from: NaiveDate, to: NaiveDate) -> Option<(Month, Month)> {
    let whole: Vec<Month> = months_of(from, to)
        .into_iter()
        .filter(|(m, first, last)| {
            m.first_day() == Some(*first)
                && m.next().first_day().and_then(|d| d.pred_opt()) == Some(*last)
        })
        .map(|(m, _, _)| m)
        .collect();
    Some((*whole.first()?, *whole.last()?))
}

/// The first day of the month `back` months before the month of `date`.
pub fn months_back(date: NaiveDate, back: u32) -> NaiveDate {
    let total = date.year() * 12 + date.month0() as i32 - back as i32;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(date)
}

/// The month whose report goes out `today`: the month before, when `today` is the first working
/// day of its month by the rest-day calendar; otherwise none.
pub fn monthly_report_due(
    today: NaiveDate,
    cal: &crate::domain::clocks::Calendar,
) -> Option<(Month, NaiveDate, NaiveDate)> {
    let first = Month::of(today).first_day()?;
    if cal.next_working_day_on_or_after(first) != today {
        return None;
    }
    let last = first.pred_opt()?;
    let month = Month::of(last);
    Some((month, month.first_day()?, last))
}

/// The longest range the statistics answer, in days (twenty years): the months of a range are
/// one expression each in the query.
pub const MAX_RANGE_DAYS: i64 = 20 * 366;

// ---------------------------------------------------------------------------------------------------
// Monthly counters (the table `stat_counters`, kept by `services::stats::counters`)
// ---------------------------------------------------------------------------------------------------

/// The `unit_id` of the counters of all units together.
pub const ALL_UNITS: i64 = 0;

/// What a counter row breaks the received cases down by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dimension {
    /// Every case, under the value ''; the only dimension of the closed side.
    All,
    Grade,
    DisputeType,
    Source,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [
        Dimension::All,
        Dimension::Grade,
        Dimension::DisputeType,
        Dimension::Source,
    ];

    /// The dimensions that break the received cases down (all but [`Dimension::All`]).
    pub const BREAKDOWNS: [Dimension; 3] =
        [Dimension::Grade, Dimension::DisputeType, Dimension::Source];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::All => "all",
            Dimension::Grade => "grade",
            Dimension::DisputeType => "dispute_type",
            Dimension::Source => "source",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// The key of one counter row.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CounterKey {
    pub month: Month,
    /// The unit the cases are at now, or [`ALL_UNITS`].
    pub unit_id: i64,
    pub dimension: Dimension,
    /// The grade, type or source as stored; '' for [`Dimension::All`].
    pub value: String,
}

/// The figures of one counter row (or the change to them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CounterValues {
    pub received: i64,
    pub amount_claimed_fen: i64,
    pub people_involved: i64,
    pub closed: i64,
    pub resolved: i64,
    pub seconds_to_close: i64,
}

impl CounterValues {
    pub fn is_zero(&self) -> bool {
        *self == CounterValues::default()
    }

    pub fn add(&mut self, other: &CounterValues) {
        self.received += other.received;
        self.amount_claimed_fen += other.amount_claimed_fen;
        self.people_involved += other.people_involved;
        self.closed += other.closed;
        self.resolved += other.resolved;
        self.seconds_to_close += other.seconds_to_close;
    }

    pub fn subtract(&mut self, other: &CounterValues) {
        self.received -= other.received;
        self.amount_claimed_fen -= other.amount_claimed_fen;
        self.people_involved -= other.people_involved;
        self.closed -= other.closed;
        self.resolved -= other.resolved;
        self.seconds_to_close -= other.seconds_to_close;
    }
}

/// How a closed case counts on the closed side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Closing {
    /// The local month of `closed_at`.
    pub month: Month,
    pub resolved: bool,
    /// Whole seconds from receipt to closing (`closed_at` and `received_at` each taken to the
    /// whole second below, as the SQL of the direct path takes them).
    pub seconds: i64,
}

/// The fields of a case the figures count, in the street's zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFigures {
    /// The local month of `received_at`.
    pub received_month: Month,
    /// The unit the case is at now.
    pub unit_id: i64,
    pub grade: String,
    pub dispute_type: String,
    pub source: String,
    pub amount_claimed_fen: i64,
    pub people_involved: i64,
    /// Some when the status is `closed` (with a `closed_at`); a reopened case counts as received
    /// only, as the direct queries count it.
    pub closing: Option<Closing>,
}

/// The rows a case adds to: on the received side its month × (all units, its unit) × (all, its
/// grade, type and source); on the closed side, when closed, its closing month × (all units, its
/// unit) × all.
pub fn contributions(case: &CaseFigures) -> Vec<(CounterKey, CounterValues)> {
    let received = CounterValues {
        received: 1,
        amount_claimed_fen: case.amount_claimed_fen,
        people_involved: case.people_involved,
        ..CounterValues::default()
    };
    let values = [
        (Dimension::All, String::new()),
        (Dimension::Grade, case.grade.clone()),
        (Dimension::DisputeType, case.dispute_type.clone()),
        (Dimension::Source, case.source.clone()),
    ];
    let mut out = Vec::with_capacity(10);
    for unit_id in [ALL_UNITS, case.unit_id] {
        for (dimension, value) in &values {
            out.push((
                CounterKey {
                    month: case.received_month,
                    unit_id,
                    dimension: *dimension,
                    value: value.clone(),
                },
                received,
            ));
        }
        if let Some(closing) = case.closing {
            out.push((
                CounterKey {
                    month: closing.month,
                    unit_id,
                    dimension: Dimension::All,
                    value: String::new(),
                },
                CounterValues {
                    closed: 1,
                    resolved: i64::from(closing.resolved),
                    seconds_to_close: closing.seconds,
                    ..CounterValues::default()
                },
            ));
        }
    }
    out
}

/// What a change of a case from `before` to `after` adds to each row (`None` before: a new case;
/// `None` after: a removed one): the after's contributions less the before's, with the rows
/// whose change is nothing left out, so an unchanged case writes nothing. In key order.
pub fn delta(
    before: Option<&CaseFigures>,
    after: Option<&CaseFigures>,
) -> Vec<(CounterKey, CounterValues)> {
    let mut rows: BTreeMap<CounterKey, CounterValues> = BTreeMap::new();
    if before == after {
        return Vec::new();
    }
    if let Some(after) = after {
        for (key, values) in contributions(after) {
            rows.entry(key).or_default().add(&values);
        }
    }
    if let Some(before) = before {
        for (key, values) in contributions(before) {
            rows.entry(key).or_default().subtract(&values);
        }
    }
    rows.into_iter().filter(|(_, v)| !v.is_zero()).collect()
}

// ---------------------------------------------------------------------------------------------------
// Chart geometry (SVG drawn by templates/stats/_bars.html and _trend.html)
// ---------------------------------------------------------------------------------------------------

/// Width of the drawing area of every chart, in SVG user units.
pub const CHART_WIDTH: u32 = 480;
/// Height of one horizontal bar, and the gap after it.
const BAR_HEIGHT: u32 = 18;
const BAR_GAP: u32 = 6;
/// Room for the labels left of the bars.
pub const BAR_LABEL_WIDTH: u32 = 150;

/// One horizontal bar: its label, value and rectangle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub href: String,
    pub y: u32,
    pub width: u32,
    /// Where the value is written (just right of the bar), and the label's baseline.
    pub text_x: u32,
    pub text_y: u32,
}

/// A horizontal bar chart: each bar's length is its share of the largest value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bars {
    pub width: u32,
    pub height: u32,
    pub label_width: u32,
    pub bars: Vec<Bar>,
}

/// Lays out bars for `(label, value, link)` rows; the longest bar leaves room for its number.
pub fn bars(rows: Vec<(String, u64, String)>) -> Bars {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0);
    let room = CHART_WIDTH - BAR_LABEL_WIDTH - 50;
    let bars: Vec<Bar> = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, value, href))| {
            let width = if max == 0 {
                0
            } else {
                (value * u64::from(room)).div_ceil(max) as u32
            };
            let y = i as u32 * (BAR_HEIGHT + BAR_GAP);
            Bar {
                label,
                value,
                href,
                y,
                width,
                text_x: BAR_LABEL_WIDTH + width + 4,
                text_y: y + BAR_HEIGHT - 4,
            }
        })
        .collect();
    Bars {
        width: CHART_WIDTH,
        height: (bars.len() as u32 * (BAR_HEIGHT + BAR_GAP)).max(BAR_HEIGHT),
        label_width: BAR_LABEL_WIDTH,
        bars,
    }
}

/// One month of the trend: a column for the cases received, a point of the line of those closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrendPoint {
    pub label: String,
    /// The month alone (`11` of `2026-11`), under its column.
    pub short: String,
    pub received: u64,
    pub closed: u64,
    pub x: u32,
    pub column_y: u32,
    pub column_height: u32,
    pub column_width: u32,
    /// Centre of the column, where the closed line passes.
    pub cx: u32,
    pub cy: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Trend {
    pub width: u32,
    pub height: u32,
    /// The baseline (bottom of the columns).
    pub base: u32,
    pub max: u64,
    pub points: Vec<TrendPoint>,
    /// The closed line as SVG `points` ("x,y x,y …").
    pub line: String,
}

const TREND_PLOT_HEIGHT: u32 = 160;
const TREND_TOP: u32 = 16;

/// Lays out the monthly trend: `(month label, received, closed)` in order.
pub fn trend(months: Vec<(String, u64, u64)>) -> Trend {
    let max = months.iter().map(|m| m.1.max(m.2)).max().unwrap_or(0);
    let n = months.len().max(1) as u32;
    let slot = CHART_WIDTH / n;
    let column_width = (slot * 2 / 3).max(2);
    let base = TREND_TOP + TREND_PLOT_HEIGHT;
    let scale = |v: u64| -> u32 {
        (v * u64::from(TREND_PLOT_HEIGHT))
            .checked_div(max)
            .unwrap_or(0) as u32
    };
    let points: Vec<TrendPoint> = months
        .into_iter()
        .enumerate()
        .map(|(i, (label, received, closed))| {
            let x = i as u32 * slot + (slot - column_width) / 2;
            let h = scale(received);
            TrendPoint {
                short: label.rsplit('-').next().unwrap_or_default().to_owned(),
                label,
                received,
                closed,
                x,
                column_y: base - h,
                column_height: h,
                column_width,
                cx: x + column_width / 2,
                cy: base - scale(closed),
            }
        })
        .collect();
    let line = points
        .iter()
        .map(|p| format!("{},{}", p.cx, p.cy))
        .collect::<Vec<_>>()
        .join(" ");
    Trend {
        width: CHART_WIDTH,
        height: base + 20,
        base,
        max,
        points,
        line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn figures() -> CaseFigures {
        CaseFigures {
            received_month: Month::of(day(2025, 3, 31)),
            unit_id: 7,
            grade: "ordinary".into(),
            dispute_type: "wage_arrears".into(),
            source: "walk_in".into(),
            amount_claimed_fen: 100_000,
            people_involved: 3,
            closing: None,
        }
    }

    fn row<'a>(
        rows: &'a [(CounterKey, CounterValues)],
        month: &str,
        unit_id: i64,
        dimension: Dimension,
        value: &str,
    ) -> Option<&'a CounterValues> {
        rows.iter()
            .find(|(k, _)| {
                k.month.label() == month
                    && k.unit_id == unit_id
                    && k.dimension == dimension
                    && k.value == value
            })
            .map(|(_, v)| v)
    }

    #[test]
    fn a_new_case_counts_once_street_wide_and_once_at_its_unit_in_every_dimension() {
        let rows = delta(None, Some(&figures()));
        assert_eq!(rows.len(), 8);
        for unit in [ALL_UNITS, 7] {
            for (d, v) in [
                (Dimension::All, ""),
                (Dimension::Grade, "ordinary"),
                (Dimension::DisputeType, "wage_arrears"),
                (Dimension::Source, "walk_in"),
            ] {
                let r = row(&rows, "2025-03", unit, d, v).expect("row");
                assert_eq!(
                    (r.received, r.amount_claimed_fen, r.people_involved),
                    (1, 100_000, 3)
                );
                assert_eq!(r.closed, 0);
            }
        }
    }

    #[test]
    fn an_unchanged_case_writes_nothing_and_a_removed_one_takes_back_what_it_added() {
        let c = figures();
        assert!(delta(Some(&c), Some(&c)).is_empty());
        assert!(delta(None, None).is_empty());
        let back = delta(Some(&c), None);
        assert_eq!(back.len(), 8);
        assert!(back
            .iter()
            .all(|(_, v)| v.received == -1 && v.people_involved == -3));
    }

    #[test]
    fn closing_adds_to_the_closing_month_only_under_all() {
        let before = figures();
        let mut after = before.clone();
        after.closing = Some(Closing {
            month: Month::of(day(2025, 4, 2)),
            resolved: true,
            seconds: 86_400 * 2 + 5,
        });
        let rows = delta(Some(&before), Some(&after));
        assert_eq!(rows.len(), 2);
        for unit in [ALL_UNITS, 7] {
            let r = row(&rows, "2025-04", unit, Dimension::All, "").expect("closed row");
            assert_eq!((r.closed, r.resolved, r.seconds_to_close), (1, 1, 172_805));
            assert_eq!(r.received, 0);
        }
        // Reopened: the closing is taken back, the receipt stays.
        let reopened = delta(Some(&after), Some(&before));
        assert_eq!(reopened.len(), 2);
        assert!(reopened
            .iter()
            .all(|(_, v)| v.closed == -1 && v.resolved == -1));
        // Failed: closed but not resolved.
        let mut failed = before.clone();
        failed.closing = Some(Closing {
            month: Month::of(day(2025, 4, 2)),
            resolved: false,
            seconds: 10,
        });
        let rows = delta(None, Some(&failed));
        let r = row(&rows, "2025-04", 7, Dimension::All, "").expect("closed row");
        assert_eq!((r.closed, r.resolved, r.seconds_to_close), (1, 0, 10));
    }

    #[test]
    fn moving_a_case_moves_its_unit_rows_and_leaves_the_street_rows_alone() {
        let before = figures();
        let mut after = before.clone();
        after.unit_id = 9;
        let rows = delta(Some(&before), Some(&after));
        assert_eq!(rows.len(), 8);
        assert!(rows.iter().all(|(k, _)| k.unit_id != ALL_UNITS));
        assert_eq!(
            row(&rows, "2025-03", 7, Dimension::Source, "walk_in").map(|v| v.received),
            Some(-1)
        );
        assert_eq!(
            row(&rows, "2025-03", 9, Dimension::Source, "walk_in").map(|v| v.received),
            Some(1)
        );
    }

    #[test]
    fn regrading_or_editing_moves_only_what_changed() {
        let before = figures();
        let mut regraded = before.clone();
        regraded.grade = "complex".into();
        let rows = delta(Some(&before), Some(&regraded));
        assert_eq!(rows.len(), 4);
        assert!(rows.iter().all(|(k, _)| k.dimension == Dimension::Grade));
        let mut edited = before.clone();
        edited.amount_claimed_fen += 50;
        edited.people_involved -= 1;
        let rows = delta(Some(&before), Some(&edited));
        assert_eq!(rows.len(), 8);
        assert!(rows.iter().all(|(_, v)| v.received == 0
            && v.amount_claimed_fen == 50
            && v.people_involved == -1));
    }

    #[test]
    fn whole_months_are_those_the_range_covers_from_first_to_last_day() {
        let label = |m: Option<(Month, Month)>| m.map(|(a, b)| (a.label(), b.label()));
        assert_eq!(
            label(whole_months(day(2025, 1, 1), day(2025, 12, 31))),
            Some(("2025-01".into(), "2025-12".into()))
        );
        assert_eq!(
            label(whole_months(day(2025, 1, 2), day(2025, 3, 30))),
            Some(("2025-02".into(), "2025-02".into()))
        );
        assert_eq!(whole_months(day(2025, 1, 2), day(2025, 2, 27)), None);
        assert_eq!(
            label(whole_months(day(2024, 2, 1), day(2024, 2, 29))),
            Some(("2024-02".into(), "2024-02".into()))
        );
        assert_eq!(average_days_of_seconds(86_400 * 3 + 43_200, 1), Some(3.5));
        assert_eq!(average_days_of_seconds(0, 0), None);
    }

    #[test]
    fn the_jiubao_figures_read_as_the_street_reports_them() {
        let h = Headline::new(1662, 782_000_000, 3347);
        assert_eq!(
            h.zh(),
            "累计调解各类纠纷案件1662件，涉及金额782万元，涉及人员3300余人"
        );
    }

    #[test]
    fn the_amount_is_rounded_half_up_to_the_wan() {
        assert_eq!(Headline::new(1, 781_500_000, 1).amount_wan, 782);
        assert_eq!(Headline::new(1, 781_499_999, 1).amount_wan, 781);
        assert_eq!(Headline::new(1, 0, 1).amount_wan, 0);
        assert_eq!(Headline::new(1, 499_999, 1).amount_wan, 0);
        assert_eq!(Headline::new(1, 500_000, 1).amount_wan, 1);
    }

    #[test]
    fn people_are_rounded_down_to_the_hundred_and_say_more_only_when_rounded() {
        let h = Headline::new(10, 0, 3399);
        assert_eq!((h.people, h.people_more), (3300, true));
        let exact = Headline::new(10, 0, 3300);
        assert_eq!((exact.people, exact.people_more), (3300, false));
        assert!(exact.zh().ends_with("涉及人员3300人"));
        let few = Headline::new(3, 0, 57);
        assert_eq!((few.people, few.people_more), (57, false));
        assert_eq!(
            few.zh(),
            "累计调解各类纠纷案件3件，涉及金额0万元，涉及人员57人"
        );
    }

    #[test]
    fn the_success_rate_is_resolved_over_closed_and_absent_without_closings() {
        assert_eq!(success_rate(0, 0), None);
        assert_eq!(success_rate(3, 2), Some(0.667));
        assert_eq!(success_rate(4, 4), Some(1.0));
        assert_eq!(average_days(0.0, 0), None);
        assert_eq!(average_days(31.0, 3), Some(10.3));
    }

    #[test]
    fn the_months_of_a_range_are_clipped_to_the_range() {
        let m = months_of(day(2026, 1, 15), day(2026, 3, 2));
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].0.label(), "2026-01");
        assert_eq!((m[0].1, m[0].2), (day(2026, 1, 15), day(2026, 1, 31)));
        assert_eq!((m[1].1, m[1].2), (day(2026, 2, 1), day(2026, 2, 28)));
        assert_eq!((m[2].1, m[2].2), (day(2026, 3, 1), day(2026, 3, 2)));
        let across = months_of(day(2025, 12, 31), day(2026, 1, 1));
        assert_eq!(across.len(), 2);
        assert!(months_of(day(2026, 2, 1), day(2026, 1, 1)).is_empty());
    }

    #[test]
    fn the_monthly_report_goes_on_the_first_working_day_for_the_month_before() {
        use crate::domain::clocks::{seeded_2026, Calendar};
        let cal = Calendar::new(seeded_2026().into_iter().map(|(d, k, _)| (d, k)));
        // 1 Jan 2026 is a holiday, 2 Jan too (1–3 Jan), 3 Jan a Saturday: the 5th is the first
        // working day (4 Jan, a Sunday, is declared a working day, so it is the 4th).
        let due = monthly_report_due(day(2026, 1, 4), &cal).expect("due on 4 Jan");
        assert_eq!(due.0.label(), "2025-12");
        assert_eq!((due.1, due.2), (day(2025, 12, 1), day(2025, 12, 31)));
        assert_eq!(monthly_report_due(day(2026, 1, 5), &cal), None);
        assert_eq!(monthly_report_due(day(2026, 1, 1), &cal), None);
        // 1 Nov 2026 is a Sunday: Monday the 2nd.
        assert_eq!(monthly_report_due(day(2026, 11, 1), &cal), None);
        let nov = monthly_report_due(day(2026, 11, 2), &cal).expect("due on 2 Nov");
        assert_eq!(nov.0.label(), "2026-10");
        // 1 Dec 2026 is a Tuesday.
        assert!(monthly_report_due(day(2026, 12, 1), &cal).is_some());
    }

    #[test]
    fn months_back_crosses_years() {
        assert_eq!(months_back(day(2026, 12, 3), 11), day(2026, 1, 1));
        assert_eq!(months_back(day(2026, 3, 31), 3), day(2025, 12, 1));
        assert_eq!(months_back(day(2026, 1, 5), 0), day(2026, 1, 1));
    }

    #[test]
    fn the_longest_bar_is_the_largest_value_and_an_empty_chart_draws_nothing() {
        let b = bars(vec![
            ("欠薪".into(), 10, "/a".into()),
            ("工伤".into(), 5, "/b".into()),
            ("其他".into(), 0, "/c".into()),
        ]);
        assert_eq!(b.bars[0].width, CHART_WIDTH - BAR_LABEL_WIDTH - 50);
        assert_eq!(b.bars[1].width, b.bars[0].width / 2);
        assert_eq!(b.bars[2].width, 0);
        assert!(b.bars[1].y > b.bars[0].y);
        let empty = bars(vec![("x".into(), 0, String::new())]);
        assert_eq!(empty.bars[0].width, 0);
    }

    #[test]
    fn the_trend_scales_columns_and_line_to_the_busiest_month() {
        let t = trend(vec![("2026-01".into(), 4, 2), ("2026-02".into(), 8, 8)]);
        assert_eq!(t.max, 8);
        assert_eq!(t.points[1].column_height, TREND_PLOT_HEIGHT);
        assert_eq!(t.points[0].column_height, TREND_PLOT_HEIGHT / 2);
        assert_eq!(t.points[1].cy, TREND_TOP);
        assert_eq!(t.line.split(' ').count(), 2);
        let flat = trend(vec![("2026-01".into(), 0, 0)]);
        assert_eq!(flat.points[0].column_height, 0);
    }
}
