//! The dashboard in a real browser: `throughline serve --demo` (on any free port, the demo in a
//! throwaway cache folder) driven through chromedriver and headless Chromium, Debian's packages
//! that scripts/test installs. A new user's walk: from the North Star in the overview to its
//! metric's definition and data, to a key result; then signing in with the printed token,
//! filling the check-in form, and finding the check-in on the key result's page; recording a
//! decision on the review page and finding it in the decision log. Screenshots
//! of the main pages are kept in the target folder.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

/// Kills a child process when dropped, so a failing test leaves nothing running.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the demo dashboard; returns it with its address and the printed editor token.
fn serve(cache: &Path) -> (Guard, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_throughline"))
        .args(["serve", "--demo", "--port", "0"])
        .env("THROUGHLINE_CACHE_DIR", cache)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary starts");
    let out = child.stdout.take().expect("stdout");
    let guard = Guard(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let (mut url, mut token) = (None, None);
    let deadline = Instant::now() + Duration::from_secs(120);
    while url.is_none() || token.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx
            .recv_timeout(left)
            .expect("the dashboard prints its address within 120 s");
        if url.is_none()
            && let Some(rest) = line
                .strip_prefix("throughline dashboard for ")
                .and_then(|l| l.split(" at http://").nth(1))
        {
            url = Some(format!("http://{}", rest.trim()));
        }
        if line.trim_start().starts_with("tl_") {
            token = Some(line.trim().to_string());
        }
    }
    (guard, url.unwrap(), token.unwrap())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn chromedriver() -> Option<(Guard, u16)> {
    let driver = Path::new("/usr/bin/chromedriver");
    if !driver.exists() || !Path::new("/usr/bin/chromium").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium and chromium-driver (scripts/test does)"
        );
        eprintln!(
            "skipped: no /usr/bin/chromedriver (Debian's chromium-driver; scripts/test installs it)"
        );
        return None;
    }
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let guard = Guard(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some((guard, port))
}

async fn browser(port: u16, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", "--window-size=1280,2200",
                format!("--user-data-dir={}", profile.display())
            ]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a browser session")
}

async fn text(c: &Client, css: &str) -> String {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Waits for the page's heading to read `expected`: a click that follows a link or submits a
/// form returns before the next page has loaded, so the old page's heading may still be there.
async fn heading_is(c: &Client, expected: &str) {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        // The element may go stale while the next page loads: read again.
        let now = match c.find(Locator::Css("main h1")).await {
            Ok(h1) => h1.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if now == expected {
            return;
        }
        assert!(
            Instant::now() < until,
            "the page's heading is still {now:?}, not {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Saves a screenshot of `path` and checks the page drew its charts (the series color).
async fn screenshot(c: &Client, base: &str, path: &str, name: &str) {
    c.goto(&format!("{base}{path}")).await.unwrap();
    text(c, "main h1").await;
    let png = c.screenshot().await.unwrap();
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dashboard-{name}.png"));
    std::fs::write(&keep, &png).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = if info.color_type == png::ColorType::Rgba {
        4
    } else {
        3
    };
    let blue = buf[..info.buffer_size()]
        .chunks(step)
        .filter(|p| {
            p[0].abs_diff(0x25) < 14 && p[1].abs_diff(0x63) < 14 && p[2].abs_diff(0xeb) < 14
        })
        .count();
    assert!(info.width >= 1000, "{name}: {}x{}", info.width, info.height);
    assert!(
        blue > 200,
        "{name}: {blue} pixels of the chart color; saved at {}",
        keep.display()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn walk_from_the_north_star_to_a_check_in() {
    let Some((_driver, port)) = chromedriver() else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let (_server, base, token) = serve(cache.path());
    let profile = tempfile::tempdir().unwrap();
    let c = browser(port, profile.path()).await;

    // The overview: the North Star, then its metric tree; follow the North Star's metric.
    c.goto(&base).await.unwrap();
    heading_is(&c, "Flowboard").await;
    c.find(Locator::Css(".tree a[href='/metrics/weekly_active_users']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    heading_is(&c, "Metric: Weekly active users").await;
    // Its definition and the stored values behind it.
    let page = c.source().await.unwrap();
    assert!(page.contains("distinct users with <code>workflow_completed</code> in the period"));
    assert!(page.contains("id=\"data\""));
    // On to the key result it measures.
    c.find(Locator::Css(
        "a[href='/key-results/company/rely-every-week/wau']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    heading_is(&c, "Increase weekly active users from 6,700 to 12,000").await;

    // Sign in with the printed token, and check in on the activation key result.
    c.goto(&format!(
        "{base}login?next=/key-results/growth/improve-activation/activation"
    ))
    .await
    .unwrap();
    c.find(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(&token)
        .await
        .unwrap();
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    heading_is(&c, "Increase activation rate from 27% to 35%").await;
    assert!(
        text(&c, "nav .me")
            .await
            .starts_with("demo-editor (editor)")
    );
    let select = c.find(Locator::Id("confidence")).await.unwrap();
    select.select_by_value("8").await.unwrap();
    let note = "Referral signups keep activating at twice the rate — from the browser test";
    c.find(Locator::Id("note"))
        .await
        .unwrap()
        .send_keys(note)
        .await
        .unwrap();
    c.find(Locator::Css("#checkin-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(text(&c, "p.flash").await, "Check-in recorded.");
    let newest = text(&c, "#checkins tbody tr:first-child").await;
    assert!(
        newest.contains(note) && newest.contains("8/10") && newest.contains("demo-editor"),
        "{newest}"
    );
    // The confidence shown is the one just stated.
    assert!(
        c.source()
            .await
            .unwrap()
            .contains("<dt>Confidence</dt><dd>8/10</dd>")
    );

    // A decision from the weekly review page, found in its log.
    c.goto(&format!("{base}review")).await.unwrap();
    heading_is(&c, "Weekly metrics review").await;
    let decision = "Keep the referral prompt; revisit the checklist after the ticket review";
    c.find(Locator::Id("text"))
        .await
        .unwrap()
        .send_keys(decision)
        .await
        .unwrap();
    c.find(Locator::Id("about"))
        .await
        .unwrap()
        .send_keys("growth/improve-activation/activation")
        .await
        .unwrap();
    c.find(Locator::Css("#decision-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        text(&c, "#decision-log p.flash").await,
        "Decision recorded."
    );
    let newest = text(&c, "#decisions-all tbody tr:first-child").await;
    assert!(
        newest.contains(decision)
            && newest.contains("growth/improve-activation/activation")
            && newest.contains("demo-editor"),
        "{newest}"
    );

    // Screenshots of the main pages, each with its charts drawn.
    for (path, name) in [
        ("", "overview"),
        ("alignment", "alignment"),
        ("objectives/growth/improve-activation", "objective"),
        (
            "key-results/growth/improve-activation/activation",
            "key-result",
        ),
        ("review", "review"),
    ] {
        screenshot(&c, &base, path, name).await;
    }
    c.goto(&format!("{base}metrics")).await.unwrap();
    heading_is(&c, "Metrics").await;
    c.close().await.unwrap();
}

/// Every page the dashboard links to from its overview, alignment and metrics pages, once.
async fn every_page(c: &Client, base: &str) -> Vec<String> {
    let mut pages: Vec<String> = vec![
        "/".into(),
        "/alignment".into(),
        "/metrics".into(),
        "/review".into(),
        "/experiments".into(),
        "/notifications".into(),
        "/login".into(),
    ];
    for from in ["/", "/alignment", "/metrics"] {
        c.goto(&format!("{base}{}", &from[1..])).await.unwrap();
        text(c, "main h1").await;
        let src = c.source().await.unwrap();
        for link in src.split("href=\"/").skip(1) {
            let path = format!("/{}", &link[..link.find('"').unwrap_or(0)]);
            let page = path.split(['#', '?']).next().unwrap_or("").to_string();
            if (page.starts_with("/metrics/")
                || page.starts_with("/key-results/")
                || page.starts_with("/objectives/"))
                && !pages.contains(&page)
            {
                pages.push(page);
            }
        }
    }
    pages
}

/// axe-core's script (scripts/test installs it and names it in `THROUGHLINE_AXE_JS`).
fn axe_script() -> Option<String> {
    let path = std::env::var_os("THROUGHLINE_AXE_JS")?;
    match std::fs::read_to_string(&path) {
        Ok(js) => Some(js),
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install axe-core (scripts/test does): {}: {e}",
                Path::new(&path).display()
            );
            None
        }
    }
}

/// The serious and critical accessibility violations axe-core finds on the page shown.
async fn axe_violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(axe, vec![]).await.expect("axe-core loads");
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
                   v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("axe-core runs");
    found
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_fits_a_phone_and_passes_axe() {
    let Some((_driver, port)) = chromedriver() else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let (_server, base, _token) = serve(cache.path());
    let profile = tempfile::tempdir().unwrap();
    let c = browser(port, profile.path()).await;
    // the experiments page writes values in their units, as the review does: a conversion
    // in %, its lift in pp, a count per user as a plain number; the interval is drawn
    c.goto(&format!("{base}experiments")).await.unwrap();
    heading_is(&c, "Experiments").await;
    let src = c.source().await.unwrap();
    for shown in [
        "26.9%",
        "+5.9 pp (+22%)",
        "+5.2 pp to +6.6 pp",
        "+0.045",
        "no effect",
    ] {
        assert!(src.contains(shown), "the experiments page lacks {shown:?}");
    }
    // the metric tree gives a percentage's change in points, not in %
    c.goto(&base).await.unwrap();
    heading_is(&c, "Flowboard").await;
    let src = c.source().await.unwrap();
    assert!(
        src.contains("−0.9 pp vs the period before"),
        "the overview's activation rate change is not in pp"
    );
    // a key result's chart marks the decisions about it at their dates, text on hover
    c.goto(&format!(
        "{base}key-results/growth/improve-activation/activation"
    ))
    .await
    .unwrap();
    heading_is(&c, "Increase activation rate from 27% to 35%").await;
    let src = c.source().await.unwrap();
    assert!(
        src.contains("<g class=\"note\"><title>") && src.contains("decision ("),
        "the key result's chart has no decision marked"
    );
    let pages = every_page(&c, &base).await;
    assert!(
        pages.len() >= 20,
        "only {} pages found: {pages:?}",
        pages.len()
    );
    let axe = axe_script();
    if axe.is_none() {
        eprintln!(
            "accessibility check skipped: THROUGHLINE_AXE_JS is not set (scripts/test sets it)"
        );
    }
    let mut wide = Vec::new();
    let mut inaccessible = Vec::new();
    for (width, name) in [(1400u32, "desktop"), (390, "phone")] {
        c.set_window_size(width, 1000).await.unwrap();
        for page in &pages {
            c.goto(&format!("{base}{}", &page[1..])).await.unwrap();
            text(&c, "main h1").await;
            let seen = c
                .execute(
                    "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
                    vec![],
                )
                .await
                .unwrap();
            let (scroll, client) = (seen[0].as_u64().unwrap(), seen[1].as_u64().unwrap());
            if scroll > client {
                wide.push(format!("{page} at {width} px: {scroll} px wide"));
            }
            if let Some(axe) = &axe {
                for v in axe_violations(&c, axe).await {
                    inaccessible.push(format!("{page} at {width} px: {v}"));
                }
            }
            let png = c.screenshot().await.unwrap();
            let file = format!(
                "dashboard-{name}-{}.png",
                page.trim_matches('/').replace('/', "_")
            );
            std::fs::write(Path::new(env!("CARGO_TARGET_TMPDIR")).join(file), png).unwrap();
        }
    }
    assert!(wide.is_empty(), "pages that scroll sideways: {wide:#?}");
    assert!(
        inaccessible.is_empty(),
        "serious or critical accessibility violations (axe-core): {inaccessible:#?}"
    );
}
