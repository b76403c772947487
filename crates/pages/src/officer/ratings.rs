//! The ratings summary at `/can-bo/danh-gia?unit=&from=&to=` (issue #18, SIPAS): for
//! leaders and supervisors (`ViewIndicators`), of a unit subtree in their scope over a
//! period: per dimension the average score, the like rate with its response rate, the low
//! ratings; dossiers (from the counters) and counter visits apart.

use super::refuse_non_official;
use crate::admin::{Choice, choices};
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageUser, Route, error_page, other_lang_href};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::agencies::{self, AgencyFilter};
use motcua_app::usecases::ratings::{self as uc, Block};
use motcua_domain::agency::AgencyKind;
use motcua_domain::authz::{Permission, scope};
use motcua_domain::dossier::RatingFactor;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Params {
    unit: String,
    from: String,
    to: String,
}

/// One kind of rating as the page shows it.
struct BlockView {
    id: &'static str,
    title: &'static str,
    /// "x % hài lòng (n/m đánh giá, tỷ lệ phản hồi r %)".
    headline: String,
    low: i64,
    factors: Vec<(&'static str, String, i64)>,
}

#[derive(Template)]
#[template(path = "officer/ratings.html")]
struct RatingsView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<motcua_domain::error::FieldError>,
    title: &'a str,
    units: Vec<Choice>,
    from: String,
    to: String,
    unit_name: String,
    blocks: Vec<BlockView>,
}

/// "x % hài lòng (n/m đánh giá, tỷ lệ phản hồi r %)": every satisfaction figure with its
/// basis and response rate (issue #18).
pub fn satisfaction_line(lang: Lang, b: &Block) -> String {
    let pct = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |x| format!("{x:.1}").replace('.', ","));
    let mut s = format!(
        "{} % {} ({}/{} {}",
        pct(b.like_rate),
        lang.t("hài lòng", "satisfied"),
        b.satisfied,
        b.rated,
        lang.t("đánh giá", "ratings")
    );
    if let Some(basis) = b.basis {
        s.push_str(&format!(
            ", {} {} % {} {basis} {}",
            lang.t("tỷ lệ phản hồi", "response rate"),
            pct(b.response_rate),
            lang.t("trên", "of"),
            lang.t("hồ sơ đã trả kết quả", "dossiers returned")
        ));
    }
    s.push(')');
    s
}

fn block(lang: Lang, id: &'static str, title: &'static str, b: &Block) -> BlockView {
    let factors = b
        .factors
        .iter()
        .map(|f| {
            let name = RatingFactor::parse(&f.factor).map_or("", |x| lang.t(x.name_vi(), x.name_en()));
            let avg = f.average.map_or_else(|| "—".to_string(), |a| format!("{a:.2}/5").replace('.', ","));
            (name, avg, f.answers)
        })
        .collect();
    BlockView { id, title, headline: satisfaction_line(lang, b), low: b.low, factors }
}

/// `GET /can-bo/danh-gia`: this month by default, the caller's whole scope.
pub async fn page(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser, Query(q): Query<Params>) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let readable = scope(&user.principal, Permission::ViewIndicators);
    if readable.is_empty() {
        return error_page(lang, motcua_app::AppError::Forbidden);
    }
    let today = ctx.clock.today();
    let from = if q.from.trim().is_empty() { today.first_of_month().to_string() } else { q.from.trim().to_string() };
    let to = if q.to.trim().is_empty() { today.to_string() } else { q.to.trim().to_string() };
    let unit = Some(q.unit.trim()).filter(|u| !u.is_empty());
    let s = match uc::summary(&ctx, &user, unit, &from, &to).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, e),
    };
    let filter = AgencyFilter { scope: Some(readable), limit: 500, ..Default::default() };
    let list = match agencies::list(&ctx, filter).await {
        Ok((l, _)) => l,
        Err(e) => return error_page(lang, e),
    };
    let mut options = vec![(String::new(), lang.t("Toàn bộ phạm vi", "My whole scope").to_string())];
    options.extend(list.iter().filter(|a| !matches!(a.kind, AgencyKind::Counter)).map(|a| (a.id.clone(), a.name.clone())));
    let units = choices(options, s.unit_id.as_deref().unwrap_or(""));
    let title = lang.t("Đánh giá mức độ hài lòng", "Satisfaction ratings");
    let query = crate::kit::Route::OfficerRatings.with_query(&[
        ("unit", s.unit_id.as_deref().unwrap_or("")),
        ("from", &s.from),
        ("to", &s.to),
    ]);
    let view = RatingsView {
        lang,
        frame: Frame::new(title.to_string(), other_lang_href(lang, &query)),
        user: &user,
        menu: menu(lang, &user, Some(Route::OfficerRatings)),
        errors: Vec::new(),
        title,
        units,
        unit_name: s.unit_name.clone().unwrap_or_else(|| lang.t("Toàn bộ phạm vi", "My whole scope").to_string()),
        blocks: vec![
            block(lang, "dossiers", lang.t("Đánh giá hồ sơ", "Dossier ratings"), &s.dossiers),
            block(lang, "visits", lang.t("Đánh giá lượt phục vụ tại quầy", "Counter visit ratings"), &s.visits),
        ],
        from: s.from,
        to: s.to,
    };
    html(StatusCode::OK, &view)
}
