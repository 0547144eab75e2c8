//! The seeds' good and bad OKR examples, read field by field.

use std::path::Path;

use throughline_model::{Loader, Period, PeriodLength, Quantity, QuantityUnit};

fn read(name: &str) -> throughline_model::Loaded {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../cli/tests/fixtures/okrs")
        .join(name);
    let mut loader = Loader::new();
    loader.add_bytes(name, &path, std::fs::read(&path).unwrap());
    loader.finish()
}

fn q(value: f64, unit: QuantityUnit) -> Quantity {
    Quantity { value, unit }
}

#[test]
fn the_good_example_reads_every_field() {
    let loaded = read("seed-good.md");
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let [o] = loaded.workspace.objectives.as_slice() else {
        panic!("one objective")
    };
    assert_eq!(o.title.value, "Dramatically improve new user activation");
    assert_eq!((o.title.span.line, o.title.span.column), (5, 18));
    assert_eq!(o.period.as_ref().unwrap().value, Period::Quarter(2024, 1));
    assert_eq!(o.team.as_ref().unwrap().value, "Product Team");
    assert_eq!(
        o.why.as_ref().unwrap().value,
        "60% of users never experience core value; biggest growth lever"
    );
    assert!(o.owner.is_none());

    let krs = &o.key_results;
    assert_eq!(krs.len(), 3);
    assert_eq!(
        krs[0].title.value,
        "Increase activation rate from 23% to 35%"
    );
    assert_eq!(
        krs[0].measurement.as_ref().unwrap().value,
        "Users completing first workflow within 7 days"
    );
    assert_eq!(
        krs[0].baseline.as_ref().unwrap().value,
        q(23.0, QuantityUnit::Percent)
    );
    assert_eq!(
        krs[0].target.as_ref().unwrap().value,
        q(35.0, QuantityUnit::Percent)
    );
    // `Current: 72 hours | Target: 24 hours`, in seconds
    assert_eq!(
        krs[1].baseline.as_ref().unwrap().value,
        q(259_200.0, QuantityUnit::Seconds)
    );
    assert_eq!(
        krs[1].target.as_ref().unwrap().value,
        q(86_400.0, QuantityUnit::Seconds)
    );
    let target = krs[1].target.as_ref().unwrap().span;
    assert_eq!((target.line, target.column), (15, 33));
    assert_eq!(
        krs[2].baseline.as_ref().unwrap().value,
        q(32.0, QuantityUnit::None)
    );
    assert_eq!(
        krs[2].target.as_ref().unwrap().value,
        q(50.0, QuantityUnit::None)
    );
    assert_eq!(
        krs.iter().map(|k| k.id.value.as_str()).collect::<Vec<_>>(),
        [
            "dramatically-improve-new-user-activation/kr1",
            "dramatically-improve-new-user-activation/kr2",
            "dramatically-improve-new-user-activation/kr3"
        ]
    );

    let initiatives: Vec<&str> = o
        .initiatives
        .iter()
        .map(|i| i.title.value.as_str())
        .collect();
    assert_eq!(
        initiatives,
        [
            "Onboarding flow redesign",
            "Template library expansion",
            "In-app guidance system"
        ]
    );
    let guardrails: Vec<&str> = o
        .guardrails
        .iter()
        .map(|g| g.text.as_ref().unwrap().value.as_str())
        .collect();
    assert_eq!(
        guardrails,
        [
            "Support ticket volume: maintain < 5% increase",
            "Infrastructure cost: no increase > 10%"
        ]
    );
}

#[test]
fn the_bad_example_reads_as_written() {
    let loaded = read("seed-bad.md");
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let os = &loaded.workspace.objectives;
    assert_eq!(os.len(), 2);
    // `## Q1 OKRs`: a quarter of no stated year
    assert!(os[0].period.is_none());
    assert_eq!(
        os[0].period_length.as_ref().unwrap().value,
        PeriodLength::Quarter
    );
    assert_eq!(os[0].title.value, "Ship new features");
    let titles: Vec<&str> = os[0]
        .key_results
        .iter()
        .map(|k| k.title.value.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Ship dark mode",
            "Launch mobile app",
            "Add 10 integrations",
            "Redesign dashboard"
        ]
    );
    assert_eq!(
        os[0].key_results[2].target.as_ref().unwrap().value,
        q(10.0, QuantityUnit::None)
    );
    assert!(os[0].key_results.iter().all(|k| k.baseline.is_none()));
    assert_eq!(os[1].key_results.len(), 3);
    assert!(
        os.iter()
            .all(|o| o.guardrails.is_empty() && o.owner.is_none() && o.why.is_none())
    );
}
