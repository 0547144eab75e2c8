//! A piece of a line's inline text with its source offsets, trimmed and cut without losing
//! where each character came from.

use super::tree::Inline;
use std::ops::Range;

/// A piece of inline text: a byte range of an [`Inline`]'s text.
#[derive(Clone, Copy, Debug)]
pub(super) struct Frag<'a> {
    pub inline: &'a Inline,
    pub start: usize,
    pub end: usize,
}

impl<'a> Frag<'a> {
    pub fn whole(inline: &'a Inline) -> Self {
        Frag {
            inline,
            start: 0,
            end: inline.text.len(),
        }
        .trim()
    }
    pub fn lines(inline: &'a Inline) -> Vec<Frag<'a>> {
        inline
            .lines()
            .into_iter()
            .map(|r| {
                Frag {
                    inline,
                    start: r.start,
                    end: r.end,
                }
                .trim()
            })
            .filter(|f| !f.is_empty())
            .collect()
    }
    pub fn text(&self) -> &'a str {
        &self.inline.text[self.start..self.end]
    }
    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }
    /// Without surrounding spaces and the given characters.
    pub fn trim_with(self, chars: &[char]) -> Self {
        let t = self.text();
        let left = t.trim_start_matches(|c: char| c.is_whitespace() || chars.contains(&c));
        let both = left.trim_end_matches(|c: char| c.is_whitespace() || chars.contains(&c));
        let start = self.start + (t.len() - left.len());
        Frag {
            start,
            end: start + both.len(),
            ..self
        }
    }
    pub fn trim(self) -> Self {
        self.trim_with(&[])
    }
    /// The text from byte `n` on.
    pub fn skip(self, n: usize) -> Self {
        Frag {
            start: (self.start + n).min(self.end),
            ..self
        }
        .trim()
    }
    /// The first `n` bytes.
    /// The first `n` bytes, fewer when `n` falls inside a character (a limit counted in bytes
    /// must not split one).
    pub fn take(self, n: usize) -> Self {
        Frag {
            end: self.boundary((self.start + n).min(self.end)),
            ..self
        }
        .trim()
    }
    pub fn sub(self, r: Range<usize>) -> Self {
        let start = self.boundary((self.start + r.start).min(self.end));
        Frag {
            start,
            end: self.boundary((self.start + r.end).min(self.end)).max(start),
            ..self
        }
        .trim()
    }
    /// `at`, or the start of the character it falls inside.
    fn boundary(&self, mut at: usize) -> usize {
        while at > 0 && !self.inline.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }
    /// Whether the whole piece is written in bold.
    pub fn all_strong(&self) -> bool {
        let t = self.text().trim_end_matches([':', ' ', '.']);
        !t.is_empty()
            && self
                .inline
                .strong
                .iter()
                .any(|r| r.start <= self.start && r.end >= self.start + t.len())
    }
    /// Whether most of its letters are struck through (`~~Launch the app~~`): dropped.
    pub fn mostly_struck(&self) -> bool {
        let letters = |r: std::ops::Range<usize>| {
            self.inline.text[r]
                .chars()
                .filter(|c| c.is_alphanumeric())
                .count()
        };
        let all = letters(self.start..self.end);
        let struck: usize = self
            .inline
            .struck
            .iter()
            .map(|r| {
                let a = r.start.clamp(self.start, self.end);
                let b = r.end.clamp(self.start, self.end);
                letters(a..b)
            })
            .sum();
        all > 0 && struck * 2 >= all
    }
    /// Whether it is a term in bold and a sentence explaining it (`**Linked to pay.** Sometimes
    /// you can fail …`): a short bold start, then at least four words of plain text.
    pub fn term_and_explanation(&self) -> bool {
        let t = self.text();
        self.inline.strong.iter().any(|r| {
            if r.start > self.start + 4 || r.end <= self.start || r.end >= self.end {
                return false;
            }
            let bold = &t[r.start.saturating_sub(self.start).min(t.len())
                ..(r.end - self.start).min(t.len())];
            let after = &t[(r.end - self.start).min(t.len())..];
            bold.split_whitespace().count() <= 6 && after.split_whitespace().count() >= 4
        })
    }
    /// Whether it starts with a bold label (`**Owner:** Dana`, `**Key Results**:`).
    pub fn bold_label(&self) -> bool {
        let t = self.text();
        self.inline.strong.iter().any(|r| {
            if r.start > self.start || r.end <= self.start {
                return false;
            }
            let bold_end = (r.end - self.start).min(t.len());
            t[..bold_end].trim_end().ends_with([':', '：'])
                || t[bold_end..].trim_start().starts_with(':')
        })
    }
}
