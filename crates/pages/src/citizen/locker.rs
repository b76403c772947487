//! `GET /ca-nhan/kho-du-lieu`: the citizen's data locker (kho dữ liệu): the results issued to
//! them and the certified copies of their documents, with their validity, each downloadable
//! (through the API with the page session; the download is recorded as a document read).

use super::{citizen_only, not_citizen};
use crate::kit::layout::html;
use crate::kit::{Frame, Lang, PageUser, Route, error_page, other_lang_href, size, when};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::locker::{self, LockerRecord};
use motcua_domain::locker::ItemKind;

/// A row of the locker.
pub(crate) struct ItemRow {
    pub id: String,
    pub title: String,
    pub kind: &'static str,
    pub from: String,
    pub issued: String,
    pub valid_until: String,
    pub status_code: &'static str,
    pub status: &'static str,
    pub size: String,
    pub href: String,
}

pub(crate) fn row(lang: Lang, i: &LockerRecord, now: i64) -> ItemRow {
    let kind = ItemKind::parse(&i.kind).map_or("", |k| lang.t(k.label_vi(), k.label_en()));
    let status_code = locker::status(i, now);
    let status = match status_code {
        "valid" => lang.t("Còn hiệu lực", "Valid"),
        "expired" => lang.t("Hết hiệu lực", "Expired"),
        _ => lang.t("Đã thu hồi", "Revoked"),
    };
    ItemRow {
        id: i.id.clone(),
        title: i.title.clone(),
        kind,
        from: i.source_dossier_id.clone().unwrap_or_default(),
        issued: when(Some(i.issued_at)),
        valid_until: i.valid_until.map_or_else(|| lang.t("Không thời hạn", "No end").to_string(), |v| when(Some(v))),
        status_code,
        status,
        size: size(i.size),
        href: Route::LockerFile(&i.id).path(),
    }
}

#[derive(Template)]
#[template(path = "citizen/locker.html")]
struct LockerView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    rows: Vec<ItemRow>,
    max: i64,
}

/// `GET /ca-nhan/kho-du-lieu`: the signed-in citizen's locker, newest first (bounded).
pub async fn my_locker(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser) -> Response {
    if !citizen_only(&user) {
        return not_citizen(lang);
    }
    let items = match locker::mine(&ctx, &user).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let now = ctx.clock.now_ms();
    let rows = items.iter().map(|i| row(lang, i, now)).collect();
    let frame = Frame::new(lang.t("Kho dữ liệu của tôi", "My data locker"), other_lang_href(lang, &Route::MyLocker.path()));
    html(StatusCode::OK, &LockerView { lang, frame, user: &user, rows, max: locker::MAX_PER_OWNER })
}
