//! The starter metrics and objective `init --events` writes over the events the data has,
//! and the baselines it measures for them.

use std::path::Path;

use super::facts::{Facts, engine_failed};
use super::yaml::scalar;
use crate::lifecycle::Failed;

/// The starter metrics and objective chosen from the events.
pub(super) struct Plan {
    /// The event most users have again and again: what a user who "came back" did.
    common: String,
    /// Conversions from an earlier to a later event among the three most users have, the
    /// two most common first: every one until they are measured, then the one kept.
    conversions: Vec<(String, String)>,
    /// Retention from the earliest event; `None`: from the users' signup (with a users file).
    retention_from: Option<String>,
    /// Weeks of retention the data is long enough to show.
    horizon: u32,
}

const OBJECTIVE: &str = "weekly-use";

impl Plan {
    pub(super) fn of(f: &Facts, has_users: bool) -> Option<Plan> {
        let usable: Vec<&throughline_engine::EventUsers> = f
            .events
            .iter()
            .filter(|e| e.users > 0 && metric_id(&e.name).is_some())
            .collect();
        // what a returning user does: the event most users have among those a user has
        // again and again (half again as many events as users), not a once-only one such as
        // a signup
        let repeated = |e: &&&throughline_engine::EventUsers| {
            f.counts.get(&e.name).copied().unwrap_or(0) * 2 >= e.users * 3
        };
        let common = usable
            .iter()
            .find(repeated)
            .or(usable.first())?
            .name
            .clone();
        let top = &usable[..usable.len().min(3)];
        let mut conversions = Vec::new();
        for (i, j) in [(0, 1), (0, 2), (1, 2)] {
            if let (Some(a), Some(b)) = (top.get(i), top.get(j)) {
                let (x, y) = if a.mean_first_us <= b.mean_first_us {
                    (a, b)
                } else {
                    (b, a)
                };
                conversions.push((x.name.clone(), y.name.clone()));
            }
        }
        let retention_from = if has_users {
            None
        } else {
            Some(
                usable
                    .iter()
                    .min_by_key(|e| e.mean_first_us)
                    .map_or(common.clone(), |e| e.name.clone()),
            )
        };
        // the span of the data in weeks: retention over 4 weeks needs 12 of them
        let weeks = (f.days.1 - f.days.0).num_weeks();
        let horizon = if weeks >= 12 { 4 } else { 1 };
        Some(Plan {
            common,
            conversions,
            retention_from,
            horizon,
        })
    }

    fn conversion_id((a, b): &(String, String)) -> Option<String> {
        Some(format!("{}_to_{}", metric_id(a)?, metric_id(b)?))
    }

    /// Keeps the conversion whose measured baseline leaves most room to move (between 1% and
    /// 95%, nearest 50%), the more common pair first; none when every one is at an end. The
    /// key results' measurements, without the ones of the conversions dropped.
    pub(super) fn keep_one_conversion(&mut self, measured: Vec<Measured>) -> Vec<Measured> {
        let krs = self.key_results();
        let mut best: Option<(usize, f64)> = None;
        for (k, (id, ..)) in krs.iter().enumerate() {
            if let Some(c) = conversion_index(id)
                && let Some(m) = measured.get(k)
                && (1.0..=95.0).contains(&m.baseline)
            {
                let distance = (m.baseline - 50.0).abs();
                if best.is_none_or(|(_, d)| distance < d) {
                    best = Some((c, distance));
                }
            }
        }
        let kept = best.map(|(c, _)| self.conversions[c].clone());
        let out = krs
            .iter()
            .zip(measured)
            .filter(|((id, ..), _)| {
                conversion_index(id).is_none_or(|k| best.is_some_and(|(c, _)| k == c))
            })
            .map(|(_, m)| m)
            .collect();
        self.conversions = kept.into_iter().collect();
        out
    }

    fn retention_id(&self) -> String {
        format!("retention_w{}", self.horizon)
    }

    pub(super) fn metrics_yaml(&self, dimensions: &[String]) -> String {
        let segments = if dimensions.is_empty() {
            String::new()
        } else {
            format!(
                "    segments: [{}]\n",
                dimensions
                    .iter()
                    .map(|d| scalar(d))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let mut out = String::from(
            "# Starter metrics over the events your data has (written by `throughline init`).\n\
             # Rename them, fix the owners, and add the ones your team reviews (the compute\n\
             # types are in the README).\nmetrics:\n",
        );
        out.push_str(&format!(
            "  - id: active_users\n    name: Weekly active users\n    role: north_star\n\
             \x20   description: Distinct users with at least one event in the week.\n\
             \x20   unit: count\n    direction: up\n    timing: leading\n    owner: Product lead\n\
             \x20   cadence: {{ report: weekly, review: monthly }}\n{segments}\
             \x20   compute: {{ type: unique }}\n\n"
        ));
        for (pair, id) in self
            .conversions
            .iter()
            .filter_map(|p| Some((p, Self::conversion_id(p)?)))
        {
            let (a, b) = pair;
            out.push_str(&format!(
                "  - id: {id}\n    name: {a} to {b}\n    role: input\n    supports: active_users\n\
                 \x20   description: Share of the users whose first `{a}` falls in the week who have a `{b}` within 7 days of it.\n\
                 \x20   unit: percent\n    direction: up\n    timing: leading\n    owner: Product lead\n\
                 \x20   cadence: {{ report: weekly, review: monthly }}\n{segments}\
                 \x20   compute: {{ type: conversion, from: {}, to: {}, within: 7d }}\n\n",
                event(a),
                event(b)
            ));
        }
        out.push_str(&format!(
            "  - id: stickiness\n    name: Stickiness\n    role: input\n    supports: active_users\n\
             \x20   description: Mean daily active users over the period's active users (how many days a week people come).\n\
             \x20   unit: percent\n    direction: up\n    timing: leading\n    owner: Product lead\n\
             \x20   cadence: {{ report: weekly, review: monthly }}\n{segments}\
             \x20   compute: {{ type: stickiness }}\n\n"
        ));
        let from_words = match &self.retention_from {
            None => "signup".to_string(),
            Some(e) => format!("first `{e}`"),
        };
        out.push_str(&format!(
            "  - id: {}\n    name: Week-{h} retention\n    role: guardrail\n\
             \x20   description: Share of the users whose {from_words} falls in the week who have a `{}` in their week {h} after it.\n\
             \x20   unit: percent\n    direction: up\n    timing: lagging\n    owner: Product lead\n\
             \x20   cadence: {{ report: weekly, review: monthly }}\n{segments}\
             \x20   compute: {{ type: retention, from: {}, return: {}, every: week, horizon: {h} }}\n",
            self.retention_id(),
            self.common,
            self.retention_from.as_deref().map_or("signup".to_string(), event),
            event(&self.common),
            h = self.horizon,
        ));
        out
    }

    /// The key results: (id, metric, what it measures, percent).
    fn key_results(&self) -> Vec<(String, String, String, bool)> {
        let mut krs = vec![(
            "active-users".to_string(),
            "active_users".to_string(),
            "weekly active users".to_string(),
            false,
        )];
        for (k, pair) in self.conversions.iter().enumerate() {
            if let Some(id) = Self::conversion_id(pair) {
                let (a, b) = pair;
                let kr = if self.conversions.len() == 1 {
                    "conversion".to_string()
                } else {
                    format!("conversion-{k}")
                };
                krs.push((kr, id, format!("{a}-to-{b} conversion"), true));
            }
        }
        krs.push((
            "stickiness".to_string(),
            "stickiness".to_string(),
            "stickiness".to_string(),
            true,
        ));
        krs
    }

    /// The objective; `measured` gives each key result's baseline and where its trend goes
    /// (placeholders until they are measured).
    pub(super) fn okrs_yaml(&self, period: &str, measured: Option<&[Measured]>) -> String {
        let mut out = format!(
            "# A starter objective over your data (written by `throughline init`): its baselines are\n\
             # measured from the data before the period, its targets a first guess beyond the trend.\n\
             # Make it your team's: its title, owner, targets, and the key results you will move.\n\
             objectives:\n  - id: {OBJECTIVE}\n    title: Turn new users into weekly users\n    period: {period}\n\
             \x20   team: product\n    owner: Product lead\n\
             \x20   why: Users who come back every week are the ones who stay\n    key_results:\n"
        );
        for (i, (id, metric, words, percent)) in self.key_results().into_iter().enumerate() {
            let m = measured.and_then(|m| m.get(i));
            let (baseline, target) = m.map_or((0.0, 1.0), |m| (m.baseline, m.target));
            let show = |v: f64| format_value(v, percent);
            out.push_str(&format!(
                "      - id: {id}\n        title: Increase {words} from {} to {}\n        metric: {metric}\n        baseline: {}\n        target: {}\n",
                show(baseline),
                show(target),
                yaml_number(baseline),
                yaml_number(target)
            ));
        }
        out.push_str(&format!(
            "    guardrails:\n      - {{ metric: {}, max_decrease: 10% }}\n",
            self.retention_id()
        ));
        out
    }
}

/// A key result's measured baseline and the target written.
pub(super) struct Measured {
    baseline: f64,
    target: f64,
    /// Where the baseline comes from, in words; `None`: no value to measure it by (its 0 is
    /// a placeholder).
    from: Option<String>,
}

/// `Increase weekly active users from 1,240 to 1,500`: whole numbers with separators,
/// percents with one decimal where they need it.
fn format_value(v: f64, percent: bool) -> String {
    if percent {
        throughline_model::Unit::Percent.format(v)
    } else {
        throughline_model::Unit::Count.format(v.round())
    }
}

/// A percent to one decimal, a count to a whole number.
fn rounded(v: f64, percent: bool) -> f64 {
    if percent {
        (v * 10.0).round() / 10.0
    } else {
        v.round()
    }
}

fn yaml_number(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").unwrap_or(&s).to_string()
}

/// An event name as a metric id (`Project Created` → `project_created`), if it has letters.
fn metric_id(name: &str) -> Option<String> {
    let mut id = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('_') {
            id.push('_');
        }
    }
    let id = id.trim_matches('_').to_string();
    (!id.is_empty() && id.starts_with(|c: char| c.is_ascii_alphabetic())).then_some(id)
}

/// Each key result's baseline, measured the way `check --with-data` measures it (the line
/// through the last values before the period, at its start; without values before the
/// period, the mean of its first four), and a target: a fifth better for counts, five points
/// (or a fifth) for percents, and beyond where the trend is going.
pub(super) fn baselines(
    dir: &Path,
    plan: &Plan,
    options: &throughline_engine::EngineOptions,
) -> Result<Vec<Measured>, Failed> {
    use throughline_app::key_results::{data_facts, key_result_metrics, series};
    let loaded = crate::lifecycle::load_workspace(dir, true)?;
    let ws = &loaded.workspace;
    let Some((metrics, from, to)) = key_result_metrics(ws.objectives.iter()) else {
        return Ok(Vec::new());
    };
    let rt = crate::lifecycle::runtime()?;
    eprintln!("Measuring the baselines …");
    let got = rt
        .block_on(async {
            let engine = throughline_app::Session::new(ws, dir, options.clone())
                .engine()
                .await?;
            series(&engine, metrics, from, to, &|_| {}).await
        })
        .map_err(|e| engine_failed(&e))?;
    let facts = data_facts(ws, &got);
    let mut out = Vec::new();
    for (id, metric, _, percent) in plan.key_results() {
        let (baseline, trend, from) = match facts
            .get(OBJECTIVE, &id)
            .and_then(|d| Some((d.before.as_ref()?, d)))
        {
            Some((b, d)) => (
                b.value,
                d.trend.as_ref().map(|t| t.value),
                Some(format!("the {} before {}", b.grain, b.period)),
            ),
            None => {
                let values: Vec<f64> = got
                    .get(&metric)
                    .map(|ps| {
                        ps.iter()
                            .map(|p| p.value)
                            .filter(|v| v.is_finite())
                            .take(4)
                            .collect()
                    })
                    .unwrap_or_default();
                if values.is_empty() {
                    // nothing to measure it by: said, not passed off as a measured 0
                    (0.0, None, None)
                } else {
                    let mean = values.iter().sum::<f64>() / values.len() as f64;
                    (mean, None, Some("the first weeks of data".to_string()))
                }
            }
        };
        let baseline = rounded(baseline, percent);
        let mut target = if percent {
            (baseline + (baseline * 0.2).max(5.0)).min(100.0)
        } else {
            (baseline * 1.2).max(baseline + 1.0)
        };
        if let Some(t) = trend
            && t.is_finite()
            && t >= target
        {
            target = if percent {
                (t * 1.1).min(100.0)
            } else {
                t * 1.1
            };
        }
        let target = rounded(target, percent);
        out.push(Measured {
            baseline,
            target,
            from,
        });
    }
    Ok(out)
}

pub(super) fn report(dir: &Path, facts: &Facts, plan: &Plan, period: &str, measured: &[Measured]) {
    let shown = dir.display();
    let names: Vec<String> = facts
        .events
        .iter()
        .take(8)
        .map(|e| format!("{} ({} users)", e.name, e.users))
        .collect();
    let mut lines = vec![
        format!("Created a throughline workspace in {shown} over your data:"),
        format!(
            "  {shown}/throughline.yaml   sources: your events{}",
            if plan.retention_from.is_none() {
                " and users"
            } else {
                ""
            }
        ),
        format!(
            "  {shown}/metrics.yaml       active users, {}stickiness, week-{} retention",
            plan.conversions
                .first()
                .and_then(Plan::conversion_id)
                .map(|c| format!("{c}, "))
                .unwrap_or_default(),
            plan.horizon
        ),
        format!("  {shown}/okrs/okrs.yaml     one objective for {period}"),
        String::new(),
        format!(
            "Event names, most users first: {}{}",
            names.join(", "),
            if facts.events.len() > 8 {
                format!(" and {} more", facts.events.len() - 8)
            } else {
                String::new()
            }
        ),
    ];
    for ((id, _, words, percent), m) in plan.key_results().into_iter().zip(measured) {
        lines.push(match &m.from {
            Some(from) => format!(
                "  {id}: {words} measured at {} over {from}; target {} (a first guess: set your own)",
                format_value(m.baseline, percent),
                format_value(m.target, percent)
            ),
            None => format!(
                "  {id}: {words} has no value in the data yet: its baseline 0 and target {} are placeholders (set them)",
                format_value(m.target, percent)
            ),
        });
    }
    lines.extend([
        String::new(),
        "Next steps:".into(),
        format!("  1. throughline check --with-data {shown}   the definitions against your data"),
        format!("  2. throughline review -w {shown}           this week's metrics review"),
        format!("  3. throughline status -w {shown}           where each key result stands"),
        "  4. Edit okrs/okrs.yaml and metrics.yaml to say what your team is after.".into(),
    ]);
    crate::out::print(&(lines.join("\n") + "\n"));
}

/// An event's name in a metric: `{ event: signup }` for an event called `signup` (plain
/// `signup` is the users' signup time), else the name as a YAML scalar.
fn event(name: &str) -> String {
    if name == "signup" {
        "{ event: signup }".to_string()
    } else {
        scalar(name)
    }
}

/// Which conversion a key result id (`conversion`, `conversion-2`) names.
fn conversion_index(id: &str) -> Option<usize> {
    match id.strip_prefix("conversion") {
        Some("") => Some(0),
        Some(rest) => rest.strip_prefix('-')?.parse().ok(),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::event;

    /// Every event name init writes reads back as that event's name: `signup` as the event
    /// (not the users' signup time), names with spaces, `$` or quotes as written.
    #[test]
    fn event_names_written_read_back_as_those_events() {
        for name in [
            "signup",
            "Page View",
            "$pageview",
            "it's done",
            "true",
            "- dash",
        ] {
            let metrics = format!(
                "metrics:\n  - {{ id: m, compute: {{ type: conversion, from: {}, to: {}, within: 7d }} }}\n",
                event(name),
                event(name)
            );
            let mut loader = throughline_model::Loader::new();
            loader.add_yaml(
                "metrics.yaml",
                std::path::Path::new("metrics.yaml"),
                metrics.clone(),
            );
            let loaded = loader.finish();
            assert!(
                loaded.diagnostics.is_empty(),
                "{metrics}\n{:?}",
                loaded.diagnostics
            );
            let m = loaded.workspace.metric("m").unwrap();
            let c = &m.compute.as_ref().unwrap().value;
            assert_eq!(c.type_name(), "conversion");
            // `from` and `to` both read the event, by its name as written
            let events: Vec<Option<&str>> = c
                .events()
                .iter()
                .map(|e| e.map(|e| e.value.as_str()))
                .collect();
            assert_eq!(events, vec![Some(name), Some(name)]);
        }
    }
}
