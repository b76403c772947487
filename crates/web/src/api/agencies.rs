//! Agencies: public reads, administrative changes.

use crate::dto::{
    AgencyDetailDto, AgencyDto, AgencyListQuery, AtQuery, CreateAgencyRequest, MergeRequest, MergeResponse, Page, RenameRequest,
    UpdateAgencyRequest,
};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use motcua_app::AppContext;
use motcua_app::usecases::agencies::{self, AgencyChanges, NewAgency};

use motcua_domain::agency::AgencyKind;
use motcua_store::repo::agencies::AgencyFilter;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(list_agencies, create_agency))
        .routes(routes!(get_agency, update_agency))
        .routes(routes!(rename_agency))
        .routes(routes!(merge_agency))
}

fn bad_date(field: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_date",
        "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
        "Invalid date (YYYY-MM-DD).",
    )
    .with_field(field, "invalid_date", "Ngày không hợp lệ (định dạng YYYY-MM-DD).", "Invalid date (YYYY-MM-DD).")
}

/// List agencies (public), in tree order.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies", params(AgencyListQuery),
    responses((status = 200, body = Page<AgencyDto>), (status = 422, body = ErrorBody)))]
async fn list_agencies(State(ctx): State<AppContext>, Query(q): Query<AgencyListQuery>) -> ApiResult<Json<Page<AgencyDto>>> {
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(AgencyKind::parse(k).ok_or_else(|| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_kind", "Loại cơ quan không hợp lệ.", "Unknown agency kind.")
                .with_field("kind", "invalid_kind", "Loại cơ quan không hợp lệ.", "Unknown agency kind.")
        })?),
        None => None,
    };
    let active_on = match q.active_on.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => Some(d.parse().map_err(|_| bad_date("active_on"))?),
        None => None,
    };
    let filter = AgencyFilter {
        scope: None,
        parent_id: q.parent_id.filter(|p| !p.is_empty()),
        kind,
        q: q.q.map(|t| motcua_domain::text::fold(&t)),
        active_on,
        limit: q.limit.unwrap_or(200),
        offset: q.offset.unwrap_or(0),
    };
    let (items, total) = agencies::list(&ctx, filter).await?;
    Ok(Json(Page { items: items.into_iter().map(Into::into).collect(), total }))
}

/// Create an agency under a parent the caller administers.
#[utoipa::path(post, path = "/api/v1/agencies", tag = "agencies", security(("session" = [])), request_body = CreateAgencyRequest,
    responses((status = 201, body = AgencyDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_agency(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    ApiJson(r): ApiJson<CreateAgencyRequest>,
) -> ApiResult<(StatusCode, Json<AgencyDto>)> {
    let input = NewAgency {
        code: r.code,
        name: r.name,
        short_name: r.short_name,
        kind: r.kind,
        parent_id: r.parent_id,
        valid_from: r.valid_from,
        address: r.address,
        phone: r.phone,
        email: r.email,
    };
    let a = agencies::create(&ctx, Some(&user.principal), input).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// One agency with its name history (public).
#[utoipa::path(get, path = "/api/v1/agencies/{id}", tag = "agencies", params(("id" = String, Path), AtQuery),
    responses((status = 200, body = AgencyDetailDto), (status = 404, body = ErrorBody)))]
async fn get_agency(
    State(ctx): State<AppContext>,
    Path(id): Path<String>,
    Query(q): Query<AtQuery>,
) -> ApiResult<Json<AgencyDetailDto>> {
    let day = match q.at.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => d.parse().map_err(|_| bad_date("at"))?,
        None => ctx.clock.today(),
    };
    let (a, names) = agencies::get(&ctx, &id).await?;
    let name_at = names.iter().rev().find(|n| n.valid_from <= day && n.valid_to.is_none_or(|e| day < e)).map(|n| n.name.clone());
    Ok(Json(AgencyDetailDto { agency: a.into(), name_at, names: names.into_iter().map(Into::into).collect() }))
}

/// Change contact details (null clears a field).
#[utoipa::path(patch, path = "/api/v1/agencies/{id}", tag = "agencies", security(("session" = [])), params(("id" = String, Path)),
    request_body = UpdateAgencyRequest,
    responses((status = 200, body = AgencyDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_agency(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<UpdateAgencyRequest>,
) -> ApiResult<Json<AgencyDto>> {
    let ch = AgencyChanges { short_name: r.short_name, address: r.address, phone: r.phone, email: r.email };
    Ok(Json(agencies::update(&ctx, &user.principal, &id, ch).await?.into()))
}

/// Rename from an effective day on; earlier days keep the old name.
#[utoipa::path(post, path = "/api/v1/agencies/{id}/rename", tag = "agencies", security(("session" = [])), params(("id" = String, Path)),
    request_body = RenameRequest,
    responses((status = 200, body = AgencyDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn rename_agency(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<RenameRequest>,
) -> ApiResult<Json<AgencyDto>> {
    Ok(Json(agencies::rename(&ctx, &user.principal, &id, &r.name, r.effective.as_deref()).await?.into()))
}

/// Merge into a successor: the agency ends, its sub-units and staff move to the successor,
/// and history keeps pointing at the original unit.
#[utoipa::path(post, path = "/api/v1/agencies/{id}/merge", tag = "agencies", security(("session" = [])), params(("id" = String, Path)),
    request_body = MergeRequest,
    responses((status = 200, body = MergeResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn merge_agency(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<MergeRequest>,
) -> ApiResult<Json<MergeResponse>> {
    let (a, out) = agencies::merge(&ctx, &user.principal, &id, &r.into, r.effective.as_deref()).await?;
    Ok(Json(MergeResponse { agency: a.into(), moved_children: out.moved_children, moved_memberships: out.moved_memberships }))
}
