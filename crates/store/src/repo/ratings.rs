//! Ratings of counter visits (issue #18, SIPAS): one row per queue ticket, and the sums a
//! unit's summary reads, scoped to the unit subtrees inside the query.

use super::push_scope;
use crate::{Db, SqlBuilder, StoreError, params};

/// The constraint a second rating of the same ticket violates.
pub const ONCE: &str = "uq_ratings_subject";

/// The five scores in the order of `motcua_domain::dossier::RatingFactor::ALL`.
pub const SCORE_COLUMNS: [&str; 5] = ["score_access", "score_procedure", "score_officer", "score_result", "score_feedback"];

/// One visit rating as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitRating {
    pub id: String,
    pub subject_id: String,
    pub agency_id: String,
    pub agency_path: String,
    pub counter: Option<String>,
    pub officer_id: Option<String>,
    pub satisfied: bool,
    /// Per dimension (the order of [`SCORE_COLUMNS`]).
    pub scores: [Option<u8>; 5],
    pub low: bool,
    pub comment: Option<String>,
    pub rated_at: i64,
}

/// Writes a visit rating (`Unique` on [`ONCE`] when the ticket is already rated).
pub fn insert(db: &mut Db, r: &VisitRating) -> Result<(), StoreError> {
    let s = |i: usize| r.scores[i].map(i64::from);
    db.execute(
        "INSERT INTO ratings (id, subject_id, agency_id, agency_path, counter, officer_id, satisfied, score_access, \
         score_procedure, score_officer, score_result, score_feedback, low, comment, rated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)",
        &params![
            &r.id,
            &r.subject_id,
            &r.agency_id,
            &r.agency_path,
            r.counter.clone(),
            r.officer_id.clone(),
            i64::from(r.satisfied),
            s(0),
            s(1),
            s(2),
            s(3),
            s(4),
            i64::from(r.low),
            r.comment.clone(),
            r.rated_at
        ],
    )?;
    Ok(())
}

/// Whether the ticket has its rating.
pub fn rated(db: &mut Db, subject_id: &str) -> Result<bool, StoreError> {
    Ok(db.query_opt("SELECT 1 FROM ratings WHERE subject_id = $1", &params![subject_id])?.is_some())
}

/// The sums of the visit ratings of `[from_ms, to_ms)` in the subtrees `scope`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitSums {
    pub rated: i64,
    pub satisfied: i64,
    pub low: i64,
    /// (sum of scores, number of scores) per dimension, in the order of [`SCORE_COLUMNS`].
    pub scores: [(i64, i64); 5],
}

pub fn sums(db: &mut Db, scope: &[String], from_ms: i64, to_ms: i64) -> Result<VisitSums, StoreError> {
    let cols: Vec<String> =
        SCORE_COLUMNS.iter().map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT), CAST(COUNT({c}) AS BIGINT)")).collect();
    let mut q = SqlBuilder::new(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(satisfied), 0) AS BIGINT), CAST(COALESCE(SUM(low), 0) AS BIGINT), {} \
         FROM ratings WHERE ",
        cols.join(", ")
    ));
    let (a, b) = (q.bind(from_ms), q.bind(to_ms));
    q.push(&format!("rated_at >= {a} AND rated_at < {b} AND "));
    push_scope(&mut q, "agency_path", scope);
    let r = db.query_one(&q.sql, &q.params)?;
    let mut scores = [(0, 0); 5];
    for (i, s) in scores.iter_mut().enumerate() {
        *s = (r.i64(3 + 2 * i)?, r.i64(4 + 2 * i)?);
    }
    Ok(VisitSums { rated: r.i64(0)?, satisfied: r.i64(1)?, low: r.i64(2)?, scores })
}
