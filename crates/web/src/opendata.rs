//! Open data: the published catalog as JSON and CSV (UTF-8 with BOM for Excel), with
//! metadata (title, publisher, licence, last modified), and an index of the datasets.

use crate::error::ApiResult;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use motcua_app::usecases::catalog;
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

/// The index of open datasets.
pub async fn index(State(ctx): State<AppContext>) -> ApiResult<Json<Value>> {
    let p = publisher(&ctx).await?;
    let m = modified(&ctx).await?;
    Ok(Json(json!({
        "publisher": p,
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
        }]
    })))
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
