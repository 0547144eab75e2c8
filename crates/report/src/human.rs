//! Compiler-style output, rendered by annotate-snippets (the renderer rustc uses):
//!
//! ```text
//! error[output-key-result]: key result "Ship dark mode" describes work, not a measured outcome
//!  --> okrs.md:5:3
//!   |
//! 5 | - Ship dark mode
//!   |   ^^^^^^^^^^^^^^ this is an output
//!   |
//!   = help: state the change this work should cause…
//! ```

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use throughline_model::{Diagnostic, Severity, SourceMap};

/// How to render for a terminal.
#[derive(Clone, Copy, Debug, Default)]
pub struct HumanOptions {
    pub color: bool,
    /// Wrap width; 0 for the default (100).
    pub width: usize,
}

/// The lines around `offset..offset+len` (one before, the span's lines, one after), with the
/// 1-based number of the first line and the span relative to the window.
fn window(text: &str, offset: usize, len: usize) -> (&str, usize, std::ops::Range<usize>) {
    // spans are made on char boundaries; stay safe for any that are not
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let mut end = (offset + len).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let start = text[..line_start.saturating_sub(1)]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let start = if line_start == 0 { 0 } else { start };
    let after_span = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let stop = if after_span >= text.len() {
        text.len()
    } else {
        text[after_span + 1..]
            .find('\n')
            .map_or(text.len(), |i| after_span + 1 + i)
    };
    let first_line = text[..start].bytes().filter(|&b| b == b'\n').count() + 1;
    (&text[start..stop], first_line, offset - start..end - start)
}

/// Renders every diagnostic with its snippet, then a blank line.
pub fn render_human(diags: &[Diagnostic], sources: &SourceMap, opts: HumanOptions) -> String {
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .term_width(if opts.width == 0 { 100 } else { opts.width });
    let mut out = String::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Note => Level::NOTE,
        };
        let title_text = match (&d.span, &d.file_name) {
            (None, Some(name)) => format!("{name}: {}", d.message),
            _ => d.message.clone(),
        };
        let mut group =
            Group::with_title(level.primary_title(title_text.as_str()).id(d.code.as_str()));
        let file = d.span.and_then(|s| Some((s, sources.get(s.file)?)));
        let label = d.label.clone().unwrap_or_default();
        if let Some((span, f)) = file {
            let (source, line_start, range) =
                window(&f.text, span.offset as usize, span.len as usize);
            let snippet = Snippet::source(source)
                .line_start(line_start)
                .path(f.name.as_str())
                .annotation(AnnotationKind::Primary.span(range).label(label.as_str()));
            group = group.element(snippet);
        }
        let mut report: Vec<Group> = vec![group];
        if let Some(help) = &d.help {
            report.push(Group::with_title(
                Level::HELP.secondary_title(help.as_str()),
            ));
        }
        out.push_str(&renderer.render(&report));
        out.push_str("\n\n");
    }
    out
}

/// "2 errors, 3 warnings in 4 files" or "no problems found in 4 files".
pub fn summary_line(diags: &[Diagnostic], files: usize) -> String {
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let (e, w, n) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
    );
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let files = plural(files, "file");
    if e + w + n == 0 {
        return format!("no problems found in {files}");
    }
    let mut parts = Vec::new();
    if e > 0 {
        parts.push(plural(e, "error"));
    }
    if w > 0 {
        parts.push(plural(w, "warning"));
    }
    if n > 0 {
        parts.push(plural(n, "note"));
    }
    format!("{} in {files}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_one_line_of_context() {
        let text = "a\nbb\nccc\ndd\ne\n";
        let (w, first, range) = window(text, 5, 3); // "ccc"
        assert_eq!((w, first), ("bb\nccc\ndd", 2));
        assert_eq!(&w[range], "ccc");
        let (w, first, _) = window(text, 0, 1);
        assert_eq!((w, first), ("a\nbb", 1));
        // found by fuzzing: a span ending inside a multi-byte character
        let (w, _, range) = window("\u{6e1}\u{1e}", 1, 1);
        assert_eq!(&w[range], "\u{6e1}");
    }
}
