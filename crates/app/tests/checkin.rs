//! A check-in is validated in one place, and each refusal names the request field it is
//! about (the dashboard marks that field, the command line names its flag): nothing is left
//! to matching words in the message.

use throughline_app::{CheckInRequest, Error, validate_checkin};
use throughline_model::{Loader, Workspace};

const OKRS: &str = "metrics:
  - { id: wau, compute: { type: unique } }
objectives:
  - id: grow
    title: Get more teams to a working sync
    period: 2026-Q3
    owner: Dana
    key_results:
      - { id: lag, title: Cut median sync lag from 90s to 15s, owner: Dana, manual: { unit: duration }, baseline: 90 seconds, target: 15 seconds }
      - { id: teams, title: Raise weekly active teams from 40 to 60, owner: Dana, metric: wau, baseline: 40, target: 60 }
  - id: undated
    title: Make onboarding feel effortless
    owner: Dana
    key_results:
      - { id: docs, title: Raise docs satisfaction from 3.1 to 4.0, owner: Dana, manual: { unit: score }, baseline: 3.1, target: 4.0 }
";

fn workspace() -> Workspace {
    let mut loader = Loader::new();
    loader.add_yaml("okrs.yaml", std::path::Path::new("okrs.yaml"), OKRS.into());
    let loaded = loader.finish();
    assert!(!loaded.has_input_errors(), "{:?}", loaded.diagnostics);
    loaded.workspace
}

fn request(kr: &str, value: Option<&str>, confidence: Option<i64>, note: &str) -> CheckInRequest {
    CheckInRequest {
        key_result: kr.into(),
        value: value.map(String::from),
        confidence,
        note: note.into(),
        author: "Dana".into(),
    }
}

#[test]
fn each_refusal_names_its_field() {
    let ws = workspace();
    let long = "x".repeat(throughline_app::checkin::MAX_NOTE + 1);
    let cases: [(CheckInRequest, &str, &str); 11] = [
        (
            request("lagg", None, Some(5), ""),
            "key_result",
            "did you mean `lag`?",
        ),
        (
            request("a/b/c/d", None, Some(5), ""),
            "key_result",
            "is not a key result",
        ),
        (
            request("docs", Some("3.5"), None, ""),
            "key_result",
            "has no period",
        ),
        (
            request("lag", None, Some(11), ""),
            "confidence",
            "confidence 11 is out of range",
        ),
        (
            request("lag", None, Some(-1), ""),
            "confidence",
            "confidence -1 is out of range",
        ),
        (
            request("lag", Some("fast"), None, ""),
            "value",
            "`fast` is not a value",
        ),
        (
            request("lag", Some("40"), None, ""),
            "value",
            "a duration needs its unit",
        ),
        (
            request("teams", Some("50"), None, ""),
            "value",
            "its value comes from the data",
        ),
        (
            request("lag", None, None, &long),
            "note",
            "longer than 2000",
        ),
        (
            request("lag", None, None, "ok\u{0}"),
            "note",
            "control character U+0000",
        ),
        (
            request("lag", Some("  "), None, " "),
            "note",
            "needs at least a confidence",
        ),
    ];
    for (r, field, words) in cases {
        let what = format!("{} {:?} {:?}", r.key_result, r.value, r.confidence);
        match validate_checkin(&ws, r) {
            Err(e @ Error::Field { .. }) => {
                assert_eq!(e.request_field(), Some(field), "{what}: {e}");
                assert!(e.message().contains(words), "{what}: {e}");
                assert!(!e.help().is_empty(), "{what}");
            }
            other => panic!("{what}: {other:?}"),
        }
    }
}

#[test]
fn a_valid_check_in_is_read_in_the_key_results_unit() {
    let ws = workspace();
    let c = validate_checkin(&ws, request("grow/lag", Some("40s"), Some(7), "tuned")).unwrap();
    assert_eq!(
        (
            c.objective.as_str(),
            c.key_result.as_str(),
            c.period.as_str()
        ),
        ("grow", "lag", "2026-Q3")
    );
    assert_eq!((c.value, c.confidence), (Some(40.0), Some(7)));
    // a computed key result takes a confidence and a note
    let c = validate_checkin(&ws, request("teams", None, Some(0), "")).unwrap();
    assert_eq!((c.value, c.confidence), (None, Some(0)));
}
