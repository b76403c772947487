//! Safe upgrades (issue #19), with the real binary on both backends: the databases of earlier
//! releases (crates/cli/tests/fixtures/upgrade, made by `make-fixture.sh`) migrate to the
//! current schema and `motcua verify` passes with every row still there; an applied migration
//! whose SQL changed, or a database newer than the binary, stops `serve` and `migrate` with a
//! clear message and nothing migrated; `migrate --dry-run` lists what would run and changes
//! nothing.

use motcua_store::migrate::{self, MIGRATIONS};
use motcua_store::{Backend as StoreBackend, Db, Store, StoreError};
use motcua_testkit::{Backend, TestApp};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the binary on `database_url` to its exit (killed and failed after two minutes: a
/// `serve` that should have refused to start would otherwise run forever).
pub fn motcua(database_url: &str, data_dir: &Path, args: &[&str]) -> (i32, String) {
    let out_path = data_dir.join(format!("out-{}.txt", std::process::id()));
    let out = std::fs::File::create(&out_path).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--database-url")
        .arg(database_url)
        .args(args)
        .env("MOTCUA_LOG", "error")
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .expect("the motcua binary");
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("motcua {args:?} still running after 2 minutes: {}", std::fs::read_to_string(&out_path).unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let text = std::fs::read_to_string(&out_path).unwrap();
    std::fs::remove_file(&out_path).unwrap();
    (status.code().unwrap_or(-1), text)
}

async fn open(database_url: &str) -> Store {
    let config = motcua_app::Config { database_url: Some(database_url.to_string()), ..Default::default() };
    let (location, opts) = (config.location(), config.store_options());
    tokio::task::spawn_blocking(move || Store::open(&location, opts)).await.unwrap().unwrap()
}

async fn scalar(store: &Store, sql: &'static str) -> i64 {
    store.read(move |db| db.query_one(sql, &[])?.i64(0)).await.unwrap()
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upgrade")
}

/// The fixtures of one backend, oldest first: `vNNNN.sqlite` or `vNNNN.postgres.sql`.
fn fixtures(backend: Backend) -> Vec<PathBuf> {
    let suffix = match backend {
        Backend::Sqlite => ".sqlite",
        Backend::Postgres => ".postgres.sql",
    };
    let mut found: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().ends_with(suffix))
        .collect();
    found.sort();
    found
}

/// A database holding the fixture: a copy of the SQLite file, or the dump loaded with psql
/// into a fresh PostgreSQL database.
async fn load(backend: Backend, fixture: &Path, dir: &Path) -> String {
    match backend {
        Backend::Sqlite => {
            let db = dir.join("motcua.db");
            std::fs::copy(fixture, &db).unwrap();
            db.display().to_string()
        }
        Backend::Postgres => {
            let url = tokio::task::spawn_blocking(|| motcua_testkit::pg::PgCluster::shared().create_database()).await.unwrap();
            let out = Command::new("psql")
                .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &url, "-f"])
                .arg(fixture)
                .env("PGCONNECT_TIMEOUT", "10")
                .output()
                .expect("psql (apt-get install postgresql-client)");
            assert!(out.status.success(), "psql -f {}: {}", fixture.display(), String::from_utf8_lossy(&out.stderr));
            url
        }
    }
}

/// What must survive the upgrade.
async fn census(store: &Store) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for (what, sql) in [
        ("dossiers", "SELECT COUNT(*) FROM dossiers"),
        ("events", "SELECT COUNT(*) FROM dossier_events"),
        ("audit", "SELECT COUNT(*) FROM audit_events"),
        ("users", "SELECT COUNT(*) FROM users"),
        ("procedures", "SELECT COUNT(*) FROM procedures"),
        ("finished", "SELECT COUNT(*) FROM dossiers WHERE finished_at IS NOT NULL"),
    ] {
        out.push((what.to_string(), scalar(store, sql).await));
    }
    out
}

async fn a_dossier(store: &Store) -> (String, String) {
    store
        .read(|db| {
            let r = db.query_one("SELECT id, status FROM dossiers ORDER BY id LIMIT 1", &[])?;
            Ok::<_, StoreError>((r.text(0)?, r.text(1)?))
        })
        .await
        .unwrap()
}

async fn migrates_every_fixture(backend: Backend) {
    let found = fixtures(backend);
    assert!(!found.is_empty(), "no upgrade fixture for {backend:?} in {}", fixtures_dir().display());
    let store_backend = match backend {
        Backend::Sqlite => StoreBackend::Sqlite,
        Backend::Postgres => StoreBackend::Postgres,
    };
    for fixture in found {
        let dir = tempfile::tempdir().unwrap();
        let url = load(backend, &fixture, dir.path()).await;
        let store = open(&url).await;
        let before = census(&store).await;
        assert!(before[0].1 > 0, "{}: the fixture holds dossiers", fixture.display());
        let dossier = a_dossier(&store).await;
        let fixture_latest = scalar(&store, "SELECT MAX(version) FROM schema_migrations").await;
        let pending: Vec<String> =
            MIGRATIONS.iter().filter(|m| m.version > fixture_latest).map(|m| format!("{:04} {}", m.version, m.name)).collect();

        // The dry run lists exactly what a start would apply and changes nothing.
        let rows_before = scalar(&store, "SELECT COUNT(*) FROM schema_migrations").await;
        let (code, out) = motcua(&url, dir.path(), &["migrate", "--dry-run"]);
        assert_eq!(code, 0, "{out}");
        let listed: Vec<String> = out.lines().filter_map(|l| l.strip_prefix("would apply ")).map(str::to_string).collect();
        assert_eq!(listed, pending, "{out}");
        assert_eq!(scalar(&store, "SELECT COUNT(*) FROM schema_migrations").await, rows_before);

        let (code, out) = motcua(&url, dir.path(), &["migrate"]);
        assert_eq!(code, 0, "{}: {out}", fixture.display());
        for p in &pending {
            let name = p.split_once(' ').unwrap().1;
            assert!(out.contains(&format!("applied {name}")), "{out}");
        }
        let (code, out) = motcua(&url, dir.path(), &["verify"]);
        assert_eq!(code, 0, "{}: verify after the upgrade: {out}", fixture.display());
        assert!(out.contains("OK   dossiers:"), "{out}");

        // Every row is still there, and every applied migration now has its checksum.
        assert_eq!(census(&store).await, before, "{}", fixture.display());
        assert_eq!(a_dossier(&store).await, dossier);
        let rows = store.read(migrate::read_applied).await.unwrap();
        assert_eq!(rows.len(), MIGRATIONS.len());
        for (row, m) in rows.iter().zip(MIGRATIONS) {
            assert_eq!((row.version, row.checksum.clone()), (m.version, Some(m.checksum(store_backend))));
        }
        let (code, out) = motcua(&url, dir.path(), &["migrate", "--dry-run"]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("up to date") && !out.contains("would apply"), "{out}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_previous_releases_databases_migrate_sqlite() {
    migrates_every_fixture(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_previous_releases_databases_migrate_postgres() {
    migrates_every_fixture(Backend::Postgres).await;
}

async fn exec(app: &TestApp, sql: &'static str) {
    app.ctx.store.write(move |db: &mut Db| db.execute(sql, &[])).await.unwrap();
}

async fn migration_rows(app: &TestApp) -> Vec<(i64, Option<String>)> {
    let rows = app.ctx.store.read(migrate::read_applied).await.unwrap();
    rows.into_iter().map(|r| (r.version, r.checksum)).collect()
}

motcua_testkit::both_backends! {
    async fn a_changed_migration_or_a_newer_database_stops_the_start(app) {
        let dir = tempfile::tempdir().unwrap();
        let url = app.database_url.clone();
        let dossiers = app.count("dossiers").await;

        let (code, out) = motcua(&url, dir.path(), &["migrate", "--dry-run"]);
        assert_eq!((code, out.contains("up to date")), (0, true), "{out}");

        // Migration 5's recorded checksum differs from this binary's: its SQL was edited.
        exec(&app, "UPDATE schema_migrations SET checksum = 'abc123' WHERE version = 5").await;
        let recorded = migration_rows(&app).await;
        let ours = MIGRATIONS[4].checksum(app.ctx.store.backend());
        for args in [&["serve", "--no-demo", "--listen", "127.0.0.1:0"][..], &["migrate"], &["migrate", "--dry-run"]] {
            let (code, out) = motcua(&url, dir.path(), args);
            assert_eq!(code, 3, "{args:?}: {out}");
            for needle in ["0005_catalog_search", "đã bị sửa", "has changed", "abc123", ours.as_str(), "expected"] {
                assert!(out.contains(needle), "{args:?} names {needle}: {out}");
            }
            assert!(!out.contains("http://"), "{args:?} did not start serving: {out}");
        }
        assert_eq!(migration_rows(&app).await, recorded, "nothing migrated, nothing recorded");
        exec(&app, "UPDATE schema_migrations SET checksum = NULL WHERE version = 5").await;

        // A database a newer release migrated: a version this binary does not know.
        exec(&app, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9001, '9001_from_the_future', 0)").await;
        let recorded = migration_rows(&app).await;
        for args in [&["serve", "--no-demo", "--listen", "127.0.0.1:0"][..], &["migrate"], &["migrate", "--dry-run"]] {
            let (code, out) = motcua(&url, dir.path(), args);
            assert_eq!(code, 3, "{args:?}: {out}");
            for needle in ["9001 (9001_from_the_future)", "mới hơn", "newer than this binary"] {
                assert!(out.contains(needle), "{args:?} names {needle}: {out}");
            }
        }
        // Refused before anything: migration 5's checksum is still unrecorded, data intact.
        assert_eq!(migration_rows(&app).await, recorded);
        assert_eq!(app.count("dossiers").await, dossiers);
        exec(&app, "DELETE FROM schema_migrations WHERE version = 9001").await;

        // Back in order: the start records the missing checksum (trust on first use).
        let (code, out) = motcua(&url, dir.path(), &["migrate"]);
        assert_eq!(code, 0, "{out}");
        assert_eq!(migration_rows(&app).await[4].1.as_deref(), Some(ours.as_str()));
    }

    async fn the_dry_run_on_an_empty_database_lists_everything_and_creates_nothing(app) {
        let dir = tempfile::tempdir().unwrap();
        let url = match app.backend {
            Backend::Sqlite => dir.path().join("fresh.db").display().to_string(),
            Backend::Postgres => {
                tokio::task::spawn_blocking(|| motcua_testkit::pg::PgCluster::shared().create_database()).await.unwrap()
            }
        };
        let (code, out) = motcua(&url, dir.path(), &["migrate", "--dry-run"]);
        assert_eq!(code, 0, "{out}");
        let listed = out.lines().filter(|l| l.starts_with("would apply ")).count();
        assert_eq!(listed, MIGRATIONS.len(), "{out}");
        assert!(out.contains("would apply 0001 0001_foundation"), "{out}");
        match app.backend {
            Backend::Sqlite => assert!(!dir.path().join("fresh.db").exists(), "the dry run created the database"),
            Backend::Postgres => {
                let store = open(&url).await;
                let tables = scalar(
                    &store,
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()",
                )
                .await;
                assert_eq!(tables, 0, "the dry run created tables");
            }
        }
    }
}
