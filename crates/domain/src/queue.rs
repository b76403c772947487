//! The counter hall's queue (issue #18): service groups, tickets and appointments.
//!
//! A centre (an agency of kind service centre) has service groups, each with a letter
//! prefix (`A`, `B`, …), opening hours and an open/closed flag; a ticket is numbered per
//! group and day (`A012`). [`ACTIONS`] is the one table of which action is allowed in which
//! ticket status, and what status it leads to; [`call_order`] is the call-next rule.

use crate::calendar::{Session, parse_time};
use crate::error::{FieldError, ValidationError};
use jiff::civil::{Time, Weekday};

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TicketStatus {
    /// In line (a fresh ticket, or an appointment checked in).
    Waiting,
    /// Called to a counter, not yet served.
    Called,
    Serving,
    Done,
    /// Called and did not come.
    NoShow,
    /// Sent to another group or counter: waits there (called again like a waiting ticket).
    Transferred,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 6] = [Self::Waiting, Self::Called, Self::Serving, Self::Done, Self::NoShow, Self::Transferred];

    pub fn code(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Called => "called",
            Self::Serving => "serving",
            Self::Done => "done",
            Self::NoShow => "no_show",
            Self::Transferred => "transferred",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Waiting => "Đang chờ",
            Self::Called => "Đã gọi",
            Self::Serving => "Đang phục vụ",
            Self::Done => "Đã xong",
            Self::NoShow => "Vắng mặt",
            Self::Transferred => "Đã chuyển",
        }
    }

    /// In line: may be called next.
    pub fn in_line(self) -> bool {
        matches!(self, Self::Waiting | Self::Transferred)
    }
}

/// What can be done to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// A new ticket at the kiosk (or an appointment's check-in): no status before.
    Issue,
    CallNext,
    /// Call the called ticket again (announced again on the board).
    Recall,
    /// The called citizen did not come.
    Skip,
    /// To another group or counter.
    Transfer,
    Start,
    Finish,
    /// Link a dossier received while serving the ticket.
    LinkDossier,
    /// The holder rates the visit (once: the ratings store refuses a second).
    Rate,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Self::Issue => "issue",
            Self::CallNext => "call_next",
            Self::Recall => "recall",
            Self::Skip => "skip",
            Self::Transfer => "transfer",
            Self::Start => "start",
            Self::Finish => "finish",
            Self::LinkDossier => "link_dossier",
            Self::Rate => "rate",
        }
    }
}

use TicketStatus as S;

/// THE table: (action, statuses it is allowed in, status after; `None` = unchanged).
/// `Issue` is allowed with no ticket yet (an empty list).
pub const ACTIONS: &[(Action, &[TicketStatus], Option<TicketStatus>)] = &[
    (Action::Issue, &[], Some(S::Waiting)),
    (Action::CallNext, &[S::Waiting, S::Transferred], Some(S::Called)),
    (Action::Recall, &[S::Called], None),
    (Action::Skip, &[S::Called], Some(S::NoShow)),
    (Action::Transfer, &[S::Called, S::Serving], Some(S::Transferred)),
    (Action::Start, &[S::Called], Some(S::Serving)),
    (Action::Finish, &[S::Serving], Some(S::Done)),
    (Action::LinkDossier, &[S::Serving, S::Done], None),
    (Action::Rate, &[S::Done], None),
];

/// The action was refused in this status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{} not allowed for a ticket {}", action.code(), status.code())]
pub struct NotAllowed {
    pub action: Action,
    pub status: TicketStatus,
}

/// The status after `action` on a ticket in `status`, or why not.
pub fn apply(action: Action, status: TicketStatus) -> Result<TicketStatus, NotAllowed> {
    let (_, from, to) = ACTIONS.iter().find(|(a, _, _)| *a == action).expect("every action is in the table");
    if from.contains(&status) { Ok(to.unwrap_or(status)) } else { Err(NotAllowed { action, status }) }
}

/// The statuses `action` is allowed in (the store's conditional updates use them, so a
/// second call on an already-called ticket changes nothing).
pub fn allowed_in(action: Action) -> &'static [TicketStatus] {
    ACTIONS.iter().find(|(a, _, _)| *a == action).map(|(_, f, _)| *f).unwrap_or(&[])
}

/// A ticket in line, as the call-next rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InLine {
    pub id: String,
    pub issued_at: i64,
    /// The appointment's slot start, for an appointment checked in.
    pub slot_start: Option<i64>,
}

/// The order tickets in line are called in at `now`: appointment check-ins whose slot has
/// started first (earliest slot, then check-in time), then walk-ins and transferred tickets
/// by issue time, then appointments checked in before their slot (only when nobody else
/// waits: their slot is kept, not someone else's place).
pub fn call_order(line: &mut [InLine], now: i64) {
    line.sort_by_key(|t| match t.slot_start {
        Some(s) if s <= now => (0, s, t.issued_at),
        None => (1, t.issued_at, 0),
        Some(s) => (2, s, t.issued_at),
    });
}

/// The display number: prefix and three digits (`A012`); past 999, more digits.
pub fn display_number(prefix: &str, n: i64) -> String {
    format!("{prefix}{n:03}")
}

/// A group's opening hours: the weekdays it opens and its sessions (local time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours {
    /// Monday = 1 … Sunday = 7.
    pub days: Vec<i8>,
    pub sessions: Vec<Session>,
}

impl OpeningHours {
    /// Mon-Fri 07:30-11:30, 13:30-17:00.
    pub fn standard() -> Self {
        Self::parse("1-5", "07:30-11:30,13:30-17:00").expect("valid")
    }

    /// `days`: `1-5` or `1,2,3,6`; `sessions`: `07:30-11:30,13:30-17:00`.
    pub fn parse(days: &str, sessions: &str) -> Result<Self, ValidationError> {
        let bad_days = || {
            ValidationError::single(
                "days",
                "invalid_days",
                "Ngày mở cửa không hợp lệ (ví dụ: 1-5 là thứ Hai đến thứ Sáu).",
                "Invalid opening days (e.g. 1-5 = Monday to Friday).",
            )
        };
        let mut out = Vec::new();
        for part in days.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let a: i8 = a.trim().parse().map_err(|_| bad_days())?;
            let b: i8 = b.trim().parse().map_err(|_| bad_days())?;
            if !(1..=7).contains(&a) || !(1..=7).contains(&b) || a > b {
                return Err(bad_days());
            }
            out.extend(a..=b);
        }
        out.sort();
        out.dedup();
        if out.is_empty() {
            return Err(bad_days());
        }
        let mut ss = Vec::new();
        for s in sessions.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            ss.push(Session::parse(s).map_err(|_| {
                ValidationError::single(
                    "sessions",
                    "invalid_sessions",
                    "Giờ mở cửa không hợp lệ (ví dụ: 07:30-11:30,13:30-17:00).",
                    "Invalid opening hours (e.g. 07:30-11:30,13:30-17:00).",
                )
            })?);
        }
        if ss.is_empty() {
            return Err(ValidationError::single(
                "sessions",
                "invalid_sessions",
                "Cần ít nhất một buổi mở cửa.",
                "At least one session is needed.",
            ));
        }
        ss.sort_by_key(|s| s.start());
        Ok(Self { days: out, sessions: ss })
    }

    pub fn days_text(&self) -> String {
        self.days.iter().map(i8::to_string).collect::<Vec<_>>().join(",")
    }

    pub fn sessions_text(&self) -> String {
        self.sessions.iter().map(Session::to_string).collect::<Vec<_>>().join(",")
    }

    /// Open at this weekday and local time (the caller checks the working-day calendar).
    pub fn open_at(&self, day: Weekday, t: Time) -> bool {
        self.days.contains(&day.to_monday_one_offset()) && self.sessions.iter().any(|s| s.start() <= t && t < s.end())
    }

    /// The slot starts of a day: every `minutes` from each session's start while a whole
    /// slot fits.
    pub fn slots(&self, day: Weekday, minutes: i64) -> Vec<Time> {
        if !self.days.contains(&day.to_monday_one_offset()) || minutes <= 0 {
            return Vec::new();
        }
        let mut out = Vec::new();
        for s in &self.sessions {
            let mut t = s.start();
            loop {
                let end = t.checked_add(jiff::SignedDuration::from_mins(minutes));
                match end {
                    Ok(e) if e <= s.end() && e > t => {
                        out.push(t);
                        t = e;
                    }
                    _ => break,
                }
            }
        }
        out
    }
}

/// A slot start given as `HH:MM`.
pub fn parse_slot_time(s: &str) -> Result<Time, ValidationError> {
    parse_time(s).map_err(|_| ValidationError::single("slot", "invalid_slot", "Khung giờ không hợp lệ.", "Invalid slot time."))
}

/// A group's letter prefix: one to three capital ASCII letters.
pub fn check_prefix(p: &str) -> Result<(), ValidationError> {
    if (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(ValidationError::single(
            "prefix",
            "invalid_prefix",
            "Tiền tố số thứ tự gồm 1 đến 3 chữ cái in hoa (A, B, …).",
            "The prefix is one to three capital letters (A, B, …).",
        ))
    }
}

/// The error of a refused action, Vietnamese first.
pub fn not_allowed_error(e: NotAllowed) -> FieldError {
    FieldError::new(
        "status",
        "ticket_action_not_allowed",
        format!("Không thể thực hiện thao tác này với phiếu ở trạng thái «{}».", e.status.label_vi()),
        e.to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_one_row() {
        for a in [
            Action::Issue,
            Action::CallNext,
            Action::Recall,
            Action::Skip,
            Action::Transfer,
            Action::Start,
            Action::Finish,
            Action::LinkDossier,
            Action::Rate,
        ] {
            assert_eq!(ACTIONS.iter().filter(|(x, _, _)| *x == a).count(), 1, "{a:?}");
        }
    }

    #[test]
    fn the_table() {
        // (action, status, expected result)
        let cases = [
            (Action::CallNext, S::Waiting, Some(S::Called)),
            (Action::CallNext, S::Transferred, Some(S::Called)),
            (Action::CallNext, S::Called, None),
            (Action::CallNext, S::Done, None),
            (Action::Recall, S::Called, Some(S::Called)),
            (Action::Recall, S::Waiting, None),
            (Action::Recall, S::Serving, None),
            (Action::Skip, S::Called, Some(S::NoShow)),
            (Action::Skip, S::Serving, None),
            (Action::Transfer, S::Called, Some(S::Transferred)),
            (Action::Transfer, S::Serving, Some(S::Transferred)),
            (Action::Transfer, S::Waiting, None),
            (Action::Transfer, S::Done, None),
            (Action::Start, S::Called, Some(S::Serving)),
            (Action::Start, S::Waiting, None),
            (Action::Finish, S::Serving, Some(S::Done)),
            (Action::Finish, S::Called, None),
            (Action::LinkDossier, S::Serving, Some(S::Serving)),
            (Action::LinkDossier, S::Done, Some(S::Done)),
            (Action::LinkDossier, S::Waiting, None),
            (Action::LinkDossier, S::NoShow, None),
            (Action::Rate, S::Done, Some(S::Done)),
            (Action::Rate, S::Serving, None),
            (Action::Rate, S::Called, None),
            (Action::Rate, S::NoShow, None),
        ];
        for (a, s, want) in cases {
            assert_eq!(apply(a, s).ok(), want, "{a:?} in {s:?}");
        }
        // Finished tickets accept nothing but a late link and the rating.
        for a in [Action::CallNext, Action::Recall, Action::Skip, Action::Transfer, Action::Start, Action::Finish] {
            assert!(apply(a, S::Done).is_err());
            assert!(apply(a, S::NoShow).is_err());
        }
    }

    #[test]
    fn appointments_whose_slot_started_come_first() {
        let t = |id: &str, issued: i64, slot: Option<i64>| InLine { id: id.into(), issued_at: issued, slot_start: slot };
        let mut line = vec![
            t("walk1", 10, None),
            t("early", 5, Some(1_000)),
            t("appt9", 50, Some(90)),
            t("walk2", 20, None),
            t("appt8", 60, Some(80)),
        ];
        call_order(&mut line, 100);
        let ids: Vec<&str> = line.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["appt8", "appt9", "walk1", "walk2", "early"]);
        // Before the slots start, walk-ins go first.
        call_order(&mut line, 15);
        let ids: Vec<&str> = line.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["walk1", "walk2", "appt8", "appt9", "early"]);
    }

    #[test]
    fn hours_and_slots() {
        let h = OpeningHours::standard();
        let t = |s: &str| parse_time(s).unwrap();
        assert!(h.open_at(Weekday::Monday, t("07:30")));
        assert!(!h.open_at(Weekday::Monday, t("11:30")));
        assert!(!h.open_at(Weekday::Monday, t("12:00")));
        assert!(h.open_at(Weekday::Friday, t("16:59")));
        assert!(!h.open_at(Weekday::Saturday, t("09:00")));
        let slots = h.slots(Weekday::Tuesday, 60);
        assert_eq!(slots.len(), 4 + 3);
        assert_eq!(slots[0], t("07:30"));
        assert_eq!(slots[4], t("13:30"));
        assert!(h.slots(Weekday::Sunday, 60).is_empty());
        assert!(OpeningHours::parse("0-5", "07:30-11:30").is_err());
        assert!(OpeningHours::parse("1-5", "11:30-07:30").is_err());
        assert_eq!(OpeningHours::parse("1-3,6", "08:00-12:00").unwrap().days, vec![1, 2, 3, 6]);
        assert_eq!(display_number("A", 12), "A012");
        assert_eq!(display_number("B", 1234), "B1234");
        assert!(check_prefix("A").is_ok() && check_prefix("a").is_err() && check_prefix("ABCD").is_err());
    }
}
