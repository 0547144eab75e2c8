//! `throughline review` on the built-in demo (Flowboard, seed 7, 100,000 users, generated into
//! a throwaway cache folder): golden files for Markdown and HTML, the planted effects said in
//! words, bad arguments, and the HTML page rendered by headless Chromium.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{Run, assert_golden, run_env};

/// One cache folder for every test in this file: the demo is generated once.
fn cache() -> &'static Path {
    static CACHE: OnceLock<tempfile::TempDir> = OnceLock::new();
    CACHE.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

fn review(args: &[&str]) -> Run {
    let mut all = vec!["review", "--demo"];
    all.extend_from_slice(args);
    let r = run_env(cache(), &all, &[("THROUGHLINE_CACHE_DIR", cache())]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r
}

#[test]
fn golden_markdown_and_html_on_the_demo() {
    let md = review(&["--format", "md"]);
    assert_golden("review-demo.md", &md.stdout);
    let out = cache().join("review.html");
    let r = review(&["--out", out.to_str().unwrap()]);
    assert!(r.stdout.is_empty(), "the page goes to --out only");
    assert!(
        r.stderr
            .contains("wrote the review of 2026-W39 (Sep 21 – Sep 27, 2026) to"),
        "{}",
        r.stderr
    );
    assert_golden("review-demo.html", &std::fs::read_to_string(&out).unwrap());
    let json = review(&["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["week_label"], "2026-W39");
    assert_eq!(v["key_results"].as_array().unwrap().len(), 6);
}

#[test]
fn the_planted_effects_are_in_the_words() {
    let md = review(&[]).stdout;
    let has = |needle: &str| assert!(md.contains(needle), "missing {needle:?} in:\n{md}");
    // The segment that drove the activation lift: referral signups (from 2026-07-06).
    has("Activation rate rose ");
    has("Users with signup source referral drove +");
    // The regressing guardrail: tickets per active user doubled from 2026-08-10, for everyone.
    has("| Tickets per 100 active users | 🔴 Red | +9");
    has("Tickets per 100 active users rose ");
    has("— the wrong way. Every signup source moved the same way");
    has("> ⚠️ **Gaming signal** — growth/improve-activation: activation (27% → ");
    // The experiment: treatment activates more, and harms the ticket guardrail.
    has("- **onboarding-checklist** — **guardrail harmed**. activation_rate +");
    has("pp in treatment");
    // The history: two decisions that week, and Sam skipped the check-in.
    has(
        "- Hold the onboarding checklist rollout: the experiment raises support tickets — Dana (PM Growth), 2026-09-25",
    );
    has("- Sam (CEO): no check-in this week on wau, retention and nps.");
    // The North Star with its noise band.
    has("**Weekly active users: ");
    has("normal wobble ±");
}

#[test]
fn an_earlier_week_and_bad_arguments() {
    let r = review(&["--week", "2026-W32"]);
    assert!(
        r.stdout
            .starts_with("# Weekly metrics review — Flowboard · 2026-W32 (Aug 3 – Aug 9, 2026)"),
        "{}",
        r.stdout
    );
    // Before the ticket regression (2026-08-10) tickets per active user are within limits.
    assert!(
        r.stdout
            .contains("| Tickets per 100 active users | 🟢 Green |"),
        "{}",
        r.stdout
    );

    let bad = run_env(
        cache(),
        &["review", "--demo", "--week", "next week"],
        &[("THROUGHLINE_CACHE_DIR", cache())],
    );
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains(
            "error: --week: `next week` is not a week: write an ISO week like `2026-W39`"
        ),
        "{}",
        bad.stderr
    );
    let bad = run_env(cache(), &["review", "-w", "."], &[]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("is not a workspace: it has no throughline.yaml"),
        "{}",
        bad.stderr
    );
}

fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// RGB pixels of a PNG.
fn pixels(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        other => panic!("unexpected screenshot color type {other:?}"),
    };
    let px = buf[..info.buffer_size()]
        .chunks(step)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (info.width, info.height, px)
}

/// The HTML review opened in headless Chromium draws its charts: the series color appears in
/// several separate bands down the page (the North Star chart, the key result charts, the
/// guardrail sparklines), and the target line's color too.
#[test]
fn the_html_page_renders_its_charts_in_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install Chromium (scripts/test does)"
        );
        eprintln!("skipped: no Chromium on this machine (scripts/test installs it)");
        return;
    };
    let page = cache().join("screenshot.html");
    review(&["--format", "html", "--out", page.to_str().unwrap()]);
    let profile = tempfile::tempdir().unwrap();
    let shot = profile.path().join("review.png");
    let status = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1280,4200",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts");
    assert!(
        shot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let (w, h, px) = pixels(&shot);
    assert_eq!((w, h), (1280, 4200));
    let near = |p: &[u8; 3], c: [u8; 3]| p.iter().zip(c).all(|(a, b)| a.abs_diff(b) <= 12);
    let series = [0x25, 0x63, 0xeb];
    // The dashed target lines (#16a34a), antialiased: strongly green pixels. The green pills
    // are pale and their text dark, so neither counts.
    let greenish = |p: &[u8; 3]| {
        let [r, g, b] = p.map(i32::from);
        g > 120 && g > r + 50 && g > b + 40
    };
    let rows: Vec<u32> = (0..h)
        .filter(|y| (0..w).any(|x| near(&px[(y * w + x) as usize], series)))
        .collect();
    let blue = px.iter().filter(|p| near(p, series)).count();
    let green = px.iter().filter(|p| greenish(p)).count();
    // Bands of rows with the series color, separated by at least 40 rows without it.
    let bands =
        rows.windows(2).filter(|w| w[1] - w[0] > 40).count() + usize::from(!rows.is_empty());
    eprintln!("screenshot: {blue} series pixels in {bands} bands, {green} target pixels");
    assert!(
        blue > 3000,
        "only {blue} pixels of the series color: the charts did not render"
    );
    assert!(
        bands >= 3,
        "the series color appears in {bands} band(s) down the page"
    );
    assert!(green > 300, "only {green} pixels of the target color");
    // Keep the screenshot where CI can find it.
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("review-demo.png");
    let _ = std::fs::copy(&shot, keep);
}

#[test]
fn status_score_experiment_and_measure_read_the_demo_too() {
    let run = |args: &[&str]| run_env(cache(), args, &[("THROUGHLINE_CACHE_DIR", cache())]);
    let r = run(&["status", "--demo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("Flowboard · status 2026-Q3"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("growth/improve-activation"),
        "{}",
        r.stdout
    );
    let r = run(&["experiment", "--demo", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[0]["experiment"], "onboarding-checklist", "{v}");
    assert_eq!(v[0]["decision"], "guardrail_harmed", "{v}");
    let r = run(&["score", "--demo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("2026-Q3"), "{}", r.stdout);
    let r = run(&["score", "--demo", "--close"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--close is not for the built-in demo"),
        "{}",
        r.stderr
    );
    let r = run(&[
        "measure",
        "--demo",
        "--metric",
        "weekly_active_users",
        "--format",
        "csv",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("2026-09-21"), "{}", r.stdout);
    // --demo and -w are one or the other.
    let r = run(&["status", "--demo", "-w", "."]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
}

/// The demo copied, with revenue as its North Star: `drives:` edges make it active users ×
/// revenue per active user.
fn revenue_north_star() -> PathBuf {
    review(&["--format", "json"]);
    let demo = std::fs::read_dir(cache())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("demo-")
        })
        .expect("the demo in the cache folder");
    let ws = cache().join("revenue-north-star");
    let copy = Command::new("cp")
        .arg("-r")
        .arg(&demo)
        .arg(&ws)
        .status()
        .unwrap();
    assert!(copy.success());
    let metrics = std::fs::read_to_string(ws.join("metrics.yaml")).unwrap();
    let metrics = metrics.replace("role: north_star", "role: kpi").replace(
        "  - id: revenue\n    name: Revenue\n    role: kpi",
        "  - id: revenue\n    name: Revenue\n    role: north_star",
    );
    assert!(metrics.contains("role: north_star"));
    std::fs::write(ws.join("metrics.yaml"), metrics).unwrap();
    ws
}

/// One metric's value in the week from `start` (a Monday) to `end` (its Sunday), and by
/// segment, from `measure`.
fn measured(
    ws: &Path,
    metric: &str,
    by: Option<&str>,
    (start, end): (&str, &str),
) -> Vec<(String, f64)> {
    let mut args = vec![
        "measure",
        "-w",
        ws.to_str().unwrap(),
        "--metric",
        metric,
        "--grain",
        "week",
        "--from",
        start,
        "--to",
        end,
        "--format",
        "json",
    ];
    if let Some(b) = by {
        args.extend(["--by", b]);
    }
    let r = common::run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    rows.iter()
        .filter(|v| v["start"].as_str().unwrap().starts_with(start))
        .map(|v| {
            let seg = by.map_or(String::new(), |b| {
                v["segment"][b].as_str().unwrap_or("(none)").to_string()
            });
            (seg, v["value"].as_f64().unwrap())
        })
        .collect()
}

const AUG24: (&str, &str) = ("2026-08-24", "2026-08-30");
const SEP21: (&str, &str) = ("2026-09-21", "2026-09-27");

#[test]
fn a_drives_north_star_splits_by_input_and_segment_with_compare() {
    let ws = revenue_north_star();
    let r = common::run(&[
        "review",
        "-w",
        ws.to_str().unwrap(),
        "--compare",
        "4w",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let mv = &v["north_star"]["movers"];
    assert_eq!(mv["method"], "tree");
    assert_eq!(mv["source"], "active_users * arpu");
    assert_eq!(mv["since_start"], "2026-08-24");

    // A second way: the two inputs measured on their own, and the Shapley split of a product
    // of two, A·B: A's part is ΔA·(B₀ + B₁)/2.
    let one = |m: &str, week| measured(&ws, m, None, week)[0].1;
    let (a0, a1) = (one("active_users", AUG24), one("active_users", SEP21));
    let (b0, b1) = (one("arpu", AUG24), one("arpu", SEP21));
    let (r0, r1) = (one("revenue", AUG24), one("revenue", SEP21));
    assert_eq!(
        (mv["before"].as_f64(), mv["after"].as_f64()),
        (Some(r0), Some(r1))
    );
    let part = |id: &str| {
        mv["parts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["metric"] == id)
            .unwrap_or_else(|| panic!("no part for {id}: {mv}"))
            .clone()
    };
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-6 * y.abs().max(1.0);
    let users = part("active_users");
    let users_part = (a1 - a0) * (b0 + b1) / 2.0;
    assert!(
        close(users["contribution"].as_f64().unwrap(), users_part),
        "{users}"
    );
    assert!(close(
        part("arpu")["contribution"].as_f64().unwrap(),
        (b1 - b0) * (a0 + a1) / 2.0
    ));
    // revenue is exactly active users × arpu: nothing is left for the rest
    assert_eq!(mv["parts"].as_array().unwrap().len(), 2, "{mv}");

    // Active users' part, further by the segments of the dimension that explains it best:
    // each segment's share of active users' own change.
    let seg = &users["segments"];
    let dim = seg["dimension"].as_str().unwrap();
    let before = measured(&ws, "active_users", Some(dim), AUG24);
    let after = measured(&ws, "active_users", Some(dim), SEP21);
    let of = |rows: &[(String, f64)], s: &str| {
        rows.iter().find(|(x, _)| x == s).map_or(0.0, |(_, v)| *v)
    };
    let parts = seg["parts"].as_array().unwrap();
    assert!(parts.len() >= 2, "{seg}");
    let mut sum = 0.0;
    for p in parts {
        let name = p[0].as_str().unwrap();
        let want = (of(&after, name) - of(&before, name)) / (a1 - a0) * users_part;
        assert!(close(p[1].as_f64().unwrap(), want), "{name}: {p} vs {want}");
        sum += p[1].as_f64().unwrap();
    }
    assert!(close(sum, users_part));

    // The Markdown says it in words.
    let md = common::run(&["review", "-w", ws.to_str().unwrap(), "--compare", "4w"]).stdout;
    assert!(
        md.contains(
            "since the week of Aug 24, 2026 (4 weeks before), by input of `active_users * arpu`"
        ),
        "{md}"
    );
    assert!(md.contains("- Active users (+$"), "{md}");

    // A year before the demo's data began: the review says there is nothing to compare with.
    let md = common::run(&[
        "review",
        "-w",
        ws.to_str().unwrap(),
        "--compare",
        "year-ago",
    ])
    .stdout;
    assert!(
        md.contains("No split of the change since the week of Sep 22, 2025 (a year before): the North Star has no value for it"),
        "{md}"
    );
}
