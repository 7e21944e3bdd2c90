//! Security headers on every answer: nothing personal is cached, no powerful browser feature is
//! offered, and HTTPS is pinned when the app is served over it.

use mediation::config::Config;
use reqwest::StatusCode;

use crate::helpers::{fresh_data_dir, fresh_database_url, spawn_app, start_with};

#[tokio::test]
async fn signed_in_pages_and_api_answers_are_never_cached_but_the_stylesheet_is() {
    let app = spawn_app().await;
    let browser = app.browser("coordinator").await;
    for path in ["/cases", "/queue", "/login"] {
        let res = browser
            .client
            .get(browser.url(path))
            .send()
            .await
            .expect("page");
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
        assert!(
            res.headers()["permissions-policy"]
                .to_str()
                .expect("ascii")
                .contains("camera=()"),
            "{path}"
        );
        assert!(
            !res.headers().contains_key("strict-transport-security"),
            "no HSTS over plain HTTP"
        );
    }
    let token = app.token("coordinator").await;
    let res = app.get(&token, "/api/v1/cases").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let res = app.get(&token, "/api/v1/no/such/thing").await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    let css = browser
        .client
        .get(browser.url("/static/app.css"))
        .send()
        .await
        .expect("css");
    assert!(css.headers()["cache-control"]
        .to_str()
        .expect("ascii")
        .starts_with("public"));
}

#[tokio::test]
async fn with_secure_cookies_every_answer_pins_https() {
    let mut config = Config::for_database(&fresh_database_url().await);
    config.data_dir = fresh_data_dir();
    config.secure_cookies = true;
    let app = start_with(config).await;
    let res = app.api.get(app.url("/login")).send().await.expect("page");
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}
