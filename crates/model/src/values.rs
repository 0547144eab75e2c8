//! Periods, durations, units and quantities: the small value syntaxes of workspace files.

use chrono::{Months, NaiveDate};

/// A calendar period an objective or target is set for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// `2025`
    Year(i32),
    /// `2025-H1`
    Half(i32, u8),
    /// `2025-Q3`
    Quarter(i32, u8),
    /// `2025-03`
    Month(i32, u8),
    /// `{start: 2025-01-06, end: 2025-02-28}`: both days included.
    Range { start: NaiveDate, end: NaiveDate },
}

/// How long a period is, when its year may be unknown (a Markdown heading that says only `Q1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodLength {
    Month,
    Quarter,
    Half,
    Year,
    Days(i64),
}

impl PeriodLength {
    pub fn approx_days(self) -> i64 {
        match self {
            PeriodLength::Month => 30,
            PeriodLength::Quarter => 91,
            PeriodLength::Half => 182,
            PeriodLength::Year => 365,
            PeriodLength::Days(d) => d,
        }
    }
}

/// A value as written that is not one of its kind (`2024-Q5` as a period, `7 parsecs` as a
/// duration, a percent for a count), and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError(String);

impl ValueError {
    pub fn new(why: impl Into<String>) -> Self {
        ValueError(why.into())
    }
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ValueError {}

/// Its words, for a message that takes text.
impl From<ValueError> for String {
    fn from(e: ValueError) -> String {
        e.0
    }
}

impl Period {
    /// Parses `2025`, `2025-H1`, `2025-Q3`, `2025-03`. Ranges come from a mapping.
    pub fn parse(s: &str) -> Result<Period, ValueError> {
        let s = s.trim();
        let bad = || ValueError::new(format!("`{s}` is not a period"));
        let (year, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(1900..=2999).contains(&year) {
            return Err(ValueError::new(format!("year {year} is out of range")));
        }
        let Some(rest) = rest else {
            return Ok(Period::Year(year));
        };
        let upper = rest.to_ascii_uppercase();
        if let Some(q) = upper.strip_prefix('Q') {
            return match q.parse::<u8>() {
                Ok(q @ 1..=4) => Ok(Period::Quarter(year, q)),
                _ => Err(ValueError::new(format!("`{s}`: quarters are Q1 to Q4"))),
            };
        }
        if let Some(h) = upper.strip_prefix('H') {
            return match h.parse::<u8>() {
                Ok(h @ 1..=2) => Ok(Period::Half(year, h)),
                _ => Err(ValueError::new(format!("`{s}`: halves are H1 and H2"))),
            };
        }
        match rest.parse::<u8>() {
            Ok(m @ 1..=12) if rest.len() == 2 => Ok(Period::Month(year, m)),
            Ok(_) if rest.len() == 2 => Err(ValueError::new(format!("`{s}`: months are 01 to 12"))),
            _ => Err(bad()),
        }
    }

    /// First day of the period.
    pub fn start(&self) -> NaiveDate {
        let ymd = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MIN);
        match *self {
            Period::Year(y) => ymd(y, 1),
            Period::Half(y, h) => ymd(y, if h == 1 { 1 } else { 7 }),
            Period::Quarter(y, q) => ymd(y, 3 * (q as u32 - 1) + 1),
            Period::Month(y, m) => ymd(y, m as u32),
            Period::Range { start, .. } => start,
        }
    }

    /// The day after the period's last day (exclusive end).
    pub fn end(&self) -> NaiveDate {
        let months = match *self {
            Period::Year(_) => 12,
            Period::Half(..) => 6,
            Period::Quarter(..) => 3,
            Period::Month(..) => 1,
            Period::Range { end, .. } => return end.succ_opt().unwrap_or(end),
        };
        self.start()
            .checked_add_months(Months::new(months))
            .unwrap_or(NaiveDate::MAX)
    }

    pub fn length(&self) -> PeriodLength {
        match self {
            Period::Year(_) => PeriodLength::Year,
            Period::Half(..) => PeriodLength::Half,
            Period::Quarter(..) => PeriodLength::Quarter,
            Period::Month(..) => PeriodLength::Month,
            Period::Range { .. } => PeriodLength::Days((self.end() - self.start()).num_days()),
        }
    }

    /// Whether two periods share at least one day.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.start() < other.end() && other.start() < self.end()
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Half(y, h) => write!(f, "{y}-H{h}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
            Period::Range { start, end } => write!(f, "{start}..{end}"),
        }
    }
}

impl std::fmt::Display for Quantity {
    /// `23%`, `3 days`, `1200 USD`, `50`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.value;
        match &self.unit {
            QuantityUnit::None => write!(f, "{}", trimmed(v, 4)),
            QuantityUnit::Percent => write!(f, "{}%", trimmed(v, 4)),
            QuantityUnit::Currency(c) => write!(f, "{} {c}", trimmed(v, 2)),
            QuantityUnit::Seconds => {
                let (n, word) = [(86_400.0, "days"), (3_600.0, "hours"), (60.0, "minutes")]
                    .into_iter()
                    .find(|(s, _)| v >= *s && (v / s).fract() == 0.0)
                    .map_or((v, "seconds"), |(s, w)| (v / s, w));
                let word = if n == 1.0 {
                    word.trim_end_matches('s')
                } else {
                    word
                };
                write!(f, "{} {word}", trimmed(n, 2))
            }
        }
    }
}

/// A date `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<NaiveDate, ValueError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| ValueError::new(format!("`{s}` is not a date")))
}

/// Parses a duration such as `7d`, `24h`, `90s`, `30m`, `2w` into seconds.
pub fn parse_duration(s: &str) -> Result<i64, ValueError> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| ValueError::new(format!("`{s}` is not a duration")))?;
    let secs = match unit.trim() {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "wk" | "week" | "weeks" => 604_800.0,
        "" => return Err(ValueError::new(format!("`{s}` has no unit"))),
        other => return Err(ValueError::new(format!("`{other}` is not a duration unit"))),
    };
    let total = n * secs;
    if !total.is_finite() || total <= 0.0 || total > 3.2e9 {
        return Err(ValueError::new(format!("`{s}` is out of range")));
    }
    Ok(total.round() as i64)
}

/// The unit a metric is measured in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unit {
    Count,
    Percent,
    Ratio,
    Currency(String),
    Duration,
    Score,
}

impl Unit {
    pub fn parse(s: &str) -> Result<Unit, ValueError> {
        let t = s.trim().to_ascii_lowercase();
        Ok(match t.as_str() {
            "count" => Unit::Count,
            "percent" | "%" => Unit::Percent,
            "ratio" => Unit::Ratio,
            "duration" => Unit::Duration,
            "score" => Unit::Score,
            _ => match t.strip_prefix("currency:") {
                Some(code) if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) => {
                    Unit::Currency(code.to_ascii_uppercase())
                }
                Some(_) => {
                    return Err(ValueError::new(format!(
                        "`{s}`: currency units name an ISO code, e.g. `currency:USD`"
                    )));
                }
                None => return Err(ValueError::new(format!("`{s}` is not a unit"))),
            },
        })
    }
}

impl std::fmt::Display for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unit::Count => f.write_str("count"),
            Unit::Percent => f.write_str("percent"),
            Unit::Ratio => f.write_str("ratio"),
            Unit::Currency(c) => write!(f, "currency:{c}"),
            Unit::Duration => f.write_str("duration"),
            Unit::Score => f.write_str("score"),
        }
    }
}

impl Unit {
    /// A value in this unit for people: `6,712`, `27.4%`, `18.5 h`, `$12,480`, `0.42`.
    /// Durations are seconds.
    pub fn format(&self, v: f64) -> String {
        match self {
            Unit::Count => group(
                v,
                if v.abs() >= 100.0 || v.fract() == 0.0 {
                    0
                } else {
                    1
                },
            ),
            Unit::Percent => format!("{}%", trimmed(v, 1)),
            // under 0.1, two significant digits (`0.045`, not `0.05`; `0.0031`, not `0`)
            Unit::Ratio if v != 0.0 && v.abs() < 0.1 => {
                let decimals = ((-v.abs().log10().floor()) as usize + 1).min(8);
                trimmed(v, decimals)
            }
            Unit::Ratio => trimmed(v, 2),
            Unit::Score => trimmed(v, 1),
            Unit::Currency(code) => {
                let n = group(v.abs(), if v.abs() >= 100.0 { 0 } else { 2 });
                let sign = if v < 0.0 { "-" } else { "" };
                match code.as_str() {
                    "USD" => format!("{sign}${n}"),
                    "EUR" => format!("{sign}€{n}"),
                    "GBP" => format!("{sign}£{n}"),
                    _ => format!("{sign}{n} {code}"),
                }
            }
            Unit::Duration => {
                let a = v.abs();
                let (n, u) = if a >= 2.0 * 86_400.0 {
                    (v / 86_400.0, "d")
                } else if a >= 3_600.0 {
                    (v / 3_600.0, "h")
                } else if a >= 60.0 {
                    (v / 60.0, "min")
                } else {
                    (v, "s")
                };
                format!("{} {u}", trimmed(n, 1))
            }
        }
    }

    /// A change in this unit with its sign: `+312`, `−5.9 pp` (a change of a percentage is
    /// in percentage points, never `%`), `+2.5 h`, `+$1,200`, `+0.045`.
    pub fn delta(&self, d: f64) -> String {
        let sign = if d < 0.0 { "−" } else { "+" };
        match self {
            Unit::Percent => format!("{sign}{} pp", trimmed(d.abs(), 1)),
            _ => format!("{sign}{}", self.format(d.abs())),
        }
    }

    /// A relative change: `+2.9%`, `−48%` (whole percents from 10% on).
    pub fn relative(r: f64) -> String {
        let sign = if r < 0.0 { "−" } else { "+" };
        let p = r.abs() * 100.0;
        if p >= 10.0 {
            format!("{sign}{p:.0}%")
        } else {
            format!("{sign}{}%", trimmed(p, 1))
        }
    }

    /// A share from 0 to 1 as a whole percent: `62%` (progress, confidence, a part of the
    /// users), whatever the metric's unit.
    pub fn share(x: f64) -> String {
        format!("{:.0}%", x * 100.0)
    }

    /// The value of a quantity as written (`35%`, `16 hours`, `$2M`, `1,100`) in this unit, or
    /// why it does not fit (a percent given for a count, a duration without its unit).
    pub fn accept(&self, q: &Quantity) -> Result<f64, ValueError> {
        match (self, &q.unit) {
            (Unit::Duration, QuantityUnit::Seconds) => Ok(q.value),
            (Unit::Duration, _) => Err(ValueError::new(
                "a duration needs its unit, e.g. `16h`, `90 minutes` or `2 days`",
            )),
            (Unit::Percent, QuantityUnit::Percent | QuantityUnit::None) => Ok(q.value),
            (Unit::Currency(c), QuantityUnit::Currency(d)) if c == d => Ok(q.value),
            (Unit::Currency(_), QuantityUnit::None) => Ok(q.value),
            (Unit::Currency(c), QuantityUnit::Currency(d)) => Err(ValueError::new(format!(
                "the value is in {d}, the key result in {c}"
            ))),
            (Unit::Count | Unit::Ratio | Unit::Score, QuantityUnit::None) => Ok(q.value),
            (u, QuantityUnit::Percent) => Err(ValueError::new(format!(
                "a percent was given, but the key result is measured in {u}"
            ))),
            (u, QuantityUnit::Seconds) => Err(ValueError::new(format!(
                "a duration was given, but the key result is measured in {u}"
            ))),
            (u, QuantityUnit::Currency(d)) => Err(ValueError::new(format!(
                "an amount in {d} was given, but the key result is measured in {u}"
            ))),
        }
    }
}

/// `v` with up to `decimals` decimals, trailing zeros dropped.
fn trimmed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// `v` with thousands separators.
fn group(v: f64, decimals: usize) -> String {
    let s = format!("{:.decimals$}", v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let frac = frac.trim_end_matches('0');
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if v < 0.0 && out.chars().any(|c| c != '0' && c != ',' && c != '.') {
        out.insert(0, '-');
    }
    out
}

/// The unit written next to a number in a document (`23%`, `72 hours`, `$1.2M`).
#[derive(Clone, Debug, PartialEq)]
pub enum QuantityUnit {
    None,
    Percent,
    /// Durations are held in seconds.
    Seconds,
    Currency(String),
}

/// A number as written in an OKR: `23%`, `72 hours`, `$1M`, `50+`, `4.5/5`, `10k`.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    pub value: f64,
    pub unit: QuantityUnit,
}

impl Quantity {
    /// Reads the first quantity at the start of `s` (leading words like "about" are skipped
    /// by the caller). Returns the quantity and how many bytes it used.
    // Long because it is one scanner over the quantity forms accepted (currency, number,
    // suffixes, units), in the order they appear in the text.
    pub fn parse_prefix(s: &str) -> Option<(Quantity, usize)> {
        let bytes = s.as_bytes();
        let mut i = 0;
        let mut currency = None;
        for (sym, code) in [("$", "USD"), ("€", "EUR"), ("£", "GBP")] {
            if s.starts_with(sym) {
                currency = Some(code.to_string());
                i = sym.len();
            }
        }
        let num_start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_digit()
                || bytes[i] == b'.'
                || (bytes[i] == b',' && i + 1 < bytes.len() && bytes[i + 1].is_ascii_digit()))
        {
            i += 1;
        }
        let digits: String = s[num_start..i].chars().filter(|c| *c != ',').collect();
        let digits = digits.trim_end_matches('.');
        if digits.is_empty() || !digits.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let mut value: f64 = digits.parse().ok()?;
        let mut end = num_start + s[num_start..i].trim_end_matches('.').len();
        let rest = &s[end..];
        // magnitude suffixes
        for (suffix, mult) in [
            ("k", 1e3),
            ("K", 1e3),
            ("M", 1e6),
            ("m", 1e6),
            ("B", 1e9),
            ("bn", 1e9),
        ] {
            if let Some(after) = rest.strip_prefix(suffix)
                && !after.starts_with(|c: char| c.is_alphanumeric())
            {
                value *= mult;
                end += suffix.len();
                break;
            }
        }
        let rest = &s[end..];
        let mut unit = match currency {
            Some(c) => QuantityUnit::Currency(c),
            None => QuantityUnit::None,
        };
        if let Some(after) = rest.strip_prefix('%') {
            let _ = after;
            unit = QuantityUnit::Percent;
            end += 1;
        } else if let Some(after) = rest.strip_prefix('+') {
            let _ = after;
            end += 1;
        } else if unit == QuantityUnit::None {
            let trimmed = rest.trim_start();
            let word: String = trimmed
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            let secs = match word.to_ascii_lowercase().as_str() {
                "s" | "sec" | "secs" | "second" | "seconds" => Some(1.0),
                "min" | "mins" | "minute" | "minutes" => Some(60.0),
                "h" | "hr" | "hrs" | "hour" | "hours" => Some(3600.0),
                "d" | "day" | "days" => Some(86_400.0),
                "w" | "wk" | "wks" | "week" | "weeks" => Some(604_800.0),
                _ => None,
            };
            if let Some(secs) = secs {
                value *= secs;
                unit = QuantityUnit::Seconds;
                end += rest.len() - trimmed.len() + word.len();
            } else if let Some(code) = ["USD", "EUR", "GBP"]
                .iter()
                .find(|c| word.eq_ignore_ascii_case(c))
            {
                unit = QuantityUnit::Currency(code.to_string());
                end += rest.len() - trimmed.len() + word.len();
            }
        }
        Some((Quantity { value, unit }, end))
    }

    /// Parses a value that should be a quantity and nothing else (`23%`, `72 hours`).
    pub fn parse(s: &str) -> Option<Quantity> {
        let t = s.trim();
        let (q, used) = Quantity::parse_prefix(t)?;
        let rest = t[used..].trim();
        // allow "4.5/5"-style scales and trailing qualifiers like "(median)"
        if rest.is_empty() || rest.starts_with('/') || rest.starts_with('(') {
            Some(q)
        } else {
            // accept a trailing noun phrase ("32 NPS", "1,200 teams")
            Some(q).filter(|_| rest.chars().next().is_some_and(|c| c.is_alphabetic()))
        }
    }
}

/// Finds every quantity in free text (`from 23% to 35%` gives two).
pub fn quantities_in(text: &str) -> Vec<(Quantity, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let prev = text[..i].chars().next_back();
        let boundary = prev.is_none_or(|c| !c.is_alphanumeric() && c != '.');
        if boundary && let Some((q, used)) = Quantity::parse_prefix(rest) {
            // skip identifiers such as Q1, H2, W20 (handled by the boundary check) and years
            out.push((q, i));
            i += used.max(1);
            continue;
        }
        i += rest.chars().next().map_or(1, |c| c.len_utf8());
    }
    out
}

/// Whether the number written at byte `at` of `text` is a year: four bare digits from 1900 to
/// 2099 (so `2,000` and `2000%` are not).
pub fn is_year_at(text: &str, at: usize) -> bool {
    let rest = &text[at..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let next = rest[digits.len()..].chars().next();
    // `2020.` ends a sentence; `2020.5` and `2,000` are numbers
    let after = rest[digits.len()..].chars().nth(1);
    let decimal = matches!(next, Some(',' | '.')) && after.is_some_and(|c| c.is_ascii_digit());
    digits.len() == 4
        && digits
            .parse::<u32>()
            .is_ok_and(|y| (1900..2100).contains(&y))
        && !decimal
        && !matches!(next, Some('%' | 'k' | 'K' | 'M'))
}

#[cfg(test)]
mod tests;
