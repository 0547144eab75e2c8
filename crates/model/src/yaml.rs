//! YAML read into a tree where every node knows its span.
//!
//! serde-saphyr does the parsing (with its resource budget: nesting depth, node count, alias
//! expansion), and `Spanned` gives each node its line and column. The typed decoding in
//! [`crate::decode`] walks this tree so that it can report every problem, not only the first.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned as SaphyrSpanned;
use std::fmt;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

/// A YAML value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A YAML value with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

impl Node {
    /// What kind of value this is, for messages ("a list", "a number").
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "an empty value",
            Value::Bool(_) => "true/false",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
    /// The node's text as written (for scalars), e.g. `2024` for an integer.
    pub fn raw<'a>(&self, src: &'a str) -> &'a str {
        let start = self.span.offset as usize;
        let end = (start + self.span.len as usize).min(src.len());
        src.get(start..end).unwrap_or("")
    }
    /// A scalar's text: the string itself, or the literal as written for numbers and booleans.
    pub fn scalar_text(&self, src: &str) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                Some(self.raw(src).trim().to_string())
            }
            _ => None,
        }
    }
}

/// Nesting deeper than this is refused (the workspace format needs about 6 levels).
pub const MAX_DEPTH: usize = 64;

/// Parses one YAML document into a spanned tree.
pub fn parse(text: &str, file: FileId) -> Result<Node, Box<Diagnostic>> {
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! { max_depth: MAX_DEPTH },
    };
    match serde_saphyr::from_str_with_options::<SaphyrSpanned<Raw>>(text, options) {
        Ok(raw) => Ok(convert(raw, text, file)),
        Err(err) => {
            let loc = err.location();
            let (line, column) = loc.map_or((1, 1), |l| (l.line().max(1), l.column().max(1)));
            let first = err.to_string();
            let first = first.lines().next().unwrap_or("invalid YAML");
            // serde-saphyr prefixes "error: line L column C: "; keep only the reason.
            let reason = first
                .split_once(": ")
                .map(|(_, rest)| rest)
                .unwrap_or(first)
                .trim_start_matches(|c: char| c != ':' && !c.is_alphabetic());
            let reason = reason
                .strip_prefix(&format!("line {line} column {column}: "))
                .or_else(|| {
                    reason
                        .split_once(&format!("column {column}: "))
                        .map(|(_, r)| r)
                })
                .unwrap_or(reason);
            let offset = offset_of(text, line as u32, column as u32);
            let mut d = Diagnostic::error("yaml-syntax", format!("invalid YAML: {reason}"))
                .at(Span::at(file, text, offset, 1));
            if let Some(s) = d.span.as_mut() {
                s.line = line as u32;
                s.column = column as u32;
            }
            let help = if reason.contains("recursion limit") || reason.contains("Depth") {
                format!(
                    "the file nests deeper than {MAX_DEPTH} levels; workspace files need only a few"
                )
            } else if reason.contains("duplicate mapping key") {
                "each key may appear once in a mapping; remove or rename the repeated one".into()
            } else if reason.contains("budget") {
                "the file is larger or more repetitive than a workspace file can be; split it"
                    .into()
            } else {
                "fix the YAML syntax here (check indentation, colons and closing brackets)".into()
            };
            Err(Box::new(d.help(help)))
        }
    }
}

fn offset_of(text: &str, line: u32, column: u32) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            return offset
                + l.char_indices()
                    .nth(column.saturating_sub(1) as usize)
                    .map_or(l.trim_end_matches('\n').len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

fn convert(raw: SaphyrSpanned<Raw>, text: &str, file: FileId) -> Node {
    let loc = raw.referenced;
    let span = loc.span();
    let (offset, len) = match (span.byte_offset(), span.byte_len()) {
        (Some(o), Some(l)) => (o as usize, l as usize),
        _ => (offset_of(text, loc.line() as u32, loc.column() as u32), 0),
    };
    // serde-saphyr gives line and column; recomputing them from the offset would rescan the
    // file for every node
    let span = if loc.line() > 0 {
        let offset = crate::source::floor_char_boundary(text, offset.min(text.len()));
        Span {
            file,
            offset: offset as u32,
            len: crate::source::snap_len(text, offset, len) as u32,
            line: loc.line() as u32,
            column: loc.column() as u32,
        }
    } else {
        Span::at(file, text, offset, len)
    };
    let value = match raw.value {
        Raw::Null => Value::Null,
        Raw::Bool(b) => Value::Bool(b),
        Raw::Int(i) => Value::Int(i),
        Raw::Float(f) => Value::Float(f),
        Raw::Str(s) => Value::Str(s),
        Raw::Seq(items) => Value::Seq(items.into_iter().map(|n| convert(n, text, file)).collect()),
        Raw::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (convert(k, text, file), convert(v, text, file)))
                .collect(),
        ),
    };
    Node { value, span }
}

/// The shape serde-saphyr fills in; converted to [`Node`] right after parsing.
enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<SaphyrSpanned<Raw>>),
    Map(Vec<(SaphyrSpanned<Raw>, SaphyrSpanned<Raw>)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Raw;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_none<E>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
                Raw::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
                Ok(Raw::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
                Ok(Raw::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
                Ok(i64::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
            }
            fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
                Ok(i64::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
            }
            fn visit_u128<E>(self, v: u128) -> Result<Raw, E> {
                Ok(i64::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
                Ok(Raw::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
                Ok(Raw::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Raw, E> {
                Ok(Raw::Str(v))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Raw, E> {
                Ok(Raw::Str(String::from_utf8_lossy(v).into_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
                let mut items = Vec::new();
                while let Some(x) = a.next_element()? {
                    items.push(x);
                }
                Ok(Raw::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = a.next_entry()? {
                    entries.push(entry);
                }
                Ok(Raw::Map(entries))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        parse(text, FileId(0)).expect("valid YAML")
    }

    #[test]
    fn nodes_carry_line_column_and_raw_text() {
        let src = "a: 2024\nb:\n  - x: \"q\"\n";
        let root = parse_ok(src);
        let Value::Map(entries) = &root.value else {
            panic!("map expected")
        };
        let (k, v) = &entries[0];
        assert_eq!((k.span.line, k.span.column), (1, 1));
        assert_eq!(v.value, Value::Int(2024));
        assert_eq!(v.raw(src), "2024");
        let Value::Seq(items) = &entries[1].1.value else {
            panic!("seq expected")
        };
        let Value::Map(inner) = &items[0].value else {
            panic!("map expected")
        };
        assert_eq!((inner[0].1.span.line, inner[0].1.span.column), (3, 8));
    }

    #[test]
    fn syntax_errors_have_a_location_and_help() {
        let err = parse("a: [1, 2\n", FileId(0)).unwrap_err();
        assert_eq!(err.code, "yaml-syntax");
        let span = err.span.unwrap();
        assert_eq!(span.line, 1);
        assert!(err.message.contains("bracket"), "{}", err.message);
        assert!(err.help.is_some());
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = "[".repeat(10_000);
        let err = parse(&deep, FileId(0)).unwrap_err();
        assert_eq!(err.code, "yaml-syntax");
        let block: String = (0..200)
            .map(|i| format!("{}- \n", "  ".repeat(i)))
            .collect();
        assert!(parse(&block, FileId(0)).is_err());
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse("a: 1\na: 2\n", FileId(0)).unwrap_err();
        assert!(err.message.contains("duplicate"), "{}", err.message);
        assert_eq!(err.span.unwrap().line, 2);
    }
}
