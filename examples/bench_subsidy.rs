//! Benchmark of the subsidy computation (issue 7): fills a database with 1,000,000 cases (about
//! 10,000 of them resolved in October 2026, the month computed), approves September first so that
//! the locked-period path is exercised, then times creating (computing) October, recomputing it
//! and approving it.
//!
//! `cargo run --release --example bench_subsidy -- DATABASE_URL [CASES]`; `bench/subsidy.sh` runs it
//! on SQLite and PostgreSQL. A database that already holds the cases is reused (only the periods
//! are dropped), so a second run only times.

use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use entity::{case_assignments, cases, mediators, subsidy_items, subsidy_periods, units, users};
use mediation::config::Config;
use mediation::demo;
use mediation::domain::subsidy::Period;
use mediation::services::command::Ready;
use mediation::services::{auth, subsidy};
use mediation::App;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

const BATCH: usize = 1_000;
/// One case in this many is resolved in the benchmark month: 10,000 of 1,000,000.
const IN_MONTH_EVERY: usize = 100;

fn local(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Shanghai
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("a local time")
        .with_timezone(&Utc)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "sqlite://data/bench-subsidy.db".to_owned());
    let total: usize = args.next().map_or(Ok(1_000_000), |n| n.parse())?;
    let app = App::build(Config::for_database(&url)).await?;
    let db = app.state.db.clone();
    demo::load_if_empty(&db).await?;

    let have = cases::Entity::find().count(&db).await? as usize;
    if have < total {
        let started = Instant::now();
        fill(&db, have, total).await?;
        println!(
            "filled {} cases in {:.1} s",
            total - have,
            started.elapsed().as_secs_f64()
        );
        // The rows went in past the services that keep the statistics counters.
        let rebuilt = mediation::services::stats::counters::rebuild(&db, Shanghai).await?;
        println!(
            "statistics counters rebuilt: {} rows in {:.1} s",
            rebuilt.rows, rebuilt.seconds
        );
    } else {
        println!("reusing {have} cases");
    }
    // Fresh statistics, as a database that has grown over years would have.
    db.execute_unprepared("ANALYZE").await?;
    subsidy_items::Entity::delete_many().exec(&db).await?;
    subsidy_periods::Entity::delete_many().exec(&db).await?;

    let finance = auth::user_by_username(&db, "finance").await?;
    let tz = Shanghai;
    let (start, end) = Period::parse("2026-10")?.bounds(tz)?;
    let in_month = cases::Entity::find()
        .filter(cases::Column::ClosedAt.gte(start))
        .filter(cases::Column::ClosedAt.lt(end))
        .count(&db)
        .await?;
    println!(
        "backend {:?}: {} cases, {in_month} closed in 2026-10",
        db.get_database_backend(),
        cases::Entity::find().count(&db).await?
    );

    let t = Instant::now();
    let sep =
        subsidy::create_period(&db, &finance, tz, Ready::new(Period::parse("2026-09")?)).await?;
    println!(
        "create 2026-09: {:.3} s ({} items)",
        t.elapsed().as_secs_f64(),
        sep.items.len()
    );
    let t = Instant::now();
    subsidy::approve(&db, &finance, tz, sep.id, Ready::new(())).await?;
    println!("approve 2026-09: {:.3} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    let rates = subsidy::compute::compute(&db, tz, start, end).await?;
    println!(
        "compute 2026-10 (queries + rules, no writes): {:.3} s ({} items)",
        t.elapsed().as_secs_f64(),
        rates.len()
    );
    let t = Instant::now();
    let oct =
        subsidy::create_period(&db, &finance, tz, Ready::new(Period::parse("2026-10")?)).await?;
    let created = t.elapsed().as_secs_f64();
    println!(
        "create 2026-10 (compute + write items + read back): {created:.3} s ({} items, {} cases, total {} fen)",
        oct.items.len(),
        oct.totals.cases,
        oct.totals.total_fen
    );
    let t = Instant::now();
    subsidy::detail(&db, &finance, oct.id).await?;
    println!(
        "  of which reading the period back: {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    {
        let txn = db.begin().await?;
        subsidy::compute::replace_items(&txn, oct.id, &rates).await?;
        txn.rollback().await?;
    }
    println!(
        "  of which writing the items: {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let again = subsidy::recompute(&db, &finance, tz, oct.id, Ready::new(())).await?;
    println!(
        "recompute 2026-10: {:.3} s ({} items)",
        t.elapsed().as_secs_f64(),
        again.items.len()
    );
    let t = Instant::now();
    subsidy::approve(&db, &finance, tz, oct.id, Ready::new(())).await?;
    println!("approve 2026-10: {:.3} s", t.elapsed().as_secs_f64());
    Ok(())
}

/// Inserts cases `from..to` with a lead each, and a co-mediator for those resolved in the month.
async fn fill(
    db: &DatabaseConnection,
    from: usize,
    to: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let hub = units::Entity::find()
        .filter(units::Column::Kind.eq("street_hub"))
        .one(db)
        .await?
        .ok_or("no hub")?;
    let stations: Vec<i64> = units::Entity::find()
        .filter(units::Column::Kind.eq("village_station"))
        .order_by_asc(units::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    let all_mediators: Vec<i64> = mediators::Entity::find()
        .order_by_asc(mediators::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let creator = users::Entity::find()
        .order_by_asc(users::Column::Id)
        .one(db)
        .await?
        .ok_or("no user")?
        .id;
    let history_start = local(2019, 1, 1, 9);
    let history_span = (local(2026, 9, 1, 9) - history_start).num_seconds();
    let month_start = local(2026, 10, 1, 9);
    let now = Utc::now();
    let mut next = from;
    while next < to {
        let txn = db.begin().await?;
        for _ in 0..50 {
            if next >= to {
                break;
            }
            let batch_end = (next + BATCH).min(to);
            let mut rows = Vec::with_capacity(batch_end - next);
            let mut kinds = Vec::with_capacity(batch_end - next);
            for i in next..batch_end {
                let in_month = i % IN_MONTH_EVERY == 0;
                let (received_at, closed_at) = if in_month {
                    // Spread over October, local 09:00 to 21:00.
                    let k = (i / IN_MONTH_EVERY) as i64;
                    let closed =
                        month_start + Duration::days(k % 31) + Duration::minutes((k * 7) % 720);
                    (closed - Duration::days(9), Some(closed))
                } else {
                    let received =
                        history_start + Duration::seconds((i as i64 * 7_919) % history_span);
                    let closed = (i % 10 != 0).then(|| received + Duration::days(10));
                    (received, closed)
                };
                let outcome = match (closed_at, i % 10) {
                    (None, _) => None,
                    (Some(_), _) if in_month => Some(entity::terms::Outcome::Resolved),
                    (Some(_), 1 | 2) => Some(entity::terms::Outcome::Failed),
                    (Some(_), _) => Some(entity::terms::Outcome::Resolved),
                };
                let grade = {
                    use entity::terms::Grade::{Complex, Major, Ordinary, Simple};
                    [Simple, Ordinary, Ordinary, Complex, Simple, Major][(i / 7) % 6]
                };
                let unit = stations[i % stations.len()];
                kinds.push((i, in_month, received_at));
                rows.push(cases::ActiveModel {
                    case_no: Set(format!("BENCH-{i:07}")),
                    hub_id: Set(hub.id),
                    status: Set(if closed_at.is_some() {
                        entity::terms::CaseStatus::Closed
                    } else {
                        entity::terms::CaseStatus::Mediating
                    }),
                    outcome: Set(outcome),
                    grade: Set(grade),
                    grade_source: Set(entity::terms::GradeSource::Auto),
                    grade_confirmed: Set(closed_at.is_some()),
                    grade_reason: Set(String::new()),
                    current_unit_id: Set(unit),
                    intake_unit_id: Set(unit),
                    dispute_type: Set(entity::terms::DisputeType::WageArrears),
                    source: Set(entity::terms::Source::WalkIn),
                    summary: Set("benchmark".to_owned()),
                    amount_claimed_fen: Set(300_000),
                    people_involved: Set(1),
                    risk_flags: Set("[]".to_owned()),
                    received_at: Set(received_at),
                    infringement_known_on: Set(None),
                    employment_ended_on: Set(None),
                    deadline_at: Set(received_at + Duration::days(15)),
                    closed_at: Set(closed_at),
                    created_by: Set(creator),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                });
            }
            cases::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
            // The ids just given out, in case-number order.
            let ids: Vec<(i64, String)> = cases::Entity::find()
                .filter(cases::Column::CaseNo.gte(format!("BENCH-{next:07}")))
                .filter(cases::Column::CaseNo.lt(format!("BENCH-{batch_end:07}")))
                .order_by_asc(cases::Column::CaseNo)
                .all(&txn)
                .await?
                .into_iter()
                .map(|c| (c.id, c.case_no))
                .collect();
            let mut team = Vec::with_capacity(ids.len() * 2);
            for ((id, _), (i, in_month, received_at)) in ids.into_iter().zip(kinds) {
                let lead = all_mediators[i % all_mediators.len()];
                team.push(case_assignments::ActiveModel {
                    case_id: Set(id),
                    mediator_id: Set(lead),
                    role: Set(entity::terms::TeamRole::Lead),
                    assigned_at: Set(received_at + Duration::hours(1)),
                    ended_at: Set(None),
                    ..Default::default()
                });
                if in_month {
                    let co = all_mediators[(i / 3 + 1) % all_mediators.len()];
                    if co != lead {
                        team.push(case_assignments::ActiveModel {
                            case_id: Set(id),
                            mediator_id: Set(co),
                            role: Set(entity::terms::TeamRole::Co),
                            assigned_at: Set(received_at + Duration::hours(2)),
                            ended_at: Set(None),
                            ..Default::default()
                        });
                    }
                }
            }
            case_assignments::Entity::insert_many(team)
                .exec_without_returning(&txn)
                .await?;
            next = batch_end;
        }
        txn.commit().await?;
        if next % 100_000 < BATCH * 50 {
            println!("  {next} cases");
        }
    }
    Ok(())
}
