//! Satisfaction ratings (issue #18, SIPAS; REQ-30, QĐ 766 indicator 5.4): the five
//! dimensions on a 5-point scale with the overall like/dislike the index counts.
//!
//! A dossier's rating is its `rated` event (commands `Rate`, `RateAtCounter`); a counter
//! visit's rating is a row of `ratings` keyed by the queue ticket (`rate_visit`). Both are
//! given by the applicant, never through the handling officer's session. A low rating (a
//! dislike or a dimension at 2 or less) goes to the leaders of the accountable unit as an
//! in-app notification (topic [`LOW`], delivered by the deadline worker's consumer), which
//! names the dossier or ticket and the answers, not who rated.

use crate::auth::CurrentUser;
use crate::{AppContext, AppError};
use motcua_domain::authz::Permission;
use motcua_domain::dossier::{self, FactorRating, RatingFactor};
use motcua_domain::error::ValidationError;
use motcua_store::Db;
use motcua_store::repo::ratings as repo;
use serde::Serialize;
use serde_json::json;

/// The outbox topic of a low rating: `{to: {leaders_of: path}, ...}`.
pub const LOW: &str = "rating.low";

/// The applicant's answers: the overall like/dislike (required), the dimensions scored
/// (each optional, 1..5, at most once) and a comment (optional, at most 2000 characters).
#[derive(Debug, Clone, Default)]
pub struct Answers {
    pub satisfied: bool,
    pub factors: Vec<FactorRating>,
    pub comment: Option<String>,
}

/// The counter visit rated: the queue ticket (`queue_tickets.id`), the centre, the counter
/// and the officer who served it.
#[derive(Debug, Clone)]
pub struct VisitRef {
    pub ticket_id: String,
    pub agency_id: String,
    pub counter: Option<String>,
    pub officer_id: Option<String>,
}

/// Queues the leaders' notification of a low rating, in the rating's transaction. `what`
/// names the subject (`{"code": ...}` of a dossier, `{"ticket": ...}` of a visit).
pub(crate) fn route_low(
    db: &mut Db,
    unit_path: &str,
    dossier_id: Option<&str>,
    what: serde_json::Value,
    satisfied: bool,
    factors: &[FactorRating],
    at: i64,
) -> Result<(), AppError> {
    if !dossier::low_rating(satisfied, factors) {
        return Ok(());
    }
    let scores: serde_json::Map<String, serde_json::Value> =
        factors.iter().filter_map(|f| Some((f.factor.code().to_string(), json!(f.score?)))).collect();
    let mut p = json!({"to": {"leaders_of": unit_path}, "satisfied": satisfied, "scores": scores});
    if let (Some(p), Some(w)) = (p.as_object_mut(), what.as_object()) {
        p.extend(w.clone());
    }
    motcua_store::repo::outbox::enqueue_due(db, LOW, dossier_id, &p, at, at)?;
    Ok(())
}

/// Rates a counter visit, once per ticket (409 `already_rated` after). Called by the queue's
/// pages with the ticket the applicant holds; answered by the applicant, so no officer is
/// asked for.
pub async fn rate_visit(ctx: &AppContext, visit: VisitRef, answers: Answers) -> Result<repo::VisitRating, AppError> {
    let (comment, factors) = motcua_domain::dossier::check_rating(answers.comment, answers.factors)?;
    if visit.ticket_id.trim().is_empty() || visit.ticket_id.len() > 64 {
        return Err(ValidationError::single("ticket_id", "invalid_ticket", "Số phiếu không hợp lệ.", "Invalid ticket.").into());
    }
    let at = ctx.clock.now_ms();
    let satisfied = answers.satisfied;
    ctx.store
        .write(move |db| {
            let agency = match motcua_store::repo::agencies::get(db, &visit.agency_id) {
                Ok(a) => a,
                Err(motcua_store::StoreError::NotFound) => return Err(AppError::not_found("agency")),
                Err(e) => return Err(e.into()),
            };
            if repo::rated(db, &visit.ticket_id)? {
                return Err(already_rated());
            }
            let mut scores = [None; 5];
            for f in &factors {
                if let Some(i) = RatingFactor::ALL.iter().position(|x| *x == f.factor) {
                    scores[i] = f.score;
                }
            }
            let row = repo::VisitRating {
                id: motcua_store::repo::new_id(),
                subject_id: visit.ticket_id.clone(),
                agency_id: agency.id.clone(),
                agency_path: agency.path.clone(),
                counter: visit.counter.clone(),
                officer_id: visit.officer_id.clone(),
                satisfied,
                scores,
                low: dossier::low_rating(satisfied, &factors),
                comment,
                rated_at: at,
            };
            repo::insert(db, &row).map_err(|e| match e {
                motcua_store::StoreError::Unique { .. } => already_rated(),
                other => other.into(),
            })?;
            route_low(db, &agency.path, None, json!({"ticket": visit.ticket_id}), satisfied, &factors, at)?;
            Ok(row)
        })
        .await
}

fn already_rated() -> AppError {
    AppError::Conflict {
        code: "already_rated",
        field: None,
        vi: "Lượt phục vụ này đã được đánh giá; mỗi lượt chỉ đánh giá một lần.",
        en: "This visit was already rated; each visit is rated once.",
    }
}

/// One dimension's figures: the average score (hundredths, 100..500) over the answers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FactorFigure {
    pub factor: String,
    pub name: String,
    pub answers: i64,
    pub score_sum: i64,
    /// `score_sum / answers` rounded to two decimals; none without answers.
    pub average: Option<f64>,
}

/// The figures of one kind of rating (dossiers or counter visits).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Block {
    pub rated: i64,
    pub satisfied: i64,
    pub unsatisfied: i64,
    /// Likes / ratings, in % (one decimal); none without ratings.
    pub like_rate: Option<f64>,
    /// What the rate is over: dossiers returned in the period (none for visits: the
    /// tickets are the queue's).
    pub basis: Option<i64>,
    /// Ratings / basis, in %.
    pub response_rate: Option<f64>,
    pub low: i64,
    pub factors: Vec<FactorFigure>,
}

/// The ratings summary of a unit subtree over days `[from, to]`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub from: String,
    pub to: String,
    pub dossiers: Block,
    pub visits: Block,
}

/// `part / whole` in %, one decimal; none when `whole` is 0.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

fn average(sum: i64, n: i64) -> Option<f64> {
    (n > 0).then(|| (sum as f64 * 100.0 / n as f64).round() / 100.0)
}

fn factor_figures(sums: impl Fn(RatingFactor) -> (i64, i64)) -> Vec<FactorFigure> {
    RatingFactor::ALL
        .into_iter()
        .map(|f| {
            let (sum, n) = sums(f);
            FactorFigure {
                factor: f.code().into(),
                name: f.name_vi().into(),
                answers: n,
                score_sum: sum,
                average: average(sum, n),
            }
        })
        .collect()
}

/// The dossier ratings' block from the counters (`rated_*`, `returned`) of a period.
pub fn dossier_block(get: impl Fn(&str) -> i64) -> Block {
    let (yes, no) = (get("rated_satisfied"), get("rated_unsatisfied"));
    let rated = yes + no;
    let returned = get("returned");
    Block {
        rated,
        satisfied: yes,
        unsatisfied: no,
        like_rate: percent(yes, rated),
        basis: Some(returned),
        response_rate: percent(rated, returned),
        low: get("rated_low"),
        factors: factor_figures(|f| (get(&format!("rated_{}_score_sum", f.code())), get(&format!("rated_{}_count", f.code())))),
    }
}

/// The ratings summary for leaders and supervisors (`ViewIndicators`): of `unit` (an agency
/// id or code in their scope; absent = all of their scope) over the days `[from, to]` (YYYY-MM-DD).
pub async fn summary(
    ctx: &AppContext,
    user: &CurrentUser,
    unit: Option<&str>,
    from: &str,
    to: &str,
) -> Result<Summary, AppError> {
    let mut scope = motcua_domain::authz::scope(&user.principal, Permission::ViewIndicators);
    if scope.is_empty() {
        return Err(AppError::Forbidden);
    }
    let parse = |field: &'static str, s: &str| {
        motcua_domain::calendar::parse_date(s.trim()).map_err(|_| {
            AppError::from(ValidationError::single(
                field,
                "invalid_date",
                "Ngày không hợp lệ (YYYY-MM-DD).",
                "Invalid date (YYYY-MM-DD).",
            ))
        })
    };
    let (from_d, to_d) = (parse("from", from)?, parse("to", to)?);
    super::indicators::check_range(from_d, to_d, 3_700)?;
    let start = super::reconciliation::day_start_ms(from_d)?;
    let end = super::reconciliation::day_start_ms(to_d.tomorrow().map_err(|e| AppError::Internal(e.to_string()))?)?;
    let unit = unit.map(str::trim).filter(|u| !u.is_empty()).map(str::to_string);
    let (from_s, to_s) = (from_d.to_string(), to_d.to_string());
    ctx.store
        .read(move |db| {
            let mut unit_name = None;
            if let Some(id) = &unit {
                // Out of scope reads as absent, so units cannot be probed.
                let a = match motcua_store::repo::agencies::find(db, id)? {
                    Some(a) => a,
                    None => motcua_store::repo::agencies::get_by_code(db, id)?.ok_or(AppError::not_found("agency"))?,
                };
                if !scope.iter().any(|p| a.path.starts_with(p.as_str())) {
                    return Err(AppError::not_found("agency"));
                }
                unit_name = Some(a.name.clone());
                scope = vec![a.path];
            }
            let totals = motcua_store::repo::dossiers::kpi_totals(db, &scope, &from_s, &to_s)?;
            let get = |m: &str| totals.iter().find(|(k, _)| k == m).map_or(0, |(_, v)| *v);
            let dossiers = dossier_block(get);
            let v = repo::sums(db, &scope, start, end)?;
            let visits = Block {
                rated: v.rated,
                satisfied: v.satisfied,
                unsatisfied: v.rated - v.satisfied,
                like_rate: percent(v.satisfied, v.rated),
                basis: None,
                response_rate: None,
                low: v.low,
                factors: factor_figures(|f| RatingFactor::ALL.iter().position(|x| *x == f).map_or((0, 0), |i| v.scores[i])),
            };
            Ok(Summary { unit_id: unit, unit_name, from: from_s, to: to_s, dossiers, visits })
        })
        .await
}

/// A low rating's answers in words (the officers' e-mail and notifications page): the like
/// or dislike and each dimension's score.
pub fn low_detail_vi(p: &serde_json::Value) -> String {
    let mut parts = vec![if p["satisfied"].as_bool() == Some(true) { "Hài lòng" } else { "Không hài lòng" }.to_string()];
    for f in RatingFactor::ALL {
        if let Some(s) = p["scores"][f.code()].as_i64() {
            parts.push(format!("{}: {s}/5", f.name_vi()));
        }
    }
    parts.join("; ")
}
