//! Exports (issue #13), on both backends: the register (form 07) and the officers' dossier
//! lists as CSV (UTF-8 with BOM, read back with the `csv` crate) and XLSX (read back with
//! `calamine`) with the same cells; each stays within the reader's agencies, neutralises a
//! formula-looking applicant name, is recorded in the access log, and a selection larger
//! than the bound is refused with 422 `export_too_large`.

use crate::officer_pages::vn;
use calamine::{Data, Reader, Xlsx};
use motcua_testkit::{Client, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Xác nhận tình trạng hôn nhân: commune, 3 working days.
const COMMUNE: &str = "1.004873";
/// A name a spreadsheet program would run as a formula.
const INJECTED: &str = "=HYPERLINK(\"http://evil.example\",\"Bấm vào đây\")";
const DAY: &str = "from=2026-03-02&to=2026-03-02";

const REGISTER_HEADERS: [&str; 13] = [
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục",
    "Tên tổ chức, cá nhân",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Ngày, giờ nhận hồ sơ",
    "Ngày, giờ hẹn trả",
    "Ngày, giờ chuyển hồ sơ",
    "Ngày, giờ nhận kết quả",
    "Ngày, giờ trả kết quả",
    "Trạng thái",
    "Ghi chú",
];

const LIST_HEADERS: [&str; 12] = [
    "STT",
    "Mã hồ sơ",
    "Mã thủ tục",
    "Tên thủ tục",
    "Tên tổ chức, cá nhân",
    "Trạng thái",
    "Bước xử lý",
    "Nơi tiếp nhận",
    "Ngày, giờ nộp",
    "Ngày, giờ nhận hồ sơ",
    "Hạn giải quyết",
    "Ngày, giờ hẹn trả",
];

/// A dossier received at once at `clerk`'s counter for `name` (an organisation's name is
/// free text, a person's only letters); its code.
async fn received(clerk: &Client, name: &str, kind: &str) -> String {
    let (s, d) = clerk
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": COMMUNE,
            "applicant": {"kind": kind, "name": name, "id_number": "037092001234", "phone": "0912345678", "address": "Ninh Bình"},
            "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d["code"].as_str().unwrap().to_string()
}

/// Hoa Lư's counter receives An's dossier and one for the formula-looking name; Tam Điệp's
/// (a reception officer created here) receives Cường's. Returns (An's, the injected one's,
/// Tam Điệp's) codes.
async fn dossiers(app: &TestApp) -> (String, String, String) {
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));
    let admin = app.login("admin").await;
    let counter = app.agency_id("000.02.32.H40").await;
    let (s, b) = admin
        .post(
            "/api/v1/users",
            json!({"username": "tiepnhan.tamdiep", "full_name": "Đỗ Văn Bình", "password": "Motcua@2026",
            "memberships": [{"agency_id": counter, "role": "reception_officer"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let hoalu = app.login("tiepnhan.hoalu").await;
    let an = received(&hoalu, "Nguyễn Văn An", "citizen").await;
    let injected = received(&hoalu, INJECTED, "organisation").await;
    let tamdiep = received(&app.login("tiepnhan.tamdiep").await, "Lê Văn Cường", "citizen").await;
    (an, injected, tamdiep)
}

pub(crate) struct Download {
    pub status: StatusCode,
    pub content_type: String,
    pub error_code: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
}

pub(crate) async fn download(c: &Client, path: &str) -> Download {
    let r = c.http.get(format!("{}{path}", c.base)).send().await.unwrap();
    let header = |n: &str| r.headers().get(n).map(|v| v.to_str().unwrap().to_string());
    let (status, content_type, error_code) = (r.status(), header("content-type").unwrap_or_default(), header("x-error-code"));
    let headers = r.headers().clone();
    Download { status, content_type, error_code, headers, bytes: r.bytes().await.unwrap().to_vec() }
}

/// The CSV's header and rows, after checking the BOM and the line ends.
pub(crate) fn read_csv(d: &Download) -> (Vec<String>, Vec<Vec<String>>) {
    assert_eq!(d.status, StatusCode::OK, "{}", String::from_utf8_lossy(&d.bytes));
    assert!(d.content_type.starts_with("text/csv"), "{}", d.content_type);
    assert_eq!(&d.bytes[..3], b"\xEF\xBB\xBF", "UTF-8 byte-order mark");
    let text = std::str::from_utf8(&d.bytes[3..]).unwrap();
    assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'), "CRLF line ends");
    let mut r = csv::Reader::from_reader(&d.bytes[3..]);
    let headers = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    (headers, rows)
}

/// The first sheet's cells as CSV writes them (numbers as digits, dates `YYYY-MM-DD HH:MM`),
/// after checking that no cell is a formula.
pub(crate) fn read_xlsx(d: &Download) -> Vec<Vec<String>> {
    assert_eq!(d.status, StatusCode::OK, "{}", String::from_utf8_lossy(&d.bytes));
    assert!(d.content_type.starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(d.bytes.clone())).expect("an XLSX workbook");
    let sheet = wb.sheet_names()[0].clone();
    assert!(sheet.chars().count() <= 31, "{sheet}");
    let formulas = wb.worksheet_formula(&sheet).unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formula in an export");
    let range = wb.worksheet_range(&sheet).unwrap();
    assert_eq!(range.start(), Some((0, 0)));
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::DateTime(t) => {
                        let (y, mo, da, h, mi, _, _) = t.to_ymd_hms_milli();
                        format!("{y:04}-{mo:02}-{da:02} {h:02}:{mi:02}")
                    }
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect()
        })
        .collect()
}

/// The CSV's rows with the guard's apostrophe taken back (XLSX keeps strings as they are).
fn unguarded(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    let dangerous = |s: &str| s.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']);
    rows.iter()
        .map(|r| r.iter().map(|c| c.strip_prefix('\'').filter(|rest| dangerous(rest)).unwrap_or(c).to_string()).collect())
        .collect()
}

fn row_of<'a>(rows: &'a [Vec<String>], code: &str) -> &'a Vec<String> {
    rows.iter().find(|r| r[1] == code).unwrap_or_else(|| panic!("{code} in {rows:?}"))
}

fn codes(rows: &[Vec<String>]) -> Vec<&str> {
    rows.iter().map(|r| r[1].as_str()).collect()
}

async fn recorded(app: &TestApp, username: &str, kind: &str) -> Vec<String> {
    app.ctx.access.flush().await;
    let (u, k) = (username.to_string(), kind.to_string());
    app.ctx
        .store
        .read(move |db| {
            db.query(
                "SELECT detail FROM access_log WHERE username = $1 AND action = $2 ORDER BY at_ms, id",
                &motcua_store::params![u, k],
            )?
            .iter()
            .map(|r| Ok(r.opt_text(0)?.unwrap_or_default()))
            .collect::<Result<Vec<_>, motcua_store::StoreError>>()
        })
        .await
        .unwrap()
}

both_backends! {
    async fn the_register_exports_as_csv_and_xlsx_with_the_same_cells_within_the_commune(app) {
        let (an, injected, tamdiep) = dossiers(&app).await;
        let clerk = app.login("tiepnhan.hoalu").await;

        let page = download(&clerk, &format!("/can-bo/so-theo-doi?{DAY}")).await;
        let html = String::from_utf8(page.bytes).unwrap();
        for link in ["/can-bo/so-theo-doi.csv?", "/can-bo/so-theo-doi.xlsx?", "/can-bo/so-theo-doi.pdf?"] {
            assert!(html.contains(&format!("{link}from=2026-03-02&#38;to=2026-03-02")), "{link} on the page: {html}");
        }

        let (headers, rows) = read_csv(&download(&clerk, &format!("/can-bo/so-theo-doi.csv?{DAY}")).await);
        assert_eq!(headers, REGISTER_HEADERS);
        assert_eq!(codes(&rows), [an.as_str(), injected.as_str()], "Hoa Lư's two, in reception order, not Tam Điệp's {tamdiep}");
        let a = row_of(&rows, &an);
        assert_eq!((a[0].as_str(), a[3].as_str(), a[6].as_str()), ("1", "Nguyễn Văn An", "2026-03-02 09:00"), "{a:?}");
        assert_eq!(row_of(&rows, &injected)[3], format!("'{INJECTED}"), "the formula is neutralised");

        let cells = read_xlsx(&download(&clerk, &format!("/can-bo/so-theo-doi.xlsx?{DAY}")).await);
        assert_eq!(cells[0], REGISTER_HEADERS);
        assert_eq!(cells[1..].to_vec(), unguarded(&rows), "the workbook holds the CSV's cells");
        assert_eq!(row_of(&cells[1..], &injected)[3], INJECTED, "a string cell, not a formula");

        // Tam Điệp's clerk sees only Tam Điệp's.
        let other = app.login("tiepnhan.tamdiep").await;
        let (_, rows) = read_csv(&download(&other, &format!("/can-bo/so-theo-doi.csv?{DAY}")).await);
        assert_eq!(codes(&rows), [tamdiep.as_str()]);
        let cells = read_xlsx(&download(&other, &format!("/can-bo/so-theo-doi.xlsx?{DAY}")).await);
        assert_eq!(codes(&cells[1..]), [tamdiep.as_str()]);

        assert_eq!(recorded(&app, "tiepnhan.hoalu", "register_export").await, ["2026-03-02..2026-03-02: 2 dossiers"; 2]);
        assert_eq!(download(&app.login("congdan").await, &format!("/can-bo/so-theo-doi.xlsx?{DAY}")).await.status, StatusCode::FORBIDDEN);

        // A bad period: 422 with the Vietnamese message and the code, no file.
        let bad = download(&clerk, "/can-bo/so-theo-doi.xlsx?from=2026-03-05&to=2026-03-02").await;
        assert_eq!((bad.status, bad.error_code.as_deref()), (StatusCode::UNPROCESSABLE_ENTITY, Some("before_start")));
        assert!(String::from_utf8(bad.bytes).unwrap().contains("Ngày cuối phải từ ngày đầu trở đi."));
        let long = download(&clerk, "/can-bo/so-theo-doi.csv?from=2025-01-01&to=2026-03-02").await;
        assert_eq!((long.status, long.error_code.as_deref()), (StatusCode::UNPROCESSABLE_ENTITY, Some("too_long")));
    }

    async fn dossier_lists_export_every_page_of_the_filtered_list_within_scope(app) {
        let (an, injected, tamdiep) = dossiers(&app).await;
        let admin = app.login("admin.hoalu").await;

        let page = download(&admin, "/can-bo/ho-so?q=nguyen").await;
        let html = String::from_utf8(page.bytes).unwrap();
        assert!(html.contains("/can-bo/ho-so.csv?q=nguyen") && html.contains("/can-bo/ho-so.xlsx?q=nguyen"), "{html}");

        let (headers, rows) = read_csv(&download(&admin, "/can-bo/ho-so.csv").await);
        assert_eq!(headers, LIST_HEADERS);
        let mut got = codes(&rows);
        got.sort();
        let mut want = vec![an.as_str(), injected.as_str()];
        want.sort();
        assert_eq!(got, want, "Hoa Lư's, not Tam Điệp's {tamdiep}");
        let a = row_of(&rows, &an);
        assert_eq!((a[2].as_str(), a[4].as_str(), a[9].as_str()), (COMMUNE, "Nguyễn Văn An", "2026-03-02 09:00"), "{a:?}");
        assert_eq!(row_of(&rows, &injected)[4], format!("'{INJECTED}"));
        let cells = read_xlsx(&download(&admin, "/can-bo/ho-so.xlsx").await);
        assert_eq!(cells[0], LIST_HEADERS);
        assert_eq!(cells[1..].to_vec(), unguarded(&rows));

        // The filter of the page applies; the other commune's export holds only its own.
        let (_, rows) = read_csv(&download(&admin, "/can-bo/ho-so.csv?q=nguyen+van+an").await);
        assert_eq!(codes(&rows), [an.as_str()]);
        let (_, rows) = read_csv(&download(&app.login("admin.tamdiep").await, "/can-bo/ho-so.csv").await);
        assert_eq!(codes(&rows), [tamdiep.as_str()]);

        // The API: `format=csv|xlsx` on the list, the same rows.
        let api = download(&admin, "/api/v1/dossiers?format=csv&limit=1").await;
        let (_, api_rows) = read_csv(&api);
        assert_eq!(api_rows.len(), 2, "the whole list, not a page");
        let cells = read_xlsx(&download(&admin, "/api/v1/dossiers?format=xlsx&q=nguyen+van+an").await);
        assert_eq!(codes(&cells[1..]), [an.as_str()]);
        let (s, b) = admin.get("/api/v1/dossiers?format=pdf").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_format")), "{b}");
        let (s, b) = admin.get("/api/v1/dossiers").await;
        assert_eq!((s, b["total"].as_i64()), (StatusCode::OK, Some(2)), "JSON stays the default");
        // An applicant's own dossiers (none here) download too, and are not logged.
        let (h, rows) = read_csv(&download(&app.login("congdan").await, "/api/v1/dossiers?format=csv").await);
        assert_eq!((h.len(), rows.len()), (LIST_HEADERS.len(), 0));

        let log = recorded(&app, "admin.hoalu", "list_export").await;
        assert_eq!(log.len(), 5, "{log:?}");
        assert!(log[0].contains("format=csv") && log[0].ends_with("2/2 rows"), "{log:?}");
        assert!(recorded(&app, "congdan", "list_export").await.is_empty());
    }
}

/// A selection larger than `documents.export_max_rows` is refused before any file is made.
mod oversize_exports_are_refused {
    use super::*;

    async fn run(backend: motcua_testkit::Backend) {
        let app = TestApp::spawn_with(backend, |c| c.documents.export_max_rows = 1).await;
        let (_an, _injected, tamdiep) = dossiers(&app).await;
        let admin = app.login("admin.hoalu").await;
        for path in ["/can-bo/ho-so.csv", "/can-bo/ho-so.xlsx", &format!("/can-bo/so-theo-doi.xlsx?{DAY}")] {
            let d = download(&admin, path).await;
            assert_eq!(
                (d.status, d.error_code.as_deref()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("export_too_large")),
                "{path}"
            );
            let html = String::from_utf8(d.bytes).unwrap();
            assert!(html.contains("Có 2 hồ sơ, quá 1 hồ sơ của một lần tải về"), "{html}");
        }
        let (s, b): (StatusCode, Value) = admin.get("/api/v1/dossiers?format=csv").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("export_too_large")), "{b}");
        assert!(b["message_vi"].as_str().unwrap().contains("hãy lọc hẹp hơn"), "{b}");
        // One dossier is within the bound.
        let (_, rows) = read_csv(&download(&app.login("admin.tamdiep").await, "/can-bo/ho-so.csv").await);
        assert_eq!(codes(&rows), [tamdiep.as_str()]);
        let log = recorded(&app, "admin.hoalu", "list_export").await;
        assert!(log.len() == 3 && log.iter().all(|d| d.ends_with("0/2 rows")), "refusals are recorded: {log:?}");
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
