//! Importing the national procedure database (issue #15): start an import, read the
//! latest one's differences, publish the procedures selected. Catalog administrators only.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::extract::State;
use motcua_app::usecases::catalog::parse_effective;
use motcua_app::usecases::national_catalog::{self as national, ImportReport, PublishOutcome};
use motcua_app::{AppContext, AppError};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(start_import)).routes(routes!(latest_import)).routes(routes!(publish_selected))
}

/// Import the province's procedures from the national procedure database: new and changed
/// ones become drafts; the differences are returned for review (nothing is published).
#[utoipa::path(post, path = "/api/v1/catalog/national-imports", tag = "catalog", security(("session" = [])),
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 502, body = ErrorBody)))]
async fn start_import(State(ctx): State<AppContext>, Auth(user): Auth) -> ApiResult<Json<ImportReport>> {
    Ok(Json(national::import_configured(&ctx, &user.principal).await?))
}

/// The latest import's differences, each marked done once published or abolished.
#[utoipa::path(get, path = "/api/v1/catalog/national-imports/latest", tag = "catalog", security(("session" = [])),
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn latest_import(State(ctx): State<AppContext>, Auth(user): Auth) -> ApiResult<Json<ImportReport>> {
    Ok(Json(national::latest(&ctx, &user.principal).await?.ok_or(AppError::not_found("national catalog import"))?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PublishRequest {
    /// Procedure codes of the latest import to apply.
    codes: Vec<String>,
    /// Day (YYYY-MM-DD) or instant; default now.
    effective_from: Option<String>,
}

/// Publish the selected procedures of the latest import (drafts published, withdrawn ones abolished).
#[utoipa::path(post, path = "/api/v1/catalog/national-imports/latest/publish", tag = "catalog", security(("session" = [])),
    request_body = PublishRequest,
    responses((status = 200, body = PublishOutcome), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn publish_selected(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    ApiJson(r): ApiJson<PublishRequest>,
) -> ApiResult<Json<PublishOutcome>> {
    let eff = match r.effective_from.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => parse_effective("effective_from", s)?,
        None => motcua_app::now_ms(),
    };
    Ok(Json(national::publish_selected(&ctx, &user.principal, &r.codes, eff).await?))
}
