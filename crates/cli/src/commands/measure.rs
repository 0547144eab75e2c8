//! `throughline measure`: metric values as a table, JSON or CSV, `--save` into the store,
//! and `--explain METRIC` (the definition's plan, its SQL and the sources read).

use std::path::Path;
use std::process::ExitCode;

use throughline_engine::{EngineOptions, Explanation, MetricValue, Request};

use crate::args::{GrainArg, TableFormat, WorkspaceOrDemo, parse_day};
use crate::lifecycle::{self, Failed};
use crate::out::{print, report_errors};
use crate::progress::Progress;

/// Compute metric values from the workspace's event data.
///
/// Every metric unless `--metric` is given; over the whole range of the data unless
/// `--from`/`--to`; at each metric's `cadence.report` grain unless `--grain`; the total
/// unless `--by`. Periods are calendar periods in the workspace's time zone. A period that
/// runs past the end of the data is marked partial (`"complete": false`).
///
/// Cohort metrics (conversion, retention, duration) put each user in the period of their
/// start; a cohort whose window has not elapsed by the end of the data is marked
/// `"complete": false`. Shares are percents (0-100) unless the metric has `unit: ratio`;
/// durations are seconds. `--explain METRIC` shows the definition's plan, its SQL and the
/// sources it reads instead of computing.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  throughline measure --demo --metric activation_rate --by signup_source\n  throughline measure --metric activation_rate --grain week\n  throughline measure --by plan --from 2025-01-01 --to 2025-03-31 --format csv\n  throughline measure --explain activation_rate"
)]
pub struct Args {
    #[command(flatten)]
    workspace: WorkspaceOrDemo,
    /// A metric id; repeat for several.
    #[arg(long = "metric", value_name = "ID")]
    metrics: Vec<String>,
    /// Period length for every metric.
    #[arg(long, value_enum)]
    grain: Option<GrainArg>,
    /// A user dimension to segment by (one of the users source's `dimensions`).
    #[arg(long, value_name = "DIMENSION")]
    by: Option<String>,
    /// First day included (YYYY-MM-DD, in the workspace's time zone).
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day included (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    format: TableFormat,
    /// Show how METRIC is computed (its plan, as SQL, and the sources read) instead.
    #[arg(long, value_name = "METRIC")]
    explain: Option<String>,
    /// Store the values in the workspace's store as snapshots. A value equal to the
    /// stored one is not written again; one that changed is added as a new version, and
    /// the old one is kept.
    #[arg(long)]
    save: bool,
    /// Memory the query may hold before it spills to disk (e.g. `8GB`); a measurement
    /// larger than this runs slower, not out of memory. Default: the
    /// `THROUGHLINE_MEMORY_LIMIT` environment variable, else 60% of the machine's memory.
    /// Spill files and the per-user activity roll-up go to `THROUGHLINE_SPILL_DIR` or the
    /// system's temp folder (removed when the command ends).
    #[arg(long, value_name = "SIZE", value_parser = throughline_engine::parse_size)]
    memory_limit: Option<usize>,
}

pub fn run(args: Args) -> ExitCode {
    let dir = match args.workspace.dir() {
        Ok(w) => w,
        Err(Failed(code)) => return ExitCode::from(code),
    };
    let (from, to) = match (parse_day("from", args.from), parse_day("to", args.to)) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        eprintln!("error: --to ({t}) is before --from ({f})\nhelp: swap the two dates");
        return ExitCode::from(2);
    }
    let request = Request {
        metrics: args.metrics,
        grain: args.grain.map(GrainArg::grain),
        by: args.by,
        from,
        to,
    };
    let options = EngineOptions {
        memory_limit: args.memory_limit,
        spill_dir: None,
    };
    match measure(&dir, &request, args.explain, &options) {
        Ok((loaded, runtime, Err(explanation))) => {
            drop(runtime);
            print(&explanation_text(&explanation, &loaded));
            ExitCode::SUCCESS
        }
        Ok((loaded, runtime, Ok(values))) => {
            if args.save
                && let Err(Failed(code)) = save(&runtime, &loaded, &dir, &values)
            {
                return ExitCode::from(code);
            }
            print(&match args.format {
                TableFormat::Json => json(&values, &loaded.workspace),
                TableFormat::Csv => csv(&values),
                TableFormat::Table => table(&values),
            });
            ExitCode::SUCCESS
        }
        Err(Failed(code)) => ExitCode::from(code),
    }
}

type Measured = (
    throughline_model::Loaded,
    tokio::runtime::Runtime,
    Result<Vec<MetricValue>, Explanation>,
);

/// Loads the workspace and computes the values (or, with `explain`, the explanation).
fn measure(
    dir: &Path,
    request: &Request,
    explain: Option<String>,
    options: &EngineOptions,
) -> Result<Measured, Failed> {
    let loaded = lifecycle::load_workspace(dir, false)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the query runtime: {e}");
            Failed(2)
        })?;
    let bar = Progress::new();
    let result = runtime.block_on(async {
        bar.opening();
        let engine = throughline_engine::Engine::open_with(&loaded.workspace, dir, options).await?;
        for w in engine.warnings() {
            bar.println(&format!("warning: {w}"));
        }
        if let Some(id) = &explain {
            return engine.explain(id, request).await.map(Err);
        }
        engine
            .measure_with(request, &|p| bar.update(p))
            .await
            .map(Ok)
    });
    bar.finish();
    match result {
        Ok(r) => Ok((loaded, runtime, r)),
        Err(e) => {
            report_errors(&[e.to_diagnostic()], &loaded.sources);
            Err(Failed(1))
        }
    }
}

/// `--save`: the values as snapshots in the workspace's store, and a line saying what changed.
fn save(
    runtime: &tokio::runtime::Runtime,
    loaded: &throughline_model::Loaded,
    dir: &Path,
    values: &[MetricValue],
) -> Result<(), Failed> {
    let snapshots = lifecycle::snapshots(loaded, values);
    let (s, at) = runtime.block_on(async {
        let store = lifecycle::open_store(loaded, dir).await?;
        let s = store
            .save_snapshots(&snapshots)
            .await
            .map_err(|e| lifecycle::fail(&e, e.help()))?;
        store.close().await;
        Ok::<_, Failed>((s, store.location().to_string()))
    })?;
    eprintln!(
        "saved {} values to {at}: {} new, {} unchanged, {} revised (new data), {} from a changed definition",
        snapshots.len(),
        s.new,
        s.unchanged,
        s.revised,
        s.redefined
    );
    Ok(())
}

/// `--explain`: the definition as written, the sources, the plan and its SQL.
fn explanation_text(e: &Explanation, loaded: &throughline_model::Loaded) -> String {
    let ws = &loaded.workspace;
    let mut out = format!("metric `{}`\n\n", e.metric);
    if let Some(m) = ws.metric(&e.metric)
        && let Some((at, lines)) = loaded.definition_lines(m.span)
    {
        out.push_str(&format!("defined at {at}\n"));
        for l in lines {
            out.push_str(&format!("  | {l}\n"));
        }
        out.push('\n');
    }
    out.push_str("reads\n");
    for s in &e.sources {
        out.push_str(&format!("  {s}\n"));
    }
    for (id, plan) in &e.plans {
        out.push_str(&format!("\nplan of `{id}` (DataFusion, optimized)\n"));
        for l in plan.lines() {
            out.push_str(&format!("  {l}\n"));
        }
    }
    for (id, place) in &e.database {
        out.push_str(&format!("\nwhere `{id}` runs: {place}\n"));
    }
    for (id, sql) in &e.sql {
        if e.database.is_empty() {
            out.push_str(&format!(
                "\nthe same plan as SQL (`{id}`, PostgreSQL dialect)\n  {sql}\n"
            ));
        } else {
            out.push_str(&format!("\nthe SQL sent to PostgreSQL (`{id}`)\n  {sql}\n"));
        }
    }
    out
}

/// One JSON object per value, as DESIGN.md specifies.
fn json(values: &[MetricValue], ws: &throughline_model::Workspace) -> String {
    let rows: Vec<serde_json::Value> = values
        .iter()
        .map(|v| {
            let mut o = serde_json::json!({
                "metric": v.metric,
                "start": v.start.to_rfc3339(),
                "end": v.end.to_rfc3339(),
                "segment": v.segment,
                "value": v.value,
                "numerator": v.numerator,
                "denominator": v.denominator,
                "complete": v.complete,
            });
            // retention: the share returning in each step 0..=horizon
            if !v.curve.is_empty() {
                o["curve"] = serde_json::json!(v.curve);
            }
            // funnel: each step's users and share of the entrants; lifecycle: each status
            let lifecycle = ws
                .metric(&v.metric)
                .and_then(|m| m.compute.as_ref())
                .is_some_and(|c| matches!(c.value, throughline_model::Compute::Lifecycle { .. }));
            if lifecycle {
                o["statuses"] = v
                    .steps
                    .iter()
                    .map(|s| serde_json::json!({"status": s.name, "users": s.users}))
                    .collect();
            } else if !v.steps.is_empty() {
                o["steps"] = v
                    .steps
                    .iter()
                    .map(|s| serde_json::json!({"event": s.name, "users": s.users, "rate": s.rate}))
                    .collect();
            }
            o
        })
        .collect();
    format!(
        "{}\n",
        serde_json::to_string_pretty(&rows).expect("values serialize")
    )
}

fn number(x: Option<f64>) -> String {
    match x {
        None => String::new(),
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{v:.0}"),
        Some(v) => format!("{v:.4}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string(),
    }
}

fn segment(v: &MetricValue) -> String {
    v.segment
        .iter()
        .map(|(k, x)| format!("{k}={x}"))
        .collect::<Vec<_>>()
        .join(";")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv(values: &[MetricValue]) -> String {
    let mut out = String::from("metric,start,end,segment,value,numerator,denominator,complete\n");
    for v in values {
        let fields = [
            csv_field(&v.metric),
            v.start.to_rfc3339(),
            v.end.to_rfc3339(),
            csv_field(&segment(v)),
            number(v.value),
            number(v.numerator),
            number(v.denominator),
            v.complete.to_string(),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// An aligned table for a terminal; partial periods are marked.
fn table(values: &[MetricValue]) -> String {
    let mut rows = vec![[
        "metric".to_string(),
        "period".into(),
        "segment".into(),
        "value".into(),
        "".into(),
    ]];
    for v in values {
        rows.push([
            v.metric.clone(),
            v.start.format("%Y-%m-%d").to_string(),
            segment(v),
            number(v.value),
            if v.complete {
                String::new()
            } else {
                "partial".into()
            },
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line = format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if values.is_empty() {
        out.push_str("(no values: the sources hold no events in this range)\n");
    }
    out
}
