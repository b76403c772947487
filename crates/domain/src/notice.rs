//! Applicant notices (issue #17): which dossier event tells the applicant what, whether the
//! law requires telling them (no opt-out), and when a channel may be used (no SMS at night).
//! Keyed on `Event::kind()` strings so that events added elsewhere (`refunded`, `posted`,
//! `post_delivered`, `post_undelivered`) plug in by name.

use serde::{Deserialize, Serialize};

/// One notice the applicant receives; its `key` names the template files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// Received, with the dossier code and the appointment date.
    Received,
    /// A supplement is needed, with the items.
    SupplementRequested,
    /// Fees to pay, with the amounts and the pay link.
    FeeNotice,
    /// The appointment moves (the apology letter), with the new date.
    Extended,
    /// Processing stopped, with the reason.
    Stopped,
    /// Refused at reception, with the reasons.
    Refused,
    /// Refused after appraisal, with the reasons.
    RefusedAfterAppraisal,
    /// The result is ready to collect.
    ResultReady,
    /// The result was handed over.
    Returned,
    /// A fee was refunded.
    Refunded,
    /// The result was handed to the post, with the tracking number.
    Posted,
    /// The post delivered the result.
    PostDelivered,
    /// The post could not deliver the result.
    PostUndelivered,
}

impl Notice {
    pub const ALL: [Notice; 13] = [
        Notice::Received,
        Notice::SupplementRequested,
        Notice::FeeNotice,
        Notice::Extended,
        Notice::Stopped,
        Notice::Refused,
        Notice::RefusedAfterAppraisal,
        Notice::ResultReady,
        Notice::Returned,
        Notice::Refunded,
        Notice::Posted,
        Notice::PostDelivered,
        Notice::PostUndelivered,
    ];

    /// The notice an event of this kind gives, if any.
    pub fn for_event(kind: &str) -> Option<Notice> {
        Some(match kind {
            "received" => Notice::Received,
            "supplement_requested" => Notice::SupplementRequested,
            "fees_noticed" => Notice::FeeNotice,
            "extended" => Notice::Extended,
            "stopped" => Notice::Stopped,
            "refused" => Notice::Refused,
            "refused_after_appraisal" => Notice::RefusedAfterAppraisal,
            "resolved" => Notice::ResultReady,
            "result_returned" => Notice::Returned,
            "refunded" => Notice::Refunded,
            "posted" => Notice::Posted,
            "post_delivered" => Notice::PostDelivered,
            "post_undelivered" => Notice::PostUndelivered,
            _ => return None,
        })
    }

    /// The template name (`received.vi.txt` …).
    pub fn key(self) -> &'static str {
        match self {
            Notice::Received => "received",
            Notice::SupplementRequested => "supplement_requested",
            Notice::FeeNotice => "fee_notice",
            Notice::Extended => "extended",
            Notice::Stopped => "stopped",
            Notice::Refused => "refused",
            Notice::RefusedAfterAppraisal => "refused_after_appraisal",
            Notice::ResultReady => "result_ready",
            Notice::Returned => "returned",
            Notice::Refunded => "refunded",
            Notice::Posted => "posted",
            Notice::PostDelivered => "post_delivered",
            Notice::PostUndelivered => "post_undelivered",
        }
    }

    /// Notices the agency must give in writing (NĐ 61/2018 art. 15–19, NĐ 107/2021: the
    /// receipt with the appointment, a supplement or refusal with reasons, the fees, the
    /// apology for a late result, a stop, a refund; a result the post could not deliver must
    /// be collected). The applicant cannot opt out of these; only of the others.
    pub fn legally_required(self) -> bool {
        !matches!(self, Notice::ResultReady | Notice::Returned | Notice::Posted | Notice::PostDelivered)
    }
}

/// A way to reach a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
    Zalo,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Zalo => "zalo",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "email" => Some(Channel::Email),
            "sms" => Some(Channel::Sms),
            "zalo" => Some(Channel::Zalo),
            _ => None,
        }
    }
}

/// The language of the applicant's notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Vi,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Vi => "vi",
            Language::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Language> {
        match s {
            "vi" => Some(Language::Vi),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

/// What an applicant chose. Without a choice: e-mail and SMS, Vietnamese, every notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub email: bool,
    pub sms: bool,
    pub zalo: bool,
    pub language: Language,
    /// Receive the notices the law does not require.
    pub optional_notices: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Self { email: true, sms: true, zalo: false, language: Language::Vi, optional_notices: true }
    }
}

/// Whether the notice goes out on a channel at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Send,
    /// The applicant turned the channel off.
    ChannelOff,
    /// An optional notice the applicant opted out of.
    OptedOut,
}

impl Preferences {
    pub fn wants(self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.email,
            Channel::Sms => self.sms,
            Channel::Zalo => self.zalo,
        }
    }

    /// A required notice goes on the channels the applicant chose and always by e-mail (the
    /// written record the law asks for), whatever they opted out of. An optional one follows
    /// the choices.
    pub fn decide(self, notice: Notice, channel: Channel) -> Decision {
        if notice.legally_required() {
            return if self.wants(channel) || channel == Channel::Email { Decision::Send } else { Decision::ChannelOff };
        }
        if !self.wants(channel) {
            Decision::ChannelOff
        } else if !self.optional_notices {
            Decision::OptedOut
        } else {
            Decision::Send
        }
    }
}

/// The quiet hours of the text channels (SMS, Zalo), local time, as minutes after midnight:
/// from `start` to `end` the next day (e.g. 21:00–07:00). E-mail goes any time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start_min: u32,
    pub end_min: u32,
}

impl QuietHours {
    /// `"21:00"`, `"07:00"`.
    pub fn parse(start: &str, end: &str) -> Option<QuietHours> {
        fn min(s: &str) -> Option<u32> {
            let (h, m) = s.trim().split_once(':')?;
            let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
            (h < 24 && m < 60).then_some(h * 60 + m)
        }
        Some(QuietHours { start_min: min(start)?, end_min: min(end)? })
    }

    fn quiet(self, m: u32) -> bool {
        if self.start_min == self.end_min {
            false
        } else if self.start_min < self.end_min {
            (self.start_min..self.end_min).contains(&m)
        } else {
            m >= self.start_min || m < self.end_min
        }
    }

    /// Minutes to wait from local time `minute_of_day` (0–1439) before sending on `channel`:
    /// 0 when it may go now.
    pub fn wait_minutes(self, channel: Channel, minute_of_day: u32) -> u32 {
        if channel == Channel::Email || !self.quiet(minute_of_day) {
            return 0;
        }
        (self.end_min + 1440 - minute_of_day) % 1440
    }
}

/// A recipient address with most of it hidden, for logs and pages: `c***@example.vn`,
/// `09******78`.
pub fn mask(address: &str) -> String {
    let chars: Vec<char> = address.chars().collect();
    if let Some(at) = address.find('@') {
        let (local, domain) = address.split_at(at);
        let first: String = local.chars().take(1).collect();
        return format!("{first}***{domain}");
    }
    let n = chars.len();
    if n <= 4 {
        return "*".repeat(n);
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[n - 2..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(n - 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_has_an_event_and_a_distinct_key() {
        let kinds = [
            "received",
            "supplement_requested",
            "fees_noticed",
            "extended",
            "stopped",
            "refused",
            "refused_after_appraisal",
            "resolved",
            "result_returned",
            "refunded",
            "posted",
            "post_delivered",
            "post_undelivered",
        ];
        let notices: Vec<_> = kinds.iter().map(|k| Notice::for_event(k).unwrap()).collect();
        assert_eq!(notices, Notice::ALL.to_vec());
        let mut keys: Vec<_> = Notice::ALL.iter().map(|n| n.key()).collect();
        keys.dedup();
        assert_eq!(keys.len(), 13);
        for k in ["created", "submitted", "paid", "forwarded", "file_attached", "rated"] {
            assert_eq!(Notice::for_event(k), None, "{k}");
        }
    }

    #[test]
    fn opt_out_spares_required_notices() {
        let p = Preferences { email: false, sms: false, zalo: false, optional_notices: false, ..Preferences::default() };
        assert_eq!(p.decide(Notice::FeeNotice, Channel::Email), Decision::Send);
        assert_eq!(p.decide(Notice::FeeNotice, Channel::Sms), Decision::ChannelOff);
        assert_eq!(p.decide(Notice::FeeNotice, Channel::Zalo), Decision::ChannelOff);
        assert_eq!(p.decide(Notice::ResultReady, Channel::Email), Decision::ChannelOff);
        let p = Preferences { sms: false, optional_notices: false, ..Preferences::default() };
        assert_eq!(p.decide(Notice::ResultReady, Channel::Email), Decision::OptedOut);
        let p = Preferences { sms: false, ..Preferences::default() };
        assert_eq!(p.decide(Notice::ResultReady, Channel::Email), Decision::Send);
        assert_eq!(p.decide(Notice::ResultReady, Channel::Sms), Decision::ChannelOff);
    }

    #[test]
    fn no_sms_at_night() {
        let q = QuietHours::parse("21:00", "07:00").unwrap();
        assert_eq!(q.wait_minutes(Channel::Sms, 22 * 60), 9 * 60);
        assert_eq!(q.wait_minutes(Channel::Zalo, 6 * 60 + 59), 1);
        assert_eq!(q.wait_minutes(Channel::Sms, 7 * 60), 0);
        assert_eq!(q.wait_minutes(Channel::Sms, 20 * 60 + 59), 0);
        assert_eq!(q.wait_minutes(Channel::Email, 23 * 60), 0);
        let day = QuietHours::parse("12:00", "13:30").unwrap();
        assert_eq!(day.wait_minutes(Channel::Sms, 12 * 60 + 30), 60);
        assert_eq!(day.wait_minutes(Channel::Sms, 14 * 60), 0);
        assert!(QuietHours::parse("24:00", "07:00").is_none());
    }

    #[test]
    fn masks() {
        assert_eq!(mask("congdan@example.vn"), "c***@example.vn");
        assert_eq!(mask("0912345678"), "09******78");
        assert_eq!(mask("123"), "***");
    }
}
