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

/// The `<td …>` opening tags of each `<table class="list…">` of a page, with the table's headings.
fn list_tables(html: &str) -> Vec<(Vec<String>, Vec<String>)> {
    html.split("<table class=\"list")
        .skip(1)
        .map(|rest| {
            let table = rest.split("</table>").next().unwrap_or_default();
            let headings = table
                .split("<th>")
                .skip(1)
                .map(|th| th.split("</th>").next().unwrap_or_default().to_owned())
                .collect();
            let cells = table
                .split("<td")
                .skip(1)
                .map(|td| td.split('>').next().unwrap_or_default().to_owned())
                .collect();
            (headings, cells)
        })
        .collect()
}

#[tokio::test]
async fn the_tables_of_a_mediators_record_label_every_cell_for_a_phone() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let station = app.unit_id(&token, "JB-C01").await;
    let list: Value = app
        .get(&token, &format!("/api/v1/mediators?unit_id={station}"))
        .await
        .json()
        .await
        .unwrap();
    let lead = list["items"][0]["id"].as_i64().unwrap();
    // A case led by them, so that both tables (by grade, by dispute type) have rows.
    let case: Value = app
        .post(&token, "/api/v1/cases", &json!({
            "intake_unit_id": station, "dispute_type": "overtime", "source": "walk_in", "summary": "加班费",
            "amount_claimed_fen": 100_000, "people_involved": 1,
            "parties": [{"role": "applicant", "kind": "person", "name": "甲"}, {"role": "respondent", "kind": "organisation", "name": "乙公司"}]
        }))
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .post(
            &token,
            &format!("/api/v1/cases/{}/actions", case["id"]),
            &json!({"action": "accept", "version": case["version"], "lead_mediator_id": lead}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let browser = app.browser("viewer").await;
    let (status, html) = browser.get(&format!("/mediators/{lead}")).await;
    assert_eq!(status, StatusCode::OK);
    let tables = list_tables(&html);
    assert_eq!(tables.len(), 2, "by grade and by dispute type");
    for (headings, cells) in tables {
        assert!(!cells.is_empty());
        // On a phone the headings are hidden and each cell shows its label (app.css) instead.
        for cell in cells {
            let label = cell
                .split("data-label=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_else(|| panic!("a cell without a label: <td{cell}>"));
            assert!(
                headings.iter().any(|h| h == label),
                "{label} not in {headings:?}"
            );
        }
    }
}
