//! The competent agency (cơ quan có thẩm quyền giải quyết) of a dossier, derived from the
//! case and the procedure's level, never from where it was received: since 2025 any
//! reception point of the province may receive any procedure (REQ-7; NĐ 118/2025), so the
//! reception point and the agency that decides are two different things.

use super::command::{DossierError, field};
use crate::catalog::{Level, ProcedureSpec};
use crate::text::fold;

/// Who decides dossiers of a procedure version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Competence {
    /// One agency named by the catalog (a province department owning the procedure).
    Agency(String),
    /// The commune or ward of the case: the one the applicant chose, else the one their
    /// address names (where they reside or the event happened).
    Commune,
    /// A province-level procedure whose catalog entry names no agency: nothing to derive
    /// from, so its dossiers cannot be received until the catalog names one.
    Unknown,
}

/// The rule of a procedure version: the agency it names, else its level.
pub fn competence(spec: &ProcedureSpec) -> Competence {
    match &spec.agency_code {
        Some(code) if !code.trim().is_empty() => Competence::Agency(code.trim().to_string()),
        _ if spec.levels.contains(&Level::Commune) => Competence::Commune,
        _ => Competence::Unknown,
    }
}

/// The commune of the province that an address names, among `(id, name)` pairs (names such
/// as "Phường Hoa Lư" or "Xã Gia Viễn"), compared without marks and case, on word
/// boundaries; the longest name wins ("Xã Kim Sơn" over "Xã Kim"). None when no commune
/// of the province is named.
pub fn commune_named_in<'a>(address: &str, communes: &[(&'a str, &str)]) -> Option<&'a str> {
    let addr = fold(address);
    let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    communes
        .iter()
        .filter_map(|(id, name)| {
            let n = fold(name);
            if n.is_empty() {
                return None;
            }
            addr.match_indices(&n)
                .any(|(at, _)| !is_word(addr[..at].chars().next_back()) && !is_word(addr[at + n.len()..].chars().next()))
                .then_some((*id, n.len()))
        })
        .max_by_key(|(_, len)| *len)
        .map(|(id, _)| id)
}

/// The refusal of a reception nobody is competent for: a dossier that no agency decides
/// would sit in no one's inbox.
pub fn competent_required() -> DossierError {
    field(
        "competent_agency_id",
        "competent_required",
        "Chưa xác định được cơ quan có thẩm quyền giải quyết: chọn xã, phường giải quyết hồ sơ (thủ tục cấp xã) hoặc khai báo cơ quan thực hiện của thủ tục (thủ tục cấp tỉnh).",
        "No competent agency: choose the commune or ward that handles the dossier (commune-level procedure) or name the procedure's implementing agency (province-level procedure).",
    )
}
