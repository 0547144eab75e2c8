//! `throughline import PAGE.md`: a Markdown OKR page written as workspace YAML, for a team
//! that moves to the workspace format.

use std::path::PathBuf;
use std::process::ExitCode;

use throughline_model::markdown::{KnownMetric, to_yaml};
use throughline_model::{Diagnostic, Severity, load_paths};

use crate::out::{print, report_errors};

/// Write a Markdown OKR page as workspace YAML (`objectives:`).
///
/// The page is read as `throughline check` reads it (`--explain-read` there shows how). Each
/// key result gets `metric:` when the page names one (`metric: activation_rate`) or when a
/// metric of the workspace is named in its title or measurement; the others become
/// `manual:` key results whose values come from check-ins. What YAML has no field for (a
/// guardrail in words, a date-range period) is kept as a comment. A page whose reading is
/// doubtful (`uncertain-reading`) is not imported: fix the page first.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  throughline import q3-okrs.md                       # YAML on standard output\n  throughline import q3-okrs.md -w my-okrs --out my-okrs/okrs.yaml\n  throughline check my-okrs                            # then check the workspace"
)]
pub struct Args {
    /// The Markdown page (`.md`, `.mdx`).
    page: PathBuf,
    /// The workspace whose metrics the key results are matched to (the folder with
    /// throughline.yaml).
    #[arg(short, long, value_name = "DIR")]
    workspace: Option<PathBuf>,
    /// Write the YAML to this file instead of standard output (an existing file is not
    /// overwritten).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    let page = load_paths(std::slice::from_ref(&args.page));
    let errors: Vec<Diagnostic> = page
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    if !errors.is_empty() {
        report_errors(&errors, &page.sources);
        eprintln!(
            "not imported: fix the page first (`throughline check {} --explain-read` shows how it was read)",
            args.page.display()
        );
        return ExitCode::from(if errors.iter().any(Diagnostic::is_input_error) {
            2
        } else {
            1
        });
    }
    let objectives: Vec<_> = page
        .workspace
        .objectives
        .iter()
        .filter(|o| o.origin == throughline_model::Origin::Markdown)
        .cloned()
        .collect();
    let ws = args
        .workspace
        .as_ref()
        .map(|w| load_paths(std::slice::from_ref(w)));
    let metrics: Vec<KnownMetric> = ws
        .as_ref()
        .map(|w| {
            w.workspace
                .metrics
                .iter()
                .map(|m| KnownMetric {
                    id: &m.id.value,
                    name: m.name.as_ref().map_or("", |n| n.value.as_str()),
                })
                .collect()
        })
        .unwrap_or_default();
    let yaml = to_yaml(&objectives, &metrics, &args.page.display().to_string());
    match &args.out {
        None => print(&yaml),
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path);
            let written = file.and_then(|mut f| std::io::Write::write_all(&mut f, yaml.as_bytes()));
            if let Err(e) = written {
                eprintln!(
                    "error: cannot write {}: {e}\nhelp: give a new file's path (an existing file is not overwritten)",
                    path.display()
                );
                return ExitCode::from(2);
            }
            let krs: usize = objectives.iter().map(|o| o.key_results.len()).sum();
            eprintln!(
                "wrote {} objective{} and {krs} key result{} to {}",
                objectives.len(),
                if objectives.len() == 1 { "" } else { "s" },
                if krs == 1 { "" } else { "s" },
                path.display()
            );
        }
    }
    ExitCode::SUCCESS
}
