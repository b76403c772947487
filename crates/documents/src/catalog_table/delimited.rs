//! The CSV format (RFC 4180), as Excel writes and reads it.

use super::codec::encode;
use super::{CellError, Column, MAX_ROWS, Raw, RawTable};
use crate::export::{BOM, needs_guard, push_record};
use jiff::civil::Date;
use motcua_domain::catalog::ProcedureSpec;

pub(crate) fn export(rows: &[(ProcedureSpec, Option<Date>)]) -> Vec<u8> {
    let mut out = String::new();
    let headers: Vec<String> = Column::ALL.iter().map(|c| c.header()).collect();
    push_record(&mut out, headers.iter().map(String::as_str));
    for (spec, effective_from) in rows {
        let cells = encode(spec, *effective_from);
        push_record(&mut out, cells.iter().map(String::as_str));
    }
    let mut bytes = BOM.to_vec();
    bytes.extend_from_slice(out.as_bytes());
    bytes
}

/// Removes the apostrophe the exporter put before a cell Excel would take for a formula.
fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

/// The separator of the header line: of comma, semicolon and tab, the one that splits it into
/// the most recognised column headers (Excel in a Vietnamese locale writes `;` and leaves the
/// commas of "Phí, lệ phí" unquoted, so counting separators is not enough).
fn sniff_delimiter(text: &str) -> u8 {
    let recognised = |d: u8| {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(d).from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        match reader.read_record(&mut record) {
            Ok(true) => record.iter().filter(|h| super::header_column(h).is_ok()).count(),
            _ => 0,
        }
    };
    let mut best = (b',', recognised(b','));
    for d in [b';', b'\t'] {
        let n = recognised(d);
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}

/// Line ends (`\r\n`, `\n` or `\r`) at the end of a stretch of text.
fn line_ends_before(segment: &[u8]) -> usize {
    let (mut n, mut i) = (0, segment.len());
    while i > 0 {
        match segment[i - 1] {
            b'\n' => {
                i -= 1;
                if i > 0 && segment[i - 1] == b'\r' {
                    i -= 1;
                }
            }
            b'\r' => i -= 1,
            _ => break,
        }
        n += 1;
    }
    n
}

pub(crate) fn read(bytes: &[u8]) -> Result<RawTable, Vec<CellError>> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        vec![CellError::file(
            "not_utf8",
            format!("Tệp không phải văn bản UTF-8 (lỗi ở dòng văn bản {line}); hãy lưu tệp dạng \"CSV UTF-8\"."),
            format!("The file is not UTF-8 text (error on text line {line}); save it as \"CSV UTF-8\"."),
        )]
    })?;
    // Excel's "sep=;" hint line.
    let (text, delimiter) = match text.split_once('\n') {
        Some((first, rest)) if first.trim_end_matches('\r').len() == 5 && first.starts_with("sep=") => {
            (rest, first.as_bytes()[4])
        }
        _ => (text, sniff_delimiter(text)),
    };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut table = RawTable::default();
    // Rows are numbered as a spreadsheet shows them: the reader skips blank lines, so the
    // line ends between the previous record and this one are counted.
    let (mut row, mut data_rows) = (0usize, 0usize);
    let all = text.as_bytes();
    for record in reader.records() {
        let start = match &record {
            Ok(r) => r.position().map_or(0, |p| p.byte() as usize),
            Err(e) => e.position().map_or(0, |p| p.byte() as usize),
        }
        .min(all.len());
        let content = start + all[start..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        let line_ends = line_ends_before(&all[..content]);
        row = if row == 0 { 1 + line_ends } else { row + line_ends.max(1) };
        let record = record.map_err(|e| {
            vec![CellError::new(
                row,
                "",
                "csv_format",
                format!("Dòng {row} không đọc được theo định dạng CSV ({e})."),
                format!("Row {row} cannot be read as CSV ({e})."),
            )]
        })?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        data_rows += 1;
        if data_rows > MAX_ROWS + 1 {
            return Err(vec![CellError::file(
                "too_many_rows",
                format!("Tệp có hơn {MAX_ROWS} dòng dữ liệu."),
                format!("The file has more than {MAX_ROWS} data rows."),
            )]);
        }
        for (col, cell) in record.iter().enumerate() {
            if !cell.trim().is_empty() {
                table.cells.push((row, col, Raw::Text(unguard(cell).to_string())));
            }
        }
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_read_back() {
        for s in ["=1+1", "+84", "-5 days", "@x", "'", "'abc", "''", "'=x", "\tx", "plain", ""] {
            let mut out = String::new();
            crate::export::push_field(&mut out, s);
            let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(out.as_bytes());
            let rec = r.records().next().and_then(Result::ok).map(|r| r.get(0).unwrap_or_default().to_string());
            let back = rec.unwrap_or_default();
            assert_eq!(unguard(&back), s, "{s:?} -> {out:?}");
        }
    }

    #[test]
    fn delimiter_is_sniffed() {
        assert_eq!(sniff_delimiter("code,name\nx;y"), b',');
        assert_eq!(sniff_delimiter("Mã thủ tục (code);Phí, lệ phí (fees);Yêu cầu, điều kiện (conditions)\n"), b';');
        assert_eq!(sniff_delimiter("\"code\";name\n"), b';');
        assert_eq!(sniff_delimiter("code\tname\n"), b'\t');
        assert_eq!(sniff_delimiter("a\n"), b',');
        assert_eq!(sniff_delimiter(""), b',');
    }
}
