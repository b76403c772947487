//! The outbox consumer framework (issue #14), shared by every consumer of the outbox (the
//! deadline worker's notifications, the national portal sync of `crate::dvcqg`; the
//! applicant notices next). A consumer names its topics and handles one row at a time; the dispatcher
//! claims due rows of those topics with a lease (`repo::outbox::claim`), hands them over,
//! marks them delivered, retries failures with exponential back-off and jitter, and keeps a
//! row that failed `outbox_max_attempts` times as a dead letter that an administrator can
//! look at and put back (`GET /api/v1/outbox`, `POST /api/v1/outbox/{id}/retry`).
//!
//! Delivery is at least once: a process that dies after handling a row and before marking
//! it delivered leaves it to be handled again when its lease expires. Consumers make their
//! effect idempotent on the row id (the notifications are unique per row and recipient).
//!
//! Figures: `outbox_delivered_total`, `outbox_retried_total`, `outbox_dead_total` (per
//! topic, this process) and the gauges `outbox_pending`, `outbox_dead`, `outbox_lag_seconds`
//! (per topic, the whole database) on `/metrics`.

use crate::{AppContext, AppError, config::WorkersConfig};
use motcua_store::repo::outbox as repo;
pub use motcua_store::repo::outbox::{Message, TopicStats};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// What a consumer's `handle` returns: Err carries the reason kept with the row.
pub type Handled<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

pub trait Consumer: Send + Sync {
    /// For logs.
    fn name(&self) -> &'static str;
    /// The topics it takes; a topic has one consumer.
    fn topics(&self) -> &'static [&'static str];
    fn handle<'a>(&'a self, ctx: &'a AppContext, msg: &'a Message) -> Handled<'a>;
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub delivered: usize,
    pub retried: usize,
    pub dead: usize,
    /// Rows whose lease ran out while handled (another worker has them now).
    pub lost: usize,
}

/// The delay before attempt `failures + 1`, after `failures` failures (≥ 1): base × 2^(n−1),
/// capped, then a random 50–100 % of it so that rows failing together do not retry together.
pub fn backoff_ms(cfg: &WorkersConfig, failures: i64, jitter: f64) -> i64 {
    let base = cfg.outbox_backoff_base_secs.max(1) * 1000;
    let max = cfg.outbox_backoff_max_secs.max(1) * 1000;
    let exp = u32::try_from((failures - 1).clamp(0, 30)).unwrap_or(30);
    let full = base.saturating_mul(1_i64 << exp).min(max);
    let j = jitter.clamp(0.0, 1.0);
    // Truncation is fine: this is a delay in ms.
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let d = (full as f64 * (0.5 + 0.5 * j)) as i64;
    d.max(1)
}

pub struct Dispatcher {
    consumers: Vec<Arc<dyn Consumer>>,
    /// This process's claims carry its name.
    worker: String,
}

impl Dispatcher {
    /// A dispatcher with no consumer; `worker` names this process in `claimed_by`.
    pub fn new(worker: impl Into<String>) -> Self {
        Self { consumers: Vec::new(), worker: worker.into() }
    }

    /// A name unique to this process (pid and a random part).
    pub fn process_name() -> String {
        let id = motcua_store::repo::new_id();
        format!("pid{}-{}", std::process::id(), &id[id.len() - 12..])
    }

    /// Adds a consumer. A topic taken by an earlier consumer is an error in the wiring.
    pub fn register(mut self, c: Arc<dyn Consumer>) -> Result<Self, AppError> {
        for t in c.topics() {
            if let Some(other) = self.consumers.iter().find(|o| o.topics().contains(t)) {
                return Err(AppError::Internal(format!("topic {t} already consumed by {}", other.name())));
            }
        }
        self.consumers.push(c);
        Ok(self)
    }

    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// Claims one batch per consumer and handles it. Bounded by `outbox_batch` per consumer.
    pub async fn run_once(&self, ctx: &AppContext) -> Result<Round, AppError> {
        let cfg = ctx.config.workers.clone();
        let mut round = Round::default();
        for c in &self.consumers {
            let now = ctx.clock.now_ms();
            let lease_until = now + cfg.outbox_lease_secs.max(1) * 1000;
            let worker = self.worker.clone();
            let topics = c.topics();
            let batch = cfg.outbox_batch.max(1);
            let claimed = ctx.store.write(move |db| repo::claim(db, topics, &worker, now, lease_until, batch)).await?;
            round.claimed += claimed.len();
            for msg in claimed {
                let outcome = c.handle(ctx, &msg).await;
                let now = ctx.clock.now_ms();
                let worker = self.worker.clone();
                let id = msg.id.clone();
                match outcome {
                    Ok(()) => {
                        if ctx.store.write(move |db| repo::delivered(db, &id, &worker, now)).await? {
                            round.delivered += 1;
                            metrics::counter!("outbox_delivered_total", "topic" => msg.topic.clone()).increment(1);
                        } else {
                            round.lost += 1;
                        }
                    }
                    Err(e) => {
                        let retry_at = now + backoff_ms(&cfg, msg.attempts + 1, rand::random::<f64>());
                        let max = cfg.outbox_max_attempts.max(1);
                        tracing::warn!(consumer = c.name(), topic = %msg.topic, id = %msg.id, attempt = msg.attempts + 1, error = %e, "outbox delivery failed");
                        match ctx.store.write(move |db| repo::failed(db, &id, &worker, now, &e, retry_at, max)).await? {
                            repo::Failed::Retry(_) => {
                                round.retried += 1;
                                metrics::counter!("outbox_retried_total", "topic" => msg.topic.clone()).increment(1);
                            }
                            repo::Failed::Dead => {
                                round.dead += 1;
                                metrics::counter!("outbox_dead_total", "topic" => msg.topic.clone()).increment(1);
                                tracing::error!(topic = %msg.topic, id = %msg.id, "outbox row is now a dead letter");
                            }
                            repo::Failed::Lost => round.lost += 1,
                        }
                    }
                }
            }
        }
        Ok(round)
    }

    /// Rounds until `stop` turns true: at once again after a full batch or a delivery (a
    /// topic delivered in order per dossier frees the dossier's next row only then), else
    /// after the poll pause. Errors (the database away) are logged and retried after the pause.
    pub async fn run(self, ctx: AppContext, mut stop: tokio::sync::watch::Receiver<bool>) {
        let pause = std::time::Duration::from_millis(ctx.config.workers.outbox_poll_ms.max(10));
        let mut last_stats = std::time::Instant::now() - std::time::Duration::from_secs(3600);
        loop {
            let busy = match self.run_once(&ctx).await {
                Ok(r) => r.claimed >= ctx.config.workers.outbox_batch.max(1) || r.delivered > 0,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox round failed");
                    false
                }
            };
            if last_stats.elapsed() >= std::time::Duration::from_secs(10) {
                last_stats = std::time::Instant::now();
                if let Err(e) = publish_stats(&ctx).await {
                    tracing::warn!(error = %e, "outbox figures not read");
                }
            }
            if *stop.borrow() {
                return;
            }
            if !busy {
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }
}

/// The queue per topic now (pending, dead, lag), also set as the `/metrics` gauges. Called
/// by the worker every 10 s and by `/metrics` at each scrape (two partial-index reads).
pub async fn publish_stats(ctx: &AppContext) -> Result<Vec<TopicStats>, AppError> {
    // Topics seen before: one that has drained is absent from `stats` and must read 0, not
    // its last figure.
    static SEEN: std::sync::Mutex<std::collections::BTreeSet<String>> = std::sync::Mutex::new(std::collections::BTreeSet::new());
    let now = ctx.clock.now_ms();
    let stats = ctx.store.read(move |db| repo::stats(db, now)).await?;
    let mut seen = SEEN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for topic in seen.iter().filter(|t| !stats.iter().any(|s| &s.topic == *t)) {
        metrics::gauge!("outbox_pending", "topic" => topic.clone()).set(0.0);
        metrics::gauge!("outbox_dead", "topic" => topic.clone()).set(0.0);
        metrics::gauge!("outbox_lag_seconds", "topic" => topic.clone()).set(0.0);
    }
    for s in &stats {
        seen.insert(s.topic.clone());
        #[allow(clippy::cast_precision_loss)]
        {
            metrics::gauge!("outbox_pending", "topic" => s.topic.clone()).set(s.pending as f64);
            metrics::gauge!("outbox_dead", "topic" => s.topic.clone()).set(s.dead as f64);
            metrics::gauge!("outbox_lag_seconds", "topic" => s.topic.clone()).set(s.lag_ms as f64 / 1000.0);
        }
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_between_half_and_all() {
        let cfg = WorkersConfig { outbox_backoff_base_secs: 5, outbox_backoff_max_secs: 60, ..Default::default() };
        assert_eq!(backoff_ms(&cfg, 1, 1.0), 5_000);
        assert_eq!(backoff_ms(&cfg, 2, 1.0), 10_000);
        assert_eq!(backoff_ms(&cfg, 3, 1.0), 20_000);
        assert_eq!(backoff_ms(&cfg, 5, 1.0), 60_000, "capped");
        assert_eq!(backoff_ms(&cfg, 40, 1.0), 60_000, "no overflow");
        assert_eq!(backoff_ms(&cfg, 1, 0.0), 2_500, "half at least");
    }
}
