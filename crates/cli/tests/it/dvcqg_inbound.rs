//! Online dossiers filed on the national portal (issue #15 inbound, REQ-8) against the
//! portal simulator on loopback, on both backends: a dossier filed on the portal is pulled,
//! lands as submitted (national status 1) at its reception point with its applicant, files,
//! VNeID and data-store flags, is processed to the result by officers, and every status
//! arrives back in order on the same portal id with valid fields; a push and a pull of the
//! same dossier make one; a malformed, an unknown-procedure and a bad-file dossier land in
//! the error list with Vietnamese reasons while a good one in the same batch arrives; a
//! failing one is held after the attempts allowed and comes in once fixed and retried.

use crate::browser::Browser;
use crate::dvcqg::{dispatcher, drain, statuses, step, sync_config};
use crate::officer_pages::vn;
use base64::Engine as _;
use motcua_app::dvcqg::{Pull, PullRound};
use motcua_dvcqg::inbound::{OnlineFile, OnlineFiling};
use motcua_dvcqg::sim::{Faults, Sim, SimConfig};
use motcua_testkit::{Backend, TestApp, files};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Thẻ công chứng viên: province level (Sở Tư pháp), four required components.
const PROVINCE: &str = "1.910201.H40";
const CREDENTIAL: &str = "Bearer cong-dvcqg-day-ho-so";
/// The provincial service centre's code (`MADONVI`).
const CENTRE: &str = "000.00.20.H40";

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.dvcqg.enabled = true;
        c.dvcqg.inbound_credential = Some(CREDENTIAL.into());
        c.dvcqg.inbound_max_attempts = 2;
        c.workers.outbox_max_attempts = 4;
        c.workers.outbox_backoff_base_secs = 1;
    })
    .await
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn file(key: &str, name: &str, bytes: &[u8], from_store: u8) -> OnlineFile {
    OnlineFile {
        file_id: format!("F-{key}"),
        name: name.into(),
        component_code: key.into(),
        media_type: Some("application/pdf".into()),
        digitized: 0,
        from_store,
        content: Some(b64(bytes)),
    }
}

/// A complete filing of the province-level procedure, filed at the provincial centre.
fn filing(name: &str) -> OnlineFiling {
    OnlineFiling {
        procedure_code: PROVINCE.into(),
        unit_code: CENTRE.into(),
        applicant_name: name.into(),
        applicant_type: 1,
        id_number: Some("037092001234".into()),
        phone: Some("0912345678".into()),
        email: Some("binh@example.vn".into()),
        address: Some("Phường Hoa Lư, Ninh Bình".into()),
        summary: Some("Cấp thẻ công chứng viên".into()),
        filed_at: Some("20260302083000".into()),
        vneid: 1,
        source_db: Some("CSDLQGDC".into()),
        files: vec![
            file("giay_de_nghi", "giay-de-nghi.pdf", files::PDF, 0),
            file("quyet_dinh_bo_nhiem", "quyet-dinh.pdf", files::PDF, 1),
            file("hop_dong_lao_dong", "hop-dong.pdf", files::PDF, 0),
            file("anh_the", "anh-the.pdf", files::PDF, 0),
        ],
        ..Default::default()
    }
}

fn pull(sim: &Sim) -> Pull {
    Pull::new(&sync_config(sim)).unwrap()
}

async fn dossier_of(app: &TestApp, portal_id: &str) -> Option<String> {
    let id = portal_id.to_string();
    app.ctx
        .store
        .read(move |db| {
            Ok::<_, motcua_store::StoreError>(
                db.query_opt("SELECT dossier_id FROM dvcqg_inbound WHERE portal_id = $1", &[id.into()])?
                    .and_then(|r| r.opt_text(0).ok().flatten()),
            )
        })
        .await
        .unwrap()
}

async fn dossiers_count(app: &TestApp) -> i64 {
    app.ctx.store.read(|db| db.query_one("SELECT COUNT(*) FROM dossiers", &[])?.i64(0)).await.unwrap()
}

async fn push(app: &TestApp, auth: Option<&str>, body: Vec<u8>) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/api/v1/dvcqg/ho-so", app.url))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body);
    if let Some(a) = auth {
        req = req.header(reqwest::header::AUTHORIZATION, a);
    }
    let res = req.send().await.unwrap();
    let s = res.status();
    (s, res.json().await.unwrap_or(Value::Null))
}

async fn filed_pulled_processed(app: TestApp) {
    let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));
    let id = sim.file_online(filing("Trần Thị Bình")).unwrap();
    // The portal lists it twice (a redelivery): taken once.
    sim.set_faults(Faults { duplicate_next: 1, ..Default::default() });
    let r = pull(&sim).run_once(&app.ctx).await.unwrap();
    assert_eq!(r, PullRound { listed: 1, created: 1, ..Default::default() });
    assert_eq!(sim.acknowledged(&id), Some(true), "acknowledged once committed");
    assert_eq!(pull(&sim).run_once(&app.ctx).await.unwrap(), PullRound::default(), "no longer listed");

    // In the provincial centre's hands as submitted, with what the citizen filed.
    let dossier_id = dossier_of(&app, &id).await.expect("a dossier for the portal id");
    let central = app.login("tiepnhan").await;
    let (s, d) = central.get(&format!("/api/v1/dossiers/{dossier_id}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let d = d["dossier"].clone();
    assert_eq!(
        (d["status"].as_str(), d["national_status"].as_i64(), d["channel"].as_str()),
        (Some("submitted"), Some(1), Some("online"))
    );
    assert_eq!(d["applicant"]["name"], "Trần Thị Bình");
    assert_eq!(d["applicant"]["id_number"], "037092001234");
    assert_eq!(d["receiving"]["code"], CENTRE);
    assert_eq!(d["files"].as_array().unwrap().len(), 4, "{d}");
    assert_eq!((d["portal"]["id"].as_str(), d["portal"]["vneid"].as_bool()), (Some(id.as_str()), Some(true)));
    assert_eq!(d["portal"]["from_store"].as_array().unwrap().len(), 1);
    let (s, inbox) = central.get("/api/v1/dossiers?status=submitted").await;
    assert_eq!(s, StatusCode::OK, "{inbox}");
    assert!(inbox.to_string().contains(&dossier_id), "in the centre's list: {inbox}");
    let (s, _) = app.login("tiepnhan.hoalu").await.get(&format!("/api/v1/dossiers/{dossier_id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not another reception point's");

    // Processed to the result by the officers, as any online dossier.
    let d = json!({"id": dossier_id, "version": d["version"]});
    let o = step(&app, &central, &d, "receive", json!({})).await;
    let code = o["code"].as_str().unwrap().to_string();
    let o = step(&app, &central, &o, "forward", json!({})).await;
    let o = step(&app, &app.login("chuyenvien").await, &o, "forward", json!({})).await;
    let leader = app.login("lanhdao").await;
    app.ctx.clock.set(app.ctx.clock.now_ms() + 60_000);
    let (s, o) = crate::dossiers::upload(&leader, &o, "result", "application/pdf", "kq.pdf", files::SIGNED_PDF).await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    let o = step(&app, &leader, &o, "resolve", json!({"name": "Thẻ công chứng viên", "number": "16/2026/TCCV"})).await;
    let o = step(&app, &central, &o, "return", json!({"method": "counter"})).await;
    assert_eq!(o["national_status"], 10);

    // Every status back on the portal, in order, on the portal's id, every message valid.
    let r = drain(&app.ctx, &dispatcher(&sim, "w1")).await;
    assert_eq!(r.dead, 0, "{r:?}");
    assert_eq!(sim.stats().rejected, 0, "{:?}", sim.stats());
    let h = sim.held(&id).unwrap();
    assert_eq!(statuses(&h), [1, 2, 4, 9, 10], "{:?}", h.statuses);
    assert!(!h.dossier[0].0 && h.dossier[1..].iter().all(|(u, _)| *u), "the portal's filing, then updates only");
    assert!(sim.held(&code).is_none(), "never sent as another dossier");
    let last = &h.dossier.last().unwrap().1;
    assert_eq!((last["SoBienNhan"].as_str(), last["KenhThucHien"].as_i64()), (Some(code.as_str()), Some(2)));
    assert_eq!((last["TaiKhoanDuocXacThucVoiVNeID"].as_i64(), last["MaCSDL"].as_str()), (Some(1), Some("CSDLQGDC")));
    let from_store: Vec<i64> =
        last["TaiLieuNop"].as_array().unwrap().iter().map(|f| f["DuocLayTuKhoDMQG"].as_i64().unwrap()).collect();
    assert_eq!(from_store.iter().sum::<i64>(), 1, "{last}");
    assert_eq!(last["DonViXuLy"], "Sở Tư pháp tỉnh Ninh Bình");

    // Pushed again afterwards: the same dossier, nothing new.
    let before = dossiers_count(&app).await;
    let mut again = serde_json::to_value(filing("Trần Thị Bình")).unwrap();
    again["MaHoSo"] = json!(id);
    let (s, b) = push(&app, Some(CREDENTIAL), again.to_string().into_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!((b["error_code"].as_str(), b["data"]["DaNhanTruocDo"].as_bool()), (Some("0"), Some(true)), "{b}");
    assert_eq!(dossiers_count(&app).await, before);
}

async fn bad_input_and_retries(app: TestApp) {
    let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));
    let good = sim.file_online(filing("Trần Thị Bình")).unwrap();
    let mut f = filing("Lê Văn Cường");
    f.applicant_type = 7;
    let malformed = sim.file_online(f).unwrap();
    let mut f = filing("Phạm Thị Dung");
    f.procedure_code = "9.999999.H40".into();
    let unknown = sim.file_online(f).unwrap();
    let mut f = filing("Đỗ Văn Em");
    f.files[0] = file("giay_de_nghi", "giay-de-nghi.pdf", b"day khong phai PDF", 0);
    let bad_file = sim.file_online(f).unwrap();
    let mut f = filing("Vũ Thị Giang");
    f.unit_code = "000.00.99.H40".into();
    let unknown_unit = sim.file_online(f).unwrap();

    let r = pull(&sim).run_once(&app.ctx).await.unwrap();
    assert_eq!(r, PullRound { listed: 5, created: 1, failed: 4, ..Default::default() });
    assert!(dossier_of(&app, &good).await.is_some(), "the good one arrived");
    assert_eq!(sim.acknowledged(&good), Some(true));
    for id in [&malformed, &unknown, &bad_file, &unknown_unit] {
        assert_eq!(sim.acknowledged(id), Some(false), "a refused one stays listed on the portal");
    }
    let admin = app.login("admin").await;
    let (s, list) = admin.get("/api/v1/dvcqg/inbound-errors").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let reason = |id: &str| -> (String, String, String) {
        let e = list.as_array().unwrap().iter().find(|e| e["portal_id"] == id).unwrap_or_else(|| panic!("{id} listed: {list}"));
        (e["reason_code"].as_str().unwrap().into(), e["reason_vi"].as_str().unwrap().into(), e["state"].as_str().unwrap().into())
    };
    let (c, vi, st) = reason(&malformed);
    assert_eq!((c.as_str(), st.as_str()), ("invalid_applicant_kind", "failed"));
    assert!(vi.contains("Loại đối tượng"), "{vi}");
    let (c, vi, _) = reason(&unknown);
    assert_eq!(c, "unknown_procedure");
    assert!(vi.contains("không có trong danh mục thủ tục"), "{vi}");
    let (c, vi, _) = reason(&bad_file);
    assert!(c.starts_with("file_"), "{c}: {vi}");
    assert!(vi.contains("giay-de-nghi"), "names the file: {vi}");
    let (c, vi, _) = reason(&unknown_unit);
    assert_eq!(c, "unknown_unit");
    assert!(vi.contains("Đơn vị tiếp nhận"), "{vi}");
    let kept =
        list.as_array().unwrap().iter().find(|e| e["portal_id"] == bad_file).unwrap()["payload"].as_str().unwrap().to_string();
    assert!(kept.contains("Đỗ Văn Em") && !kept.contains(&b64(files::PDF)), "the raw payload without file contents: {kept}");
    assert_eq!(app.login("tiepnhan").await.get("/api/v1/dvcqg/inbound-errors").await.0, StatusCode::FORBIDDEN);
    // The same list on the administrators' page.
    let p = Browser::login(&app, "admin").await.get("/quan-tri/ho-so-tu-cong-dvcqg").await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.body.matches("class=\"inbound-error\"").count(), 4, "{}", p.body);
    assert!(p.body.contains(&unknown) && p.body.contains("không có trong danh mục thủ tục"), "{}", p.body);
    assert_eq!(Browser::login(&app, "tiepnhan").await.get("/quan-tri/ho-so-tu-cong-dvcqg").await.status, StatusCode::FORBIDDEN);

    // Tried again on the next pull; after the two attempts allowed, held and skipped.
    let r = pull(&sim).run_once(&app.ctx).await.unwrap();
    assert_eq!((r.listed, r.failed, r.created), (4, 4, 0), "{r:?}");
    let r = pull(&sim).run_once(&app.ctx).await.unwrap();
    assert_eq!((r.held, r.failed), (4, 0), "{r:?}");
    let (_, list) = admin.get("/api/v1/dvcqg/inbound-errors").await;
    assert!(list.as_array().unwrap().iter().all(|e| e["state"] == "held" && e["attempts"] == 2), "{list}");

    // Fixed on the portal (the procedure code corrected), retried by the administrator: in.
    let mut f = filing("Phạm Thị Dung");
    f.id = unknown.clone();
    sim.file_online(f).unwrap();
    // With the page's button (the API does the same: `POST …/inbound-errors/{id}/retry`).
    let page_admin = Browser::login(&app, "admin").await;
    let p = page_admin.get("/quan-tri/ho-so-tu-cong-dvcqg").await;
    let action = format!("/quan-tri/ho-so-tu-cong-dvcqg/{unknown}/thu-lai");
    assert!(p.body.contains(&format!("action=\"{action}\"")), "{}", p.body);
    let r = page_admin.post(&action, &[("csrf_token", p.csrf())]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/quan-tri/ho-so-tu-cong-dvcqg"), "{}", r.body);
    let r = pull(&sim).run_once(&app.ctx).await.unwrap();
    assert_eq!((r.created, r.held), (1, 3), "{r:?}");
    assert!(dossier_of(&app, &unknown).await.is_some());
    assert_eq!(sim.acknowledged(&unknown), Some(true));
    let (s, _) = admin.post("/api/v1/dvcqg/inbound-errors/no-such/retry", json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Pushed twice, then pulled: one dossier.
    let before = dossiers_count(&app).await;
    let pushed = sim.file_online(filing("Ngô Thị Hoa")).unwrap();
    let mut body = serde_json::to_value(filing("Ngô Thị Hoa")).unwrap();
    body["MaHoSo"] = json!(pushed);
    let (s, first) = push(&app, Some(CREDENTIAL), body.to_string().into_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!((first["data"]["TrangThaiHoSo"].as_i64(), first["data"]["DaNhanTruocDo"].as_bool()), (Some(1), Some(false)));
    let (s, second) = push(&app, Some(CREDENTIAL), body.to_string().into_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{second}");
    assert_eq!(second["data"]["DaNhanTruocDo"], true);
    let r = pull(&sim).run_once(&app.ctx).await.unwrap();
    assert_eq!((r.existing, r.created), (1, 0), "{r:?}");
    assert_eq!(sim.acknowledged(&pushed), Some(true));
    assert_eq!(dossiers_count(&app).await, before + 1);

    // A push without the credential changes nothing; a broken one is refused and listed.
    let (s, b) = push(&app, None, body.to_string().into_bytes()).await;
    assert_eq!((s, b["error_code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
    let (s, b) = push(&app, Some("Bearer sai"), body.to_string().into_bytes()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    let (s, b) = push(&app, Some(CREDENTIAL), b"{\"MaHoSo\": ".to_vec()).await;
    assert_eq!((s, b["error_code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_json")), "{b}");
    let mut missing = body.clone();
    missing["MaHoSo"] = json!("G22.99-20261207-0999999");
    missing.as_object_mut().unwrap().remove("MaTTHC");
    let (s, b) = push(&app, Some(CREDENTIAL), missing.to_string().into_bytes()).await;
    assert_eq!((s, b["error_code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("malformed")), "{b}");
    assert!(b["message"].as_str().unwrap().starts_with("Hồ sơ không đúng cấu trúc"), "{b}");
    let (_, list) = admin.get("/api/v1/dvcqg/inbound-errors").await;
    assert!(
        list.as_array().unwrap().iter().any(|e| e["portal_id"] == "G22.99-20261207-0999999" && e["source"] == "push"),
        "{list}"
    );
    assert_eq!(dossiers_count(&app).await, before + 1);
}

mod a_dossier_filed_on_the_portal_is_pulled_processed_and_every_status_returns_in_order {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        filed_pulled_processed(spawn(Backend::Sqlite).await).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        filed_pulled_processed(spawn(Backend::Postgres).await).await;
    }
}

mod bad_inbound_dossiers_land_in_the_error_list_and_a_fixed_one_comes_in_on_retry {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        bad_input_and_retries(spawn(Backend::Sqlite).await).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        bad_input_and_retries(spawn(Backend::Postgres).await).await;
    }
}

// An online dossier filed in motcua and withdrawn before the one-stop received it: the
// portal learns its end (status 7) by its filing reference (it used to learn nothing).
motcua_testkit::both_backends! {
    async fn a_withdrawal_before_reception_arrives_as_status_7(app) {
        let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let citizen = app.login("congdan").await;
        let d = crate::officer_pages::online_submitted(&citizen).await;
        let reference = d["filing_reference"].as_str().unwrap().to_string();
        step(&app, &citizen, &d, "withdraw", json!({"reason": "Nộp nhầm thủ tục"})).await;
        let r = drain(&app.ctx, &dispatcher(&sim, "w1")).await;
        assert_eq!((r.delivered, r.dead), (1, 0), "{r:?}");
        assert_eq!(sim.stats().rejected, 0);
        let h = sim.held(&reference).expect("known by its filing reference");
        assert_eq!(statuses(&h), [7]);
        let item = &h.dossier[0].1;
        assert_eq!((item["TrangThaiHoSo"].as_i64(), item["KenhThucHien"].as_i64()), (Some(7), Some(2)));
        assert!(item["GhiChu"].as_str().unwrap().contains("Nộp nhầm thủ tục"), "{item}");
        assert!(h.progress[0]["NoiDungXuLy"].as_str().unwrap().starts_with("Công dân rút hồ sơ"), "{:?}", h.progress);
    }
}
