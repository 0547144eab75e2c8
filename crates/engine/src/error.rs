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
    /// A step ran out of the memory limit (a larger limit, or a cohort join in parts, may
    /// get past it).
    pub out_of_memory: bool,
}

impl EngineError {
    pub fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        EngineError {
            message: message.into(),
            help: help.into(),
            span: None,
            unsegmentable: false,
            internal: false,
            out_of_memory: false,
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

/// A query engine error, with what the engine was doing. Running out of the memory limit is
/// no defect and no bad input: it says so, and how to raise the limit.
pub(crate) fn df(doing: &str, e: datafusion::error::DataFusionError) -> EngineError {
    if let datafusion::error::DataFusionError::ResourcesExhausted(why) = e.find_root() {
        let mut out = EngineError::new(
            format!("{doing}: the memory limit is too small for this step ({why})"),
            MEMORY_HELP,
        );
        out.out_of_memory = true;
        return out;
    }
    let mut e = EngineError::new(
        format!("{doing}: {e}"),
        "check the source files and the metric definition; `throughline measure --explain METRIC` shows what is read",
    );
    e.internal = true;
    e
}

/// How to get past the memory limit, and why spilling did not.
const MEMORY_HELP: &str = "raise the limit with `--memory-limit 8GB` (or THROUGHLINE_MEMORY_LIMIT; the default is 2GB). Sorts and aggregations spill to disk, but a hash join holds one of its sides in memory; a cohort join (conversion, duration, funnel, retention) that does not fit is computed again in 8, then 64 parts by user, and `--join-parts N` (THROUGHLINE_JOIN_PARTS) splits it into more";

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::error::DataFusionError;

    #[test]
    fn running_out_of_the_memory_limit_says_how_to_raise_it() {
        let inner = DataFusionError::ResourcesExhausted(
            "Failed to allocate additional 458.2 MB for HashJoinInput[3]".into(),
        );
        let e = df(
            "computing `activation_rate`",
            DataFusionError::Context("joining".into(), Box::new(inner)),
        );
        assert!(!e.internal, "a memory limit is not a defect: {e:?}");
        assert!(
            e.out_of_memory,
            "told apart, so a cohort join can be split: {e:?}"
        );
        assert!(
            e.message
                .starts_with("computing `activation_rate`: the memory limit is too small"),
            "{}",
            e.message
        );
        assert!(e.message.contains("HashJoinInput[3]"), "{}", e.message);
        assert!(e.help.contains("--memory-limit"), "{}", e.help);
        // any other engine error keeps the general help and is marked internal
        let other = df("reading", DataFusionError::Plan("no such column".into()));
        assert!(other.internal);
        assert!(other.help.contains("--explain"));
    }
}
