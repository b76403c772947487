//! Public catalog pages: `/thu-tuc` (search with filters) and `/thu-tuc/{code}` (every part
//! of a procedure, with form downloads), and `/thu-tuc/mau/{file}` (the forms).

use super::{Lang, esc, layout};
use crate::api::catalog::{ListQuery, catalog_query};
use crate::error::{ApiError, ApiResult};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use motcua_app::usecases::catalog::{self, parse_effective};
use motcua_app::{AppContext, AppError};
use motcua_domain::catalog::{ApplicantType, Channel, FeeCollected, Level, OnlineLevel};
use serde::Deserialize;
use std::fmt::Write;

#[derive(rust_embed::RustEmbed)]
#[folder = "../../data/catalog/templates/"]
#[include = "*.docx"]
struct Templates;

#[derive(Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    sector: Option<String>,
    level: Option<String>,
    online_level: Option<String>,
    page: Option<i64>,
    lang: Option<String>,
}

const PAGE: i64 = 20;

fn online_label(lang: Lang, o: &str) -> &'static str {
    match (o, lang) {
        ("full", Lang::Vi) => "Trực tuyến toàn trình",
        ("full", Lang::En) => "Fully online",
        ("partial", Lang::Vi) => "Trực tuyến một phần",
        ("partial", Lang::En) => "Partly online",
        (_, Lang::Vi) => "Nộp trực tiếp",
        (_, Lang::En) => "In person",
    }
}

fn level_label(lang: Lang, l: &str) -> &'static str {
    match (l, lang) {
        ("province", Lang::Vi) => "Cấp tỉnh",
        ("province", Lang::En) => "Province",
        (_, Lang::Vi) => "Cấp xã",
        (_, Lang::En) => "Commune",
    }
}

fn select(name: &str, label: &str, current: Option<&str>, options: &[(String, String)], any: &str) -> String {
    let mut s = format!(
        r#"<div class="field"><label for="{name}">{label}</label><select id="{name}" name="{name}"><option value="">{any}</option>"#
    );
    for (v, l) in options {
        let sel = if current == Some(v.as_str()) { " selected" } else { "" };
        let _ = write!(s, r#"<option value="{}"{sel}>{}</option>"#, esc(v), esc(l));
    }
    s.push_str("</select></div>");
    s
}

pub async fn search_page(State(ctx): State<AppContext>, Query(p): Query<SearchParams>) -> ApiResult<Html<String>> {
    let lang = Lang::from_query(p.lang.as_deref());
    let page = p.page.unwrap_or(1).max(1);
    let query = catalog_query(ListQuery::new(
        p.q.clone(),
        p.sector.clone(),
        p.level.clone(),
        p.online_level.clone(),
        PAGE,
        (page - 1) * PAGE,
    ))?;
    let (items, total) = catalog::search(&ctx, query).await?;
    let sectors = catalog::sectors(&ctx).await?;
    let title = lang.t("Tra cứu thủ tục hành chính", "Find an administrative procedure");
    let mut b = String::new();
    let _ = write!(
        b,
        r#"<h1>{title}</h1>
<form class="search" method="get" action="/thu-tuc" role="search">
<div class="field wide"><label for="q">{qlabel}</label><input id="q" name="q" type="search" value="{qv}" placeholder="{ph}" autocomplete="off"></div>
{sector}{level}{online}
{langfield}<button type="submit">{go}</button>
</form>
<p class="meta" role="status">{count}</p>
<ul class="results">"#,
        qlabel = lang.t(
            "Tên thủ tục, mã thủ tục hoặc từ khóa (có dấu hoặc không dấu)",
            "Name, code or keywords (with or without diacritics)"
        ),
        qv = esc(p.q.as_deref().unwrap_or("")),
        ph = lang.t("ví dụ: dang ky khai sinh", "e.g. dang ky khai sinh"),
        sector = select(
            "sector",
            lang.t("Lĩnh vực", "Sector"),
            p.sector.as_deref(),
            &sectors.iter().map(|(c, n, k)| (c.clone(), format!("{n} ({k})"))).collect::<Vec<_>>(),
            lang.t("Tất cả lĩnh vực", "All sectors")
        ),
        level = select(
            "level",
            lang.t("Cấp thực hiện", "Level"),
            p.level.as_deref(),
            &[("province".into(), level_label(lang, "province").into()), ("commune".into(), level_label(lang, "commune").into())],
            lang.t("Tất cả các cấp", "All levels")
        ),
        online = select(
            "online_level",
            lang.t("Hình thức", "Service level"),
            p.online_level.as_deref(),
            &[
                ("full".into(), online_label(lang, "full").into()),
                ("partial".into(), online_label(lang, "partial").into()),
                ("none".into(), online_label(lang, "none").into())
            ],
            lang.t("Tất cả", "All")
        ),
        langfield = if lang == Lang::En { r#"<input type="hidden" name="lang" value="en">"# } else { "" },
        go = lang.t("Tìm kiếm", "Search"),
        count = match lang {
            Lang::Vi => format!("Tìm thấy {total} thủ tục."),
            Lang::En => format!("{total} procedures found."),
        },
    );
    let lq = if lang == Lang::En { "?lang=en" } else { "" };
    for it in &items {
        let _ = write!(
            b,
            r#"<li><a href="/thu-tuc/{code}{lq}">{name}</a><div class="meta">{code} · {sector} · {levels} · <span class="badge {ol}">{online}</span></div></li>"#,
            code = esc(&it.code),
            name = esc(&it.name),
            sector = esc(&it.sector_name),
            levels = it.levels.split(',').filter(|l| !l.is_empty()).map(|l| level_label(lang, l)).collect::<Vec<_>>().join(", "),
            ol = esc(&it.online_level),
            online = online_label(lang, &it.online_level),
        );
    }
    b.push_str("</ul>");
    let pages = (total + PAGE - 1) / PAGE;
    if pages > 1 {
        let keep = |pg: i64| {
            let mut qs = vec![format!("page={pg}")];
            for (k, v) in [("q", &p.q), ("sector", &p.sector), ("level", &p.level), ("online_level", &p.online_level)] {
                if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                    qs.push(format!("{k}={}", urlencode(v)));
                }
            }
            if lang == Lang::En {
                qs.push("lang=en".into());
            }
            format!("/thu-tuc?{}", qs.join("&"))
        };
        b.push_str(&format!(r#"<nav class="pager" aria-label="{}">"#, lang.t("Trang kết quả", "Result pages")));
        if page > 1 {
            let _ = write!(b, r#"<a href="{}" rel="prev">← {}</a>"#, esc(&keep(page - 1)), lang.t("Trang trước", "Previous"));
        }
        let _ = write!(b, r#"<span>{} {page}/{pages}</span>"#, lang.t("Trang", "Page"));
        if page < pages {
            let _ = write!(b, r#"<a href="{}" rel="next">{} →</a>"#, esc(&keep(page + 1)), lang.t("Trang sau", "Next"));
        }
        b.push_str("</nav>");
    }
    let other = if lang == Lang::Vi { "/thu-tuc?lang=en" } else { "/thu-tuc" };
    Ok(Html(layout(lang, title, other, &b)))
}

pub fn urlencode(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => o.push(b as char),
            b' ' => o.push('+'),
            _ => {
                let _ = write!(o, "%{b:02X}");
            }
        }
    }
    o
}

#[derive(Deserialize)]
pub struct ProcedureParams {
    at: Option<String>,
    lang: Option<String>,
}

fn channel_label(lang: Lang, c: Channel) -> &'static str {
    match (c, lang) {
        (Channel::Counter, Lang::Vi) => "Trực tiếp tại Bộ phận Một cửa",
        (Channel::Counter, Lang::En) => "In person at the one-stop counter",
        (Channel::Online, Lang::Vi) => "Trực tuyến",
        (Channel::Online, Lang::En) => "Online",
        (Channel::Postal, Lang::Vi) => "Qua dịch vụ bưu chính công ích",
        (Channel::Postal, Lang::En) => "By public postal service",
    }
}

fn applicant_label(lang: Lang, a: ApplicantType) -> &'static str {
    match (a, lang) {
        (ApplicantType::Citizen, Lang::Vi) => "Công dân Việt Nam",
        (ApplicantType::Citizen, Lang::En) => "Vietnamese citizens",
        (ApplicantType::Business, Lang::Vi) => "Doanh nghiệp",
        (ApplicantType::Business, Lang::En) => "Businesses",
        (ApplicantType::HouseholdBusiness, Lang::Vi) => "Hộ kinh doanh",
        (ApplicantType::HouseholdBusiness, Lang::En) => "Household businesses",
        (ApplicantType::Organisation, Lang::Vi) => "Tổ chức",
        (ApplicantType::Organisation, Lang::En) => "Organisations",
        (ApplicantType::Foreigner, Lang::Vi) => "Người nước ngoài",
        (ApplicantType::Foreigner, Lang::En) => "Foreigners",
    }
}

fn money(amount: i64) -> String {
    let digits = amount.abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    format!("{out} đồng")
}

pub async fn procedure_page(
    State(ctx): State<AppContext>,
    Path(code): Path<String>,
    Query(p): Query<ProcedureParams>,
) -> ApiResult<Html<String>> {
    let lang = Lang::from_query(p.lang.as_deref());
    let at = match p.at.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => parse_effective("at", s)?,
        None => motcua_app::now_ms(),
    };
    let v = catalog::in_force(&ctx, &code, at).await?.ok_or(AppError::not_found("procedure"))?;
    let s = &v.spec;
    let agency = match &s.agency_code {
        Some(c) => {
            let c = c.clone();
            ctx.store
                .read(move |db| motcua_store::repo::agencies::get_by_code(db, &c).map_err(AppError::from))
                .await?
                .map(|a| a.name)
        }
        None => None,
    };
    let mut b = String::new();
    let _ = write!(
        b,
        r#"<p class="crumbs"><a href="/thu-tuc{lq}">{back}</a></p>
<h1>{name}</h1>
<p class="meta">{code_l}: <strong>{code}</strong> · {sector} · {levels} · <span class="badge {ol}">{online}</span>{online_only}</p>
<dl class="summary">
<dt>{tl_l}</dt><dd>{tl}{cutoff}</dd>
<dt>{ag_l}</dt><dd>{ag}</dd>
<dt>{fee_l}</dt><dd>{fee}</dd>
<dt>{res_l}</dt><dd>{res}</dd>
</dl>"#,
        lq = if lang == Lang::En { "?lang=en" } else { "" },
        back = lang.t("← Tra cứu thủ tục", "← Find a procedure"),
        name = esc(&s.name),
        code_l = lang.t("Mã thủ tục", "Code"),
        code = esc(&s.code),
        sector = esc(&s.sector.name),
        levels = s
            .levels
            .iter()
            .map(|l| level_label(lang, if *l == Level::Province { "province" } else { "commune" }))
            .collect::<Vec<_>>()
            .join(", "),
        ol = motcua_store::repo::catalog::online_code(s.online_level),
        online = online_label(lang, motcua_store::repo::catalog::online_code(s.online_level)),
        online_only =
            if s.online_only { lang.t(" · Chỉ tiếp nhận hồ sơ trực tuyến", " · Online filing only") } else { "" },
        tl_l = lang.t("Thời hạn giải quyết", "Time limit"),
        tl = esc(&s.time_limit.describe_vi()),
        cutoff = s
            .counting
            .same_day_cutoff
            .map(|t| format!("{} {}", lang.t("; hồ sơ nhận sau", "; received after"), t.strftime("%H:%M"))
                + lang.t(" được giải quyết trong ngày làm việc tiếp theo", " counts from the next working day"))
            .unwrap_or_default(),
        ag_l = lang.t("Cơ quan thực hiện", "Implementing agency"),
        ag = esc(&agency.unwrap_or_else(|| s.implementing_agency.clone())),
        fee_l = lang.t("Phí, lệ phí", "Fees"),
        fee = if s.fees.is_empty() || s.total_fees() == 0 {
            lang.t("Không thu phí, lệ phí", "Free").to_string()
        } else {
            money(s.total_fees())
        },
        res_l = lang.t("Kết quả", "Result"),
        res = esc(&s.result.name),
    );
    if s.online_level != OnlineLevel::None {
        let _ = write!(
            b,
            r#"<div class="callout"><p><strong>{}</strong> {}</p><p><a class="button start" href="/nop-ho-so/{}{lq}">{}</a></p></div>"#,
            lang.t("Có thể nộp hồ sơ trực tuyến.", "This procedure can be filed online."),
            lang.t(
                "Đăng nhập bằng tài khoản định danh điện tử để nộp hồ sơ, theo dõi và nhận kết quả.",
                "Log in with your electronic identity account to file, follow the dossier and get the result."
            ),
            esc(&s.code),
            lang.t("Nộp hồ sơ trực tuyến", "File online"),
            lq = if lang == Lang::En { "?lang=en" } else { "" },
        );
    }
    let section = |b: &mut String, vi: &str, en: &str| {
        let _ = write!(b, "<h2>{}</h2>", lang.t(vi, en));
    };
    section(&mut b, "Trình tự thực hiện", "Steps");
    b.push_str("<ol>");
    for st in &s.steps {
        let _ = write!(b, "<li>{}</li>", esc(st));
    }
    b.push_str("</ol>");
    section(&mut b, "Cách thức thực hiện", "How to file");
    b.push_str("<ul>");
    for m in &s.methods {
        let _ = write!(
            b,
            "<li><strong>{}</strong>{}</li>",
            channel_label(lang, m.channel),
            if m.description.is_empty() { String::new() } else { format!(": {}", esc(&m.description)) }
        );
    }
    b.push_str("</ul>");
    section(&mut b, "Thành phần hồ sơ", "Documents to file");
    let _ = write!(
        b,
        r#"<table class="grid"><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>"#,
        lang.t("Tên giấy tờ", "Document"),
        lang.t("Bản chính", "Originals"),
        lang.t("Bản sao", "Copies"),
        lang.t("Mẫu đơn, tờ khai", "Form"),
    );
    for c in &s.components {
        let mut name = esc(&c.name);
        if !c.required {
            let _ = write!(name, " <em>({})</em>", lang.t("nếu có", "if any"));
        }
        if !c.alternatives.is_empty() {
            let _ =
                write!(name, r#"<br><span class="meta">{} {}</span>"#, lang.t("Hoặc:", "Or:"), esc(&c.alternatives.join("; ")));
        }
        if let Some(n) = &c.note {
            let _ = write!(name, r#"<br><span class="meta">{}</span>"#, esc(n));
        }
        let tpl = match &c.template {
            Some(t) => format!(r#"<a href="/thu-tuc/mau/{}" download>{}</a>"#, esc(t), lang.t("Tải mẫu", "Download")),
            None => "—".into(),
        };
        let _ = write!(b, "<tr><td>{name}</td><td>{}</td><td>{}</td><td>{tpl}</td></tr>", c.originals, c.copies);
    }
    let _ = write!(b, "</tbody></table><p>{}: {}</p>", lang.t("Số lượng hồ sơ", "Number of sets"), s.sets);
    section(&mut b, "Đối tượng thực hiện", "Who can file");
    let _ = write!(
        b,
        "<p>{}</p><p class=\"meta\">{}</p>",
        esc(&s.target_subjects),
        s.applicant_types.iter().map(|a| applicant_label(lang, *a)).collect::<Vec<_>>().join(", ")
    );
    if let Some(c) = &s.conditions {
        section(&mut b, "Yêu cầu, điều kiện", "Conditions");
        let _ = write!(b, "<p>{}</p>", esc(c));
    }
    if !s.fees.is_empty() {
        section(&mut b, "Phí, lệ phí", "Fees and charges");
        b.push_str("<ul>");
        for f in &s.fees {
            let when = match (f.collected, lang) {
                (FeeCollected::AtReception, Lang::Vi) => "nộp khi tiếp nhận hồ sơ",
                (FeeCollected::AtReception, Lang::En) => "paid at reception",
                (FeeCollected::AtResult, Lang::Vi) => "nộp khi nhận kết quả",
                (FeeCollected::AtResult, Lang::En) => "paid when collecting the result",
                (FeeCollected::BeforeProcessing, Lang::Vi) => "nộp trước khi giải quyết",
                (FeeCollected::BeforeProcessing, Lang::En) => "paid before processing",
            };
            let _ = write!(
                b,
                "<li>{}: <strong>{}</strong> ({when}){}</li>",
                esc(&f.name),
                if f.amount == 0 { lang.t("miễn", "free").to_string() } else { money(f.amount) },
                f.exemptions.as_deref().map(|e| format!(". {}", esc(e))).unwrap_or_default()
            );
        }
        b.push_str("</ul>");
    }
    section(&mut b, "Căn cứ pháp lý", "Legal basis");
    b.push_str("<ul>");
    for l in &s.legal_basis {
        let _ = write!(
            b,
            "<li>{} – {}{}</li>",
            esc(&l.number),
            esc(&l.title),
            l.effective
                .map(|d| format!(" ({} {})", lang.t("hiệu lực từ", "in force from"), d.strftime("%d/%m/%Y")))
                .unwrap_or_default()
        );
    }
    b.push_str("</ul>");
    let _ = write!(
        b,
        r#"<p class="meta">{}: {} {} {}. {} {}, {} {}.</p>"#,
        lang.t("Công bố tại Quyết định", "Published by decision"),
        esc(&s.decision.number),
        lang.t("ngày", "of"),
        s.decision.date.strftime("%d/%m/%Y"),
        lang.t("Phiên bản", "Version"),
        v.version,
        lang.t("hiệu lực từ", "in force from"),
        v.effective_from
            .and_then(|m| jiff::Timestamp::from_millisecond(m).ok())
            .map(|t| motcua_domain::calendar::local_date(t).strftime("%d/%m/%Y").to_string())
            .unwrap_or_default()
    );
    let other =
        if lang == Lang::Vi { format!("/thu-tuc/{}?lang=en", esc(&s.code)) } else { format!("/thu-tuc/{}", esc(&s.code)) };
    Ok(Html(layout(lang, &s.name, &other, &b)))
}

/// A form template (tờ khai, đơn) of the catalog.
pub async fn template(Path(file): Path<String>) -> Response {
    match Templates::get(&file).filter(|_| !file.contains('/') && file.ends_with(".docx")) {
        Some(f) => {
            let mut r = f.data.into_owned().into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
                r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            r
        }
        None => ApiError::for_status(StatusCode::NOT_FOUND).into_response(),
    }
}
