//! The access log (issue #12 item 14), newest first, for administrators.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Auth;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use motcua_app::AppContext;
use motcua_store::repo::access_log::{AccessEntry, AccessFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(list_access_log))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessLogQuery {
    /// A user id or a username.
    pub user: Option<String>,
    /// A dossier id.
    pub dossier: Option<String>,
    /// First local day (YYYY-MM-DD, Vietnam time), inclusive.
    pub from: Option<String>,
    /// Last local day (YYYY-MM-DD, Vietnam time), inclusive.
    pub to: Option<String>,
    /// Entries older than this instant (milliseconds since the epoch): the next page.
    pub before_ms: Option<i64>,
    /// At most 500; 100 by default.
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessEntryDto {
    pub id: String,
    pub at: String,
    pub at_ms: i64,
    pub user_id: Option<String>,
    pub username: Option<String>,
    /// login, login_failed, token_issued, register_read, dossier_read, file_read
    pub action: String,
    pub dossier_id: Option<String>,
    /// The client address.
    pub address: Option<String>,
    pub detail: Option<String>,
}

impl From<AccessEntry> for AccessEntryDto {
    fn from(e: AccessEntry) -> Self {
        let at = jiff::Timestamp::from_millisecond(e.at_ms)
            .map(|t| t.to_zoned(motcua_domain::calendar::vn_time_zone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
            .unwrap_or_default();
        Self {
            id: e.id,
            at,
            at_ms: e.at_ms,
            user_id: e.user_id,
            username: e.username,
            action: e.action,
            dossier_id: e.dossier_id,
            address: e.address,
            detail: e.detail,
        }
    }
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

/// The start of a local day (or of the next one), in milliseconds.
fn day_start(field: &str, s: &str, next: bool) -> Result<i64, ApiError> {
    let d = motcua_domain::calendar::parse_date(s).map_err(|_| bad_date(field))?;
    let d = if next { d.tomorrow().map_err(|_| bad_date(field))? } else { d };
    d.to_zoned(motcua_domain::calendar::vn_time_zone()).map(|z| z.timestamp().as_millisecond()).map_err(|_| bad_date(field))
}

/// Who logged in, took a token, read the register or read a dossier's personal data, when
/// and from where. A province administrator reads every entry, a commune administrator
/// those about its agencies.
#[utoipa::path(get, path = "/api/v1/access-log", tag = "audit", security(("session" = []), ("bearer" = [])), params(AccessLogQuery),
    responses((status = 200, body = Vec<AccessEntryDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_access_log(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Query(q): Query<AccessLogQuery>,
) -> ApiResult<Json<Vec<AccessEntryDto>>> {
    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let from = nonempty(q.from).map(|s| day_start("from", &s, false)).transpose()?;
    let to = nonempty(q.to).map(|s| day_start("to", &s, true)).transpose()?;
    let filter = AccessFilter {
        scope: None,
        user: nonempty(q.user),
        dossier_id: nonempty(q.dossier),
        from_ms: from,
        to_ms: to,
        before_ms: q.before_ms,
        limit: q.limit.unwrap_or(100),
    };
    let entries = motcua_app::access::list(&ctx, &user, filter).await?;
    Ok(Json(entries.into_iter().map(Into::into).collect()))
}
