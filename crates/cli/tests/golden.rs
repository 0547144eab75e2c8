//! Golden files for the report formats. Run with `UPDATE_GOLDEN=1` to rewrite them after an
//! intended change, then review the diff.

mod common;

fn golden(name: &str, args: &[&str]) {
    let r = common::run(args);
    let path = common::fixtures().join("../golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &r.stdout).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing; run with UPDATE_GOLDEN=1", path.display()));
    if r.stdout != want {
        let first = r
            .stdout
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{name} differs from the golden file at line {}:\n  got:  {:?}\n  want: {:?}\n(run with UPDATE_GOLDEN=1 to accept)",
            first + 1,
            r.stdout.lines().nth(first),
            want.lines().nth(first)
        );
    }
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
