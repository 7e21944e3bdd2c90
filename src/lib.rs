//! 调解通 — a labour-dispute mediation case tracker for a street's "1+23+3N" network.
//!
//! Map of the crate. Each layer uses only the layers below it, never one above
//! (`tests/api/layers.rs` reads the source tree and fails on an import across the line):
//!
//! - [`cli`], [`demo`]: the command line and the demo / benchmark data sets; they call services;
//! - [`web`]: routes, JSON API ([`web::api`]) and HTML pages ([`web::pages`]), both thin: they
//!   extract the request, call one service and shape the answer. `web` alone knows HTTP: it maps
//!   [`error::AppError`] to a status and a body ([`web::errors`]) and owns the request and
//!   response shapes ([`web::shapes`]). It names no `entity` row and runs no query (the few rows
//!   still named are listed in the layer test, with why);
//! - [`services`]: transactions, role and scope checks, audit, one module per aggregate; who is
//!   told about a change ([`services::notifications`]). No axum, no `http`, no `web`;
//! - [`mail`]: the notification queue, the worker, the transport and the messages. No services,
//!   no web;
//! - [`domain`]: pure rules with no I/O (network shape, passwords, money, workflow, grading,
//!   clocks, who hears what). No sea-orm, axum, tokio or `entity`;
//! - `entity` and `migration` crates: the tables;
//! - beside them, used by all: [`config`], [`db`], [`error`] (free of HTTP), [`i18n`], [`state`].
//!
//! [`App::build`] is used by `main` and by the tests alike.

pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod mail;
pub mod services;
pub mod state;
pub mod web;

use std::future::Future;
use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::error::AppError;
use crate::state::AppState;

/// A ready-to-serve application: connected, migrated, templates loaded.
pub struct App {
    pub state: AppState,
}

impl App {
    /// Connects to the database of `config`, migrates it and loads the templates.
    /// A new database gets the 2026 holiday calendar and the default grading thresholds.
    ///
    /// # Errors
    /// An unreachable database, a failed migration or a broken template.
    pub async fn build(config: Config) -> Result<App, AppError> {
        let db = db::connect_and_migrate(&config.database_url).await?;
        services::cases::attachments::move_files_into_database(&db, &config.data_dir).await?;
        services::cases::access_code::ensure_codes(&db).await?;
        services::backfills::run_pending(&db, config.time_zone).await?;
        services::calendar::seed_if_empty(&db).await?;
        services::settings::seed_defaults(&db).await?;
        services::subsidy::seed_defaults(&db).await?;
        services::stats::counters::ensure(&db, config.time_zone).await?;
        App::with_database(config, db)
    }

    /// As [`App::build`] over an already connected and migrated database.
    ///
    /// # Errors
    /// A broken template.
    pub fn with_database(config: Config, db: DatabaseConnection) -> Result<App, AppError> {
        let tera = web::render::templates(config.time_zone)?;
        Ok(App {
            state: AppState {
                db,
                config: Arc::new(config),
                tera: Arc::new(tera),
            },
        })
    }

    /// Serves on `listener` until `shutdown` completes, then finishes the requests under way.
    ///
    /// # Errors
    /// The listener failed.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), AppError> {
        // The mail worker and the reminder scheduler stop after the last request has finished.
        let mut workers = mail::spawn_workers(self.state.db.clone(), self.state.config.clone())?;
        let (db, config) = (self.state.db.clone(), self.state.config.clone());
        workers.spawn(|stop| services::notifications::reminders::run(db, config, stop));
        let router = web::build_app(self.state);
        // The peer address feeds the limits per address (sign-in throttling).
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| AppError::Internal(format!("server: {e}")));
        workers.stop().await;
        served
    }
}
