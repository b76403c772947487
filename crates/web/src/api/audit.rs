//! The administrative audit log, newest first.

use crate::dto::{AuditEventDto, AuditQuery};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::Auth;
use axum::Json;
use axum::extract::{Query, State};
use motcua_app::AppContext;
use motcua_store::repo::audit::AuditFilter;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

/// Audit events about agencies in the caller's scope.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("session" = [])), params(AuditQuery),
    responses((status = 200, body = Vec<AuditEventDto>), (status = 403, body = ErrorBody)))]
async fn list_audit(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEventDto>>> {
    let filter = AuditFilter {
        scope: None,
        entity_kind: q.entity_kind,
        entity_id: q.entity_id,
        limit: q.limit.unwrap_or(100),
        before_seq: q.before_seq,
    };
    let events = motcua_app::usecases::audit::list(&ctx, &user.principal, filter).await?;
    Ok(Json(events.into_iter().map(Into::into).collect()))
}
