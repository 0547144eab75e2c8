//! The server on a real socket holds up against clients that hold connections: one past the
//! cap is closed at once, a connection that sends nothing (or sits idle after a request) is
//! closed after the header timeout, and the others are served meanwhile.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::*;
use throughline_server::{Limits, serve_with};

/// The tests here time how soon a server closes connections: one at a time, so that the
/// other's thousand sockets do not load the machine while one is timed (they did, and a
/// connection over the cap took longer than the half second allowed to be closed).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

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

/// Sends one kept-alive health request on `s` and reads its whole answer: `None` when the
/// server closes the connection instead.
fn ask_kept_alive(s: &mut TcpStream) -> Option<String> {
    s.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = s.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some(head_end) = text.find("\r\n\r\n") {
            let length = text[..head_end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if got.len() >= head_end + 4 + length {
                return Some(text);
            }
        }
    }
}

/// A connection the server has admitted: one whose kept-alive request was answered. The
/// server frees a closed connection's slot just after closing it, so a client that connects
/// at once may find the cap still full: it tries again, for up to two seconds.
fn admitted(addr: SocketAddr) -> TcpStream {
    let started = Instant::now();
    loop {
        let mut s = TcpStream::connect(addr).unwrap();
        if let Some(answer) = ask_kept_alive(&mut s) {
            assert!(answer.contains("200 OK"), "{answer}");
            return s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "no connection admitted in two seconds"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The server with `limits` on any free port: its address, a sender that stops it, and its task.
async fn start(
    limits: Limits,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let w = world(false).await;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
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
    (rx.await.unwrap(), stop_tx, server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_excess_connections_are_closed_and_the_rest_served() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let (addr, stop_tx, server) = start(Limits {
        max_connections: 3,
        // long enough that the idle ones still hold their slots when the fourth comes
        header_timeout: Duration::from_secs(6),
    })
    .await;
    let result = tokio::task::spawn_blocking(move || {
        // two clients that connect and send nothing
        let mut idle: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).unwrap()).collect();
        std::thread::sleep(Duration::from_millis(300));
        // a third is served while they wait
        assert!(health(addr).contains("200 OK"));
        // with the two idle ones and a third held open (kept alive after one answered
        // request, so it is known to hold a slot), a fourth is over the cap
        let mut third = admitted(addr);
        let mut fourth = TcpStream::connect(addr).unwrap();
        assert!(
            closed_within(&mut fourth, Duration::from_secs(2)),
            "a connection over the cap stays open"
        );
        // the idle ones are closed after the header timeout, not kept forever
        let started = Instant::now();
        for s in &mut idle {
            assert!(
                closed_within(s, Duration::from_secs(12)),
                "an idle connection stays open"
            );
        }
        assert!(started.elapsed() < Duration::from_secs(10));
        // silence on a kept-alive connection after its request: closed too
        assert!(
            closed_within(&mut third, Duration::from_secs(12)),
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

/// Raises this process's soft limit on open files to `want` (or the hard limit, if lower):
/// the test below holds 1,000 client sockets and the server as many.
fn raise_open_files(want: u64) -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read and write the struct passed; no other memory.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 0;
        }
        if lim.rlim_cur < want {
            lim.rlim_cur = want.min(lim.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
    }
    lim.rlim_cur
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_idle_connections_do_not_keep_a_request_waiting() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let limit = raise_open_files(4096);
    assert!(
        limit >= 2100,
        "this test needs 2,100 open files (1,000 client sockets, as many on the server side); \
         the hard limit here is {limit}: raise it (ulimit -Hn)"
    );
    // the default cap; a header timeout longer than the test, so the idle ones stay open
    let (addr, stop_tx, server) = start(Limits {
        header_timeout: Duration::from_secs(120),
        ..Limits::default()
    })
    .await;
    let result = tokio::task::spawn_blocking(move || {
        let idle: Vec<TcpStream> = (0..1000)
            .map(|_| TcpStream::connect(addr).unwrap())
            .collect();
        std::thread::sleep(Duration::from_millis(500));
        let started = Instant::now();
        let answer = health(addr);
        let took = started.elapsed();
        assert!(answer.contains("200 OK"), "{answer}");
        // served at once, not after the idle ones time out
        assert!(took < Duration::from_secs(5), "took {took:?}");
        // the idle ones are still open (held, not dropped to make room)
        assert_eq!(idle.len(), 1000);
        drop(idle);
    })
    .await;
    let _ = stop_tx.send(());
    server.await.unwrap().unwrap();
    result.unwrap();
}
