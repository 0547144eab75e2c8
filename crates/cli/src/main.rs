//! The `throughline` command line. Thin: it parses arguments, calls the library crates and
//! chooses the exit code.

//!
//! Each command lives in its own module under `commands/`, with its arguments (`Args`, whose
//! doc comment is its `--help`) and its `run`; this file only lists them and dispatches.

mod args;
mod commands;
mod demo_cache;
mod lifecycle;
mod out;
mod progress;
mod status_text;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use commands::*;

const ABOUT: &str = "Keeps a product team's goals honest: computes the number behind every key \
result, checks OKRs against the mistakes every OKR guide warns about, and writes the weekly \
metrics review.";

const LONG_ABOUT: &str = "\
Keeps a product team's goals honest.

A workspace is a folder with throughline.yaml at its root; every other *.yaml file below it
may hold `metrics:` (the North Star, input metrics, guardrails and KPIs), `objectives:` (with
their key results, initiatives and guardrails) and `experiments:`. The Markdown OKR page a
team already has (a handbook page, an OKR.md, an .mdx page) can be checked as it is:
`throughline explain markdown` lists the shapes read, `check FILE --explain-read` shows what
each line was read as.

Start here:
  throughline review --demo        the weekly metrics review of the built-in demo
  throughline serve --demo         its dashboard, with an editor token to check in
  throughline init my-okrs         write a starter workspace
  throughline check my-okrs        find what is wrong, like a compiler would
  throughline check okrs.md        check the Markdown OKR page you already have
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

/// The commands, in the order `--help` lists them.
#[derive(Subcommand)]
enum Command {
    Check(check::Args),
    Measure(measure::Args),
    Checkin(checkin::Args),
    Decide(decide::Args),
    Status(status::Args),
    Review(review::Args),
    Serve(serve::Args),
    Cluster(cluster::Args),
    Token(token::Args),
    Score(score::Args),
    Notify(notify::Args),
    Explain(explain::Args),
    Import(import::Args),
    Rules(rules::Args),
    Experiment(experiment::Args),
    Init(init::Args),
    Demo(demo::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_) | Command::Cluster(_)) {
        log_when_asked();
    }
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Measure(a) => measure::run(a),
        Command::Cluster(a) => cluster::run(a),
        Command::Checkin(a) => checkin::run(a),
        Command::Decide(a) => decide::run(a),
        Command::Status(a) => status::run(a),
        Command::Review(a) => review::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Token(a) => token::run(a),
        Command::Score(a) => score::run(a),
        Command::Notify(a) => notify::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Import(a) => import::run(a),
        Command::Rules(a) => rules::run(a),
        Command::Experiment(a) => experiment::run(a),
        Command::Init(a) => init::run(a),
        Command::Demo(a) => demo::run(a),
    }
}

/// `RUST_LOG=throughline_engine=debug` (any tracing filter) prints the engine's timings and
/// the query library's messages on stderr; without it nothing is logged. `serve` and
/// `cluster` set up their own logging.
fn log_when_asked() {
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .try_init();
    }
}
