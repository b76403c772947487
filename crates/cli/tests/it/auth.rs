use motcua_testkit::both_backends;
use reqwest::StatusCode;
use serde_json::json;

both_backends! {
    async fn login_me_logout(app) {
        let c = app.login("admin").await;
        let (s, me) = c.get("/api/v1/auth/me").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(me["user"]["username"], "admin");
        assert_eq!(me["user"]["memberships"][0]["role"], "admin");
        assert_eq!(me["csrf_token"].as_str().unwrap(), c.csrf.as_deref().unwrap());
        let (s, _) = c.post("/api/v1/auth/logout", json!({})).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, b) = c.get("/api/v1/auth/me").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(b["code"], "not_authenticated");
        assert_eq!(app.count("sessions").await, 0);
    }

    async fn wrong_password_and_unknown_user_look_alike(app) {
        let c = app.client();
        let (s1, b1) = c.post("/api/v1/auth/login", json!({"username": "admin", "password": "wrong-password-1"})).await;
        let (s2, b2) = c.post("/api/v1/auth/login", json!({"username": "nobody", "password": "wrong-password-1"})).await;
        assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
        assert_eq!(b1, b2);
        assert_eq!(b1["code"], "invalid_credentials");
    }

    async fn back_off_after_repeated_failures(app) {
        let c = app.client();
        for _ in 0..4 {
            let (s, _) = c.post("/api/v1/auth/login", json!({"username": "tiepnhan", "password": "wrong-password-1"})).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        }
        let (s, b) = c.post("/api/v1/auth/login", json!({"username": "tiepnhan", "password": "wrong-password-1"})).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(b["code"], "login_throttled");
        // Even the right password is refused to this address during the back-off.
        let (s, b) = c.post("/api/v1/auth/login", json!({"username": "tiepnhan", "password": "Motcua@2026"})).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{b}");
        assert_eq!(app.count("sessions").await, 0);
        // Other accounts are unaffected.
        app.login("admin").await;
    }

    async fn expired_session_is_refused_and_removed(app) {
        let c = app.login("giamsat").await;
        app.ctx.store.write(|db| db.execute("UPDATE sessions SET expires_at = 0", &[])).await.unwrap();
        let (s, b) = c.get("/api/v1/auth/me").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(b["code"], "session_expired");
        assert_eq!(app.count("sessions").await, 0);
    }

    async fn state_changes_need_the_csrf_token(app) {
        let mut c = app.login("admin").await;
        let users_before = app.count("users").await;
        let events_before = app.count("audit_events").await;
        let good = c.csrf.take();
        let body = json!({"username": "csrf.test", "full_name": "Lý Thị Cúc", "password": "MatKhau12345",
                          "memberships": [{"agency_id": app.agency_id("000.00.01.H40").await, "role": "specialist"}]});
        let (s, b) = c.post("/api/v1/users", body.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(b["code"], "csrf_token_invalid");
        c.csrf = Some("0".repeat(64));
        let (s, _) = c.post("/api/v1/users", body.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(app.count("users").await, users_before);
        assert_eq!(app.count("audit_events").await, events_before);
        c.csrf = good;
        // A cross-site form post carries a foreign Origin: refused even with the token.
        let r = c.http.post(format!("{}/api/v1/users", app.url)).header("origin", "https://evil.example")
            .header("x-csrf-token", c.csrf.clone().unwrap()).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.count("users").await, users_before);
        let (s, _) = c.post("/api/v1/users", body).await;
        assert_eq!(s, StatusCode::CREATED);
    }

    async fn changing_own_password(app) {
        let c = app.login("chuyenvien").await;
        let (s, b) = c.post("/api/v1/auth/password", json!({"current_password": "wrong-one-123", "new_password": "MatKhauMoi2026"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["fields"][0]["field"], "current_password");
        let (s, _) = c.post("/api/v1/auth/password", json!({"current_password": "Motcua@2026", "new_password": "MatKhauMoi2026"})).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let fresh = app.client();
        let (s, _) = fresh.post("/api/v1/auth/login", json!({"username": "chuyenvien", "password": "MatKhauMoi2026"})).await;
        assert_eq!(s, StatusCode::OK);
    }

    async fn bearer_tokens_expire_list_revoke_and_end_with_the_password(app) {
        let c = app.login("chuyenvien").await;
        let http = reqwest::Client::new();
        let me = |t: String| { let (http, url) = (http.clone(), app.url.clone());
            async move { http.get(format!("{url}/api/v1/auth/me")).bearer_auth(t).send().await.unwrap().status() } };
        let audited = |action: &'static str| app.ctx.store.read(move |db|
            db.query_one("SELECT COUNT(*) FROM audit_events WHERE action = $1", &[action.into()])?.i64(0));
        // Without `days` a token still expires (90 days), and issuing it is audited.
        let (s, t) = c.post("/api/v1/auth/tokens", json!({"name": "Đồng bộ DVCQG"})).await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        let first = t["token"].as_str().unwrap().to_string();
        assert_eq!(audited("auth.token_issued").await.unwrap(), 1);
        let (s, list) = c.get("/api/v1/auth/tokens").await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let item = &list.as_array().unwrap()[0];
        assert_eq!(item["name"], "Đồng bộ DVCQG");
        assert!(item.get("token").is_none() && !list.to_string().contains(&first), "the secret is never listed");
        let days = (item["expires_at"].as_i64().unwrap() - item["created_at"].as_i64().unwrap()) / 86_400_000;
        assert_eq!(days, 90, "{item}");
        assert_eq!(item["last_used_at"], serde_json::Value::Null);
        assert_eq!(me(first.clone()).await, StatusCode::OK);
        let (_, list) = c.get("/api/v1/auth/tokens").await;
        assert!(list[0]["last_used_at"].as_i64().is_some(), "{list}");
        // Revoked: refused at once; revoking is audited; another user cannot revoke it.
        let id = list[0]["id"].as_str().unwrap().to_string();
        let other = app.login("giamsat").await;
        assert_eq!(other.send(reqwest::Method::DELETE, &format!("/api/v1/auth/tokens/{id}"), None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(me(first.clone()).await, StatusCode::OK);
        assert_eq!(c.send(reqwest::Method::DELETE, &format!("/api/v1/auth/tokens/{id}"), None).await.0, StatusCode::NO_CONTENT);
        assert_eq!(me(first).await, StatusCode::UNAUTHORIZED);
        assert_eq!(audited("auth.token_revoked").await.unwrap(), 1);
        let (_, list) = c.get("/api/v1/auth/tokens").await;
        assert!(list[0]["revoked_at"].as_i64().is_some(), "{list}");
        // A password change ends every token.
        let (_, t) = c.post("/api/v1/auth/tokens", json!({"name": "Báo cáo", "days": 30})).await;
        let second = t["token"].as_str().unwrap().to_string();
        assert_eq!(me(second.clone()).await, StatusCode::OK);
        let (s, _) = c.post("/api/v1/auth/password", json!({"current_password": "Motcua@2026", "new_password": "MatKhauMoi2026"})).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(me(second).await, StatusCode::UNAUTHORIZED);
        // So do a reset by an administrator and disabling the account, even once re-enabled.
        let admin = app.login("admin").await;
        let uid = app.user_id("chuyenvien").await;
        let fresh = app.client();
        let (_, b) = fresh.post("/api/v1/auth/login", json!({"username": "chuyenvien", "password": "MatKhauMoi2026"})).await;
        let mut fresh = fresh;
        fresh.csrf = b["csrf_token"].as_str().map(str::to_string);
        let (_, t) = fresh.post("/api/v1/auth/tokens", json!({"name": "Lần ba", "days": 30})).await;
        let third = t["token"].as_str().unwrap().to_string();
        let (s, b) = admin.post(&format!("/api/v1/users/{uid}/password"), json!({"password": "MatKhauKhac2026"})).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
        assert_eq!(me(third).await, StatusCode::UNAUTHORIZED);
        let c = app.client();
        let (_, b) = c.post("/api/v1/auth/login", json!({"username": "chuyenvien", "password": "MatKhauKhac2026"})).await;
        let mut c = c;
        c.csrf = b["csrf_token"].as_str().map(str::to_string);
        let (_, t) = c.post("/api/v1/auth/tokens", json!({"name": "Lần bốn", "days": 30})).await;
        let fourth = t["token"].as_str().unwrap().to_string();
        let (s, b) = admin.patch(&format!("/api/v1/users/{uid}"), json!({"active": false})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b) = admin.patch(&format!("/api/v1/users/{uid}"), json!({"active": true})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(me(fourth).await, StatusCode::UNAUTHORIZED);
    }
}
