//! `motcua bench load` (issue #14): the real binary drives a running server with every
//! operation, then measures the raw ceiling of the rows one reception wrote, and prints the
//! ratio. The ceiling broke silently once (a counter table added later was replayed as a
//! plain insert); this keeps the tool honest on both backends.

use motcua_testkit::{Backend, TestApp};
use std::process::Command;

/// The figures `bench load` printed for one operation: (ok, errors column).
fn operation<'a>(out: &'a str, op: &str) -> (u64, &'a str) {
    let line = out.lines().find(|l| l.split_whitespace().next() == Some(op)).unwrap_or_else(|| panic!("no {op} line in:\n{out}"));
    let cols: Vec<&str> = line.split_whitespace().collect();
    (cols[1].parse().unwrap(), line.rsplit("  ").next().unwrap().trim())
}

fn ratio(out: &str, label: &str) -> f64 {
    let line = out.lines().find(|l| l.contains(label)).unwrap_or_else(|| panic!("no '{label}' in:\n{out}"));
    line.split('=').nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap()
}

async fn dossiers(app: &TestApp) -> i64 {
    app.ctx
        .store
        .read(|db| db.query_one("SELECT COUNT(*) FROM dossiers", &[])?.i64(0))
        .await
        .map_err(|e: motcua_store::StoreError| e)
        .unwrap()
}

async fn drives_every_operation_and_measures_the_ceiling(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.tracking.per_address_per_minute = 0;
        c.documents.issue_on_events = false;
    })
    .await;
    let before = dossiers(&app).await;
    let scratch = tempfile::tempdir().unwrap();
    let pg_scratch = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            Some(tokio::task::spawn_blocking(|| motcua_testkit::pg::PgCluster::shared().create_database()).await.unwrap())
        }
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_motcua"));
    cmd.args(["bench", "load", "--url", &app.url, "--connections", "5", "--duration", "2"])
        .args(["--ops", "filing,command,inbox,tracking,dossier", "--ceiling-secs", "1", "--no-documents"])
        .args(["--scratch-dir", scratch.path().to_str().unwrap()])
        .env("MOTCUA_LOG", "error");
    if let Some(url) = &pg_scratch {
        cmd.args(["--ceiling-pg", url, "--ceiling-pg-connections", "4"]);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "bench load failed:\n{text}\n{}", String::from_utf8_lossy(&out.stderr));
    for op in ["filing", "command", "inbox", "tracking", "dossier"] {
        let (ok, errors) = operation(&text, op);
        assert!(ok > 0, "{op} answered nothing:\n{text}");
        assert_eq!(errors, "-", "{op} had errors:\n{text}");
    }
    // Every filing the tool counted is in the server's database (plus the command's own
    // filings and the warm-up's), so the tool counts answers, not attempts.
    let (filed, _) = operation(&text, "filing");
    let after = dossiers(&app).await;
    assert!((after - before) as u64 >= filed, "{filed} filings counted, {} in the database", after - before);
    assert!(text.contains("one counter reception writes"), "{text}");
    assert!(ratio(&text, "filing through HTTP / grouped ceiling") > 0.0, "{text}");
    if pg_scratch.is_some() {
        assert!(ratio(&text, "filing through HTTP / PostgreSQL ceiling") > 0.0, "{text}");
    }
    // The scratch database of the ceiling is removed.
    assert_eq!(std::fs::read_dir(scratch.path()).unwrap().count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    drives_every_operation_and_measures_the_ceiling(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    drives_every_operation_and_measures_the_ceiling(Backend::Postgres).await;
}
