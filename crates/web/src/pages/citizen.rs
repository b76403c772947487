//! The citizen's own dossiers:
//!
//! - `GET /ho-so-cua-toi`: every dossier of the account, newest first, drafts included;
//! - `GET /ho-so-cua-toi/{id}`: status (label and national code), dates, timeline, and what
//!   the citizen can do now: supply a supplement (`POST …/bo-sung/tep` uploads a file,
//!   `POST …/bo-sung` confirms), download the result, rate the service once (`POST …/danh-gia`).
//!
//! Every action is an ordinary command of `usecases::dossiers`, as the JSON API's.

use super::filing::size;
use super::form::{FormFields, app_field_errors, error_page, error_summary, field_error, invalid_attrs, page_nav, see_other};
use super::session::{PageForm, PageUpload, PageUser, csrf_input, lang_of, user_bar};
use super::{Lang, esc, other_lang_href, status_text, when, with_lang};
use crate::error::ApiError;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::dossiers::{self as uc, ListQuery, Request, TimelineEntry};
use motcua_app::{AppContext, AppError};
use motcua_domain::dossier::{self, Command, CommandKind, Dossier, RESULT_COMPONENT, Status};
use motcua_domain::error::FieldError;
use motcua_domain::user::AccountType;
use std::fmt::Write;

/// Whether the account is a citizen's (these pages are the applicant's side).
pub fn citizen_only(user: &CurrentUser) -> bool {
    user.user.account_type == AccountType::Citizen
}

pub fn not_citizen(lang: Lang) -> Response {
    error_page(
        lang,
        ApiError::new(
            StatusCode::FORBIDDEN,
            "citizens_only",
            "Trang này dành cho tài khoản công dân, tổ chức nộp hồ sơ.",
            "This page is for applicants' accounts.",
        ),
    )
}

/// A citizen page: the user bar and the citizen's navigation above `body`.
pub fn frame(status: StatusCode, lang: Lang, title: &str, path: &str, user: &CurrentUser, body: &str) -> Response {
    let nav = format!(
        r#"<div class="bar no-print"><nav class="citizen" aria-label="{nav_l}"><a href="{mine}">{mine_l}</a> <a href="{find}">{find_l}</a> <a href="{track}">{track_l}</a></nav>{bar}</div>"#,
        nav_l = lang.t("Công dân", "Applicant"),
        mine = esc(&with_lang(lang, "/ho-so-cua-toi")),
        mine_l = lang.t("Hồ sơ của tôi", "My dossiers"),
        find = esc(&with_lang(lang, "/thu-tuc")),
        find_l = lang.t("Tìm thủ tục", "Find a procedure"),
        track = esc(&with_lang(lang, "/tra-cuu")),
        track_l = lang.t("Tra cứu hồ sơ", "Track a dossier"),
        bar = user_bar(lang, user),
    );
    page_nav(status, lang, title, &other_lang_href(lang, path), &nav, body)
}

/// A dossier the user may read, with its timeline, or the error page.
pub async fn load(ctx: &AppContext, lang: Lang, user: &CurrentUser, id: &str) -> Result<(Dossier, Vec<TimelineEntry>), Response> {
    uc::get(ctx, user, id).await.map_err(|e| error_page(lang, e))
}

/// `GET /ho-so-cua-toi`: the citizen's dossiers.
pub async fn my_dossiers(State(ctx): State<AppContext>, uri: Uri, PageUser(user): PageUser) -> Response {
    let lang = lang_of(&uri);
    if !citizen_only(&user) {
        return not_citizen(lang);
    }
    let (items, total, _) = match uc::list(&ctx, &user, ListQuery { limit: 100, ..Default::default() }).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let title = lang.t("Hồ sơ của tôi", "My dossiers");
    let mut b = format!("<h1>{title}</h1>");
    if items.is_empty() {
        let _ = write!(
            b,
            r#"<p>{}</p><p><a class="button" href="{}">{}</a></p>"#,
            lang.t("Bạn chưa có hồ sơ nào.", "You have no dossiers yet."),
            esc(&with_lang(lang, "/thu-tuc?online_level=full")),
            lang.t("Tìm thủ tục để nộp trực tuyến", "Find a procedure to file online")
        );
    } else {
        let _ = write!(
            b,
            r#"<p class="meta">{}</p><table class="grid dossiers"><caption class="vh">{title}</caption><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>"#,
            match lang {
                Lang::Vi => format!("{total} hồ sơ."),
                Lang::En => format!("{total} dossiers."),
            },
            lang.t("Hồ sơ", "Dossier"),
            lang.t("Tình trạng", "Status"),
            lang.t("Nộp lúc", "Filed"),
            lang.t("Hẹn trả kết quả", "Result due"),
        );
        for d in &items {
            let href = if d.status == Status::Draft {
                format!("/ho-so-cua-toi/{}/xem-lai", d.id)
            } else {
                format!("/ho-so-cua-toi/{}", d.id)
            };
            let _ = write!(
                b,
                r#"<tr><td><a href="{href}">{name}</a><br><span class="meta">{code}</span></td><td><span class="tag s-{sc}">{status}</span></td><td>{sub}</td><td>{appt}</td></tr>"#,
                href = esc(&with_lang(lang, &href)),
                name = esc(&d.procedure.name),
                code = esc(d.code.as_deref().unwrap_or(lang.t("Chưa có mã (chưa tiếp nhận)", "No code yet (not received)"))),
                sc = d.status.code(),
                status = esc(&status_text(lang, d.status)),
                sub = when(d.submitted_at),
                appt = when(d.appointment_at),
            );
        }
        b.push_str("</tbody></table>");
    }
    frame(StatusCode::OK, lang, title, "/ho-so-cua-toi", &user, &b)
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

/// The values kept when a detail-page form is re-rendered with errors.
#[derive(Default)]
struct Kept {
    fields: FormFields,
    errors: Vec<FieldError>,
}

fn detail_page(
    lang: Lang,
    status: StatusCode,
    now_ms: i64,
    user: &CurrentUser,
    d: &Dossier,
    timeline: &[TimelineEntry],
    kept: &Kept,
) -> Response {
    let errors = &kept.errors;
    let mut b = error_summary(lang, errors);
    let _ = write!(
        b,
        r#"<p class="crumbs no-print"><a href="{mine}">{mine_l}</a></p>
<h1>{proc}</h1>
<dl class="summary">
<dt>{code_l}</dt><dd>{code}</dd>
<dt>{status_l}</dt><dd><strong class="status">{status}</strong></dd>
<dt>{sub_l}</dt><dd>{sub}</dd>
<dt>{rec_l}</dt><dd>{rec}</dd>
<dt>{appt_l}</dt><dd>{appt}</dd>
<dt>{due_l}</dt><dd>{due}</dd>
<dt>{where_l}</dt><dd>{where_}</dd>
</dl>"#,
        mine = esc(&with_lang(lang, "/ho-so-cua-toi")),
        mine_l = lang.t("← Hồ sơ của tôi", "← My dossiers"),
        proc = esc(&d.procedure.name),
        code_l = lang.t("Mã hồ sơ", "Dossier code"),
        code = esc(d.code.as_deref().unwrap_or(lang.t("Chưa có (có khi hồ sơ được tiếp nhận)", "None yet (given at reception)"))),
        status_l = lang.t("Tình trạng", "Status"),
        status = esc(&status_text(lang, d.status)),
        sub_l = lang.t("Nộp lúc", "Filed at"),
        sub = when(d.submitted_at),
        rec_l = lang.t("Tiếp nhận lúc", "Received at"),
        rec = when(d.received_at),
        appt_l = lang.t("Ngày hẹn trả kết quả", "Result due on"),
        appt = when(d.appointment_at),
        due_l = lang.t("Hạn giải quyết", "Legal deadline"),
        due = when(d.due_at),
        where_l = lang.t("Đang ở", "Now at"),
        where_ = esc(&d.current_agency().name),
    );
    if d.status == Status::Draft {
        let _ = write!(
            b,
            r#"<p><a class="button" href="{}">{}</a></p>"#,
            esc(&with_lang(lang, &format!("/ho-so-cua-toi/{}/xem-lai", d.id))),
            lang.t("Tiếp tục nộp hồ sơ", "Continue filing")
        );
    }
    // The forms offered are what the domain's guard table lets the applicant do now.
    let now = jiff::Timestamp::from_millisecond(now_ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let offered = dossier::available(d, &super::officer::actor_of(user), now);
    if offered.contains(&CommandKind::SupplySupplement) {
        supplement_section(&mut b, lang, user, d, kept);
    }
    result_section(&mut b, lang, d);
    rating_section(&mut b, lang, user, d, kept, offered.contains(&CommandKind::Rate));
    let _ = write!(b, r#"<h2>{}</h2><ol class="timeline">"#, lang.t("Quá trình xử lý", "Timeline"));
    for e in timeline.iter().rev() {
        let detail = match e.kind.as_str() {
            "file_attached" => e.event["file"]["name"].as_str().map(esc).unwrap_or_default(),
            "supplement_requested" => e.event["items"]
                .as_array()
                .map(|items| items.iter().filter_map(|i| i["name"].as_str()).map(esc).collect::<Vec<_>>().join("; "))
                .unwrap_or_default(),
            "resolved" => e.event["result"]["name"].as_str().or(e.event["name"].as_str()).map(esc).unwrap_or_default(),
            _ => String::new(),
        };
        let _ = write!(
            b,
            r#"<li><span class="when">{}</span> <strong>{}</strong>{}</li>"#,
            when(Some(e.at)),
            event_label(lang, &e.kind),
            if detail.is_empty() { String::new() } else { format!(": {detail}") }
        );
    }
    b.push_str("</ol>");
    let title = super::form::title_with_errors(lang, &d.procedure.name, errors);
    frame(status, lang, &title, &format!("/ho-so-cua-toi/{}", d.id), user, &b)
}

fn supplement_section(b: &mut String, lang: Lang, user: &CurrentUser, d: &Dossier, kept: &Kept) {
    let Some(s) = d.supplements.last() else { return };
    let errors = &kept.errors;
    let _ = write!(
        b,
        r#"<section class="callout warning" aria-labelledby="supplement-h"><h2 id="supplement-h">{}</h2><p>{}</p><ul>"#,
        lang.t("Cần bổ sung giấy tờ", "Documents to supply"),
        lang.t("Cơ quan giải quyết yêu cầu bổ sung:", "The processing agency asks for:")
    );
    for i in &s.items {
        let _ = write!(b, "<li><strong>{}</strong>: {}</li>", esc(&i.name), esc(&i.reason));
    }
    b.push_str("</ul>");
    let added: Vec<_> = d.files.iter().filter(|f| !f.removed && f.at >= s.requested_at && f.by == user.user.id).collect();
    if !added.is_empty() {
        let _ = write!(b, "<p>{}</p><ul class=\"files\">", lang.t("Đã tải lên để bổ sung:", "Uploaded for the supplement:"));
        for f in added {
            let _ = write!(b, "<li>{} <span class=\"meta\">({})</span></li>", esc(&f.name), size(f.size));
        }
        b.push_str("</ul>");
    }
    let mut options = String::new();
    let chosen = kept.fields.get("component_key").unwrap_or("");
    let mut keys: Vec<(String, String)> =
        s.items.iter().filter_map(|i| Some((i.component_key.clone()?, i.name.clone()))).collect();
    for c in &d.components {
        if !keys.iter().any(|(k, _)| *k == c.key) {
            keys.push((c.key.clone(), c.name.clone()));
        }
    }
    keys.push(("other".into(), lang.t("Giấy tờ khác", "Other document").into()));
    for (k, n) in keys {
        let sel = if k == chosen { " selected" } else { "" };
        let _ = write!(options, r#"<option value="{}"{sel}>{}</option>"#, esc(&k), esc(&n));
    }
    let _ = write!(
        b,
        r#"<form class="stack" method="post" action="{up}" enctype="multipart/form-data" novalidate>
{csrf}<div class="field"><label for="component_key">{which}</label><select id="component_key" name="component_key">{options}</select></div>
<div class="field"><label for="supplement_file">{file_l}</label>{ferr}<input id="supplement_file" name="file" type="file" accept=".pdf,.jpg,.jpeg,.png,.docx,.xlsx"{fattr}></div>
<button type="submit" class="secondary">{upload}</button>
</form>
<form class="stack" method="post" action="{confirm}" novalidate>
{csrf}<input type="hidden" name="version" value="{version}">
<div class="field"><label for="note">{note_l}</label>{nerr}<textarea id="note" name="note" rows="3" class="prose"{nattr}>{note}</textarea></div>
<button type="submit">{done}</button>
</form></section>"#,
        up = esc(&with_lang(lang, &format!("/ho-so-cua-toi/{}/bo-sung/tep", d.id))),
        csrf = csrf_input(user),
        which = lang.t("Giấy tờ bổ sung", "Document"),
        file_l = lang
            .t("Chọn tệp (PDF, JPG, PNG, DOCX, XLSX; tối đa 20 MB)", "Choose a file (PDF, JPG, PNG, DOCX, XLSX; up to 20 MB)"),
        ferr = field_error(lang, errors, "supplement_file"),
        fattr = invalid_attrs(errors, "supplement_file"),
        upload = lang.t("Tải tệp lên", "Upload the file"),
        confirm = esc(&with_lang(lang, &format!("/ho-so-cua-toi/{}/bo-sung", d.id))),
        version = d.version,
        note_l = lang.t("Ghi chú cho cơ quan giải quyết (không bắt buộc)", "Note for the agency (optional)"),
        nerr = field_error(lang, errors, "note"),
        nattr = invalid_attrs(errors, "note"),
        note = esc(kept.fields.get("note").unwrap_or("")),
        done = lang.t("Xác nhận đã bổ sung", "Confirm the supplement"),
    );
}

fn result_section(b: &mut String, lang: Lang, d: &Dossier) {
    let files: Vec<_> = d.files.iter().filter(|f| !f.removed && f.component_key == RESULT_COMPONENT).collect();
    if d.result.is_none() && files.is_empty() {
        return;
    }
    let _ = write!(b, r#"<section aria-labelledby="result-h"><h2 id="result-h">{}</h2>"#, lang.t("Kết quả giải quyết", "Result"));
    if let Some(r) = &d.result {
        let _ = write!(
            b,
            "<p><strong>{}</strong>{}</p>",
            esc(&r.name),
            r.number.as_deref().map(|n| format!(" – {} {}", lang.t("số", "no."), esc(n))).unwrap_or_default()
        );
    }
    if !files.is_empty() {
        b.push_str(r#"<ul class="files">"#);
        for f in files {
            let _ = write!(
                b,
                r#"<li><a class="download" href="/api/v1/dossiers/{}/files/{}" download>{} {}</a> <span class="meta">({})</span></li>"#,
                esc(&d.id),
                esc(&f.id),
                lang.t("Tải kết quả:", "Download the result:"),
                esc(&f.name),
                size(f.size)
            );
        }
        b.push_str("</ul>");
    }
    b.push_str("</section>");
}

fn rating_section(b: &mut String, lang: Lang, user: &CurrentUser, d: &Dossier, kept: &Kept, may_rate: bool) {
    if let Some(r) = &d.rating {
        let _ = write!(
            b,
            r#"<section aria-labelledby="rating-h"><h2 id="rating-h">{}</h2><p class="rated">{}: <strong>{}</strong>{}</p></section>"#,
            lang.t("Đánh giá của bạn", "Your rating"),
            lang.t("Bạn đã đánh giá", "You rated the service"),
            if r.satisfied { lang.t("Hài lòng", "Satisfied") } else { lang.t("Không hài lòng", "Not satisfied") },
            r.comment.as_deref().map(|c| format!(" – “{}”", esc(c))).unwrap_or_default()
        );
        return;
    }
    if !may_rate {
        return;
    }
    let errors = &kept.errors;
    let chosen = kept.fields.get("satisfied").unwrap_or("");
    let radio = |v: &str, label: &str| {
        format!(
            r#"<div class="check"><input id="satisfied-{v}" name="satisfied" type="radio" value="{v}"{}><label for="satisfied-{v}">{label}</label></div>"#,
            if chosen == v { " checked" } else { "" }
        )
    };
    let _ = write!(
        b,
        r#"<section aria-labelledby="rating-h"><h2 id="rating-h">{title}</h2>
<form class="stack" method="post" action="{action}" novalidate>
{csrf}<input type="hidden" name="version" value="{version}">
<fieldset id="satisfied"{sattr}><legend>{q}</legend>{serr}{yes}{no}</fieldset>
<div class="field"><label for="comment">{c_l}</label>{cerr}<textarea id="comment" name="comment" rows="3" class="prose"{cattr}>{comment}</textarea></div>
<button type="submit">{go}</button>
</form></section>"#,
        title = lang.t("Đánh giá mức độ hài lòng", "Rate the service"),
        action = esc(&with_lang(lang, &format!("/ho-so-cua-toi/{}/danh-gia", d.id))),
        csrf = csrf_input(user),
        version = d.version,
        sattr = if errors.iter().any(|e| e.field == "satisfied") { r#" aria-describedby="satisfied-error""# } else { "" },
        q = lang
            .t("Bạn có hài lòng với việc giải quyết hồ sơ này không?", "Are you satisfied with how this dossier was handled?"),
        serr = field_error(lang, errors, "satisfied"),
        yes = radio("yes", lang.t("Hài lòng", "Satisfied")),
        no = radio("no", lang.t("Không hài lòng", "Not satisfied")),
        c_l = lang.t("Góp ý (không bắt buộc)", "Comment (optional)"),
        cerr = field_error(lang, errors, "comment"),
        cattr = invalid_attrs(errors, "comment"),
        comment = esc(kept.fields.get("comment").unwrap_or("")),
        go = lang.t("Gửi đánh giá", "Send the rating"),
    );
}

async fn citizen_dossier(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    id: &str,
) -> Result<(Dossier, Vec<TimelineEntry>), Response> {
    if !citizen_only(user) {
        return Err(not_citizen(lang));
    }
    load(ctx, lang, user, id).await
}

/// `GET /ho-so-cua-toi/{id}`: the citizen's dossier.
pub async fn dossier_page(State(ctx): State<AppContext>, uri: Uri, Path(id): Path<String>, PageUser(user): PageUser) -> Response {
    let lang = lang_of(&uri);
    match citizen_dossier(&ctx, lang, &user, &id).await {
        Ok((d, t)) => detail_page(lang, StatusCode::OK, ctx.clock.now_ms(), &user, &d, &t, &Kept::default()),
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
    fields: FormFields,
    cmd: Result<Command, Vec<FieldError>>,
    fallback_field: &str,
) -> Response {
    let (d, t) = match citizen_dossier(ctx, lang, user, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let again = |errors: Vec<FieldError>| {
        detail_page(
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.clock.now_ms(),
            user,
            &d,
            &t,
            &Kept { fields: fields.clone(), errors },
        )
    };
    let cmd = match cmd {
        Ok(c) => c,
        Err(errors) => return again(errors),
    };
    let version = fields.get("version").and_then(|v| v.parse().ok()).unwrap_or(d.version);
    match uc::command(ctx, user, id, version, Request::cmd(cmd), None).await {
        Ok(d) => see_other(&with_lang(lang, &format!("/ho-so-cua-toi/{}", d.id))),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. } | AppError::Transition { .. })) => {
            let mut errors = app_field_errors(&e, fallback_field);
            for f in &mut errors {
                if !["satisfied", "comment", "note"].contains(&f.field.as_str()) {
                    f.field = fallback_field.into();
                }
            }
            again(errors)
        }
        Err(e) => error_page(lang, e),
    }
}

/// `POST /ho-so-cua-toi/{id}/danh-gia`: satisfied or not, with a comment; once per dossier.
pub async fn rate(State(ctx): State<AppContext>, uri: Uri, Path(id): Path<String>, form: PageForm) -> Response {
    let lang = lang_of(&uri);
    let PageForm { user, fields } = form;
    let comment = Some(fields.text("comment").trim().to_string()).filter(|c| !c.is_empty());
    let cmd = match fields.get("satisfied") {
        Some("yes") => Ok(Command::Rate { satisfied: true, comment }),
        Some("no") => Ok(Command::Rate { satisfied: false, comment }),
        _ => Err(vec![FieldError::new(
            "satisfied",
            "required",
            "Chọn Hài lòng hoặc Không hài lòng.",
            "Choose Satisfied or Not satisfied.",
        )]),
    };
    run(&ctx, lang, &user, &id, fields, cmd, "satisfied").await
}

/// `POST /ho-so-cua-toi/{id}/bo-sung`: the citizen confirms the supplement is complete.
pub async fn supply(State(ctx): State<AppContext>, uri: Uri, Path(id): Path<String>, form: PageForm) -> Response {
    let lang = lang_of(&uri);
    let PageForm { user, fields } = form;
    let note = Some(fields.text("note").trim().to_string()).filter(|c| !c.is_empty());
    run(&ctx, lang, &user, &id, fields, Ok(Command::SupplySupplement { note }), "note").await
}

/// `POST /ho-so-cua-toi/{id}/bo-sung/tep`: a file for the supplement (multipart, no JS needed).
pub async fn supplement_upload(State(ctx): State<AppContext>, uri: Uri, Path(id): Path<String>, form: PageUpload) -> Response {
    let lang = lang_of(&uri);
    let PageUpload { user, fields, files } = form;
    let (d, t) = match citizen_dossier(&ctx, lang, &user, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let again = |errors: Vec<FieldError>| {
        detail_page(
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.clock.now_ms(),
            &user,
            &d,
            &t,
            &Kept { fields: fields.clone(), errors },
        )
    };
    let Some(f) = files.into_iter().find(|f| f.field == "file") else {
        return again(vec![FieldError::new("supplement_file", "required", "Chọn tệp để tải lên.", "Choose a file to upload.")]);
    };
    let key = fields.text("component_key");
    match uc::attach(&ctx, &user, &id, &key, f.content_type.as_deref(), &f.file_name, f.bytes).await {
        Ok(d) => see_other(&with_lang(lang, &format!("/ho-so-cua-toi/{}#supplement-h", d.id))),
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
