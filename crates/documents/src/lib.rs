//! Document formats of motcua: pure functions from domain values to file bytes and back.
//! No I/O: callers read and write the files.
//!
//! - [`catalog_table`]: the procedure catalog (danh mục thủ tục hành chính) as one table,
//!   exported and imported as XLSX or CSV.
//! - [`export`]: any table (the register, dossier lists) as CSV or XLSX, guarded against
//!   formula injection.
//! - [`upload`]: uploaded files checked by their structure (PDF, PNG, JPEG, DOCX, XLSX).

pub mod catalog_table;
pub mod export;
pub mod upload;

pub use catalog_table::{CatalogRow, CellError, Column, ExportError, export_csv, export_xlsx, import_csv, import_xlsx};
