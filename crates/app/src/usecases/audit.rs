//! Reading and verifying the audit log.

use crate::{AppContext, AppError};
use motcua_domain::audit::{AuditEvent, BrokenChain};
use motcua_domain::authz::{Permission, Principal, authorize_user, scope};
use motcua_store::repo::audit::{self as repo, AuditFilter, ChainSummary};

pub async fn list(ctx: &AppContext, actor: &Principal, mut filter: AuditFilter) -> Result<Vec<AuditEvent>, AppError> {
    let s = scope(actor, Permission::ViewAudit);
    if s.is_empty() {
        return Err(AppError::Forbidden);
    }
    // Root-level readers see everything, including events not tied to an agency.
    filter.scope = if authorize_user(actor, Permission::ViewAudit, &[]).is_ok() { None } else { Some(s) };
    if filter.limit <= 0 {
        filter.limit = 100;
    }
    ctx.store.read(move |db| repo::list(db, &filter).map_err(AppError::from)).await
}

/// Walks every chain (read-only; needs no other part of the application).
pub async fn verify(store: &motcua_store::Store) -> Result<Result<Vec<ChainSummary>, BrokenChain>, AppError> {
    store.read(|db| repo::verify_all(db).map_err(AppError::from)).await
}
