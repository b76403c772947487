//! Deadlines: when a time limit counted from a reception instant expires, how much working
//! time has elapsed, and whether a dossier finished early, on time or late.
//!
//! Counting (spec §d.1 rule 4, Civil Code 2015 arts. 147–148, configurable per procedure):
//! - the reception instant is first adjusted by the `CountingRules`: an out-of-hours filing
//!   may count from the next working instant, and a filing after the same-day cut-off counts
//!   from the start of the next working day;
//! - `N working days`: the end of office hours of the N-th working day after the reception
//!   day;
//! - `N days` (calendar days) and `N months`: the end of office hours of the day N days or
//!   months after the reception day (a missing day, 31 → 30 April, takes the month's last
//!   day), moved to the next working day if that day is not one;
//! - `N hours`: N hours of office time after the reception instant;
//! - value 0 in any unit means "within the day" (trong ngày): the end of office hours of the
//!   reception day, or of the next working day if the reception day is not one or if the
//!   dossier was received after that day's last session (never a deadline before the
//!   reception itself).

use super::{CalendarError, Local, NANOS_PER_SEC, WorkCalendar, from_local, local_date, to_local};
use crate::lunar::{date_of_day_number, day_number};
use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The unit of a time limit. Codes: `hours`/`gio`, `days`/`ngay`,
/// `working_days`/`ngay_lam_viec`, `months`/`thang` (serialised as the English code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Office hours (giờ làm việc).
    #[serde(alias = "gio")]
    Hours,
    /// Calendar days (ngày).
    #[serde(alias = "ngay")]
    Days,
    /// Working days (ngày làm việc).
    #[serde(alias = "ngay_lam_viec")]
    WorkingDays,
    /// Calendar months (tháng).
    #[serde(alias = "thang")]
    Months,
}

impl TimeUnit {
    pub const ALL: [TimeUnit; 4] = [Self::Hours, Self::Days, Self::WorkingDays, Self::Months];

    pub fn code(self) -> &'static str {
        match self {
            Self::Hours => "hours",
            Self::Days => "days",
            Self::WorkingDays => "working_days",
            Self::Months => "months",
        }
    }

    pub fn code_vi(self) -> &'static str {
        match self {
            Self::Hours => "gio",
            Self::Days => "ngay",
            Self::WorkingDays => "ngay_lam_viec",
            Self::Months => "thang",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Hours => "giờ làm việc",
            Self::Days => "ngày",
            Self::WorkingDays => "ngày làm việc",
            Self::Months => "tháng",
        }
    }

    /// Accepts the English or the Vietnamese code.
    pub fn parse(code: &str) -> Result<Self, CalendarError> {
        Self::ALL
            .into_iter()
            .find(|u| u.code() == code || u.code_vi() == code)
            .ok_or_else(|| CalendarError::UnknownTimeUnit { unit: code.to_string() })
    }
}

/// A time limit of a procedure or of one step of its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TimeLimit {
    pub value: u32,
    pub unit: TimeUnit,
}

impl TimeLimit {
    /// "Within the day" (trong ngày).
    pub const WITHIN_DAY: TimeLimit = TimeLimit { value: 0, unit: TimeUnit::WorkingDays };

    /// For people, in Vietnamese ("10 ngày làm việc", "Trong ngày").
    pub fn label_vi(self) -> String {
        if self == Self::WITHIN_DAY { "Trong ngày".into() } else { format!("{} {}", self.value, self.unit.label_vi()) }
    }

    pub const fn working_days(value: u32) -> Self {
        Self { value, unit: TimeUnit::WorkingDays }
    }

    pub const fn days(value: u32) -> Self {
        Self { value, unit: TimeUnit::Days }
    }

    pub const fn hours(value: u32) -> Self {
        Self { value, unit: TimeUnit::Hours }
    }

    pub const fn months(value: u32) -> Self {
        Self { value, unit: TimeUnit::Months }
    }

    /// From an untrusted number: negative values and values beyond `u32` are refused.
    pub fn new(value: i64, unit: TimeUnit) -> Result<Self, CalendarError> {
        if value < 0 {
            return Err(CalendarError::NegativeLimit { value });
        }
        let value = u32::try_from(value).map_err(|_| CalendarError::LimitTooLarge { value })?;
        Ok(Self { value, unit })
    }

    /// From a number and a unit code (`"ngay_lam_viec"`, `"working_days"`, ...).
    pub fn from_parts(value: i64, unit: &str) -> Result<Self, CalendarError> {
        let unit = TimeUnit::parse(unit)?;
        Self::new(value, unit)
    }

    pub fn is_within_day(&self) -> bool {
        self.value == 0
    }

    /// "15 ngày làm việc".
    pub fn describe_vi(&self) -> String {
        if self.is_within_day() { "trong ngày".to_string() } else { format!("{} {}", self.value, self.unit.label_vi()) }
    }
}

impl fmt::Display for TimeLimit {
    /// `15 working_days`, the form `FromStr` reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.unit.code())
    }
}

impl FromStr for TimeLimit {
    type Err = CalendarError;

    /// `"<integer> <unit code>"`, e.g. `"15 ngay_lam_viec"` or `"8 hours"`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || CalendarError::TimeLimitFormat { input: s.to_string() };
        let mut parts = s.split_whitespace();
        let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let value: i64 = value.parse().map_err(|_| bad())?;
        Self::from_parts(value, unit)
    }
}

/// What to do with a filing made outside office hours or on a non-working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutOfHours {
    /// Count from the filing itself (its day is the reception day).
    #[default]
    AsFiled,
    /// Treat it as received at the next working instant: the opening of the next session,
    /// which is the next working day's opening after hours (spec §d.1 rule 6).
    NextWorkingInstant,
}

/// The unit of the check service level of an online dossier (`WorkCalendar::check_due`):
/// working days or office hours, the two units counted in office time. Codes:
/// `working_days`/`ngay_lam_viec`, `hours`/`gio` (serialised as the English code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckUnit {
    #[serde(alias = "ngay_lam_viec")]
    WorkingDays,
    #[serde(alias = "gio")]
    Hours,
}

impl CheckUnit {
    pub fn code(self) -> &'static str {
        match self {
            Self::WorkingDays => "working_days",
            Self::Hours => "hours",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::WorkingDays => "ngày làm việc",
            Self::Hours => "giờ làm việc",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::WorkingDays => "working days",
            Self::Hours => "office hours",
        }
    }
}

/// How a procedure counts its time limit from the reception instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct CountingRules {
    /// Received on a working day after this local time (strictly after), the dossier counts
    /// as received at the start of the next working day. Typically 15:00 for same-day
    /// procedures.
    pub same_day_cutoff: Option<Time>,
    pub out_of_hours: OutOfHours,
}

impl CountingRules {
    /// Same-day procedures: "within the day; if received after 15:00, the next working day".
    pub const fn cutoff_15h() -> Self {
        Self { same_day_cutoff: Some(Time::constant(15, 0, 0, 0)), out_of_hours: OutOfHours::AsFiled }
    }

    /// Online filings counted from the next working instant when filed out of hours.
    pub const fn online() -> Self {
        Self { same_day_cutoff: None, out_of_hours: OutOfHours::NextWorkingInstant }
    }
}

/// A computed deadline, with the calendar data it was computed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    /// The deadline: always a working instant (usually the end of office hours).
    pub at: Timestamp,
    /// The reception instant after the counting rules (cut-off, out-of-hours filing).
    pub counted_from: Timestamp,
    /// `WorkCalendar::version()` of the calendar used.
    pub calendar_version: String,
}

/// How a finished dossier compares with its deadline (766 indicator "đúng hạn").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// Finished on a local day before the due day (trước hạn).
    Early,
    /// Finished on the due day, no later than the due instant (đúng hạn).
    OnTime,
    /// Finished after the due instant (quá hạn).
    Late,
}

impl Timeliness {
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Early => "Trước hạn",
            Self::OnTime => "Đúng hạn",
            Self::Late => "Quá hạn",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Early => "Early",
            Self::OnTime => "On time",
            Self::Late => "Late",
        }
    }
}

/// Early if finished on a local (UTC+7) date before the due date; on time if finished on
/// the due date up to and including the due instant; late after the due instant.
pub fn classify(finished: Timestamp, due: Timestamp) -> Timeliness {
    if finished > due {
        Timeliness::Late
    } else if local_date(finished) < local_date(due) {
        Timeliness::Early
    } else {
        Timeliness::OnTime
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// Hours and working days, compared in office minutes.
    Office,
    Days,
    Months,
}

fn family(u: TimeUnit) -> Family {
    match u {
        TimeUnit::Hours | TimeUnit::WorkingDays => Family::Office,
        TimeUnit::Days => Family::Days,
        TimeUnit::Months => Family::Months,
    }
}

/// Checks that the budgets of a workflow's steps fit the procedure's legal limit.
///
/// Hours and working days are compared in office minutes, a working day being
/// `office_day` (`OfficeHours::office_day()`, 7 h 30 for the standard hours); a legal limit
/// of 0 ("within the day") allows one office day. Calendar days and months only compare
/// with the same unit; mixing them with anything else is refused.
pub fn check_step_budgets(steps: &[TimeLimit], legal: TimeLimit, office_day: SignedDuration) -> Result<(), CalendarError> {
    let legal_family = family(legal.unit);
    for (i, s) in steps.iter().enumerate() {
        if family(s.unit) != legal_family {
            return Err(CalendarError::IncompatibleUnits {
                step: i + 1,
                step_unit: s.unit.code(),
                legal_unit: legal.unit.code(),
            });
        }
    }
    let day_minutes = office_day.as_secs().max(0) as u64 / 60;
    let minutes = |t: &TimeLimit| match t.unit {
        TimeUnit::Hours => u64::from(t.value) * 60,
        _ => u64::from(t.value) * day_minutes,
    };
    let (unit, total, limit) = match legal_family {
        Family::Office => {
            let limit = if legal.is_within_day() { day_minutes } else { minutes(&legal) };
            ("minutes", steps.iter().map(minutes).sum::<u64>(), limit)
        }
        Family::Days => ("days", steps.iter().map(|s| u64::from(s.value)).sum(), u64::from(legal.value)),
        Family::Months => ("months", steps.iter().map(|s| u64::from(s.value)).sum(), u64::from(legal.value)),
    };
    if total > limit {
        return Err(CalendarError::StepBudgetsExceedLimit { unit, total, limit });
    }
    Ok(())
}

/// `d` plus `months`, the day clamped to the length of the target month.
fn add_months(d: Date, months: u32) -> Result<Date, CalendarError> {
    let out = || CalendarError::DateOutOfRange { value: format!("{d} + {months} months") };
    let index = i64::from(d.year()) * 12 + i64::from(d.month()) - 1 + i64::from(months);
    let year = i16::try_from(index.div_euclid(12)).map_err(|_| out())?;
    let month = (index.rem_euclid(12) + 1) as i8;
    let first = Date::new(year, month, 1).map_err(|_| out())?;
    Date::new(year, month, d.day().min(first.days_in_month())).map_err(|_| out())
}

impl WorkCalendar {
    /// The instant a time limit counts from, after the counting rules.
    pub fn counting_start(&self, from: Timestamp, rules: &CountingRules) -> Result<Timestamp, CalendarError> {
        from_local(self.start_local(from, rules)?)
    }

    fn start_local(&self, from: Timestamp, rules: &CountingRules) -> Result<Local, CalendarError> {
        let mut s = self.local_in_range(from)?;
        if rules.out_of_hours == OutOfHours::NextWorkingInstant {
            s = self.next_working_local(s)?;
        }
        if let Some(cutoff) = rules.same_day_cutoff {
            let cut = (i64::from(cutoff.hour()) * 3600 + i64::from(cutoff.minute()) * 60 + i64::from(cutoff.second()))
                * NANOS_PER_SEC
                + i64::from(cutoff.subsec_nanosecond());
            if s.nod > cut && self.set_of(s.jdn)?.is_open() {
                s = self.start_of_next_working_day(s.jdn)?;
            }
        }
        Ok(s)
    }

    /// The deadline of `limit` for a dossier received at `from`.
    pub fn due(&self, from: Timestamp, limit: TimeLimit, rules: &CountingRules) -> Result<Due, CalendarError> {
        let s = self.start_local(from, rules)?;
        let at = if limit.is_within_day() {
            // Received at or after the day's last session closed (a counter open late, an
            // online filing counted as filed): nothing of that day is left, so "within the
            // day" is the next working day; the deadline is never before the reception.
            let day = self.working_on_or_after(s.jdn)?;
            let end = self.end_of_day(day)?;
            if day == s.jdn && from_local(s)? >= end { self.end_of_day(self.nth_working_after(s.jdn, 1)?)? } else { end }
        } else {
            match limit.unit {
                TimeUnit::WorkingDays => self.end_of_day(self.nth_working_after(s.jdn, limit.value)?)?,
                TimeUnit::Days => {
                    let day = s.jdn.checked_add_unsigned(limit.value).ok_or_else(|| Self::out_of_range(limit))?;
                    self.end_of_day(self.working_on_or_after(day)?)?
                }
                TimeUnit::Months => {
                    let received = date_of_day_number(s.jdn).ok_or_else(|| Self::out_of_range(from))?;
                    let day = day_number(add_months(received, limit.value)?);
                    self.end_of_day(self.working_on_or_after(day)?)?
                }
                TimeUnit::Hours => {
                    let nanos =
                        i64::from(limit.value).checked_mul(3600 * NANOS_PER_SEC).ok_or_else(|| Self::out_of_range(limit))?;
                    from_local(self.add_office(s, nanos)?)?
                }
            }
        };
        Ok(Due { at, counted_from: from_local(s)?, calendar_version: self.version.clone() })
    }

    /// When a paper dossier received at the one-stop at `received` must be handed to the
    /// competent agency (REQ-15, NĐ 61/2018 art. 16(1)): by the end of the same working day;
    /// received after 15:00 or outside a working day, at the start ("đầu giờ") of the next
    /// working day, which we read as its first office hour (the text names no minute).
    pub fn handover_due(&self, received: Timestamp) -> Result<Timestamp, CalendarError> {
        const CUTOFF: i64 = 15 * 3600 * NANOS_PER_SEC;
        const FIRST_HOUR: i64 = 3600 * NANOS_PER_SEC;
        let s = self.local_in_range(received)?;
        if s.nod <= CUTOFF && self.set_of(s.jdn)?.is_open() {
            let end = self.end_of_day(s.jdn)?;
            if received < end {
                return Ok(end);
            }
        }
        from_local(self.add_office(self.start_of_next_working_day(s.jdn)?, FIRST_HOUR)?)
    }

    /// When the one-stop must have checked a dossier filed online and answered it (received
    /// it, asked to complete it or refused it): `amount` working days or office hours of
    /// office time counted from the submission (NĐ 61/2018 art. 19 as amended by NĐ
    /// 107/2021; spec REQ-8).
    ///
    /// The out-of-hours rule applies to the submission itself, whatever the procedure's
    /// counting rules (NĐ 45/2020 art. 11; spec REQ-16, §d.1 rule 6): filed in the evening,
    /// on a weekly rest day or a holiday (or in the lunch break) it counts from the next
    /// office instant (the first session of the next working day).
    ///
    /// N working days run to the same point of the office day N working days later: filed
    /// Monday 10:00, 1 working day is due Tuesday 10:00; counted from a day's opening
    /// (Friday 20:00 → Monday 07:30) it is due at the end of that day, Monday 17:00, the
    /// same office instant as Tuesday's opening. A shorter target day ends the count at its
    /// close. N hours are N hours of office time. `amount` 0 is the counting start itself.
    pub fn check_due(&self, submitted: Timestamp, amount: u32, unit: CheckUnit) -> Result<Due, CalendarError> {
        let s = self.next_working_local(self.local_in_range(submitted)?)?;
        let at = if amount == 0 {
            s
        } else {
            match unit {
                CheckUnit::Hours => {
                    let nanos = i64::from(amount)
                        .checked_mul(3600 * NANOS_PER_SEC)
                        .ok_or_else(|| Self::out_of_range(format!("{amount} hours")))?;
                    self.add_office(s, nanos)?
                }
                CheckUnit::WorkingDays => {
                    let into_day = self.set_of(s.jdn)?.before(s.nod);
                    if into_day == 0 {
                        // From the opening: the whole start day is the first of the N.
                        let last = if amount == 1 { s.jdn } else { self.nth_working_after(s.jdn, amount - 1)? };
                        to_local(self.end_of_day(last)?)
                    } else {
                        let day = self.nth_working_after(s.jdn, amount)?;
                        let set = self.set_of(day)?;
                        Local { jdn: day, nod: set.at_offset(into_day.min(i64::from(set.total) * NANOS_PER_SEC)) }
                    }
                }
            }
        };
        Ok(Due { at: from_local(at)?, counted_from: from_local(s)?, calendar_version: self.version.clone() })
    }

    /// Pushes a deadline back by the office time of a pause (the clock stops while the
    /// applicant owes a supplement or a payment): the new deadline is that much office time
    /// after the old one.
    pub fn extend_for_pause(&self, due: &Due, paused_at: Timestamp, resumed_at: Timestamp) -> Result<Due, CalendarError> {
        if resumed_at < paused_at {
            return Err(CalendarError::NegativeDuration);
        }
        let pause = self.elapsed_working(paused_at, resumed_at, &[])?;
        let at = self.add_working_time(due.at, pause)?;
        Ok(Due { at, counted_from: due.counted_from, calendar_version: self.version.clone() })
    }
}
