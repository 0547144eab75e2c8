//! The judge: the shape reader's reading against the readings found by evidence
//! ([`super::evidence`]). The best one is kept; a doubtful reading is said plainly
//! (`uncertain-reading`, an error), never passed in silence.

use super::NoteKind;
use super::evidence::node::{Node, Slot};
use super::evidence::score::{Role, Shown};
use super::evidence::{Evidence, Reading};
use super::frag::Frag;
use super::reader::{Ctx, PeriodMark, Reader};
use super::tree::Block;
use crate::defs::KeyResult;
use crate::diagnostic::Diagnostic;
use crate::source::{Span, Spanned};
use crate::values::{Period, PeriodLength, Quantity};
use chrono::Datelike;
use std::ops::Range;

/// How far a reading found by evidence must be ahead of the shape reader's to replace it.
const REPLACE_MARGIN: f32 = 0.5;
/// A runner-up with other counts this close makes the reading doubtful.
const CLOSE: f32 = 2.0;

impl Reader<'_> {
    pub(super) fn judge(&mut self, blocks: &[Block]) {
        let ev = Evidence::of(blocks);
        if ev.nodes.is_empty() {
            return;
        }
        let own = ev.of_objectives(&self.objectives);
        let readings = ev.readings();
        let mut chosen = own.clone();
        // the shape reader's key results on metadata lines (`* Score: 0.8` under each key
        // result): a reading with the same counts but other lines is not the same reading
        let own_reads_meta = own
            .objectives
            .iter()
            .any(|o| o.1.iter().any(|&k| ev.roles[k] == Role::Meta));
        if let Some(best) = readings.first()
            && best.score > own.score + REPLACE_MARGIN
            && (best.counts() != own.counts() || own_reads_meta)
        {
            self.replace(&ev, best);
            chosen = best.clone();
        }
        // a reading found by evidence with the same counts vouches for the shape reader's
        if let Some(same) = readings.iter().find(|r| r.counts() == chosen.counts())
            && same.score > chosen.score
        {
            chosen.score = same.score;
        }
        self.date_objectives(&ev);
        self.widen_to_named_quarter(&ev);
        self.intro_states_the_days(&ev, &chosen);
        let runner = std::iter::once(&own)
            .chain(readings.iter())
            .filter(|r| r.counts() != chosen.counts() && r.counts().0 > 0)
            .max_by(|a, b| a.score.total_cmp(&b.score));
        let margin = runner.map_or(f32::INFINITY, |r| chosen.score - r.score);
        let (objectives, krs) = chosen.counts();
        let top = Span::at(self.file, self.src, 0, 0);
        let mut doubts: Vec<(Span, String)> = Vec::new();
        let mut help = "";
        if objectives > 0 && krs == 0 {
            let mut under = ev.kr_like_under(&chosen);
            under.extend(chosen.unplaced.iter().copied());
            under.sort_unstable();
            under.dedup();
            // one line with a number is not enough to doubt an objectives-only page; two, or
            // one marked `KR`, is
            if under.len() >= 2 || under.iter().any(|&u| ev.marked_kr[u]) {
                doubts.push((
                    self.node_span(&ev.nodes[under[0]]),
                    format!(
                        "{objectives} objective{} read with no key results, but {} under them look{} like key results ({})",
                        plural(objectives),
                        count_of(under.len(), "list item or row", "list items or rows"),
                        if under.len() == 1 { "s" } else { "" },
                        self.lines_of(&ev, &under)
                    ),
                ));
                help = "mark the key results (`KR1: …`, or a `Key results:` line above them) so that they are read as such";
            }
        }
        // objectives-only, each a term in bold and its explanation, on a page that names no
        // period: a list that explains words (a guide to OKRs), read as objectives
        if objectives >= 3 && krs == 0 && self.periods.is_empty() {
            let defined = objectives_where(&chosen, |o| ev.nodes[o].frag.term_and_explanation());
            if defined.len() * 2 > objectives {
                // every one of them so: the page explains OKRs and sets none (left out, said)
                let all = defined.len() == objectives;
                if all {
                    self.objectives.clear();
                }
                self.doubt_objectives(
                    &ev,
                    (&mut doubts, &mut help),
                    &defined,
                    format!(
                        "{} of {objectives} objectives read with no key results are each a term in bold and a sentence explaining it",
                        defined.len()
                    ),
                    if all {
                        "as a page that explains OKRs lists them: none is read as an objective"
                    } else {
                        "as a page that explains OKRs lists them"
                    },
                    "a page that explains OKRs rather than sets them can be left out of `pages:`; objectives written this way read surely as headings or lines of their own with their key results under them",
                );
            }
        }
        // objectives under a heading or a label that calls them examples (`## Good vs. Bad
        // OKRs`, `**Bad OKR:**`, `### Example`): a guide's illustrations, not the team's OKRs
        let shown = objectives_where(&chosen, |o| ev.introduced_as_example(o).is_some());
        if !shown.is_empty() && shown.len() * 2 >= objectives {
            // OKRs a guide judges good or bad are made up to show: what a person reads there
            // is no OKRs of the team's, and they are left out. Examples may be the team's own
            // from an earlier quarter: read, and doubted
            let judged: Vec<Range<usize>> = shown
                .iter()
                .filter(|&&o| ev.introduced_as_example(o) == Some(Shown::Judged))
                .map(|&o| ev.nodes[o].range.clone())
                .collect();
            self.objectives.retain(|o| {
                let at = o.title.span.offset as usize;
                !judged.iter().any(|r| r.contains(&at))
            });
            self.doubt_objectives(
                &ev,
                (&mut doubts, &mut help),
                &shown,
                format!(
                    "{} of {objectives} objectives are under a heading or label that calls them examples",
                    shown.len()
                ),
                if judged.is_empty() {
                    "which may not be the team's"
                } else {
                    "and those judged good or bad are not read as the team's"
                },
                "a guide's examples are not a team's OKRs: leave the page out of `pages:`, or write the team's own OKRs outside the examples",
            );
        }
        // headings over an objective that name periods neither of which holds the other
        // (`## H1 2027` over `### R1 (Sep-Nov 2026)`): which one the objective is for, only
        // its author knows
        let clashing: Vec<usize> = chosen
            .objectives
            .iter()
            .map(|o| o.0)
            .filter(|&o| {
                // (not the page's title: `# OKRs (Q4 2025 – 2026)` names its span loosely)
                let named: Vec<Period> = std::iter::once(&ev.nodes[o])
                    .chain(ev.headings_over(o))
                    .filter(|h| h.slot != Slot::Heading(1))
                    .filter_map(|h| super::period::find(h.frag.text())?.period)
                    .collect();
                named.iter().enumerate().any(|(k, a)| {
                    named[k + 1..].iter().any(|b| {
                        let holds =
                            |x: &Period, y: &Period| x.start() <= y.start() && y.end() <= x.end();
                        !holds(a, b) && !holds(b, a)
                    })
                })
            })
            .collect();
        if !clashing.is_empty() {
            self.doubt_objectives(
                &ev,
                (&mut doubts, &mut help),
                &clashing,
                format!(
                    "{} under headings that name periods that do not agree",
                    count_of(clashing.len(), "objective is", "objectives are")
                ),
                "each dated by the nearest",
                "state each objective's period once, or nest a period only under one that holds it",
            );
        }
        // headings the page marks as objectives in so many words (`### OKR-1: …`) that the
        // reading does not read as objectives, nor as a statement of one it reads
        let read_objectives: Vec<usize> = chosen.objectives.iter().map(|o| o.0).collect();
        let unread_marked: Vec<usize> = (0..ev.nodes.len())
            .filter(|&i| {
                // (headings: a marked line or row restates or cites one, as summaries do)
                ev.marked_obj[i]
                    && matches!(ev.nodes[i].slot, Slot::Heading(_))
                    && ev.roles[i] == Role::Content
                    && !read_objectives.contains(&i)
                    && !read_objectives
                        .iter()
                        .any(|&o| (o..ev.nodes[o].end).contains(&i))
            })
            .collect();
        if unread_marked.len() >= 2 {
            self.doubt_objectives(
                &ev,
                (&mut doubts, &mut help),
                &unread_marked,
                format!(
                    "{} marked as objectives in so many words {} not read as objectives",
                    count_of(unread_marked.len(), "heading", "headings"),
                    if unread_marked.len() == 1 { "is" } else { "are" }
                ),
                "",
                "keep the objectives the page marks (`OKR-1:`, `Objective 2:`) at one level, with their key results under them",
            );
        }
        // no objective dated, while the prose before them names a period or a day
        // (`Short term means the next ~90 days (through early November 2026)`): what the
        // objectives are for may be there, in words this reader does not take as a period
        if objectives > 0 && self.objectives.iter().all(|o| o.period.is_none()) {
            let first = chosen.objectives.iter().map(|o| o.0).min().unwrap_or(0);
            let named = ev.nodes[..first].iter().find_map(|n| {
                let f = super::period::find(n.frag.text())?;
                (n.slot == Slot::Line && f.period.is_some() && !f.bare_year).then_some((n, f))
            });
            if let Some((n, f)) = named {
                doubts.push((
                    self.node_span(n),
                    format!(
                        "no objective has a period, but the text before them names `{}` (line {})",
                        f.label,
                        self.node_span(n).line
                    ),
                ));
                if help.is_empty() {
                    help = "state the objectives' period in a heading (`## Q3 2026`) or a `Period:` line";
                }
            }
        }
        // key results written only inside code blocks (examples in ```markdown fences) are
        // not read: a page read with none says so
        if krs == 0 {
            let coded = coded_key_results(self.src);
            if coded.len() >= 2 {
                let lines: Vec<String> = coded.iter().take(4).map(usize::to_string).collect();
                doubts.push((
                    top,
                    format!(
                        "{} inside code blocks look like key results and are not read (line{} {}{})",
                        count_of(coded.len(), "line", "lines"),
                        if coded.len() == 1 { "" } else { "s" },
                        lines.join(", "),
                        if coded.len() > 4 { " and more" } else { "" }
                    ),
                ));
                if help.is_empty() {
                    help = "write the OKRs as Markdown outside the code block, or check the page the code block stands for";
                }
            }
        }
        let placed: usize = krs;
        // left out: lines like key results outside a section of notes or details, that do not
        // repeat one read (a details section restating the key results)
        let left = ev.left_out(&chosen);
        let unplaced = left.len();
        if unplaced >= 3 && unplaced * 5 >= placed + unplaced {
            doubts.push((
                self.node_span(&ev.nodes[left[0]]),
                format!(
                    "{} that look like key results are not under any objective ({})",
                    count_of(unplaced, "line", "lines"),
                    self.lines_of(&ev, &left)
                ),
            ));
            if help.is_empty() {
                help = "put each key result under its objective (a heading such as `### Objective 1: …`, or an item with the key results nested under it)";
            }
        }
        // most objectives without key results while some have them: the key results are
        // probably written another way under the others
        let bare: Vec<usize> = chosen
            .objectives
            .iter()
            .filter(|o| o.1.is_empty())
            .map(|o| o.0)
            .collect();
        if krs > 0 && objectives >= 3 && bare.len() * 2 > objectives {
            doubts.push((
                self.node_span(&ev.nodes[bare[0]]),
                format!(
                    "{} of {objectives} objectives were read with no key results ({})",
                    bare.len(),
                    self.lines_of(&ev, &bare)
                ),
            ));
            if help.is_empty() {
                help = "write each objective's key results the same way (items under it, or under a `Key results:` line)";
            }
        }
        // many key results, each marked `KR1:` … `KR9:`, are what the page says (too many is
        // `key-result-count`'s to say), not a doubt about the reading
        let kr_nodes: Vec<usize> = chosen
            .objectives
            .iter()
            .flat_map(|o| o.1.iter().copied())
            .collect();
        let marked = kr_nodes
            .iter()
            .filter(|&&k| ev.marked_kr[k] || ev.labelled(k))
            .count();
        if objectives > 0 && krs > 7 * objectives && marked * 5 < kr_nodes.len() * 4 {
            doubts.push((
                top,
                format!(
                    "{krs} key results for {objectives} objective{}: more than OKR pages hold; details or tasks may have been read as key results",
                    plural(objectives)
                ),
            ));
            if help.is_empty() {
                help = "nest details under their key result, and keep tasks under an `Initiatives:` label";
            }
        }
        // key results read by their shape alone on a page that never speaks of OKRs or key
        // results (in any language it is written in): a list of goals with their details
        // reads the same way, and only its author knows which it is
        if krs > 0 && marked == 0 && !speaks_of_key_results(self.src) {
            doubts.push((
                self.node_span(&ev.nodes[kr_nodes[0]]),
                format!(
                    "{} read as key results by their place alone: the page never says OKR or key result, and they may be goals or their details",
                    count_of(krs, "line", "lines")
                ),
            ));
            if help.is_empty() {
                help = "label the key results (`Key results:` above them, or `KR1: …`), or check the page with `--explain-read` and mark it as notes if it holds no OKRs";
            }
        }
        // objectives numbered or marked (`## 1) …`, `### Objective 2: …`) but for one or two
        // beside them: those are more likely sections of the page (an appendix, a process)
        let odd = ev.unnumbered_among_numbered(&chosen);
        if !odd.is_empty() {
            // after the last numbered one, they are the page's appendix: left out (and said)
            let last_numbered = chosen
                .objectives
                .iter()
                .map(|o| o.0)
                .filter(|o| !odd.contains(o))
                .max()
                .unwrap_or(0);
            let trailing = odd.iter().all(|&o| o > last_numbered);
            if trailing {
                let ranges: Vec<Range<usize>> =
                    odd.iter().map(|&o| ev.nodes[o].range.clone()).collect();
                self.objectives.retain(|o| {
                    let at = o.title.span.offset as usize;
                    !ranges.iter().any(|r| r.contains(&at))
                });
            }
            doubts.push((
                self.node_span(&ev.nodes[odd[0]]),
                format!(
                    "{} without the number or mark the other objectives have ({}): {} may be a section of the page, not an objective{}",
                    count_of(odd.len(), "heading or line", "headings or lines"),
                    self.lines_of(&ev, &odd),
                    if odd.len() == 1 { "it" } else { "they" },
                    if trailing {
                        ", and after the last numbered objective it is read so"
                    } else {
                        ""
                    }
                ),
            ));
            if help.is_empty() {
                help = "number or mark every objective the same way, and keep other sections under a heading of their own level";
            }
        }
        // OKRs marked in a site generator's tags or in comments (`{% okr o1 %}`,
        // `<!-- okr kr1 -->`, `{{< kr >}}`): the structure is in markup this reader skips
        let tagged = okr_markup_lines(self.src);
        if tagged.len() >= 2 {
            let lines: Vec<String> = tagged.iter().take(4).map(usize::to_string).collect();
            doubts.push((
                top,
                format!(
                    "{} mark objectives or key results in template tags or comments, which are not read (line{} {}{})",
                    count_of(tagged.len(), "line", "lines"),
                    if tagged.len() == 1 { "" } else { "s" },
                    lines.join(", "),
                    if tagged.len() > 4 { " and more" } else { "" }
                ),
            ));
            if help.is_empty() {
                help = "check the page the site generates, or write the OKRs as Markdown headings and lists";
            }
        }
        // a section the page heads as goals or objectives, read as nothing
        for (h, items) in ev.unread_goal_sections(&chosen) {
            // beside objectives read elsewhere, a `Secondary Goals` heading's items are more
            // goals: read as objectives with no key results, and said
            let goals = !self.objectives.is_empty() && names_goals_only(ev.nodes[h].frag.text());
            if goals {
                let mut marks = self.periods.clone();
                marks.sort_by_key(|m| m.0);
                for &i in &items {
                    let node = &ev.nodes[i];
                    let ctx = ctx_at(&marks, node.range.start);
                    let open =
                        self.open(unmarked(node.frag), &ctx, false, &node.frag.inline.people);
                    self.objectives.push(open.o);
                }
                self.objectives.sort_by_key(|o| o.title.span.offset);
            }
            doubts.push((
                self.node_span(&ev.nodes[h]),
                format!(
                    "the heading \"{}\" says goals follow, but none of the {} under it ({}) {}",
                    super::reader::excerpt(ev.nodes[h].frag.text()),
                    count_of(items.len(), "item", "items"),
                    self.lines_of(&ev, &items),
                    if goals {
                        "has key results: they are read as objectives with none"
                    } else {
                        "was read as an objective or a key result"
                    }
                ),
            ));
            if help.is_empty() {
                help = "write each goal as an objective (`### Objective: …` or an item with its key results nested under it), or mark the section as notes";
            }
        }
        let unread: Vec<Span> = self
            .diags
            .iter()
            .filter(|d| d.code == "markdown-unread")
            .filter_map(|d| d.span)
            .collect();
        if !unread.is_empty() {
            let lines: Vec<String> = unread.iter().take(4).map(|s| s.line.to_string()).collect();
            doubts.push((
                unread[0],
                format!(
                    "{} that look{} like part of an OKR had no place in the reading (line{} {})",
                    count_of(unread.len(), "line", "lines"),
                    if unread.len() == 1 { "s" } else { "" },
                    if unread.len() == 1 { "" } else { "s" },
                    lines.join(", ")
                ),
            ));
            if help.is_empty() {
                help = "put every key result under its objective";
            }
        }
        // the shape reader's own reading, ahead of every other: doubtful only when another is
        // within a point or two; a reading found by evidence alone needs a wider lead
        let close = if chosen.tiers.is_none() {
            CLOSE / 2.0
        } else {
            CLOSE.max(0.15 * chosen.score.abs())
        };
        if let Some(r) = runner
            && margin < close
            && objectives > 0
            && (differs_much(chosen.counts(), r.counts()) || margin < 0.0)
        {
            doubts.push((
                top,
                format!(
                    "two readings of the page are about as likely: {} and {}",
                    chosen.describe(),
                    r.describe()
                ),
            ));
            if help.is_empty() {
                help = "mark objectives (`Objective 1: …`, `O1.`) and key results (`KR1: …`) so that only one reading fits";
            }
        }
        let confidence = if margin.is_infinite() {
            100.0
        } else {
            100.0 - 50.0 * (-margin.max(0.0) / 2.0).exp()
        };
        let confidence = if doubts.is_empty() {
            confidence
        } else {
            confidence.min(40.0)
        };
        self.note(
            top,
            NoteKind::Reading,
            format!(
                "read as {}; confidence {:.0}%",
                chosen.describe(),
                confidence
            ),
        );
        if let Some(r) = runner {
            self.note(
                top,
                NoteKind::Reading,
                format!("runner-up: {}", r.describe()),
            );
        }
        if let Some((span, _)) = doubts.first() {
            let message = doubts
                .iter()
                .map(|d| d.1.clone())
                .collect::<Vec<_>>()
                .join("; ");
            self.diags.push(
                Diagnostic::error(
                    "uncertain-reading",
                    format!("this page may be misread: {message}"),
                )
                .at(*span)
                .label("the reading is doubtful here")
                .help(format!(
                    "{help}; `throughline check FILE --explain-read` shows what each line was read as"
                )),
            );
        } else if objectives > 0 && krs == 0 {
            self.diags.push(
                Diagnostic::warning(
                    "objectives-only",
                    format!(
                        "objectives only: {} and no key results on this page",
                        count_of(objectives, "objective", "objectives")
                    ),
                )
                .at(top)
                .help("add the key results that say how each objective is measured, as items under it (`- KR1: Increase activation from 23% to 35%`)"),
            );
        }
    }

    /// Objectives the reading left undated get the period of the nearest heading that
    /// names one, else one the page states elsewhere (a `Cycle` row, a start and end date,
    /// "by the end of 2025").
    fn date_objectives(&mut self, ev: &Evidence) {
        if self.objectives.iter().all(|o| o.period.is_some()) {
            return;
        }
        let page = ev.page_period();
        for i in 0..self.objectives.len() {
            if self.objectives[i].period.is_some() {
                continue;
            }
            let at = self.objectives[i].title.span.offset as usize;
            let node = ev.node_at(at);
            let hint = node
                .and_then(|n| ev.heading_period(n))
                .filter(|h| h.0.is_some())
                .or_else(|| node.and_then(|n| ev.yearless_quarter_period(n)))
                .or(page);
            if let Some((p, l, f)) = hint
                && p.is_some()
            {
                let span = self.span(f);
                let text = p.as_ref().map(ToString::to_string).unwrap_or_default();
                let o = &mut self.objectives[i];
                o.period = p.map(|p| Spanned::new(p, span));
                o.period_length = l.map(|x| Spanned::new(x, span));
                if !self.notes.iter().any(|n| n.span == span) {
                    self.note(
                        span,
                        NoteKind::Period,
                        format!("{text} (for the objectives below)"),
                    );
                }
            }
        }
    }

    /// Objectives under a heading that says they are the quarter's (`## OKRs du Trimestre`,
    /// `## This quarter's OKRs`) but dated only by a shorter span the page names elsewhere
    /// (`### Semaine du 2-6 Décembre 2024`): the quarter that span falls in.
    fn widen_to_named_quarter(&mut self, ev: &Evidence) {
        for o in &mut self.objectives {
            let Some(p) = o.period.as_ref() else { continue };
            let start = p.value.start();
            let short = matches!(p.value, Period::Month(..))
                || matches!(p.value, Period::Range { start, end } if (end - start).num_days() < 80);
            let Some(node) = ev.node_at(o.title.span.offset as usize) else {
                continue;
            };
            let named = ev.headings_over(node).any(|h| {
                let t = h.frag.text();
                quarter_word(t) && super::period::find(t).is_none()
            });
            let end = Period::Quarter(start.year(), (start.month0() / 3 + 1) as u8);
            if short && named && end.end() >= p.value.end() {
                let span = p.span;
                o.period = Some(Spanned::new(end, span));
                o.period_length = Some(Spanned::new(PeriodLength::Quarter, span));
            }
        }
    }

    /// The page's prose before its first objective names the days its quarter runs
    /// (`Quarter runs 2026-09-18 to 2026-12-31.`, under `# OKRs 2026-Q4`): those days are
    /// the objectives' period, stated more exactly than the title's quarter.
    fn intro_states_the_days(&mut self, ev: &Evidence, chosen: &Reading) {
        let Some(first) = chosen.objectives.iter().map(|o| o.0).min() else {
            return;
        };
        let intro: Vec<&Node> = ev.nodes[..first]
            .iter()
            .filter(|n| n.slot == Slot::Line)
            .collect();
        let Some(lead) = intro.first() else { return };
        let text = intro
            .iter()
            .map(|n| n.frag.text())
            .collect::<Vec<_>>()
            .join(" ");
        let Some((start, end, _)) = super::period::find_range(&text) else {
            return;
        };
        // an OKR's span, not a meeting's
        if (end - start).num_days() < 28 {
            return;
        }
        let range = Period::Range { start, end };
        let span = self.span(lead.frag);
        for o in &mut self.objectives {
            let Some(p) = o.period.as_ref() else { continue };
            let overlaps = p.value.start() < range.end() && range.start() < p.value.end();
            if overlaps
                && matches!(
                    p.value,
                    Period::Quarter(..) | Period::Half(..) | Period::Year(..)
                )
            {
                o.period = Some(Spanned::new(range, span));
                o.period_length = Some(Spanned::new(super::period::range_length(start, end), span));
            }
        }
    }

    /// Adds a doubt about the objective nodes `nodes` (at least one): `what` with the lines
    /// they are on, then `why`; `fix` becomes the help unless one is set.
    fn doubt_objectives(
        &self,
        ev: &Evidence,
        (doubts, help): (&mut Vec<(Span, String)>, &mut &'static str),
        nodes: &[usize],
        what: String,
        why: &str,
        fix: &'static str,
    ) {
        let why = if why.is_empty() {
            String::new()
        } else {
            format!(", {why}")
        };
        doubts.push((
            self.node_span(&ev.nodes[nodes[0]]),
            format!("{what} ({}){why}", self.lines_of(ev, nodes)),
        ));
        if help.is_empty() {
            *help = fix;
        }
    }

    fn node_span(&self, n: &Node) -> Span {
        self.span(n.frag)
    }

    /// `lines 12, 14 and 3 more`.
    fn lines_of(&self, ev: &Evidence, nodes: &[usize]) -> String {
        let mut lines: Vec<usize> = nodes
            .iter()
            .map(|&i| self.node_span(&ev.nodes[i]).line as usize)
            .collect();
        lines.dedup();
        let shown: Vec<String> = lines.iter().take(4).map(usize::to_string).collect();
        let more = lines.len().saturating_sub(4);
        let word = if lines.len() == 1 { "line" } else { "lines" };
        if more > 0 {
            format!("{word} {} and {more} more", shown.join(", "))
        } else {
            format!("{word} {}", shown.join(", "))
        }
    }

    /// Replaces the shape reader's objectives with the reading `r`.
    fn replace(&mut self, ev: &Evidence, r: &Reading) {
        // the objectives with what they hold, and their key results (a key results section
        // beside an objective's own lies outside it)
        let ranges: Vec<Range<usize>> = r
            .objectives
            .iter()
            .flat_map(|(o, krs)| std::iter::once(o).chain(krs))
            .map(|&i| ev.nodes[i].range.clone())
            .collect();
        let inside = |offset: usize| ranges.iter().any(|x| x.contains(&offset));
        self.notes.retain(|n| {
            !(matches!(
                n.kind,
                NoteKind::Ignored | NoteKind::NotUnderstood | NoteKind::Detail
            ) && inside(n.span.offset as usize))
        });
        self.diags.retain(|d| {
            !(d.code == "markdown-unread" && d.span.is_some_and(|s| inside(s.offset as usize)))
        });
        let mut marks = self.periods.clone();
        marks.sort_by_key(|m| m.0);
        let mut out = Vec::new();
        for (o, krs) in &r.objectives {
            let node = &ev.nodes[*o];
            let mut ctx = ctx_at(&marks, node.range.start);
            // the nearest statement of the period wins: a heading's (`### Q4 2026`), unless
            // the page states one after that heading (`**Period:** Nov 4, 2025 - …` under
            // `# OKRs - Q1-Q2 2025`)
            let stated_at = marks
                .iter()
                .rev()
                .find(|m| m.0 <= node.range.start && m.1.is_some())
                .map(|m| m.0);
            if let Some((p, l, f)) = ev.heading_period(*o)
                && stated_at.is_none_or(|at| at < self.span(f).offset as usize)
            {
                ctx.period = p.map(|p| Spanned::new(p, self.span(f)));
                ctx.length = l.map(|x| Spanned::new(x, self.span(f)));
            }
            let mut open = self.open(unmarked(node.frag), &ctx, false, &node.frag.inline.people);
            for &k in krs {
                let n = &ev.nodes[k];
                self.key_result(&mut open.o, unmarked(n.frag), false, &n.blocks);
                if n.slot == Slot::Row
                    && let Some(kr) = open.o.key_results.last_mut()
                {
                    self.row_values(kr, n);
                }
            }
            out.push(open.o);
        }
        self.objectives = out;
    }

    /// Values from a key result row's other cells, by their headers as the table reader
    /// names them ([`super::table::column`]): `Target`, `End of Q2` (the target),
    /// `Baseline`/`Start` (the baseline). `Current` is where things stand now, not the
    /// baseline.
    fn row_values(&self, kr: &mut KeyResult, n: &Node) {
        use super::table::{Col, column};
        for (head, cell) in &n.cells {
            let f = Frag::whole(cell);
            if f.is_empty() || std::ptr::eq(f.inline, n.frag.inline) {
                continue;
            }
            let Some(q) = first_quantity(f.text()) else {
                continue;
            };
            let value = Spanned::new(q, self.span(f));
            // `| 1.0 | 0.7 | 0.5 |` grades: what the full grade takes is the target
            let full_grade = matches!(head.text.trim(), "1.0" | "1" | "100%");
            match column(&head.text) {
                _ if full_grade => {
                    kr.target.get_or_insert(value);
                }
                Some(Col::Target) => {
                    kr.target.get_or_insert(value);
                }
                Some(Col::Baseline) => {
                    kr.baseline.get_or_insert(value);
                }
                _ => {}
            }
        }
    }
}

/// The title without a bullet or mark written before it (`• `, `📌 `), and without a mark
/// the shape reader does not strip itself (`OKR 1:`, `**Hedef (Objective):**`).
/// Lines (1-based) that are a template tag or a comment naming an objective or a key result:
/// `{% okr o1 %}`, `<!-- okr kr2 percent:0.5 -->`, `{{< objective 1 >}}`.
fn okr_markup_lines(src: &str) -> Vec<usize> {
    src.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start();
            let markup = t.starts_with("{%") || t.starts_with("{{") || t.starts_with("<!--");
            markup
                && t.to_ascii_lowercase()
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|w| {
                        // an objective's or a key result's own mark, not the word OKR (a
                        // comment `<!-- start of the OKR summary -->` marks nothing)
                        let numbered = |p: &str| {
                            w.len() > p.len()
                                && w.starts_with(p)
                                && w[p.len()..].bytes().all(|b| b.is_ascii_digit())
                        };
                        matches!(w, "objective" | "kr" | "keyresult")
                            || numbered("kr")
                            || numbered("o")
                    })
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// Whether a page names OKRs or key results anywhere, in the languages OKR pages are
/// written in.
fn speaks_of_key_results(src: &str) -> bool {
    let lower = src.to_lowercase();
    const WORDS: [&str; 16] = [
        "okr",
        "key result",
        "key-result",
        "resultado",
        "résultat",
        "risultat",
        "schlüsselergebnis",
        "kết quả",
        "anahtar sonuç",
        "关键结果",
        "關鍵結果",
        "主要な結果",
        "成果指標",
        "핵심 결과",
        "핵심결과",
        "ключев",
    ];
    if WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    // `KR1`, `KR 2.1`, `KRs`: the abbreviation as a word of its own
    lower.split(|c: char| !c.is_alphanumeric()).any(|w| {
        w == "kr"
            || w == "krs"
            || (w.starts_with("kr") && w[2..].chars().all(|c| c.is_ascii_digit()) && w.len() > 2)
    })
}

fn unmarked(f: Frag) -> Frag {
    let t = f.text();
    let plain = super::evidence::node::plain(t);
    let f = f.skip(t.len() - plain.len());
    let t = f.text();
    match super::evidence::score::objective_mark(t) {
        Some(n) if super::labels::objective_prefix(t).is_none() => f.skip(n),
        _ => f,
    }
}

/// Lines inside fenced code blocks that start like a key result (`KR1 :`, `| KR2: … |`,
/// `- Key result: …`): their line numbers.
fn coded_key_results(src: &str) -> Vec<usize> {
    let mut fence: Option<&str> = None;
    let mut out = Vec::new();
    for (i, line) in src.lines().enumerate() {
        let t = line.trim_start();
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            } else {
                let body = t.trim_start_matches(['|', '-', '*', '+', ' ', '>']);
                if super::labels::kr_prefix(body).is_some() {
                    out.push(i + 1);
                }
            }
        } else if t.starts_with("```") {
            fence = Some("```");
        } else if t.starts_with("~~~") {
            fence = Some("~~~");
        }
    }
    out
}

fn first_quantity(t: &str) -> Option<Quantity> {
    crate::values::quantities_in(t)
        .into_iter()
        .map(|q| q.0)
        .next()
}

/// The period in force at `offset`: the last one set before it, else the first one set.
fn ctx_at(marks: &[PeriodMark], offset: usize) -> Ctx {
    let mark = marks
        .iter()
        .rev()
        .find(|m| m.0 <= offset)
        .or_else(|| marks.first());
    let mut ctx = Ctx::default();
    if let Some((_, p, l)) = mark {
        ctx.period = p.clone();
        ctx.length = l.clone();
    }
    ctx
}

/// Readings whose objectives differ, or whose key results differ by more than a third.
fn differs_much(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 != b.0 || a.1.abs_diff(b.1) * 3 > a.1.max(b.1)
}

/// `quarter`, `quarterly`, `trimestre`, `Quartal`, `季度`: a word that names a quarter without
/// saying which.
fn quarter_word(t: &str) -> bool {
    let lower = t.to_lowercase();
    lower.contains("季度")
        || lower.split(|c: char| !c.is_alphanumeric()).any(|w| {
            matches!(
                w,
                "quarter"
                    | "quarterly"
                    | "quarter's"
                    | "trimestre"
                    | "trimestral"
                    | "quartal"
                    | "quartals"
                    | "kwartaal"
            )
        })
}

/// `Secondary Goals:`, `Q3 objectives`: a heading that says goals or objectives follow (not
/// key results).
fn names_goals_only(t: &str) -> bool {
    let lower = t.to_lowercase();
    !lower.contains("key result")
        && lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| matches!(w, "goals" | "objectives"))
}

/// The objective nodes of a reading that `f` holds for.
fn objectives_where(r: &Reading, f: impl Fn(usize) -> bool) -> Vec<usize> {
    r.objectives.iter().map(|o| o.0).filter(|&o| f(o)).collect()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn count_of(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
