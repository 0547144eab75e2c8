//! `status` and `score`: the quarter's story from the data and the store.

use crate::{lifecycle, status};

pub fn run_status(
    dir: &std::path::Path,
    team: Option<String>,
    period: Option<String>,
    as_of: Option<String>,
    format: crate::ListFormat,
) -> Result<(), lifecycle::Failed> {
    let period = lifecycle::parse_period(period)?;
    let as_of = crate::parse_day("as-of", as_of)
        .map_err(|e| lifecycle::fail(e, "for example --as-of 2026-08-17"))?;
    let (loaded, rt, snap) = lifecycle::compute(
        dir,
        lifecycle::When::Current(period),
        team.as_deref(),
        as_of,
    )?;
    match format {
        crate::ListFormat::Json => crate::print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "period": snap.period.to_string(),
                "as_of": snap.as_of,
                "data_through": snap.data_last,
                "objectives": snap.objectives,
            }))
            .expect("serializes")
        )),
        crate::ListFormat::Human => {
            let expected = snap.objectives.first().map_or(0.0, |o| o.expected);
            let name = workspace_name(&loaded);
            let mut text = status::heading(
                "status",
                &name,
                &snap.period.to_string(),
                snap.as_of,
                expected,
                snap.data_last,
            );
            text.push_str(&status::tree(&snap.objectives));
            text.push_str(&status::summary(&snap.objectives));
            crate::print(&text);
        }
    }
    rt.block_on(snap.store.close());
    Ok(())
}

fn workspace_name(loaded: &throughline_model::Loaded) -> String {
    loaded
        .workspace
        .settings
        .name
        .as_ref()
        .map_or("workspace".into(), |n| n.value.clone())
}

pub fn run_score(
    dir: &std::path::Path,
    period: Option<String>,
    close: bool,
    author: String,
    format: crate::ListFormat,
) -> Result<(), lifecycle::Failed> {
    use throughline_progress::okr;
    let period = lifecycle::parse_period(period)?;
    let (loaded, rt, snap) = lifecycle::compute(dir, lifecycle::When::Ended(period), None, None)?;
    let scores = okr::score(&snap.objectives);
    let period_text = snap.period.to_string();
    let today = chrono::Utc::now().date_naive();
    let store = &snap.store;
    let stored = rt
        .block_on(store.scores())
        .map_err(|e| lifecycle::fail(&e, e.help()))?;
    let closed = stored.iter().any(|r| r.period == period_text);
    // Sandbagging and calibration read every closed period and this one.
    let mut history: Vec<throughline_progress::Scored> = Vec::new();
    let mut team_scores: std::collections::BTreeMap<(String, String), Vec<f64>> =
        Default::default();
    for r in stored.iter().filter(|r| r.key_result.is_empty()) {
        team_scores
            .entry((r.team.clone(), r.period.clone()))
            .or_default()
            .push(r.score);
    }
    let mut outcomes: Vec<(String, i64, bool)> = stored
        .iter()
        .filter(|r| !r.key_result.is_empty())
        .filter_map(|r| Some((r.owner.clone()?, r.confidence?, r.score >= 1.0)))
        .collect();
    if !closed {
        for s in &scores {
            if let Some(x) = s.score {
                team_scores
                    .entry((s.team.clone(), period_text.clone()))
                    .or_default()
                    .push(x);
            }
            for k in &s.key_results {
                if let (Some(o), Some(c), Some(x)) = (&k.owner, k.confidence, k.score) {
                    outcomes.push((o.clone(), c, x >= 1.0));
                }
            }
        }
    }
    for ((team, p), xs) in team_scores {
        let start =
            throughline_model::Period::parse(&p).map_or(chrono::NaiveDate::MIN, |p| p.start());
        history.push(throughline_progress::Scored {
            team,
            period_start: start,
            period: p,
            score: xs.iter().sum::<f64>() / xs.len() as f64,
        });
    }
    let sandbagging = throughline_progress::sandbagging_teams(&history);
    let calibration = throughline_progress::calibration(&outcomes);
    let ended = snap.period.end() <= today;
    match format {
        crate::ListFormat::Json => crate::print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "period": period_text,
                "as_of": snap.as_of,
                "ended": ended,
                "closed": closed,
                "objectives": scores,
                "sandbagging": sandbagging.iter().map(|(t, ps)| serde_json::json!({"team": t, "periods": ps})).collect::<Vec<_>>(),
                "calibration": calibration,
            }))
            .expect("serializes")
        )),
        crate::ListFormat::Human => {
            let name = workspace_name(&loaded);
            let expected = snap.objectives.first().map_or(0.0, |o| o.expected);
            let mut text = status::heading("scores", &name, &period_text, snap.as_of, expected, snap.data_last);
            if closed {
                text.push_str("(closed: these scores are recomputed; the stored final scores are unchanged)\n");
            } else if !ended {
                text.push_str(&format!("(a preview: {period_text} runs until {})\n", snap.period.end()));
            }
            text.push_str(&status::scores(&snap.objectives, &scores));
            for (team, periods) in &sandbagging {
                text.push_str(&format!(
                    "\nwarning: team `{team}` scored 1.0 in {}: targets that are always hit were probably too safe (sandbagging); aim where about 0.7 is a success\n",
                    periods.join(" and ")
                ));
            }
            text.push_str(&status::calibration(&calibration));
            crate::print(&text);
        }
    }
    if close {
        if closed {
            return Err(lifecycle::fail(
                format!("{period_text} is already closed"),
                "its scores are final; `throughline score --period` shows other periods",
            ));
        }
        if !ended {
            return Err(lifecycle::fail(
                format!(
                    "{period_text} has not ended: it runs until {}",
                    snap.period.end()
                ),
                "close a period once it is over; until then `throughline score` shows a preview",
            ));
        }
        let mut rows = Vec::new();
        for (o, s) in snap.objectives.iter().zip(&scores) {
            let commitment = if s.committed {
                "committed"
            } else {
                "aspirational"
            };
            let team = s.team.clone();
            if let Some(x) = s.score {
                rows.push(throughline_store::ScoreRow {
                    period: period_text.clone(),
                    team: team.clone(),
                    objective: o.id.clone(),
                    key_result: String::new(),
                    commitment: commitment.into(),
                    owner: o.owner.clone(),
                    value: None,
                    score: x,
                    confidence: None,
                });
            }
            for k in &s.key_results {
                if let Some(x) = k.score {
                    rows.push(throughline_store::ScoreRow {
                        period: period_text.clone(),
                        team: team.clone(),
                        objective: o.id.clone(),
                        key_result: k.id.clone(),
                        commitment: commitment.into(),
                        owner: k.owner.clone(),
                        value: k.value,
                        score: x,
                        confidence: k.confidence,
                    });
                }
            }
        }
        rt.block_on(store.close_period(&period_text, &author, &rows))
            .map_err(|e| lifecycle::fail(&e, e.help()))?;
        eprintln!(
            "closed {period_text}: {} scores stored in {}; check-ins on it are refused from now on",
            rows.len(),
            store.location()
        );
    }
    rt.block_on(store.close());
    Ok(())
}
