//! `motcua bench generate --dossiers N`: fills a fresh database with a province's history.
//!
//! The demo province is seeded, then one real counter reception per procedure (through the
//! use case, so steps, budgets and due dates are the application's) gives each procedure's
//! `Created` and `Received` events. Every generated dossier reuses them with its own id,
//! code, applicant and times, and follows its workflow with domain events (forwarded,
//! supplement, resolved, result returned): its state is the domain's `replay` of that log,
//! its hash chain the store's, so `motcua verify` and `motcua rebuild` work on it.
//!
//! History: receptions on working days over three years before the clock, ~60 % at the
//! counter, 30 % online, 10 % by post; 8 % with a supplement; ~10 % finished late; a few
//! stuck open long past their due date; the rest finished and most results returned. What
//! was received recently is still open, spread over the workflow's steps.

use anyhow::{Context, Result, bail};
use motcua_app::auth::{CurrentUser, login};
use motcua_app::usecases::dossiers::{self as uc, ApplicantInput, ComponentInput, NewDossier};
use motcua_app::{AppContext, Config};
use motcua_domain::calendar::{Timeliness, local_date_ms};
use motcua_domain::catalog::Channel;
use motcua_domain::dossier::{self, Applicant, DossierCode, Event, Recorded, ReturnMethod, Step, SupplementItem};
use motcua_domain::user::Role;
use motcua_store::repo::bulk::{self, EncodedDossier};
use motcua_store::repo::new_id;
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

#[derive(clap::Args, Debug, Clone)]
pub struct GenerateArgs {
    /// How many dossiers of history to generate.
    #[arg(long)]
    pub dossiers: usize,
    /// Besides the history: this many open dossiers held at one step (a specialist's
    /// unit), received over the last weeks.
    #[arg(long, default_value_t = 0)]
    pub held_at_one_step: usize,
    /// Generator threads (encoding runs there; the inserts on the store's writer).
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Write only the counters the histories produce (`kpi_daily`, `kpi_monthly`), not the
    /// dossiers: for the indicators' benchmark at sizes whose dossiers would not fit on the
    /// disk (the indicators read only counters; docs/benchmarks.md says which runs used it).
    #[arg(long)]
    pub counters_only: bool,
}

const DAY: i64 = 86_400_000;
const VN_OFFSET: i64 = 7 * 3_600_000;
/// Three years of working days.
const DAYS: i64 = 3 * 365;
/// Local days per batch: batches never share a day, so codes never collide.
const DAYS_PER_BATCH: i64 = 5;
/// Dossiers per bulk transaction (at least).
const COMMIT_ROWS: usize = 8192;

/// A tiny deterministic generator (splitmix64): each batch its own stream.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

const FAMILY: &[&str] = &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Đinh", "Phan"];
const MIDDLE: &[&str] = &["Văn", "Thị", "Minh", "Đức", "Thu", "Quốc", "Ngọc", "Hữu", "Thanh", "Xuân"];
const GIVEN: &[&str] = &[
    "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam", "Phương", "Quân", "Sơn", "Thảo", "Tuấn",
    "Yến",
];

/// One procedure as received for real: its first two events and what follows from them.
struct Template {
    created: Event,
    received: Event,
    steps: Vec<Step>,
    due_off: i64,
    agency_code: String,
    clerk: String,
    /// Acting user per step (by role and level).
    actors: Vec<String>,
    result_name: String,
}

struct Plan {
    templates: Vec<Template>,
    /// The template whose second step holds the `--held-at-one-step` dossiers.
    held: Option<usize>,
    citizen: String,
    now: i64,
    /// First local day (ms of its local midnight, as UTC ms).
    first_day: i64,
    per_day: f64,
    held_per_day: f64,
    held_days: i64,
    /// Existing daily sequences (agency, YYMMDD) → last number.
    existing: HashMap<(String, String), i64>,
    counters_only: bool,
}

type Kpi = HashMap<(String, String, String, String), i64>;
/// (agency code, YYMMDD) → last number.
type Sequences = HashMap<(String, String), i64>;

/// What the writer loaded so far.
#[derive(Default)]
struct Loaded {
    n: usize,
    open: usize,
    kpi: Kpi,
    seq: Sequences,
}

struct Batch {
    rows: Vec<EncodedDossier>,
    /// Dossiers generated (their rows are empty with `--counters-only`).
    generated: usize,
    kpi: Kpi,
    seq: HashMap<(String, String), i64>,
    open: usize,
}

pub async fn run(args: GenerateArgs, mut config: Config) -> Result<ExitCode> {
    config.seed_demo = true;
    config.documents.issue_on_events = false;
    // Big transactions: one fsync per batch either way; WAL with NORMAL is enough for a
    // database that is generated again if the machine fails.
    config.sqlite.synchronous = "normal".into();
    let (ctx, _) = AppContext::open(config).await?;
    let before = ctx.store.read(|db| bulk::dossier_count(db).map_err(anyhow::Error::from)).await?;
    if before > 0 {
        bail!("the database already holds {before} dossiers: generate into a fresh one");
    }
    let t0 = Instant::now();
    let plan = Arc::new(plan(&ctx, &args).await?);
    println!("templates: {} procedures received for real in {:.1} s", plan.templates.len(), t0.elapsed().as_secs_f64());

    // Secondary indexes and triggers of the loaded tables are built once at the end.
    let suspended = ctx.store.write(|db| bulk::suspend(db).map_err(anyhow::Error::from)).await?;
    let store = ctx.store.clone();
    let batches = (DAYS + DAYS_PER_BATCH - 1) / DAYS_PER_BATCH;
    let next = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Batch>>(args.threads.max(1) * 2);
    let t1 = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.threads.max(1) {
        let (plan, next, tx) = (plan.clone(), next.clone(), tx.clone());
        workers.push(std::thread::spawn(move || {
            loop {
                let b = next.fetch_add(1, Ordering::Relaxed) as i64;
                if b >= batches {
                    return;
                }
                if tx.send(batch(&plan, b)).is_err() {
                    return;
                }
            }
        }));
    }
    drop(tx);
    // Each transaction takes batches as they come, on the writer, until it holds at least
    // `COMMIT_ROWS` dossiers (SQLite's end of transaction walks the whole page cache).
    let writer = tokio::task::spawn_blocking(move || -> Result<Loaded> {
        let mut state = (rx, Loaded::default());
        loop {
            let (rx, mut l) = state;
            let (rx, l, done) = store.write_blocking(move |db| -> Result<_> {
                let mut rows = 0;
                while rows < COMMIT_ROWS {
                    let Ok(b) = rx.recv() else { return Ok((rx, l, true)) };
                    let b = b?;
                    bulk::insert(db, &b.rows)?;
                    // Counting what a batch generated, whether or not its rows are written.
                    rows += b.generated.max(1);
                    l.n += b.generated;
                    l.open += b.open;
                    for (k, v) in b.kpi {
                        *l.kpi.entry(k).or_default() += v;
                    }
                    l.seq.extend(b.seq);
                }
                Ok((rx, l, false))
            })?;
            if done {
                return Ok(l);
            }
            state = (rx, l);
        }
    });
    let Loaded { n, open, kpi, seq } = writer.await??;
    for w in workers {
        let _ = w.join();
    }
    let secs = t1.elapsed().as_secs_f64();
    ctx.store
        .write(move |db| {
            for ((agency, day), last) in &seq {
                bulk::raise_sequence(db, agency, day, *last)?;
            }
            let rows: Vec<bulk::KpiAdd> = kpi
                .iter()
                .map(|((agency, proc_code, day, metric), v)| {
                    (agency.as_str(), proc_code.as_str(), day.as_str(), metric.as_str(), *v)
                })
                .collect();
            bulk::add_kpis(db, &rows)?;
            Ok::<_, anyhow::Error>(())
        })
        .await?;
    let counters = t1.elapsed().as_secs_f64() - secs;
    let t2 = Instant::now();
    ctx.store.write(move |db| bulk::restore(db, &suspended).map_err(anyhow::Error::from)).await?;
    let indexes = t2.elapsed().as_secs_f64();
    let all = t1.elapsed().as_secs_f64();
    println!(
        "generated {n} dossiers ({open} open) in {secs:.1} s; counters and sequences in {counters:.1} s; \
         indexes, triggers and derived tables in {indexes:.1} s: {:.0} dossiers/s overall",
        n as f64 / all
    );
    Ok(ExitCode::SUCCESS)
}

async fn user(ctx: &AppContext, name: &str) -> Result<CurrentUser> {
    Ok(login(ctx, name, motcua_app::seed::DEMO_PASSWORD, std::net::Ipv4Addr::LOCALHOST.into(), None)
        .await
        .with_context(|| format!("login {name}"))?
        .current)
}

async fn plan(ctx: &AppContext, args: &GenerateArgs) -> Result<Plan> {
    let province = [user(ctx, "tiepnhan").await?, user(ctx, "chuyenvien").await?, user(ctx, "lanhdao").await?];
    let commune = [user(ctx, "tiepnhan.hoalu").await?, user(ctx, "chuyenvien.hoalu").await?, user(ctx, "lanhdao.hoalu").await?];
    let citizen = user(ctx, "congdan").await?.user.id;
    let procedures = motcua_app::usecases::catalog::all_in_force(ctx, None).await?;
    let mut templates = Vec::new();
    for v in procedures {
        let code = v.spec.code.clone();
        let components: Vec<String> = v.spec.components.iter().map(|c| c.key.clone()).collect();
        for level in [&province, &commune] {
            let input = NewDossier {
                procedure_code: code.clone(),
                applicant: ApplicantInput {
                    name: "Trần Thị Bình".into(),
                    id_number: Some("037192004321".into()),
                    phone: Some("0912345678".into()),
                    address: Some("Phường Hoa Lư, tỉnh Ninh Bình".into()),
                    ..Default::default()
                },
                components: components
                    .iter()
                    .map(|k| ComponentInput { key: k.clone(), provided: true, ..Default::default() })
                    .collect(),
                ..Default::default()
            };
            let Ok(d) = uc::create(ctx, &level[0], input, None).await else { continue };
            let id = d.id.clone();
            let log =
                ctx.store.read(move |db| motcua_store::repo::dossiers::events(db, &id).map_err(anyhow::Error::from)).await?;
            let [c, r] = log.as_slice() else { continue };
            let (Some(due), Some(received)) = (d.due_at, d.received_at) else { continue };
            let agency_code = DossierCode::parse(d.code.as_deref().unwrap_or_default()).map(|c| c.agency).unwrap_or_default();
            let actors = d
                .steps
                .iter()
                .map(|s| match s.role {
                    Role::Specialist => level[1].user.id.clone(),
                    Role::Leader => level[2].user.id.clone(),
                    _ => level[0].user.id.clone(),
                })
                .collect();
            templates.push(Template {
                created: c.event.clone(),
                received: r.event.clone(),
                steps: d.steps.clone(),
                due_off: (due - received).max(DAY),
                agency_code,
                clerk: level[0].user.id.clone(),
                actors,
                result_name: format!("Kết quả: {}", d.procedure.name),
            });
            break;
        }
    }
    if templates.is_empty() {
        bail!("no procedure could be received at the demo counters");
    }
    // Held at the Department of Justice's specialist (the demo's `chuyenvien`) when the
    // notary card procedure is there, else at the second step of the first longer workflow.
    let held = templates
        .iter()
        .position(|t| matches!(&t.created, Event::Created { procedure, .. } if procedure.code == "1.910201.H40"))
        .or_else(|| templates.iter().position(|t| t.steps.len() >= 2));
    let existing = ctx
        .store
        .read(|db| bulk::sequences(db).map_err(anyhow::Error::from))
        .await?
        .into_iter()
        .map(|(a, d, n)| ((a, d), n))
        .collect();
    let now = ctx.clock.now_ms();
    // Local midnight of the first day.
    let today = (now + VN_OFFSET).div_euclid(DAY) * DAY - VN_OFFSET;
    let held_days = 20;
    Ok(Plan {
        templates,
        held,
        citizen,
        now,
        first_day: today - (DAYS - 1) * DAY,
        per_day: args.dossiers as f64 / (DAYS as f64 * 5.0 / 7.0),
        held_per_day: args.held_at_one_step as f64 / (held_days as f64 * 5.0 / 7.0),
        held_days,
        existing,
        counters_only: args.counters_only,
    })
}

/// How many of `rate` per day fall on day `d` (fractional rates spread evenly).
fn count_on(rate: f64, d: i64) -> usize {
    ((rate * (d + 1) as f64).floor() - (rate * d as f64).floor()) as usize
}

fn batch(plan: &Plan, b: i64) -> Result<Batch> {
    let mut rng = Rng(0xA11CE ^ (b as u64).wrapping_mul(0x1000_0000_01B3));
    let mut out = Batch { rows: Vec::new(), generated: 0, kpi: HashMap::new(), seq: HashMap::new(), open: 0 };
    let (mut wd, mut hd) = (0i64, 0i64);
    for d in b * DAYS_PER_BATCH..((b + 1) * DAYS_PER_BATCH).min(DAYS) {
        let midnight = plan.first_day + d * DAY;
        let weekday = (midnight + VN_OFFSET).div_euclid(DAY).rem_euclid(7); // 0 = Thursday
        if weekday == 2 || weekday == 3 {
            continue; // Saturday, Sunday
        }
        // Working-day index over the whole span (approximate: the rate's spreading only).
        wd = d * 5 / 7;
        let n = count_on(plan.per_day, wd);
        let held = if DAYS - d <= plan.held_days && plan.held.is_some() {
            hd = (d - (DAYS - plan.held_days)) * 5 / 7;
            count_on(plan.held_per_day, hd)
        } else {
            0
        };
        for i in 0..n + held {
            let t = if i < n { rng.below(plan.templates.len() as u64) as usize } else { plan.held.unwrap_or(0) };
            // 07:30–17:00 local.
            let at = midnight + 27_000_000 + rng.below(34_200_000) as i64;
            if at >= plan.now {
                continue;
            }
            one(plan, &mut rng, &mut out, t, at, i >= n)?;
        }
    }
    let _ = (wd, hd);
    Ok(out)
}

fn one(plan: &Plan, rng: &mut Rng, out: &mut Batch, t: usize, received: i64, held: bool) -> Result<()> {
    let tpl = &plan.templates[t];
    let id = new_id();
    let roll = rng.unit();
    let channel = if roll < 0.6 {
        Channel::Counter
    } else if roll < 0.9 {
        Channel::Online
    } else {
        Channel::Postal
    };
    let day = local_date_ms(received);
    let day_key = DossierCode::day_key(day);
    let key = (tpl.agency_code.clone(), day_key.clone());
    let base = plan.existing.get(&key).copied().unwrap_or(0);
    let number = out.seq.entry(key).or_insert(base);
    *number += 1;
    let code = DossierCode { agency: tpl.agency_code.clone(), day, number: *number as u32 }.to_string();
    let name = format!("{} {} {}", rng.pick(FAMILY), rng.pick(MIDDLE), rng.pick(GIVEN));
    let applicant = Applicant {
        kind: motcua_domain::catalog::ApplicantType::Citizen,
        name,
        id_number: Some(format!("0370{:08}", rng.below(100_000_000))),
        phone: Some(format!("09{:08}", rng.below(100_000_000))),
        email: None,
        address: Some("tỉnh Ninh Bình".into()),
    };
    // Processing time as a share of the legal duration: most early, ~10 % late, 2 % stuck.
    let r = rng.unit();
    let share = if held {
        // Held at the second step: received over the last weeks, some of them overdue.
        2.0
    } else if r < 0.88 {
        0.3 + 0.65 * rng.unit()
    } else if r < 0.98 {
        1.0 + 0.6 * rng.unit()
    } else {
        2.0 + 28.0 * rng.unit()
    };
    let mut due = received + tpl.due_off;
    let mut finish = received + (tpl.due_off as f64 * share) as i64;
    let supplement = !held && rng.unit() < 0.08;

    let mut log: Vec<(i64, String, Event)> = Vec::with_capacity(8);
    let created_at = received - if channel == Channel::Online { DAY / 2 } else { 600_000 };
    let mut created = tpl.created.clone();
    if let Event::Created { channel: ch, owner_id, applicant: a, .. } = &mut created {
        *ch = channel;
        *a = applicant;
        *owner_id = (channel == Channel::Online).then(|| plan.citizen.clone());
    }
    let owner = if channel == Channel::Online { plan.citizen.clone() } else { tpl.clerk.clone() };
    log.push((created_at, owner.clone(), created));
    let mut received_ev = tpl.received.clone();
    let steps = tpl.steps.len().max(1);
    let step_budget = tpl.due_off / steps as i64;
    if let Event::Received { code: c, counted_from, due_at, step_due_at, supplement_by, rating_code, .. } = &mut received_ev {
        *c = code.clone();
        *counted_from = received;
        *due_at = due;
        *step_due_at = received + step_budget;
        *supplement_by = supplement_by.map(|_| received + DAY);
        *rating_code = None;
    }
    if channel == Channel::Online {
        let calendar_version = match &received_ev {
            Event::Received { calendar_version, .. } => Some(calendar_version.clone()),
            _ => None,
        };
        log.push((
            created_at + 60_000,
            owner,
            Event::Submitted {
                reference: Some(format!("N{}-G{}", day_key, &id[id.len() - 12..]).to_ascii_uppercase()),
                check_due_at: Some(received + DAY / 4),
                calendar_version,
                vneid_authenticated: false,
            },
        ));
    }
    log.push((received, tpl.clerk.clone(), received_ev));
    let span = finish - received;
    let mut step_start = received;
    let mut pause = 0;
    for step in 1..=steps {
        // Each step ends at its share of the processing time.
        let end = received + span * step as i64 / steps as i64 + pause;
        if supplement && step == 1 {
            let asked = step_start + (end - step_start) / 3;
            if asked >= plan.now {
                break;
            }
            log.push((
                asked,
                tpl.actors.get(1).cloned().unwrap_or_else(|| tpl.clerk.clone()),
                Event::SupplementRequested {
                    items: vec![SupplementItem {
                        component_key: None,
                        name: "Giấy tờ bổ sung".into(),
                        reason: "Bản sao chưa được chứng thực".into(),
                    }],
                    basis: None,
                },
            ));
            pause = 2 * DAY + rng.below(5 * DAY as u64) as i64;
            let supplied = asked + pause;
            if supplied >= plan.now {
                break;
            }
            due += pause;
            finish += pause;
            log.push((
                supplied,
                tpl.clerk.clone(),
                Event::SupplementSupplied {
                    note: None,
                    due_at: Some(due),
                    appointment_at: Some(due),
                    step_due_at: Some(step_start + step_budget + pause),
                    check_due_at: None,
                },
            ));
        }
        let end = if step == steps { finish } else { end.max(step_start + 1) };
        let held_here = held && step == 2.min(steps);
        if end >= plan.now || held_here {
            break;
        }
        let actor = tpl.actors.get(step - 1).cloned().unwrap_or_else(|| tpl.clerk.clone());
        if step < steps {
            log.push((
                end,
                actor,
                Event::Forwarded { to_step: step, step_timeliness: None, step_due_at: end + step_budget, note: None },
            ));
            step_start = end;
        } else {
            let timeliness = if end > due {
                Timeliness::Late
            } else if local_date_ms(end) == local_date_ms(due) {
                Timeliness::OnTime
            } else {
                Timeliness::Early
            };
            log.push((
                end,
                actor,
                Event::Resolved {
                    name: tpl.result_name.clone(),
                    number: Some(format!("{}/QĐ", rng.below(9000) + 1000)),
                    note: None,
                    timeliness,
                    step_timeliness: None,
                },
            ));
            let returned = end + DAY / 2 + rng.below(3 * DAY as u64) as i64;
            if returned < plan.now {
                let method = match channel {
                    Channel::Online => ReturnMethod::Online,
                    Channel::Postal => ReturnMethod::Postal,
                    Channel::Counter => ReturnMethod::Counter,
                };
                log.push((returned, tpl.clerk.clone(), Event::ResultReturned { method, tracking_number: None, note: None }));
                // About four applicants in ten rate the service after the return (issue #18,
                // SIPAS), mostly satisfied; the counters and the ratings summary show them.
                let rated = returned + rng.below(DAY as u64) as i64;
                if rng.below(10) < 4 && rated < plan.now {
                    let factors: Vec<dossier::FactorRating> = dossier::RatingFactor::ALL
                        .into_iter()
                        .map(|factor| {
                            let score = if rng.below(10) == 0 { 1 + rng.below(3) as u8 } else { 4 + rng.below(2) as u8 };
                            dossier::FactorRating { factor, satisfied: score >= 4, score: Some(score) }
                        })
                        .collect();
                    let satisfied = factors.iter().filter(|f| f.satisfied).count() >= 3;
                    log.push((rated, dossier::KIOSK_ACTOR.to_string(), Event::Rated { satisfied, comment: None, factors }));
                }
            }
        }
    }
    let recorded: Vec<Recorded> = log
        .into_iter()
        .enumerate()
        .map(|(i, (at, actor_id, event))| Recorded { dossier_id: id.clone(), seq: i as i64 + 1, at, actor_id, event })
        .collect();
    let (first, rest) = recorded.split_first().context("empty log")?;
    let mut d = dossier::start(first).context("first event is not created")?;
    // The same counters as the live path (`dossier::ticks`, for the accountable unit).
    let mut count = |was: dossier::Before, d: &dossier::Dossier, r: &Recorded| {
        for t in dossier::ticks(was, d, r) {
            let key =
                (d.accountable().id.clone(), d.procedure.code.clone(), local_date_ms(t.at).to_string(), t.metric.into_owned());
            *out.kpi.entry(key).or_default() += t.delta;
        }
    };
    count(dossier::Before::NEW, &d, first);
    for r in rest {
        let was = dossier::Before::of(&d);
        dossier::apply(&mut d, r);
        count(was, &d, r);
    }
    out.generated += 1;
    if d.finished_at.is_none() {
        out.open += 1;
    }
    let ids = recorded.iter().map(|_| new_id()).collect();
    if !plan.counters_only {
        out.rows.push(bulk::encode(&d, &recorded, ids)?);
    }
    Ok(())
}

#[derive(clap::Args, Debug, Clone)]
pub struct InboxArgs {
    /// Officers whose inbox page 1 is read (demo users).
    #[arg(long, value_delimiter = ',', default_value = "chuyenvien,lanhdao,tiepnhan,chuyenvien.hoalu")]
    pub users: Vec<String>,
    /// Reads per user and filter (and dossiers drawn for the dossier page and tracking).
    #[arg(long, default_value_t = 300)]
    pub runs: usize,
    /// Who opens the drawn dossiers' pages (a demo user who may see all of them).
    #[arg(long, default_value = "giamsat")]
    pub reader: String,
}

fn pct(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let p = |x: f64| v[((v.len() as f64 * x) as usize).min(v.len() - 1)];
    (p(0.5), p(0.99))
}

/// `motcua bench inbox`: page 1 of each officer's inbox (50 rows, total and due counts, the
/// use case as the page and the API call it), then with a filter, in-process, one at a time.
pub async fn inbox(args: InboxArgs, mut config: Config) -> Result<ExitCode> {
    config.seed_demo = false;
    // Tracking is read here many times from one address.
    config.tracking.per_address_per_minute = 0;
    let (ctx, _) = AppContext::open(config).await?;
    let all = ctx.store.read(|db| bulk::dossier_count(db).map_err(anyhow::Error::from)).await?;
    for name in &args.users {
        let u = user(&ctx, name).await?;
        let filters: [(&str, uc::ListQuery); 4] = [
            ("page 1", uc::ListQuery { limit: 50, ..Default::default() }),
            ("status=in_progress", uc::ListQuery { limit: 50, statuses: vec!["in_progress".into()], ..Default::default() }),
            ("q=nguyen van", uc::ListQuery { limit: 50, q: Some("nguyen van".into()), ..Default::default() }),
            (
                "q=nguyen van count=exact",
                uc::ListQuery { limit: 50, q: Some("nguyen van".into()), count_exact: true, ..Default::default() },
            ),
        ];
        for (label, q) in filters {
            let mut lat = Vec::with_capacity(args.runs);
            let mut held = (0, 0);
            for _ in 0..args.runs {
                let t = Instant::now();
                let out = uc::list(&ctx, &u, q.clone()).await?;
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
                held = (out.total, out.counts.overdue);
            }
            let (p50, p99) = pct(lat);
            println!(
                "inbox {name:<17} {label:<20} {:>8} listed ({:>7} overdue) of {all} dossiers: p50 {p50:6.2} ms  p99 {p99:6.2} ms",
                held.0, held.1
            );
        }
    }
    reads_across_history(&ctx, &args, all).await?;
    Ok(ExitCode::SUCCESS)
}

/// The dossier page's read (as `--reader`, with its timeline) and public tracking (code and
/// check digits) of dossiers drawn evenly over the whole history by id (time-ordered ids):
/// most are finished, so their state is their log replayed.
async fn reads_across_history(ctx: &AppContext, args: &InboxArgs, all: i64) -> Result<()> {
    let Some((lo, hi)) = ctx.store.read(|db| bulk::id_range(db).map_err(anyhow::Error::from)).await? else { return Ok(()) };
    // The 48-bit millisecond prefix of a UUIDv7.
    let ms = |id: &str| u64::from_str_radix(&id.replace('-', "")[..12], 16).unwrap_or(0);
    let (a, b) = (ms(&lo), ms(&hi).max(ms(&lo)));
    let mut rng = Rng(0x5EED_D0551E);
    let mut sample = Vec::with_capacity(args.runs);
    for _ in 0..args.runs {
        let t = format!("{:012x}", a + rng.below(b - a + 1));
        let from = format!("{}-{}", &t[..8], &t[8..]);
        if let Some(d) = ctx.store.read(move |db| bulk::dossier_from(db, &from).map_err(anyhow::Error::from)).await? {
            sample.push(d);
        }
    }
    let reader = user(ctx, &args.reader).await?;
    let mut lat = Vec::with_capacity(sample.len());
    for (id, _, _) in &sample {
        let t = Instant::now();
        uc::get(ctx, &reader, id).await.map_err(|e| anyhow::anyhow!("dossier {id}: {e:?}"))?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p99) = pct(lat);
    println!("dossier page ({}) {} dossiers of {all}: p50 {p50:6.2} ms  p99 {p99:6.2} ms", args.reader, sample.len());
    let mut lat = Vec::new();
    let local = std::net::Ipv4Addr::LOCALHOST.into();
    for (_, code, check) in &sample {
        let (Some(code), Some(check)) = (code, check) else { continue };
        let digits = check.split('|').find(|p| !p.is_empty()).unwrap_or_default();
        let t = Instant::now();
        uc::track(ctx, code, digits, local).await.map_err(|e| anyhow::anyhow!("tracking {code}: {e:?}"))?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    if !lat.is_empty() {
        let n = lat.len();
        let (p50, p99) = pct(lat);
        println!("tracking {n} dossiers of {all}: p50 {p50:6.2} ms  p99 {p99:6.2} ms");
    }
    Ok(())
}

#[derive(clap::Args, Debug, Clone)]
pub struct IndicatorArgs {
    /// Reads per view.
    #[arg(long, default_value_t = 200)]
    pub runs: usize,
    /// The year of the province's view (default: this year).
    #[arg(long)]
    pub year: Option<i16>,
    /// The month of the commune's view, `YYYY-MM` (default: last month).
    #[arg(long)]
    pub month: Option<String>,
}

/// `motcua bench indicators`: the 766 index and the ranking of units (what the dashboard
/// reads) for the whole province over a year (as `giamsat`) and for one commune over a month
/// (as `admin.hoalu`), in-process, one at a time: p50 and p99.
pub async fn indicators(args: IndicatorArgs, mut config: Config) -> Result<ExitCode> {
    use motcua_app::usecases::indicators as ind;
    use motcua_domain::index766::Period;
    config.seed_demo = false;
    let (ctx, _) = AppContext::open(config).await?;
    let all = ctx.store.read(|db| bulk::dossier_count(db).map_err(anyhow::Error::from)).await?;
    let rows =
        ctx.store.read(|db| Ok::<_, anyhow::Error>(db.query_one("SELECT COUNT(*) FROM kpi_monthly", &[])?.i64(0)?)).await?;
    let today = local_date_ms(ctx.clock.now_ms());
    let year = Period::Year { year: args.year.unwrap_or(today.year()) };
    let last = today.first_of_month().yesterday()?;
    let month = match &args.month {
        Some(m) => Period::parse(m).context("--month: YYYY-MM")?,
        None => Period::Month { year: last.year(), month: last.month() },
    };
    let province = user(&ctx, "giamsat").await?;
    let commune = user(&ctx, "admin.hoalu").await?;
    println!("{all} dossiers, {rows} monthly counter rows");
    for (label, who, period) in [("province", &province, year), ("commune", &commune, month)] {
        for view in ["index", "ranking"] {
            let mut lat = Vec::with_capacity(args.runs);
            let mut total = 0.0;
            for _ in 0..args.runs {
                let t = Instant::now();
                total = match view {
                    "index" => {
                        ind::index(&ctx, who, None, period).await.map_err(|e| anyhow::anyhow!("{e:?}"))?.result.total_display()
                    }
                    _ => ind::ranking(&ctx, who, None, period)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e:?}"))?
                        .0
                        .result
                        .total_display(),
                };
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            let (p50, p99) = pct(lat);
            println!("{view:<8} {label:<9} {:<8} total {total:6.2}: p50 {p50:6.2} ms  p99 {p99:6.2} ms", period.key());
        }
    }
    Ok(ExitCode::SUCCESS)
}
