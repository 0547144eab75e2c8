//! The demo quarter's history: the check-ins and decisions Flowboard's owners recorded during
//! 2026-Q3, so a review of the demo has confidence, stories, decisions and one owner who
//! missed the last week's check-in (Sam, the CEO).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// A check-in on a computed key result, as recorded at `at`.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckIn {
    pub at: DateTime<Utc>,
    pub objective: &'static str,
    pub key_result: &'static str,
    pub confidence: i64,
    pub note: &'static str,
    pub author: &'static str,
}

/// A decision, as recorded at `at`.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub at: DateTime<Utc>,
    pub text: &'static str,
    pub about: Option<&'static str>,
    pub author: &'static str,
}

/// Friday of the Q3 week `n` (0 = the week of 2026-06-29), at `hour` UTC.
fn friday(n: i64, hour: u32) -> DateTime<Utc> {
    let day =
        NaiveDate::from_ymd_opt(2026, 7, 3).unwrap_or_default() + chrono::Days::new(7 * n as u64);
    Utc.from_utc_datetime(&day.and_hms_opt(hour, 0, 0).unwrap_or_default())
}

const DANA: &str = "Dana (PM Growth)";
const SAM: &str = "Sam (CEO)";

/// Weekly check-ins from Dana on the growth key results; Sam checks in every other week on
/// the company's and skips the last week of the quarter's data.
// Long because it is the demo quarter's script of check-ins, one week after another.
pub fn checkins() -> Vec<CheckIn> {
    let mut out = Vec::new();
    // (activation, time-to-value, invites) confidence per week, and the week's story.
    let growth: [(i64, i64, i64, &str); 13] = [
        (
            6,
            5,
            6,
            "Quarter kick-off: checklist experiment running since June, referral refresh ships next week",
        ),
        (6, 5, 6, "Referral refresh live for every signup"),
        (
            7,
            5,
            6,
            "Referral signups activate at about twice the rate of the others",
        ),
        (7, 6, 6, ""),
        (
            7,
            6,
            5,
            "Invites flat: the refresh did not change invite behaviour",
        ),
        (7, 6, 5, ""),
        (
            6,
            6,
            5,
            "Support tickets jumped this week; watching the guardrail",
        ),
        (6, 6, 5, ""),
        (6, 5, 5, "Tickets still double the July level"),
        (6, 5, 5, ""),
        (
            5,
            5,
            4,
            "Activation gains hold; the ticket regression is not explained yet",
        ),
        (5, 5, 4, ""),
        (
            5,
            4,
            4,
            "Holding the checklist rollout until tickets are understood",
        ),
    ];
    for (n, (a, t, i, note)) in growth.iter().enumerate() {
        let at = friday(n as i64, 15);
        for (kr, c, text) in [
            ("activation", *a, *note),
            ("time-to-value", *t, ""),
            ("invites", *i, ""),
        ] {
            out.push(CheckIn {
                at,
                objective: "improve-activation",
                key_result: kr,
                confidence: c,
                note: text,
                author: DANA,
            });
        }
    }
    let company: [(i64, i64, i64, &str); 6] = [
        (
            6,
            6,
            6,
            "Plan set: weekly active users is the one number for the quarter",
        ),
        (7, 6, 6, "Weekly actives growing with the referral cohort"),
        (7, 6, 5, ""),
        (7, 5, 5, "Retention lagging the activation gains"),
        (8, 5, 5, "WAU target within reach"),
        (8, 5, 5, ""),
    ];
    for (n, (w, r, p, note)) in company.iter().enumerate() {
        let at = friday(2 * n as i64, 17);
        for (kr, c, text) in [("wau", *w, *note), ("retention", *r, ""), ("nps", *p, "")] {
            out.push(CheckIn {
                at,
                objective: "rely-every-week",
                key_result: kr,
                confidence: c,
                note: text,
                author: SAM,
            });
        }
    }
    out.sort_by_key(|c| c.at);
    out
}

/// The quarter's decisions.
pub fn decisions() -> Vec<Decision> {
    vec![
        Decision {
            at: friday(0, 16),
            text: "Ship the referral program refresh to every signup on July 6",
            about: Some("activation"),
            author: DANA,
        },
        Decision {
            at: friday(7, 11),
            text: "Support triages the ticket spike by category before any new onboarding step ships",
            about: Some("support_tickets"),
            author: "Support Lead",
        },
        Decision {
            at: friday(12, 10),
            text: "Hold the onboarding checklist rollout: the experiment raises support tickets",
            about: Some("activation"),
            author: DANA,
        },
        Decision {
            at: friday(12, 12),
            text: "Growth and Support review the ticket categories since Aug 10 together next week",
            about: Some("support_tickets"),
            author: SAM,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_fits_the_quarter_and_sam_misses_the_last_week() {
        let c = checkins();
        assert_eq!(c.len(), 13 * 3 + 6 * 3);
        let last_week = NaiveDate::from_ymd_opt(2026, 9, 21).unwrap();
        assert!(
            c.iter()
                .all(|x| x.at.date_naive() < NaiveDate::from_ymd_opt(2026, 9, 28).unwrap())
        );
        assert!(
            c.iter()
                .any(|x| x.author == DANA && x.at.date_naive() >= last_week)
        );
        assert!(
            !c.iter()
                .any(|x| x.author == SAM && x.at.date_naive() >= last_week)
        );
        assert!(c.iter().all(|x| (0..=10).contains(&x.confidence)));
        assert_eq!(
            decisions()
                .iter()
                .filter(|d| d.at.date_naive() >= last_week)
                .count(),
            2
        );
    }
}
