//! The create/amend form's values and their reading: a spec shown as form values (`from_spec`),
//! the posted form read back as typed (`from_fields`), and the form applied on top of the
//! advanced JSON into a checked `ProcedureSpec` (`apply`), with every error pointing at the
//! input that shows it (a fee or component row's own field, else the JSON textarea).

use crate::kit::form::checkbox;
use crate::kit::{FormFields, PageError};
use motcua_domain::calendar::TimeUnit;
use motcua_domain::catalog::{DigitizationExclusion, Level, ProcedureSpec};
use motcua_domain::error::FieldError;
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// Empty fee rows offered below the existing ones.
const SPARE_FEE_ROWS: usize = 2;
/// Empty component rows offered below the existing ones.
const SPARE_COMPONENT_ROWS: usize = 1;

/// A fee row (`fee_{name,amount,collected,exemptions}_{i}`) as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct FeeRow {
    pub name: String,
    pub amount: String,
    pub collected: String,
    pub exemptions: String,
}

impl FeeRow {
    fn is_blank(&self) -> bool {
        self.name.trim().is_empty() && self.amount.trim().is_empty() && self.exemptions.trim().is_empty()
    }
}

/// A required component (thành phần hồ sơ) row (`comp_{key,name,required,…}_{i}`) as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct CompRow {
    pub key: String,
    pub name: String,
    pub required: bool,
    pub originals: String,
    pub copies: String,
    pub template: String,
    pub note: String,
    /// "" (digitized, the default) or why TT 01/2023 leaves it out (`shared_data`, …).
    pub digitization: String,
    /// The data locker kinds that satisfy it, separated by `;` (`ket-qua:1.004873; ban-sao:to_khai`).
    pub locker_kinds: String,
}

impl CompRow {
    fn is_blank(&self) -> bool {
        [&self.key, &self.name, &self.originals, &self.copies, &self.template, &self.note, &self.digitization, &self.locker_kinds]
            .iter()
            .all(|v| v.trim().is_empty())
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

/// The form's values as typed (strings), so a rejected form comes back exactly as sent. The
/// fields with fixed names are read as a typed form; the fee and component rows from the
/// numbered fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct SpecForm {
    pub code: String,
    pub name: String,
    pub sector_code: String,
    pub sector_name: String,
    #[serde(deserialize_with = "checkbox")]
    pub level_province: bool,
    #[serde(deserialize_with = "checkbox")]
    pub level_commune: bool,
    pub implementing_agency: String,
    pub agency_code: String,
    pub tl_value: String,
    pub tl_unit: String,
    pub online_level: String,
    #[serde(deserialize_with = "checkbox")]
    pub full_online_eligible: bool,
    #[serde(deserialize_with = "checkbox")]
    pub postal_excluded: bool,
    #[serde(deserialize_with = "checkbox")]
    pub online_only: bool,
    pub cutoff: String,
    #[serde(skip)]
    pub fees: Vec<FeeRow>,
    #[serde(skip)]
    pub components: Vec<CompRow>,
    /// The form carried the component rows (otherwise the JSON's components are kept).
    #[serde(deserialize_with = "checkbox")]
    pub components_form: bool,
    pub decision_number: String,
    pub decision_date: String,
    pub result_name: String,
    #[serde(deserialize_with = "checkbox")]
    pub result_paper: bool,
    pub spec_json: String,
    /// `draft` keeps the version as a draft; anything else publishes from `effective_from`.
    pub publish: String,
    pub effective_from: String,
}

pub(super) fn enum_code<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

impl SpecForm {
    /// `today` dates the default first day (tomorrow).
    pub fn from_spec(s: &ProcedureSpec, today: jiff::civil::Date) -> Self {
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
                digitization: c.digitization.excluded().map(|r| enum_code(&r)).unwrap_or_default(),
                locker_kinds: c.locker_kinds.join("; "),
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
            spec_json: serde_json::to_string_pretty(s).unwrap_or_default(),
            publish: "now".into(),
            effective_from: today.tomorrow().unwrap_or(today).to_string(),
        }
    }

    /// The posted form: the fixed fields typed, then the rows `0, 1, …` while their name field is there.
    pub fn from_fields(f: &FormFields) -> Result<Self, PageError> {
        let mut form: SpecForm = f.typed()?;
        for i in 0.. {
            let Some(name) = f.get(&format!("fee_name_{i}")) else { break };
            form.fees.push(FeeRow {
                name: name.to_string(),
                amount: f.text(&format!("fee_amount_{i}")),
                collected: f.text(&format!("fee_collected_{i}")),
                exemptions: f.text(&format!("fee_exemptions_{i}")),
            });
        }
        for i in 0.. {
            let Some(name) = f.get(&format!("comp_name_{i}")) else { break };
            form.components.push(CompRow {
                key: f.text(&format!("comp_key_{i}")),
                name: name.to_string(),
                required: f.checked(&format!("comp_required_{i}")),
                originals: f.text(&format!("comp_originals_{i}")),
                copies: f.text(&format!("comp_copies_{i}")),
                template: f.text(&format!("comp_template_{i}")),
                note: f.text(&format!("comp_note_{i}")),
                digitization: f.text(&format!("comp_digitization_{i}")),
                locker_kinds: f.text(&format!("comp_locker_{i}")),
            });
        }
        Ok(form)
    }

    /// Publish from `effective_from` (else keep as a draft).
    pub fn publishes(&self) -> bool {
        self.publish != "draft"
    }

    /// The spec: the JSON with the form fields applied on top, checked whole. Errors name
    /// the form's input ids; problems in parts only the JSON holds point at the textarea.
    /// `fixed_code` is the path's code when amending (the code cannot change).
    pub fn apply(&self, fixed_code: Option<&str>) -> Result<ProcedureSpec, Vec<FieldError>> {
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
                let kept = |field: &str| {
                    old.iter().find(|o| o["key"] == key.as_str()).map(|o| o[field].clone()).filter(|v| !v.is_null())
                };
                let alternatives = kept("alternatives").unwrap_or(json!([]));
                // The domain checks each kind (`components[i].locker_kinds`).
                let locker_kinds: Vec<&str> =
                    c.locker_kinds.split([';', ',', '\n']).map(str::trim).filter(|k| !k.is_empty()).collect();
                let digitization = match c.digitization.trim() {
                    "" | "required" => json!("required"),
                    code => match DigitizationExclusion::ALL.into_iter().find(|r| enum_code(r) == code) {
                        Some(r) => json!({"excluded": r}),
                        None => {
                            bad(
                                &mut errs,
                                &format!("comp_digitization_{i}"),
                                "invalid_digitization",
                                "Chọn số hóa hoặc một lý do không số hóa.",
                                "Choose digitized or a reason not to digitize.",
                            );
                            json!("required")
                        }
                    },
                };
                let opt = |v: &str| if v.trim().is_empty() { Value::Null } else { json!(v.trim()) };
                components.push(json!({"key": key, "name": name, "required": c.required, "originals": originals,
                    "copies": copies, "alternatives": alternatives, "template": opt(&c.template), "note": opt(&c.note),
                    "locker_kinds": locker_kinds, "digitization": digitization}));
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
                if let Err(v) = spec.clone().validate() {
                    for e in v.0 {
                        let id = self.input_of(&e.field, fixed_code.is_some());
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

    /// The input that shows an error on `path` of the spec (a domain or use case error):
    /// a fixed field, the row of a fee or component (`fees[i]` counts the rows that were kept,
    /// not blank), else the JSON textarea. `amending`: the code is not an input.
    pub fn input_of(&self, path: &str, amending: bool) -> String {
        let direct = ["name", "implementing_agency", "online_only", "postal_excluded", "online_level", "effective_from"];
        if direct.contains(&path) {
            return path.to_string();
        }
        let kept = |rows: Vec<bool>, i: usize| rows.into_iter().enumerate().filter(|(_, blank)| !blank).nth(i).map(|(r, _)| r);
        match path {
            "code" if !amending => "code".into(),
            "sector" => "sector_code".into(),
            "levels" => "level_province".into(),
            _ => {
                if let Some(row) = path
                    .strip_prefix("fees[")
                    .and_then(row_of)
                    .and_then(|i| kept(self.fees.iter().map(FeeRow::is_blank).collect(), i))
                {
                    return format!("fee_amount_{row}");
                }
                if self.components_form
                    && let Some(row) = path
                        .strip_prefix("components[")
                        .and_then(row_of)
                        .and_then(|i| kept(self.components.iter().map(CompRow::is_blank).collect(), i))
                {
                    let field = if path.contains("].locker_kinds") { "comp_locker" } else { "comp_name" };
                    return format!("{field}_{row}");
                }
                "spec_json".into()
            }
        }
    }
}

/// The row index in `rest` ("3].name" → 3).
fn row_of(rest: &str) -> Option<usize> {
    rest.split_once(']').and_then(|(i, _)| i.parse().ok())
}

/// The starting point of a new procedure: the parts only the JSON holds, filled with the
/// commonest values so that a first version passes the checks once the form is filled.
pub(super) fn blank_spec(today: jiff::civil::Date) -> ProcedureSpec {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> FormFields {
        FormFields(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn keys_are_made_from_names() {
        assert_eq!(key_from_name("Đơn đề nghị"), "don_de_nghi");
        assert_eq!(key_from_name("  Bản sao (có chứng thực) – CCCD "), "ban_sao_co_chung_thuc_cccd");
        assert_eq!(key_from_name("???"), "");
    }

    #[test]
    fn the_posted_form_is_read_as_typed() {
        let f = SpecForm::from_fields(&fields(&[
            ("name", "Cấp phép"),
            ("name", "ignored second value"),
            ("level_commune", ""),
            ("publish", "draft"),
            ("fee_name_0", "Lệ phí"),
            ("fee_amount_0", "20.000"),
            ("fee_name_1", ""),
            ("comp_name_0", "Tờ khai"),
            ("comp_required_0", "1"),
        ]))
        .unwrap();
        assert_eq!(f.name, "Cấp phép");
        assert!(f.level_commune && !f.level_province, "a checkbox is checked when present, whatever its value");
        assert!(!f.publishes());
        assert_eq!(f.fees.len(), 2);
        assert_eq!(f.fees[0].amount, "20.000");
        assert_eq!(f.components.len(), 1);
        assert!(f.components[0].required);
        assert!(!f.components_form);
        assert!(SpecForm::from_fields(&fields(&[])).unwrap().publishes(), "publishing is the default");
    }

    #[test]
    fn row_errors_point_at_the_kept_rows() {
        let f = SpecForm::from_fields(&fields(&[
            ("components_form", "1"),
            ("fee_name_0", ""),
            ("fee_name_1", "Phí"),
            ("comp_name_0", ""),
            ("comp_name_1", ""),
            ("comp_name_2", "Tờ khai"),
        ]))
        .unwrap();
        assert_eq!(f.input_of("fees[0].amount", false), "fee_amount_1");
        assert_eq!(f.input_of("components[0].key", false), "comp_name_2");
        assert_eq!(f.input_of("components[1].key", false), "spec_json", "no such row");
        assert_eq!(f.input_of("code", false), "code");
        assert_eq!(f.input_of("code", true), "spec_json");
        assert_eq!(f.input_of("levels", false), "level_province");
        assert_eq!(f.input_of("steps[0]", false), "spec_json");
    }

    /// The blank spec's form with the fields a new procedure needs.
    fn filled(today: jiff::civil::Date) -> SpecForm {
        let mut f = SpecForm::from_spec(&blank_spec(today), today);
        f.code = "1.999001.H40".into();
        f.name = "Cấp giấy phép thử nghiệm".into();
        f.sector_code = "TN".into();
        f.sector_name = "Thử nghiệm".into();
        f.implementing_agency = "Sở Tư pháp".into();
        f.decision_number = "1/QĐ-UBND".into();
        f.result_name = "Giấy phép".into();
        f
    }

    #[test]
    fn the_blank_spec_with_its_form_filled_is_valid() {
        let today = jiff::civil::date(2026, 3, 2);
        let f = filled(today);
        let spec = f.apply(None).expect("valid");
        assert_eq!(spec.components[0].key, "don_de_nghi");
        assert_eq!(f.effective_from, "2026-03-03");
        let mut bad = f.clone();
        bad.spec_json = "[]".into();
        bad.tl_value = "năm".into();
        let errs = bad.apply(None).unwrap_err();
        let ids: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert!(ids.contains(&"spec_json") && ids.contains(&"tl_value"), "{ids:?}");
    }

    #[test]
    fn digitization_and_locker_kinds_are_edited_on_the_component_rows() {
        let today = jiff::civil::date(2026, 3, 2);
        let mut f = filled(today);
        f.components[0].digitization = "show_only".into();
        f.components[0].locker_kinds = "ket-qua:1.004873; ban-sao:to_khai,".into();
        let spec = f.apply(None).expect("valid");
        let c = &spec.components[0];
        assert_eq!(c.digitization.excluded(), Some(DigitizationExclusion::ShowOnly));
        assert_eq!(c.locker_kinds, ["ket-qua:1.004873", "ban-sao:to_khai"]);
        // Shown again as typed: the form round-trips the spec.
        let again = SpecForm::from_spec(&spec, today);
        assert_eq!(
            (again.components[0].digitization.as_str(), again.components[0].locker_kinds.as_str()),
            ("show_only", "ket-qua:1.004873; ban-sao:to_khai")
        );
        // Back to digitized, no locker: both fields cleared in the spec.
        let mut plain = f.clone();
        plain.components[0].digitization = String::new();
        plain.components[0].locker_kinds = String::new();
        let spec = plain.apply(None).expect("valid");
        assert!(spec.components[0].digitization.is_required() && spec.components[0].locker_kinds.is_empty());
        // An unknown reason and an unknown kind are refused on their cells.
        let mut bad = f.clone();
        bad.components[0].digitization = "lazy".into();
        bad.components[0].locker_kinds = "giay-to-bat-ky".into();
        let errs = bad.apply(None).unwrap_err();
        let ids: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert!(ids.contains(&"comp_digitization_0"), "{ids:?}");
        let mut bad = f.clone();
        bad.components[0].locker_kinds = "giay-to-bat-ky".into();
        let errs = bad.apply(None).unwrap_err();
        assert_eq!(errs.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["comp_locker_0"], "{errs:?}");
    }
}
