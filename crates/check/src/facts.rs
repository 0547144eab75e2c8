//! What the rules need to know about each key result, worked out once.

use throughline_model::{KeyResult, Origin};

use crate::text;

/// How a key result reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct KrFacts {
    /// It describes work to do, not a measured result.
    pub output: bool,
    /// It keeps a value where it is.
    pub maintain: bool,
    /// Nothing says how it is measured.
    pub unmeasurable: bool,
    pub has_target: bool,
    pub has_baseline: bool,
    /// A placeholder (`X%`, `$N`, `TBD`) stands where the target belongs.
    pub placeholder_target: bool,
}

pub fn kr_facts(kr: &KeyResult, origin: Origin) -> KrFacts {
    let title = &kr.title.value;
    let measured_by_metric = kr.metric.is_some() && kr.target.is_some();
    let output = !measured_by_metric && text::describes_work(title);
    let same_value = match (&kr.baseline, &kr.target) {
        (Some(b), Some(t)) => b.value == t.value,
        _ => false,
    };
    let maintain = text::describes_maintaining(title) || same_value;
    let unmeasurable = match origin {
        Origin::Yaml => kr.metric.is_none() && kr.manual.is_none(),
        Origin::Markdown => {
            kr.placeholder.is_none()
                && kr.target.is_none()
                && kr.baseline.is_none()
                && kr.measurement.is_none()
                && text::numbers(title).is_empty()
        }
    };
    KrFacts {
        output,
        maintain,
        unmeasurable,
        has_target: kr.target.is_some(),
        has_baseline: kr.baseline.is_some(),
        placeholder_target: kr.placeholder.is_some() && kr.target.is_none(),
    }
}
