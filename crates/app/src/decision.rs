//! Decisions: what a recorded decision may hold.

/// The longest decision, in characters: one sentence of what was decided.
pub const MAX_TEXT: usize = 1000;
