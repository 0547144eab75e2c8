//! `throughline token`: create, list and revoke the API tokens of the dashboard and its API.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use throughline_server::Role;
use throughline_store::NewToken;

use crate::lifecycle::{Failed, fail, load_workspace, open_store, runtime};

/// Create, list and revoke the API tokens of the dashboard and its API.
///
/// A token has a role: viewer (reads), editor (also checks in and records decisions for
/// its teams) or admin (everything, and refreshes the data). Tokens live in the store,
/// only as a hash; a new token is printed once.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  throughline token create --name dana --role editor --team growth\n  throughline token create --name ci --role viewer\n  throughline token list\n  throughline token revoke dana"
)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// Create a token and print it (once).
    Create {
        /// Who or what uses it, e.g. `dana` or `ci`; unique among active tokens.
        #[arg(long)]
        name: String,
        /// What it may do.
        #[arg(long, value_enum)]
        role: RoleArg,
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

pub fn run(args: Args) -> ExitCode {
    crate::out::done(match args.action {
        Action::Create {
            name,
            role,
            teams,
            workspace,
        } => create(workspace, name, role, teams),
        Action::List { workspace } => list(workspace),
        Action::Revoke { name, workspace } => revoke(workspace, name),
    })
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RoleArg {
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

fn create(dir: PathBuf, name: String, role: RoleArg, teams: Vec<String>) -> Result<(), Failed> {
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
        crate::out::print(&format!("{secret}\n"));
        Ok(())
    })
}

fn list(dir: PathBuf) -> Result<(), Failed> {
    let loaded = load_workspace(&dir, true)?;
    let rt = runtime()?;
    rt.block_on(async {
        let store = open_store(&loaded, &dir).await?;
        let tokens = store.tokens().await.map_err(|e| fail(&e, e.help()))?;
        store.close().await;
        if tokens.is_empty() {
            crate::out::print("no active tokens; `throughline token create --name NAME --role editor --team TEAM` makes one\n");
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
        crate::out::print(&text);
        Ok(())
    })
}

fn revoke(dir: PathBuf, name: String) -> Result<(), Failed> {
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
