//! Periods named in OKR pages: `Q1 2018`, `2018 Q3`, `FY24-Q2`, `CY19-Q3`, `Q2FY23`, `H2 2025`,
//! `2026`, `March 2025`, and date ranges stated in a sentence ("runs from 2023-05-01 to
//! 2023-07-31", "will run from February 1, 2022 to April 30, 2022").
//!
//! A fiscal quarter or year (`FY…`) is a name, not dates: its dates come from a range the page
//! states; without one the period's length is known and its dates are not.

use chrono::NaiveDate;

use crate::values::{Period, PeriodLength};

/// A period found in a piece of text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Found {
    /// Calendar dates, when known.
    pub period: Option<Period>,
    pub length: Option<PeriodLength>,
    /// The period as written (`FY23-Q1`).
    pub label: String,
    /// A fiscal period: its dates are those of the range the page states.
    pub fiscal: bool,
    /// Byte range of the period in the text.
    pub at: std::ops::Range<usize>,
    /// Only a year (`2026`): a period only where the text is about OKRs.
    pub bare_year: bool,
}

/// A word of the text with its byte range.
fn words(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let sep = c.is_whitespace()
            || matches!(
                c,
                ',' | '('
                    | ')'
                    | ':'
                    | '|'
                    | '–'
                    | '—'
                    | '/'
                    | '['
                    | ']'
                    | '*'
                    | '_'
                    | '`'
                    | '"'
                    | '!'
                    | '?'
                    | '.'
                    | ';'
                    // full-width, as Chinese and Japanese pages write them: `可控（2026 Q3）`
                    | '（'
                    | '）'
                    | '，'
                    | '：'
                    | '；'
                    | '、'
                    | '｜'
                    | '【'
                    | '】'
                    | '。'
            );
        match (sep, start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    // `'2022.M1'`: a word quoted (an id in quotes) is the word; `Q1'24` keeps its quote
    for w in &mut out {
        let t = w.1.trim_start_matches(['\'', '‘', '’']);
        w.0 += w.1.len() - t.len();
        w.1 = t;
    }
    out.retain(|w| !w.1.is_empty());
    out
}

#[derive(Default, Debug)]
struct Parts {
    year: Option<i32>,
    quarter: Option<u8>,
    half: Option<u8>,
    fiscal: bool,
}

/// Reads a compact token: `fy24-q2`, `q2fy23`, `cy19-q3`, `2024-q1`, `q1'24`, `h1`, `2018`.
fn parts(token: &str) -> Option<Parts> {
    let s: String = token
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !matches!(c, '-' | '\'' | '’' | '_' | ' '))
        .collect();
    let b = s.as_bytes();
    let mut p = Parts::default();
    let mut i = 0;
    let mut components = 0;
    while i < b.len() {
        components += 1;
        if components > 3 {
            return None;
        }
        let prefix = &s[i..];
        if prefix.starts_with("fy") || prefix.starts_with("cy") {
            p.fiscal = prefix.starts_with("fy");
            i += 2;
            let (y, used) = year_digits(&s[i..])?;
            if p.year.replace(y).is_some() {
                return None;
            }
            i += used;
        } else if (b[i] == b'q' || b[i] == b'h') && i + 1 < b.len() && b[i + 1].is_ascii_digit() {
            let n = b[i + 1] - b'0';
            let slot = if b[i] == b'q' {
                (1..=4).contains(&n).then_some(&mut p.quarter)?
            } else {
                (1..=2).contains(&n).then_some(&mut p.half)?
            };
            if slot.replace(n).is_some() {
                return None;
            }
            i += 2;
        } else if b[i].is_ascii_digit() {
            let (y, used) = year_digits(&s[i..])?;
            if p.year.replace(y).is_some() {
                return None;
            }
            i += used;
        } else {
            return None;
        }
    }
    (p.year.is_some() || p.quarter.is_some() || p.half.is_some()).then_some(p)
}

/// Four digits (1990–2099) or two (2000 + n) at the start of `s`.
fn year_digits(s: &str) -> Option<(i32, usize)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    match digits {
        4 => s[..4]
            .parse::<i32>()
            .ok()
            .filter(|y| (1990..2100).contains(y))
            .map(|y| (y, 4)),
        2 => s[..2].parse::<i32>().ok().map(|y| (2000 + y, 2)),
        // `q12024`: the quarter took one digit, the rest is the year
        _ => None,
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Month names in the other languages OKR pages are written in (whole words only).
const OTHER_MONTHS: &[(&str, u32)] = &[
    // Spanish and Portuguese
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
    // French and German
    ("janvier", 1),
    ("février", 2),
    ("mai", 5),
    ("mars", 3),
    ("avril", 4),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("décembre", 12),
    ("januar", 1),
    ("februar", 2),
    ("märz", 3),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    // Persian names of the Gregorian months
    ("ژانویه", 1),
    ("فوریه", 2),
    ("آوریل", 4),
    ("ژوئن", 6),
    ("ژوئیه", 7),
    ("اوت", 8),
    ("سپتامبر", 9),
    ("اکتبر", 10),
    ("نوامبر", 11),
    ("دسامبر", 12),
];

fn month(word: &str) -> Option<u32> {
    let w = word.to_lowercase();
    let w = w.trim_end_matches('.');
    if let Some((_, m)) = OTHER_MONTHS.iter().find(|(name, _)| *name == w) {
        return Some(*m);
    }
    if w.len() < 3 || !w.is_ascii() {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| *m == w || (w.len() <= 4 && m.starts_with(w)))
        .map(|i| i as u32 + 1)
}

/// The text with its digits in ASCII: Persian (`۲۰۲۶`), Arabic-Indic (`٢٠٢٦`) and full-width
/// (`２０２６`) digits, as pages in those scripts write dates.
pub(crate) fn ascii_digits(text: &str) -> std::borrow::Cow<'_, str> {
    let ascii = |c: char| -> Option<char> {
        let base = match c {
            '\u{06F0}'..='\u{06F9}' => 0x06F0,
            '\u{0660}'..='\u{0669}' => 0x0660,
            '\u{FF10}'..='\u{FF19}' => 0xFF10,
            _ => return None,
        };
        char::from_digit(c as u32 - base, 10)
    };
    if text.chars().any(|c| ascii(c).is_some()) {
        std::borrow::Cow::Owned(text.chars().map(|c| ascii(c).unwrap_or(c)).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Every date written in the text (`2026-07-23`, `July 23, 2026`, `23 July 2026`, `23 ژوئیه
/// 2026`), in order.
pub(crate) fn dates_in(text: &str) -> Vec<NaiveDate> {
    let ws = words(text);
    let mut out = Vec::new();
    let mut k = 0;
    while k < ws.len() {
        match date_at(&ws, k, text) {
            Some((d, _, end)) => {
                out.push(d);
                k = ws.iter().position(|w| w.0 >= end).unwrap_or(ws.len());
            }
            None => k += 1,
        }
    }
    out
}

/// `spring`, `Summer`, `fall`, `autumn`, `winter`.
pub(crate) fn is_season(w: &str) -> bool {
    matches!(
        w.to_ascii_lowercase().as_str(),
        "spring" | "summer" | "autumn" | "fall" | "winter"
    )
}

/// `Jul–Sep 2026`, `July to September 2026`, `Nov 2025 - Jan 2026`, `Nov–Jan 2026`: the
/// months from the first to the last, as the range of days they cover (a fiscal quarter
/// written beside them, `Q2 FY26–27 (Jul–Sep 2026)`, is those days).
fn month_span(text: &str) -> Option<Found> {
    let ws = words(text);
    for (k, &(at, w)) in ws.iter().enumerate() {
        // `Jul-Sep` as one word, or `Jul` then (a year,) a connector and a month
        let (m1, y1, after) = match w.split_once('-') {
            Some((a, b)) if month(a).is_some() && month(b).is_some() => {
                (month(a)?, None, at + a.len() + 1)
            }
            _ => {
                let Some(m1) = month(w) else { continue };
                let mut end = at + w.len();
                let mut y1 = None;
                if let Some(&(at2, w2)) = ws.get(k + 1)
                    && w2.len() == 4
                    && let Some((y, 4)) = year_digits(w2)
                    && text[end..at2].trim().is_empty()
                {
                    y1 = Some(y);
                    end = at2 + w2.len();
                }
                let rest = text[end..].trim_start();
                let Some(conn) = ["–", "—", "-", "to ", "through ", "until ", "till "]
                    .iter()
                    .find(|c| rest.to_ascii_lowercase().starts_with(*c))
                else {
                    continue;
                };
                (m1, y1, text.len() - rest.len() + conn.len())
            }
        };
        let rest = text[after..].trim_start();
        let from = text.len() - rest.len();
        let ws2 = words(rest);
        let (&(_, mw), &(yat, yw)) = (ws2.first()?, ws2.get(1)?);
        let (Some(m2), Some((y2, 4))) = (month(mw), year_digits(yw)) else {
            continue;
        };
        if yw.len() != 4 || !rest[mw.len()..yat].trim().trim_end_matches(',').is_empty() {
            continue;
        }
        let y1 = y1.unwrap_or(if m1 <= m2 { y2 } else { y2 - 1 });
        let start = NaiveDate::from_ymd_opt(y1, m1, 1)?;
        let (ny, nm) = if m2 == 12 { (y2 + 1, 1) } else { (y2, m2 + 1) };
        let end = NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()?;
        if end <= start || (end - start).num_days() > 400 {
            continue;
        }
        let until = from + yat + yw.len();
        return Some(Found {
            period: Some(Period::Range { start, end }),
            length: Some(range_length(start, end)),
            label: text[at..until].to_string(),
            fiscal: false,
            at: at..until,
            bare_year: false,
        });
    }
    None
}

/// The quarters as Chinese and Japanese pages name them: `第一季度` … `第4季度`.
pub(crate) const CJK_QUARTERS: [(&str, u8); 8] = [
    ("第一季度", 1),
    ("第二季度", 2),
    ("第三季度", 3),
    ("第四季度", 4),
    ("第1季度", 1),
    ("第2季度", 2),
    ("第3季度", 3),
    ("第4季度", 4),
];

/// `2분기`, `제2분기`: a quarter the Korean way, and the bytes it takes.
fn korean_quarter(t: &str) -> Option<(u8, usize)> {
    let skip = if t.starts_with('제') {
        '제'.len_utf8()
    } else {
        0
    };
    let b = &t.as_bytes()[skip..];
    let q = match b.first() {
        Some(d @ b'1'..=b'4') => d - b'0',
        _ => return None,
    };
    t[skip + 1..]
        .starts_with("분기")
        .then_some((q, skip + 1 + "분기".len()))
}

/// `23年Q1`, `2023年 Q1`, `2023年第一季度`, `2022년 2분기`: a quarter after its year written
/// the Chinese, Japanese and Korean way (a two-digit year is this century's).
fn cjk_quarter(text: &str) -> Option<Found> {
    let marks = text
        .match_indices('年')
        .chain(text.match_indices('년'))
        .map(|(at, m)| (at, m.len()));
    for (at, mark) in marks {
        let before = &text[..at];
        let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let start = at - digits;
        // not the end of a longer number or word (`v2023年`)
        if !(digits == 2 || digits == 4)
            || before[..start].ends_with(|c: char| c.is_ascii_alphanumeric())
        {
            continue;
        }
        let y: i32 = before[start..].parse().ok()?;
        let year = if digits == 2 { 2000 + y } else { y };
        let rest = &text[at + mark..];
        let trimmed = rest.trim_start();
        let skipped = rest.len() - trimmed.len();
        let b = trimmed.as_bytes();
        let (q, len) = if matches!(b.first(), Some(b'Q' | b'q'))
            && matches!(b.get(1), Some(b'1'..=b'4'))
            && !b.get(2).is_some_and(u8::is_ascii_alphanumeric)
        {
            (b[1] - b'0', 2)
        } else if let Some((w, q)) = CJK_QUARTERS.iter().find(|(w, _)| trimmed.starts_with(w)) {
            (*q, w.len())
        } else if let Some(q) = korean_quarter(trimmed) {
            q
        } else {
            continue;
        };
        if !(1990..2100).contains(&year) {
            continue;
        }
        let end = at + mark + skipped + len;
        return Some(Found {
            period: Some(Period::Quarter(year, q)),
            length: Some(PeriodLength::Quarter),
            label: text[start..end].to_string(),
            fiscal: false,
            at: start..end,
            bare_year: false,
        });
    }
    None
}

/// `2022 10月`, `2022年10月`: a month written the Chinese and Japanese way, after its year.
fn cjk_month(text: &str) -> Option<Found> {
    let at = text.find('月')?;
    let before = &text[..at];
    // the ASCII digits at the end of `s`
    let trailing =
        |s: &str| -> usize { s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len() };
    let digits = &before[before.len() - trailing(before)..];
    let month: u32 = digits.parse().ok().filter(|m| (1..=12).contains(m))?;
    let rest = before[..before.len() - digits.len()].trim_end_matches([' ', '年', '-', '/']);
    let year_digits = &rest[rest.len() - trailing(rest)..];
    let year: i32 = year_digits
        .parse()
        .ok()
        .filter(|y| (1990..2100).contains(y))?;
    let start = rest.len() - year_digits.len();
    let end = at + '月'.len_utf8();
    Some(Found {
        period: Some(Period::Month(year, month as u8)),
        length: Some(PeriodLength::Month),
        label: text[start..end].to_string(),
        fiscal: false,
        at: start..end,
        bare_year: false,
    })
}

/// `2024年的小目标`: a year written with `年` against the text, as Chinese and Japanese pages
/// write it (a bare year: a period only where the text is about goals).
fn cjk_year(text: &str) -> Option<Found> {
    let at = text.find('年')?;
    let before = &text[..at];
    let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits != 4 {
        return None;
    }
    let start = at - 4;
    let year: i32 = text[start..at]
        .parse()
        .ok()
        .filter(|y| (1990..2100).contains(y))?;
    let end = at + '年'.len_utf8();
    Some(Found {
        period: Some(Period::Year(year)),
        length: Some(PeriodLength::Year),
        label: text[start..end].to_string(),
        fiscal: false,
        at: start..end,
        bare_year: true,
    })
}

/// `Q3-Q4 2025`, `2025 Q3–Q4`, `2020 Q1/2`: quarters of one year, as the range of days they
/// cover.
fn quarter_span(text: &str) -> Option<Found> {
    let b = text.as_bytes();
    let q = |i: usize| -> Option<u32> {
        (matches!(b.get(i), Some(b'Q' | b'q')) && matches!(b.get(i + 1), Some(b'1'..=b'4')))
            .then(|| u32::from(b[i + 1] - b'0'))
    };
    for i in 0..b.len() {
        if i > 0 && b[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        let Some(q1) = q(i) else { continue };
        let rest = &text[i + 2..];
        let Some(dash) = ["-", "–", "—", " to ", " - ", "/", " & ", " and "]
            .iter()
            .find_map(|d| rest.strip_prefix(d).map(|r| (d.len(), r)))
        else {
            continue;
        };
        let j = i + 2 + dash.0;
        // `Q1-Q2`, or `Q1/2` with the second quarter's number alone
        let (q2, width) = match q(j) {
            Some(q2) => (q2, 2),
            None => match b.get(j) {
                Some(d @ b'1'..=b'4') => (u32::from(d - b'0'), 1),
                _ => continue,
            },
        };
        if q2 <= q1 || b.get(j + width).is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        // the year before or after
        let year = words(text).into_iter().find_map(|(_, w)| {
            (w.len() == 4)
                .then(|| year_digits(w))
                .flatten()
                .map(|(y, _)| y)
        })?;
        let start = NaiveDate::from_ymd_opt(year, 3 * (q1 - 1) + 1, 1)?;
        let end = NaiveDate::from_ymd_opt(year, 3 * q2, 1)?
            .checked_add_months(chrono::Months::new(1))?
            .pred_opt()?;
        return Some(Found {
            period: Some(Period::Range { start, end }),
            length: Some(range_length(start, end)),
            label: text[i..j + width].to_string(),
            fiscal: false,
            at: i..j + width,
            bare_year: false,
        });
    }
    None
}

/// The first period named in `text`.
pub(crate) fn find(text: &str) -> Option<Found> {
    // `1. März 2026 – 31. Mai 2026`: a range of two full dates, not the month of the first
    if let Some((start, end, at)) = find_range(text) {
        return Some(Found {
            period: Some(Period::Range { start, end }),
            length: Some(range_length(start, end)),
            label: text[at.clone()].to_string(),
            fiscal: false,
            at,
            bare_year: false,
        });
    }
    if let Some(span) = month_span(text) {
        return Some(span);
    }
    if let Some(span) = quarter_span(text) {
        return Some(span);
    }
    if let Some(span) = cjk_quarter(text) {
        return Some(span);
    }
    if let Some(span) = cjk_month(text) {
        return Some(span);
    }
    if let Some(span) = cjk_year(text) {
        return Some(span);
    }
    let ws = words(text);
    let mut bare: Option<Found> = None;
    for (k, &(at, w)) in ws.iter().enumerate() {
        // two words that belong together (`Q1 2018`, `2018 Q3`, `Q2 FY23`), then one
        let pair = ws.get(k + 1).and_then(|&(at2, w2)| {
            let joined = format!("{w}{w2}");
            let p = parts(&joined)?;
            let both = (p.quarter.is_some() || p.half.is_some()) && p.year.is_some();
            both.then(|| (p, at..at2 + w2.len()))
        });
        let (p, range) = match pair.or_else(|| parts(w).map(|p| (p, at..at + w.len()))) {
            Some(found) => found,
            None => {
                // `Spring 2026`: about a quarter long, its dates those the page states (a
                // season is not the same months everywhere, nor a school's term)
                if is_season(w)
                    && let Some(&(at2, w2)) = ws.get(k + 1)
                    && let Some((_, 4)) = year_digits(w2).filter(|_| w2.len() == 4)
                {
                    return Some(Found {
                        period: None,
                        length: Some(PeriodLength::Quarter),
                        label: text[at..at2 + w2.len()].to_string(),
                        fiscal: true,
                        at: at..at2 + w2.len(),
                        bare_year: false,
                    });
                }
                // `March 2025`
                if let (Some(m), Some(&(at2, w2))) = (month(w), ws.get(k + 1))
                    && let Some((y, 4)) = year_digits(w2).filter(|_| w2.len() == 4)
                {
                    return Some(Found {
                        period: Some(Period::Month(y, m as u8)),
                        length: Some(PeriodLength::Month),
                        label: text[at..at2 + w2.len()].to_string(),
                        fiscal: false,
                        at: at..at2 + w2.len(),
                        bare_year: false,
                    });
                }
                continue;
            }
        };
        // a lone two-digit number is not a year
        if p.quarter.is_none() && p.half.is_none() && !p.fiscal && w.len() != 4 {
            continue;
        }
        let label = text[range.clone()].to_string();
        let (period, length) = match (p.year, p.quarter, p.half) {
            (Some(y), Some(q), _) => (Some(Period::Quarter(y, q)), PeriodLength::Quarter),
            (Some(y), None, Some(h)) => (Some(Period::Half(y, h)), PeriodLength::Half),
            (Some(y), None, None) => (Some(Period::Year(y)), PeriodLength::Year),
            (None, Some(_), _) => (None, PeriodLength::Quarter),
            (None, None, _) => (None, PeriodLength::Half),
        };
        let found = Found {
            period: if p.fiscal { None } else { period },
            length: Some(length),
            label,
            fiscal: p.fiscal,
            at: range,
            bare_year: p.quarter.is_none() && p.half.is_none() && !p.fiscal,
        };
        // `2025–2026`: a span of years
        if found.bare_year
            && let Some(&(at2, w2)) = ws.get(k + 1)
            && let Some((y2, 4)) = year_digits(w2).filter(|_| w2.len() == 4)
            && let Some(Period::Year(y1)) = found.period
            && y2 > y1
            && matches!(text[at + w.len()..at2].trim(), "–" | "-" | "—" | "to")
        {
            let start = NaiveDate::from_ymd_opt(y1, 1, 1)?;
            let end = NaiveDate::from_ymd_opt(y2, 12, 31)?;
            return Some(Found {
                period: Some(Period::Range { start, end }),
                length: Some(range_length(start, end)),
                label: text[at..at2 + w2.len()].to_string(),
                fiscal: false,
                at: at..at2 + w2.len(),
                bare_year: false,
            });
        }
        if found.bare_year {
            // keep looking: `2026 Q1` was taken as a pair already, but `Objectives (2026) for Q1`
            // names the quarter later
            bare.get_or_insert(found);
            continue;
        }
        return Some(found);
    }
    bare
}

/// A date: `2023-05-01`, `May 1, 2023`, `1 May 2023`, `May 1 2023`. Returns the date and the
/// bytes it used.
fn date_at(ws: &[(usize, &str)], k: usize, text: &str) -> Option<(NaiveDate, usize, usize)> {
    let (at, w) = ws[k];
    if let Ok(d) = NaiveDate::parse_from_str(w.get(..10).unwrap_or(w), "%Y-%m-%d")
        && w.len() >= 10
    {
        return Some((d, at, at + 10));
    }
    let num = |s: &str| {
        s.trim_end_matches(['s', 't', 'h', 'n', 'd', 'r'])
            .parse::<u32>()
            .ok()
    };
    let year = |i: usize| -> Option<(i32, usize)> {
        let (a, y) = *ws.get(i)?;
        (y.len() == 4)
            .then(|| y.parse().ok())
            .flatten()
            .map(|y| (y, a + 4))
    };
    // Month D, YYYY | Month D YYYY
    if let Some(m) = month(w)
        && let Some(&(_, dw)) = ws.get(k + 1)
        && let Some(d) = num(dw)
        && let Some((y, end)) = year(k + 2)
    {
        return NaiveDate::from_ymd_opt(y, m, d).map(|dt| (dt, at, end));
    }
    // D Month YYYY
    if let Some(d) = num(w)
        && let Some(&(_, mw)) = ws.get(k + 1)
        && let Some(m) = month(mw)
        && let Some((y, end)) = year(k + 2)
    {
        return NaiveDate::from_ymd_opt(y, m, d).map(|dt| (dt, at, end));
    }
    let _ = text;
    None
}

/// A date range stated in a sentence: two dates with `to`, `through`, `until`, `-` or `–`
/// between them. Returns the first and last day and the byte range of the statement.
pub(crate) fn find_range(text: &str) -> Option<(NaiveDate, NaiveDate, std::ops::Range<usize>)> {
    if let Some(r) = slash_range(text) {
        return Some(r);
    }
    let ws = words(text);
    let mut k = 0;
    while k < ws.len() {
        let Some((start, s_at, s_end)) = date_at(&ws, k, text) else {
            k += 1;
            continue;
        };
        // `Week of 2026-06-15`, `week of June 15, 2026`: the seven days from that one
        let before = text[..s_at].trim_end().to_ascii_lowercase();
        if before.ends_with("week of") {
            let at = before.len() - "week of".len();
            return Some((start, start + chrono::Days::new(6), at..s_end));
        }
        // the next date, after a connector and nothing else
        for j in (k + 1)..(k + 5).min(ws.len()) {
            if ws[j].0 < s_end {
                continue;
            }
            let Some((end, e_at, e_end)) = date_at(&ws, j, text) else {
                continue;
            };
            let between = text[s_end..e_at].trim().trim_end_matches(',').trim();
            let connector = matches!(
                between.to_ascii_lowercase().as_str(),
                "to" | "through" | "until" | "till" | "and" | "-" | "–" | "—" | "to the"
            );
            if connector && end > start {
                return Some((start, end, s_at..e_end));
            }
            break;
        }
        k += 1;
    }
    None
}

/// `From 12/04/2022 To 12/06/2022`: two dates written with slashes, whose day and month
/// order the page does not say. Read both ways, the one order that gives a span an OKR
/// period can have (a week to about a year) is the range; when both orders do, or neither,
/// it is not read (the page is then dated otherwise, or said to have no period).
fn slash_range(text: &str) -> Option<(NaiveDate, NaiveDate, std::ops::Range<usize>)> {
    // words split at spaces only (the date's slashes kept), without the punctuation around
    let mut ws: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    for w in text.split_inclusive(char::is_whitespace) {
        let t = w.trim_end();
        let lead = t.len() - t.trim_start_matches(['(', '[', '*']).len();
        let t = t[lead..].trim_end_matches([',', '.', ')', ']', '*', ';']);
        if !t.is_empty() {
            ws.push((at + lead, t));
        }
        at += w.len();
    }
    let parts = |w: &str| -> Option<(u32, u32, i32)> {
        let mut it = w.split('/');
        let a = it.next()?.parse().ok()?;
        let b = it.next()?.parse().ok()?;
        let y: &str = it.next()?;
        if it.next().is_some() || y.len() != 4 {
            return None;
        }
        Some((a, b, y.parse().ok()?))
    };
    for k in 0..ws.len() {
        let Some(first) = parts(ws[k].1) else {
            continue;
        };
        for j in k + 1..(k + 3).min(ws.len()) {
            let Some(second) = parts(ws[j].1) else {
                continue;
            };
            let s_end = ws[k].0 + ws[k].1.len();
            let between = text[s_end..ws[j].0].trim().to_ascii_lowercase();
            if !matches!(
                between.as_str(),
                "to" | "through"
                    | "until"
                    | "till"
                    | "-"
                    | "–"
                    | "—"
                    | "a"
                    | "à"
                    | "bis"
                    | "al"
                    | "até"
            ) {
                break;
            }
            let read = |(a, b, y): (u32, u32, i32), day_first: bool| {
                let (d, m) = if day_first { (a, b) } else { (b, a) };
                NaiveDate::from_ymd_opt(y, m, d)
            };
            let plausible: Vec<(NaiveDate, NaiveDate)> = [true, false]
                .into_iter()
                .filter_map(|day_first| {
                    let (s, e) = (read(first, day_first)?, read(second, day_first)?);
                    (7..=400).contains(&(e - s).num_days()).then_some((s, e))
                })
                .collect();
            return match plausible.as_slice() {
                [(s, e)] => Some((*s, *e, ws[k].0..ws[j].0 + ws[j].1.len())),
                _ => None,
            };
        }
    }
    None
}

/// How long a range is, in the words of periods (a quarter's range is a quarter).
pub(crate) fn range_length(start: NaiveDate, end: NaiveDate) -> PeriodLength {
    let days = (end - start).num_days() + 1;
    match days {
        28..=31 => PeriodLength::Month,
        85..=95 => PeriodLength::Quarter,
        178..=186 => PeriodLength::Half,
        360..=370 => PeriodLength::Year,
        d => PeriodLength::Days(d),
    }
}

/// Labels of the day a period starts on (`Start: 2026-08-26`, `起始：2026-08-26`).
const START_LABELS: &[&str] = &[
    "start",
    "start date",
    "starts",
    "starting",
    "kickoff",
    "kick-off",
    "起始",
    "开始",
    "開始",
    "起始日期",
    "开始日期",
    "開始日",
    "début",
    "inicio",
    "início",
    "beginn",
];

/// A start day and a length in days on the page's first lines: `Start: 2026-08-26` with
/// `next 90 days` (`未来 90 天`, `90-day OKRs`, `12 weeks`) in the title or beside it. The
/// day's offset in `src` and its length, the day, and the number of days.
pub(super) fn start_and_length(src: &str) -> Option<(std::ops::Range<usize>, NaiveDate, i64)> {
    let mut start = None;
    let mut days = None;
    let mut offset = 0;
    for line in src.lines().take(25) {
        let t = line.trim().trim_start_matches(['#', '-', '*', '>', ' ']);
        if start.is_none()
            && let Some((label, rest)) = t.split_once([':', '：'])
            && START_LABELS.contains(&label.trim_matches(['*', '_', ' ']).to_lowercase().as_str())
        {
            let rest = rest.trim_start_matches(['*', '_', ' ']);
            if let Some(d) = rest
                .get(..10)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            {
                let at = offset + line.find(rest).unwrap_or(0);
                start = Some((at..at + 10, d));
            }
        }
        if days.is_none() {
            days = length_in_days(t);
        }
        offset += line.len() + 1;
    }
    let (at, d) = start?;
    Some((at, d, days?))
}

/// `90 days`, `90-day`, `90 天`, `12 weeks`, `12 周`, `3 months`, `3 个月`: a length in days.
fn length_in_days(t: &str) -> Option<i64> {
    let lower = t.to_lowercase();
    let chars: Vec<(usize, char)> = lower.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].1.is_ascii_digit() || (i > 0 && chars[i - 1].1.is_ascii_digit()) {
            i += 1;
            continue;
        }
        let from = chars[i].0;
        let mut j = i;
        while j < chars.len() && chars[j].1.is_ascii_digit() {
            j += 1;
        }
        let n: i64 = lower[from..chars.get(j).map_or(lower.len(), |c| c.0)]
            .parse()
            .ok()?;
        let rest =
            lower[chars.get(j).map_or(lower.len(), |c| c.0)..].trim_start_matches([' ', '-']);
        let per = [
            ("days", 1),
            ("day", 1),
            ("天", 1),
            ("日", 1),
            ("weeks", 7),
            ("week", 7),
            ("周", 7),
            ("週", 7),
            ("months", 30),
            ("month", 30),
            ("个月", 30),
            ("か月", 30),
            ("ヶ月", 30),
        ]
        .iter()
        .find(|(w, _)| rest.starts_with(w))
        .map(|(_, d)| *d);
        if let Some(d) = per
            && (1..=400).contains(&(n * d))
        {
            return Some(n * d);
        }
        i = j;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> (Option<Period>, Option<PeriodLength>, bool) {
        let f = find(text).unwrap_or_else(|| panic!("no period in {text:?}"));
        (f.period, f.length, f.fiscal)
    }

    #[test]
    fn calendar_quarters_halves_years_and_months() {
        use PeriodLength as L;
        assert_eq!(
            q("Q1 2018 OKRs"),
            (Some(Period::Quarter(2018, 1)), Some(L::Quarter), false)
        );
        assert_eq!(
            q("## 2018 Q3"),
            (Some(Period::Quarter(2018, 3)), Some(L::Quarter), false)
        );
        assert_eq!(
            q("CY19-Q3 OKRs"),
            (Some(Period::Quarter(2019, 3)), Some(L::Quarter), false)
        );
        assert_eq!(
            q("Q4 2026 objectives"),
            (Some(Period::Quarter(2026, 4)), Some(L::Quarter), false)
        );
        assert_eq!(
            q("Objectives and Key Results - Q1 2018"),
            (Some(Period::Quarter(2018, 1)), Some(L::Quarter), false)
        );
        assert_eq!(
            q("Q1'24 goals"),
            (Some(Period::Quarter(2024, 1)), Some(L::Quarter), false)
        );
        assert_eq!(
            q("2024-Q1"),
            (Some(Period::Quarter(2024, 1)), Some(L::Quarter), false)
        );
        assert_eq!(
            q("Growth OKRs, H2 2025"),
            (Some(Period::Half(2025, 2)), Some(L::Half), false)
        );
        assert_eq!(
            q("2025 OKRs"),
            (Some(Period::Year(2025)), Some(L::Year), false)
        );
        assert_eq!(
            q("March 2025 goals"),
            (Some(Period::Month(2025, 3)), Some(L::Month), false)
        );
        assert_eq!(q("Q1 OKRs"), (None, Some(L::Quarter), false));
        assert!(find("Decisions made").is_none());
        assert_eq!(
            find("Strategic Objectives (2025–2026)").unwrap().period,
            Some(Period::Range {
                start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
                end: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
            })
        );
        assert!(find("Grow to 1000 contributors").is_none());
    }

    #[test]
    fn fiscal_periods_have_no_dates_of_their_own() {
        use PeriodLength as L;
        assert_eq!(q("FY24-Q2 OKRs"), (None, Some(L::Quarter), true));
        assert_eq!(q("Q2FY23 objectives"), (None, Some(L::Quarter), true));
        assert_eq!(q("FY23 Q1"), (None, Some(L::Quarter), true));
        assert_eq!(q("FY2022 Annual OKRs"), (None, Some(L::Year), true));
        assert_eq!(find("FY24-Q2 OKRs").unwrap().label, "FY24-Q2");
        assert_eq!(find("Q2 FY23 OKRs").unwrap().label, "Q2 FY23");
    }

    #[test]
    fn digits_and_months_of_other_scripts_and_languages() {
        assert_eq!(ascii_digits("۲۳ ژوئیه ۲۰۲۶"), "23 ژوئیه 2026");
        assert_eq!(ascii_digits("٢٠٢٥ / ２０２４"), "2025 / 2024");
        assert_eq!(
            dates_in("از ۱ مرداد ۱۴۰۵ (23 ژوئیه 2026) تا (23 اوت 2026)"),
            [
                NaiveDate::from_ymd_opt(2026, 7, 23).unwrap(),
                NaiveDate::from_ymd_opt(2026, 8, 23).unwrap()
            ]
        );
        assert_eq!(
            dates_in("du 1 mars 2026 au 31 mai 2026"),
            [
                NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 5, 31).unwrap()
            ]
        );
        // a word that only begins like a month is not one
        assert!(dates_in("1 maize 2026").is_empty());
    }

    #[test]
    fn ranges_stated_in_sentences() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (s, e, _) =
            find_range("This fiscal quarter will run from February 1, 2022 to April 30, 2022.")
                .unwrap();
        assert_eq!((s, e), (d("2022-02-01"), d("2022-04-30")));
        let (s, e, _) =
            find_range("fiscal year 2021, which runs from 2020-02-01 to 2020-04-30. This is")
                .unwrap();
        assert_eq!((s, e), (d("2020-02-01"), d("2020-04-30")));
        let (s, e, _) = find_range("Timeline: 2021-02-01 to 2022-01-31").unwrap();
        assert_eq!((s, e), (d("2021-02-01"), d("2022-01-31")));
        let (s, e, _) = find_range("**Period:** 1 May 2023 – 31 July 2023").unwrap();
        assert_eq!((s, e), (d("2023-05-01"), d("2023-07-31")));
        assert!(find_range("Last updated 2025-01-15").is_none());
        assert_eq!(
            range_length(d("2022-02-01"), d("2022-04-30")),
            PeriodLength::Quarter
        );
        assert_eq!(
            range_length(d("2021-02-01"), d("2022-01-31")),
            PeriodLength::Year
        );
    }
}
