//! A simulator of the national portal's sync and catalog services, on loopback, for tests
//! and demonstrations (`motcua dvcqg-sim`): NOT the real portal. It checks every field of
//! what it receives (`validate`), keeps what it accepted per dossier in arrival order,
//! acknowledges a repeated message without keeping it twice, answers what it holds
//! (`TraCuuHoSo`), serves a small national catalog matching the demo province, and injects
//! faults on demand (5xx, delays past the client's timeout, duplicates, dropped answers).
//!
//! Layout (an assumption, docs/integration.md): `POST /{service}` with the JSON message;
//! answers `{"error_code": "0", "message": …}` or `{"error_code": <machine code>,
//! "message": <Vietnamese>, "field": …}` with 400/409. Control: `GET|POST /_sim/faults`,
//! `POST /_sim/catalog` (`{"remove": code}` / `{"restore": code}` for the dossier services;
//! `{"put": <LayThuTuc payload>}` / `{"withdraw": code}` to change the national catalog),
//! `GET /_sim/stats`.
//! Citizens' online dossiers, filed by `POST /_sim/inbound`, for the province to take in:
//! `sim_inbound.rs`.

use crate::validate::{self, Rejection, bad_transition};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

#[path = "sim_inbound.rs"]
mod inbound;
pub use inbound::MAX_FILINGS;

/// Faults served to the next calls of the two receiving services, in this order of
/// precedence; each counter goes down by one per call it affects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Answer 503 (keeping nothing).
    pub fail_next: u32,
    /// Keep nothing and break the answer off (the client reads a broken body).
    pub drop_next: u32,
    /// Keep the message, then answer only after `delay_ms` (past the client's timeout).
    pub delay_next: u32,
    pub delay_ms: u64,
    /// Keep the message and take it a second time, as a bus redelivering it would.
    pub duplicate_next: u32,
    /// Acknowledge the message but keep nothing: an update the portal lost after saying it
    /// had it, which only the daily reconciliation can find.
    pub lose_next: u32,
}

/// How the simulator wants to be called.
#[derive(Debug, Clone, Default)]
pub struct SimConfig {
    /// The `Authorization` header every service call must carry.
    pub auth_header: Option<String>,
    /// OAuth2 client credentials accepted at `POST /oauth2/token`; the services then want
    /// `Bearer <a token it issued>`.
    pub oauth_client: Option<(String, String)>,
    pub faults: Faults,
    /// Most dossiers held (None: `MAX_DOSSIERS`); past it new dossiers get 507 (a long demo
    /// must not grow the simulator's memory without end).
    pub max_dossiers: Option<usize>,
}

/// Dossiers the simulator holds at most, by default.
pub const MAX_DOSSIERS: usize = 200_000;
/// Messages kept per dossier at most (a dossier's whole life is a few dozen).
pub const MAX_MESSAGES_PER_DOSSIER: usize = 1_000;

fn full(message: String) -> Rejection {
    Rejection { code: "simulator_full", message, field: None, http_status: 507 }
}

/// Counters of what the simulator saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub calls: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Messages already held, acknowledged and not kept again.
    pub duplicates: u64,
    pub faults_served: u64,
}

/// What the simulator holds for one dossier.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Held {
    pub code: String,
    pub status: u8,
    pub procedure_code: String,
    pub agency_name: String,
    /// `DongBoHoSoMC` items, in arrival order, each with its `isUpdating`.
    pub dossier: Vec<(bool, Value)>,
    /// `CapNhatTienDoHoSoMC` items, in arrival order.
    pub progress: Vec<Value>,
    /// Every status kept, in arrival order, with the service that brought it.
    pub statuses: Vec<(String, u8)>,
}

#[derive(Default)]
struct Inner {
    held: BTreeMap<String, Held>,
    removed: BTreeSet<String>,
    faults: Faults,
    stats: Stats,
    tokens: BTreeSet<String>,
    inbound: inbound::Filings,
}

struct Shared {
    cfg: SimConfig,
    catalog: Catalog,
    inner: Mutex<Inner>,
}

/// A running simulator; dropping it stops it.
pub struct Sim {
    pub url: String,
    shared: Arc<Shared>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Sim {
    /// Listens on `addr` (`127.0.0.1:0` for any port) and serves until dropped.
    pub async fn start(addr: &str, cfg: SimConfig) -> std::io::Result<Sim> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let (shared, router) = router(cfg);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Sim { url, shared, _stop: tx })
    }

    pub fn set_faults(&self, f: Faults) {
        self.lock().faults = f;
    }

    pub fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    pub fn stats(&self) -> Stats {
        self.lock().stats.clone()
    }

    /// What it holds for a dossier.
    pub fn held(&self, code: &str) -> Option<Held> {
        self.lock().held.get(code).cloned()
    }

    pub fn dossier_count(&self) -> usize {
        self.lock().held.len()
    }

    /// Files an online dossier as a citizen on the portal (`crate::inbound::OnlineFiling`;
    /// `MaHoSo` drawn when empty; the same id again, before the province took it, corrects
    /// it): its id.
    pub fn file_online(&self, filing: crate::inbound::OnlineFiling) -> Result<String, Rejection> {
        inbound::file(&self.shared, filing)
    }

    /// Whether the province acknowledged the online dossier `id` (None: not filed here).
    pub fn acknowledged(&self, id: &str) -> Option<bool> {
        inbound::acknowledged(&self.shared, id)
    }

    /// Takes a procedure out of the national catalog (its messages are refused) or puts it back.
    pub fn set_procedure_known(&self, code: &str, known: bool) {
        let mut g = self.lock();
        if known {
            g.removed.remove(code);
        } else {
            g.removed.insert(code.to_string());
        }
    }

    /// The national payload of a procedure, as `LayThuTuc` serves it.
    pub fn procedure(&self, code: &str) -> Option<Value> {
        self.shared.catalog.get(code)
    }

    /// Adds or replaces (by `MATTHC`) a procedure of the national catalog, kept as given
    /// (a test may put a malformed one).
    pub fn put_procedure(&self, p: Value) -> Result<(), String> {
        self.shared.catalog.put(p)
    }

    /// Takes a procedure off the national catalog; false when it was not there.
    pub fn withdraw_procedure(&self, code: &str) -> bool {
        self.shared.catalog.withdraw(code)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.shared.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The simulator's routes over fresh state (for `Sim::start` and `motcua dvcqg-sim`).
fn router(cfg: SimConfig) -> (Arc<Shared>, Router) {
    let inner = Inner { faults: cfg.faults.clone(), ..Default::default() };
    let shared = Arc::new(Shared { cfg, catalog: Catalog::demo(), inner: Mutex::new(inner) });
    let r = Router::new()
        .route("/oauth2/token", post(token))
        .route("/_sim/faults", get(get_faults).post(set_faults))
        .route("/_sim/catalog", post(control_catalog))
        .route("/_sim/stats", get(stats))
        .route("/_sim/inbound", post(inbound::control))
        .route("/{service}", post(service))
        .layer(axum::extract::DefaultBodyLimit::max(8 << 20))
        .with_state(shared.clone());
    (shared, r)
}

fn answer(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn ok(data: Option<Value>) -> Response {
    let mut body = json!({"error_code": "0", "message": "Thành công"});
    if let Some(d) = data {
        body["data"] = d;
    }
    answer(StatusCode::OK, body)
}

fn refused(r: &Rejection) -> Response {
    let status = StatusCode::from_u16(r.http_status).unwrap_or(StatusCode::BAD_REQUEST);
    answer(status, json!({"error_code": r.code, "message": r.message, "field": r.field}))
}

fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    let got = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if let Some(want) = &shared.cfg.auth_header
        && got != Some(want.as_str())
    {
        return false;
    }
    if shared.cfg.oauth_client.is_some() {
        let Some(token) = got.and_then(|g| g.strip_prefix("Bearer ")) else { return false };
        let g = shared.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        return g.tokens.contains(token);
    }
    true
}

async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    let Some((id, secret)) = &shared.cfg.oauth_client else {
        return answer(StatusCode::NOT_FOUND, json!({"error": "not_configured"}));
    };
    let basic = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Basic "));
    let want = crate::client::basic(id, secret);
    if basic != Some(want.as_str()) || !body.split('&').any(|p| p == "grant_type=client_credentials") {
        return answer(StatusCode::UNAUTHORIZED, json!({"error": "invalid_client"}));
    }
    let mut g = shared.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let t = format!("sim-{}", g.tokens.len() + 1);
    g.tokens.insert(t.clone());
    answer(StatusCode::OK, json!({"access_token": t, "token_type": "Bearer", "expires_in": 3600}))
}

async fn get_faults(State(shared): State<Arc<Shared>>) -> Response {
    let g = shared.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    answer(StatusCode::OK, json!(g.faults))
}

async fn set_faults(State(shared): State<Arc<Shared>>, body: String) -> Response {
    match serde_json::from_str::<Faults>(&body) {
        Ok(f) => {
            shared.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).faults = f.clone();
            answer(StatusCode::OK, json!(f))
        }
        Err(e) => answer(
            StatusCode::BAD_REQUEST,
            json!({"error_code": "invalid_faults", "message": format!("Cấu hình lỗi giả lập không hợp lệ: {e}")}),
        ),
    }
}

async fn control_catalog(State(shared): State<Arc<Shared>>, body: String) -> Response {
    let v: Value = serde_json::from_str(&body).unwrap_or_default();
    let mut g = shared.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(c) = v["remove"].as_str() {
        g.removed.insert(c.to_string());
    }
    if let Some(c) = v["restore"].as_str() {
        g.removed.remove(c);
    }
    if let Some(c) = v["withdraw"].as_str() {
        shared.catalog.withdraw(c);
    }
    if !v["put"].is_null()
        && let Err(m) = shared.catalog.put(v["put"].clone())
    {
        return answer(StatusCode::BAD_REQUEST, json!({"error_code": "invalid_procedure", "message": m}));
    }
    answer(StatusCode::OK, json!({"removed": g.removed}))
}

async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    let g = shared.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    answer(StatusCode::OK, json!(g.stats))
}

/// What a fault does to this call.
enum Fault {
    None,
    Fail,
    Drop,
    Delay(u64),
    Duplicate,
    Lose,
}

async fn service(
    State(shared): State<Arc<Shared>>,
    axum::extract::Path(service): axum::extract::Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !authorized(&shared, &headers) {
        return answer(
            StatusCode::UNAUTHORIZED,
            json!({"error_code": "unauthorized", "message": "Thiếu hoặc sai thông tin xác thực của trục tích hợp."}),
        );
    }
    let msg: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return answer(
                StatusCode::BAD_REQUEST,
                json!({"error_code": "invalid_json", "message": format!("Nội dung không phải JSON hợp lệ: {e}")}),
            );
        }
    };
    match service.as_str() {
        "DongBoHoSoMC" | "CapNhatTienDoHoSoMC" => {}
        s if inbound::serves(s) => {}
        "TraCuuHoSo" => return lookup(&shared, &msg),
        "LayDanhSachTTHC" | "LayThuTuc" | "LayDanhMucCoQuan" => return shared.catalog.answer(&service, &msg),
        _ => {
            return answer(
                StatusCode::NOT_FOUND,
                json!({"error_code": "unknown_service", "message": format!("Không có dịch vụ {service}.")}),
            );
        }
    }
    let fault = {
        let mut g = shared.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        g.stats.calls += 1;
        let f = &mut g.faults;
        let fault = if f.fail_next > 0 {
            f.fail_next -= 1;
            Fault::Fail
        } else if f.drop_next > 0 {
            f.drop_next -= 1;
            Fault::Drop
        } else if f.delay_next > 0 {
            f.delay_next -= 1;
            Fault::Delay(f.delay_ms)
        } else if f.duplicate_next > 0 {
            f.duplicate_next -= 1;
            Fault::Duplicate
        } else if f.lose_next > 0 {
            f.lose_next -= 1;
            Fault::Lose
        } else {
            Fault::None
        };
        if !matches!(fault, Fault::None) {
            g.stats.faults_served += 1;
        }
        fault
    };
    match fault {
        Fault::Fail => {
            return answer(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"error_code": "unavailable", "message": "Hệ thống tạm thời không phục vụ (giả lập)."}),
            );
        }
        Fault::Drop => {
            let broken = futures_util::stream::once(async { Err::<Bytes, std::io::Error>(std::io::Error::other("dropped")) });
            return (StatusCode::OK, Body::from_stream(broken)).into_response();
        }
        Fault::Lose => return ok(None),
        _ => {}
    }
    if inbound::serves(&service) {
        let res = inbound::serve(&shared, &service, &msg, matches!(fault, Fault::Duplicate));
        if let Fault::Delay(ms) = fault {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        return res;
    }
    let result = receive(&shared, &service, &msg);
    if matches!(fault, Fault::Duplicate) && result.is_ok() {
        let _ = receive(&shared, &service, &msg);
    }
    if let Fault::Delay(ms) = fault {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    match result {
        Ok(()) => ok(None),
        Err(r) => refused(&r),
    }
}

/// Checks and keeps one message (all its items or none).
fn receive(shared: &Shared, service: &str, msg: &Value) -> Result<(), Rejection> {
    let mut g = shared.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let outcome = keep(shared, &mut g, service, msg);
    match &outcome {
        Ok(_) => g.stats.accepted += 1,
        Err(_) => g.stats.rejected += 1,
    }
    outcome.map(|dups| g.stats.duplicates += dups)
}

/// Returns how many items were already held (acknowledged, not kept again).
fn keep(shared: &Shared, g: &mut Inner, service: &str, msg: &Value) -> Result<u64, Rejection> {
    let removed = g.removed.clone();
    let known = |c: &str| shared.catalog.has(c) && !removed.contains(c);
    // Check every item against what is held (and the items before it) before keeping any.
    let mut status: BTreeMap<String, Option<u8>> = BTreeMap::new();
    let mut dups = 0;
    if service == crate::payload::SERVICE_DOSSIER {
        let (updating, items) = validate::dossier_message(msg, &known)?;
        let mut fresh = Vec::new();
        for (i, it) in items.into_iter().enumerate() {
            let held = g.held.get(&it.code);
            if held.is_some_and(|h| h.dossier.iter().any(|(u, x)| *u == updating && *x == it.item)) {
                dups += 1;
                continue;
            }
            let field = format!("data[{i}]");
            let from = *status.entry(it.code.clone()).or_insert_with(|| held.map(|h| h.status));
            match (updating, from) {
                (false, Some(_)) => {
                    return Err(Rejection {
                        code: "already_exists",
                        message: format!("Hồ sơ {} đã có trên Cổng; gửi cập nhật với isUpdating = true.", it.code),
                        field: Some(format!("{field}.MaHoSo")),
                        http_status: 409,
                    });
                }
                (true, None) => {
                    return Err(Rejection {
                        code: "unknown_dossier",
                        message: format!("Hồ sơ {} chưa có trên Cổng; gửi lần đầu với isUpdating = false.", it.code),
                        field: Some(format!("{field}.MaHoSo")),
                        http_status: 409,
                    });
                }
                _ => {}
            }
            if !validate::transition_allowed(from, it.status) {
                return Err(bad_transition(&it.code, format!("{field}.TrangThaiHoSo"), from, it.status));
            }
            status.insert(it.code.clone(), Some(it.status));
            fresh.push(it);
        }
        let max = shared.cfg.max_dossiers.unwrap_or(MAX_DOSSIERS);
        let new: BTreeSet<&str> = fresh.iter().map(|it| it.code.as_str()).filter(|c| !g.held.contains_key(*c)).collect();
        if g.held.len() + new.len() > max {
            return Err(full(format!("Bộ mô phỏng đã giữ đủ {max} hồ sơ; khởi động lại bộ mô phỏng để nhận thêm.")));
        }
        if let Some(h) = fresh.iter().filter_map(|it| g.held.get(&it.code)).find(|h| h.statuses.len() >= MAX_MESSAGES_PER_DOSSIER)
        {
            return Err(full(format!("Hồ sơ {} đã có {MAX_MESSAGES_PER_DOSSIER} thông điệp trên bộ mô phỏng.", h.code)));
        }
        for it in fresh {
            let h = g.held.entry(it.code.clone()).or_insert_with(|| Held { code: it.code.clone(), ..Default::default() });
            h.status = it.status;
            h.procedure_code = it.procedure_code;
            h.agency_name = it.agency_name;
            h.statuses.push((service.into(), it.status));
            h.dossier.push((updating, it.item));
        }
    } else {
        let items = validate::progress_message(msg)?;
        let mut fresh = Vec::new();
        for (i, it) in items.into_iter().enumerate() {
            let Some(held) = g.held.get(&it.code) else {
                return Err(Rejection {
                    code: "unknown_dossier",
                    message: format!("Hồ sơ {} chưa có trên Cổng: đồng bộ hồ sơ (DongBoHoSoMC) trước tiến độ.", it.code),
                    field: Some(format!("data[{i}].MaHoSo")),
                    http_status: 409,
                });
            };
            if held.progress.contains(&it.item) {
                dups += 1;
                continue;
            }
            let from = *status.entry(it.code.clone()).or_insert(Some(held.status));
            if !validate::transition_allowed(from, it.status) {
                return Err(bad_transition(&it.code, format!("data[{i}].TrangThai"), from, it.status));
            }
            status.insert(it.code.clone(), Some(it.status));
            fresh.push(it);
        }
        if let Some(h) = fresh.iter().filter_map(|it| g.held.get(&it.code)).find(|h| h.statuses.len() >= MAX_MESSAGES_PER_DOSSIER)
        {
            return Err(full(format!("Hồ sơ {} đã có {MAX_MESSAGES_PER_DOSSIER} thông điệp trên bộ mô phỏng.", h.code)));
        }
        for it in fresh {
            if let Some(h) = g.held.get_mut(&it.code) {
                h.status = it.status;
                h.statuses.push((service.into(), it.status));
                h.progress.push(it.item);
            }
        }
    }
    Ok(dups)
}

/// `TraCuuHoSo`: `{"MaHoSo": …}` → what is held for it; `{"DonViXuLy": …}` → a page of
/// the dossiers of that unit (`unit_page`).
fn lookup(shared: &Shared, msg: &Value) -> Response {
    let g = shared.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(code) = msg["MaHoSo"].as_str() {
        return match g.held.get(code) {
            Some(h) => ok(Some(json!({
                "MaHoSo": h.code, "TrangThaiHoSo": h.status, "MaTTHC": h.procedure_code, "DonViXuLy": h.agency_name,
                "DongBo": h.dossier.iter().map(|(u, x)| json!({"isUpdating": u, "item": x})).collect::<Vec<_>>(),
                "TienDo": h.progress,
                "LichSuTrangThai": h.statuses.iter().map(|(s, t)| json!({"service": s, "TrangThai": t})).collect::<Vec<_>>(),
            }))),
            None => answer(
                StatusCode::NOT_FOUND,
                json!({"error_code": "unknown_dossier", "message": format!("Không tìm thấy hồ sơ {code}.")}),
            ),
        };
    }
    if let Some(unit) = msg["DonViXuLy"].as_str() {
        return unit_page(&g, unit, msg);
    }
    answer(
        StatusCode::BAD_REQUEST,
        json!({"error_code": "missing_field", "message": "Cần MaHoSo hoặc DonViXuLy để tra cứu.", "field": "MaHoSo"}),
    )
}

/// Most dossiers on one page of a unit's list.
pub const UNIT_PAGE_MAX: usize = 1_000;

/// `TraCuuHoSo` by unit: `{"DonViXuLy", "TuNgay"?, "DenNgay"?, "Trang"? (from 1),
/// "SoBanGhi"? (at most `UNIT_PAGE_MAX`)}` → `{"TongSo", "Trang", "HoSo": [{"MaHoSo",
/// "TrangThaiHoSo", "NgayTiepNhan", "NgayNopHoSo"}]}` in code order. The period (both ends
/// `yyyyMMddHHmmss`, `DenNgay` excluded) is on the reception date, or the filing date of a
/// dossier never received; the same rule the reconciliation applies to its own side.
fn unit_page(g: &Inner, unit: &str, msg: &Value) -> Response {
    // A date that is not `yyyyMMddHHmmss` names its field.
    let date = |k: &'static str| -> Result<Option<String>, &'static str> {
        match msg[k].as_str() {
            None => Ok(None),
            Some(v) if v.len() == 14 && v.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(v.to_string())),
            Some(_) => Err(k),
        }
    };
    let (from, to) = match (date("TuNgay"), date("DenNgay")) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(k), _) | (_, Err(k)) => {
            return answer(
                StatusCode::BAD_REQUEST,
                json!({"error_code": "invalid_datetime", "message": format!("{k} phải có dạng yyyyMMddHHmmss."), "field": k}),
            );
        }
    };
    let page = msg["Trang"].as_u64().unwrap_or(1).max(1) as usize;
    let size = (msg["SoBanGhi"].as_u64().unwrap_or(UNIT_PAGE_MAX as u64) as usize).clamp(1, UNIT_PAGE_MAX);
    let in_period = |h: &&Held| {
        let Some((_, last)) = h.dossier.last() else { return false };
        let day = last["NgayTiepNhan"].as_str().or(last["NgayNopHoSo"].as_str()).unwrap_or("");
        from.as_deref().is_none_or(|f| day >= f) && to.as_deref().is_none_or(|t| day < t)
    };
    let all: Vec<&Held> = g.held.values().filter(|h| h.agency_name == unit).filter(in_period).collect();
    let rows: Vec<Value> = all
        .iter()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .map(|h| {
            let last = h.dossier.last().map(|(_, x)| x);
            json!({"MaHoSo": h.code, "TrangThaiHoSo": h.status,
                   "NgayTiepNhan": last.and_then(|x| x.get("NgayTiepNhan")).cloned().unwrap_or(Value::Null),
                   "NgayNopHoSo": last.and_then(|x| x.get("NgayNopHoSo")).cloned().unwrap_or(Value::Null)})
        })
        .collect();
    ok(Some(json!({"TongSo": all.len(), "Trang": page, "HoSo": rows})))
}

/// The national catalog the simulator serves: the demo province's procedures
/// (`data/catalog/demo.json`, the same file the demo seeds) in the national payload form
/// (`crate::catalog`), and its agencies. Tests change it (`Sim::put_procedure`,
/// `Sim::withdraw_procedure`, or `POST /_sim/catalog`) to make the national side differ.
struct Catalog {
    procedures: Mutex<Vec<Value>>,
}

/// Procedures the simulator's catalog holds at most (a province has about 2,000).
pub const MAX_PROCEDURES: usize = 10_000;

/// The demo province's agencies as the national agency catalog lists them (MADONVI,
/// TENDONVI, CAPDONVI): the province, its departments and centre, the communes.
const AGENCIES: &[(&str, &str, u8)] = &[
    ("000.00.00.H40", "Ủy ban nhân dân tỉnh Ninh Bình", 1),
    ("000.00.01.H40", "Sở Tư pháp tỉnh Ninh Bình", 2),
    ("000.00.02.H40", "Sở Xây dựng tỉnh Ninh Bình", 2),
    ("000.00.03.H40", "Sở Nông nghiệp và Môi trường tỉnh Ninh Bình", 2),
    ("000.00.20.H40", "Trung tâm Phục vụ hành chính công tỉnh Ninh Bình", 2),
    ("000.00.31.H40", "Ủy ban nhân dân phường Hoa Lư", 3),
    ("000.00.32.H40", "Ủy ban nhân dân phường Tam Điệp", 3),
    ("000.00.33.H40", "Ủy ban nhân dân phường Nam Định", 3),
    ("000.00.34.H40", "Ủy ban nhân dân phường Phủ Lý", 3),
    ("000.00.35.H40", "Ủy ban nhân dân xã Gia Viễn", 3),
    ("000.00.36.H40", "Ủy ban nhân dân xã Nho Quan", 3),
    ("000.00.37.H40", "Ủy ban nhân dân xã Kim Sơn", 3),
];

const DEMO_CATALOG: &str = include_str!("../../../data/catalog/demo.json");

impl Catalog {
    fn demo() -> Self {
        let all: Vec<motcua_domain::catalog::ProcedureSpec> = serde_json::from_str(DEMO_CATALOG).unwrap_or_default();
        Self { procedures: Mutex::new(all.iter().map(crate::catalog::national_procedure).collect()) }
    }

    fn list(&self) -> std::sync::MutexGuard<'_, Vec<Value>> {
        self.procedures.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn has(&self, code: &str) -> bool {
        self.list().iter().any(|p| p["MATTHC"] == code)
    }

    fn get(&self, code: &str) -> Option<Value> {
        self.list().iter().find(|p| p["MATTHC"] == code).cloned()
    }

    /// Adds or replaces (by `MATTHC`) a procedure, kept as given, malformed or not.
    fn put(&self, p: Value) -> Result<(), String> {
        let code = p["MATTHC"].as_str().ok_or("Thiếu MATTHC.")?.to_string();
        let mut l = self.list();
        match l.iter().position(|x| x["MATTHC"] == code.as_str()) {
            Some(i) => l[i] = p,
            None if l.len() >= MAX_PROCEDURES => return Err(format!("Danh mục giả lập đã có {MAX_PROCEDURES} thủ tục.")),
            None => l.push(p),
        }
        Ok(())
    }

    /// Takes a procedure off the national catalog (bãi bỏ on the national side).
    fn withdraw(&self, code: &str) -> bool {
        let mut l = self.list();
        let n = l.len();
        l.retain(|p| p["MATTHC"] != code);
        l.len() < n
    }

    fn answer(&self, service: &str, msg: &Value) -> Response {
        match service {
            crate::catalog::SERVICE_LIST => {
                ok(Some(json!(self.list().iter().map(crate::catalog::list_entry).collect::<Vec<_>>())))
            }
            crate::catalog::SERVICE_PROCEDURE => {
                let code = msg["MaTTHC"].as_str().unwrap_or_default();
                match self.get(code) {
                    Some(p) => ok(Some(p)),
                    None => answer(
                        StatusCode::NOT_FOUND,
                        json!({"error_code": "unknown_procedure", "message": format!("Không có thủ tục {code}."), "field": "MaTTHC"}),
                    ),
                }
            }
            _ => ok(Some(json!(
                AGENCIES.iter().map(|(c, n, l)| json!({"MADONVI": c, "TENDONVI": n, "CAPDONVI": l})).collect::<Vec<_>>()
            ))),
        }
    }
}

/// `motcua dvcqg-sim`: serves on `addr` until interrupted.
pub async fn serve(addr: &str, cfg: SimConfig) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(url = %format!("http://{}", listener.local_addr()?), "DVCQG simulator listening (not the real portal)");
    let (_, router) = router(cfg);
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
