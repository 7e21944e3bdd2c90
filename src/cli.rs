//! The command line (DESIGN §7): `serve` (the default), `user add`, `migrate`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use crate::config::Config;
use crate::demo;
use crate::domain::role::Role;
use crate::error::AppError;
use crate::services::accounts;
use crate::{db, i18n, App};

#[derive(Parser, Debug)]
#[command(
    name = "mediation",
    version,
    about = "调解通 — labour-dispute mediation case tracker"
)]
pub struct Cli {
    /// sqlite://path/to/file.db or postgres://user@host/db
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/mediation.db",
        global = true
    )]
    pub database_url: String,
    /// The street's time zone: days, months and years are counted in it.
    #[arg(
        long,
        env = "TIME_ZONE",
        default_value = "Asia/Shanghai",
        global = true
    )]
    pub time_zone: String,
    /// The address users reach the app at (for links in e-mails).
    #[arg(
        long,
        env = "PUBLIC_URL",
        default_value = "http://127.0.0.1:3000",
        global = true
    )]
    pub public_url: String,
    /// Mark cookies Secure (when served over HTTPS).
    #[arg(long, env = "SECURE_COOKIES", global = true)]
    pub secure_cookies: bool,
    /// A browser sign-in ends after this many hours without a request.
    #[arg(long, env = "SESSION_IDLE_HOURS", default_value_t = 8, global = true)]
    pub session_idle_hours: i64,
    /// A browser sign-in ends this many days after it began, however busy.
    #[arg(long, env = "SESSION_MAX_DAYS", default_value_t = 7, global = true)]
    pub session_max_days: i64,
    /// Behind a reverse proxy: take the client's address from X-Forwarded-For.
    #[arg(long, env = "TRUST_PROXY", global = true)]
    pub trust_proxy: bool,
    /// Outgoing mail server in lettre's URL form: smtp://host:port (plain), smtp://host?tls=required
    /// (STARTTLS), smtps://user:pass@host (TLS). Without it, e-mails are written to data/mail/*.eml.
    #[arg(long, env = "SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,
    /// The sender of every e-mail.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "调解通 <noreply@localhost>",
        global = true
    )]
    pub mail_from: String,
    /// Seconds before the first retry of an e-mail (doubled after each further failure).
    #[arg(
        long,
        env = "MAIL_RETRY_BASE_SECS",
        default_value_t = 30,
        global = true
    )]
    pub mail_retry_base_secs: u64,
    /// The longest wait between two tries, in seconds.
    #[arg(
        long,
        env = "MAIL_RETRY_CAP_SECS",
        default_value_t = 3600,
        global = true
    )]
    pub mail_retry_cap_secs: u64,
    /// Tries before an e-mail is given up.
    #[arg(long, env = "MAIL_MAX_ATTEMPTS", default_value_t = 8, global = true)]
    pub mail_max_attempts: u32,
    /// How often the mail worker looks for e-mails to send, in milliseconds.
    #[arg(long, env = "MAIL_POLL_MS", default_value_t = 2000, global = true)]
    pub mail_poll_ms: u64,
    /// How often the reminder scheduler looks at the clocks, in seconds.
    #[arg(
        long,
        env = "REMINDER_INTERVAL_SECS",
        default_value_t = 60,
        global = true
    )]
    pub reminder_interval_secs: u64,
    /// The address to listen on (used by `serve` and by a plain `mediation`).
    #[arg(long, env = "BIND", default_value = "127.0.0.1:3000", global = true)]
    pub bind: String,
    /// Folder for the mail files written without SMTP_URL (and, before 2026-12, attachments).
    #[arg(long, env = "DATA_DIR", default_value = "data", global = true)]
    pub data_dir: std::path::PathBuf,
    /// `text` (plain lines; coloured only on a terminal) or `json` (one object per line).
    #[arg(long, env = "LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How log lines are written.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the pages and the API.
    Serve {
        /// Load the demo street into an empty database.
        #[arg(long)]
        demo: bool,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Graded subsidies (以奖代补), acting as the system.
    Subsidy {
        #[command(subcommand)]
        command: SubsidyCommand,
    },
    /// Load data into an empty database: `--profile jiubao` (the published Jiubao street and its
    /// cases up to November 2022).
    Seed {
        /// Bulk cases (not in this build).
        #[arg(long)]
        cases: Option<u64>,
        #[arg(long, default_value_t = 1)]
        streets: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// `jiubao`
        #[arg(long)]
        profile: Option<String>,
    },
    /// Copy the SQLite database to FILE, safely while the server runs (PostgreSQL: use pg_dump).
    Backup {
        /// The new backup file; an existing file is never overwritten.
        file: std::path::PathBuf,
    },
    /// Put a backup made by `backup` in place of the SQLite database and migrate it. Stop the
    /// server first (PostgreSQL: use pg_restore).
    Restore {
        /// A file written by `mediation backup`.
        file: std::path::PathBuf,
        /// Overwrite a database that already holds cases or units.
        #[arg(long)]
        force: bool,
    },
    /// Bring records kept elsewhere into the database.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// The monthly counters behind the statistics.
    Stats {
        #[command(subcommand)]
        command: StatsCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum StatsCommand {
    /// Recompute every counter from the cases, in one transaction (a repair; the server also
    /// rebuilds them at start when the time zone changed).
    Rebuild,
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// A station's register (台账), XLSX or UTF-8 CSV, columns by their Chinese names: every row
    /// checked, refused rows reported by row and column, each row in whole or not at all.
    Ledger {
        /// The .xlsx or .csv file.
        file: std::path::PathBuf,
        /// The unit (code) of rows that name none.
        #[arg(long)]
        unit: Option<String>,
        /// Check every row and report, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum SubsidyCommand {
    /// Compute a period (create it, or recompute a draft) and print its totals.
    Compute {
        /// `2026-11` or `2026-Q4`
        #[arg(long)]
        period: String,
    },
    /// Write a computed period to a file and print its totals.
    Export {
        #[arg(long)]
        period: String,
        /// xlsx or csv
        #[arg(long, default_value = "xlsx")]
        format: String,
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long, env = "NEW_USER_PASSWORD")]
        password: String,
        /// admin, coordinator, mediator, finance or viewer
        #[arg(long)]
        role: String,
        #[arg(long)]
        unit_id: Option<i64>,
        #[arg(long)]
        mediator_id: Option<i64>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
    },
}

/// Parses the command line and runs it; the exit code says whether it worked.
pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    match execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(AppError::Invalid(fields)) => {
            for (field, message) in fields {
                eprintln!("{field}: {}", i18n::message(i18n::Lang::Zh, &message));
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to standard output: JSON lines with `LOG_FORMAT=json`, otherwise plain text, with colour
/// only when a person is watching (a file or the journal gets no escape codes).
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder.json().with_current_span(true).init(),
        LogFormat::Text => builder.with_ansi(std::io::stdout().is_terminal()).init(),
    }
}

async fn execute(cli: Cli) -> Result<(), AppError> {
    let mut config = Config::for_database(&cli.database_url);
    config.time_zone = Config::parse_time_zone(&cli.time_zone)?;
    config.public_url = cli.public_url.clone();
    config.secure_cookies = cli.secure_cookies;
    config.trust_proxy = cli.trust_proxy;
    if cli.session_idle_hours < 1 || cli.session_max_days < 1 {
        return Err(AppError::Config(
            "SESSION_IDLE_HOURS and SESSION_MAX_DAYS must be at least 1".into(),
        ));
    }
    config.session_idle_hours = cli.session_idle_hours;
    config.session_max_hours = cli.session_max_days * 24;
    config.data_dir = cli.data_dir.clone();
    config.smtp_url = cli.smtp_url.clone().filter(|u| !u.trim().is_empty());
    config.mail_from = cli.mail_from.clone();
    config.mail_retry_base_secs = cli.mail_retry_base_secs;
    config.mail_retry_cap_secs = cli.mail_retry_cap_secs;
    config.mail_max_attempts = cli.mail_max_attempts;
    config.mail_poll_ms = cli.mail_poll_ms;
    config.reminder_interval_secs = cli.reminder_interval_secs;
    // A plain `mediation` (and `cargo run`) serves with the demo street.
    let command = cli.command.unwrap_or(Command::Serve { demo: true });
    match command {
        Command::Migrate => {
            db::connect_and_migrate(&config.database_url).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    password,
                    role,
                    unit_id,
                    mediator_id,
                    email,
                    display_name,
                },
        } => {
            let db = db::connect_and_migrate(&config.database_url).await?;
            let role = Role::parse(&role).ok_or_else(|| {
                AppError::Config(format!(
                    "unknown role {role:?}: use admin, coordinator, mediator, finance or viewer"
                ))
            })?;
            let user = accounts::insert(
                &db,
                None,
                accounts::NewUser {
                    display_name: display_name.unwrap_or_else(|| username.clone()),
                    username,
                    password,
                    role,
                    unit_id,
                    mediator_id,
                    email,
                },
            )
            .await?;
            println!(
                "created user {} ({}) with id {}",
                user.username,
                Role::from(user.role).as_str(),
                user.id
            );
            Ok(())
        }
        Command::Serve { demo } => serve(config, &cli.bind, demo).await,
        Command::Subsidy { command } => {
            use crate::services::subsidy;
            let app = App::build(config).await?;
            let (db, tz) = (&app.state.db, app.state.config.time_zone);
            let period = match command {
                SubsidyCommand::Compute { period } => subsidy::compute_as_system(db, tz, &period)
                    .await
                    .map_err(explain)?,
                SubsidyCommand::Export {
                    period,
                    format,
                    out,
                } => {
                    let p = subsidy::export_as_system(db, tz, &period, &format, &out)
                        .await
                        .map_err(explain)?;
                    println!("已写入 / written: {}", out.display());
                    p
                }
            };
            print!("{}", totals_text(&period));
            Ok(())
        }
        Command::Seed {
            cases,
            streets,
            seed,
            profile,
        } => seed_command(config, cases, streets, seed, profile.as_deref()).await,
        Command::Import {
            command:
                ImportCommand::Ledger {
                    file,
                    unit,
                    dry_run,
                },
        } => import_ledger(config, &file, unit, dry_run).await,
        Command::Stats {
            command: StatsCommand::Rebuild,
        } => {
            let db = crate::db::connect_and_migrate(&config.database_url).await?;
            let report = crate::services::stats::counters::rebuild(&db, config.time_zone).await?;
            println!(
                "统计计数已重建 / statistics counters rebuilt: {} months, {} rows in {:.1} s",
                report.months, report.rows, report.seconds
            );
            Ok(())
        }
        Command::Backup { file } => {
            let report = crate::services::backup::backup(&config.database_url, &file).await?;
            println!(
                "已备份 / backed up: {} ({} bytes)",
                report.path.display(),
                report.bytes
            );
            Ok(())
        }
        Command::Restore { file, force } => {
            let report =
                crate::services::backup::restore(&file, &config.database_url, force).await?;
            println!(
                "已恢复 / restored: {} 件案件 cases, {} 条事件 events, {} 个附件 attachments; \
                 补做迁移 / migrations applied: {}",
                report.cases, report.events, report.attachments, report.migrations_applied
            );
            Ok(())
        }
    }
}

async fn seed_command(
    config: Config,
    cases: Option<u64>,
    streets: u32,
    seed: u64,
    profile: Option<&str>,
) -> Result<(), AppError> {
    match (profile, cases) {
        (Some("jiubao"), _) => {
            let app = App::build(config).await?;
            let tz = app.state.config.time_zone;
            let loaded = crate::demo::jiubao::load(&app.state.db, tz).await?;
            println!(
                "已载入九堡街道 / Jiubao street loaded: {} units, {} mediators, {} cases",
                loaded.units, loaded.mediators, loaded.cases
            );
            println!(
                "统计 / statistics: /stats?from={}&to={}",
                crate::demo::jiubao::first_day(),
                crate::demo::jiubao::last_day()
            );
            Ok(())
        }
        (Some(other), _) => Err(AppError::Config(format!(
            "unknown profile {other:?}: the only profile is jiubao"
        ))),
        (None, Some(cases)) => {
            let app = App::build(config).await?;
            let report = crate::demo::bulk::seed(
                &app.state.db,
                app.state.config.time_zone,
                crate::demo::bulk::SeedOptions {
                    cases,
                    streets,
                    seed,
                },
            )
            .await?;
            println!(
                "已生成 / seeded: {} cases, {} rows, {} streets, {} mediators, {} mentorships in {:.1} s ({:.0} cases/s); subsidy periods paid: {}",
                report.cases,
                report.rows,
                report.streets,
                report.mediators,
                report.mentorships,
                report.seconds,
                report.cases as f64 / report.seconds.max(0.001),
                report.subsidy_periods.join(", ")
            );
            Ok(())
        }
        (None, None) => Err(AppError::Config(
            "seed needs --profile jiubao (or --cases N)".into(),
        )),
    }
}

/// `mediation import ledger`: runs the import on a blocking thread with a progress line.
async fn import_ledger(
    config: Config,
    file: &std::path::Path,
    unit: Option<String>,
    dry_run: bool,
) -> Result<(), AppError> {
    use crate::services::ledger::import;
    let app = App::build(config).await?;
    let db = app.state.db.clone();
    let tz = app.state.config.time_zone;
    let source = std::fs::File::open(file)
        .map_err(|e| AppError::Config(format!("cannot open {}: {e}", file.display())))?;
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {elapsed_precise} 已读 {pos} 行 rows read ({per_sec}) {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let options = import::Options {
        unit_code: unit,
        dry_run,
    };
    let handle = tokio::runtime::Handle::current();
    let shown = bar.clone();
    let report = tokio::task::spawn_blocking(move || {
        import::import(
            &handle,
            &db,
            tz,
            &import::system_actor(),
            source,
            &options,
            &|r| {
                shown.set_position(r.rows);
                shown.set_message(format!(
                    "导入 imported {} · 拒绝 refused {}",
                    r.imported, r.refused_rows
                ));
            },
        )
    })
    .await
    .map_err(|e| AppError::Internal(format!("import: {e}")))?;
    bar.finish_and_clear();
    let report = report?;
    print!("{}", report.text());
    Ok(())
}

async fn serve(config: Config, bind: &str, load_demo: bool) -> Result<(), AppError> {
    let app = App::build(config).await?;
    if load_demo {
        let tz = app.state.config.time_zone;
        if let Some(street) = demo::load_street_with_cases(&app.state.db, tz).await? {
            println!(
                "已载入演示街道 / demo street loaded: {} units, {} mediators",
                street.summary.units, street.summary.mediators
            );
            println!(
                "演示账号 / demo accounts (password: {}):",
                demo::DEMO_PASSWORD
            );
            for (username, name, role) in demo::DEMO_ACCOUNTS {
                println!("  {username:<12} {role:<12} {name}", role = role.as_str());
            }
            let (cases, pairs) = (street.cases, street.mentorships);
            println!("已载入 {cases} 件演示案件 / {cases} demo cases loaded");
            println!("已载入 {pairs} 对师徒结对 / {pairs} demo mentorships loaded");
            if !street.subsidy_periods.is_empty() {
                println!(
                    "已载入以奖代补结算期 / subsidy periods: {}",
                    street.subsidy_periods.join(", ")
                );
            }
        }
    }
    let listener = TcpListener::bind(bind)
        .await
        .map_err(|e| AppError::Config(format!("cannot listen on {bind}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| AppError::Config(e.to_string()))?;
    println!("调解通 is running at http://{addr}/  (Ctrl-C to stop)");
    app.serve(listener, shutdown_signal()).await
}

/// Completes on Ctrl-C or SIGTERM, so that requests under way can finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

// ---------------------------------------------------------------------------------------------
// What the commands print: text for the terminal only, kept out of the services.
// ---------------------------------------------------------------------------------------------

impl crate::services::ledger::import::Report {
    /// The report as the command line prints it.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let verb = if self.dry_run {
            "可导入（试运行，未写入）/ would import (dry run, nothing written)"
        } else {
            "已导入 / imported"
        };
        out.push_str(&format!(
            "读取 {} 行 / rows read: {}\n{verb}: {}\n拒绝 / refused: {}\n",
            self.rows, self.rows, self.imported, self.refused_rows
        ));
        for r in &self.refusals {
            out.push_str(&format!(
                "  第 {} 行 row {}{}: {}\n",
                r.row,
                r.row,
                r.column
                    .as_ref()
                    .map(|c| format!("，列“{c}”"))
                    .unwrap_or_default(),
                r.reason
            ));
        }
        if (self.refusals.len() as u64) < self.refused_rows {
            out.push_str("  ……（仅列出前 1000 条）\n");
        }
        out
    }
}

/// The totals of a period as lines for the terminal.
fn totals_text(p: &crate::services::subsidy::PeriodOut) -> String {
    use crate::domain::case_terms::Grade;
    use crate::domain::money::format_yuan;
    let mut out = format!(
        "结算期 {} ({})  状态 {}  版本 {}\n案件 {}  明细 {}  合计 {}\n",
        p.period,
        p.kind,
        p.status,
        p.version,
        p.totals.cases,
        p.totals.items,
        format_yuan(p.totals.total_fen)
    );
    out.push_str("按等级:\n");
    for g in &p.totals.by_grade {
        let label =
            Grade::parse(&g.grade).map_or_else(String::new, |g| i18n::label(i18n::Lang::Zh, g));
        out.push_str(&format!(
            "  {label:<8} {:>6} 件  {:>14}\n",
            g.cases,
            format_yuan(g.amount_fen)
        ));
    }
    out.push_str("按调解组织:\n");
    for u in &p.totals.by_unit {
        out.push_str(&format!(
            "  {}  {} 件  {}\n",
            u.unit_name,
            u.cases,
            format_yuan(u.amount_fen)
        ));
    }
    out.push_str(&format!("调解员 {} 人\n", p.totals.by_mediator.len()));
    out
}

/// An error of the command line in words (the terminal has no error page).
fn explain(e: AppError) -> AppError {
    use crate::i18n::{message, Lang};
    match e {
        AppError::Conflict(m) | AppError::Refused(m) => AppError::Config(format!(
            "{} / {}",
            message(Lang::Zh, &m),
            message(Lang::En, &m)
        )),
        AppError::NotFound => {
            AppError::Config("结算期不存在，请先计算 / no such period: compute it first".to_owned())
        }
        other => other,
    }
}
