//! `throughline status`: where every objective and key result stands, from the data and the
//! store, as the alignment tree or JSON.

use std::process::ExitCode;

use crate::args::{ListFormat, WorkspaceOrDemo};
use crate::{lifecycle, status_text as status};

/// Show where every objective and key result stands: the alignment tree company → team →
/// objective → key result with progress, pacing status, confidence and forecast.
///
/// Progress runs from the baseline (0%) to the target (100%), beyond 100% toward a
/// stretch target. Pacing compares it with the elapsed share of the period: at most 10
/// points behind is on track, at most 25 at risk, more is off track. The forecast fits a
/// line through the period's values (or the last 8 before it while the period has fewer
/// than 4) and gives an 80% band and the chance of reaching the target; a key result on
/// track by pacing whose trend is unlikely to get there is flagged "on track on paper".
/// The day seen from is today, or the day after the data ends if that is earlier.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  throughline status --demo\n  throughline status\n  throughline status --team growth --period 2026-Q3\n  throughline status --format json"
)]
pub struct Args {
    #[command(flatten)]
    workspace: WorkspaceOrDemo,
    /// Only this team's objectives.
    #[arg(long)]
    team: Option<String>,
    /// The period [default: the one containing the day seen from]
    #[arg(long)]
    period: Option<String>,
    /// See the quarter from this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
    #[command(flatten)]
    engine: crate::args::EngineArgs,
}

pub fn run(args: Args) -> ExitCode {
    crate::out::done(args.workspace.dir().and_then(|w| {
        show(
            &w,
            &args.engine.options(),
            args.team,
            args.period,
            args.as_of,
            args.format,
        )
    }))
}

fn show(
    dir: &std::path::Path,
    engine: &throughline_engine::EngineOptions,
    team: Option<String>,
    period: Option<String>,
    as_of: Option<String>,
    format: ListFormat,
) -> Result<(), lifecycle::Failed> {
    let period = lifecycle::parse_period(period)?;
    let as_of = crate::args::parse_day("as-of", as_of)
        .map_err(|e| lifecycle::fail(e, "for example --as-of 2026-08-17"))?;
    let (loaded, rt, snap) = lifecycle::compute(
        dir,
        engine,
        lifecycle::When::Current(period),
        team.as_deref(),
        as_of,
    )?;
    match format {
        ListFormat::Json => crate::out::print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "period": snap.period.to_string(),
                "as_of": snap.as_of,
                "data_through": snap.data_last,
                "objectives": snap.objectives,
            }))
            .expect("serializes")
        )),
        ListFormat::Human => {
            let expected = snap.objectives.first().map_or(0.0, |o| o.expected);
            let name = workspace_name(&loaded);
            let mut text = status::heading(
                "status",
                &name,
                &snap.period.to_string(),
                snap.as_of,
                expected,
                snap.data_last,
            );
            text.push_str(&status::tree(&snap.objectives));
            text.push_str(&status::summary(&snap.objectives));
            crate::out::print(&text);
        }
    }
    rt.block_on(snap.store.close());
    Ok(())
}

pub(crate) fn workspace_name(loaded: &throughline_model::Loaded) -> String {
    loaded
        .workspace
        .settings
        .name
        .as_ref()
        .map_or("workspace".into(), |n| n.value.clone())
}
