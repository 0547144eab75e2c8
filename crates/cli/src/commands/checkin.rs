//! `throughline checkin`: a check-in on a key result from flags, or a batch of JSON lines,
//! validated against the workspace and recorded in its store.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use throughline_app::{CheckInRequest, Error, validate_checkin};

use crate::lifecycle::{Failed, fail, load_workspace, open_store, runtime};

/// Record a check-in on a key result: your confidence (0-10) that it reaches its target,
/// a note with the story behind the number, and, for key results checked in by hand
/// (`manual:`), the value.
///
/// Computed key results take their value from the data; a check-in adds the owner's
/// confidence and story. A check-in is refused when the key result does not exist, the
/// value is in the wrong unit, the confidence is not 0-10, or the period has been scored
/// and closed. `--batch FILE` (or `-` for stdin) reads one JSON object per line,
/// `{"key_result": "activation", "confidence": 7, "note": "…", "value": "31%"}`, and
/// prints `recorded ID OBJECTIVE/KR` as each one is stored.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  throughline checkin activation --confidence 7 --note \"checklist live for 50% of signups\"\n  throughline checkin improve-activation/partners --value 3 --confidence 6\n  throughline checkin --batch checkins.jsonl"
)]
pub struct Args {
    /// The key result: `KR`, `OBJECTIVE/KR` or `TEAM/OBJECTIVE/KR`.
    #[arg(required_unless_present = "batch", conflicts_with = "batch")]
    key_result: Option<String>,
    /// The value, for manual key results, in their unit: `12`, `35%`, `16h`, `$2,400`.
    #[arg(long)]
    value: Option<String>,
    /// How likely the target is reached, 0 (no chance) to 10 (certain).
    #[arg(long, allow_negative_numbers = true)]
    confidence: Option<i64>,
    /// The story behind the number: what changed, what is blocking.
    #[arg(long, default_value = "")]
    note: String,
    /// Who checks in [default: $THROUGHLINE_AUTHOR, else $USER]
    #[arg(long)]
    author: Option<String>,
    /// Read check-ins as JSON lines from FILE (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    batch: Option<PathBuf>,
    /// The workspace folder.
    #[arg(long, short = 'w', default_value = ".")]
    workspace: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    let single = args.key_result.map(|key_result| CheckInRequest {
        key_result,
        value: args.value,
        confidence: args.confidence,
        note: args.note,
        author: crate::args::author(args.author),
    });
    crate::out::done(checkin(&args.workspace, single, args.batch.as_deref()))
}

/// `throughline checkin`: one check-in from flags, or a batch of JSON lines.
fn checkin(dir: &Path, single: Option<CheckInRequest>, batch: Option<&Path>) -> Result<(), Failed> {
    let loaded = load_workspace(dir, true)?;
    let rt = runtime()?;
    rt.block_on(async {
        let store = open_store(&loaded, dir).await?;
        if let Some(r) = single {
            let c = validate_checkin(&loaded.workspace, r).map_err(|e| refused(&e))?;
            let stored = store
                .record_checkin(&c)
                .await
                .map_err(|e| fail(&e, e.help()))?;
            crate::out::print(&format!(
                "recorded check-in {} on {}/{} ({}) in {}\n",
                stored.id,
                c.objective,
                c.key_result,
                c.period,
                store.location()
            ));
            return Ok(());
        }
        let path = batch.expect("checkin has a key result or --batch");
        let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            let f = std::fs::File::open(path).map_err(|e| {
                fail(
                    format!("cannot read {}: {e}", path.display()),
                    "check the path",
                )
            })?;
            Box::new(std::io::BufReader::new(f))
        };
        let default_author = crate::args::author(None);
        let mut refused = 0;
        for (n, line) in reader.lines().enumerate() {
            let line =
                line.map_err(|e| fail(format!("reading the batch: {e}"), "check the input"))?;
            if line.trim().is_empty() {
                continue;
            }
            let request = batch_line(&line, &default_author)
                .and_then(|r| validate_checkin(&loaded.workspace, r));
            let c = match request {
                Ok(c) => c,
                Err(e) => {
                    eprintln!(
                        "error: {}:{}: {e}\n  help: {}",
                        path.display(),
                        n + 1,
                        e.help()
                    );
                    refused += 1;
                    continue;
                }
            };
            let stored = store
                .record_checkin(&c)
                .await
                .map_err(|e| fail(&e, e.help()))?;
            // The acknowledgement: printed only after the check-in committed.
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "recorded {} {}/{}",
                stored.id, c.objective, c.key_result
            );
            let _ = out.flush();
        }
        store.close().await;
        if refused > 0 {
            eprintln!("{refused} check-in(s) refused; the others were recorded");
            return Err(Failed(2));
        }
        Ok(())
    })
}

/// A check-in refused: its words, and its help (with the flag to change, for a field).
fn refused(e: &Error) -> Failed {
    let help = match e.request_field() {
        Some("key_result") | None => e.help(),
        Some(field) => format!("{} (`--{field}`)", e.help()),
    };
    fail(e, help)
}

/// One JSON line of a batch: `{"key_result": "activation", "confidence": 7, "note": "…",
/// "value": "31%", "author": "Dana"}`.
fn batch_line(line: &str, default_author: &str) -> Result<CheckInRequest, Error> {
    const FORM: &str = "each line is one check-in: {\"key_result\": \"activation\", \"confidence\": 7, \"note\": \"…\", \"value\": \"31%\", \"author\": \"Dana\"}";
    let v: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| Error::input(format!("not a JSON object: {e}"), FORM))?;
    let obj = v
        .as_object()
        .ok_or_else(|| Error::input("expected a JSON object", FORM))?;
    let known = ["key_result", "value", "confidence", "note", "author"];
    if let Some(k) = obj.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(Error::input(
            format!("unknown field `{k}`; expected {}", known.join(", ")),
            FORM,
        ));
    }
    let text = |k: &str| obj.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let key_result = text("key_result")
        .ok_or_else(|| Error::field("key_result", "`key_result` is missing", FORM))?;
    let value = match obj.get("value") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(_) => {
            return Err(Error::field(
                "value",
                "`value` must be a number or text like \"35%\"",
                FORM,
            ));
        }
    };
    let confidence = match obj.get("confidence") {
        None | Some(serde_json::Value::Null) => None,
        Some(c) => Some(c.as_i64().ok_or_else(|| {
            Error::field(
                "confidence",
                "`confidence` must be a whole number 0-10",
                FORM,
            )
        })?),
    };
    Ok(CheckInRequest {
        key_result,
        value,
        confidence,
        note: text("note").unwrap_or_default(),
        author: text("author").unwrap_or_else(|| default_author.to_string()),
    })
}
