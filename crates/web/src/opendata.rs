//! Open data: the published catalog as JSON and CSV (UTF-8 with BOM for Excel), with
//! metadata (title, publisher, licence, last modified), and an index of the datasets.
//!
//! Open statistics (issue #16): per complete past month, `/open-data/thong-ke/YYYY-MM.csv`
//! and `.json`, one row per unit with counters and procedure (received by channel, on-time
//! rate, median and 90th percentile of the processing time, satisfaction), small counts
//! suppressed (`usecases::reports`). No personal data: only counters are read. A month not
//! ended yet is 404, a malformed one 400. Cacheable (public, ETag and Last-Modified).

use crate::error::ApiResult;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use motcua_app::usecases::catalog;
use motcua_app::usecases::reports::{self, OpenMonth};
use motcua_app::{AppContext, AppError};
use serde_json::{Value, json};

const LICENCE: &str = "CC-BY-4.0";
const LICENCE_URL: &str = "https://creativecommons.org/licenses/by/4.0/";

async fn publisher(ctx: &AppContext) -> Result<String, AppError> {
    let roots = ctx
        .store
        .read(|db| {
            motcua_store::repo::agencies::list(
                db,
                &motcua_store::repo::agencies::AgencyFilter {
                    kind: Some(motcua_domain::agency::AgencyKind::Province),
                    limit: 1,
                    ..Default::default()
                },
            )
            .map_err(AppError::from)
        })
        .await?;
    Ok(roots.0.into_iter().next().map_or_else(|| "motcua".to_string(), |a| a.name))
}

async fn modified(ctx: &AppContext) -> Result<Option<jiff::Timestamp>, AppError> {
    let ms = ctx.store.read(|db| motcua_store::repo::catalog::last_modified(db).map_err(AppError::from)).await?;
    Ok(ms.and_then(|m| jiff::Timestamp::from_millisecond(m).ok()))
}

fn last_modified_header(r: &mut Response, t: Option<jiff::Timestamp>) {
    if let Some(t) = t
        && let Ok(v) = HeaderValue::from_str(&t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        r.headers_mut().insert(header::LAST_MODIFIED, v);
    }
}

fn meta(publisher: &str, modified: Option<jiff::Timestamp>, count: usize) -> Value {
    json!({
        "title": "Danh mục thủ tục hành chính đang có hiệu lực",
        "title_en": "Administrative procedures in force",
        "publisher": publisher,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "modified": modified.map(motcua_app::calendar::vn_rfc3339),
        "count": count,
    })
}

/// The title of the monthly statistics (the index, the JSON's metadata, the page).
pub const STATS_TITLE: &str = "Thống kê giải quyết thủ tục hành chính theo tháng";
pub const STATS_TITLE_EN: &str = "Monthly statistics of administrative procedures";

/// The path of a month's statistics in `ext` (`csv`, `json`).
pub fn stats_path(month: &str, ext: &str) -> String {
    format!("/open-data/thong-ke/{month}.{ext}")
}

/// The index of open datasets.
pub async fn index(State(ctx): State<AppContext>) -> ApiResult<Json<Value>> {
    let p = publisher(&ctx).await?;
    let m = modified(&ctx).await?;
    let months = reports::open_months(&ctx).await?;
    let stats: Vec<Value> = months
        .iter()
        .map(|month| {
            let k = month.key();
            json!({
                "period": k,
                "distributions": [
                    {"format": "JSON", "media_type": "application/json", "url": stats_path(&k, "json")},
                    {"format": "CSV", "media_type": "text/csv; charset=utf-8", "url": stats_path(&k, "csv")}
                ]
            })
        })
        .collect();
    Ok(Json(json!({
        "publisher": p,
        "page": "/du-lieu-mo",
        "datasets": [{
            "id": "procedures",
            "title": "Danh mục thủ tục hành chính đang có hiệu lực",
            "description": "Mọi thủ tục hành chính đang có hiệu lực của tỉnh và cấp xã, đủ bảy bộ phận cấu thành, phí, lệ phí, căn cứ pháp lý.",
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "modified": m.map(motcua_app::calendar::vn_rfc3339),
            "distributions": [
                {"format": "JSON", "media_type": "application/json", "url": "/open-data/procedures.json"},
                {"format": "CSV", "media_type": "text/csv; charset=utf-8", "url": "/open-data/procedures.csv"}
            ]
        }, {
            "id": "monthly-statistics",
            "title": STATS_TITLE,
            "title_en": STATS_TITLE_EN,
            "description": "Theo từng tháng đã kết thúc, từng đơn vị có bộ phận một cửa và từng thủ tục: số hồ sơ tiếp nhận theo kênh (trực tiếp, trực tuyến, bưu chính), tỷ lệ giải quyết trước và đúng hạn, trung vị và phân vị 90 thời gian giải quyết, tỷ lệ hài lòng. Không có dữ liệu cá nhân; số liệu tính từ dưới 5 hồ sơ được để trống.",
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "suppression_rule": reports::SUPPRESSION_RULE_VI,
            "url_template": "/open-data/thong-ke/{YYYY-MM}.{csv|json}",
            "months": stats
        }]
    })))
}

/// Validators and cache headers of a month's file; `304` when the client holds it already.
fn cached(mut r: Response, m: &OpenMonth, etag: &str, headers: &HeaderMap) -> Response {
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if fresh {
        r = StatusCode::NOT_MODIFIED.into_response();
    }
    if let Ok(v) = HeaderValue::from_str(etag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    // A complete month's figures are public and change rarely (a rebuild of the counters).
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    if let Ok(v) = HeaderValue::from_str(&format!("<{LICENCE_URL}>; rel=\"license\"")) {
        r.headers_mut().insert(header::LINK, v);
    }
    last_modified_header(&mut r, jiff::Timestamp::from_millisecond(m.closed_at_ms).ok());
    r
}

fn stats_json(publisher: &str, generated_at: String, m: &OpenMonth) -> Value {
    let (from, to) = m.period.days();
    let items: Vec<Value> = m
        .rows
        .iter()
        .map(|r| {
            let mut item = json!({
                "month": m.period.key(),
                "unit_code": r.unit_code,
                "unit_name": r.unit_name,
                "procedure_code": r.procedure_code,
                "procedure_name": r.procedure_name,
                "received": r.received,
                "received_counter": r.received_counter,
                "received_online": r.received_online,
                "received_postal": r.received_postal,
                "finished": r.finished,
                "on_time_rate": r.on_time_rate,
                "median_days": r.median_days,
                "p90_days": r.p90_days,
                "rated": r.rated,
                "satisfaction_rate": r.satisfaction_rate,
                "response_rate": r.response_rate,
                "suppressed": !r.suppressed.is_empty(),
            });
            if !r.suppressed.is_empty() {
                item["suppressed_fields"] = json!(r.suppressed);
            }
            item
        })
        .collect();
    json!({
        "title": format!("{STATS_TITLE} – {}", m.period.label_vi().to_lowercase()),
        "title_en": format!("{STATS_TITLE_EN} – {}", m.period.key()),
        "publisher": publisher,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "period": m.period.key(),
        "from": from.to_string(),
        "to": to.to_string(),
        "generated_at": generated_at,
        "suppression": {
            "min_dossiers": reports::MIN_DOSSIERS,
            "rule": reports::SUPPRESSION_RULE_VI,
            "rule_en": reports::SUPPRESSION_RULE_EN,
        },
        "units": "Đơn vị có bộ phận một cửa: UBND tỉnh (các sở, ngành tiếp nhận tại Trung tâm Phục vụ hành chính công tỉnh) và từng xã, phường; hồ sơ tính cho cơ quan có thẩm quyền giải quyết.",
        "fields": reports::OPEN_FIELDS.iter().map(|(name, vi)| json!({"name": name, "description": vi})).collect::<Vec<_>>(),
        "count": items.len(),
        "items": items,
    })
}

/// `GET /open-data/thong-ke/{YYYY-MM}.csv|.json`: a complete past month's statistics.
pub async fn stats(State(ctx): State<AppContext>, Path(file): Path<String>, headers: HeaderMap) -> ApiResult<Response> {
    let (month, ext) = match file.rsplit_once('.') {
        Some((m, e @ ("csv" | "json"))) => (m, e),
        _ => {
            return Err(AppError::Refused {
                http: 404,
                code: "not_found",
                vi: "Không có tệp này: thống kê tháng có dạng YYYY-MM.csv hoặc YYYY-MM.json.".into(),
                en: "No such file: a month's statistics are YYYY-MM.csv or YYYY-MM.json.".into(),
            }
            .into());
        }
    };
    let m = reports::open_month(&ctx, month).await?;
    let etag = m.etag();
    let r = if ext == "csv" {
        let mut r = reports::open_table(&m).to_csv().into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
        if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"thong-ke-{}.csv\"", m.period.key())) {
            r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
        cached(r, &m, &etag, &headers)
    } else {
        let p = publisher(&ctx).await?;
        let now = jiff::Timestamp::from_millisecond(ctx.clock.now_ms()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let body = stats_json(&p, motcua_app::calendar::vn_rfc3339(now), &m);
        // The JSON carries the time it was made; the figures, and so the validator, do not change with it.
        let etag = format!("{}-json\"", etag.trim_end_matches('"'));
        cached(Json(body).into_response(), &m, &etag, &headers)
    };
    Ok(r)
}

pub async fn procedures_json(State(ctx): State<AppContext>) -> ApiResult<Response> {
    let all = catalog::all_in_force(&ctx, None).await?;
    let p = publisher(&ctx).await?;
    let m = modified(&ctx).await?;
    let mut body = meta(&p, m, all.len());
    body["items"] = Value::Array(
        all.into_iter()
            .map(|v| {
                let mut item = serde_json::to_value(&v.spec).unwrap_or(Value::Null);
                item["version"] = json!(v.version);
                item["effective_from"] = json!(crate::api::catalog::effective_day(v.effective_from).map(|d| d.to_string()));
                item
            })
            .collect(),
    );
    let mut r = Json(body).into_response();
    last_modified_header(&mut r, m);
    Ok(r)
}

pub async fn procedures_csv(State(ctx): State<AppContext>) -> ApiResult<Response> {
    let all = catalog::all_in_force(&ctx, None).await?;
    let m = modified(&ctx).await?;
    let rows: Vec<_> = all.into_iter().map(|v| (v.spec, crate::api::catalog::effective_day(v.effective_from))).collect();
    let mut r = motcua_documents::export_csv(&rows).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    r.headers_mut().insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline; filename=\"thu-tuc-hanh-chinh.csv\""));
    if let Ok(v) = HeaderValue::from_str(&format!("<{LICENCE_URL}>; rel=\"license\"")) {
        r.headers_mut().insert(header::LINK, v);
    }
    last_modified_header(&mut r, m);
    Ok(r)
}
