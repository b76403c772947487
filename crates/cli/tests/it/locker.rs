//! The applicant's data locker (kho dữ liệu, issue #13), on both backends: a resolved and
//! returned dossier puts its result into the applicant's locker; a new dossier takes a
//! component from it instead of an upload (the wizard's page form, the API, the counter), the
//! same stored file, the component flagged reused by the system and counted in the `reused`
//! KPI (766 indicator 4.3); another person's item is refused with 403
//! `locker_item_not_yours`, an expired one with 422 `locker_item_invalid`, nothing attached;
//! the citizen's page lists the locker and the API downloads it.

use crate::browser::Browser;
use motcua_testkit::{Client, TestApp, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PDF: &[u8] = motcua_testkit::files::PDF;
/// Cấp Giấy xác nhận tình trạng hôn nhân: commune level; its component `giay_xac_nhan_cu`
/// (the certificate issued before) accepts `ket-qua:1.004873` from the locker.
const COMMUNE: &str = "1.004873";
const REUSED: &str = "giay_xac_nhan_cu";
/// congdan's CCCD (seed).
const CCCD: &str = "037092001234";

fn vn(s: &str) -> i64 {
    format!("{s}+07:00").parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn applicant(id_number: &str) -> Value {
    json!({"name": "Nguyễn Văn An", "id_number": id_number, "phone": "0912345678", "address": "Số 5 phố Tràng An, phường Hoa Lư"})
}

async fn step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

async fn reused_kpi(app: &TestApp) -> i64 {
    let (s, k) = app.login("giamsat").await.get("/api/v1/kpi?from=2026-03-01&to=2026-03-31").await;
    assert_eq!(s, StatusCode::OK, "{k}");
    let reused = k["reused"].as_i64().unwrap_or(0);
    // 766 indicator 4.3 counts the same dossiers over those received.
    let ind = k["indicators"].as_array().unwrap().iter().find(|i| i["id"] == "4.3").expect("indicator 4.3").clone();
    assert_eq!((ind["numerator"].as_i64(), ind["denominator"].as_i64()), (Some(reused), k["received"].as_i64()), "{ind}");
    assert_eq!(ind["max_points"], 2.0);
    reused
}

fn component<'a>(d: &'a Value, key: &str) -> &'a Value {
    d["components"].as_array().unwrap().iter().find(|c| c["key"] == key).unwrap()
}

/// The counter reception form of `COMMUNE` for `id_number`, with the two paper components
/// ticked, plus `extra` fields.
fn counter_fields<'a>(csrf: &str, id_number: &str, extra: &[(&'a str, &str)]) -> Vec<(&'a str, String)> {
    let mut f = vec![
        ("csrf_token", csrf.to_string()),
        ("procedure_code", COMMUNE.to_string()),
        ("idem", "locker-counter".into()),
        ("applicant.name", "Nguyễn Văn An".into()),
        ("applicant.id_number", id_number.into()),
        ("channel", "counter".into()),
        ("provided.to_khai", "on".into()),
        ("provided.giay_to_tuy_than", "on".into()),
    ];
    f.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    f
}

fn locker_files(d: &Value) -> Vec<Value> {
    d["files"].as_array().unwrap().iter().filter(|f| !f["locker_item_id"].is_null()).cloned().collect()
}

both_backends! {
    async fn a_result_fills_the_locker_and_is_reused_only_by_its_owner(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan.hoalu").await;
        let specialist = app.login("chuyenvien.hoalu").await;
        let leader = app.login("lanhdao.hoalu").await;
        let citizen = app.login("congdan").await;

        // congdan's dossier at Hoa Lư's counter, resolved with a result file and returned.
        let (s, d) = clerk
            .post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": applicant(CCCD), "components": [
                {"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let first = d["id"].as_str().unwrap().to_string();
        let d = step(&clerk, &d, "forward", json!({})).await;
        step(&specialist, &d, "forward", json!({})).await;
        let (s, d) = leader
            .raw(Method::PUT, &format!("/api/v1/dossiers/{first}/components/result/files?name=xac-nhan.pdf"), "application/pdf", PDF.to_vec())
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let d = step(&leader, &d, "resolve", json!({"name": "Giấy xác nhận tình trạng hôn nhân", "number": "12/2026/XNTTHN"})).await;
        assert_eq!(app.count("locker_items").await, 1, "filled at resolution");
        step(&clerk, &d, "return", json!({"method": "counter"})).await;
        assert_eq!(app.count("locker_items").await, 1, "returning adds nothing more");

        // congdan's locker: the result, valid, downloadable.
        let (s, items) = citizen.get("/api/v1/me/locker").await;
        assert_eq!(s, StatusCode::OK, "{items}");
        let items = items.as_array().unwrap().clone();
        assert_eq!(items.len(), 1, "{items:?}");
        let item = &items[0];
        assert_eq!((item["kind"].as_str(), item["doc_type"].as_str()), (Some("result"), Some("ket-qua:1.004873")));
        assert_eq!((item["status"].as_str(), item["owner_id_number"].as_str()), (Some("valid"), Some(CCCD)));
        assert_eq!(item["source_dossier_id"], first.as_str());
        let item_id = item["id"].as_str().unwrap().to_string();
        let r = citizen.http.get(format!("{}/api/v1/me/locker/{item_id}/file", citizen.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // The item is the signed result document (leader + seal), not the uploaded file.
        let (_, docs) = leader.get(&format!("/api/v1/dossiers/{first}/documents")).await;
        let kq = docs.as_array().unwrap().iter().find(|x| x["form"] == "KQ").expect("the signed result").clone();
        let (_, _, signed) = crate::documents::bytes(&leader, kq["href"].as_str().unwrap()).await;
        assert_eq!(item["source_document_id"], kq["id"], "{item}");
        let got = r.bytes().await.unwrap();
        assert_eq!(got.as_ref(), signed.as_slice());
        assert_ne!(got.as_ref(), PDF);

        // Another citizen: neither their own filing nor congdan's id number lets them use it.
        let admin = app.login("admin").await;
        let (s, b) = admin
            .post("/api/v1/users", json!({"username": "congdan2", "full_name": "Lê Văn Cường", "password": "Motcua@2026",
                "account_type": "citizen", "citizen_id": "037092009999", "memberships": []}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let other = app.login("congdan2").await;
        let (s, b) = other.get(&format!("/api/v1/me/locker/{item_id}/file")).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("locker_item_not_yours")));
        let (_, mine) = other.get("/api/v1/me/locker").await;
        assert_eq!(mine, json!([]));
        let dossiers = app.count("dossiers").await;
        for id_number in ["037092009999", CCCD] {
            let (s, b) = other
                .post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": applicant(id_number),
                    "components": [{"key": REUSED, "locker_item_id": item_id}]}))
                .await;
            assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("locker_item_not_yours")), "{id_number}");
        }
        assert_eq!(app.count("dossiers").await, dossiers, "nothing filed");
        let (_, draft2) = other.post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": applicant("037092009999")})).await;
        let path2 = format!("/api/v1/dossiers/{}/components/{REUSED}/locker", draft2["id"].as_str().unwrap());
        let (s, b) = other.post(&path2, json!({"locker_item_id": item_id})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("locker_item_not_yours")));
        let (_, draft2) = other.get(&format!("/api/v1/dossiers/{}", draft2["id"].as_str().unwrap())).await;
        assert!(locker_files(&draft2["dossier"]).is_empty(), "nothing attached: {draft2}");

        // congdan files online and takes the component from the locker in the wizard (page
        // form): no upload, the same stored file.
        let files_before = app.count("files").await;
        let (s, d) = citizen.post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": applicant(CCCD)})).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let id = d["id"].as_str().unwrap().to_string();
        let browser = Browser::login(&app, "congdan").await;
        let page = browser.get(&format!("/ho-so-cua-toi/{id}/thanh-phan/{REUSED}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Dùng từ kho dữ liệu") && page.body.contains(&item_id), "{}", page.body);
        // Not offered on a component that accepts nothing from the locker.
        let plain = browser.get(&format!("/ho-so-cua-toi/{id}/thanh-phan/to_khai")).await;
        assert!(!plain.body.contains("Dùng từ kho dữ liệu"));
        let p = browser
            .post(&format!("/ho-so-cua-toi/{id}/thanh-phan/{REUSED}/kho-du-lieu"), &[("csrf_token", page.csrf()), ("locker_item_id", item_id.clone())])
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let (_, d) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        let d = d["dossier"].clone();
        let reused = locker_files(&d);
        assert_eq!(reused.len(), 1, "{d}");
        assert_eq!((reused[0]["component_key"].as_str(), reused[0]["locker_item_id"].as_str()), (Some(REUSED), Some(item_id.as_str())));
        assert_eq!(app.count("files").await, files_before, "no bytes copied");
        // The same item again changes nothing.
        let (s, again) = citizen.post(&format!("/api/v1/dossiers/{id}/components/{REUSED}/locker"), json!({"locker_item_id": item_id})).await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(again["version"], d["version"]);

        // Uploads for the required components, submission, reception: the component is
        // provided and reused (set by the system), the reuse counter goes up by one.
        let mut d = d;
        for key in ["to_khai", "giay_to_tuy_than"] {
            let (s, b) = citizen.raw(Method::PUT, &format!("/api/v1/dossiers/{id}/components/{key}/files?name=scan.pdf"), "application/pdf", PDF.to_vec()).await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
            d = b;
        }
        let d = step(&citizen, &d, "submit", json!({})).await;
        let before = reused_kpi(&app).await;
        let d = step(&clerk, &d, "receive", json!({})).await;
        assert_eq!((component(&d, REUSED)["reused"].as_bool(), component(&d, REUSED)["provided"].as_bool()), (Some(true), Some(true)), "{d}");
        assert_eq!(component(&d, "to_khai")["reused"], false);
        assert_eq!(reused_kpi(&app).await, before + 1);

        // A free flag is not accepted: `reused` is the system's.
        let (s, _) = citizen.post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": applicant(CCCD),
            "components": [{"key": REUSED, "reused": true}]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

        // At the counter, for the applicant's CCCD: received with the component reused.
        let (s, d) = clerk
            .post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": applicant(CCCD), "components": [
                {"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}, {"key": REUSED, "locker_item_id": item_id}]}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        assert_eq!(d["status"], "received");
        assert_eq!(component(&d, REUSED)["reused"], true);
        assert_eq!(locker_files(&d).len(), 1);
        assert_eq!(reused_kpi(&app).await, before + 2);
        // For another applicant, the counter cannot use congdan's item.
        let dossiers = app.count("dossiers").await;
        let (s, b) = clerk
            .post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": applicant("037092009999"), "components": [
                {"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}, {"key": REUSED, "locker_item_id": item_id}]}))
            .await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("locker_item_not_yours")));
        assert_eq!(app.count("dossiers").await, dossiers);

        // The counter's reception page: the officer looks up the applicant's locker by the id
        // number, picks the item for the component, receives without paper for it.
        let counter = Browser::login(&app, "tiepnhan.hoalu").await;
        let csrf = counter.get(&format!("/can-bo/tiep-nhan?thu_tuc={COMMUNE}")).await.csrf();
        let select = format!(r#"name="locker.{REUSED}""#);
        let page = crate::counter_pages::post_multipart(&counter, "/can-bo/tiep-nhan", &counter_fields(&csrf, "", &[("lookup", "1")]), &[]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
        assert!(page.body.contains("để tra cứu kho dữ liệu") && !page.body.contains(&select), "{}", page.body);
        let page = crate::counter_pages::post_multipart(&counter, "/can-bo/tiep-nhan", &counter_fields(&csrf, "037092009999", &[("lookup", "1")]), &[]).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Kho dữ liệu không có giấy tờ") && !page.body.contains(&select), "{}", page.body);
        let page = crate::counter_pages::post_multipart(&counter, "/can-bo/tiep-nhan", &counter_fields(&csrf, CCCD, &[("lookup", "1")]), &[]).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&select) && page.body.contains(&format!(r#"<option value="{item_id}">"#)), "{}", page.body);
        assert_eq!(app.count("dossiers").await, dossiers, "a look-up files nothing");
        let r = crate::counter_pages::post_multipart(&counter, "/can-bo/tiep-nhan", &counter_fields(&csrf, CCCD, &[(&format!("locker.{REUSED}"), &item_id)]), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(app.count("dossiers").await, dossiers + 1);
        assert_eq!(reused_kpi(&app).await, before + 3);

        // The locker page lists it.
        let page = browser.get("/ca-nhan/kho-du-lieu").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Giấy xác nhận tình trạng hôn nhân") && page.body.contains("Kết quả giải quyết")
            && page.body.contains("Còn hiệu lực") && page.body.contains(&format!("/api/v1/me/locker/{item_id}/file")), "{}", page.body);
        let page = Browser::login(&app, "congdan2").await.get("/ca-nhan/kho-du-lieu").await;
        assert!(page.body.contains("chưa có giấy tờ nào"), "{}", page.body);
        let page = Browser::login(&app, "tiepnhan.hoalu").await.get("/ca-nhan/kho-du-lieu").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
    }

    async fn certified_copies_and_expired_items(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let citizen = app.login("congdan").await;
        let (s, d) = citizen.post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": applicant(CCCD)})).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let (s, d) = citizen
            .raw(Method::PUT, &format!("/api/v1/dossiers/{}/components/{REUSED}/files?name=cu.pdf", d["id"].as_str().unwrap()), "application/pdf", PDF.to_vec())
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let f = d["files"][0].clone();
        let copy = |valid_until: Option<i64>| motcua_app::usecases::locker::CertifiedCopy {
            owner_id_number: CCCD.into(),
            owner_kind: motcua_domain::locker::OwnerKind::Person,
            dossier_id: d["id"].as_str().unwrap().into(),
            component_key: REUSED.into(),
            title: "Giấy xác nhận tình trạng hôn nhân (bản sao có chứng thực)".into(),
            sha256: f["sha256"].as_str().unwrap().into(),
            size: f["size"].as_i64().unwrap(),
            mime: "application/pdf".into(),
            document_id: None,
            issued_at: vn("2026-01-05T10:00:00"),
            valid_until,
        };
        // The digitization's seam: an expired copy (valid until the end of February).
        let now = vn("2026-03-02T09:00:00");
        let expired = copy(Some(vn("2026-02-28T23:59:59")));
        let item = app.ctx.store.write(move |db| motcua_app::usecases::locker::add_certified_copy(db, expired, now)).await.unwrap();
        assert_eq!((item.kind.as_str(), item.doc_type.as_str()), ("certified_copy", "ban-sao:giay_xac_nhan_cu"));
        // Adding it again returns the same item.
        let again = copy(Some(vn("2026-02-28T23:59:59")));
        let same = app.ctx.store.write(move |db| motcua_app::usecases::locker::add_certified_copy(db, again, now)).await.unwrap();
        assert_eq!(same.id, item.id);
        assert_eq!(app.count("locker_items").await, 1);

        let (_, items) = citizen.get("/api/v1/me/locker").await;
        assert_eq!(items[0]["status"], "expired", "{items}");
        let (_, draft) = citizen.post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": applicant(CCCD)})).await;
        let (s, b) = citizen
            .post(&format!("/api/v1/dossiers/{}/components/{REUSED}/locker", draft["id"].as_str().unwrap()), json!({"locker_item_id": item.id}))
            .await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("locker_item_invalid")), "{b}");
        let (s, b) = citizen
            .post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": applicant(CCCD),
                "components": [{"key": REUSED, "locker_item_id": item.id}]}))
            .await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("locker_item_invalid")));
        // A component that does not accept the kind refuses it too.
        let (s, b) = citizen
            .post(&format!("/api/v1/dossiers/{}/components/to_khai/locker", draft["id"].as_str().unwrap()), json!({"locker_item_id": item.id}))
            .await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("locker_item_not_accepted")), "{b}");

        // A valid copy (no end of validity) is offered and used; once revoked, refused.
        let valid = copy(None);
        let valid = app
            .ctx
            .store
            .write(move |db| {
                // Another source dossier, so that it is a second item.
                let v = motcua_app::usecases::locker::CertifiedCopy { dossier_id: "khac".into(), issued_at: vn("2026-02-01T10:00:00"), ..valid };
                motcua_app::usecases::locker::add_certified_copy(db, v, now)
            })
            .await
            .unwrap();
        let path = format!("/api/v1/dossiers/{}/components/{REUSED}/locker", draft["id"].as_str().unwrap());
        let (s, b) = citizen.post(&path, json!({"locker_item_id": valid.id})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let id = valid.id.clone();
        app.ctx.store.write(move |db| motcua_store::repo::locker::revoke(db, &id, now - 1)).await.unwrap();
        let (_, draft3) = citizen.post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": applicant(CCCD)})).await;
        let (s, b) = citizen
            .post(&format!("/api/v1/dossiers/{}/components/{REUSED}/locker", draft3["id"].as_str().unwrap()), json!({"locker_item_id": valid.id}))
            .await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("locker_item_invalid")));
        let (s, b) = citizen
            .post(&format!("/api/v1/dossiers/{}/components/{REUSED}/locker", draft3["id"].as_str().unwrap()), json!({"locker_item_id": "khong-co"}))
            .await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("locker_item_not_found")));
    }
}
