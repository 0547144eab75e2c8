//! What opening the sources learns of the events, in one scan: each event name's counted rows
//! and their time range, the rows left out (without a user, or dated outside the plausible
//! range) and the rows whose time is missing or cannot be read.
//!
//! With a cache folder ([`crate::OpeningCache`]) these facts are kept there per event file,
//! by the file's fingerprint (path, size, modification time), in `opening.json` (per batch of
//! files when many were scanned at once, see [`ONE_BY_ONE`]); the next opening scans only the
//! files added or changed since (and the rest of their batch) and adds the kept facts of the
//! others.
//! A file's facts stay the same while its fingerprint does, the events source's definition,
//! the zone and the plausible range's floor do (they are the key), and the plausible range
//! holds every time the file has (the range ends a day after the clock, so a row dated past
//! it is counted once the clock reaches it: a file with such a row is scanned again). The
//! sums are exact either way: each fact is a count, a least or a greatest time, which add
//! across files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use datafusion::arrow::array::{Array, AsArray, PrimitiveArray};
use datafusion::arrow::datatypes::{DataType, Int64Type, TimestampMicrosecondType};
use datafusion::functions_aggregate::expr_fn::{count, max, min, sum};
use datafusion::prelude::*;
use serde::{Deserialize, Serialize};
use throughline_model::{SourceFormat, Workspace};

use crate::refresh::{Fingerprint, fingerprints, short_hash};
use crate::sources::{self, EVENT, LeftOut, RAW_TIME, TS, Tables, USER};
use crate::{Calendar, EngineError, NameSeen, error};

/// Bumped when what is kept changes meaning.
const VERSION: u32 = 1;
const FILE: &str = "opening.json";

/// What opening learned of the events (see the module's documentation).
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// Each event name's counted rows and the last one's time.
    pub names: BTreeMap<String, NameSeen>,
    /// The first and last time of every counted row (of a name or not).
    pub span_us: Option<(i64, i64)>,
    pub left_out: LeftOut,
    /// Rows with a time that cannot be read.
    pub unreadable: i64,
    /// Rows without a time.
    pub missing: i64,
}

/// One scan's facts (of a file, or of all of the events), as kept.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Seen {
    /// Per event name (`None`: rows without one) with counted rows: how many, and their
    /// first and last time.
    names: Vec<(Option<String>, u64, i64, i64)>,
    no_user: i64,
    implausible: i64,
    implausible_span: Option<(i64, i64)>,
    unreadable: i64,
    missing: i64,
    /// The latest time of any row, counted or not.
    latest_us: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Kept {
    version: u32,
    key: String,
    batches: Vec<Batch>,
}

/// The facts of files scanned together: one file, or many files scanned in one plan (see
/// [`ONE_BY_ONE`]). They hold while every one of its files is unchanged.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Batch {
    files: Vec<Fingerprint>,
    /// The plausible range's end when they were scanned.
    ceiling_us: i64,
    seen: Seen,
}

/// At most this many files to scan are scanned one by one (each kept on its own, so that a
/// later change to one scans only that one); more are scanned in one plan and kept as one
/// batch. A plan per file costs about 10 ms of planning and reading its schema: 500 CSV
/// files took 5.6 s one by one against 0.7 s in one plan.
const ONE_BY_ONE: usize = 32;

/// The events' facts: from one scan of `tables.all_events`, or, with a cache, from the kept
/// facts of the files that did not change and a scan of the others. `per_file`: the events
/// are local files read here (not a database's table, an object store or a cluster).
pub(crate) async fn facts(
    ctx: &SessionContext,
    (ws, root, cal): (&Workspace, &Path, &Calendar),
    tables: &Tables,
    cache: Option<&crate::OpeningCache>,
    per_file: bool,
) -> Result<Facts, EngineError> {
    let source = ws.settings.sources.get("events");
    let (Some(cache), Some(source), true) = (cache, source, per_file) else {
        return Ok(scan(tables, tables.all_events.clone()).await?.facts());
    };
    let files = fingerprints(ctx, source, root).await?;
    let key = short_hash(&format!(
        "{source:?};{cal:?};floor={}",
        tables.plausible_us.0
    ));
    let ceiling = tables.plausible_us.1;
    let listed: std::collections::BTreeSet<&Fingerprint> = files.iter().collect();
    // the kept batches that hold: each of their files listed unchanged, and the plausible
    // range still holding every time they have
    let found = read(&cache.dir).filter(|k| cache.read && k.version == VERSION && k.key == key);
    let before = found.as_ref().map_or(0, |k| k.batches.len());
    let kept: Vec<Batch> = found.map_or_else(Vec::new, |k| {
        k.batches
            .into_iter()
            .filter(|b| {
                b.files.iter().all(|f| listed.contains(f))
                    && b.seen
                        .latest_us
                        .is_none_or(|l| l <= b.ceiling_us && l <= ceiling)
            })
            .collect()
    });
    let covered: std::collections::BTreeSet<&Fingerprint> =
        kept.iter().flat_map(|b| &b.files).collect();
    let todo: Vec<(usize, &Fingerprint)> = files
        .iter()
        .enumerate()
        .filter(|(_, fp)| !covered.contains(fp))
        .collect();
    let mut scanned: Vec<Batch> = Vec::new();
    if todo.len() > ONE_BY_ONE {
        let all: Vec<Fingerprint> = todo.iter().map(|(_, fp)| (*fp).clone()).collect();
        scanned.push(scan_files(ctx, (ws, root, cal), tables, 0, all).await?);
    } else {
        // two at a time: a file of one row group is read by one core
        let one = |i: usize, fp: &Fingerprint| {
            scan_files(ctx, (ws, root, cal), tables, i, vec![fp.clone()])
        };
        for pair in todo.chunks(2) {
            match pair {
                [(i, a), (j, b)] => {
                    let (x, y) = futures::future::try_join(one(*i, a), one(*j, b)).await?;
                    scanned.extend([x, y]);
                }
                [(i, a)] => scanned.push(one(*i, a).await?),
                _ => {}
            }
        }
    }
    tracing::debug!(
        files = files.len(),
        scanned = todo.len(),
        "opening: the events' facts, kept per file or batch"
    );
    let mut all = Seen::default();
    for b in kept.iter().chain(&scanned) {
        all.add(&b.seen);
    }
    if !scanned.is_empty() || before != kept.len() {
        // only a cache: a folder that cannot be written leaves the next opening to scan again
        let batches = kept.into_iter().chain(scanned).collect();
        if let Err(e) = write(
            &cache.dir,
            &Kept {
                version: VERSION,
                key,
                batches,
            },
        ) {
            tracing::debug!(error = %e, "opening: the events' facts not kept");
        }
    }
    Ok(all.facts())
}

/// The facts of `files` scanned in one plan, their table registered as `__opening_file_{i}`
/// meanwhile.
async fn scan_files(
    ctx: &SessionContext,
    (ws, root, cal): (&Workspace, &Path, &Calendar),
    tables: &Tables,
    i: usize,
    files: Vec<Fingerprint>,
) -> Result<Batch, EngineError> {
    let name = format!("__opening_file_{i}");
    let only: std::collections::BTreeSet<String> = files.iter().map(|f| f.path.clone()).collect();
    let frame = sources::events_files(
        ctx,
        ws,
        root,
        cal,
        &name,
        Some(&only),
        &mut Default::default(),
    )
    .await?;
    let seen = scan(tables, frame).await;
    let _ = ctx.deregister_table(name.as_str());
    Ok(Batch {
        files,
        ceiling_us: tables.plausible_us.1,
        seen: seen?,
    })
}

/// The facts of `frame` (rows of the events, normalized), in one scan grouped by event name.
async fn scan(tables: &Tables, frame: DataFrame) -> Result<Seen, EngineError> {
    let fail = |e| error::df("reading the events' names and times", e);
    let ts = col(TS);
    let when = |c: &Expr, then: Expr| {
        datafusion::logical_expr::when(c.clone(), then)
            .end()
            .map_err(fail)
    };
    let one = |c: &Expr| when(c, lit(1i64));
    let (counted, implausible) = (&tables.counted, &tables.implausible);
    let no_user = col(USER).is_null();
    let raw = col(RAW_TIME);
    let batches = frame
        .aggregate(
            vec![cast(col(EVENT), DataType::Utf8).alias("name")],
            vec![
                count(one(counted)?).alias("n"),
                min(when(counted, ts.clone())?).alias("lo"),
                max(when(counted, ts.clone())?).alias("hi"),
                sum(one(&no_user)?).alias("no_user"),
                sum(one(implausible)?).alias("implausible"),
                min(when(implausible, ts.clone())?).alias("odd_lo"),
                max(when(implausible, ts.clone())?).alias("odd_hi"),
                (count(raw.clone()) - count(ts.clone())).alias("unreadable"),
                (count(lit(1)) - count(raw)).alias("missing"),
                max(ts).alias("latest"),
            ],
        )
        .map_err(fail)?
        .collect()
        .await
        .map_err(fail)?;
    let mut seen = Seen::default();
    let span = |a: Option<(i64, i64)>, lo: i64, hi: i64| {
        Some(a.map_or((lo, hi), |(x, y)| (x.min(lo), y.max(hi))))
    };
    for b in &batches {
        let int = |i: usize| b.column(i).as_primitive_opt::<Int64Type>();
        let time = |i: usize| b.column(i).as_primitive_opt::<TimestampMicrosecondType>();
        let names = b.column(0).as_string_opt::<i32>();
        let (Some(names), Some(n), Some(lo), Some(hi), Some(no_user), Some(odd)) =
            (names, int(1), time(2), time(3), int(4), int(5))
        else {
            return Err(fail(unexpected()));
        };
        let (Some(odd_lo), Some(odd_hi), Some(unreadable), Some(missing), Some(latest)) =
            (time(6), time(7), int(8), int(9), time(10))
        else {
            return Err(fail(unexpected()));
        };
        for i in 0..b.num_rows() {
            let v = |a: &PrimitiveArray<Int64Type>| if a.is_null(i) { 0 } else { a.value(i) };
            seen.no_user += v(no_user);
            seen.implausible += v(odd);
            seen.unreadable += v(unreadable);
            seen.missing += v(missing);
            if !odd_lo.is_null(i) {
                seen.implausible_span =
                    span(seen.implausible_span, odd_lo.value(i), odd_hi.value(i));
            }
            if !latest.is_null(i) {
                let l = latest.value(i);
                seen.latest_us = Some(seen.latest_us.map_or(l, |x| x.max(l)));
            }
            if lo.is_null(i) || hi.is_null(i) {
                continue;
            }
            let name = (!names.is_null(i)).then(|| names.value(i).to_string());
            seen.names
                .push((name, n.value(i).max(0) as u64, lo.value(i), hi.value(i)));
        }
    }
    Ok(seen)
}

fn unexpected() -> datafusion::error::DataFusionError {
    datafusion::error::DataFusionError::Internal("the events' facts have unexpected types".into())
}

impl Seen {
    /// `other`'s facts added to these (of another file).
    fn add(&mut self, other: &Seen) {
        let mut names: BTreeMap<Option<String>, (u64, i64, i64)> = self
            .names
            .drain(..)
            .map(|(name, n, lo, hi)| (name, (n, lo, hi)))
            .collect();
        for (name, n, lo, hi) in &other.names {
            let e = names.entry(name.clone()).or_insert((0, *lo, *hi));
            *e = (e.0 + n, e.1.min(*lo), e.2.max(*hi));
        }
        self.names = names
            .into_iter()
            .map(|(name, (n, lo, hi))| (name, n, lo, hi))
            .collect();
        self.no_user += other.no_user;
        self.implausible += other.implausible;
        self.implausible_span = match (self.implausible_span, other.implausible_span) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (a, b) => a.or(b),
        };
        self.unreadable += other.unreadable;
        self.missing += other.missing;
        self.latest_us = self.latest_us.max(other.latest_us);
    }

    fn facts(self) -> Facts {
        let mut f = Facts {
            left_out: LeftOut {
                no_user: self.no_user,
                implausible: self.implausible,
                implausible_span: self.implausible_span,
            },
            unreadable: self.unreadable,
            missing: self.missing,
            ..Facts::default()
        };
        // a name once: one scan groups by name, and adding merges
        for (name, n, lo, hi) in self.names {
            f.span_us = Some(f.span_us.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
            if let Some(name) = name {
                f.names.insert(
                    name,
                    NameSeen {
                        count: n,
                        last_us: hi,
                    },
                );
            }
        }
        f
    }
}

fn read(dir: &Path) -> Option<Kept> {
    let text = std::fs::read_to_string(dir.join(FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Written to a file of its own first and renamed: an opening that stops midway leaves the
/// previous facts whole.
fn write(dir: &Path, kept: &Kept) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    // a name of this call's own: two engines of one process may open the same workspace
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp: PathBuf = dir.join(format!("tmp-{}-{call}-{FILE}", std::process::id()));
    let text = serde_json::to_vec(kept).map_err(std::io::Error::other)?;
    let done = std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, dir.join(FILE)));
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done
}

/// Whether the events source is local files: the only kind whose facts opening keeps per
/// file, and whose files a refresh fingerprints.
pub(crate) fn local_files(ws: &Workspace) -> bool {
    ws.settings.sources.get("events").is_some_and(|e| {
        e.format.value != SourceFormat::Postgres
            && e.path
                .as_ref()
                .is_some_and(|p| !crate::stores::is_object_url(&p.value))
    })
}
