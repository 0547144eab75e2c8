//! One objective's body: its owner, why and alignment lines, its key results (items, bold
//! lines, headings, a table), their details, initiatives and guardrails.

use super::classify::{consistent_labels, item_lines, numbering};
use super::frag::Frag;
use super::labels::{self, Section};
use super::open::{Body, Open};
use super::reader::{Ctx, Reader, excerpt};
use super::tree::{Block, Item};
use super::{NoteKind, slug};
use crate::defs::*;
use crate::source::Spanned;
use crate::values::Quantity;

/// The blocks of a list item, as the borrowed blocks [`Reader::key_result`] reads.
pub(super) fn refs(blocks: &[Block]) -> Vec<&Block> {
    blocks.iter().collect()
}

pub(super) fn guardrail(text: Text) -> Guardrail {
    Guardrail {
        metric: None,
        max_increase: None,
        max_decrease: None,
        min: None,
        max: None,
        span: text.span,
        text: Some(text),
    }
}

impl Reader<'_> {
    /// Opens an objective from its title as written (a heading, an item, a line).
    pub fn open(&mut self, f: Frag, ctx: &Ctx, owner_ok: bool, people: &[(String, usize)]) -> Open {
        let mut f = f.skip(numbering(f.text()));
        f = f.skip(labels::priority_tag(f.text()));
        let mut owner = None;
        for _ in 0..2 {
            if let Some(n) = labels::objective_prefix(f.text()) {
                f = f.skip(n);
            } else if let Some((e, s)) = labels::label_prefix(f.text())
                && (owner_ok || labels::is_role(&f.text()[..e]))
                && owner.is_none()
            {
                owner = Some(self.text(f.take(e)));
                f = f.skip(s);
            }
        }
        // "Improve activation (Owner: Dana)"
        if let Some((at, _, value)) = labels::detail_parts(f.text())
            .into_iter()
            .find(|(_, l, _)| matches!(*l, "owner" | "dri"))
        {
            let v_at = f.text().find(value).unwrap_or(at);
            owner = Some(self.text(f.sub(v_at..v_at + value.len())));
            f = f.take(at);
        }
        f = self.without_result_note(f);
        let f = f.trim_with(&['-', '—', '–', '|', '(', ',', ';', ':', '*']);
        let title = self.text(f);
        let span = title.span;
        let owner = owner
            .or_else(|| self.people(people))
            .or_else(|| ctx.owner.clone());
        Open {
            o: Objective {
                id: Spanned::new(slug(&title.value), span),
                title,
                period: ctx.period.clone(),
                period_length: ctx.length.clone(),
                team: ctx.team.clone(),
                owner,
                aligns_to: None,
                why: None,
                commitment: None,
                key_results: Vec::new(),
                initiatives: Vec::new(),
                guardrails: Vec::new(),
                origin: Origin::Markdown,
                span,
            },
            body: Body::default(),
            from_heading: false,
        }
    }

    /// The title without a note on the result after it (`… => 66% on time`), which is kept as
    /// a detail of the reading.
    fn without_result_note<'a>(&mut self, f: Frag<'a>) -> Frag<'a> {
        let Some(n) = labels::result_note(f.text()) else {
            return f;
        };
        let note = f.skip(n);
        let span = self.span(note);
        self.note(
            span,
            NoteKind::Detail,
            format!("result note: {}", excerpt(note.text())),
        );
        f.take(n)
    }

    /// A line of the objective's body.
    /// `after_label`: a `Key results:` line came before it in the same paragraph, so a plain
    /// line is a key result (after a list, a plain paragraph is prose).
    // Long because it tries the shapes of a line inside an objective in order of precedence
    // (label, key result, owner, note); the order is the reading rule.
    pub fn body_line(&mut self, open: &mut Open, f: Frag, after_label: bool) {
        let t = f.text();
        if let Some(s) = labels::section_name(t) {
            open.body.mode = Some(s);
            return;
        }
        if labels::kr_prefix(t).is_some() || labels::owner_kr_prefix(t).is_some() {
            self.key_result(&mut open.o, f, false, &[]);
            return;
        }
        if open.body.mode == Some(Section::KeyResults) && f.all_strong() {
            self.key_result(&mut open.o, f, false, &[]);
            open.body.kr_group = true;
            return;
        }
        if let Some((label, at)) = labels::split_label(t) {
            let value = f.skip(at);
            let v = (!value.is_empty()).then(|| self.text(value));
            let o = &mut open.o;
            match (label.as_str(), v) {
                (l, None) if labels::section_name(l).is_some() => {
                    open.body.mode = labels::section_name(l);
                    return;
                }
                ("why" | "why this matters" | "motivation" | "purpose", Some(v)) => {
                    o.why = Some(v);
                    return;
                }
                (
                    "owner" | "owners" | "dri" | "tracking manager" | "lead" | "accountable",
                    Some(v),
                ) => {
                    o.owner = Some(v);
                    return;
                }
                ("team", Some(v)) => {
                    o.team = Some(v);
                    return;
                }
                ("aligns to" | "parent" | "supports" | "aligned to", Some(v)) => {
                    o.aligns_to = Some(v);
                    return;
                }
                ("type" | "commitment", Some(v)) => {
                    let lower = v.value.to_ascii_lowercase();
                    let c = if lower.contains("commit") {
                        Some(Commitment::Committed)
                    } else if ["aspiration", "stretch", "moonshot"]
                        .iter()
                        .any(|w| lower.contains(w))
                    {
                        Some(Commitment::Aspirational)
                    } else {
                        None
                    };
                    o.commitment = c.map(|c| Spanned::new(c, v.span));
                    return;
                }
                ("guardrails" | "guardrail", Some(v)) => {
                    open.body.mode = Some(Section::Guardrails);
                    o.guardrails.push(guardrail(v));
                    return;
                }
                ("key results" | "krs", Some(_)) => {
                    open.body.mode = Some(Section::KeyResults);
                    self.key_result(&mut open.o, f.skip(at), false, &[]);
                    return;
                }
                _ if f.bold_label() => {
                    let span = self.span(f);
                    self.note(span, NoteKind::Detail, excerpt(t));
                    return;
                }
                _ => {}
            }
        }
        match open.body.mode {
            Some(Section::KeyResults) if after_label && !t.ends_with([':', '：']) => {
                self.key_result(&mut open.o, f, false, &[]);
            }
            _ if open.o.why.is_none()
                && open.o.key_results.is_empty()
                && !t.ends_with([':', '：']) =>
            {
                let first_sentence = f.take(t.len().min(400));
                open.o.why = Some(self.text(first_sentence));
            }
            _ => {
                let span = self.span(f);
                self.note(span, NoteKind::Ignored, format!("text: {}", excerpt(t)));
            }
        }
    }

    /// A block of the objective's body.
    pub fn body_block(&mut self, open: &mut Open, b: &Block) {
        match b {
            Block::Para { inline, .. } => {
                let mut after_label = false;
                for f in Frag::lines(inline) {
                    self.body_line(open, f, after_label);
                    after_label = open.body.mode == Some(Section::KeyResults);
                }
                open.body.lead_in = inline.text.trim_end().ends_with([':', '：'])
                    && labels::section_name(&inline.text).is_none();
            }
            Block::List { items, .. } => self.body_list(open, items),
            Block::Table { head, rows, range } => {
                let ctx = Ctx::default();
                self.table(head, rows, range.clone(), &ctx, Some(&mut open.o));
            }
            Block::Html { people, .. } if open.o.owner.is_none() => {
                open.o.owner = self.people(people);
            }
            Block::Quote { range, .. } => {
                let span = self.span_src(range.clone());
                self.note(span, NoteKind::Ignored, "a quoted note");
            }
            _ => {}
        }
    }

    /// A list in the objective's body: key results, their details, labeled lines,
    /// initiatives or guardrails.
    // Long because it reads a list under an objective item by item, with the nesting rules for
    // key results and their sub-items in one place.
    pub fn body_list(&mut self, open: &mut Open, items: &[Item]) {
        if std::mem::take(&mut open.body.kr_group) {
            for item in items {
                self.detail_item(&mut open.o, item, None);
            }
            return;
        }
        let lead_in = std::mem::take(&mut open.body.lead_in);
        let owner_ok = consistent_labels(items);
        // a key result that ends `… tell us the following:` with nothing nested under it:
        // the items after it are what it introduces (a list indented one level short)
        let mut introduced = false;
        for item in items {
            let (f, more) = item_lines(item);
            if f.is_empty() {
                continue;
            }
            let t = f.text();
            let kr_like = labels::kr_prefix(t).is_some() || labels::owner_kr_prefix(t).is_some();
            if introduced && !kr_like && matches!(open.body.mode, Some(Section::KeyResults) | None)
            {
                self.detail_item(&mut open.o, item, None);
                continue;
            }
            introduced = false;
            // `**Key Results**:` with the key results nested under it or following it
            if !kr_like
                && let Some((label, at)) = labels::split_label(t)
                && (f.bold_label()
                    || labels::OBJECTIVE_LABELS.contains(&label.as_str())
                    || labels::section_name(&label).is_some())
            {
                let rest = f.skip(at);
                if let Some(s) = labels::section_name(&label).filter(|_| rest.is_empty()) {
                    open.body.mode = Some(s);
                    for b in &item.blocks {
                        if let Block::List { items, .. } = b {
                            self.body_list(open, items);
                        }
                    }
                } else {
                    self.body_line(open, f, false);
                    for l in &more {
                        self.body_line(open, *l, true);
                    }
                    for b in &item.blocks {
                        if let Block::List { items, .. } = b {
                            self.body_list(open, items);
                        }
                    }
                }
                continue;
            }
            // "Marketing: More developers try the product" with `KR:` lines of its own: an
            // objective of a team under this one (the cascade written in one list)
            let kr_line = |l: &Frag| labels::kr_prefix(l.text()).is_some();
            if !kr_like
                && (more.iter().any(kr_line) || item.sub_items().any(|s| kr_line(&item_lines(s).0)))
            {
                // in a cascade the label before the colon is the team that owns it
                self.sub_objective(open, item, f, &more, true);
                continue;
            }
            match open.body.mode {
                Some(Section::Initiatives) => {
                    let t = self.text(f);
                    open.o.initiatives.push(Initiative {
                        span: t.span,
                        title: t,
                        supports: Vec::new(),
                        owner: None,
                    });
                }
                Some(Section::Guardrails) => {
                    let t = self.text(f);
                    open.o.guardrails.push(guardrail(t));
                }
                Some(Section::KeyResults) => {
                    self.key_result(&mut open.o, f, owner_ok, &refs(&item.blocks));
                    self.more_lines(&mut open.o, &more);
                    introduced = introduces(t, item);
                }
                None if kr_like || !lead_in => {
                    self.key_result(&mut open.o, f, owner_ok, &refs(&item.blocks));
                    self.more_lines(&mut open.o, &more);
                    introduced = introduces(t, item);
                }
                None => {
                    let span = self.span(f);
                    self.note(span, NoteKind::Detail, format!("item: {}", excerpt(t)));
                }
            }
        }
    }

    /// A key result from its title as written, with the blocks under it (sub-items with
    /// `Current: 23% | Target: 35%`, `Owner: …`, nested `KR:` items).
    pub fn key_result(&mut self, o: &mut Objective, f: Frag, owner_ok: bool, under: &[&Block]) {
        let mark = labels::kr_mark(f.text());
        let mut f = f.skip(numbering(f.text()));
        f = f.skip(labels::priority_tag(f.text()));
        let mut owner = None;
        if let Some((e, s)) = labels::owner_kr_prefix(f.text()) {
            owner = Some(self.text(f.take(e)));
            f = f.skip(s);
        } else if let Some(s) = labels::kr_prefix(f.text()) {
            f = f.skip(s);
        }
        f = f.skip(labels::priority_tag(f.text()));
        if let Some((e, s)) = labels::label_prefix(f.text())
            && (owner_ok || labels::is_role(&f.text()[..e]))
        {
            owner = Some(self.text(f.take(e)));
            f = f.skip(s);
        }
        if let Some((h, r)) = labels::handle(f.text()) {
            let at = f.text().find(&h).unwrap_or(0);
            owner = Some(self.text(f.sub(at..at + h.len())));
            f = f.sub(r);
        }
        f = self.without_result_note(f);
        // "Increase X from 23% to 35% | Owner: Dana": details written on the same line
        let inline = labels::detail_parts(f.text());
        let whole = f;
        if let Some((at, ..)) = inline.first().filter(|(at, ..)| *at > 0) {
            f = f.take(*at);
        }
        let f = f.trim_with(&['-', '—', '–', '|', '(', ',', ';', ':', '*']);
        if f.is_empty() {
            return;
        }
        let title = self.text(f);
        // a title that is only the key result's mark (`KR 1.2`, a row's first cell) holds no
        // value: its number is the mark's
        let (baseline, mut target) = if labels::bare_mark(&title.value) {
            (None, None)
        } else {
            labels::values_from_title(&title.value, title.span)
        };
        let blank = labels::placeholder(f.text());
        // "2x activation rate to N7": the placeholder after "to" is the target
        let blank_is_target = blank
            .as_ref()
            .is_some_and(|r| f.text()[..r.start].to_ascii_lowercase().ends_with("to "));
        if blank_is_target {
            target = None;
        }
        let placeholder = match (&target, blank) {
            (None, Some(r)) => Some(self.text(f.sub(r))),
            _ => None,
        };
        o.key_results.push(KeyResult {
            id: Spanned::new(String::new(), title.span),
            span: title.span,
            title,
            metric: None,
            manual: None,
            baseline,
            target,
            stretch: None,
            owner,
            weight: None,
            measurement: None,
            placeholder,
        });
        if !inline.is_empty() {
            self.kr_details(o, whole);
        }
        for b in under {
            match *b {
                Block::List { items, .. } => {
                    for item in items {
                        self.detail_item(o, item, mark.as_deref());
                    }
                }
                Block::Para { inline, .. } => {
                    for l in Frag::lines(inline) {
                        self.kr_details(o, l);
                    }
                }
                _ => {}
            }
        }
    }

    /// An item under an objective that has key results of its own: an objective that aligns
    /// to the one above it, with the same period and team.
    fn sub_objective(
        &mut self,
        parent: &Open,
        item: &Item,
        f: Frag,
        more: &[Frag],
        owner_ok: bool,
    ) {
        let ctx = Ctx {
            period: parent.o.period.clone(),
            length: parent.o.period_length.clone(),
            team: parent.o.team.clone(),
            ..Ctx::default()
        };
        let mut child = self.open(f, &ctx, owner_ok, &item.inline.people);
        child.o.aligns_to = Some(parent.o.title.clone());
        child.body.mode = Some(Section::KeyResults);
        for l in more {
            self.body_line(&mut child, *l, true);
        }
        for b in &item.blocks {
            self.body_block(&mut child, b);
        }
        self.close(Some(child));
    }

    /// Lines written after a key result in the same item: more key results (`KR: …`) or its
    /// details.
    fn more_lines(&mut self, o: &mut Objective, lines: &[Frag]) {
        for l in lines {
            let t = l.text();
            if labels::kr_prefix(t).is_some() || labels::owner_kr_prefix(t).is_some() {
                self.key_result(o, *l, false, &[]);
            } else if self.measured_by_line(o, *l) {
                continue;
            } else if !self.kr_details(o, *l) {
                let span = self.span(*l);
                self.note(span, NoteKind::Detail, excerpt(t));
            }
        }
    }

    /// `**KR3 — Faster pages**` then `Reduce p95 load time from 4.2s to 1.5s.` on the next
    /// line: a key result with no values of its own takes them from the sentence that
    /// measures it, which becomes its measurement.
    pub(super) fn measured_by_line(&mut self, o: &mut Objective, l: Frag) -> bool {
        let Some(kr) = o.key_results.last() else {
            return false;
        };
        if kr.target.is_some() || labels::split_label(l.text()).is_some() {
            return false;
        }
        let text = self.text(l);
        let (baseline, target) = labels::values_from_title(&text.value, text.span);
        if target.is_none() {
            return false;
        }
        let span = text.span;
        let kr = o.key_results.last_mut().expect("checked above");
        kr.baseline = kr.baseline.take().or(baseline);
        kr.target = target;
        kr.placeholder = None;
        kr.measurement.get_or_insert(text);
        self.note(
            span,
            NoteKind::Detail,
            format!("measured by: {}", excerpt(l.text())),
        );
        true
    }

    /// An item under a key result: a detail, or a nested `KR:` (a key result of its own).
    fn detail_item(&mut self, o: &mut Objective, item: &Item, parent: Option<&str>) {
        let (f, more) = item_lines(item);
        // `KR1a:` under `KR1:` is a part of it, not a key result of its own
        let part = parent
            .is_some_and(|p| labels::kr_mark(f.text()).is_some_and(|m| labels::part_of(&m, p)));
        if part {
            let span = self.span(f);
            self.note(
                span,
                NoteKind::Detail,
                format!(
                    "a part of key result {}: {}",
                    parent.unwrap_or_default().to_uppercase(),
                    excerpt(f.text())
                ),
            );
        } else if labels::kr_prefix(f.text()).is_some()
            || labels::owner_kr_prefix(f.text()).is_some()
        {
            self.key_result(o, f, false, &refs(&item.blocks));
            return self.more_lines(o, &more);
        }
        if !self.kr_details(o, f) {
            let span = self.span(f);
            self.note(
                span,
                NoteKind::Detail,
                format!("item: {}", excerpt(f.text())),
            );
        }
        self.more_lines(o, &more);
        for sub in item.sub_items() {
            self.detail_item(o, sub, parent);
        }
    }

    /// `Measurement: …`, `Current: 23% | Target: 35%`, `Baseline: 23%, Target: 35%`,
    /// `Owner: …` for the last key result. Whether the line held any.
    pub fn kr_details(&mut self, o: &mut Objective, f: Frag) -> bool {
        let parts = labels::detail_parts(f.text());
        let mut any = false;
        for (_, label, value) in parts {
            let at = f.text().find(value).unwrap_or(0);
            let v = self.text(f.sub(at..at + value.len()));
            let quantity = || {
                let clean = v
                    .value
                    .trim_start_matches(['≥', '≤', '>', '<', '=', '~', ' ']);
                Quantity::parse(clean).map(|q| Spanned::new(q, v.span))
            };
            let Some(kr) = o.key_results.last_mut() else {
                return false;
            };
            any = true;
            match label {
                // `metric: activation_rate` (an id, in backticks or not): the workspace metric
                // it is measured by; words are how it is measured
                "metric" | "measured by" if metric_id(&v.value).is_some() => {
                    let id = metric_id(&v.value).unwrap_or_default().to_string();
                    let at = v.value.find(&id).unwrap_or(0);
                    let mut span = v.span;
                    span.offset += at as u32;
                    span.column += v.value[..at].chars().count() as u32;
                    span.len = id.len() as u32;
                    kr.metric = Some(Spanned::new(id, span));
                }
                "measurement" | "measure" | "metric" | "definition" | "measured by" => {
                    kr.measurement = Some(v)
                }
                "current" | "baseline" | "today" | "now" | "starting point" => {
                    kr.baseline = quantity().or(kr.baseline.take())
                }
                "target" | "goal" => {
                    kr.target = quantity().or(kr.target.take());
                    if kr.target.is_some() {
                        kr.placeholder = None;
                    } else if let Some(r) = labels::placeholder(&v.value) {
                        let mut s = v.span;
                        s.offset += r.start as u32;
                        s.column += v.value[..r.start].chars().count() as u32;
                        s.len = r.len() as u32;
                        kr.placeholder = Some(Spanned::new(v.value[r].to_string(), s));
                    }
                }
                "stretch" => kr.stretch = quantity(),
                _ => kr.owner = Some(v),
            }
        }
        any
    }
}

/// An item that ends with a colon and has nothing nested under it: what follows it in the
/// list is what it introduces. (With a list, a quote or a paragraph nested under it, that is
/// what it introduces, and the items after it are its siblings.)
fn introduces(t: &str, item: &Item) -> bool {
    t.trim_end().ends_with([':', '：']) && item.blocks.iter().all(|b| matches!(b, Block::Skip))
}

/// `activation_rate`, `` `weekly_active_users` ``: a metric id (letters, digits, `_`, `-`, `.`,
/// no spaces).
fn metric_id(value: &str) -> Option<&str> {
    let v = value.trim().trim_matches('`').trim();
    (!v.is_empty()
        && v.len() <= 64
        && v.starts_with(|c: char| c.is_ascii_alphabetic())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    .then_some(v)
}
