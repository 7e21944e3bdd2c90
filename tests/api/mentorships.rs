//! Mentorships (优师带徒), mediator records, rotation and joint mediation, over the API and pages.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{field_error, spawn_app, Browser, TestApp};

fn rfc(days_ago: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days_ago)).to_rfc3339()
}

/// Today in the street's zone (the tests run with the default, Asia/Shanghai).
fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

fn day(days_from_today: i64) -> String {
    (today() + chrono::Duration::days(days_from_today)).to_string()
}

async fn json_of(res: reqwest::Response) -> Value {
    res.json().await.expect("a JSON body")
}

/// The ids of the active mediators of a unit, or of the mentors (`is_mentor=true`).
async fn mediator_ids(app: &TestApp, token: &str, query: &str) -> Vec<i64> {
    let list = json_of(app.get(token, &format!("/api/v1/mediators?{query}")).await).await;
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["active"] == true)
        .map(|m| m["id"].as_i64().expect("id"))
        .collect()
}

/// Who works on a case, and how far it goes.
struct Work<'a> {
    lead: i64,
    others: &'a [(i64, &'a str)],
    /// Mediators listed on the one session (none: no session).
    session: &'a [i64],
    resolve: bool,
    /// Backdate the assignments to this many days ago (default: now).
    assigned_days_ago: Option<i64>,
}

/// A case received 10 days ago at `unit_code`, worked as `work` says. Returns its id.
async fn worked_case(app: &TestApp, token: &str, unit_code: &str, work: Work<'_>) -> i64 {
    let unit = app.unit_id(token, unit_code).await;
    let case = json_of(
        app.post(token, "/api/v1/cases", &json!({
            "intake_unit_id": unit, "dispute_type": "wage_arrears", "source": "walk_in", "summary": "骑手欠薪",
            "amount_claimed_fen": 600_000, "people_involved": 1, "received_at": rfc(10),
            "parties": [{"role": "applicant", "kind": "person", "name": "甲"}, {"role": "respondent", "kind": "organisation", "name": "乙配送站"}]
        }))
        .await,
    )
    .await;
    let id = case["id"].as_i64().expect("case id");
    let at = |fallback: Option<String>| {
        work.assigned_days_ago
            .map(rfc)
            .or(fallback)
            .map_or(Value::Null, Value::String)
    };
    let mut version = case["version"].clone();
    let act = |body: Value| {
        let path = format!("/api/v1/cases/{id}/actions");
        async move {
            let res = app.post(token, &path, &body).await;
            let status = res.status();
            let out = json_of(res).await;
            assert_eq!(status, StatusCode::OK, "{body} → {out}");
            out
        }
    };
    let out = act(json!({"action": "accept", "version": version, "lead_mediator_id": work.lead, "at": at(Some(rfc(9)))})).await;
    version = out["version"].clone();
    for (mediator_id, role) in work.others {
        let out = act(json!({"action": "assign", "version": version, "mediator_id": mediator_id, "role": role, "at": at(None)})).await;
        version = out["version"].clone();
    }
    if !work.session.is_empty() {
        let res = app
            .post(token, &format!("/api/v1/cases/{id}/sessions"), &json!({
                "held_at": rfc(0), "unit_id": unit, "mediator_ids": work.session, "attendees": "双方",
                "summary": "调解", "outcome": if work.resolve { "agreement" } else { "continue" }
            }))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    if work.resolve {
        let res = app
            .post(token, &format!("/api/v1/cases/{id}/agreement"), &json!({
                "signed_at": rfc(0), "matters": "欠薪", "terms": "当场付清", "amount_fen": 300_000, "instalments": []
            }))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let d = json_of(app.get(token, &format!("/api/v1/cases/{id}")).await).await;
        let res = app
            .post(
                token,
                &format!("/api/v1/cases/{id}/actions"),
                &json!({"action": "close", "outcome": "resolved", "version": d["version"]}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    id
}

async fn pair(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.post(token, "/api/v1/mentorships", &body).await
}

#[tokio::test]
async fn progress_counts_exactly_the_cases_mentor_and_apprentice_worked_together() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let mentor = mediator_ids(&app, &token, "is_mentor=true").await[0];
    let c02 = app.unit_id(&token, "JB-C02").await;
    let apprentice = mediator_ids(&app, &token, &format!("unit_id={c02}")).await[0];
    let c01 = app.unit_id(&token, "JB-C01").await;
    let other = mediator_ids(&app, &token, &format!("unit_id={c01}")).await[0];

    let res = pair(&app, &token, json!({"mentor_id": mentor, "apprentice_id": apprentice, "started_on": day(-20), "target_cases": 2, "notes": "重点学习欠薪案件"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let p = json_of(res).await;
    assert_eq!(p["status"], "active");
    assert_eq!(p["progress"]["co_mediated_cases"], 0);
    let pair_id = p["id"].as_i64().unwrap();

    // Together, with a session the apprentice attended, resolved (at another station: rotation).
    let resolved = worked_case(
        &app,
        &token,
        "JB-C01",
        Work {
            lead: mentor,
            others: &[(apprentice, "apprentice")],
            session: &[mentor, apprentice],
            resolve: true,
            assigned_days_ago: None,
        },
    )
    .await;
    // Together, a session without the apprentice, still open.
    let open = worked_case(
        &app,
        &token,
        "JB-C01",
        Work {
            lead: mentor,
            others: &[(apprentice, "apprentice")],
            session: &[mentor],
            resolve: false,
            assigned_days_ago: None,
        },
    )
    .await;
    // The mentor alone, and the apprentice with someone else: neither counts.
    worked_case(
        &app,
        &token,
        "JB-C01",
        Work {
            lead: mentor,
            others: &[],
            session: &[mentor],
            resolve: true,
            assigned_days_ago: None,
        },
    )
    .await;
    worked_case(
        &app,
        &token,
        "JB-C01",
        Work {
            lead: other,
            others: &[(apprentice, "co")],
            session: &[other, apprentice],
            resolve: true,
            assigned_days_ago: None,
        },
    )
    .await;

    let p = json_of(
        app.get(&token, &format!("/api/v1/mentorships/{pair_id}"))
            .await,
    )
    .await;
    assert_eq!(p["progress"]["co_mediated_cases"], 2, "{p}");
    assert_eq!(p["progress"]["resolved_cases"], 1);
    assert_eq!(p["progress"]["sessions_attended"], 1);
    assert_eq!(p["progress"]["ready"], false);
    assert_eq!(p["close_to_ready"], true);
    let mut ids: Vec<i64> = p["progress"]["case_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![resolved, open]);

    // The mentor as co-mediator under another lead still counts (any roles).
    worked_case(
        &app,
        &token,
        "JB-C01",
        Work {
            lead: other,
            others: &[(mentor, "co"), (apprentice, "apprentice")],
            session: &[other, mentor, apprentice],
            resolve: true,
            assigned_days_ago: None,
        },
    )
    .await;
    let p = json_of(
        app.get(&token, &format!("/api/v1/mentorships/{pair_id}"))
            .await,
    )
    .await;
    assert_eq!(p["progress"]["co_mediated_cases"], 3);
    assert_eq!(p["progress"]["resolved_cases"], 2);
    assert_eq!(p["progress"]["sessions_attended"], 2);
    assert_eq!(p["progress"]["ready"], true);

    // The list shows the same figures and filters by status.
    let list = json_of(app.get(&token, "/api/v1/mentorships?status=active").await).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["progress"], p["progress"]);
    let res = app.get(&token, "/api/v1/mentorships?status=paused").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The apprentice's record: every case they were on, the units they worked in (their own
    // station never had one of these cases: all are rotation), sessions, joint cases none.
    let m = json_of(
        app.get(&token, &format!("/api/v1/mediators/{apprentice}"))
            .await,
    )
    .await;
    let r = &m["record"];
    assert_eq!(r["cases_led"], 0, "{r}");
    assert_eq!(r["cases_co_mediated"], 4);
    assert_eq!(r["closed_cases"], 3);
    assert_eq!(r["resolved_cases"], 3);
    assert_eq!(r["resolved_percent"], 100);
    assert_eq!(r["sessions_attended"], 3);
    assert_eq!(r["joint_cases"], 0);
    let units = r["units_worked_in"].as_array().unwrap();
    assert_eq!(units.len(), 1);
    assert_eq!(units[0]["unit_id"], c01);
    assert_eq!(units[0]["home"], false);
    assert_eq!(units[0]["cases"], 4);
    assert_eq!(r["mentorships"][0]["id"], pair_id);
    let kinds: Vec<&str> = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["mentorship_started"]);

    // The mentor's record: led three of the five cases, co-mediated one.
    let m = json_of(
        app.get(&token, &format!("/api/v1/mediators/{mentor}"))
            .await,
    )
    .await;
    assert_eq!(m["record"]["cases_led"], 3);
    assert_eq!(m["record"]["cases_co_mediated"], 1);
    assert_eq!(m["record"]["by_grade"][1]["key"], "ordinary");

    // Graduation when ready needs no reason and certifies the apprentice from that day.
    let res = app
        .post(
            &token,
            &format!("/api/v1/mentorships/{pair_id}/graduate"),
            &json!({"version": p["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let g = json_of(res).await;
    assert_eq!(g["status"], "graduated");
    assert_eq!(g["finished_on"], day(0));
    let m = json_of(
        app.get(&token, &format!("/api/v1/mediators/{apprentice}"))
            .await,
    )
    .await;
    assert_eq!(m["gold_medal"], true);
    assert_eq!(m["gold_medal_since"], day(0));
    let kinds: Vec<&str> = m["record"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"mentorship_graduated") && kinds.contains(&"gold_medal_awarded"),
        "{kinds:?}"
    );
    let mentor_record = json_of(
        app.get(&token, &format!("/api/v1/mediators/{mentor}"))
            .await,
    )
    .await;
    let kinds: Vec<&str> = mentor_record["record"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"apprentice_graduated"), "{kinds:?}");

    // A graduated pair stops counting and cannot graduate again.
    worked_case(
        &app,
        &token,
        "JB-C01",
        Work {
            lead: mentor,
            others: &[(apprentice, "co")],
            session: &[mentor],
            resolve: true,
            assigned_days_ago: None,
        },
    )
    .await;
    let after = json_of(
        app.get(&token, &format!("/api/v1/mentorships/{pair_id}"))
            .await,
    )
    .await;
    assert_eq!(
        after["progress"]["resolved_cases"], 3,
        "cases of the graduation day still count"
    );
    let res = app
        .post(
            &token,
            &format!("/api/v1/mentorships/{pair_id}/graduate"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn cases_worked_together_before_the_pair_started_do_not_count() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let mentor = mediator_ids(&app, &token, "is_mentor=true").await[1];
    let c03 = app.unit_id(&token, "JB-C03").await;
    let apprentice = mediator_ids(&app, &token, &format!("unit_id={c03}")).await[0];
    // Both joined eight days ago; the pair starts five days ago.
    worked_case(
        &app,
        &token,
        "JB-C03",
        Work {
            lead: mentor,
            others: &[(apprentice, "apprentice")],
            session: &[mentor, apprentice],
            resolve: true,
            assigned_days_ago: Some(8),
        },
    )
    .await;
    let res = pair(&app, &token, json!({"mentor_id": mentor, "apprentice_id": apprentice, "started_on": day(-5), "target_cases": 1})).await;
    let p = json_of(res).await;
    assert_eq!(p["progress"]["co_mediated_cases"], 0, "{p}");
    assert_eq!(p["progress"]["ready"], false);
    // The apprentice's own station is on their record, not marked as rotation.
    let m = json_of(
        app.get(&token, &format!("/api/v1/mediators/{apprentice}"))
            .await,
    )
    .await;
    assert_eq!(m["record"]["units_worked_in"][0]["home"], true);
}

#[tokio::test]
async fn bad_pairs_are_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let mentors = mediator_ids(&app, &token, "is_mentor=true").await;
    let c04 = app.unit_id(&token, "JB-C04").await;
    let station = mediator_ids(&app, &token, &format!("unit_id={c04}")).await;
    let (mentor, apprentice, not_mentor) = (mentors[0], station[0], station[1]);

    let cases: [(Value, &str); 6] = [
        (
            json!({"mentor_id": not_mentor, "apprentice_id": apprentice, "target_cases": 5}),
            "mentor_id",
        ),
        (
            json!({"mentor_id": mentor, "apprentice_id": mentor, "target_cases": 5}),
            "apprentice_id",
        ),
        (
            json!({"mentor_id": mentor, "apprentice_id": apprentice, "target_cases": 0}),
            "target_cases",
        ),
        (
            json!({"mentor_id": mentor, "apprentice_id": apprentice, "target_cases": "五"}),
            "target_cases",
        ),
        (
            json!({"mentor_id": mentor, "apprentice_id": apprentice, "target_cases": 5, "started_on": day(3)}),
            "started_on",
        ),
        (
            json!({"mentor_id": mentor, "apprentice_id": 999_999, "target_cases": 5}),
            "apprentice_id",
        ),
    ];
    for (body, field) in cases {
        let res = pair(&app, &token, body.clone()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let err = json_of(res).await;
        assert!(field_error(&err, field).is_some(), "{body} → {err}");
    }
    let list = json_of(app.get(&token, "/api/v1/mentorships").await).await;
    assert_eq!(list["total"], 0, "nothing was written");

    // A mediator may look but not pair.
    let mediator = app.token("mediator").await;
    let res = pair(
        &app,
        &mediator,
        json!({"mentor_id": mentor, "apprentice_id": apprentice, "target_cases": 5}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&mediator, "/api/v1/mentorships").await.status(),
        StatusCode::OK
    );

    // The second active pair of one apprentice is refused, even when both arrive at once.
    let body = json!({"mentor_id": mentor, "apprentice_id": apprentice, "target_cases": 5});
    let other = json!({"mentor_id": mentors[1], "apprentice_id": apprentice, "target_cases": 5});
    let (a, b) = tokio::join!(pair(&app, &token, body), pair(&app, &token, other));
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::UNPROCESSABLE_ENTITY]
    );
    let loser = if a.status() == StatusCode::CREATED {
        b
    } else {
        a
    };
    assert!(field_error(&json_of(loser).await, "apprentice_id").is_some());
    let list = json_of(app.get(&token, "/api/v1/mentorships").await).await;
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn graduating_early_needs_a_reason_which_is_recorded_and_ending_needs_one_too() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let mentors = mediator_ids(&app, &token, "is_mentor=true").await;
    let c05 = app.unit_id(&token, "JB-C05").await;
    let station = mediator_ids(&app, &token, &format!("unit_id={c05}")).await;
    let p = json_of(pair(&app, &token, json!({"mentor_id": mentors[0], "apprentice_id": station[0], "target_cases": 3, "started_on": day(-10)})).await).await;
    let id = p["id"].as_i64().unwrap();

    let res = app
        .post(
            &token,
            &format!("/api/v1/mentorships/{id}/graduate"),
            &json!({"version": p["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&json_of(res).await, "reason").is_some());
    let res = app
        .post(
            &token,
            &format!("/api/v1/mentorships/{id}/graduate"),
            &json!({"version": p["version"], "reason": "x", "on": day(-11)}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "before the start"
    );
    let res = app
        .post(
            &token,
            &format!("/api/v1/mentorships/{id}/graduate"),
            &json!({"version": p["version"] .as_i64().unwrap() + 1, "reason": "x"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "stale version");
    let unchanged = json_of(app.get(&token, &format!("/api/v1/mentorships/{id}")).await).await;
    assert_eq!(unchanged["status"], "active");

    let res = app
        .post(
            &token,
            &format!("/api/v1/mentorships/{id}/graduate"),
            &json!({"version": p["version"], "reason": "区级调解能手比赛一等奖，提前结业"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let g = json_of(res).await;
    assert_eq!(g["finish_reason"], "区级调解能手比赛一等奖，提前结业");
    let m = json_of(
        app.get(&token, &format!("/api/v1/mediators/{}", station[0]))
            .await,
    )
    .await;
    assert_eq!(m["gold_medal"], true);
    let event = m["record"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "mentorship_graduated")
        .cloned()
        .unwrap();
    assert_eq!(event["note"], "区级调解能手比赛一等奖，提前结业");

    // Ending: a reason is required.
    let p = json_of(
        pair(
            &app,
            &token,
            json!({"mentor_id": mentors[1], "apprentice_id": station[1], "target_cases": 3}),
        )
        .await,
    )
    .await;
    let id = p["id"].as_i64().unwrap();
    let res = app
        .post(&token, &format!("/api/v1/mentorships/{id}/end"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &token,
            &format!("/api/v1/mentorships/{id}/end"),
            &json!({"reason": "导师调离"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json_of(res).await["status"], "ended");
    // The apprentice may start again with another mentor.
    let res = pair(
        &app,
        &token,
        json!({"mentor_id": mentors[2], "apprentice_id": station[1], "target_cases": 3}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_complex_case_suggests_the_leads_active_apprentice() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let mentor = mediator_ids(&app, &token, "is_mentor=true").await[0];
    let c06 = app.unit_id(&token, "JB-C06").await;
    let apprentice = mediator_ids(&app, &token, &format!("unit_id={c06}")).await[0];
    pair(
        &app,
        &token,
        json!({"mentor_id": mentor, "apprentice_id": apprentice, "target_cases": 3}),
    )
    .await;
    let id = worked_case(
        &app,
        &token,
        "JB-C01",
        Work {
            lead: mentor,
            others: &[],
            session: &[],
            resolve: false,
            assigned_days_ago: None,
        },
    )
    .await;
    let reasons = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .find(|s| s["mediator_id"] == apprentice)
            .unwrap()["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_owned())
            .collect()
    };
    let list = json_of(
        app.get(&token, &format!("/api/v1/cases/{id}/candidates"))
            .await,
    )
    .await;
    assert!(
        !reasons(&list).contains(&"apprentice_of_lead".to_owned()),
        "an ordinary case"
    );
    let d = json_of(app.get(&token, &format!("/api/v1/cases/{id}")).await).await;
    let res = app.post(&token, &format!("/api/v1/cases/{id}/actions"), &json!({"action": "regrade", "grade": "complex", "reason": "平台与劳务公司多方主体", "version": d["version"]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let list = json_of(
        app.get(&token, &format!("/api/v1/cases/{id}/candidates"))
            .await,
    )
    .await;
    assert!(
        reasons(&list).contains(&"apprentice_of_lead".to_owned()),
        "{list}"
    );
    // The case page says so beside the assign form.
    let browser = app.browser("coordinator").await;
    let (status, html) = browser.get(&format!("/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("apprentice-hint") && html.contains("带案学习"),
        "the hint is shown"
    );
}

#[tokio::test]
async fn joint_cases_count_for_every_mediator_and_per_unit() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let c07 = app.unit_id(&token, "JB-C07").await;
    let c08 = app.unit_id(&token, "JB-C08").await;
    let lead = mediator_ids(&app, &token, &format!("unit_id={c07}")).await[0];
    let guest = mediator_ids(&app, &token, &format!("unit_id={c08}")).await[0];
    let id = worked_case(
        &app,
        &token,
        "JB-C07",
        Work {
            lead,
            others: &[(guest, "co")],
            session: &[lead, guest],
            resolve: false,
            assigned_days_ago: None,
        },
    )
    .await;
    worked_case(
        &app,
        &token,
        "JB-C07",
        Work {
            lead,
            others: &[],
            session: &[],
            resolve: false,
            assigned_days_ago: None,
        },
    )
    .await;
    let d = json_of(app.get(&token, &format!("/api/v1/cases/{id}")).await).await;
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/actions"),
            &json!({"action": "invite", "unit_ids": [c08], "version": d["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let report = json_of(app.get(&token, "/api/v1/reports/joint_mediation").await).await;
    assert_eq!(report["joint_cases"], 1, "{report}");
    let row = |unit: i64| {
        report["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit_id"] == unit)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        (row(c07)["hosted"].clone(), row(c07)["invited"].clone()),
        (json!(1), json!(0))
    );
    assert_eq!(
        (row(c08)["hosted"].clone(), row(c08)["invited"].clone()),
        (json!(0), json!(1))
    );
    let empty = json_of(
        app.get(
            &token,
            &format!("/api/v1/reports/joint_mediation?to={}", day(-30)),
        )
        .await,
    )
    .await;
    assert_eq!(empty["joint_cases"], 0);
    let res = app
        .get(
            &token,
            &format!(
                "/api/v1/reports/joint_mediation?from={}&to={}",
                day(0),
                day(-1)
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    for m in [lead, guest] {
        let r = json_of(app.get(&token, &format!("/api/v1/mediators/{m}")).await).await;
        assert_eq!(r["record"]["joint_cases"], 1, "{m}");
    }
    // The figure links to the cases behind it.
    let list = json_of(
        app.get(&token, &format!("/api/v1/cases?joint_unit_id={c08}"))
            .await,
    )
    .await;
    assert_eq!(list["total"], 1);
    let list = json_of(
        app.get(&token, &format!("/api/v1/cases?mediator_id={lead}"))
            .await,
    )
    .await;
    assert_eq!(list["total"], 2);
    let browser = app.browser("coordinator").await;
    let (status, html) = browser.get("/reports/joint").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("/cases?joint_unit_id={c08}")));
    // A malformed day in the case list's filter is pointed out beside its field.
    let (status, html) = browser.get("/cases?received_to=yesterday").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("id=\"received_to-error\""),
        "the error is beside the field"
    );
    // The figures' cases within the report's dates: they were received ten days ago.
    let within = format!(
        "/api/v1/cases?joint_unit_id={c08}&received_from={}&received_to={}",
        day(-10),
        day(-10)
    );
    assert_eq!(json_of(app.get(&token, &within).await).await["total"], 1);
    let later = format!(
        "/api/v1/cases?joint_unit_id={c08}&received_from={}",
        day(-9)
    );
    assert_eq!(json_of(app.get(&token, &later).await).await["total"], 0);
    let res = app
        .get(&token, "/api/v1/cases?received_from=2026-13-01")
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&json_of(res).await, "received_from").is_some());
}

#[tokio::test]
async fn a_coordinator_pairs_certifies_and_sees_who_is_ready_in_the_pages() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let mentors = mediator_ids(&app, &token, "is_mentor=true").await;
    let c09 = app.unit_id(&token, "JB-C09").await;
    let station = mediator_ids(&app, &token, &format!("unit_id={c09}")).await;
    let browser: Browser = app.browser("coordinator").await;

    // A bad pairing re-renders the form with the error beside the field, nothing written.
    let mentor_s = mentors[0].to_string();
    let apprentice_s = station[0].to_string();
    let res = browser
        .submit(
            "/mentorships/new",
            "/mentorships",
            &[
                ("mentor_id", &mentor_s),
                ("apprentice_id", &mentor_s),
                ("target_cases", "0"),
                ("started_on", &day(0)),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("徒弟不能是导师本人"),
        "inline error for the apprentice"
    );
    assert!(html.contains("id=\"target_cases-error\""));

    let res = browser
        .submit(
            "/mentorships/new",
            "/mentorships",
            &[
                ("mentor_id", &mentor_s),
                ("apprentice_id", &apprentice_s),
                ("target_cases", "1"),
                ("started_on", &day(-3)),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = Browser::location(&res).unwrap();
    let (_, html) = browser.get(&location).await;
    assert!(html.contains("已建立结对"));

    // Once the apprentice's one case is resolved, the programme page lists them as ready.
    worked_case(
        &app,
        &token,
        "JB-C09",
        Work {
            lead: mentors[0],
            others: &[(station[0], "apprentice")],
            session: &[mentors[0], station[0]],
            resolve: true,
            assigned_days_ago: None,
        },
    )
    .await;
    let (status, html) = browser.get("/mentorships").await;
    assert_eq!(status, StatusCode::OK);
    let ready = html
        .split("id=\"ready\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    let name = json_of(
        app.get(&token, &format!("/api/v1/mediators/{}", station[0]))
            .await,
    )
    .await["name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(ready.contains(&name), "{ready}");
    assert!(html.contains("<progress"));
    // The coordinator's queue says so at a glance.
    let (_, queue) = browser.get("/queue").await;
    let line = queue
        .split("ready-apprentices")
        .nth(1)
        .expect("the ready line on the queue");
    assert!(line.split("</div>").next().unwrap().contains(&name));

    // Certify from the pair's page.
    let pair_path = location.split('?').next().unwrap().to_owned();
    let res = browser
        .submit(
            &pair_path,
            &format!("{pair_path}/graduate"),
            &[("on", &day(0)), ("reason", "")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let (_, html) = browser.get(&format!("/mediators/{}", station[0])).await;
    assert!(html.contains("履职档案") && html.contains("认定为金牌调解员"));

    // A viewer sees the programme but not the buttons; a stranger to the pages is sent to sign in.
    let viewer = app.browser("viewer").await;
    let (status, html) = viewer.get(&pair_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("/graduate\""));
}
