//! `GET /can-bo/ho-so`: the dossiers the officer's units hold now, most urgent first, with
//! the due counts; filter by status, search by code, applicant or procedure. The same
//! filtered list, every page of it, downloads as `/can-bo/ho-so.csv` and `.xlsx`
//! (`usecases::exports::dossiers`, at most `documents.export_max_rows` rows).

use super::{DueBadge, DueState, dossier_badge, due_state, refuse_non_official};
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageUser, Route, error_page, hour_day, other_lang_href, with_lang};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::dossiers::{self as uc, DueCounts, ListQuery};
use motcua_app::usecases::exports::{self, ExportFormat};
use motcua_domain::dossier::Status;
use motcua_domain::error::FieldError;
use serde::Deserialize;

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize)]
pub struct InboxParams {
    status: Option<String>,
    q: Option<String>,
    /// `1`: only online dossiers waiting for their check past its due time.
    check_overdue: Option<String>,
    page: Option<i64>,
    /// `exact`: count every match of the free text (see `ListQuery::count_exact`).
    count: Option<String>,
}

struct Row {
    class: &'static str,
    href: String,
    code: String,
    procedure: String,
    applicant: String,
    status: &'static str,
    step: Option<String>,
    /// "Hạn kiểm tra" when the due time shown is an online dossier's check.
    due_note: Option<&'static str>,
    due: String,
    badge: Option<DueBadge>,
}

/// The pager: "n/pages" with the links before and after, when there is more than one page.
struct Pager {
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "officer/inbox.html")]
struct InboxView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    title: &'a str,
    counts: DueCounts,
    /// (code, label, selected)
    statuses: Vec<(&'static str, &'static str, bool)>,
    q: String,
    check_overdue: bool,
    /// The link to the overdue checks, or back to the whole inbox.
    check_href: String,
    total: i64,
    /// `total` is a lower bound (free text over a large inbox): "Ít nhất 25 hồ sơ".
    total_capped: bool,
    /// With a lower bound below the cap: the same list counted exactly.
    count_href: Option<String>,
    rows: Vec<Row>,
    pager: Option<Pager>,
    /// The downloads of the whole filtered list.
    csv_href: String,
    xlsx_href: String,
}

/// The filter as typed: an unknown status is ignored (the select offers only known ones).
fn filter(p: &InboxParams) -> (Option<String>, String, bool) {
    let status = p.status.clone().filter(|s| Status::parse(s).is_some());
    let q = p.q.clone().unwrap_or_default();
    let check_overdue = matches!(p.check_overdue.as_deref(), Some("1" | "true" | "on"));
    (status, q, check_overdue)
}

/// The filter as query pairs (the pager's and the downloads' links).
fn filter_pairs<'a>(status: &'a Option<String>, q: &'a str, check_overdue: bool) -> Vec<(&'a str, &'a str)> {
    let mut pairs = vec![("q", q)];
    if let Some(s) = status {
        pairs.push(("status", s));
    }
    if check_overdue {
        pairs.push(("check_overdue", "1"));
    }
    pairs
}

/// `GET /can-bo/ho-so`.
pub async fn inbox(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(p): Query<InboxParams>,
) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let (status, q, check_overdue) = filter(&p);
    let page_no = p.page.unwrap_or(1).max(1);
    let count_exact = p.count.as_deref() == Some("exact");
    let query = ListQuery {
        statuses: status.iter().cloned().collect(),
        q: Some(q.clone()).filter(|s| !s.trim().is_empty()),
        check_overdue,
        limit: PAGE_SIZE,
        offset: (page_no - 1) * PAGE_SIZE,
        cursor: None,
        count_exact,
    };
    let uc::ListOut { items, total, total_capped, counts } = match uc::list(&ctx, &user, query).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let now = ctx.clock.now_ms();
    let rows = items
        .iter()
        .map(|d| {
            let state = due_state(d, now);
            let check = d.pending_check_due();
            Row {
                class: match state {
                    _ if d.is_check_overdue_at(now) => "row-overdue",
                    Some(DueState::Overdue) => "row-overdue",
                    Some(DueState::DueSoon) => "row-soon",
                    _ => "",
                },
                href: lang.href(Route::OfficerDossier(&d.id)),
                code: d.code.clone().unwrap_or_else(|| lang.t("(chưa có mã)", "(no code yet)").into()),
                procedure: d.procedure.name.clone(),
                applicant: d.applicant.name.clone(),
                status: lang.t(d.status.label_vi(), d.status.label_en()),
                step: d.current_step().map(|s| s.name.clone()),
                due_note: check.map(|_| lang.t("Hạn kiểm tra", "Check due")),
                due: hour_day(check.or(d.due_at)),
                badge: dossier_badge(lang, d, now),
            }
        })
        .collect();
    let full = items.len() as i64 == PAGE_SIZE;
    // A lower bound: a full page has a next one, whatever the bound says.
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(if total_capped && full { page_no + 1 } else { 0 });
    let exact = count_exact.then_some(("count", "exact"));
    let link = |n: i64| {
        let n = n.to_string();
        let pairs = [vec![("page", n.as_str())], filter_pairs(&status, &q, check_overdue), exact.into_iter().collect()].concat();
        with_lang(lang, &Route::OfficerInbox.with_query(&pairs))
    };
    let count_href = (total_capped && !count_exact && total < uc::TEXT_COUNT_CAP).then(|| {
        let pairs = [filter_pairs(&status, &q, check_overdue), vec![("count", "exact")]].concat();
        with_lang(lang, &Route::OfficerInbox.with_query(&pairs))
    });
    let pager = (pages > 1).then(|| Pager {
        page: page_no,
        pages,
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no < pages).then(|| link(page_no + 1)),
    });
    let statuses = Status::ALL
        .into_iter()
        .filter(|s| *s != Status::Draft)
        .map(|s| (s.code(), lang.t(s.label_vi(), s.label_en()), status.as_deref() == Some(s.code())))
        .collect();
    let pairs = filter_pairs(&status, &q, check_overdue);
    let csv_href = with_lang(lang, &Route::OfficerInboxCsv.with_query(&pairs));
    let xlsx_href = with_lang(lang, &Route::OfficerInboxXlsx.with_query(&pairs));
    let title = lang.t("Hồ sơ cần xử lý", "Dossiers to handle");
    let check_href = with_lang(
        lang,
        &if check_overdue { Route::OfficerInbox.path() } else { Route::OfficerInbox.with_query(&[("check_overdue", "1")]) },
    );
    let view = InboxView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &Route::OfficerInbox.path())),
        user: &user,
        menu: menu(lang, &user, Some(Route::OfficerInbox)),
        errors: Vec::new(),
        title,
        counts,
        statuses,
        q,
        check_overdue,
        check_href,
        total,
        total_capped,
        count_href,
        rows,
        pager,
        csv_href,
        xlsx_href,
    };
    html(StatusCode::OK, &view)
}

/// `GET /can-bo/ho-so.csv?status=&q=&check_overdue=`: the inbox's filtered list as CSV.
pub async fn csv(state: State<AppContext>, lang: Lang, user: PageUser, p: Query<InboxParams>) -> Response {
    download(state, lang, user, p, ExportFormat::Csv).await
}

/// `GET /can-bo/ho-so.xlsx?status=&q=&check_overdue=`: the inbox's filtered list as XLSX.
pub async fn xlsx(state: State<AppContext>, lang: Lang, user: PageUser, p: Query<InboxParams>) -> Response {
    download(state, lang, user, p, ExportFormat::Xlsx).await
}

async fn download(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(p): Query<InboxParams>,
    format: ExportFormat,
) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let (status, q, check_overdue) = filter(&p);
    let query = ListQuery {
        statuses: status.into_iter().collect(),
        q: Some(q).filter(|s| !s.trim().is_empty()),
        check_overdue,
        ..Default::default()
    };
    match exports::dossiers(&ctx, &user, query, format, lang == Lang::En).await {
        Ok(f) => crate::kit::http::download_response(f.media_type, &f.name, f.bytes, false),
        Err(e) => error_page(lang, e),
    }
}
