//! `throughline notify`: the reminders, digest and alerts the workspace's `notify:` rules call
//! for now, printed (`--dry-run`) or sent once and logged in the store.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use throughline_model::notify::NotifyKind;
use throughline_notify::{Message, Outbox, Plan, Retry};

use crate::args::{ListFormat, WorkspaceOrDemo};
use crate::lifecycle::{Failed, fail, load_workspace, open_store, runtime};
use crate::progress::Progress;

/// Send the reminders, the weekly digest and the alerts that are due, once.
///
/// The rules live under `notify:` in throughline.yaml; owners are matched to addresses
/// through `people:` lists. What is due is worked out for the instant the command runs
/// (or --now):
///
///   checkin-reminder   from `due` (a weekday and time in the workspace's zone) in the week
///                      containing now, each owner of a key result of the current period
///                      without a check-in since the week began; a follow-up from `due` +
///                      `follow_up`.
///   review-digest      the review of the last complete week of data (at the latest the
///                      week before now's, or --week), from `at` in the week after it.
///   guardrail-alert    a guardrail Red (or Yellow, with `level: yellow`) in that review.
///   forecast-alert     a key result whose forecast falls short of its target.
///
/// Every message is logged in the store under a key (kind, week, channel, recipient): a
/// second run, a restart or `serve`'s own schedule never sends the same message twice.
/// Transient failures (network, HTTP 5xx/429, SMTP 4xx) are retried with backoff; a message
/// that still fails is reported, the exit code is 1, and the next run tries it again.
/// Run it from cron or CI every 15 minutes or so; `serve` runs it every minute by itself.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  throughline notify --demo --dry-run\n  throughline notify --dry-run --now '2026-09-25 13:00'\n  throughline notify                  # from cron: */15 * * * *\n  throughline notify --format json"
)]
pub struct Args {
    #[command(flatten)]
    workspace: WorkspaceOrDemo,
    /// Print what would be sent, and send nothing (nothing is logged either).
    #[arg(long)]
    dry_run: bool,
    /// Plan for this instant instead of the clock: `YYYY-MM-DD HH:MM` in the workspace's
    /// zone, or an RFC 3339 time.
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    /// The review week digests and alerts report on (an ISO week like 2026-W39, or a day in
    /// it) [default: the last complete week of data, at the latest the week before now's]
    #[arg(long)]
    week: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
    #[command(flatten)]
    engine: crate::args::EngineArgs,
}

pub fn run(args: Args) -> std::process::ExitCode {
    crate::out::done(notify(args))
}

// Long because it runs one command in order: the instant, the workspace and store, the
// review when a rule needs it, the plan, then sending (or `--dry-run`) and the report.
fn notify(args: Args) -> Result<(), Failed> {
    let dir = args.workspace.dir()?;
    let loaded = load_workspace(&dir, true)?;
    let ws = &loaded.workspace;
    let tz = throughline_app::tz(ws);
    let now = match &args.now {
        Some(s) => parse_now(s, tz).map_err(|e| fail(format!("--now: {e}"), "write e.g. --now '2026-09-25 13:00' (the workspace's time zone) or --now 2026-09-25T17:00:00Z"))?,
        None => Utc::now(),
    };
    let Some(config) = &ws.settings.notify else {
        return Err(fail(
            "the workspace has no `notify:` settings",
            "add `notify:` to throughline.yaml, e.g.\n  notify:\n    channels:\n      team: { kind: slack, url_env: SLACK_WEBHOOK_URL }\n    rules:\n      - { send: checkin-reminder, via: team, due: friday 12:00 }",
        ));
    };
    let rt = runtime()?;
    let needs_review = config
        .rules
        .iter()
        .any(|r| r.send.value != NotifyKind::CheckinReminder);
    let bar = Progress::new();
    let review = if needs_review {
        let r = rt.block_on(super::review::compute(
            &args.engine.session(&loaded, &dir),
            &loaded,
            args.week.as_deref(),
            Some(now),
            throughline_review::Compare::Previous,
            &bar,
        ));
        Some(r.inspect_err(|_| bar.finish())?)
    } else {
        None
    };
    bar.message("reading check-ins");
    let store = rt
        .block_on(open_store(&loaded, &dir))
        .inspect_err(|_| bar.finish())?;
    let plan = rt
        .block_on(throughline_app::notify::due(
            ws,
            &store,
            review.as_ref(),
            now,
        ))
        .map_err(|e| {
            bar.finish();
            fail(&e, e.help())
        })?;
    bar.finish();
    for s in &plan.skipped {
        eprintln!("warning: not addressed: {s}");
    }
    if args.dry_run {
        print_plan(&plan, now, tz, args.format);
        rt.block_on(store.close());
        return Ok(());
    }
    let outbox = Outbox::new(config, &|var| std::env::var(var).ok());
    let human = matches!(args.format, ListFormat::Human);
    let report = rt.block_on(throughline_notify::send(
        &store,
        &outbox,
        &plan.messages,
        Retry::default(),
        &|m, outcome| {
            if human {
                eprintln!("{}: {}", line(m), outcome);
            }
        },
    ));
    rt.block_on(store.close());
    let report = report.map_err(|e| fail(&e, e.help()))?;
    match args.format {
        ListFormat::Json => crate::out::print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report).expect("the report serializes")
        )),
        ListFormat::Human => crate::out::print(&format!(
            "{} sent, {} sent before, {} failed\n",
            report.sent.len(),
            report.already.len(),
            report.failed.len()
        )),
    }
    if report.failed.is_empty() {
        Ok(())
    } else {
        for (key, why) in &report.failed {
            eprintln!("error: {key}: {why}");
        }
        eprintln!(
            "help: the failed messages are tried again by the next run; `throughline notify --dry-run` shows them"
        );
        Err(Failed(1))
    }
}

fn line(m: &Message) -> String {
    let to = m
        .address
        .as_deref()
        .or(m.person.as_deref())
        .map_or(String::new(), |a| format!(" → {a}"));
    format!("[{}] {}{to}: {}", m.channel, m.kind, m.subject)
}

fn print_plan(plan: &Plan, now: DateTime<Utc>, tz: chrono_tz::Tz, format: ListFormat) {
    if let ListFormat::Json = format {
        crate::out::print(&format!(
            "{}\n",
            serde_json::to_string_pretty(plan).expect("the plan serializes")
        ));
        return;
    }
    let mut s = format!(
        "{} message{} due at {} ({tz}); dry run, nothing sent\n",
        plan.messages.len(),
        if plan.messages.len() == 1 { "" } else { "s" },
        now.with_timezone(&tz).format("%Y-%m-%d %H:%M")
    );
    for m in &plan.messages {
        s.push_str(&format!("\n{}\n", line(m)));
        for l in m.body().lines() {
            s.push_str(&format!("    {l}\n"));
        }
    }
    crate::out::print(&s);
}

/// `YYYY-MM-DD HH:MM[:SS]` in `tz`, or RFC 3339.
fn parse_now(s: &str, tz: chrono_tz::Tz) -> Result<DateTime<Utc>, throughline_model::ValueError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.to_utc());
    }
    let local = ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s.trim(), f).ok())
        .ok_or_else(|| throughline_model::ValueError::new(format!("`{s}` is not a time")))?;
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.to_utc())
        .ok_or_else(|| {
            throughline_model::ValueError::new(format!(
                "`{s}` does not exist in {tz} (the clocks skip it)"
            ))
        })
}
