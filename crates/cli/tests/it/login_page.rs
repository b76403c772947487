//! The login page (`/dang-nhap`) and logout (`/dang-xuat`), driven like a browser without
//! JavaScript, on both backends.

use crate::browser::Browser;
use motcua_testkit::both_backends;
use reqwest::StatusCode;

both_backends! {
    async fn login_page_success_failure_and_logout(app) {
        let b = Browser::new(&app);
        let p = b.get("/dang-nhap?next=/quan-tri/thu-tuc").await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains(r#"<label for="username">Tên đăng nhập</label>"#), "{}", p.body);
        assert!(p.body.contains(r#"<label for="password">Mật khẩu</label>"#));
        assert!(p.body.contains(r#"name="next" value="/quan-tri/thu-tuc""#));

        // Wrong password: 401, error summary linking to the field, the username kept, no session.
        let p = b.post("/dang-nhap", &[("username", "admin".into()), ("password", "sai-mat-khau-1".into()), ("next", "/quan-tri/thu-tuc".into())]).await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED);
        assert!(p.body.contains(r#"class="error-summary""#) && p.body.contains("Có lỗi"), "{}", p.body);
        assert!(p.body.contains(r##"<a href="#username">Tên đăng nhập hoặc mật khẩu không đúng.</a>"##), "{}", p.body);
        assert!(p.body.contains(r#"id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" value="admin""#), "{}", p.body);
        assert!(p.body.contains("<title>Lỗi: Đăng nhập"));
        assert!(p.headers.get("set-cookie").is_none());
        assert_eq!(app.count("sessions").await, 0);
        // Empty fields: 422, one entry per field.
        let p = b.post("/dang-nhap?lang=en", &[("username", "".into()), ("password", "".into())]).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains("There is a problem") && p.body.contains(r##"href="#password""##), "{}", p.body);

        // Success: the API's session cookie, and a 303 to the local `next` only.
        let p = b.post("/dang-nhap", &[("username", "admin".into()), ("password", "Motcua@2026".into()), ("next", "/quan-tri/thu-tuc".into())]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert_eq!(p.location(), "/quan-tri/thu-tuc");
        let cookie = p.headers.get("set-cookie").unwrap().to_str().unwrap().to_string();
        assert!(cookie.starts_with("motcua_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain http: {cookie}");
        assert_eq!(app.count("sessions").await, 1);
        let me = b.http.get(format!("{}/api/v1/auth/me", app.url)).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::OK, "the page session works for the API too");

        let other = Browser::new(&app);
        let p = other.post("/dang-nhap", &[("username", "admin".into()), ("password", "Motcua@2026".into()), ("next", "//evil.example/x".into())]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER);
        assert_eq!(p.location(), "/", "never redirect off-site");

        // Logout needs the session's CSRF token in the form (the same token the API hands out).
        let me: serde_json::Value = me.json().await.unwrap();
        let csrf = me["csrf_token"].as_str().unwrap().to_string();
        let sessions = app.count("sessions").await;
        let p = b.post("/dang-xuat", &[]).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        assert_eq!(app.count("sessions").await, sessions);
        let p = b.post("/dang-xuat", &[("csrf_token", csrf)]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER);
        assert_eq!(p.location(), "/");
        assert_eq!(app.count("sessions").await, sessions - 1);
        let me = b.http.get(format!("{}/api/v1/auth/me", app.url)).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "logged out");

        // Back-off after repeated failures from this address: 429 with the summary.
        let c = Browser::new(&app);
        let mut last = StatusCode::OK;
        for _ in 0..5 {
            last = c.post("/dang-nhap", &[("username", "tiepnhan".into()), ("password", "sai-mat-khau-1".into())]).await.status;
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
        let p = c.post("/dang-nhap", &[("username", "tiepnhan".into()), ("password", "Motcua@2026".into())]).await;
        assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(p.body.contains("error-summary") && p.headers.get("retry-after").is_some(), "{}", p.body);
        // Other accounts are unaffected.
        Browser::login(&app, "admin").await;
    }
}
