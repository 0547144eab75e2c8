//! The one place where values become series: the engine's values and the store's snapshots
//! are turned into [`Point`]s (local days, a finite value, its parts) here, and everything
//! after this boundary (the OKR arithmetic, the review, the dashboard) reads points.

use std::collections::HashMap;

use chrono_tz::Tz;
use throughline_engine::MetricValue;
use throughline_progress::Point;
use throughline_store::Snapshot;

/// A value of the engine's as a point: its local days, when it is complete and finite.
pub fn of_value(v: &MetricValue) -> Option<Point> {
    let value = v.value.filter(|x| x.is_finite())?;
    v.complete.then(|| Point {
        start: v.start.date_naive(),
        end: v.end.date_naive(),
        value,
        numerator: v.numerator,
        denominator: v.denominator,
    })
}

/// A stored value as a point: its local days in `tz` and a finite value (`None` otherwise),
/// complete or not (the caller says which it wants).
pub fn of_snapshot(s: &Snapshot, tz: Tz) -> Option<Point> {
    Some(Point {
        start: s.value.start.with_timezone(&tz).date_naive(),
        end: s.value.end.with_timezone(&tz).date_naive(),
        value: s.value.value.filter(|v| v.is_finite())?,
        numerator: s.value.numerator,
        denominator: s.value.denominator,
    })
}

/// The complete total values of each metric, oldest first (segmented values are left out).
pub fn totals(values: &[MetricValue]) -> HashMap<String, Vec<Point>> {
    let mut series: HashMap<String, Vec<Point>> = HashMap::new();
    for v in values.iter().filter(|v| v.segment.is_empty()) {
        if let Some(x) = of_value(v) {
            series.entry(v.metric.clone()).or_default().push(x);
        }
    }
    series
}

/// [`totals`], and a funnel's steps and a lifecycle's statuses as series of their own,
/// `metric#step` (users).
pub fn with_steps(values: &[MetricValue]) -> HashMap<String, Vec<Point>> {
    let mut series = totals(values);
    for v in values.iter().filter(|v| v.segment.is_empty() && v.complete) {
        for s in &v.steps {
            series
                .entry(format!("{}#{}", v.metric, s.name))
                .or_default()
                .push(Point::new(
                    v.start.date_naive(),
                    v.end.date_naive(),
                    s.users,
                ));
        }
    }
    series
}
