//! The period of objectives the page's headings do not date: from the nearest heading that
//! names one (`### 2020`, `# 2022OKR`), a table row that says so (`| Cycle | Q2 2026 (90
//! days) |`), a sentence with a start and an end date, or "by the end of 2025".

use chrono::NaiveDate;

use super::super::classify;
use super::super::frag::Frag;
use super::super::period::{self, range_length};
use super::Evidence;
use super::node::Slot;
use crate::values::{Period, PeriodLength};

/// A period found, with the text it was read from.
pub(crate) type Hint<'b> = (Option<Period>, Option<PeriodLength>, Frag<'b>);

/// Row labels that say the row gives the period.
pub(crate) const PERIOD_ROWS: &[&str] = &[
    "cycle",
    "period",
    "quarter",
    "timeframe",
    "time frame",
    "timeline",
    "horizon",
    "dates",
    "duration",
    // the same words in the other languages OKR pages are written in
    "periodo",
    "período",
    "période",
    "zeitraum",
    "ciclo",
    "cycle okr",
    "dönem",
    "thời gian",
    "周期",
    "期间",
    "期間",
    "기간",
    "دوره",
];

/// The quarter a text names without its year (`Q1 OKR：`, `### 第一季度`, `2nd quarter`):
/// 1 to 4, or `None` when it names none or names its year too.
fn yearless_quarter(text: &str) -> Option<u8> {
    if period::find(text).is_some_and(|f| f.period.is_some()) {
        return None;
    }
    if let Some((_, q)) = period::CJK_QUARTERS.iter().find(|(w, _)| text.contains(w)) {
        return Some(*q);
    }
    text.split(|c: char| !c.is_alphanumeric())
        .find_map(|w| match w.as_bytes() {
            [b'q' | b'Q', d @ b'1'..=b'4'] => Some(d - b'0'),
            _ => None,
        })
}

/// The years a text gives quarter `q` (`2025 Q1`, `Q1 2025`, `2025 年 Q1`, `2025-Q1`).
fn years_of_quarter(text: &str, q: u8) -> Vec<i32> {
    let mut out = Vec::new();
    let mark = format!("q{q}");
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(&mark).map(|i| from + i) {
        from = at + mark.len();
        // a word of its own: not `faq1`, not `q12`
        let before_ok = !lower[..at].ends_with(|c: char| c.is_ascii_alphanumeric());
        let after_ok = !lower[from..].starts_with(|c: char| c.is_ascii_alphanumeric());
        if !(before_ok && after_ok) {
            continue;
        }
        let filler = |c: char| c.is_whitespace() || matches!(c, '-' | '/' | '年' | '.');
        let before = lower[..at].trim_end_matches(filler);
        let after = lower[from..].trim_start_matches(filler);
        let four = |s: &str| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit());
        let year = before
            .get(before.len().saturating_sub(4)..)
            .filter(|y| {
                four(y) && !before[..before.len() - 4].ends_with(|c: char| c.is_ascii_digit())
            })
            .or_else(|| {
                after
                    .get(..4)
                    .filter(|y| four(y) && !after[4..].starts_with(|c: char| c.is_ascii_digit()))
            });
        if let Some(y) = year.and_then(|y| y.parse::<i32>().ok())
            && (1990..=2100).contains(&y)
        {
            out.push(y);
        }
    }
    out
}

impl<'b> Evidence<'b> {
    /// The period of a quarter named without its year above node `i` (`Q1 OKR：`, `### 第一
    /// 季度`), dated by the year the page gives that quarter elsewhere (`2025 年 Q1 计划`),
    /// else by the one year the page names. `None` when the page leaves the year open.
    pub(crate) fn yearless_quarter_period(&self, i: usize) -> Option<Hint<'b>> {
        // the nearest line or heading above, within a few nodes of the objective's section
        let (j, q) = (0..i)
            .rev()
            .take(12)
            .find_map(|j| yearless_quarter(self.nodes[j].frag.text()).map(|q| (j, q)))?;
        let years_of = |quarters: &[u8]| {
            let mut ys: Vec<i32> = self
                .nodes
                .iter()
                .flat_map(|n| {
                    quarters
                        .iter()
                        .flat_map(|&q| years_of_quarter(n.frag.text(), q))
                })
                .collect();
            ys.sort_unstable();
            ys.dedup();
            ys
        };
        // the year the page gives that quarter; else, when every quarter it dates is of one
        // year, that year (`Q1`–`Q4` headings of one year's plan, two of them dated in links)
        let mut years = years_of(&[q]);
        if years.is_empty() {
            years = years_of(&[1, 2, 3, 4]);
        }
        let [year] = years[..] else {
            return None;
        };
        Some((
            Some(Period::Quarter(year, q)),
            Some(PeriodLength::Quarter),
            self.nodes[j].frag,
        ))
    }

    /// The period named by the nearest heading above node `i`.
    pub(crate) fn heading_period(&self, i: usize) -> Option<Hint<'b>> {
        // a line that is only a period (`**2019 Q1**`) dates what follows it, up to the
        // heading the node is in
        for j in (0..i).rev() {
            let n = &self.nodes[j];
            if matches!(n.slot, Slot::Heading(_)) && i < n.end {
                break;
            }
            if self.period_lines[j]
                && let Some(found) = period_only(n.frag.text())
            {
                return Some((found.period, found.length, n.frag));
            }
        }
        let mut at = Some(i);
        while let Some(a) = at {
            let n = &self.nodes[a];
            if matches!(n.slot, Slot::Heading(_)) {
                let text = spaced(n.frag.text());
                if let Some(found) = period::find(&text) {
                    let rest = classify::leftover(&text, Some(&found.at));
                    // `## Objective 2025 - €1M in revenue`: a year after an objective label
                    // dates what is under it
                    let lower = text.trim_start().to_lowercase();
                    // (`2024年的小目标`: a goal word of a language written without spaces,
                    // anywhere in the heading)
                    let about_okrs = classify::has_okr_words(&text)
                        || super::super::labels::OBJECTIVE_WORDS
                            .iter()
                            .any(|w| lower.starts_with(w) || (!w.is_ascii() && lower.contains(w)));
                    if !found.bare_year || rest.is_empty() || about_okrs {
                        return Some((found.period, found.length, n.frag));
                    }
                }
            }
            at = n.parent;
        }
        None
    }

    /// A period the page states outside its headings.
    pub(crate) fn page_period(&self) -> Option<Hint<'b>> {
        for n in &self.nodes {
            match n.slot {
                Slot::Row | Slot::Cell => {
                    let Some((first, rest)) = n.full.split_once(" | ") else {
                        continue;
                    };
                    let label = first
                        .trim()
                        .trim_matches(['*', '_', ':'])
                        .to_ascii_lowercase();
                    if PERIOD_ROWS.contains(&label.as_str())
                        && let Some(found) = period::find(rest)
                        && found.period.is_some()
                    {
                        return Some((found.period, found.length, n.frag));
                    }
                }
                Slot::Line | Slot::Item(_) => {
                    let t = n.frag.text();
                    // `**Timeline:** Q2 2026`, `Period: March–May 2026`
                    if let Some((label, at)) = super::super::labels::split_label(t)
                        && PERIOD_ROWS.contains(&label.trim_matches(['*', '_', ' ']))
                    {
                        // `**Zeitraum**: 1. März 2026 – 31. Mai 2026`, `**دوره**: از ۱ مرداد
                        // ۱۴۰۵ (۲۳ ژوئیه ۲۰۲۶) تا … (۲۳ اوت ۲۰۲۶)`: from the first to the last
                        // full date (the month of the first is not the period)
                        let dates = period::dates_in(&period::ascii_digits(&t[at..]));
                        if let [start, .., end] = dates[..]
                            && end > start
                        {
                            let p = Period::Range { start, end };
                            return Some((Some(p), Some(range_length(start, end)), n.frag));
                        }
                        if let Some(found) = period::find(&t[at..])
                            && found.period.is_some()
                        {
                            return Some((found.period, found.length, n.frag));
                        }
                    }
                    if let Some((start, end)) = start_and_end(t) {
                        let p = Period::Range { start, end };
                        return Some((Some(p), Some(range_length(start, end)), n.frag));
                    }
                    if let Some(p) = half_of_year(t, self.page_year) {
                        return Some((Some(p), Some(PeriodLength::Half), n.frag));
                    }
                    if let Some((p, length)) = end_of(t) {
                        return Some((Some(p), length, n.frag));
                    }
                }
                _ => {}
            }
        }
        self.title_period().or_else(|| self.prose_period())
    }

    /// The page's title, its first node when that is a heading, naming a quarter or half with
    /// its year (`Q1-19 OKR Archive` over `===`): the period of the page, when nothing else
    /// dates it (a heading after it that names none does not undo it).
    fn title_period(&self) -> Option<Hint<'b>> {
        let n = self.nodes.first()?;
        if !matches!(n.slot, Slot::Heading(_)) {
            return None;
        }
        let found = period::find(n.frag.text())?;
        match found.period {
            Some(p @ (Period::Quarter(..) | Period::Half(..) | Period::Range { .. })) => {
                Some((Some(p), found.length, n.frag))
            }
            _ => None,
        }
    }

    /// A page whose text names one quarter or half of a year and no other (`Trong quý đầu
    /// tiên ra mắt (Q3/2026), …`): that period, when nothing else dates the page.
    fn prose_period(&self) -> Option<Hint<'b>> {
        let mut named: Vec<(Period, Option<PeriodLength>, Frag<'b>)> = Vec::new();
        for n in &self.nodes {
            if !matches!(n.slot, Slot::Line | Slot::Item(_)) {
                continue;
            }
            // every period the line names, not only its first
            let text = n.frag.text();
            let mut from = 0;
            while let Some(found) = period::find(&text[from..]) {
                if let Some(p @ (Period::Quarter(..) | Period::Half(..))) = found.period
                    && !named.iter().any(|x| x.0 == p)
                {
                    named.push((p, found.length, n.frag));
                }
                if found.at.end == 0 {
                    break;
                }
                from += found.at.end;
            }
        }
        match named.as_slice() {
            [(p, l, f)] => Some((Some(*p), *l, *f)),
            _ => None,
        }
    }
}

/// `2022OKR` → `2022 OKR`: a period glued to a word.
fn spaced(t: &str) -> String {
    let mut out = String::with_capacity(t.len() + 2);
    let mut prev: Option<char> = None;
    for c in t.chars() {
        if let Some(p) = prev
            && p.is_ascii_digit()
            && c.is_ascii_alphabetic()
            && !matches!(c, 'Q' | 'q' | 'H' | 'h')
        {
            out.push(' ');
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// "Start … is 23.11.2020. End is 28.02.2021.": two dates with words of start and end.
fn start_and_end(t: &str) -> Option<(NaiveDate, NaiveDate)> {
    let lower = t.to_ascii_lowercase();
    let starts = ["start", "from", "begin", "runs"]
        .iter()
        .any(|w| lower.contains(w));
    let ends = ["end", "until", " to ", "through"]
        .iter()
        .any(|w| lower.contains(w));
    if !(starts && ends) {
        return None;
    }
    let dates: Vec<NaiveDate> = t
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')'))
        .filter_map(|w| {
            let w = w.trim_end_matches('.');
            NaiveDate::parse_from_str(w, "%d.%m.%Y")
                .or_else(|_| NaiveDate::parse_from_str(w, "%Y-%m-%d"))
                .ok()
        })
        .collect();
    match dates.as_slice() {
        [a, b] if b > a => Some((*a, *b)),
        _ => None,
    }
}

/// "to the end of 2025", "by end of 2025", "by the end of 2025", "deadline: end of Q4
/// 2026": the quarter, half or year named after "end of".
fn end_of(t: &str) -> Option<(Period, Option<PeriodLength>)> {
    let lower = t.to_ascii_lowercase();
    let at = lower.find("end of ")? + "end of ".len();
    let rest = lower[at..]
        .trim_start_matches("the year ")
        .trim_start_matches("the ")
        .trim_start();
    if let Some(found) = period::find(rest)
        && found.at.start == 0
        && !found.bare_year
        && let Some(p) = found.period
        // a deadline month ("by end of April 2022") is when work is due, not a cycle
        && matches!(p, Period::Quarter(..) | Period::Half(..) | Period::Year(_))
    {
        return Some((p, found.length));
    }
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() != 4 {
        return None;
    }
    let y: i32 = digits.parse().ok()?;
    (1990..2100)
        .contains(&y)
        .then_some((Period::Year(y), Some(PeriodLength::Year)))
}

/// "the second half of 2016", "the first half of the year" (the year the page is dated,
/// `year`): that half.
fn half_of_year(t: &str, year: Option<i32>) -> Option<Period> {
    let lower = t.to_ascii_lowercase();
    let (half, at) = [
        ("first half of ", 1),
        ("1st half of ", 1),
        ("second half of ", 2),
        ("2nd half of ", 2),
    ]
    .iter()
    .find_map(|(w, h)| lower.find(w).map(|i| (*h, i + w.len())))?;
    let rest = lower[at..].trim_start_matches("the ").trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let y = if digits.len() == 4 {
        digits.parse().ok()?
    } else if rest.starts_with("the year")
        || rest.starts_with("year")
        || rest.starts_with("this year")
    {
        year?
    } else {
        return None;
    };
    (1990..2100).contains(&y).then_some(Period::Half(y, half))
}

/// A line that is only a period (`**2019 Q1**`, `2020`): what it names.
pub(crate) fn period_only(t: &str) -> Option<period::Found> {
    let found = period::find(t)?;
    (classify::leftover(t, Some(&found.at)).is_empty() && found.period.is_some()).then_some(found)
}
