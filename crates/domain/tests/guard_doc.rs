//! docs/dossiers.md carries the guard table exactly as the domain has it
//! (`dossier::guard_table_markdown`), so the doc cannot drift from the rules.
//! `MOTCUA_BLESS=1 cargo test -p motcua-domain --test guard_doc` rewrites the doc's copy.

use motcua_domain::dossier::guard_table_markdown;
use std::path::PathBuf;

const START: &str = "<!-- guard-table: generated from crates/domain/src/dossier/guard.rs -->\n";
const END: &str = "<!-- /guard-table -->";

#[test]
fn dossiers_doc_carries_the_guard_table() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/dossiers.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let a = doc.find(START).expect("docs/dossiers.md has the guard-table start marker") + START.len();
    let b = a + doc[a..].find(END).expect("docs/dossiers.md has the guard-table end marker");
    let want = guard_table_markdown();
    if doc[a..b] == want {
        return;
    }
    if std::env::var_os("MOTCUA_BLESS").is_some() {
        std::fs::write(&path, format!("{}{want}{}", &doc[..a], &doc[b..])).unwrap();
        return;
    }
    panic!("docs/dossiers.md: the guard table differs from the domain's; rerun with MOTCUA_BLESS=1 to rewrite it.\n{want}");
}
