//! Retention and archival (issue #19, docs/operations.md): the report of finished dossiers
//! due for archival, a dossier's archive package (ZIP, docs/archive-format.md) and the
//! deletion of its applicant's personal data. Administrators (`ManageArchive`), scoped by
//! the dossier's receiving agency.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use motcua_app::AppContext;
use motcua_app::usecases::archive::{self as uc, DuePage, Purged};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(due)).routes(routes!(package)).routes(routes!(purge))
}

#[derive(Deserialize, IntoParams)]
pub struct DueParams {
    /// The day to count from, `YYYY-MM-DD` (default: today).
    pub as_of: Option<String>,
    /// The page, from 1 (`[retention] page_size` rows a page).
    pub page: Option<i64>,
}

/// The finished dossiers past their retention period, received under the caller's agencies.
#[utoipa::path(get, path = "/api/v1/archive/due", tag = "ops", security(("session" = []), ("bearer" = [])), params(DueParams),
    responses((status = 200, body = DuePage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn due(State(ctx): State<AppContext>, Auth(u): Auth, Query(p): Query<DueParams>) -> ApiResult<Json<DuePage>> {
    let as_of = uc::parse_as_of(p.as_of.as_deref())?;
    Ok(Json(uc::due(&ctx, Some(&u.principal), as_of, p.page.unwrap_or(1)).await?))
}

/// A finished dossier's archive package (ZIP); the export is recorded. 409
/// `dossier_not_finished`, `archive_purged`.
#[utoipa::path(get, path = "/api/v1/archive/{code}/package", tag = "ops", security(("session" = []), ("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn package(State(ctx): State<AppContext>, Auth(u): Auth, Path(code): Path<String>) -> ApiResult<Response> {
    let p = uc::export(&ctx, Some(&u.principal), &code).await?;
    Ok(zip_response(p))
}

/// The package as a download.
pub fn zip_response(p: uc::Package) -> Response {
    let mut r = p.bytes.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", p.file_name)) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PurgeInput {
    /// The day to count from, `YYYY-MM-DD` (default: today).
    pub as_of: Option<String>,
}

/// Deletes the applicant's personal data of an archived dossier past its retention period
/// (recorded in the audit log). 409 `archive_not_purgeable` otherwise, nothing changed.
#[utoipa::path(post, path = "/api/v1/archive/{code}/purge", tag = "ops", security(("session" = []), ("bearer" = [])),
    params(("code" = String, Path)), request_body = PurgeInput,
    responses((status = 200, body = Purged), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn purge(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    Path(code): Path<String>,
    ApiJson(p): ApiJson<PurgeInput>,
) -> ApiResult<Json<Purged>> {
    let as_of = uc::parse_as_of(p.as_of.as_deref())?;
    Ok(Json(uc::purge_one(&ctx, Some(&u.principal), &code, as_of).await?))
}
