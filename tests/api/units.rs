use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

use crate::helpers::{field_error, spawn_app};

#[tokio::test]
async fn the_demo_street_has_the_network_of_the_design() {
    let app = spawn_app().await;
    let token = app.token("viewer").await;
    for (kind, count) in [
        ("street_hub", 1),
        ("village_station", 23),
        ("specialist_room", 4),
        ("mentor_workstation", 7),
    ] {
        let body: Value = app
            .get(&token, &format!("/api/v1/units?kind={kind}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["total"], count, "{kind}");
    }
    let body: Value = app
        .get(&token, "/api/v1/units?q=JB&per_page=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["items"][0]["code"], "JB");
}

#[tokio::test]
async fn an_admin_creates_a_station_under_the_hub() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let hub = app.unit_id(&token, "JB").await;
    let res = app
        .post(&token, "/api/v1/units", &json!({"code": "jb-c24", "name": "新湾社区和谐劳动关系工作站", "kind": "village_station", "parent_id": hub}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let unit: Value = res.json().await.unwrap();
    assert_eq!(unit["code"], "JB-C24");
    assert_eq!(unit["active"], true);
    let shown: Value = app
        .get(&token, &format!("/api/v1/units/{}", unit["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["name"], "新湾社区和谐劳动关系工作站");
}

#[tokio::test]
async fn bad_units_are_refused_naming_each_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let before = entity::units::Entity::find().count(&app.db).await.unwrap();
    let station = app.unit_id(&token, "JB-C01").await;
    let hub = app.unit_id(&token, "JB").await;
    let cases = [
        (
            json!({"code": "A1", "name": "", "kind": "village_station", "parent_id": hub}),
            "name",
        ),
        (
            json!({"code": "A1", "name": "x", "kind": "castle", "parent_id": hub}),
            "kind",
        ),
        (
            json!({"code": "A1", "name": "x", "kind": "village_station", "parent_id": station}),
            "parent_id",
        ),
        (
            json!({"code": "A1", "name": "x", "kind": "village_station", "parent_id": 999999}),
            "parent_id",
        ),
        (
            json!({"code": "A1", "name": "x", "kind": "village_station"}),
            "parent_id",
        ),
        (
            json!({"code": "A1", "name": "x", "kind": "specialist_room", "parent_id": hub}),
            "department",
        ),
        (
            json!({"code": "A1", "name": "x", "kind": "village_station", "parent_id": hub, "department": "court"}),
            "department",
        ),
        (
            json!({"code": "JB-C01", "name": "x", "kind": "village_station", "parent_id": hub}),
            "code",
        ),
        (
            json!({"code": "A 1!", "name": "x", "kind": "village_station", "parent_id": hub}),
            "code",
        ),
        (
            json!({"code": "A1", "name": "x", "kind": "village_station", "parent_id": "three"}),
            "parent_id",
        ),
        (
            json!({"code": "A1", "name": "x".repeat(201), "kind": "village_station", "parent_id": hub}),
            "name",
        ),
    ];
    for (body, field) in cases {
        let res = app.post(&token, "/api/v1/units", &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"]["code"], "invalid");
        assert!(
            field_error(&err, field).is_some(),
            "{field} not named for {body}: {err}"
        );
    }
    let res = app
        .api
        .post(app.url("/api/v1/units"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"code\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        entity::units::Entity::find().count(&app.db).await.unwrap(),
        before
    );
}

#[tokio::test]
async fn only_admins_create_or_change_units() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let hub = app.unit_id(&admin, "JB").await;
    for role in ["coordinator", "mediator", "finance", "viewer"] {
        let token = app.token(role).await;
        let res = app
            .post(
                &token,
                "/api/v1/units",
                &json!({"code": "Z9", "name": "x", "kind": "village_station", "parent_id": hub}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} created a unit");
        let res = app
            .patch(
                &token,
                &format!("/api/v1/units/{hub}"),
                &json!({"name": "x"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} changed a unit");
    }
    assert_eq!(
        app.get(&admin, "/api/v1/units/999999").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_stale_version_is_409_and_writes_nothing() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let id = app.unit_id(&token, "JB-C02").await;
    let res = app
        .patch(
            &token,
            &format!("/api/v1/units/{id}"),
            &json!({"name": "第一次", "version": 1}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .patch(
            &token,
            &format!("/api/v1/units/{id}"),
            &json!({"name": "第二次", "version": 1}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let unit: Value = app
        .get(&token, &format!("/api/v1/units/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unit["name"], "第一次");
    assert_eq!(unit["version"], 2);
}

#[tokio::test]
async fn two_admins_editing_one_unit_at_once_exactly_one_wins() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let id = app.unit_id(&token, "JB-C03").await;
    let path = format!("/api/v1/units/{id}");
    let a_body = json!({"name": "甲", "version": 1});
    let b_body = json!({"name": "乙", "version": 1});
    let (a, b) = tokio::join!(
        app.patch(&token, &path, &a_body),
        app.patch(&token, &path, &b_body)
    );
    let mut codes = [a.status().as_u16(), b.status().as_u16()];
    codes.sort();
    assert_eq!(codes, [200, 409]);
}

#[tokio::test]
async fn deactivating_a_unit_keeps_it_on_record() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let id = app.unit_id(&token, "JB-C04").await;
    let res = app
        .patch(
            &token,
            &format!("/api/v1/units/{id}"),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let unit: Value = app
        .get(&token, &format!("/api/v1/units/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unit["active"], false);
    let active: Value = app
        .get(&token, "/api/v1/units?active=true&kind=village_station")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(active["total"], 22);
}
