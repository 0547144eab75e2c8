//! Blocks outside any objective: paragraphs, lists and tables that may hold objectives, a
//! period, a team or an owner, read line by line.

use super::NoteKind;
use super::classify::*;
use super::frag::Frag;
use super::labels::{self, Section, same_words};
use super::objective::refs;
use super::open::Open;
use super::reader::*;
use super::tree::{Block, Item};

/// Whether sub-heading `id` is a `Key results` label (`#### Key Results`, `### Ultimate Key
/// Results`).
fn key_results_heading(secs: &[Sec], id: usize) -> bool {
    let Some(h) = secs[id].heading else {
        return false;
    };
    let t = Frag::whole(h).text().to_string();
    match classify(&t) {
        Kind::Section(Section::KeyResults) => true,
        Kind::Container => {
            let lower = t.trim().trim_end_matches(':').to_lowercase();
            lower.ends_with("key results") && lower.split_whitespace().count() <= 4
        }
        _ => false,
    }
}

impl Reader<'_> {
    /// Reads a section where objectives may start, then its sub-headings.
    pub(super) fn group(&mut self, secs: &[Sec], id: usize, ctx: &mut Ctx) {
        let blocks = secs[id].blocks.clone();
        let mut open: Option<Open> = None;
        for (i, b) in blocks.iter().enumerate() {
            let next = blocks.get(i + 1).copied();
            open = self.group_block(b, next, ctx, open);
        }
        self.close(open);
        let mut carry = ctx.clone();
        carry.period_heading = false;
        carry.objectives_label = false;
        // the objectives the sub-heading before listed, none with key results yet: a
        // `Key results` sub-heading next to them holds theirs
        let mut listed = None;
        for &child in &secs[id].children {
            self.sub_heading(secs, child, &mut carry, &mut listed);
        }
    }

    /// One sub-heading of a section, after the one that listed the objectives `listed` (none
    /// with key results yet), if it did: a `Key results` sub-heading next to them holds
    /// theirs. Sets `listed` to the objectives this one lists.
    pub(super) fn sub_heading(
        &mut self,
        secs: &[Sec],
        child: usize,
        carry: &mut Ctx,
        listed: &mut Option<std::ops::Range<usize>>,
    ) {
        if let Some(r) = listed.take()
            && r.end == self.objectives.len()
            && key_results_heading(secs, child)
        {
            return self.shared_key_results(secs, child, r);
        }
        let mark = self.objectives.len();
        self.heading_section(secs, child, carry);
        let made = mark..self.objectives.len();
        *listed = (!made.is_empty()
            && self.objectives[made.clone()]
                .iter()
                .all(|o| o.key_results.is_empty()))
        .then_some(made);
    }

    /// A `Key results` section that lists the objectives again, each with its own key results
    /// nested under it (`1. Read more (aspirational KR)` over `- Read 5 books`): each item's
    /// key results are the objective's it repeats. Whether the section was that.
    fn restated_objectives(
        &mut self,
        secs: &[Sec],
        child: usize,
        listed: &std::ops::Range<usize>,
    ) -> bool {
        let items: Vec<&Item> = secs[child]
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::List { items, .. } => Some(items.iter()),
                _ => None,
            })
            .flatten()
            .collect();
        let of = |r: &Reader, item: &Item| {
            let t = same_words(item_lines(item).0.text());
            listed
                .clone()
                .find(|&i| same_words(&r.objectives[i].title.value) == t)
        };
        if items.is_empty()
            || !items
                .iter()
                .all(|it| of(self, it).is_some() && it.sub_items().next().is_some())
        {
            return false;
        }
        for it in items {
            let Some(i) = of(self, it) else { continue };
            let mut o = self.objectives.remove(i);
            for k in it.sub_items() {
                let (f, _) = item_lines(k);
                self.key_result(&mut o, f, false, &refs(&k.blocks));
            }
            self.objectives.insert(i, o);
        }
        true
    }

    /// A `Key results` heading next to a heading that listed `listed` objectives (`####
    /// Objectives` then `#### Key Results`): its key results are theirs. One objective takes
    /// them; several listed together share them, and since an objective here holds its own,
    /// the last one listed takes them with a warning that says so.
    fn shared_key_results(&mut self, secs: &[Sec], child: usize, listed: std::ops::Range<usize>) {
        if self.restated_objectives(secs, child, &listed) {
            return;
        }
        let Some(o) = self.objectives.pop() else {
            return;
        };
        let mut open = Open {
            o,
            body: Default::default(),
            from_heading: true,
        };
        open.body.mode = Some(Section::KeyResults);
        for b in &secs[child].blocks {
            self.body_block(&mut open, b);
        }
        for &cc in &secs[child].children {
            if !self.objective_child(secs, cc, &mut open) {
                let cs = self.span_src(secs[cc].range.clone());
                self.note(cs, NoteKind::Ignored, "a heading inside the key results");
            }
        }
        let n = listed.len();
        let k = open.o.key_results.len();
        if n > 1 && k > 0 {
            let span = self.span_src(secs[child].range.clone());
            self.diags.push(
                crate::Diagnostic::warning(
                    "shared-key-results",
                    format!(
                        "{k} key result(s) listed once for {n} objectives: read as the last one's (`{}`)",
                        excerpt(&open.o.title.value)
                    ),
                )
                .at(span)
                .help(
                    "write each objective's key results under it (`### Objective 1: …` with its `Key results` list), so that each is scored against its own",
                ),
            );
        }
        self.objectives.push(open.o);
    }

    // Long because it is one match over the block kinds (front matter, paragraph, list,
    // table, quote, HTML) that can appear outside any objective.
    pub(super) fn group_block(
        &mut self,
        b: &Block,
        next: Option<&Block>,
        ctx: &mut Ctx,
        mut open: Option<Open>,
    ) -> Option<Open> {
        match b {
            Block::FrontMatter { text, start } => self.front_matter(text, *start, ctx),
            Block::Para { inline, .. } => {
                let lines = Frag::lines(inline);
                let single = lines.len() == 1;
                let mut after_label = false;
                for f in lines {
                    // a bold line with a list under it opens an objective (`**Daemon is reliable**`)
                    let bold_objective = single
                        && ctx.okr
                        && f.all_strong()
                        && matches!(next, Some(Block::List { .. }))
                        && labels::section_name(f.text()).is_none()
                        && labels::kr_prefix(f.text()).is_none()
                        && open.as_ref().is_none_or(|o| {
                            !o.from_heading || o.body.mode != Some(Section::KeyResults)
                        });
                    if labels::objective_prefix(f.text()).is_some() || bold_objective {
                        self.close(open.take());
                        open = Some(self.open(f, ctx, false, &inline.people));
                        after_label = false;
                        continue;
                    }
                    match &mut open {
                        Some(o) => {
                            self.body_line(o, f, after_label);
                            after_label = o.body.mode == Some(Section::KeyResults);
                        }
                        None => self.group_line(f, ctx),
                    }
                }
                if let Some(o) = &mut open {
                    o.body.lead_in = inline.text.trim_end().ends_with([':', '：']);
                }
            }
            Block::List { items, .. } => match &mut open {
                Some(o) => self.body_list(o, items),
                None if self.doc_guardrails_next => {
                    self.doc_guardrails_next = false;
                    for it in items {
                        let t = self.text(Frag::whole(&it.inline));
                        self.doc_guardrails.push(super::objective::guardrail(t));
                    }
                }
                None => self.group_list(items, ctx),
            },
            Block::Table { head, rows, range } => {
                self.close(open.take());
                self.table(head, rows, range.clone(), ctx, None);
            }
            Block::Quote { blocks, range } => {
                let mut read = false;
                for q in blocks {
                    if let Block::Para { inline, .. } = q {
                        for f in Frag::lines(inline) {
                            read |= self.date_range(ctx, f);
                        }
                    }
                }
                if !read {
                    let span = self.span_src(range.clone());
                    self.note(span, NoteKind::Ignored, "a quoted note");
                }
            }
            Block::Html { people, .. } => {
                if let (Some(o), Some(p)) = (&mut open, self.people(people))
                    && o.o.owner.is_none()
                {
                    o.o.owner = Some(p);
                }
            }
            Block::Heading { .. } | Block::Skip => {}
        }
        open
    }

    /// A line outside any objective: the page's owner, team or guardrails, the period's
    /// dates, or prose.
    pub(super) fn group_line(&mut self, f: Frag, ctx: &mut Ctx) {
        let t = f.text();
        if labels::is_bare_objective_label(t) {
            let span = self.span(f);
            self.unread(span, format!("an objective label with no title: `{}`", excerpt(t)), "write the objective after the label, e.g. `**Objective:** Make onboarding effortless`");
            return;
        }
        if labels::section_name(t) == Some(Section::KeyResults) || labels::kr_prefix(t).is_some() {
            let span = self.span(f);
            self.unread(span, format!("key results with no objective above them: `{}`", excerpt(t)), "put the key results under an objective: a heading such as `### Objective 1: …`, or a bold line naming the objective");
            return;
        }
        if labels::section_name(t) == Some(Section::Guardrails) {
            self.doc_guardrails_next = true;
            return;
        }
        if let Some((label, at)) = labels::split_label(t) {
            let value = f.skip(at);
            if !value.is_empty() {
                match label.as_str() {
                    "owner" | "owners" | "dri" => {
                        let v = self.text(value);
                        self.note(v.span, NoteKind::Owner, v.value.clone());
                        ctx.owner = Some(v);
                        return;
                    }
                    "team" => {
                        let v = self.text(value);
                        self.note(v.span, NoteKind::Team, v.value.clone());
                        ctx.team = Some(v);
                        return;
                    }
                    "guardrails" => {
                        let g = super::objective::guardrail(self.text(value));
                        self.doc_guardrails.push(g);
                        return;
                    }
                    _ => {}
                }
            }
        }
        if self.date_range(ctx, f) {
            return;
        }
        let span = self.span(f);
        self.note(span, NoteKind::Ignored, format!("text: {}", excerpt(t)));
    }

    /// A list outside any objective: items that are objectives (with their key results
    /// nested under them), or prose.
    pub(super) fn group_list(&mut self, items: &[Item], ctx: &mut Ctx) {
        let owner_ok = consistent_labels(items);
        let mut pending: Option<Open> = None;
        for item in items {
            let (f, more) = item_lines(item);
            let t = f.text();
            if f.is_empty() || link_only(item) {
                let span = self.span_src(item.range.clone());
                self.note(span, NoteKind::Ignored, format!("link: {}", excerpt(t)));
                continue;
            }
            if labels::kr_prefix(t).is_some() || labels::owner_kr_prefix(t).is_some() {
                match &mut pending {
                    Some(o) => self.key_result(&mut o.o, f, false, &refs(&item.blocks)),
                    None => {
                        let span = self.span(f);
                        self.unread(span, format!("a key result with no objective above it: `{}`", excerpt(t)), "put the key results under an objective: a heading such as `### Objective 1: …`, or an item naming the objective with the key results nested under it");
                    }
                }
                continue;
            }
            let explicit = labels::objective_prefix(t).is_some();
            // an item that ends `… interested in:` over its nested items is explained by
            // them, not an objective over key results
            let nested = item.sub_items().next().is_some() && !t.trim_end().ends_with([':', '：']);
            let term = matches!(
                t.to_ascii_lowercase().trim_end_matches(':'),
                "objectives" | "objective" | "key results" | "key result" | "okrs"
            );
            let bare = (ctx.period_heading && t.split_whitespace().count() >= 3
                || ctx.objectives_label && t.split_whitespace().count() >= 2)
                && labels::label_prefix(t).is_none_or(|(e, _)| labels::is_role(&t[..e]));
            let property = f.bold_label() && !explicit;
            if term || property || !(explicit || (ctx.okr && nested) || bare) {
                let span = self.span_src(item.range.clone());
                self.note(
                    span,
                    NoteKind::Ignored,
                    format!("list item: {}", excerpt(t)),
                );
                continue;
            }
            self.close(pending.take());
            let mut o = self.open(f, ctx, owner_ok, &item.inline.people);
            for l in more {
                self.body_line(&mut o, l, false);
            }
            for b in &item.blocks {
                self.body_block(&mut o, b);
            }
            pending = Some(o);
        }
        self.close(pending);
    }
}
