//! Helpers for decoding the YAML tree into typed definitions while collecting every problem.

use crate::defs::{Grain, Text};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::{Span, Spanned};
use crate::values::parse_duration;
use crate::yaml::{Node, Value};

/// Decoding context: the file's text (for raw scalars) and the diagnostics found so far.
pub(crate) struct Ctx<'a> {
    pub src: &'a str,
    pub diags: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub fn type_error(&mut self, node: &Node, field: &str, expected: &str, help: &str) {
        self.push(
            Diagnostic::error(
                "invalid-type",
                format!("`{field}` should be {expected}, found {}", node.kind()),
            )
            .at(node.span)
            .label(format!("expected {expected}"))
            .help(help.to_string()),
        );
    }

    pub fn value_error(&mut self, span: Span, message: String, help: String) {
        self.push(
            Diagnostic::error("invalid-value", message)
                .at(span)
                .help(help),
        );
    }

    /// A scalar as text (numbers and booleans as written).
    pub fn text(&mut self, node: &Node, field: &str) -> Option<Spanned<String>> {
        match node.scalar_text(self.src) {
            Some(s) => Some(Spanned::new(s, node.span)),
            None => {
                self.type_error(
                    node,
                    field,
                    "text",
                    &format!("write `{field}` as a single value"),
                );
                None
            }
        }
    }

    /// The name of an event or a column as the data writes it (`Page Viewed`, `$pageview`,
    /// `project_created`): any text without control characters, or `{ event: NAME }` (the
    /// way to name an event called `signup` where `signup` means the users' signup time).
    pub fn data_name(&mut self, node: &Node, field: &str) -> Option<Spanned<String>> {
        self.data_name_marked(node, field).map(|(name, _)| name)
    }

    /// [`Ctx::data_name`], and whether it was written `{ event: NAME }`.
    pub fn data_name_marked(
        &mut self,
        node: &Node,
        field: &str,
    ) -> Option<(Spanned<String>, bool)> {
        let (node, marked) = match &node.value {
            Value::Map(entries) if entries.len() == 1 => {
                let (k, v) = &entries[0];
                if k.scalar_text(self.src).as_deref() != Some("event") {
                    self.value_error(
                        k.span,
                        format!("`{field}` takes an event's name, or `{{ event: NAME }}`"),
                        format!("write `{field}: {{ event: NAME }}`"),
                    );
                    return None;
                }
                (v, true)
            }
            _ => (node, false),
        };
        let s = self.text(node, field)?;
        if s.value.trim().is_empty() || s.value.chars().any(char::is_control) {
            self.value_error(
                node.span,
                format!("`{field}` needs a name without control characters"),
                "write the event's or column's name as the data has it".into(),
            );
            return None;
        }
        Some((s, marked))
    }

    /// A non-empty identifier (letters, digits, `-`, `_`, `.`, `/`).
    pub fn ident(&mut self, node: &Node, field: &str) -> Option<Spanned<String>> {
        let s = self.text(node, field)?;
        let ok = !s.value.is_empty()
            && s.value
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
        if ok {
            Some(s)
        } else {
            self.value_error(
                node.span,
                format!("`{field}` `{}` is not a valid id", s.value),
                "ids use letters, digits, `-`, `_`, `.` and `/` (for example `activation_rate`)"
                    .into(),
            );
            None
        }
    }

    pub fn number(&mut self, node: &Node, field: &str) -> Option<Spanned<f64>> {
        match &node.value {
            Value::Int(i) => Some(Spanned::new(*i as f64, node.span)),
            Value::Float(f) if f.is_finite() => Some(Spanned::new(*f, node.span)),
            Value::Str(s) => match s.trim().replace(',', "").parse::<f64>() {
                Ok(f) if f.is_finite() => Some(Spanned::new(f, node.span)),
                _ => {
                    self.type_error(
                        node,
                        field,
                        "a number",
                        &format!("write `{field}` as a plain number, e.g. `{field}: 35`"),
                    );
                    None
                }
            },
            _ => {
                self.type_error(
                    node,
                    field,
                    "a number",
                    &format!("write `{field}` as a plain number, e.g. `{field}: 35`"),
                );
                None
            }
        }
    }

    /// One of a fixed set of words; suggests the closest on a typo.
    pub fn choice<T: Copy>(
        &mut self,
        node: &Node,
        field: &str,
        options: &[(&str, T)],
    ) -> Option<Spanned<T>> {
        let s = self.text(node, field)?;
        let key = s.value.trim().to_ascii_lowercase();
        if let Some((_, v)) = options.iter().find(|(name, _)| *name == key) {
            return Some(Spanned::new(*v, node.span));
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        let help = one_of_help(&key, &names, field);
        self.value_error(
            node.span,
            format!("`{}` is not a valid `{field}`", s.value),
            help,
        );
        None
    }

    /// A list of texts; a single scalar counts as a list of one.
    pub fn text_list(&mut self, node: &Node, field: &str) -> Vec<Spanned<String>> {
        match &node.value {
            Value::Seq(items) => items.iter().filter_map(|n| self.ident(n, field)).collect(),
            Value::Null => Vec::new(),
            _ => self.ident(node, field).into_iter().collect(),
        }
    }

    /// A list of free texts (names, addresses); a single scalar counts as a list of one.
    pub fn texts(&mut self, node: &Node, field: &str) -> Vec<Spanned<String>> {
        match &node.value {
            Value::Seq(items) => items.iter().filter_map(|n| self.text(n, field)).collect(),
            _ => self.text(node, field).into_iter().collect(),
        }
    }

    /// Decodes each entry of an optional list field with `item`.
    pub fn list<T>(
        &mut self,
        node: Option<&Node>,
        field: &str,
        example: &str,
        mut item: impl FnMut(&mut Ctx, &Node) -> Option<T>,
    ) -> Vec<T> {
        let Some(node) = node else { return Vec::new() };
        let items = self.seq(node, field, example);
        items.iter().filter_map(|n| item(self, n)).collect()
    }

    /// Items of a list field; anything else is a type error.
    pub fn seq<'n>(&mut self, node: &'n Node, field: &str, example: &str) -> &'n [Node] {
        match &node.value {
            Value::Seq(items) => items,
            Value::Null => &[],
            _ => {
                self.type_error(
                    node,
                    field,
                    "a list",
                    &format!(
                        "write each entry on its own line starting with `- `, e.g.\n{example}"
                    ),
                );
                &[]
            }
        }
    }
}

/// "did you mean `x`? `field` is one of: a, b, c".
pub(crate) fn one_of_help(word: &str, names: &[&str], field: &str) -> String {
    match did_you_mean(word, names.iter().copied()) {
        Some(n) => format!(
            "did you mean `{n}`? `{field}` is one of: {}",
            names.join(", ")
        ),
        None => format!("`{field}` is one of: {}", names.join(", ")),
    }
}

/// The fields of one YAML mapping being decoded. Records which keys were asked for, so that
/// [`Fields::finish`] can report the others as unknown with a suggestion.
pub(crate) struct Fields<'n> {
    pub span: Span,
    entries: &'n [(Node, Node)],
    keys: Vec<String>,
    used: Vec<bool>,
    known: Vec<&'static str>,
    what: &'static str,
}

impl<'n> Fields<'n> {
    /// Starts decoding `node` as a mapping describing `what` ("a metric", "a key result").
    pub fn new(cx: &mut Ctx, node: &'n Node, what: &'static str) -> Option<Fields<'n>> {
        match &node.value {
            Value::Map(entries) => {
                let keys = entries
                    .iter()
                    .map(|(k, _)| k.scalar_text(cx.src).unwrap_or_default())
                    .collect();
                Some(Fields {
                    span: node.span,
                    entries,
                    keys,
                    used: vec![false; entries.len()],
                    known: Vec::new(),
                    what,
                })
            }
            _ => {
                cx.push(
                    Diagnostic::error(
                        "invalid-type",
                        format!(
                            "{what} should be a mapping of `key: value` fields, found {}",
                            node.kind()
                        ),
                    )
                    .at(node.span)
                    .label("expected a mapping")
                    .help("indent the fields under this entry, e.g. `id: my-id` on the next line"),
                );
                None
            }
        }
    }

    /// The value of `key`, if present.
    pub fn get(&mut self, key: &'static str) -> Option<&'n Node> {
        self.known.push(key);
        let i = self.keys.iter().position(|k| k == key)?;
        self.used[i] = true;
        Some(&self.entries[i].1)
    }

    /// The value of a required `key`; reports it missing otherwise.
    pub fn require(&mut self, cx: &mut Ctx, key: &'static str, example: &str) -> Option<&'n Node> {
        let v = self.get(key);
        if v.is_none() {
            cx.push(
                Diagnostic::error("missing-key", format!("{} needs `{key}`", self.what))
                    .at(Span {
                        len: 1,
                        ..self.span
                    })
                    .label(format!("`{key}` is missing here"))
                    .help(format!("add `{example}`")),
            );
        }
        v
    }

    /// Reports every key that was never asked for.
    pub fn finish(self, cx: &mut Ctx) {
        for (i, used) in self.used.iter().enumerate() {
            if *used {
                continue;
            }
            let key = &self.keys[i];
            let span = self.entries[i].0.span;
            let known = self.known.iter().copied();
            let fragment = key.contains(' ') || key.starts_with(|c: char| c.is_ascii_digit());
            let help = match did_you_mean(key, known) {
                Some(k) => format!("did you mean `{k}`?"),
                None if fragment => "this looks like the rest of the previous value: inside `{ … }` a comma starts a new field, so quote a value that contains commas (`title: \"Grow from 1,200 to 1,500\"`)".to_string(),
                None => format!("{} has these fields: {}", self.what, self.known.join(", ")),
            };
            cx.push(
                Diagnostic::error(
                    "unknown-key",
                    format!("unknown field `{key}` in {}", self.what),
                )
                .at(span)
                .label("not a known field")
                .help(help),
            );
        }
    }
}

/// A grain's name (`week`, `weekly`, …).
pub(crate) fn grain(cx: &mut Ctx, n: &Node, field: &str) -> Option<Spanned<Grain>> {
    let grains = [
        ("day", Grain::Day),
        ("daily", Grain::Day),
        ("week", Grain::Week),
        ("weekly", Grain::Week),
        ("month", Grain::Month),
        ("monthly", Grain::Month),
        ("quarter", Grain::Quarter),
        ("quarterly", Grain::Quarter),
    ];
    cx.choice(n, field, &grains)
}

/// A duration: a number and a unit (`90s`, `30m`, `24h`, `7d`, `2w`), in seconds.
pub(crate) fn duration(cx: &mut Ctx, n: &Node, field: &str) -> Option<Spanned<i64>> {
    let t = cx.text(n, field)?;
    match parse_duration(&t.value) {
        Ok(s) => Some(Spanned::new(s, t.span)),
        Err(e) => {
            cx.value_error(
                t.span,
                e.to_string(),
                format!(
                    "write `{field}` as a number and a unit: `90s`, `30m`, `24h`, `7d` or `2w`"
                ),
            );
            None
        }
    }
}

/// An error at byte `offset` inside a scalar's text (after its opening quote, if any).
pub(crate) fn error_in_text(cx: &mut Ctx, text: &Text, offset: usize, message: String, help: &str) {
    let quoted = usize::from(text.span.len as usize > text.value.len());
    let offset = offset.min(text.value.len());
    let mut span = text.span;
    span.offset += (offset + quoted) as u32;
    span.column += (text.value[..offset].chars().count() + quoted) as u32;
    span.len = 1;
    cx.value_error(span, message, help.into());
}
