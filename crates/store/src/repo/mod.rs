//! Repositories: SQL and the row ↔ record mapping, per aggregate. Each function works on
//! a `Db` inside the caller's transaction, so a use case composes several in one commit.

pub mod access_log;
pub mod agencies;
pub mod archive;
pub mod audit;
pub mod backups;
pub mod bulk;
pub mod calendar;
pub mod catalog;
pub mod dashboard;
pub mod deadlines;
pub mod documents;
pub mod dossiers;
pub mod inbound;
pub mod indicators;
pub mod locker;
pub mod notices;
pub mod notifications;
pub mod oidc;
pub mod outbox;
pub mod payments;
pub mod petitions;
pub mod postal;
pub mod queue;
pub mod ratings;
pub mod reconciliations;
pub mod result_templates;
pub mod sessions;
pub mod targets;
pub mod users;

use crate::{SqlBuilder, StoreError};
use jiff::civil::Date;

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The half-open key range `[prefix, end)` holding every path under `prefix`: paths end
/// with '/', and '0' is the character after '/', so a btree index serves subtree reads.
pub fn subtree_range(prefix: &str) -> (String, String) {
    let stem = prefix.strip_suffix('/').unwrap_or(prefix);
    (prefix.to_string(), format!("{stem}0"))
}

/// Appends `(col >= a AND col < b) OR …` for the given subtrees; an empty scope matches nothing.
pub fn push_scope(q: &mut SqlBuilder, column: &str, scope: &[String]) {
    if scope.is_empty() {
        q.push("1 = 0");
        return;
    }
    q.push("(");
    for (i, prefix) in scope.iter().enumerate() {
        let (lo, hi) = subtree_range(prefix);
        if i > 0 {
            q.push(" OR ");
        }
        let a = q.bind(lo);
        let b = q.bind(hi);
        q.push(&format!("({column} >= {a} AND {column} < {b})"));
    }
    q.push(")");
}

pub(crate) fn parse_date(s: &str) -> Result<Date, StoreError> {
    s.parse().map_err(|e| StoreError::Decode(format!("date {s:?}: {e}")))
}

pub(crate) fn parse_opt_date(s: Option<String>) -> Result<Option<Date>, StoreError> {
    s.as_deref().map(parse_date).transpose()
}

/// Escapes LIKE wildcards in user text (used with `ESCAPE '\'`).
pub fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let (lo, hi) = subtree_range("/a/b/");
        assert!("/a/b/" >= lo.as_str() && "/a/b/" < hi.as_str());
        assert!("/a/b/zz/" >= lo.as_str() && "/a/b/zz/" < hi.as_str());
        assert!(!("/a/bc/" >= lo.as_str() && "/a/bc/" < hi.as_str()));
        assert!("/a/b0/" >= hi.as_str());
    }
}
