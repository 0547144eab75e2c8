//! `throughline score`: each key result's and objective's score for a period, the
//! sandbagging warning and each owner's calibration; `--close` stores them as final.

use std::collections::BTreeMap;
use std::process::ExitCode;

use throughline_progress::okr::{self, ObjectiveScore, ObjectiveStatus};

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

// Long but in one order: compute the scores, show them, then (`--close`) store exactly the
// numbers shown; the two helpers below hold the parts that stand alone.
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
    let scores = okr::score(&snap.objectives);
    let period_text = snap.period.to_string();
    let today = chrono::Utc::now().date_naive();
    let store = &snap.store;
    let stored = rt
        .block_on(store.scores())
        .map_err(|e| lifecycle::fail(&e, e.help()))?;
    let closed = stored.iter().any(|r| r.period == period_text);
    let (history, outcomes) = history(&stored, &scores, &period_text, closed);
    let sandbagging = throughline_progress::sandbagging_teams(&history);
    let calibration = throughline_progress::calibration(&outcomes);
    let ended = snap.period.end() <= today;
    match format {
        ListFormat::Json => crate::out::print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "period": period_text,
                "as_of": snap.as_of,
                "ended": ended,
                "closed": closed,
                "objectives": scores,
                "sandbagging": sandbagging.iter().map(|(t, ps)| serde_json::json!({"team": t, "periods": ps})).collect::<Vec<_>>(),
                "calibration": calibration,
            }))
            .expect("serializes")
        )),
        ListFormat::Human => {
            let name = workspace_name(&loaded);
            let expected = snap.objectives.first().map_or(0.0, |o| o.expected);
            let mut text = status::heading("scores", &name, &period_text, snap.as_of, expected, snap.data_last);
            if closed {
                text.push_str("(closed: these scores are recomputed; the stored final scores are unchanged)\n");
            } else if !ended {
                text.push_str(&format!("(a preview: {period_text} runs until {})\n", snap.period.end()));
            }
            text.push_str(&status::scores(&snap.objectives, &scores));
            for (team, periods) in &sandbagging {
                text.push_str(&format!(
                    "\nwarning: team `{team}` scored 1.0 in {}: targets that are always hit were probably too safe (sandbagging); aim where about 0.7 is a success\n",
                    periods.join(" and ")
                ));
            }
            text.push_str(&status::calibration(&calibration));
            crate::out::print(&text);
        }
    }
    if close {
        if closed {
            return Err(lifecycle::fail(
                format!("{period_text} is already closed"),
                "its scores are final; `throughline score --period` shows other periods",
            ));
        }
        if !ended {
            return Err(lifecycle::fail(
                format!(
                    "{period_text} has not ended: it runs until {}",
                    snap.period.end()
                ),
                "close a period once it is over; until then `throughline score` shows a preview",
            ));
        }
        let rows = score_rows(&snap.objectives, &scores, &period_text);
        rt.block_on(store.close_period(&period_text, &author, &rows))
            .map_err(|e| lifecycle::fail(&e, e.help()))?;
        eprintln!(
            "closed {period_text}: {} scores stored in {}; check-ins on it are refused from now on",
            rows.len(),
            store.location()
        );
    }
    rt.block_on(store.close());
    Ok(())
}

/// What sandbagging and calibration read: every closed period's team scores and owners'
/// confidence against outcomes, and this period's when it is not closed yet.
fn history(
    stored: &[throughline_store::ScoreRow],
    scores: &[ObjectiveScore],
    period_text: &str,
    closed: bool,
) -> (Vec<throughline_progress::Scored>, Vec<(String, i64, bool)>) {
    let mut history: Vec<throughline_progress::Scored> = Vec::new();
    let mut team_scores: BTreeMap<(String, String), Vec<f64>> = Default::default();
    for r in stored.iter().filter(|r| r.key_result.is_empty()) {
        team_scores
            .entry((r.team.clone(), r.period.clone()))
            .or_default()
            .push(r.score);
    }
    let mut outcomes: Vec<(String, i64, bool)> = stored
        .iter()
        .filter(|r| !r.key_result.is_empty())
        .filter_map(|r| Some((r.owner.clone()?, r.confidence?, r.score >= 1.0)))
        .collect();
    if !closed {
        for s in scores {
            if let Some(x) = s.score {
                team_scores
                    .entry((s.team.clone(), period_text.to_string()))
                    .or_default()
                    .push(x);
            }
            for k in &s.key_results {
                if let (Some(o), Some(c), Some(x)) = (&k.owner, k.confidence, k.score) {
                    outcomes.push((o.clone(), c, x >= 1.0));
                }
            }
        }
    }
    for ((team, p), xs) in team_scores {
        let start =
            throughline_model::Period::parse(&p).map_or(chrono::NaiveDate::MIN, |p| p.start());
        history.push(throughline_progress::Scored {
            team,
            period_start: start,
            period: p,
            score: xs.iter().sum::<f64>() / xs.len() as f64,
        });
    }
    (history, outcomes)
}

/// The rows `--close` stores: one per scored objective and one per scored key result.
fn score_rows(
    objectives: &[ObjectiveStatus],
    scores: &[ObjectiveScore],
    period_text: &str,
) -> Vec<throughline_store::ScoreRow> {
    let mut rows = Vec::new();
    for (o, s) in objectives.iter().zip(scores) {
        let commitment = if s.committed {
            "committed"
        } else {
            "aspirational"
        };
        let team = s.team.clone();
        if let Some(x) = s.score {
            rows.push(throughline_store::ScoreRow {
                period: period_text.to_string(),
                team: team.clone(),
                objective: o.id.clone(),
                key_result: String::new(),
                commitment: commitment.into(),
                owner: o.owner.clone(),
                value: None,
                score: x,
                confidence: None,
            });
        }
        for k in &s.key_results {
            if let Some(x) = k.score {
                rows.push(throughline_store::ScoreRow {
                    period: period_text.to_string(),
                    team: team.clone(),
                    objective: o.id.clone(),
                    key_result: k.id.clone(),
                    commitment: commitment.into(),
                    owner: k.owner.clone(),
                    value: k.value,
                    score: x,
                    confidence: k.confidence,
                });
            }
        }
    }
    rows
}
