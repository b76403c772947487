//! Targets per unit and period (issue #16): the progress of each (readers of the indicators)
//! and setting or deleting one (leaders and administrators, in their scope).

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use motcua_app::AppContext;
use motcua_app::usecases::indicators::{Unit, parse_period};
use motcua_app::usecases::targets::{self as uc, SetTarget, TargetProgress, UnitTargets};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(list, set, delete))
}

#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// The unit: an agency id or code (default: the caller's own).
    pub unit: Option<String>,
    /// `2026-11` (month), `2026-Q4` (quarter) or `2026` (year); default: this month.
    pub period: Option<String>,
}

/// One target and where it stands.
#[derive(Serialize, ToSchema)]
pub struct TargetDto {
    /// `online_share`, `on_time`, `digitization`, `satisfaction`, `e_results`, `online_payment`.
    pub metric: String,
    pub name_vi: String,
    pub name_en: String,
    pub target_percent: f64,
    /// The ratio so far (rounded to the hundredth); `null` = no data.
    pub actual_percent: Option<f64>,
    pub numerator: i64,
    pub denominator: i64,
    /// `met`, `on_track`, `at_risk` or `no_data`.
    pub status: String,
    pub status_vi: String,
    pub set_at: i64,
    /// Satisfaction only: ratings / dossiers returned in the period, in % (one decimal);
    /// `null` for the other metrics or without returns.
    pub response_rate: Option<f64>,
}

impl From<&TargetProgress> for TargetDto {
    fn from(t: &TargetProgress) -> Self {
        let p = &t.progress;
        Self {
            metric: t.metric.code().into(),
            name_vi: t.metric.label_vi().into(),
            name_en: t.metric.label_en().into(),
            target_percent: p.target as f64 / 100.0,
            actual_percent: p.actual.map(|a| a as f64 / 100.0),
            numerator: p.numerator,
            denominator: p.denominator,
            status: p.status.code().into(),
            status_vi: p.status.label_vi().into(),
            set_at: t.set_at,
            response_rate: t.responses.and_then(|(rated, returned)| motcua_app::usecases::ratings::percent(rated, returned)),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnitTargetsDto {
    pub unit: Unit,
    /// A target of the unit is at risk.
    pub behind: bool,
    pub targets: Vec<TargetDto>,
}

impl From<&UnitTargets> for UnitTargetsDto {
    fn from(u: &UnitTargets) -> Self {
        Self { unit: u.unit.clone(), behind: u.behind(), targets: u.targets.iter().map(Into::into).collect() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TargetsDto {
    pub unit: Unit,
    pub period: String,
    pub elapsed_days: i64,
    pub total_days: i64,
    pub targets: Vec<TargetDto>,
    /// The unit's departments and communes with targets, those falling behind first.
    pub sub_units: Vec<UnitTargetsDto>,
}

/// The targets of a unit and period with their progress, and its sub-units'.
#[utoipa::path(get, path = "/api/v1/targets", tag = "indicators", security(("session" = []), ("bearer" = [])), params(ListParams),
    responses((status = 200, body = TargetsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(State(ctx): State<AppContext>, Auth(u): Auth, Query(p): Query<ListParams>) -> ApiResult<Json<TargetsDto>> {
    let period = match p.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse_period(s)?,
        None => uc::this_month(&ctx)?,
    };
    let o = uc::overview(&ctx, &u, p.unit.as_deref(), period).await?;
    Ok(Json(TargetsDto {
        unit: o.own.unit.clone(),
        period: o.period.key(),
        elapsed_days: o.elapsed_days,
        total_days: o.total_days,
        targets: o.own.targets.iter().map(Into::into).collect(),
        sub_units: o.sub_units.iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SetInput {
    /// Agency id or code.
    pub unit: String,
    pub period: String,
    pub metric: String,
    /// Above 0 and at most 100, at most two decimals.
    pub target_percent: f64,
}

#[derive(Serialize, ToSchema)]
pub struct StoredDto {
    pub unit: Unit,
    pub period: String,
    pub metric: String,
    pub target_percent: f64,
}

/// Sets (or replaces) the target of a unit, period and metric. Leaders and administrators,
/// for units in their scope.
#[utoipa::path(put, path = "/api/v1/targets", tag = "indicators", security(("session" = []), ("bearer" = [])), request_body = SetInput,
    responses((status = 200, body = StoredDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set(State(ctx): State<AppContext>, Auth(u): Auth, ApiJson(i): ApiJson<SetInput>) -> ApiResult<Json<StoredDto>> {
    let x = SetTarget { unit: i.unit, period: i.period, metric: i.metric, target_percent: i.target_percent };
    let s = uc::set(&ctx, &u, x).await?;
    Ok(Json(StoredDto {
        unit: s.unit,
        period: s.period.key(),
        metric: s.metric.code().into(),
        target_percent: s.target as f64 / 100.0,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct DeleteParams {
    pub unit: String,
    pub period: String,
    pub metric: String,
}

/// Deletes the target of a unit, period and metric.
#[utoipa::path(delete, path = "/api/v1/targets", tag = "indicators", security(("session" = []), ("bearer" = [])), params(DeleteParams),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn delete(State(ctx): State<AppContext>, Auth(u): Auth, Query(p): Query<DeleteParams>) -> ApiResult<StatusCode> {
    uc::delete(&ctx, &u, &p.unit, &p.period, &p.metric).await?;
    Ok(StatusCode::NO_CONTENT)
}
