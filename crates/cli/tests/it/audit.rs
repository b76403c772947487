use motcua_testkit::both_backends;
use reqwest::StatusCode;
use serde_json::json;
use std::process::Command;

fn verify(database_url: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["--database-url", database_url, "verify"])
        .env("MOTCUA_LOG", "error")
        .output()
        .expect("run motcua verify");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned() + &*String::from_utf8_lossy(&out.stderr))
}

both_backends! {
    async fn verify_names_exactly_the_altered_event(app) {
        let admin = app.login("admin").await;
        let dept = app.agency_id("000.00.05.H40").await;
        let (s, _) = admin.post("/api/v1/users", json!({"username": "kiemtra.audit", "full_name": "Hà Văn Kiểm", "password": "MatKhau12345",
            "memberships": [{"agency_id": dept, "role": "specialist"}]})).await;
        assert_eq!(s, StatusCode::CREATED);
        let url = app.database_url.clone();
        let (code, out) = tokio::task::spawn_blocking(move || verify(&url)).await.unwrap();
        assert_eq!(code, 0, "{out}");
        let total = app.count("audit_events").await;
        assert!(out.contains(&format!("chain admin: {total} events")), "{out}");

        // Alter one stored event in the middle of the chain.
        let target: String = app.ctx.store.read(|db| db.query_one("SELECT id FROM audit_events WHERE seq = 7", &[])?.text(0)).await.unwrap();
        let t = target.clone();
        app.ctx.store.write(move |db| db.execute("UPDATE audit_events SET payload = '{\"name\":\"Sở giả mạo\"}' WHERE id = $1", &[t.into()])).await.unwrap();
        let url = app.database_url.clone();
        let (code, out) = tokio::task::spawn_blocking(move || verify(&url)).await.unwrap();
        assert_eq!(code, 1, "{out}");
        assert!(out.contains(&format!("event {target} (seq 7)")), "{out}");
        assert!(out.contains("altered"), "{out}");
    }

    async fn deleting_an_event_breaks_the_chain(app) {
        app.ctx.store.write(|db| db.execute("DELETE FROM audit_events WHERE seq = 3", &[])).await.unwrap();
        let url = app.database_url.clone();
        let (code, out) = tokio::task::spawn_blocking(move || verify(&url)).await.unwrap();
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("(seq 4)"), "the event after the gap is named: {out}");
    }

    async fn audit_reads_are_scoped(app) {
        let admin = app.login("admin").await;
        let tamdiep = app.agency_id("000.00.32.H40").await;
        let hoalu = app.agency_id("000.00.31.H40").await;
        admin.patch(&format!("/api/v1/agencies/{tamdiep}"), json!({"address": "Phường Tam Điệp"})).await;
        admin.patch(&format!("/api/v1/agencies/{hoalu}"), json!({"address": "Phường Hoa Lư"})).await;
        let commune = app.login("admin.hoalu").await;
        let (s, events) = commune.get("/api/v1/audit?entity_kind=agency&limit=500").await;
        assert_eq!(s, StatusCode::OK);
        let ids: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["entity_id"].as_str().unwrap()).collect();
        assert!(ids.contains(&hoalu.as_str()));
        assert!(!ids.contains(&tamdiep.as_str()), "another commune's events leaked");
        let (s, _) = app.login("tiepnhan").await.get("/api/v1/audit").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
}
