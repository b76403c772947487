//! Filing and returning by the public postal service (issue #17, QĐ 45/2016), on both
//! backends: the citizen chooses the result by post with an address of the province (one
//! outside is refused), the counter hands the result over with a tracking number and a fee,
//! prints the slip and the label (whose Code 128 barcode decodes to the tracking number),
//! and the carrier's signed webhook (from a loopback client here) reports it back
//! undelivered, then (posted again) delivered: the dossier is returned and counted once. A
//! forged or stale signature, a replay and an unknown tracking number are refused with
//! nothing written.

use crate::documents::{lines, run};
use crate::dossiers::upload;
use motcua_testkit::{Backend, Client, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Thẻ công chứng viên: province, Sở Tư pháp, received at the provincial centre.
const PROVINCE: &str = "1.910201.H40";
pub(crate) const SECRET: &str = "bí-mật-của-bưu-điện-tỉnh";

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, configure).await
}

/// The provincial post as the one carrier, signing with `SECRET`.
pub(crate) fn configure(c: &mut motcua_app::config::Config) {
    c.post.carriers = vec![motcua_app::config::CarrierConfig {
        name: motcua_domain::dossier::postal::DEFAULT_CARRIER.into(),
        secret: SECRET.into(),
    }];
}

fn hmac_hex(key: &[u8], msg: &[u8]) -> String {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(msg).finalize();
    hex::encode(Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize())
}

/// Sends a carrier report as the carrier does, signed with `secret` at `ts` (Unix seconds).
pub(crate) async fn report(app: &TestApp, secret: &str, ts: i64, body: &Value) -> (StatusCode, Value) {
    let body = serde_json::to_vec(body).unwrap();
    let mut msg = format!("{ts}.").into_bytes();
    msg.extend_from_slice(&body);
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/post/events", app.url))
        .header("content-type", "application/json")
        .header("x-motcua-carrier", "vnpost")
        .header("x-motcua-timestamp", ts.to_string())
        .header("x-motcua-signature", format!("sha256={}", hmac_hex(secret.as_bytes(), &msg)))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub(crate) fn now_secs(app: &TestApp) -> i64 {
    app.ctx.clock.now_ms() / 1000
}

async fn step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

async fn refused(c: &Client, d: &Value, cmd: &str, mut body: Value) -> (StatusCode, Value) {
    body["version"] = d["version"].clone();
    c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await
}

fn address(commune: &str) -> Value {
    json!({"recipient": "Nguyễn Văn An", "phone": "0912 345 678", "commune_code": commune, "street": "Số 5, đường Trần Hưng Đạo"})
}

async fn scalar(app: &TestApp, sql: &'static str, id: &str) -> i64 {
    let id = id.to_string();
    app.ctx.store.read(move |db| db.query_one(sql, &[id.into()])?.i64(0)).await.unwrap()
}

async fn events_of(app: &TestApp, id: &str) -> i64 {
    scalar(app, "SELECT COUNT(*) FROM dossier_events WHERE dossier_id = $1", id).await
}

async fn counter(app: &TestApp, metric: &str) -> i64 {
    scalar(app, "SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM kpi_daily WHERE metric = $1", metric).await
}

/// A postal PDF as the tools read it: its text (runs of space folded) and the Code 128
/// barcodes zbar decodes on its first page (QR codes left out).
pub(crate) fn read_postal_pdf(pdf: &[u8]) -> (String, Vec<String>) {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let f = file.to_str().unwrap();
    let text = lines(&run("pdftotext", &["-enc", "UTF-8", f, "-"])).join(" ");
    let png = dir.path().join("page");
    run("pdftoppm", &["-r", "300", "-png", "-f", "1", "-l", "1", "-singlefile", f, png.to_str().unwrap()]);
    let codes = run("zbarimg", &["--raw", "-q", "-Sdisable", "-Scode128.enable", &format!("{}.png", png.display())]);
    (text, codes.lines().map(str::to_string).collect())
}

pub(crate) async fn pdf(c: &Client, id: &str, which: &str) -> (StatusCode, Vec<u8>) {
    let r = c.http.get(format!("{}/api/v1/dossiers/{id}/postal/{which}.pdf", c.base)).send().await.unwrap();
    let status = r.status();
    (status, r.bytes().await.unwrap().to_vec())
}

/// Filed online with the result by post, resolved by Sở Tư pháp.
async fn resolved_by_post(app: &TestApp, citizen: &Client) -> Value {
    let (s, d) = citizen
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": PROVINCE, "summary": "Cấp thẻ công chứng viên",
                "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["id"].as_str().unwrap().to_string();
    // An address outside the province, and one with nothing chosen: refused, nothing written.
    let before = events_of(app, &id).await;
    let (s, b) = refused(citizen, &d, "postal", json!({"result_by_post": true, "address": address("000.00.31.H26")})).await;
    assert_eq!((s, b["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("commune_not_in_province")), "{b}");
    assert!(b["fields"][0]["message_vi"].as_str().unwrap().contains("Ninh Bình"), "{b}");
    let (s, b) = refused(citizen, &d, "postal", json!({"address": address("000.00.31.H40")})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("postal_nothing_chosen")));
    let (s, b) = refused(
        citizen,
        &d,
        "postal",
        json!({"result_by_post": true, "address": {"recipient": "An", "phone": "12", "commune_code": "000.00.31.H40", "street": ""}}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let codes: Vec<&str> = b["fields"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["required", "invalid_phone"], "{b}");
    assert_eq!(events_of(app, &id).await, before);
    let d = step(citizen, &d, "postal", json!({"result_by_post": true, "address": address("000.00.31.H40")})).await;
    let a = &d["postal"]["address"];
    assert_eq!(
        (a["commune"].as_str(), a["province"].as_str(), a["phone"].as_str()),
        (Some("Phường Hoa Lư"), Some("Tỉnh Ninh Bình"), Some("0912345678"))
    );
    let mut d = d;
    for c in d["components"].as_array().unwrap().clone() {
        if c["required"] == true {
            let (s, b) =
                upload(citizen, &d, c["key"].as_str().unwrap(), "application/pdf", "ban-scan.pdf", motcua_testkit::files::PDF)
                    .await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
            d = b;
        }
    }
    let d = step(citizen, &d, "submit", json!({})).await;
    let clerk = app.login("tiepnhan").await;
    let d = step(&clerk, &d, "receive", json!({})).await;
    let d = step(&clerk, &d, "forward", json!({})).await;
    let d = step(&app.login("chuyenvien").await, &d, "forward", json!({})).await;
    let leader = app.login("lanhdao").await;
    let (s, d) = upload(&leader, &d, "result", "application/pdf", "the.pdf", motcua_testkit::files::SIGNED_PDF).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    step(&leader, &d, "resolve", json!({"name": "Thẻ công chứng viên", "number": "15/2026/TCCV"})).await
}

async fn result_by_post_delivered_through_the_signed_webhook(backend: Backend) {
    let app = spawn(backend).await;
    app.ctx.clock.set(jiff::Timestamp::now().as_millisecond());
    let citizen = app.login("congdan").await;
    let d = resolved_by_post(&app, &citizen).await;
    let id = d["id"].as_str().unwrap().to_string();
    assert_eq!(d["status"], "resolved");
    let clerk = app.login("tiepnhan").await;
    let returned_before = counter(&app, "returned").await;

    assert_eq!(pdf(&clerk, &id, "label").await.0, StatusCode::CONFLICT, "nothing posted yet");
    // Wrong sequences: delivered before posted; the typed postal return; a bad fee.
    let (s, b) = refused(&clerk, &d, "post-delivered", json!({})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("not_posted")), "{b}");
    let (s, b) = refused(&clerk, &d, "return", json!({"method": "postal", "tracking_number": "EL123456789VN"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("postal_handover_required")), "{b}");
    let (s, b) = refused(&clerk, &d, "post", json!({"tracking_number": "EL123456789VN", "fee": -5})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_fee")), "{b}");
    // The citizen does not hand over.
    let (s, _) = refused(&citizen, &d, "post", json!({"tracking_number": "EL123456789VN", "fee": 1})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let d = step(&clerk, &d, "post", json!({"tracking_number": "el123456789vn", "fee": 32000})).await;
    assert_eq!(
        (d["status"].as_str(), d["national_status"].as_i64()),
        (Some("resolved"), Some(9)),
        "not returned until delivered"
    );
    assert_eq!(d["shipments"][0]["tracking_number"], "EL123456789VN");
    assert_eq!(d["shipments"][0]["fee"], 32000);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM postal_shipments WHERE dossier_id = $1 AND status = 'in_transit'", &id).await,
        1
    );
    let (s, b) = refused(&clerk, &d, "post", json!({"tracking_number": "EL123456790VN", "fee": 1})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("shipment_in_transit")), "{b}");

    // The label and the slip: the address and the tracking number in the text, and the
    // barcode decodes to the tracking number. The applicant prints neither.
    let (s, label) = pdf(&clerk, &id, "label").await;
    assert_eq!(s, StatusCode::OK);
    let (text, codes) = read_postal_pdf(&label);
    for want in ["Nguyễn Văn An", "0912345678", "Số 5, đường Trần Hưng Đạo, Phường Hoa Lư, Tỉnh Ninh Bình", "EL123456789VN"]
    {
        assert!(text.contains(want), "label: no {want:?} in {text}");
    }
    assert_eq!(codes, ["EL123456789VN"], "the label's barcode");
    let (s, slip) = pdf(&clerk, &id, "slip").await;
    assert_eq!(s, StatusCode::OK);
    let (text, codes) = read_postal_pdf(&slip);
    for want in [
        "PHIẾU BÀN GIAO",
        d["code"].as_str().unwrap(),
        "Thẻ công chứng viên (số 15/2026/TCCV)",
        "EL123456789VN",
        "32.000",
        "Phường Hoa Lư",
        "Nhân viên bưu chính",
    ] {
        assert!(text.contains(want), "slip: no {want:?} in {text}");
    }
    assert_eq!(codes, ["EL123456789VN"], "the slip's barcode");
    assert_eq!(pdf(&citizen, &id, "label").await.0, StatusCode::FORBIDDEN);

    // Refused reports write nothing: forged, stale, unknown tracking number, unknown carrier.
    let events = events_of(&app, &id).await;
    let seen = app.count("postal_carrier_events").await;
    let delivered = json!({"event_id": "vnp-1", "tracking_number": "EL123456789VN", "status": "delivered"});
    let (s, b) = report(&app, "not-the-secret", now_secs(&app), &delivered).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("bad_signature")), "{b}");
    let (s, b) = report(&app, SECRET, now_secs(&app) - 301, &delivered).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("stale_timestamp")), "{b}");
    let unknown = json!({"event_id": "vnp-0", "tracking_number": "EL000000000VN", "status": "delivered"});
    let (s, b) = report(&app, SECRET, now_secs(&app), &unknown).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_tracking_number")), "{b}");
    assert!(b["message_vi"].as_str().unwrap().contains("số hiệu"), "{b}");
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/post/events", app.url))
        .header("x-motcua-carrier", "other")
        .header("x-motcua-timestamp", now_secs(&app).to_string())
        .header("x-motcua-signature", "sha256=00")
        .body(serde_json::to_vec(&delivered).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!((events_of(&app, &id).await, app.count("postal_carrier_events").await), (events, seen));

    // In transit: noted, the dossier unchanged. Back undelivered: the result waits at the counter.
    let (s, b) = report(
        &app,
        SECRET,
        now_secs(&app),
        &json!({"event_id": "vnp-2", "tracking_number": "EL123456789VN", "status": "in_transit"}),
    )
    .await;
    assert_eq!((s, b["outcome"].as_str()), (StatusCode::OK, Some("noted")), "{b}");
    assert_eq!(events_of(&app, &id).await, events);
    let back = json!({"event_id": "vnp-3", "tracking_number": "EL123456789VN", "status": "undelivered", "reason": "Không có người nhận"});
    let (s, b) = report(&app, SECRET, now_secs(&app), &back).await;
    assert_eq!((s, b["outcome"].as_str()), (StatusCode::OK, Some("undelivered")), "{b}");
    // The same event again: a replay, nothing written.
    let events = events_of(&app, &id).await;
    let (s, b) = report(&app, SECRET, now_secs(&app), &back).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("replayed_event")), "{b}");
    assert_eq!(events_of(&app, &id).await, events);
    let (_, detail) = clerk.get(&format!("/api/v1/dossiers/{id}")).await;
    let d = detail["dossier"].clone();
    assert_eq!((d["status"].as_str(), d["shipments"][0]["status"].as_str()), (Some("resolved"), Some("undelivered")), "{d}");
    assert_eq!(d["shipments"][0]["reason"], "Không có người nhận");
    let last = detail["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["kind"].as_str(), last["actor_id"].as_str()), (Some("post_undelivered"), Some("carrier")), "{last}");

    // Posted again: the carrier's number is not reused; a new one is delivered.
    let (s, b) = refused(&clerk, &d, "post", json!({"tracking_number": "EL123456789VN", "fee": 15000})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("tracking_number_taken")), "{b}");
    let d = step(&clerk, &d, "post", json!({"tracking_number": "EL123456790VN", "fee": 15000})).await;
    let (s, b) = report(
        &app,
        SECRET,
        now_secs(&app),
        &json!({"event_id": "vnp-4", "tracking_number": "EL123456790VN", "status": "delivered"}),
    )
    .await;
    assert_eq!(
        (s, b["outcome"].as_str(), b["dossier_id"].as_str()),
        (StatusCode::OK, Some("returned"), Some(id.as_str())),
        "{b}"
    );
    let (_, detail) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
    let after = &detail["dossier"];
    assert_eq!((after["status"].as_str(), after["national_status"].as_i64()), (Some("returned"), Some(10)));
    assert_eq!(
        (after["returned"]["method"].as_str(), after["returned"]["tracking_number"].as_str()),
        (Some("postal"), Some("EL123456790VN"))
    );
    assert_eq!(after["version"].as_i64().unwrap(), d["version"].as_i64().unwrap() + 1);
    let fees: i64 = after["shipments"].as_array().unwrap().iter().map(|s| s["fee"].as_i64().unwrap()).sum();
    assert_eq!(fees, 47_000, "both postal fees recorded");
    assert_eq!(counter(&app, "returned").await, returned_before + 1, "the delivery is the one return");
    // A late duplicate of the delivery under a new event id: the dossier is returned already.
    let (s, b) = report(
        &app,
        SECRET,
        now_secs(&app),
        &json!({"event_id": "vnp-5", "tracking_number": "EL123456790VN", "status": "delivered"}),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("invalid_transition")), "{b}");
    assert_eq!(counter(&app, "returned").await, returned_before + 1);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM postal_carrier_events WHERE dossier_id = $1", &id).await, 3);

    // The log is the truth: replay and the rebuild give the same state and shipments.
    let (stored, replayed) = motcua_app::usecases::dossiers::replay(&app.ctx, &id).await.unwrap();
    assert_eq!(stored, replayed);
    let rows = |app: &TestApp| {
        let id = id.clone();
        let store = app.ctx.store.clone();
        async move { store.read(move |db| motcua_store::repo::postal::of_dossier(db, &id)).await.unwrap() }
    };
    let shipments = rows(&app).await;
    assert_eq!(shipments.iter().map(|s| s.status.as_str()).collect::<Vec<_>>(), ["undelivered", "delivered"]);
    motcua_app::usecases::dossiers::rebuild(&app.ctx).await.unwrap();
    assert_eq!(rows(&app).await, shipments);
    assert_eq!(counter(&app, "returned").await, returned_before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn result_by_post_delivered_through_the_signed_webhook_sqlite() {
    result_by_post_delivered_through_the_signed_webhook(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn result_by_post_delivered_through_the_signed_webhook_postgres() {
    result_by_post_delivered_through_the_signed_webhook(Backend::Postgres).await;
}

/// Without a carrier configured (the default), every report is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_carrier_configured_refuses_every_report() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (s, b) = report(
        &app,
        SECRET,
        now_secs(&app),
        &json!({"event_id": "x", "tracking_number": "EL123456789VN", "status": "delivered"}),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unknown_carrier")), "{b}");
    assert_eq!(app.count("postal_carrier_events").await, 0);
}

/// The postal pages in Chromium (SQLite), axe clean, captured at phone and desktop widths:
/// the counter's hand-over form, the dossier in transit with its print links, back
/// undelivered, and the citizen's dossier page with the shipment's status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_postal_pages() {
    use motcua_testkit::browser::Browser;
    let app = spawn(Backend::Sqlite).await;
    app.ctx.clock.set(jiff::Timestamp::now().as_millisecond());
    let citizen = app.login("congdan").await;
    let d = resolved_by_post(&app, &citizen).await;
    let id = d["id"].as_str().unwrap().to_string();
    let path = format!("/can-bo/ho-so/{id}");
    let b = Browser::start(&app).await;
    b.login("tiepnhan").await;
    b.open(&path).await;
    b.axe().await;
    b.capture("postal-handover").await;
    b.fill("giao-buu-chinh-tracking_number", "EL123456789VN").await;
    b.fill("giao-buu-chinh-fee", "32.000").await;
    submit_action(&b, "giao-buu-chinh").await;
    let text = b.main_text().await;
    assert!(text.contains("EL123456789VN") && text.contains("Đang chuyển phát"), "{text}");
    assert!(text.contains("In nhãn địa chỉ bưu gửi"), "{text}");
    b.capture("postal-in-transit").await;
    b.fill("phat-khong-thanh-cong-reason", "Không có người nhận").await;
    submit_action(&b, "phat-khong-thanh-cong").await;
    b.login("congdan").await;
    b.open(&format!("/ho-so-cua-toi/{id}")).await;
    b.axe().await;
    let status = b.by_id("postal-status").await.text().await.unwrap();
    assert!(status.contains("EL123456789VN") && status.contains("Phát không thành công"), "{status}");
    b.capture("postal-citizen").await;
    b.quit().await;
}

/// Clicks the submit button of an action's section and waits for the page after it.
async fn submit_action(b: &motcua_testkit::browser::Browser, slug: &str) {
    let after = b.follow(motcua_testkit::browser::By::Css(format!("section#{slug} button[type=submit]"))).await;
    assert!(after.ends_with(&format!("?xong={slug}")), "{slug} done, got {after}: {}", b.main_text().await);
    b.axe().await;
}

/// The citizen chooses the post on their draft (Chromium, SQLite): from the review page to
/// the postal page, a missing commune comes back with its error, then the choice is saved
/// and shown on the review page. Captured at phone and desktop widths, axe clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_citizen_chooses_the_post() {
    use motcua_testkit::browser::{Browser, By};
    let app = spawn(Backend::Sqlite).await;
    let citizen = app.login("congdan").await;
    let (s, d) = citizen
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": PROVINCE, "summary": "Cấp thẻ công chứng viên",
                "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["id"].as_str().unwrap().to_string();
    let b = Browser::start(&app).await;
    b.login("congdan").await;
    b.open(&format!("/ho-so-cua-toi/{id}/xem-lai")).await;
    assert!(b.main_text().await.contains("Trực tuyến và tại Bộ phận Một cửa"));
    b.follow_to(By::Id("postal"), &format!("/ho-so-cua-toi/{id}/buu-chinh")).await;
    // Prefilled from the applicant; the result by post ticked.
    assert_eq!(b.by_id("recipient").await.value().await.unwrap().as_deref(), Some("Nguyễn Văn An"));
    b.capture("postal-choice").await;
    b.fill("street", "Số 5, đường Trần Hưng Đạo").await;
    let at = b.follow(By::Css("main form button[type=submit]")).await;
    assert_eq!(at, format!("/ho-so-cua-toi/{id}/buu-chinh"));
    let text = b.main_text().await;
    assert!(text.contains("hãy chọn trong danh sách"), "the missing commune is named: {text}");
    b.axe().await;
    assert_eq!(
        b.by_id("street").await.value().await.unwrap().as_deref(),
        Some("Số 5, đường Trần Hưng Đạo"),
        "nothing typed is lost"
    );
    b.find(By::Css("#commune_code option[value='000.00.31.H40']")).await.click().await.unwrap();
    b.follow_to(By::Css("main form button[type=submit]"), &format!("/ho-so-cua-toi/{id}/xem-lai")).await;
    let text = b.main_text().await;
    assert!(text.contains("Số 5, đường Trần Hưng Đạo, Phường Hoa Lư, Tỉnh Ninh Bình"), "{text}");
    b.axe().await;
    b.quit().await;
    let (_, d) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
    assert_eq!(d["dossier"]["postal"]["result_by_post"], true, "{d}");
    assert_eq!(d["dossier"]["postal"]["address"]["commune_code"], "000.00.31.H40", "{d}");
}
