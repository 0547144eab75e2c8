//! The dashboard's data, computed at the server's start and on an admin's refresh: every
//! metric measured (recomputing only what changed since the last computation, see
//! [`crate::measure`]), by each user dimension, saved to the store as snapshots and read back
//! from it (what the pages show is what is stored); the review's other inputs; and each
//! metric's SQL. A metric page asked for another grain measures that grain on demand
//! ([`at_grain`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use throughline_engine::{Engine, Request};
use throughline_model::{Grain, Loaded};
use throughline_progress::Point;
use throughline_store::{Snapshot, Store};

use crate::{Error, ReviewData, Session};

/// How one metric is computed, from the engine's explanation.
#[derive(Clone, Debug, Default)]
pub struct Explained {
    /// The sources it reads.
    pub sources: Vec<String>,
    /// Labelled SQL (PostgreSQL dialect) of its plan and of the metrics it reads.
    pub sql: Vec<(String, String)>,
    /// When the events are in PostgreSQL: where each plan runs.
    pub database: Vec<(String, String)>,
}

/// One segment's complete values of a metric.
#[derive(Clone, Debug)]
pub struct SegmentSeries {
    /// The user dimension (`plan`) and its value (`pro`, or `(none)`).
    pub dimension: String,
    pub segment: String,
    pub values: Vec<Point>,
}

/// What the event data says, computed at start or refresh.
pub struct Computed {
    pub data: ReviewData,
    pub explained: HashMap<String, Explained>,
    /// The stored snapshots each metric's series was read from, oldest first.
    pub stored: HashMap<String, Vec<Snapshot>>,
    /// Each metric's complete values per segment of the dimensions in its `segments:`, read
    /// back from the store like the totals.
    pub segments: HashMap<String, Vec<SegmentSeries>>,
    pub at: DateTime<Utc>,
    pub warnings: Vec<String>,
}

/// Every metric's values at a grain other than its own, measured on demand.
#[derive(Debug, Default)]
pub struct GrainSeries {
    /// Metric id → its complete values at the grain, oldest first.
    pub series: HashMap<String, Vec<Point>>,
    /// Metric id → why it could not be measured at the grain.
    pub failed: HashMap<String, String>,
}

/// Measures every metric, stores the values as snapshots, reads the series back from the
/// store, and gathers the review's inputs and each metric's SQL.
// Long because it is the dashboard's one computation in order (engine, values, snapshots,
// review); each step reads the one before.
pub async fn compute(
    session: &Session<'_>,
    loaded: &Loaded,
    store: &Store,
    step: &(dyn Fn(&str) + Sync),
) -> Result<Computed, Error> {
    let ws = &loaded.workspace;
    step("opening the sources");
    let engine = session.engine().await?;
    step("computing every metric");
    // only the periods the files changed since the last computation can change; the CLI's
    // `measure` shares the cache
    let measured =
        crate::measure::measure(session, &engine, &Request::default(), false, &|_| {}).await?;
    step(&measured.refreshed.sentence());
    let values = measured.values;
    // by segment: each user dimension once, for the metrics that list it in `segments:` or
    // list none (the review breaks those down by every dimension too)
    let mut by_segment = Vec::new();
    let mut warnings = Vec::new();
    let mut dimensions: Vec<&str> = ws
        .settings
        .sources
        .get("users")
        .map(|s| s.dimensions.iter().map(|d| d.value.as_str()).collect())
        .unwrap_or_default();
    dimensions.extend(
        ws.metrics
            .iter()
            .flat_map(|m| m.segments.iter().map(|s| s.value.as_str())),
    );
    dimensions.sort();
    dimensions.dedup();
    for d in dimensions {
        let listed = |m: &throughline_model::Metric| m.segments.iter().any(|s| s.value == d);
        let metrics: Vec<String> = ws
            .metrics
            .iter()
            .filter(|m| m.compute.is_some() && (m.segments.is_empty() || listed(m)))
            .map(|m| m.id.value.clone())
            .collect();
        if metrics.is_empty() {
            continue;
        }
        step(&format!("computing the metrics by {d}"));
        let by = Request {
            by: Some(d.to_string()),
            ..Request::default()
        };
        let (values, failed) = measure_each(&engine, metrics, &by).await;
        by_segment.extend(values);
        // a metric that lists the dimension must be split by it; the others are left out
        for (id, e) in failed {
            if ws.metric(&id).is_some_and(listed) {
                return Err(Error::Engine(e));
            }
            warnings.push(format!(
                "`{id}` is not shown by {d} on its page: {}",
                e.message
            ));
        }
    }
    step("saving the values as snapshots");
    let mut snapshots = crate::snapshots(loaded, &values);
    snapshots.extend(crate::snapshots(loaded, &by_segment));
    store.save_snapshots(&snapshots).await?;
    // The series come back from the store: what the pages show is what is stored.
    let tz = crate::tz(ws);
    let mut grains: Vec<(String, String)> = values
        .iter()
        .map(|v| (v.metric.clone(), v.grain.as_str().to_string()))
        .collect();
    grains.sort();
    grains.dedup();
    let mut series: HashMap<String, Vec<Point>> = HashMap::new();
    let mut stored: HashMap<String, Vec<Snapshot>> = HashMap::new();
    let mut segments: HashMap<String, Vec<SegmentSeries>> = HashMap::new();
    for (metric, grain) in grains {
        let back = read_back(store, tz, &metric, &grain).await?;
        if !back.segments.is_empty() {
            segments.insert(metric.clone(), back.segments);
        }
        series.insert(metric.clone(), back.series);
        stored.insert(metric, back.totals);
    }
    // a funnel's steps and a lifecycle's statuses are not stored: they come from this run
    series.extend(
        crate::series::with_steps(&values)
            .into_iter()
            .filter(|(k, _)| k.contains('#')),
    );
    let week = crate::review::week_for(&engine, None).map_err(|e| {
        Error::input(
            e.to_string(),
            "the dashboard reviews the data's last complete week; check the events' times",
        )
    })?;
    let data = crate::review::gather(
        &engine,
        ws,
        week,
        series,
        throughline_review::Compare::Previous,
        step,
    )
    .await?;
    step("explaining every metric");
    let mut explained = HashMap::new();
    for m in ws.metrics.iter().filter(|m| m.compute.is_some()) {
        let req = Request {
            metrics: vec![m.id.value.clone()],
            ..Request::default()
        };
        if let Ok(e) = engine.explain(&m.id.value, &req).await {
            explained.insert(
                m.id.value.clone(),
                Explained {
                    sources: e.sources,
                    sql: e.sql,
                    database: e.database,
                },
            );
        }
    }
    Ok(Computed {
        data,
        explained,
        stored,
        segments,
        at: Utc::now(),
        warnings: engine.warnings().iter().cloned().chain(warnings).collect(),
    })
}

/// Measures `metrics` as `req` says, in one measurement; when that fails (one metric cannot
/// be measured so: a `sql` query without the dimension's column), each alone, so that the
/// others still are. The values, and each metric that could not be measured with why.
async fn measure_each(
    engine: &Engine,
    metrics: Vec<String>,
    req: &Request,
) -> (
    Vec<throughline_engine::MetricValue>,
    Vec<(String, throughline_engine::EngineError)>,
) {
    let all = Request {
        metrics: metrics.clone(),
        ..req.clone()
    };
    if let Ok(v) = engine.measure(&all).await {
        return (v, Vec::new());
    }
    let mut values = Vec::new();
    let mut failed = Vec::new();
    for id in metrics {
        let one = Request {
            metrics: vec![id.clone()],
            ..req.clone()
        };
        match engine.measure(&one).await {
            Ok(v) => values.extend(v),
            Err(e) => failed.push((id, e)),
        }
    }
    (values, failed)
}

/// A metric's values at one grain as the store has them: the totals' snapshots, their
/// complete values, and each segment's complete values.
struct ReadBack {
    totals: Vec<Snapshot>,
    series: Vec<Point>,
    segments: Vec<SegmentSeries>,
}

async fn read_back(
    store: &Store,
    tz: chrono_tz::Tz,
    metric: &str,
    grain: &str,
) -> Result<ReadBack, Error> {
    let rows = store.latest_snapshots(metric, grain).await?;
    let complete = |rows: &[&Snapshot]| -> Vec<Point> {
        rows.iter()
            .filter(|s| s.value.complete)
            .filter_map(|s| crate::series::of_snapshot(s, tz))
            .collect()
    };
    let (totals, by): (Vec<Snapshot>, Vec<Snapshot>) =
        rows.into_iter().partition(|s| s.value.segment.is_empty());
    // one series per (dimension, segment), in the store's order (oldest first)
    let mut keyed: std::collections::BTreeMap<(String, String), Vec<&Snapshot>> =
        std::collections::BTreeMap::new();
    for s in &by {
        if let Some((d, v)) = s.value.segment.iter().next() {
            keyed.entry((d.clone(), v.clone())).or_default().push(s);
        }
    }
    let segments = keyed
        .into_iter()
        .map(|((dimension, segment), rows)| SegmentSeries {
            dimension,
            segment,
            values: complete(&rows),
        })
        .collect();
    Ok(ReadBack {
        series: complete(&totals.iter().collect::<Vec<_>>()),
        totals,
        segments,
    })
}

/// Every metric's complete values at `grain`, or why a metric has none: measured, saved as
/// snapshots and read back from the store.
pub async fn at_grain(
    session: &Session<'_>,
    loaded: &Loaded,
    store: &Store,
    grain: Grain,
) -> Result<GrainSeries, Error> {
    let ws = &loaded.workspace;
    let engine = session.engine().await?;
    let computed: Vec<String> = ws
        .metrics
        .iter()
        .filter(|m| m.compute.is_some())
        .map(|m| m.id.value.clone())
        .collect();
    let at_grain = Request {
        grain: Some(grain),
        ..Request::default()
    };
    let (values, failed) = measure_each(&engine, computed.clone(), &at_grain).await;
    let failed: HashMap<String, String> =
        failed.into_iter().map(|(id, e)| (id, e.message)).collect();
    let values: Vec<_> = values.into_iter().filter(|v| v.grain == grain).collect();
    store
        .save_snapshots(&crate::snapshots(loaded, &values))
        .await?;
    let tz = crate::tz(ws);
    let mut series = HashMap::new();
    for id in computed.into_iter().filter(|id| !failed.contains_key(id)) {
        series.insert(
            id.clone(),
            read_back(store, tz, &id, grain.as_str()).await?.series,
        );
    }
    Ok(GrainSeries { series, failed })
}
