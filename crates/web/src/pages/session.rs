//! Sessions for server-rendered pages, reusable by every page:
//!
//! - `GET/POST /dang-nhap` (login form) and `POST /dang-xuat` (logout), setting the same
//!   `motcua_session` cookie as the API login;
//! - `PageUser`: the logged-in user, or a 303 redirect to `/dang-nhap?next=…`;
//! - `PageForm`: a POSTed form from a logged-in user whose hidden `csrf_token` input matches
//!   the session's token and whose Origin is ours; anything else gets a 403 page and the
//!   handler never runs, so no page POST can forget the check;
//! - `csrf_input` (the hidden input every page form carries) and `user_bar` (who is logged
//!   in, with the logout button).

use super::catalog::urlencode;
use super::form::{FormFields, error_page, error_summary, field_error, invalid_attrs, page, see_other, title_with_errors};
use super::{Lang, esc};
use crate::api::auth::session_cookie;
use crate::error::ApiError;
use crate::extract::{origin_ok, session_token};
use axum::Form;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use motcua_app::auth::{CurrentUser, authenticate, login as do_login, logout as do_logout, tokens_match};
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use serde::Deserialize;
use std::net::SocketAddr;

/// The page language from a request's query (`?lang=en`).
pub fn lang_of(uri: &Uri) -> Lang {
    let en = uri.query().is_some_and(|q| q.split('&').any(|kv| kv == "lang=en"));
    if en { Lang::En } else { Lang::Vi }
}

/// Where to go after login: only a local path, never another site (`//evil`, `/\evil`).
pub fn local_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The login page URL that comes back to `next` afterwards.
pub fn login_url(lang: Lang, next: &str) -> String {
    let mut u = format!("/dang-nhap?next={}", urlencode(next));
    if lang == Lang::En {
        u.push_str("&lang=en");
    }
    u
}

/// The logged-in user of a page. Without a valid session the request is answered with a
/// 303 to the login page, which returns here (GET) or to `/` (other methods: their target
/// is not a page) once logged in.
pub struct PageUser(pub CurrentUser);

impl<S> FromRequestParts<S> for PageUser
where
    AppContext: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = AppContext::from_ref(state);
        let lang = lang_of(&parts.uri);
        let to_login = || {
            let next =
                if parts.method == Method::GET { parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/") } else { "/" };
            see_other(&login_url(lang, next))
        };
        let Some(token) = session_token(&parts.headers) else { return Err(to_login()) };
        match authenticate(&ctx, &token).await {
            Ok(u) => Ok(PageUser(u)),
            Err(AppError::Unauthenticated { .. }) => Err(to_login()),
            Err(e) => Err(error_page(lang, e)),
        }
    }
}

/// A form POSTed by the logged-in user, checked against cross-site request forgery: the
/// Origin (when sent) must be ours and the `csrf_token` field must equal the session's.
pub struct PageForm {
    pub user: CurrentUser,
    pub fields: FormFields,
}

fn forbidden(lang: Lang, code: &str, vi: &str, en: &str) -> Response {
    error_page(lang, ApiError::new(StatusCode::FORBIDDEN, code, vi, en))
}

fn origin_refused(lang: Lang) -> Response {
    forbidden(
        lang,
        "origin_mismatch",
        "Yêu cầu đến từ một trang khác; đã bị từ chối.",
        "The request came from another site and was refused.",
    )
}

impl<S> FromRequest<S> for PageForm
where
    AppContext: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let lang = lang_of(&parts.uri);
        let PageUser(user) = PageUser::from_request_parts(&mut parts, state).await?;
        if !origin_ok(&parts.headers) {
            return Err(origin_refused(lang));
        }
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|r| error_page(lang, ApiError::for_status(r.status())))?;
        let fields = FormFields(fields);
        if !tokens_match(fields.get("csrf_token").unwrap_or(""), &user.session.csrf_token) {
            return Err(forbidden(
                lang,
                "csrf_token_invalid",
                "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF); vui lòng tải lại trang và gửi lại.",
                "Missing or wrong CSRF token; reload the page and submit again.",
            ));
        }
        Ok(PageForm { user, fields })
    }
}

/// The hidden input that every page form posting to a `PageForm` handler must carry.
pub fn csrf_input(user: &CurrentUser) -> String {
    format!(r#"<input type="hidden" name="csrf_token" value="{}">"#, esc(&user.session.csrf_token))
}

/// "Logged in as …" with the logout button, for the top of pages of logged-in users.
pub fn user_bar(lang: Lang, user: &CurrentUser) -> String {
    format!(
        r#"<form class="userbar" method="post" action="/dang-xuat{lq}"><span>{who}: <strong>{name}</strong> ({uname})</span> {csrf}<button type="submit" class="secondary">{out}</button></form>"#,
        lq = lang.suffix(),
        who = lang.t("Đăng nhập với tên", "Logged in as"),
        name = esc(&user.user.full_name),
        uname = esc(&user.user.username),
        csrf = csrf_input(user),
        out = lang.t("Đăng xuất", "Log out"),
    )
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    lang: Option<String>,
}

fn login_page(lang: Lang, status: StatusCode, username: &str, next: &str, errors: &[FieldError]) -> Response {
    let title = lang.t("Đăng nhập", "Log in");
    let body = format!(
        r#"{summary}<h1>{title}</h1>
<form class="stack narrow" method="post" action="/dang-nhap{lq}" novalidate>
<input type="hidden" name="next" value="{next}">
<div class="field">{uerr}<label for="username">{ul}</label><input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" value="{uv}"{uattr}></div>
<div class="field">{perr}<label for="password">{pl}</label><input id="password" name="password" type="password" autocomplete="current-password"{pattr}></div>
<button type="submit">{go}</button>
</form>"#,
        summary = error_summary(lang, errors),
        lq = lang.suffix(),
        next = esc(next),
        uerr = field_error(lang, errors, "username"),
        ul = lang.t("Tên đăng nhập", "Username"),
        uv = esc(username),
        uattr = invalid_attrs(errors, "username"),
        perr = field_error(lang, errors, "password"),
        pl = lang.t("Mật khẩu", "Password"),
        pattr = invalid_attrs(errors, "password"),
        go = lang.t("Đăng nhập", "Log in"),
    );
    let other = if lang == Lang::Vi { format!("{}&lang=en", login_url(Lang::Vi, next)) } else { login_url(Lang::Vi, next) };
    page(status, lang, &title_with_errors(lang, title, errors), &other, &body)
}

/// `GET /dang-nhap`: the login form.
pub async fn login_form(Query(q): Query<LoginQuery>) -> Response {
    let lang = Lang::from_query(q.lang.as_deref());
    login_page(lang, StatusCode::OK, "", &local_next(q.next.as_deref()), &[])
}

/// `POST /dang-nhap`: checks the credentials with the API's login use case (same lockout,
/// same session), sets the cookie and goes to `next`; otherwise re-renders the form.
/// There is no session yet to hold a CSRF token: the Origin check and `SameSite=Lax`
/// keep other sites from logging a visitor in.
pub async fn login_submit(
    State(ctx): State<AppContext>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<LoginQuery>,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let lang = Lang::from_query(q.lang.as_deref());
    if !origin_ok(&headers) {
        return origin_refused(lang);
    }
    let f = FormFields(f);
    let (username, password) = (f.text("username"), f.text("password"));
    let next = local_next(f.get("next"));
    let mut errors = Vec::new();
    if username.trim().is_empty() {
        errors.push(FieldError::new("username", "required", "Nhập tên đăng nhập.", "Enter your username."));
    }
    if password.is_empty() {
        errors.push(FieldError::new("password", "required", "Nhập mật khẩu.", "Enter your password."));
    }
    if !errors.is_empty() {
        return login_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &username, &next, &errors);
    }
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(300).collect());
    match do_login(&ctx, &username, &password, peer.ip(), ua).await {
        Ok(out) => {
            let mut r = see_other(&next);
            r.headers_mut()
                .insert(header::SET_COOKIE, session_cookie(&ctx, &out.token, ctx.config.session.absolute_hours * 3600));
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e @ (AppError::Unauthenticated { .. } | AppError::Throttled { .. })) => {
            let errors = vec![FieldError::new("username", e.code(), e.message_vi(), e.message_en())];
            let status = match e {
                AppError::Throttled { http, .. } => StatusCode::from_u16(http).unwrap_or(StatusCode::TOO_MANY_REQUESTS),
                _ => StatusCode::UNAUTHORIZED,
            };
            let mut r = login_page(lang, status, &username, &next, &errors);
            if let Some(v) = e.retry_after_secs().and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Err(e) => error_page(lang, e),
    }
}

/// `POST /dang-xuat`: ends the session (with the CSRF check) and goes home.
pub async fn logout(State(ctx): State<AppContext>, headers: HeaderMap, uri: Uri, _form: PageForm) -> Response {
    let lang = lang_of(&uri);
    if let Some(token) = session_token(&headers)
        && let Err(e) = do_logout(&ctx, &token).await
    {
        return error_page(lang, e);
    }
    let mut r = see_other(&format!("/{}", lang.suffix()));
    r.headers_mut().insert(header::SET_COOKIE, session_cookie(&ctx, "", 0));
    r
}

/// The logged-in user of a request, if any (for pages that only adapt, like the home page).
pub async fn optional_user(ctx: &AppContext, headers: &HeaderMap) -> Option<CurrentUser> {
    let token = session_token(headers)?;
    authenticate(ctx, &token).await.ok()
}

/// A file chosen in a page form's `<input type="file">`.
pub struct Upload {
    /// The input's name.
    pub field: String,
    pub file_name: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// Reads a multipart page form of `user`: the text fields and the files (an empty file input
/// yields nothing), checking the Origin and the `csrf_token` field as `PageForm` does. For
/// handlers that take `Multipart` themselves (they need other extractors first).
pub async fn read_multipart(
    lang: Lang,
    user: &CurrentUser,
    headers: &HeaderMap,
    mut mp: axum::extract::Multipart,
) -> Result<(FormFields, Vec<Upload>), Response> {
    if !origin_ok(headers) {
        return Err(origin_refused(lang));
    }
    let too_big = |status: StatusCode| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            error_page(
                lang,
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "file_too_large",
                    "Tệp vượt quá dung lượng cho phép.",
                    "The file exceeds the size limit.",
                ),
            )
        } else {
            error_page(lang, ApiError::for_status(status))
        }
    };
    let (mut fields, mut files) = (Vec::new(), Vec::new());
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(too_big(e.status())),
        };
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let content_type = field.content_type().map(str::to_string);
                let bytes = field.bytes().await.map_err(|e| too_big(e.status()))?;
                if !file_name.is_empty() || !bytes.is_empty() {
                    files.push(Upload { field: name, file_name, content_type, bytes: bytes.to_vec() });
                }
            }
            None => {
                let text = field.text().await.map_err(|e| too_big(e.status()))?;
                fields.push((name, text));
            }
        }
    }
    let fields = FormFields(fields);
    if !tokens_match(fields.get("csrf_token").unwrap_or(""), &user.session.csrf_token) {
        return Err(forbidden(
            lang,
            "csrf_token_invalid",
            "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF); vui lòng tải lại trang và gửi lại.",
            "Missing or wrong CSRF token; reload the page and submit again.",
        ));
    }
    Ok((fields, files))
}

/// A `multipart/form-data` form POSTed by the logged-in user (file uploads that work
/// without JavaScript), with the same checks as `PageForm`: a session, a same-origin
/// request and the hidden `csrf_token` field. An empty file input yields no `Upload`.
pub struct PageUpload {
    pub user: CurrentUser,
    pub fields: FormFields,
    pub files: Vec<Upload>,
}

impl<S> FromRequest<S> for PageUpload
where
    AppContext: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let lang = lang_of(&parts.uri);
        let PageUser(user) = PageUser::from_request_parts(&mut parts, state).await?;
        if !origin_ok(&parts.headers) {
            return Err(origin_refused(lang));
        }
        let headers = parts.headers.clone();
        let mp = axum::extract::Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|r| error_page(lang, ApiError::for_status(r.status())))?;
        let (fields, files) = read_multipart(lang, &user, &headers, mp).await?;
        Ok(PageUpload { user, fields, files })
    }
}
