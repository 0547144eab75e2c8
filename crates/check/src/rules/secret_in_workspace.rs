//! ## secret-in-workspace
//!
//! **What it flags.** A secret written into throughline.yaml: a Slack channel's webhook
//! address as `url:` (the address is the credential: whoever has it can post), a
//! `store:` address with a password in it (`postgres://user:password@host/db`), or a
//! PostgreSQL source's address written as `url:` (the address of the team's event data,
//! usually with its credentials).
//!
//! **Why this is bad.** The workspace lives in the team's repository, so everyone with
//! read access (forks, CI logs, the next contractor) has the secret, and it stays in the
//! history after it is removed. Rotating it means editing a file in every clone.
//!
//! **Example.**
//! ```yaml
//! notify:
//!   channels:
//!     team: { kind: slack, url: https://hooks.slack.com/services/T000/B000/XXXX }
//! ```
//!
//! **Instead.** Name an environment variable that holds it, and set that variable where
//! throughline runs (a CI secret, the server's environment):
//! ```yaml
//! notify:
//!   channels:
//!     team: { kind: slack, url_env: SLACK_WEBHOOK_URL }
//! ```

use super::prelude::*;
use throughline_model::notify::ChannelKind;

pub struct SecretInWorkspace;

static META: RuleMeta = RuleMeta::new(
    "secret-in-workspace",
    Severity::Warning,
    "a secret is written into the workspace",
    include_str!("secret_in_workspace.rs"),
);

impl Rule for SecretInWorkspace {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let s = &cx.workspace.settings;
        if let Some(n) = &s.notify {
            for ch in n.channels.values() {
                if let (ChannelKind::Slack, Some(url)) = (ch.kind.value, &ch.url) {
                    out.push(
                        finding(format!(
                            "channel `{}` has its Slack webhook address in the file: the address is the credential",
                            ch.id.value
                        ))
                        .at(url.span)
                        .help("write `url_env: SLACK_WEBHOOK_URL` instead and set that variable where throughline runs"),
                    );
                }
            }
        }
        for src in s.sources.values() {
            if let Some(url) = &src.url {
                out.push(
                    finding(format!(
                        "source `{}` has its database address in the file",
                        src.name.value
                    ))
                    .at(url.span)
                    .help("write `url_env: EVENTS_DATABASE_URL` instead and set that variable to the address where throughline runs"),
                );
            }
        }
        if let Some(store) = &s.store
            && has_password(&store.value)
        {
            out.push(
                finding("the store's address has a password in it")
                    .at(store.span)
                    .help("leave the password out (`postgres://user@host/db`) and set PGPASSWORD, or use a ~/.pgpass file"),
            );
        }
    }
}

/// `scheme://user:password@host…`.
fn has_password(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let auth = rest.split('/').next().unwrap_or_default();
    auth.rsplit_once('@')
        .is_some_and(|(user, _)| user.split_once(':').is_some_and(|(_, pw)| !pw.is_empty()))
}

#[cfg(test)]
mod tests {
    fn findings(yaml: &str) -> Vec<String> {
        super::super::findings_in_root(yaml, "secret-in-workspace")
    }

    #[test]
    fn webhook_addresses_and_store_passwords_are_flagged_names_of_variables_are_not() {
        let yaml = "store: postgres://tl:s3cret@db.internal/okrs
notify:
  channels:
    team: { kind: slack, url: 'https://hooks.slack.com/services/T0/B0/x' }
    ok: { kind: slack, url_env: SLACK_WEBHOOK_URL }
    hook: { kind: webhook, url: 'https://ops.example.com/in', secret_env: HOOK_SECRET }
";
        assert_eq!(
            findings(yaml),
            [
                "1:8 the store's address has a password in it",
                "4:31 channel `team` has its Slack webhook address in the file: the address is the credential",
            ]
        );
        assert!(super::has_password("postgres://a:b@h/d"));
        assert!(!super::has_password("postgres://a@h/d"));
        assert!(!super::has_password("sqlite://.throughline/state.db"));
        assert!(findings("store: postgres://tl@db/okrs\n").is_empty());
        let sources = "sources:
  events: { format: postgres, table: events, url: 'postgres://tl@db/app' }
  users: { format: postgres, table: users, url_env: APP_DB }
";
        assert_eq!(
            findings(sources),
            ["2:51 source `events` has its database address in the file"]
        );
    }
}
