//! The public postal service (issue #17, QĐ 45/2016; `docs/postal.md`): the applicant's
//! postal choice and address, the counter's hand-over to the post and delivery reports,
//! and the carriers' signed webhook.

use super::dossiers::{DossierDto, run};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::usecases::dossiers::{self as uc, CarrierReport, ReportTaken, Request};
use motcua_domain::dossier::{Command, PostalAddress};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(choose_postal))
        .routes(routes!(post_result))
        .routes(routes!(post_delivered))
        .routes(routes!(post_undelivered))
        .routes(routes!(carrier_event))
        .routes(routes!(postal_slip))
        .routes(routes!(postal_label))
}

async fn postal_pdf(ctx: &AppContext, u: &motcua_app::auth::CurrentUser, id: &str, kind: uc::PostalKind) -> ApiResult<Response> {
    let pdf = uc::postal_document(ctx, u, id, kind).await?;
    let name = match kind {
        uc::PostalKind::Slip => "phieu-ban-giao-buu-chinh.pdf",
        uc::PostalKind::Label => "nhan-buu-gui.pdf",
    };
    Ok(super::dossiers::file_response_named("application/pdf", name, pdf))
}

/// The slip handing the result over to the post (A4 PDF; officials; 409 `not_posted`).
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/postal/slip.pdf", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn postal_slip(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<Response> {
    postal_pdf(&ctx, &u, &id, uc::PostalKind::Slip).await
}

/// The address label (100 × 150 mm PDF) with the tracking number's Code 128 barcode.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/postal/label.pdf", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn postal_label(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<Response> {
    postal_pdf(&ctx, &u, &id, uc::PostalKind::Label).await
}

/// A postal address as entered: the commune or ward by its code in the province's list
/// (the agency tree's communes); the province is the one the dossier is filed in.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressBody {
    pub recipient: String,
    pub phone: String,
    /// Optional: when given, it must be the dossier's province.
    #[serde(default)]
    pub province_code: Option<String>,
    pub commune_code: String,
    /// House number, street, hamlet.
    pub street: String,
}

impl From<AddressBody> for PostalAddress {
    fn from(a: AddressBody) -> Self {
        PostalAddress {
            recipient: a.recipient,
            phone: a.phone,
            province_code: a.province_code.unwrap_or_default(),
            province: String::new(),
            commune_code: a.commune_code,
            commune: String::new(),
            street: a.street,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 2, "dossier_by_post": false, "result_by_post": true,
    "address": {"recipient": "Nguyễn Văn An", "phone": "0912345678", "commune_code": "000.00.31.H40", "street": "Số 5, đường Trần Hưng Đạo"}}))]
pub struct PostalChoiceBody {
    pub version: i64,
    #[serde(default)]
    pub dossier_by_post: bool,
    #[serde(default)]
    pub result_by_post: bool,
    pub address: AddressBody,
}

/// The postal choice (QĐ 45/2016): send the dossier, receive the result by post, or both,
/// with the address (event `postal_chosen`). The applicant on their draft; the counter until
/// the result is returned. An address outside the province: 422 `commune_not_in_province`.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/postal", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)), request_body = PostalChoiceBody,
    responses((status = 200, body = DossierDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn choose_postal(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PostalChoiceBody>,
) -> ApiResult<Json<DossierDto>> {
    let cmd = Command::ChoosePostal {
        dossier_by_post: b.dossier_by_post,
        result_by_post: b.result_by_post,
        address: b.address.into(),
        // Filled in from the agency tree in the command's transaction.
        province: Box::default(),
    };
    run(&ctx, &u, &id, b.version, Request::cmd(cmd), &h).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 9, "tracking_number": "EL123456789VN", "fee": 32000}))]
pub struct PostBody {
    pub version: i64,
    pub tracking_number: String,
    /// Default `vnpost`.
    #[serde(default)]
    pub carrier: Option<String>,
    /// The postal fee in đồng.
    pub fee: i64,
}

/// Hand the result to the post (event `posted`; reception officer): the applicant chose the
/// result by post, and no shipment is in transit. The dossier stays resolved until delivered.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/post", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)), request_body = PostBody,
    responses((status = 200, body = DossierDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_result(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PostBody>,
) -> ApiResult<Json<DossierDto>> {
    let cmd = Command::Post { tracking_number: b.tracking_number, carrier: b.carrier, fee: b.fee };
    run(&ctx, &u, &id, b.version, Request::cmd(cmd), &h).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 10}))]
pub struct DeliveredBody {
    pub version: i64,
    /// When given, it must be the shipment in transit's.
    #[serde(default)]
    pub tracking_number: Option<String>,
}

/// The post delivered the result (event `post_delivered`): the dossier is returned (status
/// 10, by post).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/post-delivered", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)), request_body = DeliveredBody,
    responses((status = 200, body = DossierDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_delivered(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DeliveredBody>,
) -> ApiResult<Json<DossierDto>> {
    run(&ctx, &u, &id, b.version, Request::cmd(Command::PostDelivered { tracking_number: b.tracking_number }), &h).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 10, "reason": "Không có người nhận"}))]
pub struct UndeliveredBody {
    pub version: i64,
    #[serde(default)]
    pub tracking_number: Option<String>,
    pub reason: String,
}

/// The result came back undelivered (event `post_undelivered`), with the reason: it waits
/// at the counter, to be posted again or handed over there.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/post-undelivered", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)), request_body = UndeliveredBody,
    responses((status = 200, body = DossierDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_undelivered(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UndeliveredBody>,
) -> ApiResult<Json<DossierDto>> {
    let cmd = Command::PostUndelivered { tracking_number: b.tracking_number, reason: b.reason };
    run(&ctx, &u, &id, b.version, Request::cmd(cmd), &h).await
}

fn header<'h>(h: &'h HeaderMap, name: &str) -> &'h str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").trim()
}

/// A carrier's delivery report (no session): `X-Motcua-Carrier` names a carrier of `[post]
/// carriers`, `X-Motcua-Timestamp` (Unix seconds, within 5 minutes) and `X-Motcua-Signature:
/// sha256=<hex HMAC-SHA256 of "timestamp.body" with the carrier's secret>` prove it. Each
/// `event_id` is taken once (409 `replayed_event`); an unknown tracking number is 404
/// `unknown_tracking_number`; a refused report writes nothing.
#[utoipa::path(post, path = "/api/v1/post/events", tag = "ops",
    params(("X-Motcua-Carrier" = String, Header), ("X-Motcua-Timestamp" = String, Header), ("X-Motcua-Signature" = String, Header)),
    request_body(content = CarrierReport, example = json!({"event_id": "evt-0001", "tracking_number": "EL123456789VN", "status": "delivered"})),
    responses((status = 200, body = ReportTaken), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn carrier_event(State(ctx): State<AppContext>, h: HeaderMap, body: Bytes) -> ApiResult<Json<ReportTaken>> {
    let carrier = header(&h, "x-motcua-carrier").to_string();
    let cfg = &ctx.config.post;
    let answer = async {
        if body.len() > cfg.max_body_bytes {
            return Err(motcua_app::AppError::Refused {
                http: 413,
                code: "payload_too_large",
                vi: "Nội dung thông báo quá lớn.".into(),
                en: "The report body is too large.".into(),
            });
        }
        let (ts, sig) = (header(&h, "x-motcua-timestamp"), header(&h, "x-motcua-signature"));
        uc::verify_carrier_report(cfg, &carrier, ts, sig, &body, ctx.clock.now_ms())?;
        let report: CarrierReport = serde_json::from_slice(&body).map_err(|e| {
            motcua_app::AppError::Validation(motcua_domain::error::ValidationError::single(
                "body",
                "invalid_report",
                "Nội dung thông báo không hợp lệ.",
                format!("The report body is invalid: {e}"),
            ))
        })?;
        uc::carrier_report(&ctx, &carrier, report).await
    }
    .await;
    match answer {
        Ok(t) => {
            tracing::info!(carrier, dossier_id = t.dossier_id, outcome = t.outcome, "carrier report taken");
            Ok(Json(t))
        }
        Err(e) => {
            // Refused reports are not stored: the log is their record.
            tracing::warn!(carrier, code = e.code(), status = e.status(), "carrier report refused");
            Err(e.into())
        }
    }
}
