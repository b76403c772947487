//! The dossier register (sổ theo dõi hồ sơ, form 07) at `/can-bo/so-theo-doi`: dossiers
//! received where the officer works over a period of local days, and the same rows as files:
//! `.csv` (UTF-8 with a byte-order mark), `.xlsx` (both `usecases::exports::register`, at most
//! `documents.export_max_rows` rows) and `.pdf` (form 07, at most 2,000 rows).

use super::refuse_non_official;
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageError, PageUser, Route, error_page, hour_day, other_lang_href, title_with_errors};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::access::AccessKind;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::dossiers as uc;
use motcua_app::usecases::dossiers::RegisterEntry;
use motcua_app::usecases::exports::{self, ExportFormat, REGISTER_COLUMNS};
use motcua_domain::error::FieldError;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct RegisterParams {
    from: Option<String>,
    to: Option<String>,
}

/// One row of form 07, as text.
type Cells = [String; 13];

fn rows(lang: Lang, entries: &[RegisterEntry]) -> Vec<Cells> {
    entries
        .iter()
        .map(|e| {
            [
                e.no.to_string(),
                e.code.clone().unwrap_or_default(),
                e.procedure.clone(),
                e.applicant.clone(),
                e.address_phone.clone(),
                e.competent.clone().unwrap_or_default(),
                hour_day(e.received_at),
                hour_day(e.appointment_at),
                hour_day(e.transferred_at),
                hour_day(e.result_at),
                hour_day(e.returned_at),
                lang.t(e.status.label_vi(), e.status.label_en()).to_string(),
                e.extension.as_ref().map(|r| format!("{}: {r}", lang.t("Gia hạn", "Extended"))).unwrap_or_default(),
            ]
        })
        .collect()
}

fn headers(lang: Lang) -> [&'static str; 13] {
    REGISTER_COLUMNS.map(|(vi, en)| lang.t(vi, en))
}

/// Parses the period; errors are named by field.
fn period(p: &RegisterParams, today: jiff::civil::Date) -> Result<(jiff::civil::Date, jiff::civil::Date), Vec<FieldError>> {
    let mut errs = Vec::new();
    let mut parse = |f: &str, s: Option<&str>| match s.map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => match v.parse::<jiff::civil::Date>() {
            Ok(d) if !(1900..=2199).contains(&d.year()) => {
                errs.push(FieldError::new(
                    f,
                    "date_out_of_range",
                    "Ngày nằm ngoài khoảng được hỗ trợ (01/01/1900 đến 31/12/2199).",
                    "The date is outside the supported range (1900-01-01 to 2199-12-31).",
                ));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                errs.push(FieldError::new(f, "invalid_date", "Ngày không hợp lệ.", "Invalid date."));
                None
            }
        },
    };
    let from = parse("from", p.from.as_deref()).unwrap_or(today);
    let to = parse("to", p.to.as_deref()).unwrap_or(from);
    if to < from {
        errs.push(FieldError::new(
            "to",
            "before_start",
            "Ngày cuối phải từ ngày đầu trở đi.",
            "The last day must not be before the first.",
        ));
    }
    if to.since(from).map(|s| s.get_days()).unwrap_or(0) > 366 {
        errs.push(FieldError::new("to", "too_long", "Tối đa một năm mỗi lần xem.", "At most a year at a time."));
    }
    if errs.is_empty() { Ok((from, to)) } else { Err(errs) }
}

/// The register's rows for the period, with where each code links.
struct Table {
    csv: String,
    xlsx: String,
    pdf: String,
    headers: [&'static str; 13],
    rows: Vec<(String, Cells)>,
}

#[derive(Template)]
#[template(path = "officer/register.html")]
struct RegisterView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    title: &'a str,
    from: String,
    to: String,
    table: Option<Table>,
}

/// `GET /can-bo/so-theo-doi?from=&to=`: the register over the period (default today).
pub async fn page(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(p): Query<RegisterParams>,
) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let title = lang.t("Sổ theo dõi hồ sơ (Mẫu 07)", "Dossier register (form 07)");
    let (period, errors) = match period(&p, ctx.clock.today()) {
        Ok(x) => (Some(x), Vec::new()),
        Err(e) => (None, e),
    };
    let today = ctx.clock.today().to_string();
    let typed = |v: &Option<String>| v.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| today.clone());
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let table = match period {
        Some((from, to)) => {
            let ds = match uc::register_entries(&ctx, &user, from, to, AccessKind::RegisterRead).await {
                Ok(x) => x,
                Err(e) => return error_page(lang, e),
            };
            let period = [("from", from.to_string()), ("to", to.to_string())];
            let query: Vec<(&str, &str)> = period.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let csv = crate::kit::with_lang(lang, &Route::RegisterCsv.with_query(&query));
            let xlsx = crate::kit::with_lang(lang, &Route::RegisterXlsx.with_query(&query));
            let pdf = crate::kit::with_lang(lang, &Route::RegisterPdf.with_query(&query));
            let rows =
                rows(lang, &ds).into_iter().zip(&ds).map(|(r, d)| (lang.href(Route::OfficerDossier(&d.dossier_id)), r)).collect();
            Some(Table { csv, xlsx, pdf, headers: headers(lang), rows })
        }
        None => None,
    };
    let frame = Frame::new(title_with_errors(lang, title, &errors), other_lang_href(lang, &Route::Register.path()));
    let view = RegisterView {
        lang,
        frame,
        user: &user,
        menu: menu(lang, &user, Some(Route::Register)),
        errors,
        title,
        from: typed(&p.from),
        to: typed(&p.to),
        table,
    };
    html(status, &view)
}

/// The error page of a period the downloads cannot take, naming its first fault.
fn period_error(lang: Lang, e: &[FieldError]) -> Response {
    let f = &e[0];
    error_page(lang, PageError::new(StatusCode::UNPROCESSABLE_ENTITY, f.code, f.message_vi.clone(), f.message_en.clone()))
}

/// `GET /can-bo/so-theo-doi.csv?from=&to=`: the same rows as CSV, UTF-8 with BOM.
pub async fn csv(state: State<AppContext>, lang: Lang, user: PageUser, p: Query<RegisterParams>) -> Response {
    download(state, lang, user, p, ExportFormat::Csv).await
}

/// `GET /can-bo/so-theo-doi.xlsx?from=&to=`: the same rows as an Excel workbook.
pub async fn xlsx(state: State<AppContext>, lang: Lang, user: PageUser, p: Query<RegisterParams>) -> Response {
    download(state, lang, user, p, ExportFormat::Xlsx).await
}

async fn download(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(p): Query<RegisterParams>,
    format: ExportFormat,
) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let (from, to) = match period(&p, ctx.clock.today()) {
        Ok(x) => x,
        Err(e) => return period_error(lang, &e),
    };
    match exports::register(&ctx, &user, from, to, format, lang == Lang::En).await {
        Ok(f) => crate::kit::http::download_response(f.media_type, &f.name, f.bytes, false),
        Err(e) => error_page(lang, e),
    }
}

/// `GET /can-bo/so-theo-doi.pdf?from=&to=`: the register as form 07 (A4 landscape PDF).
pub async fn pdf(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(p): Query<RegisterParams>,
) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let (from, to) = match period(&p, ctx.clock.today()) {
        Ok(x) => x,
        Err(e) => return period_error(lang, &e),
    };
    match uc::register_pdf(&ctx, &user, from, to).await {
        Ok(bytes) => {
            crate::kit::http::download_response("application/pdf", &format!("so-theo-doi-{from}-{to}.pdf"), bytes, false)
        }
        Err(e) => error_page(lang, e),
    }
}
