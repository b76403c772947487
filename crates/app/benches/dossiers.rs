//! Dossier commands in-process on the real store (SQLite with synchronous=FULL, the
//! default; PostgreSQL when MOTCUA_BENCH_PG_URL is set): counter receptions one at a time
//! and 64 at once, a forward command, and the officer's inbox page over everything filed.
//! `cargo bench -p motcua-app --bench dossiers`.

use motcua_app::auth::{CurrentUser, login};
use motcua_app::usecases::dossiers::{self as uc, ApplicantInput, ComponentInput, ListQuery, NewDossier, Request};
use motcua_app::{AppContext, Config};
use motcua_domain::dossier::Command;
use std::sync::Arc;
use std::time::Instant;

const SEQUENTIAL: usize = 1000;
const CONCURRENT: usize = 5000;
const IN_FLIGHT: usize = 64;

fn input() -> NewDossier {
    NewDossier {
        procedure_code: "1.910203.H40".into(),
        applicant: ApplicantInput {
            name: "Trần Thị Bình".into(), id_number: Some("037192004321".into()), ..Default::default()
        },
        components: ["to_khai", "anh_the", "giay_to_quoc_tich"]
            .iter()
            .map(|k| ComponentInput { key: (*k).into(), provided: true, digitized: true, ..Default::default() })
            .collect(),
        ..Default::default()
    }
}

fn pct(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let p = |x: f64| v[((v.len() as f64 * x) as usize).min(v.len() - 1)];
    (p(0.5), p(0.99))
}

async fn run(name: &str, ctx: AppContext) {
    let clerk: CurrentUser =
        login(&ctx, "tiepnhan", "Motcua@2026", std::net::Ipv4Addr::LOCALHOST.into(), None).await.expect("login").current;
    println!("{name}");
    let mut lat = Vec::with_capacity(SEQUENTIAL);
    let t0 = Instant::now();
    let mut ids = Vec::new();
    for _ in 0..SEQUENTIAL {
        let t = Instant::now();
        let d = uc::create(&ctx, &clerk, input(), None).await.expect("reception");
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        ids.push((d.id, d.version));
    }
    let secs = t0.elapsed().as_secs_f64();
    let (p50, p99) = pct(lat);
    println!(
        "  counter reception, 1 in flight:  {SEQUENTIAL} in {secs:.2} s = {:>6.0}/s   p50 {p50:.2} ms   p99 {p99:.2} ms",
        SEQUENTIAL as f64 / secs
    );

    let limit = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut set = tokio::task::JoinSet::new();
    let t0 = Instant::now();
    for _ in 0..CONCURRENT {
        let (ctx, clerk, limit) = (ctx.clone(), clerk.clone(), limit.clone());
        set.spawn(async move {
            let _p = limit.acquire().await.unwrap();
            let t = Instant::now();
            uc::create(&ctx, &clerk, input(), None).await.expect("reception");
            t.elapsed().as_secs_f64() * 1000.0
        });
    }
    let lat = set.join_all().await;
    let secs = t0.elapsed().as_secs_f64();
    let (p50, p99) = pct(lat);
    println!(
        "  counter reception, {IN_FLIGHT} in flight: {CONCURRENT} in {secs:.2} s = {:>6.0}/s   p50 {p50:.2} ms   p99 {p99:.2} ms",
        CONCURRENT as f64 / secs
    );

    let mut lat = Vec::with_capacity(ids.len());
    for (id, version) in &ids {
        let t = Instant::now();
        uc::command(&ctx, &clerk, id, *version, Request::cmd(Command::Forward { note: None }), None).await.expect("forward");
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p99) = pct(lat);
    println!("  forward (load, decide, append, project, count), 1 in flight: p50 {p50:.2} ms   p99 {p99:.2} ms");

    let specialist =
        login(&ctx, "chuyenvien", "Motcua@2026", std::net::Ipv4Addr::LOCALHOST.into(), None).await.expect("login").current;
    for (who, user) in [("reception officer", &clerk), ("specialist", &specialist)] {
        let mut lat = Vec::new();
        let mut total = 0;
        for _ in 0..200 {
            let t = Instant::now();
            let n = uc::list(&ctx, user, ListQuery { limit: 50, ..Default::default() }).await.expect("inbox").total;
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
            total = n;
        }
        let (p50, p99) = pct(lat);
        println!(
            "  inbox page of 50 + total + due counts ({who}, {total} held of {}): p50 {p50:.2} ms   p99 {p99:.2} ms",
            SEQUENTIAL + CONCURRENT
        );
    }
}

async fn context(tmp: &std::path::Path, url: Option<String>) -> AppContext {
    let mut config = Config { data_dir: tmp.to_path_buf(), database_url: url, seed_demo: true, ..Config::default() };
    // The store and the commands, without rendering forms 01 and 06 (measured on their own:
    // `cargo bench -p motcua-pdf --bench render`).
    config.documents.issue_on_events = false;
    AppContext::open(config).await.expect("context").0
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let tmp = tempfile::tempdir().unwrap();
        let ctx = context(tmp.path(), None).await;
        run("SQLite (WAL, synchronous=FULL)", ctx).await;
        if let Ok(url) = std::env::var("MOTCUA_BENCH_PG_URL") {
            let tmp = tempfile::tempdir().unwrap();
            let ctx = context(tmp.path(), Some(url)).await;
            run("PostgreSQL", ctx).await;
        }
    });
}
