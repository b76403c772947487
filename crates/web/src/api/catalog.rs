//! The procedure catalog: public search and reads (with the version in force at any
//! instant), version history, administrators' changes, import/export and 766 figures.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_app::usecases::catalog::{self, CatalogQuery, Ending, ImportOutcome, Indicator, parse_effective};
use motcua_app::{AppContext, AppError};
use motcua_domain::catalog::{Change, ProcedureSpec};
use motcua_store::repo::catalog::{Summary, VersionRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(list_procedures, create_procedure))
        .routes(routes!(get_procedure))
        .routes(routes!(list_versions, add_version))
        .routes(routes!(publish_version))
        .routes(routes!(version_diff))
        .routes(routes!(abolish))
        .routes(routes!(replace))
        .routes(routes!(sectors))
        .routes(routes!(indicators))
        .routes(routes!(export))
        // Catalog files are larger than ordinary JSON bodies.
        .merge(OpenApiRouter::new().routes(routes!(import)).layer(axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT)))
}

/// Largest catalog file accepted (a 2,000-procedure XLSX is about 2 MB).
pub const IMPORT_LIMIT: usize = 32 * 1024 * 1024;

fn rfc3339(ms: Option<i64>) -> Option<String> {
    ms.and_then(|m| jiff::Timestamp::from_millisecond(m).ok()).map(motcua_app::calendar::vn_rfc3339)
}

fn unprocessable(field: &str, code: &str, vi: &str, en: &str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, vi, en).with_field(field, code, vi, en)
}

#[derive(Serialize, ToSchema)]
pub struct ProcedureSummaryDto {
    #[schema(example = "1.001193")]
    pub code: String,
    pub version: i64,
    pub name: String,
    pub sector_code: String,
    pub sector_name: String,
    /// province, commune
    pub levels: Vec<String>,
    /// full, partial, none
    pub online_level: String,
    pub agency_code: Option<String>,
}

impl From<Summary> for ProcedureSummaryDto {
    fn from(s: Summary) -> Self {
        Self {
            code: s.code,
            version: s.version,
            name: s.name,
            sector_code: s.sector_code,
            sector_name: s.sector_name,
            levels: s.levels.split(',').filter(|l| !l.is_empty()).map(str::to_string).collect(),
            online_level: s.online_level,
            agency_code: s.agency_code,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PageDto {
    pub items: Vec<ProcedureSummaryDto>,
    pub total: i64,
}

#[derive(Serialize, ToSchema)]
pub struct VersionDto {
    pub code: String,
    pub version: i64,
    /// draft, published, amended, replaced, abolished
    pub status: String,
    pub effective_from: Option<String>,
    pub effective_to: Option<String>,
    pub published_at: Option<String>,
    pub created_at: Option<String>,
    /// The seven constituent parts (766 indicator 1.3).
    pub parts: Vec<PartDto>,
    pub complete: bool,
    pub total_fees: i64,
    #[schema(value_type = Object)]
    pub spec: ProcedureSpec,
}

#[derive(Serialize, ToSchema)]
pub struct PartDto {
    pub part: &'static str,
    pub present: bool,
}

impl From<VersionRecord> for VersionDto {
    fn from(v: VersionRecord) -> Self {
        Self {
            parts: v.spec.parts().iter().map(|(p, ok)| PartDto { part: p, present: *ok }).collect(),
            complete: v.spec.is_complete(),
            total_fees: v.spec.total_fees(),
            code: v.code,
            version: v.version,
            status: v.status.code().into(),
            effective_from: rfc3339(v.effective_from),
            effective_to: rfc3339(v.effective_to),
            published_at: rfc3339(v.published_at),
            created_at: rfc3339(Some(v.created_at)),
            spec: v.spec,
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Words, with or without diacritics ("dang ky ho kinh doanh").
    q: Option<String>,
    sector: Option<String>,
    /// province or commune
    level: Option<String>,
    /// full, partial or none
    online_level: Option<String>,
    /// Electronic identifier code of the deciding agency.
    agency: Option<String>,
    /// Instant (RFC 3339) or day; default now.
    at: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

pub fn catalog_query(q: ListQuery) -> ApiResult<CatalogQuery> {
    let level = catalog::parse_level(q.level.as_deref())?;
    let online_level = catalog::parse_online_level(q.online_level.as_deref())?;
    let at_ms = q.at.as_deref().filter(|s| !s.is_empty()).map(|s| parse_effective("at", s)).transpose()?;
    Ok(CatalogQuery {
        q: q.q,
        sector: q.sector,
        level,
        online_level,
        agency_code: q.agency,
        at_ms,
        limit: q.limit.unwrap_or(20),
        offset: q.offset.unwrap_or(0),
    })
}

/// Search the catalog (procedures in force), without caring for diacritics.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "catalog", params(ListQuery),
    responses((status = 200, body = PageDto), (status = 422, body = ErrorBody)))]
async fn list_procedures(State(ctx): State<AppContext>, Query(q): Query<ListQuery>) -> ApiResult<Json<PageDto>> {
    let (items, total) = catalog::search(&ctx, catalog_query(q)?).await?;
    Ok(Json(PageDto { items: items.into_iter().map(Into::into).collect(), total }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AtQuery {
    /// Instant (RFC 3339) or day (YYYY-MM-DD, 00:00 in Vietnam); default now.
    at: Option<String>,
}

/// The version of a procedure in force at an instant (what a dossier received then is pinned to).
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "catalog", params(("code" = String, Path), AtQuery),
    responses((status = 200, body = VersionDto), (status = 404, body = ErrorBody)))]
async fn get_procedure(
    State(ctx): State<AppContext>,
    Path(code): Path<String>,
    Query(q): Query<AtQuery>,
) -> ApiResult<Json<VersionDto>> {
    let at = match q.at.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => parse_effective("at", s)?,
        None => ctx.clock.now_ms(),
    };
    let v = catalog::in_force(&ctx, &code, at).await?.ok_or(AppError::not_found("procedure"))?;
    Ok(Json(v.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewVersionRequest {
    #[schema(value_type = Object)]
    spec: ProcedureSpec,
    /// Publish from this day (YYYY-MM-DD) or instant; absent = keep as a draft.
    effective_from: Option<String>,
}

/// Add a procedure to the catalog (province administrators).
#[utoipa::path(post, path = "/api/v1/procedures", tag = "catalog", security(("session" = [])), request_body = NewVersionRequest,
    responses((status = 201, body = VersionDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_procedure(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    ApiJson(r): ApiJson<NewVersionRequest>,
) -> ApiResult<(StatusCode, Json<VersionDto>)> {
    let eff = r.effective_from.as_deref().map(|s| parse_effective("effective_from", s)).transpose()?;
    let v = catalog::add_version(&ctx, Some(&user.principal), r.spec, eff, true).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// Every version, oldest first.
#[utoipa::path(get, path = "/api/v1/procedures/{code}/versions", tag = "catalog", params(("code" = String, Path)),
    responses((status = 200, body = Vec<VersionDto>), (status = 404, body = ErrorBody)))]
async fn list_versions(State(ctx): State<AppContext>, Path(code): Path<String>) -> ApiResult<Json<Vec<VersionDto>>> {
    Ok(Json(catalog::versions(&ctx, &code).await?.into_iter().map(Into::into).collect()))
}

/// Amend: a new version, published from `effective_from` or kept as a draft.
#[utoipa::path(post, path = "/api/v1/procedures/{code}/versions", tag = "catalog", security(("session" = [])), params(("code" = String, Path)),
    request_body = NewVersionRequest,
    responses((status = 201, body = VersionDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_version(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Path(code): Path<String>,
    ApiJson(r): ApiJson<NewVersionRequest>,
) -> ApiResult<(StatusCode, Json<VersionDto>)> {
    if !r.spec.code.trim().eq_ignore_ascii_case(code.trim()) {
        return Err(unprocessable(
            "spec.code",
            "code_mismatch",
            "Mã thủ tục trong nội dung khác mã trên đường dẫn.",
            "The spec's code differs from the path.",
        ));
    }
    let eff = r.effective_from.as_deref().map(|s| parse_effective("effective_from", s)).transpose()?;
    let v = catalog::add_version(&ctx, Some(&user.principal), r.spec, eff, false).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct EffectiveRequest {
    /// Day (YYYY-MM-DD) or instant.
    effective_from: String,
}

/// Publish a draft version from an effective date; the version in force until then ends there.
#[utoipa::path(post, path = "/api/v1/procedures/{code}/versions/{version}/publish", tag = "catalog", security(("session" = [])),
    params(("code" = String, Path), ("version" = i64, Path)), request_body = EffectiveRequest,
    responses((status = 200, body = VersionDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn publish_version(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Path((code, version)): Path<(String, i64)>,
    ApiJson(r): ApiJson<EffectiveRequest>,
) -> ApiResult<Json<VersionDto>> {
    let eff = parse_effective("effective_from", &r.effective_from)?;
    Ok(Json(catalog::publish(&ctx, &user.principal, &code.to_ascii_uppercase(), version, eff).await?.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DiffQuery {
    from: i64,
    to: i64,
}

/// What changed between two versions (administrators).
#[utoipa::path(get, path = "/api/v1/procedures/{code}/diff", tag = "catalog", security(("session" = [])), params(("code" = String, Path), DiffQuery),
    responses((status = 200, body = Vec<Object>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn version_diff(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Path(code): Path<String>,
    Query(q): Query<DiffQuery>,
) -> ApiResult<Json<Vec<Change>>> {
    if motcua_domain::authz::scope(&user.principal, motcua_domain::authz::Permission::ManageCatalog).is_empty() {
        return Err(AppError::Forbidden.into());
    }
    Ok(Json(catalog::version_diff(&ctx, &code, q.from, q.to).await?))
}

/// Abolish (bãi bỏ) from an effective date.
#[utoipa::path(post, path = "/api/v1/procedures/{code}/abolish", tag = "catalog", security(("session" = [])), params(("code" = String, Path)),
    request_body = EffectiveRequest,
    responses((status = 200, body = VersionDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn abolish(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Path(code): Path<String>,
    ApiJson(r): ApiJson<EffectiveRequest>,
) -> ApiResult<Json<VersionDto>> {
    let eff = parse_effective("effective_from", &r.effective_from)?;
    Ok(Json(catalog::end(&ctx, &user.principal, &code.to_ascii_uppercase(), Ending::Abolish, eff).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ReplaceRequest {
    /// Code of the procedure that replaces this one.
    by: String,
    effective_from: String,
}

/// Replace by another procedure from an effective date.
#[utoipa::path(post, path = "/api/v1/procedures/{code}/replace", tag = "catalog", security(("session" = [])), params(("code" = String, Path)),
    request_body = ReplaceRequest,
    responses((status = 200, body = VersionDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn replace(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Path(code): Path<String>,
    ApiJson(r): ApiJson<ReplaceRequest>,
) -> ApiResult<Json<VersionDto>> {
    let eff = parse_effective("effective_from", &r.effective_from)?;
    let how = Ending::Replace(r.by.trim().to_ascii_uppercase());
    Ok(Json(catalog::end(&ctx, &user.principal, &code.to_ascii_uppercase(), how, eff).await?.into()))
}

#[derive(Serialize, ToSchema)]
struct SectorDto {
    code: String,
    name: String,
    procedures: i64,
}

/// Sectors of the procedures in force.
#[utoipa::path(get, path = "/api/v1/sectors", tag = "catalog", responses((status = 200, body = Vec<SectorDto>)))]
async fn sectors(State(ctx): State<AppContext>) -> ApiResult<Json<Vec<SectorDto>>> {
    Ok(Json(
        catalog::sectors(&ctx).await?.into_iter().map(|(code, name, procedures)| SectorDto { code, name, procedures }).collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PeriodQuery {
    /// First day (YYYY-MM-DD); default 1 January of this year.
    from: Option<String>,
    /// Last day; default today.
    to: Option<String>,
}

/// 766 transparency figures from the catalog (indicators 1.1, 1.2, 1.3).
#[utoipa::path(get, path = "/api/v1/catalog/indicators", tag = "catalog", params(PeriodQuery),
    responses((status = 200, body = Vec<Indicator>), (status = 422, body = ErrorBody)))]
async fn indicators(State(ctx): State<AppContext>, Query(q): Query<PeriodQuery>) -> ApiResult<Json<Vec<Indicator>>> {
    let today = ctx.clock.today();
    let day = |f: &str, s: Option<&str>, d: jiff::civil::Date| match s.filter(|x| !x.is_empty()) {
        Some(x) => x
            .parse::<jiff::civil::Date>()
            .map_err(|_| unprocessable(f, "invalid_date", "Ngày không hợp lệ (YYYY-MM-DD).", "Invalid date (YYYY-MM-DD).")),
        None => Ok(d),
    };
    let from = day("from", q.from.as_deref(), jiff::civil::date(today.year(), 1, 1))?;
    let to = day("to", q.to.as_deref(), today)?;
    Ok(Json(catalog::transparency(&ctx, from, to).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct FormatQuery {
    /// json (default), xlsx or csv
    format: Option<String>,
}

/// The JSON exchange form: every procedure with the day its version took effect.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CatalogFile {
    pub title: String,
    pub exported_at: String,
    pub items: Vec<CatalogItem>,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogItem {
    pub effective_from: Option<String>,
    #[schema(value_type = Object)]
    pub spec: ProcedureSpec,
}

/// The local (Vietnam) day of an effective instant.
pub fn effective_day(ms: Option<i64>) -> Option<jiff::civil::Date> {
    ms.and_then(|m| jiff::Timestamp::from_millisecond(m).ok()).map(motcua_domain::calendar::local_date)
}

fn attachment(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut r = bytes.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// Export the procedures in force as JSON (re-importable), XLSX or CSV (UTF-8 with BOM).
#[utoipa::path(get, path = "/api/v1/catalog/export", tag = "catalog", params(FormatQuery),
    responses((status = 200, description = "the file"), (status = 422, body = ErrorBody)))]
async fn export(State(ctx): State<AppContext>, Query(q): Query<FormatQuery>) -> ApiResult<Response> {
    let all = catalog::all_in_force(&ctx, None).await?;
    match q.format.as_deref().unwrap_or("json") {
        "json" => {
            let file = CatalogFile {
                title: "Danh mục thủ tục hành chính".into(),
                exported_at: motcua_app::calendar::vn_rfc3339(jiff::Timestamp::now()),
                items: all
                    .into_iter()
                    .map(|v| CatalogItem { effective_from: effective_day(v.effective_from).map(|d| d.to_string()), spec: v.spec })
                    .collect(),
            };
            Ok(attachment(
                serde_json::to_vec_pretty(&file).map_err(|e| AppError::Internal(e.to_string()))?,
                "application/json",
                "thu-tuc.json",
            ))
        }
        "xlsx" => {
            let rows: Vec<(ProcedureSpec, Option<jiff::civil::Date>)> =
                all.into_iter().map(|v| (v.spec, effective_day(v.effective_from))).collect();
            let bytes = motcua_documents::export_xlsx(&rows).map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(attachment(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "thu-tuc.xlsx"))
        }
        "csv" => {
            let rows: Vec<(ProcedureSpec, Option<jiff::civil::Date>)> =
                all.into_iter().map(|v| (v.spec, effective_day(v.effective_from))).collect();
            Ok(attachment(motcua_documents::export_csv(&rows), "text/csv; charset=utf-8", "thu-tuc.csv"))
        }
        _ => Err(unprocessable("format", "invalid_format", "Định dạng là json, xlsx hoặc csv.", "format is json, xlsx or csv.")),
    }
}

/// Rows of an import, whatever the format.
fn parse_import(format: &str, body: &[u8]) -> ApiResult<Vec<(ProcedureSpec, Option<i64>)>> {
    let from_cells = |r: Result<Vec<motcua_documents::CatalogRow>, Vec<motcua_documents::CellError>>| -> ApiResult<Vec<(ProcedureSpec, Option<i64>)>> {
        match r {
            Ok(rows) => Ok(rows
                .into_iter()
                .map(|row| {
                    let eff = row.effective_from.and_then(|d| d.to_zoned(motcua_domain::calendar::vn_time_zone()).ok()).map(|z| z.timestamp().as_millisecond());
                    (row.spec, eff)
                })
                .collect()),
            Err(cells) => {
                let mut e = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "import_invalid",
                    format!("Tệp có {} lỗi; không nhập thủ tục nào.", cells.len()),
                    format!("The file has {} error(s); nothing was imported.", cells.len()),
                );
                for c in cells {
                    e = e.with_field(&format!("row {}, {}", c.row, c.column), c.code, c.message_vi, c.message_en);
                }
                Err(e)
            }
        }
    };
    match format {
        "xlsx" => from_cells(motcua_documents::import_xlsx(body)),
        "csv" => from_cells(motcua_documents::import_csv(body)),
        "json" => {
            // The export form, or a bare array of specs.
            let mut de = serde_json::Deserializer::from_slice(body);
            let v: serde_json::Value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed_json",
                    "Nội dung JSON không đúng cú pháp.",
                    format!("Malformed JSON: {e}"),
                )
            })?;
            let items: Vec<CatalogItem> = if v.is_array() {
                let specs: Vec<ProcedureSpec> = serde_path_to_error::deserialize(v).map_err(|e| {
                    let path = e.path().to_string();
                    unprocessable(&path, "invalid_spec", "Nội dung thủ tục không đúng cấu trúc.", &e.into_inner().to_string())
                })?;
                specs.into_iter().map(|spec| CatalogItem { effective_from: None, spec }).collect()
            } else {
                let f: CatalogFile = serde_path_to_error::deserialize(v).map_err(|e| {
                    let path = e.path().to_string();
                    unprocessable(&path, "invalid_spec", "Nội dung thủ tục không đúng cấu trúc.", &e.into_inner().to_string())
                })?;
                f.items
            };
            items
                .into_iter()
                .enumerate()
                .map(|(i, it)| {
                    Ok((
                        it.spec,
                        it.effective_from.as_deref().map(|s| parse_effective(&format!("[{i}].effective_from"), s)).transpose()?,
                    ))
                })
                .collect()
        }
        _ => Err(unprocessable("format", "invalid_format", "Định dạng là json, xlsx hoặc csv.", "format is json, xlsx or csv.")),
    }
}

/// Import a catalog file (province administrators). A file with any invalid row imports
/// nothing and names every problem by row and column.
#[utoipa::path(post, path = "/api/v1/catalog/import", tag = "catalog", security(("session" = [])), params(FormatQuery),
    request_body(content = Vec<u8>, description = "the file's bytes (JSON, XLSX or CSV)"),
    responses((status = 200, body = ImportOutcome), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Query(q): Query<FormatQuery>,
    body: Bytes,
) -> ApiResult<Json<ImportOutcome>> {
    if motcua_domain::authz::authorize_user(&user.principal, motcua_domain::authz::Permission::ManageCatalog, &[]).is_err() {
        return Err(AppError::Forbidden.into());
    }
    let rows = parse_import(q.format.as_deref().unwrap_or("json"), &body)?;
    Ok(Json(catalog::import(&ctx, Some(&user.principal), rows).await?))
}
