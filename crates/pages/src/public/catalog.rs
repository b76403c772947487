//! Public catalog pages: `/thu-tuc` (search with filters) and `/thu-tuc/{code}` (every part
//! of a procedure, with form downloads). The form files themselves are assets of the web shell.

use crate::kit::layout::html;
use crate::kit::{Frame, Lang, Route, error_page, money, with_lang};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::usecases::agencies;
use motcua_app::usecases::catalog::{self, CatalogQuery, online_code, parse_effective, parse_level, parse_online_level};
use motcua_app::{AppContext, AppError};
use motcua_domain::catalog::{ApplicantType, Channel, FeeCollected, Level, OnlineLevel, ProcedureSpec};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    sector: Option<String>,
    level: Option<String>,
    online_level: Option<String>,
    page: Option<i64>,
}

const PAGE: i64 = 20;

/// The label of an online level code ("full", "partial", "none").
pub fn online_label_of(lang: impl std::borrow::Borrow<Lang>, o: &str) -> &'static str {
    online_label(*lang.borrow(), o)
}

fn online_label(lang: Lang, o: &str) -> &'static str {
    match o {
        "full" => lang.t("Trực tuyến toàn trình", "Fully online"),
        "partial" => lang.t("Trực tuyến một phần", "Partly online"),
        _ => lang.t("Nộp trực tiếp", "In person"),
    }
}

fn level_label(lang: Lang, l: &str) -> &'static str {
    match l {
        "province" => lang.t("Cấp tỉnh", "Province"),
        _ => lang.t("Cấp xã", "Commune"),
    }
}

/// A `<select>` filter: its name, label, the "any" option and the options (value, label, selected).
struct Select {
    name: &'static str,
    label: &'static str,
    any: &'static str,
    options: Vec<(String, String, bool)>,
}

impl Select {
    fn new(
        name: &'static str,
        label: &'static str,
        any: &'static str,
        current: Option<&str>,
        options: Vec<(String, String)>,
    ) -> Self {
        let options = options.into_iter().map(|(v, l)| (v.clone(), l, current == Some(v.as_str()))).collect();
        Select { name, label, any, options }
    }
}

/// A search result.
struct Hit {
    code: String,
    name: String,
    sector: String,
    levels: String,
    online_code: String,
    online: &'static str,
}

#[derive(Template)]
#[template(path = "public/catalog.html")]
struct SearchView {
    lang: Lang,
    frame: Frame,
    q: String,
    selects: Vec<Select>,
    total: i64,
    hits: Vec<Hit>,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

pub async fn search_page(State(ctx): State<AppContext>, lang: Lang, Query(p): Query<SearchParams>) -> Response {
    let page = p.page.unwrap_or(1).max(1);
    let filters = parse_level(p.level.as_deref()).and_then(|l| Ok((l, parse_online_level(p.online_level.as_deref())?)));
    let (level, online_level) = match filters {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let query = CatalogQuery {
        q: p.q.clone(),
        sector: p.sector.clone(),
        level,
        online_level,
        agency_code: None,
        at_ms: None,
        limit: PAGE,
        offset: (page - 1) * PAGE,
    };
    let found = match catalog::search(&ctx, query).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let (items, total) = found;
    let sectors = match catalog::sectors(&ctx).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, e),
    };
    let selects = vec![
        Select::new(
            "sector",
            lang.t("Lĩnh vực", "Sector"),
            lang.t("Tất cả lĩnh vực", "All sectors"),
            p.sector.as_deref(),
            sectors.iter().map(|(c, n, k)| (c.clone(), n.clone() + " (" + &k.to_string() + ")")).collect(),
        ),
        Select::new(
            "level",
            lang.t("Cấp thực hiện", "Level"),
            lang.t("Tất cả các cấp", "All levels"),
            p.level.as_deref(),
            ["province", "commune"].iter().map(|l| (l.to_string(), level_label(lang, l).to_string())).collect(),
        ),
        Select::new(
            "online_level",
            lang.t("Hình thức", "Service level"),
            lang.t("Tất cả", "All"),
            p.online_level.as_deref(),
            ["full", "partial", "none"].iter().map(|o| (o.to_string(), online_label(lang, o).to_string())).collect(),
        ),
    ];
    let hits = items
        .iter()
        .map(|it| Hit {
            code: it.code.clone(),
            name: it.name.clone(),
            sector: it.sector_name.clone(),
            levels: it.levels.split(',').filter(|l| !l.is_empty()).map(|l| level_label(lang, l)).collect::<Vec<_>>().join(", "),
            online_code: it.online_level.clone(),
            online: online_label(lang, &it.online_level),
        })
        .collect();
    let pages = (total + PAGE - 1) / PAGE;
    let keep = |pg: i64| {
        let pg = pg.to_string();
        let mut pairs = vec![("page", pg.as_str())];
        for (k, v) in [("q", &p.q), ("sector", &p.sector), ("level", &p.level), ("online_level", &p.online_level)] {
            pairs.push((k, v.as_deref().unwrap_or("")));
        }
        with_lang(lang, &Route::Catalog.with_query(&pairs))
    };
    let view = SearchView {
        lang,
        frame: Frame::new(lang.t("Tra cứu thủ tục hành chính", "Find an administrative procedure"), {
            let other = if lang == Lang::Vi { Lang::En } else { Lang::Vi };
            other.href(Route::Catalog)
        }),
        q: p.q.clone().unwrap_or_default(),
        selects,
        total,
        hits,
        page,
        pages,
        prev: (pages > 1 && page > 1).then(|| keep(page - 1)),
        next: (pages > 1 && page < pages).then(|| keep(page + 1)),
    };
    html(StatusCode::OK, &view)
}

#[derive(Deserialize)]
pub struct ProcedureParams {
    at: Option<String>,
}

fn channel_label(lang: Lang, c: Channel) -> &'static str {
    match c {
        Channel::Counter => lang.t("Trực tiếp tại Bộ phận Một cửa", "In person at the one-stop counter"),
        Channel::Online => lang.t("Trực tuyến", "Online"),
        Channel::Postal => lang.t("Qua dịch vụ bưu chính công ích", "By public postal service"),
    }
}

fn applicant_label(lang: Lang, a: ApplicantType) -> &'static str {
    match a {
        ApplicantType::Citizen => lang.t("Công dân Việt Nam", "Vietnamese citizens"),
        ApplicantType::Business => lang.t("Doanh nghiệp", "Businesses"),
        ApplicantType::HouseholdBusiness => lang.t("Hộ kinh doanh", "Household businesses"),
        ApplicantType::Organisation => lang.t("Tổ chức", "Organisations"),
        ApplicantType::Foreigner => lang.t("Người nước ngoài", "Foreigners"),
    }
}

fn collected_label(lang: Lang, c: FeeCollected) -> &'static str {
    match c {
        FeeCollected::AtReception => lang.t("nộp khi tiếp nhận hồ sơ", "paid at reception"),
        FeeCollected::AtResult => lang.t("nộp khi nhận kết quả", "paid when collecting the result"),
        FeeCollected::BeforeProcessing => lang.t("nộp trước khi giải quyết", "paid before processing"),
    }
}

#[derive(Template)]
#[template(path = "public/procedure.html")]
struct ProcedureView<'a> {
    lang: Lang,
    frame: Frame,
    s: &'a ProcedureSpec,
    version: i64,
    levels: String,
    online_code: &'static str,
    agency: String,
    cutoff: Option<String>,
    fee_total: Option<String>,
    time_limit: String,
    applicants: String,
    decided_on: String,
    in_force_from: String,
}

impl ProcedureView<'_> {
    fn channel(&self, c: &Channel) -> &'static str {
        channel_label(self.lang, *c)
    }
    fn collected(&self, c: &FeeCollected) -> &'static str {
        collected_label(self.lang, *c)
    }
    fn amount(&self, a: &i64) -> String {
        if *a == 0 { self.lang.t("miễn", "free").to_string() } else { money(*a) }
    }
    fn date(&self, d: &Option<jiff::civil::Date>) -> Option<String> {
        d.map(|d| d.strftime("%d/%m/%Y").to_string())
    }
}

pub async fn procedure_page(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path(code): Path<String>,
    Query(p): Query<ProcedureParams>,
) -> Response {
    let at = match p.at.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => match parse_effective("at", s) {
            Ok(at) => at,
            Err(e) => return error_page(lang, e),
        },
        None => ctx.clock.now_ms(),
    };
    let v = match catalog::in_force(&ctx, &code, at).await {
        Ok(Some(v)) => v,
        Ok(None) => return error_page(lang, AppError::not_found("procedure")),
        Err(e) => return error_page(lang, e),
    };
    let s = &v.spec;
    let agency = match &s.agency_code {
        Some(c) => match agencies::by_code(&ctx, c).await {
            Ok(a) => a.map(|a| a.name),
            Err(e) => return error_page(lang, e),
        },
        None => None,
    };
    let view = ProcedureView {
        lang,
        frame: Frame::new(s.name.clone(), {
            let other = if lang == Lang::Vi { Lang::En } else { Lang::Vi };
            other.href(Route::Procedure(&s.code))
        }),
        s,
        version: v.version,
        levels: s
            .levels
            .iter()
            .map(|l| level_label(lang, if *l == Level::Province { "province" } else { "commune" }))
            .collect::<Vec<_>>()
            .join(", "),
        online_code: online_code(s.online_level),
        agency: agency.unwrap_or_else(|| s.implementing_agency.clone()),
        cutoff: s.counting.same_day_cutoff.map(|t| t.strftime("%H:%M").to_string()),
        fee_total: (!s.fees.is_empty() && s.total_fees() != 0).then(|| money(s.total_fees())),
        time_limit: s.time_limit.describe_vi(),
        applicants: s.applicant_types.iter().map(|a| applicant_label(lang, *a)).collect::<Vec<_>>().join(", "),
        decided_on: s.decision.date.strftime("%d/%m/%Y").to_string(),
        in_force_from: crate::kit::fmt::day(v.effective_from),
    };
    html(StatusCode::OK, &view)
}

/// Whether a procedure can be filed online (the page's call to action).
pub fn files_online(s: &ProcedureSpec) -> bool {
    s.online_level != OnlineLevel::None
}
