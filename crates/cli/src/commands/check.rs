//! `throughline check`: the rules over the workspace or the given files, with the findings
//! for people, as JSON or as SARIF, and (`--explain-read`) what each line of a Markdown page
//! was read as.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use throughline_model::{Diagnostic, Severity, load_paths};
use throughline_report::{
    HumanOptions, render_human, render_json, render_reading, render_sarif, summary_line,
};

use crate::lifecycle;
use crate::out::print;

/// Check objectives, key results and metric definitions against the rules.
///
/// Exit code 0: no problems, or warnings only. 1: errors found. 2: input that could not
/// be read (a YAML syntax error, a wrong type, an unknown field), with the file, line and
/// column of the problem.
///
/// Silence a finding on one line with a comment on that line or alone on the line above:
/// `# throughline: allow(missing-baseline)` in YAML, `<!-- throughline: allow(rule-id) -->`
/// in Markdown. Turn rules off or change their severity for the whole workspace under
/// `checks:` in throughline.yaml.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  throughline check                     the workspace in this folder\n  throughline check okrs/ --format json\n  throughline check q3-okrs.md --format sarif > results.sarif\n  throughline check handbook/okrs.md --explain-read   what each line was read as"
)]
pub struct Args {
    /// Workspace folders (with throughline.yaml) or single .yaml/.md files [default: .]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// When to color the human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Also run the rules that read the metric data (`baseline-mismatch`,
    /// `unambitious-target`); needs a workspace folder with `sources:`.
    #[arg(long)]
    with_data: bool,
    /// Before the findings, show what each part of every Markdown page was read as:
    /// the period, team and owners, each objective and key result with its line, and
    /// what was passed over (`throughline explain markdown` lists the shapes read).
    #[arg(long)]
    explain_read: bool,
    #[command(flatten)]
    engine: crate::args::EngineArgs,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Compiler-style: the source snippet, a caret and a help line.
    Human,
    /// One JSON array of {rule, severity, file, line, column, message, help}.
    Json,
    /// SARIF 2.1.0, for code scanning in CI.
    Sarif,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub fn run(args: Args) -> ExitCode {
    let Args {
        paths,
        format,
        color,
        with_data,
        explain_read,
        engine,
    } = args;
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let loaded = load_paths(&paths);
    let data = if with_data && !loaded.has_input_errors() {
        match lifecycle::check_data_facts(&loaded, &paths, &engine.options()) {
            Ok(d) => Some(d),
            Err(lifecycle::Failed(code)) => return ExitCode::from(code),
        }
    } else {
        None
    };
    // the Markdown reader's findings come with the rules' (configurable like them)
    let mut diags: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| loaded.in_focus(d) && !throughline_check::is_reader_code(&d.code))
        .cloned()
        .collect();
    let input_errors = loaded.has_input_errors();
    if !input_errors {
        diags.extend(throughline_check::run_with_data(&loaded, data.as_ref()));
    }
    throughline_check::sort(&mut diags);
    if explain_read {
        print(&render_reading(&loaded));
    }
    let files = loaded.sources.files().count() - loaded.context.len();
    match format {
        Format::Json => print(&render_json(&diags, &loaded.sources)),
        Format::Sarif => print(&render_sarif(&diags, &loaded.sources)),
        Format::Human => {
            let color = match color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            let mut text = render_human(&diags, &loaded.sources, HumanOptions { color, width: 0 });
            text.push_str(&summary_line(&diags, files));
            text.push('\n');
            if input_errors || diags.iter().any(Diagnostic::is_input_error) {
                text.push_str("the rules were not run: fix the input errors above first\n");
            }
            print(&text);
        }
    }
    if input_errors || diags.iter().any(Diagnostic::is_input_error) {
        ExitCode::from(2)
    } else if diags.iter().any(|d| d.severity == Severity::Error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
