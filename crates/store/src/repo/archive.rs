//! Retention and archival (issue #19): finished dossiers due for archival, the record of
//! their archive packages, and the deletion of the applicant's personal data after both
//! (docs/archive-format.md). Every function runs inside the caller's transaction.

use super::push_scope;
use crate::{Db, Row, SqlBuilder, StoreError, params};
use std::collections::HashMap;

/// One finished dossier in the due report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRow {
    pub dossier_id: String,
    pub code: String,
    pub procedure_code: String,
    pub receiving_path: String,
    pub finished_at: i64,
    pub exported_at: Option<i64>,
    pub purged_at: Option<i64>,
}

/// What the report selects. A dossier is due when it finished before its procedure's
/// cut-off (`cutoffs`, else `default_cutoff`); `None` = permanent, never due.
#[derive(Debug, Clone, Default)]
pub struct DueFilter {
    /// Agency subtrees of the reader (receiving agency): empty = nothing, `None` = all
    /// (the system).
    pub scope: Option<Vec<String>>,
    /// Only this dossier (the purge of one).
    pub dossier_id: Option<String>,
    pub cutoffs: Vec<(String, Option<i64>)>,
    pub default_cutoff: Option<i64>,
    /// Only archived (exported) dossiers whose personal data are still there (the purge).
    pub purgeable_only: bool,
    pub offset: i64,
    pub limit: i64,
}

/// A cut-off no dossier finishes before (permanent).
const NEVER: i64 = i64::MIN / 2;

fn where_due(q: &mut SqlBuilder, f: &DueFilter) {
    q.push(" WHERE d.finished_at IS NOT NULL AND d.code IS NOT NULL");
    if let Some(scope) = &f.scope {
        q.push(" AND ");
        push_scope(q, "d.receiving_path", scope);
    }
    if let Some(id) = &f.dossier_id {
        let p = q.bind(id.clone());
        q.push(&format!(" AND d.id = {p}"));
    }
    let default = q.bind(f.default_cutoff.unwrap_or(NEVER));
    if f.cutoffs.is_empty() {
        q.push(&format!(" AND d.finished_at < {default}"));
    } else {
        q.push(" AND d.finished_at < CASE d.procedure_code");
        for (code, cut) in &f.cutoffs {
            let c = q.bind(code.clone());
            let v = q.bind(cut.unwrap_or(NEVER));
            q.push(&format!(" WHEN {c} THEN {v}"));
        }
        q.push(&format!(" ELSE {default} END"));
    }
    if f.purgeable_only {
        q.push(" AND a.dossier_id IS NOT NULL AND a.purged_at IS NULL");
    }
}

/// A page of the due dossiers, oldest finishing first, and how many there are in all.
pub fn due(db: &mut Db, f: &DueFilter) -> Result<(Vec<DueRow>, i64), StoreError> {
    let from = " FROM dossiers d LEFT JOIN dossier_archives a ON a.dossier_id = d.id";
    let mut count = SqlBuilder::new(&format!("SELECT COUNT(*){from}"));
    where_due(&mut count, f);
    let total = db.query_one(&count.sql, &count.params)?.i64(0)?;
    let mut q = SqlBuilder::new(&format!(
        "SELECT d.id, d.code, d.procedure_code, d.receiving_path, d.finished_at, a.exported_at, a.purged_at{from}"
    ));
    where_due(&mut q, f);
    let (limit, offset) = (q.bind(f.limit), q.bind(f.offset));
    q.push(&format!(" ORDER BY d.finished_at, d.id LIMIT {limit} OFFSET {offset}"));
    let rows = db
        .query(&q.sql, &q.params)?
        .iter()
        .map(|r| {
            Ok(DueRow {
                dossier_id: r.text(0)?,
                code: r.text(1)?,
                procedure_code: r.text(2)?,
                receiving_path: r.text(3)?,
                finished_at: r.i64(4)?,
                exported_at: r.opt_i64(5)?,
                purged_at: r.opt_i64(6)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((rows, total))
}

/// Every procedure's sector (from its latest version): the periods per sector need it.
pub fn procedure_sectors(db: &mut Db) -> Result<Vec<(String, String)>, StoreError> {
    db.query(
        "SELECT p.code, v.sector_code FROM procedures p JOIN procedure_versions v ON v.code = p.code AND v.version = p.latest_version",
        &[],
    )?
    .iter()
    .map(|r| Ok((r.text(0)?, r.text(1)?)))
    .collect()
}

/// The record of a dossier's archive package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveRecord {
    pub dossier_id: String,
    pub code: String,
    pub receiving_path: String,
    pub package_sha256: String,
    pub package_bytes: i64,
    pub exported_at: i64,
    pub exported_by: Option<String>,
    pub purged_at: Option<i64>,
    pub purged_by: Option<String>,
}

fn record(r: &Row) -> Result<ArchiveRecord, StoreError> {
    Ok(ArchiveRecord {
        dossier_id: r.text(0)?,
        code: r.text(1)?,
        receiving_path: r.text(2)?,
        package_sha256: r.text(3)?,
        package_bytes: r.i64(4)?,
        exported_at: r.i64(5)?,
        exported_by: r.opt_text(6)?,
        purged_at: r.opt_i64(7)?,
        purged_by: r.opt_text(8)?,
    })
}

pub fn get(db: &mut Db, dossier_id: &str) -> Result<Option<ArchiveRecord>, StoreError> {
    db.query_opt(
        "SELECT dossier_id, code, receiving_path, package_sha256, package_bytes, exported_at, exported_by, purged_at, purged_by \
         FROM dossier_archives WHERE dossier_id = $1",
        &params![dossier_id],
    )?
    .as_ref()
    .map(record)
    .transpose()
}

/// Records (or renews) an export; a purged dossier's record is never replaced.
pub fn record_export(db: &mut Db, a: &ArchiveRecord) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO dossier_archives (dossier_id, code, receiving_path, package_sha256, package_bytes, exported_at, exported_by) \
         VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (dossier_id) DO UPDATE SET package_sha256 = excluded.package_sha256, \
         package_bytes = excluded.package_bytes, exported_at = excluded.exported_at, exported_by = excluded.exported_by \
         WHERE dossier_archives.purged_at IS NULL",
        &params![&a.dossier_id, &a.code, &a.receiving_path, &a.package_sha256, a.package_bytes, a.exported_at, a.exported_by.clone()],
    )?;
    Ok(())
}

pub fn mark_purged(db: &mut Db, dossier_id: &str, at: i64, by: Option<&str>) -> Result<(), StoreError> {
    db.execute("UPDATE dossier_archives SET purged_at = $2, purged_by = $3 WHERE dossier_id = $1", &params![dossier_id, at, by])?;
    Ok(())
}

/// The redacted events of a dossier: seq → the hash recorded at redaction.
pub fn redactions(db: &mut Db, dossier_id: &str) -> Result<HashMap<i64, String>, StoreError> {
    db.query("SELECT seq, hash FROM dossier_event_redactions WHERE dossier_id = $1", &params![dossier_id])?
        .iter()
        .map(|r| Ok((r.i64(0)?, r.text(1)?)))
        .collect()
}

/// Replaces one event's payload with its redacted form and records the hash it keeps.
pub fn redact_event(db: &mut Db, dossier_id: &str, seq: i64, payload: &str, hash: &str) -> Result<(), StoreError> {
    db.execute("UPDATE dossier_events SET payload = $3 WHERE dossier_id = $1 AND seq = $2", &params![dossier_id, seq, payload])?;
    db.execute(
        "INSERT INTO dossier_event_redactions (dossier_id, seq, hash) VALUES ($1,$2,$3) ON CONFLICT (dossier_id, seq) DO NOTHING",
        &params![dossier_id, seq, hash],
    )?;
    Ok(())
}

/// Personal data of a dossier held beside its log: messages and notices about it (their
/// payloads carry the applicant's name and contacts), delivery recipients, the payment
/// gateway's raw callbacks, a rating's comment, the national portal's inbound filing, the
/// data locker's items copied from it.
pub fn redact_side_tables(db: &mut Db, dossier_id: &str, marker: &str) -> Result<(), StoreError> {
    let purged = serde_json::json!({"purged": true}).to_string();
    for sql in [
        "UPDATE outbox SET payload = $2 WHERE dossier_id = $1",
        "UPDATE notifications SET payload = $2 WHERE dossier_id = $1",
        "UPDATE dvcqg_inbound SET payload = $2 WHERE dossier_id = $1",
    ] {
        db.execute(sql, &params![dossier_id, &purged])?;
    }
    db.execute("UPDATE notification_deliveries SET recipient = $2 WHERE dossier_id = $1", &params![dossier_id, marker])?;
    db.execute("UPDATE payment_attempts SET raw_callback = NULL WHERE dossier_id = $1", &params![dossier_id])?;
    db.execute("UPDATE ratings SET comment = NULL WHERE subject_id = $1", &params![dossier_id])?;
    // The data locker's copies of this dossier's results and certified copies: keyed by the
    // applicant's ID number, they are the dossier's personal data too (docs/operations.md).
    db.execute("DELETE FROM locker_items WHERE source_dossier_id = $1", &params![dossier_id])?;
    Ok(())
}

/// Notes a file whose bytes a purge removes; answers whether it was new.
pub fn add_purged_file(db: &mut Db, sha256: &str, at: i64) -> Result<bool, StoreError> {
    Ok(db.execute(
        "INSERT INTO purged_files (sha256, purged_at) VALUES ($1,$2) ON CONFLICT (sha256) DO NOTHING",
        &params![sha256, at],
    )? == 1)
}

/// Whether a dossier's personal data were purged.
pub fn is_purged(db: &mut Db, dossier_id: &str) -> Result<bool, StoreError> {
    Ok(db
        .query_opt("SELECT 1 FROM dossier_archives WHERE dossier_id = $1 AND purged_at IS NOT NULL", &params![dossier_id])?
        .is_some())
}

/// Whether the citizen's data locker holds these bytes (it outlives the dossier).
pub fn locker_names(db: &mut Db, sha256: &str) -> Result<bool, StoreError> {
    Ok(db.query_opt("SELECT 1 FROM locker_items WHERE sha256 = $1 LIMIT 1", &params![sha256])?.is_some())
}
