//! Documents that carry legal weight (issue #13), on both backends: forms 01–06 issued with
//! the events that produce them, listed, downloaded as PDF by whoever may read the dossier
//! (and nobody else), checked with real tools on the generated files: `pdftotext` reads the
//! exact Vietnamese text, `pdffonts` shows every font embedded, `zbarimg` decodes the QR
//! code (top left) to the verification URL. The register prints as form 07. A template
//! that does not compile refuses the command and writes nothing.
//!
//! The tools come from Debian's `poppler-utils` and `zbar-tools` (`.ci/run` installs them);
//! a missing tool fails the test and says so.

use motcua_testkit::{Client, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

/// Xác nhận tình trạng hôn nhân: commune level, 3 working days.
const COMMUNE: &str = "1.004873";

pub(crate) fn vn(s: &str) -> i64 {
    format!("{s}+07:00").parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

pub(crate) fn applicant() -> Value {
    json!({"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678", "address": "Số 5 phố Tràng An, phường Hoa Lư"})
}

pub(crate) async fn step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

/// Runs a tool from poppler-utils or zbar-tools; a missing tool fails with what to install.
pub(crate) fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} could not run ({e}): install poppler-utils and zbar-tools (apt-get install poppler-utils zbar-tools)")
    });
    assert!(out.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// What the tools read in a PDF: its text, whether every font is embedded, and the QR code.
pub(crate) struct Read {
    pub text: String,
    pub fonts: Vec<String>,
    pub qr: String,
}

pub(crate) fn read_pdf(pdf: &[u8]) -> Read {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let f = file.to_str().unwrap();
    let text = run("pdftotext", &["-enc", "UTF-8", f, "-"]);
    // name type encoding emb sub uni object ID: `emb` is the fifth field from the end.
    let fonts: Vec<String> = run("pdffonts", &[f]).lines().skip(2).map(str::to_string).collect();
    let png = dir.path().join("page");
    run("pdftoppm", &["-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile", f, png.to_str().unwrap()]);
    let qr = run("zbarimg", &["--raw", "-q", &format!("{}.png", png.display())]).trim().to_string();
    Read { text, fonts, qr }
}

/// Lines of the text with runs of spaces folded, so a check does not depend on layout.
pub(crate) fn lines(text: &str) -> Vec<String> {
    text.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty()).collect()
}

/// Each phrase is in the text (runs of white space, line breaks included, read as one space:
/// a name may wrap in a narrow column).
pub(crate) fn assert_text(r: &Read, want: &[&str], what: &str) {
    let flat = lines(&r.text).join(" ");
    for w in want {
        assert!(flat.contains(w), "{what}: no {w:?} in:\n{}", lines(&r.text).join("\n"));
    }
}

pub(crate) fn assert_lines(r: &Read, want: &[&str], what: &str) {
    let have = lines(&r.text);
    for w in want {
        assert!(have.iter().any(|l| l == w), "{what}: no line {w:?} in:\n{}", have.join("\n"));
    }
}

pub(crate) fn assert_embedded(r: &Read, what: &str) {
    assert!(!r.fonts.is_empty(), "{what}: no fonts listed");
    for f in &r.fonts {
        let cols: Vec<&str> = f.split_whitespace().collect();
        assert!(cols.len() >= 5 && cols[cols.len() - 5] == "yes", "{what}: font not embedded: {f}");
        assert!(f.contains("LiberationSerif"), "{what}: unexpected font {f}");
    }
}

/// GET a path as raw bytes: (status, content type, body).
pub(crate) async fn bytes(c: &Client, path: &str) -> (StatusCode, String, Vec<u8>) {
    let r = c.http.get(format!("{}{path}", c.base)).send().await.unwrap();
    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (r.status(), ct, r.bytes().await.unwrap().to_vec())
}

/// The dossier's documents as the API lists them.
pub(crate) async fn listed(c: &Client, id: &str) -> Vec<Value> {
    let (s, b) = c.get(&format!("/api/v1/dossiers/{id}/documents")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b.as_array().unwrap().clone()
}

/// Downloads the document of `form` (the last one) through the API and through the page
/// route, checks both are the same PDF, and reads it with the tools.
async fn check(app: &TestApp, c: &Client, d: &Value, form: &str, want: &[&str]) -> (Value, Read) {
    let id = d["id"].as_str().unwrap();
    let doc = listed(c, id).await.into_iter().rev().find(|x| x["form"] == form).unwrap_or_else(|| panic!("no form {form}"));
    let doc_id = doc["id"].as_str().unwrap();
    let (s, ct, pdf) = bytes(c, doc["href"].as_str().unwrap()).await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pdf"), "form {form}");
    assert!(pdf.starts_with(b"%PDF-"), "form {form} is a PDF");
    let (s, ct, page) = bytes(c, &format!("/ho-so/{id}/giay-to/{doc_id}")).await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pdf"));
    assert_eq!(page, pdf, "the page and the API serve the same bytes");
    assert_eq!(doc["sha256"].as_str().unwrap(), motcua_store::files::sha256_hex(&pdf), "stored under its SHA-256");
    let r = tokio::task::spawn_blocking(move || read_pdf(&pdf)).await.unwrap();
    let what = format!("form {form}");
    assert_lines(&r, &["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"], &what);
    assert_text(&r, want, &what);
    assert_embedded(&r, &what);
    // The QR code: the verification page of this document, with the dossier code, the
    // procedure code and the document name; the same URL the API lists.
    let code = d["code"].as_str().or(d["filing_reference"].as_str()).unwrap();
    let prefix = format!(
        "{}/xac-thuc/{doc_id}?ho-so={code}&thu-tuc={}&giay-to=",
        app.ctx.config.public_url(),
        d["procedure"]["code"].as_str().unwrap()
    );
    assert!(r.qr.starts_with(&prefix), "form {form}: QR {:?} does not start with {prefix:?}", r.qr);
    assert_eq!(r.qr, doc["verification_url"].as_str().unwrap());
    let name = doc["name"].as_str().unwrap();
    assert_eq!(r.qr[prefix.len()..], motcua_domain::text::urlencode(name), "the document name");
    (doc, r)
}

/// Rows of what a command writes: dossiers, events, documents, file digests.
async fn counts(app: &TestApp) -> (i64, i64, i64, i64) {
    (app.count("dossiers").await, app.count("dossier_events").await, app.count("documents").await, app.count("files").await)
}

async fn count_where(app: &TestApp, sql: &'static str) -> i64 {
    app.ctx.store.read(move |db| db.query_one(sql, &[])?.i64(0)).await.unwrap()
}

both_backends! {
    async fn forms_are_issued_with_their_events_and_read_back_with_real_tools(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan.hoalu").await;
        let specialist = app.login("chuyenvien.hoalu").await;
        let leader = app.login("lanhdao.hoalu").await;

        // Reception at Hoa Lư's counter: forms 01 and 06.
        let (s, d) = clerk
            .post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": applicant(), "components": [
                {"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let code = d["code"].as_str().unwrap().to_string();
        assert_eq!(code, "000.01.31.H40-260302-0001");
        let id = d["id"].as_str().unwrap().to_string();
        let docs = listed(&clerk, &id).await;
        assert_eq!(docs.iter().map(|x| x["form"].as_str().unwrap()).collect::<Vec<_>>(), ["01", "06"], "{docs:?}");
        assert!(docs.iter().all(|x| x["event_seq"] == 2), "both from the reception event: {docs:?}");
        let (_, r) = check(&app, &clerk, &d, "01", &[
            "ỦY BAN NHÂN DÂN PHƯỜNG HOA LƯ",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            "Hoa Lư, ngày 02 tháng 03 năm 2026",
            &format!("Số: {code}"),
            &format!("Mã hồ sơ: {code}"),
            "2. Số lượng hồ sơ: 1 bộ",
            "4. Thời hạn giải quyết hồ sơ theo quy định: 3 ngày làm việc",
            "5. Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 02/03/2026",
            "6. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 05/03/2026",
            "Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: 260302-0001",
            "NGƯỜI NỘP HỒ SƠ",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
            "Hoàng Văn Nam",
        ]).await;
        assert!(r.text.contains("Nguyễn Văn An"), "the applicant: {}", r.text);
        assert!(r.text.contains("Số định danh cá nhân/mã số doanh nghiệp: 037092001234"), "{}", r.text);
        check(&app, &clerk, &d, "06", &[
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            &format!("Mã hồ sơ: {code}"),
            "(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả)",
        ]).await;

        // Supplement request by the specialist (form 02), supplied at the counter.
        let d = step(&clerk, &d, "forward", json!({})).await;
        app.ctx.clock.set(vn("2026-03-02T14:00:00"));
        let d = step(&specialist, &d, "supplement-requests", json!({"items": [{"name": "Tờ khai", "reason": "Thiếu chữ ký của người yêu cầu"}]})).await;
        let (doc, _) = check(&app, &specialist, &d, "02", &[
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            "Kính gửi: Nguyễn Văn An",
            "Số: 01/PYCBS-000.00.31.H40",
            "Hoa Lư, ngày 02 tháng 03 năm 2026",
            "NGƯỜI HƯỚNG DẪN",
            "Bùi Thị Mai",
        ]).await;
        assert_eq!(doc["number"], "01/PYCBS-000.00.31.H40");
        let d = step(&clerk, &d, "supplements", json!({})).await;

        // Apology and extension by the leader (form 04), then the stop (form 05).
        app.ctx.clock.set(vn("2026-03-03T09:00:00"));
        let d = step(&leader, &d, "extension", json!({"reason": "Cần xác minh thông tin cư trú", "new_date": "2026-03-10"})).await;
        check(&app, &leader, &d, "04", &[
            "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
            "Số: 01/VBXL-000.00.31.H40",
            "Hoa Lư, ngày 03 tháng 03 năm 2026",
            "Lý do: Cần xác minh thông tin cư trú",
        ]).await;
        let d = step(&leader, &d, "stop", json!({"reason": "Người yêu cầu đề nghị dừng", "basis": "Điều 22 NĐ 118/2025/NĐ-CP", "financial_consequences": "Không hoàn phí"})).await;
        check(&app, &leader, &d, "05", &[
            "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
            "Số: 01/TB-000.00.31.H40",
            "• Người yêu cầu đề nghị dừng",
            "Căn cứ: Điều 22 NĐ 118/2025/NĐ-CP",
            "Trách nhiệm tài chính (nếu có): Không hoàn phí",
        ]).await;
        let docs = listed(&clerk, &id).await;
        assert_eq!(docs.iter().map(|x| x["form"].as_str().unwrap()).collect::<Vec<_>>(), ["01", "06", "02", "04", "05"]);
        // Forwarding and supplying issue nothing; every document has its event.
        assert_eq!(count_where(&app, "SELECT COUNT(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM dossier_events e WHERE e.dossier_id = d.dossier_id AND e.seq = d.event_seq)").await, 0);

        // An online dossier refused at the provincial centre (form 03): the citizen reads it.
        let citizen = app.login("congdan").await;
        let d3 = crate::officer_pages::online_submitted(&citizen).await;
        let d3 = step(&app.login("tiepnhan").await, &d3, "refuse", json!({"reasons": ["Người nộp không thuộc đối tượng"]})).await;
        let reference = d3["filing_reference"].as_str().unwrap().to_string();
        check(&app, &citizen, &d3, "03", &[
            "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            "ỦY BAN NHÂN DÂN TỈNH NINH BÌNH",
            "Ninh Bình, ngày 03 tháng 03 năm 2026",
            "Số: 01/PTC-000.00.20.H40",
            &format!("Mã hồ sơ: {reference}"),
            "• Người nộp không thuộc đối tượng",
        ]).await;

        // Nobody else reads them: the citizen not the applicant of the first dossier, an
        // officer of another commune, a visitor.
        let doc01 = &listed(&clerk, &id).await[0];
        let doc_id = doc01["id"].as_str().unwrap();
        for (who, c) in [("congdan", &citizen), ("tiepnhan", &app.login("tiepnhan").await)] {
            let (s, _, _) = bytes(c, doc01["href"].as_str().unwrap()).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{who}: API");
            let (s, _, _) = bytes(c, &format!("/ho-so/{id}/giay-to/{doc_id}")).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{who}: page");
            let (s, _) = c.get(&format!("/api/v1/dossiers/{id}/documents")).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{who}: list");
        }
        let (s, _, _) = bytes(&app.client(), doc01["href"].as_str().unwrap()).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        // A document id of another dossier does not open under this one.
        let other = listed(&citizen, d3["id"].as_str().unwrap()).await[0]["id"].as_str().unwrap().to_string();
        let (s, _, _) = bytes(&clerk, &format!("/api/v1/dossiers/{id}/documents/{other}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // The pages list them: the officer's dossier page and the citizen's.
        let (_, _, html) = bytes(&clerk, &format!("/can-bo/ho-so/{id}")).await;
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("Giấy tờ đã cấp") && html.contains(&format!("/ho-so/{id}/giay-to/{doc_id}")), "{html}");
        let (_, _, html) = bytes(&citizen, &format!("/ho-so-cua-toi/{}", d3["id"].as_str().unwrap())).await;
        assert!(String::from_utf8(html).unwrap().contains("Mẫu 03 – Phiếu từ chối tiếp nhận giải quyết hồ sơ"));

        // The register of the day as form 07 (landscape, rendered on demand).
        let (s, ct, pdf) = bytes(&clerk, "/can-bo/so-theo-doi.pdf?from=2026-03-02&to=2026-03-02").await;
        assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pdf"));
        let r = tokio::task::spawn_blocking(move || read_pdf(&pdf)).await.unwrap();
        assert_lines(&r, &["SỔ THEO DÕI HỒ SƠ", "Từ ngày 02/03/2026 đến ngày 02/03/2026", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], "form 07");
        assert_text(&r, &[&code, "Nguyễn Văn An", "Cấp Giấy xác nhận tình trạng hôn nhân", "Hoa Lư, ngày 03 tháng 03 năm 2026"], "form 07 rows");
        assert_embedded(&r, "form 07");
        assert!(r.qr.ends_with("/can-bo/so-theo-doi?from=2026-03-02&to=2026-03-02"), "{}", r.qr);
        let (_, _, html) = bytes(&clerk, "/can-bo/so-theo-doi?from=2026-03-02&to=2026-03-02").await;
        assert!(String::from_utf8(html).unwrap().contains("Tải PDF (Mẫu 07)"));
        // The register's rows carry the number of sets of the procedure version.
        let (_, rows) = clerk.get("/api/v1/register?from=2026-03-02&to=2026-03-02").await;
        assert_eq!(rows[0]["sets"], 1, "{rows}");
    }

    async fn a_broken_template_refuses_the_command_and_writes_nothing(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan.hoalu").await;
        let templates = app.ctx.config.templates_dir();
        std::fs::create_dir_all(&templates).unwrap();
        std::fs::write(templates.join("mau-01.typ"), "#import \"common.typ\": *\n#show: form-page\n#data.no_such_field\n").unwrap();
        let before = counts(&app).await;
        let files_before = walk(&app.ctx.config.files_dir()).len();
        let body = json!({"procedure_code": COMMUNE, "applicant": applicant(), "components": [
            {"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]});
        let (s, b) = clerk.post("/api/v1/dossiers", body.clone()).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::INTERNAL_SERVER_ERROR, Some("document_render_failed")), "{b}");
        let vi = b["message_vi"].as_str().unwrap();
        assert!(vi.contains("Mẫu 01") && vi.contains("mau-01.typ") && vi.contains("no_such_field"), "{vi}");
        assert_eq!(counts(&app).await, before, "no dossier, event, document or file row");
        assert_eq!(walk(&app.ctx.config.files_dir()).len(), files_before, "no bytes left behind");

        // The same on an existing dossier: a received online dossier's supplement request.
        let citizen = app.login("congdan").await;
        let d = crate::officer_pages::online_submitted(&citizen).await;
        std::fs::write(templates.join("mau-02.typ"), "#let x = (\n").unwrap();
        let clerk1 = app.login("tiepnhan").await;
        let before = counts(&app).await;
        let (s, b) = clerk1
            .post(&format!("/api/v1/dossiers/{}/supplement-requests", d["id"].as_str().unwrap()),
                json!({"version": d["version"], "items": [{"name": "Ảnh", "reason": "Mờ"}]}))
            .await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::INTERNAL_SERVER_ERROR, Some("document_render_failed")), "{b}");
        assert_eq!(counts(&app).await, before);
        let (_, still) = citizen.get(&format!("/api/v1/dossiers/{}", d["id"].as_str().unwrap())).await;
        assert_eq!(still["dossier"]["status"], "submitted", "{still}");

        // A template that compiles replaces the built-in one (per province, from the data directory).
        std::fs::remove_file(templates.join("mau-02.typ")).unwrap();
        let own = motcua_app::usecases::dossiers::builtin_template("mau-01.typ").unwrap().replace("#heading-block()", "#heading-block()\nMẫu riêng của tỉnh");
        std::fs::write(templates.join("mau-01.typ"), own).unwrap();
        let (s, d) = clerk.post("/api/v1/dossiers", body).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let (_, r) = check(&app, &clerk, &d, "01", &["Mẫu riêng của tỉnh", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"]).await;
        assert_embedded(&r, "override");
    }
}

/// Every file under `dir` (none when it does not exist).
pub(crate) fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
