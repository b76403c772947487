//! `/ho-so-cua-toi/{id}/thanh-toan`: the applicant pays the noticed fees online (issue #17):
//! the amounts, the total and the gateway; the button sends the browser to the gateway with
//! the signed request (`usecases::dossiers::payments`). The gateway's verified callback, not
//! this page, records the payment.

use super::dossiers::fee_name;
use super::{citizen_only, load, not_citizen};
use crate::kit::ClientAddr;
use crate::kit::layout::html;
use crate::kit::{Frame, Lang, PageForm, PageUser, Route, error_page, money, other_lang_href, see_other};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::dossiers::payments;
use motcua_domain::dossier::{Dossier, Status};

#[derive(Template)]
#[template(path = "citizen/pay.html")]
struct PayView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    d: &'a Dossier,
    code: String,
    items: Vec<(String, String)>,
    total: String,
    /// Payable online now (awaiting payment, an amount, the gateway on).
    payable: bool,
    /// The gateway as the applicant knows it.
    gateway: &'static str,
    paid: bool,
}

/// `GET /ho-so-cua-toi/{id}/thanh-toan`.
pub async fn page(State(ctx): State<AppContext>, lang: Lang, Path(id): Path<String>, PageUser(user): PageUser) -> Response {
    if !citizen_only(&user) {
        return not_citizen(lang);
    }
    let (d, _) = match load(&ctx, lang, &user, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let total: i64 = d.fees.iter().map(|f| f.amount).sum();
    let view = PayView {
        lang,
        frame: Frame::new(lang.t("Thanh toán phí, lệ phí", "Pay the fees"), other_lang_href(lang, &Route::Pay(&d.id).path())),
        user: &user,
        d: &d,
        code: d.code.clone().unwrap_or_default(),
        items: d.fees.iter().map(|f| (fee_name(lang, f), money(f.amount))).collect(),
        total: money(total),
        payable: ctx.config.payment.enabled && d.status == Status::AwaitingPayment && total > 0,
        gateway: payments::gateway_label(&ctx),
        paid: d.payment.is_some(),
    };
    html(StatusCode::OK, &view)
}

/// `POST /ho-so-cua-toi/{id}/thanh-toan`: to the gateway.
pub async fn start(
    State(ctx): State<AppContext>,
    lang: Lang,
    ClientAddr(client): ClientAddr,
    Path(id): Path<String>,
    form: PageForm,
) -> Response {
    let PageForm { user, .. } = form;
    if !citizen_only(&user) {
        return not_citizen(lang);
    }
    match payments::start_online(&ctx, &user, &id, &client.to_string()).await {
        Ok(url) => see_other(&url),
        Err(e) => error_page(lang, e),
    }
}
