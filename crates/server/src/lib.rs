//! throughline's web dashboard and JSON API: server-rendered pages (HTML and SVG, no script)
//! and the same data as JSON, over one workspace and its store.
//!
//! The metric values are computed when the server starts (and on an admin's refresh), stored
//! as snapshots, and read back from the store; requests never touch the event data. Check-ins
//! and decisions go to the store, through a form or the API, by callers whose token's role and
//! teams allow it.

mod auth;
mod error;
mod extract;
mod html;
mod notify;
mod openapi;
mod pages;
mod routes;
mod state;

use std::net::SocketAddr;

pub use auth::Role;
pub use error::ApiError;
pub use extract::BODY_LIMIT;
pub use routes::router;
pub use state::{AppState, Computed, Settings, StartError, compute};

/// How the server treats connections, so that one client cannot starve the rest.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Open connections at most; one more is closed as soon as it is accepted.
    pub max_connections: usize,
    /// How long a connection may take to send a request's headers, and how long it may sit
    /// idle between requests, before it is closed.
    pub header_timeout: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 1024,
            header_timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// Serves `state` on `addr` until Ctrl-C (or SIGTERM); `ready` hears the bound address (the
/// port may be 0: any free one).
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    serve_with(state, addr, Limits::default(), ready, shutdown()).await
}

/// [`serve`] with `limits`, until `stop` finishes. Connections past the cap are closed at
/// once; a connection that sends no complete request head within the timeout (an idle
/// keep-alive one included) is closed; running out of file descriptors pauses accepting
/// instead of ending the server.
pub async fn serve_with(
    state: AppState,
    addr: SocketAddr,
    limits: Limits,
    ready: impl FnOnce(SocketAddr),
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    ready(listener.local_addr()?);
    let app = router(state);
    let open = std::sync::Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    // HTTP/1 only (as the router is): the timeout runs from the first byte awaited, where a
    // protocol-detecting connection would wait for bytes before any timer starts
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // out of descriptors (or a connection reset before accept): wait, go on
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            drop(stream); // over the cap: closed at once
            continue;
        };
        let conn =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    // requests in flight finish; at most a few seconds more
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), graceful.shutdown()).await;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
