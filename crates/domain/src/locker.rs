//! The applicant's data locker (kho dữ liệu, spec REQ-12 and 766 indicator 4.3): the results
//! issued to a person or an organisation and the certified copies of their documents, kept
//! under their id number (CCCD or tax/enterprise code), reused by later dossiers instead of a
//! new upload.
//!
//! A locker item has a *kind* naming what document it is, and a procedure component lists the
//! kinds that satisfy it (`ComponentSpec::locker_kinds`). Two families, both derived from the
//! catalog so that no separate vocabulary has to be kept:
//! - `ket-qua:<procedure code>`: the result of a dossier of that procedure (e.g.
//!   `ket-qua:1.004873`, a Giấy xác nhận tình trạng hôn nhân);
//! - `ban-sao:<component key>`: a certified copy (bản sao điện tử có chứng thực) of a component
//!   with that key (e.g. `ban-sao:giay_khai_sinh`); the catalog uses the same key for the same
//!   document across procedures.

use serde::{Deserialize, Serialize};

/// The most kinds a component may list.
pub const MAX_KINDS: usize = 20;

/// Prefix of a result's kind.
pub const RESULT_PREFIX: &str = "ket-qua:";
/// Prefix of a certified copy's kind.
pub const COPY_PREFIX: &str = "ban-sao:";
/// Prefix of a fee receipt's kind (never offered for a component).
pub const RECEIPT_PREFIX: &str = "bien-lai:";

/// What a locker item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// The result of a dossier (kết quả giải quyết TTHC).
    Result,
    /// A certified electronic copy of a document (bản sao điện tử có chứng thực).
    CertifiedCopy,
    /// An electronic receipt of fees paid (biên lai thu phí, lệ phí điện tử).
    Receipt,
}

impl ItemKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Result => "result",
            Self::CertifiedCopy => "certified_copy",
            Self::Receipt => "receipt",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Result, Self::CertifiedCopy, Self::Receipt].into_iter().find(|k| k.code() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Result => "Kết quả giải quyết",
            Self::CertifiedCopy => "Bản sao có chứng thực",
            Self::Receipt => "Biên lai thu phí, lệ phí",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Result => "Result",
            Self::CertifiedCopy => "Certified copy",
            Self::Receipt => "Fee receipt",
        }
    }
}

/// Whose the item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerKind {
    /// A person, by CCCD.
    Person,
    /// An organisation or a business, by tax or enterprise code.
    Organisation,
}

impl OwnerKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Organisation => "organisation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Person, Self::Organisation].into_iter().find(|k| k.code() == s)
    }

    /// Persons (citizens, foreigners) against everyone else.
    pub fn of(applicant: crate::catalog::ApplicantType) -> Self {
        use crate::catalog::ApplicantType::*;
        match applicant {
            Citizen | Foreigner => Self::Person,
            Business | HouseholdBusiness | Organisation => Self::Organisation,
        }
    }
}

/// The kind of the result of a dossier of `procedure_code`.
pub fn result_kind(procedure_code: &str) -> String {
    format!("{RESULT_PREFIX}{procedure_code}")
}

/// The kind of a certified copy of a component with `component_key`.
pub fn copy_kind(component_key: &str) -> String {
    format!("{COPY_PREFIX}{component_key}")
}

/// The kind of a fee receipt for a dossier of `procedure_code`.
pub fn receipt_kind(procedure_code: &str) -> String {
    format!("{RECEIPT_PREFIX}{procedure_code}")
}

/// Is `kind` well formed: a known prefix and 1–60 characters of `[A-Za-z0-9._-]`?
pub fn kind_is_valid(kind: &str) -> bool {
    let rest = kind.strip_prefix(RESULT_PREFIX).or_else(|| kind.strip_prefix(COPY_PREFIX));
    rest.is_some_and(|r| {
        (1..=60).contains(&r.len()) && r.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    })
}

/// Why an item cannot be used now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    Revoked,
    Expired,
}

/// Whether an item is usable at `now_ms`: not revoked, and not past its end of validity.
pub fn usable(valid_until: Option<i64>, revoked_at: Option<i64>, now_ms: i64) -> Result<(), Unusable> {
    if revoked_at.is_some_and(|r| r <= now_ms) {
        return Err(Unusable::Revoked);
    }
    if valid_until.is_some_and(|v| v < now_ms) {
        return Err(Unusable::Expired);
    }
    Ok(())
}

/// Whether an item of `kind` satisfies the component.
pub fn satisfies(component: &crate::catalog::ComponentSpec, kind: &str) -> bool {
    component.locker_kinds.iter().any(|k| k == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert!(kind_is_valid(&result_kind("1.004873")));
        assert!(kind_is_valid(&result_kind("1.910201.H40")));
        assert!(kind_is_valid(&copy_kind("giay_khai_sinh")));
        for bad in ["", "ket-qua:", "giay_khai_sinh", "ban-sao:a b", "khac:x", &format!("ket-qua:{}", "x".repeat(61))] {
            assert!(!kind_is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn usability() {
        assert_eq!(usable(None, None, 10), Ok(()));
        assert_eq!(usable(Some(10), None, 10), Ok(()));
        assert_eq!(usable(Some(9), None, 10), Err(Unusable::Expired));
        assert_eq!(usable(None, Some(10), 10), Err(Unusable::Revoked));
        assert_eq!(usable(None, Some(11), 10), Ok(()));
    }
}
