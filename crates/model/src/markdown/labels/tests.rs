//! Tests of `labels`.

use super::*;
use crate::values::QuantityUnit;

fn after(text: &str, at: Option<usize>) -> Option<&str> {
    at.map(|i| &text[i..])
}

#[test]
fn objective_and_kr_prefixes() {
    let t = "Objective 1: Ship new features";
    assert_eq!(after(t, objective_prefix(t)), Some("Ship new features"));
    let t = "O2 - Make customers happy";
    assert_eq!(after(t, objective_prefix(t)), Some("Make customers happy"));
    let t = "OBJECTIVE: Learn fast";
    assert_eq!(after(t, objective_prefix(t)), Some("Learn fast"));
    let t = "Problem Area: Slow onboarding";
    assert_eq!(after(t, objective_prefix(t)), Some("Slow onboarding"));
    assert_eq!(objective_prefix("Objectives and context"), None);
    assert_eq!(objective_prefix("Goals for the team"), None);
    assert_eq!(objective_prefix("Onboard 2 contributors"), None);
    assert!(is_bare_objective_label("Objective 1"));
    let t = "KR1: Increase activation";
    assert_eq!(after(t, kr_prefix(t)), Some("Increase activation"));
    let t = "KR 2 - Reduce churn";
    assert_eq!(after(t, kr_prefix(t)), Some("Reduce churn"));
    let t = "Key Result 1.1: Faster setup";
    assert_eq!(after(t, kr_prefix(t)), Some("Faster setup"));
    let t = "KR: Land N2 logos";
    assert_eq!(after(t, kr_prefix(t)), Some("Land N2 logos"));
    assert_eq!(kr_prefix("Krypton levels"), None);
    assert_eq!(owner_kr_prefix("CEO KR: Achieve X% of ARR"), Some((3, 8)));
}

#[test]
fn owners_priorities_handles_and_notes() {
    assert_eq!(label_prefix("Sales: Update pricing"), Some((5, 7)));
    assert_eq!(label_prefix("Head of Eng: Ship"), Some((11, 13)));
    assert!(label_prefix("Why: because").is_none());
    assert!(label_prefix("Grow ARR 3x YoY: by 2025").is_none());
    assert!(is_role("Customer success") && is_role("VP Eng") && !is_role("Distribution"));
    assert_eq!(priority_tag("PX - It takes less than 48 hours"), 5);
    assert_eq!(priority_tag("[P1] Get Gemini ready"), 5);
    assert_eq!(priority_tag("Publish a post"), 0);
    assert_eq!(priority_tag("PXE boot works"), 0);
    let (h, r) = handle("A Daemon runs for 10 days - @alanshaw").unwrap();
    assert_eq!((h.as_str(), r), ("@alanshaw", 0..25));
    let t = "@magik6k - The Core API is released";
    let (h, r) = handle(t).unwrap();
    assert_eq!(
        (h.as_str(), &t[r]),
        ("@magik6k", "The Core API is released")
    );
    assert_eq!(result_note("Ship X. => done"), Some(7));
}

#[test]
fn placeholders_where_numbers_belong() {
    let p = |t: &str| placeholder(t).map(|r| t[r].to_string());
    assert_eq!(
        p("Achieve X% of ARR on cloud licensing").as_deref(),
        Some("X%")
    );
    assert_eq!(p("Have X badges earned").as_deref(), Some("X"));
    assert_eq!(p("$N net new ARR").as_deref(), Some("$N"));
    assert_eq!(p("N0 IARR (N1 Stretch)").as_deref(), Some("N0"));
    assert_eq!(p("Target: TBD").as_deref(), Some("TBD"));
    assert_eq!(p("Increase NPS to 40"), None);
    assert_eq!(p("Ship the Xbox app"), None);
    assert_eq!(p("Resolve blockers with N10.").as_deref(), Some("N10"));
}

#[test]
fn title_values_read_from_and_to() {
    let (b, t) = values_from_title(
        "Reduce time-to-first-value from 3 days to 1 day",
        Span::default(),
    );
    assert_eq!(b.unwrap().value.value, 259_200.0);
    assert_eq!(
        t.unwrap().value,
        Quantity {
            value: 86_400.0,
            unit: QuantityUnit::Seconds
        }
    );
    let (b, t) = values_from_title(
        "Achieve 50+ NPS for users in first 30 days",
        Span::default(),
    );
    assert!(b.is_none());
    assert_eq!(t.unwrap().value.value, 50.0);
    let (_, t) = values_from_title(
        "Advance N4 opportunities to Stage 4+ (#145, RFC 42)",
        Span::default(),
    );
    assert!(t.is_none(), "{t:?}");
    let (b, t) = values_from_title("200k views per 30 days (current is 125k)", Span::default());
    assert_eq!(b.unwrap().value.value, 125_000.0);
    assert_eq!(t.unwrap().value.value, 200_000.0);
}
