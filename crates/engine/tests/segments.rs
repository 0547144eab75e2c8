//! Zero is a value: a segment of the users source with nothing to count in a period gets 0
//! for counts and sums (and the ratios over them), never a missing row.

mod common;

use throughline_engine::Request;
use throughline_model::Grain;

const USERS: &str = "user_id,created_at,plan
u1,2025-03-01T10:00:00,free
u2,2025-03-02T12:00:00,pro
u3,2025-03-03T08:00:00,trial
u4,2025-03-04T08:00:00,
";

// weeks (Monday) of 2025-03-03 and 2025-03-10; u3 (trial) never buys; u4 (no plan) never
// comes back; u1 (free) buys only in the first week
const EVENTS: &str = "user_id,ts,event,amount
u1,2025-03-03T10:00:00,purchase,5
u1,2025-03-04T10:00:00,session,
u2,2025-03-04T09:00:00,purchase,20
u2,2025-03-11T09:00:00,purchase,30
u3,2025-03-05T09:00:00,session,
u3,2025-03-12T09:00:00,session,
u1,2025-03-12T10:00:00,session,
";

const METRICS: &str = "metrics:
  - { id: purchases, compute: { type: count, event: purchase } }
  - { id: revenue, compute: { type: sum, event: purchase, property: amount } }
  - { id: active, compute: { type: unique } }
  - { id: arpu, unit: ratio, compute: { type: ratio, numerator: revenue, denominator: active } }
";

#[tokio::test]
async fn every_segment_has_a_value_in_every_period() {
    let tmp = tempfile::tempdir().unwrap();
    let e = common::open(
        tmp.path(),
        &[("events.csv", EVENTS), ("users.csv", USERS)],
        common::CSV_SETTINGS,
        METRICS,
    )
    .await
    .expect("opens");
    let values = e
        .measure(&Request {
            grain: Some(Grain::Week),
            by: Some("plan".into()),
            ..Request::default()
        })
        .await
        .expect("measures");
    let got = |metric: &str, week: &str, plan: &str| {
        values
            .iter()
            .find(|v| {
                v.metric == metric
                    && v.start.date_naive().to_string() == week
                    && v.segment.get("plan").map(String::as_str) == Some(plan)
            })
            .map(|v| v.value)
    };
    let (w1, w2) = ("2025-03-03", "2025-03-10");
    // by hand, week by week
    for (metric, plan, first, second) in [
        ("purchases", "free", Some(1.0), Some(0.0)),
        ("purchases", "pro", Some(1.0), Some(1.0)),
        ("purchases", "trial", Some(0.0), Some(0.0)),
        ("purchases", "(none)", Some(0.0), Some(0.0)),
        ("revenue", "free", Some(5.0), Some(0.0)),
        ("revenue", "pro", Some(20.0), Some(30.0)),
        ("revenue", "trial", Some(0.0), Some(0.0)),
        ("revenue", "(none)", Some(0.0), Some(0.0)),
        ("active", "trial", Some(1.0), Some(1.0)),
        ("active", "(none)", Some(0.0), Some(0.0)),
        // a segment with users active and nothing bought: 0 a user, not missing
        ("arpu", "free", Some(5.0), Some(0.0)),
        ("arpu", "trial", Some(0.0), Some(0.0)),
        // no active users: undefined, shown as such
        ("arpu", "(none)", None, None),
    ] {
        assert_eq!(
            (got(metric, w1, plan), got(metric, w2, plan)),
            (Some(first), Some(second)),
            "{metric} for {plan}"
        );
    }
}
