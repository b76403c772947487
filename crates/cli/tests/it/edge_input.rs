//! Input refused at the edge before it reaches a query (issue #12 item 9), on both backends:
//! a NUL character gave 500 on PostgreSQL in search, tracking, login (API and page form) and
//! the KPI totals; days outside the calendar's range (1900–2199) gave 500 in the register.

use motcua_testkit::both_backends;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends! {
    async fn nul_characters_are_refused_with_422(app) {
        let admin = app.login("admin").await;
        for path in [
            "/api/v1/kpi?from=2026-01-01%00&to=2026-01-31",
            "/api/v1/procedures?q=khai%00sinh",
            "/api/v1/tracking/000.00.20.H40-260302-0001%00?check=1234",
            "/thu-tuc?q=khai%00sinh",
        ] {
            let (s, b) = admin.get(path).await;
            assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("nul_character")), "{path}: {b}");
            assert!(b["message_vi"].as_str().unwrap().contains("NUL"), "{b}");
        }
        let before = app.count("users").await;
        let anon = app.client();
        let (s, b) = anon
            .raw(Method::POST, "/api/v1/auth/login", "application/json", br#"{"username": "ad\u0000min", "password": "x"}"#.to_vec())
            .await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("nul_character")), "{b}");
        let (s, b) = admin
            .raw(Method::POST, "/api/v1/users", "application/json",
                br#"{"username": "nul.user", "full_name": "A\u0000B", "password": "DoiMatKhau2026"}"#.to_vec())
            .await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("nul_character")), "{b}");
        assert_eq!(app.count("users").await, before, "nothing stored");
        // A backslash followed by the text u0000 is not a NUL.
        let (s, b) = admin.get("/api/v1/procedures?q=%5Cu0000").await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }

    async fn nul_characters_in_searches_and_page_forms_are_refused(app) {
        let admin = app.login("admin").await;
        let anon = app.client();
        let written = || async { (app.count("sessions").await, app.count("agencies").await, app.count("audit_events").await) };
        let before = written().await;
        for path in [
            "/api/v1/dossiers?q=a%00b",
            "/api/v1/users?q=a%00",
            "/api/v1/agencies?q=%00",
            "/api/v1/tracking/abc?check=12%003",
            "/tra-cuu?code=a%00b&check=1234",
        ] {
            let (s, b) = admin.get(path).await;
            assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("nul_character")), "{path}: {b}");
        }
        let (s, b) = admin.post("/api/v1/agencies", json!({"name": "Phường A\u{0}", "kind": "commune", "code": "000.00.99.H40",
            "parent_id": app.agency_id("000.00.00.H40").await})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("nul_character")), "{b}");
        // A urlencoded page form (here the login page) was a 500 on PostgreSQL.
        let r = anon.http.post(format!("{}/dang-nhap", anon.base)).header("content-type", "application/x-www-form-urlencoded")
            .body("username=ad%00min&password=Motcua%402026").send().await.unwrap();
        let s = r.status();
        let b: Value = r.json().await.unwrap();
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("nul_character")), "{b}");
        assert_eq!(written().await, before, "a refused request writes nothing");
        // Without the NUL the same form still logs in (the body is handed on intact).
        let r = anon.http.post(format!("{}/dang-nhap", anon.base)).header("content-type", "application/x-www-form-urlencoded")
            .body("username=admin&password=Motcua%402026").send().await.unwrap();
        assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
        assert_eq!(app.count("sessions").await, before.0 + 1);
    }

    async fn days_outside_the_calendar_are_refused(app) {
        let admin = app.login("admin").await;
        for (path, field, code) in [
            ("/api/v1/register?from=9999-12-31", "from", "date_out_of_range"),
            ("/api/v1/register?from=2026-01-01&to=9999-12-31", "to", "date_out_of_range"),
            ("/api/v1/register?from=0001-01-01&to=0001-01-02", "from", "date_out_of_range"),
            ("/api/v1/kpi?from=9999-12-31&to=9999-12-31", "from", "date_out_of_range"),
            ("/api/v1/kpi?from=abc&to=2026-01-01", "from", "invalid_date"),
        ] {
            let (s, b) = admin.get(path).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {b}");
            assert!(b["message_vi"].is_string() && b["message_en"].is_string(), "{path}: {b}");
            assert_eq!((b["fields"][0]["field"].as_str(), b["fields"][0]["code"].as_str()), (Some(field), Some(code)), "{path}: {b}");
        }
        for page in ["/can-bo/so-theo-doi?from=9999-12-31", "/can-bo/so-theo-doi.csv?from=9999-12-31"] {
            let r = admin.http.get(format!("{}{page}", admin.base)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{page}");
            assert!(r.text().await.unwrap().contains("01/01/1900"), "{page}: the page names the range");
        }
        let (s, k) = admin.get("/api/v1/kpi?from=2026-01-01&to=2026-12-31").await;
        assert_eq!(s, StatusCode::OK, "{k}");
    }
}
