//! The signed result document (issue #13), on both backends: resolving a dossier renders
//! its result from the procedure's template, the resolving leader signs it and the agency
//! seals it (two PAdES signatures); it is listed and downloaded like the forms and checked
//! with real tools: `pdftotext` (the text), `pdfsig` (two valid signatures, trusted once the
//! demo root is in an NSS database; one changed byte breaks them), `zbarimg` (the QR code
//! to the verification page). A revoked certificate refuses the command and writes nothing.
//! Administrators edit a procedure's template with a preview; a broken one is refused.
//!
//! Tools: poppler-utils, zbar-tools, libnss3-tools (`certutil`).

use crate::browser::Browser;
use crate::documents::{applicant, assert_lines, assert_text, bytes, listed, read_pdf, step, vn};
use motcua_testkit::{Client, TestApp, both_backends, both_backends_and_file_stores};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

const COMMUNE: &str = "1.004873";
const PROVINCE: &str = "1.910201.H40";

/// `pdfsig`'s report of a PDF, with an NSS database when given.
fn pdfsig(dir: &Path, pdf: &[u8], nss: Option<&Path>) -> String {
    let path = dir.join("checked.pdf");
    std::fs::write(&path, pdf).unwrap();
    let mut cmd = Command::new("pdfsig");
    if let Some(nss) = nss {
        cmd.arg("-nssdir").arg(format!("sql:{}", nss.display()));
    }
    let out = cmd.arg(&path).output().expect("pdfsig (poppler-utils)");
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// A throwaway NSS database trusting `root_pem` (`certutil -A -t "CT,C,C"`, as `crates/signing/tests` do; with `C,,` alone pdfsig reports the issuer untrusted).
fn nss_trusting(dir: &Path, root_pem: &str) -> std::path::PathBuf {
    let db = dir.join("nss");
    std::fs::create_dir_all(&db).unwrap();
    let sql = format!("sql:{}", db.display());
    let ok = |c: &mut Command| {
        let out = c.output().expect("certutil (libnss3-tools)");
        assert!(out.status.success(), "certutil: {}", String::from_utf8_lossy(&out.stderr));
    };
    ok(Command::new("certutil").args(["-N", "--empty-password", "-d", &sql]));
    let root = dir.join("root.pem");
    std::fs::write(&root, root_pem).unwrap();
    ok(Command::new("certutil").args(["-A", "-n", "motcua demo root", "-t", "CT,C,C", "-d", &sql]).arg("-i").arg(&root));
    db
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// The result document of a dossier (listed, downloaded by `c`), checked with the tools:
/// the text holds `want`, two valid and trusted signatures (leader then seal), a changed
/// byte breaks both, the QR code opens its verification page.
async fn check_result(app: &TestApp, c: &Client, d: &Value, want: &[&str], signers: [&str; 2]) -> Value {
    let id = d["id"].as_str().unwrap();
    let doc = listed(c, id).await.into_iter().find(|x| x["form"] == "KQ").expect("a result document");
    let doc_id = doc["id"].as_str().unwrap().to_string();
    let (s, ct, pdf) = bytes(c, &format!("/ho-so/{id}/giay-to/{doc_id}")).await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pdf"));
    let (_, _, api) = bytes(c, doc["href"].as_str().unwrap()).await;
    assert_eq!(api, pdf, "the page and the API serve the same bytes");
    let root = app.ctx.keys.root_pem().unwrap();
    let (want, signers): (Vec<String>, Vec<String>) =
        (want.iter().map(|s| s.to_string()).collect(), signers.iter().map(|s| s.to_string()).collect());
    let qr = tokio::task::spawn_blocking(move || {
        let r = read_pdf(&pdf);
        let want: Vec<&str> = want.iter().map(String::as_str).collect();
        assert_lines(
            &r,
            &["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"],
            "result",
        );
        assert_text(&r, &want, "result");
        let dir = tempfile::tempdir().unwrap();
        let out = pdfsig(dir.path(), &pdf, None);
        assert_eq!(count(&out, "Signature is Valid"), 2, "{out}");
        for s in &signers {
            assert!(out.contains(s.as_str()), "signer {s} in:\n{out}");
        }
        assert!(out.find(signers[0].as_str()) < out.find(signers[1].as_str()), "the leader signs first, then the seal:\n{out}");
        let nss = nss_trusting(dir.path(), &root);
        let out = pdfsig(dir.path(), &pdf, Some(&nss));
        assert_eq!((count(&out, "Signature is Valid"), count(&out, "Certificate is Trusted")), (2, 2), "{out}");
        // One changed byte (in the creator's name, covered by both signatures).
        let mut changed = pdf.clone();
        let at = changed.windows(6).position(|w| w == b"motcua").expect("the creator in the file");
        changed[at] = b'M';
        let out = pdfsig(dir.path(), &changed, Some(&nss));
        assert_eq!(count(&out, "Signature is Valid"), 0, "{out}");
        assert_eq!(count(&out, "Digest Mismatch"), 2, "{out}");
        r.qr
    })
    .await
    .unwrap();
    let prefix = format!("{}/xac-thuc/{doc_id}?ho-so={}&thu-tuc=", app.ctx.config.public_url(), d["code"].as_str().unwrap());
    assert!(qr.starts_with(&prefix), "QR {qr:?} does not start with {prefix:?}");
    assert_eq!(qr, doc["verification_url"].as_str().unwrap());
    doc
}

/// Rows a command writes: events, documents, files.
async fn counts(app: &TestApp) -> (i64, i64, i64) {
    (app.count("dossier_events").await, app.count("documents").await, app.count("files").await)
}

/// A commune dossier received at Hoa Lư's counter, forwarded to the leader.
async fn commune_at_leader(app: &TestApp) -> (Value, Client) {
    let clerk = app.login("tiepnhan.hoalu").await;
    let (s, d) = clerk
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": COMMUNE, "applicant": applicant(), "components": [
            {"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let d = step(&clerk, &d, "forward", json!({})).await;
    let d = step(&app.login("chuyenvien.hoalu").await, &d, "forward", json!({})).await;
    (d, app.login("lanhdao.hoalu").await)
}

// The issued documents are stored and read back through the file store: on the filesystem
// and on an S3-compatible server (issue #19).
both_backends_and_file_stores! {
    async fn a_commune_leader_signs_and_the_commune_seals_the_result(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (d, leader) = commune_at_leader(&app).await;
        let code = d["code"].as_str().unwrap().to_string();
        app.ctx.clock.set(vn("2026-03-04T10:30:00"));
        let d = step(&leader, &d, "resolve", json!({"name": "Giấy xác nhận tình trạng hôn nhân", "number": "12/2026/XNHN"})).await;
        assert_eq!(d["status"], "resolved");
        let doc = check_result(&app, &leader, &d, &[
            "ỦY BAN NHÂN DÂN PHƯỜNG HOA LƯ",
            "Số: 01/KQ-000.00.31.H40",
            "Hoa Lư, ngày 04 tháng 03 năm 2026",
            &format!("mã hồ sơ {code}"),
            "Tên tổ chức, cá nhân: Nguyễn Văn An",
            "Kết quả giải quyết: Giấy xác nhận tình trạng hôn nhân, số 12/2026/XNHN.",
            "Hoàn thành giải quyết vào lúc 10 giờ 30 phút, ngày 04/03/2026 (trước hạn).",
            "THỦ TRƯỞNG CƠ QUAN",
            "Ngô Đức Thắng",
        ], ["Ngô Đức Thắng", "Ủy ban nhân dân phường Hoa Lư"]).await;
        assert_eq!((doc["number"].as_str(), doc["name"].as_str()), (Some("01/KQ-000.00.31.H40"), Some("Giấy xác nhận tình trạng hôn nhân")));
        // The applicant's clerk (who may read the dossier) downloads it too; the officer page lists it.
        let clerk = app.login("tiepnhan.hoalu").await;
        let (s, _, _) = bytes(&clerk, doc["href"].as_str().unwrap()).await;
        assert_eq!(s, StatusCode::OK);
        let (_, _, html) = bytes(&clerk, &format!("/can-bo/ho-so/{}", d["id"].as_str().unwrap())).await;
        assert!(String::from_utf8(html).unwrap().contains("Kết quả giải quyết (đã ký số) – Giấy xác nhận tình trạng hôn nhân"));
        // Another commune's officer does not.
        let (s, _, _) = bytes(&app.login("admin.tamdiep").await, doc["href"].as_str().unwrap()).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    async fn the_signed_result_verifies_publicly_and_reads_revoked_after_revocation(app) {
        // From resolution to the public page: the QR's link, the printed number and an
        // uploaded copy all find the signed result; the CA's revocation shows there.
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (d, leader) = commune_at_leader(&app).await;
        app.ctx.clock.set(vn("2026-03-04T10:30:00"));
        let d = step(&leader, &d, "resolve", json!({"name": "Giấy xác nhận tình trạng hôn nhân"})).await;
        let doc = listed(&leader, d["id"].as_str().unwrap()).await.into_iter().find(|x| x["form"] == "KQ").unwrap();
        let doc_id = doc["id"].as_str().unwrap();
        let anon = app.client();
        let (s, v) = anon.get(&format!("/api/v1/verification/{doc_id}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["verdict"].as_str(), v["reason_code"].as_str()), (Some("valid"), Some("issued_signed")), "{v}");
        let signers: Vec<&str> = v["documents"][0]["signers"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
        assert_eq!(signers, ["Ngô Đức Thắng", "Ủy ban nhân dân phường Hoa Lư"]);
        let (_, v) = anon.post("/api/v1/verification", json!({"number": doc["number"]})).await;
        assert_eq!((v["verdict"].as_str(), v["documents"][0]["id"].as_str()), (Some("valid"), Some(doc_id)), "{v}");
        let qr = doc["verification_url"].as_str().unwrap().strip_prefix(&app.ctx.config.public_url()).unwrap().to_string();
        let html = reqwest::get(format!("{}{qr}", app.url)).await.unwrap().text().await.unwrap();
        assert!(html.contains("Hợp lệ") && html.contains("Ngô Đức Thắng"), "{html}");
        assert!(!html.contains("037092001234") && !html.contains("0912345678"), "no ID number or phone on the public page");

        let serial = app.ctx.keys.personal_identity("lanhdao.hoalu").unwrap().serial;
        app.ctx.keys.revoke(&serial, jiff::Timestamp::now()).unwrap();
        let (_, v) = anon.get(&format!("/api/v1/verification/{doc_id}")).await;
        assert_eq!((v["verdict"].as_str(), v["reason_code"].as_str()), (Some("revoked"), Some("certificate_revoked")), "{v}");
        let html = reqwest::get(format!("{}{qr}", app.url)).await.unwrap().text().await.unwrap();
        assert!(html.contains("Chứng thư số đã bị thu hồi"), "{html}");
    }

    async fn a_revoked_leader_certificate_refuses_the_resolution_and_writes_nothing(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (d, leader) = commune_at_leader(&app).await;
        let serial = app.ctx.keys.personal_identity("lanhdao.hoalu").unwrap().serial;
        app.ctx.keys.revoke(&serial, jiff::Timestamp::from_millisecond(vn("2026-03-03T08:00:00")).unwrap()).unwrap();
        app.ctx.clock.set(vn("2026-03-04T10:30:00"));
        let before = counts(&app).await;
        let files_before = app.stored_files().len();
        let id = d["id"].as_str().unwrap();
        let (s, b) = leader.post(&format!("/api/v1/dossiers/{id}/resolve"), json!({"version": d["version"], "name": "Giấy xác nhận"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("cert_revoked")), "{b}");
        assert_eq!(b["message_vi"], "Chứng thư số của người ký đã bị thu hồi.");
        assert_eq!(counts(&app).await, before, "no event, document or file row");
        assert_eq!(app.stored_files().len(), files_before, "no bytes left behind");
        let (_, still) = leader.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!((still["dossier"]["status"].as_str(), &still["dossier"]["version"]), (Some("in_progress"), &d["version"]), "{still}");
        assert!(listed(&leader, id).await.iter().all(|x| x["form"] != "KQ"));

        // A leader without a certificate: 409 signing_key_missing, nothing written either.
        let holders = app.ctx.config.pki_dir().join("holders.json");
        let text = std::fs::read_to_string(&holders).unwrap().replace("\"lanhdao.hoalu\"", "\"someone.else\"");
        std::fs::write(&holders, text).unwrap();
        app.ctx.keys.reload().unwrap();
        let (s, b) = leader.post(&format!("/api/v1/dossiers/{id}/resolve"), json!({"version": d["version"], "name": "Giấy xác nhận"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("signing_key_missing")), "{b}");
        assert_eq!(counts(&app).await, before);
    }

}

both_backends! {
    async fn a_province_result_uses_the_procedure_template_and_rsa_keys(app) {
        // The administrator edits the template: preview, a broken one refused, then saved.
        let admin = Browser::login(&app, "admin").await;
        let path = format!("/quan-tri/thu-tuc/{PROVINCE}/mau-ket-qua");
        let page = admin.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("Đang áp dụng mẫu mặc định của hệ thống."), "{}", page.body);
        let csrf = page.csrf();
        let own = motcua_app::usecases::dossiers::builtin_result_template()
            .replace("#heading-block()", "#heading-block()\nMẫu kết quả riêng của Sở Tư pháp");
        let form = |body: &str| [("csrf_token", csrf.clone()), ("body", body.to_string()), ("dossier_id", String::new())];
        let (s, ct, pdf) = admin.post_bytes(&format!("{path}/xem-truoc"), &form(&own)).await;
        assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pdf"));
        let text = tokio::task::spawn_blocking(move || read_pdf(&pdf).text).await.unwrap();
        assert!(text.contains("Mẫu kết quả riêng của Sở Tư pháp") && text.contains("Nguyễn Thị Hồng Nhung"), "sample data: {text}");
        assert_eq!(app.count("result_templates").await, 0, "a preview saves nothing");
        for target in [format!("{path}/xem-truoc"), path.clone()] {
            let p = admin.post(&target, &form("#import \"common.typ\": *\n#data.no_such_field\n")).await;
            assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
            assert!(p.body.contains("Mẫu kết quả có lỗi, chưa được lưu: ket-qua.typ:2:") && p.body.contains("no_such_field"), "{}", p.body);
        }
        let p = admin.post(&path, &form(&"x".repeat(motcua_app::usecases::dossiers::MAX_TEMPLATE_BYTES + 1))).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains("quá giới hạn"), "{}", p.body);
        assert_eq!(app.count("result_templates").await, 0, "nothing saved");
        let p = admin.post(&path, &form(&own)).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert_eq!(app.count("result_templates").await, 1);
        assert!(admin.get(&path).await.body.contains("Đang áp dụng phiên bản 1."));

        // An online dossier at the provincial centre, resolved by the department's leader.
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let citizen = app.login("congdan").await;
        let d = crate::officer_pages::online_submitted(&citizen).await;
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan").await;
        let d = step(&clerk, &d, "receive", json!({})).await;
        let d = step(&clerk, &d, "forward", json!({})).await;
        let specialist = app.login("chuyenvien").await;
        let d = step(&specialist, &d, "forward", json!({})).await;
        // Online: the result file is still uploaded before resolving (OnlineResultFiled).
        app.ctx.clock.set(vn("2026-03-05T15:00:00"));
        let leader = app.login("lanhdao").await;
        let (s, d) = crate::dossiers::upload(&leader, &d, "result", "application/pdf", "the-ccv.pdf", motcua_testkit::files::PDF).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let d = step(&leader, &d, "resolve", json!({"name": "Thẻ công chứng viên", "number": "15/2026/TCCV"})).await;
        check_result(&app, &citizen, &d, &[
            "SỞ TƯ PHÁP TỈNH NINH BÌNH",
            "Mẫu kết quả riêng của Sở Tư pháp",
            "Kết quả giải quyết: Thẻ công chứng viên, số 15/2026/TCCV.",
            "Đinh Văn Hùng",
        ], ["Đinh Văn Hùng", "Sở Tư pháp"]).await;
    }
}
