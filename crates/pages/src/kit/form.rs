//! Form helpers: the posted fields (as they came, or typed), the error data behind the GOV.UK-style
//! error summary and inline field errors (templates: `components/form/`), and the page title
//! with errors.
//!
//! A page re-renders its form with the posted values and a list of `FieldError`s whose
//! `field` is the `id` of the input it concerns, so the summary can link to it.

use super::{Lang, PageError};
use axum::http::StatusCode;
use motcua_app::AppError;
use motcua_domain::error::FieldError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use std::borrow::Borrow;

/// The fields of an `application/x-www-form-urlencoded` body, in order; a name may repeat
/// (checkboxes, table rows).
#[derive(Debug, Clone, Default)]
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    /// The first value of `name`, or "" when absent.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").to_string()
    }
    /// A checkbox: present with any value.
    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
    /// The fields whose names are fixed, as a typed form (zero2prod's `Form<FormData>`): the
    /// first value of each name; names the type does not declare (repeated row fields, read
    /// from `FormFields` itself) are ignored. Checkboxes are `bool`s read with `checkbox`.
    pub fn typed<T: DeserializeOwned>(&self) -> Result<T, PageError> {
        let mut map = serde_json::Map::new();
        for (k, v) in &self.0 {
            map.entry(k.as_str()).or_insert_with(|| serde_json::Value::String(v.clone()));
        }
        serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| {
            PageError::new(
                StatusCode::BAD_REQUEST,
                "bad_form",
                format!("Biểu mẫu gửi lên không hợp lệ: {e}"),
                format!("The form sent is not valid: {e}"),
            )
        })
    }
}

/// A checkbox of a typed form: checked when present, whatever its value. Use with
/// `#[serde(default, deserialize_with = "checkbox")]` so that an unchecked box reads `false`.
pub fn checkbox<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(d).map(|_| true)
}

/// The messages for the field with this id, in the page language (for `field_error`).
pub fn messages(lang: impl Borrow<Lang>, errors: &[FieldError], id: impl AsRef<str>) -> Vec<&str> {
    let lang = *lang.borrow();
    errors.iter().filter(|e| e.field == id.as_ref()).map(|e| lang.msg(e)).collect()
}

/// Whether the field with this id has an error.
pub fn has_error(errors: &[FieldError], id: impl AsRef<str>) -> bool {
    errors.iter().any(|e| e.field == id.as_ref())
}

/// The page title, prefixed with "Lỗi: " when the page shows errors (so screen readers hear it first).
pub fn title_with_errors(lang: Lang, title: &str, errors: &[FieldError]) -> String {
    if errors.is_empty() { title.to_string() } else { format!("{}{title}", lang.t("Lỗi: ", "Error: ")) }
}

/// The field errors of an application error (one entry for errors without fields).
pub fn app_field_errors(e: &AppError, fallback_field: &str) -> Vec<FieldError> {
    let fs = e.fields();
    if fs.is_empty() { vec![FieldError::new(fallback_field, e.code(), e.message_vi(), e.message_en())] } else { fs }
}

/// The id of a form input: `{prefix}-{name}` with `.[]` and spaces turned into single dashes
/// (`steps[0].name` → `w-steps-0-name`), so the error summary can link to it.
pub fn field_id(prefix: &str, name: &str) -> String {
    let mut s = format!("{prefix}-");
    let mut dash = true;
    for c in name.chars() {
        if matches!(c, '.' | '[' | ']' | ' ') {
            if !dash {
                s.push('-');
                dash = true;
            }
        } else {
            s.push(c);
            dash = false;
        }
    }
    s.trim_end_matches('-').to_string()
}
