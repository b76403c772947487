//! Dossier statuses: the internal states of DESIGN.md §4 and their national codes (spec §b.1).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being prepared by the applicant online; not yet filed.
    Draft,
    Submitted,
    Received,
    InProgress,
    AwaitingSupplement,
    AwaitingPayment,
    Refused,
    Withdrawn,
    Stopped,
    Resolved,
    Returned,
}

impl Status {
    pub const ALL: [Status; 11] = [
        Self::Draft,
        Self::Submitted,
        Self::Received,
        Self::InProgress,
        Self::AwaitingSupplement,
        Self::AwaitingPayment,
        Self::Refused,
        Self::Withdrawn,
        Self::Stopped,
        Self::Resolved,
        Self::Returned,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Received => "received",
            Self::InProgress => "in_progress",
            Self::AwaitingSupplement => "awaiting_supplement",
            Self::AwaitingPayment => "awaiting_payment",
            Self::Refused => "refused",
            Self::Withdrawn => "withdrawn",
            Self::Stopped => "stopped",
            Self::Resolved => "resolved",
            Self::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }

    /// TrangThaiHoSo of the national portal (1–10); a draft has none.
    pub fn national_code(self) -> Option<u8> {
        Some(match self {
            Self::Draft => return None,
            Self::Submitted => 1,
            Self::Received => 2,
            Self::Refused => 3,
            Self::InProgress => 4,
            Self::AwaitingSupplement => 5,
            Self::AwaitingPayment => 6,
            Self::Withdrawn => 7,
            Self::Stopped => 8,
            Self::Resolved => 9,
            Self::Returned => 10,
        })
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Draft => "Đang soạn",
            Self::Submitted => "Mới đăng ký",
            Self::Received => "Được tiếp nhận",
            Self::Refused => "Không được tiếp nhận",
            Self::InProgress => "Đang xử lý",
            Self::AwaitingSupplement => "Yêu cầu bổ sung giấy tờ",
            Self::AwaitingPayment => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Self::Withdrawn => "Công dân yêu cầu rút hồ sơ",
            Self::Stopped => "Dừng xử lý",
            Self::Resolved => "Đã xử lý xong",
            Self::Returned => "Đã trả kết quả",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Submitted => "Submitted",
            Self::Received => "Received",
            Self::Refused => "Refused",
            Self::InProgress => "In progress",
            Self::AwaitingSupplement => "Awaiting supplement",
            Self::AwaitingPayment => "Awaiting payment",
            Self::Withdrawn => "Withdrawn",
            Self::Stopped => "Stopped",
            Self::Resolved => "Resolved",
            Self::Returned => "Result returned",
        }
    }

    /// No further command changes the dossier's course.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Refused | Self::Withdrawn | Self::Stopped | Self::Returned)
    }

    /// The applicant owes something; the clock is paused.
    pub fn is_paused(self) -> bool {
        matches!(self, Self::AwaitingSupplement | Self::AwaitingPayment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_codes_are_the_ten_of_the_spec() {
        let mut codes: Vec<u8> = Status::ALL.iter().filter_map(|s| s.national_code()).collect();
        codes.sort();
        assert_eq!(codes, (1..=10).collect::<Vec<_>>());
        for s in Status::ALL {
            assert_eq!(Status::parse(s.code()), Some(s));
        }
    }
}
