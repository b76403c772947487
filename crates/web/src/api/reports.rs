//! Reports of the indicators as files (issue #16): the 766 index of a unit and period, and
//! the dashboard's figures, as CSV (UTF-8 with BOM), XLSX or PDF. Readers of the indicators
//! over the units in their scope; every download is recorded in the access log.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::Auth;
use axum::extract::{Query, State};
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::usecases::reports::{self as uc, ReportFormat, ReportView};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(index_report)).routes(routes!(dashboard_report))
}

#[derive(Deserialize, IntoParams)]
pub struct ReportParams {
    /// The unit: an agency id or code (default: the caller's own).
    pub unit: Option<String>,
    /// `2026-11` (month), `2026-Q4` (quarter) or `2026` (year).
    pub period: String,
    /// `csv`, `xlsx` or `pdf`.
    pub format: String,
}

async fn send(ctx: AppContext, u: motcua_app::auth::CurrentUser, view: ReportView, p: ReportParams) -> ApiResult<Response> {
    let format = ReportFormat::parse(&p.format)?;
    let period = uc::parse_period(&p.period)?;
    let f = uc::report(&ctx, &u, view, p.unit.as_deref(), period, format, false).await?;
    Ok(motcua_pages::kit::http::download_response(f.media_type, &f.name, f.bytes, false))
}

/// The 766 index of a unit for a period as a file: every indicator's numerator,
/// denominator, ratio and points, the groups, the total and the grade, headed by the unit,
/// the period, the point table's version and the time it was made. The file is named
/// `chi-so-766-<unit code>-<period>.<format>`.
#[utoipa::path(get, path = "/api/v1/index/report", tag = "indicators", security(("session" = []), ("bearer" = [])), params(ReportParams),
    responses(
        (status = 200, description = "The report", content(
            (Vec<u8> = "text/csv; charset=utf-8"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Vec<u8> = "application/pdf"))),
        (status = 400, description = "`invalid_format`", body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, description = "`invalid_period`", body = ErrorBody),
        (status = 403, description = "`unit_out_of_scope`", body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn index_report(State(ctx): State<AppContext>, Auth(u): Auth, Query(p): Query<ReportParams>) -> ApiResult<Response> {
    send(ctx, u, ReportView::Index766, p).await
}

/// The dashboard's figures of a unit for a period as a file: received by channel, finished,
/// on-time and online rates, processing time (average, median, 90th percentile), in progress
/// and overdue at the period's end; the same per procedure; the sub-units ranked with their
/// 766 total and grade. Named `bao-cao-chi-so-<unit code>-<period>.<format>`.
#[utoipa::path(get, path = "/api/v1/dashboard/report", tag = "indicators", security(("session" = []), ("bearer" = [])), params(ReportParams),
    responses(
        (status = 200, description = "The report", content(
            (Vec<u8> = "text/csv; charset=utf-8"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Vec<u8> = "application/pdf"))),
        (status = 400, description = "`invalid_format`", body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, description = "`invalid_period`", body = ErrorBody),
        (status = 403, description = "`unit_out_of_scope`", body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "`export_too_large`", body = ErrorBody)))]
async fn dashboard_report(State(ctx): State<AppContext>, Auth(u): Auth, Query(p): Query<ReportParams>) -> ApiResult<Response> {
    send(ctx, u, ReportView::Dashboard, p).await
}
