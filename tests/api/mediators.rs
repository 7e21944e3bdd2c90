use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{field_error, spawn_app};

fn a_mediator(unit_id: i64) -> Value {
    json!({
        "name": "钱多多", "phone": "13812345678", "unit_id": unit_id, "employment": "part_time",
        "background": "lawyer", "gold_medal": true, "gold_medal_since": "2024-05-01", "is_mentor": false,
        "years_experience": 6, "specialties": ["wage_arrears", "platform_work"], "max_open_cases": 8,
        "email": "qian@example.com"
    })
}

#[tokio::test]
async fn a_coordinator_adds_a_mediator_and_everyone_can_look_them_up() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let unit = app.unit_id(&coordinator, "JB-C05").await;
    let res = app
        .post(&coordinator, "/api/v1/mediators", &a_mediator(unit))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["phone"], "13812345678");
    assert_eq!(
        created["specialties"],
        json!(["wage_arrears", "platform_work"])
    );

    // A viewer sees the directory, with the phone number masked.
    let viewer = app.token("viewer").await;
    let seen: Value = app
        .get(&viewer, &format!("/api/v1/mediators/{}", created["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["phone"], "138****5678");
    assert_eq!(seen["email"], Value::Null);
    let list: Value = app
        .get(&viewer, &format!("/api/v1/mediators?unit_id={unit}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 3);
}

#[tokio::test]
async fn mediators_finance_and_viewers_cannot_add_or_edit_mediators() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.unit_id(&admin, "JB-C05").await;
    for role in ["mediator", "finance", "viewer"] {
        let token = app.token(role).await;
        let res = app
            .post(&token, "/api/v1/mediators", &a_mediator(unit))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role}");
        let res = app
            .patch(&token, "/api/v1/mediators/1", &json!({"name": "x"}))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role}");
    }
}

#[tokio::test]
async fn bad_mediators_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let unit = app.unit_id(&token, "JB-C05").await;
    let mut cases = Vec::new();
    for (field, value) in [
        ("unit_id", json!(999999)),
        ("name", json!("  ")),
        ("employment", json!("forever")),
        ("background", json!("astronaut")),
        ("specialties", json!(["knitting"])),
        ("years_experience", json!(-1)),
        ("max_open_cases", json!(0)),
        ("email", json!("not an address")),
        ("gold_medal_since", json!("2024-13-01")),
    ] {
        let mut body = a_mediator(unit);
        body[field] = value;
        cases.push((body, field));
    }
    for (body, field) in cases {
        let res = app.post(&token, "/api/v1/mediators", &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let err: Value = res.json().await.unwrap();
        assert!(field_error(&err, field).is_some(), "{field}: {err}");
    }
}

#[tokio::test]
async fn patching_a_mediator_changes_only_the_fields_given() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let before: Value = app
        .get(&token, "/api/v1/mediators/1")
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .patch(
            &token,
            "/api/v1/mediators/1",
            &json!({"is_mentor": true, "max_open_cases": 20}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let after: Value = res.json().await.unwrap();
    assert_eq!(after["is_mentor"], true);
    assert_eq!(after["max_open_cases"], 20);
    assert_eq!(after["name"], before["name"]);
    assert_eq!(after["unit_id"], before["unit_id"]);
    assert_eq!(after["version"], before["version"].as_i64().unwrap() + 1);
}
