//! Text made safe for HTML, shared by the page (`html`) and its charts (`svg`).

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text and turns `code` spans into `<code>` elements.
pub fn inline(s: &str) -> String {
    if s.matches('`').count() % 2 == 1 {
        // An unmatched backtick: plain text.
        return escape(s);
    }
    let mut out = String::new();
    for (i, part) in escape(s).split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("<code>{part}</code>"));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// Text people wrote (a decision, a check-in note) on one line for a terminal or a Markdown
/// list: runs of white space as one space, and control characters shown as their pictures
/// (`␛` for ESC), so that an escape sequence in a note is seen, never run by the terminal.
/// Longer than `max` characters: cut with `…`.
pub fn one_line(s: &str, max: usize) -> String {
    let shown: String = s
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(|c| match c as u32 {
            0..=0x1f => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            0x7f => '\u{2421}',
            0x80..=0x9f => '\u{fffd}',
            _ => c,
        })
        .collect();
    if shown.chars().count() > max {
        format!("{}…", shown.chars().take(max - 1).collect::<String>())
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_line_shows_control_characters_and_never_passes_them_on() {
        let s = super::one_line("ship it\u{1b}[31m red\n\tnow\u{7f}\u{9b}", 100);
        assert_eq!(s, "ship it\u{241b}[31m red now\u{2421}\u{fffd}");
        assert!(!s.chars().any(char::is_control));
        assert_eq!(super::one_line("abcdef", 4), "abc…");
    }
}
