//! One procedure version ⇄ one table row.

use super::escape::{self, Tok, escape};
use super::{COLUMNS, CatalogRow, CellError, Column, Raw};
use jiff::civil::{Date, Time};
use motcua_domain::calendar::{CheckUnit, TimeLimit, TimeUnit};
use motcua_domain::catalog::{
    ApplicantType, Channel, CheckLevel, ComponentSpec, Counting, Decision, Digitization, DigitizationExclusion, Fee,
    FeeCollected, LegalBasis, Level, Method, OnlineLevel, ProcedureSpec, ResultSpec, Sector,
};
use motcua_domain::error::{FieldError, ValidationError};
use motcua_domain::text::fold;

// ---------------------------------------------------------------------------------------
// Codes. Export writes the serde names of the domain; import also takes Vietnamese aliases
// (compared folded: no diacritics, lowercase, `_` for spaces and hyphens).
// ---------------------------------------------------------------------------------------

/// Longest text the scalar parsers look at; longer input is refused without folding it.
const MAX_TOKEN: usize = 200;

fn norm(s: &str) -> String {
    if s.len() > MAX_TOKEN {
        return String::new();
    }
    fold(s).replace([' ', '-'], "_")
}

pub(crate) fn level_code(l: Level) -> &'static str {
    match l {
        Level::Province => "province",
        Level::Commune => "commune",
    }
}

fn parse_level(s: &str) -> Option<Level> {
    match norm(s).as_str() {
        "province" | "tinh" | "cap_tinh" => Some(Level::Province),
        "commune" | "xa" | "cap_xa" => Some(Level::Commune),
        _ => None,
    }
}

pub(crate) fn applicant_code(a: ApplicantType) -> &'static str {
    match a {
        ApplicantType::Citizen => "citizen",
        ApplicantType::Business => "business",
        ApplicantType::HouseholdBusiness => "household_business",
        ApplicantType::Organisation => "organisation",
        ApplicantType::Foreigner => "foreigner",
    }
}

fn parse_applicant(s: &str) -> Option<ApplicantType> {
    match norm(s).as_str() {
        "citizen" | "cong_dan" | "ca_nhan" => Some(ApplicantType::Citizen),
        "business" | "doanh_nghiep" => Some(ApplicantType::Business),
        "household_business" | "ho_kinh_doanh" => Some(ApplicantType::HouseholdBusiness),
        "organisation" | "organization" | "to_chuc" => Some(ApplicantType::Organisation),
        "foreigner" | "nguoi_nuoc_ngoai" => Some(ApplicantType::Foreigner),
        _ => None,
    }
}

pub(crate) fn channel_code(c: Channel) -> &'static str {
    match c {
        Channel::Counter => "counter",
        Channel::Online => "online",
        Channel::Postal => "postal",
    }
}

/// The 9th field of a component: empty when it is digitized, else why it is not.
fn parse_exclusion(s: &str) -> Option<DigitizationExclusion> {
    match norm(s).as_str() {
        "shared_data" => Some(DigitizationExclusion::SharedData),
        "paper_copy" => Some(DigitizationExclusion::PaperCopy),
        "show_only" | "xuat_trinh" => Some(DigitizationExclusion::ShowOnly),
        "secret" | "mat" => Some(DigitizationExclusion::Secret),
        _ => None,
    }
}

fn exclusion_code(r: DigitizationExclusion) -> &'static str {
    match r {
        DigitizationExclusion::SharedData => "shared_data",
        DigitizationExclusion::PaperCopy => "paper_copy",
        DigitizationExclusion::ShowOnly => "show_only",
        DigitizationExclusion::Secret => "secret",
    }
}

const EXCLUSIONS: &str = "shared_data, paper_copy, show_only, secret";

fn parse_channel(s: &str) -> Option<Channel> {
    match norm(s).as_str() {
        "counter" | "truc_tiep" => Some(Channel::Counter),
        "online" | "truc_tuyen" => Some(Channel::Online),
        "postal" | "buu_chinh" => Some(Channel::Postal),
        _ => None,
    }
}

pub(crate) fn online_level_code(l: OnlineLevel) -> &'static str {
    match l {
        OnlineLevel::Full => "full",
        OnlineLevel::Partial => "partial",
        OnlineLevel::None => "none",
    }
}

fn parse_online_level(s: &str) -> Option<OnlineLevel> {
    match norm(s).as_str() {
        "full" | "toan_trinh" => Some(OnlineLevel::Full),
        "partial" | "mot_phan" => Some(OnlineLevel::Partial),
        "none" | "khong" | "khong_co" => Some(OnlineLevel::None),
        _ => None,
    }
}

pub(crate) fn collected_code(c: FeeCollected) -> &'static str {
    match c {
        FeeCollected::AtReception => "at_reception",
        FeeCollected::AtResult => "at_result",
        FeeCollected::BeforeProcessing => "before_processing",
    }
}

fn parse_collected(s: &str) -> Option<FeeCollected> {
    match norm(s).as_str() {
        "at_reception" | "khi_nop_ho_so" | "khi_tiep_nhan" => Some(FeeCollected::AtReception),
        "at_result" | "khi_tra_ket_qua" | "khi_nhan_ket_qua" => Some(FeeCollected::AtResult),
        "before_processing" | "truoc_khi_giai_quyet" => Some(FeeCollected::BeforeProcessing),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Scalar parsers. A problem is (code, Vietnamese, English).
// ---------------------------------------------------------------------------------------

pub(crate) type Problem = (&'static str, String, String);

/// At most 60 characters of untrusted input, for messages.
pub(crate) fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

fn yes_no(b: bool) -> &'static str {
    if b { "có" } else { "không" }
}

/// `có`/`không`, and true/false, 1/0, x, yes/no, đúng/sai.
pub(crate) fn parse_bool(s: &str) -> Result<bool, Problem> {
    match norm(s.trim()).as_str() {
        "co" | "true" | "1" | "x" | "yes" | "y" | "dung" => Ok(true),
        "khong" | "false" | "0" | "no" | "n" | "sai" => Ok(false),
        _ => Err((
            "bool_format",
            format!("\"{}\" không phải là có/không.", shorten(s)),
            format!("\"{}\" is not có/không (yes/no).", shorten(s)),
        )),
    }
}

fn parse_u8(s: &str) -> Result<u8, Problem> {
    s.trim().parse::<u8>().map_err(|_| {
        (
            "number_format",
            format!("\"{}\" không phải là số nguyên từ 0 đến 255.", shorten(s)),
            format!("\"{}\" is not a whole number from 0 to 255.", shorten(s)),
        )
    })
}

/// An amount in đồng: `50000`, `50.000`, `50,000`, `50 000`, optionally followed by `đ`,
/// `đồng` or `VND`.
fn parse_amount(s: &str) -> Result<i64, Problem> {
    let bad = || {
        (
            "amount_format",
            format!("\"{}\" không phải là số tiền (đồng), ví dụ 50000.", shorten(s)),
            format!("\"{}\" is not an amount in đồng, e.g. 50000.", shorten(s)),
        )
    };
    if s.len() > MAX_TOKEN {
        return Err(bad());
    }
    let mut t = fold(s.trim());
    for suffix in ["dong", "vnd", "d"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.trim_end().to_string();
            break;
        }
    }
    let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let (sign, body) = match t.strip_prefix('-') {
        Some(b) => (-1, b),
        None => (1, t.as_str()),
    };
    if body.is_empty() {
        return Err(bad());
    }
    let digits: String = if body.contains(['.', ',']) {
        // Thousands separators: one kind, groups of three after the first.
        let sep = if body.contains('.') { '.' } else { ',' };
        if body.contains('.') && body.contains(',') {
            return Err(bad());
        }
        let groups: Vec<&str> = body.split(sep).collect();
        let ok = groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
            && (1..=3).contains(&groups[0].len())
            && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return Err(bad());
        }
        groups.concat()
    } else {
        body.to_string()
    };
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    digits.parse::<i64>().map(|v| sign * v).map_err(|_| bad())
}

/// `YYYY-MM-DD`, or `DD/MM/YYYY` as written in Vietnam.
pub(crate) fn parse_date(s: &str) -> Result<Date, Problem> {
    let t = s.trim();
    let bad = || {
        (
            "date_format",
            format!("\"{}\" không phải là ngày theo dạng NNNN-TT-NN (năm-tháng-ngày).", shorten(s)),
            format!("\"{}\" is not a date in the form YYYY-MM-DD.", shorten(s)),
        )
    };
    let num = |p: &str, max_len: usize| -> Option<i16> {
        (!p.is_empty() && p.len() <= max_len && p.chars().all(|c| c.is_ascii_digit())).then(|| p.parse().ok()).flatten()
    };
    let parts: Vec<&str> = if t.contains('/') { t.split('/').rev().collect() } else { t.split('-').collect() };
    let [y, m, d] = parts.as_slice() else { return Err(bad()) };
    if y.len() != 4 {
        return Err(bad());
    }
    let (Some(y), Some(m), Some(d)) = (num(y, 4), num(m, 2), num(d, 2)) else { return Err(bad()) };
    let (Ok(m8), Ok(d8)) = (i8::try_from(m), i8::try_from(d)) else { return Err(bad()) };
    Date::new(y, m8, d8).map_err(|_| {
        (
            "invalid_date",
            format!("Ngày không hợp lệ: không có ngày {d} tháng {m} năm {y}."),
            format!("Invalid date: day {d} of month {m} of {y} does not exist."),
        )
    })
}

/// `15:00`, `15:00:30`, `15h`, `15h30`, `7:30`.
fn parse_time(s: &str) -> Result<Time, Problem> {
    let bad = || {
        (
            "time_format",
            format!("\"{}\" không phải là giờ theo dạng GG:PP, ví dụ 15:00.", shorten(s)),
            format!("\"{}\" is not a time of day in the form HH:MM, e.g. 15:00.", shorten(s)),
        )
    };
    let t = s.trim().to_lowercase().replace(['h', 'g'], ":");
    let t = t.strip_suffix(':').map(|x| format!("{x}:00")).unwrap_or(t);
    let parts: Vec<&str> = t.split(':').collect();
    let small = |p: &str| -> Option<i8> {
        (!p.is_empty() && p.len() <= 2 && p.chars().all(|c| c.is_ascii_digit())).then(|| p.parse().ok()).flatten()
    };
    match parts.as_slice() {
        [h, m] => {
            let (Some(h), Some(m)) = (small(h), small(m)) else { return Err(bad()) };
            Time::new(h, m, 0, 0).map_err(|_| bad())
        }
        [h, m, sec] if small(sec).is_some() => {
            let (Some(h), Some(m), Some(sec)) = (small(h), small(m), small(sec)) else { return Err(bad()) };
            Time::new(h, m, sec, 0).map_err(|_| bad())
        }
        // Fractional seconds, as exported for such (unusual) times.
        _ => t.parse::<Time>().map_err(|_| bad()),
    }
}

fn format_time(t: Time) -> String {
    if t.second() == 0 && t.subsec_nanosecond() == 0 { format!("{:02}:{:02}", t.hour(), t.minute()) } else { t.to_string() }
}

/// `15 working_days`, `15 ngay_lam_viec`, `15 ngày làm việc`, `trong ngày`.
pub(crate) fn parse_time_limit(s: &str) -> Result<TimeLimit, Problem> {
    let t = s.trim();
    let bad = || {
        (
            "time_limit_format",
            format!(
                "\"{}\" không phải là thời hạn hợp lệ, ví dụ \"15 working_days\", \"15 ngay_lam_viec\" hoặc \"trong ngày\".",
                shorten(s)
            ),
            format!(
                "\"{}\" is not a time limit such as \"15 working_days\", \"15 ngay_lam_viec\" or \"trong ngày\".",
                shorten(s)
            ),
        )
    };
    if t.len() > MAX_TOKEN {
        return Err(bad());
    }
    let folded = fold(t);
    if folded == "trong ngay" || folded == "trong_ngay" {
        return Ok(TimeLimit::WITHIN_DAY);
    }
    let Some((number, unit)) = folded.split_once(char::is_whitespace) else { return Err(bad()) };
    let value: i64 = number.parse().map_err(|_| bad())?;
    let unit = unit.split_whitespace().collect::<Vec<_>>().join("_");
    let unit = match TimeUnit::parse(&unit) {
        Ok(u) => u,
        Err(_) => match unit.as_str() {
            "ngay_lam_viec" | "working_day" => TimeUnit::WorkingDays,
            "ngay" | "day" => TimeUnit::Days,
            "gio" | "gio_lam_viec" | "hour" => TimeUnit::Hours,
            "thang" | "month" => TimeUnit::Months,
            _ => {
                return Err((
                    "unknown_time_unit",
                    format!(
                        "Đơn vị thời gian \"{}\" không hợp lệ (dùng working_days, days, hours, months hoặc ngay_lam_viec, ngay, gio, thang).",
                        shorten(&unit)
                    ),
                    format!(
                        "Unknown time unit \"{}\" (use working_days, days, hours, months or ngay_lam_viec, ngay, gio, thang).",
                        shorten(&unit)
                    ),
                ));
            }
        },
    };
    TimeLimit::new(value, unit).map_err(|e| (e.code(), e.message_vi(), e.message_en()))
}

/// `1 working_days`, `8 hours`, `1 ngay_lam_viec`, `8 giờ`: the online check level. The
/// number's bounds are the catalog's check (`invalid_check_level`).
pub(crate) fn parse_check_level(s: &str) -> Result<CheckLevel, Problem> {
    let bad = || {
        (
            "invalid_check_level",
            format!("\"{}\" không phải là thời hạn kiểm tra hợp lệ, ví dụ \"1 working_days\" hoặc \"8 hours\".", shorten(s)),
            format!("\"{}\" is not a check level such as \"1 working_days\" or \"8 hours\".", shorten(s)),
        )
    };
    let t = s.trim();
    if t.len() > MAX_TOKEN {
        return Err(bad());
    }
    let folded = fold(t);
    let Some((number, unit)) = folded.split_once(char::is_whitespace) else { return Err(bad()) };
    let amount: i64 = number.parse().map_err(|_| bad())?;
    let unit = match unit.split_whitespace().collect::<Vec<_>>().join("_").as_str() {
        "working_days" | "working_day" | "ngay_lam_viec" => CheckUnit::WorkingDays,
        "hours" | "hour" | "gio" | "gio_lam_viec" => CheckUnit::Hours,
        _ => return Err(bad()),
    };
    Ok(CheckLevel { amount, unit })
}

/// A number cell as text: integers without a decimal point.
fn format_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

/// Any cell as plain text (headers, free-text columns).
pub(crate) fn raw_to_plain_text(raw: &Raw) -> String {
    match raw {
        Raw::Text(s) => s.clone(),
        Raw::Number(f) => format_number(*f),
        Raw::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Raw::DateTime { date: Some(d), .. } => d.to_string(),
        Raw::DateTime { date: None, time: Some(t) } => format_time(*t),
        Raw::DateTime { date: None, time: None } => String::new(),
        Raw::Error(e) => e.clone(),
    }
}

// ---------------------------------------------------------------------------------------
// Export.
// ---------------------------------------------------------------------------------------

/// Fields of one list item joined with ` | `, trailing empty fields left out.
fn item(mut fields: Vec<String>) -> String {
    while fields.len() > 1 && fields.last().is_some_and(String::is_empty) {
        fields.pop();
    }
    fields.join(" | ")
}

fn opt_date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// The cells of one row, in [`Column::ALL`] order.
pub(crate) fn encode(spec: &ProcedureSpec, effective_from: Option<Date>) -> [String; COLUMNS] {
    Column::ALL.map(|c| encode_cell(spec, effective_from, c))
}

fn encode_cell(s: &ProcedureSpec, effective_from: Option<Date>, column: Column) -> String {
    let e = |t: &str| escape(t, &[]);
    match column {
        Column::Code => s.code.clone(),
        Column::Name => s.name.clone(),
        Column::SectorCode => s.sector.code.clone(),
        Column::SectorName => s.sector.name.clone(),
        Column::Levels => s.levels.iter().map(|l| level_code(*l)).collect::<Vec<_>>().join(", "),
        Column::ImplementingAgency => s.implementing_agency.clone(),
        Column::AgencyCode => s.agency_code.clone().unwrap_or_default(),
        Column::ApplicantTypes => s.applicant_types.iter().map(|a| applicant_code(*a)).collect::<Vec<_>>().join(", "),
        Column::TargetSubjects => s.target_subjects.clone(),
        Column::Steps => s.steps.iter().map(|x| e(x)).collect::<Vec<_>>().join("\n"),
        Column::Methods => s
            .methods
            .iter()
            .map(|m| item(vec![channel_code(m.channel).to_string(), e(&m.description)]))
            .collect::<Vec<_>>()
            .join("\n"),
        Column::Components => s
            .components
            .iter()
            .map(|c| {
                item(vec![
                    e(&c.key),
                    e(&c.name),
                    c.originals.to_string(),
                    c.copies.to_string(),
                    yes_no(c.required).to_string(),
                    c.alternatives.iter().map(|a| escape(a, &[';'])).collect::<Vec<_>>().join("; "),
                    c.template.as_deref().map(e).unwrap_or_default(),
                    c.note.as_deref().map(e).unwrap_or_default(),
                    c.locker_kinds.iter().map(|k| escape(k, &[';'])).collect::<Vec<_>>().join("; "),
                    c.digitization.excluded().map_or("", exclusion_code).to_string(),
                ])
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Column::Sets => s.sets.to_string(),
        Column::TimeLimit => s.time_limit.to_string(),
        Column::ResultName => s.result.name.clone(),
        Column::ResultPaperRequired => yes_no(s.result.paper_required).to_string(),
        Column::Fees => s
            .fees
            .iter()
            .map(|f| {
                item(vec![
                    e(&f.name),
                    f.amount.to_string(),
                    collected_code(f.collected).to_string(),
                    f.exemptions.as_deref().map(e).unwrap_or_default(),
                ])
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Column::LegalBasis => s
            .legal_basis
            .iter()
            .map(|l| item(vec![e(&l.number), e(&l.title), opt_date(l.issued), opt_date(l.effective)]))
            .collect::<Vec<_>>()
            .join("\n"),
        Column::DecisionNumber => s.decision.number.clone(),
        Column::DecisionDate => s.decision.date.to_string(),
        Column::OnlineLevel => online_level_code(s.online_level).to_string(),
        Column::FullOnlineEligible => yes_no(s.full_online_eligible).to_string(),
        Column::PostalExcluded => yes_no(s.postal_excluded).to_string(),
        Column::OnlineOnly => yes_no(s.online_only).to_string(),
        Column::SameDayCutoff => s.counting.same_day_cutoff.map(format_time).unwrap_or_default(),
        Column::OutOfHoursNext => yes_no(s.counting.out_of_hours_next).to_string(),
        Column::PaymentPausesClock => yes_no(s.counting.payment_pauses_clock).to_string(),
        // Empty for the general level (1 working day), as the spec leaves it out.
        Column::ReceptionCheck if s.reception_check.is_general() => String::new(),
        Column::ReceptionCheck => format!("{} {}", s.reception_check.amount, s.reception_check.unit.code()),
        Column::Conditions => s.conditions.clone().unwrap_or_default(),
        Column::EffectiveFrom => opt_date(effective_from),
    }
}

// ---------------------------------------------------------------------------------------
// Import.
// ---------------------------------------------------------------------------------------

/// The normalised procedure code of a row, for the duplicate check.
pub(crate) fn code_key(slots: &[Option<Raw>; COLUMNS]) -> Option<String> {
    match &slots[Column::Code.index()] {
        Some(Raw::Text(s)) => Some(s.trim().to_ascii_uppercase()).filter(|k| !k.is_empty()),
        _ => None,
    }
}

/// The fields of one list item, unescaped and trimmed, with the line it came from.
struct Item {
    line: usize,
    fields: Vec<Vec<Tok>>,
}

impl Item {
    fn text(&self, i: usize) -> String {
        self.fields.get(i).map(|f| escape::text(f)).unwrap_or_default()
    }
    fn opt_text(&self, i: usize) -> Option<String> {
        Some(self.text(i)).filter(|s| !s.is_empty())
    }
}

struct RowReader<'a> {
    row: usize,
    slots: &'a [Option<Raw>; COLUMNS],
    present: &'a [bool; COLUMNS],
    errors: Vec<CellError>,
    /// Columns that could not be read (or are missing): validation errors about them, or
    /// depending on them, would only repeat or mislead.
    failed: [bool; COLUMNS],
    /// For list columns: the cell line each kept item came from.
    item_lines: [Vec<usize>; COLUMNS],
}

impl<'a> RowReader<'a> {
    fn fail(&mut self, column: Column, (code, vi, en): Problem) {
        self.failed[column.index()] = true;
        self.errors.push(CellError::new(self.row, column.key(), code, vi, en));
    }

    fn fail_line(&mut self, column: Column, line: usize, (code, vi, en): Problem) {
        self.fail(column, (code, format!("Dòng {line} trong ô: {vi}"), format!("Line {line} of the cell: {en}")));
    }

    fn raw(&self, column: Column) -> Option<&'a Raw> {
        self.slots[column.index()].as_ref().filter(|r| !r.is_blank())
    }

    /// Free text, as written.
    fn text(&mut self, column: Column) -> String {
        match self.raw(column) {
            None => String::new(),
            Some(Raw::Error(e)) => {
                let e = shorten(e);
                self.fail(
                    column,
                    (
                        "excel_error",
                        format!("Ô chứa giá trị lỗi của Excel ({e})."),
                        format!("The cell holds an Excel error value ({e})."),
                    ),
                );
                String::new()
            }
            Some(r) => raw_to_plain_text(r),
        }
    }

    /// An identifier: surrounding whitespace removed.
    fn ident(&mut self, column: Column) -> String {
        self.text(column).trim().to_string()
    }

    fn opt_ident(&mut self, column: Column) -> Option<String> {
        Some(self.ident(column)).filter(|s| !s.is_empty())
    }

    fn required(&mut self, column: Column) {
        if self.present[column.index()] {
            self.fail(column, ("required", "Ô này không được để trống.".to_string(), "This cell cannot be empty.".to_string()));
        }
    }

    /// A typed cell read from its text, `None` when empty or unreadable.
    fn typed<T>(&mut self, column: Column, parse: impl Fn(&str) -> Result<T, Problem>) -> Option<T> {
        let t = self.text(column);
        if t.trim().is_empty() {
            return None;
        }
        match parse(&t) {
            Ok(v) => Some(v),
            Err(p) => {
                self.fail(column, p);
                None
            }
        }
    }

    fn bool_cell(&mut self, column: Column) -> Option<bool> {
        match self.raw(column) {
            Some(Raw::Bool(b)) => Some(*b),
            Some(Raw::Number(f)) if *f == 0.0 || *f == 1.0 => Some(*f == 1.0),
            _ => self.typed(column, parse_bool),
        }
    }

    fn date_cell(&mut self, column: Column) -> Option<Date> {
        match self.raw(column) {
            Some(Raw::DateTime { date: Some(d), .. }) => Some(*d),
            Some(Raw::DateTime { date: None, .. }) => {
                self.fail(
                    column,
                    (
                        "date_format",
                        "Ô không chứa một ngày hợp lệ.".to_string(),
                        "The cell does not hold a valid date.".to_string(),
                    ),
                );
                None
            }
            _ => self.typed(column, parse_date),
        }
    }

    fn time_cell(&mut self, column: Column) -> Option<Time> {
        match self.raw(column) {
            Some(Raw::DateTime { time: Some(t), .. }) => Some(*t),
            Some(Raw::Number(f)) if (0.0..1.0).contains(f) => {
                // Excel keeps a time as a fraction of a day.
                let secs = (f * 86_400.0).round() as i64;
                Time::new((secs / 3600) as i8, (secs / 60 % 60) as i8, (secs % 60) as i8, 0).ok()
            }
            _ => self.typed(column, parse_time),
        }
    }

    fn u8_cell(&mut self, column: Column) -> Option<u8> {
        match self.raw(column) {
            Some(Raw::Number(f)) if f.fract() == 0.0 && (0.0..=255.0).contains(f) => Some(*f as u8),
            _ => self.typed(column, parse_u8),
        }
    }

    fn code_list<T>(&mut self, column: Column, parse: fn(&str) -> Option<T>, codes: &str) -> Vec<T> {
        let t = self.text(column);
        let mut out = Vec::new();
        let mut unknown = Vec::new();
        for part in t.split([',', ';', '\n', '\r']).map(str::trim).filter(|p| !p.is_empty()) {
            match parse(part) {
                Some(v) => out.push(v),
                None => unknown.push(shorten(part)),
            }
        }
        if !unknown.is_empty() {
            let list = unknown.join(", ");
            self.fail(
                column,
                (
                    "unknown_code",
                    format!("Mã không hợp lệ: {list} (dùng {codes})."),
                    format!("Unknown code(s): {list} (use {codes})."),
                ),
            );
        }
        out
    }

    /// The non-blank lines of a list cell, split into fields; lines with more than `max`
    /// fields are reported and left out.
    fn items(&mut self, column: Column, max: usize, layout_vi: &str, layout_en: &str) -> Vec<Item> {
        let t = self.text(column);
        let mut out = Vec::new();
        for (line, text) in escape::lines(&t) {
            let toks = escape::tokenize(&text);
            let toks = escape::trim(&toks);
            if toks.is_empty() {
                continue;
            }
            let fields: Vec<Vec<Tok>> = escape::split(toks, '|').into_iter().map(|f| escape::trim(f).to_vec()).collect();
            if fields.len() > max {
                self.fail_line(
                    column,
                    line,
                    (
                        "too_many_fields",
                        format!(
                            "có {} trường, nhiều hơn {max} trường ({layout_vi}); dấu | trong nội dung phải viết là \\|.",
                            fields.len()
                        ),
                        format!("{} fields, more than {max} ({layout_en}); a | inside a field is written \\|.", fields.len()),
                    ),
                );
                continue;
            }
            out.push(Item { line, fields });
        }
        out
    }

    /// Parses a field of an item, reporting a problem on the item's line.
    fn field<T>(&mut self, column: Column, item: &Item, i: usize, parse: impl Fn(&str) -> Result<T, Problem>) -> Option<T> {
        match parse(&item.text(i)) {
            Ok(v) => Some(v),
            Err(p) => {
                self.fail_line(column, item.line, p);
                None
            }
        }
    }

    fn keep_lines(&mut self, column: Column, lines: Vec<usize>) {
        self.item_lines[column.index()] = lines;
    }
}

fn required_field(what_vi: &'static str, what_en: &'static str) -> impl Fn(&str) -> Result<String, Problem> {
    move |s: &str| {
        if s.trim().is_empty() {
            Err(("required", format!("thiếu {what_vi}."), format!("the {what_en} is missing.")))
        } else {
            Ok(s.to_string())
        }
    }
}

fn code_field<T>(parse: fn(&str) -> Option<T>, codes: &'static str) -> impl Fn(&str) -> Result<T, Problem> {
    move |s: &str| {
        parse(s).ok_or_else(|| {
            if s.trim().is_empty() {
                ("required", format!("thiếu mã ({codes})."), format!("the code is missing ({codes})."))
            } else {
                (
                    "unknown_code",
                    format!("mã \"{}\" không hợp lệ (dùng {codes}).", shorten(s)),
                    format!("unknown code \"{}\" (use {codes}).", shorten(s)),
                )
            }
        })
    }
}

fn opt_field<T>(parse: fn(&str) -> Result<T, Problem>) -> impl Fn(&str) -> Result<Option<T>, Problem> {
    move |s: &str| if s.trim().is_empty() { Ok(None) } else { parse(s).map(Some) }
}

const CHANNELS: &str = "counter, online, postal";
const COLLECTED: &str = "at_reception, at_result, before_processing";

/// Reads one data row; every problem of the row is returned.
pub(crate) fn decode_row(
    row: usize,
    slots: &[Option<Raw>; COLUMNS],
    present: &[bool; COLUMNS],
) -> Result<CatalogRow, Vec<CellError>> {
    let mut failed = [false; COLUMNS];
    for c in Column::ALL {
        failed[c.index()] = c.required() && !present[c.index()];
    }
    let mut r = RowReader { row, slots, present, errors: Vec::new(), failed, item_lines: std::array::from_fn(|_| Vec::new()) };

    let code = match r.raw(Column::Code) {
        Some(Raw::Number(f)) => {
            let shown = format_number(*f);
            r.fail(
                Column::Code,
                (
                    "code_as_number",
                    format!("Mã thủ tục {shown} được lưu dạng số nên có thể đã mất chữ số 0 ở cuối; hãy định dạng cột là văn bản (Text) và nhập lại."),
                    format!("Procedure code {shown} is stored as a number and may have lost trailing zeros; format the column as Text and enter it again."),
                ),
            );
            String::new()
        }
        _ => r.ident(Column::Code),
    };
    let name = r.text(Column::Name);
    let sector = Sector { code: r.ident(Column::SectorCode), name: r.text(Column::SectorName) };
    let levels = r.code_list(Column::Levels, parse_level, "province, commune");
    let implementing_agency = r.text(Column::ImplementingAgency);
    let agency_code = r.opt_ident(Column::AgencyCode);
    let applicant_types =
        r.code_list(Column::ApplicantTypes, parse_applicant, "citizen, business, household_business, organisation, foreigner");
    let target_subjects = r.text(Column::TargetSubjects);

    // Steps: one per line; a step is not split on `|`.
    let steps_text = r.text(Column::Steps);
    let mut steps = Vec::new();
    let mut step_lines = Vec::new();
    for (line, text) in escape::lines(&steps_text) {
        let toks = escape::tokenize(&text);
        let toks = escape::trim(&toks);
        if !toks.is_empty() {
            steps.push(escape::text(toks));
            step_lines.push(line);
        }
    }
    r.keep_lines(Column::Steps, step_lines);

    let mut methods = Vec::new();
    let mut lines = Vec::new();
    for it in r.items(Column::Methods, 2, "kênh | mô tả", "channel | description") {
        if let Some(channel) = r.field(Column::Methods, &it, 0, code_field(parse_channel, CHANNELS)) {
            methods.push(Method { channel, description: it.text(1) });
            lines.push(it.line);
        }
    }
    r.keep_lines(Column::Methods, lines);

    let mut components = Vec::new();
    let mut lines = Vec::new();
    let layout_vi =
        "mã | tên | bản chính | bản sao | bắt buộc | giấy tờ thay thế | tệp mẫu | ghi chú | kho dữ liệu | không số hóa";
    let layout_en = "key | name | originals | copies | required | alternatives | template | note | locker kinds | not digitized";
    for it in r.items(Column::Components, 10, layout_vi, layout_en) {
        let count = |s: &str| if s.trim().is_empty() { Ok(0) } else { parse_u8(s) };
        let originals = r.field(Column::Components, &it, 2, count);
        let copies = r.field(Column::Components, &it, 3, count);
        let required = r.field(Column::Components, &it, 4, |s: &str| if s.trim().is_empty() { Ok(true) } else { parse_bool(s) });
        let list = |i: usize| {
            it.fields
                .get(i)
                .map(|f| {
                    escape::split(f, ';')
                        .into_iter()
                        .map(escape::trim)
                        .filter(|a| !a.is_empty())
                        .map(escape::text)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        let alternatives = list(5);
        let locker_kinds = list(8);
        let digitization = r.field(Column::Components, &it, 9, |s: &str| {
            if s.trim().is_empty() {
                Ok(Digitization::Required)
            } else {
                code_field(parse_exclusion, EXCLUSIONS)(s).map(Digitization::Excluded)
            }
        });
        if let (Some(originals), Some(copies), Some(required), Some(digitization)) = (originals, copies, required, digitization) {
            components.push(ComponentSpec {
                key: it.text(0),
                name: it.text(1),
                originals,
                copies,
                required,
                alternatives,
                template: it.opt_text(6),
                note: it.opt_text(7),
                locker_kinds,
                digitization,
            });
            lines.push(it.line);
        }
    }
    r.keep_lines(Column::Components, lines);

    let sets = if r.present[Column::Sets.index()] && r.raw(Column::Sets).is_some() { r.u8_cell(Column::Sets) } else { Some(1) };
    let time_limit = r.typed(Column::TimeLimit, parse_time_limit);
    if time_limit.is_none() && r.raw(Column::TimeLimit).is_none() {
        r.required(Column::TimeLimit);
    }
    let result_name = r.text(Column::ResultName);
    let paper_required = r.bool_cell(Column::ResultPaperRequired);
    if paper_required.is_none() && r.raw(Column::ResultPaperRequired).is_none() {
        r.required(Column::ResultPaperRequired);
    }

    let mut fees = Vec::new();
    let mut lines = Vec::new();
    for it in r.items(Column::Fees, 4, "tên | số tiền | thời điểm thu | miễn, giảm", "name | amount | collected | exemptions")
    {
        let amount = r.field(Column::Fees, &it, 1, |s: &str| {
            if s.trim().is_empty() {
                Err(("required", "thiếu số tiền.".to_string(), "the amount is missing.".to_string()))
            } else {
                parse_amount(s)
            }
        });
        let collected = r.field(Column::Fees, &it, 2, code_field(parse_collected, COLLECTED));
        if let (Some(amount), Some(collected)) = (amount, collected) {
            fees.push(Fee { name: it.text(0), amount, collected, exemptions: it.opt_text(3) });
            lines.push(it.line);
        }
    }
    r.keep_lines(Column::Fees, lines);

    let mut legal_basis = Vec::new();
    let mut lines = Vec::new();
    for it in r.items(
        Column::LegalBasis,
        4,
        "số hiệu | trích yếu | ngày ban hành | ngày hiệu lực",
        "number | title | issued | effective",
    ) {
        let number = r.field(Column::LegalBasis, &it, 0, required_field("số hiệu văn bản", "document number"));
        let issued = r.field(Column::LegalBasis, &it, 2, opt_field(parse_date));
        let effective = r.field(Column::LegalBasis, &it, 3, opt_field(parse_date));
        if let (Some(number), Some(issued), Some(effective)) = (number, issued, effective) {
            legal_basis.push(LegalBasis { number, title: it.text(1), issued, effective });
            lines.push(it.line);
        }
    }
    r.keep_lines(Column::LegalBasis, lines);

    let decision_number = r.ident(Column::DecisionNumber);
    let decision_date = r.date_cell(Column::DecisionDate);
    if decision_date.is_none() && r.raw(Column::DecisionDate).is_none() {
        r.required(Column::DecisionDate);
    }
    let online_level = r.typed(Column::OnlineLevel, code_field(parse_online_level, "full, partial, none"));
    if online_level.is_none() && r.raw(Column::OnlineLevel).is_none() {
        r.required(Column::OnlineLevel);
    }
    let full_online_eligible = r.bool_cell(Column::FullOnlineEligible).unwrap_or(false);
    let postal_excluded = r.bool_cell(Column::PostalExcluded).unwrap_or(false);
    let online_only = r.bool_cell(Column::OnlineOnly).unwrap_or(false);
    let same_day_cutoff = r.time_cell(Column::SameDayCutoff);
    let out_of_hours_next = r.bool_cell(Column::OutOfHoursNext).unwrap_or(false);
    let payment_pauses_clock = r.bool_cell(Column::PaymentPausesClock).unwrap_or(false);
    let reception_check = r.typed(Column::ReceptionCheck, parse_check_level).unwrap_or_default();
    let conditions = Some(r.text(Column::Conditions)).filter(|s| !s.trim().is_empty());
    let effective_from = r.date_cell(Column::EffectiveFrom);

    // Placeholders where a cell could not be read: validation still runs, and its errors
    // about failed columns are dropped.
    let spec = ProcedureSpec {
        code,
        name,
        sector,
        levels,
        implementing_agency,
        agency_code,
        applicant_types,
        target_subjects,
        steps,
        methods,
        components,
        sets: sets.unwrap_or(1),
        time_limit: time_limit.unwrap_or(TimeLimit::WITHIN_DAY),
        result: ResultSpec { name: result_name, paper_required: paper_required.unwrap_or(false) },
        fees,
        legal_basis,
        decision: Decision { number: decision_number, date: decision_date.unwrap_or(jiff::civil::date(2000, 1, 1)) },
        online_level: online_level.unwrap_or(OnlineLevel::None),
        full_online_eligible,
        postal_excluded,
        online_only,
        counting: Counting { same_day_cutoff, out_of_hours_next, payment_pauses_clock },
        // The table has no columns for the supplement rule yet: the general rule.
        supplement: Default::default(),
        reception_check,
        conditions,
    };
    let snapshot_sector_code_empty = spec.sector.code.trim().is_empty();
    match spec.validate() {
        Ok(spec) if r.errors.is_empty() => Ok(CatalogRow { row, spec, effective_from }),
        Ok(_) => Err(r.errors),
        Err(ValidationError(field_errors)) => {
            for fe in field_errors {
                if let Some(e) = map_field_error(&r, &fe, snapshot_sector_code_empty) {
                    r.errors.push(e);
                }
            }
            Err(r.errors)
        }
    }
}

/// The columns a cross-field rule of `ProcedureSpec::validate` reads, by error code.
fn depends_on(code: &str) -> &'static [Column] {
    match code {
        "online_only_without_service" => &[Column::OnlineOnly, Column::OnlineLevel],
        "online_method_missing" => &[Column::OnlineLevel, Column::Methods],
        "postal_contradiction" => &[Column::PostalExcluded, Column::Methods],
        _ => &[],
    }
}

/// The column a field path of a validation error (`components[2].key`, `sector`, `code`)
/// belongs to, and the cell line for list items; `None` when the error only repeats or
/// follows from a cell that could not be read.
fn map_field_error(r: &RowReader<'_>, fe: &FieldError, sector_code_empty: bool) -> Option<CellError> {
    let path = fe.field.as_str();
    let head_end = path.find(['[', '.']).unwrap_or(path.len());
    let head = &path[..head_end];
    let index: Option<usize> =
        path[head_end..].strip_prefix('[').and_then(|rest| rest.split(']').next()).and_then(|n| n.parse().ok());
    let tail = path.rsplit_once('.').map(|(_, t)| t).filter(|_| path.contains('.'));
    let column = match (head, tail) {
        ("sector", Some("code")) => Some(Column::SectorCode),
        ("sector", Some("name")) => Some(Column::SectorName),
        ("sector", _) => Some(if sector_code_empty { Column::SectorCode } else { Column::SectorName }),
        ("result", Some("paper_required")) => Some(Column::ResultPaperRequired),
        ("result", _) => Some(Column::ResultName),
        ("decision", Some("date")) => Some(Column::DecisionDate),
        ("decision", _) => Some(Column::DecisionNumber),
        ("counting", Some("out_of_hours_next")) => Some(Column::OutOfHoursNext),
        ("counting", Some("payment_pauses_clock")) => Some(Column::PaymentPausesClock),
        ("counting", _) => Some(Column::SameDayCutoff),
        (h, _) => Column::from_key(h),
    };
    // An error about one item of a list still stands when another line of the cell could
    // not be read; an error about the whole cell, or following from a failed cell, does not.
    if let Some(c) = column
        && ((r.failed[c.index()] && index.is_none()) || depends_on(fe.code).iter().any(|d| r.failed[d.index()]))
    {
        return None;
    }
    let line = column.zip(index).and_then(|(c, i)| r.item_lines[c.index()].get(i).copied());
    let (vi, en) = match line {
        Some(l) => (format!("Dòng {l} trong ô: {}", fe.message_vi), format!("Line {l} of the cell: {}", fe.message_en)),
        None => (fe.message_vi.clone(), fe.message_en.clone()),
    };
    let key = column.map_or_else(|| fe.field.clone(), |c| c.key().to_string());
    Some(CellError::new(r.row, key, fe.code, vi, en))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn codes_are_the_serde_names() {
        let j = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
        for l in [Level::Province, Level::Commune] {
            assert_eq!(level_code(l), j(serde_json::to_value(l).unwrap_or_default()));
            assert_eq!(parse_level(level_code(l)), Some(l));
        }
        for a in [
            ApplicantType::Citizen,
            ApplicantType::Business,
            ApplicantType::HouseholdBusiness,
            ApplicantType::Organisation,
            ApplicantType::Foreigner,
        ] {
            assert_eq!(applicant_code(a), j(serde_json::to_value(a).unwrap_or_default()));
            assert_eq!(parse_applicant(applicant_code(a)), Some(a));
        }
        for c in [Channel::Counter, Channel::Online, Channel::Postal] {
            assert_eq!(channel_code(c), j(serde_json::to_value(c).unwrap_or_default()));
            assert_eq!(parse_channel(channel_code(c)), Some(c));
        }
        for o in [OnlineLevel::Full, OnlineLevel::Partial, OnlineLevel::None] {
            assert_eq!(online_level_code(o), j(serde_json::to_value(o).unwrap_or_default()));
            assert_eq!(parse_online_level(online_level_code(o)), Some(o));
        }
        for f in [FeeCollected::AtReception, FeeCollected::AtResult, FeeCollected::BeforeProcessing] {
            assert_eq!(collected_code(f), j(serde_json::to_value(f).unwrap_or_default()));
            assert_eq!(parse_collected(collected_code(f)), Some(f));
        }
        assert_eq!(parse_level("Cấp xã"), Some(Level::Commune));
        assert_eq!(parse_channel("Trực tuyến"), Some(Channel::Online));
        assert_eq!(parse_online_level("Toàn trình"), Some(OnlineLevel::Full));
    }

    #[test]
    fn booleans() {
        for t in ["có", "Có", "CO", "true", "1", "x", "X", "yes", " đúng "] {
            assert_eq!(parse_bool(t), Ok(true), "{t}");
        }
        for f in ["không", "Khong", "false", "0", "no", "sai"] {
            assert_eq!(parse_bool(f), Ok(false), "{f}");
        }
        assert_eq!(parse_bool("maybe").map_err(|p| p.0), Err("bool_format"));
    }

    #[test]
    fn time_limits() {
        let ok = |s: &str| parse_time_limit(s).ok();
        assert_eq!(ok("15 working_days"), Some(TimeLimit::working_days(15)));
        assert_eq!(ok("15 ngay_lam_viec"), Some(TimeLimit::working_days(15)));
        assert_eq!(ok(" 15  ngày làm việc "), Some(TimeLimit::working_days(15)));
        assert_eq!(ok("3 Ngày"), Some(TimeLimit::days(3)));
        assert_eq!(ok("8 giờ"), Some(TimeLimit::hours(8)));
        assert_eq!(ok("8 giờ làm việc"), Some(TimeLimit::hours(8)));
        assert_eq!(ok("1 tháng"), Some(TimeLimit::months(1)));
        assert_eq!(ok("Trong ngày"), Some(TimeLimit::WITHIN_DAY));
        assert_eq!(ok("0 working_days"), Some(TimeLimit::WITHIN_DAY));
        let code = |s: &str| parse_time_limit(s).err().map(|p| p.0);
        assert_eq!(code("-5 days"), Some("negative_limit"));
        assert_eq!(code("99999999999 days"), Some("limit_too_large"));
        assert_eq!(code("5 tuần"), Some("unknown_time_unit"));
        assert_eq!(code("15"), Some("time_limit_format"));
        assert_eq!(code("mười lăm ngày"), Some("time_limit_format"));
        for t in
            [TimeLimit::working_days(15), TimeLimit::days(30), TimeLimit::hours(4), TimeLimit::months(2), TimeLimit::WITHIN_DAY]
        {
            assert_eq!(ok(&t.to_string()), Some(t));
        }
    }

    #[test]
    fn dates_times_and_amounts() {
        assert_eq!(parse_date("2026-01-15"), Ok(date(2026, 1, 15)));
        assert_eq!(parse_date("15/01/2026"), Ok(date(2026, 1, 15)));
        assert_eq!(parse_date("5/1/2026"), Ok(date(2026, 1, 5)));
        assert_eq!(parse_date("2026-02-30").map_err(|p| p.0), Err("invalid_date"));
        for bad in ["2026-1", "26-01-15", "2026-01-15T10:00", "hôm nay", "2026/01/15", "", "-2026-01-01"] {
            assert_eq!(parse_date(bad).map_err(|p| p.0), Err("date_format"), "{bad}");
        }
        assert_eq!(parse_time("15:00"), Ok(time(15, 0, 0, 0)));
        assert_eq!(parse_time("7:30"), Ok(time(7, 30, 0, 0)));
        assert_eq!(parse_time("15h"), Ok(time(15, 0, 0, 0)));
        assert_eq!(parse_time("15h30"), Ok(time(15, 30, 0, 0)));
        assert_eq!(parse_time("15:00:30"), Ok(time(15, 0, 30, 0)));
        assert!(parse_time("25:00").is_err());
        let odd = time(15, 0, 30, 250_000_000);
        assert_eq!(parse_time(&format_time(odd)), Ok(odd));
        assert_eq!(format_time(time(15, 0, 0, 0)), "15:00");
        assert_eq!(parse_amount("50000"), Ok(50_000));
        assert_eq!(parse_amount("50.000"), Ok(50_000));
        assert_eq!(parse_amount("1,500,000 đồng"), Ok(1_500_000));
        assert_eq!(parse_amount("8 000 đ"), Ok(8_000));
        assert_eq!(parse_amount("-1"), Ok(-1));
        for bad in ["50.00", "5,0000", "1.000,5", "abc", "", "-", "99999999999999999999"] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
    }
}
