//! Use cases, one module per aggregate.

pub mod agencies;
pub mod archive;
pub mod audit;
pub mod catalog;
pub mod dashboard;
pub mod dossiers;
pub mod exports;
pub mod indicators;
pub mod locker;
pub mod national_catalog;
pub mod notifications;
pub mod petitions;
pub mod queue;
pub mod ratings;
pub mod reconciliation;
pub mod reports;
pub mod system;
pub mod targets;
pub mod users;
pub mod verification;

use motcua_domain::error::ValidationError;

/// Parses an optional date "YYYY-MM-DD".
pub(crate) fn parse_date(field: &str, s: &str) -> Result<jiff::civil::Date, ValidationError> {
    s.trim().parse().map_err(|_| {
        ValidationError::single(
            field,
            "invalid_date",
            "Ngày không hợp lệ (định dạng YYYY-MM-DD, ví dụ 2026-07-01).",
            "Invalid date (format YYYY-MM-DD, e.g. 2026-07-01).",
        )
    })
}

/// Trims and drops empty optional text.
pub(crate) fn opt(s: Option<String>) -> Option<String> {
    s.map(|v| motcua_domain::text::clean(&v)).filter(|v| !v.is_empty())
}

/// Province-wide administration (calendar, catalog): the permission must be held at a root
/// agency. `None` = the system itself (seed, CLI).
pub(crate) fn require_province(
    actor: Option<&motcua_domain::authz::Principal>,
    perm: motcua_domain::authz::Permission,
) -> Result<(), crate::AppError> {
    match actor {
        None => Ok(()),
        Some(a) => motcua_domain::authz::authorize_user(a, perm, &[]).map_err(|_| crate::AppError::Forbidden),
    }
}
