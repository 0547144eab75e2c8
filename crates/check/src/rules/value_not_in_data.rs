//! ## value-not-in-data
//!
//! **What it flags.** A value a metric's `where:` requires (`plan = 'pro'`, `channel in
//! ('web', 'app')`, joined by `and`) that its column never has in the data. Runs with
//! `throughline check --with-data`; `measure`, `review` and the dashboard say the same and show
//! the metric as no data.
//!
//! **Why this is bad.** A filter that matches no event counts zero, every period: a typo in a
//! value (`'Pro'` for `'pro'`, `'mobile'` where the data says `'ios'`) looks exactly like a
//! segment nobody uses. A guardrail reads as healthy, a key result as a flat line, and nothing
//! says that the zero comes from the definition.
//!
//! **Example.** The data's `plan` column holds `free`, `pro` and `team`:
//! ```yaml
//! - id: pro_signups
//!   compute: { type: count, event: signup, where: "plan = 'Pro'" }
//! ```
//!
//! **Instead.** Write the value as the data has it (the finding suggests the closest one):
//! ```yaml
//!   compute: { type: count, event: signup, where: "plan = 'pro'" }
//! ```
//! If the value is real but has not occurred yet, say so where the metric is defined:
//! `# throughline: allow(value-not-in-data)`.

use super::prelude::*;

pub struct ValueNotInData;

static META: RuleMeta = RuleMeta::new(
    "value-not-in-data",
    Severity::Error,
    "a metric's where: requires a value its column never has in the data (reads data)",
    include_str!("value_not_in_data.rs"),
);

impl Rule for ValueNotInData {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(data) = cx.data else { return };
        for a in &data.absent_events {
            let Some(column) = &a.column else { continue };
            let help = match &a.suggestion {
                Some(s) => format!("did you mean `{s}`? (a value `{column}` has)"),
                None => format!(
                    "no value of `{column}` is close; if this one has simply not occurred yet, allow it with `# throughline: allow(value-not-in-data)`"
                ),
            };
            out.push(
                finding(format!(
                    "metric `{}` keeps events whose `{column}` is `{}`, and no event has that value",
                    a.metric, a.name.value
                ))
                .at(a.name.span)
                .label("this filter matches no event")
                .help(help),
            );
        }
    }
}
