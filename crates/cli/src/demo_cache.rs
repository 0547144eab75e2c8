//! The built-in demo workspace behind `--demo`: Flowboard at its default size and seed, with
//! its quarter's check-ins and decisions in its store, generated once into the user's cache
//! folder and reused.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use throughline_store::{NewCheckIn, Store, StoreError};

use crate::lifecycle::{Failed, fail, runtime};

const USERS: usize = 100_000;
const SEED: u64 = 7;

/// Where caches go: `$THROUGHLINE_CACHE_DIR`, `$XDG_CACHE_HOME/throughline`,
/// `~/.cache/throughline`, or the temporary folder.
fn cache_root() -> PathBuf {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("THROUGHLINE_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|p| p.join("throughline")))
        .or_else(|| var("HOME").map(|p| p.join(".cache/throughline")))
        .unwrap_or_else(|| std::env::temp_dir().join("throughline"))
}

/// FNV-1a of the demo's workspace files: a new release with changed files gets a new folder
/// instead of reusing a demo generated from the old ones.
fn files_hash() -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, text) in throughline_demo::WORKSPACE_FILES {
        for b in name.bytes().chain([0]).chain(text.bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The workspace a command works on: the built-in demo with `--demo`, else the folder given.
pub fn workspace_dir(demo: bool, workspace: PathBuf) -> Result<PathBuf, Failed> {
    if demo { prepared() } else { Ok(workspace) }
}

/// The demo workspace's folder, generated on first use.
pub fn prepared() -> Result<PathBuf, Failed> {
    let dir = cache_root().join(format!(
        "demo-{}-{:08x}-seed{SEED}-users{USERS}",
        env!("CARGO_PKG_VERSION"),
        files_hash() as u32
    ));
    if dir.join(".ready").exists() {
        return Ok(dir);
    }
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| {
        fail(
            format!("cannot create the cache folder {}: {e}", parent.display()),
            "set THROUGHLINE_CACHE_DIR to a writable folder",
        )
    })?;
    // Generated beside its final place and renamed into it, so a run that is interrupted or
    // races another one never leaves a half-written demo behind.
    let tmp = parent.join(format!(
        ".demo-{}-{}",
        std::process::id(),
        Utc::now().timestamp_micros()
    ));
    eprintln!("preparing the demo workspace in {} (once)", dir.display());
    let bar = crate::progress::Progress::new();
    bar.message("generating users and events");
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let opts = throughline_demo::Options {
        users: USERS,
        seed: SEED,
    };
    let generated =
        throughline_demo::generate(&tmp, opts, threads, &|done, total| bar.count(done, total));
    bar.finish();
    let cleanup = |e: &dyn std::fmt::Display| {
        let _ = std::fs::remove_dir_all(&tmp);
        fail(
            e,
            "set THROUGHLINE_CACHE_DIR to a writable folder and try again",
        )
    };
    generated.map_err(|e| cleanup(&format!("cannot generate the demo: {e}")))?;
    runtime()?
        .block_on(seed_history(&tmp))
        .map_err(|e| cleanup(&format!("cannot store the demo's history: {e}")))?;
    std::fs::write(tmp.join(".ready"), "").map_err(|e| cleanup(&e))?;
    if let Err(e) = std::fs::rename(&tmp, &dir) {
        let _ = std::fs::remove_dir_all(&tmp);
        // Another run finished first: use its copy.
        if !dir.join(".ready").exists() {
            return Err(fail(
                format!("cannot move the demo into {}: {e}", dir.display()),
                "remove that folder and try again",
            ));
        }
    }
    Ok(dir)
}

/// Stores the demo quarter's check-ins and decisions (the same for `--demo` and for
/// `throughline demo DIR`).
pub async fn seed_history(dir: &Path) -> Result<(), StoreError> {
    let store = Store::open("sqlite://.throughline/state.db", dir).await?;
    for c in throughline_demo::history::checkins() {
        let checkin = NewCheckIn {
            objective: c.objective.into(),
            key_result: c.key_result.into(),
            period: "2026-Q3".into(),
            value: None,
            confidence: Some(c.confidence),
            note: c.note.into(),
            author: c.author.into(),
        };
        store.record_checkin_at(&checkin, c.at).await?;
    }
    for d in throughline_demo::history::decisions() {
        let at: DateTime<Utc> = d.at;
        store
            .record_decision_at(d.text, d.about, d.author, at)
            .await?;
    }
    store.close().await;
    Ok(())
}
