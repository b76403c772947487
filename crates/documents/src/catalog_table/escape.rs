//! Escaping inside list cells: one item per line, fields separated by `|` (and a component's
//! alternatives by `;`). Reading works on tokens that remember whether a character was
//! escaped, so an escaped separator never splits and escaped whitespace is never trimmed.

/// Escapes one field of a list item: `\`, line breaks, `|` and the given extra separators;
/// whitespace at either end is escaped too, because unescaped whitespace around separators
/// is trimmed on import.
pub(crate) fn escape(s: &str, extra: &[char]) -> String {
    let lead_end = s.len() - s.trim_start().len();
    let trail_start = s.trim_end().len();
    let mut out = String::with_capacity(s.len() + 4);
    for (i, c) in s.char_indices() {
        let edge = i < lead_end || i >= trail_start;
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' if edge => out.push_str("\\t"),
            '|' => out.push_str("\\|"),
            c if extra.contains(&c) || (edge && c.is_whitespace()) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// One character of an item line and whether it was escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tok {
    pub c: char,
    pub escaped: bool,
}

/// Reads the escapes of one line: `\n`, `\r`, `\t` are control characters; `\\`, `\|`, `\;`
/// and a backslash before whitespace stand for the character itself. Any other backslash is
/// an ordinary character, so a hand-written `C:\mau` stays as written.
pub(crate) fn tokenize(line: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(Tok { c, escaped: false });
            continue;
        }
        let escaped = match chars.peek().copied() {
            Some('n') => Some('\n'),
            Some('r') => Some('\r'),
            Some('t') => Some('\t'),
            Some(x @ ('\\' | '|' | ';')) => Some(x),
            Some(x) if x.is_whitespace() => Some(x),
            _ => None,
        };
        match escaped {
            Some(x) => {
                chars.next();
                out.push(Tok { c: x, escaped: true });
            }
            None => out.push(Tok { c: '\\', escaped: false }),
        }
    }
    out
}

/// Splits on an unescaped separator.
pub(crate) fn split(toks: &[Tok], sep: char) -> Vec<&[Tok]> {
    toks.split(|t| !t.escaped && t.c == sep).collect()
}

/// Removes unescaped whitespace at both ends.
pub(crate) fn trim(toks: &[Tok]) -> &[Tok] {
    let blank = |t: &Tok| !t.escaped && t.c.is_whitespace();
    let start = toks.iter().position(|t| !blank(t)).unwrap_or(toks.len());
    let end = toks.iter().rposition(|t| !blank(t)).map_or(start, |i| i + 1);
    &toks[start..end]
}

pub(crate) fn text(toks: &[Tok]) -> String {
    toks.iter().map(|t| t.c).collect()
}

/// The lines of a list cell with their 1-based numbers; `\r\n`, `\n` and `\r` all end a line.
pub(crate) fn lines(cell: &str) -> Vec<(usize, String)> {
    cell.replace("\r\n", "\n").split(['\n', '\r']).enumerate().map(|(i, l)| (i + 1, l.to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(line: &str) -> Vec<String> {
        split(&tokenize(line), '|').into_iter().map(|f| text(trim(f))).collect()
    }

    #[test]
    fn escaped_fields_read_back_exactly() {
        for s in [
            "",
            "plain",
            "a|b",
            "back\\slash",
            "line\nbreak\r\nand cr",
            " leading",
            "trailing ",
            "\t tabs \t",
            "   ",
            "ends with backslash\\",
            "\\|\\n literal escapes",
            "semi;colon",
            "Giấy tờ chứng minh nơi cư trú; bản sao",
            "\u{a0}nbsp\u{a0}",
        ] {
            for extra in [&[][..], &[';'][..]] {
                let e = escape(s, extra);
                assert!(!e.contains('\n') && !e.contains('\r'), "{e:?}");
                let line = format!("x | {e} | y");
                assert_eq!(fields(&line), vec!["x".to_string(), s.to_string(), "y".to_string()], "{s:?} -> {e:?}");
            }
        }
    }

    #[test]
    fn reading_is_lenient() {
        assert_eq!(fields("a|b |  c"), vec!["a", "b", "c"]);
        assert_eq!(fields(r"C:\mau\mau_01.doc"), vec![r"C:\mau\mau_01.doc"]);
        assert_eq!(fields("trailing\\"), vec!["trailing\\"]);
        assert_eq!(fields("a | | c"), vec!["a", "", "c"]);
    }

    #[test]
    fn lines_accept_every_line_end() {
        let l = lines("a\r\nb\nc\rd");
        assert_eq!(l.iter().map(|(n, s)| format!("{n}:{s}")).collect::<Vec<_>>(), vec!["1:a", "2:b", "3:c", "4:d"]);
    }
}
