//! The document as a tree of blocks, built from pulldown-cmark's events.
//!
//! pulldown-cmark does the CommonMark parsing (headings, nested and loose lists, tables, front
//! matter, code blocks to skip); this module only shapes its events into blocks and keeps, for
//! every piece of text, the byte offset it came from, so that anything read from the text can
//! be given its line and column.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Inline text with a map back to the source.
#[derive(Clone, Debug, Default)]
pub(crate) struct Inline {
    /// The text as a reader sees it: markup removed, link text kept, line breaks as `\n`,
    /// `<br>` as `\n`.
    pub text: String,
    pieces: Vec<Piece>,
    /// Text ranges written in bold.
    pub strong: Vec<Range<usize>>,
    /// Text ranges struck through (`~~dropped~~`).
    pub struck: Vec<Range<usize>>,
    /// Text ranges that are a link's text.
    pub links: Vec<Range<usize>>,
    /// Names from tags such as `<TeamMember name="Dana Lee" />`, with their source offset.
    pub people: Vec<(String, usize)>,
    /// Source offset of the block this text belongs to.
    pub start: usize,
    /// Inside an image: its alt text is not read.
    image_depth: usize,
    /// Each source line's indentation (spaces and tabs before its text, when nothing else is
    /// there), by the text offset where the line starts.
    indents: Vec<(usize, usize)>,
}

/// A run of `text` that came from `src..src + len` (exactly, or from an escape or entity).
#[derive(Clone, Copy, Debug)]
struct Piece {
    text: usize,
    src: usize,
    len: usize,
    exact: bool,
}

impl Inline {
    fn push(&mut self, s: &str, range: Range<usize>, src: &str) {
        if s.is_empty() {
            return;
        }
        let written = src.get(range.clone()).unwrap_or("");
        // a code span's range includes its backticks; find the text inside it
        let (at, exact) = match written.find(s) {
            Some(i) => (range.start + i, true),
            None => (range.start, false),
        };
        if exact && (self.text.is_empty() || self.text.ends_with('\n')) {
            let before = &src.as_bytes()[..at];
            let line = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            if before[line..].iter().all(|&b| b == b' ' || b == b'\t') {
                self.indents.push((self.text.len(), at - line));
            }
        }
        self.pieces.push(Piece {
            text: self.text.len(),
            src: at,
            len: s.len(),
            exact,
        });
        self.text.push_str(s);
    }

    fn newline(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    /// The indentation of the source line whose text starts at byte `pos`, when only spaces
    /// are before it there (not a list's or a quote's marker).
    pub fn indent_at(&self, pos: usize) -> Option<usize> {
        // pushed in the order of the text, so sorted by position
        self.indents
            .binary_search_by_key(&pos, |i| i.0)
            .ok()
            .map(|k| self.indents[k].1)
    }

    /// The source offset of byte `pos` of the text.
    pub fn src_at(&self, pos: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.text <= pos);
        match i.checked_sub(1).map(|i| self.pieces[i]) {
            Some(p) if pos < p.text + p.len || i == self.pieces.len() => {
                if p.exact {
                    p.src + (pos - p.text).min(p.len)
                } else {
                    p.src
                }
            }
            Some(p) => p.src + p.len,
            None => self.pieces.first().map_or(self.start, |p| p.src),
        }
    }

    /// Source byte range of the text range `r` (for a span's length).
    pub fn src_range(&self, r: Range<usize>) -> Range<usize> {
        let start = self.src_at(r.start);
        let end = if r.end > r.start {
            self.src_at(r.end - 1) + 1
        } else {
            start
        };
        start..end.max(start)
    }

    /// Text ranges of the lines of the text. A bold phrase wrapped over two source lines
    /// (`**KR1.1 — Develop the first version of a\ndatabase**`) is one line.
    pub fn lines(&self) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, c) in self.text.char_indices() {
            if c == '\n' && !self.strong.iter().any(|r| r.start < i && i + 1 < r.end) {
                out.push(start..i);
                start = i + 1;
            }
        }
        if start < self.text.len() {
            out.push(start..self.text.len());
        }
        out
    }
}

/// One block of the document.
#[derive(Clone, Debug)]
pub(crate) enum Block {
    Heading {
        level: u8,
        inline: Inline,
        range: Range<usize>,
    },
    Para {
        inline: Inline,
    },
    List {
        items: Vec<Item>,
    },
    Table {
        head: Vec<Inline>,
        rows: Vec<Vec<Inline>>,
        range: Range<usize>,
    },
    /// An HTML block (a comment, `<TeamMember name="…" />` alone on its line).
    Html {
        people: Vec<(String, usize)>,
    },
    Quote {
        blocks: Vec<Block>,
        range: Range<usize>,
    },
    /// Code blocks, rules, footnotes: nothing to read.
    Skip,
    /// YAML front matter between `---` lines, with the offset of its first line.
    FrontMatter {
        text: String,
        start: usize,
    },
}

/// A list item: its first paragraph and whatever follows it inside the item.
#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub inline: Inline,
    pub blocks: Vec<Block>,
    pub range: Range<usize>,
}

impl Item {
    /// The nested lists' items.
    pub fn sub_items(&self) -> impl Iterator<Item = &Item> {
        self.blocks.iter().flat_map(|b| match b {
            Block::List { items, .. } => items.as_slice(),
            _ => &[],
        })
    }
}

/// Lists and quotes nested deeper than this are skipped whole (no OKR page nests this deep;
/// reading them would only risk the stack).
const MAX_NESTING: usize = 48;

type Events<'a> = std::iter::Peekable<std::vec::IntoIter<(Event<'a>, Range<usize>)>>;

/// Parses `src` into blocks.
pub(crate) fn parse(src: &str) -> Vec<Block> {
    // YAML front matter only at the very start: CommonMark's parser would also take a rule
    // (`---`) with text right under it, up to the next rule, as a metadata block, and a
    // page's OKRs between two rules would be lost. The front matter is read here and blanked
    // (offsets kept) before the page is parsed.
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    let (front, text) = match front_matter(src) {
        Some((block, end)) => {
            let mut masked = src.to_string();
            blank(&mut masked, 0..end);
            (Some(block), std::borrow::Cow::Owned(masked))
        }
        None => (None, std::borrow::Cow::Borrowed(src)),
    };
    let events: Vec<_> = Parser::new_ext(&text, options).into_offset_iter().collect();
    let mut it = events.into_iter().peekable();
    let mut blocks = blocks_until(&mut it, &text, None, 0);
    if let Some(f) = front {
        blocks.insert(0, f);
    }
    blocks
}

/// Blanks `range` of `text` in place: every byte a space but line breaks, so that every
/// offset after it (and every line) stays where it is.
pub(super) fn blank(text: &mut String, range: Range<usize>) {
    let kept: String = text[range.clone()]
        .chars()
        .flat_map(|c| {
            let n = if c == '\n' { 0 } else { c.len_utf8() };
            std::iter::repeat_n(' ', n).chain((c == '\n').then_some('\n'))
        })
        .collect();
    text.replace_range(range, &kept);
}

/// The YAML front matter a page starts with (`---` lines around it, the last may be `...`),
/// and where it ends in `src` (after its closing line).
fn front_matter(src: &str) -> Option<(Block, usize)> {
    let start = src.find('\n')? + 1;
    if src[..start].trim_end() != "---" {
        return None;
    }
    let mut at = start;
    for line in src.get(start..)?.split_inclusive('\n') {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            let text = src[start..at].to_string();
            // `---` then a blank line is a rule, not front matter
            if text.trim().is_empty() {
                return None;
            }
            return Some((Block::FrontMatter { text, start }, at + line.len()));
        }
        at += line.len();
    }
    None
}

/// Reads blocks until the end tag `end` (or the end of the document).
fn blocks_until(it: &mut Events, src: &str, end: Option<TagEnd>, depth: usize) -> Vec<Block> {
    let mut out = Vec::new();
    while let Some((event, range)) = it.next() {
        match event {
            Event::End(e) if Some(e) == end => break,
            Event::Start(tag) => {
                if let Some(b) = block(tag, range, it, src, depth) {
                    // a `<details>` block with a `<summary>` over a `<table>`: the summary
                    // line (`Q4 2021 (64%)`) heads the table, as a line before it
                    if let Block::Table { range, .. } = &b
                        && let Some(at) = src
                            .get(range.clone())
                            .and_then(|h| h.to_ascii_lowercase().find("<table"))
                        && let Some(line) = html_summary(src, range.start..range.start + at)
                    {
                        out.push(line);
                    }
                    out.push(b);
                }
            }
            Event::Html(_) => {
                let mut people = html_people(src.get(range.clone()).unwrap_or(""), range.start);
                while let Some((Event::Html(_), r)) = it.peek() {
                    let r = r.clone();
                    people.extend(html_people(src.get(r.clone()).unwrap_or(""), r.start));
                    it.next();
                }
                out.push(Block::Html { people });
            }
            Event::Rule => out.push(Block::Skip),
            // text directly in a tight item or a stray inline: a paragraph of its own
            Event::Text(_) | Event::Code(_) | Event::InlineHtml(_) => {
                let mut inline = Inline {
                    start: range.start,
                    ..Inline::default()
                };
                inline_event(&mut inline, event, range, src);
                while it.peek().is_some_and(|(e, _)| is_inline(e)) {
                    let (e, r) = it.next().expect("peeked");
                    inline_event(&mut inline, e, r, src);
                }
                out.push(Block::Para { inline });
            }
            _ => {}
        }
    }
    out
}

// Long because it is one match over the start tags pulldown-cmark gives, building each block
// with its source offsets.
fn block(tag: Tag, range: Range<usize>, it: &mut Events, src: &str, depth: usize) -> Option<Block> {
    if depth > MAX_NESTING && matches!(tag, Tag::List(_) | Tag::BlockQuote(_)) {
        skip_tag(it, tag.to_end());
        return Some(Block::Skip);
    }
    Some(match tag {
        Tag::Heading { level, .. } => {
            let inline = inline_until(it, src, TagEnd::Heading(level), range.start);
            Block::Heading {
                level: level as u8,
                inline,
                range,
            }
        }
        Tag::Paragraph => Block::Para {
            inline: inline_until(it, src, TagEnd::Paragraph, range.start),
        },
        Tag::List(_) => {
            let mut items = Vec::new();
            while let Some((event, r)) = it.next() {
                match event {
                    Event::Start(Tag::Item) => items.push(item(it, src, r, depth + 1)),
                    Event::End(TagEnd::List(_)) => break,
                    _ => {}
                }
            }
            Block::List { items }
        }
        Tag::Table(_) => {
            let mut head = Vec::new();
            let mut rows = Vec::new();
            let mut row: Option<Vec<Inline>> = None;
            while let Some((event, r)) = it.next() {
                match event {
                    Event::Start(Tag::TableCell) => {
                        let cell = inline_until(it, src, TagEnd::TableCell, r.start);
                        match &mut row {
                            Some(cells) => cells.push(cell),
                            None => head.push(cell),
                        }
                    }
                    Event::Start(Tag::TableRow) => row = Some(Vec::new()),
                    Event::End(TagEnd::TableRow) => rows.extend(row.take()),
                    Event::End(TagEnd::Table) => break,
                    _ => {}
                }
            }
            Block::Table { head, rows, range }
        }
        Tag::BlockQuote(_) => Block::Quote {
            blocks: blocks_until(it, src, Some(TagEnd::BlockQuote(None)), depth + 1),
            range,
        },
        Tag::HtmlBlock => {
            let mut people = Vec::new();
            let mut span: Option<Range<usize>> = None;
            for (event, r) in it.by_ref() {
                match event {
                    Event::Html(h) => {
                        people.extend(html_people(&h, r.start));
                        span = Some(span.map_or(r.clone(), |s| s.start..r.end));
                    }
                    Event::End(TagEnd::HtmlBlock) => break,
                    _ => {}
                }
            }
            // an HTML `<table>` (generated OKR summaries write them): read as a table; a
            // `<details>` block's `<summary>` line: read as the line it shows
            if let Some(r) = span.clone()
                && let Some(table) = html_table(src, r)
            {
                return Some(table);
            }
            if let Some(r) = span.clone()
                && let Some(line) = html_summary(src, r)
            {
                return Some(line);
            }
            // `<h2>Key result: …</h2>` written as HTML: the heading it shows
            if let Some(r) = span
                && let Some(heading) = html_heading(src, r)
            {
                return Some(heading);
            }
            Block::Html { people }
        }
        other => {
            // code blocks, footnotes, definition lists: skipped whole
            skip_tag(it, other.to_end());
            Block::Skip
        }
    })
}

/// Consumes events up to the end tag `end` that closes the tag just started, without recursion.
fn skip_tag(it: &mut Events, end: TagEnd) {
    let mut depth = 0usize;
    for (event, _) in it.by_ref() {
        match event {
            Event::Start(t) if t.to_end() == end => depth += 1,
            Event::End(e) if e == end => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            _ => {}
        }
    }
}

fn item(it: &mut Events, src: &str, range: Range<usize>, depth: usize) -> Item {
    let mut inline = Inline {
        start: range.start,
        ..Inline::default()
    };
    // a tight item's text comes without a paragraph; a loose item's first paragraph is its text
    match it.peek() {
        Some((Event::Start(Tag::Paragraph), _)) => {
            let (_, r) = it.next().expect("peeked");
            inline = inline_until(it, src, TagEnd::Paragraph, r.start);
        }
        _ => {
            while it.peek().is_some_and(|(e, _)| is_inline(e)) {
                let (e, r) = it.next().expect("peeked");
                inline_event(&mut inline, e, r, src);
            }
        }
    }
    // `- >70% quota participation`: a `>` meant as "more than", which CommonMark reads as a
    // quote inside the item; its first paragraph is the item's text
    let mut quoted = Vec::new();
    if inline.text.is_empty()
        && let Some((Event::Start(Tag::BlockQuote(_)), r)) = it.peek()
        && src
            .as_bytes()
            .get(r.start + 1)
            .is_some_and(|b| b.is_ascii_digit() || *b == b'=')
    {
        it.next();
        quoted = blocks_until(it, src, Some(TagEnd::BlockQuote(None)), depth + 1);
        if let Some(Block::Para { inline: first }) = quoted.first() {
            inline = first.clone();
            quoted.remove(0);
        }
    }
    let mut blocks = quoted;
    blocks.extend(blocks_until(it, src, Some(TagEnd::Item), depth));
    Item {
        inline,
        blocks,
        range,
    }
}

fn is_inline(e: &Event) -> bool {
    match e {
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineHtml(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::TaskListMarker(_)
        | Event::FootnoteReference(_)
        | Event::InlineMath(_) => true,
        Event::Start(t) => matches!(
            t,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Link { .. }
                | Tag::Image { .. }
                | Tag::Superscript
                | Tag::Subscript
        ),
        Event::End(t) => matches!(
            t,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image
                | TagEnd::Superscript
                | TagEnd::Subscript
        ),
        _ => false,
    }
}

fn inline_until(it: &mut Events, src: &str, end: TagEnd, start: usize) -> Inline {
    let mut inline = Inline {
        start,
        ..Inline::default()
    };
    for (event, range) in it.by_ref() {
        if matches!(&event, Event::End(e) if *e == end) {
            break;
        }
        inline_event(&mut inline, event, range, src);
    }
    inline
}

/// Adds one inline event. Bold spans are recorded; images and their alt text are left out.
fn inline_event(inline: &mut Inline, event: Event, range: Range<usize>, src: &str) {
    match event {
        Event::Text(t) | Event::Code(t) | Event::InlineMath(t) if inline.image_depth == 0 => {
            inline.push(&t, range, src);
        }
        Event::SoftBreak | Event::HardBreak => inline.newline(),
        Event::InlineHtml(h) => {
            let lower = h.to_ascii_lowercase();
            if lower.starts_with("<br") {
                inline.newline();
            }
            inline.people.extend(html_people(&h, range.start));
        }
        Event::Start(Tag::Link { .. }) => open_range(&mut inline.links, inline.text.len()),
        Event::End(TagEnd::Link) => close_range(&mut inline.links, inline.text.len()),
        Event::Start(Tag::Image { .. }) => inline.image_depth += 1,
        Event::End(TagEnd::Image) => inline.image_depth = inline.image_depth.saturating_sub(1),
        Event::Start(Tag::Strikethrough) => open_range(&mut inline.struck, inline.text.len()),
        Event::End(TagEnd::Strikethrough) => close_range(&mut inline.struck, inline.text.len()),
        Event::Start(Tag::Strong) => open_range(&mut inline.strong, inline.text.len()),
        Event::End(TagEnd::Strong) => close_range(&mut inline.strong, inline.text.len()),
        _ => {}
    }
}

/// The rows of an HTML `<table>` in `src[range]`: `<th>` cells make the header, `<td>` cells
/// the rows; tags inside a cell are dropped (a cell wholly in `<strong>`/`<b>` is bold), the
/// common entities decoded; each cell's text maps to where it starts in the source.
fn html_table(src: &str, range: Range<usize>) -> Option<Block> {
    let html = src.get(range.clone())?;
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<table") || !lower.contains("<tr") {
        return None;
    }
    let mut head = Vec::new();
    let mut rows = Vec::new();
    let mut from = 0;
    // columns a cell above still covers (`rowspan`): how many more rows each
    let mut spans: Vec<usize> = Vec::new();
    while let Some(tr) = lower[from..].find("<tr") {
        let row_start = from + tr;
        let row_end = lower[row_start..]
            .find("</tr")
            .map_or(lower.len(), |e| row_start + e);
        let mut cells = Vec::new();
        let mut header = false;
        let mut at = row_start + 3;
        while at < row_end {
            let Some(open) = lower[at..row_end].find(['<']).map(|i| at + i) else {
                break;
            };
            let tag = &lower[open..row_end];
            let is_cell = tag.starts_with("<td") || tag.starts_with("<th");
            let Some(close) = tag.find('>').map(|i| open + i + 1) else {
                break;
            };
            if !is_cell {
                at = close;
                continue;
            }
            header |= tag.starts_with("<th");
            let end = lower[close..row_end]
                .find("</t")
                .map_or(row_end, |e| close + e);
            // a place a cell above still covers holds nothing of this row's
            while spans.get(cells.len()).is_some_and(|n| *n > 0) {
                spans[cells.len()] -= 1;
                cells.push(Inline::default());
            }
            let rowspan = rowspan(&lower[open..close]);
            if spans.len() <= cells.len() {
                spans.resize(cells.len() + 1, 0);
            }
            spans[cells.len()] = rowspan.saturating_sub(1);
            cells.push(html_cell(html, close..end, range.start));
            at = end + 1;
        }
        while spans.get(cells.len()).is_some_and(|n| *n > 0) {
            spans[cells.len()] -= 1;
            cells.push(Inline::default());
        }
        if !cells.is_empty() {
            if header && head.is_empty() && rows.is_empty() {
                head = cells;
            } else {
                rows.push(cells);
            }
        }
        from = row_end.max(row_start + 3);
    }
    (!rows.is_empty()).then_some(Block::Table { head, rows, range })
}

/// The rows a table cell's tag says it spans (`<td rowspan=6>`, `rowspan="2"`): 1 unless said.
fn rowspan(tag: &str) -> usize {
    let Some(at) = tag.find("rowspan") else {
        return 1;
    };
    let v = tag[at + "rowspan".len()..].trim_start_matches(['=', '"', '\'', ' ']);
    let digits: String = v.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .ok()
        .filter(|n| (1..=1000).contains(n))
        .unwrap_or(1)
}

/// The text of each `<summary>` in `src[range]` (what a `<details>` block shows when
/// closed), one line each, as a paragraph.
fn html_summary(src: &str, range: Range<usize>) -> Option<Block> {
    let html = src.get(range.clone())?;
    let lower = html.to_ascii_lowercase();
    let mut inline = Inline {
        start: range.start,
        ..Inline::default()
    };
    let mut from = 0;
    while let Some(open) = lower[from..].find("<summary").map(|i| from + i) {
        let Some(start) = lower[open..].find('>').map(|i| open + i + 1) else {
            break;
        };
        let Some(end) = lower[start..].find("</summary").map(|i| start + i) else {
            break;
        };
        let cell = html_cell(html, start..end, range.start);
        if !cell.text.is_empty() {
            inline.newline();
            if let Some(p) = cell.pieces.first() {
                inline.pieces.push(Piece {
                    text: inline.text.len(),
                    ..*p
                });
            }
            inline.text.push_str(&cell.text);
        }
        from = end;
    }
    (!inline.text.is_empty()).then_some(Block::Para { inline })
}

/// An HTML block that starts with a heading element (`<h2>\n  Key result: …\n</h2>`), as the
/// heading it shows at its level.
fn html_heading(src: &str, range: Range<usize>) -> Option<Block> {
    let html = src.get(range.clone())?;
    let lead = html.len() - html.trim_start().len();
    let t = html.trim();
    let b = t.as_bytes();
    if b.len() < 9 || b[0] != b'<' || !matches!(b[1], b'h' | b'H') || !(b'1'..=b'6').contains(&b[2])
    {
        return None;
    }
    let level = b[2] - b'0';
    if !matches!(b[3], b'>' | b' ' | b'\t' | b'\n') {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    let start = lower.find('>')? + 1;
    let close = format!("</h{level}>");
    // the block starts with the heading; what follows it in the block (a template line, a
    // progress bar) is HTML, unread as before
    let end = lower.find(&close)?;
    if end < start {
        return None;
    }
    let inline = html_cell(html, lead + start..lead + end, range.start);
    (!inline.text.trim().is_empty()).then_some(Block::Heading {
        level,
        inline,
        range,
    })
}

/// One HTML cell's text without its tags, mapped to its first character in the source.
fn html_cell(html: &str, r: Range<usize>, base: usize) -> Inline {
    let raw = &html[r.clone()];
    let mut text = String::new();
    let mut first: Option<usize> = None;
    let mut in_tag = false;
    for (i, c) in raw.char_indices() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => {
                if first.is_none() && !c.is_whitespace() {
                    first = Some(i);
                }
                text.push(c);
            }
            _ => {}
        }
    }
    let text = text
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&quot;", "\"")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let start = base + r.start + first.unwrap_or(0);
    let lower = raw.trim().to_ascii_lowercase();
    let bold = (lower.starts_with("<strong") || lower.starts_with("<b>"))
        && (lower.ends_with("</strong>") || lower.ends_with("</b>"));
    let mut inline = Inline {
        start,
        ..Inline::default()
    };
    if !text.is_empty() {
        inline.pieces.push(Piece {
            text: 0,
            src: start,
            len: text.len(),
            exact: false,
        });
        if bold {
            inline.strong.push(0..text.len());
        }
        inline.text = text;
    }
    inline
}

/// Opens a range of the text (bold, a link, struck through) at `at`.
fn open_range(ranges: &mut Vec<Range<usize>>, at: usize) {
    ranges.push(at..usize::MAX);
}

/// Closes the last range still open at `at`.
fn close_range(ranges: &mut [Range<usize>], at: usize) {
    if let Some(r) = ranges.iter_mut().rev().find(|r| r.end == usize::MAX) {
        r.end = at;
    }
}

/// `name="Dana Lee"` in tags whose name starts with a capital letter (`<TeamMember …/>`,
/// `<Person …/>`): the names and their source offsets.
pub(crate) fn html_people(html: &str, offset: usize) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut rest = html;
    let mut base = offset;
    while let Some(open) = rest.find('<') {
        let tag = &rest[open + 1..];
        let close = tag.find('>').map_or(tag.len(), |i| i);
        let body = &tag[..close];
        if body.starts_with(|c: char| c.is_ascii_uppercase())
            && let Some(at) = body.find("name=")
        {
            let value = &body[at + 5..];
            let quote = value.chars().next();
            if let Some(q @ ('"' | '\'')) = quote
                && let Some(end) = value[1..].find(q)
            {
                let name = value[1..1 + end].trim();
                if !name.is_empty() {
                    out.push((name.to_string(), base + open + 1 + at + 6));
                }
            }
        }
        let used = open + 1 + close.min(tag.len());
        base += used;
        rest = &rest[used..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(b: &Block) -> &Inline {
        match b {
            Block::Para { inline, .. } | Block::Heading { inline, .. } => inline,
            other => panic!("not text: {other:?}"),
        }
    }

    #[test]
    fn text_maps_back_to_its_source() {
        let src = "Grow **ARR** with [the plan](http://x) `now`";
        let blocks = parse(src);
        let i = para(&blocks[0]);
        assert_eq!(i.text, "Grow ARR with the plan now");
        let at = i.text.find("plan").unwrap();
        assert_eq!(&src[i.src_at(at)..i.src_at(at) + 4], "plan");
        let at = i.text.find("now").unwrap();
        assert_eq!(&src[i.src_range(at..at + 3)], "now");
        assert_eq!(i.strong, vec![5..8]);
    }

    #[test]
    fn lists_nest_and_loose_items_keep_their_paragraphs() {
        let src = "1. **Objective A**\n\n   **WHY:** because\n\n   - KR: one\n   - KR: two\n2. B\n";
        let blocks = parse(src);
        let Block::List { items, .. } = &blocks[0] else {
            panic!()
        };
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].inline.text, "Objective A");
        assert_eq!(items[0].sub_items().count(), 2);
        assert!(
            matches!(&items[0].blocks[0], Block::Para { inline, .. } if inline.text == "WHY: because")
        );
        assert_eq!(items[1].inline.text, "B");
    }

    #[test]
    fn tables_front_matter_and_people() {
        let src = "---\ntitle: \"FY23-Q1 OKRs\"\n---\n\n| Objective | Key Results |\n|---|---|\n| Grow | KR1: a<br>KR2: b |\n\n### Docs <TeamMember name=\"Dylan Martin\" photo />\n";
        let blocks = parse(src);
        assert!(matches!(&blocks[0], Block::FrontMatter { text, .. } if text.contains("FY23-Q1")));
        let Block::Table { head, rows, .. } = &blocks[1] else {
            panic!("{:?}", blocks[1])
        };
        assert_eq!(head[0].text, "Objective");
        assert_eq!(rows[0][1].text, "KR1: a\nKR2: b");
        let h = para(&blocks[2]);
        assert_eq!(h.text.trim(), "Docs");
        assert_eq!(h.people[0].0, "Dylan Martin");
        assert_eq!(&src[h.people[0].1..h.people[0].1 + 12], "Dylan Martin");
    }
}
