//! The operations centre (issue #16) on both backends, over a small March 2026 built
//! through the API at Phường Hoa Lư: three counter receptions and one online, one decided
//! the same day at the counter, the online one too, one decided two weeks late, one left
//! open (overdue since its third working day). The dashboard's numbers are those, each
//! number's link lists exactly its dossiers, the 766 page and an indicator's drill-down show
//! the same figures, the overdue list names the step holding the open one; the scope of
//! each reader holds (a commune, a department, the province) and bad input is refused in
//! Vietnamese. The wall view's events carry the figures and follow a new reception. In
//! Chromium (SQLite): the dashboard and the wall pass axe at phone and desktop widths (with
//! screenshots), and the wall's number changes after a reception without a reload.

use crate::browser::{Browser as Http, Page};
use crate::dvcqg::{counter_received, step};
use crate::officer_pages::{PDF, vn};
use motcua_testkit::browser::Browser;
use motcua_testkit::{Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const COMMUNE: &str = "1.004873";
/// Hoa Lư's one-stop centre, its commune, and another commune.
const HOA_LU_CENTRE: &str = "000.01.31.H40";
const HOA_LU: &str = "000.00.31.H40";
const TAM_DIEP: &str = "000.00.32.H40";

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| c.wall.event_secs = 1).await
}

/// An online dossier of the commune procedure filed by congdan at Hoa Lư's centre and
/// received there.
async fn online_received(app: &TestApp) -> Value {
    let citizen = app.login("congdan").await;
    let centre = app.agency_id(HOA_LU_CENTRE).await;
    let (s, d) = citizen
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": COMMUNE, "receiving_agency_id": centre,
                "applicant": {"name": "Lê Thị Cúc", "id_number": "037092001111", "phone": "0912000222"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["id"].as_str().unwrap().to_string();
    let mut d = d;
    for key in ["to_khai", "giay_to_tuy_than"] {
        let path = format!("/api/v1/dossiers/{id}/components/{key}/files?name=a.pdf");
        let (s, b) = citizen.raw(Method::PUT, &path, "application/pdf", PDF.to_vec()).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        d = b;
    }
    let d = step(app, &citizen, &d, "submit", json!({})).await;
    step(app, &app.login("tiepnhan.hoalu").await, &d, "receive", json!({})).await
}

/// Forwarded by the clerk and the specialist, resolved by the commune's leader.
async fn resolve(app: &TestApp, d: &Value) -> Value {
    let d = step(app, &app.login("tiepnhan.hoalu").await, d, "forward", json!({})).await;
    let d = step(app, &app.login("chuyenvien.hoalu").await, &d, "forward", json!({})).await;
    step(app, &app.login("lanhdao.hoalu").await, &d, "resolve", json!({"name": "Giấy xác nhận", "number": "1/XN"})).await
}

fn code(d: &Value) -> String {
    d["code"].as_str().unwrap().to_string()
}

struct History {
    /// Decided the same day at the counter, online, late; open.
    early: Value,
    online: Value,
    late: Value,
    open: Value,
}

async fn history(app: &TestApp) -> History {
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));
    let early = counter_received(app).await;
    let late = counter_received(app).await;
    let open = counter_received(app).await;
    let online = online_received(app).await;
    let early = resolve(app, &early).await;
    let online = resolve(app, &online).await;
    app.ctx.clock.set(vn("2026-03-16T09:00:00"));
    let late = resolve(app, &late).await;
    app.ctx.clock.set(vn("2026-03-31T10:00:00"));
    History { early, online, late, open }
}

fn unescape(s: &str) -> String {
    s.replace("&#38;", "&").replace("&amp;", "&").replace("&#x27;", "'").replace("&quot;", "\"").replace("&#39;", "'")
}

/// The value and link of a figure of the dashboard, by its label.
fn figure(p: &Page, label: &str) -> (String, String) {
    let end = p.body.find(&format!("<span>{label}</span></a>")).unwrap_or_else(|| panic!("no figure {label}: {}", p.body));
    let before = &p.body[..end];
    let a = before.rfind("<a href=\"").unwrap() + "<a href=\"".len();
    let href = &before[a..a + before[a..].find('"').unwrap()];
    let s = before.rfind("<strong>").unwrap() + "<strong>".len();
    let value = &before[s..s + before[s..].find("</strong>").unwrap()];
    (value.to_string(), unescape(href))
}

/// The dossier codes a list (page or part of one) shows.
fn codes(body: &str) -> BTreeSet<String> {
    body.split("data-label=\"Mã hồ sơ\"><a href=\"")
        .skip(1)
        .map(|s| {
            let s = &s[s.find("\">").unwrap() + 2..];
            s[..s.find("</a>").unwrap()].to_string()
        })
        .collect()
}

fn set(ds: &[&Value]) -> BTreeSet<String> {
    ds.iter().map(|d| code(d)).collect()
}

async fn ok(b: &Http, path: &str) -> Page {
    let p = b.get(path).await;
    assert_eq!(p.status, StatusCode::OK, "{path}: {}", p.body);
    p
}

/// Reads server-sent events until one satisfies `done`, and returns it.
async fn read_events(resp: &mut reqwest::Response, done: impl Fn(&Value) -> bool) -> Value {
    let mut buf = String::new();
    let deadline = Duration::from_secs(30);
    tokio::time::timeout(deadline, async {
        loop {
            let chunk = resp.chunk().await.unwrap().expect("the stream ended");
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let ev: String = buf[..end].to_string();
                buf.drain(..end + 2);
                let data: String = ev.lines().filter_map(|l| l.strip_prefix("data:")).map(str::trim).collect();
                if data.is_empty() {
                    continue;
                }
                let v: Value = serde_json::from_str(&data).unwrap();
                if done(&v) {
                    return v;
                }
            }
        }
    })
    .await
    .expect("no such event within 30 s")
}

async fn numbers_and_lists(backend: Backend) {
    let app = spawn(backend).await;
    let h = history(&app).await;
    let b = Http::login(&app, "admin.hoalu").await;

    // The dashboard of March at Hoa Lư (the commune admin's own unit).
    let d = ok(&b, "/can-bo/chi-so?period=2026-03").await;
    assert!(d.body.contains("Hoa Lư"), "{}", d.body);
    let all = set(&[&h.early, &h.online, &h.late, &h.open]);
    let expect: [(&str, &str, BTreeSet<String>); 7] = [
        ("Tổng hồ sơ tiếp nhận", "4", all.clone()),
        ("Trực tiếp tại quầy", "3", set(&[&h.early, &h.late, &h.open])),
        ("Trực tuyến", "1", set(&[&h.online])),
        ("Đã giải quyết", "3", set(&[&h.early, &h.online, &h.late])),
        ("Giải quyết trước và đúng hạn", "2", set(&[&h.early, &h.online])),
        ("Giải quyết quá hạn", "1", set(&[&h.late])),
        ("Đang giải quyết cuối kỳ", "1", set(&[&h.open])),
    ];
    for (label, value, dossiers) in expect {
        let (v, href) = figure(&d, label);
        assert_eq!(v, value, "{label}");
        let list = ok(&b, &href).await;
        assert_eq!(codes(&list.body), dossiers, "{label} → {href}");
        assert!(list.body.contains(&format!("{} hồ sơ", dossiers.len())), "{}", list.body);
    }
    assert_eq!(figure(&d, "Trong đó từ Cổng DVCQG").0, "0");
    assert_eq!(figure(&d, "Trong đó nộp tại hệ thống của tỉnh").0, "1");
    assert_eq!(figure(&d, "Trong đó quá hạn cuối kỳ").0, "1");
    // 2.1: (2 on time + 0 open in time) / (3 finished + 1 open) = 50 %.
    let (rate, rate_href) = figure(&d, "Tỷ lệ giải quyết đúng hạn (2.1)");
    assert_eq!(rate, "50 %");
    assert_eq!(figure(&d, "Tỷ lệ hồ sơ trực tuyến").0, "25 %");
    // The trend chart: an SVG with its accessible name, and its table.
    assert!(d.body.contains("role=\"img\"") && d.body.contains("<title id=\"chart-title\">"), "{}", d.body);
    assert!(d.body.contains("<th scope=\"row\">03/26</th><td>4</td><td>1</td><td>3</td><td>66,67 %</td>"), "{}", d.body);
    // Processing time: 3 decided, two the same day (≤ 1 day), one in 14 days.
    assert!(d.body.contains("Tất cả thủ tục</a></th><td>3</td>"), "{}", d.body);
    assert!(d.body.contains("Cấp Giấy xác nhận tình trạng hôn nhân</a></th><td>3</td>"), "{}", d.body);

    // Overdue now: the open dossier, still at Hoa Lư's first step.
    let open_code = code(&h.open);
    let table = &d.body[d.body.find("id=\"overdue\"").expect("the overdue table")..];
    assert!(table.contains(&open_code), "{table}");
    assert!(table.contains("Hoa Lư"), "{table}");
    assert_eq!(codes(table), BTreeSet::from([open_code.clone()]));
    let overdue_href = {
        let at = d.body.find("id=\"overdue-total\"").unwrap();
        let a = d.body[..at].rfind("<a href=\"").unwrap() + 9;
        unescape(&d.body[a..a + d.body[a..].find('"').unwrap()])
    };
    assert_eq!(codes(&ok(&b, &overdue_href).await.body), BTreeSet::from([open_code.clone()]));

    // The 766 page: 2.1's figures, the total, the no-data mark; its drill-down by procedure.
    let i = ok(&b, &unescape(&rate_href).replace("/766/2.1", "/766")).await;
    let row = &i.body[i.body.find("id=\"i-2.1\"").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains(">2</td>") && row.contains(">4</td>") && row.contains("50 %"), "{row}");
    assert!(i.body.contains("/100"), "{}", i.body);
    assert!(i.body.contains("Không có dữ liệu"), "{}", i.body);
    let detail = ok(&b, &rate_href).await;
    let by = &detail.body[detail.body.find("id=\"by-procedure\"").expect("by procedure")..];
    assert!(by.contains(COMMUNE) && by.contains(">2</td>") && by.contains(">3</td>"), "{by}");
    let a = by.find("<a href=\"").unwrap() + 9;
    let href = unescape(&by[a..a + by[a..].find('"').unwrap()]);
    assert!(href.contains("procedure=1.004873") && href.contains("period=2026-03"), "{href}");
    assert_eq!(codes(&ok(&b, &href).await.body), set(&[&h.early, &h.online, &h.late]));
    // A catalog indicator lists the unit's procedures; an unknown one is 404.
    let c = ok(&b, "/can-bo/chi-so/766/3.1?period=2026-03").await;
    assert!(c.body.contains(COMMUNE), "{}", c.body);
    assert_eq!(b.get("/can-bo/chi-so/766/9.9?period=2026-03").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_and_lists_sqlite() {
    numbers_and_lists(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_and_lists_postgres() {
    numbers_and_lists(Backend::Postgres).await;
}

fn error_code(p: &Page) -> &str {
    p.headers.get("x-error-code").and_then(|v| v.to_str().ok()).unwrap_or("")
}

async fn scope_and_bad_input(backend: Backend) {
    let app = spawn(backend).await;
    history(&app).await;
    let tam_diep = app.agency_id(TAM_DIEP).await;
    let hoa_lu = app.agency_id(HOA_LU).await;

    let admin = Http::login(&app, "admin.hoalu").await;
    for path in [
        format!("/can-bo/chi-so?unit={tam_diep}"),
        format!("/can-bo/chi-so/766?unit={tam_diep}"),
        format!("/can-bo/chi-so/766/2.1?unit={tam_diep}"),
        format!("/can-bo/chi-so/ho-so?unit={tam_diep}&kind=received"),
        format!("/can-bo/chi-so/man-hinh?unit={tam_diep}"),
        format!("/can-bo/chi-so/man-hinh/su-kien?unit={tam_diep}"),
    ] {
        let p = admin.get(&path).await;
        assert_eq!((p.status, error_code(&p)), (StatusCode::FORBIDDEN, "unit_out_of_scope"), "{path}");
        assert!(p.body.contains("ngoài phạm vi"), "{}", p.body);
    }
    let p = admin.get("/can-bo/chi-so?period=2026-13").await;
    assert_eq!((p.status, error_code(&p)), (StatusCode::BAD_REQUEST, "invalid_period"));
    assert!(p.body.contains("Kỳ không hợp lệ"), "{}", p.body);
    let p = admin.get("/can-bo/chi-so/ho-so?kind=everything").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert_eq!(admin.get("/can-bo/chi-so?unit=000.99.99.H40").await.status, StatusCode::NOT_FOUND);
    // In English too.
    let en = ok(&admin, "/can-bo/chi-so?period=2026-03&lang=en").await;
    assert!(en.body.contains("<h1>Operations dashboard – ") && en.body.contains("Dossiers received"), "{}", en.body);
    // The selector offers only Hoa Lư.
    let d = ok(&admin, "/can-bo/chi-so?period=2026-03").await;
    assert!(d.body.contains(&format!("<option value=\"{hoa_lu}\" selected>")), "{}", d.body);
    assert!(!d.body.contains(&tam_diep), "another commune is offered");

    // The leader of Sở Tư pháp reads the department; the supervisor the province, with the
    // communes ranked (Hoa Lư's 4 receptions among them).
    let leader = ok(&Http::login(&app, "lanhdao").await, "/can-bo/chi-so?period=2026-03").await;
    assert!(leader.body.contains("<h1>Chỉ số điều hành – Sở Tư pháp"), "{}", leader.body);
    let sup = Http::login(&app, "giamsat").await;
    let province = ok(&sup, "/can-bo/chi-so?period=2026-03").await;
    assert_eq!(figure(&province, "Tổng hồ sơ tiếp nhận").0, "4");
    let ranking = &province.body[province.body.find("id=\"ranking\"").expect("a ranking")..];
    assert!(ranking.contains("Hoa Lư"), "{ranking}");
    assert!(ok(&sup, &format!("/can-bo/chi-so?unit={tam_diep}&period=2026-03")).await.body.contains("Tam Điệp"));
    // The menu entry for readers of the indicators only.
    assert!(province.body.contains(">Chỉ số điều hành</a>"));
    let clerk = Http::login(&app, "tiepnhan.hoalu").await;
    assert!(!ok(&clerk, "/can-bo/ho-so").await.body.contains("Chỉ số điều hành"));
    assert_eq!(clerk.get("/can-bo/chi-so").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_and_bad_input_sqlite() {
    scope_and_bad_input(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_and_bad_input_postgres() {
    scope_and_bad_input(Backend::Postgres).await;
}

async fn wall_events(backend: Backend) {
    let app = spawn(backend).await;
    history(&app).await;
    let b = Http::login(&app, "admin.hoalu").await;
    let w = ok(&b, "/can-bo/chi-so/man-hinh").await;
    assert!(w.body.contains("id=\"w-received_month\">4<"), "{}", w.body);
    assert!(w.body.contains("id=\"w-overdue_now\">1<"), "{}", w.body);
    assert!(w.body.contains("/assets/indicators-wall.js"));
    assert!(!w.body.contains("http-equiv=\"refresh\""));
    let mut resp = b.http.get(format!("{}/can-bo/chi-so/man-hinh/su-kien", app.url)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let first = read_events(&mut resp, |_| true).await;
    assert_eq!((first["received_month"].as_str(), first["received_today"].as_str()), (Some("4"), Some("0")), "{first}");
    assert_eq!(first["on_time"], "50 %");
    assert_eq!(first["overdue_now"], "1");
    // A reception now shows in a later event of the same stream.
    counter_received(&app).await;
    let next = read_events(&mut resp, |v| v["received_today"] == "1").await;
    assert_eq!(next["received_month"], "5", "{next}");
    // A signed-out session ends the stream.
    let token = b.get("/can-bo/chi-so").await;
    let out = b.post("/dang-xuat", &[("csrf_token", token.csrf())]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    let ended = tokio::time::timeout(Duration::from_secs(30), async { while let Ok(Some(_)) = resp.chunk().await {} }).await;
    assert!(ended.is_ok(), "the stream goes on after sign-out");
    // The streams are bounded: past the limit, 503 in Vietnamese.
    let app = TestApp::spawn_with(backend, |c| c.wall.max_streams = 1).await;
    let b = Http::login(&app, "admin.hoalu").await;
    let _held = b.http.get(format!("{}/can-bo/chi-so/man-hinh/su-kien", app.url)).send().await.unwrap();
    let p = b.get("/can-bo/chi-so/man-hinh/su-kien").await;
    assert_eq!((p.status, error_code(&p)), (StatusCode::SERVICE_UNAVAILABLE, "too_many_streams"));
    assert!(p.body.contains("quá nhiều kết nối"), "{}", p.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wall_events_sqlite() {
    wall_events(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wall_events_postgres() {
    wall_events(Backend::Postgres).await;
}

/// Chromium (SQLite): the dashboard and the wall at phone and desktop widths pass axe and
/// are captured; the wall's "received today" follows a reception without a reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_dashboard_and_wall() {
    let app = spawn(Backend::Sqlite).await;
    history(&app).await;
    let b = Browser::start(&app).await;
    b.login("admin.hoalu").await;
    b.open("/can-bo/chi-so?period=2026-03").await;
    b.capture("indicators-dashboard").await;
    b.open("/can-bo/chi-so/766?period=2026-03").await;
    b.capture("indicators-766").await;
    b.open("/can-bo/chi-so/man-hinh").await;
    b.capture("indicators-wall").await;
    let before = b.by_id("w-received_today").await.text().await.unwrap();
    assert_eq!(before, "0");
    counter_received(&app).await;
    let start = Instant::now();
    loop {
        let t = b.by_id("w-received_today").await.text().await.unwrap_or_default();
        if t == "1" {
            break;
        }
        assert!(start.elapsed() < motcua_testkit::browser::WAIT, "the wall still shows {t:?}");
        tokio::time::sleep(motcua_testkit::browser::POLL).await;
    }
    assert_eq!(b.path().await, "/can-bo/chi-so/man-hinh", "no reload");
    b.axe().await;
    b.quit().await;
}
