//! throughline's store: what the data cannot say by itself. Metric snapshots (versioned, with
//! the hash of the definition that produced them), check-ins, decisions and the final scores of
//! closed periods, in SQLite (the default, a file in the workspace) or PostgreSQL.
//!
//! One code path for both through sqlx's `Any` driver; the schema is versioned migrations in
//! `migrations/`, applied when the store is opened. Every write is one transaction, so a crash
//! mid-write leaves the previous state; a write is acknowledged only after it committed.

mod error;
mod tokens;

use std::collections::{BTreeMap, HashMap};
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

/// A metric value to save.
#[derive(Clone, Debug, PartialEq)]
pub struct NewSnapshot {
    pub metric: String,
    /// `day`, `week`, `month` or `quarter`.
    pub grain: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Dimension → value; empty for the total.
    pub segment: BTreeMap<String, String>,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub complete: bool,
    /// The hash of the metric's definition (see `throughline-engine`'s `definition_hash`).
    pub definition_hash: String,
}

/// A stored metric value, one version of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub value: NewSnapshot,
    pub measured_at: DateTime<Utc>,
}

/// What [`Store::save_snapshots`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SaveSummary {
    /// Values stored for the first time.
    pub new: usize,
    /// Values equal to the latest stored version: nothing written.
    pub unchanged: usize,
    /// Values that differ from the latest stored version, with the same definition (late data,
    /// a cohort that matured). The earlier version is kept.
    pub revised: usize,
    /// Values whose metric definition changed since the latest stored version.
    pub redefined: usize,
}

/// A check-in to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewCheckIn {
    pub objective: String,
    pub key_result: String,
    /// The objective's period as written (`2026-Q3`).
    pub period: String,
    /// For manual key results; computed ones take their value from the data.
    pub value: Option<f64>,
    /// 0–10: how likely the owner thinks the target is reached.
    pub confidence: Option<i64>,
    pub note: String,
    pub author: String,
}

/// A stored check-in.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckIn {
    pub id: String,
    pub recorded_at: DateTime<Utc>,
    pub checkin: NewCheckIn,
}

/// A stored decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub id: String,
    pub text: String,
    /// The objective, key result or metric it is about, if any.
    pub about: Option<String>,
    pub author: String,
    pub decided_at: DateTime<Utc>,
}

/// A final score of a closed period: a key result's, or an objective's when `key_result` is
/// empty.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreRow {
    pub period: String,
    pub team: String,
    pub objective: String,
    pub key_result: String,
    /// `committed` or `aspirational`.
    pub commitment: String,
    pub owner: Option<String>,
    pub value: Option<f64>,
    pub score: f64,
    /// The last stated confidence (0–10) before closing.
    pub confidence: Option<i64>,
}

/// A closed period.
#[derive(Clone, Debug, PartialEq)]
pub struct ClosedPeriod {
    pub period: String,
    pub closed_at: DateTime<Utc>,
    pub closed_by: String,
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

    async fn migrate(&self) -> Result<(), StoreError> {
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

    /// Saves metric values. A value equal to the latest stored version of the same metric,
    /// grain, period and segment is not written again; one that differs is added as a new
    /// version (the old one stays). One transaction.
    pub async fn save_snapshots(&self, values: &[NewSnapshot]) -> Result<SaveSummary, StoreError> {
        let mut latest: HashMap<(String, String), HashMap<(String, String), NewSnapshot>> =
            HashMap::new();
        for v in values {
            let key = (v.metric.clone(), v.grain.clone());
            if !latest.contains_key(&key) {
                let rows = self.latest_snapshots(&v.metric, &v.grain).await?;
                let map = rows
                    .into_iter()
                    .map(|s| {
                        (
                            (time(&s.value.start), segment_text(&s.value.segment)),
                            s.value,
                        )
                    })
                    .collect();
                latest.insert(key.clone(), map);
            }
        }
        let now = Utc::now();
        let mut summary = SaveSummary::default();
        let mut tx = self.pool.begin().await.map_err(|e| self.io(e))?;
        for v in values {
            let seg = segment_text(&v.segment);
            let start = time(&v.start);
            let before =
                latest[&(v.metric.clone(), v.grain.clone())].get(&(start.clone(), seg.clone()));
            match before {
                Some(b) if same(b, v) => {
                    summary.unchanged += 1;
                    continue;
                }
                Some(b) if b.definition_hash != v.definition_hash => summary.redefined += 1,
                Some(_) => summary.revised += 1,
                None => summary.new += 1,
            }
            sqlx::query(
                "INSERT INTO snapshots (id, metric, grain, period_start, period_end, segment, value, \
                 numerator, denominator, complete, definition_hash, measured_at, measured_seq) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(new_id())
            .bind(&v.metric)
            .bind(&v.grain)
            .bind(start)
            .bind(time(&v.end))
            .bind(seg)
            .bind(v.value)
            .bind(v.numerator)
            .bind(v.denominator)
            .bind(i64::from(v.complete))
            .bind(&v.definition_hash)
            .bind(time(&now))
            .bind(now.timestamp_micros())
            .execute(&mut *tx)
            .await
            .map_err(|e| self.io(e))?;
        }
        tx.commit().await.map_err(|e| self.io(e))?;
        Ok(summary)
    }

    /// The latest version of every stored value of a metric at a grain, ordered by period
    /// start, then the total before the segments.
    pub async fn latest_snapshots(
        &self,
        metric: &str,
        grain: &str,
    ) -> Result<Vec<Snapshot>, StoreError> {
        let rows = self.snapshot_rows(metric, grain).await?;
        let mut latest: BTreeMap<(DateTime<Utc>, BTreeMap<String, String>), Snapshot> =
            BTreeMap::new();
        for s in rows {
            // Rows come oldest first: a later version replaces an earlier one.
            latest.insert((s.value.start, s.value.segment.clone()), s);
        }
        Ok(latest.into_values().collect())
    }

    /// Every stored version of a metric at a grain, oldest first: the history that is never
    /// rewritten.
    pub async fn snapshot_rows(
        &self,
        metric: &str,
        grain: &str,
    ) -> Result<Vec<Snapshot>, StoreError> {
        let rows = sqlx::query(
            "SELECT metric, grain, period_start, period_end, segment, value, numerator, denominator, \
             complete, definition_hash, measured_at FROM snapshots WHERE metric = $1 AND grain = $2 \
             ORDER BY measured_seq, id",
        )
        .bind(metric)
        .bind(grain)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        rows.iter().map(|r| self.snapshot(r)).collect()
    }

    fn snapshot(&self, r: &AnyRow) -> Result<Snapshot, StoreError> {
        let text = |i: usize| self.col::<String>(r, i);
        let num = |i: usize| self.col::<Option<f64>>(r, i);
        let segment: BTreeMap<String, String> = serde_json::from_str(&text(4)?)
            .map_err(|e| self.corrupt(format!("a snapshot's segment is not a JSON object: {e}")))?;
        Ok(Snapshot {
            value: NewSnapshot {
                metric: text(0)?,
                grain: text(1)?,
                start: self.parse_time(&text(2)?)?,
                end: self.parse_time(&text(3)?)?,
                segment,
                value: num(5)?,
                numerator: num(6)?,
                denominator: num(7)?,
                complete: self.col::<i64>(r, 8)? != 0,
                definition_hash: text(9)?,
            },
            measured_at: self.parse_time(&text(10)?)?,
        })
    }

    /// Records a check-in, unless its period is closed. Returns it once committed.
    pub async fn record_checkin(&self, c: &NewCheckIn) -> Result<CheckIn, StoreError> {
        self.record_checkin_at(c, Utc::now()).await
    }

    /// Records a check-in made at `now` (an import of earlier check-ins), unless its period
    /// is closed.
    pub async fn record_checkin_at(
        &self,
        c: &NewCheckIn,
        now: DateTime<Utc>,
    ) -> Result<CheckIn, StoreError> {
        let id = new_id();
        // One statement: the closed-period test and the insert are atomic, on both backends.
        let done = sqlx::query(
            "INSERT INTO checkins (id, objective, key_result, period, value, confidence, note, author, \
             recorded_at, recorded_seq) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 \
             WHERE NOT EXISTS (SELECT 1 FROM closed_periods WHERE period = $4)",
        )
        .bind(&id)
        .bind(&c.objective)
        .bind(&c.key_result)
        .bind(&c.period)
        .bind(c.value)
        .bind(c.confidence)
        .bind(&c.note)
        .bind(&c.author)
        .bind(time(&now))
        .bind(now.timestamp_micros())
        .execute(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::PeriodClosed {
                period: c.period.clone(),
            });
        }
        Ok(CheckIn {
            id,
            recorded_at: now,
            checkin: c.clone(),
        })
    }

    /// Check-ins, oldest first; of one objective when given.
    pub async fn checkins(&self, objective: Option<&str>) -> Result<Vec<CheckIn>, StoreError> {
        let sql = "SELECT id, objective, key_result, period, value, confidence, note, author, recorded_at \
                   FROM checkins WHERE ($1 = '' OR objective = $1) ORDER BY recorded_seq, id";
        let rows = sqlx::query(sql)
            .bind(objective.unwrap_or(""))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.io(e))?;
        rows.iter()
            .map(|r| {
                let text = |i: usize| self.col::<String>(r, i);
                Ok(CheckIn {
                    id: text(0)?,
                    checkin: NewCheckIn {
                        objective: text(1)?,
                        key_result: text(2)?,
                        period: text(3)?,
                        value: self.col(r, 4)?,
                        confidence: self.col(r, 5)?,
                        note: text(6)?,
                        author: text(7)?,
                    },
                    recorded_at: self.parse_time(&text(8)?)?,
                })
            })
            .collect()
    }

    /// Records a decision.
    pub async fn record_decision(
        &self,
        text: &str,
        about: Option<&str>,
        author: &str,
    ) -> Result<Decision, StoreError> {
        self.record_decision_at(text, about, author, Utc::now())
            .await
    }

    /// Records a decision taken at `now` (an import of earlier decisions).
    pub async fn record_decision_at(
        &self,
        text: &str,
        about: Option<&str>,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<Decision, StoreError> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO decisions (id, text, about, author, decided_at, decided_seq) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(text)
        .bind(about)
        .bind(author)
        .bind(time(&now))
        .bind(now.timestamp_micros())
        .execute(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        Ok(Decision {
            id,
            text: text.to_string(),
            about: about.map(str::to_string),
            author: author.to_string(),
            decided_at: now,
        })
    }

    /// Decisions, oldest first.
    pub async fn decisions(&self) -> Result<Vec<Decision>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, text, about, author, decided_at FROM decisions ORDER BY decided_seq, id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        rows.iter()
            .map(|r| {
                let text = |i: usize| self.col::<String>(r, i);
                Ok(Decision {
                    id: text(0)?,
                    text: text(1)?,
                    about: self.col(r, 2)?,
                    author: text(3)?,
                    decided_at: self.parse_time(&text(4)?)?,
                })
            })
            .collect()
    }

    /// Closes a period with its final scores, in one transaction. A period closes once.
    pub async fn close_period(
        &self,
        period: &str,
        closed_by: &str,
        scores: &[ScoreRow],
    ) -> Result<ClosedPeriod, StoreError> {
        let now = Utc::now();
        let mut tx = self.pool.begin().await.map_err(|e| self.io(e))?;
        let done = sqlx::query(
            "INSERT INTO closed_periods (period, closed_at, closed_by) SELECT $1, $2, $3 \
             WHERE NOT EXISTS (SELECT 1 FROM closed_periods WHERE period = $1)",
        )
        .bind(period)
        .bind(time(&now))
        .bind(closed_by)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.io(e))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::PeriodClosed {
                period: period.to_string(),
            });
        }
        for s in scores {
            sqlx::query(
                "INSERT INTO scores (period, team, objective, key_result, commitment, owner, value, score, confidence) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&s.period)
            .bind(&s.team)
            .bind(&s.objective)
            .bind(&s.key_result)
            .bind(&s.commitment)
            .bind(s.owner.as_deref())
            .bind(s.value)
            .bind(s.score)
            .bind(s.confidence)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.io(e))?;
        }
        tx.commit().await.map_err(|e| self.io(e))?;
        Ok(ClosedPeriod {
            period: period.to_string(),
            closed_at: now,
            closed_by: closed_by.to_string(),
        })
    }

    /// Closed periods, oldest first.
    pub async fn closed_periods(&self) -> Result<Vec<ClosedPeriod>, StoreError> {
        let rows = sqlx::query(
            "SELECT period, closed_at, closed_by FROM closed_periods ORDER BY closed_at, period",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        rows.iter()
            .map(|r| {
                let text = |i: usize| self.col::<String>(r, i);
                Ok(ClosedPeriod {
                    period: text(0)?,
                    closed_at: self.parse_time(&text(1)?)?,
                    closed_by: text(2)?,
                })
            })
            .collect()
    }

    /// Every final score, by period, objective and key result.
    pub async fn scores(&self) -> Result<Vec<ScoreRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT period, team, objective, key_result, commitment, owner, value, score, confidence \
             FROM scores ORDER BY period, objective, key_result",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        rows.iter()
            .map(|r| {
                let get = |i: usize| self.col::<String>(r, i);
                Ok(ScoreRow {
                    period: get(0)?,
                    team: get(1)?,
                    objective: get(2)?,
                    key_result: get(3)?,
                    commitment: get(4)?,
                    owner: self.col(r, 5)?,
                    value: self.col(r, 6)?,
                    score: self.col(r, 7)?,
                    confidence: self.col(r, 8)?,
                })
            })
            .collect()
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

    fn io(&self, e: sqlx::Error) -> StoreError {
        StoreError::database(&self.location, e)
    }

    /// Column `i` of a row, decoded as `T`.
    pub(crate) fn col<'r, T>(&self, r: &'r AnyRow, i: usize) -> Result<T, StoreError>
    where
        T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        r.try_get(i).map_err(|e| self.io(e))
    }

    fn corrupt(&self, what: String) -> StoreError {
        StoreError::Corrupt {
            location: self.location.clone(),
            what,
        }
    }

    fn parse_time(&self, s: &str) -> Result<DateTime<Utc>, StoreError> {
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

fn same(a: &NewSnapshot, b: &NewSnapshot) -> bool {
    a.definition_hash == b.definition_hash
        && a.complete == b.complete
        && a.end == b.end
        && close(a.value, b.value)
        && close(a.numerator, b.numerator)
        && close(a.denominator, b.denominator)
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

fn segment_text(s: &BTreeMap<String, String>) -> String {
    serde_json::to_string(s).expect("a map of strings serializes")
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
