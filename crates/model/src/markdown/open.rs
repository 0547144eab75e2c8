//! An objective while the shape reader reads it: the objective so far and what the lines
//! after its title are (key results, initiatives, details). Its own module so that the table
//! and section readers can hold one without the objective reader.

use super::labels::Section;
use crate::defs::Objective;

/// An objective being read.
pub(super) struct Open {
    pub o: Objective,
    pub body: Body,
    /// Opened by a heading (so a bold line under it is a key result, not the next objective).
    pub from_heading: bool,
}

#[derive(Default)]
pub(super) struct Body {
    /// What the lines being read are: key results, initiatives or guardrails.
    pub mode: Option<Section>,
    /// The paragraph before ended with `:` (`We're building tools to:`): the list after it
    /// explains the paragraph, it is not key results.
    pub lead_in: bool,
    /// The last key result was a bold line: the list after it holds its details.
    pub kr_group: bool,
}
