//! Code 128 (ISO/IEC 15417), code set B: the barcode of a tracking number on the postal
//! label, as the widths of its bars and spaces (in modules) for the template to draw. Set B
//! covers printable ASCII, which tracking numbers are (`EL123456789VN`).

/// Bar and space widths of each symbol value 0–105 (bar first), then the stop pattern.
const PATTERNS: [&str; 107] = [
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213", "221312", "231212",
    "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132", "221231", "213212", "223112", "312131",
    "311222", "321122", "321221", "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123", "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121",
    "313121", "211331", "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
    "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111", "111242", "121142", "121241", "114212",
    "124112", "124211", "411212", "421112", "421211", "212141", "214121", "412121", "111143", "111341", "131141", "114113",
    "114311", "411113", "411311", "113141", "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
];

const START_B: usize = 104;
const STOP: usize = 106;

/// The symbol values of `text` in code set B with the start, the check symbol and the stop;
/// `None` when a character is outside printable ASCII.
pub fn symbols(text: &str) -> Option<Vec<usize>> {
    let mut out = vec![START_B];
    for c in text.chars() {
        let v = c as u32;
        if !(32..=126).contains(&v) {
            return None;
        }
        out.push((v - 32) as usize);
    }
    // The check symbol: the start's value plus each symbol's value times its position, mod 103.
    let check = out.iter().enumerate().map(|(i, v)| if i == 0 { *v } else { i * v }).sum::<usize>() % 103;
    out.push(check);
    out.push(STOP);
    Some(out)
}

/// The widths (in modules) of every bar and space of `text`'s barcode, bar first; `None`
/// when it cannot be encoded in set B or is empty.
pub fn widths(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() {
        return None;
    }
    Some(symbols(text)?.into_iter().flat_map(|s| PATTERNS[s].bytes().map(|b| b - b'0')).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_is_three_bars_in_eleven_modules_and_distinct() {
        let mut seen = std::collections::BTreeSet::new();
        for (i, p) in PATTERNS.iter().enumerate() {
            let w: Vec<u32> = p.bytes().map(|b| u32::from(b - b'0')).collect();
            let (len, modules) = if i == STOP { (7, 13) } else { (6, 11) };
            assert_eq!((w.len(), w.iter().sum::<u32>()), (len, modules), "symbol {i}");
            // Bars (even positions) take an even number of modules in set patterns: parity check.
            if i != STOP {
                assert_eq!(w.iter().step_by(2).sum::<u32>() % 2, 0, "symbol {i} bar parity");
            }
            assert!(seen.insert(*p), "symbol {i} repeats");
        }
    }

    #[test]
    fn check_symbol_and_framing() {
        // "PJJ123C": 104 + 48·1 + 42·2 + 42·3 + 17·4 + 18·5 + 19·6 + 35·7 = 879 ≡ 55 (mod 103).
        assert_eq!(symbols("PJJ123C").unwrap(), [104, 48, 42, 42, 17, 18, 19, 35, 55, 106]);
        let w = widths("EL123456789VN").unwrap();
        // Start, 13 characters and the check symbol of 6 elements, the stop of 7.
        assert_eq!(w.len(), 15 * 6 + 7);
        assert_eq!(w.iter().map(|x| u32::from(*x)).sum::<u32>(), 15 * 11 + 13);
        assert_eq!(widths(""), None);
        assert_eq!(widths("Số"), None);
    }
}
