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

/// How many reminders one scan queued, and what its overdue and escalation passes read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scan {
    pub due_soon: usize,
    pub overdue: usize,
    pub escalations: usize,
    pub digests: usize,
    /// Dossier rows the overdue and escalation passes read (after their marks, or a sweep's
    /// unreminded rows).
    pub read: usize,
    /// Sweeps run: full passes over every running dossier past a deadline.
    pub swept: usize,
}

impl Scan {
    pub fn queued(&self) -> usize {
        self.due_soon + self.overdue + self.escalations + self.digests
    }
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
    // None escalated: no deadline is at most `i64::MIN`.
    let escalated = escalated_until(ctx, now, esc_days)?.unwrap_or(i64::MIN);
    let mut out = Scan::default();
    for deadline in [Deadline::Step, Deadline::Dossier] {
        // Due soon: to the holders of the current step. The window (now, soon] moves with the
        // clock and new steps land inside it, so it is read whole (bounded by what falls due
        // within a working day or so), not after a mark.
        let key = format!("{}.due_soon", deadline.code());
        let k = key.clone();
        let threshold = i64::from(cfg.due_soon_working_days);
        let found = ctx.store.read(move |db| repo::candidates(db, deadline, &k, threshold, Some(now), soon, batch)).await?;
        let to = |c: &repo::Candidate| json!({"path": c.current_path, "role": c.current_step_role});
        out.due_soon += ctx
            .store
            .write(move |db| {
                let mut n = 0;
                for c in &found {
                    let p = reminder(c, deadline, "due_soon", to(c));
                    if outbox::enqueue_once(db, (&c.id, c.due_at, &key, threshold), DUE_SOON, Some(&c.id), &p, now)? {
                        n += 1;
                    }
                }
                Ok::<_, AppError>(n)
            })
            .await?;
        // Overdue: to the same holders.
        let pass = Pass { deadline, kind: "overdue", topic: OVERDUE, threshold: 0, until: now };
        let (n, read, swept) = pass.run(ctx, now, batch, to).await?;
        (out.overdue, out.read, out.swept) = (out.overdue + n, out.read + read, out.swept + usize::from(swept));
        // Escalation: a working-day count after the deadline; to the leaders of the holding unit.
        let pass = Pass { deadline, kind: "escalation", topic: ESCALATION, threshold: i64::from(esc_days), until: escalated };
        let (n, read, swept) = pass.run(ctx, now, batch, |c| json!({"leaders_of": c.current_path})).await?;
        (out.escalations, out.read, out.swept) = (out.escalations + n, out.read + read, out.swept + usize::from(swept));
    }
    out.digests = digest(ctx, now, soon).await?;
    Ok(out)
}

/// The latest deadline escalated by `now` (`days` working days after it have passed), found
/// by bisection: that time only grows with the deadline. An exact bound, so the escalation
/// pass reads no dossier only to leave it (over a weekend or a holiday, the dossiers more than
/// `days` calendar days but fewer working days late); None when none is.
fn escalated_until(ctx: &AppContext, now: i64, days: u32) -> Result<Option<i64>, AppError> {
    const DAY: i64 = 86_400_000;
    let escalated = |due: i64| Ok::<_, AppError>(working_days_after(ctx, due, days)? <= now);
    // `days` working days take at least as many calendar days.
    let mut hi = now - i64::from(days) * DAY;
    if escalated(hi)? {
        return Ok(Some(hi));
    }
    // A month and three times the days surely hold that many working days (Tết closes about
    // nine days); further back only on an odd calendar.
    let mut lo = hi - (i64::from(days) * 2 + 30) * DAY;
    while !escalated(lo)? {
        if hi - lo > 2 * 366 * DAY {
            return Ok(None);
        }
        (hi, lo) = (lo, lo - (hi - lo));
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if escalated(mid)? { lo = mid } else { hi = mid }
    }
    Ok(Some(lo))
}

/// One pass over a deadline whose candidates stay candidates once past (overdue, escalation),
/// read after the scan's mark.
///
/// The mark, `(deadline, id)` in `deadline_marks`, says every running dossier up to it has
/// been handled; it moves forward in the transaction that queues the reminders, so a crash
/// loses nothing (the next scan reads from the committed mark) and a restart resumes from it.
/// Reading after the mark makes a scan proportional to what became due since the last one,
/// not to everything overdue. The reminders' keys remain the guarantee against doubles: two
/// processes reading the same rows queue each reminder once, and a mark only moves forward.
///
/// A dossier can land behind the mark: a deadline recomputed after a pause (`resumed` pushes
/// an already passed deadline by the pause's length, still in the past), a paused dossier
/// passed over and resumed, a dossier imported with a past deadline. A sweep finds them: the
/// full anti-join of every running dossier past the deadline against the reminders' keys,
/// at most once every `deadline_sweep_secs` (default an hour). A sweep rather than lowering
/// the mark where a deadline is written: it needs no hook in every write of a dossier (the
/// hot path of filing), and covers every way a row gets behind the mark, including ones
/// nobody thought of; the cost is a reminder about a dossier that was already late when it
/// became visible coming up to one interval later.
struct Pass {
    deadline: Deadline,
    kind: &'static str,
    topic: &'static str,
    threshold: i64,
    until: i64,
}

impl Pass {
    /// Reads, queues and moves the mark; returns (queued, rows read, swept).
    async fn run(
        &self,
        ctx: &AppContext,
        now: i64,
        batch: usize,
        to: impl Fn(&repo::Candidate) -> serde_json::Value,
    ) -> Result<(usize, usize, bool), AppError> {
        let Pass { deadline, kind, topic, threshold, until } = *self;
        let key = format!("{}.{kind}", deadline.code());
        let every = i64::try_from(ctx.config.workers.deadline_sweep_secs).unwrap_or(i64::MAX).saturating_mul(1000);
        let k = key.clone();
        let (sweep, found, last) = ctx
            .store
            .read(move |db| {
                let mark = repo::mark(db, &k, threshold)?;
                let sweep = mark.as_ref().is_none_or(|m| now >= m.swept_at.saturating_add(every));
                if !sweep {
                    let at = mark.and_then(|m| m.at);
                    let found = repo::after_mark(db, deadline, at.as_ref().map(|(d, i)| (*d, i.as_str())), until, batch)?;
                    return Ok::<_, AppError>((false, found, None));
                }
                // Read before the anti-join: under READ COMMITTED a row committed in between
                // is seen by the anti-join, so everything up to `last` is reminded or found.
                let last = repo::last_until(db, deadline, until)?;
                let found = repo::candidates(db, deadline, &k, threshold, None, until, batch)?;
                Ok((true, found, last))
            })
            .await?;
        let read = found.len();
        // Once these are queued, everything up to the last one read is handled: after the
        // mark, or (a sweep) unreminded candidates in order. A sweep that found fewer than a
        // batch found them all: everything up to `last` is handled too. Otherwise the scans
        // after it go on from the mark, reading each row once (not a sweep per batch). The
        // mark goes to the later of the two (compared by the database, in its order of ids).
        let mut marks: Vec<(i64, String)> = found.last().map(|c| (c.due_at, c.id.clone())).into_iter().collect();
        if sweep && read < batch {
            marks.extend(last);
        }
        let payloads: Vec<_> = found.iter().map(|c| (c.id.clone(), c.due_at, reminder(c, deadline, kind, to(c)))).collect();
        let queued = ctx
            .store
            .write(move |db| {
                let mut n = 0;
                for (id, due_at, p) in &payloads {
                    if outbox::enqueue_once(db, (id, *due_at, &key, threshold), topic, Some(id), p, now)? {
                        n += 1;
                    }
                }
                repo::advance(db, &key, threshold, None, sweep.then_some(now))?;
                for (due_at, id) in &marks {
                    repo::advance(db, &key, threshold, Some((*due_at, id)), None)?;
                }
                Ok::<_, AppError>(n)
            })
            .await?;
        Ok((queued, read, sweep))
    }
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
        &[
            DUE_SOON,
            OVERDUE,
            ESCALATION,
            DIGEST,
            crate::usecases::targets::AT_RISK,
            crate::usecases::ratings::LOW,
            crate::usecases::petitions::DUE_SOON,
            crate::usecases::petitions::OVERDUE,
        ]
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
            let config = ctx.config.clone();
            ctx.store
                .write(move |db| {
                    let users = if let Some(path) = to["leaders_of"].as_str() {
                        notifications::nearest_leaders(db, path)?
                    } else if let Some(path) = to["handlers_of"].as_str() {
                        motcua_store::repo::petitions::handlers_of(db, path)?
                    } else {
                        let (Some(path), Some(role)) = (to["path"].as_str(), to["role"].as_str()) else {
                            return Ok(Err("no recipients in the payload".to_string()));
                        };
                        notifications::holders(db, path, role)?
                    };
                    notifications::notify(db, &id, &users, &kind, dossier.as_deref(), &payload, now)?;
                    // The same reminder by e-mail to those with an address, when e-mail is on.
                    if crate::notify::Notify::email_on(&config) {
                        let mut to = Vec::new();
                        for u in &users {
                            if let Some(email) = motcua_store::repo::users::get(db, u)?.email.filter(|e| !e.is_empty()) {
                                to.push((u.clone(), email));
                            }
                        }
                        crate::notify::queue_officer_emails(db, &config, &id, &kind, &p, &to, now)?;
                    }
                    Ok::<_, AppError>(Ok(()))
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
    let mut d = dispatcher()?;
    if ctx.config.notify.enabled {
        d = d.register(std::sync::Arc::new(crate::notify::Notify::new(&ctx.config)?))?;
        tracing::info!("applicant notices on");
    }
    if ctx.config.dvcqg.enabled {
        d = d.register(std::sync::Arc::new(crate::dvcqg::Sync::new(&ctx.config.dvcqg)?))?;
        tracing::info!(base_url = %ctx.config.dvcqg.base_url, "national portal sync on");
        crate::dvcqg::start_pull(ctx, stop.clone())?;
    }
    tracing::info!(worker = d.worker(), "outbox consumers started");
    tokio::spawn(d.run(ctx.clone(), stop.clone()));
    if ctx.config.dvcqg.enabled {
        // The daily reconciliation: asked every ten minutes whether today's run is due (a
        // restart neither skips nor repeats it: the last run is in the database).
        let (ctx, mut stop) = (ctx.clone(), stop.clone());
        tokio::spawn(async move {
            loop {
                if let Err(e) = crate::usecases::reconciliation::daily(&ctx).await {
                    tracing::warn!(error = %e, "national portal reconciliation failed");
                }
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(600)) => {}
                    _ = stop.changed() => return,
                }
            }
        });
    }
    if ctx.config.payment.enabled {
        // Pending payments asked of the gateway, refunds made, and the daily reconciliation
        // once its hour has come (the last run is in the database: a restart neither skips
        // nor repeats it).
        let (ctx, mut stop) = (ctx.clone(), stop.clone());
        tokio::spawn(async move {
            let pause = std::time::Duration::from_secs(ctx.config.payment.sweep_secs.max(1));
            loop {
                match crate::usecases::dossiers::payments::sweep(&ctx).await {
                    Ok(s) if s.queried + s.refunded + s.errors > 0 => tracing::info!(?s, "payment sweep"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "payment sweep failed"),
                }
                if let Err(e) = crate::usecases::dossiers::payments::daily(&ctx).await {
                    tracing::warn!(error = %e, "payment reconciliation failed");
                }
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stop.changed() => return,
                }
            }
        });
    }
    let ctx = ctx.clone();
    let mut stop = stop;
    tokio::spawn(async move {
        let pause = std::time::Duration::from_secs(ctx.config.workers.deadline_scan_secs.max(1));
        loop {
            match scan(&ctx).await {
                Ok(s) if s.queued() > 0 => tracing::info!(?s, "deadline reminders queued"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "deadline scan failed"),
            }
            if let Err(e) = crate::usecases::targets::alert_due(&ctx).await {
                tracing::warn!(error = %e, "target alerts failed");
            }
            match crate::usecases::petitions::scan(&ctx).await {
                Ok(s) if s.due_soon + s.overdue > 0 => tracing::info!(?s, "petition reminders queued"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "petition scan failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = stop.changed() => return,
            }
        }
    });
    Ok(())
}
