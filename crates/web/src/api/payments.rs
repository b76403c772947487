//! Online fee payment (issue #17; docs/payments.md): the applicant starts a payment, the
//! gateway's IPN callback records it, the browser comes back to the return URL; a dossier's
//! attempts and receipts.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::AppContext;
use motcua_app::usecases::dossiers::payments as uc;
use motcua_pages::kit::ClientAddr;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(start))
        .routes(routes!(list))
        .routes(routes!(ipn))
        .routes(routes!(returned))
        .routes(routes!(reconciliations, reconcile))
}

#[derive(Serialize, ToSchema)]
pub struct StartedDto {
    /// The gateway's page, with the signed request: send the browser there.
    pub redirect_url: String,
}

/// Start paying the dossier's noticed fees online (its applicant, while it awaits payment).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/online-payments", tag = "payments", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = StartedDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn start(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    ClientAddr(client): ClientAddr,
    Path(id): Path<String>,
) -> ApiResult<Json<StartedDto>> {
    let redirect_url = uc::start_online(&ctx, &u, &id, &client.to_string()).await?;
    Ok(Json(StartedDto { redirect_url }))
}

/// A dossier's payment attempts and e-receipts.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/online-payments", tag = "payments", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
async fn list(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let v = uc::payments_of(&ctx, &u, &id).await?;
    Ok(Json(serde_json::to_value(v).unwrap_or_default()))
}

/// The gateway's IPN (VNPAY 2.1.0): the signed result, answered `{"RspCode","Message"}`:
/// 00 recorded, 01 unknown order, 02 already confirmed, 04 wrong amount, 97 bad signature,
/// 99 other error.
#[utoipa::path(get, path = "/api/v1/payments/vnpay/ipn", tag = "payments",
    responses((status = 200, description = "`{\"RspCode\": \"00\", \"Message\": \"Confirm Success\"}`", body = Object)))]
async fn ipn(State(ctx): State<AppContext>, Query(p): Query<BTreeMap<String, String>>) -> Json<Value> {
    Json(uc::ipn(&ctx, p).await.body())
}

/// The browser back from the gateway (`vnp_ReturnUrl`, signed like the IPN): 303 to the
/// dossier's page with the result shown there. Records nothing.
#[utoipa::path(get, path = "/thanh-toan/vnpay/ket-qua", tag = "payments",
    responses((status = 303, description = "To `/ho-so-cua-toi/{id}?thanh-toan=paid|pending|failed`"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn returned(State(ctx): State<AppContext>, Query(p): Query<BTreeMap<String, String>>) -> Response {
    match uc::returned(&ctx, p).await {
        Ok((id, state)) => Redirect::to(&format!("/ho-so-cua-toi/{id}?thanh-toan={state}")).into_response(),
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

/// The day to reconcile (`YYYY-MM-DD`, Vietnam time).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayInput {
    #[schema(value_type = String, format = Date)]
    pub date: jiff::civil::Date,
}

/// The latest payment reconciliations (30), newest first, with their mismatches. Province
/// administrators.
#[utoipa::path(get, path = "/api/v1/payments/reconciliations", tag = "payments", security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<Value>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn reconciliations(State(ctx): State<AppContext>, Auth(u): Auth) -> ApiResult<Json<Value>> {
    let v = uc::reconciliations(&ctx, Some(&u)).await?;
    Ok(Json(serde_json::to_value(v).unwrap_or_default()))
}

/// Reconcile a day now: the gateway's settlement list against the recorded payments.
#[utoipa::path(post, path = "/api/v1/payments/reconciliations", tag = "payments", security(("session" = []), ("bearer" = [])),
    request_body = DayInput,
    responses((status = 201, body = Object), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reconcile(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    ApiJson(b): ApiJson<DayInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let v = uc::reconcile(&ctx, Some(&u), b.date).await?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(v).unwrap_or_default())))
}
