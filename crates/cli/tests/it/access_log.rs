//! Issue #12 item 14: logins, bearer tokens issued, reads and downloads of the register,
//! every read of a dossier's personal data by an official and every list of dossiers shown
//! to an official (one entry per request) are in the access log (who, when, which dossier,
//! from which address), which an administrator searches within their scope, through the API
//! or the page `/quan-tri/nhat-ky-truy-cap`; reading it is recorded too; entries past the
//! retention period are purged.

use crate::browser::{Browser, Page};
use crate::officer_pages::online_submitted;
use motcua_testkit::{TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn actions(v: &Value) -> Vec<(String, String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or("").to_string();
            (s("username"), s("action"), s("dossier_id"))
        })
        .collect()
}

/// Mean time of 300 sequential GETs of `path`.
async fn mean_get_ms(c: &motcua_testkit::Client, path: &str) -> f64 {
    let t = std::time::Instant::now();
    for _ in 0..300 {
        let (s, _) = c.get(path).await;
        assert_eq!(s, StatusCode::OK);
    }
    t.elapsed().as_secs_f64() * 1000.0 / 300.0
}

both_backends! {
    async fn officials_reads_logins_tokens_and_register_are_logged_and_scoped(app) {
        let citizen = app.login("congdan").await;
        // A dossier filed online at the provincial centre.
        let d = online_submitted(&citizen).await;
        let id = d["id"].as_str().unwrap().to_string();
        // The applicant's own reads are not logged.
        let (s, _) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(s, StatusCode::OK);

        // An official of Tam Điệp reads the province admin's register; a Hoa Lư official the dossier.
        let admin = app.login("admin").await;
        let (s, _) = admin.get("/api/v1/register?from=2020-01-01&to=2030-12-31").await;
        assert_eq!(s, StatusCode::OK);
        let (s, t) = admin.post("/api/v1/auth/tokens", json!({"name": "tich hop"})).await;
        assert!(s.is_success(), "{t}");
        let bad = app.client();
        let (s, _) = bad.post("/api/v1/auth/login", json!({"username": "chuyenvien.hoalu", "password": "sai-mat-khau"})).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);

        let (s, log) = admin.get("/api/v1/access-log?user=congdan").await;
        assert_eq!(s, StatusCode::OK, "{log}");
        let got = actions(&log);
        assert!(got.iter().any(|(u, a, _)| u == "congdan" && a == "login"), "{got:?}");
        assert!(!got.iter().any(|(_, a, _)| a == "dossier_read"), "the applicant's own reads are not logged: {got:?}");
        let (_, log) = admin.get("/api/v1/access-log?user=admin").await;
        let got = actions(&log);
        for want in ["login", "register_read", "token_issued"] {
            assert!(got.iter().any(|(u, a, _)| u == "admin" && a == want), "{want}: {got:?}");
        }
        let (_, log) = admin.get("/api/v1/access-log?user=chuyenvien.hoalu").await;
        let e = &log[0];
        assert_eq!((e["action"].as_str(), e["address"].as_str()), (Some("login_failed"), Some("127.0.0.1")), "{log}");

        // The province supervisor may read the dossier (the whole province); the read is logged
        // with the dossier and the address.
        let giamsat = app.login("giamsat").await;
        let (s, _) = giamsat.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        let (s, log) = admin.get(&format!("/api/v1/access-log?dossier={id}")).await;
        assert_eq!(s, StatusCode::OK);
        let e = &log[0];
        assert_eq!((e["username"].as_str(), e["action"].as_str(), e["dossier_id"].as_str()), (Some("giamsat"), Some("dossier_read"), Some(id.as_str())));
        assert_eq!(e["address"].as_str(), Some("127.0.0.1"));

        // Scope: a commune administrator reads the entries about its agencies only: not the
        // read of a provincial dossier nor the province's own entries, but its officials' logins.
        let (admin_hl, admin_td) = (app.login("admin.hoalu").await, app.login("admin.tamdiep").await);
        for c in [&admin_hl, &admin_td] {
            let (s, log) = c.get(&format!("/api/v1/access-log?dossier={id}")).await;
            assert_eq!((s, log.as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{log}");
            let (_, log) = c.get("/api/v1/access-log?user=admin").await;
            assert_eq!(log.as_array().map(Vec::len), Some(0), "{log}");
        }
        app.login("tiepnhan.hoalu").await;
        let (_, log) = admin_hl.get("/api/v1/access-log?user=tiepnhan.hoalu").await;
        assert_eq!(actions(&log).first().map(|e| e.1.as_str()), Some("login"), "{log}");
        let (_, log) = admin_td.get("/api/v1/access-log?user=tiepnhan.hoalu").await;
        assert_eq!(log.as_array().map(Vec::len), Some(0), "{log}");
        // Not an administrator: refused.
        let (s, _) = app.login("chuyenvien").await.get("/api/v1/access-log").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Bad input: a clear 422.
        let (s, b) = admin.get("/api/v1/access-log?from=2026-13-40").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_date")));
        // Paged with a limit.
        let (_, log) = admin.get("/api/v1/access-log?limit=2").await;
        assert_eq!(log.as_array().map(Vec::len), Some(2));
        let before = log[1]["at_ms"].as_i64().unwrap();
        let (_, older) = admin.get(&format!("/api/v1/access-log?limit=500&before_ms={before}")).await;
        assert!(older.as_array().unwrap().iter().all(|e| e["at_ms"].as_i64().unwrap() < before));

        // The hot read path: every official read is recorded (none dropped) through the batch
        // writer; the time of a logged read against an unlogged one (the applicant's) is printed.
        let path = format!("/api/v1/dossiers/{id}");
        let (unlogged, logged) = (mean_get_ms(&citizen, &path).await, mean_get_ms(&giamsat, &path).await);
        eprintln!("dossier GET: applicant (not logged) {unlogged:.2} ms, official (logged) {logged:.2} ms");
        let (_, log) = admin.get(&format!("/api/v1/access-log?dossier={id}&user=giamsat&limit=500")).await;
        assert_eq!(log.as_array().map(Vec::len), Some(301), "every read recorded");
        assert_eq!(app.ctx.access.dropped(), 0);

        // Retention: two years and a day later, everything is purged.
        app.ctx.access.flush().await;
        let total = app.count("access_log").await;
        assert!(total >= 6, "{total}");
        app.ctx.clock.set(motcua_app::now_ms() + 731 * 86_400_000);
        let removed = motcua_app::access::purge(&app.ctx).await.unwrap();
        app.ctx.clock.set(0);
        assert_eq!(removed as i64, total);
        assert_eq!(app.count("access_log").await, 0);
    }
}

/// Entries of `kind` by `username` in the table (after the queue is written).
async fn recorded(app: &TestApp, username: &str, kind: &str) -> Vec<(String, Option<String>)> {
    app.ctx.access.flush().await;
    let (u, k) = (username.to_string(), kind.to_string());
    app.ctx
        .store
        .read(move |db| {
            db.query(
                "SELECT action, detail FROM access_log WHERE username = $1 AND action = $2 ORDER BY at_ms DESC, id DESC",
                &motcua_store::params![u, k],
            )?
            .iter()
            .map(|r| Ok((r.text(0)?, r.opt_text(1)?)))
            .collect::<Result<Vec<_>, motcua_store::StoreError>>()
        })
        .await
        .unwrap()
}

/// A dossier received at Hoa Lư's counter: (id, code); the applicant's ID ends in 1234.
pub(crate) async fn received_at_hoalu(app: &TestApp) -> (String, String) {
    let clerk = app.login("tiepnhan.hoalu").await;
    let (s, d) = clerk
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": "1.004873",
                   "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678"},
                   "components": [{"key": "to_khai", "provided": true, "originals": 1},
                                  {"key": "giay_to_tuy_than", "provided": true, "copies": 1}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    (d["id"].as_str().unwrap().to_string(), d["code"].as_str().unwrap().to_string())
}

/// The rows of the access-log page's table.
fn rows(p: &Page) -> usize {
    p.body.matches("<tr><td data-label=").count()
}

/// The "older" link of the access-log page, unescaped.
fn older(p: &Page) -> Option<String> {
    let end = p.body.find("Cũ hơn")?;
    let start = p.body[..end].rfind("href=\"")? + 6;
    let href = &p.body[start..];
    Some(href[..href.find('"')?].replace("&#38;", "&").replace("&amp;", "&"))
}

/// A cell of the "kind of access" column.
fn kind_cell(label: &str) -> String {
    format!("<td data-label=\"Loại truy cập\">{label}</td>")
}

fn vn(s: &str) -> i64 {
    format!("{s}+07:00").parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

both_backends! {
    async fn officials_list_reads_are_one_entry_per_request_and_applicants_own_lists_are_not(app) {
        let citizen = app.login("congdan").await;
        online_submitted(&citizen).await;
        online_submitted(&citizen).await;
        // The applicant's own lists (API and page) are theirs: not recorded.
        let (s, own) = citizen.get("/api/v1/dossiers").await;
        assert_eq!((s, own["total"].as_i64()), (StatusCode::OK, Some(2)), "{own}");
        assert_eq!(Browser::login(&app, "congdan").await.get("/ho-so-cua-toi").await.status, StatusCode::OK);

        // A reception officer of the provincial centre: the API list, the inbox page (a page
        // of two dossiers is one entry, not two), a search, the counter's list, the register
        // on screen and downloaded.
        let api = app.login("tiepnhan").await;
        let (s, all) = api.get("/api/v1/dossiers").await;
        assert_eq!(s, StatusCode::OK);
        let total = all["total"].as_i64().unwrap();
        assert_eq!(total, 2, "{all}");
        let officer = Browser::login(&app, "tiepnhan").await;
        let inbox = officer.get("/can-bo/ho-so").await;
        assert_eq!(inbox.status, StatusCode::OK);
        assert_eq!(inbox.body.matches("Trần Thị Bình").count(), 2);
        let (s, found) = api.get("/api/v1/dossiers?q=binh&status=submitted&limit=1").await;
        assert_eq!((s, found["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "{found}");
        assert_eq!(officer.get("/can-bo/tiep-nhan").await.status, StatusCode::OK);
        assert_eq!(officer.get("/can-bo/so-theo-doi").await.status, StatusCode::OK);
        assert_eq!(officer.get("/can-bo/so-theo-doi.csv").await.status, StatusCode::OK);

        let lists = recorded(&app, "tiepnhan", "list_read").await;
        let details: Vec<&str> = lists.iter().map(|(_, d)| d.as_deref().unwrap_or("")).collect();
        assert_eq!(details.len(), 4, "one entry per request: {details:?}");
        assert!(details[0].starts_with("view=counter, status=resolved;"), "{details:?}");
        assert_eq!(details[1], "view=dossiers, status=submitted, q=binh, offset=0; 1/2 rows");
        assert_eq!(details[2], "view=dossiers, offset=0; 2/2 rows");
        assert_eq!(details[3], "view=dossiers, offset=0; 2/2 rows");
        assert_eq!(recorded(&app, "tiepnhan", "register_read").await.len(), 1);
        assert_eq!(recorded(&app, "tiepnhan", "register_export").await.len(), 1);
        assert!(recorded(&app, "congdan", "list_read").await.is_empty(), "an applicant's own list is not recorded");
        // The administrator finds them by kind through the API.
        let admin = app.login("admin").await;
        let (s, log) = admin.get("/api/v1/access-log?user=tiepnhan&kind=list_read").await;
        assert_eq!((s, log.as_array().map(Vec::len)), (StatusCode::OK, Some(4)), "{log}");
        let (s, b) = admin.get("/api/v1/access-log?kind=everything").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_kind")), "{b}");
        assert_eq!(app.ctx.access.dropped(), 0);
    }

    async fn the_access_log_page_searches_within_scope_pages_and_is_itself_recorded(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (id, code) = received_at_hoalu(&app).await;
        // Five reads in the same millisecond (the clock is fixed): the pages must neither
        // skip nor repeat entries that share an instant.
        let reader = app.login("chuyenvien.hoalu").await;
        for _ in 0..5 {
            assert_eq!(reader.get(&format!("/api/v1/dossiers/{id}")).await.0, StatusCode::OK);
        }
        let path = "/quan-tri/nhat-ky-truy-cap";
        let hl = Browser::login(&app, "admin.hoalu").await;
        let p = hl.get(&format!("{path}?code={code}")).await;
        assert_eq!(p.status, StatusCode::OK);
        assert_eq!(rows(&p), 5, "{}", p.body);
        assert!(p.body.contains("chuyenvien.hoalu") && p.body.contains(&kind_cell("Xem hồ sơ")) && p.body.contains("127.0.0.1"));
        assert!(p.body.contains("09:00:00 02/03/2026"), "local time");
        assert!(p.body.contains(&format!("href=\"/can-bo/ho-so/{id}\">{code}</a>")), "the commune administrator may open it");
        // The menu leads there.
        assert!(hl.get("/quan-tri/nguoi-dung").await.body.contains(&format!("href=\"{path}\"")));

        // Pages of two: 2 + 2 + 1, then no older page.
        let mut seen = 0;
        let mut next = Some(format!("{path}?code={code}&n=2"));
        let mut pages = 0;
        while let Some(href) = next {
            let p = hl.get(&href).await;
            assert_eq!(p.status, StatusCode::OK, "{href}");
            seen += rows(&p);
            pages += 1;
            next = older(&p);
            assert!(pages <= 3, "{href}");
        }
        assert_eq!((seen, pages), (5, 3));

        // Filters: kind, user, local days.
        let p = hl.get(&format!("{path}?user=tiepnhan.hoalu&kind=login")).await;
        assert_eq!(rows(&p), 1, "{}", p.body);
        assert!(p.body.contains(&kind_cell("Đăng nhập")) && !p.body.contains(&kind_cell("Xem hồ sơ")));
        assert_eq!(rows(&hl.get(&format!("{path}?code={code}&from=2026-03-02&to=2026-03-02")).await), 5);
        let p = hl.get(&format!("{path}?code={code}&from=2026-03-03")).await;
        assert!(rows(&p) == 0 && p.body.contains("Không có lượt truy cập nào."), "{}", p.body);

        // Scope: the other commune's administrator sees none of it; the province's does,
        // and a supervisor reads the page too.
        let td = Browser::login(&app, "admin.tamdiep").await;
        assert_eq!(rows(&td.get(&format!("{path}?code={code}")).await), 0);
        assert_eq!(rows(&td.get(&format!("{path}?user=admin.hoalu")).await), 0);
        assert_eq!(rows(&Browser::login(&app, "admin").await.get(&format!("{path}?code={code}")).await), 5);
        assert_eq!(Browser::login(&app, "giamsat").await.get(path).await.status, StatusCode::OK);

        // Every view so far was recorded with its filter and number of rows.
        let views = recorded(&app, "admin.hoalu", "access_log_read").await;
        assert_eq!(views.len(), 7, "{views:?}");
        assert_eq!(views.last().unwrap().1.as_deref(), Some(format!("code={code}; 5 rows").as_str()));

        // Bad dates: 422 with the errors by field, in Vietnamese; nothing read, nothing recorded.
        let bad = hl.get(&format!("{path}?from=2026-02-30&to=13/01/2026&kind=x")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for (field, msg) in [("from", "Ngày không hợp lệ"), ("to", "Ngày không hợp lệ"), ("kind", "Loại truy cập không hợp lệ.")] {
            assert!(bad.body.contains(&format!("id=\"{field}-error\"")), "{field}: {}", bad.body);
            assert!(bad.body.contains(msg), "{msg}");
        }
        assert_eq!(rows(&bad), 0);
        let bad = hl.get(&format!("{path}?from=2026-03-05&to=2026-03-01")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Ngày cuối phải từ ngày đầu trở đi."));
        assert_eq!(recorded(&app, "admin.hoalu", "access_log_read").await.len(), 7, "a refused search records nothing");

        // Not an administrator nor a supervisor: refused, and not recorded.
        let officer = Browser::login(&app, "chuyenvien.hoalu").await;
        assert_eq!(officer.get(path).await.status, StatusCode::FORBIDDEN);
        assert!(recorded(&app, "chuyenvien.hoalu", "access_log_read").await.is_empty());

        // The control slip names the applicant: its read through the API is a dossier read.
        assert_eq!(reader.get(&format!("/api/v1/dossiers/{id}/control-slip")).await.0, StatusCode::OK);
        let reads = recorded(&app, "chuyenvien.hoalu", "dossier_read").await;
        assert_eq!((reads.len(), reads[0].1.as_deref()), (6, Some("control slip")));
        app.ctx.clock.set(0);
    }
}
