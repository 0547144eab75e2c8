//! throughline's workspace model: YAML and Markdown files parsed into typed definitions
//! (metrics, objectives, key results, experiments, settings) that keep the source location of
//! every field, validated across files.
//!
//! Data flows one way: files → [`load_paths`] / [`Loader`] → [`Workspace`] + [`Diagnostic`]s.
//! Nothing here queries data; the rules live in `throughline-check`.

mod compute;
mod decode;
pub mod defs;
pub mod diagnostic;
pub mod expr;
pub mod filter;
mod from_yaml;
mod load;
pub mod markdown;
pub mod notify;
pub mod source;
mod validate;
pub mod values;
pub mod yaml;

/// What `throughline explain sources` prints: every key of a source, with a working block
/// for each format.
pub fn sources_explanation() -> &'static str {
    include_str!("from_yaml/sources.md")
}

pub use compute::{Combines, Composition, Reach, Steps};
pub use defs::*;
pub use diagnostic::{Diagnostic, INPUT_ERROR_CODES, Severity, did_you_mean};
pub use load::{Loaded, Loader, MAX_FILE_BYTES, load_paths};
pub use source::{FileId, SourceFile, SourceMap, Span, Spanned};
pub use validate::resolve_objective;
pub use values::{Period, PeriodLength, Quantity, QuantityUnit, Unit, ValueError};
