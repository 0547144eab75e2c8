//! The progress bar of long commands (measure, review, serve, demo): on stderr when it is a
//! terminal, silent when piped.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar on stderr when it is a terminal; silent when piped.
pub struct Progress(ProgressBar);

impl Progress {
    pub fn new() -> Progress {
        let bar = if std::io::stderr().is_terminal() {
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed:>4} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress(bar)
    }
    pub fn message(&self, m: &str) {
        self.0.set_message(m.to_string());
    }
    pub fn count(&self, done: usize, total: usize) {
        self.0.set_length(total as u64);
        self.0.set_position(done as u64);
    }
    pub fn opening(&self) {
        self.0.set_message("opening the sources");
    }
    pub fn println(&self, line: &str) {
        self.0.suspend(|| eprintln!("{line}"));
    }
    pub fn update(&self, p: throughline_engine::Progress<'_>) {
        match p {
            throughline_engine::Progress::Reading => self.0.set_message("rolling up activity"),
            throughline_engine::Progress::Metric { id, done, total } => {
                self.0.set_length(total as u64);
                self.0.set_position(done as u64);
                self.0.set_message(id.to_string());
            }
            throughline_engine::Progress::Skipped { id, reason } => {
                self.println(&format!("warning: `{id}` left out: {reason}"))
            }
            throughline_engine::Progress::InParts { id, parts } => self.println(&format!(
                "note: `{id}`: its cohort join did not fit in the memory limit; computing it again in {parts} parts by user (slower; `--join-parts {parts}` starts there, a larger `--memory-limit` avoids it)"
            )),
        }
    }
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}
