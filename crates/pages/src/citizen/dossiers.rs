//! The citizen's own dossiers:
//!
//! - `GET /ho-so-cua-toi`: every dossier of the account, newest first, drafts included;
//! - `GET /ho-so-cua-toi/{id}`: status (label and national code), dates, timeline, and what
//!   the citizen can do now: supply a supplement (`POST …/bo-sung/tep` uploads a file,
//!   `POST …/bo-sung` confirms), download the result, rate the service once (`POST …/danh-gia`).

use super::{citizen_only, load, not_citizen};
use crate::kit::layout::html;
use crate::kit::{
    Frame, Lang, PageForm, PageUpload, PageUser, Route, app_field_errors, error_page, money, other_lang_href, see_other, size,
    status_text, title_with_errors, when,
};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::dossiers::{self as uc, ListQuery, Request, TimelineEntry};
use motcua_app::{AppContext, AppError};
use motcua_domain::dossier::{Command, CommandKind, Dossier, RESULT_COMPONENT, Status};
use motcua_domain::error::FieldError;
use serde::Deserialize;

/// A row of "my dossiers".
struct Row {
    href: String,
    name: String,
    code: String,
    status_code: &'static str,
    status: String,
    submitted: String,
    appointment: String,
}

#[derive(Template)]
#[template(path = "citizen/my_dossiers.html")]
struct MyDossiersView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    total: i64,
    rows: Vec<Row>,
}

/// `GET /ho-so-cua-toi`: the citizen's dossiers.
pub async fn my_dossiers(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser) -> Response {
    if !citizen_only(&user) {
        return not_citizen(lang);
    }
    let (items, total) = match uc::list(&ctx, &user, ListQuery { limit: 100, ..Default::default() }).await {
        Ok(x) => (x.items, x.total),
        Err(e) => return error_page(lang, e),
    };
    let rows = items
        .iter()
        .map(|d| Row {
            href: lang.href(if d.status == Status::Draft { Route::Review(&d.id) } else { Route::Dossier(&d.id) }),
            name: d.procedure.name.clone(),
            code: match (&d.code, &d.filing_reference) {
                (Some(c), _) => c.clone(),
                (None, Some(r)) => format!("{} {r}", lang.t("Mã nộp:", "Filing reference:")),
                (None, None) => lang.t("Chưa có mã (chưa tiếp nhận)", "No code yet (not received)").into(),
            },
            status_code: d.status.code(),
            status: status_text(lang, d.status),
            submitted: when(d.submitted_at),
            appointment: when(d.appointment_at),
        })
        .collect();
    let frame = Frame::new(lang.t("Hồ sơ của tôi", "My dossiers"), other_lang_href(lang, &Route::MyDossiers.path()));
    html(StatusCode::OK, &MyDossiersView { lang, frame, user: &user, total, rows })
}

fn event_label(lang: Lang, kind: &str) -> &'static str {
    match (kind, lang) {
        ("created", Lang::Vi) => "Tạo hồ sơ",
        ("created", Lang::En) => "Dossier started",
        ("submitted", Lang::Vi) => "Nộp hồ sơ trực tuyến",
        ("submitted", Lang::En) => "Filed online",
        ("received", Lang::Vi) => "Bộ phận Một cửa tiếp nhận hồ sơ",
        ("received", Lang::En) => "Received by the one-stop counter",
        ("refused", Lang::Vi) => "Từ chối tiếp nhận",
        ("refused", Lang::En) => "Refused",
        ("supplement_requested", Lang::Vi) => "Yêu cầu bổ sung giấy tờ",
        ("supplement_requested", Lang::En) => "Supplement requested",
        ("supplement_supplied", Lang::Vi) => "Đã bổ sung giấy tờ",
        ("supplement_supplied", Lang::En) => "Supplement supplied",
        ("forwarded", Lang::Vi) => "Chuyển bước xử lý",
        ("forwarded", Lang::En) => "Passed to the next step",
        ("sent_back", Lang::Vi) => "Chuyển lại bước trước",
        ("sent_back", Lang::En) => "Sent back a step",
        ("fees_noticed", Lang::Vi) => "Thông báo phí, lệ phí",
        ("fees_noticed", Lang::En) => "Fees notified",
        ("paid", Lang::Vi) => "Đã nộp phí, lệ phí",
        ("paid", Lang::En) => "Fees paid",
        ("stopped", Lang::Vi) => "Dừng giải quyết",
        ("stopped", Lang::En) => "Processing stopped",
        ("refused_after_appraisal", Lang::Vi) => "Từ chối giải quyết hồ sơ",
        ("refused_after_appraisal", Lang::En) => "Refused after appraisal",
        ("withdrawn", Lang::Vi) => "Rút hồ sơ",
        ("withdrawn", Lang::En) => "Withdrawn",
        ("extended", Lang::Vi) => "Gia hạn, hẹn lại ngày trả kết quả",
        ("extended", Lang::En) => "Extended, new appointment",
        ("resolved", Lang::Vi) => "Có kết quả giải quyết",
        ("resolved", Lang::En) => "Result issued",
        ("result_returned", Lang::Vi) => "Trả kết quả",
        ("result_returned", Lang::En) => "Result returned",
        ("file_attached", Lang::Vi) => "Đính kèm tệp",
        ("file_attached", Lang::En) => "File attached",
        ("file_removed", Lang::Vi) => "Gỡ tệp",
        ("file_removed", Lang::En) => "File removed",
        ("rated", Lang::Vi) => "Đánh giá mức độ hài lòng",
        ("rated", Lang::En) => "Service rated",
        (_, Lang::Vi) => "Cập nhật",
        (_, Lang::En) => "Update",
    }
}

/// A line of the timeline.
struct Step {
    at: String,
    label: &'static str,
    detail: String,
}

/// A file shown on the page: its name and size, and where to download it.
struct FileRow {
    href: String,
    name: String,
    size: String,
    /// The bytes are gone from the file store: shown, marked, not linked.
    missing: bool,
}

/// The supplement the agency asked for, while it is awaited.
struct Supplement {
    items: Vec<(String, String)>,
    added: Vec<FileRow>,
    /// (component key, name, selected)
    options: Vec<(String, String, bool)>,
    /// Every requested component has its new file: the applicant may confirm.
    can_confirm: bool,
}

/// The result: its name and number, and the result files.
struct Outcome {
    name: Option<String>,
    number: Option<String>,
    files: Vec<FileRow>,
}

/// Why the dossier ended without a result (refused, refused after appraisal, stopped, withdrawn).
struct EndingView {
    vi: &'static str,
    en: &'static str,
    reasons: Vec<String>,
    basis: Option<String>,
}

/// The fees the agency asked for, and the payment once recorded.
struct FeesView {
    items: Vec<(String, String)>,
    total: String,
    paid: Option<String>,
    /// The dossier awaits payment of an amount and online payment is on: "Thanh toán".
    pay: bool,
}

#[derive(Template)]
#[template(path = "citizen/dossier.html")]
struct DossierView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    d: &'a Dossier,
    errors: &'a [FieldError],
    fields: &'a DossierForm,
    code: String,
    status: String,
    supplement: Option<Supplement>,
    outcome: Option<Outcome>,
    can_rate: bool,
    /// The rating form's answers as typed (issue #18).
    answers: crate::public::rating::AnswersInput,
    timeline: Vec<Step>,
    ending: Option<EndingView>,
    fees: Option<FeesView>,
    documents: &'a [crate::documents::DocLink],
}

impl MyDossiersView<'_> {
    fn find_online(&self) -> String {
        crate::kit::with_lang(self.lang, &Route::Catalog.with_query(&[("online_level", "full")]))
    }
}

impl DossierView<'_> {
    /// The postal choice and where each shipment of the result is (QĐ 45/2016).
    fn postal_lines(&self) -> Vec<String> {
        let lang = self.lang;
        let mut out = Vec::new();
        if let Some(p) = &self.d.postal {
            let what = match (p.dossier_by_post, p.result_by_post) {
                (true, true) => lang.t("Gửi hồ sơ và nhận kết quả qua bưu chính", "Dossier and result by post"),
                (true, false) => lang.t("Gửi hồ sơ qua bưu chính", "Dossier sent by post"),
                _ => lang.t("Nhận kết quả qua bưu chính", "Result by post"),
            };
            out.push(format!("{what}: {}, {}", p.address.recipient, p.address.line()));
        }
        for s in &self.d.shipments {
            out.push(format!(
                "{} {}: {}{}",
                lang.t("Bưu gửi", "Shipment"),
                s.tracking_number,
                lang.t(s.status.label_vi(), s.status.label_en()),
                s.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
            ));
        }
        out
    }
    fn value(&self, name: &str) -> &str {
        self.fields.value(name)
    }
    fn when(&self, ms: &Option<i64>) -> String {
        when(*ms)
    }
}

/// The fields of the detail page's forms (rating, supplement note, supplement file), as typed;
/// each form posts its own and the dossier `version`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct DossierForm {
    version: String,
    /// `yes` or `no`; "" until chosen.
    satisfied: String,
    comment: String,
    note: String,
    component_key: String,
    score_access: String,
    score_procedure: String,
    score_officer: String,
    score_result: String,
    score_feedback: String,
}

impl DossierForm {
    /// The value of the input `name`.
    fn value(&self, name: &str) -> &str {
        match name {
            "version" => &self.version,
            "satisfied" => &self.satisfied,
            "comment" => &self.comment,
            "note" => &self.note,
            "component_key" => &self.component_key,
            "score_access" => &self.score_access,
            "score_procedure" => &self.score_procedure,
            "score_officer" => &self.score_officer,
            "score_result" => &self.score_result,
            "score_feedback" => &self.score_feedback,
            _ => "",
        }
    }
}

/// The values kept when a detail-page form is re-rendered with errors.
#[derive(Default)]
struct Kept {
    fields: DossierForm,
    errors: Vec<FieldError>,
}

fn supplement_of(
    lang: Lang,
    user: &CurrentUser,
    d: &Dossier,
    kept: &Kept,
    can_confirm: bool,
    missing: &[String],
) -> Option<Supplement> {
    let s = d.supplements.last()?;
    let added = d
        .files
        .iter()
        .filter(|f| !f.removed && f.at >= s.requested_at && f.by == user.user.id)
        .map(|f| FileRow { href: String::new(), name: f.name.clone(), size: size(f.size), missing: missing.contains(&f.id) })
        .collect();
    let chosen = kept.fields.component_key.as_str();
    let mut keys: Vec<(String, String)> =
        s.items.iter().filter_map(|i| Some((i.component_key.clone()?, i.name.clone()))).collect();
    for c in &d.components {
        if !keys.iter().any(|(k, _)| *k == c.key) {
            keys.push((c.key.clone(), c.name.clone()));
        }
    }
    keys.push(("other".into(), lang.t("Giấy tờ khác", "Other document").into()));
    Some(Supplement {
        items: s.items.iter().map(|i| (i.name.clone(), i.reason.clone())).collect(),
        added,
        options: keys.into_iter().map(|(k, n)| (k.clone(), n, k == chosen)).collect(),
        can_confirm,
    })
}

fn outcome_of(d: &Dossier, missing: &[String]) -> Option<Outcome> {
    let files: Vec<FileRow> = d
        .files
        .iter()
        .filter(|f| !f.removed && f.component_key == RESULT_COMPONENT)
        .map(|f| FileRow {
            href: Route::DossierFile(&d.id, &f.id).path(),
            name: f.name.clone(),
            size: size(f.size),
            missing: missing.contains(&f.id),
        })
        .collect();
    if d.result.is_none() && files.is_empty() {
        return None;
    }
    Some(Outcome {
        name: d.result.as_ref().map(|r| r.name.clone()),
        number: d.result.as_ref().and_then(|r| r.number.clone()),
        files,
    })
}

fn ending_of(d: &Dossier) -> Option<EndingView> {
    let (vi, en, e) = if let Some(e) = &d.refusal {
        ("Lý do từ chối tiếp nhận", "Why it was refused", e)
    } else if let Some(e) = &d.appraisal_refusal {
        ("Lý do từ chối giải quyết hồ sơ", "Why the dossier was refused after appraisal", e)
    } else if let Some(e) = &d.stop {
        ("Lý do dừng giải quyết", "Why processing was stopped", e)
    } else if let Some(e) = &d.withdrawal {
        ("Hồ sơ đã được rút", "The dossier was withdrawn", e)
    } else {
        return None;
    };
    Some(EndingView { vi, en, reasons: e.reasons.clone(), basis: e.basis.clone() })
}

fn fees_of(lang: Lang, d: &Dossier) -> Option<FeesView> {
    if d.fees.is_empty() {
        return None;
    }
    let paid = d.payment.as_ref().map(|p| {
        let receipt = if lang == Lang::Vi { "biên lai số " } else { "receipt no. " };
        money(p.amount) + ", " + &when(Some(p.at)) + ", " + receipt + &p.receipt_number
    });
    Some(FeesView {
        items: d.fees.iter().map(|f| (fee_name(lang, f), money(f.amount))).collect(),
        total: money(d.fees.iter().map(|f| f.amount).sum()),
        paid,
        pay: false,
    })
}

/// A fee's name, with the exemption the officer chose.
pub(super) fn fee_name(lang: Lang, f: &motcua_domain::dossier::FeeItem) -> String {
    match &f.exemption {
        Some(e) => format!("{} ({}: {e})", f.name, lang.t("miễn", "exempt")),
        None => f.name.clone(),
    }
}

fn timeline_of(lang: Lang, timeline: &[TimelineEntry]) -> Vec<Step> {
    timeline
        .iter()
        .rev()
        .map(|e| {
            let detail = match e.kind.as_str() {
                "file_attached" => e.event["file"]["name"].as_str().unwrap_or_default().to_string(),
                "supplement_requested" => e.event["items"]
                    .as_array()
                    .map(|items| items.iter().filter_map(|i| i["name"].as_str()).collect::<Vec<_>>().join("; "))
                    .unwrap_or_default(),
                "resolved" => e.event["result"]["name"].as_str().or(e.event["name"].as_str()).unwrap_or_default().to_string(),
                _ => String::new(),
            };
            Step { at: when(Some(e.at)), label: event_label(lang, &e.kind), detail }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn detail_page(
    lang: Lang,
    status: StatusCode,
    ctx: &AppContext,
    user: &CurrentUser,
    d: &Dossier,
    timeline: &[TimelineEntry],
    kept: &Kept,
    missing: &[String],
    documents: &[crate::documents::DocLink],
) -> Response {
    // The forms offered are what the domain's guard table lets the applicant do now.
    let offered = motcua_app::usecases::dossiers::available(ctx, user, d);
    let view = DossierView {
        lang,
        frame: Frame::new(
            title_with_errors(lang, &d.procedure.name, &kept.errors),
            other_lang_href(lang, &Route::Dossier(&d.id).path()),
        ),
        user,
        d,
        errors: &kept.errors,
        fields: &kept.fields,
        code: d
            .code
            .clone()
            .unwrap_or_else(|| lang.t("Chưa có (có khi hồ sơ được tiếp nhận)", "None yet (given at reception)").into()),
        status: status_text(lang, d.status),
        // Uploading comes first: the confirmation is offered once every requested component
        // has its new file (the guard's `SupplementFiled`).
        supplement: (d.status == Status::AwaitingSupplement && offered.contains(&CommandKind::AttachFile))
            .then(|| supplement_of(lang, user, d, kept, offered.contains(&CommandKind::SupplySupplement), missing))
            .flatten(),
        outcome: outcome_of(d, missing),
        can_rate: d.rating.is_none() && offered.contains(&CommandKind::Rate),
        answers: crate::public::rating::AnswersInput::from(|k| kept.fields.value(k).to_string()),
        timeline: timeline_of(lang, timeline),
        ending: ending_of(d),
        fees: fees_of(lang, d).map(|mut f| {
            f.pay = ctx.config.payment.enabled
                && d.status == Status::AwaitingPayment
                && d.fees.iter().map(|x| x.amount).sum::<i64>() > 0;
            f
        }),
        documents,
    };
    html(status, &view)
}

/// The citizen's dossier, its timeline, and the ids of its files whose bytes are gone.
async fn citizen_dossier(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    id: &str,
) -> Result<(Dossier, Vec<TimelineEntry>, Vec<String>, Vec<crate::documents::DocLink>), Response> {
    if !citizen_only(user) {
        return Err(not_citizen(lang));
    }
    let (d, t) = load(ctx, lang, user, id).await?;
    let missing = uc::missing_files(ctx, &d).await.map_err(|e| error_page(lang, e))?;
    let documents = crate::documents::links(ctx, lang, user, id).await.map_err(|e| error_page(lang, e))?;
    Ok((d, t, missing, documents))
}

/// `GET /ho-so-cua-toi/{id}`: the citizen's dossier.
pub async fn dossier_page(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path(id): Path<String>,
    PageUser(user): PageUser,
) -> Response {
    match citizen_dossier(&ctx, lang, &user, &id).await {
        Ok((d, t, missing, docs)) => detail_page(lang, StatusCode::OK, &ctx, &user, &d, &t, &Kept::default(), &missing, &docs),
        Err(r) => r,
    }
}

/// Runs a command from a detail-page form: to the dossier page on success, else the page
/// again with status 422, the error summary and the values as entered.
async fn run(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    id: &str,
    fields: DossierForm,
    cmd: Result<Command, Vec<FieldError>>,
    fallback_field: &str,
) -> Response {
    let (d, t, missing, docs) = match citizen_dossier(ctx, lang, user, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let again = |errors: Vec<FieldError>| {
        detail_page(
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx,
            user,
            &d,
            &t,
            &Kept { fields: fields.clone(), errors },
            &missing,
            &docs,
        )
    };
    let cmd = match cmd {
        Ok(c) => c,
        Err(errors) => return again(errors),
    };
    let version = fields.version.parse().unwrap_or(d.version);
    match uc::command(ctx, user, id, version, Request::cmd(cmd), None).await {
        Ok(d) => see_other(&lang.href(Route::Dossier(&d.id))),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. } | AppError::Transition { .. })) => {
            let mut errors = app_field_errors(&e, fallback_field);
            for f in &mut errors {
                if !["satisfied", "comment", "note"].contains(&f.field.as_str()) && !f.field.starts_with("score_") {
                    f.field = fallback_field.into();
                }
            }
            again(errors)
        }
        Err(e) => error_page(lang, e),
    }
}

/// `POST /ho-so-cua-toi/{id}/danh-gia`: satisfied or not, the five dimensions scored 1..5
/// (optional) and a comment; once per dossier, once its result is handed back.
pub async fn rate(State(ctx): State<AppContext>, lang: Lang, Path(id): Path<String>, form: PageForm) -> Response {
    let PageForm { user, fields: raw } = form;
    let fields: DossierForm = match raw.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let cmd = crate::public::rating::answers(|k| raw.text(k)).map(|a| Command::Rate {
        satisfied: a.satisfied,
        comment: a.comment,
        factors: a.factors,
    });
    run(&ctx, lang, &user, &id, fields, cmd, "satisfied").await
}

/// `POST /ho-so-cua-toi/{id}/bo-sung`: the citizen confirms the supplement is complete.
pub async fn supply(State(ctx): State<AppContext>, lang: Lang, Path(id): Path<String>, form: PageForm) -> Response {
    let PageForm { user, fields } = form;
    let fields: DossierForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let note = Some(fields.note.trim().to_string()).filter(|c| !c.is_empty());
    run(&ctx, lang, &user, &id, fields, Ok(Command::SupplySupplement { note }), "note").await
}

/// `POST /ho-so-cua-toi/{id}/bo-sung/tep`: a file for the supplement (multipart, no JS needed).
pub async fn supplement_upload(State(ctx): State<AppContext>, lang: Lang, Path(id): Path<String>, form: PageUpload) -> Response {
    let PageUpload { user, fields, files } = form;
    let (d, t, missing, docs) = match citizen_dossier(&ctx, lang, &user, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let fields: DossierForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let again = |errors: Vec<FieldError>| {
        detail_page(
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &ctx,
            &user,
            &d,
            &t,
            &Kept { fields: fields.clone(), errors },
            &missing,
            &docs,
        )
    };
    let Some(f) = files.into_iter().find(|f| f.field == "file") else {
        return again(vec![FieldError::new("supplement_file", "required", "Chọn tệp để tải lên.", "Choose a file to upload.")]);
    };
    let key = fields.component_key.clone();
    match uc::attach(&ctx, &user, &id, &key, f.content_type.as_deref(), &f.file_name, f.bytes).await {
        Ok(d) => see_other(&(lang.href(Route::Dossier(&d.id)) + "#supplement-h")),
        Err(e @ (AppError::Validation(_) | AppError::Refused { .. } | AppError::Transition { .. })) => again(
            app_field_errors(&e, "supplement_file")
                .into_iter()
                .map(|mut f| {
                    f.field = "supplement_file".into();
                    f
                })
                .collect(),
        ),
        Err(e) => error_page(lang, e),
    }
}
