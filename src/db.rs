//! Connecting to SQLite or PostgreSQL (chosen once from the URL scheme) and migrating.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::prelude::async_trait;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, ExecResult, QueryResult, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::AppError;

/// Which database a URL names; anything else is refused at start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// # Errors
    /// A URL that is neither `sqlite:` nor `postgres:`/`postgresql:`.
    pub fn from_url(url: &str) -> Result<Backend, AppError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(AppError::Config(
                "DATABASE_URL must start with sqlite:// or postgres://".to_owned(),
            ))
        }
    }
}

/// Connects and brings the schema up to date.
///
/// SQLite: the file and its folder are created on first use; WAL mode lets readers work while one
/// writer writes, foreign keys are enforced and a busy writer is waited for rather than failed.
///
/// # Errors
/// An unreachable database or a failed migration.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, AppError> {
    let backend = Backend::from_url(url)?;
    if backend == Backend::Sqlite {
        create_sqlite_folder(url)?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    match backend {
        Backend::Sqlite => {
            // No ping before each query: the pool pings a connection every time it hands one
            // out unless told not to, which doubled the round trips to SQLite's connection
            // threads of every request (a local file cannot drop a connection).
            options.test_before_acquire(false);
            options.max_connections(8).map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(15))
            });
        }
        Backend::Postgres => {
            // A ping only for a connection idle long enough to have been dropped by the server
            // or the network, not one per query.
            options.test_before_acquire_if_idle_for(Duration::from_secs(30));
            options.max_connections(16);
        }
    }
    let db = Database::connect(options)
        .await
        .map_err(|e| AppError::Config(format!("cannot open the database: {e}")))?;
    Migrator::up(&db, None)
        .await
        .map_err(|e| AppError::Config(format!("migration failed: {e}")))?;
    Ok(db)
}

/// The file a `sqlite:` URL names, as sqlx reads it (options dropped, `%` escapes decoded); `None`
/// for an in-memory database or a URL of another scheme.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let (database, params) = rest.split_once('?').unwrap_or((rest, ""));
    let database = database.trim_start_matches("//");
    if database.is_empty() || database == ":memory:" || params.contains("mode=memory") {
        return None;
    }
    let options = SqliteConnectOptions::from_str(url).ok()?;
    Some(options.get_filename().to_path_buf())
}

fn create_sqlite_folder(url: &str) -> Result<(), AppError> {
    let Some(path) = sqlite_path(url) else {
        return Ok(());
    };
    if let Some(parent) = path.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|e| {
                AppError::Config(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
    }
    Ok(())
}

/// Writers of this process on SQLite take turns here before they take the file's write lock.
///
/// SQLite has one writer at a time. A writer that finds the lock taken sleeps in SQLite's busy
/// handler, in steps of up to 100 ms, and tries again: under sixteen concurrent intakes most
/// writers were asleep while the lock was free (p99 1.2 s, 245 intakes a second). Here they queue
/// in order and each starts the moment the one before it ends. Writers of other processes (the
/// command line beside a server) still meet the busy timeout. PostgreSQL has row locks and needs
/// no turn.
static SQLITE_WRITERS: Semaphore = Semaphore::const_new(1);

/// A transaction that will write, holding this process's SQLite writer turn (see
/// [`SQLITE_WRITERS`]) until it commits, rolls back or is dropped.
pub struct WriteTransaction {
    txn: DatabaseTransaction,
    _turn: Option<SemaphorePermit<'static>>,
}

impl WriteTransaction {
    /// # Errors
    /// The database refused the commit.
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    /// # Errors
    /// The database refused the rollback.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

impl std::ops::Deref for WriteTransaction {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTransaction {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

/// Starts a transaction that will write. On SQLite it waits for this process's writer turn, then
/// takes the write lock at once (`BEGIN IMMEDIATE`): a deferred transaction that reads first and
/// writes later can fail with "database is locked" when another writer got in between, whatever
/// the busy timeout.
///
/// # Errors
/// The database refused to start a transaction.
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTransaction, AppError> {
    let sqlite = db.get_database_backend() == DbBackend::Sqlite;
    let turn = if sqlite {
        Some(
            SQLITE_WRITERS
                .acquire()
                .await
                .map_err(|e| AppError::Internal(format!("the writer queue closed: {e}")))?,
        )
    } else {
        None
    };
    let options = TransactionOptions {
        sqlite_transaction_mode: sqlite.then_some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    Ok(WriteTransaction {
        txn: db.begin_with_options(options).await?,
        _turn: turn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sqlite_url_names_its_file_as_sqlx_reads_it() {
        let path = |url: &str| sqlite_path(url).map(|p| p.display().to_string());
        assert_eq!(
            path("sqlite://data/mediation.db").as_deref(),
            Some("data/mediation.db")
        );
        assert_eq!(
            path("sqlite:///srv/mediation.db?mode=rwc").as_deref(),
            Some("/srv/mediation.db")
        );
        assert_eq!(
            path("sqlite://backups/my%20copy.db").as_deref(),
            Some("backups/my copy.db")
        );
        assert_eq!(path("sqlite::memory:"), None);
        assert_eq!(path("sqlite://?mode=memory"), None);
        assert_eq!(path("postgres://postgres@127.0.0.1/mediation"), None);
    }
}
