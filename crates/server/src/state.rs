//! What the server holds. Metric values are computed once, at start and on an admin's
//! refresh: every metric is measured, saved to the store as snapshots, and read back from the
//! store; the review's other inputs (segment breakdowns, experiments, freshness) and each
//! metric's SQL are gathered at the same time. Requests never touch the event data: they read
//! those stored values and the store's check-ins and decisions, and the views built from them
//! are rebuilt only when a check-in or decision was added: by one request at a time, while the
//! others are served the last view (a request that has just written waits for a view that
//! holds its write).
//!
//! One exception reads the event data after the start: a metric page asked for another grain
//! (`?grain=month`). That grain's values are measured for every metric on the first such
//! request, one grain at a time, stored as snapshots and read back like the others, and kept
//! until the next refresh.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use throughline_app::ReviewData;
use throughline_app::Session;
use throughline_engine::{Engine, EngineOptions, Request};
use throughline_model::{Grain, Loaded};
use throughline_progress::okr::CheckInView;
use throughline_review::{DecisionView, Point, Review};
use throughline_store::{Snapshot, Store};
use tokio::sync::{Mutex, RwLock};

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

/// What the store says now, with the review built from both.
pub struct View {
    pub revision: (i64, i64),
    pub checkins: Vec<CheckInView>,
    pub decisions: Vec<DecisionView>,
    pub review: Review,
}

/// The server's settings.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Pages and the read API need no token.
    pub public_read: bool,
    /// How the engine may use the machine, at start and at every refresh.
    pub engine: EngineOptions,
}

pub(crate) struct Inner {
    pub loaded: Loaded,
    pub dir: PathBuf,
    pub store: Store,
    pub settings: Settings,
    /// The key CSRF tokens are derived with; new at every start.
    pub csrf_key: String,
    pub computed: RwLock<Arc<Computed>>,
    pub view: RwLock<Option<Arc<View>>>,
    /// Held while a view is built: one build at a time (single flight).
    pub building: Mutex<()>,
    /// Views built since the start.
    pub views_built: std::sync::atomic::AtomicU64,
    pub refreshing: Mutex<()>,
    /// The values measured at other grains, with the time of the computation they go with:
    /// held while one is measured (one at a time).
    pub grains: Mutex<GrainCache>,
}

/// The server's shared state.
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

/// Why the data could not be computed.
#[derive(Debug)]
pub struct StartError(
    /// What went wrong and how to fix it, in words (`…\nhelp: …`).
    pub String,
    /// The same as a diagnostic pointing into the workspace's files, when it is about one.
    pub Option<throughline_model::Diagnostic>,
);

impl StartError {
    fn msg(s: impl Into<String>) -> StartError {
        StartError(s.into(), None)
    }
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Measures every metric, stores the values as snapshots, reads the series back from the
/// store, and gathers the review's inputs and each metric's SQL.
// Long because it is the dashboard's one computation in order (engine, values, snapshots,
// review); each step reads the one before.
pub async fn compute(
    loaded: &Loaded,
    dir: &Path,
    store: &Store,
    options: &EngineOptions,
    step: &(dyn Fn(&str) + Sync),
) -> Result<Computed, StartError> {
    let ws = &loaded.workspace;
    step("opening the sources");
    let session = Session::new(ws, dir, options.clone());
    let engine = session.engine().await.map_err(engine_error)?;
    step("computing every metric");
    // only the periods the files changed since the last computation can change; the CLI's
    // `measure` shares the cache
    let measured =
        throughline_app::measure::measure(&session, &engine, &Request::default(), false, &|_| {})
            .await
            .map_err(engine_error)?;
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
                return Err(engine_error(e));
            }
            warnings.push(format!(
                "`{id}` is not shown by {d} on its page: {}",
                e.message
            ));
        }
    }
    step("saving the values as snapshots");
    let mut snapshots = throughline_app::snapshots(loaded, &values);
    snapshots.extend(throughline_app::snapshots(loaded, &by_segment));
    store
        .save_snapshots(&snapshots)
        .await
        .map_err(store_error)?;
    // The series come back from the store: what the pages show is what is stored.
    let tz = throughline_app::tz(ws);
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
        throughline_app::series::with_steps(&values)
            .into_iter()
            .filter(|(k, _)| k.contains('#')),
    );
    let week = throughline_app::review::week_for(&engine, None).map_err(StartError::msg)?;
    let data = throughline_app::review::gather(
        &engine,
        ws,
        week,
        series,
        throughline_review::Compare::Previous,
        step,
    )
    .await
    .map_err(engine_error)?;
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

/// An engine error as a reason the data could not be computed, pointing into the workspace's
/// files when it is about one.
fn engine_error(e: throughline_engine::EngineError) -> StartError {
    StartError(
        format!("{}\nhelp: {}", e.message, e.help),
        Some(e.to_diagnostic()),
    )
}

/// A store error as a reason the data could not be computed, with its help.
fn store_error(e: throughline_store::StoreError) -> StartError {
    StartError::msg(format!("{e}\nhelp: {}", e.help()))
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
) -> Result<ReadBack, StartError> {
    let rows = store
        .latest_snapshots(metric, grain)
        .await
        .map_err(store_error)?;
    let complete = |rows: &[&Snapshot]| -> Vec<Point> {
        rows.iter()
            .filter(|s| s.value.complete)
            .filter_map(|s| throughline_app::series::of_snapshot(s, tz))
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
async fn measure_at(
    loaded: &Loaded,
    dir: &Path,
    store: &Store,
    options: &EngineOptions,
    grain: Grain,
) -> Result<GrainSeries, StartError> {
    let ws = &loaded.workspace;
    let engine = Session::new(ws, dir, options.clone())
        .engine()
        .await
        .map_err(engine_error)?;
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
        .save_snapshots(&throughline_app::snapshots(loaded, &values))
        .await
        .map_err(store_error)?;
    let tz = throughline_app::tz(ws);
    let mut series = HashMap::new();
    for id in computed.into_iter().filter(|id| !failed.contains_key(id)) {
        series.insert(
            id.clone(),
            read_back(store, tz, &id, grain.as_str()).await?.series,
        );
    }
    Ok(GrainSeries { series, failed })
}

/// The values measured at other grains, and the computation (its time) they go with.
pub(crate) type GrainCache = (
    DateTime<Utc>,
    std::collections::BTreeMap<Grain, Arc<GrainSeries>>,
);

/// Every metric's values at a grain other than its own, measured on demand.
#[derive(Debug, Default)]
pub struct GrainSeries {
    /// Metric id → its complete values at the grain, oldest first.
    pub series: HashMap<String, Vec<Point>>,
    /// Metric id → why it could not be measured at the grain.
    pub failed: HashMap<String, String>,
}

impl AppState {
    /// The state of a workspace whose data has been computed.
    pub fn new(
        loaded: Loaded,
        dir: PathBuf,
        store: Store,
        settings: Settings,
        computed: Computed,
    ) -> AppState {
        let csrf_key = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        AppState(Arc::new(Inner {
            loaded,
            dir,
            store,
            settings,
            csrf_key,
            computed: RwLock::new(Arc::new(computed)),
            view: RwLock::new(None),
            building: Mutex::new(()),
            views_built: std::sync::atomic::AtomicU64::new(0),
            refreshing: Mutex::new(()),
            grains: Mutex::new((DateTime::<Utc>::MIN_UTC, Default::default())),
        }))
    }

    pub fn loaded(&self) -> &Loaded {
        &self.0.loaded
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    pub async fn computed(&self) -> Arc<Computed> {
        self.0.computed.read().await.clone()
    }

    /// The store's check-ins and decisions and the review built with them; rebuilt only when
    /// one was added since the last view. While one request rebuilds it, the others are served
    /// the last view rather than each building its own (a burst of check-ins would otherwise
    /// have every request in flight rebuild the same view); with no view yet, they wait.
    pub async fn view(&self) -> Result<Arc<View>, throughline_store::StoreError> {
        let revision = self.0.store.revision().await?;
        let last = self.0.view.read().await.clone();
        if let Some(v) = &last
            && v.revision == revision
        {
            return Ok(v.clone());
        }
        match (self.0.building.try_lock(), last) {
            (Ok(_one), _) => self.build().await,
            (Err(_), Some(last)) => Ok(last),
            (Err(_), None) => {
                let _one = self.0.building.lock().await;
                self.build().await
            }
        }
    }

    /// A view that holds every write made before the call: for the request that has just
    /// recorded a check-in or a decision, so that the page it goes to shows it.
    pub async fn fresh_view(&self) -> Result<Arc<View>, throughline_store::StoreError> {
        let _one = self.0.building.lock().await;
        self.build().await
    }

    /// How many views were built since the start (each a read of every check-in and decision
    /// and a review built from them).
    pub fn views_built(&self) -> u64 {
        self.0
            .views_built
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Builds the view of the store's current revision, unless the cached one is of it (built
    /// while the caller waited). Called with `building` held.
    async fn build(&self) -> Result<Arc<View>, throughline_store::StoreError> {
        let revision = self.0.store.revision().await?;
        if let Some(v) = self.0.view.read().await.as_ref()
            && v.revision == revision
        {
            return Ok(v.clone());
        }
        let computed = self.computed().await;
        let ws = &self.0.loaded.workspace;
        let tz = throughline_app::tz(ws);
        let checkins = throughline_app::checkin_views(&self.0.store.checkins(None).await?, tz);
        let decisions = throughline_app::decision_views(self.0.store.decisions().await?, tz);
        let review = computed
            .data
            .review(ws, checkins.clone(), decisions.clone());
        let view = Arc::new(View {
            revision,
            checkins,
            decisions,
            review,
        });
        self.0
            .views_built
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        *self.0.view.write().await = Some(view.clone());
        Ok(view)
    }

    /// Every metric's values at `grain`: measured on the first request for it after each
    /// computation, one grain at a time (the others wait for it), then kept.
    pub async fn series_at(&self, grain: Grain) -> Result<Arc<GrainSeries>, StartError> {
        let at = self.computed().await.at;
        let mut cache = self.0.grains.lock().await;
        if cache.0 != at {
            *cache = (at, Default::default());
        }
        if let Some(s) = cache.1.get(&grain) {
            return Ok(s.clone());
        }
        let engine = &self.0.settings.engine;
        let s =
            Arc::new(measure_at(&self.0.loaded, &self.0.dir, &self.0.store, engine, grain).await?);
        cache.1.insert(grain, s.clone());
        Ok(s)
    }

    /// Recomputes the data (an admin's refresh). One at a time; pages keep serving the old
    /// data until the new is ready.
    pub async fn refresh(&self) -> Result<DateTime<Utc>, StartError> {
        let _one = self.0.refreshing.lock().await;
        let computed = compute(
            &self.0.loaded,
            &self.0.dir,
            &self.0.store,
            &self.0.settings.engine,
            &|s| tracing::info!("refresh: {s}"),
        )
        .await?;
        let at = computed.at;
        *self.0.computed.write().await = Arc::new(computed);
        *self.0.view.write().await = None;
        Ok(at)
    }

    /// Refreshes every `every`, for ever (spawn it); a failed refresh keeps the old data served.
    pub async fn refresh_every(self, every: std::time::Duration) {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match self.refresh().await {
                Ok(at) => tracing::info!(computed_at = %at, "scheduled refresh done"),
                Err(e) => {
                    tracing::warn!("scheduled refresh failed, the old data is still served: {e}")
                }
            }
        }
    }
}
