//! Fuzz smoke targets (issue #12, "Fuzzing"): every parser that reads bytes or text from
//! outside — the catalog import (CSV, XLSX, JSON), upload type detection and the structure
//! checks of uploads (PDF, PNG, JPEG, DOCX, XLSX), dates, times,
//! sessions, time limits, yearly schedules, and the search fold — gets random and mutated
//! input and must never panic; what it refuses it refuses with a machine code and both
//! messages. Seeds are valid files, so the mutations reach deep into each parser.
//!
//! `cargo test` runs each target for a bounded number of cases (256). A longer run:
//! `MOTCUA_FUZZ_CASES=20000 cargo test --release -p motcua-documents --test fuzz`.

use motcua_documents::catalog_table::{CellError, export_csv, export_xlsx, import_csv, import_xlsx};
use motcua_documents::upload;
use motcua_domain::attachment::{FileKind, sniff};
use motcua_domain::calendar::{Schedule, Session, TimeLimit, parse_date, parse_time};
use motcua_domain::catalog::ProcedureSpec;
use motcua_domain::text::fold;
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::io::Write;
use std::sync::LazyLock;

fn cases() -> u32 {
    std::env::var("MOTCUA_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
}

fn config() -> Config {
    Config { cases: cases(), failure_persistence: None, ..Config::default() }
}

const PROCEDURE_JSON: &str = include_str!("procedure.json");

static SPEC: LazyLock<ProcedureSpec> = LazyLock::new(|| serde_json::from_str(PROCEDURE_JSON).expect("the seed procedure"));
static CSV: LazyLock<Vec<u8>> = LazyLock::new(|| export_csv(&[(SPEC.clone(), None)]));
static XLSX: LazyLock<Vec<u8>> = LazyLock::new(|| export_xlsx(&[(SPEC.clone(), None)]).expect("export the seed"));

/// A small but real DOCX: a ZIP with `[Content_Types].xml` declaring `word/document.xml`.
static DOCX: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", opts).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><Types><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>").unwrap();
    zip.start_file("word/document.xml", opts).unwrap();
    zip.write_all(b"<w:document/>").unwrap();
    zip.finish().unwrap();
    out.into_inner()
});

// Real files written by the test kit's writers (crates/testkit/src/files.rs).
const PDF: &[u8] = include_bytes!("../../testkit/fixtures/scan.pdf");
const PNG: &[u8] = include_bytes!("../../testkit/fixtures/photo.png");
/// The segments of a baseline JPEG: SOI, APP0, SOF0, SOS, scan data, EOI.
const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xC0, 0, 11, 8, 0, 8, 0, 8, 1, 1,
    0x11, 0, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 0x00, 0xFF, 0x00, 0x3F, 0xFF, 0xD9,
];
/// A PDF whose objects sit in a compressed object stream (PDF 1.5), as office suites write.
static PDF_OBJSTM: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let objects = b"1 0 << /Type /Catalog /Pages 2 0 R >> << /Type /Pages /Kids [] /Count 0 >>";
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(objects).unwrap();
    let data = z.finish().unwrap();
    let mut out = b"%PDF-1.5\n".to_vec();
    let at = out.len();
    out.extend_from_slice(
        format!("3 0 obj\n<< /Type /ObjStm /N 2 /First 8 /Filter /FlateDecode /Length {} >>\nstream\n", data.len()).as_bytes(),
    );
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let x = out.len();
    out.extend_from_slice(
        format!(
            "xref\n0 1\n0000000000 65535 f \n3 1\n{at:010} 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{x}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
});

const SCHEDULE: &str = "year,2027\nrevision,1\n\
document,pa,1234/VPCP-KGVX,2026-11-20,Phương án nghỉ lễ, Tết năm 2027\n\
off,2027-01-01,2027-01-01,holiday,pa,Tết Dương lịch\n\
off,2027-02-05,2027-02-10,holiday,pa,Tết Nguyên đán\n\
work,2027-02-20,pa,Làm bù\n";

/// One edit of a byte string: overwrite, insert, delete, truncate or duplicate a run.
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
    Repeat(usize, usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        2 => any::<usize>().prop_map(Edit::Delete),
        1 => any::<usize>().prop_map(Edit::Truncate),
        1 => (any::<usize>(), 1usize..64).prop_map(|(i, n)| Edit::Repeat(i, n)),
    ];
    prop::collection::vec(edit, 1..8)
}

fn mutate(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for e in edits {
        let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
        match *e {
            Edit::Set(i, v) if !b.is_empty() => {
                let i = at(i, b.len());
                b[i] = v;
            }
            Edit::Insert(i, v) => {
                let i = at(i, b.len() + 1);
                b.insert(i, v);
            }
            Edit::Delete(i) if !b.is_empty() => {
                let i = at(i, b.len());
                b.remove(i);
            }
            Edit::Truncate(i) => {
                let i = at(i, b.len() + 1);
                b.truncate(i);
            }
            Edit::Repeat(i, n) if !b.is_empty() => {
                let i = at(i, b.len());
                let end = (i + n).min(b.len());
                let run = b[i..end].to_vec();
                b.splice(i..i, run);
            }
            _ => {}
        }
    }
    b
}

/// A refusal says what and where, in both languages.
fn well_formed(errors: &[CellError]) -> Result<(), TestCaseError> {
    prop_assert!(!errors.is_empty(), "an error list is never empty");
    for e in errors {
        prop_assert!(!e.code.is_empty() && !e.message_vi.is_empty() && !e.message_en.is_empty(), "{e:?}");
    }
    Ok(())
}

#[test]
fn seeds_are_accepted() {
    assert_eq!(import_csv(&CSV).expect("seed CSV")[0].spec, *SPEC);
    assert_eq!(import_xlsx(&XLSX).expect("seed XLSX")[0].spec, *SPEC);
    assert!(SPEC.clone().validate().is_ok());
    assert_eq!(sniff(PDF), Some(FileKind::Pdf));
    assert_eq!(sniff(PNG), Some(FileKind::Png));
    assert_eq!(sniff(JPEG), Some(FileKind::Jpeg));
    assert_eq!(sniff(&DOCX), Some(FileKind::Docx));
    assert_eq!(sniff(&XLSX), Some(FileKind::Xlsx));
    for (seed, kind) in [
        (PDF, FileKind::Pdf),
        (PNG, FileKind::Png),
        (JPEG, FileKind::Jpeg),
        (&DOCX, FileKind::Docx),
        (&XLSX, FileKind::Xlsx),
        (&PDF_OBJSTM, FileKind::Pdf),
    ] {
        assert_eq!(upload::check(seed), Ok(kind), "{kind:?}");
    }
    assert!(Schedule::parse(SCHEDULE).is_ok());
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn catalog_csv_import_never_panics(e in edits()) {
        if let Err(errors) = import_csv(&mutate(&CSV, &e)) {
            well_formed(&errors)?;
        }
    }

    #[test]
    fn catalog_csv_import_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Err(errors) = import_csv(&bytes) {
            well_formed(&errors)?;
        }
    }

    #[test]
    fn catalog_xlsx_import_never_panics(e in edits()) {
        if let Err(errors) = import_xlsx(&mutate(&XLSX, &e)) {
            well_formed(&errors)?;
        }
    }

    #[test]
    fn catalog_json_import_never_panics(e in edits()) {
        // The JSON import reads procedures with serde, then validates each one.
        let bytes = mutate(PROCEDURE_JSON.as_bytes(), &e);
        if let Ok(spec) = serde_json::from_slice::<ProcedureSpec>(&bytes)
            && let Err(v) = spec.validate()
        {
            prop_assert!(!v.0.is_empty());
            for f in v.0 {
                prop_assert!(!f.code.is_empty() && !f.message_vi.is_empty() && !f.message_en.is_empty(), "{f:?}");
            }
        }
    }

    #[test]
    fn upload_type_detection_never_panics(seed in 0usize..5, e in edits()) {
        let seeds: [&[u8]; 5] = [PDF, PNG, JPEG, &DOCX, &XLSX];
        let bytes = mutate(seeds[seed], &e);
        if let Some(kind) = sniff(&bytes) {
            // Whatever is recognised carries its own signature.
            let head: &[u8] = match kind {
                FileKind::Pdf => b"%PDF-",
                FileKind::Jpeg => b"\xFF\xD8\xFF",
                FileKind::Png => b"\x89PNG",
                FileKind::Docx | FileKind::Xlsx => b"PK\x03\x04",
            };
            prop_assert!(bytes.starts_with(head), "{kind:?}");
        }
    }

    #[test]
    fn upload_structure_checks_never_panic(seed in 0usize..6, e in edits()) {
        let seeds: [&[u8]; 6] = [PDF, PNG, JPEG, &DOCX, &XLSX, &PDF_OBJSTM];
        let bytes = mutate(seeds[seed], &e);
        match upload::check(&bytes) {
            // What passes is what the cheap detection says it is.
            Ok(kind) => prop_assert_eq!(sniff(&bytes), Some(kind)),
            Err(r) => prop_assert!(!r.code.is_empty() && !r.message_vi.is_empty() && !r.message_en.is_empty()),
        }
    }

    #[test]
    fn upload_structure_checks_take_any_bytes(head in 0usize..5, bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        // Random bytes behind each real signature, so every validator gets garbage.
        let heads: [&[u8]; 5] = [b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xFF\xD8\xFF", b"PK\x03\x04", b""];
        let mut input = heads[head].to_vec();
        input.extend_from_slice(&bytes);
        if head == 0 {
            input.extend_from_slice(b"\nstartxref\n9\n%%EOF\n");
        }
        if let Err(r) = upload::check(&input) {
            prop_assert!(!r.code.is_empty());
        }
    }

    #[test]
    fn dates_times_sessions_and_limits_parse_or_say_why(s in "\\PC{0,24}", t in "[0-9:\\-TZ+ .]{0,24}") {
        for input in [s.as_str(), t.as_str()] {
            if let Err(e) = parse_date(input) {
                prop_assert!(!e.code().is_empty() && !e.message_vi().is_empty());
            }
            if let Err(e) = parse_time(input) {
                prop_assert!(!e.code().is_empty() && !e.message_vi().is_empty());
            }
            if let Err(e) = Session::parse(input) {
                prop_assert!(!e.code().is_empty());
            }
            if let Err(e) = input.parse::<TimeLimit>() {
                prop_assert!(!e.code().is_empty());
            }
        }
    }

    #[test]
    fn schedules_parse_or_say_why(e in edits()) {
        let bytes = mutate(SCHEDULE.as_bytes(), &e);
        let text = String::from_utf8_lossy(&bytes);
        if let Err(err) = Schedule::parse(&text) {
            prop_assert!(!err.code().is_empty() && !err.message_vi().is_empty());
        }
        if let Err(err) = Schedule::from_json(&text) {
            prop_assert!(!err.code().is_empty());
        }
    }

    #[test]
    fn search_fold_is_total_and_stable(s in "\\PC{0,64}", nul in any::<bool>()) {
        let s = if nul { format!("{s}\0{s}") } else { s };
        let f = fold(&s);
        prop_assert_eq!(fold(&f), f.clone());
        prop_assert!(!f.starts_with(' ') && !f.ends_with(' '));
    }
}
