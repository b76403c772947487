//! The officer's dossier page (`/can-bo/ho-so/{id}`): applicant, procedure and dates, the
//! components with their files (inline previews), the forms of the actions the officer may
//! take now (`actions`), the control slip (form 06) and the timeline; the printable control
//! slip; and a dossier's file, shown inline or downloaded.

use super::actions::{Action, Failed, Fcx, allowed, payment_method};
use super::{DueBadge, dossier_badge, limit_label, refuse_non_official, role_label, timeliness_label};
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageUser, Route, error_page, hour_day, money, other_lang_href, title_with_errors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::dossiers::{self as uc, TimelineEntry};
use motcua_domain::catalog::DigitizationExclusion;
use motcua_domain::dossier::{AdminUnit, Dossier, FileRef, PaymentMethod, Province, RESULT_COMPONENT};
use motcua_domain::error::FieldError;
use serde::Deserialize;
use std::collections::HashMap;

fn event_label(lang: Lang, kind: &str) -> &'static str {
    match kind {
        "created" => lang.t("Tạo hồ sơ", "Created"),
        "submitted" => lang.t("Nộp hồ sơ", "Submitted"),
        "received" => lang.t("Tiếp nhận", "Received"),
        "refused" => lang.t("Từ chối tiếp nhận", "Refused"),
        "supplement_requested" => lang.t("Yêu cầu bổ sung", "Supplement requested"),
        "supplement_supplied" => lang.t("Đã bổ sung", "Supplement supplied"),
        "forwarded" => lang.t("Chuyển bước", "Forwarded"),
        "sent_back" => lang.t("Trả lại bước trước", "Sent back"),
        "fees_noticed" => lang.t("Thông báo phí, lệ phí", "Fee notice"),
        "paid" => lang.t("Đã nộp phí", "Paid"),
        "stopped" => lang.t("Dừng giải quyết", "Stopped"),
        "withdrawn" => lang.t("Rút hồ sơ", "Withdrawn"),
        "extended" => lang.t("Gia hạn", "Extended"),
        "resolved" => lang.t("Có kết quả", "Resolved"),
        "result_returned" => lang.t("Trả kết quả", "Result returned"),
        "file_attached" => lang.t("Đính kèm tệp", "File attached"),
        "file_removed" => lang.t("Gỡ tệp", "File removed"),
        "component_digitized" => lang.t("Số hóa, chứng thực bản điện tử", "Digitized and certified"),
        "rated" => lang.t("Đánh giá", "Rated"),
        "postal_chosen" => lang.t("Chọn bưu chính công ích", "Postal choice"),
        "posted" => lang.t("Bàn giao cho bưu chính", "Handed to the post"),
        "post_delivered" => lang.t("Bưu chính phát thành công", "Delivered by post"),
        "post_undelivered" => lang.t("Bưu chính phát không thành công", "Returned undelivered"),
        _ => lang.t("Sự kiện", "Event"),
    }
}

fn event_detail(e: &serde_json::Value) -> String {
    let s = |k: &str| e.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let mut parts: Vec<String> = Vec::new();
    if let Some(c) = s("code") {
        parts.push(c);
    }
    for k in ["name", "number", "note", "reason", "receipt_number", "tracking_number", "comment"] {
        if let Some(v) = s(k) {
            parts.push(v);
        }
    }
    if let Some(r) = e.get("reasons").and_then(|v| v.as_array()) {
        parts.extend(r.iter().filter_map(|x| x.as_str().map(str::to_string)));
    }
    if let Some(items) = e.get("items").and_then(|v| v.as_array()) {
        parts.extend(items.iter().filter_map(|x| x.get("name").and_then(|n| n.as_str()).map(str::to_string)));
    }
    if let Some(f) = e.get("file").and_then(|f| f.get("name")).and_then(|n| n.as_str()) {
        parts.push(f.to_string());
    }
    parts.join(" · ")
}

/// A file on the page: where it opens, its name and size, how it previews.
pub struct FileView {
    pub href: String,
    pub name: String,
    pub kb: i64,
    /// "pdf", "image" or "" (no preview).
    pub preview: &'static str,
    /// The bytes are gone from the file store: shown, marked, not linked.
    pub missing: bool,
}

fn file_view(d: &Dossier, f: &FileRef, missing: &[String]) -> FileView {
    FileView {
        missing: missing.contains(&f.id),
        href: Route::OfficerFile(&d.id, &f.id).path(),
        name: f.name.clone(),
        kb: (f.size + 1023) / 1024,
        preview: match f.media_type.as_str() {
            "application/pdf" => "pdf",
            "image/png" | "image/jpeg" => "image",
            _ => "",
        },
    }
}

/// A row of the components table.
struct ComponentRow {
    name: String,
    required: bool,
    provided: bool,
    originals: u8,
    copies: u8,
    files: Vec<FileView>,
    digitization: Digitized,
}

/// Where a component stands in digitization (TT 01/2023), as the page says it.
pub struct Digitized {
    pub text: String,
    /// The detached signature of the certified copy, to download.
    pub signature: Option<String>,
}

/// "không thuộc diện số hóa (…)", "chưa số hóa", or "đã số hóa, chứng thực bởi … lúc …".
fn digitized(lang: Lang, d: &Dossier, key: &str, excluded: Option<DigitizationExclusion>) -> Digitized {
    if let Some(r) = excluded {
        return Digitized {
            text: format!("{} ({})", lang.t("Không thuộc diện số hóa", "Not digitized"), lang.t(r.label_vi(), r.label_en())),
            signature: None,
        };
    }
    match d.certified_copy(key) {
        None => Digitized { text: lang.t("Chưa số hóa", "Not digitized yet").to_string(), signature: None },
        Some(c) => Digitized {
            text: format!(
                "{} {} {} {}",
                lang.t("Đã số hóa, chứng thực bởi", "Digitized, certified by"),
                c.by_name,
                lang.t("lúc", "at"),
                hour_day(Some(c.at))
            ),
            signature: Some(Route::OfficerSignature(&d.id, key).path()),
        },
    }
}

/// A row of the control slip (form 06).
pub struct SlipRow {
    step: String,
    giver: String,
    from: String,
    to: String,
    to_role: String,
    at: String,
    result: &'static str,
    note: String,
}

/// The control slip's rows (`uc::slip_entries`) for people.
pub fn slip_rows(lang: Lang, d: &Dossier, names: &HashMap<String, String>) -> Vec<SlipRow> {
    uc::slip_entries(d, names)
        .into_iter()
        .map(|e| SlipRow {
            step: e.step.unwrap_or_else(|| lang.t("Tiếp nhận hồ sơ", "Reception").to_string()),
            giver: e.giver,
            from: e.from,
            to: e.to,
            to_role: match e.to_step {
                None => lang.t("Bộ phận một cửa", "One-stop unit").to_string(),
                Some((name, role)) => format!("{name} – {}", role_label(lang, role)),
            },
            at: hour_day(Some(e.at)),
            result: timeliness_label(lang, e.timeliness),
            note: e.note,
        })
        .collect()
}

/// A line of the timeline.
struct Entry {
    at: String,
    label: &'static str,
    who: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "officer/dossier.html")]
struct DossierView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    d: &'a Dossier,
    code: String,
    flash: Option<&'a str>,
    badge: Option<DueBadge>,
    step: String,
    limit: String,
    outcome: Vec<String>,
    components: Vec<ComponentRow>,
    /// Other documents and the result document: (label, files, digitization of a paper
    /// result), when there are some.
    extra: Vec<(&'static str, Vec<FileView>, Option<Digitized>)>,
    actions: Vec<Action>,
    methods: Vec<PaymentMethod>,
    /// The province and its communes, for the postal address form (empty when not offered).
    province: Province,
    failed: Option<&'a Failed<'a>>,
    slip: Vec<SlipRow>,
    timeline: Vec<Entry>,
    documents: Vec<crate::documents::DocLink>,
    /// The applicant notices sent (or not) about it, recipients masked (issue #17).
    deliveries: Vec<DeliveryRow>,
}

/// A row of the delivery log.
struct DeliveryRow {
    at: String,
    notice: &'static str,
    channel: &'static str,
    recipient: String,
    status_code: String,
    status: &'static str,
    attempts: i64,
    error: String,
}

fn delivery_row(lang: Lang, x: &motcua_app::notify::Delivery) -> DeliveryRow {
    let notice = match x.notice.as_str() {
        "received" => lang.t("Tiếp nhận, hẹn trả", "Received, appointment"),
        "supplement_requested" => lang.t("Yêu cầu bổ sung", "Supplement requested"),
        "fee_notice" => lang.t("Thông báo phí, lệ phí", "Fee notice"),
        "extended" => lang.t("Xin lỗi, hẹn lại", "Apology, new date"),
        "stopped" => lang.t("Dừng xử lý", "Stopped"),
        "refused" => lang.t("Từ chối tiếp nhận", "Refused"),
        "refused_after_appraisal" => lang.t("Từ chối sau thẩm định", "Refused after appraisal"),
        "result_ready" => lang.t("Đã có kết quả", "Result ready"),
        "returned" => lang.t("Đã trả kết quả", "Result handed over"),
        "refunded" => lang.t("Hoàn phí", "Refund"),
        "posted" => lang.t("Đã gửi bưu chính", "Posted"),
        "post_delivered" => lang.t("Bưu chính đã phát", "Delivered by post"),
        "post_undelivered" => lang.t("Bưu chính chưa phát được", "Not delivered by post"),
        "officer_reminder" => lang.t("Nhắc việc cán bộ", "Officer reminder"),
        _ => "—",
    };
    let channel = match x.channel.as_str() {
        "email" => lang.t("Thư điện tử", "E-mail"),
        "sms" => "SMS",
        "zalo" => "Zalo",
        _ => "—",
    };
    let status = match x.status.as_str() {
        "queued" => lang.t("Chờ gửi", "Queued"),
        "deferred" => lang.t("Chờ khung giờ gửi", "Waiting for the sending hours"),
        "sent" => lang.t("Đã gửi", "Sent"),
        "retrying" => lang.t("Đang gửi lại", "Retrying"),
        "dead" => lang.t("Gửi lỗi, chờ quản trị gửi lại", "Failed, waiting for an administrator"),
        "failed" => lang.t("Không gửi được", "Could not be delivered"),
        "opted_out" => lang.t("Người nộp từ chối nhận", "Opted out"),
        _ => "—",
    };
    DeliveryRow {
        at: hour_day(Some(x.updated_at)),
        notice,
        channel,
        recipient: x.recipient.clone(),
        status_code: x.status.clone(),
        status,
        attempts: x.attempts,
        error: x.error.clone().unwrap_or_default(),
    }
}

impl<'a> DossierView<'a> {
    fn fcx(&self, a: &Action) -> Fcx<'a> {
        Fcx::new(*a, self.failed)
    }
    fn has_file(&self, key: &str) -> bool {
        self.d.files.iter().any(|x| !x.removed && x.component_key == key)
    }
    /// The label of a component's reason in the supplement form.
    fn reason_label(&self, component: &str) -> String {
        format!("{} – {component}", self.lang.t("Lý do", "Reason"))
    }
    fn channel(&self) -> &'static str {
        super::channel_label(self.lang, self.d.channel)
    }
    fn has_result(&self) -> bool {
        self.has_file(RESULT_COMPONENT)
    }
    fn when(&self, ms: &Option<i64>) -> String {
        hour_day(*ms)
    }
    fn total_fees(&self) -> String {
        let total = money(self.d.fees.iter().map(|x| x.amount).sum());
        // "1.500.000 đồng": the form shows the figure and the unit apart.
        total.trim_end_matches(" đồng").to_string()
    }
    fn payment_methods(&self) -> Vec<(&'static str, &'static str)> {
        self.methods.iter().map(|m| payment_method(self.lang, *m)).collect()
    }
    /// How a result may be returned: form value and label.
    /// By post is not among them: the result is handed to the post and the delivery is the
    /// return (the postal actions).
    fn return_methods(&self) -> [(&'static str, &'static str); 2] {
        let lang = self.lang;
        [("counter", lang.t("Tại quầy", "At the counter")), ("online", lang.t("Trực tuyến", "Online"))]
    }
    /// What the postal form shows first: the choice on record, else the applicant's name
    /// and phone.
    fn postal_defaults(&self) -> PostalDefaults {
        match &self.d.postal {
            Some(p) => PostalDefaults {
                result_by_post: p.result_by_post,
                dossier_by_post: p.dossier_by_post,
                recipient: p.address.recipient.clone(),
                phone: p.address.phone.clone(),
                commune_code: p.address.commune_code.clone(),
                street: p.address.street.clone(),
            },
            None => PostalDefaults {
                result_by_post: true,
                dossier_by_post: false,
                recipient: self.d.applicant.name.clone(),
                phone: self.d.applicant.phone.clone().unwrap_or_default(),
                commune_code: String::new(),
                street: String::new(),
            },
        }
    }
    fn province_name(&self) -> &str {
        &self.province.name
    }
    fn communes(&self) -> &[AdminUnit] {
        &self.province.communes
    }
    fn postal_address(&self) -> Option<String> {
        self.d.postal.as_ref().map(|p| format!("{}, {}, {}", p.address.recipient, p.address.phone, p.address.line()))
    }
    /// The slip and label of the last hand-over to the post.
    fn postal_links(&self) -> Vec<(String, &'static str)> {
        if self.d.shipments.is_empty() {
            return Vec::new();
        }
        let base = format!("/api/v1/dossiers/{}/postal", self.d.id);
        vec![
            (format!("{base}/slip.pdf"), self.lang.t("In phiếu bàn giao cho bưu chính (PDF)", "Print the hand-over slip (PDF)")),
            (format!("{base}/label.pdf"), self.lang.t("In nhãn địa chỉ bưu gửi (PDF)", "Print the address label (PDF)")),
        ]
    }
    fn next_step(&self) -> Option<String> {
        self.d.steps.get(self.d.step + 1).map(|s| format!("{} ({})", s.agency.name, role_label(self.lang, s.role)))
    }
    fn next_step_name(&self) -> &str {
        self.d.steps.get(self.d.step + 1).map_or("", |s| s.name.as_str())
    }
}

fn outcome(lang: Lang, d: &Dossier) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(r) = &d.result {
        out.push(format!(
            "{}: {} {} – {}",
            lang.t("Kết quả", "Result"),
            r.name,
            r.number.as_deref().unwrap_or(""),
            hour_day(Some(r.at))
        ));
    }
    if let Some(p) = &d.postal {
        let what = match (p.dossier_by_post, p.result_by_post) {
            (true, true) => lang.t("Gửi hồ sơ và nhận kết quả qua bưu chính", "Dossier and result by post"),
            (true, false) => lang.t("Gửi hồ sơ qua bưu chính", "Dossier sent by post"),
            _ => lang.t("Nhận kết quả qua bưu chính", "Result by post"),
        };
        out.push(format!("{what}: {}, {}, {}", p.address.recipient, p.address.phone, p.address.line()));
    }
    for s in &d.shipments {
        out.push(format!(
            "{} {} ({}, {}): {}{}",
            lang.t("Bưu gửi", "Shipment"),
            s.tracking_number,
            hour_day(Some(s.posted_at)),
            money(s.fee),
            lang.t(s.status.label_vi(), s.status.label_en()),
            s.reason.as_deref().map(|r| format!(" – {r}")).unwrap_or_default()
        ));
    }
    if let Some(t) = d.timeliness {
        out.push(format!("{}: {}", lang.t("Đánh giá thời hạn", "Timeliness"), timeliness_label(lang, Some(t))));
    }
    if let Some(r) = &d.returned {
        out.push(format!(
            "{}: {} {}",
            lang.t("Đã trả kết quả", "Returned"),
            hour_day(Some(r.at)),
            r.tracking_number.as_deref().unwrap_or("")
        ));
    }
    for (label, e) in [
        (lang.t("Từ chối", "Refused"), &d.refusal),
        (lang.t("Dừng", "Stopped"), &d.stop),
        (lang.t("Rút", "Withdrawn"), &d.withdrawal),
    ] {
        if let Some(e) = e {
            out.push(format!("{label}: {}", e.reasons.join("; ")));
        }
    }
    if let Some(s) = d.supplements.last().filter(|s| s.supplied_at.is_none()) {
        let items: Vec<String> = s.items.iter().map(|i| format!("{} ({})", i.name, i.reason)).collect();
        out.push(format!("{}: {}", lang.t("Đang chờ bổ sung", "Awaiting supplement"), items.join("; ")));
    }
    if !d.fees.is_empty() && d.payment.is_none() {
        let items: Vec<String> =
            d.fees.iter().map(|f| format!("{} {} đ", f.name, money(f.amount).trim_end_matches(" đồng"))).collect();
        out.push(format!("{}: {}", lang.t("Phí, lệ phí phải nộp", "Fees due"), items.join("; ")));
    }
    if let Some(r) = &d.rating {
        out.push(format!(
            "{}: {}",
            lang.t("Đánh giá của người nộp", "Applicant's rating"),
            if r.satisfied { lang.t("Hài lòng", "Satisfied") } else { lang.t("Không hài lòng", "Not satisfied") }
        ));
    }
    out
}

/// Loads and renders a dossier page (after a GET, or again after a refused action).
pub async fn render(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    id: &str,
    status: StatusCode,
    flash: Option<&str>,
    failed: Option<&Failed<'_>>,
) -> Response {
    let (d, timeline) = match uc::get(ctx, user, id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let mut ids: Vec<String> = timeline.iter().map(|e| e.actor_id.clone()).collect();
    ids.extend(d.handovers.iter().map(|h| h.giver_id.clone()));
    let names = uc::user_names(ctx, ids).await.unwrap_or_default();
    let (actions, methods) = allowed(ctx, user, &d);
    let province = if actions.contains(&Action::ChoosePostal) {
        match uc::province(ctx, &d.receiving.path).await {
            Ok(p) => p,
            Err(e) => return error_page(lang, e),
        }
    } else {
        Province::default()
    };
    let missing = match uc::missing_files(ctx, &d).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let documents = match crate::documents::links(ctx, lang, user, id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let deliveries = match motcua_app::notify::deliveries(ctx, user, id).await {
        Ok(x) => x.iter().map(|x| delivery_row(lang, x)).collect(),
        Err(e) => return error_page(lang, e),
    };
    let files_of = |key: &str| -> Vec<FileView> {
        d.files.iter().filter(|f| !f.removed && f.component_key == key).map(|f| file_view(&d, f, &missing)).collect()
    };
    let components = d
        .components
        .iter()
        .map(|c| ComponentRow {
            name: c.name.clone(),
            required: c.required,
            provided: c.provided,
            originals: c.originals,
            copies: c.copies,
            files: files_of(&c.key),
            digitization: digitized(lang, &d, &c.key, c.digitization.excluded()),
        })
        .collect();
    // A paper result is digitized too, once issued (REQ-13, REQ-23).
    let paper_result = d.procedure.paper_result && d.result.is_some();
    let extra =
        [("other", lang.t("Giấy tờ khác", "Other documents")), (RESULT_COMPONENT, lang.t("Văn bản kết quả", "Result document"))]
            .into_iter()
            .map(|(key, label)| {
                let state = (key == RESULT_COMPONENT && paper_result).then(|| digitized(lang, &d, key, None));
                (label, files_of(key), state)
            })
            .filter(|(_, files, state)| !files.is_empty() || state.is_some())
            .collect();
    let timeline = timeline
        .iter()
        .map(|e: &TimelineEntry| Entry {
            at: hour_day(Some(e.at)),
            label: event_label(lang, &e.kind),
            who: names.get(&e.actor_id).cloned().unwrap_or_else(|| e.actor_id.clone()),
            detail: event_detail(&e.event),
        })
        .collect();
    let errors = failed.map(|f| f.errors.clone()).unwrap_or_default();
    let title = format!("{} {}", lang.t("Hồ sơ", "Dossier"), d.code.as_deref().unwrap_or(""));
    let view = DossierView {
        lang,
        frame: Frame::new(title_with_errors(lang, &title, &errors), other_lang_href(lang, &Route::OfficerDossier(id).path())),
        user,
        menu: menu(lang, user, None),
        errors,
        code: d.code.clone().unwrap_or_else(|| lang.t("(chưa có mã)", "(no code yet)").into()),
        flash,
        badge: dossier_badge(lang, &d, ctx.clock.now_ms()),
        step: d
            .current_step()
            .map(|s| format!("{} – {} ({})", s.name, s.agency.name, role_label(lang, s.role)))
            .unwrap_or_else(|| "—".into()),
        limit: limit_label(lang, d.procedure.time_limit),
        outcome: outcome(lang, &d),
        components,
        extra,
        actions,
        methods,
        province,
        failed,
        slip: slip_rows(lang, &d, &names),
        timeline,
        documents,
        deliveries,
        d: &d,
    };
    html(status, &view)
}

#[derive(Deserialize)]
pub struct DossierParams {
    xong: Option<String>,
}

/// `GET /can-bo/ho-so/{id}`: the dossier with its components, previews, control slip,
/// timeline and the actions the officer may take now.
pub async fn dossier_page(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Query(p): Query<DossierParams>,
) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let flash = p.xong.as_deref().and_then(Action::from_slug).map(|a| a.done(lang));
    render(&ctx, lang, &user, &id, StatusCode::OK, flash, None).await
}

#[derive(Template)]
#[template(path = "officer/control_slip.html")]
struct SlipView<'a> {
    lang: Lang,
    frame: Frame,
    d: &'a Dossier,
    slip: Vec<SlipRow>,
}

impl SlipView<'_> {
    fn when(&self, ms: &Option<i64>) -> String {
        hour_day(*ms)
    }
}

/// `GET /can-bo/ho-so/{id}/phieu-kiem-soat`: the control slip alone, to print.
pub async fn control_slip_page(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let (d, _) = match uc::get(&ctx, &user, &id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let names = uc::user_names(&ctx, d.handovers.iter().map(|h| h.giver_id.clone()).collect()).await.unwrap_or_default();
    let frame = Frame::new(lang.t("Phiếu kiểm soát", "Control slip"), other_lang_href(lang, &Route::ControlSlip(&id).path()));
    html(StatusCode::OK, &SlipView { lang, frame, slip: slip_rows(lang, &d, &names), d: &d })
}

#[derive(Deserialize)]
pub struct FileParams {
    #[serde(rename = "tai-ve")]
    download: Option<String>,
}

/// `GET /can-bo/ho-so/{id}/tep/{file_id}`: a file shown inline (PDF and images, for the
/// preview frames of the dossier page; framing by our own pages only) or downloaded.
pub async fn file(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Path((id, file_id)): Path<(String, String)>,
    Query(p): Query<FileParams>,
) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let (f, bytes) = match uc::file(&ctx, &user, &id, &file_id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let previewable = matches!(f.media_type.as_str(), "application/pdf" | "image/png" | "image/jpeg");
    crate::kit::http::file_response(&f, bytes, previewable && p.download.is_none())
}

/// `GET /can-bo/ho-so/{id}/thanh-phan/{key}/chu-ky`: the detached signature (`.p7s`)
/// certifying the component's scan, for whoever may read the dossier.
pub async fn signature(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Path((id, key)): Path<(String, String)>,
) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    match uc::certified_copy_signature(&ctx, &user, &id, &key).await {
        Ok((copy, bytes)) => {
            let name = format!("{}-{}.p7s", copy.component_key, &copy.file_sha256[..copy.file_sha256.len().min(12)]);
            crate::kit::http::download_response(uc::SIGNATURE_MEDIA_TYPE, &name, bytes, false)
        }
        Err(e) => error_page(lang, e),
    }
}

/// The postal form's starting values.
pub struct PostalDefaults {
    pub result_by_post: bool,
    pub dossier_by_post: bool,
    pub recipient: String,
    pub phone: String,
    pub commune_code: String,
    pub street: String,
}
