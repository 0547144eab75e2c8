//! `throughline demo`: writes the generated Flowboard demo workspace and its event data.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::out::print;
use crate::progress::Progress;

/// Write a generated demo: Flowboard, a workflow SaaS, with its metrics, OKRs, an
/// experiment and 25 weeks of event data as Parquet.
///
/// The data holds effects a review should find: from 2026-07-06 referral signups activate
/// far more often; signups from 2026-06-01 are in an onboarding-checklist experiment
/// (treatment activates more); from 2026-08-10 support tickets per active user double
/// (a guardrail regresses); weekends are quiet. The same --seed and --users give the same
/// files.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  throughline demo\n  throughline demo big-demo --users 1000000\n  throughline measure -w throughline-demo --metric activation_rate --by signup_source"
)]
pub struct Args {
    /// Folder to write the demo into.
    #[arg(default_value = "throughline-demo")]
    dir: PathBuf,
    /// Number of users (about 13 events each).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=50_000_000))]
    users: u64,
    /// Random seed.
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

pub fn run(args: Args) -> ExitCode {
    demo(&args.dir, args.users as usize, args.seed)
}

fn demo(dir: &Path, users: usize, seed: u64) -> ExitCode {
    let bar = Progress::new();
    bar.message("generating users and events");
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let opts = throughline_demo::Options { users, seed };
    let result =
        throughline_demo::generate(dir, opts, threads, &|done, total| bar.count(done, total));
    bar.finish();
    // the quarter's check-ins and decisions, as the built-in demo (`--demo`) has them
    let result = result.map_err(|e| e.to_string()).and_then(|summary| {
        let rt = crate::lifecycle::runtime().map_err(|_| "cannot start the runtime".to_string())?;
        rt.block_on(crate::demo_cache::seed_history(dir))
            .map_err(|e| format!("cannot store the demo's check-ins: {e}"))?;
        Ok(summary)
    });
    match result {
        Ok(summary) => {
            let shown = dir.display();
            print(&format!(
                "Wrote the Flowboard demo to {shown}: {} users, {} events in {} files, and the quarter's check-ins and decisions.\n\nNext steps:\n  throughline review -w {shown}\n  throughline status -w {shown}\n  throughline check {shown}\n  throughline measure -w {shown} --metric activation_rate --by signup_source\n",
                summary.users,
                summary.events,
                summary.files.len()
            ));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
