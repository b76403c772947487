//! Petitions (phản ánh, kiến nghị — PAKN, REQ-29, 766 group 5): what a petition is, which
//! action is allowed in which state by whom (one table, `GUARDS`), the legal deadlines on
//! the working-day calendar, the on-time test of indicator 5.2, and the redaction of
//! personal data from a published text.

use crate::calendar::{CountingRules, TimeLimit, TimeUnit, WorkCalendar};
use crate::error::{FieldError, ValidationError};
use crate::text::clean;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Longest body or answer, in characters (a petition is a letter, not a file).
pub const MAX_BODY_CHARS: usize = 5_000;
/// Longest optional name and contact.
pub const MAX_NAME_CHARS: usize = 150;
pub const MAX_CONTACT_CHARS: usize = 200;

/// What a petition is about (5.1's classification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// About a regulation or an administrative procedure (quy định, thủ tục).
    QuyDinh,
    /// About an official's conduct (hành vi của cán bộ): leaders and inspectors only.
    CanBo,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Self::QuyDinh => "quy_dinh",
            Self::CanBo => "can_bo",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "quy_dinh" => Some(Self::QuyDinh),
            "can_bo" => Some(Self::CanBo),
            _ => None,
        }
    }
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::QuyDinh => "Về quy định, thủ tục hành chính",
            Self::CanBo => "Về hành vi, thái độ của cán bộ",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Self::QuyDinh => "About a regulation or procedure",
            Self::CanBo => "About an official's conduct",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Received,
    Rejected,
    SupplementRequested,
    Assigned,
    /// The answer is ready: awaiting publication.
    Answered,
    Published,
    /// Followed by a new complaint about the result (the new petition carries it on).
    Closed,
}

impl State {
    pub const ALL: [State; 7] = [
        Self::Received,
        Self::Rejected,
        Self::SupplementRequested,
        Self::Assigned,
        Self::Answered,
        Self::Published,
        Self::Closed,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Rejected => "rejected",
            Self::SupplementRequested => "supplement_requested",
            Self::Assigned => "assigned",
            Self::Answered => "answered",
            Self::Published => "published",
            Self::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Received => "Đã tiếp nhận",
            Self::Rejected => "Không tiếp nhận xử lý",
            Self::SupplementRequested => "Đề nghị bổ sung thông tin",
            Self::Assigned => "Đang xử lý",
            Self::Answered => "Đã có trả lời, chờ công khai",
            Self::Published => "Đã công khai trả lời",
            Self::Closed => "Đã đóng (có phản ánh tiếp)",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Received => "Received",
            Self::Rejected => "Rejected",
            Self::SupplementRequested => "More information requested",
            Self::Assigned => "Being handled",
            Self::Answered => "Answered, awaiting publication",
            Self::Published => "Answer published",
            Self::Closed => "Closed (followed up)",
        }
    }
    /// Still in the unit's hands (counts against the 15 working days).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Received | Self::SupplementRequested | Self::Assigned)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Classify,
    Assign,
    Reject,
    RequestSupplement,
    Supplement,
    Answer,
    Publish,
    Rate,
    Complain,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Self::Classify,
        Self::Assign,
        Self::Reject,
        Self::RequestSupplement,
        Self::Supplement,
        Self::Answer,
        Self::Publish,
        Self::Rate,
        Self::Complain,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Classify => "classify",
            Self::Assign => "assign",
            Self::Reject => "reject",
            Self::RequestSupplement => "request_supplement",
            Self::Supplement => "supplement",
            Self::Answer => "answer",
            Self::Publish => "publish",
            Self::Rate => "rate",
            Self::Complain => "complain",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Classify => "Phân loại",
            Self::Assign => "Chuyển đơn vị có thẩm quyền",
            Self::Reject => "Không tiếp nhận xử lý",
            Self::RequestSupplement => "Đề nghị bổ sung thông tin",
            Self::Supplement => "Bổ sung thông tin",
            Self::Answer => "Trả lời",
            Self::Publish => "Công khai trả lời",
            Self::Rate => "Đánh giá trả lời",
            Self::Complain => "Phản ánh tiếp về kết quả",
        }
    }
}

/// Who acts on a petition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    /// Whoever holds the tracking code and secret.
    Petitioner,
    /// An official of the unit who may handle it (for `can_bo`: leaders and inspectors only).
    Handler,
    /// A leader (or inspector) of the unit: publication speaks for the unit.
    Leader,
}

/// One row of the table: the action, the states it is allowed in, by whom, the state after.
pub type Guard = (Action, &'static [State], &'static [Who], Option<State>);

/// THE table: which action is allowed in which states, by whom, and the state after it
/// (`None` = unchanged; `Supplement`'s is computed: back to where it was).
pub const GUARDS: &[Guard] = &[
    (Action::Classify, &[State::Received, State::Assigned], &[Who::Handler, Who::Leader], None),
    (Action::Assign, &[State::Received, State::Assigned], &[Who::Handler, Who::Leader], Some(State::Assigned)),
    (Action::Reject, &[State::Received], &[Who::Handler, Who::Leader], Some(State::Rejected)),
    (
        Action::RequestSupplement,
        &[State::Received, State::Assigned],
        &[Who::Handler, Who::Leader],
        Some(State::SupplementRequested),
    ),
    (Action::Supplement, &[State::SupplementRequested], &[Who::Petitioner], None),
    (Action::Answer, &[State::Assigned], &[Who::Handler, Who::Leader], Some(State::Answered)),
    (Action::Publish, &[State::Answered], &[Who::Leader], Some(State::Published)),
    (Action::Rate, &[State::Published], &[Who::Petitioner], None),
    (Action::Complain, &[State::Published], &[Who::Petitioner], Some(State::Closed)),
];

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not in this state.
    State,
    /// Not by this actor.
    Actor,
}

/// The state after `action` by `who` on a petition in `state`, or why not.
/// `assigned_before`: the petition had been assigned (a supplement goes back there).
pub fn check(action: Action, state: State, who: &[Who], assigned_before: bool) -> Result<State, Refusal> {
    let (_, states, whos, next) = GUARDS.iter().find(|g| g.0 == action).copied().ok_or(Refusal::State)?;
    if !states.contains(&state) {
        return Err(Refusal::State);
    }
    if !whos.iter().any(|w| who.contains(w)) {
        return Err(Refusal::Actor);
    }
    Ok(match (action, next) {
        (Action::Supplement, _) => {
            if assigned_before {
                State::Assigned
            } else {
                State::Received
            }
        }
        (_, Some(s)) => s,
        (_, None) => state,
    })
}

/// The legal deadlines of a petition (REQ-29), epoch milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    pub reject_due: i64,
    pub supplement_due: i64,
    pub resolve_due: i64,
}

pub const REJECT_WD: i64 = 2;
pub const SUPPLEMENT_WD: i64 = 5;
pub const RESOLVE_WD: i64 = 15;
pub const PUBLISH_WD: i64 = 2;

fn after(cal: &WorkCalendar, from_ms: i64, days: i64) -> Result<i64, crate::calendar::CalendarError> {
    let from = Timestamp::from_millisecond(from_ms).unwrap_or(Timestamp::UNIX_EPOCH);
    let limit = TimeLimit::new(days, TimeUnit::WorkingDays)?;
    Ok(cal.due(from, limit, &CountingRules::default())?.at.as_millisecond())
}

/// The deadlines counted from reception on the working-day calendar.
pub fn deadlines(cal: &WorkCalendar, received_at: i64) -> Result<Deadlines, crate::calendar::CalendarError> {
    Ok(Deadlines {
        reject_due: after(cal, received_at, REJECT_WD)?,
        supplement_due: after(cal, received_at, SUPPLEMENT_WD)?,
        resolve_due: after(cal, received_at, RESOLVE_WD)?,
    })
}

/// The publication deadline: 2 working days after the answer is ready.
pub fn publish_due(cal: &WorkCalendar, answered_at: i64) -> Result<i64, crate::calendar::CalendarError> {
    after(cal, answered_at, PUBLISH_WD)
}

/// What the on-time test reads of a petition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeline {
    pub state: State,
    pub deadlines: Deadlines,
    pub rejected_at: Option<i64>,
    pub supplement_requested_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub publish_due: Option<i64>,
    pub published_at: Option<i64>,
}

impl Timeline {
    /// Handled on time as seen at `at` (the end of a period, or now), indicator 5.2: a
    /// rejection within 2 WD, a request for more within 5, the answer within 15 and its
    /// publication within 2 after it; still in process counts on time while at most 15 WD
    /// have elapsed. Stamps after `at` are not seen.
    pub fn on_time_at(&self, at: i64) -> bool {
        let seen = |t: Option<i64>| t.filter(|t| *t <= at);
        let d = &self.deadlines;
        if let Some(r) = seen(self.rejected_at) {
            return r <= d.reject_due;
        }
        if seen(self.supplement_requested_at).is_some_and(|s| s > d.supplement_due) {
            return false;
        }
        match seen(self.answered_at) {
            None => at <= d.resolve_due,
            Some(a) if a > d.resolve_due => false,
            Some(_) => match (seen(self.published_at), self.publish_due) {
                (Some(p), Some(due)) => p <= due,
                (None, Some(due)) => at <= due,
                (_, None) => true,
            },
        }
    }
    /// Overdue at `at`: the opposite of on time.
    pub fn overdue_at(&self, at: i64) -> bool {
        !self.on_time_at(at)
    }
    /// The next deadline while the unit holds it (reminders), if any.
    pub fn next_due(&self) -> Option<i64> {
        match self.state {
            State::Received | State::Assigned | State::SupplementRequested => Some(self.deadlines.resolve_due),
            State::Answered => self.publish_due,
            _ => None,
        }
    }
}

/// Checks and cleans a body or answer: required, at most `MAX_BODY_CHARS`.
pub fn parse_text(field: &str, s: &str) -> Result<String, ValidationError> {
    let s = clean(s);
    if s.is_empty() {
        return Err(ValidationError::single(field, "required", "Vui lòng nhập nội dung.", "Please enter the text."));
    }
    if s.chars().count() > MAX_BODY_CHARS {
        return Err(ValidationError::single(
            field,
            "too_long",
            format!("Nội dung dài quá {MAX_BODY_CHARS} ký tự; vui lòng rút gọn."),
            format!("The text is longer than {MAX_BODY_CHARS} characters; please shorten it."),
        ));
    }
    if s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(ValidationError::single(
            field,
            "invalid_text",
            "Nội dung có ký tự không hợp lệ.",
            "The text has invalid characters.",
        ));
    }
    Ok(s)
}

/// An optional short field (name, contact): empty is none, else at most `max` characters.
pub fn parse_optional(field: &str, s: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    let s = clean(s.unwrap_or(""));
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("Tối đa {max} ký tự, không có ký tự điều khiển."),
            format!("At most {max} characters, no control characters."),
        ));
    }
    Ok(Some(s))
}

/// What replaces personal data in a published text.
pub const REDACTED: &str = "[đã ẩn]";

/// Removes personal data from a text to publish: e-mail addresses, phone numbers
/// (Vietnamese, with spaces, dots or dashes, +84 or 0), ID numbers (9 or 12 digits) and any
/// run of 8 or more digits, and the given names (the petitioner's name, case-insensitive).
pub fn redact(text: &str, names: &[&str]) -> String {
    let mut out = redact_emails(text);
    out = redact_numbers(&out);
    for n in names.iter().map(|n| n.trim()).filter(|n| n.chars().count() >= 2) {
        out = replace_ci(&out, n);
    }
    out
}

fn redact_emails(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let local = |c: char| c.is_alphanumeric() || "._%+-".contains(c);
    let domain = |c: char| c.is_alphanumeric() || ".-".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '@' {
            let mut s = i;
            while s > 0 && local(chars[s - 1]) {
                s -= 1;
            }
            let mut e = i + 1;
            while e < chars.len() && domain(chars[e]) {
                e += 1;
            }
            let dom: String = chars[i + 1..e].iter().collect();
            let dom = dom.trim_end_matches(['.', '-']);
            if s < i && dom.contains('.') {
                // Drop the local part already written.
                for _ in s..i {
                    out.pop();
                }
                out.push_str(REDACTED);
                i += 1 + dom.chars().count();
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Runs of digits joined by single spaces, dots or dashes (a leading +): 8 or more digits
/// in all is a phone, an ID or an account number, never needed in a published answer.
fn redact_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit() || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        if !starts || (i > 0 && chars[i - 1].is_alphanumeric()) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut j = i + usize::from(chars[i] == '+');
        let mut digits = 0;
        let mut end = j;
        while j < chars.len() {
            if chars[j].is_ascii_digit() {
                digits += 1;
                j += 1;
                end = j;
            } else if matches!(chars[j], ' ' | '.' | '-') && chars.get(j + 1).is_some_and(char::is_ascii_digit) {
                j += 1;
            } else {
                break;
            }
        }
        if digits >= 8 {
            out.push_str(REDACTED);
        } else {
            out.extend(&chars[i..end]);
        }
        i = end;
    }
    out
}

fn replace_ci(text: &str, needle: &str) -> String {
    let lower_text = text.to_lowercase();
    let lower_needle = needle.to_lowercase();
    // Lowercasing can change byte lengths (rare letters): then leave the text as it is
    // rather than cut a character.
    if lower_text.len() != text.len() || lower_needle.len() != needle.len() || lower_needle.is_empty() {
        return text.replace(needle, REDACTED);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in lower_text.match_indices(&lower_needle) {
        if at < last {
            continue;
        }
        out.push_str(&text[last..at]);
        out.push_str(REDACTED);
        last = at + needle.len();
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_allows_what_the_law_and_the_roles_say() {
        let h = [Who::Handler];
        assert_eq!(check(Action::Assign, State::Received, &h, false), Ok(State::Assigned));
        assert_eq!(check(Action::Reject, State::Assigned, &h, true), Err(Refusal::State));
        assert_eq!(check(Action::Publish, State::Answered, &h, true), Err(Refusal::Actor), "a specialist does not publish");
        assert_eq!(check(Action::Publish, State::Answered, &[Who::Handler, Who::Leader], true), Ok(State::Published));
        assert_eq!(check(Action::Answer, State::Received, &h, false), Err(Refusal::State), "assigned first");
        assert_eq!(check(Action::Supplement, State::SupplementRequested, &[Who::Petitioner], true), Ok(State::Assigned));
        assert_eq!(check(Action::Supplement, State::SupplementRequested, &[Who::Petitioner], false), Ok(State::Received));
        assert_eq!(check(Action::Rate, State::Answered, &[Who::Petitioner], true), Err(Refusal::State));
        assert_eq!(check(Action::Complain, State::Published, &[Who::Petitioner], true), Ok(State::Closed));
        assert_eq!(check(Action::Classify, State::Received, &[Who::Petitioner], false), Err(Refusal::Actor));
        // Every action has exactly one row.
        for a in Action::ALL {
            assert_eq!(GUARDS.iter().filter(|g| g.0 == a).count(), 1, "{a:?}");
        }
    }

    fn tl(state: State) -> Timeline {
        Timeline {
            state,
            deadlines: Deadlines { reject_due: 200, supplement_due: 500, resolve_due: 1500 },
            rejected_at: None,
            supplement_requested_at: None,
            answered_at: None,
            publish_due: None,
            published_at: None,
        }
    }

    #[test]
    fn on_time_test_of_5_2() {
        assert!(tl(State::Received).on_time_at(1500), "in process, 15 WD not yet elapsed");
        assert!(!tl(State::Received).on_time_at(1501));
        let rejected = Timeline { rejected_at: Some(201), ..tl(State::Rejected) };
        assert!(!rejected.on_time_at(10_000));
        assert!(rejected.on_time_at(100), "the late rejection is not seen yet; in process then");
        let asked = Timeline { supplement_requested_at: Some(400), ..tl(State::SupplementRequested) };
        assert!(asked.on_time_at(1000));
        let late_ask = Timeline { supplement_requested_at: Some(600), ..tl(State::SupplementRequested) };
        assert!(!late_ask.on_time_at(1000));
        let answered = Timeline { answered_at: Some(1400), publish_due: Some(1600), ..tl(State::Answered) };
        assert!(answered.on_time_at(1600) && !answered.on_time_at(1601), "publication overdue after 2 WD");
        let published = Timeline { published_at: Some(1550), ..answered };
        assert!(published.on_time_at(9_999));
        let late =
            Timeline { answered_at: Some(1501), publish_due: Some(1700), published_at: Some(1600), ..tl(State::Published) };
        assert!(late.overdue_at(2000));
    }

    #[test]
    fn redaction_removes_personal_data() {
        let s = "Tôi là Nguyễn Văn An, SĐT 0912 345 678, email an.nguyen@example.vn, CCCD 001099012345. \
                 Hồ sơ nộp ngày 12/11/2026, phí 50.000 đồng, điều 5.";
        let r = redact(s, &["Nguyễn Văn An"]);
        assert!(!r.contains("0912"), "{r}");
        assert!(!r.contains("example.vn") && !r.contains("an.nguyen"), "{r}");
        assert!(!r.contains("001099012345"), "{r}");
        assert!(!r.contains("Nguyễn Văn An"), "{r}");
        assert!(r.contains("12/11/2026") && r.contains("50.000 đồng") && r.contains("điều 5"), "short numbers stay: {r}");
        assert!(redact("+84 912.345.678", &[]).starts_with(REDACTED));
        assert_eq!(redact("nguyễn văn an", &["Nguyễn Văn An"]), REDACTED);
        assert_eq!(redact("a@b", &[]), "a@b", "no domain, no address");
    }

    #[test]
    fn texts_are_checked() {
        assert_eq!(parse_text("body", "   ").unwrap_err().0[0].code, "required");
        assert_eq!(parse_text("body", &"x".repeat(MAX_BODY_CHARS + 1)).unwrap_err().0[0].code, "too_long");
        assert_eq!(
            parse_text("body", " <script>alert(1)</script> ").unwrap(),
            "<script>alert(1)</script>",
            "kept, escaped when shown"
        );
        assert_eq!(parse_optional("name", Some("  "), 10).unwrap(), None);
        assert!(parse_optional("name", Some(&"a".repeat(11)), 10).is_err());
    }
}
