//! OKR tables: an Objective column and a Key result column (a row with an empty Objective
//! cell continues the objective above; one cell may hold several key results), or a Key
//! result table under an objective heading; Owner, Target, Baseline/Current and Stretch
//! columns give the fields. Tables without those columns (schedules, milestones) are passed over.

use std::ops::Range;

use super::NoteKind;
use super::frag::Frag;
use super::labels::same_words;
use super::open::Open;
use super::reader::{Ctx, Reader, excerpt};
use super::tree::Inline;
use crate::defs::Objective;
use crate::source::Spanned;
use crate::values::Quantity;

/// Which column holds what.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Columns {
    pub objective: Option<usize>,
    pub kr: Option<usize>,
    pub owner: Option<usize>,
    pub target: Option<usize>,
    pub baseline: Option<usize>,
    pub stretch: Option<usize>,
}

fn normal(header: &str) -> String {
    let t: String = header
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a column holds, by its header (normalized: lowercase words).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Col {
    Objective,
    Kr,
    Owner,
    Target,
    Baseline,
    Stretch,
}

/// "Objective" and "key result" as column headers in the other languages OKR pages are
/// written in. A translated objective column counts only beside a key result column: alone
/// (`| Obiettivo | Target |`) its rows are often the results themselves.
const OBJECTIVE_HEADERS: &[&str] = &[
    "目标",
    "目標",
    "목표",
    "objetivo",
    "objetivos",
    "objectif",
    "objectifs",
    "obiettivo",
    "obiettivi",
    "ziel",
    "ziele",
    "hedef",
    "hedefler",
    "mục tiêu",
    "doel",
    "doelstelling",
];
const KR_HEADERS: &[&str] = &[
    "关键结果",
    "關鍵結果",
    "主要な結果",
    "重要な結果",
    "成果指標",
    "핵심 결과",
    "핵심결과",
    "resultados clave",
    "resultado clave",
    "resultados chave",
    "resultado chave",
    "résultats clés",
    "résultat clé",
    "risultati chiave",
    "risultato chiave",
    "schlüsselergebnisse",
    "schlüsselergebnis",
    "kết quả then chốt",
    "anahtar sonuçlar",
    "kernresultaten",
];

/// The column a header names, if any.
pub(super) fn column(header: &str) -> Option<Col> {
    let n = normal(header);
    if OBJECTIVE_HEADERS.contains(&n.as_str()) {
        return Some(Col::Objective);
    }
    if KR_HEADERS.contains(&n.as_str()) {
        return Some(Col::Kr);
    }
    Some(match n.as_str() {
        "objective" | "objectives" | "goal" | "goals" | "okr objective" => Col::Objective,
        "key result" | "key results" | "kr" | "krs" | "key results krs" | "success criteria"
        | "success metric" | "success metrics" | "measure of success" => Col::Kr,
        "owner" | "owners" | "dri" | "lead" | "assignee" | "responsible" | "who" => Col::Owner,
        "target" | "target value" | "goal value" => Col::Target,
        // `End of Q2`, `By end of 2025`: the value wanted when the period ends
        n if n.starts_with("end of") || n.starts_with("by end") => Col::Target,
        "baseline" | "start" | "starting value" | "starting point" | "from" => Col::Baseline,
        "stretch" | "stretch target" => Col::Stretch,
        _ => return None,
    })
}

impl Columns {
    pub fn of(head: &[Inline]) -> Columns {
        let mut c = Columns::default();
        for (i, h) in head.iter().enumerate() {
            let Some(col) = column(&h.text) else { continue };
            let slot = match col {
                Col::Objective => &mut c.objective,
                Col::Kr => &mut c.kr,
                Col::Owner => &mut c.owner,
                Col::Target => &mut c.target,
                Col::Baseline => &mut c.baseline,
                Col::Stretch => &mut c.stretch,
            };
            slot.get_or_insert(i);
        }
        if c.kr.is_none()
            && c.objective
                .is_some_and(|i| OBJECTIVE_HEADERS.contains(&normal(&head[i].text).as_str()))
        {
            c.objective = None;
        }
        c
    }
}

/// The key results in one cell: one per line (`<br>`), and split at ` · `, ` • ` and before
/// `KR2:`.
fn split_cell(cell: &Inline) -> Vec<Frag<'_>> {
    let mut out = Vec::new();
    for line in Frag::lines(cell) {
        let t = line.text();
        let mut cuts = vec![0];
        for sep in [" · ", " • ", " ; "] {
            let mut from = 0;
            while let Some(i) = t[from..].find(sep) {
                cuts.push(from + i);
                cuts.push(from + i + sep.len());
                from += i + sep.len();
            }
        }
        let lower = t.to_ascii_lowercase();
        let mut from = 1;
        while let Some(i) = lower.get(from..).and_then(|r| r.find("kr")) {
            let at = from + i;
            let before = lower[..at].chars().next_back();
            if before.is_some_and(|c| c == ' ') && super::labels::kr_prefix(&t[at..]).is_some() {
                cuts.push(at);
                cuts.push(at);
            }
            from = at + 2;
        }
        cuts.push(t.len());
        cuts.sort_unstable();
        // pairs of (end of one part, start of the next)
        let mut starts = vec![0];
        let mut ends = Vec::new();
        for pair in cuts[1..cuts.len() - 1].chunks(2) {
            if let [e, s] = pair {
                ends.push(*e);
                starts.push(*s);
            }
        }
        ends.push(t.len());
        for (s, e) in starts.into_iter().zip(ends) {
            let part = line.sub(s..e).trim_with(&['•', '-', '·', ';']);
            if !part.is_empty() {
                out.push(part);
            }
        }
    }
    out
}

/// `5`, `5 KRs`, `4 key results`, `3 resultados-chave`: a number of key results.
fn is_count(t: &str) -> bool {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let rest = t[digits..].trim().to_lowercase();
    rest.is_empty()
        || rest == "kr"
        || rest == "krs"
        || rest.starts_with("key result")
        || rest.starts_with("resultado")
        || rest.starts_with("résultat")
        || rest.starts_with("个")
}

fn cell<'a>(row: &'a [Inline], col: Option<usize>) -> Option<Frag<'a>> {
    let f = Frag::whole(row.get(col?)?);
    (!f.is_empty() && !matches!(f.text(), "-" | "—" | "–" | "n/a" | "N/A")).then_some(f)
}

impl Reader<'_> {
    /// A table: objectives and key results, key results for `into`, or nothing to read.
    pub fn table(
        &mut self,
        head: &[Inline],
        rows: &[Vec<Inline>],
        range: Range<usize>,
        ctx: &Ctx,
        into: Option<&mut Objective>,
    ) {
        let cols = Columns::of(head);
        let span = self.span_src(range.start..range.start + 1);
        // `| O1: SaaS Ready | 5 KRs | Backend |`: a summary that counts the key results listed
        // elsewhere, not objectives and key results of its own
        if let Some(kc) = cols.kr {
            let cells: Vec<&str> = rows
                .iter()
                .filter_map(|r| r.get(kc))
                .map(|c| c.text.trim())
                .filter(|t| !t.is_empty())
                .collect();
            if !cells.is_empty() && cells.iter().all(|t| is_count(t)) {
                self.note(
                    span,
                    NoteKind::Ignored,
                    "a summary table: its key result column counts them".to_string(),
                );
                return;
            }
        }
        match (cols.objective, cols.kr, into) {
            (Some(oc), _, _) => {
                let mut open: Option<Open> = None;
                for row in rows {
                    // the objective written again on each of its rows continues it
                    let again = |o: &Option<Open>, f: &Frag| {
                        o.as_ref().is_some_and(|o| o.o.title.value == f.text())
                    };
                    if let Some(f) = cell(row, Some(oc))
                        && !again(&open, &f)
                    {
                        self.close(open.take());
                        let mut o = self.open(f, ctx, false, &row[oc].people);
                        if let Some(owner) = cell(row, cols.owner) {
                            o.o.owner = Some(self.text(owner));
                        }
                        open = Some(o);
                    }
                    if let Some(o) = &mut open {
                        self.row_key_results(&mut o.o, row, cols);
                    }
                }
                self.close(open);
            }
            (None, Some(_), Some(o)) => {
                for row in rows {
                    self.row_key_results(o, row, cols);
                }
            }
            // the key results read above, listed again (a scoring or tracking table)
            (None, Some(k), None) if self.restates_key_results(rows, k) => {
                self.note(
                    span,
                    NoteKind::Ignored,
                    "a table of the key results read above, again (with their scores or status)",
                );
            }
            (None, Some(_), None) => {
                self.unread(
                    span,
                    "a key result table with no objective above it".into(),
                    "put the table under an objective heading, or add an Objective column",
                );
            }
            (None, None, _) => {
                let header: Vec<&str> = head.iter().map(|h| h.text.trim()).collect();
                self.note(
                    span,
                    NoteKind::Ignored,
                    format!(
                        "table ({}): no objective or key result column",
                        excerpt(&header.join(" | "))
                    ),
                );
            }
        }
    }

    /// Whether every row's key result is one read above (by its words).
    fn restates_key_results(&self, rows: &[Vec<Inline>], col: usize) -> bool {
        let read: Vec<String> = self
            .objectives
            .iter()
            .flat_map(|o| o.key_results.iter())
            .map(|k| same_words(&k.title.value))
            .collect();
        // the same words, or the start of a key result's (a row shortened in the table)
        !rows.is_empty()
            && rows.iter().all(|r| {
                r.get(col).is_some_and(|c| {
                    let w = same_words(&c.text);
                    read.iter()
                        .any(|k| *k == w || (!w.is_empty() && k.starts_with(&w)))
                })
            })
    }

    fn row_key_results(&mut self, o: &mut Objective, row: &[Inline], cols: Columns) {
        let Some(kc) = cols.kr.and_then(|k| row.get(k)) else {
            return;
        };
        let mut parts = split_cell(kc);
        let single = parts.len() == 1;
        // `| **KR 1.1** | Grow monthly visitors | 6.0 M |`: a cell holding only the key
        // result's mark leaves its text to the next column the table does not otherwise name
        if single && super::labels::bare_mark(parts[0].text()) {
            let known = [
                cols.objective,
                cols.kr,
                cols.owner,
                cols.target,
                cols.baseline,
                cols.stretch,
            ];
            let k = cols.kr.unwrap_or(0);
            let text = (k + 1..row.len())
                .find(|i| !known.contains(&Some(*i)))
                .and_then(|i| cell(row, Some(i)));
            // with no such column the mark is its name (its values are the row's, never
            // the mark's number: see `key_result`)
            if let Some(t) = text {
                parts = vec![t];
            }
        }
        for part in parts {
            self.key_result(o, part, false, &[]);
        }
        // the row's value columns belong to its one key result
        if !single || o.key_results.is_empty() {
            return;
        }
        let quantity = |r: &Reader, f: Option<Frag>| {
            let f = f?;
            let clean = f
                .text()
                .trim_start_matches(['≥', '≤', '>', '<', '=', '~', ' ']);
            Quantity::parse(clean).map(|q| Spanned::new(q, r.span(f)))
        };
        let target = quantity(self, cell(row, cols.target));
        let baseline = quantity(self, cell(row, cols.baseline));
        let stretch = quantity(self, cell(row, cols.stretch));
        let owner = cell(row, cols.owner).map(|f| self.text(f));
        let kr = o.key_results.last_mut().expect("checked");
        if let Some(t) = target {
            kr.target = Some(t);
            kr.placeholder = None;
        }
        kr.baseline = baseline.or(kr.baseline.take());
        kr.stretch = stretch.or(kr.stretch.take());
        kr.owner = owner.or(kr.owner.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::tree::{Block, parse};

    #[test]
    fn cells_split_into_key_results() {
        let blocks = parse(
            "| Objective | Key Results |\n|---|---|\n| Ship | KR1: a ≤ 1.5h · KR2: b ≤ 30% |\n| Grow | • one<br/>• two |\n| Keep | KR1: x KR2: y |\n",
        );
        let Block::Table { rows, .. } = &blocks[0] else {
            panic!()
        };
        let texts = |r: usize| -> Vec<String> {
            split_cell(&rows[r][1])
                .iter()
                .map(|f| f.text().to_string())
                .collect()
        };
        assert_eq!(texts(0), ["KR1: a ≤ 1.5h", "KR2: b ≤ 30%"]);
        assert_eq!(texts(1), ["one", "two"]);
        assert_eq!(texts(2), ["KR1: x", "KR2: y"]);
    }
}
