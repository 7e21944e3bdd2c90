//! Graded subsidies over HTTP: rates, periods, the split and its rounding, locking, adjustments,
//! exports that add up to the fen, roles, and the finance clerk's pages.
//!
//! Resolved closings are written straight into the tables (a case can only be closed as resolved
//! through the workflow once it has an agreement): the case is taken in through the API, then its
//! team and closing are set on the rows, exactly as the workflow leaves them.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use entity::{case_assignments, cases};
use reqwest::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::helpers::{field_error, spawn_app, Browser, TestApp};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

struct Street {
    coordinator: String,
    finance: String,
    station: i64,
    other_station: i64,
    /// Active mediators of the street, in id order.
    mediators: Vec<i64>,
}

async fn street(app: &TestApp) -> Street {
    let coordinator = app.token("coordinator").await;
    let finance = app.token("finance").await;
    let station = app.unit_id(&coordinator, "JB-C01").await;
    let other_station = app.unit_id(&coordinator, "JB-C02").await;
    let list: Value = app
        .get(&coordinator, "/api/v1/mediators?per_page=200")
        .await
        .json()
        .await
        .unwrap();
    let mediators = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    Street {
        coordinator,
        finance,
        station,
        other_station,
        mediators,
    }
}

/// A closing as the workflow leaves it.
struct Closing<'a> {
    unit_id: i64,
    grade: &'a str,
    closed_at: &'a str,
    outcome: &'a str,
    confirmed: bool,
    /// (mediator, role) on the team at closing.
    team: Vec<(i64, &'a str)>,
}

impl<'a> Closing<'a> {
    fn resolved(
        unit_id: i64,
        grade: &'a str,
        closed_at: &'a str,
        team: Vec<(i64, &'a str)>,
    ) -> Self {
        Closing {
            unit_id,
            grade,
            closed_at,
            outcome: "resolved",
            confirmed: true,
            team,
        }
    }
}

/// Takes a case in through the API (received five days before closing), puts its team on it and
/// closes it on the row. Returns the case id.
async fn closed_case(app: &TestApp, s: &Street, c: Closing<'_>) -> i64 {
    let closed_at = utc(c.closed_at);
    let received_at = closed_at - Duration::days(5);
    let res = app
        .post(
            &s.coordinator,
            "/api/v1/cases",
            &json!({
                "intake_unit_id": c.unit_id,
                "dispute_type": "wage_arrears",
                "source": "walk_in",
                "summary": "骑手工资结算争议",
                "amount_claimed_fen": 300_000,
                "people_involved": 1,
                "risk_flags": [],
                "received_at": received_at.to_rfc3339(),
                "parties": [
                    {"role": "applicant", "kind": "person", "name": "张小骑"},
                    {"role": "respondent", "kind": "organisation", "name": "城东配送站"}
                ]
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let case: Value = res.json().await.unwrap();
    let id = case["id"].as_i64().unwrap();
    for (mediator_id, role) in &c.team {
        case_assignments::ActiveModel {
            case_id: Set(id),
            mediator_id: Set(*mediator_id),
            role: Set(match *role {
                "lead" => entity::terms::TeamRole::Lead,
                "co" => entity::terms::TeamRole::Co,
                _ => entity::terms::TeamRole::Apprentice,
            }),
            assigned_at: Set(received_at + Duration::hours(1)),
            ended_at: Set(None),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    // The case file a workflow closing leaves behind (a session record and the agreement), so
    // that the completeness gate lets the award through.
    complete_file(app, id, c.unit_id, closed_at).await;
    set_closing(app, id, c.grade, c.outcome, c.confirmed, closed_at).await;
    id
}

/// Writes a session record and an agreement onto a case, as the workflow would have.
async fn complete_file(app: &TestApp, id: i64, unit_id: i64, closed_at: DateTime<Utc>) {
    entity::case_sessions::ActiveModel {
        case_id: Set(id),
        held_at: Set(closed_at - Duration::days(2)),
        unit_id: Set(unit_id),
        attendees: Set("双方当事人".to_owned()),
        summary: Set("调解".to_owned()),
        outcome: Set(entity::terms::SessionOutcome::Agreement),
        next_session_at: Set(None),
        recorded_by: Set(1),
        created_at: Set(closed_at),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    entity::agreements::ActiveModel {
        case_id: Set(id),
        signed_at: Set(closed_at - Duration::days(1)),
        matters: Set(String::new()),
        terms: Set("一次付清".to_owned()),
        amount_fen: Set(100_000),
        superseded: Set(false),
        confirmation_applied_on: Set(None),
        confirmation_received_on: Set(None),
        confirmation_note: Set(None),
        recorded_by: Set(1),
        created_at: Set(closed_at),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

/// Re-closes (or first closes) a case on its row.
async fn set_closing(
    app: &TestApp,
    id: i64,
    grade: &str,
    outcome: &str,
    confirmed: bool,
    closed_at: DateTime<Utc>,
) {
    cases::Entity::update_many()
        .col_expr(cases::Column::Status, Expr::value("closed"))
        .col_expr(
            cases::Column::Outcome,
            Expr::value(Some(outcome.to_owned())),
        )
        .col_expr(cases::Column::Grade, Expr::value(grade))
        .col_expr(cases::Column::GradeConfirmed, Expr::value(confirmed))
        .col_expr(cases::Column::ClosedAt, Expr::value(Some(closed_at)))
        .filter(cases::Column::Id.eq(id))
        .exec(&app.db)
        .await
        .unwrap();
}

async fn create_period(app: &TestApp, token: &str, period: &str) -> Value {
    let res = app
        .post(token, "/api/v1/subsidy/periods", &json!({"period": period}))
        .await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn period_action(
    app: &TestApp,
    token: &str,
    id: &Value,
    action: &str,
    body: Value,
) -> (StatusCode, Value) {
    let res = app
        .post(
            token,
            &format!("/api/v1/subsidy/periods/{id}/{action}"),
            &body,
        )
        .await;
    let status = res.status();
    (status, res.json().await.unwrap())
}

/// (case, mediator) → amount, of the items of a period.
fn amounts(period: &Value) -> BTreeMap<(i64, i64), i64> {
    let mut out = BTreeMap::new();
    for i in period["items"].as_array().unwrap() {
        *out.entry((
            i["case_id"].as_i64().unwrap(),
            i["mediator_id"].as_i64().unwrap(),
        ))
        .or_default() += i["amount_fen"].as_i64().unwrap();
    }
    out
}

fn items_of_case(period: &Value, case_id: i64) -> Vec<(i64, i64, String)> {
    period["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["case_id"] == case_id)
        .map(|i| {
            (
                i["mediator_id"].as_i64().unwrap(),
                i["amount_fen"].as_i64().unwrap(),
                i["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn sum_items(period: &Value) -> i64 {
    period["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["amount_fen"].as_i64().unwrap())
        .sum()
}

fn sum_of(list: &Value) -> i64 {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x["amount_fen"].as_i64().unwrap())
        .sum()
}

/// `12.34` / `-0.05` → fen, exactly.
fn fen_of(text: &str) -> i64 {
    let (sign, t) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    let (whole, frac) = t.split_once('.').expect("two decimals");
    assert_eq!(frac.len(), 2, "{text}");
    sign * (whole.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap())
}

/// The rows of a CSV export (BOM checked and removed), header first.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    text.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

async fn download(app: &TestApp, token: &str, path: &str) -> (StatusCode, String, Vec<u8>) {
    let res = app.get(token, path).await;
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, ct, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn default_rates_are_seeded_and_a_negative_or_colliding_rate_is_refused() {
    let app = spawn_app().await;
    let s = street(&app).await;
    let rates: Value = app
        .get(&s.finance, "/api/v1/subsidy/rates")
        .await
        .json()
        .await
        .unwrap();
    let by_grade: BTreeMap<&str, i64> = rates
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["grade"].as_str().unwrap(),
                r["amount_fen"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_grade,
        BTreeMap::from([
            ("complex", 50_000),
            ("major", 100_000),
            ("ordinary", 20_000),
            ("simple", 5_000)
        ])
    );
    assert!(rates
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["in_force"] == true));

    let res = app
        .post(
            &s.finance,
            "/api/v1/subsidy/rates",
            &json!({"grade": "simple", "amount_fen": -1, "effective_from": "2027-01-01"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&res.json().await.unwrap(), "amount_fen").is_some());
    let res = app
        .post(
            &s.finance,
            "/api/v1/subsidy/rates",
            &json!({"grade": "simple", "amount_fen": 8000, "effective_from": "2020-01-01"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&res.json().await.unwrap(), "effective_from").is_some());
    let res = app
        .post(
            &s.finance,
            "/api/v1/subsidy/rates",
            &json!({"grade": "huge", "amount_fen": 1}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert!(field_error(&body, "grade").is_some());
    assert!(field_error(&body, "effective_from").is_some());

    // An admin adds a rate; the history keeps both, the old one no longer in force from then on.
    let admin = app.token("admin").await;
    let res = app
        .post(
            &admin,
            "/api/v1/subsidy/rates",
            &json!({"grade": "simple", "amount_fen": 8000, "effective_from": "2025-11-15"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let rate: Value = res.json().await.unwrap();
    assert_eq!(rate["in_force"], true);
    assert_eq!(rate["created_by_name"], "系统管理员");
    let rates: Value = app
        .get(&s.finance, "/api/v1/subsidy/rates")
        .await
        .json()
        .await
        .unwrap();
    let simple: Vec<&Value> = rates
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["grade"] == "simple")
        .collect();
    assert_eq!(simple.len(), 2);
    assert_eq!(simple.iter().filter(|r| r["in_force"] == true).count(), 1);
}

#[tokio::test]
async fn a_month_is_split_with_the_leftover_fen_to_the_lead_and_every_total_and_export_matches_the_items(
) {
    let app = spawn_app().await;
    let s = street(&app).await;
    let m = &s.mediators;
    // ¥50 with three others: 666 each, the lead 3,002.
    let a = closed_case(
        &app,
        &s,
        Closing::resolved(
            s.station,
            "simple",
            "2025-11-05T02:00:00Z",
            vec![
                (m[0], "lead"),
                (m[1], "co"),
                (m[2], "co"),
                (m[3], "apprentice"),
            ],
        ),
    )
    .await;
    // Alone: everything. Closed at 00:00 local on 1 Nov (still 31 Oct in UTC).
    let b = closed_case(
        &app,
        &s,
        Closing::resolved(
            s.other_station,
            "ordinary",
            "2025-10-31T16:00:00Z",
            vec![(m[1], "lead")],
        ),
    )
    .await;
    // Complex, lead and co: 30,000 + 20,000.
    let c = closed_case(
        &app,
        &s,
        Closing::resolved(
            s.station,
            "complex",
            "2025-11-30T15:59:59Z",
            vec![(m[2], "lead"), (m[0], "co")],
        ),
    )
    .await;
    // Not eligible: failed; complex awaiting confirmation; closed 23:59:59 local on 31 Oct; 00:00 local 1 Dec.
    let mut failed = Closing::resolved(
        s.station,
        "simple",
        "2025-11-06T02:00:00Z",
        vec![(m[0], "lead")],
    );
    failed.outcome = "failed";
    closed_case(&app, &s, failed).await;
    let mut unconfirmed = Closing::resolved(
        s.station,
        "complex",
        "2025-11-07T02:00:00Z",
        vec![(m[0], "lead")],
    );
    unconfirmed.confirmed = false;
    closed_case(&app, &s, unconfirmed).await;
    closed_case(
        &app,
        &s,
        Closing::resolved(
            s.station,
            "simple",
            "2025-10-31T15:59:59Z",
            vec![(m[0], "lead")],
        ),
    )
    .await;
    closed_case(
        &app,
        &s,
        Closing::resolved(
            s.station,
            "simple",
            "2025-11-30T16:00:00Z",
            vec![(m[0], "lead")],
        ),
    )
    .await;

    let p = create_period(&app, &s.finance, "2025-11").await;
    assert_eq!(p["status"], "draft");
    assert_eq!(p["kind"], "month");
    let got = amounts(&p);
    let expected = BTreeMap::from([
        ((a, m[0]), 3_002),
        ((a, m[1]), 666),
        ((a, m[2]), 666),
        ((a, m[3]), 666),
        ((b, m[1]), 20_000),
        ((c, m[2]), 30_000),
        ((c, m[0]), 20_000),
    ]);
    assert_eq!(got, expected);
    assert!(p["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["kind"] == "award"));
    let item_b = &p["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case_id"] == b)
        .unwrap();
    assert_eq!(item_b["unit_id"], s.other_station);
    assert_eq!(item_b["grade"], "ordinary");
    assert!(item_b["case_no"].as_str().unwrap().starts_with("JB-2025-"));

    let total = p["totals"]["total_fen"].as_i64().unwrap();
    assert_eq!(total, 75_000);
    assert_eq!(total, sum_items(&p));
    assert_eq!(sum_of(&p["totals"]["by_grade"]), total);
    assert_eq!(sum_of(&p["totals"]["by_mediator"]), total);
    assert_eq!(sum_of(&p["totals"]["by_unit"]), total);
    assert_eq!(p["totals"]["cases"], 3);

    // The same, read back and listed.
    let id = &p["id"];
    let again: Value = app
        .get(&s.finance, &format!("/api/v1/subsidy/periods/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(amounts(&again), expected);
    let list: Value = app
        .get(&s.finance, "/api/v1/subsidy/periods")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["total_fen"], total);
    assert_eq!(list["items"][0]["cases"], 3);

    // CSV: UTF-8 with BOM, Chinese headers, amounts in yuan that add up to the fen.
    let (status, ct, bytes) = download(
        &app,
        &s.finance,
        &format!("/api/v1/subsidy/periods/{id}/export.csv"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/csv"));
    let rows = csv_rows(&bytes);
    assert_eq!(rows[0][1], "案件编号");
    assert_eq!(rows[0].last().unwrap(), "金额（元）");
    let (lines, totals_row) = rows[1..].split_at(rows.len() - 2);
    assert_eq!(lines.len(), 7);
    assert_eq!(totals_row[0][0], "合计");
    let csv_sum: i64 = lines.iter().map(|r| fen_of(r.last().unwrap())).sum();
    assert_eq!(csv_sum, total);
    assert_eq!(fen_of(totals_row[0].last().unwrap()), total);
    for view in ["mediators", "units", "grades"] {
        let (status, _, bytes) = download(
            &app,
            &s.finance,
            &format!("/api/v1/subsidy/periods/{id}/export.csv?view={view}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let rows = csv_rows(&bytes);
        let body = &rows[1..rows.len() - 1];
        let sum: i64 = body.iter().map(|r| fen_of(r.last().unwrap())).sum();
        assert_eq!(sum, total, "{view}");
        assert_eq!(
            fen_of(rows.last().unwrap().last().unwrap()),
            total,
            "{view}"
        );
    }
    let (status, _, _) = download(
        &app,
        &s.finance,
        &format!("/api/v1/subsidy/periods/{id}/export.csv?view=nope"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // XLSX: a real zip workbook with a sheet per view.
    let (status, ct, bytes) = download(
        &app,
        &s.finance,
        &format!("/api/v1/subsidy/periods/{id}/export.xlsx"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        ct,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(bytes.starts_with(b"PK\x03\x04"), "a zip file");
    let names = String::from_utf8_lossy(&bytes);
    for part in [
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet4.xml",
    ] {
        assert!(names.contains(part), "{part}");
    }
}

#[tokio::test]
async fn malformed_periods_are_refused_and_one_period_per_month_is_allowed() {
    let app = spawn_app().await;
    let s = street(&app).await;
    for (bad, field_in_message) in [
        ("2026-13", "13"),
        ("2026-Q5", "5"),
        ("2026/11", ""),
        ("", ""),
    ] {
        let res = app
            .post(
                &s.finance,
                "/api/v1/subsidy/periods",
                &json!({"period": bad}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let body: Value = res.json().await.unwrap();
        let message = field_error(&body, "period").expect("names period");
        assert!(message.contains(field_in_message), "{message}");
    }
    let res = app
        .post(&s.finance, "/api/v1/subsidy/periods", &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A period that has not begun.
    let res = app
        .post(
            &s.finance,
            "/api/v1/subsidy/periods",
            &json!({"period": "2999-01"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let list: Value = app
        .get(&s.finance, "/api/v1/subsidy/periods")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0, "nothing written");

    create_period(&app, &s.finance, "2025-11").await;
    let res = app
        .post(
            &s.finance,
            "/api/v1/subsidy/periods",
            &json!({"period": "2025-11"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // The quarter holding that month overlaps it.
    let res = app
        .post(
            &s.finance,
            "/api/v1/subsidy/periods",
            &json!({"period": "2025-Q4"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // Another quarter is fine.
    let q = create_period(&app, &s.finance, "2025-Q3").await;
    assert_eq!(q["kind"], "quarter");
    let list: Value = app
        .get(&s.finance, "/api/v1/subsidy/periods")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 2);
}

/// Last month and this month in the street's zone, with last month's first instant.
fn recent_months() -> (String, String, DateTime<Utc>) {
    use mediation::domain::subsidy::{Period, PeriodKind};
    let tz = chrono_tz::Asia::Shanghai;
    let this = Period::containing(Utc::now(), tz, PeriodKind::Month);
    let last = this.previous();
    let (start, _) = last.bounds(tz).unwrap();
    (last.to_string(), this.to_string(), start)
}

#[tokio::test]
async fn an_approved_period_is_locked_paid_once_and_a_late_closing_lands_in_the_next_period() {
    let app = spawn_app().await;
    let s = street(&app).await;
    let m = &s.mediators;
    // Last month is approved now (as a clerk does early in the month); a closing in last month
    // entered after that lands in this month.
    let (last, this, start) = recent_months();
    let early_at = (start + Duration::days(9)).to_rfc3339();
    let late_at = (start + Duration::days(27)).to_rfc3339();
    let early = closed_case(
        &app,
        &s,
        Closing::resolved(
            s.station,
            "simple",
            &early_at,
            vec![(m[0], "lead"), (m[1], "co")],
        ),
    )
    .await;
    let oct = create_period(&app, &s.finance, &last).await;
    let id = oct["id"].clone();

    // Marking a draft paid is refused.
    let (status, _) = period_action(&app, &s.finance, &id, "paid", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // A stale version is refused.
    let (status, _) = period_action(&app, &s.finance, &id, "approve", json!({"version": 99})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, approved) = period_action(
        &app,
        &s.finance,
        &id,
        "approve",
        json!({"version": oct["version"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["approved_by_name"], "财务 李会计");
    // Approving twice, recomputing: 409, nothing changed.
    let (status, _) = period_action(&app, &s.finance, &id, "approve", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = period_action(&app, &s.finance, &id, "recompute", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "conflict");

    // A closing in October entered after October was approved: October stays as it was, the case
    // lands in November.
    let late = closed_case(
        &app,
        &s,
        Closing::resolved(s.station, "ordinary", &late_at, vec![(m[2], "lead")]),
    )
    .await;
    let (status, _) = period_action(&app, &s.finance, &id, "recompute", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let oct_now: Value = app
        .get(&s.finance, &format!("/api/v1/subsidy/periods/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(amounts(&oct_now), amounts(&oct));
    let nov = create_period(&app, &s.finance, &this).await;
    assert_eq!(
        items_of_case(&nov, late),
        vec![(m[2], 20_000, "award".to_owned())]
    );
    assert!(items_of_case(&nov, early).is_empty(), "never paid twice");

    // Paying: not in the future, then once.
    let tomorrow = (Utc::now() + Duration::days(2)).date_naive().to_string();
    let (status, body) =
        period_action(&app, &s.finance, &id, "paid", json!({"paid_on": tomorrow})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&body, "paid_on").is_some());
    let (status, body) =
        period_action(&app, &s.finance, &id, "paid", json!({"paid_on": "someday"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&body, "paid_on").is_some());
    let (status, paid) = period_action(&app, &s.finance, &id, "paid", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["status"], "paid");
    assert!(paid["paid_on"].is_string());
    let (status, _) = period_action(&app, &s.finance, &id, "paid", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let actions: Vec<&str> = paid["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "subsidy.period.create",
            "subsidy.period.approve",
            "subsidy.period.paid"
        ]
    );
}

#[tokio::test]
async fn approving_a_period_whose_cases_changed_since_computing_asks_for_a_recompute() {
    let app = spawn_app().await;
    let s = street(&app).await;
    let m = &s.mediators;
    closed_case(
        &app,
        &s,
        Closing::resolved(
            s.station,
            "simple",
            "2025-11-03T02:00:00Z",
            vec![(m[0], "lead")],
        ),
    )
    .await;
    let nov = create_period(&app, &s.finance, "2025-11").await;
    let added = closed_case(
        &app,
        &s,
        Closing::resolved(
            s.station,
            "simple",
            "2025-11-04T02:00:00Z",
            vec![(m[1], "lead")],
        ),
    )
    .await;
    let (status, body) = period_action(&app, &s.finance, &nov["id"], "approve", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, fresh) = period_action(
        &app,
        &s.finance,
        &nov["id"],
        "recompute",
        json!({"version": nov["version"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(items_of_case(&fresh, added).len(), 1);
    assert_eq!(fresh["version"], nov["version"].as_i64().unwrap() + 1);
    let (status, body) = period_action(
        &app,
        &s.finance,
        &nov["id"],
        "approve",
        json!({"version": fresh["version"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_case_re_closed_after_approval_is_adjusted_in_the_period_of_its_new_closing() {
    let app = spawn_app().await;
    let s = street(&app).await;
    let m = &s.mediators;
    let regraded = closed_case(
        &app,
        &s,
        Closing::resolved(
            s.station,
            "simple",
            "2025-10-10T02:00:00Z",
            vec![(m[0], "lead"), (m[1], "co")],
        ),
    )
    .await;
    let failed = closed_case(
        &app,
        &s,
        Closing::resolved(
            s.station,
            "ordinary",
            "2025-10-11T02:00:00Z",
            vec![(m[2], "lead"), (m[3], "co")],
        ),
    )
    .await;
    let oct = create_period(&app, &s.finance, "2025-10").await;
    assert_eq!(
        items_of_case(&oct, regraded),
        vec![
            (m[0], 3_000, "award".to_owned()),
            (m[1], 2_000, "award".to_owned())
        ]
    );
    let (status, _) = period_action(&app, &s.finance, &oct["id"], "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK);

    // Reopened after approval; one regraded major and resolved again, the other closed as failed.
    set_closing(
        &app,
        regraded,
        "major",
        "resolved",
        true,
        utc("2025-11-12T02:00:00Z"),
    )
    .await;
    set_closing(
        &app,
        failed,
        "ordinary",
        "failed",
        true,
        utc("2025-11-13T02:00:00Z"),
    )
    .await;
    let nov = create_period(&app, &s.finance, "2025-11").await;
    assert_eq!(
        items_of_case(&nov, regraded),
        vec![
            (m[0], 57_000, "adjustment".to_owned()),
            (m[1], 38_000, "adjustment".to_owned())
        ]
    );
    assert_eq!(
        items_of_case(&nov, failed),
        vec![
            (m[2], -12_000, "adjustment".to_owned()),
            (m[3], -8_000, "adjustment".to_owned())
        ]
    );
    assert_eq!(nov["totals"]["total_fen"], 75_000);
    assert_eq!(sum_items(&nov), 75_000);
    // Once November is approved, nothing more is due for these closings.
    let (status, _) = period_action(&app, &s.finance, &nov["id"], "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let dec = create_period(&app, &s.finance, "2025-12").await;
    assert!(dec["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_lead_share_is_a_setting_between_0_and_100_percent() {
    let app = spawn_app().await;
    let s = street(&app).await;
    let m = &s.mediators;
    let share: Value = app
        .get(&s.finance, "/api/v1/subsidy/lead_share")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(share["lead_share_bp"], 6000);
    for bad in [
        json!({"lead_share_percent": 101}),
        json!({"lead_share_percent": "-1"}),
        json!({"lead_share_bp": 10001}),
        json!({}),
    ] {
        let res = app
            .api
            .put(app.url("/api/v1/subsidy/lead_share"))
            .bearer_auth(&s.finance)
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let res = app
        .api
        .put(app.url("/api/v1/subsidy/lead_share"))
        .bearer_auth(&s.finance)
        .json(&json!({"lead_share_percent": "50"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let share: Value = res.json().await.unwrap();
    assert_eq!(share["lead_share_bp"], 5000);
    assert_eq!(share["updated_by_name"], "财务 李会计");
    let case = closed_case(
        &app,
        &s,
        Closing::resolved(
            s.station,
            "simple",
            "2025-11-03T02:00:00Z",
            vec![(m[0], "lead"), (m[1], "co")],
        ),
    )
    .await;
    let nov = create_period(&app, &s.finance, "2025-11").await;
    assert_eq!(
        items_of_case(&nov, case),
        vec![
            (m[0], 2_500, "award".to_owned()),
            (m[1], 2_500, "award".to_owned())
        ]
    );
}

#[tokio::test]
async fn mediators_viewers_and_coordinators_cannot_reach_any_of_it() {
    let app = spawn_app().await;
    let s = street(&app).await;
    let p = create_period(&app, &s.finance, "2025-11").await;
    let id = &p["id"];
    for who in ["mediator", "viewer", "coordinator"] {
        let token = app.token(who).await;
        for path in [
            "/api/v1/subsidy/rates".to_owned(),
            "/api/v1/subsidy/lead_share".to_owned(),
            "/api/v1/subsidy/periods".to_owned(),
            format!("/api/v1/subsidy/periods/{id}"),
            format!("/api/v1/subsidy/periods/{id}/export.csv"),
            format!("/api/v1/subsidy/periods/{id}/export.xlsx"),
        ] {
            assert_eq!(
                app.get(&token, &path).await.status(),
                StatusCode::NOT_FOUND,
                "{who} GET {path}"
            );
        }
        for (path, body) in [
            (
                "/api/v1/subsidy/periods".to_owned(),
                json!({"period": "2025-10"}),
            ),
            (
                "/api/v1/subsidy/rates".to_owned(),
                json!({"grade": "simple", "amount_fen": 1, "effective_from": "2030-01-01"}),
            ),
            (format!("/api/v1/subsidy/periods/{id}/recompute"), json!({})),
            (format!("/api/v1/subsidy/periods/{id}/approve"), json!({})),
            (format!("/api/v1/subsidy/periods/{id}/paid"), json!({})),
            // Even a malformed body answers 404 first.
            (
                "/api/v1/subsidy/periods".to_owned(),
                json!({"period": "2026-13"}),
            ),
        ] {
            assert_eq!(
                app.post(&token, &path, &body).await.status(),
                StatusCode::NOT_FOUND,
                "{who} POST {path}"
            );
        }
        let browser = app.browser(who).await;
        for path in [
            "/subsidy".to_owned(),
            "/subsidy/rates".to_owned(),
            format!("/subsidy/periods/{id}"),
        ] {
            let (status, _) = browser.get(&path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{who} page {path}");
        }
    }
    let list: Value = app
        .get(&s.finance, "/api/v1/subsidy/periods")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1, "nothing was written");
    let p2: Value = app
        .get(&s.finance, &format!("/api/v1/subsidy/periods/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p2["version"], p["version"]);
}

#[tokio::test]
async fn a_finance_clerk_does_the_month_end_in_the_pages() {
    let app = spawn_app().await;
    let s = street(&app).await;
    let m = &s.mediators;
    let case = closed_case(
        &app,
        &s,
        Closing::resolved(
            s.station,
            "ordinary",
            "2025-11-03T02:00:00Z",
            vec![(m[0], "lead"), (m[1], "co")],
        ),
    )
    .await;
    let browser = app.browser("finance").await;
    let (status, home) = browser.get("/subsidy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains(">以奖代补</a>"), "finance navigation");

    // A malformed period re-renders the form with the reason.
    let res = browser
        .submit("/subsidy", "/subsidy/periods", &[("period", "2025-13")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("period-error") && html.contains("13"));

    let res = browser
        .submit("/subsidy", "/subsidy/periods", &[("period", "2025-11")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = Browser::location(&res).unwrap();
    assert!(location.starts_with("/subsidy/periods/"));
    let page = location.split('?').next().unwrap().to_owned();
    let (status, html) = browser.get(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("¥200.00"), "the total in yuan");
    assert!(
        html.contains(&format!("href=\"/cases/{case}\"")),
        "drill-down to the case"
    );
    let (status, html) = browser.get(&format!("{page}?mediator_id={}", m[1])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("¥80.00"));

    // The same again is refused with the reason on the list page.
    let res = browser
        .submit("/subsidy", "/subsidy/periods", &[("period", "2025-11")])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Approve through the confirmation page.
    let (status, html) = browser.get(&format!("{page}/approve")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"version\""));
    let version = html
        .split("name=\"version\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let res = browser
        .submit(
            &format!("{page}/approve"),
            &format!("{page}/approve"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Recomputing now is refused on the page.
    let res = browser
        .submit(&page, &format!("{page}/recompute"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Mark paid with a date: a future one is refused inline.
    let tomorrow = (Utc::now() + Duration::days(2)).date_naive().to_string();
    let res = browser
        .submit(
            &format!("{page}/paid"),
            &format!("{page}/paid"),
            &[("paid_on", &tomorrow)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("paid_on-error"));
    let (_, html) = browser.get(&format!("{page}/paid")).await;
    let today = html
        .split("name=\"paid_on\" type=\"date\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let res = browser
        .submit(
            &format!("{page}/paid"),
            &format!("{page}/paid"),
            &[("paid_on", &today)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&page).await;
    assert!(html.contains("已发放"));
    assert!(html.contains("财务 李会计"), "who approved and paid");

    // Downloads work with the browser session.
    let res = browser
        .client
        .get(browser.url(&format!("{page}/export.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));

    // Rates: an unreadable amount is re-rendered inline; a good one is added.
    let res = browser
        .submit(
            "/subsidy/rates",
            "/subsidy/rates",
            &[
                ("grade", "simple"),
                ("amount_yuan", "-5"),
                ("effective_from", "2027-01-01"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("amount_yuan-error"));
    let res = browser
        .submit(
            "/subsidy/rates",
            "/subsidy/rates",
            &[
                ("grade", "simple"),
                ("amount_yuan", "80"),
                ("effective_from", "2027-01-01"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get("/subsidy/rates").await;
    assert!(html.contains("2027-01-01") && html.contains("¥80.00"));
    let res = browser
        .submit(
            "/subsidy/rates",
            "/subsidy/lead_share",
            &[("lead_share_percent", "120")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = browser
        .submit(
            "/subsidy/rates",
            "/subsidy/lead_share",
            &[("lead_share_percent", "62.5")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_demo_street_has_a_paid_an_approved_and_a_draft_period() {
    let app = spawn_app().await;
    let tz = chrono_tz::Asia::Shanghai;
    let loaded = mediation::demo::subsidy::load_demo(&app.db, tz)
        .await
        .unwrap();
    assert_eq!(loaded.periods.len(), 3);
    let finance = app.token("finance").await;
    let list: Value = app
        .get(&finance, "/api/v1/subsidy/periods")
        .await
        .json()
        .await
        .unwrap();
    let statuses: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["draft", "approved", "paid"]);
    for p in list["items"].as_array().unwrap() {
        assert!(p["total_fen"].as_i64().unwrap() > 0);
    }
    let draft: Value = app
        .get(
            &finance,
            &format!("/api/v1/subsidy/periods/{}", list["items"][0]["id"]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(draft["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["kind"] == "adjustment"));
    // Loading twice changes nothing.
    let again = mediation::demo::subsidy::load_demo(&app.db, tz)
        .await
        .unwrap();
    assert!(again.periods.is_empty());
}

/// The period page reads its totals by SQL aggregates and only the lines it shows: for every
/// filter the page offers, its totals, its selected sums and its pages put together are exactly
/// what the API's period (every line, summed in Rust) gives.
#[tokio::test]
async fn the_period_page_totals_and_pages_are_those_of_every_line() {
    use mediation::services::subsidy::page::{period_page, ItemFilter};
    use mediation::services::subsidy::{detail, system_actor};

    let app = spawn_app().await;
    let tz = chrono_tz::Asia::Shanghai;
    mediation::demo::subsidy::load_demo(&app.db, tz)
        .await
        .unwrap();
    let actor = system_actor();
    let ids: Vec<i64> = entity::subsidy_periods::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids.len(), 3);
    for id in ids {
        let whole = detail(&app.db, &actor, id).await.unwrap();
        assert!(whole.items.len() > 2, "the demo periods have several lines");
        let mut filters = vec![ItemFilter::default()];
        for t in &whole.totals.by_mediator {
            filters.push(ItemFilter {
                mediator_id: Some(t.mediator_id),
                ..ItemFilter::default()
            });
        }
        for t in &whole.totals.by_unit {
            filters.push(ItemFilter {
                unit_id: Some(t.unit_id),
                ..ItemFilter::default()
            });
        }
        for grade in mediation::domain::case_terms::Grade::ALL {
            filters.push(ItemFilter {
                grade: Some(grade),
                ..ItemFilter::default()
            });
        }
        for kind in ["award", "adjustment"] {
            filters.push(ItemFilter {
                kind: Some(kind.to_owned()),
                ..ItemFilter::default()
            });
        }
        for filter in filters {
            let expected: Vec<_> = whole
                .items
                .iter()
                .filter(|i| filter.mediator_id.is_none_or(|m| i.mediator_id == m))
                .filter(|i| filter.unit_id.is_none_or(|u| i.unit_id == u))
                .filter(|i| filter.grade.is_none_or(|g| i.grade == g.as_str()))
                .filter(|i| filter.kind.as_deref().is_none_or(|k| i.kind == k))
                .collect();
            let mut cases: Vec<i64> = expected.iter().map(|i| i.case_id).collect();
            cases.sort_unstable();
            cases.dedup();
            // Two lines a page, so that every period here has several pages.
            let mut shown = Vec::new();
            let mut page_no = 1;
            loop {
                let page = period_page(&app.db, &actor, id, &filter, page_no, 2)
                    .await
                    .unwrap();
                assert_eq!(
                    serde_json::to_value(&page.period.totals).unwrap(),
                    serde_json::to_value(&whole.totals).unwrap(),
                    "totals of period {id}"
                );
                assert_eq!(page.selected.items, expected.len() as u64, "{filter:?}");
                assert_eq!(page.selected.cases, cases.len() as u64, "{filter:?}");
                assert_eq!(
                    page.selected.amount_fen,
                    expected.iter().map(|i| i.amount_fen).sum::<i64>(),
                    "{filter:?}"
                );
                assert_eq!(page.page, page_no.min(page.pages));
                shown.extend(page.period.items.iter().map(|i| i.id));
                if page_no >= page.pages {
                    break;
                }
                page_no += 1;
            }
            let expected_ids: Vec<i64> = expected.iter().map(|i| i.id).collect();
            assert_eq!(shown, expected_ids, "the pages put together, {filter:?}");
            // A page past the end is the last page.
            let beyond = period_page(&app.db, &actor, id, &filter, 10_000, 2)
                .await
                .unwrap();
            assert_eq!(beyond.page, beyond.pages);
        }
    }
}
