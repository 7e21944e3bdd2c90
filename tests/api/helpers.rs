//! Spawning the app for a test: a fresh database per test, the demo street loaded, port 0.

use std::sync::atomic::{AtomicU64, Ordering};

use mediation::config::Config;
use mediation::demo;
use mediation::App;
use reqwest::{Client, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::Value;

pub const PASSWORD: &str = demo::DEMO_PASSWORD;

pub struct TestApp {
    pub address: String,
    pub db: DatabaseConnection,
    /// A client without cookies, for the API.
    pub api: Client,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name no other test (in this run or a parallel one) uses.
fn unique_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "mediation_test_{}_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000,
        n,
        rand::random::<u32>()
    )
}

/// A fresh, empty database URL: a new SQLite file, or a new PostgreSQL database created through
/// `TEST_DATABASE_URL`.
pub async fn fresh_database_url() -> String {
    let name = unique_name();
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let admin = Database::connect(&admin_url)
                .await
                .expect("TEST_DATABASE_URL must be reachable");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let base = admin_url
                .rsplit_once('/')
                .map(|(base, _)| base.to_owned())
                .expect("TEST_DATABASE_URL needs a database name");
            format!("{base}/{name}")
        }
        _ => {
            let dir = std::env::temp_dir().join("mediation-tests");
            std::fs::create_dir_all(&dir).expect("temp dir");
            format!("sqlite://{}", dir.join(format!("{name}.db")).display())
        }
    }
}

/// Starts the app with the demo street loaded.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(true).await
}

pub async fn spawn_app_with(load_demo: bool) -> TestApp {
    let url = fresh_database_url().await;
    let app = start_on(&url).await;
    if load_demo {
        demo::load_if_empty(&app.db).await.expect("demo loads");
    }
    app
}

/// Starts the app with everything a plain `cargo run` loads: the street, its cases in every
/// state, the mentor-apprentice pairs and the subsidy periods.
pub async fn spawn_app_with_demo_cases() -> TestApp {
    let url = fresh_database_url().await;
    let app = start_on(&url).await;
    demo::load_street_with_cases(&app.db, chrono_tz::Asia::Shanghai)
        .await
        .expect("demo loads")
        .expect("the database was empty");
    app
}

/// A folder for one test's files (mail written without SMTP).
pub fn fresh_data_dir() -> std::path::PathBuf {
    std::env::temp_dir()
        .join("mediation-tests")
        .join(unique_name())
}

/// Starts an app server over an existing database (several may share one).
pub async fn start_on(url: &str) -> TestApp {
    let mut config = Config::for_database(url);
    config.data_dir = fresh_data_dir();
    start_with(config).await
}

/// Starts an app server with these settings.
pub async fn start_with(config: Config) -> TestApp {
    let app = App::build(config).await.expect("app builds");
    let db = app.state.db.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        app.serve(listener, std::future::pending()).await.ok();
    });
    TestApp {
        address,
        db,
        api: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A bearer token for a demo account.
    pub async fn token(&self, username: &str) -> String {
        self.token_with(username, PASSWORD).await
    }

    pub async fn token_with(&self, username: &str, password: &str) -> String {
        let res = self
            .api
            .post(self.url("/api/v1/auth/token"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .expect("token request");
        assert_eq!(res.status(), StatusCode::OK, "sign-in of {username} failed");
        let body: Value = res.json().await.expect("json");
        body["token"].as_str().expect("token").to_owned()
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.api
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> Response {
        self.api
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch(&self, token: &str, path: &str, body: &Value) -> Response {
        self.api
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// A browser-like client (cookies, no redirects followed) signed in as a demo account.
    pub async fn browser(&self, username: &str) -> Browser {
        let browser = Browser::new(self);
        browser.sign_in(username, PASSWORD).await;
        browser
    }

    /// The id of the demo unit with this code.
    pub async fn unit_id(&self, token: &str, code: &str) -> i64 {
        let body: Value = self
            .get(token, &format!("/api/v1/units?q={code}&per_page=200"))
            .await
            .json()
            .await
            .expect("json");
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|u| u["code"] == code)
            .and_then(|u| u["id"].as_i64())
            .unwrap_or_else(|| panic!("no unit {code}"))
    }
}

/// A cookie-keeping client that posts forms with their CSRF token, as a browser does.
pub struct Browser {
    pub client: Client,
    pub address: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser {
            client: Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            address: app.address.clone(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let res = self.client.get(self.url(path)).send().await.expect("get");
        let status = res.status();
        (status, res.text().await.expect("text"))
    }

    /// The redirect target of a response, if any.
    pub fn location(res: &Response) -> Option<String> {
        res.headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Opens `form_page`, takes its CSRF token, and posts `fields` to `action`.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let (_, html) = self.get(form_page).await;
        let csrf = csrf_of(&html);
        let mut all: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(self.url(action))
            .form(&all)
            .send()
            .await
            .expect("post")
    }

    pub async fn sign_in(&self, username: &str, password: &str) {
        let res = self
            .submit(
                "/login",
                "/login",
                &[
                    ("username", username),
                    ("password", password),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "sign-in of {username} failed"
        );
    }
}

/// The value of the first `_csrf` hidden field of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    let end = html[start..].find('"').expect("end of value") + start;
    html[start..end].to_owned()
}

/// The JSON error body's field message, e.g. `error.fields.name`.
pub fn field_error(body: &Value, field: &str) -> Option<String> {
    body["error"]["fields"][field].as_str().map(str::to_owned)
}
