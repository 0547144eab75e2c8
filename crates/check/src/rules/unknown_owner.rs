//! ## unknown-owner
//!
//! **What it flags.** An objective's or key result's `owner` that no `people:` entry names
//! (by `name` or `also`), in a workspace that has `people:` or `notify:`.
//!
//! **Why this is bad.** Reminders to check in go to owners. An owner that matches no person
//! gets no e-mail and no Slack mention, so the key result that most needs a nudge is the one
//! nobody is nudged about, and the digest cannot say who is late.
//!
//! **Example.**
//! ```yaml
//! people:
//!   - { name: Dana (PM Growth), email: dana@example.com }
//! objectives:
//!   - id: improve-activation
//!     owner: Dana            # no person is called "Dana"
//! ```
//!
//! **Instead.** Write the owner as `people:` names them, or list the other spelling:
//! ```yaml
//! people:
//!   - { name: Dana (PM Growth), also: [Dana], email: dana@example.com }
//! ```

use super::prelude::*;
use throughline_model::notify::person;

pub struct UnknownOwner;

static META: RuleMeta = RuleMeta::new(
    "unknown-owner",
    Severity::Warning,
    "an owner is not in any `people:` list",
    include_str!("unknown_owner.rs"),
);

impl Rule for UnknownOwner {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let ws = cx.workspace;
        if ws.people.is_empty() && ws.settings.notify.is_none() {
            return;
        }
        let owners = ws.objectives.iter().flat_map(|o| {
            o.owner
                .iter()
                .chain(o.key_results.iter().filter_map(|k| k.owner.as_ref()))
        });
        for owner in owners {
            if person(&ws.people, &owner.value).is_some() {
                continue;
            }
            let names: Vec<&str> = ws.people.iter().map(|p| p.name.value.as_str()).collect();
            let close = throughline_model::did_you_mean(&owner.value, names.iter().copied());
            let help = match close {
                Some(n) => format!(
                    "did you mean `{n}`? Or add `{}` to that person's `also:`",
                    owner.value
                ),
                None => format!(
                    "add `- {{ name: {}, email: …, slack: … }}` to a `people:` list so reminders reach them",
                    owner.value
                ),
            };
            out.push(
                finding(format!(
                    "owner \"{}\" is not in any `people:` list",
                    owner.value
                ))
                .at(owner.span)
                .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    fn findings(yaml: &str) -> Vec<String> {
        super::super::findings_in_root(yaml, "unknown-owner")
    }

    const OKRS: &str = "objectives:
  - id: a
    title: Get new teams to their first workflow
    period: 2026-Q3
    owner: Dana
    key_results:
      - { id: k, title: Raise activation from 23% to 35%, owner: pm growth, manual: { unit: percent }, baseline: 23, target: 35 }
";

    #[test]
    fn owners_match_names_and_aliases_only_when_people_are_listed() {
        // Without `people:` or `notify:` the rule has nothing to compare with.
        assert!(findings(OKRS).is_empty());
        let people = "people:\n  - { name: Dana (PM Growth), also: [PM Growth] }\n";
        assert_eq!(
            findings(&format!("{OKRS}{people}")),
            ["5:12 owner \"Dana\" is not in any `people:` list"]
        );
    }
}
