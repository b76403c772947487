//! Administration pages for province and commune administrators, scoped as the APIs are
//! (every write goes through the same use case, which checks the permission again):
//! agencies, users, workflows, calendar years, the procedure catalog (its pages, and the
//! create/amend form) and the access log. Each page gathers its data with the app's use
//! cases and fills a view (`templates/admin/`).

pub mod access_log;
pub mod agencies;
pub mod archive;
pub mod calendar;
pub mod catalog;
pub mod catalog_form;
pub mod dvcqg;
pub mod inbound;
pub mod national_catalog;
pub mod payments;
pub mod result_template;
pub mod system;
pub mod users;
pub mod workflows;

use crate::kit::{Lang, error_page};
use axum::response::Response;
use motcua_app::AppError;
use motcua_app::auth::CurrentUser;
use motcua_domain::error::FieldError;
use motcua_domain::user::Role;

/// The agency paths where `user` is an administrator.
pub(crate) fn admin_paths(user: &CurrentUser) -> Vec<String> {
    user.principal.memberships.iter().filter(|m| m.role == Role::Admin).map(|m| m.agency_path.clone()).collect()
}

/// Administrators only (province or commune); everyone else gets the 403 page.
pub(crate) fn refuse_non_admin(lang: Lang, user: &CurrentUser) -> Option<Response> {
    admin_paths(user).is_empty().then(|| error_page(lang, AppError::Forbidden))
}

pub(crate) use crate::kit::form::field_id;

/// A use case's field errors with their ids prefixed (one error at `fallback` when it names
/// no field).
pub(crate) fn errors_of(e: &AppError, prefix: &str, fallback: &str) -> Vec<FieldError> {
    let fs = e.fields();
    if fs.is_empty() {
        return vec![FieldError::new(fallback, e.code(), e.message_vi(), e.message_en())];
    }
    fs.into_iter()
        .map(|mut f| {
            f.field = field_id(prefix, &f.field);
            f
        })
        .collect()
}

/// The HTTP status of an application error, for a form shown again.
pub(crate) fn status_of(e: &AppError) -> axum::http::StatusCode {
    axum::http::StatusCode::from_u16(e.status()).unwrap_or(axum::http::StatusCode::UNPROCESSABLE_ENTITY)
}

/// An option of a `<select>`: value, label, selected.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The options of a `<select>` from (value, label) pairs, `current` selected.
pub(crate) fn choices<V: Into<String>, L: Into<String>>(pairs: impl IntoIterator<Item = (V, L)>, current: &str) -> Vec<Choice> {
    pairs
        .into_iter()
        .map(|(v, l)| {
            let value = v.into();
            let selected = value == current;
            Choice { value, label: l.into(), selected }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn field_ids_link_nested_names() {
        assert_eq!(super::field_id("w", "steps[0].budget"), "w-steps-0-budget");
        assert_eq!(super::field_id("w", "steps.1.agency.code"), "w-steps-1-agency-code");
        assert_eq!(super::field_id("a", "code"), "a-code");
    }
}
