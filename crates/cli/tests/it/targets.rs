//! Targets per unit and period (issue #16), on both backends: Sở Tư pháp's leader sets
//! targets and reads their progress from a small real history (counter receptions of a
//! province procedure it is competent for); out of scope, out of range, unknown metrics and
//! supervisors are refused with nothing written; a commune administrator sets one for the
//! commune. A target at risk is alerted once to the unit's leader, who finds it in the
//! notifications. The page passes axe and sets a target through its form (Chromium, SQLite).

use crate::officer_pages::vn;
use motcua_testkit::browser::{Browser, By, Viewport};
use motcua_testkit::{Backend, Client, TestApp, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Thẻ công chứng viên (cấp lại): province level, Sở Tư pháp competent.
const PROVINCE: &str = "1.910203.H40";
const STP: &str = "000.00.01.H40";
const HOA_LU: &str = "000.00.31.H40";

async fn counter_received(clerk: &Client) {
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
}

async fn put(c: &Client, unit: &str, metric: &str, percent: Value) -> (StatusCode, Value) {
    c.send(
        Method::PUT,
        "/api/v1/targets",
        Some(json!({"unit": unit, "period": "2026-03", "metric": metric, "target_percent": percent})),
    )
    .await
}

fn target<'a>(b: &'a Value, metric: &str) -> &'a Value {
    b["targets"].as_array().unwrap().iter().find(|t| t["metric"] == metric).unwrap_or_else(|| panic!("no {metric}: {b}"))
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    app.ctx.store.read(move |db| db.query_one(sql, &[])?.i64(0)).await.unwrap()
}

both_backends! {
    async fn targets_progress_scope_validation_and_alerts(app) {
        // Ten counter receptions at the province's centre in early March 2026 (none online).
        let clerk = app.login("tiepnhan").await;
        for day in 2..=6 {
            app.ctx.clock.set(vn(&format!("2026-03-{day:02}T09:00:00")));
            counter_received(&clerk).await;
            counter_received(&clerk).await;
        }
        // 12 March: more than a third of the month has gone.
        app.ctx.clock.set(vn("2026-03-12T09:00:00"));
        let leader = app.login("lanhdao").await;
        let (s, b) = put(&leader, STP, "online_share", json!(50)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!((b["metric"].as_str(), b["target_percent"].as_f64(), b["unit"]["code"].as_str()), (Some("online_share"), Some(50.0), Some(STP)));
        let (s, b) = put(&leader, STP, "on_time", json!(90)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b) = put(&leader, STP, "satisfaction", json!(92.5)).await;
        assert_eq!(s, StatusCode::OK, "{b}");

        // Progress from the counters: 0 of 10 online (at risk), no rating yet, and the on-time
        // rate is the index's indicator 2.1.
        let (s, b) = leader.get(&format!("/api/v1/targets?unit={STP}&period=2026-03")).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!((b["elapsed_days"].as_i64(), b["total_days"].as_i64()), (Some(12), Some(31)));
        let online = target(&b, "online_share");
        assert_eq!((online["numerator"].as_i64(), online["denominator"].as_i64()), (Some(0), Some(10)), "{online}");
        assert_eq!((online["actual_percent"].as_f64(), online["status"].as_str()), (Some(0.0), Some("at_risk")), "{online}");
        assert_eq!(online["name_vi"], "Tỷ lệ hồ sơ trực tuyến");
        let sat = target(&b, "satisfaction");
        assert_eq!((sat["target_percent"].as_f64(), sat["status"].as_str(), sat["actual_percent"].as_f64()), (Some(92.5), Some("no_data"), None));
        let (s, index) = leader.get(&format!("/api/v1/index?unit={STP}&period=2026-03")).await;
        assert_eq!(s, StatusCode::OK, "{index}");
        let i21 = index["indicators"].as_array().unwrap().iter().find(|i| i["id"] == "2.1").unwrap();
        let on_time = target(&b, "on_time");
        assert_eq!((on_time["numerator"].as_i64(), on_time["denominator"].as_i64()), (i21["numerator"].as_i64(), i21["denominator"].as_i64()));
        assert_eq!(on_time["denominator"].as_i64(), Some(10), "{on_time}");

        // Refused, nothing written: a commune (out of scope), out of range, unknown metric.
        let before = app.count("targets").await;
        let (s, e) = put(&leader, HOA_LU, "online_share", json!(50)).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("unit_out_of_scope")), "{e}");
        for (metric, percent, code) in [("online_share", json!(120), "invalid_target"), ("online_share", json!(-5), "invalid_target"),
            ("online_share", json!(0), "invalid_target"), ("happiness", json!(50), "unknown_metric")] {
            let (s, e) = put(&leader, STP, metric, percent.clone()).await;
            assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{metric} {percent}: {e}");
            assert!(e["message_vi"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
        }
        let (s, e) = leader.send(Method::PUT, "/api/v1/targets", Some(json!({"unit": STP, "period": "2026-13", "metric": "on_time", "target_percent": 50}))).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_period")), "{e}");
        assert_eq!(target(&leader.get(&format!("/api/v1/targets?unit={STP}&period=2026-03")).await.1, "online_share")["target_percent"], 50.0);
        assert_eq!(app.count("targets").await, before);

        // The supervisor reads the province's targets, with Sở Tư pháp behind; may not set.
        let sup = app.login("giamsat").await;
        let (s, b) = sup.get("/api/v1/targets?period=2026-03").await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let stp = b["sub_units"].as_array().unwrap().iter().find(|u| u["unit"]["code"] == STP).unwrap_or_else(|| panic!("{b}"));
        assert_eq!((stp["behind"].as_bool(), stp["targets"].as_array().map(Vec::len)), (Some(true), Some(3)), "{stp}");
        // Its page flags the unit falling behind, and has no form to set a target.
        let (s, page) = sup.get("/can-bo/chi-tieu?period=2026-03").await;
        assert_eq!(s, StatusCode::OK);
        let page = page.as_str().unwrap().to_string();
        assert!(page.contains("Sở Tư pháp tỉnh Ninh Bình") && page.contains("Chậm tiến độ"), "{page}");
        assert!(!page.contains("Đặt chỉ tiêu") && !page.contains("name=\"target_percent\""), "read-only: {page}");
        let (s, e) = put(&sup, STP, "online_share", json!(60)).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{e}");
        let (s, _) = sup.send(Method::DELETE, &format!("/api/v1/targets?unit={STP}&period=2026-03&metric=on_time"), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Officers without the indicators read nothing.
        let (s, _) = clerk.get("/api/v1/targets?period=2026-03").await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // A commune administrator sets Hoa Lư's.
        let hl = app.login("admin.hoalu").await;
        let (s, b) = put(&hl, HOA_LU, "digitization", json!(80)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, b) = hl.get("/api/v1/targets?period=2026-03").await;
        assert_eq!((b["unit"]["code"].as_str(), target(&b, "digitization")["status"].as_str()), (Some(HOA_LU), Some("no_data")), "{b}");
        let (s, e) = put(&hl, STP, "digitization", json!(80)).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("unit_out_of_scope")), "{e}");

        // The page's forms (with the session's CSRF token): an unknown metric comes back in the
        // form with its message, nothing written; the delete button removes the target.
        let web = crate::browser::Browser::login(&app, "admin.hoalu").await;
        let page = web.get("/can-bo/chi-tieu?period=2026-03").await;
        assert_eq!(page.status, StatusCode::OK);
        let hl_id = app.agency_id(HOA_LU).await;
        let form = |metric: &str, percent: &str| {
            vec![("csrf_token", page.csrf()), ("unit", hl_id.clone()), ("period", "2026-03".to_string()),
                ("metric", metric.to_string()), ("target_percent", percent.to_string())]
        };
        let r = web.post("/can-bo/chi-tieu", &form("happiness", "50")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Chỉ tiêu không được hỗ trợ") && r.body.contains("href=\"#t-metric\""), "{}", r.body);
        let r = web.post("/can-bo/chi-tieu", &form("digitization", "-5")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("lớn hơn 0 %"), "{}", r.body);
        assert_eq!(app.count("targets").await, before + 1);
        let r = web.post("/can-bo/chi-tieu/xoa", &form("digitization", "")).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("/can-bo/chi-tieu?unit={hl_id}&period=2026-03").as_str()));
        assert!(web.get(r.location()).await.body.contains("id=\"no-targets\""));
        assert_eq!(app.count("targets").await, before);

        // Deleted: gone from the list (and 404 the second time).
        let del = format!("/api/v1/targets?unit={STP}&period=2026-03&metric=on_time");
        assert_eq!(leader.send(Method::DELETE, &del, None).await.0, StatusCode::NO_CONTENT);
        assert_eq!(leader.send(Method::DELETE, &del, None).await.0, StatusCode::NOT_FOUND);
        let (_, b) = leader.get(&format!("/api/v1/targets?unit={STP}&period=2026-03")).await;
        assert_eq!(b["targets"].as_array().map(Vec::len), Some(2), "{b}");
        // Each change is in the audit log.
        assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_events WHERE entity_kind = 'target'").await, 6);

        // The alert: the one target at risk (online share) queues one notification; a second
        // run (and the worker's call, which waits for its interval) queues none.
        let alert = || motcua_app::usecases::targets::alert(&app.ctx);
        assert_eq!(alert().await.unwrap(), 1);
        assert_eq!(alert().await.unwrap(), 0);
        assert_eq!(motcua_app::usecases::targets::alert_due(&app.ctx).await.unwrap(), 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE topic = 'target.at_risk'").await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM targets WHERE alerted_at IS NOT NULL").await, 1);
        // Delivered to Sở Tư pháp's leader, and nobody else.
        let notifier = motcua_app::deadlines::dispatcher().unwrap();
        while notifier.run_once(&app.ctx).await.unwrap().claimed > 0 {}
        let (_, n) = leader.get("/api/v1/me/notifications").await;
        let alerts: Vec<&Value> = n["items"].as_array().unwrap().iter().filter(|x| x["kind"] == "target.at_risk").collect();
        assert_eq!(alerts.len(), 1, "{n}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM notifications WHERE kind = 'target.at_risk'").await, 1);
        let (_, page) = leader.get("/can-bo/thong-bao").await;
        let page = page.as_str().unwrap().to_string();
        assert!(page.contains("Chỉ tiêu có nguy cơ không đạt") && page.contains("Tỷ lệ hồ sơ trực tuyến"), "{page}");
        // A day later, still at risk: alerted again, once, by the worker's call (its interval,
        // an hour, has passed).
        app.ctx.clock.set(vn("2026-03-13T10:00:00"));
        assert_eq!(motcua_app::usecases::targets::alert_due(&app.ctx).await.unwrap(), 1);
        assert_eq!(alert().await.unwrap(), 0);
        // Replaced: a new target starts afresh, so it is alerted at once; deleted, never.
        let (s, _) = put(&leader, STP, "online_share", json!(40)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(alert().await.unwrap(), 1);
        assert_eq!(leader.send(Method::DELETE, &format!("/api/v1/targets?unit={STP}&period=2026-03&metric=online_share"), None).await.0, StatusCode::NO_CONTENT);
        app.ctx.clock.set(vn("2026-03-15T10:00:00"));
        assert_eq!(alert().await.unwrap(), 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE topic = 'target.at_risk'").await, 3);
    }
}

/// The page in Chromium: axe on the empty page, a refused value shown in the form, a target
/// set through the form shown in the table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_targets_page_sets_a_target() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.ctx.clock.set(vn("2026-03-12T09:00:00"));
    let b = Browser::start(&app).await;
    b.login("lanhdao").await;
    b.open(&format!("/can-bo/chi-tieu?unit={STP}&period=2026-03")).await;
    b.by_id("no-targets").await;
    b.axe().await;
    b.open(&format!("/can-bo/chi-tieu?unit={STP}&period=2026-03&lang=en")).await;
    b.axe().await;
    b.open(&format!("/can-bo/chi-tieu?unit={STP}&period=2026-03")).await;

    // Out of range: the form again, the message on its field.
    const SAVE: &str = "main form.stack button[type=submit]";
    let stp = app.agency_id(STP).await;
    b.fill("t-target_percent", "120").await;
    assert_eq!(b.follow(By::Css(SAVE)).await, "/can-bo/chi-tieu");
    assert_eq!(b.status().await, 422);
    b.find(By::Css("main .error-summary a[href='#t-target_percent']")).await;
    let input = b.by_id("t-target_percent").await;
    assert_eq!(input.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
    assert!(b.by_id("t-target_percent-error").await.text().await.unwrap().contains("không quá 100 %"));
    b.axe().await;

    // A good value: back on the unit's page, the target in the table.
    b.fill("t-target_percent", "92,5").await;
    let at = b.follow(By::Css(SAVE)).await;
    assert_eq!(at, format!("/can-bo/chi-tieu?unit={stp}&period=2026-03"));
    let row = b.find(By::Css("#targets tr[data-metric='online_share']")).await.text().await.unwrap();
    assert!(row.contains("Tỷ lệ hồ sơ trực tuyến") && row.contains("92,5 %") && row.contains("Chưa có số liệu"), "{row}");
    b.axe().await;

    // On a phone the page does not scroll sideways (the table stacks) and still passes axe.
    b.viewport(Viewport::Phone).await;
    let overflow: bool = b
        .driver
        .execute("return document.documentElement.scrollWidth > window.innerWidth", vec![])
        .await
        .unwrap()
        .convert()
        .unwrap();
    assert!(!overflow, "the page scrolls sideways on a phone");
    b.screenshot("targets-phone").await;
    b.axe().await;
    b.quit().await;
}
