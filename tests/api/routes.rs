//! Every link and form of every page, for every role, lands on a route that answers it; an unknown
//! path answers the not-found page or the JSON error.

use reqwest::StatusCode;
use serde_json::Value;

use crate::crawl::{crawl, submit_forms};
use crate::helpers::spawn_app_with_demo_cases;

#[tokio::test]
async fn every_link_and_form_of_the_demo_street_resolves_for_every_role() {
    let app = spawn_app_with_demo_cases().await;
    let mut broken = Vec::new();
    // Admin last: its forms deactivate accounts the others sign in with.
    for role in ["mediator", "coordinator", "finance", "viewer", "admin"] {
        let browser = app.browser(role).await;
        let mut seen = crawl(&browser, "/", 4).await;
        assert!(
            seen.pages.len() > 8,
            "{role} reached only {:?}",
            seen.pages.keys()
        );
        // The case page's forms (actions, records, files, related cases) are all among them.
        if role == "coordinator" {
            for shape in ["/cases/#/actions", "/cases/#/attachments", "/cases/#/group"] {
                assert!(
                    seen.forms
                        .iter()
                        .any(|f| crate::crawl::shape(&f.action) == shape),
                    "no form posts to {shape}"
                );
            }
        }
        submit_forms(&browser, &mut seen, 2).await;
        broken.extend(seen.broken.into_iter().map(|b| format!("{role}: {b}")));
    }
    assert!(
        broken.is_empty(),
        "broken links and forms:\n{}",
        broken.join("\n")
    );
}

#[tokio::test]
async fn an_unknown_path_answers_the_not_found_page_or_the_json_error() {
    let app = spawn_app_with_demo_cases().await;
    let browser = app.browser("coordinator").await;
    let (status, html) = browser.get("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("<html"), "an HTML page, not an empty body");
    assert!(html.contains("404"));

    let token = app.token("coordinator").await;
    let res = app.get(&token, "/api/v1/no/such/thing").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn a_path_or_method_axum_refuses_answers_in_the_error_shape() {
    let app = spawn_app_with_demo_cases().await;
    let token = app.token("coordinator").await;
    let res = app.get(&token, "/api/v1/cases/not-a-number").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.expect("json, not text/plain");
    assert_eq!(body["error"]["code"], "bad_request");
    let res = app
        .api
        .delete(app.url("/api/v1/cases"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "method_not_allowed");
    let browser = app.browser("coordinator").await;
    let (status, html) = browser.get("/cases/not-a-number").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("<html"), "the error page");
}
