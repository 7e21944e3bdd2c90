//! Parties follow their own case (DESIGN §10): the case code and receipt, the public progress
//! page, applying online, the case file (卷宗) and its completeness gate on the subsidy.

use chrono::{Datelike, Duration, Utc};
use entity::{audit_log, cases, notifications};
use reqwest::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::helpers::{field_error, spawn_app, TestApp};

fn rfc(days_ago: i64) -> String {
    (Utc::now() - Duration::days(days_ago)).to_rfc3339()
}

/// A case received 10 days ago at JB-C01 with a party's ID and phone numbers, accepted with a
/// note, the lead being the station's first mediator (whose own phone is on record).
async fn planted_case(app: &TestApp, token: &str) -> (Value, i64, i64) {
    let station = app.unit_id(token, "JB-C01").await;
    let body = json!({
        "intake_unit_id": station, "dispute_type": "wage_arrears", "source": "walk_in",
        "summary": "骑手欠薪私密摘要", "amount_claimed_fen": 800_000, "people_involved": 1,
        "received_at": rfc(10),
        "parties": [
            {"role": "applicant", "kind": "person", "name": "张申请人", "id_number": "330103199001011234", "phone": "13912345678"},
            {"role": "respondent", "kind": "organisation", "name": "乙配送公司", "phone": "13800001111"}
        ]
    });
    let res = app.post(token, "/api/v1/cases", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let case: Value = res.json().await.unwrap();
    let mediators: Value = app
        .get(token, &format!("/api/v1/mediators?unit_id={station}"))
        .await
        .json()
        .await
        .unwrap();
    let lead = mediators["items"][0]["id"].as_i64().unwrap();
    let res = app
        .post(
            token,
            &format!("/api/v1/cases/{}/actions", case["id"]),
            &json!({
                "action": "accept", "version": case["version"], "lead_mediator_id": lead,
                "at": rfc(9), "note": "内部备注不可外泄"
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let case: Value = res.json().await.unwrap();
    (case, lead, station)
}

async fn detail(app: &TestApp, token: &str, id: i64) -> Value {
    app.get(token, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

async fn track(app: &TestApp, case_no: &str, code: &str) -> reqwest::Response {
    app.api
        .get(app.url("/api/v1/public/track"))
        .query(&[("case_no", case_no), ("code", code)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_case_s_code_is_random_readable_and_shown_only_to_those_who_may_act_on_it() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let (case, _, _) = planted_case(&app, &coordinator).await;
    let id = case["id"].as_i64().unwrap();
    let d = detail(&app, &coordinator, id).await;
    let code = d["access_code"]
        .as_str()
        .expect("the coordinator sees the code");
    assert_eq!(code.len(), 10);
    assert!(code
        .chars()
        .all(|c| "23456789ABCDEFGHJKLMNPQRSTUVWXYZ".contains(c)));
    assert!(!code.contains(&d["case_no"].as_str().unwrap()[3..7]));
    let viewer = app.token("viewer").await;
    assert!(detail(&app, &viewer, id).await["access_code"].is_null());

    let browser = app.browser("coordinator").await;
    let (status, html) = browser.get(&format!("/cases/{id}/receipt")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg"), "the QR code is drawn");
    assert!(html.contains(&format!("{} {}", &code[..5], &code[5..])));
    assert!(html.contains("社区服务中心"), "the station's address");
    let (status, _) = app
        .browser("viewer")
        .await
        .get(&format!("/cases/{id}/receipt"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_public_page_shows_progress_but_no_personal_data_phones_or_notes() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let (case, lead, station) = planted_case(&app, &coordinator).await;
    let id = case["id"].as_i64().unwrap();
    let res = app
        .post(&coordinator, &format!("/api/v1/cases/{id}/sessions"), &json!({
            "held_at": rfc(8), "unit_id": station, "mediator_ids": [lead], "attendees": "张申请人、乙配送公司代表",
            "summary": "笔录私密内容", "outcome": "continue", "next_session_at": (Utc::now() + Duration::days(2)).to_rfc3339()
        }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let d = detail(&app, &coordinator, id).await;
    let code = d["access_code"].as_str().unwrap().to_owned();
    let case_no = d["case_no"].as_str().unwrap().to_owned();
    let mediator: Value = app
        .get(&coordinator, &format!("/api/v1/mediators/{lead}"))
        .await
        .json()
        .await
        .unwrap();
    let mediator_phone = mediator["phone"]
        .as_str()
        .expect("demo mediators have phones");

    let res = track(&app, &case_no, &code.to_lowercase()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "mediating");
    assert!(json["next_session_at"].is_string());
    assert!(json["deadline_on"].is_string());
    assert_eq!(json["limitation_rule"], "wage_arrears_unlimited");
    assert!(json["unit"]["phone"].is_string());
    assert!(json["timeline"].as_array().unwrap().len() >= 3);
    let (_, page) = crate::helpers::Browser::new(&app)
        .get(&format!("/track?case_no={case_no}&code={code}"))
        .await;
    assert!(page.contains(&case_no));
    for secret in [
        "330103199001011234",
        "13912345678",
        "13800001111",
        "1234",
        mediator_phone,
        "内部备注不可外泄",
        "笔录私密内容",
        "骑手欠薪私密摘要",
        "张申请人",
        "乙配送公司",
        mediator["name"].as_str().unwrap(),
    ] {
        assert!(!body.contains(secret), "the JSON shows {secret}");
        assert!(!page.contains(secret), "the page shows {secret}");
    }
}

#[tokio::test]
async fn a_wrong_code_answers_exactly_like_an_unknown_number_and_guessing_is_slowed_down() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let (case, _, _) = planted_case(&app, &coordinator).await;
    let d = detail(&app, &coordinator, case["id"].as_i64().unwrap()).await;
    let code = d["access_code"].as_str().unwrap().to_owned();
    let case_no = d["case_no"].as_str().unwrap().to_owned();
    let wrong = track(&app, &case_no, "ZZZZZ ZZZZZ").await;
    let unknown = track(&app, "JB-1999-99999", &code).await;
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(wrong.text().await.unwrap(), unknown.text().await.unwrap());
    let missing = app
        .api
        .get(app.url("/api/v1/public/track"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Five wrong codes for this number from this address: then even the right one waits.
    for _ in 0..4 {
        assert_eq!(
            track(&app, &case_no, "ZZZZZZZZZZ").await.status(),
            StatusCode::NOT_FOUND
        );
    }
    let held = track(&app, &case_no, &code).await;
    assert_eq!(held.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(held.headers().get("retry-after").is_some());
    // The attempts are in the database, so every app server sees them.
    let rows = entity::public_attempts::Entity::find()
        .filter(entity::public_attempts::Column::CaseNo.eq(&case_no))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(rows, 5);
}

#[tokio::test]
async fn a_new_code_stops_the_old_one_and_is_audited() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let (case, _, _) = planted_case(&app, &coordinator).await;
    let id = case["id"].as_i64().unwrap();
    let d = detail(&app, &coordinator, id).await;
    let old = d["access_code"].as_str().unwrap().to_owned();
    let case_no = d["case_no"].as_str().unwrap().to_owned();
    let mediator = app.token("mediator").await;
    let res = app
        .post(
            &mediator,
            &format!("/api/v1/cases/{id}/access_code"),
            &json!({"version": d["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post(
            &coordinator,
            &format!("/api/v1/cases/{id}/access_code"),
            &json!({"version": 1}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = app
        .post(
            &coordinator,
            &format!("/api/v1/cases/{id}/access_code"),
            &json!({"version": d["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let after: Value = res.json().await.unwrap();
    let new = after["access_code"].as_str().unwrap();
    assert_ne!(new, old);
    assert_eq!(after["version"], d["version"].as_i64().unwrap() + 1);
    assert_eq!(
        track(&app, &case_no, &old).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(track(&app, &case_no, new).await.status(), StatusCode::OK);
    let audited = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("case.access_code_reissued"))
        .filter(audit_log::Column::TargetId.eq(id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("audited");
    assert!(audited
        .detail
        .is_none_or(|d| !d.contains(new) && !d.contains(&old)));
}

#[tokio::test]
async fn cases_from_before_codes_get_one_at_start() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let (case, _, _) = planted_case(&app, &coordinator).await;
    let id = case["id"].as_i64().unwrap();
    cases::Entity::update_many()
        .col_expr(
            cases::Column::AccessCode,
            Expr::value(Option::<String>::None),
        )
        .filter(cases::Column::Id.eq(id))
        .exec(&app.db)
        .await
        .unwrap();
    let given = mediation::services::cases::access_code::ensure_codes(&app.db)
        .await
        .unwrap();
    assert_eq!(given, 1);
    assert!(detail(&app, &coordinator, id).await["access_code"].is_string());
}

fn application(station: i64, phone: &str) -> Value {
    json!({
        "applicant": {"name": "李骑手<script>alert(1)</script>", "phone": phone},
        "respondent": {"name": "快跑配送站", "kind": "organisation"},
        "station_id": station, "dispute_type": "wage_arrears",
        "summary": "两个月工资没发 <b>急</b>", "amount_claimed_fen": 1_200_000, "people_involved": 1
    })
}

#[tokio::test]
async fn applying_online_registers_an_online_case_at_the_station_and_a_repeat_gets_the_same_receipt(
) {
    let app = spawn_app().await;
    let stations: Value = app
        .api
        .get(app.url("/api/v1/public/stations"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &stations.as_array().unwrap()[0];
    assert!(
        first["name"].as_str().unwrap().contains("街道"),
        "the hub first"
    );
    assert!(first["address"].is_string() && first["phone"].is_string());
    let coordinator = app.token("coordinator").await;
    let station = app.unit_id(&coordinator, "JB-C01").await;
    assert!(stations
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == station));
    let res = app
        .api
        .post(app.url("/api/v1/public/applications"))
        .json(&application(station, "139 0000 1234"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let receipt: Value = res.json().await.unwrap();
    let case_no = receipt["case_no"].as_str().unwrap().to_owned();
    let code = receipt["access_code"].as_str().unwrap().to_owned();
    assert_eq!(track(&app, &case_no, &code).await.status(), StatusCode::OK);

    let case = cases::Entity::find()
        .filter(cases::Column::CaseNo.eq(&case_no))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.source, entity::terms::Source::Online);
    assert_eq!(case.status, entity::terms::CaseStatus::Registered);
    assert_eq!(case.current_unit_id, station);
    let told = notifications::Entity::find()
        .filter(notifications::Column::CaseId.eq(case.id))
        .filter(notifications::Column::Kind.eq("applied_online"))
        .count(&app.db)
        .await
        .unwrap();
    assert!(told > 0, "the station is told");

    // The form posted twice: the same receipt, nothing written twice.
    let res = app
        .api
        .post(app.url("/api/v1/public/applications"))
        .json(&application(station, "13900001234"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let again: Value = res.json().await.unwrap();
    assert_eq!(again["case_no"], case_no.as_str());
    assert_eq!(again["access_code"], code.as_str());
    let online = cases::Entity::find()
        .filter(cases::Column::Source.eq("online"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(online, 1);
}

#[tokio::test]
async fn scripted_oversized_or_honeypot_applications_are_refused_and_limited_per_address() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let station = app.unit_id(&coordinator, "JB-C01").await;
    let post = |body: Value| {
        let app = &app;
        async move {
            app.api
                .post(app.url("/api/v1/public/applications"))
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let mut honeypot = application(station, "13900002222");
    honeypot["website"] = json!("http://spam.example");
    let res = post(honeypot).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&res.json().await.unwrap(), "website").is_some());
    let mut long = application(station, "13900002222");
    long["summary"] = json!("长".repeat(2001));
    let res = post(long).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&res.json().await.unwrap(), "summary").is_some());
    let mut huge = application(station, "13900002222");
    huge["summary"] = json!("x".repeat(40_000));
    assert_eq!(post(huge).await.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let res = post(application(station, "not a phone")).await;
    assert!(field_error(&res.json().await.unwrap(), "applicant.phone").is_some());
    let mut hub = application(station, "13900002222");
    hub["station_id"] = json!(999_999);
    assert_eq!(post(hub).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        cases::Entity::find()
            .filter(cases::Column::Source.eq("online"))
            .count(&app.db)
            .await
            .unwrap(),
        0,
        "nothing written"
    );
    for n in 0..5 {
        let res = post(application(station, &format!("1390000300{n}"))).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let res = post(application(station, "13900003009")).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Text is kept as typed and shown escaped.
    let case = cases::Entity::find()
        .filter(cases::Column::Source.eq("online"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let (_, html) = app
        .browser("coordinator")
        .await
        .get(&format!("/cases/{}", case.id))
        .await;
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(!html.contains("<b>急</b>"));
}

#[tokio::test]
async fn the_case_file_says_what_is_missing_as_the_setting_requires() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let (case, _, _) = planted_case(&app, &coordinator).await;
    let id = case["id"].as_i64().unwrap();
    let file: Value = app
        .get(&coordinator, &format!("/api/v1/cases/{id}/file"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        file,
        json!({"complete": false, "missing": ["session_record"]})
    );
    let admin = app.token("admin").await;
    let res = app
        .api
        .put(app.url("/api/v1/settings/case_file"))
        .bearer_auth(&admin)
        .json(&json!({
            "simple": {"always": ["session_record", "attachment"], "resolved": ["agreement"]},
            "ordinary": {"always": [], "resolved": []},
            "complex": {"always": [], "resolved": []},
            "major": {"always": [], "resolved": []}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let file: Value = app
        .get(&coordinator, &format!("/api/v1/cases/{id}/file"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(file["missing"], json!(["session_record", "attachment"]));
    let res = app
        .api
        .put(app.url("/api/v1/settings/case_file"))
        .bearer_auth(&admin)
        .json(&json!({"simple": {"always": ["nonsense"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert!(field_error(&body, "simple.always").is_some());
    assert!(field_error(&body, "ordinary").is_some());

    let browser = app.browser("coordinator").await;
    let (_, page) = browser.get(&format!("/cases/{id}")).await;
    assert!(page.contains("卷宗不全"));
    let (status, page) = browser.get(&format!("/cases/{id}/file")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("调解卷宗") && page.contains("附件清单"));
}

#[tokio::test]
async fn an_incomplete_resolved_case_is_withheld_from_a_period_and_paid_once_completed() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let admin = app.token("admin").await;
    let finance = app.token("finance").await;
    // This street also wants a follow-up record in the file of every resolved simple case.
    let res = app
        .api
        .put(app.url("/api/v1/settings/case_file"))
        .bearer_auth(&admin)
        .json(&json!({
            "simple": {"always": ["session_record"], "resolved": ["agreement", "follow_up"]},
            "ordinary": {"always": ["session_record"], "resolved": ["agreement"]},
            "complex": {"always": ["session_record"], "resolved": ["agreement"]},
            "major": {"always": ["session_record"], "resolved": ["agreement"]}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (case, lead, station) = planted_case(&app, &coordinator).await;
    let id = case["id"].as_i64().unwrap();
    let res = app
        .post(
            &coordinator,
            &format!("/api/v1/cases/{id}/sessions"),
            &json!({
                "held_at": rfc(1), "unit_id": station, "mediator_ids": [lead], "attendees": "双方",
                "summary": "达成一致", "outcome": "agreement"
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .post(&coordinator, &format!("/api/v1/cases/{id}/agreement"), &json!({
            "signed_at": (Utc::now() - Duration::minutes(30)).to_rfc3339(), "terms": "当场付清", "amount_fen": 800_000, "instalments": []
        }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let d = detail(&app, &coordinator, id).await;
    let res = app
        .post(
            &coordinator,
            &format!("/api/v1/cases/{id}/actions"),
            &json!({"action": "close", "outcome": "resolved", "version": d["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let case_no = d["case_no"].as_str().unwrap().to_owned();

    let period = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m")
        .to_string();
    let res = app
        .post(
            &finance,
            "/api/v1/subsidy/periods",
            &json!({"period": period}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let p: Value = res.json().await.unwrap();
    let pid = p["id"].as_i64().unwrap();
    assert!(p["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["case_id"] != id));
    assert_eq!(
        p["withheld"],
        json!([{"case_id": id, "case_no": case_no, "missing": ["follow_up"]}])
    );
    let browser = app.browser("finance").await;
    let (_, page) = browser.get(&format!("/subsidy/periods/{pid}")).await;
    assert!(page.contains(&format!("/cases/{id}")) && page.contains("回访记录"));
    let (_, list) = app
        .browser("coordinator")
        .await
        .get("/cases?status=closed")
        .await;
    assert!(list.contains("卷宗不全"));

    // The follow-up completes the file; recomputing the draft pays the case.
    let res = app
        .post(&coordinator, &format!("/api/v1/cases/{id}/follow_ups"), &json!({
            "done_at": (Utc::now() - Duration::minutes(5)).to_rfc3339(), "result": "已付清", "satisfaction": 5, "fulfilled": true
        }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .post(
            &finance,
            &format!("/api/v1/subsidy/periods/{pid}/recompute"),
            &json!({"version": p["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["withheld"], json!([]));
    let paid: i64 = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["case_id"] == id)
        .map(|i| i["amount_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(paid, 5_000, "the simple grade's ¥50");
}

/// Issue 17's "done when", in a real browser on a phone-sized window: a worker applies, keeps the
/// receipt, and follows the case on the public page while the station accepts it, records a
/// session and the agreement and closes it; then the coordinator prints a complete 卷宗.
#[tokio::test]
async fn a_worker_applies_from_a_phone_follows_the_case_to_its_end_and_the_file_is_complete() {
    use crate::browser::{browser_installed, sign_in, WebDriver};
    if !browser_installed() {
        return;
    }
    let app = spawn_app().await;
    let mediator = app.token("mediator").await;
    let station = app.unit_id(&mediator, "JB-C01").await;
    let me: Value = app
        .get(&mediator, "/api/v1/auth/me")
        .await
        .json()
        .await
        .unwrap();

    let browser = WebDriver::start().await.expect("browser starts");
    browser
        .set_window_size(390, 844)
        .await
        .expect("a phone-sized window");
    browser.goto(&app.url("/apply")).await.expect("open /apply");
    browser
        .type_into("#applicant_name", "王骑手")
        .await
        .expect("name");
    browser
        .type_into("#applicant_phone", "13955556666")
        .await
        .expect("phone");
    browser
        .type_into("#respondent_name", "飞速外卖站点")
        .await
        .expect("respondent");
    browser
        .click("#dispute_type option[value='wage_arrears']")
        .await
        .expect("dispute type");
    browser
        .type_into("#summary", "送了两个月外卖，工资一直没结")
        .await
        .expect("summary");
    browser
        .type_into("#amount_yuan", "6800")
        .await
        .expect("amount");
    browser
        .click(&format!("#station_id option[value='{station}']"))
        .await
        .expect("station");
    let overflow = browser
        .execute("return document.documentElement.scrollWidth > window.innerWidth;")
        .await
        .expect("measure the form");
    assert_eq!(overflow, json!(false), "the form fits the phone's width");
    browser
        .click(".apply-form button[type=submit]")
        .await
        .expect("apply");
    browser
        .wait_for_text("#receipt h1", "受理回执")
        .await
        .expect("the receipt at once");
    let case_no = browser
        .text("#receipt .case-no")
        .await
        .expect("case number");
    let code = browser
        .attribute("#receipt .access-code", "data-code")
        .await
        .expect("code");
    assert_eq!(code.len(), 10);
    browser.find("#receipt .qr svg").await.expect("the QR code");
    let path = crate::browser::screenshot_path("apply-receipt-phone");
    browser
        .screenshot_png(&path)
        .await
        .expect("keep the receipt");

    let track = app.url(&format!("/track?case_no={case_no}&code={code}"));
    let follow = |status: &'static str| {
        let browser = &browser;
        let track = track.clone();
        async move {
            browser.goto(&track).await.expect("open the progress page");
            browser
                .wait_for_text("#progress h2 .badge", status)
                .await
                .expect("the progress page follows the case");
        }
    };
    follow("等待调解组织受理").await;

    let coordinator = app.token("coordinator").await;
    let found: Value = app
        .get(&coordinator, &format!("/api/v1/cases?q={case_no}"))
        .await
        .json()
        .await
        .unwrap();
    let id = found["items"][0]["id"]
        .as_i64()
        .expect("the case is listed");
    let res = app
        .post(
            &mediator,
            &format!("/api/v1/cases/{id}/actions"),
            &json!({
                "action": "accept", "version": 1, "lead_mediator_id": me["mediator_id"]
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    follow("已受理").await;
    let res = app
        .post(&mediator, &format!("/api/v1/cases/{id}/sessions"), &json!({
            "held_at": Utc::now().to_rfc3339(), "unit_id": station, "mediator_ids": [me["mediator_id"]],
            "attendees": "王骑手、站点负责人", "summary": "站点同意结清", "outcome": "agreement"
        }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    follow("正在调解").await;
    let res = app
        .post(&mediator, &format!("/api/v1/cases/{id}/agreement"), &json!({
            "signed_at": Utc::now().to_rfc3339(), "terms": "一次付清六千八百元", "amount_fen": 680_000, "instalments": []
        }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    follow("已达成调解协议").await;
    let d = detail(&app, &mediator, id).await;
    let res = app
        .post(
            &mediator,
            &format!("/api/v1/cases/{id}/actions"),
            &json!({
                "action": "close", "outcome": "resolved", "version": d["version"]
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    follow("已结案").await;
    browser
        .wait_for_text("#progress .outcome", "调解成功")
        .await
        .expect("the outcome in plain words");
    browser
        .wait_for_text("#progress .timeline", "双方签订了调解协议")
        .await
        .expect("the timeline in plain words");

    browser.set_window_size(1280, 900).await.expect("a desk");
    sign_in(&browser, &app.address, "coordinator", "/queue").await;
    browser
        .goto(&app.url(&format!("/cases/{id}/file")))
        .await
        .expect("open the 卷宗");
    browser
        .wait_for_text(".file-complete", "卷宗齐全")
        .await
        .expect("the file is complete");
    browser
        .wait_for_text("article.cover", &case_no)
        .await
        .expect("the cover");
    browser
        .wait_for_text(".session-record", "站点同意结清")
        .await
        .expect("the session record");
    browser.quit().await.expect("browser closes");
}

#[tokio::test]
async fn a_case_withheld_from_an_approved_period_is_paid_in_the_period_open_when_it_is_completed() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let finance = app.token("finance").await;
    let (case, lead, station) = planted_case(&app, &coordinator).await;
    let id = case["id"].as_i64().unwrap();
    // Resolved without a session record: the agreement, then the close.
    let res = app
        .post(
            &coordinator,
            &format!("/api/v1/cases/{id}/agreement"),
            &json!({
                "signed_at": rfc(2), "terms": "当场付清", "amount_fen": 800_000, "instalments": []
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let d = detail(&app, &coordinator, id).await;
    let res = app
        .post(
            &coordinator,
            &format!("/api/v1/cases/{id}/actions"),
            &json!({"action": "close", "outcome": "resolved", "version": d["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Closed last month (moved back on the row, as the subsidy tests do).
    let shanghai = chrono_tz::Asia::Shanghai;
    let now = Utc::now().with_timezone(&shanghai);
    let last_month = (now.date_naive().with_day(1).unwrap() - Duration::days(1))
        .format("%Y-%m")
        .to_string();
    let this_month = now.format("%Y-%m").to_string();
    let closed_at = (now.date_naive().with_day(1).unwrap() - Duration::days(3))
        .and_hms_opt(10, 0, 0)
        .unwrap()
        .and_local_timezone(shanghai)
        .unwrap()
        .with_timezone(&Utc);
    cases::Entity::update_many()
        .col_expr(cases::Column::ClosedAt, Expr::value(Some(closed_at)))
        .filter(cases::Column::Id.eq(id))
        .exec(&app.db)
        .await
        .unwrap();
    let res = app
        .post(
            &finance,
            "/api/v1/subsidy/periods",
            &json!({"period": last_month}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["withheld"][0]["case_id"], id);
    assert_eq!(p["withheld"][0]["missing"], json!(["session_record"]));
    let res = app
        .post(
            &finance,
            &format!("/api/v1/subsidy/periods/{}/approve", p["id"]),
            &json!({"version": p["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let approved: Value = res.json().await.unwrap();
    assert_eq!(
        approved["withheld"][0]["case_id"], id,
        "still listed: nothing silently lost"
    );

    // The session record, entered late after a reopen, re-close: the file is complete.
    let res = app
        .post(&coordinator, &format!("/api/v1/cases/{id}/actions"), &json!({"action": "reopen", "reason": "补录调解笔录", "version": detail(&app, &coordinator, id).await["version"]}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            &coordinator,
            &format!("/api/v1/cases/{id}/sessions"),
            &json!({
                "held_at": rfc(3), "unit_id": station, "mediator_ids": [lead], "attendees": "双方",
                "summary": "补录", "outcome": "agreement"
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .post(
            &coordinator,
            &format!("/api/v1/cases/{id}/agreement"),
            &json!({
                "signed_at": rfc(2), "terms": "当场付清", "amount_fen": 800_000, "instalments": []
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .post(&coordinator, &format!("/api/v1/cases/{id}/actions"), &json!({"action": "close", "outcome": "resolved", "version": detail(&app, &coordinator, id).await["version"]}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            &finance,
            "/api/v1/subsidy/periods",
            &json!({"period": this_month}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["withheld"], json!([]));
    let paid: i64 = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["case_id"] == id)
        .map(|i| i["amount_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(
        paid, 5_000,
        "paid once, in the period open when it was completed"
    );
}
