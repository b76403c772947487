//! SIGKILL in the middle of a filing load (issue #14): the real binary is killed while 16
//! connections file at the counter, then restarted on the same data. Every filing answered
//! 201 must be there with its code, nothing unacknowledged may be half-written, the chains
//! verify and no code is given twice, before or after the restart.
//!
//! The server renders no receipts (`documents.issue_on_events = false`): unoptimised PDF
//! rendering would allow about one filing a second, and what is under test is the write
//! path's atomicity, not typst.

use crate::abuse::{Server, start_server_with};
use motcua_testkit::Backend;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

const CONNECTIONS: usize = 16;
/// Acknowledged filings before the kill (a few seconds of debug-build load on either backend).
const ACKED_BEFORE_KILL: usize = 150;

pub(crate) fn filing() -> Value {
    filing_of(json!({"name": "Trần Thị Bình", "id_number": "037192004321"}))
}

/// A filing of procedure 1.910203.H40 with every component provided and digitized.
pub(crate) fn filing_of(applicant: Value) -> Value {
    let components: Vec<Value> = ["to_khai", "anh_the", "giay_to_quoc_tich"]
        .iter()
        .map(|k| json!({"key": k, "provided": true, "digitized": true}))
        .collect();
    json!({"procedure_code": "1.910203.H40", "applicant": applicant, "components": components})
}

fn start(dir: &Path, database_url: Option<String>) -> Server {
    start_server_with(dir, database_url, &[("MOTCUA_DOCUMENTS__ISSUE_ON_EVENTS", "false")])
}

/// Waits until the server answers `/healthz` with 200.
async fn healthy(url: &str) {
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(r) = http.get(format!("{url}/healthz")).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url}/healthz never answered 200");
}

async fn login(url: &str) -> (reqwest::Client, String) {
    let (http, session) = api_login(url, "tiepnhan").await;
    (http, session["csrf_token"].as_str().unwrap().to_string())
}

/// Signs `username` in through `POST /api/v1/auth/login` (the demo password): a client with
/// the session cookie, and the answer (`user`, `csrf_token`).
pub(crate) async fn api_login(url: &str, username: &str) -> (reqwest::Client, Value) {
    let http = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(60)).build().unwrap();
    let r = http
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": "Motcua@2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    (http, r.json().await.unwrap())
}

async fn file(http: &reqwest::Client, url: &str, csrf: &str) -> Result<(u16, Value), reqwest::Error> {
    let r = http.post(format!("{url}/api/v1/dossiers")).header("x-csrf-token", csrf).json(&filing()).send().await?;
    let status = r.status().as_u16();
    Ok((status, r.json().await?))
}

struct Seen {
    /// id → code of each filing answered 201.
    acked: std::sync::Mutex<HashMap<String, String>>,
    count: AtomicUsize,
    /// Answers that were neither 201 nor a lost connection.
    other: std::sync::Mutex<Vec<(u16, Value)>>,
    enough: tokio::sync::Notify,
}

async fn crash(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let database_url = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            Some(tokio::task::spawn_blocking(|| motcua_testkit::pg::PgCluster::shared().create_database()).await.unwrap())
        }
    };
    let mut server = start(tmp.path(), database_url.clone());
    healthy(&server.url).await;
    let (http, csrf) = login(&server.url).await;

    let seen = Arc::new(Seen {
        acked: Default::default(),
        count: AtomicUsize::new(0),
        other: Default::default(),
        enough: tokio::sync::Notify::new(),
    });
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = tokio::task::JoinSet::new();
    for _ in 0..CONNECTIONS {
        let (http, url, csrf, seen, stop) = (http.clone(), server.url.clone(), csrf.clone(), seen.clone(), stop.clone());
        load.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                match file(&http, &url, &csrf).await {
                    Ok((201, d)) => {
                        let (id, code) = (d["id"].as_str().unwrap().to_string(), d["code"].as_str().unwrap().to_string());
                        seen.acked.lock().unwrap().insert(id, code);
                        if seen.count.fetch_add(1, Ordering::SeqCst) + 1 == ACKED_BEFORE_KILL {
                            seen.enough.notify_one();
                        }
                    }
                    Ok(other) => seen.other.lock().unwrap().push(other),
                    // The server is gone: this connection's work is over.
                    Err(_) => return,
                }
            }
        });
    }
    tokio::time::timeout(Duration::from_secs(120), seen.enough.notified())
        .await
        .unwrap_or_else(|_| panic!("only {} filings acknowledged", seen.count.load(Ordering::SeqCst)));
    // SIGKILL with requests in flight.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    while load.join_next().await.is_some() {}
    let acked = std::mem::take(&mut *seen.acked.lock().unwrap());
    let other = std::mem::take(&mut *seen.other.lock().unwrap());
    assert!(other.is_empty(), "every answer before the kill was 201: {other:?}");
    assert!(acked.len() >= ACKED_BEFORE_KILL);
    drop(server);

    // Restart on the same data; it must come up and keep numbering after the last code.
    let server = start(tmp.path(), database_url.clone());
    healthy(&server.url).await;
    let (http, csrf) = login(&server.url).await;
    let (status, after) = file(&http, &server.url, &csrf).await.unwrap();
    assert_eq!(status, 201, "{after}");

    let config =
        motcua_app::Config { data_dir: tmp.path().to_path_buf(), database_url: database_url.clone(), ..Default::default() };
    let (location, opts) = (config.location(), config.store_options());
    let store = tokio::task::spawn_blocking(move || motcua_store::Store::open(&location, opts)).await.unwrap().unwrap();
    let (dossiers, states, event_owners, first_events, outbox_owners) = store
        .read(|db| {
            let pairs =
                |sql: &str, db: &mut motcua_store::Db| -> Result<Vec<(String, Option<String>)>, motcua_store::StoreError> {
                    db.query(sql, &[])?.iter().map(|r| Ok((r.text(0)?, r.opt_text(1)?))).collect()
                };
            let dossiers: HashMap<String, Option<String>> = pairs("SELECT id, code FROM dossiers", db)?.into_iter().collect();
            let ids = |sql: &str, db: &mut motcua_store::Db| -> Result<HashSet<String>, motcua_store::StoreError> {
                db.query(sql, &[])?.iter().map(|r| r.text(0)).collect()
            };
            let states = ids("SELECT id FROM dossier_states", db)?;
            let owners = ids("SELECT DISTINCT dossier_id FROM dossier_events", db)?;
            let first = ids("SELECT dossier_id FROM dossier_events WHERE seq = 1", db)?;
            let outbox = ids("SELECT DISTINCT dossier_id FROM outbox WHERE dossier_id IS NOT NULL", db)?;
            Ok::<_, motcua_store::StoreError>((dossiers, states, owners, first, outbox))
        })
        .await
        .unwrap();
    drop(server);

    // Every acknowledged filing is there, with the code it was given.
    for (id, code) in &acked {
        assert_eq!(dossiers.get(id), Some(&Some(code.clone())), "acknowledged dossier {id} ({code}) missing after the crash");
    }
    // Nothing half-present: each dossier has its state and its first event, and every event
    // and message belongs to a dossier.
    let ids: HashSet<String> = dossiers.keys().cloned().collect();
    assert_eq!(states, ids, "dossier rows and state rows differ");
    assert_eq!(first_events, ids, "a dossier without its first event, or events without a dossier");
    assert!(event_owners.is_subset(&ids), "events of a dossier that does not exist");
    assert!(outbox_owners.is_subset(&ids), "outbox rows of a dossier that does not exist");
    // No code twice, the one filed after the restart included.
    let codes: Vec<&String> = dossiers.values().flatten().collect();
    let distinct: HashSet<&&String> = codes.iter().collect();
    assert_eq!(codes.len(), distinct.len(), "a dossier code was given twice");
    assert!(dossiers.contains_key(after["id"].as_str().unwrap()));
    let committed_unacked = ids.len() - acked.len() - 1;
    eprintln!(
        "crash ({backend:?}): {} acknowledged before SIGKILL, {committed_unacked} more committed without an answer, {} codes",
        acked.len(),
        codes.len()
    );

    // The chains verify (the server is stopped; `verify` opens the data read-only).
    let mut verify = Command::new(env!("CARGO_BIN_EXE_motcua"));
    verify.args(["--data-dir", tmp.path().to_str().unwrap(), "verify"]).env("MOTCUA_LOG", "error");
    if let Some(u) = &database_url {
        verify.env("MOTCUA_DATABASE_URL", u);
    }
    let out = verify.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "motcua verify after the crash: {text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains(&format!("OK   dossiers: {} chains", ids.len())), "{text}");
}

mod sigkill_during_filing_load {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        crash(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        crash(Backend::Postgres).await;
    }
}
