//! Engine errors: what went wrong, where (a definition's span or a source file), how to fix it.

use throughline_model::{Diagnostic, Span};

#[derive(Debug, Clone)]
pub struct EngineError {
    pub message: String,
    pub help: String,
    /// The definition the error is about, when there is one.
    pub span: Option<Span>,
    /// The metric cannot be segmented by the requested dimension (a `sql` query without it).
    pub unsegmentable: bool,
    /// The query engine's own error, in its words: a case throughline does not yet turn into
    /// a message of its own (a defect to report), never how bad input is meant to be told.
    pub internal: bool,
}

impl EngineError {
    pub fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        EngineError {
            message: message.into(),
            help: help.into(),
            span: None,
            unsegmentable: false,
            internal: false,
        }
    }
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }
    /// As a diagnostic with the code `measure-error`.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut d =
            Diagnostic::error("measure-error", self.message.clone()).help(self.help.clone());
        d.span = self.span;
        d
    }
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for EngineError {}

/// A query engine error, with what the engine was doing.
pub(crate) fn df(doing: &str, e: datafusion::error::DataFusionError) -> EngineError {
    let mut e = EngineError::new(
        format!("{doing}: {e}"),
        "check the source files and the metric definition; `throughline measure --explain METRIC` shows what is read",
    );
    e.internal = true;
    e
}
