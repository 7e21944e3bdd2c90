//! Follow-up visits due (`/follow-ups`, `/api/v1/follow_ups/due`), the reminders of follow-ups and
//! of the judicial-confirmation window, and the notice of an approved subsidy period.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, Utc};
use entity::{notifications, reminders_sent};
use mediation::config::Config;
use mediation::services::notifications::reminders;
use reqwest::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, PASSWORD};

fn rfc(days_ago: i64) -> String {
    (Utc::now() - Duration::days(days_ago)).to_rfc3339()
}

/// Today in the street's time zone (the server's clocks count local days).
fn local_today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

fn date(v: &Value) -> NaiveDate {
    NaiveDate::parse_from_str(v.as_str().expect("a date"), "%Y-%m-%d").expect("YYYY-MM-DD")
}

async fn json_of(res: reqwest::Response, expected: StatusCode) -> Value {
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, expected, "{body}");
    body
}

async fn me(app: &TestApp, token: &str) -> Value {
    json_of(app.get(token, "/api/v1/auth/me").await, StatusCode::OK).await
}

async fn first_mediator(app: &TestApp, token: &str, unit_id: i64) -> i64 {
    let list = json_of(
        app.get(token, &format!("/api/v1/mediators?unit_id={unit_id}"))
            .await,
        StatusCode::OK,
    )
    .await;
    list["items"][0]["id"].as_i64().expect("a mediator")
}

async fn detail(app: &TestApp, token: &str, id: i64) -> Value {
    json_of(
        app.get(token, &format!("/api/v1/cases/{id}")).await,
        StatusCode::OK,
    )
    .await
}

async fn act(app: &TestApp, token: &str, id: i64, mut body: Value) -> Value {
    body["version"] = detail(app, token, id).await["version"].clone();
    json_of(
        app.post(token, &format!("/api/v1/cases/{id}/actions"), &body)
            .await,
        StatusCode::OK,
    )
    .await
}

/// A case received 40 days ago at `unit_id`, accepted with `lead`. Returns its id.
async fn accepted_case(app: &TestApp, token: &str, unit_id: i64, lead: i64) -> i64 {
    let case = json_of(
        app.post(
            token,
            "/api/v1/cases",
            &json!({
                "intake_unit_id": unit_id, "dispute_type": "wage_arrears", "source": "walk_in",
                "summary": "骑手被拖欠工资", "amount_claimed_fen": 200_000, "people_involved": 1,
                "received_at": rfc(40),
                "parties": [{"role": "applicant", "kind": "person", "name": "张小骑"},
                            {"role": "respondent", "kind": "organisation", "name": "城东配送站"}]
            }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = case["id"].as_i64().expect("id");
    act(
        app,
        token,
        id,
        json!({"action": "accept", "lead_mediator_id": lead, "at": rfc(39)}),
    )
    .await;
    id
}

/// Records the agreement of case `id`, signed `signed_days_ago` (paid on signing, or one
/// instalment due on `instalment_on`).
async fn sign(
    app: &TestApp,
    token: &str,
    id: i64,
    signed_days_ago: i64,
    instalment_on: Option<NaiveDate>,
) -> Value {
    let instalments: Vec<Value> = instalment_on
        .map(|d| json!({"due_on": d.to_string(), "amount_fen": 100_000}))
        .into_iter()
        .collect();
    json_of(
        app.post(
            token,
            &format!("/api/v1/cases/{id}/agreement"),
            &json!({
                "signed_at": rfc(signed_days_ago), "terms": "一次付清", "amount_fen": 100_000,
                "instalments": instalments
            }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

/// [`accepted_case`] then [`sign`]: the case id and its agreement.
async fn agreed_case(
    app: &TestApp,
    token: &str,
    unit_id: i64,
    lead: i64,
    signed_days_ago: i64,
    instalment_on: Option<NaiveDate>,
) -> (i64, Value) {
    let id = accepted_case(app, token, unit_id, lead).await;
    let agreement = sign(app, token, id, signed_days_ago, instalment_on).await;
    (id, agreement)
}

async fn case_no(app: &TestApp, token: &str, id: i64) -> String {
    detail(app, token, id).await["case_no"]
        .as_str()
        .expect("case_no")
        .to_owned()
}

async fn record_visit(app: &TestApp, token: &str, id: i64) {
    json_of(
        app.post(token, &format!("/api/v1/cases/{id}/follow_ups"), &json!({
            "done_at": Utc::now().to_rfc3339(), "result": "已按协议付清", "satisfaction": 5, "fulfilled": true
        }))
        .await,
        StatusCode::CREATED,
    )
    .await;
}

/// case id → due day, from `/api/v1/follow_ups/due`.
async fn due_list(app: &TestApp, token: &str, until: NaiveDate) -> BTreeMap<i64, NaiveDate> {
    let body = json_of(
        app.get(token, &format!("/api/v1/follow_ups/due?until={until}"))
            .await,
        StatusCode::OK,
    )
    .await;
    let items = body["items"].as_array().expect("items");
    assert_eq!(body["total"], items.len());
    let days: Vec<NaiveDate> = items.iter().map(|i| date(&i["due_on"])).collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "overdue first");
    let today = date(&body["today"]);
    items
        .iter()
        .map(|i| {
            let due = date(&i["due_on"]);
            assert_eq!(i["days_overdue"], (today - due).num_days());
            (i["case_id"].as_i64().expect("id"), due)
        })
        .collect()
}

/// What the case pages say: every case the user sees whose `follow_up_due_on` is on or before
/// `until`.
async fn due_by_case_pages(
    app: &TestApp,
    token: &str,
    until: NaiveDate,
) -> BTreeMap<i64, NaiveDate> {
    let list = json_of(
        app.get(token, "/api/v1/cases?per_page=200").await,
        StatusCode::OK,
    )
    .await;
    assert!(list["total"].as_u64().expect("total") <= 200);
    let mut due = BTreeMap::new();
    for c in list["items"].as_array().expect("items") {
        let id = c["id"].as_i64().expect("id");
        let d = detail(app, token, id).await;
        if d["follow_up_due_on"].is_string() && date(&d["follow_up_due_on"]) <= until {
            due.insert(id, date(&d["follow_up_due_on"]));
        }
    }
    due
}

/// A mediator account for the first mediator of `unit_id`.
async fn mediator_account(app: &TestApp, unit_id: i64, username: &str) -> String {
    let admin = app.token("admin").await;
    let mediator_id = first_mediator(app, &admin, unit_id).await;
    json_of(
        app.post(
            &admin,
            "/api/v1/users",
            &json!({
                "username": username, "password": PASSWORD, "role": "mediator",
                "unit_id": unit_id, "mediator_id": mediator_id
            }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    app.token(username).await
}

fn config() -> Config {
    Config::for_database("sqlite::memory:")
}

/// The notifications of one kind about one case.
async fn notes(app: &TestApp, case_id: i64, kind: &str) -> Vec<notifications::Model> {
    notifications::Entity::find()
        .filter(notifications::Column::CaseId.eq(case_id))
        .filter(notifications::Column::Kind.eq(kind))
        .all(&app.db)
        .await
        .expect("rows")
}

#[tokio::test]
async fn the_follow_ups_due_are_those_the_case_pages_show_in_each_users_scope() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let mediator = app.token("mediator").await;
    let own = me(&app, &mediator).await;
    let station = own["unit_id"].as_i64().expect("the mediator's station");
    let lead = own["mediator_id"].as_i64().expect("a mediator record");
    let other_station = app.unit_id(&coordinator, "JB-C02").await;
    assert_ne!(station, other_station);
    let other_lead = first_mediator(&app, &coordinator, other_station).await;
    let today = local_today();

    // Overdue, due within the week, due much later; another station's overdue one; and one
    // reopened after its agreement and closed as failed.
    let (overdue, _) = agreed_case(&app, &coordinator, station, lead, 20, None).await;
    let (soon, _) = agreed_case(&app, &coordinator, station, lead, 3, None).await;
    let (later, _) = agreed_case(
        &app,
        &coordinator,
        station,
        lead,
        20,
        Some(today + Duration::days(30)),
    )
    .await;
    let (elsewhere, _) = agreed_case(&app, &coordinator, other_station, other_lead, 20, None).await;
    let (failed, _) = agreed_case(&app, &coordinator, station, lead, 20, None).await;
    act(
        &app,
        &coordinator,
        failed,
        json!({"action": "close", "outcome": "resolved"}),
    )
    .await;
    act(
        &app,
        &coordinator,
        failed,
        json!({"action": "reopen", "reason": "协议未履行"}),
    )
    .await;
    act(
        &app,
        &coordinator,
        failed,
        json!({"action": "close", "outcome": "failed", "reason": "告知申请仲裁"}),
    )
    .await;

    let week = today + Duration::days(7);
    for (who, token) in [("coordinator", &coordinator), ("mediator", &mediator)] {
        for until in [today, week] {
            assert_eq!(
                due_list(&app, token, until).await,
                due_by_case_pages(&app, token, until).await,
                "{who} until {until}"
            );
        }
    }
    let street_now = due_list(&app, &coordinator, today).await;
    let street_week = due_list(&app, &coordinator, week).await;
    assert!(street_now.contains_key(&overdue) && street_now.contains_key(&elsewhere));
    assert!(!street_now.contains_key(&soon) && street_week.contains_key(&soon));
    assert!(!street_week.contains_key(&later) && !street_week.contains_key(&failed));
    let station_week = due_list(&app, &mediator, week).await;
    assert!(station_week.contains_key(&overdue) && station_week.contains_key(&soon));
    assert!(
        !station_week.contains_key(&elsewhere),
        "another station's case"
    );

    // The mediator of another station sees theirs and not this station's.
    let neighbour = mediator_account(&app, other_station, "neighbour").await;
    let theirs = due_list(&app, &neighbour, week).await;
    assert!(theirs.contains_key(&elsewhere));
    assert!(!theirs.contains_key(&overdue) && !theirs.contains_key(&soon));

    // A visit recorded takes it off the list.
    record_visit(&app, &coordinator, overdue).await;
    assert!(!due_list(&app, &mediator, week).await.contains_key(&overdue));

    // Only coordinators and mediators; a malformed day is named.
    let viewer = app.token("viewer").await;
    assert_eq!(
        app.get(&viewer, "/api/v1/follow_ups/due").await.status(),
        StatusCode::FORBIDDEN
    );
    let bad = json_of(
        app.get(&coordinator, "/api/v1/follow_ups/due?until=tomorrow")
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(bad["error"]["fields"]["until"].is_string(), "{bad}");
}

#[tokio::test]
async fn the_follow_ups_page_lists_the_weeks_visits_overdue_first_with_links_to_the_cases() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let mediator = app.token("mediator").await;
    let own = me(&app, &mediator).await;
    let station = own["unit_id"].as_i64().expect("station");
    let lead = own["mediator_id"].as_i64().expect("mediator");
    let other_station = app.unit_id(&coordinator, "JB-C02").await;
    let other_lead = first_mediator(&app, &coordinator, other_station).await;
    let today = local_today();
    let (overdue, _) = agreed_case(&app, &coordinator, station, lead, 20, None).await;
    let (soon, _) = agreed_case(&app, &coordinator, station, lead, 3, None).await;
    let (later, _) = agreed_case(
        &app,
        &coordinator,
        station,
        lead,
        20,
        Some(today + Duration::days(30)),
    )
    .await;
    let (elsewhere, _) = agreed_case(&app, &coordinator, other_station, other_lead, 20, None).await;
    let overdue_no = case_no(&app, &coordinator, overdue).await;
    let soon_no = case_no(&app, &coordinator, soon).await;
    let later_no = case_no(&app, &coordinator, later).await;
    let elsewhere_no = case_no(&app, &coordinator, elsewhere).await;

    let browser = app.browser("mediator").await;
    let (status, html) = browser.get("/follow-ups").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("回访待办"));
    assert!(
        html.contains("href=\"&#x2F;follow-ups\" class=\"active\""),
        "in the navigation"
    );
    assert!(html.contains(&format!("<a href=\"/cases/{overdue}\">{overdue_no}</a>")));
    assert!(html.contains(&format!("<a href=\"/cases/{soon}\">{soon_no}</a>")));
    assert!(!html.contains(&later_no));
    assert!(!html.contains(&elsewhere_no), "another station's case");
    assert!(
        html.find(&overdue_no) < html.find(&soon_no),
        "overdue first"
    );
    assert!(html.contains("已逾期"));
    // The page shows exactly the API's list for the week.
    let week = due_list(&app, &mediator, today + Duration::days(7)).await;
    assert_eq!(html.matches("class=\"follow-up-due").count(), week.len());

    let browser = app.browser("coordinator").await;
    let (status, html) = browser.get("/follow-ups").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&elsewhere_no) && html.contains(&overdue_no));
    assert!(html.contains("href=\"&#x2F;follow-ups\""));

    for role in ["viewer", "finance", "admin"] {
        let (status, html) = app.browser(role).await.get("/follow-ups").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
        assert!(!html.contains(&overdue_no));
    }
}

#[tokio::test]
async fn a_follow_up_due_reminds_the_lead_once_and_not_once_the_visit_is_recorded() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let mediator = app.token("mediator").await;
    let own = me(&app, &mediator).await;
    let station = own["unit_id"].as_i64().expect("station");
    let lead = own["mediator_id"].as_i64().expect("mediator");
    let (due, _) = agreed_case(&app, &coordinator, station, lead, 20, None).await;
    let (visited, _) = agreed_case(&app, &coordinator, station, lead, 20, None).await;
    record_visit(&app, &coordinator, visited).await;

    let now = Utc::now();
    reminders::run_once(&app.db, &config(), now)
        .await
        .expect("scan");
    reminders::run_once(&app.db, &config(), now)
        .await
        .expect("scan");
    let sent = notes(&app, due, "follow_up_due").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].user_id, own["id"].as_i64());
    assert_eq!(sent[0].link, format!("/cases/{due}"));
    assert!(sent[0].subject.contains("回访"), "{}", sent[0].subject);
    let marks = reminders_sent::Entity::find()
        .filter(reminders_sent::Column::CaseId.eq(due))
        .filter(reminders_sent::Column::Kind.eq("follow_up_due"))
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(marks, 1);
    assert!(notes(&app, visited, "follow_up_due").await.is_empty());

    // Once visited, later scans leave it alone too.
    record_visit(&app, &coordinator, due).await;
    reminders::run_once(&app.db, &config(), now + Duration::days(1))
        .await
        .expect("scan");
    assert_eq!(notes(&app, due, "follow_up_due").await.len(), 1);
    assert!(notes(&app, visited, "follow_up_due").await.is_empty());
    let inbox = json_of(
        app.get(&mediator, "/api/v1/notifications?per_page=200")
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|n| n["kind"] == "follow_up_due" && n["case_id"] == due));
}

#[tokio::test]
async fn a_judicial_confirmation_window_ending_within_five_days_reminds_the_lead_once() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let mediator = app.token("mediator").await;
    let own = me(&app, &mediator).await;
    let station = own["unit_id"].as_i64().expect("station");
    let lead = own["mediator_id"].as_i64().expect("mediator");
    let today = local_today();

    // Signed about 27 days ago: rest days may move the last day, so the agreement itself says
    // which signing puts it within five days.
    let mut near = Vec::new();
    for days_ago in [27, 28, 26, 29, 25, 30, 24] {
        let (id, agreement) = agreed_case(&app, &coordinator, station, lead, days_ago, None).await;
        let last = date(&agreement["confirmation_last_day"]);
        if last >= today && last <= today + Duration::days(5) {
            near.push(id);
            if near.len() == 2 {
                break;
            }
        }
    }
    assert_eq!(
        near.len(),
        2,
        "no signing day put the last day within five days"
    );
    let (reminded, applied) = (near[0], near[1]);
    json_of(
        app.post(
            &coordinator,
            &format!("/api/v1/cases/{applied}/agreement/confirmation"),
            &json!({"applied_on": today.to_string()}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Out of the window: signed yesterday.
    let (fresh, _) = agreed_case(&app, &coordinator, station, lead, 1, None).await;

    let now = Utc::now();
    for _ in 0..2 {
        reminders::run_once(&app.db, &config(), now)
            .await
            .expect("scan");
    }
    let sent = notes(&app, reminded, "confirmation_near").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].user_id, own["id"].as_i64());
    assert!(sent[0].subject.contains("司法确认"), "{}", sent[0].subject);
    assert!(notes(&app, applied, "confirmation_near").await.is_empty());
    assert!(notes(&app, fresh, "confirmation_near").await.is_empty());

    // Applied for after the reminder: nothing more.
    json_of(
        app.post(
            &coordinator,
            &format!("/api/v1/cases/{reminded}/agreement/confirmation"),
            &json!({"applied_on": today.to_string()}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    reminders::run_once(&app.db, &config(), now + Duration::hours(12))
        .await
        .expect("scan");
    assert_eq!(notes(&app, reminded, "confirmation_near").await.len(), 1);
}

#[tokio::test]
async fn approving_a_period_tells_each_mediator_their_total_once() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let finance = app.token("finance").await;
    let mediator = app.token("mediator").await;
    let own = me(&app, &mediator).await;
    let station = own["unit_id"].as_i64().expect("station");
    let lead = own["mediator_id"].as_i64().expect("mediator");
    // A co-mediator without an account, reached by the e-mail of their mediator record.
    let admin = app.token("admin").await;
    let list = json_of(
        app.get(&admin, &format!("/api/v1/mediators?unit_id={station}"))
            .await,
        StatusCode::OK,
    )
    .await;
    let co = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["id"] != lead)
        .expect("a second mediator at the station")
        .clone();
    let co_id = co["id"].as_i64().expect("id");
    json_of(
        app.patch(
            &admin,
            &format!("/api/v1/mediators/{co_id}"),
            &json!({"email": "co@station.example.test", "version": co["version"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    // Two resolved simple cases closed in June 2025 (¥50 each): one led alone, one with the co.
    for with_co in [false, true] {
        let id = accepted_case(&app, &coordinator, station, lead).await;
        if with_co {
            act(
                &app,
                &coordinator,
                id,
                json!({"action": "assign", "mediator_id": co_id, "role": "co"}),
            )
            .await;
        }
        // A session record: without one the case file is incomplete and the award withheld.
        json_of(
            app.post(
                &coordinator,
                &format!("/api/v1/cases/{id}/sessions"),
                &json!({"held_at": rfc(35), "unit_id": station, "mediator_ids": [lead],
                        "attendees": "双方", "summary": "调解", "outcome": "agreement"}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        sign(&app, &coordinator, id, 30, None).await;
        act(
            &app,
            &coordinator,
            id,
            json!({"action": "close", "outcome": "resolved"}),
        )
        .await;
        // Closed in the period: moved back on the row, as the subsidy tests do.
        entity::cases::Entity::update_many()
            .col_expr(
                entity::cases::Column::ClosedAt,
                Expr::value(Some(
                    chrono::DateTime::parse_from_rfc3339("2025-06-10T02:00:00Z")
                        .expect("time")
                        .with_timezone(&Utc),
                )),
            )
            .filter(entity::cases::Column::Id.eq(id))
            .exec(&app.db)
            .await
            .expect("update");
        entity::case_assignments::Entity::update_many()
            .col_expr(
                entity::case_assignments::Column::AssignedAt,
                Expr::value(
                    chrono::DateTime::parse_from_rfc3339("2025-06-05T02:00:00Z")
                        .expect("time")
                        .with_timezone(&Utc),
                ),
            )
            .filter(entity::case_assignments::Column::CaseId.eq(id))
            .exec(&app.db)
            .await
            .expect("update");
    }
    let period = json_of(
        app.post(
            &finance,
            "/api/v1/subsidy/periods",
            &json!({"period": "2025-06"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let mut expected: BTreeMap<i64, i64> = BTreeMap::new();
    for i in period["items"].as_array().expect("items") {
        *expected
            .entry(i["mediator_id"].as_i64().expect("id"))
            .or_default() += i["amount_fen"].as_i64().expect("fen");
    }
    assert_eq!(
        expected,
        BTreeMap::from([(lead, 5_000 + 3_000), (co_id, 2_000)])
    );
    let of_period = || async {
        notifications::Entity::find()
            .filter(notifications::Column::Kind.eq("subsidy_approved"))
            .filter(notifications::Column::Subject.contains("2025-06"))
            .all(&app.db)
            .await
            .expect("rows")
    };
    assert!(of_period().await.is_empty(), "not while a draft");

    let approved = json_of(
        app.post(
            &finance,
            &format!("/api/v1/subsidy/periods/{}/approve", period["id"]),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(approved["status"], "approved");
    // Approving again is refused and tells nobody twice.
    let again = app
        .post(
            &finance,
            &format!("/api/v1/subsidy/periods/{}/approve", period["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    let rows = of_period().await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let to_lead: Vec<_> = rows
        .iter()
        .filter(|r| r.user_id == own["id"].as_i64())
        .collect();
    assert_eq!(to_lead.len(), 1);
    assert!(
        to_lead[0].subject.contains("¥80.00"),
        "{}",
        to_lead[0].subject
    );
    assert_eq!(to_lead[0].case_id, None);
    assert_eq!(to_lead[0].link, "/inbox");
    let to_co: Vec<_> = rows
        .iter()
        .filter(|r| r.email.as_deref() == Some("co@station.example.test"))
        .collect();
    assert_eq!(to_co.len(), 1);
    assert!(to_co[0].subject.contains("¥20.00"), "{}", to_co[0].subject);
    assert_eq!(to_co[0].user_id, None);

    let inbox = json_of(
        app.get(&mediator, "/api/v1/notifications?per_page=200")
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|n| n["kind"] == "subsidy_approved"
            && n["subject"].as_str().is_some_and(|s| s.contains("2025-06"))));
}
