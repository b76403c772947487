//! The dossier (hồ sơ) as data: an append-only log of events and the state they fold into.
//!
//! `decide` checks a command against the state (status, the actor's role at the acting
//! agency, the inputs) and returns the one event it produces, with every derived fact
//! (deadlines, timeliness) computed into it; `apply` folds an event into the state and
//! never fails or consults anything else, so replaying the log rebuilds the projection
//! exactly (DESIGN.md §4).

pub mod code;
pub mod status;
pub mod workflow;

pub use code::DossierCode;
pub use status::Status;
pub use workflow::{StepAgency, StepKind, StepSpec, Workflow};

use crate::agency::in_subtree;
use crate::authz::Membership;
use crate::calendar::{CalendarError, CountingRules, Due, OutOfHours, TimeLimit, Timeliness, WorkCalendar, classify};
use crate::catalog::{ApplicantType, Channel, Counting};
use crate::error::{Errors, FieldError, ValidationError};
use crate::user::{AccountType, Role};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// An agency as the dossier remembers it (names and paths at the time of the event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyRef {
    pub id: String,
    pub code: String,
    pub name: String,
    pub path: String,
}

/// The procedure version a dossier is pinned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureRef {
    pub code: String,
    pub version: i64,
    pub name: String,
    pub time_limit: TimeLimit,
    #[serde(default)]
    pub counting: Counting,
    pub online_only: bool,
    pub postal_excluded: bool,
    pub paper_result: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub kind: ApplicantType,
    pub name: String,
    /// CCCD (12 digits) for persons, tax/enterprise code for organisations.
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// One required component as checked at the counter (OpenCPS `DossierMark`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentCheck {
    pub key: String,
    pub name: String,
    pub required: bool,
    pub provided: bool,
    #[serde(default)]
    pub originals: u8,
    #[serde(default)]
    pub copies: u8,
    /// Scanned and signed at reception (TT 01/2023; 766 group 4).
    #[serde(default)]
    pub digitized: bool,
    /// Taken from the citizen's data locker or a national database instead of being filed.
    #[serde(default)]
    pub reused: bool,
}

/// A workflow step with its agency resolved at reception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub kind: StepKind,
    pub name: String,
    pub agency: AgencyRef,
    pub role: Role,
    pub budget: TimeLimit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplementItem {
    #[serde(default)]
    pub component_key: Option<String>,
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplement {
    pub requested_at: i64,
    pub requested_by: String,
    pub items: Vec<SupplementItem>,
    pub supplied_at: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeItem {
    pub name: String,
    /// In đồng.
    pub amount: i64,
}

/// How a fee was paid (766 `DuocThanhToanTrucTuyen`: 0 not online, 1 national platform, 2 local gateway).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    OnlineNational,
    OnlineLocal,
}

impl PaymentMethod {
    pub fn online_code(self) -> u8 {
        match self {
            Self::Cash => 0,
            Self::OnlineNational => 1,
            Self::OnlineLocal => 2,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub method: PaymentMethod,
    pub receipt_number: String,
    pub amount: i64,
    pub at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnMethod {
    Counter,
    Online,
    Postal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Returned {
    pub method: ReturnMethod,
    pub tracking_number: Option<String>,
    pub note: Option<String>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultRecord {
    /// e.g. "Giấy khai sinh".
    pub name: String,
    /// Register or document number (số, ký hiệu).
    pub number: Option<String>,
    pub note: Option<String>,
    pub at: i64,
}

/// Form 04: apology and new appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub reason: String,
    pub previous_appointment_at: i64,
    pub appointment_at: i64,
    pub at: i64,
    pub by: String,
}

/// Form 05 (stop) or form 03 (refusal) or a withdrawal: why the dossier ended early.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ending {
    pub reasons: Vec<String>,
    pub basis: Option<String>,
    pub financial_consequences: Option<String>,
    pub at: i64,
    pub by: String,
}

/// One row of the control slip (form 06): a hand-over between steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    pub at: i64,
    pub from_step: Option<usize>,
    pub to_step: usize,
    pub giver_id: String,
    pub from_agency: Option<String>,
    pub to_agency: String,
    /// Result of the step handed over, against its budget (trước hạn / đúng hạn / quá hạn).
    pub step_timeliness: Option<Timeliness>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub id: String,
    pub component_key: String,
    pub sha256: String,
    pub name: String,
    pub size: i64,
    pub media_type: String,
    pub at: i64,
    pub by: String,
    #[serde(default)]
    pub removed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseKind {
    Supplement,
    Payment,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub kind: PauseKind,
    pub since: i64,
    /// The status to go back to.
    pub resume: Status,
    /// Whether the legal clock runs (it only does once the dossier is received).
    pub clock: bool,
}

/// The state of a dossier: what the projection stores and every read shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    pub id: String,
    /// Number of events applied; the version a command must carry.
    pub version: i64,
    pub status: Status,
    pub code: Option<String>,
    pub procedure: ProcedureRef,
    pub channel: Channel,
    pub owner_id: Option<String>,
    pub applicant: Applicant,
    pub summary: Option<String>,
    pub receiving: AgencyRef,
    pub competent: Option<AgencyRef>,
    pub steps: Vec<Step>,
    pub step: usize,
    pub step_started_at: Option<i64>,
    pub step_due_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    pub received_at: Option<i64>,
    pub counted_from: Option<i64>,
    /// The legal deadline, pushed back by pauses; timeliness is judged against it.
    pub due_at: Option<i64>,
    /// The date promised to the applicant (moves with an extension; `due_at` does not).
    pub appointment_at: Option<i64>,
    pub calendar_version: Option<String>,
    pub components: Vec<ComponentCheck>,
    pub pause: Option<Pause>,
    pub supplements: Vec<Supplement>,
    /// Supplement requests made after reception (a second one makes the dossier late, 766).
    pub supplement_requests: u32,
    pub fees: Vec<FeeItem>,
    pub payment: Option<Payment>,
    pub extension: Option<Extension>,
    pub handovers: Vec<Handover>,
    pub result: Option<ResultRecord>,
    pub finished_at: Option<i64>,
    pub timeliness: Option<Timeliness>,
    pub returned: Option<Returned>,
    pub refusal: Option<Ending>,
    pub stop: Option<Ending>,
    pub withdrawal: Option<Ending>,
    pub files: Vec<FileRef>,
    #[serde(default)]
    pub rating: Option<Rating>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub satisfied: bool,
    pub comment: Option<String>,
    pub at: i64,
}

impl Dossier {
    pub fn current_step(&self) -> Option<&Step> {
        self.steps.get(self.step)
    }

    /// The agency holding the dossier now (for inboxes): the current step's, else where it was received.
    pub fn current_agency(&self) -> &AgencyRef {
        self.current_step().map_or(&self.receiving, |s| &s.agency)
    }

    pub fn digitized(&self) -> bool {
        self.components.iter().any(|c| c.digitized)
    }

    /// Due status right now for inbox colours: overdue, due within a working day, or fine.
    pub fn is_overdue_at(&self, now_ms: i64) -> bool {
        self.finished_at.is_none() && self.due_at.is_some_and(|d| now_ms > d)
    }
}

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
    },
    Submitted,
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
    },
    Refused {
        reasons: Vec<String>,
    },
    SupplementRequested {
        items: Vec<SupplementItem>,
    },
    SupplementSupplied {
        note: Option<String>,
        due_at: Option<i64>,
        appointment_at: Option<i64>,
        step_due_at: Option<i64>,
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
    },
    FeesNoticed {
        items: Vec<FeeItem>,
    },
    Paid {
        method: PaymentMethod,
        receipt_number: String,
        due_at: Option<i64>,
        appointment_at: Option<i64>,
        step_due_at: Option<i64>,
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
    Rated {
        satisfied: bool,
        comment: Option<String>,
    },
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Created { .. } => "created",
            Self::Submitted => "submitted",
            Self::Received { .. } => "received",
            Self::Refused { .. } => "refused",
            Self::SupplementRequested { .. } => "supplement_requested",
            Self::SupplementSupplied { .. } => "supplement_supplied",
            Self::Forwarded { .. } => "forwarded",
            Self::SentBack { .. } => "sent_back",
            Self::FeesNoticed { .. } => "fees_noticed",
            Self::Paid { .. } => "paid",
            Self::Stopped { .. } => "stopped",
            Self::Withdrawn { .. } => "withdrawn",
            Self::Extended { .. } => "extended",
            Self::Resolved { .. } => "resolved",
            Self::ResultReturned { .. } => "result_returned",
            Self::FileAttached { .. } => "file_attached",
            Self::FileRemoved { .. } => "file_removed",
            Self::Rated { .. } => "rated",
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

/// The first event makes the dossier.
pub fn start(r: &Recorded) -> Option<Dossier> {
    let Event::Created { procedure, channel, owner_id, applicant, summary, receiving, components } = &r.event else {
        return None;
    };
    Some(Dossier {
        id: r.dossier_id.clone(),
        version: 1,
        status: Status::Draft,
        code: None,
        procedure: procedure.clone(),
        channel: *channel,
        owner_id: owner_id.clone(),
        applicant: applicant.clone(),
        summary: summary.clone(),
        receiving: receiving.clone(),
        competent: None,
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
        files: Vec::new(),
        rating: None,
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
    match &r.event {
        Event::Created { .. } => {}
        Event::Submitted => {
            d.status = Status::Submitted;
            d.submitted_at = Some(r.at);
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
        } => {
            d.status = Status::Received;
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
        Event::SupplementRequested { items } => {
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
            });
        }
        Event::SupplementSupplied { note, due_at, appointment_at, step_due_at } => {
            if let Some(s) = d.supplements.last_mut() {
                s.supplied_at = Some(r.at);
                s.note = note.clone();
            }
            resume(d, *due_at, *appointment_at, *step_due_at);
        }
        Event::Forwarded { to_step, step_timeliness, step_due_at, note } => {
            let from = d.step;
            d.handovers.push(Handover {
                at: r.at,
                from_step: Some(from),
                to_step: *to_step,
                giver_id: r.actor_id.clone(),
                from_agency: d.steps.get(from).map(|s| s.agency.name.clone()),
                to_agency: d.steps.get(*to_step).map_or_else(String::new, |s| s.agency.name.clone()),
                step_timeliness: *step_timeliness,
                note: note.clone(),
            });
            d.step = *to_step;
            d.step_started_at = Some(r.at);
            d.step_due_at = Some(*step_due_at);
            d.status = Status::InProgress;
        }
        Event::SentBack { to_step, step_due_at, reason } => {
            let from = d.step;
            d.handovers.push(Handover {
                at: r.at,
                from_step: Some(from),
                to_step: *to_step,
                giver_id: r.actor_id.clone(),
                from_agency: d.steps.get(from).map(|s| s.agency.name.clone()),
                to_agency: d.steps.get(*to_step).map_or_else(String::new, |s| s.agency.name.clone()),
                step_timeliness: None,
                note: Some(reason.clone()),
            });
            d.step = *to_step;
            d.step_started_at = Some(r.at);
            d.step_due_at = Some(*step_due_at);
            d.status = if *to_step == 0 { Status::Received } else { Status::InProgress };
        }
        Event::FeesNoticed { items } => {
            d.fees = items.clone();
            d.pause = Some(Pause { kind: PauseKind::Payment, since: r.at, resume: d.status, clock: d.received_at.is_some() });
            d.status = Status::AwaitingPayment;
        }
        Event::Paid { method, receipt_number, due_at, appointment_at, step_due_at } => {
            d.payment = Some(Payment {
                method: *method,
                receipt_number: receipt_number.clone(),
                amount: d.fees.iter().map(|f| f.amount).sum(),
                at: r.at,
            });
            resume(d, *due_at, *appointment_at, *step_due_at);
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
        }
        Event::Rated { satisfied, comment } => {
            d.rating = Some(Rating { satisfied: *satisfied, comment: comment.clone(), at: r.at })
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

/// Who is acting.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user_id: &'a str,
    pub account: AccountType,
    pub memberships: &'a [Membership],
}

impl Actor<'_> {
    fn owns(&self, d: &Dossier) -> bool {
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

    fn at_step(&self, d: &Dossier) -> bool {
        d.current_step().is_some_and(|s| self.serves(s.role, &s.agency.path))
    }

    fn at_counter(&self, d: &Dossier) -> bool {
        self.serves(Role::ReceptionOfficer, &d.receiving.path)
    }
}

fn parent_path(path: &str) -> Option<&str> {
    let trimmed = path.strip_suffix('/')?;
    let cut = trimmed.rfind('/')?;
    (cut > 0).then(|| &path[..=cut])
}

/// What the caller asks for.
#[derive(Debug, Clone)]
pub enum Command {
    Submit,
    /// The app allocates the code (atomically, in the same transaction) and resolves the
    /// pinned version, the competent agency and the workflow's agencies.
    Receive {
        code: String,
        procedure: ProcedureRef,
        competent: Option<AgencyRef>,
        steps: Vec<Step>,
        components: Vec<ComponentCheck>,
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
    /// The applicant's satisfaction with the service (766 indicator 5.4), once per dossier.
    Rate {
        satisfied: bool,
        comment: Option<String>,
    },
}

/// Component key of the result document attached by the processing officers.
pub const RESULT_COMPONENT: &str = "result";

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Receive { .. } => "receive",
            Self::Refuse { .. } => "refuse",
            Self::RequestSupplement { .. } => "request_supplement",
            Self::SupplySupplement { .. } => "supply_supplement",
            Self::Forward { .. } => "forward",
            Self::SendBack { .. } => "send_back",
            Self::NoticeFees { .. } => "notice_fees",
            Self::MarkPaid { .. } => "mark_paid",
            Self::Stop { .. } => "stop",
            Self::Withdraw { .. } => "withdraw",
            Self::Extend { .. } => "extend",
            Self::Resolve { .. } => "resolve",
            Self::Return { .. } => "return",
            Self::AttachFile { .. } => "attach_file",
            Self::RemoveFile { .. } => "remove_file",
            Self::Rate { .. } => "rate",
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
            "withdraw" => "rút hồ sơ",
            "extend" => "gia hạn",
            "resolve" => "ghi nhận kết quả",
            "return" => "trả kết quả",
            "attach_file" => "đính kèm tệp",
            "rate" => "đánh giá",
            _ => "thực hiện thao tác này",
        };
        format!("Không thể {what} khi hồ sơ đang ở trạng thái “{}”.", status.label_vi())
    }
}

/// The environment of a decision: the actor, the instant and the working calendar.
pub struct Ctx<'a> {
    pub actor: Actor<'a>,
    pub now: Timestamp,
    pub calendar: &'a WorkCalendar,
}

fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn field(field: &str, code: &'static str, vi: &str, en: &str) -> DossierError {
    DossierError::Invalid(ValidationError::single(field, code, vi, en))
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

/// How the dossier ends against its deadline. A second supplement request or an
/// extension makes it late whatever the dates say (766 rules, REQ-19, REQ-21).
pub fn timeliness(d: &Dossier, finished: Timestamp) -> Option<Timeliness> {
    let due = d.due_at?;
    if d.supplement_requests > 1 || d.extension.is_some() {
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

fn step_due(cal: &WorkCalendar, now: Timestamp, budget: TimeLimit) -> Result<i64, DossierError> {
    Ok(ms(cal.due(now, budget, &CountingRules::default())?.at))
}

/// Checks `cmd` against the dossier and returns the event it makes.
pub fn decide(d: &Dossier, cmd: Command, cx: &Ctx<'_>) -> Result<Event, DossierError> {
    use Status as S;
    let name = cmd.name();
    let bad_state = || DossierError::InvalidTransition { command: name, status: d.status };
    let denied = || DossierError::Forbidden { command: name };
    let now = cx.now;
    let a = &cx.actor;
    match cmd {
        Command::Submit => {
            if d.status != S::Draft {
                return Err(bad_state());
            }
            if !a.owns(d) {
                return Err(denied());
            }
            let missing: Vec<&ComponentCheck> = d
                .components
                .iter()
                .filter(|c| c.required && !c.reused && !d.files.iter().any(|f| !f.removed && f.component_key == c.key))
                .collect();
            if !missing.is_empty() {
                return Err(DossierError::Invalid(ValidationError(
                    missing
                        .iter()
                        .map(|c| {
                            FieldError::new(
                                format!("components.{}", c.key),
                                "component_missing",
                                format!("Chưa đính kèm thành phần bắt buộc: {}.", c.name),
                                format!("A required component has no file: {}.", c.name),
                            )
                        })
                        .collect(),
                )));
            }
            Ok(Event::Submitted)
        }
        Command::Receive { code, procedure, competent, steps, components } => {
            if !matches!(d.status, S::Draft | S::Submitted) {
                return Err(bad_state());
            }
            // A draft is received directly only at the counter or from the post.
            if d.status == S::Draft && d.channel == Channel::Online {
                return Err(bad_state());
            }
            if !a.at_counter(d) {
                return Err(denied());
            }
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
            let first = steps.first().ok_or_else(|| {
                field("workflow", "workflow_missing", "Thủ tục chưa có quy trình xử lý.", "The procedure has no workflow.")
            })?;
            let due = cx.calendar.due(now, procedure.time_limit, &counting_rules(&procedure, d.channel))?;
            let step_due_at = step_due(cx.calendar, now, first.budget)?;
            Ok(Event::Received {
                code,
                procedure,
                competent,
                components,
                counted_from: ms(due.counted_from),
                due_at: ms(due.at),
                step_due_at,
                calendar_version: due.calendar_version,
                steps,
            })
        }
        Command::Refuse { reasons } => {
            if !matches!(d.status, S::Submitted | S::Received) {
                return Err(bad_state());
            }
            if !a.at_counter(d) {
                return Err(denied());
            }
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
            if !matches!(d.status, S::Submitted | S::Received | S::InProgress) {
                return Err(bad_state());
            }
            let allowed = if d.status == S::Submitted { a.at_counter(d) } else { a.at_step(d) };
            if !allowed {
                return Err(denied());
            }
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
            Ok(Event::SupplementRequested { items })
        }
        Command::SupplySupplement { note } => {
            if d.status != S::AwaitingSupplement {
                return Err(bad_state());
            }
            if !(a.owns(d) || a.at_counter(d)) {
                return Err(denied());
            }
            let (due_at, appointment_at, step_due_at) = resumed(d, cx.calendar, now)?;
            Ok(Event::SupplementSupplied { note: clean_opt(note), due_at, appointment_at, step_due_at })
        }
        Command::Forward { note } => {
            if !matches!(d.status, S::Received | S::InProgress) {
                return Err(bad_state());
            }
            if !a.at_step(d) {
                return Err(denied());
            }
            let to = d.step + 1;
            let Some(next) = d.steps.get(to) else {
                return Err(field(
                    "step",
                    "last_step",
                    "Đây là bước cuối của quy trình; hãy ghi nhận kết quả giải quyết.",
                    "This is the last step of the workflow; record the result instead.",
                ));
            };
            let step_timeliness = d.step_due_at.map(|due| classify(now, ts(due)));
            Ok(Event::Forwarded {
                to_step: to,
                step_timeliness,
                step_due_at: step_due(cx.calendar, now, next.budget)?,
                note: clean_opt(note),
            })
        }
        Command::SendBack { reason } => {
            if d.status != S::InProgress {
                return Err(bad_state());
            }
            if !a.at_step(d) {
                return Err(denied());
            }
            let mut errs = Errors::new();
            text_required(&mut errs, "reason", &reason, 2000);
            errs.finish()?;
            let to = d.step.saturating_sub(1);
            let budget = d.steps.get(to).map_or(TimeLimit::WITHIN_DAY, |s| s.budget);
            Ok(Event::SentBack {
                to_step: to,
                step_due_at: step_due(cx.calendar, now, budget)?,
                reason: crate::text::clean(&reason),
            })
        }
        Command::NoticeFees { items } => {
            if !matches!(d.status, S::Received | S::InProgress) {
                return Err(bad_state());
            }
            if !a.at_step(d) {
                return Err(denied());
            }
            let mut errs = Errors::new();
            if items.is_empty() {
                errs.push(FieldError::new("items", "required", "Liệt kê các khoản phí, lệ phí.", "List the fees and charges."));
            }
            for (i, it) in items.iter().enumerate() {
                text_required(&mut errs, &format!("items[{i}].name"), &it.name, 300);
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
                items: items.into_iter().map(|f| FeeItem { name: crate::text::clean(&f.name), amount: f.amount }).collect(),
            })
        }
        Command::MarkPaid { method, receipt_number } => {
            if d.status != S::AwaitingPayment {
                return Err(bad_state());
            }
            let allowed = match method {
                PaymentMethod::Cash => a.at_counter(d) || a.at_step(d),
                PaymentMethod::OnlineNational | PaymentMethod::OnlineLocal => a.owns(d) || a.at_counter(d),
            };
            if !allowed {
                return Err(denied());
            }
            let mut errs = Errors::new();
            text_required(&mut errs, "receipt_number", &receipt_number, 100);
            errs.finish()?;
            let (due_at, appointment_at, step_due_at) = resumed(d, cx.calendar, now)?;
            Ok(Event::Paid { method, receipt_number: receipt_number.trim().to_string(), due_at, appointment_at, step_due_at })
        }
        Command::Stop { reason, basis, financial_consequences } => {
            if !matches!(d.status, S::Received | S::InProgress | S::AwaitingSupplement | S::AwaitingPayment) {
                return Err(bad_state());
            }
            let leader = d.competent.as_ref().is_some_and(|c| a.serves(Role::Leader, &c.path));
            if !(a.at_step(d) || leader) {
                return Err(denied());
            }
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
        Command::Withdraw { reason } => {
            if !matches!(d.status, S::Submitted | S::Received | S::InProgress | S::AwaitingSupplement | S::AwaitingPayment) {
                return Err(bad_state());
            }
            if !(a.owns(d) || a.at_counter(d)) {
                return Err(denied());
            }
            let mut errs = Errors::new();
            text_required(&mut errs, "reason", &reason, 2000);
            errs.finish()?;
            Ok(Event::Withdrawn { reason: crate::text::clean(&reason), timeliness: timeliness(d, now) })
        }
        Command::Extend { reason, new_date } => {
            if !matches!(d.status, S::Received | S::InProgress | S::AwaitingSupplement | S::AwaitingPayment) {
                return Err(bad_state());
            }
            let signer = d.competent.as_ref().unwrap_or_else(|| d.current_agency());
            if !a.serves(Role::Leader, &signer.path) {
                return Err(denied());
            }
            if d.extension.is_some() {
                return Err(field(
                    "new_date",
                    "already_extended",
                    "Hồ sơ đã được gia hạn một lần; không được hẹn lại lần nữa.",
                    "The dossier was already extended once; it cannot be rescheduled again.",
                ));
            }
            let (due, appt) = (d.due_at.unwrap_or_default(), d.appointment_at.unwrap_or_default());
            if ms(now) > due {
                return Err(field(
                    "new_date",
                    "past_due",
                    "Chỉ được xin lỗi và gia hạn trước khi hết hạn giải quyết.",
                    "An apology and extension must be issued before the due date.",
                ));
            }
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
            if d.status != S::InProgress {
                return Err(bad_state());
            }
            if !a.at_step(d) {
                return Err(denied());
            }
            if d.step + 1 != d.steps.len() {
                return Err(field(
                    "step",
                    "not_last_step",
                    "Chỉ ghi nhận kết quả ở bước cuối của quy trình; hãy chuyển hồ sơ tiếp.",
                    "The result is recorded at the last step of the workflow; forward the dossier first.",
                ));
            }
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
            if d.status != S::Resolved {
                return Err(bad_state());
            }
            if !a.at_counter(d) {
                return Err(denied());
            }
            let tracking_number = clean_opt(tracking_number);
            if method == ReturnMethod::Postal && tracking_number.is_none() {
                return Err(field(
                    "tracking_number",
                    "required",
                    "Trả kết quả qua bưu chính phải có số hiệu bưu gửi.",
                    "A postal return needs the tracking number.",
                ));
            }
            Ok(Event::ResultReturned { method, tracking_number, note: clean_opt(note) })
        }
        Command::AttachFile { file } => {
            if file.component_key == RESULT_COMPONENT {
                // The result document: by whoever acts at the current step, before it is recorded.
                if d.status != S::InProgress {
                    return Err(bad_state());
                }
                if !a.at_step(d) {
                    return Err(denied());
                }
                return Ok(Event::FileAttached { file });
            }
            let owner_may = a.owns(d) && matches!(d.status, S::Draft | S::AwaitingSupplement);
            let officer_may = !d.status.is_terminal() && (a.at_counter(d) || a.at_step(d));
            if !(owner_may || officer_may) {
                return Err(if d.status.is_terminal() { bad_state() } else { denied() });
            }
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
        Command::Rate { satisfied, comment } => {
            if !matches!(d.status, S::Resolved | S::Returned) {
                return Err(bad_state());
            }
            if !a.owns(d) {
                return Err(denied());
            }
            if d.rating.is_some() {
                return Err(field(
                    "satisfied",
                    "already_rated",
                    "Hồ sơ đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.",
                    "This dossier was already rated; each dossier is rated once.",
                ));
            }
            let comment = clean_opt(comment);
            if comment.as_ref().is_some_and(|c| c.chars().count() > 2000) {
                return Err(field("comment", "too_long", "Tối đa 2000 ký tự.", "At most 2000 characters."));
            }
            Ok(Event::Rated { satisfied, comment })
        }
        Command::RemoveFile { file_id } => {
            let owner_may = a.owns(d) && matches!(d.status, S::Draft | S::AwaitingSupplement);
            let counter_may = a.at_counter(d) && matches!(d.status, S::Draft | S::Submitted);
            if !(owner_may || counter_may) {
                return Err(if d.status.is_terminal() { bad_state() } else { denied() });
            }
            if !d.files.iter().any(|f| f.id == file_id && !f.removed) {
                return Err(field("file_id", "not_found", "Không tìm thấy tệp.", "No such file."));
            }
            Ok(Event::FileRemoved { file_id })
        }
    }
}

fn clean_opt(s: Option<String>) -> Option<String> {
    s.map(|v| crate::text::clean(&v)).filter(|v| !v.is_empty())
}

fn clean_list(v: Vec<String>) -> Vec<String> {
    v.into_iter().map(|s| crate::text::clean(&s)).filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests;

/// May `a` read the dossier? Its applicant; an official serving (any role) the agency that
/// received it, the competent agency or any agency of its workflow; a supervisor or
/// administrator over the receiving agency's subtree.
pub fn may_read(d: &Dossier, a: &Actor<'_>) -> bool {
    if a.owns(d) {
        return true;
    }
    if a.account != AccountType::Official {
        return false;
    }
    let mut paths: Vec<&str> = vec![&d.receiving.path];
    paths.extend(d.competent.as_ref().map(|c| c.path.as_str()));
    paths.extend(d.steps.iter().map(|s| s.agency.path.as_str()));
    a.memberships.iter().any(|m| match m.role {
        Role::Supervisor | Role::Admin => in_subtree(&d.receiving.path, &m.agency_path),
        role => paths.iter().any(|p| a.serves(role, p)),
    })
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
            if components.iter().any(|c| c.digitized) {
                m.push("digitized");
            }
            if components.iter().any(|c| c.reused) {
                m.push("reused");
            }
        }
        Event::Refused { .. } => m.push("refused"),
        Event::SupplementRequested { .. } if after.received_at.is_some() => m.push("supplement_requested"),
        Event::Paid { method, .. } if *method != PaymentMethod::Cash => m.push("paid_online"),
        Event::Extended { .. } => m.push("extended"),
        Event::ResultReturned { .. } => m.push("returned"),
        Event::Rated { satisfied, .. } => m.push(if *satisfied { "rated_satisfied" } else { "rated_unsatisfied" }),
        _ => {}
    }
    let timeliness = match event {
        Event::Resolved { timeliness, .. } => Some(*timeliness),
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
