//! The rules behind `throughline check`: each one flags a mistake that OKR and metrics guides
//! warn about, with a stable kebab-case id, a default severity and an explanation
//! (`throughline explain RULE`).
//!
//! Rules read the [`Workspace`]; the rules that read data ([`DATA_RULE_IDS`]) also read
//! [`DataFacts`], which the caller computes from the metric engine (`throughline check
//! --with-data`). Without them those rules find nothing.

mod config;
mod data;
mod facts;
pub mod rules;
pub mod text;

use throughline_model::{Diagnostic, Loaded, Severity, SourceMap, Workspace};

pub use config::{Config, RuleOptions};
pub use data::{AbsentEvent, DataFacts, KrData, Measured, Trend};
pub use facts::{KrFacts, kr_facts};

/// Rule ids of the rules that read data: they run only with [`DataFacts`].
pub const DATA_RULE_IDS: &[&str] = &[
    "unambitious-target",
    "baseline-mismatch",
    "event-not-in-data",
    "value-not-in-data",
];

/// What a rule is, for listings and `explain`.
#[derive(Clone, Copy, Debug)]
pub struct RuleMeta {
    /// Stable kebab-case id; never renamed.
    pub id: &'static str,
    pub severity: Severity,
    /// One line: what it flags.
    pub summary: &'static str,
    /// The rule file's source; its `//!` lines are the explanation.
    source: &'static str,
}

impl RuleMeta {
    pub const fn new(
        id: &'static str,
        severity: Severity,
        summary: &'static str,
        source: &'static str,
    ) -> Self {
        RuleMeta {
            id,
            severity,
            summary,
            source,
        }
    }

    /// The explanation: what it flags, why that is bad, an example and what to write instead.
    pub fn explanation(&self) -> String {
        let mut out = String::new();
        for line in self.source.lines() {
            let Some(doc) = line.strip_prefix("//!") else {
                if !out.is_empty() {
                    break;
                }
                continue;
            };
            out.push_str(doc.strip_prefix(' ').unwrap_or(doc));
            out.push('\n');
        }
        out.trim_end().to_string()
    }
}

/// What a rule sees.
pub struct Context<'a> {
    pub workspace: &'a Workspace,
    pub sources: &'a SourceMap,
    /// This rule's options from `checks:`.
    pub options: RuleOptions,
    /// Whether a workspace (throughline.yaml) was loaded, so that what it does not define is
    /// known to be undefined; a lone file may rely on definitions elsewhere.
    pub in_workspace: bool,
    /// What the data says, for the rules that read it; `None` without `--with-data`.
    pub data: Option<&'a DataFacts>,
}

/// A check over the workspace.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Pushes findings; their severity is replaced by the configured one.
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>);
}

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<&'static dyn Rule> {
    rules::ALL.iter().copied().find(|r| r.meta().id == id)
}

/// Runs every enabled rule on a loaded workspace. Returns configuration problems and findings,
/// sorted by file and position; findings on a line with a `throughline: allow(rule-id)`
/// comment (or under a comment line that says so) are dropped.
pub fn run(loaded: &Loaded) -> Vec<Diagnostic> {
    run_with_data(loaded, None)
}

/// [`run`], with what the data says for the rules that read it.
pub fn run_with_data(loaded: &Loaded, data: Option<&DataFacts>) -> Vec<Diagnostic> {
    let (config, mut out) = Config::from_workspace(&loaded.workspace);
    if out.iter().any(Diagnostic::is_input_error) {
        return out;
    }
    reader_findings(loaded, &config, &mut out);
    for rule in rules::ALL {
        let meta = rule.meta();
        let Some(severity) = config.severity(meta) else {
            continue;
        };
        let cx = Context {
            workspace: &loaded.workspace,
            sources: &loaded.sources,
            options: config.options(meta.id),
            in_workspace: loaded.root.is_some(),
            data,
        };
        let mut found = Vec::new();
        rule.check(&cx, &mut found);
        for mut d in found {
            d.code = meta.id.to_string();
            d.severity = severity;
            if loaded.in_focus(&d) && !allowed(&loaded.sources, &d) {
                out.push(d);
            }
        }
    }
    sort(&mut out);
    out
}

/// What the Markdown reader says of a page, configurable like a rule (`checks:` and
/// `throughline: allow(…)` anywhere on the page), with its default severity.
pub const READER_CODES: &[(&str, Severity)] = &[
    ("markdown-unread", Severity::Warning),
    ("uncertain-reading", Severity::Error),
    ("objectives-only", Severity::Warning),
    ("unlisted-okr-page", Severity::Warning),
    ("shared-key-results", Severity::Warning),
];

/// Whether `code` is one of [`READER_CODES`].
pub fn is_reader_code(code: &str) -> bool {
    READER_CODES.iter().any(|c| c.0 == code)
}

/// The reader's findings on Markdown pages, at their configured severity, without those a
/// comment on the page allows.
fn reader_findings(loaded: &Loaded, config: &Config, out: &mut Vec<Diagnostic>) {
    for d in &loaded.diagnostics {
        let Some(&(id, default)) = READER_CODES.iter().find(|c| c.0 == d.code) else {
            continue;
        };
        let Some(severity) = config.reader_severity(id, default) else {
            continue;
        };
        if !loaded.in_focus(d) || allowed_on_page(&loaded.sources, d) {
            continue;
        }
        let mut d = d.clone();
        d.severity = severity;
        out.push(d);
    }
}

/// A `throughline: allow(ID)` comment anywhere on the diagnostic's page.
fn allowed_on_page(sources: &SourceMap, d: &Diagnostic) -> bool {
    let Some(file) = d.span.and_then(|s| sources.get(s.file)) else {
        return false;
    };
    file.text.lines().any(|line| {
        line.find("throughline: allow(").is_some_and(|at| {
            let list = &line[at + "throughline: allow(".len()..];
            let list = list.split(')').next().unwrap_or("");
            list.split(',')
                .map(str::trim)
                .any(|id| id == d.code || id == "all")
        })
    })
}

/// Sorts diagnostics by file, line and column, then by rule id.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            d.span
                .map(|s| (s.file.0, s.line, s.column))
                .unwrap_or((u32::MAX, 0, 0))
        };
        key(a).cmp(&key(b)).then_with(|| a.code.cmp(&b.code))
    });
}

/// Whether an inline comment allows this finding: `# throughline: allow(rule-id, other-id)`
/// in YAML or `<!-- throughline: allow(rule-id) -->` in Markdown, on the finding's line or
/// alone on the line above it.
fn allowed(sources: &SourceMap, d: &Diagnostic) -> bool {
    let Some(span) = d.span else { return false };
    let Some(file) = sources.get(span.file) else {
        return false;
    };
    let mentions = |line: &str| {
        let Some(at) = line.find("throughline: allow(") else {
            return false;
        };
        let list = &line[at + "throughline: allow(".len()..];
        let list = list.split(')').next().unwrap_or("");
        list.split(',')
            .map(str::trim)
            .any(|id| id == d.code || id == "all")
    };
    if file.line_text(span.line).is_some_and(mentions) {
        return true;
    }
    span.line > 1
        && file.line_text(span.line - 1).is_some_and(|l| {
            let t = l.trim_start();
            (t.starts_with('#') || t.starts_with("<!--")) && mentions(l)
        })
}
