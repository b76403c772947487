//! The access log (issue #12 item 14): logins, bearer tokens issued, reads of the register
//! and every read of a dossier's personal data by an official, with who, when, which
//! dossier and from which address. Recording never waits for the database: entries go to a
//! bounded queue that one task writes in batches (one transaction for up to 500 entries);
//! the same task purges entries past the retention period once a day.

use crate::auth::CurrentUser;
use crate::{AppContext, AppError};
use motcua_store::Store;
use motcua_store::repo::access_log::{self as repo, AccessEntry, AccessFilter};
use std::net::IpAddr;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

tokio::task_local! {
    /// The client address of the request being served (set by the web layer).
    pub static CLIENT: IpAddr;
}

/// Runs `f` with `addr` as the client address of what it records.
pub async fn with_client<F: std::future::Future>(addr: IpAddr, f: F) -> F::Output {
    CLIENT.scope(addr, f).await
}

fn client() -> Option<String> {
    CLIENT.try_with(|a| a.to_string()).ok()
}

const QUEUE: usize = 10_000;
const BATCH: usize = 500;

enum Msg {
    Entry(Box<AccessEntry>),
    Flush(oneshot::Sender<()>),
}

/// The queue to the access-log writer.
pub struct AccessLog {
    tx: mpsc::Sender<Msg>,
    dropped: std::sync::atomic::AtomicU64,
}

impl AccessLog {
    /// Starts the writer (and the daily purge of entries older than `retention_days`; 0 =
    /// keep forever).
    pub fn start(store: Store, retention_days: u32) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(writer(store, rx, retention_days));
        Self { tx, dropped: Default::default() }
    }

    /// Queues an entry; when the queue is full (the database is far behind) the entry is
    /// dropped and counted rather than slowing the request.
    pub fn record(&self, mut e: AccessEntry) {
        if e.address.is_none() {
            e.address = client();
        }
        if self.tx.try_send(Msg::Entry(Box::new(e))).is_err() {
            let n = self.dropped.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if n.is_power_of_two() {
                tracing::warn!(dropped = n, "access log queue full; entries dropped");
            }
        }
    }

    /// Entries dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Waits until everything queued so far is written.
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Msg::Flush(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

async fn writer(store: Store, mut rx: mpsc::Receiver<Msg>, retention_days: u32) {
    let mut purge = tokio::time::interval(Duration::from_secs(86_400));
    loop {
        let first = tokio::select! {
            m = rx.recv() => match m { Some(m) => m, None => return },
            _ = purge.tick() => {
                if retention_days > 0 {
                    let before = crate::now_ms() - i64::from(retention_days) * 86_400_000;
                    match purge_before(&store, before).await {
                        Ok(n) if n > 0 => tracing::info!(removed = n, "access log purged"),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "access log purge failed"),
                    }
                }
                continue;
            }
        };
        let (mut batch, mut waiting) = (Vec::new(), Vec::new());
        let mut next = Some(first);
        while let Some(m) = next.take() {
            match m {
                Msg::Entry(e) => batch.push(*e),
                Msg::Flush(t) => waiting.push(t),
            }
            if batch.len() < BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            let n = batch.len();
            let written = store.write(move |db| repo::append(db, &batch).map_err(AppError::from)).await;
            if let Err(e) = written {
                tracing::warn!(error = %e, entries = n, "access log entries not written");
            }
        }
        for t in waiting {
            let _ = t.send(());
        }
    }
}

async fn purge_before(store: &Store, before_ms: i64) -> Result<u64, AppError> {
    store.write(move |db| repo::purge(db, before_ms).map_err(AppError::from)).await
}

/// Removes the entries older than the configured retention (`motcua` CLI and the daily
/// run of the writer); returns how many.
pub async fn purge(ctx: &AppContext) -> Result<u64, AppError> {
    let days = ctx.config.access_log.retention_days;
    if days == 0 {
        return Ok(0);
    }
    purge_before(&ctx.store, ctx.clock.now_ms() - i64::from(days) * 86_400_000).await
}

/// An entry by `user` (an official or anyone who logs in).
pub fn entry(ctx: &AppContext, user: &CurrentUser, action: &str) -> AccessEntry {
    let mut e = AccessEntry::new(ctx.clock.now_ms(), action);
    e.user_id = Some(user.user.id.clone());
    e.username = Some(user.user.username.clone());
    e.agency_path = user.principal.memberships.first().map(|m| m.agency_path.clone());
    e
}

/// Records that an official read a dossier's personal data (applicants' own reads are not
/// logged: the data is theirs).
pub fn dossier_read(
    ctx: &AppContext,
    user: &CurrentUser,
    action: &str,
    dossier_id: &str,
    agency_path: &str,
    detail: Option<String>,
) {
    if user.user.account_type != motcua_domain::user::AccountType::Official {
        return;
    }
    let mut e = entry(ctx, user, action);
    e.dossier_id = Some(dossier_id.to_string());
    e.agency_path = Some(agency_path.to_string());
    e.detail = detail;
    ctx.access.record(e);
}

/// The access log as an administrator may read it: a province administrator everything,
/// a commune administrator the entries about its agencies; newest first, at most 500.
pub async fn list(ctx: &AppContext, current: &CurrentUser, mut filter: AccessFilter) -> Result<Vec<AccessEntry>, AppError> {
    use motcua_domain::authz::{Permission, authorize_user, scope};
    let actor = &current.principal;
    let s = scope(actor, Permission::ViewAudit);
    if s.is_empty() {
        return Err(AppError::Forbidden);
    }
    filter.scope = if authorize_user(actor, Permission::ViewAudit, &[]).is_ok() { None } else { Some(s) };
    if filter.limit <= 0 {
        filter.limit = 100;
    }
    ctx.access.flush().await;
    ctx.store.read(move |db| repo::list(db, &filter).map_err(AppError::from)).await
}
