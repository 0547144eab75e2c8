//! Sections under headings: an objective's own section with its key results, and
//! headings that name a team, a person or a period around the objectives below them.

use super::NoteKind;
use super::classify::*;
use super::frag::Frag;
use super::labels::{self, Section};
use super::open::Open;
use super::period::{self, Found};
use super::reader::*;

impl Reader<'_> {
    /// A heading that is an objective, the blocks under it, and its sub-headings: a "Key
    /// results" heading, key result headings, notes to pass over.
    pub(super) fn objective_section(&mut self, secs: &[Sec], id: usize, ctx: &Ctx) {
        let s = &secs[id];
        let Some(inline) = s.heading else {
            return;
        };
        let mut open = self.open(Frag::whole(inline), ctx, false, &inline.people);
        open.from_heading = true;
        for b in &s.blocks {
            self.body_block(&mut open, b);
        }
        let mut open = Some(open);
        let mut carry = ctx.clone();
        let mut listed = None;
        for &c in &s.children {
            let belongs = match &mut open {
                Some(o) => self.objective_child(secs, c, o),
                None => false,
            };
            if !belongs {
                self.close(open.take());
                self.sub_heading(secs, c, &mut carry, &mut listed);
            }
        }
        self.close(open);
    }

    /// A sub-heading of an objective. Whether it belonged to the objective (a heading that
    /// starts another objective does not).
    pub(super) fn objective_child(&mut self, secs: &[Sec], c: usize, open: &mut Open) -> bool {
        let s = &secs[c];
        let Some(h) = s.heading else {
            return true;
        };
        let f = Frag::whole(h);
        let span = self.span_src(s.range.clone());
        match classify(f.text()) {
            Kind::Section(sec) => {
                open.body.mode = Some(sec);
                for b in &s.blocks {
                    self.body_block(open, b);
                }
                for &cc in &s.children {
                    if !self.objective_child(secs, cc, open) {
                        let cs = self.span_src(secs[cc].range.clone());
                        self.note(cs, NoteKind::Ignored, "a heading inside the key results");
                    }
                }
                true
            }
            Kind::KrHeading => {
                self.key_result(&mut open.o, f, false, &s.blocks);
                true
            }
            Kind::Plain if open.body.mode == Some(Section::KeyResults) => {
                self.key_result(&mut open.o, f, false, &s.blocks);
                true
            }
            Kind::Meta => {
                self.note(
                    span,
                    NoteKind::Ignored,
                    format!("heading \"{}\" and what is under it", excerpt(f.text())),
                );
                true
            }
            Kind::Plain if !kr_evidence(secs, c) => {
                self.note(
                    span,
                    NoteKind::Ignored,
                    format!("heading \"{}\" and what is under it", excerpt(f.text())),
                );
                true
            }
            _ => false,
        }
    }

    pub(super) fn close(&mut self, open: Option<Open>) {
        if let Some(o) = open {
            self.objectives.push(o.o);
        }
    }

    /// A heading and what is under it.
    pub(super) fn heading_section(&mut self, secs: &[Sec], id: usize, carry: &mut Ctx) {
        let s = &secs[id];
        let Some(inline) = s.heading else {
            return;
        };
        let f = Frag::whole(inline);
        let span = self.span_src(s.range.clone());
        match classify(f.text()) {
            Kind::Meta => self.note(
                span,
                NoteKind::Ignored,
                format!("heading \"{}\" and what is under it", excerpt(f.text())),
            ),
            Kind::Section(_) | Kind::KrHeading => {
                self.unread(
                    span,
                    format!(
                        "a key results heading with no objective above it: `{}`",
                        excerpt(f.text())
                    ),
                    "put the key results under an objective heading such as `### Objective 1: …`",
                );
            }
            Kind::Objective => self.objective_section(secs, id, carry),
            Kind::Period(found) => {
                let mut c = carry.clone();
                let found = in_year(found, f.text(), c.year);
                let pspan = self.span(f.sub(found.at.clone()));
                // a fiscal name repeats the period the front matter named (and whose dates a
                // sentence may have given): keep what is known
                let known = found.period.is_none()
                    && found.fiscal
                    && c.length.as_ref().map(|l| l.value) == found.length;
                if !known {
                    self.set_period(&mut c, &found, pspan);
                }
                self.heading_names(&mut c, f, Some(&found.at), span);
                c.okr = true;
                c.period_heading = true;
                self.group(secs, id, &mut c);
                c.period_heading = false;
                *carry = c;
            }
            Kind::Container => {
                let mut c = carry.clone();
                c.okr = true;
                let lower = f.text().to_ascii_lowercase();
                c.personal = lower.contains("personal") || lower.contains("individual");
                c.objectives_label = labels::objectives_label(f.text());
                self.heading_names(&mut c, f, None, span);
                self.group(secs, id, &mut c);
                *carry = c;
            }
            Kind::Plain => {
                if kr_evidence(secs, id) {
                    return self.objective_section(secs, id, carry);
                }
                let mark = self.mark();
                let mut c = carry.clone();
                if let Some(y) = year_alone(f.text()) {
                    c.year = Some(y);
                }
                let named = self.group_heading(&mut c, f, inline, span);
                self.group(secs, id, &mut c);
                if self.objectives.len() > mark.0 {
                    if let Some((kind, text)) = named {
                        self.note(span, kind, text);
                    }
                    return;
                }
                self.reset(mark);
                if carry.okr && plausible_objective(secs, id, f) {
                    self.objective_section(secs, id, carry);
                } else {
                    self.note(
                        span,
                        NoteKind::Ignored,
                        format!("heading \"{}\" and what is under it", excerpt(f.text())),
                    );
                }
            }
        }
    }
}

/// `2017` alone (a heading over the year's quarters): the year.
fn year_alone(t: &str) -> Option<i32> {
    let found = period::find(t)?;
    match found.period {
        Some(crate::values::Period::Year(y))
            if found.bare_year && leftover(t, Some(&found.at)).is_empty() =>
        {
            Some(y)
        }
        _ => None,
    }
}

/// A quarter or a half with no year of its own (`### Q4`, `### H1`) under a heading that
/// names the year alone: that year's.
fn in_year(found: Found, text: &str, year: Option<i32>) -> Found {
    let (None, false, Some(y)) = (&found.period, found.fiscal, year) else {
        return found;
    };
    let with_year = format!("{} {y}", &text[found.at.clone()]);
    match period::find(&with_year) {
        Some(f) if f.period.is_some() && f.length == found.length => Found {
            period: f.period,
            ..found
        },
        _ => found,
    }
}
