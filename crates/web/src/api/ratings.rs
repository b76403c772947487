//! The ratings summary (issue #18, SIPAS): per dimension the average score, the like rate,
//! the response rate and the low ratings of a unit subtree over a period, for leaders and
//! supervisors (`ViewIndicators`), scoped in the query.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::Auth;
use axum::Json;
use axum::extract::{Query, State};
use motcua_app::AppContext;
use motcua_app::usecases::ratings::{self as uc, Summary};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(summary))
}

#[derive(Deserialize, IntoParams)]
pub struct SummaryParams {
    /// An agency id in the caller's scope (default: all of it).
    pub unit: Option<String>,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day (included), `YYYY-MM-DD`.
    pub to: String,
}

/// The ratings of dossiers (from the counters) and of counter visits of a unit subtree.
#[utoipa::path(get, path = "/api/v1/ratings/summary", tag = "indicators", security(("session" = []), ("bearer" = [])), params(SummaryParams),
    responses((status = 200, body = Summary), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn summary(State(ctx): State<AppContext>, Auth(u): Auth, Query(p): Query<SummaryParams>) -> ApiResult<Json<Summary>> {
    Ok(Json(uc::summary(&ctx, &u, p.unit.as_deref(), &p.from, &p.to).await?))
}
