//! A filled example of each form, for the crate's tests, the benchmark and template authors
//! (`motcua-pdf`'s `sample` example writes them to files).

use crate::*;

fn header(number: &str) -> Header {
    Header {
        parent_unit: "UBND tỉnh Ninh Bình".into(),
        unit: "Trung tâm Phục vụ hành chính công tỉnh".into(),
        number: number.into(),
        place: "Ninh Bình".into(),
        day: "02".into(),
        month: "03".into(),
        year: "2026".into(),
    }
}

fn dossier() -> DossierPart {
    DossierPart {
        code: "000.00.31.H40-260302-0001".into(),
        procedure_code: "1.910201.H40".into(),
        procedure_name: "Cấp giấy phép xây dựng mới đối với công trình cấp III".into(),
        applicant: Party {
            name: "Nguyễn Thị Hồng Nhung".into(),
            id_number: "037190001234".into(),
            address: "Số 12 đường Lê Hồng Phong, phường Hoa Lư, tỉnh Ninh Bình".into(),
            phone: "0912345678".into(),
            email: "nhung@example.vn".into(),
        },
        received_at: "08 giờ 30 phút, ngày 02/03/2026".into(),
        appointment_at: "17 giờ 00 phút, ngày 16/03/2026".into(),
        time_limit: "10 ngày làm việc".into(),
    }
}

fn signer() -> Signer {
    Signer { title: "Người tiếp nhận hồ sơ".into(), name: "Trần Văn Tiếp".into() }
}

pub fn sample(form: Form) -> FormInput {
    let body = match form {
        Form::Receipt => Body::Receipt {
            dossier: dossier(),
            components: vec![
                ComponentLine {
                    name: "Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 01)".into(), originals: 1, copies: 0
                },
                ComponentLine { name: "Bản vẽ thiết kế xây dựng".into(), originals: 2, copies: 0 },
                ComponentLine { name: "Giấy chứng nhận quyền sử dụng đất".into(), originals: 0, copies: 1 },
            ],
            sets: 1,
            fees: vec![FeeLine { name: "Lệ phí cấp giấy phép xây dựng".into(), amount: "150.000 đồng".into() }],
            return_place: "Trung tâm Phục vụ hành chính công tỉnh, quầy số 3".into(),
            register_book: "2026".into(),
            register_entry: "260302-0001".into(),
            rating_code: "40271935".into(),
            applicant_signer: Signer { title: "Người nộp hồ sơ".into(), name: "Nguyễn Thị Hồng Nhung".into() },
            officer: signer(),
        },
        Form::Supplement => Body::Supplement {
            dossier: dossier(),
            items: vec![SupplementLine {
                name: "Bản vẽ mặt bằng móng".into(),
                reason: "Thiếu chữ ký của chủ nhiệm thiết kế".into(),
            }],
            basis: String::new(),
            contact: "Trần Văn Tiếp, Trung tâm Phục vụ hành chính công tỉnh".into(),
            signer: Signer { title: "Người hướng dẫn".into(), name: "Trần Văn Tiếp".into() },
        },
        Form::Refusal => Body::Refusal {
            dossier: dossier(),
            reasons: vec!["Công trình không thuộc thẩm quyền cấp phép của tỉnh".into()],
            basis: "Luật Xây dựng năm 2014, Điều 103".into(),
            signer: signer(),
        },
        Form::Extension => Body::Extension {
            dossier: dossier(),
            reason: "Cần lấy ý kiến của cơ quan phòng cháy, chữa cháy".into(),
            previous_appointment_at: "17 giờ 00 phút, ngày 16/03/2026".into(),
            new_appointment_at: "17 giờ 00 phút, ngày 23/03/2026".into(),
            signer: Signer { title: "Lãnh đạo Sở Xây dựng".into(), name: "Lê Văn Lãnh".into() },
        },
        Form::Stop => Body::Stop {
            dossier: dossier(),
            reasons: vec!["Tổ chức, cá nhân đề nghị dừng giải quyết".into()],
            basis: "Nghị định 118/2025/NĐ-CP".into(),
            financial_consequences: "Không hoàn trả lệ phí đã nộp".into(),
            signer: Signer { title: "Lãnh đạo Sở Xây dựng".into(), name: "Lê Văn Lãnh".into() },
        },
        Form::ControlSlip => Body::ControlSlip {
            dossier: dossier(),
            competent: "Sở Xây dựng".into(),
            coordinating: vec![],
            rows: vec![HandoverLine {
                step: "Tiếp nhận hồ sơ".into(),
                giver: "Trần Văn Tiếp".into(),
                from: "Trung tâm Phục vụ hành chính công tỉnh".into(),
                to: "Sở Xây dựng".into(),
                at: "08 giờ 30 phút, ngày 02/03/2026".into(),
                result: String::new(),
                note: String::new(),
            }],
        },
        Form::Register => Body::Register {
            period: "Từ ngày 02/03/2026 đến ngày 02/03/2026".into(),
            rows: vec![RegisterLine {
                no: "1".into(),
                code: "000.00.31.H40-260302-0001".into(),
                procedure: "Cấp giấy phép xây dựng mới đối với công trình cấp III".into(),
                sets: "1".into(),
                applicant: "Nguyễn Thị Hồng Nhung".into(),
                address_phone: "Số 12 đường Lê Hồng Phong – 0912345678".into(),
                competent: "Sở Xây dựng".into(),
                received: "08:30 02/03/2026".into(),
                appointment: "17:00 16/03/2026".into(),
                transferred: String::new(),
                result_received: String::new(),
                returned: String::new(),
                note: String::new(),
            }],
            signer: signer(),
        },
    };
    let number = match form {
        Form::Receipt | Form::ControlSlip => "000.00.31.H40-260302-0001".to_string(),
        Form::Register => String::new(),
        f => format!("1/{}-H40", f.number()),
    };
    let title = match form {
        Form::Receipt => "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        Form::Supplement => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        Form::Refusal => "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        Form::Extension => "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
        Form::Stop => "Thông báo dừng giải quyết hồ sơ",
        Form::ControlSlip => "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        Form::Register => "Sổ theo dõi hồ sơ",
    };
    FormInput::new(header(&number), title, body)
}

/// A filled result document (`ket-qua.typ`), for the template preview, tests and the benchmark.
pub fn sample_result() -> ResultInput {
    ResultInput {
        header: Header {
            parent_unit: "UBND tỉnh Ninh Bình".into(),
            unit: "Sở Xây dựng tỉnh Ninh Bình".into(),
            number: "01/KQ-000.00.05.H40".into(),
            ..header("")
        },
        title: "Kết quả giải quyết thủ tục hành chính".into(),
        dossier: dossier(),
        result: ResultPart {
            name: "Giấy phép xây dựng".into(),
            number: "125/GPXD".into(),
            note: String::new(),
            resolved_at: "15 giờ 20 phút, ngày 13/03/2026".into(),
            timeliness: "trước hạn".into(),
            agency_code: "000.00.05.H40".into(),
        },
        signer: Signer { title: "Giám đốc".into(), name: "Lê Minh Quang".into() },
    }
}
