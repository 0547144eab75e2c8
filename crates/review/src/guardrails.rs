//! Guardrail lights. A guardrail or KPI is Red when it breaks one of its limits (an objective's
//! `max_increase` / `max_decrease` against the baseline, `min` / `max`, or the metric's
//! `healthy:` bounds), Yellow when it has used at least [`YELLOW_SHARE`] of an allowed change
//! or is within 5% of a bound, or, with no limits at all, when it moved the wrong way beyond
//! its normal wobble; Green otherwise.

use serde::Serialize;

/// Yellow from this share of an allowed change on.
pub const YELLOW_SHARE: f64 = 0.75;
/// Yellow within this relative distance of an absolute bound.
const NEAR_BOUND: f64 = 0.05;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Yellow,
    Red,
    /// No value, or no baseline to compare with.
    Unknown,
}

impl Light {
    pub fn label(self) -> &'static str {
        match self {
            Light::Green => "Green",
            Light::Yellow => "Yellow",
            Light::Red => "Red",
            Light::Unknown => "Unknown",
        }
    }

    /// A colored mark for chat and pull requests.
    pub fn mark(self) -> &'static str {
        match self {
            Light::Green => "🟢",
            Light::Yellow => "🟡",
            Light::Red => "🔴",
            Light::Unknown => "⚪",
        }
    }
}

/// One limit on a guardrail.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Limit {
    /// Percent against the baseline.
    MaxIncrease {
        percent: f64,
    },
    MaxDecrease {
        percent: f64,
    },
    Min {
        value: f64,
    },
    Max {
        value: f64,
    },
}

/// The light of a value against its baseline and limits; `moved_wrong_way` says whether it
/// moved the wrong way beyond noise (used when there are no limits). Returns the light and
/// the limit that decided it, in words.
pub(crate) fn judge(
    now: f64,
    baseline: Option<f64>,
    limits: &[Limit],
    moved_wrong_way: bool,
    show: &dyn Fn(f64) -> String,
) -> (Light, Option<String>) {
    let mut light = Light::Green;
    let mut why = None;
    let mut raise = |l: Light, text: String, light_now: &mut Light| {
        if l > *light_now {
            *light_now = l;
            why = Some(text);
        }
    };
    for limit in limits {
        match *limit {
            Limit::MaxIncrease { percent } | Limit::MaxDecrease { percent } => {
                let Some(b) = baseline.filter(|b| *b != 0.0) else {
                    continue;
                };
                let change = (now - b) / b.abs() * 100.0;
                let (used, word) = match limit {
                    Limit::MaxIncrease { .. } => (change, "increase"),
                    _ => (-change, "decrease"),
                };
                let text = format!("at most {percent}% {word} allowed");
                if used > percent {
                    raise(Light::Red, text, &mut light);
                } else if percent > 0.0 && used >= YELLOW_SHARE * percent {
                    raise(Light::Yellow, text, &mut light);
                }
            }
            Limit::Max { value } => {
                let text = format!("healthy at most {}", show(value));
                if now > value {
                    raise(Light::Red, text, &mut light);
                } else if now >= value - NEAR_BOUND * value.abs() {
                    raise(Light::Yellow, text, &mut light);
                }
            }
            Limit::Min { value } => {
                let text = format!("healthy at least {}", show(value));
                if now < value {
                    raise(Light::Red, text, &mut light);
                } else if now <= value + NEAR_BOUND * value.abs() {
                    raise(Light::Yellow, text, &mut light);
                }
            }
        }
    }
    if limits.is_empty() {
        if baseline.is_none() {
            return (Light::Unknown, None);
        }
        if moved_wrong_way {
            return (
                Light::Yellow,
                Some("worse than its baseline beyond normal wobble".into()),
            );
        }
    }
    (light, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(v: f64) -> String {
        format!("{v}")
    }

    #[test]
    fn the_seed_examples() {
        // Support volume +2% against at most +5%: Green. Infrastructure cost +8% against at
        // most +10%: Yellow. Tickets +97% against +5%: Red.
        let inc5 = [Limit::MaxIncrease { percent: 5.0 }];
        let inc10 = [Limit::MaxIncrease { percent: 10.0 }];
        assert_eq!(
            judge(102.0, Some(100.0), &inc5, false, &show).0,
            Light::Green
        );
        assert_eq!(
            judge(108.0, Some(100.0), &inc10, false, &show).0,
            Light::Yellow
        );
        let (l, why) = judge(197.0, Some(100.0), &inc5, false, &show);
        assert_eq!(l, Light::Red);
        assert_eq!(why.unwrap(), "at most 5% increase allowed");
        // A decrease never breaks a max_increase.
        assert_eq!(
            judge(50.0, Some(100.0), &inc5, false, &show).0,
            Light::Green
        );
    }

    #[test]
    fn bounds_and_no_limits() {
        let max4 = [Limit::Max { value: 4.0 }];
        assert_eq!(judge(4.2, Some(2.0), &max4, false, &show).0, Light::Red);
        assert_eq!(judge(3.9, Some(2.0), &max4, false, &show).0, Light::Yellow);
        assert_eq!(judge(3.0, Some(2.0), &max4, false, &show).0, Light::Green);
        let min20 = [Limit::Min { value: 20.0 }];
        assert_eq!(judge(19.0, None, &min20, false, &show).0, Light::Red);
        assert_eq!(judge(10.0, Some(9.0), &[], true, &show).0, Light::Yellow);
        assert_eq!(judge(10.0, Some(9.0), &[], false, &show).0, Light::Green);
        assert_eq!(judge(10.0, None, &[], false, &show).0, Light::Unknown);
    }
}
