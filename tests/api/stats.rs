//! `GET /api/v1/stats` and the dashboard `/stats`: the same figures as a direct SQL count and as
//! the case list behind each figure, in the user's scope; bad input named.

use chrono::{NaiveDate, Utc};
use mediation::domain::clocks::{end_of_local_day, start_of_local_day};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde_json::Value;

use crate::helpers::{field_error, spawn_app, spawn_app_with_demo_cases, TestApp};

const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

fn unescape(s: &str) -> String {
    s.replace("&#x2F;", "/")
        .replace("&amp;", "&")
        .replace("&#x3D;", "=")
}

/// The value and link of a headline figure of the dashboard (`<a class="tile" id="KEY" href=…><strong>V`).
fn figure(html: &str, key: &str) -> (String, String) {
    let marker = format!("id=\"{key}\" href=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("dashboard has no {key}"))
        + marker.len();
    let end = html[start..].find('"').expect("end of href") + start;
    let href = unescape(&html[start..end]);
    let v_start = html[end..].find("<strong>").expect("value") + end + "<strong>".len();
    let v_end = html[v_start..].find("</strong>").expect("end of value") + v_start;
    (html[v_start..v_end].to_owned(), href)
}

/// The total of the API's case list for the query of a dashboard link (`/cases?…`).
async fn list_total(app: &TestApp, token: &str, href: &str) -> u64 {
    let query = href.strip_prefix("/cases?").expect("a case-list link");
    let res = app
        .get(token, &format!("/api/v1/cases?{query}&per_page=1"))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{href}");
    let body: Value = res.json().await.expect("json");
    body["total"].as_u64().expect("total")
}

async fn sql_count(app: &TestApp, sql_sqlite: &str, values: Vec<sea_orm::Value>) -> i64 {
    let backend = app.db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            let mut out = String::new();
            let mut n = 0;
            for ch in sql_sqlite.chars() {
                if ch == '?' {
                    n += 1;
                    out.push_str(&format!("${n}"));
                } else {
                    out.push(ch);
                }
            }
            out
        }
        _ => sql_sqlite.to_owned(),
    };
    let row = app
        .db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .expect("query")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("a count")
}

async fn stats(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app.get(token, &format!("/api/v1/stats?{query}")).await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    res.json().await.expect("json")
}

#[tokio::test]
async fn the_figures_agree_with_a_direct_sql_count_the_dashboard_and_the_cases_behind_them() {
    let app = spawn_app_with_demo_cases().await;
    let token = app.token("viewer").await;
    let (from, to) = (
        NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        chrono::Utc::now().with_timezone(&TZ).date_naive(),
    );
    let query = format!("from={from}&to={to}");
    let s = stats(&app, &token, &query).await;
    let (start, end) = (start_of_local_day(from, TZ), end_of_local_day(to, TZ));

    let received = sql_count(
        &app,
        "SELECT COUNT(*) FROM cases WHERE received_at >= ? AND received_at < ?",
        vec![start.into(), end.into()],
    )
    .await;
    let amount = sql_count(
        &app,
        "SELECT CAST(COALESCE(SUM(amount_claimed_fen), 0) AS BIGINT) FROM cases WHERE received_at >= ? AND received_at < ?",
        vec![start.into(), end.into()],
    )
    .await;
    let people = sql_count(
        &app,
        "SELECT CAST(COALESCE(SUM(people_involved), 0) AS BIGINT) FROM cases WHERE received_at >= ? AND received_at < ?",
        vec![start.into(), end.into()],
    )
    .await;
    let closed = sql_count(
        &app,
        "SELECT COUNT(*) FROM cases WHERE status = 'closed' AND closed_at >= ? AND closed_at < ?",
        vec![start.into(), end.into()],
    )
    .await;
    let resolved = sql_count(
        &app,
        "SELECT COUNT(*) FROM cases WHERE status = 'closed' AND outcome = 'resolved' AND closed_at >= ? AND closed_at < ?",
        vec![start.into(), end.into()],
    )
    .await;
    let overdue = sql_count(
        &app,
        "SELECT COUNT(*) FROM cases WHERE status IN ('registered', 'accepted', 'mediating') AND deadline_at <= ?",
        vec![Utc::now().into()],
    )
    .await;
    assert!(received > 0 && closed > 0, "the demo has cases");
    assert_eq!(s["received"], received);
    assert_eq!(s["amount_claimed_fen"], amount);
    assert_eq!(s["people_involved"], people);
    assert_eq!(s["closed"], closed);
    assert_eq!(s["resolved"], resolved);
    assert_eq!(s["overdue_open"], overdue);
    let grade_sum: u64 = s["by_grade"]
        .as_object()
        .unwrap()
        .values()
        .map(|t| t["received"].as_u64().unwrap())
        .sum();
    let unit_sum: u64 = s["by_unit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["received"].as_u64().unwrap())
        .sum();
    let month_sum: u64 = s["by_month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["received"].as_u64().unwrap())
        .sum();
    let month_closed: u64 = s["by_month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["closed"].as_u64().unwrap())
        .sum();
    assert_eq!(grade_sum, received as u64);
    assert_eq!(unit_sum, received as u64);
    assert_eq!(month_sum, received as u64);
    assert_eq!(month_closed, closed as u64);

    // The dashboard shows the same figures, and each links to exactly its cases.
    let viewer = app.browser("viewer").await;
    let (status, html) = viewer.get(&format!("/stats?{query}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(s["headline"]["text"].as_str().unwrap()));
    for (key, expected) in [
        ("stats-received", received),
        ("stats-closed", closed),
        ("stats-resolved", resolved),
        ("stats-overdue", overdue),
    ] {
        let (value, href) = figure(&html, key);
        assert_eq!(value, expected.to_string(), "{key}");
        assert_eq!(
            list_total(&app, &token, &href).await,
            expected as u64,
            "{key} → {href}"
        );
    }
    // A breakdown row's link lists its cases too: the unit with most cases.
    let top = &s["by_unit"][0];
    let href = format!(
        "/cases?received_from={from}&received_to={to}&unit_id={}",
        top["unit_id"]
    );
    assert_eq!(
        list_total(&app, &token, &href).await,
        top["received"].as_u64().unwrap()
    );
    assert!(
        html.contains(&format!("unit_id={}", top["unit_id"]))
            || html.contains(&format!("unit_id&#x3D;{}", top["unit_id"]))
    );
    // Charts are inline SVG, with no style attribute (the CSP allows none).
    assert!(html.contains("<svg class=\"chart\""));
    assert!(!html.contains("style="));
}

#[tokio::test]
async fn a_unit_narrows_every_figure_to_the_cases_at_it_now() {
    let app = spawn_app_with_demo_cases().await;
    let token = app.token("coordinator").await;
    let all = stats(&app, &token, "from=2020-01-01").await;
    let top = all["by_unit"][0]["unit_id"].as_i64().unwrap();
    let one = stats(&app, &token, &format!("from=2020-01-01&unit_id={top}")).await;
    assert_eq!(one["received"], all["by_unit"][0]["received"]);
    assert_eq!(one["by_unit"].as_array().unwrap().len(), 1);
    let href = format!(
        "/cases?status=closed&closed_from=2020-01-01&closed_to={}&unit_id={top}",
        one["to"].as_str().unwrap()
    );
    assert_eq!(
        list_total(&app, &token, &href).await,
        one["closed"].as_u64().unwrap()
    );
}

#[tokio::test]
async fn a_mediator_sees_only_the_figures_of_the_cases_they_may_see() {
    let app = spawn_app_with_demo_cases().await;
    let coordinator = app.token("coordinator").await;
    let mediator = app.token("mediator").await;
    let street = stats(&app, &coordinator, "from=2020-01-01").await;
    let own = stats(&app, &mediator, "from=2020-01-01").await;
    let to = own["to"].as_str().unwrap();
    let listed = list_total(
        &app,
        &mediator,
        &format!("/cases?received_from=2020-01-01&received_to={to}"),
    )
    .await;
    assert_eq!(own["received"].as_u64().unwrap(), listed);
    assert!(own["received"].as_u64().unwrap() < street["received"].as_u64().unwrap());
    // The mediator's dashboard shows their figure, not the street's.
    let browser = app.browser("mediator").await;
    let (status, html) = browser.get("/stats?from=2020-01-01").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(figure(&html, "stats-received").0, listed.to_string());
}

#[tokio::test]
async fn malformed_or_reversed_dates_and_unknown_units_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let token = app.token("viewer").await;
    for (query, field) in [
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2026-06-01&to=2026-05-31", "to"),
        ("unit_id=999999", "unit_id"),
        ("unit_id=abc", "unit_id"),
        ("from=1900-01-01&to=2026-01-01", "to"),
    ] {
        let res = app.get(&token, &format!("/api/v1/stats?{query}")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let body: Value = res.json().await.unwrap();
        assert!(field_error(&body, field).is_some(), "{query}: {body}");
    }
    // The case list's closed-day and outcome filters behind the closed figures check theirs too.
    for (query, field) in [
        ("closed_from=2026-06-01&closed_to=2026-05-31", "closed_to"),
        ("closed_from=June", "closed_from"),
        ("outcome=success", "outcome"),
    ] {
        let res = app.get(&token, &format!("/api/v1/cases?{query}")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let body: Value = res.json().await.unwrap();
        assert!(field_error(&body, field).is_some(), "{query}: {body}");
    }
    let browser = app.browser("viewer").await;
    let (status, html) = browser.get("/stats?from=2026-06-01&to=2026-05-31").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"to-error\""));
    // Without dates: the twelve months up to today.
    let s = stats(&app, &token, "").await;
    assert_eq!(s["by_month"].as_array().unwrap().len(), 12);
    assert_eq!(s["received"], 0);
    assert_eq!(s["success_rate"], Value::Null);
}

#[tokio::test]
async fn the_viewer_lands_on_the_dashboard() {
    let app = spawn_app().await;
    let browser = app.browser("viewer").await;
    let res = browser.client.get(browser.url("/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        crate::helpers::Browser::location(&res).as_deref(),
        Some("/stats")
    );
    let (status, html) = browser.get("/stats").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("累计调解各类纠纷案件0件"));
    // In English the headline says the same in words.
    browser
        .client
        .get(browser.url("/lang/en?next=/stats"))
        .send()
        .await
        .unwrap();
    let (status, html) = browser.get("/stats").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("0 disputes mediated in all, involving 0 × 10,000 yuan and 0 people"),
        "{html}"
    );
}

#[tokio::test]
async fn the_jiubao_profile_has_the_published_shape_and_its_headline_reads_as_the_street_reports() {
    use mediation::demo::jiubao;
    let app = crate::helpers::spawn_app_with(false).await;
    // A smaller plan than the published 1,662 cases, with totals that test the rounding: ¥384,500
    // is 38万元 and 171 people are 100余人. (The published plan's totals are a unit test.)
    let specs = jiubao::plan(60, jiubao::first_day(), jiubao::last_day(), 38_450_000, 171);
    let loaded = jiubao::load_with(&app.db, TZ, &specs).await.expect("loads");
    assert_eq!(loaded.cases, 60);
    assert_eq!(loaded.units, 1 + 23 + 4 + 7);
    for (sql, expected) in [
        ("SELECT COUNT(*) FROM mediators", 138),
        ("SELECT COUNT(*) FROM mediators WHERE employment = 'full_time'", 11),
        ("SELECT COUNT(*) FROM mediators WHERE employment = 'part_time'", 127),
        ("SELECT COUNT(*) FROM mediators WHERE is_mentor = ?", 20),
        ("SELECT COUNT(*) FROM mediators WHERE gold_medal = ?", 130),
        (
            "SELECT COUNT(DISTINCT m.unit_id) FROM mediators m JOIN units u ON u.id = m.unit_id WHERE m.is_mentor = ? AND u.kind = 'mentor_workstation'",
            7,
        ),
        ("SELECT COUNT(*) FROM cases WHERE status <> 'closed'", 0),
    ] {
        let values = if sql.contains('?') {
            vec![true.into()]
        } else {
            Vec::new()
        };
        assert_eq!(sql_count(&app, sql, values).await, expected, "{sql}");
    }
    let browser = app.browser("viewer").await;
    let (status, html) = browser
        .get(&format!(
            "/stats?from={}&to={}",
            jiubao::first_day(),
            jiubao::last_day()
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("累计调解各类纠纷案件60件，涉及金额38万元，涉及人员100余人"),
        "headline"
    );
}

#[tokio::test]
async fn the_monthly_report_goes_once_on_the_first_working_day_to_the_chosen_addresses() {
    use mediation::services::monthly_report::run_once;
    let app = spawn_app_with_demo_cases().await;
    let admin = app.token("admin").await;
    let viewer = app.token("viewer").await;
    // Only admins choose; a bad address is named.
    let res = app
        .api
        .put(app.url("/api/v1/settings/monthly_report"))
        .bearer_auth(&viewer)
        .json(&serde_json::json!({"recipients": ["a@example.com"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let put = |body: Value| {
        app.api
            .put(app.url("/api/v1/settings/monthly_report"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    let res = put(serde_json::json!({"recipients": ["leader@example.com", "not an address"]}))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&res.json().await.unwrap(), "recipients").is_some());
    let res =
        put(serde_json::json!({"recipients": ["Leader@Example.com", "district@example.com"]}))
            .await
            .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["recipients"][0], "leader@example.com");

    let config = mediation::config::Config::for_database("sqlite::memory:");
    let at = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&Utc)
    };
    // 2 December 2026 is not the first working day of December (the 1st, a Tuesday, is).
    assert_eq!(
        run_once(&app.db, &config, at("2026-12-02T02:00:00Z"))
            .await
            .unwrap(),
        None
    );
    let sent = run_once(&app.db, &config, at("2026-12-01T01:00:00Z"))
        .await
        .unwrap();
    assert_eq!(sent.as_deref(), Some("2026-11"));
    // Later the same day, or from a second server: nothing more.
    assert_eq!(
        run_once(&app.db, &config, at("2026-12-01T08:00:00Z"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        sql_count(
            &app,
            "SELECT COUNT(*) FROM notifications WHERE kind = 'monthly_report'",
            vec![]
        )
        .await,
        2
    );
    // The e-mail carries November's headline, as the statistics give it.
    let nov = stats(&app, &admin, "from=2026-11-01&to=2026-11-30").await;
    let headline = nov["headline"]["text"].as_str().unwrap().to_owned();
    let backend = app.db.get_database_backend();
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT subject, data FROM notifications WHERE kind = 'monthly_report' ORDER BY id LIMIT 1",
        ))
        .await
        .unwrap()
        .unwrap();
    let subject: String = row.try_get_by_index(0).unwrap();
    let data: String = row.try_get_by_index(1).unwrap();
    assert!(
        subject.contains("2026-11") && subject.contains(&headline),
        "{subject}"
    );
    assert!(data.contains("按调解组织"), "{data}");

    // The admin page shows and saves the same list.
    let browser = app.browser("admin").await;
    let (status, html) = browser.get("/settings/monthly_report").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("leader@example.com"));
    let res = browser
        .submit(
            "/settings/monthly_report",
            "/settings/monthly_report",
            &[("recipients", "x@example.com\nbroken")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("id=\"recipients-error\""));
}

#[tokio::test]
async fn the_viewer_opens_the_dashboard_in_a_real_browser_and_follows_a_figure_to_its_cases() {
    use crate::browser::{browser_installed, sign_in, WebDriver};
    if !browser_installed() {
        return;
    }
    let app = spawn_app_with_demo_cases().await;
    let browser = WebDriver::start().await.expect("browser starts");
    sign_in(&browser, &app.address, "viewer", "/stats").await;
    browser
        .wait_for_text("main h1", "统计")
        .await
        .expect("the dashboard");
    let headline = browser.text("#headline").await.expect("headline");
    assert!(headline.starts_with("累计调解各类纠纷案件"), "{headline}");
    let received = browser
        .text("#stats-received strong")
        .await
        .expect("the received figure");
    assert_ne!(
        received, "0",
        "the demo has cases in the last twelve months"
    );
    let shot = std::env::temp_dir()
        .join("mediation-screenshots")
        .join("viewer-dashboard.png");
    std::fs::create_dir_all(shot.parent().unwrap()).ok();
    browser.screenshot_png(&shot).await.expect("screenshot");
    eprintln!("screenshot: {}", shot.display());
    browser
        .click("#stats-received")
        .await
        .expect("click the received figure");
    browser
        .wait_for_url("/cases?received_from=…", |url| {
            url.contains("/cases?received_from=")
        })
        .await
        .expect("the case list behind the figure opens");
    browser
        .wait_for_text("nav.pager", &format!("共 {received} 条"))
        .await
        .expect("the list has exactly the cases counted");
    browser.quit().await.expect("browser quits");
}

/// The ledger export's rows (after the header) of a CSV body.
fn ledger_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(body)
        .records()
        .map(|r| r.expect("a row").iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn the_ledger_the_stats_and_the_dashboard_agree_on_the_same_range() {
    use mediation::domain::ledger::Column;
    use mediation::domain::money::{format_yuan, parse_yuan};
    let app = spawn_app_with_demo_cases().await;
    let token = app.token("coordinator").await;
    let to = chrono::Utc::now().with_timezone(&TZ).date_naive();
    let from = to - chrono::Duration::days(400);
    let station = app.unit_id(&token, "JB-C01").await;
    let viewer = app.browser("coordinator").await;
    for unit in [String::new(), format!("&unit_id={station}")] {
        let query = format!("from={from}&to={to}{unit}");
        let s = stats(&app, &token, &query).await;
        let res = app
            .get(&token, &format!("/api/v1/ledger.csv?{query}"))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{query}");
        let rows = ledger_rows(&res.bytes().await.expect("body"));
        let amount: i64 = rows
            .iter()
            .map(|r| parse_yuan(&r[Column::AmountClaimed as usize]).expect("an amount"))
            .sum();
        let people: i64 = rows
            .iter()
            .map(|r| {
                r[Column::People as usize]
                    .parse::<i64>()
                    .expect("a number of people")
            })
            .sum();
        assert!(!rows.is_empty(), "the demo has cases in {query}");
        assert_eq!(s["received"], rows.len() as u64, "{query}");
        assert_eq!(s["amount_claimed_fen"], amount, "{query}");
        assert_eq!(s["people_involved"], people, "{query}");

        let (status, html) = viewer.get(&format!("/stats?{query}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(figure(&html, "stats-received").0, rows.len().to_string());
        assert_eq!(figure(&html, "stats-amount").0, format_yuan(amount));
        assert_eq!(figure(&html, "stats-people").0, people.to_string());
        assert!(html.contains(s["headline"]["text"].as_str().expect("headline")));
    }
}

/// Posts an action with the case's version and answers with the case as it now stands.
async fn act_ok(app: &TestApp, token: &str, case: &Value, body: Value) -> Value {
    let mut body = body;
    body["version"] = case["version"].clone();
    let res = app
        .post(
            token,
            &format!("/api/v1/cases/{}/actions", case["id"]),
            &body,
        )
        .await;
    let status = res.status();
    let out: Value = res.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{body} -> {out}");
    out
}

async fn first_mediator(app: &TestApp, token: &str, unit_id: i64) -> i64 {
    let list: Value = app
        .get(token, &format!("/api/v1/mediators?unit_id={unit_id}"))
        .await
        .json()
        .await
        .expect("json");
    list["items"][0]["id"].as_i64().expect("a mediator")
}

async fn new_case(app: &TestApp, token: &str, unit_id: i64, amount_fen: i64) -> Value {
    let res = app
        .post(token, "/api/v1/cases", &serde_json::json!({
            "intake_unit_id": unit_id, "dispute_type": "wage_arrears", "source": "walk_in",
            "summary": "拖欠工资", "amount_claimed_fen": amount_fen, "people_involved": 2, "risk_flags": [],
            "parties": [{"role": "applicant", "kind": "person", "name": "甲"}, {"role": "respondent", "kind": "organisation", "name": "乙公司"}]
        }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.expect("json")
}

/// Brings an accepted case to agreement (a session, then an agreement) and answers with it.
async fn agree(app: &TestApp, token: &str, case: &Value, lead: i64) -> Value {
    let id = &case["id"];
    let now = || Utc::now().to_rfc3339();
    let res = app
        .post(
            token,
            &format!("/api/v1/cases/{id}/sessions"),
            &serde_json::json!({
                "held_at": now(), "unit_id": case["current_unit_id"], "mediator_ids": [lead],
                "attendees": "双方", "summary": "达成一致", "outcome": "agreement"
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .post(token, &format!("/api/v1/cases/{id}/agreement"), &serde_json::json!({
            "signed_at": now(), "matters": "拖欠工资", "terms": "当场付清", "amount_fen": 100_000
        }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    app.get(token, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .expect("json")
}

/// Every counter row that holds something, in key order.
async fn counter_rows(app: &TestApp) -> Vec<entity::stat_counters::Model> {
    use sea_orm::{EntityTrait, QueryOrder};
    let rows = entity::stat_counters::Entity::find()
        .order_by_asc(entity::stat_counters::Column::Month)
        .order_by_asc(entity::stat_counters::Column::UnitId)
        .order_by_asc(entity::stat_counters::Column::Dimension)
        .order_by_asc(entity::stat_counters::Column::DimensionValue)
        .all(&app.db)
        .await
        .expect("counters");
    rows.into_iter()
        .filter(|r| {
            (r.received, r.amount_claimed_fen, r.people_involved) != (0, 0, 0)
                || (r.closed, r.resolved, r.seconds_to_close) != (0, 0, 0)
        })
        .collect()
}

#[tokio::test]
async fn the_counters_give_exactly_the_figures_counted_from_the_cases_after_every_kind_of_change() {
    use mediation::domain::stats::months_back;
    use mediation::services::stats::{counters, stats_in_scope, Scope, StatsRange};

    let app = spawn_app_with_demo_cases().await;
    let coordinator = app.token("coordinator").await;
    let mediator = app.token("mediator").await;
    let station = app.unit_id(&coordinator, "JB-C01").await;
    let hub = app.unit_id(&coordinator, "JB").await;
    let room = app.unit_id(&coordinator, "JB-LJ").await;

    // Intake at a station, escalation to the hub and referral to the inspection room (the unit
    // changes twice), acceptance, a regrade, an edit of amount, people, type and source, and a
    // resolved close.
    let case = new_case(&app, &mediator, station, 1_250_000).await;
    let case = act_ok(
        &app,
        &mediator,
        &case,
        serde_json::json!({"action": "escalate", "reason": "请街道协调"}),
    )
    .await;
    assert_eq!(case["current_unit_id"], hub);
    let case = act_ok(
        &app,
        &coordinator,
        &case,
        serde_json::json!({"action": "refer", "unit_id": room, "reason": "劳动监察介入"}),
    )
    .await;
    let inspector = first_mediator(&app, &coordinator, room).await;
    let case = act_ok(
        &app,
        &coordinator,
        &case,
        serde_json::json!({"action": "accept", "lead_mediator_id": inspector}),
    )
    .await;
    let case = act_ok(
        &app,
        &coordinator,
        &case,
        serde_json::json!({"action": "regrade", "grade": "simple", "reason": "事实清楚"}),
    )
    .await;
    let res = app
        .patch(&coordinator, &format!("/api/v1/cases/{}", case["id"]), &serde_json::json!({
            "amount_claimed_fen": 2_000_000, "people_involved": 4, "dispute_type": "social_insurance",
            "source": "online", "version": case["version"]
        }))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let case: Value = res.json().await.expect("json");
    assert_eq!(case["people_involved"], 4);
    let case = agree(&app, &coordinator, &case, inspector).await;
    let resolved = act_ok(
        &app,
        &coordinator,
        &case,
        serde_json::json!({"action": "close", "outcome": "resolved", "reason": "履行完毕"}),
    )
    .await;
    assert_eq!(resolved["status"], "closed");

    // A failed close, and a close taken back by a reopening.
    let lead = first_mediator(&app, &coordinator, station).await;
    for reopen in [false, true] {
        let case = new_case(&app, &coordinator, station, 300_000).await;
        let case = act_ok(
            &app,
            &coordinator,
            &case,
            serde_json::json!({"action": "accept", "lead_mediator_id": lead}),
        )
        .await;
        let case = act_ok(
            &app,
            &coordinator,
            &case,
            serde_json::json!({"action": "close", "outcome": "failed", "reason": "建议申请仲裁"}),
        )
        .await;
        if reopen {
            act_ok(
                &app,
                &coordinator,
                &case,
                serde_json::json!({"action": "reopen", "reason": "继续调解"}),
            )
            .await;
        }
    }

    // A ledger import: a resolved, a failed and an open case, in the past.
    let head = mediation::domain::ledger::HEADERS.join(",");
    let csv = format!(
        "{head}\n\
         JB-2025-00901,2025-03-10,王一,某建筑有限公司,欠薪,来访,5000,3,重大疑难,JB-C02,,已结案,调解成功,4000,2025-04-20,\n\
         JB-2025-00902,2025-05-31,赵二,某餐饮店,欠薪,来访,800,1,,JB-C03,,已结案,调解不成,,2025-06-01,\n\
         JB-2025-00903,2025-07-15,钱三,某物流有限公司,欠薪,来访,1200,1,,JB-C01,,待受理,,,,\n"
    );
    let db = app.db.clone();
    let handle = tokio::runtime::Handle::current();
    let report = tokio::task::spawn_blocking(move || {
        mediation::services::ledger::import::import(
            &handle,
            &db,
            TZ,
            &mediation::services::ledger::import::system_actor(),
            std::io::Cursor::new(csv.into_bytes()),
            &mediation::services::ledger::import::Options {
                unit_code: None,
                dry_run: false,
            },
            &|_| {},
        )
    })
    .await
    .expect("import ran")
    .expect("import");
    assert_eq!(report.imported, 3, "{report:?}");

    // The counters path (street-wide) equals the direct path (the same cases, counted from the
    // cases) for month-aligned and unaligned ranges, with and without a unit.
    assert!(counters::ready(&app.db, TZ).await.expect("ready"));
    let now = Utc::now();
    let today = now.with_timezone(&TZ).date_naive();
    let this_month = months_back(today, 0);
    let end_of_this_month = months_back(today, 0)
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .expect("a day");
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a day");
    let ranges = [
        (day(2020, 1, 1), end_of_this_month),
        (months_back(today, 13), end_of_this_month),
        (day(2025, 1, 1), day(2025, 12, 31)),
        (day(2025, 1, 15), today),
        (day(2025, 3, 10), day(2025, 6, 1)),
        (this_month, today),
        (day(2025, 5, 31), day(2025, 6, 1)),
    ];
    let mut compared = 0;
    for (from, to) in ranges {
        for unit_id in [None, Some(station), Some(room), Some(hub)] {
            let range = StatsRange::new(Some(from), Some(to), unit_id, today).expect("a range");
            let counted = stats_in_scope(&app.db, TZ, Scope::Street, range, now)
                .await
                .expect("counted");
            let direct = stats_in_scope(
                &app.db,
                TZ,
                Scope::Cases(sea_orm::Condition::all()),
                range,
                now,
            )
            .await
            .expect("direct");
            assert_eq!(counted, direct, "{from}..{to} at {unit_id:?}");
            compared += 1;
        }
    }
    assert_eq!(compared, ranges.len() * 4);
    // The API answers the same as the service.
    let year = stats(&app, &coordinator, "from=2025-01-01&to=2025-12-31").await;
    assert!(year["received"].as_u64().expect("received") >= 3);

    // Kept change by change, the counters are what a rebuild from the cases computes.
    let kept = counter_rows(&app).await;
    assert!(!kept.is_empty());
    counters::rebuild(&app.db, TZ).await.expect("rebuild");
    assert_eq!(kept, counter_rows(&app).await);
}
