//! Importing the province's procedures from the national procedure database (spec REQ-2,
//! issue #15) through the one adapter (`motcua_dvcqg::Client`): the list
//! (`LayDanhSachTTHC`), then each procedure (`LayThuTuc`), mapped to the catalog's model
//! and laid over the version in force (local additions kept, `catalog_sync::merge`). New and
//! changed procedures become DRAFT versions; nothing is published until an administrator
//! reviews the differences and publishes the ones selected. Malformed entries land in an
//! error list with their Vietnamese reasons; the others are imported.
//!
//! The report is kept whole in the audit event of the import (`catalog.national_imported`),
//! which is also where the next import learns which codes the national database listed
//! (a code listed before and no longer listed is "withdrawn").

use super::catalog::{Ending, add_version_in, end, publish};
use super::require_province;
use crate::{AppContext, AppError, now_ms};
use futures_util::StreamExt;
use motcua_domain::authz::{Permission, Principal};
use motcua_domain::catalog::{Change, VersionStatus, valid_code};
use motcua_domain::catalog_sync::{EntryKind, merge, review_diff};
use motcua_domain::error::ValidationError;
use motcua_dvcqg::catalog::{SERVICE_LIST, SERVICE_PROCEDURE, procedure_from_national};
use motcua_dvcqg::{Client, SendError};
use motcua_store::repo::audit::{self, ADMIN_CHAIN, AuditFilter, NewAudit};
use motcua_store::repo::catalog as repo;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Most procedures one import reads (a province publishes about 2,000).
pub const MAX_PROCEDURES: usize = 5_000;
/// `LayThuTuc` calls in flight at once.
const CONCURRENCY: usize = 4;
const AUDIT_ACTION: &str = "catalog.national_imported";
const AUDIT_ENTITY: &str = "national";

/// One procedure to review.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportEntry {
    pub code: String,
    pub name: String,
    #[schema(value_type = String)]
    pub kind: EntryKind,
    /// The draft version the import created (new and changed procedures).
    pub version: Option<i64>,
    /// Field by field, old → new (changed procedures).
    #[schema(value_type = Vec<Object>)]
    pub changes: Vec<Change>,
    /// Published (or, for a withdrawn one, abolished) since; worked out when read.
    #[serde(default)]
    pub done: bool,
}

/// A national entry that could not be imported, with its reason.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportError {
    /// The procedure code as listed (may be empty or malformed itself).
    pub code: String,
    pub field: String,
    pub error: String,
    pub message_vi: String,
}

/// What one import found.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Unix ms.
    pub at: i64,
    /// Procedures the national database listed.
    pub listed: usize,
    /// New, changed and withdrawn procedures.
    pub entries: Vec<ImportEntry>,
    pub unchanged: usize,
    /// Procedures in force here that the national database never listed (kept as they are).
    pub local_only: usize,
    pub errors: Vec<ImportError>,
}

impl ImportReport {
    pub fn count(&self, kind: EntryKind) -> usize {
        self.entries.iter().filter(|e| e.kind == kind).count()
    }
}

fn portal_error(e: SendError) -> AppError {
    AppError::Refused {
        http: 502,
        code: "national_portal_unavailable",
        vi: format!("Không lấy được danh mục từ CSDL quốc gia về TTHC; chưa có gì thay đổi. {e}"),
        en: format!("The national procedure database could not be read; nothing changed. {e}"),
    }
}

fn error(code: &str, field: &str, error: &str, message_vi: String) -> ImportError {
    ImportError { code: code.into(), field: field.into(), error: error.into(), message_vi }
}

/// Reads the national catalog and returns each listed code with its payload (or why not).
async fn fetch(client: &Client) -> Result<(Vec<(String, Value)>, Vec<ImportError>), AppError> {
    let list = client.call(SERVICE_LIST, &json!({})).await.map_err(portal_error)?;
    let Some(list) = list.as_array() else {
        return Err(portal_error(SendError::Transient("LayDanhSachTTHC: data không phải danh sách".into())));
    };
    if list.len() > MAX_PROCEDURES {
        return Err(AppError::Refused {
            http: 422,
            code: "too_many_procedures",
            vi: format!("CSDL quốc gia trả về {} thủ tục, quá giới hạn {MAX_PROCEDURES} của một lần nhập.", list.len()),
            en: format!("The national database listed {} procedures, over the {MAX_PROCEDURES} limit.", list.len()),
        });
    }
    let mut errors = Vec::new();
    let mut codes = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, e) in list.iter().enumerate() {
        let code = e["MATTHC"].as_str().map(|c| c.trim().to_ascii_uppercase()).unwrap_or_default();
        if !valid_code(&code) {
            errors.push(error(
                &code,
                &format!("[{i}].MATTHC"),
                "invalid_procedure_code",
                format!("Mã thủ tục \"{code}\" không hợp lệ (ví dụ 1.000948 hoặc 1.000948.H40)."),
            ));
        } else if seen.insert(code.clone()) {
            codes.push(code);
        }
    }
    let fetched: Vec<(String, Result<Value, SendError>)> = futures_util::stream::iter(codes)
        .map(|code| async move {
            let r = client.call(SERVICE_PROCEDURE, &json!({"MaTTHC": code})).await;
            (code, r)
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    let mut out = Vec::new();
    for (code, r) in fetched {
        match r {
            Ok(v) => out.push((code, v)),
            Err(SendError::Rejected { status, code: c, message }) => errors.push(error(
                &code,
                "MATTHC",
                "unknown_procedure",
                format!("CSDL quốc gia không trả về thủ tục {code} ({status} {c}: {message})."),
            )),
            Err(e) => return Err(portal_error(e)),
        }
    }
    Ok((out, errors))
}

/// The latest import's audit payload.
fn latest_payload(db: &mut motcua_store::Db) -> Result<Option<Value>, AppError> {
    let f =
        AuditFilter { entity_kind: Some("catalog".into()), entity_id: Some(AUDIT_ENTITY.into()), limit: 1, ..Default::default() };
    Ok(audit::list(db, &f)?.into_iter().next().and_then(|e| serde_json::from_str(&e.payload).ok()))
}

/// Contexts with an import running: one at a time per context (each reads the whole
/// national catalog), keyed by the context's configuration.
static RUNNING: std::sync::Mutex<BTreeSet<usize>> = std::sync::Mutex::new(BTreeSet::new());

/// Holds a context's import slot until dropped.
struct Running(usize);

impl Running {
    fn take(ctx: &AppContext) -> Option<Running> {
        let key = std::sync::Arc::as_ptr(&ctx.config) as usize;
        let mut g = RUNNING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        g.insert(key).then_some(Running(key))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&self.0);
    }
}

/// `import` through the adapter built from `[dvcqg]` in the configuration.
pub async fn import_configured(ctx: &AppContext, actor: &Principal) -> Result<ImportReport, AppError> {
    require_province(Some(actor), Permission::ManageCatalog)?;
    let client = Client::new(ctx.config.dvcqg.clone()).map_err(AppError::Internal)?;
    import(ctx, Some(actor), &client).await
}

/// Imports the national catalog: drafts for new and changed procedures, the report to review.
pub async fn import(ctx: &AppContext, actor: Option<&Principal>, client: &Client) -> Result<ImportReport, AppError> {
    require_province(actor, Permission::ManageCatalog)?;
    let Some(_running) = Running::take(ctx) else {
        return Err(AppError::Conflict {
            code: "import_running",
            field: None,
            vi: "Đang có một lần nhập danh mục quốc gia khác; thử lại sau khi lần đó xong.",
            en: "Another national catalog import is running; try again once it is done.",
        });
    };
    let (fetched, mut errors) = fetch(client).await?;
    let mut national = Vec::new();
    for (code, v) in fetched {
        match procedure_from_national(&v) {
            Ok(s) if s.code.trim().eq_ignore_ascii_case(&code) => national.push(s),
            Ok(s) => errors.push(error(
                &code,
                "MATTHC",
                "code_mismatch",
                format!("LayThuTuc trả về thủ tục {} khi hỏi {code}.", s.code),
            )),
            Err(fs) => errors.extend(fs.into_iter().map(|f| error(&code, &f.field, f.code, f.message_vi))),
        }
    }
    let listed: BTreeSet<String> = national.iter().map(|s| s.code.trim().to_ascii_uppercase()).collect();
    let listed_count = listed.len() + errors.iter().map(|e| e.code.as_str()).collect::<BTreeSet<_>>().len();
    // Codes with an error are still on the national list: not withdrawn.
    let still_listed: BTreeSet<String> = listed.iter().cloned().chain(errors.iter().map(|e| e.code.clone())).collect();
    let actor_id = actor.map(|a| a.user_id.clone());
    ctx.store
        .write(move |db| {
            let now = now_ms();
            let mut report = ImportReport { at: now, listed: listed_count, ..Default::default() };
            for spec in national {
                let code = spec.code.trim().to_ascii_uppercase();
                let current = repo::in_force(db, &code, now)?;
                let merged = match merge(spec, current.as_ref().map(|c| &c.spec)).validate() {
                    Ok(s) => s,
                    Err(ValidationError(fs)) => {
                        report.errors.extend(fs.into_iter().map(|f| error(&code, &f.field, f.code, f.message_vi)));
                        continue;
                    }
                };
                if current.as_ref().is_some_and(|c| c.spec == merged) {
                    report.unchanged += 1;
                    continue;
                }
                let (kind, changes) = match &current {
                    Some(c) => (EntryKind::Changed, review_diff(&c.spec, &merged)),
                    None => (EntryKind::New, Vec::new()),
                };
                // A draft already holding exactly this (an earlier import not yet reviewed) is reused.
                let latest = match repo::procedure_exists(db, &code)? {
                    Some(v) => repo::get_version(db, &code, v)?,
                    None => None,
                };
                let version = match latest {
                    Some(l) if l.status == VersionStatus::Draft && l.spec == merged => l.version,
                    _ => add_version_in(db, actor_id.as_deref(), merged.clone(), None, now)?.version,
                };
                report.entries.push(ImportEntry { code, name: merged.name, kind, version: Some(version), changes, done: false });
            }
            report.errors.extend(errors);
            // Known national codes: what the previous import knew, still in force, and
            // not listed any more → withdrawn; they stay known until abolished.
            let before: BTreeSet<String> =
                latest_payload(db)?.and_then(|p| serde_json::from_value(p["national_codes"].clone()).ok()).unwrap_or_default();
            let mut known = still_listed.clone();
            for code in before.difference(&still_listed) {
                if let Some(v) = repo::in_force(db, code, now)? {
                    known.insert(code.clone());
                    report.entries.push(ImportEntry {
                        code: code.clone(),
                        name: v.spec.name,
                        kind: EntryKind::Withdrawn,
                        version: None,
                        changes: Vec::new(),
                        done: false,
                    });
                }
            }
            report.local_only = repo::all_in_force(db, now)?.iter().filter(|v| !known.contains(&v.code)).count();
            let mut payload = serde_json::to_value(&report).map_err(|e| AppError::Internal(e.to_string()))?;
            payload["national_codes"] = json!(known);
            audit::append(
                db,
                NewAudit {
                    chain: ADMIN_CHAIN,
                    at_ms: now,
                    actor_id: actor_id.as_deref(),
                    action: AUDIT_ACTION,
                    entity_kind: "catalog",
                    entity_id: AUDIT_ENTITY,
                    agency_path: None,
                    payload,
                },
            )?;
            Ok(report)
        })
        .await
}

/// The latest import's report, each entry marked done once published or abolished.
pub async fn latest(ctx: &AppContext, actor: &Principal) -> Result<Option<ImportReport>, AppError> {
    require_province(Some(actor), Permission::ManageCatalog)?;
    ctx.store
        .read(move |db| {
            let Some(p) = latest_payload(db)? else { return Ok(None) };
            let mut r: ImportReport = serde_json::from_value(p).map_err(|e| AppError::Internal(format!("import report: {e}")))?;
            let now = now_ms();
            for e in &mut r.entries {
                e.done = match (e.kind, e.version) {
                    (EntryKind::Withdrawn, _) => repo::in_force(db, &e.code, now)?.is_none(),
                    (_, Some(v)) => repo::get_version(db, &e.code, v)?.is_some_and(|x| x.status != VersionStatus::Draft),
                    _ => true,
                };
            }
            Ok(Some(r))
        })
        .await
}

/// What publishing the selected entries did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct PublishOutcome {
    pub published: Vec<String>,
    pub abolished: Vec<String>,
    pub errors: Vec<ImportError>,
}

/// Publishes the selected entries of the latest import from `effective`: the draft of a new
/// or changed procedure is published; a withdrawn procedure is abolished. Each code is its
/// own change (one that cannot be applied is reported and the others go on).
pub async fn publish_selected(
    ctx: &AppContext,
    actor: &Principal,
    codes: &[String],
    effective: i64,
) -> Result<PublishOutcome, AppError> {
    let report = latest(ctx, actor).await?.ok_or(AppError::not_found("national catalog import"))?;
    let entries: BTreeMap<&str, &ImportEntry> = report.entries.iter().map(|e| (e.code.as_str(), e)).collect();
    let mut out = PublishOutcome::default();
    for code in codes.iter().map(|c| c.trim().to_ascii_uppercase()).collect::<BTreeSet<_>>() {
        let Some(e) = entries.get(code.as_str()) else {
            out.errors.push(error(&code, "codes", "not_in_import", format!("Thủ tục {code} không có trong lần nhập gần nhất.")));
            continue;
        };
        if e.done {
            out.errors.push(error(&code, "codes", "already_done", format!("Thủ tục {code} đã được xử lý.")));
            continue;
        }
        let r = match (e.kind, e.version) {
            (EntryKind::Withdrawn, _) => end(ctx, actor, &code, Ending::Abolish, effective).await.map(|_| true),
            (_, Some(v)) => publish(ctx, actor, &code, v, effective).await.map(|_| false),
            _ => continue,
        };
        match r {
            Ok(true) => out.abolished.push(code),
            Ok(false) => out.published.push(code),
            Err(AppError::Validation(ValidationError(fs))) => {
                out.errors.extend(fs.into_iter().map(|f| error(&code, &f.field, f.code, f.message_vi)));
            }
            Err(other) => return Err(other),
        }
    }
    Ok(out)
}
