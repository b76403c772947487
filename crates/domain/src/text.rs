//! Text normalisation: NFC at the boundary, and the diacritic-free fold used for search.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalises user input to NFC and trims it, so uniqueness and comparison never depend
/// on how the text was typed (precomposed or with combining marks).
pub fn clean(s: &str) -> String {
    s.trim().nfc().collect()
}

/// Folds Vietnamese text for search: no marks, đ/Đ → d, lowercase, single spaces.
/// "Đăng ký hộ kinh doanh" → "dang ky ho kinh doanh".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_whitespace() {
            if !space {
                out.push(' ');
                space = true;
            }
            continue;
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The other spelling of a folded syllable that Vietnamese writes with either i or y after a
/// consonant onset ("ky"/"ki" for ký/kí, "ly"/"li", "my"/"mi", "quy"/"qui"), so a search for
/// "dang ki khai sinh" finds "Đăng ký khai sinh". A lone "y" (y tế) and y after a vowel
/// ("ngay", "huy") have no other spelling.
pub fn i_y_variant(word: &str) -> Option<String> {
    let stem = word.strip_suffix('i').or_else(|| word.strip_suffix('y'))?;
    let onset = stem.strip_prefix("qu").unwrap_or(stem);
    let consonants = |s: &str| s.chars().all(|c| "bcdghklmnprstvx".contains(c));
    if stem.is_empty() || stem == "g" || !consonants(onset) {
        return None;
    }
    Some(format!("{stem}{}", if word.ends_with('i') { 'y' } else { 'i' }))
}

/// Encodes a query-string value (`application/x-www-form-urlencoded`: spaces become `+`),
/// for page links and the verification URL in a document's QR code.
pub fn urlencode(s: &str) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => o.push(b as char),
            b' ' => o.push('+'),
            _ => {
                let _ = write!(o, "%{b:02X}");
            }
        }
    }
    o
}

/// An amount in đồng with dots between thousands ("1.500.000 đồng"): pages and documents.
pub fn money(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    if amount < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    format!("{out} đồng")
}

/// An amount in đồng in Vietnamese words, capitalised ("Mười lăm nghìn đồng"): what a
/// receipt prints under the figure.
pub fn money_words(amount: i64) -> String {
    const DIGITS: [&str; 10] = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"];
    const SCALES: [&str; 6] = ["", " nghìn", " triệu", " tỷ", " nghìn tỷ", " triệu tỷ"];
    fn group(n: u64, full: bool) -> String {
        let (h, t, u) = ((n / 100) as usize, ((n / 10) % 10) as usize, (n % 10) as usize);
        let mut w: Vec<&str> = Vec::new();
        if full || h > 0 {
            w.extend([DIGITS[h], "trăm"]);
        }
        match t {
            0 if u > 0 && (full || h > 0) => w.push("linh"),
            0 => {}
            1 => w.push("mười"),
            _ => w.extend([DIGITS[t], "mươi"]),
        }
        match u {
            0 => {}
            1 if t >= 2 => w.push("mốt"),
            5 if t >= 1 => w.push("lăm"),
            _ => w.push(DIGITS[u]),
        }
        w.join(" ")
    }
    let mut n = amount.unsigned_abs();
    if n == 0 {
        return "Không đồng".into();
    }
    let mut groups = Vec::new();
    while n > 0 {
        groups.push(n % 1000);
        n /= 1000;
    }
    let mut parts = Vec::new();
    for (i, g) in groups.iter().enumerate().rev() {
        if *g == 0 {
            continue;
        }
        let full = i + 1 < groups.len();
        parts.push(format!("{}{}", group(*g, full), SCALES[i.min(SCALES.len() - 1)]));
    }
    let text = format!("{}{} đồng", if amount < 0 { "âm " } else { "" }, parts.join(" "));
    let mut c = text.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn money_in_words() {
        assert_eq!(money_words(15_000), "Mười lăm nghìn đồng");
        assert_eq!(money_words(1_205_000), "Một triệu hai trăm linh năm nghìn đồng");
        assert_eq!(money_words(21_000), "Hai mươi mốt nghìn đồng");
        assert_eq!(money_words(100_000), "Một trăm nghìn đồng");
    }

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Đăng ký hộ kinh doanh"), "dang ky ho kinh doanh");
        assert_eq!(fold("  Ứng   Thị  Ờ "), "ung thi o");
        assert_eq!(fold("Sở Tư pháp"), "so tu phap");
    }

    #[test]
    fn i_and_y_after_a_consonant_are_one_spelling() {
        assert_eq!(i_y_variant("ki").as_deref(), Some("ky"));
        assert_eq!(i_y_variant("ky").as_deref(), Some("ki"));
        assert_eq!(i_y_variant("quy").as_deref(), Some("qui"));
        assert_eq!(i_y_variant("thi").as_deref(), Some("thy"));
        for none in ["y", "i", "ngay", "huy", "gi", "khai", "sinh", "dang", ""] {
            assert_eq!(i_y_variant(none), None, "{none}");
        }
    }

    #[test]
    fn clean_composes() {
        let decomposed = "Nguye\u{0302}\u{0303}n";
        assert_eq!(clean(decomposed), "Nguyễn");
    }

    proptest! {
        #[test]
        fn fold_is_idempotent_and_markless(s in "\\PC{0,40}") {
            let f = fold(&s);
            prop_assert_eq!(fold(&f), f.clone());
            prop_assert!(!f.nfd().any(is_combining_mark));
        }

        #[test]
        fn vietnamese_letters_fold_to_ascii(s in "[aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ ĐĂÂÊÔƠƯ]{0,40}") {
            prop_assert!(fold(&s).is_ascii());
        }
    }
}
