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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Đăng ký hộ kinh doanh"), "dang ky ho kinh doanh");
        assert_eq!(fold("  Ứng   Thị  Ờ "), "ung thi o");
        assert_eq!(fold("Sở Tư pháp"), "so tu phap");
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
