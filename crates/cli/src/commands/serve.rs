//! `throughline serve`: the dashboard and its JSON API over the workspace and its store.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use throughline_server::{AppState, Settings};
use throughline_store::NewToken;

use crate::lifecycle::{Failed, fail, load_workspace, open_store, runtime};

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
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  throughline serve --demo\n  throughline serve -w my-okrs --port 8080 --refresh-every 1h\n  throughline serve --host 0.0.0.0 --public-read\n  throughline serve -w my-okrs --refresh-every 1h --notify"
)]
pub struct Args {
    /// The workspace folder.
    #[arg(long, short = 'w', default_value = ".", conflicts_with = "demo")]
    workspace: PathBuf,
    /// Serve the built-in demo workspace (generated once into the cache folder).
    #[arg(long)]
    demo: bool,
    /// The address to listen on (127.0.0.1: this machine only).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
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
    /// Send the reminders, digests and alerts of `notify:` on schedule (checked every
    /// minute; each message once, as `throughline notify` sends them).
    #[arg(long)]
    notify: bool,
    #[command(flatten)]
    engine: crate::args::EngineArgs,
}

/// `--refresh-every`: a duration of at least a minute.
fn parse_every(s: &str) -> Result<std::time::Duration, throughline_model::ValueError> {
    let secs = throughline_model::values::parse_duration(s).map_err(|e| {
        throughline_model::ValueError::new(format!("{e}; write e.g. 15m, 1h or 1d"))
    })?;
    if secs < 60 {
        return Err(throughline_model::ValueError::new(format!(
            "`{s}` is shorter than a minute; each refresh reads every event, so refresh at most once a minute"
        )));
    }
    Ok(std::time::Duration::from_secs(secs as u64))
}

/// The token `serve --demo` prints: an editor of every team, made anew at each start.
const DEMO_TOKEN: &str = "demo-editor";

pub fn run(args: Args) -> ExitCode {
    crate::out::done(serve(args))
}

// Long because starting the server is a sequence (logging, workspace, store, tokens,
// refresh schedule, bind, serve) where each step reports its own failure.
fn serve(args: Args) -> Result<(), Failed> {
    // What the server does (check-ins and decisions recorded, refreshes) goes to stderr;
    // RUST_LOG=debug says more, RUST_LOG=warn less.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let dir = crate::demo_cache::workspace_dir(args.demo, args.workspace.clone())?;
    let loaded = load_workspace(&dir, true)?;
    let engine = args.engine.options();
    let rt = runtime()?;
    rt.block_on(async {
        let store = open_store(&loaded, &dir).await?;
        let bar = crate::progress::Progress::new();
        let computed =
            throughline_server::compute(&loaded, &dir, &store, &engine, &|s| bar.message(s))
                .await;
        bar.finish();
        let computed = computed.map_err(|e| {
            match &e.1 {
                Some(d) => crate::out::report_errors(std::slice::from_ref(d), &loaded.sources),
                None => eprintln!("error: cannot compute the dashboard's data: {e}"),
            }
            Failed(2)
        })?;
        for w in &computed.warnings {
            eprintln!("warning: {w}");
        }
        let demo_token = if args.demo {
            let _ = store.revoke_token(DEMO_TOKEN).await;
            let (_, secret) = store
                .create_token(&NewToken {
                    name: DEMO_TOKEN.into(),
                    role: "editor".into(),
                    teams: vec!["*".into()],
                })
                .await
                .map_err(|e| fail(&e, e.help()))?;
            Some(secret)
        } else {
            None
        };
        let tokens = store.tokens().await.map_err(|e| fail(&e, e.help()))?.len();
        let public_read = args.public_read || args.demo;
        let name = loaded
            .workspace
            .settings
            .name
            .as_ref()
            .map_or("the workspace".into(), |n| n.value.clone());
        let state = AppState::new(
            loaded,
            dir.clone(),
            store,
            Settings {
                public_read,
                engine,
            },
            computed,
        );
        if let Some(every) = args.refresh_every {
            tokio::spawn(state.clone().refresh_every(every));
        }
        if args.notify {
            if state.loaded().workspace.settings.notify.is_none() {
                eprintln!("warning: --notify: the workspace has no `notify:` settings; nothing will be sent");
            }
            tokio::spawn(state.clone().notify_every(std::time::Duration::from_secs(60)));
        }
        let addr = SocketAddr::new(args.host, args.port);
        let banner = Banner {
            name: &name,
            public_read,
            demo_token: demo_token.as_deref(),
            tokens,
            dir: &dir,
        };
        let served = throughline_server::serve(state, addr, |at| banner.print(at)).await;
        served.map_err(|e| {
            fail(
                format!("cannot serve on {addr}: {e}"),
                "choose another --port, or stop what is using it",
            )
        })
    })
}

/// What `serve` prints once it listens: the address, who may read, and how to check in.
struct Banner<'a> {
    name: &'a str,
    public_read: bool,
    demo_token: Option<&'a str>,
    tokens: usize,
    dir: &'a Path,
}

impl Banner<'_> {
    fn print(&self, at: SocketAddr) {
        let url = format!("http://{at}/");
        let mut lines = vec![format!("throughline dashboard for {} at {url}", self.name)];
        lines.push(if self.public_read {
            "  reading: open to everyone who can reach the address".into()
        } else {
            "  reading: with a token (sign in at /login or send Authorization: Bearer TOKEN)".into()
        });
        match self.demo_token {
            Some(t) => {
                lines.push(format!("  checking in: sign in at {url}login with this editor token:"));
                lines.push(format!("    {t}"));
            }
            None if self.tokens == 0 => lines.push(format!(
                "  no tokens yet: `throughline token create -w {} --name NAME --role editor --team TEAM`",
                self.dir.display()
            )),
            None => lines.push(format!("  {} active token(s); `throughline token list` shows them", self.tokens)),
        }
        if !at.ip().is_loopback() {
            lines.push("  note: listening beyond this machine; put TLS in front of it (a proxy) before sharing the address".into());
        }
        lines.push("Ctrl-C stops it.".into());
        crate::out::print(&format!("{}\n", lines.join("\n")));
    }
}
