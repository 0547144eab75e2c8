//! Writing to the terminal: results on stdout (a closed pipe is not an error), diagnostics
//! on stderr, and the exit code of a command that failed after explaining why.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use throughline_model::Diagnostic;
use throughline_report::{HumanOptions, render_human};

pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    // a closed pipe (`| head`) is not an error worth a panic
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// The exit code of a command's result.
pub fn done(r: Result<(), Failed>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failed(code)) => ExitCode::from(code),
    }
}

/// Prints diagnostics for a person, on stderr.
pub fn report_errors(diags: &[Diagnostic], sources: &throughline_model::SourceMap) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    eprint!(
        "{}",
        render_human(diags, sources, HumanOptions { color, width: 0 })
    );
}

/// A failure, already explained to the user; the exit code to return.
pub struct Failed(pub u8);

/// Prints `error: …` and `help: …` and fails with exit code 2.
pub fn fail(message: impl std::fmt::Display, help: impl std::fmt::Display) -> Failed {
    eprintln!("error: {message}\nhelp: {help}");
    Failed(2)
}
