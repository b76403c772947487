//! Real, structurally valid files for upload tests (issue #12 item 11: uploads are checked
//! by their structure, so "%PDF-1.4 …" strings no longer pass), and the broken or hostile
//! variants the checks must refuse. The constants are the writers' output checked in under
//! `fixtures/` (a test keeps them equal), so tests can use them as `&[u8]` constants.

use std::io::Write;

/// A one-page PDF scan ("ban-scan").
pub const PDF: &[u8] = include_bytes!("../fixtures/scan.pdf");
/// Another one-page PDF: the signed result document of a dossier.
pub const SIGNED_PDF: &[u8] = include_bytes!("../fixtures/signed.pdf");
/// A 2×2 RGB PNG photo.
pub const PNG: &[u8] = include_bytes!("../fixtures/photo.png");

/// A one-page PDF showing `note`, with `catalog_extra` added to the catalog dictionary and
/// `extra` objects (numbered from 6) after the page's; the cross-reference table is exact.
pub fn pdf_with(note: &str, catalog_extra: &str, extra: &[&str]) -> Vec<u8> {
    build_pdf(note, catalog_extra, extra, "")
}

/// A one-page PDF showing `note`.
pub fn pdf(note: &str) -> Vec<u8> {
    pdf_with(note, "", &[])
}

/// A valid PDF of exactly `size` bytes (padded with a comment of `fill` bytes), for tests of
/// sizes and quotas that need distinct files.
pub fn pdf_of_size(fill: u8, size: usize) -> Vec<u8> {
    let padded =
        |n: usize| build_pdf("padded", "", &[], &format!("%{}\n", String::from_utf8(vec![fill; n]).expect("ASCII fill")));
    // The `startxref` offset may gain a digit as the padding grows: settle in a few steps.
    let mut n = 0;
    for _ in 0..4 {
        let len = padded(n).len();
        if len == size {
            return padded(n);
        }
        n = (n + size).checked_sub(len).expect("a PDF of at least the minimal size");
    }
    let out = padded(n);
    assert_eq!(out.len(), size);
    out
}

fn build_pdf(note: &str, catalog_extra: &str, extra: &[&str], comment: &str) -> Vec<u8> {
    let text: String = note.chars().map(|c| if matches!(c, '(' | ')' | '\\') || !c.is_ascii() { '?' } else { c }).collect();
    let content = format!("BT /F1 18 Tf 72 760 Td ({text}) Tj ET");
    let mut objects = vec![
        format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra}>>"),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    objects.extend(extra.iter().map(|s| s.to_string()));
    let mut out = format!("%PDF-1.4\n{comment}").into_bytes();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

/// A PDF that runs JavaScript when opened.
pub fn pdf_with_javascript() -> Vec<u8> {
    pdf_with("js", "/OpenAction 6 0 R ", &["<< /Type /Action /S /JavaScript /J#53 (app.alert\\(1\\)) >>"])
}

/// A PDF carrying an embedded file.
pub fn pdf_with_embedded_file() -> Vec<u8> {
    pdf_with(
        "embedded",
        "/Names << /EmbeddedFiles << /Names [(a.exe) 6 0 R] >> >> ",
        &["<< /Type /Filespec /F (a.exe) /EF << /F 7 0 R >> >>", "<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream"],
    )
}

/// A PDF cut short (the upload broke off): no cross-reference table, no `%%EOF`.
pub fn pdf_truncated() -> Vec<u8> {
    let mut p = PDF.to_vec();
    p.truncate(p.len() / 2);
    p.extend_from_slice(b"\n%%EOF\n");
    p
}

/// A polyglot: an HTML page that starts with a PDF header and ends with a ZIP archive.
pub fn polyglot_html_zip() -> Vec<u8> {
    let mut out = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n".to_vec();
    out.extend_from_slice(&zip_of(&[("[Content_Types].xml", b"<Types/>".as_slice()), ("payload.html", b"<html>")]));
    out.extend_from_slice(b"\n%%EOF\n");
    out
}

fn crc(kind: &[u8], data: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(kind);
    h.update(data);
    h.finalize()
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc(kind, data).to_be_bytes());
}

/// A PNG with the given IHDR data (13 bytes when well formed) and a 2×2 RGB image.
pub fn png_with_ihdr(ihdr: &[u8]) -> Vec<u8> {
    let mut raw = Vec::new();
    for row in 0..2u8 {
        raw.push(0); // filter: none
        raw.extend_from_slice(&[200, 30 * row, 40, 10, 120, 240]);
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).expect("deflate");
    let idat = z.finish().expect("deflate");
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    png_chunk(&mut out, b"IHDR", ihdr);
    png_chunk(&mut out, b"IDAT", &idat);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// The IHDR of a 2×2, 8-bit RGB image.
pub fn png_ihdr(width: u32, height: u32) -> Vec<u8> {
    let mut d = width.to_be_bytes().to_vec();
    d.extend_from_slice(&height.to_be_bytes());
    d.extend_from_slice(&[8, 2, 0, 0, 0]);
    d
}

/// A PNG whose header is wrong: a zero width, and an impossible bit depth for RGB.
pub fn png_bad_ihdr() -> Vec<u8> {
    let mut ihdr = png_ihdr(0, 2);
    ihdr[8] = 3;
    png_with_ihdr(&ihdr)
}

/// The segments of a baseline JPEG (8×8, greyscale) around a few bytes of scan data.
pub fn jpeg() -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    out.extend_from_slice(&[0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
    out.extend_from_slice(&[0xFF, 0xDB, 0, 67, 0]);
    out.extend_from_slice(&[1; 64]);
    out.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8, 0, 8, 0, 8, 1, 1, 0x11, 0]);
    out.extend_from_slice(&[0xFF, 0xC4, 0, 20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&[0xFF, 0xC4, 0, 20, 0x10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0]);
    out.extend_from_slice(&[0x00, 0xFF, 0x00, 0x3F]);
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// A ZIP archive of the given entries, deflated.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    for (name, data) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default()).expect("zip entry");
        zip.write_all(data).expect("zip data");
    }
    zip.finish().expect("zip");
    out.into_inner()
}

const DOCX_TYPES: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

/// A minimal DOCX: the content types, the package relationships and the document.
pub fn docx() -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", DOCX_TYPES),
        ("_rels/.rels", br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#),
        ("word/document.xml", br#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Don de nghi</w:t></w:r></w:p></w:body></w:document>"#),
    ])
}

/// A "DOCX" that names its document in the content types but lacks the part itself.
pub fn docx_without_document() -> Vec<u8> {
    zip_of(&[("[Content_Types].xml", DOCX_TYPES), ("word/document.xml.bak", b"<w:document/>"), ("word/styles.xml", b"<x/>")])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checked-in constants are the writers' output (`MOTCUA_WRITE_FIXTURES=1` rewrites them).
    #[test]
    fn fixtures_are_the_writers_output() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let want = [
            ("scan.pdf", pdf("Ban scan - motcua")),
            ("signed.pdf", pdf("Ket qua da ky so")),
            ("photo.png", png_with_ihdr(&png_ihdr(2, 2))),
        ];
        for (name, bytes) in want {
            if std::env::var_os("MOTCUA_WRITE_FIXTURES").is_some() {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join(name), &bytes).unwrap();
            }
            assert_eq!(std::fs::read(dir.join(name)).unwrap(), bytes, "{name}");
        }
    }
}
