//! Deadline arithmetic and lunar conversions.
//! Run: `CARGO_TARGET_DIR=/work/target-cal cargo bench -p motcua-domain --bench calendar`.
//! Figures from this machine are in docs/calendar.md.

use divan::{Bencher, black_box};
use jiff::civil::{Date, date, time};
use jiff::{SignedDuration, Timestamp};
use motcua_domain::calendar::{CountingRules, OutOfHours, TimeLimit, WorkCalendar, at_local, local_date};
use motcua_domain::lunar::{LunarDate, lunar_to_solar, solar_to_lunar};
use std::sync::LazyLock;

fn main() {
    divan::main();
}

/// The shipped calendar with the year tables of 2024..=2028 already built, as in a server
/// that has been running for a while.
static CAL: LazyLock<WorkCalendar> = LazyLock::new(|| {
    let cal = WorkCalendar::vietnam();
    for year in 2024..=2028 {
        cal.special_days(year).unwrap();
    }
    cal
});

/// Small deterministic generator, so that every run measures the same inputs.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Reception instants spread over 2024–2026, to the minute, in and out of office hours.
fn instants() -> impl FnMut() -> Timestamp {
    let base = at_local(date(2024, 1, 1), time(0, 0, 0, 0)).unwrap();
    let mut state = 0x9E37_79B9_7F4A_7C15;
    move || base + SignedDuration::from_mins((xorshift(&mut state) % (3 * 525_600)) as i64)
}

#[divan::bench(args = [1, 5, 20, 60])]
fn due_working_days(bencher: Bencher, n: u32) {
    let cal = &*CAL;
    let rules = CountingRules::default();
    bencher.with_inputs(instants()).bench_local_values(|from| cal.due(from, black_box(TimeLimit::working_days(n)), &rules));
}

#[divan::bench]
fn due_within_day_cutoff_online(bencher: Bencher) {
    let cal = &*CAL;
    let rules = CountingRules { out_of_hours: OutOfHours::NextWorkingInstant, ..CountingRules::cutoff_15h() };
    bencher.with_inputs(instants()).bench_local_values(|from| cal.due(from, black_box(TimeLimit::WITHIN_DAY), &rules));
}

#[divan::bench(args = [TimeLimit::hours(8), TimeLimit::hours(120), TimeLimit::days(30), TimeLimit::months(3)])]
fn due_other_units(bencher: Bencher, limit: TimeLimit) {
    let cal = &*CAL;
    let rules = CountingRules::default();
    bencher.with_inputs(instants()).bench_local_values(|from| cal.due(from, black_box(limit), &rules));
}

#[divan::bench]
fn elapsed_working_with_a_pause(bencher: Bencher) {
    let cal = &*CAL;
    let mut next = instants();
    bencher
        .with_inputs(|| {
            let from = next();
            let to = from + SignedDuration::from_hours(24 * 21);
            (from, to, [(from + SignedDuration::from_hours(30), from + SignedDuration::from_hours(80))])
        })
        .bench_local_refs(|(from, to, pauses)| cal.elapsed_working(*from, *to, pauses));
}

#[divan::bench]
fn is_working_day(bencher: Bencher) {
    let cal = &*CAL;
    let mut next = instants();
    bencher.with_inputs(|| local_date(next())).bench_local_values(|d: Date| cal.is_working_day(d));
}

#[divan::bench]
fn solar_to_lunar_day(bencher: Bencher) {
    let mut next = instants();
    bencher.with_inputs(|| local_date(next())).bench_local_values(solar_to_lunar);
}

#[divan::bench]
fn lunar_to_solar_day(bencher: Bencher) {
    let mut state = 7u64;
    bencher
        .with_inputs(|| {
            let r = xorshift(&mut state);
            LunarDate::new((r % 29 + 1) as u8, (r / 29 % 12 + 1) as u8, 2000 + (r / 348 % 100) as i32)
        })
        .bench_local_values(lunar_to_solar);
}

/// Construction: parses and checks the shipped schedules; year tables are built lazily.
#[divan::bench]
fn build_calendar() -> WorkCalendar {
    WorkCalendar::vietnam()
}

/// First use of a year: builds its tables (statutory holidays with lunar dates, then the
/// per-day arrays). Measured on a fresh calendar each time.
#[divan::bench]
fn first_use_of_a_year(bencher: Bencher) {
    bencher.with_inputs(WorkCalendar::vietnam).bench_local_values(|cal| cal.is_working_day(date(2031, 6, 1)).map(|_| cal));
}
