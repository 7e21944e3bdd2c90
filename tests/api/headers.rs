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

#[tokio::test]
async fn a_nul_byte_in_a_text_field_is_refused_naming_the_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let token = app.token("coordinator").await;
    let station = app.unit_id(&token, "JB-C01").await;
    let res = app
        .post(
            &token,
            "/api/v1/cases",
            &serde_json::json!({
                "intake_unit_id": station, "dispute_type": "wage_arrears", "source": "walk_in",
                "summary": "欠薪\u{0}", "amount_claimed_fen": 1, "people_involved": 1,
                "parties": [{"role": "applicant", "kind": "person", "name": "甲"},
                            {"role": "respondent", "kind": "organisation", "name": "乙"}]
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = res.json().await.expect("json");
    assert!(
        crate::helpers::field_error(&body, "summary").is_some(),
        "{body}"
    );
    let list: serde_json::Value = app
        .get(&token, "/api/v1/cases")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 0);

    // The same from a page form.
    let browser = app.browser("admin").await;
    let res = browser
        .submit(
            "/units/new",
            "/units",
            &[
                ("code", "JB-X1"),
                ("name", "坏\u{1}名字"),
                ("kind", "village_station"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("page");
    assert!(html.contains("name: 含有无法显示的控制字符"), "{html}");
}
