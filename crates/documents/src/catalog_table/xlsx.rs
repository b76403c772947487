//! The XLSX format: written with `rust_xlsxwriter`, read with `calamine` after a check of
//! the ZIP container that bounds the memory a hostile file can make the reader take.

use super::codec::encode;
use super::{CellError, Column, ExportError, GUIDE_SHEET_NAME, Raw, RawTable, SHEET_NAME};
use crate::export::{MAX_CELL_CHARS, MAX_SHEET_ROWS};
use calamine::{DataRef, Reader, Xlsx};
use jiff::civil::{Date, Time};
use motcua_domain::catalog::ProcedureSpec;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
use std::io::{Cursor, Read};

/// Total uncompressed size of the entries of an imported workbook.
const MAX_UNZIPPED_BYTES: u64 = 128 * 1024 * 1024;
/// Entries of an imported workbook.
const MAX_ZIP_ENTRIES: usize = 10_000;
/// Strings a shared-string table may announce (the reader reserves memory for them).
const MAX_SHARED_STRINGS: u64 = 2_000_000;
/// Non-empty cells read from the sheet.
const MAX_CELLS: usize = 2_000_000;

pub(crate) fn export(rows: &[(ProcedureSpec, Option<Date>)]) -> Result<Vec<u8>, ExportError> {
    if rows.len() >= MAX_SHEET_ROWS {
        return Err(ExportError::TooManyRows { rows: rows.len() });
    }
    let mut workbook = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0x00DD_EBF7))
        .set_border(FormatBorder::Thin);
    let text = Format::new().set_num_format("@").set_text_wrap().set_align(FormatAlign::Top);

    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET_NAME)?;
    for (i, c) in Column::ALL.into_iter().enumerate() {
        let col = i as u16;
        sheet.set_column_width(col, c.width())?;
        // Text format for the whole column, so cells typed later stay text too.
        sheet.set_column_format(col, &text)?;
        sheet.write_string_with_format(0, col, c.header(), &header)?;
    }
    sheet.set_row_height(0, 45)?;
    for (r, (spec, effective_from)) in rows.iter().enumerate() {
        let row = (r + 1) as u32;
        for (i, cell) in encode(spec, *effective_from).iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let chars = cell.chars().count();
            if chars > MAX_CELL_CHARS {
                return Err(ExportError::CellTooLong { row: r + 2, column: Column::ALL[i].key().to_string(), chars });
            }
            sheet.write_string_with_format(row, i as u16, cell, &text)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows.len() as u32, (Column::ALL.len() - 1) as u16)?;

    let guide = workbook.add_worksheet();
    guide.set_name(GUIDE_SHEET_NAME)?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (i, (title, width)) in
        [("Mã cột", 24.0), ("Tiêu đề cột", 40.0), ("Bắt buộc", 10.0), ("Cách nhập", 90.0)].into_iter().enumerate()
    {
        guide.set_column_width(i as u16, width)?;
        guide.write_string_with_format(0, i as u16, title, &header)?;
    }
    for (i, c) in Column::ALL.into_iter().enumerate() {
        let row = (i + 1) as u32;
        guide.write_string_with_format(row, 0, c.key(), &wrap)?;
        guide.write_string_with_format(row, 1, c.header(), &wrap)?;
        guide.write_string_with_format(row, 2, if c.required() { "có" } else { "không" }, &wrap)?;
        guide.write_string_with_format(row, 3, c.help_vi(), &wrap)?;
    }
    let notes = [
        "Mỗi dòng là một phiên bản thủ tục; dòng 1 là tiêu đề. Khi nhập, cột được nhận theo mã trong ngoặc nên có thể đổi thứ tự cột.",
        "Có/không: nhập \"có\" hoặc \"không\". Ngày: NNNN-TT-NN (ví dụ 2026-01-15). Giờ: GG:PP (ví dụ 15:00).",
        "Ô danh sách (trình tự, cách thức, thành phần hồ sơ, phí, căn cứ pháp lý): mỗi mục một dòng trong ô (Alt+Enter), các trường cách nhau bởi \" | \".",
        "Trong một trường: viết \\| cho dấu |, \\\\ cho dấu \\, \\n cho xuống dòng, \\; cho dấu ; trong giấy tờ thay thế.",
        "Tệp có bất kỳ lỗi nào sẽ không được nhập; danh sách lỗi nêu rõ dòng và cột.",
    ];
    let first = (Column::ALL.len() + 2) as u32;
    for (i, note) in notes.into_iter().enumerate() {
        guide.write_string_with_format(first + i as u32, 0, note, &Format::new())?;
    }
    guide.set_freeze_panes(1, 0)?;

    Ok(workbook.save_to_buffer()?)
}

fn not_xlsx(detail: impl std::fmt::Display) -> CellError {
    CellError::file(
        "not_xlsx",
        format!("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ ({detail})."),
        format!("The file is not a valid Excel workbook (.xlsx) ({detail})."),
    )
}

fn too_large(what: &str) -> CellError {
    CellError::file(
        "file_too_large",
        format!("Tệp quá lớn hoặc bất thường ({what})."),
        format!("The file is too large or unusual ({what})."),
    )
}

/// Largest number following any `uniqueCount=` attribute in the text.
fn announced_count(xml: &[u8]) -> u64 {
    let key = b"uniqueCount";
    let mut max = 0u64;
    let mut i = 0;
    while let Some(pos) = xml[i..].windows(key.len()).position(|w| w == key) {
        let mut j = i + pos + key.len();
        while j < xml.len() && (xml[j].is_ascii_whitespace() || xml[j] == b'=' || xml[j] == b'"' || xml[j] == b'\'') {
            j += 1;
        }
        let digits = xml[j..].iter().take_while(|b| b.is_ascii_digit()).count();
        // A number too large for u64 is ignored by the reader too.
        let n = std::str::from_utf8(&xml[j..j + digits]).ok().and_then(|d| d.parse::<u64>().ok()).unwrap_or(0);
        max = max.max(n);
        i = j.max(i + pos + 1);
    }
    max
}

/// Decompresses every entry with a bound, so the reader only ever sees a container whose
/// real sizes are known to be small, and refuses a shared-string table announcing more
/// strings than it could hold (the reader reserves memory for the announced number).
fn check_container(bytes: &[u8]) -> Result<(), CellError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(not_xlsx)?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(too_large("quá nhiều thành phần / too many entries"));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(not_xlsx)?;
        let shared_strings = entry.name().map(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml")).unwrap_or(false);
        let budget = MAX_UNZIPPED_BYTES - total;
        let mut limited = (&mut entry).take(budget + 1);
        let read = if shared_strings {
            let mut buf = Vec::new();
            let n = limited.read_to_end(&mut buf).map_err(not_xlsx)? as u64;
            if n <= budget && announced_count(&buf) > MAX_SHARED_STRINGS.min(n / 4 + 16) {
                return Err(too_large("bảng chuỗi khai báo sai / bad shared-string count"));
            }
            n
        } else {
            std::io::copy(&mut limited, &mut std::io::sink()).map_err(not_xlsx)?
        };
        total += read;
        if total > MAX_UNZIPPED_BYTES {
            return Err(too_large("dung lượng giải nén vượt 128 MB / more than 128 MB uncompressed"));
        }
    }
    Ok(())
}

fn excel_date_time(d: &calamine::ExcelDateTime) -> Raw {
    let v = d.as_f64();
    if !(0.0..2_958_466.0).contains(&v) {
        return Raw::DateTime { date: None, time: None };
    }
    let (y, mo, da, h, mi, s, ms) = d.to_ymd_hms_milli();
    let date = if v >= 1.0 { Date::new(y as i16, mo as i8, da as i8).ok() } else { None };
    let time = Time::new(h as i8, mi as i8, s as i8, i32::from(ms) * 1_000_000).ok();
    Raw::DateTime { date, time }
}

fn to_raw(v: &DataRef<'_>) -> Option<Raw> {
    Some(match v {
        DataRef::Empty => return None,
        DataRef::String(s) => Raw::Text(s.clone()),
        DataRef::SharedString(s) => Raw::Text((*s).to_string()),
        DataRef::Int(i) => Raw::Number(*i as f64),
        DataRef::Float(f) => Raw::Number(*f),
        DataRef::Bool(b) => Raw::Bool(*b),
        DataRef::DateTime(d) if d.is_datetime() => excel_date_time(d),
        DataRef::DateTime(d) => Raw::Number(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Raw::Text(s.clone()),
        DataRef::Error(e) => Raw::Error(e.to_string()),
    })
}

fn read_sheet(bytes: &[u8]) -> Result<RawTable, CellError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(not_xlsx)?;
    let Some(first) = workbook.sheet_names().first().cloned() else {
        return Err(not_xlsx("không có trang tính / no sheet"));
    };
    let mut cells = workbook.worksheet_cells_reader(&first).map_err(not_xlsx)?;
    let mut table = RawTable::default();
    while let Some(cell) = cells.next_cell().map_err(not_xlsx)? {
        let Some(raw) = to_raw(cell.get_value()) else { continue };
        if table.cells.len() >= MAX_CELLS {
            return Err(too_large("quá nhiều ô / too many cells"));
        }
        let (row, col) = cell.get_position();
        table.cells.push((row as usize + 1, col as usize, raw));
    }
    Ok(table)
}

/// The cells of the first sheet.
pub(crate) fn read(bytes: &[u8]) -> Result<RawTable, Vec<CellError>> {
    check_container(bytes).map_err(|e| vec![e])?;
    // The reader is third-party code fed with untrusted bytes: a panic is a rejected file.
    match std::panic::catch_unwind(|| read_sheet(bytes)) {
        Ok(Ok(table)) => Ok(table),
        Ok(Err(e)) => Err(vec![e]),
        Err(_) => Err(vec![not_xlsx("lỗi khi đọc / reader failure")]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announced_counts_are_found() {
        assert_eq!(announced_count(br#"<sst count="3" uniqueCount="2">"#), 2);
        assert_eq!(announced_count(b"<sst uniqueCount = '999999999999'>"), 999_999_999_999);
        assert_eq!(announced_count(b"<sst>"), 0);
        assert_eq!(announced_count(b"uniqueCount"), 0);
    }
}
