//! The procedure catalog (danh mục thủ tục hành chính): what a procedure version says, the
//! checks it must pass, its seven constituent parts (766 indicator 1.3) and the diff
//! between two versions. Versions and their life cycle are kept by the store; this module
//! decides.

use crate::calendar::{CheckUnit, TimeLimit};
use crate::error::{Errors, FieldError, ValidationError};
use crate::text::clean;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Administrative level that implements the procedure (two-level government since 2025).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Province,
    Commune,
}

/// Who may file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantType {
    Citizen,
    Business,
    HouseholdBusiness,
    Organisation,
    Foreigner,
}

/// Where a dossier can be filed (REQ-6: 1 counter, 2 online, 3 public postal service).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Counter,
    Online,
    Postal,
}

/// Online service level (ND 42/2022 art. 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    /// Toàn trình: everything online, result online or by post.
    Full,
    /// Một phần.
    Partial,
    /// No online service.
    None,
}

/// When a fee is collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeCollected {
    AtReception,
    AtResult,
    BeforeProcessing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sector {
    /// e.g. "HT" (hộ tịch), "CT" (chứng thực), "HKD".
    pub code: String,
    pub name: String,
}

/// One way to file (cách thức thực hiện) with its own time limit and note when they differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Method {
    pub channel: Channel,
    #[serde(default)]
    pub description: String,
}

/// A required document (thành phần hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentSpec {
    /// Stable within the procedure (used by dossiers and templates), e.g. "to_khai".
    pub key: String,
    pub name: String,
    /// Originals and copies to file (bản chính, bản sao).
    #[serde(default)]
    pub originals: u8,
    #[serde(default)]
    pub copies: u8,
    #[serde(default = "yes")]
    pub required: bool,
    /// Documents accepted instead of this one.
    #[serde(default)]
    pub alternatives: Vec<String>,
    /// File name of a downloadable form (mẫu đơn, tờ khai), served with the catalog.
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// What in the applicant's data locker satisfies it instead of a new file (kinds of
    /// `locker`: `ket-qua:<procedure code>`, `ban-sao:<component key>`). Written only when
    /// some are named, so other specs keep their form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locker_kinds: Vec<String>,
    /// Whether the paper component is scanned and certified at reception (TT 01/2023;
    /// REQ-13), or excluded, with the reason.
    #[serde(default, skip_serializing_if = "Digitization::is_required")]
    pub digitization: Digitization,
}

/// Whether a component is digitized (TT 01/2023 on digitizing dossiers: the receiving
/// officer scans the paper components in scope and certifies the electronic copy). In the
/// catalog JSON: `"required"` (the default, left out) or `{"excluded": "<reason>"}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Digitization {
    #[default]
    Required,
    Excluded(DigitizationExclusion),
}

impl Digitization {
    pub fn is_required(&self) -> bool {
        *self == Self::Required
    }

    pub fn excluded(&self) -> Option<DigitizationExclusion> {
        match self {
            Self::Required => None,
            Self::Excluded(r) => Some(*r),
        }
    }
}

/// Why a component is not digitized: the cases TT 01/2023 (REQ-13) leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DigitizationExclusion {
    /// Its data is already shared as legal data from a national or sector database.
    SharedData,
    /// A plain photocopy or a paper certified copy (only e-copies certified from the
    /// original are digitized).
    PaperCopy,
    /// Shown to the officer only (xuất trình), not filed.
    ShowOnly,
    /// A document classified as state secret.
    Secret,
}

impl DigitizationExclusion {
    pub const ALL: [Self; 4] = [Self::SharedData, Self::PaperCopy, Self::ShowOnly, Self::Secret];

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::SharedData => "dữ liệu đã được chia sẻ, khai thác từ cơ sở dữ liệu",
            Self::PaperCopy => "bản chụp, bản sao giấy",
            Self::ShowOnly => "giấy tờ chỉ xuất trình",
            Self::Secret => "tài liệu mật",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::SharedData => "data already shared from a database",
            Self::PaperCopy => "a photocopy or paper copy",
            Self::ShowOnly => "shown only",
            Self::Secret => "a secret document",
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    pub name: String,
    /// In đồng; 0 = free.
    pub amount: i64,
    pub collected: FeeCollected,
    #[serde(default)]
    pub exemptions: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalBasis {
    /// e.g. "60/2014/QH13".
    pub number: String,
    pub title: String,
    #[serde(default)]
    pub issued: Option<Date>,
    #[serde(default)]
    pub effective: Option<Date>,
}

/// The decision that published the procedure (quyết định công bố).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub number: String,
    pub date: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultSpec {
    /// e.g. "Giấy khai sinh (bản chính)".
    pub name: String,
    /// The result is a paper document (766: an electronic result must be issued too).
    pub paper_required: bool,
}

/// Same-day cut-off and out-of-hours rule of the procedure (see `calendar::CountingRules`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counting {
    /// "15:00": received later counts from the next working day.
    #[serde(default)]
    pub same_day_cutoff: Option<jiff::civil::Time>,
    /// Online filings out of office hours count from the next working instant.
    #[serde(default)]
    pub out_of_hours_next: bool,
    /// The legal clock stops while the applicant owes fees or taxes. Off by default: the
    /// 766 on-time formula subtracts only supplement time; sector rules turn it on per
    /// procedure (land registration, NĐ 101/2024/NĐ-CP: the time to fulfil financial
    /// obligations is not counted in the processing time; spec §d.1 rule 7). Written only
    /// when on, so stored events of procedures without it keep their form.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub payment_pauses_clock: bool,
}

/// Supplement requests after reception (REQ-19). The general rule (NĐ 118/2025, carrying
/// NĐ 61/2018 art. 17(2)(b) as amended by NĐ 107/2021): one consolidated written notice,
/// sent through the one-stop within 3 working days of reception, the clock paused while the
/// applicant supplies. A sector rule may change each part; the version records its basis.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplementRule {
    /// Working days after reception to send the notice; none = 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_working_days: Option<u32>,
    /// The sector text behind a window other than 3 working days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_basis: Option<String>,
    /// The sector text allowing a second notice; none = one notice only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_notice_basis: Option<String>,
    /// The sector text under which the count restarts once the applicant supplies; none =
    /// the clock pauses and goes on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_basis: Option<String>,
}

impl SupplementRule {
    /// The general window, in working days after reception.
    pub const GENERAL_WINDOW: u32 = 3;
    /// Longest basis text kept.
    pub const BASIS_MAX: usize = 500;

    pub fn window(&self) -> u32 {
        self.within_working_days.unwrap_or(Self::GENERAL_WINDOW)
    }

    pub fn is_general(&self) -> bool {
        *self == Self::default()
    }

    fn validate(&mut self, errs: &mut Errors) {
        for (name, basis) in [
            ("window_basis", &mut self.window_basis),
            ("second_notice_basis", &mut self.second_notice_basis),
            ("restart_basis", &mut self.restart_basis),
        ] {
            *basis = basis.as_deref().map(clean).filter(|b| !b.is_empty());
            if basis.as_ref().is_some_and(|b| b.chars().count() > Self::BASIS_MAX) {
                errs.push(FieldError::new(
                    format!("supplement.{name}"),
                    "too_long",
                    format!("Căn cứ pháp lý tối đa {} ký tự.", Self::BASIS_MAX),
                    format!("The legal basis has at most {} characters.", Self::BASIS_MAX),
                ));
            }
        }
        if let Some(n) = self.within_working_days {
            if !(1..=30).contains(&n) {
                errs.push(FieldError::new(
                    "supplement.within_working_days",
                    "invalid_window",
                    "Thời hạn yêu cầu bổ sung phải từ 1 đến 30 ngày làm việc.",
                    "The supplement window is 1 to 30 working days.",
                ));
            } else if n != Self::GENERAL_WINDOW && self.window_basis.is_none() {
                errs.push(FieldError::new(
                    "supplement.window_basis",
                    "basis_required",
                    "Thời hạn khác 3 ngày làm việc phải nêu căn cứ pháp lý chuyên ngành.",
                    "A window other than 3 working days needs its sector legal basis.",
                ));
            }
        }
    }
}

/// How long the one-stop has to check a dossier filed online and answer it: receive it,
/// ask to complete it, or refuse it (NĐ 61/2018 art. 19 as amended by NĐ 107/2021; spec
/// REQ-8). The general level is 1 working day from the submission, counted from the next
/// office instant when filed out of hours (NĐ 45/2020 art. 11; `WorkCalendar::check_due`).
/// A procedure may set another level in working days or office hours. Written only when it
/// differs from the general one, so stored specs and events of other procedures keep their
/// form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckLevel {
    /// A whole number: 1–10 working days or 1–80 office hours. Signed so that a negative
    /// number gets its own field error rather than a type error.
    pub amount: i64,
    pub unit: CheckUnit,
}

impl Default for CheckLevel {
    fn default() -> Self {
        Self::GENERAL
    }
}

impl CheckLevel {
    /// The general level: 1 working day.
    pub const GENERAL: CheckLevel = CheckLevel { amount: 1, unit: CheckUnit::WorkingDays };
    pub const MAX_WORKING_DAYS: i64 = 10;
    pub const MAX_HOURS: i64 = 80;

    pub fn is_general(&self) -> bool {
        *self == Self::GENERAL
    }

    fn max(unit: CheckUnit) -> i64 {
        match unit {
            CheckUnit::WorkingDays => Self::MAX_WORKING_DAYS,
            CheckUnit::Hours => Self::MAX_HOURS,
        }
    }

    /// The amount as the calendar counts it, within the bounds `validate` enforces (a
    /// version is validated before it is stored, so the clamp never bites).
    pub fn amount(&self) -> u32 {
        self.amount.clamp(1, Self::max(self.unit)) as u32
    }

    /// "1 ngày làm việc", "8 giờ làm việc".
    pub fn describe_vi(&self) -> String {
        format!("{} {}", self.amount, self.unit.label_vi())
    }

    pub fn describe_en(&self) -> String {
        format!("{} {}", self.amount, self.unit.label_en())
    }

    fn validate(&self, errs: &mut Errors) {
        let max = Self::max(self.unit);
        if !(1..=max).contains(&self.amount) {
            errs.push(FieldError::new(
                "reception_check.amount",
                "invalid_check_level",
                format!("Thời hạn kiểm tra hồ sơ trực tuyến phải là số nguyên từ 1 đến {max} {}.", self.unit.label_vi()),
                format!("The online dossier check level is a whole number from 1 to {max} {}.", self.unit.label_en()),
            ));
        }
    }
}

/// Everything one version of a procedure says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcedureSpec {
    /// National code from the national TTHC database, e.g. "1.000948"; local suffixes allowed ("1.000948.H40").
    pub code: String,
    pub name: String,
    pub sector: Sector,
    pub levels: Vec<Level>,
    /// The agency competent to decide (cơ quan thực hiện), e.g. "Ủy ban nhân dân cấp xã".
    pub implementing_agency: String,
    /// Code of the agency in our tree that decides, when one agency does (e.g. "000.00.01.H40").
    #[serde(default)]
    pub agency_code: Option<String>,
    pub applicant_types: Vec<ApplicantType>,
    /// Target subjects (đối tượng thực hiện), in words.
    pub target_subjects: String,
    /// Sequence of steps (trình tự thực hiện).
    pub steps: Vec<String>,
    /// Methods / channels (cách thức thực hiện).
    pub methods: Vec<Method>,
    /// Components and quantity (thành phần, số lượng hồ sơ).
    pub components: Vec<ComponentSpec>,
    /// Number of sets (số bộ hồ sơ).
    #[serde(default = "one")]
    pub sets: u8,
    pub time_limit: TimeLimit,
    pub result: ResultSpec,
    #[serde(default)]
    pub fees: Vec<Fee>,
    pub legal_basis: Vec<LegalBasis>,
    pub decision: Decision,
    pub online_level: OnlineLevel,
    /// Eligible to be provided fully online (đủ điều kiện toàn trình).
    #[serde(default)]
    pub full_online_eligible: bool,
    /// Postal reception/return excluded (QĐ 45/2016).
    #[serde(default)]
    pub postal_excluded: bool,
    /// One of the essential services received online only (Chỉ thị 24/CT-TTg).
    #[serde(default)]
    pub online_only: bool,
    #[serde(default)]
    pub counting: Counting,
    /// Supplement requests after reception: the general rule unless a sector rule says otherwise.
    #[serde(default, skip_serializing_if = "SupplementRule::is_general")]
    pub supplement: SupplementRule,
    /// How long the one-stop has to check an online dossier: 1 working day unless set.
    #[serde(default, skip_serializing_if = "CheckLevel::is_general")]
    pub reception_check: CheckLevel,
    /// Conditions to be met (yêu cầu, điều kiện), if any.
    #[serde(default)]
    pub conditions: Option<String>,
}

fn one() -> u8 {
    1
}

fn missing(errs: &mut Errors, field: &str, vi: &str, en: &str) {
    errs.push(FieldError::new(field, "required", vi, en));
}

/// A national TTHC code: digits and dots, optionally a local suffix of letters/digits after a dot.
pub fn valid_code(code: &str) -> bool {
    let mut parts = code.split('.');
    let first_ok = parts.next().is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    let rest: Vec<&str> = parts.collect();
    first_ok
        && !rest.is_empty()
        && rest.len() <= 3
        && rest.iter().all(|p| !p.is_empty() && p.len() <= 12 && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

impl ProcedureSpec {
    /// NFC-cleans the texts and checks the version on its own; every problem is reported.
    pub fn validate(mut self) -> Result<Self, ValidationError> {
        let mut errs = Errors::new();
        self.code = self.code.trim().to_ascii_uppercase();
        if !valid_code(&self.code) {
            errs.push(FieldError::new(
                "code",
                "invalid_procedure_code",
                "Mã thủ tục không hợp lệ (ví dụ 1.000948 hoặc 1.000948.H40).",
                "Invalid procedure code (e.g. 1.000948 or 1.000948.H40).",
            ));
        }
        self.name = clean(&self.name);
        if self.name.chars().count() < 5 {
            missing(&mut errs, "name", "Tên thủ tục phải có ít nhất 5 ký tự.", "The procedure name needs at least 5 characters.");
        }
        self.sector.code = self.sector.code.trim().to_string();
        self.sector.name = clean(&self.sector.name);
        if self.sector.code.is_empty() || self.sector.name.is_empty() {
            missing(&mut errs, "sector", "Phải có mã và tên lĩnh vực.", "The sector needs a code and a name.");
        }
        if self.levels.is_empty() {
            missing(&mut errs, "levels", "Phải có ít nhất một cấp thực hiện.", "At least one level is needed.");
        }
        self.levels.sort();
        self.levels.dedup();
        self.implementing_agency = clean(&self.implementing_agency);
        if self.applicant_types.is_empty() {
            missing(
                &mut errs,
                "applicant_types",
                "Phải có ít nhất một loại đối tượng nộp hồ sơ.",
                "At least one applicant type is needed.",
            );
        }
        self.target_subjects = clean(&self.target_subjects);
        self.steps = self.steps.iter().map(|s| clean(s)).filter(|s| !s.is_empty()).collect();
        let mut keys = std::collections::HashSet::new();
        for (i, c) in self.components.iter_mut().enumerate() {
            c.name = clean(&c.name);
            c.key = c.key.trim().to_string();
            if c.name.is_empty() {
                missing(
                    &mut errs,
                    &format!("components[{i}].name"),
                    "Thành phần hồ sơ phải có tên.",
                    "A component needs a name.",
                );
            }
            if c.key.is_empty() || !c.key.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_') {
                errs.push(FieldError::new(
                    format!("components[{i}].key"),
                    "invalid_component_key",
                    "Mã thành phần chỉ gồm chữ thường không dấu, số và dấu gạch dưới.",
                    "A component key has lowercase letters, digits and underscores only.",
                ));
            } else if !keys.insert(c.key.clone()) {
                errs.push(FieldError::new(
                    format!("components[{i}].key"),
                    "duplicate_component_key",
                    "Mã thành phần bị trùng.",
                    "Duplicate component key.",
                ));
            }
            c.locker_kinds = c.locker_kinds.iter().map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect();
            let mut seen = std::collections::HashSet::new();
            c.locker_kinds.retain(|k| seen.insert(k.clone()));
            if c.locker_kinds.len() > crate::locker::MAX_KINDS || c.locker_kinds.iter().any(|k| !crate::locker::kind_is_valid(k))
            {
                errs.push(FieldError::new(
                    format!("components[{i}].locker_kinds"),
                    "invalid_locker_kind",
                    format!(
                        "Loại giấy tờ trong kho dữ liệu có dạng ket-qua:<mã thủ tục> hoặc ban-sao:<mã thành phần>, tối đa {}.",
                        crate::locker::MAX_KINDS
                    ),
                    format!(
                        "A data locker kind is ket-qua:<procedure code> or ban-sao:<component key>, at most {}.",
                        crate::locker::MAX_KINDS
                    ),
                ));
            }
            if c.originals == 0 && c.copies == 0 {
                errs.push(FieldError::new(
                    format!("components[{i}]"),
                    "component_quantity",
                    "Thành phần hồ sơ phải có số lượng bản chính hoặc bản sao.",
                    "A component needs a number of originals or copies.",
                ));
            }
        }
        for (i, f) in self.fees.iter().enumerate() {
            if f.amount < 0 {
                errs.push(FieldError::new(
                    format!("fees[{i}].amount"),
                    "negative_amount",
                    "Mức phí, lệ phí không được âm.",
                    "A fee cannot be negative.",
                ));
            }
        }
        self.supplement.validate(&mut errs);
        self.reception_check.validate(&mut errs);
        if self.sets == 0 {
            errs.push(FieldError::new(
                "sets",
                "invalid_sets",
                "Số bộ hồ sơ phải từ 1 trở lên.",
                "At least one set of documents.",
            ));
        }
        if self.online_only && self.online_level == OnlineLevel::None {
            errs.push(FieldError::new(
                "online_only",
                "online_only_without_service",
                "Thủ tục chỉ tiếp nhận trực tuyến phải có dịch vụ công trực tuyến.",
                "An online-only procedure needs an online service.",
            ));
        }
        if self.online_level != OnlineLevel::None && !self.methods.iter().any(|m| m.channel == Channel::Online) {
            errs.push(FieldError::new(
                "methods",
                "online_method_missing",
                "Thủ tục có dịch vụ trực tuyến phải có cách thức nộp trực tuyến.",
                "A procedure with an online service needs the online method.",
            ));
        }
        if self.postal_excluded && self.methods.iter().any(|m| m.channel == Channel::Postal) {
            errs.push(FieldError::new(
                "postal_excluded",
                "postal_contradiction",
                "Thủ tục không tiếp nhận qua bưu chính nhưng lại có cách thức bưu chính.",
                "Postal is excluded but listed as a method.",
            ));
        }
        errs.finish()?;
        Ok(self)
    }

    /// Which of the seven constituent parts (766 indicator 1.3) are present.
    pub fn parts(&self) -> [(&'static str, bool); 7] {
        [
            ("ten", !self.name.is_empty()),
            ("trinh_tu", !self.steps.is_empty()),
            ("cach_thuc", !self.methods.is_empty()),
            ("thanh_phan", !self.components.is_empty() && self.components.iter().all(|c| c.originals + c.copies > 0)),
            ("thoi_han", true),
            ("doi_tuong", !self.target_subjects.is_empty()),
            ("co_quan", !self.implementing_agency.is_empty()),
        ]
    }

    pub fn is_complete(&self) -> bool {
        self.parts().iter().all(|(_, ok)| *ok)
    }

    /// Total fees in đồng.
    pub fn total_fees(&self) -> i64 {
        self.fees.iter().map(|f| f.amount).sum()
    }

    /// The text searched for this version (folded).
    pub fn search_text(&self) -> String {
        crate::text::fold(&format!(
            "{} {} {} {} {}",
            self.code, self.name, self.sector.name, self.implementing_agency, self.result.name
        ))
    }

    pub fn accepts(&self, channel: Channel) -> bool {
        self.methods.iter().any(|m| m.channel == channel) && !(channel == Channel::Counter && self.online_only)
    }
}

/// Life-cycle status of a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    Draft,
    Published,
    /// Superseded by a later version of the same procedure (sửa đổi, bổ sung).
    Amended,
    /// Superseded by another procedure (thay thế).
    Replaced,
    /// Bãi bỏ.
    Abolished,
}

impl VersionStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Amended => "amended",
            Self::Replaced => "replaced",
            Self::Abolished => "abolished",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Draft, Self::Published, Self::Amended, Self::Replaced, Self::Abolished].into_iter().find(|v| v.code() == s)
    }
}

/// One changed field between two versions, as JSON values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// Field-by-field differences between two versions (top-level fields; lists compared whole).
pub fn diff(a: &ProcedureSpec, b: &ProcedureSpec) -> Vec<Change> {
    let (Ok(serde_json::Value::Object(x)), Ok(serde_json::Value::Object(y))) = (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return Vec::new();
    };
    let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let before = x.get(k).cloned().unwrap_or(serde_json::Value::Null);
            let after = y.get(k).cloned().unwrap_or(serde_json::Value::Null);
            (before != after).then(|| Change { field: k.clone(), before, after })
        })
        .collect()
}
