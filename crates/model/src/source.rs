//! Source files and locations: every definition remembers where it was written.

use std::path::{Path, PathBuf};

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A place in a source file: byte range plus the 1-based line and character column of its start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub offset: u32,
    pub len: u32,
    pub line: u32,
    pub column: u32,
}

impl Span {
    /// A span at a byte offset of `text`, with line and column computed from the text.
    pub fn at(file: FileId, text: &str, offset: usize, len: usize) -> Span {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let len = snap_len(text, offset, len);
        let (line, column) = line_column(text, offset);
        Span {
            file,
            offset: offset as u32,
            len: len as u32,
            line,
            column,
        }
    }
}

/// Text from a file, with where it was written.
pub type Text = Spanned<String>;

/// A value with the span it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Spanned<U> {
        Spanned {
            value: f(self.value),
            span: self.span,
        }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// One file read into memory.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or relative to the workspace root), used in messages.
    pub name: String,
    pub path: PathBuf,
    pub text: String,
    pub lines: LineIndex,
}

impl SourceFile {
    /// The text of line `line` (1-based), without its line break.
    pub fn line_text(&self, line: u32) -> Option<&str> {
        let i = line.checked_sub(1)? as usize;
        let start = *self.lines.starts.get(i)?;
        let end = self
            .lines
            .starts
            .get(i + 1)
            .map_or(self.text.len(), |e| e - 1);
        let l = &self.text[start..end.max(start)];
        Some(l.strip_suffix('\r').unwrap_or(l))
    }
}

/// All files a command read, so that any span can be shown with its snippet.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, name: impl Into<String>, path: &Path, text: String) -> FileId {
        let lines = LineIndex::new(&text);
        self.files.push(SourceFile {
            name: name.into(),
            path: path.to_path_buf(),
            text,
            lines,
        });
        FileId(self.files.len() as u32 - 1)
    }
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }
    pub fn name(&self, id: FileId) -> &str {
        self.get(id).map(|f| f.name.as_str()).unwrap_or("<unknown>")
    }
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

/// Line starts of a text, for turning many byte offsets into lines and columns without
/// rescanning the text each time.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// A span of `text` (the text this index was built from).
    pub fn span(&self, file: FileId, text: &str, offset: usize, len: usize) -> Span {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let len = snap_len(text, offset, len);
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let column = text[start..offset].chars().count() + 1;
        Span {
            file,
            offset: offset as u32,
            len: len as u32,
            line: line as u32,
            column: column as u32,
        }
    }
}

/// 1-based line and character column of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line as u32, column as u32)
}

pub(crate) fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The length from `offset` (a char boundary) that covers at least `len` bytes, ends on a
/// char boundary and stays inside `text`.
pub(crate) fn snap_len(text: &str, offset: usize, len: usize) -> usize {
    let mut end = (offset + len).min(text.len());
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    end - offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters_not_bytes() {
        let text = "ab\nçd e\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        // "ç" is two bytes; "e" is byte 8 but the 4th character of line 2.
        assert_eq!(line_column(text, 7), (2, 4));
        // an offset inside a multi-byte character snaps back to its start
        assert_eq!(line_column(text, 4), (2, 1));
        // a span that would end inside "ç" is widened to the whole character
        let span = Span::at(FileId(0), text, 3, 1);
        assert_eq!(
            &text[span.offset as usize..(span.offset + span.len) as usize],
            "ç"
        );
        let mut map = SourceMap::default();
        let id = map.add("t", Path::new("t"), "one\r\ntwo\n\nfour".into());
        let f = map.get(id).unwrap();
        let lines: Vec<Option<&str>> = (0..=5).map(|l| f.line_text(l)).collect();
        assert_eq!(
            lines,
            [None, Some("one"), Some("two"), Some(""), Some("four"), None]
        );
        let index = LineIndex::new(text);
        for offset in 0..text.len() {
            let span = index.span(FileId(0), text, offset, 1);
            assert_eq!(
                (span.line, span.column),
                line_column(text, offset),
                "offset {offset}"
            );
        }
    }
}
