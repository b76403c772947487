//! The dossier life cycle through the HTTP API, on both backends: every path of DESIGN.md
//! §4 with statuses, national codes, due dates (with a pause) and timeliness; bad input and
//! illegal transitions change nothing; attachments; codes under concurrency; replay.

use motcua_testkit::{Client, TestApp, both_backends, both_backends_and_file_stores};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Thẻ công chứng viên: province, Sở Tư pháp, partly online, 10 working days, 4 components.
const PROVINCE: &str = "1.910201.H40";
/// Xác nhận tình trạng hôn nhân: commune, 3 working days.
const COMMUNE: &str = "1.004873";
/// Đăng ký khai sinh: online only (Chỉ thị 24).
const ONLINE_ONLY: &str = "1.001193";

const PDF: &[u8] = motcua_testkit::files::PDF;
const PNG: &[u8] = motcua_testkit::files::PNG;

/// Instants in Vietnam (UTC+7) as unix ms.
fn vn(s: &str) -> i64 {
    format!("{s}+07:00").parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn ms_of(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not a time: {v}"))
}

pub(crate) async fn ok(c: &Client, path: &str, body: Value) -> Value {
    let (s, b) = c.post(path, body).await;
    assert_eq!(s, StatusCode::OK, "{path}: {b}");
    b
}

pub(crate) async fn step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    body["version"] = d["version"].clone();
    ok(c, &format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await
}

async fn refused(c: &Client, d: &Value, cmd: &str, mut body: Value) -> (StatusCode, Value) {
    body["version"] = d["version"].clone();
    c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await
}

pub(crate) async fn upload(
    c: &Client,
    d: &Value,
    key: &str,
    content_type: &str,
    name: &str,
    bytes: &[u8],
) -> (StatusCode, Value) {
    let path = format!("/api/v1/dossiers/{}/components/{key}/files?name={name}", d["id"].as_str().unwrap());
    c.raw(Method::PUT, &path, content_type, bytes.to_vec()).await
}

fn applicant() -> Value {
    json!({"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678", "email": "an@example.vn", "address": "Phường Hoa Lư"})
}

async fn events_of(app: &TestApp, id: &str) -> i64 {
    let id = id.to_string();
    app.ctx
        .store
        .read(move |db| db.query_one("SELECT COUNT(*) FROM dossier_events WHERE dossier_id = $1", &[id.into()])?.i64(0))
        .await
        .unwrap()
}

async fn assert_replay(app: &TestApp, id: &str) {
    let (stored, replayed) = motcua_app::usecases::dossiers::replay(&app.ctx, id).await.unwrap();
    assert_eq!(stored, replayed, "replaying the log must give the stored projection");
}

/// A citizen's online draft of the province procedure with every required file.
pub(crate) async fn online_submitted(citizen: &Client) -> Value {
    let (s, d) = citizen
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": PROVINCE, "applicant": applicant(), "summary": "Cấp thẻ công chứng viên"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["status"], "draft");
    assert_eq!(d["national_status"], Value::Null);
    assert_eq!(d["channel"], "online");
    let (s, b) =
        citizen.post(&format!("/api/v1/dossiers/{}/submit", d["id"].as_str().unwrap()), json!({"version": d["version"]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "no files yet: {b}");
    assert_eq!(b["fields"].as_array().unwrap().len(), 4, "every missing component is named: {b}");
    let mut d = d;
    for c in d["components"].as_array().unwrap().clone() {
        if c["required"] == true {
            let (s, b) = upload(citizen, &d, c["key"].as_str().unwrap(), "application/pdf", "ban-scan.pdf", PDF).await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
            d = b;
        }
    }
    step(citizen, &d, "submit", json!({})).await
}

// The same on the filesystem store and on the S3-compatible one (issue #19).
both_backends_and_file_stores! {
    async fn attachments_are_checked_by_their_bytes(app) {
        let citizen = app.login("congdan").await;
        let (_, d) = citizen.post("/api/v1/dossiers", json!({"procedure_code": PROVINCE, "applicant": applicant()})).await;
        let files_before = app.count("files").await;
        for (ct, bytes, code) in [
            ("application/pdf", PNG, "file_type_mismatch"),
            ("application/pdf", b"MZ\x90\x00 not a pdf".as_slice(), "file_type_not_allowed"),
            ("application/zip", b"PK\x03\x04 plain zip PK\x05\x06".as_slice(), "file_type_not_allowed"),
        ] {
            let (s, b) = upload(&citizen, &d, "giay_de_nghi", ct, "x.pdf", bytes).await;
            assert_eq!((s, b["code"].as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some(code)), "{b}");
        }
        let (s, b) = upload(&citizen, &d, "khong_co", "application/pdf", "x.pdf", PDF).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_component")));
        assert_eq!(app.count("files").await, files_before);
        // A NUL in the name is refused at the edge (issue #12 item 9); nothing is stored.
        let (s, b) = upload(&citizen, &d, "giay_de_nghi", "application/pdf", "passwd%00.exe", PDF).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("nul_character")), "{b}");
        assert_eq!(app.count("files").await, files_before);
        // A hostile name is made safe; the same bytes are stored once.
        let (s, d1) = upload(&citizen, &d, "giay_de_nghi", "application/pdf", "..%2F..%2Fetc%2Fpasswd%3B.exe", PDF).await;
        assert_eq!(s, StatusCode::CREATED, "{d1}");
        let f = d1["files"][0].clone();
        assert_eq!(f["name"], "passwd_.pdf");
        assert_eq!(f["sha256"].as_str().unwrap().len(), 64);
        let (s, d2) = upload(&citizen, &d1, "hop_dong_lao_dong", "application/octet-stream", "hop dong.pdf", PDF).await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(d2["files"][1]["sha256"], f["sha256"]);
        assert_eq!(app.count("files").await, files_before + 1);
        let stored = app.stored_files();
        assert_eq!(stored, vec![f["sha256"].as_str().unwrap().to_string()], "one file stored, no temporary files");
        // Download: the same bytes, to the owner only.
        let r = citizen.http.get(format!("{}/api/v1/dossiers/{}/files/{}", citizen.base, d["id"].as_str().unwrap(), f["id"].as_str().unwrap())).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
        let stranger = app.login("tiepnhan.hoalu").await;
        let (s, _) = stranger.get(&format!("/api/v1/dossiers/{}/files/{}", d["id"].as_str().unwrap(), f["id"].as_str().unwrap())).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}

both_backends! {
    async fn online_filing_to_returned_result_with_a_paused_clock(app) {
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let citizen = app.login("congdan").await;
        let d = online_submitted(&citizen).await;
        assert_eq!(d["status"], "submitted");
        assert_eq!(d["national_status"], 1);

        // Received on Monday 2 March 09:00 at the provincial centre by a counter officer.
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan").await;
        let (s, inbox) = clerk.get("/api/v1/dossiers?status=submitted").await;
        assert_eq!(s, StatusCode::OK);
        assert!(inbox["items"].as_array().unwrap().iter().any(|i| i["id"] == d["id"]), "the centre's online queue: {inbox}");
        let d = step(&clerk, &d, "receive", json!({})).await;
        assert_eq!(d["national_status"], 2);
        let code = d["code"].as_str().unwrap().to_string();
        assert_eq!(code, "000.00.20.H40-260302-0001");
        assert_eq!(d["procedure"]["version"], 1);
        // 10 working days: Monday 16 March, end of office hours.
        assert_eq!(ms_of(&d["due_at"]), vn("2026-03-16T17:00:00"));
        assert_eq!(d["appointment_at"], d["due_at"]);
        // Receiving twice is an illegal transition and changes nothing.
        let before = events_of(&app, d["id"].as_str().unwrap()).await;
        let (s, b) = refused(&clerk, &d, "receive", json!({})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}");
        assert_eq!(b["code"], "invalid_transition");
        assert!(b["message_vi"].as_str().unwrap().contains("Được tiếp nhận"), "{b}");
        // A stale version is refused too.
        let (s, b) = citizen.post(&format!("/api/v1/dossiers/{}/withdraw", d["id"].as_str().unwrap()), json!({"version": 1, "reason": "x"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("stale_version")));
        assert_eq!(events_of(&app, d["id"].as_str().unwrap()).await, before);

        app.ctx.clock.set(vn("2026-03-02T10:00:00"));
        let d = step(&clerk, &d, "forward", json!({"note": "Hồ sơ đầy đủ"})).await;
        assert_eq!((d["status"].as_str(), d["national_status"].as_i64()), (Some("in_progress"), Some(4)));
        let specialist = app.login("chuyenvien").await;
        let (_, inbox) = specialist.get("/api/v1/dossiers").await;
        assert!(inbox["items"].as_array().unwrap().iter().any(|i| i["id"] == d["id"]), "specialist inbox: {inbox}");

        // Supplement requested Tuesday 10:00, supplied Thursday 10:00: two working days of pause.
        app.ctx.clock.set(vn("2026-03-03T10:00:00"));
        let d = step(&specialist, &d, "supplement-requests", json!({"items": [
            {"component_key": "anh_the", "name": "Ảnh thẻ 3x4", "reason": "Ảnh mờ, không nhận diện được"}]})).await;
        assert_eq!(d["national_status"], 5);
        let (s, b) = refused(&specialist, &d, "forward", json!({})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("invalid_transition")));
        app.ctx.clock.set(vn("2026-03-05T10:00:00"));
        let (s, d) = upload(&citizen, &d, "anh_the", "image/png", "anh-moi.png", PNG).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let d = step(&citizen, &d, "supplements", json!({"note": "Đã bổ sung ảnh"})).await;
        assert_eq!(d["status"], "in_progress");
        assert_eq!(ms_of(&d["due_at"]), vn("2026-03-18T17:00:00"), "pushed back by the pause");
        assert_eq!(d["supplement_requests"], 1);

        app.ctx.clock.set(vn("2026-03-17T09:00:00"));
        let d = step(&specialist, &d, "forward", json!({})).await;
        // A reception officer cannot sign; a specialist cannot either.
        for c in [&clerk, &specialist] {
            let (s, b) = refused(c, &d, "resolve", json!({"name": "Thẻ công chứng viên"})).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        }
        // Wednesday 18 March 16:00: on the due day, before the due instant.
        app.ctx.clock.set(vn("2026-03-18T16:00:00"));
        let leader = app.login("lanhdao").await;
        // The result document is attached by the officer at the step; never by the applicant.
        let (s, _) = upload(&citizen, &d, "result", "application/pdf", "ket-qua.pdf", PDF).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let signed = motcua_testkit::files::SIGNED_PDF;
        let (s, d) = upload(&leader, &d, "result", "application/pdf", "the-ccv.pdf", signed).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let d = step(&leader, &d, "resolve", json!({"name": "Thẻ công chứng viên", "number": "15/2026/TCCV"})).await;
        assert_eq!((d["national_status"].as_i64(), d["timeliness"].as_str()), (Some(9), Some("on_time")));

        // Returning by post is a hand-over and a delivery (issue #17, `postal.rs`), not a typed number.
        let (s, b) = refused(&clerk, &d, "return", json!({"method": "postal", "tracking_number": "EL123456789VN"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("postal_handover_required")));
        let d = step(&clerk, &d, "return", json!({"method": "counter"})).await;
        assert_eq!(d["national_status"], 10);
        let (s, b) = refused(&clerk, &d, "return", json!({"method": "counter"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("invalid_transition")));

        // The applicant downloads the result and rates the service, once.
        let id = d["id"].as_str().unwrap();
        let result = d["files"].as_array().unwrap().iter().find(|f| f["component_key"] == "result").unwrap().clone();
        let r = citizen.http.get(format!("{}/api/v1/dossiers/{id}/files/{}", citizen.base, result["id"].as_str().unwrap())).send().await.unwrap();
        assert_eq!(r.bytes().await.unwrap().as_ref(), signed);
        let d = step(&citizen, &d, "rating", json!({"satisfied": true, "comment": "Nhanh, đúng hẹn"})).await;
        assert_eq!(d["rating"]["satisfied"], true);
        let (s, b) = refused(&citizen, &d, "rating", json!({"satisfied": false})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("already_rated")));
        let (s, _) = refused(&clerk, &d, "rating", json!({"satisfied": true})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // The applicant reads the whole timeline; the control slip has every hand-over.
        let (s, detail) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        let kinds: Vec<&str> = detail["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(&kinds[kinds.len() - 11..], ["submitted", "received", "forwarded", "supplement_requested", "file_attached",
            "supplement_supplied", "forwarded", "file_attached", "resolved", "result_returned", "rated"]);
        let (_, slip) = clerk.get(&format!("/api/v1/dossiers/{id}/control-slip")).await;
        let rows = slip["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 4, "{slip}");
        assert_eq!(rows[1]["result"], "on_time");
        assert_eq!(rows[1]["to_agency"], "Sở Tư pháp tỉnh Ninh Bình");
        assert_eq!(rows[1]["giver_name"], "Lê Thị Thu Hà", "the counter officer handed it over");
        // Another citizen, or an officer of another commune, sees nothing.
        let other = app.login("tiepnhan.hoalu").await;
        assert_eq!(other.get(&format!("/api/v1/dossiers/{id}")).await.0, StatusCode::NOT_FOUND);

        // Public tracking: code + last four digits of the ID or phone; no personal data.
        let (s, t) = app.client().get(&format!("/api/v1/tracking/{code}?check=1234")).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["national_status"], 10);
        assert!(!t.to_string().contains("Nguyễn Văn An") && !t.to_string().contains("037092001234"), "{t}");
        assert_eq!(app.client().get(&format!("/api/v1/tracking/{code}?check=5678")).await.0, StatusCode::OK);
        assert_eq!(app.client().get(&format!("/api/v1/tracking/{code}?check=0000")).await.0, StatusCode::NOT_FOUND);

        // The register (form 07) of that day lists it.
        let (s, reg) = clerk.get("/api/v1/register?from=2026-03-02&to=2026-03-02").await;
        assert_eq!(s, StatusCode::OK, "{reg}");
        assert!(reg.as_array().unwrap().iter().any(|r| r["code"] == code.as_str()), "{reg}");
        assert_replay(&app, id).await;
    }

    async fn counter_reception_fees_stop_withdrawal_refusal(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan.hoalu").await;
        let body = |code: &str| json!({"procedure_code": code, "applicant": applicant(), "components": [
            {"key": "to_khai", "provided": true, "originals": 1, "digitized": true},
            {"key": "giay_to_tuy_than", "provided": true, "copies": 1}]});
        // Online-only procedures take no paper dossier; nothing is written.
        let before = app.count("dossiers").await;
        let (s, b) = clerk.post("/api/v1/dossiers", body(ONLINE_ONLY)).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("online_only")), "{b}");
        // A missing required component is named.
        let (s, b) = clerk.post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": applicant(), "components": [{"key": "to_khai", "provided": true}]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["fields"][0]["field"], "components.giay_to_tuy_than");
        // Bad applicant data: every field named.
        let (s, b) = clerk.post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": {"name": "A", "id_number": "123", "email": "x"}})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(b["fields"].as_array().unwrap().len() >= 3, "{b}");
        assert_eq!(app.count("dossiers").await, before);
        assert_eq!(app.count("dossier_events").await, 0);

        // Counter reception: received at once, the commune centre's code, competent = the commune.
        let (s, d) = clerk.post("/api/v1/dossiers", body(COMMUNE)).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        assert_eq!((d["status"].as_str(), d["channel"].as_str()), (Some("received"), Some("counter")));
        assert_eq!(d["code"], "000.01.31.H40-260302-0001");
        assert_eq!(d["competent"]["code"], "000.00.31.H40");
        assert_eq!(ms_of(&d["due_at"]), vn("2026-03-05T17:00:00"));
        // A ticked box digitizes nothing: a scan certified by the officer does (`digitization`).
        assert_eq!(d["components"][0]["digitized"], false);
        // Fee notice → awaiting payment (6) → paid in cash at the counter.
        let (s, b) = refused(&clerk, &d, "fee-notices", json!({"items": [{"name": "Lệ phí", "amount": -5}]})).await;
        assert_eq!((s, b["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_amount")));
        let d = step(&clerk, &d, "fee-notices", json!({"items": [{"name": "Lệ phí cấp giấy xác nhận", "amount": 15000}]})).await;
        assert_eq!(d["national_status"], 6);
        let d = step(&clerk, &d, "payments", json!({"method": "cash", "receipt_number": "BL-000123"})).await;
        assert_eq!((d["status"].as_str(), d["payment"]["amount"].as_i64()), (Some("received"), Some(15000)));
        let d = step(&clerk, &d, "forward", json!({})).await;
        let specialist = app.login("chuyenvien.hoalu").await;
        let stop = json!({"reason": "Người yêu cầu đã chết", "basis": "Điều 22 NĐ 118/2025/NĐ-CP"});
        let (s, b) = refused(&specialist, &d, "stop", stop.clone()).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "form 05 is the leader's: {b}");
        let d = step(&app.login("lanhdao.hoalu").await, &d, "stop", stop).await;
        assert_eq!((d["national_status"].as_i64(), d["stop"]["basis"].as_str()), (Some(8), Some("Điều 22 NĐ 118/2025/NĐ-CP")));
        let (s, b) = refused(&specialist, &d, "supplement-requests", json!({"items": [{"name": "x", "reason": "y"}]})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("invalid_transition")));
        assert_replay(&app, d["id"].as_str().unwrap()).await;

        // The second dossier of the day at that centre gets the next number; send back a step.
        let (_, d2) = clerk.post("/api/v1/dossiers", body(COMMUNE)).await;
        assert_eq!(d2["code"], "000.01.31.H40-260302-0002");
        let d2 = step(&clerk, &d2, "forward", json!({})).await;
        let d2 = step(&specialist, &d2, "forward", json!({})).await;
        let d2 = step(&app.login("lanhdao.hoalu").await, &d2, "send-back", json!({"reason": "Xác minh lại nơi cư trú"})).await;
        assert_eq!((d2["step"].as_i64(), d2["status"].as_str()), (Some(1), Some("in_progress")));
        // Withdrawal at the applicant's request, at the counter.
        let d2 = step(&clerk, &d2, "withdraw", json!({"reason": "Công dân xin rút hồ sơ"})).await;
        assert_eq!(d2["national_status"], 7);

        // An online dossier refused at reception (form 03); a refused dossier gets no supplement.
        let citizen = app.login("congdan").await;
        let d3 = online_submitted(&citizen).await;
        let clerk1 = app.login("tiepnhan").await;
        let (s, b) = refused(&clerk1, &d3, "refuse", json!({"reasons": []})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let d3 = step(&clerk1, &d3, "refuse", json!({"reasons": ["Người nộp không thuộc đối tượng"]})).await;
        assert_eq!(d3["national_status"], 3);
        let (s, _) = refused(&citizen, &d3, "supplements", json!({})).await;
        assert_eq!(s, StatusCode::CONFLICT);
        // Returning a result that does not exist.
        let (s, _) = refused(&clerk1, &d3, "return", json!({"method": "counter"})).await;
        assert_eq!(s, StatusCode::CONFLICT);
        // Counters follow the events: 2 counter receptions, 1 online reception... none here (refused before), 1 refusal.
        let admin = app.login("giamsat").await;
        let (s, k) = admin.get("/api/v1/kpi?from=2026-03-02&to=2026-03-02").await;
        assert_eq!(s, StatusCode::OK, "{k}");
        assert_eq!((k["received_counter"].as_i64(), k["refused"].as_i64(), k["digitized"].as_i64()), (Some(2), Some(1), None), "{k}");
        // The identity paper is shown only (TT 01/2023): the form of each dossier is in scope.
        assert_eq!(k["components_to_digitize"].as_i64(), Some(2), "{k}");
        assert_eq!((k["finished"].as_i64(), k["paid_online"].as_i64()), (Some(2), None), "{k}");
    }

    async fn timeliness_second_supplement_and_extension(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan.hoalu").await;
        let specialist = app.login("chuyenvien.hoalu").await;
        let leader = app.login("lanhdao.hoalu").await;
        let new = || json!({"procedure_code": COMMUNE, "applicant": applicant(), "components": [
            {"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]});
        let run_to_resolve = |at: &'static str, d: Value| {
            let (clerk, specialist, leader, app) = (&clerk, &specialist, &leader, &app);
            async move {
                let d = if d["status"] == "received" { step(clerk, &d, "forward", json!({})).await } else { d };
                let d = step(specialist, &d, "forward", json!({})).await;
                app.ctx.clock.set(vn(at));
                step(leader, &d, "resolve", json!({"name": "Giấy xác nhận tình trạng hôn nhân"})).await
            }
        };
        // Due Thursday 5 March 17:00. Early: resolved Wednesday.
        let (_, d) = clerk.post("/api/v1/dossiers", new()).await;
        let d = run_to_resolve("2026-03-04T11:00:00", d).await;
        assert_eq!(d["timeliness"], "early");
        // Late: resolved Friday.
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (_, d) = clerk.post("/api/v1/dossiers", new()).await;
        let d = run_to_resolve("2026-03-06T08:00:00", d).await;
        assert_eq!(d["timeliness"], "late");
        // Two supplement requests: late even when early by the dates. The general rule allows
        // one notice (issue #11 item 11); this procedure's version says a sector rule allows two.
        let (_, current) = app.client().get(&format!("/api/v1/procedures/{COMMUNE}")).await;
        let mut spec = current["spec"].clone();
        spec["supplement"] = json!({"second_notice_basis": "Căn cứ chuyên ngành cho phép yêu cầu bổ sung lần hai"});
        let (s, v) = app.login("admin").await
            .post(&format!("/api/v1/procedures/{COMMUNE}/versions"), json!({"spec": spec, "effective_from": "2026-03-01"})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (_, d) = clerk.post("/api/v1/dossiers", new()).await;
        let mut d = step(&clerk, &d, "forward", json!({})).await;
        for _ in 0..2 {
            d = step(&specialist, &d, "supplement-requests", json!({"items": [{"name": "Tờ khai", "reason": "Thiếu chữ ký"}]})).await;
            d = step(&clerk, &d, "supplements", json!({})).await;
        }
        assert_eq!(d["supplement_requests"], 2);
        let d = run_to_resolve("2026-03-02T15:00:00", d).await;
        assert_eq!(d["timeliness"], "late", "a second supplement request counts as late");
        // Extension: a leader, once, a working day before the due date; the appointment moves,
        // and the dossier is judged against its original due date (issue #11 item 4).
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (_, d) = clerk.post("/api/v1/dossiers", new()).await;
        let (s, _) = refused(&specialist, &d, "extension", json!({"reason": "Cần xác minh", "new_date": "2026-03-10"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let d = step(&leader, &d, "extension", json!({"reason": "Cần xác minh thông tin cư trú", "new_date": "2026-03-10"})).await;
        assert_eq!(ms_of(&d["appointment_at"]), vn("2026-03-10T17:00:00"));
        assert_eq!(ms_of(&d["due_at"]), vn("2026-03-05T17:00:00"));
        let (s, b) = refused(&leader, &d, "extension", json!({"reason": "Lần nữa", "new_date": "2026-03-12"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("already_extended")));
        let d = run_to_resolve("2026-03-03T09:00:00", d).await;
        assert_eq!(d["timeliness"], "early", "finished before the original due date: not late");
        // Extension after the due date is refused.
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (_, d) = clerk.post("/api/v1/dossiers", new()).await;
        app.ctx.clock.set(vn("2026-03-06T09:00:00"));
        let (s, b) = refused(&leader, &d, "extension", json!({"reason": "Muộn", "new_date": "2026-03-12"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("past_due")));
        // Counters: finished early 2, late 2; the extension counted on its own.
        let (_, k) = app.login("giamsat").await.get("/api/v1/kpi?from=2026-03-01&to=2026-03-31").await;
        assert_eq!((k["finished_early"].as_i64(), k["finished_late"].as_i64(), k["extended"].as_i64()), (Some(2), Some(2), Some(1)), "{k}");
        // Rebuilding the projections and counters from the log changes nothing.
        let ids: Vec<String> = app.ctx.store.read(motcua_store::repo::dossiers::all_ids).await.unwrap();
        for id in &ids {
            assert_replay(&app, id).await;
        }
        let kpi_before = app.ctx.store.read(motcua_store::repo::dossiers::kpi_all).await.unwrap();
        let states_before: Vec<_> = app.ctx.store.read(|db| db.query("SELECT d.*, s.state FROM dossiers d JOIN dossier_states s ON s.id = d.id ORDER BY d.id", &[])).await.unwrap().into_iter().map(|r| format!("{:?}", r.0)).collect();
        assert_eq!(motcua_app::usecases::dossiers::rebuild(&app.ctx).await.unwrap(), ids.len());
        let kpi_after = app.ctx.store.read(motcua_store::repo::dossiers::kpi_all).await.unwrap();
        let states_after: Vec<_> = app.ctx.store.read(|db| db.query("SELECT d.*, s.state FROM dossiers d JOIN dossier_states s ON s.id = d.id ORDER BY d.id", &[])).await.unwrap().into_iter().map(|r| format!("{:?}", r.0)).collect();
        assert_eq!(kpi_before, kpi_after);
        assert_eq!(states_before, states_after);
    }

    async fn idempotent_filing_and_reception(app) {
        let clerk = app.login("tiepnhan.hoalu").await;
        let body = json!({"procedure_code": COMMUNE, "applicant": applicant(), "components": [
            {"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]});
        let send = |b: Value| {
            let req = clerk.http.post(format!("{}/api/v1/dossiers", clerk.base)).header("x-csrf-token", clerk.csrf.clone().unwrap()).header("idempotency-key", "quay1-0001").json(&b);
            async move {
                let r = req.send().await.unwrap();
                (r.status(), r.json::<Value>().await.unwrap())
            }
        };
        let (s1, a) = send(body.clone()).await;
        let (s2, b) = send(body.clone()).await;
        assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
        assert_eq!(a["id"], b["id"]);
        assert_eq!(a["code"], b["code"]);
        assert_eq!(app.count("dossiers").await, 1);
        let mut other = body.clone();
        other["summary"] = json!("khác");
        let (s, e) = send(other).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("idempotency_key_reused")));
        // A command retried with its key answers the current state instead of a conflict.
        let fwd = |v: &Value| clerk.http.post(format!("{}/api/v1/dossiers/{}/forward", clerk.base, a["id"].as_str().unwrap()))
            .header("x-csrf-token", clerk.csrf.clone().unwrap()).header("idempotency-key", "fwd-1").json(&json!({"version": v}));
        let r1 = fwd(&a["version"]).send().await.unwrap();
        assert_eq!(r1.status(), StatusCode::OK);
        let r2 = fwd(&a["version"]).send().await.unwrap();
        assert_eq!(r2.status(), StatusCode::OK);
        assert_eq!(r2.json::<Value>().await.unwrap()["step"], 1);
        assert_eq!(events_of(&app, a["id"].as_str().unwrap()).await, 3);
    }

    async fn workflows_are_validated_and_route_across_agencies(app) {
        let admin = app.login("admin").await;
        let (s, w) = admin.get(&format!("/api/v1/procedures/{PROVINCE}/workflow")).await;
        assert_eq!(s, StatusCode::OK, "{w}");
        assert_eq!(w["workflow"]["steps"].as_array().unwrap().len(), 3);
        let steps = |appraisal_days: u32| json!({"steps": [
            {"kind": "reception", "agency": {"type": "receiving"}, "role": "reception_officer", "budget": {"value": 4, "unit": "hours"}},
            {"kind": "appraisal", "agency": {"type": "competent"}, "role": "specialist", "budget": {"value": appraisal_days, "unit": "working_days"}},
            {"kind": "transfer", "name": "Lấy ý kiến Sở Xây dựng", "agency": {"type": "fixed", "code": "000.01.02.H40"}, "role": "specialist", "budget": {"value": 2, "unit": "working_days"}},
            {"kind": "approval", "agency": {"type": "competent"}, "role": "leader", "budget": {"value": 4, "unit": "hours"}}]});
        let (s, b) = admin.send(Method::PUT, &format!("/api/v1/procedures/{PROVINCE}/workflow"), Some(steps(9))).await;
        assert_eq!((s, b["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("step_budgets_exceed_limit")), "{b}");
        let (s, b) = app.login("chuyenvien").await.send(Method::PUT, &format!("/api/v1/procedures/{PROVINCE}/workflow"), Some(steps(5))).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        let (s, b) = admin.send(Method::PUT, &format!("/api/v1/procedures/{PROVINCE}/workflow"), Some(steps(5))).await;
        assert_eq!((s, b["revision"].as_i64()), (StatusCode::OK, Some(2)), "{b}");
        // A specialist of Sở Xây dựng's office handles the transfer step.
        let qlxd = app.agency_id("000.01.02.H40").await;
        let (s, b) = admin.post("/api/v1/users", json!({"username": "chuyenvien.sxd", "full_name": "Lý Thị Hoa", "password": "Motcua@2026",
            "memberships": [{"agency_id": qlxd, "role": "specialist"}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let clerk = app.login("tiepnhan").await;
        let (s, d) = clerk.post("/api/v1/dossiers", json!({"procedure_code": PROVINCE, "applicant": applicant(), "components": [
            {"key": "giay_de_nghi", "provided": true}, {"key": "quyet_dinh_bo_nhiem", "provided": true},
            {"key": "hop_dong_lao_dong", "provided": true}, {"key": "anh_the", "provided": true}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        assert_eq!(d["steps"].as_array().unwrap().len(), 4, "the dossier keeps the workflow it was received with");
        let d = step(&clerk, &d, "forward", json!({})).await;
        let d = step(&app.login("chuyenvien").await, &d, "forward", json!({})).await;
        assert_eq!(d["steps"][2]["agency"]["code"], "000.01.02.H40");
        let sxd = app.login("chuyenvien.sxd").await;
        let (_, inbox) = sxd.get("/api/v1/dossiers").await;
        assert_eq!(inbox["total"], 1, "{inbox}");
        let (s, _) = refused(&app.login("chuyenvien").await, &d, "forward", json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "the department's specialist no longer holds it");
        let d = step(&sxd, &d, "forward", json!({"note": "Thống nhất"})).await;
        let d = step(&app.login("lanhdao").await, &d, "resolve", json!({"name": "Thẻ công chứng viên"})).await;
        assert_eq!(d["handovers"].as_array().unwrap().len(), 5);
        assert_replay(&app, d["id"].as_str().unwrap()).await;
    }

    async fn the_other_edges_of_the_life_cycle(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let citizen = app.login("congdan").await;
        let clerk = app.login("tiepnhan").await;
        let specialist = app.login("chuyenvien").await;
        // submitted → withdrawn (applicant)
        let d = online_submitted(&citizen).await;
        let d = step(&citizen, &d, "withdraw", json!({"reason": "Nộp nhầm thủ tục"})).await;
        assert_eq!(d["national_status"], 7);
        // submitted → awaiting supplement at reception → supplied → received; the clock had not started.
        let d = online_submitted(&citizen).await;
        let d = step(&clerk, &d, "supplement-requests", json!({"items": [{"component_key": "anh_the", "name": "Ảnh", "reason": "Sai cỡ ảnh"}]})).await;
        assert_eq!((d["national_status"].as_i64(), d["supplement_requests"].as_i64()), (Some(5), Some(0)));
        let d = step(&citizen, &d, "supplements", json!({})).await;
        assert_eq!(d["status"], "submitted");
        // received → refused (form 03 after checking at the counter)
        let d = step(&clerk, &d, "receive", json!({})).await;
        let d = step(&clerk, &d, "refuse", json!({"reasons": ["Giấy tờ giả mạo"]})).await;
        assert_eq!((d["national_status"].as_i64(), d["finished_at"].is_i64()), (Some(3), true));
        // awaiting supplement → withdrawn; awaiting payment → stopped; paid online by the applicant.
        let d = online_submitted(&citizen).await;
        let d = step(&clerk, &d, "receive", json!({})).await;
        let d = step(&clerk, &d, "forward", json!({})).await;
        let d = step(&specialist, &d, "supplement-requests", json!({"items": [{"name": "Hợp đồng", "reason": "Hết hạn"}]})).await;
        let d = step(&citizen, &d, "withdraw", json!({"reason": "Không bổ sung được"})).await;
        assert_eq!((d["national_status"].as_i64(), d["timeliness"].as_str()), (Some(7), Some("early")));
        let d = online_submitted(&citizen).await;
        let d = step(&clerk, &d, "receive", json!({})).await;
        let d = step(&clerk, &d, "forward", json!({})).await;
        let d = step(&specialist, &d, "fee-notices", json!({"items": [{"name": "Phí thẩm định", "amount": 100000}]})).await;
        let (s, b) = refused(&citizen, &d, "payments", json!({"method": "online_national", "receipt_number": "PAYGOV-1"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "an applicant cannot mark their own fee paid: {b}");
        let d = step(&clerk, &d, "payments", json!({"method": "cash", "receipt_number": "BL-2"})).await;
        assert_eq!(d["status"], "in_progress");
        let d = step(&specialist, &d, "fee-notices", json!({"items": [{"name": "Phí bổ sung", "amount": 50000}]})).await;
        let (s, _) = refused(&citizen, &d, "stop", json!({"reason": "x"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "an applicant cannot stop processing");
        let d = step(&app.login("lanhdao").await, &d, "stop", json!({"reason": "Không nộp phí", "financial_consequences": "Không hoàn phí thẩm định"})).await;
        assert_eq!(d["national_status"], 8);
        // A supervisor sees every dossier of the province, by national status.
        let (_, all) = app.login("giamsat").await.get("/api/v1/dossiers?limit=100").await;
        assert_eq!(all["total"], 4, "{all}");
        let (_, k) = app.login("giamsat").await.get("/api/v1/kpi?from=2026-03-02&to=2026-03-02").await;
        assert_eq!((k["received_online"].as_i64(), k["paid_online"].as_i64(), k["refused"].as_i64()), (Some(3), None, Some(1)), "{k}");
        // Each dossier's events form a hash chain; `motcua verify` names an altered one.
        let url = app.database_url.clone();
        let dir = app.data_dir.clone();
        let (code, out) = tokio::task::spawn_blocking(move || verify(&url, &dir)).await.unwrap();
        assert_eq!(code, 0, "{out}");
        // One attachment (the same bytes on every dossier) and the forms issued (issue #13).
        let files = 1 + app.count("documents").await;
        assert!(out.contains("OK   dossiers: 4 chains") && out.contains(&format!("OK   files: {files} files")), "{out}");
        let id = d["id"].as_str().unwrap().to_string();
        let i = id.clone();
        app.ctx.store.write(move |db| db.execute("UPDATE dossier_events SET payload = replace(payload, 'Phí bổ sung', 'Phí khác') WHERE dossier_id = $1", &[i.into()])).await.unwrap();
        let url = app.database_url.clone();
        let dir = app.data_dir.clone();
        let (code, out) = tokio::task::spawn_blocking(move || verify(&url, &dir)).await.unwrap();
        assert_eq!(code, 1, "{out}");
        assert!(out.contains(&format!("chain dossier:{id}")) && out.contains("altered"), "{out}");
    }

    async fn concurrent_commands_on_one_version_change_it_once(app) {
        let clerk = app.login("tiepnhan").await;
        let (_, d) = clerk.post("/api/v1/dossiers", json!({"procedure_code": PROVINCE, "applicant": applicant(), "components": [
            {"key": "giay_de_nghi", "provided": true}, {"key": "quyet_dinh_bo_nhiem", "provided": true},
            {"key": "hop_dong_lao_dong", "provided": true}, {"key": "anh_the", "provided": true}]})).await;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let req = clerk.http.post(format!("{}/api/v1/dossiers/{}/forward", clerk.base, d["id"].as_str().unwrap()))
                .header("x-csrf-token", clerk.csrf.clone().unwrap()).json(&json!({"version": d["version"]}));
            tasks.spawn(async move {
                let r = req.send().await.unwrap();
                (r.status(), r.json::<Value>().await.unwrap())
            });
        }
        let results = tasks.join_all().await;
        let ok = results.iter().filter(|(s, _)| *s == StatusCode::OK).count();
        let stale = results.iter().filter(|(s, b)| *s == StatusCode::CONFLICT && b["code"] == "stale_version").count();
        assert_eq!((ok, stale), (1, 7), "{results:?}");
        assert_eq!(events_of(&app, d["id"].as_str().unwrap()).await, 3);
    }

    async fn every_dossier_operation_is_documented_with_an_example(app) {
        let (_, doc) = app.client().get("/api/openapi.json").await;
        let schemas = &doc["components"]["schemas"];
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            if !(path.starts_with("/api/v1/dossiers") || path.starts_with("/api/v1/tracking") || path.ends_with("/workflow")) {
                continue;
            }
            for (method, op) in item.as_object().unwrap() {
                let Some(body) = op.get("requestBody") else { continue };
                let (ct, media) = body["content"].as_object().unwrap().iter().next().unwrap();
                let example = media.get("example").is_some()
                    || media["schema"]["$ref"].as_str().and_then(|r| r.rsplit('/').next()).is_some_and(|n| schemas[n].get("example").is_some())
                    || ct != "application/json";
                assert!(example, "{method} {path} has no request example");
                checked += 1;
            }
        }
        assert!(checked >= 15, "{checked}");
    }

    async fn bearer_tokens_for_machine_clients(app) {
        let clerk = app.login("tiepnhan").await;
        let (s, t) = clerk.post("/api/v1/auth/tokens", json!({"name": "Đồng bộ DVCQG", "days": 30})).await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        let token = t["token"].as_str().unwrap();
        let http = reqwest::Client::new();
        let r = http.get(format!("{}/api/v1/dossiers", app.url)).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // No CSRF token needed: no cookie is involved.
        let r = http.post(format!("{}/api/v1/dossiers", app.url)).bearer_auth(token).json(&json!({"procedure_code": COMMUNE,
            "applicant": applicant(), "competent_agency_id": app.agency_id("000.00.31.H40").await,
            "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let r = http.get(format!("{}/api/v1/dossiers", app.url)).bearer_auth("not-a-token").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
}

/// Ten thousand receptions at once get distinct, consecutive codes. Forms are not rendered
/// here (`documents.issue_on_events = false`): 20,000 renders in a debug build would take an
/// hour, and the documents test covers them.
mod ten_thousand_concurrent_receptions_get_consecutive_codes {
    use super::*;

    async fn run(backend: motcua_testkit::Backend) {
        let app = TestApp::spawn_with(backend, |c| c.documents.issue_on_events = false).await;
        app.ctx.clock.set(vn("2026-03-02T09:30:00"));
        let officer = motcua_app::auth::login(&app.ctx, "tiepnhan", "Motcua@2026", std::net::Ipv4Addr::LOCALHOST.into(), None)
            .await
            .unwrap()
            .current;
        let input = motcua_app::usecases::dossiers::NewDossier {
            procedure_code: "1.910203.H40".into(),
            applicant: motcua_app::usecases::dossiers::ApplicantInput { name: "Trần Thị Bình".into(), ..Default::default() },
            components: ["to_khai", "anh_the", "giay_to_quoc_tich"]
                .iter()
                .map(|k| motcua_app::usecases::dossiers::ComponentInput {
                    key: (*k).into(),
                    provided: true,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(64));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..10_000 {
            let (ctx, officer, input, limit) = (app.ctx.clone(), officer.clone(), input.clone(), limit.clone());
            tasks.spawn(async move {
                let _permit = limit.acquire().await.unwrap();
                motcua_app::usecases::dossiers::create(&ctx, &officer, input, None).await.map(|d| d.code.unwrap())
            });
        }
        let mut numbers = Vec::with_capacity(10_000);
        while let Some(r) = tasks.join_next().await {
            let code = r.unwrap().expect("reception");
            assert!(code.starts_with("000.00.20.H40-260302-"), "{code}");
            numbers.push(code.rsplit('-').next().unwrap().parse::<u32>().unwrap());
        }
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=10_000).collect::<Vec<u32>>(), "distinct and consecutive");
        assert_eq!(app.count("dossiers").await, 10_000);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        run(motcua_testkit::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        run(motcua_testkit::Backend::Postgres).await;
    }
}

/// `motcua verify` on the test app's database and data folder (its stored files).
fn verify(database_url: &str, data_dir: &std::path::Path) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["--database-url", database_url, "--data-dir"])
        .arg(data_dir)
        .arg("verify")
        .env("MOTCUA_LOG", "error")
        .output()
        .expect("run motcua verify");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned() + &*String::from_utf8_lossy(&out.stderr))
}

mod limits {
    use super::*;

    async fn limited(backend: motcua_testkit::Backend) {
        let app = TestApp::spawn_with(backend, |c| {
            c.attachments.max_file_bytes = PDF.len() + 100;
            c.attachments.max_dossier_bytes = PDF.len() + 200;
        })
        .await;
        let citizen = app.login("congdan").await;
        let (_, d) = citizen.post("/api/v1/dossiers", json!({"procedure_code": PROVINCE, "applicant": applicant()})).await;
        let big = motcua_testkit::files::pdf_of_size(b' ', PDF.len() + 300);
        let (s, b) = upload(&citizen, &d, "giay_de_nghi", "application/pdf", "big.pdf", &big).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("file_too_large")));
        let (s, d) = upload(&citizen, &d, "giay_de_nghi", "application/pdf", "a.pdf", PDF).await;
        assert_eq!(s, StatusCode::CREATED);
        let other = motcua_testkit::files::pdf_of_size(b'o', PDF.len() + 50);
        let (s, b) = upload(&citizen, &d, "anh_the", "application/pdf", "b.pdf", &other).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("dossier_too_large")), "{b}");
        assert_eq!(app.count("files").await, 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        limited(motcua_testkit::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        limited(motcua_testkit::Backend::Postgres).await;
    }
}
