//! `throughline explain RULE`: what a rule flags, why that is bad, an example and what to
//! write instead; `explain markdown` shows the Markdown OKR page shapes that are read,
//! `explain sources` every key of a data source.

use std::process::ExitCode;

use crate::out::print;

/// Explain a rule: what it flags, why that is bad, an example and what to write instead.
/// `throughline explain markdown` shows the Markdown OKR page shapes that are read;
/// `throughline explain sources` how to point a workspace at your events (every key of a
/// source, with a block for Parquet, CSV, JSON lines and PostgreSQL).
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  throughline explain kpi-as-key-result\n  throughline explain markdown\n  throughline explain sources"
)]
pub struct Args {
    /// The rule id, e.g. `output-key-result` (`throughline rules` lists them), or a topic:
    /// `markdown`, `sources`.
    rule: String,
}

pub fn run(args: Args) -> ExitCode {
    explain(&args.rule)
}

fn explain(id: &str) -> ExitCode {
    if matches!(id, "sources" | "source" | "data") {
        print(throughline_model::sources_explanation());
        return ExitCode::SUCCESS;
    }
    if matches!(
        id,
        "markdown"
            | "no-objectives"
            | "markdown-unread"
            | "uncertain-reading"
            | "objectives-only"
            | "shared-key-results"
    ) {
        print(&format!("{}\n", throughline_model::markdown::explanation()));
        return ExitCode::SUCCESS;
    }
    match throughline_check::rule(id) {
        Some(rule) => {
            let m = rule.meta();
            print(&format!(
                "{} (default severity: {})\n\n{}\n",
                m.id,
                m.severity,
                m.explanation()
            ));
            ExitCode::SUCCESS
        }
        None => {
            let ids = throughline_check::rules::ALL.iter().map(|r| r.meta().id);
            let hint = match throughline_model::did_you_mean(id, ids) {
                Some(s) => format!("did you mean `{s}`? "),
                None => String::new(),
            };
            eprintln!(
                "error: `{id}` is not a rule this version can explain\nhelp: {hint}`throughline rules` lists every rule id; `throughline explain markdown` shows the Markdown shapes that are read, `throughline explain sources` the keys of a data source"
            );
            ExitCode::from(2)
        }
    }
}
