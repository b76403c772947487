//! From a motcua dossier to the portal's messages (docs/integration.md has the table).
//! Pure: the state comes from replaying the dossier's log up to the event being synced, so
//! a row sent late still says what was true when it was queued.

use crate::payload::{
    DossierSync, Fee, FiledDocument, NationalDossier, Progress, ProgressSync, ResultDocument, SERVICE_DOSSIER, SERVICE_PROGRESS,
    SupplementRequest, datetime,
};
use motcua_domain::calendar::TimeUnit;
use motcua_domain::catalog::{ApplicantType, Channel};
use motcua_domain::dossier::{Dossier, Event, RESULT_COMPONENT, Recorded, ReturnMethod, Status, apply, start};

/// Whether an event of a dossier goes to the portal (REQ-26): every event once the dossier
/// has its code, and the refusal of a filing before reception (status 3, issue #11 item 14).
/// An online filing withdrawn before reception ends there too, and goes by its filing
/// reference. A dossier filed on the portal is known there from the start: every event after
/// its submission (the portal itself sent the filing, its files and its submission).
pub fn is_synced(after: &Dossier, event: &Event) -> bool {
    if after.portal.is_some() {
        return after.status != Status::Draft && !matches!(event, Event::Submitted { .. });
    }
    after.code.is_some()
        || matches!(event, Event::Refused { .. })
        || (matches!(event, Event::Withdrawn { .. }) && after.filing_reference.is_some())
}

/// The identifier the portal knows a dossier by: the portal's own id for a dossier filed
/// there; else its code; a filing refused or withdrawn before it was received has none and
/// goes by its filing reference (then the row id as a last resort).
pub fn national_id(d: &Dossier) -> String {
    if let Some(p) = &d.portal {
        return p.id.clone();
    }
    d.code.clone().or_else(|| d.filing_reference.clone()).unwrap_or_else(|| d.id.clone())
}

/// The events of a dossier's log (whole, in order) that go to the portal, by seq: what the
/// reconciliation sends again when the portal lost some of them.
pub fn synced_seqs(events: &[Recorded]) -> Vec<i64> {
    let Some((first, rest)) = events.split_first() else { return Vec::new() };
    let Some(mut d) = start(first) else { return Vec::new() };
    let mut out: Vec<i64> = is_synced(&d, &first.event).then_some(first.seq).into_iter().collect();
    for r in rest {
        apply(&mut d, r);
        if is_synced(&d, &r.event) {
            out.push(r.seq);
        }
    }
    out
}

/// What to send for the event `seq` of a dossier's log.
#[derive(Debug, Clone)]
pub struct Planned {
    pub dossier: DossierSync,
    pub progress: ProgressSync,
}

/// Replays `events` (the whole log, in order) up to `seq` and builds both messages. `actor`
/// names who acted (a user's full name; the caller looks it up). None when the log has no
/// such event or the event is not one that is synced.
pub fn plan(events: &[Recorded], seq: i64, actor: &dyn Fn(&str) -> String) -> Option<Planned> {
    let (first, rest) = events.split_first()?;
    let mut d = start(first)?;
    let mut first_synced = is_synced(&d, &first.event).then_some(first.seq);
    let mut at = (first.seq == seq).then_some(first);
    if at.is_none() {
        for r in rest {
            apply(&mut d, r);
            if first_synced.is_none() && is_synced(&d, &r.event) {
                first_synced = Some(r.seq);
            }
            if r.seq == seq {
                at = Some(r);
                break;
            }
        }
    }
    let rec = at?;
    if !is_synced(&d, &rec.event) {
        return None;
    }
    let item = dossier_item(&d, actor);
    let progress = progress_item(&d, rec, &actor(&rec.actor_id));
    Some(Planned {
        // The portal already holds a dossier filed there: its first message is an update.
        dossier: DossierSync {
            service: SERVICE_DOSSIER.into(),
            is_updating: d.portal.is_some() || first_synced != Some(seq),
            data: vec![item],
        },
        progress: ProgressSync { service: SERVICE_PROGRESS.into(), data: vec![progress] },
    })
}

fn flag(b: bool) -> u8 {
    u8::from(b)
}

/// The dossier as the portal keeps it; `actor` names a user by id.
pub fn dossier_item(d: &Dossier, actor: &dyn Fn(&str) -> String) -> NationalDossier {
    let postal = d.returned.as_ref().map_or(d.channel == Channel::Postal, |r| r.method == ReturnMethod::Postal);
    let ending = d.refusal.as_ref().or(d.stop.as_ref()).or(d.withdrawal.as_ref()).or(d.appraisal_refusal.as_ref());
    NationalDossier {
        code: national_id(d),
        procedure_code: d.procedure.code.clone(),
        procedure_name: d.procedure.name.clone(),
        sector_code: d.procedure.sector.as_ref().map(|s| s.code.clone()),
        sector_name: d.procedure.sector.as_ref().map(|s| s.name.clone()),
        receipt_number: d.code.clone(),
        applicant_name: Some(d.applicant.name.clone()),
        applicant_type: match d.applicant.kind {
            ApplicantType::Citizen | ApplicantType::Foreigner => 1,
            ApplicantType::Business | ApplicantType::HouseholdBusiness | ApplicantType::Organisation => 2,
        },
        applicant_account: None,
        email: d.applicant.email.clone(),
        phone: d.applicant.phone.clone(),
        summary: d.summary.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| d.procedure.name.clone()),
        filed_at: Some(datetime(d.submitted_at.unwrap_or(d.created_at))),
        received_at: d.received_at.map(datetime),
        appointment_at: d.appointment_at.or(d.due_at).map(datetime),
        status: d.status.national_code().unwrap_or(1),
        returned_at: d.returned.as_ref().map(|r| datetime(r.at)),
        return_info: d.returned.as_ref().and_then(|r| r.tracking_number.clone().or_else(|| r.note.clone())),
        return_method: flag(postal),
        finished_at: d.finished_at.map(datetime),
        agency_name: d.competent.as_ref().unwrap_or(&d.receiving).name.clone(),
        note: ending.map(|e| e.reasons.join("; ")).filter(|s| !s.is_empty()),
        files: d
            .files
            .iter()
            .filter(|f| f.component_key != RESULT_COMPONENT)
            .map(|f| FiledDocument {
                file_id: f.id.clone(),
                name: f.name.clone(),
                deleted: f.removed,
                component_code: f.component_key.clone(),
                url: None,
                digitized: flag(
                    d.certified_copies.iter().any(|c| c.file_id == f.id)
                        || d.portal.as_ref().is_some_and(|p| p.digitized.contains(&f.id)),
                ),
                from_locker: flag(f.locker_item_id.is_some() || d.portal.as_ref().is_some_and(|p| p.from_store.contains(&f.id))),
            })
            .collect(),
        fees: d.fees.iter().map(|f| Fee { name: f.name.clone(), amount: f.amount }).collect(),
        supplements: d
            .supplements
            .iter()
            .enumerate()
            .map(|(i, s)| SupplementRequest {
                id: format!("{}-BS{}", national_id(d), i + 1),
                requested_by: actor(&s.requested_by),
                content: s.items.iter().map(|x| format!("{}: {}", x.name, x.reason)).collect::<Vec<_>>().join("; "),
                requested_at: datetime(s.requested_at),
                supplied_at: s.supplied_at.map(datetime),
                supplied: flag(s.supplied_at.is_some()),
                documents: s.items.iter().map(|x| x.name.clone()).collect(),
            })
            .collect(),
        results: d
            .result
            .iter()
            .map(|r| ResultDocument {
                name: r.name.clone(),
                component_code: RESULT_COMPONENT.into(),
                id: d
                    .files
                    .iter()
                    .rev()
                    .find(|f| f.component_key == RESULT_COMPONENT && !f.removed)
                    .map_or_else(|| r.number.clone().unwrap_or_else(|| format!("{}-KQ", national_id(d))), |f| f.id.clone()),
                url: None,
            })
            .collect(),
        channel: match d.channel {
            Channel::Counter => 1,
            Channel::Online => 2,
            Channel::Postal => 3,
        },
        result_number: d.result.as_ref().and_then(|r| r.number.clone()),
        paid_online: d.payment.as_ref().map_or(0, |p| p.method.online_code()),
        digitized: flag(d.digitized() || d.portal.as_ref().is_some_and(|p| !p.digitized.is_empty())),
        // Signed in with VNeID: in motcua's own session, or on the portal it was filed on.
        vneid_authenticated: flag(d.vneid_authenticated || d.portal.as_ref().is_some_and(|p| p.vneid)),
        source_db: d.portal.as_ref().and_then(|p| p.source_db.clone()),
        time_limit: d.procedure.time_limit.value,
        time_unit: time_unit(d.procedure.time_limit.unit).into(),
    }
}

/// `DonViTinh` (§b.2).
pub fn time_unit(u: TimeUnit) -> &'static str {
    match u {
        TimeUnit::Hours => "Giờ",
        TimeUnit::Days => "Ngày",
        TimeUnit::WorkingDays => "Ngày làm việc",
        TimeUnit::Months => "Tháng",
    }
}

/// The progress item of one event, on the state after it.
pub fn progress_item(d: &Dossier, rec: &Recorded, actor: &str) -> Progress {
    Progress {
        code: national_id(d),
        actor: actor.to_string(),
        title: None,
        at: datetime(rec.at),
        unit: Some(d.current_agency().name.clone()),
        content: what_happened(&rec.event),
        status: d.status.national_code().unwrap_or(1),
        started_at: d.step_started_at.map(datetime),
        due_at: d.step_due_at.or(d.due_at).map(datetime),
    }
}

/// `NoiDungXuLy`: the event in words.
pub fn what_happened(e: &Event) -> String {
    let s = match e {
        Event::Created { .. } => "Tạo hồ sơ",
        Event::Submitted { .. } => "Nộp hồ sơ",
        Event::Received { .. } => "Tiếp nhận hồ sơ",
        Event::Refused { reasons } => return format!("Từ chối tiếp nhận hồ sơ: {}", reasons.join("; ")),
        Event::SupplementRequested { .. } => "Yêu cầu bổ sung, hoàn thiện hồ sơ",
        Event::SupplementSupplied { .. } => "Công dân đã bổ sung hồ sơ",
        Event::Forwarded { .. } => "Chuyển xử lý",
        Event::SentBack { reason, .. } => return format!("Trả lại bước trước: {reason}"),
        Event::FeesNoticed { .. } => "Thông báo nghĩa vụ tài chính",
        Event::Paid { .. } => "Đã thực hiện nghĩa vụ tài chính",
        Event::Refunded { .. } => "Đã hoàn trả phí, lệ phí",
        Event::Stopped { reason, .. } => return format!("Dừng giải quyết: {reason}"),
        Event::Withdrawn { reason, .. } => return format!("Công dân rút hồ sơ: {reason}"),
        Event::RefusedAfterAppraisal { reasons, .. } => return format!("Từ chối giải quyết: {}", reasons.join("; ")),
        Event::Extended { reason, .. } => return format!("Xin lỗi và hẹn lại ngày trả kết quả: {reason}"),
        Event::Resolved { .. } => "Đã có kết quả giải quyết",
        Event::ResultReturned { .. } => "Đã trả kết quả",
        Event::FileAttached { .. } => "Đính kèm tệp",
        Event::FileRemoved { .. } => "Gỡ tệp",
        Event::ComponentDigitized { .. } => "Số hóa thành phần hồ sơ",
        Event::Rated { .. } => "Đánh giá mức độ hài lòng",
        Event::PostalChosen { .. } => "Chọn nộp hồ sơ, nhận kết quả qua dịch vụ bưu chính công ích",
        Event::Posted { tracking_number, .. } => {
            return format!("Bàn giao kết quả cho bưu chính, số hiệu bưu gửi {tracking_number}");
        }
        Event::PostDelivered { tracking_number } => {
            return format!("Đã trả kết quả qua bưu chính, số hiệu bưu gửi {tracking_number}");
        }
        Event::PostUndelivered { reason, .. } => {
            return format!("Bưu chính phát không thành công, kết quả chuyển về bộ phận một cửa: {reason}");
        }
    };
    s.to_string()
}
