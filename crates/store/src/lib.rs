//! throughline's store: what the data cannot say by itself. Metric snapshots (versioned, with
//! the hash of the definition that produced them), check-ins, decisions, the final scores of
//! closed periods and the notification log, in SQLite (the default, a file in the workspace) or PostgreSQL.
//!
//! One code path for both through sqlx's `Any` driver; the schema is versioned migrations in
//! `migrations/`, applied when the store is opened. Every write is one transaction, so a crash
//! mid-write leaves the previous state; a write is acknowledged only after it committed.

mod checkins;
mod decisions;
mod error;
mod notifications;
mod scores;
mod snapshots;
mod tokens;

pub use checkins::{CheckIn, NewCheckIn};
pub use decisions::Decision;
pub use notifications::{Delivery, NewNotification, Notification};
pub use scores::{ClosedPeriod, ScoreRow};
pub use snapshots::{NewSnapshot, SaveSummary, Snapshot};

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Connection, Executor, Row, SqlSafeStr};

pub use error::StoreError;
pub use tokens::{NewToken, Token};

/// The schema, in order. Never edit a released migration: add the next one.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/0001_init.sql")),
    (
        2,
        "api tokens",
        include_str!("../migrations/0002_tokens.sql"),
    ),
    (
        3,
        "notification log",
        include_str!("../migrations/0003_notifications.sql"),
    ),
];

/// Which database a store lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An open store.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    location: String,
}

impl Store {
    /// Opens (creating if needed) the store at `url`: `sqlite://path` (relative paths are
    /// relative to `base`, the workspace folder) or `postgres://user@host/db`. Applies pending
    /// migrations.
    pub async fn open(url: &str, base: &Path) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, connect, location) = resolve(url, base)?;
        // One direct connection first: an unreachable server fails at once instead of after
        // the pool's retries.
        let mut probe = sqlx::AnyConnection::connect(&connect)
            .await
            .map_err(|e| StoreError::connect(&location, e))?;
        prepare(&mut probe, backend)
            .await
            .map_err(|e| StoreError::connect(&location, e))?;
        probe.close().await.ok();
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| Box::pin(prepare(conn, backend)))
            .connect(&connect)
            .await
            .map_err(|e| StoreError::connect(&location, e))?;
        let store = Store {
            pool,
            backend,
            location,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Where the store is, for messages (a PostgreSQL password is never shown).
    pub fn location(&self) -> &str {
        &self.location
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        let migrations = MIGRATIONS
            .iter()
            .map(|(version, name, sql)| {
                Migration::new(
                    *version,
                    (*name).into(),
                    MigrationType::Simple,
                    sqlx::AssertSqlSafe(*sql).into_sql_str(),
                    false,
                )
            })
            .collect();
        let migrator = Migrator::with_migrations(migrations);
        // Two processes opening a new store at once may race to create the schema; the loser
        // finds it created on the second attempt.
        let mut last = None;
        for _ in 0..3 {
            match migrator.run(&self.pool).await {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err(StoreError::migrate(
            &self.location,
            last.expect("three attempts"),
        ))
    }

    /// A cheap fingerprint of the check-ins and decisions (their counts): it changes when one
    /// is added, by this process or another.
    pub async fn revision(&self) -> Result<(i64, i64), StoreError> {
        let r =
            sqlx::query("SELECT (SELECT COUNT(*) FROM checkins), (SELECT COUNT(*) FROM decisions)")
                .fetch_one(&self.pool)
                .await
                .map_err(|e| self.io(e))?;
        Ok((self.col(&r, 0)?, self.col(&r, 1)?))
    }

    /// Closes the connections; pending writes have already committed.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn io(&self, e: sqlx::Error) -> StoreError {
        StoreError::database(&self.location, e)
    }

    /// Column `i` of a row, decoded as `T`.
    pub(crate) fn col<'r, T>(&self, r: &'r AnyRow, i: usize) -> Result<T, StoreError>
    where
        T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        r.try_get(i).map_err(|e| self.io(e))
    }

    pub(crate) fn corrupt(&self, what: String) -> StoreError {
        StoreError::Corrupt {
            location: self.location.clone(),
            what,
        }
    }

    pub(crate) fn parse_time(&self, s: &str) -> Result<DateTime<Utc>, StoreError> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| self.corrupt(format!("`{s}` is not an RFC 3339 time: {e}")))
    }
}

/// Per-connection settings. SQLite: WAL lets readers and a writer work at once, FULL makes a
/// commit durable before it is acknowledged, and writers wait for each other.
async fn prepare(conn: &mut sqlx::AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
    if backend == Backend::Sqlite {
        conn.execute("PRAGMA busy_timeout = 30000").await?;
        conn.execute("PRAGMA journal_mode = WAL").await?;
        conn.execute("PRAGMA synchronous = FULL").await?;
    }
    Ok(())
}

/// Equal up to the last bits a round trip through a database may change.
fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
        _ => false,
    }
}

fn time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Time-ordered unique ids (UUID v7).
fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The backend, the URL to connect to, and the location to show in messages.
fn resolve(url: &str, base: &Path) -> Result<(Backend, String, String), StoreError> {
    let url = url.trim();
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.strip_prefix("//").unwrap_or(rest);
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() || path == ":memory:" {
            return Err(StoreError::Url {
                url: url.to_string(),
                why: "the store must be a file so that check-ins outlive the process".into(),
            });
        }
        let file = base.join(path);
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Url {
                url: url.to_string(),
                why: format!("cannot create the folder {}: {e}", dir.display()),
            })?;
        }
        let shown = file.display().to_string();
        return Ok((Backend::Sqlite, format!("sqlite://{shown}?mode=rwc"), shown));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_string(), redact(url)));
    }
    Err(StoreError::Url {
        url: redact(url),
        why: "expected `sqlite://PATH` (relative to the workspace) or `postgres://USER@HOST/DB`"
            .into(),
    })
}

/// A URL with its password replaced by `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, host) = match rest.split_once('@') {
        Some(p) => p,
        None => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(
            redact("postgres://tl:s3cret@db:5432/x"),
            "postgres://tl:***@db:5432/x"
        );
        assert_eq!(redact("postgres://tl@db/x"), "postgres://tl@db/x");
    }

    #[test]
    fn store_urls_are_resolved_against_the_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let (b, connect, shown) = resolve("sqlite://.throughline/state.db", dir.path()).unwrap();
        assert_eq!(b, Backend::Sqlite);
        assert!(shown.ends_with(".throughline/state.db"), "{shown}");
        assert!(connect.starts_with("sqlite://") && connect.ends_with("?mode=rwc"));
        assert!(dir.path().join(".throughline").is_dir());
        let err = resolve("mysql://x", dir.path()).unwrap_err().to_string();
        assert!(err.contains("expected `sqlite://PATH`"), "{err}");
        assert!(resolve("sqlite::memory:", dir.path()).is_err());
    }
}

/// Helpers for tests that run against a real PostgreSQL server (see `scripts/test-postgres`).
#[doc(hidden)]
pub mod testing {
    use sqlx::Connection;

    /// The server the tests use, from `THROUGHLINE_TEST_POSTGRES`. Without it the PostgreSQL
    /// half of a test is skipped with a notice, except in CI (`CI` set), where it fails.
    pub fn postgres_server() -> Option<String> {
        match std::env::var("THROUGHLINE_TEST_POSTGRES") {
            Ok(url) if !url.is_empty() => Some(url),
            _ if std::env::var_os("CI").is_some() => panic!(
                "CI must test the PostgreSQL store: set THROUGHLINE_TEST_POSTGRES=$(scripts/test-postgres start)"
            ),
            _ => {
                eprintln!(
                    "note: THROUGHLINE_TEST_POSTGRES is not set; skipping the PostgreSQL half of this test"
                );
                None
            }
        }
    }

    /// A new empty database on the test server; returns its URL.
    pub async fn fresh_postgres_database(server: &str) -> String {
        sqlx::any::install_default_drivers();
        let name = format!("tl_{}", uuid::Uuid::now_v7().simple());
        let mut admin = sqlx::AnyConnection::connect(server)
            .await
            .expect("connect to the test PostgreSQL server");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        admin.close().await.ok();
        let (base, _) = server.rsplit_once('/').expect("a URL with a database");
        format!("{base}/{name}")
    }
}
