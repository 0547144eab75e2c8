//! The page's context as the reader meets it: YAML front matter, the period (from a
//! heading, the title or a sentence giving the dates), the team and the owners named in
//! headings.

use super::NoteKind;
use super::classify::*;
use super::frag::Frag;
use super::period::{self, Found};
use super::reader::*;
use super::tree::Inline;
use crate::source::{Span, Spanned};
use crate::values::{Period, PeriodLength};
use chrono::NaiveDate;
use std::ops::Range;

impl Reader<'_> {
    pub(super) fn set_period(&mut self, ctx: &mut Ctx, found: &Found, span: Span) {
        ctx.period = found.period.map(|p| Spanned::new(p, span));
        ctx.length = found.length.map(|l| Spanned::new(l, span));
        self.periods
            .push((span.offset as usize, ctx.period.clone(), ctx.length.clone()));
        let what = match (&found.period, found.fiscal) {
            (Some(p), _) => format!("{p} ({})", found.label),
            (None, true)
                if found
                    .label
                    .split_whitespace()
                    .next()
                    .is_some_and(period::is_season) =>
            {
                format!(
                    "{}: a season; its dates are those the page states",
                    found.label
                )
            }
            (None, true) => format!(
                "{}: a fiscal period; its dates are those the page states",
                found.label
            ),
            (None, false) => format!("{} of a year the page does not name", found.label),
        };
        self.note(span, NoteKind::Period, what);
    }

    pub(super) fn set_range(
        &mut self,
        ctx: &mut Ctx,
        start: NaiveDate,
        end: NaiveDate,
        span: Span,
    ) {
        ctx.period = Some(Spanned::new(Period::Range { start, end }, span));
        ctx.length = Some(Spanned::new(period::range_length(start, end), span));
        self.periods
            .push((span.offset as usize, ctx.period.clone(), ctx.length.clone()));
        self.note(span, NoteKind::Period, format!("{start} to {end}"));
    }

    /// A sentence stating the period's dates, when the dates are not known yet.
    pub(super) fn date_range(&mut self, ctx: &mut Ctx, f: Frag) -> bool {
        // a line labelled as the period (`**Period:** Nov 4, 2025 - Jan 24, 2026`) states it
        // more exactly than a title's quarter (`# OKRs - Q1-Q2 2025`): it is the period
        let labelled = super::labels::split_label(f.text()).is_some_and(|(label, _)| {
            super::evidence::period_hint::PERIOD_ROWS.contains(&label.trim_matches(['*', '_', ' ']))
        });
        if ctx.period.is_some() && !labelled {
            return false;
        }
        let Some((start, end, r)) = period::find_range(f.text()) else {
            return false;
        };
        let span = self.span(f.sub(r));
        self.set_range(ctx, start, end, span);
        true
    }

    pub(super) fn front_matter(&mut self, text: &str, start: usize, ctx: &mut Ctx) {
        let Ok(root) = crate::yaml::parse(text, self.file) else {
            return; // not YAML: a horizontal rule and text, nothing to read
        };
        let crate::yaml::Value::Map(entries) = &root.value else {
            return;
        };
        let mut dates: (Option<NaiveDate>, Option<NaiveDate>) = (None, None);
        for (k, v) in entries {
            let (Some(key), Some(value)) = (k.scalar_text(text), v.scalar_text(text)) else {
                continue;
            };
            let span = self.span_src(
                start + v.span.offset as usize..start + (v.span.offset + v.span.len) as usize,
            );
            match key.to_ascii_lowercase().as_str() {
                "title" | "period" | "quarter" => {
                    if ctx.period.is_none()
                        && ctx.length.is_none()
                        && let Some(found) = period::find(&value)
                            .filter(|f| key != "title" || titles_period(f, &value))
                    {
                        self.set_period(ctx, &found, span);
                    }
                }
                "start" | "start_date" | "starts" => {
                    dates.0 = crate::values::parse_date(&value).ok()
                }
                "end" | "end_date" | "ends" => dates.1 = crate::values::parse_date(&value).ok(),
                "team" => ctx.team = Some(Spanned::new(value, span)),
                "owner" => ctx.owner = Some(Spanned::new(value, span)),
                _ => {}
            }
        }
        if let (Some(s), Some(e)) = dates
            && e > s
        {
            let span = self.span_src(start..start);
            self.set_range(ctx, s, e, span);
        }
    }

    /// The team or owner a period or OKR heading names (`## Q1 2024 OKRs - Growth`).
    pub(super) fn heading_names(
        &mut self,
        ctx: &mut Ctx,
        f: Frag,
        period: Option<&Range<usize>>,
        span: Span,
    ) {
        let rest = leftover(f.text(), period);
        if rest.is_empty() || rest.split_whitespace().count() > 5 {
            return;
        }
        let at = f
            .text()
            .find(rest.split_whitespace().next().unwrap_or(""))
            .unwrap_or(0);
        let text_span = {
            let mut s = self.span(f.skip(at));
            s.len = s.len.min(rest.len() as u32);
            s
        };
        let _ = span;
        if let Some(person) = rest.strip_suffix("'s").or_else(|| rest.strip_suffix("’s")) {
            self.note(text_span, NoteKind::Owner, person.to_string());
            ctx.owner = Some(Spanned::new(person.to_string(), text_span));
        } else {
            self.note(text_span, NoteKind::Team, rest.clone());
            ctx.team = Some(Spanned::new(rest, text_span));
        }
    }

    /// A plain heading over objectives names their team, or their owner (a role such as
    /// `CEO` or `VP Eng`, a person under "Personal OKRs", a `<TeamMember …/>` tag).
    pub(super) fn group_heading(
        &mut self,
        ctx: &mut Ctx,
        f: Frag,
        inline: &Inline,
        _span: Span,
    ) -> Option<(NoteKind, String)> {
        if let Some(p) = self.people(&inline.people) {
            let text = p.value.clone();
            ctx.owner = Some(p);
            return Some((NoteKind::Owner, text));
        }
        if !ctx.okr {
            return None;
        }
        let f = f.skip(numbering(f.text())).trim_with(&[':']);
        let t = self.text(f);
        let role = t.value.split_whitespace().count() <= 4
            && t.value
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| PERSON_ROLES.contains(&w.to_ascii_lowercase().as_str()));
        let text = t.value.clone();
        if ctx.personal || role {
            ctx.owner = Some(t);
            Some((NoteKind::Owner, text))
        } else {
            ctx.team = Some(t);
            Some((NoteKind::Team, text))
        }
    }
}

/// A page title names the OKRs' period when it speaks of OKRs, or when the period is one
/// OKRs are set for (a quarter, a half, a fiscal period); a month or a year alone in a title
/// without OKR words dates the post (`Community Meetup June 2016`), not the objectives.
fn titles_period(f: &Found, title: &str) -> bool {
    // `Aspirations for 2024`, `My goals in 2025`: a short title about the period it names
    let before = title[..f.at.start].trim_end().to_ascii_lowercase();
    let about = title[f.at.end..].trim().is_empty()
        && (before.ends_with(" for") || before.ends_with(" in"))
        && title.split_whitespace().count() <= 5;
    has_okr_words(title)
        || about
        || f.fiscal
        || matches!(f.length, Some(PeriodLength::Quarter | PeriodLength::Half))
}
