//! `throughline review`: gathers the week's inputs (metric series, segment breakdowns of what
//! moved, experiment analyses, check-ins and decisions) from the engine and the store, and
//! writes the review as Markdown, HTML or JSON.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::Duration;
use throughline_engine::{Engine, EngineError, MetricValue, Request};
use throughline_model::{Compute, Loaded};
use throughline_progress::Point;
use throughline_progress::okr;
use throughline_review::{Breakdown, DecisionView, ExperimentInput, Input, Review, Value, Week};

use crate::lifecycle::{
    Failed, checkin_views, fail, load_workspace, loaded_tz, open_store, runtime,
};
use crate::measure::Progress;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReviewFormat {
    /// Markdown, for a pull request, a wiki or chat.
    Md,
    /// One self-contained HTML page with SVG charts, readable offline and printable.
    Html,
    /// The review's data as JSON.
    Json,
}

pub struct Args {
    pub workspace: PathBuf,
    pub demo: bool,
    pub week: Option<String>,
    pub format: Option<ReviewFormat>,
    pub out: Option<PathBuf>,
}

/// The format asked for, or the one `--out`'s extension names, or Markdown.
fn format_of(format: Option<ReviewFormat>, out: Option<&Path>) -> ReviewFormat {
    format.unwrap_or_else(|| {
        match out
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("html" | "htm") => ReviewFormat::Html,
            Some("json") => ReviewFormat::Json,
            _ => ReviewFormat::Md,
        }
    })
}

pub fn run(args: Args) -> Result<(), Failed> {
    let dir = if args.demo {
        crate::demo_cache::prepared()?
    } else {
        args.workspace.clone()
    };
    let loaded = load_workspace(&dir, true)?;
    let rt = runtime()?;
    let bar = Progress::new();
    let review = rt.block_on(gather(&dir, &loaded, args.week.as_deref(), &bar));
    bar.finish();
    let review = review?;
    let text = match format_of(args.format, args.out.as_deref()) {
        ReviewFormat::Md => throughline_review::markdown::render(&review),
        ReviewFormat::Html => throughline_review::html::render(&review),
        ReviewFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&review).expect("the review serializes")
        ),
    };
    match &args.out {
        Some(path) => {
            write_atomically(path, &text).map_err(|e| {
                fail(
                    format!("cannot write {}: {e}", path.display()),
                    "check that the folder exists and is writable",
                )
            })?;
            eprintln!(
                "wrote the review of {} ({}) to {}",
                review.week_label,
                review.week_span,
                path.display()
            );
        }
        None => crate::print(&text),
    }
    Ok(())
}

/// Writes a file whole or not at all: to a temporary file beside it, then renamed.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("review");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn engine_failed(loaded: &Loaded, bar: &Progress) -> impl Fn(EngineError) -> Failed {
    move |e| {
        bar.finish();
        crate::report_errors(&[e.to_diagnostic()], &loaded.sources);
        Failed(2)
    }
}

fn value_of(v: &MetricValue) -> Option<Value> {
    let value = v.value.filter(|x| x.is_finite())?;
    v.complete.then(|| Value {
        start: v.start.date_naive(),
        end: v.end.date_naive(),
        value,
        numerator: v.numerator,
        denominator: v.denominator,
    })
}

/// Computes everything the review of a week needs and builds it.
pub async fn gather(
    dir: &Path,
    loaded: &Loaded,
    week: Option<&str>,
    bar: &Progress,
) -> Result<Review, Failed> {
    let ws = &loaded.workspace;
    let failed = engine_failed(loaded, bar);
    bar.opening();
    let engine = Engine::open(ws, dir).await.map_err(&failed)?;
    for w in engine.warnings() {
        bar.println(&format!("warning: {w}"));
    }
    let starts = engine.calendar().week_starts;
    let data_last = engine.data_days().map(|(_, last)| last);
    let week = match week {
        Some(w) => Week::parse(w, starts).map_err(|e| {
            fail(
                format!("--week: {e}"),
                "for example --week 2026-W39; without --week the review covers the last complete week of data",
            )
        })?,
        None => match data_last {
            Some(last) => Week::last_complete(last, starts),
            None => Week::containing(chrono::Utc::now().date_naive(), starts).previous(),
        },
    };
    let period = okr::default_period(ws, week.start);
    let from = period.map_or(week.start, |p| p.start().min(week.start)) - Duration::weeks(16);
    let to = week.last_day();

    // Every metric at its report grain.
    let request = Request {
        from: Some(from),
        to: Some(to),
        ..Request::default()
    };
    let values = engine
        .measure_with(&request, &|p| bar.update(p))
        .await
        .map_err(&failed)?;
    let mut series: HashMap<String, Vec<Value>> = HashMap::new();
    for v in values.iter().filter(|v| v.segment.is_empty()) {
        if let Some(x) = value_of(v) {
            series.entry(v.metric.clone()).or_default().push(x);
        }
    }

    // What moved is broken down by every user dimension the metric allows.
    let moves = throughline_review::movements(&series, week, period.map(|p| p.start()));
    let mut moved: Vec<String> = moves
        .iter()
        .filter(|m| m.moved)
        .map(|m| m.metric.clone())
        .filter(|id| {
            ws.metric(id)
                .and_then(|m| m.compute.as_ref())
                .is_some_and(|c| !matches!(c.value, Compute::Sql { .. }))
        })
        .collect();
    moved.sort();
    moved.dedup();
    let earliest = moves
        .iter()
        .flat_map(|m| m.before_starts.first().copied())
        .min()
        .unwrap_or(week.start);
    let dimensions: Vec<String> = ws
        .settings
        .sources
        .get("users")
        .map(|s| s.dimensions.iter().map(|d| d.value.clone()).collect())
        .unwrap_or_default();
    let mut breakdowns: Vec<Breakdown> = Vec::new();
    for (i, dim) in dimensions.iter().enumerate() {
        let metrics: Vec<String> = moved
            .iter()
            .filter(|id| {
                ws.metric(id).is_some_and(|m| {
                    m.segments.is_empty() || m.segments.iter().any(|s| s.value == *dim)
                })
            })
            .cloned()
            .collect();
        if metrics.is_empty() {
            continue;
        }
        bar.message(&format!(
            "breaking down what moved by {dim} ({}/{})",
            i + 1,
            dimensions.len()
        ));
        let request = Request {
            metrics,
            by: Some(dim.clone()),
            from: Some(earliest),
            to: Some(to),
            ..Request::default()
        };
        match engine.measure(&request).await {
            Ok(values) => {
                let mut by_metric: BTreeMap<String, BTreeMap<String, Vec<Value>>> = BTreeMap::new();
                for v in &values {
                    if let Some(x) = value_of(v) {
                        let segment = v
                            .segment
                            .get(dim)
                            .cloned()
                            .unwrap_or_else(|| "(none)".into());
                        by_metric
                            .entry(v.metric.clone())
                            .or_default()
                            .entry(segment)
                            .or_default()
                            .push(x);
                    }
                }
                breakdowns.extend(by_metric.into_iter().map(|(metric, segments)| Breakdown {
                    metric,
                    dimension: dim.clone(),
                    segments,
                }));
            }
            Err(e) => bar.println(&format!("warning: no breakdown by {dim}: {}", e.message)),
        }
    }

    bar.message("analyzing experiments");
    let end = data_last.map(|last| last + Duration::days(1));
    let mut experiments = Vec::new();
    for e in &ws.experiments {
        let analysis = match engine.experiment(e).await {
            Ok(data) => {
                throughline_experiment::analyze(&crate::experiment::input(ws, e, &data, end, false))
            }
            Err(err) => Err(err.message),
        };
        experiments.push(ExperimentInput {
            id: e.id.value.clone(),
            hypothesis: e.hypothesis.as_ref().map(|h| h.value.clone()),
            analysis,
        });
    }
    let last_seen = engine.last_seen().await.map_err(&failed)?;

    bar.message("reading check-ins and decisions");
    let store = open_store(loaded, dir).await?;
    let tz = loaded_tz(ws);
    let checkins: Vec<_> = checkin_views(
        &store.checkins(None).await.map_err(|e| fail(&e, e.help()))?,
        tz,
    )
    .into_iter()
    .filter(|c| c.day < week.end)
    .collect();
    let decisions: Vec<DecisionView> = store
        .decisions()
        .await
        .map_err(|e| fail(&e, e.help()))?
        .into_iter()
        .map(|d| DecisionView {
            day: d.decided_at.with_timezone(&tz).date_naive(),
            text: d.text,
            about: d.about,
            author: d.author,
        })
        .filter(|d| d.day < week.end)
        .collect();
    store.close().await;

    let points: HashMap<String, Vec<Point>> = series
        .iter()
        .map(|(id, vs)| (id.clone(), vs.iter().map(Value::point).collect()))
        .collect();
    let objectives = match period {
        Some(p) => okr::status(ws, week.end, Some(p), None, &points, &checkins),
        None => Vec::new(),
    };
    let name = ws
        .settings
        .name
        .as_ref()
        .map_or("workspace".into(), |n| n.value.clone());
    Ok(throughline_review::build(&Input {
        ws,
        name,
        week,
        data_last,
        series,
        breakdowns,
        objectives,
        experiments,
        decisions,
        checkins,
        last_seen,
    }))
}
