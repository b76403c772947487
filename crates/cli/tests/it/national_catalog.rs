//! Importing the national procedure database (issue #15, catalog part) from the portal
//! simulator on loopback, on both backends: the first import drafts the procedures the
//! province does not have yet, with the national fields; after the national side changes
//! (a fee, a new component, a new procedure, a withdrawn one, a malformed one, an invalid
//! code) the review lists exactly those, keeps a local procedure and a local edit, and
//! publishing applies them; an import with nothing changed finds nothing.

use crate::browser::Browser;
use motcua_domain::catalog::ProcedureSpec;
use motcua_dvcqg::DvcqgConfig;
use motcua_dvcqg::catalog::national_procedure;
use motcua_dvcqg::sim::{Sim, SimConfig};
use motcua_testkit::{Backend, Client, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A fee changes (15,000 → 20,000 đồng); also edited locally (a same-day cut-off).
const FEE: &str = "1.004873";
/// Gets a new component.
const COMPONENT: &str = "2.000635";
/// Withdrawn from the national database.
const WITHDRAWN: &str = "1.004837";
/// Served malformed.
const MALFORMED: &str = "1.004884";
/// Only in the province's catalog.
const LOCAL: &str = "1.999101.H40";

async fn spec_of(c: &Client, code: &str) -> ProcedureSpec {
    let (s, v) = c.get(&format!("/api/v1/procedures/{code}")).await;
    assert_eq!(s, StatusCode::OK, "{code}: {v}");
    serde_json::from_value(v["spec"].clone()).unwrap()
}

fn renamed(mut s: ProcedureSpec, code: &str, name: &str) -> ProcedureSpec {
    s.code = code.into();
    s.name = name.into();
    s
}

async fn import(c: &Client) -> Value {
    let (s, r) = c.post("/api/v1/catalog/national-imports", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    r
}

/// `(code, kind)` of the entries, sorted.
fn entries(r: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = r["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["code"].as_str().unwrap().to_string(), e["kind"].as_str().unwrap().to_string()))
        .collect();
    v.sort();
    v
}

fn entry<'a>(r: &'a Value, code: &str) -> &'a Value {
    r["entries"].as_array().unwrap().iter().find(|e| e["code"] == code).unwrap_or_else(|| panic!("no entry {code}: {r}"))
}

fn fields(e: &Value) -> Vec<&str> {
    e["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect()
}

async fn scenario(backend: Backend) {
    let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
    let url = sim.url.clone();
    let app = TestApp::spawn_with(backend, move |c| {
        c.dvcqg = DvcqgConfig { base_url: url, timeout_secs: 5, ..Default::default() };
    })
    .await;
    let admin = app.login("admin").await;
    let base = spec_of(&admin, FEE).await;

    // Only catalog administrators of the province.
    for who in ["tiepnhan", "admin.hoalu", "giamsat"] {
        let (s, b) = app.login(who).await.post("/api/v1/catalog/national-imports", json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}: {b}");
    }
    let (s, _) = app.client().post("/api/v1/catalog/national-imports", json!({})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = admin.get("/api/v1/catalog/national-imports/latest").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no import yet");

    // A procedure of the province only, published here.
    let local = renamed(base.clone(), LOCAL, "Thủ tục riêng của tỉnh (không có trên CSDL quốc gia)");
    let (s, b) = admin.post("/api/v1/procedures", json!({"spec": local, "effective_from": "2025-01-01"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // First import: the demo province already has the national procedures; one it lacks
    // becomes a draft with the national fields.
    let mut fresh = renamed(spec_of(&admin, COMPONENT).await, "1.999001", "Cấp bản sao trích lục thử nghiệm nhập từ quốc gia");
    fresh.fees[0].amount = 12_000;
    sim.put_procedure(national_procedure(&fresh)).unwrap();
    let r = import(&admin).await;
    assert_eq!(entries(&r), [("1.999001".to_string(), "new".to_string())], "{r}");
    assert_eq!(r["errors"], json!([]), "{r}");
    assert_eq!((r["listed"].as_u64(), r["unchanged"].as_u64(), r["local_only"].as_u64()), (Some(71), Some(70), Some(1)), "{r}");
    let (_, versions) = admin.get("/api/v1/procedures/1.999001/versions").await;
    assert_eq!(versions.as_array().unwrap().len(), 1);
    assert_eq!(versions[0]["status"], "draft", "nothing is published by the import");
    let draft: ProcedureSpec = serde_json::from_value(versions[0]["spec"].clone()).unwrap();
    assert_eq!((draft.name.as_str(), draft.fees[0].amount, &draft.sector), (fresh.name.as_str(), 12_000, &fresh.sector));
    assert_eq!((draft.time_limit, draft.online_level), (fresh.time_limit, fresh.online_level));
    // Components carry what the national database says of them; required, notes and
    // digitization are the province's to add.
    let national = |s: &ProcedureSpec| {
        s.components
            .iter()
            .map(|c| (c.key.clone(), c.name.clone(), c.originals, c.copies, c.template.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(national(&draft), national(&fresh));
    assert_eq!((&draft.methods, &draft.legal_basis, &draft.decision), (&fresh.methods, &fresh.legal_basis, &fresh.decision));
    let (s, _) = admin.get("/api/v1/procedures/1.999001").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a draft is not in force");

    let (s, out) = admin.post("/api/v1/catalog/national-imports/latest/publish", json!({"codes": ["1.999001"]})).await;
    assert_eq!((s, &out["published"]), (StatusCode::OK, &json!(["1.999001"])), "{out}");
    assert_eq!(spec_of(&admin, "1.999001").await.fees[0].amount, 12_000);
    let (_, latest) = admin.get("/api/v1/catalog/national-imports/latest").await;
    assert_eq!(entry(&latest, "1.999001")["done"], true, "{latest}");
    let (s, out) = admin.post("/api/v1/catalog/national-imports/latest/publish", json!({"codes": ["1.999001", "9.9"]})).await;
    let errs: Vec<&str> = out["errors"].as_array().unwrap().iter().map(|e| e["error"].as_str().unwrap()).collect();
    assert_eq!((s, errs), (StatusCode::OK, vec!["already_done", "not_in_import"]), "{out}");

    // A local edit of a field the national database does not own.
    let mut edited = base.clone();
    edited.counting.same_day_cutoff = Some(jiff::civil::time(16, 0, 0, 0));
    let now = motcua_app::calendar::vn_rfc3339(jiff::Timestamp::now());
    let (s, b) = admin.post(&format!("/api/v1/procedures/{FEE}/versions"), json!({"spec": edited, "effective_from": now})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // The national side changes.
    let mut p = sim.procedure(FEE).unwrap();
    for m in p["CACHTHUCTHUCHIEN"].as_array_mut().unwrap() {
        m["THOIGIAN"][0]["PHILEPHI"][0]["SOTIEN"] = json!(20_000);
    }
    sim.put_procedure(p).unwrap();
    let mut p = sim.procedure(COMPONENT).unwrap();
    p["THANHPHANHOSO"][0]["GIAYTO"].as_array_mut().unwrap().push(json!({
        "MAGIAYTO": "GIAY_UY_QUYEN_MOI", "TENGIAYTO": "Giấy ủy quyền có chứng thực", "SOBANCHINH": 1, "SOBANSAO": 0,
        "TENMAUDON": "", "URL": ""}));
    sim.put_procedure(p).unwrap();
    let added = renamed(base.clone(), "1.999002", "Thủ tục mới công bố trên CSDL quốc gia");
    sim.put_procedure(national_procedure(&added)).unwrap();
    assert!(sim.withdraw_procedure(WITHDRAWN));
    let good = sim.procedure(MALFORMED).unwrap();
    let mut bad = good.clone();
    bad["TENTTHC"] = json!("");
    bad["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["DONVITINH"] = json!("Tuần");
    sim.put_procedure(bad).unwrap();
    let mut unknown = good.clone();
    unknown["MATTHC"] = json!("KHONG-CO-MA");
    sim.put_procedure(unknown).unwrap();

    let r = import(&admin).await;
    let want: Vec<(String, String)> = [(FEE, "changed"), (WITHDRAWN, "withdrawn"), ("1.999002", "new"), (COMPONENT, "changed")]
        .iter()
        .map(|(c, k)| (c.to_string(), k.to_string()))
        .collect();
    let mut want = want;
    want.sort();
    assert_eq!(entries(&r), want, "{r}");
    let fee = entry(&r, FEE);
    assert_eq!(fields(fee), [format!("fees.{}", base.fees[0].name)], "{fee}");
    assert_eq!(
        (fee["changes"][0]["before"]["amount"].as_i64(), fee["changes"][0]["after"]["amount"].as_i64()),
        (Some(15_000), Some(20_000))
    );
    let comp = entry(&r, COMPONENT);
    assert_eq!(fields(comp), ["components.giay_uy_quyen_moi"], "{comp}");
    assert_eq!(
        (comp["changes"][0]["before"].is_null(), &comp["changes"][0]["after"]["name"]),
        (true, &json!("Giấy ủy quyền có chứng thực"))
    );
    let errors = r["errors"].as_array().unwrap();
    let mut codes: Vec<(&str, &str)> =
        errors.iter().map(|e| (e["code"].as_str().unwrap(), e["field"].as_str().unwrap())).collect();
    codes.sort();
    assert_eq!(
        codes,
        [(MALFORMED, "CACHTHUCTHUCHIEN[0].THOIGIAN[0].DONVITINH"), (MALFORMED, "TENTTHC"), ("KHONG-CO-MA", "[71].MATTHC")]
            .iter()
            .map(|(a, b)| (*a, *b))
            .collect::<Vec<_>>(),
        "{r}"
    );
    let reasons: Vec<&str> = errors.iter().map(|e| e["message_vi"].as_str().unwrap()).collect();
    assert!(reasons.iter().any(|m| m.contains("Tuần")) && reasons.iter().any(|m| m.contains("KHONG-CO-MA")), "{reasons:?}");
    assert_eq!(r["local_only"], 1, "the local procedure is kept, never withdrawn: {r}");
    // Nothing changed yet in force; the malformed procedure keeps its version.
    assert_eq!(spec_of(&admin, FEE).await.fees[0].amount, 15_000);
    let (_, mv) = admin.get(&format!("/api/v1/procedures/{MALFORMED}/versions")).await;
    assert_eq!(mv.as_array().unwrap().len(), 1, "no draft for a malformed entry");

    // Publish all selected.
    let codes: Vec<&str> = want.iter().map(|(c, _)| c.as_str()).collect();
    let (s, out) = admin.post("/api/v1/catalog/national-imports/latest/publish", json!({"codes": codes})).await;
    assert_eq!(s, StatusCode::OK, "{out}");
    assert_eq!(
        (&out["published"], &out["abolished"], &out["errors"]),
        (&json!([FEE, "1.999002", COMPONENT]), &json!([WITHDRAWN]), &json!([])),
        "{out}"
    );
    let now_fee = spec_of(&admin, FEE).await;
    assert_eq!(now_fee.fees[0].amount, 20_000);
    assert_eq!(now_fee.counting.same_day_cutoff, Some(jiff::civil::time(16, 0, 0, 0)), "the local edit is kept");
    assert!(spec_of(&admin, COMPONENT).await.components.iter().any(|c| c.key == "giay_uy_quyen_moi"));
    assert_eq!(spec_of(&admin, "1.999002").await.name, added.name);
    assert_eq!(admin.get(&format!("/api/v1/procedures/{WITHDRAWN}")).await.0, StatusCode::NOT_FOUND, "abolished");
    assert_eq!(spec_of(&admin, LOCAL).await.name, local.name, "the local procedure is untouched");

    // The portal fixed its entries: nothing left to review.
    sim.put_procedure(good).unwrap();
    assert!(sim.withdraw_procedure("KHONG-CO-MA"));
    let r = import(&admin).await;
    assert_eq!((r["entries"].clone(), r["errors"].clone()), (json!([]), json!([])), "{r}");
    assert_eq!(r["local_only"], 1, "{r}");
}

mod import_review_publish {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        scenario(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        scenario(Backend::Postgres).await;
    }
}

/// The portal down: a clear error, nothing written.
async fn portal_down(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.dvcqg = DvcqgConfig { base_url: "http://127.0.0.1:9".into(), timeout_secs: 1, ..Default::default() };
    })
    .await;
    let before = app.count("procedure_versions").await;
    let (s, b) = app.login("admin").await.post("/api/v1/catalog/national-imports", json!({})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_GATEWAY, Some("national_portal_unavailable")), "{b}");
    assert!(b["message_vi"].as_str().unwrap().contains("chưa có gì thay đổi"), "{b}");
    assert_eq!(app.count("procedure_versions").await, before);
}

mod an_unreachable_portal_changes_nothing {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        portal_down(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        portal_down(Backend::Postgres).await;
    }
}

/// The administration page, driven like a browser without JavaScript: import, review the
/// differences in words (old → new), publish the one ticked.
async fn page_flow(backend: Backend) {
    let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
    let url = sim.url.clone();
    let app = TestApp::spawn_with(backend, move |c| {
        c.dvcqg = DvcqgConfig { base_url: url, timeout_secs: 5, ..Default::default() };
    })
    .await;
    let page = "/quan-tri/thu-tuc/quoc-gia";
    assert_eq!(Browser::login(&app, "tiepnhan").await.get(page).await.status, StatusCode::FORBIDDEN);
    let b = Browser::login(&app, "admin").await;
    let p = b.get(page).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Chưa có lần nhập nào."), "{}", p.body);

    let mut fee = sim.procedure(FEE).unwrap();
    for m in fee["CACHTHUCTHUCHIEN"].as_array_mut().unwrap() {
        m["THOIGIAN"][0]["PHILEPHI"][0]["SOTIEN"] = json!(20_000);
    }
    sim.put_procedure(fee).unwrap();
    let mut bad = sim.procedure(MALFORMED).unwrap();
    bad["TENTTHC"] = json!(null);
    sim.put_procedure(bad).unwrap();

    let done = b.post(&format!("{page}/nhap"), &[("csrf_token", p.csrf())]).await;
    assert_eq!(
        (done.status, done.location()),
        (StatusCode::SEE_OTHER, "/quan-tri/thu-tuc/quoc-gia?ok=imported"),
        "{}",
        done.body
    );
    let p = b.get(done.location()).await;
    assert!(p.body.contains(r#"id="national-done""#) && p.body.contains(r#"id="entry-1.004873""#), "{}", p.body);
    let entry = &p.body[p.body.find(r#"id="entry-1.004873""#).unwrap()..];
    let entry = &entry[..entry.find("</fieldset>").unwrap()];
    assert!(entry.contains("Phí, lệ phí: ") && entry.contains("15.000") && entry.contains("20.000"), "{entry}");
    assert!(!entry.contains("{&#34;") && !entry.contains("{\""), "values in words, not JSON: {entry}");
    assert!(p.body.contains("Thiếu TENTTHC.") && p.body.contains(MALFORMED), "the error list: {}", p.body);

    let p = b.post(&format!("{page}/cong-bo"), &[("csrf_token", p.csrf()), ("code", FEE.into())]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Đã công bố 1 thủ tục, bãi bỏ 0 thủ tục."), "{}", p.body);
    assert!(p.body.contains("đã xử lý"), "{}", p.body);
    let admin = app.login("admin").await;
    assert_eq!(spec_of(&admin, FEE).await.fees[0].amount, 20_000);
    let p = b.post(&format!("{page}/cong-bo"), &[("csrf_token", p.csrf())]).await;
    assert!(p.body.contains("Chưa chọn thủ tục nào để công bố."), "{}", p.body);
}

mod the_page_imports_reviews_and_publishes {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        page_flow(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        page_flow(Backend::Postgres).await;
    }
}
