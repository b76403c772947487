//! Targets per unit and period (issue #16): leaders set them ("ít nhất 50 % hồ sơ trực
//! tuyến", "trên 90 % đúng hạn"), everyone who reads the indicators sees the progress, and the
//! deadline worker alerts a unit's leaders when one of its targets is at risk.
//!
//! The actual figures are the index's (`indicators::index` / `ranking`): the period's counter
//! sums, and indicator 2.1 for the on-time rate; the progress rule is
//! `motcua_domain::target::progress`.

use super::indicators::{self, Unit, UnitIndex};
use crate::auth::CurrentUser;
use crate::{AppContext, AppError};
use motcua_domain::authz::Permission;
use motcua_domain::index766::Period;
use motcua_domain::target::{self, Metric, Progress, Status};
use motcua_store::repo::audit::{self, ADMIN_CHAIN, NewAudit};
use motcua_store::repo::deadlines as marks;
use motcua_store::repo::outbox;
use motcua_store::repo::targets::{self as repo, TargetRow};
use serde_json::json;
use std::collections::BTreeMap;

/// The outbox topic of an alert (delivered by `deadlines::Notifier` to the unit's leaders).
pub const AT_RISK: &str = "target.at_risk";

/// A target is alerted again at most once a day while it stays at risk.
const ALERT_AGAIN_MS: i64 = 86_400_000;

/// Most targets one alert run reads (the targets of the current month, quarter and year).
const ALERT_BATCH: usize = 2_000;

/// Most targets one unit's page lists (its own and its sub-units').
const LIST_LIMIT: usize = 1_000;

/// The deadline marks' key of the alert runs (their last run time).
const ALERT_MARK: &str = "targets.at_risk";

/// One target with its progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetProgress {
    pub metric: Metric,
    pub progress: Progress,
    pub set_at: i64,
    /// Satisfaction only: (ratings, dossiers returned) of the period, the basis of its
    /// response rate, shown with every satisfaction figure (issue #18).
    pub responses: Option<(i64, i64)>,
}

/// A unit's targets of a period.
#[derive(Debug, Clone)]
pub struct UnitTargets {
    pub unit: Unit,
    pub targets: Vec<TargetProgress>,
}

impl UnitTargets {
    pub fn behind(&self) -> bool {
        self.targets.iter().any(|t| t.progress.status == Status::AtRisk)
    }
}

/// The targets of a unit and period with their progress, and its sub-units' (departments,
/// communes) that have targets.
#[derive(Debug, Clone)]
pub struct Overview {
    pub own: UnitTargets,
    pub period: Period,
    /// Days of the period elapsed (today included) and in all.
    pub elapsed_days: i64,
    pub total_days: i64,
    pub sub_units: Vec<UnitTargets>,
}

impl Overview {
    /// The sub-units falling behind: a target at risk.
    pub fn behind(&self) -> impl Iterator<Item = &UnitTargets> {
        self.sub_units.iter().filter(|u| u.behind())
    }
}

/// (elapsed, total) days of `period` on the local day of `now`.
fn elapsed(period: Period, now: i64) -> Result<(i64, i64), AppError> {
    let ts = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
    let today = motcua_domain::calendar::local_date(ts);
    let (from, to) = period.days();
    let total = i64::from((to - from).get_days()) + 1;
    let gone = i64::from((today - from).get_days()) + 1;
    Ok((gone.clamp(0, total), total))
}

/// The figures of `metric` in a unit's index: counter sums, or indicator 2.1's.
fn figures(x: &UnitIndex, metric: Metric) -> (i64, i64) {
    match metric.counters() {
        Some((num, den)) => {
            let sum = |ms: &[&str]| ms.iter().map(|m| x.counts.get(m)).sum::<i64>();
            (sum(num), sum(den))
        }
        None => x
            .result
            .indicators
            .iter()
            .find(|s| s.id == "2.1")
            .and_then(|s| s.figure)
            .map_or((0, 0), |f| (f.numerator, f.denominator)),
    }
}

fn progress_of(x: &UnitIndex, row: &TargetRow, (gone, total): (i64, i64)) -> Option<TargetProgress> {
    // A metric dropped from the code since it was stored is not shown (nor alerted).
    let metric = Metric::parse(&row.metric).ok()?;
    let (n, d) = figures(x, metric);
    let responses = (metric == Metric::Satisfaction).then(|| (d, x.counts.get("returned")));
    Some(TargetProgress { metric, progress: target::progress(row.target, n, d, gone, total), set_at: row.set_at, responses })
}

fn of_unit(x: &UnitIndex, rows: &[TargetRow], days: (i64, i64)) -> UnitTargets {
    let mut targets: Vec<TargetProgress> =
        rows.iter().filter(|r| r.agency_id == x.unit.id).filter_map(|r| progress_of(x, r, days)).collect();
    targets.sort_by_key(|t| t.metric);
    UnitTargets { unit: x.unit.clone(), targets }
}

/// The targets of a unit (none = the caller's) and period, with progress, and its
/// sub-units'. Readers of the indicators, in their scope.
pub async fn overview(ctx: &AppContext, current: &CurrentUser, unit: Option<&str>, period: Period) -> Result<Overview, AppError> {
    let (own, children) = indicators::ranking(ctx, current, unit, period).await?;
    let (scope, key) = (vec![own.unit.path.clone()], period.key());
    let rows = ctx.store.read(move |db| repo::list(db, &scope, &key, LIST_LIMIT)).await?;
    let days = elapsed(period, ctx.clock.now_ms())?;
    let mut sub_units: Vec<UnitTargets> =
        children.iter().map(|c| of_unit(c, &rows, days)).filter(|u| !u.targets.is_empty()).collect();
    sub_units.sort_by(|a, b| b.behind().cmp(&a.behind()).then_with(|| a.unit.code.cmp(&b.unit.code)));
    Ok(Overview { own: of_unit(&own, &rows, days), period, elapsed_days: days.0, total_days: days.1, sub_units })
}

/// What a leader asks to set.
#[derive(Debug, Clone)]
pub struct SetTarget {
    /// Agency id or code.
    pub unit: String,
    pub period: String,
    pub metric: String,
    pub target_percent: f64,
}

/// A stored target, as set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub unit: Unit,
    pub period: Period,
    pub metric: Metric,
    /// Hundredths of a percent.
    pub target: i64,
}

fn audit_target<'a>(
    db: &mut motcua_store::Db,
    actor: &'a str,
    now: i64,
    action: &'a str,
    unit: &'a Unit,
    key: &str,
    payload: serde_json::Value,
) -> Result<(), AppError> {
    audit::append(
        db,
        NewAudit {
            chain: ADMIN_CHAIN,
            at_ms: now,
            actor_id: Some(actor),
            action,
            entity_kind: "target",
            entity_id: key,
            agency_path: Some(&unit.path),
            payload,
        },
    )?;
    Ok(())
}

/// Sets (or replaces) a target of a unit in the caller's `SetTargets` scope.
pub async fn set(ctx: &AppContext, current: &CurrentUser, x: SetTarget) -> Result<Stored, AppError> {
    let unit = indicators::unit_for(ctx, current, Some(&x.unit), Permission::SetTargets).await?;
    let period = indicators::parse_period(&x.period)?;
    let metric = Metric::parse(&x.metric)?;
    let value = target::target_from_percent(x.target_percent)?;
    let (actor, now, key) = (current.user.id.clone(), ctx.clock.now_ms(), period.key());
    let u = unit.clone();
    ctx.store
        .write(move |db| {
            repo::upsert(db, &u.id, &key, metric.code(), value, &actor, now)?;
            let id = format!("{}/{key}/{}", u.id, metric.code());
            audit_target(db, &actor, now, "target.set", &u, &id, json!({"target": value}))
        })
        .await?;
    Ok(Stored { unit, period, metric, target: value })
}

/// Deletes a target of a unit in the caller's `SetTargets` scope (404 when there is none).
pub async fn delete(ctx: &AppContext, current: &CurrentUser, unit: &str, period: &str, metric: &str) -> Result<(), AppError> {
    let unit = indicators::unit_for(ctx, current, Some(unit), Permission::SetTargets).await?;
    let period = indicators::parse_period(period)?;
    let metric = Metric::parse(metric)?;
    let (actor, now, key) = (current.user.id.clone(), ctx.clock.now_ms(), period.key());
    let found = ctx
        .store
        .write(move |db| {
            if !repo::delete(db, &unit.id, &key, metric.code())? {
                return Ok(false);
            }
            let id = format!("{}/{key}/{}", unit.id, metric.code());
            audit_target(db, &actor, now, "target.deleted", &unit, &id, json!({}))?;
            Ok::<_, AppError>(true)
        })
        .await?;
    if found { Ok(()) } else { Err(AppError::not_found("target")) }
}

/// The month running now (the default period of the pages and the API).
pub fn this_month(ctx: &AppContext) -> Result<Period, AppError> {
    Ok(current_periods(ctx.clock.now_ms())?[0])
}

/// The periods running on the local day of `now`: its month, quarter and year.
fn current_periods(now: i64) -> Result<Vec<Period>, AppError> {
    let ts = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
    let d = motcua_domain::calendar::local_date(ts);
    Ok(vec![
        Period::Month { year: d.year(), month: d.month() },
        Period::Quarter { year: d.year(), quarter: (d.month() - 1) / 3 + 1 },
        Period::Year { year: d.year() },
    ])
}

/// One alert run: the targets of the current month, quarter and year that are at risk and
/// whose leaders were not alerted in the last day (or since the target was set, or since it
/// was last seen recovered) get one notification to the unit's leaders (the nearest unit up
/// with leaders), queued in the transaction that stamps `alerted_at`; several processes queue
/// each alert once. Bounded: at most `ALERT_BATCH` targets, oldest alert first. Returns how
/// many alerts were queued.
pub async fn alert(ctx: &AppContext) -> Result<usize, AppError> {
    let now = ctx.clock.now_ms();
    let periods = current_periods(now)?;
    let keys: Vec<String> = periods.iter().map(Period::key).collect();
    let before = now - ALERT_AGAIN_MS;
    let rows = ctx.store.read(move |db| repo::due_for_alert(db, &keys, before, ALERT_BATCH)).await?;
    let mut groups: BTreeMap<(String, String), Vec<TargetRow>> = BTreeMap::new();
    for r in rows {
        groups.entry((r.agency_id.clone(), r.period.clone())).or_default().push(r);
    }
    let (mut raise, mut clear) = (Vec::new(), Vec::new());
    for ((agency, key), rows) in groups {
        let Some(period) = periods.iter().copied().find(|p| p.key() == key) else { continue };
        // One unit failing (removed meanwhile) must not stop the others' alerts.
        let x = match indicators::index_of(ctx, &agency, period).await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!(agency, period = key, error = %e, "target progress not computed");
                continue;
            }
        };
        let days = elapsed(period, now)?;
        for r in rows {
            let Some(t) = progress_of(&x, &r, days) else { continue };
            if t.progress.status == Status::AtRisk {
                let p = json!({
                    "kind": "target_at_risk",
                    "agency_path": r.agency_path,
                    "unit": x.unit.name,
                    "unit_id": r.agency_id,
                    "period": r.period,
                    "metric": r.metric,
                    "target": t.progress.target,
                    "actual": t.progress.actual,
                    "numerator": t.progress.numerator,
                    "denominator": t.progress.denominator,
                    "to": {"leaders_of": r.agency_path},
                });
                raise.push((r, p));
            } else if r.alerted_at.is_some() {
                clear.push(r);
            }
        }
    }
    let queued = ctx
        .store
        .write(move |db| {
            let mut n = 0;
            for (r, p) in &raise {
                if repo::stamp_alert(db, &r.agency_id, &r.period, &r.metric, now, before)? {
                    let subject = format!("target:{}/{}/{}", r.agency_id, r.period, r.metric);
                    // Keyed by the target as set (a replaced one is a new subject).
                    if outbox::enqueue_once(db, (&subject, now, AT_RISK, r.set_at), AT_RISK, None, p, now)? {
                        n += 1;
                    }
                }
            }
            for r in &clear {
                repo::clear_alert(db, &r.agency_id, &r.period, &r.metric)?;
            }
            Ok::<_, AppError>(n)
        })
        .await?;
    Ok(queued)
}

/// The deadline worker's call: an alert run when the last one is at least
/// `deadline_sweep_secs` old (default an hour: the index is computed per unit, too much for
/// every scan), its time kept in the deadline marks so restarts and processes share it.
pub async fn alert_due(ctx: &AppContext) -> Result<usize, AppError> {
    let now = ctx.clock.now_ms();
    let every = i64::try_from(ctx.config.workers.deadline_sweep_secs).unwrap_or(i64::MAX).saturating_mul(1000);
    let last = ctx.store.read(|db| marks::mark(db, ALERT_MARK, 0)).await?.map(|m| m.swept_at);
    if last.is_some_and(|at| now < at.saturating_add(every)) {
        return Ok(0);
    }
    let n = alert(ctx).await?;
    ctx.store.write(move |db| marks::advance(db, ALERT_MARK, 0, None, Some(now))).await?;
    Ok(n)
}
