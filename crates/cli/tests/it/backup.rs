//! Backup and restore (issue #19), on both backends: a backup taken by the real binary
//! during a filing load restores into an empty target where `motcua verify` passes and
//! every filing acknowledged before the backup started is found; a tampered or partial
//! backup and a non-empty target are refused with nothing written; a second backup copies
//! only the new files; the schedule of `serve` keeps `keep` copies and records its runs.

use motcua_testkit::{Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Runs the real binary on `database_url` and `data_dir`: (exit code, stdout + stderr).
fn motcua(database_url: &str, data_dir: &Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["--database-url", database_url, "--data-dir"])
        .arg(data_dir)
        .args(args)
        .env("MOTCUA_LOG", "error")
        .output()
        .expect("run motcua");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned() + &*String::from_utf8_lossy(&out.stderr))
}

/// An empty target: a data folder (absent) and, on PostgreSQL, an empty database.
async fn empty_target(backend: Backend, root: &Path) -> (String, PathBuf) {
    let data = root.join("restored");
    let url = match backend {
        Backend::Sqlite => data.join("motcua.db").display().to_string(),
        Backend::Postgres => {
            tokio::task::spawn_blocking(|| motcua_testkit::pg::PgCluster::shared().create_database()).await.unwrap()
        }
    };
    (url, data)
}

async fn open_store(url: &str) -> motcua_store::Store {
    let location = motcua_store::Location::parse(url);
    tokio::task::spawn_blocking(move || motcua_store::Store::open(&location, motcua_store::StoreOptions::default()))
        .await
        .unwrap()
        .unwrap()
}

/// Tables in the target (0 = still empty); a SQLite target that does not exist counts 0.
async fn tables(url: &str) -> i64 {
    if !url.starts_with("postgres") {
        return i64::from(Path::new(url).exists());
    }
    let store = open_store(url).await;
    store.read(|db| db.query_one("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'", &[])?.i64(0)).await.unwrap()
}

fn is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(true)
}

/// A citizen's draft with one uploaded PDF of `size` bytes; returns its digest.
async fn upload(app: &TestApp, size: usize) -> String {
    let citizen = app.login("congdan").await;
    let (s, d) = citizen
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": "1.910201.H40", "applicant": {"name": "Nguyễn Văn An",
            "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["id"].as_str().unwrap();
    let pdf = motcua_testkit::files::pdf_of_size(b' ', size);
    let (s, d) = citizen
        .raw(Method::PUT, &format!("/api/v1/dossiers/{id}/components/giay_de_nghi/files?name=a.pdf"), "application/pdf", pdf)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d["files"][0]["sha256"].as_str().unwrap().to_string()
}

const CONNECTIONS: usize = 8;
const ACKED_BEFORE_BACKUP: usize = 60;

/// (a) A backup by the real binary while 8 connections file at the counter.
async fn backup_during_load(backend: Backend) {
    // No receipts: unoptimised PDF rendering would bound the load to a filing a second.
    let app = TestApp::spawn_with(backend, |c| c.documents.issue_on_events = false).await;
    let mut digests = Vec::new();
    for i in 0..5 {
        digests.push(upload(&app, 2_000 + i * 100).await);
    }
    // One logged-in HTTP client shared by the connections (as the counter's load tests do).
    let http = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(60)).build().unwrap();
    let r = http
        .post(format!("{}/api/v1/auth/login", app.url))
        .json(&json!({"username": "tiepnhan", "password": "Motcua@2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csrf = r.json::<Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_string();
    let acked: Arc<std::sync::Mutex<HashMap<String, String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = tokio::task::JoinSet::new();
    for _ in 0..CONNECTIONS {
        let (http, url, csrf, acked, stop) = (http.clone(), app.url.clone(), csrf.clone(), acked.clone(), stop.clone());
        load.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let r = http
                    .post(format!("{url}/api/v1/dossiers"))
                    .header("x-csrf-token", &csrf)
                    .json(&crate::crash::filing())
                    .send()
                    .await
                    .unwrap();
                let s = r.status();
                let d: Value = r.json().await.unwrap();
                assert_eq!(s, StatusCode::CREATED, "{d}");
                acked.lock().unwrap().insert(d["id"].as_str().unwrap().into(), d["code"].as_str().unwrap().into());
            }
        });
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while acked.lock().unwrap().len() < ACKED_BEFORE_BACKUP {
        assert!(Instant::now() < deadline, "the load did not reach {ACKED_BEFORE_BACKUP} filings");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Every filing acknowledged by now must be in the backup.
    let before: HashMap<String, String> = acked.lock().unwrap().clone();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("b1");
    let (url, data) = (app.database_url.clone(), app.data_dir.clone());
    let dir2 = dir.clone();
    let started = Instant::now();
    let (code, text) =
        tokio::task::spawn_blocking(move || motcua(&url, &data, &["backup", "--to", dir2.to_str().unwrap()])).await.unwrap();
    let took = started.elapsed();
    let during = acked.lock().unwrap().len() - before.len();
    stop.store(true, Ordering::Relaxed);
    while let Some(r) = load.join_next().await {
        r.unwrap();
    }
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("5 files (5 copied"), "{text}");
    let manifest: Value = serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["backend"], if backend == Backend::Sqlite { "sqlite" } else { "postgres" });
    assert_eq!(manifest["files"].as_array().unwrap().len(), 5);
    let size = |p: &Path| std::fs::metadata(p).unwrap().len();
    eprintln!(
        "backup during load ({backend:?}): {} filings acknowledged before, {during} more during the backup; {} ms, \
         database {} bytes, {} files; {}",
        before.len(),
        took.as_millis(),
        size(&dir.join(manifest["database"]["file"].as_str().unwrap())),
        manifest["files"].as_array().unwrap().len(),
        text.trim()
    );
    // The run is recorded in the live database.
    let latest = app.ctx.store.read(motcua_store::repo::backups::latest).await.unwrap().expect("a recorded run");
    assert!(latest.ok && latest.kind == "manual" && latest.files_copied == 5, "{latest:?}");

    // Restore into an empty target, then verify with the real binary.
    let (target_url, target_data) = empty_target(backend, out.path()).await;
    let (t_url, t_data, d) = (target_url.clone(), target_data.clone(), dir.clone());
    let (code, text) =
        tokio::task::spawn_blocking(move || motcua(&t_url, &t_data, &["restore", "--from", d.to_str().unwrap()])).await.unwrap();
    assert_eq!(code, 0, "{text}");
    let (t_url, t_data) = (target_url.clone(), target_data.clone());
    let (code, text) = tokio::task::spawn_blocking(move || motcua(&t_url, &t_data, &["verify"])).await.unwrap();
    assert_eq!(code, 0, "verify after the restore: {text}");
    assert!(text.contains("OK   files: 5 files"), "{text}");

    let store = open_store(&target_url).await;
    let restored: HashMap<String, Option<String>> = store
        .read(|db| {
            db.query("SELECT id, code FROM dossiers", &[])?
                .iter()
                .map(|r| Ok((r.text(0)?, r.opt_text(1)?)))
                .collect::<Result<_, motcua_store::StoreError>>()
        })
        .await
        .unwrap();
    for (id, code) in &before {
        assert_eq!(restored.get(id), Some(&Some(code.clone())), "filing {id} ({code}) acknowledged before the backup is lost");
    }
    for sha in &digests {
        assert!(target_data.join("files").join(&sha[..2]).join(sha).exists(), "file {sha} restored");
    }
}

/// (b) A tampered or partial backup is refused and the target stays empty; (c) a backup into
/// a non-empty folder is refused and writes nothing.
async fn refusals(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let sha = upload(&app, 3_000).await;
    let out = tempfile::tempdir().unwrap();
    let good = out.path().join("good");
    let (code, text) = motcua(&app.database_url, &app.data_dir, &["backup", "--to", good.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");

    // (c) A non-empty folder: refused, its file untouched, nothing added, no run recorded.
    let busy = out.path().join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("keep.txt"), b"mine").unwrap();
    let runs = app.count("backups").await;
    let (code, text) = motcua(&app.database_url, &app.data_dir, &["backup", "--to", busy.to_str().unwrap()]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("không trống") && text.contains("not empty"), "{text}");
    assert_eq!(std::fs::read_dir(&busy).unwrap().count(), 1);
    assert_eq!(std::fs::read(busy.join("keep.txt")).unwrap(), b"mine");
    assert_eq!(app.count("backups").await, runs);

    let copy = |name: &str| -> PathBuf {
        let to = out.path().join(name);
        let status = std::process::Command::new("cp").arg("-a").arg(&good).arg(&to).status().unwrap();
        assert!(status.success());
        to
    };
    let (target_url, target_data) = empty_target(backend, out.path()).await;
    let restore = |from: &Path| motcua(&target_url, &target_data, &["restore", "--from", from.to_str().unwrap()]);

    // (b) One byte of one file flipped.
    let flipped = copy("flipped");
    let file = flipped.join("files").join(&sha[..2]).join(&sha);
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[100] ^= 0x01;
    std::fs::write(&file, &bytes).unwrap();
    let (code, text) = restore(&flipped);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("bị hỏng") && text.contains(&sha) && text.contains("SHA-256"), "{text}");
    assert!(is_empty(&target_data) && tables(&target_url).await == 0, "the target stays empty");

    // The database file damaged.
    let damaged = copy("damaged");
    let db_file = std::fs::read_dir(&damaged)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "db" || e == "pgdump"))
        .unwrap();
    let mut bytes = std::fs::read(&db_file).unwrap();
    let n = bytes.len() / 2;
    bytes[n] ^= 0x01;
    std::fs::write(&db_file, &bytes).unwrap();
    let (code, text) = restore(&damaged);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains(db_file.file_name().unwrap().to_str().unwrap()), "{text}");
    assert!(is_empty(&target_data) && tables(&target_url).await == 0);

    // Partial: a file missing, and the manifest missing.
    let partial = copy("partial");
    std::fs::remove_file(partial.join("files").join(&sha[..2]).join(&sha)).unwrap();
    let (code, text) = restore(&partial);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains(&sha) && text.contains("missing"), "{text}");
    let no_manifest = copy("no_manifest");
    std::fs::remove_file(no_manifest.join("manifest.json")).unwrap();
    let (code, text) = restore(&no_manifest);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("thiếu manifest.json") && text.contains("partial backup"), "{text}");
    assert!(is_empty(&target_data) && tables(&target_url).await == 0);

    // The untouched backup restores, and then the target is no longer empty: a second
    // restore is refused.
    let (code, text) = restore(&good);
    assert_eq!(code, 0, "{text}");
    let (code, text) = restore(&good);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("không trống"), "{text}");
    let (code, text) = motcua(&target_url, &target_data, &["verify"]);
    assert_eq!(code, 0, "{text}");
}

/// (d) A second backup against the first copies only the new file and hard-links the rest.
async fn incremental(backend: Backend) {
    use motcua_app::backup::{BackupOptions, backup};
    let app = TestApp::spawn(backend).await;
    let old: Vec<String> = vec![upload(&app, 2_500).await, upload(&app, 2_600).await, upload(&app, 2_700).await];
    let out = tempfile::tempdir().unwrap();
    let (first, second) = (out.path().join("1"), out.path().join("2"));
    let opts = |to: &Path, since: Option<&Path>| BackupOptions {
        to: to.to_path_buf(),
        since: since.map(Path::to_path_buf),
        scheduled: false,
        now_ms: motcua_app::now_ms(),
    };
    let r1 = backup(&app.ctx.store, app.ctx.files.clone(), &app.ctx.config, opts(&first, None)).await.unwrap();
    assert_eq!((r1.files_total, r1.files_copied, r1.files_reused), (3, 3, 0));
    let new = upload(&app, 2_800).await;
    let r2 = backup(&app.ctx.store, app.ctx.files.clone(), &app.ctx.config, opts(&second, Some(&first))).await.unwrap();
    assert_eq!((r2.files_total, r2.files_copied, r2.files_reused), (4, 1, 3));
    assert_eq!(r2.bytes_copied, std::fs::metadata(second.join("files").join(&new[..2]).join(&new)).unwrap().len());
    use std::os::unix::fs::MetadataExt;
    for sha in &old {
        let ino = |root: &Path| std::fs::metadata(root.join("files").join(&sha[..2]).join(sha)).unwrap().ino();
        assert_eq!(ino(&first), ino(&second), "{sha} is hard-linked, not copied");
    }
    // A `since` that is not a backup is refused before anything is written.
    let third = out.path().join("3");
    let err = backup(&app.ctx.store, app.ctx.files.clone(), &app.ctx.config, opts(&third, Some(out.path()))).await.unwrap_err();
    assert!(err.to_string().contains("manifest.json"), "{err}");
    assert!(!third.exists());
    // The second backup restores on its own (its files are real links, not references).
    std::fs::remove_dir_all(&first).unwrap();
    let (target_url, target_data) = empty_target(backend, out.path()).await;
    let (code, text) = motcua(&target_url, &target_data, &["restore", "--from", second.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = motcua(&target_url, &target_data, &["verify"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("OK   files: 4 files"), "{text}");
}

/// (e) The schedule of `serve` with `keep = 2`: after three runs two copies are left, the
/// later runs reuse the files, an operator's own folder in the root is left alone, and
/// every run is in `backups`.
async fn scheduled(backend: Backend) {
    let root = tempfile::tempdir().unwrap();
    let root_path = root.path().to_path_buf();
    let app = TestApp::spawn_with(backend, |c| {
        c.backup.dir = root_path.display().to_string();
        // About every second.
        c.backup.every_hours = 1.0 / 3600.0;
        c.backup.keep = 2;
    })
    .await;
    upload(&app, 2_000).await;
    std::fs::create_dir_all(root.path().join("motcua-operator")).unwrap();
    std::fs::write(root.path().join("motcua-operator").join("notes.txt"), b"mine").unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    motcua_app::backup::start(&app.ctx, stopped).unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let runs = loop {
        let runs = app.ctx.store.read(|db| motcua_store::repo::backups::list(db, 100)).await.unwrap();
        let copies = motcua_app::backup::scheduled_copies(root.path());
        if runs.iter().filter(|r| r.kind == "scheduled" && r.ok).count() >= 3 && copies.len() == 2 {
            break runs;
        }
        assert!(Instant::now() < deadline, "three scheduled runs and two copies: {runs:?} {copies:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let _ = stop.send(true);
    assert!(runs.iter().all(|r| r.ok && r.kind == "scheduled" && r.error.is_none()), "{runs:?}");
    assert_eq!(runs[runs.len() - 1].files_copied, 1, "the first run copies the file");
    assert!(runs[..runs.len() - 1].iter().all(|r| r.files_reused == 1 && r.files_copied == 0), "later runs reuse it: {runs:?}");
    let latest = app.ctx.store.read(motcua_store::repo::backups::latest).await.unwrap().unwrap();
    assert_eq!(latest, runs[0]);
    // The operator's folder (no manifest) is not the schedule's to remove.
    let mut names: Vec<String> =
        std::fs::read_dir(root.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert!(names.contains(&"motcua-operator".to_string()), "{names:?}");
    assert_eq!(std::fs::read(root.path().join("motcua-operator").join("notes.txt")).unwrap(), b"mine");
    // The administrators' system page shows the last run (`/quan-tri/he-thong`).
    let latest = app.ctx.store.read(motcua_store::repo::backups::latest).await.unwrap().unwrap();
    let page = crate::browser::Browser::login(&app, "admin").await.get("/quan-tri/he-thong").await;
    let shown = page.body.split("id=\"sys-last-backup\"").nth(1).and_then(|t| t.split("</dd>").next()).unwrap_or_default();
    assert!(shown.contains(&latest.dir) && shown.contains("data-ok=\"true\"") && shown.contains("theo lịch"), "{shown}");
}

macro_rules! on_both {
    ($($name:ident),*) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(motcua_testkit::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(motcua_testkit::Backend::Postgres).await;
            }
        }
    )*};
}

on_both!(backup_during_load, refusals, incremental, scheduled);
