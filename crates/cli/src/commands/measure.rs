//! `throughline measure`: metric values as a table, JSON or CSV, `--save` into the store,
//! and `--explain METRIC` (the definition's plan, its SQL and the sources read).

use std::path::Path;
use std::process::ExitCode;

use throughline_app::compare::{Compare, Comparison};
use throughline_app::measure;
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
/// sources it reads instead of computing. `--compare previous` puts each value beside the
/// period before it, and splits a `derived` or `ratio` metric's change (or that of a metric
/// with `drives:` edges into it) into what each of its inputs contributed.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  throughline measure --demo --metric activation_rate --by signup_source\n  throughline measure --metric activation_rate --grain week\n  throughline measure --by plan --from 2025-01-01 --to 2025-03-31 --format csv\n  throughline measure --explain activation_rate\n  throughline measure --demo --metric arpu --grain month --compare previous\n  throughline measure --demo --metric revenue --compare 4w"
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
    /// Compute every period from all of the events, ignoring the cache. Without it, a
    /// measurement of every metric over the whole range recomputes only the periods that the
    /// files added, changed or removed since the last run can change (or, for a PostgreSQL
    /// table with a `watermark:` column, the rows written since), and takes the others from
    /// `.throughline/cache` (each file's checked names and times, its first events per
    /// user, the users' active days, and the last values); the values are the same either
    /// way.
    #[arg(long)]
    full: bool,
    /// Compare each value with an earlier period: `previous`, `year-ago` (52 weeks, or 12
    /// months), or a number of weeks (`4w`). Adds the earlier value and the change; the
    /// change of a `derived` or `ratio` metric, or of one the `drives:` edges make a product
    /// or sum, is split into each input's contribution (Shapley values: they add up to the
    /// change, with what a `drives:` formula does not account for shown as the rest).
    #[arg(long, value_name = "WHEN", value_parser = clap::builder::ValueParser::new(|s: &str| s.parse::<Compare>()))]
    compare: Option<Compare>,
    #[command(flatten)]
    engine: crate::args::EngineArgs,
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
    let options = args.engine.options();
    let mut wide = request.clone();
    if let (Some(c), Some(f)) = (args.compare, from) {
        // the earlier periods are measured too, and shown beside the requested ones
        wide.from = Some(f - c.reach());
    }
    match measure(
        &dir,
        &wide,
        args.explain,
        &options,
        args.compare.is_some(),
        args.full,
    ) {
        Ok((loaded, runtime, Err(explanation))) => {
            drop(runtime);
            print(&explanation_text(&explanation, &loaded));
            ExitCode::SUCCESS
        }
        Ok((loaded, runtime, Ok(values))) => {
            let (values, compared) = match args.compare {
                Some(c) => match measure::compared(&loaded.workspace, values, c, &request) {
                    Ok(x) => x,
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                },
                None => (values, Vec::new()),
            };
            if args.save
                && let Err(Failed(code)) = save(&runtime, &loaded, &dir, &options, &values)
            {
                return ExitCode::from(code);
            }
            print(&match args.format {
                TableFormat::Json => json(&values, &compared, &loaded.workspace),
                TableFormat::Csv => csv(&values, &compared),
                TableFormat::Table => table(&values, &compared),
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

/// Loads the workspace and computes the values (or, with `explain`, the explanation). With
/// `inputs`, a formula metric's inputs are measured too.
fn measure(
    dir: &Path,
    request: &Request,
    explain: Option<String>,
    options: &EngineOptions,
    inputs: bool,
    full: bool,
) -> Result<Measured, Failed> {
    let loaded = lifecycle::load_workspace(dir, false)?;
    let request = &if inputs {
        measure::with_inputs(&loaded.workspace, request)
    } else {
        request.clone()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // planning and unparsing recurse over deep plans (see .cargo/config.toml)
        .thread_stack_size(16 * 1024 * 1024)
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the query runtime: {e}");
            Failed(2)
        })?;
    let bar = Progress::new();
    let result = runtime.block_on(async {
        bar.opening();
        let session = throughline_app::Session::new(&loaded.workspace, dir, options.clone());
        let engine = match full {
            true => session.engine_scanning_all().await?,
            false => session.engine().await?,
        };
        for w in engine.warnings() {
            bar.println(&format!("warning: {w}"));
        }
        if let Some(id) = &explain {
            return measure::explain(&engine, id, request).await.map(Err);
        }
        let measured =
            measure::measure(&session, &engine, request, full, &|p| bar.update(p)).await?;
        if !matches!(
            measured.refreshed,
            throughline_engine::Refreshed::Uncached { .. }
        ) {
            bar.println(&measured.refreshed.sentence());
        }
        let values = measured.values;
        Ok(Ok(values))
    });
    bar.finish();
    match result {
        Ok(r) => Ok((loaded, runtime, r)),
        Err(e) => {
            // data or definitions that cannot be measured: input that could not be read
            report_errors(&[e.to_diagnostic()], &loaded.sources);
            Err(Failed(2))
        }
    }
}

/// `--save`: the values as snapshots in the workspace's store, and a line saying what changed.
fn save(
    runtime: &tokio::runtime::Runtime,
    loaded: &throughline_model::Loaded,
    dir: &Path,
    options: &EngineOptions,
    values: &[MetricValue],
) -> Result<(), Failed> {
    let session = throughline_app::Session::new(&loaded.workspace, dir, options.clone());
    let (s, at) = runtime
        .block_on(measure::save(&session, loaded, values))
        .map_err(|e| lifecycle::fail(e.message(), e.help()))?;
    eprintln!(
        "saved {} values to {at}: {} new, {} unchanged, {} revised (new data), {} from a changed definition",
        s.new + s.unchanged + s.revised + s.redefined,
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
    if let Some(placement) = &e.placement {
        out.push_str(&format!("\nwhere it runs: {placement}\n"));
    }
    for (id, place) in &e.database {
        out.push_str(&format!("\nwhere `{id}` runs: {place}\n"));
    }
    for (id, sql) in &e.sql {
        // every line of the statement indented under its heading
        let sql = sql
            .lines()
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\n");
        if e.database.is_empty() {
            out.push_str(&format!(
                "\nthe same plan as SQL (`{id}`, PostgreSQL dialect)\n{sql}\n"
            ));
        } else {
            out.push_str(&format!("\nthe SQL sent to PostgreSQL (`{id}`)\n{sql}\n"));
        }
    }
    out
}

/// One JSON object per value, as DESIGN.md specifies.
fn json(
    values: &[MetricValue],
    compared: &[Option<Comparison>],
    ws: &throughline_model::Workspace,
) -> String {
    let rows: Vec<serde_json::Value> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
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
                .is_some_and(|c| c.value.lifecycle().is_some());
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
            if let Some(Some(c)) = compared.get(i) {
                o["compare"] = comparison_json(c);
            }
            o
        })
        .collect();
    format!(
        "{}\n",
        serde_json::to_string_pretty(&rows).expect("values serialize")
    )
}

/// `{start, value, change}`, and for a formula the inputs' contributions.
fn comparison_json(c: &Comparison) -> serde_json::Value {
    let mut o = serde_json::json!({
        "start": c.start.to_string(),
        "value": c.value,
        "change": c.change,
    });
    if let Some(s) = &c.split {
        o["contributions"] = s
            .parts
            .iter()
            .map(|p| {
                serde_json::json!({
                    "metric": p.metric,
                    "before": p.before,
                    "after": p.after,
                    "contribution": p.contribution,
                    "alone": p.alone,
                })
            })
            .collect();
        o["interaction"] = serde_json::json!(s.interaction);
        o["rest"] = serde_json::json!(s.rest);
    }
    o
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

fn csv(values: &[MetricValue], compared: &[Option<Comparison>]) -> String {
    let mut out = String::from("metric,start,end,segment,value,numerator,denominator,complete");
    if !compared.is_empty() {
        out.push_str(",compare_start,compare_value,change");
    }
    out.push('\n');
    for (i, v) in values.iter().enumerate() {
        let mut fields = vec![
            csv_field(&v.metric),
            v.start.to_rfc3339(),
            v.end.to_rfc3339(),
            csv_field(&segment(v)),
            number(v.value),
            number(v.numerator),
            number(v.denominator),
            v.complete.to_string(),
        ];
        if !compared.is_empty() {
            let c = compared.get(i).and_then(Option::as_ref);
            fields.extend([
                c.map_or(String::new(), |c| c.start.to_string()),
                number(c.and_then(|c| c.value)),
                number(c.and_then(|c| c.change)),
            ]);
        }
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// An aligned table for a terminal; partial periods are marked. With `--compare`, the
/// earlier value and the change, and under a formula metric its inputs' contributions.
fn table(values: &[MetricValue], compared: &[Option<Comparison>]) -> String {
    let comparing = !compared.is_empty();
    let mut head = vec!["metric", "period", "segment", "value"];
    if comparing {
        head.extend(["earlier", "change"]);
    }
    head.push("");
    let mut rows: Vec<Vec<String>> = vec![head.iter().map(|h| h.to_string()).collect()];
    let mut notes: Vec<Option<String>> = vec![None];
    for (i, v) in values.iter().enumerate() {
        let mut row = vec![
            v.metric.clone(),
            v.start.format("%Y-%m-%d").to_string(),
            segment(v),
            number(v.value),
        ];
        let c = compared.get(i).and_then(Option::as_ref);
        if comparing {
            row.push(c.map_or(String::new(), |c| number(c.value)));
            row.push(c.map_or(String::new(), |c| signed(c.change)));
        }
        row.push(if v.complete {
            String::new()
        } else {
            "partial".into()
        });
        rows.push(row);
        notes.push(c.and_then(|c| c.split.as_ref()).map(|s| {
            let parts: Vec<String> = s
                .parts
                .iter()
                .map(|p| format!("{} {}", p.metric, signed(Some(p.contribution))))
                .collect();
            let rest = if s.rest.abs() > 1e-9 * s.after.abs().max(1.0) {
                format!(", not in the tree's formula: {}", signed(Some(s.rest)))
            } else {
                String::new()
            };
            format!(
                "  by input: {} (moving together: {}{rest})",
                parts.join(", "),
                signed(Some(s.interaction))
            )
        }));
    }
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (r, note) in rows.iter().zip(&notes) {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, x)| {
                // the metric, period and segment read left to right; numbers line up right
                if c < 3 || c == columns - 1 {
                    format!("{x:<w$}", w = widths[c])
                } else {
                    format!("{x:>w$}", w = widths[c])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if let Some(n) = note {
            out.push_str(n);
            out.push('\n');
        }
    }
    if values.is_empty() {
        out.push_str("(no values: the sources hold no events in this range)\n");
    }
    out
}

/// A number with its sign: `+12`, `-3.5`.
fn signed(x: Option<f64>) -> String {
    match x {
        Some(v) if v > 0.0 => format!("+{}", number(Some(v))),
        other => number(other),
    }
}
