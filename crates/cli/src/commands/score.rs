//! `throughline score`: each key result's and objective's score for a period, the
//! sandbagging warning and each owner's calibration; `--close` stores them as final.

use std::process::ExitCode;

use throughline_app::status::Quarter;

use crate::args::{ListFormat, WorkspaceOrDemo};
use crate::commands::status::workspace_name;
use crate::{lifecycle, status_text as status};

/// Score a period: 0.0-1.0 per key result (its progress, capped) and per objective
/// (weighted mean), judged by commitment: a committed objective should reach 1.0, about
/// 0.7 is success for an aspirational one (the default). Warns about teams that keep
/// scoring 1.0 (sandbagging) and shows each owner's stated confidence against outcomes.
///
/// `--close` stores the scores as final and closes the period: no more check-ins on it.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  throughline score --demo\n  throughline score\n  throughline score --period 2026-Q3 --close"
)]
pub struct Args {
    #[command(flatten)]
    workspace: WorkspaceOrDemo,
    /// The period [default: the latest that has ended]
    #[arg(long)]
    period: Option<String>,
    /// Store the scores as final and close the period (only once it has ended).
    #[arg(long)]
    close: bool,
    /// Who closes it [default: $THROUGHLINE_AUTHOR, else $USER]
    #[arg(long)]
    author: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
    #[command(flatten)]
    engine: crate::args::EngineArgs,
}

pub fn run(args: Args) -> ExitCode {
    crate::out::done(if args.workspace.demo && args.close {
        Err(lifecycle::fail(
            "--close is not for the built-in demo: it would end the demo quarter for every later run",
            "score the demo without --close, or close a quarter of your own workspace (-w DIR)",
        ))
    } else {
        let author = crate::args::author(args.author);
        args.workspace.dir().and_then(|w| {
            let engine = args.engine.options();
            score(&w, &engine, args.period, args.close, author, args.format)
        })
    })
}

/// Computes the scores (`throughline_app::score`), shows them, then (`--close`) stores exactly
/// the numbers shown.
fn score(
    dir: &std::path::Path,
    engine: &throughline_engine::EngineOptions,
    period: Option<String>,
    close: bool,
    author: String,
    format: ListFormat,
) -> Result<(), lifecycle::Failed> {
    let period = lifecycle::parse_period(period)?;
    let (loaded, rt, snap) =
        lifecycle::compute(dir, engine, lifecycle::When::Ended(period), None, None)?;
    let store = snap.store;
    let quarter = Quarter {
        period: snap.period,
        as_of: snap.as_of,
        objectives: snap.objectives,
    };
    let today = chrono::Utc::now().date_naive();
    let failed = |e: throughline_app::Error| lifecycle::fail(e.message(), e.help());
    let s = rt
        .block_on(throughline_app::score::score(&store, quarter, today))
        .map_err(failed)?;
    let period_text = s.quarter.period.to_string();
    match format {
        ListFormat::Json => crate::out::print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "period": period_text,
                "as_of": s.quarter.as_of,
                "ended": s.ended,
                "closed": s.closed,
                "objectives": s.scores,
                "sandbagging": s.sandbagging.iter().map(|(t, ps)| serde_json::json!({"team": t, "periods": ps})).collect::<Vec<_>>(),
                "calibration": s.calibration,
            }))
            .expect("serializes")
        )),
        ListFormat::Human => {
            let name = workspace_name(&loaded);
            let objectives = &s.quarter.objectives;
            let expected = objectives.first().map_or(0.0, |o| o.expected);
            let mut text = status::heading("scores", &name, &period_text, s.quarter.as_of, expected, snap.data_last);
            if s.closed {
                text.push_str("(closed: these scores are recomputed; the stored final scores are unchanged)\n");
            } else if !s.ended {
                text.push_str(&format!("(a preview: {period_text} runs until {})\n", s.quarter.period.end()));
            }
            text.push_str(&status::scores(objectives, &s.scores));
            for (team, periods) in &s.sandbagging {
                text.push_str(&format!(
                    "\nwarning: team `{team}` scored 1.0 in {}: targets that are always hit were probably too safe (sandbagging); aim where about 0.7 is a success\n",
                    periods.join(" and ")
                ));
            }
            text.push_str(&status::calibration(&s.calibration));
            crate::out::print(&text);
        }
    }
    if close {
        let stored = rt
            .block_on(throughline_app::score::close(&store, &s, &author))
            .map_err(failed)?;
        eprintln!(
            "closed {period_text}: {stored} scores stored in {}; check-ins on it are refused from now on",
            store.location()
        );
    }
    rt.block_on(store.close());
    Ok(())
}
