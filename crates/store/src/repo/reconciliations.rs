//! The national-portal reconciliation (issue #15): motcua's side of the comparison (the
//! synced dossiers of a period, read per receiving agency on `ix_dossiers_receiving`), the
//! re-sending of a dossier's sync rows, and the runs' reports.

use crate::{Db, StoreError, params};

/// Topic of the national-portal sync rows (`motcua_dvcqg::TOPIC`; the store does not
/// depend on that crate).
const TOPIC: &str = "dvcqg.sync";

/// One synced dossier as motcua has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synced {
    pub dossier_id: String,
    /// The identifier the portal knows it by: its code, else its filing reference.
    pub national_id: String,
    /// The competent agency's name, else the receiving agency's (the portal's `DonViXuLy`).
    pub unit: String,
    pub national_status: Option<i64>,
    pub received_at: Option<i64>,
    /// Sync rows not delivered yet and not dead (in flight).
    pub pending: i64,
    /// Sync rows that ended as dead letters.
    pub dead: i64,
}

const SYNCED_COLUMNS: &str = "d.id, COALESCE(d.code, d.filing_reference, d.id), COALESCE(c.name, r.name, ''), d.national_status, d.received_at, \
     (SELECT COUNT(*) FROM outbox o WHERE o.topic = 'dvcqg.sync' AND o.dossier_id = d.id AND o.delivered_at IS NULL AND o.dead_at IS NULL), \
     (SELECT COUNT(*) FROM outbox o WHERE o.topic = 'dvcqg.sync' AND o.dossier_id = d.id AND o.delivered_at IS NULL AND o.dead_at IS NOT NULL) \
     FROM dossiers d LEFT JOIN agencies c ON c.path = d.competent_path LEFT JOIN agencies r ON r.path = d.receiving_path";

/// What goes to the portal: a dossier with its code, or an online filing refused before
/// reception (`motcua_dvcqg::mapping::is_synced`).
const IS_SYNCED: &str = "(d.code IS NOT NULL OR d.status = 'refused')";

fn synced_row(r: &crate::Row) -> Result<Synced, StoreError> {
    Ok(Synced {
        dossier_id: r.text(0)?,
        national_id: r.text(1)?,
        unit: r.text(2)?,
        national_status: r.opt_i64(3)?,
        received_at: r.opt_i64(4)?,
        pending: r.i64(5)?,
        dead: r.i64(6)?,
    })
}

/// The receiving paths dossiers are filed under (every agency's).
pub fn receiving_paths(db: &mut Db) -> Result<Vec<String>, StoreError> {
    db.query("SELECT path FROM agencies ORDER BY path", &[])?.iter().map(|r| r.text(0)).collect()
}

/// Every agency's name (the units to ask the portal about).
pub fn unit_names(db: &mut Db) -> Result<Vec<String>, StoreError> {
    db.query("SELECT DISTINCT name FROM agencies ORDER BY name", &[])?.iter().map(|r| r.text(0)).collect()
}

/// The synced dossiers received at `path` in `[from, to)`, and those never received that
/// were created then; at most `limit`.
pub fn synced_in_period(db: &mut Db, path: &str, from: i64, to: i64, limit: i64) -> Result<Vec<Synced>, StoreError> {
    let sql = format!(
        "SELECT {SYNCED_COLUMNS} WHERE d.receiving_path = $1 AND {IS_SYNCED} AND \
         ((d.received_at >= $2 AND d.received_at < $3) OR (d.received_at IS NULL AND d.created_at >= $2 AND d.created_at < $3)) \
         ORDER BY d.id LIMIT $4"
    );
    db.query(&sql, &params![path, from, to, limit])?.iter().map(synced_row).collect()
}

/// A synced dossier by the identifier the portal knows it by.
pub fn synced_by_national_id(db: &mut Db, national_id: &str) -> Result<Option<Synced>, StoreError> {
    let sql =
        format!("SELECT {SYNCED_COLUMNS} WHERE (d.code = $1 OR (d.code IS NULL AND d.filing_reference = $1)) AND {IS_SYNCED}");
    db.query_opt(&sql, &params![national_id])?.as_ref().map(synced_row).transpose()
}

/// Sends a dossier's sync again: its dead rows go back in the queue with fresh attempts,
/// and every synced event (`seqs`) without an undelivered row gets a new one. The per-dossier
/// order (`outbox::IN_DOSSIER_ORDER`) puts them in event order; the portal acknowledges what
/// it already holds without keeping it twice. Returns how many rows were queued or revived.
pub fn resend(db: &mut Db, dossier_id: &str, seqs: &[i64], run_id: &str, now: i64) -> Result<u64, StoreError> {
    let revived = db.execute(
        "UPDATE outbox SET dead_at = NULL, attempts = 0, next_attempt_at = $1, claimed_by = NULL, lease_until = NULL \
         WHERE topic = $2 AND dossier_id = $3 AND delivered_at IS NULL AND dead_at IS NOT NULL",
        &params![now, TOPIC, dossier_id],
    )?;
    let waiting: std::collections::BTreeSet<i64> = db
        .query(
            "SELECT seq FROM outbox WHERE topic = $1 AND dossier_id = $2 AND delivered_at IS NULL AND seq IS NOT NULL",
            &params![TOPIC, dossier_id],
        )?
        .iter()
        .map(|r| r.i64(0))
        .collect::<Result<_, _>>()?;
    let mut queued = 0;
    for &seq in seqs.iter().filter(|s| !waiting.contains(s)) {
        let payload = serde_json::json!({"dossier_id": dossier_id, "seq": seq, "resent_by": run_id});
        super::outbox::enqueue_in_order(db, TOPIC, dossier_id, seq, &payload, now)?;
        queued += 1;
    }
    Ok(revived + queued)
}

/// One run, as listed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Run {
    pub id: String,
    pub period_from: i64,
    pub period_to: i64,
    pub started_at: i64,
    pub finished_at: i64,
    /// The user who asked for it; `None` for the daily run.
    pub started_by: Option<String>,
    pub differences: i64,
    pub resent: i64,
}

const RUN_COLUMNS: &str = "id, period_from, period_to, started_at, finished_at, started_by, differences, resent";

fn run_row(r: &crate::Row) -> Result<Run, StoreError> {
    Ok(Run {
        id: r.text(0)?,
        period_from: r.i64(1)?,
        period_to: r.i64(2)?,
        started_at: r.i64(3)?,
        finished_at: r.i64(4)?,
        started_by: r.opt_text(5)?,
        differences: r.i64(6)?,
        resent: r.i64(7)?,
    })
}

pub fn insert(db: &mut Db, run: &Run, report: &str) -> Result<(), StoreError> {
    db.execute(
        &format!("INSERT INTO dvcqg_reconciliations ({RUN_COLUMNS}, report) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)"),
        &params![
            &run.id,
            run.period_from,
            run.period_to,
            run.started_at,
            run.finished_at,
            run.started_by.clone(),
            run.differences,
            run.resent,
            report
        ],
    )?;
    Ok(())
}

/// The latest runs, newest first.
pub fn latest(db: &mut Db, limit: i64) -> Result<Vec<Run>, StoreError> {
    db.query(
        &format!("SELECT {RUN_COLUMNS} FROM dvcqg_reconciliations ORDER BY started_at DESC, id DESC LIMIT $1"),
        &params![limit],
    )?
    .iter()
    .map(run_row)
    .collect()
}

/// A run and its report (JSON).
pub fn get(db: &mut Db, id: &str) -> Result<Option<(Run, String)>, StoreError> {
    let Some(r) =
        db.query_opt(&format!("SELECT {RUN_COLUMNS}, report FROM dvcqg_reconciliations WHERE id = $1"), &params![id])?
    else {
        return Ok(None);
    };
    Ok(Some((run_row(&r)?, r.text(8)?)))
}

/// When the latest daily (unattended) run started.
pub fn last_daily(db: &mut Db) -> Result<Option<i64>, StoreError> {
    db.query_one("SELECT MAX(started_at) FROM dvcqg_reconciliations WHERE started_by IS NULL", &[])?.opt_i64(0)
}

/// The report of the latest run over exactly `[from, to)` (ms), if any (indicator 1.4).
pub fn latest_for_period(db: &mut Db, from: i64, to: i64) -> Result<Option<String>, StoreError> {
    db.query_opt(
        "SELECT report FROM dvcqg_reconciliations WHERE period_from = $1 AND period_to = $2 ORDER BY started_at DESC, id DESC LIMIT 1",
        &params![from, to],
    )?
    .map(|r| r.text(0))
    .transpose()
}
