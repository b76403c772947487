//! The state of a dossier and its parts: what the projection stores and every read shows.

use super::Status;
use super::workflow::StepKind;
use crate::calendar::{TimeLimit, Timeliness};
use crate::catalog::{ApplicantType, Channel, CheckLevel, Counting, Digitization, SupplementRule};
use crate::user::Role;
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
    /// Supplement requests after reception (window, second notice, restart), with bases.
    #[serde(default, skip_serializing_if = "SupplementRule::is_general")]
    pub supplement: SupplementRule,
    /// How long the one-stop has to check the dossier once submitted online (1 working day
    /// unless the procedure sets another level).
    #[serde(default, skip_serializing_if = "CheckLevel::is_general")]
    pub reception_check: CheckLevel,
    /// The procedure's sector (lĩnh vực), sent to the portal as `MaLinhVuc`/`TenLinhVuc`;
    /// none in dossiers filed before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<crate::catalog::Sector>,
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
    /// Scanned and certified (TT 01/2023; 766 group 4): derived from the dossier's
    /// certified copies (`Dossier::certified_copies`) whenever one is added or its scan
    /// removed. Received events written before digitization was recorded carry the old
    /// checkbox.
    #[serde(default)]
    pub digitized: bool,
    /// Taken from the citizen's data locker or a national database instead of being filed.
    #[serde(default)]
    pub reused: bool,
    /// In scope of digitization or excluded (from the procedure's component).
    #[serde(default, skip_serializing_if = "Digitization::is_required")]
    pub digitization: Digitization,
}

/// A paper component scanned and certified by an officer (TT 01/2023, REQ-13): the scan is
/// a file of the dossier (`file_id`), the certification a detached CMS signature by the
/// officer's personal certificate over the scan's bytes, stored by its digest. The data
/// locker lists these per applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertifiedCopy {
    /// The component (`result` for the paper result).
    pub component_key: String,
    pub file_id: String,
    pub file_sha256: String,
    /// The `.p7s` (DER CMS SignedData) in the file store.
    pub signature_sha256: String,
    pub signature_size: i64,
    /// The certifying officer's user id and name, and their certificate's serial.
    pub by: String,
    pub by_name: String,
    pub certificate_serial: String,
    pub at: i64,
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
    /// The sector text a second notice rests on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeItem {
    pub name: String,
    /// In đồng; 0 for an item the applicant is exempt from.
    pub amount: i64,
    /// Why the applicant pays nothing of this item (the procedure's exemption the officer
    /// chose).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption: Option<String>,
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
    /// When the gateway refunded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded_at: Option<i64>,
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

/// The result handed back when the competent agency refuses after appraisal: its written
/// answer stating the reasons (no numbered form of TT 03/2025; NĐ 118/2025).
pub const APPRAISAL_REFUSAL_LETTER: &str = "Văn bản trả lời từ chối giải quyết hồ sơ";

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
    /// Taken from the applicant's data locker (the item's id): the same stored bytes, not a
    /// new upload; the component counts as reused at reception. Written only when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locker_item_id: Option<String>,
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
    /// Given at submission, before the code: the applicant tracks the dossier by it.
    #[serde(default)]
    pub filing_reference: Option<String>,
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
    /// While an online dossier waits for the one-stop's check (status submitted): when the
    /// check is due (issue #11 item 14); kept after the answer. None for paper dossiers and
    /// for dossiers submitted before the rule.
    #[serde(default)]
    pub check_due_at: Option<i64>,
    /// When the one-stop answered the check (received, asked to complete or refused the
    /// waiting dossier); cleared when a completed dossier waits again.
    #[serde(default)]
    pub checked_at: Option<i64>,
    /// The end of the window for the supplement notice after reception (REQ-19: 3 working
    /// days unless a sector rule says otherwise); none for dossiers received before the rule.
    #[serde(default)]
    pub supplement_by: Option<i64>,
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
    /// The competent agency's refusal after appraisal (its letter is also `result`).
    #[serde(default)]
    pub appraisal_refusal: Option<Ending>,
    pub files: Vec<FileRef>,
    #[serde(default)]
    pub rating: Option<Rating>,
    /// The one-time code on a paper dossier's receipt for rating at the counter.
    #[serde(default)]
    pub rating_code: Option<String>,
    /// Scans certified by officers, in order (a later one of a component replaces it).
    #[serde(default)]
    pub certified_copies: Vec<CertifiedCopy>,
    /// Submitted from a session opened through VNeID (REQ-32; 766 `TaiKhoanDuocXacThucVoiVNeID`).
    #[serde(default)]
    pub vneid_authenticated: bool,
    /// Filed on the national portal and fetched from it (REQ-8); None for local filings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal: Option<PortalFiling>,
    /// The applicant's postal choice and address (QĐ 45/2016), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal: Option<super::PostalChoice>,
    /// The result's hand-overs to the post, in order (the last may be in transit).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shipments: Vec<super::Shipment>,
}

/// A dossier the citizen filed on the national portal (DVCQG): the portal's id for it and
/// the flags the portal set, which every sync sends back unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalFiling {
    /// The portal's dossier id (its `MaHoSo`): the portal knows the dossier by it for life.
    pub id: String,
    /// The applicant signed in with VNeID (`TaiKhoanDuocXacThucVoiVNeID`).
    #[serde(default)]
    pub vneid: bool,
    /// The national database data were taken from (`MaCSDL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_db: Option<String>,
    /// Files taken from the citizen's data store on the portal (`DuocLayTuKhoDMQG`), by file id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from_store: Vec<String>,
    /// Files the portal marked digitized (`DuocSoHoa`), by file id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub digitized: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub satisfied: bool,
    pub comment: Option<String>,
    pub at: i64,
    /// Satisfied or not per dimension, when the applicant said (issue #16).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub factors: Vec<FactorRating>,
}

/// The dimensions a rating may be given on: the five of the satisfaction index of public
/// administrative services (SIPAS): access to the service, the procedure, the officers, the
/// result, the handling of feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingFactor {
    Access,
    Procedure,
    Officer,
    Result,
    Feedback,
}

impl RatingFactor {
    pub const ALL: [Self; 5] = [Self::Access, Self::Procedure, Self::Officer, Self::Result, Self::Feedback];

    pub fn code(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Procedure => "procedure",
            Self::Officer => "officer",
            Self::Result => "result",
            Self::Feedback => "feedback",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Access => "Access to the service",
            Self::Procedure => "The procedure",
            Self::Officer => "The officials handling it",
            Self::Result => "The result",
            Self::Feedback => "Handling of comments and feedback",
        }
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Self::Access => "Tiếp cận dịch vụ",
            Self::Procedure => "Thủ tục hành chính",
            Self::Officer => "Công chức giải quyết công việc",
            Self::Result => "Kết quả giải quyết",
            Self::Feedback => "Tiếp nhận, xử lý góp ý, phản ánh",
        }
    }
}

/// One dimension's answer: the SIPAS score from 1 (very dissatisfied) to 5 (very satisfied)
/// and whether that counts as satisfied (4 or 5). Events before the 5-point scale (issue
/// #16) carry `satisfied` alone; a command may give `score` alone, `decide` derives the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorRating {
    pub factor: RatingFactor,
    #[serde(default)]
    pub satisfied: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
}

/// The five points of the SIPAS scale, with their labels (1 = worst).
pub const SCORES: [(u8, &str, &str); 5] = [
    (1, "Rất không hài lòng", "Very dissatisfied"),
    (2, "Không hài lòng", "Dissatisfied"),
    (3, "Bình thường", "Neutral"),
    (4, "Hài lòng", "Satisfied"),
    (5, "Rất hài lòng", "Very satisfied"),
];

/// A score this low on any dimension sends the rating to the unit's leader.
pub const LOW_SCORE: u8 = 2;

/// A rating the unit's leader must see: a dislike, or any dimension scored 2 or less.
pub fn low_rating(satisfied: bool, factors: &[FactorRating]) -> bool {
    !satisfied || factors.iter().any(|f| f.score.is_some_and(|s| s <= LOW_SCORE))
}

/// Checks and normalizes a rating's answers (a dossier's or a counter visit's): the comment
/// trimmed and bounded (2000 characters), each dimension at most once, each score 1..5
/// (`satisfied` follows the score: 4 and 5 are satisfied).
pub fn check_rating(
    comment: Option<String>,
    factors: Vec<FactorRating>,
) -> Result<(Option<String>, Vec<FactorRating>), crate::dossier::DossierError> {
    use super::command::field;
    let comment = comment.map(|v| crate::text::clean(&v)).filter(|v| !v.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > 2000) {
        return Err(field("comment", "too_long", "Tối đa 2000 ký tự.", "At most 2000 characters."));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(factors.len());
    for mut f in factors {
        if !seen.insert(f.factor) {
            return Err(field(
                "factors",
                "duplicate_factor",
                "Mỗi tiêu chí chỉ được đánh giá một lần.",
                "Each dimension may be rated once.",
            ));
        }
        if let Some(s) = f.score {
            if !(1..=5).contains(&s) {
                return Err(field(
                    &format!("score_{}", f.factor.code()),
                    "score_out_of_range",
                    "Điểm đánh giá phải từ 1 (rất không hài lòng) đến 5 (rất hài lòng).",
                    "A score is from 1 (very dissatisfied) to 5 (very satisfied).",
                ));
            }
            f.satisfied = s >= 4;
        }
        out.push(f);
    }
    Ok((comment, out))
}

impl Dossier {
    pub fn current_step(&self) -> Option<&Step> {
        self.steps.get(self.step)
    }

    /// The unit the dossier counts for in the indicators (766 scores the unit with authority
    /// over the procedure): the competent agency, else where it was received.
    pub fn accountable(&self) -> &AgencyRef {
        self.competent.as_ref().unwrap_or(&self.receiving)
    }

    /// The agency holding the dossier now (for inboxes): the current step's, else where it was received.
    pub fn current_agency(&self) -> &AgencyRef {
        self.current_step().map_or(&self.receiving, |s| &s.agency)
    }

    pub fn digitized(&self) -> bool {
        self.components.iter().any(|c| c.digitized)
    }

    /// The certified copy of a component now: the latest whose scan is still attached.
    pub fn certified_copy(&self, component_key: &str) -> Option<&CertifiedCopy> {
        self.certified_copies
            .iter()
            .rev()
            .find(|c| c.component_key == component_key && self.files.iter().any(|f| f.id == c.file_id && !f.removed))
    }

    /// Components in scope of digitization and how many of them are digitized (the
    /// excluded ones count in neither; the result is not a component).
    pub fn digitization_rate(&self) -> (usize, usize) {
        let scope = self.components.iter().filter(|c| c.digitization.is_required());
        let digitized = scope.clone().filter(|c| c.digitized).count();
        (scope.count(), digitized)
    }

    /// Re-derives each component's `digitized` from the certified copies.
    pub(super) fn derive_digitized(&mut self) {
        let keys: Vec<bool> = self.components.iter().map(|c| self.certified_copy(&c.key).is_some()).collect();
        for (c, certified) in self.components.iter_mut().zip(keys) {
            // Old Received events carried a checkbox without any record: kept as written.
            c.digitized = certified || (c.digitized && !self.certified_copies.iter().any(|x| x.component_key == c.key));
        }
    }

    /// The check due time while the dossier waits for the one-stop's answer, else none.
    pub fn pending_check_due(&self) -> Option<i64> {
        self.check_due_at.filter(|_| self.status == super::Status::Submitted)
    }

    /// Waiting for its check past the check's due time.
    pub fn is_check_overdue_at(&self, now_ms: i64) -> bool {
        self.pending_check_due().is_some_and(|d| now_ms > d)
    }

    /// The one-stop answered the check after its due time.
    pub fn check_was_late(&self) -> bool {
        matches!((self.check_due_at, self.checked_at), (Some(due), Some(at)) if at > due)
    }

    /// Due status right now for inbox colours: overdue, due within a working day, or fine.
    pub fn is_overdue_at(&self, now_ms: i64) -> bool {
        self.finished_at.is_none() && self.due_at.is_some_and(|d| now_ms > d)
    }
}
