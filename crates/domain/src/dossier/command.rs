//! Commands: what a caller asks of a dossier, their kinds (the rows of the guard table) and
//! the error a refused command gets.

use super::Status;
use super::postal::{PostalAddress, Province};
use super::state::*;
use crate::calendar::CalendarError;
use crate::error::ValidationError;
use jiff::civil::Date;

/// What the caller asks for.
#[derive(Debug, Clone)]
pub enum Command {
    /// The app draws the filing reference (random, unique) the applicant tracks the dossier
    /// by until it is received and has its code.
    Submit {
        reference: String,
        /// The applicant's session was opened through VNeID (REQ-32; 766 `TaiKhoanDuocXacThucVoiVNeID`).
        vneid: bool,
    },
    /// The app allocates the code (atomically, in the same transaction) and resolves the
    /// pinned version, the competent agency and the workflow's agencies.
    Receive {
        code: String,
        /// Boxed: the version is the command's largest part by far.
        procedure: Box<ProcedureRef>,
        competent: Option<AgencyRef>,
        steps: Vec<Step>,
        components: Vec<ComponentCheck>,
        /// The one-time code printed on the receipt of a paper dossier, with which the
        /// applicant rates the service at return (issue #11 item 15); none online.
        rating_code: Option<String>,
    },
    Refuse {
        reasons: Vec<String>,
    },
    RequestSupplement {
        items: Vec<SupplementItem>,
    },
    SupplySupplement {
        note: Option<String>,
    },
    Forward {
        note: Option<String>,
    },
    SendBack {
        reason: String,
    },
    NoticeFees {
        items: Vec<FeeItem>,
    },
    MarkPaid {
        method: PaymentMethod,
        receipt_number: String,
        /// What was paid, in đồng, when the recorder knows it (the gateway always does): it
        /// must be the noticed total.
        amount: Option<i64>,
    },
    /// The gateway refunded an online payment of a dossier that ended without its result
    /// (withdrawn, stopped): recorded by the gateway's adapter once the refund went through.
    Refund {
        amount: i64,
        /// The gateway's reference of the refund (its transaction number).
        reference: String,
    },
    /// Refusal after appraisal ("từ chối giải quyết"): the competent agency finds the dossier
    /// ineligible while processing it and answers in writing, with the reasons; the letter
    /// is the result handed back through the one-stop.
    RefuseAfterAppraisal {
        reasons: Vec<String>,
        basis: Option<String>,
    },
    Stop {
        reason: String,
        basis: Option<String>,
        financial_consequences: Option<String>,
    },
    Withdraw {
        reason: String,
    },
    Extend {
        reason: String,
        new_date: Date,
    },
    Resolve {
        name: String,
        number: Option<String>,
        note: Option<String>,
    },
    Return {
        method: ReturnMethod,
        tracking_number: Option<String>,
        note: Option<String>,
    },
    AttachFile {
        file: FileRef,
    },
    RemoveFile {
        file_id: String,
    },
    /// An officer's scan of a paper component, certified by their detached signature over it
    /// (TT 01/2023): signed and stored before the command is issued; the `result` component
    /// key is the paper result's scan.
    DigitizeComponent {
        file: FileRef,
        signature_sha256: String,
        signature_size: i64,
        by_name: String,
        certificate_serial: String,
    },
    /// The applicant's satisfaction with the service (766 indicator 5.4), once per dossier.
    Rate {
        satisfied: bool,
        comment: Option<String>,
        /// Satisfied or not per dimension (each at most once), optional.
        factors: Vec<FactorRating>,
    },
    /// The same rating by the applicant of a paper dossier at the counter's kiosk or second
    /// screen, proving it with the one-time code printed on their receipt.
    RateAtCounter {
        satisfied: bool,
        comment: Option<String>,
        rating_code: String,
        factors: Vec<FactorRating>,
    },
    /// The applicant's postal choice (QĐ 45/2016): the dossier sent, the result received by
    /// post, or both, with the address; checked against the province's communes, which the
    /// app reads from the agency tree.
    ChoosePostal {
        dossier_by_post: bool,
        result_by_post: bool,
        address: PostalAddress,
        /// Boxed: the province carries its list of communes.
        province: Box<Province>,
    },
    /// The result handed to the post for delivery to the chosen address.
    Post {
        tracking_number: String,
        carrier: Option<String>,
        /// The postal fee in đồng.
        fee: i64,
    },
    /// The shipment in transit was delivered (the return of the result). A carrier's report
    /// names the tracking number; an officer may leave it out (the one in transit).
    PostDelivered {
        tracking_number: Option<String>,
    },
    /// The shipment in transit came back undelivered: the result waits at the counter.
    PostUndelivered {
        tracking_number: Option<String>,
        reason: String,
    },
}

/// Component key of the result document attached by the processing officers.
pub const RESULT_COMPONENT: &str = "result";

impl Command {
    /// The postal choice as a form gives it (recipient, phone, commune or ward code, street):
    /// the app fills in the province and the names from the agency tree.
    pub fn choose_postal(
        dossier_by_post: bool,
        result_by_post: bool,
        recipient: &str,
        phone: &str,
        commune_code: &str,
        street: &str,
    ) -> Self {
        Self::ChoosePostal {
            dossier_by_post,
            result_by_post,
            address: PostalAddress {
                recipient: recipient.to_string(),
                phone: phone.to_string(),
                province_code: String::new(),
                province: String::new(),
                commune_code: commune_code.to_string(),
                commune: String::new(),
                street: street.to_string(),
            },
            province: Box::default(),
        }
    }

    /// The name in errors and messages (`attach_file` for the result document too).
    pub fn name(&self) -> &'static str {
        self.kind().command_name()
    }

    /// The row of the guard table this command falls under.
    pub fn kind(&self) -> CommandKind {
        match self {
            Self::Submit { .. } => CommandKind::Submit,
            Self::Receive { .. } => CommandKind::Receive,
            Self::Refuse { .. } => CommandKind::Refuse,
            Self::RequestSupplement { .. } => CommandKind::RequestSupplement,
            Self::SupplySupplement { .. } => CommandKind::SupplySupplement,
            Self::Forward { .. } => CommandKind::Forward,
            Self::SendBack { .. } => CommandKind::SendBack,
            Self::NoticeFees { .. } => CommandKind::NoticeFees,
            Self::MarkPaid { .. } => CommandKind::MarkPaid,
            Self::Refund { .. } => CommandKind::Refund,
            Self::RefuseAfterAppraisal { .. } => CommandKind::RefuseAfterAppraisal,
            Self::Stop { .. } => CommandKind::Stop,
            Self::Withdraw { .. } => CommandKind::Withdraw,
            Self::Extend { .. } => CommandKind::Extend,
            Self::Resolve { .. } => CommandKind::Resolve,
            Self::Return { .. } => CommandKind::Return,
            Self::AttachFile { file } if file.component_key == RESULT_COMPONENT => CommandKind::AttachResult,
            Self::AttachFile { .. } => CommandKind::AttachFile,
            Self::RemoveFile { .. } => CommandKind::RemoveFile,
            Self::DigitizeComponent { file, .. } if file.component_key == RESULT_COMPONENT => CommandKind::DigitizeResult,
            Self::DigitizeComponent { .. } => CommandKind::DigitizeComponent,
            Self::Rate { .. } => CommandKind::Rate,
            Self::RateAtCounter { .. } => CommandKind::RateAtCounter,
            Self::ChoosePostal { .. } => CommandKind::ChoosePostal,
            Self::Post { .. } => CommandKind::Post,
            Self::PostDelivered { .. } => CommandKind::PostDelivered,
            Self::PostUndelivered { .. } => CommandKind::PostUndelivered,
        }
    }
}

/// One kind per command: what the guard table, the pages and the docs speak of. Attaching
/// the result document is a kind of its own (the same `AttachFile` command with the
/// `result` component key) because other people may do it at other times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CommandKind {
    Submit,
    Receive,
    Refuse,
    RequestSupplement,
    SupplySupplement,
    Forward,
    SendBack,
    NoticeFees,
    MarkPaid,
    Stop,
    RefuseAfterAppraisal,
    Withdraw,
    Extend,
    Resolve,
    Return,
    AttachFile,
    AttachResult,
    RemoveFile,
    DigitizeComponent,
    DigitizeResult,
    Rate,
    RateAtCounter,
    Refund,
    ChoosePostal,
    Post,
    PostDelivered,
    PostUndelivered,
}

impl CommandKind {
    /// In the order of the guard table.
    pub const ALL: [Self; 27] = [
        Self::Submit,
        Self::Receive,
        Self::Refuse,
        Self::RequestSupplement,
        Self::SupplySupplement,
        Self::Forward,
        Self::SendBack,
        Self::NoticeFees,
        Self::MarkPaid,
        Self::Stop,
        Self::RefuseAfterAppraisal,
        Self::Withdraw,
        Self::Extend,
        Self::Resolve,
        Self::Return,
        Self::AttachFile,
        Self::AttachResult,
        Self::RemoveFile,
        Self::DigitizeComponent,
        Self::DigitizeResult,
        Self::Rate,
        Self::RateAtCounter,
        Self::Refund,
        Self::ChoosePostal,
        Self::Post,
        Self::PostDelivered,
        Self::PostUndelivered,
    ];

    /// A stable name for docs and tests (`attach_result` included).
    pub fn code(self) -> &'static str {
        match self {
            Self::AttachResult => "attach_result",
            Self::DigitizeResult => "digitize_result",
            other => other.command_name(),
        }
    }

    /// The name of the command in errors and messages (`DossierError`, `transition_vi`).
    pub fn command_name(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Receive => "receive",
            Self::Refuse => "refuse",
            Self::RequestSupplement => "request_supplement",
            Self::SupplySupplement => "supply_supplement",
            Self::Forward => "forward",
            Self::SendBack => "send_back",
            Self::NoticeFees => "notice_fees",
            Self::MarkPaid => "mark_paid",
            Self::Stop => "stop",
            Self::RefuseAfterAppraisal => "refuse_after_appraisal",
            Self::Withdraw => "withdraw",
            Self::Extend => "extend",
            Self::Resolve => "resolve",
            Self::Return => "return",
            Self::AttachFile | Self::AttachResult => "attach_file",
            Self::RemoveFile => "remove_file",
            Self::DigitizeComponent | Self::DigitizeResult => "digitize_component",
            Self::Rate => "rate",
            Self::RateAtCounter => "rate_at_counter",
            Self::Refund => "refund",
            Self::ChoosePostal => "choose_postal",
            Self::Post => "post",
            Self::PostDelivered => "post_delivered",
            Self::PostUndelivered => "post_undelivered",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierError {
    #[error("{command} is not allowed while the dossier is {status:?}")]
    InvalidTransition { command: &'static str, status: Status },
    #[error("the actor may not {command} this dossier")]
    Forbidden { command: &'static str },
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// A refusal naming one field (422).
pub(super) fn field(field: &str, code: &'static str, vi: &str, en: &str) -> DossierError {
    DossierError::Invalid(ValidationError::single(field, code, vi, en))
}

impl DossierError {
    pub fn transition_vi(command: &str, status: Status) -> String {
        let what = match command {
            "submit" => "nộp hồ sơ",
            "receive" => "tiếp nhận hồ sơ",
            "refuse" => "từ chối tiếp nhận",
            "request_supplement" => "yêu cầu bổ sung",
            "supply_supplement" => "bổ sung hồ sơ",
            "forward" => "chuyển bước tiếp theo",
            "send_back" => "trả lại bước trước",
            "notice_fees" => "thông báo phí, lệ phí",
            "mark_paid" => "xác nhận đã nộp phí",
            "stop" => "dừng giải quyết",
            "refuse_after_appraisal" => "từ chối giải quyết",
            "withdraw" => "rút hồ sơ",
            "extend" => "gia hạn",
            "resolve" => "ghi nhận kết quả",
            "return" => "trả kết quả",
            "attach_file" => "đính kèm tệp",
            "digitize_component" => "số hóa, chứng thực bản điện tử",
            "rate" | "rate_at_counter" => "đánh giá",
            "refund" => "hoàn trả phí, lệ phí",
            "choose_postal" => "chọn nộp, nhận qua bưu chính",
            "post" => "bàn giao kết quả cho bưu chính",
            "post_delivered" => "ghi nhận phát thành công",
            "post_undelivered" => "ghi nhận phát không thành công",
            _ => "thực hiện thao tác này",
        };
        format!("Không thể {what} khi hồ sơ đang ở trạng thái “{}”.", status.label_vi())
    }
}
