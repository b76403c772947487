//! The national-portal reconciliation (issue #15, REQ-26, REQ-27; docs/integration.md):
//! what the portal holds (its query service `TraCuuHoSo`, per unit and period) against what
//! motcua has synced, per unit. Each difference is listed and, where motcua has something
//! to send, sent again through the outbox (in order, at least once; the portal keeps a
//! message once). It runs daily (`[dvcqg] reconcile_hour`, over the last `reconcile_days`)
//! and on demand for any period (a month, for indicator 1.4).
//!
//! The period is on the reception date, or the filing date of a dossier never received, on
//! both sides. A dossier one side lists and the other does not is looked up by its
//! identifier before it is called missing (an edge of the period, a renamed unit). A dossier
//! with sync rows still in flight is "pending", not a difference: the queue will deliver it.
//!
//! Indicator 1.4 (spec §c.1): dossiers on the portal with a reception date in the period,
//! over the larger of that and the dossiers motcua counts as received (what it reports).
//! Both are in the report, as found, before anything is sent again.

use super::catalog::{Indicator, indicator};
use crate::auth::CurrentUser;
use crate::{AppContext, AppError};
use jiff::civil::Date;
use motcua_domain::authz::Permission;
use motcua_domain::error::ValidationError;
use motcua_dvcqg::Client;
use motcua_dvcqg::client::SendError;
use motcua_dvcqg::payload::datetime;
use motcua_store::repo::reconciliations::{self as repo, Run, Synced};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Dossiers of each side read in one run, at most (a province's quarter); past it the
/// report says it is partial.
pub const MAX_DOSSIERS: i64 = 300_000;
/// Pages of one unit's list asked of the portal, at most (`UNIT_PAGE` dossiers each).
const MAX_PAGES: u64 = 1_000;
const UNIT_PAGE: u64 = 1_000;
/// Single-dossier lookups in one run, at most (only for what one side lists and the other not).
pub const MAX_LOOKUPS: usize = 2_000;
/// Dossiers sent again in one run, at most; the rest in the next run.
pub const MAX_RESENT: usize = 5_000;
/// Differences kept in a report (the counts are always whole).
pub const MAX_LISTED: usize = 1_000;
/// The longest period a run covers.
const MAX_DAYS: i64 = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// motcua synced it; the portal does not have it. Sent again.
    Missing,
    /// The portal has another status than motcua's. Sent again.
    Behind,
    /// The portal has it; motcua has no such synced dossier. Listed only.
    PortalOnly,
}

impl Kind {
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Missing => "Cổng chưa có hồ sơ",
            Self::Behind => "Cổng giữ trạng thái khác",
            Self::PortalOnly => "Chỉ có trên Cổng",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Difference {
    pub unit: String,
    /// The identifier the portal knows it by (`MaHoSo`).
    pub national_id: String,
    pub dossier_id: Option<String>,
    pub kind: Kind,
    pub motcua_status: Option<i64>,
    pub portal_status: Option<i64>,
    /// Sent again by this run.
    pub resent: bool,
    /// Its sync rows that had ended as dead letters (put back in the queue when resent).
    pub dead_letters: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnitReport {
    pub unit: String,
    /// Synced dossiers of the period motcua has / the portal lists.
    pub motcua: i64,
    pub portal: i64,
    pub matched: i64,
    /// With sync rows still in flight (not compared).
    pub pending: i64,
    pub differences: i64,
    /// Received in the period: by motcua (what it reports), and on the portal.
    pub received: i64,
    pub portal_received: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Report {
    pub units: Vec<UnitReport>,
    /// The first `MAX_LISTED` differences.
    pub differences: Vec<Difference>,
    pub differences_total: i64,
    /// Dossiers sent again.
    pub resent: i64,
    /// Rows queued or put back in the queue for them.
    pub rows_queued: i64,
    /// motcua's side stopped at `MAX_DOSSIERS`, or lookups at `MAX_LOOKUPS`.
    pub partial: bool,
    /// Units the portal could not answer for, with the reason.
    pub errors: Vec<String>,
    /// Indicator 1.4's inputs as found: received in the period on the portal / by motcua.
    pub portal_received: i64,
    pub received: i64,
}

impl Report {
    /// Indicator 1.4 of the period (6 points).
    pub fn indicator_1_4(&self) -> Indicator {
        indicator("1.4", "Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG", self.portal_received, self.received.max(self.portal_received), 6.0)
    }
}

/// One run with its report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciliation {
    pub run: Run,
    pub report: Report,
}

fn not_enabled() -> AppError {
    AppError::Conflict {
        code: "dvcqg_disabled",
        field: None,
        vi: "Chưa bật kết nối Cổng Dịch vụ công quốc gia ([dvcqg] enabled).",
        en: "The national portal connection is off ([dvcqg] enabled).",
    }
}

pub(crate) fn day_start_ms(d: Date) -> Result<i64, AppError> {
    d.to_zoned(motcua_domain::calendar::vn_time_zone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Checks a period of local days `[from, to]` (both included).
fn period(from: Date, to: Date) -> Result<(i64, i64), AppError> {
    let days = (to - from).get_days() as i64 + 1;
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ValidationError::single(
            "to",
            "invalid_period",
            "Kỳ đối soát phải từ 1 đến 400 ngày, ngày kết thúc không trước ngày bắt đầu.",
            "The period must be 1 to 400 days, its end not before its start.",
        )
        .into());
    }
    let end = to.tomorrow().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((day_start_ms(from)?, day_start_ms(end)?))
}

/// The latest runs (at most 50), newest first.
pub async fn runs(ctx: &AppContext, user: Option<&CurrentUser>) -> Result<Vec<Run>, AppError> {
    super::require_province(user.map(|u| &u.principal), Permission::OperateQueues)?;
    Ok(ctx.store.read(|db| repo::latest(db, 50)).await?)
}

/// One run's report.
pub async fn get(ctx: &AppContext, user: Option<&CurrentUser>, id: &str) -> Result<Reconciliation, AppError> {
    super::require_province(user.map(|u| &u.principal), Permission::OperateQueues)?;
    let id = id.to_string();
    let Some((run, report)) = ctx.store.read(move |db| repo::get(db, &id)).await? else {
        return Err(AppError::NotFound { what: "reconciliation" });
    };
    let report = serde_json::from_str(&report).map_err(|e| AppError::Internal(format!("report: {e}")))?;
    Ok(Reconciliation { run, report })
}

/// Reconciles the local days `[from, to]` now. Province administrators (`None` = the daily
/// worker or the CLI).
pub async fn run(ctx: &AppContext, user: Option<&CurrentUser>, from: Date, to: Date) -> Result<Reconciliation, AppError> {
    super::require_province(user.map(|u| &u.principal), Permission::OperateQueues)?;
    if !ctx.config.dvcqg.enabled {
        return Err(not_enabled());
    }
    let (t0, t1) = period(from, to)?;
    let client = Client::new(ctx.config.dvcqg.clone()).map_err(AppError::Internal)?;
    let started_at = ctx.clock.now_ms();
    let run_id = motcua_store::repo::new_id();

    // motcua's side, per receiving agency (on its index), grouped by unit.
    let mine: Vec<Synced> = ctx
        .store
        .read(move |db| {
            let mut out = Vec::new();
            for path in repo::receiving_paths(db)? {
                let left = MAX_DOSSIERS + 1 - out.len() as i64;
                if left <= 0 {
                    break;
                }
                out.extend(repo::synced_in_period(db, &path, t0, t1, left)?);
            }
            Ok::<_, motcua_store::StoreError>(out)
        })
        .await?;
    let mut partial = mine.len() as i64 > MAX_DOSSIERS;
    let mine: BTreeMap<String, Synced> =
        mine.into_iter().take(MAX_DOSSIERS as usize).map(|s| (s.national_id.clone(), s)).collect();

    // The portal's side, per unit: every agency's name and every unit motcua's side names.
    let mut units: BTreeSet<String> = ctx.store.read(repo::unit_names).await?.into_iter().collect();
    units.extend(mine.values().map(|s| s.unit.clone()));
    let (tu, den) = (datetime(t0), datetime(t1));
    let mut theirs: BTreeMap<String, Listed> = BTreeMap::new();
    let mut errors = Vec::new();
    for unit in units.iter().filter(|u| !u.is_empty()) {
        // The portal's side is bounded like motcua's (memory): past it the report is partial.
        if theirs.len() as i64 > MAX_DOSSIERS {
            partial = true;
            break;
        }
        if let Err(e) = list_unit(&client, unit, &tu, &den, &mut theirs).await {
            errors.push(format!("{unit}: {e}"));
        }
    }

    let mut c = Compare { units: BTreeMap::new(), differences: Vec::new(), lookups: 0, partial: false };
    for m in mine.values() {
        let u = c.unit(&m.unit);
        u.motcua += 1;
        u.received += i64::from(m.received_at.is_some());
        if m.pending > 0 {
            c.unit(&m.unit).pending += 1;
            continue;
        }
        let portal = match theirs.get(&m.national_id) {
            Some(p) => Portal::Has(p.status),
            None => c.lookup(&client, &m.national_id).await,
        };
        c.judge(m, portal);
    }
    for (id, p) in &theirs {
        let u = c.unit(&p.unit);
        u.portal += 1;
        u.portal_received += i64::from(p.received);
        if mine.contains_key(id) {
            continue;
        }
        // Listed by the portal only: motcua may have it outside the period or under another unit.
        let nid = id.clone();
        match ctx.store.read(move |db| repo::synced_by_national_id(db, &nid)).await? {
            Some(m) if m.pending > 0 => c.unit(&p.unit).pending += 1,
            Some(m) => c.judge(&m, Portal::Has(p.status)),
            None => c.differ(Difference {
                unit: p.unit.clone(),
                national_id: id.clone(),
                dossier_id: None,
                kind: Kind::PortalOnly,
                motcua_status: None,
                portal_status: Some(p.status),
                resent: false,
                dead_letters: 0,
            }),
        }
    }
    partial |= c.partial;

    // Send again what motcua has and the portal lacks.
    let mut resent: i64 = 0;
    let mut rows_queued = 0;
    for d in c.differences.iter_mut().filter(|d| d.kind != Kind::PortalOnly) {
        if resent >= MAX_RESENT as i64 {
            partial = true;
            break;
        }
        let Some(dossier_id) = d.dossier_id.clone() else { continue };
        let now = ctx.clock.now_ms();
        let rid = run_id.clone();
        rows_queued += ctx
            .store
            .write(move |db| {
                let events = motcua_store::repo::dossiers::events(db, &dossier_id)?;
                let seqs = motcua_dvcqg::mapping::synced_seqs(&events);
                repo::resend(db, &dossier_id, &seqs, &rid, now)
            })
            .await? as i64;
        d.resent = true;
        resent += 1;
    }

    let differences_total = c.differences.len() as i64;
    let units: Vec<UnitReport> = c.units.into_values().collect();
    let report = Report {
        portal_received: units.iter().map(|u| u.portal_received).sum(),
        received: units.iter().map(|u| u.received).sum(),
        units,
        differences: c.differences.into_iter().take(MAX_LISTED).collect(),
        differences_total,
        resent,
        rows_queued,
        partial,
        errors,
    };
    let run = Run {
        id: run_id,
        period_from: t0,
        period_to: t1,
        started_at,
        finished_at: ctx.clock.now_ms(),
        started_by: user.map(|u| u.user.id.clone()),
        differences: differences_total,
        resent,
    };
    let text = serde_json::to_string(&report).map_err(|e| AppError::Internal(e.to_string()))?;
    let saved = run.clone();
    ctx.store.write(move |db| repo::insert(db, &saved, &text)).await?;
    tracing::info!(run = %run.id, differences = differences_total, resent, partial, "national portal reconciliation");
    Ok(Reconciliation { run, report })
}

/// A dossier as the portal lists it.
struct Listed {
    unit: String,
    status: i64,
    received: bool,
}

/// Pages through one unit's list on the portal.
async fn list_unit(
    client: &Client,
    unit: &str,
    tu: &str,
    den: &str,
    into: &mut BTreeMap<String, Listed>,
) -> Result<(), SendError> {
    for page in 1..=MAX_PAGES {
        let data = client
            .call("TraCuuHoSo", &json!({"DonViXuLy": unit, "TuNgay": tu, "DenNgay": den, "Trang": page, "SoBanGhi": UNIT_PAGE}))
            .await?;
        let rows = data["HoSo"].as_array().cloned().unwrap_or_default();
        for r in &rows {
            let Some(code) = r["MaHoSo"].as_str() else { continue };
            into.insert(
                code.to_string(),
                Listed {
                    unit: unit.to_string(),
                    status: r["TrangThaiHoSo"].as_i64().unwrap_or(0),
                    received: r["NgayTiepNhan"].as_str().is_some_and(|s| !s.is_empty()),
                },
            );
        }
        let total = data["TongSo"].as_u64().unwrap_or(0);
        if rows.is_empty() || page * UNIT_PAGE >= total {
            break;
        }
    }
    Ok(())
}

/// What the portal has of one dossier.
enum Portal {
    Has(i64),
    Lacks,
    Unknown,
}

struct Compare {
    units: BTreeMap<String, UnitReport>,
    differences: Vec<Difference>,
    lookups: usize,
    partial: bool,
}

impl Compare {
    fn unit(&mut self, name: &str) -> &mut UnitReport {
        self.units.entry(name.to_string()).or_insert_with(|| UnitReport { unit: name.to_string(), ..Default::default() })
    }

    fn differ(&mut self, d: Difference) {
        self.unit(&d.unit).differences += 1;
        self.differences.push(d);
    }

    /// One dossier on the portal; past `MAX_LOOKUPS` or when the portal cannot answer it is
    /// not known (the report says partial; nothing is sent again on a failed question).
    async fn lookup(&mut self, client: &Client, id: &str) -> Portal {
        if self.lookups >= MAX_LOOKUPS {
            self.partial = true;
            return Portal::Unknown;
        }
        self.lookups += 1;
        match client.call("TraCuuHoSo", &json!({"MaHoSo": id})).await {
            Ok(v) => v["TrangThaiHoSo"].as_i64().map_or(Portal::Unknown, Portal::Has),
            Err(SendError::Rejected { status: 404, .. }) => Portal::Lacks,
            Err(_) => {
                self.partial = true;
                Portal::Unknown
            }
        }
    }

    /// Compares motcua's dossier with what the portal has.
    fn judge(&mut self, m: &Synced, portal: Portal) {
        let (kind, status) = match portal {
            Portal::Unknown => return,
            Portal::Has(s) if Some(s) == m.national_status => {
                self.unit(&m.unit).matched += 1;
                return;
            }
            Portal::Has(s) => (Kind::Behind, Some(s)),
            Portal::Lacks => (Kind::Missing, None),
        };
        self.differ(Difference {
            unit: m.unit.clone(),
            national_id: m.national_id.clone(),
            dossier_id: Some(m.dossier_id.clone()),
            kind,
            motcua_status: m.national_status,
            portal_status: status,
            resent: false,
            dead_letters: m.dead,
        });
    }
}

/// The daily run: once a local day, from `reconcile_hour`, over the last `reconcile_days`
/// days up to yesterday. Returns the run when one was due.
pub async fn daily(ctx: &AppContext) -> Result<Option<Reconciliation>, AppError> {
    let cfg = &ctx.config.dvcqg;
    if !cfg.enabled {
        return Ok(None);
    }
    let now = ctx.clock.now_ms();
    let today = motcua_domain::calendar::local_date_ms(now);
    let hour = motcua_domain::calendar::local_datetime(jiff::Timestamp::from_millisecond(now).unwrap_or_default()).hour();
    if i64::from(hour) < i64::from(cfg.reconcile_hour) {
        return Ok(None);
    }
    let last = ctx.store.read(repo::last_daily).await?;
    if last.is_some_and(|t| t >= day_start_ms(today).unwrap_or(i64::MAX)) {
        return Ok(None);
    }
    let days = i64::from(cfg.reconcile_days.clamp(1, 366));
    let to = today.yesterday().map_err(|e| AppError::Internal(e.to_string()))?;
    let from = to.checked_sub(jiff::Span::new().days(days - 1)).map_err(|e| AppError::Internal(e.to_string()))?;
    run(ctx, None, from, to).await.map(Some)
}

/// The report as JSON for the API (the indicator computed from the inputs kept).
pub fn report_json(r: &Reconciliation) -> Value {
    json!({"run": r.run, "report": r.report, "indicator_1_4": r.report.indicator_1_4()})
}
