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
    /// Things that happened on a day (a decision, an experiment's start or end, a check-in's
    /// note), marked at their date with their text on hover; drawn on charts with axes.
    pub annotations: &'a [(NaiveDate, String)],
}

/// Gridlines across `x` at round values between `lo` and `hi`, each labelled left of it.
fn gridlines(
    out: &mut String,
    (left, right): (f64, f64),
    (lo, hi): (f64, f64),
    py: &dyn Fn(f64) -> f64,
    show: &dyn Fn(f64) -> String,
) {
    for v in ticks(lo, hi, 4) {
        out.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{right:.1}\" y2=\"{y:.1}\" stroke=\"#f3f4f6\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"#6b7280\">{}</text>",
            left - 4.0,
            py(v) + 3.0,
            esc(&show(v)),
            y = py(v)
        ));
    }
}

/// The notes one annotation mark says at most; the rest are counted.
pub const NOTES_PER_MARK: usize = 3;

/// The color of annotation marks.
pub const NOTE: &str = "#7c3aed";

/// About `n` round steps between `lo` and `hi` (1, 2, 2.5 or 5 times a power of ten): the
/// values a value axis is labelled and gridded at.
pub fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if hi.is_nan() || lo.is_nan() || hi <= lo || !lo.is_finite() || !hi.is_finite() || n == 0 {
        return Vec::new();
    }
    let raw = (hi - lo) / n as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() * step;
    (0..=n * 2 + 1)
        .map(|i| first + i as f64 * step)
        .take_while(|v| *v <= hi + step * 1e-9)
        // `-0` reads badly
        .map(|v| if v.abs() < step * 1e-9 { 0.0 } else { v })
        .collect()
}

fn esc(s: &str) -> String {
    crate::text::escape(s)
}

/// The opening `<svg>` tag of a picture `w` by `h`, with its title for screen readers.
fn open(w: f64, h: f64, title: &str) -> String {
    // a chart wider than a phone's page is as wide as its box up to its drawn width, so it
    // shrinks with the page instead of pushing it sideways; a small one (a sparkline in a
    // table cell, a card's chart) keeps its size, which fits
    let size = if w > PHONE_WIDTH {
        format!("width=\"100%\" style=\"max-width:{w}px;height:auto\"")
    } else {
        format!("width=\"{w}\" height=\"{h}\"")
    };
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" {size} role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        t = esc(title)
    )
}

/// The widest chart drawn at its own size: what a 390 px phone leaves for the page's content.
const PHONE_WIDTH: f64 = 340.0;

/// About how wide a label of 11px text is drawn (for room after a bar).
fn text_width(t: &str) -> f64 {
    t.chars().count() as f64 * 6.4
}

/// The height of a bar in [`waterfall`] and [`steps`].
const BAR_H: f64 = 20.0;

/// One labelled horizontal bar at height `y`: the label right-aligned before `label_w`, the bar
/// from `x`, `len` wide (drawn at least a pixel wide) with its value as a tooltip, and the value
/// after the bar.
struct BarRow<'a> {
    y: f64,
    label: &'a str,
    x: f64,
    len: f64,
    fill: &'a str,
    text: &'a str,
}

fn bar_row(out: &mut String, label_w: f64, row: BarRow) {
    let BarRow {
        y,
        label,
        x,
        len,
        fill,
        text,
    } = row;
    out.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#374151\">{}</text><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{BAR_H}\" fill=\"{fill}\"><title>{}: {}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#374151\">{}</text>",
        label_w - 8.0,
        y + 14.0,
        esc(label),
        len.max(1.0),
        esc(label),
        esc(text),
        x + len + 4.0,
        y + 14.0,
        esc(text)
    ));
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
        annotations: &[],
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
        let mut out = open(w, h, &self.title);
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
            gridlines(&mut out, (left, w - right), (lo, hi), &py, self.show);
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
            // on a chart with axes the line says what it is, at its right end
            if self.axes {
                out.push_str(&format!(
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"{color}\">{}</text>",
                    w - right - 2.0,
                    py(*v) - 4.0,
                    esc(&crate::text::one_line(label, 48))
                ));
            }
        }
        if self.axes {
            // one mark per day, its texts joined
            let mut days: Vec<(NaiveDate, Vec<&str>)> = Vec::new();
            for (d, text) in self.annotations {
                if *d < x0 || *d > x1 {
                    continue;
                }
                match days.iter_mut().find(|x| x.0 == *d) {
                    Some(x) => x.1.push(text),
                    None => days.push((*d, vec![text])),
                }
            }
            for (d, texts) in days {
                let x = px(d);
                // a day with many notes (a burst of check-ins) says a few and counts the rest,
                // so the page does not grow with them
                let mut shown: Vec<String> = texts
                    .iter()
                    .take(NOTES_PER_MARK)
                    .map(|t| crate::text::one_line(t, 160))
                    .collect();
                if texts.len() > NOTES_PER_MARK {
                    shown.push(format!("and {} more", texts.len() - NOTES_PER_MARK));
                }
                out.push_str(&format!(
                    "<g class=\"note\"><title>{d}: {}</title><line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{NOTE}\" stroke-dasharray=\"2 3\"/><path d=\"M{:.1} {top} l4 5 l-4 5 l-4 -5 z\" fill=\"{NOTE}\"/></g>",
                    esc(&shown.join(" · ")),
                    h - bottom,
                    x
                ));
            }
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

/// A lift with its confidence interval, small enough for a table cell: a line at zero (no
/// effect), the interval as a bar and the lift as a dot, on a scale of ±`span` shared by the
/// rows it is compared with. Green when the whole interval lies the better way (above zero
/// when `up` is better), red when it lies the worse way, grey when it crosses zero.
pub fn interval(title: &str, lift: f64, (lo, hi): (f64, f64), span: f64, up: bool) -> String {
    let (w, h) = (140.0, 18.0);
    let span = if span > 0.0 && span.is_finite() {
        span
    } else {
        1.0
    };
    let x = |v: f64| w / 2.0 + v.clamp(-span, span) / span * (w / 2.0 - 4.0);
    let fill = match (lo > 0.0, hi < 0.0) {
        (true, _) if up => RISE,
        (true, _) => FALL,
        (_, true) if up => FALL,
        (_, true) => RISE,
        _ => TOTAL,
    };
    let mut out = open(w, h, title);
    out.push_str(&format!(
        "<line x1=\"{z:.1}\" y1=\"1\" x2=\"{z:.1}\" y2=\"{:.1}\" stroke=\"#6b7280\"/><rect x=\"{:.1}\" y=\"6\" width=\"{:.1}\" height=\"6\" rx=\"3\" fill=\"{fill}\"/><circle cx=\"{:.1}\" cy=\"9\" r=\"3.5\" fill=\"#111827\"/>",
        h - 1.0,
        x(lo),
        (x(hi) - x(lo)).max(1.0),
        x(lift),
        z = w / 2.0,
    ));
    out.push_str("</svg>");
    out
}

/// Stacked bars over time on one scale: per period, the positive parts stacked up from zero
/// and the negative ones (a lifecycle's dormant users) down from it, each part in its color
/// with its value on hover.
pub fn stacked(
    title: &str,
    periods: &[(NaiveDate, Vec<f64>)],
    parts: &[(&str, &str)],
    show: &dyn Fn(f64) -> String,
) -> String {
    let (w, h, left, right, top, bottom) = (720.0, 240.0, 58.0, 12.0, 10.0, 22.0);
    let up = |v: &[f64]| v.iter().filter(|x| **x > 0.0).sum::<f64>();
    let down = |v: &[f64]| v.iter().filter(|x| **x < 0.0).sum::<f64>();
    let hi = periods.iter().map(|p| up(&p.1)).fold(0.0, f64::max);
    let lo = periods.iter().map(|p| down(&p.1)).fold(0.0, f64::min);
    let mut out = open(w, h, title);
    if periods.is_empty() || hi <= lo {
        out.push_str(
            "<text x=\"4\" y=\"14\" font-size=\"11\" fill=\"#6b7280\">no values yet</text></svg>",
        );
        return out;
    }
    let py = |v: f64| top + (hi - v) / (hi - lo) * (h - top - bottom);
    let slot = (w - left - right) / periods.len() as f64;
    gridlines(&mut out, (left, w - right), (lo, hi), &py, show);
    for (i, (day, values)) in periods.iter().enumerate() {
        let x = left + i as f64 * slot + slot * 0.15;
        let (mut above, mut below) = (0.0, 0.0);
        for (k, v) in values.iter().enumerate() {
            let (name, color) = parts.get(k).copied().unwrap_or(("", TOTAL));
            let (from, to) = if *v >= 0.0 {
                above += v;
                (above - v, above)
            } else {
                below += v;
                (below - v, below)
            };
            out.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{color}\"><title>{day}: {name} {}</title></rect>",
                py(from.max(to)),
                slot * 0.7,
                (py(from.min(to)) - py(from.max(to))).max(0.0),
                esc(&show(*v))
            ));
        }
    }
    out.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{z:.1}\" x2=\"{:.1}\" y2=\"{z:.1}\" stroke=\"#6b7280\"/>",
        w - right,
        z = py(0.0)
    ));
    if let (Some(first), Some(last)) = (periods.first(), periods.last()) {
        for (d, x, anchor) in [(first.0, left, "start"), (last.0, w - right, "end")] {
            out.push_str(&format!(
                "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"{anchor}\" fill=\"#6b7280\">{}</text>",
                h - 6.0,
                d.format("%b %-d")
            ));
        }
    }
    out.push_str("</svg>");
    out
}

/// Bar fills of a waterfall: totals, rises, falls.
pub const TOTAL: &str = "#94a3b8";
pub const RISE: &str = "#16a34a";
pub const FALL: &str = "#dc2626";

/// A waterfall: a first total, each change as a bar floating from the running total, and the
/// last total, all on one scale from 0 (a total's bar is as long as its value, a change's as
/// long as the change); every bar is labelled with its value, so a change small against the
/// totals is still read.
pub fn waterfall(
    title: &str,
    first: (&str, f64),
    changes: &[(String, f64)],
    last: (&str, f64),
    show: &dyn Fn(f64) -> String,
    show_change: &dyn Fn(f64) -> String,
) -> String {
    let bars = changes.len() + 2;
    let (label_w, gap, top) = (250.0, 8.0, 6.0);
    let (w, h) = (620.0, top * 2.0 + bars as f64 * (BAR_H + gap));
    let mut running = vec![first.1];
    for (_, d) in changes {
        running.push(running[running.len() - 1] + d);
    }
    running.push(last.1);
    let (lo, hi) = running
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    let hi = if hi > lo { hi } else { lo + 1.0 };
    // room after the longest bar for its label
    let room = std::iter::once(show(first.1))
        .chain(changes.iter().map(|(_, d)| show_change(*d)))
        .chain(std::iter::once(show(last.1)))
        .map(|t| text_width(&t))
        .fold(0.0, f64::max)
        + 8.0;
    let (x0, x1) = (label_w, w - room.max(60.0));
    let px = |v: f64| x0 + (v - lo) / (hi - lo) * (x1 - x0);
    let mut out = open(w, h, title);
    let mut bar = |i: usize, label: &str, from: f64, to: f64, fill: &str, text: String| {
        let y = top + i as f64 * (BAR_H + gap);
        let (a, b) = (px(from.min(to)), px(from.max(to)));
        let row = BarRow {
            y,
            label,
            x: a,
            len: b - a,
            fill,
            text: &text,
        };
        bar_row(&mut out, label_w, row);
    };
    bar(0, first.0, 0.0, first.1, TOTAL, show(first.1));
    let mut at = first.1;
    for (i, (label, d)) in changes.iter().enumerate() {
        let fill = if *d < 0.0 { FALL } else { RISE };
        bar(i + 1, label, at, at + d, fill, show_change(*d));
        at += d;
    }
    bar(bars - 1, last.0, 0.0, last.1, TOTAL, show(last.1));
    out.push_str("</svg>");
    out
}

/// Horizontal bars, one per step, on one scale: a funnel's users at each step with the share
/// of the first step and of the step before, or a lifecycle's statuses, where a negative
/// count (dormant users) is drawn left of zero in red and the others right of it.
pub fn steps(title: &str, steps: &[(String, f64)]) -> String {
    let (label_w, gap) = (180.0, 8.0);
    let h = 12.0 + steps.len() as f64 * (BAR_H + gap);
    let first = steps.first().map_or(0.0, |s| s.1);
    let funnel = steps.iter().all(|(_, n)| *n >= 0.0);
    let texts: Vec<String> = steps
        .iter()
        .enumerate()
        .map(|(i, (_, n))| {
            let mut text = crate::format::value(&throughline_model::Unit::Count, *n);
            if funnel && first > 0.0 && i > 0 {
                let prev = steps[i - 1].1;
                text.push_str(&format!(" · {:.1}% of all", n / first * 100.0));
                if prev > 0.0 {
                    text.push_str(&format!(" · {:.1}% of the step before", n / prev * 100.0));
                }
            }
            text
        })
        .collect();
    // the bars get 300 px; the chart is as wide as its longest label needs, never cut
    let room = texts.iter().map(|t| text_width(t)).fold(0.0, f64::max) + 8.0;
    let bars_w = 300.0;
    let w = label_w + bars_w + room;
    let most_pos = steps.iter().map(|s| s.1).fold(0.0_f64, f64::max);
    let most_neg = steps.iter().map(|s| -s.1).fold(0.0_f64, f64::max);
    let total = (most_pos + most_neg).max(1.0);
    let zero = label_w + most_neg / total * bars_w;
    let mut out = open(w, h, title);
    if most_neg > 0.0 {
        out.push_str(&format!(
            "<line x1=\"{zero:.1}\" y1=\"2\" x2=\"{zero:.1}\" y2=\"{:.1}\" stroke=\"#9ca3af\"/>",
            h - 2.0
        ));
    }
    for (i, ((name, n), text)) in steps.iter().zip(&texts).enumerate() {
        let y = 6.0 + i as f64 * (BAR_H + gap);
        let len = (n.abs() / total * bars_w).max(1.0);
        let (fill, x) = if *n < 0.0 {
            (FALL, zero - len)
        } else {
            (SERIES, zero)
        };
        let row = BarRow {
            y,
            label: name,
            x,
            len,
            fill,
            text,
        };
        bar_row(&mut out, label_w, row);
        if *n < 0.0 {
            // the value of a bar left of zero is written right of zero, where no bar is
            let end = out.rfind("<text").unwrap_or(out.len());
            out.truncate(end);
            out.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#374151\">{}</text>",
                zero + 4.0,
                y + 14.0,
                esc(text)
            ));
        }
    }
    out.push_str("</svg>");
    out
}
