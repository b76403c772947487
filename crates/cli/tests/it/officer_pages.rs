//! Officer pages over HTTP without JavaScript, on both backends: the inbox, the dossier
//! page offering only the actions the role may take in the state, actions posted as forms
//! (stale versions, refused and invalid commands change nothing), previews, CSRF and login.

use crate::browser::{Browser, Page};
use motcua_testkit::{Client, TestApp, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Thẻ công chứng viên: Sở Tư pháp, 10 working days, workflow reception → appraisal → approval.
pub const PROVINCE: &str = "1.910201.H40";
pub const PDF: &[u8] = motcua_testkit::files::PDF;

pub fn vn(s: &str) -> i64 {
    format!("{s}+07:00").parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

/// A citizen's online dossier of the province procedure, every required file attached, submitted.
pub async fn online_submitted(citizen: &Client) -> Value {
    let (s, mut d) = citizen
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": PROVINCE, "summary": "Cấp thẻ công chứng viên",
                   "applicant": {"name": "Trần Thị Bình", "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    for c in d["components"].as_array().unwrap().clone() {
        if c["required"] == true {
            let path = format!(
                "/api/v1/dossiers/{}/components/{}/files?name=ban-scan.pdf",
                d["id"].as_str().unwrap(),
                c["key"].as_str().unwrap()
            );
            let (s, b) = citizen.raw(Method::PUT, &path, "application/pdf", PDF.to_vec()).await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
            d = b;
        }
    }
    let (s, d) =
        citizen.post(&format!("/api/v1/dossiers/{}/submit", d["id"].as_str().unwrap()), json!({"version": d["version"]})).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d
}

async fn events_of(app: &TestApp, id: &str) -> i64 {
    let id = id.to_string();
    app.ctx
        .store
        .read(move |db| db.query_one("SELECT COUNT(*) FROM dossier_events WHERE dossier_id = $1", &[id.into()])?.i64(0))
        .await
        .unwrap()
}

/// The dossier version the page's action forms carry.
fn version_of(p: &Page) -> String {
    let at = p.body.find(r#"name="version" value=""#).unwrap_or_else(|| panic!("no version input: {}", p.body));
    let rest = &p.body[at + r#"name="version" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The action sections (their ids) a dossier page offers.
fn offered(p: &Page) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = p.body.as_str();
    while let Some(i) = rest.find(r#"<section class="action" id=""#) {
        rest = &rest[i + r#"<section class="action" id=""#.len()..];
        out.push(rest[..rest.find('"').unwrap()].to_string());
    }
    out
}

fn assert_offers(p: &Page, expected: &[&str], who: &str) {
    let mut got = offered(p);
    got.sort();
    let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(got, want, "{who}: the actions offered");
}

async fn post_action(b: &Browser, page: &Page, id: &str, slug: &str, extra: &[(&str, &str)]) -> Page {
    let mut fields: Vec<(&str, String)> = vec![("csrf_token", page.csrf()), ("version", version_of(page))];
    fields.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    b.post(&format!("/can-bo/ho-so/{id}/{slug}"), &fields).await
}

both_backends! {
    async fn officer_pages_offer_only_the_actions_of_the_role_and_state(app) {
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let citizen = app.login("congdan").await;
        let d = online_submitted(&citizen).await;
        let id = d["id"].as_str().unwrap().to_string();
        let path = format!("/can-bo/ho-so/{id}");

        // No session: to the login page and back; a citizen: 403.
        let anon = Browser::new(&app);
        let p = anon.get("/can-bo/ho-so?status=submitted").await;
        assert_eq!(p.status, StatusCode::SEE_OTHER);
        assert_eq!(p.location(), "/dang-nhap?next=%2Fcan-bo%2Fho-so%3Fstatus%3Dsubmitted");
        let citizen_page = Browser::login(&app, "congdan").await;
        assert_eq!(citizen_page.get("/can-bo/ho-so").await.status, StatusCode::FORBIDDEN);
        assert_eq!(citizen_page.get(&path).await.status, StatusCode::FORBIDDEN);

        // The counter's inbox lists the online dossier with its counts.
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = Browser::login(&app, "tiepnhan").await;
        let inbox = clerk.get("/can-bo/ho-so").await;
        assert_eq!(inbox.status, StatusCode::OK);
        assert!(inbox.body.contains(&format!(r#"href="{path}""#)) && inbox.body.contains("Trần Thị Bình"), "{}", inbox.body);
        assert!(inbox.body.contains("quá hạn") && inbox.body.contains("trong hạn"), "the counts are named");
        let filtered = clerk.get("/can-bo/ho-so?status=in_progress").await;
        assert!(!filtered.body.contains(&format!(r#"href="{path}""#)), "filtered out by status");
        let searched = clerk.get("/can-bo/ho-so?q=tran+thi+binh").await;
        assert!(searched.body.contains(&format!(r#"href="{path}""#)), "search without diacritics");
        assert!(clerk.get("/can-bo/ho-so?lang=en").await.body.contains("Dossiers to handle"));

        // Submitted, at the counter: receive, refuse, supplement, withdraw, attach; nothing later.
        let p = clerk.get(&path).await;
        assert_eq!(p.status, StatusCode::OK);
        assert_offers(&p, &["tiep-nhan", "tu-choi", "yeu-cau-bo-sung", "rut-ho-so", "tep", "buu-chinh"], "counter, submitted");
        // Inline previews of the PDFs, framed by our page only.
        let at = p.body.find(&format!(r#"<iframe src="{path}/tep/"#)).expect("a preview frame");
        let src = &p.body[at + 13..];
        let src = &src[..src.find('"').unwrap()];
        let r = clerk.http.get(format!("{}{src}", clerk.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("inline"));
        assert_eq!(r.headers()["x-frame-options"], "SAMEORIGIN");
        assert!(r.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'self'"));
        assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
        let r = anon.http.get(format!("{}{src}", anon.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "no file without a session");
        // Out of scope: the specialist does not see it before reception; another commune never.
        let specialist = Browser::login(&app, "chuyenvien").await;
        assert_eq!(specialist.get(&path).await.status, StatusCode::NOT_FOUND);

        // Without the CSRF token, or from another site: 403 and nothing written.
        let before = events_of(&app, &id).await;
        let r = clerk.post(&format!("{path}/tiep-nhan"), &[("version", version_of(&p))]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = clerk.post_with(&format!("{path}/tiep-nhan"), &[("csrf_token", p.csrf()), ("version", version_of(&p))], Some("http://evil.example")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // An action this role may not take is refused and changes nothing.
        let r = post_action(&clerk, &p, &id, "ket-qua", &[("name", "Thẻ công chứng viên")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "not in this state");
        assert!(r.body.contains("Có lỗi") && r.body.contains("Không thể ghi nhận kết quả"), "{}", r.body);
        // A supplement with a ticked item but no reason: 422, the field named, nothing written.
        let key = d["components"][0]["key"].as_str().unwrap();
        let r = post_action(&clerk, &p, &id, "yeu-cau-bo-sung", &[(&format!("item.{key}"), "on")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains(&format!(r##"href="#yeu-cau-bo-sung-reason-{key}""##)), "the error links to the reason input: {}", r.body);
        assert!(r.body.contains(&format!(r#"id="yeu-cau-bo-sung-item-{key}" name="item.{key}" checked"#)), "the form keeps what was ticked");
        assert_eq!(events_of(&app, &id).await, before);

        // Receive with the checklist: every component ticked.
        let mut fields: Vec<(String, String)> = Vec::new();
        for c in d["components"].as_array().unwrap() {
            fields.push((format!("provided.{}", c["key"].as_str().unwrap()), "on".into()));
            fields.push((format!("originals.{}", c["key"].as_str().unwrap()), "1".into()));
        }
        let extra: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = post_action(&clerk, &p, &id, "tiep-nhan", &extra).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), format!("{path}?xong=tiep-nhan"));
        let p2 = clerk.get(r.location()).await;
        assert!(p2.body.contains("Đã tiếp nhận hồ sơ.") && p2.body.contains("000.00.20.H40-260302-0001"), "{}", p2.body);
        // Form 05 (stop) is the competent agency leader's alone (issue #11 item 6).
        assert_offers(&p2, &["tu-choi", "yeu-cau-bo-sung", "chuyen-tiep", "thong-bao-phi", "rut-ho-so", "tep", "buu-chinh"], "counter, received");
        assert!(p2.body.contains("Giấy tiếp nhận và hẹn trả kết quả"), "the receipt link");

        // The old page's version is stale now: 409, a clear message, nothing written.
        let before = events_of(&app, &id).await;
        let r = post_action(&clerk, &p, &id, "chuyen-tiep", &[("note", "x")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("Hồ sơ vừa được người khác cập nhật"), "{}", r.body);
        assert_eq!(events_of(&app, &id).await, before);

        app.ctx.clock.set(vn("2026-03-02T10:00:00"));
        let r = post_action(&clerk, &p2, &id, "chuyen-tiep", &[("note", "Hồ sơ đầy đủ")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        // The specialist at appraisal: forward, send back, supplement, fees, stop, attach.
        let p3 = specialist.get(&path).await;
        assert_eq!(p3.status, StatusCode::OK);
        assert_offers(&p3, &["chuyen-tiep", "tra-lai", "yeu-cau-bo-sung", "thong-bao-phi", "tep", "tep-ket-qua"], "specialist, appraisal");
        let clerk_view = clerk.get(&path).await;
        assert_offers(&clerk_view, &["rut-ho-so", "tep", "buu-chinh"], "counter, while the specialist holds it");
        assert!(specialist.get("/can-bo/ho-so").await.body.contains(&format!(r#"href="{path}""#)), "in the specialist's inbox");
        let r = post_action(&specialist, &p3, &id, "chuyen-tiep", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        // The leader at approval: the result (the system issues it signed: for an online
        // dossier that is the result document, no upload needed), the result file, the
        // extension, send back, stop; no forward.
        let leader = Browser::login(&app, "lanhdao").await;
        let p4 = leader.get(&path).await;
        assert_offers(&p4, &["ket-qua", "tep-ket-qua", "so-hoa-ket-qua", "gia-han", "tra-lai", "yeu-cau-bo-sung", "thong-bao-phi", "tu-choi-giai-quyet", "dung-xu-ly", "tep"], "leader, approval");
        let r = post_action(&leader, &p4, &id, "ket-qua", &[("name", "")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains(r##"href="#ket-qua-name""##), "{}", r.body);
        let r = post_action(&leader, &p4, &id, "ket-qua", &[("name", "Thẻ công chứng viên"), ("number", "15/2026/TCCV")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        // Back at the counter: return; by post it needs the tracking number.
        let p5 = clerk.get(&path).await;
        // The paper result is scanned and certified at the counter before it is handed back.
        assert_offers(&p5, &["tra-ket-qua", "so-hoa-ket-qua", "tep", "buu-chinh"], "counter, resolved");
        // The applicant asks for the result by post (QĐ 45/2016): an address outside the
        // province is refused next to its input; one of the province's wards is kept.
        let r = post_action(&clerk, &p5, &id, "buu-chinh", &[("result_by_post", "1"), ("recipient", "Nguyễn Văn An"),
            ("phone", "0912345678"), ("commune_code", "000.00.31.H26"), ("street", "Số 5, đường Trần Hưng Đạo")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains(r##"href="#buu-chinh-commune_code""##) && r.body.contains("không thuộc"), "{}", r.body);
        assert!(r.body.contains(r#"<option value="000.00.31.H40">Phường Hoa Lư</option>"#), "the province's wards: {}", r.body);
        let r = post_action(&clerk, &p5, &id, "buu-chinh", &[("result_by_post", "1"), ("recipient", "Nguyễn Văn An"),
            ("phone", "0912345678"), ("commune_code", "000.00.31.H40"), ("street", "Số 5, đường Trần Hưng Đạo")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let p5 = clerk.get(&path).await;
        assert!(p5.body.contains("Số 5, đường Trần Hưng Đạo, Phường Hoa Lư, Tỉnh Ninh Bình"), "{}", p5.body);
        assert_offers(&p5, &["giao-buu-chinh", "tra-ket-qua", "so-hoa-ket-qua", "tep", "buu-chinh"], "counter, result by post");
        let r = post_action(&clerk, &p5, &id, "giao-buu-chinh", &[("tracking_number", "EL123456789VN"), ("fee", "32.000")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let posted = clerk.get(&path).await;
        assert_offers(&posted, &["phat-thanh-cong", "phat-khong-thanh-cong", "so-hoa-ket-qua", "tep"], "counter, in transit");
        assert!(posted.body.contains("EL123456789VN") && posted.body.contains("Đang chuyển phát"), "{}", posted.body);
        assert!(posted.body.contains("/postal/label.pdf") && posted.body.contains("/postal/slip.pdf"), "print links");
        let r = post_action(&clerk, &posted, &id, "phat-khong-thanh-cong", &[("reason", "")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = post_action(&clerk, &posted, &id, "phat-khong-thanh-cong", &[("reason", "Không có người nhận")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Back at the counter, the result is handed over there.
        let p5 = clerk.get(&path).await;
        assert!(p5.body.contains("Không có người nhận"), "{}", p5.body);
        // By post is a hand-over to the post, then the delivery (issue #17): not a return method.
        let r = post_action(&clerk, &p5, &id, "tra-ket-qua", &[("method", "postal")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("bàn giao kết quả cho bưu chính"), "{}", r.body);
        let r = post_action(&clerk, &p5, &id, "tra-ket-qua", &[("method", "counter")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let done = clerk.get(&path).await;
        assert_offers(&done, &[], "returned");

        // The control slip: every hand-over with giver and step result.
        let slip = clerk.get(&format!("{path}/phieu-kiem-soat")).await;
        assert_eq!(slip.status, StatusCode::OK);
        for who in ["Lê Thị Thu Hà", "Nguyễn Minh Tuấn", "Đinh Văn Hùng"] {
            assert!(slip.body.contains(who), "{who} on the slip: {}", slip.body);
        }
        assert_eq!(slip.body.matches("<tr><td data-label=").count(), 4, "reception, two forwards, the result back to the counter");
        assert!(slip.body.contains("Trước hạn"), "steps done early");

        // The register (form 07) of that day, as a page and as CSV with a BOM.
        let reg = clerk.get("/can-bo/so-theo-doi?from=2026-03-02&to=2026-03-02").await;
        assert_eq!(reg.status, StatusCode::OK);
        assert!(reg.body.contains("000.00.20.H40-260302-0001") && reg.body.contains("Trần Thị Bình"), "{}", reg.body);
        assert!(!clerk.get("/can-bo/so-theo-doi?from=2026-03-03&to=2026-03-03").await.body.contains("000.00.20.H40-260302-0001"));
        let bad = clerk.get("/can-bo/so-theo-doi?from=2026-03-05&to=2026-03-02").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains(r##"href="#to""##));
        let r = clerk.http.get(format!("{}/can-bo/so-theo-doi.csv?from=2026-03-02&to=2026-03-02", clerk.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let bytes = r.bytes().await.unwrap();
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 byte-order mark");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.starts_with("STT,Mã hồ sơ,"), "{text}");
        assert!(text.contains(",000.00.20.H40-260302-0001,") && text.contains(",Đã trả kết quả,"), "{text}");
        assert_eq!(citizen_page.get("/can-bo/so-theo-doi").await.status, StatusCode::FORBIDDEN);
    }

    async fn the_competent_leader_refuses_after_appraisal_from_the_page(app) {
        // Issue #11 item 10 on the officer page: the commune leader, at the last step.
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan.hoalu").await;
        let (s, d) = clerk
            .post("/api/v1/dossiers", json!({"procedure_code": "1.004873",
                "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"},
                "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let id = d["id"].as_str().unwrap().to_string();
        let forward = |c: Client, d: Value| async move {
            let (s, d) = c.post(&format!("/api/v1/dossiers/{}/forward", d["id"].as_str().unwrap()), json!({"version": d["version"]})).await;
            assert_eq!(s, StatusCode::OK, "{d}");
            d
        };
        let d = forward(clerk, d).await;
        let specialist_page = Browser::login(&app, "chuyenvien.hoalu").await.get(&format!("/can-bo/ho-so/{id}")).await;
        assert!(!offered(&specialist_page).contains(&"tu-choi-giai-quyet".to_string()), "a specialist does not refuse");
        forward(app.login("chuyenvien.hoalu").await, d).await;
        let leader = Browser::login(&app, "lanhdao.hoalu").await;
        let p = leader.get(&format!("/can-bo/ho-so/{id}")).await;
        assert!(offered(&p).contains(&"tu-choi-giai-quyet".to_string()), "{:?}", offered(&p));
        // No reason: the form comes back with the error, nothing recorded.
        let before = events_of(&app, &id).await;
        let r = post_action(&leader, &p, &id, "tu-choi-giai-quyet", &[("reasons", "  ")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(events_of(&app, &id).await, before);
        let r = post_action(&leader, &p, &id, "tu-choi-giai-quyet", &[("reasons", "Không đủ điều kiện\nThiếu xác nhận cư trú"), ("basis", "Điều 22 Luật Hộ tịch")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let (_, d) = app.login("lanhdao.hoalu").await.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(d["dossier"]["national_status"], 9, "{d}");
        assert_eq!(d["dossier"]["appraisal_refusal"]["reasons"].as_array().map(Vec::len), Some(2), "{d}");
    }
}
