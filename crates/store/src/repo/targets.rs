//! Targets leaders set per unit, period and metric (issue #16), in hundredths of a percent,
//! with when the unit's leaders were last alerted that one is at risk. The table is
//! `targets` (migration 0026). Lists take the unit subtrees they may read (agency path
//! prefixes) and put them in the query.

use super::push_scope;
use crate::{Db, SqlBuilder, StoreError, params};

/// One target, with the path of its agency (for scope and the alert's recipients).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRow {
    pub agency_id: String,
    pub agency_path: String,
    pub period: String,
    pub metric: String,
    /// Hundredths of a percent.
    pub target: i64,
    pub set_by: Option<String>,
    pub set_at: i64,
    pub alerted_at: Option<i64>,
}

const COLUMNS: &str = "t.agency_id, a.path, t.period, t.metric, t.target, t.set_by, t.set_at, t.alerted_at";

fn row(r: &crate::Row) -> Result<TargetRow, StoreError> {
    Ok(TargetRow {
        agency_id: r.text(0)?,
        agency_path: r.text(1)?,
        period: r.text(2)?,
        metric: r.text(3)?,
        target: r.i64(4)?,
        set_by: r.opt_text(5)?,
        set_at: r.i64(6)?,
        alerted_at: r.opt_i64(7)?,
    })
}

/// Sets (or replaces) the target of (agency, period, metric). A replaced target starts
/// afresh: its alert stamp is cleared, so a new target at risk is alerted at once.
pub fn upsert(
    db: &mut Db,
    agency_id: &str,
    period: &str,
    metric: &str,
    target: i64,
    set_by: &str,
    now: i64,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO targets (agency_id, period, metric, target, set_by, set_at, alerted_at) VALUES ($1,$2,$3,$4,$5,$6,NULL) \
         ON CONFLICT (agency_id, period, metric) DO UPDATE SET target = excluded.target, set_by = excluded.set_by, \
         set_at = excluded.set_at, alerted_at = NULL",
        &params![agency_id, period, metric, target, set_by, now],
    )?;
    Ok(())
}

/// Deletes the target of (agency, period, metric); whether there was one.
pub fn delete(db: &mut Db, agency_id: &str, period: &str, metric: &str) -> Result<bool, StoreError> {
    Ok(db.execute(
        "DELETE FROM targets WHERE agency_id = $1 AND period = $2 AND metric = $3",
        &params![agency_id, period, metric],
    )? > 0)
}

/// The targets of `period` of the agencies in `scope`, by agency path and metric (at most
/// `limit`).
pub fn list(db: &mut Db, scope: &[String], period: &str, limit: usize) -> Result<Vec<TargetRow>, StoreError> {
    let mut q = SqlBuilder::new(&format!("SELECT {COLUMNS} FROM targets t JOIN agencies a ON a.id = t.agency_id WHERE "));
    let p = q.bind(period);
    q.push(&format!("t.period = {p} AND "));
    push_scope(&mut q, "a.path", scope);
    let l = q.bind(i64::try_from(limit).unwrap_or(i64::MAX));
    q.push(&format!(" ORDER BY a.path, t.metric LIMIT {l}"));
    db.query(&q.sql, &q.params)?.iter().map(row).collect()
}

/// The alert worker's read (every unit: it runs for the province): targets of `periods`
/// not alerted since `before` (never, or earlier), oldest alert first, at most `limit`.
pub fn due_for_alert(db: &mut Db, periods: &[String], before: i64, limit: usize) -> Result<Vec<TargetRow>, StoreError> {
    if periods.is_empty() {
        return Ok(Vec::new());
    }
    let mut q =
        SqlBuilder::new(&format!("SELECT {COLUMNS} FROM targets t JOIN agencies a ON a.id = t.agency_id WHERE t.period IN "));
    q.push_in(periods);
    let b = q.bind(before);
    let l = q.bind(i64::try_from(limit).unwrap_or(i64::MAX));
    q.push(&format!(
        " AND (t.alerted_at IS NULL OR t.alerted_at <= {b}) \
         ORDER BY COALESCE(t.alerted_at, 0), t.agency_id, t.period, t.metric LIMIT {l}"
    ));
    db.query(&q.sql, &q.params)?.iter().map(row).collect()
}

/// Stamps the alert of a target unless it was alerted after `before` (another process got
/// there first): whether this caller stamped it, hence must queue the alert.
pub fn stamp_alert(db: &mut Db, agency_id: &str, period: &str, metric: &str, now: i64, before: i64) -> Result<bool, StoreError> {
    Ok(db.execute(
        "UPDATE targets SET alerted_at = $4 WHERE agency_id = $1 AND period = $2 AND metric = $3 \
         AND (alerted_at IS NULL OR alerted_at <= $5)",
        &params![agency_id, period, metric, now, before],
    )? > 0)
}

/// Clears the alert stamp of a target no longer at risk: when it falls behind again, its
/// leaders hear of it at once (not a day after the previous alert).
pub fn clear_alert(db: &mut Db, agency_id: &str, period: &str, metric: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE targets SET alerted_at = NULL WHERE agency_id = $1 AND period = $2 AND metric = $3 AND alerted_at IS NOT NULL",
        &params![agency_id, period, metric],
    )?;
    Ok(())
}
