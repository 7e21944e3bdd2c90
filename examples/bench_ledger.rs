//! Benchmark of the ledger export (issue 16): streams a year's ledger (2025) of a database filled
//! by `bench_subsidy` as CSV and as XLSX into nothing, and prints rows per second and the process's
//! peak memory (VmHWM) before and after. Runs the export service alone (no mail worker or
//! reminders beside it), so the memory is the export's.
//!
//! `cargo run --release --example bench_ledger -- DATABASE_URL`; `bench/ledger.sh` runs it.

use std::time::Instant;

use mediation::config::Config;
use mediation::services::cases::list::CaseFilter;
use mediation::services::ledger::export::{export, Format};
use mediation::services::ledger::import::system_actor;
use mediation::App;

fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite://data/bench-subsidy.db".to_owned());
    let app = App::build(Config::for_database(&url)).await?;
    let (db, tz) = (app.state.db.clone(), app.state.config.time_zone);
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let filter = CaseFilter {
        received_from: day("2025-01-01"),
        received_to: day("2025-12-31"),
        ..Default::default()
    };
    let rows = mediation::services::cases::list::filtered(
        tz,
        &system_actor(),
        &filter,
        chrono::Utc::now(),
    );
    let count = sea_orm::PaginatorTrait::count(rows, &db).await?;
    println!("peak before: {:.1} MB", peak_mb());
    for format in [Format::Csv, Format::Xlsx] {
        let started = Instant::now();
        let mut pieces = export(
            &db,
            tz,
            &system_actor(),
            filter.clone(),
            format,
            "bench".into(),
        )
        .await?;
        let mut bytes = 0usize;
        while let Some(piece) = pieces.recv().await {
            bytes += piece?.len();
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{:<4} {count} rows in {secs:.2} s = {:.0} rows/s, {:.1} MB written, process peak {:.1} MB",
            format.ext(),
            count as f64 / secs,
            bytes as f64 / 1_048_576.0,
            peak_mb()
        );
    }
    Ok(())
}
