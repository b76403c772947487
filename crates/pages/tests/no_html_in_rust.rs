//! HTML lives in `crates/pages/templates` (askama, escaped automatically), never in Rust
//! strings: this test reads every `crates/*/src/**/*.rs` (unit test modules excluded), finds
//! the string literals (plain, raw, byte; comments and char literals skipped) and fails on an
//! HTML tag inside one, naming the file and line. What is markup but not a page is allowed
//! below, each entry with its reason.

use std::path::{Path, PathBuf};

/// Tags that only a page would write.
const TAGS: &[&str] = &[
    "a", "article", "body", "br", "button", "dd", "details", "div", "dl", "dt", "em", "fieldset", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "head", "header", "html", "img", "input", "label", "legend", "li", "main", "nav", "ol", "option",
    "p", "script", "section", "select", "small", "span", "strong", "summary", "table", "tbody", "td", "textarea", "th", "thead",
    "title", "tr", "ul",
];

/// Files allowed to hold markup in strings (path from the workspace root, and why). An entry
/// whose file no longer has any is reported too, so the list only holds what is needed.
/// (`crates/documents/src/upload.rs` looks for `b"<html"`, `b"<script"`… in uploads: bare
/// prefixes, not tags, so it needs no entry.)
const ALLOWED: &[(&str, &str)] = &[(
    "crates/testkit/src/files.rs",
    "test fixtures, not pages: upload files that smuggle an HTML page (a PDF/HTML/ZIP polyglot) for the upload checks",
)];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("crates/pages is two levels down").to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The string literals of Rust source, each with the line it starts on. Comments, char
/// literals and lifetimes are skipped; raw strings (`r#"…"#`) and byte strings are literals too.
fn string_literals(src: &str) -> Vec<(usize, String)> {
    let b = src.as_bytes();
    let (mut i, mut line) = (0, 1);
    let mut out = Vec::new();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        match b[i] {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0;
                while i < b.len() {
                    if b[i..].starts_with(b"/*") {
                        depth += 1;
                        i += 2;
                    } else if b[i..].starts_with(b"*/") {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        line += usize::from(b[i] == b'\n');
                        i += 1;
                    }
                }
            }
            b'\'' => {
                // A char literal ('x', '\n', '"') or a lifetime ('a).
                if b.get(i + 1) == Some(&b'\\') {
                    i += 2;
                    while i < b.len() && b[i] != b'\'' {
                        i += 1;
                    }
                    i += 1;
                } else if b.get(i + 2) == Some(&b'\'') {
                    i += 3;
                } else {
                    // A char literal of a multi-byte character, or a lifetime.
                    let rest = &src[i + 1..];
                    let c = rest.chars().next().map_or(1, char::len_utf8);
                    i += if rest.as_bytes().get(c) == Some(&b'\'') { c + 2 } else { 1 };
                }
            }
            b'"' => {
                let start_line = line;
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    if b[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                let body = &src[i + 1..j.min(b.len())];
                line += body.matches('\n').count();
                out.push((start_line, body.to_string()));
                i = j + 1;
            }
            c if ident(c) => {
                // A whole identifier; `r` and `br` before `#…"` open a raw string.
                let start = i;
                while i < b.len() && ident(b[i]) {
                    i += 1;
                }
                let mut j = i;
                while b.get(j) == Some(&b'#') {
                    j += 1;
                }
                if matches!(&src[start..i], "r" | "br") && b.get(j) == Some(&b'"') {
                    let closing = format!("\"{}", "#".repeat(j - i));
                    let body_start = j + 1;
                    let end = src[body_start..].find(&closing).map_or(b.len(), |e| body_start + e);
                    let body = &src[body_start..end];
                    out.push((line, body.to_string()));
                    line += body.matches('\n').count();
                    i = end + closing.len();
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// The first page tag in `s` (`<div `, `<p>`, `<br/`…), if any.
fn page_tag(s: &str) -> Option<&'static str> {
    let lower = s.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    for (at, _) in lower.match_indices('<') {
        let rest = &lower[at + 1..];
        for tag in TAGS {
            if rest.starts_with(tag) && matches!(bytes.get(at + 1 + tag.len()), Some(b' ' | b'>' | b'/' | b'\n' | b'\t')) {
                return Some(tag);
            }
        }
    }
    None
}

/// The source before its unit test module (`#[cfg(test)]` on its own line).
fn without_tests(src: &str) -> &str {
    src.find("\n#[cfg(test)]").map_or(src, |at| &src[..at])
}

#[test]
fn no_html_in_rust_strings() {
    let root = workspace_root();
    let mut files = Vec::new();
    for krate in std::fs::read_dir(root.join("crates")).expect("crates/").flatten() {
        rust_files(&krate.path().join("src"), &mut files);
    }
    files.sort();
    assert!(files.len() > 50, "the scan found the sources: {files:?}");
    let mut found = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        let src = std::fs::read_to_string(f).unwrap();
        let hits: Vec<String> = string_literals(without_tests(&src))
            .into_iter()
            .filter_map(|(line, lit)| page_tag(&lit).map(|tag| format!("{rel}:{line}: <{tag}> in a string literal")))
            .collect();
        match ALLOWED.iter().find(|(p, _)| *p == rel) {
            Some(_) if hits.is_empty() => found.push(format!("{rel}: allowed below but holds no markup any more")),
            Some(_) => {}
            None => found.extend(hits),
        }
    }
    for (p, _) in ALLOWED {
        assert!(root.join(p).exists(), "{p} is allowed below but does not exist");
    }
    assert!(found.is_empty(), "HTML belongs in crates/pages/templates (askama), not in Rust strings:\n{}", found.join("\n"));
}

#[test]
fn the_scanner_finds_markup_in_every_kind_of_literal() {
    let src = r####"
// "<div>" in a comment is fine
/* "<p>" in a block comment, /* nested */ too */
let c = '"'; let l: &'a str = "plain <p>text</p>";
let raw = r#"<form method="post">"#;
let bytes = b"<td>";
let ok = "a < b && c > d, Vec<u8>, <ministry>";
let multi = "line one
<span>line two</span>";
"####;
    let hits: Vec<(usize, Option<&str>)> = string_literals(src).iter().map(|(l, s)| (*l, page_tag(s))).collect();
    assert_eq!(hits, [(4, Some("p")), (5, Some("form")), (6, Some("td")), (7, None), (8, Some("span"))]);
    assert_eq!(without_tests("fn a() {}\n#[cfg(test)]\nmod tests { \"<p>\" }"), "fn a() {}");
}
