//! 4. Experiment results: each experiment's decision, its goal metric's lift and why.

use crate::format::{delta, relative};
use crate::review::*;
use throughline_model::{Unit, Workspace};

/// The unit an experiment's values of `metric` are shown in, everywhere (terminal, review,
/// dashboard): a proportion test's values are percentages (changes in pp); a mean of counts
/// per user is a plain number (`0.159`); durations and money keep their unit.
pub fn experiment_unit(ws: &Workspace, metric: &str, test: &str) -> Unit {
    let unit = ws
        .metric(metric)
        .and_then(|m| m.unit.as_ref())
        .map(|u| u.value.clone());
    match (test, unit) {
        ("proportion", None | Some(Unit::Percent)) => Unit::Percent,
        (_, None | Some(Unit::Count)) => Unit::Ratio,
        (_, Some(u)) => u,
    }
}

pub(crate) fn experiment_row(ws: &Workspace, e: &crate::ExperimentInput) -> ExperimentRow {
    match &e.analysis {
        Err(why) => ExperimentRow {
            id: e.id.clone(),
            hypothesis: e.hypothesis.clone(),
            decision: None,
            label: "could not be analyzed".into(),
            reason: why.to_string(),
            lift: None,
            srm_p_value: None,
        },
        Ok(a) => {
            let lift = a.metrics.iter().find(|m| !m.guardrail).and_then(|m| {
                let unit = experiment_unit(ws, &m.metric, m.test);
                let v = m
                    .variants
                    .iter()
                    .filter(|v| v.lift.is_some())
                    .max_by(|x, y| {
                        x.lift
                            .unwrap_or(0.0)
                            .abs()
                            .total_cmp(&y.lift.unwrap_or(0.0).abs())
                    })?;
                let show = |x: f64| delta(&unit, x);
                Some(format!(
                    "{} {} in {} ({}; 95% CI {} to {}; p {})",
                    m.metric,
                    show(v.lift?),
                    v.variant,
                    relative(v.lift_relative.unwrap_or(0.0)),
                    show(v.ci_low?),
                    show(v.ci_high?),
                    throughline_experiment::format_p(v.p_value?)
                ))
            });
            ExperimentRow {
                id: e.id.clone(),
                hypothesis: e.hypothesis.clone(),
                decision: Some(a.decision),
                label: a.decision.label().into(),
                reason: a.reason.clone(),
                lift,
                srm_p_value: Some(a.srm_p_value),
            }
        }
    }
}
