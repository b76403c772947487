//! The outbound sync to the national portal (issue #15) against the portal simulator on
//! loopback, on both backends: every status of a counter dossier and of an online one
//! arrives in order, create first; a refusal before reception arrives as status 3; 5xx,
//! timeouts and a process restart lose and duplicate nothing and keep the order; a refusal
//! by the portal ends as a dead letter with its Vietnamese reason until an administrator
//! replays it.

use crate::officer_pages::{online_submitted, vn};
use motcua_app::AppContext;
use motcua_app::outbox::{Consumer, Dispatcher, Round};
use motcua_dvcqg::DvcqgConfig;
use motcua_dvcqg::sim::{Faults, Held, Sim, SimConfig};
use motcua_testkit::{Backend, Client, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

const COMMUNE: &str = "1.004873";

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.workers.outbox_max_attempts = 4;
        c.workers.outbox_backoff_base_secs = 1;
        c.workers.outbox_backoff_max_secs = 4;
        c.workers.outbox_lease_secs = 30;
    })
    .await
}

pub(crate) fn sync_config(sim: &Sim) -> DvcqgConfig {
    DvcqgConfig { enabled: true, base_url: sim.url.clone(), timeout_secs: 1, ..Default::default() }
}

pub(crate) fn dispatcher(sim: &Sim, name: &str) -> Dispatcher {
    Dispatcher::new(name).register(Arc::new(motcua_app::dvcqg::Sync::new(&sync_config(sim)).unwrap())).unwrap()
}

/// Rounds until nothing is left to claim, moving the clock to each retry's time.
pub(crate) async fn drain(ctx: &AppContext, d: &Dispatcher) -> Round {
    let mut total = Round::default();
    for _ in 0..200 {
        let r = d.run_once(ctx).await.unwrap();
        total.claimed += r.claimed;
        total.delivered += r.delivered;
        total.retried += r.retried;
        total.dead += r.dead;
        if r.claimed > 0 {
            continue;
        }
        let now = ctx.clock.now_ms();
        let next = ctx
            .store
            .read(move |db| {
                db.query_one(
                    "SELECT MIN(next_attempt_at) FROM outbox WHERE topic = 'dvcqg.sync' AND delivered_at IS NULL \
                     AND dead_at IS NULL AND next_attempt_at > $1",
                    &[now.into()],
                )?
                .opt_i64(0)
            })
            .await
            .unwrap();
        match next {
            Some(t) => ctx.clock.set(t),
            None => return total,
        }
    }
    panic!("the queue never drained: {total:?}");
}

pub(crate) async fn scalar(app: &TestApp, sql: &'static str) -> i64 {
    app.ctx.store.read(move |db| db.query_one(sql, &[])?.i64(0)).await.unwrap()
}

async fn rows_of(app: &TestApp, id: &str) -> i64 {
    let id = id.to_string();
    app.ctx
        .store
        .read(move |db| {
            db.query_one("SELECT COUNT(*) FROM outbox WHERE topic = 'dvcqg.sync' AND dossier_id = $1", &[id.into()])?.i64(0)
        })
        .await
        .unwrap()
}

/// A command a minute after the last one (each progress item has its own instant).
pub(crate) async fn step(app: &TestApp, c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    app.ctx.clock.set(app.ctx.clock.now_ms() + 60_000);
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

pub(crate) async fn counter_received(app: &TestApp) -> Value {
    let clerk = app.login("tiepnhan.hoalu").await;
    let (s, d) = clerk
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": COMMUNE, "summary": "Xác nhận tình trạng hôn nhân để kết hôn",
                "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678"},
                "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d
}

/// The national statuses the simulator kept, consecutive repeats folded.
pub(crate) fn statuses(h: &Held) -> Vec<u8> {
    let mut out: Vec<u8> = h.statuses.iter().map(|(_, s)| *s).collect();
    out.dedup();
    out
}

pub(crate) fn assert_create_then_updates(h: &Held) {
    assert!(!h.dossier.is_empty(), "{h:?}");
    assert!(!h.dossier[0].0, "the first DongBoHoSoMC is a create (isUpdating false)");
    assert!(h.dossier[1..].iter().all(|(u, _)| *u), "then updates only: {:?}", h.dossier.iter().map(|x| x.0).collect::<Vec<_>>());
}

motcua_testkit::both_backends! {
    async fn every_status_of_a_counter_and_an_online_dossier_reaches_the_portal_in_order(app) {
        let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
        let sync = dispatcher(&sim, "w1");
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));

        // At Hoa Lư's counter: received, fee noticed and paid, processed, resolved, returned.
        let d = counter_received(&app).await;
        let code = d["code"].as_str().unwrap().to_string();
        let clerk = app.login("tiepnhan.hoalu").await;
        let d = step(&app, &clerk, &d, "fee-notices", json!({"items": [{"name": "Lệ phí", "amount": 15000}]})).await;
        let d = step(&app, &clerk, &d, "payments", json!({"method": "cash", "receipt_number": "BL-1"})).await;
        let d = step(&app, &clerk, &d, "forward", json!({})).await;
        let d = step(&app, &app.login("chuyenvien.hoalu").await, &d, "forward", json!({})).await;
        let d = step(&app, &app.login("lanhdao.hoalu").await, &d, "resolve", json!({"name": "Giấy xác nhận tình trạng hôn nhân", "number": "12/2026/XNHN"})).await;
        let d = step(&app, &clerk, &d, "return", json!({"method": "counter"})).await;
        assert_eq!(d["national_status"], 10);

        // Online through the citizen API: received, a supplement asked and given, resolved with
        // its signed result, returned by post.
        let citizen = app.login("congdan").await;
        let o = online_submitted(&citizen).await;
        let central = app.login("tiepnhan").await;
        let o = step(&app, &central, &o, "receive", json!({})).await;
        let ocode = o["code"].as_str().unwrap().to_string();
        let o = step(&app, &central, &o, "forward", json!({})).await;
        let specialist = app.login("chuyenvien").await;
        let o = step(&app, &specialist, &o, "supplement-requests", json!({"items": [
            {"component_key": "anh_the", "name": "Ảnh thẻ 3x4", "reason": "Ảnh mờ"}]})).await;
        app.ctx.clock.set(app.ctx.clock.now_ms() + 60_000);
        let (s, o) = crate::dossiers::upload(&citizen, &o, "anh_the", "image/png", "anh.png", motcua_testkit::files::PNG).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        let o = step(&app, &citizen, &o, "supplements", json!({"note": "Đã bổ sung"})).await;
        let o = step(&app, &specialist, &o, "forward", json!({})).await;
        let leader = app.login("lanhdao").await;
        app.ctx.clock.set(app.ctx.clock.now_ms() + 60_000);
        let (s, o) = crate::dossiers::upload(&leader, &o, "result", "application/pdf", "the.pdf", motcua_testkit::files::SIGNED_PDF).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        let o = step(&app, &leader, &o, "resolve", json!({"name": "Thẻ công chứng viên", "number": "15/2026/TCCV"})).await;
        // By post (issue #17): the counter records the address, hands over, the post delivers.
        let o = step(&app, &central, &o, "postal", json!({"result_by_post": true, "address": {"recipient": "Nguyễn Văn An",
            "phone": "0912345678", "commune_code": "000.00.31.H40", "street": "Số 5, đường Trần Hưng Đạo"}})).await;
        let o = step(&app, &central, &o, "post", json!({"tracking_number": "EL123456789VN", "fee": 32000})).await;
        let o = step(&app, &central, &o, "post-delivered", json!({})).await;
        assert_eq!(o["national_status"], 10);

        let queued = scalar(&app, "SELECT COUNT(*) FROM outbox WHERE topic = 'dvcqg.sync'").await;
        let t0 = std::time::Instant::now();
        let r = drain(&app.ctx, &sync).await;
        let took = t0.elapsed();
        assert_eq!((r.delivered as i64, r.retried, r.dead), (queued, 0, 0), "{r:?}");
        eprintln!("dvcqg sync: {queued} rows in {took:?} ({:.0} rows/s, {:?})", queued as f64 / took.as_secs_f64(), app.backend);
        assert_eq!(sim.stats().rejected, 0, "every message passes the simulator's checks: {:?}", sim.stats());

        let h = sim.held(&code).expect("the counter dossier is on the portal");
        assert_eq!(statuses(&h), [2, 6, 2, 4, 9, 10], "{:?}", h.statuses);
        assert_create_then_updates(&h);
        assert_eq!(h.progress.len() as i64, rows_of(&app, d["id"].as_str().unwrap()).await, "one progress item per event");
        let last = &h.dossier.last().unwrap().1;
        assert_eq!((last["MaTTHC"].as_str(), last["KenhThucHien"].as_i64(), last["HinhThuc"].as_i64()), (Some(COMMUNE), Some(1), Some(0)));
        assert_eq!(last["NgayTiepNhan"], "20260302090000");
        assert_eq!(last["DonViXuLy"], "Ủy ban nhân dân phường Hoa Lư");
        assert!(last["MaLinhVuc"].as_str().is_some_and(|c| !c.is_empty()) && last["TenLinhVuc"].as_str().is_some_and(|n| !n.is_empty()), "the sector: {last}");
        assert_eq!((last["ThoiGianGiaiQuyet"].as_i64(), last["DonViTinh"].as_str()), (Some(3), Some("Ngày làm việc")));
        assert_eq!(last["DanhSachLePhi"][0]["Gia"], 15000);
        assert_eq!(last["DanhSachGiayToKetQua"][0]["TenGiayTo"], "Giấy xác nhận tình trạng hôn nhân");
        assert!(last["NgayKetThucXuLy"].is_string() && last["NgayTra"].is_string(), "{last}");
        assert_eq!(h.progress[0]["NguoiXuLy"], "Hoàng Văn Nam", "the counter officer who received it: {}", h.progress[0]);

        let h = sim.held(&ocode).expect("the online dossier is on the portal");
        assert_eq!(statuses(&h), [2, 4, 5, 4, 9, 10], "{:?}", h.statuses);
        assert_create_then_updates(&h);
        assert_eq!(h.progress.len() as i64, rows_of(&app, o["id"].as_str().unwrap()).await);
        let last = &h.dossier.last().unwrap().1;
        assert_eq!((last["KenhThucHien"].as_i64(), last["HinhThuc"].as_i64(), last["ThongTinTra"].as_str()), (Some(2), Some(1), Some("EL123456789VN")));
        let supplement = &last["DanhSachHoSoBoSung"][0];
        assert_eq!((supplement["TrangThaiBoSung"].as_i64(), supplement["NoiDungBoSung"].as_str()), (Some(1), Some("Ảnh thẻ 3x4: Ảnh mờ")));
        assert_eq!(supplement["NguoiYeuCauBoSung"], "Nguyễn Minh Tuấn", "the specialist who asked: {supplement}");
        assert!(last["TaiLieuNop"].as_array().unwrap().len() >= 4, "{last}");
        // The unit's dossiers, as the query service answers them.
        let res = reqwest::Client::new().post(format!("{}/TraCuuHoSo", sim.url)).json(&json!({"DonViXuLy": "Ủy ban nhân dân phường Hoa Lư"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let b: Value = res.json().await.unwrap();
        assert_eq!(b["data"]["TongSo"], 1, "{b}");
        assert_eq!((b["data"]["HoSo"][0]["MaHoSo"].as_str(), b["data"]["HoSo"][0]["TrangThaiHoSo"].as_i64()), (Some(code.as_str()), Some(10)));
        assert_eq!(drain(&app.ctx, &sync).await.claimed, 0, "nothing left");
    }

    async fn a_refusal_before_reception_arrives_as_status_3(app) {
        let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let citizen = app.login("congdan").await;
        let d = online_submitted(&citizen).await;
        let reference = d["filing_reference"].as_str().unwrap().to_string();
        step(&app, &app.login("tiepnhan").await, &d, "refuse", json!({"reasons": ["Không thuộc thẩm quyền"]})).await;
        let r = drain(&app.ctx, &dispatcher(&sim, "w1")).await;
        assert_eq!((r.delivered, r.dead), (1, 0), "{r:?}");
        let h = sim.held(&reference).expect("known by its filing reference");
        assert_eq!(statuses(&h), [3]);
        assert_create_then_updates(&h);
        let item = &h.dossier[0].1;
        assert_eq!((item["MaHoSo"].as_str(), item["KenhThucHien"].as_i64()), (Some(reference.as_str()), Some(2)));
        assert!(item["GhiChu"].as_str().unwrap().contains("Không thuộc thẩm quyền"), "{item}");
        assert!(h.progress[0]["NoiDungXuLy"].as_str().unwrap().starts_with("Từ chối tiếp nhận"), "{:?}", h.progress);
    }
}

async fn faults_and_refusals(app: TestApp) {
    let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
    let sync = dispatcher(&sim, "w1");
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));
    let d = counter_received(&app).await;
    let code = d["code"].as_str().unwrap().to_string();
    let d = step(&app, &app.login("tiepnhan.hoalu").await, &d, "forward", json!({})).await;
    let d = step(&app, &app.login("chuyenvien.hoalu").await, &d, "forward", json!({})).await;
    assert_eq!(rows_of(&app, d["id"].as_str().unwrap()).await, 3);

    // 5xx for the next 3 calls: one row of the dossier at a time, retried after back-off.
    sim.set_faults(Faults { fail_next: 3, ..Default::default() });
    let r = sync.run_once(&app.ctx).await.unwrap();
    assert_eq!((r.claimed, r.retried), (1, 1), "only the dossier's first row is claimed: {r:?}");
    let r = sync.run_once(&app.ctx).await.unwrap();
    assert_eq!(r.claimed, 0, "its later rows wait behind it, the first waits for its retry: {r:?}");
    assert!(sim.held(&code).is_none());
    let last_error = scalar(&app, "SELECT COUNT(*) FROM outbox WHERE topic = 'dvcqg.sync' AND last_error LIKE '%503%'").await;
    assert_eq!(last_error, 1);
    let r = drain(&app.ctx, &sync).await;
    assert_eq!((r.delivered, r.dead), (3, 0), "{r:?}");
    assert_eq!(sim.stats().faults_served, 3);
    let h = sim.held(&code).unwrap();
    assert_eq!(statuses(&h), [2, 4]);
    assert_eq!(h.progress.len(), 3, "each event once: {:?}", h.progress);
    assert_create_then_updates(&h);

    // An answer later than the client's timeout: kept by the portal, sent again, kept once.
    sim.set_faults(Faults { delay_next: 1, delay_ms: 1_500, ..Default::default() });
    let d =
        step(&app, &app.login("lanhdao.hoalu").await, &d, "resolve", json!({"name": "Giấy xác nhận tình trạng hôn nhân"})).await;
    let r = drain(&app.ctx, &sync).await;
    assert_eq!((r.delivered, r.retried, r.dead), (1, 1, 0), "{r:?}");
    assert!(sim.stats().duplicates >= 1, "the repeat was recognised: {:?}", sim.stats());
    let h = sim.held(&code).unwrap();
    assert_eq!(statuses(&h), [2, 4, 9]);
    assert_eq!(h.progress.len(), 4, "no duplicate record: {:?}", h.progress);
    assert_eq!(h.dossier.iter().filter(|(_, x)| x["TrangThaiHoSo"] == 9).count(), 1);

    // A broken answer and a message taken twice by the portal: still once each.
    sim.set_faults(Faults { drop_next: 1, duplicate_next: 1, ..Default::default() });
    step(&app, &app.login("tiepnhan.hoalu").await, &d, "return", json!({"method": "counter"})).await;
    let r = drain(&app.ctx, &sync).await;
    assert_eq!((r.delivered, r.dead), (1, 0), "{r:?}");
    let h = sim.held(&code).unwrap();
    assert_eq!(statuses(&h), [2, 4, 9, 10]);
    assert_eq!(h.progress.len(), 5, "{:?}", h.progress);

    // The portal refuses a procedure missing from its catalog: three attempts, then a dead
    // letter with the portal's reason; the dossier's later rows wait behind it.
    sim.set_procedure_known(COMMUNE, false);
    let e = counter_received(&app).await;
    let ecode = e["code"].as_str().unwrap().to_string();
    step(&app, &app.login("tiepnhan.hoalu").await, &e, "forward", json!({})).await;
    let r = drain(&app.ctx, &sync).await;
    assert_eq!((r.claimed, r.retried, r.dead, r.delivered), (4, 3, 1, 0), "{r:?}");
    assert!(sim.held(&ecode).is_none());
    let admin = app.login("admin").await;
    let (s, q) = admin.get("/api/v1/outbox").await;
    assert_eq!(s, StatusCode::OK, "{q}");
    let dead = q["dead_letters"].as_array().unwrap().iter().find(|x| x["dossier_id"] == e["id"]).expect("a dead letter").clone();
    let reason = dead["last_error"].as_str().unwrap();
    assert!(reason.starts_with("Cổng DVCQG từ chối (400 unknown_procedure)"), "{reason}");
    assert!(reason.contains("không có trong Cơ sở dữ liệu quốc gia về thủ tục hành chính"), "{reason}");
    let topic = q["topics"].as_array().unwrap().iter().find(|t| t["topic"] == "dvcqg.sync").unwrap().clone();
    assert_eq!((topic["pending"].as_i64(), topic["dead"].as_i64()), (Some(1), Some(1)), "the forward waits: {q}");

    // Fixed on the portal's side; the administrator replays it: both arrive, in order.
    sim.set_procedure_known(COMMUNE, true);
    let (s, b) = admin.post(&format!("/api/v1/outbox/{}/retry", dead["id"].as_str().unwrap()), json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let r = drain(&app.ctx, &sync).await;
    assert_eq!((r.delivered, r.dead), (2, 0), "{r:?}");
    let h = sim.held(&ecode).unwrap();
    assert_eq!(statuses(&h), [2, 4]);
    assert_create_then_updates(&h);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM outbox WHERE topic = 'dvcqg.sync' AND delivered_at IS NULL").await, 0);
}

/// 5xx and timeouts are retried one row of a dossier at a time, kept once; a refusal waits
/// as a dead letter (holding the dossier's later rows) until replayed.
mod faults_are_retried_in_order_and_a_refusal_waits_as_a_dead_letter_until_replayed {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        faults_and_refusals(spawn(Backend::Sqlite).await).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        faults_and_refusals(spawn(Backend::Postgres).await).await;
    }
}

motcua_testkit::both_backends! {
    async fn a_restart_between_queuing_and_sending_loses_and_duplicates_nothing(app) {
        let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let d = counter_received(&app).await;
        let code = d["code"].as_str().unwrap().to_string();
        let d = step(&app, &app.login("tiepnhan.hoalu").await, &d, "forward", json!({})).await;
        step(&app, &app.login("chuyenvien.hoalu").await, &d, "forward", json!({})).await;

        // The first process claims the first row and sends it, then dies before marking it
        // delivered (its lease stays until it runs out).
        let now = app.ctx.clock.now_ms();
        let claimed = app
            .ctx
            .store
            .write(move |db| motcua_store::repo::outbox::claim(db, &["dvcqg.sync"], "dead", now, now + 30_000, 10))
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1, "one row of the dossier at a time");
        let consumer = motcua_app::dvcqg::Sync::new(&sync_config(&sim)).unwrap();
        consumer.handle(&app.ctx, &claimed[0]).await.unwrap();
        assert_eq!(sim.held(&code).unwrap().progress.len(), 1);

        // A new process on the same database, once the lease ran out: every row, once.
        let (restarted, _) = AppContext::open((*app.ctx.config).clone()).await.unwrap();
        restarted.clock.set(now + 10_000);
        let sync = dispatcher(&sim, "w2");
        assert_eq!(sync.run_once(&restarted).await.unwrap().claimed, 0, "the dead process's lease still holds");
        restarted.clock.set(now + 31_000);
        let r = drain(&restarted, &sync).await;
        assert_eq!((r.delivered, r.dead), (3, 0), "{r:?}");
        let h = sim.held(&code).unwrap();
        assert_eq!(statuses(&h), [2, 4]);
        assert_eq!(h.progress.len(), 3, "the row sent before the restart is kept once: {:?}", h.progress);
        // Its two messages came twice; and the second forward's DongBoHoSoMC says nothing the
        // first did not (same status, same fields): acknowledged, not kept again either.
        assert_eq!(sim.stats().duplicates, 3, "{:?}", sim.stats());
        assert_eq!(h.dossier.len(), 2, "{:?}", h.dossier);
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM outbox WHERE topic = 'dvcqg.sync' AND delivered_at IS NULL").await, 0);
    }
}

/// `motcua serve`'s workers (`deadlines::start`) send the rows once `[dvcqg] enabled`.
async fn serve_workers(backend: Backend) {
    let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
    let url = sim.url.clone();
    let app = TestApp::spawn_with(backend, move |c| {
        c.workers.outbox_poll_ms = 20;
        c.dvcqg = DvcqgConfig { enabled: true, base_url: url, timeout_secs: 2, ..Default::default() };
    })
    .await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    motcua_app::deadlines::start(&app.ctx, stopped).unwrap();
    let d = counter_received(&app).await;
    let code = d["code"].as_str().unwrap().to_string();
    let mut held = None;
    for _ in 0..250 {
        held = sim.held(&code).filter(|h| h.progress.len() == 1);
        if held.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let _ = stop.send(true);
    let h = held.expect("the running workers synced the reception");
    assert_eq!(statuses(&h), [2]);
}

mod the_running_workers_sync_when_enabled {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        serve_workers(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        serve_workers(Backend::Postgres).await;
    }
}
