//! A procedure's result template under `/quan-tri/thu-tuc/{code}/mau-ket-qua` (province
//! administrators only, like the rest of the catalog administration): the typst body of
//! the result document issued at `Resolve` (issue #13), its saved versions, a save that
//! compiles it first, and "Xem trước", a PDF rendered from sample data or from a dossier of
//! the procedure, without saving. A template that does not compile is shown again with
//! typst's message (422) and nothing is saved.

use super::catalog::refuse;
use crate::kit::layout::html;
use crate::kit::{Frame, Lang, PageForm, PageUser, Route, app_field_errors, error_page, other_lang_href, see_other};
use crate::kit::{title_with_errors, with_lang};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::error::hanoi_time;
use motcua_app::usecases::dossiers as uc;
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use serde::Deserialize;

struct VersionRow {
    version: i64,
    at: String,
    by: String,
}

#[derive(Template)]
#[template(path = "admin/catalog/result_template.html")]
struct TemplateView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    errors: &'a [FieldError],
    code: String,
    name: String,
    done: Option<&'static str>,
    /// The version in force, None for the built-in template.
    current: Option<i64>,
    body: String,
    dossier_id: String,
    history: Vec<VersionRow>,
    max_bytes: usize,
}

#[derive(Deserialize)]
pub struct ShowParams {
    ok: Option<String>,
}

/// The fields of the template form.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Posted {
    body: String,
    dossier_id: String,
}

/// `GET /quan-tri/thu-tuc/{code}/mau-ket-qua`.
pub async fn show(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    Query(p): Query<ShowParams>,
) -> Response {
    if let Some(r) = refuse(lang, &user) {
        return r;
    }
    let done =
        p.ok.filter(|o| o == "saved")
            .map(|_| lang.t("Đã lưu phiên bản mới của mẫu kết quả.", "A new version of the template was saved."));
    page(&ctx, lang, &user, &code, StatusCode::OK, &[], None, done).await
}

#[allow(clippy::too_many_arguments)]
async fn page(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    code: &str,
    status: StatusCode,
    errors: &[FieldError],
    kept: Option<Posted>,
    done: Option<&'static str>,
) -> Response {
    let t = match uc::template(ctx, user, code).await {
        Ok(t) => t,
        Err(e) => return error_page(lang, e),
    };
    let kept = kept.unwrap_or_else(|| Posted { body: t.body.clone(), dossier_id: String::new() });
    let heading = format!("{} – {}", lang.t("Mẫu kết quả giải quyết", "Result template"), t.procedure_name);
    let view = TemplateView {
        lang,
        frame: Frame::new(
            title_with_errors(lang, &heading, errors),
            other_lang_href(lang, &Route::AdminResultTemplate(&t.code).path()),
        ),
        user,
        errors,
        name: t.procedure_name.clone(),
        done,
        current: t.current.as_ref().map(|c| c.version),
        body: kept.body,
        dossier_id: kept.dossier_id,
        history: t
            .history
            .iter()
            .map(|h| VersionRow { version: h.version, at: hanoi_time(h.created_at), by: h.created_by.clone() })
            .collect(),
        max_bytes: uc::MAX_TEMPLATE_BYTES,
        code: t.code,
    };
    html(status, &view)
}

/// The form again with the use case's error on it (422), or the error page.
async fn refused(ctx: &AppContext, lang: Lang, user: &CurrentUser, code: &str, posted: Posted, e: AppError) -> Response {
    match e {
        e @ AppError::Validation(_) => {
            let errors = app_field_errors(&e, "body");
            page(ctx, lang, user, code, StatusCode::UNPROCESSABLE_ENTITY, &errors, Some(posted), None).await
        }
        e => error_page(lang, e),
    }
}

/// `POST /quan-tri/thu-tuc/{code}/mau-ket-qua`: saves the body as a new version once it
/// compiles.
pub async fn save(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path(code): Path<String>,
    PageForm { user, fields }: PageForm,
) -> Response {
    if let Some(r) = refuse(lang, &user) {
        return r;
    }
    let posted: Posted = match fields.typed() {
        Ok(p) => p,
        Err(e) => return error_page(lang, e),
    };
    match uc::save_template(&ctx, &user, &code, posted.body.clone()).await {
        Ok(_) => {
            see_other(&with_lang(lang, &Route::AdminResultTemplate(&code.to_ascii_uppercase()).with_query(&[("ok", "saved")])))
        }
        Err(e) => refused(&ctx, lang, &user, &code, posted, e).await,
    }
}

/// `POST /quan-tri/thu-tuc/{code}/mau-ket-qua/xem-truoc`: the body rendered as a PDF (shown
/// inline), nothing saved.
pub async fn preview(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path(code): Path<String>,
    PageForm { user, fields }: PageForm,
) -> Response {
    if let Some(r) = refuse(lang, &user) {
        return r;
    }
    let posted: Posted = match fields.typed() {
        Ok(p) => p,
        Err(e) => return error_page(lang, e),
    };
    let dossier = Some(posted.dossier_id.clone()).filter(|s| !s.trim().is_empty());
    match uc::preview_template(&ctx, &user, &code, posted.body.clone(), dossier).await {
        Ok(pdf) => crate::kit::http::download_response("application/pdf", "xem-truoc-ket-qua.pdf", pdf, true),
        Err(e) => refused(&ctx, lang, &user, &code, posted, e).await,
    }
}
