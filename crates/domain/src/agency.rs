//! Agencies: an effective-dated tree of any depth (province, departments, service centres,
//! counters, communes and their centres). Renames and mergers keep the original unit, so
//! history (dossiers, statistics) still points at the agency that acted.

use crate::error::{Errors, FieldError, ValidationError};
use crate::text::clean;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// UBND tỉnh.
    Province,
    /// Sở, ban, ngành.
    Department,
    /// Trung tâm Phục vụ hành chính công tỉnh.
    ServiceCentre,
    /// Quầy tiếp nhận.
    Counter,
    /// UBND xã, phường, đặc khu.
    Commune,
    /// Trung tâm Phục vụ hành chính công xã.
    CommuneCentre,
    /// Phòng, đơn vị trực thuộc.
    Unit,
}

impl AgencyKind {
    pub const ALL: [AgencyKind; 7] =
        [Self::Province, Self::Department, Self::ServiceCentre, Self::Counter, Self::Commune, Self::CommuneCentre, Self::Unit];

    pub fn code(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::Department => "department",
            Self::ServiceCentre => "service_centre",
            Self::Counter => "counter",
            Self::Commune => "commune",
            Self::CommuneCentre => "commune_centre",
            Self::Unit => "unit",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Province => "Ủy ban nhân dân tỉnh",
            Self::Department => "Sở, ban, ngành",
            Self::ServiceCentre => "Trung tâm Phục vụ hành chính công tỉnh",
            Self::Counter => "Quầy tiếp nhận",
            Self::Commune => "Ủy ban nhân dân xã, phường",
            Self::CommuneCentre => "Trung tâm Phục vụ hành chính công xã",
            Self::Unit => "Phòng, đơn vị trực thuộc",
        }
    }

    /// A reception point (nơi tiếp nhận): a public administration service centre, of the
    /// province or of a commune, or one of its counters. Any of them receives any procedure
    /// of the province (DESIGN.md §1); no other agency takes dossiers in.
    pub fn is_reception_point(self) -> bool {
        matches!(self, Self::ServiceCentre | Self::CommuneCentre | Self::Counter)
    }

    /// Whether an agency of this kind may sit directly under `parent` (None = a root).
    pub fn may_be_child_of(self, parent: Option<AgencyKind>) -> bool {
        use AgencyKind::*;
        match (self, parent) {
            (Province, None) => true,
            (_, None) => false,
            (Province, Some(_)) => false,
            (Counter, Some(p)) => matches!(p, ServiceCentre | CommuneCentre),
            (CommuneCentre, Some(p)) => p == Commune,
            (Commune | Department | ServiceCentre, Some(p)) => p == Province,
            (Unit, Some(p)) => p != Counter,
        }
    }
}

/// The electronic identifier code of an agency (QĐ 20/2020/QĐ-TTg, amended by QĐ 09/2025),
/// e.g. `000.00.01.H40`. Treated as an opaque dotted code: it becomes the first part of
/// every dossier code, so it may not contain '-' or spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgencyCode(String);

impl AgencyCode {
    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        let s = s.trim().to_ascii_uppercase();
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.split('.').all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric()));
        if ok {
            Ok(Self(s))
        } else {
            Err(ValidationError::single(
                field,
                "invalid_agency_code",
                "Mã định danh điện tử của cơ quan không hợp lệ (chỉ gồm chữ, số và dấu chấm, ví dụ 000.00.01.H40).",
                "Invalid electronic identifier code (letters, digits and dots only, e.g. 000.00.01.H40).",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A validated agency name (NFC, 2 to 255 characters).
pub fn parse_name(field: &str, s: &str) -> Result<String, ValidationError> {
    let s = clean(s);
    let n = s.chars().count();
    if (2..=255).contains(&n) {
        Ok(s)
    } else {
        Err(ValidationError::single(
            field,
            "invalid_name",
            "Tên phải có từ 2 đến 255 ký tự.",
            "The name must have 2 to 255 characters.",
        ))
    }
}

/// Materialised path of an agency: `/<root id>/.../<own id>/`. A subtree is a path prefix,
/// so scope checks and scoped queries are a string prefix test or an indexed `LIKE 'p%'`.
pub fn child_path(parent_path: Option<&str>, id: &str) -> String {
    match parent_path {
        Some(p) => format!("{p}{id}/"),
        None => format!("/{id}/"),
    }
}

pub fn in_subtree(path: &str, root_path: &str) -> bool {
    path.starts_with(root_path)
}

/// What is known of an agency for the rules below.
#[derive(Debug, Clone)]
pub struct AgencyFacts {
    pub id: String,
    pub kind: AgencyKind,
    pub path: String,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

impl AgencyFacts {
    pub fn active_on(&self, day: Date) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|end| day < end)
    }
}

/// Checks a merger of `source` into `target` effective on `effective` (the first day the
/// source no longer exists).
pub fn check_merge(source: &AgencyFacts, target: &AgencyFacts, effective: Date) -> Result<(), ValidationError> {
    let mut errs = Errors::new();
    if source.id == target.id {
        errs.push(FieldError::new(
            "into",
            "merge_into_self",
            "Không thể sáp nhập một cơ quan vào chính nó.",
            "An agency cannot be merged into itself.",
        ));
    } else if in_subtree(&target.path, &source.path) {
        errs.push(FieldError::new(
            "into",
            "merge_into_descendant",
            "Không thể sáp nhập vào một đơn vị trực thuộc của chính cơ quan đó.",
            "An agency cannot be merged into one of its own sub-units.",
        ));
    }
    if source.valid_to.is_some() {
        errs.push(FieldError::new(
            "id",
            "agency_dissolved",
            "Cơ quan này đã chấm dứt hoạt động.",
            "This agency no longer exists.",
        ));
    }
    if !target.active_on(effective) {
        errs.push(FieldError::new(
            "into",
            "target_inactive",
            "Cơ quan tiếp nhận không hoạt động vào ngày hiệu lực.",
            "The receiving agency is not active on the effective date.",
        ));
    }
    if effective <= source.valid_from {
        errs.push(FieldError::new(
            "effective",
            "effective_before_start",
            "Ngày hiệu lực phải sau ngày thành lập của cơ quan.",
            "The effective date must be after the agency was established.",
        ));
    }
    if source.kind != target.kind && !(source.kind == AgencyKind::Commune && target.kind == AgencyKind::Commune) {
        // Mergers join units of the same kind (two communes, two departments).
        errs.push(FieldError::new(
            "into",
            "merge_kind_mismatch",
            "Chỉ sáp nhập các cơ quan cùng loại.",
            "Only agencies of the same kind can be merged.",
        ));
    }
    errs.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn facts(id: &str, kind: AgencyKind, path: &str) -> AgencyFacts {
        AgencyFacts { id: id.into(), kind, path: path.into(), valid_from: date(2025, 7, 1), valid_to: None }
    }

    #[test]
    fn codes() {
        assert_eq!(AgencyCode::parse("code", " 000.00.01.h40 ").unwrap().as_str(), "000.00.01.H40");
        assert!(AgencyCode::parse("code", "000-01").is_err());
        assert!(AgencyCode::parse("code", "a..b").is_err());
        assert!(AgencyCode::parse("code", "").is_err());
    }

    #[test]
    fn tree_rules() {
        assert!(AgencyKind::Province.may_be_child_of(None));
        assert!(!AgencyKind::Commune.may_be_child_of(None));
        assert!(AgencyKind::Counter.may_be_child_of(Some(AgencyKind::ServiceCentre)));
        assert!(!AgencyKind::Counter.may_be_child_of(Some(AgencyKind::Department)));
        assert!(AgencyKind::CommuneCentre.may_be_child_of(Some(AgencyKind::Commune)));
    }

    #[test]
    fn merge_rules() {
        let a = facts("a", AgencyKind::Commune, "/p/a/");
        let b = facts("b", AgencyKind::Commune, "/p/b/");
        let child = facts("c", AgencyKind::CommuneCentre, "/p/a/c/");
        assert!(check_merge(&a, &b, date(2026, 1, 1)).is_ok());
        assert!(check_merge(&a, &a, date(2026, 1, 1)).is_err());
        assert!(check_merge(&a, &child, date(2026, 1, 1)).is_err());
        assert!(check_merge(&a, &b, date(2025, 7, 1)).is_err());
    }

    #[test]
    fn subtree() {
        assert!(in_subtree("/p/a/c/", "/p/a/"));
        assert!(!in_subtree("/p/ab/", "/p/a/"));
        assert_eq!(child_path(Some("/p/"), "x"), "/p/x/");
    }
}
