//! `throughline cluster scheduler|executor`: an Apache Ballista cluster made of throughline
//! binaries, for `measure --cluster`, `review --cluster` and `serve --cluster`.

use std::net::{SocketAddr, ToSocketAddrs};
use std::process::ExitCode;

use throughline_model::ValueError;

#[cfg(feature = "cluster")]
use throughline_cluster::{ClusterError, ExecutorOptions, SchedulerOptions};

/// Run the plans of `measure`, `review` and `serve` on several machines (Apache Ballista).
///
/// Start one scheduler, then one executor or more on each machine (they may share one), and
/// pass `--cluster df://SCHEDULER_HOST:PORT` to `measure`, `review` or `serve`, or set
/// `cluster: df://HOST:PORT` in throughline.yaml. Each metric's plan is sent to the
/// scheduler, which splits it into stages and hands their tasks to the executors; the values
/// are the same as the embedded engine's. Every executor reads the sources itself: their
/// paths must be readable on every machine (a shared folder, the same path everywhere).
/// Workspaces with PostgreSQL sources run in the client and the database instead.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  throughline cluster scheduler --bind 0.0.0.0:50050\n  throughline cluster executor --scheduler sched.internal:50050 --bind 0.0.0.0:50051\n  throughline cluster executor --scheduler 127.0.0.1:50050 --bind 127.0.0.1:50061 --concurrency 4\n  throughline measure -w my-okrs --cluster df://sched.internal:50050"
)]
pub struct Args {
    #[command(subcommand)]
    role: Role,
}

#[derive(clap::Subcommand)]
#[cfg_attr(not(feature = "cluster"), allow(dead_code))]
enum Role {
    /// Run a scheduler: it plans the queries clients send and hands their tasks to executors.
    /// Logs to standard error (RUST_LOG=debug for more).
    Scheduler {
        /// The address to listen on, HOST:PORT.
        #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:50050", value_parser = address)]
        bind: SocketAddr,
        /// The name executors and clients reach this machine by, when it is not the bind
        /// address (e.g. when binding 0.0.0.0).
        #[arg(long, value_name = "HOST")]
        external_host: Option<String>,
    },
    /// Run an executor: it runs the tasks its scheduler hands it and logs each one.
    Executor {
        /// The scheduler, HOST:PORT.
        #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:50050", value_parser = host_port)]
        scheduler: (String, u16),
        /// The address results and shuffle files are served from, HOST:PORT. Tasks arrive on
        /// the next port (PORT + 1) unless --task-port says otherwise.
        #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:50051", value_parser = address)]
        bind: SocketAddr,
        /// The port the scheduler hands tasks to.
        #[arg(long, value_name = "PORT")]
        task_port: Option<u16>,
        /// Tasks run at once; default: the machine's cores.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
        concurrency: Option<u32>,
        /// The name the scheduler and other executors reach this machine by, when it is not
        /// the bind address.
        #[arg(long, value_name = "HOST")]
        external_host: Option<String>,
        /// Where shuffle files are written; default: a temporary folder.
        #[arg(long, value_name = "DIR")]
        work_dir: Option<String>,
    },
}

/// `HOST:PORT` as written (the scheduler may not resolve from here yet).
fn host_port(s: &str) -> Result<(String, u16), ValueError> {
    s.rsplit_once(':')
        .and_then(|(h, p)| Some((h.to_string(), p.parse::<u16>().ok()?)))
        .filter(|(h, _)| !h.is_empty())
        .ok_or_else(|| ValueError::new(format!("`{s}` is not HOST:PORT; e.g. `127.0.0.1:50050`")))
}

/// `HOST:PORT` resolved to one address.
fn address(s: &str) -> Result<SocketAddr, ValueError> {
    let mut addrs = s.to_socket_addrs().map_err(|e| {
        ValueError::new(format!(
            "`{s}` is not HOST:PORT ({e}); e.g. `127.0.0.1:50050`"
        ))
    })?;
    addrs
        .next()
        .ok_or_else(|| ValueError::new(format!("`{s}` resolves to no address")))
}

/// Without the `cluster` feature the binary has no scheduler or executor to run.
#[cfg(not(feature = "cluster"))]
pub fn run(args: Args) -> ExitCode {
    let role = match args.role {
        Role::Scheduler { .. } => "scheduler",
        Role::Executor { .. } => "executor",
    };
    eprintln!(
        "error: this throughline was built without cluster support, so it cannot run a {role}\nhelp: install it with the cluster feature: `cargo install --path crates/cli --features cluster` (or `cargo run --release --features cluster -- cluster {role}`)"
    );
    ExitCode::from(2)
}

#[cfg(feature = "cluster")]
pub fn run(args: Args) -> ExitCode {
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Ballista's planner recurses over deep plans
        .thread_stack_size(32 * 1024 * 1024)
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match args.role {
        Role::Scheduler {
            bind,
            external_host,
        } => runtime.block_on(throughline_cluster::run_scheduler(SchedulerOptions {
            bind,
            external_host,
        })),
        Role::Executor {
            scheduler: (scheduler_host, scheduler_port),
            bind,
            task_port,
            concurrency,
            external_host,
            work_dir,
        } => runtime.block_on(throughline_cluster::run_executor(ExecutorOptions {
            scheduler_host,
            scheduler_port,
            bind,
            grpc_port: task_port,
            external_host,
            concurrency: concurrency.map(|c| c as usize),
            work_dir,
        })),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(ClusterError { message, help }) => {
            eprintln!("error: {message}\nhelp: {help}");
            ExitCode::from(1)
        }
    }
}

/// Logs to standard error: throughline's lines at info, Ballista's warnings and errors.
#[cfg(feature = "cluster")]
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,throughline_cluster=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
