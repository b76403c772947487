//! The catalog table end to end: round trips through XLSX and CSV, all-or-nothing imports
//! with every error located, lenient reading of hand-edited files, hostile input.

use jiff::civil::{Date, date, time};
use motcua_documents::catalog_table::{CatalogRow, CellError, Column, export_csv, export_xlsx, import_csv, import_xlsx};
use motcua_domain::calendar::{CheckUnit, TimeLimit};
use motcua_domain::catalog::{
    ApplicantType, Channel, CheckLevel, ComponentSpec, Counting, Decision, Fee, FeeCollected, LegalBasis, Level, Method,
    OnlineLevel, ProcedureSpec, ResultSpec, Sector,
};
use std::io::{Cursor, Read, Write};

// ---------------------------------------------------------------------------------------
// Fixtures.
// ---------------------------------------------------------------------------------------

/// Uses every optional field, with texts full of separators, escapes, quotes and diacritics.
fn birth_registration() -> ProcedureSpec {
    ProcedureSpec {
        code: "1.001193.H40".into(),
        name: "Đăng ký khai sinh | \"trong nước\", có yếu tố \\ đặc biệt".into(),
        sector: Sector { code: "HT".into(), name: "Hộ tịch; chứng thực, \"đặc thù\"".into() },
        levels: vec![Level::Province, Level::Commune],
        implementing_agency: "+Ủy ban nhân dân cấp xã, phường".into(),
        agency_code: Some("000.00.01.H40".into()),
        applicant_types: vec![ApplicantType::Citizen, ApplicantType::Foreigner],
        target_subjects: "-Công dân Việt Nam;\nngười nước ngoài \"cư trú\"".into(),
        steps: vec![
            "- Bước 1: Nộp hồ sơ | tại Bộ phận một cửa".into(),
            "Bước 2: Công chức kiểm tra\ndòng thứ hai \\n không phải xuống dòng".into(),
            "'Bước 3' = trả kết quả; hết \\".into(),
            "=SUM(A1:A2) không phải công thức".into(),
        ],
        methods: vec![
            Method {
                channel: Channel::Counter, description: "Trực tiếp tại Bộ phận một cửa | giờ hành chính".into()
            },
            Method { channel: Channel::Online, description: String::new() },
            Method { channel: Channel::Postal, description: "  Qua bưu chính công ích \t".into() },
        ],
        components: vec![
            ComponentSpec {
                key: "to_khai".into(),
                name: "Tờ khai đăng ký khai sinh (mẫu 01)".into(),
                originals: 1,
                copies: 0,
                required: true,
                alternatives: vec![],
                template: Some(r"C:\mau\to_khai_01.docx".into()),
                note: None,
                locker_kinds: vec![],
                digitization: Default::default(),
            },
            ComponentSpec {
                key: "giay_chung_sinh".into(),
                name: "Giấy chứng sinh | bản chính".into(),
                originals: 1,
                copies: 2,
                required: false,
                alternatives: vec![
                    "Văn bản của người làm chứng; có xác nhận".into(),
                    " Giấy cam đoan | tự viết ".into(),
                    "Biên bản\nxác nhận".into(),
                ],
                template: None,
                note: Some("Ghi chú: nộp bản sao \"có chứng thực\"\r\nhoặc xuất trình bản chính, _x0041_ \u{1} hết.".into()),
                locker_kinds: vec!["ket-qua:1.004873".into(), "ban-sao:giay_khai_sinh".into()],
                digitization: Default::default(),
            },
            ComponentSpec {
                key: "cccd_2".into(),
                name: "Căn cước".into(),
                originals: 0,
                copies: 1,
                required: true,
                alternatives: vec!["".into(), "x".into()],
                template: Some("mau;02.pdf".into()),
                note: Some(" ".into()),
                locker_kinds: vec![],
                digitization: Default::default(),
            },
        ],
        sets: 2,
        time_limit: TimeLimit::working_days(15),
        result: ResultSpec { name: "Giấy khai sinh (bản chính), 01 bản | \"điện tử\"".into(), paper_required: true },
        fees: vec![
            Fee {
                name: "Lệ phí đăng ký | khai sinh".into(), amount: 0, collected: FeeCollected::AtReception, exemptions: None
            },
            Fee {
                name: "Phí cấp bản sao".into(),
                amount: 8_000,
                collected: FeeCollected::AtResult,
                exemptions: Some("Miễn cho trẻ em; người khuyết tật | hộ nghèo".into()),
            },
            Fee { name: String::new(), amount: 1_500_000_000, collected: FeeCollected::BeforeProcessing, exemptions: None },
        ],
        legal_basis: vec![
            LegalBasis {
                number: "60/2014/QH13".into(),
                title: "Luật Hộ tịch".into(),
                issued: Some(date(2014, 11, 20)),
                effective: Some(date(2016, 1, 1)),
            },
            LegalBasis {
                number: "123/2015/NĐ-CP".into(), title: String::new(), issued: None, effective: Some(date(2016, 1, 1))
            },
            LegalBasis {
                number: "04/2020/TT-BTP | sửa đổi".into(),
                title: "Thông tư\nhướng dẫn".into(),
                issued: Some(date(2020, 5, 28)),
                effective: None,
            },
        ],
        decision: Decision { number: "1234/QĐ-UBND".into(), date: date(2025, 7, 1) },
        online_level: OnlineLevel::Full,
        full_online_eligible: true,
        postal_excluded: false,
        online_only: true,
        counting: Counting { same_day_cutoff: Some(time(15, 0, 0, 0)), out_of_hours_next: true, payment_pauses_clock: true },
        supplement: Default::default(),
        reception_check: CheckLevel { amount: 4, unit: CheckUnit::Hours },
        conditions: Some("- Trẻ em sinh ra, \"còn sống\";\r\n= điều kiện | khác\n\\ kết thúc".into()),
    }
}

fn household_business() -> ProcedureSpec {
    ProcedureSpec {
        code: "2.000720".into(),
        name: "Đăng ký thành lập hộ kinh doanh".into(),
        sector: Sector { code: "HKD".into(), name: "Thành lập và hoạt động của hộ kinh doanh".into() },
        levels: vec![Level::Commune],
        implementing_agency: "Phòng Kinh tế".into(),
        agency_code: None,
        applicant_types: vec![ApplicantType::HouseholdBusiness],
        target_subjects: "Cá nhân, thành viên hộ gia đình".into(),
        steps: vec!["Nộp hồ sơ".into()],
        methods: vec![Method { channel: Channel::Counter, description: "Nộp trực tiếp".into() }],
        components: vec![ComponentSpec {
            key: "giay_de_nghi".into(),
            name: "Giấy đề nghị đăng ký hộ kinh doanh".into(),
            originals: 1,
            copies: 0,
            required: true,
            alternatives: vec![],
            template: None,
            note: None,
            locker_kinds: vec![],
            digitization: Default::default(),
        }],
        sets: 1,
        time_limit: TimeLimit::WITHIN_DAY,
        result: ResultSpec { name: "Giấy chứng nhận đăng ký hộ kinh doanh".into(), paper_required: false },
        fees: vec![],
        legal_basis: vec![],
        decision: Decision { number: String::new(), date: date(2024, 12, 31) },
        online_level: OnlineLevel::None,
        full_online_eligible: false,
        postal_excluded: true,
        online_only: false,
        counting: Counting {
            same_day_cutoff: Some(time(10, 30, 15, 250_000_000)),
            out_of_hours_next: false,
            payment_pauses_clock: false,
        },
        supplement: Default::default(),
        reception_check: Default::default(),
        conditions: None,
    }
}

fn certification() -> ProcedureSpec {
    ProcedureSpec {
        code: "2.001035".into(),
        name: "Chứng thực bản sao từ bản chính".into(),
        sector: Sector { code: "CT".into(), name: "Chứng thực".into() },
        levels: vec![Level::Commune],
        implementing_agency: "Ủy ban nhân dân cấp xã".into(),
        agency_code: None,
        applicant_types: vec![ApplicantType::Citizen, ApplicantType::Business, ApplicantType::Organisation],
        target_subjects: "Cá nhân, tổ chức".into(),
        steps: vec![],
        methods: vec![
            Method { channel: Channel::Counter, description: String::new() },
            Method { channel: Channel::Online, description: "Cổng dịch vụ công".into() },
        ],
        components: vec![ComponentSpec {
            key: "ban_chinh".into(),
            name: "Bản chính giấy tờ".into(),
            originals: 1,
            copies: 1,
            required: true,
            alternatives: vec![],
            template: None,
            note: None,
            locker_kinds: vec![],
            digitization: Default::default(),
        }],
        sets: 1,
        time_limit: TimeLimit::hours(8),
        result: ResultSpec { name: "Bản sao được chứng thực".into(), paper_required: true },
        fees: vec![Fee { name: "Lệ phí".into(), amount: 2_000, collected: FeeCollected::AtReception, exemptions: None }],
        legal_basis: vec![LegalBasis {
            number: "23/2015/NĐ-CP".into(),
            title: "Nghị định chứng thực".into(),
            issued: None,
            effective: None,
        }],
        decision: Decision { number: "99/QĐ-UBND".into(), date: date(2025, 8, 15) },
        online_level: OnlineLevel::Partial,
        full_online_eligible: false,
        postal_excluded: false,
        online_only: false,
        counting: Counting::default(),
        supplement: Default::default(),
        reception_check: Default::default(),
        conditions: None,
    }
}

/// Alternatives the exporter cannot tell apart from "none" are left out by design (an empty
/// alternative is meaningless); the fixture keeps one to check that, and this is the spec
/// as it reads back.
fn without_empty_alternatives(mut s: ProcedureSpec) -> ProcedureSpec {
    for c in &mut s.components {
        c.alternatives.retain(|a| !a.is_empty());
    }
    s
}

fn fixtures() -> Vec<(ProcedureSpec, Option<Date>)> {
    vec![(birth_registration(), Some(date(2026, 1, 1))), (household_business(), None), (certification(), Some(date(2025, 9, 1)))]
}

fn expected(rows: &[(ProcedureSpec, Option<Date>)]) -> Vec<CatalogRow> {
    rows.iter()
        .enumerate()
        .map(|(i, (s, e))| CatalogRow { row: i + 2, spec: without_empty_alternatives(s.clone()), effective_from: *e })
        .collect()
}

fn ok(r: Result<Vec<CatalogRow>, Vec<CellError>>) -> Vec<CatalogRow> {
    match r {
        Ok(rows) => rows,
        Err(es) => panic!("import failed:\n{}", es.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n")),
    }
}

fn errs(r: Result<Vec<CatalogRow>, Vec<CellError>>) -> Vec<CellError> {
    match r {
        Ok(rows) => panic!("expected errors, imported {} rows", rows.len()),
        Err(es) => {
            for e in &es {
                assert!(!e.message_vi.is_empty() && !e.message_en.is_empty(), "{e:?}");
            }
            es
        }
    }
}

fn places(es: &[CellError]) -> Vec<(usize, &str, &str)> {
    es.iter().map(|e| (e.row, e.column.as_str(), e.code)).collect()
}

// ---------------------------------------------------------------------------------------
// A grid of strings, to edit exported files the way a person would.
// ---------------------------------------------------------------------------------------

#[derive(Clone)]
struct Grid(Vec<Vec<String>>);

impl Grid {
    fn of(rows: &[(ProcedureSpec, Option<Date>)]) -> Grid {
        let bytes = export_csv(rows);
        let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[3..]);
        let unguard = |s: &str| match s.strip_prefix('\'') {
            Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) => rest.to_string(),
            _ => s.to_string(),
        };
        Grid(r.records().map(|rec| rec.unwrap().iter().map(unguard).collect()).collect())
    }

    fn col(&self, key: &str) -> usize {
        self.0[0].iter().position(|h| h.ends_with(&format!("({key})"))).unwrap_or_else(|| panic!("no column {key}"))
    }

    /// Sets the cell of a 1-based sheet row.
    fn set(&mut self, row: usize, key: &str, value: &str) -> &mut Self {
        let c = self.col(key);
        self.0[row - 1][c] = value.to_string();
        self
    }

    fn remove(&mut self, key: &str) -> &mut Self {
        let c = self.col(key);
        for r in &mut self.0 {
            r.remove(c);
        }
        self
    }

    fn reverse_columns(&mut self) -> &mut Self {
        for r in &mut self.0 {
            r.reverse();
        }
        self
    }

    fn csv_with(&self, delimiter: u8, bom: bool) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new().flexible(true).delimiter(delimiter).from_writer(Vec::new());
        for r in &self.0 {
            w.write_record(r).unwrap();
        }
        let body = w.into_inner().unwrap();
        if bom { [b"\xEF\xBB\xBF".as_slice(), &body].concat() } else { body }
    }

    fn csv(&self) -> Vec<u8> {
        self.csv_with(b',', true)
    }

    fn xlsx(&self) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (r, row) in self.0.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    ws.write_string(r as u32, c as u16, cell).unwrap();
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }
}

// ---------------------------------------------------------------------------------------
// Round trips.
// ---------------------------------------------------------------------------------------

#[test]
fn fixtures_are_valid_and_normalised() {
    for (s, _) in fixtures() {
        let s = without_empty_alternatives(s);
        assert_eq!(s.clone().validate().as_ref(), Ok(&s), "{}", s.code);
    }
}

#[test]
fn xlsx_round_trip_is_exact() {
    let rows = fixtures();
    let bytes = export_xlsx(&rows).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    assert_eq!(ok(import_xlsx(&bytes)), expected(&rows));
}

#[test]
fn csv_round_trip_is_exact() {
    let rows = fixtures();
    let bytes = export_csv(&rows);
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(text.contains("\"Mã thủ tục (code)\"") || text.contains("Mã thủ tục (code),"), "{}", &text[..80]);
    assert!(text.contains("\r\n"));
    assert_eq!(ok(import_csv(&bytes)), expected(&rows));
}

#[test]
fn formats_agree_and_re_export_identically() {
    let rows = fixtures();
    let via_csv = ok(import_csv(&export_csv(&rows)));
    let via_xlsx = ok(import_xlsx(&export_xlsx(&rows).unwrap()));
    assert_eq!(via_csv, via_xlsx);
    let again: Vec<(ProcedureSpec, Option<Date>)> = via_csv.into_iter().map(|r| (r.spec, r.effective_from)).collect();
    let clean: Vec<_> = rows.into_iter().map(|(s, e)| (without_empty_alternatives(s), e)).collect();
    assert_eq!(export_csv(&again), export_csv(&clean));
}

#[test]
fn export_writes_the_documented_layout() {
    let g = Grid::of(&fixtures());
    let headers: Vec<&str> = g.0[0].iter().map(String::as_str).collect();
    let expected: Vec<String> = Column::ALL.iter().map(|c| c.header()).collect();
    assert_eq!(headers, expected);
    assert_eq!(headers[0], "Mã thủ tục (code)");
    let cell = |key: &str| g.0[1][g.col(key)].clone();
    assert_eq!(cell("levels"), "province, commune");
    assert_eq!(cell("applicant_types"), "citizen, foreigner");
    assert_eq!(cell("time_limit"), "15 working_days");
    assert_eq!(cell("result_paper_required"), "có");
    assert_eq!(cell("postal_excluded"), "không");
    assert_eq!(cell("decision_date"), "2025-07-01");
    assert_eq!(cell("same_day_cutoff"), "15:00");
    assert_eq!(cell("effective_from"), "2026-01-01");
    assert_eq!(cell("steps").lines().next(), Some(r"- Bước 1: Nộp hồ sơ \| tại Bộ phận một cửa"));
    assert_eq!(
        cell("methods"),
        "counter | Trực tiếp tại Bộ phận một cửa \\| giờ hành chính\nonline\npostal | \\ \\ Qua bưu chính công ích\\ \\t"
    );
    assert_eq!(
        cell("components").lines().next(),
        Some(r"to_khai | Tờ khai đăng ký khai sinh (mẫu 01) | 1 | 0 | có |  | C:\\mau\\to_khai_01.docx")
    );
    assert!(
        cell("components")
            .contains(r"Văn bản của người làm chứng\; có xác nhận; \ Giấy cam đoan \| tự viết\ ; Biên bản\nxác nhận")
    );
    assert_eq!(
        cell("fees").lines().nth(1),
        Some("Phí cấp bản sao | 8000 | at_result | Miễn cho trẻ em; người khuyết tật \\| hộ nghèo")
    );
    assert_eq!(cell("legal_basis").lines().next(), Some("60/2014/QH13 | Luật Hộ tịch | 2014-11-20 | 2016-01-01"));
    assert_eq!(cell("legal_basis").lines().nth(1), Some("123/2015/NĐ-CP |  |  | 2016-01-01"));
    assert_eq!(g.0[2][g.col("time_limit")], "0 working_days");
    // The online check level: written when the procedure sets one, empty for the general level.
    assert_eq!(cell("reception_check"), "4 hours");
    assert_eq!(g.0[2][g.col("reception_check")], "");
    assert_eq!(g.0[2][g.col("effective_from")], "");
}

/// The demo catalog written by the domain crate round-trips unchanged through both formats.
#[test]
fn demo_catalog_round_trips() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/catalog/demo.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let specs: Vec<ProcedureSpec> = serde_json::from_str(&text).unwrap();
    assert!(!specs.is_empty());
    let rows: Vec<(ProcedureSpec, Option<Date>)> = specs.into_iter().map(|s| (s, None)).collect();
    let want: Vec<CatalogRow> =
        rows.iter().enumerate().map(|(i, (s, e))| CatalogRow { row: i + 2, spec: s.clone(), effective_from: *e }).collect();
    assert_eq!(ok(import_xlsx(&export_xlsx(&rows).unwrap())), want);
    assert_eq!(ok(import_csv(&export_csv(&rows))), want);
}

// ---------------------------------------------------------------------------------------
// All or nothing, every error located.
// ---------------------------------------------------------------------------------------

#[test]
fn one_bad_row_imports_nothing_and_names_every_bad_cell() {
    let mut g = Grid::of(&fixtures());
    g.set(3, "time_limit", "-5 days").set(3, "online_level", "sometimes");
    for bytes in [g.csv(), g.xlsx()] {
        let es = errs(if bytes.starts_with(b"PK") { import_xlsx(&bytes) } else { import_csv(&bytes) });
        assert_eq!(places(&es), vec![(3, "time_limit", "negative_limit"), (3, "online_level", "unknown_code")], "{es:#?}");
        assert!(es[0].message_vi.contains("âm"), "{}", es[0].message_vi);
        assert!(es[1].message_en.contains("sometimes"), "{}", es[1].message_en);
    }
}

#[test]
fn errors_of_several_rows_and_kinds_are_all_reported() {
    let mut rows = fixtures();
    rows.push((household_business(), None));
    let mut g = Grid::of(&rows);
    g.set(2, "components", "to_khai | Tờ khai | 1\nBad Key | Giấy tờ | 1\ngiay | Giấy | 1 | 0 | maybe")
        .set(2, "decision_date", "31/02/2025")
        .set(2, "sets", "0")
        .set(3, "sector_code", "")
        .set(3, "fees", "Lệ phí | -5 | at_reception\nPhí | 10 | khi_nop_ho_so | a | b")
        .set(4, "levels", "province, huyện")
        .set(4, "methods", "counter\nfax | máy fax")
        .set(4, "result_paper_required", "")
        .set(4, "same_day_cutoff", "25:00");
    let es = errs(import_csv(&g.csv()));
    assert_eq!(
        places(&es),
        vec![
            (2, "components", "bool_format"),
            (2, "components", "invalid_component_key"),
            (2, "sets", "invalid_sets"),
            (2, "decision_date", "invalid_date"),
            (3, "sector_code", "required"),
            (3, "fees", "too_many_fields"),
            (3, "fees", "negative_amount"),
            (4, "levels", "unknown_code"),
            (4, "methods", "unknown_code"),
            (4, "result_paper_required", "required"),
            (4, "same_day_cutoff", "time_format"),
            (5, "code", "duplicate_code"),
        ],
        "{es:#?}"
    );
    let line = |row: usize, column: &str, code: &str| {
        es.iter().find(|e| e.row == row && e.column == column && e.code == code).map(|e| e.message_vi.clone()).unwrap_or_default()
    };
    assert!(line(2, "components", "invalid_component_key").starts_with("Dòng 2 trong ô"));
    assert!(line(2, "components", "bool_format").starts_with("Dòng 3 trong ô"));
    assert!(line(3, "fees", "too_many_fields").starts_with("Dòng 2 trong ô"));
    assert!(line(3, "fees", "negative_amount").starts_with("Dòng 1 trong ô"));
    assert!(line(4, "methods", "unknown_code").starts_with("Dòng 2 trong ô"));
    assert!(line(5, "code", "duplicate_code").contains("dòng 3"));
}

#[test]
fn a_missing_column_is_named_once() {
    let mut g = Grid::of(&fixtures());
    g.remove("time_limit");
    for bytes in [g.csv(), g.xlsx()] {
        let es = errs(if bytes.starts_with(b"PK") { import_xlsx(&bytes) } else { import_csv(&bytes) });
        assert_eq!(places(&es), vec![(1, "time_limit", "missing_column")], "{es:#?}");
        assert!(es[0].message_vi.contains("Thời hạn giải quyết (time_limit)"));
    }
    // Optional columns may be left out.
    let mut g = Grid::of(&[(household_business(), None)]);
    for key in [
        "agency_code",
        "sets",
        "fees",
        "full_online_eligible",
        "online_only",
        "out_of_hours_next",
        "conditions",
        "effective_from",
    ] {
        g.remove(key);
    }
    assert_eq!(ok(import_csv(&g.csv()))[0].spec, household_business());
}

#[test]
fn unknown_and_duplicate_columns_are_reported() {
    let mut g = Grid::of(&fixtures());
    g.0[0].push("Ghi chú nội bộ (internal_note)".into());
    g.0[1].push("x".into());
    let c = g.col("name");
    g.0[0][c] = "Tên (code)".into();
    let es = errs(import_csv(&g.csv()));
    assert_eq!(
        places(&es),
        vec![(1, "code", "duplicate_column"), (1, "name", "missing_column"), (1, "internal_note", "unknown_column")]
    );
}

#[test]
fn header_only_imports_nothing_and_an_empty_file_is_an_error() {
    assert_eq!(ok(import_csv(&export_csv(&[]))), vec![]);
    assert_eq!(ok(import_xlsx(&export_xlsx(&[]).unwrap())), vec![]);
    assert_eq!(places(&errs(import_csv(b""))), vec![(1, "", "missing_header")]);
    assert_eq!(places(&errs(import_csv(b"\xEF\xBB\xBF\r\n,,\r\n"))), vec![(1, "", "missing_header")]);
}

// ---------------------------------------------------------------------------------------
// Hand-edited files.
// ---------------------------------------------------------------------------------------

#[test]
fn csv_with_or_without_bom_and_with_semicolons_imports() {
    let rows = fixtures();
    let g = Grid::of(&rows);
    let want = expected(&rows);
    assert_eq!(ok(import_csv(&g.csv_with(b',', true))), want);
    assert_eq!(ok(import_csv(&g.csv_with(b',', false))), want);
    assert_eq!(ok(import_csv(&g.csv_with(b';', true))), want);
    assert_eq!(ok(import_csv(&g.csv_with(b'\t', false))), want);
    let mut hinted = b"sep=;\r\n".to_vec();
    hinted.extend(g.csv_with(b';', false));
    assert_eq!(ok(import_csv(&hinted)), want);
}

#[test]
fn reordered_columns_import() {
    let rows = fixtures();
    let mut g = Grid::of(&rows);
    g.reverse_columns();
    assert_eq!(ok(import_csv(&g.csv())), expected(&rows));
    assert_eq!(ok(import_xlsx(&g.xlsx())), expected(&rows));
    // Bare keys and bare Vietnamese labels are headers too.
    let mut g = Grid::of(&rows);
    for (i, c) in Column::ALL.iter().enumerate() {
        g.0[0][i] = if i % 2 == 0 { c.key().to_string() } else { c.label_vi().to_uppercase() };
    }
    assert_eq!(ok(import_csv(&g.csv())), expected(&rows));
}

#[test]
fn empty_rows_are_ignored() {
    let rows = fixtures();
    let mut g = Grid::of(&rows);
    let width = g.0[0].len();
    g.0.push(vec![String::new(); width]);
    g.0.push(vec!["  ".to_string(); width]);
    let mut bytes = g.csv();
    bytes.extend_from_slice(b"\r\n\r\n,,,\r\n");
    assert_eq!(ok(import_csv(&bytes)), expected(&rows));
    assert_eq!(ok(import_xlsx(&g.xlsx())), expected(&rows));
}

/// Rows are numbered as a spreadsheet shows them, blank lines and line breaks inside quoted
/// cells included.
#[test]
fn csv_rows_are_numbered_as_excel_shows_them() {
    let mut text = String::from_utf8(export_csv(&fixtures())[3..].to_vec()).unwrap();
    assert!(text.matches('\n').count() > 4, "quoted cells hold line breaks");
    // Two blank lines between the header and the first procedure.
    text.insert_str(text.find('\n').unwrap() + 1, "\r\n\n");
    let mut g = Grid::of(&fixtures());
    g.set(4, "time_limit", "soon");
    let mut bad = String::from_utf8(g.csv_with(b',', false)).unwrap();
    bad.insert_str(bad.find('\n').unwrap() + 1, "\r\n\n");
    let rows = ok(import_csv(text.as_bytes()));
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![4, 5, 6]);
    assert_eq!(places(&errs(import_csv(bad.as_bytes()))), vec![(6, "time_limit", "time_limit_format")]);
}

#[test]
fn lenient_spellings_are_read() {
    let mut g = Grid::of(&[(certification(), None)]);
    g.set(2, "time_limit", "Trong ngày")
        .set(2, "levels", "Cấp xã; xa")
        .set(2, "result_paper_required", "x")
        .set(2, "full_online_eligible", "1")
        .set(2, "decision_date", "15/08/2025")
        .set(2, "effective_from", "01/09/2025")
        .set(2, "same_day_cutoff", "15h")
        .set(2, "online_level", "Một phần")
        .set(2, "methods", "Trực tiếp|\ntruc_tuyen |Cổng dịch vụ công")
        .set(2, "fees", "Lệ phí|2.000 đồng|Khi nộp hồ sơ")
        .set(2, "code", " 2.001035 ");
    let row = ok(import_csv(&g.csv())).remove(0);
    let mut want = certification();
    want.time_limit = TimeLimit::WITHIN_DAY;
    want.full_online_eligible = true;
    want.counting.same_day_cutoff = Some(time(15, 0, 0, 0));
    assert_eq!(row.spec, want);
    assert_eq!(row.effective_from, Some(date(2025, 9, 1)));
    // The Vietnamese unit codes.
    g.set(2, "time_limit", "15 ngay_lam_viec");
    assert_eq!(ok(import_csv(&g.csv()))[0].spec.time_limit, TimeLimit::working_days(15));
    g.set(2, "reception_check", "2 ngày làm việc");
    assert_eq!(ok(import_csv(&g.csv()))[0].spec.reception_check, CheckLevel { amount: 2, unit: CheckUnit::WorkingDays });
    g.set(2, "reception_check", "8 giờ");
    assert_eq!(ok(import_csv(&g.csv()))[0].spec.reception_check, CheckLevel { amount: 8, unit: CheckUnit::Hours });
}

#[test]
fn an_online_check_level_out_of_bounds_or_unreadable_is_named_on_its_cell() {
    // Issue #11 item 14: the level is 1–10 working days or 1–80 office hours.
    for bad in ["0 working_days", "-1 working_days", "11 ngay_lam_viec", "81 hours", "1 months", "mot ngay"] {
        let mut g = Grid::of(&[(certification(), None)]);
        g.set(2, "reception_check", bad);
        let es = errs(import_csv(&g.csv()));
        assert_eq!(places(&es), [(2, "reception_check", "invalid_check_level")], "{bad}: {es:?}");
    }
}

/// Cells typed in Excel: numbers, real dates and times, booleans.
#[test]
fn excel_typed_cells_are_read() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let g = Grid::of(&[(certification(), None)]);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let time_format = Format::new().set_num_format("hh:mm");
    for (c, h) in g.0[0].iter().enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (c, v) in g.0[1].iter().enumerate() {
        let key = Column::ALL[c].key();
        let c = c as u16;
        match key {
            "sets" => ws.write_number(1, c, 3).map(|_| ()),
            "decision_date" => {
                ws.write_datetime_with_format(1, c, ExcelDateTime::from_ymd(2025, 8, 15).unwrap(), &date_format).map(|_| ())
            }
            "effective_from" => {
                ws.write_datetime_with_format(1, c, ExcelDateTime::from_ymd(1900, 3, 1).unwrap(), &date_format).map(|_| ())
            }
            "same_day_cutoff" => {
                ws.write_datetime_with_format(1, c, ExcelDateTime::from_hms(16, 30, 0).unwrap(), &time_format).map(|_| ())
            }
            "result_paper_required" => ws.write_boolean(1, c, true).map(|_| ()),
            "online_only" => ws.write_number(1, c, 0).map(|_| ()),
            _ if !v.is_empty() => ws.write_string(1, c, v).map(|_| ()),
            _ => Ok(()),
        }
        .unwrap();
    }
    let row = ok(import_xlsx(&wb.save_to_buffer().unwrap())).remove(0);
    let mut want = certification();
    want.sets = 3;
    want.counting.same_day_cutoff = Some(time(16, 30, 0, 0));
    assert_eq!(row.spec, want);
    assert_eq!(row.effective_from, Some(date(1900, 3, 1)));

    // A code typed as a number may have lost its trailing zeros: refused.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in g.0[0].iter().enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (c, v) in g.0[1].iter().enumerate() {
        if c == 0 {
            ws.write_number(1, 0, 2.00104).unwrap();
        } else if !v.is_empty() {
            ws.write_string(1, c as u16, v).unwrap();
        }
    }
    let es = errs(import_xlsx(&wb.save_to_buffer().unwrap()));
    assert_eq!(places(&es), vec![(2, "code", "code_as_number")]);
}

// ---------------------------------------------------------------------------------------
// Hostile input: errors, never a panic.
// ---------------------------------------------------------------------------------------

/// xorshift64*, enough for test noise.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn random_bytes_are_rejected() {
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
    for n in [0, 1, 2, 3, 4, 22, 100, 1000, 10_000] {
        for _ in 0..20 {
            let b = noise.bytes(n);
            assert!(import_xlsx(&b).is_err());
            let _ = import_csv(&b);
        }
    }
    // Random bytes after a ZIP signature, and printable noise as CSV.
    for _ in 0..50 {
        let mut b = b"PK\x03\x04".to_vec();
        b.extend(noise.bytes(500));
        assert!(import_xlsx(&b).is_err());
        let text: Vec<u8> = noise.bytes(2000).into_iter().map(|x| b" ,;\"|\\\n\ra1(code)"[x as usize % 16]).collect();
        let _ = import_csv(&text);
    }
}

#[test]
fn damaged_workbooks_are_rejected() {
    let good = export_xlsx(&fixtures()).unwrap();
    let mut noise = Noise(42);
    for cut in [10, 100, good.len() / 2, good.len() - 1] {
        let es = errs(import_xlsx(&good[..cut]));
        assert_eq!(es[0].code, "not_xlsx");
    }
    for _ in 0..200 {
        let mut b = good.clone();
        for _ in 0..8 {
            let i = noise.next() as usize % b.len();
            b[i] = noise.next() as u8;
        }
        let _ = import_xlsx(&b);
    }
    // A CSV handed to the XLSX importer and the other way round.
    assert_eq!(errs(import_xlsx(&export_csv(&fixtures())))[0].code, "not_xlsx");
    assert_eq!(errs(import_csv(&good))[0].code, "not_utf8");
}

/// Rewrites the entries of a workbook.
fn rezip(xlsx: &[u8], edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&edit(&name, data)).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn workbooks_built_to_exhaust_memory_are_rejected() {
    let good = export_xlsx(&fixtures()).unwrap();
    assert_eq!(ok(import_xlsx(&rezip(&good, |_, d| d))), expected(&fixtures()));
    // A shared-string table announcing a trillion strings.
    let lying = rezip(&good, |name, d| {
        if name.ends_with("sharedStrings.xml") {
            let s = String::from_utf8(d).unwrap();
            let at = s.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
            let end = at + s[at..].find('"').unwrap();
            format!("{}999999999999{}", &s[..at], &s[end..]).into_bytes()
        } else {
            d
        }
    });
    assert_eq!(errs(import_xlsx(&lying))[0].code, "file_too_large");
    // Entries that inflate to more than the limit (a "zip bomb"): one compressed MiB of
    // spaces, copied 130 times without recompressing.
    let mut pad = zip::ZipWriter::new(Cursor::new(Vec::new()));
    pad.start_file("pad", zip::write::SimpleFileOptions::default()).unwrap();
    pad.write_all(&vec![b' '; 1024 * 1024]).unwrap();
    let pad = pad.finish().unwrap().into_inner();
    let mut pad = zip::ZipArchive::new(Cursor::new(pad)).unwrap();
    let mut bomb = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut zin = zip::ZipArchive::new(Cursor::new(good.as_slice())).unwrap();
    for i in 0..zin.len() {
        bomb.raw_copy_file(zin.by_index(i).unwrap()).unwrap();
    }
    for i in 0..130 {
        bomb.raw_copy_file_rename(pad.by_index(0).unwrap(), format!("xl/media/pad{i}.bin")).unwrap();
    }
    let bomb = bomb.finish().unwrap().into_inner();
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    assert_eq!(errs(import_xlsx(&bomb))[0].code, "file_too_large");
    // A sheet whose only cells are at opposite corners.
    let sparse = rezip(&good, |name, d| {
        if name.ends_with("sheet1.xml") {
            let s = String::from_utf8(d).unwrap();
            let row = r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>"#;
            s.replacen("</sheetData>", row, 1).into_bytes()
        } else {
            d
        }
    });
    let es = errs(import_xlsx(&sparse));
    assert_eq!(places(&es), vec![(1_048_576, "XFD", "cell_without_column")]);
}

#[test]
fn wide_and_huge_csv_files_are_reported_not_panicked_on() {
    // 10,000 columns of unknown headers: the error list is capped.
    let mut wide = Grid::of(&fixtures());
    for i in 0..10_000 {
        wide.0[0].push(format!("Cột {i} (extra_{i})"));
    }
    let es = errs(import_csv(&wide.csv()));
    assert_eq!(es.len(), motcua_documents::catalog_table::MAX_ERRORS + 1);
    assert_eq!(es.last().map(|e| e.code), Some("too_many_errors"));
    // A huge cell.
    let mut huge = Grid::of(&fixtures());
    huge.set(2, "time_limit", &"9".repeat(5_000_000));
    huge.set(3, "steps", &"Bước rất dài | ".repeat(400_000));
    let es = errs(import_csv(&huge.csv()));
    assert_eq!(places(&es), vec![(2, "time_limit", "time_limit_format")]);
    assert!(es[0].message_en.len() < 300);
    // An XLSX cell holds at most 32,767 characters: the export says which.
    let mut long = birth_registration();
    long.conditions = Some("x".repeat(40_000));
    let e = export_xlsx(&[(certification(), None), (long, None)]).unwrap_err();
    assert_eq!(e.code(), "cell_too_long");
    assert!(e.to_string().contains("row 3, column conditions"), "{e}");
    // Not UTF-8 (a legacy Windows code page).
    let es = errs(import_csv(b"M\xe3 th\xf1 t\xf5c (code)\r\n"));
    assert_eq!(places(&es), vec![(0, "", "not_utf8")]);
}

#[test]
fn too_many_rows_are_refused() {
    let mut text = String::from("Mã thủ tục (code)\r\n");
    for i in 0..=motcua_documents::catalog_table::MAX_ROWS {
        text.push_str(&format!("1.{i:06}\r\n"));
    }
    assert_eq!(errs(import_csv(text.as_bytes()))[0].code, "too_many_rows");
}
