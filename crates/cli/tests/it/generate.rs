//! `motcua bench generate` (issue #14): the bulk load drops the loaded tables' secondary
//! indexes and triggers and builds them once at the end, refilling the derived tables. A
//! small history must come out as the application would have written it: every chain
//! verifies, `motcua rebuild` changes nothing (projections, states, counters), the indexes
//! and triggers are those of a freshly migrated database, the full-text index holds every
//! dossier, and only unfinished dossiers keep a state row.

use motcua_testkit::Backend;
use std::path::Path;
use std::process::Command;

fn motcua(dir: &Path, database_url: &Option<String>, args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_motcua"));
    cmd.arg("--data-dir").arg(dir).args(args).env("MOTCUA_LOG", "error");
    if let Some(u) = database_url {
        cmd.env("MOTCUA_DATABASE_URL", u);
    }
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "motcua {args:?}: {text}{}", String::from_utf8_lossy(&out.stderr));
    text
}

async fn database(backend: Backend) -> Option<String> {
    match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            Some(tokio::task::spawn_blocking(|| motcua_testkit::pg::PgCluster::shared().create_database()).await.unwrap())
        }
    }
}

async fn open(dir: &Path, database_url: &Option<String>) -> motcua_store::Store {
    let config = motcua_app::Config { data_dir: dir.to_path_buf(), database_url: database_url.clone(), ..Default::default() };
    let (location, opts) = (config.location(), config.store_options());
    tokio::task::spawn_blocking(move || motcua_store::Store::open(&location, opts)).await.unwrap().unwrap()
}

/// Rows of a query, each as text (for equality before and after).
fn rows(db: &mut motcua_store::Db, sql: &str) -> Vec<String> {
    db.query(sql, &[]).unwrap().into_iter().map(|r| format!("{:?}", r.0)).collect()
}

/// The indexes and triggers of the tables the generator loads.
fn schema(db: &mut motcua_store::Db) -> Vec<String> {
    let sql = match db.backend() {
        motcua_store::Backend::Sqlite => {
            "SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('index', 'trigger') \
             AND tbl_name IN ('dossiers', 'dossier_states', 'dossier_events') ORDER BY 1"
        }
        motcua_store::Backend::Postgres => {
            "SELECT 'index ' || indexname::text FROM pg_indexes WHERE schemaname = current_schema() \
             AND tablename IN ('dossiers', 'dossier_states', 'dossier_events') \
             UNION ALL SELECT 'trigger ' || tgname::text || ' ' || tgenabled::text FROM pg_trigger \
             WHERE NOT tgisinternal AND tgrelid::regclass::text IN ('dossiers', 'dossier_states', 'dossier_events') ORDER BY 1"
        }
    };
    db.query(sql, &[]).unwrap().into_iter().map(|r| r.text(0).unwrap()).collect()
}

async fn generated_history_is_what_the_application_writes(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let url = database(backend).await;
    let out = motcua(tmp.path(), &url, &["bench", "generate", "--dossiers", "400", "--held-at-one-step", "40"]);
    assert!(out.contains("generated "), "{out}");

    // A freshly migrated database of the same backend, for its indexes and triggers.
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh_url = database(backend).await;
    motcua(fresh_dir.path(), &fresh_url, &["migrate"]);
    let fresh = open(fresh_dir.path(), &fresh_url).await;
    let expected_schema = fresh.read(|db| Ok::<_, motcua_store::StoreError>(schema(db))).await.unwrap();
    drop(fresh);

    let store = open(tmp.path(), &url).await;
    type Snapshot = (Vec<String>, Vec<String>, Vec<String>, Vec<String>, i64, i64, i64);
    let snapshot = |store: &motcua_store::Store| {
        let store = store.clone();
        async move {
            store
                .read(|db| -> Result<Snapshot, motcua_store::StoreError> {
                    let one = |db: &mut motcua_store::Db, sql: &str| db.query_one(sql, &[]).unwrap().i64(0).unwrap();
                    Ok((
                        rows(db, "SELECT * FROM dossiers ORDER BY id"),
                        rows(db, "SELECT id, state FROM dossier_states ORDER BY id"),
                        rows(db, "SELECT agency_id, procedure_code, day, metric, value FROM kpi_daily ORDER BY 1, 2, 3, 4"),
                        schema(db),
                        one(db, "SELECT COUNT(*) FROM dossiers"),
                        one(db, "SELECT COUNT(*) FROM dossiers WHERE finished_at IS NULL"),
                        one(db, "SELECT COUNT(*) FROM dossier_states"),
                    ))
                })
                .await
                .unwrap()
        }
    };
    let before = snapshot(&store).await;
    let (_, _, kpi, schema_after, dossiers, unfinished, states) = before.clone();
    assert!(dossiers > 400, "{dossiers} dossiers");
    assert!(unfinished >= 40 && unfinished < dossiers, "{unfinished} unfinished of {dossiers}");
    assert!(!kpi.is_empty());
    // Only unfinished dossiers keep their state; finished ones are replayed from the log.
    assert_eq!(states, unfinished);
    // Every index and trigger is back, and enabled.
    assert_eq!(schema_after, expected_schema);
    if backend == Backend::Sqlite {
        // The full-text index holds one document per dossier and matches its content.
        let docs = store
            .write(|db| {
                let docs = db.query_one("SELECT COUNT(*) FROM dossier_search_docsize", &[])?.i64(0)?;
                let check = db.execute("INSERT INTO dossier_search (dossier_search) VALUES ('integrity-check')", &[]);
                Ok::<_, motcua_store::StoreError>((docs, check.is_ok()))
            })
            .await
            .unwrap();
        assert_eq!(docs.0, dossiers);
        assert!(docs.1, "FTS5 integrity-check failed");
    }
    // A finished dossier reads the same through the store (replayed) as the rebuild gives.
    let finished = store
        .read(|db| {
            let id = db.query_one("SELECT id FROM dossiers WHERE finished_at IS NOT NULL ORDER BY id LIMIT 1", &[])?.text(0)?;
            motcua_store::repo::dossiers::get(db, &id)
        })
        .await
        .unwrap()
        .unwrap();
    assert!(finished.finished_at.is_some());
    drop(store);

    let verify = motcua(tmp.path(), &url, &["verify"]);
    assert!(verify.contains(&format!("OK   dossiers: {dossiers} chains")), "{verify}");
    // The inbox counters the load bypassed were refilled to their recount.
    assert!(verify.contains("OK   inbox counters"), "{verify}");
    motcua(tmp.path(), &url, &["rebuild"]);
    let store = open(tmp.path(), &url).await;
    let after = snapshot(&store).await;
    assert!(before.0 == after.0, "rebuild changed the dossiers' projections");
    assert!(before.1 == after.1, "rebuild changed the stored states");
    assert_eq!(before.2, after.2, "rebuild changed the counters");
    assert_eq!(before, after);
}

mod generated_history {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        generated_history_is_what_the_application_writes(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        generated_history_is_what_the_application_writes(Backend::Postgres).await;
    }
}
