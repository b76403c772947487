//! The operations centre (issue #16): what the dashboard, the 766 drill-down and the wall
//! view of a unit show, for readers of the indicators (`Permission::ViewIndicators`) over
//! the units in their scope (`indicators::unit_for`).
//!
//! The figures are the counters' (`indicators::index` / `ranking`): a unit's numbers never
//! scan dossiers. Only the lists behind a number read dossiers, a bounded page at a time,
//! through `repo::dashboard` on the same attribution as the counters (the competent agency,
//! else where received), so a number and its list agree.

use super::indicators::{self, Unit, UnitIndex};
use crate::auth::CurrentUser;
use crate::{AppContext, AppError};
use motcua_domain::agency::AgencyKind;
use motcua_domain::authz::Permission;
use motcua_domain::catalog::ProcedureSpec;
use motcua_domain::dossier::Dossier;
use motcua_domain::index766::Period;
use motcua_domain::user::Role;
use motcua_store::repo::dashboard::{self as repo, Kind};
use motcua_store::repo::indicators as counters;
use serde::Serialize;
use std::collections::BTreeMap;

/// The "overdue now" list of the dashboard: at most this many, the most overdue first.
pub const OVERDUE_LIMIT: i64 = 50;
/// A page of the dossiers behind a number.
pub const PAGE_SIZE: i64 = 50;
/// Months of the trend charts (ending with the period's last month).
pub const TREND_MONTHS: usize = 12;

/// A dossier past its legal due time, with the step responsible for it now.
#[derive(Debug, Clone, Serialize)]
pub struct Overdue {
    pub id: String,
    pub code: Option<String>,
    pub procedure: String,
    pub applicant: String,
    pub due_at: i64,
    /// The current step's name, the agency holding it and the role at that agency.
    pub step: Option<String>,
    pub agency: String,
    pub holder: Option<Role>,
}

impl Overdue {
    fn of(d: &Dossier) -> Self {
        let step = d.current_step();
        Self {
            id: d.id.clone(),
            code: d.code.clone(),
            procedure: d.procedure.name.clone(),
            applicant: d.applicant.name.clone(),
            due_at: d.due_at.unwrap_or_default(),
            step: step.map(|s| s.name.clone()),
            agency: d.current_agency().name.clone(),
            holder: step.map(|s| s.role),
        }
    }
}

/// One month of the trend: received, finished, finished early or on time, received online.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Month {
    pub month: String,
    pub received: i64,
    pub finished: i64,
    pub on_time: i64,
    pub online: i64,
}

/// Everything the dashboard of a unit and period shows.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub own: UnitIndex,
    /// Sub-units (departments, communes), best total first.
    pub ranked: Vec<UnitIndex>,
    pub trend: Vec<Month>,
    pub overdue: Vec<Overdue>,
    pub overdue_total: i64,
    /// Names of the procedures in force, by code (the processing-time table).
    pub procedure_names: BTreeMap<String, String>,
    /// Units the caller may choose (its scope's agencies of kind province, department or
    /// commune): (id, name).
    pub units: Vec<(String, String)>,
}

fn scope_of(unit: &Unit) -> Vec<String> {
    vec![unit.path.clone()]
}

async fn load_dossiers(ctx: &AppContext, ids: Vec<String>) -> Result<Vec<Dossier>, AppError> {
    ctx.store
        .read(move |db| {
            let mut out = Vec::with_capacity(ids.len());
            for id in &ids {
                if let Some(d) = motcua_store::repo::dossiers::get(db, id)? {
                    out.push(d);
                }
            }
            Ok::<_, AppError>(out)
        })
        .await
}

/// The units the caller may pick in the selector: the agencies of its indicator scope that
/// are a province, a department or a commune (bounded: a province has a few hundred).
pub async fn selectable_units(ctx: &AppContext, current: &CurrentUser) -> Result<Vec<(String, String)>, AppError> {
    let scope = motcua_domain::authz::scope(&current.principal, Permission::ViewIndicators);
    ctx.store
        .read(move |db| {
            let (list, _) = motcua_store::repo::agencies::list(
                db,
                &motcua_store::repo::agencies::AgencyFilter { scope: Some(scope), limit: 2_000, ..Default::default() },
            )?;
            Ok::<_, AppError>(
                list.into_iter()
                    .filter(|a| matches!(a.kind, AgencyKind::Province | AgencyKind::Department | AgencyKind::Commune))
                    .map(|a| (a.id, a.name))
                    .collect(),
            )
        })
        .await
}

/// The months of the trend: `TREND_MONTHS` ending with the period's last month.
fn trend_months(period: Period) -> Vec<String> {
    let last = period.days().1;
    let mut m = jiff::civil::date(last.year(), last.month(), 1);
    let mut out = Vec::with_capacity(TREND_MONTHS);
    for _ in 0..TREND_MONTHS {
        out.push(m.to_string()[..7].to_string());
        m = m.checked_sub(jiff::Span::new().months(1)).unwrap_or(m);
    }
    out.reverse();
    out
}

/// The dashboard of a unit (none = the caller's) for a period.
pub async fn dashboard(
    ctx: &AppContext,
    current: &CurrentUser,
    unit: Option<&str>,
    period: Period,
) -> Result<Dashboard, AppError> {
    let (own, ranked) = indicators::ranking(ctx, current, unit, period).await?;
    let months = trend_months(period);
    let scope = scope_of(&own.unit);
    let now = ctx.clock.now_ms();
    let (first, last) = (months[0].clone(), months[months.len() - 1].clone());
    let (rows, (ids, overdue_total), procedure_names) = ctx
        .store
        .read(move |db| {
            let names = motcua_store::repo::catalog::all_in_force(db, now)?
                .into_iter()
                .map(|v| (v.spec.code, v.spec.name))
                .collect::<BTreeMap<String, String>>();
            let rows = counters::by_month(
                db,
                &scope,
                &first,
                &last,
                &["received", "received_online", "finished", "finished_early", "finished_on_time"],
            )?;
            Ok::<_, AppError>((rows, repo::overdue_now(db, &scope, now, OVERDUE_LIMIT)?, names))
        })
        .await?;
    let mut by: BTreeMap<String, Month> =
        months.iter().map(|m| (m.clone(), Month { month: m.clone(), ..Default::default() })).collect();
    for (month, metric, v) in rows {
        if let Some(x) = by.get_mut(&month) {
            match metric.as_str() {
                "received" => x.received += v,
                "received_online" => x.online += v,
                "finished" => x.finished += v,
                _ => x.on_time += v,
            }
        }
    }
    let overdue = load_dossiers(ctx, ids).await?.iter().map(Overdue::of).collect();
    let units = selectable_units(ctx, current).await?;
    Ok(Dashboard { own, ranked, trend: by.into_values().collect(), overdue, overdue_total, procedure_names, units })
}

/// A list behind a number: what it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Received,
    Counter,
    Online,
    Postal,
    Finished,
    OnTime,
    Late,
    /// In progress at the period's end.
    Open,
    /// Past the due time now.
    Overdue,
}

impl ListKind {
    pub const ALL: [ListKind; 9] = [
        ListKind::Received,
        ListKind::Counter,
        ListKind::Online,
        ListKind::Postal,
        ListKind::Finished,
        ListKind::OnTime,
        ListKind::Late,
        ListKind::Open,
        ListKind::Overdue,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ListKind::Received => "received",
            ListKind::Counter => "counter",
            ListKind::Online => "online",
            ListKind::Postal => "postal",
            ListKind::Finished => "finished",
            ListKind::OnTime => "on_time",
            ListKind::Late => "late",
            ListKind::Open => "open",
            ListKind::Overdue => "overdue",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            ListKind::Received => "Hồ sơ tiếp nhận",
            ListKind::Counter => "Tiếp nhận trực tiếp tại quầy",
            ListKind::Online => "Tiếp nhận trực tuyến",
            ListKind::Postal => "Tiếp nhận qua bưu chính công ích",
            ListKind::Finished => "Hồ sơ đã giải quyết",
            ListKind::OnTime => "Giải quyết trước và đúng hạn",
            ListKind::Late => "Giải quyết quá hạn",
            ListKind::Open => "Đang giải quyết cuối kỳ",
            ListKind::Overdue => "Quá hạn hiện tại",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ListKind::Received => "Dossiers received",
            ListKind::Counter => "Received at the counter",
            ListKind::Online => "Received online",
            ListKind::Postal => "Received by post",
            ListKind::Finished => "Dossiers finished",
            ListKind::OnTime => "Finished early or on time",
            ListKind::Late => "Finished late",
            ListKind::Open => "In progress at the period's end",
            ListKind::Overdue => "Overdue now",
        }
    }
}

/// One page of the dossiers behind a number.
pub struct Listed {
    pub unit: Unit,
    pub dossiers: Vec<Dossier>,
    pub total: i64,
}

/// The dossiers a number of a unit and period counts (a page of `PAGE_SIZE`), optionally
/// of one procedure.
pub async fn dossiers(
    ctx: &AppContext,
    current: &CurrentUser,
    unit: Option<&str>,
    period: Period,
    kind: ListKind,
    procedure: Option<String>,
    page: i64,
) -> Result<Listed, AppError> {
    let unit = indicators::unit_for(ctx, current, unit, Permission::ViewIndicators).await?;
    let (from, to) = period.days();
    let t0 = super::reconciliation::day_start_ms(from)?;
    let t1 = super::reconciliation::day_start_ms(to.tomorrow().map_err(|e| AppError::Internal(e.to_string()))?)?;
    let kind = match kind {
        ListKind::Received => Kind::Received,
        ListKind::Counter => Kind::ReceivedBy("counter"),
        ListKind::Online => Kind::ReceivedBy("online"),
        ListKind::Postal => Kind::ReceivedBy("postal"),
        ListKind::Finished => Kind::Finished,
        ListKind::OnTime => Kind::FinishedOnTime,
        ListKind::Late => Kind::FinishedLate,
        ListKind::Open => Kind::OpenAt(t1),
        ListKind::Overdue => Kind::OverdueAt(ctx.clock.now_ms()),
    };
    let f = repo::Filter {
        scope: scope_of(&unit),
        from_ms: t0,
        to_ms: t1,
        procedure: procedure.filter(|p| !p.trim().is_empty()),
        kind,
        limit: PAGE_SIZE,
        offset: (page.max(1) - 1).saturating_mul(PAGE_SIZE),
    };
    let (ids, total) = ctx.store.read(move |db| repo::dossiers(db, &f).map_err(AppError::from)).await?;
    Ok(Listed { unit, dossiers: load_dossiers(ctx, ids).await?, total })
}

/// What an indicator's figures are made of per procedure: the counters of its numerator
/// and denominator (summed), and the list behind a procedure's denominator. `None`: the
/// indicator counts procedures of the catalog (or comes from elsewhere), not dossiers.
pub fn counter_parts(indicator: &str) -> Option<(&'static [&'static str], &'static [&'static str], ListKind)> {
    Some(match indicator {
        "2.1" => (&["finished_early", "finished_on_time"], &["finished"], ListKind::Finished),
        "3.3" => (&["received_online"], &["received"], ListKind::Received),
        "3.6" => (&["paid_online"], &["fee_bearing"], ListKind::Received),
        "4.1" => (&["e_result_paper"], &["paper_result"], ListKind::Received),
        "4.2" => (&["digitized"], &["received"], ListKind::Received),
        "4.6" => (&["components_digitized"], &["components_to_digitize"], ListKind::Received),
        "4.3" => (&["reused"], &["received"], ListKind::Received),
        "4.4" => (&["shared_store"], &["received"], ListKind::Received),
        "4.5b" => (&["citizen_data"], &["received"], ListKind::Received),
        "5.4" => (&["finished"], &["finished"], ListKind::Finished),
        _ => return None,
    })
}

/// One procedure's share of an indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcedureFigure {
    pub code: String,
    pub name: String,
    /// None for a catalog indicator (the procedure is listed, not counted).
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
}

/// An indicator of a unit and period, with the procedures behind it.
pub struct IndicatorDetail {
    pub index: UnitIndex,
    pub id: String,
    pub rows: Vec<ProcedureFigure>,
    /// The list a procedure's row links to (counter indicators).
    pub list: Option<ListKind>,
}

/// An indicator's figures by procedure for a unit and period; 404 for an id the point
/// table does not know.
pub async fn indicator(
    ctx: &AppContext,
    current: &CurrentUser,
    unit: Option<&str>,
    period: Period,
    id: &str,
) -> Result<IndicatorDetail, AppError> {
    let index = indicators::index(ctx, current, unit, period).await?;
    if !index.result.indicators.iter().any(|s| s.id == id) {
        return Err(AppError::not_found("indicator"));
    }
    let now = ctx.clock.now_ms();
    let all: Vec<ProcedureSpec> = ctx
        .store
        .read(move |db| {
            Ok::<_, AppError>(motcua_store::repo::catalog::all_in_force(db, now)?.into_iter().map(|v| v.spec).collect())
        })
        .await?;
    let names: BTreeMap<&str, &str> = all.iter().map(|p| (p.code.as_str(), p.name.as_str())).collect();
    let name = |code: &str| names.get(code).map_or_else(|| code.to_string(), |n| n.to_string());
    let (rows, list) = match counter_parts(id) {
        Some((num, den, list)) => {
            let sum =
                |m: &BTreeMap<String, i64>, keys: &[&str]| keys.iter().map(|k| m.get(*k).copied().unwrap_or(0)).sum::<i64>();
            let rows = index
                .by_procedure
                .iter()
                .map(|(code, m)| {
                    let mut n = sum(m, num);
                    if id == "5.4" {
                        n = (n - sum(m, &["finished_late", "rated_unsatisfied"])).max(0);
                    }
                    ProcedureFigure { code: code.clone(), name: name(code), numerator: Some(n), denominator: Some(sum(m, den)) }
                })
                .filter(|r| r.denominator.unwrap_or(0) > 0 || r.numerator.unwrap_or(0) > 0)
                .collect();
            (rows, Some(list))
        }
        None => {
            let rows = super::indicators::procedures_of(&index.unit, &all)
                .into_iter()
                .map(|p| ProcedureFigure { code: p.code.clone(), name: p.name.clone(), numerator: None, denominator: None })
                .collect();
            (rows, None)
        }
    };
    Ok(IndicatorDetail { index, id: id.to_string(), rows, list })
}

/// The big figures of the wall view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Wall {
    pub unit: String,
    pub month: String,
    pub received_today: i64,
    pub received_month: i64,
    /// Indicator 2.1's ratio for the month (%), none without data.
    pub on_time_percent: Option<f64>,
    pub overdue_now: i64,
    /// Received online / received this month (%).
    pub online_percent: Option<f64>,
    pub total: f64,
    pub grade: String,
    /// When the figures were read (unix ms).
    pub at: i64,
}

/// The wall view's figures of a unit (none = the caller's), now: today, this month.
pub async fn wall(ctx: &AppContext, current: &CurrentUser, unit: Option<&str>) -> Result<Wall, AppError> {
    let today = ctx.clock.today();
    let month = Period::Month { year: today.year(), month: today.month() };
    let index = indicators::index(ctx, current, unit, month).await?;
    let scope = scope_of(&index.unit);
    let now = ctx.clock.now_ms();
    let day = today.to_string();
    let (today_rows, (_, overdue_now)) = ctx
        .store
        .read(move |db| {
            Ok::<_, AppError>((counters::by_day(db, &scope, &day, &day, &["received"])?, repo::overdue_now(db, &scope, now, 0)?))
        })
        .await?;
    let received_month = index.counts.get("received");
    let percent = |n: i64, d: i64| (d > 0).then(|| (n as f64 * 10_000.0 / d as f64).round() / 100.0);
    let on_time = index.result.indicators.iter().find(|s| s.id == "2.1").and_then(|s| s.ratio_percent());
    Ok(Wall {
        unit: index.unit.name.clone(),
        month: month.label_vi(),
        received_today: today_rows.iter().map(|r| r.2).sum(),
        received_month,
        on_time_percent: on_time,
        overdue_now,
        online_percent: percent(index.counts.get("received_online"), received_month),
        total: index.result.total_display(),
        grade: index.result.grade.name_vi.clone(),
        at: now,
    })
}
