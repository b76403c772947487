//! Input refused at the edge before it reaches a query (issue #12 item 9), on both backends:
//! a NUL character gave 500 on PostgreSQL in search, tracking, login and the KPI totals.

use motcua_testkit::both_backends;
use reqwest::{Method, StatusCode};

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
}
