//! `/quan-tri/quy-trinh`: a procedure's workflow (the steps after reception, with the agency
//! and role that act and each step's budget) as an editable table with one spare row. The
//! rules (budgets within the legal limit, the first step is reception) are the domain's,
//! checked by the `set_workflow` use case; every problem is shown at its field.

use super::{Choice, choices, field_id, refuse_non_admin};
use crate::kit::fmt::time_limit;
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{
    FormFields, Frame, Lang, PageForm, PageUser, Route, error_page, other_lang_href, see_other, title_with_errors, with_lang,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::dossiers as dossier_uc;
use motcua_app::{AppContext, AppError};
use motcua_domain::calendar::{TimeLimit, TimeUnit};
use motcua_domain::dossier::{StepAgency, StepKind, StepSpec, Workflow};
use motcua_domain::error::FieldError;
use motcua_domain::user::Role;
use serde::Deserialize;

/// At most this many rows are read from a posted form (the steps and the spare row).
const MAX_ROWS: usize = 21;

#[derive(Deserialize)]
pub struct WorkflowsParams {
    code: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/workflows.html")]
struct WorkflowsView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: &'a [FieldError],
}

/// `GET /quan-tri/quy-trinh?code=`: asks for a procedure code and goes to its workflow.
pub async fn list(lang: Lang, PageUser(user): PageUser, Query(p): Query<WorkflowsParams>) -> Response {
    if let Some(r) = refuse_non_admin(lang, &user) {
        return r;
    }
    if let Some(c) = p.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        return see_other(&lang.href(Route::AdminWorkflow(c)));
    }
    let view = WorkflowsView {
        lang,
        frame: Frame::new(lang.t("Quy trình xử lý", "Workflows"), other_lang_href(lang, &Route::AdminWorkflows.path())),
        user: &user,
        menu: menu(lang, &user, Route::AdminWorkflows),
        errors: &[],
    };
    html(StatusCode::OK, &view)
}

/// One row of the table: its index and the posted (or stored) values.
struct StepRow {
    i: usize,
    kind: Vec<Choice>,
    name: String,
    agency: Vec<Choice>,
    agency_code: String,
    role: Vec<Choice>,
    budget: String,
    unit: Vec<Choice>,
}

impl StepRow {
    /// The form name of a field of this row (`steps.0.kind`).
    fn name_of(&self, key: &str) -> String {
        format!("steps.{}.{key}", self.i)
    }
    /// The input id of a field of this row (`w-steps-0-kind`); the row's own id without a key.
    fn id(&self, key: &str) -> String {
        if key.is_empty() { field_id("w", &format!("steps.{}", self.i)) } else { field_id("w", &self.name_of(key)) }
    }
}

#[derive(Template)]
#[template(path = "admin/workflow.html")]
struct WorkflowView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: &'a [FieldError],
    heading: String,
    code: &'a str,
    procedure_name: &'a str,
    limit: String,
    saved: bool,
    rows: Vec<StepRow>,
}

/// The workflow form's one fixed field, the number of step rows (hidden; read leniently). The
/// rows themselves (`steps.{i}.kind`, …) are keyed by their number and read from `FormFields`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WorkflowForm {
    rows: String,
}

#[derive(Deserialize)]
pub struct WorkflowParams {
    xong: Option<String>,
}

/// `GET /quan-tri/quy-trinh/{code}`: the steps as an editable table (one spare row).
pub async fn page(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    Query(p): Query<WorkflowParams>,
) -> Response {
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
            ("kind", s.kind.code().to_string()),
            ("name", s.name.clone()),
            ("agency.type", atype.to_string()),
            ("agency.code", acode),
            ("role", s.role.code().to_string()),
            ("budget.value", s.budget.value.to_string()),
            ("budget.unit", s.budget.unit.code().to_string()),
        ] {
            f.0.push((format!("steps.{i}.{k}"), v));
        }
    }
    render(&ctx, lang, &user, &code, StatusCode::OK, &f, w.steps.len(), &[], p.xong.is_some()).await
}

#[allow(clippy::too_many_arguments)]
async fn render(
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
    let roles = [Role::ReceptionOfficer, Role::Specialist, Role::Leader];
    let agencies = [
        ("receiving", lang.t("Nơi tiếp nhận", "Where received")),
        ("competent", lang.t("Cơ quan giải quyết", "Competent agency")),
        ("fixed", lang.t("Cơ quan cố định (nhập mã)", "A fixed agency (code)")),
    ];
    let units = [TimeUnit::Hours, TimeUnit::WorkingDays, TimeUnit::Days, TimeUnit::Months];
    let steps = (0..=rows)
        .map(|i| {
            let g = |k: &str| f.get(&format!("steps.{i}.{k}")).unwrap_or("").to_string();
            // The blank kind drops the row; it is never marked selected (no kind is the default).
            let blank = Choice { value: String::new(), label: lang.t("(bỏ trống)", "(none)").to_string(), selected: false };
            let kinds = choices(StepKind::ALL.iter().map(|k| (k.code(), k.label_vi())), &g("kind"));
            StepRow {
                i,
                kind: std::iter::once(blank).chain(kinds).collect(),
                name: g("name"),
                agency: choices(agencies, &g("agency.type")),
                agency_code: g("agency.code"),
                role: choices(roles.iter().map(|r| (r.code(), lang.t(r.label_vi(), r.label_en()))), &g("role")),
                budget: g("budget.value"),
                unit: choices(units.iter().map(|u| (u.code(), u.label_vi())), &g("budget.unit")),
            }
        })
        .collect();
    let heading = format!("{} {}", lang.t("Quy trình", "Workflow"), proc.code);
    let view = WorkflowView {
        lang,
        frame: Frame::new(title_with_errors(lang, &heading, errors), other_lang_href(lang, &Route::AdminWorkflow(code).path())),
        user,
        menu: menu(lang, user, Route::AdminWorkflows),
        errors,
        code: &proc.code,
        procedure_name: &proc.spec.name,
        limit: time_limit(lang, proc.spec.time_limit),
        saved,
        rows: steps,
        heading,
    };
    html(status, &view)
}

/// `POST /quan-tri/quy-trinh/{code}`: saves the steps; every problem is shown at its field.
pub async fn save(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path(code): Path<String>,
    PageForm { user, fields: f }: PageForm,
) -> Response {
    if let Some(r) = refuse_non_admin(lang, &user) {
        return r;
    }
    let form: WorkflowForm = match f.typed() {
        Ok(form) => form,
        Err(e) => return error_page(lang, e),
    };
    let rows: usize = form.rows.parse().unwrap_or(0).min(MAX_ROWS);
    let mut errors = Vec::new();
    let mut steps = Vec::new();
    // Form row of each kept step, to put the use case's `steps[i]` errors at the right row.
    let mut kept = Vec::new();
    for i in 0..rows {
        let g = |k: &str| f.get(&format!("steps.{i}.{k}")).unwrap_or("").trim().to_string();
        if g("kind").is_empty() {
            continue;
        }
        let kind = StepKind::ALL.iter().copied().find(|k| k.code() == g("kind"));
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
                field_id("w", &format!("steps.{i}.budget.value")),
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
            Ok(_) => return see_other(&with_lang(lang, &Route::AdminWorkflow(&code).with_query(&[("xong", "1")]))),
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
                        x.field = field_id("w", &format!("steps.{row}{tail}"));
                    } else {
                        x.field = field_id("w", &x.field);
                    }
                    errors.push(x);
                }
                if errors.is_empty() {
                    errors.push(FieldError::new("w-steps", e.code(), e.message_vi(), e.message_en()));
                }
            }
        }
    }
    render(&ctx, lang, &user, &code, StatusCode::UNPROCESSABLE_ENTITY, &f, rows.saturating_sub(1), &errors, false).await
}
