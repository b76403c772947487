//! What the deadline worker reads: open dossiers by step deadline or legal deadline, after a
//! scan's mark or (a sweep) all those with no reminder of a kind yet; the marks; and the open
//! dossiers each unit holds (the daily digest).

use crate::{Db, StoreError, params};

/// The deadline a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// The current step's (`step_due_at`).
    Step,
    /// The dossier's legal one (`due_at`).
    Dossier,
}

impl Deadline {
    pub fn code(self) -> &'static str {
        match self {
            Deadline::Step => "step",
            Deadline::Dossier => "dossier",
        }
    }
    fn column(self) -> &'static str {
        match self {
            Deadline::Step => "step_due_at",
            Deadline::Dossier => "due_at",
        }
    }
}

/// The dossiers whose clock runs (a paused dossier waits for the applicant, not for an officer).
const RUNNING: &str = "d.status IN ('received','in_progress')";

#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    pub code: Option<String>,
    pub due_at: i64,
    pub current_path: String,
    pub current_step_role: Option<String>,
    pub procedure_code: String,
}

/// Open dossiers whose `deadline` is in `(after, until]` (`after` None = no lower bound) and
/// that have no `reminder_keys` row (id, deadline, `kind`, `threshold`) yet; earliest first,
/// at most `limit`.
pub fn candidates(
    db: &mut Db,
    deadline: Deadline,
    kind: &str,
    threshold: i64,
    after: Option<i64>,
    until: i64,
    limit: usize,
) -> Result<Vec<Candidate>, StoreError> {
    let c = deadline.column();
    let lower = if after.is_some() { format!(" AND d.{c} > $5") } else { String::new() };
    let sql = format!(
        "SELECT d.id, d.code, d.{c}, d.current_path, d.current_step_role, d.procedure_code FROM dossiers d \
         WHERE d.finished_at IS NULL AND d.{c} IS NOT NULL AND d.{c} <= $1{lower} AND {RUNNING} \
         AND NOT EXISTS (SELECT 1 FROM reminder_keys k WHERE k.subject = d.id AND k.due_at = d.{c} AND k.kind = $2 AND k.threshold = $3) \
         ORDER BY d.{c}, d.id LIMIT $4"
    );
    let lim = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = match after {
        Some(a) => db.query(&sql, &params![until, kind, threshold, lim, a])?,
        None => db.query(&sql, &params![until, kind, threshold, lim])?,
    };
    rows.iter().map(candidate).collect()
}

fn candidate(r: &crate::Row) -> Result<Candidate, StoreError> {
    Ok(Candidate {
        id: r.text(0)?,
        code: r.opt_text(1)?,
        due_at: r.i64(2)?,
        current_path: r.text(3)?,
        current_step_role: r.opt_text(4)?,
        procedure_code: r.text(5)?,
    })
}

/// Open dossiers whose `deadline` is after `mark` (`(deadline, id) > mark`, None = from the
/// start) and at most `until`, in (deadline, id) order, at most `limit`: the index range after
/// the mark, whether reminded or not (the reminders' keys still dedupe).
pub fn after_mark(
    db: &mut Db,
    deadline: Deadline,
    mark: Option<(i64, &str)>,
    until: i64,
    limit: usize,
) -> Result<Vec<Candidate>, StoreError> {
    let c = deadline.column();
    let lower = if mark.is_some() { format!(" AND (d.{c}, d.id) > ($3, $4)") } else { String::new() };
    let sql = format!(
        "SELECT d.id, d.code, d.{c}, d.current_path, d.current_step_role, d.procedure_code FROM dossiers d \
         WHERE d.finished_at IS NULL AND d.{c} IS NOT NULL AND d.{c} <= $1{lower} AND {RUNNING} \
         ORDER BY d.{c}, d.id LIMIT $2"
    );
    let lim = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = match mark {
        Some((due, id)) => db.query(&sql, &params![until, lim, due, id])?,
        None => db.query(&sql, &params![until, lim])?,
    };
    rows.iter().map(candidate).collect()
}

/// The last running dossier (deadline, id) with its `deadline` at most `until`: where a
/// completed sweep puts the mark.
pub fn last_until(db: &mut Db, deadline: Deadline, until: i64) -> Result<Option<(i64, String)>, StoreError> {
    let c = deadline.column();
    db.query_opt(
        &format!(
            "SELECT d.{c}, d.id FROM dossiers d WHERE d.finished_at IS NULL AND d.{c} IS NOT NULL AND d.{c} <= $1 \
             AND {RUNNING} ORDER BY d.{c} DESC, d.id DESC LIMIT 1"
        ),
        &params![until],
    )?
    .map(|r| Ok((r.i64(0)?, r.text(1)?)))
    .transpose()
}

/// A scan's mark: every running dossier up to (`due_at`, `dossier_id`) has been handled
/// (None: nothing yet); the last sweep completed at `swept_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub at: Option<(i64, String)>,
    pub swept_at: i64,
}

pub fn mark(db: &mut Db, scan: &str, threshold: i64) -> Result<Option<Mark>, StoreError> {
    db.query_opt(
        "SELECT due_at, dossier_id, swept_at FROM deadline_marks WHERE scan = $1 AND threshold = $2",
        &params![scan, threshold],
    )?
    .map(|r| {
        let at = match (r.opt_i64(0)?, r.opt_text(1)?) {
            (Some(due), Some(id)) => Some((due, id)),
            _ => None,
        };
        Ok(Mark { at, swept_at: r.i64(2)? })
    })
    .transpose()
}

/// Moves a scan's mark forward to `to` and its sweep time to `swept_at`, each only if later
/// than the stored one: scans of several processes may finish in any order, and one that read
/// less must not move the mark back (nor forward past what another has not handled: each
/// scan only proposes what it handled itself).
pub fn advance(
    db: &mut Db,
    scan: &str,
    threshold: i64,
    to: Option<(i64, &str)>,
    swept_at: Option<i64>,
) -> Result<(), StoreError> {
    let (due, id) = (to.map(|t| t.0), to.map(|t| t.1));
    db.execute(
        "INSERT INTO deadline_marks (scan, threshold, due_at, dossier_id, swept_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (scan, threshold) DO NOTHING",
        &params![scan, threshold, due, id, swept_at.unwrap_or(0)],
    )?;
    if let Some((due, id)) = to {
        db.execute(
            "UPDATE deadline_marks SET due_at = $3, dossier_id = $4 WHERE scan = $1 AND threshold = $2 \
             AND (due_at IS NULL OR (due_at, dossier_id) < ($3, $4))",
            &params![scan, threshold, due, id],
        )?;
    }
    if let Some(at) = swept_at {
        db.execute(
            "UPDATE deadline_marks SET swept_at = $3 WHERE scan = $1 AND threshold = $2 AND swept_at < $3",
            &params![scan, threshold, at],
        )?;
    }
    Ok(())
}

/// What one unit holds: (agency path, open, overdue, due soon) by step deadline.
pub type UnitLoad = (String, i64, i64, i64);

/// The open dossiers per holding unit, with how many are overdue (`step_due_at <= now`) and
/// due soon (`now < step_due_at <= soon`).
pub fn unit_loads(db: &mut Db, now: i64, soon: i64) -> Result<Vec<UnitLoad>, StoreError> {
    db.query(
        &format!(
            "SELECT d.current_path, COUNT(*), \
             CAST(SUM(CASE WHEN d.step_due_at <= $1 THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN d.step_due_at > $2 AND d.step_due_at <= $3 THEN 1 ELSE 0 END) AS BIGINT) \
             FROM dossiers d WHERE d.finished_at IS NULL AND {RUNNING} GROUP BY d.current_path ORDER BY d.current_path"
        ),
        &params![now, now, soon],
    )?
    .iter()
    .map(|r| Ok((r.text(0)?, r.i64(1)?, r.i64(2)?, r.i64(3)?)))
    .collect()
}
