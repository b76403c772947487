//! HTTP: the JSON API (with OpenAPI and an offline docs page), the pages of `motcua-pages`
//! mounted from their route table, open data, the static assets, operations endpoints, the
//! middleware around them all, and the one `serve` function that the binary and the tests
//! both call. No page markup is built here.

pub mod api;
pub mod assets;
pub mod dto;
pub mod error;
pub mod extract;
pub mod opendata;
pub mod ops;
pub mod server;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use error::ApiError;
use motcua_app::AppContext;
use motcua_pages::Body;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa_swagger_ui::SwaggerUi;

/// The whole application as a router.
pub fn router(ctx: AppContext) -> Router {
    let (api, openapi) = api::router().split_for_parts();
    let cfg = ctx.config.clone();
    let hub = motcua_pages::counter::CounterHub::shared(&ctx);
    let wall = motcua_pages::officer::indicators_wall::WallSlots::new(&ctx);
    let board = motcua_pages::queue::BoardHub::shared(&ctx);
    // A page upload carries one file and a few fields.
    let upload_limit = cfg.attachments.max_file_bytes + 256 * 1024;
    let mut app = Router::new().merge(api).merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi));
    for (path, _, route) in page_table(upload_limit) {
        app = app.route(path, route);
    }
    let app = app
        // Shaped by `normalize_errors`: JSON for the API, an HTML page for page addresses.
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(ctx)
        .layer(axum::Extension(hub))
        .layer(axum::Extension(wall))
        .layer(axum::Extension(board))
        .layer(DefaultBodyLimit::max(cfg.http.body_limit_bytes))
        .layer(middleware::from_fn_with_state(Arc::new(cfg.http.trusted_proxies.clone()), client_scope))
        .layer(middleware::from_fn(ops::track));
    app.layer(
        ServiceBuilder::new()
            .layer(middleware::from_fn(ops::request_span))
            .layer(CatchPanicLayer::custom(|_| ApiError::for_status(StatusCode::INTERNAL_SERVER_ERROR).into_response()))
            .layer(middleware::from_fn(normalize_errors))
            .layer(middleware::from_fn_with_state(cfg.http.body_limit_bytes, reject_nul))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                Duration::from_secs(cfg.http.request_timeout_secs),
            ))
            // Responses carry personal data (dossiers, applicants, the signed-in user's name):
            // no cache may keep them. Only what a handler marks cacheable itself (static assets) is.
            .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
            .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
            .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
            .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
                ),
            )),
    )
}

/// One row of the page table: path, the methods it answers, its handlers.
type PageRow = (&'static str, &'static [&'static str], MethodRouter<AppContext>);

/// Every path outside the OpenAPI document (pages, open data, assets, metrics), with its
/// methods. The router is built from this one table, and the authorization matrix test
/// (`crates/cli/tests/it/authz_matrix.rs`) reads it through `page_routes` and fails when a
/// row has no expected statuses. `upload_limit` is the body limit of page forms with files.
fn page_table(upload_limit: usize) -> Vec<PageRow> {
    // The counter and officer upload forms take scans larger than the JSON body limit.
    let big = || DefaultBodyLimit::max(UPLOAD_LIMIT);
    let files = || DefaultBodyLimit::max(upload_limit);
    // The pages (`motcua-pages`), then open data, the assets and the metrics.
    let mut rows: Vec<PageRow> = motcua_pages::routes()
        .into_iter()
        .map(|(path, methods, route, body)| {
            let route = match body {
                Body::Form => route,
                Body::Files => route.layer(files()),
                Body::Scans => route.layer(big()),
            };
            (path, methods, route)
        })
        .collect();
    rows.extend([
        ("/open-data", &["GET"][..], get(opendata::index)),
        ("/open-data/procedures.json", &["GET"], get(opendata::procedures_json)),
        ("/open-data/procedures.csv", &["GET"], get(opendata::procedures_csv)),
        ("/open-data/thong-ke/{file}", &["GET"], get(opendata::stats)),
        ("/assets/upload.js", &["GET"], get(assets::upload_js)),
        ("/assets/site.css", &["GET"], get(assets::site_css)),
        ("/assets/{file}", &["GET"], get(assets::script)),
        ("/metrics", &["GET"], get(ops::metrics_text)),
    ]);
    rows
}

/// The paths (and their methods) outside the OpenAPI document, from the table the router
/// is built from.
pub fn page_routes() -> Vec<(&'static str, &'static [&'static str])> {
    page_table(0).into_iter().map(|(path, methods, _)| (path, methods)).collect()
}

/// Largest page form with files (a counter reception with its scans).
const UPLOAD_LIMIT: usize = 110 * 1024 * 1024;

/// Addresses of the API and of machines (JSON, CSV, metrics, scripts); every other address is a
/// page, and a page's errors are HTML pages in its language.
fn is_api_path(path: &str) -> bool {
    ["/api/", "/healthz", "/readyz", "/metrics", "/open-data/", "/assets/"].iter().any(|p| path.starts_with(p))
}

/// The client address (behind a trusted proxy: the forwarded client), for the access log of
/// what the request reads.
async fn client_scope(
    axum::extract::State(trusted): axum::extract::State<Arc<Vec<motcua_app::client_addr::TrustedNet>>>,
    req: Request,
    next: Next,
) -> Response {
    match motcua_pages::kit::client::client_addr(req.extensions(), req.headers(), &trusted) {
        Some(ip) => motcua_app::access::with_client(ip, next.run(req)).await,
        None => next.run(req).await,
    }
}

/// A NUL character in a URL (`%00` in the path or the query) or in a urlencoded form body is
/// refused at the edge with 422 (JSON bodies: `ApiJson`): no text we store or search may hold
/// one, and PostgreSQL rejects it inside a query (a 500 where the input, not the server, is at
/// fault).
async fn reject_nul(axum::extract::State(limit): axum::extract::State<usize>, req: Request, next: Next) -> Response {
    let has_nul = |s: &[u8]| s.windows(3).any(|w| w == b"%00") || s.contains(&0);
    if has_nul(req.uri().path().as_bytes()) || req.uri().query().is_some_and(|q| has_nul(q.as_bytes())) {
        return extract::nul_character().into_response();
    }
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return next.run(req).await;
    }
    // Page forms are small; read the body once and hand the same bytes on.
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE).into_response();
    };
    if has_nul(&bytes) {
        return extract::nul_character().into_response();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await
}

/// Errors produced below the handlers (unknown route, wrong method, body limit, timeout)
/// come without a body; give them the one error shape: JSON for the API, an HTML error page
/// for page addresses. Bodies rendered by the handlers are left as they are.
async fn normalize_errors(req: Request, next: Next) -> Response {
    let page = !is_api_path(req.uri().path());
    let lang = motcua_pages::kit::lang_of(req.uri());
    let resp = next.run(req).await;
    let status = resp.status();
    let content_type = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let shaped = content_type.starts_with("application/json") || content_type.starts_with("text/html");
    if (status.is_client_error() || status.is_server_error()) && !shaped {
        let mut fixed = if page {
            motcua_pages::kit::error_page(lang, ApiError::for_status(status))
        } else {
            ApiError::for_status(status).into_response()
        };
        for (k, v) in resp.headers() {
            if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
                fixed.headers_mut().insert(k.clone(), v.clone());
            }
        }
        return fixed;
    }
    resp
}

/// Serves until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve(
    ctx: AppContext,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    ops::prometheus();
    let http = &ctx.config.http;
    let limits = server::Limits {
        max_connections: http.max_connections,
        header_read_timeout: Duration::from_secs(http.header_read_timeout_secs),
        // Never shorter than a request may take, or a slow handler's client would be cut off.
        idle_timeout: Duration::from_secs(http.idle_timeout_secs.max(http.request_timeout_secs + 5)),
    };
    server::run(router(ctx), listener, limits, shutdown).await
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
