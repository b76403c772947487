//! Several `motcua serve` processes over one PostgreSQL database (issue #14), with the real
//! binary: the deadline worker of both queues each reminder once, each outbox row is
//! delivered once, the counter's second screen served by one process sees what the officer
//! enters on the other (PostgreSQL LISTEN/NOTIFY), and a process killed with SIGKILL loses
//! nothing: its leases run out and the other process finishes its work.

use crate::workers::received_at_hoalu;
use motcua_testkit::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `motcua serve` over `database_url` with fast workers; returns once it prints its URL.
fn start(database_url: &str) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["serve", "--no-demo", "--listen", "127.0.0.1:0", "--database-url", database_url, "--data-dir"])
        .arg(dir.path())
        .env("MOTCUA_LOG", "warn")
        .env("MOTCUA_POSTGRES__MAX_CONNECTIONS", "4")
        .env("MOTCUA_WORKERS__DEADLINE_SCAN_SECS", "1")
        .env("MOTCUA_WORKERS__OUTBOX_POLL_MS", "100")
        .env("MOTCUA_WORKERS__OUTBOX_BATCH", "1")
        .env("MOTCUA_WORKERS__OUTBOX_LEASE_SECS", "2")
        .env("MOTCUA_WORKERS__DIGEST_HOUR", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the motcua binary");
    let mut out = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"\n") {
        assert_eq!(out.read(&mut byte).unwrap(), 1, "the server printed its URL: {}", String::from_utf8_lossy(&seen));
        seen.push(byte[0]);
    }
    let first = String::from_utf8(seen).unwrap();
    let url = format!("http://{}", first.split("http://").nth(1).unwrap().trim());
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    Server { child, url, _dir: dir }
}

async fn scalar(app: &TestApp, sql: &'static str) -> i64 {
    app.ctx.store.read(move |db| db.query_one(sql, &[])?.i64(0)).await.unwrap()
}

/// Waits (bounded) until `sql` gives `want`.
async fn until(app: &TestApp, sql: &'static str, want: i64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let got = scalar(app, sql).await;
        if got == want {
            return;
        }
        assert!(Instant::now() < deadline, "{sql}: {got}, want {want}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Makes the open dossiers not yet late ten days late (on both deadlines).
async fn make_late(app: &TestApp) {
    let now = motcua_app::now_ms();
    let late = now - 10 * 86_400_000;
    app.ctx
        .store
        .write(move |db| {
            db.execute(
                "UPDATE dossiers SET step_due_at = $1, due_at = $2 WHERE finished_at IS NULL AND step_due_at > $3",
                &[late.into(), late.into(), (now - 86_400_000).into()],
            )
        })
        .await
        .unwrap();
}

// The dossiers' reminders (the demo's open petitions are reminded too, under `petition.*`).
const KEYS: &str = "SELECT COUNT(*) FROM reminder_keys WHERE kind NOT LIKE 'petition.%'";
const LATE_KEYS: &str =
    "SELECT COUNT(*) FROM reminder_keys WHERE (kind LIKE '%.overdue' OR kind LIKE '%.escalation') AND kind NOT LIKE 'petition.%'";
const ROWS: &str = "SELECT COUNT(*) FROM outbox WHERE topic LIKE 'reminder.%' OR topic = 'digest.daily'";
const UNDELIVERED: &str =
    "SELECT COUNT(*) FROM outbox WHERE (topic LIKE 'reminder.%' OR topic = 'digest.daily') AND delivered_at IS NULL";

async fn login(url: &str, user: &str) -> (reqwest::Client, String) {
    let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let r = c
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": "Motcua@2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let b: serde_json::Value = r.json().await.unwrap();
    (c, b["csrf_token"].as_str().unwrap().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_the_workers_and_the_counter_screen() {
    // The in-process app seeds the province and files; the two processes do the rest.
    let app = TestApp::spawn(Backend::Postgres).await;
    for _ in 0..3 {
        received_at_hoalu(&app).await;
    }
    make_late(&app).await;
    let a = start(&app.database_url);
    let b = start(&app.database_url);

    // Per dossier: overdue and escalated, on the step's and the legal deadline (4); one
    // digest for the unit holding them. Both processes scan every second: each once.
    until(&app, KEYS, 3 * 4 + 1).await;
    until(&app, UNDELIVERED, 0).await;
    assert_eq!(scalar(&app, ROWS).await, 13, "one outbox row per reminder");
    // Delivered once each: the counter officer has the 6 overdue reminders, the leader the
    // 6 escalations and the digest; nobody twice (a row is one notification per recipient).
    let clerk = app.user_id("tiepnhan.hoalu").await;
    let leader = app.user_id("lanhdao.hoalu").await;
    let per_user = |id: String| {
        app.ctx.store.read(move |db| db.query_one("SELECT COUNT(*) FROM notifications WHERE user_id = $1", &[id.into()])?.i64(0))
    };
    assert_eq!(per_user(clerk).await.unwrap(), 6);
    assert_eq!(per_user(leader).await.unwrap(), 7);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM notifications WHERE kind NOT LIKE 'petition.%'").await, 13);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM outbox WHERE topic LIKE 'reminder.%' AND attempts > 0").await, 0);
    let deliverers =
        scalar(&app, "SELECT COUNT(DISTINCT claimed_by) FROM outbox WHERE delivered_at IS NOT NULL AND topic LIKE 'reminder.%'")
            .await;
    eprintln!("reminders delivered by {deliverers} process(es)");

    // The second screen of counter quay1 is open on process A; the officer types on B.
    let counter = app.agency_id("000.01.20.H40").await;
    let (screen, _) = login(&a.url, "tiepnhan").await;
    let (desk, csrf) = login(&b.url, "tiepnhan").await;
    let mut events = screen.get(format!("{}/man-hinh/quay/{counter}/su-kien", a.url)).send().await.unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = String::new();
    while !seen.contains("Trần Thị Bình") {
        assert!(Instant::now() < deadline, "the screen on A never saw the draft typed on B: {seen}");
        let r = desk
            .post(format!("{}/man-hinh/quay/{counter}/ban-nhap", b.url))
            .header("x-csrf-token", &csrf)
            .json(&json!({"procedure": "Xác nhận tình trạng hôn nhân", "applicant": "Trần Thị Bình", "components": []}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        // Wait for the next event (or half a second, then type again: A may not listen yet).
        if let Ok(Some(chunk)) = tokio::time::timeout(Duration::from_millis(500), events.chunk()).await.map(|c| c.unwrap()) {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    // A rows claimed by a process that is then killed: held until the lease runs out, then
    // taken over. Process A is killed with SIGKILL (mid-lease or not), and a worker that
    // claimed two rows and died stands for a kill exactly mid-lease.
    drop(a);
    let now = motcua_app::now_ms();
    app.ctx
        .store
        .write(move |db| {
            for i in 0..2 {
                let p = json!({"kind": "overdue", "to": {"path": "/nowhere/", "role": "specialist"}});
                motcua_store::repo::outbox::enqueue_once(db, ("killed", i, "test", 0), "reminder.overdue", None, &p, now)?;
            }
            motcua_store::repo::outbox::claim(db, &["reminder.overdue"], "killed-process", now, now + 3_000, 10)
        })
        .await
        .unwrap();
    // Two more late dossiers: B alone reminds of them.
    for _ in 0..2 {
        received_at_hoalu(&app).await;
    }
    make_late(&app).await;
    // (B may also remind of them as due soon before they are made late, and a new local
    // day brings a new digest: count the overdue and escalation reminders.)
    until(&app, LATE_KEYS, 5 * 4).await;
    until(&app, "SELECT COUNT(*) FROM reminder_keys WHERE subject = 'killed'", 2).await;
    until(&app, UNDELIVERED, 0).await;
    assert_eq!(scalar(&app, ROWS).await, scalar(&app, KEYS).await, "one row per reminder after the kill");
    let taken = scalar(&app, "SELECT COUNT(*) FROM outbox o JOIN reminder_keys k ON k.outbox_id = o.id WHERE k.subject = 'killed' AND o.delivered_at IS NOT NULL AND o.claimed_by <> 'killed-process'").await;
    assert_eq!(taken, 2, "the dead worker's rows were taken over after their lease");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM notifications WHERE kind IN ('reminder.overdue', 'reminder.escalation')").await,
        5 * 4,
        "every late dossier's reminders, once each"
    );
    drop(b);
}
