//! Reports of the indicators as files, for the dashboard's download links (issue #16):
//! `/can-bo/chi-so/bao-cao.{csv,xlsx,pdf}?view=766|dashboard&unit=&period=` — the 766 index
//! or the dashboard's figures of a unit and period (`usecases::reports`, which checks the
//! reader's scope and records the download in the access log). Errors are HTML pages.

use super::refuse_non_official;
use crate::kit::{Lang, PageUser, error_page};
use axum::extract::{Query, State};
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::usecases::reports::{self as uc, ReportFormat, ReportView};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ReportParams {
    view: Option<String>,
    unit: Option<String>,
    period: Option<String>,
}

/// `GET /can-bo/chi-so/bao-cao.csv`: UTF-8 with a byte-order mark.
pub async fn csv(state: State<AppContext>, lang: Lang, user: PageUser, p: Query<ReportParams>) -> Response {
    download(state, lang, user, p, ReportFormat::Csv).await
}

/// `GET /can-bo/chi-so/bao-cao.xlsx`: an Excel workbook.
pub async fn xlsx(state: State<AppContext>, lang: Lang, user: PageUser, p: Query<ReportParams>) -> Response {
    download(state, lang, user, p, ReportFormat::Xlsx).await
}

/// `GET /can-bo/chi-so/bao-cao.pdf`: the printable summary (A4 landscape).
pub async fn pdf(state: State<AppContext>, lang: Lang, user: PageUser, p: Query<ReportParams>) -> Response {
    download(state, lang, user, p, ReportFormat::Pdf).await
}

async fn download(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(p): Query<ReportParams>,
    format: ReportFormat,
) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let view = match ReportView::parse(p.view.as_deref().unwrap_or("dashboard")) {
        Ok(v) => v,
        Err(e) => return error_page(lang, e),
    };
    let period = match uc::parse_period(p.period.as_deref().unwrap_or_default()) {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let unit = p.unit.as_deref().filter(|u| !u.trim().is_empty());
    match uc::report(&ctx, &user, view, unit, period, format, lang == Lang::En).await {
        Ok(f) => crate::kit::http::download_response(f.media_type, &f.name, f.bytes, false),
        Err(e) => error_page(lang, e),
    }
}
