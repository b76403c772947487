//! Importing the national procedure database (CSDL quốc gia về TTHC; spec REQ-2): which
//! fields of a procedure the national database owns, how a national procedure is laid
//! over the local version so that local additions stay, and the field-by-field
//! differences an administrator reviews before publishing.

use crate::catalog::{Change, ProcedureSpec};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the import found for one procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// On the national list, not in the local catalog.
    New,
    /// Its national fields differ from the version in force.
    Changed,
    /// Listed by the previous import, no longer listed, still in force here.
    Withdrawn,
    Unchanged,
}

impl EntryKind {
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::New => "Thủ tục mới",
            Self::Changed => "Có thay đổi",
            Self::Withdrawn => "Không còn trên CSDL quốc gia",
            Self::Unchanged => "Không thay đổi",
        }
    }
}

/// The national procedure laid over the local version: the national database owns the
/// code, name, sector, levels, implementing agency, target subjects, steps, methods, time
/// limit, fees (name and amount), components (key, name, quantities, form), result name,
/// legal basis, decision, conditions and online level. What only the province decides is
/// kept from the local version: the deciding agency in our tree, applicant types, number of
/// sets, the toàn trình eligibility, postal exclusion, online-only flag, counting,
/// supplement and check rules, whether the result is on paper, and per fee (matched by
/// name) when it is collected and its exemptions, per component (matched by key) whether it
/// is required, its alternatives, note, data-locker kinds and digitization.
pub fn merge(national: ProcedureSpec, local: Option<&ProcedureSpec>) -> ProcedureSpec {
    let Some(l) = local else { return national };
    let mut s = national;
    s.agency_code = l.agency_code.clone();
    s.applicant_types = l.applicant_types.clone();
    s.sets = l.sets;
    s.full_online_eligible = l.full_online_eligible;
    s.postal_excluded = l.postal_excluded;
    s.online_only = l.online_only;
    s.counting = l.counting;
    s.supplement = l.supplement.clone();
    s.reception_check = l.reception_check;
    s.result.paper_required = l.result.paper_required;
    for f in &mut s.fees {
        if let Some(lf) = l.fees.iter().find(|x| x.name == f.name) {
            f.collected = lf.collected;
            f.exemptions = lf.exemptions.clone();
        }
    }
    for c in &mut s.components {
        if let Some(lc) = l.components.iter().find(|x| x.key == c.key) {
            c.required = lc.required;
            c.alternatives = lc.alternatives.clone();
            c.note = lc.note.clone();
            c.locker_kinds = lc.locker_kinds.clone();
            c.digitization = lc.digitization;
        }
    }
    s
}

/// Field-by-field differences for review: top-level fields, with components (by key) and
/// fees (by name) item by item, so a new component reads `components.<key>: ∅ → {…}`.
pub fn review_diff(before: &ProcedureSpec, after: &ProcedureSpec) -> Vec<Change> {
    let mut out = Vec::new();
    for c in crate::catalog::diff(before, after) {
        match c.field.as_str() {
            "components" => items(&mut out, "components", "key", &c.before, &c.after),
            "fees" => items(&mut out, "fees", "name", &c.before, &c.after),
            _ => out.push(c),
        }
    }
    out
}

fn items(out: &mut Vec<Change>, field: &str, id: &str, before: &Value, after: &Value) {
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let (b, a) = (list(before), list(after));
    let key = |v: &Value| v[id].as_str().unwrap_or_default().to_string();
    let mut keys: Vec<String> = b.iter().chain(a.iter()).map(key).collect();
    keys.dedup();
    let mut seen = std::collections::HashSet::new();
    for k in keys.into_iter().filter(|k| seen.insert(k.clone())) {
        let find = |l: &[Value]| l.iter().find(|v| key(v) == k).cloned().unwrap_or(Value::Null);
        let (x, y) = (find(&b), find(&a));
        if x != y {
            out.push(Change { field: format!("{field}.{k}"), before: x, after: y });
        }
    }
    // Same items in another order.
    if out.iter().all(|c| !c.field.starts_with(&format!("{field}."))) && before != after {
        out.push(Change { field: format!("{field}.order"), before: before.clone(), after: after.clone() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Digitization, DigitizationExclusion, Fee, FeeCollected};

    fn spec() -> ProcedureSpec {
        let all: Vec<ProcedureSpec> = serde_json::from_str(include_str!("../../../data/catalog/demo.json")).unwrap();
        all.into_iter().next().unwrap()
    }

    #[test]
    fn local_fields_stay_and_national_ones_follow_the_portal() {
        let mut local = spec();
        local.agency_code = Some("000.00.31.H40".into());
        local.components[0].digitization = Digitization::Excluded(DigitizationExclusion::Secret);
        let mut national = spec();
        national.agency_code = None;
        national.components[0].digitization = Digitization::Required;
        national.name = "Đăng ký khai sinh (sửa đổi)".into();
        let m = merge(national, Some(&local));
        assert_eq!(m.agency_code.as_deref(), Some("000.00.31.H40"));
        assert_eq!(m.components[0].digitization, Digitization::Excluded(DigitizationExclusion::Secret));
        assert_eq!(m.name, "Đăng ký khai sinh (sửa đổi)");
        let d = review_diff(&local, &m);
        assert_eq!(d.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(), ["name"]);
    }

    #[test]
    fn components_and_fees_are_compared_item_by_item() {
        let a = spec();
        let mut b = a.clone();
        let mut extra = b.components[0].clone();
        extra.key = "giay_moi".into();
        b.components.push(extra);
        b.fees = vec![Fee { name: a.fees[0].name.clone(), amount: 8000, collected: FeeCollected::AtReception, exemptions: None }];
        let d = review_diff(&a, &b);
        let fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["components.giay_moi", format!("fees.{}", a.fees[0].name).as_str()]);
        assert_eq!(d[0].before, Value::Null);
        assert_eq!(d[1].after["amount"], 8000);
        let mut c = a.clone();
        c.components.reverse();
        assert_eq!(review_diff(&a, &c).iter().map(|c| c.field.as_str()).collect::<Vec<_>>(), ["components.order"]);
    }
}
