//! `motcua bench queue` (issue #18, docs/queue.md): a simulated day of the province's
//! centre through the real use cases, the clock stepped through the day: citizens take
//! tickets at the kiosk (arrivals weighted by hour), a share books appointments the day
//! before and checks in, counters call, serve (service times drawn per group), skip the
//! absent, and finish; then the day's figures and how long reading them took.
//!
//! Run it on a fresh demo database (`--data-dir` of its own): it adds counters to the
//! province's centre so that 2,000 tickets can be served in a day.

use anyhow::{Context, Result, anyhow};
use motcua_app::auth::{CurrentUser, login};
use motcua_app::usecases::queue::{self as uc, Act, Booking, CounterInput};
use motcua_app::{AppContext, Config};
use motcua_domain::calendar::{at_local, parse_date};
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

const CENTRE: &str = "000.00.20.H40";

#[derive(clap::Args, Debug, Clone)]
pub struct QueueArgs {
    /// Tickets of the day (walk-ins and appointments).
    #[arg(long, default_value_t = 2000)]
    pub tickets: usize,
    /// The day, a working day (`YYYY-MM-DD`).
    #[arg(long, default_value = "2026-03-02")]
    pub day: String,
    /// Percent of tickets from appointments booked online.
    #[arg(long, default_value_t = 8)]
    pub appointments_percent: usize,
    /// Percent of called citizens who do not come.
    #[arg(long, default_value_t = 5)]
    pub no_show_percent: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// A small deterministic generator (xorshift): the same day for the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }
    fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x <= *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

async fn user(ctx: &AppContext, name: &str) -> Result<CurrentUser> {
    Ok(login(ctx, name, motcua_app::seed::DEMO_PASSWORD, std::net::Ipv4Addr::LOCALHOST.into(), None)
        .await
        .with_context(|| format!("login {name}"))?
        .current)
}

fn app(e: motcua_app::AppError) -> anyhow::Error {
    anyhow!("{e:?}")
}

/// Arrival weights per local hour (07:30–11:30, 13:30–17:00), and the groups' mix and mean
/// service minutes (A justice, B construction and land, C business, D results).
/// (hour, minute, minutes, weight per hour).
const HOURS: &[(u32, u32, u32, f64)] = &[
    (7, 30, 30, 1.0),
    (8, 0, 60, 1.3),
    (9, 0, 60, 1.4),
    (10, 0, 60, 1.2),
    (11, 0, 30, 0.8),
    (13, 30, 30, 1.2),
    (14, 0, 60, 1.2),
    (15, 0, 60, 1.1),
    (16, 0, 60, 0.8),
];
const MIX: &[(&str, f64, f64)] = &[("A", 0.40, 5.0), ("B", 0.25, 8.0), ("C", 0.20, 7.0), ("D", 0.15, 2.0)];
/// Extra counters: (first number, how many, the groups they serve).
const EXTRA: &[(u32, u32, &[&str])] =
    &[(6, 10, &["A"]), (16, 6, &["B"]), (22, 5, &["C"]), (27, 2, &["A", "B", "C"]), (29, 1, &["D"])];

enum Desk {
    Idle,
    Called { ticket: String, number: String, until: i64, absent: bool },
    Serving { ticket: String, until: i64 },
}

pub async fn run(args: QueueArgs, mut config: Config) -> Result<ExitCode> {
    config.seed_demo = true;
    config.documents.issue_on_events = false;
    config.sqlite.synchronous = "normal".into();
    let (ctx, _) = AppContext::open(config).await?;
    let day = parse_date(&args.day)?;
    let at = |h: i8, m: i8| -> Result<i64> { Ok(at_local(day, jiff::civil::time(h, m, 0, 0))?.as_millisecond()) };
    let mut rng = Rng(args.seed.max(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let (clerk, citizen) = (user(&ctx, "tiepnhan").await?, user(&ctx, "congdan").await?);
    let kiosk = uc::kiosk(&ctx, CENTRE).await.map_err(app)?;
    let group = |p: &str| kiosk.groups.iter().find(|g| g.prefix == p).map(|g| g.id.clone()).context("demo group");
    let groups: BTreeMap<&str, String> = MIX.iter().map(|(p, _, _)| Ok((*p, group(p)?))).collect::<Result<_>>()?;

    // Counters for a day of this size.
    ctx.clock.set(at(7, 0)?);
    for (first, n, prefixes) in EXTRA {
        for i in 0..*n {
            let x = CounterInput {
                id: None,
                centre: CENTRE.into(),
                number: (first + i).to_string(),
                name: String::new(),
                group_ids: prefixes.iter().map(|p| groups[p].clone()).collect(),
                is_open: true,
            };
            let now = ctx.clock.now_ms();
            ctx.store.write(move |db| uc::save_counter_in(db, None, x, now)).await.map_err(app)?;
        }
    }
    let desks = uc::desk(&ctx, &clerk, Some(CENTRE)).await.map_err(app)?.counters;

    // The day's arrivals: (time, group prefix, appointment?).
    let hour_weights: Vec<f64> = HOURS.iter().map(|h| h.3 * f64::from(h.2) / 60.0).collect();
    let mut arrivals: Vec<(i64, usize)> = Vec::with_capacity(args.tickets);
    for _ in 0..args.tickets {
        let (h, m, span, _) = HOURS[rng.pick(&hour_weights)];
        // Strictly inside the session (its end is closed).
        let t = at(h as i8, m as i8)? + (rng.unit() * f64::from(span) * 59_990.0) as i64;
        arrivals.push((t, rng.pick(&MIX.iter().map(|g| g.1).collect::<Vec<_>>())));
    }
    arrivals.sort();
    // Appointments: booked the day before in the slot of the arrival (while places last),
    // checked in a few minutes before it.
    ctx.clock.set(at(8, 0)? - 86_400_000);
    let mut appointments: Vec<(i64, String)> = Vec::new();
    let want = args.tickets * args.appointments_percent / 100;
    let mut booked = 0;
    for (t, g) in arrivals.iter_mut() {
        if booked >= want || rng.unit() * 100.0 > args.appointments_percent as f64 * 1.5 || MIX[*g].0 == "D" {
            continue;
        }
        let slot = *t - (*t - at(0, 0)?) % 1_800_000;
        let local = motcua_domain::calendar::local_datetime(jiff::Timestamp::from_millisecond(slot)?);
        let b = Booking {
            group_id: groups[MIX[*g].0].clone(),
            date: args.day.clone(),
            time: format!("{:02}:{:02}", local.hour(), local.minute()),
        };
        if let Ok(a) = uc::book(&ctx, &citizen, b).await {
            appointments.push((slot - 5 * 60_000 + (rng.unit() * 8.0 * 60_000.0) as i64, a.code));
            booked += 1;
            *t = -1;
        }
    }
    let mut walk_ins: Vec<(i64, usize)> = arrivals.into_iter().filter(|(t, _)| *t >= 0).collect();
    walk_ins.sort();
    appointments.sort();

    // The day, in 15-second steps: arrivals, then each counter.
    let t0 = Instant::now();
    let mut state: Vec<Desk> = desks.iter().map(|_| Desk::Idle).collect();
    let (mut wi, mut ai, mut waiting) = (0, 0, 0i64);
    let mut now = at(7, 30)?;
    let (lunch_from, lunch_to, end) = (at(11, 30)?, at(13, 30)?, at(19, 0)?);
    let mut issued = 0;
    while now < end {
        ctx.clock.set(now);
        while wi < walk_ins.len() && walk_ins[wi].0 <= now {
            uc::issue(&ctx, &groups[MIX[walk_ins[wi].1].0]).await.map_err(app)?;
            (wi, waiting, issued) = (wi + 1, waiting + 1, issued + 1);
        }
        while ai < appointments.len() && appointments[ai].0 <= now {
            if uc::check_in(&ctx, &appointments[ai].1).await.is_ok() {
                (waiting, issued) = (waiting + 1, issued + 1);
            }
            ai += 1;
        }
        let calling = now < lunch_from || now >= lunch_to;
        for (i, desk) in desks.iter().enumerate() {
            match &state[i] {
                Desk::Called { ticket, number, until, absent } if *until <= now => {
                    if *absent {
                        uc::act(&ctx, &clerk, ticket, Act::Skip).await.map_err(app)?;
                        state[i] = Desk::Idle;
                    } else {
                        uc::act(&ctx, &clerk, ticket, Act::Start).await.map_err(app)?;
                        let mean = MIX.iter().find(|m| number.starts_with(m.0)).map_or(5.0, |m| m.2);
                        let minutes = (mean * -rng.unit().ln()).clamp(1.0, mean * 4.0);
                        state[i] = Desk::Serving { ticket: ticket.clone(), until: now + (minutes * 60_000.0) as i64 };
                    }
                }
                Desk::Serving { ticket, until } if *until <= now => {
                    uc::act(&ctx, &clerk, ticket, Act::Finish).await.map_err(app)?;
                    state[i] = Desk::Idle;
                }
                _ => {}
            }
            if matches!(state[i], Desk::Idle) && calling && waiting > 0 {
                match uc::call_next(&ctx, &clerk, &desk.id).await {
                    Ok(t) => {
                        waiting -= 1;
                        let absent = rng.next() % 100 < args.no_show_percent;
                        let until = now + if absent { 120_000 } else { 30_000 };
                        state[i] = Desk::Called { ticket: t.id, number: t.number, until, absent };
                    }
                    Err(e) if e.code() == "queue_empty" => {}
                    Err(e) => return Err(app(e)),
                }
            }
        }
        if wi >= walk_ins.len() && ai >= appointments.len() && waiting == 0 && state.iter().all(|d| matches!(d, Desk::Idle)) {
            break;
        }
        now += 15_000;
    }
    let simulated = t0.elapsed();

    let admin = user(&ctx, "admin").await?;
    let mut took = Vec::new();
    let mut f = None;
    for _ in 0..20 {
        let t = Instant::now();
        f = Some(uc::figures(&ctx, &admin, CENTRE, &args.day, &args.day).await.map_err(app)?);
        took.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let f = f.context("figures")?;
    took.sort_by(f64::total_cmp);
    let mm = |s: Option<i64>| s.map_or("—".to_string(), |s| format!("{}:{:02}", s / 60, s % 60));
    let pc = |p: Option<f64>| p.map_or("—".to_string(), |p| format!("{p:.1} %"));
    println!(
        "{} tickets ({} by appointment) on {} at {} counters, simulated in {:.1} s ({})",
        issued,
        booked,
        args.day,
        desks.len(),
        simulated.as_secs_f64(),
        ctx.store.backend().name()
    );
    println!("| Group | Tickets | Wait p50 | Wait p90 | Service p50 | Service p90 | No-show | Appointments |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for s in f.by_group.iter().chain(std::iter::once(&f.total)) {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            s.label,
            s.tickets,
            mm(s.wait_p50),
            mm(s.wait_p90),
            mm(s.service_p50),
            mm(s.service_p90),
            pc(s.no_show_rate),
            pc(s.appointment_share)
        );
    }
    println!("\n| Hour | Tickets | Wait p50 | Wait p90 |");
    println!("|---|---:|---:|---:|");
    for s in &f.by_hour {
        println!("| {} | {} | {} | {} |", s.label, s.tickets, mm(s.wait_p50), mm(s.wait_p90));
    }
    println!(
        "\nfigures query (read + compute, {} tickets): p50 {:.1} ms, max {:.1} ms over {} runs",
        f.total.tickets,
        took[took.len() / 2],
        took[took.len() - 1],
        took.len()
    );
    Ok(ExitCode::SUCCESS)
}
