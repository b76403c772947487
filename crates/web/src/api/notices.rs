//! Applicant notices (issue #17, docs/notifications.md): the signed-in citizen's notice
//! preferences, and a dossier's delivery log for the officials who may read the dossier.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::extract::{Path, State};
use motcua_app::AppContext;
use motcua_app::notify as uc;
use motcua_domain::notice::Preferences;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(my_preferences, put_preferences)).routes(routes!(deliveries))
}

/// Which channels carry the notices, in which language, and whether the notices the law
/// does not require are sent (the required ones always are).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": true, "sms": true, "zalo": false, "language": "vi", "optional_notices": true}))]
pub struct PreferencesDto {
    pub email: bool,
    pub sms: bool,
    pub zalo: bool,
    /// `vi` or `en`.
    pub language: String,
    pub optional_notices: bool,
}

impl From<Preferences> for PreferencesDto {
    fn from(p: Preferences) -> Self {
        Self {
            email: p.email,
            sms: p.sms,
            zalo: p.zalo,
            language: p.language.as_str().into(),
            optional_notices: p.optional_notices,
        }
    }
}

/// The signed-in citizen's notice preferences.
#[utoipa::path(get, path = "/api/v1/me/notification-preferences", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = PreferencesDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn my_preferences(State(ctx): State<AppContext>, Auth(u): Auth) -> ApiResult<Json<PreferencesDto>> {
    Ok(Json(uc::my_preferences(&ctx, &u).await?.into()))
}

/// Sets the signed-in citizen's notice preferences.
#[utoipa::path(put, path = "/api/v1/me/notification-preferences", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    request_body = PreferencesDto,
    responses((status = 200, body = PreferencesDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_preferences(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    ApiJson(p): ApiJson<PreferencesDto>,
) -> ApiResult<Json<PreferencesDto>> {
    let saved = uc::set_my_preferences(&ctx, &u, p.email, p.sms, p.zalo, &p.language, p.optional_notices).await?;
    Ok(Json(saved.into()))
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryDto {
    pub id: String,
    /// The dossier event the notice is about (none for an officer reminder).
    pub event_seq: Option<i64>,
    /// `received`, `fee_notice`, … or `officer_reminder`.
    pub notice: String,
    /// `email`, `sms` or `zalo`.
    pub channel: String,
    /// Masked: `c***@example.vn`, `09******78`.
    pub recipient: String,
    /// `queued`, `deferred` (held to the sending window), `sent`, `retrying`, `dead` (a dead
    /// letter, see `/api/v1/outbox`), `failed` (refused for good, e.g. a bounce) or `opted_out`.
    pub status: String,
    pub attempts: i64,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The delivery log of the dossier's notices (at most 500), for officials who may read it.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/deliveries", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<DeliveryDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn deliveries(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<DeliveryDto>>> {
    let rows = uc::deliveries(&ctx, &u, &id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|d| DeliveryDto {
                id: d.id,
                event_seq: d.event_seq,
                notice: d.notice,
                channel: d.channel,
                recipient: d.recipient,
                status: d.status,
                attempts: d.attempts,
                error: d.error,
                created_at: d.created_at,
                updated_at: d.updated_at,
            })
            .collect(),
    ))
}
