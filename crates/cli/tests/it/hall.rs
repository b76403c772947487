//! The counter hall's whole journey (issue #18, "done when") in Chromium on both backends:
//! a ticket taken at the kiosk is called on the board, served at the counter page, the
//! dossier received while serving is linked to it, the visit is rated on the ticket's
//! follow page (its token, not the officer's session), and when the result is handed back
//! at the counter the applicant rates the dossier on the second screen. And an appointment
//! booked on the citizen's page is called first in its slot.

use crate::browser::Browser as Http;
use crate::officer_pages::vn;
use motcua_testkit::browser::{Browser, By};
use motcua_testkit::{Backend, Client, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Hoa Lư's one-stop centre (its demo queue: groups A and B, counters 1 and 2).
const CENTRE: &str = "000.01.31.H40";
/// Xác nhận tình trạng hôn nhân: a commune procedure received at that counter.
const COMMUNE: &str = "1.004873";

async fn step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    app.ctx.store.read(move |db| db.query_one(sql, &[])?.i64(0)).await.unwrap()
}

async fn journey(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // A Monday morning: the centre is open.
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));
    let clerk = app.login("tiepnhan.hoalu").await;
    let (s, desk) = clerk.get(&format!("/api/v1/queue/desk?centre={CENTRE}")).await;
    assert_eq!(s, StatusCode::OK, "{desk}");
    let counter1 =
        desk["counters"].as_array().unwrap().iter().find(|c| c["number"] == "1").unwrap()["id"].as_str().unwrap().to_string();

    // The kiosk: a ticket of group A, printed with its follow QR.
    let b = Browser::start(&app).await;
    b.open(&format!("/xep-hang?centre={CENTRE}")).await;
    b.capture("hall-kiosk").await;
    let ticket = b.follow_to(By::Id("group-A"), "/xep-hang/ve/").await;
    assert_eq!(b.by_id("number").await.text().await.unwrap(), "A001");
    let ticket_id = ticket.trim_start_matches("/xep-hang/ve/").split('?').next().unwrap().to_string();

    // The board shows the number (and the counter) once the counter calls it, live.
    b.open(&format!("/xep-hang/bang?centre={CENTRE}")).await;
    let (s, called) = clerk.post(&format!("/api/v1/queue/counters/{counter1}/call-next"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{called}");
    assert_eq!(b.find(By::Css("#lines tr.latest td.number")).await.text().await.unwrap(), "A001");
    b.capture("hall-board").await;

    // Served at the counter page; the dossier received meanwhile is linked to the ticket.
    b.login("tiepnhan.hoalu").await;
    b.open(&format!("/can-bo/xep-hang?counter={counter1}")).await;
    assert_eq!(b.by_id("current-number").await.text().await.unwrap(), "A001");
    b.click_to("Bắt đầu phục vụ", "/can-bo/xep-hang").await;
    assert_eq!(b.by_id("current-status").await.text().await.unwrap(), "Đang phục vụ");
    // Not yet done: the visit cannot be rated (the ticket table's `rate` action), nothing written.
    let token = ticket.split("t=").nth(1).unwrap().split('&').next().unwrap().to_string();
    let phone = Http::new(&app);
    let early = phone.post(&format!("/xep-hang/ve/{ticket_id}"), &[("t", token.clone()), ("satisfied", "yes".into())]).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM ratings").await, 0);
    let (s, d) = clerk
        .post("/api/v1/dossiers", json!({"procedure_code": COMMUNE,
            "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"},
            "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    b.open(&format!("/can-bo/xep-hang?counter={counter1}")).await;
    assert_eq!(b.find(By::Css(".linked-dossier")).await.text().await.unwrap(), code);
    b.capture("hall-desk-serving").await;
    b.click_to("Hoàn thành", "/can-bo/xep-hang").await;
    b.by_id("call-next").await;

    // The applicant rates the visit on the ticket's page (their phone, through the QR).
    b.open(&ticket).await;
    b.find(By::Id("score_officer-5")).await;
    let text = b.main_text().await;
    assert!(text.contains(&code) && text.contains("hài lòng với lượt phục vụ tại quầy"), "{text}");
    b.capture("hall-ticket-rating").await;
    for id in ["satisfied-yes", "score_access-4", "score_officer-5"] {
        b.by_id(id).await.click().await.unwrap();
    }
    b.fill("comment", "Nhanh, chu đáo").await;
    let at = b.click_text("Gửi đánh giá").await;
    assert!(at.starts_with("/xep-hang/ve/"), "{at}");
    b.by_id("visit-rated").await;
    b.capture("hall-ticket-rated").await;
    let officer_id = app.user_id("tiepnhan.hoalu").await;
    let tid = ticket_id.clone();
    let row = app
        .ctx
        .store
        .read(move |db| {
            let r = db.query_one(
                "SELECT counter, officer_id, satisfied, score_officer FROM ratings WHERE subject_id = $1",
                &motcua_store::params![tid],
            )?;
            Ok::<_, motcua_store::StoreError>((r.opt_text(0)?, r.opt_text(1)?, r.bool(2)?, r.opt_i64(3)?))
        })
        .await
        .unwrap();
    assert_eq!(row, (Some("1".to_string()), Some(officer_id), true, Some(5)));
    // Once: a second rating of the visit is refused and writes nothing.
    let before = count(&app, "SELECT COUNT(*) FROM ratings").await;
    let again = phone.post(&format!("/xep-hang/ve/{ticket_id}"), &[("t", token), ("satisfied", "no".into())]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("đã được đánh giá"), "{}", again.body);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM ratings").await, before);

    // Later the dossier is handled and its result handed back at the counter: the second
    // screen (open on the counter's other monitor) asks the applicant to rate it.
    let d = step(&clerk, &d, "forward", json!({})).await;
    let d = step(&app.login("chuyenvien.hoalu").await, &d, "forward", json!({})).await;
    let d = step(&app.login("lanhdao.hoalu").await, &d, "resolve", json!({"name": "Giấy xác nhận"})).await;
    let screen_id = {
        let officer_id = app.user_id("tiepnhan.hoalu").await;
        app.ctx
            .store
            .read(move |db| motcua_store::repo::users::memberships(db, &officer_id))
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.role == motcua_domain::user::Role::ReceptionOfficer)
            .unwrap()
            .agency_id
    };
    b.open(&format!("/man-hinh/quay/{screen_id}")).await;
    let officer = Http::login(&app, "tiepnhan.hoalu").await;
    let id = d["id"].as_str().unwrap().to_string();
    let page = officer.get(&format!("/can-bo/ho-so/{id}")).await;
    let r = officer
        .post(
            &format!("/can-bo/ho-so/{id}/tra-ket-qua"),
            &[("csrf_token", page.csrf()), ("version", d["version"].to_string()), ("method", "counter".into())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    b.find(By::Id("score_result-5")).await;
    b.capture("hall-screen-rating").await;
    for id in ["satisfied-yes", "score_procedure-4", "score_result-5"] {
        b.by_id(id).await.click().await.unwrap();
    }
    let at = b.click_text("Gửi đánh giá").await;
    assert_eq!(at, format!("/man-hinh/quay/{screen_id}"));
    assert!(b.main_text().await.contains("Cảm ơn Quý khách đã đánh giá"));
    b.capture("hall-screen-thanks").await;
    b.quit().await;
    let (_, got) = app.login("lanhdao.hoalu").await.get(&format!("/api/v1/dossiers/{id}")).await;
    let rating = &got["dossier"]["rating"];
    let result = rating["factors"].as_array().unwrap().iter().find(|f| f["factor"] == "result").unwrap();
    assert_eq!((rating["satisfied"].as_bool(), result["score"].as_i64()), (Some(true), Some(5)), "{got}");
    assert_eq!(got["timeline"].as_array().unwrap().last().unwrap()["actor_id"], motcua_domain::dossier::KIOSK_ACTOR);
}

/// An appointment booked on the citizen's page and checked in at the kiosk is called before
/// the walk-in who took a ticket earlier, once its slot has started.
async fn appointment_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));
    let clerk = app.login("tiepnhan.hoalu").await;
    let (_, desk) = clerk.get(&format!("/api/v1/queue/desk?centre={CENTRE}")).await;
    let find = |list: &str, k: &str, v: &str| {
        desk[list].as_array().unwrap().iter().find(|x| x[k] == v).unwrap()["id"].as_str().unwrap().to_string()
    };
    let (group_a, counter1) = (find("groups", "prefix", "A"), find("counters", "number", "1"));

    // The citizen books the 10:00 slot of group A.
    let b = Browser::start(&app).await;
    b.login("congdan").await;
    b.open(&format!("/ca-nhan/lich-hen?centre={CENTRE}&group={group_a}&date=2026-03-02")).await;
    b.capture("hall-appointment-slots").await;
    b.follow_to(By::Css("button[data-time='10:00']"), "/ca-nhan/lich-hen").await;
    let code = b.find(By::Css(".appointment-code")).await.text().await.unwrap();
    b.capture("hall-appointment-booked").await;
    b.click_text("Đăng xuất").await;

    // A walk-in takes a ticket at 09:30; the citizen checks in at the kiosk at 10:01.
    app.ctx.clock.set(vn("2026-03-02T09:30:00"));
    b.open(&format!("/xep-hang?centre={CENTRE}")).await;
    b.follow_to(By::Id("group-A"), "/xep-hang/ve/").await;
    assert_eq!(b.by_id("number").await.text().await.unwrap(), "A001");
    app.ctx.clock.set(vn("2026-03-02T10:01:00"));
    b.open(&format!("/xep-hang?centre={CENTRE}")).await;
    b.fill("code", &code).await;
    b.click_to("Nhận số theo lịch hẹn", "/xep-hang/ve/").await;
    assert_eq!(b.by_id("number").await.text().await.unwrap(), "A002");
    assert!(b.main_text().await.contains("Theo lịch hẹn"));
    b.capture("hall-appointment-ticket").await;

    // The counter calls: the appointment in its slot comes first, on the board too.
    b.open(&format!("/xep-hang/bang?centre={CENTRE}")).await;
    let (s, called) = clerk.post(&format!("/api/v1/queue/counters/{counter1}/call-next"), json!({})).await;
    assert_eq!((s, called["number"].as_str()), (StatusCode::OK, Some("A002")), "{called}");
    assert_eq!(b.find(By::Css("#lines tr.latest td.number")).await.text().await.unwrap(), "A002");
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appointment_called_first_sqlite() {
    appointment_first(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appointment_called_first_postgres() {
    appointment_first(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_board_counter_dossier_and_ratings_sqlite() {
    journey(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_board_counter_dossier_and_ratings_postgres() {
    journey(Backend::Postgres).await;
}
