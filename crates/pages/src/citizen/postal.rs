//! `GET/POST /ho-so-cua-toi/{id}/buu-chinh`: the applicant's choice, on their draft, to send
//! the dossier and/or receive the result by the public postal service (QĐ 45/2016), with the
//! address in the province. Optional: the review page links here; posting the choice is the
//! ordinary `choose_postal` command, then back to the review.

use super::filing::draft;
use crate::kit::form::checkbox;
use crate::kit::layout::html;
use crate::kit::{
    Frame, Lang, PageForm, PageUser, Route, app_field_errors, error_page, other_lang_href, see_other, title_with_errors,
};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::dossiers::{self as uc, Request};
use motcua_app::{AppContext, AppError};
use motcua_domain::dossier::{AdminUnit, Command, Dossier, Province};
use motcua_domain::error::FieldError;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PostalForm {
    #[serde(deserialize_with = "checkbox")]
    result_by_post: bool,
    #[serde(deserialize_with = "checkbox")]
    dossier_by_post: bool,
    recipient: String,
    phone: String,
    commune_code: String,
    street: String,
    version: String,
}

#[derive(Template)]
#[template(path = "citizen/postal.html")]
struct PostalView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    errors: &'a [FieldError],
    d: &'a Dossier,
    province: &'a Province,
    form: PostalForm,
}

impl PostalView<'_> {
    fn communes(&self) -> &[AdminUnit] {
        &self.province.communes
    }
}

/// The form as last saved on the draft, else prefilled from the applicant.
fn saved(d: &Dossier) -> PostalForm {
    match &d.postal {
        Some(p) => PostalForm {
            result_by_post: p.result_by_post,
            dossier_by_post: p.dossier_by_post,
            recipient: p.address.recipient.clone(),
            phone: p.address.phone.clone(),
            commune_code: p.address.commune_code.clone(),
            street: p.address.street.clone(),
            version: String::new(),
        },
        None => PostalForm {
            result_by_post: true,
            recipient: d.applicant.name.clone(),
            phone: d.applicant.phone.clone().unwrap_or_default(),
            ..PostalForm::default()
        },
    }
}

async fn page(
    ctx: &AppContext,
    lang: Lang,
    status: StatusCode,
    user: &CurrentUser,
    d: &Dossier,
    form: PostalForm,
    errors: &[FieldError],
) -> Response {
    let province = match uc::province(ctx, &d.receiving.path).await {
        Ok(p) => p,
        Err(e) => return error_page(lang, e),
    };
    let title = lang.t("Nộp hồ sơ, nhận kết quả qua bưu chính", "Filing and result by post");
    let view = PostalView {
        lang,
        frame: Frame::new(title_with_errors(lang, title, errors), other_lang_href(lang, &Route::Postal(&d.id).path())),
        user,
        errors,
        d,
        province: &province,
        form,
    };
    html(status, &view)
}

/// `GET /ho-so-cua-toi/{id}/buu-chinh`.
pub async fn form(State(ctx): State<AppContext>, lang: Lang, Path(id): Path<String>, PageUser(user): PageUser) -> Response {
    match draft(&ctx, lang, &user, &id).await {
        Ok(d) => page(&ctx, lang, StatusCode::OK, &user, &d, saved(&d), &[]).await,
        Err(r) => r,
    }
}

/// `POST /ho-so-cua-toi/{id}/buu-chinh`: the `choose_postal` command, then the review.
pub async fn save(State(ctx): State<AppContext>, lang: Lang, Path(id): Path<String>, form: PageForm) -> Response {
    let PageForm { user, fields } = form;
    let d = match draft(&ctx, lang, &user, &id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let form: PostalForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let version = form.version.parse().unwrap_or(d.version);
    let cmd = Command::choose_postal(
        form.dossier_by_post,
        form.result_by_post,
        &form.recipient,
        &form.phone,
        &form.commune_code,
        &form.street,
    );
    match uc::command(&ctx, &user, &id, version, Request::cmd(cmd), None).await {
        Ok(d) => see_other(&lang.href(Route::Review(&d.id))),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. } | AppError::Refused { .. })) => {
            let errors = input_errors(app_field_errors(&e, "result_by_post"));
            page(&ctx, lang, StatusCode::UNPROCESSABLE_ENTITY, &user, &d, form, &errors).await
        }
        Err(e) => error_page(lang, e),
    }
}

/// The command's field names (`address.street`, `postal`) as this form's inputs.
fn input_errors(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut e| {
            e.field = match e.field.as_str() {
                "postal" => "result_by_post".into(),
                "address.province_code" => "commune_code".into(),
                f => f.strip_prefix("address.").unwrap_or(f).to_string(),
            };
            e
        })
        .collect()
}
