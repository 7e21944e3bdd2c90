//! The street's figures for a range of local days (DESIGN §6, §11): SQL aggregates over the cases
//! the user may see, in a fixed number of queries whatever the number of cases.
//!
//! Received-based figures (`received`, the amount, the people and the breakdowns) count the cases
//! received in the range, by their current grade, type, source and unit; closed-based ones
//! (`closed`, `resolved`, the success rate, the average days) count the cases closed in the range
//! (status `closed`, `closed_at` inside it); `overdue_open` is as of now. `unit_id` is the unit a
//! case is at now, as in `GET /cases?unit_id=`.
//!
//! Queries (indexes they lean on): one GROUP BY over the received range (`received_at`), one
//! per-month count over it (`received_at`), one per-month count over the closed range
//! (`closed_at`), one count of the overdue (`status, deadline_at`), and the unit names.

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

use super::cases::visible_condition;
use crate::domain::case_terms::{DisputeType, Grade, Source};
use crate::domain::clocks::{end_of_local_day, local_date, start_of_local_day};
use crate::domain::stats::{self as rules, months_back, months_of, Headline};
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
    stats_in_scope(db, tz, visible_condition(user), range, now).await
}

/// The figures of `range` over the cases of `scope` (the whole street for the monthly report).
///
/// # Errors
/// As [`stats`].
pub async fn stats_in_scope(
    db: &impl ConnectionTrait,
    tz: Tz,
    scope: Condition,
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
    let start = start_of_local_day(range.from, tz);
    let end = end_of_local_day(range.to, tz);
    let scoped = || -> Select<cases::Entity> {
        let q = cases::Entity::find().filter(scope.clone());
        match range.unit_id {
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

    // 1. The received cases by (grade, type, source, unit): every breakdown and the totals.
    let groups: Vec<(
        entity::terms::Grade,
        entity::terms::DisputeType,
        entity::terms::Source,
        i64,
        i64,
        i64,
        i64,
    )> = received_in_range()
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
        .into_tuple()
        .all(db)
        .await?;
    let mut total = Tally::default();
    let mut by_grade: BTreeMap<&'static str, Tally> = Grade::ALL
        .iter()
        .map(|g| (g.as_str(), Tally::default()))
        .collect();
    let mut by_dispute_type: BTreeMap<&'static str, Tally> = DisputeType::ALL
        .iter()
        .map(|d| (d.as_str(), Tally::default()))
        .collect();
    let mut by_source: BTreeMap<&'static str, Tally> = Source::ALL
        .iter()
        .map(|s| (s.as_str(), Tally::default()))
        .collect();
    let mut by_unit_map: BTreeMap<i64, Tally> = BTreeMap::new();
    for (grade, dispute_type, source, unit_id, n, amount, people) in groups {
        total.add(n, amount, people);
        let grade = Grade::from(grade);
        let dispute_type = DisputeType::from(dispute_type);
        let source = Source::from(source);
        for tally in [
            by_grade.entry(grade.as_str()).or_default(),
            by_dispute_type.entry(dispute_type.as_str()).or_default(),
            by_source.entry(source.as_str()).or_default(),
            by_unit_map.entry(unit_id).or_default(),
        ] {
            tally.add(n, amount, people);
        }
    }
    let mut by_unit: Vec<UnitTally> = by_unit_map
        .into_iter()
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

    // 2. and 3. Month by month: received, and closed with resolved and days taken.
    let months = months_of(range.from, range.to);
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
    let days_taken = match db.get_database_backend() {
        DatabaseBackend::Postgres => format!(
            "CAST(SUM(CASE WHEN {closed} THEN EXTRACT(EPOCH FROM (closed_at - received_at)) ELSE 0 END) AS DOUBLE PRECISION) / 86400.0"
        ),
        _ => format!(
            "CAST(SUM(CASE WHEN {closed} THEN julianday(closed_at) - julianday(received_at) ELSE 0 END) AS REAL)"
        ),
    };
    let closed_sql = format!("CAST(SUM(CASE WHEN {closed} THEN 1 ELSE 0 END) AS BIGINT)");
    let resolved_sql = format!(
        "CAST(SUM(CASE WHEN {closed} AND outcome = '{}' THEN 1 ELSE 0 END) AS BIGINT)",
        Outcome::Resolved.as_str()
    );
    let closed_by_month: Vec<(i64, i64, i64, Option<f64>)> = closed_in_range()
        .select_only()
        .column_as(month_index(cases::Column::ClosedAt, &ends), "m")
        .column_as(Expr::cust(closed_sql), "n")
        .column_as(Expr::cust(resolved_sql), "resolved")
        .column_as(Expr::cust(days_taken), "days")
        .group_by(Expr::cust("m"))
        .into_tuple()
        .all(db)
        .await?;
    let mut by_month: Vec<MonthTally> = months
        .iter()
        .map(|(m, first, last)| MonthTally {
            month: m.label(),
            from: *first,
            to: *last,
            received: 0,
            closed: 0,
            resolved: 0,
        })
        .collect();
    for (m, n) in received_by_month {
        if let Some(month) = usize::try_from(m).ok().and_then(|i| by_month.get_mut(i)) {
            month.received = u64::try_from(n).unwrap_or(0);
        }
    }
    let (mut closed, mut resolved, mut days) = (0u64, 0u64, 0f64);
    for (m, n, r, d) in closed_by_month {
        let (n, r) = (u64::try_from(n).unwrap_or(0), u64::try_from(r).unwrap_or(0));
        closed += n;
        resolved += r;
        days += d.unwrap_or(0.0);
        if let Some(month) = usize::try_from(m).ok().and_then(|i| by_month.get_mut(i)) {
            month.closed = n;
            month.resolved = r;
        }
    }

    // 4. Overdue now, as the case list's `overdue=true` counts them.
    let overdue_open = scoped()
        .filter(cases::Column::Status.is_in(Status::RUNNING.map(Status::as_str)))
        .filter(cases::Column::DeadlineAt.lte(now))
        .count(db)
        .await?;

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
        avg_days_to_close: rules::average_days(days, closed),
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

/// Today in the street's zone (the default end of a range).
pub fn today(tz: Tz) -> NaiveDate {
    local_date(Utc::now(), tz)
}
