//! The review as Markdown that reads well in a pull request or a chat message: headings in
//! the meeting's agenda, tables, and colored marks for status.

use throughline_progress::Status;

use crate::Light;
use crate::format::{delta, grain, pct, relative, spread, value, when};
use crate::review::{GuardrailRow, KrRow, Review, Trend};
use crate::text::one_line;

/// A status mark: 🟢 on track or done, 🟡 at risk, 🔴 off track, ⚪ unknown.
pub fn status_mark(s: Status) -> &'static str {
    match s {
        Status::Done | Status::OnTrack => "🟢",
        Status::AtRisk => "🟡",
        Status::OffTrack => "🔴",
        Status::Unknown => "⚪",
    }
}

/// A table cell: no pipes or line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The review as Markdown.
// Long because it is the Markdown template, section by section in the agenda's order.
pub fn render(r: &Review) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "# Weekly metrics review — {} · {} ({})\n\n",
        r.workspace, r.week_label, r.week_span
    ));
    let mut facts = Vec::new();
    if let Some(p) = &r.period {
        facts.push(format!(
            "{} · {} of the period elapsed",
            p.label,
            pct(p.elapsed)
        ));
    }
    match r.data_last {
        Some(d) if d < r.week.last_day() => facts.push(format!(
            "⚠️ the data ends on {d}, before the week does: the week is incomplete"
        )),
        Some(d) => facts.push(format!("data through {d}")),
        None => facts.push("no event data".into()),
    }
    s.push_str(&facts.join(" · "));
    s.push_str("\n\n");

    s.push_str("## 1. North Star check\n\n");
    north_star(r, &mut s);
    s.push_str("## 2. Key result progress\n\n");
    key_results(&r.key_results, &mut s);
    s.push_str("## 3. Guardrail check\n\n");
    guardrails(r, &mut s);
    s.push_str("## 4. Experiment results\n\n");
    if r.experiments.is_empty() {
        s.push_str("No experiments are defined (`experiments:` in the workspace).\n\n");
    }
    for e in &r.experiments {
        let lift = e.lift.as_ref().map_or(String::new(), |l| format!(" {l}."));
        let mut line = format!("- **{}** — **{}**.{lift} {}", e.id, e.label, cap(&e.reason));
        if !line.ends_with('.') {
            line.push('.');
        }
        s.push_str(&line);
        s.push('\n');
    }
    if !r.experiments.is_empty() {
        s.push('\n');
    }
    s.push_str("## 5. Insights\n\n");
    if r.insights.is_empty() && r.stale.is_empty() {
        s.push_str("No metric moved beyond its normal wobble, and every source is fresh.\n\n");
    }
    for i in &r.insights {
        s.push_str(&format!("- {}\n", i.sentence));
    }
    for n in &r.insight_notes {
        s.push_str(&format!("- {n}\n"));
    }
    for st in &r.stale {
        s.push_str(&format!("- ⏳ Stale data — {}\n", st.sentence));
    }
    if !r.insights.is_empty() || !r.stale.is_empty() {
        s.push('\n');
    }
    s.push_str("## 6. Decisions and next week's focus\n\n### Decisions made\n\n");
    if r.decisions.is_empty() {
        s.push_str("None recorded this week (`throughline decide \"…\"` records one).\n\n");
    } else {
        for d in &r.decisions {
            // written by people: one line, control characters shown, not run
            let about = d
                .about
                .as_ref()
                .map_or(String::new(), |a| format!(", about {}", one_line(a, 200)));
            s.push_str(&format!(
                "- {} — {}, {}{about}\n",
                one_line(&d.text, 500),
                one_line(&d.author, 100),
                d.day
            ));
        }
        s.push('\n');
    }
    s.push_str("### Next week's focus\n\n");
    if r.focus.is_empty() {
        s.push_str("Nothing is at risk: keep going.\n");
    }
    for f in &r.focus {
        s.push_str(&format!("- {f}\n"));
    }
    s.push_str(
        "\n---\nChanges within the normal wobble (±2σ of a line through the last 12 values) are not called trends. `throughline measure --explain METRIC` shows how any number here is computed.\n",
    );
    s
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn north_star(r: &Review, s: &mut String) {
    let Some(ns) = &r.north_star else {
        match &r.north_star_without_data {
            Some(name) => s.push_str(&format!(
                "**{name}: no data** for this week (`throughline check --with-data` says why).\n\n"
            )),
            None => s.push_str("No North Star: give one metric `role: north_star`.\n\n"),
        }
        return;
    };
    let u = &ns.unit;
    s.push_str(&format!(
        "**{}: {}** ({})\n\n",
        ns.name,
        value(u, ns.current.value),
        when(&ns.current)
    ));
    let mut trend = match ns.trend {
        Trend::Up => "**up**".to_string(),
        Trend::Down => "**down**".to_string(),
        Trend::Flat => "**flat** (within normal wobble)".to_string(),
        Trend::Unknown => "not enough history to tell a trend from wobble".to_string(),
    };
    let mut parts = Vec::new();
    if let Some(last) = ns.last {
        let d = ns.current.value - last.value;
        parts.push(format!(
            "{} vs last {}",
            change(u, d, last.value),
            grain(&ns.current)
        ));
    }
    if let Some(avg) = ns.average {
        let d = ns.current.value - avg;
        parts.push(format!(
            "{} vs the 4-{} average of {}",
            change(u, d, avg),
            grain(&ns.current),
            value(u, avg)
        ));
    }
    if let Some(b) = ns.band {
        parts.push(format!("normal wobble ±{}", spread(u, b)));
    }
    if !parts.is_empty() {
        trend.push_str(&format!(" — {}", parts.join("; ")));
    }
    s.push_str(&format!("- Trend: {trend}\n"));
    match &ns.target {
        Some(t) => {
            let kr = t
                .key_result_title
                .as_ref()
                .or(t.key_result.as_ref())
                .map_or(String::new(), |k| format!(", key result “{}”", cell(k)));
            let progress = t
                .progress
                .map_or(String::new(), |p| format!(", {} of the way", pct(p)));
            s.push_str(&format!(
                "- vs target: **{}** — {} by {}{kr}{progress}\n\n",
                t.verdict,
                value(u, t.target),
                t.by
            ));
        }
        None => s.push_str("- vs target: no target (set one with a key result or `targets:`)\n\n"),
    }
    movers(ns, s);
}

/// What moved the North Star since the last period: a table whose parts add up to the change.
fn movers(ns: &crate::review::NorthStar, s: &mut String) {
    if let Some(note) = &ns.movers_note {
        s.push_str(&format!("{note}\n\n"));
    }
    let Some(mv) = &ns.movers else { return };
    let u = &ns.unit;
    let g = grain(&ns.current);
    s.push_str(&format!(
        "**What moved it**: {} → {} ({}) since {}",
        value(u, mv.before),
        value(u, mv.after),
        delta(u, mv.after - mv.before),
        mv.since
    ));
    let then = mv.then_label();
    match mv.method {
        "lifecycle" => {
            s.push_str(&format!(
                ", in users gained and lost (`{}`):\n\n| | users |\n|---|---:|\n",
                mv.source
            ));
            for p in &mv.parts {
                s.push_str(&format!(
                    "| {} | {} |\n",
                    cell(&p.label),
                    delta(&throughline_model::Unit::Count, p.contribution)
                ));
            }
        }
        _ => {
            s.push_str(&format!(
                ", by input of `{}` (each input's share of the change; the shares add up to it):\n\n| input | {then} | this {g} | contribution |\n|---|---:|---:|---:|\n",
                cell(&mv.source)
            ));
            for p in &mv.parts {
                let iu = p.unit.clone().unwrap_or(throughline_model::Unit::Count);
                let show = |x: Option<f64>| x.map_or("—".to_string(), |x| value(&iu, x));
                s.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    cell(&p.label),
                    show(p.before),
                    show(p.after),
                    delta(u, p.contribution)
                ));
            }
        }
    }
    let blanks = if mv.method == "lifecycle" { "" } else { " | |" };
    s.push_str(&format!(
        "| **change** |{blanks} **{}** |\n\n",
        delta(u, mv.after - mv.before)
    ));
    if let Some(i) = mv
        .interaction
        .filter(|i| i.abs() > 1e-9 * mv.after.abs().max(1.0))
    {
        s.push_str(&format!(
            "Of that, {} comes from the inputs moving together, not from any one alone; the table shares it out.\n\n",
            delta(u, i)
        ));
    }
    if mv.parts.iter().any(|p| p.segments.is_some()) {
        s.push_str(
            "Each input's part by segment, of the dimension that explains its change best:\n\n",
        );
    }
    for p in &mv.parts {
        let Some(seg) = &p.segments else { continue };
        let items: Vec<String> = seg
            .shown()
            .iter()
            .map(|(name, x)| format!("{} {}", cell(name), delta(u, *x)))
            .collect();
        s.push_str(&format!(
            "- {} ({}) by {}: {}\n",
            cell(&p.label),
            delta(u, p.contribution),
            seg.dimension,
            items.join(" · ")
        ));
    }
    if mv.parts.iter().any(|p| p.segments.is_some()) {
        s.push('\n');
    }
}

/// `+312 (+2.9%)`.
pub(crate) fn change(u: &throughline_model::Unit, d: f64, base: f64) -> String {
    if *u == throughline_model::Unit::Percent || base == 0.0 {
        delta(u, d)
    } else {
        format!("{} ({})", delta(u, d), relative(d / base.abs()))
    }
}

/// A key result's forecast in a few words, or a dash.
pub fn forecast_text(k: &throughline_progress::okr::KrStatus) -> String {
    k.forecast_text().unwrap_or_else(|| "—".into())
}

fn key_results(rows: &[KrRow], s: &mut String) {
    if rows.is_empty() {
        s.push_str("No key results in this period.\n\n");
        return;
    }
    s.push_str("| Key result | Current | Target | Progress | Status | Confidence | Forecast |\n");
    s.push_str("|---|---|---|---|---|---|---|\n");
    for row in rows {
        let k = &row.status;
        let current = k.current.map_or("—".into(), |c| k.show(c.value));
        let target = k.target.map_or("—".into(), |t| k.show(t));
        let progress = k
            .progress
            .map_or("—".into(), throughline_progress::progress_text);
        let mut status = format!("{} {}", status_mark(k.status), k.status.label());
        if k.stalled {
            status.push_str(" (on paper only: the trend is not getting there)");
        }
        let confidence = match (k.confidence, row.checked_in) {
            (Some(c), true) => format!("{c}/10"),
            (Some(c), false) => format!("{c}/10 (no check-in this week)"),
            (None, _) => "no check-in".into(),
        };
        // the title leads; the id (for `--explain` and the YAML) follows, small
        s.push_str(&format!(
            "| **{}**<br>`{}/{}` | {} | {} | {} | {} | {} | {} |\n",
            cell(&k.title),
            cell(&row.objective),
            cell(&k.id),
            current,
            target,
            progress,
            status,
            confidence,
            cell(&forecast_text(k))
        ));
    }
    s.push('\n');
}

/// `+97% (1,020 → 2,010)`.
pub(crate) fn guardrail_change(g: &GuardrailRow) -> String {
    match (g.now, g.baseline, g.change) {
        (Some(n), Some(b), Some(c)) => {
            let rel = match g.change_relative {
                Some(r) if g.unit != throughline_model::Unit::Percent => relative(r),
                _ => delta(&g.unit, c),
            };
            format!(
                "{rel} ({} → {})",
                value(&g.unit, b),
                value(&g.unit, n.value)
            )
        }
        (Some(n), _, _) => format!("{} (no baseline)", value(&g.unit, n.value)),
        _ => "no value".into(),
    }
}

fn guardrails(r: &Review, s: &mut String) {
    if r.guardrails.is_empty() {
        s.push_str("No guardrails or KPIs: give metrics `role: guardrail` or name them under an objective's `guardrails:`.\n\n");
        return;
    }
    s.push_str("| Guardrail | Status | vs baseline | Guards | Notes |\n|---|---|---|---|---|\n");
    for g in &r.guardrails {
        let role = if g.role == "kpi" { " (KPI)" } else { "" };
        let guards = if g.guards.is_empty() {
            "—".to_string()
        } else {
            g.guards.join("<br>")
        };
        let note = match (&g.why, g.light) {
            (Some(w), _) => w.clone(),
            (None, Light::Unknown) => "no baseline before the period".into(),
            (None, _) => "within its limits".into(),
        };
        s.push_str(&format!(
            "| {}{role} | {} {} | {} | {} | {} |\n",
            cell(&g.name),
            g.light.mark(),
            g.light.label(),
            guardrail_change(g),
            cell(&guards),
            cell(&note)
        ));
    }
    s.push('\n');
    for f in &r.gaming {
        s.push_str(&format!("> ⚠️ **Gaming signal** — {}\n\n", f.sentence));
    }
}
