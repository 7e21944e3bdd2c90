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
    /// How long a browser sign-in lasts.
    pub session_hours: i64,
    /// How long an API token lasts.
    pub token_hours: i64,
    /// Mark cookies `Secure` (set when the app is served over HTTPS).
    pub secure_cookies: bool,
}

impl Config {
    /// Settings for the given database with every other value at its default.
    pub fn for_database(database_url: &str) -> Config {
        Config {
            database_url: database_url.to_owned(),
            time_zone: chrono_tz::Asia::Shanghai,
            data_dir: PathBuf::from("data"),
            public_url: "http://127.0.0.1:3000".to_owned(),
            session_hours: 12,
            token_hours: 24,
            secure_cookies: false,
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
