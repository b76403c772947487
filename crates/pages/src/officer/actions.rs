//! What an officer may do to a dossier: the actions, which ones the domain's guard table
//! offers now (`dossier::available`, the table `decide` checks first), the field context of
//! each action form (templates: `officer/actions/`), and the POSTs that run them.
//!
//! A POST runs the real command with the version the page was rendered from, so a page left
//! open while someone else acted gets "stale version" and changes nothing; a refused action
//! shows the page again with its form as typed and the errors next to the inputs.

use super::dossier::render;
use super::refuse_non_official;
use crate::kit::form::field_id;
use crate::kit::{FormFields, Lang, PageForm, PageUpload, Route, error_page, see_other, with_lang};
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::dossiers::{self as uc, ComponentInput, Request};
use motcua_app::{AppContext, AppError};
use motcua_domain::dossier::{
    self, Command, CommandKind, Dossier, FeeItem, PaymentMethod, RESULT_COMPONENT, ReturnMethod, SupplementItem,
};
use motcua_domain::error::FieldError;
use serde::Deserialize;
use std::borrow::Borrow;

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
    RefuseAfterAppraisal,
    Withdraw,
    Extend,
    AttachResult,
    Resolve,
    Return,
    Attach,
    Digitize,
    DigitizeResult,
    ChoosePostal,
    Post,
    PostDelivered,
    PostUndelivered,
}

impl Action {
    /// In the order the page shows them.
    pub const ALL: [Action; 22] = [
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
        Self::Post,
        Self::PostDelivered,
        Self::PostUndelivered,
        Self::Return,
        Self::ChoosePostal,
        Self::Digitize,
        Self::DigitizeResult,
        Self::Attach,
        Self::RefuseAfterAppraisal,
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
            Self::RefuseAfterAppraisal => "tu-choi-giai-quyet",
            Self::Withdraw => "rut-ho-so",
            Self::Extend => "gia-han",
            Self::AttachResult => "tep-ket-qua",
            Self::Resolve => "ket-qua",
            Self::Return => "tra-ket-qua",
            Self::Attach => "tep",
            Self::Digitize => "so-hoa",
            Self::DigitizeResult => "so-hoa-ket-qua",
            Self::ChoosePostal => "buu-chinh",
            Self::Post => "giao-buu-chinh",
            Self::PostDelivered => "phat-thanh-cong",
            Self::PostUndelivered => "phat-khong-thanh-cong",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.slug() == s)
    }

    /// Where the action's form posts (the two uploads have their own routes).
    pub fn route(self, id: &str) -> Route<'_> {
        match self {
            Self::Attach => Route::OfficerUpload(id),
            Self::AttachResult => Route::OfficerResultUpload(id),
            Self::Digitize | Self::DigitizeResult => Route::OfficerDigitize(id),
            a => Route::OfficerAction(id, a.slug()),
        }
    }

    pub fn multipart(self) -> bool {
        matches!(self, Self::Attach | Self::AttachResult | Self::Digitize | Self::DigitizeResult)
    }

    /// The actions that end or refuse a dossier get the warning button.
    pub fn warning(self) -> bool {
        matches!(self, Self::Refuse | Self::RefuseAfterAppraisal | Self::Stop | Self::Withdraw)
    }

    pub fn title(self, lang: impl Borrow<Lang>) -> &'static str {
        let lang = *lang.borrow();
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
            Self::RefuseAfterAppraisal => {
                lang.t("Từ chối giải quyết hồ sơ (sau thẩm định)", "Refuse to resolve the dossier (after appraisal)")
            }
            Self::Withdraw => lang.t("Rút hồ sơ theo yêu cầu của người nộp", "Withdraw at the applicant's request"),
            Self::Extend => lang.t(
                "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết (Mẫu 04)",
                "Apology and request to extend the time for resolution (form 04)",
            ),
            Self::AttachResult => lang.t("Đính kèm văn bản kết quả", "Attach the result document"),
            Self::Resolve => lang.t("Ghi nhận kết quả giải quyết", "Record the result"),
            Self::Return => lang.t("Trả kết quả cho người nộp", "Return the result"),
            Self::Attach => lang.t("Đính kèm tệp thành phần hồ sơ", "Attach a component file"),
            Self::Digitize => lang.t("Số hóa và chứng thực bản điện tử thành phần hồ sơ", "Digitize and certify a component"),
            Self::DigitizeResult => lang.t("Số hóa và chứng thực kết quả bản giấy", "Digitize and certify the paper result"),
            Self::ChoosePostal => lang.t("Nộp hồ sơ, nhận kết quả qua bưu chính công ích", "Filing and result by public post"),
            Self::Post => lang.t("Bàn giao kết quả cho bưu chính", "Hand the result over to the post"),
            Self::PostDelivered => lang.t("Bưu chính đã phát thành công", "Delivered by the post"),
            Self::PostUndelivered => lang.t("Bưu chính phát không thành công", "Returned undelivered by the post"),
        }
    }

    /// The submit button's text.
    pub fn button(self, lang: impl Borrow<Lang>) -> &'static str {
        let lang = *lang.borrow();
        match self {
            Self::Receive => lang.t("Tiếp nhận hồ sơ", "Receive"),
            Self::Refuse => lang.t("Từ chối tiếp nhận", "Refuse"),
            Self::Supplement => lang.t("Gửi yêu cầu bổ sung", "Send the request"),
            Self::SupplySupplement => lang.t("Ghi nhận đã bổ sung", "Record the supplement"),
            Self::Forward => lang.t("Chuyển tiếp", "Forward"),
            Self::SendBack => lang.t("Trả lại bước trước", "Send back"),
            Self::NoticeFees => lang.t("Gửi thông báo", "Send the notice"),
            Self::MarkPaid => lang.t("Xác nhận đã nộp", "Mark paid"),
            Self::Stop => lang.t("Dừng giải quyết", "Stop"),
            Self::RefuseAfterAppraisal => lang.t("Từ chối giải quyết", "Refuse to resolve"),
            Self::Withdraw => lang.t("Rút hồ sơ", "Withdraw"),
            Self::Extend => lang.t("Hẹn lại", "Reschedule"),
            Self::AttachResult | Self::Attach => lang.t("Tải lên", "Upload"),
            Self::Digitize | Self::DigitizeResult => lang.t("Ký số chứng thực bản quét", "Sign and certify the scan"),
            Self::Resolve => lang.t("Ghi nhận kết quả", "Record the result"),
            Self::Return => lang.t("Trả kết quả", "Return"),
            Self::ChoosePostal => lang.t("Lưu lựa chọn và địa chỉ", "Save the choice and address"),
            Self::Post => lang.t("Bàn giao cho bưu chính", "Hand over"),
            Self::PostDelivered => lang.t("Ghi nhận đã phát", "Record the delivery"),
            Self::PostUndelivered => lang.t("Ghi nhận phát không thành công", "Record the failed delivery"),
        }
    }

    /// The message on the dossier page after the action succeeded (`?xong={slug}`).
    pub fn done(self, lang: Lang) -> &'static str {
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
            Self::RefuseAfterAppraisal => lang.t(
                "Đã từ chối giải quyết hồ sơ; văn bản trả qua bộ phận một cửa.",
                "The dossier was refused; the letter goes back through the one-stop.",
            ),
            Self::Withdraw => lang.t("Đã rút hồ sơ.", "The dossier was withdrawn."),
            Self::Extend => lang.t("Đã hẹn lại ngày trả kết quả.", "The new appointment was recorded."),
            Self::AttachResult | Self::Attach => lang.t("Đã đính kèm tệp.", "The file was attached."),
            Self::Digitize | Self::DigitizeResult => {
                lang.t("Đã số hóa và ký số chứng thực bản quét.", "The scan was digitized and certified.")
            }
            Self::Resolve => lang.t("Đã ghi nhận kết quả giải quyết.", "The result was recorded."),
            Self::Return => lang.t("Đã trả kết quả.", "The result was returned."),
            Self::ChoosePostal => lang.t("Đã lưu lựa chọn bưu chính và địa chỉ.", "The postal choice and address were saved."),
            Self::Post => lang.t("Đã bàn giao kết quả cho bưu chính.", "The result was handed over to the post."),
            Self::PostDelivered => {
                lang.t("Đã ghi nhận phát thành công; hồ sơ đã trả kết quả.", "Delivered: the result is returned.")
            }
            Self::PostUndelivered => lang.t(
                "Đã ghi nhận phát không thành công; kết quả chờ tại bộ phận một cửa.",
                "Undelivered: the result waits at the counter.",
            ),
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
            Self::RefuseAfterAppraisal => CommandKind::RefuseAfterAppraisal,
            Self::Withdraw => CommandKind::Withdraw,
            Self::Extend => CommandKind::Extend,
            Self::AttachResult => CommandKind::AttachResult,
            Self::Resolve => CommandKind::Resolve,
            Self::Return => CommandKind::Return,
            Self::Attach => CommandKind::AttachFile,
            Self::Digitize => CommandKind::DigitizeComponent,
            Self::DigitizeResult => CommandKind::DigitizeResult,
            Self::ChoosePostal => CommandKind::ChoosePostal,
            Self::Post => CommandKind::Post,
            Self::PostDelivered => CommandKind::PostDelivered,
            Self::PostUndelivered => CommandKind::PostUndelivered,
        }
    }
}

/// The actions this user may take on the dossier now, and the payment methods they may
/// record: what the domain's guard table offers (`dossier::available`).
pub fn allowed(ctx: &AppContext, user: &CurrentUser, d: &Dossier) -> (Vec<Action>, Vec<PaymentMethod>) {
    let actor = motcua_app::usecases::dossiers::actor(user);
    let kinds = motcua_app::usecases::dossiers::available(ctx, user, d);
    let methods: Vec<PaymentMethod> = if kinds.contains(&CommandKind::MarkPaid) {
        dossier::PAYMENT.iter().map(|(m, _)| *m).filter(|m| dossier::may_record_payment(d, &actor, *m)).collect()
    } else {
        Vec::new()
    };
    (Action::ALL.into_iter().filter(|a| kinds.contains(&a.kind())).collect(), methods)
}

/// A payment method's form value and label.
pub fn payment_method(lang: Lang, m: PaymentMethod) -> (&'static str, &'static str) {
    match m {
        PaymentMethod::Cash => ("cash", lang.t("Tiền mặt tại quầy", "Cash at the counter")),
        PaymentMethod::OnlineNational => ("online_national", lang.t("Nền tảng thanh toán quốc gia", "National payment platform")),
        PaymentMethod::OnlineLocal => ("online_local", lang.t("Cổng thanh toán của tỉnh", "Provincial payment gateway")),
    }
}

/// The fields of the action forms whose names are fixed, as typed (each form posts its own
/// and the dossier `version`); the per-component and numbered rows (`provided.{key}`,
/// `item.{key}`, `fee_name.{r}`, …) are read from `FormFields`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    reason: String,
    /// One reason a line.
    reasons: String,
    basis: String,
    /// A payment or return method; absent until chosen (the form's default is shown).
    method: Option<String>,
    receipt_number: String,
    new_date: String,
    name: String,
    number: String,
    note: String,
    tracking_number: String,
    financial_consequences: String,
    version: String,
    component: String,
    recipient: String,
    phone: String,
    commune_code: String,
    street: String,
    fee: String,
}

impl ActionForm {
    /// The value of the fixed field `name` (`None` inside when a choice is absent), or `None`
    /// when `name` is not one of the fixed fields.
    fn fixed(&self, name: &str) -> Option<Option<&str>> {
        let v = match name {
            "reason" => &self.reason,
            "reasons" => &self.reasons,
            "basis" => &self.basis,
            "method" => return Some(self.method.as_deref()),
            "receipt_number" => &self.receipt_number,
            "new_date" => &self.new_date,
            "name" => &self.name,
            "number" => &self.number,
            "note" => &self.note,
            "tracking_number" => &self.tracking_number,
            "financial_consequences" => &self.financial_consequences,
            "version" => &self.version,
            "component" => &self.component,
            "recipient" => &self.recipient,
            "phone" => &self.phone,
            "commune_code" => &self.commune_code,
            "street" => &self.street,
            "fee" => &self.fee,
            _ => return None,
        };
        Some(Some(v.as_str()))
    }
}

/// A failed action: its form is shown again with the values as typed and its errors.
pub struct Failed<'a> {
    pub action: Action,
    /// The fixed fields as typed.
    pub form: &'a ActionForm,
    /// The posted fields, for the keyed rows.
    pub rows: &'a FormFields,
    pub errors: Vec<FieldError>,
}

impl Failed<'_> {
    /// The posted value of the input `name`: a fixed field from the typed form, a keyed row's
    /// from the posted fields.
    fn get(&self, name: &str) -> Option<&str> {
        self.form.fixed(name).unwrap_or_else(|| self.rows.get(name))
    }
}

/// What an action form's template asks of its inputs: ids, values as typed after a failed
/// attempt (else the default), ticks, and the errors of this form only.
pub struct Fcx<'a> {
    pub action: Action,
    failed: Option<&'a Failed<'a>>,
}

impl<'a> Fcx<'a> {
    pub fn new(action: Action, failed: Option<&'a Failed<'a>>) -> Self {
        Fcx { action, failed }
    }
    fn mine(&self) -> Option<&Failed<'a>> {
        self.failed.filter(|f| f.action == self.action)
    }
    /// The name `{prefix}.{key}` of a per-component input.
    pub fn name(&self, prefix: &str, key: impl AsRef<str>) -> String {
        format!("{prefix}.{}", key.as_ref())
    }
    pub fn id(&self, name: impl AsRef<str>) -> String {
        field_id(self.action.slug(), name.as_ref())
    }
    pub fn val(&self, name: impl AsRef<str>, default: impl AsRef<str>) -> String {
        match self.mine() {
            Some(f) => f.get(name.as_ref()).unwrap_or("").to_string(),
            None => default.as_ref().to_string(),
        }
    }
    pub fn on(&self, name: impl AsRef<str>, default: bool) -> bool {
        self.mine().map_or(default, |f| f.get(name.as_ref()).is_some())
    }
    /// Whether `value` is the choice (select, radio) `name`: as posted after a failed
    /// attempt (a missing choice counts as `default`), else `default`.
    pub fn picked(&self, name: &str, default: &str, value: impl AsRef<str>) -> bool {
        self.mine().and_then(|f| f.get(name)).unwrap_or(default) == value.as_ref()
    }
    pub fn errs(&self) -> &[FieldError] {
        self.mine().map_or(&[], |f| f.errors.as_slice())
    }
}

fn general_field(f: &str) -> bool {
    matches!(f, "" | "version" | "step" | "status" | "workflow" | "channel" | "Idempotency-Key" | "competent_agency_id")
}

/// Domain field name → form input name.
type Remap = Vec<(String, String)>;

/// Turns the use case's field names into the ids of the failed form's inputs.
fn map_errors(action: Action, errors: Vec<FieldError>, remap: &[(String, String)]) -> Vec<FieldError> {
    let slug = action.slug();
    errors
        .into_iter()
        .map(|mut e| {
            e.field = if let Some((_, input)) = remap.iter().find(|(from, _)| *from == e.field) {
                field_id(slug, input)
            } else if general_field(&e.field) {
                slug.to_string()
            } else {
                field_id(slug, &e.field)
            };
            e
        })
        .collect()
}

fn err(field: &str, code: &'static str, vi: &str, en: &str) -> FieldError {
    FieldError::new(field, code, vi, en)
}

fn opt(f: &FormFields, name: &str) -> Option<String> {
    f.get(name).and_then(trimmed)
}

/// The value trimmed, if not blank.
fn trimmed(v: &str) -> Option<String> {
    Some(v.trim()).filter(|s| !s.is_empty()).map(str::to_string)
}

/// One reason a line, blank lines dropped.
fn lines(v: &str) -> Vec<String> {
    v.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
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
fn build(action: Action, d: &Dossier, form: &ActionForm, f: &FormFields) -> Result<(Request, Remap), Vec<FieldError>> {
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
                    digitized: false,
                    locker_item_id: None,
                });
            }
            Request::Receive { competent_agency_id: None, components }
        }
        Action::Refuse => Request::cmd(Command::Refuse { reasons: lines(&form.reasons) }),
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
        Action::SupplySupplement => Request::cmd(Command::SupplySupplement { note: trimmed(&form.note) }),
        Action::Forward => Request::cmd(Command::Forward { note: trimmed(&form.note) }),
        Action::SendBack => Request::cmd(Command::SendBack { reason: form.reason.clone() }),
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
                items.push(FeeItem { name: n, amount, exemption: None });
            }
            remap.push(("items".into(), "fee_name.0".into()));
            Request::cmd(Command::NoticeFees { items })
        }
        Action::MarkPaid => {
            let method = match form.method.as_deref() {
                Some("cash") => PaymentMethod::Cash,
                Some("online_national") => PaymentMethod::OnlineNational,
                Some("online_local") => PaymentMethod::OnlineLocal,
                _ => {
                    errs.push(err("method", "invalid_method", "Chọn hình thức nộp.", "Choose how it was paid."));
                    PaymentMethod::Cash
                }
            };
            Request::cmd(Command::MarkPaid { method, receipt_number: form.receipt_number.clone(), amount: None })
        }
        Action::Stop => Request::cmd(Command::Stop {
            reason: form.reason.clone(),
            basis: trimmed(&form.basis),
            financial_consequences: trimmed(&form.financial_consequences),
        }),
        Action::RefuseAfterAppraisal => {
            Request::cmd(Command::RefuseAfterAppraisal { reasons: lines(&form.reasons), basis: trimmed(&form.basis) })
        }
        Action::Withdraw => Request::cmd(Command::Withdraw { reason: form.reason.clone() }),
        Action::Extend => {
            let new_date = match form.new_date.trim().parse::<jiff::civil::Date>() {
                Ok(x) => x,
                Err(_) => {
                    errs.push(err("new_date", "invalid_date", "Chọn ngày hẹn trả mới.", "Choose the new date."));
                    jiff::civil::date(2000, 1, 1)
                }
            };
            Request::cmd(Command::Extend { reason: form.reason.clone(), new_date })
        }
        Action::Resolve => {
            Request::cmd(Command::Resolve { name: form.name.clone(), number: trimmed(&form.number), note: trimmed(&form.note) })
        }
        Action::Return => {
            let method = match form.method.as_deref() {
                Some("online") => ReturnMethod::Online,
                Some("postal") => ReturnMethod::Postal,
                _ => ReturnMethod::Counter,
            };
            Request::cmd(Command::Return { method, tracking_number: None, note: trimmed(&form.note) })
        }
        Action::ChoosePostal => {
            for k in ["recipient", "phone", "commune_code", "street"] {
                remap.push((format!("address.{k}"), k.to_string()));
            }
            remap.push(("address.province_code".into(), "commune_code".into()));
            remap.push(("postal".into(), "result_by_post".into()));
            Request::cmd(Command::choose_postal(
                f.checked("dossier_by_post"),
                f.checked("result_by_post"),
                &form.recipient,
                &form.phone,
                &form.commune_code,
                &form.street,
            ))
        }
        Action::Post => {
            // "32.000" or "32000" đồng.
            let digits: String = form.fee.chars().filter(|c| !matches!(c, '.' | ' ' | ',')).collect();
            let fee = if digits.is_empty() { Some(0) } else { digits.parse::<i64>().ok() };
            let fee = fee.unwrap_or_else(|| {
                errs.push(err("fee", "invalid_fee", "Nhập cước phí bằng số đồng.", "Enter the fee in đồng."));
                0
            });
            Request::cmd(Command::Post { tracking_number: form.tracking_number.clone(), carrier: None, fee })
        }
        Action::PostDelivered => Request::cmd(Command::PostDelivered { tracking_number: None }),
        Action::PostUndelivered => Request::cmd(Command::PostUndelivered { tracking_number: None, reason: form.reason.clone() }),
        Action::AttachResult | Action::Attach | Action::Digitize | Action::DigitizeResult => {
            return Err(vec![err("file", "multipart_required", "Chọn tệp để tải lên.", "Choose a file to upload.")]);
        }
    };
    if errs.is_empty() { Ok((req, remap)) } else { Err(errs) }
}

/// The status a refused action re-renders with (409 stale or wrong state, 403, 422…).
fn status_of(e: &AppError) -> StatusCode {
    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn app_errors(e: &AppError) -> Vec<FieldError> {
    let fs = e.fields();
    if fs.is_empty() { vec![FieldError::new("", e.code(), e.message_vi(), e.message_en())] } else { fs }
}

/// Back to the dossier page with the action's "done" message.
fn done(lang: Lang, id: &str, action: Action) -> Response {
    see_other(&with_lang(lang, &Route::OfficerDossier(id).with_query(&[("xong", action.slug())])))
}

/// `POST /can-bo/ho-so/{id}/{action}`: runs the action at the version the page showed; on
/// success back to the dossier page with a message, else the page again with the errors
/// and the form as typed.
pub async fn action(
    State(ctx): State<AppContext>,
    Extension(hub): Extension<crate::counter::CounterHub>,
    lang: Lang,
    Path((id, slug)): Path<(String, String)>,
    form: PageForm,
) -> Response {
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
    let form: ActionForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let failed = |errors| Failed { action, form: &form, rows: &fields, errors };
    let Some(version) = form.version.trim().parse::<i64>().ok() else {
        let errors = vec![err(
            action.slug(),
            "version_missing",
            "Thiếu phiên bản hồ sơ; tải lại trang.",
            "The dossier version is missing; reload the page.",
        )];
        return render(&ctx, lang, &user, &id, StatusCode::UNPROCESSABLE_ENTITY, None, Some(&failed(errors))).await;
    };
    let (req, remap) = match build(action, &d, &form, &fields) {
        Ok(x) => x,
        Err(errors) => {
            let errors = map_errors(action, errors, &[]);
            return render(&ctx, lang, &user, &id, StatusCode::UNPROCESSABLE_ENTITY, None, Some(&failed(errors))).await;
        }
    };
    match uc::command(&ctx, &user, &id, version, req, None).await {
        Ok(d) => {
            // A paper dossier's result handed back at the counter: its second screen asks the
            // applicant to rate (issue #18); the answers never come back to this page.
            if action == Action::Return
                && let (Some((counter, _)), Some(state)) =
                    (crate::counter::counter_of(&user), crate::counter::ScreenState::rating(&d))
            {
                hub.publish(&counter, state);
            }
            done(lang, &id, action)
        }
        Err(AppError::NotFound { .. }) => error_page(lang, AppError::not_found("dossier")),
        Err(e) => {
            let errors = map_errors(action, app_errors(&e), &remap);
            render(&ctx, lang, &user, &id, status_of(&e), None, Some(&failed(errors))).await
        }
    }
}

/// `POST /can-bo/ho-so/{id}/tep` (multipart): attaches a scan to a component.
pub async fn upload_component(State(ctx): State<AppContext>, lang: Lang, Path(id): Path<String>, form: PageUpload) -> Response {
    upload(&ctx, lang, &id, Action::Attach, form).await
}

/// `POST /can-bo/ho-so/{id}/tep-ket-qua` (multipart): attaches the result document.
pub async fn upload_result(State(ctx): State<AppContext>, lang: Lang, Path(id): Path<String>, form: PageUpload) -> Response {
    upload(&ctx, lang, &id, Action::AttachResult, form).await
}

/// `POST /can-bo/ho-so/{id}/so-hoa` (multipart): scans a component (`component`, or
/// `result` for the paper result) and certifies it with the officer's signature.
pub async fn digitize(State(ctx): State<AppContext>, lang: Lang, Path(id): Path<String>, form: PageUpload) -> Response {
    let action = if form.fields.get("component") == Some(RESULT_COMPONENT) { Action::DigitizeResult } else { Action::Digitize };
    upload(&ctx, lang, &id, action, form).await
}

async fn upload(ctx: &AppContext, lang: Lang, id: &str, action: Action, form: PageUpload) -> Response {
    let PageUpload { user, fields, files } = form;
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let form: ActionForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let key = if matches!(action, Action::AttachResult | Action::DigitizeResult) {
        RESULT_COMPONENT.to_string()
    } else {
        form.component.clone()
    };
    let file_error = |e: FieldError| FieldError { field: field_id(action.slug(), "file"), ..e };
    let Some(file) = files.into_iter().find(|f| f.field == "file") else {
        let errors = vec![file_error(err("", "file_missing", "Chọn tệp để tải lên.", "Choose a file to upload."))];
        let failed = Failed { action, form: &form, rows: &fields, errors };
        return render(ctx, lang, &user, id, StatusCode::UNPROCESSABLE_ENTITY, None, Some(&failed)).await;
    };
    let (kind, name) = (file.content_type.as_deref(), file.file_name.as_str());
    let result = match action {
        Action::Digitize | Action::DigitizeResult => uc::digitize(ctx, &user, id, &key, kind, name, file.bytes).await,
        _ => uc::attach(ctx, &user, id, &key, kind, name, file.bytes).await,
    };
    match result {
        Ok(_) => done(lang, id, action),
        Err(AppError::NotFound { .. }) => error_page(lang, AppError::not_found("dossier")),
        Err(e) => {
            let errors = app_errors(&e).into_iter().map(file_error).collect();
            let failed = Failed { action, form: &form, rows: &fields, errors };
            render(ctx, lang, &user, id, status_of(&e), None, Some(&failed)).await
        }
    }
}
