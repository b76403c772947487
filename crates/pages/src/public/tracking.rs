//! `GET /tra-cuu`: public tracking of a dossier by its code and the last four digits of the
//! applicant's ID number or phone. It shows the status and the dates, never personal
//! data; a wrong second factor reads exactly like an unknown code.

use crate::kit::ClientAddr;
use crate::kit::form::has_error;
use crate::kit::layout::html;
use crate::kit::{Frame, Lang, Route, error_page, other_lang_href, status_text, title_with_errors, when};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::usecases::dossiers as uc;
use motcua_app::{AppContext, AppError};
use motcua_domain::dossier::Dossier;
use motcua_domain::error::FieldError;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct TrackQuery {
    code: Option<String>,
    check: Option<String>,
}

#[derive(Template)]
#[template(path = "public/tracking.html")]
struct TrackingView {
    lang: Lang,
    frame: Frame,
    errors: Vec<FieldError>,
    code: String,
    check: String,
    found: Option<Found>,
}

/// What tracking shows of a dossier: no personal data.
struct Found {
    code: String,
    procedure: String,
    status: String,
    received: String,
    appointment: String,
    finished: String,
    returned: String,
    agency: String,
}

impl Found {
    fn of(lang: Lang, d: &Dossier) -> Self {
        Found {
            // Before reception the dossier has only its filing reference.
            code: d.code.clone().or_else(|| d.filing_reference.clone()).unwrap_or_default(),
            procedure: d.procedure.name.clone(),
            status: status_text(lang, d.status),
            received: when(d.received_at),
            appointment: when(d.appointment_at),
            finished: when(d.finished_at),
            returned: when(d.returned.as_ref().map(|r| r.at)),
            agency: d.current_agency().name.clone(),
        }
    }
}

pub async fn page(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    lang: Lang,
    Query(q): Query<TrackQuery>,
) -> Response {
    let asked = q.code.is_some() || q.check.is_some();
    let code = q.code.as_deref().unwrap_or("").trim().to_string();
    let check = q.check.as_deref().unwrap_or("").trim().to_string();
    let mut errors = Vec::new();
    let mut status = StatusCode::OK;
    let mut found = None;
    if asked {
        if code.is_empty() {
            errors.push(FieldError::new("code", "required", "Nhập mã hồ sơ.", "Enter the dossier code."));
        }
        if uc::tracking_check(&check).is_none() {
            errors.push(FieldError::new(
                "check",
                "invalid_check",
                "Nhập 4 chữ số cuối (hoặc cả số) của số định danh hoặc số điện thoại.",
                "Enter the last 4 digits (or the whole number) of the ID number or phone.",
            ));
        }
        if errors.is_empty() {
            match uc::track(&ctx, &code, &check, client).await {
                Ok(d) => found = Some(Found::of(lang, &d)),
                Err(AppError::NotFound { .. }) => {
                    status = StatusCode::NOT_FOUND;
                    errors.push(FieldError::new(
                        "code",
                        "not_found",
                        "Không tìm thấy hồ sơ với mã và 4 chữ số này; kiểm tra lại mã trên giấy tiếp nhận.",
                        "No dossier matches this code and these 4 digits; check the code on your receipt.",
                    ));
                }
                Err(e) => return error_page(lang, e),
            }
        } else {
            status = StatusCode::UNPROCESSABLE_ENTITY;
        }
    }
    let path = if asked {
        Route::Tracking.path()
            + "?code="
            + &crate::kit::route::urlencode(&code)
            + "&check="
            + &crate::kit::route::urlencode(&check)
    } else {
        Route::Tracking.path()
    };
    let title = title_with_errors(lang, lang.t("Tra cứu tình trạng hồ sơ", "Track a dossier"), &errors);
    let view = TrackingView { lang, frame: Frame::new(title, other_lang_href(lang, &path)), errors, code, check, found };
    html(status, &view)
}

impl TrackingView {
    fn code_has_error(&self) -> bool {
        has_error(&self.errors, "code")
    }

    fn check_has_error(&self) -> bool {
        has_error(&self.errors, "check")
    }
}
