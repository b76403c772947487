//! Filing and returning by the public postal service (QĐ 45/2016/QĐ-TTg): the applicant's
//! choice and address, and the shipments of the result.
//!
//! One way to return a result by post: the counter hands it to the post (`posted`, with the
//! tracking number and the fee), and the delivery (`post_delivered`, by the officer or the
//! carrier's signed report) is the return: the dossier becomes `returned` then, with
//! `ReturnMethod::Postal` and the shipment's tracking number. The result counts as handed
//! back when the applicant has it, not when it left the counter: a shipment that comes back
//! undelivered (`post_undelivered`) leaves the result at the counter, to be posted again or
//! handed over there. So `Return { method: Postal }` is refused: it would close the dossier
//! on a tracking number nobody can follow.

use crate::error::{Errors, FieldError, ValidationError};
use serde::{Deserialize, Serialize};

/// An administrative unit at commune level (xã, phường, đặc khu) of the province: its code
/// and name, as the agency tree holds them (the commune's People's Committee).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUnit {
    pub code: String,
    pub name: String,
}

/// The province the system serves and its communes and wards: what an address is checked
/// against (the app reads them from the agency tree).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Province {
    pub code: String,
    pub name: String,
    pub communes: Vec<AdminUnit>,
}

/// A structured Vietnamese postal address (two-level administration since 1 July 2025:
/// province, commune or ward, then street and house number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    pub recipient: String,
    pub phone: String,
    pub province_code: String,
    pub province: String,
    pub commune_code: String,
    pub commune: String,
    /// House number, street, hamlet (thôn, xóm, tổ dân phố).
    pub street: String,
}

impl PostalAddress {
    /// One line, as on the label: street, commune, province.
    pub fn line(&self) -> String {
        format!("{}, {}, {}", self.street, self.commune, self.province)
    }
}

/// What the applicant sends and receives by post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalChoice {
    /// The paper dossier is collected and carried to the one-stop by the post.
    pub dossier_by_post: bool,
    /// The result is delivered by the post to `address`.
    pub result_by_post: bool,
    pub address: PostalAddress,
    pub at: i64,
    pub by: String,
}

/// Where a shipment of the result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentStatus {
    InTransit,
    Delivered,
    Undelivered,
}

impl ShipmentStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::InTransit => "in_transit",
            Self::Delivered => "delivered",
            Self::Undelivered => "undelivered",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::InTransit => "Đang chuyển phát",
            Self::Delivered => "Đã phát thành công",
            Self::Undelivered => "Phát không thành công, kết quả đã về bộ phận một cửa",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::InTransit => "In transit",
            Self::Delivered => "Delivered",
            Self::Undelivered => "Returned undelivered; the result is back at the counter",
        }
    }
}

/// One hand-over of the result to the post, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    pub tracking_number: String,
    pub carrier: String,
    /// The postal fee in đồng (paid by the applicant under QĐ 45/2016).
    pub fee: i64,
    pub posted_at: i64,
    pub posted_by: String,
    pub status: ShipmentStatus,
    /// Why it came back undelivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<i64>,
}

/// The carrier name where none is given: the public postal service (VNPost).
pub const DEFAULT_CARRIER: &str = "vnpost";

/// A postal fee above this is a typo (đồng).
pub const MAX_POSTAL_FEE: i64 = 10_000_000;

fn required(errs: &mut Errors, field: &str, v: &str, max: usize) -> String {
    let v = crate::text::clean(v);
    let n = v.chars().count();
    if n == 0 {
        errs.push(FieldError::new(field, "required", "Trường này là bắt buộc.", "This field is required."));
    } else if n > max {
        errs.push(FieldError::new(field, "too_long", format!("Tối đa {max} ký tự."), format!("At most {max} characters.")));
    }
    v
}

/// The address as given, checked against the province: every part present, a Vietnamese
/// phone number, and a commune or ward of the province (its code; the name is the tree's).
pub fn check_address(a: &PostalAddress, province: &Province) -> Result<PostalAddress, ValidationError> {
    let mut errs = Errors::new();
    let recipient = required(&mut errs, "address.recipient", &a.recipient, 200);
    let street = required(&mut errs, "address.street", &a.street, 300);
    let phone = errs.take(crate::user::parse_phone("address.phone", &a.phone)).unwrap_or_default();
    let code = a.province_code.trim();
    if !code.is_empty() && code != province.code {
        errs.push(FieldError::new(
            "address.province_code",
            "outside_province",
            format!("Chỉ nhận và trả hồ sơ qua bưu chính trong phạm vi {}.", province.name),
            format!("Postal filing and return are served within {} only.", province.name),
        ));
    }
    let commune = province.communes.iter().find(|c| c.code == a.commune_code.trim());
    if commune.is_none() {
        errs.push(FieldError::new(
            "address.commune_code",
            "commune_not_in_province",
            format!("Xã, phường đã chọn không thuộc {}; hãy chọn trong danh sách.", province.name),
            format!("The commune or ward chosen is not in {}; choose one from the list.", province.name),
        ));
    }
    errs.finish()?;
    let commune = commune.cloned().unwrap_or(AdminUnit { code: String::new(), name: String::new() });
    Ok(PostalAddress {
        recipient,
        phone,
        province_code: province.code.clone(),
        province: province.name.clone(),
        commune_code: commune.code,
        commune: commune.name,
        street,
    })
}

/// A tracking number: 8 to 40 letters and digits (UPU S10 such as `EL123456789VN`, or a
/// carrier's own), upper-cased; Code 128 on the label carries it as is.
pub fn check_tracking_number(s: &str) -> Result<String, ValidationError> {
    let t = s.trim().to_ascii_uppercase();
    if (8..=40).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(t)
    } else {
        Err(ValidationError::single(
            "tracking_number",
            "invalid_tracking_number",
            "Số hiệu bưu gửi gồm 8 đến 40 chữ cái hoặc chữ số (ví dụ EL123456789VN).",
            "The tracking number has 8 to 40 letters or digits (e.g. EL123456789VN).",
        ))
    }
}

/// A carrier name: short lower-case letters, digits, `-` or `_`.
pub fn check_carrier(s: &str) -> Result<String, ValidationError> {
    let c = s.trim().to_ascii_lowercase();
    if (1..=40).contains(&c.len()) && c.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        Ok(c)
    } else {
        Err(ValidationError::single("carrier", "invalid_carrier", "Tên đơn vị bưu chính không hợp lệ.", "Invalid carrier name."))
    }
}
