//! `/danh-gia`: a counter applicant rates the service at return (issue #11 item 15), on the
//! second screen, a kiosk or their phone, with the dossier code and the one-time rating code
//! printed on their receipt. No account; the two codes are the proof, checked (and throttled
//! like tracking) by `rate_at_counter`.

use crate::kit::form::{FormFields, app_field_errors, has_error};
use crate::kit::http::origin_ok;
use crate::kit::layout::html;
use crate::kit::session::origin_refused;
use crate::kit::{Frame, Lang, Route, error_page, other_lang_href, title_with_errors};
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use motcua_app::usecases::dossiers as uc;
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use serde::Deserialize;
use std::net::SocketAddr;

/// The rating form: the two codes of the receipt, the answer (`yes`/`no`, absent until
/// chosen) and an optional comment.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RatingForm {
    code: String,
    rating_code: String,
    satisfied: Option<String>,
    comment: String,
}

impl RatingForm {
    fn satisfied(&self) -> Option<bool> {
        match self.satisfied.as_deref() {
            Some("yes") => Some(true),
            Some("no") => Some(false),
            _ => None,
        }
    }
}

#[derive(Template)]
#[template(path = "public/rating.html")]
struct RatingView {
    lang: Lang,
    frame: Frame,
    errors: Vec<FieldError>,
    code: String,
    rating_code: String,
    comment: String,
    satisfied: Option<bool>,
    done: bool,
}

impl RatingView {
    fn has(&self, field: &str) -> bool {
        has_error(&self.errors, field)
    }
}

fn page(status: StatusCode, view: RatingView) -> Response {
    html(status, &view)
}

fn view(lang: Lang, f: &RatingForm, errors: Vec<FieldError>, done: bool) -> RatingView {
    let title = title_with_errors(lang, lang.t("Đánh giá mức độ hài lòng", "Rate the service"), &errors);
    RatingView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &Route::CounterRating.path())),
        errors,
        code: f.code.clone(),
        rating_code: f.rating_code.clone(),
        comment: f.comment.clone(),
        satisfied: f.satisfied(),
        done,
    }
}

pub async fn form(lang: Lang) -> Response {
    page(StatusCode::OK, view(lang, &RatingForm::default(), Vec::new(), false))
}

pub async fn submit(
    State(ctx): State<AppContext>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    lang: Lang,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if !origin_ok(&headers) {
        return origin_refused(lang);
    }
    let f: RatingForm = match FormFields(f).typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let mut errors = Vec::new();
    if f.code.trim().is_empty() {
        errors.push(FieldError::new(
            "code",
            "required",
            "Nhập mã hồ sơ ghi trên giấy tiếp nhận.",
            "Enter the dossier code on your receipt.",
        ));
    }
    if f.rating_code.trim().is_empty() {
        errors.push(FieldError::new(
            "rating_code",
            "required",
            "Nhập mã đánh giá ghi trên giấy tiếp nhận.",
            "Enter the rating code on your receipt.",
        ));
    }
    let satisfied = f.satisfied();
    if satisfied.is_none() {
        errors.push(FieldError::new(
            "satisfied",
            "required",
            "Chọn hài lòng hoặc không hài lòng.",
            "Choose satisfied or not satisfied.",
        ));
    }
    if !errors.is_empty() {
        return page(StatusCode::UNPROCESSABLE_ENTITY, view(lang, &f, errors, false));
    }
    let comment = Some(f.comment.clone()).filter(|c| !c.trim().is_empty());
    let code = f.code.trim().to_ascii_uppercase();
    match uc::rate_at_counter(&ctx, &code, f.rating_code.trim(), satisfied.unwrap_or(false), comment, Vec::new(), peer.ip()).await
    {
        Ok(_) => page(StatusCode::OK, view(lang, &RatingForm::default(), Vec::new(), true)),
        Err(AppError::NotFound { .. }) => {
            let e = FieldError::new(
                "code",
                "not_found",
                "Không tìm thấy hồ sơ với mã hồ sơ và mã đánh giá này; kiểm tra lại giấy tiếp nhận.",
                "No dossier matches this code and rating code; check your receipt.",
            );
            page(StatusCode::NOT_FOUND, view(lang, &f, vec![e], false))
        }
        // Not yet resolved, already rated, a comment too long: said on the form.
        Err(e @ (AppError::Validation(_) | AppError::Transition { .. } | AppError::Conflict { .. })) => {
            page(StatusCode::UNPROCESSABLE_ENTITY, view(lang, &f, app_field_errors(&e, "code"), false))
        }
        Err(e) => error_page(lang, e),
    }
}
