//! throughline's Apache Ballista cluster: a scheduler and an executor with the engine's own
//! functions registered, embedded in the `throughline` binary (`throughline cluster
//! scheduler|executor`) so that nothing else needs installing.
//!
//! A client (`measure --cluster df://HOST:PORT`) sends each metric's DataFusion plan to the
//! scheduler, which splits it into stages at its shuffles and hands their tasks to the
//! executors; every executor reads the sources itself, so their paths must be readable on
//! every machine (a shared folder or an object store). An executor logs each task it runs.

use std::net::SocketAddr;
use std::sync::Arc;

use ballista_core::config::TaskSchedulingPolicy;
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_core::utils::default_session_builder;
use ballista_core::{JobId, RuntimeProducer};
use ballista_executor::execution_engine::{
    DefaultExecutionEngine, ExecutionEngine, QueryStageExecutor,
};
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use datafusion::error::Result as DfResult;
use datafusion::execution::FunctionRegistry;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::{SessionState, SessionStateBuilder};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionConfig;
use throughline_engine::stores::FromEnv;

/// How often an executor tells the scheduler it is alive, in seconds.
const HEARTBEAT_SECS: u64 = 5;
/// How long the scheduler waits for a heartbeat before it counts an executor as lost and runs
/// its tasks elsewhere, in seconds (three heartbeats).
const EXECUTOR_TIMEOUT_SECS: u64 = 3 * HEARTBEAT_SECS;

/// `throughline cluster scheduler`.
#[derive(Clone, Debug)]
pub struct SchedulerOptions {
    /// Where the scheduler listens (clients and executors connect here).
    pub bind: SocketAddr,
    /// The host name executors and clients reach it by, when not the bind address.
    pub external_host: Option<String>,
}

/// `throughline cluster executor`.
#[derive(Clone, Debug)]
pub struct ExecutorOptions {
    /// The scheduler's host and port.
    pub scheduler_host: String,
    pub scheduler_port: u16,
    /// The address results and shuffle files are served from (Arrow Flight).
    pub bind: SocketAddr,
    /// The port the scheduler hands tasks to; `bind`'s port + 1 unless given.
    pub grpc_port: Option<u16>,
    /// The host name other executors and clients reach it by, when not the bind address.
    pub external_host: Option<String>,
    /// Tasks run at once; the machine's cores unless given.
    pub concurrency: Option<usize>,
    /// Where shuffle files go; a temporary folder unless given.
    pub work_dir: Option<String>,
}

/// A cluster process's error, with what to do about it.
#[derive(Debug)]
pub struct ClusterError {
    pub message: String,
    pub help: String,
}

impl std::fmt::Display for ClusterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

fn fail(doing: &str, e: impl std::fmt::Display, help: &str) -> ClusterError {
    ClusterError {
        message: format!("{doing}: {e}"),
        help: help.to_string(),
    }
}

/// A Ballista session with the engine's functions, so the plans that name them decode, and
/// the engine's object stores, so the scheduler lists a source's objects itself.
fn session_with_functions(config: SessionConfig) -> DfResult<SessionState> {
    let state = default_session_builder(config)?;
    let mut state = SessionStateBuilder::new_from_existing(state)
        .with_runtime_env(Arc::new(
            RuntimeEnvBuilder::new()
                .with_object_store_registry(FromEnv::shared())
                .build()?,
        ))
        .build();
    for f in throughline_engine::instant::functions() {
        state.register_udf(f)?;
    }
    Ok(state)
}

/// Each task's runtime as Ballista makes it (temporary files in the work folder; its memory
/// pool is added after), with the engine's object stores, so that an executor reads a
/// source's objects itself with the credentials in its own environment.
fn runtime_with_stores(work_dir: Option<String>) -> RuntimeProducer {
    Arc::new(move |_config: &SessionConfig| {
        let mut builder = RuntimeEnvBuilder::new().with_object_store_registry(FromEnv::shared());
        if let Some(dir) = &work_dir {
            builder = builder.with_temp_file_path(dir.clone());
        }
        Ok(Arc::new(builder.build()?))
    })
}

/// Runs a scheduler until the process is stopped.
pub async fn run_scheduler(opts: SchedulerOptions) -> Result<(), ClusterError> {
    let host = opts.bind.ip().to_string();
    let mut config = SchedulerConfig::default()
        .with_hostname(opts.external_host.clone().unwrap_or_else(|| host.clone()))
        .with_port(opts.bind.port())
        .with_scheduler_policy(TaskSchedulingPolicy::PushStaged)
        .with_override_session_builder(Arc::new(session_with_functions));
    config.bind_host = host;
    config.executor_timeout_seconds = EXECUTOR_TIMEOUT_SECS;
    config.no_executors_grace_period_seconds = EXECUTOR_TIMEOUT_SECS;
    config.expire_dead_executor_interval_seconds = HEARTBEAT_SECS;
    let listening = format!("the scheduler at {}", opts.bind);
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| {
            fail(
                "cannot set up the scheduler's state",
                e,
                "report this as a bug",
            )
        })?;
    tracing::info!(
        "scheduler listening on {}; start executors with `throughline cluster executor --scheduler {}`",
        opts.bind,
        opts.bind
    );
    start_server(cluster, opts.bind, Arc::new(config))
        .await
        .map_err(|e| {
            fail(
                &format!("cannot run {listening}"),
                e,
                "check that the port is free (another scheduler?) and the address is this machine's",
            )
        })
}

/// Runs an executor until the process is stopped.
pub async fn run_executor(opts: ExecutorOptions) -> Result<(), ClusterError> {
    let registry = {
        let mut r = BallistaFunctionRegistry::default();
        for f in throughline_engine::instant::functions() {
            r.scalar_functions.insert(f.name().to_string(), f);
        }
        r
    };
    let grpc_port = opts
        .grpc_port
        .unwrap_or_else(|| opts.bind.port().wrapping_add(1));
    let id = format!("{}:{}", opts.bind.ip(), opts.bind.port());
    let config = ExecutorProcessConfig {
        bind_host: opts.bind.ip().to_string(),
        external_host: opts.external_host.clone(),
        port: opts.bind.port(),
        grpc_port,
        scheduler_host: opts.scheduler_host.clone(),
        scheduler_port: opts.scheduler_port,
        // keep trying while the scheduler starts
        scheduler_connect_timeout_seconds: 30,
        vcores: opts.concurrency.unwrap_or(0),
        task_scheduling_policy: TaskSchedulingPolicy::PushStaged,
        work_dir: opts.work_dir.clone(),
        print_thread_info: false,
        executor_heartbeat_interval_seconds: HEARTBEAT_SECS,
        override_function_registry: Some(Arc::new(registry)),
        override_runtime_producer: Some(runtime_with_stores(opts.work_dir.clone())),
        override_execution_engine: Some(Arc::new(LoggedTasks {
            executor: id.clone(),
            inner: DefaultExecutionEngine::new(),
        })),
        ..Default::default()
    };
    tracing::info!(
        "executor {id} (tasks on port {grpc_port}) joining the scheduler at {}:{}",
        opts.scheduler_host,
        opts.scheduler_port
    );
    start_executor_process(Arc::new(config)).await.map_err(|e| {
        fail(
            &format!(
                "executor {id} cannot run with the scheduler at {}:{}",
                opts.scheduler_host, opts.scheduler_port
            ),
            e,
            "check that the scheduler runs (`throughline cluster scheduler`), that --scheduler names it, and that the ports are free",
        )
    })
}

/// The default execution engine, logging each task it is given.
struct LoggedTasks {
    executor: String,
    inner: DefaultExecutionEngine,
}

impl ExecutionEngine for LoggedTasks {
    fn create_query_stage_exec(
        &self,
        job_id: JobId,
        stage_id: usize,
        task_id: usize,
        global_output_partition_ids: Vec<usize>,
        plan: Arc<dyn ExecutionPlan>,
        work_dir: &str,
        config: &SessionConfig,
    ) -> DfResult<Arc<dyn QueryStageExecutor>> {
        tracing::info!(
            "executor {} runs task {task_id} of job {job_id}, stage {stage_id}, partitions {:?}",
            self.executor,
            global_output_partition_ids
        );
        self.inner.create_query_stage_exec(
            job_id,
            stage_id,
            task_id,
            global_output_partition_ids,
            plan,
            work_dir,
            config,
        )
    }
}
