//! Digitization (issue #13, TT 01/2023, REQ-13), on both backends: the reception officer
//! scans a paper component and certifies the electronic copy with a detached CMS signature
//! by their personal certificate; `openssl cms -verify` accepts the stored `.p7s` over the
//! scan with the demo root and rejects it over a changed file; the dossier records who
//! certified what and when; a component TT 01/2023 leaves out cannot be digitized and is not
//! counted; a revoked certificate or an empty scan changes nothing; the KPI counters move.

use motcua_testkit::{Client, TestApp, both_backends, files};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::process::Command;

/// Xác nhận tình trạng hôn nhân: commune level; its identity paper is shown only.
const COMMUNE: &str = "1.004873";

fn vn(s: &str) -> i64 {
    format!("{s}+07:00").parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

async fn received(clerk: &Client) -> Value {
    let (s, d) = clerk
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": COMMUNE, "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234"},
                "components": [{"key": "to_khai", "provided": true, "originals": 1}, {"key": "giay_to_tuy_than", "provided": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d
}

async fn digitize(c: &Client, id: &str, key: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    c.raw(Method::POST, &format!("/api/v1/dossiers/{id}/components/{key}/digitize?name=to-khai.pdf"), "application/pdf", bytes)
        .await
}

async fn bytes(c: &Client, path: &str) -> (StatusCode, String, Vec<u8>) {
    let r = c.http.get(format!("{}{path}", c.base)).send().await.unwrap();
    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (r.status(), ct, r.bytes().await.unwrap().to_vec())
}

/// `openssl cms -verify` of `p7s` over `content` with the demo root: (accepted, output).
fn openssl_verify(app: &TestApp, content: &[u8], p7s: &[u8]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let (file, sig, root) = (dir.path().join("scan.pdf"), dir.path().join("scan.p7s"), dir.path().join("root.pem"));
    std::fs::write(&file, content).unwrap();
    std::fs::write(&sig, p7s).unwrap();
    std::fs::write(&root, app.ctx.keys.root_pem().unwrap()).unwrap();
    let out = Command::new("openssl")
        .args(["cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-out", "/dev/null"])
        .arg("-in")
        .arg(&sig)
        .arg("-content")
        .arg(&file)
        .arg("-CAfile")
        .arg(&root)
        .output()
        .expect("openssl could not run: install the Debian package openssl");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// The blobs in the file store (`<files>/<2 hex>/<sha>`).
fn stored(app: &TestApp) -> usize {
    let Ok(dirs) = std::fs::read_dir(app.ctx.config.files_dir()) else { return 0 };
    dirs.flatten().filter_map(|d| std::fs::read_dir(d.path()).ok()).map(|f| f.count()).sum()
}

async fn kpi(app: &TestApp) -> Value {
    let admin = app.login("giamsat").await;
    let (s, k) = admin.get("/api/v1/kpi?from=2026-03-02&to=2026-03-02").await;
    assert_eq!(s, StatusCode::OK, "{k}");
    k
}

both_backends! {
    async fn an_officer_certifies_a_scan_that_openssl_verifies(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan.hoalu").await;
        let d = received(&clerk).await;
        let id = d["id"].as_str().unwrap();
        // At reception: the identity paper is out of scope, the form is in.
        let comps = d["components"].as_array().unwrap();
        assert_eq!(comps[0]["digitized"], false);
        assert_eq!(comps[3]["digitization"], json!({"excluded": "show_only"}), "{comps:?}");
        assert_eq!(kpi(&app).await["components_to_digitize"], 1, "only the form is in scope");

        let scan = files::pdf("To khai xac nhan tinh trang hon nhan");
        app.ctx.clock.set(vn("2026-03-02T09:10:00"));
        let (s, d) = digitize(&clerk, id, "to_khai", scan.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        assert_eq!(d["components"][0]["digitized"], true);
        let copy = &d["certified_copies"][0];
        assert_eq!(copy["component_key"], "to_khai");
        assert_eq!(copy["by_name"], "Hoàng Văn Nam", "{copy}");
        assert_eq!(copy["at"], vn("2026-03-02T09:10:00"));
        let serial = app.ctx.keys.personal_identity("tiepnhan.hoalu").unwrap().serial;
        assert_eq!(copy["certificate_serial"], serial.as_str());
        let file = d["files"].as_array().unwrap().iter().find(|f| f["id"] == copy["file_id"]).expect("the scan is a file").clone();
        assert_eq!((file["component_key"].as_str(), file["media_type"].as_str()), (Some("to_khai"), Some("application/pdf")));

        // The stored scan and its signature, downloaded, verify with the demo root.
        let (s, _, stored) = bytes(&clerk, &format!("/api/v1/dossiers/{id}/files/{}", copy["file_id"].as_str().unwrap())).await;
        assert_eq!((s, &stored), (StatusCode::OK, &scan));
        let (s, ct, p7s) = bytes(&clerk, &format!("/api/v1/dossiers/{id}/components/to_khai/signature")).await;
        assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pkcs7-signature"));
        assert_eq!(p7s.len() as i64, copy["signature_size"].as_i64().unwrap());
        let (ok, out) = openssl_verify(&app, &stored, &p7s);
        assert!(ok && out.contains("Verification successful"), "{out}");
        let mut changed = stored.clone();
        let at = changed.len() / 2;
        changed[at] ^= 0x20;
        let (ok, out) = openssl_verify(&app, &changed, &p7s);
        assert!(!ok && out.contains("verify"), "a changed scan is rejected: {out}");
        let info = motcua_signing::verify_detached(&stored, &p7s, app.ctx.keys.crl().as_ref()).unwrap();
        assert!(info.is_valid() && !info.revoked && info.signing_time.is_some(), "{info:?}");

        // The certified copy is in the applicant's data locker (issue #13), the same stored file.
        assert_eq!(app.count("locker_items").await, 1, "one certified copy in the locker");
        let digest = file["sha256"].as_str().unwrap().to_string();
        let rows = app.ctx.store.read(move |db| motcua_store::repo::locker::list(db, "037092001234")).await.unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!((rows[0].kind.as_str(), rows[0].doc_type.as_str(), rows[0].sha256.as_str()), ("certified_copy", "ban-sao:to_khai", digest.as_str()));
        assert!(rows[0].title.starts_with("Tờ khai") && rows[0].title.ends_with("(bản sao điện tử có chứng thực)"), "{}", rows[0].title);

        // The counters: one component certified, the dossier counted once.
        let k = kpi(&app).await;
        assert_eq!((k["components_digitized"].as_i64(), k["digitized"].as_i64()), (Some(1), Some(1)), "{k}");
        // The applicant's paper identity document is shown only: no digitization, no count.
        let (s, e) = digitize(&clerk, id, "giay_to_tuy_than", scan.clone()).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("digitization_excluded")), "{e}");
        assert!(e["message_vi"].as_str().unwrap().contains("không thuộc diện số hóa"), "{e}");
        // A component the dossier lacks.
        let (s, e) = digitize(&clerk, id, "khong_co", scan.clone()).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_component")), "{e}");
        // An empty or truncated scan.
        let (s, e) = digitize(&clerk, id, "to_khai", Vec::new()).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("file_empty")), "{e}");
        let (s, e) = digitize(&clerk, id, "to_khai", files::pdf_truncated()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        // Nobody outside the dossier's agencies.
        let other = app.login("tiepnhan").await;
        let (s, _) = digitize(&other, id, "to_khai", scan.clone()).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, now) = clerk.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(now["dossier"]["version"], d["version"], "nothing recorded by the refusals");
        let k2 = kpi(&app).await;
        assert_eq!(k2["components_digitized"], k["components_digitized"]);
    }
}

both_backends! {
    async fn a_revoked_or_missing_certificate_certifies_nothing(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan.hoalu").await;
        let d = received(&clerk).await;
        let id = d["id"].as_str().unwrap();
        let (events, files_before) = (app.count("dossier_events").await, app.count("files").await);
        let stored_before = stored(&app);

        let serial = app.ctx.keys.personal_identity("tiepnhan.hoalu").unwrap().serial;
        app.ctx.keys.revoke(&serial, jiff::Timestamp::from_millisecond(vn("2026-03-02T08:00:00")).unwrap()).unwrap();
        let (s, e) = digitize(&clerk, id, "to_khai", files::pdf("Quet")).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("cert_revoked")), "{e}");
        assert!(e["message_vi"].as_str().unwrap().contains("thu hồi"), "{e}");

        // An official who holds no certificate at all.
        let admin = app.login("admin.hoalu").await;
        let (s, e) = digitize(&admin, id, "to_khai", files::pdf("Quet")).await;
        assert!(s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND, "not a reception officer: {s} {e}");
        std::fs::remove_file(app.ctx.config.pki_dir().join("holders.json")).unwrap();
        app.ctx.keys.reload().unwrap();
        let (s, e) = digitize(&clerk, id, "to_khai", files::pdf("Quet")).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("signing_key_missing")), "{e}");

        assert_eq!((app.count("dossier_events").await, app.count("files").await), (events, files_before), "no event, no file row");
        assert_eq!(stored(&app), stored_before, "no bytes left behind");
        let (_, now) = clerk.get(&format!("/api/v1/dossiers/{id}")).await;
        let now = &now["dossier"];
        assert_eq!((now["version"].clone(), now["certified_copies"].clone()), (d["version"].clone(), json!([])));
        assert!(kpi(&app).await["components_digitized"].is_null());
    }
}

both_backends! {
    async fn the_dossier_page_shows_each_components_digitization(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan.hoalu").await;
        let d = received(&clerk).await;
        let id = d["id"].as_str().unwrap();
        let page = crate::browser::Browser::login(&app, "tiepnhan.hoalu").await;
        let html = page.get(&format!("/can-bo/ho-so/{id}")).await.body;
        assert!(html.contains("Chưa số hóa"), "{html}");
        assert!(html.contains("Không thuộc diện số hóa"), "{html}");
        let (s, _) = digitize(&clerk, id, "to_khai", files::pdf("Quet")).await;
        assert_eq!(s, StatusCode::CREATED);
        let html = page.get(&format!("/can-bo/ho-so/{id}")).await.body;
        assert!(html.contains("Đã số hóa, chứng thực bởi Hoàng Văn Nam lúc 09:00 02/03/2026"), "{html}");
        assert!(html.contains(&format!("/can-bo/ho-so/{id}/thanh-phan/to_khai/chu-ky")), "{html}");
    }
}
