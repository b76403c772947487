//! The numbers leaders run the province by (issue #16): the 766 index of a unit and period,
//! the figures behind it, the ranking of sub-units.
//!
//! Everything is read from the counters (`kpi_monthly`, kept with the daily counters by
//! `dossier::ticks`), the catalog, the reconciliation runs (1.4) and the imported figures:
//! never a scan of dossiers, so the cost does not grow with the history. A unit is an agency
//! subtree; the caller's scope (`Permission::ViewIndicators`) is checked on the unit and is
//! the subtree every query sums.
//!
//! How each indicator's numerator and denominator are made (spec §c.2; the points, maxima
//! and rules are the point table's, `motcua_domain::index766`):
//!
//! | id | numerator / denominator |
//! |---|---|
//! | 1.1–1.3 | the catalog (`catalog::transparency_of`), over the unit's procedures |
//! | 1.4 | the latest reconciliation run of exactly the period: on the portal / max(portal, motcua) |
//! | 2.1 | finished early or on time + in progress not overdue at the period's end / finished + in progress |
//! | 2.2 | average processing time (monitoring) |
//! | 3.1 | the unit's procedures offered online / its procedures |
//! | 3.2 | online services that received an online dossier / online services |
//! | 3.3 | online receptions / receptions, × 1.4's ratio |
//! | 3.5a | fee-bearing procedures that noticed a fee / fee-bearing procedures |
//! | 3.5b | fee-bearing procedures paid online / fee-bearing procedures |
//! | 3.6 | dossiers paid online / dossiers noticed a fee |
//! | 4.1 | paper-result dossiers returned with an e-result / paper-result dossiers received |
//! | 4.2 | dossiers digitized / received |
//! | 4.6 | paper components certified as e-copies / paper components to digitize |
//! | 4.3 | dossiers reusing digitized data / received |
//! | 4.4 | dossiers with data from the portal's store / received |
//! | 4.5a | procedures with a dossier using population data / procedures for citizens |
//! | 4.5b | dossiers using population data (VNeID, MaCSDL, the store) / received |
//! | 5.1 | petitions received about regulations/procedures / petitions received (monitoring) |
//! | 5.2 | petitions handled on time (reject ≤ 2 WD, supplement request ≤ 5, answer ≤ 15, publication ≤ 2 after the answer; in process on time while ≤ 15 WD elapsed at the period's end) / petitions received or handled in the period |
//! | 5.3 | first received in the period − those disliked, overdue or followed by a new complaint / first received in the period |
//! | 5.4 | finished − finished late − rated unsatisfied (dislike) − finished dossiers with a petition received in the period (not already counted) / finished |
//!
//! Petitions (5.1–5.4's PAKN term) are read from their rows (`petitions::load_period`,
//! bounded), not from counters: their on-time test depends on the moment they are seen.

use crate::auth::CurrentUser;
use crate::{AppContext, AppError};
use jiff::civil::Date;
use motcua_domain::agency::AgencyKind;
use motcua_domain::authz::{self, Permission};
use motcua_domain::catalog::{ApplicantType, Level, OnlineLevel, ProcedureSpec};
use motcua_domain::error::ValidationError;
use motcua_domain::index766::{self, Figure, IndexResult, Period, PointTable};
use motcua_store::repo::agencies::{self, AgencyFilter, AgencyRecord};
use motcua_store::repo::audit::{self, ADMIN_CHAIN, NewAudit};
use motcua_store::repo::indicators as repo;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The state counters summed over the whole history up to a period's end.
const STATE_METRICS: [&str; 4] = ["received", "closed", "due", "overdue_left"];

/// A unit: an agency and its subtree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: String,
    pub code: String,
    pub name: String,
    #[serde(skip)]
    pub path: String,
    pub kind: String,
}

impl Unit {
    fn of(a: &AgencyRecord) -> Self {
        Self {
            id: a.id.clone(),
            code: a.code.clone(),
            name: a.name.clone(),
            path: a.path.clone(),
            kind: a.kind.code().to_string(),
        }
    }
}

/// Parses a period (`2026-11`, `2026-Q4`, `2026`) or says what is wrong with it.
pub fn parse_period(s: &str) -> Result<Period, AppError> {
    Period::parse(s).ok_or_else(|| {
        ValidationError::single(
            "period",
            "invalid_period",
            "Kỳ không hợp lệ: tháng (2026-11), quý (2026-Q4) hoặc năm (2026).",
            "Invalid period: a month (2026-11), a quarter (2026-Q4) or a year (2026).",
        )
        .into()
    })
}

/// Checks a range of days: the end not before the start, at most `max_days` long.
pub fn check_range(from: Date, to: Date, max_days: i64) -> Result<(), AppError> {
    let days = (to - from).get_days() as i64 + 1;
    if days < 1 {
        return Err(ValidationError::single(
            "to",
            "invalid_period",
            "Ngày kết thúc không được trước ngày bắt đầu.",
            "The end date must not be before the start date.",
        )
        .into());
    }
    if days > max_days {
        return Err(
            ValidationError::single("to", "period_too_long", "Khoảng thời gian quá dài.", "The period is too long.").into()
        );
    }
    Ok(())
}

fn out_of_scope() -> AppError {
    AppError::Refused {
        http: 403,
        code: "unit_out_of_scope",
        vi: "Đơn vị này nằm ngoài phạm vi bạn được xem chỉ số.".into(),
        en: "This unit is outside the scope of indicators you may view.".into(),
    }
}

/// The unit asked for (an agency id or code; none = the caller's own, the first of its
/// scope), checked against `perm`'s scope, with the scope itself.
pub async fn unit_for(ctx: &AppContext, current: &CurrentUser, unit: Option<&str>, perm: Permission) -> Result<Unit, AppError> {
    let scope = authz::scope(&current.principal, perm);
    if scope.is_empty() {
        return Err(AppError::Forbidden);
    }
    let wanted = unit.map(str::trim).filter(|u| !u.is_empty()).map(str::to_string);
    let first = scope[0].clone();
    let a = ctx
        .store
        .read(move |db| {
            Ok::<_, AppError>(match &wanted {
                Some(w) => match agencies::find(db, w)? {
                    Some(a) => Some(a),
                    None => agencies::get_by_code(db, w)?,
                },
                None => agencies::list(db, &AgencyFilter { scope: Some(vec![first.clone()]), limit: 1, ..Default::default() })?
                    .0
                    .into_iter()
                    .find(|a| a.path == first),
            })
        })
        .await?;
    let Some(a) = a else {
        return Err(AppError::not_found("unit"));
    };
    if !scope.iter().any(|s| motcua_domain::agency::in_subtree(&a.path, s)) {
        return Err(out_of_scope());
    }
    Ok(Unit::of(&a))
}

/// The point table that scores a period: the latest revision effective on its first day
/// (stored ones and the default).
pub async fn table_for(ctx: &AppContext, period: Period) -> Result<PointTable, AppError> {
    let first = period.days().0.to_string();
    let stored = ctx.store.read(|db| repo::point_tables(db).map_err(AppError::from)).await?;
    let mut best = PointTable::default_table();
    for row in stored {
        if row.effective_from <= first && row.effective_from >= best.effective_from {
            best =
                PointTable::parse(&row.body).map_err(|e| AppError::Internal(format!("stored point table: {}", e.message_vi)))?;
        }
    }
    Ok(best)
}

/// Counters of one unit for a period: the sums in the period and the state at its end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Counts {
    /// Sum of each counter over the period.
    pub sums: BTreeMap<String, i64>,
    /// In progress at the end of the period, and of those overdue.
    pub open_at_end: i64,
    pub overdue_at_end: i64,
}

impl Counts {
    pub fn get(&self, m: &str) -> i64 {
        self.sums.get(m).copied().unwrap_or(0)
    }

    /// Processing time of the decided dossiers, in days: (average, median, 90th percentile),
    /// the percentiles read from the histogram (the bucket's upper bound).
    pub fn durations(&self) -> (Option<f64>, Option<i64>, Option<i64>) {
        let n = self.get("decided");
        if n <= 0 {
            return (None, None, None);
        }
        let avg = self.get("duration_hours") as f64 / 24.0 / n as f64;
        let quantile = |q: f64| {
            let want = (n as f64 * q).ceil() as i64;
            let mut seen = 0;
            for b in motcua_domain::dossier::DURATION_BUCKETS {
                seen += self.get(&format!("duration_le_{b}"));
                if seen >= want {
                    return Some(b);
                }
            }
            Some(i64::MAX)
        };
        (Some((avg * 100.0).round() / 100.0), quantile(0.5), quantile(0.9))
    }
}

/// Everything read once for a unit, a period and all the sub-units inside it.
struct Loaded {
    agencies: Vec<AgencyRecord>,
    /// (agency, procedure, metric, sum over the period)
    rows: Vec<(String, String, String, i64)>,
    /// (agency, metric, sum up to the period's end)
    state: Vec<(String, String, i64)>,
    procedures: Vec<ProcedureSpec>,
    /// Catalog versions decided in the period and in force now (1.1–1.3).
    decided: Vec<motcua_store::repo::catalog::VersionRecord>,
    in_force: Vec<motcua_store::repo::catalog::VersionRecord>,
    reconciliation: Option<super::reconciliation::Report>,
    imports: Vec<repo::Imported>,
    /// The petitions counted in the period and the dossiers of 5.4's PAKN term.
    petitions: Vec<motcua_store::repo::petitions::PetitionRow>,
    petitioned: Vec<(String, String)>,
    /// The period as `[from, to)` in ms, and the moment it is seen (its end, or now).
    window: (i64, i64, i64),
}

async fn load(ctx: &AppContext, unit: &Unit, period: Period) -> Result<Loaded, AppError> {
    let (from, to) = period.days();
    let (m0, m1) = (from.to_string()[..7].to_string(), to.to_string()[..7].to_string());
    let scope = vec![unit.path.clone()];
    let now = ctx.clock.now_ms();
    let t0 = super::reconciliation::day_start_ms(from)?;
    let t1 = super::reconciliation::day_start_ms(to.tomorrow().map_err(|e| AppError::Internal(e.to_string()))?)?;
    let key = period.key();
    ctx.store
        .read(move |db| {
            let (agencies, _) =
                agencies::list(db, &AgencyFilter { scope: Some(scope.clone()), limit: 100_000, ..Default::default() })?;
            let unit_ids: Vec<String> = agencies.iter().map(|a| a.id.clone()).collect();
            let mut imports = Vec::new();
            for id in &unit_ids {
                imports.extend(repo::imports(db, id, &key)?);
            }
            let in_force = motcua_store::repo::catalog::all_in_force(db, now)?;
            let (petitions, petitioned) = super::petitions::load_period(db, &scope[0], t0, t1)?;
            Ok(Loaded {
                petitions,
                petitioned,
                window: (t0, t1, now.min(t1)),
                rows: repo::period_rows(db, &scope, &m0, &m1)?,
                state: repo::cumulative_rows(db, &scope, &m1, &STATE_METRICS)?,
                procedures: in_force.iter().map(|v| v.spec.clone()).collect(),
                decided: motcua_store::repo::catalog::decided_between(db, &from.to_string(), &to.to_string())?,
                in_force,
                reconciliation: motcua_store::repo::reconciliations::latest_for_period(db, t0, t1)?
                    .and_then(|r| serde_json::from_str(&r).ok()),
                imports,
                agencies,
            })
        })
        .await
}

/// The procedures a unit has authority over (3.1, 3.2, 3.5, 4.5a): all for the province,
/// commune-level ones for a commune, the department's own (by agency code) for a department.
pub(crate) fn procedures_of<'a>(unit: &Unit, all: &'a [ProcedureSpec]) -> Vec<&'a ProcedureSpec> {
    let kind = AgencyKind::parse(&unit.kind);
    all.iter()
        .filter(|p| match kind {
            Some(AgencyKind::Province) => true,
            Some(AgencyKind::Commune) => p.levels.contains(&Level::Commune),
            Some(AgencyKind::Department) => p.agency_code.as_deref() == Some(unit.code.as_str()),
            _ => false,
        })
        .collect()
}

fn belongs(unit: &Unit) -> impl Fn(&str) -> bool + '_ {
    move |path: &str| motcua_domain::agency::in_subtree(path, &unit.path)
}

impl Loaded {
    fn paths(&self) -> BTreeMap<&str, &str> {
        self.agencies.iter().map(|a| (a.id.as_str(), a.path.as_str())).collect()
    }

    fn counts(&self, unit: &Unit) -> (Counts, BTreeMap<String, BTreeMap<String, i64>>) {
        let paths = self.paths();
        let inside = belongs(unit);
        let mut c = Counts::default();
        let mut by_procedure: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        for (agency, procedure, metric, v) in &self.rows {
            if paths.get(agency.as_str()).is_some_and(|p| inside(p)) {
                *c.sums.entry(metric.clone()).or_default() += v;
                *by_procedure.entry(procedure.clone()).or_default().entry(metric.clone()).or_default() += v;
            }
        }
        let mut state: BTreeMap<&str, i64> = BTreeMap::new();
        for (agency, metric, v) in &self.state {
            if paths.get(agency.as_str()).is_some_and(|p| inside(p)) {
                *state.entry(metric.as_str()).or_default() += v;
            }
        }
        let s = |m: &str| state.get(m).copied().unwrap_or(0);
        c.open_at_end = s("received") - s("closed");
        c.overdue_at_end = (s("due") - s("overdue_left")).clamp(0, c.open_at_end.max(0));
        (c, by_procedure)
    }
}

/// One unit's index for a period, with the counts behind it.
#[derive(Debug, Clone, Serialize)]
pub struct UnitIndex {
    pub unit: Unit,
    pub period: Period,
    pub result: IndexResult,
    pub counts: Counts,
    /// Per procedure: the sums of the period (the drill-down from an indicator).
    pub by_procedure: BTreeMap<String, BTreeMap<String, i64>>,
    /// Indicators whose figures were imported.
    pub imported: BTreeSet<String>,
}

fn figures(
    unit: &Unit,
    l: &Loaded,
    catalog_1: &[super::catalog::Indicator],
    c: &Counts,
    by_procedure: &BTreeMap<String, BTreeMap<String, i64>>,
) -> BTreeMap<String, Figure> {
    let mut f: BTreeMap<String, Figure> = BTreeMap::new();
    let mut put = |id: &str, n: i64, d: i64| {
        f.insert(id.to_string(), Figure::new(n, d));
    };
    for i in catalog_1 {
        put(i.id, i.numerator, i.denominator);
    }
    let g = |m: &str| c.get(m);
    let received = g("received");
    // 2.1: the finished of the period and those still in progress at its end.
    let open_on_time = (c.open_at_end - c.overdue_at_end).max(0);
    put("2.1", g("finished_early") + g("finished_on_time") + open_on_time, g("finished") + c.open_at_end.max(0));
    put("2.2", g("duration_hours"), g("decided") * 24);
    let procs = procedures_of(unit, &l.procedures);
    let online: Vec<&&ProcedureSpec> = procs.iter().filter(|p| p.online_level != OnlineLevel::None).collect();
    put("3.1", online.len() as i64, procs.len() as i64);
    let has = |code: &str, m: &str| by_procedure.get(code).and_then(|x| x.get(m)).is_some_and(|v| *v > 0);
    put("3.2", online.iter().filter(|p| has(&p.code, "received_online")).count() as i64, online.len() as i64);
    put("3.3", g("received_online"), received);
    let fee_bearing: Vec<&&ProcedureSpec> = procs.iter().filter(|p| p.fees.iter().any(|x| x.amount > 0)).collect();
    put("3.5a", fee_bearing.iter().filter(|p| has(&p.code, "fee_bearing")).count() as i64, fee_bearing.len() as i64);
    put("3.5b", fee_bearing.iter().filter(|p| has(&p.code, "paid_online")).count() as i64, fee_bearing.len() as i64);
    put("3.6", g("paid_online"), g("fee_bearing"));
    put("4.1", g("e_result_paper"), g("paper_result"));
    put("4.2", g("digitized"), received);
    put("4.6", g("components_digitized"), g("components_to_digitize"));
    put("4.3", g("reused"), received);
    put("4.4", g("shared_store"), received);
    let for_citizens: Vec<&&ProcedureSpec> = procs
        .iter()
        .filter(|p| p.applicant_types.iter().any(|t| matches!(t, ApplicantType::Citizen | ApplicantType::Foreigner)))
        .collect();
    put("4.5a", for_citizens.iter().filter(|p| has(&p.code, "citizen_data")).count() as i64, for_citizens.len() as i64);
    put("4.5b", g("citizen_data"), received);
    // Petitions (PAKN): from their rows, seen at the period's end (or now).
    let (t0, t1, end) = l.window;
    let pf = super::petitions::figures(&l.petitions, &l.petitioned, &unit.path, t0, t1, end);
    put("5.1", pf.about_rules, pf.received);
    put("5.2", pf.on_time, pf.counted);
    put("5.3", pf.satisfied, pf.first_received);
    let finished = g("finished");
    let lost = g("finished_late") + g("rated_unsatisfied") + pf.petitioned_dossiers;
    put("5.4", (finished - lost).max(0), finished);
    // 1.4 from the reconciliation of exactly this period (the province's figures, or the
    // unit reports of the agencies inside the unit).
    if let Some(r) = &l.reconciliation {
        let names: BTreeSet<&str> = l.agencies.iter().filter(|a| belongs(unit)(&a.path)).map(|a| a.name.as_str()).collect();
        let (portal, motcua) = if AgencyKind::parse(&unit.kind) == Some(AgencyKind::Province) {
            (r.portal_received, r.received)
        } else {
            r.units
                .iter()
                .filter(|u| names.contains(u.unit.as_str()))
                .fold((0, 0), |a, u| (a.0 + u.portal_received, a.1 + u.received))
        };
        f.insert("1.4".into(), Figure::new(portal, portal.max(motcua)));
    }
    // 3.3's sync coefficient: 1.4's ratio when there is one.
    if let (Some(s), Some(x)) = (f.get("1.4").copied().filter(|s| s.denominator > 0), f.get("3.3").copied()) {
        f.insert("3.3".into(), x.with_factor(s.numerator, s.denominator));
    }
    f
}

fn with_imports(unit: &Unit, l: &Loaded, f: &mut BTreeMap<String, Figure>) -> BTreeSet<String> {
    let mut imported = BTreeSet::new();
    for i in l.imports.iter().filter(|i| i.agency_id == unit.id) {
        f.insert(i.indicator.clone(), Figure { imported: true, ..Figure::new(i.numerator, i.denominator) });
        imported.insert(i.indicator.clone());
    }
    imported
}

fn compute(ctx: &AppContext, unit: &Unit, period: Period, l: &Loaded, table: &PointTable) -> Result<UnitIndex, AppError> {
    let own: BTreeSet<&str> = procedures_of(unit, &l.procedures).iter().map(|p| p.code.as_str()).collect();
    let catalog_1 =
        super::catalog::transparency_from(&ctx.calendars.national(), &l.decided, &l.in_force, |p| own.contains(p.code.as_str()))?;
    let (counts, by_procedure) = l.counts(unit);
    let mut f = figures(unit, l, &catalog_1, &counts, &by_procedure);
    let imported = with_imports(unit, l, &mut f);
    Ok(UnitIndex { unit: unit.clone(), period, result: index766::compute(table, &f), counts, by_procedure, imported })
}

/// The index of a unit (none = the caller's) for a period.
pub async fn index(ctx: &AppContext, current: &CurrentUser, unit: Option<&str>, period: Period) -> Result<UnitIndex, AppError> {
    let unit = unit_for(ctx, current, unit, Permission::ViewIndicators).await?;
    let table = table_for(ctx, period).await?;
    let l = load(ctx, &unit, period).await?;
    compute(ctx, &unit, period, &l, &table)
}

/// The index of a unit for the system's own work (the targets' alerts): no caller, so no
/// scope to check; never reachable from a request.
pub async fn index_of(ctx: &AppContext, unit_id: &str, period: Period) -> Result<UnitIndex, AppError> {
    let id = unit_id.to_string();
    let a = ctx.store.read(move |db| agencies::find(db, &id).map_err(AppError::from)).await?;
    let unit = Unit::of(&a.ok_or(AppError::not_found("unit"))?);
    let table = table_for(ctx, period).await?;
    let l = load(ctx, &unit, period).await?;
    compute(ctx, &unit, period, &l, &table)
}

/// The unit's index and its sub-units' (departments, communes, ranked by total), from one
/// read of the counters.
pub async fn ranking(
    ctx: &AppContext,
    current: &CurrentUser,
    unit: Option<&str>,
    period: Period,
) -> Result<(UnitIndex, Vec<UnitIndex>), AppError> {
    let unit = unit_for(ctx, current, unit, Permission::ViewIndicators).await?;
    let table = table_for(ctx, period).await?;
    let l = load(ctx, &unit, period).await?;
    let own = compute(ctx, &unit, period, &l, &table)?;
    let children: Vec<Unit> = l
        .agencies
        .iter()
        .filter(|a| a.parent_id.as_deref() == Some(unit.id.as_str()))
        .filter(|a| matches!(a.kind, AgencyKind::Department | AgencyKind::Commune))
        .map(Unit::of)
        .collect();
    let mut ranked = Vec::with_capacity(children.len());
    for c in &children {
        ranked.push(compute(ctx, c, period, &l, &table)?);
    }
    ranked.sort_by(|a, b| b.result.total.cmp(&a.result.total).then_with(|| a.unit.code.cmp(&b.unit.code)));
    Ok((own, ranked))
}

/// A figure kept outside motcua, for a unit, period and indicator.
#[derive(Debug, Clone)]
pub struct ImportFigure {
    pub unit: String,
    pub period: Period,
    pub indicator: String,
    pub numerator: i64,
    pub denominator: i64,
    pub note: Option<String>,
}

/// Enters an imported figure (an administrator, for a unit in scope).
pub async fn import_figure(ctx: &AppContext, current: &CurrentUser, x: ImportFigure) -> Result<(), AppError> {
    let ImportFigure { unit, period, indicator, numerator, denominator, note } = x;
    let indicator = indicator.trim();
    let unit = unit_for(ctx, current, Some(&unit), Permission::ManageIndex).await?;
    let table = table_for(ctx, period).await?;
    if table.indicator(indicator).is_none() {
        return Err(ValidationError::single(
            "indicator",
            "unknown_indicator",
            "Chỉ tiêu không có trong bảng điểm.",
            "Unknown indicator.",
        )
        .into());
    }
    if numerator < 0 || denominator < 0 || numerator > denominator && denominator > 0 {
        return Err(ValidationError::single(
            "numerator",
            "invalid_figure",
            "Tử số và mẫu số không âm, tử số không lớn hơn mẫu số.",
            "Numerator and denominator are not negative, the numerator not above the denominator.",
        )
        .into());
    }
    let row = repo::Imported {
        agency_id: unit.id.clone(),
        period: period.key(),
        indicator: indicator.to_string(),
        numerator,
        denominator,
        note: note.map(|n| motcua_domain::text::clean(&n)).filter(|n| !n.is_empty()),
        imported_by: Some(current.user.id.clone()),
        imported_at: ctx.clock.now_ms(),
    };
    let actor = current.user.id.clone();
    let now = ctx.clock.now_ms();
    ctx.store
        .write(move |db| {
            repo::upsert_import(db, &row)?;
            audit::append(
                db,
                NewAudit {
                    chain: ADMIN_CHAIN,
                    at_ms: now,
                    actor_id: Some(&actor),
                    action: "index.figure_imported",
                    entity_kind: "index_import",
                    entity_id: &format!("{}/{}/{}", row.agency_id, row.period, row.indicator),
                    agency_path: Some(&unit.path),
                    payload: serde_json::json!({"numerator": row.numerator, "denominator": row.denominator, "note": row.note}),
                },
            )?;
            Ok(())
        })
        .await
}

/// Stores a revision of the point table (an administrator of the province).
pub async fn add_point_table(ctx: &AppContext, current: &CurrentUser, body: &str) -> Result<PointTable, AppError> {
    super::require_province(Some(&current.principal), Permission::ManageIndex)?;
    let table = PointTable::parse(body).map_err(|e| AppError::Refused {
        http: 422,
        code: e.code,
        vi: e.message_vi.clone(),
        en: e.message_vi,
    })?;
    let row = repo::PointTableRow {
        version: table.version.clone(),
        effective_from: table.effective_from.clone(),
        body: serde_json::to_string(&table).map_err(|e| AppError::Internal(e.to_string()))?,
        created_by: Some(current.user.id.clone()),
        created_at: ctx.clock.now_ms(),
    };
    let (actor, now) = (current.user.id.clone(), ctx.clock.now_ms());
    ctx.store
        .write(move |db| {
            audit::append(
                db,
                NewAudit {
                    chain: ADMIN_CHAIN,
                    at_ms: now,
                    actor_id: Some(&actor),
                    action: "index.point_table_added",
                    entity_kind: "index_point_table",
                    entity_id: &row.version,
                    agency_path: None,
                    payload: serde_json::json!({"effective_from": row.effective_from}),
                },
            )?;
            repo::insert_point_table(db, &row).map_err(|e| match e {
                motcua_store::StoreError::Unique { .. } => AppError::Conflict {
                    code: "version_exists",
                    field: Some("version"),
                    vi: "Đã có bảng điểm với tên phiên bản này.",
                    en: "A point table with this version exists.",
                },
                other => other.into(),
            })
        })
        .await?;
    Ok(table)
}

/// The point tables (the shipped one first, flagged `true`) for readers of the indicators.
pub async fn point_tables(ctx: &AppContext, current: &CurrentUser) -> Result<Vec<(PointTable, bool)>, AppError> {
    if authz::scope(&current.principal, Permission::ViewIndicators).is_empty() {
        return Err(AppError::Forbidden);
    }
    let stored = ctx.store.read(|db| repo::point_tables(db).map_err(AppError::from)).await?;
    let mut out = vec![(PointTable::default_table(), true)];
    for row in stored {
        out.push((PointTable::parse(&row.body).map_err(|e| AppError::Internal(e.message_vi))?, false));
    }
    Ok(out)
}
