//! Golden files for the report formats. Run with `UPDATE_GOLDEN=1` to rewrite them after an
//! intended change, then review the diff.

mod common;

fn golden(name: &str, args: &[&str]) {
    common::assert_golden(name, &common::run(args).stdout);
}

#[test]
fn human_report() {
    golden(
        "seed-bad.txt",
        &["check", "okrs/seed-bad.md", "--color", "never"],
    );
    golden(
        "wrong-values.txt",
        &["check", "bad/wrong-values.yaml", "--color", "never"],
    );
}

#[test]
fn json_report() {
    golden(
        "seed-bad.json",
        &["check", "okrs/seed-bad.md", "--format", "json"],
    );
    golden(
        "vanity.json",
        &["check", "okrs/vanity.md", "--format", "json"],
    );
}

#[test]
fn sarif_report() {
    golden(
        "seed-bad.sarif",
        &["check", "okrs/seed-bad.md", "--format", "sarif"],
    );
}
