//! The ledger (台账): the export agrees with a direct count, follows the case list's filters and
//! scope, is audited, and reads back in through the upload page into a fresh database; bad
//! files are refused naming row and column, and nothing is half-written.

use mediation::domain::clocks::{end_of_local_day, start_of_local_day};
use mediation::services::ledger::import::{self, Options, Report};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{json, Value};

use crate::helpers::{csrf_of, spawn_app, spawn_app_with_demo_cases, Browser, TestApp, PASSWORD};

const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

fn day(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The CSV body as rows of text (the header first).
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "a BOM first");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..])
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

async fn get_bytes(app: &TestApp, token: &str, path: &str) -> (StatusCode, Vec<u8>) {
    let res = app.get(token, path).await;
    let status = res.status();
    (status, res.bytes().await.unwrap().to_vec())
}

async fn count(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) -> i64 {
    let backend = app.db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            let mut n = 0;
            sql.chars()
                .map(|c| {
                    if c == '?' {
                        n += 1;
                        format!("${n}")
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        }
        _ => sql.to_owned(),
    };
    let row = app
        .db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn the_ledger_of_a_range_agrees_with_a_direct_sql_count_and_is_audited() {
    let app = spawn_app_with_demo_cases().await;
    let token = app.token("coordinator").await;
    let (from, to) = (day("2026-01-01"), day("2026-12-31"));
    let (status, body) = get_bytes(
        &app,
        &token,
        "/api/v1/ledger.csv?from=2026-01-01&to=2026-12-31",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let rows = csv_rows(&body);
    assert_eq!(rows[0], mediation::domain::ledger::HEADERS);
    let direct = count(
        &app,
        "SELECT COUNT(*) FROM cases WHERE received_at >= ? AND received_at < ?",
        vec![
            start_of_local_day(from, TZ).into(),
            end_of_local_day(to, TZ).into(),
        ],
    )
    .await;
    assert!(direct > 10, "the demo street has cases this year");
    assert_eq!(rows.len() as i64 - 1, direct);
    // The XLSX holds the same rows.
    let (status, xlsx) = get_bytes(
        &app,
        &token,
        "/api/v1/ledger.xlsx?from=2026-01-01&to=2026-12-31",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(xlsx.starts_with(b"PK"));
    let audited = count(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.export'",
        vec![],
    )
    .await;
    assert_eq!(audited, 2);
    // No ID number or phone leaves in the ledger.
    let text = String::from_utf8(body).unwrap();
    assert!(!text.contains("1390000") && !text.contains("330103"));
}

#[tokio::test]
async fn the_ledger_follows_the_case_list_filters_and_the_users_scope() {
    let app = spawn_app_with_demo_cases().await;
    for user in ["coordinator", "mediator", "viewer"] {
        let token = app.token(user).await;
        for filter in [
            "",
            "dispute_type=wage_arrears",
            "status=closed",
            "overdue=true",
        ] {
            let list: Value = app
                .get(&token, &format!("/api/v1/cases?{filter}&per_page=1"))
                .await
                .json()
                .await
                .unwrap();
            let (status, body) =
                get_bytes(&app, &token, &format!("/api/v1/ledger.csv?{filter}")).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                csv_rows(&body).len() as u64 - 1,
                list["total"].as_u64().unwrap(),
                "{user} {filter}"
            );
        }
    }
    let token = app.token("coordinator").await;
    let res = app.get(&token, "/api/v1/ledger.csv?from=2026-13-01").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert!(body["error"]["fields"]["from"].is_string(), "{body}");
    let res = app
        .get(&token, "/api/v1/ledger.xlsx?from=2026-05-01&to=2026-04-01")
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert!(body["error"]["fields"]["to"].is_string(), "{body}");
    // The list's own name sent beside `to` is not read, but a malformed one is still refused.
    let res = app
        .get(
            &token,
            "/api/v1/ledger.csv?to=1860-05-31&received_to=3l%C3%B4",
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert!(body["error"]["fields"]["received_to"].is_string(), "{body}");
}

async fn upload(
    browser: &Browser,
    name: &str,
    bytes: Vec<u8>,
    unit: &str,
    dry_run: bool,
) -> (StatusCode, String) {
    let (_, html) = browser.get("/ledger/import").await;
    let csrf = csrf_of(&html);
    let mut form = reqwest::multipart::Form::new()
        .text("unit", unit.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    if dry_run {
        form = form.text("dry_run", "true");
    }
    let res = browser
        .client
        .post(browser.url(&format!("/ledger/import?_csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.text().await.unwrap())
}

#[tokio::test]
async fn an_exported_ledger_reads_back_into_a_fresh_database_through_the_upload_page() {
    let source = spawn_app_with_demo_cases().await;
    let token = source.token("coordinator").await;
    let (_, xlsx) = get_bytes(&source, &token, "/api/v1/ledger.xlsx").await;
    let (_, before) = get_bytes(&source, &token, "/api/v1/ledger.csv").await;
    let before = csv_rows(&before);

    let fresh = spawn_app().await;
    let browser = Browser::new(&fresh);
    browser.sign_in("coordinator", PASSWORD).await;
    // A dry run writes nothing.
    let (status, html) = upload(&browser, "台账.xlsx", xlsx.clone(), "", true).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let cases = count(&fresh, "SELECT COUNT(*) FROM cases", vec![]).await;
    assert_eq!(cases, 0);
    let (status, html) = upload(&browser, "台账.xlsx", xlsx.clone(), "", false).await;
    assert_eq!(status, StatusCode::OK);
    // The demo street has cases of the same worker against the same employer on the same day:
    // by the rule, the later of each such pair is refused as a duplicate.
    let mut seen = std::collections::BTreeSet::new();
    let mut kept = std::collections::BTreeSet::new();
    for r in &before[1..] {
        if seen.insert((r[2].clone(), r[3].clone(), r[1].clone())) {
            kept.insert(r[0].clone());
        }
    }
    let (n, dupes) = (kept.len(), before.len() - 1 - kept.len());
    assert!(
        html.contains(&format!("导入 {n} 行，拒绝 {dupes} 行")),
        "{html}"
    );
    assert_eq!(html.matches("与本文件前面的行重复").count(), dupes);

    let fresh_token = fresh.token("coordinator").await;
    let (_, after) = get_bytes(&fresh, &fresh_token, "/api/v1/ledger.csv").await;
    let after = csv_rows(&after);
    assert_eq!(after.len(), n + 1);
    let by_no = |rows: &[Vec<String>]| -> std::collections::BTreeMap<String, Vec<String>> {
        rows[1..]
            .iter()
            .map(|r| {
                let mut kept = r.clone();
                // Mediators are not imported; an open case comes in awaiting acceptance.
                kept[10] = String::new();
                if kept[12].is_empty() {
                    kept[11] = String::new();
                }
                (r[0].clone(), kept)
            })
            .collect()
    };
    let mut expected = by_no(&before);
    expected.retain(|no, _| kept.contains(no));
    assert_eq!(by_no(&after), expected);

    // The intake event says the case was imported; the counter moved past the imported numbers.
    let imported_events = count(
        &fresh,
        "SELECT COUNT(*) FROM case_events WHERE kind = 'intake' AND note LIKE '台账导入%'",
        vec![],
    )
    .await;
    assert_eq!(imported_events as usize, n);
    let station = fresh.unit_id(&fresh_token, "JB-C01").await;
    let res = fresh
        .post(
            &fresh_token,
            "/api/v1/cases",
            &json!({
                "intake_unit_id": station, "dispute_type": "wage_arrears", "source": "walk_in",
                "summary": "导入后新登记", "amount_claimed_fen": 100, "people_involved": 1, "risk_flags": [],
                "parties": [{"role": "applicant", "kind": "person", "name": "新申请人"},
                            {"role": "respondent", "kind": "organisation", "name": "新公司"}]
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let new_no = created["case_no"].as_str().unwrap().to_owned();
    assert!(!by_no(&before).contains_key(&new_no), "{new_no} collides");

    // The same file again: every row is a duplicate, nothing more is written.
    let (status, html) = upload(&browser, "台账.xlsx", xlsx, "", false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("导入 0 行，拒绝 {} 行", n + dupes)),
        "{html}"
    );
    assert!(html.contains("已存在"));
    let cases = count(&fresh, "SELECT COUNT(*) FROM cases", vec![]).await;
    assert_eq!(cases as usize, n + 1);
}

/// Runs the import as the command line does, on a blocking thread.
async fn run(
    app: &TestApp,
    bytes: Vec<u8>,
    unit: Option<&str>,
    dry_run: bool,
) -> Result<Report, mediation::error::AppError> {
    let db = app.db.clone();
    let options = Options {
        unit_code: unit.map(str::to_owned),
        dry_run,
    };
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        import::import(
            &handle,
            &db,
            TZ,
            &import::system_actor(),
            std::io::Cursor::new(bytes),
            &options,
            &|_| {},
        )
    })
    .await
    .unwrap()
}

fn file_message(e: mediation::error::AppError) -> String {
    match e {
        mediation::error::AppError::Invalid(fields) => {
            mediation::i18n::message(mediation::i18n::Lang::Zh, &fields["file"])
        }
        other => panic!("expected a file error, got {other:?}"),
    }
}

const HEAD: &str =
    "案件编号,受理日期,申请人,被申请人,争议类型,案件来源,申请金额（元）,涉及人数,调解组织\n";

#[tokio::test]
async fn bad_ledgers_are_refused_naming_row_and_column_and_nothing_is_half_written() {
    let app = spawn_app().await;
    // Not a spreadsheet, empty, an old .xls, a header without the needed columns.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    assert!(file_message(run(&app, png, None, false).await.unwrap_err()).contains("不是电子表格"));
    assert!(file_message(run(&app, Vec::new(), None, false).await.unwrap_err()).contains("空"));
    let xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    assert!(file_message(run(&app, xls, None, false).await.unwrap_err()).contains(".xls"));
    let zip_not_xlsx = b"PK\x03\x04not really a zip".to_vec();
    assert!(file_message(run(&app, zip_not_xlsx, None, false).await.unwrap_err()).contains("XLSX"));
    let missing = "申请人,被申请人\n张三,某公司\n".as_bytes().to_vec();
    let m = file_message(run(&app, missing, None, false).await.unwrap_err());
    assert!(
        m.contains("第 1 行") && m.contains("受理日期") && m.contains("涉及人数"),
        "{m}"
    );
    let only_header = HEAD.as_bytes().to_vec();
    let r = run(&app, only_header, None, false).await.unwrap();
    assert_eq!((r.rows, r.imported), (0, 0));
    let unknown_unit = run(&app, HEAD.as_bytes().to_vec(), Some("NOPE"), false)
        .await
        .unwrap_err();
    assert!(
        matches!(unknown_unit, mediation::error::AppError::Invalid(f) if f.contains_key("unit"))
    );

    // Rows: a good one, wrong types, an unknown label, a duplicate number in the file, a number
    // of another street, a duplicate of parties and day, an unknown unit.
    let file = format!(
        "{HEAD}\
         JB-2026-00901,2026-03-02,张三,某物流有限公司,欠薪,来访,1200.50,1,JB-C01\n\
         ,昨天,李四,某公司,欠薪,来访,一千,两人,JB-C01\n\
         ,2026-03-03,王五,某公司,欠钱,来访,100,1,JB-C01\n\
         JB-2026-00901,2026-03-04,赵六,某公司,欠薪,来访,100,1,JB-C01\n\
         XX-2026-00001,2026-03-04,钱七,某公司,欠薪,来访,100,1,JB-C01\n\
         ,2026-03-02,张三,某物流有限公司,工伤,来访,5,1,JB-C01\n\
         ,2026-03-05,孙八,某公司,欠薪,来访,100,1,不存在的站\n"
    );
    let r = run(&app, file.into_bytes(), None, false).await.unwrap();
    assert_eq!(
        (r.rows, r.imported, r.refused_rows),
        (7, 1, 6),
        "{}",
        r.text()
    );
    let at = |row: u64| -> Vec<(String, String)> {
        r.refusals
            .iter()
            .filter(|x| x.row == row)
            .map(|x| (x.column.clone().unwrap_or_default(), x.reason.clone()))
            .collect()
    };
    let cols = |row: u64| -> Vec<String> { at(row).into_iter().map(|(c, _)| c).collect() };
    assert_eq!(cols(3), ["受理日期", "申请金额（元）", "涉及人数"]);
    assert_eq!(cols(4), ["争议类型"]);
    assert!(at(4)[0].1.contains("欠钱"));
    assert_eq!(cols(5), ["案件编号"]);
    assert_eq!(cols(6), ["案件编号"]);
    assert_eq!(cols(7), ["申请人"]);
    assert_eq!(cols(8), ["调解组织"]);
    // Only the good row is in, whole: its number, parties and event, and the counter past it.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM cases", vec![]).await, 1);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM case_parties", vec![]).await,
        2
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM cases WHERE case_no = 'JB-2026-00901' AND amount_claimed_fen = 120050", vec![]).await,
        1
    );
    assert_eq!(
        count(&app, "SELECT MAX(last_seq) FROM case_counters", vec![]).await,
        901
    );
    // A dry run of a fresh good row writes nothing.
    let dry = format!("{HEAD},2026-03-09,周九,某公司,欠薪,来访,1,1,JB-C01\n");
    let r = run(&app, dry.into_bytes(), None, true).await.unwrap();
    assert_eq!((r.imported, r.dry_run), (1, true));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM cases", vec![]).await, 1);
}

#[tokio::test]
async fn a_hundred_thousand_row_ledger_is_read_through_with_a_bounded_report() {
    let app = spawn_app().await;
    let mut file = String::from(HEAD);
    for i in 0..100_000 {
        // Every row names an unknown dispute type: all are read and refused, none written.
        file.push_str(&format!(
            ",2026-03-02,申请人{i},某公司,不知道,来访,100,1,JB-C01\n"
        ));
    }
    let r = run(&app, file.into_bytes(), Some("JB-C01"), false)
        .await
        .unwrap();
    assert_eq!((r.rows, r.refused_rows, r.imported), (100_000, 100_000, 0));
    assert_eq!(r.refusals.len(), import::MAX_LISTED);
    assert_eq!(r.refusals[0].row, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM cases", vec![]).await, 0);
}

#[tokio::test]
async fn the_command_line_imports_a_csv_reports_refused_rows_and_a_dry_run_writes_nothing() {
    let url = crate::helpers::fresh_database_url().await;
    let app = crate::helpers::start_on(&url).await;
    mediation::demo::load_if_empty(&app.db).await.unwrap();
    let dir = crate::helpers::fresh_data_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("台账.csv");
    std::fs::write(
        &file,
        format!(
            "\u{feff}{HEAD},2026-03-02,张三,某物流有限公司,欠薪,来访,1200,1,\n\
             ,2026-03-03,李四,某公司,欠钱,来访,100,1,\n"
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mediation"))
            .args(["import", "ledger"])
            .arg(&file)
            .args(args)
            .env("DATABASE_URL", &url)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&["--unit", "JB-C01", "--dry-run"]);
    assert!(ok, "{err}");
    assert!(out.contains("试运行") && out.contains("1\n"), "{out}");
    assert!(
        out.contains("第 3 行") && out.contains("争议类型") && out.contains("欠钱"),
        "{out}"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM cases", vec![]).await, 0);
    let (ok, out, err) = run(&["--unit", "JB-C01"]);
    assert!(ok, "{err}");
    assert!(out.contains("已导入 / imported: 1"), "{out}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM cases", vec![]).await, 1);
    // Without a unit for the rows that name none, each row is refused naming the column.
    let (ok, out, err) = run(&[]);
    assert!(ok, "{err}");
    assert!(
        out.contains("已导入 / imported: 0") && out.contains("“调解组织”: 必填"),
        "{out}"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM cases", vec![]).await, 1);
    std::fs::write(&file, b"\x89PNG\r\n\x1a\n\0\0").unwrap();
    let (ok, _, err) = run(&["--unit", "JB-C01"]);
    assert!(!ok);
    assert!(err.contains("不是电子表格"), "{err}");
}
