//! The server on a real socket holds up against clients that hold connections: one past the
//! cap is closed at once, a connection that sends nothing (or sits idle after a request) is
//! closed after the header timeout, and the others are served meanwhile.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::*;
use throughline_server::{Limits, serve_with};

/// Reads until the server closes the connection, or `within` passes: whether it closed.
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

fn health(addr: SocketAddr) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.read_to_string(&mut out).unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_excess_connections_are_closed_and_the_rest_served() {
    let w = world(false).await;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let limits = Limits {
        max_connections: 3,
        header_timeout: Duration::from_secs(3),
    };
    let state = w.state.clone();
    let server = tokio::spawn(async move {
        serve_with(
            state,
            "127.0.0.1:0".parse().unwrap(),
            limits,
            |at| tx.send(at).unwrap(),
            async {
                let _ = stop_rx.await;
            },
        )
        .await
    });
    let addr = rx.await.unwrap();
    let result = tokio::task::spawn_blocking(move || {
        // two clients that connect and send nothing
        let mut idle: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).unwrap()).collect();
        std::thread::sleep(Duration::from_millis(300));
        // a third is served while they wait
        assert!(health(addr).contains("200 OK"));
        // with the two idle ones and one more held open, a fourth is over the cap
        let mut third = TcpStream::connect(addr).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let mut fourth = TcpStream::connect(addr).unwrap();
        assert!(
            closed_within(&mut fourth, Duration::from_millis(500)),
            "a connection over the cap stays open"
        );
        // the idle ones are closed after the header timeout, not kept forever
        let started = Instant::now();
        for s in &mut idle {
            assert!(
                closed_within(s, Duration::from_secs(10)),
                "an idle connection stays open"
            );
        }
        assert!(started.elapsed() < Duration::from_secs(8));
        // a request, then silence on a kept-alive connection: closed too
        third
            .write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        assert!(
            closed_within(&mut third, Duration::from_secs(10)),
            "an idle keep-alive connection stays open"
        );
        // and room again for new clients
        assert!(health(addr).contains("200 OK"));
    })
    .await;
    let _ = stop_tx.send(());
    server.await.unwrap().unwrap();
    result.unwrap();
}
