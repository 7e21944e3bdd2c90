//! `mediation backup` and `restore`: a copy of a running server's SQLite database comes back whole.
//!
//! These tests always use SQLite files, also in the PostgreSQL run: backup and restore are
//! SQLite's (PostgreSQL has pg_dump), and running them there too keeps them checked in every run.
//! What PostgreSQL gets, the pointer to its own tools, is checked without a server.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use mediation::config::Config;
use mediation::demo;
use mediation::error::AppError;
use mediation::services::backup;
use mediation::App;
use migration::{Migrator, MigratorTrait};
use reqwest::StatusCode;
use sea_orm::{Database, DatabaseConnection, EntityTrait};
use serde_json::{json, Value};

use crate::helpers::{start_with, TestApp};

/// A folder of its own under the system's temporary folder.
fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("mediation-tests").join(format!(
        "backup-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// A server over the SQLite file at `url` (the demo network loaded when asked), with its files in
/// `data_dir`, as `helpers::spawn_app` starts one but on a database whose URL the test knows.
async fn serve_sqlite(url: &str, data_dir: &Path, load_demo: bool) -> TestApp {
    let mut config = Config::for_database(url);
    config.data_dir = data_dir.to_path_buf();
    let app = start_with(config).await;
    if load_demo {
        demo::load_if_empty(&app.db).await.expect("demo loads");
    }
    app
}

fn rfc(days_ago: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days_ago)).to_rfc3339()
}

fn intake_body(station: i64, summary: &str) -> Value {
    json!({
        "intake_unit_id": station, "dispute_type": "wage_arrears", "source": "walk_in",
        "summary": summary, "amount_claimed_fen": 800_000, "people_involved": 1, "received_at": rfc(10),
        "parties": [
            {"role": "applicant", "kind": "person", "name": "张小骑", "id_number": "330103199001011234", "phone": "13900001111"},
            {"role": "respondent", "kind": "organisation", "name": "某某配送站"}
        ]
    })
}

/// A case taken in, accepted, with a session and a pay slip: events, parties, a session and a file.
async fn case_with_history(app: &TestApp, token: &str, station: i64) -> (i64, Vec<u8>) {
    let res = app
        .post(token, "/api/v1/cases", &intake_body(station, "欠薪两个月"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let case: Value = res.json().await.expect("json");
    let id = case["id"].as_i64().expect("id");
    let mediators: Value = app
        .get(token, &format!("/api/v1/mediators?unit_id={station}"))
        .await
        .json()
        .await
        .expect("json");
    let lead = mediators["items"][0]["id"].as_i64().expect("a mediator");
    let res = app
        .post(token, &format!("/api/v1/cases/{id}/actions"), &json!({"action": "accept", "version": case["version"], "lead_mediator_id": lead, "at": rfc(9)}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(token, &format!("/api/v1/cases/{id}/sessions"), &json!({
            "held_at": rfc(8), "unit_id": station, "mediator_ids": [lead], "attendees": "申请人、用人单位代表",
            "summary": "双方陈述", "outcome": "continue", "next_session_at": rfc(6)
        }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let pdf = format!("%PDF-1.4\n% 工资条 {id}\n").into_bytes();
    let form = reqwest::multipart::Form::new()
        .text("kind", "pay_slip")
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf.clone()).file_name("工资条.pdf"),
        );
    let res = app
        .api
        .post(app.url(&format!("/api/v1/cases/{id}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::CREATED);
    (id, pdf)
}

async fn all_rows<E>(db: &DatabaseConnection) -> Vec<E::Model>
where
    E: EntityTrait,
{
    E::find().all(db).await.expect("rows")
}

/// Every row of the copy is the same row in the original.
async fn rows_match<E>(copy: &DatabaseConnection, original: &DatabaseConnection) -> usize
where
    E: EntityTrait,
    E::Model: PartialEq + std::fmt::Debug,
{
    let copied = all_rows::<E>(copy).await;
    let originals = all_rows::<E>(original).await;
    for row in &copied {
        assert!(
            originals.contains(row),
            "{row:?} is not in the original {}",
            std::any::type_name::<E>()
        );
    }
    copied.len()
}

fn config_message(result: Result<impl std::fmt::Debug, AppError>) -> String {
    match result {
        Err(AppError::Config(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_backup_of_a_running_server_restores_every_case_event_and_file() {
    let dir = scratch_dir();
    let source_url = sqlite_url(&dir.join("live.db"));
    let app = serve_sqlite(&source_url, &dir.join("data"), true).await;
    let token = app.token("coordinator").await;
    let station = app.unit_id(&token, "JB-C01").await;
    let mut cases = Vec::new();
    for _ in 0..3 {
        cases.push(case_with_history(&app, &token, station).await);
    }
    let events_before = all_rows::<entity::case_events::Entity>(&app.db).await;

    // Intakes keep coming while the backup is taken: the copy must still be one moment's state.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (stop, api, url, token) = (
            stop.clone(),
            app.api.clone(),
            app.url("/api/v1/cases"),
            token.clone(),
        );
        tokio::spawn(async move {
            let mut written = 0;
            while !stop.load(Ordering::Relaxed) {
                let res = api
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&intake_body(station, "备份期间登记"))
                    .send()
                    .await
                    .expect("intake");
                assert_eq!(res.status(), StatusCode::CREATED);
                written += 1;
            }
            written
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let file = dir.join("mediation backup 'nightly'.db");
    let report = backup::backup(&source_url, &file)
        .await
        .expect("backup of a running server");
    stop.store(true, Ordering::Relaxed);
    let written_meanwhile = writer.await.expect("writer");
    assert!(written_meanwhile > 0, "the server kept taking cases in");
    assert_eq!(report.bytes, std::fs::metadata(&file).expect("file").len());

    // A second backup to the same name is refused, and the first is untouched.
    let message = config_message(backup::backup(&source_url, &file).await);
    assert!(message.contains("already exists"), "{message}");
    assert_eq!(report.bytes, std::fs::metadata(&file).expect("file").len());

    let target_url = sqlite_url(&dir.join("restored").join("mediation.db"));
    let restored = backup::restore(&file, &target_url, false)
        .await
        .expect("restore into a fresh database");
    assert_eq!(restored.migrations_applied, 0);

    let copy = Database::connect(&target_url).await.expect("restored db");
    let n_cases = rows_match::<entity::cases::Entity>(&copy, &app.db).await;
    let n_events = rows_match::<entity::case_events::Entity>(&copy, &app.db).await;
    let n_files = rows_match::<entity::attachments::Entity>(&copy, &app.db).await;
    // The files themselves are in the database, so in the backup.
    rows_match::<entity::attachment_chunks::Entity>(&copy, &app.db).await;
    rows_match::<entity::case_parties::Entity>(&copy, &app.db).await;
    rows_match::<entity::case_sessions::Entity>(&copy, &app.db).await;
    rows_match::<entity::units::Entity>(&copy, &app.db).await;
    rows_match::<entity::users::Entity>(&copy, &app.db).await;
    assert_eq!(
        (n_cases as u64, n_events as u64, n_files as u64),
        (restored.cases, restored.events, restored.attachments)
    );
    // Everything written before the backup is there; what came in during it is there whole or
    // not at all: every case has its intake event and both parties.
    let copied_events = all_rows::<entity::case_events::Entity>(&copy).await;
    for event in &events_before {
        assert!(copied_events.contains(event), "{event:?} is missing");
    }
    assert_eq!(n_files, cases.len());
    let parties = all_rows::<entity::case_parties::Entity>(&copy).await;
    for case in all_rows::<entity::cases::Entity>(&copy).await {
        assert!(copied_events.iter().any(|e| e.case_id == case.id));
        assert_eq!(parties.iter().filter(|p| p.case_id == case.id).count(), 2);
    }
    copy.close().await.ok();

    // Restoring over a database that now has data is refused, unless forced.
    let message = config_message(backup::restore(&file, &target_url, false).await);
    assert!(message.contains("--force"), "{message}");
    let forced = backup::restore(&file, &target_url, true)
        .await
        .expect("a forced restore");
    assert_eq!(forced.cases, restored.cases);

    // A server on the restored database shows every case and serves every file.
    let again = serve_sqlite(&target_url, &dir.join("data"), false).await;
    let token = again.token("coordinator").await;
    for (id, pdf) in &cases {
        let detail: Value = again
            .get(&token, &format!("/api/v1/cases/{id}"))
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(detail["status"], "mediating", "{detail}");
        let attachment = &detail["attachments"][0]["id"];
        let res = again
            .get(
                &token,
                &format!("/api/v1/cases/{id}/attachments/{attachment}"),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(&res.bytes().await.expect("bytes").to_vec(), pdf);
    }
}

#[tokio::test]
async fn an_older_backup_is_brought_up_to_date_when_restored() {
    let dir = scratch_dir();
    let old_url = format!("{}?mode=rwc", sqlite_url(&dir.join("old.db")));
    let old = Database::connect(&old_url).await.expect("old db");
    Migrator::up(&old, Some(2))
        .await
        .expect("the first two migrations");
    let file = dir.join("old-backup.db");
    backup::vacuum_into(&old, &file).await.expect("backup");
    old.close().await.ok();

    let target_url = sqlite_url(&dir.join("new.db"));
    let report = backup::restore(&file, &target_url, false)
        .await
        .expect("restore");
    let all = Migrator::migrations().len() as u64;
    assert_eq!(report.migrations_applied, all - 2);
    let db = Database::connect(&target_url).await.expect("restored");
    assert!(Migrator::get_pending_migrations(&db)
        .await
        .expect("migrations")
        .is_empty());
    db.close().await.ok();
}

#[tokio::test]
async fn restore_refuses_a_file_that_is_not_a_backup_of_this_app_and_leaves_the_target_alone() {
    let dir = scratch_dir();
    let junk = dir.join("notes.db");
    std::fs::write(&junk, "这不是数据库").expect("write");
    let target = dir.join("target.db");
    let message = config_message(backup::restore(&junk, &sqlite_url(&target), false).await);
    assert!(message.contains("not a sound backup"), "{message}");

    // A SQLite file of another program has no migrations table.
    let other_url = format!("{}?mode=rwc", sqlite_url(&dir.join("other.db")));
    let other = Database::connect(&other_url).await.expect("other db");
    sea_orm::ConnectionTrait::execute_unprepared(&other, "CREATE TABLE notes (body TEXT)")
        .await
        .expect("table");
    other.close().await.ok();
    let message =
        config_message(backup::restore(&dir.join("other.db"), &sqlite_url(&target), false).await);
    assert!(message.contains("seaql_migrations"), "{message}");

    assert!(!target.exists(), "nothing was put in place");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn on_postgresql_backup_and_restore_point_to_pg_dump_and_pg_restore() {
    // No connection is made, so this runs with or without a PostgreSQL server.
    let url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/mediation".to_owned());
    let file = Path::new("/var/backups/mediation.dump");
    let message = config_message(backup::backup(&url, file).await);
    assert!(
        message.contains("pg_dump --format=custom --file=/var/backups/mediation.dump"),
        "{message}"
    );
    let message = config_message(backup::restore(file, &url, false).await);
    assert!(message.contains("pg_restore"), "{message}");
    assert!(!message.contains(&url), "the URL may carry a password");
}

/// Runs the built `mediation` binary in `dir` against `database_url`.
fn mediation(dir: &Path, database_url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mediation"))
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_mediation_command_backs_up_and_restores_a_sqlite_file() {
    let dir = scratch_dir();
    let source_url = sqlite_url(&dir.join("live.db"));
    let app = App::build(Config::for_database(&source_url))
        .await
        .expect("app");
    demo::load_if_empty(&app.state.db).await.expect("demo");
    app.state.db.clone().close().await.ok();

    let dir_for = dir.clone();
    let run = move |url: String, args: Vec<&'static str>| {
        let dir = dir_for.clone();
        async move {
            tokio::task::spawn_blocking(move || mediation(&dir, &url, &args))
                .await
                .expect("joined")
        }
    };

    let (ok, out, err) = run(source_url.clone(), vec!["backup", "nightly.db"]).await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("backed up: nightly.db"), "{out}");
    let (ok, _, err) = run(source_url.clone(), vec!["backup", "nightly.db"]).await;
    assert!(!ok);
    assert!(err.contains("already exists"), "{err}");

    let target_url = sqlite_url(&dir.join("restored.db"));
    let (ok, out, err) = run(target_url.clone(), vec!["restore", "nightly.db"]).await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("restored"), "{out}");
    let (ok, _, err) = run(target_url.clone(), vec!["restore", "nightly.db"]).await;
    assert!(!ok, "a database with units is not overwritten");
    assert!(err.contains("--force"), "{err}");
    let (ok, out, err) = run(target_url.clone(), vec!["restore", "nightly.db", "--force"]).await;
    assert!(ok, "{out}{err}");

    let restored = Database::connect(&target_url).await.expect("restored");
    let original = Database::connect(&source_url).await.expect("original");
    let units = rows_match::<entity::units::Entity>(&restored, &original).await;
    assert_eq!(
        units,
        all_rows::<entity::units::Entity>(&original).await.len()
    );
    assert!(units > 20, "the demo street came back");

    let pg = "postgres://postgres@127.0.0.1:5432/mediation".to_owned();
    let (ok, _, err) = run(pg.clone(), vec!["backup", "x.dump"]).await;
    assert!(!ok);
    assert!(err.contains("pg_dump"), "{err}");
    let (ok, _, err) = run(pg, vec!["restore", "x.dump"]).await;
    assert!(!ok);
    assert!(err.contains("pg_restore"), "{err}");
}
