//! The one page not yet moved to `motcua-pages` (the catalog's create/amend form) and the
//! assets: markup still built here, on the page kit of `motcua-pages` (re-exported below) and
//! its layout. Vietnamese by default, English with `?lang=en`.

pub mod assets;
pub mod form;
pub mod session;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

pub use motcua_pages::kit::{Lang, other_lang_href, status_text, when, with_lang};

/// The page frame shared by every page.
pub fn layout(lang: Lang, title: &str, other_lang_href: &str, body: &str) -> String {
    layout_nav(lang, title, other_lang_href, "", body)
}

/// The page frame with a navigation bar between the header and `<main>` (so that the
/// error summary stays the first thing in the main content, and "skip to main" skips it).
pub fn layout_nav(lang: Lang, title: &str, other_lang_href: &str, nav: &str, body: &str) -> String {
    motcua_pages::kit::layout::legacy_layout(lang, title, other_lang_href, nav, body)
}

pub const SITE_CSS: &str = include_str!("site.css");
pub const UPLOAD_JS: &str = include_str!("upload.js");
