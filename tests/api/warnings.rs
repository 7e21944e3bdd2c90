//! Early warnings (预警): each rule raises a warning on crafted cases and not one case below its
//! threshold; who sees them; recording, closing, a stale version, a closed warning that stays
//! closed for the same cases and reopens when a new one joins; the thresholds' bad input; the
//! pages and their forms; the sections on the queue and the dashboard.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

use crate::helpers::{field_error, spawn_app, TestApp};

/// One party of a crafted case.
struct Applicant<'a> {
    name: &'a str,
    id_number: Option<&'a str>,
    phone: Option<&'a str>,
}

fn worker(name: &str) -> Applicant<'_> {
    Applicant {
        name,
        id_number: None,
        phone: None,
    }
}

/// A case at `unit` against `respondent`, received `days_ago` days ago; its id.
async fn intake(
    app: &TestApp,
    token: &str,
    unit: i64,
    respondent: &str,
    applicant: &Applicant<'_>,
    days_ago: i64,
) -> i64 {
    let mut party = json!({"role": "applicant", "kind": "person", "name": applicant.name});
    if let Some(id) = applicant.id_number {
        party["id_number"] = json!(id);
    }
    if let Some(phone) = applicant.phone {
        party["phone"] = json!(phone);
    }
    let received_at = (Utc::now() - Duration::days(days_ago) - Duration::minutes(5)).to_rfc3339();
    let res = app
        .post(
            token,
            "/api/v1/cases",
            &json!({
                "intake_unit_id": unit, "dispute_type": "wage_arrears", "source": "walk_in",
                "summary": "预警用例", "amount_claimed_fen": 100_000, "people_involved": 1,
                "received_at": received_at,
                "parties": [party, {"role": "respondent", "kind": "organisation", "name": respondent}]
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.expect("case")["id"]
        .as_i64()
        .expect("id")
}

/// The warnings of `kind` (computed afresh by the list).
async fn warnings_of(app: &TestApp, token: &str, kind: &str) -> Vec<Value> {
    let res = app
        .get(token, &format!("/api/v1/warnings?kind={kind}&per_page=200"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("json");
    body["items"].as_array().expect("items").clone()
}

async fn set_thresholds(app: &TestApp, changes: Value) {
    let admin = app.token("admin").await;
    let mut t: Value = app
        .get(&admin, "/api/v1/settings/warnings")
        .await
        .json()
        .await
        .expect("thresholds");
    for (k, v) in changes.as_object().expect("object") {
        t[k] = v.clone();
    }
    let res = app
        .api
        .put(app.url("/api/v1/settings/warnings"))
        .bearer_auth(&admin)
        .json(&t)
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_respondent_with_many_cases_warns_and_one_case_fewer_does_not() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let unit = app.unit_id(&token, "JB-C01").await;
    // Four spellings of one employer, spread over the 90 days (so none is a collective burst).
    let spellings = [
        "甲科技有限公司",
        " 甲科技有限公司",
        "甲科技\u{3000}有限公司",
        "甲科技 有限公司",
    ];
    for (i, name) in spellings.iter().enumerate() {
        let applicant = format!("工人{i}");
        intake(
            &app,
            &token,
            unit,
            name,
            &worker(&applicant),
            10 + 20 * i as i64,
        )
        .await;
    }
    // Older than the window: does not count.
    intake(&app, &token, unit, "甲科技有限公司", &worker("老工人"), 120).await;
    assert!(
        warnings_of(&app, &token, "respondent_repeat")
            .await
            .is_empty(),
        "four cases in 90 days are one below the threshold"
    );
    let fifth = intake(&app, &token, unit, "甲科技有限公司", &worker("工人5"), 1).await;
    let found = warnings_of(&app, &token, "respondent_repeat").await;
    assert_eq!(found.len(), 1, "{found:?}");
    let w = &found[0];
    assert_eq!(w["case_count"], 5);
    assert_eq!(w["status"], "open");
    assert_eq!(w["facts"]["cases"], 5);
    let detail: Value = app
        .get(&token, &format!("/api/v1/warnings/{}", w["id"]))
        .await
        .json()
        .await
        .expect("detail");
    let ids: Vec<i64> = detail["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids.len(), 5);
    assert_eq!(ids[0], fifth, "newest first");
}

#[tokio::test]
async fn an_applicant_coming_back_by_id_number_or_phone_warns_with_the_number_masked() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let unit = app.unit_id(&token, "JB-C01").await;
    let by_id = Applicant {
        name: "张三",
        id_number: Some("330103199001011234"),
        phone: None,
    };
    intake(&app, &token, unit, "甲公司", &by_id, 200).await;
    let by_phone = Applicant {
        name: "李四",
        id_number: None,
        phone: Some("13900000000"),
    };
    intake(&app, &token, unit, "乙公司", &by_phone, 30).await;
    assert!(warnings_of(&app, &token, "applicant_return")
        .await
        .is_empty());
    // Back, against other employers; the ID number typed in lower case.
    let again = Applicant {
        name: "张三",
        id_number: Some("330103199001011234"),
        phone: Some("13700000000"),
    };
    intake(&app, &token, unit, "丙公司", &again, 5).await;
    let again_by_phone = Applicant {
        name: "李四",
        id_number: None,
        phone: Some("139-0000-0000"),
    };
    intake(&app, &token, unit, "丁公司", &again_by_phone, 2).await;
    let found = warnings_of(&app, &token, "applicant_return").await;
    assert_eq!(found.len(), 2, "{found:?}");
    let text = serde_json::to_string(&found).expect("json");
    assert!(text.contains("3301**********1234"), "{text}");
    assert!(text.contains("139****0000"), "{text}");
    assert!(
        !text.contains("330103199001011234"),
        "never the full number"
    );
    assert!(!text.contains("13900000000"), "never the full number");
    for w in &found {
        assert_eq!(w["case_count"], 2);
    }
}

#[tokio::test]
async fn a_station_rising_fast_against_its_own_past_warns_and_one_case_fewer_does_not() {
    let app = spawn_app().await;
    set_thresholds(&app, json!({"surge_min_cases": 4})).await;
    let token = app.token("coordinator").await;
    let unit = app.unit_id(&token, "JB-C03").await;
    // The baseline: 12 cases over the 180 days before the last 30, two per 30 days.
    for i in 0..12 {
        let applicant = format!("过去{i}");
        let respondent = format!("过去单位{i}");
        intake(
            &app,
            &token,
            unit,
            &respondent,
            &worker(&applicant),
            35 + 14 * i,
        )
        .await;
    }
    for i in 0..3 {
        let applicant = format!("最近{i}");
        let respondent = format!("最近单位{i}");
        intake(
            &app,
            &token,
            unit,
            &respondent,
            &worker(&applicant),
            2 + 7 * i,
        )
        .await;
    }
    assert!(
        warnings_of(&app, &token, "station_surge").await.is_empty(),
        "three recent cases: below the minimum and below double the average"
    );
    intake(&app, &token, unit, "最近单位3", &worker("最近3"), 0).await;
    let found = warnings_of(&app, &token, "station_surge").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["subject_unit_id"], unit);
    assert_eq!(found[0]["facts"]["cases"], 4);
    assert_eq!(found[0]["facts"]["baseline_average"], 2.0);
    assert_eq!(found[0]["case_count"], 4, "the recent cases");
}

#[tokio::test]
async fn a_collective_dispute_forming_warns_until_grouped_and_not_one_case_below() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let unit = app.unit_id(&token, "JB-C01").await;
    intake(&app, &token, unit, "乙外卖平台", &worker("骑手1"), 1).await;
    intake(&app, &token, unit, "乙外卖平台", &worker("骑手2"), 0).await;
    // Not within the three days.
    intake(&app, &token, unit, "乙外卖平台", &worker("骑手0"), 10).await;
    assert!(warnings_of(&app, &token, "collective_forming")
        .await
        .is_empty());
    intake(&app, &token, unit, "乙外卖平台", &worker("骑手3"), 0).await;
    let found = warnings_of(&app, &token, "collective_forming").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["case_count"], 3);

    // Cases already grouped do not form one.
    let a = intake(&app, &token, unit, "丙物流", &worker("快递员1"), 0).await;
    let res = app
        .post(
            &token,
            "/api/v1/case_groups",
            &json!({"case_id": a, "name": "丙物流欠薪", "respondent": "丙物流"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let group = res.json::<Value>().await.expect("group")["id"]
        .as_i64()
        .expect("id");
    for name in ["快递员2", "快递员3"] {
        let id = intake(&app, &token, unit, "丙物流", &worker(name), 0).await;
        let case: Value = app
            .get(&token, &format!("/api/v1/cases/{id}"))
            .await
            .json()
            .await
            .expect("case");
        let res = app
            .post(
                &token,
                &format!("/api/v1/case_groups/{group}/cases"),
                &json!({"case_no": case["case_no"]}),
            )
            .await;
        assert!(res.status().is_success(), "{}", res.status());
    }
    let found = warnings_of(&app, &token, "collective_forming").await;
    assert_eq!(found.len(), 1, "only 乙外卖平台: {found:?}");
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    let backend = app.db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => "SELECT COUNT(*) FROM audit_log WHERE action = $1",
        _ => "SELECT COUNT(*) FROM audit_log WHERE action = ?",
    };
    let row = app
        .db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            vec![action.into()],
        ))
        .await
        .expect("query")
        .expect("row");
    row.try_get_by_index::<i64>(0).expect("count")
}

async fn act(app: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    let res = app
        .post(token, &format!("/api/v1/warnings/{id}/actions"), &body)
        .await;
    let status = res.status();
    (status, res.json().await.expect("json"))
}

#[tokio::test]
async fn a_coordinator_records_and_closes_and_a_closed_warning_reopens_only_for_new_cases() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let unit = app.unit_id(&token, "JB-C01").await;
    let again = Applicant {
        name: "王五",
        id_number: Some("330103199202021234"),
        phone: None,
    };
    intake(&app, &token, unit, "甲公司", &again, 20).await;
    intake(&app, &token, unit, "乙公司", &again, 3).await;
    let found = warnings_of(&app, &token, "applicant_return").await;
    let id = found[0]["id"].as_i64().expect("id");
    assert_eq!(found[0]["version"], 1);

    let (status, body) = act(&app, &token, id, json!({"action": "note", "version": 1})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&body, "text").is_some(), "{body}");
    let (status, body) = act(
        &app,
        &token,
        id,
        json!({"action": "note", "text": "约谈平台企业", "version": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 2);
    assert_eq!(body["actions"][0]["text"], "约谈平台企业");
    assert_eq!(body["actions"][0]["kind"], "note");
    // Someone else's view, one version behind.
    let (status, _) = act(&app, &token, id, json!({"action": "close", "version": 1})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = act(&app, &token, id, json!({"action": "bogus", "version": 2})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&body, "action").is_some());
    let (status, body) = act(
        &app,
        &token,
        id,
        json!({"action": "close", "text": "召开协商会议，已解决", "version": 2}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "closed");
    assert_eq!(audit_count(&app, "warning.note").await, 1);
    assert_eq!(audit_count(&app, "warning.close").await, 1);
    // Others may read but not act.
    for role in ["viewer", "admin"] {
        let other = app.token(role).await;
        let (status, _) = act(
            &app,
            &other,
            id,
            json!({"action": "note", "text": "x", "version": 3}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
    }

    // Computed again: the same cases do not bring it back.
    let found = warnings_of(&app, &token, "applicant_return").await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["status"], "closed");
    let (status, _) = act(&app, &token, id, json!({"action": "close", "version": 3})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "closed already");

    // A new case joins: open again, with it.
    intake(&app, &token, unit, "丙公司", &again, 0).await;
    let found = warnings_of(&app, &token, "applicant_return").await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["status"], "open");
    assert_eq!(found[0]["case_count"], 3);
    let detail: Value = app
        .get(&token, &format!("/api/v1/warnings/{id}"))
        .await
        .json()
        .await
        .expect("detail");
    let kinds: Vec<&str> = detail["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| a["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["note", "close", "reopened"]);
    assert!(detail["actions"][2]["actor"].is_null());
}

#[tokio::test]
async fn mediators_and_finance_do_not_see_warnings_the_street_leader_reads_them() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let unit = app.unit_id(&token, "JB-C01").await;
    let again = Applicant {
        name: "赵六",
        id_number: Some("330103198803031234"),
        phone: None,
    };
    intake(&app, &token, unit, "甲公司", &again, 20).await;
    intake(&app, &token, unit, "乙公司", &again, 3).await;
    let id = warnings_of(&app, &token, "applicant_return").await[0]["id"]
        .as_i64()
        .expect("id");
    for role in ["mediator", "finance"] {
        let other = app.token(role).await;
        assert_eq!(
            app.get(&other, "/api/v1/warnings").await.status(),
            StatusCode::FORBIDDEN,
            "{role}"
        );
        assert_eq!(
            app.get(&other, &format!("/api/v1/warnings/{id}"))
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "{role}"
        );
        let browser = app.browser(role).await;
        let (status, _) = browser.get("/warnings").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
        let (_, html) = browser.get("/stats").await;
        assert!(!html.contains("id=\"warnings\""), "{role} sees no section");
    }
    let viewer = app.browser("viewer").await;
    let (_, html) = viewer.get("/stats").await;
    assert!(html.contains("id=\"warnings\""), "the dashboard's section");
    assert!(html.contains(&format!("href=\"/warnings/{id}\"")));
    let (status, html) = viewer.get(&format!("/warnings/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("id=\"warning-action\""), "read-only");
    let viewer_token = app.token("viewer").await;
    assert_eq!(
        app.get(&viewer_token, &format!("/api/v1/warnings/{id}"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get(&token, "/api/v1/warnings/999999").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn thresholds_are_checked_and_named_in_the_api_and_on_the_page() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let put = |body: Value| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let res = app
                .api
                .put(app.url("/api/v1/settings/warnings"))
                .bearer_auth(&admin)
                .json(&body)
                .send()
                .await
                .expect("put");
            let status = res.status();
            (status, res.json::<Value>().await.expect("json"))
        }
    };
    let t: Value = app
        .get(&admin, "/api/v1/settings/warnings")
        .await
        .json()
        .await
        .expect("thresholds");
    assert_eq!(t["respondent_min_cases"], 5);
    let mut bad = t.clone();
    bad["respondent_min_cases"] = json!(1);
    bad["surge_ratio_percent"] = json!("many");
    bad.as_object_mut()
        .expect("object")
        .remove("collective_days");
    let (status, body) = put(bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        field_error(&body, "surge_ratio_percent").is_some(),
        "{body}"
    );
    assert!(field_error(&body, "collective_days").is_some(), "{body}");
    let mut bad = t.clone();
    bad["respondent_min_cases"] = json!(1);
    bad["surge_baseline_days"] = json!(10);
    let (status, body) = put(bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        field_error(&body, "respondent_min_cases").is_some(),
        "{body}"
    );
    assert!(
        field_error(&body, "surge_baseline_days").is_some(),
        "{body}"
    );
    let mut good = t.clone();
    good["collective_days"] = json!(5);
    let (status, body) = put(good).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["collective_days"], 5);
    let coordinator = app.token("coordinator").await;
    let (status, _) = {
        let res = app
            .api
            .put(app.url("/api/v1/settings/warnings"))
            .bearer_auth(&coordinator)
            .json(&t)
            .send()
            .await
            .expect("put");
        (res.status(), ())
    };
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The page: bad input re-rendered with the message next to the field; good input saved.
    let browser = app.browser("admin").await;
    let (status, html) = browser.get("/settings/warnings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"collective_days\""));
    assert!(html.contains("value=\"5\""));
    let mut fields: Vec<(&str, String)> = t
        .as_object()
        .expect("object")
        .iter()
        .map(|(k, v)| (k.as_str(), v.to_string()))
        .collect();
    for f in fields.iter_mut() {
        if f.0 == "applicant_min_cases" {
            f.1 = "0".to_owned();
        }
    }
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = browser
        .submit("/settings/warnings", "/settings/warnings", &borrowed)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("html");
    assert!(html.contains("id=\"applicant_min_cases-error\""), "{html}");
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == "applicant_min_cases" {
                    "3"
                } else {
                    v.as_str()
                },
            )
        })
        .collect();
    let res = browser
        .submit("/settings/warnings", "/settings/warnings", &borrowed)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let saved: Value = app
        .get(&admin, "/api/v1/settings/warnings")
        .await
        .json()
        .await
        .expect("thresholds");
    assert_eq!(saved["applicant_min_cases"], 3);
}

#[tokio::test]
async fn the_pages_list_a_warning_its_cases_and_its_form_records_and_closes() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let unit = app.unit_id(&token, "JB-C01").await;
    let again = Applicant {
        name: "孙七",
        id_number: Some("330103197704041234"),
        phone: None,
    };
    let first = intake(&app, &token, unit, "甲公司", &again, 20).await;
    intake(&app, &token, unit, "乙公司", &again, 3).await;
    let browser = app.browser("coordinator").await;
    let (status, html) = browser.get("/warnings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("孙七"), "{html}");
    assert!(html.contains("劳动者再次来访"));
    let id = warnings_of(&app, &token, "applicant_return").await[0]["id"]
        .as_i64()
        .expect("id");
    let page = format!("/warnings/{id}");
    let (status, html) = browser.get(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("href=\"/cases/{first}\"")),
        "its cases link"
    );
    assert!(html.contains("id=\"warning-action\""));

    // The queue's section links to it.
    let (_, queue) = browser.get("/queue").await;
    assert!(queue.contains("id=\"warnings\""));
    assert!(queue.contains(&format!("href=\"/warnings/{id}\"")));

    let action = format!("/warnings/{id}/actions");
    let res = browser
        .submit(
            &page,
            &action,
            &[("action", "note"), ("version", "1"), ("text", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .expect("html")
        .contains("id=\"text-error\""));
    let res = browser
        .submit(
            &page,
            &action,
            &[
                ("action", "note"),
                ("version", "1"),
                ("text", "已约谈平台企业"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&page).await;
    assert!(html.contains("已约谈平台企业"));
    let res = browser
        .submit(&page, &action, &[("action", "close"), ("version", "1")])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "a stale form");
    let res = browser
        .submit(&page, &action, &[("action", "close"), ("version", "2")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&page).await;
    assert!(html.contains("已关闭"));
    let (_, html) = browser.get("/warnings").await;
    assert!(
        !html.contains("孙七"),
        "the list shows open ones by default"
    );
    let (_, html) = browser.get("/warnings?status=closed").await;
    assert!(html.contains("孙七"));
    let (status, _) = browser.get("/warnings?kind=nonsense").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
