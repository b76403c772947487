//! The two sync messages of the national portal (spec §b.4, [C] from OpenCPS): the dossier
//! create/update `DongBoHoSoMC` and the progress item `CapNhatTienDoHoSoMC`. English names
//! in Rust, the portal's PascalCase Vietnamese names on the wire; optional fields are left
//! out when empty. Date-times are `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh (`datetime`).

use motcua_domain::calendar::{local_datetime, vn_time_zone};
use serde::{Deserialize, Serialize};

pub const SERVICE_DOSSIER: &str = "DongBoHoSoMC";
pub const SERVICE_PROGRESS: &str = "CapNhatTienDoHoSoMC";

/// `{ "service": "DongBoHoSoMC", "isUpdating": bool, "data": [..] }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierSync {
    pub service: String,
    /// False for the first message of a dossier, true after.
    #[serde(rename = "isUpdating")]
    pub is_updating: bool,
    pub data: Vec<NationalDossier>,
}

/// `{ "service": "CapNhatTienDoHoSoMC", "data": [..] }` (the envelope mirrors the dossier
/// one; an assumption, see docs/integration.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressSync {
    pub service: String,
    pub data: Vec<Progress>,
}

/// One dossier as the portal keeps it (§b.4, with the fields 766 reads).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalDossier {
    #[serde(rename = "MaHoSo")]
    pub code: String,
    #[serde(rename = "MaTTHC")]
    pub procedure_code: String,
    #[serde(rename = "TenTTHC")]
    pub procedure_name: String,
    #[serde(rename = "MaLinhVuc", skip_serializing_if = "Option::is_none")]
    pub sector_code: Option<String>,
    #[serde(rename = "TenLinhVuc", skip_serializing_if = "Option::is_none")]
    pub sector_name: Option<String>,
    #[serde(rename = "SoBienNhan", skip_serializing_if = "Option::is_none")]
    pub receipt_number: Option<String>,
    #[serde(rename = "ChuHoSo", skip_serializing_if = "Option::is_none")]
    pub applicant_name: Option<String>,
    /// 1 person, 2 organisation (OpenCPS coding; §b.2 marks the list as conflicting).
    #[serde(rename = "LoaiDoiTuong")]
    pub applicant_type: u8,
    #[serde(rename = "MaDoiTuong", skip_serializing_if = "Option::is_none")]
    pub applicant_account: Option<String>,
    #[serde(rename = "Email", skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(rename = "SoDienThoai", skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(rename = "TrichYeuHoSo")]
    pub summary: String,
    #[serde(rename = "NgayNopHoSo", skip_serializing_if = "Option::is_none")]
    pub filed_at: Option<String>,
    #[serde(rename = "NgayTiepNhan", skip_serializing_if = "Option::is_none")]
    pub received_at: Option<String>,
    #[serde(rename = "NgayHenTra", skip_serializing_if = "Option::is_none")]
    pub appointment_at: Option<String>,
    #[serde(rename = "TrangThaiHoSo")]
    pub status: u8,
    #[serde(rename = "NgayTra", skip_serializing_if = "Option::is_none")]
    pub returned_at: Option<String>,
    #[serde(rename = "ThongTinTra", skip_serializing_if = "Option::is_none")]
    pub return_info: Option<String>,
    /// 0 at the counter (or online), 1 by post.
    #[serde(rename = "HinhThuc")]
    pub return_method: u8,
    #[serde(rename = "NgayKetThucXuLy", skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    #[serde(rename = "DonViXuLy")]
    pub agency_name: String,
    #[serde(rename = "GhiChu", skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(rename = "TaiLieuNop", skip_serializing_if = "Vec::is_empty", default)]
    pub files: Vec<FiledDocument>,
    #[serde(rename = "DanhSachLePhi", skip_serializing_if = "Vec::is_empty", default)]
    pub fees: Vec<Fee>,
    #[serde(rename = "DanhSachHoSoBoSung", skip_serializing_if = "Vec::is_empty", default)]
    pub supplements: Vec<SupplementRequest>,
    #[serde(rename = "DanhSachGiayToKetQua", skip_serializing_if = "Vec::is_empty", default)]
    pub results: Vec<ResultDocument>,
    /// 1 counter, 2 online, 3 public postal service.
    #[serde(rename = "KenhThucHien")]
    pub channel: u8,
    #[serde(rename = "MaKetQua", skip_serializing_if = "Option::is_none")]
    pub result_number: Option<String>,
    /// 0 not online, 1 national payment platform, 2 local gateway.
    #[serde(rename = "DuocThanhToanTrucTuyen")]
    pub paid_online: u8,
    #[serde(rename = "HoSoCoThanhPhanSoHoa")]
    pub digitized: u8,
    #[serde(rename = "TaiKhoanDuocXacThucVoiVNeID")]
    pub vneid_authenticated: u8,
    /// The national database data were taken from (§b.2), for a dossier filed on the portal.
    #[serde(rename = "MaCSDL", skip_serializing_if = "Option::is_none", default)]
    pub source_db: Option<String>,
    #[serde(rename = "ThoiGianGiaiQuyet")]
    pub time_limit: u32,
    /// Giờ, Ngày, Ngày làm việc, Tháng.
    #[serde(rename = "DonViTinh")]
    pub time_unit: String,
}

/// `TaiLieuNop[]`: a filed component's file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledDocument {
    #[serde(rename = "TepDinhKemId")]
    pub file_id: String,
    #[serde(rename = "TenTepDinhKem")]
    pub name: String,
    #[serde(rename = "IsDeleted")]
    pub deleted: bool,
    #[serde(rename = "MaThanhPhanHoSo")]
    pub component_code: String,
    #[serde(rename = "DuongDanTaiTepTin", skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(rename = "DuocSoHoa")]
    pub digitized: u8,
    #[serde(rename = "DuocLayTuKhoDMQG")]
    pub from_locker: u8,
}

/// `DanhSachLePhi[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    #[serde(rename = "TenPhiLePhi")]
    pub name: String,
    #[serde(rename = "Gia")]
    pub amount: i64,
}

/// `DanhSachHoSoBoSung[]`: one supplement request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplementRequest {
    #[serde(rename = "HoSoBoSungId")]
    pub id: String,
    #[serde(rename = "NguoiYeuCauBoSung")]
    pub requested_by: String,
    #[serde(rename = "NoiDungBoSung")]
    pub content: String,
    #[serde(rename = "NgayBoSung")]
    pub requested_at: String,
    #[serde(rename = "NgayTiepNhanBoSung", skip_serializing_if = "Option::is_none")]
    pub supplied_at: Option<String>,
    /// 0 awaited, 1 supplied (an assumption: the code list is not public).
    #[serde(rename = "TrangThaiBoSung")]
    pub supplied: u8,
    #[serde(rename = "DanhSachGiayToBoSung", skip_serializing_if = "Vec::is_empty", default)]
    pub documents: Vec<String>,
}

/// `DanhSachGiayToKetQua[]`: the issued result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultDocument {
    #[serde(rename = "TenGiayTo")]
    pub name: String,
    #[serde(rename = "MaThanhPhanHoSo")]
    pub component_code: String,
    #[serde(rename = "GiayToId")]
    pub id: String,
    #[serde(rename = "DuongDanTepTinKetQua", skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One `CapNhatTienDoHoSoMC` item: what happened to a dossier, when, by whom.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    #[serde(rename = "MaHoSo")]
    pub code: String,
    #[serde(rename = "NguoiXuLy")]
    pub actor: String,
    #[serde(rename = "ChucDanh", skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(rename = "ThoiDiemXuLy")]
    pub at: String,
    #[serde(rename = "PhongBanXuLy", skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(rename = "NoiDungXuLy")]
    pub content: String,
    #[serde(rename = "TrangThai")]
    pub status: u8,
    #[serde(rename = "NgayBatDau", skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(rename = "NgayKetThucTheoQuyDinh", skip_serializing_if = "Option::is_none")]
    pub due_at: Option<String>,
}

/// `yyyyMMddHHmmss` of an instant (epoch ms) in Asia/Ho_Chi_Minh.
pub fn datetime(ms: i64) -> String {
    let t = jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    local_datetime(t).strftime("%Y%m%d%H%M%S").to_string()
}

/// The instant (epoch ms) of a `yyyyMMddHHmmss` text in Asia/Ho_Chi_Minh; none unless it
/// has exactly 14 digits and names a real date and time.
pub fn parse_datetime(s: &str) -> Option<i64> {
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<i16>().ok();
    let (y, mo, d, h, mi, se) = (n(0..4)?, n(4..6)?, n(6..8)?, n(8..10)?, n(10..12)?, n(12..14)?);
    let date = jiff::civil::Date::new(y, i8::try_from(mo).ok()?, i8::try_from(d).ok()?).ok()?;
    let time = jiff::civil::Time::new(i8::try_from(h).ok()?, i8::try_from(mi).ok()?, i8::try_from(se).ok()?, 0).ok()?;
    let zoned = date.to_datetime(time).to_zoned(vn_time_zone()).ok()?;
    Some(zoned.timestamp().as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_are_local_to_vietnam_and_round_trip() {
        // 17:00:05 UTC on 31 Dec 2026 is 00:00:05 on 1 Jan 2027 in Vietnam.
        let ms = jiff::Timestamp::from_second(1_798_736_405).unwrap().as_millisecond();
        assert_eq!(jiff::Timestamp::from_millisecond(ms).unwrap().to_string(), "2026-12-31T17:00:05Z");
        assert_eq!(datetime(ms), "20270101000005");
        assert_eq!(parse_datetime("20270101000005"), Some(ms));
        for bad in ["2027010100000", "20270230120000", "20271301120000", "20270101250000", "2027-01-01T00", "2027010100000x"] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn wire_names_are_the_portals() {
        let d = NationalDossier { code: "X-260302-0001".into(), ..Default::default() };
        let v = serde_json::to_value(DossierSync { service: SERVICE_DOSSIER.into(), is_updating: false, data: vec![d] }).unwrap();
        assert_eq!(v["isUpdating"], false);
        let item = &v["data"][0];
        for k in ["MaHoSo", "MaTTHC", "TenTTHC", "LoaiDoiTuong", "TrangThaiHoSo", "KenhThucHien", "DonViXuLy", "HinhThuc"] {
            assert!(item.get(k).is_some(), "{k} in {item}");
        }
        assert!(item.get("TaiLieuNop").is_none(), "empty lists are left out");
        assert!(item.get("NgayTiepNhan").is_none(), "absent dates are left out");
    }
}
