//! `throughline rules`: every rule with its default severity and summary.

use std::process::ExitCode;

use crate::args::ListFormat;
use crate::out::print;

/// List every rule with its default severity.
#[derive(clap::Args)]
pub struct Args {
    /// Output format (`json` gives id, severity and summary).
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
}

pub fn run(args: Args) -> ExitCode {
    rules(args.format)
}

fn rules(format: ListFormat) -> ExitCode {
    let all = throughline_check::rules::ALL;
    match format {
        ListFormat::Json => {
            let rows: Vec<serde_json::Value> = all
                .iter()
                .map(|r| {
                    let m = r.meta();
                    serde_json::json!({ "id": m.id, "severity": m.severity.as_str(), "summary": m.summary })
                })
                .collect();
            print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&rows).expect("serializes")
            ));
        }
        ListFormat::Human => {
            let width = all.iter().map(|r| r.meta().id.len()).max().unwrap_or(0);
            let mut text = String::new();
            for r in all {
                let m = r.meta();
                text.push_str(&format!(
                    "{:<width$}  {:<7}  {}\n",
                    m.id,
                    m.severity.as_str(),
                    m.summary
                ));
            }
            text.push_str(
                "\n`throughline explain RULE` tells why a rule exists and what to write instead.\n",
            );
            print(&text);
        }
    }
    ExitCode::SUCCESS
}
