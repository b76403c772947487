//! Catalog search at 2,000 procedures, in-process: latency of one search (the page of 20
//! and the total count) for typical queries, on SQLite (and PostgreSQL when
//! MOTCUA_BENCH_PG_URL is set). `cargo bench -p motcua-app --bench catalog_search`.

use motcua_app::usecases::catalog::{CatalogQuery, add_version_in, filter_of};
use motcua_domain::catalog::{Level, OnlineLevel, ProcedureSpec};
use motcua_store::repo::catalog::search;
use motcua_store::{Location, Store, StoreError, StoreOptions, migrate};
use std::time::Instant;

const N: usize = 2000;
const RUNS: usize = 400;

fn load(store: &Store) {
    let demo: Vec<ProcedureSpec> = serde_json::from_str(motcua_app::seed::DEMO_CATALOG).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(migrate::run(store)).unwrap();
    store
        .write_blocking(move |db| {
            for i in 0..N {
                let mut s = demo[i % demo.len()].clone();
                s.code = format!("{}.B{i}", s.code.split('.').take(2).collect::<Vec<_>>().join("."));
                add_version_in(db, None, s, Some(0), 0).map_err(|e| StoreError::Backend(e.to_string()))?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
}

fn queries() -> Vec<(&'static str, CatalogQuery)> {
    let q = |t: &str| CatalogQuery { q: Some(t.into()), at_ms: Some(1), limit: 20, ..Default::default() };
    vec![
        ("unaccented 'dang ky ho kinh doanh'", q("dang ky ho kinh doanh")),
        ("accented 'Đăng ký khai sinh'", q("Đăng ký khai sinh")),
        ("upper case 'CHỨNG THỰC'", q("CHỨNG THỰC")),
        ("prefix 'giay phep xay'", q("giay phep xay")),
        ("no match 'xyzzy'", q("xyzzy")),
        (
            "no words, commune level",
            CatalogQuery { level: Some(Level::Commune), at_ms: Some(1), limit: 20, ..Default::default() },
        ),
        (
            "'cap' + fully online",
            CatalogQuery {
                q: Some("cap".into()),
                online_level: Some(OnlineLevel::Full),
                at_ms: Some(1),
                limit: 20,
                ..Default::default()
            },
        ),
    ]
}

fn measure(name: &str, store: &Store) {
    println!("{name}: {N} procedures, {RUNS} runs per query (page of 20 + total count)");
    for (label, q) in queries() {
        let f = filter_of(q);
        let mut times = Vec::with_capacity(RUNS);
        let mut total = 0;
        for _ in 0..RUNS {
            let f = f.clone();
            let t = Instant::now();
            let (_, n) = store.read_blocking(move |db| search(db, &f)).unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            total = n;
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let p = |x: f64| times[((times.len() as f64 * x) as usize).min(times.len() - 1)];
        println!(
            "  {label:<38} hits {total:>5}   p50 {:>6.3} ms   p99 {:>6.3} ms   max {:>6.3} ms",
            p(0.5),
            p(0.99),
            times[times.len() - 1]
        );
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open(&Location::Sqlite(dir.path().join("bench.db")), StoreOptions::default()).unwrap();
    load(&sqlite);
    measure("SQLite", &sqlite);
    if let Ok(url) = std::env::var("MOTCUA_BENCH_PG_URL") {
        let pg = Store::open(&Location::Postgres(url), StoreOptions::default()).unwrap();
        load(&pg);
        measure("PostgreSQL", &pg);
    }
}
