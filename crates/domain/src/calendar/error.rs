//! Errors of the calendar, the lunar calendar and deadline arithmetic: a stable machine code
//! and a message in Vietnamese (first) and English for every variant.

use jiff::civil::Date;
use serde::Serialize;

/// One problem found in a schedule file. The whole file is rejected when there is any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleIssue {
    /// 1-based line of the text file (or of a JSON syntax error); `None` when the problem is
    /// not tied to one line (e.g. a missing `year` record, or a JSON semantic check).
    pub line: Option<usize>,
    /// Where in a JSON document the problem is (`days_off[2]`); `None` for the text format.
    pub path: Option<String>,
    pub code: &'static str,
    pub message_vi: String,
    pub message_en: String,
}

impl ScheduleIssue {
    fn place_vi(&self) -> String {
        match (&self.line, &self.path) {
            (Some(l), _) => format!("dòng {l}: "),
            (None, Some(p)) => format!("{p}: "),
            (None, None) => String::new(),
        }
    }
    fn place_en(&self) -> String {
        match (&self.line, &self.path) {
            (Some(l), _) => format!("line {l}: "),
            (None, Some(p)) => format!("{p}: "),
            (None, None) => String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("invalid date: day {day} of month {month} of {year} does not exist")]
    InvalidDate { year: i32, month: i32, day: i32 },
    #[error("'{input}' is not a date in the form YYYY-MM-DD")]
    DateFormat { input: String },
    #[error("'{input}' is not a time of day in the form HH:MM")]
    TimeFormat { input: String },
    #[error("{value} is outside the supported range 1900-01-01..2199-12-31")]
    DateOutOfRange { value: String },
    #[error("lunar month {month} is out of range 1..12")]
    LunarMonthOutOfRange { month: u8 },
    #[error("lunar day {day} is out of range 1..30")]
    LunarDayOutOfRange { day: u8 },
    #[error("lunar year {year} is outside the supported range 1899..2199")]
    LunarYearOutOfRange { year: i32 },
    #[error("lunar date {date} falls outside the supported solar range 1900-01-01..2199-12-31")]
    LunarDateOutOfRange { date: String },
    #[error("lunar month {month}{} of {year} has only {length} days, there is no day {day}", if *.leap { " (leap)" } else { "" })]
    LunarDayNotInMonth { day: u8, month: u8, year: i32, leap: bool, length: u8 },
    #[error("lunar year {year} has no leap month {month}{}", match .leap_month { Some(m) => format!(" (its leap month is {m})"), None => " (it has no leap month)".to_string() })]
    NoSuchLeapMonth { month: u8, year: i32, leap_month: Option<u8> },
    #[error("a time limit cannot be negative ({value})")]
    NegativeLimit { value: i64 },
    #[error("a time limit of {value} is too large")]
    LimitTooLarge { value: i64 },
    #[error("unknown time unit '{unit}' (expected gio, ngay, ngay_lam_viec, thang or hours, days, working_days, months)")]
    UnknownTimeUnit { unit: String },
    #[error("'{input}' is not a time limit such as '15 ngay_lam_viec'")]
    TimeLimitFormat { input: String },
    #[error("a working-time duration cannot be negative")]
    NegativeDuration,
    #[error("step {step} is counted in {step_unit}, which cannot be compared with a legal limit in {legal_unit}")]
    IncompatibleUnits { step: usize, step_unit: &'static str, legal_unit: &'static str },
    #[error("the step budgets add up to {}, more than the legal limit of {}", amount_en(.unit, *.total), amount_en(.unit, *.limit))]
    StepBudgetsExceedLimit { unit: &'static str, total: u64, limit: u64 },
    #[error("office session {start}-{end} on {day} does not end after it starts")]
    EmptySession { day: &'static str, start: String, end: String },
    #[error("office sessions on {day} overlap or are not in order")]
    OverlappingSessions { day: &'static str },
    #[error("office sessions must start and end on a whole second")]
    SubsecondSession,
    #[error("office hours have no working weekday")]
    NoWorkingWeekday,
    #[error("make-up working days need at least one office session")]
    NoMakeUpSessions,
    #[error("the schedule file is invalid ({} problem(s)): {}", .issues.len(), first_issue_en(.issues))]
    ScheduleInvalid { issues: Vec<ScheduleIssue> },
    #[error("the schedules of {first_year} and {second_year} disagree about {date}")]
    ScheduleConflict { date: Date, first_year: i32, second_year: i32 },
    #[error("the {year} schedule does not give {date} ({holiday}) as a day off")]
    ScheduleMissingHoliday { year: i32, date: Date, holiday: String },
}

fn first_issue_en(issues: &[ScheduleIssue]) -> String {
    issues.first().map(|i| format!("{}{}", i.place_en(), i.message_en)).unwrap_or_default()
}

fn first_issue_vi(issues: &[ScheduleIssue]) -> String {
    issues.first().map(|i| format!("{}{}", i.place_vi(), i.message_vi)).unwrap_or_default()
}

/// An amount of step budget: office minutes (shown as hours and minutes), days or months.
fn amount_vi(unit: &str, n: u64) -> String {
    match unit {
        "minutes" if n.is_multiple_of(60) => format!("{} giờ làm việc", n / 60),
        "minutes" => format!("{} giờ {} phút làm việc", n / 60, n % 60),
        "months" => format!("{n} tháng"),
        _ => format!("{n} ngày"),
    }
}

fn amount_en(unit: &str, n: u64) -> String {
    match unit {
        "minutes" if n.is_multiple_of(60) => format!("{} office hours", n / 60),
        "minutes" => format!("{} office hours {} minutes", n / 60, n % 60),
        "months" => format!("{n} months"),
        _ => format!("{n} days"),
    }
}

/// Vietnamese name of a unit code used in messages.
fn unit_vi(code: &str) -> &str {
    match code {
        "hours" => "giờ",
        "days" => "ngày",
        "working_days" => "ngày làm việc",
        "months" => "tháng",
        other => other,
    }
}

/// Vietnamese name of a weekday code used in messages.
pub(crate) fn weekday_vi(code: &str) -> &str {
    match code {
        "monday" => "thứ Hai",
        "tuesday" => "thứ Ba",
        "wednesday" => "thứ Tư",
        "thursday" => "thứ Năm",
        "friday" => "thứ Sáu",
        "saturday" => "thứ Bảy",
        "sunday" => "Chủ nhật",
        "make_up" => "ngày làm bù",
        other => other,
    }
}

impl CalendarError {
    /// Stable machine code (snake_case) for API clients and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidDate { .. } => "invalid_date",
            Self::DateFormat { .. } => "date_format",
            Self::TimeFormat { .. } => "time_format",
            Self::DateOutOfRange { .. } => "date_out_of_range",
            Self::LunarMonthOutOfRange { .. } => "lunar_month_out_of_range",
            Self::LunarDayOutOfRange { .. } => "lunar_day_out_of_range",
            Self::LunarYearOutOfRange { .. } => "lunar_year_out_of_range",
            Self::LunarDateOutOfRange { .. } => "lunar_date_out_of_range",
            Self::LunarDayNotInMonth { .. } => "lunar_day_not_in_month",
            Self::NoSuchLeapMonth { .. } => "no_such_leap_month",
            Self::NegativeLimit { .. } => "negative_limit",
            Self::LimitTooLarge { .. } => "limit_too_large",
            Self::UnknownTimeUnit { .. } => "unknown_time_unit",
            Self::TimeLimitFormat { .. } => "time_limit_format",
            Self::NegativeDuration => "negative_duration",
            Self::IncompatibleUnits { .. } => "incompatible_units",
            Self::StepBudgetsExceedLimit { .. } => "step_budgets_exceed_limit",
            Self::EmptySession { .. } => "empty_session",
            Self::OverlappingSessions { .. } => "overlapping_sessions",
            Self::SubsecondSession => "subsecond_session",
            Self::NoWorkingWeekday => "no_working_weekday",
            Self::NoMakeUpSessions => "no_make_up_sessions",
            Self::ScheduleInvalid { .. } => "schedule_invalid",
            Self::ScheduleConflict { .. } => "schedule_conflict",
            Self::ScheduleMissingHoliday { .. } => "schedule_missing_holiday",
        }
    }

    /// Message in Vietnamese, for officers and citizens.
    pub fn message_vi(&self) -> String {
        match self {
            Self::InvalidDate { year, month, day } => {
                format!("Ngày không hợp lệ: không có ngày {day} tháng {month} năm {year}")
            }
            Self::DateFormat { input } => format!("'{input}' không phải là ngày theo dạng NNNN-TT-NN (năm-tháng-ngày)"),
            Self::TimeFormat { input } => format!("'{input}' không phải là giờ theo dạng GG:PP"),
            Self::DateOutOfRange { value } => {
                format!("{value} nằm ngoài khoảng thời gian được hỗ trợ (01/01/1900 đến 31/12/2199)")
            }
            Self::LunarMonthOutOfRange { month } => format!("Tháng âm lịch {month} không hợp lệ (phải từ 1 đến 12)"),
            Self::LunarDayOutOfRange { day } => format!("Ngày âm lịch {day} không hợp lệ (phải từ 1 đến 30)"),
            Self::LunarYearOutOfRange { year } => {
                format!("Năm âm lịch {year} nằm ngoài khoảng được hỗ trợ (1899 đến 2199)")
            }
            Self::LunarDateOutOfRange { date } => {
                format!("Ngày âm lịch {date} ứng với ngày dương lịch ngoài khoảng 01/01/1900 đến 31/12/2199")
            }
            Self::LunarDayNotInMonth { day, month, year, leap, length } => {
                let leap = if *leap { " nhuận" } else { "" };
                format!("Tháng {month}{leap} âm lịch năm {year} chỉ có {length} ngày, không có ngày {day}")
            }
            Self::NoSuchLeapMonth { month, year, leap_month } => match leap_month {
                Some(m) => format!("Năm âm lịch {year} không có tháng {month} nhuận (năm này nhuận tháng {m})"),
                None => format!("Năm âm lịch {year} không có tháng {month} nhuận (năm này không có tháng nhuận)"),
            },
            Self::NegativeLimit { value } => format!("Thời hạn không được là số âm ({value})"),
            Self::LimitTooLarge { value } => format!("Thời hạn {value} quá lớn"),
            Self::UnknownTimeUnit { unit } => format!(
                "Đơn vị thời gian '{unit}' không hợp lệ (dùng gio, ngay, ngay_lam_viec, thang hoặc hours, days, working_days, months)"
            ),
            Self::TimeLimitFormat { input } => {
                format!("'{input}' không phải là thời hạn hợp lệ, ví dụ '15 ngay_lam_viec'")
            }
            Self::NegativeDuration => "Khoảng thời gian làm việc không được là số âm".to_string(),
            Self::IncompatibleUnits { step, step_unit, legal_unit } => format!(
                "Bước {step} tính theo {}, không so sánh được với thời hạn luật định tính theo {}",
                unit_vi(step_unit),
                unit_vi(legal_unit)
            ),
            Self::StepBudgetsExceedLimit { unit, total, limit } => format!(
                "Tổng thời gian các bước là {}, vượt thời hạn luật định {}",
                amount_vi(unit, *total),
                amount_vi(unit, *limit)
            ),
            Self::EmptySession { day, start, end } => {
                format!("Phiên làm việc {start}-{end} ngày {} phải kết thúc sau khi bắt đầu", weekday_vi(day))
            }
            Self::OverlappingSessions { day } => {
                format!("Các phiên làm việc ngày {} chồng lên nhau hoặc không theo thứ tự", weekday_vi(day))
            }
            Self::SubsecondSession => "Giờ bắt đầu, kết thúc phiên làm việc phải tròn giây".to_string(),
            Self::NoWorkingWeekday => "Lịch làm việc không có ngày làm việc nào trong tuần".to_string(),
            Self::NoMakeUpSessions => "Ngày làm bù phải có ít nhất một phiên làm việc".to_string(),
            Self::ScheduleInvalid { issues } => {
                format!("Tệp lịch nghỉ không hợp lệ ({} lỗi): {}", issues.len(), first_issue_vi(issues))
            }
            Self::ScheduleConflict { date, first_year, second_year } => {
                format!("Lịch nghỉ năm {first_year} và năm {second_year} mâu thuẫn nhau về ngày {date}")
            }
            Self::ScheduleMissingHoliday { year, date, holiday } => {
                format!("Lịch nghỉ năm {year} không cho nghỉ ngày {date} ({holiday})")
            }
        }
    }

    /// Message in English.
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn all() -> Vec<CalendarError> {
        let issue = ScheduleIssue {
            line: Some(3),
            path: None,
            code: "bad_date",
            message_vi: "ngày sai".into(),
            message_en: "bad date".into(),
        };
        vec![
            CalendarError::InvalidDate { year: 2026, month: 2, day: 31 },
            CalendarError::DateFormat { input: "x".into() },
            CalendarError::TimeFormat { input: "x".into() },
            CalendarError::DateOutOfRange { value: "2300-01-01".into() },
            CalendarError::LunarMonthOutOfRange { month: 13 },
            CalendarError::LunarDayOutOfRange { day: 31 },
            CalendarError::LunarYearOutOfRange { year: 2300 },
            CalendarError::LunarDateOutOfRange { date: "1/11/1899".into() },
            CalendarError::LunarDayNotInMonth { day: 30, month: 12, year: 2025, leap: false, length: 29 },
            CalendarError::NoSuchLeapMonth { month: 3, year: 2026, leap_month: None },
            CalendarError::NegativeLimit { value: -1 },
            CalendarError::LimitTooLarge { value: 1 << 40 },
            CalendarError::UnknownTimeUnit { unit: "tuan".into() },
            CalendarError::TimeLimitFormat { input: "abc".into() },
            CalendarError::NegativeDuration,
            CalendarError::IncompatibleUnits { step: 1, step_unit: "months", legal_unit: "working_days" },
            CalendarError::StepBudgetsExceedLimit { unit: "minutes", total: 7230, limit: 6750 },
            CalendarError::EmptySession { day: "monday", start: "11:30".into(), end: "07:30".into() },
            CalendarError::OverlappingSessions { day: "saturday" },
            CalendarError::SubsecondSession,
            CalendarError::NoWorkingWeekday,
            CalendarError::NoMakeUpSessions,
            CalendarError::ScheduleInvalid { issues: vec![issue] },
            CalendarError::ScheduleConflict { date: date(2026, 1, 2), first_year: 2025, second_year: 2026 },
            CalendarError::ScheduleMissingHoliday { year: 2026, date: date(2026, 9, 2), holiday: "Quốc khánh".into() },
        ]
    }

    #[test]
    fn every_variant_has_a_code_and_both_messages() {
        let errors = all();
        let mut codes: Vec<_> = errors.iter().map(CalendarError::code).collect();
        for e in &errors {
            let code = e.code();
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{code}");
            assert!(!e.message_vi().is_empty() && !e.message_en().is_empty(), "{code}");
            assert_ne!(e.message_vi(), e.message_en(), "{code}");
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len(), "codes are unique");
    }

    #[test]
    fn messages_read_well() {
        let e = CalendarError::InvalidDate { year: 2026, month: 2, day: 31 };
        assert_eq!(e.message_vi(), "Ngày không hợp lệ: không có ngày 31 tháng 2 năm 2026");
        assert_eq!(e.message_en(), "invalid date: day 31 of month 2 of 2026 does not exist");
        let e = CalendarError::NoSuchLeapMonth { month: 3, year: 2025, leap_month: Some(6) };
        assert_eq!(e.message_en(), "lunar year 2025 has no leap month 3 (its leap month is 6)");
        let e = CalendarError::ScheduleInvalid {
            issues: vec![ScheduleIssue {
                line: Some(7),
                path: None,
                code: "x",
                message_vi: "ngày sai".into(),
                message_en: "bad date".into(),
            }],
        };
        assert_eq!(e.message_vi(), "Tệp lịch nghỉ không hợp lệ (1 lỗi): dòng 7: ngày sai");
        assert_eq!(e.message_en(), "the schedule file is invalid (1 problem(s)): line 7: bad date");
    }
}
