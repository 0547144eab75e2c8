//! The page as an outline of nodes: headings, paragraph lines, list items at each depth and
//! table rows, each with its structural parent, in document order (a node's descendants
//! follow it directly, so a subtree is a range of indices).

use std::ops::Range;

use super::super::frag::Frag;
use super::super::labels;
use super::super::tree::{Block, Inline, Item};
use super::node::{Node, Slot, gloss, plain, without_gloss};

struct Builder<'b> {
    nodes: Vec<Node<'b>>,
    stack: Vec<usize>,
    /// A heading that is only a label (`### Objective`, `#### KR1`): its title is the
    /// next paragraph.
    bare: Option<usize>,
}

/// The outline of a page's blocks.
pub(crate) fn build(blocks: &[Block]) -> Vec<Node<'_>> {
    let mut b = Builder {
        nodes: Vec::new(),
        stack: Vec::new(),
        bare: None,
    };
    for block in blocks {
        b.block(block, 0);
    }
    while let Some(i) = b.stack.pop() {
        b.close(i);
    }
    b.nodes
}

/// A paragraph's lines with each line that only continues the one before it joined to it:
/// a sentence wrapped onto an indented line (`P2: Prepare a tutorial showing how to build a`
/// then `    well-behaved client`), or a long line broken mid-sentence before a lowercase word.
/// A line that starts with a mark or a number is a line of its own, and so is one after a
/// line that ends a sentence or a label.
fn joined_lines(lines: Vec<Frag<'_>>) -> Vec<Frag<'_>> {
    let mut out: Vec<Frag<'_>> = Vec::with_capacity(lines.len());
    for f in lines {
        let Some(prev) = out.last_mut() else {
            out.push(f);
            continue;
        };
        let next = f.text();
        let own = {
            let t = plain(next);
            let (o, k) = super::score::marks(next);
            o || k
                || super::super::classify::numbering(t) > 0
                || labels::split_label(t).is_some_and(|(l, _)| {
                    l.split_whitespace().count() <= 3 && !l.contains([',', '(', '"'])
                })
                || !next.starts_with(|c: char| c.is_alphanumeric() || c == '(')
        };
        let ended = prev
            .text()
            .trim_end()
            .ends_with(['.', ':', '：', '!', '?', '。', '！', '？', ';']);
        let indented = matches!(
            (f.inline.indent_at(f.start), f.inline.indent_at(prev.start)),
            (Some(a), Some(b)) if a >= b + 2
        );
        let wrapped =
            prev.text().chars().count() >= 60 && next.starts_with(|c: char| c.is_lowercase());
        if !own && !ended && (indented || wrapped) {
            prev.end = f.end;
        } else {
            out.push(f);
        }
    }
    out
}

fn inline_range(inline: &Inline) -> Range<usize> {
    inline.src_range(0..inline.text.len())
}

impl<'b> Builder<'b> {
    fn close(&mut self, i: usize) {
        let end = self.nodes.len();
        self.nodes[i].end = end;
        if let Some(last) = self.nodes.get(end.wrapping_sub(1)) {
            let r = last.range.end;
            if r > self.nodes[i].range.end {
                self.nodes[i].range.end = r;
            }
        }
    }

    /// Pops open nodes until `keep` says the top may hold what comes next.
    fn pop_until(&mut self, keep: impl Fn(&Node) -> bool) {
        while let Some(&top) = self.stack.last() {
            if keep(&self.nodes[top]) {
                break;
            }
            self.stack.pop();
            self.close(top);
        }
    }

    fn push(&mut self, mut node: Node<'b>) -> usize {
        node.parent = self.stack.last().copied();
        node.end = self.nodes.len() + 1;
        self.nodes.push(node);
        let i = self.nodes.len() - 1;
        self.stack.push(i);
        i
    }

    fn leaf(&mut self, node: Node<'b>) {
        let i = self.push(node);
        self.stack.pop();
        self.close(i);
    }

    fn block(&mut self, block: &'b Block, depth: u8) {
        match block {
            Block::Heading {
                level,
                inline,
                range,
            } if depth == 0 => {
                let level = *level;
                let frag = Frag::whole(inline);
                // `## Objective` then `### Become the tool nurses rely on`: the heading right
                // under the bare label is the objective's text
                if let Some(h) = self.bare
                    && self.stack.last() == Some(&h)
                    && !self.nodes[h].bare_kr
                    && matches!(self.nodes[h].slot, Slot::Heading(l) if l < level)
                    && labels::section_name(plain(frag.text())).is_none()
                    && labels::kr_prefix(plain(frag.text())).is_none()
                    && !bare_objective(plain(frag.text()))
                {
                    self.bare = None;
                    self.nodes[h].frag = frag;
                    self.nodes[h].full = frag.text().to_string();
                    self.nodes[h].bare_label = true;
                    return;
                }
                // `### Key results` after `### Objective …`: a label of the heading before it
                let unnumbered = |t: &str| {
                    let t = plain(t);
                    without_gloss(&t[super::super::classify::numbering(t)..]).to_string()
                };
                let label = labels::section_name(&unnumbered(frag.text())).is_some();
                // `## KR1 — Leading metric` after `## Objective`: a key result of the heading
                // before it, written at its level
                let kr = labels::kr_prefix(&unnumbered(frag.text())).is_some()
                    || labels::is_bare_kr_label(&unnumbered(frag.text()));
                self.pop_until(|n| match n.slot {
                    Slot::Heading(l) if l < level => true,
                    Slot::Heading(l) if l == level && label => {
                        labels::section_name(&unnumbered(n.frag.text())).is_none()
                    }
                    Slot::Heading(l) if l == level && kr => {
                        n.bare_label || super::score::objective_mark(plain(n.frag.text())).is_some()
                    }
                    _ => false,
                });
                let i = self.push(Node::new(
                    Slot::Heading(level),
                    frag,
                    inline.text.clone(),
                    range.clone(),
                ));
                let bare_kr = labels::is_bare_kr_label(plain(frag.text()));
                self.nodes[i].bare_kr = bare_kr;
                self.bare = (bare_objective(plain(frag.text())) || bare_kr).then_some(i);
            }
            Block::Para { inline } if depth == 0 => {
                // `**Objective:**` alone, a blank line, then the objective's text
                if let Some(h) = self.bare
                    && self.stack.last() == Some(&h)
                    && self.nodes[h].slot == Slot::Line
                {
                    let whole = Frag::whole(inline);
                    if !whole.is_empty() && labels::split_label(whole.text()).is_none() {
                        self.bare = None;
                        self.nodes[h].frag = whole;
                        self.nodes[h].full = whole.text().to_string();
                        self.nodes[h].bare_label = true;
                        return;
                    }
                }
                let mut lines = joined_lines(Frag::lines(inline));
                // lines numbered `1、`, `2、` … (a list Markdown does not see) under the line
                // before them: in the same paragraph, or the one before it alone on its own
                if numbered_run(&lines) && self.top_is_lone_line() {
                    for f in lines {
                        self.numbered_item(f, 1);
                    }
                    return;
                }
                self.pop_until(|n| matches!(n.slot, Slot::Heading(_)));
                if lines.len() >= 3
                    && super::super::classify::numbering(plain(lines[0].text())) == 0
                    && numbered_run(&lines[1..])
                {
                    let first = lines.remove(0);
                    let r = first.inline.src_range(first.start..first.end);
                    self.push(Node {
                        lines: 1,
                        ..Node::new(Slot::Line, first, first.text().to_string(), r)
                    });
                    for f in lines {
                        self.numbered_item(f, 1);
                    }
                    return;
                }
                // `## Objective` then `**Objective:**` alone, then the text: the label again
                if let Some(h) = self.bare
                    && self.stack.last() == Some(&h)
                    && !self.nodes[h].bare_kr
                    && let [only] = lines.as_slice()
                    && bare_objective(plain(only.text()))
                {
                    return;
                }
                if let Some(h) = self.bare.take()
                    && self.stack.last() == Some(&h)
                    && !lines.is_empty()
                {
                    // `### Objective` then the objective's text as a paragraph
                    let whole = Frag::whole(inline);
                    self.nodes[h].frag = whole;
                    self.nodes[h].full = whole.text().to_string();
                    self.nodes[h].bare_label = !self.nodes[h].bare_kr;
                    lines.clear();
                }
                let n = lines.len();
                // `• Objective: …` then `• KR 1: …` lines in one paragraph: the key results
                // belong to the objective line above them
                let marks: Vec<(bool, bool)> = lines
                    .iter()
                    .map(|f| super::score::marks(f.text()))
                    .collect();
                let paired = marks.iter().any(|m| m.0) && marks.iter().any(|m| m.1);
                let mut open: Option<usize> = None;
                for (k, f) in lines.into_iter().enumerate() {
                    let r = f.inline.src_range(f.start..f.end);
                    let node = Node {
                        lines: n,
                        ..Node::new(Slot::Line, f, f.text().to_string(), r)
                    };
                    let (is_obj, is_kr) = marks[k];
                    if paired && is_kr && open.is_some() {
                        self.leaf(node);
                        continue;
                    }
                    if let Some(o) = open.take() {
                        self.close_through(o);
                    }
                    if (paired && is_obj) || k + 1 == n {
                        // an objective line holds its key results; the last line stays open:
                        // a list right after it is under it
                        let alone = n == 1 && bare_objective(plain(f.text()));
                        let i = self.push(node);
                        // `**Objective:**` alone on its line, then the objective's text in a
                        // quote or a paragraph
                        if alone {
                            self.bare = Some(i);
                        }
                        if paired && is_obj && k + 1 < n {
                            open = Some(i);
                        }
                    } else {
                        self.leaf(node);
                    }
                }
                // an objective line with its key results in the paragraph is complete: what
                // follows the paragraph is not under it
                if paired
                    && let Some(&top) = self.stack.last()
                    && self.nodes[top].slot == Slot::Line
                {
                    self.close_through(top);
                }
            }
            Block::List { items } => {
                if depth == 0 {
                    // a list follows a line, a heading or another list's item
                    self.pop_until(|n| matches!(n.slot, Slot::Heading(_) | Slot::Line));
                    // `## Objective` then `- the objective`: its one item is its title
                    if let Some(h) = self.bare.take()
                        && self.stack.last() == Some(&h)
                        && let [only] = items.as_slice()
                        && only.blocks.is_empty()
                    {
                        let f = Frag::whole(&only.inline);
                        self.nodes[h].frag = f;
                        self.nodes[h].full = f.text().to_string();
                        self.nodes[h].bare_label = !self.nodes[h].bare_kr;
                        return;
                    }
                }
                // `- O: …` then `- KR: …` as siblings: the key results belong to the
                // objective item above them
                let marks: Vec<(bool, bool)> = items
                    .iter()
                    .map(|it| super::score::marks(Frag::whole(&it.inline).text()))
                    .collect();
                let paired = marks.iter().any(|m| m.0) && marks.iter().any(|m| m.1);
                let mut open: Option<usize> = None;
                for (item, (is_obj, is_kr)) in items.iter().zip(marks) {
                    let d = depth.saturating_add(1);
                    if paired && is_kr && open.is_some() {
                        let k = self.item_open(item, d.saturating_add(1));
                        self.close_through(k);
                        continue;
                    }
                    if let Some(o) = open.take() {
                        self.close_through(o);
                    }
                    let i = self.item_open(item, d);
                    if paired && is_obj {
                        open = Some(i);
                    } else {
                        self.close_through(i);
                    }
                }
                if let Some(o) = open {
                    self.close_through(o);
                }
            }
            Block::Table { head, rows, .. } => {
                if depth == 0 {
                    self.pop_until(|n| matches!(n.slot, Slot::Heading(_) | Slot::Line));
                }
                let main = main_column(head, rows);
                if let Some(group) = group_column(head, rows, main) {
                    self.grouped_rows(head, rows, group, main);
                    return;
                }
                if let Some(groups) = group_rows(rows, main) {
                    self.rows_under_rows(head, rows, main, &groups);
                    return;
                }
                for row in rows {
                    let Some(cell) = row.get(main) else { continue };
                    let frag = Frag::whole(cell);
                    if frag.is_empty() {
                        continue;
                    }
                    let mut range = inline_range(cell);
                    for c in row {
                        let r = inline_range(c);
                        range.start = range.start.min(r.start);
                        range.end = range.end.max(r.end);
                    }
                    let full = row
                        .iter()
                        .map(|c| c.text.replace('\n', " "))
                        .collect::<Vec<_>>()
                        .join(" | ");
                    let cells = row
                        .iter()
                        .enumerate()
                        .filter_map(|(k, c)| head.get(k).map(|h| (h, c)))
                        .collect();
                    self.leaf(Node {
                        cells,
                        ..Node::new(Slot::Row, frag, full, range)
                    });
                }
            }
            // `## Objective` then `> **Make families calm about money**`: the quote is its text
            Block::Quote { blocks, .. } if depth == 0 => {
                if let Some(h) = self.bare
                    && self.stack.last() == Some(&h)
                    && !self.nodes[h].bare_kr
                    && let Some(Block::Para { inline }) = blocks.first()
                {
                    let whole = Frag::whole(inline).trim_with(&['"', '“', '”']);
                    if !whole.is_empty() {
                        self.bare = None;
                        self.nodes[h].frag = whole;
                        self.nodes[h].full = whole.text().to_string();
                        self.nodes[h].bare_label = true;
                    }
                }
            }
            // a heading or paragraph inside an item is part of the item (read by the item)
            _ => {}
        }
    }

    /// Rows whose group cell (an objective written once) holds the next rows' cells.
    fn grouped_rows(
        &mut self,
        head: &'b [Inline],
        rows: &'b [Vec<Inline>],
        group: usize,
        main: usize,
    ) {
        let mut open: Option<usize> = None;
        for row in rows {
            let cells: Vec<(&'b Inline, &'b Inline)> = row
                .iter()
                .enumerate()
                .filter_map(|(k, c)| head.get(k).map(|h| (h, c)))
                .collect();
            if let Some(g) = row.get(group) {
                let frag = Frag::whole(g);
                // the objective written again on each of its rows continues it
                let again = open.is_some_and(|o| self.nodes[o].frag.text() == frag.text());
                if !frag.is_empty() && !again {
                    if let Some(o) = open.take() {
                        self.close_through(o);
                    }
                    open = Some(self.push(Node::new(
                        Slot::Row,
                        frag,
                        g.text.clone(),
                        inline_range(g),
                    )));
                }
            }
            let Some(c) = row.get(main) else { continue };
            let frag = Frag::whole(c);
            if frag.is_empty() {
                continue;
            }
            let full = row
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != group)
                .map(|(_, c)| c.text.replace('\n', " "))
                .collect::<Vec<_>>()
                .join(" | ");
            self.leaf(Node {
                cells,
                ..Node::new(Slot::Cell, frag, full, inline_range(c))
            });
        }
        if let Some(o) = open {
            self.close_through(o);
        }
    }

    /// Rows that head the rows after them (a bold objective row, then `↳ key result`
    /// rows): the heading rows are rows, the others cells under them.
    fn rows_under_rows(
        &mut self,
        head: &'b [Inline],
        rows: &'b [Vec<Inline>],
        main: usize,
        groups: &[bool],
    ) {
        let mut open: Option<usize> = None;
        for (row, &is_group) in rows.iter().zip(groups) {
            let Some(c) = row.get(main) else { continue };
            let frag = Frag::whole(c).trim_with(&['↳', '└', '•', '-', '–', '>', ' ']);
            if frag.is_empty() {
                continue;
            }
            let cells: Vec<(&'b Inline, &'b Inline)> = row
                .iter()
                .enumerate()
                .filter_map(|(k, c)| head.get(k).map(|h| (h, c)))
                .collect();
            let full = row
                .iter()
                .map(|c| c.text.replace('\n', " "))
                .collect::<Vec<_>>()
                .join(" | ");
            if is_group {
                if let Some(o) = open.take() {
                    self.close_through(o);
                }
                open = Some(self.push(Node {
                    cells,
                    ..Node::new(Slot::Row, frag, full, inline_range(c))
                }));
            } else {
                self.leaf(Node {
                    cells,
                    ..Node::new(Slot::Cell, frag, full, inline_range(c))
                });
            }
        }
        if let Some(o) = open {
            self.close_through(o);
        }
    }

    /// Closes the open nodes down to and including `i`.
    fn close_through(&mut self, i: usize) {
        while let Some(top) = self.stack.pop() {
            self.close(top);
            if top == i {
                break;
            }
        }
    }

    /// Adds an item and what is nested in it, and leaves the item open.
    /// Whether the node on top is a paragraph's only line (`构筑团队竞争力` alone, before
    /// the numbered lines of the next paragraph).
    fn top_is_lone_line(&self) -> bool {
        self.stack
            .last()
            .is_some_and(|&t| self.nodes[t].slot == Slot::Line && self.nodes[t].lines == 1)
    }

    /// A line numbered `1、` inside a paragraph or an item's text, as the list item it is.
    fn numbered_item(&mut self, f: Frag<'b>, depth: u8) {
        let r = f.inline.src_range(f.start..f.end);
        self.leaf(Node::new(Slot::Item(depth), f, f.text().to_string(), r));
    }

    fn item_open(&mut self, item: &'b Item, depth: u8) -> usize {
        let mut lines = Frag::lines(&item.inline);
        let frag = if lines.is_empty() {
            Frag::whole(&item.inline)
        } else {
            lines.remove(0)
        };
        // `- the objective` then lines numbered `1、` … that CommonMark folds into the item
        let numbered = numbered_run(&lines);
        let mut full = item.inline.text.clone();
        for b in &item.blocks {
            if let Block::Para { inline } = b {
                full.push('\n');
                full.push_str(&inline.text);
            }
        }
        let i = self.push(Node {
            blocks: item.blocks.iter().collect(),
            ..Node::new(Slot::Item(depth), frag, full, item.range.clone())
        });
        if numbered {
            for f in lines {
                self.numbered_item(f, depth.saturating_add(1));
            }
        }
        for b in &item.blocks {
            self.block(b, depth);
        }
        // close everything opened inside the item, but not the item
        while let Some(&top) = self.stack.last() {
            if top == i {
                break;
            }
            self.stack.pop();
            self.close(top);
        }
        i
    }
}

/// The column a row is named by: a header that says so (key result, objective, goal), else
/// the column with the longest text.
fn main_column(head: &[Inline], rows: &[Vec<Inline>]) -> usize {
    let mut best = (0usize, f32::MIN);
    for (k, h) in head.iter().enumerate() {
        let mean = rows
            .iter()
            .filter_map(|r| r.get(k))
            .map(|c| c.text.chars().count() as f32)
            .sum::<f32>()
            / rows.len().max(1) as f32;
        let lower = h.text.to_ascii_lowercase();
        let named = [
            "key result",
            "objective",
            "goal",
            "okr",
            "description",
            "result",
        ]
        .iter()
        .any(|w| lower.contains(w))
            || matches!(
                super::super::table::column(&h.text),
                Some(super::super::table::Col::Objective | super::super::table::Col::Kr)
            );
        // `| 条目 | 1.0 | 0.7 | 0.5 |`: a column headed by a grade holds what that grade
        // takes, not the key results
        // a column of grades (`1.0`, `0.7`) or of values (`Target`, `Baseline`, `Owner`)
        // holds what the key result takes or who owns it, not the key results
        let graded = grade_header(&h.text)
            || matches!(
                super::super::table::column(&h.text),
                Some(
                    super::super::table::Col::Target
                        | super::super::table::Col::Baseline
                        | super::super::table::Col::Stretch
                        | super::super::table::Col::Owner
                )
            );
        let score = mean + if named { 15.0 } else { 0.0 } - if graded { 30.0 } else { 0.0 };
        if score > best.1 {
            best = (k, score);
        }
    }
    best.0
}

/// Two or more lines each numbered, the first `1` (`1、…`, `2、…`): a list written as lines.
fn numbered_run(lines: &[Frag<'_>]) -> bool {
    lines.len() >= 2
        && lines
            .iter()
            .all(|f| super::super::classify::numbering(plain(f.text())) > 0)
        && plain(lines[0].text()).starts_with(['1', '一'])
}

/// A table column headed by a grade (`1.0`, `0.7`, `70%`): what the key result takes for it.
pub(crate) fn grade_header(h: &str) -> bool {
    let t = h.trim();
    !t.is_empty() && t.trim_end_matches('%').parse::<f64>().is_ok()
}

/// A column left of the main one that groups rows: its header names objectives or goals, or
/// it is empty on some rows and written on others (the objective written once).
fn group_column(head: &[Inline], rows: &[Vec<Inline>], main: usize) -> Option<usize> {
    (0..main).find(|&k| {
        let h = head
            .get(k)
            .map(|h| h.text.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let named = h.contains("objective")
            || h.starts_with("o(")
            || h == "o"
            || h.starts_with("goal")
            || super::super::table::column(&h) == Some(super::super::table::Col::Objective);
        let filled = rows
            .iter()
            .filter(|r| r.get(k).is_some_and(|c| !c.text.trim().is_empty()))
            .count();
        let texty = rows
            .iter()
            .filter_map(|r| r.get(k))
            .any(|c| c.text.split_whitespace().count() >= 2 || c.text.chars().count() >= 6);
        texty && filled > 0 && (named || filled < rows.len())
    })
}

/// `Objective`, `Objective 2`, `Objective #1`, `O1`, `Goal 3`: a heading that only labels the
/// objective written under it.
fn bare_objective(text: &str) -> bool {
    if labels::is_bare_objective_label(text) {
        return true;
    }
    let t = text.trim();
    let t = &t[super::super::classify::numbering(t)..];
    // `Objective (O)`, `Objective (Mục tiêu định tính)`: a gloss after the word
    if gloss(t).is_some_and(labels::is_bare_objective_label) {
        return true;
    }
    let t = without_gloss(t);
    if labels::is_bare_objective_label(t) {
        return true;
    }
    let lower = t.trim_end_matches([':', ' ', '.']).to_ascii_lowercase();
    let rest = ["objective #", "goal ", "goal #", "o"]
        .iter()
        .find_map(|p| lower.strip_prefix(p));
    rest.is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_digit()))
}

/// Which rows head the others: those not marked as a child (`↳`, `└`, `-`, `•`) when others
/// are, or those all in bold when others are not. `None` when the rows are all alike.
fn group_rows(rows: &[Vec<Inline>], main: usize) -> Option<Vec<bool>> {
    let child: Vec<bool> = rows
        .iter()
        .map(|r| {
            r.get(main).is_some_and(|c| {
                let t = c.text.trim_start();
                t.starts_with(['↳', '└', '•']) || t.starts_with("- ") || t.starts_with("– ")
            })
        })
        .collect();
    if child.iter().any(|c| *c) && child.iter().any(|c| !*c) && !child[0] {
        return Some(child.iter().map(|c| !c).collect());
    }
    let bold: Vec<bool> = rows
        .iter()
        .map(|r| {
            r.get(main)
                .is_some_and(|c| !c.text.trim().is_empty() && Frag::whole(c).all_strong())
        })
        .collect();
    let n = bold.iter().filter(|b| **b).count();
    (n > 0 && n * 2 <= rows.len() && bold[0]).then_some(bold)
}
