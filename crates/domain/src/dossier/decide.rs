//! `decide`: checks a command against the state and returns the one event it produces, with
//! every derived fact (deadlines, timeliness) computed into it.

use super::Status;
use super::command::*;
use super::event::Event;
use super::guard::{self, Actor};
use super::postal;
use super::state::*;
use super::workflow::StepKind;
use crate::calendar::{CountingRules, Due, OutOfHours, TimeLimit, Timeliness, WorkCalendar, classify};
use crate::catalog::Channel;
use crate::error::{Errors, FieldError};
use jiff::Timestamp;

/// The environment of a decision: the actor, the instant and the working calendar.
pub struct Ctx<'a> {
    pub actor: Actor<'a>,
    pub now: Timestamp,
    pub calendar: &'a WorkCalendar,
    /// The system issues the signed result document at resolution (for a return: it issued
    /// one): that document is the result an online dossier gets, no file need be attached.
    pub signed_result: bool,
}

pub(super) fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub(super) fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn text_required(errs: &mut Errors, name: &str, v: &str, max: usize) {
    let n = v.trim().chars().count();
    if n == 0 {
        errs.push(FieldError::new(name, "required", "Trường này là bắt buộc.", "This field is required."));
    } else if n > max {
        errs.push(FieldError::new(name, "too_long", format!("Tối đa {max} ký tự."), format!("At most {max} characters.")));
    }
}

/// Counting rules of the pinned procedure for a dossier received on `channel`.
pub fn counting_rules(p: &ProcedureRef, channel: Channel) -> CountingRules {
    CountingRules {
        same_day_cutoff: p.counting.same_day_cutoff,
        out_of_hours: if p.counting.out_of_hours_next && channel == Channel::Online {
            OutOfHours::NextWorkingInstant
        } else {
            OutOfHours::AsFiled
        },
    }
}

/// How the dossier ends against its deadline. A second supplement request makes it late
/// whatever the dates say (766, REQ-19). An extension does not: the dossier is classified
/// against its original legal deadline (`due_at`, which the extension leaves alone) and the
/// extension is counted on its own (`extended`; ND 61/2018 art. 17, REQ-21).
pub fn timeliness(d: &Dossier, finished: Timestamp) -> Option<Timeliness> {
    let due = d.due_at?;
    if d.supplement_requests > 1 {
        return Some(Timeliness::Late);
    }
    Some(classify(finished, ts(due)))
}

/// Deadlines after a pause ends: each pushed back by the office time the pause lasted.
/// (due, appointment, step due) after a pause; `None` leaves a deadline as it was.
type Resumed = (Option<i64>, Option<i64>, Option<i64>);

fn resumed(d: &Dossier, cal: &WorkCalendar, now: Timestamp) -> Result<Resumed, DossierError> {
    let Some(p) = d.pause.as_ref().filter(|p| p.clock) else { return Ok((None, None, None)) };
    let since = ts(p.since);
    let push = |at: Option<i64>| -> Result<Option<i64>, DossierError> {
        let Some(at) = at else { return Ok(None) };
        let due = Due { at: ts(at), counted_from: ts(d.counted_from.unwrap_or(at)), calendar_version: String::new() };
        Ok(Some(ms(cal.extend_for_pause(&due, since, now)?.at)))
    };
    // An extended appointment is a promise already made; it is not moved again.
    let appointment = if d.extension.is_some() { None } else { push(d.appointment_at)? };
    Ok((push(d.due_at)?, appointment, push(d.step_due_at)?))
}

/// When the one-stop must have checked an online dossier submitted (or completed) now: the
/// procedure's check level on the receiving agency's calendar, counted from the next office
/// instant when filed out of hours (issue #11 item 14; `WorkCalendar::check_due`).
fn check_due(d: &Dossier, cx: &Ctx<'_>) -> Result<Due, DossierError> {
    let level = d.procedure.reception_check;
    Ok(cx.calendar.check_due(cx.now, level.amount(), level.unit)?)
}

fn step_due(cal: &WorkCalendar, now: Timestamp, budget: TimeLimit) -> Result<i64, DossierError> {
    Ok(ms(cal.due(now, budget, &CountingRules::default())?.at))
}

/// Checks `cmd` against the dossier and returns the event it makes: first the guard table
/// (status, actor, preconditions: `guard.rs`), then the command's own inputs.
pub fn decide(d: &Dossier, cmd: Command, cx: &Ctx<'_>) -> Result<Event, DossierError> {
    let kind = cmd.kind();
    let now = cx.now;
    let a = &cx.actor;
    guard::check(d, a, kind)?;
    // At reception the channel is checked against the version being pinned.
    let procedure = match &cmd {
        Command::Receive { procedure, .. } => procedure,
        _ => &d.procedure,
    };
    guard::preconditions(d, kind, cx, procedure)?;
    match cmd {
        Command::Submit { reference, vneid } => {
            let mut errs = Errors::new();
            text_required(&mut errs, "reference", &reference, 40);
            errs.finish()?;
            let check = check_due(d, cx)?;
            Ok(Event::Submitted {
                reference: Some(reference),
                check_due_at: Some(ms(check.at)),
                calendar_version: Some(check.calendar_version),
                vneid_authenticated: vneid,
            })
        }
        Command::Receive { code, procedure, competent, steps, components, rating_code } => {
            let mut errs = Errors::new();
            for c in components.iter().filter(|c| c.required && !c.provided && !c.reused) {
                errs.push(FieldError::new(
                    format!("components.{}", c.key),
                    "component_missing",
                    format!("Thiếu thành phần bắt buộc: {}. Hãy yêu cầu bổ sung hoặc từ chối tiếp nhận.", c.name),
                    format!("A required component is missing: {}. Request a supplement or refuse the dossier.", c.name),
                ));
            }
            errs.finish()?;
            // Reception point and competent agency differ since 2025 (REQ-7); a dossier nobody
            // is competent for would sit in no one's inbox, so it is not received.
            if competent.is_none() {
                return Err(super::competent::competent_required());
            }
            let first = steps.first().ok_or_else(|| {
                field("workflow", "workflow_missing", "Thủ tục chưa có quy trình xử lý.", "The procedure has no workflow.")
            })?;
            let due = cx.calendar.due(now, procedure.time_limit, &counting_rules(&procedure, d.channel))?;
            // A paper dossier is handed from the one-stop to the competent agency the same
            // working day, or at the start of the next if received after 15:00 (REQ-15, NĐ
            // 61/2018 art. 16(1)); that, not the step's budget, is the reception step's due.
            let step_due_at = if first.kind == StepKind::Reception && d.channel != Channel::Online {
                ms(cx.calendar.handover_due(now)?)
            } else {
                step_due(cx.calendar, now, first.budget)?
            };
            // The one consolidated supplement notice is due within the window (REQ-19).
            let window = TimeLimit::working_days(procedure.supplement.window());
            let supplement_by = Some(ms(cx.calendar.due(now, window, &CountingRules::default())?.at));
            Ok(Event::Received {
                code,
                procedure: *procedure,
                competent,
                components,
                counted_from: ms(due.counted_from),
                due_at: ms(due.at),
                step_due_at,
                calendar_version: due.calendar_version,
                steps,
                supplement_by,
                // Online dossiers are rated from the applicant's account.
                rating_code: rating_code.filter(|_| d.channel != Channel::Online),
            })
        }
        Command::Refuse { reasons } => {
            let reasons = clean_list(reasons);
            if reasons.is_empty() {
                return Err(field(
                    "reasons",
                    "required",
                    "Nêu rõ lý do từ chối tiếp nhận (Mẫu 03).",
                    "State the reasons for refusing the dossier (form 03).",
                ));
            }
            Ok(Event::Refused { reasons })
        }
        Command::RequestSupplement { items } => {
            let mut errs = Errors::new();
            if items.is_empty() {
                errs.push(FieldError::new(
                    "items",
                    "required",
                    "Liệt kê đầy đủ một lần mọi giấy tờ cần bổ sung, kèm lý do (Mẫu 02).",
                    "List every missing item at once, each with its reason (form 02).",
                ));
            }
            for (i, it) in items.iter().enumerate() {
                text_required(&mut errs, &format!("items[{i}].name"), &it.name, 500);
                text_required(&mut errs, &format!("items[{i}].reason"), &it.reason, 2000);
            }
            errs.finish()?;
            let items = items
                .into_iter()
                .map(|it| SupplementItem {
                    component_key: it.component_key.filter(|k| !k.trim().is_empty()),
                    name: crate::text::clean(&it.name),
                    reason: crate::text::clean(&it.reason),
                })
                .collect();
            // A second notice after reception rests on the sector text the procedure names
            // (`Pre::SupplementAllowed` let it through only then).
            let basis = (d.received_at.is_some() && d.supplement_requests >= 1)
                .then(|| d.procedure.supplement.second_notice_basis.clone())
                .flatten();
            Ok(Event::SupplementRequested { items, basis })
        }
        Command::SupplySupplement { note } => {
            let (mut due_at, mut appointment_at, step_due_at) = resumed(d, cx.calendar, now)?;
            // Where a sector rule restarts the count after a supplement, the whole legal limit
            // runs again from now instead of the paused clock going on.
            if d.procedure.supplement.restart_basis.is_some() && d.pause.as_ref().is_some_and(|p| p.clock) {
                let again = ms(cx.calendar.due(now, d.procedure.time_limit, &counting_rules(&d.procedure, d.channel))?.at);
                due_at = Some(again);
                if d.extension.is_none() {
                    appointment_at = Some(again);
                }
            }
            // Completed before reception, the dossier waits for the one-stop's check again.
            let check_due_at = match &d.pause {
                Some(p) if p.resume == Status::Submitted => Some(ms(check_due(d, cx)?.at)),
                _ => None,
            };
            Ok(Event::SupplementSupplied { note: clean_opt(note), due_at, appointment_at, step_due_at, check_due_at })
        }
        Command::Forward { note } => {
            let to = d.step + 1;
            // `Pre::NotLastStep` made sure there is a next step.
            let budget = d.steps.get(to).map_or(TimeLimit::WITHIN_DAY, |s| s.budget);
            let step_timeliness = d.step_due_at.map(|due| classify(now, ts(due)));
            Ok(Event::Forwarded {
                to_step: to,
                step_timeliness,
                step_due_at: step_due(cx.calendar, now, budget)?,
                note: clean_opt(note),
            })
        }
        Command::SendBack { reason } => {
            let mut errs = Errors::new();
            text_required(&mut errs, "reason", &reason, 2000);
            errs.finish()?;
            let to = d.step.saturating_sub(1);
            let budget = d.steps.get(to).map_or(TimeLimit::WITHIN_DAY, |s| s.budget);
            Ok(Event::SentBack {
                to_step: to,
                step_due_at: step_due(cx.calendar, now, budget)?,
                reason: crate::text::clean(&reason),
                // Processing has started: national status 4 stays, whatever the step.
                status: Some(Status::InProgress),
            })
        }
        Command::NoticeFees { items } => {
            let mut errs = Errors::new();
            if items.is_empty() {
                errs.push(FieldError::new("items", "required", "Liệt kê các khoản phí, lệ phí.", "List the fees and charges."));
            }
            for (i, it) in items.iter().enumerate() {
                text_required(&mut errs, &format!("items[{i}].name"), &it.name, 300);
                let exempt = it.exemption.as_deref().is_some_and(|e| !e.trim().is_empty());
                if it.amount == 0 && exempt {
                    continue;
                }
                if it.amount <= 0 || it.amount > 10_000_000_000 {
                    errs.push(FieldError::new(
                        format!("items[{i}].amount"),
                        "invalid_amount",
                        "Số tiền phải lớn hơn 0 đồng.",
                        "The amount must be more than 0 đồng.",
                    ));
                }
            }
            errs.finish()?;
            Ok(Event::FeesNoticed {
                items: items
                    .into_iter()
                    .map(|f| FeeItem {
                        name: crate::text::clean(&f.name),
                        amount: f.amount,
                        exemption: f.exemption.as_deref().map(crate::text::clean).filter(|e| !e.is_empty() && f.amount == 0),
                    })
                    .collect(),
                // One clock for the index and DVCQG: 766 subtracts only supplement time, so a
                // payment wait pauses it only where the sector's law says so (spec §d.1 rule 7).
                clock_paused: Some(d.procedure.counting.payment_pauses_clock),
            })
        }
        Command::MarkPaid { method, receipt_number, amount } => {
            if !guard::may_record_payment(d, a, method) {
                return Err(DossierError::Forbidden { command: kind.command_name() });
            }
            let mut errs = Errors::new();
            text_required(&mut errs, "receipt_number", &receipt_number, 100);
            let total: i64 = d.fees.iter().map(|f| f.amount).sum();
            if let Some(paid) = amount
                && paid != total
            {
                errs.push(FieldError::new(
                    "amount",
                    "amount_mismatch",
                    format!("Số tiền đã nộp ({paid} đồng) khác tổng số phí, lệ phí đã thông báo ({total} đồng)."),
                    format!("The amount paid ({paid} đồng) differs from the noticed total ({total} đồng)."),
                ));
            }
            errs.finish()?;
            let (due_at, appointment_at, step_due_at) = resumed(d, cx.calendar, now)?;
            Ok(Event::Paid { method, receipt_number: receipt_number.trim().to_string(), due_at, appointment_at, step_due_at })
        }
        Command::Refund { amount, reference } => {
            let Some(p) = d.payment.as_ref().filter(|p| p.method != PaymentMethod::Cash) else {
                return Err(field(
                    "payment",
                    "not_paid_online",
                    "Hồ sơ không có khoản nộp trực tuyến để hoàn trả.",
                    "The dossier has no online payment to refund.",
                ));
            };
            if p.refunded_at.is_some() {
                return Err(field(
                    "payment",
                    "already_refunded",
                    "Khoản nộp đã được hoàn trả.",
                    "The payment was refunded already.",
                ));
            }
            let mut errs = Errors::new();
            text_required(&mut errs, "reference", &reference, 100);
            if amount != p.amount {
                errs.push(FieldError::new(
                    "amount",
                    "amount_mismatch",
                    "Số tiền hoàn trả phải bằng số tiền đã nộp.",
                    "The refund must be the amount paid.",
                ));
            }
            errs.finish()?;
            Ok(Event::Refunded { amount, reference: reference.trim().to_string() })
        }
        Command::Stop { reason, basis, financial_consequences } => {
            let mut errs = Errors::new();
            text_required(&mut errs, "reason", &reason, 2000);
            errs.finish()?;
            Ok(Event::Stopped {
                reason: crate::text::clean(&reason),
                basis: clean_opt(basis),
                financial_consequences: clean_opt(financial_consequences),
                timeliness: timeliness(d, now),
            })
        }
        Command::RefuseAfterAppraisal { reasons, basis } => {
            let mut errs = Errors::new();
            if reasons.iter().all(|r| r.trim().is_empty()) {
                errs.push(FieldError::new(
                    "reasons",
                    "required",
                    "Nêu rõ lý do từ chối giải quyết hồ sơ.",
                    "State the reasons for refusing the dossier after appraisal.",
                ));
            }
            if reasons.len() > 20 {
                errs.push(FieldError::new("reasons", "too_many", "Tối đa 20 lý do.", "At most 20 reasons."));
            }
            for (i, _) in reasons.iter().enumerate().filter(|(_, r)| r.trim().chars().count() > 2000) {
                errs.push(FieldError::new(format!("reasons[{i}]"), "too_long", "Tối đa 2000 ký tự.", "At most 2000 characters."));
            }
            if basis.as_ref().is_some_and(|b| b.trim().chars().count() > 500) {
                errs.push(FieldError::new("basis", "too_long", "Tối đa 500 ký tự.", "At most 500 characters."));
            }
            errs.finish()?;
            Ok(Event::RefusedAfterAppraisal {
                reasons: clean_list(reasons),
                basis: clean_opt(basis),
                timeliness: timeliness(d, now).unwrap_or(Timeliness::OnTime),
                step_timeliness: d.step_due_at.map(|due| classify(now, ts(due))),
            })
        }
        Command::Withdraw { reason } => {
            let mut errs = Errors::new();
            text_required(&mut errs, "reason", &reason, 2000);
            errs.finish()?;
            Ok(Event::Withdrawn { reason: crate::text::clean(&reason), timeliness: timeliness(d, now) })
        }
        Command::Extend { reason, new_date } => {
            let appt = d.appointment_at.unwrap_or_default();
            let mut errs = Errors::new();
            text_required(&mut errs, "reason", &reason, 2000);
            errs.finish()?;
            let new_at = cx.calendar.end_of_office(cx.calendar.add_working_days(new_date, 0)?)?.map(ms).unwrap_or_default();
            if new_at <= appt {
                return Err(field(
                    "new_date",
                    "not_later",
                    "Ngày hẹn trả mới phải sau ngày hẹn hiện tại.",
                    "The new date must be after the current appointment.",
                ));
            }
            Ok(Event::Extended { reason: crate::text::clean(&reason), appointment_at: new_at })
        }
        Command::Resolve { name: result_name, number, note } => {
            let mut errs = Errors::new();
            text_required(&mut errs, "name", &result_name, 500);
            errs.finish()?;
            Ok(Event::Resolved {
                name: crate::text::clean(&result_name),
                number: clean_opt(number),
                note: clean_opt(note),
                timeliness: timeliness(d, now).unwrap_or(Timeliness::OnTime),
                step_timeliness: d.step_due_at.map(|due| classify(now, ts(due))),
            })
        }
        Command::Return { method, tracking_number, note } => {
            let tracking_number = clean_opt(tracking_number);
            if method == ReturnMethod::Online
                && !cx.signed_result
                && !d.files.iter().any(|f| !f.removed && f.component_key == RESULT_COMPONENT)
            {
                return Err(field(
                    "method",
                    "result_file_missing",
                    "Chưa có tệp kết quả để trả trực tuyến; hãy đính kèm kết quả hoặc trả tại quầy, qua bưu chính.",
                    "There is no result file to return online; attach the result or return it at the counter or by post.",
                ));
            }
            // One way to return by post: hand over (`post`), then the delivery report
            // (`post_delivered`) is the return (`postal.rs`).
            if method == ReturnMethod::Postal {
                return Err(field(
                    "method",
                    "postal_handover_required",
                    "Trả kết quả qua bưu chính: hãy bàn giao kết quả cho bưu chính (số hiệu bưu gửi, cước phí); hồ sơ được ghi nhận đã trả khi bưu chính phát thành công.",
                    "To return by post, hand the result to the post (tracking number, fee); the dossier is returned when the post delivers it.",
                ));
            }
            Ok(Event::ResultReturned { method, tracking_number, note: clean_opt(note) })
        }
        // The result document needs no component of the procedure (`kind()` tells it apart).
        Command::AttachFile { file } if kind == CommandKind::AttachResult => Ok(Event::FileAttached { file }),
        Command::AttachFile { file } => {
            if !d.components.iter().any(|c| c.key == file.component_key) && file.component_key != "other" {
                return Err(field(
                    "component_key",
                    "unknown_component",
                    "Thủ tục không có thành phần hồ sơ này.",
                    "The procedure has no such component.",
                ));
            }
            Ok(Event::FileAttached { file })
        }
        Command::DigitizeComponent { file, signature_sha256, signature_size, by_name, certificate_serial } => {
            if kind == CommandKind::DigitizeComponent {
                let Some(c) = d.components.iter().find(|c| c.key == file.component_key) else {
                    return Err(field(
                        "component_key",
                        "unknown_component",
                        "Hồ sơ không có thành phần này.",
                        "The dossier has no such component.",
                    ));
                };
                if let Some(reason) = c.digitization.excluded() {
                    return Err(field(
                        "component_key",
                        "digitization_excluded",
                        &format!("Thành phần “{}” không thuộc diện số hóa ({}).", c.name, reason.label_vi()),
                        &format!("“{}” is not digitized ({}).", c.name, reason.label_en()),
                    ));
                }
            }
            if signature_sha256.len() != 64 || signature_size <= 0 || by_name.trim().is_empty() {
                return Err(field(
                    "signature",
                    "signature_missing",
                    "Thiếu chữ ký số chứng thực.",
                    "The certifying signature is missing.",
                ));
            }
            Ok(Event::ComponentDigitized { file, signature_sha256, signature_size, by_name, certificate_serial })
        }
        Command::Rate { satisfied, comment, factors } => {
            let (comment, factors) = super::check_rating(comment, factors)?;
            Ok(Event::Rated { satisfied, comment, factors })
        }
        Command::RateAtCounter { satisfied, comment, rating_code, factors } => {
            if d.rating_code.as_deref() != Some(rating_code.trim()) {
                return Err(field("rating_code", "invalid_rating_code", "Mã đánh giá không đúng.", "The rating code is wrong."));
            }
            let (comment, factors) = super::check_rating(comment, factors)?;
            Ok(Event::Rated { satisfied, comment, factors })
        }
        Command::ChoosePostal { dossier_by_post, result_by_post, address, province } => {
            if !dossier_by_post && !result_by_post {
                return Err(field(
                    "postal",
                    "postal_nothing_chosen",
                    "Hãy chọn gửi hồ sơ, nhận kết quả qua bưu chính, hoặc cả hai.",
                    "Choose to send the dossier, receive the result by post, or both.",
                ));
            }
            let address = postal::check_address(&address, &province)?;
            Ok(Event::PostalChosen { dossier_by_post, result_by_post, address })
        }
        Command::Post { tracking_number, carrier, fee } => {
            let mut errs = Errors::new();
            let tracking = errs.take(postal::check_tracking_number(&tracking_number)).unwrap_or_default();
            let carrier =
                errs.take(postal::check_carrier(carrier.as_deref().unwrap_or(postal::DEFAULT_CARRIER))).unwrap_or_default();
            if !(0..=postal::MAX_POSTAL_FEE).contains(&fee) {
                errs.push(FieldError::new(
                    "fee",
                    "invalid_fee",
                    format!("Cước phí bưu chính từ 0 đến {} đồng.", postal::MAX_POSTAL_FEE),
                    format!("The postal fee is 0 to {} đồng.", postal::MAX_POSTAL_FEE),
                ));
            }
            errs.finish()?;
            Ok(Event::Posted { tracking_number: tracking, carrier, fee })
        }
        Command::PostDelivered { tracking_number } => {
            Ok(Event::PostDelivered { tracking_number: shipment_named(d, tracking_number.as_deref())? })
        }
        Command::PostUndelivered { tracking_number, reason } => {
            let tracking_number = shipment_named(d, tracking_number.as_deref())?;
            let mut errs = Errors::new();
            text_required(&mut errs, "reason", &reason, 1000);
            errs.finish()?;
            Ok(Event::PostUndelivered { tracking_number, reason: crate::text::clean(&reason) })
        }
        Command::RemoveFile { file_id } => {
            if !d.files.iter().any(|f| f.id == file_id && !f.removed) {
                return Err(field("file_id", "not_found", "Không tìm thấy tệp.", "No such file."));
            }
            Ok(Event::FileRemoved { file_id })
        }
    }
}

/// The tracking number of the shipment in transit (`Pre::InTransit` made sure of one); a
/// report naming another is refused.
fn shipment_named(d: &Dossier, named: Option<&str>) -> Result<String, DossierError> {
    let current = d.shipments.last().map(|s| s.tracking_number.clone()).unwrap_or_default();
    match named.map(|n| n.trim().to_ascii_uppercase()) {
        Some(n) if !n.is_empty() && n != current => Err(field(
            "tracking_number",
            "tracking_mismatch",
            "Số hiệu bưu gửi không khớp với bưu gửi đang chuyển phát của hồ sơ.",
            "The tracking number does not match the dossier's shipment in transit.",
        )),
        _ => Ok(current),
    }
}

/// Each dimension of a rating at most once.
fn clean_opt(s: Option<String>) -> Option<String> {
    s.map(|v| crate::text::clean(&v)).filter(|v| !v.is_empty())
}

fn clean_list(v: Vec<String>) -> Vec<String> {
    v.into_iter().map(|s| crate::text::clean(&s)).filter(|s| !s.is_empty()).collect()
}
