//! Notifications end to end, against a real SMTP server on loopback started by each test (a small
//! one written here on tokio: it speaks enough SMTP for lettre and keeps what it receives).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use entity::{notification_attempts, notifications, reminders_sent};
use mediation::config::Config;
use mediation::demo;
use mediation::mail::queue::{self, NewNotification, Recipient};
use mediation::mail::Kind;
use mediation::App;
use reqwest::StatusCode;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::helpers::{field_error, fresh_database_url, TestApp};

const PUBLIC_URL: &str = "https://tiaojie.example.test";

// ---------------------------------------------------------------------------------------------
// A real SMTP server on loopback.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub(crate) rcpt_to: Vec<String>,
    pub(crate) data: String,
}

type Mailbox = Arc<Mutex<Vec<Received>>>;

pub(crate) struct SmtpServer {
    port: u16,
    received: Mailbox,
    task: JoinHandle<()>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpServer {
    pub(crate) async fn start() -> SmtpServer {
        SmtpServer::start_on(0).await
    }

    /// Listens on `port` (0: any free one).
    async fn start_on(port: u16) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the SMTP server");
        let port = listener.local_addr().expect("addr").port();
        let received: Mailbox = Arc::default();
        let inbox = received.clone();
        let task = tokio::spawn(async move {
            let mut sessions = tokio::task::JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                sessions.spawn(smtp_session(stream, inbox.clone()));
            }
        });
        SmtpServer {
            port,
            received,
            task,
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub(crate) fn messages(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    pub(crate) async fn wait_for(&self, count: usize) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let got = self.messages();
            if got.len() >= count {
                return got;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "expected {count} e-mails, got {}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn smtp_session(stream: TcpStream, inbox: Mailbox) {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut rcpt_to = Vec::new();
    if writer
        .write_all(b"220 test.localhost ESMTP\r\n")
        .await
        .is_err()
    {
        return;
    }
    loop {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&line).trim_end().to_owned();
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-test.localhost\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO") {
            b"250 test.localhost\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            rcpt_to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            let address = line
                .split_once('<')
                .and_then(|(_, rest)| rest.split_once('>'))
                .map(|(a, _)| a.to_owned())
                .unwrap_or_default();
            rcpt_to.push(address);
            b"250 OK\r\n"
        } else if upper == "DATA" {
            if writer
                .write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                .await
                .is_err()
            {
                return;
            }
            let mut data = String::new();
            loop {
                let mut l = Vec::new();
                match reader.read_until(b'\n', &mut l).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                let l = String::from_utf8_lossy(&l).into_owned();
                if l == ".\r\n" || l == ".\n" {
                    break;
                }
                // Dot-stuffing (RFC 5321 §4.5.2).
                data.push_str(l.strip_prefix('.').unwrap_or(&l));
            }
            inbox.lock().expect("lock").push(Received {
                rcpt_to: std::mem::take(&mut rcpt_to),
                data,
            });
            b"250 OK queued\r\n"
        } else if upper == "RSET" || upper == "NOOP" {
            b"250 OK\r\n"
        } else if upper == "QUIT" {
            let _ = writer.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"502 command not implemented\r\n"
        };
        if writer.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// A port nobody listens on (yet).
async fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    l.local_addr().expect("addr").port()
}

// ---------------------------------------------------------------------------------------------
// Reading what arrived: headers, RFC 2047 subjects, multipart bodies.
// ---------------------------------------------------------------------------------------------

pub(crate) struct Mail {
    subject: String,
    pub(crate) message_id: String,
    text: String,
    html: String,
}

fn split_head(raw: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    (headers, body)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

fn decode_base64(s: &str) -> Vec<u8> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean)
        .expect("base64")
}

fn decode_quoted_printable(s: &str) -> Vec<u8> {
    let bytes = s.replace("=\r\n", "").replace("=\n", "").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() + 1 {
            let hex = std::str::from_utf8(&bytes[i + 1..(i + 3).min(bytes.len())]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`); whitespace between words is dropped.
fn decode_words(value: &str) -> String {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find("=?") {
        let before = &rest[..start];
        let after_start = &rest[start + 2..];
        let parts: Vec<&str> = after_start.splitn(3, '?').collect();
        let Some(end) = parts.get(2).and_then(|p| p.find("?=")) else {
            break;
        };
        if !before.trim().is_empty() || out.is_empty() {
            out.extend_from_slice(before.as_bytes());
        }
        let encoded = &parts[2][..end];
        match parts[1].to_ascii_lowercase().as_str() {
            "b" => out.extend(decode_base64(encoded)),
            _ => out.extend(decode_quoted_printable(&encoded.replace('_', " "))),
        }
        let consumed = start + 2 + parts[0].len() + 1 + parts[1].len() + 1 + end + 2;
        rest = &rest[consumed..];
    }
    out.extend_from_slice(rest.as_bytes());
    String::from_utf8(out).expect("utf-8 subject")
}

fn decode_part(headers: &[(String, String)], body: &str) -> String {
    let bytes = match header(headers, "content-transfer-encoding")
        .to_ascii_lowercase()
        .as_str()
    {
        "base64" => decode_base64(body),
        "quoted-printable" => decode_quoted_printable(body),
        _ => body.as_bytes().to_vec(),
    };
    String::from_utf8(bytes).expect("utf-8 body")
}

pub(crate) fn parse_mail(raw: &str) -> Mail {
    let (headers, body) = split_head(raw);
    let content_type = header(&headers, "content-type");
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_owned())
        .expect("a multipart message");
    let mut text = String::new();
    let mut html = String::new();
    for part in body.split(&format!("--{boundary}")).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.trim_start_matches(['\r', '\n']);
        let (part_headers, part_body) = split_head(part);
        let decoded = decode_part(&part_headers, part_body);
        let ct = header(&part_headers, "content-type").to_ascii_lowercase();
        if ct.starts_with("text/plain") {
            text = decoded;
        } else if ct.starts_with("text/html") {
            html = decoded;
        }
    }
    Mail {
        subject: decode_words(header(&headers, "subject")),
        message_id: header(&headers, "message-id").to_owned(),
        text,
        html,
    }
}

// ---------------------------------------------------------------------------------------------
// Apps with mail settings of the test's choosing, stopped gracefully when asked.
// ---------------------------------------------------------------------------------------------

pub(crate) struct Running {
    pub(crate) app: TestApp,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    served: JoinHandle<()>,
}

impl Running {
    /// Graceful shutdown: requests finish, then the mail worker and the scheduler stop.
    pub(crate) async fn shut_down(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(20), &mut self.served)
            .await
            .expect("the app stops within 20 s")
            .expect("serve task");
    }
}

pub(crate) fn mail_config(url: &str, smtp_url: Option<String>) -> Config {
    let mut config = Config::for_database(url);
    config.public_url = PUBLIC_URL.to_owned();
    config.smtp_url = smtp_url;
    config.mail_from = "调解通 <noreply@tiaojie.example.test>".to_owned();
    config.mail_poll_ms = 50;
    config.mail_retry_base_secs = 1;
    config.mail_retry_cap_secs = 1;
    config.mail_max_attempts = 100;
    config.reminder_interval_secs = 3600;
    config
}

pub(crate) async fn start(config: Config, load_demo: bool) -> Running {
    let app = App::build(config).await.expect("app builds");
    if load_demo {
        demo::load_if_empty(&app.state.db)
            .await
            .expect("demo loads");
    }
    let db = app.state.db.clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("addr"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(async move {
        app.serve(listener, async {
            let _ = stopped.await;
        })
        .await
        .expect("serve");
    });
    Running {
        app: TestApp {
            address,
            db,
            api: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        },
        stop: Some(stop),
        served,
    }
}

// ---------------------------------------------------------------------------------------------
// Steps.
// ---------------------------------------------------------------------------------------------

async fn user(app: &TestApp, admin: &str, username: &str) -> Value {
    let list: Value = app
        .get(admin, &format!("/api/v1/users?q={username}"))
        .await
        .json()
        .await
        .expect("json");
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|u| u["username"] == username)
        .cloned()
        .unwrap_or_else(|| panic!("no user {username}"))
}

/// Gives a demo account an e-mail address through the API, as an admin would.
pub(crate) async fn give_email(app: &TestApp, username: &str, email: &str) -> Value {
    let admin = app.token("admin").await;
    let u = user(app, &admin, username).await;
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/users/{}", u["id"]),
            &json!({"email": email}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.expect("json")
}

fn new_case(unit_id: i64, received_at: Option<String>) -> Value {
    json!({
        "intake_unit_id": unit_id,
        "dispute_type": "wage_arrears",
        "source": "walk_in",
        "summary": "外卖骑手被拖欠两个月工资",
        "amount_claimed_fen": 1_250_000,
        "people_involved": 1,
        "received_at": received_at,
        "parties": [
            {"role": "applicant", "kind": "person", "name": "张小骑"},
            {"role": "respondent", "kind": "organisation", "name": "某某配送站"}
        ]
    })
}

async fn intake(app: &TestApp, token: &str, received_at: Option<String>) -> Value {
    let station = app.unit_id(token, "JB-C01").await;
    let res = app
        .post(token, "/api/v1/cases", &new_case(station, received_at))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.expect("json")
}

async fn act(app: &TestApp, token: &str, case: &Value, mut body: Value) -> Value {
    body["version"] = case["version"].clone();
    let res = app
        .post(
            token,
            &format!("/api/v1/cases/{}/actions", case["id"]),
            &body,
        )
        .await;
    let status = res.status();
    let out: Value = res.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{body} -> {out}");
    out
}

/// A station mediator escalates a new case to the hub; returns the case.
pub(crate) async fn escalate_new_case(app: &TestApp, reason: &str) -> Value {
    let mediator = app.token("mediator").await;
    let case = intake(app, &mediator, None).await;
    act(
        app,
        &mediator,
        &case,
        json!({"action": "escalate", "reason": reason}),
    )
    .await
}

async fn outbox_rows(db: &DatabaseConnection) -> Vec<notifications::Model> {
    notifications::Entity::find()
        .filter(notifications::Column::Email.is_not_null())
        .all(db)
        .await
        .expect("rows")
}

/// Waits until `check` holds for the rows with an address.
async fn wait_rows(
    db: &DatabaseConnection,
    what: &str,
    check: impl Fn(&[notifications::Model]) -> bool,
) -> Vec<notifications::Model> {
    let start = Instant::now();
    loop {
        let rows = outbox_rows(db).await;
        if check(&rows) {
            return rows;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_coordinator_gets_an_email_and_an_inbox_entry_when_a_station_escalates_a_case() {
    let smtp = SmtpServer::start().await;
    let running = start(
        mail_config(&fresh_database_url().await, Some(smtp.url())),
        true,
    )
    .await;
    let app = &running.app;
    give_email(app, "coordinator", "zhou@hub.example.test").await;

    let case = escalate_new_case(app, "<b>涉及平台</b> & 村里调不动").await;
    let case_no = case["case_no"].as_str().expect("case_no");
    let link = format!("{PUBLIC_URL}/cases/{}", case["id"]);

    let got = smtp.wait_for(1).await;
    assert_eq!(got[0].rcpt_to, ["zhou@hub.example.test"]);
    let mail = parse_mail(&got[0].data);
    assert!(mail.subject.contains(case_no), "{}", mail.subject);
    assert!(mail.subject.contains("上报街道"), "{}", mail.subject);
    assert!(mail.text.contains(&link), "{}", mail.text);
    assert!(mail.text.contains("<b>涉及平台</b> & 村里调不动"));
    assert!(
        mail.html.contains(&format!("href=\"{link}\"")),
        "{}",
        mail.html
    );
    assert!(mail.html.contains("&lt;b&gt;涉及平台&lt;"), "{}", mail.html);
    assert!(!mail.html.contains("<b>涉及平台"));

    // The same notification is in the coordinator's inbox, and nowhere else.
    let coordinator = app.token("coordinator").await;
    let inbox: Value = app
        .get(&coordinator, "/api/v1/notifications")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(inbox["unread"], 1, "{inbox}");
    assert_eq!(inbox["items"][0]["kind"], "escalated");
    assert_eq!(inbox["items"][0]["link"], format!("/cases/{}", case["id"]));
    assert!(inbox["items"][0]["subject"]
        .as_str()
        .expect("subject")
        .contains(case_no));
    let mediator = app.token("mediator").await;
    let theirs: Value = app
        .get(&mediator, "/api/v1/notifications")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        theirs["total"], 0,
        "the actor is not told of their own action"
    );

    // The navigation counts it; reading it clears the count.
    let browser = app.browser("coordinator").await;
    let (status, home) = browser.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("href=\"/inbox\""));
    assert!(home.contains("<span class=\"badge warn\" title=\"1\">1</span>"));
    let (status, page) = browser.get("/inbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(case_no));
    let id = inbox["items"][0]["id"].as_i64().expect("id");
    let res = app
        .post(
            &coordinator,
            &format!("/api/v1/notifications/{id}/read"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            &mediator,
            &format!("/api/v1/notifications/{id}/read"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "not theirs");
    let (_, home) = browser.get("/").await;
    assert!(!home.contains("badge warn\" title="));

    let rows = wait_rows(&app.db, "sent", |r| {
        r.iter().all(|n| n.email_status == "sent")
    })
    .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].attempts, 1);
    running.shut_down().await;
}

#[tokio::test]
async fn while_the_mail_server_is_down_messages_wait_and_are_delivered_when_it_is_back() {
    let port = free_port().await;
    let running = start(
        mail_config(
            &fresh_database_url().await,
            Some(format!("smtp://127.0.0.1:{port}")),
        ),
        true,
    )
    .await;
    let app = &running.app;
    give_email(app, "coordinator", "zhou@hub.example.test").await;
    let case = escalate_new_case(app, "村里调不动").await;

    let rows = wait_rows(&app.db, "two failed tries", |r| {
        r.len() == 1 && r[0].attempts >= 2
    })
    .await;
    assert_eq!(rows[0].email_status, "pending");
    assert!(rows[0].last_error.as_deref().is_some_and(|e| !e.is_empty()));
    let admin = app.token("admin").await;
    let waiting: Value = app
        .get(&admin, "/api/v1/outbox?status=pending")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(waiting["total"], 1);
    assert!(waiting["items"][0]["last_error"].is_string());

    let smtp = SmtpServer::start_on(port).await;
    let got = smtp.wait_for(1).await;
    let mail = parse_mail(&got[0].data);
    assert!(mail.subject.contains(case["case_no"].as_str().expect("no")));
    let rows = wait_rows(&app.db, "sent", |r| r[0].email_status == "sent").await;
    let attempts = notification_attempts::Entity::find()
        .filter(notification_attempts::Column::NotificationId.eq(rows[0].id))
        .all(&app.db)
        .await
        .expect("attempts");
    assert!(attempts.len() >= 3, "{attempts:?}");
    assert!(attempts
        .iter()
        .rev()
        .skip(1)
        .all(|a| !a.ok && a.error.is_some()));
    assert!(attempts.last().is_some_and(|a| a.ok));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 1, "sent once");
    running.shut_down().await;
}

#[tokio::test]
async fn a_restart_while_the_mail_server_is_down_loses_nothing() {
    let port = free_port().await;
    let url = fresh_database_url().await;
    let smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    let first = start(mail_config(&url, smtp_url.clone()), true).await;
    give_email(&first.app, "coordinator", "zhou@hub.example.test").await;
    let case = escalate_new_case(&first.app, "村里调不动").await;
    wait_rows(&first.app.db, "a failed try", |r| {
        r.len() == 1 && r[0].attempts >= 1
    })
    .await;
    first.shut_down().await;

    // The mail server comes back; a new process on the same database sends what was waiting.
    let smtp = SmtpServer::start_on(port).await;
    let second = start(mail_config(&url, smtp_url), false).await;
    let got = smtp.wait_for(1).await;
    assert_eq!(got[0].rcpt_to, ["zhou@hub.example.test"]);
    let mail = parse_mail(&got[0].data);
    assert!(mail.subject.contains(case["case_no"].as_str().expect("no")));
    assert!(mail
        .text
        .contains(&format!("{PUBLIC_URL}/cases/{}", case["id"])));
    wait_rows(&second.app.db, "sent", |r| r[0].email_status == "sent").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 1);
    second.shut_down().await;
}

#[tokio::test]
async fn two_workers_on_one_database_send_each_message_once() {
    const COUNT: usize = 40;
    let smtp = SmtpServer::start().await;
    let url = fresh_database_url().await;
    let one = start(mail_config(&url, Some(smtp.url())), true).await;
    let two = start(mail_config(&url, Some(smtp.url())), false).await;

    // All at once, so that both workers find the same rows waiting.
    let txn = one.app.db.begin().await.expect("begin");
    for i in 0..COUNT {
        queue::enqueue(
            &txn,
            NewNotification {
                kind: Kind::Escalated,
                case: None,
                recipient: Recipient {
                    user_id: None,
                    name: format!("调解员{i}"),
                    email: Some(format!("m{i}@example.test")),
                },
                data: json!({"case_no": format!("JB-2026-{i:05}")}),
            },
        )
        .await
        .expect("enqueue");
    }
    txn.commit().await.expect("commit");

    let got = smtp.wait_for(COUNT).await;
    wait_rows(&one.app.db, "all sent", |r| {
        r.len() == COUNT && r.iter().all(|n| n.email_status == "sent")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got_now = smtp.messages();
    assert_eq!(got_now.len(), COUNT, "no message twice");
    let ids: BTreeSet<String> = got.iter().map(|m| parse_mail(&m.data).message_id).collect();
    assert_eq!(ids.len(), COUNT);
    let recipients: BTreeSet<String> = got.iter().map(|m| m.rcpt_to.join(",")).collect();
    assert_eq!(recipients.len(), COUNT);
    let attempts = notification_attempts::Entity::find()
        .all(&one.app.db)
        .await
        .expect("attempts");
    assert_eq!(attempts.len(), COUNT, "one try each");
    let workers: BTreeSet<&str> = attempts.iter().map(|a| a.worker.as_str()).collect();
    println!("sent by {} workers: {workers:?}", workers.len());
    one.shut_down().await;
    two.shut_down().await;
}

#[tokio::test]
async fn the_lead_mediator_gets_a_reminder_three_days_before_the_limit() {
    let smtp = SmtpServer::start().await;
    let mut config = mail_config(&fresh_database_url().await, Some(smtp.url()));
    config.reminder_interval_secs = 1;
    let running = start(config, true).await;
    let app = &running.app;
    let account = give_email(app, "mediator", "chen@station.example.test").await;
    let mediator = app.token("mediator").await;

    // Received long enough ago that at most three days of the 15 are left (rest days may move
    // the last day, so the clocks of the case itself say which intake date does it).
    let mut case = Value::Null;
    for days_ago in [13, 14, 12, 15, 11] {
        let received = (chrono::Utc::now() - chrono::Duration::days(days_ago)).to_rfc3339();
        let c = intake(app, &mediator, Some(received)).await;
        if c["due_soon"] == true {
            case = c;
            break;
        }
    }
    assert!(case.is_object(), "no intake date made a case due soon");
    let case = act(
        app,
        &mediator,
        &case,
        json!({"action": "accept", "lead_mediator_id": account["mediator_id"]}),
    )
    .await;

    let got = smtp.wait_for(1).await;
    assert_eq!(got[0].rcpt_to, ["chen@station.example.test"]);
    let mail = parse_mail(&got[0].data);
    let case_no = case["case_no"].as_str().expect("no");
    assert!(mail.subject.contains(case_no), "{}", mail.subject);
    assert!(mail.subject.contains("即将届满"), "{}", mail.subject);
    assert!(mail
        .text
        .contains(&format!("{PUBLIC_URL}/cases/{}", case["id"])));

    // Later scans (one a second here) do not send it again.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(smtp.messages().len(), 1);
    let marks = reminders_sent::Entity::find()
        .filter(reminders_sent::Column::CaseId.eq(case["id"].as_i64().expect("id")))
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(marks, 1);
    let inbox: Value = app
        .get(&mediator, "/api/v1/notifications")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(inbox["items"][0]["kind"], "due_soon");
    running.shut_down().await;
}

#[tokio::test]
async fn a_message_given_up_is_shown_to_admins_who_can_send_it_again() {
    let port = free_port().await;
    let mut config = mail_config(
        &fresh_database_url().await,
        Some(format!("smtp://127.0.0.1:{port}")),
    );
    config.mail_max_attempts = 2;
    let running = start(config, true).await;
    let app = &running.app;
    give_email(app, "coordinator", "zhou@hub.example.test").await;
    escalate_new_case(app, "村里调不动").await;
    let rows = wait_rows(&app.db, "failed", |r| {
        r.len() == 1 && r[0].email_status == "failed"
    })
    .await;
    assert_eq!(rows[0].attempts, 2);

    let admin = app.token("admin").await;
    let failed: Value = app
        .get(&admin, "/api/v1/outbox?status=failed")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(failed["total"], 1);
    assert!(failed["items"][0]["last_error"]
        .as_str()
        .is_some_and(|e| !e.is_empty()));
    let coordinator = app.token("coordinator").await;
    let res = app.get(&coordinator, "/api/v1/outbox?status=failed").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.get(&admin, "/api/v1/outbox?status=lost").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let browser = app.browser("admin").await;
    let (status, page) = browser.get("/admin/outbox?status=failed").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("/admin/outbox/{}/retry", rows[0].id)));

    let smtp = SmtpServer::start_on(port).await;
    let res = browser
        .submit(
            "/admin/outbox?status=failed",
            &format!("/admin/outbox/{}/retry", rows[0].id),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    smtp.wait_for(1).await;
    wait_rows(&app.db, "sent", |r| r[0].email_status == "sent").await;
    let res = app
        .post(
            &admin,
            &format!("/api/v1/outbox/{}/retry", rows[0].id),
            &json!({}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a sent e-mail is not sent again"
    );
    running.shut_down().await;
}

#[tokio::test]
async fn a_user_who_turns_a_kind_off_gets_it_in_the_inbox_only() {
    let running = start(mail_config(&fresh_database_url().await, None), true).await;
    let app = &running.app;
    give_email(app, "coordinator", "zhou@hub.example.test").await;
    let coordinator = app.token("coordinator").await;

    let res = app
        .api
        .put(app.url("/api/v1/notifications/preferences"))
        .bearer_auth(&coordinator)
        .json(&json!({"email": {"escalated": false, "bogus": true}}))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.expect("json");
    assert!(field_error(&body, "email.bogus").is_some(), "{body}");

    let res = app
        .api
        .put(app.url("/api/v1/notifications/preferences"))
        .bearer_auth(&coordinator)
        .json(&json!({"email": {"escalated": false}}))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::OK);
    let prefs: Value = app
        .get(&coordinator, "/api/v1/notifications/preferences")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(prefs["email"]["escalated"], false);
    assert_eq!(prefs["email"]["overdue"], true);

    escalate_new_case(app, "村里调不动").await;
    let inbox: Value = app
        .get(&coordinator, "/api/v1/notifications")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(inbox["total"], 1);
    assert_eq!(inbox["items"][0]["email_status"], "skipped");

    // The preferences page shows the choice and saves a new one.
    let browser = app.browser("coordinator").await;
    let (status, page) = browser.get("/account/notifications").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("zhou@hub.example.test"));
    assert!(page.contains("value=\"overdue\" checked"));
    assert!(!page.contains("value=\"escalated\" checked"));
    let res = browser
        .submit(
            "/account/notifications",
            "/account/notifications",
            &[("email", "escalated"), ("email", "overdue")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let prefs: Value = app
        .get(&coordinator, "/api/v1/notifications/preferences")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(prefs["email"]["escalated"], true);
    assert_eq!(prefs["email"]["due_soon"], false);
    running.shut_down().await;
}

#[tokio::test]
async fn invalid_email_addresses_are_refused_on_users_and_mediators() {
    let running = start(mail_config(&fresh_database_url().await, None), true).await;
    let app = &running.app;
    let admin = app.token("admin").await;
    let u = user(app, &admin, "coordinator").await;
    for bad in ["not-an-address", "a@b.c\r\nBcc: x@y.z", "zhou@"] {
        let res = app
            .patch(
                &admin,
                &format!("/api/v1/users/{}", u["id"]),
                &json!({"email": bad}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        let body: Value = res.json().await.expect("json");
        assert!(field_error(&body, "email").is_some(), "{body}");
    }
    let mediators: Value = app
        .get(&admin, "/api/v1/mediators?per_page=1")
        .await
        .json()
        .await
        .expect("json");
    let m = &mediators["items"][0];
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/mediators/{}", m["id"]),
            &json!({"email": "no at sign", "version": m["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.expect("json");
    assert!(field_error(&body, "email").is_some(), "{body}");
    running.shut_down().await;
}

#[tokio::test]
async fn a_message_claimed_by_a_worker_that_died_is_sent_once_its_claim_expires() {
    use sea_orm::sea_query::Expr;
    let smtp = SmtpServer::start().await;
    let url = fresh_database_url().await;
    // A database with one message that a crashed process had claimed an hour ago.
    let db = mediation::db::connect_and_migrate(&url)
        .await
        .expect("database");
    let id = queue_referral(&db, "room@example.test").await;
    notifications::Entity::update_many()
        .col_expr(
            notifications::Column::ClaimedAt,
            Expr::value(Some(chrono::Utc::now() - chrono::Duration::hours(1))),
        )
        .col_expr(
            notifications::Column::ClaimedBy,
            Expr::value(Some("mail-dead-00000000")),
        )
        .filter(notifications::Column::Id.eq(id))
        .exec(&db)
        .await
        .expect("claim");
    db.close().await.expect("close");

    let running = start(mail_config(&url, Some(smtp.url())), false).await;
    let got = smtp.wait_for(1).await;
    assert_eq!(got[0].rcpt_to, ["room@example.test"]);
    assert!(parse_mail(&got[0].data).subject.contains("JB-2026-00007"));
    let rows = wait_rows(&running.app.db, "sent", |r| r[0].email_status == "sent").await;
    assert_eq!(rows[0].claimed_by, None);
    running.shut_down().await;
}

/// A queued message this version cannot read (a kind that a later version wrote, then rolled back)
/// is given up with the reason, for an admin to see, and the messages behind it still go.
#[tokio::test]
async fn an_unreadable_message_is_given_up_and_the_ones_behind_it_still_go() {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ConnectionTrait, Statement};
    let smtp = SmtpServer::start().await;
    let url = fresh_database_url().await;
    let db = mediation::db::connect_and_migrate(&url)
        .await
        .expect("database");
    let id = queue_referral(&db, "old@example.test").await;
    notifications::Entity::update_many()
        .col_expr(notifications::Column::Kind, Expr::value("retired_kind"))
        .filter(notifications::Column::Id.eq(id))
        .exec(&db)
        .await
        .expect("an unknown kind");
    db.close().await.expect("close");

    let running = start(mail_config(&url, Some(smtp.url())), true).await;
    let app = &running.app;
    give_email(app, "coordinator", "zhou@hub.example.test").await;
    let case = escalate_new_case(app, "村里调不动").await;
    let got = smtp.wait_for(1).await;
    assert_eq!(got[0].rcpt_to, ["zhou@hub.example.test"]);
    assert!(parse_mail(&got[0].data)
        .subject
        .contains(case["case_no"].as_str().expect("no")));

    // The unreadable row, read column by column (it does not load as a model).
    let backend = app.db.get_database_backend();
    let sql = format!("SELECT email_status, last_error FROM notifications WHERE id = {id}");
    let start = Instant::now();
    let (status, error) = loop {
        let row = app
            .db
            .query_one_raw(Statement::from_string(backend, sql.clone()))
            .await
            .expect("query")
            .expect("row");
        let status: String = row.try_get("", "email_status").expect("status");
        if status != "pending" {
            let error: Option<String> = row.try_get("", "last_error").expect("error");
            break (status, error.unwrap_or_default());
        }
        assert!(start.elapsed() < Duration::from_secs(20), "still pending");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status, "failed");
    assert!(error.contains("cannot read the message"), "{error}");
    assert!(error.contains("retired_kind"), "{error}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 1, "only the readable message went");
    running.shut_down().await;
}

/// A referral e-mail to `email`, queued straight into the outbox (no case): its id.
async fn queue_referral(db: &DatabaseConnection, email: &str) -> i64 {
    queue::enqueue(
        db,
        NewNotification {
            kind: Kind::Referred,
            case: None,
            recipient: Recipient {
                user_id: None,
                name: "调解员".into(),
                email: Some(email.into()),
            },
            data: json!({"case_no": "JB-2026-00007", "unit": "劳动监察工作室"}),
        },
    )
    .await
    .expect("enqueue")
    .expect("id")
}

/// The first active mediator of a unit, given an e-mail address on their mediator record.
async fn mediator_with_email(app: &TestApp, admin: &str, unit_id: i64, email: &str) -> i64 {
    let list: Value = app
        .get(admin, &format!("/api/v1/mediators?unit_id={unit_id}"))
        .await
        .json()
        .await
        .expect("json");
    let m = &list["items"][0];
    let res = app
        .patch(
            admin,
            &format!("/api/v1/mediators/{}", m["id"]),
            &json!({"email": email, "version": m["version"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    m["id"].as_i64().expect("id")
}

#[tokio::test]
async fn a_referral_an_assignment_and_an_invitation_reach_the_mediators_concerned() {
    let smtp = SmtpServer::start().await;
    let running = start(
        mail_config(&fresh_database_url().await, Some(smtp.url())),
        true,
    )
    .await;
    let app = &running.app;
    let admin = app.token("admin").await;
    let coordinator = app.token("coordinator").await;
    let room = app.unit_id(&admin, "JB-LJ").await;
    let station = app.unit_id(&admin, "JB-C02").await;
    // Mediators without accounts: reached through their mediator record's address.
    let inspector = mediator_with_email(app, &admin, room, "lj@room.example.test").await;
    mediator_with_email(app, &admin, station, "c02@station.example.test").await;

    let case = escalate_new_case(app, "涉及平台").await;
    let case = act(
        app,
        &coordinator,
        &case,
        json!({"action": "refer", "unit_id": room, "reason": "劳动监察介入"}),
    )
    .await;
    let case = act(
        app,
        &coordinator,
        &case,
        json!({"action": "accept", "lead_mediator_id": inspector}),
    )
    .await;
    act(
        app,
        &coordinator,
        &case,
        json!({"action": "invite", "unit_ids": [station]}),
    )
    .await;

    let got = smtp.wait_for(3).await;
    let seen: Vec<(String, String)> = got
        .iter()
        .map(|m| (m.rcpt_to.join(","), parse_mail(&m.data).subject))
        .collect();
    let case_no = case["case_no"].as_str().expect("no");
    assert!(seen.iter().all(|(_, s)| s.contains(case_no)), "{seen:?}");
    assert_eq!(seen[0].0, "lj@room.example.test");
    assert!(seen[0].1.contains("转办"), "{seen:?}");
    assert_eq!(seen[1].0, "lj@room.example.test");
    assert!(seen[1].1.contains("主办调解员"), "{seen:?}");
    assert_eq!(seen[2].0, "c02@station.example.test");
    assert!(seen[2].1.contains("联合调处"), "{seen:?}");
    running.shut_down().await;
}
