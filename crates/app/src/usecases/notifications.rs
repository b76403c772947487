//! An officer's in-app notifications (reminders, escalations, digests of the deadline
//! worker), and the outbox queues as a province administrator operates them.

use crate::auth::CurrentUser;
use crate::{AppContext, AppError};
use motcua_domain::authz::Permission;
use motcua_store::repo::notifications::{self as repo, Notification};
use motcua_store::repo::outbox::{self, DeadLetter, TopicStats};

/// Most notifications one page shows.
pub const PAGE: usize = 50;

/// The signed-in user's latest notifications (their own only) and how many are unread.
pub async fn mine(ctx: &AppContext, user: &CurrentUser) -> Result<(Vec<Notification>, i64), AppError> {
    let id = user.user.id.clone();
    Ok(ctx.store.read(move |db| repo::for_user(db, &id, PAGE)).await?)
}

/// Marks the signed-in user's notifications read; returns how many were unread.
pub async fn mark_read(ctx: &AppContext, user: &CurrentUser) -> Result<u64, AppError> {
    let id = user.user.id.clone();
    let now = ctx.clock.now_ms();
    Ok(ctx.store.write(move |db| repo::mark_all_read(db, &id, now)).await?)
}

/// The queues per topic and the latest dead letters (at most 100). `None` = the CLI.
pub async fn queues(ctx: &AppContext, user: Option<&CurrentUser>) -> Result<(Vec<TopicStats>, Vec<DeadLetter>), AppError> {
    super::require_province(user.map(|u| &u.principal), Permission::OperateQueues)?;
    let stats = crate::outbox::publish_stats(ctx).await?;
    let dead = ctx.store.read(|db| outbox::dead_letters(db, 100)).await?;
    Ok((stats, dead))
}

/// Puts a dead letter back in its queue with fresh attempts. 404 when `id` is no dead letter.
pub async fn retry_dead(ctx: &AppContext, user: Option<&CurrentUser>, id: &str) -> Result<(), AppError> {
    super::require_province(user.map(|u| &u.principal), Permission::OperateQueues)?;
    let now = ctx.clock.now_ms();
    let id = id.to_string();
    let actor = user.map_or_else(|| "cli".to_string(), |u| u.user.id.clone());
    let found = ctx.store.write(move |db| outbox::retry_dead(db, &id, now)).await?;
    if !found {
        return Err(AppError::NotFound { what: "dead letter" });
    }
    tracing::info!(%actor, "dead letter put back in its queue");
    Ok(())
}
