//! Exports (issue #13): the register (form 07) and the officers' dossier lists as CSV or XLSX.
//! This module chooses the columns and the rows; the formats (BOM, quoting, the guard against
//! formula injection, typed Excel cells) are `motcua_documents::export`. The pages and the
//! API only pick the filter and send the bytes.
//!
//! Every export is bounded: at most `documents.export_max_rows` rows (10,000 by default;
//! the register's PDF keeps its own 2,000 per print). A larger selection is refused with 422
//! `export_too_large` and a Vietnamese message asking for a narrower filter. Every export by
//! an official is recorded in the access log (`register_export`, `list_export`).

use super::dossiers::{self as uc, ListQuery, RegisterEntry};
use crate::access::AccessKind;
use crate::auth::CurrentUser;
use crate::{AppContext, AppError};
pub use motcua_documents::export::{Cell, Table};
use motcua_domain::dossier::Dossier;

/// A file format of the exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    /// `csv` or `xlsx`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// An exported file.
#[derive(Debug, Clone)]
pub struct ExportFile {
    pub bytes: Vec<u8>,
    pub media_type: &'static str,
    /// The file name (ASCII).
    pub name: String,
}

/// The table as a file named `<stem>.<extension>`.
pub fn file(table: &Table, format: ExportFormat, stem: &str) -> Result<ExportFile, AppError> {
    let bytes = match format {
        ExportFormat::Csv => table.to_csv(),
        ExportFormat::Xlsx => table.to_xlsx().map_err(|e| AppError::Refused {
            http: 422,
            code: e.code(),
            vi: e.message_vi(),
            en: e.message_en(),
        })?,
    };
    Ok(ExportFile { bytes, media_type: format.media_type(), name: format!("{stem}.{}", format.extension()) })
}

/// The refusal of an export larger than its bound.
pub fn too_large(rows: i64, max: usize) -> AppError {
    AppError::Refused {
        http: 422,
        code: "export_too_large",
        vi: format!(
            "Có {rows} hồ sơ, quá {max} hồ sơ của một lần tải về; hãy lọc hẹp hơn (trạng thái, từ khóa, khoảng thời gian)."
        ),
        en: format!("{rows} dossiers, more than the {max} of one download; narrow the filter (status, search, period)."),
    }
}

fn t(en: bool, vi: &'static str, en_text: &'static str) -> String {
    if en { en_text } else { vi }.to_string()
}

fn local(ms: Option<i64>) -> Cell {
    ms.and_then(|m| jiff::Timestamp::from_millisecond(m).ok())
        .map(|t| Cell::DateTime(motcua_domain::calendar::local_datetime(t)))
        .unwrap_or(Cell::Empty)
}

/// The columns of the register (form 07), (Vietnamese, English): the page and the files
/// share them.
pub const REGISTER_COLUMNS: [(&str, &str); 13] = [
    ("STT", "No."),
    ("Mã hồ sơ", "Dossier code"),
    ("Tên thủ tục", "Procedure"),
    ("Tên tổ chức, cá nhân", "Applicant"),
    ("Địa chỉ, số điện thoại", "Address, phone"),
    ("Cơ quan chủ trì giải quyết", "Competent agency"),
    ("Ngày, giờ nhận hồ sơ", "Received"),
    ("Ngày, giờ hẹn trả", "Appointment"),
    ("Ngày, giờ chuyển hồ sơ", "Transferred"),
    ("Ngày, giờ nhận kết quả", "Result received"),
    ("Ngày, giờ trả kết quả", "Returned"),
    ("Trạng thái", "Status"),
    ("Ghi chú", "Note"),
];

/// The register's rows as a table (headers in English when `en`).
pub fn register_table(entries: &[RegisterEntry], from: jiff::civil::Date, to: jiff::civil::Date, en: bool) -> Table {
    let title = if en { format!("Register {from} to {to}") } else { format!("Sổ theo dõi {from} đến {to}") };
    let rows = entries
        .iter()
        .map(|e| {
            vec![
                Cell::Int(e.no as i64),
                Cell::text(e.code.clone().unwrap_or_default()),
                Cell::text(e.procedure.clone()),
                Cell::text(e.applicant.clone()),
                Cell::text(e.address_phone.clone()),
                Cell::text(e.competent.clone().unwrap_or_default()),
                local(e.received_at),
                local(e.appointment_at),
                local(e.transferred_at),
                local(e.result_at),
                local(e.returned_at),
                Cell::text(t(en, e.status.label_vi(), e.status.label_en())),
                Cell::text(e.extension.as_ref().map(|r| format!("{}: {r}", t(en, "Gia hạn", "Extended"))).unwrap_or_default()),
            ]
        })
        .collect();
    Table { title, headers: REGISTER_COLUMNS.iter().map(|(vi, e)| t(en, vi, e)).collect(), rows }
}

/// The register over a period as a file, within the reader's scope (`register_entries`),
/// recorded as `register_export`.
pub async fn register(
    ctx: &AppContext,
    current: &CurrentUser,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
    format: ExportFormat,
    en: bool,
) -> Result<ExportFile, AppError> {
    let entries = uc::register_entries(ctx, current, from, to, AccessKind::RegisterExport).await?;
    let max = ctx.config.documents.export_max_rows;
    if entries.len() > max {
        return Err(too_large(entries.len() as i64, max));
    }
    file(&register_table(&entries, from, to, en), format, &format!("so-theo-doi-{from}-{to}"))
}

/// The columns of an exported dossier list, (Vietnamese, English).
pub const DOSSIER_COLUMNS: [(&str, &str); 12] = [
    ("STT", "No."),
    ("Mã hồ sơ", "Dossier code"),
    ("Mã thủ tục", "Procedure code"),
    ("Tên thủ tục", "Procedure"),
    ("Tên tổ chức, cá nhân", "Applicant"),
    ("Trạng thái", "Status"),
    ("Bước xử lý", "Current step"),
    ("Nơi tiếp nhận", "Received at"),
    ("Ngày, giờ nộp", "Submitted"),
    ("Ngày, giờ nhận hồ sơ", "Received"),
    ("Hạn giải quyết", "Due"),
    ("Ngày, giờ hẹn trả", "Appointment"),
];

/// Dossiers as a table, in their order (headers in English when `en`).
pub fn dossier_table(items: &[Dossier], title: String, en: bool) -> Table {
    let rows = items
        .iter()
        .enumerate()
        .map(|(i, d)| {
            vec![
                Cell::Int(i as i64 + 1),
                Cell::text(d.code.clone().or_else(|| d.filing_reference.clone()).unwrap_or_default()),
                Cell::text(d.procedure.code.clone()),
                Cell::text(d.procedure.name.clone()),
                Cell::text(d.applicant.name.clone()),
                Cell::text(t(en, d.status.label_vi(), d.status.label_en())),
                Cell::text(d.current_step().map(|s| s.name.clone()).unwrap_or_default()),
                Cell::text(d.receiving.name.clone()),
                local(d.submitted_at),
                local(d.received_at),
                local(d.due_at),
                local(d.appointment_at),
            ]
        })
        .collect();
    Table { title, headers: DOSSIER_COLUMNS.iter().map(|(vi, e)| t(en, vi, e)).collect(), rows }
}

/// Every dossier the list `q` selects (the inbox, a supervisor's subtree, an applicant's
/// own), not only one page, scoped in the query as the list is (`list_for_export`).
pub async fn dossiers(
    ctx: &AppContext,
    current: &CurrentUser,
    q: ListQuery,
    format: ExportFormat,
    en: bool,
) -> Result<ExportFile, AppError> {
    let max = ctx.config.documents.export_max_rows;
    let items = uc::list_for_export(ctx, current, q, max, format.extension()).await?;
    let day = motcua_domain::calendar::local_date_ms(ctx.clock.now_ms());
    let title = if en { format!("Dossiers {day}") } else { format!("Danh sách hồ sơ {day}") };
    file(&dossier_table(&items, title, en), format, &format!("ho-so-{day}"))
}
