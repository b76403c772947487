//! Officer pages under `/can-bo`: the inbox, the dossier page with the actions the officer
//! may take now, inline previews of attached files and the printable control slip (form 06).
//!
//! Which actions a page offers is not a second copy of the rules: the domain's guard table
//! says (`dossier::available`), the same table `decide` checks first. The POST that follows
//! runs the real command with the version the page was rendered from, so a page left open
//! while someone else acted gets "stale version" and changes nothing.

use super::form::{FormFields, error_page, error_summary, field_error, invalid_attrs, page, see_other, title_with_errors};
use super::session::{PageForm, PageUser, csrf_input, lang_of, user_bar};
use super::{Lang, esc};
use crate::error::ApiError;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::error::hanoi_time;
use motcua_app::usecases::dossiers::{self as uc, ComponentInput, Request, TimelineEntry};
use motcua_app::{AppContext, AppError};
use motcua_domain::authz::{Permission, authorize_user};
use motcua_domain::calendar::{TimeLimit, Timeliness};
use motcua_domain::catalog::Channel;
use motcua_domain::dossier::{
    self, Actor, Command, CommandKind, Dossier, FeeItem, FileRef, PaymentMethod, RESULT_COMPONENT, ReturnMethod, Status,
    SupplementItem,
};
use motcua_domain::error::FieldError;
use motcua_domain::user::{AccountType, Role};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt::Write;

pub const INBOX: &str = "/can-bo/ho-so";
/// A dossier due within this much time is "due soon" (the inbox counts use the same window).
pub const DUE_SOON_MS: i64 = 86_400_000;

// ---------------------------------------------------------------------------------------
// Shared frame

pub fn with_lang(lang: Lang, path: &str) -> String {
    match lang {
        Lang::Vi => path.to_string(),
        Lang::En if path.contains('?') => format!("{path}&lang=en"),
        Lang::En => format!("{path}?lang=en"),
    }
}

pub fn other_lang(lang: Lang, path: &str) -> String {
    if lang == Lang::Vi { with_lang(Lang::En, path) } else { path.to_string() }
}

pub fn is_reception_officer(user: &CurrentUser) -> bool {
    user.principal.memberships.iter().any(|m| m.role == Role::ReceptionOfficer)
}

fn is_admin(user: &CurrentUser) -> bool {
    user.principal.memberships.iter().any(|m| m.role == Role::Admin)
}

/// Officer pages are for officials; citizens get the 403 page.
pub fn refuse_non_official(lang: Lang, user: &CurrentUser) -> Option<Response> {
    (user.user.account_type != AccountType::Official).then(|| error_page(lang, AppError::Forbidden))
}

/// The frame of every officer and admin page: who is logged in, the officer menu, the
/// error summary, then the body.
#[allow(clippy::too_many_arguments)]
pub fn officer_page(
    status: StatusCode,
    lang: Lang,
    user: &CurrentUser,
    current: &str,
    title: &str,
    other: &str,
    errors: &[FieldError],
    body: &str,
) -> Response {
    let mut links: Vec<(&str, &str)> = vec![(INBOX, lang.t("Hồ sơ cần xử lý", "Dossiers to handle"))];
    if is_reception_officer(user) {
        links.push(("/can-bo/tiep-nhan", lang.t("Tiếp nhận tại quầy", "Counter reception")));
    }
    links.push(("/can-bo/so-theo-doi", lang.t("Sổ theo dõi hồ sơ", "Dossier register")));
    if is_admin(user) {
        links.push(("/quan-tri/co-quan", lang.t("Cơ quan", "Agencies")));
        links.push(("/quan-tri/nguoi-dung", lang.t("Người dùng", "Users")));
        if authorize_user(&user.principal, Permission::ManageCatalog, &[]).is_ok() {
            links.push(("/quan-tri/quy-trinh", lang.t("Quy trình", "Workflows")));
            links.push(("/quan-tri/lich", lang.t("Lịch làm việc", "Work calendar")));
            links.push(("/quan-tri/thu-tuc", lang.t("Thủ tục", "Procedures")));
        }
    }
    let mut nav = format!(r#"<nav class="officer" aria-label="{}"><ul>"#, lang.t("Chức năng cán bộ", "Officer menu"));
    for (href, label) in links {
        let cur = if href == current { r#" aria-current="page""# } else { "" };
        let _ = write!(nav, r#"<li><a href="{}"{cur}>{}</a></li>"#, with_lang(lang, href), esc(label));
    }
    nav.push_str("</ul></nav>");
    let frame = format!(r#"{bar}{nav}{summary}{body}"#, bar = user_bar(lang, user), summary = error_summary(lang, errors));
    page(status, lang, &title_with_errors(lang, title, errors), other, &frame)
}

pub fn time(ms: Option<i64>) -> String {
    ms.map(hanoi_time).unwrap_or_else(|| "—".into())
}

pub fn status_label(lang: Lang, s: Status) -> &'static str {
    lang.t(s.label_vi(), s.label_en())
}

pub fn timeliness_label(lang: Lang, t: Option<Timeliness>) -> &'static str {
    match t {
        Some(Timeliness::Early) => lang.t("Trước hạn", "Early"),
        Some(Timeliness::OnTime) => lang.t("Đúng hạn", "On time"),
        Some(Timeliness::Late) => lang.t("Quá hạn", "Late"),
        None => "—",
    }
}

pub fn channel_label(lang: Lang, c: Channel) -> &'static str {
    match c {
        Channel::Counter => lang.t("Trực tiếp tại quầy", "At the counter"),
        Channel::Online => lang.t("Trực tuyến", "Online"),
        Channel::Postal => lang.t("Bưu chính công ích", "Public postal service"),
    }
}

pub fn role_label(lang: Lang, r: Role) -> &'static str {
    lang.t(r.label_vi(), r.label_en())
}

pub fn limit_label(lang: Lang, t: TimeLimit) -> String {
    use motcua_domain::calendar::TimeUnit;
    if t == TimeLimit::WITHIN_DAY {
        return lang.t("Trong ngày", "Within the day").into();
    }
    let unit = match (t.unit, lang) {
        (u, Lang::Vi) => u.label_vi(),
        (TimeUnit::Hours, Lang::En) => "office hours",
        (TimeUnit::Days, Lang::En) => "days",
        (TimeUnit::WorkingDays, Lang::En) => "working days",
        (TimeUnit::Months, Lang::En) => "months",
    };
    format!("{} {unit}", t.value)
}

/// Due status of an unfinished dossier, for the inbox colours (always with text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueState {
    Overdue,
    DueSoon,
    OnTrack,
}

pub fn due_state(d: &Dossier, now: i64) -> Option<DueState> {
    if d.finished_at.is_some() {
        return None;
    }
    let due = d.due_at?;
    Some(if now > due {
        DueState::Overdue
    } else if due - now <= DUE_SOON_MS {
        DueState::DueSoon
    } else {
        DueState::OnTrack
    })
}

fn due_badge(lang: Lang, s: Option<DueState>, paused: bool) -> String {
    let (class, text) = match s {
        Some(DueState::Overdue) => ("due overdue", lang.t("⚠ Quá hạn", "⚠ Overdue")),
        Some(DueState::DueSoon) => ("due soon", lang.t("⏰ Đến hạn trong 1 ngày", "⏰ Due within a day")),
        Some(DueState::OnTrack) => ("due ok", lang.t("✓ Trong hạn", "✓ On track")),
        None => return String::new(),
    };
    let pause = if paused {
        format!(r#" <span class="badge">{}</span>"#, lang.t("Tạm dừng tính thời gian", "Clock paused"))
    } else {
        String::new()
    };
    format!(r#"<span class="{class}">{text}</span>{pause}"#)
}

// ---------------------------------------------------------------------------------------
// Actions: which ones, and the forms

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Receive,
    Refuse,
    Supplement,
    SupplySupplement,
    Forward,
    SendBack,
    NoticeFees,
    MarkPaid,
    Stop,
    Withdraw,
    Extend,
    AttachResult,
    Resolve,
    Return,
    Attach,
}

impl Action {
    pub const ALL: [Action; 15] = [
        Self::Receive,
        Self::Refuse,
        Self::Supplement,
        Self::SupplySupplement,
        Self::Forward,
        Self::SendBack,
        Self::NoticeFees,
        Self::MarkPaid,
        Self::Extend,
        Self::AttachResult,
        Self::Resolve,
        Self::Return,
        Self::Attach,
        Self::Stop,
        Self::Withdraw,
    ];

    /// The path segment of the action's form (`/can-bo/ho-so/{id}/{slug}`), also the id of its section.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Receive => "tiep-nhan",
            Self::Refuse => "tu-choi",
            Self::Supplement => "yeu-cau-bo-sung",
            Self::SupplySupplement => "da-bo-sung",
            Self::Forward => "chuyen-tiep",
            Self::SendBack => "tra-lai",
            Self::NoticeFees => "thong-bao-phi",
            Self::MarkPaid => "da-nop-phi",
            Self::Stop => "dung-xu-ly",
            Self::Withdraw => "rut-ho-so",
            Self::Extend => "gia-han",
            Self::AttachResult => "tep-ket-qua",
            Self::Resolve => "ket-qua",
            Self::Return => "tra-ket-qua",
            Self::Attach => "tep",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.slug() == s)
    }

    fn title(self, lang: Lang) -> &'static str {
        match self {
            Self::Receive => lang.t("Tiếp nhận hồ sơ", "Receive the dossier"),
            Self::Refuse => lang.t("Từ chối tiếp nhận (Mẫu 03)", "Refuse the dossier (form 03)"),
            Self::Supplement => lang.t("Yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)", "Request a supplement (form 02)"),
            Self::SupplySupplement => lang.t("Người nộp đã bổ sung hồ sơ", "The applicant has supplied the supplement"),
            Self::Forward => lang.t("Chuyển bước tiếp theo", "Forward to the next step"),
            Self::SendBack => lang.t("Trả lại bước trước", "Send back one step"),
            Self::NoticeFees => lang.t("Thông báo phí, lệ phí", "Fee notice"),
            Self::MarkPaid => lang.t("Xác nhận đã nộp phí, lệ phí", "Mark the fees paid"),
            Self::Stop => lang.t("Dừng giải quyết (Mẫu 05)", "Stop processing (form 05)"),
            Self::Withdraw => lang.t("Rút hồ sơ theo yêu cầu của người nộp", "Withdraw at the applicant's request"),
            Self::Extend => lang.t(
                "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết (Mẫu 04)",
                "Apology and request to extend the time for resolution (form 04)",
            ),
            Self::AttachResult => lang.t("Đính kèm văn bản kết quả", "Attach the result document"),
            Self::Resolve => lang.t("Ghi nhận kết quả giải quyết", "Record the result"),
            Self::Return => lang.t("Trả kết quả cho người nộp", "Return the result"),
            Self::Attach => lang.t("Đính kèm tệp thành phần hồ sơ", "Attach a component file"),
        }
    }

    fn done(self, lang: Lang) -> &'static str {
        match self {
            Self::Receive => lang.t("Đã tiếp nhận hồ sơ.", "The dossier was received."),
            Self::Refuse => lang.t("Đã từ chối tiếp nhận hồ sơ.", "The dossier was refused."),
            Self::Supplement => lang.t("Đã gửi yêu cầu bổ sung.", "The supplement request was sent."),
            Self::SupplySupplement => lang.t("Đã ghi nhận hồ sơ bổ sung.", "The supplement was recorded."),
            Self::Forward => lang.t("Đã chuyển hồ sơ sang bước tiếp theo.", "The dossier was forwarded."),
            Self::SendBack => lang.t("Đã trả lại hồ sơ về bước trước.", "The dossier was sent back."),
            Self::NoticeFees => lang.t("Đã thông báo phí, lệ phí.", "The fee notice was sent."),
            Self::MarkPaid => lang.t("Đã ghi nhận nộp phí, lệ phí.", "The payment was recorded."),
            Self::Stop => lang.t("Đã dừng giải quyết hồ sơ.", "Processing was stopped."),
            Self::Withdraw => lang.t("Đã rút hồ sơ.", "The dossier was withdrawn."),
            Self::Extend => lang.t("Đã hẹn lại ngày trả kết quả.", "The new appointment was recorded."),
            Self::AttachResult | Self::Attach => lang.t("Đã đính kèm tệp.", "The file was attached."),
            Self::Resolve => lang.t("Đã ghi nhận kết quả giải quyết.", "The result was recorded."),
            Self::Return => lang.t("Đã trả kết quả.", "The result was returned."),
        }
    }

    /// The row of the domain's guard table behind the action.
    fn kind(self) -> CommandKind {
        match self {
            Self::Receive => CommandKind::Receive,
            Self::Refuse => CommandKind::Refuse,
            Self::Supplement => CommandKind::RequestSupplement,
            Self::SupplySupplement => CommandKind::SupplySupplement,
            Self::Forward => CommandKind::Forward,
            Self::SendBack => CommandKind::SendBack,
            Self::NoticeFees => CommandKind::NoticeFees,
            Self::MarkPaid => CommandKind::MarkPaid,
            Self::Stop => CommandKind::Stop,
            Self::Withdraw => CommandKind::Withdraw,
            Self::Extend => CommandKind::Extend,
            Self::AttachResult => CommandKind::AttachResult,
            Self::Resolve => CommandKind::Resolve,
            Self::Return => CommandKind::Return,
            Self::Attach => CommandKind::AttachFile,
        }
    }
}

pub fn actor_of(user: &CurrentUser) -> Actor<'_> {
    Actor { user_id: &user.user.id, account: user.user.account_type, memberships: &user.principal.memberships }
}

/// The actions this user may take on the dossier now, and the payment methods they may
/// record: what the domain's guard table offers (`dossier::available`).
pub fn allowed(ctx: &AppContext, user: &CurrentUser, d: &Dossier) -> (Vec<Action>, Vec<PaymentMethod>) {
    let now = jiff::Timestamp::from_millisecond(ctx.clock.now_ms()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let actor = actor_of(user);
    let kinds = dossier::available(d, &actor, now);
    let methods: Vec<PaymentMethod> = if kinds.contains(&CommandKind::MarkPaid) {
        dossier::PAYMENT.iter().map(|(m, _)| *m).filter(|m| dossier::may_record_payment(d, &actor, *m)).collect()
    } else {
        Vec::new()
    };
    (Action::ALL.into_iter().filter(|a| kinds.contains(&a.kind())).collect(), methods)
}

/// The id of an input of an action's form: `{slug}-{name}` with `.[]` turned into dashes.
pub fn fid(slug: &str, name: &str) -> String {
    let mut s = format!("{slug}-");
    let mut dash = true;
    for c in name.chars() {
        if matches!(c, '.' | '[' | ']' | ' ') {
            if !dash {
                s.push('-');
                dash = true;
            }
        } else {
            s.push(c);
            dash = false;
        }
    }
    s.trim_end_matches('-').to_string()
}

/// A failed action: its form is shown again with the values as typed and its errors.
pub struct Failed<'a> {
    pub action: Action,
    pub fields: &'a FormFields,
    pub errors: Vec<FieldError>,
}

struct FormCx<'a> {
    lang: Lang,
    action: Action,
    failed: Option<&'a Failed<'a>>,
}

impl FormCx<'_> {
    fn mine(&self) -> Option<&Failed<'_>> {
        self.failed.filter(|f| f.action == self.action)
    }
    fn id(&self, name: &str) -> String {
        fid(self.action.slug(), name)
    }
    /// The value as typed (after a failed attempt) or the default.
    fn val(&self, name: &str, default: &str) -> String {
        esc(self.mine().map_or(default, |f| f.fields.get(name).unwrap_or("")))
    }
    fn checked(&self, name: &str, default: bool) -> &'static str {
        let on = self.mine().map_or(default, |f| f.fields.checked(name));
        if on { " checked" } else { "" }
    }
    fn errs(&self) -> &[FieldError] {
        self.mine().map_or(&[], |f| f.errors.as_slice())
    }
    fn err(&self, name: &str) -> String {
        field_error(self.lang, self.errs(), &self.id(name))
    }
    fn attrs(&self, name: &str) -> String {
        invalid_attrs(self.errs(), &self.id(name))
    }
    fn input(&self, name: &str, label: &str, kind: &str, default: &str, extra: &str) -> String {
        let id = self.id(name);
        format!(
            r#"<div class="field">{err}<label for="{id}">{label}</label><input id="{id}" name="{name}" type="{kind}" value="{v}"{a}{extra}></div>"#,
            err = self.err(name),
            label = esc(label),
            v = self.val(name, default),
            a = self.attrs(name),
        )
    }
    fn textarea(&self, name: &str, label: &str, hint: &str, rows: u8) -> String {
        let id = self.id(name);
        let hint_html =
            if hint.is_empty() { String::new() } else { format!(r#"<p class="hint" id="{id}-hint">{}</p>"#, esc(hint)) };
        let described = if hint.is_empty() || !self.attrs(name).is_empty() {
            String::new()
        } else {
            format!(r#" aria-describedby="{id}-hint""#)
        };
        format!(
            r#"<div class="field">{err}<label for="{id}">{label}</label>{hint_html}<textarea class="prose" id="{id}" name="{name}" rows="{rows}"{a}{described}>{v}</textarea></div>"#,
            err = self.err(name),
            label = esc(label),
            v = self.val(name, ""),
            a = self.attrs(name),
        )
    }
}

fn action_form(lang: Lang, user: &CurrentUser, d: &Dossier, a: Action, inner: &str, button: &str, multipart: bool) -> String {
    let enc = if multipart { r#" enctype="multipart/form-data""# } else { "" };
    let class = if matches!(a, Action::Refuse | Action::Stop | Action::Withdraw) { "warning" } else { "" };
    format!(
        r#"<section class="action" id="{slug}" aria-labelledby="{slug}-title"><h3 id="{slug}-title">{title}</h3>
<form class="stack" method="post" action="{INBOX}/{id}/{slug}{lq}"{enc}>{csrf}<input type="hidden" name="version" value="{v}">
{inner}<div><button type="submit" class="{class}">{button}</button></div></form></section>"#,
        slug = a.slug(),
        title = esc(a.title(lang)),
        id = esc(&d.id),
        lq = lang.suffix(),
        csrf = csrf_input(user),
        v = d.version,
    )
}

fn forms(
    lang: Lang,
    user: &CurrentUser,
    d: &Dossier,
    actions: &[Action],
    methods: &[PaymentMethod],
    failed: Option<&Failed<'_>>,
) -> String {
    let mut out = String::new();
    for &a in actions {
        let f = FormCx { lang, action: a, failed };
        let html = match a {
            Action::Receive => {
                let mut rows = String::new();
                for c in &d.components {
                    let has_file = d.files.iter().any(|x| !x.removed && x.component_key == c.key);
                    let k = &c.key;
                    let pid = f.id(&format!("provided.{k}"));
                    let ol = format!("{}: {}", lang.t("Số bản chính", "Originals"), esc(&c.name));
                    let cl = format!("{}: {}", lang.t("Số bản sao", "Copies"), esc(&c.name));
                    let _ = write!(
                        rows,
                        r#"<tr><td>{err}<div class="check"><input type="checkbox" id="{pid}" name="provided.{k}"{pc}{pa}><label for="{pid}">{name}{req}</label></div></td>
<td><label class="vh" for="{oid}">{ol}</label><input class="num" id="{oid}" name="originals.{k}" type="number" min="0" max="20" inputmode="numeric" value="{ov}"></td>
<td><label class="vh" for="{cid}">{cl}</label><input class="num" id="{cid}" name="copies.{k}" type="number" min="0" max="20" inputmode="numeric" value="{cv}"></td>
<td><div class="check"><input type="checkbox" id="{did}" name="digitized.{k}"{dc}><label for="{did}">{dl}</label></div></td></tr>"#,
                        err = f.err(&format!("provided.{k}")),
                        pc = f.checked(&format!("provided.{k}"), c.provided || has_file || c.reused),
                        pa = f.attrs(&format!("provided.{k}")),
                        name = esc(&c.name),
                        req = if c.required {
                            format!(" <span class=\"meta\">({})</span>", lang.t("bắt buộc", "required"))
                        } else {
                            String::new()
                        },
                        oid = f.id(&format!("originals.{k}")),
                        ov = f.val(&format!("originals.{k}"), &c.originals.to_string()),
                        cid = f.id(&format!("copies.{k}")),
                        cv = f.val(&format!("copies.{k}"), &c.copies.to_string()),
                        did = f.id(&format!("digitized.{k}")),
                        dc = f.checked(&format!("digitized.{k}"), c.digitized || has_file),
                        dl = lang.t("Đã số hóa", "Digitized"),
                    );
                }
                let inner = format!(
                    r#"<p>{hint}</p><div class="scroll"><table class="grid checklist"><caption class="vh">{cap}</caption><thead><tr><th scope="col">{h1}</th><th scope="col">{h2}</th><th scope="col">{h3}</th><th scope="col">{h4}</th></tr></thead><tbody>{rows}</tbody></table></div>"#,
                    hint = lang.t("Đánh dấu từng thành phần đã kiểm tra.", "Tick each component checked."),
                    cap = lang.t("Danh mục thành phần hồ sơ", "Component checklist"),
                    h1 = lang.t("Thành phần", "Component"),
                    h2 = lang.t("Bản chính", "Originals"),
                    h3 = lang.t("Bản sao", "Copies"),
                    h4 = lang.t("Số hóa", "Digitized"),
                );
                action_form(lang, user, d, a, &inner, lang.t("Tiếp nhận hồ sơ", "Receive"), false)
            }
            Action::Refuse => {
                let inner = f.textarea(
                    "reasons",
                    lang.t("Lý do từ chối", "Reasons"),
                    lang.t("Mỗi lý do một dòng.", "One reason a line."),
                    3,
                );
                action_form(lang, user, d, a, &inner, lang.t("Từ chối tiếp nhận", "Refuse"), false)
            }
            Action::Supplement => {
                let mut inner = format!(
                    r#"<p id="{sid}-hint">{}</p><fieldset><legend>{}</legend>"#,
                    lang.t(
                        "Liệt kê đầy đủ một lần mọi giấy tờ cần bổ sung, mỗi giấy tờ kèm lý do.",
                        "List every missing item at once, each with its reason."
                    ),
                    lang.t("Thành phần cần bổ sung", "Components to supplement"),
                    sid = a.slug(),
                );
                for c in &d.components {
                    let k = &c.key;
                    let _ = write!(
                        inner,
                        r#"<div class="check"><input type="checkbox" id="{iid}" name="item.{k}"{ic}><label for="{iid}">{name}</label></div>{reason}"#,
                        iid = f.id(&format!("item.{k}")),
                        ic = f.checked(&format!("item.{k}"), false),
                        name = esc(&c.name),
                        reason = f.input(
                            &format!("reason.{k}"),
                            &format!("{} – {}", lang.t("Lý do", "Reason"), c.name),
                            "text",
                            "",
                            ""
                        ),
                    );
                }
                inner.push_str("</fieldset>");
                for i in 0..2 {
                    let _ = write!(
                        inner,
                        r#"<fieldset class="inline"><legend>{} {}</legend>{}{}</fieldset>"#,
                        lang.t("Giấy tờ khác", "Other item"),
                        i + 1,
                        f.input(&format!("extra_name.{i}"), lang.t("Tên giấy tờ", "Item"), "text", "", ""),
                        f.input(&format!("extra_reason.{i}"), lang.t("Lý do", "Reason"), "text", "", ""),
                    );
                }
                action_form(lang, user, d, a, &inner, lang.t("Gửi yêu cầu bổ sung", "Send the request"), false)
            }
            Action::SupplySupplement => {
                let inner = f.textarea("note", lang.t("Ghi chú", "Note"), "", 2);
                action_form(lang, user, d, a, &inner, lang.t("Ghi nhận đã bổ sung", "Record the supplement"), false)
            }
            Action::Forward => {
                let next = d.steps.get(d.step + 1);
                let to = next.map_or(String::new(), |s| {
                    format!(
                        "<p>{}: <strong>{}</strong> – {} ({})</p>",
                        lang.t("Chuyển đến", "To"),
                        esc(&s.name),
                        esc(&s.agency.name),
                        esc(role_label(lang, s.role))
                    )
                });
                let inner = format!("{to}{}", f.textarea("note", lang.t("Ý kiến, ghi chú", "Note"), "", 2));
                action_form(lang, user, d, a, &inner, lang.t("Chuyển tiếp", "Forward"), false)
            }
            Action::SendBack => {
                let inner = f.textarea("reason", lang.t("Lý do trả lại", "Reason"), "", 2);
                action_form(lang, user, d, a, &inner, lang.t("Trả lại bước trước", "Send back"), false)
            }
            Action::NoticeFees => {
                let mut inner = String::new();
                for i in 0..3 {
                    let _ = write!(
                        inner,
                        r#"<fieldset class="inline"><legend>{} {}</legend>{}{}</fieldset>"#,
                        lang.t("Khoản", "Item"),
                        i + 1,
                        f.input(&format!("fee_name.{i}"), lang.t("Tên khoản phí, lệ phí", "Fee or charge"), "text", "", ""),
                        f.input(
                            &format!("fee_amount.{i}"),
                            lang.t("Số tiền (đồng)", "Amount (đồng)"),
                            "text",
                            "",
                            r#" inputmode="numeric""#
                        ),
                    );
                }
                action_form(lang, user, d, a, &inner, lang.t("Gửi thông báo", "Send the notice"), false)
            }
            Action::MarkPaid => {
                let total: i64 = d.fees.iter().map(|x| x.amount).sum();
                let mut opts = String::new();
                for m in methods {
                    let (code, label) = match m {
                        PaymentMethod::Cash => ("cash", lang.t("Tiền mặt tại quầy", "Cash at the counter")),
                        PaymentMethod::OnlineNational => {
                            ("online_national", lang.t("Nền tảng thanh toán quốc gia", "National payment platform"))
                        }
                        PaymentMethod::OnlineLocal => {
                            ("online_local", lang.t("Cổng thanh toán của tỉnh", "Provincial payment gateway"))
                        }
                    };
                    let sel = if f.mine().and_then(|x| x.fields.get("method")) == Some(code) { " selected" } else { "" };
                    let _ = write!(opts, r#"<option value="{code}"{sel}>{}</option>"#, esc(label));
                }
                let inner = format!(
                    r#"<p>{tl}: <strong>{total}</strong> đồng</p><div class="field"><label for="{mid}">{ml}</label><select id="{mid}" name="method">{opts}</select></div>{rn}"#,
                    tl = lang.t("Tổng số tiền", "Total"),
                    total = money(total),
                    mid = f.id("method"),
                    ml = lang.t("Hình thức nộp", "Method"),
                    rn = f.input("receipt_number", lang.t("Số biên lai", "Receipt number"), "text", "", ""),
                );
                action_form(lang, user, d, a, &inner, lang.t("Xác nhận đã nộp", "Mark paid"), false)
            }
            Action::Stop => {
                let inner = format!(
                    "{}{}{}",
                    f.textarea("reason", lang.t("Lý do dừng giải quyết", "Reason"), "", 2),
                    f.input("basis", lang.t("Căn cứ pháp lý", "Legal basis"), "text", "", ""),
                    f.input(
                        "financial_consequences",
                        lang.t("Hậu quả tài chính (nếu có)", "Financial consequences (if any)"),
                        "text",
                        "",
                        ""
                    ),
                );
                action_form(lang, user, d, a, &inner, lang.t("Dừng giải quyết", "Stop"), false)
            }
            Action::Withdraw => {
                let inner = f.textarea("reason", lang.t("Lý do rút hồ sơ", "Reason"), "", 2);
                action_form(lang, user, d, a, &inner, lang.t("Rút hồ sơ", "Withdraw"), false)
            }
            Action::Extend => {
                let inner = format!(
                    "<p>{}: {}</p>{}{}",
                    lang.t("Ngày hẹn hiện tại", "Current appointment"),
                    time(d.appointment_at),
                    f.textarea("reason", lang.t("Lý do chậm, lời xin lỗi", "Reason for the delay"), "", 2),
                    f.input("new_date", lang.t("Ngày hẹn trả mới", "New date"), "date", "", ""),
                );
                action_form(lang, user, d, a, &inner, lang.t("Hẹn lại", "Reschedule"), false)
            }
            Action::AttachResult => {
                let inner = format!(
                    r#"<input type="hidden" name="component" value="{RESULT_COMPONENT}"><div class="field">{err}<label for="{id}">{l}</label><input id="{id}" name="file" type="file" accept=".pdf,.png,.jpg,.jpeg,.docx,.xlsx,application/pdf,image/png,image/jpeg"{attrs}></div>"#,
                    err = f.err("file"),
                    id = f.id("file"),
                    l = lang.t("Tệp văn bản kết quả (PDF)", "Result document file (PDF)"),
                    attrs = f.attrs("file"),
                );
                action_form(lang, user, d, a, &inner, lang.t("Tải lên", "Upload"), true)
            }
            Action::Attach => {
                let mut opts = String::new();
                for c in &d.components {
                    let _ = write!(opts, r#"<option value="{}">{}</option>"#, esc(&c.key), esc(&c.name));
                }
                let _ = write!(opts, r#"<option value="other">{}</option>"#, lang.t("Giấy tờ khác", "Other document"));
                let inner = format!(
                    r#"<div class="field"><label for="{cid}">{cl}</label><select id="{cid}" name="component">{opts}</select></div><div class="field">{err}<label for="{id}">{l}</label><input id="{id}" name="file" type="file" accept=".pdf,.png,.jpg,.jpeg,.docx,.xlsx"{attrs}></div>"#,
                    cid = f.id("component"),
                    cl = lang.t("Thành phần", "Component"),
                    err = f.err("file"),
                    id = f.id("file"),
                    l = lang.t("Tệp (bản quét)", "File (scan)"),
                    attrs = f.attrs("file"),
                );
                action_form(lang, user, d, a, &inner, lang.t("Tải lên", "Upload"), true)
            }
            Action::Resolve => {
                let has_result = d.files.iter().any(|x| !x.removed && x.component_key == RESULT_COMPONENT);
                let warn = if has_result {
                    String::new()
                } else {
                    format!(
                        r#"<p class="meta">{}</p>"#,
                        lang.t("Chưa có văn bản kết quả đính kèm.", "No result document is attached yet.")
                    )
                };
                let inner = format!(
                    "{warn}{}{}{}",
                    f.input("name", lang.t("Tên kết quả (giấy tờ được cấp)", "Result (document issued)"), "text", "", ""),
                    f.input("number", lang.t("Số, ký hiệu", "Number"), "text", "", ""),
                    f.textarea("note", lang.t("Ghi chú", "Note"), "", 2),
                );
                action_form(lang, user, d, a, &inner, lang.t("Ghi nhận kết quả", "Record the result"), false)
            }
            Action::Return => {
                let cur = f.mine().and_then(|x| x.fields.get("method")).unwrap_or("counter").to_string();
                let mut radios = String::new();
                for (code, label) in [
                    ("counter", lang.t("Tại quầy", "At the counter")),
                    ("online", lang.t("Trực tuyến", "Online")),
                    ("postal", lang.t("Qua bưu chính", "By post")),
                ] {
                    let id = f.id(&format!("method.{code}"));
                    let c = if cur == code { " checked" } else { "" };
                    let _ = write!(
                        radios,
                        r#"<div class="check"><input type="radio" id="{id}" name="method" value="{code}"{c}><label for="{id}">{}</label></div>"#,
                        esc(label)
                    );
                }
                let inner = format!(
                    r#"<fieldset><legend>{}</legend>{radios}</fieldset>{}{}"#,
                    lang.t("Hình thức trả", "How"),
                    f.input(
                        "tracking_number",
                        lang.t("Số hiệu bưu gửi (khi trả qua bưu chính)", "Tracking number (postal)"),
                        "text",
                        "",
                        ""
                    ),
                    f.input("note", lang.t("Ghi chú", "Note"), "text", "", ""),
                );
                action_form(lang, user, d, a, &inner, lang.t("Trả kết quả", "Return"), false)
            }
        };
        out.push_str(&html);
    }
    out
}

fn money(n: i64) -> String {
    let s = n.to_string();
    let mut o = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            o.push('.');
        }
        o.push(c);
    }
    o
}

// ---------------------------------------------------------------------------------------
// Dossier page

#[derive(Deserialize)]
pub struct DossierParams {
    xong: Option<String>,
}

/// Names of users by id (for the timeline and control slip).
pub async fn user_names(ctx: &AppContext, ids: Vec<String>) -> HashMap<String, String> {
    ctx.store
        .read(move |db| {
            let mut m = HashMap::new();
            for id in ids {
                if let Ok(u) = motcua_store::repo::users::get(db, &id) {
                    m.insert(id, u.full_name);
                }
            }
            Ok::<_, AppError>(m)
        })
        .await
        .unwrap_or_default()
}

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
        "rated" => lang.t("Đánh giá", "Rated"),
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

fn file_links(lang: Lang, d: &Dossier, f: &FileRef) -> String {
    let href = format!("{INBOX}/{}/tep/{}", d.id, f.id);
    let preview = match f.media_type.as_str() {
        "application/pdf" => format!(
            r#"<details class="preview"><summary>{pv}</summary><iframe src="{href}" title="{pv}: {name}" loading="lazy"></iframe></details>"#,
            pv = lang.t("Xem trước", "Preview"),
            name = esc(&f.name),
        ),
        "image/png" | "image/jpeg" => format!(
            r#"<details class="preview"><summary>{pv}</summary><img src="{href}" alt="{pv}: {name}" loading="lazy"></details>"#,
            pv = lang.t("Xem trước", "Preview"),
            name = esc(&f.name),
        ),
        _ => String::new(),
    };
    format!(
        r#"<div class="file"><a href="{href}?tai-ve=1">{name}</a> <span class="meta">({kb} KB)</span>{preview}</div>"#,
        name = esc(&f.name),
        kb = (f.size + 1023) / 1024,
    )
}

/// The control slip (form 06) as a table: every hand-over with giver, receiver, time and the
/// result of the step handed over.
pub fn control_slip_table(lang: Lang, d: &Dossier, names: &HashMap<String, String>) -> String {
    let mut t = format!(
        r#"<div class="scroll"><table class="grid slip"><caption>{cap}</caption><thead><tr><th scope="col">{h1}</th><th scope="col">{h2}</th><th scope="col">{h3}</th><th scope="col">{h4}</th><th scope="col">{h5}</th><th scope="col">{h6}</th></tr></thead><tbody>"#,
        cap = lang.t("Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 06)", "Processing control slip (form 06)"),
        h1 = lang.t("Bước", "Step"),
        h2 = lang.t("Bên giao", "Handed over by"),
        h3 = lang.t("Bên nhận", "Received by"),
        h4 = lang.t("Thời gian giao, nhận", "Time"),
        h5 = lang.t("Kết quả bước", "Step result"),
        h6 = lang.t("Ghi chú", "Note"),
    );
    for h in &d.handovers {
        let step = h
            .from_step
            .and_then(|i| d.steps.get(i))
            .map_or_else(|| lang.t("Tiếp nhận hồ sơ", "Reception").to_string(), |s| s.name.clone());
        let giver = names.get(&h.giver_id).cloned().unwrap_or_else(|| h.giver_id.clone());
        let from = h.from_agency.clone().unwrap_or_else(|| d.receiving.name.clone());
        let to_role = if h.from_step == Some(h.to_step) {
            lang.t("Bộ phận một cửa", "One-stop unit").to_string()
        } else {
            d.steps.get(h.to_step).map(|s| format!("{} – {}", s.name, role_label(lang, s.role))).unwrap_or_default()
        };
        let _ = write!(
            t,
            r#"<tr><td>{step}</td><td>{giver}<br><span class="meta">{from}</span></td><td>{to}<br><span class="meta">{to_role}</span></td><td>{at}</td><td>{res}</td><td>{note}</td></tr>"#,
            step = esc(&step),
            giver = esc(&giver),
            from = esc(&from),
            to = esc(&h.to_agency),
            to_role = esc(&to_role),
            at = hanoi_time(h.at),
            res = timeliness_label(lang, h.step_timeliness),
            note = esc(h.note.as_deref().unwrap_or("")),
        );
    }
    t.push_str("</tbody></table></div>");
    t
}

#[allow(clippy::too_many_arguments)]
fn dossier_body(
    lang: Lang,
    user: &CurrentUser,
    d: &Dossier,
    timeline: &[TimelineEntry],
    names: &HashMap<String, String>,
    now: i64,
    flash: Option<&str>,
    actions: &[Action],
    methods: &[PaymentMethod],
    failed: Option<&Failed<'_>>,
) -> String {
    let code = d.code.clone().unwrap_or_else(|| lang.t("(chưa có mã)", "(no code yet)").into());
    let mut b = format!(
        r#"<p class="crumbs"><a href="{inbox}">{back}</a></p><h1>{h} <span class="code">{code}</span></h1>"#,
        inbox = with_lang(lang, INBOX),
        back = lang.t("← Hồ sơ cần xử lý", "← Dossiers to handle"),
        h = lang.t("Hồ sơ", "Dossier"),
        code = esc(&code),
    );
    if let Some(msg) = flash {
        let _ = write!(b, r#"<div class="callout" role="status">{}</div>"#, esc(msg));
    }
    let a = &d.applicant;
    let step = d
        .current_step()
        .map(|s| format!("{} – {} ({})", s.name, s.agency.name, role_label(lang, s.role)))
        .unwrap_or_else(|| "—".into());
    let recv_line = format!("{} / {}", time(d.submitted_at), time(d.received_at));
    let _ = write!(
        b,
        r#"<p>{st}: <strong class="status">{stv}</strong> {badge}</p>
<div class="two"><section aria-labelledby="s-app"><h2 id="s-app">{ha}</h2><dl class="summary">
<dt>{l_name}</dt><dd>{name}</dd><dt>{l_id}</dt><dd>{idn}</dd><dt>{l_phone}</dt><dd>{phone}</dd><dt>Email</dt><dd>{email}</dd><dt>{l_addr}</dt><dd>{addr}</dd></dl></section>
<section aria-labelledby="s-proc"><h2 id="s-proc">{hp}</h2><dl class="summary">
<dt>{l_proc}</dt><dd>{proc} <span class="meta">({pcode}, {l_ver} {pver})</span></dd><dt>{l_sum}</dt><dd>{summary}</dd><dt>{l_ch}</dt><dd>{ch}</dd>
<dt>{l_recv_at}</dt><dd>{recv_at}</dd><dt>{l_comp}</dt><dd>{comp}</dd><dt>{l_step}</dt><dd>{step}</dd><dt>{l_limit}</dt><dd>{limit}</dd>
<dt>{l_recv}</dt><dd>{recv}</dd><dt>{l_due}</dt><dd>{due}</dd><dt>{l_appt}</dt><dd>{appt}</dd><dt>{l_sdue}</dt><dd>{sdue}</dd></dl></section></div>"#,
        st = lang.t("Trạng thái", "Status"),
        stv = esc(status_label(lang, d.status)),
        badge = due_badge(lang, due_state(d, now), d.status.is_paused()),
        ha = lang.t("Người nộp", "Applicant"),
        l_name = lang.t("Họ tên, tên tổ chức", "Name"),
        name = esc(&a.name),
        l_id = lang.t("Số định danh / mã số", "ID number"),
        idn = esc(a.id_number.as_deref().unwrap_or("—")),
        l_phone = lang.t("Điện thoại", "Phone"),
        phone = esc(a.phone.as_deref().unwrap_or("—")),
        email = esc(a.email.as_deref().unwrap_or("—")),
        l_addr = lang.t("Địa chỉ", "Address"),
        addr = esc(a.address.as_deref().unwrap_or("—")),
        hp = lang.t("Thủ tục và thời hạn", "Procedure and dates"),
        l_proc = lang.t("Thủ tục", "Procedure"),
        proc = esc(&d.procedure.name),
        pcode = esc(&d.procedure.code),
        l_ver = lang.t("phiên bản", "version"),
        pver = d.procedure.version,
        l_sum = lang.t("Trích yếu", "Summary"),
        summary = esc(d.summary.as_deref().unwrap_or("—")),
        l_ch = lang.t("Kênh nộp", "Channel"),
        ch = channel_label(lang, d.channel),
        l_recv_at = lang.t("Nơi tiếp nhận", "Received at"),
        recv_at = esc(&d.receiving.name),
        l_comp = lang.t("Cơ quan giải quyết", "Competent agency"),
        comp = esc(d.competent.as_ref().map_or("—", |c| c.name.as_str())),
        l_step = lang.t("Bước hiện tại", "Current step"),
        step = esc(&step),
        l_limit = lang.t("Thời hạn giải quyết", "Legal time limit"),
        limit = esc(&limit_label(lang, d.procedure.time_limit)),
        l_recv = lang.t("Ngày nộp / tiếp nhận", "Submitted / received"),
        recv = recv_line,
        l_due = lang.t("Hạn giải quyết", "Due"),
        due = time(d.due_at),
        l_appt = lang.t("Ngày hẹn trả", "Appointment"),
        appt = time(d.appointment_at),
        l_sdue = lang.t("Hạn của bước hiện tại", "Current step due"),
        sdue = time(d.step_due_at),
    );
    // Outcomes, when there are some.
    let mut outcome = String::new();
    if let Some(r) = &d.result {
        let _ = write!(
            outcome,
            "<li>{}: {} {} – {}</li>",
            lang.t("Kết quả", "Result"),
            esc(&r.name),
            esc(r.number.as_deref().unwrap_or("")),
            hanoi_time(r.at)
        );
    }
    if let Some(t) = d.timeliness {
        let _ = write!(outcome, "<li>{}: {}</li>", lang.t("Đánh giá thời hạn", "Timeliness"), timeliness_label(lang, Some(t)));
    }
    if let Some(r) = &d.returned {
        let _ = write!(
            outcome,
            "<li>{}: {} {}</li>",
            lang.t("Đã trả kết quả", "Returned"),
            hanoi_time(r.at),
            esc(r.tracking_number.as_deref().unwrap_or(""))
        );
    }
    for (label, e) in [
        (lang.t("Từ chối", "Refused"), &d.refusal),
        (lang.t("Dừng", "Stopped"), &d.stop),
        (lang.t("Rút", "Withdrawn"), &d.withdrawal),
    ] {
        if let Some(e) = e {
            let _ = write!(outcome, "<li>{label}: {}</li>", esc(&e.reasons.join("; ")));
        }
    }
    if let Some(s) = d.supplements.last().filter(|s| s.supplied_at.is_none()) {
        let items: Vec<String> = s.items.iter().map(|i| format!("{} ({})", i.name, i.reason)).collect();
        let _ = write!(outcome, "<li>{}: {}</li>", lang.t("Đang chờ bổ sung", "Awaiting supplement"), esc(&items.join("; ")));
    }
    if !d.fees.is_empty() && d.payment.is_none() {
        let items: Vec<String> = d.fees.iter().map(|f| format!("{} {} đ", f.name, money(f.amount))).collect();
        let _ = write!(outcome, "<li>{}: {}</li>", lang.t("Phí, lệ phí phải nộp", "Fees due"), esc(&items.join("; ")));
    }
    if let Some(r) = &d.rating {
        let _ = write!(
            outcome,
            "<li>{}: {}</li>",
            lang.t("Đánh giá của người nộp", "Applicant's rating"),
            if r.satisfied { lang.t("Hài lòng", "Satisfied") } else { lang.t("Không hài lòng", "Not satisfied") }
        );
    }
    if !outcome.is_empty() {
        let _ = write!(b, "<ul class=\"outcome\">{outcome}</ul>");
    }
    // Components with their files.
    let _ = write!(
        b,
        r#"<section aria-labelledby="s-comp"><h2 id="s-comp">{h}</h2><div class="scroll"><table class="grid"><thead><tr><th scope="col">{h1}</th><th scope="col">{h2}</th><th scope="col">{h3}</th><th scope="col">{h4}</th></tr></thead><tbody>"#,
        h = lang.t("Thành phần hồ sơ", "Components"),
        h1 = lang.t("Thành phần", "Component"),
        h2 = lang.t("Đã nộp", "Provided"),
        h3 = lang.t("Bản chính / bản sao", "Originals / copies"),
        h4 = lang.t("Tệp", "Files"),
    );
    let yes = lang.t("Có", "Yes");
    let no = lang.t("Chưa", "No");
    for c in &d.components {
        let files: String =
            d.files.iter().filter(|f| !f.removed && f.component_key == c.key).map(|f| file_links(lang, d, f)).collect();
        let _ = write!(
            b,
            "<tr><td>{}{}</td><td>{}{}</td><td>{} / {}</td><td>{}</td></tr>",
            esc(&c.name),
            if c.required {
                format!(" <span class=\"meta\">({})</span>", lang.t("bắt buộc", "required"))
            } else {
                String::new()
            },
            if c.provided { yes } else { no },
            if c.digitized { format!(" · {}", lang.t("đã số hóa", "digitized")) } else { String::new() },
            c.originals,
            c.copies,
            files
        );
    }
    for (key, label) in
        [("other", lang.t("Giấy tờ khác", "Other documents")), (RESULT_COMPONENT, lang.t("Văn bản kết quả", "Result document"))]
    {
        let files: String =
            d.files.iter().filter(|f| !f.removed && f.component_key == key).map(|f| file_links(lang, d, f)).collect();
        if !files.is_empty() {
            let _ = write!(b, "<tr><td>{}</td><td>—</td><td>—</td><td>{files}</td></tr>", esc(label));
        }
    }
    b.push_str("</tbody></table></div></section>");
    // Actions.
    let _ =
        write!(b, r#"<section class="actions" aria-labelledby="s-act"><h2 id="s-act">{}</h2>"#, lang.t("Thao tác", "Actions"));
    if actions.is_empty() {
        let _ = write!(
            b,
            "<p>{}</p>",
            lang.t("Bạn không có thao tác nào với hồ sơ ở trạng thái này.", "You have no action on this dossier in this state.")
        );
    } else {
        let _ = write!(b, r#"<ul class="action-list">"#);
        for a in actions {
            let _ = write!(b, r##"<li><a href="#{}">{}</a></li>"##, a.slug(), esc(a.title(lang)));
        }
        b.push_str("</ul>");
        b.push_str(&forms(lang, user, d, actions, methods, failed));
    }
    b.push_str("</section>");
    // Control slip and timeline.
    let _ = write!(
        b,
        r#"<section aria-labelledby="s-slip"><h2 id="s-slip">{h}</h2>{t}<p><a href="{href}">{print}</a>{receipt}</p></section>"#,
        h = lang.t("Phiếu kiểm soát", "Control slip"),
        t = control_slip_table(lang, d, names),
        href = with_lang(lang, &format!("{INBOX}/{}/phieu-kiem-soat", d.id)),
        print = lang.t("Bản in phiếu kiểm soát", "Printable control slip"),
        receipt = if d.code.is_some() {
            format!(
                r#" · <a href="{}">{}</a>"#,
                with_lang(lang, &format!("{INBOX}/{}/giay-tiep-nhan", d.id)),
                lang.t("Giấy tiếp nhận và hẹn trả kết quả", "Receipt and appointment")
            )
        } else {
            String::new()
        },
    );
    let _ = write!(
        b,
        r#"<section aria-labelledby="s-time"><h2 id="s-time">{}</h2><ol class="timeline">"#,
        lang.t("Diễn biến", "Timeline")
    );
    for e in timeline {
        let who = names.get(&e.actor_id).cloned().unwrap_or_else(|| e.actor_id.clone());
        let detail = event_detail(&e.event);
        let _ = write!(
            b,
            r#"<li><time>{}</time> <strong>{}</strong> – {}{}</li>"#,
            hanoi_time(e.at),
            esc(event_label(lang, &e.kind)),
            esc(&who),
            if detail.is_empty() { String::new() } else { format!(": {}", esc(&detail)) }
        );
    }
    b.push_str("</ol></section>");
    b
}

/// Loads and renders a dossier page (after a GET, or again after a refused action).
async fn render(
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
    ids.sort();
    ids.dedup();
    let names = user_names(ctx, ids).await;
    let (actions, methods) = allowed(ctx, user, &d);
    let now = ctx.clock.now_ms();
    let body = dossier_body(lang, user, &d, &timeline, &names, now, flash, &actions, &methods, failed);
    let title = format!("{} {}", lang.t("Hồ sơ", "Dossier"), d.code.as_deref().unwrap_or(""));
    let errors = failed.map(|f| f.errors.clone()).unwrap_or_default();
    let path = format!("{INBOX}/{id}");
    officer_page(status, lang, user, "", &title, &other_lang(lang, &path), &errors, &body)
}

/// `GET /can-bo/ho-so/{id}`: the dossier with its components, previews, control slip,
/// timeline and the actions the officer may take now.
pub async fn dossier_page(
    State(ctx): State<AppContext>,
    PageUser(user): PageUser,
    uri: Uri,
    Path(id): Path<String>,
    Query(p): Query<DossierParams>,
) -> Response {
    let lang = lang_of(&uri);
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let flash = p.xong.as_deref().and_then(Action::from_slug).map(|a| a.done(lang));
    render(&ctx, lang, &user, &id, StatusCode::OK, flash, None).await
}

/// `GET /can-bo/ho-so/{id}/phieu-kiem-soat`: the control slip alone, to print.
pub async fn control_slip_page(
    State(ctx): State<AppContext>,
    PageUser(user): PageUser,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let lang = lang_of(&uri);
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let (d, _) = match uc::get(&ctx, &user, &id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let names = user_names(&ctx, d.handovers.iter().map(|h| h.giver_id.clone()).collect()).await;
    let body = format!(
        r#"<div class="print-doc"><p class="crumbs noprint"><a href="{back}">{bl}</a> · <button type="button" class="secondary" data-print>{pl}</button></p>
<h1>{h}</h1><dl class="summary"><dt>{l1}</dt><dd>{code}</dd><dt>{l2}</dt><dd>{proc}</dd><dt>{l3}</dt><dd>{app}</dd><dt>{l4}</dt><dd>{comp}</dd><dt>{l5}</dt><dd>{recv}</dd><dt>{l6}</dt><dd>{appt}</dd></dl>{table}</div><script src="/assets/print.js"></script>"#,
        back = with_lang(lang, &format!("{INBOX}/{id}")),
        bl = lang.t("← Về hồ sơ", "← Back to the dossier"),
        pl = lang.t("In", "Print"),
        h = lang.t("Phiếu kiểm soát quá trình giải quyết hồ sơ", "Processing control slip"),
        l1 = lang.t("Mã hồ sơ", "Dossier code"),
        code = esc(d.code.as_deref().unwrap_or("—")),
        l2 = lang.t("Thủ tục", "Procedure"),
        proc = esc(&d.procedure.name),
        l3 = lang.t("Người nộp", "Applicant"),
        app = esc(&d.applicant.name),
        l4 = lang.t("Cơ quan giải quyết", "Competent agency"),
        comp = esc(d.competent.as_ref().map_or("—", |c| c.name.as_str())),
        l5 = lang.t("Ngày tiếp nhận", "Received"),
        recv = time(d.received_at),
        l6 = lang.t("Ngày hẹn trả", "Appointment"),
        appt = time(d.appointment_at),
        table = control_slip_table(lang, &d, &names),
    );
    let path = format!("{INBOX}/{id}/phieu-kiem-soat");
    page(StatusCode::OK, lang, lang.t("Phiếu kiểm soát", "Control slip"), &other_lang(lang, &path), &body)
}

// ---------------------------------------------------------------------------------------
// Action POSTs

fn general_field(f: &str) -> bool {
    matches!(f, "" | "version" | "step" | "status" | "workflow" | "channel" | "Idempotency-Key" | "competent_agency_id")
}

/// Turns the use case's field names into the ids of the failed form's inputs.
fn map_errors(action: Action, errors: Vec<FieldError>, remap: &[(String, String)]) -> Vec<FieldError> {
    let slug = action.slug();
    errors
        .into_iter()
        .map(|mut e| {
            e.field = if let Some((_, input)) = remap.iter().find(|(from, _)| *from == e.field) {
                fid(slug, input)
            } else if general_field(&e.field) {
                slug.to_string()
            } else {
                fid(slug, &e.field)
            };
            e
        })
        .collect()
}

fn err(field: &str, code: &'static str, vi: &str, en: &str) -> FieldError {
    FieldError::new(field, code, vi, en)
}

fn opt(f: &FormFields, name: &str) -> Option<String> {
    f.get(name).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn small_number(f: &FormFields, name: &str, errs: &mut Vec<FieldError>) -> u8 {
    match f.get(name).map(str::trim).filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => s.parse::<u8>().ok().filter(|n| *n <= 50).unwrap_or_else(|| {
            errs.push(err(name, "invalid_number", "Nhập số bản từ 0 đến 50.", "Enter a number from 0 to 50."));
            0
        }),
    }
}

/// The command a posted action form asks for, with how the domain's field names map to the
/// form's inputs; or the input errors found before asking.
/// Domain field name → form input name.
type Remap = Vec<(String, String)>;

fn build(action: Action, d: &Dossier, f: &FormFields) -> Result<(Request, Remap), Vec<FieldError>> {
    let mut errs = Vec::new();
    let mut remap = Vec::new();
    let req = match action {
        Action::Receive => {
            let mut components = Vec::new();
            for c in &d.components {
                let k = &c.key;
                remap.push((format!("components.{k}"), format!("provided.{k}")));
                components.push(ComponentInput {
                    key: k.clone(),
                    provided: f.checked(&format!("provided.{k}")),
                    originals: small_number(f, &format!("originals.{k}"), &mut errs),
                    copies: small_number(f, &format!("copies.{k}"), &mut errs),
                    digitized: f.checked(&format!("digitized.{k}")),
                    reused: c.reused,
                });
            }
            Request::Receive { competent_agency_id: None, components }
        }
        Action::Refuse => Request::cmd(Command::Refuse {
            reasons: f.text("reasons").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect(),
        }),
        Action::Supplement => {
            let mut items = Vec::new();
            for c in &d.components {
                let k = &c.key;
                if f.checked(&format!("item.{k}")) {
                    let i = items.len();
                    remap.push((format!("items[{i}].name"), format!("item.{k}")));
                    remap.push((format!("items[{i}].reason"), format!("reason.{k}")));
                    items.push(SupplementItem {
                        component_key: Some(k.clone()),
                        name: c.name.clone(),
                        reason: f.text(&format!("reason.{k}")),
                    });
                } else if opt(f, &format!("reason.{k}")).is_some() {
                    errs.push(err(
                        &format!("item.{k}"),
                        "not_ticked",
                        "Đánh dấu thành phần này nếu cần bổ sung, hoặc xóa lý do.",
                        "Tick this component if it is to be supplemented, or clear the reason.",
                    ));
                }
            }
            for r in 0..2 {
                let (n, why) = (f.text(&format!("extra_name.{r}")), f.text(&format!("extra_reason.{r}")));
                if !n.trim().is_empty() || !why.trim().is_empty() {
                    let i = items.len();
                    remap.push((format!("items[{i}].name"), format!("extra_name.{r}")));
                    remap.push((format!("items[{i}].reason"), format!("extra_reason.{r}")));
                    items.push(SupplementItem { component_key: None, name: n, reason: why });
                }
            }
            if let Some(c) = d.components.first() {
                remap.push(("items".into(), format!("item.{}", c.key)));
            }
            Request::cmd(Command::RequestSupplement { items })
        }
        Action::SupplySupplement => Request::cmd(Command::SupplySupplement { note: opt(f, "note") }),
        Action::Forward => Request::cmd(Command::Forward { note: opt(f, "note") }),
        Action::SendBack => Request::cmd(Command::SendBack { reason: f.text("reason") }),
        Action::NoticeFees => {
            let mut items = Vec::new();
            for r in 0..3 {
                let (n, amt) = (f.text(&format!("fee_name.{r}")), f.text(&format!("fee_amount.{r}")));
                if n.trim().is_empty() && amt.trim().is_empty() {
                    continue;
                }
                let digits: String = amt.chars().filter(|c| !matches!(c, '.' | ',' | ' ')).collect();
                let amount = match digits.parse::<i64>() {
                    Ok(a) => a,
                    Err(_) => {
                        errs.push(err(
                            &format!("fee_amount.{r}"),
                            "invalid_amount",
                            "Nhập số tiền bằng chữ số.",
                            "Enter the amount in digits.",
                        ));
                        0
                    }
                };
                let i = items.len();
                remap.push((format!("items[{i}].name"), format!("fee_name.{r}")));
                remap.push((format!("items[{i}].amount"), format!("fee_amount.{r}")));
                items.push(FeeItem { name: n, amount });
            }
            remap.push(("items".into(), "fee_name.0".into()));
            Request::cmd(Command::NoticeFees { items })
        }
        Action::MarkPaid => {
            let method = match f.get("method") {
                Some("cash") => PaymentMethod::Cash,
                Some("online_national") => PaymentMethod::OnlineNational,
                Some("online_local") => PaymentMethod::OnlineLocal,
                _ => {
                    errs.push(err("method", "invalid_method", "Chọn hình thức nộp.", "Choose how it was paid."));
                    PaymentMethod::Cash
                }
            };
            Request::cmd(Command::MarkPaid { method, receipt_number: f.text("receipt_number") })
        }
        Action::Stop => Request::cmd(Command::Stop {
            reason: f.text("reason"),
            basis: opt(f, "basis"),
            financial_consequences: opt(f, "financial_consequences"),
        }),
        Action::Withdraw => Request::cmd(Command::Withdraw { reason: f.text("reason") }),
        Action::Extend => {
            let new_date = match f.get("new_date").map(str::trim).unwrap_or("").parse::<jiff::civil::Date>() {
                Ok(x) => x,
                Err(_) => {
                    errs.push(err("new_date", "invalid_date", "Chọn ngày hẹn trả mới.", "Choose the new date."));
                    jiff::civil::date(2000, 1, 1)
                }
            };
            Request::cmd(Command::Extend { reason: f.text("reason"), new_date })
        }
        Action::Resolve => {
            Request::cmd(Command::Resolve { name: f.text("name"), number: opt(f, "number"), note: opt(f, "note") })
        }
        Action::Return => {
            let method = match f.get("method") {
                Some("online") => ReturnMethod::Online,
                Some("postal") => ReturnMethod::Postal,
                _ => ReturnMethod::Counter,
            };
            Request::cmd(Command::Return { method, tracking_number: opt(f, "tracking_number"), note: opt(f, "note") })
        }
        Action::AttachResult | Action::Attach => {
            return Err(vec![err("file", "multipart_required", "Chọn tệp để tải lên.", "Choose a file to upload.")]);
        }
    };
    if errs.is_empty() { Ok((req, remap)) } else { Err(errs) }
}

/// The status a refused action re-renders with (409 stale or wrong state, 403, 422…).
fn status_of(e: AppError) -> StatusCode {
    ApiError::from(e).status
}

fn app_errors(e: &AppError) -> Vec<FieldError> {
    let fs = e.fields();
    if fs.is_empty() { vec![FieldError::new("", e.code(), e.message_vi(), e.message_en())] } else { fs }
}

/// `POST /can-bo/ho-so/{id}/{action}`: runs the action at the version the page showed; on
/// success back to the dossier page with a message, else the page again with the errors
/// and the form as typed.
pub async fn action(
    State(ctx): State<AppContext>,
    uri: Uri,
    Path((id, slug)): Path<(String, String)>,
    form: PageForm,
) -> Response {
    let lang = lang_of(&uri);
    let PageForm { user, fields } = form;
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let Some(action) = Action::from_slug(&slug) else {
        return error_page(lang, AppError::not_found("action"));
    };
    let (d, _) = match uc::get(&ctx, &user, &id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let Some(version) = fields.get("version").and_then(|v| v.trim().parse::<i64>().ok()) else {
        let errors = vec![err(
            action.slug(),
            "version_missing",
            "Thiếu phiên bản hồ sơ; tải lại trang.",
            "The dossier version is missing; reload the page.",
        )];
        return render(
            &ctx,
            lang,
            &user,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(&Failed { action, fields: &fields, errors }),
        )
        .await;
    };
    let (req, remap) = match build(action, &d, &fields) {
        Ok(x) => x,
        Err(errors) => {
            let errors = map_errors(action, errors, &[]);
            return render(
                &ctx,
                lang,
                &user,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(&Failed { action, fields: &fields, errors }),
            )
            .await;
        }
    };
    match uc::command(&ctx, &user, &id, version, req, None).await {
        Ok(_) => see_other(&with_lang(lang, &format!("{INBOX}/{id}?xong={}", action.slug()))),
        Err(AppError::NotFound { .. }) => error_page(lang, AppError::not_found("dossier")),
        Err(e) => {
            let errors = map_errors(action, app_errors(&e), &remap);
            render(&ctx, lang, &user, &id, status_of(e), None, Some(&Failed { action, fields: &fields, errors })).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// Uploads (multipart forms)

pub use super::session::{Upload, read_multipart};

/// `POST /can-bo/ho-so/{id}/tep` (multipart): attaches a scan to a component.
pub async fn upload_component(
    State(ctx): State<AppContext>,
    PageUser(user): PageUser,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
    mp: Multipart,
) -> Response {
    upload(&ctx, user, &uri, &headers, &id, Action::Attach, mp).await
}

/// `POST /can-bo/ho-so/{id}/tep-ket-qua` (multipart): attaches the result document.
pub async fn upload_result(
    State(ctx): State<AppContext>,
    PageUser(user): PageUser,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
    mp: Multipart,
) -> Response {
    upload(&ctx, user, &uri, &headers, &id, Action::AttachResult, mp).await
}

async fn upload(
    ctx: &AppContext,
    user: CurrentUser,
    uri: &Uri,
    headers: &HeaderMap,
    id: &str,
    action: Action,
    mp: Multipart,
) -> Response {
    let lang = lang_of(uri);
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let (ctx, id, headers) = (ctx.clone(), id.to_string(), headers.clone());
    let (fields, files) = match read_multipart(lang, &user, &headers, mp).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let key = if action == Action::AttachResult { RESULT_COMPONENT.to_string() } else { fields.text("component") };
    let Some(file) = files.into_iter().find(|f| f.field == "file") else {
        let errors = vec![err(&fid(action.slug(), "file"), "file_missing", "Chọn tệp để tải lên.", "Choose a file to upload.")];
        return render(
            &ctx,
            lang,
            &user,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(&Failed { action, fields: &fields, errors }),
        )
        .await;
    };
    match uc::attach(&ctx, &user, &id, &key, file.content_type.as_deref(), &file.file_name, file.bytes).await {
        Ok(_) => see_other(&with_lang(lang, &format!("{INBOX}/{id}?xong={}", action.slug()))),
        Err(AppError::NotFound { .. }) => error_page(lang, AppError::not_found("dossier")),
        Err(e) => {
            let errors: Vec<FieldError> = app_errors(&e)
                .into_iter()
                .map(|mut x| {
                    x.field = fid(action.slug(), "file");
                    x
                })
                .collect();
            render(&ctx, lang, &user, &id, status_of(e), None, Some(&Failed { action, fields: &fields, errors })).await
        }
    }
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
    PageUser(user): PageUser,
    uri: Uri,
    Path((id, file_id)): Path<(String, String)>,
    Query(p): Query<FileParams>,
) -> Response {
    let lang = lang_of(&uri);
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let (f, bytes) = match uc::file(&ctx, &user, &id, &file_id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let previewable = matches!(f.media_type.as_str(), "application/pdf" | "image/png" | "image/jpeg");
    let inline = previewable && p.download.is_none();
    crate::api::dossiers::file_response(&f, bytes, inline)
}
