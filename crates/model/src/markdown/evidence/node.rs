//! One node of the page's outline and where it sits (the tiers a reading chooses between),
//! with the helpers that read a node's title as written. The outline builder and the
//! evidence both use them; neither imports the other for them.

use std::ops::Range;

use super::super::frag::Frag;
use super::super::tree::{Block, Inline};

/// Where a node sits in the page's structure: the tiers a reading chooses between.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Slot {
    Heading(u8),
    /// A line of a paragraph outside any list.
    Line,
    /// A list item at this depth (1 for a top-level list).
    Item(u8),
    Row,
    /// Not a place in the page: in a reading, the key results are the first things under
    /// each objective (items, rows, bold lines, sub-headings), whatever their depth.
    Top,
    /// A row's cell under a group cell (`| Objective | Key result |` with the objective
    /// written once for several rows).
    Cell,
}

impl Slot {
    pub(crate) fn describe(self) -> String {
        match self {
            Slot::Heading(l) => format!("level-{l} headings"),
            Slot::Line => "paragraph lines".to_string(),
            Slot::Item(1) => "list items".to_string(),
            Slot::Item(d) => format!("list items nested {} deep", d),
            Slot::Row => "table rows".to_string(),
            Slot::Cell => "table cells beside them".to_string(),
            Slot::Top => "the first items, rows or bold lines".to_string(),
        }
    }
}

/// One node of the outline.
pub(crate) struct Node<'b> {
    pub slot: Slot,
    /// The node's title: a heading, a line, an item's first line, a row's main cell.
    pub frag: Frag<'b>,
    /// Everything the node says itself (an item's further lines and paragraphs, a row's
    /// cells), for evidence.
    pub full: String,
    /// Source range of the node and what is nested in it.
    pub range: Range<usize>,
    pub parent: Option<usize>,
    /// One past the index of its last descendant.
    pub end: usize,
    /// An item's blocks (its details), for the key result reader.
    pub blocks: Vec<&'b Block>,
    /// A table row's cells, with the table's header.
    pub cells: Vec<(&'b Inline, &'b Inline)>,
    /// A paragraph line: how many lines its paragraph has.
    pub lines: usize,
    /// A heading that only said `Objective` (its title is the paragraph under it).
    pub bare_label: bool,
    /// A heading that only said `KR1` or `O1KR2` (its title is the paragraph under it).
    pub bare_kr: bool,
}

impl<'b> Node<'b> {
    pub(super) fn new(slot: Slot, frag: Frag<'b>, full: String, range: Range<usize>) -> Self {
        Node {
            slot,
            frag,
            full,
            range,
            parent: None,
            end: 0,
            blocks: Vec::new(),
            cells: Vec::new(),
            lines: 0,
            bare_label: false,
            bare_kr: false,
        }
    }
}

/// The text without leading marks that are not words (`📌 Objective`, `🎯 Key Results`).
pub(crate) fn plain(t: &str) -> &str {
    t.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '#' && c != '`')
        .trim_start()
}

/// The gloss of a title written in another language with the English words beside it
/// (`Các Kết Quả Then Chốt (Key Results)` → `Key Results`), when it has one.
pub(crate) fn gloss(t: &str) -> Option<&str> {
    let t = t.trim_end();
    let before = without_gloss(t);
    (before.len() < t.len()).then(|| {
        t[before.len()..]
            .trim()
            .trim_start_matches(['(', '（'])
            .trim_end_matches([')', '）'])
            .trim()
    })
}

/// The text without a gloss in parentheses at its end (`Key Results (Kết quả then chốt)`,
/// `Objective (O)`).
pub(crate) fn without_gloss(t: &str) -> &str {
    let t = t.trim_end();
    // `关键结果（KR）`, `目标（O1）`: a full-width gloss, with or without a space before it
    if t.ends_with('）')
        && let Some(at) = t.rfind('（')
        && at > 0
    {
        return t[..at].trim_end();
    }
    match t.rfind(" (") {
        Some(at) if t.ends_with(')') && at > 0 => t[..at].trim_end(),
        _ => t,
    }
}
