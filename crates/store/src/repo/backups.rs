//! Backup runs (`backups`, migration 0033): one row per run of `motcua backup` or of the
//! scheduled backup in `serve`, ok or failed.

use crate::{Db, StoreError, params};

/// One recorded backup run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupRow {
    pub id: String,
    /// `manual` or `scheduled`.
    pub kind: String,
    pub dir: String,
    pub started_at: i64,
    pub finished_at: i64,
    pub ok: bool,
    pub database_bytes: i64,
    pub files_total: i64,
    pub files_copied: i64,
    pub files_reused: i64,
    pub bytes_copied: i64,
    pub error: Option<String>,
}

const COLUMNS: &str = "id, kind, dir, started_at, finished_at, ok, database_bytes, files_total, files_copied, \
                       files_reused, bytes_copied, error";

pub fn insert(db: &mut Db, r: &BackupRow) -> Result<(), StoreError> {
    db.execute(
        &format!("INSERT INTO backups ({COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)"),
        &params![
            &r.id,
            &r.kind,
            &r.dir,
            r.started_at,
            r.finished_at,
            i64::from(r.ok),
            r.database_bytes,
            r.files_total,
            r.files_copied,
            r.files_reused,
            r.bytes_copied,
            r.error.as_deref()
        ],
    )?;
    Ok(())
}

fn decode(r: &crate::Row) -> Result<BackupRow, StoreError> {
    Ok(BackupRow {
        id: r.text(0)?,
        kind: r.text(1)?,
        dir: r.text(2)?,
        started_at: r.i64(3)?,
        finished_at: r.i64(4)?,
        ok: r.i64(5)? != 0,
        database_bytes: r.i64(6)?,
        files_total: r.i64(7)?,
        files_copied: r.i64(8)?,
        files_reused: r.i64(9)?,
        bytes_copied: r.i64(10)?,
        error: r.opt_text(11)?,
    })
}

/// The most recent run (ok or failed), for the admin system page.
pub fn latest(db: &mut Db) -> Result<Option<BackupRow>, StoreError> {
    db.query_opt(&format!("SELECT {COLUMNS} FROM backups ORDER BY started_at DESC, id DESC LIMIT 1"), &[])?
        .as_ref()
        .map(decode)
        .transpose()
}

/// The most recent runs, newest first; at most `limit` (capped at 500).
pub fn list(db: &mut Db, limit: i64) -> Result<Vec<BackupRow>, StoreError> {
    db.query(&format!("SELECT {COLUMNS} FROM backups ORDER BY started_at DESC, id DESC LIMIT $1"), &params![limit.clamp(1, 500)])?
        .iter()
        .map(decode)
        .collect()
}
