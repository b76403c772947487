//! The log as the source of truth: replaying one dossier, rebuilding every projection and
//! counter (`motcua rebuild`), walking the hash chains (`motcua verify`).

use super::*;

/// The state replayed from the log, beside the stored projection.
pub async fn replay(ctx: &AppContext, id: &str) -> Result<(Dossier, Dossier), AppError> {
    let id = id.to_string();
    ctx.store
        .read(move |db| {
            let stored = repo::get(db, &id)?.ok_or(AppError::not_found("dossier"))?;
            let replayed = dossier::replay(&repo::events(db, &id)?).ok_or(AppError::not_found("dossier events"))?;
            Ok((stored, replayed))
        })
        .await
}

/// Recomputes every projection row and every counter from the event log.
pub async fn rebuild(ctx: &AppContext) -> Result<usize, AppError> {
    ctx.store
        .write(|db| {
            repo::clear_kpi(db)?;
            super::postal::clear(db)?;
            let ids = repo::all_ids(db)?;
            for id in &ids {
                let events = repo::events(db, id)?;
                let Some((first, rest)) = events.split_first() else { continue };
                let mut d =
                    dossier::start(first).ok_or(AppError::Internal(format!("dossier {id}: first event is not created")))?;
                super::commands::bump_ticks(db, dossier::Before::NEW, &d, first)?;
                for r in rest {
                    let was = dossier::Before::of(&d);
                    dossier::apply(&mut d, r);
                    super::commands::bump_ticks(db, was, &d, r)?;
                    super::postal::project(db, &d, r)?;
                }
                repo::overwrite(db, &d)?;
            }
            Ok(ids.len())
        })
        .await
}

/// Walks every dossier's hash chain (`motcua verify`): (dossiers, events) or the first broken event.
pub async fn verify_chains(
    store: &motcua_store::Store,
) -> Result<Result<(i64, i64), motcua_domain::audit::BrokenChain>, AppError> {
    store.read(|db| repo::verify_chains(db).map_err(AppError::from)).await
}

/// Inbox counter rows that differ from a recount of the held dossiers: (key, stored,
/// recounted); empty when the counters are exact.
pub async fn verify_inbox_counts(store: &motcua_store::Store) -> Result<Vec<repo::CounterDrift>, AppError> {
    store.read(|db| repo::inbox_counts_check(db).map_err(AppError::from)).await
}

/// A stored file that is not what the database recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub sha256: String,
    /// `missing`, `wrong_size` or `wrong_digest`.
    pub kind: &'static str,
    /// Codes (ids before reception) of the dossiers that name the file.
    pub dossiers: Vec<String>,
}

/// Checks every recorded file: present in the file store, of the recorded size, and with the
/// SHA-256 it is stored under (issue #12 item 12: a deleted attachment went unnoticed).
/// Returns how many files and bytes were checked, and the problems. One file is read at a
/// time (at most the attachment limit in memory).
pub async fn verify_files(
    store: &motcua_store::Store,
    files: &dyn motcua_store::files::FileStore,
) -> Result<(usize, u64, Vec<FileProblem>), AppError> {
    let recorded = store.read(|db| repo::all_files(db).map_err(AppError::from)).await?;
    let (mut bytes, mut problems) = (0u64, Vec::new());
    for (sha, size) in &recorded {
        let kind = match files.get_unverified(sha) {
            Ok(b) if i64::try_from(b.len()).ok() != Some(*size) => Some("wrong_size"),
            Ok(b) if motcua_store::files::sha256_hex(&b) != *sha => Some("wrong_digest"),
            Ok(b) => {
                bytes += b.len() as u64;
                None
            }
            Err(motcua_store::StoreError::NotFound) => Some("missing"),
            Err(e) => return Err(e.into()),
        };
        if let Some(kind) = kind {
            let sha2 = sha.clone();
            let dossiers = store.read(move |db| repo::dossiers_with_file(db, &sha2).map_err(AppError::from)).await?;
            problems.push(FileProblem { sha256: sha.clone(), kind, dossiers });
        }
    }
    Ok((recorded.len(), bytes, problems))
}
