//! The monthly counters of the street's figures (table `stat_counters`): kept by [`apply`] in the
//! transaction of every change of a case that moves a figure, recomputed from the cases by
//! [`rebuild`] after bulk writes and when the street's zone changes, and read by the statistics
//! for the whole months of a street-wide range ([`read`]).
//!
//! The counters are built for one time zone (their months are local months), stored in the
//! setting [`ZONE_SETTING`]; while it is not the configured zone ([`ready`] says no) the
//! statistics count from the cases, and the next start rebuilds them ([`ensure`]).

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::{cases, settings, stat_counters};
use sea_orm::sea_query::{Expr, OnConflict, Query, SelectStatement, UnionType};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, IsolationLevel, QueryFilter, QueryOrder, QuerySelect, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

use super::{seconds_taken_sql, Figures};
use crate::domain::case_terms::{DisputeType, Grade, Source};
use crate::domain::clocks::{end_of_local_day, local_date, start_of_local_day};
use crate::domain::stats::{
    self as rules, CaseFigures, Closing, CounterKey, CounterValues, Dimension, Month, ALL_UNITS,
};
use crate::domain::workflow::{Outcome, Status};
use crate::error::AppError;

/// The setting that names the zone the counters were built for (a JSON string).
pub const ZONE_SETTING: &str = "stat_counters_time_zone";

/// Rows per INSERT: 10 columns each, well under SQLite's limit of bound values.
const ROWS_PER_INSERT: usize = 500;

/// What of `case` the counters count, in `tz`.
pub fn figures_of(tz: Tz, case: &cases::Model) -> CaseFigures {
    let closing = match case.closed_at {
        Some(closed_at) if Status::from(case.status) == Status::Closed => Some(Closing {
            month: Month::of(local_date(closed_at, tz)),
            resolved: case.outcome.map(Outcome::from) == Some(Outcome::Resolved),
            seconds: closed_at.timestamp() - case.received_at.timestamp(),
        }),
        _ => None,
    };
    CaseFigures {
        received_month: Month::of(local_date(case.received_at, tz)),
        unit_id: case.current_unit_id,
        grade: Grade::from(case.grade).as_str().to_owned(),
        dispute_type: DisputeType::from(case.dispute_type).as_str().to_owned(),
        source: Source::from(case.source).as_str().to_owned(),
        amount_claimed_fen: case.amount_claimed_fen,
        people_involved: i64::from(case.people_involved),
        closing,
    }
}

/// Moves the counters from `before` to `after` (a new case: `before` is `None`), in the caller's
/// transaction. A change that moves no figure writes nothing.
///
/// # Errors
/// Database failures.
pub async fn apply(
    txn: &impl ConnectionTrait,
    tz: Tz,
    before: Option<&cases::Model>,
    after: Option<&cases::Model>,
) -> Result<(), AppError> {
    let before = before.map(|c| figures_of(tz, c));
    let after = after.map(|c| figures_of(tz, c));
    let rows = rules::delta(before.as_ref(), after.as_ref());
    add(txn, &rows).await
}

/// `INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x`, in key order (so that two
/// transactions on PostgreSQL take the row locks in the same order).
async fn add(
    db: &impl ConnectionTrait,
    rows: &[(CounterKey, CounterValues)],
) -> Result<(), AppError> {
    use stat_counters::Column as C;
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let models = chunk.iter().map(|(k, v)| stat_counters::ActiveModel {
            month: Set(k.month.label()),
            unit_id: Set(k.unit_id),
            dimension: Set(k.dimension.as_str().to_owned()),
            dimension_value: Set(k.value.clone()),
            received: Set(v.received),
            amount_claimed_fen: Set(v.amount_claimed_fen),
            people_involved: Set(v.people_involved),
            closed: Set(v.closed),
            resolved: Set(v.resolved),
            seconds_to_close: Set(v.seconds_to_close),
        });
        let mut on_conflict =
            OnConflict::columns([C::Month, C::UnitId, C::Dimension, C::DimensionValue]);
        for (col, name) in [
            (C::Received, "received"),
            (C::AmountClaimedFen, "amount_claimed_fen"),
            (C::PeopleInvolved, "people_involved"),
            (C::Closed, "closed"),
            (C::Resolved, "resolved"),
            (C::SecondsToClose, "seconds_to_close"),
        ] {
            on_conflict.value(
                col,
                Expr::cust(format!("stat_counters.{name} + excluded.{name}")),
            );
        }
        stat_counters::Entity::insert_many(models)
            .on_conflict(on_conflict)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

fn zone_value(tz: Tz) -> String {
    serde_json::Value::String(tz.name().to_owned()).to_string()
}

/// Whether the counters were built for `tz` (one read of a setting).
///
/// # Errors
/// Database failures.
pub async fn ready(db: &impl ConnectionTrait, tz: Tz) -> Result<bool, AppError> {
    Ok(settings::Entity::find_by_id(ZONE_SETTING)
        .one(db)
        .await?
        .is_some_and(|s| s.value == zone_value(tz)))
}

/// At start: rebuilds the counters when they were built for another zone or never (a database
/// from before them). `Some(rows)` when it rebuilt.
///
/// # Errors
/// Database failures.
pub async fn ensure(db: &DatabaseConnection, tz: Tz) -> Result<Option<u64>, AppError> {
    if ready(db, tz).await? {
        return Ok(None);
    }
    let report = rebuild(db, tz).await?;
    tracing::info!(
        rows = report.rows,
        seconds = report.seconds,
        zone = tz.name(),
        "statistics counters rebuilt"
    );
    Ok(Some(report.rows))
}

/// What a rebuild wrote.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RebuildReport {
    pub months: u64,
    pub rows: u64,
    pub seconds: f64,
}

/// Recomputes every counter from the cases, in one transaction, and records `tz` as their zone:
/// month by month, one GROUP BY over the cases received in it (by unit, grade, type and source)
/// and one over those closed in it (by unit), along the `received_at` and `closed_at` indexes.
///
/// On PostgreSQL the transaction first locks the counters against writers (a writer waits for
/// the rebuild before it adds its change; one that added before has committed first) and then
/// reads one snapshot of the cases; on SQLite the write transaction excludes every writer.
///
/// # Errors
/// Database failures.
pub async fn rebuild(db: &DatabaseConnection, tz: Tz) -> Result<RebuildReport, AppError> {
    let started = Instant::now();
    let backend = db.get_database_backend();
    let txn = db
        .begin_with_options(TransactionOptions {
            isolation_level: (backend == DatabaseBackend::Postgres)
                .then_some(IsolationLevel::RepeatableRead),
            sqlite_transaction_mode: (backend == DatabaseBackend::Sqlite)
                .then_some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    if backend == DatabaseBackend::Postgres {
        txn.execute_unprepared("LOCK TABLE stat_counters IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    stat_counters::Entity::delete_many().exec(&txn).await?;
    let mut rows: BTreeMap<CounterKey, CounterValues> = BTreeMap::new();
    let months = match span(&txn, tz).await? {
        Some((first, last)) => rules::months_of(first, last),
        None => Vec::new(),
    };
    let closed = Status::Closed.as_str();
    let resolved_sql = format!(
        "CAST(SUM(CASE WHEN outcome = '{}' THEN 1 ELSE 0 END) AS BIGINT)",
        Outcome::Resolved.as_str()
    );
    let seconds_sql = format!("CAST(SUM({}) AS BIGINT)", seconds_taken_sql(backend));
    for (month, first, last) in &months {
        let start = start_of_local_day(*first, tz);
        let end = end_of_local_day(*last, tz);
        let received: Vec<(entity::terms::Grade, String, String, i64, i64, i64, i64)> =
            super::received_groups(
                cases::Entity::find()
                    .filter(cases::Column::ReceivedAt.gte(start))
                    .filter(cases::Column::ReceivedAt.lt(end)),
            )
            .into_tuple()
            .all(&txn)
            .await?;
        for (grade, dispute_type, source, unit_id, n, amount, people) in received {
            let values = CounterValues {
                received: n,
                amount_claimed_fen: amount,
                people_involved: people,
                ..CounterValues::default()
            };
            let grade = Grade::from(grade).as_str().to_owned();
            for unit_id in [ALL_UNITS, unit_id] {
                for (dimension, value) in [
                    (Dimension::All, String::new()),
                    (Dimension::Grade, grade.clone()),
                    (Dimension::DisputeType, dispute_type.clone()),
                    (Dimension::Source, source.clone()),
                ] {
                    let key = CounterKey {
                        month: *month,
                        unit_id,
                        dimension,
                        value,
                    };
                    rows.entry(key).or_default().add(&values);
                }
            }
        }
        let closings: Vec<(i64, i64, i64, i64)> = cases::Entity::find()
            .filter(cases::Column::ClosedAt.gte(start))
            .filter(cases::Column::ClosedAt.lt(end))
            .filter(cases::Column::Status.eq(closed))
            .select_only()
            .column(cases::Column::CurrentUnitId)
            .column_as(Expr::cust("COUNT(*)"), "n")
            .column_as(Expr::cust(resolved_sql.clone()), "resolved")
            .column_as(Expr::cust(seconds_sql.clone()), "seconds")
            .group_by(cases::Column::CurrentUnitId)
            .into_tuple()
            .all(&txn)
            .await?;
        for (unit_id, n, resolved, seconds) in closings {
            let values = CounterValues {
                closed: n,
                resolved,
                seconds_to_close: seconds,
                ..CounterValues::default()
            };
            for unit_id in [ALL_UNITS, unit_id] {
                let key = CounterKey {
                    month: *month,
                    unit_id,
                    dimension: Dimension::All,
                    value: String::new(),
                };
                rows.entry(key).or_default().add(&values);
            }
        }
    }
    let rows: Vec<(CounterKey, CounterValues)> =
        rows.into_iter().filter(|(_, v)| !v.is_zero()).collect();
    add(&txn, &rows).await?;
    crate::services::settings::write_system(&txn, ZONE_SETTING, zone_value(tz)).await?;
    txn.commit().await?;
    Ok(RebuildReport {
        months: months.len() as u64,
        rows: rows.len() as u64,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The first and last local day any case was received or closed on, if there is a case.
async fn span(
    db: &impl ConnectionTrait,
    tz: Tz,
) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>, AppError> {
    let mut instants: Vec<DateTime<Utc>> = Vec::with_capacity(4);
    for col in [cases::Column::ReceivedAt, cases::Column::ClosedAt] {
        for ascending in [true, false] {
            let q = cases::Entity::find()
                .filter(col.is_not_null())
                .select_only()
                .column(col);
            let q = if ascending {
                q.order_by_asc(col)
            } else {
                q.order_by_desc(col)
            };
            if let Some(at) = q.into_tuple::<DateTime<Utc>>().one(db).await? {
                instants.push(at);
            }
        }
    }
    let first = instants.iter().min().map(|at| local_date(*at, tz));
    let last = instants.iter().max().map(|at| local_date(*at, tz));
    Ok(first.zip(last))
}

/// The counters of the months `first..=last`, street-wide or of one unit: the street-wide (or
/// the unit's) rows of every dimension and, street-wide, each unit's totals.
///
/// Summed by the database in three grouped reads (by month, by breakdown value, by unit), so
/// that a year returns about sixty rows whatever the number of units, not the 500-odd stored
/// rows: decoding those rows one by one was most of a request's time. The three go as one
/// `UNION ALL` statement: each query costs a hand-off to the database's thread and back, which
/// the profile showed as most of what was left of a request. Each read is a range of
/// `ix_stat_counters_read` (dimension, unit, month): hence the dimensions named with `IN` and the
/// units as `> 0` rather than "not": an inequality would make the database walk every month.
///
/// # Errors
/// Database failures; a stored dimension the code does not know.
pub(super) async fn read(
    db: &impl ConnectionTrait,
    unit_id: Option<i64>,
    first: Month,
    last: Month,
) -> Result<Figures, AppError> {
    use stat_counters::Column as C;
    let scope_unit = unit_id.unwrap_or(ALL_UNITS);
    let sum = |column: &str| Expr::cust(format!("CAST(SUM({column}) AS BIGINT)"));
    let zero = || Expr::cust("CAST(0 AS BIGINT)");
    let text = |t: &str| Expr::cust(format!("CAST('{t}' AS VARCHAR(40))"));
    // One select per part, alike in shape: (part, key, value, unit, received, amount, people,
    // closed, resolved, seconds); the closed side only in the months.
    let part = |name: &str| {
        let mut q = Query::select();
        q.from(stat_counters::Entity)
            .expr_as(text(name), "part")
            .and_where(C::Month.gte(first.label()))
            .and_where(C::Month.lte(last.label()));
        q
    };
    let received_side = |q: &mut SelectStatement| {
        q.expr_as(sum("received"), "received")
            .expr_as(sum("amount_claimed_fen"), "amount")
            .expr_as(sum("people_involved"), "people");
    };
    let mut months = part("month");
    months
        .expr_as(Expr::col(C::Month), "key")
        .expr_as(text(""), "value")
        .expr_as(zero(), "unit");
    received_side(&mut months);
    months
        .expr_as(sum("closed"), "closed")
        .expr_as(sum("resolved"), "resolved")
        .expr_as(sum("seconds_to_close"), "seconds")
        .and_where(C::Dimension.eq(Dimension::All.as_str()))
        .and_where(C::UnitId.eq(scope_unit))
        .group_by_col(C::Month);
    let mut breakdowns = part("breakdown");
    breakdowns
        .expr_as(Expr::col(C::Dimension), "key")
        .expr_as(Expr::col(C::DimensionValue), "value")
        .expr_as(zero(), "unit");
    received_side(&mut breakdowns);
    breakdowns
        .expr_as(zero(), "closed")
        .expr_as(zero(), "resolved")
        .expr_as(zero(), "seconds")
        .and_where(C::Dimension.is_in(Dimension::BREAKDOWNS.map(Dimension::as_str)))
        .and_where(C::UnitId.eq(scope_unit))
        .group_by_col(C::Dimension)
        .group_by_col(C::DimensionValue);
    months.union(UnionType::All, breakdowns);
    if unit_id.is_none() {
        let mut units = part("unit");
        units
            .expr_as(text(""), "key")
            .expr_as(text(""), "value")
            .expr_as(Expr::col(C::UnitId), "unit");
        received_side(&mut units);
        units
            .expr_as(zero(), "closed")
            .expr_as(zero(), "resolved")
            .expr_as(zero(), "seconds")
            .and_where(C::Dimension.eq(Dimension::All.as_str()))
            .and_where(C::UnitId.gt(ALL_UNITS))
            .group_by_col(C::UnitId);
        months.union(UnionType::All, units);
    }
    let rows = db
        .query_all_raw(db.get_database_backend().build(&months))
        .await?;

    let mut figures = Figures::default();
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    for row in rows {
        let get = |column: &str| row.try_get::<i64>("", column);
        let part: String = row.try_get("", "part")?;
        let key: String = row.try_get("", "key")?;
        let (received, amount, people) = (get("received")?, get("amount")?, get("people")?);
        match part.as_str() {
            "month" => {
                let (closed, resolved) = (get("closed")?, get("resolved")?);
                figures.total.add(received, amount, people);
                if unit_id.is_some() {
                    figures
                        .by_unit
                        .entry(scope_unit)
                        .or_default()
                        .add(received, amount, people);
                }
                let entry = figures.by_month.entry(key).or_default();
                entry.received += count(received);
                entry.closed += count(closed);
                entry.resolved += count(resolved);
                figures.closed += count(closed);
                figures.resolved += count(resolved);
                figures.seconds_to_close += get("seconds")?;
            }
            "breakdown" => {
                let breakdown = match Dimension::parse(&key) {
                    Some(Dimension::Grade) => &mut figures.by_grade,
                    Some(Dimension::DisputeType) => &mut figures.by_dispute_type,
                    Some(Dimension::Source) => &mut figures.by_source,
                    Some(Dimension::All) | None => {
                        return Err(AppError::Internal(format!(
                            "stored counter dimension {key:?}"
                        )))
                    }
                };
                breakdown
                    .entry(row.try_get("", "value")?)
                    .or_default()
                    .add(received, amount, people);
            }
            _ => {
                figures
                    .by_unit
                    .entry(get("unit")?)
                    .or_default()
                    .add(received, amount, people);
            }
        }
    }
    Ok(figures)
}
