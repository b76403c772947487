//! The one-stop forms of Thông tư 03/2025/TT-VPCP, Phụ lục I (Mẫu 01–07), by number: the
//! names every page, document and table uses. TT 01/2018's older names are not used
//! (issue #11 item 7: Mẫu 04 was still called "Phiếu xin lỗi và hẹn lại ngày trả kết quả").

/// (number, Vietnamese name, English name).
pub const FORMS: [(u8, &str, &str); 7] = [
    (1, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Receipt and appointment"),
    (2, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "Request to supplement the dossier"),
    (3, "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Refusal to receive the dossier"),
    (4, "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết", "Apology and request to extend the time for resolution"),
    (5, "Thông báo dừng giải quyết hồ sơ", "Notice of stopping the processing"),
    (6, "Phiếu kiểm soát quá trình giải quyết hồ sơ", "Processing control slip"),
    (7, "Sổ theo dõi hồ sơ", "Dossier register"),
];

/// The (Vietnamese, English) name of form `number` (1–7).
pub fn name(number: u8) -> Option<(&'static str, &'static str)> {
    FORMS.iter().find(|(n, ..)| *n == number).map(|(_, vi, en)| (*vi, *en))
}

/// The forms an event issues as documents of their own, stored with the dossier (issue
/// #13): the letters and notices (01–05) that its command's guard row names, and the control
/// slip (06) that reception opens. The guard table's other 06 and 07 entries are rows added
/// to the slip and to the register, which are read live (and printed on demand).
pub fn issued(event: &super::Event) -> Vec<u8> {
    use super::{CommandKind, Event};
    let kind = match event {
        Event::Received { .. } => CommandKind::Receive,
        Event::Refused { .. } => CommandKind::Refuse,
        Event::SupplementRequested { .. } => CommandKind::RequestSupplement,
        Event::Extended { .. } => CommandKind::Extend,
        Event::Stopped { .. } => CommandKind::Stop,
        Event::RefusedAfterAppraisal { .. } => CommandKind::RefuseAfterAppraisal,
        Event::Withdrawn { .. } => CommandKind::Withdraw,
        _ => return Vec::new(),
    };
    super::guard(kind).forms.iter().copied().filter(|&f| f <= 5 || (f == 6 && kind == CommandKind::Receive)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn form_04_has_its_tt_03_2025_name() {
        assert_eq!(super::name(4).unwrap().0, "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết");
        assert!(super::FORMS.iter().all(|(_, vi, _)| !vi.contains("hẹn lại")));
        assert_eq!(super::name(8), None);
    }

    #[test]
    fn documents_issued_per_event() {
        use crate::dossier::Event;
        let reasons = || vec!["x".to_string()];
        assert_eq!(super::issued(&Event::Refused { reasons: reasons() }), [3]);
        assert_eq!(super::issued(&Event::SupplementRequested { items: vec![], basis: None }), [2]);
        assert_eq!(super::issued(&Event::Extended { reason: "x".into(), appointment_at: 0 }), [4]);
        let stop = Event::Stopped { reason: "x".into(), basis: None, financial_consequences: None, timeliness: None };
        assert_eq!(super::issued(&stop), [5]);
        // The appraisal refusal letter is the result (no numbered form); a withdrawal issues none.
        let late = crate::calendar::Timeliness::Late;
        let after = Event::RefusedAfterAppraisal { reasons: reasons(), basis: None, timeliness: late, step_timeliness: None };
        assert!(super::issued(&after).is_empty());
        assert!(super::issued(&Event::Withdrawn { reason: "x".into(), timeliness: None }).is_empty());
        assert!(super::issued(&Event::Rated { satisfied: true, comment: None, factors: vec![] }).is_empty());
    }
}
