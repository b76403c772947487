//! The counter over HTTP, on both backends: the reception screen (multipart, with scans),
//! its errors, the receipt (form 01), and the second screen fed over server-sent events.

use crate::browser::{Browser, Page};
use crate::officer_pages::{PDF, vn};
use motcua_testkit::both_backends;
use reqwest::StatusCode;
use std::time::Duration;

/// Xác nhận tình trạng hôn nhân: commune, 3 working days, components to_khai + giay_to_tuy_than.
const COMMUNE: &str = "1.004873";

/// A multipart/form-data body: text fields, then files as (field, file name, type, bytes).
pub fn multipart(fields: &[(&str, String)], files: &[(&str, &str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "motcua-test-boundary-7MA4YWxkTrZu0gW";
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    for (k, name, ct, bytes) in files {
        b.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: {ct}\r\n\r\n"
            )
            .as_bytes(),
        );
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

pub async fn post_multipart(b: &Browser, path: &str, fields: &[(&str, String)], files: &[(&str, &str, &str, &[u8])]) -> Page {
    let (ct, body) = multipart(fields, files);
    let r = b.http.post(format!("{}{path}", b.base)).header("content-type", ct).body(body).send().await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    Page { status, headers, body: r.text().await.unwrap() }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let i = s.find(start).unwrap_or_else(|| panic!("no {start} in {s}")) + start.len();
    &s[i..i + s[i..].find(end).unwrap()]
}

/// Reads a server-sent event stream until an event's data contains `needle`.
async fn wait_for(resp: &mut reqwest::Response, seen: &mut String, needle: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.contains(needle) {
        let chunk =
            tokio::time::timeout_at(deadline, resp.chunk()).await.unwrap_or_else(|_| panic!("no event with {needle}: {seen}"));
        let chunk = chunk.unwrap().expect("stream open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
}

both_backends! {
    async fn counter_reception_prints_the_receipt_and_mirrors_on_the_second_screen(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = Browser::login(&app, "tiepnhan.hoalu").await;
        // Only reception officers have the screen.
        let specialist = Browser::login(&app, "chuyenvien.hoalu").await;
        assert_eq!(specialist.get("/can-bo/tiep-nhan").await.status, StatusCode::FORBIDDEN);

        let found = clerk.get("/can-bo/tiep-nhan?q=xac+nhan+tinh+trang+hon+nhan").await;
        assert_eq!(found.status, StatusCode::OK);
        assert!(found.body.contains(&format!("?thu_tuc={COMMUNE}")), "{}", found.body);
        let form = clerk.get(&format!("/can-bo/tiep-nhan?thu_tuc={COMMUNE}")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains(r#"enctype="multipart/form-data""#) && form.body.contains(r#"src="/assets/counter.js""#));
        let counter = between(&form.body, "/man-hinh/quay/", "\"").to_string();
        let idem = between(&form.body, r#"name="idem" value=""#, "\"").to_string();
        let csrf = form.csrf();

        // The second screen listens before anything is typed.
        let screen = clerk.get(&format!("/man-hinh/quay/{counter}")).await;
        assert_eq!(screen.status, StatusCode::OK);
        assert!(screen.body.contains(r#"src="/assets/counter-screen.js""#) && screen.body.contains(r#"http-equiv="refresh""#));
        let mut sse = clerk.http.get(format!("{}/man-hinh/quay/{counter}/su-kien", clerk.base)).send().await.unwrap();
        assert_eq!(sse.status(), StatusCode::OK);
        assert!(sse.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        let mut seen = String::new();

        // counter.js posts the draft as the officer types: JSON with the CSRF header.
        let draft = serde_json::json!({"procedure": "Xác nhận tình trạng hôn nhân", "applicant": "Phạm Văn Đức", "components": ["Tờ khai"]});
        let url = format!("{}/man-hinh/quay/{counter}/ban-nhap", clerk.base);
        let r = clerk.http.post(&url).json(&draft).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "no CSRF header");
        let r = clerk.http.post(&url).header("x-csrf-token", &csrf).json(&draft).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        wait_for(&mut sse, &mut seen, "Phạm Văn Đức").await;
        assert!(seen.contains(r#""stage":"draft""#), "{seen}");
        // Another counter's officer may neither watch nor post.
        let other = Browser::login(&app, "tiepnhan").await;
        assert_eq!(other.get(&format!("/man-hinh/quay/{counter}")).await.status, StatusCode::FORBIDDEN);
        let other_csrf = other.get("/can-bo/tiep-nhan").await.csrf();
        let r = other.http.post(&url).header("x-csrf-token", other_csrf).json(&draft).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // A missing required component and a bad name: 422, each named, nothing written.
        let base = |name: &str| -> Vec<(&str, String)> {
            vec![("csrf_token", csrf.clone()), ("procedure_code", COMMUNE.into()), ("idem", idem.clone()),
                 ("applicant.name", name.into()), ("applicant.id_number", "037092005678".into()), ("applicant.phone", "0987654321".into()),
                 ("channel", "counter".into()), ("provided.to_khai", "on".into()), ("originals.to_khai", "1".into()), ("digitized.to_khai", "on".into())]
        };
        let before = app.count("dossiers").await;
        let r = post_multipart(&clerk, "/can-bo/tiep-nhan", &base("A"), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains(r##"href="#r-applicant-name""##), "{}", r.body);
        assert!(r.body.contains(r#"value="037092005678""#), "typed values kept");
        let r = post_multipart(&clerk, "/can-bo/tiep-nhan", &base("Phạm Văn Đức"), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains(r##"href="#r-provided-giay_to_tuy_than""##), "{}", r.body);
        assert_eq!(app.count("dossiers").await, before);
        // Without the CSRF field: 403.
        let mut no_csrf = base("Phạm Văn Đức");
        no_csrf.remove(0);
        assert_eq!(post_multipart(&clerk, "/can-bo/tiep-nhan", &no_csrf, &[]).await.status, StatusCode::FORBIDDEN);

        // Received, with a scan: to the receipt, and the code on the second screen.
        let mut ok = base("Phạm Văn Đức");
        ok.push(("provided.giay_to_tuy_than", "on".into()));
        ok.push(("copies.giay_to_tuy_than", "1".into()));
        let r = post_multipart(&clerk, "/can-bo/tiep-nhan", &ok, &[("scan.to_khai", "to-khai.pdf", "application/pdf", PDF)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let receipt_path = r.location().to_string();
        assert!(receipt_path.ends_with("/giay-tiep-nhan"), "{receipt_path}");
        assert_eq!(app.count("dossiers").await, before + 1);
        wait_for(&mut sse, &mut seen, "000.01.31.H40-260302-0001").await;
        assert!(seen.contains(r#""stage":"received""#) && seen.contains("17:00 05/03/2026"), "{seen}");
        // A double submit of the same form returns the same dossier.
        let again = post_multipart(&clerk, "/can-bo/tiep-nhan", &ok, &[]).await;
        assert_eq!(again.location(), receipt_path);
        assert_eq!(app.count("dossiers").await, before + 1);

        let receipt = clerk.get(&receipt_path).await;
        assert_eq!(receipt.status, StatusCode::OK);
        for text in ["GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "000.01.31.H40-260302-0001", "Phạm Văn Đức", "Cấp Giấy xác nhận tình trạng hôn nhân",
                     "09:00 02/03/2026", "17:00 05/03/2026", "3 ngày làm việc", "Hoàng Văn Nam"] {
            assert!(receipt.body.contains(text), "{text} on the receipt: {}", receipt.body);
        }
        assert!(receipt.body.contains(r#"src="/assets/print.js""#));
        let id = between(&receipt_path, "/can-bo/ho-so/", "/giay-tiep-nhan").to_string();
        let dossier = clerk.get(&format!("/can-bo/ho-so/{id}")).await;
        assert!(dossier.body.contains(&format!(r#"<iframe src="/can-bo/ho-so/{id}/tep/"#)), "the scan is attached and previewable");
        // A late screen shows the last state at once.
        let screen = clerk.get(&format!("/man-hinh/quay/{counter}")).await;
        assert!(screen.body.contains("000.01.31.H40-260302-0001"));
        // The scripts are served as files (the CSP allows no inline script).
        for js in ["counter.js", "counter-screen.js", "print.js"] {
            let r = clerk.http.get(format!("{}/assets/{js}", clerk.base)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
        }
    }
}

pub async fn api_step(
    c: &motcua_testkit::Client,
    d: &serde_json::Value,
    cmd: &str,
    mut body: serde_json::Value,
) -> serde_json::Value {
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

both_backends! {
    // Issue #10 item 7: the applicant's name and code stayed on the second screen after reception.
    async fn the_second_screen_is_cleared_for_the_next_applicant(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = Browser::login(&app, "tiepnhan.hoalu").await;
        let form = clerk.get(&format!("/can-bo/tiep-nhan?thu_tuc={COMMUNE}")).await;
        let counter = between(&form.body, "/man-hinh/quay/", "\"").to_string();
        let idem = between(&form.body, r#"name="idem" value=""#, "\"").to_string();
        let fields: Vec<(&str, String)> = vec![("csrf_token", form.csrf()), ("procedure_code", COMMUNE.into()), ("idem", idem),
            ("applicant.name", "Phạm Văn Đức".into()), ("applicant.id_number", "037092005678".into()), ("channel", "counter".into()),
            ("provided.to_khai", "on".into()), ("provided.giay_to_tuy_than", "on".into())];
        let r = post_multipart(&clerk, "/can-bo/tiep-nhan", &fields, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let screen = clerk.get(&format!("/man-hinh/quay/{counter}")).await;
        assert!(screen.body.contains("Phạm Văn Đức") && screen.body.contains("000.01.31.H40-260302-0001"), "{}", screen.body);
        // The receipt is printed; the officer opens the reception screen for the next applicant.
        assert_eq!(clerk.get("/can-bo/tiep-nhan").await.status, StatusCode::OK);
        let screen = clerk.get(&format!("/man-hinh/quay/{counter}")).await;
        assert!(!screen.body.contains("Phạm Văn Đức"), "the previous applicant's name is gone: {}", screen.body);
        assert!(!screen.body.contains("000.01.31.H40-260302-0001"), "the previous code is gone");
        assert!(screen.body.contains(r#"data-stage="idle""#), "{}", screen.body);
    }

    // Issue #10 item 4: the counter lists the results to hand back and finds a dossier by its code.
    async fn the_counter_lists_results_to_hand_back_and_finds_them_by_code(app) {
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let citizen = app.login("congdan").await;
        let d = crate::officer_pages::online_submitted(&citizen).await;
        let id = d["id"].as_str().unwrap().to_string();
        let clerk_api = app.login("tiepnhan").await;
        let d = api_step(&clerk_api, &d, "receive", serde_json::json!({})).await;
        let code = d["code"].as_str().unwrap().to_string();
        let clerk = Browser::login(&app, "tiepnhan").await;
        let before = clerk.get("/can-bo/tiep-nhan").await;
        assert!(!before.body.contains(&code), "not resolved yet: not in the list");
        let d = api_step(&clerk_api, &d, "forward", serde_json::json!({})).await;
        let d = api_step(&app.login("chuyenvien").await, &d, "forward", serde_json::json!({})).await;
        let leader = app.login("lanhdao").await;
        let (s, d2) = leader
            .raw(reqwest::Method::PUT, &format!("/api/v1/dossiers/{id}/components/result/files?name=ket-qua.pdf"), "application/pdf", PDF.to_vec())
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d2}");
        let _ = d;
        api_step(&leader, &d2, "resolve", serde_json::json!({"name": "Thẻ công chứng viên", "number": "15/2026/TCCV"})).await;

        let page = clerk.get("/can-bo/tiep-nhan").await;
        assert_eq!(page.status, StatusCode::OK);
        let list = between(&page.body, r#"<table class="grid to-return stack">"#, "</table>");
        assert!(list.contains(&code) && list.contains(&format!("/can-bo/ho-so/{id}")), "{list}");
        assert!(list.contains("Trần Thị Bình"), "{list}");
        // Found by its code, typed in lower case: to the dossier's officer page.
        let found = clerk.get(&format!("/can-bo/tiep-nhan?ma={}", code.to_lowercase())).await;
        assert_eq!(found.status, StatusCode::SEE_OTHER, "{}", found.body);
        assert_eq!(found.location(), format!("/can-bo/ho-so/{id}"));
        let missing = clerk.get("/can-bo/tiep-nhan?ma=000.00.20.H40-260302-9999").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.body.contains(r##"href="#ma""##), "the error names the field: {}", missing.body);
        // Another centre's counter neither lists nor finds it (scoped in the query).
        let other = Browser::login(&app, "tiepnhan.hoalu").await;
        let page = other.get("/can-bo/tiep-nhan").await;
        assert!(!page.body.contains(&code), "{}", page.body);
        assert_eq!(other.get(&format!("/can-bo/tiep-nhan?ma={code}")).await.status, StatusCode::NOT_FOUND);
    }
}
