//! The street's figures for a range of local days (DESIGN §6, §11), over the cases the user may
//! see, in a fixed number of queries whatever the number of cases.
//!
//! Received-based figures (`received`, the amount, the people and the breakdowns) count the cases
//! received in the range, by their current grade, type, source and unit; closed-based ones
//! (`closed`, `resolved`, the success rate, the average days) count the cases closed in the range
//! (status `closed`, `closed_at` inside it); `overdue_open` is as of now. `unit_id` is the unit a
//! case is at now, as in `GET /cases?unit_id=`.
//!
//! Two ways to the same figures. Street-wide (every role but the mediator, and the monthly
//! report) the whole months inside the range are read from the monthly counters
//! ([`counters`], a few hundred rows for a year) and only the days before and after them from the
//! cases; a mediator's scope is not a set of units, so theirs is always counted from the cases.
//! Counted from the cases ([`direct`]): one GROUP BY over the received range (`received_at`), one
//! per-month count over it, one per-month count over the closed range (`closed_at`). Then one
//! count of the overdue (`status, deadline_at`) and the unit names. Days to close are summed as
//! whole seconds on both ways, so both give the same average to the last bit.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{cases, units};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Select,
};
use serde::Serialize;
use utoipa::ToSchema;

pub mod counters;

use super::cases::{sees_every_case, visible_condition};
use crate::domain::case_terms::{DisputeType, Grade, Source};
use crate::domain::clocks::{end_of_local_day, local_date, start_of_local_day};
use crate::domain::stats::{self as rules, months_back, months_of, whole_months, Headline};
use crate::domain::workflow::{Outcome, Status};
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;

/// What the figures are asked for: local days, both inclusive, and a unit (where cases are now).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatsRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub unit_id: Option<i64>,
}

impl StatsRange {
    /// The range asked for; a missing end is today, a missing start the first day of the month
    /// eleven months before the end (a year of months).
    ///
    /// # Errors
    /// 422 naming `to` when it is before `from` or the range is longer than twenty years.
    pub fn new(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        unit_id: Option<i64>,
        today: NaiveDate,
    ) -> Result<StatsRange, AppError> {
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| months_back(to, 11));
        if to < from {
            return Err(AppError::field("to", Message::key("err-to-before-from")));
        }
        if (to - from).num_days() > rules::MAX_RANGE_DAYS {
            return Err(AppError::field(
                "to",
                Message::key("stats-err-range-too-long"),
            ));
        }
        Ok(StatsRange { from, to, unit_id })
    }
}

/// Cases received, with their amount and people, in one group of a breakdown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Tally {
    pub received: u64,
    pub amount_claimed_fen: i64,
    pub people_involved: u64,
}

impl Tally {
    fn add(&mut self, received: i64, amount: i64, people: i64) {
        self.received += u64::try_from(received).unwrap_or(0);
        self.amount_claimed_fen += amount;
        self.people_involved += u64::try_from(people).unwrap_or(0);
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct UnitTally {
    pub unit_id: i64,
    pub unit_name: String,
    #[serde(flatten)]
    pub tally: Tally,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct MonthTally {
    /// `2026-11`.
    pub month: String,
    /// First and last day of the range inside this month.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub received: u64,
    pub closed: u64,
    pub resolved: u64,
}

/// The headline sentence and its rounded figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct HeadlineOut {
    /// `累计调解各类纠纷案件1662件，涉及金额782万元，涉及人员3300余人`.
    pub text: String,
    pub received: u64,
    pub amount_wan: i64,
    pub people: u64,
    pub people_more: bool,
}

/// `GET /api/v1/stats`.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct StatsOut {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub unit_id: Option<i64>,
    pub received: u64,
    pub closed: u64,
    pub resolved: u64,
    /// resolved ÷ closed (three decimals); null when nothing closed.
    pub success_rate: Option<f64>,
    pub amount_claimed_fen: i64,
    pub people_involved: u64,
    /// Days from receipt to closing, averaged over the cases closed (one decimal).
    pub avg_days_to_close: Option<f64>,
    /// Running cases past their 15-day limit now.
    pub overdue_open: u64,
    /// Received cases by current grade (every grade, zeros included).
    #[schema(value_type = BTreeMap<String, Tally>)]
    pub by_grade: BTreeMap<&'static str, Tally>,
    #[schema(value_type = BTreeMap<String, Tally>)]
    pub by_dispute_type: BTreeMap<&'static str, Tally>,
    #[schema(value_type = BTreeMap<String, Tally>)]
    pub by_source: BTreeMap<&'static str, Tally>,
    /// Received cases by the unit they are at now, most first.
    pub by_unit: Vec<UnitTally>,
    /// Every month the range touches, in order.
    pub by_month: Vec<MonthTally>,
    pub headline: HeadlineOut,
}

/// `CASE WHEN col < end(month 0) THEN 0 WHEN col < end(month 1) THEN 1 … END`: the month of the
/// range an instant (already inside the range) falls in, from bounds the clocks computed.
fn month_index(col: cases::Column, ends: &[DateTime<Utc>]) -> Expr {
    let last = ends.len().saturating_sub(1) as i64;
    ends.iter()
        .enumerate()
        .fold(CaseStatement::new(), |case, (i, end)| {
            case.case(Expr::col(col).lt(*end), i as i64)
        })
        .finally(last)
        .into()
}

/// The whole seconds from receipt to closing of one case, as SQL: each instant taken to the whole
/// second below, as [`counters::figures_of`] takes them, so that both paths sum the same integers.
pub(crate) fn seconds_taken_sql(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => {
            "(CAST(FLOOR(EXTRACT(EPOCH FROM closed_at)) AS BIGINT) - CAST(FLOOR(EXTRACT(EPOCH FROM received_at)) AS BIGINT))"
        }
        _ => {
            "(CAST(strftime('%s', closed_at) AS INTEGER) - CAST(strftime('%s', received_at) AS INTEGER))"
        }
    }
}

/// Whose cases the figures count.
#[derive(Clone, Debug)]
pub enum Scope {
    /// Every case of the street (coordinators, finance, the viewer, admins, the monthly report):
    /// whole months are read from the counters.
    Street,
    /// The cases of a condition (a mediator's), always counted from the cases.
    Cases(Condition),
}

/// The figures of a part of a range, summed before they are shaped into [`StatsOut`]: from the
/// cases ([`direct`]) or from the counters ([`counters::read`]), added together.
#[derive(Debug, Default)]
struct Figures {
    total: Tally,
    /// By the stored grade, type and source.
    by_grade: BTreeMap<String, Tally>,
    by_dispute_type: BTreeMap<String, Tally>,
    by_source: BTreeMap<String, Tally>,
    by_unit: BTreeMap<i64, Tally>,
    /// By month label (`2026-11`).
    by_month: BTreeMap<String, MonthFigures>,
    closed: u64,
    resolved: u64,
    seconds_to_close: i64,
}

#[derive(Debug, Default)]
struct MonthFigures {
    received: u64,
    closed: u64,
    resolved: u64,
}

impl Tally {
    fn merge(&mut self, other: &Tally) {
        self.received += other.received;
        self.amount_claimed_fen += other.amount_claimed_fen;
        self.people_involved += other.people_involved;
    }
}

impl Figures {
    fn merge(&mut self, other: Figures) {
        self.total.merge(&other.total);
        for (mine, theirs) in [
            (&mut self.by_grade, other.by_grade),
            (&mut self.by_dispute_type, other.by_dispute_type),
            (&mut self.by_source, other.by_source),
        ] {
            for (k, t) in theirs {
                mine.entry(k).or_default().merge(&t);
            }
        }
        for (k, t) in other.by_unit {
            self.by_unit.entry(k).or_default().merge(&t);
        }
        for (k, m) in other.by_month {
            let mine = self.by_month.entry(k).or_default();
            mine.received += m.received;
            mine.closed += m.closed;
            mine.resolved += m.resolved;
        }
        self.closed += other.closed;
        self.resolved += other.resolved;
        self.seconds_to_close += other.seconds_to_close;
    }
}

/// The figures of `range` over the cases `user` may see.
///
/// # Errors
/// 422 naming `unit_id` for a unit that does not exist; database failures.
pub async fn stats(
    db: &impl ConnectionTrait,
    tz: Tz,
    user: &CurrentUser,
    range: StatsRange,
    now: DateTime<Utc>,
) -> Result<StatsOut, AppError> {
    let scope = if sees_every_case(user) {
        Scope::Street
    } else {
        Scope::Cases(visible_condition(user))
    };
    stats_in_scope(db, tz, scope, range, now).await
}

/// The figures of `range` over the cases of `scope`.
///
/// Street-wide, with counters built for `tz`: the whole months inside the range from the
/// counters, the days before and after them from the cases; otherwise all from the cases. Both
/// give the same figures (`tests/api/stats.rs` compares them).
///
/// # Errors
/// As [`stats`].
pub async fn stats_in_scope(
    db: &impl ConnectionTrait,
    tz: Tz,
    scope: Scope,
    range: StatsRange,
    now: DateTime<Utc>,
) -> Result<StatsOut, AppError> {
    let unit_names: BTreeMap<i64, String> = units::Entity::find()
        .select_only()
        .column(units::Column::Id)
        .column(units::Column::Name)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    if let Some(unit_id) = range.unit_id {
        if !unit_names.contains_key(&unit_id) {
            return Err(AppError::field(
                "unit_id",
                Message::key("stats-err-unknown-unit"),
            ));
        }
    }
    let whole = match &scope {
        Scope::Street if counters::ready(db, tz).await? => whole_months(range.from, range.to),
        _ => None,
    };
    let condition = match &scope {
        Scope::Street => Condition::all(),
        Scope::Cases(condition) => condition.clone(),
    };
    let figures = match whole {
        Some((first, last)) => {
            let mut figures = counters::read(db, range.unit_id, first, last).await?;
            let first_day = first.first_day().unwrap_or(range.from);
            if range.from < first_day {
                let before = first_day.pred_opt().unwrap_or(range.from);
                let part = direct(db, tz, &condition, range.unit_id, range.from, before).await?;
                figures.merge(part);
            }
            if let Some(after) = last.next().first_day().filter(|d| *d <= range.to) {
                let part = direct(db, tz, &condition, range.unit_id, after, range.to).await?;
                figures.merge(part);
            }
            figures
        }
        None => direct(db, tz, &condition, range.unit_id, range.from, range.to).await?,
    };
    let overdue_open = {
        let q = cases::Entity::find()
            .filter(condition)
            .filter(cases::Column::Status.is_in(Status::RUNNING.map(Status::as_str)))
            .filter(cases::Column::DeadlineAt.lte(now));
        match range.unit_id {
            Some(unit_id) => q.filter(cases::Column::CurrentUnitId.eq(unit_id)),
            None => q,
        }
        .count(db)
        .await?
    };
    shape(figures, range, overdue_open, &unit_names)
}

/// Every breakdown with all its values (zeros included) filled from `figures`.
fn breakdown(
    names: impl Iterator<Item = &'static str>,
    counted: BTreeMap<String, Tally>,
    parse: impl Fn(&str) -> Option<&'static str>,
    what: &str,
) -> Result<BTreeMap<&'static str, Tally>, AppError> {
    let mut out: BTreeMap<&'static str, Tally> = names.map(|n| (n, Tally::default())).collect();
    for (stored, tally) in counted {
        let name = parse(&stored)
            .ok_or_else(|| AppError::Internal(format!("stored {what} {stored:?}")))?;
        out.entry(name).or_default().merge(&tally);
    }
    Ok(out)
}

/// The answer from the summed figures.
fn shape(
    figures: Figures,
    range: StatsRange,
    overdue_open: u64,
    unit_names: &BTreeMap<i64, String>,
) -> Result<StatsOut, AppError> {
    let Figures {
        total,
        by_grade,
        by_dispute_type,
        by_source,
        by_unit,
        by_month,
        closed,
        resolved,
        seconds_to_close,
    } = figures;
    let by_grade = breakdown(
        Grade::ALL.iter().map(|g| g.as_str()),
        by_grade,
        |s| Grade::parse(s).map(Grade::as_str),
        "grade",
    )?;
    let by_dispute_type = breakdown(
        DisputeType::ALL.iter().map(|d| d.as_str()),
        by_dispute_type,
        |s| DisputeType::parse(s).map(DisputeType::as_str),
        "dispute type",
    )?;
    let by_source = breakdown(
        Source::ALL.iter().map(|s| s.as_str()),
        by_source,
        |s| Source::parse(s).map(Source::as_str),
        "source",
    )?;
    // A unit is listed when it received a case in the range (a counter row of a unit whose
    // cases all moved away is zero).
    let mut by_unit: Vec<UnitTally> = by_unit
        .into_iter()
        .filter(|(_, tally)| tally.received > 0)
        .map(|(unit_id, tally)| UnitTally {
            unit_id,
            unit_name: unit_names.get(&unit_id).cloned().unwrap_or_default(),
            tally,
        })
        .collect();
    by_unit.sort_by(|a, b| {
        b.tally
            .received
            .cmp(&a.tally.received)
            .then(a.unit_id.cmp(&b.unit_id))
    });
    let by_month: Vec<MonthTally> = months_of(range.from, range.to)
        .iter()
        .map(|(m, first, last)| {
            let label = m.label();
            let counted = by_month.get(&label);
            MonthTally {
                from: *first,
                to: *last,
                received: counted.map_or(0, |c| c.received),
                closed: counted.map_or(0, |c| c.closed),
                resolved: counted.map_or(0, |c| c.resolved),
                month: label,
            }
        })
        .collect();
    let headline = Headline::new(
        total.received,
        total.amount_claimed_fen,
        total.people_involved,
    );
    Ok(StatsOut {
        from: range.from,
        to: range.to,
        unit_id: range.unit_id,
        received: total.received,
        closed,
        resolved,
        success_rate: rules::success_rate(closed, resolved),
        amount_claimed_fen: total.amount_claimed_fen,
        people_involved: total.people_involved,
        avg_days_to_close: rules::average_days_of_seconds(seconds_to_close, closed),
        overdue_open,
        by_grade,
        by_dispute_type,
        by_source,
        by_unit,
        by_month,
        headline: HeadlineOut {
            text: headline.zh(),
            received: headline.received,
            amount_wan: headline.amount_wan,
            people: headline.people,
            people_more: headline.people_more,
        },
    })
}

/// `cases` grouped by (grade, dispute type, source, current unit) with the count, the amount
/// claimed and the people of each group: the received side of the figures, for the direct path
/// and for the counters' rebuild alike.
pub(super) fn received_groups(cases: Select<cases::Entity>) -> Select<cases::Entity> {
    cases
        .select_only()
        .column(cases::Column::Grade)
        .column(cases::Column::DisputeType)
        .column(cases::Column::Source)
        .column(cases::Column::CurrentUnitId)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .column_as(
            Expr::cust("CAST(SUM(amount_claimed_fen) AS BIGINT)"),
            "amount",
        )
        .column_as(Expr::cust("CAST(SUM(people_involved) AS BIGINT)"), "people")
        .group_by(cases::Column::Grade)
        .group_by(cases::Column::DisputeType)
        .group_by(cases::Column::Source)
        .group_by(cases::Column::CurrentUnitId)
}

/// The figures of the local days `from..=to` counted from the cases of `scope` (at `unit_id`
/// when given), in three queries: the received cases by (grade, type, source, unit), and month
/// by month the received and the closed.
async fn direct(
    db: &impl ConnectionTrait,
    tz: Tz,
    scope: &Condition,
    unit_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Figures, AppError> {
    let start = start_of_local_day(from, tz);
    let end = end_of_local_day(to, tz);
    let scoped = || -> Select<cases::Entity> {
        let q = cases::Entity::find().filter(scope.clone());
        match unit_id {
            Some(unit_id) => q.filter(cases::Column::CurrentUnitId.eq(unit_id)),
            None => q,
        }
    };
    let received_in_range = || {
        scoped()
            .filter(cases::Column::ReceivedAt.gte(start))
            .filter(cases::Column::ReceivedAt.lt(end))
    };
    // Cases with `closed_at` in the range; only those still closed count (the status is tested
    // in the aggregates, not the condition, so that the closed_at index is the one used).
    let closed_in_range = || {
        scoped()
            .filter(cases::Column::ClosedAt.gte(start))
            .filter(cases::Column::ClosedAt.lt(end))
    };
    let mut figures = Figures::default();

    // 1. The received cases by (grade, type, source, unit): every breakdown and the totals.
    let groups: Vec<(
        entity::terms::Grade,
        entity::terms::DisputeType,
        entity::terms::Source,
        i64,
        i64,
        i64,
        i64,
    )> = received_groups(received_in_range())
        .into_tuple()
        .all(db)
        .await?;
    for (grade, dispute_type, source, unit_id, n, amount, people) in groups {
        figures.total.add(n, amount, people);
        let grade = Grade::from(grade).as_str().to_owned();
        let dispute_type = DisputeType::from(dispute_type).as_str().to_owned();
        let source = Source::from(source).as_str().to_owned();
        for tally in [
            figures.by_grade.entry(grade).or_default(),
            figures.by_dispute_type.entry(dispute_type).or_default(),
            figures.by_source.entry(source).or_default(),
            figures.by_unit.entry(unit_id).or_default(),
        ] {
            tally.add(n, amount, people);
        }
    }

    // 2. and 3. Month by month: received, and closed with resolved and seconds taken.
    let months = months_of(from, to);
    let ends: Vec<DateTime<Utc>> = months
        .iter()
        .map(|(_, _, last)| end_of_local_day(*last, tz))
        .collect();
    let received_by_month: Vec<(i64, i64)> = received_in_range()
        .select_only()
        .column_as(month_index(cases::Column::ReceivedAt, &ends), "m")
        .column_as(Expr::cust("COUNT(*)"), "n")
        .group_by(Expr::cust("m"))
        .into_tuple()
        .all(db)
        .await?;
    let closed = format!("status = '{}'", Status::Closed.as_str());
    let seconds_sql = format!(
        "CAST(SUM(CASE WHEN {closed} THEN {} ELSE 0 END) AS BIGINT)",
        seconds_taken_sql(db.get_database_backend())
    );
    let closed_sql = format!("CAST(SUM(CASE WHEN {closed} THEN 1 ELSE 0 END) AS BIGINT)");
    let resolved_sql = format!(
        "CAST(SUM(CASE WHEN {closed} AND outcome = '{}' THEN 1 ELSE 0 END) AS BIGINT)",
        Outcome::Resolved.as_str()
    );
    let closed_by_month: Vec<(i64, i64, i64, Option<i64>)> = closed_in_range()
        .select_only()
        .column_as(month_index(cases::Column::ClosedAt, &ends), "m")
        .column_as(Expr::cust(closed_sql), "n")
        .column_as(Expr::cust(resolved_sql), "resolved")
        .column_as(Expr::cust(seconds_sql), "seconds")
        .group_by(Expr::cust("m"))
        .into_tuple()
        .all(db)
        .await?;
    let label_of = |m: i64| {
        usize::try_from(m)
            .ok()
            .and_then(|i| months.get(i))
            .map(|(month, _, _)| month.label())
    };
    for (m, n) in received_by_month {
        if let Some(label) = label_of(m) {
            figures.by_month.entry(label).or_default().received += u64::try_from(n).unwrap_or(0);
        }
    }
    for (m, n, r, seconds) in closed_by_month {
        let (n, r) = (u64::try_from(n).unwrap_or(0), u64::try_from(r).unwrap_or(0));
        figures.closed += n;
        figures.resolved += r;
        figures.seconds_to_close += seconds.unwrap_or(0);
        if let Some(label) = label_of(m) {
            let month = figures.by_month.entry(label).or_default();
            month.closed += n;
            month.resolved += r;
        }
    }
    Ok(figures)
}

/// Today in the street's zone (the default end of a range).
pub fn today(tz: Tz) -> NaiveDate {
    local_date(Utc::now(), tz)
}
