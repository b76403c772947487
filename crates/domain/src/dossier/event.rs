//! Events: what happened to a dossier, with every derived fact. They are the persisted
//! schema of the log (`dossier_events.kind` and `payload`): old databases must replay
//! identically, so variants and fields are never renamed.

use super::Status;
use super::postal::PostalAddress;
use super::state::*;
use crate::calendar::Timeliness;
use crate::catalog::Channel;
use serde::{Deserialize, Serialize};

/// What happened, with every derived fact, so that `apply` needs nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    Created {
        procedure: ProcedureRef,
        channel: Channel,
        owner_id: Option<String>,
        applicant: Applicant,
        summary: Option<String>,
        receiving: AgencyRef,
        components: Vec<ComponentCheck>,
        /// The competent agency the case names at filing (the commune the applicant chose
        /// for a commune-level procedure, issue #11 item 8). Older events lack it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        competent: Option<AgencyRef>,
        /// Filed by the citizen on the national portal (REQ-8): its id there and its flags.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        portal: Option<Box<PortalFiling>>,
    },
    Submitted {
        /// The filing reference (issue #10 item 3). Events written before it have none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        /// When the one-stop must have checked and answered the online dossier (issue #11
        /// item 14: `WorkCalendar::check_due` with the procedure's `reception_check`), and
        /// the calendar it was computed on. Events written before the rule have neither:
        /// those dossiers have no check due time and replay as they were.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        check_due_at: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        calendar_version: Option<String>,
        /// The submitter signed in with VNeID (REQ-32). Absent (false) on older events.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        vneid_authenticated: bool,
    },
    Received {
        code: String,
        procedure: ProcedureRef,
        competent: Option<AgencyRef>,
        steps: Vec<Step>,
        components: Vec<ComponentCheck>,
        counted_from: i64,
        due_at: i64,
        step_due_at: i64,
        calendar_version: String,
        /// End of the supplement notice window (issue #11 item 11). Older events lack it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        supplement_by: Option<i64>,
        /// The one-time rating code printed on a paper dossier's receipt (issue #11 item 15).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rating_code: Option<String>,
    },
    Refused {
        reasons: Vec<String>,
    },
    SupplementRequested {
        items: Vec<SupplementItem>,
        /// The sector text a second notice rests on (none for the first).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        basis: Option<String>,
    },
    SupplementSupplied {
        note: Option<String>,
        due_at: Option<i64>,
        appointment_at: Option<i64>,
        step_due_at: Option<i64>,
        /// Supplied before reception: the new check due time, counted from the supply (the
        /// one-stop checks the completed dossier again). Older events lack it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        check_due_at: Option<i64>,
    },
    Forwarded {
        to_step: usize,
        step_timeliness: Option<Timeliness>,
        step_due_at: i64,
        note: Option<String>,
    },
    SentBack {
        to_step: usize,
        step_due_at: i64,
        reason: String,
        /// The status after it. Recorded since issue #11: once processing has started the
        /// national status never goes back from 4 to 2, even at the reception step. Older
        /// events lack it and keep the old rule (received at the first step), so they replay
        /// as they were written.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<Status>,
    },
    FeesNoticed {
        items: Vec<FeeItem>,
        /// Whether the legal clock stops while the fees are unpaid: the procedure's
        /// `Counting::payment_pauses_clock`, decided when the notice is given. Events written
        /// before the setting existed have none and paused the clock (as they did then).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        clock_paused: Option<bool>,
    },
    Paid {
        method: PaymentMethod,
        receipt_number: String,
        due_at: Option<i64>,
        appointment_at: Option<i64>,
        step_due_at: Option<i64>,
    },
    Refunded {
        amount: i64,
        reference: String,
    },
    Stopped {
        reason: String,
        basis: Option<String>,
        financial_consequences: Option<String>,
        timeliness: Option<Timeliness>,
    },
    Withdrawn {
        reason: String,
        timeliness: Option<Timeliness>,
    },
    /// Refused after appraisal (issue #11 item 10): processing ends with the refusal letter as
    /// the result to hand back (national status 9, then 10 at return).
    RefusedAfterAppraisal {
        reasons: Vec<String>,
        basis: Option<String>,
        timeliness: Timeliness,
        step_timeliness: Option<Timeliness>,
    },
    Extended {
        reason: String,
        appointment_at: i64,
    },
    Resolved {
        name: String,
        number: Option<String>,
        note: Option<String>,
        timeliness: Timeliness,
        step_timeliness: Option<Timeliness>,
    },
    ResultReturned {
        method: ReturnMethod,
        tracking_number: Option<String>,
        note: Option<String>,
    },
    FileAttached {
        file: FileRef,
    },
    FileRemoved {
        file_id: String,
    },
    /// A paper component (or the paper result) scanned and certified by the officer: the
    /// scan joins the files, the certified copy the record (issue #13, TT 01/2023).
    ComponentDigitized {
        file: FileRef,
        signature_sha256: String,
        signature_size: i64,
        by_name: String,
        certificate_serial: String,
    },
    Rated {
        satisfied: bool,
        comment: Option<String>,
        /// Per dimension (issue #16); older events have none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        factors: Vec<FactorRating>,
    },
    /// The applicant's postal choice and address (QĐ 45/2016), checked against the province.
    PostalChosen {
        dossier_by_post: bool,
        result_by_post: bool,
        address: PostalAddress,
    },
    /// The result handed to the post (`postal.rs` explains why this precedes the return).
    Posted {
        tracking_number: String,
        carrier: String,
        fee: i64,
    },
    /// The shipment was delivered: the result is returned (status 10, by post).
    PostDelivered {
        tracking_number: String,
    },
    /// The shipment came back undelivered: the result waits at the counter.
    PostUndelivered {
        tracking_number: String,
        reason: String,
    },
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Created { .. } => "created",
            Self::Submitted { .. } => "submitted",
            Self::Received { .. } => "received",
            Self::Refused { .. } => "refused",
            Self::SupplementRequested { .. } => "supplement_requested",
            Self::SupplementSupplied { .. } => "supplement_supplied",
            Self::Forwarded { .. } => "forwarded",
            Self::SentBack { .. } => "sent_back",
            Self::FeesNoticed { .. } => "fees_noticed",
            Self::Paid { .. } => "paid",
            Self::Refunded { .. } => "refunded",
            Self::Stopped { .. } => "stopped",
            Self::Withdrawn { .. } => "withdrawn",
            Self::RefusedAfterAppraisal { .. } => "refused_after_appraisal",
            Self::Extended { .. } => "extended",
            Self::Resolved { .. } => "resolved",
            Self::ResultReturned { .. } => "result_returned",
            Self::FileAttached { .. } => "file_attached",
            Self::FileRemoved { .. } => "file_removed",
            Self::ComponentDigitized { .. } => "component_digitized",
            Self::Rated { .. } => "rated",
            Self::PostalChosen { .. } => "postal_chosen",
            Self::Posted { .. } => "posted",
            Self::PostDelivered { .. } => "post_delivered",
            Self::PostUndelivered { .. } => "post_undelivered",
        }
    }
}

/// An event with its envelope, as stored in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub dossier_id: String,
    pub seq: i64,
    pub at: i64,
    pub actor_id: String,
    pub event: Event,
}

/// The KPI counters an event adds one to (DESIGN.md §4), for the receiving agency,
/// procedure and local day of the event. Rebuilding the counters from the log uses the
/// same function.
pub fn metrics(after: &Dossier, event: &Event) -> Vec<&'static str> {
    let mut m = Vec::new();
    match event {
        Event::Received { components, .. } => {
            m.push("received");
            m.push(match after.channel {
                Channel::Counter => "received_counter",
                Channel::Online => "received_online",
                Channel::Postal => "received_postal",
            });
            // Receptions written before certified copies existed ticked a checkbox.
            if components.iter().any(|c| c.digitized) {
                m.push("digitized");
            }
            // Paper components in scope of digitization (REQ-13: in person and by post).
            if after.channel != Channel::Online {
                let n = components.iter().filter(|c| c.provided && !c.reused && c.digitization.is_required()).count();
                m.extend(std::iter::repeat_n("components_to_digitize", n));
            }
            if components.iter().any(|c| c.reused) {
                m.push("reused");
            }
        }
        Event::Refused { .. } => m.push("refused"),
        // Its own count, apart from refusals at reception (form 03) and stops (form 05).
        Event::RefusedAfterAppraisal { .. } => m.push("refused_after_appraisal"),
        Event::SupplementRequested { .. } if after.received_at.is_some() => m.push("supplement_requested"),
        Event::Paid { method, .. } if *method != PaymentMethod::Cash => m.push("paid_online"),
        Event::Extended { .. } => m.push("extended"),
        // 766 group 4: certified components (the rate's numerator; `components_to_digitize`
        // at reception is its denominator), the dossier once at its first certified
        // component (indicator 4.2), and paper results digitized.
        Event::ComponentDigitized { file, .. } if file.component_key == super::RESULT_COMPONENT => m.push("result_digitized"),
        Event::ComponentDigitized { .. } => {
            m.push("components_digitized");
            let certified = after.certified_copies.iter().filter(|c| c.component_key != super::RESULT_COMPONENT);
            if certified.count() == 1 && !after.components.iter().any(|c| c.digitized && c.key != file_key(event)) {
                m.push("digitized");
            }
        }
        // A delivery by post is the return (`postal.rs`).
        Event::ResultReturned { .. } | Event::PostDelivered { .. } => m.push("returned"),
        Event::Rated { satisfied, .. } => m.push(if *satisfied { "rated_satisfied" } else { "rated_unsatisfied" }),
        _ => {}
    }
    // The one-stop answered an online dossier's check after its due time (issue #11 item
    // 14): received, asked to complete or refused late. Counted once per late answer.
    let answers_check = matches!(event, Event::Received { .. } | Event::Refused { .. })
        || matches!(event, Event::SupplementRequested { .. } if after.received_at.is_none());
    if answers_check && after.checked_at == Some(after.updated_at) && after.check_was_late() {
        m.push("check_late");
    }
    let timeliness = match event {
        Event::Resolved { timeliness, .. } | Event::RefusedAfterAppraisal { timeliness, .. } => Some(*timeliness),
        Event::Stopped { timeliness, .. } | Event::Withdrawn { timeliness, .. } => *timeliness,
        _ => None,
    };
    if let Some(t) = timeliness {
        m.push("finished");
        m.push(match t {
            Timeliness::Early => "finished_early",
            Timeliness::OnTime => "finished_on_time",
            Timeliness::Late => "finished_late",
        });
    }
    m
}

fn file_key(event: &Event) -> &str {
    match event {
        Event::ComponentDigitized { file, .. } | Event::FileAttached { file } => &file.component_key,
        _ => "",
    }
}

/// A change of one counter: `delta` on `metric`, for the local day of `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    pub metric: std::borrow::Cow<'static, str>,
    pub delta: i64,
    pub at: i64,
}

/// What the counters need of the state before an event: whether the dossier was in
/// progress, and the deadline it was counted against (none while its clock is stopped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Before {
    pub open: bool,
    pub due: Option<i64>,
}

impl Before {
    /// A dossier not yet created.
    pub const NEW: Self = Self { open: false, due: None };

    pub fn of(d: &Dossier) -> Self {
        let open = d.received_at.is_some() && d.finished_at.is_none();
        Self { open, due: d.due_at.filter(|_| open && d.pause.is_none()) }
    }
}

/// Upper bounds (calendar days from reception to the decision) of the processing-time
/// histogram: `duration_le_{n}`, and `duration_le_max` beyond the last. The median and the
/// 90th percentile of a unit and period are read from it without scanning dossiers.
pub const DURATION_BUCKETS: [i64; 21] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 25, 30, 45, 60, 90, 120, 180, 365];

/// The histogram bucket a duration in milliseconds falls in.
pub fn duration_bucket(ms: i64) -> std::borrow::Cow<'static, str> {
    let days = (ms.max(0) + 86_399_999) / 86_400_000;
    match DURATION_BUCKETS.iter().find(|b| days <= **b) {
        Some(b) => format!("duration_le_{b}").into(),
        None => "duration_le_max".into(),
    }
}

/// Every counter change of an event (DESIGN.md §4, issue #16): the `metrics` on the
/// event's day, and the counters the dashboard and the 766 index read besides:
///
/// - the state changes of "in progress" and "overdue", so that how many dossiers were in
///   progress, and how many of them overdue, at the end of any day is a sum of counters up
///   to that day (not a scan): `received` − `closed` are in progress; `due` (+1 on the day of
///   the deadline a dossier in progress is counted against, −1 there when it stops counting
///   before it) − `overdue_left` (the day an overdue dossier leaves that state) are overdue;
/// - the processing time of decided dossiers (`decided`, `duration_hours`, a histogram);
/// - the inputs of indicators 3.3–4.5 and the payment group.
///
/// `before` is the state before the event ([`Before::NEW`] for the first).
pub fn ticks(before: Before, after: &Dossier, rec: &Recorded) -> Vec<Tick> {
    let at = rec.at;
    let mut t: Vec<Tick> = metrics(after, &rec.event).into_iter().map(|m| Tick { metric: m.into(), delta: 1, at }).collect();
    let mut scores: Vec<(super::RatingFactor, u8)> = Vec::new();
    let mut tick = |m: std::borrow::Cow<'static, str>| t.push(Tick { metric: m, delta: 1, at });
    match &rec.event {
        Event::Received { .. } => {
            let portal = after.portal.as_ref();
            if portal.is_some() {
                tick("received_dvcqg".into());
            }
            let vneid = after.vneid_authenticated || portal.is_some_and(|p| p.vneid);
            let store = portal.is_some_and(|p| !p.from_store.is_empty());
            if vneid {
                tick("vneid".into());
            }
            if vneid || store || portal.is_some_and(|p| p.source_db.is_some()) {
                tick("citizen_data".into());
            }
            if store {
                tick("shared_store".into());
            }
            if after.procedure.paper_result {
                tick("paper_result".into());
            }
        }
        Event::FeesNoticed { items, .. } if items.iter().any(|i| i.amount > 0) => tick("fee_bearing".into()),
        Event::Rated { satisfied, factors, .. } => {
            for f in factors {
                tick(format!("rated_{}_{}", f.factor.code(), if f.satisfied { "satisfied" } else { "unsatisfied" }).into());
            }
            if super::low_rating(*satisfied, factors) {
                tick("rated_low".into());
            }
            // The 5-point scores: an average per dimension is `score_sum / count`.
            scores = factors.iter().filter_map(|f| Some((f.factor, f.score?))).collect();
        }
        Event::Stopped { .. } if before.open => tick("stopped".into()),
        Event::Withdrawn { .. } if before.open => tick("withdrawn".into()),
        Event::Resolved { .. } => tick("resolved".into()),
        Event::ResultReturned { .. } | Event::PostDelivered { .. } => {
            let method = after.returned.as_ref().map_or(ReturnMethod::Postal, |r| r.method);
            let file = after.files.iter().any(|f| !f.removed && f.component_key == super::RESULT_COMPONENT);
            if method == ReturnMethod::Online || file {
                tick("e_result".into());
                if after.procedure.paper_result {
                    tick("e_result_paper".into());
                }
            }
        }
        _ => {}
    }
    let now = Before::of(after);
    if before.open && !now.open {
        tick("closed".into());
    }
    if let (Event::Resolved { .. } | Event::RefusedAfterAppraisal { .. }, Some(from)) = (&rec.event, after.received_at) {
        let ms = at - from;
        tick("decided".into());
        t.push(Tick { metric: "duration_hours".into(), delta: ms.max(0) / 3_600_000, at });
        t.push(Tick { metric: duration_bucket(ms), delta: 1, at });
    }
    if before.due != now.due {
        if let Some(p) = before.due {
            if p < at {
                t.push(Tick { metric: "overdue_left".into(), delta: 1, at });
            } else {
                t.push(Tick { metric: "due".into(), delta: -1, at: p });
            }
        }
        if let Some(n) = now.due {
            t.push(Tick { metric: "due".into(), delta: 1, at: n });
        }
    }
    for (factor, score) in scores {
        t.push(Tick { metric: format!("rated_{}_count", factor.code()).into(), delta: 1, at });
        t.push(Tick { metric: format!("rated_{}_score_sum", factor.code()).into(), delta: i64::from(score), at });
    }
    t
}
