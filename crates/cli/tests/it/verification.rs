//! Public verification of issued documents (issue #13), on both backends: a received
//! dossier's receipt (form 01, unsigned) verifies by the path its QR code holds and by its
//! number, and reads "altered" once its stored copy changes; an uploaded exact copy is the document, a copy with one byte changed is none of
//! ours, a file that is not a PDF or is cut short gets 422 with its code. A signed document
//! (the leader, then the agency's seal) lists both signers, shows its leader's certificate
//! revoked once the CA revokes it, and a byte changed inside the signed range makes an
//! uploaded copy "altered". Pages never show the applicant's ID number, phone or address;
//! the door answers 429 with `Retry-After`; the pages pass axe.

use crate::officer_pages::vn;
use motcua_signing::{SignMeta, sign_pdf};
use motcua_store::repo::documents::{self as docs, DocumentRecord};
use motcua_testkit::browser::Browser;
use motcua_testkit::{Client, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Xác nhận tình trạng hôn nhân: commune level.
const COMMUNE: &str = "1.004873";
const ID_NUMBER: &str = "037092001234";
const PHONE: &str = "0912345678";
const ADDRESS: &str = "Số 5 phố Tràng An";

/// A dossier received at Hoa Lư's counter; returns (dossier, its form 01 as listed).
async fn received(app: &TestApp) -> (Value, Value) {
    let clerk = app.login("tiepnhan.hoalu").await;
    let (s, d) = clerk
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": COMMUNE, "applicant": {"name": "Nguyễn Văn An", "id_number": ID_NUMBER,
            "phone": PHONE, "address": format!("{ADDRESS}, phường Hoa Lư")}, "components": [
            {"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let (s, list) = clerk.get(&format!("/api/v1/dossiers/{}/documents", d["id"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let receipt = list.as_array().unwrap().iter().find(|x| x["form"] == "01").expect("form 01").clone();
    (d, receipt)
}

/// The stored bytes of a document (as an officer downloads them).
async fn pdf_of(app: &TestApp, doc: &Value) -> Vec<u8> {
    let clerk = app.login("tiepnhan.hoalu").await;
    let r = clerk.http.get(format!("{}{}", app.url, doc["href"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.bytes().await.unwrap().to_vec()
}

/// The QR code's link as a path on the test server.
fn qr_path(app: &TestApp, doc: &Value) -> String {
    doc["verification_url"].as_str().unwrap().strip_prefix(&app.ctx.config.public_url()).expect("the public URL").to_string()
}

/// Uploads a file to the API: (status, body).
async fn upload(c: &Client, bytes: Vec<u8>) -> (StatusCode, Value) {
    let boundary = "motcua-verification-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"giay-to.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    c.raw(reqwest::Method::POST, "/api/v1/verification", &format!("multipart/form-data; boundary={boundary}"), body).await
}

/// Uploads a file to the page: (status, HTML).
async fn upload_page(app: &TestApp, bytes: Vec<u8>) -> (StatusCode, String) {
    let boundary = "motcua-page-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"giay-to.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = reqwest::Client::new()
        .post(format!("{}/xac-thuc", app.url))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = reqwest::get(format!("{}{path}", app.url)).await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Nothing personal beyond what is printed: no ID number, phone or address, ever.
fn assert_no_personal_data(html: &str) {
    for secret in [ID_NUMBER, PHONE, ADDRESS, "Tràng An"] {
        assert!(!html.contains(secret), "the page shows {secret:?}");
    }
}

/// The PDF with one byte changed where its structure does not notice: in the binary
/// comment of its second line (which every signature covers).
fn one_byte_changed(pdf: &[u8]) -> Vec<u8> {
    let mut out = pdf.to_vec();
    let line2 = out.iter().position(|&b| b == b'\n').unwrap() + 1;
    assert_eq!(out[line2], b'%', "the second line is the binary comment");
    out[line2 + 1] ^= 0x01;
    out
}

fn refusal_code(b: &Value) -> &str {
    b["fields"][0]["code"].as_str().or(b["code"].as_str()).unwrap_or("")
}

both_backends! {
    async fn a_receipt_verifies_by_its_qr_link_and_by_its_number(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (d, receipt) = received(&app).await;
        let code = d["code"].as_str().unwrap();
        let anon = app.client();

        // The QR code's link, through the API: valid, issued by the system without signature.
        let path = qr_path(&app, &receipt);
        let doc_id = receipt["id"].as_str().unwrap();
        assert!(path.starts_with(&format!("/xac-thuc/{doc_id}?ho-so={code}&thu-tuc={COMMUNE}&giay-to=")), "{path}");
        let query = path.split_once('?').unwrap().1;
        let (s, v) = anon.get(&format!("/api/v1/verification/{doc_id}?{query}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["verdict"].as_str(), v["reason_code"].as_str()), (Some("valid"), Some("issued_unsigned")), "{v}");
        assert_eq!(v["verdict_label_vi"], "Hợp lệ");
        assert_eq!(v["link_mismatch"], json!([]));
        let doc = &v["documents"][0];
        assert_eq!(doc["id"], doc_id);
        assert_eq!(doc["name"], "Giấy tiếp nhận hồ sơ và hẹn trả kết quả");
        assert_eq!(doc["number"], code);
        // A counter issues in its service centre's name (as the form's heading prints it).
        assert_eq!(doc["agency"], "Trung tâm Phục vụ hành chính công phường Hoa Lư");
        assert_eq!(doc["issued_at"], "2026-03-02T09:00:00+07:00");
        assert_eq!((doc["dossier_code"].as_str(), doc["procedure_code"].as_str()), (Some(code), Some(COMMUNE)));
        assert_eq!(doc["procedure_name"], d["procedure"]["name"]);
        assert_eq!(doc["applicant_name"], "Nguyễn Văn An", "whoever holds the document sees the name it prints");
        assert_eq!(doc["signers"], json!([]));
        assert_no_personal_data(&v.to_string());

        // The page of the QR code.
        let (s, html) = page(&app, &path).await;
        assert_eq!(s, StatusCode::OK);
        for want in ["Hợp lệ", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", code, "Trung tâm Phục vụ hành chính công phường Hoa Lư", "02/03/2026",
            COMMUNE, "Nguyễn Văn An", "không có chữ ký số"] {
            assert!(html.contains(want), "no {want:?} in the page");
        }
        assert_no_personal_data(&html);
        let (_, en) = page(&app, &format!("{path}&lang=en")).await;
        assert!(en.contains("Valid") && en.contains("Verification result"), "English page");

        // A link whose printed fields were changed says so.
        let (_, v) = anon.get(&format!("/api/v1/verification/{doc_id}?ho-so=000.01.31.H40-260302-0099&thu-tuc={COMMUNE}")).await;
        assert_eq!(v["link_mismatch"], json!(["ho-so"]), "{v}");

        // By number (the receipt and the control slip carry the dossier code): both, no name.
        let (s, v) = anon.post("/api/v1/verification", json!({"number": format!("Số: {}", code.to_lowercase())})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["verdict"], "valid");
        let forms: Vec<&str> = v["documents"].as_array().unwrap().iter().map(|x| x["form"].as_str().unwrap()).collect();
        assert_eq!(forms, ["01", "06"]);
        assert!(v["documents"].as_array().unwrap().iter().all(|x| x["applicant_name"].is_null()), "a number does not prove holding the document");
        let (s, html) = page(&app, &format!("/xac-thuc?so={code}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("Hợp lệ") && html.contains("Phiếu kiểm soát quá trình giải quyết hồ sơ"));
        assert!(!html.contains("Nguyễn Văn An"), "no name by number");
        assert_no_personal_data(&html);

        // Unknown id, unknown number: not found / not issued by the system.
        let (s, v) = anon.get("/api/v1/verification/0190c0de-0000-7000-8000-000000000001").await;
        assert_eq!((s, v["verdict"].as_str()), (StatusCode::OK, Some("unknown")), "{v}");
        let (_, html) = page(&app, "/xac-thuc/0190c0de-0000-7000-8000-000000000001").await;
        assert!(html.contains("Không tìm thấy / không do hệ thống cấp"));
        let (_, v) = anon.post("/api/v1/verification", json!({"number": "99/QĐ-UBND"})).await;
        assert_eq!((v["verdict"].as_str(), v["reason_code"].as_str()), (Some("unknown"), Some("not_found")));

        // Bad input: 422 with the code, on the field.
        let (s, b) = anon.post("/api/v1/verification", json!({"number": "  "})).await;
        assert_eq!((s, refusal_code(&b)), (StatusCode::UNPROCESSABLE_ENTITY, "number_required"), "{b}");
        let (s, b) = anon.post("/api/v1/verification", json!({"number": "x".repeat(101)})).await;
        assert_eq!((s, refusal_code(&b)), (StatusCode::UNPROCESSABLE_ENTITY, "number_invalid"), "{b}");
        let (s, html) = page(&app, "/xac-thuc?so=").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Nhập số ký hiệu ghi trên giấy tờ.") && html.contains("aria-invalid=\"true\""));

        // The stored copy changed behind the system's back: it no longer vouches for the paper.
        let sha = receipt["sha256"].as_str().unwrap();
        let stored = app.ctx.config.files_dir().join(&sha[..2]).join(sha);
        let mut bytes = std::fs::read(&stored).expect("the file store keeps <sha[..2]>/<sha>");
        bytes.push(b'\n');
        std::fs::write(&stored, bytes).unwrap();
        let (_, v) = anon.get(&format!("/api/v1/verification/{doc_id}")).await;
        assert_eq!((v["verdict"].as_str(), v["reason_code"].as_str()), (Some("altered"), Some("stored_copy_mismatch")), "{v}");
        let (_, html) = page(&app, &path).await;
        assert!(html.contains("Đã bị thay đổi"));
    }
}

both_backends! {
    async fn uploaded_copies_exact_changed_and_not_a_pdf(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (_, receipt) = received(&app).await;
        let pdf = pdf_of(&app, &receipt).await;
        let anon = app.client();

        // An exact copy is the document.
        let (s, v) = upload(&anon, pdf.clone()).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["verdict"].as_str(), v["reason_code"].as_str()), (Some("valid"), Some("issued_unsigned")), "{v}");
        assert_eq!(v["documents"][0]["id"], receipt["id"]);
        assert_eq!(v["documents"][0]["applicant_name"], "Nguyễn Văn An");
        let (s, html) = upload_page(&app, pdf.clone()).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("Hợp lệ") && html.contains("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"));
        assert_no_personal_data(&html);

        // One byte changed: no longer the document, and unsigned, so nothing vouches for it.
        let (s, v) = upload(&anon, one_byte_changed(&pdf)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["verdict"].as_str(), v["reason_code"].as_str()), (Some("unknown"), Some("not_issued_unsigned")), "{v}");
        assert_eq!(v["documents"], json!([]));

        // Not a PDF, a PDF cut short, nothing: 422 with the code, nothing stored.
        let files = app.count("files").await;
        for (bytes, want) in [
            (b"Hello, this is plain text, not a PDF.".to_vec(), "not_a_pdf"),
            (motcua_testkit::files::pdf_truncated(), "pdf_malformed"),
            (pdf[..pdf.len() / 2].to_vec(), "pdf_malformed"),
            (Vec::new(), "file_required"),
        ] {
            let (s, b) = upload(&anon, bytes.clone()).await;
            assert_eq!((s, refusal_code(&b)), (StatusCode::UNPROCESSABLE_ENTITY, want), "{b}");
            assert!(b["message_vi"].as_str().is_some_and(|m| !m.is_empty()));
            if !bytes.is_empty() {
                let (s, html) = upload_page(&app, bytes).await;
                assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{want}");
                assert!(html.contains("error-summary") && html.contains("href=\"#file\""), "{want}");
            }
        }
        assert_eq!(app.count("files").await, files, "verification stores nothing");

        // Past the limit: 413 as soon as it is passed.
        let big = motcua_testkit::files::pdf_of_size(b'x', 21_000_000);
        let (s, b) = upload(&anon, big).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("file_too_large")), "{b}");
    }
}

/// Signs a stored form with the leader's certificate, then the agency's seal, and stores
/// it as a document of the dossier (what issuing a signed result does). Returns its id and
/// its bytes.
async fn signed_document(app: &TestApp, dossier: &Value, form: &Value) -> (String, Vec<u8>) {
    let unsigned = pdf_of(app, form).await;
    let hoalu = app.agency_id("000.00.31.H40").await;
    let keys = app.ctx.keys.clone();
    let crl = keys.crl();
    let now = jiff::Timestamp::now();
    let meta = |reason, name| SignMeta { reason, location: "Hoa Lư", name, time: now, tsa: None, crl: crl.as_ref() };
    let leader = keys.personal_identity("lanhdao.hoalu").unwrap().name;
    let seal = keys.seal_identity(&hoalu).unwrap().name;
    let once = sign_pdf(&unsigned, &keys.personal("lanhdao.hoalu").unwrap(), meta("Phê duyệt kết quả", &leader)).unwrap();
    let signed = sign_pdf(&once, &keys.seal(&hoalu).unwrap(), meta("Đóng dấu", &seal)).unwrap();
    let (sha, _) = app.ctx.files.put(&signed).unwrap();
    let id = motcua_store::repo::new_id();
    let rec = DocumentRecord {
        id: id.clone(),
        dossier_id: dossier["id"].as_str().unwrap().to_string(),
        event_seq: 1000,
        form: "KQ".into(),
        name: "Giấy xác nhận tình trạng hôn nhân".into(),
        number: "15/GXN-000.00.31.H40".into(),
        agency_id: hoalu,
        sha256: sha.clone(),
        size: signed.len() as i64,
        qr: String::new(),
        created_at: app.ctx.clock.now_ms(),
        created_by: app.user_id("lanhdao.hoalu").await,
    };
    let size = rec.size;
    let at = rec.created_at;
    app.ctx
        .store
        .write(move |db| {
            motcua_store::repo::dossiers::add_file(db, &sha, size, "application/pdf", at)?;
            docs::insert(db, &rec)
        })
        .await
        .unwrap();
    (id, signed)
}

both_backends! {
    async fn a_signed_document_lists_its_signers_then_shows_revocation_and_alteration(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (d, receipt) = received(&app).await;
        let (id, signed) = signed_document(&app, &d, &receipt).await;
        let anon = app.client();

        let (s, v) = anon.get(&format!("/api/v1/verification/{id}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["verdict"].as_str(), v["reason_code"].as_str()), (Some("valid"), Some("issued_signed")), "{v}");
        let signers = v["documents"][0]["signers"].as_array().unwrap().clone();
        assert_eq!(signers.len(), 2, "{signers:?}");
        let leader = app.ctx.keys.personal_identity("lanhdao.hoalu").unwrap();
        assert_eq!((signers[0]["name"].as_str(), signers[0]["role"].as_str()), (Some(leader.name.as_str()), Some("personal")));
        assert_eq!((signers[1]["name"].as_str(), signers[1]["role"].as_str()), (Some("Ủy ban nhân dân phường Hoa Lư"), Some("seal")));
        assert_eq!(signers[0]["serial"], leader.serial);
        for s in &signers {
            assert!(s["intact"] == true && s["revoked"] == false && s["signed_at"].is_string(), "{s}");
            assert!(s["timestamp_at"].is_null(), "no TSA configured: {s}");
        }
        let (_, v) = anon.post("/api/v1/verification", json!({"number": "15/gxn-000.00.31.h40"})).await;
        assert_eq!((v["verdict"].as_str(), v["documents"][0]["id"].as_str()), (Some("valid"), Some(id.as_str())), "{v}");
        let (_, html) = page(&app, &format!("/xac-thuc/{id}")).await;
        for want in ["Hợp lệ", "Chữ ký số cá nhân", "Con dấu của cơ quan", leader.name.as_str(), "15/GXN-000.00.31.H40"] {
            assert!(html.contains(want), "no {want:?} in the page");
        }
        assert_no_personal_data(&html);

        // One byte changed inside the signed range (the file's binary comment line, which
        // both signatures cover): the signatures of our CA no longer match, so "altered".
        let altered = one_byte_changed(&signed);
        let (s, v) = upload(&anon, altered.clone()).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["verdict"].as_str(), v["reason_code"].as_str()), (Some("altered"), Some("signature_mismatch")), "{v}");
        assert_eq!(v["found_signatures"].as_array().unwrap().len(), 2);
        assert!(v["found_signatures"].as_array().unwrap().iter().all(|s| s["intact"] == false), "{v}");
        let (_, html) = upload_page(&app, altered).await;
        assert!(html.contains("Đã bị thay đổi"));
        // The signed copy itself, uploaded, is the document.
        let (_, v) = upload(&anon, signed.clone()).await;
        assert_eq!((v["verdict"].as_str(), v["documents"][0]["id"].as_str()), (Some("valid"), Some(id.as_str())), "{v}");

        // The CA revokes the leader's certificate: the document now says so, and since when.
        let revoked_at = jiff::Timestamp::now();
        app.ctx.keys.revoke(&leader.serial, revoked_at).unwrap();
        let (_, v) = anon.get(&format!("/api/v1/verification/{id}")).await;
        assert_eq!((v["verdict"].as_str(), v["reason_code"].as_str()), (Some("revoked"), Some("certificate_revoked")), "{v}");
        let s0 = &v["documents"][0]["signers"][0];
        assert_eq!(s0["revoked"], true);
        let when: jiff::Timestamp = s0["revoked_at"].as_str().expect("the CRL's time").parse().unwrap();
        assert_eq!(when.as_second(), revoked_at.as_second());
        assert_eq!(v["documents"][0]["signers"][1]["revoked"], false, "the seal is not revoked");
        let (_, html) = page(&app, &format!("/xac-thuc/{id}")).await;
        assert!(html.contains("Chứng thư số đã bị thu hồi"), "the page says the certificate is revoked");
        assert!(html.contains(&motcua_app::error::hanoi_time(revoked_at.as_millisecond())), "and since when");
    }
}

both_backends! {
    async fn the_verification_door_answers_429_per_address(app) {
        // The clock stands still: no token comes back during the test.
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let anon = app.client();
        let allowed = app.ctx.config.verification.per_address_per_minute;
        assert!(allowed > 0, "a limit by default");
        for _ in 0..allowed {
            assert_eq!(anon.get("/api/v1/verification/x").await.0, StatusCode::OK);
        }
        let r = anon.http.get(format!("{}/api/v1/verification/x", app.url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: i64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        let b: Value = r.json().await.unwrap();
        assert_eq!(b["code"], "too_many_requests");
        // The page and the upload share the door, and refuse before reading the file.
        let (s, _) = page(&app, "/xac-thuc?so=1").await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        let (s, _) = upload_page(&app, vec![b'x'; 1000]).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        // The form itself is not a verification; another address has its own bucket.
        assert_eq!(page(&app, "/xac-thuc").await.0, StatusCode::OK);
        let other = app.client_from(std::net::Ipv4Addr::new(127, 0, 0, 2));
        assert_eq!(other.get("/api/v1/verification/x").await.0, StatusCode::OK);
    }
}

both_backends! {
    async fn verification_pages_pass_axe(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (d, receipt) = received(&app).await;
        let b = Browser::start(&app).await;
        let path = qr_path(&app, &receipt);
        for p in ["/xac-thuc".to_string(), "/xac-thuc?lang=en".to_string(), path.clone(), format!("{path}&lang=en"),
            format!("/xac-thuc?so={}", d["code"].as_str().unwrap()), "/xac-thuc?so=".to_string(), "/xac-thuc/khong-co".to_string()] {
            b.open(&p).await;
            b.axe().await;
        }
        b.quit().await;
    }
}
