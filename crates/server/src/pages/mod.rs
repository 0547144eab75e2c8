//! The pages and API resources, one module each: its data (what the API returns), its HTML,
//! its handlers and its [`Resource`] (its routes, its entry in the navigation and its paths
//! in the OpenAPI document, declared once); and the lookups several of them share. The
//! router, the navigation and the OpenAPI document are built from the resources: a new page
//! is its module and its name in the list below.

use axum::routing::MethodRouter;
use serde_json::Value;

use crate::openapi::Names;
use crate::state::AppState;

/// What one module of the dashboard serves.
pub(crate) struct Resource {
    /// Its HTML pages: each path (axum's syntax) with its handlers.
    pub pages: Vec<(&'static str, MethodRouter<AppState>)>,
    /// Its link in the navigation (the path and the title), if it has one.
    pub nav: Option<(&'static str, &'static str)>,
    /// Its API routes with their handlers.
    pub api: Vec<(&'static str, MethodRouter<AppState>)>,
    /// Its API paths as the OpenAPI document describes them, with the workspace's names as
    /// the values their parameters take.
    pub openapi: fn(&Names) -> Vec<(&'static str, Value)>,
}

/// The modules, in the order of the navigation.
macro_rules! resources {
    ($($m:ident),* $(,)?) => {
        $(pub(crate) mod $m;)*
        /// Every resource of the dashboard.
        pub(crate) fn all() -> Vec<Resource> {
            vec![$($m::resource()),*]
        }
    };
}

resources!(
    overview,
    alignment,
    objective,
    key_result,
    metric,
    review,
    experiments,
    notifications,
    checkin,
    login,
);

/// The OpenAPI document served at `/api/openapi.json`: the API's shape, with the workspace's
/// own teams, periods, objectives, key results and metrics as the values its parameters take.
pub(crate) fn openapi_document(ws: &throughline_model::Workspace) -> Value {
    let n = crate::openapi::names(ws);
    let mut doc = crate::openapi::frame(&n);
    if let Some(paths) = doc["paths"].as_object_mut() {
        for r in all() {
            for (path, item) in (r.openapi)(&n) {
                paths.insert(path.to_string(), item);
            }
        }
    }
    doc
}

/// The navigation's links, in order (path, title).
pub(crate) fn nav() -> &'static [(&'static str, &'static str)] {
    static NAV: std::sync::OnceLock<Vec<(&'static str, &'static str)>> = std::sync::OnceLock::new();
    NAV.get_or_init(|| all().into_iter().filter_map(|r| r.nav).collect())
}

use chrono::NaiveDate;
use throughline_model::{MetricRole, Objective, Period, Workspace};
use throughline_progress::okr::{self, ObjectiveStatus};

use crate::state::{Computed, View};

pub(crate) fn role_name(r: Option<MetricRole>) -> &'static str {
    match r {
        Some(MetricRole::NorthStar) => "north_star",
        Some(MetricRole::Input) => "input",
        Some(MetricRole::Guardrail) => "guardrail",
        Some(MetricRole::Kpi) => "kpi",
        None => "metric",
    }
}

/// The day a period is seen from: the review week's end, or the period's end if earlier.
pub(crate) fn as_of(c: &Computed, p: Period) -> NaiveDate {
    c.data.week.end.min(p.end())
}

/// The status of a period's objectives: the metrics as of the data, and every check-in so far
/// (the dashboard shows the latest confidence, even when the data is older).
pub(crate) fn status_of(
    ws: &Workspace,
    c: &Computed,
    v: &View,
    p: Period,
    team: Option<&str>,
) -> Vec<ObjectiveStatus> {
    okr::status(
        ws,
        as_of(c, p),
        Some(p),
        team,
        &c.data.points(),
        &v.checkins,
    )
}

/// After a write: waits until the view holds it, so that the page the writer goes to next
/// shows it (other readers are served the last view meanwhile). The write is stored already:
/// a store error here is logged, not returned.
pub(crate) async fn wait_for_view(st: &crate::AppState) {
    if let Err(e) = st.fresh_view().await {
        tracing::warn!("the view after a write could not be built: {e}");
    }
}

/// The team an objective writes for: its team, or `company`.
pub(crate) fn team_of(o: &Objective) -> String {
    o.team
        .as_ref()
        .map_or("company".into(), |t| t.value.clone())
}

#[cfg(test)]
mod tests {
    /// The registry agrees with itself: every link of the navigation is a page, every API
    /// route is in the OpenAPI document and every documented path is routed, and no path is
    /// routed twice.
    #[test]
    fn routes_navigation_and_the_openapi_document_come_from_one_list() {
        let ws = throughline_model::Workspace::default();
        let doc = super::openapi_document(&ws);
        let documented: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
        let mut routed = vec![
            "/api/health".to_string(),
            "/api/openapi.json".to_string(),
            "/api/refresh".to_string(),
        ];
        let mut pages = Vec::new();
        for r in super::all() {
            pages.extend(r.pages.iter().map(|(p, _)| p.to_string()));
            routed.extend(r.api.iter().map(|(p, _)| p.replace("{*", "{")));
        }
        for (path, title) in super::nav() {
            assert!(pages.iter().any(|p| p == path), "{title}: {path}");
        }
        assert_eq!(super::nav().len(), 6);
        let mut all = pages.clone();
        all.extend(routed.iter().cloned());
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len(), "{all:?}");
        for p in &routed {
            let p = if p == "/api/openapi.json" {
                "/api/health"
            } else {
                p
            };
            assert!(documented.iter().any(|d| d == p), "{p} is not documented");
        }
        for d in &documented {
            assert!(
                routed.iter().any(|p| p == d),
                "{d} is documented, not routed"
            );
        }
    }
}
