//! The catalog's create/amend form (`/quan-tri/thu-tuc/moi`, `/quan-tri/thu-tuc/{code}/sua-doi`;
//! province administrators only, others get a 403 page). The other catalog administration
//! pages (search, versions and actions, diff) are in `motcua-pages` (`admin::catalog`).
//!
//! The form edits the fields officers change most, the fees and the required components
//! (one row each: name, required, originals, copies, form file, note); the "advanced"
//! textarea holds the whole spec as JSON for the rest (steps, legal basis…). The form fields
//! are applied on top of the JSON, so where both say something the form wins. Every action goes through
//! the catalog use cases, which check the permission again and write the audit trail.

use super::form::{
    FormFields, app_field_errors, error_page, error_summary, field_error, invalid_attrs, page, see_other, title_with_errors,
};
use super::session::{PageForm, PageUser, csrf_input, lang_of, user_bar};
use super::{Lang, esc};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::catalog::{self, parse_effective};
use motcua_app::{AppContext, AppError};
use motcua_domain::authz::{Permission, authorize_user};
use motcua_domain::calendar::TimeUnit;
use motcua_domain::catalog::ProcedureSpec;
use motcua_domain::error::FieldError;
use motcua_store::repo::catalog::VersionRecord;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::fmt::Write;

const BASE: &str = "/quan-tri/thu-tuc";
/// Empty fee rows offered below the existing ones.
const SPARE_FEE_ROWS: usize = 2;
/// Empty component rows offered below the existing ones.
const SPARE_COMPONENT_ROWS: usize = 1;

/// Province administrators only (the same rule the use cases apply): the 403 page for anyone else.
fn refuse_non_admin(lang: Lang, user: &CurrentUser) -> Option<Response> {
    authorize_user(&user.principal, Permission::ManageCatalog, &[]).err().map(|_| error_page(lang, AppError::Forbidden))
}

/// The frame of every admin page: who is logged in, the way back, then the body.
fn admin_page(
    status: StatusCode,
    lang: Lang,
    user: &CurrentUser,
    title: &str,
    other: &str,
    errors: &[FieldError],
    body: &str,
) -> Response {
    let frame = format!(
        r#"{bar}<p class="crumbs"><a href="{BASE}{lq}">{back}</a></p>{summary}{body}"#,
        bar = user_bar(lang, user),
        lq = lang.suffix(),
        back = lang.t("Quản trị danh mục thủ tục", "Catalog administration"),
        summary = error_summary(lang, errors),
    );
    page(status, lang, &title_with_errors(lang, title, errors), other, &frame)
}

fn other_lang(lang: Lang, path: &str) -> String {
    if lang == Lang::Vi { format!("{path}?lang=en") } else { path.to_string() }
}

fn with_lang(lang: Lang, path: &str) -> String {
    match lang {
        Lang::Vi => path.to_string(),
        Lang::En if path.contains('?') => format!("{path}&lang=en"),
        Lang::En => format!("{path}?lang=en"),
    }
}

fn online_label(lang: Lang, o: &str) -> &'static str {
    match (o, lang) {
        ("full", Lang::Vi) => "Toàn trình",
        ("full", Lang::En) => "Fully online",
        ("partial", Lang::Vi) => "Một phần",
        ("partial", Lang::En) => "Partly online",
        (_, Lang::Vi) => "Không trực tuyến",
        (_, Lang::En) => "Not online",
    }
}

fn unit_label(lang: Lang, u: TimeUnit) -> &'static str {
    match (u, lang) {
        (_, Lang::Vi) => u.label_vi(),
        (TimeUnit::Hours, Lang::En) => "office hours",
        (TimeUnit::Days, Lang::En) => "days",
        (TimeUnit::WorkingDays, Lang::En) => "working days",
        (TimeUnit::Months, Lang::En) => "months",
    }
}

/// An effective day from a form field (required).
fn effective(id: &str, s: &str) -> Result<i64, AppError> {
    if s.trim().is_empty() {
        return Err(AppError::Validation(motcua_domain::error::ValidationError::single(
            id,
            "required",
            "Chọn ngày có hiệu lực.",
            "Choose the effective day.",
        )));
    }
    parse_effective(id, s)
}

// ---------------------------------------------------------------------------------------
// Create / amend form

#[derive(Debug, Clone, Default)]
struct FeeRow {
    name: String,
    amount: String,
    collected: String,
    exemptions: String,
}

impl FeeRow {
    fn is_blank(&self) -> bool {
        self.name.trim().is_empty() && self.amount.trim().is_empty() && self.exemptions.trim().is_empty()
    }
}

/// A required component (thành phần hồ sơ) as typed in its row.
#[derive(Debug, Clone, Default)]
struct CompRow {
    key: String,
    name: String,
    required: bool,
    originals: String,
    copies: String,
    template: String,
    note: String,
}

impl CompRow {
    fn is_blank(&self) -> bool {
        [&self.key, &self.name, &self.originals, &self.copies, &self.template, &self.note].iter().all(|v| v.trim().is_empty())
    }
}

/// A component key made from its name ("Đơn đề nghị" → `don_de_nghi`), when none is typed.
fn key_from_name(name: &str) -> String {
    let folded = motcua_domain::text::fold(name);
    let mut key = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
    }
    key.trim_end_matches('_').chars().take(60).collect()
}

/// The form's values as typed (strings), so a rejected form comes back exactly as sent.
#[derive(Debug, Clone, Default)]
struct SpecForm {
    code: String,
    name: String,
    sector_code: String,
    sector_name: String,
    level_province: bool,
    level_commune: bool,
    implementing_agency: String,
    agency_code: String,
    tl_value: String,
    tl_unit: String,
    online_level: String,
    full_online_eligible: bool,
    postal_excluded: bool,
    online_only: bool,
    cutoff: String,
    fees: Vec<FeeRow>,
    components: Vec<CompRow>,
    /// The form carried the component rows (otherwise the JSON's components are kept).
    components_form: bool,
    decision_number: String,
    decision_date: String,
    result_name: String,
    result_paper: bool,
    spec_json: String,
    /// Publish from `effective_from` (else keep as a draft).
    publish: bool,
    effective_from: String,
}

fn enum_code<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

impl SpecForm {
    /// `today` dates the blank decision and the default first day (tomorrow).
    fn from_spec(s: &ProcedureSpec, spec_json: String, today: jiff::civil::Date) -> Self {
        use motcua_domain::catalog::Level;
        let mut fees: Vec<FeeRow> = s
            .fees
            .iter()
            .map(|f| FeeRow {
                name: f.name.clone(),
                amount: f.amount.to_string(),
                collected: enum_code(&f.collected),
                exemptions: f.exemptions.clone().unwrap_or_default(),
            })
            .collect();
        fees.extend(std::iter::repeat_n(FeeRow::default(), SPARE_FEE_ROWS));
        let mut components: Vec<CompRow> = s
            .components
            .iter()
            .map(|c| CompRow {
                key: c.key.clone(),
                name: c.name.clone(),
                required: c.required,
                originals: c.originals.to_string(),
                copies: c.copies.to_string(),
                template: c.template.clone().unwrap_or_default(),
                note: c.note.clone().unwrap_or_default(),
            })
            .collect();
        components.extend(std::iter::repeat_n(CompRow { required: true, ..Default::default() }, SPARE_COMPONENT_ROWS));
        SpecForm {
            code: s.code.clone(),
            name: s.name.clone(),
            sector_code: s.sector.code.clone(),
            sector_name: s.sector.name.clone(),
            level_province: s.levels.contains(&Level::Province),
            level_commune: s.levels.contains(&Level::Commune),
            implementing_agency: s.implementing_agency.clone(),
            agency_code: s.agency_code.clone().unwrap_or_default(),
            tl_value: s.time_limit.value.to_string(),
            tl_unit: s.time_limit.unit.code().to_string(),
            online_level: enum_code(&s.online_level),
            full_online_eligible: s.full_online_eligible,
            postal_excluded: s.postal_excluded,
            online_only: s.online_only,
            cutoff: s.counting.same_day_cutoff.map(|t| t.strftime("%H:%M").to_string()).unwrap_or_default(),
            fees,
            components,
            components_form: true,
            decision_number: s.decision.number.clone(),
            decision_date: s.decision.date.to_string(),
            result_name: s.result.name.clone(),
            result_paper: s.result.paper_required,
            spec_json,
            publish: true,
            effective_from: today.tomorrow().unwrap_or(today).to_string(),
        }
    }

    fn from_fields(f: &FormFields) -> Self {
        let mut fees = Vec::new();
        for i in 0.. {
            let Some(name) = f.get(&format!("fee_name_{i}")) else { break };
            fees.push(FeeRow {
                name: name.to_string(),
                amount: f.text(&format!("fee_amount_{i}")),
                collected: f.text(&format!("fee_collected_{i}")),
                exemptions: f.text(&format!("fee_exemptions_{i}")),
            });
        }
        let mut components = Vec::new();
        for i in 0.. {
            let Some(name) = f.get(&format!("comp_name_{i}")) else { break };
            components.push(CompRow {
                key: f.text(&format!("comp_key_{i}")),
                name: name.to_string(),
                required: f.checked(&format!("comp_required_{i}")),
                originals: f.text(&format!("comp_originals_{i}")),
                copies: f.text(&format!("comp_copies_{i}")),
                template: f.text(&format!("comp_template_{i}")),
                note: f.text(&format!("comp_note_{i}")),
            });
        }
        SpecForm {
            code: f.text("code"),
            name: f.text("name"),
            sector_code: f.text("sector_code"),
            sector_name: f.text("sector_name"),
            level_province: f.checked("level_province"),
            level_commune: f.checked("level_commune"),
            implementing_agency: f.text("implementing_agency"),
            agency_code: f.text("agency_code"),
            tl_value: f.text("tl_value"),
            tl_unit: f.text("tl_unit"),
            online_level: f.text("online_level"),
            full_online_eligible: f.checked("full_online_eligible"),
            postal_excluded: f.checked("postal_excluded"),
            online_only: f.checked("online_only"),
            cutoff: f.text("cutoff"),
            fees,
            components,
            components_form: f.checked("components_form"),
            decision_number: f.text("decision_number"),
            decision_date: f.text("decision_date"),
            result_name: f.text("result_name"),
            result_paper: f.checked("result_paper"),
            spec_json: f.text("spec_json"),
            publish: f.get("publish") != Some("draft"),
            effective_from: f.text("effective_from"),
        }
    }

    /// The spec: the JSON with the form fields applied on top, checked whole. Errors name
    /// the form's input ids; problems in parts only the JSON holds point at the textarea.
    /// `fixed_code` is the path's code when amending (the code cannot change).
    fn apply(&self, fixed_code: Option<&str>) -> Result<ProcedureSpec, Vec<FieldError>> {
        let mut errs: Vec<FieldError> = Vec::new();
        let bad = |errs: &mut Vec<FieldError>, id: &str, code: &'static str, vi: &str, en: &str| {
            errs.push(FieldError::new(id, code, vi, en));
        };
        let mut obj = match serde_json::from_str::<Value>(&self.spec_json) {
            Ok(Value::Object(m)) => m,
            Ok(_) => {
                bad(
                    &mut errs,
                    "spec_json",
                    "invalid_json",
                    "Nội dung nâng cao phải là một đối tượng JSON {…}.",
                    "The advanced content must be a JSON object {…}.",
                );
                Map::new()
            }
            Err(e) => {
                errs.push(FieldError::new(
                    "spec_json",
                    "invalid_json",
                    format!("Nội dung nâng cao không đúng cú pháp JSON (dòng {}, cột {}).", e.line(), e.column()),
                    format!("The advanced content is not valid JSON (line {}, column {}).", e.line(), e.column()),
                ));
                Map::new()
            }
        };
        let code = fixed_code.map(str::to_string).unwrap_or_else(|| self.code.trim().to_string());
        obj.insert("code".into(), json!(code));
        obj.insert("name".into(), json!(self.name));
        obj.insert("sector".into(), json!({"code": self.sector_code, "name": self.sector_name}));
        let mut levels = Vec::new();
        if self.level_province {
            levels.push("province");
        }
        if self.level_commune {
            levels.push("commune");
        }
        obj.insert("levels".into(), json!(levels));
        obj.insert("implementing_agency".into(), json!(self.implementing_agency));
        let agency = self.agency_code.trim();
        obj.insert("agency_code".into(), if agency.is_empty() { Value::Null } else { json!(agency) });
        let value = self.tl_value.trim().parse::<u32>();
        let unit = TimeUnit::parse(self.tl_unit.trim());
        match (&value, &unit) {
            (Ok(v), Ok(u)) => {
                obj.insert("time_limit".into(), json!({"value": v, "unit": u.code()}));
            }
            _ => {
                if value.is_err() {
                    bad(
                        &mut errs,
                        "tl_value",
                        "invalid_time_limit",
                        "Thời hạn giải quyết phải là một số nguyên không âm (0 = trong ngày).",
                        "The time limit must be a whole number, 0 or more (0 = within the day).",
                    );
                }
                if unit.is_err() {
                    bad(&mut errs, "tl_unit", "invalid_time_unit", "Chọn đơn vị thời hạn.", "Choose the time limit's unit.");
                }
            }
        }
        if ["full", "partial", "none"].contains(&self.online_level.as_str()) {
            obj.insert("online_level".into(), json!(self.online_level));
        } else {
            bad(&mut errs, "online_level", "invalid_online_level", "Chọn mức độ trực tuyến.", "Choose the online level.");
        }
        obj.insert("full_online_eligible".into(), json!(self.full_online_eligible));
        obj.insert("postal_excluded".into(), json!(self.postal_excluded));
        obj.insert("online_only".into(), json!(self.online_only));
        let mut counting = match obj.remove("counting") {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        if self.cutoff.trim().is_empty() {
            counting.insert("same_day_cutoff".into(), Value::Null);
        } else {
            match self.cutoff.trim().parse::<jiff::civil::Time>() {
                Ok(t) => {
                    counting.insert("same_day_cutoff".into(), serde_json::to_value(t).unwrap_or(Value::Null));
                }
                Err(_) => bad(
                    &mut errs,
                    "cutoff",
                    "invalid_time",
                    "Giờ tiếp nhận trong ngày có dạng HH:MM, ví dụ 15:00.",
                    "The same-day cut-off is HH:MM, e.g. 15:00.",
                ),
            }
        }
        obj.insert("counting".into(), Value::Object(counting));
        let mut fees = Vec::new();
        for (i, f) in self.fees.iter().enumerate() {
            if f.is_blank() {
                continue;
            }
            if f.name.trim().is_empty() {
                bad(&mut errs, &format!("fee_name_{i}"), "required", "Nhập tên khoản phí, lệ phí.", "Enter the fee's name.");
            }
            let amount = f.amount.trim().replace(['.', ' '], "");
            let amount = match amount.parse::<i64>() {
                Ok(a) if a >= 0 => Some(a),
                _ => {
                    bad(
                        &mut errs,
                        &format!("fee_amount_{i}"),
                        "invalid_amount",
                        "Mức thu là số đồng, không âm (ví dụ 50000).",
                        "The amount is a whole number of đồng, not negative (e.g. 50000).",
                    );
                    None
                }
            };
            if !["at_reception", "at_result", "before_processing"].contains(&f.collected.as_str()) {
                bad(
                    &mut errs,
                    &format!("fee_collected_{i}"),
                    "invalid_fee_collected",
                    "Chọn thời điểm nộp phí.",
                    "Choose when the fee is paid.",
                );
            }
            let ex = f.exemptions.trim();
            fees.push(json!({"name": f.name, "amount": amount.unwrap_or(0), "collected": f.collected,
                             "exemptions": if ex.is_empty() { Value::Null } else { json!(ex) }}));
        }
        obj.insert("fees".into(), Value::Array(fees));
        if self.components_form {
            // The rows replace the JSON's components; what the form does not show (the
            // alternatives) is kept from the JSON component with the same key.
            let old: Vec<Value> = obj.get("components").and_then(Value::as_array).cloned().unwrap_or_default();
            let mut components = Vec::new();
            for (i, c) in self.components.iter().enumerate() {
                if c.is_blank() {
                    continue;
                }
                let name = c.name.trim();
                if name.is_empty() {
                    bad(
                        &mut errs,
                        &format!("comp_name_{i}"),
                        "required",
                        "Nhập tên thành phần hồ sơ.",
                        "Enter the component's name.",
                    );
                }
                let mut count = |id: String, v: &str| match v.trim() {
                    "" => 0,
                    t => t.parse::<u8>().unwrap_or_else(|_| {
                        bad(
                            &mut errs,
                            &id,
                            "invalid_count",
                            "Số bản là số nguyên từ 0 đến 255.",
                            "The count is a whole number 0–255.",
                        );
                        0
                    }),
                };
                let originals = count(format!("comp_originals_{i}"), &c.originals);
                let copies = count(format!("comp_copies_{i}"), &c.copies);
                let key = if c.key.trim().is_empty() { key_from_name(name) } else { c.key.trim().to_string() };
                let alternatives =
                    old.iter().find(|o| o["key"] == key.as_str()).map(|o| o["alternatives"].clone()).unwrap_or(json!([]));
                let opt = |v: &str| if v.trim().is_empty() { Value::Null } else { json!(v.trim()) };
                components.push(json!({"key": key, "name": name, "required": c.required, "originals": originals,
                    "copies": copies, "alternatives": alternatives, "template": opt(&c.template), "note": opt(&c.note)}));
            }
            obj.insert("components".into(), Value::Array(components));
        }
        match self.decision_date.trim().parse::<jiff::civil::Date>() {
            Ok(d) => {
                obj.insert("decision".into(), json!({"number": self.decision_number.trim(), "date": d.to_string()}));
            }
            Err(_) => bad(
                &mut errs,
                "decision_date",
                "invalid_date",
                "Ngày quyết định không hợp lệ.",
                "The decision date is not a valid date.",
            ),
        }
        if self.decision_number.trim().is_empty() {
            bad(
                &mut errs,
                "decision_number",
                "required",
                "Nhập số quyết định công bố.",
                "Enter the publishing decision's number.",
            );
        }
        obj.insert("result".into(), json!({"name": self.result_name, "paper_required": self.result_paper}));
        if self.result_name.trim().is_empty() {
            bad(&mut errs, "result_name", "required", "Nhập tên kết quả giải quyết.", "Enter the result's name.");
        }
        if self.sector_code.trim().is_empty() {
            bad(&mut errs, "sector_code", "required", "Nhập mã lĩnh vực.", "Enter the sector code.");
        }
        if self.sector_name.trim().is_empty() {
            bad(&mut errs, "sector_name", "required", "Nhập tên lĩnh vực.", "Enter the sector name.");
        }
        if self.implementing_agency.trim().is_empty() {
            bad(&mut errs, "implementing_agency", "required", "Nhập cơ quan thực hiện.", "Enter the implementing agency.");
        }
        // Domain checks on the whole spec, when it can be read at all; their fields are
        // mapped to this form's inputs.
        match serde_path_to_error::deserialize::<_, ProcedureSpec>(Value::Object(obj)) {
            Ok(spec) => {
                let kept = self.kept_rows();
                if let Err(v) = spec.clone().validate() {
                    for e in v.0 {
                        let id = form_field_id(&e.field, fixed_code.is_some(), &kept);
                        // Sector errors are reported on both inputs above already.
                        if id == "sector_code" && errs.iter().any(|x| x.field.starts_with("sector_")) {
                            continue;
                        }
                        let (vi, en) = if id == "spec_json" {
                            (format!("{} (JSON: {})", e.message_vi, e.field), format!("{} (JSON: {})", e.message_en, e.field))
                        } else {
                            (e.message_vi, e.message_en)
                        };
                        errs.push(FieldError::new(id, e.code, vi, en));
                    }
                }
                if errs.is_empty() { Ok(spec) } else { Err(errs) }
            }
            Err(e) => {
                if !errs.iter().any(|x| x.field == "spec_json") {
                    let path = e.path().to_string();
                    errs.push(FieldError::new(
                        "spec_json",
                        "invalid_spec",
                        format!("Nội dung nâng cao chưa đúng cấu trúc tại {path}: {}", e.inner()),
                        format!("The advanced content is not well formed at {path}: {}", e.inner()),
                    ));
                }
                Err(errs)
            }
        }
    }
}

impl SpecForm {
    /// The form rows of the fees and components that were kept (not blank), in order, to
    /// point the use case's `fees[i]` and `components[i]` errors at the right row.
    fn kept_rows(&self) -> KeptRows {
        KeptRows {
            fees: self.fees.iter().enumerate().filter(|(_, f)| !f.is_blank()).map(|(i, _)| i).collect(),
            components: if self.components_form {
                self.components.iter().enumerate().filter(|(_, c)| !c.is_blank()).map(|(i, _)| i).collect()
            } else {
                Vec::new()
            },
        }
    }
}

struct KeptRows {
    fees: Vec<usize>,
    components: Vec<usize>,
}

/// The row index in `rest` ("3].name" → 3).
fn row_of(rest: &str) -> Option<usize> {
    rest.split_once(']').and_then(|(i, _)| i.parse().ok())
}

/// The input that shows a domain validation error of the spec.
fn form_field_id(path: &str, amending: bool, kept: &KeptRows) -> String {
    let direct = ["name", "implementing_agency", "online_only", "postal_excluded", "online_level", "effective_from"];
    if direct.contains(&path) {
        return path.to_string();
    }
    match path {
        "code" if !amending => "code".into(),
        "sector" => "sector_code".into(),
        "levels" => "level_province".into(),
        _ => {
            if let Some(rest) = path.strip_prefix("fees[")
                && let Some(row) = row_of(rest).and_then(|i| kept.fees.get(i))
            {
                return format!("fee_amount_{row}");
            }
            if let Some(rest) = path.strip_prefix("components[")
                && let Some(row) = row_of(rest).and_then(|i| kept.components.get(i))
            {
                return format!("comp_name_{row}");
            }
            "spec_json".into()
        }
    }
}

fn input(lang: Lang, errors: &[FieldError], id: &str, label: &str, value: &str, kind: &str, hint: Option<&str>) -> String {
    let hint_html = hint.map(|h| format!(r#"<p class="meta" id="{id}-hint">{}</p>"#, esc(h))).unwrap_or_default();
    let mut described: Vec<String> = Vec::new();
    if hint.is_some() {
        described.push(format!("{id}-hint"));
    }
    if errors.iter().any(|e| e.field == id) {
        described.push(format!("{id}-error"));
    }
    let aria = if described.is_empty() { String::new() } else { format!(r#" aria-describedby="{}""#, described.join(" ")) };
    let invalid = if errors.iter().any(|e| e.field == id) { r#" aria-invalid="true""# } else { "" };
    format!(
        r#"<div class="field"><label for="{id}">{label}</label>{hint_html}{err}<input id="{id}" name="{id}" type="{kind}" value="{v}"{aria}{invalid}></div>"#,
        label = esc(label),
        err = field_error(lang, errors, id),
        v = esc(value),
    )
}

fn checkbox(lang: Lang, errors: &[FieldError], id: &str, label: &str, checked: bool) -> String {
    format!(
        r#"<div class="check">{err}<input id="{id}" name="{id}" type="checkbox" value="1"{c}{attrs}><label for="{id}">{label}</label></div>"#,
        err = field_error(lang, errors, id),
        c = if checked { " checked" } else { "" },
        attrs = invalid_attrs(errors, id),
        label = esc(label),
    )
}

fn select(lang: Lang, errors: &[FieldError], id: &str, label: &str, value: &str, options: &[(&str, &str)]) -> String {
    let mut s = format!(
        r#"<div class="field"><label for="{id}">{label}</label>{err}<select id="{id}" name="{id}"{attrs}>"#,
        label = esc(label),
        err = field_error(lang, errors, id),
        attrs = invalid_attrs(errors, id),
    );
    for (v, l) in options {
        let sel = if *v == value { " selected" } else { "" };
        let _ = write!(s, r#"<option value="{}"{sel}>{}</option>"#, esc(v), esc(l));
    }
    s.push_str("</select></div>");
    s
}

fn spec_form_html(
    lang: Lang,
    user: &CurrentUser,
    action: &str,
    f: &SpecForm,
    errors: &[FieldError],
    amend_of: Option<&str>,
) -> String {
    let t = |vi: &'static str, en: &'static str| lang.t(vi, en);
    let mut b = format!(
        r#"<p>{intro}</p><form class="stack" method="post" action="{action}" novalidate>{csrf}"#,
        intro = t(
            "Các trường dưới đây được áp dụng đè lên nội dung JSON ở mục “Nâng cao”: khi hai nơi khác nhau, giá trị trong biểu mẫu được dùng. Thành phần hồ sơ, trình tự, cách thức, căn cứ pháp lý và các mục khác chỉ sửa trong JSON.",
            "The fields below are applied on top of the JSON in “Advanced”: where the two differ, the form wins. Components, steps, methods, legal basis and the rest are edited in the JSON only."
        ),
        action = esc(action),
        csrf = csrf_input(user),
    );
    let _ = write!(b, "<fieldset><legend>{}</legend>", t("Thông tin chung", "General"));
    match amend_of {
        None => b.push_str(&input(
            lang,
            errors,
            "code",
            t("Mã thủ tục", "Procedure code"),
            &f.code,
            "text",
            Some(t(
                "Mã trên Cơ sở dữ liệu quốc gia về TTHC, ví dụ 1.000948 hoặc 1.000948.H40.",
                "The national code, e.g. 1.000948 or 1.000948.H40.",
            )),
        )),
        Some(code) => {
            let _ = write!(b, r#"<p>{}: <strong>{}</strong></p>"#, t("Mã thủ tục", "Procedure code"), esc(code));
        }
    }
    b.push_str(&input(lang, errors, "name", t("Tên thủ tục", "Name"), &f.name, "text", None));
    b.push_str(&input(lang, errors, "sector_code", t("Mã lĩnh vực", "Sector code"), &f.sector_code, "text", None));
    b.push_str(&input(lang, errors, "sector_name", t("Tên lĩnh vực", "Sector name"), &f.sector_name, "text", None));
    let _ = write!(
        b,
        r#"<fieldset class="inline" id="levels"><legend>{}</legend>{}{}{}</fieldset>"#,
        t("Cấp thực hiện", "Levels"),
        field_error(lang, errors, "level_province"),
        checkbox(lang, &[], "level_province", t("Cấp tỉnh", "Province"), f.level_province),
        checkbox(lang, &[], "level_commune", t("Cấp xã", "Commune"), f.level_commune),
    );
    b.push_str(&input(
        lang,
        errors,
        "implementing_agency",
        t("Cơ quan thực hiện", "Implementing agency"),
        &f.implementing_agency,
        "text",
        None,
    ));
    b.push_str(&input(
        lang,
        errors,
        "agency_code",
        t("Mã định danh cơ quan quyết định (nếu có)", "Code of the deciding agency (if any)"),
        &f.agency_code,
        "text",
        Some(t(
            "Ví dụ 000.00.01.H40; để trống nếu nhiều cơ quan cùng thực hiện.",
            "E.g. 000.00.01.H40; leave empty when several agencies decide.",
        )),
    ));
    b.push_str("</fieldset>");

    let _ = write!(b, "<fieldset><legend>{}</legend>", t("Thời hạn và hình thức", "Time limit and service"));
    b.push_str(&input(
        lang,
        errors,
        "tl_value",
        t("Thời hạn giải quyết", "Time limit"),
        &f.tl_value,
        "text",
        Some(t("Số nguyên; 0 nghĩa là trong ngày.", "A whole number; 0 means within the day.")),
    ));
    let units: Vec<(&str, &str)> = TimeUnit::ALL.iter().map(|u| (u.code(), unit_label(lang, *u))).collect();
    b.push_str(&select(lang, errors, "tl_unit", t("Đơn vị thời hạn", "Unit"), &f.tl_unit, &units));
    b.push_str(&input(
        lang,
        errors,
        "cutoff",
        t("Giờ tiếp nhận cuối để tính trong ngày (nếu có)", "Same-day cut-off (if any)"),
        &f.cutoff,
        "time",
        Some(t(
            "Hồ sơ nhận sau giờ này được tính từ ngày làm việc tiếp theo.",
            "Dossiers received later count from the next working day.",
        )),
    ));
    b.push_str(&select(
        lang,
        errors,
        "online_level",
        t("Mức độ dịch vụ công trực tuyến", "Online service level"),
        &f.online_level,
        &[("full", online_label(lang, "full")), ("partial", online_label(lang, "partial")), ("none", online_label(lang, "none"))],
    ));
    b.push_str(&checkbox(
        lang,
        errors,
        "full_online_eligible",
        t("Đủ điều kiện cung cấp trực tuyến toàn trình", "Eligible to be provided fully online"),
        f.full_online_eligible,
    ));
    b.push_str(&checkbox(
        lang,
        errors,
        "postal_excluded",
        t("Không tiếp nhận, trả kết quả qua bưu chính công ích", "Not received or returned by public post"),
        f.postal_excluded,
    ));
    b.push_str(&checkbox(
        lang,
        errors,
        "online_only",
        t("Chỉ tiếp nhận hồ sơ trực tuyến", "Received online only"),
        f.online_only,
    ));
    b.push_str("</fieldset>");

    let _ = write!(
        b,
        r#"<fieldset><legend>{}</legend><p class="meta">{}</p><table class="grid fees"><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>"#,
        t("Phí, lệ phí", "Fees and charges"),
        t(
            "Để trống cả dòng để bỏ khoản thu đó. Mức thu tính bằng đồng; 0 là miễn.",
            "Leave a whole row empty to drop it. Amounts in đồng; 0 is free."
        ),
        t("Tên khoản thu", "Name"),
        t("Mức thu (đồng)", "Amount (đồng)"),
        t("Thời điểm nộp", "Paid"),
        t("Miễn, giảm", "Exemptions"),
    );
    let collected = [
        ("at_reception", t("Khi tiếp nhận hồ sơ", "At reception")),
        ("at_result", t("Khi nhận kết quả", "When collecting the result")),
        ("before_processing", t("Trước khi giải quyết", "Before processing")),
    ];
    for (i, row) in f.fees.iter().enumerate() {
        let n = i + 1;
        let cell = |id: String, label: String, value: &str| {
            format!(
                r#"<td><label class="vh" for="{id}">{l}</label>{err}<input id="{id}" name="{id}" type="text" value="{v}"{attrs}></td>"#,
                l = esc(&label),
                err = field_error(lang, errors, &id),
                v = esc(value),
                attrs = invalid_attrs(errors, &id),
            )
        };
        let cid = format!("fee_collected_{i}");
        let mut sel = format!(
            r#"<td><label class="vh" for="{cid}">{}</label>{}<select id="{cid}" name="{cid}"{}>"#,
            esc(&match lang {
                Lang::Vi => format!("Thời điểm nộp, dòng {n}"),
                Lang::En => format!("Paid, row {n}"),
            }),
            field_error(lang, errors, &cid),
            invalid_attrs(errors, &cid),
        );
        for (v, l) in collected {
            let s = if row.collected == v { " selected" } else { "" };
            let _ = write!(sel, r#"<option value="{v}"{s}>{}</option>"#, esc(l));
        }
        sel.push_str("</select></td>");
        let (ln, la, le) = match lang {
            Lang::Vi => (format!("Tên khoản thu, dòng {n}"), format!("Mức thu, dòng {n}"), format!("Miễn, giảm, dòng {n}")),
            Lang::En => (format!("Fee name, row {n}"), format!("Amount, row {n}"), format!("Exemptions, row {n}")),
        };
        let _ = write!(
            b,
            "<tr>{}{}{}{}</tr>",
            cell(format!("fee_name_{i}"), ln, &row.name),
            cell(format!("fee_amount_{i}"), la, &row.amount),
            sel,
            cell(format!("fee_exemptions_{i}"), le, &row.exemptions),
        );
    }
    b.push_str("</tbody></table></fieldset>");

    let _ = write!(
        b,
        r#"<fieldset><legend>{}</legend><p class="meta">{}</p><input type="hidden" name="components_form" value="1"><div class="scroll"><table class="grid components"><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>"#,
        t("Thành phần hồ sơ", "Required components"),
        t(
            "Để trống cả dòng để bỏ thành phần đó. Mã để trống thì tạo từ tên. Tệp mẫu là tên tệp .docx trong danh mục mẫu đơn, tờ khai.",
            "Leave a whole row empty to drop it. An empty key is made from the name. The form file is a .docx name from the catalog's forms."
        ),
        t("Tên thành phần", "Name"),
        t("Bắt buộc", "Required"),
        t("Số bản chính", "Originals"),
        t("Số bản sao", "Copies"),
        t("Tệp mẫu đơn, tờ khai", "Form file"),
        t("Ghi chú", "Note"),
        t("Mã", "Key"),
    );
    for (i, row) in f.components.iter().enumerate() {
        let n = i + 1;
        let row_label = |vi: &str, en: &str| match lang {
            Lang::Vi => format!("{vi}, dòng {n}"),
            Lang::En => format!("{en}, row {n}"),
        };
        let cell = |id: String, label: String, value: &str, kind: &str| {
            format!(
                r#"<td><label class="vh" for="{id}">{l}</label>{err}<input id="{id}" name="{id}" type="{kind}" value="{v}"{attrs}></td>"#,
                l = esc(&label),
                err = field_error(lang, errors, &id),
                v = esc(value),
                attrs = invalid_attrs(errors, &id),
            )
        };
        let rid = format!("comp_required_{i}");
        let _ = write!(
            b,
            r#"<tr>{}<td><input id="{rid}" name="{rid}" type="checkbox" value="1"{}><label class="vh" for="{rid}">{}</label></td>{}{}{}{}{}</tr>"#,
            cell(format!("comp_name_{i}"), row_label("Tên thành phần", "Component name"), &row.name, "text"),
            if row.required { " checked" } else { "" },
            esc(&row_label("Bắt buộc", "Required")),
            cell(format!("comp_originals_{i}"), row_label("Số bản chính", "Originals"), &row.originals, "text"),
            cell(format!("comp_copies_{i}"), row_label("Số bản sao", "Copies"), &row.copies, "text"),
            cell(format!("comp_template_{i}"), row_label("Tệp mẫu", "Form file"), &row.template, "text"),
            cell(format!("comp_note_{i}"), row_label("Ghi chú", "Note"), &row.note, "text"),
            cell(format!("comp_key_{i}"), row_label("Mã thành phần", "Component key"), &row.key, "text"),
        );
    }
    b.push_str("</tbody></table></div></fieldset>");

    let _ = write!(b, "<fieldset><legend>{}</legend>", t("Quyết định công bố và kết quả", "Decision and result"));
    b.push_str(&input(
        lang,
        errors,
        "decision_number",
        t("Số quyết định công bố", "Decision number"),
        &f.decision_number,
        "text",
        None,
    ));
    b.push_str(&input(lang, errors, "decision_date", t("Ngày quyết định", "Decision date"), &f.decision_date, "date", None));
    b.push_str(&input(lang, errors, "result_name", t("Tên kết quả giải quyết", "Result"), &f.result_name, "text", None));
    b.push_str(&checkbox(
        lang,
        errors,
        "result_paper",
        t("Kết quả là giấy tờ bản giấy", "The result is a paper document"),
        f.result_paper,
    ));
    b.push_str("</fieldset>");

    let _ = write!(
        b,
        r#"<fieldset><legend>{leg}</legend>
<div class="check"><input id="publish_now" name="publish" type="radio" value="now"{pn}><label for="publish_now">{pnl}</label></div>
<div class="check"><input id="publish_draft" name="publish" type="radio" value="draft"{pd}><label for="publish_draft">{pdl}</label></div>
{eff}</fieldset>"#,
        leg = t("Hiệu lực", "Taking effect"),
        pn = if f.publish { " checked" } else { "" },
        pnl = t("Công bố, có hiệu lực từ ngày dưới đây", "Publish, in force from the day below"),
        pd = if f.publish { "" } else { " checked" },
        pdl = t("Lưu dự thảo (công bố sau)", "Keep as a draft (publish later)"),
        eff = input(
            lang,
            errors,
            "effective_from",
            t("Có hiệu lực từ ngày", "In force from"),
            &f.effective_from,
            "date",
            Some(t(
                "Mặc định là ngày mai. Phiên bản đang có hiệu lực giữ nguyên đến hết ngày trước đó.",
                "Tomorrow by default. The version in force stays until the day before."
            ))
        ),
    );

    let json_err = errors.iter().any(|e| e.field == "spec_json");
    let _ = write!(
        b,
        r#"<details class="advanced"{open}><summary>{sum}</summary>
<div class="field"><label for="spec_json">{lab}</label><p class="meta" id="spec_json-hint">{hint}</p>{err}<textarea id="spec_json" name="spec_json" rows="24" spellcheck="false" aria-describedby="spec_json-hint{desc}"{inv}>{v}</textarea></div>
</details>
<button type="submit">{go}</button></form>"#,
        open = if json_err { " open" } else { "" },
        sum = t("Nâng cao: toàn bộ nội dung thủ tục (JSON)", "Advanced: the whole procedure (JSON)"),
        lab = t("Nội dung thủ tục dạng JSON", "The procedure as JSON"),
        hint = t(
            "Thành phần hồ sơ, trình tự, cách thức thực hiện, căn cứ pháp lý, đối tượng… Các trường của biểu mẫu phía trên được ghi đè lên nội dung này.",
            "Components, steps, methods, legal basis, applicants… The form fields above overwrite these values."
        ),
        err = field_error(lang, errors, "spec_json"),
        desc = if json_err { " spec_json-error" } else { "" },
        inv = if json_err { r#" aria-invalid="true""# } else { "" },
        v = esc(&f.spec_json),
        go = if amend_of.is_some() {
            t("Lưu phiên bản mới", "Save the new version")
        } else {
            t("Thêm thủ tục", "Add the procedure")
        },
    );
    b
}

/// The starting point of a new procedure: the parts only the JSON holds, filled with the
/// commonest values so that a first version passes the checks once the form is filled.
fn blank_spec(today: jiff::civil::Date) -> ProcedureSpec {
    serde_json::from_value(json!({
        "code": "", "name": "", "sector": {"code": "", "name": ""}, "levels": ["province"],
        "implementing_agency": "", "agency_code": null, "applicant_types": ["citizen", "organisation"],
        "target_subjects": "Cá nhân, tổ chức",
        "steps": ["Tổ chức, cá nhân nộp hồ sơ tại Bộ phận Một cửa hoặc trực tuyến.",
                  "Cơ quan có thẩm quyền xem xét, giải quyết.",
                  "Trả kết quả cho tổ chức, cá nhân."],
        "methods": [{"channel": "counter", "description": ""}, {"channel": "postal", "description": ""}],
        "components": [{"key": "don_de_nghi", "name": "Đơn đề nghị", "originals": 1, "copies": 0}],
        "sets": 1, "time_limit": {"value": 5, "unit": "working_days"},
        "result": {"name": "", "paper_required": true}, "fees": [], "legal_basis": [],
        "decision": {"number": "", "date": today.to_string()}, "online_level": "none"
    }))
    .expect("the blank spec matches ProcedureSpec")
}

fn pretty(spec: &ProcedureSpec) -> String {
    serde_json::to_string_pretty(spec).unwrap_or_default()
}

#[derive(Deserialize)]
pub struct LangParams {
    lang: Option<String>,
}

fn form_page(
    status: StatusCode,
    lang: Lang,
    user: &CurrentUser,
    form: &SpecForm,
    errors: &[FieldError],
    amend_of: Option<&str>,
) -> Response {
    let (title, path) = match amend_of {
        None => (lang.t("Thêm thủ tục hành chính", "Add an administrative procedure").to_string(), format!("{BASE}/moi")),
        Some(code) => (
            match lang {
                Lang::Vi => format!("Sửa đổi thủ tục {code}"),
                Lang::En => format!("Amend procedure {code}"),
            },
            format!("{BASE}/{code}/sua-doi"),
        ),
    };
    let body = format!("<h1>{}</h1>{}", esc(&title), spec_form_html(lang, user, &with_lang(lang, &path), form, errors, amend_of));
    admin_page(status, lang, user, &title, &other_lang(lang, &path), errors, &body)
}

/// `GET /quan-tri/thu-tuc/moi`: the empty form.
pub async fn new_form(State(ctx): State<AppContext>, PageUser(user): PageUser, Query(p): Query<LangParams>) -> Response {
    let lang = Lang::from_query(p.lang.as_deref());
    if let Some(r) = refuse_non_admin(lang, &user) {
        return r;
    }
    let today = ctx.clock.today();
    let spec = blank_spec(today);
    let mut form = SpecForm::from_spec(&spec, pretty(&spec), today);
    form.online_level = "none".into();
    form_page(StatusCode::OK, lang, &user, &form, &[], None)
}

/// Checks and saves the form through `add_version` (new procedure or new version).
async fn save(ctx: &AppContext, lang: Lang, user: &CurrentUser, fields: &FormFields, amend_of: Option<&str>) -> Response {
    let form = SpecForm::from_fields(fields);
    let mut errors = Vec::new();
    let eff = if form.publish {
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
    let rerender = |errors: Vec<FieldError>| form_page(StatusCode::UNPROCESSABLE_ENTITY, lang, user, &form, &errors, amend_of);
    let Some(spec) = spec.filter(|_| errors.is_empty()) else { return rerender(errors) };
    match catalog::add_version(ctx, Some(&user.principal), spec, eff, amend_of.is_none()).await {
        Ok(v) => {
            let done = if amend_of.is_some() { "amended" } else { "created" };
            see_other(&with_lang(lang, &format!("{BASE}/{}?ok={done}", v.code)))
        }
        Err(e @ AppError::Validation(_)) => {
            let kept = form.kept_rows();
            let errors = app_field_errors(&e, "spec_json")
                .into_iter()
                .map(|mut f| {
                    f.field = form_field_id(&f.field, amend_of.is_some(), &kept);
                    f
                })
                .collect();
            rerender(errors)
        }
        Err(e) => error_page(lang, e),
    }
}

/// `POST /quan-tri/thu-tuc/moi`: add a procedure.
pub async fn create(State(ctx): State<AppContext>, uri: Uri, form: PageForm) -> Response {
    let lang = lang_of(&uri);
    if let Some(r) = refuse_non_admin(lang, &form.user) {
        return r;
    }
    save(&ctx, lang, &form.user, &form.fields, None).await
}

/// The version an amendment starts from: the one in force now, else the latest.
async fn current_version(ctx: &AppContext, code: &str) -> Result<VersionRecord, AppError> {
    match catalog::in_force(ctx, code, ctx.clock.now_ms()).await? {
        Some(v) => Ok(v),
        None => Ok(catalog::versions(ctx, code).await?.pop().expect("versions() refuses an empty list")),
    }
}

/// `GET /quan-tri/thu-tuc/{code}/sua-doi`: the form prefilled from the current version.
pub async fn amend_form(
    State(ctx): State<AppContext>,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    Query(p): Query<LangParams>,
) -> Response {
    let lang = Lang::from_query(p.lang.as_deref());
    if let Some(r) = refuse_non_admin(lang, &user) {
        return r;
    }
    match current_version(&ctx, &code).await {
        Ok(v) => {
            let form = SpecForm::from_spec(&v.spec, pretty(&v.spec), ctx.clock.today());
            form_page(StatusCode::OK, lang, &user, &form, &[], Some(&v.code))
        }
        Err(e) => error_page(lang, e),
    }
}

/// `POST /quan-tri/thu-tuc/{code}/sua-doi`: save a new version.
pub async fn amend(State(ctx): State<AppContext>, Path(code): Path<String>, uri: Uri, form: PageForm) -> Response {
    let lang = lang_of(&uri);
    if let Some(r) = refuse_non_admin(lang, &form.user) {
        return r;
    }
    // The code comes from the catalog, not from the path as typed.
    let code = match catalog::versions(&ctx, &code).await {
        Ok(vs) => vs[0].code.clone(),
        Err(e) => return error_page(lang, e),
    };
    save(&ctx, lang, &form.user, &form.fields, Some(&code)).await
}
