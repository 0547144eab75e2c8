//! 1. North Star check: the value, its trend against last week and the 4-week average with a noise band, and the target.

use crate::analysis::current_index;
use crate::review::*;
use crate::sections::*;
use crate::{Horizon, Input, Movement};
use chrono::Duration;
use std::collections::BTreeMap;
use throughline_model::MetricRole;
use throughline_progress::Status;

pub(crate) fn north_star(
    input: &Input,
    moves: &BTreeMap<(String, Horizon), Movement>,
) -> Option<NorthStar> {
    let ws = input.ws;
    let m = ws.metrics.iter().find(|m| {
        m.role
            .as_ref()
            .is_some_and(|r| r.value == MetricRole::NorthStar)
    })?;
    let id = m.id.value.as_str();
    let values = input.series.get(id)?;
    let i = current_index(values, input.week)?;
    let wm = moves.get(&(id.to_string(), Horizon::Week));
    let trend = match wm {
        Some(w) if w.change > w.band => Trend::Up,
        Some(w) if w.change < -w.band => Trend::Down,
        Some(_) => Trend::Flat,
        None => Trend::Unknown,
    };
    let kr = input
        .objectives
        .iter()
        .flat_map(|o| o.key_results.iter().map(move |k| (o, k)))
        .find(|(_, k)| k.metric.as_deref() == Some(id));
    let target = match kr {
        Some((o, k)) => k.target.map(|t| TargetCheck {
            target: t,
            by: o.period_end - Duration::days(1),
            key_result: Some(format!("{}/{}", o.path, k.id)),
            key_result_title: Some(k.title.clone()),
            progress: k.progress,
            verdict: match (k.status, k.pacing) {
                (Status::Done, _) => "reached".into(),
                (_, Some(p)) if p.actual > p.expected + throughline_progress::ON_TRACK_GAP => {
                    "ahead".into()
                }
                (Status::OnTrack, _) => "on track".into(),
                (Status::AtRisk | Status::OffTrack, _) => "behind".into(),
                (Status::Unknown, _) => "no progress yet".into(),
            },
        }),
        None => m
            .targets
            .iter()
            .find(|t| {
                t.period.value.start() <= input.week.start
                    && input.week.start < t.period.value.end()
            })
            .map(|t| {
                let reached =
                    throughline_progress::reached(values[i].value, t.target.value, up(Some(m)));
                TargetCheck {
                    target: t.target.value,
                    by: t.period.value.end() - Duration::days(1),
                    key_result: None,
                    key_result_title: None,
                    progress: None,
                    verdict: if reached {
                        "reached".into()
                    } else {
                        "below target".into()
                    },
                }
            }),
    };
    let (movers, movers_note) = match crate::sections::movers::base(input, values, i) {
        Ok((since, j)) => (
            crate::sections::movers::movers(input, m, since, &values[j], &values[i]),
            None,
        ),
        Err(note) => (None, note),
    };
    Some(NorthStar {
        metric: id.to_string(),
        name: m.display_name().to_string(),
        unit: unit_of(ws, id),
        current: values[i],
        last: i.checked_sub(1).map(|j| values[j]),
        average: wm.map(|w| w.before),
        band: wm.map(|w| w.band),
        trend,
        target,
        series: values[(i + 1).saturating_sub(NORTH_STAR_VALUES)..=i].to_vec(),
        movers,
        movers_note,
    })
}
