//! Backups of the SQLite database (`mediation backup` and `restore`); PostgreSQL has its own tools.
//!
//! A backup is `VACUUM INTO` a new file: SQLite writes a consistent snapshot in one read
//! transaction, so the server keeps serving (WAL mode lets its writers go on) while it runs. A
//! restore copies the file beside the target, checks the copy, swaps it in by renaming, and
//! migrates it, so that an older backup comes back with today's schema.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, SqlxSqliteConnector,
    Statement,
};

use crate::db::{self, Backend};
use crate::error::AppError;

/// What `backup` wrote.
#[derive(Clone, Debug)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
}

/// What the restored database holds.
#[derive(Clone, Debug)]
pub struct RestoreReport {
    pub cases: u64,
    pub events: u64,
    pub attachments: u64,
    /// Migrations the backup lacked, applied after it was put in place.
    pub migrations_applied: u64,
}

/// The answer to `backup` on PostgreSQL: its own dump is consistent and online too.
pub fn pg_dump_advice(file: &Path) -> String {
    format!(
        "PostgreSQL 数据库请用 pg_dump 备份 / back up PostgreSQL with pg_dump:\n  \
         pg_dump --format=custom --file={} --dbname=\"$DATABASE_URL\"",
        shell_word(file)
    )
}

/// The answer to `restore` on PostgreSQL.
pub fn pg_restore_advice(file: &Path) -> String {
    let file = shell_word(file);
    format!(
        "PostgreSQL 数据库请用 pg_restore（纯 SQL 备份用 psql）恢复，然后运行 mediation migrate / \
         restore PostgreSQL with pg_restore (a plain SQL dump with psql), then run mediation migrate:\n  \
         pg_restore --clean --if-exists --no-owner --dbname=\"$DATABASE_URL\" {file}\n  \
         psql \"$DATABASE_URL\" --single-transaction --file={file}"
    )
}

/// Writes a consistent copy of the SQLite database at `database_url` to `dest`, which must not
/// exist yet. Safe while the server runs: the copy is one read transaction.
///
/// The source is opened read-only and is not migrated (unlike other commands): a backup taken
/// with a newer binary must not change the schema under a server that is still running.
///
/// # Errors
/// A PostgreSQL URL (with the `pg_dump` command to use instead), no database at the URL, `dest`
/// already there, or SQLite failing to write it.
pub async fn backup(database_url: &str, dest: &Path) -> Result<BackupReport, AppError> {
    let source = match Backend::from_url(database_url)? {
        Backend::Postgres => return Err(AppError::Config(pg_dump_advice(dest))),
        Backend::Sqlite => sqlite_file(database_url)?,
    };
    if !source.is_file() {
        return Err(AppError::Config(format!(
            "没有可备份的数据库 / there is no database to back up at {}",
            source.display()
        )));
    }
    refuse_existing(dest)?;
    let db = open_sqlite(&source, true).await?;
    let result = vacuum_into(&db, dest).await;
    db.close().await.ok();
    result
}

/// `VACUUM INTO` a temporary file beside `dest`, flushed to disk, then renamed to `dest`, so that
/// an interrupted backup never leaves a half-written file under the name asked for.
///
/// # Errors
/// `dest` already there, its folder missing, a path SQLite cannot be given, or SQLite failing.
pub async fn vacuum_into(db: &DatabaseConnection, dest: &Path) -> Result<BackupReport, AppError> {
    refuse_existing(dest)?;
    let folder = parent_of(dest);
    if !folder.is_dir() {
        return Err(AppError::Config(format!(
            "文件夹不存在 / no such folder: {}",
            folder.display()
        )));
    }
    let tmp = sibling(dest, "backup");
    let literal = tmp.to_str().and_then(sql_string_literal).ok_or_else(|| {
        AppError::Config(format!(
            "SQLite 无法使用这个文件名 / SQLite cannot be given this file name: {}",
            dest.display()
        ))
    })?;
    if let Err(e) = db
        .execute_unprepared(&format!("VACUUM INTO {literal}"))
        .await
    {
        remove_if_there(&tmp);
        return Err(AppError::Config(format!(
            "备份失败 / the backup failed: {e}"
        )));
    }
    // SQLite does not sync the file VACUUM INTO writes.
    let finished = sync_file(&tmp).and_then(|()| {
        refuse_existing(dest)?;
        std::fs::rename(&tmp, dest).map_err(|e| io_error("rename", dest, &e))?;
        sync_folder(folder);
        Ok(())
    });
    if let Err(e) = finished {
        remove_if_there(&tmp);
        return Err(e);
    }
    let bytes = std::fs::metadata(dest)
        .map_err(|e| io_error("read", dest, &e))?
        .len();
    Ok(BackupReport {
        path: dest.to_path_buf(),
        bytes,
    })
}

/// Puts the backup `file` in place of the SQLite database at `database_url` and migrates it.
/// A target holding any case or unit is only overwritten with `force`. Stop the server first: a
/// running server would keep writing to the file it had open.
///
/// # Errors
/// A PostgreSQL URL (with the `pg_restore` command to use instead), a `file` that is not a sound
/// database of this app, a target with data and no `force`, or a failed file operation.
pub async fn restore(
    file: &Path,
    database_url: &str,
    force: bool,
) -> Result<RestoreReport, AppError> {
    let target = match Backend::from_url(database_url)? {
        Backend::Postgres => return Err(AppError::Config(pg_restore_advice(file))),
        Backend::Sqlite => sqlite_file(database_url)?,
    };
    if !file.is_file() {
        return Err(AppError::Config(format!(
            "备份文件不存在 / no such backup file: {}",
            file.display()
        )));
    }
    if target.exists() && same_file(file, &target) {
        return Err(AppError::Config(
            "备份文件就是目标数据库 / the backup file is the target database itself".to_owned(),
        ));
    }
    if target.exists() && !force && holds_data(&target).await? {
        return Err(AppError::Config(format!(
            "目标数据库已有案件或单位，未覆盖；确需覆盖请加 --force / the target database already \
             holds cases or units and was left alone; add --force to overwrite it: {}",
            target.display()
        )));
    }
    let folder = parent_of(&target);
    std::fs::create_dir_all(folder).map_err(|e| io_error("create", folder, &e))?;
    // The checks run on the copy, so the backup file itself is never opened for writing.
    let tmp = sibling(&target, "restore");
    let copied = std::fs::copy(file, &tmp)
        .map_err(|e| io_error("copy", file, &e))
        .and_then(|_| sync_file(&tmp));
    let migrations_before = match copied {
        Ok(()) => check_backup(&tmp).await,
        Err(e) => Err(e),
    };
    let migrations_before = match migrations_before {
        Ok(n) => n,
        Err(e) => {
            remove_with_journal(&tmp);
            return Err(e);
        }
    };
    // A journal left by the database being replaced would be replayed into the restored one.
    for stale in [journal(&target, "-wal"), journal(&target, "-shm")] {
        remove_if_there(&stale);
    }
    std::fs::rename(&tmp, &target).map_err(|e| io_error("rename", &target, &e))?;
    sync_folder(folder);

    let db = db::connect_and_migrate(database_url).await?;
    let report = RestoreReport {
        cases: entity::cases::Entity::find().count(&db).await?,
        events: entity::case_events::Entity::find().count(&db).await?,
        attachments: entity::attachments::Entity::find().count(&db).await?,
        migrations_applied: migration_count(&db)
            .await?
            .saturating_sub(migrations_before),
    };
    db.close().await.ok();
    Ok(report)
}

/// A SQL string literal SQLite reads back as `text`: quotes doubled, nothing else escaped.
/// `None` for text with a NUL, which would end the string early.
pub fn sql_string_literal(text: &str) -> Option<String> {
    if text.contains('\0') {
        return None;
    }
    Some(format!("'{}'", text.replace('\'', "''")))
}

/// A file name beside `path` that no other run uses, for writing before renaming into place.
fn sibling(path: &Path, purpose: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nonce: u32 = rand::random();
    parent_of(path).join(format!(
        ".{name}.{purpose}-{}-{nonce:08x}.tmp",
        std::process::id()
    ))
}

/// The folder of a file; `.` for a bare file name.
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn sqlite_file(database_url: &str) -> Result<PathBuf, AppError> {
    db::sqlite_path(database_url).ok_or_else(|| {
        AppError::Config(
            "只能备份或恢复 SQLite 文件数据库 / only a SQLite database in a file can be backed up \
             or restored"
                .to_owned(),
        )
    })
}

fn refuse_existing(dest: &Path) -> Result<(), AppError> {
    if dest.exists() {
        return Err(AppError::Config(format!(
            "文件已存在，未覆盖 / the file already exists and was left alone: {}",
            dest.display()
        )));
    }
    Ok(())
}

fn journal(db_file: &Path, suffix: &str) -> PathBuf {
    let mut name = db_file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_if_there(path: &Path) {
    // Best effort: what cannot be removed is at worst a stray temporary file.
    let _ = std::fs::remove_file(path);
}

fn remove_with_journal(path: &Path) {
    remove_if_there(path);
    remove_if_there(&journal(path, "-wal"));
    remove_if_there(&journal(path, "-shm"));
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn io_error(what: &str, path: &Path, e: &std::io::Error) -> AppError {
    AppError::Config(format!("cannot {what} {}: {e}", path.display()))
}

fn sync_file(path: &Path) -> Result<(), AppError> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_error("flush", path, &e))
}

/// Makes a rename durable. Not every platform can open a folder to sync it; the rename itself has
/// happened either way.
fn sync_folder(folder: &Path) {
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
}

/// A connection of its own to one SQLite file (never created here), waiting for a busy writer
/// rather than failing.
async fn open_sqlite(path: &Path, read_only: bool) -> Result<DatabaseConnection, AppError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .read_only(read_only)
        .busy_timeout(Duration::from_secs(15));
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|e| {
            AppError::Config(format!(
                "无法打开数据库 / cannot open the database {}: {e}",
                path.display()
            ))
        })?;
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

async fn table_exists(db: &DatabaseConnection, table: &str) -> Result<bool, sea_orm::DbErr> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?",
            [table.into()],
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0)
        > 0)
}

async fn migration_count(db: &DatabaseConnection) -> Result<u64, AppError> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM seaql_migrations",
        ))
        .await?;
    let n = row.map(|r| r.try_get::<i64>("", "n")).transpose()?;
    Ok(n.unwrap_or(0).try_into().unwrap_or(0))
}

/// True when the database at `path` has a case or a unit. A file that cannot be read as a
/// database counts as holding data: only `--force` overwrites what cannot be looked into.
async fn holds_data(path: &Path) -> Result<bool, AppError> {
    let unreadable = |e: String| {
        AppError::Config(format!(
            "无法读取目标数据库，未覆盖；确需覆盖请加 --force / the target database cannot be \
             read and was left alone; add --force to overwrite it: {}: {e}",
            path.display()
        ))
    };
    let db = open_sqlite(path, false)
        .await
        .map_err(|e| unreadable(e.to_string()))?;
    let answer = async {
        for table in ["cases", "units"] {
            if table_exists(&db, table).await? {
                let row = db
                    .query_one_raw(Statement::from_string(
                        db.get_database_backend(),
                        format!("SELECT EXISTS (SELECT 1 FROM {table}) AS n"),
                    ))
                    .await?;
                if row
                    .map(|r| r.try_get::<i64>("", "n"))
                    .transpose()?
                    .unwrap_or(0)
                    > 0
                {
                    return Ok(true);
                }
            }
        }
        Ok::<bool, sea_orm::DbErr>(false)
    }
    .await;
    db.close().await.ok();
    answer.map_err(|e| unreadable(e.to_string()))
}

/// Checks that `path` is a sound SQLite database of this app; answers how many migrations it has.
async fn check_backup(path: &Path) -> Result<u64, AppError> {
    let not_ours = |detail: String| {
        AppError::Config(format!(
            "这不是调解通的完好备份 / this is not a sound backup of this app: {detail}"
        ))
    };
    let db = open_sqlite(path, false).await?;
    let checked = async {
        if !table_exists(&db, "seaql_migrations")
            .await
            .map_err(|e| not_ours(e.to_string()))?
        {
            return Err(not_ours("no seaql_migrations table".to_owned()));
        }
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "PRAGMA quick_check",
            ))
            .await
            .map_err(|e| not_ours(e.to_string()))?;
        let verdict = row
            .map(|r| r.try_get_by_index::<String>(0))
            .transpose()
            .map_err(|e| not_ours(e.to_string()))?
            .unwrap_or_default();
        if verdict != "ok" {
            return Err(not_ours(verdict));
        }
        migration_count(&db).await
    }
    .await;
    db.close().await.ok();
    checked
}

/// The file name as a shell word for the advice printed, quoted when it needs to be.
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=@,".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_becomes_a_quoted_sql_string_with_its_quotes_doubled() {
        assert_eq!(
            sql_string_literal("/srv/backups/mediation.db").as_deref(),
            Some("'/srv/backups/mediation.db'")
        );
        assert_eq!(
            sql_string_literal("/tmp/o'brien's; DROP TABLE cases;--.db").as_deref(),
            Some("'/tmp/o''brien''s; DROP TABLE cases;--.db'")
        );
        assert_eq!(
            sql_string_literal("备份 2026.db").as_deref(),
            Some("'备份 2026.db'")
        );
    }

    #[test]
    fn a_file_name_with_a_nul_is_refused() {
        assert_eq!(sql_string_literal("a\0b"), None);
    }

    #[test]
    fn the_temporary_file_sits_beside_the_target_hidden_and_unique() {
        let a = sibling(Path::new("/srv/data/mediation.db"), "restore");
        let b = sibling(Path::new("/srv/data/mediation.db"), "restore");
        assert_eq!(a.parent(), Some(Path::new("/srv/data")));
        let name = a.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with(".mediation.db.restore-"), "{name}");
        assert!(name.ends_with(".tmp"), "{name}");
        assert_ne!(a, b);
        assert_eq!(
            sibling(Path::new("bare.db"), "backup").parent(),
            Some(Path::new("."))
        );
    }

    #[test]
    fn postgres_advice_names_the_tool_and_quotes_the_file() {
        let dump = pg_dump_advice(Path::new("/backups/mediation.dump"));
        assert!(dump.contains("pg_dump --format=custom --file=/backups/mediation.dump"));
        let restore = pg_restore_advice(Path::new("my dump's.dump"));
        assert!(restore.contains("pg_restore"), "{restore}");
        assert!(restore.contains("'my dump'\\''s.dump'"), "{restore}");
    }
}
