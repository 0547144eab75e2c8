//! Findings and errors as values: a code, a severity, a place, a message and a fix.

use crate::source::Span;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Informational; never fails a run.
    Note,
    /// Worth fixing; `check` still exits 0.
    Warning,
    /// Must be fixed; `check` exits 1.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "note" | "info" => Some(Severity::Note),
            "warning" | "warn" => Some(Severity::Warning),
            "error" | "deny" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Codes of diagnostics that mean the input could not be read or understood.
/// They make `check` exit with code 2, and rules are not run while any is present.
pub const INPUT_ERROR_CODES: &[&str] = &[
    "unreadable-file",
    "yaml-syntax",
    "invalid-type",
    "invalid-value",
    "unknown-key",
    "missing-key",
    "no-objectives",
    "empty-file",
];

/// One diagnostic: an input error from the model or a rule's finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Stable kebab-case id: a rule id (`output-key-result`) or an input error code (`unknown-key`).
    pub code: String,
    pub severity: Severity,
    /// Where it is; `None` only for problems that have no place (a missing folder).
    pub span: Option<Span>,
    /// File name when there is no span but the problem belongs to a file.
    pub file_name: Option<String>,
    /// One line saying what is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// A short label shown under the caret.
    pub label: Option<String>,
}

impl Diagnostic {
    pub fn new(code: impl Into<String>, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.into(),
            severity,
            span: None,
            file_name: None,
            message: message.into(),
            help: None,
            label: None,
        }
    }
    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, message)
    }
    pub fn warning(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, message)
    }
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }
    pub fn in_file(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
    /// Whether this diagnostic means the input could not be read (exit code 2).
    pub fn is_input_error(&self) -> bool {
        INPUT_ERROR_CODES.contains(&self.code.as_str())
    }
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase().replace('-', "_");
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.replace('-', "_")), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["supports", "segments", "targets", "owner"];
        assert_eq!(did_you_mean("suports", keys), Some("supports"));
        assert_eq!(did_you_mean("Owner", keys), Some("owner"));
        assert_eq!(did_you_mean("colour", keys), None);
    }
}
