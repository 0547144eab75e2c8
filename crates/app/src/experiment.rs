//! Experiments: the engine's per-variant sums turned into the statistics crate's input, and
//! every experiment of a workspace analyzed.

use throughline_engine::{Engine, ExperimentData};
use throughline_experiment::{Analysis, Input, MetricInput, Unanalyzable};
use throughline_model::{Experiment, Unit, Workspace};

/// The statistics' input for one experiment: goal metrics first, proportions for 0/1
/// outcomes (scaled to percents for percent metrics), the days from the first exposure to
/// the data's `end`.
pub fn input(
    ws: &Workspace,
    e: &Experiment,
    data: &ExperimentData,
    end: Option<chrono::NaiveDate>,
    sequential: bool,
) -> Input {
    let goal: Vec<&str> = e.goal_metrics.iter().map(|t| t.value.as_str()).collect();
    let metrics = data
        .metrics
        .iter()
        .map(|m| {
            let def = ws.metric(&m.metric);
            let percent = def
                .and_then(|d| d.unit.as_ref())
                .is_none_or(|u| u.value == Unit::Percent);
            MetricInput {
                id: m.metric.clone(),
                guardrail: !goal.contains(&m.metric.as_str()),
                up: def.is_none_or(|d| d.higher_is_better()),
                proportion: m.proportion,
                scale: if m.proportion && percent { 100.0 } else { 1.0 },
                arms: m.arms.clone(),
            }
        })
        .collect();
    let days_running = match (data.exposed_us, end) {
        (Some((first, _)), Some(end)) => {
            let end_us = end
                .and_hms_opt(0, 0, 0)
                .map_or(first, |t| t.and_utc().timestamp_micros());
            ((end_us - first) as f64 / 86_400e6).max(0.0)
        }
        _ => 0.0,
    };
    Input {
        id: e.id.value.clone(),
        control: e
            .assignment
            .as_ref()
            .map_or("control".into(), |a| a.control.value.clone()),
        arms: data.arms.clone(),
        multiple: data.multiple,
        mde_relative: e
            .minimum_detectable_effect
            .as_ref()
            .map(|m| m.value / 100.0),
        days_running,
        sequential,
        metrics,
    }
}

/// Analyzes one experiment: its data from the engine, then the statistics. An error says
/// what is wrong with the definition or the data.
pub async fn analyze(
    engine: &Engine,
    ws: &Workspace,
    e: &Experiment,
    sequential: bool,
) -> Result<Analysis, Unanalyzable> {
    let data = engine
        .experiment(e)
        .await
        .map_err(|err| Unanalyzable::Data(err.message))?;
    let end = engine
        .data_days()
        .map(|(_, last)| last + chrono::Duration::days(1));
    throughline_experiment::analyze(&input(ws, e, &data, end, sequential))
}
