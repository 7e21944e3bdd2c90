use entity::{audit_log, settings};
use mediation::domain::grading::GradingThresholds;
use mediation::services::settings as settings_service;
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::helpers::{field_error, spawn_app, Browser, TestApp};

const ROLES_NOT_ADMIN: [&str; 4] = ["coordinator", "mediator", "finance", "viewer"];
const PATH: &str = "/api/v1/settings/grading";

fn defaults() -> Value {
    json!({
        "major_people": 30, "major_amount_fen": 100_000_000,
        "complex_people": 10, "complex_amount_fen": 10_000_000,
        "ordinary_people": 3, "ordinary_amount_fen": 1_000_000,
    })
}

async fn put(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.api
        .put(app.url(PATH))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn current(app: &TestApp, token: &str) -> Value {
    app.get(token, PATH).await.json().await.unwrap()
}

#[tokio::test]
async fn a_new_database_stores_the_default_thresholds_of_the_design() {
    let app = spawn_app().await;
    let token = app.token("viewer").await;
    let res = app.get(&token, PATH).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap(), defaults());
    let row = settings::Entity::find_by_id("grading_thresholds".to_owned())
        .one(&app.db)
        .await
        .unwrap()
        .expect("the defaults are stored");
    assert_eq!(row.updated_by, None);
}

#[tokio::test]
async fn an_admin_changes_the_thresholds_and_everyone_reads_them_back() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let new = json!({
        "major_people": 50, "major_amount_fen": 200_000_000,
        "complex_people": 10, "complex_amount_fen": 10_000_000,
        "ordinary_people": 5, "ordinary_amount_fen": 500_000,
    });
    let res = put(&app, &admin, &new).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap(), new);
    let viewer = app.token("viewer").await;
    assert_eq!(current(&app, &viewer).await, new);
    let t = settings_service::grading_thresholds(&app.db).await.unwrap();
    assert_eq!(t.major_people, 50);
    assert_eq!(t.ordinary_amount_fen, 500_000);
    let audited = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("settings.grading_thresholds"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(audited, 1);
    let row = settings::Entity::find_by_id("grading_thresholds".to_owned())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.updated_by.is_some());

    // Equal thresholds are in order; the next PUT replaces the stored row.
    let same = json!({
        "major_people": 10, "major_amount_fen": 10_000_000,
        "complex_people": 10, "complex_amount_fen": 10_000_000,
        "ordinary_people": 10, "ordinary_amount_fen": 10_000_000,
    });
    assert_eq!(put(&app, &admin, &same).await.status(), StatusCode::OK);
    assert_eq!(current(&app, &viewer).await, same);
}

#[tokio::test]
async fn thresholds_out_of_order_or_unreadable_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let with = |field: &str, value: Value| {
        let mut body = defaults();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = defaults();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    let cases = [
        (with("complex_people", json!(40)), "complex_people"),
        (with("complex_people", json!(40)), "major_people"),
        (with("ordinary_people", json!(11)), "ordinary_people"),
        (
            with("major_amount_fen", json!(9_999_999)),
            "major_amount_fen",
        ),
        (
            with("ordinary_amount_fen", json!(10_000_001)),
            "complex_amount_fen",
        ),
        (with("ordinary_people", json!(0)), "ordinary_people"),
        (
            with("ordinary_amount_fen", json!(-5)),
            "ordinary_amount_fen",
        ),
        (with("major_people", json!("many")), "major_people"),
        (with("major_people", json!(30.5)), "major_people"),
        (without("complex_amount_fen"), "complex_amount_fen"),
    ];
    for (body, field) in cases {
        let res = put(&app, &admin, &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"]["code"], "invalid");
        assert!(
            field_error(&err, field).is_some(),
            "{field} not named for {body}: {err}"
        );
    }
    let res = put(&app, &admin, &with("complex_people", json!(40))).await;
    let err: Value = res.json().await.unwrap();
    assert_eq!(
        field_error(&err, "complex_people").as_deref(),
        Some("不能高于重大疑难的门槛。")
    );
    assert_eq!(current(&app, &admin).await, defaults());
}

#[tokio::test]
async fn only_admins_change_the_thresholds() {
    let app = spawn_app().await;
    let mut body = defaults();
    body["major_people"] = json!(99);
    for role in ROLES_NOT_ADMIN {
        let token = app.token(role).await;
        let res = put(&app, &token, &body).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} changed them");
        assert_eq!(app.get(&token, PATH).await.status(), StatusCode::OK);
    }
    let res = app.api.get(app.url(PATH)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let admin = app.token("admin").await;
    assert_eq!(current(&app, &admin).await, defaults());
}

#[tokio::test]
async fn missing_or_unreadable_stored_thresholds_fall_back_to_the_defaults() {
    let app = spawn_app().await;
    let token = app.token("viewer").await;
    let row = settings::Entity::find_by_id("grading_thresholds".to_owned())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut broken: settings::ActiveModel = row.into();
    broken.value = Set("not json".to_owned());
    broken.update(&app.db).await.unwrap();
    assert_eq!(current(&app, &token).await, defaults());

    let partial = settings::ActiveModel {
        key: Set("grading_thresholds".to_owned()),
        value: Set(r#"{"major_people": 40}"#.to_owned()),
        ..Default::default()
    };
    partial.update(&app.db).await.unwrap();
    let t = settings_service::grading_thresholds(&app.db).await.unwrap();
    assert_eq!(
        t,
        GradingThresholds {
            major_people: 40,
            ..GradingThresholds::default()
        }
    );

    settings::Entity::delete_by_id("grading_thresholds".to_owned())
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(current(&app, &token).await, defaults());
}

#[tokio::test]
async fn the_settings_page_takes_yuan_and_shows_mistakes_beside_the_fields() {
    let app = spawn_app().await;
    let browser = app.browser("admin").await;
    let (_, home) = browser.get("/").await;
    assert!(home.contains(">规则设置</a>"), "admin navigation");
    let (status, html) = browser.get("/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("value=\"¥1,000,000.00\""), "{html}");
    assert!(html.contains("name=\"major_people\""));

    let res = browser
        .submit(
            "/settings",
            "/settings",
            &[
                ("major_people", "30"),
                ("major_amount_yuan", "1,000,000"),
                ("complex_people", "40"),
                ("complex_amount_yuan", "十万"),
                ("ordinary_people", ""),
                ("ordinary_amount_yuan", "10000"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"complex_amount_yuan-error\">请填写金额（元）"),
        "{html}"
    );
    assert!(
        html.contains("id=\"ordinary_people-error\">必填。"),
        "{html}"
    );
    assert!(html.contains("value=\"十万\""), "typed values are kept");

    let res = browser
        .submit(
            "/settings",
            "/settings",
            &[
                ("major_people", "30"),
                ("major_amount_yuan", "50000"),
                ("complex_people", "40"),
                ("complex_amount_yuan", "100000"),
                ("ordinary_people", "3"),
                ("ordinary_amount_yuan", "10000"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"complex_people-error\">不能高于重大疑难的门槛。"),
        "{html}"
    );
    assert!(
        html.contains("id=\"major_amount_yuan-error\">不能低于疑难复杂的门槛。"),
        "{html}"
    );
    let token = app.token("admin").await;
    assert_eq!(current(&app, &token).await, defaults());

    let res = browser
        .submit(
            "/settings",
            "/settings",
            &[
                ("major_people", "50"),
                ("major_amount_yuan", "¥2,000,000"),
                ("complex_people", "12"),
                ("complex_amount_yuan", "150000.5"),
                ("ordinary_people", "3"),
                ("ordinary_amount_yuan", "10000"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&Browser::location(&res).unwrap()).await;
    assert!(html.contains("已保存"));
    assert!(html.contains("value=\"¥150,000.50\""), "{html}");
    assert_eq!(
        current(&app, &token).await,
        json!({
            "major_people": 50, "major_amount_fen": 200_000_000,
            "complex_people": 12, "complex_amount_fen": 15_000_050,
            "ordinary_people": 3, "ordinary_amount_fen": 1_000_000,
        })
    );
}

#[tokio::test]
async fn other_roles_are_kept_out_of_the_settings_page() {
    let app = spawn_app().await;
    for role in ROLES_NOT_ADMIN {
        let browser = app.browser(role).await;
        // Every role's navigation, on a page every role may open (`/` sends finance on).
        let (_, home) = browser.get("/units").await;
        assert!(!home.contains(">规则设置</a>"), "{role} navigation");
        assert_eq!(
            browser.get("/settings").await.0,
            StatusCode::FORBIDDEN,
            "{role}"
        );
        let res = browser
            .submit(
                "/units",
                "/settings",
                &[
                    ("major_people", "99"),
                    ("major_amount_yuan", "1000000"),
                    ("complex_people", "10"),
                    ("complex_amount_yuan", "100000"),
                    ("ordinary_people", "3"),
                    ("ordinary_amount_yuan", "10000"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} changed them");
    }
    let token = app.token("admin").await;
    assert_eq!(current(&app, &token).await, defaults());
}

#[tokio::test]
async fn the_settings_routes_are_in_the_openapi_document() {
    let app = spawn_app().await;
    let doc: Value = app
        .api
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"][PATH]["get"].is_object());
    assert!(doc["paths"][PATH]["put"].is_object());
}
