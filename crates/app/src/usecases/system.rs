//! The system's state for its administrators (`/quan-tri/he-thong`,
//! `/api/v1/system/status`): version, uptime, database, outbox queues, last backup.

use crate::context::AppContext;
use crate::error::AppError;
use crate::usecases::require_province;
use motcua_domain::authz::Permission;
use motcua_store::repo::outbox::TopicStats;
use serde::Serialize;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use utoipa::ToSchema;

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Marks the process start (the server calls it when it builds its router); `uptime` counts
/// from the first call of either.
pub fn mark_started() {
    STARTED.get_or_init(Instant::now);
}

pub fn uptime() -> Duration {
    STARTED.get_or_init(Instant::now).elapsed()
}

/// The latest completed backup.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LastBackup {
    /// Completion time, ms since the Unix epoch.
    pub at_ms: i64,
    /// Where it was written (a directory path).
    pub location: String,
    /// `scheduled` (by `serve`) or `manual` (`motcua backup`).
    pub kind: String,
    /// Whether it succeeded; a failed run carries its error.
    pub ok: bool,
    pub error: Option<String>,
    pub database_bytes: i64,
    pub files_total: i64,
}

/// One outbox topic's queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicStatus {
    pub topic: String,
    /// Rows not yet delivered (not dead).
    pub pending: i64,
    /// Dead letters.
    pub dead: i64,
    /// Age in seconds of the oldest pending row (the worker's lag).
    pub lag_secs: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SystemStatus {
    pub version: &'static str,
    /// The git commit built, when the build recorded it (`MOTCUA_GIT_COMMIT` at build time).
    pub commit: Option<&'static str>,
    pub uptime_secs: u64,
    /// sqlite or postgres
    pub backend: &'static str,
    /// The database's size (SQLite: file and WAL; PostgreSQL: `pg_database_size`).
    pub database_bytes: u64,
    /// The highest migration applied.
    pub migration_version: i64,
    pub outbox: Vec<TopicStatus>,
    pub outbox_pending: i64,
    pub outbox_dead: i64,
    /// The largest lag of any topic, seconds.
    pub worker_lag_secs: i64,
    pub last_backup: Option<LastBackup>,
}

/// The figures, for province-wide operators (the right that watches the outbox queues).
pub async fn status(ctx: &AppContext, principal: &motcua_domain::authz::Principal) -> Result<SystemStatus, AppError> {
    require_province(Some(principal), Permission::OperateQueues)?;
    let database_bytes = ctx.store.database_bytes().await?;
    let migration_version =
        ctx.store.read(|db| motcua_store::migrate::applied(db).map(|v| v.into_iter().max().unwrap_or(0))).await?;
    let topics: Vec<TopicStats> = crate::outbox::publish_stats(ctx).await?;
    let outbox: Vec<TopicStatus> = topics
        .into_iter()
        .map(|t| TopicStatus { topic: t.topic, pending: t.pending, dead: t.dead, lag_secs: t.lag_ms / 1000 })
        .collect();
    Ok(SystemStatus {
        version: env!("CARGO_PKG_VERSION"),
        commit: option_env!("MOTCUA_GIT_COMMIT"),
        uptime_secs: uptime().as_secs(),
        backend: ctx.store.backend().name(),
        database_bytes,
        migration_version,
        outbox_pending: outbox.iter().map(|t| t.pending).sum(),
        outbox_dead: outbox.iter().map(|t| t.dead).sum(),
        worker_lag_secs: outbox.iter().map(|t| t.lag_secs).max().unwrap_or(0),
        outbox,
        last_backup: last_backup(ctx).await?,
    })
}

/// The latest backup run, ok or failed (`backups`, recorded by `motcua backup` and the
/// schedule of `serve`).
pub async fn last_backup(ctx: &AppContext) -> Result<Option<LastBackup>, AppError> {
    let row = ctx.store.read(motcua_store::repo::backups::latest).await?;
    Ok(row.map(|r| LastBackup {
        at_ms: r.finished_at,
        location: r.dir,
        kind: r.kind,
        ok: r.ok,
        error: r.error,
        database_bytes: r.database_bytes,
        files_total: r.files_total,
    }))
}
