//! Tables exported as files: a title, a header row and typed cells, written as CSV (RFC 4180,
//! UTF-8 with a byte-order mark so spreadsheet programs read the Vietnamese, CRLF line ends)
//! or XLSX (bold frozen header, column widths, dates as real Excel dates, numbers as
//! numbers). Every export of the application goes through here: the register (form 07), the
//! dossier lists and the procedure catalog's CSV writer share the quoting and the guard.
//!
//! **Formula injection.** A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
//! return would be run as a formula by a spreadsheet program. In CSV such a cell is prefixed
//! with `'` (and so is one already starting with `'`, so the catalog import can take exactly
//! one away); in XLSX text is always written as a string cell, never a formula, and a
//! guarded cell gets Excel's quote prefix so editing it does not turn it into one.

use jiff::civil::{Date, DateTime};
use rust_xlsxwriter::{Color, DocProperties, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";
/// Characters an Excel cell holds.
pub(crate) const MAX_CELL_CHARS: usize = 32_767;
/// Rows of an Excel sheet.
pub(crate) const MAX_SHEET_ROWS: usize = 1_048_576;
/// Characters of an Excel sheet name.
const MAX_SHEET_NAME: usize = 31;

/// Why an export failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// Excel cells hold at most 32,767 characters.
    #[error("row {row}, column {column}: {chars} characters, more than the 32,767 an Excel cell holds")]
    CellTooLong { row: usize, column: String, chars: usize },
    /// More rows than an Excel sheet holds.
    #[error("{rows} rows, more than an Excel sheet holds")]
    TooManyRows { rows: usize },
    #[error("could not write the XLSX file: {0}")]
    Xlsx(String),
}

impl ExportError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::CellTooLong { .. } => "cell_too_long",
            Self::TooManyRows { .. } => "too_many_rows",
            Self::Xlsx(_) => "xlsx_write",
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            Self::CellTooLong { row, column, chars } => {
                format!("Dòng {row}, cột {column}: {chars} ký tự, vượt quá 32.767 ký tự của một ô Excel")
            }
            Self::TooManyRows { rows } => format!("{rows} dòng, vượt quá số dòng của một trang tính Excel"),
            Self::Xlsx(e) => format!("Không ghi được tệp XLSX: {e}"),
        }
    }

    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        ExportError::Xlsx(e.to_string())
    }
}

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Number(f64),
    /// A local date and time (Vietnam): an Excel date, `YYYY-MM-DD HH:MM` in CSV.
    DateTime(DateTime),
    /// A local day: an Excel date, `YYYY-MM-DD` in CSV.
    Date(Date),
}

impl Cell {
    /// Text, or `Empty` when blank.
    pub fn text(s: impl Into<String>) -> Self {
        let s = s.into();
        if s.is_empty() { Self::Empty } else { Self::Text(s) }
    }

    /// The cell as CSV writes it (before quoting and the guard).
    fn plain(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Text(s) => s.clone(),
            Self::Int(n) => n.to_string(),
            Self::Number(x) => x.to_string(),
            Self::DateTime(t) => t.strftime("%Y-%m-%d %H:%M").to_string(),
            Self::Date(d) => d.to_string(),
        }
    }
}

/// A table to export: `title` names the sheet (cut to Excel's 31 characters) and the
/// workbook; every row should have as many cells as there are headers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Whether a spreadsheet program would read the text as a formula (or eat a leading
/// apostrophe).
pub(crate) fn needs_guard(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\''])
}

/// Writes one CSV field: guarded, and quoted when it holds a separator, a quote, a line
/// break or whitespace at either end.
pub(crate) fn push_field(out: &mut String, cell: &str) {
    let guarded;
    let cell = if needs_guard(cell) {
        guarded = format!("'{cell}");
        guarded.as_str()
    } else {
        cell
    };
    let quote = cell.contains([',', ';', '"', '\n', '\r'])
        || cell.starts_with(char::is_whitespace)
        || cell.ends_with(char::is_whitespace);
    if quote {
        out.push('"');
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

/// Writes one CSV record ending with CRLF.
pub(crate) fn push_record<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, cell);
    }
    out.push_str("\r\n");
}

impl Table {
    /// CSV: the BOM, the header line, then a line per row. Numbers are written as digits and
    /// are never guarded (a negative number stays a number).
    pub fn to_csv(&self) -> Vec<u8> {
        let mut out = String::new();
        push_record(&mut out, self.headers.iter().map(String::as_str));
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match cell {
                    Cell::Int(_) | Cell::Number(_) => out.push_str(&cell.plain()),
                    _ => push_field(&mut out, &cell.plain()),
                }
            }
            out.push_str("\r\n");
        }
        let mut bytes = BOM.to_vec();
        bytes.extend_from_slice(out.as_bytes());
        bytes
    }

    /// The sheet's name: the title without the characters Excel forbids, at most 31
    /// characters, "Sheet1" when nothing is left.
    pub fn sheet_name(&self) -> String {
        let name: String = self
            .title
            .chars()
            .map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { ' ' } else { c })
            .collect::<String>()
            .trim_matches(|c: char| c == '\'' || c.is_whitespace())
            .chars()
            .take(MAX_SHEET_NAME)
            .collect();
        let name = name.trim_end().to_string();
        if name.is_empty() { "Sheet1".into() } else { name }
    }

    /// Column widths in characters: the longest header or cell (of the first 1,000 rows),
    /// between 6 and 60.
    fn widths(&self) -> Vec<f64> {
        (0..self.headers.len())
            .map(|i| {
                let cells = self.rows.iter().take(1000).filter_map(|r| r.get(i)).map(|c| match c {
                    Cell::DateTime(_) => 16,
                    Cell::Date(_) => 10,
                    c => c.plain().chars().count(),
                });
                let header = self.headers[i].chars().count();
                (cells.chain([header]).max().unwrap_or(0) + 2).clamp(6, 60) as f64
            })
            .collect()
    }

    /// XLSX: one sheet named after the title, the header row bold and frozen with a filter,
    /// text as string cells, numbers as numbers, dates as Excel dates shown `dd/mm/yyyy hh:mm`.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, ExportError> {
        if self.rows.len() >= MAX_SHEET_ROWS {
            return Err(ExportError::TooManyRows { rows: self.rows.len() });
        }
        let mut workbook = Workbook::new();
        workbook.set_properties(&DocProperties::new().set_title(&self.title));
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_background_color(Color::RGB(0x00DD_EBF7))
            .set_border(FormatBorder::Thin);
        let text = Format::new().set_align(FormatAlign::Top);
        let guarded = Format::new().set_align(FormatAlign::Top).set_quote_prefix();
        let datetime = Format::new().set_align(FormatAlign::Top).set_num_format("dd/mm/yyyy hh:mm");
        let date = Format::new().set_align(FormatAlign::Top).set_num_format("dd/mm/yyyy");
        let sheet = workbook.add_worksheet();
        sheet.set_name(self.sheet_name())?;
        for (i, (h, w)) in self.headers.iter().zip(self.widths()).enumerate() {
            sheet.set_column_width(i as u16, w)?;
            sheet.write_string_with_format(0, i as u16, h, &header)?;
        }
        for (r, cells) in self.rows.iter().enumerate() {
            let row = (r + 1) as u32;
            for (i, cell) in cells.iter().enumerate() {
                let col = i as u16;
                match cell {
                    Cell::Empty => {}
                    Cell::Text(s) => {
                        let chars = s.chars().count();
                        if chars > MAX_CELL_CHARS {
                            let column = self.headers.get(i).cloned().unwrap_or_default();
                            return Err(ExportError::CellTooLong { row: r + 2, column, chars });
                        }
                        let f = if needs_guard(s) { &guarded } else { &text };
                        sheet.write_string_with_format(row, col, s, f)?;
                    }
                    Cell::Int(n) => {
                        sheet.write_number_with_format(row, col, *n as f64, &text)?;
                    }
                    Cell::Number(x) => {
                        sheet.write_number_with_format(row, col, *x, &text)?;
                    }
                    Cell::DateTime(t) => {
                        sheet.write_number_with_format(row, col, excel_serial(*t), &datetime)?;
                    }
                    Cell::Date(d) => {
                        sheet.write_number_with_format(
                            row,
                            col,
                            excel_serial(d.to_datetime(jiff::civil::Time::midnight())),
                            &date,
                        )?;
                    }
                }
            }
        }
        if !self.headers.is_empty() {
            sheet.set_freeze_panes(1, 0)?;
            sheet.autofilter(0, 0, self.rows.len() as u32, (self.headers.len() - 1) as u16)?;
        }
        Ok(workbook.save_to_buffer()?)
    }
}

/// Days since 1899-12-30 with the time as the fraction (Excel's 1900 date system, whose
/// serials from 1900-03-01 on count from that day).
fn excel_serial(t: DateTime) -> f64 {
    let epoch = jiff::civil::date(1899, 12, 30).to_datetime(jiff::civil::Time::midnight());
    let secs = t.duration_since(epoch).as_secs_f64();
    secs / 86_400.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    fn sample() -> Table {
        Table {
            title: "Danh sách hồ sơ: phường Hoa Lư / tháng 12 năm 2026".into(),
            headers: vec!["STT".into(), "Mã hồ sơ".into(), "Tên tổ chức, cá nhân".into(), "Ngày, giờ nhận".into()],
            rows: vec![
                vec![
                    Cell::Int(1),
                    Cell::text("HOALU-261206-0001"),
                    Cell::text("Nguyễn Văn \"An\", Hoa Lư"),
                    Cell::DateTime(jiff::civil::date(2026, 12, 6).at(14, 30, 0, 0)),
                ],
                vec![Cell::Int(2), Cell::text("-1"), Cell::text("=HYPERLINK(\"http://x\",\"y\")"), Cell::Empty],
            ],
        }
    }

    #[test]
    fn csv_has_bom_crlf_and_reads_back_with_guards() {
        let bytes = sample().to_csv();
        assert!(bytes.starts_with(BOM));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        assert!(text.ends_with("\r\n") && text.matches("\r\n").count() == 3, "{text:?}");
        let mut r = csv::Reader::from_reader(&bytes[3..]);
        assert_eq!(
            r.headers().unwrap().iter().collect::<Vec<_>>(),
            ["STT", "Mã hồ sơ", "Tên tổ chức, cá nhân", "Ngày, giờ nhận"]
        );
        let rows: Vec<Vec<String>> = r.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
        assert_eq!(rows[0], ["1", "HOALU-261206-0001", "Nguyễn Văn \"An\", Hoa Lư", "2026-12-06 14:30"]);
        assert_eq!(rows[1], ["2", "'-1", "'=HYPERLINK(\"http://x\",\"y\")", ""]);
    }

    #[test]
    fn every_dangerous_start_is_guarded_in_csv() {
        for s in ["=1+1", "+84", "-5", "@SUM(A1)", "\tx", "\rx", "'x"] {
            let mut out = String::new();
            push_field(&mut out, s);
            let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(out.as_bytes());
            let back = r.records().next().unwrap().unwrap().get(0).unwrap().to_string();
            assert_eq!(back, format!("'{s}"), "{s:?} -> {out:?}");
        }
        let mut out = String::new();
        push_field(&mut out, "Nguyễn Văn A");
        assert_eq!(out, "Nguyễn Văn A");
    }

    #[test]
    fn xlsx_has_the_same_cells_typed() {
        let t = sample();
        let bytes = t.to_xlsx().unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec![t.sheet_name()]);
        assert!(t.sheet_name().chars().count() <= 31);
        let range = wb.worksheet_range(&t.sheet_name()).unwrap();
        assert_eq!(range.get((0, 2)), Some(&Data::String("Tên tổ chức, cá nhân".into())));
        assert_eq!(range.get((1, 0)), Some(&Data::Float(1.0)));
        assert_eq!(range.get((1, 1)), Some(&Data::String("HOALU-261206-0001".into())));
        match range.get((1, 3)) {
            Some(Data::DateTime(d)) => {
                let (y, mo, da, h, mi, _, _) = d.to_ymd_hms_milli();
                assert_eq!((y, mo, da, h, mi), (2026, 12, 6, 14, 30));
            }
            other => panic!("not a date: {other:?}"),
        }
        // The formula-looking name is a string cell, not a formula.
        assert_eq!(range.get((2, 2)), Some(&Data::String("=HYPERLINK(\"http://x\",\"y\")".into())));
        let formulas = wb.worksheet_formula(&t.sheet_name()).unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    }

    #[test]
    fn sheet_names_are_cut_and_cleaned() {
        let t = Table { title: "a/b:c".into(), ..Default::default() };
        assert_eq!(t.sheet_name(), "a b c");
        assert_eq!(Table::default().sheet_name(), "Sheet1");
        let long = Table { title: "Sổ theo dõi hồ sơ từ 2026-01-01 đến 2026-12-31".into(), ..Default::default() };
        assert_eq!(long.sheet_name().chars().count(), 31);
    }

    #[test]
    fn oversize_cells_are_refused() {
        let t = Table { title: "x".into(), headers: vec!["Ghi chú".into()], rows: vec![vec![Cell::text("a".repeat(40_000))]] };
        assert!(matches!(t.to_xlsx(), Err(ExportError::CellTooLong { row: 2, chars: 40_000, .. })));
    }
}
