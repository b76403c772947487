//! Server-rendered pages. Vietnamese by default, English with `?lang=en`.

pub mod admin;
pub mod admin_catalog;
pub mod assets;
pub mod calendar;
pub mod catalog;
pub mod citizen;
pub mod counter;
pub mod filing;
pub mod form;
pub mod home;
pub mod officer;
pub mod register;
pub mod session;
pub mod tracking;

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
    layout_nav(lang, title, other_lang_href, "", body)
}

/// The page frame with a navigation bar between the header and `<main>` (so that the
/// error summary stays the first thing in the main content, and "skip to main" skips it).
pub fn layout_nav(lang: Lang, title: &str, other_lang_href: &str, nav: &str, body: &str) -> String {
    format!(
        r##"<!doctype html>
<html lang="{code}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – motcua</title>
<link rel="stylesheet" href="/assets/site.css">
<script src="/assets/upload.js" defer></script>
</head>
<body>
<a class="skip" href="#main">{skip}</a>
<header class="top"><a class="brand" href="/">motcua</a> <span class="sub">{sub}</span>
<a class="lang" href="{other}" lang="{other_code}">{other_label}</a></header>
{nav}<main id="main">
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
pub const UPLOAD_JS: &str = include_str!("upload.js");

/// A local date and time in Vietnam ("dd/mm/yyyy HH:MM"), "—" when absent.
pub fn when(ms: Option<i64>) -> String {
    ms.and_then(|m| jiff::Timestamp::from_millisecond(m).ok())
        .map(|t| motcua_domain::calendar::local_datetime(t).strftime("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_else(|| "—".into())
}

/// A dossier status for people: the label in the page language and the national code.
pub fn status_text(lang: Lang, s: motcua_domain::dossier::Status) -> String {
    let label = lang.t(s.label_vi(), s.label_en());
    match s.national_code() {
        Some(n) => format!("{label} ({} {n})", lang.t("mã trạng thái", "status code")),
        None => label.to_string(),
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
