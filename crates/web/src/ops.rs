//! Operations: liveness, readiness, Prometheus metrics, request metrics middleware.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::Auth;
use axum::Json;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use motcua_app::AppContext;
use motcua_app::usecases::system::SystemStatus;
use serde::Serialize;
use std::sync::OnceLock;
use std::time::Instant;
use tracing::Instrument;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api_router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(healthz)).routes(routes!(readyz)).routes(routes!(system_status))
}

/// The system's state: version, uptime, database size, migration, outbox backlog and dead
/// letters, worker lag, last backup. Province administrators only.
#[utoipa::path(get, path = "/api/v1/system/status", tag = "ops", security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = SystemStatus), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn system_status(State(ctx): State<AppContext>, Auth(u): Auth) -> ApiResult<Json<SystemStatus>> {
    Ok(Json(motcua_app::usecases::system::status(&ctx, &u.principal).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
    /// sqlite or postgres (readyz only)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<&'static str>,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok", version: env!("CARGO_PKG_VERSION"), backend: None })
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "ops", responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
async fn readyz(State(ctx): State<AppContext>) -> Response {
    match ctx.store.ping().await {
        Ok(()) => Json(Health { status: "ready", version: env!("CARGO_PKG_VERSION"), backend: Some(ctx.store.backend().name()) })
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            crate::error::ApiError::for_status(StatusCode::SERVICE_UNAVAILABLE).into_response()
        }
    }
}

/// One recorder per process (tests start many servers in one process).
pub fn prometheus() -> &'static PrometheusHandle {
    static H: OnceLock<PrometheusHandle> = OnceLock::new();
    H.get_or_init(|| {
        motcua_app::usecases::system::mark_started();
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full("store_writer_group_size".into()),
                    &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0],
                )
            })
            .expect("static buckets")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (e.g. by an embedding program): then
        // our handle still renders what this recorder sees, which is nothing; log it.
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed");
        }
        metrics::describe_counter!("http_requests_total", "HTTP requests by method, route and status");
        metrics::describe_histogram!("http_request_duration_seconds", metrics::Unit::Seconds, "HTTP request latency");
        metrics::describe_gauge!("process_uptime_seconds", metrics::Unit::Seconds, "Seconds since the server started");
        motcua_app::obs::describe();
        motcua_store::sqlite::describe_metrics();
        handle
    })
}

/// The Prometheus text. The outbox gauges are read from the database at a scrape (two reads
/// on the partial indexes of undelivered rows), so they are fresh even when no worker runs in
/// this process; at most once per `REFRESH` however often `/metrics` is asked (it is open).
pub async fn metrics_text(State(ctx): State<AppContext>) -> Response {
    const REFRESH: std::time::Duration = std::time::Duration::from_secs(5);
    static LAST: std::sync::Mutex<Option<Instant>> = std::sync::Mutex::new(None);
    let due = {
        let mut last = LAST.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let due = last.is_none_or(|t| t.elapsed() >= REFRESH);
        if due {
            *last = Some(Instant::now());
        }
        due
    };
    if due && let Err(e) = motcua_app::outbox::publish_stats(&ctx).await {
        tracing::warn!(error = %e, "outbox figures not read");
    }
    metrics::gauge!("process_uptime_seconds").set(motcua_app::usecases::system::uptime().as_secs_f64());
    let mut r = prometheus().render().into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
    r
}

/// Counts and times every request by its route template (not the raw path, which would
/// explode the label set).
pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    // The route template, not the path: a path can carry a code or an id typed by a citizen.
    tracing::Span::current().record("route", route.as_str());
    let resp = next.run(req).await;
    let code = resp.status().as_u16();
    let ms = start.elapsed().as_millis();
    // One line per request: info for refusals (4xx), debug otherwise (the busy path stays
    // quiet at the default level); 5xx are logged with their cause where they happen.
    if (400..500).contains(&code) {
        tracing::info!(status = code, duration_ms = ms, "request refused");
    } else {
        tracing::debug!(status = code, duration_ms = ms, "request");
    }
    let status = code.to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    resp
}

/// The request's id: a sane incoming `X-Request-Id` (from a proxy or a client, so lines can be
/// matched across systems) or a new UUID. Opens the `http` span every log line of the request
/// carries (`request_id`, then `route`, `user_id`, `dossier_id` as they become known; never
/// personal data) and returns the id in the response header.
pub async fn request_span(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane_request_id(v))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string);
    let value = HeaderValue::from_str(&id).expect("checked characters");
    req.headers_mut().insert(REQUEST_ID, value.clone());
    let span = tracing::info_span!(
        "http",
        method = %req.method(),
        request_id = %id,
        route = tracing::field::Empty,
        user_id = tracing::field::Empty,
        dossier_id = tracing::field::Empty,
    );
    let mut resp = next.run(req).instrument(span).await;
    resp.headers_mut().insert(REQUEST_ID, value);
    resp
}

pub const REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");

/// 1–64 characters of letters, digits, `-`, `_`, `.`, `:`: what request-id generators emit,
/// and nothing that could forge a log line or carry a sentence.
fn sane_request_id(v: &str) -> bool {
    (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}
