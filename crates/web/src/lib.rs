//! HTTP: the JSON API (with OpenAPI and an offline docs page), operations endpoints, and the
//! one `serve` function that the binary and the tests both call.

pub mod api;
pub mod dto;
pub mod error;
pub mod extract;
pub mod opendata;
pub mod ops;
pub mod pages;
pub mod server;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use error::ApiError;
use motcua_app::AppContext;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_swagger_ui::SwaggerUi;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application as a router.
pub fn router(ctx: AppContext) -> Router {
    let (api, openapi) = api::router().split_for_parts();
    let cfg = ctx.config.clone();
    // A page upload carries one file and a few fields.
    let upload_limit = cfg.attachments.max_file_bytes + 256 * 1024;
    let app = Router::new()
        .merge(api)
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi))
        .route("/", get(pages::home::page))
        .route("/lich/{year}", get(pages::calendar::year_page))
        .route("/thu-tuc", get(pages::catalog::search_page))
        .route("/open-data", get(opendata::index))
        .route("/open-data/procedures.json", get(opendata::procedures_json))
        .route("/open-data/procedures.csv", get(opendata::procedures_csv))
        .route("/thu-tuc/{code}", get(pages::catalog::procedure_page))
        .route("/thu-tuc/mau/{file}", get(pages::catalog::template))
        .route("/dang-nhap", get(pages::session::login_form).post(pages::session::login_submit))
        .route("/dang-xuat", post(pages::session::logout))
        .route("/quan-tri/thu-tuc", get(pages::admin_catalog::list))
        .route("/quan-tri/thu-tuc/moi", get(pages::admin_catalog::new_form).post(pages::admin_catalog::create))
        .route("/quan-tri/thu-tuc/{code}", get(pages::admin_catalog::show))
        .route("/quan-tri/thu-tuc/{code}/sua-doi", get(pages::admin_catalog::amend_form).post(pages::admin_catalog::amend))
        .route("/quan-tri/thu-tuc/{code}/cong-bo", post(pages::admin_catalog::publish))
        .route("/quan-tri/thu-tuc/{code}/bai-bo", post(pages::admin_catalog::abolish))
        .route("/quan-tri/thu-tuc/{code}/thay-the", post(pages::admin_catalog::replace))
        .route("/quan-tri/thu-tuc/{code}/so-sanh", get(pages::admin_catalog::diff))
        .route("/nop-ho-so/{code}", get(pages::filing::applicant_form).post(pages::filing::applicant_submit))
        .route(
            "/ho-so-cua-toi/{id}/thanh-phan/{key}",
            get(pages::filing::component_form).post(pages::filing::component_upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/ho-so-cua-toi/{id}/xem-lai", get(pages::filing::review))
        .route("/ho-so-cua-toi/{id}/nop", post(pages::filing::submit))
        .route("/ho-so-cua-toi/{id}/bien-nhan", get(pages::filing::receipt))
        .route("/ho-so-cua-toi", get(pages::citizen::my_dossiers))
        .route("/ho-so-cua-toi/{id}", get(pages::citizen::dossier_page))
        .route("/ho-so-cua-toi/{id}/bo-sung", post(pages::citizen::supply))
        .route(
            "/ho-so-cua-toi/{id}/bo-sung/tep",
            post(pages::citizen::supplement_upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/ho-so-cua-toi/{id}/danh-gia", post(pages::citizen::rate))
        .route("/tra-cuu", get(pages::tracking::tracking_page))
        .route("/assets/upload.js", get(upload_js))
        .merge(officer_routes())
        .route("/assets/site.css", get(site_css))
        .route("/assets/{file}", get(pages::assets::script))
        .route("/metrics", get(ops::metrics_text))
        .fallback(|| async { ApiError::for_status(StatusCode::NOT_FOUND) })
        .with_state(ctx)
        .layer(axum::Extension(pages::counter::CounterHub::default()))
        .layer(DefaultBodyLimit::max(cfg.http.body_limit_bytes))
        .layer(middleware::from_fn(ops::track));
    app.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(CatchPanicLayer::custom(|_| ApiError::for_status(StatusCode::INTERNAL_SERVER_ERROR).into_response()))
            .layer(middleware::from_fn(normalize_errors))
            .layer(middleware::from_fn(reject_nul))
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

/// Officer pages (`/can-bo/...`); the upload forms take scans larger than the JSON body limit.
fn officer_routes() -> Router<AppContext> {
    use pages::officer as o;
    let uploads = Router::new()
        .route("/can-bo/ho-so/{id}/tep", post(o::upload_component))
        .route("/can-bo/ho-so/{id}/tep-ket-qua", post(o::upload_result))
        .route("/can-bo/tiep-nhan", get(pages::counter::reception).post(pages::counter::receive))
        .route("/quan-tri/lich", get(pages::admin::calendar_page).post(pages::admin::calendar_load))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT));
    Router::new()
        .route("/can-bo/ho-so", get(o::inbox))
        .route("/can-bo/ho-so/{id}", get(o::dossier_page))
        .route("/can-bo/ho-so/{id}/phieu-kiem-soat", get(o::control_slip_page))
        .route("/can-bo/ho-so/{id}/giay-tiep-nhan", get(pages::counter::receipt))
        .route("/can-bo/so-theo-doi", get(pages::register::page))
        .route("/can-bo/so-theo-doi.csv", get(pages::register::csv))
        .route("/quan-tri/co-quan", get(pages::admin::agencies_page).post(pages::admin::agency_create))
        .route("/quan-tri/co-quan/{id}/doi-ten", post(pages::admin::agency_rename))
        .route("/quan-tri/nguoi-dung", get(pages::admin::users_page).post(pages::admin::user_create))
        .route("/quan-tri/nguoi-dung/{id}/khoa", post(pages::admin::user_disable))
        .route("/quan-tri/quy-trinh", get(pages::admin::workflows_page))
        .route("/quan-tri/quy-trinh/{code}", get(pages::admin::workflow_page).post(pages::admin::workflow_save))
        .route("/man-hinh/quay/{agency_id}", get(pages::counter::screen))
        .route("/man-hinh/quay/{agency_id}/su-kien", get(pages::counter::events))
        .route("/man-hinh/quay/{agency_id}/ban-nhap", post(pages::counter::draft))
        .route("/can-bo/ho-so/{id}/tep/{file_id}", get(o::file))
        .route("/can-bo/ho-so/{id}/{action}", post(o::action))
        .merge(uploads)
}

/// Largest page form with files (a counter reception with its scans).
const UPLOAD_LIMIT: usize = 110 * 1024 * 1024;

/// A NUL character in a URL (`%00` in the path or the query) is refused at the edge with 422:
/// no text we store or search may hold one, and PostgreSQL rejects it inside a query (a 500
/// where the input, not the server, is at fault).
async fn reject_nul(req: Request, next: Next) -> Response {
    let has_nul = |s: &str| s.as_bytes().windows(3).any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0');
    if has_nul(req.uri().path()) || req.uri().query().is_some_and(has_nul) {
        return extract::nul_character().into_response();
    }
    next.run(req).await
}

/// Errors produced below the handlers (unknown route, wrong method, body limit, timeout)
/// come without our JSON body; give them the one error shape. HTML error pages rendered
/// by the page handlers are left as they are.
async fn normalize_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    let is_html =
        resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| ct.starts_with("text/html"));
    if (status.is_client_error() || status.is_server_error()) && !is_json && !is_html {
        let mut fixed = ApiError::for_status(status).into_response();
        for (k, v) in resp.headers() {
            if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
                fixed.headers_mut().insert(k.clone(), v.clone());
            }
        }
        return fixed;
    }
    resp
}

async fn site_css() -> Response {
    let mut r = pages::SITE_CSS.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    r
}

async fn upload_js() -> Response {
    let mut r = pages::UPLOAD_JS.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    r
}

/// The home page; a logged-in province administrator also gets the link to the admin area.
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
