//! Which commands a dossier offers, to whom: one guard table (command kind × status × who),
//! asked by `decide` before anything else and by the pages through `available()`, so the
//! forms a page shows and the commands the domain accepts cannot drift apart. Also who may
//! read a dossier.
//!
//! The table answers three questions in this order, as `decide` always has: is the command
//! a legal transition from this status (else 409 `invalid_transition`), may this actor issue
//! it (else 403), and does the state meet its preconditions (else 422 naming the field).
//! The inputs of the command are checked after that, by `decide`.

use super::Status;
use super::command::{CommandKind, DossierError, field};
use super::decide::{Ctx, ts};
use super::state::{Dossier, PaymentMethod, ProcedureRef};
use crate::agency::in_subtree;
use crate::authz::Membership;
use crate::calendar::{CountingRules, TimeLimit, WorkCalendar, local_date};
use crate::catalog::Channel;
use crate::error::{FieldError, ValidationError};
use crate::user::{AccountType, Role};
use Status::*;
use Who::*;
use jiff::Timestamp;

/// Who is acting.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user_id: &'a str,
    pub account: AccountType,
    pub memberships: &'a [Membership],
}

impl Actor<'_> {
    pub(super) fn owns(&self, d: &Dossier) -> bool {
        d.owner_id.as_deref() == Some(self.user_id)
    }

    /// Holds `role` at an agency that serves `agency_path`: the agency itself, a unit above
    /// it, or a unit directly below it (a counter serves its centre's online queue, a
    /// department's office serves the department).
    pub fn serves(&self, role: Role, agency_path: &str) -> bool {
        self.account == AccountType::Official
            && self.memberships.iter().any(|m| {
                m.role == role && (in_subtree(agency_path, &m.agency_path) || parent_path(&m.agency_path) == Some(agency_path))
            })
    }

    pub(super) fn at_step(&self, d: &Dossier) -> bool {
        d.current_step().is_some_and(|s| self.serves(s.role, &s.agency.path))
    }

    pub(super) fn at_counter(&self, d: &Dossier) -> bool {
        self.serves(Role::ReceptionOfficer, &d.receiving.path)
    }

    /// A supervisor or administrator over the subtree of `receiving_path`: they may read
    /// every submitted dossier received there (the access-log page links to those).
    pub fn oversees(&self, receiving_path: &str) -> bool {
        self.account == AccountType::Official
            && self
                .memberships
                .iter()
                .any(|m| matches!(m.role, Role::Supervisor | Role::Admin) && in_subtree(receiving_path, &m.agency_path))
    }
}

fn parent_path(path: &str) -> Option<&str> {
    let trimmed = path.strip_suffix('/')?;
    let cut = trimmed.rfind('/')?;
    (cut > 0).then(|| &path[..=cut])
}

/// May `a` read the dossier? Its applicant; an official serving (any role) the agency that
/// received it, the competent agency or any agency of its workflow; a supervisor or
/// administrator over the receiving agency's subtree.
pub fn may_read(d: &Dossier, a: &Actor<'_>) -> bool {
    if a.owns(d) {
        return true;
    }
    // A draft is its applicant's alone until it is submitted.
    if a.account != AccountType::Official || d.status == Draft {
        return false;
    }
    let mut paths: Vec<&str> = vec![&d.receiving.path];
    paths.extend(d.competent.as_ref().map(|c| c.path.as_str()));
    paths.extend(d.steps.iter().map(|s| s.agency.path.as_str()));
    a.oversees(&d.receiving.path)
        || a.memberships
            .iter()
            .any(|m| !matches!(m.role, Role::Supervisor | Role::Admin) && paths.iter().any(|p| a.serves(m.role, p)))
}

/// May `a`, who may read the dossier, see its file `f`? The result document is the
/// applicant's from resolution on; before that it is the officers' working draft.
pub fn may_read_file(d: &Dossier, f: &super::state::FileRef, a: &Actor<'_>) -> bool {
    f.component_key != super::command::RESULT_COMPONENT || !a.owns(d) || matches!(d.status, Resolved | Returned)
}

/// Who, relative to the dossier, may issue a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The applicant who filed it (its owner account).
    Owner,
    /// A reception officer serving the agency where it was received.
    Counter,
    /// An official holding the current step's role, serving the step's agency.
    Step,
    /// A leader serving the competent agency (none before one is named).
    CompetentLeader,
    /// A leader serving the competent agency, else the agency holding the dossier: who signs form 04.
    SigningLeader,
    /// The counter's kiosk (second screen) acting for the applicant of a paper dossier, once
    /// the one-time rating code printed on their receipt was checked.
    Kiosk,
    /// The payment gateway's adapter, acting on a callback (or a query answer) whose
    /// signature it verified: it alone records an online payment.
    Gateway,
    /// The postal carrier, through its signed webhook (`CARRIER_ACTOR`).
    Carrier,
}

/// The actor id of the postal carrier's verified webhook in the log (QĐ 45/2016 hand-over
/// and delivery reports).
pub const CARRIER_ACTOR: &str = "carrier";

/// The actor id of the counter's kiosk (second screen) in the log.
pub const KIOSK_ACTOR: &str = "kiosk";

/// The actor id of the payment gateway's verified callback in the log.
pub const PAYMENT_ACTOR: &str = "payment";

/// The actor id (and owner id) of a dossier filed on the national portal: the portal acts
/// for its citizen in motcua (the filing, its files, its submission).
pub const PORTAL_ACTOR: &str = "dvcqg";

impl Who {
    pub fn admits(self, d: &Dossier, a: &Actor<'_>) -> bool {
        match self {
            Self::Owner => a.owns(d),
            Self::Counter => a.at_counter(d),
            Self::Step => a.at_step(d),
            Self::CompetentLeader => d.competent.as_ref().is_some_and(|c| a.serves(Role::Leader, &c.path)),
            Self::SigningLeader => {
                let signer = d.competent.as_ref().unwrap_or_else(|| d.current_agency());
                a.serves(Role::Leader, &signer.path)
            }
            Self::Kiosk => a.account != AccountType::Official && a.user_id == KIOSK_ACTOR,
            Self::Gateway => a.account != AccountType::Official && a.user_id == PAYMENT_ACTOR,
            Self::Carrier => a.account != AccountType::Official && a.user_id == CARRIER_ACTOR,
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Owner => "applicant (owner)",
            Self::Counter => "reception officer of the receiving agency",
            Self::Step => "the current step's role at its agency",
            Self::CompetentLeader => "leader of the competent agency",
            Self::SigningLeader => "leader of the competent agency (else of the agency holding it)",
            Self::Kiosk => "the applicant at the counter's kiosk, with the one-time rating code of the receipt",
            Self::Gateway => "the payment gateway's verified callback",
            Self::Carrier => "the postal carrier, through its signed webhook",
        }
    }
}

/// One "who" of a guard, in every status of the guard or only in some of them.
#[derive(Debug, Clone, Copy)]
pub struct Grant {
    pub who: Who,
    pub only: Option<&'static [Status]>,
}

const fn any(who: Who) -> Grant {
    Grant { who, only: None }
}

const fn only(who: Who, statuses: &'static [Status]) -> Grant {
    Grant { who, only: Some(statuses) }
}

/// A state of the guard's statuses where the command is still no legal transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Except {
    /// An online draft is submitted by its applicant first; only paper drafts (counter,
    /// postal) are received directly.
    OnlineDraft,
}

/// A condition on the state beyond status and actor; unmet, the command answers 422
/// naming the field, as it did before the table existed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pre {
    /// Every required component (not reused) has a file.
    ComponentsFiled,
    /// The procedure accepts the dossier's channel (online only; postal excluded). Checked
    /// against the version being received.
    ChannelAccepted,
    /// There is a next step.
    NotLastStep,
    /// The dossier is at the last step.
    LastStep,
    /// Not extended yet (once only).
    NotExtended,
    /// At the latest one working day before the due date (ND 61/2018 art. 17: "chậm nhất
    /// 01 ngày trước ngày hết hạn"; REQ-21): the apology letter comes before the delay.
    DayBeforeDue,
    /// Not rated yet (once only).
    NotRated,
    /// A file is there to remove.
    HasFile,
    /// Each component the last supplement request names has a file attached since the
    /// request (issue #10: a supplement is not confirmed on an empty promise).
    SupplementFiled,
    /// An online dossier has its result document attached: it is returned online (issue
    /// #10; REQ-23, the electronic result).
    OnlineResultFiled,
    /// A paper dossier with a rating code on its receipt.
    RatingCode,
    /// After reception: the first notice within the procedure's window, a second one only
    /// where a sector rule allows it (REQ-19).
    SupplementAllowed,
    /// The procedure's result is issued on paper (its scan is the electronic result).
    PaperResult,
    /// Filed on paper (at a counter or by post): an online filing is electronic already.
    PaperDossier,
    /// A component in scope of digitization (not excluded by TT 01/2023).
    Digitizable,
    /// The procedure is not among those excluded from the public postal service (QĐ 45/2016).
    PostalAllowed,
    /// The applicant chose to receive the result by post.
    ResultByPost,
    /// No shipment of the result is in transit.
    NotInTransit,
    /// A shipment of the result is in transit.
    InTransit,
}

impl Pre {
    pub fn label_en(self) -> &'static str {
        match self {
            Self::ComponentsFiled => "every required component has a file",
            Self::ChannelAccepted => "the procedure accepts the channel",
            Self::NotLastStep => "not at the last step",
            Self::LastStep => "at the last step",
            Self::NotExtended => "once",
            Self::DayBeforeDue => "at the latest 1 working day before the due date",
            Self::NotRated => "once",
            Self::HasFile => "a file to remove",
            Self::SupplementFiled => "a file for each requested component",
            Self::OnlineResultFiled => "online: the result file, or the signed result the system issues",
            Self::RatingCode => "a rating code on the receipt",
            Self::PaperResult => "the result is issued on paper",
            Self::PaperDossier => "filed on paper (counter or post)",
            Self::Digitizable => "a component in scope of digitization",
            Self::PostalAllowed => "the procedure is not excluded from the post",
            Self::ResultByPost => "the applicant chose the result by post",
            Self::NotInTransit => "no shipment of the result in transit",
            Self::InTransit => "a shipment of the result in transit",
            Self::SupplementAllowed => {
                "after reception: within the window (3 working days unless the procedure says otherwise); a second notice only where the procedure allows it"
            }
        }
    }

    fn check(self, d: &Dossier, cx: &Ctx<'_>, procedure: &ProcedureRef) -> Result<(), DossierError> {
        let (now, cal) = (cx.now, cx.calendar);
        match self {
            Self::ComponentsFiled => {
                let missing: Vec<_> = d
                    .components
                    .iter()
                    .filter(|c| c.required && !c.reused && !d.files.iter().any(|f| !f.removed && f.component_key == c.key))
                    .map(|c| {
                        FieldError::new(
                            format!("components.{}", c.key),
                            "component_missing",
                            format!("Chưa đính kèm thành phần bắt buộc: {}.", c.name),
                            format!("A required component has no file: {}.", c.name),
                        )
                    })
                    .collect();
                if missing.is_empty() { Ok(()) } else { Err(DossierError::Invalid(ValidationError(missing))) }
            }
            Self::ChannelAccepted => {
                if procedure.online_only && d.channel != Channel::Online {
                    return Err(field(
                        "channel",
                        "online_only",
                        "Thủ tục này chỉ tiếp nhận hồ sơ trực tuyến (Chỉ thị 24/CT-TTg); không nhận hồ sơ giấy.",
                        "This procedure is received online only (Directive 24/CT-TTg); paper dossiers are not accepted.",
                    ));
                }
                if procedure.postal_excluded && d.channel == Channel::Postal {
                    return Err(field(
                        "channel",
                        "postal_excluded",
                        "Thủ tục này không tiếp nhận qua dịch vụ bưu chính công ích.",
                        "This procedure is not received through the public postal service.",
                    ));
                }
                Ok(())
            }
            Self::NotLastStep if d.steps.get(d.step + 1).is_none() => Err(field(
                "step",
                "last_step",
                "Đây là bước cuối của quy trình; hãy ghi nhận kết quả giải quyết.",
                "This is the last step of the workflow; record the result instead.",
            )),
            Self::LastStep if d.step + 1 != d.steps.len() => Err(field(
                "step",
                "not_last_step",
                "Chỉ ghi nhận kết quả ở bước cuối của quy trình; hãy chuyển hồ sơ tiếp.",
                "The result is recorded at the last step of the workflow; forward the dossier first.",
            )),
            Self::NotExtended if d.extension.is_some() => Err(field(
                "new_date",
                "already_extended",
                "Hồ sơ đã được gia hạn một lần; không được hẹn lại lần nữa.",
                "The dossier was already extended once; it cannot be rescheduled again.",
            )),
            Self::DayBeforeDue if !day_before_due(d, now, cal) => Err(field(
                "new_date",
                "past_due",
                "Văn bản xin lỗi và đề nghị gia hạn phải được ban hành chậm nhất 01 ngày làm việc trước ngày hết hạn giải quyết.",
                "The apology and extension letter must be issued at the latest one working day before the due date.",
            )),
            Self::NotRated if d.rating.is_some() => Err(field(
                "satisfied",
                "already_rated",
                "Hồ sơ đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.",
                "This dossier was already rated; each dossier is rated once.",
            )),
            Self::SupplementAllowed if d.received_at.is_some() => {
                if d.supplement_requests >= 1 {
                    if procedure.supplement.second_notice_basis.is_none() {
                        return Err(field(
                            "items",
                            "second_supplement_not_allowed",
                            "Đã gửi một thông báo yêu cầu bổ sung; chỉ được yêu cầu bổ sung một lần bằng một văn bản tổng hợp (Nghị định 118/2025/NĐ-CP), thủ tục này không cho phép lần hai.",
                            "A supplement notice was already sent; the general rule allows one consolidated notice and this procedure allows no second one.",
                        ));
                    }
                    return Ok(());
                }
                match d.supplement_by {
                    Some(by) if now.as_millisecond() > by => Err(field(
                        "items",
                        "supplement_window_passed",
                        &format!(
                            "Đã quá thời hạn {} ngày làm việc kể từ khi tiếp nhận để yêu cầu bổ sung hồ sơ.",
                            procedure.supplement.window()
                        ),
                        &format!(
                            "The {}-working-day window after reception to request a supplement has passed.",
                            procedure.supplement.window()
                        ),
                    )),
                    _ => Ok(()),
                }
            }
            Self::PaperResult if !d.procedure.paper_result => Err(field(
                "component_key",
                "result_not_paper",
                "Kết quả của thủ tục này là bản điện tử; không cần số hóa kết quả giấy.",
                "This procedure's result is electronic; there is no paper result to digitize.",
            )),
            Self::PaperDossier if d.channel == Channel::Online => Err(field(
                "component_key",
                "online_dossier",
                "Hồ sơ nộp trực tuyến đã là bản điện tử; không cần số hóa thành phần hồ sơ.",
                "An online dossier is electronic already; its components are not digitized.",
            )),
            Self::Digitizable if !d.components.iter().any(|c| c.digitization.is_required()) => Err(field(
                "component_key",
                "digitization_excluded",
                "Không có thành phần hồ sơ nào thuộc diện số hóa.",
                "No component of this dossier is in scope of digitization.",
            )),
            Self::RatingCode if d.rating_code.is_none() => Err(field(
                "rating_code",
                "no_rating_code",
                "Hồ sơ này không có mã đánh giá; hồ sơ trực tuyến được đánh giá từ tài khoản người nộp.",
                "This dossier has no rating code; online dossiers are rated from the applicant's account.",
            )),
            Self::HasFile if !d.files.iter().any(|f| !f.removed) => {
                Err(field("file_id", "not_found", "Không tìm thấy tệp.", "No such file."))
            }
            Self::SupplementFiled => {
                let Some(s) = d.supplements.last() else { return Ok(()) };
                let missing: Vec<_> = s
                    .items
                    .iter()
                    .filter_map(|it| it.component_key.as_deref().map(|k| (k, it)))
                    .filter(|(k, _)| !d.files.iter().any(|f| !f.removed && f.component_key == *k && f.at >= s.requested_at))
                    .map(|(k, it)| {
                        FieldError::new(
                            format!("components.{k}"),
                            "supplement_file_missing",
                            format!("Chưa đính kèm tệp bổ sung cho: {}.", it.name),
                            format!("No supplementary file attached for: {}.", it.name),
                        )
                    })
                    .collect();
                if missing.is_empty() { Ok(()) } else { Err(DossierError::Invalid(ValidationError(missing))) }
            }
            Self::PostalAllowed if d.procedure.postal_excluded => Err(field(
                "postal",
                "postal_excluded",
                "Thủ tục này không thực hiện qua dịch vụ bưu chính công ích.",
                "This procedure is not served through the public postal service.",
            )),
            Self::ResultByPost if !d.postal.as_ref().is_some_and(|p| p.result_by_post) => Err(field(
                "postal",
                "postal_not_chosen",
                "Người nộp không chọn nhận kết quả qua bưu chính; hãy ghi nhận lựa chọn và địa chỉ trước.",
                "The applicant did not choose the result by post; record the choice and the address first.",
            )),
            Self::NotInTransit if in_transit(d) => Err(field(
                "tracking_number",
                "shipment_in_transit",
                "Kết quả đang được bưu chính chuyển phát; hãy chờ kết quả phát (thành công hoặc không thành công).",
                "The result is in transit with the post; wait for the delivery report (delivered or undelivered).",
            )),
            Self::InTransit if !in_transit(d) => Err(field(
                "tracking_number",
                "not_posted",
                "Kết quả chưa được bàn giao cho bưu chính (không có bưu gửi đang chuyển phát).",
                "The result has not been handed to the post (no shipment in transit).",
            )),
            // The signed result the system issues at resolution is the online result.
            Self::OnlineResultFiled
                if d.channel == Channel::Online
                    && !cx.signed_result
                    && !d.files.iter().any(|f| !f.removed && f.component_key == super::command::RESULT_COMPONENT) =>
            {
                Err(field(
                    "result",
                    "result_file_missing",
                    "Hồ sơ nộp trực tuyến phải có tệp kết quả giải quyết đính kèm trước khi hoàn thành.",
                    "An online dossier needs its result file attached before it is resolved.",
                ))
            }
            _ => Ok(()),
        }
    }
}

/// Is a shipment of the result with the post now?
pub fn in_transit(d: &Dossier) -> bool {
    d.shipments.last().is_some_and(|s| s.status == super::ShipmentStatus::InTransit)
}

/// The status a command leaves the dossier in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    To(Status),
    /// Back to the status the pause interrupted.
    Resume,
    /// The status does not change.
    Same,
}

/// One row of the guard table.
#[derive(Debug, Clone, Copy)]
pub struct Guard {
    pub kind: CommandKind,
    /// The statuses the command is a legal transition from.
    pub from: &'static [Status],
    pub except: Option<Except>,
    /// Who may issue it; any one grant is enough.
    pub who: &'static [Grant],
    pub pre: &'static [Pre],
    pub outcome: Outcome,
    /// The forms (01–07 of the one-stop regulation) the command issues or writes a row of.
    pub forms: &'static [u8],
}

/// Every status but the terminal ones (refused, withdrawn, stopped, returned).
const OPEN: &[Status] = &[Draft, Submitted, Received, InProgress, AwaitingSupplement, AwaitingPayment, Resolved];
/// From reception until processing ends.
const RUNNING: &[Status] = &[Received, InProgress, AwaitingSupplement, AwaitingPayment];

/// The guard table, one row per `CommandKind`, in `CommandKind::ALL` order.
#[rustfmt::skip]
pub const GUARDS: [Guard; 27] = [
    Guard { kind: CommandKind::Submit, from: &[Draft], except: None, who: &[any(Owner)],
        pre: &[Pre::ComponentsFiled], outcome: Outcome::To(Submitted), forms: &[] },
    Guard { kind: CommandKind::Receive, from: &[Draft, Submitted], except: Some(Except::OnlineDraft), who: &[any(Counter)],
        pre: &[Pre::ChannelAccepted], outcome: Outcome::To(Received), forms: &[1, 6, 7] },
    Guard { kind: CommandKind::Refuse, from: &[Submitted, Received], except: None, who: &[any(Counter)],
        pre: &[], outcome: Outcome::To(Refused), forms: &[3] },
    Guard { kind: CommandKind::RequestSupplement, from: &[Submitted, Received, InProgress], except: None,
        who: &[only(Counter, &[Submitted]), only(Step, &[Received, InProgress])],
        pre: &[Pre::SupplementAllowed], outcome: Outcome::To(AwaitingSupplement), forms: &[2] },
    Guard { kind: CommandKind::SupplySupplement, from: &[AwaitingSupplement], except: None, who: &[any(Owner), any(Counter)],
        pre: &[Pre::SupplementFiled], outcome: Outcome::Resume, forms: &[] },
    Guard { kind: CommandKind::Forward, from: &[Received, InProgress], except: None, who: &[any(Step)],
        pre: &[Pre::NotLastStep], outcome: Outcome::To(InProgress), forms: &[6] },
    Guard { kind: CommandKind::SendBack, from: &[InProgress], except: None, who: &[any(Step)],
        pre: &[], outcome: Outcome::To(InProgress), forms: &[6] },
    Guard { kind: CommandKind::NoticeFees, from: &[Received, InProgress], except: None, who: &[any(Step)],
        pre: &[], outcome: Outcome::To(AwaitingPayment), forms: &[] },
    // Which of these may record which payment method: `PAYMENT`.
    // An applicant never marks their own fee paid (a made-up receipt number would do): online
    // payments are recorded by the payment channel's verified callback (the payments issue),
    // cash by the official who took it.
    Guard { kind: CommandKind::MarkPaid, from: &[AwaitingPayment], except: None, who: &[any(Counter), any(Step), any(Gateway)],
        pre: &[], outcome: Outcome::Resume, forms: &[] },
    // Form 05 is the competent agency's decision, issued by its leader (ND 118/2025, TT 03/2025
    // Mẫu 05), not by whoever holds the step.
    Guard { kind: CommandKind::Stop, from: RUNNING, except: None, who: &[any(CompetentLeader)],
        pre: &[], outcome: Outcome::To(Stopped), forms: &[5] },
    // Refusal after appraisal is the competent agency's written answer, signed by its leader
    // like form 05 (NĐ 118/2025; NĐ 61/2018 art. 18 as amended): from processing only (before
    // reception it is form 03), once (it ends processing). National status 9: processing is
    // over and the letter is the result to return (QĐ 766 codes; no new code is invented).
    Guard { kind: CommandKind::RefuseAfterAppraisal, from: &[InProgress], except: None, who: &[any(CompetentLeader)],
        pre: &[], outcome: Outcome::To(Resolved), forms: &[6] },
    Guard { kind: CommandKind::Withdraw, from: &[Submitted, Received, InProgress, AwaitingSupplement, AwaitingPayment],
        except: None, who: &[any(Owner), any(Counter)], pre: &[], outcome: Outcome::To(Withdrawn), forms: &[] },
    Guard { kind: CommandKind::Extend, from: RUNNING, except: None, who: &[any(SigningLeader)],
        pre: &[Pre::NotExtended, Pre::DayBeforeDue], outcome: Outcome::Same, forms: &[4] },
    Guard { kind: CommandKind::Resolve, from: &[InProgress], except: None, who: &[any(Step)],
        pre: &[Pre::LastStep, Pre::OnlineResultFiled], outcome: Outcome::To(Resolved), forms: &[6] },
    // Not while the result is with the post: it comes back (`post_undelivered`) first.
    Guard { kind: CommandKind::Return, from: &[Resolved], except: None, who: &[any(Counter)],
        pre: &[Pre::NotInTransit], outcome: Outcome::To(Returned), forms: &[7] },
    Guard { kind: CommandKind::AttachFile, from: OPEN, except: None,
        who: &[only(Owner, &[Draft, AwaitingSupplement]), any(Counter), any(Step)],
        pre: &[], outcome: Outcome::Same, forms: &[] },
    Guard { kind: CommandKind::AttachResult, from: &[InProgress], except: None, who: &[any(Step)],
        pre: &[], outcome: Outcome::Same, forms: &[] },
    Guard { kind: CommandKind::RemoveFile, from: OPEN, except: None,
        who: &[only(Owner, &[Draft, AwaitingSupplement]), only(Counter, &[Draft, Submitted])],
        pre: &[Pre::HasFile], outcome: Outcome::Same, forms: &[] },
    // TT 01/2023 (REQ-13): the receiving officer scans and certifies the paper components at
    // reception (and what the applicant brings to complete it); once processing runs, the
    // official holding the step does. Only paper dossiers: an online filing is electronic.
    Guard { kind: CommandKind::DigitizeComponent, from: &[Draft, Submitted, Received, InProgress, AwaitingSupplement, AwaitingPayment],
        except: Some(Except::OnlineDraft),
        who: &[only(Counter, &[Draft, Submitted, Received, AwaitingSupplement]), only(Step, RUNNING)],
        pre: &[Pre::PaperDossier, Pre::Digitizable], outcome: Outcome::Same, forms: &[] },
    // A result issued on paper is digitized too: by the last step's holder who issues it, or
    // at the counter before it is handed back.
    Guard { kind: CommandKind::DigitizeResult, from: &[InProgress, Resolved], except: None,
        who: &[only(Step, &[InProgress]), only(Counter, &[Resolved])],
        pre: &[Pre::PaperResult, Pre::LastStep], outcome: Outcome::Same, forms: &[] },
    // Rated once the result is handed back (REQ-30: the rating is of the whole service).
    Guard { kind: CommandKind::Rate, from: &[Returned], except: None, who: &[any(Owner)],
        pre: &[Pre::NotRated], outcome: Outcome::Same, forms: &[] },
    // Counter applicants have no account: the code printed on their receipt stands for it
    // (766 indicator 5.4 counts every dossier's rating, not only online ones).
    Guard { kind: CommandKind::RateAtCounter, from: &[Returned], except: None, who: &[any(Kiosk)],
        pre: &[Pre::RatingCode, Pre::NotRated], outcome: Outcome::Same, forms: &[] },
    // An online payment of a dossier that ends without its result goes back to the payer
    // where the setting says so (docs/payments.md: the spec is silent), by the gateway.
    Guard { kind: CommandKind::Refund, from: &[Withdrawn, Stopped], except: None, who: &[any(Gateway)],
        pre: &[], outcome: Outcome::Same, forms: &[] },
    // QĐ 45/2016: the applicant chooses on their draft; the counter records it for a paper
    // dossier, or a change, until the result is returned (not while it is with the post).
    Guard { kind: CommandKind::ChoosePostal, from: OPEN, except: None,
        who: &[only(Owner, &[Draft]), any(Counter)],
        pre: &[Pre::PostalAllowed, Pre::NotInTransit], outcome: Outcome::Same, forms: &[] },
    // The counter hands the result to the post: once at a time, only where chosen.
    Guard { kind: CommandKind::Post, from: &[Resolved], except: None, who: &[any(Counter)],
        pre: &[Pre::ResultByPost, Pre::NotInTransit], outcome: Outcome::Same, forms: &[] },
    // The delivery is the return (`postal.rs`): reported by the carrier or the counter.
    Guard { kind: CommandKind::PostDelivered, from: &[Resolved], except: None, who: &[any(Counter), any(Carrier)],
        pre: &[Pre::InTransit], outcome: Outcome::To(Returned), forms: &[7] },
    Guard { kind: CommandKind::PostUndelivered, from: &[Resolved], except: None, who: &[any(Counter), any(Carrier)],
        pre: &[Pre::InTransit], outcome: Outcome::Same, forms: &[] },
];

/// Who may record a payment, by method: cash is taken at the counter or by the officer at
/// the step; an online payment is recorded only by the gateway's verified callback (never
/// by the applicant, nor typed in by an official). Together they are the `MarkPaid` row's
/// grants.
pub const PAYMENT: [(PaymentMethod, &[Who]); 3] = [
    (PaymentMethod::Cash, &[Counter, Step]),
    (PaymentMethod::OnlineNational, &[Gateway]),
    (PaymentMethod::OnlineLocal, &[Gateway]),
];

pub fn guard(kind: CommandKind) -> &'static Guard {
    &GUARDS[kind as usize]
}

impl Guard {
    /// Is the command a legal transition from the dossier's state?
    pub fn open(&self, d: &Dossier) -> bool {
        self.from.contains(&d.status)
            && match self.except {
                None => true,
                Some(Except::OnlineDraft) => !(d.status == Draft && d.channel == Channel::Online),
            }
    }

    /// May `a` issue it in the dossier's status?
    pub fn admits(&self, d: &Dossier, a: &Actor<'_>) -> bool {
        self.who.iter().any(|g| g.only.is_none_or(|s| s.contains(&d.status)) && g.who.admits(d, a))
    }
}

/// Status and actor, from the table: 409 when the command is no legal transition from the
/// dossier's state, 403 when the actor may not issue it.
pub(super) fn check(d: &Dossier, a: &Actor<'_>, kind: CommandKind) -> Result<(), DossierError> {
    let g = guard(kind);
    if !g.open(d) {
        return Err(DossierError::InvalidTransition { command: kind.command_name(), status: d.status });
    }
    if !g.admits(d, a) {
        return Err(DossierError::Forbidden { command: kind.command_name() });
    }
    Ok(())
}

/// The state preconditions of the table, in order; `procedure` is the version the command
/// is about (at reception, the one being pinned).
pub(super) fn preconditions(d: &Dossier, kind: CommandKind, cx: &Ctx<'_>, procedure: &ProcedureRef) -> Result<(), DossierError> {
    guard(kind).pre.iter().try_for_each(|p| p.check(d, cx, procedure))
}

/// Whether `now` falls on or before the working day before the due date: the next working
/// day after `now`'s date is not after the due date.
fn day_before_due(d: &Dossier, now: Timestamp, cal: &WorkCalendar) -> bool {
    let Some(due) = d.due_at else { return false };
    cal.due(now, TimeLimit::working_days(1), &CountingRules::default())
        .is_ok_and(|next| local_date(next.at) <= local_date(ts(due)))
}

/// May `a` record a payment made by `method`?
pub fn may_record_payment(d: &Dossier, a: &Actor<'_>, method: PaymentMethod) -> bool {
    PAYMENT.iter().any(|(m, who)| *m == method && who.iter().any(|w| w.admits(d, a)))
}

/// The commands `a` may issue on the dossier now (status, actor and preconditions of the
/// table): what a page offers. With valid inputs `decide` accepts each of them, and it
/// accepts nothing else (the property test in `props.rs` holds both). At reception the
/// channel is checked against the version the dossier was filed under.
pub fn available(d: &Dossier, cx: &Ctx<'_>) -> Vec<CommandKind> {
    CommandKind::ALL
        .into_iter()
        .filter(|k| check(d, &cx.actor, *k).is_ok() && preconditions(d, *k, cx, &d.procedure).is_ok())
        .collect()
}

fn status_md(s: Status) -> String {
    match s.national_code() {
        Some(n) => format!("{} ({n})", s.code()),
        None => s.code().to_string(),
    }
}

/// The guard table as a Markdown table (docs/dossiers.md carries it; a test keeps the two
/// equal): each command, who may issue it, from which statuses, what else it needs, the
/// forms it issues and the status it leads to.
pub fn guard_table_markdown() -> String {
    let mut out = String::from(
        "| command | who may issue it | from (national code) | also needs | form | leads to |\n|---|---|---|---|---|---|\n",
    );
    for g in &GUARDS {
        let who = if g.kind == CommandKind::MarkPaid {
            PAYMENT
                .iter()
                .map(|(m, who)| {
                    let names: Vec<&str> = who.iter().map(|w| w.label_en()).collect();
                    let method = match m {
                        PaymentMethod::Cash => "cash",
                        PaymentMethod::OnlineNational => "online (national platform)",
                        PaymentMethod::OnlineLocal => "online (local gateway)",
                    };
                    format!("{method}: {}", names.join(" or "))
                })
                .collect::<Vec<_>>()
                .join("; ")
        } else {
            g.who
                .iter()
                .map(|grant| match grant.only {
                    None => grant.who.label_en().to_string(),
                    Some(only) => {
                        let st: Vec<&str> = only.iter().map(|s| s.code()).collect();
                        format!("{} (in {})", grant.who.label_en(), st.join(", "))
                    }
                })
                .collect::<Vec<_>>()
                .join("; or ")
        };
        let from: Vec<String> = g
            .from
            .iter()
            .map(|s| match (g.except, s) {
                (Some(Except::OnlineDraft), Draft) => "draft (counter or postal only)".to_string(),
                _ => status_md(*s),
            })
            .collect();
        let pre: Vec<&str> = g.pre.iter().map(|p| p.label_en()).collect();
        let forms: Vec<String> = g.forms.iter().map(|f| format!("{f:02}")).collect();
        let leads = match g.outcome {
            Outcome::To(s) => status_md(s),
            Outcome::Resume => "the status before the pause".to_string(),
            Outcome::Same => "unchanged".to_string(),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            g.kind.code(),
            who,
            from.join(", "),
            if pre.is_empty() { "—".to_string() } else { pre.join("; ") },
            if forms.is_empty() { "—".to_string() } else { forms.join(", ") },
            leads
        ));
    }
    out
}
