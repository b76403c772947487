//! The applicant's data locker (kho dữ liệu): the signed-in citizen's results and certified
//! copies, their files, and attaching an item to a dossier's component instead of an upload.

use crate::api::dossiers::{DossierDto, file_response_named};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::calendar::vn_rfc3339;
use motcua_app::usecases::dossiers as uc;
use motcua_app::usecases::locker::{self, LockerRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(my_locker)).routes(routes!(locker_file)).routes(routes!(attach_from_locker))
}

fn time(ms: Option<i64>) -> Option<String> {
    ms.and_then(|m| jiff::Timestamp::from_millisecond(m).ok()).map(vn_rfc3339)
}

/// One item of the locker.
#[derive(Serialize, ToSchema)]
pub struct LockerItemDto {
    pub id: String,
    /// `result` or `certified_copy`.
    pub kind: String,
    pub title: String,
    /// What document it is: `ket-qua:<procedure code>` or `ban-sao:<component key>`; a
    /// procedure component's `locker_kinds` names those it accepts.
    pub doc_type: String,
    /// `person` or `organisation`.
    pub owner_kind: String,
    pub owner_id_number: String,
    pub source_dossier_id: Option<String>,
    pub source_component: Option<String>,
    /// The issued document (the signed result), verifiable at `/xac-thuc/<id>`.
    pub source_document_id: Option<String>,
    pub size: i64,
    pub media_type: String,
    pub issued: Option<String>,
    pub valid_until: Option<String>,
    pub revoked: Option<String>,
    /// `valid`, `expired` or `revoked` now.
    pub status: &'static str,
    pub href: String,
}

fn dto(i: LockerRecord, now: i64) -> LockerItemDto {
    LockerItemDto {
        status: locker::status(&i, now),
        href: format!("/api/v1/me/locker/{}/file", i.id),
        issued: time(Some(i.issued_at)),
        valid_until: time(i.valid_until),
        revoked: time(i.revoked_at),
        id: i.id,
        kind: i.kind,
        title: i.title,
        doc_type: i.doc_type,
        owner_kind: i.owner_kind,
        owner_id_number: i.owner_id_number,
        source_dossier_id: i.source_dossier_id,
        source_component: i.source_component,
        source_document_id: i.source_document_id,
        size: i.size,
        media_type: i.mime,
    }
}

/// The signed-in citizen's data locker, newest first (at most 200 items).
#[utoipa::path(get, path = "/api/v1/me/locker", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<LockerItemDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn my_locker(State(ctx): State<AppContext>, Auth(u): Auth) -> ApiResult<Json<Vec<LockerItemDto>>> {
    let now = ctx.clock.now_ms();
    Ok(Json(locker::mine(&ctx, &u).await?.into_iter().map(|i| dto(i, now)).collect()))
}

/// Download an item of the signed-in citizen's locker (recorded as a document read).
#[utoipa::path(get, path = "/api/v1/me/locker/{id}/file", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = ErrorBody)))]
async fn locker_file(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let (item, bytes) = locker::file(&ctx, &u, &id).await?;
    Ok(file_response_named(&item.mime, &locker::file_name(&item), bytes))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"locker_item_id": "0190b2c4-…"}))]
pub struct FromLockerBody {
    pub locker_item_id: String,
}

/// Attach an item of the applicant's data locker to a component instead of uploading a file:
/// the item's stored file, nothing copied; the component counts as reused at reception. Only
/// the applicant's own valid items of a kind the component accepts (`locker_kinds`): another
/// person's gets 403 `locker_item_not_yours`, an expired or revoked one 422
/// `locker_item_invalid`, another kind 422 `locker_item_not_accepted`.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/components/{key}/locker", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path), ("key" = String, Path, description = "Component key")),
    request_body = FromLockerBody,
    responses((status = 201, body = DossierDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn attach_from_locker(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    Path((id, key)): Path<(String, String)>,
    ApiJson(b): ApiJson<FromLockerBody>,
) -> ApiResult<(StatusCode, Json<DossierDto>)> {
    let d = uc::attach_from_locker(&ctx, &u, &id, &key, &b.locker_item_id).await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}
