//! `throughline init --events PATH [--users PATH]`: a workspace over the team's own data.
//!
//! The files are read as a source is (damaged files are refused by file and line), each
//! column profiled ([`throughline_engine::profile`]), and the mapping proposed: the user,
//! time and event name columns by their names and what they hold, the zone of times written
//! without an offset, the users file's signup time and its dimensions (text columns with a
//! few distinct values). In a terminal each choice is asked with the proposal as its default;
//! with `--yes` (or without a terminal) the proposal and the flags are taken as they are.
//!
//! Then the event names are counted and the starter metrics written over events the data
//! has: active users (any event), a conversion from an earlier to a later event among the
//! three most users have (of the pairs, the one whose measured value has most room to move),
//! stickiness, and retention (from signup with a users file, else the earliest event; back
//! to an event users repeat) as the guardrail, with an objective whose key results'
//! baselines are measured from the data before its period. An event called `signup` is
//! written `{ event: signup }` (plain `signup` is the users file's time).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use throughline_engine::profile::{ColumnInfo, ColumnKind, Profile, profile};
use throughline_model::SourceFormat;

use super::facts::{data_facts, engine_failed};
use super::plan::{Plan, baselines, report};
use super::yaml::scalar;
use crate::lifecycle::{Failed, fail};

#[derive(clap::Args, Default)]
pub struct DataArgs {
    /// Your event files: a file, a folder or a glob (Parquet, CSV or JSON lines). Writes
    /// `sources:` for them and starter metrics over the events they hold
    #[arg(long, value_name = "PATH")]
    pub events: Option<PathBuf>,
    /// Your users file (one row per user: id, signup time, dimensions such as plan)
    #[arg(long, value_name = "PATH", requires = "events")]
    users: Option<PathBuf>,
    /// The events' user column, and the users file's when it has one by that name
    /// [default: inferred: `user_id`, `distinct_id`, …]
    #[arg(long, value_name = "COLUMN", requires = "events")]
    user_column: Option<String>,
    /// The events' time column [default: inferred: the column of times]
    #[arg(long, value_name = "COLUMN", requires = "events")]
    time_column: Option<String>,
    /// The events' name column [default: inferred: `event`, `event_name`, …]
    #[arg(long, value_name = "COLUMN", requires = "events")]
    event_column: Option<String>,
    /// The users file's signup time column [default: inferred]
    #[arg(long, value_name = "COLUMN", requires = "users")]
    signup_column: Option<String>,
    /// The users file's columns to segment by, comma-separated [default: its text columns
    /// with 2 to 50 distinct values]
    #[arg(long, value_name = "A,B", value_delimiter = ',', requires = "users")]
    dimensions: Option<Vec<String>>,
    /// The zone periods are cut in, and of times written without an offset [default: UTC]
    #[arg(long, value_name = "ZONE", requires = "events")]
    timezone: Option<String>,
    /// Take what is inferred and the flags given, without asking (as without a terminal)
    #[arg(long, short = 'y')]
    yes: bool,
    #[command(flatten)]
    pub engine: crate::args::EngineArgs,
}

pub fn run(dir: &Path, period: Option<String>, args: DataArgs) -> ExitCode {
    match write(dir, period, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failed(code)) => ExitCode::from(code),
    }
}

/// A file source as the workspace names it.
struct Located {
    format: SourceFormat,
    /// As written in `path:` (relative to the workspace folder when the data is inside it).
    path: String,
}

/// The mapping proposed (or chosen) for the events and the users.
struct Mapping {
    events: Located,
    user: String,
    time: String,
    name: String,
    zoned: bool,
    users: Option<UsersMapping>,
    tz: chrono_tz::Tz,
}

struct UsersMapping {
    located: Located,
    user: String,
    time: String,
    dimensions: Vec<String>,
}

fn write(dir: &Path, period: Option<String>, args: DataArgs) -> Result<(), Failed> {
    let events_arg = args.events.clone().expect("--events given");
    std::fs::create_dir_all(dir).map_err(|e| {
        fail(
            format!("cannot create {}: {e}", dir.display()),
            "choose a folder you can write to",
        )
    })?;
    let planned: Vec<(String, String)> = ["throughline.yaml", "metrics.yaml", "okrs/okrs.yaml"]
        .iter()
        .map(|n| (n.to_string(), String::new()))
        .collect();
    super::refuse_existing(dir, &planned)?;
    let rt = crate::lifecycle::runtime()?;
    let events = locate(dir, &events_arg)?;
    let users = args.users.as_ref().map(|u| locate(dir, u)).transpose()?;
    eprintln!("Reading {} …", events_arg.display());
    let ev = rt
        .block_on(profile(events.format, &events.path, dir))
        .map_err(|e| engine_failed(&e))?;
    let up = match &users {
        Some(u) => {
            eprintln!(
                "Reading {} …",
                args.users.as_ref().expect("users").display()
            );
            Some(
                rt.block_on(profile(u.format, &u.path, dir))
                    .map_err(|e| engine_failed(&e))?,
            )
        }
        None => None,
    };
    let ask = !args.yes && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let mapping = propose(&args, &ev, events, users.zip(up.as_ref()), ask)?;
    let sources = sources_yaml(&mapping);
    let workspace = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().to_string()))
        .unwrap_or_else(|| "Our team".into());
    let settings = settings_yaml(&workspace, &mapping, &sources);
    // the settings first: the event names and the data's days come from opening them
    super::write_files(dir, vec![("throughline.yaml".into(), settings)])?;
    // a failure after that leaves nothing behind, so that init can simply be run again
    let undo = |e: Failed| {
        for (name, _) in &planned {
            let _ = std::fs::remove_file(dir.join(name));
        }
        e
    };
    let facts = rt
        .block_on(data_facts(dir, &args.engine.options()))
        .map_err(|e| undo(engine_failed(&e)))?;
    let period = match period {
        Some(p) => p,
        None => super::quarter_of(facts.days.1),
    };
    let plan = Plan::of(&facts, mapping.users.is_some());
    let Some(mut plan) = plan else {
        return Err(undo(fail(
            format!(
                "the events hold no event name with users ({} rows read)",
                ev.rows
            ),
            "check `--event-column` and `--user-column`",
        )));
    };
    let metrics = plan.metrics_yaml(mapping.users.as_ref().map_or(&[][..], |u| &u.dimensions));
    let okrs = plan.okrs_yaml(&period, None);
    super::write_files(
        dir,
        vec![
            ("metrics.yaml".into(), metrics),
            ("okrs/okrs.yaml".into(), okrs),
        ],
    )
    .map_err(undo)?;
    // baselines measured from the data before the period, and targets beyond them
    let measured = baselines(dir, &plan, &args.engine.options()).map_err(undo)?;
    // one conversion kept: the one with room to move
    let measured = plan.keep_one_conversion(measured);
    let metrics = plan.metrics_yaml(mapping.users.as_ref().map_or(&[][..], |u| &u.dimensions));
    let okrs = plan.okrs_yaml(&period, Some(&measured));
    super::write_files(
        dir,
        vec![
            ("metrics.yaml".into(), metrics),
            ("okrs/okrs.yaml".into(), okrs),
        ],
    )
    .map_err(undo)?;
    report(dir, &facts, &plan, &period, &measured);
    Ok(())
}

/// The format and the `path:` of `given` (a file, a folder, or a glob), as seen from `dir`.
fn locate(dir: &Path, given: &Path) -> Result<Located, Failed> {
    let text = given.to_string_lossy().to_string();
    let globbed = text.contains(['*', '?', '[']);
    let (pattern, ext) = if globbed {
        let ext = Path::new(&text)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        (text.clone(), ext)
    } else if given.is_dir() {
        // the extension most files in it have
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for e in std::fs::read_dir(given).into_iter().flatten().flatten() {
            if let Some(x) = e.path().extension() {
                *counts
                    .entry(x.to_string_lossy().to_ascii_lowercase())
                    .or_default() += 1;
            }
        }
        let ext = counts
            .into_iter()
            .filter(|(x, _)| format_of(x).is_some())
            .max_by_key(|(_, n)| *n)
            .map(|(x, _)| x);
        let Some(ext) = ext else {
            return Err(fail(
                format!(
                    "{} holds no .parquet, .csv or .jsonl files",
                    given.display()
                ),
                "point --events at the event files (a file, a folder of them, or a glob such as 'data/*.csv')",
            ));
        };
        (format!("{}/*.{ext}", text.trim_end_matches('/')), Some(ext))
    } else if given.is_file() {
        (
            text.clone(),
            given
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase()),
        )
    } else {
        return Err(fail(
            format!("{} does not exist", given.display()),
            "give the path of the event files, relative to the current folder",
        ));
    };
    let Some(format) = ext.as_deref().and_then(format_of) else {
        return Err(fail(
            format!(
                "cannot tell the format of {} from its name",
                given.display()
            ),
            "the files must end in .parquet, .csv, .jsonl or .ndjson",
        ));
    };
    Ok(Located {
        format,
        path: relative_to(dir, &pattern),
    })
}

fn format_of(ext: &str) -> Option<SourceFormat> {
    match ext {
        "parquet" | "pq" => Some(SourceFormat::Parquet),
        "csv" => Some(SourceFormat::Csv),
        "jsonl" | "ndjson" | "json" => Some(SourceFormat::Jsonl),
        _ => None,
    }
}

/// `pattern` (relative to the current folder, or absolute) as seen from `dir`: relative when
/// it lies inside it, else absolute.
fn relative_to(dir: &Path, pattern: &str) -> String {
    let abs = std::path::absolute(pattern).unwrap_or_else(|_| PathBuf::from(pattern));
    let base = dir
        .canonicalize()
        .or_else(|_| std::path::absolute(dir))
        .unwrap_or_else(|_| dir.to_path_buf());
    // compare without symbolic links where the folders exist
    let abs_real = abs
        .parent()
        .and_then(|p| p.canonicalize().ok())
        .map(|p| p.join(abs.file_name().unwrap_or_default()))
        .unwrap_or(abs.clone());
    relative(&base, &abs_real).unwrap_or_else(|| abs_real.to_string_lossy().to_string())
}

/// `to` as a path from `base` (`../data/events.csv`), when both are absolute and share more
/// than the root: a workspace that moves with its data keeps working.
fn relative(base: &Path, to: &Path) -> Option<String> {
    use std::path::Component;
    let b: Vec<Component> = base.components().collect();
    let t: Vec<Component> = to.components().collect();
    let common = b.iter().zip(&t).take_while(|(x, y)| x == y).count();
    if common <= 1 {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c.as_os_str());
    }
    Some(out.to_string_lossy().to_string())
}

/// Names a column of users is often called, most likely first.
const USER_NAMES: &[&str] = &[
    "user_id",
    "userid",
    "user",
    "distinct_id",
    "uid",
    "person_id",
    "customer_id",
    "account_id",
    "member_id",
    "anonymous_id",
    "visitor_id",
    "client_id",
    "id",
];
const TIME_NAMES: &[&str] = &[
    "ts",
    "timestamp",
    "time",
    "event_time",
    "event_timestamp",
    "occurred_at",
    "created_at",
    "datetime",
    "date",
];
const NAME_NAMES: &[&str] = &[
    "event",
    "event_name",
    "name",
    "event_type",
    "action",
    "type",
    "activity",
];
const SIGNUP_NAMES: &[&str] = &[
    "signed_up_at",
    "signup_at",
    "signup_time",
    "signup_ts",
    "created_at",
    "registered_at",
    "joined_at",
    "first_seen",
    "ts",
    "time",
    "timestamp",
];

/// The column among `p`'s that a name list and a kind pick: the first listed name the file
/// has (in any case), else the only column of that kind.
fn pick(p: &Profile, names: &[&str], fits: impl Fn(&ColumnInfo) -> bool) -> Option<String> {
    for n in names {
        if let Some(c) = p
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(n) && fits(c))
        {
            return Some(c.name.clone());
        }
    }
    let fitting: Vec<&ColumnInfo> = p.columns.iter().filter(|c| fits(c)).collect();
    match fitting.as_slice() {
        [one] => Some(one.name.clone()),
        _ => None,
    }
}

fn is_time(c: &ColumnInfo) -> bool {
    matches!(c.kind, ColumnKind::Time { .. })
}

fn is_id(c: &ColumnInfo) -> bool {
    matches!(c.kind, ColumnKind::Text | ColumnKind::Number)
}

/// The mapping from the flags, else the proposal, asked for in a terminal.
fn propose(
    args: &DataArgs,
    ev: &Profile,
    events: Located,
    users: Option<(Located, &Profile)>,
    ask: bool,
) -> Result<Mapping, Failed> {
    let listing = |p: &Profile| {
        p.columns
            .iter()
            .map(|c| format!("{} ({})", c.name, kind_word(c.kind)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let choose = |what: &str,
                  flag: &str,
                  given: &Option<String>,
                  guess: Option<String>,
                  p: &Profile|
     -> Result<String, Failed> {
        let chosen = match given {
            Some(g) => Some(g.clone()),
            None if ask => Some(prompt(what, guess.as_deref())?).filter(|s| !s.is_empty()),
            None => guess,
        };
        let Some(c) = chosen else {
            return Err(fail(
                format!(
                    "cannot tell which column holds the {what}; the columns are {}",
                    listing(p)
                ),
                format!("name it with {flag}"),
            ));
        };
        if !p.columns.iter().any(|x| x.name == c) {
            return Err(fail(
                format!("there is no column `{c}`; the columns are {}", listing(p)),
                format!("name one of them with {flag}"),
            ));
        }
        Ok(c)
    };
    let user_guess = pick(ev, USER_NAMES, is_id);
    let time_guess = pick(ev, TIME_NAMES, is_time);
    let name_guess = pick(ev, NAME_NAMES, |c| {
        c.kind == ColumnKind::Text && Some(&c.name) != user_guess.as_ref()
    })
    .or_else(|| {
        // the text column with the fewest distinct values (but more than one)
        ev.columns
            .iter()
            .filter(|c| c.kind == ColumnKind::Text && Some(&c.name) != user_guess.as_ref())
            .filter(|c| c.distinct > 1)
            .min_by_key(|c| c.distinct)
            .map(|c| c.name.clone())
    });
    eprintln!(
        "The events: {} rows in {} file{}; columns {}",
        ev.rows,
        ev.files,
        if ev.files == 1 { "" } else { "s" },
        listing(ev)
    );
    let user = choose("users", "--user-column", &args.user_column, user_guess, ev)?;
    let time = choose(
        "event times",
        "--time-column",
        &args.time_column,
        time_guess,
        ev,
    )?;
    let name = choose(
        "event names",
        "--event-column",
        &args.event_column,
        name_guess,
        ev,
    )?;
    let zoned = ev
        .columns
        .iter()
        .find(|c| c.name == time)
        .is_some_and(|c| c.kind == ColumnKind::Time { zoned: true });
    let tz_text = match &args.timezone {
        Some(t) => t.clone(),
        None if ask => {
            let q = if zoned {
                "time zone periods are cut in"
            } else {
                "time zone of the times (written without an offset)"
            };
            let t = prompt(q, Some("UTC"))?;
            if t.is_empty() { "UTC".into() } else { t }
        }
        None => "UTC".into(),
    };
    let tz: chrono_tz::Tz = tz_text.parse().map_err(|_| {
        fail(
            format!("`{tz_text}` is not a time zone"),
            "give an IANA zone name such as `Europe/Berlin`, `America/New_York` or `UTC`",
        )
    })?;
    let users = match users {
        Some((located, p)) => {
            eprintln!("The users: {} rows; columns {}", p.rows, listing(p));
            // `--user-column` names the users file's id column too, when it has one by that
            // name (the two files usually share it)
            let given = args
                .user_column
                .clone()
                .filter(|c| p.columns.iter().any(|x| &x.name == c));
            let uid = choose(
                "users' ids",
                "--user-column",
                &given,
                pick(p, USER_NAMES, is_id),
                p,
            )?;
            let signup = choose(
                "signup times",
                "--signup-column",
                &args.signup_column,
                pick(p, SIGNUP_NAMES, is_time),
                p,
            )?;
            let dimensions = match &args.dimensions {
                Some(d) => {
                    for x in d {
                        if !p.columns.iter().any(|c| &c.name == x) {
                            return Err(fail(
                                format!(
                                    "the users file has no column `{x}`; the columns are {}",
                                    listing(p)
                                ),
                                "name its columns in --dimensions",
                            ));
                        }
                    }
                    d.clone()
                }
                None => p
                    .columns
                    .iter()
                    .filter(|c| c.name != uid && c.name != signup)
                    .filter(|c| c.kind == ColumnKind::Text && (2..=50).contains(&c.distinct))
                    .map(|c| c.name.clone())
                    .collect(),
            };
            Some(UsersMapping {
                located,
                user: uid,
                time: signup,
                dimensions,
            })
        }
        None => None,
    };
    let m = Mapping {
        events,
        user,
        time,
        name,
        zoned,
        users,
        tz,
    };
    eprintln!("{}", describe(&m));
    if ask && !confirm("Write the workspace?")? {
        return Err(fail(
            "nothing written",
            "run init again, or give the columns as flags",
        ));
    }
    Ok(m)
}

fn kind_word(k: ColumnKind) -> &'static str {
    match k {
        ColumnKind::Text => "text",
        ColumnKind::Number => "number",
        ColumnKind::Time { zoned: true } => "time with offset",
        ColumnKind::Time { zoned: false } => "time",
        ColumnKind::Other => "other",
    }
}

/// The mapping in words, for the terminal.
fn describe(m: &Mapping) -> String {
    let mut out = format!(
        "Proposed: events from `{}` ({}): user `{}`, time `{}`, event name `{}`; times {}; periods cut in {}",
        m.events.path,
        m.events.format.as_str(),
        m.user,
        m.time,
        m.name,
        if m.zoned {
            "carry their offset"
        } else {
            "have no offset and are read as local times of that zone"
        },
        m.tz
    );
    if let Some(u) = &m.users {
        out.push_str(&format!(
            "\n          users from `{}`: user `{}`, signup time `{}`, dimensions [{}]",
            u.located.path,
            u.user,
            u.time,
            u.dimensions.join(", ")
        ));
    }
    out
}

/// Asks for `what` on the terminal; Enter takes `default`.
fn prompt(what: &str, default: Option<&str>) -> Result<String, Failed> {
    let mut err = std::io::stderr();
    let _ = write!(
        err,
        "{what}{}: ",
        default.map(|d| format!(" [{d}]")).unwrap_or_default()
    );
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        fail(
            format!("cannot read the answer: {e}"),
            "give the choices as flags with --yes",
        )
    })?;
    let t = line.trim();
    Ok(if t.is_empty() {
        default.unwrap_or("").to_string()
    } else {
        t.to_string()
    })
}

fn confirm(what: &str) -> Result<bool, Failed> {
    let a = prompt(&format!("{what} (y/n)"), Some("y"))?;
    Ok(matches!(a.to_ascii_lowercase().as_str(), "y" | "yes"))
}

fn sources_yaml(m: &Mapping) -> String {
    let mut out = format!(
        "sources:\n  events:                     # one row per event\n    format: {}\n    path: {}\n    columns: {{ user: {}, time: {}, name: {} }}\n",
        m.events.format.as_str(),
        scalar(&m.events.path),
        scalar(&m.user),
        scalar(&m.time),
        scalar(&m.name)
    );
    if let Some(u) = &m.users {
        out.push_str(&format!(
            "  users:                      # one row per user; `time` is the signup time\n    format: {}\n    path: {}\n    columns: {{ user: {}, time: {} }}\n",
            u.located.format.as_str(),
            scalar(&u.located.path),
            scalar(&u.user),
            scalar(&u.time)
        ));
        if !u.dimensions.is_empty() {
            out.push_str(&format!(
                "    dimensions: [{}]\n",
                u.dimensions
                    .iter()
                    .map(|d| scalar(d))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    out
}

fn settings_yaml(workspace: &str, m: &Mapping, sources: &str) -> String {
    format!(
        "# throughline workspace settings, written by `throughline init` from your data.\n\
         # Every other *.yaml file below this folder may hold `metrics:`, `objectives:`,\n\
         # `experiments:` and `people:`; `throughline explain sources` explains every key below.\n\
         workspace: {}\n\
         timezone: {}{}\n\
         week_starts: monday\n\
         store: sqlite://.throughline/state.db\n\n{sources}",
        scalar(workspace),
        m.tz,
        if m.zoned {
            "                 # periods and windows are cut in this zone"
        } else {
            "                 # periods are cut in this zone; times without an offset are read in it"
        }
    )
}
