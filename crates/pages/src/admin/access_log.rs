//! `/quan-tri/nhat-ky-truy-cap`: the access log (issue #12 item 14) — who logged in, took a
//! token, read or downloaded the register, read a dossier or a list of dossiers, or read
//! this log; when and from where. Searched by user, dossier code, kind and local days,
//! newest first, a page at a time (the next page starts after the last entry shown).
//! Administrators and supervisors, scoped as the API is: the same use case, which also
//! records the read.

use super::{Choice, choices};
use crate::kit::fmt::second_day;
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageUser, Route, error_page, other_lang_href, title_with_errors, with_lang};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::access::{self, AccessKind, AccessPage, AccessQuery};
use motcua_app::auth::CurrentUser;
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use serde::Deserialize;

/// Entries on a page unless `n` asks for another number, and the most it may ask for.
const PAGE_SIZE: i64 = 50;
const PAGE_MAX: i64 = 200;

/// The search as typed. The cursor and the page size are links' parameters, not fields:
/// what does not parse is ignored (first page, default size).
#[derive(Deserialize, Default)]
pub struct AccessLogParams {
    user: Option<String>,
    code: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before_ms: Option<String>,
    before_id: Option<String>,
    n: Option<String>,
}

struct Row {
    time: String,
    user: String,
    address: String,
    kind: String,
    code: Option<String>,
    /// The officer's dossier page, where the reader may open it.
    href: Option<String>,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/access_log.html")]
struct AccessLogView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    title: &'a str,
    q_user: &'a str,
    q_code: &'a str,
    q_from: &'a str,
    q_to: &'a str,
    kinds: Vec<Choice>,
    /// `None` when the search was refused (422).
    rows: Option<Vec<Row>>,
    /// The newest entries again (shown on later pages).
    newest: Option<String>,
    older: Option<String>,
}

fn typed(v: &Option<String>) -> &str {
    v.as_deref().map(str::trim).unwrap_or("")
}

/// `GET /quan-tri/nhat-ky-truy-cap?user=&code=&kind=&from=&to=` (and `before_ms`,
/// `before_id`, `n` for paging).
pub async fn page(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(p): Query<AccessLogParams>,
) -> Response {
    let size = p.n.as_deref().and_then(|n| n.trim().parse::<i64>().ok()).map_or(PAGE_SIZE, |n| n.clamp(1, PAGE_MAX));
    let cursor = match (p.before_ms.as_deref().and_then(|m| m.trim().parse::<i64>().ok()), p.before_id.clone()) {
        (Some(ms), Some(id)) if !id.trim().is_empty() => Some((ms, id.trim().to_string())),
        _ => None,
    };
    let query = AccessQuery {
        user: p.user.clone(),
        dossier_code: p.code.clone(),
        kind: p.kind.clone(),
        from: p.from.clone(),
        to: p.to.clone(),
        after: cursor.clone(),
        limit: size,
        ..Default::default()
    };
    let (status, errors, found) = match access::search(&ctx, &user, query).await {
        Ok(page) => (StatusCode::OK, Vec::new(), Some(page)),
        Err(e @ AppError::Validation(_)) => (StatusCode::UNPROCESSABLE_ENTITY, e.fields(), None),
        Err(e) => return error_page(lang, e),
    };
    // The filters as typed, kept on every link of the page.
    let size_text = size.to_string();
    let mut filters: Vec<(&str, &str)> = vec![
        ("user", typed(&p.user)),
        ("code", typed(&p.code)),
        ("kind", typed(&p.kind)),
        ("from", typed(&p.from)),
        ("to", typed(&p.to)),
    ];
    if size != PAGE_SIZE {
        filters.push(("n", &size_text));
    }
    let link = |extra: &[(&str, &str)]| with_lang(lang, &Route::AdminAccessLog.with_query(&[&filters[..], extra].concat()));
    let (rows, older) = match found {
        Some(AccessPage { rows: entries, more }) => {
            let older = match (more, entries.last()) {
                (true, Some(last)) => {
                    let ms = last.entry.at_ms.to_string();
                    Some(link(&[("before_ms", &ms), ("before_id", &last.entry.id)]))
                }
                _ => None,
            };
            let rows = entries
                .into_iter()
                .map(|r| Row {
                    time: second_day(r.entry.at_ms),
                    user: r.entry.username.unwrap_or_else(|| "—".into()),
                    address: r.entry.address.unwrap_or_else(|| "—".into()),
                    kind: r.kind.map_or(r.entry.action.clone(), |k| lang.t(k.label_vi(), k.label_en()).to_string()),
                    href: r
                        .dossier_visible
                        .then_some(r.entry.dossier_id.as_deref())
                        .flatten()
                        .map(|id| lang.href(Route::OfficerDossier(id))),
                    code: r.dossier_code,
                    detail: r.entry.detail.unwrap_or_default(),
                })
                .collect();
            (Some(rows), older)
        }
        None => (None, None),
    };
    let here = match &cursor {
        Some((ms, id)) => {
            Route::AdminAccessLog.with_query(&[&filters[..], &[("before_ms", &ms.to_string()), ("before_id", id)]].concat())
        }
        None => Route::AdminAccessLog.with_query(&filters),
    };
    let kinds = choices(
        std::iter::once(("", lang.t("Tất cả", "All")))
            .chain(AccessKind::ALL.iter().map(|k| (k.code(), lang.t(k.label_vi(), k.label_en())))),
        typed(&p.kind),
    );
    let title = lang.t("Nhật ký truy cập", "Access log");
    let view = AccessLogView {
        lang,
        frame: Frame::new(title_with_errors(lang, title, &errors), other_lang_href(lang, &here)),
        user: &user,
        menu: menu(lang, &user, Route::AdminAccessLog),
        errors,
        title,
        q_user: typed(&p.user),
        q_code: typed(&p.code),
        q_from: typed(&p.from),
        q_to: typed(&p.to),
        kinds,
        rows,
        newest: cursor.is_some().then(|| link(&[])),
        older,
    };
    html(status, &view)
}
