//! The national procedure database's payloads (`LayDanhSachTTHC`, `LayThuTuc`) and how a
//! procedure in them becomes the national part of a `ProcedureSpec` (and back, for the
//! simulator). Field names are those OpenCPS and other provincial systems read from the
//! portal (docs/integration.md, "Catalog import": which are observed and which assumed).
//!
//! One procedure (`LayThuTuc` → `data`):
//! `MATTHC, TENTTHC, CAPTHUCHIEN[{CAPTHUCHIEN, TENCAP}], LINHVUCTHUCHIEN[{MALINHVUC,
//! TENLINHVUC}], TRINHTUTHUCHIEN[{TRUONGHOP, TRINHTU[{TENTRINHTU}]}], CACHTHUCTHUCHIEN[{KENH,
//! THOIGIAN[{THOIGIANGIAIQUYET, DONVITINH, MOTA, PHILEPHI[{MAPHILEPHI, SOTIEN, DONVI,
//! MOTA}]}]}], THANHPHANHOSO[{TRUONGHOP, GIAYTO[{MAGIAYTO, TENGIAYTO, SOBANCHINH, SOBANSAO,
//! TENMAUDON, URL}]}], MOTADOITUONGTHUCHIEN, COQUANTHUCHIEN[{MADONVI, TENDONVI}],
//! KETQUATHUCHIEN[{MAKETQUA, TENKETQUA}], CANCUPHAPLY[{SOVANBAN, TENVANBAN, NGAYBANHANH,
//! NGAYHIEULUC}], QUYETDINHCONGBO{SOQUYETDINH, NGAYQUYETDINH}, YEUCAU, MUCDO, TRANGTHAI`.

use crate::mapping::time_unit;
use motcua_domain::calendar::{TimeLimit, TimeUnit};
use motcua_domain::catalog::{
    ApplicantType, Channel, ComponentSpec, Decision, Digitization, Fee, FeeCollected, LegalBasis, Level, Method, OnlineLevel,
    ProcedureSpec, ResultSpec, Sector,
};
use motcua_domain::error::FieldError;
use serde_json::{Value, json};

pub const SERVICE_LIST: &str = "LayDanhSachTTHC";
pub const SERVICE_PROCEDURE: &str = "LayThuTuc";

/// `KENH`: 1 in person, 2 online, 3 public postal service (REQ-6).
fn channel_code(c: Channel) -> u8 {
    match c {
        Channel::Counter => 1,
        Channel::Online => 2,
        Channel::Postal => 3,
    }
}

/// `CAPTHUCHIEN` (assumed codes): 1 ministry, 2 province, 3 district (gone since 2025), 4 commune.
fn level_code(l: Level) -> (u8, &'static str) {
    match l {
        Level::Province => (2, "Cấp Tỉnh"),
        Level::Commune => (4, "Cấp Xã"),
    }
}

fn online_text(o: OnlineLevel) -> &'static str {
    match o {
        OnlineLevel::Full => "Toàn trình",
        OnlineLevel::Partial => "Một phần",
        OnlineLevel::None => "",
    }
}

/// Dates in the catalog payloads: "dd/MM/yyyy" (assumed).
fn date_text(d: jiff::civil::Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

fn parse_date(s: &str) -> Option<jiff::civil::Date> {
    let mut p = s.trim().split('/');
    let (d, m, y) = (p.next()?.parse().ok()?, p.next()?.parse().ok()?, p.next()?.parse().ok()?);
    if p.next().is_some() {
        return None;
    }
    jiff::civil::Date::new(y, m, d).ok()
}

/// The national payload of a procedure (what the simulator serves).
pub fn national_procedure(s: &ProcedureSpec) -> Value {
    let fees: Vec<Value> = s
        .fees
        .iter()
        .enumerate()
        .map(|(i, f)| json!({"MAPHILEPHI": format!("LP{:02}", i + 1), "SOTIEN": f.amount, "DONVI": "Đồng", "MOTA": f.name}))
        .collect();
    json!({
        "MATTHC": s.code,
        "TENTTHC": s.name,
        "CAPTHUCHIEN": s.levels.iter().map(|l| { let (c, n) = level_code(*l); json!({"CAPTHUCHIEN": c, "TENCAP": n}) }).collect::<Vec<_>>(),
        "LINHVUCTHUCHIEN": [{"MALINHVUC": s.sector.code, "TENLINHVUC": s.sector.name}],
        "TRINHTUTHUCHIEN": [{"TRUONGHOP": "", "TRINHTU": s.steps.iter().map(|t| json!({"TENTRINHTU": t})).collect::<Vec<_>>()}],
        "CACHTHUCTHUCHIEN": s.methods.iter().map(|m| json!({
            "KENH": channel_code(m.channel),
            "THOIGIAN": [{"THOIGIANGIAIQUYET": s.time_limit.value, "DONVITINH": time_unit(s.time_limit.unit),
                "MOTA": m.description, "PHILEPHI": fees}],
        })).collect::<Vec<_>>(),
        "THANHPHANHOSO": [{"TRUONGHOP": "", "GIAYTO": s.components.iter().map(|c| json!({
            "MAGIAYTO": c.key, "TENGIAYTO": c.name, "SOBANCHINH": c.originals, "SOBANSAO": c.copies,
            "TENMAUDON": c.template.clone().unwrap_or_default(),
            "URL": c.template.as_ref().map(|t| format!("/mau-don/{t}")).unwrap_or_default(),
        })).collect::<Vec<_>>()}],
        "MOTADOITUONGTHUCHIEN": s.target_subjects,
        "COQUANTHUCHIEN": [{"MADONVI": s.agency_code.clone().unwrap_or_default(), "TENDONVI": s.implementing_agency}],
        "KETQUATHUCHIEN": [{"MAKETQUA": "KQ01", "TENKETQUA": s.result.name}],
        "CANCUPHAPLY": s.legal_basis.iter().map(|l| json!({
            "SOVANBAN": l.number, "TENVANBAN": l.title,
            "NGAYBANHANH": l.issued.map(date_text).unwrap_or_default(),
            "NGAYHIEULUC": l.effective.map(date_text).unwrap_or_default(),
        })).collect::<Vec<_>>(),
        "QUYETDINHCONGBO": {"SOQUYETDINH": s.decision.number, "NGAYQUYETDINH": date_text(s.decision.date)},
        "YEUCAU": s.conditions.clone().unwrap_or_default(),
        "MUCDO": online_text(s.online_level),
        "TRANGTHAI": 1,
    })
}

/// The list entry of a procedure (`LayDanhSachTTHC`).
pub fn list_entry(p: &Value) -> Value {
    json!({"MATTHC": p["MATTHC"], "TENTTHC": p["TENTTHC"], "LINHVUCTHUCHIEN": p["LINHVUCTHUCHIEN"], "TRANGTHAI": p["TRANGTHAI"]})
}

/// Reads one procedure, collecting every problem (field path, Vietnamese reason).
struct Reader<'a> {
    errs: Vec<FieldError>,
    v: &'a Value,
}

impl<'a> Reader<'a> {
    fn bad(&mut self, field: &str, code: &'static str, vi: String, en: String) {
        self.errs.push(FieldError::new(field, code, vi, en));
    }

    fn text(&mut self, v: &Value, field: &str, required: bool) -> String {
        match v {
            Value::String(s) if !(required && s.trim().is_empty()) => s.trim().to_string(),
            Value::Null if !required => String::new(),
            Value::Null | Value::String(_) => {
                self.bad(field, "missing_field", format!("Thiếu {field}."), format!("{field} is missing."));
                String::new()
            }
            _ => {
                self.bad(field, "invalid_field", format!("{field} phải là chuỗi ký tự."), format!("{field} must be a string."));
                String::new()
            }
        }
    }

    fn int(&mut self, v: &Value, field: &str) -> Option<i64> {
        let n = match v {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        if n.is_none() {
            self.bad(field, "invalid_number", format!("{field} phải là số nguyên."), format!("{field} must be a whole number."));
        }
        n
    }

    fn list(&mut self, v: &'a Value, field: &str, required: bool) -> &'a [Value] {
        match v {
            Value::Array(a) if !(required && a.is_empty()) => a,
            Value::Null if !required => &[],
            _ => {
                self.bad(field, "missing_list", format!("Thiếu danh sách {field}."), format!("The list {field} is missing."));
                &[]
            }
        }
    }

    fn date(&mut self, v: &Value, field: &str) -> Option<jiff::civil::Date> {
        let s = self.text(v, field, false);
        if s.is_empty() {
            return None;
        }
        let d = parse_date(&s);
        if d.is_none() {
            self.bad(
                field,
                "invalid_date",
                format!("{field} không phải ngày dd/MM/yyyy."),
                format!("{field} is not a dd/MM/yyyy date."),
            );
        }
        d
    }
}

/// A component key from `MAGIAYTO`: lowercase letters, digits and underscores.
fn component_key(code: &str) -> String {
    let k: String = code.trim().chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    k.trim_matches('_').to_string()
}

/// The national part of a procedure from its `LayThuTuc` payload; fields the national
/// database does not carry get neutral values (the import keeps the local ones, see
/// `motcua_domain::catalog_sync::merge`). Every problem found is returned.
pub fn procedure_from_national(v: &Value) -> Result<ProcedureSpec, Vec<FieldError>> {
    let mut r = Reader { errs: Vec::new(), v };
    if !v.is_object() {
        return Err(vec![FieldError::new("", "invalid_procedure", "Thủ tục không phải đối tượng JSON.", "Not a JSON object.")]);
    }
    let code = r.text(&r.v["MATTHC"], "MATTHC", true);
    let name = r.text(&v["TENTTHC"], "TENTTHC", true);
    let mut levels = Vec::new();
    for (i, c) in r.list(&v["CAPTHUCHIEN"], "CAPTHUCHIEN", true).iter().enumerate() {
        let f = format!("CAPTHUCHIEN[{i}].CAPTHUCHIEN");
        match r.int(&c["CAPTHUCHIEN"], &f) {
            Some(2) => levels.push(Level::Province),
            // The district level is gone since 01/07/2025; its procedures went to the communes.
            Some(3 | 4) => levels.push(Level::Commune),
            Some(n) => r.bad(
                &f,
                "unknown_level",
                format!("Cấp thực hiện {n} không thuộc tỉnh hoặc xã."),
                format!("Level {n} is neither province nor commune."),
            ),
            None => {}
        }
    }
    let sectors = r.list(&v["LINHVUCTHUCHIEN"], "LINHVUCTHUCHIEN", true);
    let sector = match sectors.first() {
        Some(s) => Sector {
            code: r.text(&s["MALINHVUC"], "LINHVUCTHUCHIEN[0].MALINHVUC", true),
            name: r.text(&s["TENLINHVUC"], "LINHVUCTHUCHIEN[0].TENLINHVUC", true),
        },
        None => Sector { code: String::new(), name: String::new() },
    };
    let mut steps = Vec::new();
    for (i, t) in r.list(&v["TRINHTUTHUCHIEN"], "TRINHTUTHUCHIEN", false).iter().enumerate() {
        for (j, s) in r.list(&t["TRINHTU"], &format!("TRINHTUTHUCHIEN[{i}].TRINHTU"), false).iter().enumerate() {
            steps.push(r.text(&s["TENTRINHTU"], &format!("TRINHTUTHUCHIEN[{i}].TRINHTU[{j}].TENTRINHTU"), true));
        }
    }
    let mut methods = Vec::new();
    let mut time_limit = None;
    let mut fees = Vec::new();
    for (i, m) in r.list(&v["CACHTHUCTHUCHIEN"], "CACHTHUCTHUCHIEN", true).iter().enumerate() {
        let f = format!("CACHTHUCTHUCHIEN[{i}]");
        let channel = match r.int(&m["KENH"], &format!("{f}.KENH")) {
            Some(1) => Some(Channel::Counter),
            Some(2) => Some(Channel::Online),
            Some(3) => Some(Channel::Postal),
            Some(n) => {
                r.bad(
                    &format!("{f}.KENH"),
                    "unknown_channel",
                    format!("Kênh {n} không phải 1, 2 hoặc 3."),
                    format!("Channel {n} is not 1, 2 or 3."),
                );
                None
            }
            None => None,
        };
        let times = r.list(&m["THOIGIAN"], &format!("{f}.THOIGIAN"), true);
        let Some(t) = times.first() else { continue };
        let ft = format!("{f}.THOIGIAN[0]");
        let value = r.int(&t["THOIGIANGIAIQUYET"], &format!("{ft}.THOIGIANGIAIQUYET"));
        let unit_text = r.text(&t["DONVITINH"], &format!("{ft}.DONVITINH"), true);
        let unit = TimeUnit::ALL.into_iter().find(|u| time_unit(*u).eq_ignore_ascii_case(&unit_text));
        if unit.is_none() && !unit_text.is_empty() {
            r.bad(
                &format!("{ft}.DONVITINH"),
                "unknown_time_unit",
                format!("Đơn vị thời gian \"{unit_text}\" không được hỗ trợ (Giờ, Ngày, Ngày làm việc, Tháng)."),
                format!("Unsupported time unit \"{unit_text}\"."),
            );
        }
        match (value, unit) {
            (Some(n), _) if !(0..=3650).contains(&n) => r.bad(
                &format!("{ft}.THOIGIANGIAIQUYET"),
                "invalid_time_limit",
                format!("Thời hạn giải quyết {n} nằm ngoài khoảng 0–3650."),
                format!("Time limit {n} is outside 0–3650."),
            ),
            // Our catalog keeps one time limit per procedure: the first channel's.
            (Some(n), Some(u)) if time_limit.is_none() => time_limit = Some(TimeLimit { value: n as u32, unit: u }),
            _ => {}
        }
        let description = r.text(&t["MOTA"], &format!("{ft}.MOTA"), false);
        if let Some(channel) = channel {
            methods.push(Method { channel, description });
        }
        // Fees are the same on every channel in our catalog: the first channel's are kept.
        if i == 0 {
            for (k, p) in r.list(&t["PHILEPHI"], &format!("{ft}.PHILEPHI"), false).iter().enumerate() {
                let fp = format!("{ft}.PHILEPHI[{k}]");
                let amount = r.int(&p["SOTIEN"], &format!("{fp}.SOTIEN")).unwrap_or(0);
                if amount < 0 {
                    r.bad(
                        &format!("{fp}.SOTIEN"),
                        "negative_amount",
                        "Mức phí, lệ phí không được âm.".into(),
                        "A fee cannot be negative.".into(),
                    );
                }
                let name = r.text(&p["MOTA"], &format!("{fp}.MOTA"), true);
                fees.push(Fee { name, amount, collected: FeeCollected::AtReception, exemptions: None });
            }
        }
    }
    let mut components = Vec::new();
    for (i, g) in r.list(&v["THANHPHANHOSO"], "THANHPHANHOSO", true).iter().enumerate() {
        for (j, c) in r.list(&g["GIAYTO"], &format!("THANHPHANHOSO[{i}].GIAYTO"), false).iter().enumerate() {
            let f = format!("THANHPHANHOSO[{i}].GIAYTO[{j}]");
            let key = component_key(&r.text(&c["MAGIAYTO"], &format!("{f}.MAGIAYTO"), true));
            let name = r.text(&c["TENGIAYTO"], &format!("{f}.TENGIAYTO"), true);
            let mut count = |k: &str| r.int(&c[k], &format!("{f}.{k}")).map(|n| n.clamp(0, 99) as u8).unwrap_or(0);
            let (originals, copies) = (count("SOBANCHINH"), count("SOBANSAO"));
            let template = r.text(&c["TENMAUDON"], &format!("{f}.TENMAUDON"), false);
            components.push(ComponentSpec {
                key,
                name,
                originals,
                copies,
                required: true,
                alternatives: Vec::new(),
                template: (!template.is_empty()).then_some(template),
                note: None,
                locker_kinds: Vec::new(),
                digitization: Digitization::Required,
            });
        }
    }
    let target_subjects = r.text(&v["MOTADOITUONGTHUCHIEN"], "MOTADOITUONGTHUCHIEN", false);
    let agencies = r.list(&v["COQUANTHUCHIEN"], "COQUANTHUCHIEN", true);
    let implementing_agency =
        agencies.first().map(|a| r.text(&a["TENDONVI"], "COQUANTHUCHIEN[0].TENDONVI", true)).unwrap_or_default();
    let results = r.list(&v["KETQUATHUCHIEN"], "KETQUATHUCHIEN", true);
    let result_name = results.first().map(|k| r.text(&k["TENKETQUA"], "KETQUATHUCHIEN[0].TENKETQUA", true)).unwrap_or_default();
    let mut legal_basis = Vec::new();
    for (i, l) in r.list(&v["CANCUPHAPLY"], "CANCUPHAPLY", false).iter().enumerate() {
        let f = format!("CANCUPHAPLY[{i}]");
        legal_basis.push(LegalBasis {
            number: r.text(&l["SOVANBAN"], &format!("{f}.SOVANBAN"), true),
            title: r.text(&l["TENVANBAN"], &format!("{f}.TENVANBAN"), true),
            issued: r.date(&l["NGAYBANHANH"], &format!("{f}.NGAYBANHANH")),
            effective: r.date(&l["NGAYHIEULUC"], &format!("{f}.NGAYHIEULUC")),
        });
    }
    let decision_number = r.text(&v["QUYETDINHCONGBO"]["SOQUYETDINH"], "QUYETDINHCONGBO.SOQUYETDINH", true);
    let decision_date = r.date(&v["QUYETDINHCONGBO"]["NGAYQUYETDINH"], "QUYETDINHCONGBO.NGAYQUYETDINH");
    if decision_date.is_none() && !r.errs.iter().any(|e| e.field == "QUYETDINHCONGBO.NGAYQUYETDINH") {
        r.bad(
            "QUYETDINHCONGBO.NGAYQUYETDINH",
            "missing_field",
            "Thiếu ngày quyết định công bố.".into(),
            "The decision date is missing.".into(),
        );
    }
    let conditions = r.text(&v["YEUCAU"], "YEUCAU", false);
    let online = r.text(&v["MUCDO"], "MUCDO", false);
    let online_level = match online.as_str() {
        "Toàn trình" | "4" => OnlineLevel::Full,
        "Một phần" | "3" => OnlineLevel::Partial,
        "" | "2" => OnlineLevel::None,
        other => {
            r.bad(
                "MUCDO",
                "unknown_online_level",
                format!("Mức độ dịch vụ trực tuyến \"{other}\" không hợp lệ (Toàn trình, Một phần)."),
                format!("Unknown online level \"{other}\"."),
            );
            OnlineLevel::None
        }
    };
    if time_limit.is_none() && !r.errs.iter().any(|e| e.field.starts_with("CACHTHUCTHUCHIEN")) {
        r.bad("CACHTHUCTHUCHIEN", "missing_time_limit", "Thiếu thời hạn giải quyết.".into(), "The time limit is missing.".into());
    }
    if !r.errs.is_empty() {
        return Err(r.errs);
    }
    Ok(ProcedureSpec {
        code,
        name,
        sector,
        levels,
        implementing_agency,
        agency_code: None,
        applicant_types: vec![ApplicantType::Citizen],
        target_subjects,
        steps,
        methods,
        components,
        sets: 1,
        time_limit: time_limit.unwrap_or(TimeLimit::WITHIN_DAY),
        result: ResultSpec { name: result_name, paper_required: true },
        fees,
        legal_basis,
        decision: Decision { number: decision_number, date: decision_date.unwrap_or_default() },
        online_level,
        full_online_eligible: false,
        postal_excluded: false,
        online_only: false,
        counting: Default::default(),
        supplement: Default::default(),
        reception_check: Default::default(),
        conditions: (!conditions.is_empty()).then_some(conditions),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Vec<ProcedureSpec> {
        serde_json::from_str(include_str!("../../../data/catalog/demo.json")).unwrap()
    }

    #[test]
    fn every_demo_procedure_round_trips_its_national_fields() {
        for s in demo() {
            let back = procedure_from_national(&national_procedure(&s)).unwrap_or_else(|e| panic!("{}: {e:?}", s.code));
            let merged = motcua_domain::catalog_sync::merge(back, Some(&s));
            assert_eq!(merged, s, "{}", s.code);
        }
    }

    #[test]
    fn malformed_procedures_list_every_problem_in_vietnamese() {
        let mut p = national_procedure(&demo()[0]);
        p["TENTTHC"] = json!("");
        p["CACHTHUCTHUCHIEN"][0]["KENH"] = json!(7);
        p["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["DONVITINH"] = json!("Tuần");
        let errs = procedure_from_national(&p).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["TENTTHC", "CACHTHUCTHUCHIEN[0].KENH", "CACHTHUCTHUCHIEN[0].THOIGIAN[0].DONVITINH"], "{errs:?}");
        assert!(errs[2].message_vi.contains("Tuần"), "{}", errs[2].message_vi);
        assert_eq!(procedure_from_national(&json!([1])).unwrap_err()[0].code, "invalid_procedure");
    }

    #[test]
    fn dates_are_day_month_year() {
        let d = jiff::civil::date(2025, 7, 1);
        assert_eq!(date_text(d), "01/07/2025");
        assert_eq!(parse_date("01/07/2025"), Some(d));
        assert_eq!(parse_date("2025-07-01"), None);
        assert_eq!(parse_date("31/02/2025"), None);
    }
}
