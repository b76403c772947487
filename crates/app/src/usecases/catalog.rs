//! The procedure catalog: versions with effective dates, publication, amendment, abolition
//! and replacement, the version in force at an instant, search, import and the 766
//! transparency figures (1.1, 1.2, 1.3).

use super::require_province;
use crate::{AppContext, AppError, now_ms};
use jiff::civil::Date;
use motcua_domain::authz::{Permission, Principal};
use motcua_domain::calendar::{local_date, vn_time_zone};
use motcua_domain::catalog::{Change, Level, OnlineLevel, ProcedureSpec, VersionStatus, diff};
use motcua_domain::error::ValidationError;
use motcua_store::Db;
use motcua_store::repo::audit::{self, ADMIN_CHAIN, NewAudit};
use motcua_store::repo::catalog::{self as repo, CatalogFilter, Summary, VersionRecord};
use serde::Serialize;
use serde_json::json;

/// "YYYY-MM-DD" (00:00 in Vietnam that day) or an RFC 3339 instant → unix ms.
pub fn parse_effective(field: &str, s: &str) -> Result<i64, AppError> {
    let s = s.trim();
    if let Ok(d) = s.parse::<Date>() {
        return d.to_zoned(vn_time_zone()).map(|z| z.timestamp().as_millisecond()).map_err(|e| AppError::Internal(e.to_string()));
    }
    s.parse::<jiff::Timestamp>().map(|t| t.as_millisecond()).map_err(|_| {
        AppError::Validation(ValidationError::single(
            field,
            "invalid_effective_date",
            "Ngày hiệu lực không hợp lệ (YYYY-MM-DD hoặc thời điểm RFC 3339).",
            "Invalid effective date (YYYY-MM-DD or an RFC 3339 instant).",
        ))
    })
}

/// The level filter as the API and the pages receive it ("province", "commune"; empty: any).
pub fn parse_level(s: Option<&str>) -> Result<Option<Level>, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some("province") => Ok(Some(Level::Province)),
        Some("commune") => Ok(Some(Level::Commune)),
        Some(_) => Err(AppError::Validation(ValidationError::single(
            "level",
            "invalid_level",
            "Cấp thực hiện là province hoặc commune.",
            "level is province or commune.",
        ))),
    }
}

/// The online-level filter ("full", "partial", "none"; empty: any).
pub fn parse_online_level(s: Option<&str>) -> Result<Option<OnlineLevel>, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some("full") => Ok(Some(OnlineLevel::Full)),
        Some("partial") => Ok(Some(OnlineLevel::Partial)),
        Some("none") => Ok(Some(OnlineLevel::None)),
        Some(_) => Err(AppError::Validation(ValidationError::single(
            "online_level",
            "invalid_online_level",
            "Mức độ trực tuyến là full, partial hoặc none.",
            "online_level is full, partial or none.",
        ))),
    }
}

pub use motcua_store::repo::catalog::online_code;

fn audit_proc(db: &mut Db, actor: Option<&str>, action: &str, code: &str, payload: serde_json::Value) -> Result<(), AppError> {
    audit::append(
        db,
        NewAudit {
            chain: ADMIN_CHAIN,
            at_ms: now_ms(),
            actor_id: actor,
            action,
            entity_kind: "procedure",
            entity_id: code,
            agency_path: None,
            payload,
        },
    )?;
    Ok(())
}

fn conflict_effective() -> AppError {
    AppError::Validation(ValidationError::single(
        "effective_from",
        "effective_conflict",
        "Đã có phiên bản khác có hiệu lực từ ngày này hoặc muộn hơn; chọn ngày hiệu lực muộn hơn.",
        "Another version already takes effect on or after this date; choose a later effective date.",
    ))
}

/// Publishes `version` from `effective`: the versions in force before it end at `effective`
/// (they become "amended"). Runs inside the caller's transaction.
fn publish_in(db: &mut Db, actor: Option<&str>, code: &str, version: i64, effective: i64, now: i64) -> Result<(), AppError> {
    let v = repo::get_version(db, code, version)?.ok_or(AppError::not_found("procedure version"))?;
    if v.status != VersionStatus::Draft {
        return Err(AppError::Validation(ValidationError::single(
            "version",
            "not_a_draft",
            "Chỉ công bố được phiên bản dự thảo.",
            "Only a draft version can be published.",
        )));
    }
    for o in repo::open_versions(db, code)? {
        let from = o.effective_from.unwrap_or(i64::MIN);
        if from >= effective {
            return Err(conflict_effective());
        }
        repo::set_window(db, code, o.version, VersionStatus::Amended, o.effective_from, Some(effective), o.published_at)?;
    }
    repo::set_window(db, code, version, VersionStatus::Published, Some(effective), None, Some(now))?;
    audit_proc(db, actor, "procedure.published", code, json!({"version": version, "effective_from": effective}))?;
    Ok(())
}

/// Adds a version (a new procedure when the code is new); publishes it when `effective` is given.
pub fn add_version_in(
    db: &mut Db,
    actor: Option<&str>,
    spec: ProcedureSpec,
    effective: Option<i64>,
    now: i64,
) -> Result<VersionRecord, AppError> {
    let code = spec.code.clone();
    let version = repo::procedure_exists(db, &code)?.map_or(1, |v| v + 1);
    let rec = VersionRecord {
        code: code.clone(),
        version,
        status: VersionStatus::Draft,
        effective_from: None,
        effective_to: None,
        published_at: None,
        created_at: now,
        created_by: actor.map(str::to_string),
        spec,
    };
    repo::insert_version(db, &rec)?;
    audit_proc(
        db,
        actor,
        if version == 1 { "procedure.created" } else { "procedure.version_added" },
        &code,
        json!({"version": version, "name": rec.spec.name}),
    )?;
    if let Some(e) = effective {
        publish_in(db, actor, &code, version, e, now)?;
    }
    Ok(repo::get_version(db, &code, version)?.expect("just written"))
}

/// A new procedure, or a new version of an existing one (amendment); published from
/// `effective` when given, else kept as a draft.
pub async fn add_version(
    ctx: &AppContext,
    actor: Option<&Principal>,
    spec: ProcedureSpec,
    effective: Option<i64>,
    expect_new: bool,
) -> Result<VersionRecord, AppError> {
    require_province(actor, Permission::ManageCatalog)?;
    let spec = spec.validate()?;
    let actor_id = actor.map(|a| a.user_id.clone());
    ctx.store
        .write(move |db| {
            let exists = repo::procedure_exists(db, &spec.code)?.is_some();
            if expect_new && exists {
                return Err(AppError::Validation(ValidationError::single(
                    "code",
                    "procedure_exists",
                    "Mã thủ tục này đã có trong danh mục; hãy thêm phiên bản mới (sửa đổi).",
                    "This procedure code exists; add a new version instead.",
                )));
            }
            if !expect_new && !exists {
                return Err(AppError::not_found("procedure"));
            }
            add_version_in(db, actor_id.as_deref(), spec, effective, now_ms())
        })
        .await
}

pub async fn publish(
    ctx: &AppContext,
    actor: &Principal,
    code: &str,
    version: i64,
    effective: i64,
) -> Result<VersionRecord, AppError> {
    require_province(Some(actor), Permission::ManageCatalog)?;
    let (actor_id, code) = (actor.user_id.clone(), code.to_string());
    ctx.store
        .write(move |db| {
            publish_in(db, Some(&actor_id), &code, version, effective, now_ms())?;
            Ok(repo::get_version(db, &code, version)?.expect("exists"))
        })
        .await
}

#[derive(Debug, Clone)]
pub enum Ending {
    Abolish,
    /// Replaced by another procedure (its code).
    Replace(String),
}

/// Abolishes or replaces a procedure from `effective` on.
pub async fn end(
    ctx: &AppContext,
    actor: &Principal,
    code: &str,
    how: Ending,
    effective: i64,
) -> Result<VersionRecord, AppError> {
    require_province(Some(actor), Permission::ManageCatalog)?;
    let (actor_id, code) = (actor.user_id.clone(), code.to_string());
    ctx.store
        .write(move |db| {
            if repo::procedure_exists(db, &code)?.is_none() {
                return Err(AppError::not_found("procedure"));
            }
            let open = repo::open_versions(db, &code)?;
            let Some(last) = open.last().cloned() else {
                return Err(AppError::Validation(ValidationError::single(
                    "code",
                    "nothing_in_force",
                    "Thủ tục không có phiên bản đang hoặc sắp có hiệu lực.",
                    "The procedure has no version in force or scheduled.",
                )));
            };
            if open.iter().any(|o| o.effective_from.unwrap_or(i64::MIN) >= effective) {
                return Err(conflict_effective());
            }
            let (status, action, payload) = match &how {
                Ending::Abolish => (VersionStatus::Abolished, "procedure.abolished", json!({"effective": effective})),
                Ending::Replace(by) => {
                    if repo::procedure_exists(db, by)?.is_none() {
                        return Err(AppError::Validation(ValidationError::single(
                            "by",
                            "replacement_not_found",
                            "Không tìm thấy thủ tục thay thế trong danh mục.",
                            "The replacing procedure is not in the catalog.",
                        )));
                    }
                    repo::set_replaced_by(db, &code, by)?;
                    (VersionStatus::Replaced, "procedure.replaced", json!({"effective": effective, "by": by}))
                }
            };
            for o in &open[..open.len() - 1] {
                repo::set_window(
                    db,
                    &code,
                    o.version,
                    VersionStatus::Amended,
                    o.effective_from,
                    o.effective_to.or(Some(effective)),
                    o.published_at,
                )?;
            }
            repo::set_window(db, &code, last.version, status, last.effective_from, Some(effective), last.published_at)?;
            audit_proc(db, Some(&actor_id), action, &code, payload)?;
            Ok(repo::get_version(db, &code, last.version)?.expect("exists"))
        })
        .await
}

/// The version in force at `at_ms` — the one a dossier received then is pinned to.
pub async fn in_force(ctx: &AppContext, code: &str, at_ms: i64) -> Result<Option<VersionRecord>, AppError> {
    let code = code.trim().to_ascii_uppercase();
    ctx.store.read(move |db| repo::in_force(db, &code, at_ms).map_err(AppError::from)).await
}

pub async fn versions(ctx: &AppContext, code: &str) -> Result<Vec<VersionRecord>, AppError> {
    let code = code.trim().to_ascii_uppercase();
    let vs = ctx.store.read(move |db| repo::versions(db, &code).map_err(AppError::from)).await?;
    if vs.is_empty() { Err(AppError::not_found("procedure")) } else { Ok(vs) }
}

pub async fn version_diff(ctx: &AppContext, code: &str, a: i64, b: i64) -> Result<Vec<Change>, AppError> {
    let vs = versions(ctx, code).await?;
    let find = |n: i64| vs.iter().find(|v| v.version == n).ok_or(AppError::not_found("procedure version"));
    Ok(diff(&find(a)?.spec, &find(b)?.spec))
}

#[derive(Debug, Clone, Default)]
pub struct CatalogQuery {
    pub q: Option<String>,
    pub sector: Option<String>,
    pub level: Option<Level>,
    pub online_level: Option<OnlineLevel>,
    pub agency_code: Option<String>,
    pub at_ms: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

pub fn filter_of(q: CatalogQuery) -> CatalogFilter {
    CatalogFilter {
        at_ms: q.at_ms.unwrap_or_else(now_ms),
        words: q.q.map(|t| motcua_domain::text::fold(&t).split_whitespace().map(str::to_string).collect()).unwrap_or_default(),
        sector: q.sector.filter(|s| !s.is_empty()),
        level: q.level,
        online_level: q.online_level,
        agency_code: q.agency_code.filter(|s| !s.is_empty()),
        limit: if q.limit <= 0 { 20 } else { q.limit },
        offset: q.offset,
    }
}

pub async fn search(ctx: &AppContext, q: CatalogQuery) -> Result<(Vec<Summary>, i64), AppError> {
    let f = filter_of(q);
    ctx.store.read(move |db| repo::search(db, &f).map_err(AppError::from)).await
}

pub async fn sectors(ctx: &AppContext) -> Result<Vec<(String, String, i64)>, AppError> {
    let now = now_ms();
    ctx.store.read(move |db| repo::sectors(db, now).map_err(AppError::from)).await
}

pub async fn all_in_force(ctx: &AppContext, at_ms: Option<i64>) -> Result<Vec<VersionRecord>, AppError> {
    let at = at_ms.unwrap_or_else(now_ms);
    ctx.store.read(move |db| repo::all_in_force(db, at).map_err(AppError::from)).await
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    pub created: usize,
    pub amended: usize,
    pub unchanged: usize,
}

/// Imports whole: every row is checked first, then all are written in one transaction.
/// New codes become published procedures; changed ones get a new published version;
/// identical ones are left alone.
pub async fn import(
    ctx: &AppContext,
    actor: Option<&Principal>,
    rows: Vec<(ProcedureSpec, Option<i64>)>,
) -> Result<ImportOutcome, AppError> {
    require_province(actor, Permission::ManageCatalog)?;
    let mut errs = Vec::new();
    let mut valid = Vec::with_capacity(rows.len());
    let mut seen = std::collections::HashSet::new();
    for (i, (spec, eff)) in rows.into_iter().enumerate() {
        match spec.validate() {
            Ok(s) => {
                if !seen.insert(s.code.clone()) {
                    errs.push(motcua_domain::error::FieldError::new(
                        format!("[{i}].code"),
                        "duplicate_code",
                        "Mã thủ tục bị trùng trong tệp.",
                        "Duplicate procedure code in the file.",
                    ));
                }
                valid.push((s, eff));
            }
            Err(ValidationError(fs)) => {
                errs.extend(fs.into_iter().map(|mut f| {
                    f.field = format!("[{i}].{}", f.field);
                    f
                }));
            }
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Validation(ValidationError(errs)));
    }
    let actor_id = actor.map(|a| a.user_id.clone());
    ctx.store
        .write(move |db| {
            let now = now_ms();
            let mut out = ImportOutcome::default();
            for (spec, eff) in valid {
                let effective = eff.unwrap_or(now);
                match repo::procedure_exists(db, &spec.code)? {
                    None => {
                        add_version_in(db, actor_id.as_deref(), spec, Some(effective), now)?;
                        out.created += 1;
                    }
                    Some(_) => {
                        let current = repo::in_force(db, &spec.code, effective)?;
                        if current.is_some_and(|c| c.spec == spec) {
                            out.unchanged += 1;
                        } else {
                            add_version_in(db, actor_id.as_deref(), spec, Some(effective), now)?;
                            out.amended += 1;
                        }
                    }
                }
            }
            audit::append(
                db,
                NewAudit {
                    chain: ADMIN_CHAIN,
                    at_ms: now,
                    actor_id: actor_id.as_deref(),
                    action: "catalog.imported",
                    entity_kind: "catalog",
                    entity_id: "procedures",
                    agency_path: None,
                    payload: json!({"created": out.created, "amended": out.amended, "unchanged": out.unchanged}),
                },
            )?;
            Ok(out)
        })
        .await
}

/// One 766 ratio: numerator, denominator, percentage and points; `None` when there is no data
/// (never shown as 0).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Indicator {
    pub id: &'static str,
    pub name_vi: &'static str,
    pub numerator: i64,
    pub denominator: i64,
    pub ratio_percent: Option<f64>,
    pub points: Option<f64>,
    pub max_points: f64,
}

pub(crate) fn indicator(id: &'static str, name_vi: &'static str, num: i64, den: i64, max: f64) -> Indicator {
    indicator_full_at(id, name_vi, num, den, max, 100.0)
}

/// An indicator whose points are full from `full_at` percent: `min(max, max × R / full_at)`.
fn indicator_full_at(id: &'static str, name_vi: &'static str, num: i64, den: i64, max: f64, full_at: f64) -> Indicator {
    let ratio = (den > 0).then(|| (num as f64 * 10_000.0 / den as f64).round() / 100.0);
    // From the exact ratio, rounded once to the hundredth of a point.
    let points = (den > 0).then(|| {
        let exact = num as f64 * 100.0 / den as f64;
        (max * (exact / full_at).min(1.0) * 100.0).round() / 100.0
    });
    Indicator { id, name_vi, numerator: num, denominator: den, ratio_percent: ratio, points, max_points: max }
}

/// 766 indicator 4.3 (spec §c.2): dossiers received in the period with at least one
/// component taken from digitized data (the data locker) over dossiers received; 2 points,
/// full at 80 % or more. The rest of the index is issue #16.
pub fn reuse_indicator(received: i64, reused: i64) -> Indicator {
    indicator_full_at("4.3", "Tỷ lệ hồ sơ khai thác, sử dụng lại thông tin, dữ liệu số hóa", reused, received, 2.0, 80.0)
}

/// 766 indicators 1.1–1.3 computed from the catalog, for decisions dated in `[from, to]`.
/// 1.1: decision dated at least 5 working days before the latest legal basis takes effect
/// (procedures whose legal basis has no effective date are counted on time);
/// 1.2: published in motcua within 5 working days of the decision;
/// 1.3: procedures in force now having all seven parts.
pub async fn transparency(ctx: &AppContext, from: Date, to: Date) -> Result<Vec<Indicator>, AppError> {
    transparency_of(ctx, from, to, |_| true).await
}

/// 1.1–1.3 over the procedures `of` keeps (a unit's procedures, issue #16).
pub async fn transparency_of(
    ctx: &AppContext,
    from: Date,
    to: Date,
    of: impl Fn(&motcua_domain::catalog::ProcedureSpec) -> bool,
) -> Result<Vec<Indicator>, AppError> {
    let now = now_ms();
    let (decided, current) = ctx
        .store
        .read(move |db| {
            Ok::<_, AppError>((repo::decided_between(db, &from.to_string(), &to.to_string())?, repo::all_in_force(db, now)?))
        })
        .await?;
    transparency_from(&ctx.calendars.national(), &decided, &current, of)
}

/// 1.1–1.3 from versions already read: those decided in the period and those in force now,
/// kept by `of` (the indicators read the catalog once for a unit and all its sub-units).
pub fn transparency_from(
    cal: &motcua_domain::calendar::WorkCalendar,
    decided: &[VersionRecord],
    current: &[VersionRecord],
    of: impl Fn(&motcua_domain::catalog::ProcedureSpec) -> bool,
) -> Result<Vec<Indicator>, AppError> {
    use std::collections::BTreeMap;
    let mut on_time_1: BTreeMap<String, bool> = BTreeMap::new();
    let mut on_time_2: BTreeMap<String, bool> = BTreeMap::new();
    for v in decided.iter().filter(|v| of(&v.spec)) {
        let decision = v.spec.decision.date;
        let deadline = cal.add_working_days(decision, 5)?;
        let legal = v.spec.legal_basis.iter().filter_map(|l| l.effective).max();
        let ok1 = legal.is_none_or(|eff| deadline <= eff);
        let ok2 = v
            .published_at
            .is_some_and(|p| jiff::Timestamp::from_millisecond(p).map(|t| local_date(t) <= deadline).unwrap_or(false));
        // One late occurrence in the period makes the procedure late.
        *on_time_1.entry(v.code.clone()).or_insert(true) &= ok1;
        *on_time_2.entry(v.code.clone()).or_insert(true) &= ok2;
    }
    let count = |m: &BTreeMap<String, bool>| m.values().filter(|v| **v).count() as i64;
    let current: Vec<&VersionRecord> = current.iter().filter(|v| of(&v.spec)).collect();
    let complete = current.iter().filter(|v| v.spec.is_complete()).count() as i64;
    Ok(vec![
        indicator("1.1", "Tỷ lệ TTHC công bố đúng hạn", count(&on_time_1), on_time_1.len() as i64, 6.0),
        indicator("1.2", "Tỷ lệ TTHC được cập nhật, công khai đúng hạn", count(&on_time_2), on_time_2.len() as i64, 4.0),
        indicator("1.3", "Tỷ lệ TTHC công khai đầy đủ nội dung", complete, current.len() as i64, 2.0),
    ])
}

#[cfg(test)]
mod indicator_tests {
    use super::*;

    #[test]
    fn reuse_indicator_is_full_from_80_percent_and_no_data_is_not_zero() {
        let p = |received, reused| reuse_indicator(received, reused).points;
        assert_eq!(p(10, 8), Some(2.0));
        assert_eq!(p(10, 10), Some(2.0), "capped at the maximum");
        assert_eq!(p(10, 4), Some(1.0));
        // 1/3 = 33.33…% → 2 × 33.33… / 80 = 0.8333… → 0.83 (rounded once, from the exact ratio).
        assert_eq!(p(3, 1), Some(0.83));
        let none = reuse_indicator(0, 0);
        assert_eq!((none.ratio_percent, none.points, none.max_points), (None, None, 2.0));
    }
}
