//! The procedure catalog as one table, shared by the XLSX and the CSV formats.
//!
//! One row per procedure version; row 1 holds the headers, written "Vietnamese label (key)",
//! e.g. `Mã thủ tục (code)`. The importer matches a header on its `(key)` (a bare key or the
//! bare Vietnamese label are accepted too), so columns may come in any order. See
//! [`Column`] for the columns and [`Column::help_vi`] for how to fill each one.
//!
//! Cell formats:
//! - scalars as text; booleans `có`/`không` (import also takes true/false, 1/0, x, yes/no);
//!   dates `YYYY-MM-DD` (import also takes `DD/MM/YYYY` and Excel date cells); times `HH:MM`;
//!   time limits `15 working_days` (import also takes the Vietnamese unit codes and labels,
//!   `15 ngay_lam_viec`, `15 ngày làm việc`, and `trong ngày` for 0 working days);
//! - code lists (`levels`, `applicant_types`) separated by `, `;
//! - list cells (`steps`, `methods`, `components`, `fees`, `legal_basis`): one item per line,
//!   the fields of an item separated by ` | `, a component's alternatives and data locker
//!   kinds (its ninth field, `ket-qua:1.004873; ban-sao:giay_khai_sinh`) by `; `. Inside a
//!   field `\` is written `\\`, `|` `\|`, `;` `\;` (alternatives), a line break `\n`, a
//!   carriage return `\r`; whitespace at either end of a field is escaped with a backslash
//!   (`\ `), because unescaped whitespace around the separators is ignored on import. Any
//!   other backslash is kept as written (`C:\mau`).
//!
//! Import is all or nothing: any problem anywhere returns every problem found, as
//! [`CellError`]s located by sheet row and column key. Row 0 means the file as a whole.
//! Each row is read into a [`ProcedureSpec`], checked with `ProcedureSpec::validate` (whose
//! field errors are mapped to columns, and to the line of a list cell) and returned in its
//! validated, normalised form; two rows with one procedure code are refused.
//!
//! Round trips: exporting validated specs and importing the file gives them back unchanged,
//! except for what the table cannot tell apart: an optional text that is `Some("")` reads
//! back as `None`, an empty alternative is dropped, and whitespace around the identifiers
//! (`code`, `sector_code`, `agency_code`, `decision_number`) is trimmed.

mod codec;
mod delimited;
mod escape;
mod xlsx;

use jiff::civil::Date;
use motcua_domain::catalog::ProcedureSpec;
use serde::Serialize;
use std::collections::HashMap;

/// Name of the data sheet of the XLSX export (the importer reads the first sheet, whatever
/// its name).
pub const SHEET_NAME: &str = "Thủ tục hành chính";
/// Name of the second sheet of the XLSX export, describing the columns.
pub const GUIDE_SHEET_NAME: &str = "Hướng dẫn";
/// Most data rows one file may hold.
pub const MAX_ROWS: usize = 20_000;
/// Most errors reported for one file; one more `too_many_errors` error says the list was cut.
pub const MAX_ERRORS: usize = 1_000;

/// One imported row: a checked (`ProcedureSpec::validate`d, hence normalised) version and the
/// date it takes effect, when the file gives one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogRow {
    /// 1-based sheet row (the header is row 1).
    pub row: usize,
    pub spec: ProcedureSpec,
    pub effective_from: Option<Date>,
}

/// One problem found in an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("row {row}, column {column}: {message_en}")]
pub struct CellError {
    /// 1-based sheet row, the header being row 1; 0 for the file as a whole.
    pub row: usize,
    /// The column key (`code`, `components`...); for a column without a usable header, its
    /// letter (`AC`); empty for the file as a whole.
    pub column: String,
    /// Stable machine code, e.g. `missing_column`, `time_limit_format`, `duplicate_code`.
    pub code: &'static str,
    pub message_vi: String,
    pub message_en: String,
}

impl CellError {
    pub(crate) fn new(
        row: usize,
        column: impl Into<String>,
        code: &'static str,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self { row, column: column.into(), code, message_vi: vi.into(), message_en: en.into() }
    }

    /// A problem with the file as a whole (row 0, no column).
    pub(crate) fn file(code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(0, "", code, vi, en)
    }
}

pub use crate::export::ExportError;

/// The columns of the table, in export order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Code,
    Name,
    SectorCode,
    SectorName,
    Levels,
    ImplementingAgency,
    AgencyCode,
    ApplicantTypes,
    TargetSubjects,
    Steps,
    Methods,
    Components,
    Sets,
    TimeLimit,
    ResultName,
    ResultPaperRequired,
    Fees,
    LegalBasis,
    DecisionNumber,
    DecisionDate,
    OnlineLevel,
    FullOnlineEligible,
    PostalExcluded,
    OnlineOnly,
    SameDayCutoff,
    OutOfHoursNext,
    PaymentPausesClock,
    ReceptionCheck,
    Conditions,
    EffectiveFrom,
}

pub(crate) const COLUMNS: usize = 30;

impl Column {
    pub const ALL: [Column; COLUMNS] = [
        Self::Code,
        Self::Name,
        Self::SectorCode,
        Self::SectorName,
        Self::Levels,
        Self::ImplementingAgency,
        Self::AgencyCode,
        Self::ApplicantTypes,
        Self::TargetSubjects,
        Self::Steps,
        Self::Methods,
        Self::Components,
        Self::Sets,
        Self::TimeLimit,
        Self::ResultName,
        Self::ResultPaperRequired,
        Self::Fees,
        Self::LegalBasis,
        Self::DecisionNumber,
        Self::DecisionDate,
        Self::OnlineLevel,
        Self::FullOnlineEligible,
        Self::PostalExcluded,
        Self::OnlineOnly,
        Self::SameDayCutoff,
        Self::OutOfHoursNext,
        Self::PaymentPausesClock,
        Self::ReceptionCheck,
        Self::Conditions,
        Self::EffectiveFrom,
    ];

    /// Stable machine key, the part of the header in parentheses.
    pub fn key(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Name => "name",
            Self::SectorCode => "sector_code",
            Self::SectorName => "sector_name",
            Self::Levels => "levels",
            Self::ImplementingAgency => "implementing_agency",
            Self::AgencyCode => "agency_code",
            Self::ApplicantTypes => "applicant_types",
            Self::TargetSubjects => "target_subjects",
            Self::Steps => "steps",
            Self::Methods => "methods",
            Self::Components => "components",
            Self::Sets => "sets",
            Self::TimeLimit => "time_limit",
            Self::ResultName => "result_name",
            Self::ResultPaperRequired => "result_paper_required",
            Self::Fees => "fees",
            Self::LegalBasis => "legal_basis",
            Self::DecisionNumber => "decision_number",
            Self::DecisionDate => "decision_date",
            Self::OnlineLevel => "online_level",
            Self::FullOnlineEligible => "full_online_eligible",
            Self::PostalExcluded => "postal_excluded",
            Self::OnlineOnly => "online_only",
            Self::SameDayCutoff => "same_day_cutoff",
            Self::OutOfHoursNext => "out_of_hours_next",
            Self::PaymentPausesClock => "payment_pauses_clock",
            Self::ReceptionCheck => "reception_check",
            Self::Conditions => "conditions",
            Self::EffectiveFrom => "effective_from",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Code => "Mã thủ tục",
            Self::Name => "Tên thủ tục",
            Self::SectorCode => "Mã lĩnh vực",
            Self::SectorName => "Tên lĩnh vực",
            Self::Levels => "Cấp thực hiện",
            Self::ImplementingAgency => "Cơ quan thực hiện",
            Self::AgencyCode => "Mã cơ quan giải quyết",
            Self::ApplicantTypes => "Loại đối tượng nộp hồ sơ",
            Self::TargetSubjects => "Đối tượng thực hiện",
            Self::Steps => "Trình tự thực hiện",
            Self::Methods => "Cách thức thực hiện",
            Self::Components => "Thành phần hồ sơ",
            Self::Sets => "Số bộ hồ sơ",
            Self::TimeLimit => "Thời hạn giải quyết",
            Self::ResultName => "Kết quả thực hiện",
            Self::ResultPaperRequired => "Kết quả bản giấy",
            Self::Fees => "Phí, lệ phí",
            Self::LegalBasis => "Căn cứ pháp lý",
            Self::DecisionNumber => "Số quyết định công bố",
            Self::DecisionDate => "Ngày quyết định công bố",
            Self::OnlineLevel => "Mức độ dịch vụ công trực tuyến",
            Self::FullOnlineEligible => "Đủ điều kiện toàn trình",
            Self::PostalExcluded => "Không tiếp nhận qua bưu chính",
            Self::OnlineOnly => "Chỉ tiếp nhận trực tuyến",
            Self::SameDayCutoff => "Giờ chốt tiếp nhận trong ngày",
            Self::OutOfHoursNext => "Nộp ngoài giờ tính từ giờ làm việc kế tiếp",
            Self::PaymentPausesClock => "Thời gian thực hiện nghĩa vụ tài chính không tính vào thời hạn",
            Self::ReceptionCheck => "Thời hạn kiểm tra hồ sơ trực tuyến",
            Self::Conditions => "Yêu cầu, điều kiện",
            Self::EffectiveFrom => "Ngày có hiệu lực",
        }
    }

    /// The header text: `Mã thủ tục (code)`.
    pub fn header(self) -> String {
        format!("{} ({})", self.label_vi(), self.key())
    }

    /// Whether an import needs the column (the others default when absent).
    pub fn required(self) -> bool {
        !matches!(
            self,
            Self::AgencyCode
                | Self::Sets
                | Self::Fees
                | Self::FullOnlineEligible
                | Self::PostalExcluded
                | Self::OnlineOnly
                | Self::SameDayCutoff
                | Self::OutOfHoursNext
                | Self::PaymentPausesClock
                | Self::ReceptionCheck
                | Self::Conditions
                | Self::EffectiveFrom
        )
    }

    /// How to fill the column, in Vietnamese (shown on the guide sheet).
    pub fn help_vi(self) -> &'static str {
        match self {
            Self::Code => "Mã thủ tục trên Cơ sở dữ liệu quốc gia, ví dụ 1.000948 hoặc 1.000948.H40. Nhập dạng văn bản (Text).",
            Self::Name => "Tên thủ tục hành chính (ít nhất 5 ký tự).",
            Self::SectorCode => "Mã lĩnh vực, ví dụ HT, CT, HKD.",
            Self::SectorName => "Tên lĩnh vực, ví dụ Hộ tịch.",
            Self::Levels => "Mã cấp thực hiện, cách nhau bởi dấu phẩy: province (cấp tỉnh), commune (cấp xã).",
            Self::ImplementingAgency => "Cơ quan có thẩm quyền quyết định, ví dụ Ủy ban nhân dân cấp xã.",
            Self::AgencyCode => "Mã cơ quan giải quyết trong cây đơn vị (có thể để trống).",
            Self::ApplicantTypes => {
                "Mã loại đối tượng, cách nhau bởi dấu phẩy: citizen, business, household_business, organisation, foreigner."
            }
            Self::TargetSubjects => "Đối tượng thực hiện, bằng lời.",
            Self::Steps => "Mỗi bước một dòng.",
            Self::Methods => {
                "Mỗi cách thức một dòng: kênh | mô tả. Kênh: counter (trực tiếp), online (trực tuyến), postal (bưu chính)."
            }
            Self::Components => {
                "Mỗi thành phần một dòng: mã | tên | số bản chính | số bản sao | bắt buộc (có/không) | giấy tờ thay thế (cách nhau bởi \"; \") | tệp mẫu | ghi chú | giấy tờ trong kho dữ liệu dùng thay (ket-qua:<mã thủ tục> hoặc ban-sao:<mã thành phần>, cách nhau bởi \"; \")."
            }
            Self::Sets => "Số bộ hồ sơ (mặc định 1).",
            Self::TimeLimit => {
                "Số và đơn vị: 15 working_days (ngày làm việc), 10 days (ngày), 8 hours (giờ làm việc), 1 months (tháng); \"trong ngày\" = 0 working_days."
            }
            Self::ResultName => "Tên kết quả, ví dụ Giấy khai sinh (bản chính).",
            Self::ResultPaperRequired => "Kết quả là giấy tờ bản giấy: có/không.",
            Self::Fees => {
                "Mỗi khoản một dòng: tên | số tiền (đồng) | thời điểm thu (at_reception, at_result, before_processing) | miễn, giảm."
            }
            Self::LegalBasis => "Mỗi văn bản một dòng: số hiệu | trích yếu | ngày ban hành | ngày hiệu lực (NNNN-TT-NN).",
            Self::DecisionNumber => "Số quyết định công bố thủ tục.",
            Self::DecisionDate => "Ngày quyết định công bố (NNNN-TT-NN).",
            Self::OnlineLevel => "Mức độ dịch vụ công trực tuyến: full (toàn trình), partial (một phần), none (không có).",
            Self::FullOnlineEligible => "có/không (mặc định không).",
            Self::PostalExcluded => "có/không (mặc định không).",
            Self::OnlineOnly => "có/không (mặc định không).",
            Self::SameDayCutoff => "Giờ chốt, ví dụ 15:00: nhận sau giờ này tính từ ngày làm việc kế tiếp (có thể để trống).",
            Self::OutOfHoursNext => "có/không (mặc định không).",
            Self::PaymentPausesClock => {
                "có/không (mặc định không: chỉ thời gian bổ sung hồ sơ được trừ; có khi pháp luật chuyên ngành quy định, ví dụ đất đai)."
            }
            Self::ReceptionCheck => {
                "Thời hạn Bộ phận Một cửa kiểm tra hồ sơ nộp trực tuyến: số và đơn vị, 1 working_days (ngày làm việc) hoặc 8 hours (giờ làm việc), từ 1 đến 10 ngày làm việc hoặc 80 giờ; để trống = 1 ngày làm việc."
            }
            Self::Conditions => "Yêu cầu, điều kiện thực hiện (có thể để trống).",
            Self::EffectiveFrom => "Ngày phiên bản có hiệu lực (NNNN-TT-NN, có thể để trống).",
        }
    }

    /// Column width in Excel character units.
    pub(crate) fn width(self) -> f64 {
        match self {
            Self::Code | Self::SectorCode | Self::Sets => 14.0,
            Self::Name | Self::ImplementingAgency | Self::TargetSubjects | Self::ResultName | Self::Conditions => 40.0,
            Self::Steps | Self::Components | Self::LegalBasis => 70.0,
            Self::Methods | Self::Fees => 50.0,
            Self::SectorName | Self::ApplicantTypes | Self::DecisionNumber | Self::AgencyCode => 22.0,
            _ => 16.0,
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// A cell as read from a file, before it is interpreted for its column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw {
    Text(String),
    Number(f64),
    Bool(bool),
    /// An Excel date/time cell: the date (None for a pure time or an impossible date such as
    /// Excel's 1900-02-29) and the time of day.
    DateTime {
        date: Option<Date>,
        time: Option<jiff::civil::Time>,
    },
    /// An Excel error value (`#N/A`...).
    Error(String),
}

impl Raw {
    fn is_blank(&self) -> bool {
        matches!(self, Raw::Text(s) if s.trim().is_empty())
    }
}

/// The cells of a file: `(1-based row, 0-based column, value)`, blank cells left out.
#[derive(Debug, Default)]
pub(crate) struct RawTable {
    pub cells: Vec<(usize, usize, Raw)>,
}

/// Excel column letters of a 0-based column index: 0 → A, 27 → AB.
pub(crate) fn column_letters(mut col: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The column a header names: `Mã thủ tục (code)`, `code`, or `Mã thủ tục`.
pub(crate) fn header_column(text: &str) -> Result<Column, String> {
    let t = text.trim();
    let key = match (t.ends_with(')'), t.rfind('(')) {
        (true, Some(open)) => t[open + 1..t.len() - 1].trim(),
        _ => t,
    };
    let key_lower = key.to_lowercase();
    if let Some(c) = Column::from_key(&key_lower) {
        return Ok(c);
    }
    static LABELS: std::sync::LazyLock<Vec<(String, Column)>> =
        std::sync::LazyLock::new(|| Column::ALL.into_iter().map(|c| (motcua_domain::text::fold(c.label_vi()), c)).collect());
    if t.len() > 200 {
        return Err(key_lower);
    }
    let folded = motcua_domain::text::fold(t);
    LABELS.iter().find(|(label, _)| *label == folded).map(|(_, c)| *c).ok_or(key_lower)
}

/// Bounded list of errors: stops collecting at [`MAX_ERRORS`].
#[derive(Debug, Default)]
pub(crate) struct ErrorList(Vec<CellError>);

impl ErrorList {
    pub(crate) fn push(&mut self, e: CellError) {
        if self.0.len() < MAX_ERRORS {
            self.0.push(e);
        } else if self.0.len() == MAX_ERRORS {
            self.0.push(CellError::new(
                e.row,
                e.column,
                "too_many_errors",
                format!("Quá nhiều lỗi; chỉ liệt kê {MAX_ERRORS} lỗi đầu tiên."),
                format!("Too many errors; only the first {MAX_ERRORS} are listed."),
            ));
        }
    }
    pub(crate) fn extend(&mut self, es: impl IntoIterator<Item = CellError>) {
        for e in es {
            self.push(e);
        }
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn is_full(&self) -> bool {
        self.0.len() > MAX_ERRORS
    }
}

/// Interprets a table read from either format.
pub(crate) fn decode(table: RawTable) -> Result<Vec<CatalogRow>, Vec<CellError>> {
    let mut errors = ErrorList::default();
    let mut header_cells: Vec<(usize, Raw)> = Vec::new();
    let mut rows: std::collections::BTreeMap<usize, Vec<(usize, Raw)>> = std::collections::BTreeMap::new();
    for (row, col, raw) in table.cells {
        if raw.is_blank() {
            continue;
        }
        if row == 1 {
            header_cells.push((col, raw));
        } else if row > 1 {
            rows.entry(row).or_default().push((col, raw));
        }
    }
    if header_cells.is_empty() {
        return Err(vec![CellError::new(
            1,
            "",
            "missing_header",
            "Dòng 1 phải là dòng tiêu đề các cột, ví dụ \"Mã thủ tục (code)\"; tệp không có dòng tiêu đề.",
            "Row 1 must hold the column headers, e.g. \"Mã thủ tục (code)\"; the file has none.",
        )]);
    }
    if rows.len() > MAX_ROWS {
        return Err(vec![CellError::file(
            "too_many_rows",
            format!("Tệp có {} dòng dữ liệu, vượt quá giới hạn {MAX_ROWS} dòng.", rows.len()),
            format!("The file has {} data rows, more than the limit of {MAX_ROWS}.", rows.len()),
        )]);
    }

    // Row 1: which file column holds which table column.
    header_cells.sort_by_key(|(c, _)| *c);
    let mut by_file_col: HashMap<usize, Column> = HashMap::new();
    let mut seen: HashMap<Column, usize> = HashMap::new();
    for (col, raw) in &header_cells {
        let text = match raw {
            Raw::Text(s) => s.clone(),
            other => codec::raw_to_plain_text(other),
        };
        match header_column(&text) {
            Ok(c) => {
                if let Some(first) = seen.get(&c) {
                    errors.push(CellError::new(
                        1,
                        c.key(),
                        "duplicate_column",
                        format!(
                            "Cột \"{}\" xuất hiện hai lần (cột {} và cột {}).",
                            c.key(),
                            column_letters(*first),
                            column_letters(*col)
                        ),
                        format!(
                            "Column \"{}\" appears twice (columns {} and {}).",
                            c.key(),
                            column_letters(*first),
                            column_letters(*col)
                        ),
                    ));
                } else {
                    seen.insert(c, *col);
                    by_file_col.insert(*col, c);
                }
            }
            Err(key) => {
                let shown = codec::shorten(&text);
                errors.push(CellError::new(
                    1,
                    codec::shorten(&key),
                    "unknown_column",
                    format!("Cột {} có tiêu đề không xác định \"{shown}\"; tiêu đề phải có mã cột trong ngoặc, ví dụ \"Mã thủ tục (code)\".", column_letters(*col)),
                    format!("Column {} has an unknown header \"{shown}\"; a header needs the column key in parentheses, e.g. \"Mã thủ tục (code)\".", column_letters(*col)),
                ));
            }
        }
    }
    let mut present = [false; COLUMNS];
    for c in seen.keys() {
        present[c.index()] = true;
    }
    for c in Column::ALL {
        if c.required() && !present[c.index()] {
            errors.push(CellError::new(
                1,
                c.key(),
                "missing_column",
                format!("Thiếu cột bắt buộc \"{}\".", c.header()),
                format!("The required column \"{}\" is missing.", c.header()),
            ));
        }
    }
    let header_cols: std::collections::HashSet<usize> = header_cells.iter().map(|(c, _)| *c).collect();

    // Data rows.
    let mut out = Vec::new();
    let mut codes: HashMap<String, usize> = HashMap::new();
    for (row, cells) in rows {
        if errors.is_full() {
            break;
        }
        let mut slots: [Option<Raw>; COLUMNS] = std::array::from_fn(|_| None);
        for (col, raw) in cells {
            if let Some(c) = by_file_col.get(&col) {
                slots[c.index()] = Some(raw);
            } else if !header_cols.contains(&col) {
                let letters = column_letters(col);
                errors.push(CellError::new(
                    row,
                    letters.clone(),
                    "cell_without_column",
                    format!("Ô {letters}{row} có dữ liệu nhưng cột {letters} không có tiêu đề."),
                    format!("Cell {letters}{row} has data but column {letters} has no header."),
                ));
            }
            // Cells under an unknown header were reported with the header.
        }
        if slots.iter().all(Option::is_none) {
            continue;
        }
        let code_key = codec::code_key(&slots);
        match codec::decode_row(row, &slots, &present) {
            Ok(r) => out.push(r),
            Err(es) => errors.extend(es),
        }
        if let Some(code) = code_key {
            if let Some(first) = codes.get(&code) {
                errors.push(CellError::new(
                    row,
                    Column::Code.key(),
                    "duplicate_code",
                    format!("Mã thủ tục {code} trùng với dòng {first}."),
                    format!("Procedure code {code} is also on row {first}."),
                ));
            } else {
                codes.insert(code, row);
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        let mut es = errors.0;
        // Stable: keeps the order of errors within one cell.
        es.sort_by_key(|e| (e.row, Column::from_key(&e.column).map_or(usize::MAX, Column::index)));
        Err(es)
    }
}

/// The catalog as an XLSX workbook: sheet "Thủ tục hành chính" (bold, frozen header row,
/// wrapped text, every column formatted as text so Excel keeps codes such as 1.000940 intact)
/// and a "Hướng dẫn" sheet describing the columns.
pub fn export_xlsx(rows: &[(ProcedureSpec, Option<Date>)]) -> Result<Vec<u8>, ExportError> {
    xlsx::export(rows)
}

/// The catalog as CSV: UTF-8 with a byte-order mark (so Excel reads the diacritics), comma
/// separated, CRLF line ends, RFC 4180 quoting. A cell Excel would take for a formula
/// (starting with `=`, `+`, `-`, `@`, tab, CR, or `'`) gets a leading `'`, which the importer
/// removes again.
pub fn export_csv(rows: &[(ProcedureSpec, Option<Date>)]) -> Vec<u8> {
    delimited::export(rows)
}

/// Reads the first sheet of an XLSX workbook. All or nothing: see the module docs.
pub fn import_xlsx(bytes: &[u8]) -> Result<Vec<CatalogRow>, Vec<CellError>> {
    decode(xlsx::read(bytes)?)
}

/// Reads a CSV file, UTF-8 with or without a byte-order mark; the separator is a comma, or a
/// semicolon or tab when the header row uses one (Excel in a Vietnamese locale writes `;`).
pub fn import_csv(bytes: &[u8]) -> Result<Vec<CatalogRow>, Vec<CellError>> {
    decode(delimited::read(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_in_order_and_keys_are_unique() {
        for (i, c) in Column::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
            assert_eq!(Column::from_key(c.key()), Some(*c));
            assert_eq!(header_column(&c.header()), Ok(*c));
            assert_eq!(header_column(c.key()), Ok(*c));
            assert_eq!(header_column(c.label_vi()), Ok(*c));
        }
        let keys: Vec<&str> = Column::ALL.iter().map(|c| c.key()).collect();
        assert_eq!(
            keys.join(","),
            "code,name,sector_code,sector_name,levels,implementing_agency,agency_code,applicant_types,target_subjects,steps,\
             methods,components,sets,time_limit,result_name,result_paper_required,fees,legal_basis,decision_number,\
             decision_date,online_level,full_online_eligible,postal_excluded,online_only,same_day_cutoff,\
             out_of_hours_next,payment_pauses_clock,reception_check,conditions,effective_from"
        );
        assert_eq!(Column::Code.header(), "Mã thủ tục (code)");
    }

    #[test]
    fn headers_match_on_the_key() {
        assert_eq!(header_column("  Anything at all (TIME_LIMIT) "), Ok(Column::TimeLimit));
        assert_eq!(header_column("Ma thu tuc"), Ok(Column::Code));
        assert_eq!(header_column("Foo (bar)"), Err("bar".to_string()));
    }

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(16_383), "XFD");
    }
}
