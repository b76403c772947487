//! The working-day calendar (lịch làm việc) of an agency: office sessions per weekday,
//! statutory holidays, each year's official schedule of days off and make-up days, and the
//! deadline arithmetic built on them (`deadline`).
//!
//! Every decision is made in Vietnam's local time, UTC+7 with no daylight saving, through
//! a fixed offset (no time-zone database). Callers pass instants; nothing here reads a clock.
//!
//! Layers, from the bottom:
//! - national day kinds: Monday–Friday normal, Saturday/Sunday weekly rest, then either the
//!   year's official `Schedule` (authoritative for its year) or, for a year without one, the
//!   statutory `HolidayRules` with compensatory days; schedule entries that spill into a
//!   neighbouring year (30/12/2023 in the 2024 schedule) are laid over that year as well;
//! - the agency's `OfficeHours`: a normal day is worked if its weekday has sessions, a
//!   make-up day is worked with the make-up sessions, a day off is never worked.

mod deadline;
mod error;
mod rules;
mod schedule;
mod tables;

pub use deadline::{CheckUnit, CountingRules, Due, OutOfHours, TimeLimit, TimeUnit, Timeliness, check_step_budgets, classify};
pub use error::{CalendarError, ScheduleIssue};
pub use rules::{AdjacentDay, Holiday, HolidayKind, HolidayRules};
pub use schedule::{DaysOff, Document, MakeUpDay, Mark, OffReason, Schedule};

use crate::lunar::{FIRST_DATE, LAST_DATE, date_of_day_number, day_number, jd_from_date};
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{TimeZone, offset};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};
use tables::{CLOSED, DayNote, MAKE_UP, NANOS_PER_SEC, SessionSet, YearTable};

/// Version of the statutory rule set built into this code (bumped when the law changes:
/// 2026.1 added 24/11). Part of every calendar's `version()`.
pub const RULES_VERSION: &str = "vn-2026.1";

/// Vietnam's offset from UTC, in hours.
pub const UTC_OFFSET_HOURS: i8 = 7;
const OFFSET_SECS: i64 = UTC_OFFSET_HOURS as i64 * 3600;
const DAY_SECS: i64 = 86_400;
/// Julian day number of 1970-01-01.
const UNIX_EPOCH_JDN: i32 = 2_440_588;
const FIRST_YEAR: i32 = 1900;
const LAST_YEAR: i32 = 2199;

/// Law numbers cited for statutory days.
const LABOUR_CODE: &str = "45/2019/QH14";
const CULTURE_RESOLUTION: &str = "28/2026/QH16";

// ---------------------------------------------------------------------------------------
// Local time helpers.
// ---------------------------------------------------------------------------------------

/// Vietnam's time zone as a fixed offset (UTC+7).
pub fn vn_time_zone() -> TimeZone {
    TimeZone::fixed(offset(UTC_OFFSET_HOURS))
}

/// Local date and time in Vietnam of an instant. Never take the date from UTC: 06:00 in
/// Hà Nội is 23:00 UTC of the day before.
pub fn local_datetime(t: Timestamp) -> DateTime {
    t.to_zoned(vn_time_zone()).datetime()
}

/// Local date in Vietnam of an instant.
pub fn local_date(t: Timestamp) -> Date {
    local_datetime(t).date()
}

/// Local date in Vietnam of an instant in epoch milliseconds (out of range = the epoch).
pub fn local_date_ms(ms: i64) -> Date {
    local_date(Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH))
}

/// The instant of a local date and time in Vietnam.
pub fn at_local(d: Date, t: Time) -> Result<Timestamp, CalendarError> {
    d.to_datetime(t)
        .to_zoned(vn_time_zone())
        .map(|z| z.timestamp())
        .map_err(|_| CalendarError::DateOutOfRange { value: format!("{d} {t}") })
}

/// A civil date from numbers, with a clear error for "31 February".
pub fn civil_date(year: i32, month: i32, day: i32) -> Result<Date, CalendarError> {
    let invalid = CalendarError::InvalidDate { year, month, day };
    let (Ok(y), Ok(m), Ok(d)) = (i16::try_from(year), i8::try_from(month), i8::try_from(day)) else {
        return Err(invalid);
    };
    Date::new(y, m, d).map_err(|_| invalid)
}

/// Parses `YYYY-MM-DD` strictly (four-digit year, two-digit month and day).
pub fn parse_date(s: &str) -> Result<Date, CalendarError> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return Err(CalendarError::DateFormat { input: s.to_string() });
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<i32>().unwrap_or(0);
    civil_date(num(0..4), num(5..7), num(8..10))
}

/// Parses `HH:MM` or `HH:MM:SS` (24-hour clock).
pub fn parse_time(s: &str) -> Result<Time, CalendarError> {
    let bad = || CalendarError::TimeFormat { input: s.to_string() };
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.len() != 2 || !p.bytes().all(|c| c.is_ascii_digit())) {
        return Err(bad());
    }
    let n = |i: usize| parts.get(i).map_or(Ok(0), |p| p.parse::<i8>().map_err(|_| bad()));
    Time::new(n(0)?, n(1)?, n(2)?, 0).map_err(|_| bad())
}

/// A point in Vietnam local time: Julian day number and nanoseconds since local midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Local {
    jdn: i32,
    nod: i64,
}

fn to_local(t: Timestamp) -> Local {
    let mut secs = t.as_second() + OFFSET_SECS;
    let mut nanos = i64::from(t.subsec_nanosecond());
    if nanos < 0 {
        secs -= 1;
        nanos += NANOS_PER_SEC;
    }
    // Timestamps span about ±10,000 years, so the day number fits an i32.
    let jdn = (secs.div_euclid(DAY_SECS) + i64::from(UNIX_EPOCH_JDN)) as i32;
    Local { jdn, nod: secs.rem_euclid(DAY_SECS) * NANOS_PER_SEC + nanos }
}

fn from_local(l: Local) -> Result<Timestamp, CalendarError> {
    let secs = i64::from(l.jdn - UNIX_EPOCH_JDN) * DAY_SECS + l.nod.div_euclid(NANOS_PER_SEC) - OFFSET_SECS;
    Timestamp::new(secs, l.nod.rem_euclid(NANOS_PER_SEC) as i32)
        .map_err(|_| CalendarError::DateOutOfRange { value: format!("day {}", l.jdn) })
}

// ---------------------------------------------------------------------------------------
// Office hours.
// ---------------------------------------------------------------------------------------

/// One office session, `start..=end` local time, e.g. `07:30-11:30`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Session {
    start: Time,
    end: Time,
}

impl Session {
    pub fn new(start: Time, end: Time) -> Result<Self, CalendarError> {
        if start.subsec_nanosecond() != 0 || end.subsec_nanosecond() != 0 {
            return Err(CalendarError::SubsecondSession);
        }
        if start >= end {
            return Err(CalendarError::EmptySession { day: "", start: start.to_string(), end: end.to_string() });
        }
        Ok(Self { start, end })
    }

    /// Parses `HH:MM-HH:MM`.
    pub fn parse(s: &str) -> Result<Self, CalendarError> {
        let (a, b) = s.split_once('-').ok_or_else(|| CalendarError::TimeFormat { input: s.to_string() })?;
        Self::new(parse_time(a.trim())?, parse_time(b.trim())?)
    }

    pub fn start(&self) -> Time {
        self.start
    }

    pub fn end(&self) -> Time {
        self.end
    }

    pub fn duration(&self) -> SignedDuration {
        self.end.duration_since(self.start)
    }
}

impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hm = |t: Time| {
            if t.second() == 0 {
                format!("{:02}:{:02}", t.hour(), t.minute())
            } else {
                format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
            }
        };
        write!(f, "{}-{}", hm(self.start), hm(self.end))
    }
}

impl TryFrom<String> for Session {
    type Error = CalendarError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Session> for String {
    fn from(s: Session) -> String {
        s.to_string()
    }
}

const WEEKDAY_CODES: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

fn weekday_index(w: Weekday) -> usize {
    // Monday = 0 .. Sunday = 6.
    w.to_monday_zero_offset() as usize
}

/// An agency's office sessions per weekday and on make-up days (làm bù).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "OfficeHoursSpec", into = "OfficeHoursSpec")]
pub struct OfficeHours {
    /// Monday first.
    week: [Vec<Session>; 7],
    make_up: Vec<Session>,
}

/// The serialised form of `OfficeHours`, validated on the way in.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeHoursSpec {
    #[serde(default)]
    pub monday: Vec<Session>,
    #[serde(default)]
    pub tuesday: Vec<Session>,
    #[serde(default)]
    pub wednesday: Vec<Session>,
    #[serde(default)]
    pub thursday: Vec<Session>,
    #[serde(default)]
    pub friday: Vec<Session>,
    #[serde(default)]
    pub saturday: Vec<Session>,
    #[serde(default)]
    pub sunday: Vec<Session>,
    pub make_up: Vec<Session>,
}

impl TryFrom<OfficeHoursSpec> for OfficeHours {
    type Error = CalendarError;
    fn try_from(s: OfficeHoursSpec) -> Result<Self, Self::Error> {
        OfficeHours::new([s.monday, s.tuesday, s.wednesday, s.thursday, s.friday, s.saturday, s.sunday], s.make_up)
    }
}

impl From<OfficeHours> for OfficeHoursSpec {
    fn from(h: OfficeHours) -> Self {
        let [monday, tuesday, wednesday, thursday, friday, saturday, sunday] = h.week;
        Self { monday, tuesday, wednesday, thursday, friday, saturday, sunday, make_up: h.make_up }
    }
}

fn check_sessions(day: &'static str, sessions: &[Session]) -> Result<(), CalendarError> {
    for s in sessions {
        if s.start >= s.end {
            return Err(CalendarError::EmptySession { day, start: s.start.to_string(), end: s.end.to_string() });
        }
    }
    if sessions.windows(2).any(|w| w[0].end > w[1].start) {
        return Err(CalendarError::OverlappingSessions { day });
    }
    Ok(())
}

impl OfficeHours {
    /// State agencies: Monday–Friday 07:30–11:30 and 13:30–17:00; make-up days the same.
    pub fn standard() -> Self {
        let day = vec![
            Session { start: Time::constant(7, 30, 0, 0), end: Time::constant(11, 30, 0, 0) },
            Session { start: Time::constant(13, 30, 0, 0), end: Time::constant(17, 0, 0, 0) },
        ];
        let mut week: [Vec<Session>; 7] = Default::default();
        for d in week.iter_mut().take(5) {
            *d = day.clone();
        }
        Self { week, make_up: day }
    }

    /// Sessions must be in order, not overlap, and end after they start; at least one
    /// weekday must be worked and make-up days need sessions.
    pub fn new(week: [Vec<Session>; 7], make_up: Vec<Session>) -> Result<Self, CalendarError> {
        for (code, sessions) in WEEKDAY_CODES.iter().zip(&week) {
            check_sessions(code, sessions)?;
        }
        check_sessions("make_up", &make_up)?;
        if week.iter().all(Vec::is_empty) {
            return Err(CalendarError::NoWorkingWeekday);
        }
        if make_up.is_empty() {
            return Err(CalendarError::NoMakeUpSessions);
        }
        Ok(Self { week, make_up })
    }

    /// The same hours with `day` changed (e.g. a service centre open Saturday mornings).
    pub fn with_day(mut self, day: Weekday, sessions: Vec<Session>) -> Result<Self, CalendarError> {
        self.week[weekday_index(day)] = sessions;
        Self::new(self.week, self.make_up)
    }

    /// The same hours with the make-up-day sessions changed.
    pub fn with_make_up(self, sessions: Vec<Session>) -> Result<Self, CalendarError> {
        Self::new(self.week, sessions)
    }

    pub fn day(&self, day: Weekday) -> &[Session] {
        &self.week[weekday_index(day)]
    }

    pub fn make_up(&self) -> &[Session] {
        &self.make_up
    }

    /// The hours legal time limits run on: the state working week, Monday to Friday
    /// (QĐ 188/1999/QĐ-TTg; spec §d.1 rule 1), with this agency's weekday sessions and
    /// make-up days. A centre's Saturday or Sunday sessions are dropped: they govern only
    /// when it receives and returns dossiers, never a citizen's legal deadline. An agency
    /// without weekday sessions falls back to the standard hours.
    pub fn state_week(&self) -> OfficeHours {
        let mut week = self.week.clone();
        week[weekday_index(Weekday::Saturday)].clear();
        week[weekday_index(Weekday::Sunday)].clear();
        Self::new(week, self.make_up.clone()).unwrap_or_else(|_| Self::standard())
    }

    /// Office time of a full working day (the make-up sessions), used to compare hours
    /// with working days in step budgets.
    pub fn office_day(&self) -> SignedDuration {
        self.make_up.iter().map(Session::duration).sum()
    }

    fn fingerprint(&self) -> String {
        let list = |s: &[Session]| s.iter().map(Session::to_string).collect::<Vec<_>>().join(",");
        let mut out: Vec<String> = WEEKDAY_CODES.iter().zip(&self.week).map(|(c, s)| format!("{c}={}", list(s))).collect();
        out.push(format!("make_up={}", list(&self.make_up)));
        out.join(";")
    }
}

impl Default for OfficeHours {
    fn default() -> Self {
        Self::standard()
    }
}

// ---------------------------------------------------------------------------------------
// The calendar.
// ---------------------------------------------------------------------------------------

/// What a day is for an agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "reason")]
pub enum DayKind {
    /// A normal working day.
    Working,
    /// A weekly rest day worked to make up for a swapped day (làm bù).
    MakeUp,
    /// A day without office sessions in the agency's week (for state agencies: Saturday, Sunday).
    WeeklyRest,
    /// A day off given by the schedule or the statutory rules.
    Off(OffReason),
}

/// One day of the calendar, for display and checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayInfo {
    pub date: Date,
    pub kind: DayKind,
    pub working: bool,
    /// Name of the holiday or make-up day, if it is one.
    pub label: Option<String>,
    /// Number of the document behind a special day (its title when no number is recorded).
    pub document: Option<String>,
    pub sessions: Vec<Session>,
}

/// Builds a `WorkCalendar`; starts from the standard office hours, the default statutory
/// rules and the shipped schedules.
#[derive(Debug, Clone)]
pub struct WorkCalendarBuilder {
    hours: OfficeHours,
    rules: HolidayRules,
    schedules: BTreeMap<i32, Schedule>,
}

impl WorkCalendarBuilder {
    pub fn office_hours(mut self, hours: OfficeHours) -> Self {
        self.hours = hours;
        self
    }

    pub fn holiday_rules(mut self, rules: HolidayRules) -> Self {
        self.rules = rules;
        self
    }

    /// Adds a year's schedule, replacing any other schedule of the same year.
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedules.insert(schedule.year, schedule);
        self
    }

    /// Drops every schedule: statutory rules only.
    pub fn without_schedules(mut self) -> Self {
        self.schedules.clear();
        self
    }

    /// Checks the schedules (each must give the year's fixed statutory holidays off, and two
    /// schedules must not disagree about a date) and prepares the lazy year tables.
    pub fn build(self) -> Result<WorkCalendar, CalendarError> {
        let mut overrides: BTreeMap<i32, (i32, DayNote)> = BTreeMap::new();
        for s in self.schedules.values() {
            s.validate()?;
            let marks = s.marks();
            for h in self.rules.holidays(s.year)?.iter().filter(|h| h.fixed) {
                if !marks.iter().any(|(d, m, ..)| *d == h.date && matches!(m, Mark::Off(_))) {
                    return Err(CalendarError::ScheduleMissingHoliday {
                        year: s.year,
                        date: h.date,
                        holiday: h.kind.name_vi().to_string(),
                    });
                }
            }
            for (d, mark, label, key) in marks {
                let document = s.document(key).map(|doc| Arc::from(doc.number.as_deref().unwrap_or(&doc.title)));
                let note = DayNote { mark, label: Arc::from(label), document };
                let jdn = day_number(d);
                match overrides.get(&jdn) {
                    None => {
                        overrides.insert(jdn, (s.year, note));
                    }
                    Some((other, prev)) => {
                        let same_kind =
                            matches!((prev.mark, note.mark), (Mark::Off(_), Mark::Off(_)) | (Mark::MakeUp, Mark::MakeUp));
                        if !same_kind {
                            return Err(CalendarError::ScheduleConflict { date: d, first_year: *other, second_year: s.year });
                        }
                        // Both give the day off: keep the words of the date's own year.
                        if i32::from(d.year()) == s.year {
                            overrides.insert(jdn, (s.year, note));
                        }
                    }
                }
            }
        }
        let mut sets = vec![SessionSet::new(&[])];
        sets.extend(self.hours.week.iter().map(|s| SessionSet::new(s)));
        sets.push(SessionSet::new(&self.hours.make_up));
        let year_start: Box<[i32]> = (FIRST_YEAR..=LAST_YEAR + 1).map(|y| jd_from_date(1, 1, y)).collect();
        let years = (FIRST_YEAR..=LAST_YEAR).map(|_| OnceLock::new()).collect();
        let version = version(&self.rules, &self.hours, &self.schedules);
        Ok(WorkCalendar {
            hours: self.hours,
            rules: self.rules,
            schedules: self.schedules,
            overrides: overrides.into_iter().map(|(k, (_, n))| (k, n)).collect(),
            sets: sets.into(),
            year_start,
            years,
            version,
        })
    }
}

fn version(rules: &HolidayRules, hours: &OfficeHours, schedules: &BTreeMap<i32, Schedule>) -> String {
    let mut hash = Sha256::new();
    hash.update(RULES_VERSION);
    hash.update("\n");
    hash.update(rules.fingerprint());
    hash.update("\n");
    hash.update(hours.fingerprint());
    for s in schedules.values() {
        hash.update("\n");
        hash.update(s.to_text());
    }
    let digest = hash.finalize();
    let years = if schedules.is_empty() {
        "statutory".to_string()
    } else {
        schedules.values().map(Schedule::tag).collect::<Vec<_>>().join(",")
    };
    format!("{RULES_VERSION}+{years}@{}", hex::encode(&digest[..6]))
}

/// The working-day calendar of an agency, 1900-01-01..=2199-12-31. Cheap to share
/// (`Arc`) and `Sync`: each year's tables are built on first use.
#[derive(Clone)]
pub struct WorkCalendar {
    hours: OfficeHours,
    rules: HolidayRules,
    schedules: BTreeMap<i32, Schedule>,
    /// Every date given by a schedule, by Julian day number.
    overrides: BTreeMap<i32, DayNote>,
    /// Session sets by id (see `tables`).
    sets: Box<[SessionSet]>,
    /// Julian day number of 1 January of each year, and of the year after the last.
    year_start: Box<[i32]>,
    years: Box<[OnceLock<YearTable>]>,
    version: String,
}

impl fmt::Debug for WorkCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkCalendar").field("version", &self.version).field("hours", &self.hours).finish_non_exhaustive()
    }
}

impl WorkCalendar {
    /// State-agency calendar: standard office hours, statutory rules, shipped schedules.
    ///
    /// # Panics
    /// Never in a tested build: the shipped schedules are checked by the unit tests.
    pub fn vietnam() -> Self {
        Self::builder().build().unwrap_or_else(|e| panic!("shipped calendar data: {e}"))
    }

    pub fn builder() -> WorkCalendarBuilder {
        WorkCalendarBuilder {
            hours: OfficeHours::standard(),
            rules: HolidayRules::default(),
            schedules: Schedule::shipped().into_iter().map(|s| (s.year, s)).collect(),
        }
    }

    /// Identifies the calendar data (rules, office hours, schedules and their revisions),
    /// e.g. `vn-2026.1+2024,2025,2026@3f9a1c0b7d2e`. Record it with every deadline.
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn office_hours(&self) -> &OfficeHours {
        &self.hours
    }

    pub fn holiday_rules(&self) -> &HolidayRules {
        &self.rules
    }

    pub fn schedules(&self) -> impl Iterator<Item = &Schedule> {
        self.schedules.values()
    }

    fn out_of_range(value: impl fmt::Display) -> CalendarError {
        CalendarError::DateOutOfRange { value: value.to_string() }
    }

    /// Year index and day of the year of a Julian day number.
    #[inline]
    fn locate(&self, jdn: i32) -> Result<(usize, usize), CalendarError> {
        let first = self.year_start[0];
        let end = self.year_start[self.year_start.len() - 1];
        if jdn < first || jdn >= end {
            return Err(match date_of_day_number(jdn) {
                Some(d) => Self::out_of_range(d),
                None => Self::out_of_range(format!("day {jdn}")),
            });
        }
        // Estimate with the mean Gregorian year, then correct by at most one.
        let mut y = ((i64::from(jdn - first) * 400) / 146_097) as usize;
        y = y.min(self.years.len() - 1);
        if jdn < self.year_start[y] {
            y -= 1;
        } else if jdn >= self.year_start[y + 1] {
            y += 1;
        }
        Ok((y, (jdn - self.year_start[y]) as usize))
    }

    #[inline]
    fn table(&self, y: usize) -> &YearTable {
        self.years[y].get_or_init(|| self.build_year(y))
    }

    fn build_year(&self, y: usize) -> YearTable {
        let year = FIRST_YEAR + y as i32;
        let start = self.year_start[y];
        let len = (self.year_start[y + 1] - start) as usize;
        let mut notes: BTreeMap<u16, DayNote> = BTreeMap::new();
        if !self.schedules.contains_key(&year) {
            // Lunar dates of every year in range exist (tested), so this cannot fail.
            let days = self.rules.days_off(year).unwrap_or_else(|e| panic!("statutory days of {year}: {e}"));
            for (d, reason, kind) in days {
                let label = match reason {
                    OffReason::Compensatory => format!("Nghỉ bù {}", kind.name_vi()),
                    _ => kind.name_vi().to_string(),
                };
                let law = if kind == HolidayKind::CultureDay { CULTURE_RESOLUTION } else { LABOUR_CODE };
                let doy = (day_number(d) - start) as u16;
                notes.insert(doy, DayNote { mark: Mark::Off(reason), label: label.into(), document: Some(law.into()) });
            }
        }
        for (jdn, note) in self.overrides.range(start..start + len as i32) {
            notes.insert((jdn - start) as u16, note.clone());
        }
        YearTable::build(start, len, notes.into_iter().collect(), &self.sets)
    }

    #[inline]
    fn set_of(&self, jdn: i32) -> Result<&SessionSet, CalendarError> {
        let (y, doy) = self.locate(jdn)?;
        Ok(&self.sets[usize::from(self.table(y).set[doy])])
    }

    /// The `idx`-th working day (0-based) counted from the start of year `y`.
    #[inline]
    fn working_day_from(&self, mut y: usize, idx: u64) -> Result<i32, CalendarError> {
        let mut idx = idx;
        loop {
            let t = self.table(y);
            let n = t.work_days.len() as u64;
            if idx < n {
                return Ok(t.start + i32::from(t.work_days[idx as usize]));
            }
            idx -= n;
            y += 1;
            if y >= self.years.len() {
                return Err(Self::out_of_range("the working day after 2199-12-31"));
            }
        }
    }

    /// The `n`-th working day strictly after day `jdn` (n ≥ 1).
    #[inline]
    fn nth_working_after(&self, jdn: i32, n: u32) -> Result<i32, CalendarError> {
        let (y, doy) = self.locate(jdn)?;
        let before = u64::from(self.table(y).cum_work[doy + 1]);
        self.working_day_from(y, before + u64::from(n) - 1)
    }

    /// The first working day on or after day `jdn`.
    #[inline]
    fn working_on_or_after(&self, jdn: i32) -> Result<i32, CalendarError> {
        let (y, doy) = self.locate(jdn)?;
        self.working_day_from(y, u64::from(self.table(y).cum_work[doy]))
    }

    /// End of office hours of a working day.
    #[inline]
    fn end_of_day(&self, jdn: i32) -> Result<Timestamp, CalendarError> {
        let end = self.set_of(jdn)?.last_end_secs().ok_or_else(|| Self::out_of_range(format!("day {jdn}")))?;
        from_local(Local { jdn, nod: i64::from(end) * NANOS_PER_SEC })
    }

    /// Start of office hours of the first working day after `jdn`.
    fn start_of_next_working_day(&self, jdn: i32) -> Result<Local, CalendarError> {
        let next = self.nth_working_after(jdn, 1)?;
        let start = self.set_of(next)?.first_start().unwrap_or(0);
        Ok(Local { jdn: next, nod: start })
    }

    fn local_in_range(&self, t: Timestamp) -> Result<Local, CalendarError> {
        let l = to_local(t);
        self.locate(l.jdn)?;
        Ok(l)
    }

    fn is_working_local(&self, l: Local) -> Result<bool, CalendarError> {
        Ok(self.set_of(l.jdn)?.contains(l.nod))
    }

    /// The first working instant at or after `l`.
    fn next_working_local(&self, l: Local) -> Result<Local, CalendarError> {
        let set = self.set_of(l.jdn)?;
        if set.contains(l.nod) {
            return Ok(l);
        }
        match set.next_start_after(l.nod) {
            Some(nod) => Ok(Local { jdn: l.jdn, nod }),
            None => self.start_of_next_working_day(l.jdn),
        }
    }

    /// Office nanoseconds from the start of its year to `l`.
    fn office_before(&self, y: usize, doy: usize, nod: i64) -> i64 {
        let t = self.table(y);
        i64::from(t.cum_secs[doy]) * NANOS_PER_SEC + self.sets[usize::from(t.set[doy])].before(nod)
    }

    /// Office nanoseconds in `[a, b]`, `a <= b`.
    fn office_between(&self, a: Local, b: Local) -> Result<i64, CalendarError> {
        let (ya, da) = self.locate(a.jdn)?;
        let (yb, db) = self.locate(b.jdn)?;
        let wa = self.office_before(ya, da, a.nod);
        let wb = self.office_before(yb, db, b.nod);
        let whole: i64 = (ya..yb).map(|y| self.table(y).total_nanos()).sum();
        Ok(whole + wb - wa)
    }

    /// The instant `d` office nanoseconds after `l` (`d > 0`).
    fn add_office(&self, l: Local, d: i64) -> Result<Local, CalendarError> {
        let (mut y, doy) = self.locate(l.jdn)?;
        // Saturating: an absurd duration runs off the end of the range and is reported there.
        let mut target = self.office_before(y, doy, l.nod).saturating_add(d);
        loop {
            let t = self.table(y);
            let total = t.total_nanos();
            if target <= total {
                let i = t.cum_secs[1..].partition_point(|&c| i64::from(c) * NANOS_PER_SEC < target);
                let rem = target - i64::from(t.cum_secs[i]) * NANOS_PER_SEC;
                let nod = self.sets[usize::from(t.set[i])].at_offset(rem);
                return Ok(Local { jdn: t.start + i as i32, nod });
            }
            target -= total;
            y += 1;
            if y >= self.years.len() {
                return Err(Self::out_of_range("office time beyond 2199-12-31"));
            }
        }
    }

    // ---- public queries -------------------------------------------------------------

    pub fn is_working_day(&self, d: Date) -> Result<bool, CalendarError> {
        Ok(self.set_of(day_number(d))?.is_open())
    }

    /// The working day after `d`.
    pub fn next_working_day(&self, d: Date) -> Result<Date, CalendarError> {
        self.add_working_days(d, 1)
    }

    /// The `n`-th working day after `d` (`n = 0`: `d` itself if it is a working day, else the
    /// next one).
    pub fn add_working_days(&self, d: Date, n: u32) -> Result<Date, CalendarError> {
        let jdn = day_number(d);
        let out = if n == 0 { self.working_on_or_after(jdn)? } else { self.nth_working_after(jdn, n)? };
        date_of_day_number(out).ok_or_else(|| Self::out_of_range(d))
    }

    /// Number of working days in `(from, to]` (0 if `to <= from`).
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<u32, CalendarError> {
        let (ya, da) = self.locate(day_number(from))?;
        let (yb, db) = self.locate(day_number(to))?;
        if to <= from {
            return Ok(0);
        }
        // Working days up to and including each end, counted from the start of `from`'s year.
        let whole: u64 = (ya..yb).map(|y| self.table(y).work_days.len() as u64).sum();
        let upto_b = whole + u64::from(self.table(yb).cum_work[db + 1]);
        let upto_a = u64::from(self.table(ya).cum_work[da + 1]);
        u32::try_from(upto_b - upto_a).map_err(|_| Self::out_of_range(to))
    }

    /// Whether `t` falls within an office session (both ends included).
    pub fn is_working_instant(&self, t: Timestamp) -> Result<bool, CalendarError> {
        let l = self.local_in_range(t)?;
        self.is_working_local(l)
    }

    /// The first working instant at or after `t`.
    pub fn next_working_instant(&self, t: Timestamp) -> Result<Timestamp, CalendarError> {
        let l = self.local_in_range(t)?;
        from_local(self.next_working_local(l)?)
    }

    /// End of office hours of `d`, if it is a working day.
    pub fn end_of_office(&self, d: Date) -> Result<Option<Timestamp>, CalendarError> {
        let jdn = day_number(d);
        if !self.set_of(jdn)?.is_open() {
            return Ok(None);
        }
        self.end_of_day(jdn).map(Some)
    }

    /// The instant after `d` of office time counted from `t`. Zero returns `t` unchanged.
    pub fn add_working_time(&self, t: Timestamp, d: SignedDuration) -> Result<Timestamp, CalendarError> {
        if d.is_negative() {
            return Err(CalendarError::NegativeDuration);
        }
        let l = self.local_in_range(t)?;
        if d.is_zero() {
            return Ok(t);
        }
        let nanos = i64::try_from(d.as_nanos()).map_err(|_| Self::out_of_range("office time beyond 2199-12-31"))?;
        from_local(self.add_office(l, nanos)?)
    }

    /// Office time between two instants, minus the office time of the pauses (clock stopped
    /// while waiting for the applicant). Pauses may overlap each other or reach outside
    /// `from..to`; only their part inside counts, once. Negative if `to < from`.
    pub fn elapsed_working(
        &self,
        from: Timestamp,
        to: Timestamp,
        pauses: &[(Timestamp, Timestamp)],
    ) -> Result<SignedDuration, CalendarError> {
        if to < from {
            return self.elapsed_working(to, from, pauses).map(|d| -d);
        }
        let (a, b) = (self.local_in_range(from)?, self.local_in_range(to)?);
        let mut total = self.office_between(a, b)?;
        let mut clipped: Vec<(Timestamp, Timestamp)> =
            pauses.iter().map(|&(s, e)| (s.max(from), e.min(to))).filter(|(s, e)| s < e).collect();
        clipped.sort();
        let mut merged: Vec<(Timestamp, Timestamp)> = Vec::with_capacity(clipped.len());
        for (s, e) in clipped {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        for (s, e) in merged {
            total -= self.office_between(to_local(s), to_local(e))?;
        }
        Ok(SignedDuration::from_nanos(total))
    }

    /// What `d` is for this agency.
    pub fn day(&self, d: Date) -> Result<DayInfo, CalendarError> {
        let jdn = day_number(d);
        let (y, doy) = self.locate(jdn)?;
        let t = self.table(y);
        let set_id = t.set[doy];
        let note = t.note(doy);
        let kind = match (note.map(|n| n.mark), set_id) {
            (Some(Mark::Off(r)), _) => DayKind::Off(r),
            (Some(Mark::MakeUp), _) => DayKind::MakeUp,
            (None, CLOSED) => DayKind::WeeklyRest,
            (None, _) => DayKind::Working,
        };
        let sessions = match set_id {
            CLOSED => Vec::new(),
            MAKE_UP => self.hours.make_up.clone(),
            _ => self.hours.day(d.weekday()).to_vec(),
        };
        Ok(DayInfo {
            date: d,
            kind,
            working: set_id != CLOSED,
            label: note.map(|n| n.label.to_string()),
            document: note.and_then(|n| n.document.as_ref().map(|s| s.to_string())),
            sessions,
        })
    }

    /// The special days (holidays, days off, make-up days) of a solar year.
    pub fn special_days(&self, year: i32) -> Result<Vec<DayInfo>, CalendarError> {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return Err(Self::out_of_range(year));
        }
        let t = self.table((year - FIRST_YEAR) as usize);
        t.notes
            .iter()
            .map(|(doy, _)| {
                let d = date_of_day_number(t.start + i32::from(*doy)).ok_or_else(|| Self::out_of_range(year))?;
                self.day(d)
            })
            .collect()
    }

    /// First and last supported dates.
    pub fn range(&self) -> (Date, Date) {
        (FIRST_DATE, LAST_DATE)
    }
}

#[cfg(test)]
mod tests;
