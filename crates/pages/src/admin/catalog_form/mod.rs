//! The catalog's create/amend form (`/quan-tri/thu-tuc/moi`, `/quan-tri/thu-tuc/{code}/sua-doi`;
//! province administrators only, others get a 403 page).
//!
//! The form edits the fields officers change most, the fees and the required components
//! (one row each: name, required, originals, copies, form file, note); the "advanced"
//! textarea holds the whole spec as JSON for the rest (steps, legal basis…). The form fields
//! are applied on top of the JSON, so where both say something the form wins (`spec`). Saving
//! goes through `catalog::add_version`, which checks the permission again and writes the audit
//! trail.

mod spec;

use super::catalog::{effective, online_label, refuse};
use super::{Choice, choices};
use crate::kit::fmt::time_unit;
use crate::kit::layout::html;
use crate::kit::{Frame, Lang, PageForm, PageUser, Route, app_field_errors, error_page, other_lang_href, see_other};
use crate::kit::{title_with_errors, with_lang};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::catalog;
use motcua_app::{AppContext, AppError};
use motcua_domain::calendar::TimeUnit;
use motcua_domain::catalog::{DigitizationExclusion, ProcedureSpec};
use motcua_domain::error::FieldError;
use spec::{SpecForm, blank_spec};

/// A fee or component row of the form, with its index for the input ids (`fee_name_0`).
struct Line<'a, T> {
    i: usize,
    row: &'a T,
    /// The row's select: a fee's "paid" choices, a component's digitization.
    choices: Vec<Choice>,
}

impl<T> Line<'_, T> {
    /// The id (and name) of this row's input `key` (`fee_name` → `fee_name_0`).
    fn id(&self, key: &str) -> String {
        format!("{key}_{}", self.i)
    }
    /// The row's number for people.
    fn n(&self) -> usize {
        self.i + 1
    }
}

#[derive(Template)]
#[template(path = "admin/catalog/form.html")]
struct FormView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    errors: &'a [FieldError],
    heading: String,
    action: String,
    /// The procedure's code when amending (it cannot change).
    amend_of: Option<&'a str>,
    f: &'a SpecForm,
    units: Vec<Choice>,
    online_levels: Vec<Choice>,
    fees: Vec<Line<'a, spec::FeeRow>>,
    components: Vec<Line<'a, spec::CompRow>>,
    /// The advanced JSON has an error: its section is open.
    json_error: bool,
}

fn form_page(
    status: StatusCode,
    lang: Lang,
    user: &CurrentUser,
    f: &SpecForm,
    errors: &[FieldError],
    amend_of: Option<&str>,
) -> Response {
    let (heading, path) = match amend_of {
        None => (lang.t("Thêm thủ tục hành chính", "Add an administrative procedure").to_string(), Route::AdminCatalogNew.path()),
        Some(code) => (
            match lang {
                Lang::Vi => format!("Sửa đổi thủ tục {code}"),
                Lang::En => format!("Amend procedure {code}"),
            },
            Route::AdminAmend(code).path(),
        ),
    };
    let collected = |current: &str| {
        choices(
            [
                ("at_reception", lang.t("Khi tiếp nhận hồ sơ", "At reception")),
                ("at_result", lang.t("Khi nhận kết quả", "When collecting the result")),
                ("before_processing", lang.t("Trước khi giải quyết", "Before processing")),
            ],
            current,
        )
    };
    // A component is digitized at reception unless TT 01/2023 leaves it out, for a reason.
    let digitization = |current: &str| {
        let not = lang.t("Không số hóa", "Not digitized");
        let reasons =
            DigitizationExclusion::ALL.map(|r| (spec::enum_code(&r), format!("{not}: {}", lang.t(r.label_vi(), r.label_en()))));
        choices(std::iter::once((String::new(), lang.t("Số hóa", "Digitized").to_string())).chain(reasons), current)
    };
    let view = FormView {
        lang,
        frame: Frame::new(title_with_errors(lang, &heading, errors), other_lang_href(lang, &path)),
        user,
        errors,
        heading,
        action: with_lang(lang, &path),
        amend_of,
        units: choices(TimeUnit::ALL.iter().map(|u| (u.code(), time_unit(lang, *u))), &f.tl_unit),
        online_levels: choices(["full", "partial", "none"].map(|o| (o, online_label(lang, o))), &f.online_level),
        fees: f.fees.iter().enumerate().map(|(i, row)| Line { i, row, choices: collected(&row.collected) }).collect(),
        components: f
            .components
            .iter()
            .enumerate()
            .map(|(i, row)| Line { i, row, choices: digitization(&row.digitization) })
            .collect(),
        json_error: errors.iter().any(|e| e.field == "spec_json"),
        f,
    };
    html(status, &view)
}

/// `GET /quan-tri/thu-tuc/moi`: the empty form.
pub async fn new_form(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser) -> Response {
    if let Some(r) = refuse(lang, &user) {
        return r;
    }
    let today = ctx.clock.today();
    form_page(StatusCode::OK, lang, &user, &SpecForm::from_spec(&blank_spec(today), today), &[], None)
}

/// Checks and saves the form through `add_version` (new procedure or new version).
async fn save(ctx: &AppContext, lang: Lang, PageForm { user, fields }: PageForm, amend_of: Option<&str>) -> Response {
    let form = match SpecForm::from_fields(&fields) {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let mut errors = Vec::new();
    let eff = if form.publishes() {
        match effective("effective_from", &form.effective_from) {
            Ok(e) => Some(e),
            Err(e) => {
                errors.extend(app_field_errors(&e, "effective_from"));
                None
            }
        }
    } else {
        None
    };
    let spec = match form.apply(amend_of) {
        Ok(s) => Some(s),
        Err(es) => {
            errors.extend(es);
            None
        }
    };
    let rerender = |errors: Vec<FieldError>| form_page(StatusCode::UNPROCESSABLE_ENTITY, lang, &user, &form, &errors, amend_of);
    let Some(spec) = spec.filter(|_| errors.is_empty()) else { return rerender(errors) };
    match catalog::add_version(ctx, Some(&user.principal), spec, eff, amend_of.is_none()).await {
        Ok(v) => {
            let done = if amend_of.is_some() { "amended" } else { "created" };
            see_other(&with_lang(lang, &Route::AdminProcedure(&v.code).with_query(&[("ok", done)])))
        }
        Err(e @ AppError::Validation(_)) => {
            let errors = app_field_errors(&e, "spec_json")
                .into_iter()
                .map(|mut f| {
                    f.field = form.input_of(&f.field, amend_of.is_some());
                    f
                })
                .collect();
            rerender(errors)
        }
        Err(e) => error_page(lang, e),
    }
}

/// `POST /quan-tri/thu-tuc/moi`: add a procedure.
pub async fn create(State(ctx): State<AppContext>, lang: Lang, form: PageForm) -> Response {
    if let Some(r) = refuse(lang, &form.user) {
        return r;
    }
    save(&ctx, lang, form, None).await
}

/// The version an amendment starts from (the one in force now, else the latest): its code as
/// the catalog spells it, and its spec.
async fn current_version(ctx: &AppContext, code: &str) -> Result<(String, ProcedureSpec), AppError> {
    let v = match catalog::in_force(ctx, code, ctx.clock.now_ms()).await? {
        Some(v) => v,
        None => catalog::versions(ctx, code).await?.pop().expect("versions() refuses an empty list"),
    };
    Ok((v.code, v.spec))
}

/// `GET /quan-tri/thu-tuc/{code}/sua-doi`: the form prefilled from the current version.
pub async fn amend_form(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Path(code): Path<String>,
) -> Response {
    if let Some(r) = refuse(lang, &user) {
        return r;
    }
    match current_version(&ctx, &code).await {
        Ok((code, spec)) => {
            let form = SpecForm::from_spec(&spec, ctx.clock.today());
            form_page(StatusCode::OK, lang, &user, &form, &[], Some(&code))
        }
        Err(e) => error_page(lang, e),
    }
}

/// `POST /quan-tri/thu-tuc/{code}/sua-doi`: save a new version.
pub async fn amend(State(ctx): State<AppContext>, lang: Lang, Path(code): Path<String>, form: PageForm) -> Response {
    if let Some(r) = refuse(lang, &form.user) {
        return r;
    }
    // The code comes from the catalog, not from the path as typed.
    let code = match catalog::versions(&ctx, &code).await {
        Ok(vs) => vs[0].code.clone(),
        Err(e) => return error_page(lang, e),
    };
    save(&ctx, lang, form, Some(&code)).await
}
