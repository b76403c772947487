//! Retention and archival (issue #19), on both backends: a dossier finished in 2026 is due
//! for archival from 1 January 2037 (the default 10 years, counted from the end of the year
//! it finished), not before; its archive package re-reads (every sha256, the event chain
//! with the app's own verifier, `sha256sum -c`); the purge is refused before the export and
//! before the due date, then removes the applicant's personal data from every table and
//! the file store while `motcua verify` still passes and the indicators do not move.

use crate::dvcqg::step;
use crate::officer_pages::vn;
use motcua_domain::audit::{AuditEvent, ChainVerifier};
use motcua_testkit::{TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Read;
use std::process::Command;

const NAME: &str = "Lưu Thị Bảo Tồn";
const FOLDED: &str = "luu thi bao ton";
const ID_NUMBER: &str = "037199000777";
const PHONE: &str = "0988777666";
const EMAIL: &str = "baoton.luu@example.vn";
const COMMUNE: &str = "1.004873";

async fn run(app: &TestApp, args: &[&str]) -> (i32, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (url, dir) = (app.database_url.clone(), app.data_dir.clone());
    tokio::task::spawn_blocking(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(["--database-url", &url, "--data-dir", dir.to_str().unwrap()])
            .args(&args)
            .env("MOTCUA_LOG", "error")
            .output()
            .expect("run motcua");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned() + &*String::from_utf8_lossy(&out.stderr),
        )
    })
    .await
    .unwrap()
}

/// A counter dossier of a commune procedure with an attachment, taken to its return.
async fn finished(app: &TestApp) -> Value {
    let clerk = app.login("tiepnhan.hoalu").await;
    let (s, d) = clerk
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": COMMUNE, "summary": "Xác nhận tình trạng hôn nhân",
                "applicant": {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE, "email": EMAIL, "address": "Xóm Bảo Tồn, Hoa Lư"},
                "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let (s, d) = crate::dossiers::upload(
        &clerk,
        &d,
        "to_khai",
        "application/pdf",
        "to_khai_luu_thi_bao_ton.pdf",
        motcua_testkit::files::PDF,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let d = step(app, &clerk, &d, "forward", json!({})).await;
    let d = step(app, &app.login("chuyenvien.hoalu").await, &d, "forward", json!({})).await;
    let d = step(app, &app.login("lanhdao.hoalu").await, &d, "resolve", json!({"name": "Giấy xác nhận", "number": "7/2026/XN"}))
        .await;
    let d = step(app, &clerk, &d, "return", json!({"method": "counter"})).await;
    assert_eq!(d["national_status"], 10, "{d}");
    d
}

/// Rows of every table where a text column holds `needle` (table names).
async fn tables_holding(app: &TestApp, needle: &str) -> Vec<String> {
    let needle = format!("%{needle}%");
    app.ctx
        .store
        .read(move |db| {
            let cols: Vec<(String, String)> = if db.backend() == motcua_store::Backend::Postgres {
                db.query(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = current_schema() \
                     AND data_type IN ('text', 'character varying', 'json', 'jsonb')",
                    &[],
                )?
                .iter()
                .map(|r| Ok((r.text(0)?, r.text(1)?)))
                .collect::<Result<_, motcua_store::StoreError>>()?
            } else {
                // The text index's own tables hold trigram segments, not text (the index is
                // updated with the projection's search text).
                let tables: Vec<String> = db
                    .query(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'dossier_search%'",
                        &[],
                    )?
                    .iter()
                    .map(|r| r.text(0))
                    .collect::<Result<_, _>>()?;
                let mut out = Vec::new();
                for t in tables {
                    for r in db.query("SELECT name FROM pragma_table_info($1)", &[t.clone().into()])? {
                        out.push((t.clone(), r.text(0)?));
                    }
                }
                out
            };
            let mut hits = Vec::new();
            let cast = if db.backend() == motcua_store::Backend::Postgres { "::text" } else { "" };
            for (t, c) in cols {
                let sql = format!("SELECT COUNT(*) FROM \"{t}\" WHERE CAST(\"{c}\" AS TEXT){cast} LIKE $1");
                if db.query_one(&sql, &[needle.clone().into()])?.i64(0)? > 0 {
                    hits.push(format!("{t}.{c}"));
                }
            }
            Ok::<_, motcua_store::StoreError>(hits)
        })
        .await
        .unwrap()
}

async fn kpis(app: &TestApp) -> Vec<String> {
    app.ctx
        .store
        .read(|db| {
            let mut out = Vec::new();
            for sql in [
                "SELECT agency_id, procedure_code, day, metric, value FROM kpi_daily ORDER BY 1, 2, 3, 4",
                "SELECT * FROM kpi_monthly ORDER BY 1, 2, 3, 4",
            ] {
                for r in db.query(sql, &[])? {
                    out.push(format!("{r:?}"));
                }
            }
            Ok::<_, motcua_store::StoreError>(out)
        })
        .await
        .unwrap()
}

/// Re-reads a package: entries and sums, then the chain with the app's verifier.
fn check_package(bytes: &[u8], dir: &std::path::Path) -> Value {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    zip.extract(dir).unwrap();
    let mut manifest = String::new();
    zip.by_name("manifest.json").unwrap().read_to_string(&mut manifest).unwrap();
    let manifest: Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!((manifest["format"].as_str(), manifest["format_version"].as_i64()), (Some("motcua-archive"), Some(1)));
    for e in manifest["entries"].as_array().unwrap() {
        let b = std::fs::read(dir.join(e["path"].as_str().unwrap())).unwrap();
        assert_eq!(e["bytes"].as_u64(), Some(b.len() as u64), "{e}");
        assert_eq!(e["sha256"].as_str().unwrap(), motcua_store::files::sha256_hex(&b), "{e}");
    }
    let paths: Vec<&str> = manifest["entries"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"events.jsonl"), "{paths:?}");
    assert!(
        paths.iter().any(|p| p.starts_with("documents/") && p.ends_with(".pdf")),
        "the receipt and the result forms: {paths:?}"
    );
    assert!(paths.iter().any(|p| p.starts_with("files/")), "the attachment: {paths:?}");

    let events = std::fs::read_to_string(dir.join("events.jsonl")).unwrap();
    let chain = manifest["chain"]["name"].as_str().unwrap();
    let mut v = ChainVerifier::new(chain);
    let mut n = 0;
    let mut last = None;
    for line in events.lines() {
        let j: Value = serde_json::from_str(line).unwrap();
        let s = |k: &str| j[k].as_str().unwrap().to_string();
        let e = AuditEvent {
            id: s("id"),
            chain: s("chain"),
            seq: j["seq"].as_i64().unwrap(),
            at_ms: j["at_ms"].as_i64().unwrap(),
            actor_id: j["actor_id"].as_str().map(str::to_string),
            action: s("action"),
            entity_kind: s("entity_kind"),
            entity_id: s("entity_id"),
            payload: s("payload"),
            prev_hash: s("prev_hash"),
            hash: s("hash"),
        };
        v.push(&e).unwrap();
        last = Some((e.seq, e.hash.clone()));
        n += 1;
    }
    assert_eq!(n, manifest["chain"]["events"].as_i64().unwrap());
    assert_eq!(v.finish(last).unwrap(), n);
    assert!(events.contains(NAME), "the package keeps the applicant's data");

    // The real coreutils tool agrees.
    let out = Command::new("sha256sum").arg("-c").arg("SHA256SUMS").current_dir(dir).output().expect("sha256sum");
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), paths.len() + 1, "every entry and the manifest are summed");
    manifest
}

both_backends! {
    async fn a_finished_dossier_is_due_exported_verified_and_purged(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let d = finished(&app).await;
        let code = d["code"].as_str().unwrap().to_string();
        let id = d["id"].as_str().unwrap().to_string();
        let sha = d["files"][0]["sha256"].as_str().unwrap().to_string();
        let admin = app.login("admin").await;

        // An unfinished dossier is neither exported nor purged.
        let clerk = app.login("tiepnhan.hoalu").await;
        let (s, open) = clerk.post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": {"name": "Người Khác"},
            "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{open}");
        let (s, b) = admin.get(&format!("/api/v1/archive/{}/package", open["code"].as_str().unwrap())).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("dossier_not_finished")), "{b}");

        // Due from 1 January 2037, not on 31 December 2036.
        let (s, b) = admin.get("/api/v1/archive/due?as_of=2036-12-31").await;
        assert_eq!((s, b["total"].as_i64()), (StatusCode::OK, Some(0)), "{b}");
        let (s, b) = admin.get("/api/v1/archive/due?as_of=2037-01-01").await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["total"], 1, "{b}");
        assert_eq!((b["items"][0]["code"].as_str(), b["items"][0]["period"].as_str(), b["items"][0]["due_on"].as_str()),
            (Some(code.as_str()), Some("10"), Some("2037-01-01")));
        let (s, b) = admin.get("/api/v1/archive/due?as_of=2037-02-30").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_date")), "{b}");
        // Scoped by agency inside the SQL: Hoa Lư's administrator sees it, Tam Điệp's does not
        // (nor may export it), and an officer is refused.
        let (_, b) = app.login("admin.hoalu").await.get("/api/v1/archive/due?as_of=2037-01-01").await;
        assert_eq!(b["total"], 1, "{b}");
        let tamdiep = app.login("admin.tamdiep").await;
        let (s, b) = tamdiep.get("/api/v1/archive/due?as_of=2037-01-01").await;
        assert_eq!((s, b["total"].as_i64()), (StatusCode::OK, Some(0)), "{b}");
        let (s, _) = tamdiep.get(&format!("/api/v1/archive/{code}/package")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = clerk.get("/api/v1/archive/due?as_of=2037-01-01").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (c, out) = run(&app, &["archive", "due", "--as-of", "2037-01-01"]).await;
        assert_eq!(c, 0, "{out}");
        assert!(out.contains(&code) && out.contains("2037-01-01"), "{out}");

        // Not exported yet: the purge is refused, nothing changes.
        app.ctx.clock.set(vn("2037-01-02T09:00:00"));
        let (s, b) = admin.post(&format!("/api/v1/archive/{code}/purge"), json!({})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("archive_not_purgeable")), "{b}");
        assert!(b["message_vi"].as_str().unwrap().contains("xuất gói lưu trữ"), "{b}");

        // The export by the binary, and the same package over the API.
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("goi.zip");
        let (c, out) = run(&app, &["archive", "export", &code, "--to", file.to_str().unwrap()]).await;
        assert_eq!(c, 0, "{out}");
        let (c, out) = run(&app, &["archive", "export", &code, "--to", file.to_str().unwrap()]).await;
        assert_ne!(c, 0, "an existing file is not overwritten: {out}");
        let bytes = std::fs::read(&file).unwrap();
        let manifest = check_package(&bytes, &tmp.path().join("x"));
        assert_eq!(manifest["dossier"]["code"], code.as_str());
        assert_eq!(manifest["retention"]["due_on"], "2037-01-01");
        let r = admin.http.get(format!("{}/api/v1/archive/{code}/package", admin.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/zip");
        check_package(&r.bytes().await.unwrap(), &tmp.path().join("y"));

        // Before its due date the purge of an archived dossier is refused too.
        let (c, out) = run(&app, &["archive", "purge", "--code", &code, "--as-of", "2036-12-31"]).await;
        assert_ne!(c, 0, "{out}");
        assert!(out.contains("thời hạn bảo quản"), "{out}");
        assert!(!tables_holding(&app, NAME).await.is_empty(), "nothing purged yet");

        let before = kpis(&app).await;
        let (c, out) = run(&app, &["archive", "purge", "--as-of", "2037-01-02"]).await;
        assert_eq!(c, 0, "{out}");
        assert!(out.contains(&code) && out.contains("1 hồ sơ"), "{out}");

        for needle in [NAME, FOLDED, ID_NUMBER, PHONE, EMAIL, "to_khai_luu_thi_bao_ton"] {
            assert_eq!(tables_holding(&app, needle).await, Vec::<String>::new(), "{needle} is gone from every table");
        }
        assert!(!app.ctx.files.exists(&sha).unwrap(), "the attachment's bytes are removed");
        assert_eq!(kpis(&app).await, before, "the counters do not move");
        let (c, out) = run(&app, &["verify"]).await;
        assert_eq!(c, 0, "verify still passes after the purge: {out}");

        // The dossier still reads (with the marker), the audit log names the purge without
        // personal data, and a second purge is refused.
        let (s, b) = admin.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["dossier"]["applicant"]["name"], motcua_domain::retention::PURGED);
        let audit: Vec<String> = app.ctx.store.read(|db| db.query(
            "SELECT payload FROM audit_events WHERE action = 'dossier.personal_data_purged'", &[])?.iter().map(|r| r.text(0)).collect::<Result<_, _>>()).await.unwrap();
        assert_eq!(audit.len(), 1);
        assert!(audit[0].contains(&code) && audit[0].contains("applicant.name") && !audit[0].contains(ID_NUMBER), "{}", audit[0]);
        let (s, b) = admin.post(&format!("/api/v1/archive/{code}/purge"), json!({})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("archive_not_purgeable")), "{b}");
        let (s, b) = admin.get(&format!("/api/v1/archive/{code}/package")).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("archive_purged")), "{b}");

        // Tampering with a redacted event's hash is still caught.
        let i2 = id.clone();
        app.ctx.store.write(move |db| db.execute(
            "UPDATE dossier_events SET hash = $2 WHERE dossier_id = $1 AND seq = 1", &[i2.into(), "0".repeat(64).into()])).await.unwrap();
        let (c, out) = run(&app, &["verify"]).await;
        assert_ne!(c, 0, "{out}");
        assert!(out.contains("redacted event"), "{out}");
    }
}

#[test]
fn the_binary_refuses_a_bad_retention_period() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, "[retention]\ndefault_period = 0\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_motcua")).args(["--config", f.to_str().unwrap(), "config"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("retention"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The page in a real Chromium (axe on each state, a phone's width too): the due dossier is
/// listed, its personal data can be deleted only once exported, a bad day is a 422 with the
/// field marked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_archive_page_lists_exports_and_purges_in_chromium() {
    use motcua_testkit::browser::{Browser, Viewport};
    let app = TestApp::spawn(motcua_testkit::Backend::Sqlite).await;
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));
    let d = finished(&app).await;
    let code = d["code"].as_str().unwrap().to_string();
    app.ctx.clock.set(vn("2037-01-02T09:00:00"));
    let b = Browser::start(&app).await;
    b.login("admin").await;
    b.open("/quan-tri/luu-tru").await;
    b.axe().await;
    let text = b.main_text().await;
    assert!(text.contains(&code) && text.contains("2037-01-01") && text.contains("xuất gói trước khi xóa"), "{text}");
    b.viewport(Viewport::Phone).await;
    b.axe().await;
    b.viewport(Viewport::Desktop).await;

    b.open("/quan-tri/luu-tru?as_of=2037-02-30").await;
    assert_eq!(b.status().await, 422);
    assert_eq!(b.by_id("as_of").await.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
    b.axe().await;

    motcua_app::usecases::archive::export(&app.ctx, None, &code).await.unwrap();
    b.open("/quan-tri/luu-tru?lang=en").await;
    b.axe().await;
    b.open("/quan-tri/luu-tru").await;
    b.click_to("Xóa dữ liệu cá nhân", "/quan-tri/luu-tru").await;
    let text = b.main_text().await;
    assert!(text.contains("Đã xóa 2037-01-02"), "{text}");
    b.axe().await;
    assert!(tables_holding(&app, ID_NUMBER).await.is_empty());
    b.quit().await;
}
