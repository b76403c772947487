//! Server-rendered pages. Vietnamese by default, English with `?lang=en`.

pub mod admin;
pub mod admin_catalog;
pub mod assets;
pub mod calendar;
pub mod catalog;
pub mod counter;
pub mod form;
pub mod officer;
pub mod register;
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

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn from_query(q: Option<&str>) -> Self {
        if q == Some("en") { Lang::En } else { Lang::Vi }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
    /// The query string that keeps the language on links and form actions ("" or "?lang=en").
    pub fn suffix(self) -> &'static str {
        match self {
            Lang::Vi => "",
            Lang::En => "?lang=en",
        }
    }
    /// Picks the text for this language.
    pub fn t<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

/// The page frame shared by every page.
pub fn layout(lang: Lang, title: &str, other_lang_href: &str, body: &str) -> String {
    format!(
        r##"<!doctype html>
<html lang="{code}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – motcua</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<a class="skip" href="#main">{skip}</a>
<header class="top"><a class="brand" href="/">motcua</a> <span class="sub">{sub}</span>
<a class="lang" href="{other}" lang="{other_code}">{other_label}</a></header>
<main id="main">
{body}
</main>
</body>
</html>"##,
        code = lang.code(),
        title = esc(title),
        skip = lang.t("Bỏ qua, đến nội dung chính", "Skip to main content"),
        sub = lang.t("Hệ thống một cửa điện tử", "One-stop administrative service"),
        other = esc(other_lang_href),
        other_code = if lang == Lang::Vi { "en" } else { "vi" },
        other_label = if lang == Lang::Vi { "English" } else { "Tiếng Việt" },
    )
}

pub const SITE_CSS: &str = include_str!("site.css");
