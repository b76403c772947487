//! Online dossiers taken in from the national portal (`dvcqg_inbound`, migration 0024): one
//! row per portal dossier id, the dossier it became or why it did not.

use crate::{Db, Row, StoreError, params};

#[derive(Debug, Clone, serde::Serialize)]
pub struct InboundRecord {
    pub portal_id: String,
    /// `received`, `failed` (tried again on the next pull) or `held` (until retried).
    pub state: String,
    pub dossier_id: Option<String>,
    pub source: String,
    pub attempts: i64,
    pub reason_code: Option<String>,
    pub reason_vi: Option<String>,
    pub payload: String,
    pub first_seen_at: i64,
    pub updated_at: i64,
    pub acknowledged_at: Option<i64>,
}

const COLUMNS: &str = "portal_id, state, dossier_id, source, attempts, reason_code, reason_vi, payload, first_seen_at, \
                       updated_at, acknowledged_at";

fn map(r: &Row) -> Result<InboundRecord, StoreError> {
    Ok(InboundRecord {
        portal_id: r.text(0)?,
        state: r.text(1)?,
        dossier_id: r.opt_text(2)?,
        source: r.text(3)?,
        attempts: r.i64(4)?,
        reason_code: r.opt_text(5)?,
        reason_vi: r.opt_text(6)?,
        payload: r.text(7)?,
        first_seen_at: r.i64(8)?,
        updated_at: r.i64(9)?,
        acknowledged_at: r.opt_i64(10)?,
    })
}

pub fn get(db: &mut Db, portal_id: &str) -> Result<Option<InboundRecord>, StoreError> {
    db.query_opt(&format!("SELECT {COLUMNS} FROM dvcqg_inbound WHERE portal_id = $1"), &params![portal_id])?
        .map(|r| map(&r))
        .transpose()
}

/// Records that `portal_id` became `dossier_id`, in the dossier's transaction. False when
/// another delivery of it already made a dossier (the caller then rolls back).
pub fn mark_received(
    db: &mut Db,
    portal_id: &str,
    dossier_id: &str,
    source: &str,
    payload: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let n = db.execute(
        "INSERT INTO dvcqg_inbound (portal_id, state, dossier_id, source, attempts, reason_code, reason_vi, payload, \
         first_seen_at, updated_at, acknowledged_at) VALUES ($1, 'received', $2, $3, 1, NULL, NULL, $4, $5, $5, NULL) \
         ON CONFLICT (portal_id) DO UPDATE SET state = 'received', dossier_id = excluded.dossier_id, \
         source = excluded.source, attempts = dvcqg_inbound.attempts + 1, reason_code = NULL, reason_vi = NULL, \
         payload = excluded.payload, updated_at = excluded.updated_at WHERE dvcqg_inbound.dossier_id IS NULL",
        &params![portal_id, dossier_id, source, payload, now],
    )?;
    Ok(n > 0)
}

/// Records a failed delivery of `portal_id` (never over a received one): `failed`, or
/// `held` once it failed `max_attempts` times. Returns the state it is left in.
#[allow(clippy::too_many_arguments)]
pub fn mark_failed(
    db: &mut Db,
    portal_id: &str,
    source: &str,
    code: &str,
    reason_vi: &str,
    payload: &str,
    max_attempts: i64,
    now: i64,
) -> Result<String, StoreError> {
    db.execute(
        "INSERT INTO dvcqg_inbound (portal_id, state, dossier_id, source, attempts, reason_code, reason_vi, payload, \
         first_seen_at, updated_at, acknowledged_at) VALUES ($1, CASE WHEN $6 <= 1 THEN 'held' ELSE 'failed' END, NULL, \
         $2, 1, $3, $4, $5, $7, $7, NULL) \
         ON CONFLICT (portal_id) DO UPDATE SET attempts = dvcqg_inbound.attempts + 1, \
         state = CASE WHEN dvcqg_inbound.attempts + 1 >= $6 THEN 'held' ELSE 'failed' END, source = excluded.source, \
         reason_code = excluded.reason_code, reason_vi = excluded.reason_vi, payload = excluded.payload, \
         updated_at = excluded.updated_at WHERE dvcqg_inbound.dossier_id IS NULL",
        &params![portal_id, source, code, reason_vi, payload, max_attempts, now],
    )?;
    Ok(get(db, portal_id)?.map_or_else(|| "received".into(), |r| r.state))
}

pub fn mark_acknowledged(db: &mut Db, portal_id: &str, now: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE dvcqg_inbound SET acknowledged_at = $2 WHERE portal_id = $1 AND acknowledged_at IS NULL",
        &params![portal_id, now],
    )?;
    Ok(())
}

/// The deliveries that did not become a dossier (failed and held), latest first, at most `limit`.
pub fn errors(db: &mut Db, limit: usize) -> Result<Vec<InboundRecord>, StoreError> {
    db.query(
        &format!(
            "SELECT {COLUMNS} FROM dvcqg_inbound WHERE state IN ('failed', 'held') ORDER BY updated_at DESC, portal_id LIMIT $1"
        ),
        &params![i64::try_from(limit).unwrap_or(i64::MAX)],
    )?
    .iter()
    .map(map)
    .collect()
}

/// Puts a held (or failed) delivery back to be tried on the next pull, with fresh attempts.
/// False when `portal_id` is no such delivery.
pub fn retry(db: &mut Db, portal_id: &str, now: i64) -> Result<bool, StoreError> {
    Ok(db.execute(
        "UPDATE dvcqg_inbound SET state = 'failed', attempts = 0, updated_at = $2 \
         WHERE portal_id = $1 AND state IN ('failed', 'held')",
        &params![portal_id, now],
    )? > 0)
}
