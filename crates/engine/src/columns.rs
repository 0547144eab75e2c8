//! The names of the columns the engine's plans pass between them: the roll-ups' (segment,
//! day, mask, days) and every metric plan's output (period, value). In one place so that
//! the roll-ups and the plans that read them agree without importing each other.

/// A user's segment value.
pub(crate) const SEGMENT: &str = "segment";
/// A day of activity.
pub(crate) const DAY: &str = "day";
/// The activity roll-up's bits: which of the activity metrics' event names the user had that day.
pub(crate) const MASK: &str = "mask";
/// The active-periods roll-up's count of the user's active days in the period.
pub(crate) const DAYS: &str = "days";
/// The segment of users without a row in the users table (or with no value).
pub(crate) const NO_SEGMENT: &str = "(none)";
/// The period a value is for.
pub(crate) const PERIOD: &str = "period";
/// A metric's value for its period.
pub(crate) const VALUE: &str = "value";
