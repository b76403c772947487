//! What the deadline worker reads: open dossiers by step deadline or legal deadline that have
//! no reminder of a kind yet, and the open dossiers each unit holds (the daily digest).

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
    rows.iter()
        .map(|r| {
            Ok(Candidate {
                id: r.text(0)?,
                code: r.opt_text(1)?,
                due_at: r.i64(2)?,
                current_path: r.text(3)?,
                current_step_role: r.opt_text(4)?,
                procedure_code: r.text(5)?,
            })
        })
        .collect()
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
