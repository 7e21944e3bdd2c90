//! Password guessing is slowed down per address and per account, in the database, and cannot be
//! turned against an account's owner.

use std::time::{Duration, Instant};

use mediation::config::Config;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    fresh_data_dir, fresh_database_url, spawn_app, start_with, TestApp, PASSWORD,
};

/// An app behind a (pretend) reverse proxy: the client's address is taken from X-Forwarded-For.
async fn behind_a_proxy() -> TestApp {
    let mut config = Config::for_database(&fresh_database_url().await);
    config.data_dir = fresh_data_dir();
    config.trust_proxy = true;
    let app = start_with(config).await;
    mediation::demo::load_if_empty(&app.db).await.expect("demo");
    app
}

async fn sign_in_from(app: &TestApp, address: &str, username: &str, password: &str) -> StatusCode {
    app.api
        .post(app.url("/api/v1/auth/token"))
        .header("x-forwarded-for", format!("10.9.9.9, {address}"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("sign-in")
        .status()
}

#[tokio::test]
async fn one_address_trying_many_accounts_is_slowed_down_but_other_addresses_are_not() {
    let app = behind_a_proxy().await;
    let mut statuses = Vec::new();
    for i in 0..25 {
        statuses.push(sign_in_from(&app, "203.0.113.7", &format!("user{i}"), "guess").await);
    }
    assert!(
        statuses[..20]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert!(
        statuses[20..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert_eq!(
        sign_in_from(&app, "192.0.2.10", "viewer", PASSWORD).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn someone_elses_guesses_do_not_lock_the_owner_out() {
    let app = behind_a_proxy().await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(sign_in_from(&app, "198.51.100.1", "viewer", "not the password").await);
    }
    assert!(
        statuses[..5].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert!(
        statuses[5..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // The guesser is held back even with the right password; the owner, elsewhere, is not.
    assert_eq!(
        sign_in_from(&app, "198.51.100.1", "viewer", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        sign_in_from(&app, "192.0.2.50", "viewer", PASSWORD).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_forwarded_address_is_not_believed_unless_the_proxy_is_trusted() {
    let app = spawn_app().await;
    let mut last = StatusCode::OK;
    for i in 0..6 {
        // Each try claims another address; without TRUST_PROXY they all count as the peer's.
        last = sign_in_from(&app, &format!("203.0.113.{i}"), "viewer", "guess").await;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_wrong_guess_for_an_unknown_account_costs_as_long_as_for_a_known_one() {
    let app = behind_a_proxy().await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    // Alternating, each from its own address so that no limit trips.
    for i in 0..5 {
        let started = Instant::now();
        sign_in_from(&app, &format!("192.0.2.{}", 100 + i), "viewer", "guess").await;
        known.push(started.elapsed());
        let started = Instant::now();
        sign_in_from(
            &app,
            &format!("192.0.2.{}", 200 + i),
            "nobody-here",
            "guess",
        )
        .await;
        unknown.push(started.elapsed());
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[2], unknown[2]);
    println!("median wrong guess: known account {k:?}, unknown account {u:?}");
    // Both pay for a full password check; a noisy machine gets a generous band.
    assert!(u * 4 > k && k * 4 > u, "known {k:?}, unknown {u:?}");
    assert!(u > Duration::from_millis(1));
}
