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

use super::form::{FormFields, app_field_errors, error_page, error_summary, field_error, invalid_attrs, see_other};
use super::session::{PageForm, PageUpload, PageUser, csrf_input, lang_of};
use super::{Lang, esc, status_text, when, with_lang};
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use motcua_app::usecases::catalog;
use motcua_app::usecases::dossiers::{self as uc, ApplicantInput, NewDossier, Request};
use motcua_app::{AppContext, AppError};
use motcua_domain::catalog::OnlineLevel;
use motcua_domain::dossier::{Command, Dossier, Status};
use motcua_domain::error::FieldError;
use motcua_domain::user::{self, CitizenId};
use motcua_pages::citizen::{citizen_only, legacy_frame as frame, load, not_citizen};
use motcua_pages::kit::size;
use std::fmt::Write;

/// The applicant fields, in page order: (input id, autocomplete, type, label vi, label en, required).
const APPLICANT_FIELDS: &[(&str, &str, &str, &str, &str, bool)] = &[
    ("name", "name", "text", "Họ và tên", "Full name", true),
    ("id_number", "off", "text", "Số định danh cá nhân (CCCD, 12 chữ số)", "Personal ID number (CCCD, 12 digits)", true),
    ("phone", "tel", "tel", "Số điện thoại", "Phone number", true),
    ("email", "email", "email", "Thư điện tử (không bắt buộc)", "E-mail (optional)", false),
    ("address", "street-address", "text", "Địa chỉ liên hệ", "Contact address", true),
];

fn step_of(lang: Lang, n: usize, total: usize) -> String {
    match lang {
        Lang::Vi => format!(r#"<p class="caption">Bước {n} trên {total}</p>"#),
        Lang::En => format!(r#"<p class="caption">Step {n} of {total}</p>"#),
    }
}

/// Steps of a dossier's wizard: the applicant, each component, the review.
fn total_steps(d: &Dossier) -> usize {
    d.components.len() + 2
}

#[allow(clippy::too_many_arguments)]
fn applicant_page(
    lang: Lang,
    status: StatusCode,
    user: &motcua_app::auth::CurrentUser,
    code: &str,
    proc_name: &str,
    components: usize,
    v: &FormFields,
    errors: &[FieldError],
) -> Response {
    let mut inputs = String::new();
    for (id, ac, ty, vi, en, required) in APPLICANT_FIELDS {
        let hint = match *id {
            "id_number" => format!(
                r#"<p class="hint" id="id_number-hint">{}</p>"#,
                lang.t("Ghi đủ 12 chữ số trên thẻ căn cước.", "All 12 digits on your identity card.")
            ),
            _ => String::new(),
        };
        let mut attrs = invalid_attrs(errors, id);
        if *id == "id_number" {
            attrs = if attrs.is_empty() {
                r#" aria-describedby="id_number-hint" inputmode="numeric""#.to_string()
            } else {
                attrs.replace(r#"aria-describedby=""#, r#"aria-describedby="id_number-hint "#) + r#" inputmode="numeric""#
            };
        }
        let _ = write!(
            inputs,
            r#"<div class="field">{err}<label for="{id}">{label}</label>{hint}<input id="{id}" name="{id}" type="{ty}" autocomplete="{ac}" value="{val}"{req}{attrs}></div>"#,
            err = field_error(lang, errors, id),
            label = lang.t(vi, en),
            val = esc(v.get(id).unwrap_or("")),
            req = if *required { r#" aria-required="true""# } else { "" },
        );
    }
    let title = lang.t("Thông tin người nộp hồ sơ", "About the applicant");
    let body = format!(
        r#"{summary}<p class="crumbs"><a href="{back}">{back_l}</a></p>
{step}<h1>{title}</h1>
<p class="lead">{proc}</p>
<form class="stack" method="post" action="{action}" novalidate>
{csrf}<input type="hidden" name="key" value="{key}">
{inputs}
<button type="submit">{go}</button>
</form>"#,
        summary = error_summary(lang, errors),
        back = esc(&with_lang(lang, &format!("/thu-tuc/{code}"))),
        back_l = lang.t("← Quay lại thủ tục", "← Back to the procedure"),
        step = step_of(lang, 1, components + 2),
        proc = esc(proc_name),
        action = esc(&with_lang(lang, &format!("/nop-ho-so/{code}"))),
        csrf = csrf_input(user),
        key = esc(v.get("key").unwrap_or("")),
        go = lang.t("Lưu và tiếp tục", "Save and continue"),
    );
    frame(status, lang, &super::form::title_with_errors(lang, title, errors), &format!("/nop-ho-so/{code}"), user, &body)
}

async fn online_procedure(ctx: &AppContext, lang: Lang, code: &str) -> Result<(String, String, usize), Response> {
    let v = catalog::in_force(ctx, code, ctx.clock.now_ms())
        .await
        .map_err(|e| error_page(lang, e))?
        .ok_or_else(|| error_page(lang, AppError::not_found("procedure")))?;
    if v.spec.online_level == OnlineLevel::None {
        return Err(error_page(
            lang,
            crate::error::ApiError::new(
                StatusCode::CONFLICT,
                "not_online",
                "Thủ tục này chưa cung cấp dịch vụ công trực tuyến; vui lòng nộp tại bộ phận một cửa.",
                "This procedure has no online service; file it at a one-stop counter.",
            ),
        ));
    }
    Ok((v.code.clone(), v.spec.name.clone(), v.spec.components.len()))
}

/// `GET /nop-ho-so/{code}`: the first step, prefilled from the citizen's account.
pub async fn applicant_form(
    State(ctx): State<AppContext>,
    uri: Uri,
    Path(code): Path<String>,
    PageUser(user): PageUser,
) -> Response {
    let lang = lang_of(&uri);
    if !citizen_only(&user) {
        return not_citizen(lang);
    }
    let (code, name, n) = match online_procedure(&ctx, lang, &code).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let u = &user.user;
    let v = FormFields(vec![
        ("name".into(), u.full_name.clone()),
        ("id_number".into(), u.citizen_id.clone().unwrap_or_default()),
        ("phone".into(), u.phone.clone().unwrap_or_default()),
        ("email".into(), u.email.clone().unwrap_or_default()),
        ("address".into(), String::new()),
        ("key".into(), uuid::Uuid::new_v4().to_string()),
    ]);
    applicant_page(lang, StatusCode::OK, &user, &code, &name, n, &v, &[])
}

fn applicant_errors(f: &FormFields) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let text = |k: &str| f.get(k).map(str::trim).unwrap_or("").to_string();
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
            } else if !APPLICANT_FIELDS.iter().any(|(id, ..)| *id == f.field) {
                f.field = "name".into();
            }
            f
        })
        .collect()
}

/// `POST /nop-ho-so/{code}`: checks the applicant and creates the draft (idempotent on the
/// form's key, so a double submit makes one draft), then goes to the first component.
pub async fn applicant_submit(State(ctx): State<AppContext>, uri: Uri, Path(code): Path<String>, form: PageForm) -> Response {
    let lang = lang_of(&uri);
    let PageForm { user, fields } = form;
    if !citizen_only(&user) {
        return not_citizen(lang);
    }
    let (code, name, n) = match online_procedure(&ctx, lang, &code).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let errors = applicant_errors(&fields);
    if !errors.is_empty() {
        return applicant_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &user, &code, &name, n, &fields, &errors);
    }
    let opt = |k: &str| Some(fields.text(k).trim().to_string()).filter(|s| !s.is_empty());
    let input = NewDossier {
        procedure_code: code.clone(),
        channel: Some("online".into()),
        applicant: ApplicantInput {
            kind: None,
            name: fields.text("name"),
            id_number: opt("id_number"),
            phone: opt("phone"),
            email: opt("email"),
            address: opt("address"),
        },
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
        Ok(d) => see_other(&with_lang(lang, &next_after(&d, None))),
        Err(e @ (AppError::Validation(_) | AppError::Refused { .. })) => {
            applicant_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &user, &code, &name, n, &fields, &page_fields(&e))
        }
        Err(e) => error_page(lang, e),
    }
}

/// Where the wizard goes after the component `after` (None: after the applicant).
fn next_after(d: &Dossier, after: Option<&str>) -> String {
    let start = match after {
        None => 0,
        Some(k) => d.components.iter().position(|c| c.key == k).map_or(d.components.len(), |i| i + 1),
    };
    match d.components.get(start) {
        Some(c) => format!("/ho-so-cua-toi/{}/thanh-phan/{}", d.id, c.key),
        None => format!("/ho-so-cua-toi/{}/xem-lai", d.id),
    }
}

pub(crate) fn file_list(lang: Lang, d: &Dossier, key: &str) -> String {
    let files: Vec<_> = d.files.iter().filter(|f| !f.removed && f.component_key == key).collect();
    if files.is_empty() {
        return String::new();
    }
    let mut s = format!(r#"<p>{}</p><ul class="files">"#, lang.t("Đã tải lên:", "Uploaded:"));
    for f in files {
        let _ = write!(s, "<li>{} <span class=\"meta\">({})</span></li>", esc(&f.name), size(f.size));
    }
    s.push_str("</ul>");
    s
}

fn component_page(
    lang: Lang,
    status: StatusCode,
    user: &motcua_app::auth::CurrentUser,
    d: &Dossier,
    key: &str,
    errors: &[FieldError],
) -> Response {
    let Some(i) = d.components.iter().position(|c| c.key == key) else {
        return error_page(lang, AppError::not_found("component"));
    };
    let c = &d.components[i];
    let back = if i == 0 {
        format!("/ho-so-cua-toi/{}", d.id)
    } else {
        format!("/ho-so-cua-toi/{}/thanh-phan/{}", d.id, d.components[i - 1].key)
    };
    let action = format!("/ho-so-cua-toi/{}/thanh-phan/{}", d.id, c.key);
    let body = format!(
        r#"{summary}<p class="crumbs"><a href="{back}">{back_l}</a></p>
{step}<form class="stack" method="post" action="{action_l}" enctype="multipart/form-data" novalidate data-upload="/api/v1/dossiers/{id}/components/{key_e}/files" data-next="{next}">
{csrf}<div class="field"><h1><label for="file">{name}</label></h1>
<p class="hint" id="file-hint">{req} {types}</p>
{files}{err}<input id="file" name="file" type="file" accept=".pdf,.jpg,.jpeg,.png,.docx,.xlsx,application/pdf,image/jpeg,image/png" aria-describedby="file-hint{errid}"{invalid}>
<div class="progress" hidden><progress max="100" value="0" aria-label="{prog}"></progress></div></div>
<button type="submit">{go}</button>
</form>"#,
        summary = error_summary(lang, errors),
        back = esc(&with_lang(lang, &back)),
        back_l = lang.t("← Quay lại", "← Back"),
        step = step_of(lang, i + 2, total_steps(d)),
        action_l = esc(&with_lang(lang, &action)),
        id = esc(&d.id),
        key_e = esc(&c.key),
        next = esc(&with_lang(lang, &next_after(d, Some(&c.key)))),
        csrf = csrf_input(user),
        err = field_error(lang, errors, "file"),
        name = esc(&c.name),
        req = if c.required {
            lang.t("Giấy tờ bắt buộc.", "Required document.")
        } else {
            lang.t("Không bắt buộc: nếu không có, bấm Tiếp tục.", "Optional: if you do not have it, select Continue.")
        },
        types =
            lang.t("Nhận tệp PDF, JPG, PNG, DOCX hoặc XLSX, tối đa 20 MB.", "PDF, JPG, PNG, DOCX or XLSX files, up to 20 MB."),
        files = file_list(lang, d, &c.key),
        errid = if errors.is_empty() { "" } else { " file-error" },
        invalid = if errors.is_empty() { "" } else { r#" aria-invalid="true""# },
        prog = lang.t("Đang tải lên", "Uploading"),
        go = lang.t("Tiếp tục", "Continue"),
    );
    let title = format!("{} – {}", c.name, lang.t("Thành phần hồ sơ", "Documents"));
    frame(status, lang, &super::form::title_with_errors(lang, &title, errors), &action, user, &body)
}

/// A draft of the citizen's, or the response to give instead (its dossier page once filed).
async fn draft(ctx: &AppContext, lang: Lang, user: &motcua_app::auth::CurrentUser, id: &str) -> Result<Dossier, Response> {
    if !citizen_only(user) {
        return Err(not_citizen(lang));
    }
    let (d, _) = load(ctx, lang, user, id).await?;
    if d.status != Status::Draft {
        return Err(see_other(&with_lang(lang, &format!("/ho-so-cua-toi/{}", d.id))));
    }
    Ok(d)
}

/// `GET /ho-so-cua-toi/{id}/thanh-phan/{key}`: one component of the draft.
pub async fn component_form(
    State(ctx): State<AppContext>,
    uri: Uri,
    Path((id, key)): Path<(String, String)>,
    PageUser(user): PageUser,
) -> Response {
    let lang = lang_of(&uri);
    match draft(&ctx, lang, &user, &id).await {
        Ok(d) => component_page(lang, StatusCode::OK, &user, &d, &key, &[]),
        Err(r) => r,
    }
}

/// `POST /ho-so-cua-toi/{id}/thanh-phan/{key}`: attaches the chosen file (checked by its
/// bytes in the use case) and goes on; without a file, goes on only if the component is
/// optional or already has one.
pub async fn component_upload(
    State(ctx): State<AppContext>,
    uri: Uri,
    Path((id, key)): Path<(String, String)>,
    form: PageUpload,
) -> Response {
    let lang = lang_of(&uri);
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
                return component_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &user, &d, &key, &errors);
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
                return component_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &user, &d, &key, &errors);
            }
            d
        }
    };
    see_other(&with_lang(lang, &next_after(&d, Some(&key))))
}

fn review_page(
    lang: Lang,
    status: StatusCode,
    user: &motcua_app::auth::CurrentUser,
    d: &Dossier,
    declared: bool,
    errors: &[FieldError],
) -> Response {
    let a = &d.applicant;
    let none = "—".to_string();
    let mut rows = String::new();
    for c in &d.components {
        let files: Vec<String> =
            d.files.iter().filter(|f| !f.removed && f.component_key == c.key).map(|f| esc(&f.name)).collect();
        let _ = write!(
            rows,
            r#"<tr><th scope="row">{name}{req}</th><td>{files}</td><td><a id="components.{key}" href="{href}">{act}<span class="vh"> {name}</span></a></td></tr>"#,
            name = esc(&c.name),
            req = if c.required { "" } else { lang.t(" (nếu có)", " (if any)") },
            files = if files.is_empty() {
                format!(r#"<span class="meta">{}</span>"#, lang.t("Chưa có tệp", "No file yet"))
            } else {
                files.join("<br>")
            },
            key = esc(&c.key),
            href = esc(&with_lang(lang, &format!("/ho-so-cua-toi/{}/thanh-phan/{}", d.id, c.key))),
            act = lang.t("Thay đổi", "Change"),
        );
    }
    let title = lang.t("Kiểm tra lại trước khi nộp", "Check your answers before filing");
    let body = format!(
        r#"{summary}{step}<h1>{title}</h1>
<h2>{proc_l}</h2><p>{proc}</p>
<h2>{app_l}</h2>
<dl class="summary">
<dt>{name_l}</dt><dd>{name}</dd><dt>{id_l}</dt><dd>{idn}</dd><dt>{phone_l}</dt><dd>{phone}</dd>
<dt>{email_l}</dt><dd>{email}</dd><dt>{addr_l}</dt><dd>{addr}</dd>
</dl>
<h2>{comp_l}</h2>
<table class="grid review"><thead><tr><th scope="col">{doc_l}</th><th scope="col">{file_l}</th><th scope="col"><span class="vh">{act_l}</span></th></tr></thead><tbody>{rows}</tbody></table>
<form class="stack" method="post" action="{action}" novalidate>
{csrf}<input type="hidden" name="version" value="{version}">
<div class="field">{derr}<div class="check"><input id="declare" name="declare" type="checkbox" value="yes"{checked}{dattr}><label for="declare">{declare}</label></div></div>
<button type="submit">{go}</button>
</form>"#,
        summary = error_summary(lang, errors),
        step = step_of(lang, total_steps(d), total_steps(d)),
        proc_l = lang.t("Thủ tục", "Procedure"),
        proc = esc(&d.procedure.name),
        app_l = lang.t("Người nộp hồ sơ", "Applicant"),
        name_l = lang.t("Họ và tên", "Full name"),
        name = esc(&a.name),
        id_l = lang.t("Số định danh cá nhân", "Personal ID number"),
        idn = esc(a.id_number.as_ref().unwrap_or(&none)),
        phone_l = lang.t("Số điện thoại", "Phone"),
        phone = esc(a.phone.as_ref().unwrap_or(&none)),
        email_l = lang.t("Thư điện tử", "E-mail"),
        email = esc(a.email.as_ref().unwrap_or(&none)),
        addr_l = lang.t("Địa chỉ liên hệ", "Address"),
        addr = esc(a.address.as_ref().unwrap_or(&none)),
        comp_l = lang.t("Thành phần hồ sơ", "Documents"),
        doc_l = lang.t("Giấy tờ", "Document"),
        file_l = lang.t("Tệp đã tải lên", "Files"),
        act_l = lang.t("Thao tác", "Action"),
        action = esc(&with_lang(lang, &format!("/ho-so-cua-toi/{}/nop", d.id))),
        csrf = csrf_input(user),
        version = d.version,
        derr = field_error(lang, errors, "declare"),
        checked = if declared { " checked" } else { "" },
        dattr = invalid_attrs(errors, "declare"),
        declare = lang.t(
            "Tôi xin cam đoan các thông tin và giấy tờ trên là đúng sự thật.",
            "I declare that the information and documents above are true."
        ),
        go = lang.t("Nộp hồ sơ", "File the dossier"),
    );
    frame(
        status,
        lang,
        &super::form::title_with_errors(lang, title, errors),
        &format!("/ho-so-cua-toi/{}/xem-lai", d.id),
        user,
        &body,
    )
}

/// `GET /ho-so-cua-toi/{id}/xem-lai`: everything entered, with links back to each component.
pub async fn review(State(ctx): State<AppContext>, uri: Uri, Path(id): Path<String>, PageUser(user): PageUser) -> Response {
    let lang = lang_of(&uri);
    match draft(&ctx, lang, &user, &id).await {
        Ok(d) => review_page(lang, StatusCode::OK, &user, &d, false, &[]),
        Err(r) => r,
    }
}

/// `POST /ho-so-cua-toi/{id}/nop`: submits the draft (the `submit` command), then the receipt.
pub async fn submit(State(ctx): State<AppContext>, uri: Uri, Path(id): Path<String>, form: PageForm) -> Response {
    let lang = lang_of(&uri);
    let PageForm { user, fields } = form;
    let d = match draft(&ctx, lang, &user, &id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let declared = fields.checked("declare");
    if !declared {
        let errors = [FieldError::new(
            "declare",
            "required",
            "Đánh dấu vào ô cam đoan để nộp hồ sơ.",
            "Tick the declaration to file the dossier.",
        )];
        return review_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &user, &d, declared, &errors);
    }
    let version = fields.get("version").and_then(|v| v.parse().ok()).unwrap_or(d.version);
    match uc::command(&ctx, &user, &id, version, Request::cmd(Command::Submit), Some("page-submit".into())).await {
        Ok(d) => see_other(&with_lang(lang, &format!("/ho-so-cua-toi/{}/bien-nhan", d.id))),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            review_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &user, &d, declared, &app_field_errors(&e, "declare"))
        }
        Err(e) => error_page(lang, e),
    }
}

/// `GET /ho-so-cua-toi/{id}/bien-nhan`: the filing receipt (printable). Online dossiers get
/// their code and appointment when the one-stop counter receives them; shown once they have.
pub async fn receipt(State(ctx): State<AppContext>, uri: Uri, Path(id): Path<String>, PageUser(user): PageUser) -> Response {
    let lang = lang_of(&uri);
    if !citizen_only(&user) {
        return not_citizen(lang);
    }
    let (d, _) = match load(&ctx, lang, &user, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if d.status == Status::Draft {
        return see_other(&with_lang(lang, &format!("/ho-so-cua-toi/{}/xem-lai", d.id)));
    }
    let received = d.code.is_some();
    let mut next = String::new();
    if received {
        let _ = write!(
            next,
            "<li>{}</li><li>{}</li>",
            lang.t(
                "Hồ sơ đã được tiếp nhận và đang được giải quyết; bạn theo dõi tình trạng tại trang Hồ sơ của tôi hoặc tra cứu bằng mã hồ sơ.",
                "The dossier has been received and is being processed; follow it on My dossiers or look it up by its code."
            ),
            lang.t(
                "Nếu cần bổ sung giấy tờ, bạn sẽ nhận được thông báo và bổ sung trực tuyến.",
                "If a document is missing you will be told and can supply it online."
            )
        );
    } else {
        let _ = write!(
            next,
            "<li>{}</li><li>{}</li><li>{}</li>",
            lang.t(
                "Bộ phận Một cửa kiểm tra hồ sơ trong giờ làm việc.",
                "The one-stop counter checks the dossier during office hours."
            ),
            lang.t(
                "Khi hồ sơ được tiếp nhận, bạn nhận được mã hồ sơ và ngày hẹn trả kết quả (hiện trên trang này và trang Hồ sơ của tôi).",
                "Once received, the dossier gets its code and an appointment for the result (shown here and on My dossiers)."
            ),
            lang.t(
                "Nếu hồ sơ chưa đầy đủ, bạn sẽ được hướng dẫn bổ sung.",
                "If something is missing you will be told what to add."
            )
        );
    }
    let title = lang.t("Đã nộp hồ sơ", "Dossier filed");
    let body = format!(
        r#"<div class="receipt">
<div class="panel"><h1>{title}</h1><p>{status_l}: <strong class="status">{status}</strong></p>{code}</div>
<dl class="summary">
<dt>{proc_l}</dt><dd>{proc}</dd>
<dt>{app_l}</dt><dd>{app}</dd>
<dt>{sub_l}</dt><dd>{sub}</dd>
<dt>{rec_l}</dt><dd>{rec}</dd>
<dt>{appt_l}</dt><dd>{appt}</dd>
<dt>{where_l}</dt><dd>{where_}</dd>
</dl>
<h2>{next_l}</h2><ol>{next}</ol>
<p class="no-print"><a href="{detail}">{detail_l}</a> · <a href="{mine}">{mine_l}</a></p>
<p class="meta no-print">{print}</p>
</div>"#,
        status_l = lang.t("Tình trạng", "Status"),
        status = esc(&status_text(lang, d.status)),
        code = match &d.code {
            Some(c) => format!(r#"<p>{}: <strong class="code">{}</strong></p>"#, lang.t("Mã hồ sơ", "Dossier code"), esc(c)),
            None => format!(
                "<p>{}</p>",
                lang.t(
                    "Mã hồ sơ và ngày hẹn trả kết quả có khi hồ sơ được tiếp nhận.",
                    "The code and the appointment come when the dossier is received."
                )
            ),
        },
        proc_l = lang.t("Thủ tục", "Procedure"),
        proc = esc(&d.procedure.name),
        app_l = lang.t("Người nộp", "Applicant"),
        app = esc(&d.applicant.name),
        sub_l = lang.t("Nộp lúc", "Filed at"),
        sub = when(d.submitted_at),
        rec_l = lang.t("Tiếp nhận lúc", "Received at"),
        rec = when(d.received_at),
        appt_l = lang.t("Ngày hẹn trả kết quả", "Result due on"),
        appt = when(d.appointment_at),
        where_l = lang.t("Nơi tiếp nhận", "Received by"),
        where_ = esc(&d.receiving.name),
        next_l = lang.t("Tiếp theo", "What happens next"),
        detail = esc(&with_lang(lang, &format!("/ho-so-cua-toi/{}", d.id))),
        detail_l = lang.t("Xem hồ sơ", "View the dossier"),
        mine = esc(&with_lang(lang, "/ho-so-cua-toi")),
        mine_l = lang.t("Hồ sơ của tôi", "My dossiers"),
        print = lang.t(
            "Bạn có thể in trang này bằng chức năng in của trình duyệt.",
            "You can print this page with your browser's print command."
        ),
    );
    frame(StatusCode::OK, lang, title, &format!("/ho-so-cua-toi/{}/bien-nhan", d.id), &user, &body)
}
