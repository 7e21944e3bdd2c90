//! Tests in a real, headless Chromium: what a person sees and clicks, including the bits a plain
//! HTTP client skips (the browser keeps the cookies, posts the forms with their hidden CSRF field,
//! follows the redirects, renders Chinese text).
//!
//! The browser is driven through chromedriver with the W3C WebDriver protocol, spoken directly
//! over HTTP with reqwest so the tests need no extra crate. Without Debian's `chromium` and
//! `chromium-driver` the tests say loudly that they were skipped (and fail under CI, where a
//! silent skip would hide a missing install step).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::{Client, Method};
use serde_json::{json, Value};

use crate::helpers::{fresh_database_url, spawn_app, start_on, PASSWORD};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The key under which WebDriver returns an element's reference (fixed by the W3C spec).
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long to wait for a page, an element or a URL before giving up: bounded, so a broken page
/// fails the test instead of hanging it.
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);

type Result<T> = std::result::Result<T, String>;

/// Whether the browser is installed. Without it a developer's run skips these tests, loudly; CI
/// (`CI=true`) must have it, so there a missing browser fails the run.
pub(crate) fn browser_installed() -> bool {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    let message = "browser test needs chromium and chromium-driver \
                   (apt-get install chromium chromium-driver fonts-noto-cjk)";
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{message}");
    }
    eprintln!("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    eprintln!("!!! SKIPPED: {message}");
    eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n");
    false
}

/// A port nobody listens on right now. The OS picks it; the listener is closed straight away so
/// chromedriver can take it (another process could grab it in between, which is unlikely enough
/// for a test).
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("local addr: {e}"))?
        .port();
    Ok(port)
}

/// A new, empty directory under the temp dir, unique to this process and call.
fn fresh_dir(prefix: &str) -> Result<PathBuf> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("{prefix}-{}-{n}", std::process::id()));
    // A leftover from an earlier run with the same pid would carry an old profile.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    Ok(dir)
}

/// The chromedriver process; killed when dropped so a failing test leaves nothing running.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    async fn start(http: &Client) -> Result<Driver> {
        let port = free_port()?;
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("start {CHROMEDRIVER}: {e}"))?;
        let mut driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(Some(status)) = driver.child.try_wait() {
                return Err(format!("chromedriver exited early: {status}"));
            }
            let ready = match http.get(format!("{}/status", driver.url)).send().await {
                Ok(res) => res
                    .json::<Value>()
                    .await
                    .map(|v| v["value"]["ready"] == json!(true))
                    .unwrap_or(false),
                // Not listening yet.
                Err(_) => false,
            };
            if ready {
                return Ok(driver);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "chromedriver not ready at {} after {WAIT:?}",
                    driver.url
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session: a Chromium with its own fresh profile, driven through its chromedriver.
pub struct WebDriver {
    http: Client,
    session: String,
    profile: PathBuf,
    quit: bool,
    // Declared last so it is dropped after `Drop for WebDriver` has ended the session.
    driver: Driver,
}

impl WebDriver {
    /// Starts chromedriver and a headless Chromium with the flags it needs where the network is
    /// closed (without them it waits on update and sync services that never answer).
    pub async fn start() -> Result<WebDriver> {
        let http = Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| format!("http client: {e}"))?;
        let driver = Driver::start(&http).await?;
        let profile = fresh_dir("mediation-chromium")?;
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "goog:chromeOptions": {
                        "binary": CHROMIUM,
                        "args": [
                            "--headless",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--no-first-run",
                            "--disable-dev-shm-usage",
                            "--window-size=1280,900",
                            // The app picks its language from Accept-Language; headless Chromium
                            // would otherwise ask for English.
                            "--lang=zh-CN",
                            format!("--user-data-dir={}", profile.display()),
                        ],
                        "prefs": { "intl": { "accept_languages": "zh-CN,zh" } }
                    }
                }
            }
        });
        let res = http
            .post(format!("{}/session", driver.url))
            .json(&capabilities)
            .send()
            .await
            .map_err(|e| format!("new session: {e}"))?;
        let body: Value = res
            .json()
            .await
            .map_err(|e| format!("new session answer: {e}"))?;
        let session = body["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session: {body}"))?
            .to_owned();
        Ok(WebDriver {
            http,
            session,
            profile,
            quit: false,
            driver,
        })
    }

    /// Sends one WebDriver command and returns its `value`, or the driver's error message.
    async fn command(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value> {
        let url = format!("{}/session/{}{path}", self.driver.url, self.session);
        let mut req = self.http.request(method.clone(), &url);
        // POST commands need a JSON body even when they take no parameters.
        if method == Method::POST {
            req = req.json(&body.unwrap_or_else(|| json!({})));
        }
        let res = req
            .send()
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let status = res.status();
        let answer: Value = res
            .json()
            .await
            .map_err(|e| format!("{method} {path}: answer is not JSON: {e}"))?;
        if status.is_success() {
            Ok(answer["value"].clone())
        } else {
            Err(format!(
                "{method} {path}: {status} {} {}",
                answer["value"]["error"], answer["value"]["message"]
            ))
        }
    }

    /// Opens a URL and waits until the page has loaded.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.command(Method::POST, "/url", Some(json!({ "url": url })))
            .await
            .map(drop)
    }

    /// The first element matching a CSS selector, waiting up to [`WAIT`] for it to appear.
    pub async fn find(&self, css: &str) -> Result<String> {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self
                .command(
                    Method::POST,
                    "/element",
                    Some(json!({ "using": "css selector", "value": css })),
                )
                .await;
            match found {
                Ok(value) => {
                    return value[ELEMENT_KEY]
                        .as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("element reference missing: {value}"));
                }
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("no element {css} after {WAIT:?}: {e}"));
                }
                Err(_) => tokio::time::sleep(POLL).await,
            }
        }
    }

    /// Types text into the element matching `css`.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let element = self.find(css).await?;
        self.command(
            Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        )
        .await
        .map(drop)
    }

    /// Empties the input matching `css`, as selecting its text and deleting it would.
    pub async fn clear(&self, css: &str) -> Result<()> {
        let element = self.find(css).await?;
        self.command(
            Method::POST,
            &format!("/element/{element}/clear"),
            Some(json!({})),
        )
        .await
        .map(drop)
    }

    /// Clicks the element matching `css` (also how an `<option>` is chosen).
    pub async fn click(&self, css: &str) -> Result<()> {
        let element = self.find(css).await?;
        self.command(Method::POST, &format!("/element/{element}/click"), None)
            .await
            .map(drop)
    }

    /// Whether the element matching `css` (an `<option>`, a checkbox) is selected.
    pub async fn is_selected(&self, css: &str) -> Result<bool> {
        let element = self.find(css).await?;
        let value = self
            .command(Method::GET, &format!("/element/{element}/selected"), None)
            .await?;
        value
            .as_bool()
            .ok_or_else(|| format!("selected is not a boolean: {value}"))
    }

    /// The rendered text of the element matching `css`.
    pub async fn text(&self, css: &str) -> Result<String> {
        let element = self.find(css).await?;
        let value = self
            .command(Method::GET, &format!("/element/{element}/text"), None)
            .await?;
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("text is not a string: {value}"))
    }

    /// The computed value of a CSS property of the element matching `css`, as the browser
    /// reports it (colours as `rgba(r, g, b, a)`).
    pub async fn css_value(&self, css: &str, property: &str) -> Result<String> {
        let element = self.find(css).await?;
        let value = self
            .command(
                Method::GET,
                &format!("/element/{element}/css/{property}"),
                None,
            )
            .await?;
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("css value is not a string: {value}"))
    }

    /// Waits up to [`WAIT`] for the element matching `css` to show `expected`; returns its text.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> Result<String> {
        let deadline = Instant::now() + WAIT;
        loop {
            // The element may be replaced by a navigation between finding and reading it.
            let text = self.text(css).await.unwrap_or_default();
            if text.contains(expected) {
                return Ok(text);
            }
            if Instant::now() > deadline {
                // A whole table's text would bury the message; its start is enough to tell.
                let shown: String = text.chars().take(300).collect();
                return Err(format!(
                    "{css} shows {shown:?}…, not {expected:?}, after {WAIT:?}"
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The value of an attribute (`href`, …) of the element matching `css`.
    pub async fn attribute(&self, css: &str, name: &str) -> Result<String> {
        let element = self.find(css).await?;
        let value = self
            .command(
                Method::GET,
                &format!("/element/{element}/attribute/{name}"),
                None,
            )
            .await?;
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("{name} is not a string: {value}"))
    }

    /// The value of the browser's cookie `name` for the page shown now.
    pub async fn cookie(&self, name: &str) -> Result<String> {
        let value = self
            .command(Method::GET, &format!("/cookie/{name}"), None)
            .await?;
        value["value"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no cookie {name}: {value}"))
    }

    /// The URL of the page shown now.
    pub async fn current_url(&self) -> Result<String> {
        let value = self.command(Method::GET, "/url", None).await?;
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("url is not a string: {value}"))
    }

    /// Waits up to [`WAIT`] for the URL to satisfy `ok` (a click that submits a form returns
    /// before the next page is there); returns it.
    pub async fn wait_for_url(&self, what: &str, ok: impl Fn(&str) -> bool) -> Result<String> {
        let deadline = Instant::now() + WAIT;
        loop {
            let url = self.current_url().await?;
            if ok(&url) {
                return Ok(url);
            }
            if Instant::now() > deadline {
                return Err(format!("still at {url} after {WAIT:?}, wanted {what}"));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Resizes the window (a phone is about 390 × 844 CSS pixels).
    pub async fn set_window_size(&self, width: u32, height: u32) -> Result<()> {
        self.command(
            Method::POST,
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .await
        .map(drop)
    }

    /// Runs a script in the page and returns what it returns.
    pub async fn execute(&self, script: &str) -> Result<Value> {
        self.command(
            Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    /// Saves a PNG of the window to `path`.
    pub async fn screenshot_png(&self, path: &Path) -> Result<()> {
        let value = self.command(Method::GET, "/screenshot", None).await?;
        let encoded = value
            .as_str()
            .ok_or_else(|| format!("screenshot is not a string: {value}"))?;
        let png = base64_decode(encoded)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
        }
        std::fs::write(path, png).map_err(|e| format!("write {}: {e}", path.display()))
    }

    /// Ends the session (Chromium exits) and stops chromedriver.
    pub async fn quit(mut self) -> Result<()> {
        self.quit = true;
        self.command(Method::DELETE, "", None).await.map(drop)
    }
}

impl Drop for WebDriver {
    fn drop(&mut self) {
        if !self.quit {
            // A test failed before `quit`: end the session anyway, or Chromium would outlive
            // chromedriver. Drop cannot await, so this is a plain blocking HTTP request.
            delete_session_blocking(&self.driver.url, &self.session);
        }
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// `DELETE /session/{id}` over a bare TCP stream, bounded by short timeouts; errors are ignored
/// because this only tidies up after a failure.
fn delete_session_blocking(driver_url: &str, session: &str) {
    use std::io::{Read, Write};
    let Some(host) = driver_url.strip_prefix("http://") else {
        return;
    };
    let Ok(addr) = host.parse() else {
        return;
    };
    let Ok(mut stream) = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let request = format!(
        "DELETE /session/{session} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        // Wait for the answer: chromedriver replies once Chromium has exited.
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
    }
}

/// Standard base64 (the encoding WebDriver uses for screenshots), without pulling in a crate.
fn base64_decode(text: &str) -> Result<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut bits: u32 = 0;
    let mut count = 0;
    for &c in text.as_bytes() {
        if c == b'=' {
            break;
        }
        if c.is_ascii_whitespace() {
            continue;
        }
        let v = sextet(c).ok_or_else(|| format!("not base64: byte {c}"))?;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Ok(out)
}

/// Where screenshots go: `$CARGO_TARGET_DIR/screenshots/`, or the temp dir without one.
pub(crate) fn screenshot_path(name: &str) -> PathBuf {
    let dir = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(target) if !target.is_empty() => PathBuf::from(target).join("screenshots"),
        _ => std::env::temp_dir().join("mediation-screenshots"),
    };
    dir.join(format!("{name}.png"))
}

/// Signs in through the login page as a person would: type, click, land on the overview.
/// Signs in and waits for the role's landing page (`/` for admins, `/queue` for coordinators).
pub(crate) async fn sign_in(browser: &WebDriver, base: &str, username: &str, landing: &str) {
    browser
        .goto(&format!("{base}/login"))
        .await
        .expect("open the sign-in page");
    browser
        .type_into("#username", username)
        .await
        .expect("type the user name");
    browser
        .type_into("#password", PASSWORD)
        .await
        .expect("type the password");
    browser
        .click("form[action='/login'] button[type=submit]")
        .await
        .expect("click sign in");
    let home = format!("{base}{landing}");
    browser
        .wait_for_url(landing, |url| url == home)
        .await
        .expect("signing in lands on the role's page");
}

#[tokio::test]
async fn a_coordinator_signs_in_and_browses_the_network_in_a_real_browser() {
    if !browser_installed() {
        return;
    }
    let started = Instant::now();
    let app = spawn_app().await;
    let browser = WebDriver::start().await.expect("browser starts");

    sign_in(&browser, &app.address, "coordinator", "/queue").await;
    browser
        .wait_for_text("main h1", "协调中心待办")
        .await
        .expect("the coordinator's queue");

    browser
        .click("nav.main-nav a[href='/units']")
        .await
        .expect("click 调解组织");
    let units = app.url("/units");
    browser
        .wait_for_url("/units", |url| url == units)
        .await
        .expect("the unit list opens");
    assert_eq!(
        browser
            .text("nav.main-nav a.active")
            .await
            .expect("active nav"),
        "调解组织"
    );
    browser
        .wait_for_text("table.list", "三堡村")
        .await
        .expect("the demo village is listed");

    let path = screenshot_path("coordinator-units");
    browser
        .screenshot_png(&path)
        .await
        .expect("screenshot saved");
    eprintln!("screenshot: {}", path.display());
    let png = std::fs::read(&path).expect("screenshot readable");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG file");

    browser.quit().await.expect("browser quits");
    eprintln!("browsing took {:?}", started.elapsed());
}

#[tokio::test]
async fn an_admin_fixes_a_mistake_in_the_unit_form_in_a_real_browser() {
    if !browser_installed() {
        return;
    }
    let started = Instant::now();
    let app = spawn_app().await;
    let browser = WebDriver::start().await.expect("browser starts");
    sign_in(&browser, &app.address, "admin", "/").await;

    browser
        .goto(&app.url("/units/new"))
        .await
        .expect("open the new-unit form");
    browser
        .type_into("#code", "JB-W01")
        .await
        .expect("type the code");
    browser
        .click("form button.primary")
        .await
        .expect("submit without a name");
    let error = browser
        .wait_for_text("#name-error", "必填。")
        .await
        .expect("the empty name is pointed out");
    assert_eq!(error, "必填。");
    // The message sits in the name field's own box, right below its input.
    browser
        .find(".field #name[aria-invalid='true'] ~ p.field-error#name-error")
        .await
        .expect("the error is beside the name field");
    let path = screenshot_path("admin-unit-form-error");
    browser
        .screenshot_png(&path)
        .await
        .expect("screenshot saved");
    eprintln!("screenshot: {}", path.display());

    browser
        .type_into("#name", "浏览器测试工作站")
        .await
        .expect("type the name");
    let hub = "#parent_id option[value='1']";
    if !browser.is_selected(hub).await.expect("read the parent") {
        browser.click(hub).await.expect("choose the street hub");
    }
    assert!(
        browser.is_selected(hub).await.expect("read the parent"),
        "the street hub is the parent"
    );
    browser
        .click("form button.primary")
        .await
        .expect("submit the fixed form");

    let prefix = app.url("/units/");
    let url = browser
        .wait_for_url("/units/{id}?notice=created", |url| {
            url.strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix("?notice=created"))
                .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        })
        .await
        .expect("saving shows the new unit");
    browser
        .wait_for_text("p.notice", "已创建")
        .await
        .expect("the notice");
    assert_eq!(
        browser.text("main h1").await.expect("heading"),
        "浏览器测试工作站",
        "at {url}"
    );

    browser.quit().await.expect("browser quits");
    eprintln!("the form took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_mediator_records_a_session_and_an_agreement_prints_it_and_follows_up_in_a_real_browser()
{
    if !browser_installed() {
        return;
    }
    let app = spawn_app().await;
    // A case at the mediator's station, accepted with them as lead (prepared through the API).
    let token = app.token("mediator").await;
    let station = app.unit_id(&token, "JB-C01").await;
    let me: serde_json::Value = app
        .get(&token, "/api/v1/auth/me")
        .await
        .json()
        .await
        .expect("me");
    let received = (chrono::Utc::now() - chrono::Duration::days(3)).to_rfc3339();
    let case: serde_json::Value = app
        .post(&token, "/api/v1/cases", &serde_json::json!({
            "intake_unit_id": station, "dispute_type": "wage_arrears", "source": "walk_in", "summary": "骑手欠薪",
            "amount_claimed_fen": 300_000, "people_involved": 1, "received_at": received,
            "parties": [{"role": "applicant", "kind": "person", "name": "浏览器骑手"}, {"role": "respondent", "kind": "organisation", "name": "测试配送站"}]
        }))
        .await
        .json()
        .await
        .expect("case");
    app.post(&token, &format!("/api/v1/cases/{}/actions", case["id"]), &serde_json::json!({"action": "accept", "version": 1, "lead_mediator_id": me["mediator_id"]}))
        .await;
    let page = app.url(&format!("/cases/{}", case["id"]));
    let saved = format!("{page}?notice=saved");

    let browser = WebDriver::start().await.expect("browser starts");
    sign_in(&browser, &app.address, "mediator", "/cases").await;
    browser.goto(&page).await.expect("open the case");
    browser
        .click("#sessions details.action summary")
        .await
        .expect("open the session form");
    browser
        .type_into("#sessions textarea[name=summary]", "双方同意分期支付")
        .await
        .expect("type the record");
    browser
        .click("#sessions form button.primary")
        .await
        .expect("save the session");
    browser
        .wait_for_url("the case page after the session", |u| u == saved)
        .await
        .expect("session saved");
    browser
        .wait_for_text("#sessions article.record p.summary", "双方同意分期支付")
        .await
        .expect("the session is listed");

    browser
        .click("#agreement details.action summary")
        .await
        .expect("open the agreement form");
    browser
        .type_into("#agreement textarea[name=terms]", "被申请人一次付清三千元")
        .await
        .expect("type the terms");
    browser
        .type_into("#agreement input[name=amount_yuan]", "3000")
        .await
        .expect("type the amount");
    browser
        .click("#agreement form button.primary")
        .await
        .expect("save the agreement");
    browser
        .wait_for_url("the case page after the agreement", |u| u == saved)
        .await
        .expect("agreement saved");
    browser
        .wait_for_text("main h1 .badge", "已达成协议")
        .await
        .expect("the case is agreed");

    browser
        .goto(&format!("{page}/agreement/print"))
        .await
        .expect("open the print page");
    browser
        .wait_for_text("article.a4 h1", "人民调解协议书")
        .await
        .expect("the agreement for A4");
    let path = screenshot_path("agreement-print");
    browser
        .screenshot_png(&path)
        .await
        .expect("screenshot saved");
    eprintln!("screenshot: {}", path.display());

    browser.goto(&page).await.expect("back to the case");
    browser
        .click("#follow-ups details.action summary")
        .await
        .expect("open the follow-up form");
    browser
        .type_into("#follow-ups textarea[name=result]", "已按时付款")
        .await
        .expect("type the result");
    browser
        .click("#follow-ups form button.primary")
        .await
        .expect("save the follow-up");
    browser
        .wait_for_url("the case page after the follow-up", |u| u == saved)
        .await
        .expect("follow-up saved");
    browser
        .wait_for_text("#follow-ups article.record p.summary", "已按时付款")
        .await
        .expect("the follow-up is listed");
    browser.quit().await.expect("browser closes");
}

#[tokio::test]
async fn a_coordinator_pairs_an_apprentice_and_certifies_them_early_in_a_real_browser() {
    if !browser_installed() {
        return;
    }
    let started = Instant::now();
    let app = spawn_app().await;
    let browser = WebDriver::start().await.expect("browser starts");
    sign_in(&browser, &app.address, "coordinator", "/queue").await;

    browser
        .click("nav.main-nav a[href='/mentorships']")
        .await
        .expect("click 师徒结对");
    browser
        .wait_for_text("main h1", "师徒结对")
        .await
        .expect("the programme page");
    browser
        .click("a.button[href='/mentorships/new']")
        .await
        .expect("click 新建结对");
    browser
        .wait_for_text("main h1", "新建结对")
        .await
        .expect("the pairing form");
    browser
        .click("#mentor_id option:nth-child(2)")
        .await
        .expect("choose a mentor");
    browser
        .click("#apprentice_id option:nth-child(2)")
        .await
        .expect("choose an apprentice");
    browser
        .clear("#target_cases")
        .await
        .expect("clear the suggested target");
    browser
        .type_into("#target_cases", "3")
        .await
        .expect("type the target");
    browser
        .click("form button.primary")
        .await
        .expect("create the pair");
    browser
        .wait_for_text("p.notice", "已建立结对")
        .await
        .expect("the pair's page");

    // Graduating before the target without a reason is pointed out beside the reason field.
    browser
        .click("#graduate button.primary")
        .await
        .expect("graduate without a reason");
    browser
        .wait_for_text("#graduate-reason-error", "请填写原因")
        .await
        .expect("the missing reason is shown");
    browser
        .find("#graduate-reason[aria-invalid='true'] ~ p.field-error")
        .await
        .expect("beside the reason field");
    browser
        .type_into("#graduate-reason", "调解能手比赛一等奖，提前结业")
        .await
        .expect("type the reason");
    browser
        .click("#graduate button.primary")
        .await
        .expect("graduate with a reason");
    browser
        .wait_for_text("p.notice", "已结业")
        .await
        .expect("graduated");
    browser
        .wait_for_text("dl.facts", "调解能手比赛一等奖")
        .await
        .expect("the reason is on file");

    // The apprentice's record now shows the title and the events.
    browser
        .click("dl.facts dd:nth-of-type(2) a")
        .await
        .expect("open the apprentice");
    browser
        .wait_for_text("#mentorships", "认定为金牌调解员")
        .await
        .expect("the title is an event on the record");
    browser
        .wait_for_text("main h1", "金牌调解员")
        .await
        .expect("the apprentice is now gold medal");
    browser.find("#record").await.expect("the record section");
    let path = screenshot_path("coordinator-mentorship-graduated");
    browser
        .screenshot_png(&path)
        .await
        .expect("screenshot saved");
    eprintln!("screenshot: {}", path.display());
    browser.quit().await.expect("browser quits");
    eprintln!("the mentorship took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_file_uploaded_from_the_case_page_on_one_server_downloads_from_the_other() {
    if !browser_installed() {
        return;
    }
    // Two app servers on one database, as behind a load balancer.
    let url = fresh_database_url().await;
    let one = spawn_app_on(&url, true).await;
    let two = start_on(&url).await;
    let token = one.token("coordinator").await;
    let station = one.unit_id(&token, "JB-C01").await;
    let case: serde_json::Value = one
        .post(&token, "/api/v1/cases", &serde_json::json!({
            "intake_unit_id": station, "dispute_type": "wage_arrears", "source": "walk_in", "summary": "工资条作证",
            "amount_claimed_fen": 300_000, "people_involved": 1,
            "parties": [{"role": "applicant", "kind": "person", "name": "上传骑手"}, {"role": "respondent", "kind": "organisation", "name": "测试配送站"}]
        }))
        .await
        .json()
        .await
        .expect("case");
    let folder = fresh_dir("upload").expect("folder");
    let file = folder.join("工资条.pdf");
    let pdf = "%PDF-1.4\n% 工资条 三月 四月\n".repeat(2_000).into_bytes();
    std::fs::write(&file, &pdf).expect("write the file");

    let browser = WebDriver::start().await.expect("browser starts");
    sign_in(&browser, &one.address, "coordinator", "/queue").await;
    let page = one.url(&format!("/cases/{}", case["id"]));
    browser.goto(&page).await.expect("open the case");
    browser
        .type_into("#attachments input[type=file]", &file.display().to_string())
        .await
        .expect("choose the file");
    browser
        .click("#attachments button[type=submit]")
        .await
        .expect("click upload");
    browser
        .wait_for_text("#attachments ul.files", "工资条.pdf")
        .await
        .expect("the file is listed on the case page");

    // The same browser session, on the other server: the file is listed and downloads whole.
    browser
        .goto(&two.url(&format!("/cases/{}", case["id"])))
        .await
        .expect("open the case on the other server");
    let href = browser
        .attribute("#attachments ul.files a", "href")
        .await
        .expect("the file link");
    let sid = browser.cookie("sid").await.expect("signed in");
    let res = reqwest::Client::new()
        .get(two.url(&href))
        .header(reqwest::header::COOKIE, format!("sid={sid}"))
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .starts_with("attachment;"));
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), pdf);
    browser.quit().await.expect("browser quits");
}

/// An app server over `url`, with the demo street when asked.
async fn spawn_app_on(url: &str, load_demo: bool) -> crate::helpers::TestApp {
    let app = start_on(url).await;
    if load_demo {
        mediation::demo::load_if_empty(&app.db)
            .await
            .expect("demo loads");
    }
    app
}
