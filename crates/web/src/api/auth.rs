//! Login, logout, the current session, and changing one's own password.

use crate::dto::{ChangePasswordRequest, LoginRequest, SessionDto, UserDto};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth, origin_ok};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_app::AppContext;
use motcua_app::auth::{CurrentUser, login as do_login, logout as do_logout};
use motcua_pages::kit::ClientAddr;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(login)).routes(routes!(logout)).routes(routes!(me)).routes(routes!(change_password))
}

fn session_dto(c: CurrentUser) -> SessionDto {
    SessionDto {
        expires_at: jiff::Timestamp::from_millisecond(c.session.expires_at).map(|t| t.to_string()).unwrap_or_default(),
        csrf_token: c.session.csrf_token,
        user: UserDto::new(c.user, c.memberships),
    }
}

/// The session cookie (also set by the login page): HttpOnly, SameSite=Lax, Secure behind https.
pub(crate) use motcua_pages::kit::http::session_cookie;

/// Log in with username and password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; the session cookie is set", body = SessionDto),
        (status = 401, description = "Wrong username or password", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address or in total, back-off after repeated failures, or too many logins being checked at once (`Retry-After`)", body = ErrorBody),
        (status = 422, description = "Invalid body", body = ErrorBody),
    ))]
async fn login(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    if !origin_ok(&headers) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "origin_mismatch",
            "Yêu cầu đến từ một trang khác; đã bị từ chối.",
            "The request came from another site and was refused.",
        ));
    }
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(300).collect());
    let out = do_login(&ctx, &req.username, &req.password, client, ua).await?;
    let max_age = ctx.config.session.absolute_hours * 3600;
    let mut resp = Json(session_dto(out.current)).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, session_cookie(&ctx, &out.token, max_age));
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// End the current session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("session" = [])),
    responses((status = 204, description = "Logged out"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn logout(State(ctx): State<AppContext>, Auth(_user): Auth, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = crate::extract::session_token(&headers) {
        do_logout(&ctx, &token).await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(header::SET_COOKIE, session_cookie(&ctx, "", 0));
    Ok(resp)
}

/// The logged-in user and the CSRF token of the session.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("session" = [])),
    responses((status = 200, body = SessionDto), (status = 401, body = ErrorBody)))]
async fn me(Auth(user): Auth) -> Json<SessionDto> {
    Json(session_dto(user))
}

/// Change one's own password (proving the current one).
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", security(("session" = [])), request_body = ChangePasswordRequest,
    responses((status = 204, description = "Changed"), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn change_password(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    motcua_app::usecases::users::change_own_password(&ctx, &user.principal, req.current_password, req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}
