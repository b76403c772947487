//! What citizens hit (issue #10's user list) on the public and citizen pages: a refused
//! dossier says why, a fee notice says how much and how to pay, and a page address that does
//! not exist answers with an HTML page in the page's language, not the API's JSON.

use crate::browser::Browser;
use crate::pages_golden::file_online;
use motcua_testkit::{Client, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

const APPLICANT: [(&str, &str); 4] =
    [("name", "Nguyễn Văn An"), ("id_number", "037092001234"), ("phone", "0912345678"), ("address", "Phường Hoa Lư")];

async fn step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

async fn dossier(c: &Client, id: &str) -> Value {
    let (s, d) = c.get(&format!("/api/v1/dossiers/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["dossier"].clone()
}

both_backends! {
    async fn a_refused_citizen_sees_the_reasons(app) {
        let b = Browser::login(&app, "congdan").await;
        let id = file_online(&b, &APPLICANT, "don.pdf", false).await;
        let clerk = app.login("tiepnhan").await;
        let d = dossier(&clerk, &id).await;
        step(&clerk, &d, "refuse", json!({"reasons": ["Giấy tờ giả mạo", "Không thuộc thẩm quyền của cơ quan"]})).await;
        let p = b.get(&format!("/ho-so-cua-toi/{id}")).await;
        assert!(p.body.contains("Lý do từ chối tiếp nhận"), "{}", p.body);
        for reason in ["Giấy tờ giả mạo", "Không thuộc thẩm quyền của cơ quan"] {
            assert!(p.body.contains(&format!("<li>{reason}</li>")), "reason {reason}: {}", p.body);
        }
        let p = b.get(&format!("/ho-so-cua-toi/{id}?lang=en")).await;
        assert!(p.body.contains("Why it was refused"), "{}", p.body);
    }

    async fn the_fee_notice_shows_the_amounts_and_how_to_pay(app) {
        let b = Browser::login(&app, "congdan").await;
        let id = file_online(&b, &APPLICANT, "don.pdf", false).await;
        let clerk = app.login("tiepnhan").await;
        let d = step(&clerk, &dossier(&clerk, &id).await, "receive", json!({})).await;
        let d = step(&clerk, &d, "forward", json!({})).await;
        let specialist = app.login("chuyenvien").await;
        step(&specialist, &d, "fee-notices", json!({"items": [
            {"name": "Phí thẩm định", "amount": 100000}, {"name": "Lệ phí cấp thẻ", "amount": 50000}]})).await;
        let p = b.get(&format!("/ho-so-cua-toi/{id}")).await;
        assert!(p.body.contains(r#"id="fees-h""#), "{}", p.body);
        for shown in ["Phí thẩm định", "100.000 đồng", "Lệ phí cấp thẻ", "50.000 đồng", "150.000 đồng", "Cách nộp"] {
            assert!(p.body.contains(shown), "fee notice shows {shown}: {}", p.body);
        }
    }

    async fn page_addresses_that_do_not_exist_get_an_html_page(app) {
        let anon = Browser::new(&app);
        for (path, says) in [("/khong-co-trang-nay", "Không tìm thấy"), ("/ho-so-cua-toi/a/b/c?lang=en", "Not found"), ("/thu-tuc/mau/khong-co.docx", "Không tìm thấy")] {
            let p = anon.get(path).await;
            assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}");
            let ct = p.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
            assert!(ct.starts_with("text/html"), "{path}: {ct} {}", p.body);
            assert!(p.body.contains(says) && !p.body.contains(r#""code""#), "{path}: {}", p.body);
        }
        // A catalog filter the page does not know: the page's 422, in HTML.
        let p = anon.get("/thu-tuc?level=xyz").await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains("<html") && p.body.contains("Không thực hiện được"), "{}", p.body);
        // The API keeps its JSON.
        let (s, body) = app.client().get("/api/v1/khong-co").await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    }

    async fn search_spells_i_and_y_alike_and_ranks_exact_names_first(app) {
        // "dang ki khai sinh" (i for y) finds "Đăng ký khai sinh", and the procedure named
        // exactly that comes before longer names that contain it ("Liên thông … đăng ký khai sinh …").
        for q in ["dang+ki+khai+sinh", "dang+ky+khai+sinh", "%C4%91%C4%83ng+k%C3%AD+khai+sinh"] {
            let (s, b) = app.client().get(&format!("/api/v1/procedures?limit=20&q={q}")).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            let names: Vec<&str> = b["items"].as_array().unwrap().iter().filter_map(|i| i["name"].as_str()).collect();
            assert!(names.len() >= 3, "{q}: {names:?}");
            assert_eq!(names[0], "Đăng ký khai sinh", "{q}: {names:?}");
            // Then the names that begin with the phrase.
            assert!(names[1].starts_with("Đăng ký khai sinh"), "{q}: {names:?}");
        }
        // The catalog page shows the same order.
        let p = Browser::new(&app).get("/thu-tuc?q=dang+ki+khai+sinh").await;
        let first = p.body.find("Đăng ký khai sinh<").or_else(|| p.body.find("Đăng ký khai sinh</a>"));
        let other = p.body.find("Liên thông thủ tục hành chính về đăng ký khai sinh");
        assert!(first.is_some() && other.is_some() && first < other, "{}", p.body);
        // "y tế" and "ngay" have no other spelling: nothing widens beyond what was asked.
        let (_, none) = app.client().get("/api/v1/procedures?q=ngai+khai+sinh").await;
        assert_eq!(none["total"], 0, "{none}");
    }

    async fn tracking_accepts_a_lowercase_code_and_a_whole_phone_number(app) {
        let clerk = app.login("tiepnhan.hoalu").await;
        let (s, d) = clerk
            .post("/api/v1/dossiers", json!({"procedure_code": "1.004873",
                "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"},
                "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let code = d["code"].as_str().unwrap().to_string();
        let lower = code.to_lowercase();
        assert_ne!(lower, code, "the code has letters");
        for check in ["5678", "0912345678", "0912 345 678", "037092001234"] {
            let (s, t) = app.client().get(&format!("/api/v1/tracking/{lower}?check={}", check.replace(' ', "%20"))).await;
            assert_eq!(s, StatusCode::OK, "{check}: {t}");
        }
        // A whole number that is not the applicant's is still a wrong check.
        let (s, _) = app.client().get(&format!("/api/v1/tracking/{lower}?check=0912340000")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // The page takes them too.
        let p = Browser::new(&app).get(&format!("/tra-cuu?code={lower}&check=0912345678")).await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains(&code), "{}", p.body);
    }

    async fn a_supplement_needs_its_files_and_an_online_result_is_the_signed_document(app) {
        use crate::officer_pages::{PDF, online_submitted, vn};
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let citizen = app.login("congdan").await;
        let d = online_submitted(&citizen).await;
        let id = d["id"].as_str().unwrap().to_string();
        let clerk = app.login("tiepnhan").await;
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let d = step(&clerk, &d, "receive", json!({})).await;
        let d = step(&clerk, &d, "forward", json!({})).await;
        let specialist = app.login("chuyenvien").await;
        let d = step(&specialist, &d, "supplement-requests",
            json!({"items": [{"component_key": "anh_the", "name": "Ảnh chân dung", "reason": "Ảnh mờ"}]})).await;
        // Confirming with no new file for the requested component: refused, nothing recorded.
        let events = app.count("dossier_events").await;
        let (s, b) = citizen.post(&format!("/api/v1/dossiers/{id}/supplements"), json!({"version": d["version"]})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("supplement_file_missing")), "{b}");
        assert!(b["message_vi"].as_str().unwrap_or_default().contains("Ảnh chân dung"), "{b}");
        assert_eq!(app.count("dossier_events").await, events);
        let (s, d) = citizen.raw(reqwest::Method::PUT, &format!("/api/v1/dossiers/{id}/components/anh_the/files?name=anh-moi.pdf"), "application/pdf", PDF.to_vec()).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let d = step(&citizen, &d, "supplements", json!({})).await;
        let d = step(&specialist, &d, "forward", json!({})).await;
        // The signed result the system issues at resolution is the online dossier's result
        // document: resolved without an uploaded file, then returned online with it. (Without
        // the signed result an online dossier needs the file: the domain test
        // `the_signed_result_is_the_online_result_without_an_attached_file`.)
        let leader = app.login("lanhdao").await;
        let d = step(&leader, &d, "resolve", json!({"name": "Thẻ công chứng viên"})).await;
        assert_eq!(d["status"], "resolved");
        assert!(!d["files"].as_array().unwrap().iter().any(|f| f["component_key"] == "result"), "{d}");
        let (_, docs) = leader.get(&format!("/api/v1/dossiers/{id}/documents")).await;
        assert!(docs.as_array().unwrap().iter().any(|x| x["form"] == "KQ"), "{docs}");
        let d = step(&clerk, &d, "return", json!({"method": "online"})).await;
        assert_eq!(d["status"], "returned");
    }

    async fn the_citizen_gets_a_filing_reference_at_submission_to_track_the_dossier(app) {
        use crate::officer_pages::online_submitted;
        let citizen = app.login("congdan").await;
        let d = online_submitted(&citizen).await;
        let id = d["id"].as_str().unwrap().to_string();
        assert_eq!(d["status"], "submitted");
        assert!(d["code"].is_null(), "the code comes at reception");
        let reference = d["filing_reference"].as_str().unwrap_or_else(|| panic!("no reference: {d}")).to_string();
        assert!(reference.starts_with('N') && reference.len() == 16, "{reference}");
        // Public tracking before reception: the reference and the applicant's last four digits.
        let (s, t) = app.client().get(&format!("/api/v1/tracking/{}?check=5678", reference.to_lowercase())).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["status"], "submitted", "{t}");
        let (s, _) = app.client().get(&format!("/api/v1/tracking/{reference}?check=0000")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // The receipt page after submission shows it, and the tracking page finds it.
        let b = Browser::login(&app, "congdan").await;
        let receipt = b.get(&format!("/ho-so-cua-toi/{id}/bien-nhan")).await;
        assert!(receipt.body.contains("Mã nộp hồ sơ") && receipt.body.contains(&reference), "{}", receipt.body);
        let p = Browser::new(&app).get(&format!("/tra-cuu?code={reference}&check=5678")).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(p.body.contains(&reference), "{}", p.body);
        // Every reference is its own: a second submission gets another.
        let other = online_submitted(&citizen).await;
        assert_ne!(other["filing_reference"], d["filing_reference"]);
    }

    async fn a_refusal_before_reception_is_queued_to_the_national_portal(app) {
        // Issue #11 item 14 (its DVCQG part): an online dossier refused before it was received
        // is synced with national status 3, like every other change.
        use crate::officer_pages::online_submitted;
        let citizen = app.login("congdan").await;
        let d = online_submitted(&citizen).await;
        let id = d["id"].as_str().unwrap().to_string();
        let clerk = app.login("tiepnhan").await;
        step(&clerk, &d, "refuse", json!({"reasons": ["Không thuộc thẩm quyền"]})).await;
        let rows: Vec<String> = {
            let id = id.clone();
            app.ctx
                .store
                .read(move |db| {
                    db.query("SELECT payload FROM outbox WHERE topic = 'dvcqg.sync' AND dossier_id = $1", &[id.into()])?
                        .iter()
                        .map(|r| r.text(0))
                        .collect::<Result<Vec<_>, _>>()
                })
                .await
                .unwrap()
        };
        assert_eq!(rows.len(), 1, "{rows:?}");
        let p: Value = serde_json::from_str(&rows[0]).unwrap();
        assert_eq!((p["event"].as_str(), p["national_status"].as_i64()), (Some("refused"), Some(3)), "{p}");
        assert_eq!(p["filing_reference"], d["filing_reference"], "{p}");
    }
}
