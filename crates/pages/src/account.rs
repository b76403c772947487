//! `/tai-khoan/mat-khau`: every logged-in user changes their own password, proving the
//! current one (the app's `change_own_password`: the password rules, and the bearer tokens
//! issued under the old password end). A password is never sent back in a page.

use crate::kit::layout::html;
use crate::kit::{
    Frame, Lang, PageForm, PageUser, Route, app_field_errors, error_page, other_lang_href, see_other, title_with_errors,
};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::users::change_own_password;
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    errors: &'a [FieldError],
    done: bool,
}

fn render(lang: Lang, user: &CurrentUser, status: StatusCode, errors: &[FieldError], done: bool) -> Response {
    let title = title_with_errors(lang, lang.t("Đổi mật khẩu", "Change your password"), errors);
    let view =
        PasswordView { lang, frame: Frame::new(title, other_lang_href(lang, &Route::ChangePassword.path())), user, errors, done };
    html(status, &view)
}

/// The password form (never sent back).
#[derive(Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    repeat_password: String,
}

#[derive(Deserialize)]
pub struct DoneParams {
    xong: Option<String>,
}

/// `GET /tai-khoan/mat-khau`: the form (and "changed" after a change).
pub async fn form(lang: Lang, PageUser(user): PageUser, Query(p): Query<DoneParams>) -> Response {
    render(lang, &user, StatusCode::OK, &[], p.xong.is_some())
}

/// `POST /tai-khoan/mat-khau`: current, new and repeated password.
pub async fn submit(State(ctx): State<AppContext>, lang: Lang, PageForm { user, fields }: PageForm) -> Response {
    let PasswordForm { current_password: current, new_password: new, repeat_password: repeat } = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let mut errors = Vec::new();
    if current.is_empty() {
        errors.push(FieldError::new("current_password", "required", "Nhập mật khẩu hiện tại.", "Enter your current password."));
    }
    if new.is_empty() {
        errors.push(FieldError::new("new_password", "required", "Nhập mật khẩu mới.", "Enter the new password."));
    } else if new != repeat {
        errors.push(FieldError::new(
            "repeat_password",
            "passwords_differ",
            "Mật khẩu nhập lại không khớp với mật khẩu mới.",
            "The repeated password does not match the new one.",
        ));
    }
    if !errors.is_empty() {
        return render(lang, &user, StatusCode::UNPROCESSABLE_ENTITY, &errors, false);
    }
    match change_own_password(&ctx, &user.principal, current, new).await {
        Ok(()) => see_other(&crate::kit::with_lang(lang, &Route::ChangePassword.with_query(&[("xong", "1")]))),
        Err(e @ AppError::Validation(_)) => {
            let errors = app_field_errors(&e, "new_password");
            render(lang, &user, StatusCode::UNPROCESSABLE_ENTITY, &errors, false)
        }
        Err(e) => error_page(lang, e),
    }
}
