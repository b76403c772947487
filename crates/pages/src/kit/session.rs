//! Sessions for server-rendered pages, reusable by every page:
//!
//! - `PageUser`: the logged-in user, or a 303 redirect to the login page;
//! - `PageForm`: a POSTed form from a logged-in user whose hidden `csrf_token` input matches
//!   the session's token and whose Origin is ours; anything else gets a 403 page and the
//!   handler never runs, so no page POST can forget the check;
//! - `PageUpload`: the same for `multipart/form-data` forms, checked before the body is read;
//! - `optional_user` for pages that only adapt (the home page).
//!
//! Templates carry the token with `components/form/csrf.html` and show who is logged in with
//! `components/user_bar.html`.

use super::error::{PageError, error_page};
use super::form::FormFields;
use super::http::{origin_ok, see_other, session_token};
use super::{Lang, Route, lang_of};
use axum::Form;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use motcua_app::auth::{CurrentUser, authenticate, tokens_match};
use motcua_app::upload::{Spooled, spool_dir, spool_stream};
use motcua_app::{AppContext, AppError};

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
        _ => Route::Home.path(),
    }
}

/// The login page URL that comes back to `next` afterwards.
pub fn login_url(lang: Lang, next: &str) -> String {
    let mut pairs = vec![("next", next)];
    if lang == Lang::En {
        pairs.push(("lang", "en"));
    }
    Route::Login.with_query(&pairs)
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

fn forbidden(lang: Lang, code: &str, vi: &str, en: &str) -> Response {
    error_page(lang, PageError::new(StatusCode::FORBIDDEN, code, vi, en))
}

pub fn origin_refused(lang: Lang) -> Response {
    forbidden(
        lang,
        "origin_mismatch",
        "Yêu cầu đến từ một trang khác; đã bị từ chối.",
        "The request came from another site and was refused.",
    )
}

fn csrf_refused(lang: Lang) -> Response {
    forbidden(
        lang,
        "csrf_token_invalid",
        "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF); vui lòng tải lại trang và gửi lại.",
        "Missing or wrong CSRF token; reload the page and submit again.",
    )
}

/// The generic page error for a bare status (a body that could not be read).
fn status_page(lang: Lang, status: StatusCode) -> Response {
    let e = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            PageError::new(status, "file_too_large", "Tệp vượt quá dung lượng cho phép.", "The file exceeds the size limit.")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => PageError::new(
            status,
            "unsupported_media_type",
            "Biểu mẫu gửi lên không đúng định dạng.",
            "The form was not sent in the expected format.",
        ),
        _ => PageError::new(status, "bad_request", "Yêu cầu không hợp lệ.", "Bad request."),
    };
    error_page(lang, e)
}

/// The logged-in user of a posted page form, once the Origin (when sent) is ours: both are
/// checked from the headers, before any of the body is read.
async fn form_user<S>(parts: &mut Parts, state: &S, lang: Lang) -> Result<CurrentUser, Response>
where
    AppContext: FromRef<S>,
    S: Send + Sync,
{
    let PageUser(user) = PageUser::from_request_parts(parts, state).await?;
    if !origin_ok(&parts.headers) {
        return Err(origin_refused(lang));
    }
    Ok(user)
}

/// A form POSTed by the logged-in user, checked against cross-site request forgery: the
/// Origin (when sent) must be ours and the `csrf_token` field must equal the session's.
pub struct PageForm {
    pub user: CurrentUser,
    pub fields: FormFields,
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
        let user = form_user(&mut parts, state, lang).await?;
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|r| status_page(lang, r.status()))?;
        let fields = FormFields(fields);
        if !tokens_match(fields.get("csrf_token").unwrap_or(""), &user.session.csrf_token) {
            return Err(csrf_refused(lang));
        }
        Ok(PageForm { user, fields })
    }
}

/// The logged-in user of a request, if any (for pages that only adapt, like the home page).
pub async fn optional_user(ctx: &AppContext, headers: &HeaderMap) -> Option<CurrentUser> {
    let token = session_token(headers)?;
    authenticate(ctx, &token).await.ok()
}

/// A file chosen in a page form's `<input type="file">`, spooled to a temporary file while it
/// was received (removed when the `Upload` is dropped or stored).
pub struct Upload {
    /// The input's name.
    pub field: String,
    pub file_name: String,
    pub content_type: Option<String>,
    /// The file on disk; it dereferences to its bytes for handlers that read it whole (a
    /// small schedule or catalog file), and `uc::attach` takes it as it is.
    pub bytes: Spooled,
}

/// The fields in order; the `csrf_token` field must come before any file (our forms put it
/// first), so a forged request is refused before a byte of its files is read.
async fn read_parts(
    lang: Lang,
    user: &CurrentUser,
    headers: &HeaderMap,
    mut mp: axum::extract::Multipart,
    dir: &std::path::Path,
    file_limit: usize,
) -> Result<(FormFields, Vec<Upload>), Response> {
    if !origin_ok(headers) {
        return Err(origin_refused(lang));
    }
    let (mut fields, mut files) = (Vec::new(), Vec::new());
    let mut csrf_ok = false;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(status_page(lang, e.status())),
        };
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                if !csrf_ok {
                    return Err(csrf_refused(lang));
                }
                let content_type = field.content_type().map(str::to_string);
                let file = spool_stream(dir, file_limit, None, field).await.map_err(|e| error_page(lang, e))?;
                if !file_name.is_empty() || !file.is_empty() {
                    files.push(Upload { field: name, file_name, content_type, bytes: file });
                }
            }
            None => {
                let text = field.text().await.map_err(|e| status_page(lang, e.status()))?;
                if name == "csrf_token" {
                    if !tokens_match(&text, &user.session.csrf_token) {
                        return Err(csrf_refused(lang));
                    }
                    csrf_ok = true;
                }
                fields.push((name, text));
            }
        }
    }
    if !csrf_ok {
        return Err(csrf_refused(lang));
    }
    Ok((FormFields(fields), files))
}

/// A `multipart/form-data` form POSTed by the logged-in user (file uploads that work
/// without JavaScript), with the same checks as `PageForm`: a session and a same-origin
/// request (from the headers, before the body is read) and the hidden `csrf_token` field
/// (before any file is read). Each file is spooled to disk and refused (413) as soon as it
/// passes the configured file limit. An empty file input yields no `Upload`.
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
        let user = form_user(&mut parts, state, lang).await?;
        let headers = parts.headers.clone();
        let mp = axum::extract::Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|r| status_page(lang, r.status()))?;
        let ctx = AppContext::from_ref(state);
        let dir = spool_dir(&ctx.config.data_dir);
        let (fields, files) = read_parts(lang, &user, &headers, mp, &dir, ctx.config.attachments.max_file_bytes).await?;
        Ok(PageUpload { user, fields, files })
    }
}
