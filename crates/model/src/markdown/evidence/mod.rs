//! Reading a page by evidence: the competing readings of its structure, each scored.
//!
//! The page is an outline of nodes (headings, paragraph lines, list items at each depth,
//! table rows). A *reading* says which tier holds the objectives and which the key results
//! (say, level-3 headings and the list items under them, or top-level items and the items
//! nested under those). Every reading is scored by what its nodes say: objective and key
//! result words and numbering, numbers and targets, verbs of change, labels such as
//! `Owner:` or `Notes` (never an objective or a key result), and how many key-result-like
//! lines of the page it leaves unplaced. The shape reader's own reading is scored the same
//! way; the best reading is kept, and how far it is ahead of the runner-up is the page's
//! reading confidence.

pub(crate) mod node;
pub(crate) mod outline;
pub(crate) mod period_hint;
pub(crate) mod score;

use super::labels;
use node::{Node, Slot};
use score::Role;
use std::collections::{BTreeMap, BTreeSet};

/// One way of reading the page.
#[derive(Clone, Debug)]
pub(crate) struct Reading {
    /// What holds the objectives and the key results (`None` for the shape reader's own).
    pub tiers: Option<(Slot, Option<Slot>)>,
    /// Objective nodes with their key result nodes.
    pub objectives: Vec<(usize, Vec<usize>)>,
    pub score: f32,
    /// Key-result-like nodes the reading leaves out.
    pub unplaced: Vec<usize>,
    /// Objectives and key results the reading gives (a node can hold several key results).
    pub count: (usize, usize),
    /// The tiers of a second reading joined to this one for another part of the page.
    pub joined: Option<(Slot, Option<Slot>)>,
}

impl Reading {
    pub(crate) fn counts(&self) -> (usize, usize) {
        self.count
    }

    pub(crate) fn describe(&self) -> String {
        let (o, k) = self.counts();
        let how = match self.tiers {
            None => "the page's own shapes".to_string(),
            Some((os, None)) => format!("objectives are {} (no key results)", os.describe()),
            Some((os, Some(ks))) => format!(
                "objectives are {}, key results are {} under them",
                os.describe(),
                ks.describe()
            ),
        };
        let how = match self.joined {
            Some((os, Some(ks))) => format!(
                "{how}; elsewhere objectives are {}, key results {} under them",
                os.describe(),
                ks.describe()
            ),
            _ => how,
        };
        format!(
            "{how}: {o} objective{}, {k} key result{} (score {:.1})",
            if o == 1 { "" } else { "s" },
            if k == 1 { "" } else { "s" },
            self.score
        )
    }
}

/// The outline with each node's role and evidence.
pub(crate) struct Evidence<'b> {
    pub nodes: Vec<Node<'b>>,
    pub roles: Vec<Role>,
    pub obj: Vec<f32>,
    pub kr: Vec<f32>,
    /// Marked as an objective (`Objective 2:`, `O1.`) or a key result (`KR1:`) in so many
    /// words: a reading that reads it otherwise loses points.
    pub marked_obj: Vec<bool>,
    pub marked_kr: Vec<bool>,
    /// A line or item with its score or status under it (`* Score: 0.8`).
    graded: Vec<bool>,
    /// The year the page is dated in its front matter (`date: 2016-09-06`), for a period
    /// written relative to it ("the second half of the year").
    pub page_year: Option<i32>,
    /// A heading among sibling headings some of which hold no list or table at all
    /// (`#### Eliminate the build step` over one sentence): the headings are the tier
    /// themselves, not labels grouping the items under them.
    headed_tier: Vec<bool>,
    /// Each node's children, in order (the top-level nodes under `children[len]`).
    children: Vec<Vec<usize>>,
    /// Each node's title written as a shape ([`shape_of`]), to compare sibling titles.
    shapes: Vec<(u8, bool, bool, bool)>,
    /// The lines that are only a period (`**2019 Q1**`): they date what follows them.
    pub(crate) period_lines: Vec<bool>,
}

/// Key result candidates under one node: the node, each candidate with the evidence it adds,
/// and whether a `Key results` label is above them.
type Group = (Option<usize>, Vec<(usize, f32)>, bool);

/// A table column header that says the column holds targets, in the languages OKR pages
/// are written in.
const TARGET_WORDS: &[&str] = &[
    "target",
    "targets",
    "zielwert",
    "cible",
    "alvo",
    "meta",
    "objetivo",
    "目标值",
    "목표치",
];

/// Key results with at least this much evidence count as unplaced when a reading leaves
/// them out.
const KR_LIKE: f32 = 2.0;

impl<'b> Evidence<'b> {
    pub(crate) fn of(blocks: &'b [super::tree::Block]) -> Self {
        let nodes = outline::build(blocks);
        let mut roles: Vec<Role> = nodes.iter().map(score::role).collect();
        let mut obj: Vec<f32> = nodes.iter().map(score::objective).collect();
        // under or right after `OKRs:`, a line or item is more likely an objective
        for i in 0..nodes.len() {
            let mut after = false;
            let mut j = i;
            while j > 0 {
                j -= 1;
                if nodes[j].parent == nodes[i].parent
                    && nodes[j].slot == nodes[i].slot
                    && roles[j] != Role::Container
                {
                    continue;
                }
                after = nodes[j].parent == nodes[i].parent
                    && nodes[j].slot == Slot::Line
                    && roles[j] == Role::Container
                    || Some(j) == nodes[i].parent
                        && roles[j] == Role::Container
                        && !matches!(nodes[j].slot, Slot::Heading(_));
                break;
            }
            if after {
                obj[i] += 1.0;
            }
            // an item right under `## Current quarter objectives`, `## Q3 2026 Goals`
            if matches!(nodes[i].slot, Slot::Item(1))
                && nodes[i].parent.is_some_and(|p| {
                    roles[p] == Role::Container && matches!(nodes[p].slot, Slot::Heading(_))
                })
            {
                obj[i] += 0.5;
            }
        }
        // `- KR1.1: no merged evidence yet` in a check-in, after `- KR1.1: Reach 5 records`
        // under its objective: the same key result again, restated or reported on (a page
        // that numbers each release's key results `KR1.1` again, under objectives of their
        // own, says new ones)
        let heading_over = |i: usize| {
            std::iter::successors(nodes[i].parent, |&p| nodes[p].parent)
                .find(|&a| matches!(nodes[a].slot, Slot::Heading(_)))
        };
        // under a heading that reads like an objective: its own key result
        let objective_like: Vec<bool> = (0..nodes.len())
            .map(|h| roles[h] == Role::Content && obj[h] >= 1.0)
            .collect();
        let owner = |i: usize| heading_over(i).filter(|&h| objective_like[h]);
        let mut seen: Vec<(String, Option<usize>)> = Vec::new();
        for i in 0..nodes.len() {
            let t = score::unmarked_text(nodes[i].frag.text());
            let Some(m) = labels::kr_mark(t) else {
                continue;
            };
            if !m.contains('.') || matches!(nodes[i].slot, Slot::Heading(_)) {
                continue;
            }
            let by = owner(i);
            let again = seen
                .iter()
                .any(|(sm, so)| *sm == m && (by.is_none() || by == *so));
            if again {
                if roles[i] == Role::Content {
                    roles[i] = Role::Meta;
                }
            } else {
                seen.push((m, by));
            }
        }
        // `KR1a:` under `KR1:` is a part of that key result, never an OKR of its own
        for i in 0..nodes.len() {
            let Some(m) = labels::kr_mark(nodes[i].frag.text()) else {
                continue;
            };
            let part = std::iter::successors(nodes[i].parent, |&p| nodes[p].parent).any(|a| {
                labels::kr_mark(nodes[a].frag.text()).is_some_and(|pm| labels::part_of(&m, &pm))
            });
            if part {
                roles[i] = Role::Meta;
            }
        }
        // a table row whose main cell alone is all in bold among rows that are not
        // (`| **Candidate primitives** | — | … |` among the key results): a note in the table
        let mut tables: BTreeMap<Option<usize>, Vec<usize>> = BTreeMap::new();
        for (i, n) in nodes.iter().enumerate() {
            if n.slot == Slot::Row {
                tables.entry(n.parent).or_default().push(i);
            }
        }
        for rows in tables.values() {
            let bold: Vec<usize> = rows
                .iter()
                .copied()
                .filter(|&r| nodes[r].frag.all_strong())
                .collect();
            if !bold.is_empty() && bold.len() * 3 <= rows.len() && rows.len() - bold.len() >= 2 {
                for r in bold {
                    if !score::marks(nodes[r].frag.text()).1 {
                        roles[r] = Role::Meta;
                    }
                }
            }
        }
        // a heading with nothing under it whose words another heading repeats (`####
        // Accelerate interop standards...` over each `#### … via HL7: …`): a lead-in that
        // runs over the headings after it, not an objective each time
        let mut heading_keys: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        for n in nodes.iter().filter(|n| matches!(n.slot, Slot::Heading(_))) {
            *heading_keys
                .entry(statement_key(n.frag.text()))
                .or_default() += 1;
        }
        for i in 0..nodes.len() {
            if matches!(nodes[i].slot, Slot::Heading(_))
                && nodes[i].end == i + 1
                && roles[i] == Role::Content
            {
                let key = statement_key(nodes[i].frag.text());
                if !key.is_empty() && heading_keys.get(&key).is_some_and(|&c| c >= 2) {
                    roles[i] = Role::Meta;
                }
            }
        }
        let mut kr: Vec<f32> = nodes.iter().map(score::key_result).collect();
        // a heading that said only `KR1` (or `Objective`), its text taken from what follows:
        // marked as plainly as `KR1: …` is
        for (i, n) in nodes.iter().enumerate() {
            // (a key result whatever its words: `### KR3` over `OKR page, the one you are
            // reading`)
            if n.bare_kr {
                roles[i] = Role::Content;
                kr[i] += 3.0;
            } else if n.bare_label && roles[i] == Role::Content && !score::marked_objective(n) {
                obj[i] += 3.0;
            }
        }
        // a line with its score or status under it is graded, as key results are
        let mut graded = vec![false; nodes.len()];
        for (i, n) in nodes.iter().enumerate() {
            if roles[i] == Role::Meta
                && let Some(p) = n.parent
                && !matches!(nodes[p].slot, Slot::Heading(_))
                && score::graded(n)
            {
                graded[p] = true;
            }
        }
        for (k, g) in kr.iter_mut().zip(&graded) {
            if *g {
                *k += 1.0;
            }
        }
        let mut marked_obj: Vec<bool> = nodes
            .iter()
            .map(|n| n.bare_label || score::marked_objective(n))
            .collect();
        // `## Aspiration 1: …`, `## Aspiration 2: …`: on a page that marks nothing else,
        // sibling headings numbered in a series of one word mark what they are as clearly
        // as `Objective 1:` does (beside `OKR1` or `KR 2`, they are something else: stages,
        // metrics)
        let marks_nothing = !nodes.iter().any(|n| {
            let (o, k) = score::marks(n.frag.text());
            o || k || n.bare_label || n.bare_kr
        });
        let series = if marks_nothing {
            score::numbered_series(&nodes)
        } else {
            Vec::new()
        };
        for i in series {
            if roles[i] == Role::Content && !marked_obj[i] {
                marked_obj[i] = true;
                obj[i] += 2.0;
            }
        }
        // `3. **O1 research starts** — …` in a list of this week's tasks, after `## O1: …`:
        // an item that names an objective read above it, among siblings that name none, is a
        // reference to that objective, not another one
        let numbers: Vec<Option<String>> = nodes
            .iter()
            .map(|n| score::objective_number(n.frag.text()))
            .collect();
        // the nodes of each parent and slot, indexed once
        let mut alike: BTreeMap<(Option<usize>, Slot), Vec<usize>> = BTreeMap::new();
        for (i, n) in nodes.iter().enumerate() {
            alike.entry((n.parent, n.slot)).or_default().push(i);
        }
        for i in 0..nodes.len() {
            let Some(num) = numbers[i].as_ref() else {
                continue;
            };
            if !marked_obj[i] || !matches!(nodes[i].slot, Slot::Item(_) | Slot::Line) {
                continue;
            }
            let named_above = (0..i).any(|j| {
                marked_obj[j]
                    && numbers[j].as_ref() == Some(num)
                    && nodes[j].parent != nodes[i].parent
            });
            let siblings: Vec<usize> = alike[&(nodes[i].parent, nodes[i].slot)]
                .iter()
                .copied()
                .filter(|&j| j != i)
                .collect();
            if named_above && !siblings.is_empty() && !siblings.iter().any(|&j| marked_obj[j]) {
                marked_obj[i] = false;
                obj[i] -= 3.0;
            }
        }
        let marked_kr = nodes
            .iter()
            .map(|n| n.bare_kr || score::marks(n.frag.text()).1)
            .collect();
        Evidence {
            nodes,
            roles,
            obj,
            kr,
            marked_obj,
            marked_kr,
            graded,
            page_year: blocks.iter().find_map(dated_year),
            headed_tier: Vec::new(),
            children: Vec::new(),
            shapes: Vec::new(),
            period_lines: Vec::new(),
        }
        .indexed()
    }

    /// The indexes over the outline (children, headed tiers, title shapes, period lines),
    /// each built once rather than per candidate.
    fn indexed(mut self) -> Self {
        let n = self.nodes.len();
        let mut children = vec![Vec::new(); n + 1];
        for (i, node) in self.nodes.iter().enumerate() {
            children[node.parent.unwrap_or(n)].push(i);
        }
        // per group of sibling headings of one level: how many, and whether one holds no
        // list or table
        let holds_items = |h: usize| {
            (h + 1..self.nodes[h].end.min(n))
                .any(|j| matches!(self.nodes[j].slot, Slot::Item(_) | Slot::Row))
        };
        let mut tier = vec![false; n];
        for kids in &children {
            let mut levels: BTreeMap<u8, Vec<usize>> = BTreeMap::new();
            for &k in kids {
                if let Slot::Heading(level) = self.nodes[k].slot {
                    levels.entry(level).or_default().push(k);
                }
            }
            for group in levels.values() {
                if group.len() >= 3 && group.iter().any(|&h| !holds_items(h)) {
                    for &h in group {
                        tier[h] = true;
                    }
                }
            }
        }
        self.headed_tier = tier;
        self.children = children;
        self.shapes = self.nodes.iter().map(|n| shape_of(n.frag.text())).collect();
        self.period_lines = self
            .nodes
            .iter()
            .map(|n| n.slot == Slot::Line && period_hint::period_only(n.frag.text()).is_some())
            .collect();
        self
    }

    /// The children of node `i` (of the page's top, for `None`).
    fn children_of(&self, i: Option<usize>) -> &[usize] {
        &self.children[i.unwrap_or(self.nodes.len())]
    }

    /// Every node with its role and evidence, then the readings, best first.
    pub(crate) fn report(&self) -> String {
        let mut out = String::new();
        for (i, n) in self.nodes.iter().enumerate() {
            out.push_str(&format!(
                "{i:3} {:?} parent={:?} {:?} objective={:.1} key-result={:.1} {}\n",
                n.slot,
                n.parent,
                self.roles[i],
                self.obj[i],
                self.kr[i],
                n.frag.text().chars().take(60).collect::<String>()
            ));
        }
        for r in self.readings() {
            out.push_str(&format!("reading: {}\n", r.describe()));
        }
        out
    }

    fn ancestors(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.nodes[i].parent, |&p| self.nodes[p].parent)
    }

    /// Under a label that says what follows is not objectives (notes, metrics, owners).
    fn shadowed(&self, i: usize) -> bool {
        self.ancestors(i).any(|a| {
            self.roles[a] == Role::OtherLabel
                || (self.roles[a] == Role::Meta
                    && !matches!(self.nodes[a].slot, Slot::Heading(_))
                    && !self.property(a))
        })
    }

    /// A line with a value after its label (`Last updated: 2026-05-22`): a property of what
    /// is above it; a list or table after it is not its content (`Status legend:` with
    /// nothing after it introduces what follows).
    fn property(&self, i: usize) -> bool {
        let n = &self.nodes[i];
        n.slot == Slot::Line
            && super::labels::split_label(n.frag.text())
                .is_some_and(|(_, at)| !n.frag.text()[at..].trim().is_empty())
    }

    /// Under a heading such as `Overview`, `Notes` or `Archive`: possible, less likely.
    fn under_meta_heading(&self, i: usize) -> bool {
        self.ancestors(i)
            .any(|a| self.roles[a] == Role::Meta && matches!(self.nodes[a].slot, Slot::Heading(_)))
    }

    /// Whether a heading above node `o`, or the label line right before it (`**Bad OKR:**`),
    /// says that what follows are examples, and how surely.
    pub(crate) fn introduced_as_example(&self, o: usize) -> Option<score::Shown> {
        let label_before = (0..o)
            .rev()
            .find(|&j| self.nodes[j].parent == self.nodes[o].parent)
            .filter(|&j| {
                self.nodes[j].slot == Slot::Line
                    && self.nodes[j].frag.text().trim_end().ends_with([':', '：'])
            });
        self.ancestors(o)
            .filter(|&a| matches!(self.nodes[a].slot, Slot::Heading(_)))
            .chain(label_before)
            .filter_map(|a| score::names_examples(self.nodes[a].frag.text()))
            .max()
    }

    /// The headings node `i` is under, nearest first.
    pub(crate) fn headings_over(&self, i: usize) -> impl Iterator<Item = &Node<'b>> + '_ {
        self.ancestors(i)
            .map(|a| &self.nodes[a])
            .filter(|n| matches!(n.slot, Slot::Heading(_)))
    }

    /// The deepest node whose source range holds `offset`.
    pub(crate) fn node_at(&self, offset: usize) -> Option<usize> {
        (0..self.nodes.len())
            .rev()
            .find(|&i| self.nodes[i].range.contains(&offset))
    }

    /// The key result nodes of tier `kr` under objective node `o`, with the evidence they
    /// add. A node under a label of another kind (initiatives, notes) is a detail.
    fn key_results_of(&self, o: usize, kr: Slot, relaxed: bool) -> (Vec<usize>, f32, bool) {
        // candidates with the evidence each adds, grouped by the node they sit in: a list
        // of key results is read as a whole (one item with a number makes its plain
        // siblings key results too)
        let mut groups: Vec<Group> = Vec::new();
        let stop = self.nodes[o].parent;
        for j in o + 1..self.scope_end(o) {
            if self.roles[j] != Role::Content {
                continue;
            }
            if kr == Slot::Top {
                if !self.top_under(o, j) {
                    continue;
                }
            } else if self.nodes[j].slot != kr {
                continue;
            }
            let mut e = self.kr[j].min(4.0);
            let mut skip = false;
            let mut labelled = false;
            // a cell of a `Key result` column under the row that groups it (`| 1 | Setup |
            // Create the file |` then `| | | Add the title |`): the column says what it is
            // (under an objective the page marks as one: the rows only group its steps)
            let column =
                self.nodes[j].slot == Slot::Cell && self.marked_obj[o] && self.kr_column(j);
            for a in self.ancestors(j) {
                if a == o || Some(a) == stop {
                    break;
                }
                match self.roles[a] {
                    Role::Meta if self.property(a) => {}
                    Role::Meta | Role::OtherLabel => skip = true,
                    Role::KrLabel => {
                        e += 0.5;
                        labelled = true;
                    }
                    // a list after `We're building tools to:` explains the line before it
                    Role::Content
                        if self.nodes[a].slot == Slot::Line
                            && self.nodes[a].frag.text().trim_end().ends_with([':', '：']) =>
                    {
                        skip = true
                    }
                    // inside another item or a bold line: more likely its detail
                    Role::Content if column && self.nodes[a].slot == Slot::Row => {}
                    Role::Content if !self.transparent(a) => e = e.min(0.0) - 0.5,
                    _ => {}
                }
            }
            // beyond the objective's own subtree (a marked line's section), only what a
            // `Key results` label introduces
            if skip || (j >= self.nodes[o].end && !labelled && !self.marked_kr[j]) {
                continue;
            }
            // a row of a table whose column says `Key result`, `KR`, `Target (KR)`
            labelled |= self.kr_column(j);
            let parent = self.nodes[j].parent;
            match groups.iter_mut().find(|g| g.0 == parent) {
                Some(g) => {
                    g.1.push((j, e));
                    g.2 |= labelled;
                }
                None => groups.push((parent, vec![(j, e)], labelled)),
            }
        }
        let mut out = Vec::new();
        let mut sum = 0.0;
        // under an objective with a `Key results` label, what is not under it is not one
        let any_label = groups.iter().any(|g| g.2);
        for (_, members, labelled) in groups {
            if any_label && !labelled {
                continue;
            }
            if kr == Slot::Line
                || (kr == Slot::Top
                    && members.iter().all(|m| {
                        self.nodes[m.0].slot == Slot::Line && !self.nodes[m.0].frag.all_strong()
                    }))
            {
                // paragraphs of one line each, three or more in a row: a list written
                // without its bullets
                // (two sentences at most: a diary's paragraphs of several are prose)
                let single = |j: usize| {
                    let n = &self.nodes[j];
                    let t = n.frag.text().trim_end();
                    let body = t.trim_end_matches(['.', '。', '!', '！', '?', '？']);
                    let breaks: usize = ["。", "！", "？", ". ", "! ", "? "]
                        .iter()
                        .map(|m| body.matches(m).count())
                        .sum();
                    n.lines == 1 && !t.contains('\n') && breaks <= 1
                };
                let run = members.iter().filter(|m| single(m.0)).count() >= 3 - relaxed as usize;
                let floor = if relaxed { 0.0 } else { 1.0 };
                for (j, e) in members {
                    let n = &self.nodes[j];
                    // a line of prose is a key result only when it says so, is bold, or
                    // is one of a paragraph of short lines
                    let marked = labelled
                        || n.frag.all_strong()
                        || n.lines >= 2
                        || score::marks(n.frag.text()).1;
                    if (self.kr[j] >= 2.0 && marked)
                        || (self.graded[j] && self.kr[j] >= 1.0)
                        || (run && single(j) && self.kr[j] >= floor)
                    {
                        out.push(j);
                        sum += e;
                    }
                }
                continue;
            }
            let best = members
                .iter()
                .map(|m| self.kr[m.0])
                .fold(f32::MIN, f32::max);
            let mean = members.iter().map(|m| self.kr[m.0]).sum::<f32>() / members.len() as f32;
            // once other objectives of the reading have key results written this way, a
            // plain list in the same place is read the same way
            let floor = if relaxed && self.obj[o] >= 0.5 {
                -0.5
            } else {
                0.5
            };
            if !(labelled || best >= 1.5 || mean >= floor) {
                continue;
            }
            // an item that ends `… the following:` with nothing nested: the items after
            // it are what it introduces (a list indented one level short)
            let mut introduced = false;
            for (j, e) in members {
                let n = &self.nodes[j];
                if introduced && !self.marked_kr[j] {
                    continue;
                }
                introduced = matches!(n.slot, Slot::Item(_))
                    && n.end == j + 1
                    && n.frag.text().trim_end().ends_with([':', '：']);
                // a row of a key results column is one, however it reads
                if labelled || self.kr[j] > -1.0 || self.kr_column(j) {
                    out.push(j);
                    sum += e.max(-1.0);
                }
            }
        }
        out.sort_unstable();
        (out, sum, any_label)
    }

    /// Whether objectives written like these mark every objective in so many words: the
    /// page has a bare `## Objective` heading over its text (its objective sections say so),
    /// or two or more of these say `Objective 1:` and most do (or the others are written
    /// otherwise, headings beside marked lines).
    fn marks_all(&self, objectives: &[usize]) -> bool {
        let marked: Vec<usize> = objectives
            .iter()
            .copied()
            .filter(|&o| self.marked_obj[o])
            .collect();
        // unmarked objectives written unlike every marked one (headings beside marked lines)
        let unlike = objectives
            .iter()
            .filter(|&&o| {
                !self.marked_obj[o]
                    && marked
                        .iter()
                        .all(|&m| self.nodes[m].slot != self.nodes[o].slot)
            })
            .count();
        // one objective numbered in so many words (`## Objective 1 — …`): its unnumbered
        // sibling headings (`## Standing constraints`) do not continue the series
        let numbered_alone = marked.len() == 1 && {
            let m = &self.nodes[marked[0]];
            let t = node::plain(m.frag.text().trim());
            let t = &t[super::classify::numbering(t)..];
            matches!(m.slot, Slot::Heading(_))
                && score::objective_mark(t)
                    .is_some_and(|n| t[..n].bytes().any(|b| b.is_ascii_digit()))
        };
        self.nodes.iter().any(|n| n.bare_label)
            || numbered_alone
            || marked.len() >= 3
            || (marked.len() >= 2 && (marked.len() * 2 >= objectives.len() || unlike > 0))
    }

    /// A line that opens with a short label other than a role's (`Tema: Strutturarsi`,
    /// not `CEO: Grow ARR`).
    fn other_label(&self, i: usize) -> bool {
        let n = &self.nodes[i];
        n.slot == Slot::Line
            && super::labels::split_label(n.frag.text()).is_some_and(|(label, at)| {
                label.split_whitespace().count() <= 2
                    && !super::labels::is_role(&label)
                    && !n.frag.text()[at..].trim().is_empty()
            })
    }

    /// A table row (or cell) read from a column whose header names key results, or a row
    /// of a table with a target column (`| Obiettivo | Target | Scadenza |`): each row is
    /// a result with its target.
    fn kr_column(&self, j: usize) -> bool {
        let n = &self.nodes[j];
        let words = |h: &str| {
            h.to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        // `| Date | KR #1 | KR #2 | KR #3 |`: a column per key result holds their scores by
        // date, and no column holds key results
        let per_kr = n
            .cells
            .iter()
            .filter(|(head, _)| {
                let h = head.text.to_ascii_lowercase();
                words(&h).iter().any(|w| w == "kr") && h.chars().any(|c| c.is_ascii_digit())
            })
            .count()
            >= 2;
        !per_kr
            && matches!(n.slot, Slot::Row | Slot::Cell)
            && n.cells.iter().any(|(head, cell)| {
                std::ptr::eq(*cell, n.frag.inline) && {
                    let h = head.text.to_ascii_lowercase();
                    h.contains("key result") || words(&h).iter().any(|w| w == "kr" || w == "krs")
                }
            })
            || n.slot == Slot::Row
                && n.cells.iter().any(|(head, _)| {
                    words(&head.text)
                        .iter()
                        .any(|w| TARGET_WORDS.contains(&w.as_str()))
                })
            // `| 条目 | 1.0 | 0.7 | 0.5 |`: what each grade takes, as a key result is graded
            || n.slot == Slot::Row
                && n.cells
                    .iter()
                    .filter(|(head, _)| outline::grade_header(&head.text))
                    .count()
                    >= 2
    }

    /// Where what belongs to node `o` ends. A line marked as an objective
    /// (`**Objective:** …`) holds what follows it in its section (a `#### Key results`
    /// heading below it included), up to the next such line.
    pub(crate) fn scope_end(&self, o: usize) -> usize {
        let n = &self.nodes[o];
        // a heading marked as an objective (`## O｜Reach 1,000 subscribers`) holds the
        // sibling sections after it up to the next marked one: a `## KR` section written
        // beside it, with notes between, is its key results
        if !self.marked_obj[o] || !matches!(n.slot, Slot::Line | Slot::Heading(_)) {
            return n.end;
        }
        let section_end = n.parent.map_or(self.nodes.len(), |p| self.nodes[p].end);
        (o + 1..section_end)
            .find(|&j| self.nodes[j].parent == n.parent && self.marked_obj[j])
            .unwrap_or(section_end)
    }

    /// A node that passes through to what is under it: a prose line (not bold, not like a
    /// key result) or a sub-heading that only groups.
    fn transparent(&self, i: usize) -> bool {
        let n = &self.nodes[i];
        match n.slot {
            // under a `Key results` label, a bold theme over a list that gives its items'
            // measures (`**German learning**` over `- Practise weekly` and `- Measure: …`)
            // groups the key results in that list; over details alone it is a key result
            Slot::Line
                if n.frag.all_strong()
                    && self.ancestors(i).any(|a| self.roles[a] == Role::KrLabel)
                    && (i + 1..n.end).any(|j| {
                        self.nodes[j].parent == Some(i)
                            && self.roles[j] == Role::Meta
                            && score::measure_line(&self.nodes[j])
                    }) =>
            {
                true
            }
            Slot::Line => !n.frag.all_strong() && self.kr[i] < 2.0,
            Slot::Heading(_) => self.kr[i] < 1.0 && !self.headed_tier[i],
            _ => false,
        }
    }

    /// Whether `j` is among the first things under objective `o`: every node between them
    /// is a label or passes through.
    fn top_under(&self, o: usize, j: usize) -> bool {
        if self.transparent(j) {
            return false;
        }
        let stop = self.nodes[o].parent;
        for a in self.ancestors(j) {
            if a == o || Some(a) == stop {
                return true;
            }
            if self.roles[a] == Role::Content && !self.transparent(a) {
                return false;
            }
        }
        false
    }

    /// Scores a reading given as objective nodes with their key result nodes.
    fn score(&self, objectives: &[(usize, Vec<usize>)], krs_sum: f32) -> (f32, Vec<usize>) {
        let mut placed = vec![false; self.nodes.len()];
        let mut s = krs_sum;
        // a page that marks objectives in so many words marks all of them
        let nodes: Vec<usize> = objectives.iter().map(|o| o.0).collect();
        if self.marks_all(&nodes) {
            // an unmarked objective there is doubtful, and so is what was read under it
            for (_, krs) in objectives.iter().filter(|o| !self.marked_obj[o.0]) {
                s -= 2.5 + krs.iter().map(|&k| self.kr[k].clamp(0.0, 4.0)).sum::<f32>();
            }
        }
        // siblings read alike: where most objectives have no key results under them, the
        // few that have are items with details (a task list), and each empty one is doubtful
        let with_krs = objectives.iter().filter(|o| !o.1.is_empty()).count();
        let mostly_empty = with_krs > 0 && with_krs * 2 < objectives.len();
        // beside two or more objectives the page marks as such, an unmarked one in another
        // part of the page than all of them is doubtful, and so is what was read under it
        let marked: Vec<usize> = objectives
            .iter()
            .map(|o| o.0)
            .filter(|&o| self.marked_obj[o])
            .collect();
        // beside three or more numbered objectives (`## 1) …`), one unnumbered and without
        // labelled key results is more likely a section of the page (an appendix)
        let odd = self.unnumbered_among(objectives);
        for (_, krs) in objectives.iter().filter(|o| odd.contains(&o.0)) {
            s -= 2.5 + krs.iter().map(|&k| self.kr[k].clamp(0.0, 4.0)).sum::<f32>();
        }
        for (o, krs) in objectives {
            if marked.len() >= 2
                && !self.marked_obj[*o]
                && !marked
                    .iter()
                    .any(|&m| self.nodes[m].parent == self.nodes[*o].parent)
            {
                s -= 2.5 + krs.iter().map(|&k| self.kr[k].clamp(0.0, 4.0)).sum::<f32>();
            }
        }
        for (o, krs) in objectives {
            s += self.obj[*o].clamp(-3.0, 4.0);
            if mostly_empty && krs.is_empty() {
                s -= 1.0;
            }
            if self.under_meta_heading(*o) {
                s -= 1.5;
            }
            // an objective inside a node that reads like an objective itself
            if self.ancestors(*o).any(|a| {
                self.roles[a] == Role::Content
                    && (self.marked_obj[a]
                        || self.obj[a] >= 1.5
                        || (!matches!(self.nodes[a].slot, Slot::Heading(_)) && self.obj[a] >= 1.0))
            }) {
                s -= 1.5;
            }
            if !krs.is_empty() {
                s += 1.0;
            }
            // a key result inside an objective the page marks as one (`### Objectif 2 :`)
            // belongs to that objective, not to one further up (the page's title)
            for &k in krs {
                if self
                    .ancestors(k)
                    .take_while(|&a| a != *o)
                    .any(|a| self.marked_obj[a] && self.roles[a] == Role::Content)
                {
                    s -= 2.0;
                }
            }
            // more key results under one objective than OKR pages hold, unless the page
            // marks them so: details or tasks more likely, each one past seven doubtful
            let unmarked = krs
                .iter()
                .filter(|&&k| !self.marked_kr[k] && !self.labelled(k))
                .count();
            if krs.len() > 7 && unmarked > 7 {
                s -= (unmarked - 7) as f32;
            }
            for p in placed.iter_mut().take(self.scope_end(*o)).skip(*o) {
                *p = true;
            }
            for &k in krs {
                for p in placed.iter_mut().take(self.nodes[k].end).skip(k) {
                    *p = true;
                }
            }
        }
        // what the page marks in so many words and the reading reads otherwise
        let mut is_obj = vec![false; self.nodes.len()];
        let mut is_kr = vec![false; self.nodes.len()];
        for (o, krs) in objectives {
            is_obj[*o] = true;
            for &k in krs {
                is_kr[k] = true;
            }
        }
        // an item under a key result the page marks in so many words (`**KR1.1 — …**`
        // over its bullets) is that key result's detail, not another key result
        for (_, krs) in objectives {
            for &k in krs {
                if !self.marked_kr[k] && self.ancestors(k).any(|a| is_kr[a] && self.marked_kr[a]) {
                    s -= 1.0;
                }
            }
        }
        for i in 0..self.nodes.len() {
            if self.roles[i] != Role::Content {
                continue;
            }
            // (an `**Objective**: …` line under an objective heading read as one states that
            // objective; it is not another left out)
            let statement =
                self.nodes[i].slot == Slot::Line && self.nodes[i].parent.is_some_and(|p| is_obj[p]);
            if self.marked_obj[i] && !is_obj[i] && !statement {
                s -= 2.0;
            }
            if self.marked_kr[i] && !is_kr[i] && placed[i] {
                s -= 1.5;
            }
        }
        let unplaced: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| {
                !placed[i]
                    && !matches!(self.nodes[i].slot, Slot::Heading(_))
                    && self.roles[i] == Role::Content
                    && self.kr[i] >= KR_LIKE
                    && !self.shadowed(i)
            })
            .collect();
        // a key result left out costs a point when the page marks it as one (`KR2:`), less
        // when it only looks like one (any page has lists with numbers)
        for &u in &unplaced {
            s -= if self.marked_kr[u] { 1.0 } else { 0.3 };
        }
        (s, unplaced)
    }

    /// Every reading of the tiers present, best first.
    pub(crate) fn readings(&self) -> Vec<Reading> {
        let slots: BTreeSet<Slot> = self
            .nodes
            .iter()
            .zip(&self.roles)
            .filter(|(_, r)| **r == Role::Content)
            .map(|(n, _)| n.slot)
            .collect();
        let mut out = Vec::new();
        for &os in &slots {
            let mut kr_slots: Vec<Option<Slot>> = vec![None, Some(Slot::Top)];
            kr_slots.extend(slots.iter().filter(|&&k| k != os).map(|&k| Some(k)));
            for ks in kr_slots {
                if let Some(r) = self.reading(os, ks) {
                    out.push(r);
                }
            }
        }
        // a page written two ways in two places (bold `Objective:` lines for the year, then
        // `### O1` headings for each quarter): the best reading joined with another that
        // reads the rest of the page
        out.sort_by(|a, b| b.score.total_cmp(&a.score));
        if let Some(joined) = self.joined(&out) {
            out.push(joined);
        }
        // the same statements listed twice, once with their objectives over them and once
        // flat (an overview, then a section per key result): the structure is the reading
        let keys: Vec<String> = self
            .nodes
            .iter()
            .map(|n| statement_key(n.frag.text()))
            .collect();
        let flat: Vec<usize> = (0..out.len()).filter(|&r| out[r].count.1 == 0).collect();
        for r in flat {
            let objectives: Vec<&String> = out[r].objectives.iter().map(|o| &keys[o.0]).collect();
            let better = out
                .iter()
                .filter(|s| s.count.1 > 0)
                .filter(|s| {
                    let krs: std::collections::HashSet<&String> = s
                        .objectives
                        .iter()
                        .flat_map(|o| o.1.iter().map(|&k| &keys[k]))
                        .collect();
                    let same = objectives.iter().filter(|k| krs.contains(*k)).count();
                    same * 5 >= objectives.len() * 3
                })
                .map(|s| s.score)
                .fold(f32::MIN, f32::max);
            if better > f32::MIN {
                out[r].score = out[r].score.min(better - 1.0);
            }
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score));
        out
    }

    /// The best reading joined with the best other one whose objectives (all marked as such,
    /// all with key results) lie outside its objectives and contain none of them, when the
    /// page reads clearly better so.
    fn joined(&self, readings: &[Reading]) -> Option<Reading> {
        let best = readings.first()?;
        let inside = |r: &Reading, i: usize| {
            r.objectives
                .iter()
                .any(|(o, _)| (*o..self.scope_end(*o)).contains(&i))
        };
        // on a page that marks nothing as an objective, objectives written as lines in one
        // place and as an item in another (a bullet or not is the writer's whim; a heading
        // of another level is another part of the page)
        let marks_nothing = !self.marked_obj.iter().any(|&m| m);
        let headed = |r: &Reading| r.tiers.is_some_and(|t| matches!(t.0, Slot::Heading(_)));
        let mut found: Option<Reading> = None;
        for other in readings.iter().skip(1).take(12) {
            let marks_nothing = marks_nothing && !headed(best) && !headed(other);
            if other.tiers.is_none()
                || other.tiers.map(|t| t.0) == best.tiers.map(|t| t.0)
                || other
                    .objectives
                    .iter()
                    .any(|o| o.1.is_empty() || !(self.marked_obj[o.0] || marks_nothing))
                || other.objectives.iter().any(|(o, _)| {
                    inside(best, *o) || best.objectives.iter().any(|(b, _)| inside(other, *b))
                })
            {
                continue;
            }
            let mut objectives: Vec<(usize, Vec<usize>)> = best
                .objectives
                .iter()
                .chain(&other.objectives)
                .cloned()
                .collect();
            objectives.sort_by_key(|o| o.0);
            let sum: f32 = objectives
                .iter()
                .flat_map(|o| o.1.iter())
                .map(|&k| self.kr[k].min(4.0))
                .sum();
            let (score, unplaced) = self.score(&objectives, sum);
            if score > best.score + 2.0 && found.as_ref().is_none_or(|f| score > f.score) {
                let count = (objectives.len(), objectives.iter().map(|o| o.1.len()).sum());
                found = Some(Reading {
                    tiers: best.tiers,
                    objectives,
                    score,
                    unplaced,
                    count,
                    joined: other.tiers,
                });
            }
        }
        found
    }

    fn reading(&self, os: Slot, ks: Option<Slot>) -> Option<Reading> {
        // objectives with no key results only on a page that speaks of OKRs (a heading or
        // label that says so, or an objective marked as one): a page of notes is not one
        if ks.is_none()
            && !(0..self.nodes.len()).any(|i| {
                matches!(self.roles[i], Role::Container | Role::KrLabel) || self.marked_obj[i]
            })
        {
            return None;
        }
        let strict = self.reading_pass(os, ks, false);
        if ks.is_none() {
            return strict;
        }
        // key results written one way under two objectives, or a line-and-list shape that
        // repeats three times: a plain list in the same place is key results too
        let with_krs = |r: &Option<Reading>| {
            r.as_ref().map_or(0, |r| {
                r.objectives.iter().filter(|o| !o.1.is_empty()).count()
            })
        };
        let relaxed = self.reading_pass(os, ks, true);
        if with_krs(&strict) >= 2 || with_krs(&relaxed) >= 3 {
            return relaxed;
        }
        strict
    }

    fn reading_pass(&self, os: Slot, ks: Option<Slot>, relaxed: bool) -> Option<Reading> {
        // the candidates with their key results
        let mut cands: Vec<(usize, Vec<usize>, f32, bool)> = Vec::new();
        let mut weak: Vec<usize> = Vec::new();
        for i in 0..self.nodes.len() {
            if self.nodes[i].slot != os || self.roles[i] != Role::Content || self.shadowed(i) {
                continue;
            }
            // under a `Key results` label is key results' ground (a bold theme there groups
            // key results, it is not an objective)
            if self.ancestors(i).any(|a| self.roles[a] == Role::KrLabel) {
                continue;
            }
            // a node inside another candidate is not one of its own
            if cands.last().is_some_and(|c| i < self.scope_end(c.0)) {
                continue;
            }
            let (krs, e, labelled) = match ks {
                Some(k) => self.key_results_of(i, k, relaxed),
                None => (Vec::new(), 0.0, false),
            };
            // an objective the page marks as one (`**Objective:**` over its text) is one,
            // whatever its words
            if krs.is_empty() && self.obj[i] < 1.0 && !self.marked_obj[i] {
                weak.push(i);
                continue;
            }
            cands.push((i, krs, e, labelled));
        }
        // a weak candidate whose siblings are mostly objectives is one too (`Mac signing`
        // among `Linux64 nightlies published`)
        for w in weak {
            let parent = self.nodes[w].parent;
            let siblings = cands
                .iter()
                .filter(|c| self.nodes[c.0].parent == parent)
                .count();
            let all = siblings + 1;
            let item = matches!(self.nodes[w].slot, Slot::Item(_));
            // a heading written like most of its sibling objectives (`## ui-ux-design 🔴`
            // among `## code-correctness 🔴`), whose key results are yet to come
            let alike = {
                let sig = self.shapes[w];
                let same = cands
                    .iter()
                    .filter(|c| self.nodes[c.0].parent == parent)
                    .filter(|c| self.shapes[c.0] == sig)
                    .count();
                matches!(self.nodes[w].slot, Slot::Heading(_)) && same * 3 >= siblings * 2
            };
            let among =
                (item || alike) && self.obj[w] >= -0.5 && siblings * 3 >= all * 2 && siblings >= 2;
            if among || (self.obj[w] >= 0.0 && self.lone_like_cousins(w, &cands)) {
                cands.push((w, Vec::new(), 0.0, false));
            }
        }
        cands.sort_by_key(|c| c.0);
        // a page that marks its objectives (`Objective 1:`, `O2.`) marks all of them: an
        // unmarked candidate beside marked ones must earn its place
        let nodes: Vec<usize> = cands.iter().map(|c| c.0).collect();
        let consistent = self.marks_all(&nodes);
        let marked_count = nodes.iter().filter(|&&m| self.marked_obj[m]).count();
        // and one whose key results sit under a `Key results` label labels them all
        let labels_krs = cands
            .iter()
            .any(|c| self.marked_obj[c.0] && c.3 && !c.1.is_empty());
        // objectives marked by a label on their line (`**Goal:** …`): a line under another
        // label beside them (`**Tema: Strutturarsi**`) is that label's, not an objective
        let line_marks = consistent
            && nodes
                .iter()
                .any(|&o| self.marked_obj[o] && self.nodes[o].slot == Slot::Line);
        let mut objectives = Vec::new();
        let mut sum = 0.0;
        for (i, krs, e, labelled) in cands {
            if line_marks && !self.marked_obj[i] && self.other_label(i) {
                continue;
            }
            // beside objectives marked as such, an unmarked heading over a line that says it
            // is an objective (`### Backend Engineer` over `**Objective:** …`) is that
            // objective's heading, not an objective of its own
            if consistent
                && !self.marked_obj[i]
                && (i + 1..self.nodes[i].end.min(self.nodes.len()))
                    .any(|j| self.marked_obj[j] && self.nodes[j].slot != self.nodes[i].slot)
            {
                continue;
            }
            // beside two or more objectives marked as such, an unmarked one in another part
            // of the page than all of them (`### Schema tests` under `## Phase 6`, the marked
            // ones under `## OKRs`) is that part's
            if marked_count >= 2
                && !self.marked_obj[i]
                && !nodes
                    .iter()
                    .any(|&m| self.marked_obj[m] && self.nodes[m].parent == self.nodes[i].parent)
            {
                continue;
            }
            if consistent && !self.marked_obj[i] {
                let net = self.obj[i].clamp(-3.0, 4.0) + e - 2.5;
                // beside objectives marked as such, an unmarked one needs key results
                // written like theirs
                if net < 0.0 || (labels_krs && !labelled) {
                    continue;
                }
            }
            sum += e;
            objectives.push((i, krs));
        }
        if objectives.is_empty() {
            return None;
        }
        if ks.is_some() && objectives.iter().all(|o| o.1.is_empty()) {
            return None;
        }
        let (score, unplaced) = self.score(&objectives, sum);
        let count = (objectives.len(), objectives.iter().map(|o| o.1.len()).sum());
        Some(Reading {
            tiers: Some((os, ks)),
            objectives,
            score,
            unplaced,
            count,
            joined: None,
        })
    }

    /// The only node under its heading, written as the objectives under that heading's
    /// sibling headings are (`### Q3 2020` over one line, beside `### Q1 2020` and `### Q2
    /// 2020` over lines read as objectives): an objective the page has not given key
    /// results yet.
    fn lone_like_cousins(&self, w: usize, cands: &[(usize, Vec<usize>, f32, bool)]) -> bool {
        let Some(parent) = self.nodes[w].parent else {
            return false;
        };
        let Slot::Heading(level) = self.nodes[parent].slot else {
            return false;
        };
        let alone = self.children_of(Some(parent)) == [w];
        let slot = self.nodes[w].slot;
        let uncles: Vec<usize> = self
            .children_of(self.nodes[parent].parent)
            .iter()
            .copied()
            .filter(|&u| u != parent && self.nodes[u].slot == Slot::Heading(level))
            .collect();
        let holding = uncles
            .iter()
            .filter(|&&u| {
                cands
                    .iter()
                    .any(|c| self.nodes[c.0].parent == Some(u) && self.nodes[c.0].slot == slot)
            })
            .count();
        alone && holding >= 2 && holding * 3 >= uncles.len() * 2
    }

    /// The shape reader's reading, mapped onto the outline and scored the same way.
    pub(crate) fn of_objectives(&self, objectives: &[crate::defs::Objective]) -> Reading {
        let mut mapped: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut sum = 0.0;
        for o in objectives {
            let Some(on) = self.node_at(o.title.span.offset as usize) else {
                continue;
            };
            // an objective read on a label of another section (`## Action plan`) or on
            // metadata
            if matches!(self.roles[on], Role::OtherLabel | Role::Meta) {
                sum -= 3.0;
            }
            let mut krs = Vec::new();
            for kr in &o.key_results {
                if let Some(k) = self.node_at(kr.title.span.offset as usize)
                    && !krs.contains(&k)
                {
                    // a metadata line or a struck-through one read as a key result
                    sum += if self.roles[k] == Role::Meta {
                        -2.0
                    } else {
                        self.kr[k].min(4.0)
                    };
                    krs.push(k);
                }
            }
            match mapped.iter_mut().find(|m| m.0 == on) {
                Some(m) => m.1.extend(krs),
                None => mapped.push((on, krs)),
            }
        }
        let (score, unplaced) = self.score(&mapped, sum);
        Reading {
            tiers: None,
            objectives: mapped,
            score,
            unplaced,
            count: (
                objectives.len(),
                objectives.iter().map(|o| o.key_results.len()).sum(),
            ),
            joined: None,
        }
    }

    /// The unplaced key-result-like lines of `r` worth a doubt: those not restating a key
    /// result the reading has (a details section repeats them).
    pub(crate) fn left_out(&self, r: &Reading) -> Vec<usize> {
        let keys: std::collections::HashSet<String> = r
            .objectives
            .iter()
            .flat_map(|o| o.1.iter())
            .map(|&k| statement_key(self.nodes[k].frag.text()))
            .collect();
        r.unplaced
            .iter()
            .copied()
            .filter(|&u| !keys.contains(&statement_key(self.nodes[u].frag.text())))
            .collect()
    }

    /// Under a `Key results` label, or a row of a key results column.
    /// The objectives of `r` with neither a number (`1)`, `2.`) nor an objective's mark, nor
    /// labelled or marked key results, where at least three others, and twice as many, have
    /// a number or a mark.
    pub(crate) fn unnumbered_among_numbered(&self, r: &Reading) -> Vec<usize> {
        self.unnumbered_among(&r.objectives)
    }

    /// [`Self::unnumbered_among_numbered`], for objectives with their key results.
    fn unnumbered_among(&self, objectives: &[(usize, Vec<usize>)]) -> Vec<usize> {
        let numbered = |o: usize| {
            let t = node::plain(self.nodes[o].frag.text());
            super::classify::numbering(t) > 0 || self.marked_obj[o]
        };
        // an objective whose key results are labelled or marked (`### Key Results`, `KR1:`)
        // is one, numbered or not
        let vouched = |krs: &[usize]| krs.iter().any(|&k| self.marked_kr[k] || self.labelled(k));
        let (with, without): (Vec<usize>, Vec<usize>) = objectives
            .iter()
            .filter(|o| numbered(o.0) || !vouched(&o.1))
            .map(|o| o.0)
            .partition(|&o| numbered(o));
        if with.len() >= 3 && !without.is_empty() && without.len() * 2 <= with.len() {
            without
        } else {
            Vec::new()
        }
    }

    pub(crate) fn labelled(&self, k: usize) -> bool {
        self.kr_column(k) || self.ancestors(k).any(|a| self.roles[a] == Role::KrLabel)
    }

    /// Headings that say objectives or goals follow (`### Secondary Goals:`, `## Q3 OKRs`)
    /// over two or more list items or rows of their own, none of which `r` reads as an
    /// objective or a key result, nor as anything inside one: the page says these are
    /// goals and the reading has nothing from them. The heading and its items.
    pub(crate) fn unread_goal_sections(&self, r: &Reading) -> Vec<(usize, Vec<usize>)> {
        // read as part of the reading: an objective, a key result, or inside an objective
        let mut inside = vec![false; self.nodes.len()];
        for (o, krs) in &r.objectives {
            for j in std::iter::once(*o).chain(krs.iter().copied()) {
                inside[j] = true;
            }
            for flag in &mut inside[o + 1..self.scope_end(*o)] {
                *flag = true;
            }
        }
        let inside = |j: usize| inside[j];
        let mut out = Vec::new();
        for h in 0..self.nodes.len() {
            if !matches!(self.nodes[h].slot, Slot::Heading(_))
                || self.roles[h] != Role::Container
                || !score::names_goals(self.nodes[h].frag.text())
                || self.shadowed(h)
                || self.under_meta_heading(h)
                || inside(h)
            {
                continue;
            }
            let items: Vec<usize> = self
                .children_of(Some(h))
                .iter()
                .copied()
                .filter(|&j| {
                    matches!(self.nodes[j].slot, Slot::Item(_) | Slot::Row)
                        && (self.roles[j] == Role::Content || score::titled_goal(&self.nodes[j]))
                })
                .collect();
            if items.len() >= 2 && !items.iter().any(|&j| inside(j)) {
                out.push((h, items));
            }
        }
        out
    }

    /// List items and rows under the objectives of `r` that look like key results but are
    /// not read as such (a reading with objectives and no key results under lists).
    pub(crate) fn kr_like_under(&self, r: &Reading) -> Vec<usize> {
        let mut out = Vec::new();
        for (o, krs) in &r.objectives {
            if !krs.is_empty() {
                continue;
            }
            for j in o + 1..self.scope_end(*o) {
                if matches!(self.nodes[j].slot, Slot::Item(_) | Slot::Row)
                    && self.roles[j] == Role::Content
                    && self.kr[j] >= KR_LIKE
                    && !self.shadowed(j)
                {
                    out.push(j);
                }
            }
        }
        out
    }
}

/// A statement's text for comparing: letters and digits, lowercase, the first 40.
fn statement_key(t: &str) -> String {
    t.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .take(40)
        .collect()
}

/// How a title is written, to tell siblings written alike: how many words (1, 2–4, more),
/// whether its first word is joined with hyphens, whether it starts in lower case, whether
/// it ends in a mark that is not a word (`🔴`).
fn shape_of(t: &str) -> (u8, bool, bool, bool) {
    let t = t.trim();
    let words = t
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count();
    let first = t.split_whitespace().next().unwrap_or("");
    (
        match words {
            0 | 1 => 1,
            2..=4 => 2,
            _ => 3,
        },
        first.contains('-') && first.chars().all(|c| c.is_alphanumeric() || c == '-'),
        t.starts_with(|c: char| c.is_lowercase()),
        t.ends_with(|c: char| !c.is_alphanumeric() && !c.is_ascii_punctuation()),
    )
}

/// The year of a front matter's `date:` line.
fn dated_year(b: &super::tree::Block) -> Option<i32> {
    let super::tree::Block::FrontMatter { text, .. } = b else {
        return None;
    };
    text.lines().find_map(|l| {
        let v = l.strip_prefix("date:")?.trim().trim_matches(['"', '\'']);
        let y: i32 = v.get(..4)?.parse().ok()?;
        (1990..2100).contains(&y).then_some(y)
    })
}
