//! `throughline serve` (the dashboard and API) and `throughline token` (who may use them).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use throughline_server::{AppState, Role, Settings};
use throughline_store::NewToken;

use crate::lifecycle::{Failed, fail, load_workspace, open_store, runtime};

pub struct Args {
    pub workspace: PathBuf,
    pub demo: bool,
    pub host: IpAddr,
    pub port: u16,
    pub public_read: bool,
    pub refresh_every: Option<std::time::Duration>,
}

/// The token `serve --demo` prints: an editor of every team, made anew at each start.
const DEMO_TOKEN: &str = "demo-editor";

pub fn run(args: Args) -> Result<(), Failed> {
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
    let rt = runtime()?;
    rt.block_on(async {
        let store = open_store(&loaded, &dir).await?;
        let bar = crate::measure::Progress::new();
        let computed = throughline_server::compute(&loaded, &dir, &store, &|s| bar.message(s)).await;
        bar.finish();
        let computed = computed.map_err(|e| {
            match &e.1 {
                Some(d) => crate::report_errors(std::slice::from_ref(d), &loaded.sources),
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
        let state = AppState::new(loaded, dir.clone(), store, Settings { public_read }, computed);
        if let Some(every) = args.refresh_every {
            tokio::spawn(state.clone().refresh_every(every));
        }
        let addr = SocketAddr::new(args.host, args.port);
        let served = throughline_server::serve(state, addr, |at| {
            let url = format!("http://{at}/");
            let mut lines = vec![format!("throughline dashboard for {name} at {url}")];
            lines.push(if public_read {
                "  reading: open to everyone who can reach the address".into()
            } else {
                "  reading: with a token (sign in at /login or send Authorization: Bearer TOKEN)".into()
            });
            match &demo_token {
                Some(t) => {
                    lines.push(format!("  checking in: sign in at {url}login with this editor token:"));
                    lines.push(format!("    {t}"));
                }
                None if tokens == 0 => lines.push(format!(
                    "  no tokens yet: `throughline token create -w {} --name NAME --role editor --team TEAM`",
                    dir.display()
                )),
                None => lines.push(format!("  {tokens} active token(s); `throughline token list` shows them")),
            }
            if !at.ip().is_loopback() {
                lines.push("  note: listening beyond this machine; put TLS in front of it (a proxy) before sharing the address".into());
            }
            lines.push("Ctrl-C stops it.".into());
            crate::print(&format!("{}\n", lines.join("\n")));
        })
        .await;
        served.map_err(|e| {
            fail(
                format!("cannot serve on {addr}: {e}"),
                "choose another --port, or stop what is using it",
            )
        })
    })
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    /// Reads every page and the read API.
    Viewer,
    /// Also checks in and records decisions for its teams.
    Editor,
    /// Everything, for every team, and refreshes the data.
    Admin,
}

impl RoleArg {
    fn role(self) -> Role {
        match self {
            RoleArg::Viewer => Role::Viewer,
            RoleArg::Editor => Role::Editor,
            RoleArg::Admin => Role::Admin,
        }
    }
}

pub fn create(dir: PathBuf, name: String, role: RoleArg, teams: Vec<String>) -> Result<(), Failed> {
    let name = name.trim().to_string();
    if name.is_empty() || name.len() > 80 {
        return Err(fail(
            "--name must be 1 to 80 characters",
            "name the token after its owner, e.g. --name dana",
        ));
    }
    let role = role.role();
    if role == Role::Editor && teams.is_empty() {
        return Err(fail(
            "an editor token needs the teams it writes for",
            "add --team growth (repeat for several), or --team '*' for every team",
        ));
    }
    let loaded = load_workspace(&dir, true)?;
    let known: Vec<String> = loaded
        .workspace
        .objectives
        .iter()
        .map(|o| {
            o.team
                .as_ref()
                .map_or("company".into(), |t| t.value.clone())
        })
        .collect();
    for t in teams.iter().filter(|t| *t != "*") {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(t)) {
            let hint = throughline_model::did_you_mean(t, known.iter().map(String::as_str))
                .map_or(String::new(), |s| format!("did you mean `{s}`? "));
            return Err(fail(
                format!("no objective belongs to the team `{t}`"),
                format!("{hint}the teams are the objectives' `team:` values"),
            ));
        }
    }
    let teams = if teams.is_empty() {
        vec!["*".to_string()]
    } else {
        teams
    };
    let rt = runtime()?;
    rt.block_on(async {
        let store = open_store(&loaded, &dir).await?;
        let (t, secret) = store
            .create_token(&NewToken {
                name,
                role: role.as_str().into(),
                teams,
            })
            .await
            .map_err(|e| fail(&e, e.help()))?;
        store.close().await;
        eprintln!(
            "created the {} token `{}` for {}; it is shown once, here:",
            t.role,
            t.name,
            t.teams.join(", ")
        );
        crate::print(&format!("{secret}\n"));
        Ok(())
    })
}

pub fn list(dir: PathBuf) -> Result<(), Failed> {
    let loaded = load_workspace(&dir, true)?;
    let rt = runtime()?;
    rt.block_on(async {
        let store = open_store(&loaded, &dir).await?;
        let tokens = store.tokens().await.map_err(|e| fail(&e, e.help()))?;
        store.close().await;
        if tokens.is_empty() {
            crate::print("no active tokens; `throughline token create --name NAME --role editor --team TEAM` makes one\n");
        }
        let mut text = String::new();
        for t in tokens {
            text.push_str(&format!(
                "{}\t{}\t{}\tcreated {}\n",
                t.name,
                t.role,
                t.teams.join(","),
                t.created_at.format("%Y-%m-%d %H:%M UTC")
            ));
        }
        crate::print(&text);
        Ok(())
    })
}

pub fn revoke(dir: PathBuf, name: String) -> Result<(), Failed> {
    let loaded = load_workspace(&dir, true)?;
    let rt = runtime()?;
    rt.block_on(async {
        let store = open_store(&loaded, &dir).await?;
        store
            .revoke_token(&name)
            .await
            .map_err(|e| fail(&e, e.help()))?;
        store.close().await;
        eprintln!("revoked `{name}`: it no longer signs in");
        Ok(())
    })
}
