//! The deadline worker (issue #14): what provinces do by hand in chat groups. Every scan
//! looks at the open dossiers whose clock runs and queues, through the outbox:
//! - `reminder.due_soon` to the officers holding the current step when the step's deadline
//!   (or the dossier's legal one) falls within `due_soon_working_days` working days;
//! - `reminder.overdue` to them once it has passed;
//! - `reminder.escalation` to the leaders of the holding unit (or the nearest unit above
//!   with leaders) `escalate_after_working_days` working days after it passed;
//! - `digest.daily` to each holding unit's leaders once a local day from `digest_hour`:
//!   what the unit holds, how much is overdue and due soon.
//!
//! Each reminder has a key (dossier or unit, deadline, kind, threshold) in `reminder_keys`,
//! written in the transaction that queues it: several processes and restarts never queue one
//! twice, and a scan that dies before its commit queued nothing, so the next scan queues it.
//! A step re-entered or a deadline extended has a new deadline, hence new reminders. Working
//! days are counted on the national calendar (`Calendars::national`), the time is
//! `ctx.clock`. The notification consumer (`Notifier`) delivers the rows into the
//! recipients' in-app notifications.

use crate::outbox::{Consumer, Dispatcher, Handled, Message};
use crate::{AppContext, AppError};
use motcua_domain::calendar::{CountingRules, TimeLimit, TimeUnit};
use motcua_store::repo::deadlines::{self as repo, Deadline};
use motcua_store::repo::{notifications, outbox};
use serde_json::json;
use std::sync::Arc;

pub const DUE_SOON: &str = "reminder.due_soon";
pub const OVERDUE: &str = "reminder.overdue";
pub const ESCALATION: &str = "reminder.escalation";
pub const DIGEST: &str = "digest.daily";

/// How many reminders one scan queued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scan {
    pub due_soon: usize,
    pub overdue: usize,
    pub escalations: usize,
    pub digests: usize,
}

fn working_days_after(ctx: &AppContext, from: i64, days: u32) -> Result<i64, AppError> {
    let cal = ctx.calendars.national();
    let from = jiff::Timestamp::from_millisecond(from).map_err(|e| AppError::Internal(e.to_string()))?;
    let limit = TimeLimit::new(i64::from(days.max(1)), TimeUnit::WorkingDays).map_err(|e| AppError::Internal(e.message_en()))?;
    let due = cal.due(from, limit, &CountingRules::default()).map_err(|e| AppError::Internal(e.message_en()))?;
    Ok(due.at.as_millisecond())
}

/// The payload of a reminder about one dossier.
fn reminder(c: &repo::Candidate, deadline: Deadline, kind: &str, to: serde_json::Value) -> serde_json::Value {
    json!({
        "kind": kind,
        "deadline": deadline.code(),
        "dossier_id": c.id,
        "code": c.code,
        "procedure_code": c.procedure_code,
        "due_at": c.due_at,
        "agency_path": c.current_path,
        "role": c.current_step_role,
        "to": to,
    })
}

/// One scan (bounded: at most `deadline_batch` dossiers per deadline and kind).
pub async fn scan(ctx: &AppContext) -> Result<Scan, AppError> {
    let cfg = ctx.config.workers.clone();
    let now = ctx.clock.now_ms();
    let soon = working_days_after(ctx, now, cfg.due_soon_working_days)?;
    let esc_days = cfg.escalate_after_working_days.max(1);
    let batch = cfg.deadline_batch.max(1);
    let mut out = Scan::default();
    for deadline in [Deadline::Step, Deadline::Dossier] {
        // Due soon and overdue: to the holders of the current step.
        for (kind, topic, after, until, threshold) in
            [("due_soon", DUE_SOON, Some(now), soon, i64::from(cfg.due_soon_working_days)), ("overdue", OVERDUE, None, now, 0)]
        {
            let key = format!("{}.{kind}", deadline.code());
            let k = key.clone();
            let found = ctx.store.read(move |db| repo::candidates(db, deadline, &k, threshold, after, until, batch)).await?;
            let key = key.clone();
            let queued = ctx
                .store
                .write(move |db| {
                    let mut n = 0;
                    for c in &found {
                        let to = json!({"path": c.current_path, "role": c.current_step_role});
                        let p = reminder(c, deadline, kind, to);
                        if outbox::enqueue_once(db, (&c.id, c.due_at, &key, threshold), topic, Some(&c.id), &p, now)? {
                            n += 1;
                        }
                    }
                    Ok::<_, AppError>(n)
                })
                .await?;
            if kind == "due_soon" {
                out.due_soon += queued;
            } else {
                out.overdue += queued;
            }
        }
        // Escalation: a working-day count after the deadline, at least as many calendar days.
        let key = format!("{}.escalation", deadline.code());
        let k = key.clone();
        let threshold = i64::from(esc_days);
        let until = now - threshold * 86_400_000;
        let found = ctx.store.read(move |db| repo::candidates(db, deadline, &k, threshold, None, until, batch)).await?;
        let mut due = Vec::new();
        for c in found {
            if working_days_after(ctx, c.due_at, esc_days)? <= now {
                due.push(c);
            }
        }
        out.escalations += ctx
            .store
            .write(move |db| {
                let mut n = 0;
                for c in &due {
                    let p = reminder(c, deadline, "escalation", json!({"leaders_of": c.current_path}));
                    if outbox::enqueue_once(db, (&c.id, c.due_at, &key, threshold), ESCALATION, Some(&c.id), &p, now)? {
                        n += 1;
                    }
                }
                Ok::<_, AppError>(n)
            })
            .await?;
    }
    out.digests = digest(ctx, now, soon).await?;
    Ok(out)
}

/// The daily digest of each holding unit, once its local day has reached `digest_hour`.
async fn digest(ctx: &AppContext, now: i64, soon: i64) -> Result<usize, AppError> {
    let ts = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
    let local = motcua_domain::calendar::local_datetime(ts);
    if local.hour() < ctx.config.workers.digest_hour {
        return Ok(0);
    }
    let day = local.date();
    let day_key = i64::from(day.year()) * 10_000 + i64::from(day.month()) * 100 + i64::from(day.day());
    let loads = ctx.store.read(move |db| repo::unit_loads(db, now, soon)).await?;
    let queued = ctx
        .store
        .write(move |db| {
            let mut n = 0;
            for (path, open, overdue, due_soon) in &loads {
                let p = json!({"kind": "digest", "day": day.to_string(), "agency_path": path, "open": open,
                    "overdue": overdue, "due_soon": due_soon, "to": {"leaders_of": path}});
                if outbox::enqueue_once(db, (path, day_key, DIGEST, 0), DIGEST, None, &p, now)? {
                    n += 1;
                }
            }
            Ok::<_, AppError>(n)
        })
        .await?;
    Ok(queued)
}

/// Delivers reminders and digests into the recipients' in-app notifications.
pub struct Notifier;

impl Consumer for Notifier {
    fn name(&self) -> &'static str {
        "notifier"
    }
    fn topics(&self) -> &'static [&'static str] {
        &[DUE_SOON, OVERDUE, ESCALATION, DIGEST]
    }
    fn handle<'a>(&'a self, ctx: &'a AppContext, msg: &'a Message) -> Handled<'a> {
        Box::pin(async move {
            let p: serde_json::Value = serde_json::from_str(&msg.payload).map_err(|e| format!("unreadable payload: {e}"))?;
            let to = p["to"].clone();
            let kind = msg.topic.clone();
            let id = msg.id.clone();
            let dossier = msg.dossier_id.clone();
            let payload = msg.payload.clone();
            let now = ctx.clock.now_ms();
            ctx.store
                .write(move |db| {
                    let users = if let Some(path) = to["leaders_of"].as_str() {
                        notifications::nearest_leaders(db, path)?
                    } else {
                        let (Some(path), Some(role)) = (to["path"].as_str(), to["role"].as_str()) else {
                            return Ok(Err("no recipients in the payload".to_string()));
                        };
                        notifications::holders(db, path, role)?
                    };
                    notifications::notify(db, &id, &users, &kind, dossier.as_deref(), &payload, now)?;
                    Ok::<_, motcua_store::StoreError>(Ok(()))
                })
                .await
                .map_err(|e| e.to_string())?
        })
    }
}

/// The dispatcher with this crate's consumers.
pub fn dispatcher() -> Result<Dispatcher, AppError> {
    Dispatcher::new(Dispatcher::process_name()).register(Arc::new(Notifier))
}

/// Starts the outbox dispatcher and the deadline scans on the runtime, until `stop` turns
/// true (`motcua serve`).
pub fn start(ctx: &AppContext, stop: tokio::sync::watch::Receiver<bool>) -> Result<(), AppError> {
    if !ctx.config.workers.enabled {
        return Ok(());
    }
    let d = dispatcher()?;
    tracing::info!(worker = d.worker(), "outbox consumers started");
    tokio::spawn(d.run(ctx.clone(), stop.clone()));
    let ctx = ctx.clone();
    let mut stop = stop;
    tokio::spawn(async move {
        let pause = std::time::Duration::from_secs(ctx.config.workers.deadline_scan_secs.max(1));
        loop {
            match scan(&ctx).await {
                Ok(s) if s != Scan::default() => tracing::info!(?s, "deadline reminders queued"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "deadline scan failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = stop.changed() => return,
            }
        }
    });
    Ok(())
}
