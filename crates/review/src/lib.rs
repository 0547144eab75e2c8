//! The weekly metrics review, free of I/O: what a product team reads every Monday, in the
//! agenda of the metrics review meeting (North Star check, key result progress, guardrail
//! check, experiment results, insights, decisions and next week's focus), and its Markdown and
//! HTML pages.
//!
//! The CLI and the server gather the inputs (metric series from the engine, check-ins and
//! decisions from the store, experiment analyses) into an [`Input`]; [`build`] turns them into
//! a [`Review`], whose every number says where it came from; [`markdown`] and [`html`] write it.
//! Gathering happens in two steps: [`movements`] tells which metrics moved beyond their normal
//! wobble, and only those are broken down by segment ([`Breakdown`]).

mod analysis;
mod build;
mod compare;
pub mod drivers;
mod format;
mod guardrails;
pub mod html;
pub mod markdown;
mod review;
mod sections;
mod segments;
pub mod svg;
mod text;
pub use sections::experiments::experiment_unit;
pub use text::one_line;
mod week;

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;
use throughline_experiment::Analysis;
use throughline_model::Workspace;
use throughline_progress::okr::{CheckInView, ObjectiveStatus};

pub use analysis::{
    AVERAGE_OF, Horizon, MIN_HISTORY, Movement, NOISE_HISTORY, NOISE_Z, movements, wobble,
};
pub use build::build;
pub use compare::Compare;
pub use guardrails::{Light, YELLOW_SHARE};
pub use segments::{Contribution, Driver, Explanation};
pub use week::Week;

/// One complete value of a metric over one period of its grain: the series type the OKR
/// arithmetic reads too.
pub use throughline_progress::Point;

/// A metric's values by one user dimension: segment → values, oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Breakdown {
    pub metric: String,
    pub dimension: String,
    pub segments: BTreeMap<String, Vec<Point>>,
}

/// An experiment and its analysis, or why it could not be analyzed.
#[derive(Clone, Debug)]
pub struct ExperimentInput {
    pub id: String,
    pub hypothesis: Option<String>,
    pub analysis: Result<Analysis, throughline_experiment::Unanalyzable>,
}

/// A decision recorded with `throughline decide`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecisionView {
    /// The local day it was recorded.
    pub day: NaiveDate,
    pub text: String,
    pub about: Option<String>,
    pub author: String,
}

/// Everything the review is built from.
pub struct Input<'a> {
    pub ws: &'a Workspace,
    /// The workspace's name.
    pub name: String,
    pub week: Week,
    /// The last day of event data.
    pub data_last: Option<NaiveDate>,
    /// Complete total values per metric at its report grain, oldest first. Funnels and
    /// lifecycles also have one series per step or status, keyed `metric#step` (the step's
    /// users; dormant users negative).
    pub series: HashMap<String, Vec<Point>>,
    /// Segment breakdowns of the metrics that moved (see [`movements`]).
    pub breakdowns: Vec<Breakdown>,
    /// The objectives of the week's period, as of the week's end.
    pub objectives: Vec<ObjectiveStatus>,
    pub experiments: Vec<ExperimentInput>,
    /// Every decision up to the week's end; the review lists the week's.
    pub decisions: Vec<DecisionView>,
    /// Every check-in up to the week's end.
    pub checkins: Vec<CheckInView>,
    /// The last day each event name was seen (`""` for any event).
    pub last_seen: BTreeMap<String, NaiveDate>,
    /// The earlier period the North Star's change is split from ("What moved it").
    pub compare: Compare,
}

pub use review::{
    ExperimentRow, GamingFlag, GuardrailRow, Insight, KrRow, Mover, Movers, NorthStar, Review,
    SegmentParts, Stale, TargetCheck, Trend,
};
