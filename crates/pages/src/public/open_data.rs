//! `/du-lieu-mo`: the open data for people (issue #16): the datasets, their licence, and the
//! monthly statistics published (every complete past month with dossiers), each as CSV and
//! JSON. The files themselves are served by `motcua-web` under `/open-data/`.

use crate::kit::layout::html;
use crate::kit::{Frame, Lang, Route, error_page, other_lang_href};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::usecases::reports;

/// One month published.
struct MonthLink {
    label: String,
    csv: String,
    json: String,
}

#[derive(Template)]
#[template(path = "public/open_data.html")]
struct OpenDataView {
    lang: Lang,
    frame: Frame,
    procedures_json: String,
    procedures_csv: String,
    index: String,
    months: Vec<MonthLink>,
    min_dossiers: i64,
    rule: &'static str,
}

/// `GET /du-lieu-mo`.
pub async fn page(State(ctx): State<AppContext>, lang: Lang) -> Response {
    let months = match reports::open_months(&ctx).await {
        Ok(m) => m,
        Err(e) => return error_page(lang, e),
    };
    let months = months
        .iter()
        .map(|m| {
            let key = m.key();
            MonthLink {
                label: match lang {
                    Lang::Vi => m.label_vi(),
                    Lang::En => key.clone(),
                },
                csv: Route::OpenStats(&format!("{key}.csv")).path(),
                json: Route::OpenStats(&format!("{key}.json")).path(),
            }
        })
        .collect();
    let view = OpenDataView {
        lang,
        frame: Frame::new(lang.t("Dữ liệu mở", "Open data"), other_lang_href(lang, &Route::OpenDataPage.path())),
        procedures_json: Route::OpenDataFile("procedures.json").path(),
        procedures_csv: Route::OpenDataFile("procedures.csv").path(),
        index: Route::OpenData.path(),
        months,
        min_dossiers: reports::MIN_DOSSIERS,
        rule: lang.t(reports::SUPPRESSION_RULE_VI, reports::SUPPRESSION_RULE_EN),
    };
    html(StatusCode::OK, &view)
}
