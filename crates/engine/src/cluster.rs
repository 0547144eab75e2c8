//! Running the plans on an Apache Ballista cluster instead of in this process.
//!
//! The session's query planner is replaced by Ballista's: a plan is sent, as a DataFusion
//! logical plan, to the scheduler at `df://HOST:PORT`, which splits it into stages and hands
//! their tasks to the executors; the results come back to this process. The plans are the
//! same ones the embedded engine runs, so the numbers are the same. Every process that runs
//! them registers the engine's own functions ([`crate::instant::functions`]), and the sources
//! must be paths every executor can read.

use std::fmt;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::str::FromStr;
use std::time::Duration;

#[cfg(feature = "cluster")]
use ballista_core::config::BALLISTA_ADAPTIVE_PLANNER_ENABLED;
#[cfg(feature = "cluster")]
use ballista_core::extension::{SessionConfigExt, SessionStateExt};
use datafusion::execution::session_state::SessionState;
use datafusion::prelude::SessionConfig;

use crate::EngineError;
use throughline_model::ValueError;

/// The default port of a Ballista scheduler.
pub const DEFAULT_PORT: u16 = 50050;

/// A scheduler's address, written `df://HOST:PORT` (the port defaults to 50050).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterUrl {
    pub host: String,
    pub port: u16,
}

impl FromStr for ClusterUrl {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let rest = s.trim().strip_prefix("df://").ok_or_else(|| {
            ValueError::new(format!("`{s}` is not a cluster address; write `df://HOST:PORT`, e.g. `df://127.0.0.1:50050`"))
        })?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => {
                let port = p.parse::<u16>().map_err(|_| {
                    ValueError::new(format!("`{p}` in `{s}` is not a port; write `df://HOST:PORT` with a port from 1 to 65535"))
                })?;
                (h, port)
            }
            None => (rest, DEFAULT_PORT),
        };
        if host.is_empty() || host.contains('/') {
            return Err(ValueError::new(format!(
                "`{s}` has no host; write `df://HOST:PORT`, e.g. `df://127.0.0.1:50050`"
            )));
        }
        Ok(ClusterUrl {
            host: host.to_string(),
            port,
        })
    }
}

impl fmt::Display for ClusterUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "df://{}:{}", self.host, self.port)
    }
}

impl ClusterUrl {
    /// Checks that something listens at the address, so that an unreachable scheduler is
    /// one clear error before any work rather than a transport error in the first query.
    pub fn check_reachable(&self) -> Result<(), EngineError> {
        let help = format!(
            "start one with `throughline cluster scheduler --bind {}:{}` and at least one `throughline cluster executor --scheduler {}:{}`, or leave out --cluster to run in this process",
            self.host, self.port, self.host, self.port
        );
        let addrs: Vec<SocketAddr> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| {
                EngineError::new(
                    format!("cannot resolve the cluster's scheduler {self}: {e}"),
                    help.clone(),
                )
            })?
            .collect();
        let mut last = None;
        for a in &addrs {
            match TcpStream::connect_timeout(a, Duration::from_secs(5)) {
                Ok(_) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        let why = last.map_or_else(|| "no address".to_string(), |e| e.to_string());
        Err(EngineError::new(
            format!("cannot reach the cluster's scheduler at {self}: {why}"),
            help,
        ))
    }

    /// `state` with Ballista's query planner, sending every plan to this scheduler.
    #[cfg(feature = "cluster")]
    pub(crate) fn upgrade(&self, state: SessionState) -> Result<SessionState, EngineError> {
        state
            .upgrade_for_ballista(format!("http://{}:{}", self.host, self.port))
            .map_err(|e| crate::error::df("connecting to the cluster", e))
    }

    /// Without the `cluster` feature there is no Ballista client to send plans with.
    #[cfg(not(feature = "cluster"))]
    pub(crate) fn upgrade(&self, _state: SessionState) -> Result<SessionState, EngineError> {
        Err(without_cluster(self))
    }
}

/// The error for a cluster address given to a build without the `cluster` feature.
#[cfg(not(feature = "cluster"))]
pub(crate) fn without_cluster(url: &ClusterUrl) -> EngineError {
    EngineError::new(
        format!(
            "this throughline was built without cluster support, so it cannot send plans to {url}"
        ),
        "install it with the cluster feature (`cargo install --path crates/cli --features cluster`), or leave out --cluster and `cluster:` to run in this process",
    )
}

/// The session's settings for a run on a cluster: Ballista's, with its static planner. Its
/// adaptive planner (the default in Ballista 55) can leave a job waiting for good when an
/// executor is lost while a stage's results are being fetched (seen in
/// `cli/tests/cluster.rs`: a task's completion arrives for a stage it has just rolled back and
/// is dropped); the static planner reruns the lost stage.
///
/// A stage runs in as many tasks as `DATAFUSION_EXECUTION_TARGET_PARTITIONS` says (read by
/// the caller with the other `DATAFUSION_*` settings), or DataFusion's default, this
/// machine's cores: set it to the cluster's task slots (executors × `--concurrency`). Joins
/// are hash joins, as in this process ([`crate::session`]'s `hash_joins`): Ballista's own
/// default, sort-merge joins, gives wrong values with DataFusion 55.2.
#[cfg(feature = "cluster")]
pub(crate) fn config(config: SessionConfig) -> SessionConfig {
    config
        .upgrade_for_ballista()
        .set_bool(BALLISTA_ADAPTIVE_PLANNER_ENABLED, false)
}

/// Without the `cluster` feature no session runs on a cluster ([`ClusterUrl::upgrade`]).
#[cfg(not(feature = "cluster"))]
pub(crate) fn config(config: SessionConfig) -> SessionConfig {
    config
}

/// Where a workspace's plans run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// In this process (and, for PostgreSQL sources, in the database).
    Local,
    /// On the Ballista cluster whose scheduler is at this address.
    Cluster(ClusterUrl),
    /// Asked for a cluster, run here instead, for this reason.
    LocalInstead { cluster: ClusterUrl, reason: String },
}

impl Placement {
    /// A sentence for `--explain` and for the warnings.
    pub fn describe(&self) -> String {
        match self {
            Placement::Local => "every plan runs in this process".to_string(),
            Placement::Cluster(url) => format!(
                "every plan runs on the cluster at {url}: the scheduler splits it into stages and the executors run their tasks"
            ),
            Placement::LocalInstead { cluster, reason } => {
                format!("the plans run in this process, not on the cluster at {cluster}: {reason}")
            }
        }
    }

    /// An error of a run on a cluster, with help about the cluster: a query that failed
    /// there most often failed because an executor was lost, could not read a source, or the
    /// scheduler went away.
    pub(crate) fn explain_error(&self, mut e: EngineError) -> EngineError {
        if let Placement::Cluster(url) = self
            && e.span.is_none()
        {
            e.help = match lost_process(&e.message) {
                Some(addr) => {
                    // what the engine was doing, without Ballista's transport error
                    let doing = e.message.split(": ").next().unwrap_or("running a query");
                    e.message = format!(
                        "{doing}: the executor or scheduler at {addr} stopped answering mid-run"
                    );
                    "no value was computed from part of the data; run again (the scheduler gives the tasks to the executors still running), and look in that process's log for why it stopped".to_string()
                }
                None => format!(
                    "check that the scheduler and its executors still run (their logs name each task) and that every executor reads the sources at the paths this machine does; or leave out --cluster to run here. {}",
                    e.help
                ),
            };
            e.message = format!("on the cluster at {url}: {}", e.message);
        }
        e
    }
}

/// The `HOST:PORT` of the process a Ballista connection error names ("Error connecting to
/// Ballista scheduler or executor at http://HOST:PORT: …").
fn lost_process(message: &str) -> Option<String> {
    const WORDS: &str = "Error connecting to Ballista scheduler or executor at ";
    let rest = &message[message.find(WORDS)? + WORDS.len()..];
    let rest = rest
        .strip_prefix("http://")
        .or_else(|| rest.strip_prefix("https://"))
        .unwrap_or(rest);
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']')))
        .unwrap_or(rest.len());
    Some(rest[..end].trim_end_matches(':').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let u: ClusterUrl = "df://10.0.0.5:50051".parse().unwrap();
        assert_eq!((u.host.as_str(), u.port), ("10.0.0.5", 50051));
        assert_eq!(u.to_string(), "df://10.0.0.5:50051");
        let d: ClusterUrl = "df://sched.internal".parse().unwrap();
        assert_eq!(d.port, DEFAULT_PORT);
        assert!(
            "http://x:1"
                .parse::<ClusterUrl>()
                .unwrap_err()
                .to_string()
                .contains("df://HOST:PORT")
        );
        assert!(
            "df://x:port"
                .parse::<ClusterUrl>()
                .unwrap_err()
                .to_string()
                .contains("not a port")
        );
        assert!(
            "df://:50050"
                .parse::<ClusterUrl>()
                .unwrap_err()
                .to_string()
                .contains("no host")
        );
    }

    #[test]
    fn a_lost_executor_is_named() {
        let url: ClusterUrl = "df://127.0.0.1:50050".parse().unwrap();
        let raw = EngineError::new(
            "reading the times of source `events`: Execution error: GrpcConnectionError(\"Error connecting to Ballista scheduler or executor at http://127.0.0.1:42439: tonic::transport::Error(Transport, ConnectError(…))\")",
            "check the source files",
        );
        let e = Placement::Cluster(url).explain_error(raw);
        assert_eq!(
            e.message,
            "on the cluster at df://127.0.0.1:50050: reading the times of source `events`: the executor or scheduler at 127.0.0.1:42439 stopped answering mid-run"
        );
        assert!(
            e.help
                .starts_with("no value was computed from part of the data")
        );
        // here, errors are left as they are
        let here = Placement::Local.explain_error(EngineError::new("x", "y"));
        assert_eq!((here.message.as_str(), here.help.as_str()), ("x", "y"));
    }

    #[test]
    fn unreachable_is_one_clear_error() {
        // a port nothing listens on: bind one, note it, close it
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let u = ClusterUrl {
            host: "127.0.0.1".into(),
            port,
        };
        let e = u.check_reachable().unwrap_err();
        assert!(
            e.to_string()
                .contains("cannot reach the cluster's scheduler"),
            "{e}"
        );
    }
}
