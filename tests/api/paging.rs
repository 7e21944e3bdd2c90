//! No paging input can break a list: a page or page size out of range is refused once, naming
//! the field, for every list of the API and of the pages.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{field_error, spawn_app};

const API_LISTS: [&str; 8] = [
    "/api/v1/cases",
    "/api/v1/units",
    "/api/v1/mediators",
    "/api/v1/users",
    "/api/v1/calendar/days",
    "/api/v1/mentorships",
    "/api/v1/subsidy/periods",
    "/api/v1/notifications",
];

const PAGE_LISTS: [(&str, &str); 6] = [
    ("coordinator", "/cases"),
    ("admin", "/units"),
    ("admin", "/mediators"),
    ("admin", "/users"),
    ("coordinator", "/mentorships"),
    ("finance", "/subsidy"),
];

#[tokio::test]
async fn a_page_whose_offset_would_overflow_is_refused_naming_the_field_on_every_list() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    for list in API_LISTS {
        for (query, field) in [
            ("page=9223372036854775807", "page"),
            ("page=0", "page"),
            ("page=100001", "page"),
            ("per_page=0", "per_page"),
            ("per_page=201", "per_page"),
            ("page=18446744073709551615&per_page=200", "page"),
        ] {
            let res = app.get(&admin, &format!("{list}?{query}")).await;
            assert_eq!(
                res.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{list}?{query}"
            );
            let body: Value = res.json().await.expect("json");
            assert!(
                field_error(&body, field).is_some(),
                "{list}?{query}: {body}"
            );
        }
        let res = app
            .get(&admin, &format!("{list}?page=100000&per_page=200"))
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{list}: the deepest page is empty"
        );
    }
    for (role, list) in PAGE_LISTS {
        let browser = app.browser(role).await;
        let (status, html) = browser
            .get(&format!("{list}?page=9223372036854775807"))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{list}");
        assert!(html.contains("页码须在 1 到 100000 之间"), "{list}: {html}");
    }
}
