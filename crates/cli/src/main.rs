//! The `throughline` command line. Thin: it parses arguments, calls the library crates and
//! chooses the exit code.

mod init;
mod measure;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use throughline_model::{Diagnostic, Grain, Severity, load_paths};
use throughline_report::{HumanOptions, render_human, render_json, render_sarif, summary_line};

const ABOUT: &str = "Keeps a product team's goals honest: checks OKRs and metric definitions \
against the mistakes every OKR guide warns about.";

const LONG_ABOUT: &str = "\
Keeps a product team's goals honest.

A workspace is a folder with throughline.yaml at its root; every other *.yaml file below it
may hold `metrics:` (the North Star, input metrics, guardrails and KPIs), `objectives:` (with
their key results, initiatives and guardrails) and `experiments:`. Markdown OKR documents in
the common layout (`## Q1 2025 OKRs - Growth`, `### Objective 1: …`, `- KR1: …`) can be
checked as they are.

Start here:
  throughline init my-okrs         write a starter workspace
  throughline check my-okrs        find what is wrong, like a compiler would
  throughline check okrs.md        check a Markdown OKR document you already have
  throughline rules                list every rule
  throughline explain output-key-result
                                   why a rule exists and what to write instead";

#[derive(Parser)]
#[command(name = "throughline", version, about = ABOUT, long_about = LONG_ABOUT)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
        after_help = "Examples:\n  throughline check                     the workspace in this folder\n  throughline check okrs/ --format json\n  throughline check q3-okrs.md --format sarif > results.sarif"
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
        after_help = "Examples:\n  throughline measure --metric activation_rate --grain week\n  throughline measure --by plan --from 2025-01-01 --to 2025-03-31 --format csv\n  throughline measure --explain activation_rate"
    )]
    Measure {
        /// The workspace folder.
        #[arg(long, short = 'w', default_value = ".")]
        workspace: PathBuf,
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
    },
    /// Explain a rule: what it flags, why that is bad, an example and what to write instead.
    #[command(after_help = "Example:\n  throughline explain kpi-as-key-result")]
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
        } => check(paths, format, color),
        Command::Measure {
            workspace,
            metrics,
            grain,
            by,
            from,
            to,
            format,
            explain,
        } => {
            let grain = grain.map(|g| match g {
                GrainArg::Day => Grain::Day,
                GrainArg::Week => Grain::Week,
                GrainArg::Month => Grain::Month,
                GrainArg::Quarter => Grain::Quarter,
            });
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
            )
        }
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

fn check(paths: Vec<PathBuf>, format: Format, color: ColorChoice) -> ExitCode {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let loaded = load_paths(&paths);
    let mut diags: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| loaded.in_focus(d))
        .cloned()
        .collect();
    let input_errors = loaded.has_input_errors();
    if !input_errors {
        diags.extend(throughline_check::run(&loaded));
    }
    throughline_check::sort(&mut diags);
    let files = loaded.sources.files().count() - loaded.context.len();
    match format {
        Format::Json => print(&render_json(&diags, &loaded.sources)),
        Format::Sarif => print(&render_sarif(&diags, &loaded.sources)),
        Format::Human => {
            let color = match color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            let mut text = render_human(&diags, &loaded.sources, HumanOptions { color, width: 0 });
            text.push_str(&summary_line(&diags, files));
            text.push('\n');
            if input_errors || diags.iter().any(Diagnostic::is_input_error) {
                text.push_str("the rules were not run: fix the input errors above first\n");
            }
            print(&text);
        }
    }
    if input_errors || diags.iter().any(Diagnostic::is_input_error) {
        ExitCode::from(2)
    } else if diags.iter().any(|d| d.severity == Severity::Error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
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
    let loaded = load_paths(&[dir.to_path_buf()]);
    let errors: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    if !errors.is_empty() {
        report_errors(&errors, &loaded.sources);
        eprintln!(
            "the workspace has errors; `throughline check {}` lists them",
            dir.display()
        );
        return ExitCode::from(2);
    }
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
        let engine = throughline_engine::Engine::open(&loaded.workspace, dir).await?;
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
            print(&measure::explanation(
                &explanation,
                &loaded.workspace,
                &loaded.sources,
            ));
            ExitCode::SUCCESS
        }
        Ok(Ok(values)) => {
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
            let data = if throughline_check::DATA_RULE_IDS.contains(&id) {
                " It reads metric data and comes with the metric store."
            } else {
                ""
            };
            eprintln!(
                "error: `{id}` is not a rule this version can explain.{data}\nhelp: {hint}`throughline rules` lists every rule id"
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
                "Created a throughline workspace in {shown}:\n{}\n\nNext steps:\n  1. throughline check {shown}       it passes; now edit okrs/okrs.yaml and check again\n  2. Point `sources:` in throughline.yaml at your event and user data.\n  3. Replace the example objectives with your team's, and define each metric they use in\n     metrics.yaml: formula (`compute:`), unit, direction, owner and segments.\n  4. Run `throughline check` in CI (`--format sarif` for code scanning).\n",
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
