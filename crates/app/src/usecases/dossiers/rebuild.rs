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
            let ids = repo::all_ids(db)?;
            for id in &ids {
                let events = repo::events(db, id)?;
                let Some((first, rest)) = events.split_first() else { continue };
                let mut d =
                    dossier::start(first).ok_or(AppError::Internal(format!("dossier {id}: first event is not created")))?;
                for r in rest {
                    dossier::apply(&mut d, r);
                    let day = day_of(r.at);
                    for m in dossier::metrics(&d, &r.event) {
                        repo::bump(db, &d.receiving.id, &d.procedure.code, &day, m, 1)?;
                    }
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
