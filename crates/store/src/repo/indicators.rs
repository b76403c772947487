//! Reads of the indicator counters (issue #16) and the records leaders keep beside them:
//! point-table revisions, imported figures, targets. Every read takes the unit subtrees it
//! may sum (agency path prefixes) and puts them in the query.

use super::push_scope;
use crate::{Db, SqlBuilder, StoreError, params};

/// (metric, sum).
pub type Sum = (String, i64);

fn push_agencies(q: &mut SqlBuilder, scope: &[String]) {
    q.push("agency_id IN (SELECT id FROM agencies WHERE ");
    push_scope(q, "path", scope);
    q.push(")");
}

fn push_metrics(q: &mut SqlBuilder, metrics: &[&str]) {
    if metrics.is_empty() {
        return;
    }
    q.push(" AND metric IN (");
    for (i, m) in metrics.iter().enumerate() {
        if i > 0 {
            q.push(",");
        }
        let p = q.bind(*m);
        q.push(&p);
    }
    q.push(")");
}

/// Sums per (month, metric) over months `[from, to]` (trend charts).
pub fn by_month(
    db: &mut Db,
    scope: &[String],
    from: &str,
    to: &str,
    metrics: &[&str],
) -> Result<Vec<(String, String, i64)>, StoreError> {
    by_period(db, "kpi_monthly", "month", scope, from, to, metrics)
}

/// Sums per (day, metric) over days `[from, to]` (YYYY-MM-DD; trend charts of a month).
pub fn by_day(
    db: &mut Db,
    scope: &[String],
    from: &str,
    to: &str,
    metrics: &[&str],
) -> Result<Vec<(String, String, i64)>, StoreError> {
    by_period(db, "kpi_daily", "day", scope, from, to, metrics)
}

/// Sums per (period, metric) of one counter table (`column` is its month or day).
fn by_period(
    db: &mut Db,
    table: &str,
    column: &str,
    scope: &[String],
    from: &str,
    to: &str,
    metrics: &[&str],
) -> Result<Vec<(String, String, i64)>, StoreError> {
    let mut q = SqlBuilder::new(&format!("SELECT {column}, metric, CAST(SUM(value) AS BIGINT) FROM {table} WHERE "));
    let (a, b) = (q.bind(from), q.bind(to));
    q.push(&format!("{column} >= {a} AND {column} <= {b} AND "));
    push_agencies(&mut q, scope);
    push_metrics(&mut q, metrics);
    q.push(&format!(" GROUP BY {column}, metric ORDER BY {column}, metric"));
    db.query(&q.sql, &q.params)?.iter().map(|r| Ok((r.text(0)?, r.text(1)?, r.i64(2)?))).collect()
}

/// Sums per (agency, procedure, metric) over months `[from, to]` of the units in `scope`:
/// the one read the index of a unit and all its sub-units is computed from. The rows come in
/// key order from the primary key and are summed here: SQLite's GROUP BY over them needed a
/// temporary B-tree that cost three times the read (24,000 rows of a province's year).
pub fn period_rows(
    db: &mut Db,
    scope: &[String],
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, String, i64)>, StoreError> {
    let mut q = SqlBuilder::new("SELECT agency_id, procedure_code, metric, value FROM kpi_monthly WHERE ");
    let (a, b) = (q.bind(from), q.bind(to));
    q.push(&format!("month >= {a} AND month <= {b} AND "));
    push_agencies(&mut q, scope);
    let mut sums: std::collections::HashMap<(String, String, String), i64> = std::collections::HashMap::new();
    for r in db.query(&q.sql, &q.params)? {
        *sums.entry((r.text(0)?, r.text(1)?, r.text(2)?)).or_default() += r.i64(3)?;
    }
    Ok(sums.into_iter().map(|((a, p, m), v)| (a, p, m, v)).collect())
}

/// Sums per (agency, metric) of every month up to `to` (inclusive) for `metrics`: the state
/// counters at the end of that month, per agency.
pub fn cumulative_rows(
    db: &mut Db,
    scope: &[String],
    to: &str,
    metrics: &[&str],
) -> Result<Vec<(String, String, i64)>, StoreError> {
    let mut q = SqlBuilder::new("SELECT agency_id, metric, CAST(SUM(value) AS BIGINT) FROM kpi_monthly WHERE ");
    let b = q.bind(to);
    q.push(&format!("month <= {b} AND "));
    push_agencies(&mut q, scope);
    push_metrics(&mut q, metrics);
    q.push(" GROUP BY agency_id, metric");
    db.query(&q.sql, &q.params)?.iter().map(|r| Ok((r.text(0)?, r.text(1)?, r.i64(2)?))).collect()
}

/// Every monthly counter row (the rebuild check): (agency, procedure, month, metric, value).
pub fn monthly_all(db: &mut Db) -> Result<Vec<super::dossiers::KpiRow>, StoreError> {
    db.query("SELECT agency_id, procedure_code, month, metric, value FROM kpi_monthly ORDER BY 1, 2, 3, 4", &[])?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?, r.text(2)?, r.text(3)?, r.i64(4)?)))
        .collect()
}

/// A stored revision of the point table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointTableRow {
    pub version: String,
    pub effective_from: String,
    pub body: String,
    pub created_by: Option<String>,
    pub created_at: i64,
}

pub fn point_tables(db: &mut Db) -> Result<Vec<PointTableRow>, StoreError> {
    db.query(
        "SELECT version, effective_from, body, created_by, created_at FROM index_point_tables ORDER BY effective_from, version",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(PointTableRow {
            version: r.text(0)?,
            effective_from: r.text(1)?,
            body: r.text(2)?,
            created_by: r.opt_text(3)?,
            created_at: r.i64(4)?,
        })
    })
    .collect()
}

pub fn insert_point_table(db: &mut Db, row: &PointTableRow) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO index_point_tables (version, effective_from, body, created_by, created_at) VALUES ($1,$2,$3,$4,$5)",
        &params![&row.version, &row.effective_from, &row.body, row.created_by.as_deref(), row.created_at],
    )?;
    Ok(())
}

/// An imported figure of one indicator, unit and period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub agency_id: String,
    pub period: String,
    pub indicator: String,
    pub numerator: i64,
    pub denominator: i64,
    pub note: Option<String>,
    pub imported_by: Option<String>,
    pub imported_at: i64,
}

/// Replaces the figure of (unit, period, indicator).
pub fn upsert_import(db: &mut Db, i: &Imported) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO index_imports (agency_id, period, indicator, numerator, denominator, note, imported_by, imported_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (agency_id, period, indicator) DO UPDATE SET \
         numerator = excluded.numerator, denominator = excluded.denominator, note = excluded.note, \
         imported_by = excluded.imported_by, imported_at = excluded.imported_at",
        &params![
            &i.agency_id,
            &i.period,
            &i.indicator,
            i.numerator,
            i.denominator,
            i.note.as_deref(),
            i.imported_by.as_deref(),
            i.imported_at
        ],
    )?;
    Ok(())
}

/// The imported figures of one unit and period.
pub fn imports(db: &mut Db, agency_id: &str, period: &str) -> Result<Vec<Imported>, StoreError> {
    db.query(
        "SELECT agency_id, period, indicator, numerator, denominator, note, imported_by, imported_at FROM index_imports \
         WHERE agency_id = $1 AND period = $2 ORDER BY indicator",
        &params![agency_id, period],
    )?
    .iter()
    .map(|r| {
        Ok(Imported {
            agency_id: r.text(0)?,
            period: r.text(1)?,
            indicator: r.text(2)?,
            numerator: r.i64(3)?,
            denominator: r.i64(4)?,
            note: r.opt_text(5)?,
            imported_by: r.opt_text(6)?,
            imported_at: r.i64(7)?,
        })
    })
    .collect()
}
