use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{field_error, spawn_app};

#[tokio::test]
async fn an_admin_creates_an_account_that_can_sign_in_and_never_sees_its_password() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let res = app
        .post(&token, "/api/v1/users", &json!({"username": "Clerk2", "password": "spring rain on the roof", "role": "finance"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let text = res.text().await.unwrap();
    assert!(!text.contains("password"), "{text}");
    let user: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(user["username"], "clerk2");
    app.token_with("clerk2", "spring rain on the roof").await;
}

#[tokio::test]
async fn weak_passwords_and_taken_usernames_are_refused_by_field() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    for (body, field) in [
        (
            json!({"username": "u1", "password": "short", "role": "viewer"}),
            "password",
        ),
        (
            json!({"username": "u1", "password": "12345678901234", "role": "viewer"}),
            "password",
        ),
        (
            json!({"username": "u1verylong", "password": "u1verylong", "role": "viewer"}),
            "password",
        ),
        (
            json!({"username": "u1", "password": "password123", "role": "viewer"}),
            "password",
        ),
        (
            json!({"username": "admin", "password": "a long enough phrase", "role": "viewer"}),
            "username",
        ),
        (
            json!({"username": "u1", "password": "a long enough phrase", "role": "king"}),
            "role",
        ),
        (
            json!({"username": "u1", "password": "a long enough phrase", "role": "mediator"}),
            "mediator_id",
        ),
        (
            json!({"username": "u1", "password": "a long enough phrase", "role": "viewer", "unit_id": 99999}),
            "unit_id",
        ),
        (
            json!({"username": "u1", "password": "a long enough phrase", "role": "viewer", "email": "nope"}),
            "email",
        ),
    ] {
        let res = app.post(&token, "/api/v1/users", &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let err: Value = res.json().await.unwrap();
        assert!(field_error(&err, field).is_some(), "{field}: {err}");
    }
}

#[tokio::test]
async fn only_admins_reach_accounts_and_others_see_only_themselves() {
    let app = spawn_app().await;
    for role in ["coordinator", "mediator", "finance", "viewer"] {
        let token = app.token(role).await;
        assert_eq!(
            app.get(&token, "/api/v1/users").await.status(),
            StatusCode::FORBIDDEN,
            "{role}"
        );
        let res = app
            .post(
                &token,
                "/api/v1/users",
                &json!({"username": "x1", "password": "a long enough phrase", "role": "admin"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role}");
        let me: Value = app
            .get(&token, "/api/v1/auth/me")
            .await
            .json()
            .await
            .unwrap();
        let own = app
            .get(&token, &format!("/api/v1/users/{}", me["id"]))
            .await;
        assert_eq!(own.status(), StatusCode::OK);
        // The admin account (id 1) is out of scope: 404, not 403.
        assert_eq!(
            app.get(&token, "/api/v1/users/1").await.status(),
            StatusCode::NOT_FOUND,
            "{role}"
        );
    }
}

#[tokio::test]
async fn a_deactivated_account_is_signed_out_and_cannot_sign_in() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let viewer = app.token("viewer").await;
    let me: Value = app
        .get(&viewer, "/api/v1/auth/me")
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/users/{}", me["id"]),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.get(&viewer, "/api/v1/auth/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app
        .post(
            "",
            "/api/v1/auth/token",
            &json!({"username": "viewer", "password": crate::helpers::PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_admin_cannot_lock_themselves_out() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let me: Value = app
        .get(&admin, "/api/v1/auth/me")
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/users/{}", me["id"]);
    assert_eq!(
        app.patch(&admin, &path, &json!({"active": false}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.patch(&admin, &path, &json!({"role": "viewer"}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
