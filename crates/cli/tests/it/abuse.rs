//! The public doors under abuse (issue #12): a storm of failed logins must not exhaust the
//! server's memory or starve other requests; one visitor cannot lock out an account nor
//! learn which usernames exist; public tracking cannot be brute-forced.

use motcua_testkit::{Backend, Client, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::net::Ipv4Addr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const OTHER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

// ---- memory under a login storm (the real binary) --------------------------------------

/// Peak resident memory of the server we allow during the storm. Idle it holds about
/// 20 MB; each argon2id hash needs 19 MiB, so this holds only if hashes are bounded.
const PEAK_RSS_LIMIT_KB: u64 = 300 * 1024;
const STORM: usize = 200;

/// `motcua serve`, killed when dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn vm_kb(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

pub(crate) fn start_server(data_dir: &std::path::Path, database_url: Option<String>) -> Server {
    start_server_with(data_dir, database_url, &[])
}

/// `start_server` with extra settings in the child's environment.
pub(crate) fn start_server_with(data_dir: &std::path::Path, database_url: Option<String>, env: &[(&str, &str)]) -> Server {
    // Address and global rate limits off, so every attempt reaches the password hasher.
    let mut all = vec![
        ("MOTCUA_LOGIN__PER_ADDRESS_PER_MINUTE", "1000000"),
        ("MOTCUA_LOGIN__GLOBAL_PER_MINUTE", "1000000"),
        ("MOTCUA_LOGIN__MAX_CONCURRENT_HASHES", "2"),
    ];
    all.extend_from_slice(env);
    launch(data_dir, database_url.as_deref(), &all, Stdio::inherit())
}

/// `motcua serve` on a free port of the loopback (`MOTCUA_LOG=error` unless `env` says
/// otherwise), its standard error to `stderr`; returns once the binary says it is ready.
pub(crate) fn launch(data_dir: &std::path::Path, database_url: Option<&str>, env: &[(&str, &str)], stderr: Stdio) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_motcua"));
    cmd.args(["--data-dir", data_dir.to_str().unwrap(), "serve", "--listen", "127.0.0.1:0"])
        .env("MOTCUA_LOG", "error")
        .env("MOTCUA_SQLITE__SYNCHRONOUS", "normal")
        .stdout(Stdio::piped())
        .stderr(stderr);
    if let Some(u) = database_url {
        cmd.env("MOTCUA_DATABASE_URL", u);
    }
    cmd.envs(env.iter().copied());
    let mut child = cmd.spawn().expect("start motcua serve");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut url = None;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if url.is_none() && line.starts_with("motcua ") {
                url = line.split_whitespace().find(|w| w.starts_with("http://")).map(str::to_string);
            }
            if line.contains("ready in") {
                let _ = tx.send(url.take());
            }
        }
    });
    let mut server = Server { child, url: String::new() };
    server.url = rx.recv_timeout(Duration::from_secs(120)).expect("server ready").expect("server URL");
    server
}

async fn login_storm(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let database_url = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            Some(tokio::task::spawn_blocking(|| motcua_testkit::pg::PgCluster::shared().create_database()).await.unwrap())
        }
    };
    let server = start_server(tmp.path(), database_url);
    let pid = server.child.id();
    let url = server.url.clone();
    let http = reqwest::Client::new();
    let search = format!("{url}/api/v1/procedures?q=khai+sinh");
    assert_eq!(http.get(&search).send().await.unwrap().status(), StatusCode::OK);
    let idle_kb = vm_kb(pid, "VmRSS:");

    let done = Arc::new(AtomicBool::new(false));
    // Watch the peak; kill the server as soon as it passes the limit, so a regression fails
    // this test quickly instead of taking the machine's memory.
    let peak = Arc::new(AtomicU64::new(0));
    let watcher = {
        let (done, peak) = (done.clone(), peak.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                let hwm = vm_kb(pid, "VmHWM:");
                peak.fetch_max(hwm, Ordering::Relaxed);
                if hwm > PEAK_RSS_LIMIT_KB {
                    let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    // An unrelated catalog search keeps running during the storm.
    let searcher = {
        let (done, http, search) = (done.clone(), http.clone(), search.clone());
        tokio::spawn(async move {
            let mut answers = Vec::new();
            while !done.load(Ordering::Relaxed) {
                let t = Instant::now();
                let status = http.get(&search).send().await.map(|r| r.status().as_u16()).unwrap_or(0);
                answers.push((status, t.elapsed()));
            }
            answers
        })
    };
    let started = Instant::now();
    let logins: Vec<_> = (0..STORM)
        .map(|i| {
            let (http, url) = (http.clone(), url.clone());
            tokio::spawn(async move {
                // Distinct unknown usernames: each one costs a full hash, like a wrong password.
                let r = http
                    .post(format!("{url}/api/v1/auth/login"))
                    .json(&json!({"username": format!("khach{i}"), "password": "sai-mat-khau-1"}))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = r.status();
                let retry_after = r.headers().get("retry-after").is_some();
                let body: Value = r.json().await.map_err(|e| e.to_string())?;
                Ok::<_, String>((status, retry_after, body))
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for l in logins {
        outcomes.push(l.await.unwrap());
    }
    let storm_time = started.elapsed();
    done.store(true, Ordering::Relaxed);
    watcher.join().unwrap();
    let answers = searcher.await.unwrap();
    let peak_kb = peak.load(Ordering::Relaxed).max(vm_kb(pid, "VmHWM:"));
    // Latency is reported, not asserted: this machine is shared.
    let mut lat: Vec<Duration> = answers.iter().map(|a| a.1).collect();
    lat.sort();
    let (mut refused, mut busy) = (0, 0);
    for (s, _, _) in outcomes.iter().flatten() {
        if *s == StatusCode::UNAUTHORIZED {
            refused += 1;
        } else if *s == StatusCode::TOO_MANY_REQUESTS {
            busy += 1;
        }
    }
    eprintln!(
        "login storm ({backend:?}): {STORM} concurrent failed logins in {storm_time:?}: idle RSS {} MB, peak RSS {} MB; \
         401: {refused}, 429: {busy}; catalog search during the storm: {} requests, p50 {:?}, max {:?}",
        idle_kb / 1024,
        peak_kb / 1024,
        lat.len(),
        lat.get(lat.len() / 2).copied().unwrap_or_default(),
        lat.last().copied().unwrap_or_default(),
    );
    assert!(peak_kb <= PEAK_RSS_LIMIT_KB, "peak RSS {} MB over {} MB", peak_kb / 1024, PEAK_RSS_LIMIT_KB / 1024);
    for o in &outcomes {
        let (status, retry_after, body) = o.as_ref().expect("every login is answered");
        match *status {
            StatusCode::UNAUTHORIZED => assert_eq!(body["code"], "invalid_credentials"),
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(body["code"], "login_busy", "{body}");
                assert!(body["message_vi"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
                assert!(retry_after, "429 without Retry-After");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(refused > 0, "some logins were checked");
    assert!(!answers.is_empty(), "the search ran during the storm");
    assert!(
        answers.iter().all(|a| a.0 == 200),
        "every search answered 200: {:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
}

mod login_storm_memory {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        login_storm(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        login_storm(Backend::Postgres).await;
    }
}

// ---- account throttling --------------------------------------------------------------

async fn raw_login(c: &Client, username: &str, password: &str) -> (StatusCode, Vec<(String, String)>, String) {
    let r = c
        .http
        .post(format!("{}/api/v1/auth/login", c.base))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let mut headers: Vec<(String, String)> = r
        .headers()
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "date" | "x-request-id"))
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    headers.sort();
    (status, headers, r.text().await.unwrap())
}

async fn audited(app: &TestApp, action: &'static str) -> i64 {
    app.ctx
        .store
        .read(move |db| db.query_one("SELECT COUNT(*) FROM audit_events WHERE action = $1", &[action.into()])?.i64(0))
        .await
        .unwrap()
}

both_backends! {
    async fn an_attacker_cannot_lock_out_the_real_user(app) {
        let attacker = app.client_from(OTHER);
        let mut last = StatusCode::OK;
        for _ in 0..8 {
            last = raw_login(&attacker, "tiepnhan", "doan-mo-123").await.0;
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "the attacker is slowed down");
        // Even the right password is refused to the attacker's address for now.
        let (s, _, b) = raw_login(&attacker, "tiepnhan", "Motcua@2026").await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{b}");
        // The officer, from their own address, logs in at once.
        let c = app.login("tiepnhan").await;
        assert_eq!(c.get("/api/v1/auth/me").await.0, StatusCode::OK);
        assert!(audited(&app, "auth.login_throttled").await >= 1, "throttling is audited");
    }

    async fn unknown_and_known_usernames_answer_alike(app) {
        let c = app.client();
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for _ in 0..8 {
            known.push(raw_login(&c, "admin", "doan-mo-123").await);
        }
        for _ in 0..8 {
            unknown.push(raw_login(&c, "khong.ton.tai", "doan-mo-123").await);
        }
        for (i, (k, u)) in known.iter().zip(&unknown).enumerate() {
            assert_eq!(k, u, "attempt {}", i + 1);
        }
        assert_eq!(known.last().unwrap().0, StatusCode::TOO_MANY_REQUESTS);
        let body: Value = serde_json::from_str(&known.last().unwrap().2).unwrap();
        assert_eq!(body["code"], "login_throttled", "{body}");
        assert!(known.last().unwrap().1.iter().any(|(k, _)| k == "retry-after"));
    }
}

// ---- public tracking -----------------------------------------------------------------

/// A dossier received at a commune counter: its code (the applicant's ID ends in 1234).
async fn received_code(app: &TestApp) -> String {
    crate::access_log::received_at_hoalu(app).await.1
}

both_backends! {
    async fn tracking_guesses_on_one_code_are_refused(app) {
        let code = received_code(&app).await;
        let guesser = app.client();
        let mut statuses = Vec::new();
        for g in 0..8 {
            statuses.push(guesser.get(&format!("/api/v1/tracking/{code}?check={:04}", 9000 + g)).await);
        }
        assert_eq!(statuses[0].0, StatusCode::NOT_FOUND);
        let (s, b) = statuses.last().unwrap();
        assert_eq!(*s, StatusCode::TOO_MANY_REQUESTS, "{b}");
        assert_eq!(b["code"], "tracking_throttled");
        assert!(b["message_vi"].as_str().is_some_and(|m| m.contains("thử lại")), "{b}");
        // Refused before checking: even the right digits are refused to this address now.
        let r = guesser.http.get(format!("{}/api/v1/tracking/{code}?check=1234", app.url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers().get("retry-after").is_some());
        // The tracking page shares the limit.
        let r = guesser.http.get(format!("{}/tra-cuu?code={code}&check=1111", app.url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers().get("retry-after").is_some());
        assert!(r.text().await.unwrap().contains("thử lại"), "the page says when to retry");
        // The applicant, from another address, still tracks the dossier.
        let (s, t) = app.client_from(OTHER).get(&format!("/api/v1/tracking/{code}?check=1234")).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        let r = app.client_from(OTHER).http.get(format!("{}/tra-cuu?code={code}&check=5678", app.url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
}

/// Small limits: the per-address rate covers every code, and a code guessed at from many
/// addresses waits for everyone (the price of stopping a distributed guess).
async fn tracking_address_rate_and_code_wide_backoff(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.tracking.per_address_per_minute = 4;
        c.tracking.backoff_after_failures = 100;
        c.tracking.code_backoff_after_failures = 3;
    })
    .await;
    let code = received_code(&app).await;
    let one = app.client_from(Ipv4Addr::new(127, 0, 0, 3));
    for g in 0..4 {
        let (s, _) = one.get(&format!("/api/v1/tracking/OTHER-{g}?check=1234")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let (s, b) = one.get(&format!("/api/v1/tracking/{code}?check=1234")).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_requests")), "{b}");
    // Three wrong checks of the code from three addresses: the code waits for everyone.
    for last in 4..7 {
        let (s, _) = app.client_from(Ipv4Addr::new(127, 0, 0, last)).get(&format!("/api/v1/tracking/{code}?check=0000")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let (s, b) = app.client_from(OTHER).get(&format!("/api/v1/tracking/{code}?check=1234")).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("tracking_throttled")), "{b}");
}

mod tracking_limits_configured {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        tracking_address_rate_and_code_wide_backoff(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        tracking_address_rate_and_code_wide_backoff(Backend::Postgres).await;
    }
}
