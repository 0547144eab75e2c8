//! What the server holds. Metric values are computed once, at start and on an admin's
//! refresh (`throughline_app::dashboard`): every metric is measured, saved to the store as
//! snapshots, and read back from the store; the review's other inputs (segment breakdowns,
//! experiments, freshness) and each metric's SQL are gathered at the same time. Requests never touch the event data: they read
//! those stored values and the store's check-ins and decisions, and the views built from them
//! are rebuilt only when a check-in or decision was added: by one request at a time, while the
//! others are served the last view (a request that has just written waits for a view that
//! holds its write).
//!
//! One exception reads the event data after the start: a metric page asked for another grain
//! (`?grain=month`). That grain's values are measured for every metric on the first such
//! request, one grain at a time, stored as snapshots and read back like the others, and kept
//! until the next refresh.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use throughline_app::{Session, dashboard};
use throughline_engine::EngineOptions;
use throughline_model::{Grain, Loaded};
use throughline_progress::okr::CheckInView;
use throughline_review::{DecisionView, Review};
use throughline_store::Store;
use tokio::sync::{Mutex, RwLock};

pub use throughline_app::dashboard::{Computed, GrainSeries};

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
/// store, and gathers the review's inputs and each metric's SQL (`throughline_app::dashboard`).
pub async fn compute(
    loaded: &Loaded,
    dir: &Path,
    store: &Store,
    options: &EngineOptions,
    step: &(dyn Fn(&str) + Sync),
) -> Result<Computed, StartError> {
    let session = Session::new(&loaded.workspace, dir, options.clone());
    Ok(dashboard::compute(&session, loaded, store, step).await?)
}

/// Why the data could not be computed, from the use case's error: an engine error points into
/// the workspace's files when it is about one.
impl From<throughline_app::Error> for StartError {
    fn from(e: throughline_app::Error) -> StartError {
        match e {
            throughline_app::Error::Engine(e) => StartError(
                format!("{}\nhelp: {}", e.message, e.help),
                Some(e.to_diagnostic()),
            ),
            e => StartError::msg(format!("{}\nhelp: {}", e.message(), e.help())),
        }
    }
}

/// The values measured at other grains, and the computation (its time) they go with.
pub(crate) type GrainCache = (
    DateTime<Utc>,
    std::collections::BTreeMap<Grain, Arc<GrainSeries>>,
);

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
        let session = Session::new(
            &self.0.loaded.workspace,
            &self.0.dir,
            self.0.settings.engine.clone(),
        );
        let s =
            Arc::new(dashboard::at_grain(&session, &self.0.loaded, &self.0.store, grain).await?);
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
