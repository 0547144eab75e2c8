//! Metric values as snapshots: saved once per value and definition, revised when new data
//! changes them, the latest read back for the pages.

use chrono::{DateTime, Utc};
pub use error::StoreError;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, HashMap};

use crate::*;

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

pub(crate) fn same(a: &NewSnapshot, b: &NewSnapshot) -> bool {
    a.definition_hash == b.definition_hash
        && a.complete == b.complete
        && a.end == b.end
        && close(a.value, b.value)
        && close(a.numerator, b.numerator)
        && close(a.denominator, b.denominator)
}

pub(crate) fn segment_text(s: &BTreeMap<String, String>) -> String {
    serde_json::to_string(s).expect("a map of strings serializes")
}

/// Every stored version of a metric (`$1`) at a grain (`$2`), oldest first.
const SNAPSHOT_ROWS: &str = "SELECT metric, grain, period_start, period_end, segment, value, numerator, \
     denominator, complete, definition_hash, measured_at FROM snapshots WHERE metric = $1 \
     AND grain = $2 ORDER BY measured_seq, id";

impl Store {
    /// Saves metric values. A value equal to the latest stored version of the same metric,
    /// grain, period and segment is not written again; one that differs is added as a new
    /// version (the old one stays). One transaction, which holds the store's write lock from
    /// before it reads the latest versions: two saves at once run one after the other, so the
    /// second sees the first's rows and never stores a value twice.
    pub async fn save_snapshots(&self, values: &[NewSnapshot]) -> Result<SaveSummary, StoreError> {
        let mut tx = match self.backend {
            // IMMEDIATE takes SQLite's write lock at the start (a deferred transaction would
            // take it at the first insert, after both had read); the busy timeout waits for it
            crate::Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            crate::Backend::Postgres => self.pool.begin().await,
        }
        .map_err(|e| self.io(e))?;
        if self.backend == crate::Backend::Postgres {
            // writers wait for each other; readers (the dashboard) do not wait
            sqlx::query("LOCK TABLE snapshots IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .map_err(|e| self.io(e))?;
        }
        let mut latest: HashMap<(String, String), HashMap<(String, String), NewSnapshot>> =
            HashMap::new();
        for v in values {
            let key = (v.metric.clone(), v.grain.clone());
            if !latest.contains_key(&key) {
                let rows = sqlx::query(SNAPSHOT_ROWS)
                    .bind(&v.metric)
                    .bind(&v.grain)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(|e| self.io(e))?;
                let mut map = HashMap::new();
                // oldest first: a later version replaces an earlier one
                for r in &rows {
                    let s = self.snapshot(r)?;
                    map.insert(
                        (time(&s.value.start), segment_text(&s.value.segment)),
                        s.value,
                    );
                }
                latest.insert(key.clone(), map);
            }
        }
        let now = Utc::now();
        let mut summary = SaveSummary::default();
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
            // Not a cached prepared statement: on PostgreSQL through the `Any` driver, a
            // statement prepared while a value was NULL keeps that NULL's parameter type, and
            // the next row's number is refused ("incorrect binary data format").
            .persistent(false)
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
        let rows = sqlx::query(SNAPSHOT_ROWS)
            .bind(metric)
            .bind(grain)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.io(e))?;
        rows.iter().map(|r| self.snapshot(r)).collect()
    }

    pub(crate) fn snapshot(&self, r: &AnyRow) -> Result<Snapshot, StoreError> {
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
}
