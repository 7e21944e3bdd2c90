//! The built `mediation` binary, copied alone into an empty folder, serves every page of the demo
//! street: nothing is read from the source tree at run time.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::crawl::crawl;
use crate::helpers::{fresh_data_dir, Browser, PASSWORD};

/// A running copy of the binary; killed when dropped.
pub struct RunningBinary {
    pub child: Child,
    pub address: String,
    /// Every line the binary wrote to its standard output so far.
    pub output: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Drop for RunningBinary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Copies the binary into a new empty folder and returns its path there.
pub fn binary_in_empty_folder() -> std::path::PathBuf {
    let folder = fresh_data_dir();
    std::fs::create_dir_all(&folder).expect("folder");
    let copy = folder.join("mediation");
    std::fs::copy(env!("CARGO_BIN_EXE_mediation"), &copy).expect("copy the binary");
    copy
}

/// Whether this machine lets us hide the source tree from a process (a private mount namespace).
fn can_hide_source_tree() -> bool {
    Command::new("unshare")
        .args(["--mount", "--propagation", "private", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The command that runs `binary` where the source tree it was built from is out of reach: an
/// empty file system is mounted over it in a mount namespace of the process's own. Without
/// that, a binary that read its pages from the build machine's source folder would pass here.
fn without_source_tree(binary: &std::path::Path) -> Command {
    if can_hide_source_tree() {
        let mut command = Command::new("unshare");
        command.args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            "mount -t tmpfs none \"$0\" && exec \"$@\"",
            env!("CARGO_MANIFEST_DIR"),
        ]);
        command.arg(binary);
        command
    } else {
        let message =
            "the source tree cannot be hidden from the binary here (unshare --mount refused)";
        assert!(std::env::var("CI").is_err(), "{message}");
        eprintln!("WARNING: {message}: the test runs with it in reach");
        Command::new(binary)
    }
}

/// Starts `binary` with `args` in its own folder, the source tree out of reach, and waits for
/// the address it listens on.
pub fn start_binary(
    binary: &std::path::Path,
    args: &[&str],
    envs: &[(&str, &str)],
) -> RunningBinary {
    let mut command = without_source_tree(binary);
    command
        .args(args)
        .current_dir(binary.parent().expect("folder"))
        .env_remove("DATABASE_URL")
        .env("BIND", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in envs {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    let output = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let lines = output.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("running at http://").nth(1) {
                let addr = rest.split('/').next().unwrap_or_default().to_owned();
                let _ = tx.send(addr);
            }
            lines.lock().expect("lines").push(line);
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("the binary says where it listens");
    RunningBinary {
        child,
        address: format!("http://{addr}"),
        output,
    }
}

#[tokio::test]
async fn the_binary_alone_in_an_empty_folder_serves_every_page_of_the_demo_street() {
    let binary = binary_in_empty_folder();
    // On SQLite the binary uses its default database, `data/mediation.db` beside it, as on a
    // fresh machine; with TEST_DATABASE_URL it gets a fresh PostgreSQL database.
    let url = match std::env::var("TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => Some(crate::helpers::fresh_database_url().await),
        _ => None,
    };
    let mut envs = Vec::new();
    if let Some(url) = &url {
        envs.push(("DATABASE_URL", url.as_str()));
    }
    let running = start_binary(&binary, &[], &envs);
    if url.is_none() {
        let db = binary.parent().expect("folder").join("data/mediation.db");
        assert!(
            db.exists(),
            "the default database is created beside the binary"
        );
    }
    for role in ["admin", "coordinator", "mediator", "finance", "viewer"] {
        let browser = Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            address: running.address.clone(),
        };
        browser.sign_in(role, PASSWORD).await;
        let seen = crawl(&browser, "/", 2).await;
        assert!(seen.broken.is_empty(), "{role}: {:#?}", seen.broken);
        let failed: Vec<_> = seen
            .pages
            .iter()
            .filter(|(_, status)| !(status.is_success() || status.is_redirection()))
            .collect();
        // A few pages answer 403 on purpose (a link shown to explain what a role may not do is
        // not expected here); anything else is a page the binary could not serve.
        assert!(failed.is_empty(), "{role}: {failed:?}");
        assert!(
            seen.pages.len() > 8,
            "{role} reached only {}",
            seen.pages.len()
        );
        let (status, css) = browser.get("/static/app.css").await;
        assert!(
            status.is_success() && css.contains('{'),
            "the stylesheet is served"
        );
    }
    // Written to a pipe (as to a file or the journal), the logs carry no colour codes.
    let output = running.output.lock().expect("lines").clone();
    assert!(output.iter().any(|l| l.contains("INFO")), "{output:?}");
    assert!(!output.iter().any(|l| l.contains('\u{1b}')), "{output:?}");
}

#[tokio::test]
async fn with_log_format_json_every_log_line_is_a_json_object() {
    let binary = binary_in_empty_folder();
    let url = crate::helpers::fresh_database_url().await;
    let running = start_binary(
        &binary,
        &["serve"],
        &[("DATABASE_URL", url.as_str()), ("LOG_FORMAT", "json")],
    );
    let res = reqwest::get(format!("{}/no/such/page", running.address))
        .await
        .expect("request");
    assert_eq!(res.status(), reqwest::StatusCode::NOT_FOUND);
    // The request's log line is written after the answer; give it a moment.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let output = running.output.lock().expect("lines").clone();
        let logs: Vec<serde_json::Value> = output
            .iter()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
            .collect();
        if logs.iter().any(|l| l["span"]["route"] == "unmatched") {
            assert!(logs
                .iter()
                .all(|l| l["level"].is_string() && l["timestamp"].is_string()));
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no JSON line for the request: {output:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
