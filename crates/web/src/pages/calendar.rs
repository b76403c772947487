//! `/lich/{year}`: a year's calendar with lunar dates, holidays and make-up days.

use super::{Lang, esc, layout};
use crate::api::calendar::{lunar_short, year_dto};
use crate::error::ApiResult;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use jiff::civil::{Date, date};
use motcua_app::AppContext;
use motcua_domain::calendar::DayKind;
use serde::Deserialize;
use std::fmt::Write;

#[derive(Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
}

const MONTHS_VI: [&str; 12] = [
    "Tháng Một",
    "Tháng Hai",
    "Tháng Ba",
    "Tháng Tư",
    "Tháng Năm",
    "Tháng Sáu",
    "Tháng Bảy",
    "Tháng Tám",
    "Tháng Chín",
    "Tháng Mười",
    "Tháng Mười một",
    "Tháng Mười hai",
];
const MONTHS_EN: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DOW_VI: [(&str, &str); 7] = [
    ("T2", "Thứ Hai"),
    ("T3", "Thứ Ba"),
    ("T4", "Thứ Tư"),
    ("T5", "Thứ Năm"),
    ("T6", "Thứ Sáu"),
    ("T7", "Thứ Bảy"),
    ("CN", "Chủ nhật"),
];
const DOW_EN: [(&str, &str); 7] = [
    ("Mon", "Monday"),
    ("Tue", "Tuesday"),
    ("Wed", "Wednesday"),
    ("Thu", "Thursday"),
    ("Fri", "Friday"),
    ("Sat", "Saturday"),
    ("Sun", "Sunday"),
];

pub async fn year_page(
    State(ctx): State<AppContext>,
    Path(year): Path<i32>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Html<String>> {
    let lang = Lang::from_query(q.lang.as_deref());
    let data = year_dto(&ctx, year)?;
    let cal = ctx.calendars.national();
    let mut b = String::new();
    let title = match lang {
        Lang::Vi => format!("Lịch làm việc năm {year}"),
        Lang::En => format!("Working calendar {year}"),
    };
    let _ = write!(
        b,
        r#"<h1>{title}</h1>
<p class="meta">{lunar_label} {name}. {src}: {source}{rev}. {ver}: <code>{version}</code>. {wd}: <strong>{working}</strong>.</p>
<nav class="years" aria-label="{nav}"><a href="/lich/{prev}{lq}">← {prev}</a><a href="/lich/{next}{lq}">{next} →</a></nav>
<ul class="legend">
<li><span class="sw" style="background:var(--off)"></span>{off}</li>
<li><span class="sw" style="background:var(--makeup)"></span>{makeup}</li>
<li><span class="sw"></span>{normal}</li>
</ul>
<div class="months">"#,
        title = esc(&title),
        lunar_label = lang.t("Năm âm lịch", "Lunar year"),
        name = esc(&data.lunar_year_name),
        src = lang.t("Nguồn lịch nghỉ", "Schedule source"),
        source = match (data.source.as_str(), lang) {
            ("loaded", Lang::Vi) => "do quản trị nạp",
            ("loaded", Lang::En) => "loaded by an administrator",
            ("shipped", Lang::Vi) => "lịch chính thức kèm theo hệ thống",
            ("shipped", Lang::En) => "official schedule shipped with the system",
            (_, Lang::Vi) => "chưa công bố, áp dụng quy định của Bộ luật Lao động",
            (_, Lang::En) => "not yet published; statutory rules apply",
        },
        rev = data.revision.map(|r| format!(" ({} {r})", lang.t("phiên bản", "revision"))).unwrap_or_default(),
        ver = lang.t("Phiên bản dữ liệu", "Data version"),
        version = esc(&data.calendar_version),
        wd = lang.t("Số ngày làm việc", "Working days"),
        working = data.working_days,
        nav = lang.t("Năm khác", "Other years"),
        prev = year - 1,
        next = year + 1,
        lq = if lang == Lang::En { "?lang=en" } else { "" },
        off = lang.t("Ngày nghỉ lễ, Tết, nghỉ bù", "Holiday or day off"),
        makeup = lang.t("Ngày làm bù", "Make-up working day"),
        normal = lang.t("Ngày thường", "Ordinary day"),
    );
    let (months, dows) = match lang {
        Lang::Vi => (MONTHS_VI, DOW_VI),
        Lang::En => (MONTHS_EN, DOW_EN),
    };
    for m in 1..=12i8 {
        let first = date(year as i16, m, 1);
        let _ = write!(b, r#"<table class="month"><caption>{} {year}</caption><thead><tr>"#, months[(m - 1) as usize]);
        for (short, long) in dows {
            let _ = write!(b, r#"<th scope="col"><abbr title="{long}">{short}</abbr></th>"#);
        }
        b.push_str("</tr></thead><tbody><tr>");
        let lead = first.weekday().to_monday_zero_offset() as usize;
        for _ in 0..lead {
            b.push_str(r#"<td class="empty"></td>"#);
        }
        let mut col = lead;
        let mut d: Date = first;
        while d.month() == m {
            if col == 7 {
                b.push_str("</tr><tr>");
                col = 0;
            }
            let info = cal.day(d).ok();
            let (class, label) = match info.as_ref().map(|i| i.kind) {
                Some(DayKind::Off(_)) => ("off", info.as_ref().and_then(|i| i.label.clone())),
                Some(DayKind::MakeUp) => ("makeup", info.as_ref().and_then(|i| i.label.clone())),
                Some(DayKind::WeeklyRest) => ("rest", None),
                _ => ("", None),
            };
            let title_attr = label.as_deref().map(|l| format!(r#" title="{}""#, esc(l))).unwrap_or_default();
            // A short visible word (not colour alone), the full name for screen readers.
            let mark = match class {
                "off" => lang.t("nghỉ", "off"),
                "makeup" => lang.t("làm bù", "make-up"),
                _ => "",
            };
            let sr = label
                .as_deref()
                .map(|l| format!(r#"<span class="l mark">{mark}</span><span class="vh">{}</span>"#, esc(l)))
                .unwrap_or_default();
            let _ = write!(
                b,
                r#"<td class="{class}"{title_attr}><span class="d">{}</span><span class="l">{} {}</span>{sr}</td>"#,
                d.day(),
                lang.t("âm", "lunar"),
                lunar_short(d)
            );
            col += 1;
            match d.tomorrow() {
                Ok(n) => d = n,
                Err(_) => break,
            }
        }
        for _ in col..7 {
            b.push_str(r#"<td class="empty"></td>"#);
        }
        b.push_str("</tr></tbody></table>");
    }
    b.push_str("</div>");
    let _ = write!(
        b,
        r#"<table class="days"><caption><h2>{h}</h2></caption><thead><tr><th scope="col">{c1}</th><th scope="col">{c2}</th><th scope="col">{c3}</th><th scope="col">{c4}</th></tr></thead><tbody>"#,
        h = lang.t("Ngày nghỉ và ngày làm bù", "Days off and make-up days"),
        c1 = lang.t("Ngày", "Date"),
        c2 = lang.t("Âm lịch", "Lunar"),
        c3 = lang.t("Nội dung", "What"),
        c4 = lang.t("Văn bản", "Document"),
    );
    for d in &data.days {
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&d.date),
            esc(&d.lunar),
            esc(d.label.as_deref().unwrap_or("")),
            esc(d.document.as_deref().unwrap_or(""))
        );
    }
    b.push_str("</tbody></table>");
    let other = if lang == Lang::Vi { format!("/lich/{year}?lang=en") } else { format!("/lich/{year}") };
    Ok(Html(layout(lang, &title, &other, &b)))
}
