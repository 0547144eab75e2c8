//! Every rule, one file each. A rule's `//!` comment is its explanation
//! (`throughline explain RULE`): what it flags, why that is bad, an example, what to write instead.

mod annual_period;
mod baseline_mismatch;
mod event_not_in_data;
mod key_result_count;
mod kpi_as_key_result;
mod lagging_only;
mod missing_baseline;
mod missing_guardrails;
mod missing_owner;
mod missing_target;
mod orphan_objective;
mod output_key_result;
mod quantitative_objective;
mod secret_in_workspace;
mod too_many_objectives;
mod unambitious_target;
mod undefined_metric;
mod unknown_owner;
mod unmeasurable_key_result;
mod vague_objective;
mod value_not_in_data;
mod vanity_metric;

use crate::Rule;

/// Every rule, in the order `throughline rules` lists them.
pub static ALL: &[&dyn Rule] = &[
    &output_key_result::OutputKeyResult,
    &unmeasurable_key_result::UnmeasurableKeyResult,
    &missing_target::MissingTarget,
    &missing_baseline::MissingBaseline,
    &kpi_as_key_result::KpiAsKeyResult,
    &vanity_metric::VanityMetric,
    &key_result_count::KeyResultCount,
    &lagging_only::LaggingOnly,
    &missing_guardrails::MissingGuardrails,
    &quantitative_objective::QuantitativeObjective,
    &vague_objective::VagueObjective,
    &missing_owner::MissingOwner,
    &unknown_owner::UnknownOwner,
    &secret_in_workspace::SecretInWorkspace,
    &annual_period::AnnualPeriod,
    &too_many_objectives::TooManyObjectives,
    &orphan_objective::OrphanObjective,
    &undefined_metric::UndefinedMetric,
    &baseline_mismatch::BaselineMismatch,
    &unambitious_target::UnambitiousTarget,
    &event_not_in_data::EventNotInData,
    &value_not_in_data::ValueNotInData,
];

/// What every rule file uses.
mod prelude {
    pub use crate::facts::kr_facts;
    pub use crate::text;
    pub use crate::{Context, Rule, RuleMeta};
    pub use throughline_model::{Diagnostic, Objective, Origin, Severity};

    /// A finding with the rule's default severity (the runner sets the configured one).
    pub fn finding(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new("", Severity::Warning, message)
    }
}

/// For rule tests: the findings of `rule` on a throughline.yaml holding `yaml`, as
/// `line:column message`.
#[cfg(test)]
pub(crate) fn findings_in_root(yaml: &str, rule: &str) -> Vec<String> {
    let mut loader = throughline_model::Loader::new();
    loader.add_yaml(
        "throughline.yaml",
        std::path::Path::new("throughline.yaml"),
        yaml.into(),
    );
    crate::run(&loader.finish())
        .into_iter()
        .filter(|d| d.code == rule)
        .map(|d| {
            let at = d.span.expect("a finding has a place");
            format!("{}:{} {}", at.line, at.column, d.message)
        })
        .collect()
}
