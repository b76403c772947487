//! The national-portal reconciliation (issue #15): its runs, a run's report, and a run on
//! demand for a period. Province administrators only (the queues' permission).

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::extract::{Path, State};
use motcua_app::AppContext;
use motcua_app::usecases::catalog::Indicator;
use motcua_app::usecases::reconciliation::{self as uc, Reconciliation, Report};
use motcua_store::repo::reconciliations::Run;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(list, start)).routes(routes!(one))
}

#[derive(Serialize, ToSchema)]
pub struct RunDto {
    pub id: String,
    /// The period, `[period_from, period_to)` in epoch ms (local days).
    pub period_from: i64,
    pub period_to: i64,
    pub started_at: i64,
    pub finished_at: i64,
    /// Who asked for it; absent for the daily run.
    pub started_by: Option<String>,
    pub differences: i64,
    pub resent: i64,
}

impl From<Run> for RunDto {
    fn from(r: Run) -> Self {
        Self {
            id: r.id,
            period_from: r.period_from,
            period_to: r.period_to,
            started_at: r.started_at,
            finished_at: r.finished_at,
            started_by: r.started_by,
            differences: r.differences,
            resent: r.resent,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReconciliationDto {
    pub run: RunDto,
    pub report: Report,
    /// 766 indicator 1.4 of the period, from the report's inputs.
    pub indicator_1_4: Indicator,
}

impl From<Reconciliation> for ReconciliationDto {
    fn from(r: Reconciliation) -> Self {
        let indicator_1_4 = r.report.indicator_1_4();
        Self { run: r.run.into(), report: r.report, indicator_1_4 }
    }
}

/// A period of local days, both included (`YYYY-MM-DD`).
#[derive(Deserialize, ToSchema)]
pub struct PeriodInput {
    #[schema(value_type = String, format = Date)]
    pub from: jiff::civil::Date,
    #[schema(value_type = String, format = Date)]
    pub to: jiff::civil::Date,
}

/// The latest reconciliation runs (at most 50), newest first.
#[utoipa::path(get, path = "/api/v1/dvcqg/reconciliations", tag = "ops", security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<RunDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list(State(ctx): State<AppContext>, Auth(u): Auth) -> ApiResult<Json<Vec<RunDto>>> {
    Ok(Json(uc::runs(&ctx, Some(&u)).await?.into_iter().map(Into::into).collect()))
}

/// Reconciles a period with the national portal now: compares per unit, sends again what
/// the portal lacks, and keeps the report. 409 `dvcqg_disabled` when the connection is off.
#[utoipa::path(post, path = "/api/v1/dvcqg/reconciliations", tag = "ops", security(("session" = []), ("bearer" = [])),
    request_body = PeriodInput,
    responses((status = 201, body = ReconciliationDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn start(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    ApiJson(p): ApiJson<PeriodInput>,
) -> ApiResult<(axum::http::StatusCode, Json<ReconciliationDto>)> {
    let r = uc::run(&ctx, Some(&u), p.from, p.to).await?;
    Ok((axum::http::StatusCode::CREATED, Json(r.into())))
}

/// One run's report: per unit, the differences (at most 1,000 listed) and indicator 1.4.
#[utoipa::path(get, path = "/api/v1/dvcqg/reconciliations/{id}", tag = "ops", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ReconciliationDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn one(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<Json<ReconciliationDto>> {
    Ok(Json(uc::get(&ctx, Some(&u), &id).await?.into()))
}
