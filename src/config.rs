//! Typed settings, read once from flags and the environment and checked at start.

use std::path::PathBuf;

use chrono_tz::Tz;

use crate::error::AppError;

/// Everything the running app needs to know about its surroundings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where the data lives: `sqlite://…` (default) or `postgres://…`.
    pub database_url: String,
    /// The street's time zone: every "day", "month" and "year" is counted in it.
    pub time_zone: Tz,
    /// Folder for the SQLite file, mail files and attachments.
    pub data_dir: PathBuf,
    /// The address people reach the app at, for links in e-mails.
    pub public_url: String,
    /// A browser sign-in ends after this long without a request (OWASP ASVS 3.3.2)…
    pub session_idle_hours: i64,
    /// …and this long after signing in, however busy (ASVS 3.3.4).
    pub session_max_hours: i64,
    /// How long an API token lasts.
    pub token_hours: i64,
    /// Mark cookies `Secure` (set when the app is served over HTTPS).
    pub secure_cookies: bool,
    /// Take the client's address from `X-Forwarded-For` (set behind a reverse proxy that writes
    /// it; never when clients reach the app directly, or they could claim any address).
    pub trust_proxy: bool,
    /// lettre's URL form (`smtp://127.0.0.1:2525`, `smtps://user:pass@host`); without it, e-mails
    /// are written as `.eml` files under `data_dir/mail`.
    pub smtp_url: Option<String>,
    /// The sender of every e-mail, e.g. `调解通 <noreply@example.org>`.
    pub mail_from: String,
    /// Wait before the first retry of an e-mail; doubled after each further failed try.
    pub mail_retry_base_secs: u64,
    /// The longest wait between two tries.
    pub mail_retry_cap_secs: u64,
    /// Tries before an e-mail is given up (admins may send it again).
    pub mail_max_attempts: u32,
    /// How often the mail worker looks for e-mails to send, in milliseconds.
    pub mail_poll_ms: u64,
    /// A claim older than this is from a worker that stopped mid-send and is released.
    pub mail_claim_timeout_secs: u64,
    /// How often the reminder scheduler looks at the clocks.
    pub reminder_interval_secs: u64,
}

impl Config {
    /// Settings for the given database with every other value at its default.
    pub fn for_database(database_url: &str) -> Config {
        Config {
            database_url: database_url.to_owned(),
            time_zone: chrono_tz::Asia::Shanghai,
            data_dir: PathBuf::from("data"),
            public_url: "http://127.0.0.1:3000".to_owned(),
            session_idle_hours: 8,
            session_max_hours: 7 * 24,
            token_hours: 24,
            secure_cookies: false,
            trust_proxy: false,
            smtp_url: None,
            mail_from: "调解通 <noreply@localhost>".to_owned(),
            mail_retry_base_secs: 30,
            mail_retry_cap_secs: 3600,
            mail_max_attempts: 8,
            mail_poll_ms: 2000,
            mail_claim_timeout_secs: 600,
            reminder_interval_secs: 60,
        }
    }

    /// Parses a time zone name such as `Asia/Shanghai`.
    ///
    /// # Errors
    /// A name that is not in the IANA database.
    pub fn parse_time_zone(name: &str) -> Result<Tz, AppError> {
        name.parse::<Tz>()
            .map_err(|_| AppError::Config(format!("unknown time zone {name:?}")))
    }
}
