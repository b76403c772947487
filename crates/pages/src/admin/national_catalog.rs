//! Importing the national procedure database under `/quan-tri/thu-tuc/quoc-gia` (province
//! catalog administrators only): start an import, review the latest one's differences per
//! procedure and per field (old → new, in words), publish the procedures selected. The
//! import and the publication are the `national_catalog` use cases the API calls too.

use super::catalog::{ChangeRow, Shown, key_label, refuse, shown};
use crate::kit::layout::html;
use crate::kit::{Frame, Lang, PageForm, PageUser, Route, error_page, other_lang_href, see_other, with_lang};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::auth::CurrentUser;
use motcua_app::error::hanoi_time;
use motcua_app::usecases::national_catalog::{self as national, ImportError, ImportReport, PublishOutcome};
use motcua_domain::catalog_sync::EntryKind;
use motcua_domain::error::FieldError;
use serde::Deserialize;

struct EntryRow {
    code: String,
    name: String,
    kind: &'static str,
    done: bool,
    changes: Vec<ChangeRow>,
}

#[derive(Template)]
#[template(path = "admin/catalog/national.html")]
struct NationalView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    errors: &'a [FieldError],
    done: Option<String>,
    /// The latest import: when, and the counts in words.
    summary: Option<(String, String)>,
    entries: Vec<EntryRow>,
    import_errors: Vec<ImportError>,
    publish_errors: Vec<ImportError>,
}

/// "components.giay_moi" → "Thành phần hồ sơ: giay_moi"; a top-level field → its label.
fn change_row(lang: Lang, c: &motcua_domain::catalog::Change) -> ChangeRow {
    let (base, item) = c.field.split_once('.').unwrap_or((c.field.as_str(), ""));
    let label = if item.is_empty() { key_label(lang, base) } else { format!("{}: {item}", key_label(lang, base)) };
    ChangeRow { label, before: shown(lang, base, &c.before), after: shown(lang, base, &c.after) }
}

fn summary(lang: Lang, r: &ImportReport) -> (String, String) {
    let n = |k| r.count(k);
    let text = match lang {
        Lang::Vi => format!(
            "{} thủ tục trên CSDL quốc gia: {} mới, {} có thay đổi, {} không còn trên CSDL quốc gia, {} không thay đổi; {} lỗi. {} thủ tục riêng của tỉnh được giữ nguyên.",
            r.listed,
            n(EntryKind::New),
            n(EntryKind::Changed),
            n(EntryKind::Withdrawn),
            r.unchanged,
            r.errors.len(),
            r.local_only
        ),
        Lang::En => format!(
            "{} procedures in the national database: {} new, {} changed, {} withdrawn, {} unchanged; {} errors. {} local procedures kept as they are.",
            r.listed,
            n(EntryKind::New),
            n(EntryKind::Changed),
            n(EntryKind::Withdrawn),
            r.unchanged,
            r.errors.len(),
            r.local_only
        ),
    };
    (hanoi_time(r.at), text)
}

fn kind_label(lang: Lang, k: EntryKind) -> &'static str {
    match k {
        EntryKind::New => lang.t(k.label_vi(), "New procedure"),
        EntryKind::Changed => lang.t(k.label_vi(), "Changed"),
        EntryKind::Withdrawn => lang.t(k.label_vi(), "No longer in the national database"),
        EntryKind::Unchanged => lang.t(k.label_vi(), "Unchanged"),
    }
}

async fn render(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    done: Option<String>,
    publish_errors: Vec<ImportError>,
) -> Response {
    let report = match national::latest(ctx, &user.principal).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, e),
    };
    let here = Route::AdminNational.path();
    let view = NationalView {
        lang,
        frame: Frame::new(
            lang.t("Nhập danh mục từ CSDL quốc gia về TTHC", "Import from the national procedure database"),
            other_lang_href(lang, &here),
        ),
        user,
        errors: &[],
        done,
        summary: report.as_ref().map(|r| summary(lang, r)),
        entries: report
            .as_ref()
            .map(|r| {
                r.entries
                    .iter()
                    .map(|e| EntryRow {
                        code: e.code.clone(),
                        name: e.name.clone(),
                        kind: kind_label(lang, e.kind),
                        done: e.done,
                        changes: e.changes.iter().map(|c| change_row(lang, c)).collect(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        import_errors: report.map(|r| r.errors).unwrap_or_default(),
        publish_errors,
    };
    html(StatusCode::OK, &view)
}

#[derive(Deserialize)]
pub struct PageParams {
    ok: Option<String>,
}

/// `GET /quan-tri/thu-tuc/quoc-gia`.
pub async fn page(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser, Query(p): Query<PageParams>) -> Response {
    if let Some(r) = refuse(lang, &user) {
        return r;
    }
    let done = (p.ok.as_deref() == Some("imported")).then(|| {
        lang.t(
            "Đã nhập xong; xem các thay đổi bên dưới trước khi công bố.",
            "Imported; review the changes below before publishing.",
        )
        .to_string()
    });
    render(&ctx, lang, &user, done, Vec::new()).await
}

/// `POST /quan-tri/thu-tuc/quoc-gia/nhap`: imports, then shows the differences.
pub async fn import(State(ctx): State<AppContext>, lang: Lang, PageForm { user, .. }: PageForm) -> Response {
    if let Some(r) = refuse(lang, &user) {
        return r;
    }
    match national::import_configured(&ctx, &user.principal).await {
        Ok(_) => see_other(&with_lang(lang, &Route::AdminNational.with_query(&[("ok", "imported")]))),
        Err(e) => error_page(lang, e),
    }
}

/// `POST /quan-tri/thu-tuc/quoc-gia/cong-bo`: publishes the procedures ticked (`code`, repeated) from now.
pub async fn publish(State(ctx): State<AppContext>, lang: Lang, PageForm { user, fields }: PageForm) -> Response {
    if let Some(r) = refuse(lang, &user) {
        return r;
    }
    let codes: Vec<String> = fields.0.iter().filter(|(k, _)| k == "code").map(|(_, v)| v.clone()).collect();
    if codes.is_empty() {
        let e = ImportError {
            code: String::new(),
            field: "code".into(),
            error: "nothing_selected".into(),
            message_vi: "Chưa chọn thủ tục nào để công bố.".into(),
        };
        return render(&ctx, lang, &user, None, vec![e]).await;
    }
    match national::publish_selected(&ctx, &user.principal, &codes, motcua_app::now_ms()).await {
        Ok(PublishOutcome { published, abolished, errors }) => {
            let done = match lang {
                Lang::Vi => format!("Đã công bố {} thủ tục, bãi bỏ {} thủ tục.", published.len(), abolished.len()),
                Lang::En => format!("Published {} procedures, abolished {}.", published.len(), abolished.len()),
            };
            render(&ctx, lang, &user, Some(done), errors).await
        }
        Err(e) => error_page(lang, e),
    }
}
