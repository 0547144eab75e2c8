//! What the commands share: loading a workspace and failing with an explained error, the
//! query runtime and the store, and the quarter's state that `status` and `score` show
//! (`compute`) and `check --with-data` reads, from the key results' numbers
//! (`throughline_app::key_results`).

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use throughline_app::Session;
pub use throughline_app::checkin_views;
use throughline_app::key_results::{self, data_facts, key_result_metrics, series};
use throughline_check::{AbsentEvent, DataFacts};
use throughline_engine::EngineOptions;
use throughline_model::{Diagnostic, Loaded, Period, Severity, load_paths};
use throughline_progress::okr::ObjectiveStatus;
use throughline_store::Store;

pub use crate::out::{Failed, fail};

/// Loads a workspace folder; input errors are printed and fail, and so does a folder without
/// throughline.yaml when `require_root`.
pub fn load_workspace(dir: &Path, require_root: bool) -> Result<Loaded, Failed> {
    let loaded = load_paths(&[dir.to_path_buf()]);
    let errors: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        // a doubtful reading of a Markdown page is `check`'s to report, not an input error
        .filter(|d| d.severity == Severity::Error && !throughline_check::is_reader_code(&d.code))
        .cloned()
        .collect();
    if !errors.is_empty() {
        crate::out::report_errors(&errors, &loaded.sources);
        eprintln!(
            "the workspace has errors; `throughline check {}` lists them",
            dir.display()
        );
        return Err(Failed(2));
    }
    if require_root && loaded.root.is_none() {
        return Err(fail(
            format!("{} is not a workspace (no throughline.yaml)", dir.display()),
            "pass the workspace folder with -w, or create one with `throughline init`",
        ));
    }
    Ok(loaded)
}

/// A runtime for the engine and the store.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failed> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // planning and unparsing recurse over deep plans (see .cargo/config.toml)
        .thread_stack_size(16 * 1024 * 1024)
        .build()
        .map_err(|e| {
            fail(
                format!("cannot start the runtime: {e}"),
                "this is a bug in throughline; please report it",
            )
        })
}

/// Opens the workspace's store (`store:` in throughline.yaml, or the default SQLite file).
pub async fn open_store(loaded: &Loaded, dir: &Path) -> Result<Store, Failed> {
    throughline_app::session::open_store(&loaded.workspace, dir)
        .await
        .map_err(|e| fail(&e, e.help()))
}

/// Everything `status` and `score` show, computed once.
pub struct Snapshot {
    pub period: Period,
    pub as_of: NaiveDate,
    /// The data's last day, when there is data.
    pub data_last: Option<NaiveDate>,
    pub objectives: Vec<ObjectiveStatus>,
    pub store: Store,
}

pub use throughline_app::status::When;

/// Loads the workspace and computes the status of the objectives of one period (and team).
pub fn compute(
    dir: &Path,
    engine: &EngineOptions,
    when: When,
    team: Option<&str>,
    as_of: Option<NaiveDate>,
) -> Result<(Loaded, tokio::runtime::Runtime, Snapshot), Failed> {
    let loaded = load_workspace(dir, true)?;
    let rt = runtime()?;
    let session = Session::new(&loaded.workspace, dir, engine.clone());
    let snap = compute_loaded(&session, &loaded, &rt, when, team, as_of)?;
    Ok((loaded, rt, snap))
}

/// The store, the key results' series from the engine, and the quarter's state from them
/// (`throughline_app::status`).
fn compute_loaded(
    session: &Session,
    loaded: &Loaded,
    rt: &tokio::runtime::Runtime,
    when: When,
    team: Option<&str>,
    as_of: Option<NaiveDate>,
) -> Result<Snapshot, Failed> {
    let ws = &loaded.workspace;
    rt.block_on(async {
        let store = session.store().await.map_err(|e| fail(&e, e.help()))?;
        let needs = key_result_metrics(ws.objectives.iter());
        let bar = crate::progress::Progress::new();
        let mut series = HashMap::new();
        let mut data_last = None;
        if let Some((metrics, from, to)) = needs {
            bar.opening();
            let engine = session.engine().await.map_err(|e| {
                bar.finish();
                crate::out::report_errors(&[e.to_diagnostic()], &loaded.sources);
                Failed(2)
            })?;
            for w in engine.warnings() {
                bar.println(&format!("warning: {w}"));
            }
            data_last = engine.data_days().map(|(_, last)| last);
            series = key_results::series(&engine, metrics, from, to, &|p| bar.update(p))
                .await
                .map_err(|e| {
                    bar.finish();
                    crate::out::report_errors(&[e.to_diagnostic()], &loaded.sources);
                    Failed(2)
                })?;
        }
        bar.finish();
        let checkins = store.checkins(None).await.map_err(|e| fail(&e, e.help()))?;
        let views = checkin_views(&checkins, throughline_app::tz(ws));
        let today = chrono::Utc::now().date_naive();
        let q = throughline_app::status::quarter(
            ws, when, team, as_of, today, data_last, &series, &views,
        )
        .map_err(|e| fail(&e, e.help()))?;
        let (period, as_of, objectives) = (q.period, q.as_of, q.objectives);
        Ok(Snapshot {
            period,
            as_of,
            data_last,
            objectives,
            store,
        })
    })
}

/// Parses `--period`.
pub fn parse_period(s: Option<String>) -> Result<Option<Period>, Failed> {
    s.map(|s| {
        Period::parse(&s).map_err(|e| {
            fail(
                format!("--period: {e}"),
                "write the period as `2026-Q3`, `2026-H2`, `2026-09` or `2026`",
            )
        })
    })
    .transpose()
}

/// What the data says about the key results, for `check --with-data`.
pub fn check_data_facts(
    loaded: &Loaded,
    paths: &[std::path::PathBuf],
    engine: &EngineOptions,
) -> Result<DataFacts, Failed> {
    let Some(dir) = loaded.root.clone() else {
        return Err(fail(
            "--with-data needs a workspace folder (with throughline.yaml and `sources:`)",
            format!(
                "run it on the workspace that holds {}",
                paths
                    .first()
                    .map_or(".".into(), |p| p.display().to_string())
            ),
        ));
    };
    let ws = &loaded.workspace;
    let rt = runtime()?;
    let bar = crate::progress::Progress::new();
    let result = rt.block_on(async {
        bar.opening();
        let engine = Session::new(ws, &dir, engine.clone()).engine().await?;
        let series = match key_result_metrics(ws.objectives.iter()) {
            Some((metrics, from, to)) => {
                series(&engine, metrics, from, to, &|p| bar.update(p)).await?
            }
            None => HashMap::new(),
        };
        let absent: Vec<AbsentEvent> = engine
            .absent_names()
            .iter()
            .map(|a| AbsentEvent {
                metric: a.metric.clone(),
                name: a.name.clone(),
                suggestion: a.suggestion.clone(),
                column: a.column.clone(),
            })
            .collect();
        let counts = engine
            .event_counts()
            .into_iter()
            .map(|(n, c)| (n.to_string(), c))
            .collect();
        Ok::<_, throughline_engine::EngineError>((series, absent, counts))
    });
    bar.finish();
    match result {
        Ok((series, absent, counts)) => {
            let mut facts = data_facts(ws, &series);
            facts.absent_events = absent;
            facts.event_counts = counts;
            Ok(facts)
        }
        Err(e) => {
            crate::out::report_errors(&[e.to_diagnostic()], &loaded.sources);
            Err(Failed(2))
        }
    }
}
