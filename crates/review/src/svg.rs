//! Small SVG line charts, written by hand so the page needs no script and no network: a
//! series over dates, horizontal reference lines (target, limit), a sloped line (pacing),
//! and a shaded band (normal wobble).

use chrono::NaiveDate;

/// Stroke colors; the screenshot test looks for the series color.
pub const SERIES: &str = "#2563eb";
pub const TARGET: &str = "#16a34a";
pub const PACING: &str = "#6b7280";
pub const LIMIT: &str = "#dc2626";
pub const BAND: &str = "#dbeafe";

pub struct Segment {
    pub from: (NaiveDate, f64),
    pub to: (NaiveDate, f64),
    pub color: &'static str,
    pub label: String,
}

pub struct Chart<'a> {
    pub width: f64,
    pub height: f64,
    pub title: String,
    pub series: Vec<(NaiveDate, f64)>,
    /// Horizontal lines: value, color, label.
    pub levels: Vec<(f64, &'static str, String)>,
    pub segments: Vec<Segment>,
    /// A shaded band between two values, from a day to the chart's end.
    pub band: Option<(NaiveDate, f64, f64)>,
    /// The x range (defaults to the series' first and last date).
    pub x_range: Option<(NaiveDate, NaiveDate)>,
    /// Axis labels shown (off for sparklines).
    pub axes: bool,
    pub show: &'a dyn Fn(f64) -> String,
}

fn esc(s: &str) -> String {
    crate::text::escape(s)
}

/// A small line without axes, with optional reference lines.
pub fn sparkline(
    title: String,
    series: Vec<(NaiveDate, f64)>,
    levels: Vec<(f64, &'static str, String)>,
    (width, height): (f64, f64),
    show: &dyn Fn(f64) -> String,
) -> String {
    Chart {
        width,
        height,
        title,
        series,
        levels,
        segments: Vec::new(),
        band: None,
        x_range: None,
        axes: false,
        show,
    }
    .render()
}

impl Chart<'_> {
    // Long because it draws one chart in order (scales, axes, band, lines, points, labels); the
    // coordinates are shared by every part.
    pub fn render(&self) -> String {
        let (w, h) = (self.width, self.height);
        let (left, right, top, bottom) = if self.axes {
            (58.0, 12.0, 10.0, 22.0)
        } else {
            (2.0, 2.0, 3.0, 3.0)
        };
        let mut ys: Vec<f64> = self.series.iter().map(|p| p.1).collect();
        ys.extend(self.levels.iter().map(|l| l.0));
        for s in &self.segments {
            ys.push(s.from.1);
            ys.push(s.to.1);
        }
        if let Some((_, lo, hi)) = self.band {
            ys.push(lo);
            ys.push(hi);
        }
        ys.retain(|y| y.is_finite());
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
            t = esc(&self.title)
        );
        let (Some(lo), Some(hi)) = (
            ys.iter().copied().reduce(f64::min),
            ys.iter().copied().reduce(f64::max),
        ) else {
            out.push_str("<text x=\"4\" y=\"14\" font-size=\"11\" fill=\"#6b7280\">no values yet</text></svg>");
            return out;
        };
        let pad = if hi > lo {
            (hi - lo) * 0.08
        } else {
            hi.abs().max(1.0) * 0.1
        };
        let (lo, hi) = (lo - pad, hi + pad);
        let (x0, x1) = self.x_range.unwrap_or_else(|| {
            let first = self.series.first().map_or(NaiveDate::MIN, |p| p.0);
            let last = self.series.last().map_or(first, |p| p.0);
            (first, last)
        });
        let span = ((x1 - x0).num_days() as f64).max(1.0);
        let px = |d: NaiveDate| left + (d - x0).num_days() as f64 / span * (w - left - right);
        let py = |v: f64| top + (hi - v) / (hi - lo) * (h - top - bottom);
        if self.axes {
            out.push_str(&format!(
                "<line x1=\"{left}\" y1=\"{b:.1}\" x2=\"{r:.1}\" y2=\"{b:.1}\" stroke=\"#d1d5db\"/>",
                b = h - bottom,
                r = w - right
            ));
            for v in [hi - pad, lo + pad] {
                out.push_str(&format!(
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"#6b7280\">{}</text>",
                    left - 4.0,
                    py(v) + 3.0,
                    esc(&(self.show)(v))
                ));
            }
            for (d, anchor) in [(x0, "start"), (x1, "end")] {
                out.push_str(&format!(
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"{anchor}\" fill=\"#6b7280\">{}</text>",
                    px(d),
                    h - 6.0,
                    d.format("%b %-d")
                ));
            }
        }
        if let Some((from, lo_b, hi_b)) = self.band {
            out.push_str(&format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{BAND}\"><title>normal wobble</title></rect>",
                px(from),
                py(hi_b),
                (px(x1) - px(from)).max(1.0),
                (py(lo_b) - py(hi_b)).max(0.5)
            ));
        }
        for (v, color, label) in &self.levels {
            out.push_str(&format!(
                "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{color}\" stroke-width=\"2\" stroke-dasharray=\"6 3\"><title>{}</title></line>",
                w - right,
                esc(label),
                y = py(*v)
            ));
        }
        for s in &self.segments {
            out.push_str(&format!(
                "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"><title>{}</title></line>",
                px(s.from.0),
                py(s.from.1),
                px(s.to.0),
                py(s.to.1),
                s.color,
                esc(&s.label)
            ));
        }
        let points: Vec<String> = self
            .series
            .iter()
            .map(|(d, v)| format!("{:.1},{:.1}", px(*d), py(*v)))
            .collect();
        let stroke = if self.axes { 2.5 } else { 2.0 };
        out.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{SERIES}\" stroke-width=\"{stroke}\" stroke-linejoin=\"round\"/>",
            points.join(" ")
        ));
        if let Some((d, v)) = self.series.last() {
            out.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{}\" fill=\"{SERIES}\"><title>{}: {}</title></circle>",
                px(*d),
                py(*v),
                if self.axes { 3.5 } else { 2.5 },
                d,
                esc(&(self.show)(*v))
            ));
        }
        out.push_str("</svg>");
        out
    }
}
