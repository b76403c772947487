//! The counter: the reception screen (`/can-bo/tiep-nhan`), the receipt it prints (form 01)
//! and the applicant-facing second screen (`/man-hinh/quay/{agency_id}`).
//!
//! The second screen mirrors what the officer enters, so the applicant can check their name,
//! the procedure and the components ticked, then the code and appointment once received.
//! `CounterHub` is a small in-memory pub/sub, one tokio broadcast channel per counter; the
//! reception page's `/assets/counter.js` posts the draft as the officer types, the reception
//! itself publishes the result, and the screen listens over server-sent events. Without
//! JavaScript the screen reloads itself every few seconds and shows the last state.

use super::form::{FormFields, error_page, field_error, invalid_attrs, page, see_other};
use super::officer::{
    INBOX, Upload, fid, is_reception_officer, limit_label, officer_page, other_lang, read_multipart, with_lang,
};
use super::session::{PageUser, csrf_input, lang_of};
use super::{Lang, esc};
use crate::error::ApiError;
use crate::extract::Auth;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use motcua_app::auth::CurrentUser;
use motcua_app::error::hanoi_time;
use motcua_app::usecases::catalog::{self, CatalogQuery};
use motcua_app::usecases::dossiers::{self as uc, ApplicantInput, ComponentInput, NewDossier};
use motcua_app::{AppContext, AppError};
use motcua_domain::catalog::ProcedureSpec;
use motcua_domain::dossier::Dossier;
use motcua_domain::error::FieldError;
use motcua_domain::user::Role;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

const RECEPTION: &str = "/can-bo/tiep-nhan";
const FORM: &str = "r";

// ---------------------------------------------------------------------------------------
// The hub

/// What the second screen shows.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ScreenState {
    /// `idle`, `draft` (being entered) or `received`.
    pub stage: String,
    pub procedure: String,
    pub applicant: String,
    pub components: Vec<String>,
    pub code: Option<String>,
    pub appointment: Option<String>,
}

struct Slot {
    tx: broadcast::Sender<String>,
    last: Option<ScreenState>,
}

/// One broadcast channel per counter, with the last state for screens that join late.
#[derive(Clone, Default)]
pub struct CounterHub {
    slots: Arc<Mutex<HashMap<String, Slot>>>,
}

impl CounterHub {
    fn with_slot<T>(&self, counter: &str, f: impl FnOnce(&mut Slot) -> T) -> T {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let slot = slots.entry(counter.to_string()).or_insert_with(|| Slot { tx: broadcast::channel(32).0, last: None });
        f(slot)
    }

    pub fn publish(&self, counter: &str, state: ScreenState) {
        let json = serde_json::to_string(&state).unwrap_or_default();
        self.with_slot(counter, |s| {
            s.last = Some(state);
            // No screen listening is fine.
            let _ = s.tx.send(json);
        });
    }

    pub fn last(&self, counter: &str) -> Option<ScreenState> {
        self.with_slot(counter, |s| s.last.clone())
    }

    fn subscribe(&self, counter: &str) -> (Option<ScreenState>, broadcast::Receiver<String>) {
        self.with_slot(counter, |s| (s.last.clone(), s.tx.subscribe()))
    }
}

/// The counter the officer works at (their reception-officer membership).
fn counter_of(user: &CurrentUser) -> Option<(String, String)> {
    user.memberships.iter().find(|m| m.role == Role::ReceptionOfficer).map(|m| (m.agency_id.clone(), m.agency_name.clone()))
}

fn serves_counter(user: &CurrentUser, agency_id: &str) -> bool {
    user.memberships.iter().any(|m| m.role == Role::ReceptionOfficer && m.agency_id == agency_id)
}

fn received_state(d: &Dossier) -> ScreenState {
    ScreenState {
        stage: "received".into(),
        procedure: d.procedure.name.clone(),
        applicant: d.applicant.name.clone(),
        components: d.components.iter().filter(|c| c.provided).map(|c| c.name.clone()).collect(),
        code: d.code.clone(),
        appointment: d.appointment_at.map(hanoi_time),
    }
}

// ---------------------------------------------------------------------------------------
// Reception screen

#[derive(Deserialize)]
pub struct ReceptionParams {
    q: Option<String>,
    thu_tuc: Option<String>,
}

fn refuse_non_reception(lang: Lang, user: &CurrentUser) -> Option<Response> {
    (!is_reception_officer(user)).then(|| error_page(lang, AppError::Forbidden))
}

/// `GET /can-bo/tiep-nhan`: pick the procedure (search), then the reception form.
pub async fn reception(
    State(ctx): State<AppContext>,
    PageUser(user): PageUser,
    uri: Uri,
    Query(p): Query<ReceptionParams>,
) -> Response {
    let lang = lang_of(&uri);
    if let Some(r) = refuse_non_reception(lang, &user) {
        return r;
    }
    if let Some(code) = p.thu_tuc.as_deref().filter(|c| !c.trim().is_empty()) {
        return reception_form(&ctx, lang, &user, code, StatusCode::OK, &FormFields::default(), &[]).await;
    }
    let q = p.q.clone().unwrap_or_default();
    let title = lang.t("Tiếp nhận hồ sơ tại quầy", "Counter reception");
    let mut body = format!(
        r#"<h1>{title}</h1>{screen}<form class="search" method="get" action="{RECEPTION}" role="search">{lh}<div class="field wide"><label for="q">{ql}</label><input id="q" name="q" type="search" value="{qv}" autofocus></div><button type="submit">{go}</button></form>"#,
        screen = screen_link(lang, &user),
        lh = if lang == Lang::En { r#"<input type="hidden" name="lang" value="en">"# } else { "" },
        ql = lang.t("Tìm thủ tục (tên hoặc mã, có dấu hoặc không dấu)", "Find the procedure (name or code)"),
        qv = esc(&q),
        go = lang.t("Tìm", "Search"),
    );
    if !q.trim().is_empty() {
        let query = CatalogQuery { q: Some(q.clone()), at_ms: Some(ctx.clock.now_ms()), limit: 20, ..Default::default() };
        match catalog::search(&ctx, query).await {
            Ok((items, _)) if items.is_empty() => {
                let _ = write!(body, "<p>{}</p>", lang.t("Không tìm thấy thủ tục.", "No procedure found."));
            }
            Ok((items, _)) => {
                body.push_str(r#"<ul class="results">"#);
                for s in items {
                    let href = with_lang(lang, &format!("{RECEPTION}?thu_tuc={}", super::catalog::urlencode(&s.code)));
                    let _ = write!(
                        body,
                        r#"<li><a href="{}">{}</a><br><span class="meta">{} · {}</span></li>"#,
                        esc(&href),
                        esc(&s.name),
                        esc(&s.code),
                        esc(&s.sector_name)
                    );
                }
                body.push_str("</ul>");
            }
            Err(e) => return error_page(lang, e),
        }
    }
    officer_page(StatusCode::OK, lang, &user, RECEPTION, title, &other_lang(lang, RECEPTION), &[], &body)
}

fn screen_link(lang: Lang, user: &CurrentUser) -> String {
    counter_of(user).map_or(String::new(), |(id, name)| {
        format!(
            r#"<p class="meta">{} <strong>{}</strong> · <a href="{}" target="_blank" rel="noopener">{}</a></p>"#,
            lang.t("Quầy:", "Counter:"),
            esc(&name),
            with_lang(lang, &format!("/man-hinh/quay/{id}")),
            lang.t("Mở màn hình cho người nộp (mở trong cửa sổ mới)", "Open the applicant's screen (opens a new window)")
        )
    })
}

fn val(f: &FormFields, name: &str, default: &str) -> String {
    esc(f.get(name).unwrap_or(default))
}

fn input(lang: Lang, f: &FormFields, errors: &[FieldError], name: &str, label: &str, kind: &str, extra: &str) -> String {
    let id = fid(FORM, name);
    format!(
        r#"<div class="field">{err}<label for="{id}">{label}</label><input id="{id}" name="{name}" type="{kind}" value="{v}"{a}{extra}></div>"#,
        err = field_error(lang, errors, &id),
        label = esc(label),
        v = val(f, name, ""),
        a = invalid_attrs(errors, &id),
    )
}

/// The reception form for a procedure, empty or as typed with its errors.
async fn reception_form(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    code: &str,
    status: StatusCode,
    f: &FormFields,
    errors: &[FieldError],
) -> Response {
    let v = match catalog::in_force(ctx, code, ctx.clock.now_ms()).await {
        Ok(Some(v)) => v,
        Ok(None) => return error_page(lang, AppError::not_found("procedure")),
        Err(e) => return error_page(lang, e),
    };
    let spec: &ProcedureSpec = &v.spec;
    let typed = !f.0.is_empty();
    let title = lang.t("Tiếp nhận hồ sơ tại quầy", "Counter reception");
    let screen = counter_of(user).map(|(id, _)| format!("/man-hinh/quay/{id}/ban-nhap")).unwrap_or_default();
    let kinds = [
        ("citizen", lang.t("Công dân", "Citizen")),
        ("business", lang.t("Doanh nghiệp", "Business")),
        ("household_business", lang.t("Hộ kinh doanh", "Household business")),
        ("organisation", lang.t("Tổ chức", "Organisation")),
        ("foreigner", lang.t("Người nước ngoài", "Foreigner")),
    ];
    let mut kind_opts = String::new();
    for (k, l) in kinds {
        let sel = if f.get("applicant.kind") == Some(k) { " selected" } else { "" };
        let _ = write!(kind_opts, r#"<option value="{k}"{sel}>{}</option>"#, esc(l));
    }
    let channel = f.get("channel").unwrap_or("counter");
    let mut rows = String::new();
    for c in &spec.components {
        let k = &c.key;
        let pname = format!("provided.{k}");
        let pid = fid(FORM, &pname);
        let (oid, cid, did, sid) = (
            fid(FORM, &format!("originals.{k}")),
            fid(FORM, &format!("copies.{k}")),
            fid(FORM, &format!("digitized.{k}")),
            fid(FORM, &format!("scan.{k}")),
        );
        let (ol, cl, sl) = (
            format!("{}: {}", lang.t("Số bản chính", "Originals"), c.name),
            format!("{}: {}", lang.t("Số bản sao", "Copies"), c.name),
            format!("{}: {}", lang.t("Bản quét", "Scan"), c.name),
        );
        let _ = write!(
            rows,
            r#"<tr><td>{err}<div class="check"><input type="checkbox" id="{pid}" name="{pname}" data-component="{name}"{pc}{pa}><label for="{pid}">{name}{req}</label></div></td>
<td><label class="vh" for="{oid}">{ol}</label><input class="num" id="{oid}" name="originals.{k}" type="number" min="0" max="50" inputmode="numeric" value="{ov}"></td>
<td><label class="vh" for="{cid}">{cl}</label><input class="num" id="{cid}" name="copies.{k}" type="number" min="0" max="50" inputmode="numeric" value="{cv}"></td>
<td><div class="check"><input type="checkbox" id="{did}" name="digitized.{k}"{dc}><label for="{did}">{dl}</label></div></td>
<td><label class="vh" for="{sid}">{sl}</label><input id="{sid}" name="scan.{k}" type="file" accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"></td></tr>"#,
            err = field_error(lang, errors, &pid),
            name = esc(&c.name),
            pc = if typed && f.checked(&pname) { " checked" } else { "" },
            pa = invalid_attrs(errors, &pid),
            req = if c.required {
                format!(" <span class=\"meta\">({})</span>", lang.t("bắt buộc", "required"))
            } else {
                String::new()
            },
            ol = esc(&ol),
            ov = val(f, &format!("originals.{k}"), &c.originals.to_string()),
            cl = esc(&cl),
            cv = val(f, &format!("copies.{k}"), &c.copies.to_string()),
            dc = if typed && f.checked(&format!("digitized.{k}")) { " checked" } else { "" },
            dl = lang.t("Số hóa", "Digitized"),
            sl = esc(&sl),
        );
    }
    let mut body = format!(
        r#"<p class="crumbs"><a href="{back}">{bl}</a></p><h1>{title}</h1>{screen_link}
<h2 id="{FORM}-procedure">{proc} <span class="meta">({code})</span></h2><p>{tl}: {limit}</p>
<form id="reception" class="stack" method="post" action="{RECEPTION}{lq}" enctype="multipart/form-data" novalidate data-screen="{screen}" data-procedure="{proc}">
{csrf}<input type="hidden" name="procedure_code" value="{code}"><input type="hidden" name="idem" value="{idem}">
<fieldset><legend>{la}</legend>
<div class="field"><label for="{FORM}-applicant-kind">{lk}</label><select id="{FORM}-applicant-kind" name="applicant.kind">{kind_opts}</select></div>
{name}{idn}{phone}{email}{addr}</fieldset>
{summary}
<fieldset class="inline"><legend>{lc}</legend>
<div class="check"><input type="radio" id="{FORM}-channel-counter" name="channel" value="counter"{cc}><label for="{FORM}-channel-counter">{lcc}</label></div>
<div class="check"><input type="radio" id="{FORM}-channel-postal" name="channel" value="postal"{cp}><label for="{FORM}-channel-postal">{lcp}</label></div></fieldset>
<fieldset><legend>{lcomp}</legend><div class="scroll"><table class="grid checklist"><thead><tr><th scope="col">{h1}</th><th scope="col">{h2}</th><th scope="col">{h3}</th><th scope="col">{h4}</th><th scope="col">{h5}</th></tr></thead><tbody>{rows}</tbody></table></div></fieldset>
<div><button type="submit">{go}</button></div></form><script src="/assets/counter.js"></script>"#,
        back = with_lang(lang, RECEPTION),
        bl = lang.t("← Chọn thủ tục khác", "← Choose another procedure"),
        screen_link = screen_link(lang, user),
        proc = esc(&spec.name),
        code = esc(&v.code),
        tl = lang.t("Thời hạn giải quyết", "Legal time limit"),
        limit = esc(&limit_label(lang, spec.time_limit)),
        lq = lang.suffix(),
        screen = esc(&screen),
        csrf = csrf_input(user),
        idem = esc(f.get("idem").map(str::to_string).unwrap_or_else(|| uuid::Uuid::new_v4().to_string()).as_str()),
        la = lang.t("Người nộp hồ sơ", "Applicant"),
        lk = lang.t("Loại người nộp", "Applicant type"),
        name = input(
            lang,
            f,
            errors,
            "applicant.name",
            lang.t("Họ và tên, tên tổ chức", "Full name or organisation"),
            "text",
            r#" autocomplete="off""#
        ),
        idn = input(
            lang,
            f,
            errors,
            "applicant.id_number",
            lang.t("Số định danh cá nhân (CCCD) hoặc mã số thuế", "Citizen ID (CCCD) or tax code"),
            "text",
            r#" inputmode="numeric""#
        ),
        phone = input(lang, f, errors, "applicant.phone", lang.t("Số điện thoại", "Phone"), "tel", ""),
        email = input(lang, f, errors, "applicant.email", "Email", "email", ""),
        addr = input(lang, f, errors, "applicant.address", lang.t("Địa chỉ", "Address"), "text", ""),
        summary = input(lang, f, errors, "summary", lang.t("Trích yếu nội dung yêu cầu", "What is asked for"), "text", ""),
        lc = lang.t("Hình thức nộp", "Channel"),
        cc = if channel == "postal" { "" } else { " checked" },
        cp = if channel == "postal" { " checked" } else { "" },
        lcc = lang.t("Trực tiếp tại quầy", "At the counter"),
        lcp = lang.t("Qua bưu chính công ích", "Public postal service"),
        lcomp = lang.t("Thành phần hồ sơ", "Components"),
        h1 = lang.t("Thành phần (đánh dấu khi đã nhận)", "Component (tick when received)"),
        h2 = lang.t("Bản chính", "Originals"),
        h3 = lang.t("Bản sao", "Copies"),
        h4 = lang.t("Số hóa", "Digitized"),
        h5 = lang.t("Tải bản quét", "Upload the scan"),
        go = lang.t("Tiếp nhận và in giấy hẹn", "Receive and print the receipt"),
    );
    if !errors.is_empty() && errors.iter().any(|e| e.field.starts_with("r-provided")) {
        let _ = write!(
            body,
            "<p class=\"meta\">{}</p>",
            lang.t("Tệp quét đã chọn cần được chọn lại.", "Scans chosen before need to be chosen again.")
        );
    }
    let path = format!("{RECEPTION}?thu_tuc={}", super::catalog::urlencode(&v.code));
    officer_page(status, lang, user, RECEPTION, title, &other_lang(lang, &path), errors, &body)
}

fn opt(f: &FormFields, name: &str) -> Option<String> {
    f.get(name).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn number(f: &FormFields, name: &str, errors: &mut Vec<FieldError>) -> u8 {
    match f.get(name).map(str::trim).filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => s.parse::<u8>().ok().filter(|n| *n <= 50).unwrap_or_else(|| {
            errors.push(FieldError::new(
                fid(FORM, name),
                "invalid_number",
                "Nhập số bản từ 0 đến 50.",
                "Enter a number from 0 to 50.",
            ));
            0
        }),
    }
}

/// `POST /can-bo/tiep-nhan` (multipart): receives the dossier at once (create as an
/// officer), attaches the scans, shows the code on the second screen and goes to the receipt.
pub async fn receive(
    State(ctx): State<AppContext>,
    Extension(hub): Extension<CounterHub>,
    PageUser(user): PageUser,
    uri: Uri,
    headers: HeaderMap,
    mp: Multipart,
) -> Response {
    let lang = lang_of(&uri);
    if let Some(r) = refuse_non_reception(lang, &user) {
        return r;
    }
    let (f, files) = match read_multipart(lang, &user, &headers, mp).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let code = f.text("procedure_code");
    let spec = match catalog::in_force(&ctx, &code, ctx.clock.now_ms()).await {
        Ok(Some(v)) => v.spec,
        Ok(None) => return error_page(lang, AppError::not_found("procedure")),
        Err(e) => return error_page(lang, e),
    };
    let mut errors = Vec::new();
    let components: Vec<ComponentInput> = spec
        .components
        .iter()
        .map(|c| ComponentInput {
            key: c.key.clone(),
            provided: f.checked(&format!("provided.{}", c.key)),
            originals: number(&f, &format!("originals.{}", c.key), &mut errors),
            copies: number(&f, &format!("copies.{}", c.key), &mut errors),
            digitized: f.checked(&format!("digitized.{}", c.key)),
            reused: false,
        })
        .collect();
    if !errors.is_empty() {
        return reception_form(&ctx, lang, &user, &code, StatusCode::UNPROCESSABLE_ENTITY, &f, &errors).await;
    }
    let input = NewDossier {
        procedure_code: code.clone(),
        channel: Some(if f.get("channel") == Some("postal") { "postal" } else { "counter" }.into()),
        applicant: ApplicantInput {
            kind: opt(&f, "applicant.kind"),
            name: f.text("applicant.name"),
            id_number: opt(&f, "applicant.id_number"),
            phone: opt(&f, "applicant.phone"),
            email: opt(&f, "applicant.email"),
            address: opt(&f, "applicant.address"),
        },
        summary: opt(&f, "summary"),
        receiving_agency_id: None,
        competent_agency_id: None,
        components,
    };
    // The form's one-time key: a double submit returns the first dossier.
    let key = opt(&f, "idem").map(|k| format!("page-reception:{k}"));
    let d = match uc::create(&ctx, &user, input, key).await {
        Ok(d) => d,
        Err(e) => {
            let mut errors: Vec<FieldError> = e.fields();
            if errors.is_empty() {
                errors.push(FieldError::new(format!("{FORM}-procedure"), e.code(), e.message_vi(), e.message_en()));
            }
            for x in &mut errors {
                x.field = match x.field.strip_prefix("components.") {
                    Some(k) => fid(FORM, &format!("provided.{k}")),
                    None if x.field.starts_with("components[") || x.field == "procedure_code" || x.field == "workflow" => {
                        format!("{FORM}-procedure")
                    }
                    None if x.field == "channel" => format!("{FORM}-channel-counter"),
                    None if x.field.starts_with(&format!("{FORM}-")) => x.field.clone(),
                    None => fid(FORM, &x.field),
                };
            }
            let status = ApiError::from(e).status;
            return reception_form(&ctx, lang, &user, &code, status, &f, &errors).await;
        }
    };
    let mut failed = 0;
    for Upload { field, file_name: name, content_type, bytes } in files {
        let Some(k) = field.strip_prefix("scan.") else { continue };
        if uc::attach(&ctx, &user, &d.id, k, content_type.as_deref(), &name, bytes).await.is_err() {
            failed += 1;
        }
    }
    if let Some((counter, _)) = counter_of(&user) {
        hub.publish(&counter, received_state(&d));
    }
    let mut to = format!("{INBOX}/{}/giay-tiep-nhan", d.id);
    if failed > 0 {
        to.push_str(&format!("?tep-loi={failed}"));
    }
    see_other(&with_lang(lang, &to))
}

#[derive(Deserialize)]
pub struct ReceiptParams {
    #[serde(rename = "tep-loi")]
    failed: Option<u32>,
}

/// `GET /can-bo/ho-so/{id}/giay-tiep-nhan`: the receipt with appointment (form 01), to print.
pub async fn receipt(
    State(ctx): State<AppContext>,
    PageUser(user): PageUser,
    uri: Uri,
    Path(id): Path<String>,
    Query(p): Query<ReceiptParams>,
) -> Response {
    let lang = lang_of(&uri);
    if let Some(r) = super::officer::refuse_non_official(lang, &user) {
        return r;
    }
    let (d, _) = match uc::get(&ctx, &user, &id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let Some(code) = d.code.clone() else {
        return error_page(
            lang,
            ApiError::new(
                StatusCode::CONFLICT,
                "not_received",
                "Hồ sơ chưa được tiếp nhận.",
                "The dossier has not been received.",
            ),
        );
    };
    let place = motcua_app::usecases::agencies::get(&ctx, &d.receiving.id).await.ok().map(|(a, _)| a);
    let mut comps = String::new();
    for c in d.components.iter().filter(|c| c.provided) {
        let _ = write!(
            comps,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.name),
            c.originals,
            c.copies,
            if c.digitized { lang.t("Đã số hóa", "Digitized") } else { "" }
        );
    }
    let warn = p.failed.map_or(String::new(), |n| {
        format!(
            r#"<div class="error-summary noprint" role="alert"><p>{n} {}</p></div>"#,
            lang.t(
                "tệp quét không tải lên được; hãy đính kèm lại trên trang hồ sơ.",
                "scan(s) could not be uploaded; attach them again on the dossier page."
            )
        )
    });
    let body = format!(
        r#"<div class="print-doc receipt">{warn}<p class="noprint crumbs"><a href="{dossier}">{dl}</a> · <a href="{again}">{al}</a> · <button type="button" class="secondary" data-print>{pl}</button></p>
<p class="letterhead">{agency}</p>
<h1>{h}</h1>
<dl class="summary"><dt>{l_code}</dt><dd><strong class="code" id="receipt-code">{code}</strong></dd>
<dt>{l_app}</dt><dd>{app}</dd><dt>{l_id}</dt><dd>{idn}</dd><dt>{l_phone}</dt><dd>{phone}</dd><dt>{l_addr}</dt><dd>{addr}</dd>
<dt>{l_proc}</dt><dd>{proc} ({pcode})</dd><dt>{l_ch}</dt><dd>{ch}</dd></dl>
<table class="grid"><caption>{l_comp}</caption><thead><tr><th scope="col">{h1}</th><th scope="col">{h2}</th><th scope="col">{h3}</th><th scope="col">{h4}</th></tr></thead><tbody>{comps}</tbody></table>
<dl class="summary"><dt>{l_limit}</dt><dd>{limit}</dd><dt>{l_recv}</dt><dd>{recv}</dd><dt>{l_appt}</dt><dd><strong>{appt}</strong></dd><dt>{l_where}</dt><dd>{place}</dd></dl>
<p>{track}</p>
<div class="signatures"><p>{sig_app}</p><p>{sig_off}<br><br><br>{officer}</p></div></div><script src="/assets/print.js"></script>"#,
        dossier = with_lang(lang, &format!("{INBOX}/{id}")),
        dl = lang.t("Về hồ sơ", "To the dossier"),
        again = with_lang(lang, RECEPTION),
        al = lang.t("Tiếp nhận hồ sơ khác", "Receive another dossier"),
        pl = lang.t("In giấy tiếp nhận", "Print the receipt"),
        agency = esc(&d.receiving.name),
        h = lang.t("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "RECEIPT AND APPOINTMENT FOR THE RESULT"),
        l_code = lang.t("Mã hồ sơ", "Dossier code"),
        code = esc(&code),
        l_app = lang.t("Người nộp", "Applicant"),
        app = esc(&d.applicant.name),
        l_id = lang.t("Số định danh / mã số", "ID number"),
        idn = esc(d.applicant.id_number.as_deref().unwrap_or("—")),
        l_phone = lang.t("Điện thoại", "Phone"),
        phone = esc(d.applicant.phone.as_deref().unwrap_or("—")),
        l_addr = lang.t("Địa chỉ", "Address"),
        addr = esc(d.applicant.address.as_deref().unwrap_or("—")),
        l_proc = lang.t("Thủ tục", "Procedure"),
        proc = esc(&d.procedure.name),
        pcode = esc(&d.procedure.code),
        l_ch = lang.t("Hình thức nộp", "Channel"),
        ch = super::officer::channel_label(lang, d.channel),
        l_comp = lang.t("Thành phần hồ sơ đã nhận", "Components received"),
        h1 = lang.t("Tên giấy tờ", "Document"),
        h2 = lang.t("Bản chính", "Originals"),
        h3 = lang.t("Bản sao", "Copies"),
        h4 = lang.t("Ghi chú", "Note"),
        l_limit = lang.t("Thời hạn giải quyết theo quy định", "Legal time limit"),
        limit = esc(&limit_label(lang, d.procedure.time_limit)),
        l_recv = lang.t("Thời gian tiếp nhận", "Received at"),
        recv = super::officer::time(d.received_at),
        l_appt = lang.t("Thời gian hẹn trả kết quả", "Appointment for the result"),
        appt = super::officer::time(d.appointment_at),
        l_where = lang.t("Nơi nhận kết quả", "Where to collect"),
        place = esc(&match place {
            Some(a) => [Some(a.name), a.address].into_iter().flatten().collect::<Vec<_>>().join(", "),
            None => d.receiving.name.clone(),
        }),
        track = lang.t(
            "Tra cứu tình trạng hồ sơ bằng mã hồ sơ và 4 số cuối của số định danh hoặc số điện thoại.",
            "Track the dossier with its code and the last four digits of the ID number or phone."
        ),
        sig_app = lang.t("NGƯỜI NỘP HỒ SƠ", "APPLICANT"),
        sig_off = lang.t("NGƯỜI TIẾP NHẬN HỒ SƠ", "RECEIVING OFFICER"),
        officer = esc(&user.user.full_name),
    );
    let path = format!("{INBOX}/{id}/giay-tiep-nhan");
    page(StatusCode::OK, lang, lang.t("Giấy tiếp nhận hồ sơ", "Receipt"), &other_lang(lang, &path), &body)
}

// ---------------------------------------------------------------------------------------
// Second screen

/// `GET /man-hinh/quay/{agency_id}`: the applicant-facing screen of a counter. Opened by the
/// officer of that counter (on the second monitor of the same computer, same session).
pub async fn screen(
    Extension(hub): Extension<CounterHub>,
    PageUser(user): PageUser,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let lang = lang_of(&uri);
    if !serves_counter(&user, &id) {
        return error_page(lang, AppError::Forbidden);
    }
    let s = hub.last(&id).unwrap_or_else(|| ScreenState { stage: "idle".into(), ..Default::default() });
    let dash = |v: &str| if v.is_empty() { "—".to_string() } else { esc(v) };
    let comps: String = s.components.iter().map(|c| format!("<li>{}</li>", esc(c))).collect();
    let body = format!(
        r#"<noscript><meta http-equiv="refresh" content="5"><p class="meta">{nojs}</p></noscript>
<div id="screen" class="screen" data-events="/man-hinh/quay/{id}/su-kien" data-stage="{stage}" aria-live="polite">
<h1>{h}</h1>
<dl class="summary big"><dt>{lp}</dt><dd id="s-procedure">{proc}</dd><dt>{la}</dt><dd id="s-applicant">{app}</dd>
<dt>{lcomp}</dt><dd><ul id="s-components">{comps}</ul></dd>
<dt>{lcode}</dt><dd id="s-code" class="code">{code}</dd><dt>{lappt}</dt><dd id="s-appointment">{appt}</dd></dl>
<p>{check}</p></div><script src="/assets/counter-screen.js"></script>"#,
        nojs = lang.t("Trang tự tải lại sau vài giây.", "This page reloads itself every few seconds."),
        id = esc(&id),
        stage = esc(&s.stage),
        h = lang.t("Thông tin hồ sơ của Quý khách", "Your dossier"),
        lp = lang.t("Thủ tục", "Procedure"),
        proc = dash(&s.procedure),
        la = lang.t("Người nộp", "Applicant"),
        app = dash(&s.applicant),
        lcomp = lang.t("Giấy tờ đã nhận", "Documents received"),
        lcode = lang.t("Mã hồ sơ", "Dossier code"),
        code = dash(s.code.as_deref().unwrap_or("")),
        lappt = lang.t("Hẹn trả kết quả", "Appointment"),
        appt = dash(s.appointment.as_deref().unwrap_or("")),
        check = lang.t(
            "Quý khách vui lòng kiểm tra họ tên, thủ tục và giấy tờ; nếu chưa đúng, xin báo cán bộ tiếp nhận.",
            "Please check your name, the procedure and the documents; tell the officer if anything is wrong."
        ),
    );
    let path = format!("/man-hinh/quay/{id}");
    page(StatusCode::OK, lang, lang.t("Màn hình quầy", "Counter screen"), &other_lang(lang, &path), &body)
}

/// `GET /man-hinh/quay/{agency_id}/su-kien`: the counter's states as server-sent events,
/// starting with the last one.
pub async fn events(
    Extension(hub): Extension<CounterHub>,
    PageUser(user): PageUser,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    if !serves_counter(&user, &id) {
        return error_page(lang_of(&uri), AppError::Forbidden);
    }
    let (last, rx) = hub.subscribe(&id);
    let first = last.map(|s| serde_json::to_string(&s).unwrap_or_default());
    let stream = futures_util::stream::unfold((first, rx), |(first, mut rx)| async move {
        if let Some(f) = first {
            return Some((Ok::<_, Infallible>(Event::default().data(f)), (None, rx)));
        }
        loop {
            match rx.recv().await {
                Ok(m) => return Some((Ok(Event::default().data(m)), (None, rx))),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    applicant: String,
    #[serde(default)]
    components: Vec<String>,
}

fn clip(s: &str, n: usize) -> String {
    motcua_domain::text::clean(s).chars().take(n).collect()
}

/// `POST /man-hinh/quay/{agency_id}/ban-nhap` (JSON, session + CSRF header): the draft the
/// officer is typing, for the second screen. Only that counter's officers may post.
pub async fn draft(
    Extension(hub): Extension<CounterHub>,
    Auth(user): Auth,
    Path(id): Path<String>,
    Json(b): Json<DraftBody>,
) -> Result<StatusCode, ApiError> {
    if !serves_counter(&user, &id) {
        return Err(ApiError::from(AppError::Forbidden));
    }
    hub.publish(
        &id,
        ScreenState {
            stage: "draft".into(),
            procedure: clip(&b.procedure, 500),
            applicant: clip(&b.applicant, 300),
            components: b.components.iter().take(50).map(|c| clip(c, 300)).collect(),
            code: None,
            appointment: None,
        },
    );
    Ok(StatusCode::NO_CONTENT)
}
