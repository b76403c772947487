//! `/quan-tri/ho-so-tu-cong-dvcqg`: online dossiers from the national portal that did not
//! become a dossier (issue #15 inbound), with the reason in Vietnamese, the machine code, the
//! attempts and whether they are held. Province administrators only, as the API
//! (`GET /api/v1/dvcqg/inbound-errors`, the same use cases); each row has a button to put it
//! back for the next pull (after a fix on the portal, or to take a held one out of hold).

use crate::kit::fmt::second_day;
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageForm, PageUser, Route, error_page, other_lang_href, see_other};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::dossiers as uc;
use motcua_domain::error::FieldError;

struct Row {
    portal_id: String,
    held: bool,
    source: String,
    attempts: i64,
    code: String,
    reason: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "admin/inbound.html")]
struct InboundView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    /// None here; the officer layout shows the error summary of a form page.
    errors: Vec<FieldError>,
    title: &'a str,
    rows: Vec<Row>,
}

/// `GET /quan-tri/ho-so-tu-cong-dvcqg`.
pub async fn page(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser) -> Response {
    let records = match uc::inbound_errors(&ctx, &user).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, e),
    };
    let rows = records
        .into_iter()
        .map(|r| Row {
            held: r.state == "held",
            portal_id: r.portal_id,
            source: r.source,
            attempts: r.attempts,
            code: r.reason_code.unwrap_or_default(),
            reason: r.reason_vi.unwrap_or_default(),
            updated: second_day(r.updated_at),
        })
        .collect();
    let title = lang.t("Hồ sơ từ Cổng DVCQG chưa nhận được", "Portal dossiers not taken in");
    let view = InboundView {
        lang,
        frame: Frame::new(title.to_string(), other_lang_href(lang, &Route::AdminInboundErrors.to_string())),
        user: &user,
        menu: menu(lang, &user, Route::AdminInboundErrors),
        errors: Vec::new(),
        title,
        rows,
    };
    html(StatusCode::OK, &view)
}

/// `POST /quan-tri/ho-so-tu-cong-dvcqg/{id}/thu-lai`: the portal dossier is put back to be
/// taken at the next pull (a held one too); back to the list.
pub async fn retry(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path(id): Path<String>,
    PageForm { user, .. }: PageForm,
) -> Response {
    match uc::retry_inbound(&ctx, &user, &id).await {
        Ok(()) => see_other(&lang.href(Route::AdminInboundErrors)),
        Err(e) => error_page(lang, e),
    }
}
