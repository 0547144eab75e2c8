//! Every span of what was read from a page, passed through one function: a page read after
//! its indentation was undone ([`super::parse_markdown`]) has its spans put back where the
//! page as written has them.

use super::MarkdownRead;
use crate::defs::{Guardrail, Initiative, KeyResult, Objective};
use crate::source::{Span, Spanned};

type Map<'a> = &'a mut dyn FnMut(Span) -> Span;

fn opt<T>(v: &mut Option<Spanned<T>>, f: Map) {
    if let Some(s) = v {
        s.span = f(s.span);
    }
}

fn one<T>(v: &mut Spanned<T>, f: Map) {
    v.span = f(v.span);
}

/// Maps every span in `read` (objectives with all their parts, notes, diagnostics).
pub(super) fn spans(read: &mut MarkdownRead, f: Map) {
    for o in &mut read.objectives {
        objective(o, f);
    }
    for n in &mut read.notes {
        n.span = f(n.span);
    }
    for d in &mut read.diagnostics {
        if let Some(s) = d.span {
            d.span = Some(f(s));
        }
    }
}

fn objective(o: &mut Objective, f: Map) {
    one(&mut o.id, f);
    one(&mut o.title, f);
    opt(&mut o.period, f);
    opt(&mut o.period_length, f);
    opt(&mut o.team, f);
    opt(&mut o.owner, f);
    opt(&mut o.aligns_to, f);
    opt(&mut o.why, f);
    opt(&mut o.commitment, f);
    o.span = f(o.span);
    for kr in &mut o.key_results {
        key_result(kr, f);
    }
    for i in &mut o.initiatives {
        initiative(i, f);
    }
    for g in &mut o.guardrails {
        guardrail(g, f);
    }
}

fn key_result(kr: &mut KeyResult, f: Map) {
    one(&mut kr.id, f);
    one(&mut kr.title, f);
    opt(&mut kr.metric, f);
    if let Some(m) = &mut kr.manual {
        m.span = f(m.span);
        opt(&mut m.unit, f);
    }
    opt(&mut kr.baseline, f);
    opt(&mut kr.target, f);
    opt(&mut kr.stretch, f);
    opt(&mut kr.owner, f);
    opt(&mut kr.weight, f);
    opt(&mut kr.measurement, f);
    opt(&mut kr.placeholder, f);
    kr.span = f(kr.span);
}

fn initiative(i: &mut Initiative, f: Map) {
    one(&mut i.title, f);
    for s in &mut i.supports {
        one(s, f);
    }
    opt(&mut i.owner, f);
    i.span = f(i.span);
}

fn guardrail(g: &mut Guardrail, f: Map) {
    opt(&mut g.metric, f);
    opt(&mut g.text, f);
    opt(&mut g.max_increase, f);
    opt(&mut g.max_decrease, f);
    opt(&mut g.min, f);
    opt(&mut g.max, f);
    g.span = f(g.span);
}
