//! The simulator's checks of what it receives (the rules are the spec's §b.1–b.4; the real
//! portal's own checks are not public). Pure: a message and what the simulator already
//! holds in, the first broken rule out, with a Vietnamese message and a machine code.

use crate::payload::{SERVICE_DOSSIER, SERVICE_PROGRESS, parse_datetime};
use motcua_domain::dossier::DossierCode;
use serde_json::Value;

/// Why a message was refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rejection {
    /// Machine code (`missing_field`, `invalid_date`, `invalid_code`, `invalid_transition`…).
    pub code: &'static str,
    pub message: String,
    /// The field, as a path in the message (`data[0].NgayTiepNhan`).
    pub field: Option<String>,
    /// 400 for a malformed message, 409 when it contradicts what the portal holds.
    #[serde(skip)]
    pub http_status: u16,
}

fn bad(code: &'static str, field: String, message: String) -> Rejection {
    Rejection { code, message, field: Some(field), http_status: 400 }
}

/// Status codes (§b.1).
pub const STATUS_NAMES: [&str; 10] = [
    "Mới đăng ký",
    "Được tiếp nhận",
    "Không được tiếp nhận",
    "Đang xử lý",
    "Yêu cầu bổ sung giấy tờ",
    "Yêu cầu thực hiện nghĩa vụ tài chính",
    "Công dân yêu cầu rút hồ sơ",
    "Dừng xử lý",
    "Đã xử lý xong",
    "Đã trả kết quả",
];

/// May a dossier in national status `from` (None: not known yet) move to `to`? §b.1's
/// suggested machine (1→2|3; 2→4|5|6|7|8; 4→5|6|7|8|9; 5→4|7|8; 6→4|9|7; 9→10), plus what
/// the provincial system does and that machine leaves out (docs/integration.md): an update
/// that keeps the status; a refusal (form 03) after the counter received the dossier and
/// found it wanting (2→3); back to 2 when a supplement or a payment asked for before
/// processing started is settled (5→2, 6→2); a stop while a payment is awaited (6→8).
/// A dossier starts at 1 (filed on the portal), 2 (received), 3 (refused at reception) or
/// 7 (an online filing withdrawn before the one-stop received it).
pub fn transition_allowed(from: Option<u8>, to: u8) -> bool {
    let Some(from) = from else { return matches!(to, 1..=3 | 7) };
    if from == to {
        return true;
    }
    let next: &[u8] = match from {
        1 => &[2, 3],
        2 => &[3, 4, 5, 6, 7, 8],
        4 => &[5, 6, 7, 8, 9],
        5 => &[2, 4, 7, 8],
        6 => &[2, 4, 7, 8, 9],
        9 => &[10],
        _ => &[],
    };
    next.contains(&to)
}

struct Item<'a> {
    v: &'a Value,
    at: String,
}

impl Item<'_> {
    fn path(&self, k: &str) -> String {
        format!("{}.{k}", self.at)
    }

    fn text(&self, k: &str, required: bool) -> Result<Option<&str>, Rejection> {
        match self.v.get(k) {
            None | Some(Value::Null) if !required => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s)),
            Some(Value::String(_)) if !required => Ok(None),
            None | Some(Value::Null) | Some(Value::String(_)) => {
                Err(bad("missing_field", self.path(k), format!("Thiếu trường bắt buộc {k}.")))
            }
            Some(_) => Err(bad("invalid_type", self.path(k), format!("Trường {k} phải là chuỗi ký tự."))),
        }
    }

    fn int(&self, k: &str, required: bool, allowed: &[i64]) -> Result<Option<i64>, Rejection> {
        let n = match self.v.get(k) {
            None | Some(Value::Null) if !required => return Ok(None),
            None | Some(Value::Null) => return Err(bad("missing_field", self.path(k), format!("Thiếu trường bắt buộc {k}."))),
            Some(Value::Number(n)) => n.as_i64(),
            // The portal's own samples send some codes as strings ("1").
            Some(Value::String(s)) => s.trim().parse().ok(),
            Some(_) => None,
        };
        let Some(n) = n else {
            return Err(bad("invalid_type", self.path(k), format!("Trường {k} phải là số nguyên.")));
        };
        if !allowed.is_empty() && !allowed.contains(&n) {
            let list = allowed.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            return Err(bad(
                "invalid_code",
                self.path(k),
                format!("Giá trị {n} của trường {k} không có trong danh mục ({list})."),
            ));
        }
        Ok(Some(n))
    }

    fn date(&self, k: &str, required: bool) -> Result<Option<i64>, Rejection> {
        let Some(s) = self.text(k, required)? else { return Ok(None) };
        parse_datetime(s).map(Some).ok_or_else(|| {
            bad(
                "invalid_date",
                self.path(k),
                format!("Trường {k} phải có dạng yyyyMMddHHmmss (giờ Việt Nam) và là một thời điểm có thật; nhận được \"{s}\"."),
            )
        })
    }

    fn list(&self, k: &str) -> Result<Vec<Item<'_>>, Rejection> {
        match self.v.get(k) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) if a.len() <= 1000 => {
                Ok(a.iter().enumerate().map(|(i, v)| Item { v, at: format!("{}.{k}[{i}]", self.at) }).collect())
            }
            Some(_) => Err(bad("invalid_type", self.path(k), format!("Trường {k} phải là danh sách (tối đa 1.000 phần tử)."))),
        }
    }
}

fn status_codes() -> Vec<i64> {
    (1..=10).collect()
}

/// A dossier code of §b.3 (`AGENCY-YYMMDD-NNNN`, the agency part opaque); while a filing is
/// not received yet (status 1, 3 or 7) also a filing reference (letters, digits, dots and
/// hyphens, at most 50).
fn check_code(it: &Item<'_>, k: &str, status: Option<i64>) -> Result<String, Rejection> {
    let code = it.text(k, true)?.unwrap_or_default().to_string();
    let reference = code.len() <= 50 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if DossierCode::parse(&code).is_some() || (matches!(status, Some(1 | 3 | 7)) && reference) {
        return Ok(code);
    }
    Err(bad(
        "invalid_dossier_code",
        it.path(k),
        format!("Mã hồ sơ \"{code}\" không đúng cấu trúc MÃCƠQUAN-YYMMDD-XXXX (Thông tư 01/2018/TT-VPCP, Điều 19)."),
    ))
}

fn envelope<'a>(msg: &'a Value, service: &str) -> Result<Vec<Item<'a>>, Rejection> {
    if msg.get("service").and_then(Value::as_str) != Some(service) {
        return Err(bad("invalid_service", "service".into(), format!("Trường service phải là \"{service}\".")));
    }
    match msg.get("data") {
        Some(Value::Array(a)) if !a.is_empty() && a.len() <= 100 => {
            Ok(a.iter().enumerate().map(|(i, v)| Item { v, at: format!("data[{i}]") }).collect())
        }
        _ => Err(bad("invalid_data", "data".into(), "Trường data phải là danh sách từ 1 đến 100 hồ sơ.".into())),
    }
}

/// One dossier of a `DongBoHoSoMC` message, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedDossier {
    pub code: String,
    pub procedure_code: String,
    pub status: u8,
    pub agency_name: String,
    pub item: Value,
}

/// Checks a `DongBoHoSoMC` message field by field; `known_procedure` answers whether the
/// national catalog has a procedure code.
pub fn dossier_message(msg: &Value, known_procedure: &dyn Fn(&str) -> bool) -> Result<(bool, Vec<CheckedDossier>), Rejection> {
    let items = envelope(msg, SERVICE_DOSSIER)?;
    let Some(updating) = msg.get("isUpdating").and_then(Value::as_bool) else {
        return Err(bad("missing_field", "isUpdating".into(), "Thiếu trường bắt buộc isUpdating (true/false).".into()));
    };
    let mut out = Vec::new();
    for it in &items {
        if !it.v.is_object() {
            return Err(bad("invalid_type", it.at.clone(), "Mỗi hồ sơ phải là một đối tượng JSON.".into()));
        }
        let status = it.int("TrangThaiHoSo", true, &status_codes())?;
        let code = check_code(it, "MaHoSo", status)?;
        let procedure = it.text("MaTTHC", true)?.unwrap_or_default().to_string();
        if !known_procedure(&procedure) {
            return Err(bad(
                "unknown_procedure",
                it.path("MaTTHC"),
                format!("Mã thủ tục hành chính \"{procedure}\" không có trong Cơ sở dữ liệu quốc gia về thủ tục hành chính."),
            ));
        }
        it.text("TenTTHC", true)?;
        it.text("TrichYeuHoSo", true)?;
        let agency = it.text("DonViXuLy", true)?.unwrap_or_default().to_string();
        it.int("LoaiDoiTuong", true, &[1, 2])?;
        it.int("KenhThucHien", false, &[1, 2, 3])?;
        it.int("HinhThuc", true, &[0, 1])?;
        it.int("DuocThanhToanTrucTuyen", false, &[0, 1, 2])?;
        it.int("HoSoCoThanhPhanSoHoa", false, &[0, 1])?;
        it.int("TaiKhoanDuocXacThucVoiVNeID", false, &[0, 1])?;
        if let Some(u) = it.text("DonViTinh", false)?
            && !["Giờ", "Ngày", "Ngày làm việc", "Tháng"].contains(&u)
        {
            return Err(bad(
                "invalid_code",
                it.path("DonViTinh"),
                format!("Đơn vị tính \"{u}\" không có trong danh mục (Giờ, Ngày, Ngày làm việc, Tháng)."),
            ));
        }
        it.int("ThoiGianGiaiQuyet", false, &[])?;
        // A withdrawal (7) may come before reception, with no reception time.
        let received = !matches!(status, Some(1 | 3 | 7));
        it.date("NgayNopHoSo", false)?;
        let from = it.date("NgayTiepNhan", received)?;
        let due = it.date("NgayHenTra", received)?;
        if let (Some(from), Some(due)) = (from, due)
            && due < from
        {
            return Err(bad("invalid_date", it.path("NgayHenTra"), "Ngày hẹn trả không được trước ngày tiếp nhận.".into()));
        }
        it.date("NgayKetThucXuLy", matches!(status, Some(9 | 10)))?;
        it.date("NgayTra", status == Some(10))?;
        for f in it.list("TaiLieuNop")? {
            f.text("TepDinhKemId", true)?;
            f.text("TenTepDinhKem", true)?;
            f.int("DuocSoHoa", false, &[0, 1])?;
            f.int("DuocLayTuKhoDMQG", false, &[0, 1])?;
        }
        for s in it.list("DanhSachHoSoBoSung")? {
            s.text("HoSoBoSungId", true)?;
            s.text("NoiDungBoSung", true)?;
            s.date("NgayBoSung", true)?;
            s.date("NgayTiepNhanBoSung", false)?;
        }
        for r in it.list("DanhSachGiayToKetQua")? {
            r.text("TenGiayTo", true)?;
            r.text("GiayToId", true)?;
        }
        for f in it.list("DanhSachLePhi")? {
            f.text("TenPhiLePhi", true)?;
            f.int("Gia", true, &[])?;
        }
        out.push(CheckedDossier {
            code,
            procedure_code: procedure,
            status: u8::try_from(status.unwrap_or(1)).unwrap_or(1),
            agency_name: agency,
            item: it.v.clone(),
        });
    }
    Ok((updating, out))
}

/// One progress item, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedProgress {
    pub code: String,
    pub status: u8,
    pub item: Value,
}

/// Checks a `CapNhatTienDoHoSoMC` message field by field.
pub fn progress_message(msg: &Value) -> Result<Vec<CheckedProgress>, Rejection> {
    let items = envelope(msg, SERVICE_PROGRESS)?;
    let mut out = Vec::new();
    for it in &items {
        if !it.v.is_object() {
            return Err(bad("invalid_type", it.at.clone(), "Mỗi bản ghi tiến độ phải là một đối tượng JSON.".into()));
        }
        let status = it.int("TrangThai", true, &status_codes())?;
        let code = check_code(it, "MaHoSo", status)?;
        it.text("NguoiXuLy", true)?;
        it.text("NoiDungXuLy", true)?;
        it.date("ThoiDiemXuLy", true)?;
        it.date("NgayBatDau", false)?;
        it.date("NgayKetThucTheoQuyDinh", false)?;
        out.push(CheckedProgress { code, status: u8::try_from(status.unwrap_or(1)).unwrap_or(1), item: it.v.clone() });
    }
    Ok(out)
}

/// The rejection of a status change the machine does not allow.
pub fn bad_transition(code: &str, field: String, from: Option<u8>, to: u8) -> Rejection {
    let name = |s: u8| STATUS_NAMES.get(usize::from(s).wrapping_sub(1)).copied().unwrap_or("?");
    let message = match from {
        None => format!(
            "Hồ sơ {code} chưa có trên Cổng: bản ghi đầu tiên phải ở trạng thái 1, 2 hoặc 3, không phải {to} ({}).",
            name(to)
        ),
        Some(f) => format!("Hồ sơ {code} không thể chuyển từ trạng thái {f} ({}) sang {to} ({}).", name(f), name(to)),
    };
    Rejection { code: "invalid_transition", message, field: Some(field), http_status: 409 }
}
