//! Reads of the operations dashboard (issue #16) that the counters cannot answer: which
//! dossiers a number counts (its drill-down) and the dossiers overdue right now. Both are
//! bounded pages of ids over the units in scope (the scope goes into the query), on the
//! same column the counters attribute a dossier by: its competent agency, else where it was
//! received.

use super::push_scope;
use crate::{Db, SqlBuilder, StoreError};

/// The unit a dossier counts for (`Dossier::accountable`), as stored.
const ACCOUNTABLE: &str = "COALESCE(competent_path, receiving_path)";

/// Which dossiers a number of the dashboard counts, over a period `[from_ms, to_ms)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Received in the period (`received`).
    Received,
    /// Received in the period through a channel (`counter`, `online`, `postal`).
    ReceivedBy(&'static str),
    /// Finished in the period (`finished`): decided, refused after appraisal, stopped or
    /// withdrawn with a timeliness.
    Finished,
    /// Finished early or on time (`finished_early` + `finished_on_time`).
    FinishedOnTime,
    /// Finished late (`finished_late`).
    FinishedLate,
    /// In progress at the instant given (received before it, not finished before it): the
    /// counters' `received` − `closed` up to then.
    OpenAt(i64),
    /// Open, past its legal due time at the instant given.
    OverdueAt(i64),
}

#[derive(Debug, Clone)]
pub struct Filter {
    /// Agency path prefixes (the unit).
    pub scope: Vec<String>,
    pub from_ms: i64,
    pub to_ms: i64,
    pub procedure: Option<String>,
    pub kind: Kind,
    pub limit: i64,
    pub offset: i64,
}

fn push_where(q: &mut SqlBuilder, f: &Filter) {
    q.push(" FROM dossiers WHERE status <> 'draft' AND ");
    push_scope(q, ACCOUNTABLE, &f.scope);
    // Each arm binds only what it reads (PostgreSQL refuses a parameter of unknown type).
    let range = |q: &mut SqlBuilder, column: &str| {
        let (a, b) = (q.bind(f.from_ms), q.bind(f.to_ms));
        q.push(&format!(" AND {column} >= {a} AND {column} < {b}"));
    };
    match f.kind {
        Kind::Received => range(q, "received_at"),
        Kind::ReceivedBy(channel) => {
            range(q, "received_at");
            let c = q.bind(channel);
            q.push(&format!(" AND channel = {c}"));
        }
        Kind::Finished => {
            range(q, "finished_at");
            q.push(" AND timeliness IS NOT NULL");
        }
        Kind::FinishedOnTime => {
            range(q, "finished_at");
            q.push(" AND timeliness IN ('early', 'on_time')");
        }
        Kind::FinishedLate => {
            range(q, "finished_at");
            q.push(" AND timeliness = 'late'");
        }
        Kind::OpenAt(t) => {
            let (a, b) = (q.bind(t), q.bind(t));
            q.push(&format!(
                " AND received_at IS NOT NULL AND received_at < {a} AND (finished_at IS NULL OR finished_at >= {b})"
            ));
        }
        // The partial index `ix_dossiers_open_due` (due_at, id) serves this order.
        Kind::OverdueAt(now) => {
            let n = q.bind(now);
            q.push(&format!(" AND finished_at IS NULL AND due_at IS NOT NULL AND due_at < {n}"));
        }
    }
    if let Some(p) = &f.procedure {
        let p = q.bind(p.as_str());
        q.push(&format!(" AND procedure_code = {p}"));
    }
}

/// The ids of the dossiers a number counts (a page of at most `limit`, in the number's
/// order: due time for overdue ones, else the time received or finished), and how many in all.
pub fn dossiers(db: &mut Db, f: &Filter) -> Result<(Vec<String>, i64), StoreError> {
    let order = match f.kind {
        Kind::OverdueAt(_) => "due_at, id",
        Kind::Received | Kind::ReceivedBy(_) | Kind::OpenAt(_) => "received_at, id",
        Kind::Finished | Kind::FinishedOnTime | Kind::FinishedLate => "finished_at, id",
    };
    let mut q = SqlBuilder::new("SELECT id");
    push_where(&mut q, f);
    let (l, o) = (q.bind(f.limit.clamp(0, 500)), q.bind(f.offset.max(0)));
    q.push(&format!(" ORDER BY {order} LIMIT {l} OFFSET {o}"));
    let ids = db.query(&q.sql, &q.params)?.iter().map(|r| r.text(0)).collect::<Result<Vec<_>, _>>()?;
    let mut c = SqlBuilder::new("SELECT COUNT(*)");
    push_where(&mut c, f);
    let total = db.query_one(&c.sql, &c.params)?.i64(0)?;
    Ok((ids, total))
}

/// The open dossiers of the units in `scope` past their legal due time at `now`, the most
/// overdue first: at most `limit` ids, and how many in all.
pub fn overdue_now(db: &mut Db, scope: &[String], now: i64, limit: i64) -> Result<(Vec<String>, i64), StoreError> {
    let f = Filter {
        scope: scope.to_vec(),
        from_ms: i64::MIN,
        to_ms: i64::MAX,
        procedure: None,
        kind: Kind::OverdueAt(now),
        limit,
        offset: 0,
    };
    dossiers(db, &f)
}
