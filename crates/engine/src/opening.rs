//! What opening the sources learns of the events, in one scan: each event name's counted rows
//! and their time range, the rows left out (without a user, or dated outside the plausible
//! range) and the rows whose time is missing or cannot be read.
//!
//! With a cache folder ([`crate::OpeningCache`]) these facts are kept there per event file,
//! by the file's fingerprint (path, size, modification time), in `opening.json`; the next
//! opening scans only the files added or changed since and adds the kept facts of the others.
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
    files: Vec<KeptFile>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct KeptFile {
    file: Fingerprint,
    /// The plausible range's end when it was scanned.
    ceiling_us: i64,
    seen: Seen,
}

/// The events' facts: from one scan of `tables.all_events`, or, with a cache, from the kept
/// facts of the files that did not change and a scan of each of the others. `per_file`: the
/// events are local files read here (not a database's table, an object store or a cluster).
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
    let kept: BTreeMap<Fingerprint, KeptFile> = match read(&cache.dir) {
        Some(k) if cache.read && k.version == VERSION && k.key == key => {
            k.files.into_iter().map(|f| (f.file.clone(), f)).collect()
        }
        _ => BTreeMap::new(),
    };
    let holds = |f: &KeptFile| {
        f.seen
            .latest_us
            .is_none_or(|l| l <= f.ceiling_us && l <= ceiling)
    };
    // the files whose facts are not kept are scanned two at a time (a file of one row group
    // is read by one core)
    let todo: Vec<(usize, &Fingerprint)> = files
        .iter()
        .enumerate()
        .filter(|(_, fp)| !kept.get(*fp).is_some_and(holds))
        .collect();
    let one = |i: usize, fp: &Fingerprint| scan_file(ctx, (ws, root, cal), tables, i, fp.clone());
    let mut scanned: BTreeMap<usize, KeptFile> = BTreeMap::new();
    for pair in todo.chunks(2) {
        match pair {
            [(i, a), (j, b)] => {
                let (x, y) = futures::future::try_join(one(*i, a), one(*j, b)).await?;
                scanned.extend([(*i, x), (*j, y)]);
            }
            [(i, a)] => {
                scanned.insert(*i, one(*i, a).await?);
            }
            _ => {}
        }
    }
    tracing::debug!(
        files = files.len(),
        scanned = scanned.len(),
        "opening: the events' facts, kept per file"
    );
    let mut all = Seen::default();
    let mut now = Vec::new();
    for (i, fp) in files.iter().enumerate() {
        let f = match (kept.get(fp).filter(|f| holds(f)), scanned.remove(&i)) {
            (_, Some(f)) => f,
            (Some(f), None) => f.clone(),
            (None, None) => {
                return Err(error::df(
                    "reading the events' names and times",
                    datafusion::error::DataFusionError::Internal(format!(
                        "{} was neither kept nor scanned",
                        fp.path
                    )),
                ));
            }
        };
        all.add(&f.seen);
        now.push(f);
    }
    if !todo.is_empty() || kept.len() != now.len() {
        // only a cache: a folder that cannot be written leaves the next opening to scan again
        if let Err(e) = write(
            &cache.dir,
            &Kept {
                version: VERSION,
                key,
                files: now,
            },
        ) {
            tracing::debug!(error = %e, "opening: the events' facts not kept");
        }
    }
    Ok(all.facts())
}

/// One file's facts, its table registered as `__opening_file_{i}` while it is scanned.
async fn scan_file(
    ctx: &SessionContext,
    (ws, root, cal): (&Workspace, &Path, &Calendar),
    tables: &Tables,
    i: usize,
    file: Fingerprint,
) -> Result<KeptFile, EngineError> {
    let name = format!("__opening_file_{i}");
    let only = std::collections::BTreeSet::from([file.path.clone()]);
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
    Ok(KeptFile {
        file,
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
    let tmp: PathBuf = dir.join(format!("tmp-{}-{FILE}", std::process::id()));
    std::fs::write(
        &tmp,
        serde_json::to_vec(kept).map_err(std::io::Error::other)?,
    )?;
    std::fs::rename(&tmp, dir.join(FILE))
}

/// Whether the events source is local files, the only kind whose facts are kept per file.
pub(crate) fn local_files(ws: &Workspace) -> bool {
    ws.settings.sources.get("events").is_some_and(|e| {
        e.format.value != SourceFormat::Postgres
            && e.path
                .as_ref()
                .is_some_and(|p| !crate::stores::is_object_url(&p.value))
    })
}
