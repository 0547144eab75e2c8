//! Measuring: the values a request asks for, recomputed only where the files changed since
//! the last measurement (the cache both `throughline measure` and the dashboard keep in
//! `.throughline/cache`), the formulas' inputs for `--compare`, and saving values as
//! snapshots.

use throughline_engine::{Engine, EngineError, Explanation, MetricValue, Refreshed, Request};
use throughline_model::{Loaded, Workspace};
use throughline_store::SaveSummary;

use crate::Session;
use crate::compare::{self, Compare, Comparison};

/// What [`measure`] computed, and how: in full, or partly from the cache.
pub struct Measured {
    pub values: Vec<MetricValue>,
    pub refreshed: Refreshed,
}

/// The values `request` asks for. A request for every metric over the whole range reads what
/// the last measurement left in the session's cache and recomputes only the periods the files
/// added, changed or removed since can change (`full` computes them all); the values are the
/// same either way.
pub async fn measure(
    session: &Session<'_>,
    engine: &Engine,
    request: &Request,
    full: bool,
    progress: &(dyn Fn(throughline_engine::Progress<'_>) + Sync),
) -> Result<Measured, EngineError> {
    let refresh = throughline_engine::Refresh {
        dir: session.cache_dir(),
        full,
    };
    let (values, refreshed) = engine
        .measure_refreshing(request, &refresh, progress)
        .await?;
    Ok(Measured { values, refreshed })
}

/// `request` with the inputs of its formula metrics added (what `--compare` splits a
/// change into).
pub fn with_inputs(ws: &Workspace, request: &Request) -> Request {
    let mut request = request.clone();
    for id in request.metrics.clone() {
        for m in compare::inputs(ws, &id) {
            if !request.metrics.contains(&m) {
                request.metrics.push(m);
            }
        }
    }
    request
}

/// `--compare`: the requested values (of the requested metrics, from the requested day), each
/// with its comparison, from `values` that hold the earlier periods and the formulas' inputs.
pub fn compared(
    ws: &Workspace,
    values: Vec<MetricValue>,
    c: Compare,
    request: &Request,
) -> Result<(Vec<MetricValue>, Vec<Option<Comparison>>), throughline_model::ValueError> {
    let all = compare::compare(ws, &values, c)?;
    Ok(values
        .into_iter()
        .zip(all)
        .filter(|(v, _)| {
            (request.metrics.is_empty() || request.metrics.contains(&v.metric))
                && request.from.is_none_or(|f| v.start.date_naive() >= f)
        })
        .unzip())
}

/// How METRIC is computed (its plan, its SQL, the sources read), without computing it.
pub async fn explain(
    engine: &Engine,
    metric: &str,
    request: &Request,
) -> Result<Explanation, EngineError> {
    engine.explain(metric, request).await
}

/// The values as snapshots in the workspace's store: a value equal to the stored one is not
/// written again, a changed one is added as a new version. Returns what it did and where.
pub async fn save(
    session: &Session<'_>,
    loaded: &Loaded,
    values: &[MetricValue],
) -> Result<(SaveSummary, String), crate::Error> {
    let snapshots = crate::snapshots(loaded, values);
    let store = session.store().await?;
    let saved = store.save_snapshots(&snapshots).await;
    store.close().await;
    Ok((saved?, store.location().to_string()))
}
