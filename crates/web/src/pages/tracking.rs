//! `GET /tra-cuu`: public tracking of a dossier by its code and the last four digits of the
//! applicant's ID number or phone. It shows the status and the dates, never personal
//! data; a wrong second factor reads exactly like an unknown code.

use super::form::{error_summary, field_error, invalid_attrs, page, title_with_errors};
use super::{Lang, esc, other_lang_href, status_text, when};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::usecases::dossiers as uc;
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Deserialize)]
pub struct TrackQuery {
    code: Option<String>,
    check: Option<String>,
    lang: Option<String>,
}

pub async fn tracking_page(
    State(ctx): State<AppContext>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<TrackQuery>,
) -> Response {
    let lang = Lang::from_query(q.lang.as_deref());
    let asked = q.code.is_some() || q.check.is_some();
    let code = q.code.as_deref().unwrap_or("").trim().to_string();
    let check = q.check.as_deref().unwrap_or("").trim().to_string();
    let mut errors = Vec::new();
    let mut status = StatusCode::OK;
    let mut result = String::new();
    if asked {
        if code.is_empty() {
            errors.push(FieldError::new("code", "required", "Nhập mã hồ sơ.", "Enter the dossier code."));
        }
        if !(check.len() == 4 && check.bytes().all(|b| b.is_ascii_digit())) {
            errors.push(FieldError::new(
                "check",
                "invalid_check",
                "Nhập đúng 4 chữ số cuối của số định danh hoặc số điện thoại.",
                "Enter the last 4 digits of the ID number or phone.",
            ));
        }
        if errors.is_empty() {
            match uc::track(&ctx, &code, &check, peer.ip()).await {
                Ok(d) => {
                    result = format!(
                        r#"<section class="result" aria-labelledby="track-h"><h2 id="track-h">{h}</h2><dl class="summary">
<dt>{code_l}</dt><dd>{code}</dd><dt>{proc_l}</dt><dd>{proc}</dd><dt>{status_l}</dt><dd><strong class="status">{status}</strong></dd>
<dt>{rec_l}</dt><dd>{rec}</dd><dt>{appt_l}</dt><dd>{appt}</dd><dt>{fin_l}</dt><dd>{fin}</dd><dt>{ret_l}</dt><dd>{ret}</dd>
<dt>{where_l}</dt><dd>{where_}</dd></dl></section>"#,
                        h = lang.t("Kết quả tra cứu", "Result"),
                        code_l = lang.t("Mã hồ sơ", "Dossier code"),
                        code = esc(d.code.as_deref().unwrap_or("")),
                        proc_l = lang.t("Thủ tục", "Procedure"),
                        proc = esc(&d.procedure.name),
                        status_l = lang.t("Tình trạng", "Status"),
                        status = esc(&status_text(lang, d.status)),
                        rec_l = lang.t("Tiếp nhận lúc", "Received at"),
                        rec = when(d.received_at),
                        appt_l = lang.t("Ngày hẹn trả kết quả", "Result due on"),
                        appt = when(d.appointment_at),
                        fin_l = lang.t("Có kết quả lúc", "Result issued at"),
                        fin = when(d.finished_at),
                        ret_l = lang.t("Trả kết quả lúc", "Result returned at"),
                        ret = when(d.returned.as_ref().map(|r| r.at)),
                        where_l = lang.t("Đang ở", "Now at"),
                        where_ = esc(&d.current_agency().name),
                    );
                }
                Err(AppError::NotFound { .. }) => {
                    status = StatusCode::NOT_FOUND;
                    errors.push(FieldError::new(
                        "code",
                        "not_found",
                        "Không tìm thấy hồ sơ với mã và 4 chữ số này; kiểm tra lại mã trên giấy tiếp nhận.",
                        "No dossier matches this code and these 4 digits; check the code on your receipt.",
                    ));
                }
                Err(e) => return super::form::error_page(lang, e),
            }
        } else {
            status = StatusCode::UNPROCESSABLE_ENTITY;
        }
    }
    let title = lang.t("Tra cứu tình trạng hồ sơ", "Track a dossier");
    let body = format!(
        r#"{summary}<h1>{title}</h1>
<p>{intro}</p>
<form class="stack narrow" method="get" action="/tra-cuu" novalidate>
{langf}<div class="field">{cerr}<label for="code">{code_l}</label><p class="hint" id="code-hint">{code_h}</p><input id="code" name="code" type="text" autocomplete="off" spellcheck="false" value="{code}" aria-describedby="{cdesc}"{cinv}></div>
<div class="field">{kerr}<label for="check">{check_l}</label><input id="check" name="check" type="text" inputmode="numeric" autocomplete="off" maxlength="4" class="w4" value="{check}"{kattr}></div>
<button type="submit">{go}</button>
</form>
{result}"#,
        summary = error_summary(lang, &errors),
        intro = lang.t(
            "Nhập mã hồ sơ ghi trên giấy tiếp nhận và 4 chữ số cuối của số định danh cá nhân hoặc số điện thoại của người nộp.",
            "Enter the code on your receipt and the last 4 digits of the applicant's ID number or phone."
        ),
        langf = if lang == Lang::En { r#"<input type="hidden" name="lang" value="en">"# } else { "" },
        cerr = field_error(lang, &errors, "code"),
        code_l = lang.t("Mã hồ sơ", "Dossier code"),
        code_h = lang.t("Ví dụ: 000.00.20.H40-260302-0001", "For example: 000.00.20.H40-260302-0001"),
        code = esc(&code),
        cdesc = if errors.iter().any(|e| e.field == "code") { "code-hint code-error" } else { "code-hint" },
        cinv = if errors.iter().any(|e| e.field == "code") { r#" aria-invalid="true""# } else { "" },
        kerr = field_error(lang, &errors, "check"),
        check_l = lang.t("4 chữ số cuối số định danh hoặc số điện thoại", "Last 4 digits of the ID number or phone"),
        check = esc(&check),
        kattr = invalid_attrs(&errors, "check"),
        go = lang.t("Tra cứu", "Look up"),
    );
    let path = if asked {
        format!("/tra-cuu?code={}&check={}", super::catalog::urlencode(&code), super::catalog::urlencode(&check))
    } else {
        "/tra-cuu".to_string()
    };
    page(status, lang, &title_with_errors(lang, title, &errors), &other_lang_href(lang, &path), &body)
}
