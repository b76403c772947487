//! `/quan-tri/co-quan`: the agencies an administrator manages (list, create, rename from today;
//! the name history is kept by the use case).

use super::{Choice, choices, errors_of, refuse_non_admin, status_of};
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageForm, PageUser, Route, error_page, other_lang_href, see_other, title_with_errors};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::agencies::{self, AgencyFilter, AgencyRecord, NewAgency};
use motcua_app::{AppContext, AppError};
use motcua_domain::agency::AgencyKind;
use motcua_domain::error::FieldError;
use serde::Deserialize;

/// The create form, and the rename form (`name`). `parent_id` and `kind` are absent on the
/// blank form (the defaults are chosen).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AgencyForm {
    code: String,
    name: String,
    short_name: String,
    kind: Option<String>,
    parent_id: Option<String>,
    valid_from: String,
    /// A failed rename: the agency's id and the name as typed, kept on that row (not in the
    /// create form).
    #[serde(skip)]
    renamed: Option<(String, String)>,
}

/// The agencies under the ones `user` administers (their own included), as a tree in order.
pub(crate) async fn scoped_agencies(ctx: &AppContext, user: &CurrentUser) -> Result<Vec<AgencyRecord>, AppError> {
    let filter = AgencyFilter { scope: Some(super::admin_paths(user)), limit: 1000, ..Default::default() };
    Ok(agencies::list(ctx, filter).await?.0)
}

struct Row<'a> {
    a: &'a AgencyRecord,
    indent: String,
    kind: &'a str,
    rename_id: String,
    /// The rename input's value: the name as typed on the row whose rename failed, else the name.
    rename_value: &'a str,
    /// The rename errors, on the row whose rename failed.
    errors: &'a [FieldError],
}

#[derive(Template)]
#[template(path = "admin/agencies.html")]
struct AgenciesView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: &'a [FieldError],
    f: &'a AgencyForm,
    parents: Vec<Choice>,
    kinds: Vec<Choice>,
    rows: Vec<Row<'a>>,
}

/// `GET /quan-tri/co-quan`: the agencies in scope, the create form and a rename form per agency.
pub async fn page(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser) -> Response {
    render(&ctx, lang, &user, StatusCode::OK, &AgencyForm::default(), &[]).await
}

async fn render(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    status: StatusCode,
    f: &AgencyForm,
    errors: &[FieldError],
) -> Response {
    if let Some(r) = refuse_non_admin(lang, user) {
        return r;
    }
    let list = match scoped_agencies(ctx, user).await {
        Ok(l) => l,
        Err(e) => return error_page(lang, e),
    };
    let parents =
        choices(list.iter().map(|a| (a.id.clone(), format!("{} ({})", a.name, a.code))), f.parent_id.as_deref().unwrap_or(""));
    let kinds =
        choices(AgencyKind::ALL.iter().map(|k| (k.code(), lang.t(k.label_vi(), k.code()))), f.kind.as_deref().unwrap_or("unit"));
    let failed = f.renamed.as_ref().map(|(id, name)| (id.as_str(), name.as_str()));
    let rows = list
        .iter()
        .map(|a| Row {
            a,
            indent: ((a.depth.max(0) as f32) * 0.75).to_string(),
            kind: lang.t(a.kind.label_vi(), a.kind.code()),
            rename_id: format!("rename-{}", a.id),
            rename_value: failed.filter(|(id, _)| *id == a.id).map_or(a.name.as_str(), |(_, name)| name),
            errors: if failed.is_some_and(|(id, _)| id == a.id) { errors } else { &[] },
        })
        .collect();
    let title = title_with_errors(lang, lang.t("Cơ quan, đơn vị", "Agencies"), errors);
    let view = AgenciesView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &Route::AdminAgencies.path())),
        user,
        menu: menu(lang, user, Route::AdminAgencies),
        errors,
        f,
        parents,
        kinds,
        rows,
    };
    html(status, &view)
}

/// `POST /quan-tri/co-quan`: create an agency under one the administrator manages.
pub async fn create(State(ctx): State<AppContext>, lang: Lang, PageForm { user, fields }: PageForm) -> Response {
    let f: AgencyForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let opt = |v: &str| Some(v.trim()).filter(|s| !s.is_empty()).map(str::to_string);
    let input = NewAgency {
        code: f.code.clone(),
        name: f.name.clone(),
        short_name: opt(&f.short_name),
        kind: f.kind.clone().unwrap_or_default(),
        parent_id: opt(f.parent_id.as_deref().unwrap_or("")),
        valid_from: opt(&f.valid_from),
        address: None,
        phone: None,
        email: None,
    };
    match agencies::create(&ctx, Some(&user.principal), input).await {
        Ok(_) => see_other(&lang.href(Route::AdminAgencies)),
        Err(AppError::Forbidden) => error_page(lang, AppError::Forbidden),
        Err(e) => {
            let errors = errors_of(&e, "a", "a-code");
            render(&ctx, lang, &user, status_of(&e), &f, &errors).await
        }
    }
}

/// `POST /quan-tri/co-quan/{id}/doi-ten`: rename from today (the name history is kept).
pub async fn rename(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path(id): Path<String>,
    PageForm { user, fields }: PageForm,
) -> Response {
    let f: AgencyForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    match agencies::rename(&ctx, &user.principal, &id, &f.name, None).await {
        Ok(_) => see_other(&lang.href(Route::AdminAgencies)),
        Err(AppError::Forbidden) => error_page(lang, AppError::Forbidden),
        Err(e) => {
            // Every problem of a rename is shown at that row's name field.
            let rid = format!("rename-{id}");
            let errors: Vec<FieldError> = errors_of(&e, "x", &rid)
                .into_iter()
                .map(|mut x| {
                    x.field = rid.clone();
                    x
                })
                .collect();
            let f = AgencyForm { renamed: Some((id, f.name)), ..Default::default() };
            render(&ctx, lang, &user, status_of(&e), &f, &errors).await
        }
    }
}
