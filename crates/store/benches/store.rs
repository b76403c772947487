//! The store against raw rusqlite on the same filing-shaped transaction (1 dossier row,
//! 3 document rows, 1 audit row; WAL, synchronous=FULL), in one run, printing the ratio.
//!
//! `cargo bench -p motcua-store --bench store` (env: BENCH_TX, BENCH_CONCURRENCY).
//! Set MOTCUA_BENCH_PG_URL=postgres://… to also time the store on PostgreSQL.

use motcua_store::sqlite::SqliteOptions;
use motcua_store::{Db, Location, Store, StoreError, StoreOptions, Value};
use std::time::Instant;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS bench_dossiers (id TEXT PRIMARY KEY, code TEXT NOT NULL, applicant TEXT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS bench_documents (id TEXT PRIMARY KEY, dossier_id TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS bench_audit (id TEXT PRIMARY KEY, dossier_id TEXT NOT NULL, action TEXT NOT NULL, at BIGINT NOT NULL);";

const INSERT_DOSSIER: &str =
    "INSERT INTO bench_dossiers (id, code, applicant, status, created_at) VALUES ($1, $2, $3, 'received', $4)";
const INSERT_DOCUMENT: &str = "INSERT INTO bench_documents (id, dossier_id, name, sha256, size) VALUES ($1, $2, $3, $4, $5)";
const INSERT_AUDIT: &str = "INSERT INTO bench_audit (id, dossier_id, action, at) VALUES ($1, $2, 'dossier.received', $3)";
const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn env_usize(k: &str, d: usize) -> usize {
    std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d)
}

/// The filing through the store's `Db` (the same SQL text serves both engines).
fn filing(db: &mut Db, tag: &str, i: usize) -> Result<(), StoreError> {
    let id = format!("{tag}-{i}");
    db.execute(
        INSERT_DOSSIER,
        &[id.clone().into(), format!("000.00.20.H40-261122-{i:04}").into(), "Nguyễn Văn An".into(), (i as i64).into()],
    )?;
    for d in 0..3 {
        db.execute(
            INSERT_DOCUMENT,
            &[
                format!("{id}-d{d}").into(),
                id.clone().into(),
                "Tờ khai đăng ký khai sinh".into(),
                HASH.into(),
                Value::Int(123_456),
            ],
        )?;
    }
    db.execute(INSERT_AUDIT, &[format!("{id}-a").into(), id.into(), (i as i64).into()])?;
    Ok(())
}

fn raw_rusqlite(path: &std::path::Path, n: usize) -> f64 {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;").unwrap();
    c.execute_batch(SCHEMA).unwrap();
    let q = |s: &str| s.replace('$', "?");
    let (d, doc, a) = (q(INSERT_DOSSIER), q(INSERT_DOCUMENT), q(INSERT_AUDIT));
    let start = Instant::now();
    for i in 0..n {
        let tx = c.unchecked_transaction().unwrap();
        let id = format!("raw-{i}");
        tx.prepare_cached(&d)
            .unwrap()
            .execute(rusqlite::params![id, format!("000.00.20.H40-261122-{i:04}"), "Nguyễn Văn An", i as i64])
            .unwrap();
        for k in 0..3 {
            tx.prepare_cached(&doc)
                .unwrap()
                .execute(rusqlite::params![format!("{id}-d{k}"), id, "Tờ khai đăng ký khai sinh", HASH, 123_456_i64])
                .unwrap();
        }
        tx.prepare_cached(&a).unwrap().execute(rusqlite::params![format!("{id}-a"), id, i as i64]).unwrap();
        tx.commit().unwrap();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn through_store(rt: &tokio::runtime::Runtime, store: &Store, tag: &'static str, n: usize, concurrency: usize) -> f64 {
    rt.block_on(async {
        store.write(|db| db.batch(SCHEMA)).await.unwrap();
        let start = Instant::now();
        let per = n / concurrency;
        let mut tasks = Vec::new();
        for w in 0..concurrency {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for j in 0..per {
                    let i = w * per + j;
                    store.write(move |db| filing(db, tag, i)).await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        (per * concurrency) as f64 / start.elapsed().as_secs_f64()
    })
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing we need.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n = env_usize("BENCH_TX", 4000);
    let concurrency = env_usize("BENCH_CONCURRENCY", 64);
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();

    let raw = raw_rusqlite(&dir.path().join("raw.db"), n);
    let opts = StoreOptions { sqlite: SqliteOptions { synchronous_full: true, readers: 2 }, ..Default::default() };
    let store = Store::open(&Location::Sqlite(dir.path().join("store.db")), opts).unwrap();
    let concurrent = through_store(&rt, &store, "conc", n, concurrency);
    let sequential = through_store(&rt, &store, "seq", n / 4, 1);

    println!("filing-shaped transaction (5 rows), WAL, synchronous=FULL, {n} transactions");
    println!("  raw rusqlite, one commit each          {raw:>9.0} tx/s");
    println!("  store, {concurrency:>3} concurrent writers         {concurrent:>9.0} tx/s   ratio {:.2}", concurrent / raw);
    println!("  store, 1 writer (no grouping possible)  {sequential:>9.0} tx/s   ratio {:.2}", sequential / raw);

    if let Ok(url) = std::env::var("MOTCUA_BENCH_PG_URL") {
        let pg = Store::open(&Location::Postgres(url), StoreOptions::default()).unwrap();
        rt.block_on(pg.write(|db| db.batch("DROP TABLE IF EXISTS bench_dossiers, bench_documents, bench_audit"))).unwrap();
        let pg_conc = through_store(&rt, &pg, "pgc", n, 16.min(concurrency));
        let pg_seq = through_store(&rt, &pg, "pgs", n / 4, 1);
        println!("  PostgreSQL store, 16 writers          {pg_conc:>9.0} tx/s");
        println!("  PostgreSQL store, 1 writer            {pg_seq:>9.0} tx/s");
    }
}
