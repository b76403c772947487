//! Every form renders from its sample data to a PDF with its fonts embedded; a
//! template that does not compile is a typed error naming the file, line and column; an
//! override folder replaces a template of the same name. (`crates/cli/tests/it/documents.rs`
//! reads the app's forms back with poppler and zbar.)

use motcua_pdf::{Form, RenderError, Renderer, sample};

const QR: &str = "https://motcua.example.vn/xac-thuc/d1?ho-so=000.00.31.H40-260302-0001";

#[test]
fn every_form_renders_to_pdf() {
    let r = Renderer::new(None);
    for form in Form::ALL {
        let pdf = r.render(&sample::sample(form), QR).unwrap_or_else(|e| panic!("form {}: {e}", form.number()));
        assert!(pdf.starts_with(b"%PDF-"), "form {}", form.number());
        let text = String::from_utf8_lossy(&pdf);
        // The fonts are embedded (TrueType font file streams).
        assert!(text.contains("FontFile2"), "form {}: embedded TrueType", form.number());
        // The same input gives the same bytes (no clock, no random ids).
        assert_eq!(r.render(&sample::sample(form), QR).unwrap(), pdf, "form {} is deterministic", form.number());
    }
}

#[test]
fn a_broken_override_is_a_typed_error_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mau-03.typ"), "#import \"common.typ\": *\n\n#data.nothing_here\n").unwrap();
    let r = Renderer::new(Some(dir.path().to_path_buf()));
    match r.render(&sample::sample(Form::Refusal), QR) {
        Err(RenderError::Template { template, diagnostics }) => {
            assert_eq!(template, "mau-03.typ");
            assert!(diagnostics.iter().any(|d| d.starts_with("mau-03.typ:3:") && d.contains("nothing_here")), "{diagnostics:?}");
        }
        other => panic!("expected a template error, got {other:?}"),
    }
    // The other forms still use the built-in templates.
    assert!(r.render(&sample::sample(Form::Receipt), QR).is_ok());
    // A working override is used.
    let own = Renderer::embedded_template("mau-03.typ").unwrap().replace("#title-block()", "#title-block()\nRiêng tỉnh");
    std::fs::write(dir.path().join("mau-03.typ"), own).unwrap();
    let pdf = r.render(&sample::sample(Form::Refusal), QR).unwrap();
    assert!(pdf.len() > 1000);
}

#[test]
fn the_qr_content_must_fit() {
    let r = Renderer::new(None);
    let long = "x".repeat(5000);
    assert!(matches!(r.render(&sample::sample(Form::Receipt), &long), Err(RenderError::Qr(_))));
}

#[test]
fn the_result_document_renders_from_the_builtin_or_a_given_template() {
    let r = Renderer::new(None);
    let input = sample::sample_result();
    let pdf = r.render_result(&input, None, QR).expect("the built-in result template");
    assert!(pdf.starts_with(b"%PDF"));
    let own = "#import \"common.typ\": *\n#show: form-page\n#heading-block()\n#title-block()\nKết quả: #data.result.name\n";
    assert!(r.render_result(&input, Some(own), QR).unwrap().starts_with(b"%PDF"));
    match r.render_result(&input, Some("#data.nothing_here"), QR) {
        Err(RenderError::Template { template, diagnostics }) => {
            assert_eq!(template, "ket-qua.typ");
            assert!(diagnostics[0].starts_with("ket-qua.typ:1:"), "{diagnostics:?}");
        }
        other => panic!("a broken template must not render: {:?}", other.map(|b| b.len())),
    }
}

#[test]
fn a_report_renders_with_its_tables() {
    use motcua_pdf::{ReportInput, ReportMeta, ReportTable};
    let meta = |l: &str, v: &str| ReportMeta { label: l.into(), value: v.into() };
    let input = ReportInput {
        title: "Báo cáo Bộ chỉ số 766".into(),
        meta: vec![meta("Đơn vị", "Phường Hoa Lư"), meta("Kỳ", "Tháng 3/2026")],
        tables: vec![
            ReportTable {
                title: "Chỉ tiêu".into(),
                headers: vec!["Mã".into(), "Tên".into(), "Điểm".into()],
                rows: vec![vec!["2.1".into(), "Tiến độ giải quyết".into(), "12,5".into()]],
                wide: 1,
                numeric: vec![2],
                empty: "Không có".into(),
            },
            ReportTable {
                title: "Trống".into(),
                headers: vec!["A".into()],
                rows: vec![],
                wide: 0,
                numeric: vec![],
                empty: "Không có dữ liệu.".into(),
            },
        ],
    };
    let pdf = Renderer::new(None).render_report(&input, QR).expect("the report template");
    assert!(pdf.starts_with(b"%PDF-"));
}
