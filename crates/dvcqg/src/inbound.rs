//! Online dossiers filed by citizens on the national portal, as the province takes them in
//! (REQ-8, issue #15 inbound): the portal lists the province's new dossiers
//! (`LayDanhSachHoSoMoi`), hands one over with its files (`LayHoSo`) and learns that the
//! province holds it (`XacNhanDaNhanHoSo`); or it pushes one to motcua
//! (`POST /api/v1/dvcqg/ho-so`). The service names, the envelope and the field names beyond
//! §b.4's are assumptions (docs/integration.md), written in §b.4's style.

use serde::{Deserialize, Serialize};

/// The portal's list of new (not yet acknowledged) online dossiers of the province.
pub const SERVICE_LIST: &str = "LayDanhSachHoSoMoi";
/// One online dossier with its files (base64).
pub const SERVICE_GET: &str = "LayHoSo";
/// The province holds the dossier: the portal stops listing it.
pub const SERVICE_ACK: &str = "XacNhanDaNhanHoSo";
/// Most dossiers one list answer names.
pub const LIST_MAX: usize = 100;

/// One online dossier as the portal hands it over (`data` of `LayHoSo`, the body of a push).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineFiling {
    /// The portal's id of the dossier; the province's copy is unique by it.
    #[serde(rename = "MaHoSo")]
    pub id: String,
    #[serde(rename = "MaTTHC")]
    pub procedure_code: String,
    /// The reception point the citizen chose (`MADONVI` of `LayDanhMucCoQuan`): any in the
    /// province (REQ-7).
    #[serde(rename = "MaDonViTiepNhan")]
    pub unit_code: String,
    #[serde(rename = "ChuHoSo")]
    pub applicant_name: String,
    /// 1 person, 2 organisation (the OpenCPS coding the outbound sync uses).
    #[serde(rename = "LoaiDoiTuong", default = "one")]
    pub applicant_type: u8,
    /// CCCD of a person; tax or enterprise code of an organisation.
    #[serde(rename = "SoGiayTo", default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(rename = "SoDienThoai", default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(rename = "Email", default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(rename = "DiaChi", default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(rename = "TrichYeuHoSo", default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// `yyyyMMddHHmmss`, Asia/Ho_Chi_Minh.
    #[serde(rename = "NgayNopHoSo", default, skip_serializing_if = "Option::is_none")]
    pub filed_at: Option<String>,
    /// 1 = the citizen signed in with VNeID.
    #[serde(rename = "TaiKhoanDuocXacThucVoiVNeID", default)]
    pub vneid: u8,
    /// The national database data were taken from.
    #[serde(rename = "MaCSDL", default, skip_serializing_if = "Option::is_none")]
    pub source_db: Option<String>,
    #[serde(rename = "TaiLieuNop", default)]
    pub files: Vec<OnlineFile>,
}

fn one() -> u8 {
    1
}

/// `TaiLieuNop[]` of an online filing: a component's file with its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineFile {
    #[serde(rename = "TepDinhKemId")]
    pub file_id: String,
    #[serde(rename = "TenTepDinhKem")]
    pub name: String,
    #[serde(rename = "MaThanhPhanHoSo")]
    pub component_code: String,
    /// The declared media type.
    #[serde(rename = "LoaiTep", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(rename = "DuocSoHoa", default)]
    pub digitized: u8,
    #[serde(rename = "DuocLayTuKhoDMQG", default)]
    pub from_store: u8,
    /// The bytes, base64 (standard alphabet).
    #[serde(rename = "NoiDung", default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}
