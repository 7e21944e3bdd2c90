//! The street's figures in words and shapes: the headline sentence it reports upward
//! (DESIGN §11), the success rate and average days, the months of a range, and the geometry of
//! the dashboard's charts. Pure; the counting itself is SQL in `services::stats`.

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
