use std::collections::BTreeSet;

use mediation::domain::workflow::{apply, Action, Outcome, Status};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{field_error, spawn_app, TestApp};

fn new_case(unit_id: i64) -> Value {
    json!({
        "intake_unit_id": unit_id,
        "dispute_type": "wage_arrears",
        "source": "walk_in",
        "summary": "外卖骑手被拖欠两个月工资",
        "amount_claimed_fen": 1_250_000,
        "people_involved": 1,
        "risk_flags": [],
        "parties": [
            {"role": "applicant", "kind": "person", "name": "张小骑", "id_number": "330103199001011234", "phone": "13900001111"},
            {"role": "respondent", "kind": "organisation", "name": "某某配送站", "organisation": "某平台"}
        ]
    })
}

async fn intake(app: &TestApp, token: &str, unit_id: i64) -> Value {
    let res = app.post(token, "/api/v1/cases", &new_case(unit_id)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn act(app: &TestApp, token: &str, case: &Value, body: Value) -> reqwest::Response {
    let mut body = body;
    body["version"] = case["version"].clone();
    app.post(
        token,
        &format!("/api/v1/cases/{}/actions", case["id"]),
        &body,
    )
    .await
}

async fn act_ok(app: &TestApp, token: &str, case: &Value, body: Value) -> Value {
    let res = act(app, token, case, body.clone()).await;
    let status = res.status();
    let out: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body} -> {out}");
    out
}

async fn mediator_of_unit(app: &TestApp, token: &str, unit_id: i64) -> i64 {
    let list: Value = app
        .get(token, &format!("/api/v1/mediators?unit_id={unit_id}"))
        .await
        .json()
        .await
        .unwrap();
    list["items"][0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_station_registers_a_case_graded_numbered_and_masked() {
    let app = spawn_app().await;
    let token = app.token("mediator").await;
    let station = app.unit_id(&token, "JB-C01").await;
    let case = intake(&app, &token, station).await;
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(case["case_no"], format!("JB-{year}-00001"));
    assert_eq!(case["status"], "registered");
    assert_eq!(case["grade"], "ordinary");
    assert_eq!(case["grade_source"], "auto");
    assert_eq!(case["limitation_rule"], "wage_arrears_unlimited");
    assert_eq!(case["overdue"], false);
    let detail: Value = app
        .get(&token, &format!("/api/v1/cases/{}", case["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["parties"][0]["id_number"], "3301**********1234");
    assert_eq!(detail["parties"][0]["phone"], "139****1111");
    assert_eq!(detail["events"][0]["kind"], "intake");
    assert!(detail["available_actions"]
        .as_array()
        .unwrap()
        .contains(&json!("accept")));
    let second = intake(&app, &token, station).await;
    assert_eq!(second["case_no"], format!("JB-{year}-00002"));
}

#[tokio::test]
async fn a_case_goes_from_station_to_hub_to_the_labour_inspection_room_and_its_history_reads_on_one_page(
) {
    let app = spawn_app().await;
    let mediator = app.token("mediator").await;
    let coordinator = app.token("coordinator").await;
    let station = app.unit_id(&mediator, "JB-C01").await;
    let room = app.unit_id(&coordinator, "JB-LJ").await;
    let case = intake(&app, &mediator, station).await;

    let case = act_ok(
        &app,
        &mediator,
        &case,
        json!({"action": "escalate", "reason": "涉及平台，村里调不动"}),
    )
    .await;
    assert_eq!(case["status"], "registered");
    let hub = app.unit_id(&coordinator, "JB").await;
    assert_eq!(case["current_unit_id"], hub);

    let case = act_ok(
        &app,
        &coordinator,
        &case,
        json!({"action": "refer", "unit_id": room, "reason": "劳动监察介入"}),
    )
    .await;
    assert_eq!(case["current_unit_id"], room);
    let inspector = mediator_of_unit(&app, &coordinator, room).await;
    let case = act_ok(
        &app,
        &coordinator,
        &case,
        json!({"action": "accept", "lead_mediator_id": inspector}),
    )
    .await;
    assert_eq!(case["status"], "accepted");
    let case = act_ok(
        &app,
        &coordinator,
        &case,
        json!({"action": "regrade", "grade": "complex", "reason": "平台多方主体"}),
    )
    .await;
    assert_eq!(case["grade"], "complex");
    assert_eq!(case["grade_source"], "manual");
    let before = case["deadline_at"].as_str().unwrap().to_owned();
    let case = act_ok(
        &app,
        &coordinator,
        &case,
        json!({"action": "extend", "days": 10, "reason": "双方同意延期"}),
    )
    .await;
    assert!(case["deadline_at"].as_str().unwrap() > before.as_str());

    let detail: Value = app
        .get(&coordinator, &format!("/api/v1/cases/{}", case["id"]))
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["intake", "escalate", "refer", "accept", "regrade", "extend"]
    );
    assert_eq!(detail["events"][1]["note"], "涉及平台，村里调不动");
    assert_eq!(detail["current_unit"]["id"], room);
    assert_eq!(detail["assignments"][0]["role"], "lead");
}

#[tokio::test]
async fn replaying_the_events_of_a_case_rebuilds_its_status() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let station = app.unit_id(&coordinator, "JB-C02").await;
    let case = intake(&app, &coordinator, station).await;
    let lead = mediator_of_unit(&app, &coordinator, station).await;
    let case = act_ok(
        &app,
        &coordinator,
        &case,
        json!({"action": "accept", "lead_mediator_id": lead}),
    )
    .await;
    let case = act_ok(
        &app,
        &coordinator,
        &case,
        json!({"action": "close", "outcome": "failed", "reason": "建议申请仲裁"}),
    )
    .await;
    let case = act_ok(
        &app,
        &coordinator,
        &case,
        json!({"action": "reopen", "reason": "当事人要求继续调解"}),
    )
    .await;
    let detail: Value = app
        .get(&coordinator, &format!("/api/v1/cases/{}", case["id"]))
        .await
        .json()
        .await
        .unwrap();
    let mut status = Status::Registered;
    for e in detail["events"].as_array().unwrap().iter().skip(1) {
        let action = Action::parse(e["kind"].as_str().unwrap()).unwrap();
        let outcome = e["to"]["outcome"].as_str().and_then(Outcome::parse);
        status = apply(status, action, outcome);
    }
    assert_eq!(status.as_str(), detail["status"].as_str().unwrap());
    assert_eq!(detail["status"], "mediating");
}

#[tokio::test]
async fn a_mediator_of_another_station_cannot_see_or_touch_the_case() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let other_station = app.unit_id(&coordinator, "JB-C07").await;
    let case = intake(&app, &coordinator, other_station).await;
    let mediator = app.token("mediator").await;
    assert_eq!(
        app.get(&mediator, &format!("/api/v1/cases/{}", case["id"]))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let res = act(
        &app,
        &mediator,
        &case,
        json!({"action": "escalate", "reason": "x"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = act(&app, &mediator, &case, json!({"action": "fly"})).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let list: Value = app
        .get(&mediator, "/api/v1/cases")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
    let all: Value = app
        .get(&coordinator, "/api/v1/cases")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"], 1);
}

#[tokio::test]
async fn after_escalation_the_station_still_sees_the_case_but_may_not_act_on_it() {
    let app = spawn_app().await;
    let mediator = app.token("mediator").await;
    let station = app.unit_id(&mediator, "JB-C01").await;
    let case = intake(&app, &mediator, station).await;
    let case = act_ok(
        &app,
        &mediator,
        &case,
        json!({"action": "escalate", "reason": "请街道协调"}),
    )
    .await;
    assert_eq!(
        app.get(&mediator, &format!("/api/v1/cases/{}", case["id"]))
            .await
            .status(),
        StatusCode::OK
    );
    let res = act(
        &app,
        &mediator,
        &case,
        json!({"action": "accept", "lead_mediator_id": 1}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: Value = res.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().len() > 5);
    // Finance and viewers read but never act.
    for role in ["finance", "viewer", "admin"] {
        let token = app.token(role).await;
        let res = act(&app, &token, &case, json!({"action": "confirm_grade"})).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role}");
    }
}

#[tokio::test]
async fn a_stale_version_is_409_and_nothing_is_written() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let station = app.unit_id(&coordinator, "JB-C03").await;
    let case = intake(&app, &coordinator, station).await;
    let lead = mediator_of_unit(&app, &coordinator, station).await;
    act_ok(
        &app,
        &coordinator,
        &case,
        json!({"action": "accept", "lead_mediator_id": lead}),
    )
    .await;
    // The same (now stale) version again.
    let res = act(
        &app,
        &coordinator,
        &case,
        json!({"action": "regrade", "grade": "major", "reason": "x"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let detail: Value = app
        .get(&coordinator, &format!("/api/v1/cases/{}", case["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["grade"], "ordinary");
    assert_eq!(detail["events"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn two_coordinators_acting_at_the_same_moment_exactly_one_wins() {
    let app = spawn_app().await;
    let a = app.token("coordinator").await;
    let b = app.token("coordinator").await;
    let station = app.unit_id(&a, "JB-C04").await;
    let case = intake(&app, &a, station).await;
    let lead = mediator_of_unit(&app, &a, station).await;
    let (ra, rb) = tokio::join!(
        act(
            &app,
            &a,
            &case,
            json!({"action": "accept", "lead_mediator_id": lead})
        ),
        act(
            &app,
            &b,
            &case,
            json!({"action": "escalate", "reason": "x"})
        )
    );
    let mut codes = [ra.status().as_u16(), rb.status().as_u16()];
    codes.sort();
    // The escalate is the station mediator's, so the coordinator's is refused by role (403) or
    // loses the race (409); in every case exactly one action is written.
    let detail: Value = app
        .get(&a, &format!("/api/v1/cases/{}", case["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["events"].as_array().unwrap().len(), 2, "{codes:?}");

    let case = detail;
    let (ra, rb) = tokio::join!(
        act(
            &app,
            &a,
            &case,
            json!({"action": "regrade", "grade": "major", "reason": "甲"})
        ),
        act(
            &app,
            &b,
            &case,
            json!({"action": "regrade", "grade": "complex", "reason": "乙"})
        )
    );
    let mut codes = [ra.status().as_u16(), rb.status().as_u16()];
    codes.sort();
    assert_eq!(codes, [200, 409]);
}

#[tokio::test]
async fn case_numbers_stay_unique_and_gap_free_when_stations_register_at_once() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let mut units = Vec::new();
    for code in [
        "JB-C01", "JB-C02", "JB-C03", "JB-C04", "JB-C05", "JB-C06", "JB-C07", "JB-C08",
    ] {
        units.push(app.unit_id(&coordinator, code).await);
    }
    let bodies: Vec<Value> = units.iter().map(|u| new_case(*u)).collect();
    let futures = bodies
        .iter()
        .map(|b| app.post(&coordinator, "/api/v1/cases", b));
    let responses = futures_join_all(futures).await;
    let mut numbers = BTreeSet::new();
    for res in responses {
        assert_eq!(res.status(), StatusCode::CREATED);
        let case: Value = res.json().await.unwrap();
        let no = case["case_no"].as_str().unwrap().to_owned();
        numbers.insert(no[no.len() - 5..].parse::<u32>().unwrap());
    }
    assert_eq!(numbers, (1..=8).collect::<BTreeSet<u32>>());
}

/// Runs futures concurrently on this task (no extra crate needed).
async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let handles: Vec<_> = futures.map(Box::pin).collect();
    let mut outputs = Vec::new();
    let mut pending: Vec<_> = handles.into_iter().map(Some).collect();
    let results = std::sync::Mutex::new(Vec::new());
    std::future::poll_fn(|cx| {
        let mut all_done = true;
        for (i, slot) in pending.iter_mut().enumerate() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(out) => {
                        results.lock().unwrap().push((i, out));
                        *slot = None;
                    }
                    std::task::Poll::Pending => all_done = false,
                }
            }
        }
        if all_done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    outputs.extend(results.into_iter().map(|(_, o)| o));
    outputs
}

#[tokio::test]
async fn bad_intakes_are_refused_naming_the_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let station = app.unit_id(&coordinator, "JB-C01").await;
    let mut cases = Vec::new();
    for (field, value) in [
        ("amount_claimed_fen", json!(-100)),
        ("people_involved", json!(0)),
        ("dispute_type", json!("gossip")),
        ("source", json!("dream")),
        ("summary", json!("")),
        ("intake_unit_id", json!(999999)),
        ("received_at", json!("2999-01-01T00:00:00Z")),
        ("received_at", json!("yesterday")),
        ("risk_flags", json!(["alien_invasion"])),
    ] {
        let mut body = new_case(station);
        body[field] = value;
        cases.push((body, field.to_owned()));
    }
    let mut body = new_case(station);
    body["parties"] = json!([{"role": "applicant", "kind": "person", "name": "甲"}]);
    cases.push((body, "parties".into()));
    let mut body = new_case(station);
    body["parties"][0]["id_number"] = json!("12345");
    cases.push((body, "parties[0].id_number".into()));
    for (body, field) in cases {
        let res = app.post(&coordinator, "/api/v1/cases", &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let err: Value = res.json().await.unwrap();
        assert!(field_error(&err, &field).is_some(), "{field}: {err}");
    }
    let list: Value = app
        .get(&coordinator, "/api/v1/cases")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
    // A mediator registers only at their own unit; finance never.
    let mediator = app.token("mediator").await;
    let other = app.unit_id(&coordinator, "JB-C09").await;
    assert_eq!(
        app.post(&mediator, "/api/v1/cases", &new_case(other))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let finance = app.token("finance").await;
    assert_eq!(
        app.post(&finance, "/api/v1/cases", &new_case(station))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn bad_actions_are_refused_with_a_reason_and_nothing_is_written() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let mediator = app.token("mediator").await;
    let station = app.unit_id(&mediator, "JB-C01").await;
    let case = intake(&app, &mediator, station).await;
    let expect = |res: reqwest::Response, code: StatusCode| async move {
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, code, "{body}");
        body
    };
    let body = expect(
        act(&app, &mediator, &case, json!({"action": "teleport"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(field_error(&body, "action").is_some());
    let body = expect(
        act(&app, &mediator, &case, json!({"action": "escalate"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(field_error(&body, "reason").is_some());
    let body = expect(
        act(
            &app,
            &mediator,
            &case,
            json!({"action": "accept", "lead_mediator_id": 999999}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(field_error(&body, "lead_mediator_id").is_some());
    let body = expect(
        act(
            &app,
            &mediator,
            &case,
            json!({"action": "accept", "lead_mediator_id": 1, "at": "2999-01-01T00:00:00Z"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(field_error(&body, "at").is_some());
    let body = expect(
        act(
            &app,
            &mediator,
            &case,
            json!({"action": "accept", "lead_mediator_id": 1, "at": "2001-01-01T00:00:00Z"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(field_error(&body, "at").is_some());
    // Wrong status: nobody can close as resolved without an agreement, nor refer from a station.
    let body = expect(
        act(
            &app,
            &coordinator,
            &case,
            json!({"action": "refer", "unit_id": station}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(body["error"]["message"].as_str().unwrap().chars().count() > 5);
    let missing_version = app
        .post(
            &mediator,
            &format!("/api/v1/cases/{}/actions", case["id"]),
            &json!({"action": "escalate", "reason": "x"}),
        )
        .await;
    let body = expect(missing_version, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(field_error(&body, "version").is_some());
    // A referral to a unit of another street.
    let admin = app.token("admin").await;
    let other_hub: Value = app
        .post(
            &admin,
            "/api/v1/units",
            &json!({"code": "XS", "name": "邻街", "kind": "street_hub"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let other_station: Value = app.post(&admin, "/api/v1/units", &json!({"code": "XS-C01", "name": "邻村", "kind": "village_station", "parent_id": other_hub["id"]})).await.json().await.unwrap();
    let case = act_ok(
        &app,
        &mediator,
        &case,
        json!({"action": "escalate", "reason": "x"}),
    )
    .await;
    let body = expect(
        act(
            &app,
            &coordinator,
            &case,
            json!({"action": "refer", "unit_id": other_station["id"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(field_error(&body, "unit_id").is_some());
    let detail: Value = app
        .get(&coordinator, &format!("/api/v1/cases/{}", case["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["events"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_closed_case_is_read_only_until_a_coordinator_reopens_it() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let station = app.unit_id(&coordinator, "JB-C05").await;
    let case = intake(&app, &coordinator, station).await;
    let lead = mediator_of_unit(&app, &coordinator, station).await;
    let case = act_ok(
        &app,
        &coordinator,
        &case,
        json!({"action": "accept", "lead_mediator_id": lead}),
    )
    .await;
    let res = act(
        &app,
        &coordinator,
        &case,
        json!({"action": "close", "outcome": "resolved"}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no agreement yet"
    );
    let case = act_ok(
        &app,
        &coordinator,
        &case,
        json!({"action": "close", "outcome": "withdrawn", "reason": "申请人撤回"}),
    )
    .await;
    assert_eq!(case["status"], "closed");
    assert_eq!(case["outcome"], "withdrawn");
    assert!(case["closed_at"].is_string());
    let res = act(
        &app,
        &coordinator,
        &case,
        json!({"action": "assign", "mediator_id": 2, "role": "co"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let case = act_ok(
        &app,
        &coordinator,
        &case,
        json!({"action": "reopen", "reason": "对方愿意再谈"}),
    )
    .await;
    assert_eq!(case["status"], "mediating");
    assert_eq!(case["outcome"], Value::Null);
}

#[tokio::test]
async fn the_team_is_assigned_across_units_and_a_new_lead_demotes_the_old_one() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let station = app.unit_id(&coordinator, "JB-C06").await;
    let case = intake(&app, &coordinator, station).await;
    let lead = mediator_of_unit(&app, &coordinator, station).await;
    let hub = app.unit_id(&coordinator, "JB").await;
    let hub_mediator = mediator_of_unit(&app, &coordinator, hub).await;
    let case = act_ok(
        &app,
        &coordinator,
        &case,
        json!({"action": "accept", "lead_mediator_id": lead}),
    )
    .await;
    let case = act_ok(
        &app,
        &coordinator,
        &case,
        json!({"action": "assign", "mediator_id": hub_mediator, "role": "lead"}),
    )
    .await;
    let detail: Value = app
        .get(&coordinator, &format!("/api/v1/cases/{}", case["id"]))
        .await
        .json()
        .await
        .unwrap();
    let now: Vec<(i64, String)> = detail["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["ended_at"].is_null())
        .map(|a| {
            (
                a["mediator_id"].as_i64().unwrap(),
                a["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(now.contains(&(hub_mediator, "lead".into())));
    assert!(now.contains(&(lead, "co".into())));
    let res = act(
        &app,
        &coordinator,
        &case,
        json!({"action": "unassign", "mediator_id": hub_mediator}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the lead cannot be removed"
    );
    act_ok(
        &app,
        &coordinator,
        &case,
        json!({"action": "unassign", "mediator_id": lead}),
    )
    .await;
}

#[tokio::test]
async fn revealing_personal_data_is_for_those_on_the_case_and_is_audited() {
    let app = spawn_app().await;
    let mediator = app.token("mediator").await;
    let station = app.unit_id(&mediator, "JB-C01").await;
    let case = intake(&app, &mediator, station).await;
    let detail: Value = app
        .get(
            &mediator,
            &format!("/api/v1/cases/{}?reveal=pii", case["id"]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["parties"][0]["id_number"], "330103199001011234");
    assert_eq!(detail["revealed"], true);
    let viewer = app.token("viewer").await;
    let res = app
        .get(&viewer, &format!("/api/v1/cases/{}?reveal=pii", case["id"]))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let audited = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq("case.reveal_pii"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn the_list_filters_by_status_grade_and_text() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let station = app.unit_id(&coordinator, "JB-C01").await;
    let case = intake(&app, &coordinator, station).await;
    let mut big = new_case(station);
    big["people_involved"] = json!(40);
    big["parties"][0]["name"] = json!("王大锤");
    app.post(&coordinator, "/api/v1/cases", &big).await;
    let by_grade: Value = app
        .get(&coordinator, "/api/v1/cases?grade=major")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_grade["total"], 1);
    let by_name: Value = app
        .get(&coordinator, "/api/v1/cases?q=大锤")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_name["total"], 1);
    let by_no: Value = app
        .get(
            &coordinator,
            &format!("/api/v1/cases?q={}", case["case_no"].as_str().unwrap()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_no["total"], 1);
    let registered: Value = app
        .get(&coordinator, "/api/v1/cases?status=registered&overdue=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(registered["total"], 0);
    assert_eq!(
        app.get(&coordinator, "/api/v1/cases?status=sleeping")
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn the_suggested_mediators_put_a_local_specialist_first_and_say_why() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let station = app.unit_id(&coordinator, "JB-C08").await;
    let res = app
        .post(&coordinator, "/api/v1/mediators", &json!({
            "name": "欠薪专家", "unit_id": station, "employment": "part_time", "background": "lawyer",
            "specialties": ["wage_arrears"], "max_open_cases": 10
        }))
        .await;
    let specialist: Value = res.json().await.unwrap();
    let case = intake(&app, &coordinator, station).await;
    let list: Value = app
        .get(
            &coordinator,
            &format!("/api/v1/cases/{}/candidates", case["id"]),
        )
        .await
        .json()
        .await
        .unwrap();
    let first = &list[0];
    assert_eq!(first["reasons"], json!(["specialty", "same_unit"]));
    // The specialist is among the best (a demo mediator of that station may tie with them).
    let best: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["score"] == first["score"])
        .collect();
    assert!(
        best.iter().any(|s| s["mediator_id"] == specialist["id"]),
        "{list}"
    );
    let far: &Value = list.as_array().unwrap().last().unwrap();
    assert!(far["score"].as_i64().unwrap() < first["score"].as_i64().unwrap());
    // Once they lead the case, their load shows.
    act_ok(
        &app,
        &coordinator,
        &case,
        json!({"action": "accept", "lead_mediator_id": specialist["id"]}),
    )
    .await;
    let list: Value = app
        .get(
            &coordinator,
            &format!("/api/v1/cases/{}/candidates", case["id"]),
        )
        .await
        .json()
        .await
        .unwrap();
    let again = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["mediator_id"] == specialist["id"])
        .unwrap();
    assert_eq!(again["open_cases"], 1);
    let mediator = app.token("mediator").await;
    assert_eq!(
        app.get(
            &mediator,
            &format!("/api/v1/cases/{}/candidates", case["id"])
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_demo_street_has_living_cases_in_every_state() {
    let app = spawn_app().await;
    let loaded = mediation::demo::cases::load_if_empty(&app.db, chrono_tz::Asia::Shanghai)
        .await
        .unwrap();
    assert_eq!(loaded, 36);
    let coordinator = app.token("coordinator").await;
    let all: Value = app
        .get(&coordinator, "/api/v1/cases?per_page=200")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"], 36);
    let items = all["items"].as_array().unwrap();
    for status in ["registered", "accepted", "mediating", "agreed", "closed"] {
        assert!(items.iter().any(|c| c["status"] == status), "{status}");
    }
    for grade in ["ordinary", "complex", "major"] {
        assert!(items.iter().any(|c| c["grade"] == grade), "{grade}");
    }
    assert!(
        items.iter().any(|c| c["overdue"] == true),
        "some are overdue"
    );
    let room = app.unit_id(&coordinator, "JB-LJ").await;
    let hub = app.unit_id(&coordinator, "JB").await;
    assert!(
        items.iter().any(|c| c["current_unit_id"] == hub),
        "some wait at the hub"
    );
    assert!(
        items
            .iter()
            .any(|c| c["current_unit_id"] != hub && c["current_unit_id"] != c["intake_unit_id"]),
        "some were referred"
    );
    let _ = room;
    let mut numbers: Vec<u32> = items
        .iter()
        .map(|c| c["case_no"].as_str().unwrap()[8..].parse().unwrap())
        .collect();
    numbers.sort();
    assert_eq!(numbers, (1..=36).collect::<Vec<u32>>());
    // Loading twice adds nothing.
    assert_eq!(
        mediation::demo::cases::load_if_empty(&app.db, chrono_tz::Asia::Shanghai)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn every_demo_session_and_signing_is_held_in_office_hours_local_time() {
    use mediation::demo::{cases as demo_cases, mentorships as demo_mentorships, subsidy};
    use mediation::domain::clocks::is_office_hours;
    use sea_orm::EntityTrait;

    let app = spawn_app().await;
    let tz = chrono_tz::Asia::Shanghai;
    // As `mediation serve --demo` loads them.
    demo_cases::load_if_empty(&app.db, tz).await.unwrap();
    demo_mentorships::load_if_empty(&app.db, tz).await.unwrap();
    subsidy::load_demo(&app.db, tz).await.unwrap();

    let local = |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&tz).format("%F %H:%M");
    let sessions = entity::case_sessions::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(sessions.len() > 20, "{} sessions", sessions.len());
    for s in &sessions {
        assert!(
            is_office_hours(s.held_at, tz),
            "session {} of case {} held at {} local",
            s.id,
            s.case_id,
            local(s.held_at)
        );
    }
    let agreements = entity::agreements::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(!agreements.is_empty());
    for a in &agreements {
        assert!(
            is_office_hours(a.signed_at, tz),
            "agreement of case {} signed at {} local",
            a.case_id,
            local(a.signed_at)
        );
    }
}
