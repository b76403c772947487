//! The 766 service index (issue #16): a unit's index for a month, quarter or year, the
//! ranking of its sub-units, imported figures and revisions of the point table. Readers:
//! leaders, supervisors and administrators, over the units in their scope.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::extract::{Query, State};
use motcua_app::AppContext;
use motcua_app::usecases::indicators::{self as uc, Counts, Unit, UnitIndex};
use motcua_domain::index766::{PointTable, display};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(index))
        .routes(routes!(ranking))
        .routes(routes!(import))
        .routes(routes!(point_tables, add_point_table))
}

#[derive(Deserialize, IntoParams)]
pub struct IndexParams {
    /// The unit: an agency id or code (default: the caller's own).
    pub unit: Option<String>,
    /// `2026-11` (month), `2026-Q4` (quarter) or `2026` (year).
    pub period: String,
}

/// One indicator, scored. Ratios and points are rounded once, to the hundredth, from exact
/// values; `null` is "no data" (never 0).
#[derive(Serialize, ToSchema)]
pub struct IndicatorDto {
    pub id: String,
    pub group: String,
    pub name_vi: String,
    pub name_en: String,
    /// `counters`, `catalog`, `reconciliation` or `import`.
    pub source: String,
    pub monitoring: bool,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub ratio_percent: Option<f64>,
    pub points: Option<f64>,
    pub max_points: f64,
    /// The points come from the indicator's zero-denominator rule.
    pub by_rule: bool,
    /// The figure was imported by an administrator.
    pub imported: bool,
}

#[derive(Serialize, ToSchema)]
pub struct GroupDto {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub points: f64,
    pub max_points: f64,
    /// Scored indicators of the group with no data.
    pub no_data: usize,
}

#[derive(Serialize, ToSchema)]
pub struct IndexDto {
    pub unit: Unit,
    /// The period's key (`2026-11`, `2026-Q4`, `2026`) and kind.
    pub period: String,
    pub period_kind: &'static str,
    pub from: String,
    pub to: String,
    pub table_version: String,
    pub indicators: Vec<IndicatorDto>,
    pub groups: Vec<GroupDto>,
    pub total: f64,
    pub grade: String,
    pub grade_vi: String,
    pub no_data: usize,
    pub counts: Counts,
    /// Processing time of the decided dossiers (days): average, median and 90th percentile.
    pub average_days: Option<f64>,
    pub median_days: Option<i64>,
    pub p90_days: Option<i64>,
}

impl From<UnitIndex> for IndexDto {
    fn from(x: UnitIndex) -> Self {
        let (average_days, median_days, p90_days) = x.counts.durations();
        let (from, to) = x.period.days();
        Self {
            unit: x.unit,
            period: x.period.key(),
            period_kind: x.period.kind(),
            from: from.to_string(),
            to: to.to_string(),
            table_version: x.result.table_version.clone(),
            indicators: x
                .result
                .indicators
                .iter()
                .map(|s| IndicatorDto {
                    id: s.id.clone(),
                    group: s.group.clone(),
                    name_vi: s.name_vi.clone(),
                    name_en: s.name_en.clone(),
                    source: serde_json::to_value(s.source).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
                    monitoring: s.monitoring,
                    numerator: s.figure.map(|f| f.numerator),
                    denominator: s.figure.map(|f| f.denominator),
                    ratio_percent: s.ratio_percent(),
                    points: s.points_display(),
                    max_points: s.max_display(),
                    by_rule: s.by_rule,
                    imported: x.imported.contains(&s.id),
                })
                .collect(),
            groups: x
                .result
                .groups
                .iter()
                .map(|g| GroupDto {
                    id: g.id.clone(),
                    name_vi: g.name_vi.clone(),
                    name_en: g.name_en.clone(),
                    points: display(g.points),
                    max_points: display(g.max),
                    no_data: g.no_data,
                })
                .collect(),
            total: x.result.total_display(),
            grade: x.result.grade.code.clone(),
            grade_vi: x.result.grade.name_vi.clone(),
            no_data: x.result.no_data,
            counts: x.counts,
            average_days,
            median_days,
            p90_days,
        }
    }
}

/// The 766 index of a unit for a period: every indicator's numerator, denominator, ratio,
/// points and maximum, the group totals, the total and the grade.
#[utoipa::path(get, path = "/api/v1/index", tag = "indicators", security(("session" = []), ("bearer" = [])), params(IndexParams),
    responses((status = 200, body = IndexDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn index(State(ctx): State<AppContext>, Auth(u): Auth, Query(p): Query<IndexParams>) -> ApiResult<Json<IndexDto>> {
    let period = uc::parse_period(&p.period)?;
    Ok(Json(uc::index(&ctx, &u, p.unit.as_deref(), period).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct RankingDto {
    pub unit: IndexDto,
    /// The unit's departments and communes, best total first.
    pub ranking: Vec<IndexDto>,
}

/// A unit's index and its departments' and communes', ranked by total.
#[utoipa::path(get, path = "/api/v1/index/ranking", tag = "indicators", security(("session" = []), ("bearer" = [])), params(IndexParams),
    responses((status = 200, body = RankingDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn ranking(State(ctx): State<AppContext>, Auth(u): Auth, Query(p): Query<IndexParams>) -> ApiResult<Json<RankingDto>> {
    let period = uc::parse_period(&p.period)?;
    let (own, ranked) = uc::ranking(&ctx, &u, p.unit.as_deref(), period).await?;
    Ok(Json(RankingDto { unit: own.into(), ranking: ranked.into_iter().map(Into::into).collect() }))
}

/// A figure kept outside motcua (national TTHC database, DVCQG ratings, petitions).
#[derive(Deserialize, ToSchema)]
pub struct ImportInput {
    /// Agency id or code.
    pub unit: String,
    pub period: String,
    pub indicator: String,
    pub numerator: i64,
    pub denominator: i64,
    pub note: Option<String>,
}

/// Enters (or replaces) an imported figure for a unit, period and indicator; the index shows
/// it as imported. Administrators of the unit.
#[utoipa::path(post, path = "/api/v1/index/imports", tag = "indicators", security(("session" = []), ("bearer" = [])), request_body = ImportInput,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    ApiJson(i): ApiJson<ImportInput>,
) -> ApiResult<axum::http::StatusCode> {
    let period = uc::parse_period(&i.period)?;
    let x = uc::ImportFigure {
        unit: i.unit,
        period,
        indicator: i.indicator,
        numerator: i.numerator,
        denominator: i.denominator,
        note: i.note,
    };
    uc::import_figure(&ctx, &u, x).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct PointTableDto {
    pub version: String,
    pub effective_from: String,
    /// The whole table (groups, indicators, grades).
    #[schema(value_type = Object)]
    pub table: PointTable,
    /// Shipped with motcua (not stored by an administrator).
    pub builtin: bool,
}

/// The point tables: the one shipped with motcua and the revisions stored since.
#[utoipa::path(get, path = "/api/v1/index/point-tables", tag = "indicators", security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<PointTableDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn point_tables(State(ctx): State<AppContext>, Auth(u): Auth) -> ApiResult<Json<Vec<PointTableDto>>> {
    let tables = uc::point_tables(&ctx, &u).await?;
    Ok(Json(
        tables
            .into_iter()
            .map(|(t, builtin)| PointTableDto {
                version: t.version.clone(),
                effective_from: t.effective_from.clone(),
                table: t,
                builtin,
            })
            .collect(),
    ))
}

/// Stores a revision of the point table (a revision of the decision needs no code change):
/// it scores the periods from its `effective_from`. Province administrators.
#[utoipa::path(post, path = "/api/v1/index/point-tables", tag = "indicators", security(("session" = []), ("bearer" = [])),
    request_body(content = Object, description = "A point table: version, effective_from, groups, indicators, grades"),
    responses((status = 201, body = PointTableDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_point_table(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<(axum::http::StatusCode, Json<PointTableDto>)> {
    let t = uc::add_point_table(&ctx, &u, &body.to_string()).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(PointTableDto { version: t.version.clone(), effective_from: t.effective_from.clone(), table: t, builtin: false }),
    ))
}
