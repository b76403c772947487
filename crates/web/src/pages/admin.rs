//! Administration pages for province and commune administrators, scoped as the APIs are
//! (every write goes through the same use case, which checks the permission again):
//! agencies (`/quan-tri/co-quan`: list, create, rename), users (`/quan-tri/nguoi-dung`: list,
//! create with a membership, disable), workflows (`/quan-tri/quy-trinh/{code}`: the steps
//! with their budgets) and calendar years (`/quan-tri/lich`: a year's schedule, load a file).

use super::form::{FormFields, error_page, field_error, invalid_attrs, see_other};
use super::officer::{fid, officer_page, other_lang, read_multipart, with_lang};
use super::session::{PageForm, PageUser, csrf_input, lang_of};
use super::{Lang, esc};
use crate::error::ApiError;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::calendar::ScheduleFormat;
use motcua_app::usecases::agencies::{self, NewAgency};
use motcua_app::usecases::dossiers as dossier_uc;
use motcua_app::usecases::users::{self, MembershipInput, NewUser, UserChanges, UserQuery};
use motcua_app::{AppContext, AppError};
use motcua_domain::agency::AgencyKind;
use motcua_domain::calendar::{TimeLimit, TimeUnit};
use motcua_domain::dossier::{StepAgency, StepKind, StepSpec, Workflow};
use motcua_domain::error::FieldError;
use motcua_domain::user::Role;
use motcua_store::repo::agencies::{AgencyFilter, AgencyRecord};
use serde::Deserialize;
use std::fmt::Write;

const AGENCIES: &str = "/quan-tri/co-quan";
const USERS: &str = "/quan-tri/nguoi-dung";
const WORKFLOWS: &str = "/quan-tri/quy-trinh";
const CALENDAR: &str = "/quan-tri/lich";

fn admin_paths(user: &CurrentUser) -> Vec<String> {
    user.principal.memberships.iter().filter(|m| m.role == Role::Admin).map(|m| m.agency_path.clone()).collect()
}

/// Administrators only (province or commune); everyone else gets the 403 page.
fn refuse_non_admin(lang: Lang, user: &CurrentUser) -> Option<Response> {
    admin_paths(user).is_empty().then(|| error_page(lang, AppError::Forbidden))
}

fn errors_of(e: &AppError, prefix: &str, fallback: &str) -> Vec<FieldError> {
    let fs = e.fields();
    if fs.is_empty() {
        return vec![FieldError::new(fallback, e.code(), e.message_vi(), e.message_en())];
    }
    fs.into_iter()
        .map(|mut f| {
            f.field = fid(prefix, &f.field);
            f
        })
        .collect()
}

fn input(lang: Lang, f: &FormFields, errors: &[FieldError], prefix: &str, name: &str, label: &str, kind: &str) -> String {
    let id = fid(prefix, name);
    format!(
        r#"<div class="field">{err}<label for="{id}">{label}</label><input id="{id}" name="{name}" type="{kind}" value="{v}"{a}></div>"#,
        err = field_error(lang, errors, &id),
        label = esc(label),
        v = esc(f.get(name).unwrap_or("")),
        a = invalid_attrs(errors, &id),
    )
}

fn select(id: &str, name: &str, label: &str, options: &[(String, String)], current: &str) -> String {
    let mut o = String::new();
    for (v, l) in options {
        let sel = if v == current { " selected" } else { "" };
        let _ = write!(o, r#"<option value="{}"{sel}>{}</option>"#, esc(v), esc(l));
    }
    format!(r#"<div class="field"><label for="{id}">{}</label><select id="{id}" name="{name}">{o}</select></div>"#, esc(label))
}

async fn scoped_agencies(ctx: &AppContext, user: &CurrentUser) -> Result<Vec<AgencyRecord>, AppError> {
    let filter = AgencyFilter { scope: Some(admin_paths(user)), limit: 1000, ..Default::default() };
    Ok(agencies::list(ctx, filter).await?.0)
}

// ---------------------------------------------------------------------------------------
// Agencies

/// `GET /quan-tri/co-quan`: the agencies the administrator manages, the create form and a
/// rename form per agency.
pub async fn agencies_page(State(ctx): State<AppContext>, PageUser(user): PageUser, uri: Uri) -> Response {
    agencies_render(&ctx, lang_of(&uri), &user, StatusCode::OK, &FormFields::default(), &[], None).await
}

async fn agencies_render(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    status: StatusCode,
    f: &FormFields,
    errors: &[FieldError],
    flash: Option<&str>,
) -> Response {
    if let Some(r) = refuse_non_admin(lang, user) {
        return r;
    }
    let list = match scoped_agencies(ctx, user).await {
        Ok(l) => l,
        Err(e) => return error_page(lang, e),
    };
    let title = lang.t("Cơ quan, đơn vị", "Agencies");
    let mut body = format!("<h1>{title}</h1>");
    if let Some(m) = flash {
        let _ = write!(body, r#"<div class="callout" role="status">{}</div>"#, esc(m));
    }
    let parents: Vec<(String, String)> = list.iter().map(|a| (a.id.clone(), format!("{} ({})", a.name, a.code))).collect();
    let kinds: Vec<(String, String)> =
        AgencyKind::ALL.iter().map(|k| (k.code().to_string(), lang.t(k.label_vi(), k.code()).to_string())).collect();
    let _ = write!(
        body,
        r#"<section aria-labelledby="new-agency"><h2 id="new-agency">{h}</h2><form class="stack" method="post" action="{AGENCIES}{lq}">{csrf}
{parent}{kind}{code}{name}{short}{from}<div><button type="submit">{go}</button></div></form></section>"#,
        h = lang.t("Thêm cơ quan, đơn vị", "Add an agency"),
        lq = lang.suffix(),
        csrf = csrf_input(user),
        parent = select("a-parent_id", "parent_id", lang.t("Trực thuộc", "Parent"), &parents, f.get("parent_id").unwrap_or("")),
        kind = select("a-kind", "kind", lang.t("Loại", "Kind"), &kinds, f.get("kind").unwrap_or("unit")),
        code = input(lang, f, errors, "a", "code", lang.t("Mã định danh điện tử", "Electronic identifier code"), "text"),
        name = input(lang, f, errors, "a", "name", lang.t("Tên", "Name"), "text"),
        short = input(lang, f, errors, "a", "short_name", lang.t("Tên viết tắt", "Short name"), "text"),
        from = input(lang, f, errors, "a", "valid_from", lang.t("Hoạt động từ ngày", "In existence from"), "date"),
        go = lang.t("Thêm", "Add"),
    );
    let _ = write!(
        body,
        r#"<h2>{}</h2><div class="scroll"><table class="grid"><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>"#,
        lang.t("Danh sách", "List"),
        lang.t("Mã", "Code"),
        lang.t("Tên", "Name"),
        lang.t("Loại", "Kind"),
        lang.t("Đổi tên", "Rename"),
    );
    for a in &list {
        let rid = format!("rename-{}", a.id);
        let rerr = if f.get("agency_id") == Some(a.id.as_str()) { field_error(lang, errors, &rid) } else { String::new() };
        let _ = write!(
            body,
            r#"<tr><td>{code}</td><td style="padding-left:{pad}rem">{name}</td><td>{kind}</td><td><form class="inline-form" method="post" action="{AGENCIES}/{id}/doi-ten{lq}">{csrf}{rerr}<label class="vh" for="{rid}">{nl} {name}</label><input id="{rid}" name="name" type="text" value="{name}"> <button type="submit" class="secondary">{go}</button></form></td></tr>"#,
            code = esc(&a.code),
            pad = (a.depth.max(0) as f32) * 0.75,
            name = esc(&a.name),
            kind = esc(lang.t(a.kind.label_vi(), a.kind.code())),
            id = esc(&a.id),
            lq = lang.suffix(),
            csrf = csrf_input(user),
            nl = lang.t("Tên mới của", "New name of"),
            go = lang.t("Đổi tên", "Rename"),
        );
    }
    body.push_str("</tbody></table></div>");
    officer_page(status, lang, user, AGENCIES, title, &other_lang(lang, AGENCIES), errors, &body)
}

/// `POST /quan-tri/co-quan`: create an agency under one the administrator manages.
pub async fn agency_create(State(ctx): State<AppContext>, uri: Uri, form: PageForm) -> Response {
    let lang = lang_of(&uri);
    let PageForm { user, fields: f } = form;
    let opt = |n: &str| f.get(n).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let input = NewAgency {
        code: f.text("code"),
        name: f.text("name"),
        short_name: opt("short_name"),
        kind: f.text("kind"),
        parent_id: opt("parent_id"),
        valid_from: opt("valid_from"),
        address: None,
        phone: None,
        email: None,
    };
    match agencies::create(&ctx, Some(&user.principal), input).await {
        Ok(_) => see_other(&with_lang(lang, &format!("{AGENCIES}?xong=1"))),
        Err(AppError::Forbidden) => error_page(lang, AppError::Forbidden),
        Err(e) => {
            let errors = errors_of(&e, "a", "a-code");
            agencies_render(&ctx, lang, &user, ApiError::from(e).status, &f, &errors, None).await
        }
    }
}

/// `POST /quan-tri/co-quan/{id}/doi-ten`: rename from today (the name history is kept).
pub async fn agency_rename(State(ctx): State<AppContext>, uri: Uri, Path(id): Path<String>, form: PageForm) -> Response {
    let lang = lang_of(&uri);
    let PageForm { user, fields: mut f } = form;
    match agencies::rename(&ctx, &user.principal, &id, &f.text("name"), None).await {
        Ok(_) => see_other(&with_lang(lang, AGENCIES)),
        Err(AppError::Forbidden) => error_page(lang, AppError::Forbidden),
        Err(e) => {
            let rid = format!("rename-{id}");
            let errors: Vec<FieldError> = errors_of(&e, "x", &rid)
                .into_iter()
                .map(|mut x| {
                    x.field = rid.clone();
                    x
                })
                .collect();
            f.0.push(("agency_id".into(), id));
            agencies_render(&ctx, lang, &user, ApiError::from(e).status, &f, &errors, None).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// Users

#[derive(Deserialize)]
pub struct UsersParams {
    q: Option<String>,
}

/// `GET /quan-tri/nguoi-dung`: accounts serving agencies in scope, the create form, and a
/// disable button per active account.
pub async fn users_page(
    State(ctx): State<AppContext>,
    PageUser(user): PageUser,
    uri: Uri,
    Query(p): Query<UsersParams>,
) -> Response {
    users_render(&ctx, lang_of(&uri), &user, StatusCode::OK, p.q.as_deref(), &FormFields::default(), &[]).await
}

async fn users_render(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    status: StatusCode,
    q: Option<&str>,
    f: &FormFields,
    errors: &[FieldError],
) -> Response {
    if let Some(r) = refuse_non_admin(lang, user) {
        return r;
    }
    let query = UserQuery { q: q.map(str::to_string).filter(|s| !s.is_empty()), limit: 200, ..Default::default() };
    let (list, _) = match users::list(ctx, &user.principal, query).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let agencies = match scoped_agencies(ctx, user).await {
        Ok(l) => l,
        Err(e) => return error_page(lang, e),
    };
    let title = lang.t("Người dùng", "Users");
    let ag: Vec<(String, String)> = agencies.iter().map(|a| (a.id.clone(), format!("{} ({})", a.name, a.code))).collect();
    let roles: Vec<(String, String)> =
        Role::ALL.iter().map(|r| (r.code().to_string(), lang.t(r.label_vi(), r.label_en()).to_string())).collect();
    let mut body = format!(
        r#"<h1>{title}</h1><section aria-labelledby="new-user"><h2 id="new-user">{h}</h2><form class="stack" method="post" action="{USERS}{lq}">{csrf}
{un}{fnm}{em}{pw}{agency}{role}<div><button type="submit">{go}</button></div></form></section>
<form class="search" method="get" action="{USERS}" role="search">{lh}<div class="field wide"><label for="q">{ql}</label><input id="q" name="q" type="search" value="{qv}"></div><button type="submit">{find}</button></form>"#,
        h = lang.t("Tạo tài khoản", "Create an account"),
        lq = lang.suffix(),
        csrf = csrf_input(user),
        un = input(lang, f, errors, "u", "username", lang.t("Tên đăng nhập", "Username"), "text"),
        fnm = input(lang, f, errors, "u", "full_name", lang.t("Họ và tên", "Full name"), "text"),
        em = input(lang, f, errors, "u", "email", "Email", "email"),
        pw = input(lang, f, errors, "u", "password", lang.t("Mật khẩu ban đầu", "Initial password"), "password"),
        agency = select("u-agency_id", "agency_id", lang.t("Cơ quan công tác", "Agency"), &ag, f.get("agency_id").unwrap_or("")),
        role = select("u-role", "role", lang.t("Vai trò", "Role"), &roles, f.get("role").unwrap_or("specialist")),
        go = lang.t("Tạo tài khoản", "Create"),
        lh = if lang == Lang::En { r#"<input type="hidden" name="lang" value="en">"# } else { "" },
        ql = lang.t("Tìm người dùng", "Find a user"),
        qv = esc(q.unwrap_or("")),
        find = lang.t("Tìm", "Search"),
    );
    let _ = write!(
        body,
        r#"<div class="scroll"><table class="grid"><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>"#,
        lang.t("Tên đăng nhập", "Username"),
        lang.t("Họ và tên", "Full name"),
        lang.t("Trạng thái", "State"),
        lang.t("Thao tác", "Action"),
    );
    for u in &list {
        let action = if u.active && u.id != user.user.id {
            format!(
                r#"<form method="post" action="{USERS}/{id}/khoa{lq}">{csrf}<button type="submit" class="warning">{l}<span class="vh"> {name}</span></button></form>"#,
                id = esc(&u.id),
                lq = lang.suffix(),
                csrf = csrf_input(user),
                l = lang.t("Khóa tài khoản", "Disable"),
                name = esc(&u.username),
            )
        } else {
            String::new()
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{action}</td></tr>",
            esc(&u.username),
            esc(&u.full_name),
            if u.active { lang.t("Đang hoạt động", "Active") } else { lang.t("Đã khóa", "Disabled") },
        );
    }
    body.push_str("</tbody></table></div>");
    officer_page(status, lang, user, USERS, title, &other_lang(lang, USERS), errors, &body)
}

/// `POST /quan-tri/nguoi-dung`: create an official's account with one membership.
pub async fn user_create(State(ctx): State<AppContext>, uri: Uri, form: PageForm) -> Response {
    let lang = lang_of(&uri);
    let PageForm { user, fields: f } = form;
    let input = NewUser {
        username: f.text("username"),
        full_name: f.text("full_name"),
        email: f.get("email").map(str::trim).filter(|s| !s.is_empty()).map(str::to_string),
        phone: None,
        citizen_id: None,
        password: f.text("password"),
        account_type: Some("official".into()),
        memberships: vec![MembershipInput { agency_id: f.text("agency_id"), role: f.text("role") }],
    };
    match users::create(&ctx, Some(&user.principal), input).await {
        Ok(_) => see_other(&with_lang(lang, USERS)),
        Err(AppError::Forbidden) => error_page(lang, AppError::Forbidden),
        Err(e) => {
            let errors: Vec<FieldError> = errors_of(&e, "u", "u-username")
                .into_iter()
                .map(|mut x| {
                    if x.field.starts_with("u-memberships") {
                        x.field = "u-agency_id".into();
                    }
                    x
                })
                .collect();
            users_render(&ctx, lang, &user, ApiError::from(e).status, None, &f, &errors).await
        }
    }
}

/// `POST /quan-tri/nguoi-dung/{id}/khoa`: disable an account (its sessions end).
pub async fn user_disable(State(ctx): State<AppContext>, uri: Uri, Path(id): Path<String>, form: PageForm) -> Response {
    let lang = lang_of(&uri);
    let ch = UserChanges { active: Some(false), ..Default::default() };
    match users::update(&ctx, &form.user.principal, &id, ch).await {
        Ok(_) => see_other(&with_lang(lang, USERS)),
        Err(e) => error_page(lang, e),
    }
}

// ---------------------------------------------------------------------------------------
// Workflows (province administrators: the use case requires it)

#[derive(Deserialize)]
pub struct WorkflowsParams {
    code: Option<String>,
}

/// `GET /quan-tri/quy-trinh?code=`: go to a procedure's workflow.
pub async fn workflows_page(PageUser(user): PageUser, uri: Uri, Query(p): Query<WorkflowsParams>) -> Response {
    let lang = lang_of(&uri);
    if let Some(r) = refuse_non_admin(lang, &user) {
        return r;
    }
    if let Some(c) = p.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        return see_other(&with_lang(lang, &format!("{WORKFLOWS}/{}", super::catalog::urlencode(c))));
    }
    let title = lang.t("Quy trình xử lý", "Workflows");
    let body = format!(
        r#"<h1>{title}</h1><form class="search" method="get" action="{WORKFLOWS}">{lh}<div class="field"><label for="code">{l}</label><input id="code" name="code" type="text"></div><button type="submit">{go}</button></form>"#,
        lh = if lang == Lang::En { r#"<input type="hidden" name="lang" value="en">"# } else { "" },
        l = lang.t("Mã thủ tục", "Procedure code"),
        go = lang.t("Xem quy trình", "Show the workflow"),
    );
    officer_page(StatusCode::OK, lang, &user, WORKFLOWS, title, &other_lang(lang, WORKFLOWS), &[], &body)
}

const KINDS: [StepKind; 6] =
    [StepKind::Reception, StepKind::Appraisal, StepKind::Approval, StepKind::Signing, StepKind::Issuing, StepKind::Transfer];

fn kind_code(k: StepKind) -> String {
    serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn unit_code(u: TimeUnit) -> &'static str {
    u.code()
}

/// `GET /quan-tri/quy-trinh/{code}`: the steps as an editable table (one spare row).
pub async fn workflow_page(
    State(ctx): State<AppContext>,
    PageUser(user): PageUser,
    uri: Uri,
    Path(code): Path<String>,
) -> Response {
    let lang = lang_of(&uri);
    if let Some(r) = refuse_non_admin(lang, &user) {
        return r;
    }
    let w = match dossier_uc::workflow(&ctx, &code).await {
        Ok((_, w)) => w,
        Err(AppError::NotFound { .. }) => Workflow { steps: Vec::new() },
        Err(e) => return error_page(lang, e),
    };
    let mut f = FormFields::default();
    for (i, s) in w.steps.iter().enumerate() {
        let (atype, acode) = match &s.agency {
            StepAgency::Receiving => ("receiving", String::new()),
            StepAgency::Competent => ("competent", String::new()),
            StepAgency::Fixed { code } => ("fixed", code.clone()),
        };
        for (k, v) in [
            ("kind", kind_code(s.kind)),
            ("name", s.name.clone()),
            ("agency.type", atype.to_string()),
            ("agency.code", acode),
            ("role", s.role.code().to_string()),
            ("budget.value", s.budget.value.to_string()),
            ("budget.unit", unit_code(s.budget.unit).to_string()),
        ] {
            f.0.push((format!("steps.{i}.{k}"), v));
        }
    }
    workflow_render(&ctx, lang, &user, &code, StatusCode::OK, &f, w.steps.len(), &[], false).await
}

#[allow(clippy::too_many_arguments)]
async fn workflow_render(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    code: &str,
    status: StatusCode,
    f: &FormFields,
    rows: usize,
    errors: &[FieldError],
    saved: bool,
) -> Response {
    let proc = motcua_app::usecases::catalog::in_force(ctx, code, ctx.clock.now_ms()).await.ok().flatten();
    let Some(proc) = proc else { return error_page(lang, AppError::not_found("procedure")) };
    let title = format!("{} {}", lang.t("Quy trình", "Workflow"), proc.code);
    let kinds: Vec<(String, String)> = KINDS.iter().map(|k| (kind_code(*k), k.label_vi().to_string())).collect();
    let roles: Vec<(String, String)> = [Role::ReceptionOfficer, Role::Specialist, Role::Leader]
        .iter()
        .map(|r| (r.code().to_string(), lang.t(r.label_vi(), r.label_en()).to_string()))
        .collect();
    let agencies: Vec<(String, String)> = [
        ("receiving", lang.t("Nơi tiếp nhận", "Where received")),
        ("competent", lang.t("Cơ quan giải quyết", "Competent agency")),
        ("fixed", lang.t("Cơ quan cố định (nhập mã)", "A fixed agency (code)")),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let units: Vec<(String, String)> = [TimeUnit::Hours, TimeUnit::WorkingDays, TimeUnit::Days, TimeUnit::Months]
        .iter()
        .map(|u| (u.code().to_string(), u.label_vi().to_string()))
        .collect();
    let mut trs = String::new();
    for i in 0..rows + 1 {
        let g = |k: &str| f.get(&format!("steps.{i}.{k}")).unwrap_or("").to_string();
        let n = |k: &str| format!("steps.{i}.{k}");
        let id = |k: &str| fid("w", &n(k));
        let cell = |k: &str, kind: &str, label: &str| {
            format!(
                r#"{err}<label class="vh" for="{id}">{label} {row}</label><input id="{id}" name="{name}" type="{kind}" value="{v}"{a}>"#,
                err = field_error(lang, errors, &id(k)),
                id = id(k),
                label = esc(label),
                row = i + 1,
                name = n(k),
                v = esc(&g(k)),
                a = invalid_attrs(errors, &id(k)),
            )
        };
        let sel = |k: &str, label: &str, opts: &[(String, String)], blank: bool| {
            let mut o = if blank {
                format!(r#"<option value="">{}</option>"#, lang.t("(bỏ trống)", "(none)"))
            } else {
                String::new()
            };
            for (v, l) in opts {
                let s = if *v == g(k) { " selected" } else { "" };
                let _ = write!(o, r#"<option value="{}"{s}>{}</option>"#, esc(v), esc(l));
            }
            format!(
                r#"{err}<label class="vh" for="{id}">{label} {row}</label><select id="{id}" name="{name}"{a}>{o}</select>"#,
                err = field_error(lang, errors, &id(k)),
                id = id(k),
                label = esc(label),
                row = i + 1,
                name = n(k),
                a = invalid_attrs(errors, &id(k)),
            )
        };
        let _ = write!(
            trs,
            r#"<tr id="{rid}"><td>{row}{rerr}</td><td>{kind}</td><td>{name}</td><td>{atype}{acode}</td><td>{role}</td><td>{bv}{bu}</td></tr>"#,
            rid = fid("w", &format!("steps.{i}")),
            row = i + 1,
            rerr = field_error(lang, errors, &fid("w", &format!("steps.{i}"))),
            kind = sel("kind", lang.t("Loại bước", "Kind"), &kinds, true),
            name = cell("name", "text", lang.t("Tên bước", "Name")),
            atype = sel("agency.type", lang.t("Cơ quan", "Agency"), &agencies, false),
            acode = cell("agency.code", "text", lang.t("Mã cơ quan", "Agency code")),
            role = sel("role", lang.t("Vai trò", "Role"), &roles, false),
            bv = cell("budget.value", "number", lang.t("Thời gian", "Budget")),
            bu = sel("budget.unit", lang.t("Đơn vị", "Unit"), &units, false),
        );
    }
    let body = format!(
        r#"<p class="crumbs"><a href="{back}">{bl}</a></p><h1>{title}</h1><p>{pname} · {tl}: {limit}</p>{saved}
<form method="post" action="{WORKFLOWS}/{code}{lq}">{csrf}<input type="hidden" name="rows" value="{rows1}">
{serr}<div class="scroll"><table class="grid workflow" id="w-steps"><caption>{cap}</caption><thead><tr><th scope="col">#</th><th scope="col">{h1}</th><th scope="col">{h2}</th><th scope="col">{h3}</th><th scope="col">{h4}</th><th scope="col">{h5}</th></tr></thead><tbody>{trs}</tbody></table></div>
<p class="hint">{hint}</p><button type="submit">{go}</button></form>"#,
        back = with_lang(lang, WORKFLOWS),
        bl = lang.t("← Quy trình khác", "← Another workflow"),
        pname = esc(&proc.spec.name),
        tl = lang.t("Thời hạn theo quy định", "Legal limit"),
        limit = esc(&super::officer::limit_label(lang, proc.spec.time_limit)),
        saved = if saved { format!(r#"<div class="callout" role="status">{}</div>"#, lang.t("Đã lưu quy trình.", "The workflow was saved.")) } else { String::new() },
        code = esc(&proc.code),
        lq = lang.suffix(),
        csrf = csrf_input(user),
        rows1 = rows + 1,
        serr = field_error(lang, errors, "w-steps"),
        cap = lang.t("Các bước", "Steps"),
        h1 = lang.t("Loại bước", "Kind"),
        h2 = lang.t("Tên bước", "Name"),
        h3 = lang.t("Cơ quan thực hiện", "Acting agency"),
        h4 = lang.t("Vai trò", "Role"),
        h5 = lang.t("Thời gian của bước", "Step budget"),
        hint = lang.t(
            "Bước đầu là tiếp nhận tại nơi nhận hồ sơ; tổng thời gian các bước không vượt thời hạn theo quy định. Để trống loại bước để bỏ một dòng.",
            "The first step is reception where the dossier is received; the budgets must fit the legal limit. Leave the kind empty to drop a row."
        ),
        go = lang.t("Lưu quy trình", "Save the workflow"),
    );
    let path = format!("{WORKFLOWS}/{code}");
    officer_page(status, lang, user, WORKFLOWS, &title, &other_lang(lang, &path), errors, &body)
}

/// `POST /quan-tri/quy-trinh/{code}`: saves the steps; every problem is shown at its field.
pub async fn workflow_save(State(ctx): State<AppContext>, uri: Uri, Path(code): Path<String>, form: PageForm) -> Response {
    let lang = lang_of(&uri);
    let PageForm { user, fields: f } = form;
    if let Some(r) = refuse_non_admin(lang, &user) {
        return r;
    }
    let rows: usize = f.get("rows").and_then(|r| r.parse().ok()).unwrap_or(0).min(21);
    let mut errors = Vec::new();
    let mut steps = Vec::new();
    // Form row of each kept step, to put the use case's `steps[i]` errors at the right row.
    let mut kept = Vec::new();
    for i in 0..rows {
        let g = |k: &str| f.get(&format!("steps.{i}.{k}")).unwrap_or("").trim().to_string();
        if g("kind").is_empty() {
            continue;
        }
        let kind = KINDS.iter().copied().find(|k| kind_code(*k) == g("kind"));
        let role = Role::parse(&g("role"));
        let unit = TimeUnit::parse(&g("budget.unit")).ok();
        let value = g("budget.value").parse::<u32>().ok();
        let agency = match g("agency.type").as_str() {
            "receiving" => StepAgency::Receiving,
            "competent" => StepAgency::Competent,
            _ => StepAgency::Fixed { code: g("agency.code") },
        };
        if value.is_none() {
            errors.push(FieldError::new(
                fid("w", &format!("steps.{i}.budget.value")),
                "invalid_number",
                "Nhập thời gian bằng chữ số.",
                "Enter the budget in digits.",
            ));
        }
        if let (Some(kind), Some(role), Some(unit), Some(value)) = (kind, role, unit, value) {
            kept.push(i);
            steps.push(StepSpec { kind, name: g("name"), agency, role, budget: TimeLimit { value, unit } });
        }
    }
    if errors.is_empty() {
        match dossier_uc::set_workflow(&ctx, &user, &code, Workflow { steps }).await {
            Ok((_, w)) => {
                let _ = w;
                return see_other(&with_lang(lang, &format!("{WORKFLOWS}/{code}?xong=1")));
            }
            Err(AppError::Forbidden) => return error_page(lang, AppError::Forbidden),
            Err(e) => {
                for mut x in e.fields() {
                    // steps[i]… → the form row of the i-th kept step.
                    if let Some(rest) = x.field.strip_prefix("steps[")
                        && let Some((n, tail)) = rest.split_once(']')
                        && let Ok(n) = n.parse::<usize>()
                    {
                        let row = kept.get(n).copied().unwrap_or(n);
                        let tail = match tail {
                            ".budget" => ".budget.value",
                            t => t,
                        };
                        x.field = fid("w", &format!("steps.{row}{tail}"));
                    } else {
                        x.field = fid("w", &x.field);
                    }
                    errors.push(x);
                }
                if errors.is_empty() {
                    errors.push(FieldError::new("w-steps", e.code(), e.message_vi(), e.message_en()));
                }
            }
        }
    }
    workflow_render(&ctx, lang, &user, &code, StatusCode::UNPROCESSABLE_ENTITY, &f, rows.saturating_sub(1), &errors, false).await
}

// ---------------------------------------------------------------------------------------
// Calendar years (province administrators: the use case requires it)

#[derive(Deserialize)]
pub struct CalendarParams {
    nam: Option<i32>,
}

/// `GET /quan-tri/lich?nam=`: the year's schedule in force and the form to load a file.
pub async fn calendar_page(
    State(ctx): State<AppContext>,
    PageUser(user): PageUser,
    uri: Uri,
    Query(p): Query<CalendarParams>,
) -> Response {
    let lang = lang_of(&uri);
    let year = p.nam.unwrap_or_else(|| motcua_app::usecases::today().year() as i32);
    calendar_render(&ctx, lang, &user, year, StatusCode::OK, &[], None).await
}

async fn calendar_render(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    year: i32,
    status: StatusCode,
    errors: &[FieldError],
    flash: Option<&str>,
) -> Response {
    if let Some(r) = refuse_non_admin(lang, user) {
        return r;
    }
    let title = format!("{} {year}", lang.t("Lịch làm việc năm", "Work calendar"));
    let schedule = ctx.calendars.schedule(year).map(|(s, _)| s.to_text());
    let body = format!(
        r#"<h1>{title}</h1>{flash}<nav class="years" aria-label="{ny}"><a href="{prev}">← {py}</a><a href="{next}">{nx} →</a></nav>
<p><a href="{public}">{pl}</a></p>
<section aria-labelledby="sched"><h2 id="sched">{hs}</h2>{sched}</section>
<section aria-labelledby="load"><h2 id="load">{hl}</h2><form class="stack" method="post" action="{CALENDAR}{lq}" enctype="multipart/form-data">{csrf}<input type="hidden" name="year" value="{year}">
<div class="field"><label for="c-format">{fl}</label><select id="c-format" name="format"><option value="text">{ft}</option><option value="json">JSON</option></select></div>
<div class="field">{ferr}<label for="c-file">{fil}</label><input id="c-file" name="file" type="file" accept=".csv,.txt,.json,text/plain,application/json"{fa}></div>
<div><button type="submit">{go}</button></div></form></section>"#,
        flash = flash.map(|m| format!(r#"<div class="callout" role="status">{}</div>"#, esc(m))).unwrap_or_default(),
        ny = lang.t("Năm", "Years"),
        prev = with_lang(lang, &format!("{CALENDAR}?nam={}", year - 1)),
        py = year - 1,
        next = with_lang(lang, &format!("{CALENDAR}?nam={}", year + 1)),
        nx = year + 1,
        public = with_lang(lang, &format!("/lich/{year}")),
        pl = lang.t("Xem lịch cả năm (ngày nghỉ, ngày làm bù)", "See the whole year (days off, make-up days)"),
        hs = lang.t("Lịch chính thức đang áp dụng", "Official schedule in force"),
        sched = match schedule {
            Some(t) => format!("<pre class=\"schedule\">{}</pre>", esc(&t)),
            None => format!(
                "<p>{}</p>",
                lang.t(
                    "Năm này chưa có lịch chính thức; áp dụng các ngày nghỉ theo luật.",
                    "No official schedule for this year; the statutory holidays apply."
                )
            ),
        },
        hl = lang.t("Nạp tệp lịch", "Load a schedule file"),
        lq = lang.suffix(),
        csrf = csrf_input(user),
        fl = lang.t("Định dạng", "Format"),
        ft = lang.t("Văn bản (theo dòng)", "Text (line format)"),
        ferr = field_error(lang, errors, "c-file"),
        fil = lang.t("Tệp lịch", "Schedule file"),
        fa = invalid_attrs(errors, "c-file"),
        go = lang.t("Nạp lịch", "Load"),
    );
    let path = format!("{CALENDAR}?nam={year}");
    officer_page(status, lang, user, CALENDAR, &title, &other_lang(lang, &path), errors, &body)
}

/// `POST /quan-tri/lich` (multipart): loads a schedule file; rejected whole with every problem.
pub async fn calendar_load(
    State(ctx): State<AppContext>,
    PageUser(user): PageUser,
    uri: Uri,
    headers: HeaderMap,
    mp: Multipart,
) -> Response {
    let lang = lang_of(&uri);
    if let Some(r) = refuse_non_admin(lang, &user) {
        return r;
    }
    let (f, files) = match read_multipart(lang, &user, &headers, mp).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let year = f.get("year").and_then(|y| y.parse().ok()).unwrap_or_else(|| motcua_app::usecases::today().year() as i32);
    let Some(file) = files.into_iter().find(|u| u.field == "file") else {
        let e = [FieldError::new("c-file", "file_missing", "Chọn tệp lịch.", "Choose the schedule file.")];
        return calendar_render(&ctx, lang, &user, year, StatusCode::UNPROCESSABLE_ENTITY, &e, None).await;
    };
    let format = if f.get("format") == Some("json") { ScheduleFormat::Json } else { ScheduleFormat::Text };
    let content = String::from_utf8_lossy(&file.bytes).into_owned();
    match motcua_app::calendar::load_schedule(&ctx, Some(&user.principal), &content, format).await {
        Ok(s) => {
            let msg = format!(
                "{} {} ({} {})",
                lang.t("Đã nạp lịch năm", "Loaded the schedule of"),
                s.year,
                lang.t("lần", "revision"),
                s.revision
            );
            calendar_render(&ctx, lang, &user, s.year, StatusCode::OK, &[], Some(&msg)).await
        }
        Err(AppError::Forbidden) => error_page(lang, AppError::Forbidden),
        Err(e) => {
            let mut errors: Vec<FieldError> = e
                .fields()
                .into_iter()
                .map(|mut x| {
                    x.message_vi = format!("{}: {}", x.field, x.message_vi);
                    x.message_en = format!("{}: {}", x.field, x.message_en);
                    x.field = "c-file".into();
                    x
                })
                .collect();
            if errors.is_empty() {
                errors.push(FieldError::new("c-file", e.code(), e.message_vi(), e.message_en()));
            }
            let status = ApiError::from(e).status;
            calendar_render(&ctx, lang, &user, year, status, &errors, None).await
        }
    }
}
