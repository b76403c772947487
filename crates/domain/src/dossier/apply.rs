//! Folding events into the state: `start` makes the dossier from its first event, `apply`
//! folds each later one in and consults nothing else, so `replay` rebuilds the state exactly.

use super::Status;
use super::event::{Event, Recorded};
use super::postal::{PostalChoice, Shipment, ShipmentStatus};
use super::state::*;
use crate::calendar::Timeliness;

/// The first event makes the dossier.
pub fn start(r: &Recorded) -> Option<Dossier> {
    let Event::Created { procedure, channel, owner_id, applicant, summary, receiving, components, competent, portal } = &r.event
    else {
        return None;
    };
    Some(Dossier {
        id: r.dossier_id.clone(),
        version: 1,
        status: Status::Draft,
        code: None,
        filing_reference: None,
        procedure: procedure.clone(),
        channel: *channel,
        owner_id: owner_id.clone(),
        applicant: applicant.clone(),
        summary: summary.clone(),
        receiving: receiving.clone(),
        competent: competent.clone(),
        steps: Vec::new(),
        step: 0,
        step_started_at: None,
        step_due_at: None,
        created_at: r.at,
        updated_at: r.at,
        submitted_at: None,
        received_at: None,
        counted_from: None,
        due_at: None,
        appointment_at: None,
        calendar_version: None,
        components: components.clone(),
        pause: None,
        supplements: Vec::new(),
        supplement_requests: 0,
        supplement_by: None,
        check_due_at: None,
        checked_at: None,
        fees: Vec::new(),
        payment: None,
        extension: None,
        handovers: Vec::new(),
        result: None,
        finished_at: None,
        timeliness: None,
        returned: None,
        refusal: None,
        stop: None,
        withdrawal: None,
        appraisal_refusal: None,
        files: Vec::new(),
        rating: None,
        rating_code: None,
        certified_copies: Vec::new(),
        vneid_authenticated: false,
        portal: portal.as_deref().cloned(),
        postal: None,
        shipments: Vec::new(),
    })
}

/// Folds one event into the state. Pure and total: the facts are in the event.
pub fn apply(d: &mut Dossier, r: &Recorded) {
    d.version = r.seq;
    d.updated_at = r.at;
    let resume = |d: &mut Dossier, due: Option<i64>, appt: Option<i64>, step_due: Option<i64>| {
        if let Some(p) = d.pause.take() {
            d.status = p.resume;
        }
        if due.is_some() {
            d.due_at = due;
        }
        if appt.is_some() {
            d.appointment_at = appt;
        }
        if step_due.is_some() {
            d.step_due_at = step_due;
        }
    };
    // The one-stop answers a waiting online dossier's check by receiving it, asking to
    // complete it or refusing it (issue #11 item 14).
    if d.status == Status::Submitted
        && matches!(r.event, Event::Received { .. } | Event::Refused { .. } | Event::SupplementRequested { .. })
    {
        d.checked_at = Some(r.at);
    }
    match &r.event {
        Event::Created { .. } => {}
        Event::Submitted { reference, check_due_at, calendar_version, vneid_authenticated } => {
            d.status = Status::Submitted;
            // A dossier submitted again after a supplement keeps the flag of its first filing.
            d.vneid_authenticated |= *vneid_authenticated;
            d.submitted_at = Some(r.at);
            d.filing_reference = reference.clone();
            d.check_due_at = *check_due_at;
            if calendar_version.is_some() {
                d.calendar_version = calendar_version.clone();
            }
        }
        Event::Received {
            code,
            procedure,
            competent,
            steps,
            components,
            counted_from,
            due_at,
            step_due_at,
            calendar_version,
            supplement_by,
            rating_code,
        } => {
            d.status = Status::Received;
            d.rating_code = rating_code.clone();
            d.supplement_by = *supplement_by;
            d.code = Some(code.clone());
            d.procedure = procedure.clone();
            d.competent = competent.clone();
            d.steps = steps.clone();
            d.step = 0;
            d.step_started_at = Some(r.at);
            d.step_due_at = Some(*step_due_at);
            d.components = components.clone();
            d.received_at = Some(r.at);
            if d.submitted_at.is_none() {
                d.submitted_at = Some(r.at);
            }
            d.counted_from = Some(*counted_from);
            d.due_at = Some(*due_at);
            d.appointment_at = Some(*due_at);
            d.calendar_version = Some(calendar_version.clone());
            d.handovers.push(Handover {
                at: r.at,
                from_step: None,
                to_step: 0,
                giver_id: r.actor_id.clone(),
                from_agency: None,
                to_agency: d.receiving.name.clone(),
                step_timeliness: None,
                note: None,
            });
        }
        Event::Refused { reasons } => {
            d.status = Status::Refused;
            d.refusal = Some(Ending {
                reasons: reasons.clone(),
                basis: None,
                financial_consequences: None,
                at: r.at,
                by: r.actor_id.clone(),
            });
            d.finished_at = Some(r.at);
        }
        Event::SupplementRequested { items, basis } => {
            let clock = d.received_at.is_some();
            d.pause = Some(Pause { kind: PauseKind::Supplement, since: r.at, resume: d.status, clock });
            d.status = Status::AwaitingSupplement;
            if clock {
                d.supplement_requests += 1;
            }
            d.supplements.push(Supplement {
                requested_at: r.at,
                requested_by: r.actor_id.clone(),
                items: items.clone(),
                supplied_at: None,
                note: None,
                basis: basis.clone(),
            });
        }
        Event::SupplementSupplied { note, due_at, appointment_at, step_due_at, check_due_at } => {
            if let Some(s) = d.supplements.last_mut() {
                s.supplied_at = Some(r.at);
                s.note = note.clone();
            }
            resume(d, *due_at, *appointment_at, *step_due_at);
            // Completed before reception: it waits for a new check.
            if check_due_at.is_some() {
                d.check_due_at = *check_due_at;
                d.checked_at = None;
            }
        }
        Event::Forwarded { to_step, step_timeliness, step_due_at, note } => {
            hand_over(d, r, *to_step, *step_due_at, *step_timeliness, note.clone());
            d.status = Status::InProgress;
        }
        Event::SentBack { to_step, step_due_at, reason, status } => {
            hand_over(d, r, *to_step, *step_due_at, None, Some(reason.clone()));
            d.status = status.unwrap_or(if *to_step == 0 { Status::Received } else { Status::InProgress });
        }
        Event::FeesNoticed { items, clock_paused } => {
            d.fees = items.clone();
            let clock = d.received_at.is_some() && clock_paused.unwrap_or(true);
            d.pause = Some(Pause { kind: PauseKind::Payment, since: r.at, resume: d.status, clock });
            d.status = Status::AwaitingPayment;
        }
        Event::Paid { method, receipt_number, due_at, appointment_at, step_due_at } => {
            d.payment = Some(Payment {
                method: *method,
                receipt_number: receipt_number.clone(),
                amount: d.fees.iter().map(|f| f.amount).sum(),
                at: r.at,
                refunded_at: None,
            });
            resume(d, *due_at, *appointment_at, *step_due_at);
        }
        Event::Refunded { .. } => {
            if let Some(p) = &mut d.payment {
                p.refunded_at = Some(r.at);
            }
        }
        Event::Stopped { reason, basis, financial_consequences, timeliness } => {
            d.pause = None;
            d.status = Status::Stopped;
            d.stop = Some(Ending {
                reasons: vec![reason.clone()],
                basis: basis.clone(),
                financial_consequences: financial_consequences.clone(),
                at: r.at,
                by: r.actor_id.clone(),
            });
            d.finished_at = Some(r.at);
            d.timeliness = *timeliness;
        }
        Event::Withdrawn { reason, timeliness } => {
            d.pause = None;
            d.status = Status::Withdrawn;
            d.withdrawal = Some(Ending {
                reasons: vec![reason.clone()],
                basis: None,
                financial_consequences: None,
                at: r.at,
                by: r.actor_id.clone(),
            });
            d.finished_at = Some(r.at);
            d.timeliness = *timeliness;
        }
        Event::Extended { reason, appointment_at } => {
            d.extension = Some(Extension {
                reason: reason.clone(),
                previous_appointment_at: d.appointment_at.unwrap_or_default(),
                appointment_at: *appointment_at,
                at: r.at,
                by: r.actor_id.clone(),
            });
            d.appointment_at = Some(*appointment_at);
        }
        Event::Resolved { name, number, note, timeliness, step_timeliness } => {
            d.handovers.push(Handover {
                at: r.at,
                from_step: Some(d.step),
                to_step: d.step,
                giver_id: r.actor_id.clone(),
                from_agency: d.current_step().map(|s| s.agency.name.clone()),
                to_agency: d.receiving.name.clone(),
                step_timeliness: *step_timeliness,
                note: Some("Trả kết quả về bộ phận một cửa".into()),
            });
            d.status = Status::Resolved;
            d.result = Some(ResultRecord { name: name.clone(), number: number.clone(), note: note.clone(), at: r.at });
            d.finished_at = Some(r.at);
            d.timeliness = Some(*timeliness);
        }
        Event::RefusedAfterAppraisal { reasons, basis, timeliness, step_timeliness } => {
            d.handovers.push(Handover {
                at: r.at,
                from_step: Some(d.step),
                to_step: d.step,
                giver_id: r.actor_id.clone(),
                from_agency: d.current_step().map(|s| s.agency.name.clone()),
                to_agency: d.receiving.name.clone(),
                step_timeliness: *step_timeliness,
                note: Some("Trả văn bản từ chối giải quyết về bộ phận một cửa".into()),
            });
            d.status = Status::Resolved;
            d.result = Some(ResultRecord {
                name: APPRAISAL_REFUSAL_LETTER.into(),
                number: None,
                note: Some(reasons.join("; ")),
                at: r.at,
            });
            d.appraisal_refusal = Some(Ending {
                reasons: reasons.clone(),
                basis: basis.clone(),
                financial_consequences: None,
                at: r.at,
                by: r.actor_id.clone(),
            });
            d.finished_at = Some(r.at);
            d.timeliness = Some(*timeliness);
        }
        Event::ResultReturned { method, tracking_number, note } => {
            d.status = Status::Returned;
            d.returned =
                Some(Returned { method: *method, tracking_number: tracking_number.clone(), note: note.clone(), at: r.at });
        }
        Event::FileAttached { file } => d.files.push(file.clone()),
        Event::FileRemoved { file_id } => {
            if let Some(f) = d.files.iter_mut().find(|f| &f.id == file_id) {
                f.removed = true;
            }
            d.derive_digitized();
        }
        Event::ComponentDigitized { file, signature_sha256, signature_size, by_name, certificate_serial } => {
            d.files.push(file.clone());
            d.certified_copies.push(CertifiedCopy {
                component_key: file.component_key.clone(),
                file_id: file.id.clone(),
                file_sha256: file.sha256.clone(),
                signature_sha256: signature_sha256.clone(),
                signature_size: *signature_size,
                by: r.actor_id.clone(),
                by_name: by_name.clone(),
                certificate_serial: certificate_serial.clone(),
                at: r.at,
            });
            d.derive_digitized();
        }
        Event::Rated { satisfied, comment, factors } => {
            d.rating = Some(Rating { satisfied: *satisfied, comment: comment.clone(), at: r.at, factors: factors.clone() })
        }
        Event::PostalChosen { dossier_by_post, result_by_post, address } => {
            d.postal = Some(PostalChoice {
                dossier_by_post: *dossier_by_post,
                result_by_post: *result_by_post,
                address: address.clone(),
                at: r.at,
                by: r.actor_id.clone(),
            });
        }
        Event::Posted { tracking_number, carrier, fee } => d.shipments.push(Shipment {
            tracking_number: tracking_number.clone(),
            carrier: carrier.clone(),
            fee: *fee,
            posted_at: r.at,
            posted_by: r.actor_id.clone(),
            status: ShipmentStatus::InTransit,
            reason: None,
            ended_at: None,
        }),
        Event::PostDelivered { tracking_number } => {
            if let Some(s) = d.shipments.last_mut() {
                s.status = ShipmentStatus::Delivered;
                s.ended_at = Some(r.at);
            }
            d.status = Status::Returned;
            d.returned = Some(Returned {
                method: ReturnMethod::Postal,
                tracking_number: Some(tracking_number.clone()),
                note: None,
                at: r.at,
            });
        }
        Event::PostUndelivered { reason, .. } => {
            if let Some(s) = d.shipments.last_mut() {
                s.status = ShipmentStatus::Undelivered;
                s.reason = Some(reason.clone());
                s.ended_at = Some(r.at);
            }
        }
    }
}

/// Replays a whole log (in `seq` order) into the state it produces.
pub fn replay(events: &[Recorded]) -> Option<Dossier> {
    let (first, rest) = events.split_first()?;
    let mut d = start(first)?;
    for r in rest {
        apply(&mut d, r);
    }
    Some(d)
}

/// A hand-over between steps (a control-slip row, form 06) and the new step's clock.
fn hand_over(
    d: &mut Dossier,
    r: &Recorded,
    to_step: usize,
    step_due_at: i64,
    step_timeliness: Option<Timeliness>,
    note: Option<String>,
) {
    let from = d.step;
    d.handovers.push(Handover {
        at: r.at,
        from_step: Some(from),
        to_step,
        giver_id: r.actor_id.clone(),
        from_agency: d.steps.get(from).map(|s| s.agency.name.clone()),
        to_agency: d.steps.get(to_step).map_or_else(String::new, |s| s.agency.name.clone()),
        step_timeliness,
        note,
    });
    d.step = to_step;
    d.step_started_at = Some(r.at);
    d.step_due_at = Some(step_due_at);
}
