//! The `where:` language of event metrics: comparisons of event properties with literal
//! values, combined with `and`, `or`, `not` and parentheses.
//!
//! ```text
//! plan = 'pro' and amount >= 10
//! country in ('DE', 'FR') or not (source = "ads")
//! coupon is null
//! ```
//!
//! It is parsed into a tree that the engine turns into query expressions; the text is never
//! pasted into SQL.

/// A parsed `where:` filter.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    Compare {
        property: String,
        op: CmpOp,
        value: Literal,
    },
    In {
        property: String,
        values: Vec<Literal>,
        negated: bool,
    },
    IsNull {
        property: String,
        negated: bool,
    },
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
}

impl Filter {
    /// Every property the filter reads.
    pub fn properties(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut out);
        out.sort_unstable();
        out.dedup();
        out
    }
    /// The text values every matching row must have: each `property = 'text'` or `property in
    /// ('a', 'b')` that the whole filter requires (joined by `and` at the top, not negated,
    /// not one side of an `or`), as (property, the values allowed). When none of a property's
    /// values occurs in the data, the filter matches nothing.
    pub fn required_texts(&self) -> Vec<(&str, Vec<&str>)> {
        match self {
            Filter::Compare {
                property,
                op: CmpOp::Eq,
                value: Literal::Text(t),
            } => vec![(property.as_str(), vec![t.as_str()])],
            Filter::In {
                property,
                values,
                negated: false,
            } => {
                let texts: Vec<&str> = values
                    .iter()
                    .filter_map(|v| match v {
                        Literal::Text(t) => Some(t.as_str()),
                        _ => None,
                    })
                    .collect();
                if texts.len() == values.len() && !texts.is_empty() {
                    vec![(property.as_str(), texts)]
                } else {
                    Vec::new()
                }
            }
            Filter::And(a, b) => {
                let mut out = a.required_texts();
                out.extend(b.required_texts());
                out
            }
            _ => Vec::new(),
        }
    }

    fn walk<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Filter::Compare { property, .. }
            | Filter::In { property, .. }
            | Filter::IsNull { property, .. } => out.push(property),
            Filter::And(a, b) | Filter::Or(a, b) => {
                a.walk(out);
                b.walk(out);
            }
            Filter::Not(a) => a.walk(out),
        }
    }
}

/// A syntax error at a byte offset of the filter text.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterError {
    pub offset: usize,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Op(CmpOp),
    Open,
    Close,
    Comma,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Str(s) => format!("text '{s}'"),
            Tok::Num(n) => format!("number {n}"),
            Tok::Op(_) => "an operator".into(),
            Tok::Open => "`(`".into(),
            Tok::Close => "`)`".into(),
            Tok::Comma => "`,`".into(),
        }
    }
    fn keyword(&self, k: &str) -> bool {
        matches!(self, Tok::Ident(s) if s.eq_ignore_ascii_case(k))
    }
}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, FilterError> {
    Err(FilterError {
        offset,
        message: message.into(),
    })
}

fn lex(text: &str) -> Result<Vec<(Tok, usize)>, FilterError> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'(' => {
                out.push((Tok::Open, i));
                i += 1;
            }
            b')' => {
                out.push((Tok::Close, i));
                i += 1;
            }
            b',' => {
                out.push((Tok::Comma, i));
                i += 1;
            }
            b'=' | b'!' | b'<' | b'>' => {
                let two = b.get(i + 1).copied();
                let (op, len) = match (c, two) {
                    (b'=', Some(b'=')) => (CmpOp::Eq, 2),
                    (b'=', _) => (CmpOp::Eq, 1),
                    (b'!', Some(b'=')) => (CmpOp::Ne, 2),
                    (b'<', Some(b'>')) => (CmpOp::Ne, 2),
                    (b'<', Some(b'=')) => (CmpOp::Le, 2),
                    (b'<', _) => (CmpOp::Lt, 1),
                    (b'>', Some(b'=')) => (CmpOp::Ge, 2),
                    (b'>', _) => (CmpOp::Gt, 1),
                    _ => return err(i, "`!` must be followed by `=`"),
                };
                out.push((Tok::Op(op), i));
                i += len;
            }
            b'\'' | b'"' => {
                let Some(len) = text[i + 1..].find(c as char) else {
                    return err(i, "text that is never closed; add the closing quote");
                };
                let value = &text[i + 1..i + 1 + len];
                if let Some(nul) = value.find('\0') {
                    return err(
                        i + 1 + nul,
                        "text values cannot hold a NUL character (no database text can store one, so it would never match); remove it",
                    );
                }
                out.push((Tok::Str(value.to_string()), i));
                i += len + 2;
            }
            b'0'..=b'9' | b'-' | b'.' => {
                i += 1;
                while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                    i += 1;
                }
                match text[start..i].parse::<f64>() {
                    Ok(n) if n.is_finite() => out.push((Tok::Num(n), start)),
                    _ => return err(start, format!("`{}` is not a number", &text[start..i])),
                }
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push((Tok::Ident(text[start..i].to_string()), start));
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or('?');
                return err(i, format!("unexpected `{ch}`"));
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }
    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, o)| *o)
    }
    fn eat_keyword(&mut self, k: &str) -> bool {
        if self.peek().is_some_and(|t| t.keyword(k)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn unexpected<T>(&self, wanted: &str) -> Result<T, FilterError> {
        match self.peek() {
            Some(t) => err(
                self.offset(),
                format!("expected {wanted}, found {}", t.describe()),
            ),
            None => err(self.end, format!("expected {wanted} at the end")),
        }
    }
    fn or(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.and()?;
        while self.eat_keyword("or") {
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }
    fn and(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.not()?;
        while self.eat_keyword("and") {
            left = Filter::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }
    fn not(&mut self) -> Result<Filter, FilterError> {
        self.depth += 1;
        if self.depth > 64 {
            return err(self.offset(), "the filter is nested too deeply");
        }
        let out = if self.eat_keyword("not") {
            Filter::Not(Box::new(self.not()?))
        } else {
            self.atom()?
        };
        self.depth -= 1;
        Ok(out)
    }
    fn atom(&mut self) -> Result<Filter, FilterError> {
        match self.peek() {
            Some(Tok::Open) => {
                self.pos += 1;
                let inner = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return self.unexpected("`)`");
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(Tok::Ident(name))
                if !["and", "or", "not", "in", "is", "null"]
                    .iter()
                    .any(|k| name.eq_ignore_ascii_case(k)) =>
            {
                let property = name.clone();
                self.pos += 1;
                self.predicate(property)
            }
            _ => self.unexpected("a property name"),
        }
    }
    fn predicate(&mut self, property: String) -> Result<Filter, FilterError> {
        if let Some(Tok::Op(op)) = self.peek() {
            let op = *op;
            self.pos += 1;
            let value = self.literal()?;
            return Ok(Filter::Compare {
                property,
                op,
                value,
            });
        }
        if self.eat_keyword("is") {
            let negated = self.eat_keyword("not");
            if !self.eat_keyword("null") {
                return self.unexpected("`null`");
            }
            return Ok(Filter::IsNull { property, negated });
        }
        let negated = self.eat_keyword("not");
        if self.eat_keyword("in") {
            if self.peek() != Some(&Tok::Open) {
                return self.unexpected("`(` and a list of values");
            }
            self.pos += 1;
            let mut values = vec![self.literal()?];
            while self.peek() == Some(&Tok::Comma) {
                self.pos += 1;
                values.push(self.literal()?);
            }
            if self.peek() != Some(&Tok::Close) {
                return self.unexpected("`,` or `)`");
            }
            self.pos += 1;
            return Ok(Filter::In {
                property,
                values,
                negated,
            });
        }
        self.unexpected(if negated {
            "`in`"
        } else {
            "a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`), `in (…)` or `is null`"
        })
    }
    fn literal(&mut self) -> Result<Literal, FilterError> {
        let lit = match self.peek() {
            Some(Tok::Str(s)) => Literal::Text(s.clone()),
            Some(Tok::Num(n)) => Literal::Number(*n),
            Some(t) if t.keyword("true") => Literal::Bool(true),
            Some(t) if t.keyword("false") => Literal::Bool(false),
            Some(Tok::Ident(s)) => {
                return err(
                    self.offset(),
                    format!("expected a value, found `{s}`; quote text values: '{s}'"),
                );
            }
            _ => return self.unexpected("a value ('text', a number, true or false)"),
        };
        self.pos += 1;
        Ok(lit)
    }
}

/// Parses a `where:` filter such as `plan = 'pro' and amount >= 10`.
pub fn parse_filter(text: &str) -> Result<Filter, FilterError> {
    let toks = lex(text)?;
    if toks.is_empty() {
        return err(0, "the filter is empty");
    }
    let mut p = Parser {
        toks,
        pos: 0,
        end: text.len(),
        depth: 0,
    };
    let f = p.or()?;
    if p.pos < p.toks.len() {
        return p.unexpected("`and`, `or` or the end of the filter");
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(p: &str, op: CmpOp, v: Literal) -> Filter {
        Filter::Compare {
            property: p.into(),
            op,
            value: v,
        }
    }

    #[test]
    fn precedence_and_forms() {
        let f = parse_filter("plan = 'pro' or amount >= 10 and not coupon is null").unwrap();
        assert_eq!(
            f,
            Filter::Or(
                Box::new(cmp("plan", CmpOp::Eq, Literal::Text("pro".into()))),
                Box::new(Filter::And(
                    Box::new(cmp("amount", CmpOp::Ge, Literal::Number(10.0))),
                    Box::new(Filter::Not(Box::new(Filter::IsNull {
                        property: "coupon".into(),
                        negated: false
                    })))
                ))
            )
        );
        let f = parse_filter("country NOT IN ('DE', \"FR\") and paid == true").unwrap();
        assert_eq!(f.properties(), ["country", "paid"]);
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = parse_filter("plan = pro").unwrap_err();
        assert_eq!(e.offset, 7);
        assert!(e.message.contains("quote"), "{}", e.message);
        let e = parse_filter("plan = 'pro' amount > 3").unwrap_err();
        assert_eq!(e.offset, 13);
        let e = parse_filter("(a = 1").unwrap_err();
        assert_eq!(e.offset, 6);
        assert!(parse_filter("a = 'x").is_err());
        assert!(parse_filter("").is_err());
        assert!(parse_filter("a ! 3").is_err());
        let e = parse_filter("variant = 'a\0b'").unwrap_err();
        assert_eq!(e.offset, 12);
        assert!(e.message.contains("NUL"), "{}", e.message);
        // quotes of the other kind, backslashes and dollars are plain characters
        let f = parse_filter(r#"v in ("x\'y", 'say "hi"', '$$')"#).unwrap();
        let Filter::In { values, .. } = f else {
            panic!("{f:?}")
        };
        let want = [r"x\'y", r#"say "hi""#, "$$"].map(|s| Literal::Text(s.into()));
        assert_eq!(values, want);
        assert!(parse_filter("a = 1; drop table events").is_err());
        let deep = format!("{}a = 1", "not ".repeat(1000));
        assert!(parse_filter(&deep).is_err());
    }
}
