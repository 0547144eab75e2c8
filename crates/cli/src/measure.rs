//! `throughline measure`: metric values as a table, JSON or CSV.

use throughline_engine::MetricValue;

/// One JSON object per value, as DESIGN.md specifies.
pub fn json(values: &[MetricValue]) -> String {
    let rows: Vec<serde_json::Value> = values
        .iter()
        .map(|v| {
            serde_json::json!({
                "metric": v.metric,
                "start": v.start.to_rfc3339(),
                "end": v.end.to_rfc3339(),
                "segment": v.segment,
                "value": v.value,
                "numerator": v.numerator,
                "denominator": v.denominator,
                "complete": v.complete,
            })
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
