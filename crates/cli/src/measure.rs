//! `throughline measure`: metric values as a table, JSON or CSV; a progress bar on a
//! terminal; `--explain`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use throughline_engine::{Explanation, MetricValue};

/// A progress bar on stderr when it is a terminal; silent when piped.
pub struct Progress(ProgressBar);

impl Progress {
    pub fn new() -> Progress {
        let bar = if std::io::stderr().is_terminal() {
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed:>4} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress(bar)
    }
    pub fn message(&self, m: &str) {
        self.0.set_message(m.to_string());
    }
    pub fn count(&self, done: usize, total: usize) {
        self.0.set_length(total as u64);
        self.0.set_position(done as u64);
    }
    pub fn opening(&self) {
        self.0.set_message("opening the sources");
    }
    pub fn println(&self, line: &str) {
        self.0.suspend(|| eprintln!("{line}"));
    }
    pub fn update(&self, p: throughline_engine::Progress<'_>) {
        match p {
            throughline_engine::Progress::Reading => {
                self.0.set_message("reading the events into memory")
            }
            throughline_engine::Progress::Metric { id, done, total } => {
                self.0.set_length(total as u64);
                self.0.set_position(done as u64);
                self.0.set_message(id.to_string());
            }
            throughline_engine::Progress::Skipped { id, reason } => {
                self.println(&format!("warning: `{id}` left out: {reason}"))
            }
        }
    }
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// `--explain`: the definition as written, the sources, the plan and its SQL.
pub fn explanation(e: &Explanation, loaded: &throughline_model::Loaded) -> String {
    let ws = &loaded.workspace;
    let mut out = format!("metric `{}`\n\n", e.metric);
    if let Some(m) = ws.metric(&e.metric)
        && let Some((at, lines)) = loaded.definition_lines(m.span)
    {
        out.push_str(&format!("defined at {at}\n"));
        for l in lines {
            out.push_str(&format!("  | {l}\n"));
        }
        out.push('\n');
    }
    out.push_str("reads\n");
    for s in &e.sources {
        out.push_str(&format!("  {s}\n"));
    }
    for (id, plan) in &e.plans {
        out.push_str(&format!("\nplan of `{id}` (DataFusion, optimized)\n"));
        for l in plan.lines() {
            out.push_str(&format!("  {l}\n"));
        }
    }
    for (id, sql) in &e.sql {
        out.push_str(&format!(
            "\nthe same plan as SQL (`{id}`, PostgreSQL dialect)\n  {sql}\n"
        ));
    }
    out
}

/// One JSON object per value, as DESIGN.md specifies.
pub fn json(values: &[MetricValue]) -> String {
    let rows: Vec<serde_json::Value> = values
        .iter()
        .map(|v| {
            let mut o = serde_json::json!({
                "metric": v.metric,
                "start": v.start.to_rfc3339(),
                "end": v.end.to_rfc3339(),
                "segment": v.segment,
                "value": v.value,
                "numerator": v.numerator,
                "denominator": v.denominator,
                "complete": v.complete,
            });
            // retention: the share returning in each step 0..=horizon
            if !v.curve.is_empty() {
                o["curve"] = serde_json::json!(v.curve);
            }
            o
        })
        .collect();
    format!(
        "{}\n",
        serde_json::to_string_pretty(&rows).expect("values serialize")
    )
}

fn number(x: Option<f64>) -> String {
    match x {
        None => String::new(),
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{v:.0}"),
        Some(v) => format!("{v:.4}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string(),
    }
}

fn segment(v: &MetricValue) -> String {
    v.segment
        .iter()
        .map(|(k, x)| format!("{k}={x}"))
        .collect::<Vec<_>>()
        .join(";")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn csv(values: &[MetricValue]) -> String {
    let mut out = String::from("metric,start,end,segment,value,numerator,denominator,complete\n");
    for v in values {
        let fields = [
            csv_field(&v.metric),
            v.start.to_rfc3339(),
            v.end.to_rfc3339(),
            csv_field(&segment(v)),
            number(v.value),
            number(v.numerator),
            number(v.denominator),
            v.complete.to_string(),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// An aligned table for a terminal; partial periods are marked.
pub fn table(values: &[MetricValue]) -> String {
    let mut rows = vec![[
        "metric".to_string(),
        "period".into(),
        "segment".into(),
        "value".into(),
        "".into(),
    ]];
    for v in values {
        rows.push([
            v.metric.clone(),
            v.start.format("%Y-%m-%d").to_string(),
            segment(v),
            number(v.value),
            if v.complete {
                String::new()
            } else {
                "partial".into()
            },
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line = format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if values.is_empty() {
        out.push_str("(no values: the sources hold no events in this range)\n");
    }
    out
}
