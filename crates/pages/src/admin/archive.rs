//! `/quan-tri/luu-tru`: retention and archival (issue #19) as an administrator sees it: the
//! finished dossiers of their agencies past the retention period on a day (today by
//! default), a page at a time, as CSV too; each dossier's archive package to download, and
//! the deletion of the applicant's personal data once it was exported. The same use cases as
//! `/api/v1/archive`, which check the permission and scope the list in SQL.

use super::{errors_of, status_of};
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageForm, PageUser, Route, error_page, other_lang_href, see_other, title_with_errors, with_lang};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::archive::{self as uc, DueItem};
use motcua_app::usecases::exports::{ExportFormat, file};
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct ArchiveParams {
    as_of: Option<String>,
    page: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct PurgeForm {
    #[serde(default)]
    as_of: String,
}

struct Row {
    item: DueItem,
    exported: Option<String>,
    purged: Option<String>,
    package: String,
    purge: String,
}

#[derive(Template)]
#[template(path = "admin/archive.html")]
struct ArchiveView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    title: &'a str,
    as_of: String,
    total: i64,
    rows: Option<Vec<Row>>,
    csv: String,
    previous: Option<String>,
    next: Option<String>,
}

fn day(ms: Option<i64>) -> Option<String> {
    ms.map(|m| motcua_domain::calendar::local_date_ms(m).to_string())
}

async fn render(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    as_of_text: &str,
    page: i64,
    mut status: StatusCode,
    mut errors: Vec<FieldError>,
) -> Response {
    let mut found = None;
    match uc::parse_as_of(Some(as_of_text)) {
        Ok(as_of) => match uc::due(ctx, Some(&user.principal), as_of, page).await {
            Ok(p) => found = Some(p),
            Err(e) => return error_page(lang, e),
        },
        Err(e @ AppError::Validation(_)) => {
            status = StatusCode::UNPROCESSABLE_ENTITY;
            errors.extend(e.fields());
        }
        Err(e) => return error_page(lang, e),
    }
    // A bad day still shows the form, but only to those who may read the list.
    if found.is_none()
        && let Err(e) = uc::due(ctx, Some(&user.principal), None, 1).await
    {
        return error_page(lang, e);
    }
    let as_of = found.as_ref().map_or(as_of_text.trim().to_string(), |p| p.as_of.clone());
    let q =
        |page: i64| with_lang(lang, &Route::AdminArchive.with_query(&[("as_of", as_of.as_str()), ("page", &page.to_string())]));
    let (total, rows, previous, next) = match found {
        Some(p) => {
            let previous = (p.page > 1).then(|| q(p.page - 1));
            let next = (p.page * p.page_size < p.total).then(|| q(p.page + 1));
            let rows = p
                .items
                .into_iter()
                .map(|item| Row {
                    exported: day(item.exported_at),
                    purged: day(item.purged_at),
                    package: lang.href(Route::AdminArchivePackage(&item.code)),
                    purge: lang.href(Route::AdminArchivePurge(&item.code)),
                    item,
                })
                .collect();
            (p.total, Some(rows), previous, next)
        }
        None => (0, None, None, None),
    };
    let title = lang.t("Lưu trữ hồ sơ", "Archival");
    let here = Route::AdminArchive.with_query(&[("as_of", as_of.as_str())]);
    let view = ArchiveView {
        lang,
        frame: Frame::new(title_with_errors(lang, title, &errors), other_lang_href(lang, &here)),
        user,
        menu: menu(lang, user, Route::AdminArchive),
        errors,
        title,
        csv: with_lang(lang, &Route::AdminArchiveCsv.with_query(&[("as_of", as_of.as_str())])),
        as_of,
        total,
        rows,
        previous,
        next,
    };
    html(status, &view)
}

/// `GET /quan-tri/luu-tru?as_of=&page=`.
pub async fn page(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(p): Query<ArchiveParams>,
) -> Response {
    let page = p.page.as_deref().and_then(|n| n.trim().parse::<i64>().ok()).unwrap_or(1).max(1);
    render(&ctx, lang, &user, p.as_of.as_deref().unwrap_or(""), page, StatusCode::OK, Vec::new()).await
}

/// `GET /quan-tri/luu-tru.csv?as_of=`: the whole report (bounded by the export limit).
pub async fn csv(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(p): Query<ArchiveParams>,
) -> Response {
    let as_of = match uc::parse_as_of(p.as_of.as_deref()) {
        Ok(d) => d,
        Err(e) => return error_page(lang, e),
    };
    let table = match uc::due_table(&ctx, Some(&user.principal), as_of).await {
        Ok(t) => t,
        Err(e) => return error_page(lang, e),
    };
    match file(&table, ExportFormat::Csv, "ho-so-den-han-luu-tru") {
        Ok(f) => crate::kit::http::download_response(f.media_type, &f.name, f.bytes, false),
        Err(e) => error_page(lang, e),
    }
}

/// `GET /quan-tri/luu-tru/{code}/goi.zip`: the dossier's archive package (the export is
/// recorded).
pub async fn package(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser, Path(code): Path<String>) -> Response {
    match uc::export(&ctx, Some(&user.principal), &code).await {
        Ok(p) => crate::kit::http::download_response("application/zip", &p.file_name, p.bytes, false),
        Err(e) => error_page(lang, e),
    }
}

/// `POST /quan-tri/luu-tru/{code}/xoa-du-lieu-ca-nhan` (`as_of`): deletes the applicant's
/// personal data of an archived dossier past its period; back to the list, or the list
/// with the refusal.
pub async fn purge(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path(code): Path<String>,
    PageForm { user, fields }: PageForm,
) -> Response {
    let form: PurgeForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let as_of = match uc::parse_as_of(Some(&form.as_of)) {
        Ok(d) => d,
        Err(e) => return render(&ctx, lang, &user, &form.as_of, 1, status_of(&e), errors_of(&e, "", "as_of")).await,
    };
    match uc::purge_one(&ctx, Some(&user.principal), &code, as_of).await {
        Ok(_) => see_other(&with_lang(lang, &Route::AdminArchive.with_query(&[("as_of", form.as_of.trim())]))),
        Err(e @ (AppError::Forbidden | AppError::NotFound { .. })) => error_page(lang, e),
        Err(e) => render(&ctx, lang, &user, &form.as_of, 1, status_of(&e), errors_of(&e, "", "as_of")).await,
    }
}
