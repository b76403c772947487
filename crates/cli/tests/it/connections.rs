//! Sockets against the real binary (issue #12 item 8): idle connections and slow headers
//! once stopped the server ("Too many open files"). A process-level test on the embedded
//! backend: what it checks is the server's descriptors and sockets, not the database.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The hard open-file limit of this process (the server may raise its soft limit to it).
fn hard_nofile() -> String {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap();
    line.split_whitespace().nth(4).unwrap().to_string()
}

/// `motcua serve` on a free port with a low soft descriptor limit (through `prlimit`) and
/// small connection bounds; returns once it prints its URL.
fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new("prlimit")
        .arg(format!("--nofile=256:{}", hard_nofile()))
        .arg(env!("CARGO_BIN_EXE_motcua"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("MOTCUA_LOG", "error")
        .env("MOTCUA_HTTP__MAX_CONNECTIONS", "40")
        .env("MOTCUA_HTTP__HEADER_READ_TIMEOUT_SECS", "2")
        .env("MOTCUA_HTTP__IDLE_TIMEOUT_SECS", "3")
        .env("MOTCUA_HTTP__REQUEST_TIMEOUT_SECS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("prlimit and the motcua binary");
    let mut out = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"\n") {
        assert_eq!(out.read(&mut byte).unwrap(), 1, "the server printed its URL: {}", String::from_utf8_lossy(&seen));
        seen.push(byte[0]);
    }
    let first = String::from_utf8(seen).unwrap();
    let addr = first.split("http://").nth(1).unwrap().trim().to_string();
    // Keep reading what it prints, so it never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    Server { child, addr, _dir: dir }
}

fn open_descriptors(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).unwrap().count()
}

fn healthz(addr: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn idle_connections_and_slow_headers_cannot_exhaust_the_server() {
    let server = start();
    let pid = server.child.id();
    // prlimit runs the binary in its own process (exec), so the pid is the server's.
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let nofile: Vec<&str> = limits.lines().find(|l| l.starts_with("Max open files")).unwrap().split_whitespace().collect();
    assert_eq!(nofile[3], nofile[4], "the soft open-file limit is raised to the hard one: {nofile:?}");
    assert!(healthz(&server.addr).starts_with("HTTP/1.1 200"));
    let base = open_descriptors(pid);

    // 150 sockets that never send a byte: only 40 are taken at a time.
    let idle: Vec<TcpStream> = (0..150).map(|_| TcpStream::connect(&server.addr).unwrap()).collect();
    let start = Instant::now();
    let mut most = 0;
    while start.elapsed() < Duration::from_secs(2) {
        most = most.max(open_descriptors(pid));
    }
    assert!(most <= base + 40 + 20, "descriptors bounded by max_connections: {base} before, {most} with 150 idle sockets");
    // Idle ones are closed by the server and the rest get their turn: a request still gets
    // through, after the idle timeout frees places.
    let answer = healthz(&server.addr);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let mut closed = 0;
    for mut s in idle.into_iter().take(40) {
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut buf = [0u8; 16];
        if matches!(s.read(&mut buf), Ok(0) | Err(_)) {
            closed += 1;
        }
    }
    assert_eq!(closed, 40, "the server closed the idle sockets it had accepted");

    // Slow headers: a header line every 300 ms; the server cuts the connection after the
    // 2 s header deadline instead of waiting for ever.
    let mut slow = TcpStream::connect(&server.addr).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap();
    let began = Instant::now();
    let mut cut = false;
    for i in 0..100 {
        std::thread::sleep(Duration::from_millis(300));
        if slow.write_all(format!("X-Slow-{i}: y\r\n").as_bytes()).is_err() {
            cut = true;
            break;
        }
        slow.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 64];
        let r = slow.read(&mut buf);
        slow.set_nonblocking(false).unwrap();
        if matches!(r, Ok(0)) || matches!(&r, Err(e) if e.kind() != std::io::ErrorKind::WouldBlock) {
            cut = true;
            break;
        }
        assert!(!matches!(r, Ok(n) if n > 0 && !buf.starts_with(b"HTTP/1.1 408")), "no answer to unfinished headers");
    }
    assert!(cut, "slow headers were cut off (gave up after {:?})", began.elapsed());
    eprintln!("slow-header connection cut after {:.1} s", began.elapsed().as_secs_f64());
    assert!(healthz(&server.addr).starts_with("HTTP/1.1 200"), "still serving");
}
