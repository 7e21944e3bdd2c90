use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{field_error, spawn_app, TestApp};

fn rfc(days_ago: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days_ago)).to_rfc3339()
}

fn day(days_from_now: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days_from_now))
        .format("%Y-%m-%d")
        .to_string()
}

/// A case received 10 days ago at JB-C01, accepted with the station's first mediator as lead.
async fn accepted_case(app: &TestApp, token: &str, people: i64) -> (Value, i64) {
    let station = app.unit_id(token, "JB-C01").await;
    let body = json!({
        "intake_unit_id": station, "dispute_type": "wage_arrears", "source": "walk_in", "summary": "欠薪",
        "amount_claimed_fen": 800_000, "people_involved": people, "received_at": rfc(10),
        "parties": [{"role": "applicant", "kind": "person", "name": "甲"}, {"role": "respondent", "kind": "organisation", "name": "乙公司"}]
    });
    let case: Value = app
        .post(token, "/api/v1/cases", &body)
        .await
        .json()
        .await
        .unwrap();
    let mediators: Value = app
        .get(token, &format!("/api/v1/mediators?unit_id={station}"))
        .await
        .json()
        .await
        .unwrap();
    let lead = mediators["items"][0]["id"].as_i64().unwrap();
    let res = app
        .post(token, &format!("/api/v1/cases/{}/actions", case["id"]), &json!({"action": "accept", "version": case["version"], "lead_mediator_id": lead, "at": rfc(9)}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    (res.json().await.unwrap(), lead)
}

async fn detail(app: &TestApp, token: &str, id: &Value) -> Value {
    app.get(token, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_case_goes_from_first_session_to_agreement_follow_up_and_a_resolved_close() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let (case, lead) = accepted_case(&app, &token, 1).await;
    let id = &case["id"];
    let station = case["current_unit_id"].clone();

    let res = app
        .post(&token, &format!("/api/v1/cases/{id}/sessions"), &json!({
            "held_at": rfc(8), "unit_id": station, "mediator_ids": [lead], "attendees": "申请人、用人单位代表",
            "summary": "双方陈述，提出分期方案", "outcome": "continue", "next_session_at": rfc(6)
        }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(detail(&app, &token, id).await["status"], "mediating");

    let res = app
        .post(&token, &format!("/api/v1/cases/{id}/agreement"), &json!({
            "signed_at": rfc(5), "matters": "拖欠工资 8000 元", "terms": "分两期付清", "amount_fen": 800_000,
            "instalments": [{"due_on": day(-3), "amount_fen": 300_000}, {"due_on": day(20), "amount_fen": 500_000}]
        }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let agreement: Value = res.json().await.unwrap();
    assert!(agreement["confirmation_last_day"].is_string());
    assert_eq!(agreement["instalments"].as_array().unwrap().len(), 2);
    let d = detail(&app, &token, id).await;
    assert_eq!(d["status"], "agreed");

    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/agreement/instalments/1"),
            &json!({"paid_on": day(-2)}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // An empty confirmation records nothing and says which field to fill.
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/agreement/confirmation"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&res.json().await.unwrap(), "applied_on").is_some());
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/agreement/confirmation"),
            &json!({"applied_on": day(-1)}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(&token, &format!("/api/v1/cases/{id}/follow_ups"), &json!({"done_at": rfc(1), "result": "第一期已付", "satisfaction": 5, "fulfilled": true}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let d = detail(&app, &token, id).await;
    assert_eq!(d["agreement"]["paid_fen"], 300_000);
    assert_eq!(d["agreement"]["confirmation_applied_on"], day(-1));
    assert_eq!(d["follow_ups"].as_array().unwrap().len(), 1);
    assert!(
        d["follow_up_due_on"].is_string(),
        "the last instalment is still ahead"
    );
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/actions"),
            &json!({"action": "close", "outcome": "resolved", "version": d["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let closed: Value = res.json().await.unwrap();
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["outcome"], "resolved");
    assert_eq!(
        closed["grade_confirmed"], true,
        "an ordinary grade is confirmed by a resolved close"
    );
    let kinds: Vec<String> = detail(&app, &token, id).await["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    for k in [
        "record_session",
        "record_agreement",
        "instalment_paid",
        "judicial_confirmation",
        "follow_up",
        "close",
    ] {
        assert!(kinds.contains(&k.to_owned()), "{k} in {kinds:?}");
    }
}

/// Sessions recorded at once on one case, none naming a version: each is written (they queue on
/// the case, on PostgreSQL by its row lock, on SQLite by the writers' turn), none is lost and
/// none is refused as stale.
#[tokio::test]
async fn sessions_recorded_at_once_on_one_case_are_all_written() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let (case, lead) = accepted_case(&app, &token, 1).await;
    let id = case["id"].clone();
    let station = case["current_unit_id"].clone();
    let version = case["version"].as_i64().unwrap();
    let path = format!("/api/v1/cases/{id}/sessions");
    let tries = 8;
    let statuses = futures_util::future::join_all((0..tries).map(|i| {
        let body = json!({
            "held_at": rfc(8), "unit_id": station, "mediator_ids": [lead], "attendees": "双方",
            "summary": format!("第 {i} 次"), "outcome": "continue"
        });
        let (app, token, path) = (&app, &token, &path);
        async move { app.post(token, path, &body).await.status() }
    }))
    .await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{statuses:?}"
    );
    let d = detail(&app, &token, &id).await;
    assert_eq!(d["sessions"].as_array().unwrap().len(), tries);
    assert_eq!(d["version"].as_i64().unwrap(), version + tries as i64);
}

#[tokio::test]
async fn bad_records_are_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let (case, lead) = accepted_case(&app, &token, 1).await;
    let id = &case["id"];
    let station = case["current_unit_id"].clone();
    let session = |held_at: String| json!({"held_at": held_at, "unit_id": station, "mediator_ids": [lead], "summary": "x", "outcome": "continue"});
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/sessions"),
            &session(rfc(30)),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&res.json().await.unwrap(), "held_at").is_some());
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/sessions"),
            &session(rfc(-2)),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut bad_outcome = session(rfc(1));
    bad_outcome["outcome"] = json!("fistfight");
    assert_eq!(
        app.post(
            &token,
            &format!("/api/v1/cases/{id}/sessions"),
            &bad_outcome
        )
        .await
        .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let res = app
        .post(&token, &format!("/api/v1/cases/{id}/agreement"), &json!({
            "signed_at": rfc(1), "terms": "x", "amount_fen": 800_000,
            "instalments": [{"due_on": day(5), "amount_fen": 300_000}, {"due_on": day(9), "amount_fen": 400_000}]
        }))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    assert!(
        field_error(&err, "instalments")
            .unwrap()
            .contains("¥7,000.00"),
        "{err}"
    );

    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/follow_ups"),
            &json!({"done_at": rfc(1), "result": "x", "satisfaction": 6, "fulfilled": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/follow_ups"),
            &json!({"done_at": rfc(1), "result": "x", "satisfaction": 3, "fulfilled": true}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no agreement yet"
    );

    let d = detail(&app, &token, id).await;
    assert_eq!(d["status"], "accepted");
    assert_eq!(d["sessions"].as_array().unwrap().len(), 0);
    assert!(d["agreement"].is_null());

    // Closed: no agreement can be recorded any more.
    let res = app.post(&token, &format!("/api/v1/cases/{id}/actions"), &json!({"action": "close", "outcome": "failed", "reason": "调解不成，建议仲裁", "version": d["version"]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/agreement"),
            &json!({"signed_at": rfc(1), "terms": "x", "amount_fen": 1}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let d = detail(&app, &token, id).await;
    let close = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "close")
        .unwrap()
        .clone();
    assert_eq!(close["to"]["limitation_rule"], "wage_arrears_unlimited");
    assert!(d["limitation_rule"].is_string());
}

#[tokio::test]
async fn a_breached_agreement_is_reopened_and_a_new_agreement_supersedes_the_old() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let (case, _) = accepted_case(&app, &token, 1).await;
    let id = &case["id"];
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/agreement"),
            &json!({"signed_at": rfc(6), "terms": "一次付清", "amount_fen": 800_000}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let d = detail(&app, &token, id).await;
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/actions"),
            &json!({"action": "close", "outcome": "resolved", "version": d["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/follow_ups"),
            &json!({"done_at": rfc(1), "result": "未付款", "satisfaction": 1, "fulfilled": false}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let d = detail(&app, &token, id).await;
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/actions"),
            &json!({"action": "reopen", "reason": "协议未履行", "version": d["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/agreement"),
            &json!({"signed_at": rfc(0), "terms": "重新约定", "amount_fen": 800_000}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let d = detail(&app, &token, id).await;
    assert_eq!(d["status"], "agreed");
    assert_eq!(d["agreement"]["terms"], "重新约定");
    assert_eq!(d["earlier_agreements"].as_array().unwrap().len(), 1);
    assert_eq!(d["earlier_agreements"][0]["superseded"], true);
}

#[tokio::test]
async fn a_complex_case_closes_as_resolved_only_after_its_grade_is_confirmed() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let (case, _) = accepted_case(&app, &token, 12).await;
    assert_eq!(case["grade"], "complex");
    let id = &case["id"];
    app.post(
        &token,
        &format!("/api/v1/cases/{id}/agreement"),
        &json!({"signed_at": rfc(2), "terms": "x", "amount_fen": 800_000}),
    )
    .await;
    let d = detail(&app, &token, id).await;
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/actions"),
            &json!({"action": "close", "outcome": "resolved", "version": d["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/actions"),
            &json!({"action": "confirm_grade", "version": d["version"]}),
        )
        .await;
    let confirmed: Value = res.json().await.unwrap();
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/actions"),
            &json!({"action": "close", "outcome": "resolved", "version": confirmed["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn records_are_out_of_reach_of_those_who_cannot_see_or_act_on_the_case() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let other = app.unit_id(&token, "JB-C09").await;
    let body = json!({
        "intake_unit_id": other, "dispute_type": "overtime", "source": "online", "summary": "x",
        "amount_claimed_fen": 1, "people_involved": 1,
        "parties": [{"role": "applicant", "kind": "person", "name": "甲"}, {"role": "respondent", "kind": "organisation", "name": "乙"}]
    });
    let case: Value = app
        .post(&token, "/api/v1/cases", &body)
        .await
        .json()
        .await
        .unwrap();
    let mediator = app.token("mediator").await;
    let res = app
        .post(
            &mediator,
            &format!("/api/v1/cases/{}/sessions", case["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let viewer = app.token("viewer").await;
    let res = app
        .post(&viewer, &format!("/api/v1/cases/{}/sessions", case["id"]), &json!({"held_at": rfc(0), "unit_id": other, "mediator_ids": [1], "summary": "x", "outcome": "continue"}))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn files_are_attached_by_content_and_only_seen_by_those_who_see_the_case() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let (case, _) = accepted_case(&app, &token, 1).await;
    let id = &case["id"];
    let upload = |name: &'static str, bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
        reqwest::multipart::Form::new()
            .text("kind", "pay_slip")
            .part("file", part)
    };
    let url = app.url(&format!("/api/v1/cases/{id}/attachments"));
    let pdf = "%PDF-1.4\n% 工资条\n".as_bytes().to_vec();
    let res = app
        .api
        .post(&url)
        .bearer_auth(&token)
        .multipart(upload("工资条.pdf", pdf.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let stored: Value = res.json().await.unwrap();
    assert_eq!(stored["content_type"], "application/pdf");
    assert_eq!(stored["filename"], "工资条.pdf");

    // A program renamed to .jpg is refused; so is a file over 10 MB.
    let res = app
        .api
        .post(&url)
        .bearer_auth(&token)
        .multipart(upload("photo.jpg", b"MZ\x90\x00program".to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&res.json().await.unwrap(), "file").is_some());
    let mut big = b"%PDF-".to_vec();
    big.resize(11 * 1024 * 1024, b'x');
    let res = app
        .api
        .post(&url)
        .bearer_auth(&token)
        .multipart(upload("big.pdf", big))
        .send()
        .await
        .unwrap();
    assert!(
        res.status() == StatusCode::UNPROCESSABLE_ENTITY
            || res.status() == StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        res.status()
    );

    let file_url = format!("/api/v1/cases/{id}/attachments/{}", stored["id"]);
    let res = app.get(&token, &file_url).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    let d = detail(&app, &token, id).await;
    assert_eq!(d["attachments"].as_array().unwrap().len(), 1);

    // A mediator of another station cannot fetch it.
    let coordinator = app.token("coordinator").await;
    let other = app.unit_id(&coordinator, "JB-C09").await;
    let body = json!({
        "intake_unit_id": other, "dispute_type": "overtime", "source": "online", "summary": "x",
        "amount_claimed_fen": 1, "people_involved": 1,
        "parties": [{"role": "applicant", "kind": "person", "name": "甲"}, {"role": "respondent", "kind": "organisation", "name": "乙"}]
    });
    let elsewhere: Value = app
        .post(&coordinator, "/api/v1/cases", &body)
        .await
        .json()
        .await
        .unwrap();
    let url = app.url(&format!("/api/v1/cases/{}/attachments", elsewhere["id"]));
    let res = app
        .api
        .post(&url)
        .bearer_auth(&coordinator)
        .multipart(upload("a.pdf", pdf.clone()))
        .send()
        .await
        .unwrap();
    let theirs: Value = res.json().await.unwrap();
    let mediator = app.token("mediator").await;
    let res = app
        .get(
            &mediator,
            &format!(
                "/api/v1/cases/{}/attachments/{}",
                elsewhere["id"], theirs["id"]
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
