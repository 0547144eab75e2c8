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

use crate::{ColorChoice, Format, lifecycle, print};

pub fn run(
    paths: Vec<PathBuf>,
    format: Format,
    color: ColorChoice,
    with_data: bool,
    explain_read: bool,
) -> ExitCode {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let loaded = load_paths(&paths);
    let data = if with_data && !loaded.has_input_errors() {
        match lifecycle::check_data_facts(&loaded, &paths) {
            Ok(d) => Some(d),
            Err(lifecycle::Failed(code)) => return ExitCode::from(code),
        }
    } else {
        None
    };
    let mut diags: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| loaded.in_focus(d))
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
