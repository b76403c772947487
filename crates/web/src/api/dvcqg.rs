//! The national portal's side door (REQ-8, issue #15 inbound): the portal pushes an online
//! dossier (`POST /api/v1/dvcqg/ho-so`, authenticated by the configured shared credential,
//! answered in the portal's style `{error_code, message, data}`), and province
//! administrators see the deliveries that did not become a dossier and put them back.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::Auth;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_app::AppContext;
use motcua_app::usecases::dossiers::{self as uc, Source, Taken};
use motcua_store::repo::inbound::InboundRecord;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A pushed dossier carries its files in base64: the body may be larger than the dossier's
/// file limit by a third, and no larger.
const MAX_PUSH_BYTES: usize = 140 << 20;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(inbound_errors))
        .routes(routes!(retry_inbound))
        .merge(OpenApiRouter::new().routes(routes!(push)).layer(axum::extract::DefaultBodyLimit::max(MAX_PUSH_BYTES)))
}

fn portal_answer(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// The portal pushes one online dossier (the `LayHoSo` payload, docs/integration.md). The
/// `Authorization` header must equal `[dvcqg] inbound_credential`. 200 with
/// `{"error_code": "0", "data": {"MaHoSo", "TrangThaiHoSo": 1, "MaHoSoDiaPhuong"}}` once the
/// dossier is committed (again for a repeat: the same dossier); 4xx with `{"error_code",
/// "message" (Vietnamese), "field"}` when refused (kept in the error list).
#[utoipa::path(post, path = "/api/v1/dvcqg/ho-so", tag = "ops",
    request_body(content = Object, description = "Hồ sơ trực tuyến từ Cổng DVCQG / an online dossier from the portal"),
    responses((status = 200, body = Object), (status = 400, body = Object), (status = 401, body = Object),
        (status = 422, body = Object), (status = 503, body = Object)))]
async fn push(State(ctx): State<AppContext>, headers: HeaderMap, body: Bytes) -> Response {
    let sent = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    let allowed = ctx.config.dvcqg.enabled
        && ctx.config.dvcqg.inbound_credential.as_deref().is_some_and(|want| motcua_app::auth::tokens_match(sent, want));
    if !allowed {
        return portal_answer(
            StatusCode::UNAUTHORIZED,
            json!({"error_code": "unauthorized", "message": "Thiếu hoặc sai thông tin xác thực của Cổng Dịch vụ công quốc gia."}),
        );
    }
    let raw: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) | Err(_) => {
            // Kept in the error list too, by its digest.
            let raw = json!({"NoiDungGoc": String::from_utf8_lossy(&body[..body.len().min(4096)])});
            let f = uc::take_in(&ctx, &raw, Source::Push).await.err();
            return portal_answer(
                StatusCode::BAD_REQUEST,
                json!({"error_code": "invalid_json", "message": "Nội dung không phải một hồ sơ JSON hợp lệ.",
                       "field": "data", "MaHoSo": f.map(|f| f.portal_id)}),
            );
        }
    };
    match uc::take_in(&ctx, &raw, Source::Push).await {
        Ok(t) => {
            let d = t.dossier();
            let _ = uc::acknowledged(&ctx, &uc::portal_id_of(&raw)).await;
            let data = json!({"MaHoSo": uc::portal_id_of(&raw), "TrangThaiHoSo": d.status.national_code().unwrap_or(1),
                              "MaHoSoDiaPhuong": d.filing_reference, "DaNhanTruocDo": matches!(t, Taken::Existing(_))});
            portal_answer(StatusCode::OK, json!({"error_code": "0", "message": "Thành công", "data": data}))
        }
        Err(f) => portal_answer(
            StatusCode::from_u16(f.http).unwrap_or(StatusCode::BAD_REQUEST),
            json!({"error_code": f.code, "message": f.message_vi, "field": f.field, "MaHoSo": f.portal_id, "TrangThaiXuLy": f.state}),
        ),
    }
}

#[derive(Serialize, ToSchema)]
pub struct InboundErrorDto {
    /// The portal's dossier id (or `sha256:…` for a payload without one).
    pub portal_id: String,
    /// `failed` (tried again on the next pull) or `held` (until retried).
    pub state: String,
    pub source: String,
    pub attempts: i64,
    pub reason_code: Option<String>,
    pub reason_vi: Option<String>,
    /// The raw payload (file contents left out, at most 64 KiB).
    pub payload: String,
    pub first_seen_at: i64,
    pub updated_at: i64,
}

impl From<InboundRecord> for InboundErrorDto {
    fn from(r: InboundRecord) -> Self {
        Self {
            portal_id: r.portal_id,
            state: r.state,
            source: r.source,
            attempts: r.attempts,
            reason_code: r.reason_code,
            reason_vi: r.reason_vi,
            payload: r.payload,
            first_seen_at: r.first_seen_at,
            updated_at: r.updated_at,
        }
    }
}

/// Online dossiers from the portal that did not become a dossier, with their reasons,
/// latest first (at most 200). Province administrators only.
#[utoipa::path(get, path = "/api/v1/dvcqg/inbound-errors", tag = "ops", security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<InboundErrorDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn inbound_errors(State(ctx): State<AppContext>, Auth(u): Auth) -> ApiResult<Json<Vec<InboundErrorDto>>> {
    Ok(Json(uc::inbound_errors(&ctx, &u).await?.into_iter().map(Into::into).collect()))
}

/// Puts a failed or held delivery back to be taken on the next pull. Province administrators only.
#[utoipa::path(post, path = "/api/v1/dvcqg/inbound-errors/{id}/retry", tag = "ops", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path, description = "the portal's dossier id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn retry_inbound(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    uc::retry_inbound(&ctx, &u, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
