//! Authorization over HTTP, on both backends: the register (form 07) and the KPI totals
//! stay within the reader's agencies, drafts stay the applicant's, the result document
//! waits for the decision, reception points are reception points, and nothing personal is
//! cached. The route × role matrix is in `authz_matrix.rs`.

use crate::officer_pages::{PDF, PROVINCE, online_submitted, vn};
use motcua_testkit::{Client, TestApp, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Xác nhận tình trạng hôn nhân: commune, 3 working days.
const COMMUNE: &str = "1.004873";
/// Phường Hoa Lư (the commune) and Sở Tư pháp.
const HOALU: &str = "000.00.31.H40";
const STP: &str = "000.00.01.H40";

fn applicant() -> Value {
    json!({"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"})
}

async fn step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

/// Three dossiers received on 2 March 2026: A at Hoa Lư's counter (competent: Hoa Lư),
/// P online at the provincial centre (competent: Sở Tư pháp), X at the provincial
/// counter for Hoa Lư (competent: Hoa Lư). Returns their codes (A, P, X).
async fn three_dossiers(app: &TestApp) -> (String, String, String) {
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));
    let hoalu_clerk = app.login("tiepnhan.hoalu").await;
    let (s, a) = hoalu_clerk
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": COMMUNE, "applicant": applicant(), "components": [
            {"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let p = online_submitted(&app.login("congdan").await).await;
    let clerk = app.login("tiepnhan").await;
    let p = step(&clerk, &p, "receive", json!({})).await;
    let (s, x) = clerk
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": COMMUNE, "applicant": applicant(),
            "competent_agency_id": app.agency_id(HOALU).await, "components": [
            {"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{x}");
    assert_eq!(x["competent"]["code"], HOALU);
    assert_eq!(p["competent"]["code"], STP);
    let code = |v: &Value| v["code"].as_str().unwrap().to_string();
    (code(&a), code(&p), code(&x))
}

both_backends! {
    async fn register_and_kpis_stay_within_the_callers_agencies(app) {
        let (a, p, x) = three_dossiers(&app).await;
        // Who reads what in the register of that day: the dossiers their agencies received
        // or are competent for; a counter reads its centre's, a department's office the
        // department's; the province's supervisor and administrator read the province.
        let expected: BTreeMap<&str, Vec<&String>> = BTreeMap::from([
            ("admin", vec![&a, &p, &x]),
            ("giamsat", vec![&a, &p, &x]),
            ("tiepnhan", vec![&p, &x]),
            ("chuyenvien", vec![&p]),
            ("lanhdao", vec![&p]),
            ("admin.hoalu", vec![&a, &x]),
            ("tiepnhan.hoalu", vec![&a]),
            ("chuyenvien.hoalu", vec![&a, &x]),
            ("lanhdao.hoalu", vec![&a, &x]),
            ("admin.tamdiep", vec![]),
        ]);
        let mut got: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for who in expected.keys() {
            let (s, rows) = app.login(who).await.get("/api/v1/register?from=2026-03-02&to=2026-03-02").await;
            assert_eq!(s, StatusCode::OK, "{who}: {rows}");
            let mut codes: Vec<String> = rows.as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect();
            codes.sort();
            got.insert(who, codes);
        }
        let want: BTreeMap<&str, Vec<String>> = expected
            .iter()
            .map(|(k, v)| {
                let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
                v.sort();
                (*k, v)
            })
            .collect();
        assert_eq!(got, want, "register rows per account");
        let (s, _) = app.login("congdan").await.get("/api/v1/register?from=2026-03-02&to=2026-03-02").await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // The page and its CSV export read the same rows.
        let commune = app.login("chuyenvien.hoalu").await;
        let page = commune.http.get(format!("{}/can-bo/so-theo-doi?from=2026-03-02&to=2026-03-02", commune.base)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains(&a) && html.contains(&x) && !html.contains(&p), "{html}");
        let csv = commune.http.get(format!("{}/can-bo/so-theo-doi.csv?from=2026-03-02&to=2026-03-02", commune.base)).send().await.unwrap();
        assert_eq!(csv.status(), StatusCode::OK);
        let text = csv.text().await.unwrap();
        assert!(text.contains(&a) && !text.contains(&p) && !text.contains("Trần Thị Bình"), "{text}");

        // KPI totals: the counters of the units under the reader's agencies, each dossier
        // counted for its competent agency (766 scores the unit with authority, issue #16):
        // the commune's two (one received at the province's centre), the department's one.
        let received = |k: &Value| k["received"].as_i64().unwrap_or(0);
        let kpi = "/api/v1/kpi?from=2026-03-02&to=2026-03-02";
        let (s, k) = app.login("giamsat").await.get(kpi).await;
        assert_eq!((s, received(&k)), (StatusCode::OK, 3), "{k}");
        let (s, k) = app.login("admin.hoalu").await.get(kpi).await;
        assert_eq!((s, received(&k), k["received_counter"].as_i64()), (StatusCode::OK, 2, Some(2)), "{k}");
        let (s, k) = app.login("lanhdao").await.get(kpi).await;
        assert_eq!((s, received(&k)), (StatusCode::OK, 1), "the department's leader: {k}");
        let (s, k) = app.login("admin.tamdiep").await.get(kpi).await;
        // No counters, and indicator 4.3 says "no data" (not zero).
        let ind = &k["indicators"][0];
        assert_eq!((s, k.as_object().unwrap().len()), (StatusCode::OK, 1), "{k}");
        assert_eq!((ind["id"].as_str(), ind["denominator"].as_i64(), &ind["points"]), (Some("4.3"), Some(0), &Value::Null), "{k}");
        for who in ["tiepnhan.hoalu", "chuyenvien", "congdan"] {
            let (s, b) = app.login(who).await.get(kpi).await;
            assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{who}: {b}");
        }
    }

    async fn drafts_stay_the_applicants_until_submitted(app) {
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let citizen = app.login("congdan").await;
        let (s, d) = citizen
            .post("/api/v1/dossiers", json!({"procedure_code": PROVINCE, "applicant": applicant()}))
            .await;
        assert_eq!((s, d["status"].as_str()), (StatusCode::CREATED, Some("draft")), "{d}");
        let id = d["id"].as_str().unwrap();
        assert_eq!(citizen.get(&format!("/api/v1/dossiers/{id}")).await.0, StatusCode::OK);
        for who in ["tiepnhan", "giamsat", "admin"] {
            let c = app.login(who).await;
            let (s, b) = c.get(&format!("/api/v1/dossiers/{id}")).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{who} reads a draft: {b}");
            let (_, list) = c.get("/api/v1/dossiers?limit=100").await;
            assert!(!list["items"].as_array().unwrap().iter().any(|i| i["id"] == id), "{who} lists a draft: {list}");
            let page = c.http.get(format!("{}/can-bo/ho-so/{id}", c.base)).send().await.unwrap();
            assert_eq!(page.status(), StatusCode::NOT_FOUND, "{who}: the officer page");
        }
        // Nor may the counter attach to it: the dossier is not theirs to see.
        let clerk = app.login("tiepnhan").await;
        let before = app.count("dossier_events").await;
        let (s, b) = clerk.raw(Method::PUT, &format!("/api/v1/dossiers/{id}/components/anh_the/files?name=a.pdf"), "application/pdf", PDF.to_vec()).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
        assert_eq!(app.count("dossier_events").await, before);
        // Submitted, it is the counter's to receive.
        let d = online_submitted(&citizen).await;
        assert_eq!(clerk.get(&format!("/api/v1/dossiers/{}", d["id"].as_str().unwrap())).await.0, StatusCode::OK);
    }

    async fn the_result_reaches_the_applicant_from_resolution(app) {
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let citizen = app.login("congdan").await;
        let d = online_submitted(&citizen).await;
        let d = step(&app.login("tiepnhan").await, &d, "receive", json!({})).await;
        let d = step(&app.login("tiepnhan").await, &d, "forward", json!({})).await;
        let d = step(&app.login("chuyenvien").await, &d, "forward", json!({})).await;
        let leader = app.login("lanhdao").await;
        let id = d["id"].as_str().unwrap().to_string();
        let (s, d) = leader.raw(Method::PUT, &format!("/api/v1/dossiers/{id}/components/result/files?name=ket-qua.pdf"), "application/pdf", PDF.to_vec()).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let result_id = d["files"].as_array().unwrap().iter().find(|f| f["component_key"] == "result").unwrap()["id"].as_str().unwrap().to_string();
        let file = format!("/api/v1/dossiers/{id}/files/{result_id}");
        // Before the decision: the officers have it, the applicant neither sees nor downloads it.
        assert_eq!(leader.get(&file).await.0, StatusCode::OK);
        let (s, b) = citizen.get(&file).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{b}");
        let (_, mine) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        assert!(!mine.to_string().contains(&result_id), "the result is not listed before resolution: {mine}");
        let (_, list) = citizen.get("/api/v1/dossiers").await;
        assert!(!list.to_string().contains(&result_id), "{list}");
        let page = citizen.http.get(format!("{}/ho-so-cua-toi/{id}", citizen.base)).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains(&result_id), "{page}");
        // From resolution on, it is the applicant's.
        let _ = step(&leader, &d, "resolve", json!({"name": "Thẻ công chứng viên"})).await;
        let r = citizen.http.get(format!("{}{file}", citizen.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
        let (_, mine) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        assert!(mine.to_string().contains(&result_id), "{mine}");
    }

    async fn only_reception_points_receive(app) {
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let citizen = app.login("congdan").await;
        let before = (app.count("dossiers").await, app.count("dossier_events").await);
        for code in [STP, HOALU, "000.00.00.H40", "000.01.01.H40"] {
            let (s, b) = citizen
                .post("/api/v1/dossiers", json!({"procedure_code": PROVINCE, "applicant": applicant(), "receiving_agency_id": app.agency_id(code).await}))
                .await;
            assert_eq!((s, b["fields"][0]["field"].as_str(), b["fields"][0]["code"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("receiving_agency_id"), Some("not_a_reception_point")), "{code}: {b}");
            assert!(b["fields"][0]["message_vi"].as_str().unwrap().contains("Trung tâm Phục vụ hành chính công"), "{b}");
        }
        assert_eq!((app.count("dossiers").await, app.count("dossier_events").await), before, "a refused filing writes nothing");
        // A commune's centre and a province counter are reception points.
        for code in ["000.01.31.H40", "000.01.20.H40"] {
            let (s, b) = citizen
                .post("/api/v1/dossiers", json!({"procedure_code": PROVINCE, "applicant": applicant(), "receiving_agency_id": app.agency_id(code).await}))
                .await;
            assert_eq!((s, b["receiving"]["code"].as_str()), (StatusCode::CREATED, Some(code)), "{b}");
        }
        // An officer takes dossiers in only at their own counter.
        let (s, b) = app.login("tiepnhan.hoalu").await
            .post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": applicant(), "receiving_agency_id": app.agency_id("000.01.20.H40").await,
                "competent_agency_id": app.agency_id(HOALU).await, "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    }

    async fn personal_data_is_never_cached(app) {
        let (_, _, _) = three_dossiers(&app).await;
        let clerk = app.login("tiepnhan").await;
        let citizen = app.login("congdan").await;
        let (_, mine) = citizen.get("/api/v1/dossiers").await;
        let own = mine["items"][0]["id"].as_str().unwrap().to_string();
        let cases: Vec<(&Client, String)> = vec![
            (&clerk, "/api/v1/dossiers".into()),
            (&clerk, "/api/v1/register?from=2026-03-02&to=2026-03-02".into()),
            (&clerk, "/api/v1/auth/me".into()),
            (&clerk, "/api/v1/users?limit=5".into()),
            (&clerk, "/can-bo/ho-so".into()),
            (&clerk, "/can-bo/so-theo-doi?from=2026-03-02&to=2026-03-02".into()),
            (&citizen, format!("/api/v1/dossiers/{own}")),
            (&citizen, format!("/ho-so-cua-toi/{own}")),
            (&citizen, "/ho-so-cua-toi".into()),
            (&citizen, "/".into()),
        ];
        for (c, path) in cases {
            let r = c.http.get(format!("{}{path}", c.base)).send().await.unwrap();
            let cc = r.headers().get("cache-control").map(|v| v.to_str().unwrap().to_string());
            assert!(cc.as_deref().is_some_and(|v| v.contains("no-store")), "{path} ({}): cache-control {cc:?}", r.status());
        }
        // Static assets stay cacheable.
        let r = clerk.http.get(format!("{}/assets/site.css", clerk.base)).send().await.unwrap();
        assert_eq!(r.headers()["cache-control"], "public, max-age=3600");
    }
}
