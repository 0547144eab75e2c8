//! `throughline experiment`: exposures and per-variant sums from the engine, statistics and the
//! decision from `throughline-experiment`, and their text.

use std::path::Path;

use throughline_experiment::{Analysis, analyze, format_p};
use throughline_model::{Experiment, Unit, Workspace};

use crate::args::{TableFormat, WorkspaceOrDemo};
use crate::lifecycle::{Failed, fail, load_workspace, runtime};

/// Analyze an A/B experiment: who saw which variant, each goal and guardrail metric per
/// variant from each user's exposure on, and a decision with its reason.
///
/// A user's first assignment event decides their variant; users seen in several variants
/// are left out and counted. Rates (conversion, retention, unique) are compared with a
/// two-proportion z-test, per-user counts, sums, averages, durations and NPS with Welch's
/// t-test; lifts come with 95% intervals (delta method for the relative lift). A sample
/// ratio mismatch (chi-square p < 0.001) makes the results untrustworthy. Counts and sums
/// use CUPED with the 28 days before exposure when that history explains the outcome.
/// `--sequential` gives always-valid p-values and intervals (mSPRT), safe to read every
/// day. The decision: ship, don't ship, keep running (with the days left to reach the
/// sample the minimum detectable effect needs), guardrail harmed, or not trustworthy.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  throughline experiment --demo\n  throughline experiment\n  throughline experiment onboarding-checklist --format json\n  throughline experiment onboarding-checklist --sequential"
)]
pub struct Args {
    /// The experiment id [default: every experiment]
    id: Option<String>,
    /// Always-valid (mSPRT) p-values and intervals.
    #[arg(long)]
    sequential: bool,
    /// Output format (`table` or `json`).
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    format: TableFormat,
    #[command(flatten)]
    workspace: WorkspaceOrDemo,
    #[command(flatten)]
    engine: crate::args::EngineArgs,
}

pub fn run(args: Args) -> std::process::ExitCode {
    crate::out::done(args.workspace.dir().and_then(|w| {
        experiment(
            &w,
            &args.engine.options(),
            args.id,
            args.sequential,
            args.format,
        )
    }))
}

/// Analyzes one experiment (or every one) and prints the result.
// Long because it is one command from start to end: choose the experiments, measure them with
// one engine, analyze, print; each step is short.
fn experiment(
    dir: &Path,
    engine: &throughline_engine::EngineOptions,
    id: Option<String>,
    sequential: bool,
    format: TableFormat,
) -> Result<(), Failed> {
    let loaded = load_workspace(dir, true)?;
    let ws = &loaded.workspace;
    let chosen: Vec<&Experiment> = match &id {
        Some(id) => {
            let e = ws
                .experiments
                .iter()
                .find(|e| e.id.value == *id)
                .ok_or_else(|| {
                    let ids = ws.experiments.iter().map(|e| e.id.value.as_str());
                    let hint = throughline_model::did_you_mean(id, ids)
                        .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
                    fail(
                        format!("no experiment `{id}` in the workspace{hint}"),
                        "`throughline experiment` without an id analyzes every experiment",
                    )
                })?;
            vec![e]
        }
        None => ws.experiments.iter().collect(),
    };
    if chosen.is_empty() {
        return Err(fail(
            "the workspace defines no experiments",
            "add `experiments:` with an id, an `assignment:` and `goal_metrics:` (see DESIGN.md)",
        ));
    }
    let rt = runtime()?;
    let bar = crate::progress::Progress::new();
    let result = rt.block_on(async {
        bar.opening();
        let engine = throughline_app::Session::new(ws, dir, engine.clone())
            .engine()
            .await?;
        for w in engine.warnings() {
            bar.println(&format!("warning: {w}"));
        }
        let mut out = Vec::new();
        for (i, e) in chosen.iter().enumerate() {
            bar.update(throughline_engine::Progress::Metric {
                id: &e.id.value,
                done: i,
                total: chosen.len(),
            });
            let data = engine.experiment(e).await?;
            let end = engine
                .data_days()
                .map(|(_, last)| last + chrono::Duration::days(1));
            out.push((*e, data, end));
        }
        Ok::<_, throughline_engine::EngineError>(out)
    });
    bar.finish();
    let computed = result.map_err(|e| {
        crate::out::report_errors(&[e.to_diagnostic()], &loaded.sources);
        Failed(2)
    })?;
    let mut analyses = Vec::new();
    for (e, data, end) in computed {
        let input = throughline_app::experiment::input(ws, e, &data, end, sequential);
        let a = analyze(&input).map_err(|msg| {
            fail(
                msg,
                "check the experiment's `assignment:` (event, property, control) against the data",
            )
        })?;
        analyses.push((e, a));
    }
    match format {
        TableFormat::Json => crate::out::print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&analyses.iter().map(|(_, a)| a).collect::<Vec<_>>())
                .expect("serializes")
        )),
        _ => {
            let text: Vec<String> = analyses.iter().map(|(e, a)| human(ws, e, a)).collect();
            crate::out::print(&text.join("\n"));
        }
    }
    Ok(())
}

/// The result for people: the decision first, then a table per metric.
// Long because it is one text template, section by section (exposure, sample ratio, each
// metric, decision), read top to bottom like the output.
fn human(ws: &Workspace, e: &Experiment, a: &Analysis) -> String {
    let mut s = a.experiment.clone();
    if let Some(h) = &e.hypothesis {
        s.push_str(&format!(" — {}", h.value));
    }
    s.push('\n');
    s.push_str(&format!(
        "decision: {} — {}\n",
        a.decision.label(),
        a.reason
    ));
    let arms: Vec<String> = a
        .arms
        .iter()
        .map(|(v, n)| format!("{v} {}", Unit::Count.format(*n as f64)))
        .collect();
    s.push_str(&format!(
        "users: {} (sample ratio p = {}) · {} seen in several variants, excluded · {:.0} days of data\n",
        arms.join(" · "),
        format_p(a.srm_p_value),
        a.excluded_multiple_variants,
        a.days_running
    ));
    let mut rows = vec![[
        "metric".to_string(),
        "variant".into(),
        "users".into(),
        "value".into(),
        "lift".into(),
        "95% CI".into(),
        "p".into(),
    ]];
    for m in &a.metrics {
        let unit = throughline_review::experiment_unit(ws, &m.metric, m.test);
        let show = |v: f64| unit.format(v);
        let delta = |v: f64| unit.delta(v);
        let role = if m.guardrail { "guardrail" } else { "goal" };
        for (i, v) in m.variants.iter().enumerate() {
            let name = if i == 0 {
                format!("{} ({role})", m.metric)
            } else {
                String::new()
            };
            let lift = match (v.lift, v.lift_relative) {
                (Some(l), Some(r)) => format!("{} ({})", delta(l), Unit::relative(r)),
                _ => String::new(),
            };
            let ci = match (v.ci_low, v.ci_high) {
                (Some(lo), Some(hi)) => format!("{} to {}", delta(lo), delta(hi)),
                _ => String::new(),
            };
            rows.push([
                name,
                v.variant.clone(),
                Unit::Count.format(v.users),
                show(v.value),
                lift,
                ci,
                v.p_value.map(format_p).unwrap_or_default(),
            ]);
        }
        if let Some((theta, rho2)) = m.cuped {
            rows.push([
                String::new(),
                format!("CUPED θ = {theta:.3}, variance −{:.0}%", rho2 * 100.0),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
    }
    let widths: Vec<usize> = (0..7)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    s.push('\n');
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let pad = widths[c] - cell.chars().count();
                if (2..=3).contains(&c) {
                    format!("{}{cell}", " ".repeat(pad))
                } else {
                    format!("{cell}{}", " ".repeat(pad))
                }
            })
            .collect();
        s.push_str(line.join("  ").trim_end());
        s.push('\n');
    }
    if let Some(goal) = a.metrics.iter().find(|m| !m.guardrail)
        && let (Some(n), Some(mde)) = (goal.needed_per_arm, &e.minimum_detectable_effect)
    {
        s.push_str(&format!(
            "\nTo detect a {}% change in `{}` with 80% power: {} users per arm.\n",
            mde.value,
            goal.metric,
            if n.is_finite() {
                Unit::Count.format(n.ceil())
            } else {
                "more than can be reached".into()
            }
        ));
    }
    if a.metrics.iter().any(|m| m.sequential) {
        s.push_str("p-values and intervals are always-valid (mSPRT): safe to read every day.\n");
    }
    s
}
