//! The typst `World` of one render: the library and fonts shared by every render (built
//! once), the form's template as the main file, the shared `common.typ`, and two virtual
//! files: `data.json` (the form's fields) and `qr.svg`. Nothing is read from the system:
//! fonts are the embedded ones, templates the embedded ones unless the override folder
//! has a file of the same name.

use std::path::PathBuf;
use std::sync::LazyLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// Liberation Serif (SIL OFL 1.1, `fonts/LICENSE-Liberation.txt`): metric-compatible with
/// Times New Roman, which NĐ 30/2020 asks of administrative documents, with every
/// Vietnamese letter.
static FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
    include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf"),
];

/// What every render shares: parsed once, on first use.
pub(crate) struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

pub(crate) static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_FILES.iter().flat_map(|b| Font::iter(Bytes::new(*b))).collect();
    Shared { library: LazyHash::new(Library::default()), book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts }
});

/// The embedded templates by file name; `common.typ` holds what every form shares.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    ("common.typ", include_str!("../templates/common.typ")),
    ("mau-01.typ", include_str!("../templates/mau-01.typ")),
    ("mau-02.typ", include_str!("../templates/mau-02.typ")),
    ("mau-03.typ", include_str!("../templates/mau-03.typ")),
    ("mau-04.typ", include_str!("../templates/mau-04.typ")),
    ("mau-05.typ", include_str!("../templates/mau-05.typ")),
    ("mau-06.typ", include_str!("../templates/mau-06.typ")),
    ("mau-07.typ", include_str!("../templates/mau-07.typ")),
    ("ket-qua.typ", include_str!("../templates/ket-qua.typ")),
    ("bao-cao.typ", include_str!("../templates/bao-cao.typ")),
    ("bien-lai.typ", include_str!("../templates/bien-lai.typ")),
    ("buu-chinh.typ", include_str!("../templates/buu-chinh.typ")),
];

/// Largest override template read (a template is a few kilobytes).
const MAX_TEMPLATE_BYTES: u64 = 1 << 20;

pub(crate) fn file_id(name: &str) -> FileId {
    RootedPath::new(VirtualRoot::Project, VirtualPath::new(name).expect("a plain file name")).intern()
}

/// A template's text: `<dir>/<name>` when the override folder has it, else the embedded one.
pub(crate) fn template_text(dir: Option<&PathBuf>, name: &str) -> Result<Option<String>, std::io::Error> {
    if let Some(dir) = dir {
        let path = dir.join(name);
        match std::fs::metadata(&path) {
            Ok(m) if m.len() > MAX_TEMPLATE_BYTES => {
                return Err(std::io::Error::other(format!("{} is larger than 1 MiB", path.display())));
            }
            Ok(_) => return std::fs::read_to_string(&path).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, t)| (*t).to_string()))
}

pub(crate) struct FormWorld<'a> {
    pub main: Source,
    pub common: Source,
    pub data: Bytes,
    pub qr: Bytes,
    pub shared: &'a Shared,
}

impl World for FormWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if id == self.common.id() {
            Ok(self.common.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == file_id("data.json") {
            Ok(self.data.clone())
        } else if id == file_id("qr.svg") {
            Ok(self.qr.clone())
        } else if id == self.common.id() {
            Ok(Bytes::from_string(self.common.text().to_string()))
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }

    /// Templates take their dates from the data, never from the clock.
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(PathBuf::from(id.vpath().get_with_slash().to_string()))
}
