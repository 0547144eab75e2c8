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

/// Serves `state` on `addr` until Ctrl-C (or SIGTERM); `ready` hears the bound address (the
/// port may be 0: any free one).
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    ready(listener.local_addr()?);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown())
        .await
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
