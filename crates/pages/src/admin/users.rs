//! `/quan-tri/nguoi-dung`: the accounts serving agencies in scope, creating an official's
//! account with one membership, and locking an account (its sessions end).

use super::agencies::scoped_agencies;
use super::{Choice, choices, errors_of, refuse_non_admin, status_of};
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageForm, PageUser, Route, error_page, other_lang_href, see_other, title_with_errors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::users::{self, MembershipInput, MembershipRecord, NewUser, UserChanges, UserQuery, UserRecord};
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use motcua_domain::user::Role;
use serde::Deserialize;

/// The create form (`role` and `agency_id` absent on the blank form: the defaults are chosen).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UserForm {
    username: String,
    full_name: String,
    email: String,
    password: String,
    agency_id: Option<String>,
    role: Option<String>,
}

/// The lock confirmation (`confirm=yes`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LockForm {
    confirm: String,
}

#[derive(Deserialize)]
pub struct UsersParams {
    q: Option<String>,
}

struct Row {
    id: String,
    username: String,
    full_name: String,
    /// Each membership as "role – agency", in words.
    memberships: Vec<String>,
    active: bool,
    /// Whether this account may be locked from here (active, and not the administrator's own).
    lockable: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: &'a [FieldError],
    f: &'a UserForm,
    q: &'a str,
    agencies: Vec<Choice>,
    roles: Vec<Choice>,
    rows: Vec<Row>,
}

/// `GET /quan-tri/nguoi-dung?q=`: accounts in scope, the create form, a lock button per
/// active account.
pub async fn page(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser, Query(p): Query<UsersParams>) -> Response {
    render(&ctx, lang, &user, StatusCode::OK, p.q.as_deref().unwrap_or(""), &UserForm::default(), &[]).await
}

/// Each membership as "role – agency", in words.
fn membership_labels(lang: Lang, ms: &[MembershipRecord]) -> Vec<String> {
    ms.iter().map(|m| format!("{} – {}", lang.t(m.role.label_vi(), m.role.label_en()), m.agency_name)).collect()
}

async fn render(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    status: StatusCode,
    q: &str,
    f: &UserForm,
    errors: &[FieldError],
) -> Response {
    if let Some(r) = refuse_non_admin(lang, user) {
        return r;
    }
    let query = UserQuery { q: Some(q.to_string()).filter(|s| !s.is_empty()), limit: 200, ..Default::default() };
    let (list, _) = match users::list_with_memberships(ctx, &user.principal, query).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let agencies = match scoped_agencies(ctx, user).await {
        Ok(l) => l,
        Err(e) => return error_page(lang, e),
    };
    let agencies = choices(
        agencies.iter().map(|a| (a.id.clone(), format!("{} ({})", a.name, a.code))),
        f.agency_id.as_deref().unwrap_or(""),
    );
    let roles = choices(
        Role::ALL.iter().map(|r| (r.code(), lang.t(r.label_vi(), r.label_en()))),
        f.role.as_deref().unwrap_or("specialist"),
    );
    let rows = list
        .into_iter()
        .map(|(u, ms)| Row {
            lockable: u.active && u.id != user.user.id,
            memberships: membership_labels(lang, &ms),
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            active: u.active,
        })
        .collect();
    let title = title_with_errors(lang, lang.t("Người dùng", "Users"), errors);
    let view = UsersView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &Route::AdminUsers.path())),
        user,
        menu: menu(lang, user, Route::AdminUsers),
        errors,
        f,
        q,
        agencies,
        roles,
        rows,
    };
    html(status, &view)
}

/// `POST /quan-tri/nguoi-dung`: create an official's account with one membership.
pub async fn create(State(ctx): State<AppContext>, lang: Lang, PageForm { user, fields }: PageForm) -> Response {
    let f: UserForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let input = NewUser {
        username: f.username.clone(),
        full_name: f.full_name.clone(),
        email: Some(f.email.trim()).filter(|s| !s.is_empty()).map(str::to_string),
        phone: None,
        citizen_id: None,
        password: f.password.clone(),
        account_type: Some("official".into()),
        memberships: vec![MembershipInput {
            agency_id: f.agency_id.clone().unwrap_or_default(),
            role: f.role.clone().unwrap_or_default(),
        }],
    };
    match users::create(&ctx, Some(&user.principal), input).await {
        Ok(_) => see_other(&lang.href(Route::AdminUsers)),
        Err(AppError::Forbidden) => error_page(lang, AppError::Forbidden),
        Err(e) => {
            let errors: Vec<FieldError> = errors_of(&e, "u", "u-username")
                .into_iter()
                .map(|mut x| {
                    // The one membership of the form is its agency and role fields.
                    if x.field.starts_with("u-memberships") {
                        x.field = "u-agency_id".into();
                    }
                    x
                })
                .collect();
            render(&ctx, lang, &user, status_of(&e), "", &f, &errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "admin/user_lock.html")]
struct LockView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: &'a [FieldError],
    account: &'a UserRecord,
    memberships: Vec<String>,
}

/// The confirmation page of a lock (shown again with an error when the POST lacks `confirm`).
async fn lock_page(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    id: &str,
    status: StatusCode,
    errors: &[FieldError],
) -> Response {
    if let Some(r) = refuse_non_admin(lang, user) {
        return r;
    }
    let (account, ms) = match users::get(ctx, &user.principal, id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let title = title_with_errors(lang, lang.t("Khóa tài khoản", "Lock an account"), errors);
    let view = LockView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &Route::AdminUserLock(id).path())),
        user,
        menu: menu(lang, user, Route::AdminUsers),
        errors,
        memberships: membership_labels(lang, &ms),
        account: &account,
    };
    html(status, &view)
}

/// `GET /quan-tri/nguoi-dung/{id}/khoa`: asks to confirm the lock (no JavaScript needed).
pub async fn lock_confirm(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<String>,
) -> Response {
    lock_page(&ctx, lang, &user, &id, StatusCode::OK, &[]).await
}

/// `POST /quan-tri/nguoi-dung/{id}/khoa` with `confirm=yes`: lock an account (its sessions
/// end). Without the confirmation nothing changes and the confirmation page is shown again.
pub async fn lock(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path(id): Path<String>,
    PageForm { user, fields }: PageForm,
) -> Response {
    let form: LockForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    if form.confirm != "yes" {
        let e = [FieldError::new(
            "confirm",
            "confirmation_required",
            "Xác nhận khóa tài khoản bằng nút bên dưới.",
            "Confirm the lock with the button below.",
        )];
        return lock_page(&ctx, lang, &user, &id, StatusCode::UNPROCESSABLE_ENTITY, &e).await;
    }
    let ch = UserChanges { active: Some(false), ..Default::default() };
    match users::update(&ctx, &user.principal, &id, ch).await {
        Ok(_) => see_other(&lang.href(Route::AdminUsers)),
        Err(e) => error_page(lang, e),
    }
}
