//! Retention and archival (issue #19; docs/operations.md "Retention and archival",
//! docs/archive-format.md): the report of finished dossiers past their retention period,
//! the export of a finished dossier as a self-contained archive package, and the deletion
//! of the applicant's personal data once a dossier is both archived and past its period.
//!
//! `actor` is `None` for the system (the CLI): everything. An official needs
//! `ManageArchive`, and sees and acts on the dossiers received under their agencies only
//! (the scope is in the SQL).

use crate::{AppContext, AppError};
use jiff::civil::Date;
use motcua_domain::authz::{self, Permission, Principal};
use motcua_domain::calendar::local_date_ms;
use motcua_domain::retention::{self, PURGED, Period};
use motcua_store::repo::archive::{self as repo, DueFilter, DueRow};
use motcua_store::repo::audit::{self as audit_repo, ADMIN_CHAIN, NewAudit};
use motcua_store::repo::{documents, dossiers};
use serde_json::json;
use std::collections::BTreeSet;
use std::io::Write;

/// The package format's name and version (`manifest.json`).
pub const FORMAT: &str = "motcua-archive";
pub const FORMAT_VERSION: u32 = 1;

fn refused(http: u16, code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::Refused { http, code, vi: vi.into(), en: en.into() }
}

/// An optional `as_of` day from a query (`YYYY-MM-DD`); empty = today.
pub fn parse_as_of(s: Option<&str>) -> Result<Option<Date>, AppError> {
    match s.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => Ok(Some(super::parse_date("as_of", v)?)),
    }
}

/// The reader's agency subtrees; `None` = everything (the system).
fn scope(actor: Option<&Principal>) -> Result<Option<Vec<String>>, AppError> {
    match actor {
        None => Ok(None),
        Some(p) => {
            let s = authz::scope(p, Permission::ManageArchive);
            if s.is_empty() { Err(AppError::Forbidden) } else { Ok(Some(s)) }
        }
    }
}

/// The retention period of a procedure as configured (by code, then its sector).
async fn periods(ctx: &AppContext) -> Result<Vec<(String, String)>, AppError> {
    ctx.store.read(|db| repo::procedure_sectors(db).map_err(AppError::from)).await
}

/// The filter selecting the dossiers due on `as_of`.
async fn due_filter(ctx: &AppContext, scope: Option<Vec<String>>, as_of: Date) -> Result<DueFilter, AppError> {
    let cfg = &ctx.config.retention;
    let cut = |p: Period| -> Result<Option<i64>, AppError> {
        retention::not_due_from(as_of, p).map(super::reconciliation::day_start_ms).transpose()
    };
    let mut cutoffs = Vec::new();
    let mut seen = BTreeSet::new();
    for (code, sector) in periods(ctx).await? {
        let p = cfg.period_for(&code, Some(&sector));
        if p != cfg.default_period {
            cutoffs.push((code.clone(), cut(p)?));
        }
        seen.insert(code);
    }
    // Procedures named in the configuration but no longer in the catalog.
    for (code, p) in &cfg.procedures {
        if !seen.contains(code) && *p != cfg.default_period {
            cutoffs.push((code.clone(), cut(*p)?));
        }
    }
    Ok(DueFilter {
        scope,
        dossier_id: None,
        cutoffs,
        default_cutoff: cut(cfg.default_period)?,
        purgeable_only: false,
        offset: 0,
        limit: cfg.page_size.clamp(1, 1000) as i64,
    })
}

/// One line of the report.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DueItem {
    pub code: String,
    pub procedure_code: String,
    /// When it finished (unix ms) and that local date.
    pub finished_at: i64,
    pub finished_on: String,
    /// `10` (years) or `permanent`.
    pub period: String,
    /// The first day it is due.
    pub due_on: String,
    /// When its archive package was exported, if it was.
    pub exported_at: Option<i64>,
    /// When the applicant's personal data were deleted, if they were.
    pub purged_at: Option<i64>,
}

/// A page of the report.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DuePage {
    pub as_of: String,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
    pub items: Vec<DueItem>,
}

fn item(ctx: &AppContext, sectors: &std::collections::HashMap<String, String>, r: DueRow) -> DueItem {
    let p = ctx.config.retention.period_for(&r.procedure_code, sectors.get(&r.procedure_code).map(String::as_str));
    let finished = local_date_ms(r.finished_at);
    DueItem {
        due_on: retention::due_date(finished, p).map(|d| d.to_string()).unwrap_or_default(),
        period: p.code(),
        finished_on: finished.to_string(),
        code: r.code,
        procedure_code: r.procedure_code,
        finished_at: r.finished_at,
        exported_at: r.exported_at,
        purged_at: r.purged_at,
    }
}

/// The finished dossiers due for archival on `as_of` (today when `None`), oldest first;
/// `page` counts from 1.
pub async fn due(ctx: &AppContext, actor: Option<&Principal>, as_of: Option<Date>, page: i64) -> Result<DuePage, AppError> {
    let scope = scope(actor)?;
    let as_of = as_of.unwrap_or_else(|| local_date_ms(ctx.clock.now_ms()));
    let mut f = due_filter(ctx, scope, as_of).await?;
    let page = page.max(1);
    f.offset = (page - 1).saturating_mul(f.limit);
    let size = f.limit;
    let (rows, total) = ctx.store.read(move |db| repo::due(db, &f).map_err(AppError::from)).await?;
    let sectors = periods(ctx).await?.into_iter().collect();
    Ok(DuePage {
        as_of: as_of.to_string(),
        total,
        page,
        page_size: size,
        items: rows.into_iter().map(|r| item(ctx, &sectors, r)).collect(),
    })
}

/// The report as a CSV table (every due dossier, bounded by `documents.export_max_rows`).
pub async fn due_table(
    ctx: &AppContext,
    actor: Option<&Principal>,
    as_of: Option<Date>,
) -> Result<super::exports::Table, AppError> {
    use super::exports::{Cell, Table};
    let scope = scope(actor)?;
    let as_of = as_of.unwrap_or_else(|| local_date_ms(ctx.clock.now_ms()));
    let mut f = due_filter(ctx, scope, as_of).await?;
    let max = ctx.config.documents.export_max_rows;
    f.limit = max as i64;
    let (rows, total) = ctx.store.read(move |db| repo::due(db, &f).map_err(AppError::from)).await?;
    if total > max as i64 {
        return Err(super::exports::too_large(total, max));
    }
    let sectors = periods(ctx).await?.into_iter().collect();
    let mut t = Table {
        title: format!("Hồ sơ đến hạn lưu trữ {as_of}"),
        headers: [
            "Mã hồ sơ",
            "Mã thủ tục",
            "Ngày kết thúc",
            "Thời hạn bảo quản (năm)",
            "Đến hạn từ",
            "Đã xuất gói lưu trữ",
            "Đã xóa dữ liệu cá nhân",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    let ts = |ms: Option<i64>| ms.map(|m| local_date_ms(m).to_string()).unwrap_or_default();
    for r in rows {
        let i = item(ctx, &sectors, r);
        t.rows.push(vec![
            Cell::text(i.code),
            Cell::text(i.procedure_code),
            Cell::text(i.finished_on),
            Cell::text(i.period),
            Cell::text(i.due_on),
            Cell::text(ts(i.exported_at)),
            Cell::text(ts(i.purged_at)),
        ]);
    }
    Ok(t)
}

/// A finished dossier by code, within the actor's scope.
async fn finished(ctx: &AppContext, actor: Option<&Principal>, code: &str) -> Result<motcua_domain::dossier::Dossier, AppError> {
    // Callers without the permission anywhere learn nothing about the code.
    scope(actor)?;
    let code = code.trim().to_string();
    let d = ctx
        .store
        .read(move |db| dossiers::get_by_code(db, &code).map_err(AppError::from))
        .await?
        .ok_or(AppError::not_found("dossier"))?;
    if let Some(p) = actor {
        authz::authorize(p, Permission::ManageArchive, &d.receiving.path).map_err(|_| AppError::Forbidden)?;
    }
    if d.finished_at.is_none() {
        return Err(refused(
            409,
            "dossier_not_finished",
            "Hồ sơ chưa kết thúc (chưa trả kết quả hoặc chưa dừng/rút): chỉ hồ sơ đã kết thúc mới được lập gói lưu trữ.",
            "The dossier is not finished: only finished dossiers can be archived.",
        ));
    }
    Ok(d)
}

/// An exported archive package.
#[derive(Debug, Clone)]
pub struct Package {
    pub code: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
    /// `<code>.zip` with `/` made safe.
    pub file_name: String,
}

/// Builds the archive package of a finished dossier (docs/archive-format.md) and records it:
/// every event with its chain hash, every issued document, every attached file, a manifest
/// and `SHA256SUMS`. Refused for a dossier not finished or whose personal data were purged.
pub async fn export(ctx: &AppContext, actor: Option<&Principal>, code: &str) -> Result<Package, AppError> {
    let d = finished(ctx, actor, code).await?;
    let id = d.id.clone();
    let (chained, docs, purged) = ctx
        .store
        .read(move |db| Ok::<_, AppError>((dossiers::chained(db, &id)?, documents::list(db, &id)?, repo::is_purged(db, &id)?)))
        .await?;
    if purged {
        return Err(refused(
            409,
            "archive_purged",
            "Dữ liệu cá nhân của hồ sơ này đã bị xóa sau khi lưu trữ: hãy dùng gói lưu trữ đã xuất trước đó.",
            "The dossier's personal data were deleted after archiving: use the package exported before.",
        ));
    }
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut events = String::new();
    for (_, e) in &chained {
        events.push_str(
            &json!({"id": e.id, "chain": e.chain, "seq": e.seq, "at_ms": e.at_ms, "actor_id": e.actor_id, "action": e.action,
                "entity_kind": e.entity_kind, "entity_id": e.entity_id, "payload": e.payload, "prev_hash": e.prev_hash, "hash": e.hash})
            .to_string(),
        );
        events.push('\n');
    }
    entries.push(("events.jsonl".into(), events.into_bytes()));
    let get = |sha: &str| -> Result<Vec<u8>, AppError> {
        ctx.files.get(sha).map_err(|e| match e {
            motcua_store::StoreError::NotFound => refused(
                409,
                "archive_file_missing",
                format!("Thiếu tệp {sha} trong kho tệp: không lập được gói lưu trữ đầy đủ (chạy motcua verify)."),
                format!("File {sha} is missing from the file store: the package would be incomplete (run motcua verify)."),
            ),
            e => e.into(),
        })
    };
    let mut documents_meta = Vec::new();
    for doc in &docs {
        let path = format!("documents/{}-{}-{}.pdf", doc.form, doc.event_seq, doc.id);
        entries.push((path.clone(), get(&doc.sha256)?));
        documents_meta
            .push(json!({"path": path, "form": doc.form, "name": doc.name, "number": doc.number, "event_seq": doc.event_seq}));
    }
    let mut shas = BTreeSet::new();
    for f in &d.files {
        shas.insert(f.sha256.clone());
    }
    for c in &d.certified_copies {
        shas.insert(c.signature_sha256.clone());
    }
    for sha in &shas {
        entries.push((format!("files/{sha}"), get(sha)?));
    }
    let files_meta: Vec<_> = d
        .files
        .iter()
        .map(|f| json!({"id": f.id, "component_key": f.component_key, "sha256": f.sha256, "name": f.name, "media_type": f.media_type, "removed": f.removed}))
        .collect();
    let p = ctx.config.retention.period_for(&d.procedure.code, sector_of(ctx, &d.procedure.code).await?.as_deref());
    let finished_at = d.finished_at.unwrap_or_default();
    let now = ctx.clock.now_ms();
    let listing: Vec<_> = entries
        .iter()
        .map(|(path, b)| json!({"path": path, "sha256": motcua_store::files::sha256_hex(b), "bytes": b.len()}))
        .collect();
    let manifest = json!({
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": jiff::Timestamp::from_millisecond(now).map(|t| t.to_string()).unwrap_or_default(),
        "software": concat!("motcua ", env!("CARGO_PKG_VERSION")),
        "dossier": {
            "id": d.id, "code": d.code, "status": d.status.code(), "national_status": d.status.national_code(),
            "channel": d.channel, "procedure": {"code": d.procedure.code, "version": d.procedure.version, "name": d.procedure.name},
            "receiving_agency": {"code": d.receiving.code, "name": d.receiving.name},
            "competent_agency": d.competent.as_ref().map(|c| json!({"code": c.code, "name": c.name})),
            "created_at": d.created_at, "received_at": d.received_at, "due_at": d.due_at, "finished_at": finished_at,
            "timeliness": d.timeliness,
        },
        "retention": {"period": p.code(), "due_on": retention::due_date(local_date_ms(finished_at), p).map(|x| x.to_string())},
        "chain": {"name": format!("dossier:{}", d.id), "events": chained.len(), "head": chained.last().map(|(_, e)| e.hash.clone())},
        "documents": documents_meta,
        "files": files_meta,
        "entries": listing,
    });
    let manifest = serde_json::to_vec_pretty(&manifest).map_err(|e| AppError::Internal(e.to_string()))?;
    entries.insert(0, ("manifest.json".into(), manifest));
    let mut sums = String::new();
    for (path, b) in &entries {
        sums.push_str(&format!("{}  {path}\n", motcua_store::files::sha256_hex(b)));
    }
    entries.push(("SHA256SUMS".into(), sums.into_bytes()));
    let bytes = zip_of(&entries)?;
    let sha256 = motcua_store::files::sha256_hex(&bytes);
    let code = d.code.clone().unwrap_or_default();
    let rec = repo::ArchiveRecord {
        dossier_id: d.id.clone(),
        code: code.clone(),
        receiving_path: d.receiving.path.clone(),
        package_sha256: sha256.clone(),
        package_bytes: bytes.len() as i64,
        exported_at: now,
        exported_by: actor.map(|a| a.user_id.clone()),
        purged_at: None,
        purged_by: None,
    };
    ctx.store
        .write(move |db| {
            repo::record_export(db, &rec)?;
            audit_repo::append(
                db,
                NewAudit {
                    chain: ADMIN_CHAIN,
                    at_ms: rec.exported_at,
                    actor_id: rec.exported_by.as_deref(),
                    action: "dossier.archived",
                    entity_kind: "dossier",
                    entity_id: &rec.dossier_id,
                    agency_path: Some(&rec.receiving_path),
                    payload: json!({"code": rec.code, "package_sha256": rec.package_sha256, "package_bytes": rec.package_bytes}),
                },
            )?;
            Ok::<_, AppError>(())
        })
        .await?;
    let file_name = format!("{}.zip", code.replace(['/', '\\'], "_"));
    Ok(Package { code, bytes, sha256, file_name })
}

async fn sector_of(ctx: &AppContext, procedure: &str) -> Result<Option<String>, AppError> {
    Ok(periods(ctx).await?.into_iter().find(|(c, _)| c == procedure).map(|(_, s)| s))
}

fn zip_of(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>, AppError> {
    let internal = |e: &dyn std::fmt::Display| AppError::Internal(format!("archive package: {e}"));
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (path, b) in entries {
        w.start_file(path.as_str(), opts).map_err(|e| internal(&e))?;
        w.write_all(b).map_err(|e| internal(&e))?;
    }
    Ok(w.finish().map_err(|e| internal(&e))?.into_inner())
}

/// What one purge removed.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Purged {
    pub code: String,
    pub events_redacted: usize,
    pub files_removed: usize,
    pub bytes_removed: i64,
}

/// The personal fields a purge replaces (recorded in the audit log by name, never by value).
pub const PURGED_FIELDS: &[&str] = &[
    "applicant.name",
    "applicant.id_number",
    "applicant.phone",
    "applicant.email",
    "applicant.address",
    "postal.recipient",
    "postal.phone",
    "postal.street",
    "files.name",
    "rating.comment",
    "supplement.note",
    "outbox.payload",
    "notifications.payload",
    "notification_deliveries.recipient",
    "payment_attempts.raw_callback",
    "dvcqg_inbound.payload",
    "locker_items",
];

fn not_purgeable(code: &str) -> AppError {
    refused(
        409,
        "archive_not_purgeable",
        format!(
            "Chưa được xóa dữ liệu cá nhân của hồ sơ {code}: hồ sơ phải đã kết thúc, đã quá thời hạn bảo quản và đã xuất gói lưu trữ (và chưa bị xóa trước đó)."
        ),
        format!(
            "The personal data of dossier {code} cannot be deleted yet: it must be finished, past its retention period and exported to an archive package (and not purged already)."
        ),
    )
}

/// Deletes the applicant's personal data of one dossier (by code) that is due on `as_of`
/// and archived; refused otherwise, with nothing changed.
pub async fn purge_one(ctx: &AppContext, actor: Option<&Principal>, code: &str, as_of: Option<Date>) -> Result<Purged, AppError> {
    let d = finished(ctx, actor, code).await?;
    let as_of = as_of.unwrap_or_else(|| local_date_ms(ctx.clock.now_ms()));
    let mut f = due_filter(ctx, None, as_of).await?;
    f.dossier_id = Some(d.id.clone());
    f.purgeable_only = true;
    let (rows, _) = ctx.store.read(move |db| repo::due(db, &f).map_err(AppError::from)).await?;
    if rows.is_empty() {
        return Err(not_purgeable(code.trim()));
    }
    purge_dossier(ctx, actor, &d.id, as_of).await
}

/// Deletes the personal data of every archived dossier due on `as_of` (in the actor's
/// scope), one dossier per transaction, a page at a time.
pub async fn purge_due(ctx: &AppContext, actor: Option<&Principal>, as_of: Date) -> Result<Vec<Purged>, AppError> {
    let scope = scope(actor)?;
    let mut out = Vec::new();
    loop {
        let mut f = due_filter(ctx, scope.clone(), as_of).await?;
        f.purgeable_only = true;
        let (rows, _) = ctx.store.read(move |db| repo::due(db, &f).map_err(AppError::from)).await?;
        if rows.is_empty() {
            return Ok(out);
        }
        for r in rows {
            out.push(purge_dossier(ctx, actor, &r.dossier_id, as_of).await?);
        }
    }
}

async fn purge_dossier(ctx: &AppContext, actor: Option<&Principal>, dossier_id: &str, as_of: Date) -> Result<Purged, AppError> {
    let now = ctx.clock.now_ms();
    let id = dossier_id.to_string();
    let by = actor.map(|a| a.user_id.clone());
    let (purged, discard) = ctx
        .store
        .write(move |db| {
            // Checked again inside the write: two purges of one dossier do one thing.
            if repo::is_purged(db, &id)? {
                return Err(not_purgeable(&id));
            }
            let mut redacted = 0;
            let mut log = Vec::new();
            for (mut rec, chain) in dossiers::chained(db, &id)? {
                if retention::redact_event(&mut rec.event) {
                    let payload = serde_json::to_string(&rec.event).map_err(|e| AppError::Internal(e.to_string()))?;
                    repo::redact_event(db, &id, rec.seq, &payload, &chain.hash)?;
                    redacted += 1;
                }
                log.push(rec);
            }
            let d = motcua_domain::dossier::replay(&log).ok_or_else(|| AppError::Internal(format!("dossier {id}: empty log")))?;
            if !dossiers::update(db, &d, d.version)? {
                return Err(AppError::Internal(format!("dossier {id}: projection version differs from its log")));
            }
            repo::redact_side_tables(db, &id, PURGED)?;
            let code = d.code.clone().unwrap_or_default();
            // The bytes that name the applicant: attachments, scans' signatures, issued forms.
            let mut shas: BTreeSet<(String, i64)> = d.files.iter().map(|f| (f.sha256.clone(), f.size)).collect();
            shas.extend(d.certified_copies.iter().map(|c| (c.signature_sha256.clone(), c.signature_size)));
            shas.extend(documents::list(db, &id)?.into_iter().map(|x| (x.sha256, x.size)));
            let mut discard = Vec::new();
            let mut bytes = 0;
            for (sha, size) in shas {
                // Bytes another dossier or the citizen's data locker names stay.
                let others = dossiers::dossiers_with_file(db, &sha)?.into_iter().any(|c| c != code && c != id);
                if others || repo::locker_names(db, &sha)? {
                    continue;
                }
                if repo::add_purged_file(db, &sha, now)? {
                    bytes += size;
                    discard.push(sha);
                }
            }
            repo::mark_purged(db, &id, now, by.as_deref())?;
            audit_repo::append(
                db,
                NewAudit {
                    chain: ADMIN_CHAIN,
                    at_ms: now,
                    actor_id: by.as_deref(),
                    action: "dossier.personal_data_purged",
                    entity_kind: "dossier",
                    entity_id: &id,
                    agency_path: Some(&d.receiving.path),
                    payload: json!({"code": code, "as_of": as_of.to_string(), "events_redacted": redacted,
                        "files_removed": discard.len(), "bytes_removed": bytes, "fields": PURGED_FIELDS}),
                },
            )?;
            Ok::<_, AppError>((
                Purged { code, events_redacted: redacted, files_removed: discard.len(), bytes_removed: bytes },
                discard,
            ))
        })
        .await?;
    // After the commit: a crash here leaves bytes that verify no longer expects (harmless);
    // the reverse order could lose bytes of a dossier whose purge rolled back.
    for sha in &discard {
        if let Err(e) = ctx.files.discard(sha) {
            tracing::warn!(sha256 = %sha, error = %e, "purge: the file's bytes could not be removed");
        }
    }
    Ok(purged)
}
