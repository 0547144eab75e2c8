//! The review as one self-contained HTML page: inline CSS, SVG charts, no script and nothing
//! fetched from the network, so it reads offline, in a mail attachment and on paper.

use chrono::{Duration, NaiveDate};

use crate::format::{delta, grain, pct, spread, value, when};
use crate::markdown::{change, forecast_text, guardrail_change};
use crate::review::{GuardrailRow, KrRow, Review, Trend};
use crate::svg::{self, Chart, Segment};
use crate::{Light, Point};

pub use crate::text::{escape, inline};

/// The page's styles; the dashboard shares them.
pub const STYLE: &str = r#"
:root { --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #ffffff; --soft: #f9fafb; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
main { max-width: 1080px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 16px 0 8px; }
.sub { color: var(--muted); margin: 0; }
.warn { color: #92400e; background: #fffbeb; border: 1px solid #fcd34d; border-radius: 6px; padding: 8px 12px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 14px; }
th, td { text-align: left; padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
th.num { text-align: right; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; color: var(--muted); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; background: #f3f4f6; color: #1f2937; padding: 0 3px; border-radius: 3px; }
.ns { display: flex; gap: 24px; align-items: center; flex-wrap: wrap; }
.big { font-size: 40px; font-weight: 700; line-height: 1.1; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 14px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px; background: var(--soft); break-inside: avoid; }
.card h3 { margin: 0 0 2px; }
.legend { font-size: 12px; color: var(--muted); }
.legend span { margin-right: 10px; }
.sw { display: inline-block; width: 14px; height: 0; border-top: 2px solid; vertical-align: middle; margin-right: 4px; }
.callout { border-left: 4px solid #dc2626; background: #fef2f2; padding: 8px 12px; margin: 8px 0; border-radius: 0 6px 6px 0; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.Green, .on-track, .done { background: #dcfce7; color: #166534; }
.Yellow, .at-risk { background: #fef9c3; color: #854d0e; }
.Red, .off-track { background: #fee2e2; color: #991b1b; }
.Unknown, .no-data { background: #f3f4f6; color: #374151; }
ul { padding-left: 20px; }
li { margin: 4px 0; }
footer { margin-top: 36px; color: var(--muted); font-size: 13px; }
main { overflow-wrap: break-word; }
.id, code { overflow-wrap: anywhere; }
@media (max-width: 640px) { main { padding: 16px 12px 32px; } table { display: block; overflow-x: auto; } .cards { grid-template-columns: 1fr; } nav { gap: 8px 14px; padding: 10px 12px; } .big { font-size: 32px; } }
@media print { main { max-width: none; padding: 0; } h2 { break-after: avoid; } .card, tr { break-inside: avoid; } .pill, .callout { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"#;

fn status_class(s: throughline_progress::Status) -> &'static str {
    match s {
        throughline_progress::Status::Done => "done",
        throughline_progress::Status::OnTrack => "on-track",
        throughline_progress::Status::AtRisk => "at-risk",
        throughline_progress::Status::OffTrack => "off-track",
        throughline_progress::Status::Unknown => "no-data",
    }
}

/// The review as a self-contained HTML page.
pub fn render(r: &Review) -> String {
    let title = format!("Weekly metrics review — {} · {}", r.workspace, r.week_label);
    let mut s = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{STYLE}</style></head>\n<body><main>\n",
        escape(&title)
    );
    s.push_str(&keyboard_scrollable(&body(r)));
    s.push_str("</main></body></html>\n");
    s
}

/// A page's tables made reachable by keyboard: on a narrow screen a table scrolls sideways
/// inside its box, and a box that scrolls must take the focus so it can be scrolled without
/// a mouse. (Every `<table` in the page's HTML is markup: text from the workspace or the
/// store is escaped, so it holds no `<`.)
pub fn keyboard_scrollable(html: &str) -> String {
    html.replace("<table>", "<table tabindex=\"0\">")
        .replace("<table class=", "<table tabindex=\"0\" class=")
}

/// The review's content without the page around it (the dashboard embeds it).
// Long because it is the page's template, section by section in the agenda's order.
pub fn body(r: &Review) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "<header><h1>Weekly metrics review</h1><p class=\"sub\">{} · {} ({})",
        escape(&r.workspace),
        escape(&r.week_label),
        escape(&r.week_span)
    ));
    if let Some(p) = &r.period {
        s.push_str(&format!(
            " · {} · {} of the period elapsed",
            escape(&p.label),
            pct(p.elapsed)
        ));
    }
    if let Some(d) = r.data_last {
        s.push_str(&format!(" · data through {d}"));
    }
    s.push_str("</p>");
    if let Some(d) = r.data_last.filter(|d| *d < r.week.last_day()) {
        s.push_str(&format!(
            "<p class=\"warn\">The data ends on {d}, before the week does: the week is incomplete.</p>"
        ));
    }
    s.push_str("</header>\n");

    s.push_str("<section id=\"north-star\"><h2>1. North Star check</h2>\n");
    north_star(r, &mut s);
    s.push_str("</section>\n<section id=\"key-results\"><h2>2. Key result progress</h2>\n");
    key_results(&r.key_results, &r.decisions, &mut s);
    s.push_str("</section>\n<section id=\"guardrails\"><h2>3. Guardrail check</h2>\n");
    guardrails(r, &mut s);
    s.push_str("</section>\n<section id=\"experiments\"><h2>4. Experiment results</h2>\n");
    if r.experiments.is_empty() {
        s.push_str("<p>No experiments are defined.</p>\n");
    } else {
        s.push_str("<ul>\n");
        for e in &r.experiments {
            let class = match e.decision {
                Some(throughline_experiment::Decision::Ship) => "Green",
                Some(throughline_experiment::Decision::KeepRunning) => "Unknown",
                Some(throughline_experiment::Decision::DontShip) => "Yellow",
                _ => "Red",
            };
            s.push_str(&format!(
                "<li><strong>{}</strong> <span class=\"pill {class}\">{}</span>",
                escape(&e.id),
                escape(&e.label)
            ));
            if let Some(l) = &e.lift {
                s.push_str(&format!(" {}.", escape(l)));
            }
            s.push_str(&format!(" {}", inline(&e.reason)));
            if let Some(h) = &e.hypothesis {
                s.push_str(&format!(
                    "<br><span class=\"legend\">Hypothesis: {}</span>",
                    escape(h)
                ));
            }
            s.push_str("</li>\n");
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</section>\n<section id=\"insights\"><h2>5. Insights</h2>\n");
    if r.insights.is_empty() && r.stale.is_empty() {
        s.push_str("<p>No metric moved beyond its normal wobble, and every source is fresh.</p>\n");
    } else {
        s.push_str("<ul>\n");
        for i in &r.insights {
            s.push_str(&format!("<li>{}</li>\n", inline(&i.sentence)));
        }
        for n in &r.insight_notes {
            s.push_str(&format!("<li>{}</li>\n", inline(n)));
        }
        for st in &r.stale {
            s.push_str(&format!(
                "<li><span class=\"pill Yellow\">stale data</span> {}</li>\n",
                inline(&st.sentence)
            ));
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</section>\n<section id=\"decisions\"><h2>6. Decisions and next week's focus</h2>\n<h3>Decisions made</h3>\n");
    if r.decisions.is_empty() {
        s.push_str("<p>None recorded this week.</p>\n");
    } else {
        s.push_str("<ul>\n");
        for d in &r.decisions {
            let about = d
                .about
                .as_ref()
                .map_or(String::new(), |a| format!(", about {}", escape(a)));
            s.push_str(&format!(
                "<li>{} <span class=\"legend\">— {}, {}{about}</span></li>\n",
                escape(&d.text),
                escape(&d.author),
                d.day
            ));
        }
        s.push_str("</ul>\n");
    }
    s.push_str("<h3>Next week's focus</h3>\n");
    if r.focus.is_empty() {
        s.push_str("<p>Nothing is at risk: keep going.</p>\n");
    } else {
        s.push_str("<ul>\n");
        for f in &r.focus {
            s.push_str(&format!("<li>{}</li>\n", inline(f)));
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</section>\n<footer>Changes within the normal wobble (±2σ of a line through the last 12 values) are not called trends. <code>throughline measure --explain METRIC</code> shows how any number here is computed.</footer>\n");
    s
}

/// The North Star block: value, trend, target and chart.
pub fn north_star_html(r: &Review) -> String {
    let mut s = String::new();
    north_star(r, &mut s);
    s
}

/// The guardrail table with sparklines, and the gaming signals.
pub fn guardrails_html(r: &Review) -> String {
    let mut s = String::new();
    guardrails(r, &mut s);
    s
}

// Long because it is one template: the North Star's headline, trend, target and chart.
fn north_star(r: &Review, s: &mut String) {
    let Some(ns) = &r.north_star else {
        match &r.north_star_without_data {
            Some(name) => s.push_str(&format!(
                "<p><strong>{}: no data</strong> for this week (<code>throughline check --with-data</code> says why).</p>\n",
                escape(name)
            )),
            None => s.push_str(
                "<p>No North Star: give one metric <code>role: north_star</code>.</p>\n",
            ),
        }
        return;
    };
    let u = &ns.unit;
    let show = |v: f64| value(u, v);
    s.push_str(&format!(
        "<div class=\"ns\"><div><div class=\"legend\">{} · {}</div><div class=\"big\">{}</div>",
        escape(&ns.name),
        escape(&when(&ns.current)),
        escape(&show(ns.current.value))
    ));
    let trend = match ns.trend {
        Trend::Up => "up",
        Trend::Down => "down",
        Trend::Flat => "flat (within normal wobble)",
        Trend::Unknown => "not enough history for a trend",
    };
    s.push_str(&format!("<div>Trend: <strong>{trend}</strong></div>"));
    if let Some(last) = ns.last {
        s.push_str(&format!(
            "<div>{} vs last {}</div>",
            escape(&change(u, ns.current.value - last.value, last.value)),
            grain(&ns.current)
        ));
    }
    if let (Some(avg), Some(b)) = (ns.average, ns.band) {
        s.push_str(&format!(
            "<div>{} vs the 4-{} average of {} (normal wobble ±{})</div>",
            escape(&change(u, ns.current.value - avg, avg)),
            grain(&ns.current),
            escape(&show(avg)),
            escape(&spread(u, b))
        ));
    }
    match &ns.target {
        Some(t) => s.push_str(&format!(
            "<div>vs target: <strong>{}</strong> — {} by {}{}</div>",
            escape(&t.verdict),
            escape(&show(t.target)),
            t.by,
            t.progress
                .map_or(String::new(), |p| format!(", {} of the way", pct(p)))
        )),
        None => s.push_str("<div>vs target: no target set</div>"),
    }
    s.push_str("</div><div>");
    let marks = decision_marks(&r.decisions, &[ns.metric.as_str()]);
    let chart = Chart {
        width: 560.0,
        height: 200.0,
        title: format!(
            "{} by {}, with its 4-{} average and normal wobble",
            ns.name,
            grain(&ns.current),
            grain(&ns.current)
        ),
        series: ns.series.iter().map(|v| (v.start, v.value)).collect(),
        levels: ns
            .target
            .iter()
            .map(|t| (t.target, svg::TARGET, format!("target {}", show(t.target))))
            .collect(),
        segments: Vec::new(),
        band: match (ns.average, ns.band) {
            (Some(a), Some(b)) => ns
                .series
                .len()
                .checked_sub(5)
                .map(|i| (ns.series[i].start, a - b, a + b)),
            _ => None,
        },
        x_range: None,
        axes: true,
        show: &show,
        annotations: &marks,
    };
    s.push_str(&chart.render());
    s.push_str(&format!(
        "<div class=\"legend\"><span><i class=\"sw\" style=\"border-color:{}\"></i>{}</span><span><i class=\"sw\" style=\"border-color:{}\"></i>target</span><span><i class=\"sw\" style=\"border-color:{};border-top-width:8px\"></i>4-{} average ± normal wobble</span></div>",
        svg::SERIES,
        escape(&ns.name),
        svg::TARGET,
        svg::BAND,
        grain(&ns.current)
    ));
    s.push_str("</div></div>\n");
    movers(ns, s);
}

/// What moved the North Star: a waterfall from last period's value to this one's.
fn movers(ns: &crate::review::NorthStar, s: &mut String) {
    if let Some(note) = &ns.movers_note {
        s.push_str(&format!("<p class=\"legend\">{}</p>\n", escape(note)));
    }
    let Some(mv) = &ns.movers else { return };
    let u = &ns.unit;
    let g = grain(&ns.current);
    let how = match mv.method {
        "lifecycle" => format!(
            "users gained and lost (<code>{}</code>)",
            escape(&mv.source)
        ),
        _ => format!(
            "each input's share of the change in <code>{}</code>; the shares add up to it",
            escape(&mv.source)
        ),
    };
    s.push_str(&format!(
        "<h3>What moved it</h3><p>{} → {} ({}) since {}: {how}.</p>\n",
        escape(&value(u, mv.before)),
        escape(&value(u, mv.after)),
        escape(&delta(u, mv.after - mv.before)),
        escape(&mv.since)
    ));
    let changes: Vec<(String, f64)> = mv
        .parts
        .iter()
        .map(|p| (p.label.clone(), p.contribution))
        .collect();
    let last_label = mv.then_label();
    let this_label = format!("this {g}");
    s.push_str(&svg::waterfall(
        &format!("{}: from {} to this {g}", ns.name, mv.since),
        (&last_label, mv.before),
        &changes,
        (&this_label, mv.after),
        &|v| value(u, v),
        &|d| delta(u, d),
    ));
    if let Some(i) = mv
        .interaction
        .filter(|i| i.abs() > 1e-9 * mv.after.abs().max(1.0))
    {
        s.push_str(&format!(
            "<p class=\"legend\">Of that, {} comes from the inputs moving together, shared out among them.</p>\n",
            escape(&delta(u, i))
        ));
    }
    let with: Vec<&crate::review::Mover> =
        mv.parts.iter().filter(|p| p.segments.is_some()).collect();
    if with.is_empty() {
        return;
    }
    s.push_str("<p class=\"legend\">Each input's part by segment, of the dimension that explains its change best:</p>\n<ul class=\"segments\">\n");
    for p in with {
        let Some(seg) = &p.segments else { continue };
        let items: Vec<String> = seg
            .shown()
            .iter()
            .map(|(name, x)| format!("{} {}", escape(name), escape(&delta(u, *x))))
            .collect();
        s.push_str(&format!(
            "<li><strong>{}</strong> ({}) by {}: {}</li>\n",
            escape(&p.label),
            escape(&delta(u, p.contribution)),
            escape(&seg.dimension),
            items.join(" · ")
        ));
    }
    s.push_str("</ul>\n");
}

fn key_results(rows: &[KrRow], decisions: &[crate::DecisionView], s: &mut String) {
    if rows.is_empty() {
        s.push_str("<p>No key results in this period.</p>\n");
        return;
    }
    s.push_str("<table><thead><tr><th>Key result</th><th>Current</th><th>Target</th><th>Progress</th><th>Status</th><th>Confidence</th><th>Forecast</th></tr></thead><tbody>\n");
    for row in rows {
        let k = &row.status;
        let confidence = match (k.confidence, row.checked_in) {
            (Some(c), true) => format!("{c}/10"),
            (Some(c), false) => {
                format!("{c}/10<br><span class=\"legend\">no check-in this week</span>")
            }
            (None, _) => "no check-in".into(),
        };
        let mut status = format!(
            "<span class=\"pill {}\">{}</span>",
            status_class(k.status),
            k.status.label()
        );
        if k.stalled {
            status.push_str(
                "<br><span class=\"legend\">on paper only: the trend is not getting there</span>",
            );
        }
        s.push_str(&format!(
            "<tr><td>{}<br><span class=\"id\">{}/{}</span></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{status}</td><td>{confidence}</td><td>{}</td></tr>\n",
            escape(&k.title),
            escape(&row.objective),
            escape(&k.id),
            escape(&k.current.map_or("—".into(), |c| k.show(c.value))),
            escape(&k.target.map_or("—".into(), |t| k.show(t))),
            k.progress.map_or("—".into(), throughline_progress::progress_text),
            escape(&forecast_text(k))
        ));
    }
    s.push_str("</tbody></table>\n<div class=\"cards\">\n");
    for row in rows.iter().filter(|r| !r.chart.is_empty()) {
        s.push_str(&kr_card(row, decisions));
    }
    s.push_str("</div>\n");
    s.push_str(&format!(
        "<p class=\"legend\"><span><i class=\"sw\" style=\"border-color:{}\"></i>value</span><span><i class=\"sw\" style=\"border-color:{};border-top-style:dashed\"></i>target</span><span><i class=\"sw\" style=\"border-color:{};border-top-style:dotted\"></i>pacing: baseline to target over the period</span></p>\n",
        svg::SERIES,
        svg::TARGET,
        svg::PACING
    ));
}

/// The decisions a chart about `ids` (a metric, a key result, its objective) is marked with:
/// those about one of them, and those about nothing in particular.
pub fn decision_marks(decisions: &[crate::DecisionView], ids: &[&str]) -> Vec<(NaiveDate, String)> {
    decisions
        .iter()
        .filter(|d| d.about.as_deref().is_none_or(|a| ids.contains(&a)))
        .map(|d| (d.day, format!("decision ({}): {}", d.author, d.text)))
        .collect()
}

/// What a key result's chart is about: the key result (by id and by path), its objective and
/// its metric.
pub fn kr_ids(row: &KrRow) -> Vec<String> {
    let k = &row.status;
    let mut ids = vec![
        k.id.clone(),
        format!("{}/{}", row.objective, k.id),
        row.objective.clone(),
    ];
    ids.extend(k.metric.clone());
    ids
}

/// A key result's chart: its values against the target and the pacing line from baseline
/// to target over the period, with `notes` marked at their dates.
pub fn kr_chart(row: &KrRow, width: f64, height: f64, notes: &[(NaiveDate, String)]) -> String {
    let k = &row.status;
    let show = |v: f64| k.show(v);
    let mut segments = Vec::new();
    if let (Some(b), Some(t)) = (k.baseline, k.target) {
        segments.push(Segment {
            from: (row.period_start, b),
            to: (row.period_end - Duration::days(1), t),
            color: svg::PACING,
            label: format!("pacing from {} to {}", show(b), show(t)),
        });
    }
    let first = row.chart.first().map_or(row.period_start, |v| v.start);
    Chart {
        width,
        height,
        title: format!("{}: values against target and pacing", k.title),
        series: row.chart.iter().map(|v| (v.start, v.value)).collect(),
        levels: k
            .target
            .iter()
            .map(|t| (*t, svg::TARGET, format!("target {}", show(*t))))
            .collect(),
        segments,
        band: None,
        x_range: Some((
            first.min(row.period_start),
            row.period_end - Duration::days(1),
        )),
        axes: true,
        show: &show,
        annotations: notes,
    }
    .render()
}

fn kr_card(row: &KrRow, decisions: &[crate::DecisionView]) -> String {
    let k = &row.status;
    format!(
        "<div class=\"card\"><h3>{}</h3><div class=\"id\">{}/{}</div>{}</div>\n",
        escape(&k.title),
        escape(&row.objective),
        escape(&k.id),
        kr_chart(row, 320.0, 150.0, &{
            let ids = kr_ids(row);
            decision_marks(
                decisions,
                &ids.iter().map(String::as_str).collect::<Vec<_>>(),
            )
        })
    )
}

/// A guardrail's sparkline with its limits.
pub fn spark(g: &GuardrailRow) -> String {
    let show = |v: f64| value(&g.unit, v);
    let mut levels = Vec::new();
    for l in &g.limits {
        match l {
            crate::guardrails::Limit::Max { value: v }
            | crate::guardrails::Limit::Min { value: v } => {
                levels.push((*v, svg::LIMIT, format!("limit {}", show(*v))));
            }
            crate::guardrails::Limit::MaxIncrease { percent } => {
                if let Some(b) = g.baseline {
                    let v = b + b.abs() * percent / 100.0;
                    levels.push((v, svg::LIMIT, format!("limit {} (+{percent}%)", show(v))));
                }
            }
            crate::guardrails::Limit::MaxDecrease { percent } => {
                if let Some(b) = g.baseline {
                    let v = b - b.abs() * percent / 100.0;
                    levels.push((v, svg::LIMIT, format!("limit {} (−{percent}%)", show(v))));
                }
            }
        }
    }
    svg::sparkline(
        format!("{}: the last {} values", g.name, g.spark.len()),
        g.spark.iter().map(|v: &Point| (v.start, v.value)).collect(),
        levels,
        (140.0, 36.0),
        &show,
    )
}

fn guardrails(r: &Review, s: &mut String) {
    if r.guardrails.is_empty() {
        s.push_str("<p>No guardrails or KPIs.</p>\n");
        return;
    }
    s.push_str("<table><thead><tr><th>Guardrail</th><th>Status</th><th>vs baseline</th><th>Last 12</th><th>Guards</th><th>Notes</th></tr></thead><tbody>\n");
    for g in &r.guardrails {
        let note = match (&g.why, g.light) {
            (Some(w), _) => w.clone(),
            (None, Light::Unknown) => "no baseline before the period".into(),
            (None, _) => "within its limits".into(),
        };
        let guards: Vec<String> = g.guards.iter().map(|x| escape(x)).collect();
        s.push_str(&format!(
            "<tr><td>{}{}</td><td><span class=\"pill {}\">{}</span></td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&g.name),
            if g.role == "kpi" { " <span class=\"legend\">KPI</span>" } else { "" },
            g.light.label(),
            g.light.label(),
            escape(&guardrail_change(g)),
            spark(g),
            if guards.is_empty() { "—".into() } else { guards.join("<br>") },
            escape(&note)
        ));
    }
    s.push_str("</tbody></table>\n");
    for f in &r.gaming {
        s.push_str(&format!(
            "<div class=\"callout\"><strong>Gaming signal</strong> — {}</div>\n",
            inline(&f.sentence)
        ));
    }
}
