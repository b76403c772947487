//! The access log (issue #12 item 14), newest first, for administrators.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::Auth;
use axum::Json;
use axum::extract::{Query, State};
use motcua_app::AppContext;
use motcua_app::access::{AccessQuery, AccessRow};
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
    /// A dossier code.
    pub code: Option<String>,
    /// The kind of access: login, login_failed, token_issued, register_read, register_export,
    /// dossier_read, file_read, document_read, list_read, list_export, access_log_read.
    pub kind: Option<String>,
    /// First local day (YYYY-MM-DD, Vietnam time), inclusive.
    pub from: Option<String>,
    /// Last local day (YYYY-MM-DD, Vietnam time), inclusive.
    pub to: Option<String>,
    /// Entries older than this instant (milliseconds since the epoch): the next page.
    pub before_ms: Option<i64>,
    /// With `before_ms`: the id of the last entry of the previous page, so that entries of
    /// the same millisecond are neither skipped nor repeated.
    pub before_id: Option<String>,
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
    /// login, login_failed, token_issued, register_read, register_export, dossier_read,
    /// file_read, document_read, list_read, list_export, access_log_read
    pub action: String,
    pub dossier_id: Option<String>,
    pub dossier_code: Option<String>,
    /// The client address.
    pub address: Option<String>,
    /// The file read, the register's period, a list's filter and number of rows.
    pub detail: Option<String>,
}

impl From<AccessRow> for AccessEntryDto {
    fn from(r: AccessRow) -> Self {
        let e = r.entry;
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
            dossier_code: r.dossier_code,
            address: e.address,
            detail: e.detail,
        }
    }
}

/// Who logged in, took a token, read or downloaded the register, read a dossier's personal
/// data or a list of dossiers, or read this log, when and from where. A province
/// administrator or supervisor reads every entry, a commune's those about its agencies.
/// Reading it is recorded.
#[utoipa::path(get, path = "/api/v1/access-log", tag = "audit", security(("session" = []), ("bearer" = [])), params(AccessLogQuery),
    responses((status = 200, body = Vec<AccessEntryDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_access_log(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Query(q): Query<AccessLogQuery>,
) -> ApiResult<Json<Vec<AccessEntryDto>>> {
    let (before_ms, after) = match (q.before_ms, q.before_id) {
        (Some(ms), Some(id)) => (None, Some((ms, id))),
        (ms, _) => (ms, None),
    };
    let query = AccessQuery {
        user: q.user,
        dossier_id: q.dossier,
        dossier_code: q.code,
        kind: q.kind,
        from: q.from,
        to: q.to,
        before_ms,
        after,
        limit: q.limit.unwrap_or(100),
    };
    let page = motcua_app::access::search(&ctx, &user, query).await?;
    Ok(Json(page.rows.into_iter().map(Into::into).collect()))
}
