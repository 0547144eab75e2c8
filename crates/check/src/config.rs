//! `checks:` in throughline.yaml: turn a rule off, change its severity, set its limits.

use std::collections::HashMap;

use throughline_model::{Diagnostic, Severity, Workspace, did_you_mean};

use crate::RuleMeta;

/// Limits a rule may take from `checks:` (`key-result-count: { min: 2, max: 6 }`).
#[derive(Clone, Copy, Debug, Default)]
pub struct RuleOptions {
    pub min: Option<u32>,
    pub max: Option<u32>,
}

/// Resolved rule configuration.
#[derive(Debug, Default)]
pub struct Config {
    levels: HashMap<String, Option<Severity>>,
    options: HashMap<String, RuleOptions>,
}

impl Config {
    /// Reads `checks:`; unknown rule ids are reported with a suggestion.
    pub fn from_workspace(ws: &Workspace) -> (Config, Vec<Diagnostic>) {
        let mut config = Config::default();
        let mut diags = Vec::new();
        let known: Vec<&str> = crate::rules::ALL
            .iter()
            .map(|r| r.meta().id)
            .chain(crate::READER_CODES.iter().map(|c| c.0))
            .collect();
        for s in &ws.settings.checks {
            let id = s.rule.value.as_str();
            if !known.contains(&id) {
                let help = match did_you_mean(id, known.iter().copied()) {
                    Some(k) => {
                        format!("did you mean `{k}`? `throughline rules` lists every rule id")
                    }
                    None => "`throughline rules` lists every rule id".to_string(),
                };
                diags.push(
                    Diagnostic::error("unknown-key", format!("`{id}` is not a rule"))
                        .at(s.rule.span)
                        .help(help),
                );
                continue;
            }
            if s.level_set {
                config.levels.insert(id.to_string(), s.level);
            }
            let opts = RuleOptions {
                min: s.min.as_ref().map(|m| m.value),
                max: s.max.as_ref().map(|m| m.value),
            };
            if let (Some(min), Some(max)) = (&s.min, &s.max)
                && min.value > max.value
            {
                diags.push(
                    Diagnostic::error(
                        "invalid-value",
                        format!("`min` ({}) is larger than `max` ({})", min.value, max.value),
                    )
                    .at(min.span)
                    .help("swap the two limits"),
                );
            }
            config.options.insert(id.to_string(), opts);
        }
        (config, diags)
    }

    /// The severity to report a rule's findings at, or `None` when it is off.
    pub fn severity(&self, meta: &RuleMeta) -> Option<Severity> {
        match self.levels.get(meta.id) {
            Some(level) => *level,
            None => Some(meta.severity),
        }
    }

    /// The severity of a finding of the Markdown reader (`uncertain-reading`, …), or `None`
    /// when `checks:` turns it off.
    pub fn reader_severity(&self, id: &str, default: Severity) -> Option<Severity> {
        match self.levels.get(id) {
            Some(level) => *level,
            None => Some(default),
        }
    }

    pub fn options(&self, id: &str) -> RuleOptions {
        self.options.get(id).copied().unwrap_or_default()
    }
}
