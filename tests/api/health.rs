use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_and_readiness_answer_without_signing_in() {
    let app = spawn_app().await;
    let res = app.api.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.api.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn the_openapi_document_lists_every_api_route() {
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
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/v1/auth/token", &["post", "delete"][..]),
        ("/api/v1/auth/me", &["get"]),
        ("/api/v1/auth/password", &["post"]),
        ("/api/v1/units", &["get", "post"]),
        ("/api/v1/units/{id}", &["get", "patch"]),
        ("/api/v1/mediators", &["get", "post"]),
        ("/api/v1/mediators/{id}", &["get", "patch"]),
        ("/api/v1/users", &["get", "post"]),
        ("/api/v1/users/{id}", &["get", "patch"]),
        ("/healthz", &["get"]),
        ("/readyz", &["get"]),
    ] {
        for m in methods {
            assert!(
                paths.get(path).and_then(|p| p.get(*m)).is_some(),
                "{m} {path} missing from OpenAPI"
            );
        }
    }
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413_in_the_error_shape() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let huge = "x".repeat(300 * 1024);
    let res = app
        .post(
            &token,
            "/api/v1/units",
            &serde_json::json!({"code": "BIG", "name": huge}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_large");
}
