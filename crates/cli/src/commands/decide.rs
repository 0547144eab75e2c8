//! `throughline decide`: a decision taken in a review, recorded in the store for the weekly
//! review's decision log.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use throughline_app::find_key_result;

use crate::lifecycle::{Failed, fail, load_workspace, open_store, runtime};

/// Record a decision taken in a review, optionally about a metric, objective or key
/// result; the weekly review lists the week's decisions.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  throughline decide \"Roll the onboarding checklist out to everyone\" --about activation"
)]
pub struct Args {
    /// The decision, in one sentence.
    text: String,
    /// The metric, objective or key result it is about.
    #[arg(long)]
    about: Option<String>,
    /// Who decided [default: $THROUGHLINE_AUTHOR, else $USER]
    #[arg(long)]
    author: Option<String>,
    /// The workspace folder.
    #[arg(long, short = 'w', default_value = ".")]
    workspace: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    let author = crate::args::author(args.author);
    crate::out::done(decide(&args.workspace, &args.text, args.about, author))
}

/// `throughline decide`.
fn decide(dir: &Path, text: &str, about: Option<String>, author: String) -> Result<(), Failed> {
    if text.trim().is_empty() {
        return Err(fail(
            "the decision is empty",
            "write it in one sentence: `throughline decide \"Roll the checklist out to everyone\"`",
        ));
    }
    let loaded = load_workspace(dir, true)?;
    if let Some(a) = &about {
        let ws = &loaded.workspace;
        let known = ws.metric(a).is_some()
            || ws
                .objectives
                .iter()
                .any(|o| o.id.value == *a || o.path() == *a)
            || find_key_result(ws, a).is_ok();
        if !known {
            return Err(fail(
                format!("--about `{a}` is not a metric, objective or key result of the workspace"),
                "name a metric id, an objective id or a key result (`KR` or `OBJECTIVE/KR`)",
            ));
        }
    }
    let rt = runtime()?;
    rt.block_on(async {
        let store = open_store(&loaded, dir).await?;
        let d = store
            .record_decision(text.trim(), about.as_deref(), &author)
            .await
            .map_err(|e| fail(&e, e.help()))?;
        crate::out::print(&format!(
            "recorded decision {} in {}\n",
            d.id,
            store.location()
        ));
        Ok(())
    })
}
