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

#[cfg(test)]
mod tests {
    #[test]
    fn form_04_has_its_tt_03_2025_name() {
        assert_eq!(super::name(4).unwrap().0, "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết");
        assert!(super::FORMS.iter().all(|(_, vi, _)| !vi.contains("hẹn lại")));
        assert_eq!(super::name(8), None);
    }
}
