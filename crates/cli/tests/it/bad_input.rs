//! Bad input gets the error shape with a 4xx status, and nothing is written.

use motcua_testkit::{TestApp, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn counts(app: &TestApp) -> (i64, i64, i64, i64) {
    (app.count("users").await, app.count("agencies").await, app.count("memberships").await, app.count("audit_events").await)
}

fn assert_shape(b: &serde_json::Value) {
    assert!(b["code"].is_string(), "{b}");
    assert!(b["message_vi"].is_string(), "{b}");
    assert!(b["message_en"].is_string(), "{b}");
    assert!(b["fields"].is_array(), "{b}");
}

both_backends! {
    async fn malformed_unknown_wrong_type_oversized(app) {
        let c = app.login("admin").await;
        let before = counts(&app).await;

        let (s, b) = c.raw(Method::POST, "/api/v1/users", "application/json", b"{\"username\": \"x\",".to_vec()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(b["code"], "malformed_json");
        assert_shape(&b);

        let (s, b) = c.raw(Method::POST, "/api/v1/users", "application/json", r#"{"username": "abc.def", "full_name": "Trần Văn Tư", "password": "MatKhau12345"} trailing"#.as_bytes().to_vec()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
        assert_eq!(b["code"], "malformed_json");

        let (s, b) = c.post("/api/v1/users", json!({"username": "abc.def", "full_name": "Trần Văn Tư", "password": "MatKhau12345", "is_admin": true})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "unknown_field");
        assert_eq!(b["fields"][0]["field"], "is_admin");
        assert_shape(&b);

        let (s, b) = c.post("/api/v1/users", json!({"username": 42, "full_name": "Trần Văn Tư", "password": "MatKhau12345"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "invalid_type");
        assert_eq!(b["fields"][0]["field"], "username");

        let (s, b) = c.post("/api/v1/users", json!({"username": "abc.def", "full_name": "Trần Văn Tư", "password": "MatKhau12345",
                                                 "memberships": [{"agency_id": "x", "role": 7}]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["fields"][0]["field"], "memberships[0].role");

        let (s, b) = c.post("/api/v1/users", json!({"full_name": "Trần Văn Tư", "password": "MatKhau12345"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "missing_field");

        let big = format!("{{\"username\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
        // The server answers 413 without reading the rest and drops the connection; say
        // `Connection: close` so the client does not reuse it for the next request.
        let r = c.http.post(format!("{}/api/v1/users", c.base)).header("content-type", "application/json")
            .header("x-csrf-token", c.csrf.clone().unwrap()).header("connection", "close").body(big).send().await.unwrap();
        let s = r.status();
        let b: serde_json::Value = r.json().await.unwrap();
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(b["code"], "payload_too_large");
        assert_shape(&b);

        let (s, b) = c.raw(Method::POST, "/api/v1/users", "text/plain", b"username=x".to_vec()).await;
        assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(b["code"], "unsupported_media_type");

        assert_eq!(counts(&app).await, before, "a refused request wrote something");
    }

    async fn validation_reports_every_field(app) {
        let c = app.login("admin").await;
        let before = counts(&app).await;
        let (s, b) = c.post("/api/v1/users", json!({"username": "Cán bộ", "full_name": "X", "password": "short",
                                                 "email": "not-an-email", "phone": "123", "citizen_id": "12345"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "validation_failed");
        let fields: Vec<&str> = b["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        for f in ["username", "full_name", "password", "email", "phone", "citizen_id", "memberships"] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
        assert!(!b["fields"][0]["message_vi"].as_str().unwrap().is_ascii(), "Vietnamese message");

        let (s, b) = c.post("/api/v1/agencies", json!({"code": "bad code!", "name": "X", "kind": "galaxy"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["fields"].as_array().unwrap().len(), 3, "{b}");

        let (s, b) = c.get("/api/v1/agencies?active_on=2026-02-31").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "invalid_date");
        assert_eq!(counts(&app).await, before);
    }

    async fn unauthenticated_writes_are_refused(app) {
        let c = app.client();
        let before = counts(&app).await;
        let (s, b) = c.post("/api/v1/agencies", json!({"code": "000.00.99.H40", "name": "Xã Mới", "kind": "commune"})).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(b["code"], "not_authenticated");
        assert_eq!(counts(&app).await, before);
    }
}
