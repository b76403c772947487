//! The page language: Vietnamese by default, English with `?lang=en`. `Lang` is also the one
//! extractor of it (from the query string; it never fails).

use axum::extract::FromRequestParts;
use axum::http::Uri;
use axum::http::request::Parts;
use motcua_domain::error::FieldError;
use std::convert::Infallible;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
    /// Picks the text for this language.
    pub fn t<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
    /// A field error's message in this language.
    pub fn msg(self, e: &FieldError) -> &str {
        self.t(&e.message_vi, &e.message_en)
    }
    /// The other language's code and its name in itself (the header's switch).
    pub fn other_code(self) -> &'static str {
        if self == Lang::Vi { "en" } else { "vi" }
    }
    pub fn other_label(self) -> &'static str {
        if self == Lang::Vi { "English" } else { "Tiếng Việt" }
    }
    /// A page's path in this language (templates: `lang.href(Route::…)`).
    pub fn href<'r>(self, route: impl std::borrow::Borrow<super::Route<'r>>) -> String {
        with_lang(self, &route.borrow().path())
    }
}

/// The page language from a request's query (`?lang=en`).
pub fn lang_of(uri: &Uri) -> Lang {
    let en = uri.query().is_some_and(|q| q.split('&').any(|kv| kv == "lang=en"));
    if en { Lang::En } else { Lang::Vi }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(lang_of(&parts.uri))
    }
}

/// The same page in the other language: adds `lang=en` to a path (keeping its query), or
/// removes it.
pub fn other_lang_href(lang: Lang, path_and_query: &str) -> String {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let mut kept: Vec<&str> = query.split('&').filter(|kv| !kv.is_empty() && !kv.starts_with("lang=")).collect();
    if lang == Lang::Vi {
        kept.push("lang=en");
    }
    if kept.is_empty() { path.to_string() } else { format!("{path}?{}", kept.join("&")) }
}

/// Appends the language to a local path that may already have a query.
pub fn with_lang(lang: Lang, path: &str) -> String {
    match lang {
        Lang::Vi => path.to_string(),
        Lang::En if path.contains('?') => format!("{path}&lang=en"),
        Lang::En => format!("{path}?lang=en"),
    }
}
