//! A year's official schedule of days off (nghỉ lễ, nghỉ bù, hoán đổi) and make-up working
//! days (làm bù), as announced by the Government, with the documents that announced it.
//!
//! Two interchangeable formats: a line format (shipped in `data/calendar/YYYY.csv`, easy
//! to write by hand and diff) and JSON (serde). A file with any problem is rejected whole,
//! with every problem found reported by line (text) or path (JSON semantic checks).
//!
//! Line format: `#` starts a comment line; one record per line, fields separated by commas;
//! the last field of a record is free text and may itself contain commas.
//!
//! ```text
//! year,2026
//! revision,1
//! document,<key>,<number or empty>,<YYYY-MM-DD or empty>,<title>
//! off,<from YYYY-MM-DD>,<to YYYY-MM-DD>,<holiday|compensatory|swap|weekend>,<document key>,<label>
//! work,<YYYY-MM-DD>,<document key>,<label>
//! ```

use super::{CalendarError, ScheduleIssue, parse_date};
use jiff::ToSpan;
use jiff::civil::{Date, Weekday, date};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

/// Why a day is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OffReason {
    /// Public holiday (ngày nghỉ lễ, Tết), Labour Code art. 112.
    #[serde(rename = "holiday")]
    Holiday,
    /// Compensatory day off for a holiday on a weekly rest day (nghỉ bù).
    #[serde(rename = "compensatory")]
    Compensatory,
    /// Working day swapped with a make-up day (hoán đổi ngày làm việc).
    #[serde(rename = "swap")]
    Swapped,
    /// Weekly rest day inside an announced off period (nghỉ hằng tuần).
    #[serde(rename = "weekend")]
    WeeklyRest,
}

impl OffReason {
    pub const ALL: [OffReason; 4] = [Self::Holiday, Self::Compensatory, Self::Swapped, Self::WeeklyRest];

    pub fn code(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::Compensatory => "compensatory",
            Self::Swapped => "swap",
            Self::WeeklyRest => "weekend",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Holiday => "Nghỉ lễ, Tết",
            Self::Compensatory => "Nghỉ bù",
            Self::Swapped => "Nghỉ do hoán đổi ngày làm việc",
            Self::WeeklyRest => "Nghỉ hằng tuần",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Holiday => "Public holiday",
            Self::Compensatory => "Compensatory day off",
            Self::Swapped => "Day off swapped with a make-up day",
            Self::WeeklyRest => "Weekly rest day",
        }
    }
}

/// A document that announced (part of) a schedule. `number` and `date` are `None` when the
/// source reported the decision without them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub key: String,
    pub number: Option<String>,
    pub date: Option<Date>,
    pub title: String,
}

/// Consecutive days off, `from..=to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaysOff {
    pub from: Date,
    pub to: Date,
    pub reason: OffReason,
    /// Key of the announcing document.
    pub document: String,
    pub label: String,
}

/// A weekly rest day worked instead of a swapped day (ngày làm bù).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakeUpDay {
    pub date: Date,
    pub document: String,
    pub label: String,
}

fn first_revision() -> u32 {
    1
}

/// The official schedule of one year. May list days of the neighbouring years that belong
/// to its periods (the 2024 New Year break started on 30/12/2023).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub year: i32,
    /// Bumped when a correction of the same year's data is published.
    #[serde(default = "first_revision")]
    pub revision: u32,
    pub documents: Vec<Document>,
    #[serde(default)]
    pub days_off: Vec<DaysOff>,
    #[serde(default)]
    pub make_up: Vec<MakeUpDay>,
}

/// What a schedule says about one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Off(OffReason),
    MakeUp,
}

/// Files shipped with the crate, checked by the tests below.
const SHIPPED: [(&str, &str); 3] = [
    ("2024.csv", include_str!("../../../../data/calendar/2024.csv")),
    ("2025.csv", include_str!("../../../../data/calendar/2025.csv")),
    ("2026.csv", include_str!("../../../../data/calendar/2026.csv")),
];

impl Schedule {
    /// The schedules shipped in `data/calendar/`.
    ///
    /// # Panics
    /// Never in a tested build: the shipped files are parsed by the unit tests.
    pub fn shipped() -> Vec<Schedule> {
        SHIPPED.iter().map(|(name, text)| Schedule::parse(text).unwrap_or_else(|e| panic!("shipped {name}: {e}"))).collect()
    }

    /// Parses the line format. Rejects the file whole, listing every problem by line.
    pub fn parse(text: &str) -> Result<Schedule, CalendarError> {
        let mut p = TextParser::default();
        for (i, raw) in text.lines().enumerate() {
            let line = if i == 0 { raw.trim_start_matches('\u{feff}') } else { raw };
            p.record(i + 1, line.trim());
        }
        p.finish()
    }

    /// Parses the JSON form. Syntax and type errors carry their line; semantic problems carry
    /// a path such as `days_off[2]`.
    pub fn from_json(text: &str) -> Result<Schedule, CalendarError> {
        let schedule: Schedule = serde_json::from_str(text).map_err(|e| CalendarError::ScheduleInvalid {
            issues: vec![ScheduleIssue {
                line: Some(e.line()),
                path: None,
                code: "json",
                message_vi: format!("JSON không hợp lệ (cột {}): {e}", e.column()),
                message_en: format!("invalid JSON (column {}): {e}", e.column()),
            }],
        })?;
        let issues = check(&schedule, &Locator::Json, &HashSet::new());
        if issues.is_empty() { Ok(schedule) } else { Err(CalendarError::ScheduleInvalid { issues }) }
    }

    /// Checks a schedule built in code or deserialised by other means.
    pub fn validate(&self) -> Result<(), CalendarError> {
        let issues = check(self, &Locator::Json, &HashSet::new());
        if issues.is_empty() { Ok(()) } else { Err(CalendarError::ScheduleInvalid { issues }) }
    }

    /// The line format; `Schedule::parse(&s.to_text()) == Ok(s)` for a valid schedule.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(out, "year,{}", self.year);
        let _ = writeln!(out, "revision,{}", self.revision);
        for d in &self.documents {
            let number = d.number.as_deref().unwrap_or("");
            let day = d.date.map(|d| d.to_string()).unwrap_or_default();
            let _ = writeln!(out, "document,{},{number},{day},{}", d.key, d.title);
        }
        for o in &self.days_off {
            let _ = writeln!(out, "off,{},{},{},{},{}", o.from, o.to, o.reason.code(), o.document, o.label);
        }
        for m in &self.make_up {
            let _ = writeln!(out, "work,{},{},{}", m.date, m.document, m.label);
        }
        out
    }

    pub fn document(&self, key: &str) -> Option<&Document> {
        self.documents.iter().find(|d| d.key == key)
    }

    /// Every date the schedule mentions, with what it says and the entry's label and
    /// document key, in date order.
    pub fn marks(&self) -> Vec<(Date, Mark, &str, &str)> {
        let mut out = Vec::new();
        for o in &self.days_off {
            let mut d = o.from;
            while d <= o.to {
                out.push((d, Mark::Off(o.reason), o.label.as_str(), o.document.as_str()));
                match d.tomorrow() {
                    Ok(next) => d = next,
                    Err(_) => break,
                }
            }
        }
        for m in &self.make_up {
            out.push((m.date, Mark::MakeUp, m.label.as_str(), m.document.as_str()));
        }
        out.sort_by_key(|(d, ..)| *d);
        out
    }

    /// `2026` or `2026r2`: the year, and the revision when it is not the first.
    pub fn tag(&self) -> String {
        if self.revision == 1 { self.year.to_string() } else { format!("{}r{}", self.year, self.revision) }
    }
}

// ---------------------------------------------------------------------------------------
// Validation shared by both formats.
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Item {
    Year,
    Revision,
    Document(usize),
    Off(usize),
    Work(usize),
}

/// Maps an item of the schedule to its place in the source.
enum Locator {
    Text(Lines),
    Json,
}

#[derive(Default)]
struct Lines {
    year: Option<usize>,
    revision: Option<usize>,
    documents: Vec<usize>,
    days_off: Vec<usize>,
    make_up: Vec<usize>,
}

impl Locator {
    fn issue(&self, item: Option<Item>, code: &'static str, vi: String, en: String) -> ScheduleIssue {
        let (line, path) = match (self, item) {
            (_, None) => (None, None),
            (Locator::Text(l), Some(item)) => {
                let line = match item {
                    Item::Year => l.year,
                    Item::Revision => l.revision,
                    Item::Document(i) => l.documents.get(i).copied(),
                    Item::Off(i) => l.days_off.get(i).copied(),
                    Item::Work(i) => l.make_up.get(i).copied(),
                };
                (line, None)
            }
            (Locator::Json, Some(item)) => {
                let path = match item {
                    Item::Year => "year".to_string(),
                    Item::Revision => "revision".to_string(),
                    Item::Document(i) => format!("documents[{i}]"),
                    Item::Off(i) => format!("days_off[{i}]"),
                    Item::Work(i) => format!("make_up[{i}]"),
                };
                (None, Some(path))
            }
        };
        ScheduleIssue { line, path, code, message_vi: vi, message_en: en }
    }
}

/// Longest announced off period accepted; longer ranges are taken for typos.
const MAX_RANGE_DAYS: i32 = 31;

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A field that the line format writes before the last one: no commas, no control characters.
fn is_inner_field(s: &str) -> bool {
    !s.contains(',') && !s.chars().any(char::is_control) && s.trim() == s
}

fn is_free_text(s: &str) -> bool {
    !s.trim().is_empty() && !s.chars().any(char::is_control) && s.trim() == s
}

/// Semantic checks. `declared` holds document keys whose line failed to parse, so that
/// entries citing them do not produce a second, misleading problem.
fn check(s: &Schedule, loc: &Locator, declared: &HashSet<String>) -> Vec<ScheduleIssue> {
    let mut issues = Vec::new();
    let mut issue = |item: Option<Item>, code: &'static str, vi: String, en: String| {
        issues.push(loc.issue(item, code, vi, en));
    };
    let year_ok = (1900..=2199).contains(&s.year);
    if !year_ok {
        issue(
            Some(Item::Year),
            "year_out_of_range",
            format!("Năm {} nằm ngoài khoảng 1900 đến 2199", s.year),
            format!("year {} is outside 1900..2199", s.year),
        );
    }
    if s.revision == 0 {
        issue(
            Some(Item::Revision),
            "bad_revision",
            "Số hiệu chỉnh (revision) phải từ 1 trở lên".into(),
            "revision must be 1 or more".into(),
        );
    }
    if s.documents.is_empty() && declared.is_empty() {
        issue(
            None,
            "missing_document",
            "Thiếu bản ghi document: phải nêu văn bản công bố lịch nghỉ".into(),
            "no document record: the announcing document must be given".into(),
        );
    }
    let mut keys = HashSet::new();
    for (i, d) in s.documents.iter().enumerate() {
        let item = Some(Item::Document(i));
        if !is_token(&d.key) {
            issue(
                item,
                "bad_key",
                format!("Mã văn bản '{}' chỉ được gồm chữ không dấu, số, '_' và '-'", d.key),
                format!("document key '{}' may only contain ASCII letters, digits, '_' and '-'", d.key),
            );
        }
        if !keys.insert(d.key.as_str()) {
            issue(
                item,
                "duplicate_document",
                format!("Mã văn bản '{}' bị khai báo hai lần", d.key),
                format!("document key '{}' is declared twice", d.key),
            );
        }
        if let Some(n) = &d.number
            && (n.is_empty() || !is_inner_field(n))
        {
            issue(
                item,
                "bad_number",
                format!("Số văn bản '{n}' không được rỗng, chứa dấu phẩy hoặc ký tự điều khiển"),
                format!("document number '{n}' must not be empty or contain commas or control characters"),
            );
        }
        if !is_free_text(&d.title) {
            issue(
                item,
                "bad_text",
                "Trích yếu văn bản không được để trống hoặc chứa ký tự điều khiển".into(),
                "document title must not be empty or contain control characters".into(),
            );
        }
    }
    let known = |k: &str| keys.contains(k) || declared.contains(k);
    let window = year_ok.then(|| (date(s.year as i16 - 1, 12, 1), date(s.year as i16 + 1, 1, 31)));
    let outside = |item: Item, d: Date, issues: &mut Vec<ScheduleIssue>| {
        if let Some((lo, hi)) = window
            && (d < lo || d > hi)
        {
            issues.push(loc.issue(
                Some(item),
                "outside_year",
                format!("Ngày {d} không thuộc lịch nghỉ năm {} (chỉ nhận từ {lo} đến {hi})", s.year),
                format!("{d} does not belong to the {} schedule (accepted: {lo}..{hi})", s.year),
            ));
        }
    };
    let mut seen: BTreeMap<Date, Item> = BTreeMap::new();
    let mut overlap = |item: Item, d: Date, issues: &mut Vec<ScheduleIssue>| {
        if seen.insert(d, item).is_some() {
            issues.push(loc.issue(
                Some(item),
                "overlap",
                format!("Ngày {d} đã được khai báo ở bản ghi khác"),
                format!("{d} is already given by another record"),
            ));
        }
    };
    let mut entry_issues = Vec::new();
    for (i, o) in s.days_off.iter().enumerate() {
        let item = Item::Off(i);
        if o.from > o.to {
            entry_issues.push(loc.issue(
                Some(item),
                "range_reversed",
                format!("Ngày bắt đầu {} sau ngày kết thúc {}", o.from, o.to),
                format!("start {} is after end {}", o.from, o.to),
            ));
            continue;
        }
        let days = o.from.until(o.to).map(|s| s.get_days()).unwrap_or(i32::MAX);
        if days >= MAX_RANGE_DAYS {
            entry_issues.push(loc.issue(
                Some(item),
                "range_too_long",
                format!("Khoảng nghỉ {}..{} dài hơn {MAX_RANGE_DAYS} ngày", o.from, o.to),
                format!("off period {}..{} is longer than {MAX_RANGE_DAYS} days", o.from, o.to),
            ));
            continue;
        }
        outside(item, o.from, &mut entry_issues);
        outside(item, o.to, &mut entry_issues);
        for n in 0..=days {
            if let Ok(d) = o.from.checked_add(n.days()) {
                overlap(item, d, &mut entry_issues);
            }
        }
        entry_issues.extend(entry_refs(loc, item, &o.document, &o.label, &known));
    }
    for (i, m) in s.make_up.iter().enumerate() {
        let item = Item::Work(i);
        outside(item, m.date, &mut entry_issues);
        if !matches!(m.date.weekday(), Weekday::Saturday | Weekday::Sunday) {
            entry_issues.push(loc.issue(
                Some(item),
                "make_up_not_rest_day",
                format!("Ngày làm bù {} không phải thứ Bảy hoặc Chủ nhật", m.date),
                format!("make-up day {} is not a Saturday or Sunday", m.date),
            ));
        }
        overlap(item, m.date, &mut entry_issues);
        entry_issues.extend(entry_refs(loc, item, &m.document, &m.label, &known));
    }
    issues.extend(entry_issues);
    issues.sort_by_key(|i| i.line.unwrap_or(usize::MAX));
    issues
}

fn entry_refs(loc: &Locator, item: Item, doc: &str, label: &str, known: &dyn Fn(&str) -> bool) -> Vec<ScheduleIssue> {
    let mut out = Vec::new();
    if !known(doc) {
        out.push(loc.issue(
            Some(item),
            "unknown_document",
            format!("Không có văn bản mã '{doc}' (khai báo bằng bản ghi document trước)"),
            format!("no document with key '{doc}' (declare it with a document record)"),
        ));
    }
    if !is_free_text(label) {
        out.push(loc.issue(
            Some(item),
            "bad_text",
            "Tên ngày nghỉ không được để trống hoặc chứa ký tự điều khiển".into(),
            "label must not be empty or contain control characters".into(),
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------
// The line format.
// ---------------------------------------------------------------------------------------

#[derive(Default)]
struct TextParser {
    year: Option<i32>,
    revision: Option<u32>,
    documents: Vec<Document>,
    days_off: Vec<DaysOff>,
    make_up: Vec<MakeUpDay>,
    lines: Lines,
    /// Keys of document records that failed to parse.
    declared: HashSet<String>,
    issues: Vec<ScheduleIssue>,
}

impl TextParser {
    fn issue(&mut self, line: usize, code: &'static str, vi: String, en: String) {
        self.issues.push(ScheduleIssue { line: Some(line), path: None, code, message_vi: vi, message_en: en });
    }

    /// Splits the fields after the record kind: exactly `n`, the last one taking the rest.
    fn fields<'a>(&mut self, line: usize, kind: &str, rest: &'a str, n: usize) -> Option<Vec<&'a str>> {
        let fields: Vec<&str> = rest.splitn(n, ',').map(str::trim).collect();
        if rest.is_empty() || fields.len() < n {
            let got = if rest.is_empty() { 0 } else { fields.len() };
            self.issue(
                line,
                "field_count",
                format!("Bản ghi '{kind}' cần {n} trường sau tên bản ghi, có {got}"),
                format!("record '{kind}' needs {n} fields after its kind, found {got}"),
            );
            return None;
        }
        Some(fields)
    }

    fn date(&mut self, line: usize, field: &str) -> Option<Date> {
        match parse_date(field) {
            Ok(d) => Some(d),
            Err(e) => {
                self.issue(line, e.code(), e.message_vi(), e.message_en());
                None
            }
        }
    }

    fn record(&mut self, line: usize, text: &str) {
        if text.is_empty() || text.starts_with('#') {
            return;
        }
        let (kind, rest) = text.split_once(',').map(|(k, r)| (k.trim(), r.trim())).unwrap_or((text, ""));
        match kind {
            "year" => {
                let Some(f) = self.fields(line, kind, rest, 1) else { return };
                if self.year.is_some() {
                    self.issue(line, "duplicate_year", "Bản ghi year lặp lại".into(), "year is given twice".into());
                    return;
                }
                match f[0].parse::<i32>() {
                    Ok(y) => {
                        self.year = Some(y);
                        self.lines.year = Some(line);
                    }
                    Err(_) => {
                        self.issue(line, "bad_year", format!("'{}' không phải là năm", f[0]), format!("'{}' is not a year", f[0]))
                    }
                }
            }
            "revision" => {
                let Some(f) = self.fields(line, kind, rest, 1) else { return };
                if self.revision.is_some() {
                    self.issue(line, "duplicate_revision", "Bản ghi revision lặp lại".into(), "revision is given twice".into());
                    return;
                }
                match f[0].parse::<u32>() {
                    Ok(r) => {
                        self.revision = Some(r);
                        self.lines.revision = Some(line);
                    }
                    Err(_) => self.issue(
                        line,
                        "bad_revision",
                        format!("'{}' không phải là số hiệu chỉnh (số nguyên dương)", f[0]),
                        format!("'{}' is not a revision number (a positive integer)", f[0]),
                    ),
                }
            }
            "document" => {
                let Some(f) = self.fields(line, kind, rest, 4) else { return };
                let date = if f[2].is_empty() { Some(None) } else { self.date(line, f[2]).map(Some) };
                let Some(date) = date else {
                    self.declared.insert(f[0].to_string());
                    return;
                };
                let number = (!f[1].is_empty()).then(|| f[1].to_string());
                self.documents.push(Document { key: f[0].into(), number, date, title: f[3].into() });
                self.lines.documents.push(line);
            }
            "off" => {
                let Some(f) = self.fields(line, kind, rest, 5) else { return };
                let from = self.date(line, f[0]);
                let to = self.date(line, f[1]);
                let reason = OffReason::parse(f[2]);
                if reason.is_none() {
                    self.issue(
                        line,
                        "unknown_reason",
                        format!("Lý do nghỉ '{}' không hợp lệ (holiday, compensatory, swap, weekend)", f[2]),
                        format!("unknown reason '{}' (holiday, compensatory, swap, weekend)", f[2]),
                    );
                }
                if let (Some(from), Some(to), Some(reason)) = (from, to, reason) {
                    self.days_off.push(DaysOff { from, to, reason, document: f[3].into(), label: f[4].into() });
                    self.lines.days_off.push(line);
                }
            }
            "work" => {
                let Some(f) = self.fields(line, kind, rest, 3) else { return };
                if let Some(date) = self.date(line, f[0]) {
                    self.make_up.push(MakeUpDay { date, document: f[1].into(), label: f[2].into() });
                    self.lines.make_up.push(line);
                }
            }
            other => self.issue(
                line,
                "unknown_record",
                format!("Loại bản ghi '{other}' không hợp lệ (year, revision, document, off, work)"),
                format!("unknown record kind '{other}' (year, revision, document, off, work)"),
            ),
        }
    }

    fn finish(mut self) -> Result<Schedule, CalendarError> {
        let Some(year) = self.year else {
            if !self.issues.iter().any(|i| i.code == "bad_year") {
                self.issues.push(ScheduleIssue {
                    line: None,
                    path: None,
                    code: "missing_year",
                    message_vi: "Thiếu bản ghi year (năm của lịch nghỉ)".into(),
                    message_en: "no year record".into(),
                });
            }
            return Err(CalendarError::ScheduleInvalid { issues: self.issues });
        };
        let schedule = Schedule {
            year,
            revision: self.revision.unwrap_or(1),
            documents: self.documents,
            days_off: self.days_off,
            make_up: self.make_up,
        };
        let mut issues = self.issues;
        issues.extend(check(&schedule, &Locator::Text(self.lines), &self.declared));
        issues.sort_by_key(|i| i.line.unwrap_or(usize::MAX));
        if issues.is_empty() { Ok(schedule) } else { Err(CalendarError::ScheduleInvalid { issues }) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues(text: &str) -> Vec<ScheduleIssue> {
        match Schedule::parse(text) {
            Err(CalendarError::ScheduleInvalid { issues }) => issues,
            other => panic!("expected a rejected file, got {other:?}"),
        }
    }

    const GOOD: &str = "\u{feff}# test\n\
        year,2026\n\
        revision,2\n\
        document,tdl,12729/VPCP-KGVX,2025-12-25,Văn phòng Chính phủ: nghỉ Tết Dương lịch, hoán đổi\n\
        document,x,,,Nguồn chưa rõ số\n\
        \n\
        off,2026-01-01,2026-01-01,holiday,tdl,Tết Dương lịch\n\
        off,2026-01-02,2026-01-02,swap,tdl,Hoán đổi, làm bù 10/01\n\
        work,2026-01-10,tdl,Làm bù cho thứ Sáu 02/01\n";

    #[test]
    fn parses_the_line_format() {
        let s = Schedule::parse(GOOD).unwrap();
        assert_eq!(s.year, 2026);
        assert_eq!(s.revision, 2);
        assert_eq!(s.tag(), "2026r2");
        assert_eq!(s.documents[0].number.as_deref(), Some("12729/VPCP-KGVX"));
        assert_eq!(s.documents[0].title, "Văn phòng Chính phủ: nghỉ Tết Dương lịch, hoán đổi");
        assert_eq!(s.documents[1].number, None);
        assert_eq!(s.documents[1].date, None);
        assert_eq!(s.days_off[1].label, "Hoán đổi, làm bù 10/01");
        assert_eq!(s.days_off[1].reason, OffReason::Swapped);
        assert_eq!(s.make_up[0].date, date(2026, 1, 10));
        let marks = s.marks();
        assert_eq!(marks.len(), 3);
        assert_eq!(marks[2].1, Mark::MakeUp);
        // Text and JSON round trips.
        assert_eq!(Schedule::parse(&s.to_text()).unwrap(), s);
        let json = serde_json::to_string_pretty(&s).unwrap();
        assert_eq!(Schedule::from_json(&json).unwrap(), s);
    }

    #[test]
    fn shipped_files_parse_and_round_trip() {
        let all = Schedule::shipped();
        assert_eq!(all.iter().map(|s| s.year).collect::<Vec<_>>(), [2024, 2025, 2026]);
        for s in all {
            assert_eq!(Schedule::parse(&s.to_text()).unwrap(), s);
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(Schedule::from_json(&json).unwrap(), s);
            for o in &s.days_off {
                assert!(s.document(&o.document).is_some());
            }
        }
    }

    #[test]
    fn a_bad_file_is_rejected_whole_with_every_problem_by_line() {
        let text = "year,2026\n\
            document,tdl,12729/VPCP-KGVX,2025-12-25,VPCP\n\
            off,2026-02-31,2026-02-31,holiday,tdl,Ngày không tồn tại\n\
            off,2026-01-05,2026-01-01,holiday,tdl,Ngược\n\
            off,2026-01-01,2026-01-01,vacation,tdl,Lý do lạ\n\
            work,2026-01-09,tdl,Thứ Sáu\n\
            work,2026-01-10,nope,Văn bản lạ\n\
            holiday,2026-01-01\n\
            off,2026-01-01\n\
            off,2026-04-30,2026-05-01,holiday,tdl,30/4\n\
            off,2026-05-01,2026-05-01,holiday,tdl,1/5 lặp\n\
            off,2027-06-01,2027-06-01,holiday,tdl,Năm khác\n\
            off,2026/09/02,2026-09-02,holiday,tdl,Sai dạng\n";
        let found = issues(text);
        let by_line: Vec<(usize, &str)> = found.iter().map(|i| (i.line.unwrap(), i.code)).collect();
        assert_eq!(
            by_line,
            [
                (3, "invalid_date"),
                (3, "invalid_date"),
                (4, "range_reversed"),
                (5, "unknown_reason"),
                (6, "make_up_not_rest_day"),
                (7, "unknown_document"),
                (8, "unknown_record"),
                (9, "field_count"),
                (11, "overlap"),
                (12, "outside_year"),
                (12, "outside_year"),
                (13, "date_format"),
            ]
        );
        let feb = &found[0];
        assert_eq!(feb.message_vi, "Ngày không hợp lệ: không có ngày 31 tháng 2 năm 2026");
        assert_eq!(feb.message_en, "invalid date: day 31 of month 2 of 2026 does not exist");
        let err = Schedule::parse(text).unwrap_err();
        assert_eq!(err.code(), "schedule_invalid");
        assert!(err.message_vi().starts_with("Tệp lịch nghỉ không hợp lệ (12 lỗi): dòng 3: Ngày không hợp lệ"));
    }

    #[test]
    fn file_level_problems() {
        let found = issues("# empty\n");
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line, found[0].code), (None, "missing_year"));
        let found = issues("year,abc\nyear,2026\n");
        assert_eq!(found.iter().map(|i| i.code).collect::<Vec<_>>(), ["bad_year", "missing_document"]);
        let found = issues("year,2026\nyear,2027\nrevision,0\nrevision,x\n");
        let codes: Vec<_> = found.iter().map(|i| (i.line, i.code)).collect();
        assert_eq!(
            codes,
            [(Some(2), "duplicate_year"), (Some(3), "bad_revision"), (Some(4), "duplicate_revision"), (None, "missing_document")]
        );
        let found = issues("year,2300\ndocument,a b,1,,t\ndocument,k,,,t\ndocument,k,,,t\n");
        let codes: Vec<_> = found.iter().map(|i| (i.line, i.code)).collect();
        assert_eq!(codes, [(Some(1), "year_out_of_range"), (Some(2), "bad_key"), (Some(4), "duplicate_document")]);
        // An entry citing a document whose own line is broken is not reported twice.
        let found = issues("year,2026\ndocument,d,1,2026-13-01,t\noff,2026-01-01,2026-01-01,holiday,d,x\n");
        assert_eq!(found.iter().map(|i| i.code).collect::<Vec<_>>(), ["invalid_date"]);
        let found = issues("year,2026\ndocument,d,1,,t\noff,2026-01-01,2026-03-01,holiday,d,x\n");
        assert_eq!(found[0].code, "range_too_long");
    }

    #[test]
    fn json_problems_carry_line_or_path() {
        let err = Schedule::from_json("{\n  \"year\": 2026,\n  \"documents\": [\n    {\"key\": 1}\n  ]\n}").unwrap_err();
        let CalendarError::ScheduleInvalid { issues } = err else { panic!() };
        assert_eq!((issues[0].line, issues[0].code), (Some(4), "json"));
        let bad_date = r#"{"year":2026,"documents":[],"days_off":[{"from":"2026-02-31","to":"2026-02-31","reason":"holiday","document":"d","label":"x"}]}"#;
        let CalendarError::ScheduleInvalid { issues } = Schedule::from_json(bad_date).unwrap_err() else { panic!() };
        assert_eq!(issues[0].code, "json");
        let semantic = r#"{"year":2026,"documents":[{"key":"d","number":null,"date":null,"title":"t"}],
            "days_off":[{"from":"2026-01-02","to":"2026-01-01","reason":"holiday","document":"d","label":"x"}],
            "make_up":[{"date":"2026-01-10","document":"e","label":"y"}]}"#;
        let CalendarError::ScheduleInvalid { issues } = Schedule::from_json(semantic).unwrap_err() else { panic!() };
        let got: Vec<_> = issues.iter().map(|i| (i.path.as_deref(), i.code)).collect();
        assert_eq!(got, [(Some("days_off[0]"), "range_reversed"), (Some("make_up[0]"), "unknown_document")]);
        // A JSON value that could not be written back in the line format is refused.
        let comma = r#"{"year":2026,"documents":[{"key":"d","number":"1,2","date":null,"title":"t"}]}"#;
        let CalendarError::ScheduleInvalid { issues } = Schedule::from_json(comma).unwrap_err() else { panic!() };
        assert_eq!(issues[0].code, "bad_number");
    }
}
