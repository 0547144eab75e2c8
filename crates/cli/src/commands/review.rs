//! `throughline review`: the week's inputs from the engine (throughline-app gathers them) and
//! the store, written as Markdown, HTML or JSON.

use std::path::{Path, PathBuf};

use throughline_app::review::{gather, measure_series, week_for};
use throughline_engine::EngineError;
use throughline_model::Loaded;
use throughline_review::{Compare, Review};

use crate::lifecycle::{Failed, fail, load_workspace, runtime};
use crate::progress::Progress;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReviewFormat {
    /// Markdown, for a pull request, a wiki or chat.
    Md,
    /// One self-contained HTML page with SVG charts, readable offline and printable.
    Html,
    /// The review's data as JSON.
    Json,
}

/// Write the weekly metrics review: the agenda of the Monday metrics meeting, filled from
/// the data and the store.
///
/// 1. North Star check: the value, its trend against last week and the 4-week average, with
///    a noise band (changes within ±2σ of the recent trend's wobble are called flat), and
///    the target. 2. Key result progress: current, target, pacing status, last confidence,
///    forecast. 3. Guardrail check: each guardrail and KPI against its baseline (the 4
///    values before the period), Green / Yellow / Red against its limits, and a gaming
///    signal when a key result improved while a guardrail of its objective got worse.
///    4. Experiment results. 5. Insights: every metric that moved beyond noise, with the
///    segments that drove it; metrics whose data stopped arriving. 6. The week's decisions
///    and next week's focus: key results at risk, red guardrails, owners who have not
///    checked in.
///
/// The week is the last complete week of data unless `--week` names one. Values are
/// what is known now about that week.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  throughline review --demo                      the built-in demo workspace\n  throughline review -w my-okrs --week 2026-W39\n  throughline review --format html --out review.html\n  throughline review --format md >> $GITHUB_STEP_SUMMARY\n  throughline review --demo --compare 4w            what moved the North Star over four weeks"
)]
pub struct Args {
    /// The workspace folder.
    #[arg(long, short = 'w', default_value = ".", conflicts_with = "demo")]
    workspace: PathBuf,
    /// Review the built-in demo workspace (Flowboard, generated once into the cache folder
    /// with its quarter's check-ins and decisions).
    #[arg(long)]
    demo: bool,
    /// The week: an ISO week (`2026-W39`) or a day in it (`2026-09-23`) [default: the last
    /// complete week of data]
    #[arg(long)]
    week: Option<String>,
    /// Output format [default: from --out's extension, else md]
    #[arg(long, value_enum)]
    format: Option<ReviewFormat>,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    /// Split the North Star's change from an earlier period ("What moved it"): `previous`
    /// (the default), `year-ago` (52 weeks, or 12 months), or a number of weeks (`4w`). A
    /// lifecycle split adds up the users gained and lost in every period in between.
    #[arg(long, value_name = "WHEN", default_value = "previous", value_parser = clap::builder::ValueParser::new(|s: &str| s.parse::<Compare>()))]
    compare: Compare,
    #[command(flatten)]
    engine: crate::args::EngineArgs,
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

pub fn run(args: Args) -> std::process::ExitCode {
    crate::out::done(review(args))
}

fn review(args: Args) -> Result<(), Failed> {
    let dir = crate::demo_cache::workspace_dir(args.demo, args.workspace.clone())?;
    let loaded = load_workspace(&dir, true)?;
    let rt = runtime()?;
    let bar = Progress::new();
    let review = rt.block_on(compute(
        &args.engine.session(&loaded, &dir),
        &loaded,
        args.week.as_deref(),
        None,
        args.compare,
        &bar,
    ));
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
        None => crate::out::print(&text),
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

/// Computes the review of a week: the engine's part once, then the store's check-ins and
/// decisions.
pub(crate) async fn compute(
    session: &throughline_app::Session<'_>,
    loaded: &Loaded,
    week: Option<&str>,
    notify_at: Option<chrono::DateTime<chrono::Utc>>,
    compare: Compare,
    bar: &Progress,
) -> Result<Review, Failed> {
    let ws = &loaded.workspace;
    let failed = |e: EngineError| {
        bar.finish();
        crate::out::report_errors(&[e.to_diagnostic()], &loaded.sources);
        Failed(2)
    };
    bar.opening();
    let engine = session.engine().await.map_err(failed)?;
    for w in engine.warnings() {
        bar.println(&format!("warning: {w}"));
    }
    let given = week.is_some();
    let week = week_for(&engine, week).map_err(|e| {
        fail(
            format!("--week: {e}"),
            "for example --week 2026-W39; without --week the review covers the last complete week of data",
        )
    })?;
    // For notifications, without --week: the week they report on at that instant
    let week = match notify_at {
        Some(now) if !given => throughline_app::notify::review_week(ws, week, now),
        _ => week,
    };
    let series = measure_series(&engine, ws, week, compare, &|p| bar.update(p))
        .await
        .map_err(failed)?;
    let data = gather(&engine, ws, week, series, compare, &|s| bar.message(s))
        .await
        .map_err(failed)?;
    bar.message("reading check-ins and decisions");
    let store = session.store().await.map_err(|e| fail(&e, e.help()))?;
    let tz = throughline_app::tz(ws);
    let checkins = store.checkins(None).await.map_err(|e| fail(&e, e.help()))?;
    let decisions = store.decisions().await.map_err(|e| fail(&e, e.help()))?;
    store.close().await;
    Ok(data.review(
        ws,
        throughline_app::checkin_views(&checkins, tz),
        throughline_app::decision_views(decisions, tz),
    ))
}
