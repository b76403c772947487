//! Reports of the indicators and open statistics (issue #16), on both backends. A small
//! history is built through the API in March 2026: six dossiers of one commune procedure
//! received at Hoa Lư's counter (five resolved the next day), three at Tam Điệp's (none
//! finished). Then:
//! - the 766 index and the dashboard download as CSV (BOM, the same numbers as the JSON
//!   API), XLSX (read back with `calamine`, the CSV's cells) and PDF (read with `pdftotext`:
//!   unit, period, total, grade), through the API and the officers' page routes, each
//!   recorded in the access log; out of scope is 403 `unit_out_of_scope`, a citizen and an
//!   anonymous caller are refused, a bad format or period is 400;
//! - March's open statistics (CSV and JSON) carry Hoa Lư's numbers, blank Tam Điệp's three
//!   dossiers (suppressed), name no applicant, and are cacheable; April (not ended) is 404,
//!   a malformed month 400; `/open-data` and `/du-lieu-mo` list the month.

use crate::exports::{Download, download, read_csv, read_xlsx};
use crate::officer_pages::vn;
use motcua_testkit::{Client, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Xác nhận tình trạng hôn nhân: commune level, 3 working days.
const COMMUNE: &str = "1.004873";
const HOALU: &str = "000.00.31.H40";
const TAMDIEP: &str = "000.00.32.H40";
/// The demo applicant: none of this may appear in the open statistics.
const NAME: &str = "Nguyễn Văn An";
const ID_NUMBER: &str = "037092001234";
const PHONE: &str = "0912345678";

async fn ok(c: &Client, path: &str, body: Value) -> Value {
    let (s, b) = c.post(path, body).await;
    assert!(s == StatusCode::OK || s == StatusCode::CREATED, "{path}: {s} {b}");
    b
}

async fn step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    body["version"] = d["version"].clone();
    ok(c, &format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await
}

async fn received(clerk: &Client, address: &str) -> Value {
    ok(
        clerk,
        "/api/v1/dossiers",
        json!({"procedure_code": COMMUNE,
        "applicant": {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE, "address": address},
        "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}),
    )
    .await
}

/// March 2026: Hoa Lư receives six, resolves five the next day; Tam Điệp receives three.
async fn history(app: &TestApp) {
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));
    let admin = app.login("admin").await;
    let counter = app.agency_id("000.02.32.H40").await;
    ok(
        &admin,
        "/api/v1/users",
        json!({"username": "tiepnhan.tamdiep", "full_name": "Đỗ Văn Bình", "password": "Motcua@2026",
        "memberships": [{"agency_id": counter, "role": "reception_officer"}]}),
    )
    .await;
    let clerk = app.login("tiepnhan.hoalu").await;
    let mut hoalu = Vec::new();
    for _ in 0..6 {
        hoalu.push(received(&clerk, "Phường Hoa Lư").await);
    }
    let other = app.login("tiepnhan.tamdiep").await;
    for _ in 0..3 {
        let d = received(&other, "Phường Tam Điệp").await;
        assert_eq!(d["competent"]["code"], TAMDIEP, "{d}");
    }
    app.ctx.clock.set(vn("2026-03-03T10:00:00"));
    let (specialist, leader) = (app.login("chuyenvien.hoalu").await, app.login("lanhdao.hoalu").await);
    for d in hoalu.iter().take(5) {
        let d = step(&clerk, d, "forward", json!({})).await;
        let d = step(&specialist, &d, "forward", json!({})).await;
        step(&leader, &d, "resolve", json!({"name": "Giấy xác nhận tình trạng hôn nhân"})).await;
    }
    // March is over.
    app.ctx.clock.set(vn("2026-04-02T09:00:00"));
}

fn header(d: &Download, name: &str) -> String {
    d.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// The row whose section (column 0) and code (column 1) are given.
fn row<'a>(rows: &'a [Vec<String>], section: &str, code: &str) -> &'a Vec<String> {
    rows.iter().find(|r| r[0] == section && r[1] == code).unwrap_or_else(|| panic!("{section} {code} in {rows:?}"))
}

/// A JSON number as the CSV writes it.
fn n(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Number(x) if x.is_i64() => x.to_string(),
        Value::Number(x) => {
            let f = x.as_f64().unwrap();
            if f.fract() == 0.0 { format!("{}", f as i64) } else { f.to_string() }
        }
        other => panic!("not a number: {other}"),
    }
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext").args(["-enc", "UTF-8", file.to_str().unwrap(), "-"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A number as the PDF prints it (decimal comma).
fn vn_number(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').replace('.', ",")
}

async fn recorded(app: &TestApp, username: &str) -> Vec<String> {
    app.ctx.access.flush().await;
    let u = username.to_string();
    app.ctx
        .store
        .read(move |db| {
            db.query(
                "SELECT detail FROM access_log WHERE username = $1 AND action = 'report_export' ORDER BY at_ms, id",
                &motcua_store::params![u],
            )?
            .iter()
            .map(|r| Ok(r.opt_text(0)?.unwrap_or_default()))
            .collect::<Result<Vec<_>, motcua_store::StoreError>>()
        })
        .await
        .unwrap()
}

both_backends! {
    async fn reports_download_as_csv_xlsx_and_pdf_within_scope(app) {
        history(&app).await;
        let leader = app.login("lanhdao.hoalu").await;
        let (s, index) = leader.get(&format!("/api/v1/index?unit={HOALU}&period=2026-03")).await;
        assert_eq!(s, StatusCode::OK, "{index}");

        // The 766 index as CSV: the head, then every indicator with the JSON's figures.
        let q = format!("unit={HOALU}&period=2026-03");
        let csv = download(&leader, &format!("/api/v1/index/report?{q}&format=csv")).await;
        assert!(header(&csv, "content-disposition").contains(&format!("chi-so-766-{HOALU}-2026-03.csv")), "{:?}", csv.headers);
        let (headers, rows) = read_csv(&csv);
        assert_eq!(headers[..4], ["Phần", "Mã", "Tên", "Nguồn số liệu"]);
        assert_eq!(row(&rows, "Thông tin", "Đơn vị")[2], format!("Ủy ban nhân dân phường Hoa Lư ({HOALU})"));
        assert!(row(&rows, "Thông tin", "Kỳ")[2].starts_with("Tháng 3/2026"));
        assert_eq!(row(&rows, "Thông tin", "Bảng điểm")[2], index["table_version"].as_str().unwrap());
        assert_eq!(row(&rows, "Thông tin", "Thời điểm lập")[2], "2026-04-02 09:00");
        for i in index["indicators"].as_array().unwrap() {
            let r = row(&rows, "Chỉ tiêu", i["id"].as_str().unwrap());
            assert_eq!((&r[4], &r[5], &r[6], &r[7]), (&n(&i["numerator"]), &n(&i["denominator"]), &n(&i["ratio_percent"]), &n(&i["points"])), "{i}");
        }
        let total = row(&rows, "Tổng", "");
        assert_eq!(total[7], n(&index["total"]));
        assert!(total[9].ends_with(index["grade_vi"].as_str().unwrap()), "{total:?}");
        // 2.1 counts the five finished on time and the one still in progress.
        let i21 = index["indicators"].as_array().unwrap().iter().find(|i| i["id"] == "2.1").unwrap();
        assert_eq!(i21["denominator"], 6, "{i21}");

        // The same cells in the workbook (the page route, session auth).
        let xlsx = download(&leader, &format!("/can-bo/chi-so/bao-cao.xlsx?view=766&{q}")).await;
        assert!(header(&xlsx, "content-disposition").contains(&format!("chi-so-766-{HOALU}-2026-03.xlsx")));
        let cells = read_xlsx(&xlsx);
        assert_eq!(cells[0], headers);
        assert_eq!(cells[1..], rows[..], "the workbook holds the CSV's cells");

        // The PDF summary.
        let pdf = download(&leader, &format!("/api/v1/index/report?{q}&format=pdf")).await;
        assert_eq!((pdf.status, pdf.content_type.as_str()), (StatusCode::OK, "application/pdf"));
        assert!(header(&pdf, "content-disposition").contains(&format!("chi-so-766-{HOALU}-2026-03.pdf")));
        let text = pdf_text(&pdf.bytes);
        for phrase in [
            "Ủy ban nhân dân phường Hoa Lư".to_string(),
            HOALU.to_string(),
            "Tháng 3/2026".to_string(),
            index["table_version"].as_str().unwrap().to_string(),
            vn_number(index["total"].as_f64().unwrap()),
            index["grade_vi"].as_str().unwrap().to_string(),
            "02/04/2026 09:00".to_string(),
        ] {
            assert!(text.contains(&phrase), "{phrase} in the PDF: {text}");
        }

        // The dashboard: the unit, its procedure, counts and times as the JSON has them.
        let csv = download(&leader, &format!("/can-bo/chi-so/bao-cao.csv?view=dashboard&{q}")).await;
        assert!(header(&csv, "content-disposition").contains(&format!("bao-cao-chi-so-{HOALU}-2026-03.csv")));
        let (headers, rows) = read_csv(&csv);
        assert_eq!(headers.len(), 20);
        let u = row(&rows, "Đơn vị", HOALU);
        assert_eq!(u[3..10], ["6", "6", "0", "0", "5", "5", "0"], "received, counter, online, postal, finished, on time, late: {u:?}");
        assert_eq!(u[10], "100", "on-time rate");
        assert_eq!((&u[13], &u[14]), (&n(&index["median_days"]), &n(&index["p90_days"])));
        assert!(!u[13].is_empty(), "five decided dossiers have a median");
        assert_eq!((&u[15], &u[16]), (&n(&index["counts"]["open_at_end"]), &n(&index["counts"]["overdue_at_end"])));
        assert_eq!(u[15], "1");
        assert_eq!((&u[17], &u[18]), (&n(&index["total"]), &index["grade_vi"].as_str().unwrap().to_string()));
        let p = row(&rows, "Thủ tục", COMMUNE);
        assert_eq!((&p[3], &p[7]), (&"6".to_string(), &"5".to_string()), "{p:?}");
        assert!(rows.iter().all(|r| r[0] != "Đơn vị trực thuộc"), "a commune has no ranked sub-unit");

        // The province's dashboard ranks the communes with their totals and grades.
        let admin = app.login("admin").await;
        let (_, ranking) = admin.get("/api/v1/index/ranking?period=2026-03").await;
        let (_, rows) = read_csv(&download(&admin, "/api/v1/dashboard/report?period=2026-03&format=csv").await);
        let ranked: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "Đơn vị trực thuộc").collect();
        assert_eq!(ranked.len(), ranking["ranking"].as_array().unwrap().len());
        for (i, x) in ranking["ranking"].as_array().unwrap().iter().enumerate() {
            let r = ranked[i];
            assert_eq!((&r[1], &r[17], &r[19]), (&x["unit"]["code"].as_str().unwrap().to_string(), &n(&x["total"]), &(i + 1).to_string()));
            assert_eq!(r[18], x["grade_vi"].as_str().unwrap());
        }
        assert_eq!(row(&rows, "Đơn vị trực thuộc", TAMDIEP)[3], "3");
        let cells = read_xlsx(&download(&admin, "/api/v1/dashboard/report?period=2026-03&format=xlsx").await);
        assert_eq!(cells[1..], rows[..]);
        let pdf = download(&admin, "/can-bo/chi-so/bao-cao.pdf?view=dashboard&period=2026-03").await;
        assert_eq!(pdf.status, StatusCode::OK);
        let text = pdf_text(&pdf.bytes);
        for phrase in ["Ủy ban nhân dân tỉnh Ninh Bình", "Tháng 3/2026", "Ủy ban nhân dân phường Hoa Lư", "Ủy ban nhân dân phường Tam Điệp"] {
            assert!(text.contains(phrase), "{phrase} in the PDF: {text}");
        }
        assert!(text.contains(&vn_number(ranking["unit"]["total"].as_f64().unwrap())), "{text}");

        // Scope: another commune is out of a commune's scope; citizens and anonymous callers are refused.
        let hoalu_admin = app.login("admin.hoalu").await;
        let (s, b) = hoalu_admin.get(&format!("/api/v1/index/report?unit={TAMDIEP}&period=2026-03&format=csv")).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("unit_out_of_scope")), "{b}");
        let d = download(&hoalu_admin, &format!("/can-bo/chi-so/bao-cao.pdf?view=766&unit={TAMDIEP}&period=2026-03")).await;
        assert_eq!((d.status, d.error_code.as_deref()), (StatusCode::FORBIDDEN, Some("unit_out_of_scope")));
        let (s, _) = hoalu_admin.get(&format!("/api/v1/dashboard/report?unit={HOALU}&period=2026-03&format=csv")).await;
        assert_eq!(s, StatusCode::OK, "its own commune");
        let citizen = app.login("congdan").await;
        let (s, _) = citizen.get(&format!("/api/v1/index/report?{q}&format=csv")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(download(&citizen, &format!("/can-bo/chi-so/bao-cao.csv?view=766&{q}")).await.status, StatusCode::FORBIDDEN);
        let anon = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = anon.get(format!("{}/api/v1/index/report?{q}&format=csv", app.url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let r = anon.get(format!("{}/can-bo/chi-so/bao-cao.csv?view=766&{q}", app.url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        // Bad input: 400 with the code and a Vietnamese message.
        let (s, b) = leader.get(&format!("/api/v1/index/report?{q}&format=doc")).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_format")), "{b}");
        assert!(b["message_vi"].as_str().unwrap().contains("csv, xlsx hoặc pdf"), "{b}");
        let (s, b) = leader.get(&format!("/api/v1/dashboard/report?unit={HOALU}&period=2026-13&format=csv")).await;
        assert_eq!((s, b["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_period")), "{b}");
        let d = download(&leader, &format!("/can-bo/chi-so/bao-cao.csv?view=tong-hop&{q}")).await;
        assert_eq!((d.status, d.error_code.as_deref()), (StatusCode::BAD_REQUEST, Some("invalid_view")));

        // Every download by an official is in the access log, with the unit, period and format.
        let log = recorded(&app, "lanhdao.hoalu").await;
        assert_eq!(log.len(), 4, "{log:?}");
        assert!(log[0].starts_with(&format!("view=766, unit={HOALU}, period=2026-03, format=csv")), "{log:?}");
        assert!(log[3].starts_with("view=dashboard") && log[3].contains("format=csv"), "{log:?}");
        assert_eq!(recorded(&app, "admin").await.len(), 3, "the province's dashboard as CSV, XLSX and PDF");
        assert!(recorded(&app, "congdan").await.is_empty());
    }

    async fn open_statistics_of_a_past_month_without_personal_data(app) {
        history(&app).await;
        let anon = app.client();

        let csv = download(&anon, "/open-data/thong-ke/2026-03.csv").await;
        let (headers, rows) = read_csv(&csv);
        assert_eq!(headers[..6], ["month", "unit_code", "unit_name", "procedure_code", "procedure_name", "received"]);
        let by_unit = |code: &str| rows.iter().find(|r| r[1] == code && r[3] == COMMUNE).unwrap_or_else(|| panic!("{code}: {rows:?}")).clone();
        let h = by_unit(HOALU);
        assert_eq!(h[2], "Ủy ban nhân dân phường Hoa Lư");
        // received, counter, online, postal, finished, on-time rate; median and p90 present.
        assert_eq!(h[5..11], ["6", "6", "0", "0", "5", "100"], "{h:?}");
        assert!(!h[11].is_empty() && !h[12].is_empty(), "{h:?}");
        let t = by_unit(TAMDIEP);
        assert_eq!(t[5..9], ["", "", "", ""], "three dossiers: suppressed: {t:?}");
        let text = String::from_utf8(csv.bytes.clone()).unwrap();
        for personal in [NAME, ID_NUMBER, PHONE] {
            assert!(!text.contains(personal), "{personal} in the CSV");
        }
        assert_eq!(header(&csv, "cache-control"), "public, max-age=3600");
        let etag = header(&csv, "etag");
        assert!(etag.starts_with('"') && !header(&csv, "last-modified").is_empty(), "{:?}", csv.headers);
        let r = anon.http.get(format!("{}/open-data/thong-ke/2026-03.csv", app.url)).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);

        let (s, j) = anon.get("/open-data/thong-ke/2026-03.json").await;
        assert_eq!(s, StatusCode::OK, "{j}");
        assert_eq!((j["licence"].as_str(), j["period"].as_str()), (Some("CC-BY-4.0"), Some("2026-03")));
        assert_eq!(j["suppression"]["min_dossiers"], 5);
        assert!(j["suppression"]["rule"].as_str().unwrap().contains("dưới 5 hồ sơ"));
        assert!(j["fields"].as_array().unwrap().iter().any(|f| f["name"] == "on_time_rate"));
        assert!(j["generated_at"].as_str().unwrap().starts_with("2026-04-02T09:00:00"));
        let items = j["items"].as_array().unwrap();
        let item = |code: &str| items.iter().find(|i| i["unit_code"] == code && i["procedure_code"] == COMMUNE).unwrap().clone();
        let h = item(HOALU);
        assert_eq!((h["received"].as_i64(), h["received_counter"].as_i64(), h["finished"].as_i64()), (Some(5 + 1), Some(6), Some(5)), "{h}");
        assert_eq!((h["on_time_rate"].as_f64(), h["suppressed"].as_bool()), (Some(100.0), Some(false)), "{h}");
        let t = item(TAMDIEP);
        assert_eq!((t["received"].clone(), t["suppressed"].as_bool()), (Value::Null, Some(true)), "{t}");
        assert!(t["suppressed_fields"].as_array().unwrap().iter().any(|f| f == "received"), "{t}");
        let body = j.to_string();
        for personal in [NAME, ID_NUMBER, PHONE] {
            assert!(!body.contains(personal), "{personal} in the JSON");
        }

        // Only months that have ended; a malformed month is a bad request.
        let (s, b) = anon.get("/open-data/thong-ke/2026-04.json").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("month_not_available")), "{b}");
        assert!(b["message_vi"].as_str().unwrap().contains("chỉ công bố các tháng đã kết thúc"), "{b}");
        for bad in ["2026-13.csv", "2026-3.json", "26-03.csv"] {
            let (s, b) = anon.get(&format!("/open-data/thong-ke/{bad}")).await;
            assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_month")), "{bad}: {b}");
        }
        let (s, _) = anon.get("/open-data/thong-ke/2026-03.xml").await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // Listed in the index of datasets and on the public page.
        let (_, index) = anon.get("/open-data").await;
        let stats = index["datasets"].as_array().unwrap().iter().find(|d| d["id"] == "monthly-statistics").unwrap().clone();
        assert_eq!(stats["months"][0]["period"], "2026-03", "{stats}");
        assert_eq!(stats["months"][0]["distributions"][1]["url"], "/open-data/thong-ke/2026-03.csv");
        assert_eq!(stats["licence"], "CC-BY-4.0");
        let page = download(&anon, "/du-lieu-mo").await;
        assert_eq!(page.status, StatusCode::OK);
        let html = String::from_utf8(page.bytes).unwrap();
        assert!(html.contains("href=\"/open-data/thong-ke/2026-03.csv\"") && html.contains("Tháng 3/2026"), "{html}");
    }
}

/// The public open-data page in a real Chromium, both languages, at a phone's width and an
/// office screen's: axe passes, the month's files are linked, nothing scrolls sideways. One
/// backend: the page reads through the same use case as the files tested on both above.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_data_page_passes_axe_at_both_widths() {
    use motcua_testkit::browser::{Browser as Chromium, By, Viewport};
    let app = TestApp::spawn(motcua_testkit::Backend::Sqlite).await;
    history(&app).await;
    let b = Chromium::start(&app).await;
    for path in ["/du-lieu-mo", "/du-lieu-mo?lang=en"] {
        b.open(path).await;
        for v in Viewport::BOTH {
            b.viewport(v).await;
            b.axe().await;
            let (page, window): (i64, i64) = (
                b.driver.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap().convert().unwrap(),
                b.driver.execute("return window.innerWidth", vec![]).await.unwrap().convert().unwrap(),
            );
            assert!(page <= window, "{path} at {}: {page} > {window}", v.name());
        }
        let link = b.find(By::Css("a[href='/open-data/thong-ke/2026-03.json']")).await;
        assert!(link.text().await.unwrap().contains("JSON"));
    }
    assert!(b.main_text().await.contains("Monthly statistics"));
    b.quit().await;
}
