//! `throughline demo`: Flowboard, a generated workflow SaaS, with its workspace (metrics,
//! OKRs, an experiment) and 25 weeks of event data (2026-04-06 to 2026-09-27, UTC) as Parquet.
//!
//! The data has effects planted for a review to find:
//! - **activation lift in one segment**: from 2026-07-06, users who sign up through a
//!   referral activate far more often (the referral program refresh);
//! - **an experiment**: signups from 2026-06-01 are assigned `control` or `treatment` of the
//!   onboarding checklist; treatment activates more and opens slightly more tickets;
//! - **a guardrail that regresses**: from 2026-08-10 every active user opens support tickets
//!   at twice the earlier rate;
//! - **weekly seasonality**: weekends see about a third of a weekday's activity and half the
//!   signups.
//!
//! The same seed and size always give the same files.

pub mod history;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Datelike, NaiveDate, TimeZone, Utc, Weekday};
use datafusion::arrow::array::{
    ArrayRef, Float64Builder, Int64Builder, RecordBatch, StringBuilder, StringDictionaryBuilder,
    TimestampMicrosecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Schema, TimeUnit};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The workspace files (name, text).
pub const WORKSPACE_FILES: [(&str, &str); 4] = [
    (
        "throughline.yaml",
        include_str!("workspace/throughline.yaml"),
    ),
    ("metrics.yaml", include_str!("workspace/metrics.yaml")),
    ("okrs.yaml", include_str!("workspace/okrs.yaml")),
    ("people.yaml", include_str!("workspace/people.yaml")),
];

/// How big and which data set.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub users: usize,
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            users: 100_000,
            seed: 7,
        }
    }
}

/// What was written.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub users: usize,
    pub events: usize,
    pub files: Vec<PathBuf>,
}

/// Users per events file (and per unit of parallel work).
const CHUNK: usize = 50_000;
const DAY_US: i64 = 86_400_000_000;
const WEEKS: i64 = 25;

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 6).unwrap_or_default()
}
fn micros(d: NaiveDate) -> i64 {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
        .timestamp_micros()
}

struct Clock {
    start: i64,
    end: i64,
    experiment: i64,
    referral_launch: i64,
    ticket_regression: i64,
}

impl Clock {
    fn new() -> Clock {
        let d = |y, m, day| micros(NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default());
        let start = micros(first_day());
        Clock {
            start,
            end: start + WEEKS * 7 * DAY_US,
            experiment: d(2026, 6, 1),
            referral_launch: d(2026, 7, 6),
            ticket_regression: d(2026, 8, 10),
        }
    }
}

fn weekend(us: i64) -> bool {
    let day = Utc.timestamp_micros(us).single().map(|t| t.weekday());
    matches!(day, Some(Weekday::Sat | Weekday::Sun))
}

fn pick<'a>(rng: &mut ChaCha8Rng, choices: &[(&'a str, f64)]) -> &'a str {
    let mut x = rng.random::<f64>();
    for (name, p) in choices {
        if x < *p {
            return name;
        }
        x -= p;
    }
    choices.last().map_or("", |c| c.0)
}

struct User {
    id: i64,
    created: i64,
    source: &'static str,
    plan: &'static str,
    size: &'static str,
}

#[derive(Default)]
struct Events {
    user: Vec<i64>,
    ts: Vec<i64>,
    event: Vec<&'static str>,
    amount: Vec<Option<f64>>,
    score: Vec<Option<i64>>,
    variant: Vec<Option<&'static str>>,
}

impl Events {
    /// Adds an event that falls before `end`; its row, to set a property on.
    fn push(&mut self, user: i64, ts: i64, event: &'static str, end: i64) -> Option<usize> {
        if ts >= end {
            return None;
        }
        self.user.push(user);
        self.ts.push(ts);
        self.event.push(event);
        self.amount.push(None);
        self.score.push(None);
        self.variant.push(None);
        Some(self.user.len() - 1)
    }
    fn len(&self) -> usize {
        self.user.len()
    }
}

/// A time during working hours on a day, weekends thinned out.
fn time_in_day(rng: &mut ChaCha8Rng, day_start: i64) -> i64 {
    let hour = 8.0 + 11.0 * rng.random::<f64>();
    day_start + (hour * 3_600_000_000.0) as i64
}

// Long because it is one user's simulated life in order (signup, sessions, workflows,
// invites, purchases, support tickets, NPS answers, the experiment); the effects the review
// should find are all in this one place.
fn user_events(rng: &mut ChaCha8Rng, u: &User, c: &Clock, ev: &mut Events) {
    let end = c.end;
    let in_experiment = u.created >= c.experiment;
    let treatment = in_experiment && rng.random::<f64>() < 0.5;
    if in_experiment
        && let Some(i) = ev.push(u.id, u.created + 30_000_000, "experiment_assigned", end)
    {
        ev.variant[i] = Some(if treatment { "treatment" } else { "control" });
    }
    // activation: base by plan and source, the experiment, and the referral refresh
    let mut p = 0.22;
    p += match u.plan {
        "team" => 0.06,
        "business" => 0.10,
        _ => 0.0,
    };
    p += match u.source {
        "referral" => 0.04,
        "paid_search" => -0.03,
        _ => 0.0,
    };
    if treatment {
        p += 0.06;
    }
    if u.source == "referral" && u.created >= c.referral_launch {
        p += 0.18;
    }
    let activated = rng.random::<f64>() < p;
    let day0 = u.created - u.created.rem_euclid(DAY_US);
    // the first session at signup
    ev.push(u.id, u.created + 60_000_000, "session_started", end);
    if activated {
        // log-normal time to the first workflow, median about 26 hours, within 7 days
        let z: f64 = (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0;
        let hours = (26.0f64.ln() + 0.9 * z).exp().min(167.0);
        ev.push(
            u.id,
            u.created + (hours * 3_600_000_000.0) as i64,
            "workflow_completed",
            end,
        );
        if rng.random::<f64>() < 0.35 {
            for _ in 0..rng.random_range(1..=3) {
                let t = u.created + rng.random_range(0..14 * DAY_US);
                ev.push(u.id, t, "invite_sent", end);
            }
        }
    } else if rng.random::<f64>() < 0.05 {
        // a late first workflow, outside the 7-day window
        let t = u.created + rng.random_range(8 * DAY_US..20 * DAY_US);
        ev.push(u.id, t, "workflow_completed", end);
    }
    // weekly activity after signup
    let mut w = 0i64;
    let mut week_start = u.created;
    let mut survey_done = false;
    let mut next_bill = if u.plan == "free" {
        i64::MAX
    } else {
        u.created + rng.random_range(0..14 * DAY_US)
    };
    while week_start < end {
        let active = if w == 0 {
            true
        } else if activated {
            rng.random::<f64>() < 0.78 * 0.965f64.powi(w as i32)
        } else {
            rng.random::<f64>() < 0.22 * 0.80f64.powi(w as i32)
        };
        if active {
            let sessions = 1 + (0..5).filter(|_| rng.random::<f64>() < 0.35).count();
            for _ in 0..sessions {
                // a day of this user-week; weekends keep about a third of their sessions
                let day =
                    week_start - week_start.rem_euclid(DAY_US) + rng.random_range(0..7) * DAY_US;
                if weekend(day) && rng.random::<f64>() < 0.65 {
                    continue;
                }
                let t = time_in_day(rng, day).max(u.created);
                ev.push(u.id, t, "session_started", end);
                if activated && rng.random::<f64>() < 0.6 {
                    ev.push(
                        u.id,
                        t + rng.random_range(60..3_600) * 1_000_000,
                        "workflow_completed",
                        end,
                    );
                }
            }
            let ticket_rate = if week_start >= c.ticket_regression {
                0.08
            } else {
                0.04
            } + if treatment { 0.01 } else { 0.0 };
            if rng.random::<f64>() < ticket_rate {
                let day =
                    week_start - week_start.rem_euclid(DAY_US) + rng.random_range(0..7) * DAY_US;
                let t = time_in_day(rng, day);
                ev.push(u.id, t.max(u.created), "support_ticket_created", end);
            }
            if w == 4 && !survey_done && rng.random::<f64>() < 0.3 {
                survey_done = true;
                let x = rng.random::<f64>();
                let score = if activated {
                    if x < 0.55 {
                        rng.random_range(9..=10)
                    } else if x < 0.85 {
                        rng.random_range(7..=8)
                    } else {
                        rng.random_range(0..=6)
                    }
                } else if x < 0.22 {
                    rng.random_range(9..=10)
                } else if x < 0.52 {
                    rng.random_range(7..=8)
                } else {
                    rng.random_range(0..=6)
                };
                let t = time_in_day(rng, day0 + 30 * DAY_US);
                if let Some(i) = ev.push(u.id, t, "nps_submitted", end) {
                    ev.score[i] = Some(score);
                }
            }
            // a subscription bills every 30 days while its user is active
            while next_bill < week_start + 7 * DAY_US {
                if let Some(i) = ev.push(u.id, next_bill, "purchase", end) {
                    ev.amount[i] = Some(if u.plan == "team" { 49.0 } else { 249.0 });
                }
                next_bill += 30 * DAY_US;
            }
        } else {
            next_bill = next_bill.max(week_start + 7 * DAY_US);
        }
        w += 1;
        week_start += 7 * DAY_US;
    }
}

fn make_user(rng: &mut ChaCha8Rng, id: i64, c: &Clock) -> User {
    // signups grow through the half year; weekends get half as many
    let span = c.end - c.start;
    let created = loop {
        let t = c.start + rng.random_range(0..span);
        let growth = 0.7 + 0.6 * (t - c.start) as f64 / span as f64;
        let weight = growth * if weekend(t) { 0.5 } else { 1.0 };
        if rng.random::<f64>() * 1.3 < weight {
            break t;
        }
    };
    User {
        id,
        created,
        source: pick(
            rng,
            &[
                ("organic", 0.40),
                ("paid_search", 0.25),
                ("referral", 0.20),
                ("partner", 0.15),
            ],
        ),
        plan: pick(rng, &[("free", 0.70), ("team", 0.22), ("business", 0.08)]),
        size: pick(
            rng,
            &[
                ("1-10", 0.45),
                ("11-50", 0.30),
                ("51-200", 0.17),
                ("201+", 0.08),
            ],
        ),
    }
}

fn ts_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// Why the demo could not be written.
#[derive(Debug)]
pub enum Error {
    /// The folder holds a workspace already; demo never overwrites files.
    Exists(PathBuf),
    /// A file or folder could not be written.
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The data could not be encoded as Arrow or Parquet.
    Encode(Box<dyn std::error::Error + Send + Sync>),
    /// A generator thread stopped without its result.
    Thread,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Exists(dir) => write!(
                f,
                "{} already holds a workspace; demo never overwrites files (choose a new folder)",
                dir.display()
            ),
            Error::Write { path, source } => write!(f, "cannot write {}: {source}", path.display()),
            Error::Encode(e) => write!(f, "cannot encode the data: {e}"),
            Error::Thread => f.write_str("a generator thread failed"),
        }
    }
}

impl std::error::Error for Error {}

/// `e` writing `path`.
fn writing(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

fn encode(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Encode(Box::new(e))
}

fn write_parquet(path: &Path, batch: &RecordBatch) -> Result<(), Error> {
    let tmp = path.with_extension("parquet.tmp");
    let file = std::fs::File::create(&tmp).map_err(writing(&tmp))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(1 << 20))
        .build();
    let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(encode)?;
    w.write(batch).map_err(encode)?;
    w.close().map_err(encode)?;
    // a finished file appears whole or not at all
    std::fs::rename(&tmp, path).map_err(writing(path))
}

fn chunk(seed: u64, index: usize, first_id: usize, n: usize, c: &Clock) -> (Vec<User>, Events) {
    let mut rng =
        ChaCha8Rng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index as u64);
    let mut users = Vec::with_capacity(n);
    let mut ev = Events::default();
    for i in 0..n {
        let u = make_user(&mut rng, (first_id + i + 1) as i64, c);
        user_events(&mut rng, &u, c, &mut ev);
        users.push(u);
    }
    (users, ev)
}

fn events_batch(ev: &Events) -> Result<RecordBatch, Error> {
    let n = ev.len();
    let mut user = Int64Builder::with_capacity(n);
    let mut ts = TimestampMicrosecondBuilder::with_capacity(n).with_timezone("UTC");
    let mut event = StringDictionaryBuilder::<Int32Type>::new();
    let mut amount = Float64Builder::with_capacity(n);
    let mut score = Int64Builder::with_capacity(n);
    let mut variant = StringBuilder::new();
    // rows in time order, as an event log would be
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (ev.ts[i], ev.user[i]));
    for i in order {
        user.append_value(ev.user[i]);
        ts.append_value(ev.ts[i]);
        event.append_value(ev.event[i]);
        amount.append_option(ev.amount[i]);
        score.append_option(ev.score[i]);
        variant.append_option(ev.variant[i]);
    }
    let schema = Schema::new(vec![
        Field::new("user_id", DataType::Int64, false),
        Field::new("ts", ts_type(), false),
        Field::new(
            "event",
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            false,
        ),
        Field::new("amount", DataType::Float64, true),
        Field::new("score", DataType::Int64, true),
        Field::new("variant", DataType::Utf8, true),
    ]);
    let cols: Vec<ArrayRef> = vec![
        Arc::new(user.finish()),
        Arc::new(ts.finish()),
        Arc::new(event.finish()),
        Arc::new(amount.finish()),
        Arc::new(score.finish()),
        Arc::new(variant.finish()),
    ];
    RecordBatch::try_new(Arc::new(schema), cols).map_err(encode)
}

fn users_batch(users: &[User]) -> Result<RecordBatch, Error> {
    let mut id = Int64Builder::with_capacity(users.len());
    let mut created = TimestampMicrosecondBuilder::with_capacity(users.len()).with_timezone("UTC");
    let mut source = StringBuilder::new();
    let mut plan = StringBuilder::new();
    let mut size = StringBuilder::new();
    for u in users {
        id.append_value(u.id);
        created.append_value(u.created);
        source.append_value(u.source);
        plan.append_value(u.plan);
        size.append_value(u.size);
    }
    let schema = Schema::new(vec![
        Field::new("user_id", DataType::Int64, false),
        Field::new("created_at", ts_type(), false),
        Field::new("signup_source", DataType::Utf8, false),
        Field::new("plan", DataType::Utf8, false),
        Field::new("company_size", DataType::Utf8, false),
    ]);
    let cols: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(created.finish()),
        Arc::new(source.finish()),
        Arc::new(plan.finish()),
        Arc::new(size.finish()),
    ];
    RecordBatch::try_new(Arc::new(schema), cols).map_err(encode)
}

/// One chunk's users and the events file written for it.
type Part = (usize, Vec<User>, PathBuf);

/// Writes the workspace and its data into `dir` (which must not hold a workspace already),
/// on `threads` threads. `progress(done, total)` counts users.
pub fn generate(
    dir: &Path,
    opts: Options,
    threads: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Summary, Error> {
    if dir.join("throughline.yaml").exists() {
        return Err(Error::Exists(dir.to_path_buf()));
    }
    let events_dir = dir.join("data").join("events");
    std::fs::create_dir_all(&events_dir).map_err(writing(&events_dir))?;
    let clock = Clock::new();
    let chunks = opts.users.div_ceil(CHUNK);
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let events = AtomicUsize::new(0);
    let results: Vec<Result<Part, Error>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if i >= chunks {
                            break;
                        }
                        let first = i * CHUNK;
                        let n = CHUNK.min(opts.users - first);
                        let (users, ev) = chunk(opts.seed, i, first, n, &clock);
                        let path = events_dir.join(format!("part-{i:05}.parquet"));
                        let r = events_batch(&ev).and_then(|b| write_parquet(&path, &b));
                        events.fetch_add(ev.len(), Ordering::SeqCst);
                        let d = done.fetch_add(n, Ordering::SeqCst) + n;
                        progress(d, opts.users);
                        out.push(r.map(|()| (i, users, path)));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|_| vec![Err(Error::Thread)]))
            .collect()
    });
    let mut parts = Vec::new();
    for r in results {
        parts.push(r?);
    }
    parts.sort_by_key(|p| p.0);
    let mut summary = Summary {
        users: opts.users,
        events: events.load(Ordering::SeqCst),
        files: Vec::new(),
    };
    let all_users: Vec<User> = parts
        .iter_mut()
        .flat_map(|p| std::mem::take(&mut p.1))
        .collect();
    let users_path = dir.join("data").join("users.parquet");
    write_parquet(&users_path, &users_batch(&all_users)?)?;
    for (name, text) in WORKSPACE_FILES {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(writing(&path))?;
        summary.files.push(path);
    }
    summary.files.push(users_path);
    summary.files.extend(parts.into_iter().map(|p| p.2));
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_for_a_seed_and_within_the_range() {
        let c = Clock::new();
        let (u1, e1) = chunk(3, 0, 0, 500, &c);
        let (u2, e2) = chunk(3, 0, 0, 500, &c);
        assert_eq!(e1.ts, e2.ts);
        assert_eq!(e1.event, e2.event);
        assert_eq!(
            u1.iter().map(|u| u.created).collect::<Vec<_>>(),
            u2.iter().map(|u| u.created).collect::<Vec<_>>()
        );
        let (_, e3) = chunk(4, 0, 0, 500, &c);
        assert_ne!(e1.ts, e3.ts, "another seed gives other data");
        assert!(e1.ts.iter().all(|&t| t >= c.start && t < c.end));
        // every event is at or after its user's signup
        for (i, &uid) in e1.user.iter().enumerate() {
            let u = &u1[(uid - 1) as usize];
            assert!(e1.ts[i] >= u.created, "event before signup");
        }
        // properties sit on their own events only
        for i in 0..e1.len() {
            assert_eq!(e1.amount[i].is_some(), e1.event[i] == "purchase");
            assert_eq!(e1.score[i].is_some(), e1.event[i] == "nps_submitted");
            assert_eq!(
                e1.variant[i].is_some(),
                e1.event[i] == "experiment_assigned"
            );
        }
    }
}
