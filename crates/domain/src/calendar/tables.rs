//! Precomputed per-year tables that make deadline arithmetic O(1) (working days) or
//! O(log 366) (office time): for each year, the session set of every day, the number of
//! working days and of office seconds before every day, and the list of working days.

use super::Session;
use super::schedule::Mark;
use std::sync::Arc;

pub(crate) const NANOS_PER_SEC: i64 = 1_000_000_000;

/// Office sessions of one kind of day, in seconds since local midnight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionSet {
    spans: Box<[(u32, u32)]>,
    /// Office seconds in the day.
    pub(crate) total: u32,
}

fn secs_of_day(t: jiff::civil::Time) -> u32 {
    // Hours, minutes and seconds are small non-negative values.
    (i32::from(t.hour()) * 3600 + i32::from(t.minute()) * 60 + i32::from(t.second())) as u32
}

impl SessionSet {
    pub(crate) fn new(sessions: &[Session]) -> Self {
        let spans: Box<[(u32, u32)]> = sessions.iter().map(|s| (secs_of_day(s.start()), secs_of_day(s.end()))).collect();
        let total = spans.iter().map(|(a, b)| b - a).sum();
        Self { spans, total }
    }

    pub(crate) fn is_open(&self) -> bool {
        self.total > 0
    }

    /// Start of the first session, in nanoseconds since midnight.
    pub(crate) fn first_start(&self) -> Option<i64> {
        self.spans.first().map(|(a, _)| i64::from(*a) * NANOS_PER_SEC)
    }

    /// End of the last session, in seconds since midnight.
    pub(crate) fn last_end_secs(&self) -> Option<u32> {
        self.spans.last().map(|(_, b)| *b)
    }

    /// Whether `nod` (nanoseconds since midnight) is within a session, both ends included,
    /// so that a deadline at 17:00 is itself a working instant.
    pub(crate) fn contains(&self, nod: i64) -> bool {
        self.spans.iter().any(|&(a, b)| nod >= i64::from(a) * NANOS_PER_SEC && nod <= i64::from(b) * NANOS_PER_SEC)
    }

    /// Start of the first session that begins after `nod`.
    pub(crate) fn next_start_after(&self, nod: i64) -> Option<i64> {
        self.spans.iter().map(|(a, _)| i64::from(*a) * NANOS_PER_SEC).find(|&a| a > nod)
    }

    /// Office nanoseconds of the day before `nod`.
    pub(crate) fn before(&self, nod: i64) -> i64 {
        self.spans
            .iter()
            .map(|&(a, b)| {
                let (a, b) = (i64::from(a) * NANOS_PER_SEC, i64::from(b) * NANOS_PER_SEC);
                (nod.min(b) - a).max(0)
            })
            .sum()
    }

    /// The instant `rem` office nanoseconds after the start of the day, for `rem` in
    /// `1..=total`; landing exactly on a session's end gives that end, not the next start.
    pub(crate) fn at_offset(&self, mut rem: i64) -> i64 {
        for &(a, b) in self.spans.iter() {
            let len = i64::from(b - a) * NANOS_PER_SEC;
            if rem <= len {
                return i64::from(a) * NANOS_PER_SEC + rem;
            }
            rem -= len;
        }
        self.spans.last().map_or(0, |&(_, b)| i64::from(b) * NANOS_PER_SEC)
    }
}

/// A special day as the calendar knows it: what it is, its name and its source document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DayNote {
    pub(crate) mark: Mark,
    pub(crate) label: Arc<str>,
    pub(crate) document: Option<Arc<str>>,
}

/// Session set ids: 0 = closed, 1..=7 = Monday..Sunday, 8 = make-up day.
pub(crate) const CLOSED: u8 = 0;
pub(crate) const MAKE_UP: u8 = 8;

/// The tables of one year.
#[derive(Debug, Clone)]
pub(crate) struct YearTable {
    /// Julian day number of 1 January.
    pub(crate) start: i32,
    /// Session set id of each day of the year.
    pub(crate) set: Box<[u8]>,
    /// Working days before each day of the year (one more entry than days).
    pub(crate) cum_work: Box<[u16]>,
    /// Day of the year of each working day, in order.
    pub(crate) work_days: Box<[u16]>,
    /// Office seconds before each day of the year (one more entry than days).
    pub(crate) cum_secs: Box<[u32]>,
    /// Special days, sorted by day of the year.
    pub(crate) notes: Box<[(u16, DayNote)]>,
}

impl YearTable {
    /// `notes` are the year's special days by day of the year; `sets` the session sets by id.
    pub(crate) fn build(start: i32, len: usize, mut notes: Vec<(u16, DayNote)>, sets: &[SessionSet]) -> Self {
        notes.sort_by_key(|(d, _)| *d);
        let mut set = vec![CLOSED; len];
        for (doy, s) in set.iter_mut().enumerate() {
            // Julian day numbers count Monday as 0 modulo 7.
            let weekday = (start + doy as i32).rem_euclid(7) as u8;
            *s = if sets[usize::from(1 + weekday)].is_open() { 1 + weekday } else { CLOSED };
        }
        for (doy, note) in &notes {
            set[usize::from(*doy)] = match note.mark {
                Mark::Off(_) => CLOSED,
                Mark::MakeUp => MAKE_UP,
            };
        }
        let mut cum_work = Vec::with_capacity(len + 1);
        let mut cum_secs = Vec::with_capacity(len + 1);
        let mut work_days = Vec::with_capacity(len);
        let (mut w, mut secs) = (0u16, 0u32);
        for (doy, &s) in set.iter().enumerate() {
            cum_work.push(w);
            cum_secs.push(secs);
            if s != CLOSED {
                work_days.push(doy as u16);
                w += 1;
                secs += sets[usize::from(s)].total;
            }
        }
        cum_work.push(w);
        cum_secs.push(secs);
        Self {
            start,
            set: set.into(),
            cum_work: cum_work.into(),
            work_days: work_days.into(),
            cum_secs: cum_secs.into(),
            notes: notes.into(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.set.len()
    }

    /// Office nanoseconds in the whole year.
    pub(crate) fn total_nanos(&self) -> i64 {
        i64::from(self.cum_secs[self.len()]) * NANOS_PER_SEC
    }

    pub(crate) fn note(&self, doy: usize) -> Option<&DayNote> {
        self.notes.binary_search_by_key(&(doy as u16), |(d, _)| *d).ok().map(|i| &self.notes[i].1)
    }
}
