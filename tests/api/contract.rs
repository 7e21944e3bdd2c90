//! The API contract (DESIGN §6): the OpenAPI document states what the server enforces, and the
//! server accepts what the document allows. schemathesis judges the two from outside
//! (`.ci/schemathesis.sh`); these tests pin the conventions behind it.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{field_error, spawn_app, spawn_app_with_demo_cases};

async fn openapi(app: &crate::helpers::TestApp) -> Value {
    app.api
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn an_unknown_field_holding_control_characters_is_ignored_and_a_known_one_is_refused_naming_it(
) {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let hub = app.unit_id(&admin, "JB").await;
    let res = app
        .post(
            &admin,
            "/api/v1/units",
            &json!({
                "code": "JB-CC1", "name": "控制字符站", "kind": "village_station", "parent_id": hub,
                "": {"x\u{1}": "y\u{7}"}, "note\u{13}": ["z\u{0}"]
            }),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );

    let res = app
        .post(
            &admin,
            "/api/v1/units",
            &json!({"code": "JB-CC2", "name": "坏\u{7}名", "kind": "village_station", "parent_id": hub}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert!(field_error(&body, "name").is_some(), "{body}");
}

#[tokio::test]
async fn a_value_of_the_wrong_type_is_refused_naming_the_field_and_a_whole_number_may_be_written_3_0(
) {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let hub = app.unit_id(&admin, "JB").await;
    let res = app
        .post(
            &admin,
            "/api/v1/units",
            &json!({"code": "JB-T1", "name": 5, "kind": "village_station", "parent_id": hub}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert!(field_error(&body, "name").is_some(), "{body}");

    // JSON Schema's `integer` includes 3.0; so does the server.
    let res = app
        .post(
            &admin,
            "/api/v1/units",
            &json!({"code": "JB-T2", "name": "整数站", "kind": "village_station", "parent_id": hub as f64}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let unit: Value = res.json().await.unwrap();
    assert_eq!(unit["parent_id"], hub);
    let res = app
        .post(
            &admin,
            "/api/v1/units",
            &json!({"code": "JB-T3", "name": "小数站", "kind": "village_station", "parent_id": 1.5}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert!(field_error(&body, "parent_id").is_some(), "{body}");
}

#[tokio::test]
async fn the_openapi_document_declares_what_the_server_enforces() {
    let app = spawn_app().await;
    let doc = openapi(&app).await;

    // Query fields are in the query, optional, and paging carries its limits.
    let parameters = doc["paths"]["/api/v1/cases"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let param = |name: &str| {
        parameters
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(param("per_page")["in"], "query");
    assert_eq!(param("per_page")["required"], false);
    assert_eq!(param("per_page")["schema"]["anyOf"][0]["minimum"], 1);
    assert_eq!(param("per_page")["schema"]["anyOf"][0]["maximum"], 200);
    assert_eq!(param("page")["schema"]["anyOf"][0]["minimum"], 1);
    // A filter is one of its names, or blank for none.
    let statuses = param("status")["schema"]["anyOf"][0]["enum"]
        .as_array()
        .unwrap();
    assert!(statuses.contains(&json!("registered")), "{statuses:?}");
    assert_eq!(
        param("received_from")["schema"]["anyOf"][0]["format"],
        "date"
    );

    // Every operation declares its refusals in the error shape.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = &operation["responses"];
            for code in ["400", "404", "422"] {
                assert_eq!(
                    responses[code]["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path} {code}"
                );
            }
            if method != "get" {
                for code in ["409", "413", "503"] {
                    assert!(responses.get(code).is_some(), "{method} {path} {code}");
                }
            }
        }
    }
    assert!(doc["paths"]["/api/v1/auth/token"]["post"]["responses"]
        .get("429")
        .is_some());

    // A create body names what it needs; its PATCH needs nothing (absent or null: unchanged).
    let schemas = &doc["components"]["schemas"];
    let required = schemas["UnitBody"]["required"].as_array().unwrap();
    for field in ["code", "name", "kind"] {
        assert!(required.contains(&json!(field)), "{field}");
    }
    assert_eq!(schemas["UnitBody"]["properties"]["name"]["maxLength"], 200);
    assert_eq!(
        doc["paths"]["/api/v1/units/{id}"]["patch"]["requestBody"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/UnitBodyPatch"
    );
    assert!(schemas["UnitBodyPatch"].get("required").is_none());
    let kinds = schemas["UnitBody"]["properties"]["kind"]["enum"]
        .as_array()
        .unwrap();
    assert!(kinds.contains(&json!("village_station")));

    // An action's shape follows its name.
    let accept = schemas["ActionBody"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["properties"]["action"]["enum"] == json!(["accept"]))
        .expect("accept");
    assert_eq!(
        accept["required"],
        json!(["action", "version", "lead_mediator_id"])
    );
}

#[tokio::test]
async fn a_role_that_may_not_record_is_refused_with_403_before_the_fields_are_read() {
    let app = spawn_app_with_demo_cases().await;
    let coordinator = app.token("coordinator").await;
    let viewer = app.token("viewer").await;
    let list: Value = app
        .get(&coordinator, "/api/v1/cases?status=mediating")
        .await
        .json()
        .await
        .unwrap();
    let id = list["items"][0]["id"].as_i64().expect("a mediating case");
    for record in ["sessions", "agreement", "follow_ups"] {
        let path = format!("/api/v1/cases/{id}/{record}");
        let res = app.post(&viewer, &path, &json!({})).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
        // Someone who may record gets the fields named instead.
        let res = app.post(&coordinator, &path, &json!({})).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
    }
}

#[tokio::test]
async fn an_array_where_the_contract_says_an_object_is_refused_at_any_depth() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    // serde would read a struct from its fields in order; the contract says an object.
    let res = app
        .api
        .put(app.url("/api/v1/notifications/preferences"))
        .bearer_auth(&admin)
        .json(&json!([{"escalated": false}]))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "bad_request", "{body}");

    let nested = json!({
        "simple": [null, null],
        "ordinary": {"always": [], "resolved": []},
        "complex": {"always": [], "resolved": []},
        "major": {"always": [], "resolved": []}
    });
    let res = app
        .api
        .put(app.url("/api/v1/settings/case_file"))
        .bearer_auth(&admin)
        .json(&nested)
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.expect("json");
    assert!(field_error(&body, "simple").is_some(), "{body}");

    // Lists and objects in their places still read as before, and a blank name is nothing chosen.
    let mut fine = nested;
    fine["simple"] = json!({"always": ["session_record", " "], "resolved": []});
    let res = app
        .api
        .put(app.url("/api/v1/settings/case_file"))
        .bearer_auth(&admin)
        .json(&fine)
        .send()
        .await
        .expect("put");
    let status = res.status();
    let saved: Value = res.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["simple"]["always"], json!(["session_record"]));
}
