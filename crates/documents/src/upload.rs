//! Uploaded files checked by their structure, not by a few magic bytes (issue #12 item 11):
//! a file must *be* what its first bytes claim, so polyglots (an HTML page or a ZIP that
//! starts with `%PDF-`) are refused, and PDFs carrying active content (JavaScript, embedded
//! files, launch actions) are refused. Every walk is bounded (objects, chunks, entries,
//! inflated bytes) so a hostile file costs at most a few passes over its own bytes.

use motcua_domain::attachment::{FileKind, sniff};
use std::io::Read;

/// Why a file was refused: a machine code and the message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message_vi: &'static str,
    pub message_en: &'static str,
}

const fn refusal(code: &'static str, message_vi: &'static str, message_en: &'static str) -> Refusal {
    Refusal { code, message_vi, message_en }
}

pub const UNKNOWN: Refusal = refusal(
    "file_type_not_allowed",
    "Chỉ nhận tệp PDF, JPEG, PNG, DOCX hoặc XLSX (nhận biết theo nội dung tệp).",
    "Only PDF, JPEG, PNG, DOCX or XLSX files are accepted (recognised from their content).",
);
pub const POLYGLOT: Refusal = refusal(
    "file_polyglot",
    "Tệp chứa nội dung của một định dạng khác (trang web, tệp nén) lẫn trong tệp; đã bị từ chối.",
    "The file hides content of another format (a web page, an archive); refused.",
);
pub const PDF_MALFORMED: Refusal = refusal(
    "pdf_malformed",
    "Tệp PDF bị hỏng hoặc không đầy đủ (thiếu bảng tham chiếu hoặc phần kết thúc).",
    "The PDF is damaged or incomplete (its cross-reference table or trailer is missing or wrong).",
);
pub const PDF_ACTIVE: Refusal = refusal(
    "pdf_active_content",
    "Tệp PDF chứa nội dung chủ động (JavaScript, tệp đính kèm nhúng, lệnh chạy chương trình); vui lòng in ra PDF lại rồi gửi.",
    "The PDF carries active content (JavaScript, embedded files, launch actions); print it to PDF again and resend it.",
);
pub const PDF_COMPLEX: Refusal = refusal(
    "pdf_too_complex",
    "Tệp PDF quá phức tạp để kiểm tra (quá nhiều đối tượng hoặc dữ liệu nén quá lớn).",
    "The PDF is too complex to check (too many objects or too much compressed data).",
);
pub const IMAGE_MALFORMED: Refusal = refusal(
    "image_malformed",
    "Tệp ảnh bị hỏng hoặc không đúng định dạng PNG/JPEG.",
    "The image is damaged or is not a valid PNG/JPEG.",
);
pub const IMAGE_TOO_LARGE: Refusal = refusal(
    "image_too_large",
    "Kích thước ảnh (số điểm ảnh) vượt quá giới hạn cho phép.",
    "The image's dimensions exceed the limit.",
);
pub const OOXML_MALFORMED: Refusal = refusal(
    "ooxml_malformed",
    "Tệp Word/Excel bị hỏng hoặc thiếu thành phần bắt buộc.",
    "The Word/Excel file is damaged or lacks a required part.",
);
pub const OOXML_ACTIVE: Refusal = refusal(
    "ooxml_active_content",
    "Tệp Word/Excel chứa macro; vui lòng lưu lại dưới dạng không có macro rồi gửi.",
    "The Word/Excel file carries macros; save it without macros and resend it.",
);

/// Bounds of the work spent on one file.
pub const MAX_PDF_OBJECTS: usize = 100_000;
pub const MAX_PDF_INFLATED: usize = 64 << 20;
pub const MAX_IMAGE_SIDE: u32 = 20_000;
pub const MAX_IMAGE_PIXELS: u64 = 100_000_000;
pub const MAX_PNG_CHUNKS: usize = 100_000;
pub const MAX_ZIP_ENTRIES: usize = 10_000;
const MAX_CONTENT_TYPES: u64 = 1 << 20;

/// The kind of an uploaded file once its structure holds, or why not.
pub fn check(bytes: &[u8]) -> Result<FileKind, Refusal> {
    let kind = sniff(bytes).ok_or(UNKNOWN)?;
    // Browsers and mail readers look for markup near the start of a file.
    if looks_like_markup(&bytes[..bytes.len().min(1024)]) {
        return Err(POLYGLOT);
    }
    match kind {
        FileKind::Pdf => check_pdf(bytes)?,
        FileKind::Png => check_png(bytes)?,
        FileKind::Jpeg => check_jpeg(bytes)?,
        FileKind::Docx | FileKind::Xlsx => check_ooxml(bytes, kind)?,
    }
    Ok(kind)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn looks_like_markup(head: &[u8]) -> bool {
    let lower = head.to_ascii_lowercase();
    [&b"<html"[..], b"<!doctype", b"<script", b"<svg", b"<body", b"<iframe", b"<?xml-stylesheet"]
        .iter()
        .any(|m| find(&lower, m).is_some())
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delim(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

fn trim_end(b: &[u8]) -> &[u8] {
    let n = b.iter().rposition(|&c| !is_ws(c)).map_or(0, |i| i + 1);
    &b[..n]
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_ws(b[i]) {
        i += 1;
    }
    i
}

/// A decimal integer at `i` (after blanks): its value and the index after it.
fn integer(b: &[u8], i: usize) -> Option<(u64, usize)> {
    let start = skip_ws(b, i);
    let mut j = start;
    let mut v: u64 = 0;
    while j < b.len() && b[j].is_ascii_digit() && j - start < 12 {
        v = v * 10 + u64::from(b[j] - b'0');
        j += 1;
    }
    (j > start).then_some((v, j))
}

/// `N G obj` at `i`.
fn object_header_at(b: &[u8], i: usize) -> bool {
    let Some((_, j)) = integer(b, i) else { return false };
    let Some((_, k)) = integer(b, j) else { return false };
    let k = skip_ws(b, k);
    b.get(k..k + 3) == Some(b"obj")
}

// ---------------------------------------------------------------- PDF

fn check_pdf(b: &[u8]) -> Result<(), Refusal> {
    if !(b.starts_with(b"%PDF-1.") || b.starts_with(b"%PDF-2.")) {
        return Err(PDF_MALFORMED);
    }
    // The file ends at its last %%EOF: anything appended (an archive, a page) is refused.
    let end = trim_end(b);
    if !end.ends_with(b"%%EOF") {
        return Err(PDF_MALFORMED);
    }
    let tail_from = end.len().saturating_sub(1024);
    let sx = tail_from + rfind(&end[tail_from..], b"startxref").ok_or(PDF_MALFORMED)?;
    let (offset, after) = integer(end, sx + 9).ok_or(PDF_MALFORMED)?;
    if skip_ws(end, after) != end.len() - 5 {
        return Err(PDF_MALFORMED);
    }
    let offset = usize::try_from(offset).ok().filter(|&o| o < sx).ok_or(PDF_MALFORMED)?;
    let trailer = if b[offset..].starts_with(b"xref") {
        xref_table(b, offset, sx)?
    } else if object_header_at(b, offset) {
        // A cross-reference stream (PDF 1.5+): its dictionary is the trailer.
        let dict_end = find(&b[offset..sx], b"stream").ok_or(PDF_MALFORMED)?;
        let names = Lexer::names_of(&b[offset..offset + dict_end]);
        if !names.iter().any(|n| n == "XRef") {
            return Err(PDF_MALFORMED);
        }
        names
    } else {
        return Err(PDF_MALFORMED);
    };
    if !trailer.iter().any(|n| n == "Root") {
        return Err(PDF_MALFORMED);
    }
    let mut scan = Scan { inflated: 0, objects: 0 };
    scan.run(b, true)
}

/// Checks a classic cross-reference table: every object in use starts where the table
/// says. Returns the names of the trailer dictionary.
fn xref_table(b: &[u8], offset: usize, sx: usize) -> Result<Vec<String>, Refusal> {
    let mut i = offset + 4;
    let mut entries = 0usize;
    loop {
        let j = skip_ws(b, i);
        if j >= sx {
            return Err(PDF_MALFORMED);
        }
        if b[j..sx].starts_with(b"trailer") {
            return Ok(Lexer::names_of(&b[j + 7..sx]));
        }
        let (first, k) = integer(b, j).ok_or(PDF_MALFORMED)?;
        let (count, k) = integer(b, k).ok_or(PDF_MALFORMED)?;
        let _ = first;
        let count = usize::try_from(count).map_err(|_| PDF_COMPLEX)?;
        entries += count;
        if entries > MAX_PDF_OBJECTS {
            return Err(PDF_COMPLEX);
        }
        i = skip_ws(b, k);
        for _ in 0..count {
            // "oooooooooo ggggg n" + a two-byte end of line.
            let e = b.get(i..i + 20).filter(|_| i + 20 <= sx).ok_or(PDF_MALFORMED)?;
            let (off, _) = integer(e, 0).filter(|&(_, n)| n == 10).ok_or(PDF_MALFORMED)?;
            match e[17] {
                b'n' if off > 0 => {
                    let off = usize::try_from(off).ok().filter(|&o| o < sx).ok_or(PDF_MALFORMED)?;
                    if !object_header_at(b, off) {
                        return Err(PDF_MALFORMED);
                    }
                }
                b'n' | b'f' => {}
                _ => return Err(PDF_MALFORMED),
            }
            i += 20;
        }
    }
}

/// Names that make a PDF active: scripts, embedded files, launching programs, forms
/// that run scripts, rich media.
fn active(name: &str) -> bool {
    matches!(name, "JS" | "JavaScript" | "EmbeddedFile" | "EmbeddedFiles" | "Launch" | "RichMedia" | "XFA")
}

/// Walks the objects of a PDF (and of its compressed object streams) looking at every name.
struct Scan {
    inflated: usize,
    objects: usize,
}

impl Scan {
    fn run(&mut self, b: &[u8], top: bool) -> Result<(), Refusal> {
        let mut lx = Lexer { b, i: 0 };
        // The names seen since the last `obj`: the dictionary of a stream that follows.
        let mut names: Vec<String> = Vec::new();
        while let Some(tok) = lx.next() {
            match tok {
                Tok::Name(n) => {
                    if active(&n) {
                        return Err(PDF_ACTIVE);
                    }
                    names.push(n);
                }
                Tok::Keyword(k) if k == b"obj" => {
                    self.objects += 1;
                    if self.objects > MAX_PDF_OBJECTS {
                        return Err(PDF_COMPLEX);
                    }
                    names.clear();
                }
                Tok::Keyword(k) if k == b"stream" => {
                    let data = lx.stream_data().ok_or(PDF_MALFORMED)?;
                    let object_stream = names.windows(2).any(|w| w[0] == "Type" && w[1] == "ObjStm");
                    if object_stream {
                        if !top {
                            return Err(PDF_MALFORMED);
                        }
                        // Objects hidden in a compressed stream are read too; a filter we
                        // cannot read could hide anything.
                        let filters: Vec<&String> = names.iter().filter(|n| n.ends_with("Decode")).collect();
                        let inner = match filters.as_slice() {
                            [] => data.to_vec(),
                            [f] if *f == "FlateDecode" => self.inflate(data)?,
                            _ => return Err(PDF_COMPLEX),
                        };
                        self.run(&inner, false)?;
                    }
                    names.clear();
                }
                Tok::Keyword(_) => {}
            }
        }
        Ok(())
    }

    fn inflate(&mut self, data: &[u8]) -> Result<Vec<u8>, Refusal> {
        let budget = MAX_PDF_INFLATED - self.inflated;
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(data).take(budget as u64 + 1).read_to_end(&mut out).map_err(|_| PDF_MALFORMED)?;
        if out.len() > budget {
            return Err(PDF_COMPLEX);
        }
        self.inflated += out.len();
        Ok(out)
    }
}

enum Tok<'a> {
    Name(String),
    Keyword(&'a [u8]),
}

/// Just enough of the PDF syntax to find names and streams: comments, strings and stream
/// data are skipped, names are decoded (`/J#53` is `/JS`).
struct Lexer<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Lexer<'a> {
    fn names_of(b: &[u8]) -> Vec<String> {
        let mut lx = Lexer { b, i: 0 };
        let mut out = Vec::new();
        while let Some(t) = lx.next() {
            if let Tok::Name(n) = t {
                out.push(n);
            }
        }
        out
    }

    fn next(&mut self) -> Option<Tok<'a>> {
        let b = self.b;
        loop {
            self.i = skip_ws(b, self.i);
            let c = *b.get(self.i)?;
            match c {
                b'%' => {
                    while self.i < b.len() && !matches!(b[self.i], b'\r' | b'\n') {
                        self.i += 1;
                    }
                }
                b'(' => self.skip_string(),
                b'<' if b.get(self.i + 1) == Some(&b'<') => self.i += 2,
                b'<' => {
                    while self.i < b.len() && b[self.i] != b'>' {
                        self.i += 1;
                    }
                    self.i += 1;
                }
                b'/' => {
                    self.i += 1;
                    let mut raw = Vec::new();
                    while self.i < b.len() && !is_ws(b[self.i]) && !is_delim(b[self.i]) {
                        if b[self.i] == b'#'
                            && let Some(v) = b.get(self.i + 1..self.i + 3).and_then(|h| std::str::from_utf8(h).ok())
                            && let Ok(v) = u8::from_str_radix(v, 16)
                        {
                            raw.push(v);
                            self.i += 3;
                            continue;
                        }
                        raw.push(b[self.i]);
                        self.i += 1;
                    }
                    return Some(Tok::Name(String::from_utf8_lossy(&raw).into_owned()));
                }
                c if c.is_ascii_alphabetic() => {
                    let start = self.i;
                    while self.i < b.len() && b[self.i].is_ascii_alphabetic() {
                        self.i += 1;
                    }
                    return Some(Tok::Keyword(&b[start..self.i]));
                }
                _ => self.i += 1,
            }
        }
    }

    fn skip_string(&mut self) {
        let b = self.b;
        let mut depth = 0usize;
        while self.i < b.len() {
            match b[self.i] {
                b'\\' => self.i += 1,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        self.i += 1;
                        return;
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
    }

    /// The data of a stream whose `stream` keyword was just read; the lexer moves past
    /// `endstream`.
    fn stream_data(&mut self) -> Option<&'a [u8]> {
        let b = self.b;
        let mut start = self.i;
        if b.get(start) == Some(&b'\r') {
            start += 1;
        }
        if b.get(start) == Some(&b'\n') {
            start += 1;
        }
        let len = find(b.get(start..)?, b"endstream")?;
        self.i = start + len + 9;
        Some(&b[start..start + len])
    }
}

// ---------------------------------------------------------------- images

fn be32(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

fn be16(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(i..i + 2)?.try_into().ok()?))
}

fn dimensions_ok(w: u32, h: u32) -> Result<(), Refusal> {
    if w == 0 || h == 0 {
        return Err(IMAGE_MALFORMED);
    }
    if w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE || u64::from(w) * u64::from(h) > MAX_IMAGE_PIXELS {
        return Err(IMAGE_TOO_LARGE);
    }
    Ok(())
}

/// PNG: IHDR first and well formed, every chunk whole with its CRC, some image data, and
/// IEND as the last bytes of the file.
fn check_png(b: &[u8]) -> Result<(), Refusal> {
    let mut i = 8;
    let mut seen_idat = false;
    for n in 0..MAX_PNG_CHUNKS {
        let len = be32(b, i).ok_or(IMAGE_MALFORMED)? as usize;
        let kind = b.get(i + 4..i + 8).ok_or(IMAGE_MALFORMED)?;
        let end = (i + 12).checked_add(len).filter(|&e| e <= b.len()).ok_or(IMAGE_MALFORMED)?;
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(IMAGE_MALFORMED);
        }
        let crc = be32(b, end - 4).ok_or(IMAGE_MALFORMED)?;
        if crc32fast::hash(&b[i + 4..end - 4]) != crc {
            return Err(IMAGE_MALFORMED);
        }
        let data = &b[i + 8..end - 4];
        match (n, kind) {
            (0, b"IHDR") => {
                if len != 13 {
                    return Err(IMAGE_MALFORMED);
                }
                let (w, h) = (be32(data, 0).unwrap_or(0), be32(data, 4).unwrap_or(0));
                if w > 0x7FFF_FFFF || h > 0x7FFF_FFFF {
                    return Err(IMAGE_MALFORMED);
                }
                let (depth, colour) = (data[8], data[9]);
                let depth_ok = match colour {
                    0 => matches!(depth, 1 | 2 | 4 | 8 | 16),
                    3 => matches!(depth, 1 | 2 | 4 | 8),
                    2 | 4 | 6 => matches!(depth, 8 | 16),
                    _ => false,
                };
                if !depth_ok || data[10] != 0 || data[11] != 0 || data[12] > 1 {
                    return Err(IMAGE_MALFORMED);
                }
                dimensions_ok(w, h)?;
            }
            (0, _) | (_, b"IHDR") => return Err(IMAGE_MALFORMED),
            (_, b"IDAT") => seen_idat = true,
            (_, b"IEND") => return if seen_idat && end == b.len() { Ok(()) } else { Err(IMAGE_MALFORMED) },
            _ => {}
        }
        i = end;
    }
    Err(IMAGE_MALFORMED)
}

/// JPEG: the segments up to the scan are whole, a frame header gives sane dimensions, the
/// image ends with EOI; what follows EOI may not be another format.
fn check_jpeg(b: &[u8]) -> Result<(), Refusal> {
    let mut i = 2;
    let mut frame = false;
    loop {
        if b.get(i) != Some(&0xFF) {
            return Err(IMAGE_MALFORMED);
        }
        while b.get(i) == Some(&0xFF) {
            i += 1;
        }
        let m = *b.get(i).ok_or(IMAGE_MALFORMED)?;
        i += 1;
        match m {
            0xD9 => break,
            0x01 | 0xD0..=0xD7 => continue,
            0x00 | 0xD8 => return Err(IMAGE_MALFORMED),
            _ => {}
        }
        let len = usize::from(be16(b, i).ok_or(IMAGE_MALFORMED)?);
        if len < 2 || i + len > b.len() {
            return Err(IMAGE_MALFORMED);
        }
        if matches!(m, 0xC0..=0xCF) && !matches!(m, 0xC4 | 0xC8 | 0xCC) {
            let h = be16(b, i + 3).ok_or(IMAGE_MALFORMED)?;
            let w = be16(b, i + 5).ok_or(IMAGE_MALFORMED)?;
            dimensions_ok(u32::from(w), u32::from(h))?;
            frame = true;
        }
        i += len;
        if m == 0xDA {
            if !frame {
                return Err(IMAGE_MALFORMED);
            }
            // Entropy-coded data runs to the next marker that is not a stuffed byte or a restart.
            loop {
                let at = i + memchr_ff(&b[i..]).ok_or(IMAGE_MALFORMED)?;
                match b.get(at + 1) {
                    Some(0x00 | 0xD0..=0xD7 | 0xFF) => i = at + 1,
                    Some(_) => {
                        i = at;
                        break;
                    }
                    None => return Err(IMAGE_MALFORMED),
                }
            }
        }
    }
    if !frame {
        return Err(IMAGE_MALFORMED);
    }
    // Phones append data after EOI (motion photos); an archive or a page may not hide there.
    let rest = &b[i..];
    let lower = rest.to_ascii_lowercase();
    if [&b"PK\x03\x04"[..], b"PK\x05\x06", b"%PDF", b"<html", b"<script", b"<svg"].iter().any(|m| find(&lower, m).is_some()) {
        return Err(POLYGLOT);
    }
    Ok(())
}

fn memchr_ff(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == 0xFF)
}

// ---------------------------------------------------------------- OOXML

/// DOCX/XLSX: a ZIP whose central directory reads, that starts at the first byte, holds
/// `[Content_Types].xml` declaring the main part, holds that part, and carries no macros.
fn check_ooxml(b: &[u8], kind: FileKind) -> Result<(), Refusal> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(b)).map_err(|_| OOXML_MALFORMED)?;
    if zip.offset() != 0 {
        return Err(POLYGLOT);
    }
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(OOXML_MALFORMED);
    }
    let (part, main_type) = match kind {
        FileKind::Docx => ("word/document.xml", "wordprocessingml.document.main+xml"),
        _ => ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
    };
    let mut has_part = false;
    for name in zip.file_names_raw() {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(b"vbaproject.bin") || lower.ends_with(b".bin") && find(&lower, b"activex").is_some() {
            return Err(OOXML_ACTIVE);
        }
        has_part |= name == part.as_bytes();
    }
    if !has_part {
        return Err(OOXML_MALFORMED);
    }
    let mut types = String::new();
    zip.by_name("[Content_Types].xml")
        .map_err(|_| OOXML_MALFORMED)?
        .take(MAX_CONTENT_TYPES)
        .read_to_string(&mut types)
        .map_err(|_| OOXML_MALFORMED)?;
    if !types.contains(main_type) {
        return Err(OOXML_MALFORMED);
    }
    if types.contains("macroEnabled") {
        return Err(OOXML_ACTIVE);
    }
    Ok(())
}
