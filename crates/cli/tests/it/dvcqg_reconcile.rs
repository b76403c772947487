//! The national-portal reconciliation (issue #15) against the portal simulator, on both
//! backends: over a generated month, what motcua reports as received (its KPI counters,
//! indicator 1.4's inputs) equals what the portal holds, unit by unit; an update the portal
//! acknowledged and lost, and a create it lost (whose later rows then die as dead letters),
//! are found, sent again in order and repaired; the daily run comes once a day from its
//! hour; the page shows the report and refuses a bad period in Vietnamese.

use crate::browser::Browser;
use crate::dvcqg::{assert_create_then_updates, counter_received, dispatcher, drain, scalar, statuses, step, sync_config};
use crate::officer_pages::vn;
use motcua_dvcqg::sim::{Faults, Sim, SimConfig};
use motcua_testkit::{Backend, Client, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A province-level procedure received at the province's centre (another unit than Hoa Lư).
const PROVINCE: &str = "1.910203.H40";

async fn spawn(backend: Backend, sim: &Sim) -> TestApp {
    let cfg = sync_config(sim);
    TestApp::spawn_with(backend, move |c| {
        c.dvcqg = cfg;
        c.workers.outbox_max_attempts = 3;
        c.workers.outbox_backoff_base_secs = 1;
        c.workers.outbox_backoff_max_secs = 4;
        c.workers.outbox_lease_secs = 30;
    })
    .await
}

async fn province_received(clerk: &Client) -> Value {
    let (s, d) = clerk
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": PROVINCE, "summary": "Cấp lại thẻ",
                "applicant": {"name": "Trần Thị Bình", "id_number": "037092004321", "phone": "0912000111"},
                "components": [{"key": "to_khai", "provided": true}, {"key": "anh_the", "provided": true},
                               {"key": "giay_to_quoc_tich", "provided": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d
}

async fn reconcile(admin: &Client, from: &str, to: &str) -> Value {
    let (s, b) = admin.post("/api/v1/dvcqg/reconciliations", json!({"from": from, "to": to})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b
}

fn unit<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["report"]["units"].as_array().unwrap().iter().find(|u| u["unit"] == name).unwrap_or_else(|| panic!("no unit {name}: {r}"))
}

/// A month reported equals what was synced; lost messages are found and sent again.
async fn month(backend: Backend) {
    let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
    let app = spawn(backend, &sim).await;
    let sync = dispatcher(&sim, "w1");
    let commune_clerk = app.login("tiepnhan.hoalu").await;
    let centre_clerk = app.login("tiepnhan").await;

    // The month: every weekday of March 2026 a counter reception at Hoa Lư, every Monday one
    // at the province's centre; one on the last day of February and one on 1 April (outside).
    app.ctx.clock.set(vn("2026-02-27T09:00:00"));
    let before = counter_received(&app).await;
    let mut commune = Vec::new();
    let mut centre = Vec::new();
    for day in 2..=31 {
        let date: jiff::civil::Date = format!("2026-03-{day:02}").parse().unwrap();
        if date.weekday().to_monday_one_offset() > 5 {
            continue;
        }
        app.ctx.clock.set(vn(&format!("2026-03-{day:02}T09:00:00")));
        commune.push(counter_received(&app).await);
        if date.weekday() == jiff::civil::Weekday::Monday {
            centre.push(province_received(&centre_clerk).await);
        }
    }
    // Some go on through their life: forwarded, resolved, returned.
    app.ctx.clock.set(vn("2026-03-31T14:00:00"));
    let mut last = Vec::new();
    for d in commune.iter().take(3) {
        let d = step(&app, &commune_clerk, d, "forward", json!({})).await;
        let d = step(&app, &app.login("chuyenvien.hoalu").await, &d, "forward", json!({})).await;
        let d = step(&app, &app.login("lanhdao.hoalu").await, &d, "resolve", json!({"name": "Giấy xác nhận", "number": "1/XN"}))
            .await;
        last.push(d);
    }
    app.ctx.clock.set(vn("2026-04-01T09:00:00"));
    let after = counter_received(&app).await;
    let r = drain(&app.ctx, &sync).await;
    assert_eq!((r.retried, r.dead), (0, 0), "{r:?}");
    assert!(sim.held(before["code"].as_str().unwrap()).is_some() && sim.held(after["code"].as_str().unwrap()).is_some());

    // What motcua reports for March equals what the portal holds, per unit.
    let admin = app.login("admin").await;
    let r = reconcile(&admin, "2026-03-01", "2026-03-31").await;
    let report = &r["report"];
    assert_eq!(report["differences_total"], 0, "{r}");
    assert_eq!(report["resent"], 0);
    assert_eq!(report["partial"], false, "{r}");
    let hoa_lu = unit(&r, "Ủy ban nhân dân phường Hoa Lư");
    assert_eq!(
        (hoa_lu["received"].as_u64(), hoa_lu["portal_received"].as_u64()),
        (Some(commune.len() as u64), Some(commune.len() as u64)),
        "{hoa_lu}"
    );
    assert_eq!((hoa_lu["motcua"].as_u64(), hoa_lu["matched"].as_u64()), (Some(commune.len() as u64), Some(commune.len() as u64)));
    let total = (commune.len() + centre.len()) as i64;
    assert_eq!((report["received"].as_i64(), report["portal_received"].as_i64()), (Some(total), Some(total)), "{r}");
    let centre_unit = sim.held(centre[0]["code"].as_str().unwrap()).unwrap().agency_name;
    let c = unit(&r, &centre_unit);
    assert_eq!(
        (c["received"].as_u64(), c["portal_received"].as_u64()),
        (Some(centre.len() as u64), Some(centre.len() as u64)),
        "{c}"
    );
    assert_eq!(r["indicator_1_4"]["ratio_percent"], 100.0, "{r}");
    assert_eq!(r["indicator_1_4"]["points"], 6.0);
    // The KPI counters motcua reports from (what goes to the national reporting system).
    let (s, kpi) = admin.get("/api/v1/kpi?from=2026-03-01&to=2026-03-31").await;
    assert_eq!(s, StatusCode::OK, "{kpi}");
    assert_eq!(kpi["received"].as_i64(), Some(total), "the reported count is the synced count: {kpi}");

    // The portal acknowledges and loses an update (both messages of a resolution's return) ...
    sim.set_faults(Faults { lose_next: 2, ..Default::default() });
    app.ctx.clock.set(vn("2026-04-02T09:00:00"));
    let returned = step(&app, &commune_clerk, &last[0], "return", json!({"method": "counter"})).await;
    assert_eq!(returned["national_status"], 10);
    let r = drain(&app.ctx, &sync).await;
    assert_eq!((r.delivered, r.dead), (1, 0), "acknowledged: {r:?}");
    // ... and a late-registered March dossier's create: its next update is then refused as
    // unknown until it dies as a dead letter.
    sim.set_faults(Faults { lose_next: 2, ..Default::default() });
    app.ctx.clock.set(vn("2026-03-31T16:00:00"));
    let lost = counter_received(&app).await;
    let lost_code = lost["code"].as_str().unwrap().to_string();
    step(&app, &commune_clerk, &lost, "forward", json!({})).await;
    let r = drain(&app.ctx, &sync).await;
    assert_eq!((r.delivered, r.dead), (1, 1), "the update of a dossier the portal lost: {r:?}");
    assert!(sim.held(&lost_code).is_none());
    let returned_code = returned["code"].as_str().unwrap();
    assert_eq!(sim.held(returned_code).unwrap().status, 9, "the portal still has the resolution");

    let r = reconcile(&admin, "2026-03-01", "2026-03-31").await;
    let report = &r["report"];
    assert_eq!((report["differences_total"].as_i64(), report["resent"].as_i64()), (Some(2), Some(2)), "{r}");
    let diffs = report["differences"].as_array().unwrap();
    let behind = diffs.iter().find(|d| d["national_id"] == returned_code).unwrap();
    assert_eq!(
        (behind["kind"].as_str(), behind["motcua_status"].as_i64(), behind["portal_status"].as_i64()),
        (Some("behind"), Some(10), Some(9))
    );
    let missing = diffs.iter().find(|d| d["national_id"] == lost_code.as_str()).unwrap();
    assert_eq!(
        (missing["kind"].as_str(), missing["dead_letters"].as_i64(), missing["resent"].as_bool()),
        (Some("missing"), Some(1), Some(true))
    );
    // As found: one more received on motcua's side than on the portal.
    assert_eq!((report["received"].as_i64(), report["portal_received"].as_i64()), (Some(total + 1), Some(total)));
    assert!(r["indicator_1_4"]["ratio_percent"].as_f64().unwrap() < 100.0, "{r}");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM outbox WHERE topic = 'dvcqg.sync' AND dead_at IS NOT NULL").await,
        0,
        "the dead letter is back in the queue"
    );

    // Sent again: in order, create first, and nothing twice.
    let r = drain(&app.ctx, &sync).await;
    assert_eq!((r.dead, r.retried), (0, 0), "{r:?}");
    let h = sim.held(&lost_code).expect("repaired");
    assert_eq!(statuses(&h), [2, 4], "{:?}", h.statuses);
    assert_create_then_updates(&h);
    let h = sim.held(returned_code).unwrap();
    assert_eq!(statuses(&h), [2, 4, 9, 10], "{:?}", h.statuses);
    assert_eq!(h.progress.len(), 5, "one progress item per event, none twice: {:?}", h.statuses);
    let r = reconcile(&admin, "2026-03-01", "2026-03-31").await;
    assert_eq!(r["report"]["differences_total"], 0, "{r}");
    assert_eq!((r["report"]["received"].as_i64(), r["report"]["portal_received"].as_i64()), (Some(total + 1), Some(total + 1)));
    assert_eq!(r["indicator_1_4"]["ratio_percent"], 100.0);

    // The page: the latest report, the runs, and a bad period refused in Vietnamese.
    let b = Browser::login(&app, "admin").await;
    let p = b.get("/quan-tri/dong-bo-dvcqg").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("id=\"indicator-1-4\"") && p.body.contains("100.00 %"), "{}", p.body);
    assert_eq!(p.body.matches("<tr><td data-label=\"Kỳ\">").count(), 3, "three runs listed");
    assert!(p.body.contains("href=\"/quan-tri/dong-bo-dvcqg\""), "in the menu");
    let csrf = p.csrf();
    let form = |from: &str, to: &str| vec![("csrf_token", csrf.clone()), ("from", from.to_string()), ("to", to.to_string())];
    let p = b.post("/quan-tri/dong-bo-dvcqg/doi-soat", &form("2026-03-31", "2026-03-01")).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Kỳ đối soát phải từ 1 đến 400 ngày"), "{}", p.body);
    let p = b.post("/quan-tri/dong-bo-dvcqg/doi-soat", &form("31/03/2026", "2026-03-31")).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Nhập ngày theo dạng năm-tháng-ngày"), "{}", p.body);
    let p = b.post("/quan-tri/dong-bo-dvcqg/doi-soat", &form("2026-03-01", "2026-03-31")).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(p.location().starts_with("/quan-tri/dong-bo-dvcqg?run="), "{}", p.location());
    assert!(b.get(p.location()).await.body.contains("Không có chênh lệch."));
    // Only the province's administrators.
    let (s, _) = app
        .login("admin.hoalu")
        .await
        .post("/api/v1/dvcqg/reconciliations", json!({"from": "2026-03-01", "to": "2026-03-31"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn month_sqlite() {
    month(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn month_postgres() {
    month(Backend::Postgres).await;
}

async fn daily(backend: Backend) {
    let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
    let app = spawn(backend, &sim).await;
    app.ctx.clock.set(vn("2026-03-09T09:00:00"));
    counter_received(&app).await;
    drain(&app.ctx, &dispatcher(&sim, "w1")).await;
    use motcua_app::usecases::reconciliation::daily;
    // Before its hour (02:00 local) nothing runs; from it, once that day.
    app.ctx.clock.set(vn("2026-03-10T01:59:00"));
    assert!(daily(&app.ctx).await.unwrap().is_none());
    app.ctx.clock.set(vn("2026-03-10T02:00:00"));
    let r = daily(&app.ctx).await.unwrap().expect("due");
    assert_eq!(
        (r.run.period_from, r.run.period_to),
        (vn("2025-12-10T00:00:00"), vn("2026-03-10T00:00:00")),
        "the last 90 days to yesterday"
    );
    assert_eq!(r.run.started_by, None);
    assert_eq!((r.report.received, r.report.portal_received, r.report.differences_total), (1, 1, 0));
    app.ctx.clock.set(vn("2026-03-10T23:00:00"));
    assert!(daily(&app.ctx).await.unwrap().is_none(), "once a day");
    app.ctx.clock.set(vn("2026-03-11T02:30:00"));
    assert!(daily(&app.ctx).await.unwrap().is_some(), "the next day");
    // Off: never.
    let off = TestApp::spawn(backend).await;
    off.ctx.clock.set(vn("2026-03-11T03:00:00"));
    assert!(daily(&off.ctx).await.unwrap().is_none());
    let (s, b) =
        off.login("admin").await.post("/api/v1/dvcqg/reconciliations", json!({"from": "2026-03-01", "to": "2026-03-31"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("dvcqg_disabled")), "{b}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_sqlite() {
    daily(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_postgres() {
    daily(Backend::Postgres).await;
}

/// The page in a real Chromium (both languages, with a dead letter and a report), checked
/// with axe: a dead letter put back with its button, then a reconciliation run from the form.
/// One backend: the page reads through the same use cases as the API tested on both above.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_page_passes_axe_and_its_buttons_work() {
    use motcua_testkit::browser::Browser as Chromium;
    let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
    let app = spawn(Backend::Sqlite, &sim).await;
    let sync = dispatcher(&sim, "w1");
    app.ctx.clock.set(vn("2026-03-09T09:00:00"));
    let d = counter_received(&app).await;
    // The portal does not know the procedure: the row dies as a dead letter.
    sim.set_procedure_known("1.004873", false);
    assert_eq!(drain(&app.ctx, &sync).await.dead, 1);
    app.ctx.clock.set(vn("2026-03-20T09:00:00"));
    let b = Chromium::start(&app).await;
    b.login("admin").await;
    b.open("/quan-tri/dong-bo-dvcqg").await;
    b.axe().await;
    assert_eq!(b.by_id("sync-dead").await.text().await.unwrap(), "1");
    assert!(
        b.by_id("dead-letters")
            .await
            .text()
            .await
            .unwrap()
            .contains("không có trong Cơ sở dữ liệu quốc gia về thủ tục hành chính"),
        "{}",
        b.main_text().await
    );
    // Known again: the button puts the row back; the queue delivers it.
    sim.set_procedure_known("1.004873", true);
    assert_eq!(b.click_text("Gửi lại").await, "/quan-tri/dong-bo-dvcqg");
    assert_eq!(b.by_id("sync-dead").await.text().await.unwrap(), "0");
    assert_eq!(drain(&app.ctx, &sync).await.delivered, 1);
    assert!(sim.held(d["code"].as_str().unwrap()).is_some());
    // The form's default period (the last 30 days) covers the dossier.
    b.click_to("Đối soát ngay", "/quan-tri/dong-bo-dvcqg?run=").await;
    b.axe().await;
    let report = b.by_id("report").await.text().await.unwrap();
    assert!(report.contains("1/1 = 100.00 %") && report.contains("Không có chênh lệch."), "{report}");
    b.open("/quan-tri/dong-bo-dvcqg?lang=en").await;
    b.axe().await;
    assert!(b.main_text().await.contains("Indicator 1.4"));
    b.quit().await;
}
