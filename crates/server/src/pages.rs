//! Server-rendered pages: plain HTML and SVG, no script. Every piece of text from the
//! workspace, the store or the request is escaped.

use throughline_model::Unit;
use throughline_progress::Status;
use throughline_progress::okr::{KrStatus, ObjectiveStatus};
use throughline_review::html::{STYLE, escape, inline, kr_chart};
use throughline_review::svg::{self, Chart};

use crate::auth::Caller;
use crate::data::{
    Alignment, Experiments, KeyResultPage, MetricNode, MetricPage, MetricSummary, ObjectivePage,
    Overview,
};

const EXTRA_STYLE: &str = r#"
nav { display: flex; gap: 18px; align-items: baseline; border-bottom: 1px solid var(--line); padding: 12px 20px; flex-wrap: wrap; }
nav .brand { font-weight: 700; margin-right: 8px; }
nav a { color: var(--ink); text-decoration: none; }
nav a:hover, a:hover { text-decoration: underline; }
nav .me { margin-left: auto; color: var(--muted); font-size: 14px; }
a { color: #1d4ed8; }
.bar { display: inline-block; width: 90px; height: 8px; background: #e5e7eb; border-radius: 4px; vertical-align: middle; overflow: hidden; }
.bar i { display: block; height: 100%; background: #2563eb; }
.tree ul { list-style: none; padding-left: 22px; border-left: 1px dashed var(--line); margin: 4px 0; }
.tree > ul { border-left: none; padding-left: 0; }
.obj { margin: 10px 0; }
.krs { margin: 4px 0 0 0; font-size: 14px; }
form.inline { display: flex; gap: 8px; align-items: end; flex-wrap: wrap; margin: 8px 0 16px; }
label { display: block; font-size: 13px; color: var(--muted); }
input, select, textarea { font: inherit; padding: 5px 7px; border: 1px solid #d1d5db; border-radius: 6px; }
textarea { width: 100%; min-height: 70px; }
button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #1d4ed8; background: #2563eb; color: white; cursor: pointer; }
.flash { background: #dcfce7; border: 1px solid #86efac; padding: 8px 12px; border-radius: 6px; }
.err { background: #fee2e2; border: 1px solid #fca5a5; padding: 8px 12px; border-radius: 6px; }
pre { background: #f3f4f6; padding: 10px; border-radius: 6px; overflow-x: auto; font-size: 12px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
@media print { nav, form { display: none; } }
"#;

/// Percent-encodes a URL path (ids are kebab- or snake-case, but nothing is assumed).
pub fn url_path(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// A page with the navigation and who is signed in.
pub fn layout(title: &str, caller: &Caller, body: &str) -> String {
    let me = match caller.name() {
        Some(n) => format!(
            "{} ({}) · <form method=\"post\" action=\"/logout\" style=\"display:inline\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button style=\"padding:1px 8px;font-size:13px\">Sign out</button></form>",
            escape(n),
            caller.role.map_or("?", |r| r.as_str()),
            escape(caller.csrf.as_deref().unwrap_or(""))
        ),
        None => "<a href=\"/login\">Sign in</a>".into(),
    };
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} · throughline</title><style>{STYLE}{EXTRA_STYLE}</style></head>\n<body><nav><span class=\"brand\">throughline</span><a href=\"/\">Overview</a><a href=\"/alignment\">Alignment</a><a href=\"/metrics\">Metrics</a><a href=\"/review\">Weekly review</a><a href=\"/experiments\">Experiments</a><span class=\"me\">{me}</span></nav>\n<main>\n{body}\n</main></body></html>\n",
        escape(title)
    )
}

pub fn error_page(caller: &Caller, status: u16, message: &str, help: &str) -> String {
    layout(
        "Error",
        caller,
        &format!(
            "<h1>{status}</h1><p class=\"err\">{}</p><p>{}</p>",
            escape(message),
            escape(help)
        ),
    )
}

fn status_pill(s: Status) -> String {
    let class = match s {
        Status::Done => "done",
        Status::OnTrack => "on-track",
        Status::AtRisk => "at-risk",
        Status::OffTrack => "off-track",
        Status::Unknown => "no-data",
    };
    format!("<span class=\"pill {class}\">{}</span>", s.label())
}

fn bar(p: Option<f64>) -> String {
    match p {
        Some(p) => format!(
            "<span class=\"bar\" title=\"{}\"><i style=\"width:{:.0}%\"></i></span> {}",
            pct(p),
            (p.clamp(0.0, 1.0) * 100.0),
            pct(p)
        ),
        None => "—".into(),
    }
}

fn unit_of(text: &str) -> Unit {
    Unit::parse(text).unwrap_or(Unit::Count)
}

fn sparkline(values: &[throughline_review::Value], unit: &Unit, title: &str) -> String {
    let show = |v: f64| unit.format(v);
    svg::sparkline(
        title.to_string(),
        values.iter().map(|v| (v.start, v.value)).collect(),
        Vec::new(),
        (120.0, 30.0),
        &show,
    )
}

fn tree_node(n: &MetricNode, out: &mut String) {
    let unit = unit_of(&n.unit);
    let latest = n.latest.map_or("—".into(), |v| unit.format(v.value));
    let change = n.change.map_or(String::new(), |c| {
        let sign = if c < 0.0 { "−" } else { "+" };
        format!(
            " <span class=\"legend\">{sign}{} vs the period before</span>",
            escape(&unit.format(c.abs()))
        )
    });
    out.push_str(&format!(
        "<li><a href=\"/metrics/{}\">{}</a> <span class=\"legend\">{}</span> <strong>{}</strong>{change} {}",
        url_path(&n.id),
        escape(&n.name),
        n.role.replace('_', " "),
        escape(&latest),
        sparkline(&n.recent, &unit, &format!("{}: recent values", n.name))
    ));
    if !n.children.is_empty() {
        out.push_str("<ul>");
        for c in &n.children {
            tree_node(c, out);
        }
        out.push_str("</ul>");
    }
    out.push_str("</li>");
}

pub fn overview(o: &Overview, review: &throughline_review::Review, caller: &Caller) -> String {
    let mut s = format!(
        "<h1>{}</h1><p class=\"sub\">{} ({}) · data through {} · computed {}</p>",
        escape(&o.workspace),
        escape(&o.week_label),
        escape(&o.week_span),
        o.data_through.map_or("—".into(), |d| d.to_string()),
        o.computed_at.format("%Y-%m-%d %H:%M UTC")
    );
    let [done, on, risk, off, unknown] = o.key_results;
    s.push_str(&format!(
        "<p>Key results: {done} done · {on} on track · {risk} at risk · {off} off track · {unknown} without data — <a href=\"/alignment\">see the alignment</a></p>"
    ));
    s.push_str("<h2>North Star</h2>");
    s.push_str(&throughline_review::html::north_star_html(review));
    if let Some(t) = &o.tree {
        s.push_str("<h2>The metric tree</h2><p class=\"legend\">Each metric under the one it feeds (<code>supports:</code>); follow a metric to its definition and the data behind it.</p><div class=\"tree\"><ul>");
        tree_node(t, &mut s);
        s.push_str("</ul></div>");
    }
    s.push_str("<h2>Guardrails and KPIs</h2>");
    s.push_str(&throughline_review::html::guardrails_html(review));
    layout(&o.workspace, caller, &s)
}

fn kr_line(o: &ObjectiveStatus, k: &KrStatus) -> String {
    let now = k.current.map_or("no value yet".into(), |c| k.show(c.value));
    let target = k
        .target
        .map_or(String::new(), |t| format!(" → {}", k.show(t)));
    let confidence = k
        .confidence
        .map_or("no check-in".into(), |c| format!("confidence {c}/10"));
    let forecast = match (k.forecast, k.target) {
        (Some(f), Some(t)) => format!(
            " · forecast {} ({} likely to reach {})",
            k.show(f.value),
            f.chance(),
            k.show(t)
        ),
        _ => String::new(),
    };
    format!(
        "<li><a href=\"/key-results/{}/{}\">{}</a> — {}{} · {} {} · {}{}</li>",
        url_path(&o.path),
        url_path(&k.id),
        escape(&k.title),
        escape(&now),
        escape(&target),
        bar(k.progress),
        status_pill(k.status),
        escape(&confidence),
        escape(&forecast)
    )
}

fn objective_item(all: &[ObjectiveStatus], i: usize, seen: &mut Vec<bool>, out: &mut String) {
    if std::mem::replace(&mut seen[i], true) {
        return;
    }
    let o = &all[i];
    out.push_str(&format!(
        "<li class=\"obj\"><a href=\"/objectives/{}\"><strong>{}</strong></a> <span class=\"id\">{}</span><br><span class=\"legend\">{} · {}</span> {} {}",
        url_path(&o.path),
        escape(&o.title),
        escape(&o.path),
        escape(o.owner.as_deref().unwrap_or("no owner")),
        if o.committed { "committed" } else { "aspirational" },
        bar(o.progress),
        status_pill(o.status)
    ));
    out.push_str("<ul class=\"krs\">");
    for k in &o.key_results {
        out.push_str(&kr_line(o, k));
    }
    for (c, child) in all.iter().enumerate() {
        let parent = child.aligns_to.as_deref();
        if c != i && (parent == Some(o.path.as_str()) || parent == Some(o.id.as_str())) {
            objective_item(all, c, seen, out);
        }
    }
    out.push_str("</ul></li>");
}

pub fn alignment(a: &Alignment, caller: &Caller) -> String {
    let option = |v: &str, sel: bool, label: &str| {
        format!(
            "<option value=\"{}\"{}>{}</option>",
            escape(v),
            if sel { " selected" } else { "" },
            escape(label)
        )
    };
    let mut s = format!(
        "<h1>Alignment</h1><p class=\"sub\">company → team → objective → key result · {} as of {}</p>",
        escape(&a.period),
        a.as_of
    );
    s.push_str("<form class=\"inline\" method=\"get\" action=\"/alignment\"><div><label for=\"team\">Team</label><select id=\"team\" name=\"team\">");
    s.push_str(&option("", a.team.is_none(), "every team"));
    for t in &a.teams {
        s.push_str(&option(t, a.team.as_deref() == Some(t.as_str()), t));
    }
    s.push_str("</select></div><div><label for=\"period\">Period</label><select id=\"period\" name=\"period\">");
    for p in &a.periods {
        s.push_str(&option(p, *p == a.period, p));
    }
    s.push_str("</select></div><button>Show</button></form>");
    if a.objectives.is_empty() {
        s.push_str("<p>No objectives match.</p>");
    }
    let all = &a.objectives;
    let has_parent = |o: &ObjectiveStatus| {
        o.aligns_to.as_deref().is_some_and(|p| {
            all.iter()
                .any(|x| (x.path == p || x.id == p) && x.path != o.path)
        })
    };
    let mut roots: Vec<usize> = (0..all.len()).filter(|&i| !has_parent(&all[i])).collect();
    roots.sort_by_key(|&i| !all[i].is_company_level());
    let mut seen = vec![false; all.len()];
    s.push_str("<div class=\"tree\"><ul>");
    for r in roots {
        objective_item(all, r, &mut seen, &mut s);
    }
    s.push_str("</ul></div>");
    layout("Alignment", caller, &s)
}

fn kr_table(rows: &[throughline_review::KrRow]) -> String {
    let mut s = String::from(
        "<table><thead><tr><th>Key result</th><th>Current</th><th>Target</th><th>Progress</th><th>Status</th><th>Confidence</th></tr></thead><tbody>",
    );
    for r in rows {
        let k = &r.status;
        s.push_str(&format!(
            "<tr><td><a href=\"/key-results/{}/{}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            url_path(&r.objective),
            url_path(&k.id),
            escape(&k.title),
            escape(&k.current.map_or("—".into(), |c| k.show(c.value))),
            escape(&k.target.map_or("—".into(), |t| k.show(t))),
            bar(k.progress),
            status_pill(k.status),
            k.confidence.map_or("—".into(), |c| format!("{c}/10"))
        ));
    }
    s.push_str("</tbody></table>");
    s
}

pub fn objective(p: &ObjectivePage, caller: &Caller) -> String {
    let o = &p.status;
    let mut s = format!(
        "<h1>{}</h1><p class=\"sub\"><span class=\"id\">{}</span> · {} · {} · {} · {} {}</p>",
        escape(&o.title),
        escape(&o.path),
        escape(o.owner.as_deref().unwrap_or("no owner")),
        escape(&o.period),
        if o.committed {
            "committed"
        } else {
            "aspirational"
        },
        bar(o.progress),
        status_pill(o.status)
    );
    if let Some(a) = &o.aligns_to {
        s.push_str(&format!(
            "<p>Aligns to <a href=\"/objectives/{}\">{}</a></p>",
            url_path(a),
            escape(a)
        ));
    }
    if let Some(w) = &p.why {
        s.push_str(&format!("<p><strong>Why:</strong> {}</p>", escape(w)));
    }
    s.push_str("<h2>Key results</h2>");
    s.push_str(&kr_table(&p.key_results));
    s.push_str("<div class=\"cards\">");
    for r in p.key_results.iter().filter(|r| !r.chart.is_empty()) {
        s.push_str(&format!(
            "<div class=\"card\"><h3><a href=\"/key-results/{}/{}\">{}</a></h3>{}</div>",
            url_path(&r.objective),
            url_path(&r.status.id),
            escape(&r.status.title),
            kr_chart(r, 320.0, 150.0)
        ));
    }
    s.push_str("</div>");
    if !p.guardrails.is_empty() {
        s.push_str("<h2>Guardrails</h2><ul>");
        for g in &p.guardrails {
            s.push_str(&format!(
                "<li><a href=\"/metrics/{}\">{}</a> <span class=\"pill {}\">{}</span> {}</li>",
                url_path(&g.metric),
                escape(&g.name),
                g.light.label(),
                g.light.label(),
                escape(g.why.as_deref().unwrap_or(""))
            ));
        }
        s.push_str("</ul>");
    }
    if !p.initiatives.is_empty() {
        s.push_str("<h2>Initiatives</h2><ul>");
        for i in &p.initiatives {
            s.push_str(&format!("<li>{}</li>", escape(i)));
        }
        s.push_str("</ul>");
    }
    if !p.children.is_empty() {
        s.push_str("<h2>Aligned objectives</h2><ul>");
        for c in &p.children {
            s.push_str(&format!(
                "<li><a href=\"/objectives/{}\">{}</a></li>",
                url_path(c),
                escape(c)
            ));
        }
        s.push_str("</ul>");
    }
    layout(&o.title, caller, &s)
}

/// The state of the check-in form: a message to show, and what was typed.
#[derive(Default)]
pub struct FormState {
    pub flash: Option<String>,
    pub error: Option<String>,
    pub note: String,
    pub value: String,
    pub confidence: Option<i64>,
}

pub fn key_result(
    p: &KeyResultPage,
    caller: &Caller,
    form: &FormState,
    may_write: Result<(), String>,
) -> String {
    let r = &p.row;
    let k = &r.status;
    let mut s = format!(
        "<h1>{}</h1><p class=\"sub\"><span class=\"id\">{}</span> · objective <a href=\"/objectives/{}\">{}</a></p>",
        escape(&k.title),
        escape(&p.path),
        url_path(&r.objective),
        escape(&r.objective_title)
    );
    if let Some(f) = &form.flash {
        s.push_str(&format!(
            "<p class=\"flash\" role=\"status\">{}</p>",
            escape(f)
        ));
    }
    s.push_str("<dl class=\"facts\">");
    let fact =
        |s: &mut String, k: &str, v: String| s.push_str(&format!("<dt>{k}</dt><dd>{v}</dd>"));
    match &k.metric {
        Some(m) => fact(
            &mut s,
            "Metric",
            format!(
                "<a href=\"/metrics/{}\">{}</a> — its definition and the data behind it",
                url_path(m),
                escape(m)
            ),
        ),
        None => fact(
            &mut s,
            "Measured",
            format!("by hand: check in a value in {}", escape(&p.unit)),
        ),
    }
    fact(&mut s, "Owner", escape(k.owner.as_deref().unwrap_or("—")));
    fact(
        &mut s,
        "Current",
        escape(&k.current.map_or("no value yet".into(), |c| {
            format!("{} ({})", k.show(c.value), c.bucket())
        })),
    );
    fact(
        &mut s,
        "Baseline → target",
        escape(&match (k.baseline, k.target) {
            (Some(b), Some(t)) => format!(
                "{} → {}{}",
                k.show(b),
                k.show(t),
                k.stretch
                    .map_or(String::new(), |x| format!(" (stretch {})", k.show(x)))
            ),
            _ => "—".into(),
        }),
    );
    fact(
        &mut s,
        "Progress",
        format!("{} {}", bar(k.progress), status_pill(k.status)),
    );
    fact(
        &mut s,
        "Confidence",
        k.confidence
            .map_or("no check-in yet".into(), |c| format!("{c}/10")),
    );
    fact(
        &mut s,
        "Forecast",
        escape(&throughline_review::markdown::forecast_text(k)),
    );
    s.push_str("</dl>");
    if k.stalled {
        s.push_str("<p class=\"warn\">On track on paper, but not moving: the trend is unlikely to reach the target.</p>");
    }
    if !r.chart.is_empty() {
        s.push_str("<h2>Values against target and pacing</h2>");
        s.push_str(&kr_chart(r, 640.0, 240.0));
        s.push_str(&format!(
            "<p class=\"legend\"><span><i class=\"sw\" style=\"border-color:{}\"></i>value</span><span><i class=\"sw\" style=\"border-color:{};border-top-style:dashed\"></i>target</span><span><i class=\"sw\" style=\"border-color:{};border-top-style:dotted\"></i>pacing</span></p>",
            svg::SERIES, svg::TARGET, svg::PACING
        ));
    }
    let confidences: Vec<(chrono::NaiveDate, f64)> = p
        .checkins
        .iter()
        .rev()
        .filter_map(|c| c.confidence.map(|x| (c.day, x as f64)))
        .collect();
    if confidences.len() > 1 {
        let show = |v: f64| format!("{v:.0}/10");
        s.push_str("<h2>Confidence over time</h2>");
        s.push_str(
            &Chart {
                width: 640.0,
                height: 160.0,
                title: format!("{}: stated confidence at each check-in", k.title),
                series: confidences,
                levels: vec![
                    (0.0, svg::PACING, "0".into()),
                    (10.0, svg::PACING, "10".into()),
                ],
                segments: Vec::new(),
                band: None,
                x_range: None,
                axes: true,
                show: &show,
            }
            .render(),
        );
    }
    s.push_str("<h2 id=\"check-in\">Check in</h2>");
    if let Some(e) = &form.error {
        s.push_str(&format!(
            "<p class=\"err\" role=\"alert\">{}</p>",
            escape(e)
        ));
    }
    match (&may_write, caller.name()) {
        (Ok(()), _) => {
            s.push_str(&format!(
                "<form method=\"post\" action=\"/key-results/{}\" id=\"checkin-form\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">",
                url_path(&p.path),
                escape(caller.csrf.as_deref().unwrap_or(""))
            ));
            s.push_str("<div class=\"inline\" style=\"display:flex;gap:12px;flex-wrap:wrap\"><div><label for=\"confidence\">Confidence that it reaches its target (0–10)</label><select id=\"confidence\" name=\"confidence\"><option value=\"\">—</option>");
            for c in 0..=10 {
                s.push_str(&format!(
                    "<option value=\"{c}\"{}>{c}</option>",
                    if form.confidence == Some(c) { " selected" } else { "" }
                ));
            }
            s.push_str("</select></div>");
            if p.manual {
                s.push_str(&format!(
                    "<div><label for=\"value\">Value ({})</label><input id=\"value\" name=\"value\" value=\"{}\" maxlength=\"40\"></div>",
                    escape(&p.unit),
                    escape(&form.value)
                ));
            }
            s.push_str(&format!(
                "</div><label for=\"note\">What changed, what is blocking</label><textarea id=\"note\" name=\"note\" maxlength=\"2000\">{}</textarea><p><button type=\"submit\">Record check-in</button></p></form>",
                escape(&form.note)
            ));
        }
        (Err(why), Some(_)) => s.push_str(&format!("<p class=\"legend\">{}</p>", escape(why))),
        (Err(_), None) => s.push_str(&format!(
            "<p><a href=\"/login?next=/key-results/{}\">Sign in</a> with an editor token of team {} to check in.</p>",
            url_path(&p.path),
            escape(&p.team)
        )),
    }
    s.push_str("<h2>Check-in history</h2>");
    if p.checkins.is_empty() {
        s.push_str("<p>No check-ins yet.</p>");
    } else {
        s.push_str("<table id=\"checkins\"><thead><tr><th>Day</th><th>Who</th><th>Confidence</th><th>Value</th><th>Note</th></tr></thead><tbody>");
        for c in &p.checkins {
            s.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                c.day,
                escape(&c.author),
                c.confidence.map_or("—".into(), |x| format!("{x}/10")),
                escape(&c.value.map_or("—".into(), |v| k.show(v))),
                escape(&c.note)
            ));
        }
        s.push_str("</tbody></table>");
    }
    layout(&k.title, caller, &s)
}

pub fn metrics(list: &[MetricSummary], caller: &Caller) -> String {
    let mut s = String::from(
        "<h1>Metrics</h1><p class=\"sub\">Every metric with its definition, formula, data source and owner.</p><table><thead><tr><th>Metric</th><th>Role</th><th>Type</th><th>Owner</th><th>Latest</th></tr></thead><tbody>",
    );
    for m in list {
        let unit = unit_of(&m.unit);
        s.push_str(&format!(
            "<tr><td><a href=\"/metrics/{}\">{}</a> <span class=\"id\">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            url_path(&m.id),
            escape(&m.name),
            escape(&m.id),
            m.role.replace('_', " "),
            m.compute.unwrap_or("—"),
            escape(m.owner.as_deref().unwrap_or("—")),
            escape(&m.latest.map_or("—".into(), |v| unit.format(v.value)))
        ));
    }
    s.push_str("</tbody></table>");
    layout("Metrics", caller, &s)
}

fn metric_links(ids: &[String]) -> String {
    if ids.is_empty() {
        return "—".into();
    }
    ids.iter()
        .map(|i| format!("<a href=\"/metrics/{}\">{}</a>", url_path(i), escape(i)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn metric(m: &MetricPage, caller: &Caller) -> String {
    let unit = unit_of(&m.unit);
    let mut s = format!(
        "<h1>Metric: {}</h1><p class=\"sub\"><span class=\"id\">{}</span> · {} · {} · {}{}</p>",
        escape(&m.name),
        escape(&m.id),
        m.role.replace('_', " "),
        escape(&m.unit),
        m.direction
            .map_or(String::new(), |d| format!("{d} is better")),
        m.timing.map_or(String::new(), |t| format!(" · {t}"))
    );
    s.push_str(&format!(
        "<h2>Definition</h2><p>{}</p>",
        escape(
            m.definition
                .as_deref()
                .unwrap_or("No description: add `description:` to the metric.")
        )
    ));
    s.push_str(&format!(
        "<h2>Formula</h2><p>{}</p>",
        inline(
            m.formula
                .as_deref()
                .unwrap_or("No `compute:`: this metric is not computed.")
        )
    ));
    if let Some(at) = &m.defined_at {
        s.push_str(&format!(
            "<p class=\"legend\">As written at {}:</p><pre>{}</pre>",
            escape(at),
            escape(&m.source_lines.join("\n"))
        ));
    }
    s.push_str("<h2>Data source</h2><ul>");
    for src in &m.sources {
        s.push_str(&format!("<li>{}</li>", escape(src)));
    }
    s.push_str("</ul>");
    for (label, sql) in &m.sql {
        s.push_str(&format!("<p class=\"legend\">The query of <code>{}</code> (PostgreSQL dialect):</p><pre>{}</pre>", escape(label), escape(sql)));
    }
    s.push_str(&format!(
        "<h2>Segmentation</h2><p>{}</p><h2>Cadence</h2><p>Reported {}, reviewed {}</p><h2>Owner</h2><p>{}</p>",
        if m.segments.is_empty() { "—".into() } else { escape(&m.segments.join(", ")) },
        m.cadence_report.unwrap_or("—"),
        m.cadence_review.unwrap_or("—"),
        escape(m.owner.as_deref().unwrap_or("No owner: add `owner:`."))
    ));
    s.push_str("<h2>Targets</h2>");
    if m.targets.is_empty() && m.healthy_min.is_none() && m.healthy_max.is_none() {
        s.push_str("<p>—</p>");
    } else {
        s.push_str("<table><thead><tr><th>Period</th><th>Target</th><th>Stretch</th><th>Set by</th></tr></thead><tbody>");
        for t in &m.targets {
            s.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                escape(&t.period),
                escape(&unit.format(t.target)),
                escape(&t.stretch.map_or("—".into(), |x| unit.format(x))),
                t.key_result.as_ref().map_or(
                    "the metric's <code>targets:</code>".into(),
                    |k| format!("<a href=\"/key-results/{}\">{}</a>", url_path(k), escape(k))
                )
            ));
        }
        s.push_str("</tbody></table>");
        if m.healthy_min.is_some() || m.healthy_max.is_some() {
            s.push_str(&format!(
                "<p>Healthy range: {} to {}</p>",
                escape(&m.healthy_min.map_or("—".into(), |v| unit.format(v))),
                escape(&m.healthy_max.map_or("—".into(), |v| unit.format(v)))
            ));
        }
    }
    s.push_str("<h2>Related metrics</h2><ul>");
    for (kind, id) in &m.related {
        s.push_str(&format!(
            "<li>{} <a href=\"/metrics/{}\">{}</a></li>",
            escape(kind),
            url_path(id),
            escape(id)
        ));
    }
    if m.related.is_empty() {
        s.push_str("<li>—</li>");
    }
    s.push_str("</ul><h2>Lineage</h2><dl class=\"facts\">");
    s.push_str(&format!(
        "<dt>Feeds (up to the North Star)</dt><dd>{}</dd>",
        metric_links(&m.supports)
    ));
    s.push_str(&format!(
        "<dt>Fed by</dt><dd>{}</dd>",
        metric_links(&m.inputs)
    ));
    s.push_str(&format!(
        "<dt>Computed from</dt><dd>{}</dd>",
        metric_links(&m.computed_from)
    ));
    s.push_str(&format!(
        "<dt>Read by</dt><dd>{}</dd>",
        metric_links(&m.used_by_metrics)
    ));
    let krs: Vec<String> = m
        .key_results
        .iter()
        .map(|k| format!("<a href=\"/key-results/{}\">{}</a>", url_path(k), escape(k)))
        .collect();
    s.push_str(&format!(
        "<dt>Key results</dt><dd>{}</dd>",
        if krs.is_empty() {
            "—".into()
        } else {
            krs.join(", ")
        }
    ));
    let objs: Vec<String> = m
        .guardrail_of
        .iter()
        .map(|o| format!("<a href=\"/objectives/{}\">{}</a>", url_path(o), escape(o)))
        .collect();
    s.push_str(&format!(
        "<dt>Guardrail of</dt><dd>{}</dd>",
        if objs.is_empty() {
            "—".into()
        } else {
            objs.join(", ")
        }
    ));
    s.push_str(&format!(
        "<dt>Experiments</dt><dd>{}</dd></dl>",
        if m.experiments.is_empty() {
            "—".into()
        } else {
            escape(&m.experiments.join(", "))
        }
    ));
    s.push_str("<h2 id=\"data\">The data behind it</h2><p class=\"legend\">The stored values (newest first), each with the hash of the definition that produced it. <code>throughline measure --explain ");
    s.push_str(&escape(&m.id));
    s.push_str("</code> shows the same plan.</p><table><thead><tr><th>Period</th><th>Value</th><th>Numerator</th><th>Denominator</th><th>Complete</th><th>Measured</th><th>Definition</th></tr></thead><tbody>");
    for v in &m.values {
        let num = |x: Option<f64>| x.map_or("—".into(), |x| format!("{x}"));
        s.push_str(&format!(
            "<tr><td>{} – {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"id\">{}</td></tr>",
            v.start.format("%Y-%m-%d"),
            v.end.format("%Y-%m-%d"),
            escape(&v.value.map_or("—".into(), |x| unit.format(x))),
            num(v.numerator),
            num(v.denominator),
            if v.complete { "yes" } else { "no (partial)" },
            v.measured_at.format("%Y-%m-%d %H:%M"),
            escape(&v.definition_hash.chars().take(12).collect::<String>())
        ));
    }
    s.push_str("</tbody></table>");
    layout(&m.name, caller, &s)
}

/// The decision form: what was typed, and how the last submission went.
#[derive(Default)]
pub struct DecisionForm {
    pub flash: Option<String>,
    pub error: Option<String>,
    pub text: String,
    pub about: String,
}

/// How many decisions the log on the review page shows, newest first.
const DECISION_LOG: usize = 50;

/// The weekly review, then the decision log with the form that adds to it. `subjects` are the
/// ids a decision may be about (offered as suggestions, no script needed).
pub fn review(
    r: &throughline_review::Review,
    decisions: &[throughline_review::DecisionView],
    subjects: &[String],
    caller: &Caller,
    form: &DecisionForm,
    may_decide: Result<(), String>,
) -> String {
    let mut s = throughline_review::html::body(r);
    s.push_str("<section id=\"decision-log\"><h2>Decision log</h2>");
    if let Some(f) = &form.flash {
        s.push_str(&format!(
            "<p class=\"flash\" role=\"status\">{}</p>",
            escape(f)
        ));
    }
    if let Some(e) = &form.error {
        s.push_str(&format!(
            "<p class=\"err\" role=\"alert\">{}</p>",
            escape(e)
        ));
    }
    match (&may_decide, caller.name()) {
        (Ok(()), _) => {
            s.push_str(&format!(
                "<form method=\"post\" action=\"/review\" id=\"decision-form\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
                 <label for=\"text\">What was decided</label><textarea id=\"text\" name=\"text\" maxlength=\"1000\" required>{}</textarea>\
                 <div class=\"inline\" style=\"display:flex;gap:12px;align-items:end;flex-wrap:wrap\"><div><label for=\"about\">About (a metric, objective or key result; optional)</label>\
                 <input id=\"about\" name=\"about\" list=\"subjects\" value=\"{}\" size=\"40\"><datalist id=\"subjects\">",
                escape(caller.csrf.as_deref().unwrap_or("")),
                escape(&form.text),
                escape(&form.about)
            ));
            for id in subjects {
                s.push_str(&format!("<option value=\"{}\">", escape(id)));
            }
            s.push_str("</datalist></div><div><button type=\"submit\">Record decision</button></div></div></form>");
        }
        (Err(why), Some(_)) => s.push_str(&format!("<p class=\"legend\">{}</p>", escape(why))),
        (Err(_), None) => s.push_str(
            "<p><a href=\"/login?next=/review\">Sign in</a> with an editor token to record a decision.</p>",
        ),
    }
    if decisions.is_empty() {
        s.push_str("<p>No decisions recorded yet.</p>");
    } else {
        s.push_str("<table id=\"decisions-all\"><thead><tr><th>Day</th><th>Decision</th><th>About</th><th>Who</th></tr></thead><tbody>");
        for d in decisions.iter().rev().take(DECISION_LOG) {
            s.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                d.day,
                escape(&d.text),
                escape(d.about.as_deref().unwrap_or("—")),
                escape(&d.author)
            ));
        }
        s.push_str("</tbody></table>");
        if decisions.len() > DECISION_LOG {
            s.push_str(&format!(
                "<p class=\"legend\">The newest {DECISION_LOG} of {}; <code>GET /api/review</code> and the store hold them all.</p>",
                decisions.len()
            ));
        }
    }
    s.push_str("</section>");
    layout("Weekly review", caller, &s)
}

pub fn experiments(e: &Experiments, caller: &Caller) -> String {
    let mut s = String::from("<h1>Experiments</h1>");
    if e.experiments.is_empty() {
        s.push_str("<p>No experiments are defined (<code>experiments:</code>).</p>");
    }
    for (row, a) in e.experiments.iter().zip(&e.analyses) {
        s.push_str(&format!(
            "<h2>{}</h2><p><span class=\"pill {}\">{}</span> {}</p>",
            escape(&row.id),
            match row.decision {
                Some(throughline_experiment::Decision::Ship) => "Green",
                Some(throughline_experiment::Decision::KeepRunning) => "Unknown",
                _ => "Red",
            },
            escape(&row.label),
            inline(&row.reason)
        ));
        if let Some(h) = &row.hypothesis {
            s.push_str(&format!(
                "<p class=\"legend\">Hypothesis: {}</p>",
                escape(h)
            ));
        }
        let Some(metrics) = a.get("metrics").and_then(|m| m.as_array()) else {
            continue;
        };
        s.push_str("<table><thead><tr><th>Metric</th><th>Variant</th><th>Users</th><th>Value</th><th>Lift</th><th>95% CI</th><th>p</th></tr></thead><tbody>");
        for m in metrics {
            let id = m.get("metric").and_then(|x| x.as_str()).unwrap_or("");
            let role = if m
                .get("guardrail")
                .and_then(|g| g.as_bool())
                .unwrap_or(false)
            {
                "guardrail"
            } else {
                "goal"
            };
            for v in m
                .get("variants")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
            {
                let n = |k: &str| v.get(k).and_then(|x| x.as_f64());
                let f = |x: Option<f64>| x.map_or("—".into(), |x| format!("{x:.3}"));
                s.push_str(&format!(
                    "<tr><td><a href=\"/metrics/{}\">{}</a> <span class=\"legend\">{role}</span></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    url_path(id),
                    escape(id),
                    escape(v.get("variant").and_then(|x| x.as_str()).unwrap_or("")),
                    n("users").map_or("—".into(), |u| Unit::Count.format(u)),
                    f(n("value")),
                    f(n("lift")),
                    match (n("ci_low"), n("ci_high")) {
                        (Some(l), Some(h)) => format!("{l:.3} to {h:.3}"),
                        _ => "—".into(),
                    },
                    n("p_value").map_or("—".into(), throughline_experiment::format_p)
                ));
            }
        }
        s.push_str("</tbody></table>");
    }
    layout("Experiments", caller, &s)
}

pub fn login(caller: &Caller, next: &str, error: Option<&str>, demo_hint: bool) -> String {
    let mut s = String::from("<h1>Sign in</h1>");
    if let Some(e) = error {
        s.push_str(&format!(
            "<p class=\"err\" role=\"alert\">{}</p>",
            escape(e)
        ));
    }
    s.push_str(&format!(
        "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"next\" value=\"{}\"><label for=\"token\">API token</label><input id=\"token\" name=\"token\" type=\"password\" size=\"72\" autocomplete=\"off\" required><p><button type=\"submit\">Sign in</button></p></form>",
        escape(next)
    ));
    s.push_str("<p class=\"legend\">An admin creates tokens with <code>throughline token create --name NAME --role editor --team TEAM</code>. The token is kept in a cookie for this site only.</p>");
    if demo_hint {
        s.push_str("<p class=\"legend\">The demo printed an editor token when it started.</p>");
    }
    layout("Sign in", caller, &s)
}
