//! The `throughline` command line. Thin: it parses arguments, calls the library crates and
//! chooses the exit code.

mod check;
mod demo_cache;
mod experiment;
mod init;
mod lifecycle;
mod measure;
mod quarter;
mod review;
mod serve;
mod status;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use throughline_model::{Diagnostic, Grain};
use throughline_report::{HumanOptions, render_human};

const ABOUT: &str = "Keeps a product team's goals honest: computes the number behind every key \
result, checks OKRs against the mistakes every OKR guide warns about, and writes the weekly \
metrics review.";

const LONG_ABOUT: &str = "\
Keeps a product team's goals honest.

A workspace is a folder with throughline.yaml at its root; every other *.yaml file below it
may hold `metrics:` (the North Star, input metrics, guardrails and KPIs), `objectives:` (with
their key results, initiatives and guardrails) and `experiments:`. Markdown OKR documents in
the common layout (`## Q1 2025 OKRs - Growth`, `### Objective 1: …`, `- KR1: …`) can be
checked as they are.

Start here:
  throughline review --demo        the weekly metrics review of the built-in demo
  throughline serve --demo         its dashboard, with an editor token to check in
  throughline init my-okrs         write a starter workspace
  throughline check my-okrs        find what is wrong, like a compiler would
  throughline check okrs.md        check a Markdown OKR document you already have
  throughline measure -w my-okrs   compute every metric from the workspace's data
  throughline review -w my-okrs    this week's review of your own workspace
  throughline explain output-key-result
                                   why a rule exists and what to write instead";

#[derive(Parser)]
#[command(name = "throughline", version, about = ABOUT, long_about = LONG_ABOUT)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// `-w DIR` or `--demo`: the workspace a reading command works on.
#[derive(clap::Args)]
struct WorkspaceOrDemo {
    /// The workspace folder.
    #[arg(long, short = 'w', default_value = ".", conflicts_with = "demo")]
    workspace: PathBuf,
    /// Use the built-in demo workspace (generated once into the cache folder).
    #[arg(long)]
    demo: bool,
}

impl WorkspaceOrDemo {
    /// The folder: the given one, or the demo's (generated on first use).
    fn dir(self) -> Result<PathBuf, lifecycle::Failed> {
        demo_cache::workspace_dir(self.demo, self.workspace)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Check objectives, key results and metric definitions against the rules.
    ///
    /// Exit code 0: no problems, or warnings only. 1: errors found. 2: input that could not
    /// be read (a YAML syntax error, a wrong type, an unknown field), with the file, line and
    /// column of the problem.
    ///
    /// Silence a finding on one line with a comment on that line or alone on the line above:
    /// `# throughline: allow(missing-baseline)` in YAML, `<!-- throughline: allow(rule-id) -->`
    /// in Markdown. Turn rules off or change their severity for the whole workspace under
    /// `checks:` in throughline.yaml.
    #[command(
        after_help = "Examples:\n  throughline check                     the workspace in this folder\n  throughline check okrs/ --format json\n  throughline check q3-okrs.md --format sarif > results.sarif\n  throughline check handbook/okrs.md --explain-read   what each line was read as"
    )]
    Check {
        /// Workspace folders (with throughline.yaml) or single .yaml/.md files [default: .]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// When to color the human output.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Also run the rules that read the metric data (`baseline-mismatch`,
        /// `unambitious-target`); needs a workspace folder with `sources:`.
        #[arg(long)]
        with_data: bool,
        /// Before the findings, show what each part of every Markdown page was read as:
        /// the period, team and owners, each objective and key result with its line, and
        /// what was passed over (`throughline explain markdown` lists the shapes read).
        #[arg(long)]
        explain_read: bool,
    },
    /// Compute metric values from the workspace's event data.
    ///
    /// Every metric unless `--metric` is given; over the whole range of the data unless
    /// `--from`/`--to`; at each metric's `cadence.report` grain unless `--grain`; the total
    /// unless `--by`. Periods are calendar periods in the workspace's time zone. A period that
    /// runs past the end of the data is marked partial (`"complete": false`).
    ///
    /// Cohort metrics (conversion, retention, duration) put each user in the period of their
    /// start; a cohort whose window has not elapsed by the end of the data is marked
    /// `"complete": false`. Shares are percents (0-100) unless the metric has `unit: ratio`;
    /// durations are seconds. `--explain METRIC` shows the definition's plan, its SQL and the
    /// sources it reads instead of computing.
    #[command(
        after_help = "Examples:\n  throughline measure --demo --metric activation_rate --by signup_source\n  throughline measure --metric activation_rate --grain week\n  throughline measure --by plan --from 2025-01-01 --to 2025-03-31 --format csv\n  throughline measure --explain activation_rate"
    )]
    Measure {
        #[command(flatten)]
        workspace: WorkspaceOrDemo,
        /// A metric id; repeat for several.
        #[arg(long = "metric", value_name = "ID")]
        metrics: Vec<String>,
        /// Period length for every metric.
        #[arg(long, value_enum)]
        grain: Option<GrainArg>,
        /// A user dimension to segment by (one of the users source's `dimensions`).
        #[arg(long, value_name = "DIMENSION")]
        by: Option<String>,
        /// First day included (YYYY-MM-DD, in the workspace's time zone).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day included (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = MeasureFormat::Table)]
        format: MeasureFormat,
        /// Show how METRIC is computed (its plan, as SQL, and the sources read) instead.
        #[arg(long, value_name = "METRIC")]
        explain: Option<String>,
        /// Store the values in the workspace's store as snapshots. A value equal to the
        /// stored one is not written again; one that changed is added as a new version, and
        /// the old one is kept.
        #[arg(long)]
        save: bool,
        /// Memory the query may hold before it spills to disk (e.g. `8GB`); a measurement
        /// larger than this runs slower, not out of memory. Default: the
        /// `THROUGHLINE_MEMORY_LIMIT` environment variable, else 60% of the machine's memory.
        /// Spill files go to `THROUGHLINE_SPILL_DIR` or the system's temp folder.
        #[arg(long, value_name = "SIZE", value_parser = throughline_engine::parse_size)]
        memory_limit: Option<usize>,
    },
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
    #[command(
        after_help = "Examples:\n  throughline checkin activation --confidence 7 --note \"checklist live for 50% of signups\"\n  throughline checkin improve-activation/partners --value 3 --confidence 6\n  throughline checkin --batch checkins.jsonl"
    )]
    Checkin {
        /// The key result: `KR`, `OBJECTIVE/KR` or `TEAM/OBJECTIVE/KR`.
        #[arg(required_unless_present = "batch", conflicts_with = "batch")]
        key_result: Option<String>,
        /// The value, for manual key results, in their unit: `12`, `35%`, `16h`, `$2,400`.
        #[arg(long)]
        value: Option<String>,
        /// How likely the target is reached, 0 (no chance) to 10 (certain).
        #[arg(long, value_parser = clap::value_parser!(i64).range(0..=10))]
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
    },
    /// Record a decision taken in a review, optionally about a metric, objective or key
    /// result; the weekly review lists the week's decisions.
    #[command(
        after_help = "Example:\n  throughline decide \"Roll the onboarding checklist out to everyone\" --about activation"
    )]
    Decide {
        /// The decision, in one sentence.
        text: String,
        /// The metric, objective or key result it is about.
        #[arg(long)]
        about: Option<String>,
        /// Who decided [default: $THROUGHLINE_AUTHOR, else $USER]
        #[arg(long)]
        author: Option<String>,
        /// The workspace folder.
        #[arg(long, short = 'w', default_value = ".")]
        workspace: PathBuf,
    },
    /// Show where every objective and key result stands: the alignment tree company → team →
    /// objective → key result with progress, pacing status, confidence and forecast.
    ///
    /// Progress runs from the baseline (0%) to the target (100%), beyond 100% toward a
    /// stretch target. Pacing compares it with the elapsed share of the period: at most 10
    /// points behind is on track, at most 25 at risk, more is off track. The forecast fits a
    /// line through the period's values (or the last 8 before it while the period has fewer
    /// than 4) and gives an 80% band and the chance of reaching the target; a key result on
    /// track by pacing whose trend is unlikely to get there is flagged "on track on paper".
    /// The day seen from is today, or the day after the data ends if that is earlier.
    #[command(
        after_help = "Examples:\n  throughline status --demo\n  throughline status\n  throughline status --team growth --period 2026-Q3\n  throughline status --format json"
    )]
    Status {
        #[command(flatten)]
        workspace: WorkspaceOrDemo,
        /// Only this team's objectives.
        #[arg(long)]
        team: Option<String>,
        /// The period [default: the one containing the day seen from]
        #[arg(long)]
        period: Option<String>,
        /// See the quarter from this day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Write the weekly metrics review: the agenda of the Monday metrics meeting, filled from
    /// the data and the store.
    ///
    /// 1. North Star check: the value, its trend against last week and the 4-week average, with
    ///    a noise band (changes within ±2σ of the recent trend's wobble are called flat), and
    ///    the target. 2. Key result progress: current, target, pacing status, last confidence,
    ///    forecast. 3. Guardrail check: each guardrail and KPI against its baseline (the 4
    ///    values before the period), Green / Yellow / Red against its limits, and a gaming
    ///    signal when a key result improved while a guardrail of its objective got worse.
    ///    4. Experiment results. 5. Insights: every metric that moved beyond noise, with the
    ///    segments that drove it; metrics whose data stopped arriving. 6. The week's decisions
    ///    and next week's focus: key results at risk, red guardrails, owners who have not
    ///    checked in.
    ///
    /// The week is the last complete week of data unless `--week` names one. Values are
    /// what is known now about that week.
    #[command(
        after_help = "Examples:\n  throughline review --demo                      the built-in demo workspace\n  throughline review -w my-okrs --week 2026-W39\n  throughline review --format html --out review.html\n  throughline review --format md >> $GITHUB_STEP_SUMMARY"
    )]
    Review {
        /// The workspace folder.
        #[arg(long, short = 'w', default_value = ".", conflicts_with = "demo")]
        workspace: PathBuf,
        /// Review the built-in demo workspace (Flowboard, generated once into the cache folder
        /// with its quarter's check-ins and decisions).
        #[arg(long)]
        demo: bool,
        /// The week: an ISO week (`2026-W39`) or a day in it (`2026-09-23`) [default: the last
        /// complete week of data]
        #[arg(long)]
        week: Option<String>,
        /// Output format [default: from --out's extension, else md]
        #[arg(long, value_enum)]
        format: Option<review::ReviewFormat>,
        /// Write to FILE instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Serve the web dashboard and its JSON API over the workspace and its store.
    ///
    /// Every metric is computed when the server starts (and again every --refresh-every, or
    /// when an admin sends POST /api/refresh), saved to the store as snapshots and
    /// read back from it; pages and the API read those stored values, the store's check-ins
    /// and decisions, and never the raw events. Pages: the overview (the North Star, its
    /// metric tree, the guardrails), the alignment (company → team → objective → key result),
    /// objective and key-result pages with charts and check-in history, the metrics catalog
    /// with each metric's definition, lineage and stored values, the weekly review with its
    /// decision log and form, the experiments, and a check-in form. The same data is JSON
    /// under /api (the OpenAPI document is /api/openapi.json).
    ///
    /// Reading needs a token unless --public-read; checking in needs an editor token of the
    /// key result's team (`throughline token create`). `--demo` serves the built-in demo,
    /// readable by everyone, and prints an editor token.
    #[command(
        after_help = "Examples:\n  throughline serve --demo\n  throughline serve -w my-okrs --port 8080 --refresh-every 1h\n  throughline serve --host 0.0.0.0 --public-read"
    )]
    Serve {
        /// The workspace folder.
        #[arg(long, short = 'w', default_value = ".", conflicts_with = "demo")]
        workspace: PathBuf,
        /// Serve the built-in demo workspace (generated once into the cache folder).
        #[arg(long)]
        demo: bool,
        /// The address to listen on (127.0.0.1: this machine only).
        #[arg(long, default_value = "127.0.0.1")]
        host: std::net::IpAddr,
        /// The port (0: any free one).
        #[arg(long, default_value_t = 7878)]
        port: u16,
        /// Recompute every metric from the event data this often (e.g. 15m, 1h, 1d; at least
        /// 1m), so new events reach the pages without a restart. Without it the data is
        /// computed at start and when an admin sends POST /api/refresh.
        #[arg(long, value_name = "DURATION", value_parser = parse_every)]
        refresh_every: Option<std::time::Duration>,
        /// Let anyone who can reach the address read pages and the read API without a token.
        #[arg(long)]
        public_read: bool,
    },
    /// Create, list and revoke the API tokens of the dashboard and its API.
    ///
    /// A token has a role: viewer (reads), editor (also checks in and records decisions for
    /// its teams) or admin (everything, and refreshes the data). Tokens live in the store,
    /// only as a hash; a new token is printed once.
    #[command(
        after_help = "Examples:\n  throughline token create --name dana --role editor --team growth\n  throughline token create --name ci --role viewer\n  throughline token list\n  throughline token revoke dana"
    )]
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Score a period: 0.0-1.0 per key result (its progress, capped) and per objective
    /// (weighted mean), judged by commitment: a committed objective should reach 1.0, about
    /// 0.7 is success for an aspirational one (the default). Warns about teams that keep
    /// scoring 1.0 (sandbagging) and shows each owner's stated confidence against outcomes.
    ///
    /// `--close` stores the scores as final and closes the period: no more check-ins on it.
    #[command(
        after_help = "Examples:\n  throughline score --demo\n  throughline score\n  throughline score --period 2026-Q3 --close"
    )]
    Score {
        #[command(flatten)]
        workspace: WorkspaceOrDemo,
        /// The period [default: the latest that has ended]
        #[arg(long)]
        period: Option<String>,
        /// Store the scores as final and close the period (only once it has ended).
        #[arg(long)]
        close: bool,
        /// Who closes it [default: $THROUGHLINE_AUTHOR, else $USER]
        #[arg(long)]
        author: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Explain a rule: what it flags, why that is bad, an example and what to write instead.
    /// `throughline explain markdown` shows the Markdown OKR page shapes that are read.
    #[command(
        after_help = "Examples:\n  throughline explain kpi-as-key-result\n  throughline explain markdown"
    )]
    Explain {
        /// The rule id, e.g. `output-key-result` (`throughline rules` lists them).
        rule: String,
    },
    /// List every rule with its default severity.
    Rules {
        /// Output format (`json` gives id, severity and summary).
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Analyze an A/B experiment: who saw which variant, each goal and guardrail metric per
    /// variant from each user's exposure on, and a decision with its reason.
    ///
    /// A user's first assignment event decides their variant; users seen in several variants
    /// are left out and counted. Rates (conversion, retention, unique) are compared with a
    /// two-proportion z-test, per-user counts, sums, averages, durations and NPS with Welch's
    /// t-test; lifts come with 95% intervals (delta method for the relative lift). A sample
    /// ratio mismatch (chi-square p < 0.001) makes the results untrustworthy. Counts and sums
    /// use CUPED with the 28 days before exposure when that history explains the outcome.
    /// `--sequential` gives always-valid p-values and intervals (mSPRT), safe to read every
    /// day. The decision: ship, don't ship, keep running (with the days left to reach the
    /// sample the minimum detectable effect needs), guardrail harmed, or not trustworthy.
    #[command(
        after_help = "Examples:\n  throughline experiment --demo\n  throughline experiment\n  throughline experiment onboarding-checklist --format json\n  throughline experiment onboarding-checklist --sequential"
    )]
    Experiment {
        /// The experiment id [default: every experiment]
        id: Option<String>,
        /// Always-valid (mSPRT) p-values and intervals.
        #[arg(long)]
        sequential: bool,
        /// Output format (`table` or `json`).
        #[arg(long, value_enum, default_value_t = MeasureFormat::Table)]
        format: MeasureFormat,
        #[command(flatten)]
        workspace: WorkspaceOrDemo,
    },
    /// Write a starter workspace: a company objective, a growth team objective aligned to it,
    /// and every metric they use, defined in full. It passes `check` with no findings.
    Init {
        /// Folder to create the workspace in.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Period of the starter objectives, e.g. `2025-Q1` [default: the current quarter]
        #[arg(long)]
        period: Option<String>,
    },
    /// Write a generated demo: Flowboard, a workflow SaaS, with its metrics, OKRs, an
    /// experiment and 25 weeks of event data as Parquet.
    ///
    /// The data holds effects a review should find: from 2026-07-06 referral signups activate
    /// far more often; signups from 2026-06-01 are in an onboarding-checklist experiment
    /// (treatment activates more); from 2026-08-10 support tickets per active user double
    /// (a guardrail regresses); weekends are quiet. The same --seed and --users give the same
    /// files.
    #[command(
        after_help = "Examples:\n  throughline demo\n  throughline demo big-demo --users 1000000\n  throughline measure -w throughline-demo --metric activation_rate --by signup_source"
    )]
    Demo {
        /// Folder to write the demo into.
        #[arg(default_value = "throughline-demo")]
        dir: PathBuf,
        /// Number of users (about 13 events each).
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=50_000_000))]
        users: u64,
        /// Random seed.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum TokenAction {
    /// Create a token and print it (once).
    Create {
        /// Who or what uses it, e.g. `dana` or `ci`; unique among active tokens.
        #[arg(long)]
        name: String,
        /// What it may do.
        #[arg(long, value_enum)]
        role: serve::RoleArg,
        /// A team it writes for (repeat for several; `*` for every team). Editors need one.
        #[arg(long = "team", value_name = "TEAM")]
        teams: Vec<String>,
        /// The workspace folder.
        #[arg(long, short = 'w', default_value = ".")]
        workspace: PathBuf,
    },
    /// List the active tokens (never their secrets).
    List {
        /// The workspace folder.
        #[arg(long, short = 'w', default_value = ".")]
        workspace: PathBuf,
    },
    /// Revoke a token: it no longer signs in.
    Revoke {
        /// The token's name.
        name: String,
        /// The workspace folder.
        #[arg(long, short = 'w', default_value = ".")]
        workspace: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Compiler-style: the source snippet, a caret and a help line.
    Human,
    /// One JSON array of {rule, severity, file, line, column, message, help}.
    Json,
    /// SARIF 2.1.0, for code scanning in CI.
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum GrainArg {
    Day,
    Week,
    Month,
    Quarter,
}

#[derive(Clone, Copy, ValueEnum)]
enum MeasureFormat {
    Table,
    Json,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            paths,
            format,
            color,
            with_data,
            explain_read,
        } => check::run(paths, format, color, with_data, explain_read),
        Command::Measure {
            workspace,
            metrics,
            grain,
            by,
            from,
            to,
            format,
            explain,
            save,
            memory_limit,
        } => {
            let grain = grain.map(|g| match g {
                GrainArg::Day => Grain::Day,
                GrainArg::Week => Grain::Week,
                GrainArg::Month => Grain::Month,
                GrainArg::Quarter => Grain::Quarter,
            });
            let workspace = match workspace.dir() {
                Ok(w) => w,
                Err(e) => return done(Err(e)),
            };
            run_measure(
                &workspace,
                throughline_engine::Request {
                    metrics,
                    grain,
                    by,
                    from: None,
                    to: None,
                },
                (from, to),
                format,
                explain,
                save,
                throughline_engine::EngineOptions {
                    memory_limit,
                    spill_dir: None,
                },
            )
        }
        Command::Checkin {
            key_result,
            value,
            confidence,
            note,
            author,
            batch,
            workspace,
        } => {
            let single = key_result.map(|key_result| lifecycle::CheckInRequest {
                key_result,
                value,
                confidence,
                note,
                author: lifecycle::author(author),
            });
            done(lifecycle::checkin(&workspace, single, batch.as_deref()))
        }
        Command::Decide {
            text,
            about,
            author,
            workspace,
        } => done(lifecycle::decide(
            &workspace,
            &text,
            about,
            lifecycle::author(author),
        )),
        Command::Status {
            workspace,
            team,
            period,
            as_of,
            format,
        } => done(
            workspace
                .dir()
                .and_then(|w| quarter::run_status(&w, team, period, as_of, format)),
        ),
        Command::Score {
            workspace,
            period,
            close,
            author,
            format,
        } => done(if workspace.demo && close {
            Err(lifecycle::fail(
                "--close is not for the built-in demo: it would end the demo quarter for every later run",
                "score the demo without --close, or close a quarter of your own workspace (-w DIR)",
            ))
        } else {
            workspace.dir().and_then(|w| {
                quarter::run_score(&w, period, close, lifecycle::author(author), format)
            })
        }),
        Command::Review {
            workspace,
            demo,
            week,
            format,
            out,
        } => done(review::run(review::Args {
            workspace,
            demo,
            week,
            format,
            out,
        })),
        Command::Serve {
            workspace,
            demo,
            host,
            port,
            public_read,
            refresh_every,
        } => done(serve::run(serve::Args {
            workspace,
            demo,
            host,
            port,
            public_read,
            refresh_every,
        })),
        Command::Token { action } => done(match action {
            TokenAction::Create {
                name,
                role,
                teams,
                workspace,
            } => serve::create(workspace, name, role, teams),
            TokenAction::List { workspace } => serve::list(workspace),
            TokenAction::Revoke { name, workspace } => serve::revoke(workspace, name),
        }),
        Command::Experiment {
            id,
            sequential,
            format,
            workspace,
        } => done(
            workspace
                .dir()
                .and_then(|w| experiment::run(&w, id, sequential, format)),
        ),
        Command::Explain { rule } => explain(&rule),
        Command::Rules { format } => rules(format),
        Command::Init { dir, period } => init(&dir, period),
        Command::Demo { dir, users, seed } => demo(&dir, users as usize, seed),
    }
}

fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    // a closed pipe (`| head`) is not an error worth a panic
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

fn done(r: Result<(), lifecycle::Failed>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(lifecycle::Failed(code)) => ExitCode::from(code),
    }
}

/// `serve --refresh-every`: a duration of at least a minute.
fn parse_every(s: &str) -> Result<std::time::Duration, String> {
    let secs = throughline_model::values::parse_duration(s)
        .map_err(|e| format!("{e}; write e.g. 15m, 1h or 1d"))?;
    if secs < 60 {
        return Err(format!(
            "`{s}` is shorter than a minute; each refresh reads every event, so refresh at most once a minute"
        ));
    }
    Ok(std::time::Duration::from_secs(secs as u64))
}

fn parse_day(flag: &str, s: Option<String>) -> Result<Option<chrono::NaiveDate>, String> {
    s.map(|s| {
        throughline_model::values::parse_date(&s)
            .map_err(|e| format!("--{flag}: {e}; write dates as YYYY-MM-DD"))
    })
    .transpose()
}

/// Prints diagnostics for a person, on stderr.
fn report_errors(diags: &[Diagnostic], sources: &throughline_model::SourceMap) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    eprint!(
        "{}",
        render_human(diags, sources, HumanOptions { color, width: 0 })
    );
}

fn run_measure(
    dir: &std::path::Path,
    mut request: throughline_engine::Request,
    (from, to): (Option<String>, Option<String>),
    format: MeasureFormat,
    explain: Option<String>,
    save: bool,
    options: throughline_engine::EngineOptions,
) -> ExitCode {
    let (from, to) = match (parse_day("from", from), parse_day("to", to)) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        eprintln!("error: --to ({t}) is before --from ({f})\nhelp: swap the two dates");
        return ExitCode::from(2);
    }
    let loaded = match lifecycle::load_workspace(dir, false) {
        Ok(l) => l,
        Err(lifecycle::Failed(code)) => return ExitCode::from(code),
    };
    request.from = from;
    request.to = to;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the query runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let bar = measure::Progress::new();
    let result = runtime.block_on(async {
        bar.opening();
        let engine =
            throughline_engine::Engine::open_with(&loaded.workspace, dir, &options).await?;
        for w in engine.warnings() {
            bar.println(&format!("warning: {w}"));
        }
        if let Some(id) = &explain {
            return engine.explain(id, &request).await.map(Err);
        }
        engine
            .measure_with(&request, &|p| bar.update(p))
            .await
            .map(Ok)
    });
    bar.finish();
    match result {
        Ok(Err(explanation)) => {
            print(&measure::explanation(&explanation, &loaded));
            ExitCode::SUCCESS
        }
        Ok(Ok(values)) => {
            if save {
                let snapshots = lifecycle::snapshots(&loaded, &values);
                let saved = runtime.block_on(async {
                    let store = lifecycle::open_store(&loaded, dir).await?;
                    let s = store
                        .save_snapshots(&snapshots)
                        .await
                        .map_err(|e| lifecycle::fail(&e, e.help()))?;
                    store.close().await;
                    Ok::<_, lifecycle::Failed>((s, store.location().to_string()))
                });
                match saved {
                    Ok((s, at)) => eprintln!(
                        "saved {} values to {at}: {} new, {} unchanged, {} revised (new data), {} from a changed definition",
                        snapshots.len(),
                        s.new,
                        s.unchanged,
                        s.revised,
                        s.redefined
                    ),
                    Err(lifecycle::Failed(code)) => return ExitCode::from(code),
                }
            }
            print(&match format {
                MeasureFormat::Json => measure::json(&values),
                MeasureFormat::Csv => measure::csv(&values),
                MeasureFormat::Table => measure::table(&values),
            });
            ExitCode::SUCCESS
        }
        Err(e) => {
            report_errors(&[e.to_diagnostic()], &loaded.sources);
            ExitCode::from(1)
        }
    }
}

fn explain(id: &str) -> ExitCode {
    if matches!(id, "markdown" | "no-objectives" | "markdown-unread") {
        print(&format!("{}\n", throughline_model::markdown::explanation()));
        return ExitCode::SUCCESS;
    }
    match throughline_check::rule(id) {
        Some(rule) => {
            let m = rule.meta();
            print(&format!(
                "{} (default severity: {})\n\n{}\n",
                m.id,
                m.severity,
                m.explanation()
            ));
            ExitCode::SUCCESS
        }
        None => {
            let ids = throughline_check::rules::ALL.iter().map(|r| r.meta().id);
            let hint = match throughline_model::did_you_mean(id, ids) {
                Some(s) => format!("did you mean `{s}`? "),
                None => String::new(),
            };
            eprintln!(
                "error: `{id}` is not a rule this version can explain\nhelp: {hint}`throughline rules` lists every rule id; `throughline explain markdown` shows the Markdown shapes that are read"
            );
            ExitCode::from(2)
        }
    }
}

fn rules(format: ListFormat) -> ExitCode {
    let all = throughline_check::rules::ALL;
    match format {
        ListFormat::Json => {
            let rows: Vec<serde_json::Value> = all
                .iter()
                .map(|r| {
                    let m = r.meta();
                    serde_json::json!({ "id": m.id, "severity": m.severity.as_str(), "summary": m.summary })
                })
                .collect();
            print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&rows).expect("serializes")
            ));
        }
        ListFormat::Human => {
            let width = all.iter().map(|r| r.meta().id.len()).max().unwrap_or(0);
            let mut text = String::new();
            for r in all {
                let m = r.meta();
                text.push_str(&format!(
                    "{:<width$}  {:<7}  {}\n",
                    m.id,
                    m.severity.as_str(),
                    m.summary
                ));
            }
            text.push_str(
                "\n`throughline explain RULE` tells why a rule exists and what to write instead.\n",
            );
            print(&text);
        }
    }
    ExitCode::SUCCESS
}

fn init(dir: &std::path::Path, period: Option<String>) -> ExitCode {
    let period = period.unwrap_or_else(init::current_quarter);
    if let Err(e) = throughline_model::Period::parse(&period) {
        eprintln!(
            "error: {e}\nhelp: write the period as `2025-Q1`, `2025-H1`, `2025-03` or `2025`"
        );
        return ExitCode::from(2);
    }
    match init::write_starter(dir, &period) {
        Ok(written) => {
            let shown = dir.display();
            print(&format!(
                "Created a throughline workspace in {shown}:\n{}\n\nNext steps:\n  1. throughline check {shown}       it passes; now edit okrs/okrs.yaml and check again\n  2. Point `sources:` in throughline.yaml at your event and user data.\n  3. Replace the example objectives with your team's, and define each metric they use in\n     metrics.yaml: formula (`compute:`), unit, direction, owner and segments.\n  4. throughline review -w {shown}      this week's metrics review, once the data is there\n     (throughline serve -w {shown} for the dashboard)\n  5. Run `throughline check` in CI (`--format sarif` for code scanning).\n",
                written
                    .iter()
                    .map(|w| format!("  {w}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn demo(dir: &std::path::Path, users: usize, seed: u64) -> ExitCode {
    let bar = measure::Progress::new();
    bar.message("generating users and events");
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let opts = throughline_demo::Options { users, seed };
    let result =
        throughline_demo::generate(dir, opts, threads, &|done, total| bar.count(done, total));
    bar.finish();
    match result {
        Ok(summary) => {
            let shown = dir.display();
            print(&format!(
                "Wrote the Flowboard demo to {shown}: {} users, {} events in {} files.\n\nNext steps:\n  throughline check {shown}\n  throughline measure -w {shown} --metric activation_rate --by signup_source\n  throughline measure -w {shown} --grain month --format csv\n",
                summary.users,
                summary.events,
                summary.files.len()
            ));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
