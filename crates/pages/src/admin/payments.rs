//! `/quan-tri/doi-soat-thanh-toan`: the daily reconciliation of the payment gateway's
//! settlements with the recorded payments (issue #17), as a province administrator sees it:
//! the latest runs with their mismatches, and a form to reconcile a day now. The same use
//! cases as `/api/v1/payments/reconciliations`, which check the permission.

use super::{errors_of, status_of};
use crate::kit::fmt::second_day;
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageForm, PageUser, Route, error_page, other_lang_href, see_other, title_with_errors, with_lang};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::dossiers::payments::{self as uc, Reconciled};
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct DayForm {
    #[serde(default)]
    date: String,
}

#[derive(Template)]
#[template(path = "admin/payments.html")]
struct PaymentsView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    title: &'a str,
    enabled: bool,
    date: String,
    runs: Vec<Reconciled>,
}

impl PaymentsView<'_> {
    fn when(&self, ms: &i64) -> String {
        second_day(*ms)
    }
    fn kind(&self, k: &str) -> &'static str {
        match k {
            "missing_settlement" => self.lang.t("Đã ghi nhận, ngân hàng chưa quyết toán", "Recorded, not settled by the bank"),
            "settlement_without_payment" => {
                self.lang.t("Ngân hàng quyết toán, chưa ghi nhận", "Settled by the bank, not recorded")
            }
            _ => self.lang.t("Số tiền khác nhau", "Amounts differ"),
        }
    }
    fn amount(&self, a: &Option<i64>) -> String {
        a.map_or_else(|| "—".into(), crate::kit::money)
    }
}

async fn render(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    status: StatusCode,
    errors: Vec<FieldError>,
    date: String,
) -> Response {
    let runs = match uc::reconciliations(ctx, Some(user)).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, e),
    };
    let title = lang.t("Đối soát thanh toán trực tuyến", "Online payment reconciliation");
    let view = PaymentsView {
        lang,
        frame: Frame::new(title_with_errors(lang, title, &errors), other_lang_href(lang, &Route::AdminPayments.path())),
        user,
        menu: menu(lang, user, Route::AdminPayments),
        errors,
        title,
        enabled: ctx.config.payment.enabled,
        date,
        runs,
    };
    html(status, &view)
}

/// `GET /quan-tri/doi-soat-thanh-toan`.
pub async fn page(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser) -> Response {
    render(&ctx, lang, &user, StatusCode::OK, Vec::new(), String::new()).await
}

/// `POST /quan-tri/doi-soat-thanh-toan` (`date`): reconciles that day now.
pub async fn reconcile(State(ctx): State<AppContext>, lang: Lang, PageForm { user, fields }: PageForm) -> Response {
    let form: DayForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let Ok(day) = form.date.trim().parse::<jiff::civil::Date>() else {
        let e = FieldError::new("date", "invalid_date", "Nhập ngày theo dạng năm-tháng-ngày.", "Enter a date as year-month-day.");
        return render(&ctx, lang, &user, StatusCode::UNPROCESSABLE_ENTITY, vec![e], form.date).await;
    };
    match uc::reconcile(&ctx, Some(&user), day).await {
        Ok(_) => see_other(&with_lang(lang, &Route::AdminPayments.path())),
        Err(e @ AppError::Forbidden) => error_page(lang, e),
        Err(e) => render(&ctx, lang, &user, status_of(&e), errors_of(&e, "", "date"), form.date).await,
    }
}
