//! `GET /can-bo/tiep-nhan`: pick the procedure (search), find a dossier by its code, and the
//! results waiting to be handed back; `?thu_tuc=` the reception form; `POST` receives the
//! dossier at once with its scans; `GET /can-bo/ho-so/{id}/giay-tiep-nhan` the receipt.

use super::{CounterHub, ScreenState, counter_of};
use crate::kit::form::FormFields;
use crate::kit::form::field_id;
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{
    Frame, Lang, PageError, PageUpload, PageUser, Route, Upload, error_page, hour_day, other_lang_href, see_other,
    title_with_errors, with_lang,
};
use crate::officer::{channel_label, is_reception_officer, limit_label, refuse_non_official};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::catalog::{self, CatalogQuery};
use motcua_app::usecases::dossiers::{self as uc, ApplicantInput, ComponentInput, NewDossier};
use motcua_app::{AppContext, AppError};
use motcua_domain::catalog::ProcedureSpec;
use motcua_domain::dossier::{Dossier, Status};
use motcua_domain::error::FieldError;
use serde::Deserialize;

/// The reception form's id prefix (`r-applicant-name`…).
const FORM: &str = "r";

#[derive(Deserialize)]
pub struct ReceptionParams {
    q: Option<String>,
    thu_tuc: Option<String>,
    /// A dossier code to find (results handed back at the counter).
    ma: Option<String>,
}

fn refuse_non_reception(lang: Lang, user: &CurrentUser) -> Option<Response> {
    (!is_reception_officer(user)).then(|| error_page(lang, AppError::Forbidden))
}

/// The counter and the link to its second screen, at the top of the reception pages.
struct Counter {
    name: String,
    screen: String,
}

fn counter(lang: Lang, user: &CurrentUser) -> Option<Counter> {
    counter_of(user).map(|(id, name)| Counter { name, screen: lang.href(Route::CounterScreen(&id)) })
}

/// A procedure found by the search.
struct Found {
    href: String,
    name: String,
    code: String,
    sector: String,
}

/// A result waiting to be handed back.
struct ToReturn {
    href: String,
    code: String,
    procedure: String,
    applicant: String,
    resolved: String,
    appointment: String,
}

#[derive(Template)]
#[template(path = "counter/reception.html")]
struct ReceptionView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    title: &'a str,
    counter: Option<Counter>,
    q: String,
    /// The procedures found, when a search was made.
    found: Option<Vec<Found>>,
    code: String,
    to_return: Vec<ToReturn>,
}

/// The results of the caller's centre that wait to be handed back: resolved dossiers,
/// scoped by authorization in the query (`uc::at_counter`), oldest appointment first.
async fn results_to_return(ctx: &AppContext, lang: Lang, user: &CurrentUser) -> Result<Vec<ToReturn>, AppError> {
    let items = uc::at_counter(ctx, user, vec![Status::Resolved.code().into()], None, 200).await?;
    let mut rows: Vec<&Dossier> = items.iter().collect();
    rows.sort_by_key(|d| d.appointment_at.unwrap_or(i64::MAX));
    Ok(rows
        .into_iter()
        .map(|d| ToReturn {
            href: lang.href(Route::OfficerDossier(&d.id)),
            code: d.code.clone().unwrap_or_default(),
            procedure: d.procedure.name.clone(),
            applicant: d.applicant.name.clone(),
            resolved: hour_day(d.result.as_ref().map(|r| r.at)),
            appointment: hour_day(d.appointment_at),
        })
        .collect())
}

/// `GET /can-bo/tiep-nhan`: pick the procedure (search), then the reception form; a code
/// (`?ma=`) opens that dossier's page. Opening it clears the second screen for the next
/// applicant.
pub async fn reception(
    State(ctx): State<AppContext>,
    Extension(hub): Extension<CounterHub>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(p): Query<ReceptionParams>,
) -> Response {
    if let Some(r) = refuse_non_reception(lang, &user) {
        return r;
    }
    if let Some((id, _)) = counter_of(&user) {
        hub.clear(&id);
    }
    if let Some(code) = p.thu_tuc.as_deref().filter(|c| !c.trim().is_empty()) {
        return reception_form(&ctx, lang, &user, code, StatusCode::OK, &ReceptionForm::default(), &FormFields::default(), &[])
            .await;
    }
    let title = lang.t("Tiếp nhận hồ sơ tại quầy", "Counter reception");
    let mut errors = Vec::new();
    let code = p.ma.clone().unwrap_or_default().trim().to_string();
    if !code.is_empty() {
        let items = match uc::at_counter(&ctx, &user, Vec::new(), Some(code.clone()), 20).await {
            Ok(items) => items,
            Err(e) => return error_page(lang, e),
        };
        match items.iter().find(|d| d.code.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(&code))) {
            Some(d) => return see_other(&lang.href(Route::OfficerDossier(&d.id))),
            None => errors.push(FieldError::new(
                "ma",
                "dossier_not_found",
                "Không tìm thấy hồ sơ có mã này tại đơn vị của bạn.",
                "No dossier with this code at your unit.",
            )),
        }
    }
    let q = p.q.clone().unwrap_or_default();
    let found = if q.trim().is_empty() {
        None
    } else {
        let query = CatalogQuery { q: Some(q.clone()), at_ms: Some(ctx.clock.now_ms()), limit: 20, ..Default::default() };
        match catalog::search(&ctx, query).await {
            Ok((items, _)) => Some(
                items
                    .into_iter()
                    .map(|s| Found {
                        href: with_lang(lang, &Route::CounterReception.with_query(&[("thu_tuc", &s.code)])),
                        name: s.name,
                        code: s.code,
                        sector: s.sector_name,
                    })
                    .collect(),
            ),
            Err(e) => return error_page(lang, e),
        }
    };
    let to_return = match results_to_return(&ctx, lang, &user).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::NOT_FOUND };
    let view = ReceptionView {
        lang,
        frame: Frame::new(title_with_errors(lang, title, &errors), other_lang_href(lang, &Route::CounterReception.path())),
        user: &user,
        menu: menu(lang, &user, Some(Route::CounterReception)),
        errors,
        title,
        counter: counter(lang, &user),
        q,
        found,
        code,
        to_return,
    };
    html(status, &view)
}

/// The reception form's fixed fields, as typed (the components' `provided.{key}`,
/// `originals.{key}`, … are keyed by the procedure's components and read from `FormFields`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReceptionForm {
    procedure_code: String,
    /// `counter` or `postal`.
    channel: String,
    /// The one-time key of the form (absent on a blank form: a new one is made).
    idem: Option<String>,
    summary: String,
    #[serde(rename = "applicant.kind")]
    applicant_kind: String,
    #[serde(rename = "applicant.name")]
    applicant_name: String,
    #[serde(rename = "applicant.id_number")]
    applicant_id_number: String,
    #[serde(rename = "applicant.phone")]
    applicant_phone: String,
    #[serde(rename = "applicant.email")]
    applicant_email: String,
    #[serde(rename = "applicant.address")]
    applicant_address: String,
    /// Set by the "look up the data locker" button: show the form again with the applicant's
    /// locker items offered per component instead of receiving.
    lookup: Option<String>,
}

impl ReceptionForm {
    /// The value of the input `name` (its name in the form).
    fn value(&self, name: &str) -> &str {
        match name {
            "procedure_code" => &self.procedure_code,
            "channel" => &self.channel,
            "idem" => self.idem.as_deref().unwrap_or(""),
            "summary" => &self.summary,
            "applicant.kind" => &self.applicant_kind,
            "applicant.name" => &self.applicant_name,
            "applicant.id_number" => &self.applicant_id_number,
            "applicant.phone" => &self.applicant_phone,
            "applicant.email" => &self.applicant_email,
            "applicant.address" => &self.applicant_address,
            _ => "",
        }
    }

    /// The trimmed value of `name`, if not blank.
    fn opt(&self, name: &str) -> Option<String> {
        Some(self.value(name).trim()).filter(|s| !s.is_empty()).map(str::to_string)
    }
}

/// A row of the components checklist.
struct ComponentRow {
    key: String,
    name: String,
    required: bool,
    originals: String,
    copies: String,
    provided: bool,
    digitized: bool,
    /// Why TT 01/2023 leaves the component out of digitization, if it does.
    excluded: Option<&'static str>,
    /// The applicant's valid locker items this component accepts (after a look-up).
    offers: Vec<Offer>,
}

/// A locker item offered for a component: id, what the officer reads, chosen.
struct Offer {
    id: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "counter/form.html")]
struct FormView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: &'a [FieldError],
    fields: &'a ReceptionForm,
    title: &'a str,
    counter: Option<Counter>,
    procedure: &'a str,
    code: &'a str,
    limit: String,
    /// Where `counter.js` posts the draft ("" without a counter).
    draft: String,
    idem: String,
    /// (value, label, selected)
    kinds: Vec<(&'static str, &'static str, bool)>,
    postal: bool,
    components: Vec<ComponentRow>,
    /// The scans chosen before a refused submit must be chosen again.
    rechoose: bool,
    /// After a look-up that found nothing for any component.
    locker_empty: bool,
}

impl FormView<'_> {
    fn id(&self, name: impl AsRef<str>) -> String {
        field_id(FORM, name.as_ref())
    }
    fn value(&self, name: &str) -> &str {
        self.fields.value(name)
    }
    /// The applicant's text inputs: name, label, type, whether numeric, autocomplete off.
    fn applicant_inputs(&self) -> Vec<(&'static str, &'static str, &'static str, bool, bool)> {
        let lang = self.lang;
        vec![
            ("applicant.name", lang.t("Họ và tên, tên tổ chức", "Full name or organisation"), "text", false, true),
            (
                "applicant.id_number",
                lang.t("Số định danh cá nhân (CCCD) hoặc mã số thuế", "Citizen ID (CCCD) or tax code"),
                "text",
                true,
                false,
            ),
            ("applicant.phone", lang.t("Số điện thoại", "Phone"), "tel", false, false),
            ("applicant.email", "Email", "email", false, false),
            ("applicant.address", lang.t("Địa chỉ", "Address"), "text", false, false),
        ]
    }
}

/// The reception form for a procedure, empty or as typed with its errors: the fixed fields
/// `form`, the component rows from the posted fields `f` (empty on a blank form).
#[allow(clippy::too_many_arguments)]
async fn reception_form(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    code: &str,
    status: StatusCode,
    form: &ReceptionForm,
    f: &FormFields,
    errors: &[FieldError],
) -> Response {
    let v = match catalog::in_force(ctx, code, ctx.clock.now_ms()).await {
        Ok(Some(v)) => v,
        Ok(None) => return error_page(lang, AppError::not_found("procedure")),
        Err(e) => return error_page(lang, e),
    };
    let spec: &ProcedureSpec = &v.spec;
    let typed = !f.0.is_empty();
    // The applicant's locker is looked up once the officer typed the id number and asked
    // (or chose items before a refused submit): a read of that person's documents, logged.
    let owner = form.applicant_id_number.trim();
    let looked_up = typed && !owner.is_empty() && (form.lookup.is_some() || f.0.iter().any(|(k, _)| k.starts_with("locker.")));
    let offers = if looked_up {
        match motcua_app::usecases::locker::offers_for(ctx, user, spec, owner).await {
            Ok(o) => o,
            Err(e) => return error_page(lang, e),
        }
    } else {
        Vec::new()
    };
    let now = ctx.clock.now_ms();
    let title = lang.t("Tiếp nhận hồ sơ tại quầy", "Counter reception");
    let kinds = [
        ("citizen", lang.t("Công dân", "Citizen")),
        ("business", lang.t("Doanh nghiệp", "Business")),
        ("household_business", lang.t("Hộ kinh doanh", "Household business")),
        ("organisation", lang.t("Tổ chức", "Organisation")),
        ("foreigner", lang.t("Người nước ngoài", "Foreigner")),
    ]
    .into_iter()
    .map(|(k, l)| (k, l, form.applicant_kind == k))
    .collect();
    let components = spec
        .components
        .iter()
        .map(|c| ComponentRow {
            key: c.key.clone(),
            name: c.name.clone(),
            required: c.required,
            originals: f.get(&format!("originals.{}", c.key)).map_or_else(|| c.originals.to_string(), str::to_string),
            copies: f.get(&format!("copies.{}", c.key)).map_or_else(|| c.copies.to_string(), str::to_string),
            provided: typed && f.checked(&format!("provided.{}", c.key)),
            digitized: typed && f.checked(&format!("digitized.{}", c.key)),
            excluded: c.digitization.excluded().map(|r| lang.t(r.label_vi(), r.label_en())),
            offers: offers
                .iter()
                .filter(|(k, _)| *k == c.key)
                .flat_map(|(_, items)| items)
                .map(|i| {
                    let row = crate::citizen::locker::row(lang, i, now);
                    Offer {
                        label: format!("{} ({}, {})", row.title, row.kind, row.issued),
                        selected: f.get(&format!("locker.{}", c.key)) == Some(i.id.as_str()),
                        id: i.id.clone(),
                    }
                })
                .collect(),
        })
        .collect::<Vec<ComponentRow>>();
    let locker_empty = looked_up && components.iter().all(|c| c.offers.is_empty());
    let path = Route::CounterReception.with_query(&[("thu_tuc", &v.code)]);
    let view = FormView {
        lang,
        frame: Frame::new(title_with_errors(lang, title, errors), other_lang_href(lang, &path)),
        user,
        menu: menu(lang, user, Some(Route::CounterReception)),
        errors,
        fields: form,
        title,
        counter: counter(lang, user),
        procedure: &spec.name,
        code: &v.code,
        limit: limit_label(lang, spec.time_limit),
        draft: counter_of(user).map(|(id, _)| Route::CounterDraft(&id).path()).unwrap_or_default(),
        idem: form.idem.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        kinds,
        postal: form.channel == "postal",
        components,
        rechoose: errors.iter().any(|e| e.field.starts_with("r-provided")) || form.lookup.is_some(),
        locker_empty,
    };
    html(status, &view)
}

fn number(f: &FormFields, name: &str, errors: &mut Vec<FieldError>) -> u8 {
    match f.get(name).map(str::trim).filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => s.parse::<u8>().ok().filter(|n| *n <= 50).unwrap_or_else(|| {
            errors.push(FieldError::new(
                field_id(FORM, name),
                "invalid_number",
                "Nhập số bản từ 0 đến 50.",
                "Enter a number from 0 to 50.",
            ));
            0
        }),
    }
}

/// `POST /can-bo/tiep-nhan` (multipart): receives the dossier at once (create as an
/// officer), attaches the scans, shows the code on the second screen and goes to the receipt.
pub async fn receive(
    State(ctx): State<AppContext>,
    Extension(hub): Extension<CounterHub>,
    lang: Lang,
    form: PageUpload,
) -> Response {
    let PageUpload { user, fields: f, files } = form;
    if let Some(r) = refuse_non_reception(lang, &user) {
        return r;
    }
    let form: ReceptionForm = match f.typed() {
        Ok(form) => form,
        Err(e) => return error_page(lang, e),
    };
    let code = form.procedure_code.clone();
    let spec = match catalog::in_force(&ctx, &code, ctx.clock.now_ms()).await {
        Ok(Some(v)) => v.spec,
        Ok(None) => return error_page(lang, AppError::not_found("procedure")),
        Err(e) => return error_page(lang, e),
    };
    let mut errors = Vec::new();
    if form.lookup.is_some() {
        if form.applicant_id_number.trim().is_empty() {
            errors.push(FieldError::new(
                field_id(FORM, "applicant.id_number"),
                "locker_needs_id_number",
                "Nhập số định danh cá nhân hoặc mã số thuế để tra cứu kho dữ liệu.",
                "Enter the citizen ID or tax code to look up the data locker.",
            ));
        }
        let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        return reception_form(&ctx, lang, &user, &code, status, &form, &f, &errors).await;
    }
    let components: Vec<ComponentInput> = spec
        .components
        .iter()
        .map(|c| {
            // A component satisfied from the applicant's locker is received without paper.
            let locker_item_id = f.get(&format!("locker.{}", c.key)).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
            ComponentInput {
                key: c.key.clone(),
                provided: f.checked(&format!("provided.{}", c.key)) || locker_item_id.is_some(),
                originals: number(&f, &format!("originals.{}", c.key), &mut errors),
                copies: number(&f, &format!("copies.{}", c.key), &mut errors),
                // Ignored: the scans ticked "digitize" are certified below.
                digitized: false,
                locker_item_id,
            }
        })
        .collect();
    if !errors.is_empty() {
        return reception_form(&ctx, lang, &user, &code, StatusCode::UNPROCESSABLE_ENTITY, &form, &f, &errors).await;
    }
    let input = NewDossier {
        procedure_code: code.clone(),
        channel: Some(if form.channel == "postal" { "postal" } else { "counter" }.into()),
        applicant: ApplicantInput {
            kind: form.opt("applicant.kind"),
            name: form.applicant_name.clone(),
            id_number: form.opt("applicant.id_number"),
            phone: form.opt("applicant.phone"),
            email: form.opt("applicant.email"),
            address: form.opt("applicant.address"),
        },
        summary: form.opt("summary"),
        receiving_agency_id: None,
        competent_agency_id: None,
        components,
    };
    // The form's one-time key: a double submit returns the first dossier.
    let key = form.opt("idem").map(|k| format!("page-reception:{k}"));
    let d = match uc::create(&ctx, &user, input, key).await {
        Ok(d) => d,
        Err(e) => {
            let mut errors: Vec<FieldError> = e.fields();
            if errors.is_empty() {
                errors.push(FieldError::new(format!("{FORM}-procedure"), e.code(), e.message_vi(), e.message_en()));
            }
            for x in &mut errors {
                x.field = match x.field.strip_prefix("components.") {
                    Some(k) => field_id(FORM, &format!("provided.{k}")),
                    None if x.field.starts_with("components[") || x.field == "procedure_code" || x.field == "workflow" => {
                        format!("{FORM}-procedure")
                    }
                    None if x.field == "channel" => format!("{FORM}-channel-counter"),
                    None if x.field.starts_with(&format!("{FORM}-")) => x.field.clone(),
                    None => field_id(FORM, &x.field),
                };
            }
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return reception_form(&ctx, lang, &user, &code, status, &form, &f, &errors).await;
        }
    };
    let mut failed = 0;
    for Upload { field, file_name: name, content_type, bytes } in files {
        let Some(k) = field.strip_prefix("scan.") else { continue };
        // A scan ticked "digitize" is certified with the officer's signature (TT 01/2023);
        // any other is attached as it is.
        let done = if f.checked(&format!("digitized.{k}")) {
            uc::digitize(&ctx, &user, &d.id, k, content_type.as_deref(), &name, bytes).await
        } else {
            uc::attach(&ctx, &user, &d.id, k, content_type.as_deref(), &name, bytes).await
        };
        if done.is_err() {
            failed += 1;
        }
    }
    if let Some((counter, _)) = counter_of(&user) {
        hub.publish(&counter, ScreenState::received(&d));
    }
    let failed = if failed > 0 { failed.to_string() } else { String::new() };
    see_other(&with_lang(lang, &Route::CounterReceipt(&d.id).with_query(&[("tep-loi", &failed)])))
}

#[derive(Deserialize)]
pub struct ReceiptParams {
    #[serde(rename = "tep-loi")]
    failed: Option<u32>,
}

#[derive(Template)]
#[template(path = "counter/receipt.html")]
struct ReceiptView<'a> {
    lang: Lang,
    frame: Frame,
    d: &'a Dossier,
    code: &'a str,
    failed: Option<u32>,
    channel: &'static str,
    limit: String,
    place: String,
    officer: &'a str,
    /// The receipt as issued (form 01, PDF), to print or hand over.
    pdf: Option<String>,
}

impl ReceiptView<'_> {
    fn when(&self, ms: &Option<i64>) -> String {
        hour_day(*ms)
    }
}

/// `GET /can-bo/ho-so/{id}/giay-tiep-nhan`: the receipt with appointment (form 01), to print.
pub async fn receipt(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Query(p): Query<ReceiptParams>,
) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let (d, _) = match uc::get(&ctx, &user, &id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let Some(code) = d.code.clone() else {
        let e = PageError::new(
            StatusCode::CONFLICT,
            "not_received",
            "Hồ sơ chưa được tiếp nhận.",
            "The dossier has not been received.",
        );
        return error_page(lang, e);
    };
    let place = match motcua_app::usecases::agencies::get(&ctx, &d.receiving.id).await.ok().map(|(a, _)| a) {
        Some(a) => [Some(a.name), a.address].into_iter().flatten().collect::<Vec<_>>().join(", "),
        None => d.receiving.name.clone(),
    };
    let pdf = match crate::documents::links(&ctx, lang, &user, &id).await {
        Ok(links) => links.into_iter().rev().find(|l| l.form == "01").map(|l| l.href),
        Err(e) => return error_page(lang, e),
    };
    let frame = Frame::new(lang.t("Giấy tiếp nhận hồ sơ", "Receipt"), other_lang_href(lang, &Route::CounterReceipt(&id).path()));
    let view = ReceiptView {
        lang,
        frame,
        code: &code,
        failed: p.failed,
        channel: channel_label(lang, d.channel),
        limit: limit_label(lang, d.procedure.time_limit),
        place,
        officer: &user.user.full_name,
        pdf,
        d: &d,
    };
    html(StatusCode::OK, &view)
}
