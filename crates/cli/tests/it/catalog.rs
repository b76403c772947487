//! The procedure catalog on both backends: search, versions in force, life cycle, import
//! and export round trips, open data, pages and the 766 transparency figures.

use motcua_testkit::{TestApp, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn search(app: &TestApp, q: &str) -> Value {
    let (s, b) = app.client().get(&format!("/api/v1/procedures?limit=100&q={}", urlencode(q))).await;
    assert_eq!(s, StatusCode::OK, "{q}: {b}");
    b
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn names(b: &Value) -> Vec<String> {
    b["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_string()).collect()
}

fn fold(s: &str) -> String {
    motcua_domain::text::fold(s)
}

async fn code_of(app: &TestApp, q: &str) -> String {
    let b = search(app, q).await;
    b["items"][0]["code"].as_str().unwrap_or_else(|| panic!("nothing for {q}")).to_string()
}

both_backends! {
    async fn search_ignores_diacritics_case_and_d(app) {
        let (_, all) = app.client().get("/api/v1/procedures?limit=1").await;
        assert!(all["total"].as_i64().unwrap() >= 64, "{all}");
        for (q, must) in [
            ("dang ky ho kinh doanh", "ho kinh doanh"),
            ("Đăng ký khai sinh", "khai sinh"),
            ("ĐĂNG KÝ KẾT HÔN", "ket hon"),
            ("dang ky khai tu", "khai tu"),
            ("đăng ký khai tử", "khai tu"),
            ("chung thuc ban sa", "chung thuc ban sao"),
            ("LY LICH tu phap", "ly lich tu phap"),
        ] {
            let b = search(&app, q).await;
            let ns = names(&b);
            assert!(!ns.is_empty(), "no result for {q}");
            assert!(ns.iter().any(|n| fold(n).contains(must)), "{q}: {ns:?}");
        }
        // Accents, case and đ make no difference to the result set.
        let a = search(&app, "dang ky khai tu").await;
        let b = search(&app, "ĐĂNG KÝ KHAI TỬ").await;
        assert_eq!(a["items"], b["items"]);
        let none = search(&app, "khong co thu tuc nao nhu the nay").await;
        assert_eq!(none["total"], 0);
        // Filters.
        let (_, communes) = app.client().get("/api/v1/procedures?level=commune&limit=100").await;
        assert!(communes["total"].as_i64().unwrap() >= 15);
        assert!(communes["items"].as_array().unwrap().iter().all(|i| i["levels"].as_array().unwrap().contains(&json!("commune"))));
        let (_, full) = app.client().get("/api/v1/procedures?online_level=full&limit=100").await;
        assert!(full["total"].as_i64().unwrap() >= 10);
        assert!(full["items"].as_array().unwrap().iter().all(|i| i["online_level"] == "full"));
        let (_, sectors) = app.client().get("/api/v1/sectors").await;
        assert!(sectors.as_array().unwrap().len() >= 10);
        let sector = sectors[0]["code"].as_str().unwrap().to_string();
        let (_, by_sector) = app.client().get(&format!("/api/v1/procedures?sector={}&limit=100", urlencode(&sector))).await;
        assert_eq!(by_sector["total"], sectors[0]["procedures"]);
        let (s, b) = app.client().get("/api/v1/procedures?level=district").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "invalid_level");
        // Paging.
        let (_, p1) = app.client().get("/api/v1/procedures?limit=10&offset=0").await;
        let (_, p2) = app.client().get("/api/v1/procedures?limit=10&offset=10").await;
        assert_eq!(p1["items"].as_array().unwrap().len(), 10);
        assert_ne!(p1["items"][0]["code"], p2["items"][0]["code"]);
    }

    async fn amendment_effective_tomorrow_leaves_today_unchanged(app) {
        let admin = app.login("admin").await;
        let code = code_of(&app, "dang ky ket hon").await;
        let (s, today) = app.client().get(&format!("/api/v1/procedures/{code}")).await;
        assert_eq!(s, StatusCode::OK);
        let mut spec = today["spec"].clone();
        let old_limit = spec["time_limit"].clone();
        spec["time_limit"] = json!({"value": old_limit["value"].as_u64().unwrap() + 2, "unit": "working_days"});
        let tomorrow = app.ctx.clock.today().tomorrow().unwrap().to_string();
        let (s, v) = admin.post(&format!("/api/v1/procedures/{code}/versions"), json!({"spec": spec, "effective_from": tomorrow})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["version"], 2);
        assert_eq!(v["status"], "published");

        let (_, now) = app.client().get(&format!("/api/v1/procedures/{code}")).await;
        assert_eq!(now["version"], 1, "today's version is unchanged");
        assert_eq!(now["spec"]["time_limit"], old_limit);
        let (_, later) = app.client().get(&format!("/api/v1/procedures/{code}?at={tomorrow}")).await;
        assert_eq!(later["version"], 2);
        assert_eq!(later["spec"]["time_limit"]["value"], old_limit["value"].as_u64().unwrap() + 2);
        // The app's own read for dossiers gives the same answers.
        let at_now = motcua_app::usecases::catalog::in_force(&app.ctx, &code, app.ctx.clock.now_ms()).await.unwrap().unwrap();
        assert_eq!(at_now.version, 1);

        let (_, versions) = app.client().get(&format!("/api/v1/procedures/{code}/versions")).await;
        assert_eq!(versions[0]["status"], "amended");
        assert_eq!(versions[0]["effective_to"], versions[1]["effective_from"]);
        let (s, d) = admin.get(&format!("/api/v1/procedures/{code}/diff?from=1&to=2")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
        assert_eq!(d[0]["field"], "time_limit");
        let (s, _) = app.login("chuyenvien").await.get(&format!("/api/v1/procedures/{code}/diff?from=1&to=2")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // A version dated before the one in force is refused.
        let (s, b) = admin.post(&format!("/api/v1/procedures/{code}/versions"), json!({"spec": spec, "effective_from": "2020-01-01"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "effective_conflict");
        let (_, events) = admin.get(&format!("/api/v1/audit?entity_kind=procedure&entity_id={code}")).await;
        let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"procedure.version_added") && actions.contains(&"procedure.published"), "{actions:?}");
    }

    async fn create_draft_publish_replace_abolish(app) {
        let admin = app.login("admin").await;
        let base = app.client().get(&format!("/api/v1/procedures/{}", code_of(&app, "khai sinh").await)).await.1["spec"].clone();
        let mut spec = base.clone();
        spec["code"] = json!("1.999001.H40");
        spec["name"] = json!("Thủ tục thử nghiệm cấp bản sao điện tử");
        let (s, v) = admin.post("/api/v1/procedures", json!({"spec": spec})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["status"], "draft");
        assert_eq!(search(&app, "thu nghiem cap ban sao dien tu").await["total"], 0, "a draft is not public");
        let (s, b) = admin.post("/api/v1/procedures", json!({"spec": spec})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "procedure_exists");
        let (s, v) = admin.post("/api/v1/procedures/1.999001.H40/versions/1/publish", json!({"effective_from": "2026-01-01"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(search(&app, "thu nghiem cap ban sao dien tu").await["total"], 1);

        let mut spec2 = spec.clone();
        spec2["code"] = json!("1.999002.H40");
        spec2["name"] = json!("Thủ tục thay thế thử nghiệm");
        admin.post("/api/v1/procedures", json!({"spec": spec2, "effective_from": "2026-06-01"})).await;
        let (s, r) = admin.post("/api/v1/procedures/1.999001.H40/replace", json!({"by": "1.999002.H40", "effective_from": "2026-06-01"})).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["status"], "replaced");
        let (s, _) = app.client().get("/api/v1/procedures/1.999001.H40").await;
        assert_eq!(s, StatusCode::NOT_FOUND, "replaced: no longer in force");
        let (s, old) = app.client().get("/api/v1/procedures/1.999001.H40?at=2026-03-01").await;
        assert_eq!(s, StatusCode::OK, "still readable as it was in force then");
        assert_eq!(old["version"], 1);

        let (s, a) = admin.post("/api/v1/procedures/1.999002.H40/abolish", json!({"effective_from": "2099-01-01"})).await;
        assert_eq!(s, StatusCode::OK, "{a}");
        assert_eq!(a["status"], "abolished");
        assert_eq!(search(&app, "thay the thu nghiem").await["total"], 1, "abolished only from 2099");

        // Invalid specs: every problem reported, nothing written.
        let before = app.count("procedure_versions").await;
        let mut bad = spec.clone();
        bad["code"] = json!("abc");
        bad["components"] = json!([]);
        bad["online_only"] = json!(true);
        bad["online_level"] = json!("none");
        let (s, b) = admin.post("/api/v1/procedures", json!({"spec": bad})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let fields: Vec<&str> = b["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"code") && fields.contains(&"online_only"), "{fields:?}");
        assert_eq!(app.count("procedure_versions").await, before);
        // Only province administrators change the catalog.
        let (s, _) = app.login("admin.hoalu").await.post("/api/v1/procedures/1.999002.H40/abolish", json!({"effective_from": "2099-01-01"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }

    async fn import_export_round_trips(app) {
        let admin = app.login("admin").await;
        let before = app.count("procedure_versions").await;
        for format in ["json", "xlsx", "csv"] {
            let file = admin.http.get(format!("{}/api/v1/catalog/export?format={format}", app.url)).send().await.unwrap();
            assert_eq!(file.status(), StatusCode::OK);
            let bytes = file.bytes().await.unwrap().to_vec();
            if format == "csv" {
                assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "CSV starts with a BOM");
            }
            if format == "xlsx" {
                assert_eq!(&bytes[..2], b"PK");
            }
            let (s, out) = admin.raw(Method::POST, &format!("/api/v1/catalog/import?format={format}"), "application/octet-stream", bytes).await;
            assert_eq!(s, StatusCode::OK, "{format}: {out}");
            assert_eq!(out["created"], 0, "{format}: {out}");
            assert_eq!(out["amended"], 0, "{format}: the round trip changed something: {out}");
            assert!(out["unchanged"].as_i64().unwrap() >= 64);
        }
        assert_eq!(app.count("procedure_versions").await, before);

        // One bad row: nothing imported, the row is named.
        let csv = admin.http.get(format!("{}/api/v1/catalog/export?format=csv", app.url)).send().await.unwrap().text().await.unwrap();
        let json_export: Value = admin.http.get(format!("{}/api/v1/catalog/export?format=json", app.url)).send().await.unwrap().json().await.unwrap();
        let mut items = json_export["items"].as_array().unwrap().clone();
        items[0]["spec"]["name"] = json!("Tên đã sửa qua nhập tệp");
        items[2]["spec"]["online_level"] = json!("sometimes");
        let (s, b) = admin.raw(Method::POST, "/api/v1/catalog/import?format=json", "application/json",
            serde_json::to_vec(&json!({"title": "x", "exported_at": "x", "items": items})).unwrap()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(b["fields"][0]["field"].as_str().unwrap().contains("items[2]"), "{b}");
        assert_eq!(app.count("procedure_versions").await, before);
        let mut lines: Vec<String> = csv.split("\r\n").map(str::to_string).collect();
        if lines.len() < 3 {
            lines = csv.split('\n').map(str::to_string).collect();
        }
        assert!(lines.len() > 3);
        let broken = csv.replacen(" working_days", " tuần", 1);
        let (s, b) = admin.raw(Method::POST, "/api/v1/catalog/import?format=csv", "text/csv", broken.into_bytes()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(b["code"], "import_invalid");
        assert!(b["fields"][0]["field"].as_str().unwrap().starts_with("row 2"), "{b}");
        assert!(b["fields"][0]["field"].as_str().unwrap().contains("time_limit"), "{b}");
        assert_eq!(app.count("procedure_versions").await, before);

        // A changed row becomes a new version.
        let mut items = json_export["items"].as_array().unwrap().clone();
        items[0]["spec"]["name"] = json!("Tên đã sửa qua nhập tệp");
        items[0]["effective_from"] = json!("2099-01-01");
        let (s, out) = admin.raw(Method::POST, "/api/v1/catalog/import?format=json", "application/json",
            serde_json::to_vec(&json!({"title": "x", "exported_at": "x", "items": items})).unwrap()).await;
        assert_eq!(s, StatusCode::OK, "{out}");
        assert_eq!(out["amended"], 1);
        assert_eq!(app.count("procedure_versions").await, before + 1);
        let (s, _) = app.login("tiepnhan").await.raw(Method::POST, "/api/v1/catalog/import?format=json", "application/json", b"[]".to_vec()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }

    async fn open_data_pages_and_indicators(app) {
        let c = app.client();
        let (s, idx) = c.get("/open-data").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(idx["datasets"][0]["licence"], "CC-BY-4.0");
        let r = c.http.get(format!("{}/open-data/procedures.json", app.url)).send().await.unwrap();
        assert!(r.headers().get("last-modified").is_some());
        let j: Value = r.json().await.unwrap();
        assert_eq!(j["publisher"], "Ủy ban nhân dân tỉnh Ninh Bình");
        assert!(j["items"].as_array().unwrap().len() >= 64);
        assert_eq!(j["count"].as_u64().unwrap() as usize, j["items"].as_array().unwrap().len());
        let csv = c.http.get(format!("{}/open-data/procedures.csv", app.url)).send().await.unwrap();
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let bytes = csv.bytes().await.unwrap();
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");

        let page = c.http.get(format!("{}/thu-tuc?q=dang+ky+khai+sinh", app.url)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Tra cứu thủ tục hành chính") && page.contains("khai sinh"), "{page}");
        let code = code_of(&app, "khai sinh").await;
        let page = c.http.get(format!("{}/thu-tuc/{code}", app.url)).send().await.unwrap().text().await.unwrap();
        for part in ["Trình tự thực hiện", "Cách thức thực hiện", "Thành phần hồ sơ", "Thời hạn giải quyết", "Đối tượng thực hiện", "Cơ quan thực hiện", "Căn cứ pháp lý"] {
            assert!(page.contains(part), "{part} missing");
        }
        // Every form linked from the catalog downloads as a Word file.
        let j_items = j["items"].as_array().unwrap();
        let templates: Vec<&str> = j_items.iter().flat_map(|i| i["components"].as_array().unwrap().iter().filter_map(|c| c["template"].as_str())).collect();
        assert!(templates.len() >= 8, "{templates:?}");
        for t in templates.iter().take(3) {
            let r = c.http.get(format!("{}/thu-tuc/mau/{t}", app.url)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{t}");
            assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");
        }
        let r = c.http.get(format!("{}/thu-tuc/mau/..%2F..%2Fetc%2Fpasswd", app.url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);

        let (s, ind) = c.get("/api/v1/catalog/indicators?from=2025-01-01&to=2026-12-31").await;
        assert_eq!(s, StatusCode::OK);
        let i13 = ind.as_array().unwrap().iter().find(|i| i["id"] == "1.3").unwrap();
        assert_eq!(i13["ratio_percent"], 100.0);
        assert_eq!(i13["points"], 2.0);
        let i12 = ind.as_array().unwrap().iter().find(|i| i["id"] == "1.2").unwrap();
        assert!(i12["denominator"].as_i64().unwrap() >= 64);
        let (_, empty) = c.get("/api/v1/catalog/indicators?from=2000-01-01&to=2000-12-31").await;
        assert!(empty[0]["ratio_percent"].is_null(), "no data is not 0: {empty}");
    }
}
