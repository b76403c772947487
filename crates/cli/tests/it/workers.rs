//! The outbox consumer framework and the deadline worker (issue #14), on both backends:
//! leases, retries with back-off, dead letters put back by an administrator, bounded
//! batches, figures; reminders due soon, overdue, escalated and the daily digest queued once
//! however many scans run (also at once), delivered once into the officers' notifications.
//! Several `motcua serve` processes over one PostgreSQL database: `scale_out.rs`.

use crate::officer_pages::vn;
use motcua_app::AppContext;
use motcua_app::outbox::{Consumer, Dispatcher, Handled, Message};
use motcua_testkit::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Fails every row whose payload says `"fail": true` while `broken` is set; counts handlings.
#[derive(Default)]
struct Flaky {
    broken: AtomicBool,
    handled: Mutex<HashMap<String, usize>>,
}

struct FlakyRef(Arc<Flaky>);

impl Consumer for FlakyRef {
    fn name(&self) -> &'static str {
        "flaky"
    }
    fn topics(&self) -> &'static [&'static str] {
        &["test.flaky"]
    }
    fn handle<'a>(&'a self, _ctx: &'a AppContext, msg: &'a Message) -> Handled<'a> {
        Box::pin(async move {
            *self.0.handled.lock().unwrap().entry(msg.id.clone()).or_default() += 1;
            let p: Value = serde_json::from_str(&msg.payload).unwrap();
            if p["fail"] == true && self.0.broken.load(Ordering::SeqCst) { Err("the far end is down".into()) } else { Ok(()) }
        })
    }
}

async fn enqueue(app: &TestApp, n: usize, fail: bool) {
    let now = app.ctx.clock.now_ms();
    app.ctx
        .store
        .write(move |db| {
            for i in 0..n {
                motcua_store::repo::dossiers::enqueue(db, "test.flaky", "d", &json!({"i": i, "fail": fail}), now)?;
            }
            Ok::<_, motcua_store::StoreError>(())
        })
        .await
        .unwrap();
}

async fn scalar(app: &TestApp, sql: &'static str) -> i64 {
    app.ctx.store.read(move |db| db.query_one(sql, &[])?.i64(0)).await.unwrap()
}

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.workers.outbox_batch = 3;
        c.workers.outbox_max_attempts = 3;
        c.workers.outbox_backoff_base_secs = 10;
        c.workers.outbox_backoff_max_secs = 60;
        c.workers.outbox_lease_secs = 30;
    })
    .await
}

async fn outbox_framework(app: TestApp) {
    let t0 = vn("2026-03-02T09:00:00");
    app.ctx.clock.set(t0);
    let flaky = Arc::new(Flaky::default());
    flaky.broken.store(true, Ordering::SeqCst);
    let w1 = Dispatcher::new("w1").register(Arc::new(FlakyRef(flaky.clone()))).unwrap();
    let w2 = Dispatcher::new("w2").register(Arc::new(FlakyRef(flaky.clone()))).unwrap();
    // One topic, one consumer.
    assert!(
        Dispatcher::new("x")
            .register(Arc::new(FlakyRef(flaky.clone())))
            .unwrap()
            .register(Arc::new(FlakyRef(flaky.clone())))
            .is_err()
    );

    // Bounded batches: 4 good rows and 1 failing, 3 per round.
    enqueue(&app, 4, false).await;
    app.ctx.clock.set(t0 + 1);
    enqueue(&app, 1, true).await;
    let r = w1.run_once(&app.ctx).await.unwrap();
    assert_eq!((r.claimed, r.delivered), (3, 3), "{r:?}");
    let r = w2.run_once(&app.ctx).await.unwrap();
    assert_eq!((r.claimed, r.delivered, r.retried), (2, 1, 1), "{r:?}");
    // Backed off: not before 5–10 s (the first delay is 10 s with 50–100 % jitter).
    app.ctx.clock.set(t0 + 4_000);
    assert_eq!(w1.run_once(&app.ctx).await.unwrap().claimed, 0);
    // Second failure after at most 10 s, third (the last of 3 attempts) after at most 20 s more: dead.
    app.ctx.clock.set(t0 + 11_000);
    assert_eq!(w1.run_once(&app.ctx).await.unwrap().retried, 1);
    app.ctx.clock.set(t0 + 32_000);
    let r = w2.run_once(&app.ctx).await.unwrap();
    assert_eq!((r.claimed, r.dead), (1, 1), "{r:?}");
    app.ctx.clock.set(t0 + 10_000_000);
    assert_eq!(w1.run_once(&app.ctx).await.unwrap().claimed, 0, "a dead letter is not retried by itself");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM outbox WHERE topic = 'test.flaky' AND delivered_at IS NOT NULL").await, 4);
    let counts: Vec<usize> = flaky.handled.lock().unwrap().values().copied().collect();
    assert_eq!(counts.iter().filter(|c| **c == 1).count(), 4, "each good row handled once: {counts:?}");
    assert!(counts.contains(&3), "the failing row: 3 attempts: {counts:?}");

    // Visible to a province administrator, with the figures; nobody else.
    let admin = app.login("admin").await;
    let (s, q) = admin.get("/api/v1/outbox").await;
    assert_eq!(s, StatusCode::OK, "{q}");
    let dead = q["dead_letters"].as_array().unwrap();
    assert_eq!(dead.len(), 1, "{q}");
    assert_eq!((dead[0]["attempts"].as_i64(), dead[0]["last_error"].as_str()), (Some(3), Some("the far end is down")));
    let topic = q["topics"].as_array().unwrap().iter().find(|t| t["topic"] == "test.flaky").unwrap();
    assert_eq!((topic["pending"].as_i64(), topic["dead"].as_i64()), (Some(0), Some(1)), "{q}");
    for who in ["admin.hoalu", "tiepnhan", "giamsat"] {
        let (s, _) = app.login(who).await.get("/api/v1/outbox").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
    }
    let id = dead[0]["id"].as_str().unwrap().to_string();
    let (s, _) = app.login("admin.hoalu").await.post(&format!("/api/v1/outbox/{id}/retry"), json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = admin.post("/api/v1/outbox/no-such-row/retry", json!({})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{b}");
    // The far end is back; the administrator puts the dead letter back.
    flaky.broken.store(false, Ordering::SeqCst);
    let (s, b) = admin.post(&format!("/api/v1/outbox/{id}/retry"), json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let r = w1.run_once(&app.ctx).await.unwrap();
    assert_eq!((r.claimed, r.delivered), (1, 1), "{r:?}");

    // Leases: a worker that claimed and died holds its rows until the lease runs out; then
    // another takes them over, and the dead one's late answer changes nothing.
    let t1 = t0 + 20_000_000;
    app.ctx.clock.set(t1);
    enqueue(&app, 2, false).await;
    let claimed = app
        .ctx
        .store
        .write(move |db| motcua_store::repo::outbox::claim(db, &["test.flaky"], "killed", t1, t1 + 30_000, 10))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    app.ctx.clock.set(t1 + 29_000);
    assert_eq!(w2.run_once(&app.ctx).await.unwrap().claimed, 0, "still leased");
    app.ctx.clock.set(t1 + 31_000);
    let r = w2.run_once(&app.ctx).await.unwrap();
    assert_eq!((r.claimed, r.delivered), (2, 2), "{r:?}");
    let late = claimed[0].id.clone();
    let lost =
        app.ctx.store.write(move |db| motcua_store::repo::outbox::delivered(db, &late, "killed", t1 + 32_000)).await.unwrap();
    assert!(!lost, "the lease was lost");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM outbox WHERE topic = 'test.flaky' AND delivered_at IS NOT NULL AND claimed_by = 'w2'")
            .await,
        3,
        "w2 delivered 1, then the 2 it took over"
    );

    // The figures on /metrics.
    motcua_app::outbox::publish_stats(&app.ctx).await.unwrap();
    let text = reqwest::get(format!("{}/metrics", app.url)).await.unwrap().text().await.unwrap();
    for m in ["outbox_delivered_total", "outbox_retried_total", "outbox_dead_total", "outbox_pending", "outbox_lag_seconds"] {
        assert!(text.contains(m), "{m} on /metrics");
    }
}

mod outbox_consumer_framework {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        outbox_framework(spawn(Backend::Sqlite).await).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        outbox_framework(spawn(Backend::Postgres).await).await;
    }
}

/// A commune dossier received at Hoa Lư's counter; returns its id.
pub(crate) async fn received_at_hoalu(app: &TestApp) -> String {
    let clerk = app.login("tiepnhan.hoalu").await;
    let (s, d) = clerk
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": "1.004873",
                "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"},
                "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d["id"].as_str().unwrap().to_string()
}

async fn due_of(app: &TestApp, id: &str) -> (i64, i64) {
    let id = id.to_string();
    app.ctx
        .store
        .read(move |db| {
            let r = db.query_one("SELECT step_due_at, due_at FROM dossiers WHERE id = $1", &[id.into()])?;
            Ok::<_, motcua_store::StoreError>((r.i64(0)?, r.i64(1)?))
        })
        .await
        .unwrap()
}

async fn notifications(app: &TestApp, who: &str) -> Vec<Value> {
    let (s, b) = app.login(who).await.get("/api/v1/me/notifications").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"].as_array().unwrap().clone()
}

fn kinds(items: &[Value], dossier: &str) -> Vec<String> {
    let mut k: Vec<String> = items
        .iter()
        .filter(|n| n["dossier_id"] == dossier)
        .map(|n| format!("{}:{}", n["kind"].as_str().unwrap(), n["detail"]["deadline"].as_str().unwrap_or("")))
        .collect();
    k.sort();
    k
}

motcua_testkit::both_backends! {
    async fn deadline_worker_reminds_escalates_and_digests_once(app) {
        // Received Monday 2 March 2026 at 08:00 (a digest needs 07:00 local at least).
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let id = received_at_hoalu(&app).await;
        let (step_due, due) = due_of(&app, &id).await;
        assert!(step_due <= due, "{step_due} {due}");
        let notifier = motcua_app::deadlines::dispatcher().unwrap();
        let scan = || motcua_app::deadlines::scan(&app.ctx);

        // The step (the counter's) ends today at 17:00, the legal deadline is Thursday 17:00.
        assert_eq!((step_due, due), (vn("2026-03-02T17:00:00"), vn("2026-03-05T17:00:00")));
        let s = scan().await.unwrap();
        assert_eq!((s.due_soon, s.overdue, s.digests), (1, 0, 1), "the step due within a working day, the unit's digest: {s:?}");
        assert_eq!(scan().await.unwrap(), Default::default(), "a second scan queues nothing");

        // Wednesday 16:00: the step is overdue and escalated (a working day late), the
        // dossier due soon, a new day's digest; two scans at once queue each reminder once.
        app.ctx.clock.set(vn("2026-03-04T16:00:00"));
        let (a, b) = tokio::join!(scan(), scan());
        let (a, b) = (a.unwrap(), b.unwrap());
        let sum = (a.due_soon + b.due_soon, a.overdue + b.overdue, a.escalations + b.escalations, a.digests + b.digests);
        assert_eq!(sum, (1, 1, 1, 1), "{a:?} {b:?}");
        assert_eq!(scan().await.unwrap(), Default::default());

        // Thursday 17:01: the dossier is overdue; the next Thursday it is escalated.
        app.ctx.clock.set(due + 60_000);
        let s = scan().await.unwrap();
        assert_eq!((s.due_soon, s.overdue, s.escalations, s.digests), (0, 1, 0, 1), "{s:?}");
        app.ctx.clock.set(due + 7 * 86_400_000);
        let s = scan().await.unwrap();
        assert_eq!((s.due_soon, s.overdue, s.escalations, s.digests), (0, 0, 1, 1), "{s:?}");
        assert_eq!(scan().await.unwrap(), Default::default());
        // Every queued reminder has its key, every key one row.
        assert_eq!(
            scalar(&app, "SELECT COUNT(*) FROM outbox WHERE topic LIKE 'reminder.%' OR topic = 'digest.daily'").await,
            scalar(&app, "SELECT COUNT(*) FROM reminder_keys").await
        );

        // Delivered (twice over: the second round finds nothing) into the notifications of the
        // step's holders (Hoa Lư's counter officer) and, for escalations and digests, its leader.
        let mut delivered = 0;
        loop {
            let r = notifier.run_once(&app.ctx).await.unwrap();
            if r.claimed == 0 { break; }
            assert_eq!(r.delivered, r.claimed, "{r:?}");
            delivered += r.delivered;
        }
        assert_eq!(i64::try_from(delivered).unwrap(), scalar(&app, "SELECT COUNT(*) FROM reminder_keys").await);
        let clerk = notifications(&app, "tiepnhan.hoalu").await;
        let k = kinds(&clerk, &id);
        assert_eq!(k, vec!["reminder.due_soon:dossier", "reminder.due_soon:step", "reminder.overdue:dossier", "reminder.overdue:step"]);
        let leader = notifications(&app, "lanhdao.hoalu").await;
        assert_eq!(kinds(&leader, &id), vec!["reminder.escalation:dossier", "reminder.escalation:step"]);
        let digests: Vec<&Value> = leader.iter().filter(|n| n["kind"] == "digest.daily").collect();
        assert_eq!(digests.len(), 4, "one a day: {leader:?}");
        assert_eq!((digests[0]["detail"]["open"].as_i64(), digests[0]["detail"]["overdue"].as_i64()), (Some(1), Some(1)), "{:?}", digests[0]);
        // Others see none of it.
        for who in ["chuyenvien", "tiepnhan", "lanhdao", "chuyenvien.hoalu"] {
            assert!(notifications(&app, who).await.is_empty(), "{who}");
        }
        // Handled again (a lease lost mid-delivery): nobody is notified twice.
        let before = app.count("notifications").await;
        app.ctx.store.write(|db| db.execute("UPDATE outbox SET delivered_at = NULL, claimed_by = NULL WHERE topic LIKE 'reminder.%'", &[])).await.unwrap();
        while notifier.run_once(&app.ctx).await.unwrap().claimed > 0 {}
        assert_eq!(app.count("notifications").await, before);

        // The officer's page lists them with the dossier's code (Vietnamese, and English).
        let c = app.login("tiepnhan.hoalu").await;
        let (s, page) = c.get("/can-bo/thong-bao").await;
        assert_eq!(s, StatusCode::OK);
        let page = page.as_str().unwrap().to_string();
        let code = clerk.iter().find_map(|n| n["detail"]["code"].as_str()).unwrap();
        assert!(page.contains("Bước xử lý quá hạn") && page.contains("Hồ sơ sắp đến hạn") && page.contains(code), "{page}");
        let (_, en) = c.get("/can-bo/thong-bao?lang=en").await;
        assert!(en.as_str().unwrap().contains("Step overdue"));
        // Read: the unread count drops to 0.
        let (_, b) = c.get("/api/v1/me/notifications").await;
        assert_eq!(b["unread"], 4, "{b}");
        let (s, _) = c.post("/api/v1/me/notifications/read", json!({})).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, b) = c.get("/api/v1/me/notifications").await;
        assert_eq!(b["unread"], 0, "{b}");
    }
}

/// (overdue reminders queued, rows read, sweeps) of a scan.
fn late(s: motcua_app::deadlines::Scan) -> (usize, usize, usize) {
    (s.overdue, s.read, s.swept)
}

async fn step_overdue_keys(app: &TestApp) -> i64 {
    scalar(app, "SELECT COUNT(*) FROM reminder_keys WHERE kind = 'step.overdue'").await
}

async fn marks(backend: Backend) {
    use motcua_store::repo::deadlines as repo;
    let app = TestApp::spawn_with(backend, |c| {
        c.workers.deadline_batch = 4;
        c.workers.deadline_sweep_secs = 86_400;
        // No escalation inside the week this test lives in.
        c.workers.escalate_after_working_days = 5;
    })
    .await;
    let scan = |ctx| motcua_app::deadlines::scan(ctx);
    // Monday 08:00: six dossiers whose counter step ends at 17:00.
    app.ctx.clock.set(vn("2026-03-02T08:00:00"));
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(received_at_hoalu(&app).await);
    }
    assert_eq!(due_of(&app, &ids[0]).await.0, vn("2026-03-02T17:00:00"));
    // The first scan has no marks: it sweeps (step and dossier deadline, overdue and
    // escalation), finds nothing late.
    app.ctx.clock.set(vn("2026-03-02T08:05:00"));
    assert_eq!(late(scan(&app.ctx).await.unwrap()), (0, 0, 4));

    // 17:01: the six are overdue; read after the mark, a batch (4) at a time, each once;
    // then a scan reads nothing: none of the six already reminded is read again.
    app.ctx.clock.set(vn("2026-03-02T17:01:00"));
    assert_eq!(late(scan(&app.ctx).await.unwrap()), (4, 4, 0));
    assert_eq!(late(scan(&app.ctx).await.unwrap()), (2, 2, 0));
    assert_eq!(late(scan(&app.ctx).await.unwrap()), (0, 0, 0));
    assert_eq!(step_overdue_keys(&app).await, 6);

    // A mark never moves back (a slower scan of another process proposing less).
    let mark = || app.ctx.store.read(|db| repo::mark(db, "step.overdue", 0));
    let before = mark().await.unwrap().unwrap();
    assert_eq!(before.at.as_ref().map(|m| m.0), Some(vn("2026-03-02T17:00:00")));
    app.ctx.store.write(|db| repo::advance(db, "step.overdue", 0, Some((0, "0")), Some(1))).await.unwrap();
    assert_eq!(mark().await.unwrap().unwrap(), before);

    // A deadline moved behind the mark (as a deadline pushed by a pause that is still
    // past): the next scans after the mark do not see it, the day's sweep reminds it, once.
    let moved = received_at_hoalu(&app).await;
    let m = moved.clone();
    let noon = vn("2026-03-02T12:00:00");
    app.ctx
        .store
        .write(move |db| db.execute("UPDATE dossiers SET step_due_at = $1 WHERE id = $2", &[noon.into(), m.into()]))
        .await
        .unwrap();
    app.ctx.clock.set(vn("2026-03-02T17:02:00"));
    assert_eq!(late(scan(&app.ctx).await.unwrap()), (0, 0, 0));
    app.ctx.clock.set(vn("2026-03-03T08:06:00"));
    assert_eq!(late(scan(&app.ctx).await.unwrap()), (1, 1, 4), "the sweep finds it");
    assert_eq!(late(scan(&app.ctx).await.unwrap()), (0, 0, 0));
    let m = moved.clone();
    let keys = app
        .ctx
        .store
        .read(move |db| {
            db.query_one("SELECT COUNT(*) FROM reminder_keys WHERE subject = $1 AND kind = 'step.overdue'", &[m.into()])?.i64(0)
        })
        .await
        .unwrap();
    assert_eq!(keys, 1);

    // Tuesday 08:10: three more, due at 17:00. A restarted process (a new context on the
    // same database) reads just those three after the stored mark; the old one nothing.
    app.ctx.clock.set(vn("2026-03-03T08:10:00"));
    let three = [received_at_hoalu(&app).await, received_at_hoalu(&app).await, received_at_hoalu(&app).await];
    assert_eq!(due_of(&app, &three[2]).await.0, vn("2026-03-03T17:00:00"));
    let (restarted, _) = motcua_app::AppContext::open((*app.ctx.config).clone()).await.unwrap();
    restarted.clock.set(vn("2026-03-03T17:05:00"));
    app.ctx.clock.set(vn("2026-03-03T17:05:00"));
    assert_eq!(late(scan(&restarted).await.unwrap()), (3, 3, 0));
    assert_eq!(late(scan(&app.ctx).await.unwrap()), (0, 0, 0));
    assert_eq!(step_overdue_keys(&app).await, 10);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM outbox WHERE topic = 'reminder.overdue'").await, 10, "no reminder twice");

    // Until a scan queues nothing; returns the escalations queued and that scan.
    let drain = || async {
        let mut escalated = 0;
        loop {
            let s = scan(&app.ctx).await.unwrap();
            escalated += s.escalations;
            if s.queued() == 0 {
                return (escalated, s);
            }
        }
    };
    // Sunday evening: the ten step deadlines are more than five calendar days but fewer than
    // five working days past. The scans sweep (a day since the last) and remind the legal
    // deadlines now overdue, then read nothing: the escalation pass is bounded by the
    // working days, not by the calendar ones.
    app.ctx.clock.set(vn("2026-03-08T18:00:00"));
    let (escalated, last) = drain().await;
    assert_eq!((escalated, last.read, last.swept), (0, 0, 0), "{last:?}");
    // Wednesday evening: all ten are five working days late, escalated once each.
    app.ctx.clock.set(vn("2026-03-11T18:00:00"));
    let (escalated, last) = drain().await;
    assert_eq!((last.read, last.swept), (0, 0), "{last:?}");
    assert_eq!(escalated, 10);
}

mod overdue_scans_read_only_what_is_new_after_their_mark {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        marks(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        marks(Backend::Postgres).await;
    }
}
