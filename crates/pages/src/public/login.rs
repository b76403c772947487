//! `GET/POST /dang-nhap` (the login form) and `POST /dang-xuat` (logout), setting the same
//! `motcua_session` cookie as the API login. The login logic is the app's (`auth::login`:
//! lockout, session); this module only renders and redirects.

use crate::kit::ClientAddr;
use crate::kit::http::{origin_ok, session_cookie, session_token};
use crate::kit::layout::html;
use crate::kit::session::{local_next, login_url, origin_refused};
use crate::kit::{FormFields, Frame, Lang, PageForm, Route, error_page, see_other, title_with_errors};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use motcua_app::auth::{login as do_login, logout as do_logout};
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use serde::Deserialize;

/// The login form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "public/login.html")]
struct LoginView<'a> {
    lang: Lang,
    frame: Frame,
    errors: &'a [FieldError],
    username: &'a str,
    next: &'a str,
    /// Sign-in through VNeID / the provincial SSO, where configured.
    citizen_sso: bool,
    officer_sso: bool,
}

fn login_page(ctx: &AppContext, lang: Lang, status: StatusCode, username: &str, next: &str, errors: &[FieldError]) -> Response {
    let (citizen_sso, officer_sso) = super::oidc::buttons(ctx);
    let other = match lang {
        Lang::Vi => login_url(Lang::En, next),
        Lang::En => login_url(Lang::Vi, next),
    };
    let title = title_with_errors(lang, lang.t("Đăng nhập", "Log in"), errors);
    html(status, &LoginView { lang, frame: Frame::new(title, other), errors, username, next, citizen_sso, officer_sso })
}

/// `GET /dang-nhap`: the login form.
pub async fn form(State(ctx): State<AppContext>, lang: Lang, Query(q): Query<LoginQuery>) -> Response {
    login_page(&ctx, lang, StatusCode::OK, "", &local_next(q.next.as_deref()), &[])
}

/// `POST /dang-nhap`: checks the credentials with the API's login use case (same lockout,
/// same session), sets the cookie and goes to `next`; otherwise re-renders the form.
/// There is no session yet to hold a CSRF token: the Origin check and `SameSite=Lax`
/// keep other sites from logging a visitor in.
pub async fn submit(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    lang: Lang,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if !origin_ok(&headers) {
        return origin_refused(lang);
    }
    let LoginForm { username, password, next } = match FormFields(f).typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let next = local_next(next.as_deref());
    let mut errors = Vec::new();
    if username.trim().is_empty() {
        errors.push(FieldError::new("username", "required", "Nhập tên đăng nhập.", "Enter your username."));
    }
    if password.is_empty() {
        errors.push(FieldError::new("password", "required", "Nhập mật khẩu.", "Enter your password."));
    }
    if !errors.is_empty() {
        return login_page(&ctx, lang, StatusCode::UNPROCESSABLE_ENTITY, &username, &next, &errors);
    }
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(300).collect());
    match do_login(&ctx, &username, &password, client, ua).await {
        Ok(out) => {
            let mut r = see_other(&next);
            r.headers_mut()
                .insert(header::SET_COOKIE, session_cookie(&ctx, &out.token, ctx.config.session.absolute_hours * 3600));
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e @ (AppError::Unauthenticated { .. } | AppError::Throttled { .. })) => {
            let errors = vec![FieldError::new("username", e.code(), e.message_vi(), e.message_en())];
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNAUTHORIZED);
            let mut r = login_page(&ctx, lang, status, &username, &next, &errors);
            if let Some(v) = e.retry_after_secs().and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Err(e) => error_page(lang, e),
    }
}

/// `POST /dang-xuat`: ends the session (with the CSRF check) and goes home, or for a
/// session opened through VNeID or the provincial SSO on to the provider's logout.
pub async fn logout(State(ctx): State<AppContext>, headers: HeaderMap, lang: Lang, form: PageForm) -> Response {
    if let Some(token) = session_token(&headers)
        && let Err(e) = do_logout(&ctx, &token).await
    {
        return error_page(lang, e);
    }
    let provider = super::oidc::after_logout(&ctx, Some(&form.user)).await;
    let mut r = see_other(&provider.unwrap_or_else(|| lang.href(Route::Home)));
    r.headers_mut().insert(header::SET_COOKIE, session_cookie(&ctx, "", 0));
    r
}
