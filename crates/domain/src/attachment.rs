//! Attachments: the type is recognised from the bytes (never from the name or the declared
//! content type), and file names are made safe to store and show.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    Docx,
    Xlsx,
}

impl FileKind {
    pub const ALL: [FileKind; 5] = [Self::Pdf, Self::Jpeg, Self::Png, Self::Docx, Self::Xlsx];

    pub fn code(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Docx => "docx",
            Self::Xlsx => "xlsx",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            k => k.code(),
        }
    }

    /// Does a declared content type agree with the bytes? (`application/octet-stream` and
    /// an absent type say nothing.)
    pub fn agrees_with(self, declared: Option<&str>) -> bool {
        match declared.map(|d| d.split(';').next().unwrap_or("").trim().to_ascii_lowercase()) {
            None => true,
            Some(d) if d.is_empty() || d == "application/octet-stream" => true,
            Some(d) => d == self.media_type() || (self == Self::Jpeg && d == "image/jpg"),
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The kind of the file, from its bytes. Office files are ZIP archives: the archive must
/// end with a central directory and hold the part that makes it a document or a workbook
/// (names in a ZIP are stored uncompressed).
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") && contains(&bytes[bytes.len().saturating_sub(1024)..], b"%%EOF") {
        return Some(FileKind::Pdf);
    }
    if bytes.len() > 4 && bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(FileKind::Jpeg);
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(FileKind::Png);
    }
    if bytes.starts_with(b"PK\x03\x04") && contains(&bytes[bytes.len().saturating_sub(65_557)..], b"PK\x05\x06") {
        let types = contains(bytes, b"[Content_Types].xml");
        if types && contains(bytes, b"word/document.xml") {
            return Some(FileKind::Docx);
        }
        if types && contains(bytes, b"xl/workbook.xml") {
            return Some(FileKind::Xlsx);
        }
    }
    None
}

/// A name safe to store and to send back in `Content-Disposition`: NFC, no path, no control
/// or reserved characters, at most 120 characters, and the extension of the real type.
pub fn safe_name(name: &str, kind: FileKind) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = crate::text::clean(base)
        .chars()
        .map(|c| if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*' | ';') { '_' } else { c })
        .collect();
    let stem = match cleaned.rsplit_once('.') {
        Some((s, _)) => s.to_string(),
        None => cleaned,
    };
    let stem: String = stem.trim_matches(|c: char| c == '.' || c.is_whitespace()).chars().take(120).collect();
    let stem = if stem.is_empty() { "tep".to_string() } else { stem };
    format!("{stem}.{}", kind.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n...\n%%EOF\n"), Some(FileKind::Pdf));
        assert_eq!(sniff(b"%PDF-1.7 truncated"), None);
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some(FileKind::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(FileKind::Png));
        assert_eq!(sniff(b"MZ\x90\x00 an executable"), None);
        assert_eq!(sniff(b"PK\x03\x04 [Content_Types].xml word/document.xml PK\x05\x06"), Some(FileKind::Docx));
        assert_eq!(sniff(b"PK\x03\x04 [Content_Types].xml xl/workbook.xml PK\x05\x06"), Some(FileKind::Xlsx));
        assert_eq!(sniff(b"PK\x03\x04 some.zip PK\x05\x06"), None);
        assert!(FileKind::Pdf.agrees_with(Some("application/pdf")));
        assert!(FileKind::Pdf.agrees_with(None));
        assert!(!FileKind::Pdf.agrees_with(Some("image/png")));
    }

    #[test]
    fn names_are_made_safe() {
        assert_eq!(safe_name("../../etc/passwd", FileKind::Pdf), "passwd.pdf");
        assert_eq!(safe_name("C:\\Users\\a\\Tờ khai.PDF", FileKind::Pdf), "Tờ khai.pdf");
        assert_eq!(safe_name("scan.exe", FileKind::Jpeg), "scan.jpg");
        assert_eq!(safe_name("a\u{0}b<script>.png", FileKind::Png), "a_b_script_.png");
        assert_eq!(safe_name("...", FileKind::Pdf), "tep.pdf");
        assert_eq!(safe_name(&"x".repeat(500), FileKind::Pdf).chars().count(), 124);
    }
}
