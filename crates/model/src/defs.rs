//! The typed definitions of a workspace. Every field keeps the span it was read from.

use std::collections::BTreeMap;

use crate::source::{Span, Spanned};
use crate::values::{Period, PeriodLength, Quantity, Unit};

pub use crate::source::Text;

/// Everything read from a workspace (or from the files given on the command line).
/// A `duration` metric's window when it names none: 30 days (seconds).
pub const DURATION_WINDOW_DEFAULT: i64 = 30 * 86_400;

#[derive(Clone, Debug, Default)]
pub struct Workspace {
    pub settings: Settings,
    pub metrics: Vec<Metric>,
    pub objectives: Vec<Objective>,
    pub experiments: Vec<Experiment>,
    /// Who the owners named in the OKRs are (`people:` lists).
    pub people: Vec<crate::notify::Person>,
}

impl Workspace {
    pub fn metric(&self, id: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.id.value == id)
    }
    pub fn key_results(&self) -> impl Iterator<Item = (&Objective, &KeyResult)> {
        self.objectives
            .iter()
            .flat_map(|o| o.key_results.iter().map(move |k| (o, k)))
    }
}

/// `throughline.yaml`'s own settings.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub name: Option<Text>,
    /// IANA zone name; all periods and windows are computed in it.
    pub timezone: Option<Spanned<chrono_tz::Tz>>,
    pub week_starts: Option<Spanned<chrono::Weekday>>,
    pub store: Option<Text>,
    /// `cluster: df://HOST:PORT`: the Apache Ballista scheduler the plans run on.
    pub cluster: Option<Text>,
    pub sources: BTreeMap<String, Source>,
    /// Per-rule configuration from `checks:`.
    pub checks: Vec<CheckSetting>,
    /// `pages:`: the Markdown OKR pages that belong to the workspace (paths or globs such as
    /// `okrs/*.md`, relative to it); their objectives are checked, measured and reviewed
    /// with the YAML ones.
    pub pages: Vec<Text>,
    /// `notify:`: channels and rules for reminders, digests and alerts.
    pub notify: Option<crate::notify::Notify>,
}

impl Settings {
    /// The workspace's time zone: `timezone:`, else UTC.
    pub fn zone(&self) -> chrono_tz::Tz {
        self.timezone.as_ref().map_or(chrono_tz::UTC, |t| t.value)
    }

    /// The first day of its weeks: `week_starts:`, else Monday.
    pub fn week_start(&self) -> chrono::Weekday {
        self.week_starts
            .as_ref()
            .map_or(chrono::Weekday::Mon, |w| w.value)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    Parquet,
    Csv,
    Jsonl,
    Postgres,
}

impl SourceFormat {
    /// Every format with its name in `format:`.
    pub const ALL: [(&'static str, SourceFormat); 4] = [
        ("parquet", SourceFormat::Parquet),
        ("csv", SourceFormat::Csv),
        ("jsonl", SourceFormat::Jsonl),
        ("postgres", SourceFormat::Postgres),
    ];

    /// Its name in `format:`.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("parquet", |(n, _)| n)
    }
}

/// A table of event or user data.
#[derive(Clone)]
pub struct Source {
    pub name: Text,
    pub format: Spanned<SourceFormat>,
    pub path: Option<Text>,
    /// `format: postgres`: the table (`name` or `schema.name`) …
    pub table: Option<Text>,
    /// … or a `SELECT` whose result is the source.
    pub query: Option<Text>,
    /// `format: postgres`: the environment variable holding the `postgres://…` address …
    pub url_env: Option<Text>,
    /// … or the address itself (`check` warns: it is a secret in the repository).
    pub url: Option<Text>,
    pub columns: SourceColumns,
    pub dimensions: Vec<Text>,
    /// `faulty_rows:` what to do with rows without a user or at an implausible time: count
    /// them in a warning and leave them out (the default), or refuse the source.
    pub faulty_rows: Option<Spanned<FaultyRows>>,
    /// `format: postgres`, the events: a column every new row has a higher value in (a load
    /// time, an increasing id), so that a refresh reads only the rows written since the last
    /// run. It decides no value.
    pub watermark: Option<Text>,
    pub span: Span,
}

// By hand, to leave `watermark` out: the text is hashed into every definition's hash
// (`Workspace::definition_hash`), and how a refresh finds new rows decides no value (the
// refresh's cache key names it itself).
impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("name", &self.name)
            .field("format", &self.format)
            .field("path", &self.path)
            .field("table", &self.table)
            .field("query", &self.query)
            .field("url_env", &self.url_env)
            .field("url", &self.url)
            .field("columns", &self.columns)
            .field("dimensions", &self.dimensions)
            .field("faulty_rows", &self.faulty_rows)
            .field("span", &self.span)
            .finish()
    }
}

/// What a source does with rows it cannot place (no user, an implausible time).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FaultyRows {
    /// Leave them out of every metric and say how many, in which files (the default).
    #[default]
    Count,
    /// Refuse the source: no number is computed while such rows exist.
    Refuse,
}

impl FaultyRows {
    /// Every choice with its name in `faulty_rows:`.
    pub const ALL: [(&'static str, FaultyRows); 2] =
        [("count", FaultyRows::Count), ("refuse", FaultyRows::Refuse)];
}

#[derive(Clone, Debug, Default)]
pub struct SourceColumns {
    pub user: Option<Text>,
    pub time: Option<Text>,
    pub name: Option<Text>,
    /// The zone of times written without an offset; the workspace's `timezone` without it.
    pub time_zone: Option<Spanned<chrono_tz::Tz>>,
}

/// `checks: { rule-id: off | note | warning | error }` or `{ severity: …, min: …, max: … }`.
#[derive(Clone, Debug)]
pub struct CheckSetting {
    pub rule: Text,
    /// `None` means `off`.
    pub level: Option<crate::Severity>,
    pub level_set: bool,
    pub min: Option<Spanned<u32>>,
    pub max: Option<Spanned<u32>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricRole {
    NorthStar,
    Input,
    Guardrail,
    Kpi,
}

/// How a metric enters its parent's formula in the metric tree (`drives: { as: … }`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DriveAs {
    /// The parent is the product of its factors (a percent factor as a share: 40% is 0.4).
    Factor,
    /// The parent is the sum of its terms.
    Term,
}

/// A formula edge of the metric tree: this metric is a factor or a term of `metric`.
#[derive(Clone, Debug)]
pub struct Drives {
    pub metric: Text,
    pub as_: Spanned<DriveAs>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    Leading,
    Lagging,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grain {
    Day,
    Week,
    Month,
    Quarter,
}

impl Grain {
    pub const ALL: [Grain; 4] = [Grain::Day, Grain::Week, Grain::Month, Grain::Quarter];

    /// The grain named `name` (see [`Grain::as_str`]).
    pub fn named(name: &str) -> Option<Grain> {
        Grain::ALL.into_iter().find(|g| g.as_str() == name)
    }

    /// `day`, `week`, `month` or `quarter`.
    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
        }
    }
}

/// How a funnel's steps must follow each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunnelOrder {
    /// Each step at or after the one before it (other events may come between).
    Ordered,
    /// As `ordered`, and no other event of the user strictly between two steps.
    Strict,
    /// The steps in any order, all within the window from entry.
    Any,
}

impl FunnelOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            FunnelOrder::Ordered => "ordered",
            FunnelOrder::Strict => "strict",
            FunnelOrder::Any => "any",
        }
    }
}

/// The statuses of `lifecycle`, in the order its rows report them.
pub const LIFECYCLE_STATUSES: [&str; 4] = ["new", "returning", "resurrected", "dormant"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stat {
    Median,
    P90,
    Mean,
}

/// A parsed `where:` filter and the text it was read from.
#[derive(Clone, Debug)]
pub struct Where {
    pub text: Text,
    pub filter: crate::filter::Filter,
}

pub use crate::compute::{Compute, Running};

/// Where a cohort metric (conversion, retention, duration) starts each user: at their signup
/// (the users source's time) or at their first event of a name.
#[derive(Clone, Debug, PartialEq)]
pub enum Start {
    /// `from: signup`: the users source's time.
    Signup(Span),
    /// `from: EVENT`; `from: { event: signup }` for an event that is called `signup`.
    Event(Text),
}

impl Start {
    /// The event it starts at; `None` for the signup.
    pub fn event(&self) -> Option<&Text> {
        match self {
            Start::Signup(_) => None,
            Start::Event(e) => Some(e),
        }
    }

    /// Where it is written.
    pub fn span(&self) -> Span {
        match self {
            Start::Signup(s) => *s,
            Start::Event(e) => e.span,
        }
    }

    /// In words: `signup`, or the event's name.
    pub fn name(&self) -> &str {
        match self {
            Start::Signup(_) => "signup",
            Start::Event(e) => &e.value,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Cadence {
    pub report: Option<Spanned<Grain>>,
    pub review: Option<Spanned<Grain>>,
}

#[derive(Clone, Debug)]
pub struct MetricTarget {
    pub period: Spanned<Period>,
    pub target: Spanned<f64>,
    pub stretch: Option<Spanned<f64>>,
}

#[derive(Clone, Debug, Default)]
pub struct Related {
    pub leading: Vec<Text>,
    pub lagging: Vec<Text>,
    pub input: Vec<Text>,
}

#[derive(Clone, Debug, Default)]
pub struct Healthy {
    pub min: Option<Spanned<f64>>,
    pub max: Option<Spanned<f64>>,
}

/// One metric of the metrics hierarchy.
#[derive(Clone, Debug)]
pub struct Metric {
    pub id: Text,
    pub name: Option<Text>,
    pub role: Option<Spanned<MetricRole>>,
    /// The metric it feeds: the tree's edge (also set by `drives:`).
    pub supports: Option<Text>,
    /// The edge as a formula: a factor or a term of the metric it supports.
    pub drives: Option<Drives>,
    pub description: Option<Text>,
    pub unit: Option<Spanned<Unit>>,
    pub direction: Option<Spanned<Direction>>,
    pub timing: Option<Spanned<Timing>>,
    pub owner: Option<Text>,
    pub cadence: Option<Cadence>,
    pub segments: Vec<Text>,
    pub compute: Option<Spanned<Compute>>,
    pub targets: Vec<MetricTarget>,
    pub related: Related,
    pub healthy: Option<Healthy>,
    pub span: Span,
}

impl Metric {
    /// The human name, or the id.
    pub fn display_name(&self) -> &str {
        self.name.as_ref().map_or(&self.id.value, |n| &n.value)
    }

    /// Whether higher values are better: its `direction:`, up when it has none.
    pub fn higher_is_better(&self) -> bool {
        self.direction
            .as_ref()
            .is_none_or(|d| d.value == Direction::Up)
    }

    /// Its `unit:`, a count when it has none.
    pub fn unit_or_count(&self) -> crate::Unit {
        self.unit
            .as_ref()
            .map_or(crate::Unit::Count, |u| u.value.clone())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Commitment {
    Committed,
    Aspirational,
}

/// Where a definition came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Yaml,
    Markdown,
}

/// An objective with its key results.
#[derive(Clone, Debug)]
pub struct Objective {
    pub id: Text,
    pub title: Text,
    pub period: Option<Spanned<Period>>,
    /// Known even when the period's year is not (a Markdown heading that says only `Q1`).
    pub period_length: Option<Spanned<PeriodLength>>,
    pub team: Option<Text>,
    pub owner: Option<Text>,
    pub aligns_to: Option<Text>,
    pub why: Option<Text>,
    pub commitment: Option<Spanned<Commitment>>,
    pub key_results: Vec<KeyResult>,
    pub initiatives: Vec<Initiative>,
    pub guardrails: Vec<Guardrail>,
    pub origin: Origin,
    /// The span of the whole definition (for Markdown: the heading).
    pub span: Span,
}

impl Objective {
    /// `team/id`, the form `aligns_to` uses.
    pub fn path(&self) -> String {
        match &self.team {
            Some(t) => format!("{}/{}", t.value, self.id.value),
            None => self.id.value.clone(),
        }
    }
    /// Company-level objectives have no team or the team `company`.
    pub fn is_company_level(&self) -> bool {
        self.team
            .as_ref()
            .is_none_or(|t| t.value.eq_ignore_ascii_case("company"))
    }
}

/// How a key result is measured by hand.
#[derive(Clone, Debug)]
pub struct Manual {
    pub unit: Option<Spanned<Unit>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct KeyResult {
    pub id: Text,
    pub title: Text,
    pub metric: Option<Text>,
    pub manual: Option<Manual>,
    pub baseline: Option<Spanned<Quantity>>,
    pub target: Option<Spanned<Quantity>>,
    pub stretch: Option<Spanned<Quantity>>,
    pub owner: Option<Text>,
    pub weight: Option<Spanned<f64>>,
    /// How it is measured, in words (Markdown `Measurement:`).
    pub measurement: Option<Text>,
    /// A placeholder written where the target belongs (`X%`, `$N`, `TBD`; Markdown).
    pub placeholder: Option<Text>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Initiative {
    pub title: Text,
    pub supports: Vec<Text>,
    pub owner: Option<Text>,
    pub span: Span,
}

/// A metric that must not get worse while the key results are pursued.
#[derive(Clone, Debug)]
pub struct Guardrail {
    pub metric: Option<Text>,
    /// The guardrail in words (Markdown).
    pub text: Option<Text>,
    /// Percent.
    pub max_increase: Option<Spanned<f64>>,
    /// Percent.
    pub max_decrease: Option<Spanned<f64>>,
    pub min: Option<Spanned<f64>>,
    pub max: Option<Spanned<f64>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Assignment {
    pub event: Text,
    pub property: Text,
    pub control: Text,
}

#[derive(Clone, Debug)]
pub struct Experiment {
    pub id: Text,
    pub hypothesis: Option<Text>,
    pub assignment: Option<Assignment>,
    pub goal_metrics: Vec<Text>,
    pub guardrail_metrics: Vec<Text>,
    /// Percent.
    pub minimum_detectable_effect: Option<Spanned<f64>>,
    pub span: Span,
}
