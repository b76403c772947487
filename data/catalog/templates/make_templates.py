#!/usr/bin/env python3
"""Regenerates the downloadable forms (tờ khai, đơn) of the demo procedure catalog.

Usage:  pip install python-docx  &&  python3 make_templates.py
Writes the .docx files next to this script. Every file written here must be referenced by a
component `template` in ../demo.json, and every referenced file must be written here (the
integration test `crates/domain/tests/demo_catalog.rs` checks both ways).

Forms marked "Mẫu ban hành kèm theo Thông tư số 04/2020/TT-BTP" follow the layout of the
civil-status forms of that circular; the others are reference layouts ("Mẫu tham khảo") and
must be checked against the form in force before official use.
"""

from __future__ import annotations

import datetime
import pathlib

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = pathlib.Path(__file__).resolve().parent
TT04 = "Mẫu ban hành kèm theo Thông tư số 04/2020/TT-BTP ngày 28/5/2020 của Bộ trưởng Bộ Tư pháp"
THAM_KHAO = "Mẫu tham khảo"
FIXED_TIME = datetime.datetime(2025, 7, 1, 8, 0, 0)


class Form:
    """A one-form document: national header, title, labelled dotted fields, signature block."""

    def __init__(self, basis: str, title: str, subtitle: str | None = None):
        self.doc = Document()
        self._setup()
        note = self.doc.add_paragraph()
        note.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        r = note.add_run(basis)
        r.italic = True
        r.font.size = Pt(10)
        self._center("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=13, after=0)
        self._center("Độc lập - Tự do - Hạnh phúc", bold=True, size=14, after=0)
        self._center("---------------", size=12, after=12)
        self._center(title, bold=True, size=14, after=0 if subtitle else 12)
        if subtitle:
            self._center(subtitle, italic=True, size=13, after=12)

    # -- layout helpers ---------------------------------------------------------------
    def _setup(self) -> None:
        section = self.doc.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
        section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
        style = self.doc.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(13)
        style.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
        pf = style.paragraph_format
        pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(3), 1.15
        props = self.doc.core_properties
        props.author = "motcua (dữ liệu minh họa)"
        props.title = ""
        props.created = props.modified = FIXED_TIME
        props.revision = 1

    @property
    def _text_width(self):
        s = self.doc.sections[0]
        return s.page_width - s.left_margin - s.right_margin

    def _center(self, text, *, bold=False, italic=False, size=13, after=3):
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(after)
        r = p.add_run(text)
        r.bold, r.italic = bold, italic
        r.font.size = Pt(size)
        return p

    def text(self, text, *, bold=False, italic=False, indent=False):
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            p.paragraph_format.first_line_indent = Cm(1.0)
        r = p.add_run(text)
        r.bold, r.italic = bold, italic
        return p

    def heading(self, text):
        return self.text(text, bold=True)

    def field(self, *labels):
        """One line: each label followed by a dotted blank; several labels share the line.

        The dotted blanks end at tab stops with dot leaders, placed in proportion to the label
        lengths so that every label keeps room for a blank after it.
        """
        p = self.doc.add_paragraph()
        width = self._text_width
        weights = [len(label) + 14 for label in labels]
        total, acc = sum(weights), 0
        for i, w in enumerate(weights, start=1):
            acc += w
            last = i == len(weights)
            align = WD_TAB_ALIGNMENT.RIGHT if last else WD_TAB_ALIGNMENT.LEFT
            p.paragraph_format.tab_stops.add_tab_stop(width if last else int(width * acc / total), align, WD_TAB_LEADER.DOTS)
        for i, label in enumerate(labels):
            lead = " " if i else ""
            p.add_run(f"{lead}{label}: " if label else "")
            p.add_run("\t")
        return p

    def dotted(self, lines=1):
        for _ in range(lines):
            self.field("")

    def kinh_gui(self, to):
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(6)
        p.add_run("Kính gửi: ").bold = True
        p.add_run(to)

    def checkbox(self, label, options):
        p = self.doc.add_paragraph()
        p.add_run(f"{label}: ")
        p.add_run("    ".join(f"{o} □" for o in options))
        return p

    def table(self, header, rows, widths=None):
        t = self.doc.add_table(rows=1 + rows, cols=len(header))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for i, h in enumerate(header):
            cell = t.rows[0].cells[i]
            cell.text = ""
            run = cell.paragraphs[0].add_run(h)
            run.bold = True
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        if widths:
            t.autofit = False
            for i, w in enumerate(widths):
                t.columns[i].width = Cm(w)
            for row in t.rows:
                for i, w in enumerate(widths):
                    row.cells[i].width = Cm(w)
        self.doc.add_paragraph()
        return t

    def labelled_table(self, columns, labels):
        """Rows of labels, one column of blanks per party (e.g. bên nữ / bên nam)."""
        t = self.doc.add_table(rows=1 + len(labels), cols=1 + len(columns))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.rows[0].cells[0].text = "Thông tin"
        for i, c in enumerate(columns, start=1):
            t.rows[0].cells[i].text = c
        for cell in t.rows[0].cells:
            for run in cell.paragraphs[0].runs:
                run.bold = True
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for r, label in enumerate(labels, start=1):
            t.rows[r].cells[0].text = label
        for row in t.rows:
            row.cells[0].width = Cm(5.0)
            for cell in row.cells[1:]:
                cell.width = Cm(5.5)
        self.doc.add_paragraph()
        return t

    def signatures(self, *signers, place="Làm tại"):
        """Date line on the right, then one signature block per signer side by side."""
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.space_before = Pt(6)
        p.add_run(f"{place}: ………………, ngày …… tháng …… năm ………").italic = True
        t = self.doc.add_table(rows=1, cols=max(2, len(signers)))
        cells = t.rows[0].cells
        offset = len(cells) - len(signers)
        for i, (who, hint) in enumerate(signers):
            cell = cells[offset + i]
            cell.text = ""
            para = cell.paragraphs[0]
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            para.add_run(who).bold = True
            hint_p = cell.add_paragraph()
            hint_p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            hint_p.add_run(hint).italic = True
            for _ in range(3):
                cell.add_paragraph()
            line = cell.add_paragraph("…………………………………")
            line.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def notes(self, *items):
        self.doc.add_paragraph()
        p = self.doc.add_paragraph()
        r = p.add_run("Ghi chú:")
        r.bold, r.italic = True, True
        r.font.size = Pt(11)
        for item in items:
            q = self.doc.add_paragraph()
            q.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            r = q.add_run(item)
            r.italic = True
            r.font.size = Pt(11)

    def _drop_unused_parts(self) -> None:
        """Keeps the files small: drops the thumbnail, the Word 2010 styles copy and custom XML."""
        unused = ("/thumbnail", "/stylesWithEffects", "/customXml")
        for rels in (self.doc.part.package.rels, self.doc.part.rels):
            for r_id, rel in list(rels.items()):
                if rel.reltype.endswith(unused):
                    rels.pop(r_id)

    def save(self, name):
        self._drop_unused_parts()
        path = HERE / name
        self.doc.save(path)
        return path


def nguoi_yeu_cau(f: Form, quan_he: str | None = None):
    f.field("Họ, chữ đệm, tên người yêu cầu")
    f.field("Nơi cư trú (1)")
    f.field("Giấy tờ tùy thân (2)")
    if quan_he:
        f.field(quan_he)


GHI_CHU_CHUNG = (
    "(1) Ghi theo nơi đăng ký thường trú; nếu không có nơi thường trú thì ghi theo nơi đăng ký tạm trú; "
    "nếu không có nơi thường trú và nơi tạm trú thì ghi theo nơi đang sinh sống.",
    "(2) Ghi thông tin về giấy tờ tùy thân của người yêu cầu, ghi rõ số, cơ quan cấp, ngày cấp hộ chiếu, "
    "thẻ Căn cước hoặc giấy tờ hợp lệ thay thế.",
)


def khai_sinh():
    f = Form(TT04, "TỜ KHAI ĐĂNG KÝ KHAI SINH")
    f.kinh_gui("Ủy ban nhân dân xã/phường ……………………………………")
    nguoi_yeu_cau(f, "Quan hệ với người được khai sinh")
    f.heading("Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:")
    f.field("Họ, chữ đệm, tên")
    f.field("Ngày, tháng, năm sinh", "ghi bằng chữ")
    f.field("Giới tính", "Dân tộc", "Quốc tịch")
    f.field("Nơi sinh (3)")
    f.field("Quê quán")
    f.field("Họ, chữ đệm, tên người mẹ")
    f.field("Năm sinh (4)", "Dân tộc", "Quốc tịch")
    f.field("Nơi cư trú (1)")
    f.field("Họ, chữ đệm, tên người cha")
    f.field("Năm sinh (4)", "Dân tộc", "Quốc tịch")
    f.field("Nơi cư trú (1)")
    f.text(
        "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật, được sự thỏa thuận nhất trí "
        "của các bên liên quan theo quy định pháp luật và chịu trách nhiệm trước pháp luật về cam đoan của mình.",
        indent=True,
    )
    f.checkbox("Đề nghị cấp bản sao (5)", ["Có", "Không"])
    f.field("Số lượng bản sao")
    f.signatures(("Người yêu cầu", "(Ký, ghi rõ họ, chữ đệm, tên)"))
    f.notes(
        *GHI_CHU_CHUNG,
        "(3) Trường hợp trẻ em sinh tại cơ sở khám bệnh, chữa bệnh thì ghi rõ tên cơ sở và địa danh hành chính "
        "cấp xã, cấp tỉnh; trường hợp sinh ngoài cơ sở khám bệnh, chữa bệnh thì ghi địa danh hành chính nơi sinh.",
        "(4) Ghi đầy đủ ngày, tháng, năm sinh (nếu biết).",
        "(5) Đánh dấu X vào ô tương ứng nếu có yêu cầu cấp bản sao và ghi rõ số lượng.",
    )
    return f.save("to_khai_dang_ky_khai_sinh.docx")


def ket_hon():
    f = Form(TT04, "TỜ KHAI ĐĂNG KÝ KẾT HÔN")
    f.kinh_gui("Ủy ban nhân dân xã/phường ……………………………………")
    f.labelled_table(
        ["Bên nữ", "Bên nam"],
        [
            "Họ, chữ đệm, tên",
            "Ngày, tháng, năm sinh",
            "Dân tộc",
            "Quốc tịch",
            "Nơi cư trú (1)",
            "Giấy tờ tùy thân (2)",
            "Kết hôn lần thứ mấy",
        ],
    )
    f.text(
        "Chúng tôi cam đoan những lời khai trên đây là đúng sự thật, việc kết hôn của chúng tôi là tự nguyện, "
        "không vi phạm quy định của Luật Hôn nhân và gia đình Việt Nam. Chúng tôi chịu trách nhiệm trước pháp "
        "luật về cam đoan của mình.",
        indent=True,
    )
    f.checkbox("Đề nghị cấp bản sao (3)", ["Có", "Không"])
    f.field("Số lượng bản sao")
    f.signatures(("Bên nữ", "(Ký, ghi rõ họ, chữ đệm, tên)"), ("Bên nam", "(Ký, ghi rõ họ, chữ đệm, tên)"))
    f.notes(
        *GHI_CHU_CHUNG,
        "(3) Đánh dấu X vào ô tương ứng nếu có yêu cầu cấp bản sao Trích lục kết hôn và ghi rõ số lượng.",
        "Hai bên nam, nữ phải có mặt khi đăng ký kết hôn và ký vào Sổ đăng ký kết hôn, Giấy chứng nhận kết hôn.",
    )
    return f.save("to_khai_dang_ky_ket_hon.docx")


def khai_tu():
    f = Form(TT04, "TỜ KHAI ĐĂNG KÝ KHAI TỬ")
    f.kinh_gui("Ủy ban nhân dân xã/phường ……………………………………")
    nguoi_yeu_cau(f, "Quan hệ với người đã chết")
    f.heading("Đề nghị cơ quan đăng ký khai tử cho người có tên dưới đây:")
    f.field("Họ, chữ đệm, tên")
    f.field("Ngày, tháng, năm sinh", "Giới tính")
    f.field("Dân tộc", "Quốc tịch")
    f.field("Giấy tờ tùy thân (2)")
    f.field("Nơi cư trú cuối cùng (1)")
    f.text("Đã chết vào lúc: …… giờ …… phút, ngày …… tháng …… năm ……")
    f.field("Ghi bằng chữ")
    f.field("Nơi chết")
    f.field("Nguyên nhân chết")
    f.field("Số Giấy báo tử/giấy tờ thay thế Giấy báo tử (3)", "ngày cấp")
    f.field("Cơ quan cấp")
    f.text(
        "Tôi cam đoan nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật về cam đoan của mình.",
        indent=True,
    )
    f.checkbox("Đề nghị cấp bản sao (4)", ["Có", "Không"])
    f.field("Số lượng bản sao")
    f.signatures(("Người yêu cầu", "(Ký, ghi rõ họ, chữ đệm, tên)"))
    f.notes(
        *GHI_CHU_CHUNG,
        "(3) Ghi rõ tên giấy tờ thay thế Giấy báo tử (bản án, quyết định của Tòa án, văn bản xác nhận của cơ quan "
        "công an, văn bản xác nhận của người làm chứng...).",
        "(4) Đánh dấu X vào ô tương ứng nếu có yêu cầu cấp bản sao Trích lục khai tử và ghi rõ số lượng.",
    )
    return f.save("to_khai_dang_ky_khai_tu.docx")


def xac_nhan_tthn():
    f = Form(TT04, "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN")
    f.kinh_gui("Ủy ban nhân dân xã/phường ……………………………………")
    nguoi_yeu_cau(f, "Quan hệ với người được cấp Giấy xác nhận tình trạng hôn nhân")
    f.heading("Đề nghị cấp Giấy xác nhận tình trạng hôn nhân cho người có tên dưới đây:")
    f.field("Họ, chữ đệm, tên")
    f.field("Ngày, tháng, năm sinh", "Giới tính")
    f.field("Dân tộc", "Quốc tịch")
    f.field("Giấy tờ tùy thân (2)")
    f.field("Nơi cư trú (1)")
    f.field("Trong thời gian cư trú tại (3)")
    f.field("Từ ngày", "Đến ngày")
    f.field("Tình trạng hôn nhân (4)")
    f.dotted()
    f.field("Mục đích sử dụng Giấy xác nhận tình trạng hôn nhân (5)")
    f.text(
        "Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật về cam đoan của mình.",
        indent=True,
    )
    f.signatures(("Người yêu cầu", "(Ký, ghi rõ họ, chữ đệm, tên)"))
    f.notes(
        *GHI_CHU_CHUNG,
        "(3) Chỉ khai trong trường hợp đề nghị xác nhận tình trạng hôn nhân trong thời gian cư trú trước đây.",
        "(4) Ghi rõ: chưa đăng ký kết hôn với ai; hoặc đang có vợ/chồng (họ tên, số, ngày Giấy chứng nhận kết hôn); "
        "hoặc đã đăng ký kết hôn nhưng đã ly hôn/người kia đã chết.",
        "(5) Ghi rõ mục đích sử dụng; trường hợp sử dụng để kết hôn thì ghi rõ họ tên, năm sinh, quốc tịch, "
        "giấy tờ tùy thân, nơi cư trú của người dự định kết hôn và nơi dự định đăng ký kết hôn.",
    )
    return f.save("to_khai_xac_nhan_tinh_trang_hon_nhan.docx")


def thay_doi_cai_chinh():
    f = Form(TT04, "TỜ KHAI ĐĂNG KÝ THAY ĐỔI, CẢI CHÍNH, BỔ SUNG THÔNG TIN HỘ TỊCH")
    f.kinh_gui("Ủy ban nhân dân xã/phường ……………………………………")
    nguoi_yeu_cau(f, "Quan hệ với người được thay đổi, cải chính, bổ sung thông tin hộ tịch")
    f.heading("Đề nghị cơ quan đăng ký việc (3) ………………………… cho người có tên dưới đây:")
    f.field("Họ, chữ đệm, tên")
    f.field("Ngày, tháng, năm sinh", "Giới tính")
    f.field("Dân tộc", "Quốc tịch")
    f.field("Giấy tờ tùy thân (2)")
    f.field("Nơi cư trú (1)")
    f.field("Việc hộ tịch đã đăng ký trước đây (4)")
    f.field("Nơi đăng ký")
    f.field("Ngày đăng ký", "Số", "Quyển số")
    f.field("Nội dung (5): từ")
    f.field("thành")
    f.field("Lý do")
    f.dotted()
    f.text(
        "Tôi cam đoan nội dung đề nghị trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật về cam đoan của mình.",
        indent=True,
    )
    f.checkbox("Đề nghị cấp bản sao (6)", ["Có", "Không"])
    f.field("Số lượng bản sao")
    f.signatures(("Người yêu cầu", "(Ký, ghi rõ họ, chữ đệm, tên)"))
    f.notes(
        *GHI_CHU_CHUNG,
        "(3) Ghi rõ loại việc: thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc.",
        "(4) Ghi rõ loại việc hộ tịch đã đăng ký trước đây (khai sinh, kết hôn, khai tử...).",
        "(5) Ghi rõ nội dung thay đổi, cải chính, bổ sung thông tin hộ tịch; trường hợp bổ sung thông tin thì ghi "
        "nội dung bổ sung vào dòng \"thành\".",
        "(6) Đánh dấu X vào ô tương ứng nếu có yêu cầu cấp bản sao trích lục và ghi rõ số lượng.",
    )
    return f.save("to_khai_thay_doi_cai_chinh_ho_tich.docx")


def nhan_cha_me_con():
    f = Form(TT04, "TỜ KHAI ĐĂNG KÝ NHẬN CHA, MẸ, CON")
    f.kinh_gui("Ủy ban nhân dân xã/phường ……………………………………")
    f.heading("Thông tin người nhận:")
    f.field("Họ, chữ đệm, tên")
    f.field("Ngày, tháng, năm sinh", "Dân tộc", "Quốc tịch")
    f.field("Nơi cư trú (1)")
    f.field("Giấy tờ tùy thân (2)")
    f.heading("Thông tin người được nhận là cha/mẹ/con:")
    f.field("Họ, chữ đệm, tên")
    f.field("Ngày, tháng, năm sinh", "Dân tộc", "Quốc tịch")
    f.field("Nơi cư trú (1)")
    f.field("Giấy tờ tùy thân (2)")
    f.text("Đề nghị công nhận người có tên trên là (3) ………………… của tôi.")
    f.text(
        "Tôi cam đoan việc nhận (3) ………… nêu trên là đúng sự thật, tự nguyện, không có tranh chấp và chịu trách "
        "nhiệm trước pháp luật về cam đoan của mình.",
        indent=True,
    )
    f.checkbox("Đề nghị cấp bản sao (4)", ["Có", "Không"])
    f.field("Số lượng bản sao")
    f.signatures(
        ("Ý kiến của mẹ hoặc cha (5)", "(Ký, ghi rõ họ, chữ đệm, tên)"),
        ("Người yêu cầu", "(Ký, ghi rõ họ, chữ đệm, tên)"),
    )
    f.notes(
        *GHI_CHU_CHUNG,
        "(3) Ghi rõ: cha, mẹ hoặc con.",
        "(4) Đánh dấu X vào ô tương ứng nếu có yêu cầu cấp bản sao Trích lục và ghi rõ số lượng.",
        "(5) Chỉ áp dụng khi người con là người chưa thành niên hoặc người mất năng lực hành vi dân sự; người hiện "
        "là mẹ hoặc cha ghi rõ ý kiến đồng ý.",
    )
    return f.save("to_khai_nhan_cha_me_con.docx")


def ly_lich_tu_phap():
    f = Form(THAM_KHAO, "TỜ KHAI YÊU CẦU CẤP PHIẾU LÝ LỊCH TƯ PHÁP", "(Dùng cho cá nhân có yêu cầu cấp Phiếu lý lịch tư pháp)")
    f.kinh_gui("Công an tỉnh Ninh Bình")
    f.field("1. Họ, chữ đệm, tên")
    f.field("2. Tên gọi khác (nếu có)")
    f.field("3. Giới tính", "4. Ngày, tháng, năm sinh")
    f.field("5. Nơi sinh")
    f.field("6. Quốc tịch", "7. Dân tộc")
    f.field("8. Số Căn cước/Hộ chiếu", "ngày cấp")
    f.field("9. Nơi thường trú")
    f.field("10. Nơi tạm trú")
    f.field("11. Họ, chữ đệm, tên cha")
    f.field("Họ, chữ đệm, tên mẹ")
    f.field("Họ, chữ đệm, tên vợ/chồng")
    f.field("12. Điện thoại", "Thư điện tử")
    f.heading("13. Quá trình cư trú, nghề nghiệp, nơi làm việc (tính từ khi đủ 14 tuổi):")
    f.table(["Từ tháng, năm đến tháng, năm", "Nơi cư trú", "Nghề nghiệp, nơi làm việc"], 4, [4.5, 5.5, 6.0])
    f.checkbox("14. Tình trạng án tích", ["Chưa bị kết án", "Đã bị kết án"])
    f.checkbox("15. Yêu cầu cấp Phiếu lý lịch tư pháp", ["Số 1", "Số 2"])
    f.checkbox(
        "16. Yêu cầu xác nhận về việc cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã",
        ["Có", "Không"],
    )
    f.field("17. Số lượng Phiếu lý lịch tư pháp yêu cầu cấp")
    f.field("18. Mục đích sử dụng Phiếu lý lịch tư pháp")
    f.text(
        "Tôi xin cam đoan những lời khai trên là đúng sự thật và chịu trách nhiệm trước pháp luật về lời khai của mình.",
        indent=True,
    )
    f.signatures(("Người khai", "(Ký, ghi rõ họ tên)"))
    f.notes(
        "Phiếu lý lịch tư pháp số 2 chỉ cấp cho chính người có yêu cầu, không ủy quyền.",
        "Đây là mẫu tham khảo của hệ thống; khi nộp hồ sơ chính thức, đề nghị sử dụng mẫu tờ khai hiện hành "
        "trên Cổng Dịch vụ công quốc gia hoặc ứng dụng VNeID.",
    )
    return f.save("to_khai_yeu_cau_cap_phieu_ly_lich_tu_phap.docx")


def ho_kinh_doanh():
    f = Form(THAM_KHAO, "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH")
    f.kinh_gui("Phòng Kinh tế/Phòng Kinh tế, Hạ tầng và Đô thị, Ủy ban nhân dân xã/phường ………………")
    f.field("Tôi là (ghi họ tên bằng chữ in hoa)")
    f.field("Giới tính", "Sinh ngày")
    f.field("Dân tộc", "Quốc tịch")
    f.field("Số định danh cá nhân")
    f.field("Địa chỉ liên lạc")
    f.field("Điện thoại", "Thư điện tử")
    f.heading("Đăng ký hộ kinh doanh do tôi là chủ hộ với các nội dung sau:")
    f.field("1. Tên hộ kinh doanh (ghi bằng chữ in hoa)")
    f.field("2. Địa chỉ trụ sở: số nhà, đường phố/thôn, tổ dân phố")
    f.field("Xã/phường", "Tỉnh/thành phố")
    f.field("Điện thoại", "Thư điện tử")
    f.heading("3. Ngành, nghề kinh doanh:")
    f.table(["STT", "Tên ngành", "Mã ngành (cấp 4)", "Ngành, nghề kinh doanh chính (đánh dấu X)"], 3, [1.2, 7.0, 3.0, 4.8])
    f.field("4. Vốn kinh doanh (bằng số; VNĐ)")
    f.field("Bằng chữ")
    f.field("5. Số lượng lao động (dự kiến)")
    f.heading("6. Thông tin đăng ký thuế:")
    f.field("Ngày bắt đầu hoạt động (dự kiến)")
    f.checkbox("Phương pháp tính thuế", ["Kê khai", "Khoán"])
    f.text(
        "Tôi cam kết: bản thân không thuộc diện không được đăng ký hộ kinh doanh theo quy định pháp luật; trụ sở hộ "
        "kinh doanh thuộc quyền sở hữu/quyền sử dụng hợp pháp; chịu trách nhiệm trước pháp luật về tính hợp pháp, "
        "chính xác và trung thực của nội dung đề nghị đăng ký hộ kinh doanh.",
        indent=True,
    )
    f.signatures(("Chủ hộ kinh doanh", "(Ký và ghi họ tên)"), place="Ngày đề nghị")
    f.notes(
        "Đây là mẫu tham khảo của hệ thống; mẫu giấy đề nghị chính thức do Bộ Tài chính ban hành, đề nghị đối chiếu "
        "với mẫu hiện hành trước khi nộp.",
    )
    return f.save("giay_de_nghi_dang_ky_ho_kinh_doanh.docx")


def giay_phep_xay_dung():
    f = Form(THAM_KHAO, "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG", "(Sử dụng cho nhà ở riêng lẻ: xây dựng mới, sửa chữa, cải tạo)")
    f.kinh_gui("Ủy ban nhân dân xã/phường ……………………………………")
    f.heading("1. Thông tin về chủ đầu tư:")
    f.field("Tên chủ đầu tư (chủ hộ)")
    f.field("Địa chỉ liên hệ: số nhà", "đường/thôn")
    f.field("Xã/phường", "Tỉnh/thành phố")
    f.field("Số điện thoại")
    f.heading("2. Thông tin công trình:")
    f.field("Địa điểm xây dựng: lô đất số", "diện tích (m²)")
    f.field("Tại: số nhà", "đường/thôn")
    f.field("Xã/phường", "Tỉnh/thành phố")
    f.heading("3. Nội dung đề nghị cấp phép:")
    f.checkbox("Loại giấy phép đề nghị cấp", ["Xây dựng mới", "Sửa chữa, cải tạo"])
    f.field("Cấp công trình", "Diện tích xây dựng tầng 1 (m²)")
    f.field("Tổng diện tích sàn (m²)", "Chiều cao công trình (m)")
    f.field("Số tầng (ghi rõ tầng hầm, tầng trên mặt đất, tầng lửng, tum)")
    f.heading("4. Đơn vị hoặc người chủ nhiệm thiết kế:")
    f.field("Tên đơn vị/cá nhân thiết kế", "Mã số chứng chỉ hành nghề (nếu có)")
    f.field("5. Dự kiến thời gian hoàn thành công trình (tháng)")
    f.text(
        "6. Cam kết: Tôi xin cam đoan làm theo đúng giấy phép được cấp, nếu sai tôi xin hoàn toàn chịu trách nhiệm "
        "và bị xử lý theo quy định của pháp luật.",
        indent=False,
    )
    f.heading("Gửi kèm theo Đơn này các tài liệu:")
    f.dotted(3)
    f.signatures(("Người làm đơn", "(Ký, ghi rõ họ tên)"))
    f.notes(
        "Đây là mẫu tham khảo của hệ thống; đề nghị đối chiếu với mẫu đơn hiện hành theo quy định của Chính phủ về "
        "cấp giấy phép xây dựng trước khi nộp.",
    )
    return f.save("don_de_nghi_cap_giay_phep_xay_dung_nha_o.docx")


def tro_giup_xa_hoi():
    f = Form(THAM_KHAO, "TỜ KHAI ĐỀ NGHỊ TRỢ GIÚP XÃ HỘI", "(Áp dụng đối với đối tượng bảo trợ xã hội hưởng trợ cấp xã hội hằng tháng)")
    f.kinh_gui("Ủy ban nhân dân xã/phường ……………………………………")
    f.heading("I. THÔNG TIN CỦA ĐỐI TƯỢNG")
    f.field("1. Họ, chữ đệm, tên (viết chữ in hoa)")
    f.field("Ngày, tháng, năm sinh", "Giới tính", "Dân tộc")
    f.field("2. Số định danh cá nhân")
    f.field("3. Nơi cư trú")
    f.field("4. Nhóm đối tượng (trẻ em, người cao tuổi, người khuyết tật...)")
    f.checkbox("5. Thuộc hộ", ["Hộ nghèo", "Hộ cận nghèo", "Không thuộc"])
    f.field("6. Dạng khuyết tật", "Mức độ khuyết tật")
    f.checkbox("7. Đang hưởng chế độ", ["Lương hưu", "Trợ cấp bảo hiểm xã hội", "Trợ cấp ưu đãi người có công", "Khác"])
    f.field("Mức hưởng hằng tháng (đồng)")
    f.heading("II. THÔNG TIN NGƯỜI GIÁM HỘ, NGƯỜI NHẬN CHĂM SÓC (nếu có)")
    f.field("Họ, chữ đệm, tên")
    f.field("Số định danh cá nhân", "Quan hệ với đối tượng")
    f.field("Nơi cư trú")
    f.field("Số điện thoại")
    f.heading("III. HÌNH THỨC NHẬN TRỢ CẤP")
    f.checkbox("Nhận qua", ["Tài khoản ngân hàng", "Dịch vụ bưu chính", "Trực tiếp"])
    f.field("Số tài khoản", "Ngân hàng")
    f.text(
        "Tôi xin cam đoan những lời khai trên là đúng sự thật, nếu có điều gì khai không đúng tôi xin chịu hoàn toàn "
        "trách nhiệm trước pháp luật.",
        indent=True,
    )
    f.signatures(("Người khai", "(Ký, ghi rõ họ tên hoặc điểm chỉ)"))
    f.notes(
        "Đây là mẫu tham khảo của hệ thống; tờ khai chính thức theo từng nhóm đối tượng được quy định tại Nghị định "
        "số 20/2021/NĐ-CP và văn bản sửa đổi, bổ sung.",
    )
    return f.save("to_khai_de_nghi_tro_giup_xa_hoi.docx")


ALL = [
    khai_sinh,
    ket_hon,
    khai_tu,
    xac_nhan_tthn,
    thay_doi_cai_chinh,
    nhan_cha_me_con,
    ly_lich_tu_phap,
    ho_kinh_doanh,
    giay_phep_xay_dung,
    tro_giup_xa_hoi,
]

if __name__ == "__main__":
    for make in ALL:
        path = make()
        print(f"{path.name}: {path.stat().st_size} bytes")
