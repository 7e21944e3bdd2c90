use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{field_error, spawn_app, PASSWORD};

#[tokio::test]
async fn a_token_signs_in_to_the_api_and_is_refused_after_revoking() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let me: Value = app
        .get(&token, "/api/v1/auth/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "coordinator");
    let res = app
        .api
        .delete(app.url("/api/v1/auth/token"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&token, "/api/v1/auth/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn no_token_or_a_made_up_one_is_401_in_the_error_shape() {
    let app = spawn_app().await;
    let res = app.api.get(app.url("/api/v1/units")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    assert_eq!(
        app.get("not-a-token", "/api/v1/units").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    let wrong = app
        .post(
            "",
            "/api/v1/auth/token",
            &json!({"username": "admin", "password": "wrong password!"}),
        )
        .await;
    let unknown = app
        .post(
            "",
            "/api/v1/auth/token",
            &json!({"username": "nobody", "password": "wrong password!"}),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let a: Value = wrong.json().await.unwrap();
    let b: Value = unknown.json().await.unwrap();
    assert_eq!(a, b);
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_slowed_down_even_with_the_right_password() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let res = app
            .post(
                "",
                "/api/v1/auth/token",
                &json!({"username": "finance", "password": "guess guess guess"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = app
        .post(
            "",
            "/api/v1/auth/token",
            &json!({"username": "finance", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    // Another account is not affected.
    app.token("viewer").await;
}

#[tokio::test]
async fn changing_the_password_checks_the_rule_and_ends_old_tokens() {
    let app = spawn_app().await;
    let token = app.token("viewer").await;
    let res = app
        .post(
            &token,
            "/api/v1/auth/password",
            &json!({"current_password": PASSWORD, "new_password": "1234567890"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert!(field_error(&body, "new_password").is_some());

    let res = app
        .post(
            &token,
            "/api/v1/auth/password",
            &json!({"current_password": "not it at all", "new_password": "a river runs through"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let res = app
        .post(
            &token,
            "/api/v1/auth/password",
            &json!({"current_password": PASSWORD, "new_password": "a river runs through"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&token, "/api/v1/auth/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.token_with("viewer", "a river runs through").await;
}

#[tokio::test]
async fn errors_speak_english_when_asked() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let res = app
        .api
        .post(app.url("/api/v1/units"))
        .bearer_auth(&token)
        .header("accept-language", "en-US,en;q=0.9")
        .json(&json!({"code": "X1"}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(field_error(&body, "name").as_deref(), Some("Required."));
    let res = app
        .post(&token, "/api/v1/units", &json!({"code": "X1"}))
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(field_error(&body, "name").as_deref(), Some("必填。"));
}
