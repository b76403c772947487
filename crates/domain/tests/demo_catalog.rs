//! The demo procedure catalog (`data/catalog/demo.json`) and its downloadable forms
//! (`data/catalog/templates/*.docx`): every procedure passes the catalog's own checks, and the
//! catalog is rich enough to demonstrate both levels of government, the online levels, the
//! online-only and postal rules, the 15:00 cut-off, fees and forms.

use jiff::civil::{Date, Time, date, time};
use motcua_domain::catalog::{Channel, Level, OnlineLevel, ProcedureSpec};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;
use unicode_normalization::is_nfc;

const DEMO: &str = include_str!("../../../data/catalog/demo.json");

/// The departments of the demo province (see `crates/app/src/seed.rs`).
const DEMO_AGENCIES: [&str; 10] = [
    "000.00.01.H40", // Sở Tư pháp
    "000.00.02.H40", // Sở Xây dựng
    "000.00.03.H40", // Sở Nông nghiệp và Môi trường
    "000.00.04.H40", // Sở Tài chính
    "000.00.05.H40", // Sở Công Thương
    "000.00.06.H40", // Sở Y tế
    "000.00.07.H40", // Sở Giáo dục và Đào tạo
    "000.00.08.H40", // Sở Nội vụ
    "000.00.09.H40", // Sở Khoa học và Công nghệ
    "000.00.10.H40", // Sở Văn hóa, Thể thao và Du lịch
];

const COMMUNE_AGENCY: &str = "Ủy ban nhân dân cấp xã";

/// Largest template file accepted (the forms are generated small on purpose).
const MAX_TEMPLATE_BYTES: u64 = 40 * 1024;

fn catalog() -> Vec<ProcedureSpec> {
    serde_json::from_str(DEMO).expect("demo.json is a JSON array of ProcedureSpec")
}

/// The catalog after `validate()`, which NFC-cleans the texts and normalises the code.
fn validated() -> Vec<ProcedureSpec> {
    catalog()
        .into_iter()
        .map(|p| {
            let code = p.code.clone();
            p.validate().unwrap_or_else(|e| panic!("{code} fails validation: {e:?}"))
        })
        .collect()
}

fn templates_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/catalog/templates")
}

fn cutoff_15() -> Time {
    time(15, 0, 0, 0)
}

#[test]
fn every_procedure_validates_and_is_complete() {
    let raw = catalog();
    assert!(raw.len() >= 64, "only {} procedures", raw.len());
    let checked = validated();
    for (before, after) in raw.iter().zip(&checked) {
        assert!(after.is_complete(), "{} lacks a constituent part: {:?}", after.code, after.parts());
        // The data is stored already clean: validation changes nothing.
        assert_eq!(before, after, "{} is not stored in its validated form", before.code);
        assert!(!after.steps.is_empty() && after.steps.len() <= 6, "{}: {} steps", after.code, after.steps.len());
        assert!(!after.components.is_empty(), "{} has no components", after.code);
        assert!(!after.legal_basis.is_empty(), "{} has no legal basis", after.code);
    }
}

#[test]
fn texts_are_nfc() {
    assert!(is_nfc(DEMO), "demo.json must be stored in Unicode NFC");
}

#[test]
fn codes_are_unique() {
    let mut seen = HashSet::new();
    for p in validated() {
        assert!(seen.insert(p.code.clone()), "duplicate code {}", p.code);
    }
}

#[test]
fn sectors_are_many_and_consistent() {
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in validated() {
        names.entry(p.sector.code.clone()).or_default().insert(p.sector.name.clone());
    }
    assert!(names.len() >= 10, "only {} sectors: {:?}", names.len(), names.keys());
    for (code, n) in &names {
        assert_eq!(n.len(), 1, "sector {code} has several names: {n:?}");
    }
}

#[test]
fn both_levels_are_present() {
    let all = validated();
    let commune: Vec<_> = all.iter().filter(|p| p.levels.contains(&Level::Commune)).collect();
    let province = all.iter().filter(|p| p.levels.contains(&Level::Province)).count();
    assert!(commune.len() >= 15, "only {} commune-level procedures", commune.len());
    assert!(province >= 20, "only {province} province-level procedures");
    for p in commune {
        assert_eq!(p.implementing_agency, COMMUNE_AGENCY, "{}", p.code);
        assert_eq!(p.agency_code, None, "{}: a commune procedure is decided by each commune", p.code);
    }
}

#[test]
fn online_levels_online_only_and_postal() {
    let all = validated();
    let online_only: Vec<_> = all.iter().filter(|p| p.online_only).collect();
    assert!(online_only.len() >= 5, "only {} online-only procedures", online_only.len());
    for p in &online_only {
        assert!(matches!(p.online_level, OnlineLevel::Full | OnlineLevel::Partial), "{}", p.code);
        assert!(p.accepts(Channel::Online) && !p.accepts(Channel::Counter), "{}", p.code);
    }
    let full = all.iter().filter(|p| p.online_level == OnlineLevel::Full).count();
    assert!(full >= 10, "only {full} fully online procedures");
    let postal_excluded: Vec<_> = all.iter().filter(|p| p.postal_excluded).collect();
    assert!(postal_excluded.len() >= 3, "only {} procedures exclude postal service", postal_excluded.len());
    for p in postal_excluded {
        assert!(!p.accepts(Channel::Postal), "{}", p.code);
    }
    for p in &all {
        let online = p.methods.iter().any(|m| m.channel == Channel::Online);
        assert_eq!(online, p.online_level != OnlineLevel::None, "{}: online method vs online level", p.code);
        assert!(!p.full_online_eligible || p.online_level == OnlineLevel::Full, "{}", p.code);
        assert_eq!(p.counting.out_of_hours_next, online, "{}: out-of-hours rule applies to online filing", p.code);
    }
}

#[test]
fn same_day_cutoff_at_15() {
    assert_eq!(serde_json::from_str::<Time>("\"15:00:00\"").unwrap(), cutoff_15());
    let all = validated();
    let with_cutoff: Vec<_> = all.iter().filter(|p| p.counting.same_day_cutoff.is_some()).collect();
    assert!(with_cutoff.len() >= 5, "only {} procedures with a same-day cut-off", with_cutoff.len());
    for p in with_cutoff {
        assert_eq!(p.counting.same_day_cutoff, Some(cutoff_15()), "{}", p.code);
        assert!(p.time_limit.is_within_day(), "{}: a cut-off only makes sense for a within-the-day limit", p.code);
    }
}

#[test]
fn fees_paid_and_free() {
    let all = validated();
    let paid = all.iter().filter(|p| p.total_fees() > 0).count();
    let free = all.iter().filter(|p| p.total_fees() == 0).count();
    assert!(paid >= 5, "only {paid} procedures with fees");
    assert!(free >= 5, "only {free} free procedures");
    for p in &all {
        assert!(!p.fees.is_empty(), "{}: state the fee, even when it is 0", p.code);
    }
}

#[test]
fn agency_codes_are_demo_departments() {
    for p in validated() {
        if let Some(code) = &p.agency_code {
            assert!(DEMO_AGENCIES.contains(&code.as_str()), "{}: unknown agency code {code}", p.code);
            assert!(p.levels.contains(&Level::Province), "{}: a department decides province-level procedures", p.code);
        }
    }
}

#[test]
fn decisions_follow_the_two_level_reform() {
    let reform: Date = date(2025, 7, 1);
    for p in validated() {
        assert!(p.decision.date >= reform, "{}: decision {} dated {}", p.code, p.decision.number, p.decision.date);
        assert!(p.decision.number.contains("/QĐ-UBND"), "{}: {}", p.code, p.decision.number);
    }
}

#[test]
fn templates_exist_and_are_word_files() {
    let dir = templates_dir();
    let referenced: BTreeSet<String> =
        validated().iter().flat_map(|p| p.components.iter().filter_map(|c| c.template.clone())).collect();
    assert!(referenced.len() >= 8, "only {} forms: {referenced:?}", referenced.len());
    for name in &referenced {
        assert!(name.ends_with(".docx") && !name.contains('/') && !name.contains('\\'), "bad template name {name}");
        let path = dir.join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("template {} missing: {e}", path.display()));
        assert!(bytes.starts_with(b"PK\x03\x04"), "{name} is not a zip (docx) file");
        assert!(bytes.len() as u64 <= MAX_TEMPLATE_BYTES, "{name} is {} bytes", bytes.len());
    }
    let present: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("templates directory")
        .map(|e| e.expect("directory entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".docx"))
        .collect();
    assert_eq!(present, referenced, "template files on disk and templates referenced by the catalog differ");
}

#[test]
fn the_online_check_level_is_one_working_day_unless_set_and_bounded() {
    use motcua_domain::calendar::CheckUnit;
    use motcua_domain::catalog::CheckLevel;
    // Issue #11 item 14: no demo procedure sets its own level; the general one is not written.
    let base = validated().into_iter().find(|p| p.code == "1.001193").expect("khai sinh");
    assert!(base.reception_check.is_general());
    assert!(!serde_json::to_string(&base).unwrap().contains("reception_check"));
    let with = |amount, unit| ProcedureSpec { reception_check: CheckLevel { amount, unit }, ..base.clone() };
    assert!(with(4, CheckUnit::Hours).validate().is_ok());
    assert!(with(10, CheckUnit::WorkingDays).validate().is_ok());
    for (amount, unit) in
        [(-1, CheckUnit::WorkingDays), (0, CheckUnit::WorkingDays), (11, CheckUnit::WorkingDays), (81, CheckUnit::Hours)]
    {
        let e = with(amount, unit).validate().unwrap_err();
        let f = e.0.iter().find(|f| f.field == "reception_check.amount").unwrap_or_else(|| panic!("{amount}: {e:?}"));
        assert_eq!(f.code, "invalid_check_level");
        assert!(f.message_vi.contains("kiểm tra hồ sơ trực tuyến"), "{}", f.message_vi);
    }
    // Both languages' unit codes are read; another unit is no check level.
    let v: CheckLevel = serde_json::from_str(r#"{"amount": 8, "unit": "gio"}"#).unwrap();
    assert_eq!(v, CheckLevel { amount: 8, unit: CheckUnit::Hours });
    assert!(serde_json::from_str::<CheckLevel>(r#"{"amount": 1, "unit": "months"}"#).is_err());
}
