//! The simulator's citizens' online dossiers (a part of `sim`): `POST /_sim/inbound` (or
//! `Sim::file_online`) files one as a citizen would on the portal; the province lists the new
//! ones (`LayDanhSachHoSoMoi`), fetches one with its files (`LayHoSo`) and acknowledges it
//! (`XacNhanDaNhanHoSo`), after which it is no longer listed. The portal keeps the dossier
//! at status 1 (`Held`) so the province's later updates by the same id are checked as usual.
//! A filing not yet acknowledged may be filed again under its id (a correction). Bounded:
//! at most `MAX_FILINGS` filings; an acknowledged one drops its files.

use super::{Held, Shared, answer, full, ok, refused};
use crate::inbound::{LIST_MAX, OnlineFiling, SERVICE_ACK, SERVICE_GET, SERVICE_LIST};
use crate::validate::Rejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Filings the simulator keeps at most.
pub const MAX_FILINGS: usize = 10_000;

/// The services of this part.
pub(super) fn serves(service: &str) -> bool {
    matches!(service, SERVICE_LIST | SERVICE_GET | SERVICE_ACK)
}

#[derive(Default)]
pub(super) struct Filings {
    by_id: BTreeMap<String, Filing>,
    /// Filing order (ids), for the list.
    order: Vec<String>,
    next: u64,
}

struct Filing {
    filing: OnlineFiling,
    acknowledged: bool,
}

fn bad(code: &'static str, field: &str, message: String) -> Rejection {
    Rejection { code, message, field: Some(field.into()), http_status: 400 }
}

/// Files one dossier as a citizen on the portal: its id (`MaHoSo`, drawn when absent).
pub(super) fn file(shared: &Shared, mut f: OnlineFiling) -> Result<String, Rejection> {
    let mut g = shared.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if f.procedure_code.trim().is_empty() {
        return Err(bad("missing_field", "MaTTHC", "Thiếu mã thủ tục hành chính (MaTTHC).".into()));
    }
    if f.id.trim().is_empty() {
        g.inbound.next += 1;
        let day = jiff::Zoned::now().with_time_zone(motcua_domain::calendar::vn_time_zone()).date();
        f.id = format!("G22.99-{}-{:07}", day.strftime("%Y%m%d"), g.inbound.next);
    }
    if motcua_domain::dossier::DossierCode::parse(&f.id).is_none() {
        return Err(bad("invalid_dossier_code", "MaHoSo", format!("Mã hồ sơ \"{}\" không đúng cấu trúc.", f.id)));
    }
    let id = f.id.clone();
    match g.inbound.by_id.get(&id) {
        Some(x) if x.acknowledged => {
            return Err(Rejection {
                code: "already_received",
                message: format!("Hồ sơ {id} đã được địa phương tiếp nhận; không sửa được nữa."),
                field: Some("MaHoSo".into()),
                http_status: 409,
            });
        }
        Some(_) => {}
        None => {
            if g.inbound.by_id.len() >= MAX_FILINGS {
                return Err(full(format!("Bộ mô phỏng đã giữ đủ {MAX_FILINGS} hồ sơ nộp trực tuyến.")));
            }
            // Held like any dossier: the same bound.
            let max = shared.cfg.max_dossiers.unwrap_or(super::MAX_DOSSIERS);
            if !g.held.contains_key(&id) && g.held.len() >= max {
                return Err(full(format!("Bộ mô phỏng đã giữ đủ {max} hồ sơ; khởi động lại bộ mô phỏng để nhận thêm.")));
            }
            g.inbound.order.push(id.clone());
        }
    }
    let unit = super::AGENCIES.iter().find(|(c, _, _)| *c == f.unit_code).map_or(f.unit_code.clone(), |(_, n, _)| n.to_string());
    let mut summary = serde_json::to_value(&f).unwrap_or_default();
    if let Some(files) = summary["TaiLieuNop"].as_array_mut() {
        files.iter_mut().for_each(|x| {
            x["NoiDung"].take();
        });
    }
    let h = g.held.entry(id.clone()).or_insert_with(|| Held { code: id.clone(), ..Default::default() });
    h.status = 1;
    h.procedure_code = f.procedure_code.clone();
    h.agency_name = unit;
    if h.statuses.is_empty() {
        h.statuses.push(("NopHoSoTrucTuyen".into(), 1));
        h.dossier.push((false, summary));
    } else if let Some(first) = h.dossier.first_mut() {
        first.1 = summary;
    }
    g.inbound.by_id.insert(id.clone(), Filing { filing: f, acknowledged: false });
    Ok(id)
}

/// `POST /_sim/inbound`: the body is an `OnlineFiling`; answers its id.
pub(super) async fn control(State(shared): State<Arc<Shared>>, body: String) -> Response {
    let f: OnlineFiling = match serde_json::from_str(&body) {
        Ok(f) => f,
        Err(e) => return refused(&bad("invalid_json", "data", format!("Hồ sơ không hợp lệ: {e}"))),
    };
    match file(&shared, f) {
        Ok(id) => ok(Some(json!({"MaHoSo": id}))),
        Err(r) => refused(&r),
    }
}

/// Whether the province acknowledged the filing `id` (None: unknown).
pub(super) fn acknowledged(shared: &Shared, id: &str) -> Option<bool> {
    let g = shared.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    g.inbound.by_id.get(id).map(|f| f.acknowledged)
}

/// One of the three services; `duplicate`: the list names each dossier twice (a bus
/// delivering the same dossier again).
pub(super) fn serve(shared: &Shared, service: &str, msg: &Value, duplicate: bool) -> Response {
    let mut g = shared.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    g.stats.accepted += 1;
    let id = msg["MaHoSo"].as_str().unwrap_or_default().to_string();
    match service {
        SERVICE_LIST => {
            let n = msg["SoLuong"].as_u64().map_or(LIST_MAX, |n| (n as usize).clamp(1, LIST_MAX));
            let f = &g.inbound;
            let mut list = Vec::new();
            for x in f.order.iter().filter_map(|id| f.by_id.get(id)).filter(|x| !x.acknowledged).take(n) {
                let item = json!({"MaHoSo": x.filing.id, "MaTTHC": x.filing.procedure_code, "NgayNopHoSo": x.filing.filed_at});
                if duplicate {
                    list.push(item.clone());
                }
                list.push(item);
            }
            ok(Some(json!(list)))
        }
        SERVICE_GET => match g.inbound.by_id.get(&id) {
            Some(x) if !x.acknowledged => ok(Some(serde_json::to_value(&x.filing).unwrap_or_default())),
            Some(_) => answer(
                StatusCode::CONFLICT,
                json!({"error_code": "already_received", "message": format!("Hồ sơ {id} đã được xác nhận tiếp nhận."), "field": "MaHoSo"}),
            ),
            None => answer(
                StatusCode::NOT_FOUND,
                json!({"error_code": "unknown_dossier", "message": format!("Không tìm thấy hồ sơ {id}."), "field": "MaHoSo"}),
            ),
        },
        _ => match g.inbound.by_id.get_mut(&id) {
            Some(x) => {
                // Acknowledged again: the same answer (the province may not have seen the first).
                x.acknowledged = true;
                x.filing.files.iter_mut().for_each(|f| f.content = None);
                ok(None)
            }
            None => answer(
                StatusCode::NOT_FOUND,
                json!({"error_code": "unknown_dossier", "message": format!("Không tìm thấy hồ sơ {id}."), "field": "MaHoSo"}),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use crate::inbound::{OnlineFiling, SERVICE_ACK, SERVICE_GET, SERVICE_LIST};
    use crate::sim::{Faults, Sim, SimConfig};
    use crate::{Client, DvcqgConfig, SendError};
    use serde_json::json;

    fn filing() -> OnlineFiling {
        OnlineFiling { procedure_code: "1.004873".into(), applicant_name: "Nguyễn Văn An".into(), ..Default::default() }
    }

    #[tokio::test]
    async fn listed_until_acknowledged_duplicated_on_demand_and_bounded() {
        let sim = Sim::start("127.0.0.1:0", SimConfig { max_dossiers: Some(2), ..Default::default() }).await.unwrap();
        let c = Client::new(DvcqgConfig { enabled: true, base_url: sim.url.clone(), ..Default::default() }).unwrap();
        let a = sim.file_online(filing()).unwrap();
        let b = sim.file_online(filing()).unwrap();
        assert_ne!(a, b);
        assert_eq!(sim.held(&a).unwrap().status, 1, "the portal holds it at status 1");
        let e = sim.file_online(filing()).unwrap_err();
        assert_eq!((e.code, e.http_status), ("simulator_full", 507), "bounded like every dossier");
        sim.set_faults(Faults { duplicate_next: 1, ..Default::default() });
        let list = c.call(SERVICE_LIST, &json!({})).await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 4, "each listed twice: {list}");
        let got = c.call(SERVICE_GET, &json!({"MaHoSo": a})).await.unwrap();
        assert_eq!(got["MaTTHC"], "1.004873");
        c.call(SERVICE_ACK, &json!({"MaHoSo": a})).await.unwrap();
        c.call(SERVICE_ACK, &json!({"MaHoSo": a})).await.unwrap();
        assert_eq!(sim.acknowledged(&a), Some(true));
        let list = c.call(SERVICE_LIST, &json!({})).await.unwrap();
        assert_eq!(list, json!([{"MaHoSo": b, "MaTTHC": "1.004873", "NgayNopHoSo": null}]));
        assert!(matches!(c.call(SERVICE_GET, &json!({"MaHoSo": a})).await, Err(SendError::Rejected { status: 409, .. })));
        let mut again = filing();
        again.id = a.clone();
        assert_eq!(sim.file_online(again).unwrap_err().code, "already_received", "no correction once taken");
    }
}
