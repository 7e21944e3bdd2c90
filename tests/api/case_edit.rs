//! Correcting a case's details after intake: the grade follows automatic inputs, a person's grade
//! stands, every change is on the timeline, and only those who work the case may do it.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{field_error, spawn_app, Browser, TestApp};

async fn json_of(res: reqwest::Response) -> Value {
    res.json().await.expect("a JSON body")
}

/// A simple case of one worker and ¥5,000 at JB-C01, registered by the coordinator.
async fn simple_case(app: &TestApp, token: &str) -> Value {
    let station = app.unit_id(token, "JB-C01").await;
    let res = app
        .post(token, "/api/v1/cases", &json!({
            "intake_unit_id": station, "dispute_type": "wage_arrears", "source": "walk_in", "summary": "欠薪",
            "amount_claimed_fen": 500_000, "people_involved": 1,
            "parties": [{"role": "applicant", "kind": "person", "name": "甲"}, {"role": "respondent", "kind": "organisation", "name": "乙公司"}]
        }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    json_of(res).await
}

async fn patch(app: &TestApp, token: &str, id: &Value, body: Value) -> reqwest::Response {
    app.patch(token, &format!("/api/v1/cases/{id}"), &body)
        .await
}

async fn edits(app: &TestApp, token: &str, id: &Value) -> Vec<Value> {
    json_of(app.get(token, &format!("/api/v1/cases/{id}")).await).await["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "edit_details")
        .cloned()
        .collect()
}

#[tokio::test]
async fn correcting_the_people_involved_regrades_an_automatic_grade_and_is_on_the_timeline() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let case = simple_case(&app, &token).await;
    let id = &case["id"];
    assert_eq!(case["grade"], "simple");

    let res = patch(&app, &token, id, json!({"people_involved": 35, "risk_flags": ["media_attention"], "version": case["version"]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let edited = json_of(res).await;
    assert_eq!(edited["people_involved"], 35);
    assert_eq!(edited["grade"], "major");
    assert_eq!(edited["grade_confirmed"], false);
    assert_eq!(
        edited["summary"], "欠薪",
        "fields left out keep their value"
    );
    assert_eq!(edited["version"], case["version"].as_i64().unwrap() + 1);
    let events = edits(&app, &token, id).await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["to"]["people_involved"], 35, "{e}");
    assert_eq!(e["from"]["people_involved"], 1);
    assert_eq!(e["to"]["grade"], "major");
    assert_eq!(e["to"]["risk_flags"], json!(["media_attention"]));

    // The same details again change nothing and write nothing.
    let res = patch(
        &app,
        &token,
        id,
        json!({"people_involved": 35, "version": edited["version"]}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json_of(res).await["version"], edited["version"]);
    assert_eq!(edits(&app, &token, id).await.len(), 1);

    // A stale version is refused and nothing is written.
    let res = patch(
        &app,
        &token,
        id,
        json!({"people_involved": 2, "version": case["version"]}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let now = json_of(app.get(&token, &format!("/api/v1/cases/{id}")).await).await;
    assert_eq!(now["people_involved"], 35);

    // Clearing a date: an empty string clears, a missing field keeps.
    let res = patch(
        &app,
        &token,
        id,
        json!({"infringement_known_on": "2026-10-01"}),
    )
    .await;
    assert_eq!(json_of(res).await["infringement_known_on"], "2026-10-01");
    let res = patch(&app, &token, id, json!({"infringement_known_on": ""})).await;
    assert!(json_of(res).await["infringement_known_on"].is_null());
}

#[tokio::test]
async fn a_grade_a_person_set_stands_when_the_details_change() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let case = simple_case(&app, &token).await;
    let id = &case["id"];
    let res = app
        .post(&token, &format!("/api/v1/cases/{id}/actions"), &json!({"action": "regrade", "grade": "complex", "reason": "涉及平台用工", "version": case["version"]}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let regraded = json_of(res).await;
    let res = patch(
        &app,
        &token,
        id,
        json!({"people_involved": 2, "version": regraded["version"]}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let edited = json_of(res).await;
    assert_eq!(edited["grade"], "complex");
    assert_eq!(edited["grade_confirmed"], regraded["grade_confirmed"]);
}

#[tokio::test]
async fn only_those_who_work_an_open_case_may_correct_it_and_bad_input_writes_nothing() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let case = simple_case(&app, &token).await;
    let id = &case["id"];

    // The station's own mediator may; a viewer sees the case but may not.
    let mediator = app.token("mediator").await;
    let viewer = app.token("viewer").await;
    let res = patch(&app, &viewer, id, json!({"summary": "改"})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    for (body, field) in [
        (json!({"people_involved": 0}), "people_involved"),
        (json!({"dispute_type": "gossip"}), "dispute_type"),
        (
            json!({"employment_ended_on": "2026-02-30"}),
            "employment_ended_on",
        ),
        (json!({"amount_claimed_fen": -5}), "amount_claimed_fen"),
        (json!({"summary": " "}), "summary"),
        (json!({"risk_flags": ["rumour"]}), "risk_flags"),
    ] {
        let res = patch(&app, &token, id, body.clone()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(field_error(&json_of(res).await, field).is_some(), "{body}");
    }
    assert!(
        edits(&app, &token, id).await.is_empty(),
        "nothing was written"
    );

    let own = json_of(app.get(&mediator, "/api/v1/auth/me").await).await;
    let res = patch(
        &app,
        &mediator,
        id,
        json!({"summary": "骑手被拖欠两个月工资"}),
    )
    .await;
    if own["unit_id"] == case["current_unit_id"] {
        assert_eq!(res.status(), StatusCode::OK);
    } else {
        assert_eq!(
            res.status(),
            StatusCode::NOT_FOUND,
            "another station's case is out of scope"
        );
    }

    // A closed case is read-only.
    let d = json_of(app.get(&token, &format!("/api/v1/cases/{id}")).await).await;
    let lead = json_of(
        app.get(
            &token,
            &format!("/api/v1/mediators?unit_id={}", case["current_unit_id"]),
        )
        .await,
    )
    .await["items"][0]["id"]
        .clone();
    let accepted = json_of(
        app.post(
            &token,
            &format!("/api/v1/cases/{id}/actions"),
            &json!({"action": "accept", "lead_mediator_id": lead, "version": d["version"]}),
        )
        .await,
    )
    .await;
    let res = app
        .post(&token, &format!("/api/v1/cases/{id}/actions"), &json!({"action": "close", "outcome": "withdrawn", "reason": "申请人撤回", "version": accepted["version"]}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = patch(&app, &token, id, json!({"summary": "改"})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_coordinator_corrects_a_case_in_the_page_and_sees_the_error_beside_the_field_first() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let case = simple_case(&app, &token).await;
    let id = case["id"].as_i64().unwrap();
    let browser: Browser = app.browser("coordinator").await;
    let (status, html) = browser.get(&format!("/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("/cases/{id}/edit")),
        "the case page offers the correction"
    );

    let edit = format!("/cases/{id}/edit");
    let (status, form) = browser.get(&edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("¥5,000.00"), "the amount is shown in yuan");
    let version = case["version"].to_string();
    let fields = |amount: &'static str| {
        vec![
            ("dispute_type", "wage_arrears"),
            ("source", "walk_in"),
            ("summary", "欠薪，涉及十二名骑手"),
            ("amount_claimed_yuan", amount),
            ("people_involved", "12"),
            ("infringement_known_on", ""),
            ("employment_ended_on", ""),
        ]
    };
    let mut bad = fields("五千");
    bad.push(("version", &version));
    let res = browser.submit(&edit, &edit, &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"amount_claimed_yuan-error\""),
        "beside the amount"
    );
    assert!(
        html.contains("欠薪，涉及十二名骑手"),
        "what was typed is kept"
    );

    let mut good = fields("¥5,000.00");
    good.push(("version", &version));
    let res = browser.submit(&edit, &edit, &good).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&format!("/cases/{id}?notice=saved")).await;
    assert!(
        html.contains("涉及人数：1 → 12"),
        "the change is on the timeline"
    );
    assert!(
        html.contains("等级：简易 → 疑难复杂"),
        "and the new grade with it"
    );
    let now = json_of(app.get(&token, &format!("/api/v1/cases/{id}")).await).await;
    assert_eq!(now["people_involved"], 12);
    assert_eq!(now["grade"], "complex");
    assert_eq!(now["amount_claimed_fen"], 500_000);

    // Submitting the old form again is someone else's change now: refused, nothing lost.
    let res = browser.submit(&edit, &edit, &good).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_step_done_on_paper_is_entered_later_with_when_it_happened() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let station = app.unit_id(&token, "JB-C01").await;
    let received = (chrono::Utc::now() - chrono::Duration::days(5)).to_rfc3339();
    let case = json_of(
        app.post(&token, "/api/v1/cases", &json!({
            "intake_unit_id": station, "dispute_type": "wage_arrears", "source": "walk_in", "summary": "欠薪",
            "amount_claimed_fen": 500_000, "people_involved": 1, "received_at": received,
            "parties": [{"role": "applicant", "kind": "person", "name": "甲"}, {"role": "respondent", "kind": "organisation", "name": "乙公司"}]
        }))
        .await,
    )
    .await;
    let id = case["id"].as_i64().unwrap();
    let lead = json_of(
        app.get(&token, &format!("/api/v1/mediators?unit_id={station}"))
            .await,
    )
    .await["items"][0]["id"]
        .to_string();
    let page = format!("/cases/{id}");
    let browser = app.browser("coordinator").await;
    let local = |days_ago: i64| {
        (chrono::Utc::now() - chrono::Duration::days(days_ago))
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let version = case["version"].to_string();

    // In the future: refused beside the field, nothing written.
    let tomorrow = local(-1);
    let res = browser
        .submit(
            &page,
            &format!("{page}/actions"),
            &[
                ("action", "accept"),
                ("lead_mediator_id", &lead),
                ("version", &version),
                ("at", &tomorrow),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("时间不能晚于现在"), "the error is shown");

    let two_days_ago = local(2);
    let res = browser
        .submit(
            &page,
            &format!("{page}/actions"),
            &[
                ("action", "accept"),
                ("lead_mediator_id", &lead),
                ("version", &version),
                ("at", &two_days_ago),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let d = json_of(app.get(&token, &format!("/api/v1/cases/{id}")).await).await;
    let accept = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "accept")
        .cloned()
        .expect("the accept event");
    let at = chrono::DateTime::parse_from_rfc3339(accept["at"].as_str().unwrap()).unwrap();
    let shown = at
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    assert_eq!(
        shown, two_days_ago,
        "recorded when it happened, in the street's time"
    );
}
