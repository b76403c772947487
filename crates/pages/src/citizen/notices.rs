//! `/ca-nhan/thong-bao`: how the citizen hears about their dossiers (issue #17): e-mail,
//! SMS, Zalo, the language, and whether to get the notices the law does not require (the
//! required ones are always sent, at least by e-mail).

use super::{citizen_only, not_citizen};
use crate::kit::layout::html;
use crate::kit::{
    Frame, Lang, PageForm, PageUser, Route, app_field_errors, error_page, other_lang_href, see_other, title_with_errors,
};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::auth::CurrentUser;
use motcua_app::notify;
use motcua_domain::error::FieldError;
use motcua_domain::notice::{Language, Preferences};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "citizen/notices.html")]
struct NoticesView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    errors: &'a [FieldError],
    p: Preferences,
    done: bool,
}

impl NoticesView<'_> {
    fn english(&self) -> bool {
        self.p.language == Language::En
    }
}

fn render(lang: Lang, user: &CurrentUser, status: StatusCode, errors: &[FieldError], p: Preferences, done: bool) -> Response {
    let title = title_with_errors(lang, lang.t("Nhận thông báo", "Notifications"), errors);
    let view =
        NoticesView { lang, frame: Frame::new(title, other_lang_href(lang, &Route::MyNotices.path())), user, errors, p, done };
    html(status, &view)
}

#[derive(Deserialize)]
pub struct DoneParams {
    xong: Option<String>,
}

/// `GET /ca-nhan/thong-bao`: the citizen's choices.
pub async fn form(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser, Query(q): Query<DoneParams>) -> Response {
    if !citizen_only(&user) {
        return not_citizen(lang);
    }
    match notify::my_preferences(&ctx, &user).await {
        Ok(p) => render(lang, &user, StatusCode::OK, &[], p, q.xong.is_some()),
        Err(e) => error_page(lang, e),
    }
}

/// The form: a checkbox is sent only when ticked.
#[derive(Default, Deserialize)]
#[serde(default)]
struct NoticesForm {
    email: Option<String>,
    sms: Option<String>,
    zalo: Option<String>,
    language: String,
    optional_notices: Option<String>,
}

/// `POST /ca-nhan/thong-bao`: saves the choices.
pub async fn submit(State(ctx): State<AppContext>, lang: Lang, PageForm { user, fields }: PageForm) -> Response {
    if !citizen_only(&user) {
        return not_citizen(lang);
    }
    let f: NoticesForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let (email, sms, zalo, optional) = (f.email.is_some(), f.sms.is_some(), f.zalo.is_some(), f.optional_notices.is_some());
    match notify::set_my_preferences(&ctx, &user, email, sms, zalo, &f.language, optional).await {
        Ok(_) => see_other(&crate::kit::with_lang(lang, &Route::MyNotices.with_query(&[("xong", "1")]))),
        Err(e @ motcua_app::AppError::Validation(_)) => {
            let errors = app_field_errors(&e, "language");
            let p = Preferences { email, sms, zalo, language: Language::Vi, optional_notices: optional };
            render(lang, &user, StatusCode::UNPROCESSABLE_ENTITY, &errors, p, false)
        }
        Err(e) => error_page(lang, e),
    }
}
