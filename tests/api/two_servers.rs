//! Two app servers on one database (the PostgreSQL deployment of DESIGN §8; on SQLite two
//! processes may share a file the same way): nothing a user relies on lives in one server's
//! memory or disk.

use std::collections::BTreeSet;
use std::time::Duration;

use entity::notification_attempts;
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{json, Value};

use crate::helpers::{csrf_of, fresh_database_url, Browser, TestApp, PASSWORD};
use crate::notifications::{
    escalate_new_case, give_email, mail_config, parse_mail, start, SmtpServer,
};

fn new_case(station: i64, applicant: &str) -> Value {
    json!({
        "intake_unit_id": station, "dispute_type": "wage_arrears", "source": "walk_in",
        "summary": "两台服务器同时受理", "amount_claimed_fen": 120000, "people_involved": 1,
        "parties": [
            {"role": "applicant", "kind": "person", "name": applicant},
            {"role": "respondent", "kind": "organisation", "name": "某某配送站"}
        ]
    })
}

/// The running number at the end of a case number (`JB-2026-00012` → 12).
fn seq_of(case_no: &str) -> u64 {
    case_no
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("case number {case_no}"))
}

#[tokio::test]
async fn two_servers_on_one_database_share_sessions_tokens_files_numbers_throttle_and_outbox() {
    let smtp = SmtpServer::start().await;
    let url = fresh_database_url().await;
    let one = start(mail_config(&url, Some(smtp.url())), true).await;
    let two = start(mail_config(&url, Some(smtp.url())), false).await;
    let (a, b) = (&one.app, &two.app);

    // A browser signed in on one server is signed in on the other (cookies do not tell ports
    // apart, as behind one load balancer).
    let browser = a.browser("coordinator").await;
    let on_b = Browser {
        client: browser.client.clone(),
        address: b.address.clone(),
    };
    let (status, html) = on_b.get("/queue").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("coordinator") || html.contains("周主任"));

    // A token issued by one is honoured by the other.
    let mediator = a.token("mediator").await;
    let res = b.get(&mediator, "/api/v1/cases").await;
    assert_eq!(res.status(), StatusCode::OK);

    // A file uploaded from the case page on one server downloads from the other.
    let station = a.unit_id(&mediator, "JB-C01").await;
    let case: Value = a
        .post(&mediator, "/api/v1/cases", &new_case(station, "张一"))
        .await
        .json()
        .await
        .expect("json");
    let id = case["id"].as_i64().expect("id");
    let (_, page) = browser.get(&format!("/cases/{id}")).await;
    let csrf = csrf_of(&page);
    let pdf = "%PDF-1.4\n% 两台服务器\n".repeat(40_000).into_bytes();
    let form = reqwest::multipart::Form::new()
        .text("kind", "evidence")
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf.clone()).file_name("证据.pdf"),
        );
    let res = browser
        .client
        .post(browser.url(&format!("/cases/{id}/attachments?_csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the page upload redirects"
    );
    let detail: Value = b
        .get(&mediator, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .expect("json");
    let file_id = detail["attachments"][0]["id"].as_i64().expect("attachment");
    let res = on_b
        .client
        .get(on_b.url(&format!("/cases/{id}/attachments/{file_id}")))
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .starts_with("attachment;"));
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), pdf);

    // Case numbers taken in at the same time on both servers have no gap and no repeat.
    let mut intakes = Vec::new();
    for i in 0..16 {
        let server: &TestApp = if i % 2 == 0 { a } else { b };
        let body = new_case(station, &format!("工人{i}"));
        let token = mediator.clone();
        intakes.push(async move {
            let res = server.post(&token, "/api/v1/cases", &body).await;
            assert_eq!(res.status(), StatusCode::CREATED);
            res.json::<Value>().await.expect("json")
        });
    }
    let taken = futures_util::future::join_all(intakes).await;
    let mut numbers: Vec<u64> = taken
        .iter()
        .map(|c| seq_of(c["case_no"].as_str().expect("case_no")))
        .collect();
    numbers.push(seq_of(case["case_no"].as_str().expect("case_no")));
    numbers.sort_unstable();
    let first = numbers[0];
    let expected: Vec<u64> = (first..first + numbers.len() as u64).collect();
    assert_eq!(numbers, expected, "gap-free and unique across both servers");

    // Failed sign-ins on one server count on the other.
    for i in 0..5 {
        let server = if i % 2 == 0 { a } else { b };
        let res = server
            .api
            .post(server.url("/api/v1/auth/token"))
            .json(&json!({"username": "viewer", "password": "wrong"}))
            .send()
            .await
            .expect("sign-in");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = b
        .api
        .post(b.url("/api/v1/auth/token"))
        .json(&json!({"username": "viewer", "password": PASSWORD}))
        .send()
        .await
        .expect("sign-in");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);

    // Each e-mail is sent once, whichever server's worker picks it up.
    give_email(a, "coordinator", "zhou@hub.example.test").await;
    for i in 0..6 {
        let server = if i % 2 == 0 { a } else { b };
        escalate_new_case(server, "两台服务器").await;
    }
    let got = smtp.wait_for(6).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.messages().len(), 6, "no message twice");
    let ids: BTreeSet<String> = got.iter().map(|m| parse_mail(&m.data).message_id).collect();
    assert_eq!(ids.len(), 6);
    let attempts = notification_attempts::Entity::find()
        .all(&a.db)
        .await
        .expect("attempts");
    assert_eq!(attempts.len(), 6, "one try each");

    one.shut_down().await;
    two.shut_down().await;
}
