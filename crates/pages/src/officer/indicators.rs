//! The operations centre (issue #16), for readers of the indicators: the dashboard of a
//! unit and period (`/can-bo/chi-so`), the 766 index with every indicator
//! (`/can-bo/chi-so/766`), one indicator's figures by procedure
//! (`/can-bo/chi-so/766/{indicator}`) and the dossiers behind a number
//! (`/can-bo/chi-so/ho-so`). Every number links to what it counts. The wall view is in
//! `indicators_wall`.
//!
//! The trend chart is an SVG whose coordinates are computed here (`Chart`), drawn by the
//! template, with a table of the same figures beside it.

use super::refuse_non_official;
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageError, PageUser, Route, error_page, hour_day, other_lang_href, with_lang};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::dashboard::{self as uc, ListKind, Month};
use motcua_app::usecases::indicators::{Counts, UnitIndex};
use motcua_domain::error::FieldError;
use motcua_domain::index766::{Period, Score};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Params {
    unit: Option<String>,
    period: Option<String>,
}

#[derive(Deserialize)]
pub struct ListParams {
    unit: Option<String>,
    period: Option<String>,
    kind: Option<String>,
    procedure: Option<String>,
    page: Option<i64>,
}

/// The period asked for (default: the current month), or the 400 page saying what is wrong.
pub(crate) fn period_of(ctx: &AppContext, lang: Lang, p: Option<&str>) -> Result<Period, Box<Response>> {
    match p.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            let t = ctx.clock.today();
            Ok(Period::Month { year: t.year(), month: t.month() })
        }
        Some(s) => Period::parse(s).ok_or_else(|| {
            Box::new(error_page(
                lang,
                PageError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_period",
                    "Kỳ không hợp lệ: tháng (2026-11), quý (2026-Q4) hoặc năm (2026).",
                    "Invalid period: a month (2026-11), a quarter (2026-Q4) or a year (2026).",
                ),
            ))
        }),
    }
}

/// A number with at most two decimals, the decimal separator of the language.
pub(crate) fn num(lang: Lang, x: f64) -> String {
    let s = format!("{:.2}", x);
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    if lang == Lang::Vi { s.replace('.', ",") } else { s }
}

/// A percentage, or "no data" (never 0 for a missing denominator).
pub(crate) fn pct(lang: Lang, x: Option<f64>) -> String {
    match x {
        Some(v) => format!("{} %", num(lang, v)),
        None => lang.t("Không có dữ liệu", "No data").into(),
    }
}

fn ratio(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| (n as f64 * 10_000.0 / d as f64).round() / 100.0)
}

/// The query of a page of the operations centre: unit and period (and more pairs).
fn q(lang: Lang, route: Route, unit: &str, period: &Period, more: &[(&str, &str)]) -> String {
    let key = period.key();
    let mut pairs = vec![("unit", unit), ("period", key.as_str())];
    pairs.extend_from_slice(more);
    with_lang(lang, &route.with_query(&pairs))
}

fn list_href(lang: Lang, unit: &str, period: &Period, kind: ListKind, procedure: &str) -> String {
    q(lang, Route::IndicatorDossiers, unit, period, &[("kind", kind.code()), ("procedure", procedure)])
}

/// A figure with the page it links to.
struct Figure {
    label: &'static str,
    value: String,
    href: String,
}

/// The unit and period selectors.
struct Selector {
    /// (id, name, selected)
    units: Vec<(String, String, bool)>,
    period: String,
    /// (label, href) of this month, quarter, year.
    quick: Vec<(String, String)>,
}

fn selector(lang: Lang, route: Route, units: &[(String, String)], unit_id: &str, period: &Period) -> Selector {
    let (first, _) = period.days();
    let quick = [
        Period::Month { year: first.year(), month: first.month() },
        Period::Quarter { year: first.year(), quarter: (first.month() - 1) / 3 + 1 },
        Period::Year { year: first.year() },
    ]
    .into_iter()
    .map(|p| (p.label_vi(), q(lang, route, unit_id, &p, &[])))
    .collect();
    Selector {
        units: units.iter().map(|(id, name)| (id.clone(), name.clone(), id == unit_id)).collect(),
        period: period.key(),
        quick,
    }
}

/// One bar and one point of the trend chart, in the SVG's coordinates.
struct Bar {
    label: String,
    x: i64,
    y: i64,
    w: i64,
    h: i64,
    received: i64,
    finished: i64,
    on_time: String,
    online: i64,
}

/// The trend chart: received per month (bars) and the on-time rate (a line, 0–100 %).
struct Chart {
    width: i64,
    height: i64,
    /// The plot's bottom (the x axis).
    base: i64,
    bars: Vec<Bar>,
    /// "x,y x,y …" of the on-time rate, months with finished dossiers only.
    line: String,
    max: i64,
    summary: String,
}

const CHART_W: i64 = 720;
const CHART_H: i64 = 240;
const CHART_TOP: i64 = 20;
const CHART_BOTTOM: i64 = 200;

fn chart(lang: Lang, trend: &[Month]) -> Chart {
    let max = trend.iter().map(|m| m.received).max().unwrap_or(0).max(1);
    let n = trend.len().max(1) as i64;
    let slot = CHART_W / n;
    let plot = CHART_BOTTOM - CHART_TOP;
    let mut line = Vec::new();
    let bars = trend
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let h = m.received * plot / max;
            let x = i as i64 * slot + slot / 6;
            let rate = ratio(m.on_time, m.finished);
            if let Some(r) = rate {
                let y = CHART_BOTTOM - (r * plot as f64 / 100.0).round() as i64;
                line.push(format!("{},{}", i as i64 * slot + slot / 2, y));
            }
            Bar {
                label: format!("{}/{}", &m.month[5..7], &m.month[2..4]),
                x,
                y: CHART_BOTTOM - h,
                w: slot * 2 / 3,
                h,
                received: m.received,
                finished: m.finished,
                on_time: pct(lang, rate),
                online: m.online,
            }
        })
        .collect();
    let received: i64 = trend.iter().map(|m| m.received).sum();
    let summary = format!(
        "{} {} {}, {} {}",
        lang.t(
            "Hồ sơ tiếp nhận theo tháng và tỷ lệ đúng hạn, 12 tháng:",
            "Dossiers received per month and on-time rate, 12 months:"
        ),
        received,
        lang.t("hồ sơ", "dossiers"),
        lang.t("nhiều nhất trong một tháng", "at most in a month"),
        max
    );
    Chart { width: CHART_W, height: CHART_H, base: CHART_BOTTOM, bars, line: line.join(" "), max, summary }
}

/// Processing time of one procedure (or all): decided, average, median, p90 (days).
struct Duration {
    name: String,
    href: String,
    decided: i64,
    avg: String,
    median: String,
    p90: String,
}

fn duration(lang: Lang, name: String, href: String, c: &Counts) -> Duration {
    let (avg, median, p90) = c.durations();
    let days = |d: Option<i64>| match d {
        Some(i64::MAX) => lang.t("trên 365", "over 365").to_string(),
        Some(d) => format!("≤ {d}"),
        None => "—".into(),
    };
    Duration {
        name,
        href,
        decided: c.get("decided"),
        avg: avg.map_or_else(|| "—".into(), |a| num(lang, a)),
        median: days(median),
        p90: days(p90),
    }
}

struct OverdueRow {
    href: String,
    code: String,
    procedure: String,
    applicant: String,
    due: String,
    step: String,
    agency: String,
    holder: String,
}

struct RankRow {
    href: String,
    name: String,
    received: i64,
    received_href: String,
    total: String,
    total_href: String,
    grade: String,
}

#[derive(Template)]
#[template(path = "officer/indicators/dashboard.html")]
struct DashboardView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    title: String,
    action: String,
    sel: Selector,
    volumes: Vec<Figure>,
    rates: Vec<Figure>,
    states: Vec<Figure>,
    index_href: String,
    wall_href: String,
    total: String,
    grade: String,
    chart: Chart,
    durations: Vec<Duration>,
    overall: Duration,
    overdue: Vec<OverdueRow>,
    overdue_total: i64,
    overdue_href: String,
    ranking: Vec<RankRow>,
}

fn score<'a>(x: &'a UnitIndex, id: &str) -> Option<&'a Score> {
    x.result.indicators.iter().find(|s| s.id == id)
}

/// `GET /can-bo/chi-so?unit=&period=`: the dashboard of a unit (default the caller's) and
/// period (default this month).
pub async fn dashboard(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser, Query(p): Query<Params>) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let period = match period_of(&ctx, lang, p.period.as_deref()) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let d = match uc::dashboard(&ctx, &user, p.unit.as_deref(), period).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, e),
    };
    let own = &d.own;
    let uid = own.unit.id.as_str();
    let c = &own.counts;
    let g = |m: &str| c.get(m);
    let list = |k: ListKind| list_href(lang, uid, &period, k, "");
    let ind = |id: &str| q(lang, Route::Index766Indicator(id), uid, &period, &[]);
    let received = g("received");
    let online = g("received_online");
    let dvcqg = g("received_dvcqg");
    let volumes = vec![
        Figure {
            label: lang.t("Tổng hồ sơ tiếp nhận", "Dossiers received"),
            value: received.to_string(),
            href: list(ListKind::Received),
        },
        Figure {
            label: lang.t("Trực tiếp tại quầy", "At the counter"),
            value: g("received_counter").to_string(),
            href: list(ListKind::Counter),
        },
        Figure { label: lang.t("Trực tuyến", "Online"), value: online.to_string(), href: list(ListKind::Online) },
        Figure {
            label: lang.t("Trong đó từ Cổng DVCQG", "Of which from the national portal"),
            value: dvcqg.to_string(),
            href: list(ListKind::Online),
        },
        Figure {
            label: lang.t("Trong đó nộp tại hệ thống của tỉnh", "Of which filed on the province's system"),
            value: (online - dvcqg).max(0).to_string(),
            href: list(ListKind::Online),
        },
        Figure {
            label: lang.t("Qua bưu chính công ích", "By post"),
            value: g("received_postal").to_string(),
            href: list(ListKind::Postal),
        },
        Figure {
            label: lang.t("Đã giải quyết", "Finished"), value: g("finished").to_string(), href: list(ListKind::Finished)
        },
        Figure {
            label: lang.t("Giải quyết trước và đúng hạn", "Finished early or on time"),
            value: (g("finished_early") + g("finished_on_time")).to_string(),
            href: list(ListKind::OnTime),
        },
        Figure {
            label: lang.t("Giải quyết quá hạn", "Finished late"),
            value: g("finished_late").to_string(),
            href: list(ListKind::Late),
        },
    ];
    // A rate without a denominator is "no data" here (the 766 page shows the rule's points).
    let rate = |id: &str| {
        pct(lang, score(own, id).filter(|s| s.figure.is_some_and(|f| f.denominator > 0)).and_then(|s| s.ratio_percent()))
    };
    let rates = vec![
        Figure {
            label: lang.t("Tỷ lệ giải quyết đúng hạn (2.1)", "On-time rate (2.1)"), value: rate("2.1"), href: ind("2.1")
        },
        Figure {
            label: lang.t("Tỷ lệ hồ sơ trực tuyến", "Online share"),
            value: pct(lang, ratio(online, received)),
            href: ind("3.3"),
        },
        Figure {
            label: lang.t("Tỷ lệ số hóa hồ sơ (4.2)", "Digitization (4.2)"), value: rate("4.2"), href: ind("4.2")
        },
        Figure { label: lang.t("Mức độ hài lòng (5.4)", "Satisfaction (5.4)"), value: rate("5.4"), href: ind("5.4") },
        Figure {
            label: lang.t("Trả kết quả điện tử (4.1)", "Electronic results (4.1)"), value: rate("4.1"), href: ind("4.1")
        },
        Figure {
            label: lang.t("Thanh toán trực tuyến (3.6)", "Online payment (3.6)"), value: rate("3.6"), href: ind("3.6")
        },
    ];
    let states = vec![
        Figure {
            label: lang.t("Đang giải quyết cuối kỳ", "In progress at the period's end"),
            value: c.open_at_end.to_string(),
            href: list(ListKind::Open),
        },
        Figure {
            label: lang.t("Trong đó quá hạn cuối kỳ", "Of which overdue at the period's end"),
            value: c.overdue_at_end.to_string(),
            href: list(ListKind::Open),
        },
    ];
    let mut durations: Vec<Duration> = own
        .by_procedure
        .iter()
        .filter(|(_, m)| m.get("decided").copied().unwrap_or(0) > 0)
        .map(|(code, m)| {
            let c = Counts { sums: m.clone(), ..Default::default() };
            let name = d.procedure_names.get(code).cloned().unwrap_or_else(|| code.clone());
            duration(lang, name, list_href(lang, uid, &period, ListKind::Finished, code), &c)
        })
        .collect();
    durations.sort_by(|a, b| b.decided.cmp(&a.decided).then_with(|| a.name.cmp(&b.name)));
    let overall = duration(lang, lang.t("Tất cả thủ tục", "All procedures").into(), list(ListKind::Finished), c);
    let overdue = d
        .overdue
        .iter()
        .map(|o| OverdueRow {
            href: lang.href(Route::OfficerDossier(&o.id)),
            code: o.code.clone().unwrap_or_else(|| "—".into()),
            procedure: o.procedure.clone(),
            applicant: o.applicant.clone(),
            due: hour_day(Some(o.due_at)),
            step: o.step.clone().unwrap_or_else(|| "—".into()),
            agency: o.agency.clone(),
            holder: o.holder.map_or_else(|| "—".into(), |r| super::role_label(lang, r).to_string()),
        })
        .collect();
    let ranking = d
        .ranked
        .iter()
        .map(|x| RankRow {
            href: q(lang, Route::Indicators, &x.unit.id, &period, &[]),
            name: x.unit.name.clone(),
            received: x.counts.get("received"),
            received_href: list_href(lang, &x.unit.id, &period, ListKind::Received, ""),
            total: num(lang, x.result.total_display()),
            total_href: q(lang, Route::Index766, &x.unit.id, &period, &[]),
            grade: lang.t(&x.result.grade.name_vi, &x.result.grade.name_en).to_string(),
        })
        .collect();
    let title =
        format!("{} – {} – {}", lang.t("Chỉ số điều hành", "Operations dashboard"), own.unit.name, period_label(lang, &period));
    let here = q(lang, Route::Indicators, uid, &period, &[]);
    let view = DashboardView {
        lang,
        frame: Frame::new(title.clone(), other_lang_href(lang, &here)),
        user: &user,
        menu: menu(lang, &user, Some(Route::Indicators)),
        errors: Vec::new(),
        title,
        action: Route::Indicators.path(),
        sel: selector(lang, Route::Indicators, &d.units, uid, &period),
        volumes,
        rates,
        states,
        index_href: q(lang, Route::Index766, uid, &period, &[]),
        wall_href: with_lang(lang, &Route::IndicatorsWall.with_query(&[("unit", uid)])),
        total: num(lang, own.result.total_display()),
        grade: lang.t(&own.result.grade.name_vi, &own.result.grade.name_en).to_string(),
        chart: chart(lang, &d.trend),
        durations,
        overall,
        overdue,
        overdue_total: d.overdue_total,
        overdue_href: list(ListKind::Overdue),
        ranking,
    };
    html(StatusCode::OK, &view)
}

fn period_label(lang: Lang, p: &Period) -> String {
    match (lang, p) {
        (Lang::Vi, _) => p.label_vi(),
        (Lang::En, Period::Month { year, month }) => format!("{month}/{year}"),
        (Lang::En, Period::Quarter { year, quarter }) => format!("Q{quarter} {year}"),
        (Lang::En, Period::Year { year }) => year.to_string(),
    }
}

/// One indicator's row of the 766 page.
struct IndicatorRow {
    id: String,
    href: String,
    name: String,
    numerator: String,
    denominator: String,
    ratio: String,
    points: String,
    max: String,
    no_data: bool,
    by_rule: bool,
    imported: bool,
    monitoring: bool,
}

struct GroupRows {
    name: String,
    points: String,
    max: String,
    rows: Vec<IndicatorRow>,
}

#[derive(Template)]
#[template(path = "officer/indicators/index766.html")]
struct IndexView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    title: String,
    action: String,
    sel: Selector,
    dashboard_href: String,
    groups: Vec<GroupRows>,
    total: String,
    grade: String,
    table_version: String,
}

fn indicator_row(lang: Lang, x: &UnitIndex, s: &Score, period: &Period) -> IndicatorRow {
    let fig = s.figure;
    let no_data = s.points.is_none() && s.ratio.is_none();
    IndicatorRow {
        id: s.id.clone(),
        href: q(lang, Route::Index766Indicator(&s.id), &x.unit.id, period, &[]),
        name: lang.t(&s.name_vi, &s.name_en).to_string(),
        numerator: fig.map_or_else(|| "—".into(), |f| f.numerator.to_string()),
        denominator: fig.map_or_else(|| "—".into(), |f| f.denominator.to_string()),
        ratio: s.ratio_percent().map_or_else(|| "—".into(), |r| format!("{} %", num(lang, r))),
        points: s.points_display().map_or_else(|| "—".into(), |p| num(lang, p)),
        max: num(lang, s.max_display()),
        no_data,
        by_rule: s.by_rule,
        imported: x.imported.contains(&s.id),
        monitoring: s.monitoring,
    }
}

/// `GET /can-bo/chi-so/766?unit=&period=`: every indicator of the 766 index, by group.
pub async fn index766(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser, Query(p): Query<Params>) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let period = match period_of(&ctx, lang, p.period.as_deref()) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let x = match motcua_app::usecases::indicators::index(&ctx, &user, p.unit.as_deref(), period).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let units = match uc::selectable_units(&ctx, &user).await {
        Ok(u) => u,
        Err(e) => return error_page(lang, e),
    };
    let uid = x.unit.id.as_str();
    let groups = x
        .result
        .groups
        .iter()
        .map(|g| GroupRows {
            name: lang.t(&g.name_vi, &g.name_en).to_string(),
            points: num(lang, motcua_domain::index766::display(g.points)),
            max: num(lang, motcua_domain::index766::display(g.max)),
            rows: x.result.indicators.iter().filter(|s| s.group == g.id).map(|s| indicator_row(lang, &x, s, &period)).collect(),
        })
        .collect();
    let title = format!("{} – {} – {}", lang.t("Bộ chỉ số 766", "The 766 index"), x.unit.name, period_label(lang, &period));
    let here = q(lang, Route::Index766, uid, &period, &[]);
    let view = IndexView {
        lang,
        frame: Frame::new(title.clone(), other_lang_href(lang, &here)),
        user: &user,
        menu: menu(lang, &user, Some(Route::Indicators)),
        errors: Vec::new(),
        title,
        action: Route::Index766.path(),
        sel: selector(lang, Route::Index766, &units, uid, &period),
        dashboard_href: q(lang, Route::Indicators, uid, &period, &[]),
        groups,
        total: num(lang, x.result.total_display()),
        grade: lang.t(&x.result.grade.name_vi, &x.result.grade.name_en).to_string(),
        table_version: x.result.table_version.clone(),
    };
    html(StatusCode::OK, &view)
}

struct ProcedureRow {
    code: String,
    name: String,
    numerator: String,
    denominator: String,
    ratio: String,
    href: String,
}

#[derive(Template)]
#[template(path = "officer/indicators/indicator.html")]
struct IndicatorView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    title: String,
    back_href: String,
    row: IndicatorRow,
    counted: bool,
    rows: Vec<ProcedureRow>,
}

/// `GET /can-bo/chi-so/766/{indicator}?unit=&period=`: an indicator's numerator and
/// denominator by procedure (counter indicators), or the unit's procedures it is about.
pub async fn indicator(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Query(p): Query<Params>,
) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let period = match period_of(&ctx, lang, p.period.as_deref()) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let d = match uc::indicator(&ctx, &user, p.unit.as_deref(), period, &id).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, e),
    };
    let Some(s) = d.index.result.indicators.iter().find(|s| s.id == d.id) else {
        return error_page(lang, motcua_app::AppError::not_found("indicator"));
    };
    let uid = d.index.unit.id.as_str();
    let rows = d
        .rows
        .iter()
        .map(|r| ProcedureRow {
            code: r.code.clone(),
            name: r.name.clone(),
            numerator: r.numerator.map_or_else(|| "—".into(), |n| n.to_string()),
            denominator: r.denominator.map_or_else(|| "—".into(), |n| n.to_string()),
            ratio: match (r.numerator, r.denominator) {
                (Some(n), Some(d)) => pct(lang, ratio(n, d)),
                _ => "—".into(),
            },
            href: list_href(lang, uid, &period, d.list.unwrap_or(ListKind::Received), &r.code),
        })
        .collect();
    let title = format!("{} {} – {} – {}", lang.t("Chỉ tiêu", "Indicator"), s.id, d.index.unit.name, period_label(lang, &period));
    let here = q(lang, Route::Index766Indicator(&d.id), uid, &period, &[]);
    let view = IndicatorView {
        lang,
        frame: Frame::new(title.clone(), other_lang_href(lang, &here)),
        user: &user,
        menu: menu(lang, &user, Some(Route::Indicators)),
        errors: Vec::new(),
        title,
        back_href: q(lang, Route::Index766, uid, &period, &[]),
        row: indicator_row(lang, &d.index, s, &period),
        counted: d.list.is_some(),
        rows,
    };
    html(StatusCode::OK, &view)
}

struct DossierRow {
    href: String,
    code: String,
    procedure: String,
    applicant: String,
    status: &'static str,
    received: String,
    due: String,
    finished: String,
}

#[derive(Template)]
#[template(path = "officer/indicators/dossiers.html")]
struct DossiersView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    title: String,
    back_href: String,
    procedure: String,
    total: i64,
    rows: Vec<DossierRow>,
    prev: Option<String>,
    next: Option<String>,
    page: i64,
    pages: i64,
}

/// `GET /can-bo/chi-so/ho-so?unit=&period=&kind=&procedure=&page=`: the dossiers a number
/// of the dashboard counts, 50 a page.
pub async fn dossiers(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(p): Query<ListParams>,
) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let period = match period_of(&ctx, lang, p.period.as_deref()) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let Some(kind) = ListKind::parse(p.kind.as_deref().unwrap_or("received")) else {
        let e = PageError::new(StatusCode::BAD_REQUEST, "invalid_kind", "Loại danh sách không hợp lệ.", "Invalid list kind.");
        return error_page(lang, e);
    };
    let page = p.page.unwrap_or(1).clamp(1, 100_000);
    let procedure = p.procedure.clone().unwrap_or_default();
    let l = match uc::dossiers(&ctx, &user, p.unit.as_deref(), period, kind, Some(procedure.clone()), page).await {
        Ok(l) => l,
        Err(e) => return error_page(lang, e),
    };
    let uid = l.unit.id.clone();
    let rows = l
        .dossiers
        .iter()
        .map(|d| DossierRow {
            href: lang.href(Route::OfficerDossier(&d.id)),
            code: d.code.clone().unwrap_or_else(|| "—".into()),
            procedure: d.procedure.name.clone(),
            applicant: d.applicant.name.clone(),
            status: lang.t(d.status.label_vi(), d.status.label_en()),
            received: hour_day(d.received_at),
            due: hour_day(d.due_at),
            finished: hour_day(d.finished_at),
        })
        .collect();
    let pages = ((l.total + uc::PAGE_SIZE - 1) / uc::PAGE_SIZE).max(1);
    let link = |n: i64| {
        let n = n.to_string();
        q(lang, Route::IndicatorDossiers, &uid, &period, &[("kind", kind.code()), ("procedure", &procedure), ("page", &n)])
    };
    let title = format!(
        "{} – {} – {}",
        lang.t(kind.label_vi(), kind.label_en()),
        l.unit.name,
        if kind == ListKind::Overdue { lang.t("hiện tại", "now").to_string() } else { period_label(lang, &period) }
    );
    let here = q(lang, Route::IndicatorDossiers, &uid, &period, &[("kind", kind.code()), ("procedure", &procedure)]);
    let (prev, next) = ((page > 1).then(|| link(page - 1)), (page < pages).then(|| link(page + 1)));
    let view = DossiersView {
        lang,
        frame: Frame::new(title.clone(), other_lang_href(lang, &here)),
        user: &user,
        menu: menu(lang, &user, Some(Route::Indicators)),
        errors: Vec::new(),
        title,
        back_href: q(lang, Route::Indicators, &uid, &period, &[]),
        procedure,
        total: l.total,
        rows,
        prev,
        next,
        page,
        pages,
    };
    html(StatusCode::OK, &view)
}
