//! Reports and open statistics (issue #16).
//!
//! **Reports**: the 766 index of a unit and period, and the dashboard's figures (volumes by
//! channel, rates, processing times per procedure, in progress and overdue at the period's
//! end, the ranking of the sub-units), as CSV (UTF-8 with BOM), XLSX (both through
//! `motcua_documents::export`, with its guard against formula injection) or a printable PDF
//! (`bao-cao.typ`). Everything is read through `indicators::index` / `indicators::ranking`,
//! so the reader's scope is checked there (403 `unit_out_of_scope`). Each download by an
//! official is recorded in the access log (`report_export`). Bounded: at most
//! `documents.export_max_rows` procedure or sub-unit rows.
//!
//! **Open statistics**: a public, personal-data-free dataset per complete past month, one
//! row per (unit, procedure): received by channel, the on-time rate, median and 90th
//! percentile of the processing time, satisfaction. A unit is an agency with counters (the
//! province, whose departments receive at the provincial centre, and each commune or ward);
//! every counter row is summed into the nearest such agency above it. Small counts are
//! suppressed (see [`SUPPRESSION_RULE_VI`]).

use super::exports::{self, Cell, ExportFile, ExportFormat, Table};
use super::indicators::{self as ind, Counts, UnitIndex};
use crate::access;
use crate::auth::CurrentUser;
use crate::{AppContext, AppError};
use motcua_domain::agency::AgencyKind;
use motcua_domain::index766::{Period, Source, display};
use motcua_pdf::{ReportInput, ReportMeta, ReportTable};
use std::collections::{BTreeMap, BTreeSet};

/// A report's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Csv,
    Xlsx,
    Pdf,
}

impl ReportFormat {
    /// `csv`, `xlsx` or `pdf`; anything else is 400 `invalid_format`.
    pub fn parse(s: &str) -> Result<Self, AppError> {
        match s.trim() {
            "csv" => Ok(Self::Csv),
            "xlsx" => Ok(Self::Xlsx),
            "pdf" => Ok(Self::Pdf),
            _ => Err(bad_request(
                "invalid_format",
                "Định dạng báo cáo là csv, xlsx hoặc pdf.",
                "The report format is csv, xlsx or pdf.",
            )),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Pdf => "pdf",
        }
    }
}

/// Which report: the 766 index or the dashboard's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportView {
    Index766,
    Dashboard,
}

impl ReportView {
    /// `766` or `dashboard`; anything else is 400 `invalid_view`.
    pub fn parse(s: &str) -> Result<Self, AppError> {
        match s.trim() {
            "766" => Ok(Self::Index766),
            "dashboard" => Ok(Self::Dashboard),
            _ => Err(bad_request("invalid_view", "Loại báo cáo là 766 hoặc dashboard.", "The report is 766 or dashboard.")),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Index766 => "766",
            Self::Dashboard => "dashboard",
        }
    }
}

fn bad_request(code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::Refused { http: 400, code, vi: vi.into(), en: en.into() }
}

/// A period as the reports take it (`2026-11`, `2026-Q4`, `2026`): the index's own parse,
/// so a bad one is the same 422 `invalid_period` on every indicators route.
pub fn parse_period(s: &str) -> Result<Period, AppError> {
    ind::parse_period(s)
}

fn t(en: bool, vi: &str, en_text: &str) -> String {
    if en { en_text } else { vi }.to_string()
}

/// A share in percent rounded to the hundredth; none without a denominator.
fn percent(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| (n as f64 * 10_000.0 / d as f64).round() / 100.0)
}

fn num(x: Option<f64>) -> Cell {
    x.map(Cell::Number).unwrap_or(Cell::Empty)
}

fn int(x: Option<i64>) -> Cell {
    x.map(Cell::Int).unwrap_or(Cell::Empty)
}

/// A number as printed in Vietnamese (decimal comma, no trailing zeros).
fn vn_number(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Number(x) => vn_number(*x),
        Cell::DateTime(d) => d.strftime("%d/%m/%Y %H:%M").to_string(),
        Cell::Date(d) => d.strftime("%d/%m/%Y").to_string(),
    }
}

fn generated_now(ctx: &AppContext) -> jiff::civil::DateTime {
    let now = jiff::Timestamp::from_millisecond(ctx.clock.now_ms()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    motcua_domain::calendar::local_datetime(now)
}

/// What heads every report: the unit, the period, the point table, when it was made.
struct Head {
    title: String,
    unit: String,
    period: String,
    table_version: String,
    generated: jiff::civil::DateTime,
}

impl Head {
    fn new(ctx: &AppContext, x: &UnitIndex, title: String) -> Self {
        let (from, to) = x.period.days();
        Self {
            title,
            unit: format!("{} ({})", x.unit.name, x.unit.code),
            period: format!("{} ({} – {})", x.period.label_vi(), from.strftime("%d/%m/%Y"), to.strftime("%d/%m/%Y")),
            table_version: x.result.table_version.clone(),
            generated: generated_now(ctx),
        }
    }

    /// (label, value) lines, in the file's language.
    fn lines(&self, en: bool) -> Vec<(String, Cell)> {
        vec![
            (t(en, "Đơn vị", "Unit"), Cell::text(self.unit.clone())),
            (t(en, "Kỳ", "Period"), Cell::text(self.period.clone())),
            (t(en, "Bảng điểm", "Point table"), Cell::text(self.table_version.clone())),
            (t(en, "Thời điểm lập", "Generated at"), Cell::DateTime(self.generated)),
        ]
    }
}

/// The spreadsheet form of a report: the head as "information" rows (label in the code
/// column, value in the name column), then the report's own rows.
fn sheet(head: &Head, headers: Vec<String>, rows: Vec<Vec<Cell>>, en: bool) -> Table {
    let width = headers.len();
    let mut out: Vec<Vec<Cell>> = head
        .lines(en)
        .into_iter()
        .map(|(label, value)| {
            let mut r = vec![Cell::text(t(en, "Thông tin", "Information")), Cell::text(label), value];
            r.resize(width, Cell::Empty);
            r
        })
        .collect();
    out.extend(rows);
    Table { title: head.title.clone(), headers, rows: out }
}

fn source_label(s: Source, en: bool) -> String {
    match s {
        Source::Counters => t(en, "Bộ đếm hồ sơ", "Dossier counters"),
        Source::Catalog => t(en, "Danh mục thủ tục", "Procedure catalog"),
        Source::Reconciliation => t(en, "Đối soát với Cổng DVCQG", "Reconciliation with the national portal"),
        Source::Import => t(en, "Số liệu nhập", "Imported figures"),
    }
}

/// The columns of the 766 report, (Vietnamese, English).
pub const INDEX_COLUMNS: [(&str, &str); 10] = [
    ("Phần", "Section"),
    ("Mã", "Code"),
    ("Tên", "Name"),
    ("Nguồn số liệu", "Source"),
    ("Tử số", "Numerator"),
    ("Mẫu số", "Denominator"),
    ("Tỷ lệ (%)", "Ratio (%)"),
    ("Điểm", "Points"),
    ("Điểm tối đa", "Maximum"),
    ("Ghi chú", "Note"),
];

fn index_rows(x: &UnitIndex, en: bool) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for s in &x.result.indicators {
        let mut notes = Vec::new();
        if s.monitoring {
            notes.push(t(en, "Theo dõi, không tính điểm", "Monitoring, not scored"));
        }
        if s.figure.is_none() && !s.monitoring {
            notes.push(t(en, "Không có dữ liệu", "No data"));
        }
        if s.by_rule {
            notes.push(t(en, "Điểm theo quy tắc mẫu số bằng 0", "Points by the zero-denominator rule"));
        }
        if x.imported.contains(&s.id) {
            notes.push(t(en, "Số liệu nhập", "Imported"));
        }
        rows.push(vec![
            Cell::text(t(en, "Chỉ tiêu", "Indicator")),
            Cell::text(s.id.clone()),
            Cell::text(if en { s.name_en.clone() } else { s.name_vi.clone() }),
            Cell::text(source_label(s.source, en)),
            int(s.figure.map(|f| f.numerator)),
            int(s.figure.map(|f| f.denominator)),
            num(s.ratio_percent()),
            num(s.points_display()),
            Cell::Number(s.max_display()),
            Cell::text(notes.join("; ")),
        ]);
    }
    for g in &x.result.groups {
        rows.push(vec![
            Cell::text(t(en, "Nhóm", "Group")),
            Cell::text(g.id.clone()),
            Cell::text(if en { g.name_en.clone() } else { g.name_vi.clone() }),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Number(display(g.points)),
            Cell::Number(display(g.max)),
            if g.no_data > 0 {
                Cell::text(format!("{}: {}", t(en, "Chỉ tiêu không có dữ liệu", "Indicators with no data"), g.no_data))
            } else {
                Cell::Empty
            },
        ]);
    }
    let max: i128 = x.result.groups.iter().map(|g| g.max).sum();
    let grade = if en { &x.result.grade.name_en } else { &x.result.grade.name_vi };
    rows.push(vec![
        Cell::text(t(en, "Tổng", "Total")),
        Cell::Empty,
        Cell::text(t(en, "Tổng điểm", "Total points")),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Number(x.result.total_display()),
        Cell::Number(display(max)),
        Cell::text(format!("{}: {grade}", t(en, "Xếp loại", "Grade"))),
    ]);
    rows
}

/// The columns of the dashboard report, (Vietnamese, English).
pub const DASHBOARD_COLUMNS: [(&str, &str); 20] = [
    ("Phần", "Section"),
    ("Mã", "Code"),
    ("Tên", "Name"),
    ("Tiếp nhận", "Received"),
    ("Trực tiếp", "At the counter"),
    ("Trực tuyến", "Online"),
    ("Bưu chính", "By post"),
    ("Đã giải quyết", "Finished"),
    ("Trước và đúng hạn", "Early or on time"),
    ("Trễ hạn", "Late"),
    ("Tỷ lệ đúng hạn (%)", "On time (%)"),
    ("Tỷ lệ trực tuyến (%)", "Online (%)"),
    ("Thời gian trung bình (ngày)", "Average time (days)"),
    ("Trung vị (ngày)", "Median (days)"),
    ("Phân vị 90 (ngày)", "90th percentile (days)"),
    ("Đang giải quyết cuối kỳ", "In progress at the end"),
    ("Quá hạn cuối kỳ", "Overdue at the end"),
    ("Tổng điểm 766", "766 total"),
    ("Xếp loại", "Grade"),
    ("Hạng", "Rank"),
];

/// The figures of one row of the dashboard from counter sums (`state`: in progress and
/// overdue at the end, known for units, not per procedure).
fn figures_row(section: String, code: String, name: String, c: &Counts, state: bool) -> Vec<Cell> {
    let g = |m: &str| c.get(m);
    let on_time = g("finished_early") + g("finished_on_time");
    let (avg, median, p90) = c.durations();
    vec![
        Cell::text(section),
        Cell::text(code),
        Cell::text(name),
        Cell::Int(g("received")),
        Cell::Int(g("received_counter")),
        Cell::Int(g("received_online")),
        Cell::Int(g("received_postal")),
        Cell::Int(g("finished")),
        Cell::Int(on_time),
        Cell::Int(g("finished_late")),
        num(percent(on_time, g("finished"))),
        num(percent(g("received_online"), g("received"))),
        num(avg),
        int(median),
        int(p90),
        if state { Cell::Int(c.open_at_end.max(0)) } else { Cell::Empty },
        if state { Cell::Int(c.overdue_at_end.max(0)) } else { Cell::Empty },
    ]
}

fn unit_row(section: String, x: &UnitIndex, rank: Option<usize>, en: bool) -> Vec<Cell> {
    let mut r = figures_row(section, x.unit.code.clone(), x.unit.name.clone(), &x.counts, true);
    r.push(Cell::Number(x.result.total_display()));
    r.push(Cell::text(if en { x.result.grade.name_en.clone() } else { x.result.grade.name_vi.clone() }));
    r.push(int(rank.map(|r| r as i64)));
    r
}

/// Procedure names by code (those in force now; an older code shows as its code).
async fn procedure_names(ctx: &AppContext) -> Result<BTreeMap<String, String>, AppError> {
    let all = super::catalog::all_in_force(ctx, Some(ctx.clock.now_ms())).await?;
    Ok(all.into_iter().map(|v| (v.spec.code.clone(), v.spec.name.clone())).collect())
}

fn dashboard_rows(
    own: &UnitIndex,
    ranked: &[UnitIndex],
    names: &BTreeMap<String, String>,
    en: bool,
) -> (Vec<Cell>, Vec<Vec<Cell>>, Vec<Vec<Cell>>) {
    let unit = unit_row(t(en, "Đơn vị", "Unit"), own, None, en);
    let procedures = own
        .by_procedure
        .iter()
        .map(|(code, sums)| {
            let c = Counts { sums: sums.clone(), ..Default::default() };
            let name = names.get(code).cloned().unwrap_or_else(|| code.clone());
            let mut r = figures_row(t(en, "Thủ tục", "Procedure"), code.clone(), name, &c, false);
            r.resize(DASHBOARD_COLUMNS.len(), Cell::Empty);
            r
        })
        .collect();
    let children =
        ranked.iter().enumerate().map(|(i, x)| unit_row(t(en, "Đơn vị trực thuộc", "Sub-unit"), x, Some(i + 1), en)).collect();
    (unit, procedures, children)
}

/// A generated report.
pub type ReportFile = ExportFile;

fn pdf_file(bytes: Vec<u8>, stem: &str) -> ReportFile {
    ReportFile { bytes, media_type: "application/pdf", name: format!("{stem}.pdf") }
}

fn render_failed(e: &motcua_pdf::RenderError) -> AppError {
    tracing::error!(error = %e, "report render failed");
    let detail: String = e.to_string().chars().take(400).collect();
    AppError::Refused {
        http: 500,
        code: "report_render_failed",
        vi: format!("Không tạo được bản in báo cáo: mẫu in bao-cao.typ có lỗi. Báo quản trị viên kiểm tra. Chi tiết: {detail}"),
        en: format!(
            "The report could not be printed: the template bao-cao.typ is broken. Tell an administrator. Detail: {detail}"
        ),
    }
}

/// A table of the PDF: the given columns of the rows, as printed (`numeric`: positions in
/// `pick` right-aligned).
fn pdf_table(
    title: String,
    columns: &[(&str, &str)],
    pick: &[usize],
    rows: &[Vec<Cell>],
    wide: usize,
    numeric: Vec<usize>,
) -> ReportTable {
    ReportTable {
        title,
        headers: pick.iter().map(|i| columns[*i].0.to_string()).collect(),
        rows: rows.iter().map(|r| pick.iter().map(|i| r.get(*i).map(cell_text).unwrap_or_default()).collect()).collect(),
        wide,
        numeric,
        empty: "Không có số liệu trong kỳ.".into(),
    }
}

async fn render(
    ctx: &AppContext,
    head: &Head,
    extra: Vec<ReportMeta>,
    tables: Vec<ReportTable>,
    qr: String,
) -> Result<Vec<u8>, AppError> {
    let mut meta: Vec<ReportMeta> =
        head.lines(false).into_iter().map(|(label, value)| ReportMeta { label, value: cell_text(&value) }).collect();
    meta.extend(extra);
    let input = ReportInput { title: head.title.clone(), meta, tables };
    ctx.documents.on_demand(move |r| r.render_report(&input, &qr)).await?.map_err(|e| render_failed(&e))
}

/// Where the PDF's QR code points: the same report, for whoever may read it.
fn qr_of(ctx: &AppContext, view: ReportView, unit: &str, period: &Period) -> String {
    format!(
        "{}/can-bo/chi-so/bao-cao.pdf?view={}&unit={}&period={}",
        ctx.documents.public_url.trim_end_matches('/'),
        view.code(),
        motcua_domain::text::urlencode(unit),
        period.key()
    )
}

fn record(ctx: &AppContext, current: &CurrentUser, view: ReportView, x: &UnitIndex, format: ReportFormat, rows: usize) {
    let period = x.period.key();
    access::report_export(
        ctx,
        current,
        view.code(),
        &[("unit", &x.unit.code), ("period", &period), ("format", format.extension())],
        rows,
    );
}

fn check_rows(ctx: &AppContext, rows: usize) -> Result<(), AppError> {
    let max = ctx.config.documents.export_max_rows;
    if rows > max {
        return Err(AppError::Refused {
            http: 422,
            code: "export_too_large",
            vi: format!("Báo cáo có {rows} dòng, quá {max} dòng của một lần tải về; hãy chọn đơn vị nhỏ hơn."),
            en: format!("The report has {rows} rows, more than the {max} of one download; choose a smaller unit."),
        });
    }
    Ok(())
}

/// The 766 index of a unit (none = the reader's own) for a period, as a file.
pub async fn index_report(
    ctx: &AppContext,
    current: &CurrentUser,
    unit: Option<&str>,
    period: Period,
    format: ReportFormat,
    en: bool,
) -> Result<ReportFile, AppError> {
    let x = ind::index(ctx, current, unit, period).await?;
    let title = if en { format!("766 index {}", x.period.key()) } else { format!("Bộ chỉ số 766 {}", x.period.key()) };
    let head = Head::new(ctx, &x, title);
    let stem = format!("chi-so-766-{}-{}", x.unit.code, x.period.key());
    let rows = index_rows(&x, en);
    record(ctx, current, ReportView::Index766, &x, format, rows.len());
    let headers: Vec<String> = INDEX_COLUMNS.iter().map(|(vi, e)| t(en, vi, e)).collect();
    match format {
        ReportFormat::Csv | ReportFormat::Xlsx => {
            let f = if format == ReportFormat::Csv { ExportFormat::Csv } else { ExportFormat::Xlsx };
            exports::file(&sheet(&head, headers, rows, en), f, &stem)
        }
        ReportFormat::Pdf => {
            let head = Head {
                title: "Báo cáo Bộ chỉ số phục vụ người dân, doanh nghiệp (QĐ 766/QĐ-TTg)".into(), ..head
            };
            let (groups, indicators): (Vec<Vec<Cell>>, Vec<Vec<Cell>>) = index_rows(&x, false)
                .into_iter()
                .filter(|r| !matches!(r.first(), Some(Cell::Text(s)) if s == "Tổng"))
                .partition(|r| matches!(r.first(), Some(Cell::Text(s)) if s == "Nhóm"));
            let max: i128 = x.result.groups.iter().map(|g| g.max).sum();
            let extra = vec![
                ReportMeta {
                    label: "Tổng điểm".into(),
                    value: format!("{} / {}", vn_number(x.result.total_display()), vn_number(display(max))),
                },
                ReportMeta { label: "Xếp loại".into(), value: x.result.grade.name_vi.clone() },
            ];
            let tables = vec![
                pdf_table("Điểm theo nhóm".into(), &INDEX_COLUMNS, &[1, 2, 7, 8, 9], &groups, 1, vec![2, 3]),
                pdf_table(
                    "Điểm theo chỉ tiêu".into(),
                    &INDEX_COLUMNS,
                    &[1, 2, 4, 5, 6, 7, 8, 9],
                    &indicators,
                    1,
                    vec![2, 3, 4, 5, 6],
                ),
            ];
            let qr = qr_of(ctx, ReportView::Index766, &x.unit.code, &x.period);
            Ok(pdf_file(render(ctx, &head, extra, tables, qr).await?, &stem))
        }
    }
}

/// The dashboard's figures of a unit (none = the reader's own) for a period, with its
/// procedures and the ranking of its sub-units, as a file.
pub async fn dashboard_report(
    ctx: &AppContext,
    current: &CurrentUser,
    unit: Option<&str>,
    period: Period,
    format: ReportFormat,
    en: bool,
) -> Result<ReportFile, AppError> {
    let (own, ranked) = ind::ranking(ctx, current, unit, period).await?;
    check_rows(ctx, own.by_procedure.len() + ranked.len())?;
    let names = procedure_names(ctx).await?;
    let title =
        if en { format!("Dashboard {}", own.period.key()) } else { format!("Số liệu theo dõi {}", own.period.key()) };
    let head = Head::new(ctx, &own, title);
    let stem = format!("bao-cao-chi-so-{}-{}", own.unit.code, own.period.key());
    let (unit_row, procedures, children) = dashboard_rows(&own, &ranked, &names, en);
    record(ctx, current, ReportView::Dashboard, &own, format, 1 + procedures.len() + children.len());
    match format {
        ReportFormat::Csv | ReportFormat::Xlsx => {
            let headers: Vec<String> = DASHBOARD_COLUMNS.iter().map(|(vi, e)| t(en, vi, e)).collect();
            let rows: Vec<Vec<Cell>> = std::iter::once(unit_row).chain(procedures).chain(children).collect();
            let f = if format == ReportFormat::Csv { ExportFormat::Csv } else { ExportFormat::Xlsx };
            exports::file(&sheet(&head, headers, rows, en), f, &stem)
        }
        ReportFormat::Pdf => {
            let head = Head { title: "Báo cáo số liệu giải quyết thủ tục hành chính".into(), ..head };
            let (unit_row, procedures, children) = dashboard_rows(&own, &ranked, &names, false);
            let extra = vec![
                ReportMeta { label: "Tổng điểm 766".into(), value: vn_number(own.result.total_display()) },
                ReportMeta { label: "Xếp loại".into(), value: own.result.grade.name_vi.clone() },
            ];
            let c = &DASHBOARD_COLUMNS;
            let tables = vec![
                pdf_table(
                    "Tiếp nhận và giải quyết".into(),
                    c,
                    &[3, 4, 5, 6, 7, 8, 9, 10, 11],
                    std::slice::from_ref(&unit_row),
                    99,
                    (0..9).collect(),
                ),
                pdf_table(
                    "Thời gian giải quyết, tồn cuối kỳ".into(),
                    c,
                    &[12, 13, 14, 15, 16],
                    std::slice::from_ref(&unit_row),
                    99,
                    (0..5).collect(),
                ),
                pdf_table("Theo thủ tục".into(), c, &[1, 2, 3, 5, 7, 10, 12, 13, 14], &procedures, 1, (2..9).collect()),
                pdf_table(
                    "Xếp hạng đơn vị trực thuộc".into(),
                    c,
                    &[19, 1, 2, 3, 7, 10, 15, 16, 17, 18],
                    &children,
                    2,
                    vec![0, 3, 4, 5, 6, 7, 8],
                ),
            ];
            let qr = qr_of(ctx, ReportView::Dashboard, &own.unit.code, &own.period);
            Ok(pdf_file(render(ctx, &head, extra, tables, qr).await?, &stem))
        }
    }
}

/// A report chosen by its view.
pub async fn report(
    ctx: &AppContext,
    current: &CurrentUser,
    view: ReportView,
    unit: Option<&str>,
    period: Period,
    format: ReportFormat,
    en: bool,
) -> Result<ReportFile, AppError> {
    match view {
        ReportView::Index766 => index_report(ctx, current, unit, period, format, en).await,
        ReportView::Dashboard => dashboard_report(ctx, current, unit, period, format, en).await,
    }
}

// ---------------------------------------------------------------------------------------
// Open statistics
// ---------------------------------------------------------------------------------------

/// Cells computed from fewer dossiers than this are left blank.
pub const MIN_DOSSIERS: i64 = 5;

/// The suppression rule, as the metadata states it.
pub const SUPPRESSION_RULE_VI: &str = "Mỗi số liệu được tính từ một số hồ sơ (cơ sở): tiếp nhận và các kênh tiếp nhận từ số hồ sơ tiếp nhận của dòng; tỷ lệ đúng hạn từ số hồ sơ đã giải quyết; trung vị và phân vị 90 của thời gian giải quyết từ số hồ sơ đã có quyết định; tỷ lệ hài lòng từ số lượt đánh giá. Số liệu có cơ sở dưới 5 hồ sơ được để trống (CSV: ô trống; JSON: null và \"suppressed\": true) để không thể nhận ra một người cụ thể.";
pub const SUPPRESSION_RULE_EN: &str = "Each figure is computed from a number of dossiers (its basis): received and its channels from the row's received dossiers; the on-time rate from the finished ones; the median and 90th percentile of the processing time from the decided ones; satisfaction from the ratings. A figure whose basis is below 5 dossiers is left blank (CSV: empty cell; JSON: null with \"suppressed\": true) so that no individual can be singled out.";

/// The fields of a row, (name, Vietnamese description).
pub const OPEN_FIELDS: [(&str, &str); 16] = [
    ("month", "Tháng (YYYY-MM)"),
    ("unit_code", "Mã định danh đơn vị"),
    ("unit_name", "Tên đơn vị"),
    ("procedure_code", "Mã thủ tục hành chính"),
    ("procedure_name", "Tên thủ tục hành chính"),
    ("received", "Số hồ sơ tiếp nhận"),
    ("received_counter", "Tiếp nhận trực tiếp"),
    ("received_online", "Tiếp nhận trực tuyến"),
    ("received_postal", "Tiếp nhận qua bưu chính"),
    ("finished", "Số hồ sơ đã giải quyết"),
    ("on_time_rate", "Tỷ lệ giải quyết trước và đúng hạn (%): (trước hạn + đúng hạn) / đã giải quyết"),
    ("median_days", "Trung vị thời gian giải quyết (ngày, từ tiếp nhận đến quyết định; cận trên của khoảng)"),
    ("p90_days", "Phân vị 90 thời gian giải quyết (ngày; cận trên của khoảng)"),
    ("rated", "Số lượt đánh giá"),
    ("satisfaction_rate", "Tỷ lệ hài lòng (%): hài lòng / lượt đánh giá"),
    ("response_rate", "Tỷ lệ phản hồi (%): lượt đánh giá / hồ sơ đã trả kết quả"),
];

/// One (unit, procedure) of a month; `None` = no figure or suppressed (`suppressed` names
/// which).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenRow {
    pub unit_code: String,
    pub unit_name: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub received: Option<i64>,
    pub received_counter: Option<i64>,
    pub received_online: Option<i64>,
    pub received_postal: Option<i64>,
    pub finished: Option<i64>,
    pub on_time_rate: Option<f64>,
    pub median_days: Option<i64>,
    pub p90_days: Option<i64>,
    pub rated: Option<i64>,
    pub satisfaction_rate: Option<f64>,
    /// Ratings / dossiers returned: every satisfaction figure comes with its response rate
    /// (issue #18).
    pub response_rate: Option<f64>,
    /// The fields blanked by the rule.
    pub suppressed: Vec<&'static str>,
}

/// A month's open statistics.
#[derive(Debug, Clone)]
pub struct OpenMonth {
    pub period: Period,
    pub rows: Vec<OpenRow>,
    /// The first instant after the month (its figures are final from then).
    pub closed_at_ms: i64,
}

impl OpenMonth {
    /// A strong validator of the month's figures (a digest of its CSV), quoted as in ETag.
    pub fn etag(&self) -> String {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(open_table(self).to_csv());
        format!("\"{}\"", &hex::encode(digest)[..32])
    }
}

/// The counters a row reads.
const OPEN_METRICS: [&str; 11] = [
    "received",
    "received_counter",
    "received_online",
    "received_postal",
    "finished",
    "finished_early",
    "finished_on_time",
    "decided",
    "rated_satisfied",
    "rated_unsatisfied",
    "returned",
];

/// A month of the open statistics: `YYYY-MM` (else 400 `invalid_month`), complete and past
/// (else 404 `month_not_available`).
pub fn open_period(ctx: &AppContext, s: &str) -> Result<Period, AppError> {
    let shaped = s.len() == 7 && s.as_bytes()[4] == b'-' && s.bytes().enumerate().all(|(i, b)| i == 4 || b.is_ascii_digit());
    let period = Period::parse(s).filter(|p| shaped && p.kind() == "month").ok_or_else(|| {
        bad_request(
            "invalid_month",
            "Tháng không hợp lệ: dạng YYYY-MM, ví dụ 2026-03.",
            "Invalid month: YYYY-MM, for example 2026-03.",
        )
    })?;
    if period.days().1 >= ctx.clock.today() {
        return Err(AppError::Refused {
            http: 404,
            code: "month_not_available",
            vi: format!("Số liệu {} chưa được công bố: chỉ công bố các tháng đã kết thúc.", period.label_vi().to_lowercase()),
            en: format!("No statistics for {}: only months that have ended are published.", period.key()),
        });
    }
    Ok(period)
}

/// The agencies with counters (not the counters or the centres themselves): id → (code, name).
fn publication_units(agencies: &[motcua_store::repo::agencies::AgencyRecord]) -> BTreeMap<String, (String, String)> {
    let mut with_counters = BTreeSet::new();
    for a in agencies.iter().filter(|a| a.kind == AgencyKind::Counter) {
        with_counters.extend(a.path.split('/').filter(|s| !s.is_empty()).map(str::to_string));
    }
    agencies
        .iter()
        .filter(|a| with_counters.contains(&a.id))
        .filter(|a| !matches!(a.kind, AgencyKind::Counter | AgencyKind::ServiceCentre | AgencyKind::CommuneCentre))
        .map(|a| (a.id.clone(), (a.code.clone(), a.name.clone())))
        .collect()
}

/// The figure if its basis is large enough, else none and the field named as suppressed
/// (a basis of zero dossiers singles out nobody: a count of 0 is shown, a rate has no figure).
fn keep<T>(value: Option<T>, basis: i64, field: &'static str, suppressed: &mut Vec<&'static str>) -> Option<T> {
    if basis > 0 && basis < MIN_DOSSIERS {
        suppressed.push(field);
        return None;
    }
    value
}

fn open_row(unit: &(String, String), procedure: &str, name: &str, c: &Counts) -> OpenRow {
    let g = |m: &str| c.get(m);
    let mut s = Vec::new();
    let received = g("received");
    let finished = g("finished");
    let decided = g("decided");
    let rated = g("rated_satisfied") + g("rated_unsatisfied");
    let (_, median, p90) = c.durations();
    OpenRow {
        unit_code: unit.0.clone(),
        unit_name: unit.1.clone(),
        procedure_code: procedure.to_string(),
        procedure_name: name.to_string(),
        received: keep(Some(received), received, "received", &mut s),
        received_counter: keep(Some(g("received_counter")), received, "received_counter", &mut s),
        received_online: keep(Some(g("received_online")), received, "received_online", &mut s),
        received_postal: keep(Some(g("received_postal")), received, "received_postal", &mut s),
        finished: keep(Some(finished), finished, "finished", &mut s),
        on_time_rate: keep(percent(g("finished_early") + g("finished_on_time"), finished), finished, "on_time_rate", &mut s),
        median_days: keep(median, decided, "median_days", &mut s),
        p90_days: keep(p90, decided, "p90_days", &mut s),
        rated: keep(Some(rated), rated, "rated", &mut s),
        satisfaction_rate: keep(percent(g("rated_satisfied"), rated), rated, "satisfaction_rate", &mut s),
        response_rate: keep(percent(rated, g("returned")), g("returned"), "response_rate", &mut s),
        suppressed: s,
    }
}

/// The open statistics of a complete past month, public: no personal data (counters only).
pub async fn open_month(ctx: &AppContext, month: &str) -> Result<OpenMonth, AppError> {
    let period = open_period(ctx, month)?;
    let key = period.key();
    let all = vec!["/".to_string()];
    let (agencies, rows) = ctx
        .store
        .read(move |db| {
            let filter = motcua_store::repo::agencies::AgencyFilter { limit: 100_000, ..Default::default() };
            let (agencies, _) = motcua_store::repo::agencies::list(db, &filter)?;
            let rows = motcua_store::repo::indicators::period_rows(db, &all, &key, &key)?;
            Ok::<_, AppError>((agencies, rows))
        })
        .await?;
    let units = publication_units(&agencies);
    // Each agency's publication unit: the nearest agency with counters at or above it.
    let unit_of: BTreeMap<&str, &str> = agencies
        .iter()
        .filter_map(|a| {
            let found = a.path.split('/').filter(|s| !s.is_empty()).rev().find(|id| units.contains_key(*id))?;
            Some((a.id.as_str(), found))
        })
        .collect();
    let mut sums: BTreeMap<(&str, &str), Counts> = BTreeMap::new();
    for (agency, procedure, metric, v) in &rows {
        let metric_used = OPEN_METRICS.contains(&metric.as_str()) || metric.starts_with("duration_le_");
        if let (true, Some(unit)) = (metric_used, unit_of.get(agency.as_str())) {
            *sums.entry((unit, procedure.as_str())).or_default().sums.entry(metric.clone()).or_default() += v;
        }
    }
    let names = procedure_names(ctx).await?;
    let mut out: Vec<OpenRow> = sums
        .iter()
        .filter(|(_, c)| OPEN_METRICS.iter().any(|m| c.get(m) != 0))
        .map(|((unit, procedure), c)| {
            let name = names.get(*procedure).map(String::as_str).unwrap_or(procedure);
            open_row(&units[*unit], procedure, name, c)
        })
        .collect();
    out.sort_by(|a, b| (&a.unit_code, &a.procedure_code).cmp(&(&b.unit_code, &b.procedure_code)));
    let next = period.days().1.tomorrow().map_err(|e| AppError::Internal(e.to_string()))?;
    let closed_at_ms = super::reconciliation::day_start_ms(next)?;
    Ok(OpenMonth { period, rows: out, closed_at_ms })
}

/// The months published: from the first month with any counter to the last complete one,
/// newest first (at most ten years).
pub async fn open_months(ctx: &AppContext) -> Result<Vec<Period>, AppError> {
    let today = ctx.clock.today();
    let last = today.first_of_month().yesterday().map_err(|e| AppError::Internal(e.to_string()))?;
    let first = last.checked_sub(jiff::Span::new().months(119)).map_err(|e| AppError::Internal(e.to_string()))?;
    let (from, to) = (first.strftime("%Y-%m").to_string(), last.strftime("%Y-%m").to_string());
    let months = ctx
        .store
        .read(move |db| {
            motcua_store::repo::indicators::by_month(db, &["/".to_string()], &from, &to, &["received"]).map_err(AppError::from)
        })
        .await?;
    let mut out: Vec<Period> = months.iter().filter(|(_, _, v)| *v > 0).filter_map(|(m, _, _)| Period::parse(m)).collect();
    out.dedup();
    out.reverse();
    Ok(out)
}

/// The month as a table (CSV): the fields' names as headers, suppressed cells empty.
pub fn open_table(m: &OpenMonth) -> Table {
    let key = m.period.key();
    Table {
        title: format!("Thống kê {key}"),
        headers: OPEN_FIELDS.iter().map(|(n, _)| n.to_string()).collect(),
        rows: m
            .rows
            .iter()
            .map(|r| {
                vec![
                    Cell::text(key.clone()),
                    Cell::text(r.unit_code.clone()),
                    Cell::text(r.unit_name.clone()),
                    Cell::text(r.procedure_code.clone()),
                    Cell::text(r.procedure_name.clone()),
                    int(r.received),
                    int(r.received_counter),
                    int(r.received_online),
                    int(r.received_postal),
                    int(r.finished),
                    num(r.on_time_rate),
                    int(r.median_days),
                    int(r.p90_days),
                    int(r.rated),
                    num(r.satisfaction_rate),
                    num(r.response_rate),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, i64)]) -> Counts {
        Counts { sums: pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect(), ..Default::default() }
    }

    #[test]
    fn small_bases_are_suppressed_and_zero_is_no_figure() {
        let unit = ("U".to_string(), "Đơn vị".to_string());
        let three = open_row(&unit, "P", "Thủ tục", &counts(&[("received", 3), ("received_counter", 3)]));
        assert_eq!(three.received, None);
        assert_eq!(three.received_counter, None);
        assert!(three.suppressed.contains(&"received") && three.suppressed.contains(&"received_online"));
        assert_eq!(three.on_time_rate, None);
        assert!(!three.suppressed.contains(&"on_time_rate"), "no finished dossier: no figure, nothing suppressed");
        let five = open_row(
            &unit,
            "P",
            "Thủ tục",
            &counts(&[
                ("received", 5),
                ("received_counter", 4),
                ("received_online", 1),
                ("finished", 5),
                ("finished_on_time", 4),
                ("finished_late", 1),
                ("decided", 5),
                ("duration_le_2", 3),
                ("duration_le_5", 2),
            ]),
        );
        assert_eq!(five.received, Some(5));
        assert_eq!(five.received_online, Some(1), "a channel shares its total's basis");
        assert_eq!(five.on_time_rate, Some(80.0));
        assert_eq!((five.median_days, five.p90_days), (Some(2), Some(5)));
        assert_eq!((five.rated, five.satisfaction_rate), (Some(0), None));
        assert!(five.suppressed.is_empty(), "{:?}", five.suppressed);
    }

    #[test]
    fn numbers_print_the_vietnamese_way() {
        assert_eq!(vn_number(85.5), "85,5");
        assert_eq!(vn_number(100.0), "100");
        assert_eq!(vn_number(12.25), "12,25");
    }
}
