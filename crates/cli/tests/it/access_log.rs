//! Issue #12 item 14: logins, bearer tokens issued, reads of the register and every read of
//! a dossier's personal data by an official are in the access log (who, when, which dossier,
//! from which address), which an administrator searches within their scope; entries past
//! the retention period are purged.

use crate::officer_pages::online_submitted;
use motcua_testkit::both_backends;
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
