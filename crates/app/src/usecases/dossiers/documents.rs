//! Documents that carry legal weight (issue #13): the forms of TT 03/2025/TT-VPCP Phụ lục I
//! as PDF, issued when their event happens and stored with the dossier.
//!
//! | event                                    | forms |
//! |------------------------------------------|-------|
//! | received                                 | 01 receipt and appointment, 06 control slip |
//! | supplement requested                     | 02 |
//! | refused (at reception)                   | 03 |
//! | extended (apology and new appointment)   | 04 |
//! | stopped                                  | 05 |
//!
//! The table comes from the guard table (`dossier::forms::issued`). A refusal after appraisal
//! has no numbered form (its letter is the dossier's result, uploaded by the agency), and a
//! withdrawal by the applicant issues none.
//!
//! Each form is rendered inside the event's transaction, before anything is written: its
//! bytes go to the content-addressed file store, then the event, the projection and the
//! document row are written together. A template that does not compile fails the command
//! (500 `document_render_failed`) and nothing is written: no event without its document and
//! no document without its event. Form 07 (the register) is rendered on demand.
//!
//! The data of every form is assembled here from the dossier (and the event), the
//! procedure version and the agencies; the pages and the API read the control slip and
//! the register through the same functions (`slip_entries`, `register_entries`).

use super::*;
use motcua_domain::calendar::Timeliness;
use motcua_pdf::{
    Body, ComponentLine, DossierPart, FeeLine, Form, FormInput, HandoverLine, Header, Party, RegisterLine, RenderError, Renderer,
    Signer, SupplementLine,
};
use motcua_store::files::FileStore;
use motcua_store::repo::documents::{self as docs, DocumentRecord};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What issuing documents needs: the renderer (templates overridable from
/// `<data_dir>/templates`), the file store and the public address the QR codes link to.
#[derive(Clone)]
pub struct Issuer {
    pub renderer: Renderer,
    pub files: Arc<dyn FileStore>,
    /// The public base URL (`public_url`); QR codes link to `<base>/xac-thuc/<document id>`.
    pub public_url: String,
    /// `documents.issue_on_events`: off only for load tests of the store.
    pub on_events: bool,
    /// On-demand renders (the register) at once; more wait.
    on_demand: Arc<tokio::sync::Semaphore>,
}

impl Issuer {
    pub fn new(renderer: Renderer, files: Arc<dyn FileStore>, public_url: String, on_events: bool) -> Self {
        Self { renderer, files, public_url, on_events, on_demand: Arc::new(tokio::sync::Semaphore::new(2)) }
    }
}

impl Issuer {
    /// Runs a render requested by a user (the register, a template preview) on a blocking
    /// thread, at most two at once (more wait their turn).
    pub async fn on_demand<T: Send + 'static>(&self, f: impl FnOnce(&Renderer) -> T + Send + 'static) -> Result<T, AppError> {
        let _permit = self.on_demand.clone().acquire_owned().await.map_err(|e| AppError::Internal(e.to_string()))?;
        let renderer = self.renderer.clone();
        tokio::task::spawn_blocking(move || f(&renderer)).await.map_err(|e| AppError::Internal(e.to_string()))
    }
}

/// The forms an event issues as documents (`dossier::forms::issued`, from the guard table).
pub fn forms_of(event: &Event) -> Vec<Form> {
    dossier::forms::issued(event).into_iter().filter_map(Form::from_index).collect()
}

/// The (Vietnamese, English) name of a form.
pub fn form_name(form: Form) -> (&'static str, &'static str) {
    form.number().parse().ok().and_then(dossier::forms::name).unwrap_or(("", ""))
}

/// The built-in template `name` (`common.typ`, `mau-01.typ` … `mau-07.typ`), to start an
/// override in `<data_dir>/templates` from.
pub fn builtin_template(name: &str) -> Option<&'static str> {
    Renderer::embedded_template(name)
}

/// One command's issuing: the issuer and the bytes it newly stored, so that a transaction
/// that fails after storing them takes them back (`discard_stored`).
#[derive(Clone)]
pub(super) struct Issuing {
    pub(super) issuer: Issuer,
    /// The keys that sign result documents, and the time-stamping authority if configured.
    pub(super) keys: Arc<crate::keys::Keys>,
    pub(super) tsa: Option<motcua_signing::Tsa>,
    stored: Arc<Mutex<Vec<String>>>,
}

impl Issuing {
    pub(super) fn new(ctx: &AppContext) -> Self {
        Self {
            issuer: ctx.documents.clone(),
            keys: ctx.keys.clone(),
            tsa: ctx.config.signing.tsa_url.as_deref().map(motcua_signing::Tsa::new),
            stored: Arc::default(),
        }
    }

    /// Stores `pdf` in the file store and records it in `files` (the store keeps it; a failed
    /// transaction takes it back); returns its SHA-256 and size.
    pub(super) fn store(&self, db: &mut Db, pdf: &[u8], at: i64) -> Result<(String, i64), AppError> {
        let (sha, new) = self.issuer.files.put(pdf)?;
        if new {
            self.stored.lock().unwrap_or_else(|e| e.into_inner()).push(sha.clone());
        }
        let size = pdf.len() as i64;
        repo::add_file(db, &sha, size, "application/pdf", at)?;
        Ok((sha, size))
    }

    /// After a failed transaction: removes the bytes it stored (each document's bytes are
    /// its own, its id is in the QR code, so nothing else records them).
    pub(super) fn discard_stored(&self) {
        let shas = std::mem::take(&mut *self.stored.lock().unwrap_or_else(|e| e.into_inner()));
        for sha in shas {
            let _ = self.issuer.files.discard(&sha);
        }
    }
}

/// `HH giờ MM phút, ngày dd/mm/yyyy` in Vietnam, "" when absent (the forms' wording).
pub fn form_time(ms: Option<i64>) -> String {
    ms.and_then(|m| jiff::Timestamp::from_millisecond(m).ok())
        .map(|t| dossier_datetime(t).strftime("%H giờ %M phút, ngày %d/%m/%Y").to_string())
        .unwrap_or_default()
}

fn dossier_datetime(t: jiff::Timestamp) -> jiff::civil::DateTime {
    motcua_domain::calendar::local_datetime(t)
}

/// `HH:MM dd/mm/yyyy` in Vietnam, "" when absent (the register's cells).
fn short_time(ms: Option<i64>) -> String {
    ms.map(crate::error::hanoi_time).unwrap_or_default()
}

/// The place name before the date (NĐ 30/2020): the commune's or the province's name
/// without its kind ("Hoa Lư", "Ninh Bình"), from the nearest commune or province above
/// the agency (itself included).
fn place_name(db: &mut Db, agency: &AgencyRecord) -> Result<String, AppError> {
    let mut cur = Some(agency.clone());
    while let Some(a) = cur {
        if matches!(a.kind, AgencyKind::Commune | AgencyKind::Province) {
            return Ok(bare_place(&a.name));
        }
        cur = match &a.parent_id {
            Some(p) => agencies::find(db, p)?,
            None => None,
        };
    }
    Ok(String::new())
}

/// "Ủy ban nhân dân phường Hoa Lư" → "Hoa Lư"; "Ủy ban nhân dân tỉnh Ninh Bình" → "Ninh Bình".
fn bare_place(name: &str) -> String {
    let mut rest = name.trim();
    for prefix in ["Ủy ban nhân dân ", "Uỷ ban nhân dân ", "UBND "] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    let lower = rest.to_lowercase();
    for kind in ["thành phố ", "tỉnh ", "phường ", "xã ", "đặc khu ", "thị trấn "] {
        if lower.starts_with(kind) {
            // The kinds are whole words at the start: cut as many characters as the kind has.
            return rest.chars().skip(kind.chars().count()).collect();
        }
    }
    rest.to_string()
}

/// The unit that issues a document: where the dossier is (its current step's agency, else
/// where it was received); a counter issues in its service centre's name.
pub(super) fn issuing_agency(db: &mut Db, d: &Dossier) -> Result<AgencyRecord, AppError> {
    let a = agencies::get(db, &d.current_agency().id)?;
    match (a.kind, &a.parent_id) {
        (AgencyKind::Counter, Some(p)) => Ok(agencies::get(db, p)?),
        _ => Ok(a),
    }
}

/// An agency's name as a document heading gives it: a commune acts as its People's
/// Committee ("Ủy ban nhân dân phường Hoa Lư").
pub fn official_name(a: &AgencyRecord) -> String {
    match a.kind {
        AgencyKind::Commune if !a.name.starts_with("Ủy ban") => {
            let mut chars = a.name.chars();
            let first: String = chars.next().map(|c| c.to_lowercase().collect()).unwrap_or_default();
            format!("Ủy ban nhân dân {first}{}", chars.as_str())
        }
        _ => a.name.clone(),
    }
}

/// The form heading for `agency` on the local day of `at`: the governing body above it
/// (none above a People's Committee), the unit, the number, the place and the date.
pub(super) fn header(db: &mut Db, agency: &AgencyRecord, number: String, at: i64) -> Result<Header, AppError> {
    let parent_unit = match (&agency.parent_id, agency.kind) {
        (_, AgencyKind::Commune | AgencyKind::Province) | (None, _) => String::new(),
        (Some(p), _) => agencies::find(db, p)?.map(|p| official_name(&p)).unwrap_or_default(),
    };
    let day = local_date_ms(at);
    Ok(Header {
        parent_unit,
        unit: official_name(agency),
        number,
        place: place_name(db, agency)?,
        day: format!("{:02}", day.day()),
        month: format!("{:02}", day.month()),
        year: day.year().to_string(),
    })
}

/// The symbol of a numbered form (NĐ 30/2020 style: abbreviation of the kind of document,
/// then the issuing agency's code).
fn symbol(form: Form) -> &'static str {
    match form {
        Form::Supplement => "PYCBS",
        Form::Refusal => "PTC",
        Form::Extension => "VBXL",
        Form::Stop => "TB",
        Form::Receipt | Form::ControlSlip | Form::Register => "",
    }
}

/// Number and symbol: the dossier code for the receipt and the control slip (they go with
/// the dossier, which the code names); otherwise the agency's yearly running number of the
/// form, `NN/<symbol>-<agency code>`.
fn number(db: &mut Db, form: Form, agency: &AgencyRecord, d: &Dossier, at: i64) -> Result<String, AppError> {
    match form {
        Form::Receipt | Form::ControlSlip => Ok(dossier_label(d)),
        _ => {
            let year = i64::from(local_date_ms(at).year());
            let n = docs::next_number(db, &agency.code, year, form.number())?;
            Ok(format!("{n:02}/{}-{}", symbol(form), agency.code))
        }
    }
}

/// The code, or the filing reference before reception.
pub(super) fn dossier_label(d: &Dossier) -> String {
    d.code.clone().or_else(|| d.filing_reference.clone()).unwrap_or_else(|| d.id.clone())
}

pub(super) fn dossier_part(d: &Dossier) -> DossierPart {
    let a = &d.applicant;
    DossierPart {
        code: dossier_label(d),
        procedure_code: d.procedure.code.clone(),
        procedure_name: d.procedure.name.clone(),
        applicant: Party {
            name: a.name.clone(),
            id_number: a.id_number.clone().unwrap_or_default(),
            address: a.address.clone().unwrap_or_default(),
            phone: a.phone.clone().unwrap_or_default(),
            email: a.email.clone().unwrap_or_default(),
        },
        received_at: form_time(d.received_at),
        appointment_at: form_time(d.appointment_at),
        time_limit: d.procedure.time_limit.label_vi(),
    }
}

/// What the QR code holds (TT 01/2023): the public verification page of the document, with
/// the dossier code, the procedure code and the document name (all printed on it).
pub fn verification_url(public_url: &str, document_id: &str, dossier_code: &str, procedure_code: &str, name: &str) -> String {
    use motcua_domain::text::urlencode;
    format!(
        "{}/xac-thuc/{}?ho-so={}&thu-tuc={}&giay-to={}",
        public_url.trim_end_matches('/'),
        urlencode(document_id),
        urlencode(dossier_code),
        urlencode(procedure_code),
        urlencode(name)
    )
}

/// The officer's name as signed, "" for an actor without an account (the kiosk).
pub(super) fn full_name(db: &mut Db, user_id: &str) -> Result<String, AppError> {
    match motcua_store::repo::users::get(db, user_id) {
        Ok(u) => Ok(u.full_name),
        Err(motcua_store::StoreError::NotFound) => Ok(String::new()),
        Err(e) => Err(e.into()),
    }
}

/// Names by user id, for the givers of the control slip.
fn names_of(db: &mut Db, ids: impl IntoIterator<Item = String>) -> Result<HashMap<String, String>, AppError> {
    let mut out = HashMap::new();
    for id in ids {
        if let std::collections::hash_map::Entry::Vacant(e) = out.entry(id) {
            let n = full_name(db, e.key())?;
            e.insert(n);
        }
    }
    Ok(out)
}

/// The status an error of rendering is answered with: the command is refused and nothing
/// was written.
fn render_failed(form: Form, e: &RenderError) -> AppError {
    tracing::error!(form = form.number(), error = %e, "document render failed");
    let detail = e.to_string();
    let detail: String = detail.chars().take(400).collect();
    AppError::Refused {
        http: 500,
        code: "document_render_failed",
        vi: format!(
            "Không tạo được {} (Mẫu {}): mẫu in có lỗi, thao tác chưa được ghi nhận. Báo quản trị viên kiểm tra mẫu {}. Chi tiết: {detail}",
            form_name(form).0.to_lowercase(),
            form.number(),
            form.template()
        ),
        en: format!(
            "Could not produce the {} (form {}): the template has an error, and nothing was recorded. Ask an administrator to check template {}. Detail: {detail}",
            form_name(form).1.to_lowercase(),
            form.number(),
            form.template()
        ),
    }
}

/// Issues the forms of `rec` (see `forms_of`): renders each, stores its bytes and records
/// it, inside the event's transaction. `before` is the state the event was decided on,
/// `after` the state it leads to.
pub(super) fn issue(db: &mut Db, issuing: &Issuing, before: &Dossier, after: &Dossier, rec: &Recorded) -> Result<(), AppError> {
    let forms = forms_of(&rec.event);
    if forms.is_empty() || !issuing.issuer.on_events {
        return Ok(());
    }
    let agency = issuing_agency(db, before)?;
    let actor = full_name(db, &rec.actor_id)?;
    for form in forms {
        let name = form_name(form).0;
        let id = new_id();
        let number = number(db, form, &agency, after, rec.at)?;
        let head = header(db, &agency, number.clone(), rec.at)?;
        let body = body(db, form, before, after, rec, &agency, &actor)?;
        let input = FormInput::new(head, name, body);
        let qr = verification_url(&issuing.issuer.public_url, &id, &dossier_label(after), &after.procedure.code, name);
        let pdf = issuing.issuer.renderer.render(&input, &qr).map_err(|e| render_failed(form, &e))?;
        let (sha, size) = issuing.store(db, &pdf, rec.at)?;
        docs::insert(
            db,
            &DocumentRecord {
                id,
                dossier_id: after.id.clone(),
                event_seq: rec.seq,
                form: form.number().to_string(),
                name: name.to_string(),
                number,
                agency_id: agency.id.clone(),
                sha256: sha,
                size,
                qr,
                created_at: rec.at,
                created_by: rec.actor_id.clone(),
            },
        )?;
    }
    Ok(())
}

fn signer(title: &str, name: &str) -> Signer {
    Signer { title: title.to_string(), name: name.to_string() }
}

/// The fields of `form` for the event.
fn body(
    db: &mut Db,
    form: Form,
    before: &Dossier,
    d: &Dossier,
    rec: &Recorded,
    agency: &AgencyRecord,
    actor: &str,
) -> Result<Body, AppError> {
    let dossier = dossier_part(d);
    const LEADER: &str = "Thủ trưởng cơ quan";
    Ok(match (form, &rec.event) {
        (Form::Receipt, _) => {
            let spec = catalog_repo::get_version(db, &d.procedure.code, d.procedure.version)?.map(|v| v.spec);
            let place = [Some(agency.name.clone()), agency.address.clone()].into_iter().flatten().collect::<Vec<_>>().join(", ");
            let code = d.code.clone().unwrap_or_default();
            Body::Receipt {
                // Originals and copies as counted at the counter, else as the procedure asks.
                components: d
                    .components
                    .iter()
                    .filter(|c| c.provided || c.reused)
                    .map(|c| {
                        let asked = spec.iter().flat_map(|s| &s.components).find(|s| s.key == c.key);
                        let (originals, copies) = match (c.originals, c.copies, asked) {
                            (0, 0, Some(s)) => (s.originals, s.copies),
                            (o, k, _) => (o, k),
                        };
                        ComponentLine { name: c.name.clone(), originals: originals.into(), copies: copies.into() }
                    })
                    .collect(),
                sets: spec.as_ref().map_or(1, |s| s.sets.into()),
                fees: spec
                    .iter()
                    .flat_map(|s| &s.fees)
                    .filter(|f| f.amount > 0)
                    .map(|f| FeeLine { name: f.name.clone(), amount: motcua_domain::text::money(f.amount) })
                    .collect(),
                return_place: match d.channel {
                    Channel::Online => format!("Trực tuyến (Cổng Dịch vụ công) hoặc tại {place}"),
                    Channel::Postal => format!("Qua dịch vụ bưu chính công ích, hoặc tại {place}"),
                    Channel::Counter => place,
                },
                register_book: local_date_ms(rec.at).year().to_string(),
                // The code's day and running number, unique in the agency's year.
                register_entry: code.split_once('-').map(|(_, tail)| tail.to_string()).unwrap_or(code),
                rating_code: d.rating_code.clone().unwrap_or_default(),
                applicant_signer: signer("Người nộp hồ sơ", &d.applicant.name),
                officer: signer("Người tiếp nhận hồ sơ", actor),
                dossier,
            }
        }
        (Form::ControlSlip, _) => {
            let names = names_of(db, d.handovers.iter().map(|h| h.giver_id.clone()))?;
            let competent = d.competent.as_ref().map(|c| c.name.clone()).unwrap_or_default();
            let mut coordinating: Vec<String> = Vec::new();
            for s in &d.steps {
                if s.agency.id != d.receiving.id
                    && d.competent.as_ref().is_none_or(|c| c.id != s.agency.id)
                    && !coordinating.contains(&s.agency.name)
                {
                    coordinating.push(s.agency.name.clone());
                }
            }
            let rows = slip_entries(d, &names)
                .into_iter()
                .map(|e| HandoverLine {
                    step: e.step.unwrap_or_else(|| "Tiếp nhận hồ sơ".into()),
                    giver: e.giver,
                    from: e.from,
                    to: e.to,
                    at: form_time(Some(e.at)),
                    result: e.timeliness.map(|t| t.label_vi().to_string()).unwrap_or_default(),
                    note: e.note,
                })
                .collect();
            Body::ControlSlip { dossier, competent, coordinating, rows }
        }
        (Form::Supplement, Event::SupplementRequested { items, basis }) => {
            let contact = [Some(actor.to_string()).filter(|s| !s.is_empty()), Some(agency.name.clone()), agency.phone.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            Body::Supplement {
                dossier,
                items: items.iter().map(|i| SupplementLine { name: i.name.clone(), reason: i.reason.clone() }).collect(),
                basis: basis.clone().unwrap_or_default(),
                contact,
                signer: signer("Người hướng dẫn", actor),
            }
        }
        (Form::Refusal, Event::Refused { reasons }) => Body::Refusal {
            dossier,
            reasons: reasons.clone(),
            basis: String::new(),
            signer: signer("Người tiếp nhận hồ sơ", actor),
        },
        (Form::Extension, Event::Extended { reason, appointment_at }) => Body::Extension {
            dossier,
            reason: reason.clone(),
            previous_appointment_at: form_time(before.appointment_at),
            new_appointment_at: form_time(Some(*appointment_at)),
            signer: signer(LEADER, actor),
        },
        (Form::Stop, Event::Stopped { reason, basis, financial_consequences, .. }) => Body::Stop {
            dossier,
            reasons: vec![reason.clone()],
            basis: basis.clone().unwrap_or_default(),
            financial_consequences: financial_consequences.clone().unwrap_or_default(),
            signer: signer(LEADER, actor),
        },
        (form, event) => {
            return Err(AppError::Internal(format!("form {} is not issued by event {}", form.number(), event.kind())));
        }
    })
}

/// A row of the control slip (form 06): a hand-over with giver, receiver, time and the
/// result of the step handed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlipEntry {
    /// The step handed over; none for the reception.
    pub step: Option<String>,
    /// The giver's name (their id when unknown).
    pub giver: String,
    pub giver_id: String,
    pub from: String,
    /// As recorded (absent for the reception row).
    pub from_agency: Option<String>,
    pub to: String,
    /// The receiving step and its role; none when the dossier goes back to the one-stop unit.
    pub to_step: Option<(String, motcua_domain::user::Role)>,
    pub at: i64,
    pub timeliness: Option<Timeliness>,
    pub note: String,
}

/// The control slip's rows, for the page, the API and form 06.
pub fn slip_entries(d: &Dossier, names: &HashMap<String, String>) -> Vec<SlipEntry> {
    d.handovers
        .iter()
        .map(|h| SlipEntry {
            step: h.from_step.and_then(|i| d.steps.get(i)).map(|s| s.name.clone()),
            giver: names.get(&h.giver_id).filter(|n| !n.is_empty()).cloned().unwrap_or_else(|| h.giver_id.clone()),
            giver_id: h.giver_id.clone(),
            from: h.from_agency.clone().unwrap_or_else(|| d.receiving.name.clone()),
            from_agency: h.from_agency.clone(),
            to: h.to_agency.clone(),
            to_step: if h.from_step == Some(h.to_step) { None } else { d.steps.get(h.to_step).map(|s| (s.name.clone(), s.role)) },
            at: h.at,
            timeliness: h.step_timeliness,
            note: h.note.clone().unwrap_or_default(),
        })
        .collect()
}

/// A row of the register (form 07).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    pub dossier_id: String,
    pub no: usize,
    pub code: Option<String>,
    pub procedure: String,
    /// Number of sets (số bộ) of the procedure version.
    pub sets: u8,
    pub applicant: String,
    pub address_phone: String,
    pub competent: Option<String>,
    pub received_at: Option<i64>,
    pub appointment_at: Option<i64>,
    /// Handed from reception to the first processing step.
    pub transferred_at: Option<i64>,
    pub result_at: Option<i64>,
    pub returned_at: Option<i64>,
    pub status: Status,
    /// The extension's reason, if any.
    pub extension: Option<String>,
}

/// The register over a period (see `register_as`), a row per dossier with the number of
/// sets of its procedure version; recorded in the access log as `kind`.
pub async fn register_entries(
    ctx: &AppContext,
    current: &CurrentUser,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
    kind: crate::access::AccessKind,
) -> Result<Vec<RegisterEntry>, AppError> {
    let ds = reads::register_as(ctx, current, from, to, kind).await?;
    let mut versions: Vec<(String, i64)> = ds.iter().map(|d| (d.procedure.code.clone(), d.procedure.version)).collect();
    versions.sort();
    versions.dedup();
    let sets: HashMap<(String, i64), u8> = ctx
        .store
        .read(move |db| {
            let mut out = HashMap::new();
            for (code, version) in versions {
                let n = catalog_repo::get_version(db, &code, version)?.map_or(1, |v| v.spec.sets);
                out.insert((code, version), n);
            }
            Ok::<_, AppError>(out)
        })
        .await?;
    Ok(ds
        .into_iter()
        .enumerate()
        .map(|(i, d)| RegisterEntry {
            no: i + 1,
            sets: sets.get(&(d.procedure.code.clone(), d.procedure.version)).copied().unwrap_or(1),
            code: d.code.clone(),
            procedure: d.procedure.name.clone(),
            applicant: d.applicant.name.clone(),
            address_phone: [d.applicant.address.clone(), d.applicant.phone.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" – "),
            competent: d.competent.as_ref().map(|c| c.name.clone()),
            received_at: d.received_at,
            appointment_at: d.appointment_at,
            transferred_at: d.handovers.iter().find(|h| h.from_step == Some(0)).map(|h| h.at),
            result_at: d.result.as_ref().map(|r| r.at),
            returned_at: d.returned.as_ref().map(|r| r.at),
            status: d.status,
            extension: d.extension.as_ref().map(|e| e.reason.clone()),
            dossier_id: d.id,
        })
        .collect())
}

/// Most rows in a register PDF (about 100 landscape pages); a longer period is refused.
pub const MAX_REGISTER_PDF_ROWS: usize = 2000;

/// The register over a period as form 07 (rendered on demand, not stored), issued in the
/// name of the reader's first agency.
pub async fn register_pdf(
    ctx: &AppContext,
    current: &CurrentUser,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<Vec<u8>, AppError> {
    let entries = register_entries(ctx, current, from, to, crate::access::AccessKind::RegisterExport).await?;
    if entries.len() > MAX_REGISTER_PDF_ROWS {
        return Err(AppError::Refused {
            http: 422,
            code: "register_too_long",
            vi: format!(
                "Sổ theo dõi có {} hồ sơ, quá {MAX_REGISTER_PDF_ROWS} hồ sơ của một bản in; hãy chọn khoảng thời gian ngắn hơn.",
                entries.len()
            ),
            en: format!(
                "The register holds {} dossiers, more than {MAX_REGISTER_PDF_ROWS} per print; choose a shorter period.",
                entries.len()
            ),
        });
    }
    let agency_id = current.principal.memberships.first().map(|m| m.agency_id.clone());
    let (now, name) = (ctx.clock.now_ms(), full_name_of(ctx, &current.user.id).await?);
    let head = ctx
        .store
        .read(move |db| {
            let agency = match agency_id {
                Some(id) => agencies::get(db, &id)?,
                None => return Ok::<_, AppError>(Header::default()),
            };
            let agency = match (agency.kind, &agency.parent_id) {
                (AgencyKind::Counter, Some(p)) => agencies::get(db, p)?,
                _ => agency,
            };
            header(db, &agency, String::new(), now)
        })
        .await?;
    let day = |d: jiff::civil::Date| d.strftime("%d/%m/%Y").to_string();
    let rows = entries
        .iter()
        .map(|e| RegisterLine {
            no: e.no.to_string(),
            code: e.code.clone().unwrap_or_default(),
            procedure: e.procedure.clone(),
            sets: e.sets.to_string(),
            applicant: e.applicant.clone(),
            address_phone: e.address_phone.clone(),
            competent: e.competent.clone().unwrap_or_default(),
            received: short_time(e.received_at),
            appointment: short_time(e.appointment_at),
            transferred: short_time(e.transferred_at),
            result_received: short_time(e.result_at),
            returned: short_time(e.returned_at),
            note: [Some(e.status.label_vi().to_string()), e.extension.as_ref().map(|r| format!("Gia hạn: {r}"))]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("; "),
        })
        .collect();
    let input = FormInput::new(
        head,
        form_name(Form::Register).0,
        Body::Register {
            period: format!("Từ ngày {} đến ngày {}", day(from), day(to)),
            rows,
            signer: signer("Người lập sổ", &name),
        },
    );
    // The register has no stored document to verify: its QR code links to the register page.
    let qr = format!("{}/can-bo/so-theo-doi?from={from}&to={to}", ctx.documents.public_url.trim_end_matches('/'));
    ctx.documents.on_demand(move |r| r.render(&input, &qr)).await?.map_err(|e| render_failed(Form::Register, &e))
}

async fn full_name_of(ctx: &AppContext, user_id: &str) -> Result<String, AppError> {
    let id = user_id.to_string();
    ctx.store.read(move |db| full_name(db, &id)).await
}

/// A document of the dossier as listed: no bytes.
pub type Document = DocumentRecord;

/// The documents issued for a dossier that `current` may read (the same check as reading
/// the dossier), oldest first.
pub async fn documents(ctx: &AppContext, current: &CurrentUser, id: &str) -> Result<Vec<Document>, AppError> {
    let (current, id) = (current.clone(), id.to_string());
    ctx.store
        .read(move |db| {
            let d = load_visible(db, &current, &id)?;
            Ok(docs::list(db, &d.id)?)
        })
        .await
}

/// One document and its bytes, for download by whoever may read the dossier.
pub async fn document(
    ctx: &AppContext,
    current: &CurrentUser,
    id: &str,
    document_id: &str,
) -> Result<(Document, Vec<u8>), AppError> {
    let (cur, id2, doc_id) = (current.clone(), id.to_string(), document_id.to_string());
    let (d, doc) = ctx
        .store
        .read(move |db| {
            let d = load_visible(db, &cur, &id2)?;
            let doc = docs::get(db, &d.id, &doc_id)?.ok_or(AppError::not_found("document"))?;
            Ok::<_, AppError>((d, doc))
        })
        .await?;
    crate::access::dossier_read(
        ctx,
        current,
        crate::access::AccessKind::DocumentRead,
        &d.id,
        &d.receiving.path,
        Some(doc.name.clone()),
    );
    let files = ctx.files.clone();
    let sha = doc.sha256.clone();
    let bytes = tokio::task::spawn_blocking(move || files.get(&sha)).await.map_err(|e| AppError::Internal(e.to_string()))??;
    Ok((doc, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_lose_their_kind() {
        assert_eq!(bare_place("Ủy ban nhân dân phường Hoa Lư"), "Hoa Lư");
        assert_eq!(bare_place("Ủy ban nhân dân tỉnh Ninh Bình"), "Ninh Bình");
        assert_eq!(bare_place("Phường Tam Điệp"), "Tam Điệp");
        assert_eq!(bare_place("Xã Gia Viễn"), "Gia Viễn");
        assert_eq!(bare_place("Thành phố Hà Nội"), "Hà Nội");
        assert_eq!(bare_place("Côn Đảo"), "Côn Đảo");
    }

    #[test]
    fn the_qr_holds_the_verification_address() {
        let url = verification_url("https://dvc.example.vn/", "d1", "000.01.31.H40-260302-0001", "1.004873", "Phiếu từ chối");
        assert_eq!(
            url,
            "https://dvc.example.vn/xac-thuc/d1?ho-so=000.01.31.H40-260302-0001&thu-tuc=1.004873&giay-to=Phi%E1%BA%BFu+t%E1%BB%AB+ch%E1%BB%91i"
        );
    }
}
