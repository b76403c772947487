//! The online filing wizard for citizens, one question per page, working without
//! JavaScript (GOV.UK "one thing per page"):
//!
//! 1. `GET/POST /nop-ho-so/{code}`: the applicant (prefilled from the account). Posting it
//!    creates the draft through `usecases::dossiers::create`, so every later step is an
//!    ordinary command on that dossier.
//! 2. `GET/POST /ho-so-cua-toi/{id}/thanh-phan/{key}`: one page per component, a plain
//!    `multipart/form-data` file input (`/assets/upload.js` adds a progress bar).
//! 3. `GET /ho-so-cua-toi/{id}/xem-lai` and `POST /ho-so-cua-toi/{id}/nop`: review and submit.
//! 4. `GET /ho-so-cua-toi/{id}/bien-nhan`: the receipt, with what happens next.

use super::{citizen_only, load, not_citizen};
use crate::kit::form::{checkbox, has_error};
use crate::kit::layout::html;
use crate::kit::{
    Frame, Lang, PageError, PageForm, PageUpload, PageUser, Route, app_field_errors, error_page, other_lang_href, see_other,
    size, status_text, title_with_errors, when,
};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::catalog;
use motcua_app::usecases::dossiers::{self as uc, ApplicantInput, CommuneChoice, NewDossier, Request};
use motcua_app::{AppContext, AppError};
use motcua_domain::catalog::{OnlineLevel, ProcedureSpec};
use motcua_domain::dossier::{Dossier, Status};
use motcua_domain::error::FieldError;
use motcua_domain::user::{self, CitizenId};
use serde::Deserialize;

/// An applicant input, in page order.
struct Input {
    id: &'static str,
    autocomplete: &'static str,
    kind: &'static str,
    vi: &'static str,
    en: &'static str,
    required: bool,
}

const APPLICANT_FIELDS: &[Input] = &[
    Input { id: "name", autocomplete: "name", kind: "text", vi: "Họ và tên", en: "Full name", required: true },
    Input {
        id: "id_number",
        autocomplete: "off",
        kind: "text",
        vi: "Số định danh cá nhân (CCCD, 12 chữ số)",
        en: "Personal ID number (CCCD, 12 digits)",
        required: true,
    },
    Input { id: "phone", autocomplete: "tel", kind: "tel", vi: "Số điện thoại", en: "Phone number", required: true },
    Input {
        id: "email",
        autocomplete: "email",
        kind: "email",
        vi: "Thư điện tử (không bắt buộc)",
        en: "E-mail (optional)",
        required: false,
    },
    Input {
        id: "address",
        autocomplete: "street-address",
        kind: "text",
        vi: "Địa chỉ liên hệ",
        en: "Contact address",
        required: true,
    },
];

/// The applicant form (step 1): the inputs of `APPLICANT_FIELDS`, the idempotency key and
/// the commune chosen, as typed (checked by `applicant_errors`, kept on a re-render).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ApplicantForm {
    name: String,
    id_number: String,
    phone: String,
    email: String,
    address: String,
    key: String,
    competent_agency_id: String,
}

impl ApplicantForm {
    /// The value of the input `id` (an `APPLICANT_FIELDS` id, or `key`).
    fn value(&self, id: &str) -> &str {
        match id {
            "name" => &self.name,
            "id_number" => &self.id_number,
            "phone" => &self.phone,
            "email" => &self.email,
            "address" => &self.address,
            "key" => &self.key,
            "competent_agency_id" => &self.competent_agency_id,
            _ => "",
        }
    }
}

/// The review form: the declaration box (absent when unticked) and the dossier version.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SubmitForm {
    #[serde(deserialize_with = "checkbox")]
    declare: bool,
    version: String,
}

/// Steps of a dossier's wizard: the applicant, each component, the review.
fn total_steps(d: &Dossier) -> usize {
    d.components.len() + 2
}

/// "Step n of m" above a wizard page.
struct StepOf {
    n: usize,
    total: usize,
}

#[derive(Template)]
#[template(path = "citizen/applicant.html")]
struct ApplicantView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    errors: &'a [FieldError],
    fields: &'a ApplicantForm,
    code: &'a str,
    procedure: &'a str,
    step: StepOf,
    inputs: &'static [Input],
    /// For a commune-level procedure: where the dossier is handled (none: the catalog names the agency).
    communes: &'a [CommuneChoice],
    selected: &'a str,
}

impl ApplicantView<'_> {
    fn value(&self, name: &str) -> &str {
        self.fields.value(name)
    }
    fn has_error(&self, id: &str) -> bool {
        has_error(self.errors, id)
    }
}

/// The procedure the wizard files: code, name, number of components, and the communes to
/// choose from with the one pre-selected (commune-level procedures only).
struct Filing {
    code: String,
    name: String,
    components: usize,
    communes: Vec<CommuneChoice>,
    selected: String,
}

fn applicant_page(
    lang: Lang,
    status: StatusCode,
    user: &CurrentUser,
    p: &Filing,
    v: &ApplicantForm,
    errors: &[FieldError],
) -> Response {
    let (code, proc_name, components) = (p.code.as_str(), p.name.as_str(), p.components);
    let title = title_with_errors(lang, lang.t("Thông tin người nộp hồ sơ", "About the applicant"), errors);
    let view = ApplicantView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &Route::FileOnline(code).path())),
        user,
        errors,
        fields: v,
        code,
        procedure: proc_name,
        step: StepOf { n: 1, total: components + 2 },
        inputs: APPLICANT_FIELDS,
        communes: &p.communes,
        selected: &p.selected,
    };
    html(status, &view)
}

async fn online_procedure(ctx: &AppContext, lang: Lang, code: &str) -> Result<(String, String, usize, ProcedureSpec), Response> {
    let v = catalog::in_force(ctx, code, ctx.clock.now_ms())
        .await
        .map_err(|e| error_page(lang, e))?
        .ok_or_else(|| error_page(lang, AppError::not_found("procedure")))?;
    if v.spec.online_level == OnlineLevel::None {
        return Err(error_page(
            lang,
            PageError::new(
                StatusCode::CONFLICT,
                "not_online",
                "Thủ tục này chưa cung cấp dịch vụ công trực tuyến; vui lòng nộp tại bộ phận một cửa.",
                "This procedure has no online service; file it at a one-stop counter.",
            ),
        ));
    }
    Ok((v.code.clone(), v.spec.name.clone(), v.spec.components.len(), v.spec))
}

/// `GET /nop-ho-so/{code}`: the first step, prefilled from the citizen's account.
pub async fn applicant_form(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path(code): Path<String>,
    PageUser(user): PageUser,
) -> Response {
    if !citizen_only(&user) {
        return not_citizen(lang);
    }
    let (code, name, n, spec) = match online_procedure(&ctx, lang, &code).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let communes = match uc::commune_choices(&ctx, &spec, None).await {
        Ok((c, _)) => c,
        Err(e) => return error_page(lang, e),
    };
    let filing = Filing { code, name, components: n, communes, selected: String::new() };
    let u = &user.user;
    let v = ApplicantForm {
        name: u.full_name.clone(),
        id_number: u.citizen_id.clone().unwrap_or_default(),
        phone: u.phone.clone().unwrap_or_default(),
        email: u.email.clone().unwrap_or_default(),
        address: String::new(),
        key: uuid::Uuid::new_v4().to_string(),
        competent_agency_id: String::new(),
    };
    applicant_page(lang, StatusCode::OK, &user, &filing, &v, &[])
}

fn applicant_errors(f: &ApplicantForm) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let text = |k: &str| f.value(k).trim().to_string();
    if text("name").is_empty() {
        errs.push(FieldError::new("name", "required", "Nhập họ và tên.", "Enter your full name."));
    } else if let Err(e) = user::parse_full_name("name", &text("name")) {
        errs.extend(e.0);
    }
    if text("id_number").is_empty() {
        errs.push(FieldError::new("id_number", "required", "Nhập số định danh cá nhân.", "Enter your personal ID number."));
    } else if !(text("id_number").len() == 12 && text("id_number").bytes().all(|b| b.is_ascii_digit())) {
        errs.push(FieldError::new(
            "id_number",
            "invalid_citizen_id",
            "Số định danh cá nhân phải gồm đúng 12 chữ số.",
            "The personal ID number has exactly 12 digits.",
        ));
    } else if let Err(e) = CitizenId::parse("id_number", &text("id_number")) {
        errs.extend(e.0);
    }
    if text("phone").is_empty() {
        errs.push(FieldError::new("phone", "required", "Nhập số điện thoại.", "Enter your phone number."));
    } else if let Err(e) = user::parse_phone("phone", &text("phone")) {
        errs.extend(e.0);
    }
    if !text("email").is_empty()
        && let Err(e) = user::parse_email("email", &text("email"))
    {
        errs.extend(e.0);
    }
    if text("address").is_empty() {
        errs.push(FieldError::new("address", "required", "Nhập địa chỉ liên hệ.", "Enter your contact address."));
    }
    errs
}

/// The use case names applicant fields `applicant.x`; the page's inputs are `x`.
fn page_fields(e: &AppError) -> Vec<FieldError> {
    app_field_errors(e, "name")
        .into_iter()
        .map(|mut f| {
            if let Some(rest) = f.field.strip_prefix("applicant.") {
                f.field = rest.to_string();
            } else if !APPLICANT_FIELDS.iter().any(|i| i.id == f.field) && f.field != "competent_agency_id" {
                f.field = "name".into();
            }
            f
        })
        .collect()
}

/// `POST /nop-ho-so/{code}`: checks the applicant and creates the draft (idempotent on the
/// form's key, so a double submit makes one draft), then goes to the first component.
pub async fn applicant_submit(State(ctx): State<AppContext>, lang: Lang, Path(code): Path<String>, form: PageForm) -> Response {
    let PageForm { user, fields } = form;
    if !citizen_only(&user) {
        return not_citizen(lang);
    }
    let (code, name, n, spec) = match online_procedure(&ctx, lang, &code).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let fields: ApplicantForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let opt = |k: &str| Some(fields.value(k).trim().to_string()).filter(|s| !s.is_empty());
    // A commune-level procedure is handled by the commune chosen, else the one the address
    // names (issue #10 item 1): the choice comes back pre-selected when the page is shown again.
    let (communes, named) = match uc::commune_choices(&ctx, &spec, opt("address").as_deref()).await {
        Ok(c) => c,
        Err(e) => return error_page(lang, e),
    };
    let selected = opt("competent_agency_id").or(named).unwrap_or_default();
    let mut errors = applicant_errors(&fields);
    if !communes.is_empty() && selected.is_empty() && !fields.address.trim().is_empty() {
        errors.push(FieldError::new(
            "competent_agency_id",
            "competent_required",
            "Chọn xã, phường giải quyết hồ sơ: địa chỉ liên hệ không nêu xã, phường nào của tỉnh.",
            "Choose the commune or ward that handles the dossier: the contact address names none of the province.",
        ));
    }
    let filing = Filing { code: code.clone(), name, components: n, communes, selected };
    if !errors.is_empty() {
        return applicant_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &user, &filing, &fields, &errors);
    }
    let input = NewDossier {
        procedure_code: code.clone(),
        channel: Some("online".into()),
        applicant: ApplicantInput {
            kind: None,
            name: fields.name.clone(),
            id_number: opt("id_number"),
            phone: opt("phone"),
            email: opt("email"),
            address: opt("address"),
        },
        competent_agency_id: Some(filing.selected.clone()).filter(|s| !s.is_empty()),
        ..Default::default()
    };
    let key = opt("key").filter(|k| k.len() <= 200);
    let created = match uc::create(&ctx, &user, input.clone(), key).await {
        // Went back and changed an answer: that is a new draft.
        Err(AppError::Validation(v)) if v.0.iter().any(|f| f.code == "idempotency_key_reused") => {
            uc::create(&ctx, &user, input, None).await
        }
        other => other,
    };
    match created {
        Ok(d) => see_other(&lang.href(next_after(&d, None))),
        Err(e @ (AppError::Validation(_) | AppError::Refused { .. })) => {
            applicant_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &user, &filing, &fields, &page_fields(&e))
        }
        Err(e) => error_page(lang, e),
    }
}

/// Where the wizard goes after the component `after` (None: after the applicant).
fn next_after<'a>(d: &'a Dossier, after: Option<&str>) -> Route<'a> {
    let start = match after {
        None => 0,
        Some(k) => d.components.iter().position(|c| c.key == k).map_or(d.components.len(), |i| i + 1),
    };
    match d.components.get(start) {
        Some(c) => Route::Component(&d.id, &c.key),
        None => Route::Review(&d.id),
    }
}

/// A file of the draft: name and size.
struct FileRow {
    name: String,
    size: String,
    /// Taken from the data locker, not uploaded.
    from_locker: bool,
}

#[derive(Template)]
#[template(path = "citizen/component.html")]
struct ComponentView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    errors: &'a [FieldError],
    d: &'a Dossier,
    c: &'a motcua_domain::dossier::ComponentCheck,
    back: Route<'a>,
    next: Route<'a>,
    step: StepOf,
    files: Vec<FileRow>,
    /// Valid items of the applicant's data locker this component accepts.
    offers: Vec<super::locker::ItemRow>,
}

async fn component_page(
    ctx: &AppContext,
    lang: Lang,
    status: StatusCode,
    user: &CurrentUser,
    d: &Dossier,
    key: &str,
    errors: &[FieldError],
) -> Response {
    let Some(i) = d.components.iter().position(|c| c.key == key) else {
        return error_page(lang, AppError::not_found("component"));
    };
    let now = ctx.clock.now_ms();
    let offers = match motcua_app::usecases::locker::offers(ctx, user, d).await {
        Ok(o) => o
            .into_iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, items)| items)
            .map(|it| super::locker::row(lang, &it, now))
            .collect(),
        Err(e) => return error_page(lang, e),
    };
    let c = &d.components[i];
    let back = if i == 0 { Route::Dossier(&d.id) } else { Route::Component(&d.id, &d.components[i - 1].key) };
    let files = d
        .files
        .iter()
        .filter(|f| !f.removed && f.component_key == c.key)
        .map(|f| FileRow { name: f.name.clone(), size: size(f.size), from_locker: f.locker_item_id.is_some() })
        .collect();
    let title = c.name.clone() + " – " + lang.t("Thành phần hồ sơ", "Documents");
    let view = ComponentView {
        lang,
        frame: Frame::new(
            title_with_errors(lang, &title, errors),
            other_lang_href(lang, &Route::Component(&d.id, &c.key).path()),
        ),
        user,
        errors,
        d,
        c,
        back,
        next: next_after(d, Some(&c.key)),
        step: StepOf { n: i + 2, total: total_steps(d) },
        files,
        offers,
    };
    html(status, &view)
}

impl ComponentView<'_> {
    fn upload_api(&self) -> String {
        "/api/v1/dossiers/".to_string() + &self.d.id + "/components/" + &self.c.key + "/files"
    }
}

/// A draft of the citizen's, or the response to give instead (its dossier page once filed).
pub(super) async fn draft(ctx: &AppContext, lang: Lang, user: &CurrentUser, id: &str) -> Result<Dossier, Response> {
    if !citizen_only(user) {
        return Err(not_citizen(lang));
    }
    let (d, _) = load(ctx, lang, user, id).await?;
    if d.status != Status::Draft {
        return Err(see_other(&lang.href(Route::Dossier(&d.id))));
    }
    Ok(d)
}

/// `GET /ho-so-cua-toi/{id}/thanh-phan/{key}`: one component of the draft.
pub async fn component_form(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path((id, key)): Path<(String, String)>,
    PageUser(user): PageUser,
) -> Response {
    match draft(&ctx, lang, &user, &id).await {
        Ok(d) => component_page(&ctx, lang, StatusCode::OK, &user, &d, &key, &[]).await,
        Err(r) => r,
    }
}

/// `POST /ho-so-cua-toi/{id}/thanh-phan/{key}`: attaches the chosen file (checked by its
/// bytes in the use case) and goes on; without a file, goes on only if the component is
/// optional or already has one.
pub async fn component_upload(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path((id, key)): Path<(String, String)>,
    form: PageUpload,
) -> Response {
    let PageUpload { user, files, .. } = form;
    let d = match draft(&ctx, lang, &user, &id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let Some(c) = d.components.iter().find(|c| c.key == key).cloned() else {
        return error_page(lang, AppError::not_found("component"));
    };
    let d = match files.into_iter().find(|f| f.field == "file") {
        Some(f) => match uc::attach(&ctx, &user, &id, &key, f.content_type.as_deref(), &f.file_name, f.bytes).await {
            Ok(d) => d,
            Err(e @ (AppError::Validation(_) | AppError::Refused { .. })) => {
                let errors: Vec<FieldError> = app_field_errors(&e, "file")
                    .into_iter()
                    .map(|mut f| {
                        f.field = "file".into();
                        f
                    })
                    .collect();
                return component_page(&ctx, lang, StatusCode::UNPROCESSABLE_ENTITY, &user, &d, &key, &errors).await;
            }
            Err(e) => return error_page(lang, e),
        },
        None => {
            let has = d.files.iter().any(|f| !f.removed && f.component_key == key);
            if c.required && !has {
                let errors = [FieldError::new(
                    "file",
                    "required",
                    format!("Chọn tệp {} để tải lên.", c.name),
                    format!("Choose a file for {}.", c.name),
                )];
                return component_page(&ctx, lang, StatusCode::UNPROCESSABLE_ENTITY, &user, &d, &key, &errors).await;
            }
            d
        }
    };
    see_other(&lang.href(next_after(&d, Some(&key))))
}

/// The locker form of a component page: the item chosen.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LockerForm {
    locker_item_id: String,
}

/// `POST /ho-so-cua-toi/{id}/thanh-phan/{key}/kho-du-lieu`: takes the component from the
/// citizen's data locker ("Dùng từ kho dữ liệu") instead of an upload, and goes on.
pub async fn component_from_locker(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path((id, key)): Path<(String, String)>,
    form: PageForm,
) -> Response {
    let PageForm { user, fields } = form;
    let d = match draft(&ctx, lang, &user, &id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let form: LockerForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    if form.locker_item_id.trim().is_empty() {
        let errors = [FieldError::new(
            "locker_item_id",
            "required",
            "Chọn giấy tờ trong kho dữ liệu.",
            "Choose an item of your data locker.",
        )];
        return component_page(&ctx, lang, StatusCode::UNPROCESSABLE_ENTITY, &user, &d, &key, &errors).await;
    }
    match uc::attach_from_locker(&ctx, &user, &id, &key, &form.locker_item_id).await {
        Ok(d) => see_other(&lang.href(next_after(&d, Some(&key)))),
        Err(e @ (AppError::Validation(_) | AppError::Refused { http: 422, .. })) => {
            let errors: Vec<FieldError> = app_field_errors(&e, "locker_item_id")
                .into_iter()
                .map(|mut f| {
                    f.field = "locker_item_id".into();
                    f
                })
                .collect();
            component_page(&ctx, lang, StatusCode::UNPROCESSABLE_ENTITY, &user, &d, &key, &errors).await
        }
        Err(e) => error_page(lang, e),
    }
}

/// A component on the review page: its files' names.
struct ReviewRow<'a> {
    c: &'a motcua_domain::dossier::ComponentCheck,
    files: Vec<&'a str>,
}

#[derive(Template)]
#[template(path = "citizen/review.html")]
struct ReviewView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    errors: &'a [FieldError],
    d: &'a Dossier,
    declared: bool,
    step: StepOf,
    rows: Vec<ReviewRow<'a>>,
}

impl ReviewView<'_> {
    /// An optional answer, "—" when not given.
    fn or_dash<'s>(&self, v: &'s Option<String>) -> &'s str {
        v.as_deref().unwrap_or("—")
    }
}

fn review_page(
    lang: Lang,
    status: StatusCode,
    user: &CurrentUser,
    d: &Dossier,
    declared: bool,
    errors: &[FieldError],
) -> Response {
    let rows = d
        .components
        .iter()
        .map(|c| ReviewRow {
            c,
            files: d.files.iter().filter(|f| !f.removed && f.component_key == c.key).map(|f| f.name.as_str()).collect(),
        })
        .collect();
    let title = lang.t("Kiểm tra lại trước khi nộp", "Check your answers before filing");
    let view = ReviewView {
        lang,
        frame: Frame::new(title_with_errors(lang, title, errors), other_lang_href(lang, &Route::Review(&d.id).path())),
        user,
        errors,
        d,
        declared,
        step: StepOf { n: total_steps(d), total: total_steps(d) },
        rows,
    };
    html(status, &view)
}

/// `GET /ho-so-cua-toi/{id}/xem-lai`: everything entered, with links back to each component.
pub async fn review(State(ctx): State<AppContext>, lang: Lang, Path(id): Path<String>, PageUser(user): PageUser) -> Response {
    match draft(&ctx, lang, &user, &id).await {
        Ok(d) => review_page(lang, StatusCode::OK, &user, &d, false, &[]),
        Err(r) => r,
    }
}

/// `POST /ho-so-cua-toi/{id}/nop`: submits the draft (the `submit` command), then the receipt.
pub async fn submit(State(ctx): State<AppContext>, lang: Lang, Path(id): Path<String>, form: PageForm) -> Response {
    let PageForm { user, fields } = form;
    let d = match draft(&ctx, lang, &user, &id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let form: SubmitForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let declared = form.declare;
    if !declared {
        let errors = [FieldError::new(
            "declare",
            "required",
            "Đánh dấu vào ô cam đoan để nộp hồ sơ.",
            "Tick the declaration to file the dossier.",
        )];
        return review_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &user, &d, declared, &errors);
    }
    let version = form.version.parse().unwrap_or(d.version);
    match uc::command(&ctx, &user, &id, version, Request::Submit, Some("page-submit".into())).await {
        Ok(d) => see_other(&lang.href(Route::Receipt(&d.id))),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            review_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &user, &d, declared, &app_field_errors(&e, "declare"))
        }
        Err(e) => error_page(lang, e),
    }
}

#[derive(Template)]
#[template(path = "citizen/receipt.html")]
struct ReceiptView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    d: &'a Dossier,
    status: String,
    submitted: String,
    received: String,
    appointment: String,
}

/// `GET /ho-so-cua-toi/{id}/bien-nhan`: the filing receipt (printable). Online dossiers get
/// their code and appointment when the one-stop counter receives them; shown once they have.
pub async fn receipt(State(ctx): State<AppContext>, lang: Lang, Path(id): Path<String>, PageUser(user): PageUser) -> Response {
    if !citizen_only(&user) {
        return not_citizen(lang);
    }
    let (d, _) = match load(&ctx, lang, &user, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if d.status == Status::Draft {
        return see_other(&lang.href(Route::Review(&d.id)));
    }
    let view = ReceiptView {
        lang,
        frame: Frame::new(lang.t("Đã nộp hồ sơ", "Dossier filed"), other_lang_href(lang, &Route::Receipt(&d.id).path())),
        user: &user,
        d: &d,
        status: status_text(lang, d.status),
        submitted: when(d.submitted_at),
        received: when(d.received_at),
        appointment: when(d.appointment_at),
    };
    html(StatusCode::OK, &view)
}
