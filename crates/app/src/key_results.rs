//! The numbers behind the key results, for `status`, `score`, `check --with-data` and
//! `init`: which metrics they read and over which days, each metric's complete values as
//! points, and what those values say before each key result's period (its level, its noise,
//! the trend toward the target) for the rules that read data.

use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, NaiveDate};
use throughline_check::{DataFacts, KrData, Measured, Trend};
use throughline_engine::{Engine, Request};
use throughline_model::{Objective, Workspace};
use throughline_progress::okr;
use throughline_progress::{Point, forecast};

/// The complete total values of `metrics` at their report grain, as points per metric, from
/// `from` on; and the data's last day.
pub async fn series(
    engine: &Engine,
    metrics: Vec<String>,
    from: NaiveDate,
    to: NaiveDate,
    progress: &(dyn Fn(throughline_engine::Progress<'_>) + Sync),
) -> Result<HashMap<String, Vec<Point>>, throughline_engine::EngineError> {
    if metrics.is_empty() {
        return Ok(HashMap::new());
    }
    let req = Request {
        metrics,
        from: Some(from),
        to: Some(to),
        ..Request::default()
    };
    Ok(crate::series::totals(
        &engine.measure_with(&req, progress).await?,
    ))
}

/// The metrics behind the key results of these objectives, and the days to measure them
/// over: from 12 weeks before the earliest period (the history before it) to the latest end.
pub fn key_result_metrics<'a>(
    objectives: impl Iterator<Item = &'a Objective>,
) -> Option<(Vec<String>, NaiveDate, NaiveDate)> {
    let mut metrics = BTreeSet::new();
    let (mut from, mut to) = (NaiveDate::MAX, NaiveDate::MIN);
    for o in objectives {
        let Some(p) = &o.period else { continue };
        for kr in &o.key_results {
            if let Some(m) = &kr.metric {
                metrics.insert(m.value.clone());
                from = from.min(p.value.start() - Duration::weeks(12));
                to = to.max(p.value.end() - Duration::days(1));
            }
        }
    }
    (!metrics.is_empty()).then(|| (metrics.into_iter().collect(), from, to))
}

/// What the data says about each key result before its period, for the rules that read data.
pub fn data_facts(ws: &Workspace, series: &HashMap<String, Vec<Point>>) -> DataFacts {
    let mut facts = DataFacts::default();
    for (o, kr) in ws.key_results() {
        let (Some(p), Some(m)) = (&o.period, &kr.metric) else {
            continue;
        };
        let Some(points) = series.get(&m.value) else {
            continue;
        };
        let Some(metric) = ws.metric(&m.value) else {
            continue;
        };
        let start = p.value.start();
        // Buckets that start before the period: the one straddling its start included.
        let before: Vec<Point> = points.iter().copied().filter(|x| x.start < start).collect();
        if before.is_empty() {
            continue;
        }
        let unit = okr::key_result_unit(ws, kr);
        let up = metric.higher_is_better();
        let history = &before[before.len().saturating_sub(okr::HISTORY_POINTS)..];
        let n = history.len() as f64;
        let (value, sd) = match throughline_progress::fit(history) {
            Some(line) => (line.predict(start), line.resid_sd),
            None => {
                let mean = history.iter().map(|x| x.value).sum::<f64>() / n;
                let var = history
                    .iter()
                    .map(|x| (x.value - mean).powi(2))
                    .sum::<f64>();
                (
                    mean,
                    if n > 1.0 {
                        (var / (n - 1.0)).sqrt()
                    } else {
                        0.0
                    },
                )
            }
        };
        let grain = grain_name(&before);
        let period = p.value.to_string();
        let at = okr::forecast_day(history, p.value.end());
        let target = kr
            .target
            .as_ref()
            .and_then(|t| unit.accept(&t.value).ok())
            .unwrap_or(f64::NAN);
        let trend = forecast(history, at, target, up).map(|f| Trend {
            when: f.when(),
            value: f.value,
            low: f.low,
            high: f.high,
            points: f.points,
            period: period.clone(),
        });
        facts.key_results.insert(
            (o.id.value.clone(), kr.id.value.clone()),
            KrData {
                metric: m.value.clone(),
                unit,
                up,
                before: Some(Measured {
                    value,
                    sd,
                    n: history.len(),
                    grain: grain.into(),
                    period,
                }),
                trend,
            },
        );
    }
    facts
}

fn grain_name(points: &[Point]) -> &'static str {
    match points.last().map(|p| (p.end - p.start).num_days()) {
        Some(1) => "day",
        Some(7) => "week",
        Some(28..=31) => "month",
        Some(_) => "quarter",
        None => "period",
    }
}
