//! The page kit, shared by every page: the language, the route table, formatters, HTTP
//! helpers, error pages, form helpers and the session extractors (`PageUser`, `PageForm`,
//! `PageUpload`).

pub mod client;
pub mod error;
pub mod fmt;
pub mod form;
pub mod http;
pub mod lang;
pub mod layout;
pub mod officer;
pub mod route;
pub mod session;

pub use client::ClientAddr;
pub use error::{PageError, error_page};
pub use fmt::{hour_day, money, size, status_text, when};
pub use form::{FormFields, app_field_errors, title_with_errors};
pub use http::see_other;
pub use lang::{Lang, lang_of, other_lang_href, with_lang};
pub use layout::Frame;
pub use route::Route;
pub use session::{PageForm, PageUpload, PageUser, Upload, optional_user};
