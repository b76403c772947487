//! The legal forms of a dossier as PDF (TT 03/2025/TT-VPCP Phụ lục I, forms 01–07): typst
//! templates (`templates/*.typ`, overridable by a file of the same name in a folder given
//! by configuration), fonts embedded from this crate (never scanned from the system) and a
//! QR code at the top left of every form (TT 01/2023).
//!
//! Pure: a render reads nothing but the override folder. The caller assembles the fields
//! (`FormInput`), chooses the QR's content and stores the bytes.

pub mod code128;
#[doc(hidden)]
pub mod sample;
mod world;

use serde::Serialize;
use std::path::PathBuf;
use typst::WorldExt;
use typst::diag::Severity;
use typst::foundations::Bytes;
use typst::syntax::Source;
use typst_layout::PagedDocument;

/// The forms of TT 03/2025 Phụ lục I (their names: `motcua_domain::dossier::forms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Form {
    #[serde(rename = "01")]
    Receipt,
    #[serde(rename = "02")]
    Supplement,
    #[serde(rename = "03")]
    Refusal,
    #[serde(rename = "04")]
    Extension,
    #[serde(rename = "05")]
    Stop,
    #[serde(rename = "06")]
    ControlSlip,
    #[serde(rename = "07")]
    Register,
}

impl Form {
    pub const ALL: [Form; 7] =
        [Form::Receipt, Form::Supplement, Form::Refusal, Form::Extension, Form::Stop, Form::ControlSlip, Form::Register];

    /// The form's number in TT 03/2025 Phụ lục I ("01" … "07").
    pub fn number(self) -> &'static str {
        match self {
            Form::Receipt => "01",
            Form::Supplement => "02",
            Form::Refusal => "03",
            Form::Extension => "04",
            Form::Stop => "05",
            Form::ControlSlip => "06",
            Form::Register => "07",
        }
    }

    pub fn from_number(n: &str) -> Option<Form> {
        Form::ALL.into_iter().find(|f| f.number() == n)
    }

    /// The form numbered `n` (1–7).
    pub fn from_index(n: u8) -> Option<Form> {
        Form::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    /// The template's file name (`mau-01.typ` …), also the override's.
    pub fn template(self) -> String {
        format!("mau-{}.typ", self.number())
    }
}

/// The heading every form shares: the issuing unit on the left, the national motto on the
/// right, then the number and symbol, the place and the date.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Header {
    /// The governing body above the unit, in capitals ("UBND TỈNH NINH BÌNH"); may be empty.
    pub parent_unit: String,
    /// The issuing unit ("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH").
    pub unit: String,
    /// Number and symbol ("Số: …"): the dossier code for forms 01 and 06.
    pub number: String,
    /// The place name before the date ("Ninh Bình").
    pub place: String,
    /// The local date, as "dd", "mm", "yyyy".
    pub day: String,
    pub month: String,
    pub year: String,
}

/// The applicant (tổ chức, cá nhân) as printed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Party {
    pub name: String,
    pub id_number: String,
    pub address: String,
    pub phone: String,
    pub email: String,
}

/// The dossier the form is about.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DossierPart {
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant: Party,
    /// Received at, as "HH giờ MM phút, ngày dd/mm/yyyy".
    pub received_at: String,
    /// The appointment for the result, same format.
    pub appointment_at: String,
    /// The legal time limit ("10 ngày làm việc").
    pub time_limit: String,
}

/// A signature block: the title above, the name below.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Signer {
    pub title: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ComponentLine {
    pub name: String,
    pub originals: u32,
    pub copies: u32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FeeLine {
    pub name: String,
    /// "50.000 đồng".
    pub amount: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SupplementLine {
    pub name: String,
    pub reason: String,
}

/// A row of the control slip (form 06).
#[derive(Debug, Clone, Default, Serialize)]
pub struct HandoverLine {
    pub step: String,
    pub giver: String,
    pub from: String,
    pub to: String,
    /// "HH giờ MM phút, ngày dd/mm/yyyy".
    pub at: String,
    /// Trước hạn / Đúng hạn / Quá hạn, or empty.
    pub result: String,
    pub note: String,
}

/// A row of the register (form 07).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RegisterLine {
    pub no: String,
    pub code: String,
    pub procedure: String,
    pub sets: String,
    pub applicant: String,
    pub address_phone: String,
    pub competent: String,
    pub received: String,
    pub appointment: String,
    pub transferred: String,
    pub result_received: String,
    pub returned: String,
    pub note: String,
}

/// What each form adds to the heading and the dossier.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "form")]
pub enum Body {
    #[serde(rename = "01")]
    Receipt {
        dossier: DossierPart,
        components: Vec<ComponentLine>,
        sets: u32,
        fees: Vec<FeeLine>,
        /// Where the result is collected.
        return_place: String,
        /// "Vào Sổ theo dõi hồ sơ, Quyển số …, Số thứ tự …".
        register_book: String,
        register_entry: String,
        /// The one-time rating code of a paper dossier; empty otherwise.
        rating_code: String,
        applicant_signer: Signer,
        officer: Signer,
    },
    #[serde(rename = "02")]
    Supplement {
        dossier: DossierPart,
        items: Vec<SupplementLine>,
        /// The sector text a second request rests on; may be empty.
        basis: String,
        /// The officer to contact.
        contact: String,
        signer: Signer,
    },
    #[serde(rename = "03")]
    Refusal { dossier: DossierPart, reasons: Vec<String>, basis: String, signer: Signer },
    #[serde(rename = "04")]
    Extension {
        dossier: DossierPart,
        reason: String,
        /// The appointment first given, and the new one.
        previous_appointment_at: String,
        new_appointment_at: String,
        signer: Signer,
    },
    #[serde(rename = "05")]
    Stop { dossier: DossierPart, reasons: Vec<String>, basis: String, financial_consequences: String, signer: Signer },
    #[serde(rename = "06")]
    ControlSlip {
        dossier: DossierPart,
        /// The agency that decides, and those that take part.
        competent: String,
        coordinating: Vec<String>,
        rows: Vec<HandoverLine>,
    },
    #[serde(rename = "07")]
    Register {
        /// "từ ngày dd/mm/yyyy đến ngày dd/mm/yyyy".
        period: String,
        rows: Vec<RegisterLine>,
        signer: Signer,
    },
}

impl Body {
    pub fn form(&self) -> Form {
        match self {
            Body::Receipt { .. } => Form::Receipt,
            Body::Supplement { .. } => Form::Supplement,
            Body::Refusal { .. } => Form::Refusal,
            Body::Extension { .. } => Form::Extension,
            Body::Stop { .. } => Form::Stop,
            Body::ControlSlip { .. } => Form::ControlSlip,
            Body::Register { .. } => Form::Register,
        }
    }
}

/// Everything a template reads (`data.json`): `data.header`, `data.title`, `data.form` and
/// the body's fields at the top level.
#[derive(Debug, Clone, Serialize)]
pub struct FormInput {
    pub header: Header,
    /// The document name printed as the title.
    pub title: String,
    #[serde(flatten)]
    pub body: Body,
}

impl FormInput {
    pub fn new(header: Header, title: &str, body: Body) -> Self {
        Self { header, title: title.to_string(), body }
    }

    pub fn form(&self) -> Form {
        self.body.form()
    }
}

/// The result of a procedure as its result document states it (`ket-qua.typ`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ResultPart {
    /// The result's name ("Giấy phép xây dựng").
    pub name: String,
    /// Its number as the agency gave it; may be empty.
    pub number: String,
    /// The official's note (printed as Article 2 when given); may be empty.
    pub note: String,
    /// "HH giờ MM phút, ngày dd/mm/yyyy".
    pub resolved_at: String,
    /// "trước hạn", "đúng hạn", "quá hạn".
    pub timeliness: String,
    /// The issuing agency's code (the filing line "Lưu: VT, …").
    pub agency_code: String,
}

/// Everything a result template reads (`data.json`): `data.header`, `data.title`,
/// `data.dossier`, `data.result`, `data.signer`.
#[derive(Debug, Clone, Serialize)]
pub struct ResultInput {
    pub header: Header,
    pub title: String,
    pub dossier: DossierPart,
    pub result: ResultPart,
    /// The leader who signs (title and name); the signature itself is digital.
    pub signer: Signer,
}

/// The built-in result template's file name (also its override's, and the name typst's
/// errors give a procedure's own template).
pub const RESULT_TEMPLATE: &str = "ket-qua.typ";

/// The report template's file name (`bao-cao.typ`, overridable like the forms).
pub const REPORT_TEMPLATE: &str = "bao-cao.typ";

/// The receipt template's file name (`bien-lai.typ`, overridable like the forms).
pub const RECEIPT_TEMPLATE: &str = "bien-lai.typ";

/// One item of a receipt, as printed.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptLine {
    pub name: String,
    pub amount: String,
}

/// Everything the receipt template reads (`data.json`): the electronic receipt of a
/// dossier's fees (biên lai điện tử, issue #17).
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptInput {
    pub unit: String,
    pub symbol: String,
    /// Zero-padded, e.g. `0000123`.
    pub number: String,
    pub issued_at: String,
    pub payer: String,
    pub dossier_code: String,
    pub procedure: String,
    pub items: Vec<ReceiptLine>,
    pub total: String,
    pub total_words: String,
    pub method: String,
    pub gateway_txn: String,
    pub verify_url: String,
}

/// A label and its value, one line under a report's title.
#[derive(Debug, Clone, Serialize)]
pub struct ReportMeta {
    pub label: String,
    pub value: String,
}

/// One table of a report: every cell as printed.
#[derive(Debug, Clone, Serialize)]
pub struct ReportTable {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The column that takes the remaining width (a name).
    pub wide: usize,
    /// The right-aligned (number) columns.
    pub numeric: Vec<usize>,
    /// Printed instead of an empty table.
    pub empty: String,
}

/// Everything the report template reads (`data.json`): a printable summary of figures
/// (issue #16), not a legal form.
#[derive(Debug, Clone, Serialize)]
pub struct ReportInput {
    pub title: String,
    pub meta: Vec<ReportMeta>,
    pub tables: Vec<ReportTable>,
}

/// The postal documents' template (`buu-chinh.typ`, overridable like the forms).
pub const POSTAL_TEMPLATE: &str = "buu-chinh.typ";

/// Which postal document (QĐ 45/2016).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PostalKind {
    /// The slip handing the result over to the post (A4), signed by both sides.
    Slip,
    /// The address label (100 × 150 mm) with the tracking number's Code 128 barcode.
    Label,
}

/// What the postal template reads (`data.json`); `barcode` is filled in by the renderer.
#[derive(Debug, Clone, Serialize)]
pub struct PostalInput {
    pub kind: PostalKind,
    pub title: String,
    /// The sending one-stop unit and its address.
    pub unit: String,
    pub unit_address: String,
    pub dossier_code: String,
    pub procedure: String,
    /// What is handed over, one line each.
    pub items: Vec<String>,
    pub recipient: String,
    pub phone: String,
    /// Street, commune or ward, province.
    pub address: String,
    pub tracking_number: String,
    pub carrier: String,
    /// The postal fee as printed ("32.000 đồng").
    pub fee: String,
    /// When it was handed over, as printed.
    pub date: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The template (embedded or overridden) does not compile: typst's diagnostics, each
    /// "file:line:column: message".
    #[error("template {template}: {}", diagnostics.join("; "))]
    Template { template: String, diagnostics: Vec<String> },
    /// The override folder could not be read.
    #[error("template {template}: {message}")]
    Read { template: String, message: String },
    #[error("PDF export: {0}")]
    Export(String),
    /// The QR content does not fit a QR code (about 2 KB).
    #[error("QR code: {0}")]
    Qr(String),
    #[error("render panicked: {0}")]
    Panic(String),
}

/// Renders forms. Cheap to share: fonts and the library are built once per process.
#[derive(Debug, Clone, Default)]
pub struct Renderer {
    /// A folder whose `<name>.typ` files replace the embedded templates of the same name.
    override_dir: Option<PathBuf>,
}

/// How many renders a cached layout survives (typst memoizes across compilations; without
/// eviction the cache only grows).
const CACHE_MAX_AGE: usize = 8;

impl Renderer {
    pub fn new(override_dir: Option<PathBuf>) -> Self {
        Self { override_dir }
    }

    /// The embedded template named `name` (`common.typ`, `mau-01.typ` …), to copy as a start
    /// for an override.
    pub fn embedded_template(name: &str) -> Option<&'static str> {
        world::TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
    }

    /// Renders `input` with `qr` encoded in the QR code at the top left; A4 PDF bytes.
    pub fn render(&self, input: &FormInput, qr: &str) -> Result<Vec<u8>, RenderError> {
        let input = input.clone();
        let qr = qr.to_string();
        let this = self.clone();
        catch(move || this.render_inner(&input, &qr))
    }

    /// Renders a result document with `template` as its main file (a procedure's own
    /// template, see [`RESULT_TEMPLATE`]), or the built-in (or overridden) `ket-qua.typ`
    /// when `None`. The template imports `common.typ` like the forms.
    pub fn render_result(&self, input: &ResultInput, template: Option<&str>, qr: &str) -> Result<Vec<u8>, RenderError> {
        let data = serde_json::to_vec(input).map_err(|e| RenderError::Export(e.to_string()))?;
        let (main, qr) = (template.map(str::to_string), qr.to_string());
        let this = self.clone();
        catch(move || {
            let main = match main {
                Some(text) => Source::new(world::file_id(RESULT_TEMPLATE), text),
                None => this.read(RESULT_TEMPLATE)?,
            };
            this.compile(RESULT_TEMPLATE, main, data, &qr)
        })
    }

    /// Renders a report (`bao-cao.typ`), `qr` encoded in the code at its top right.
    pub fn render_report(&self, input: &ReportInput, qr: &str) -> Result<Vec<u8>, RenderError> {
        let data = serde_json::to_vec(input).map_err(|e| RenderError::Export(e.to_string()))?;
        let (qr, this) = (qr.to_string(), self.clone());
        catch(move || this.compile(REPORT_TEMPLATE, this.read(REPORT_TEMPLATE)?, data, &qr))
    }

    /// Renders an electronic receipt (`bien-lai.typ`), `qr` encoded in the code at its top right.
    pub fn render_receipt(&self, input: &ReceiptInput, qr: &str) -> Result<Vec<u8>, RenderError> {
        let data = serde_json::to_vec(input).map_err(|e| RenderError::Export(e.to_string()))?;
        let (qr, this) = (qr.to_string(), self.clone());
        catch(move || this.compile(RECEIPT_TEMPLATE, this.read(RECEIPT_TEMPLATE)?, data, &qr))
    }

    /// Renders a postal slip or label (`buu-chinh.typ`), the tracking number's Code 128
    /// barcode drawn by the template, `qr` at a corner.
    pub fn render_postal(&self, input: &PostalInput, qr: &str) -> Result<Vec<u8>, RenderError> {
        #[derive(Serialize)]
        struct Data<'a> {
            #[serde(flatten)]
            input: &'a PostalInput,
            barcode: Vec<u8>,
        }
        let barcode = code128::widths(&input.tracking_number)
            .ok_or_else(|| RenderError::Export(format!("tracking number {:?} is not Code 128 B", input.tracking_number)))?;
        let data = serde_json::to_vec(&Data { input, barcode }).map_err(|e| RenderError::Export(e.to_string()))?;
        let (qr, this) = (qr.to_string(), self.clone());
        catch(move || this.compile(POSTAL_TEMPLATE, this.read(POSTAL_TEMPLATE)?, data, &qr))
    }

    fn read(&self, name: &str) -> Result<Source, RenderError> {
        let text = world::template_text(self.override_dir.as_ref(), name)
            .map_err(|e| RenderError::Read { template: name.to_string(), message: e.to_string() })?
            .ok_or_else(|| RenderError::Read { template: name.to_string(), message: "no such template".into() })?;
        Ok(Source::new(world::file_id(name), text))
    }

    fn render_inner(&self, input: &FormInput, qr: &str) -> Result<Vec<u8>, RenderError> {
        let template = input.form().template();
        let data = serde_json::to_vec(input).map_err(|e| RenderError::Export(e.to_string()))?;
        self.compile(&template, self.read(&template)?, data, qr)
    }

    fn compile(&self, template: &str, main: Source, data: Vec<u8>, qr: &str) -> Result<Vec<u8>, RenderError> {
        let template = template.to_string();
        let world = world::FormWorld {
            main,
            common: self.read("common.typ")?,
            data: Bytes::new(data),
            qr: Bytes::from_string(qr_svg(qr)?),
            shared: &world::SHARED,
        };
        let compiled = typst::compile::<PagedDocument>(&world).output;
        typst::comemo::evict(CACHE_MAX_AGE);
        let doc = compiled.map_err(|diags| RenderError::Template {
            template: template.clone(),
            diagnostics: diags.iter().filter(|d| d.severity == Severity::Error).map(|d| describe(&world, d)).collect(),
        })?;
        let options = typst_pdf::PdfOptions {
            ident: typst::foundations::Smart::Custom(format!("motcua-{template}")),
            creator: typst::foundations::Smart::Custom(Some("motcua".into())),
            ..Default::default()
        };
        typst_pdf::pdf(&doc, &options)
            .map_err(|diags| RenderError::Export(diags.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join("; ")))
    }
}

/// Runs a render, a panic inside typst becoming an error.
fn catch(f: impl FnOnce() -> Result<Vec<u8>, RenderError> + std::panic::UnwindSafe) -> Result<Vec<u8>, RenderError> {
    std::panic::catch_unwind(f).unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        Err(RenderError::Panic(msg))
    })
}

/// "mau-01.typ:12:5: unknown variable: foo".
fn describe(world: &world::FormWorld<'_>, d: &typst::diag::SourceDiagnostic) -> String {
    use typst::World;
    let at = d.span.id().and_then(|id| {
        let source = world.source(id).ok()?;
        let range = world.range(d.span)?;
        let (line, col) = source.lines().byte_to_line_column(range.start)?;
        let name = id.vpath().get_without_slash().to_string();
        Some(format!("{name}:{}:{}", line + 1, col + 1))
    });
    match at {
        Some(at) => format!("{at}: {}", d.message),
        None => d.message.to_string(),
    }
}

/// The QR code of `content` as SVG (error correction M, quiet zone included).
pub fn qr_svg(content: &str) -> Result<String, RenderError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(content.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| RenderError::Qr(e.to_string()))?;
    Ok(code.render::<svg::Color<'_>>().min_dimensions(256, 256).quiet_zone(true).build())
}
