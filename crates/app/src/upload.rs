//! Uploaded files spooled to disk as they arrive (issue #12 item 6): the size limit is
//! enforced while reading, the digest is computed on the way, and the bytes never sit in
//! memory whole. The temporary file is removed on every path (error, refusal, drop); once
//! the file is stored, the store moves it into place instead of copying. Only a process
//! that dies mid-upload leaves a partial file: `sweep` removes those at start-up.

use crate::AppError;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tokio::io::AsyncWriteExt;

/// Where uploads are spooled: `tmp/uploads` in the data directory, on the same file system
/// as the file store so that storing is a rename.
pub fn spool_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("tmp").join("uploads")
}

/// What a sweep of the spool removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub files: u64,
    pub bytes: u64,
}

/// How long a spooled file must have been left untouched before a sweep takes it for the
/// leftover of a crash. Not every file: another process may be receiving uploads into the
/// same data directory while this one starts (a second server, a rolling restart, or
/// `motcua migrate` run beside a live server). A live upload is a request, cut off after
/// the request timeout (its file removed as the handler is dropped), so a file older than
/// twice that, and at least ten minutes, belongs to no one.
pub fn stale_after(request_timeout_secs: u64) -> std::time::Duration {
    std::time::Duration::from_secs(request_timeout_secs.saturating_mul(2).max(600))
}

/// Removes the partial uploads in `dir` (the spool) last modified more than `older_than`
/// before `now`: regular `*.part` files directly in `dir`, as `Spool` names them. Symbolic
/// links are neither followed nor removed, subdirectories are not entered, other names are
/// left alone, and nothing outside `dir` is touched. A missing directory is an empty one;
/// a file that cannot be removed is logged and skipped.
pub fn sweep(dir: &Path, older_than: std::time::Duration, now: std::time::SystemTime) -> std::io::Result<Swept> {
    let mut out = Swept::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        // `DirEntry::metadata` does not follow symbolic links.
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.file_type().is_file() || path.extension().is_none_or(|x| x != "part") {
            continue;
        }
        let age = meta.modified().ok().and_then(|m| now.duration_since(m).ok());
        if age.is_none_or(|a| a <= older_than) {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => {
                out.files += 1;
                out.bytes += meta.len();
            }
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "stale upload not removed"),
        }
    }
    Ok(out)
}

/// The refusal of a file past the limit, as soon as the limit is passed.
pub fn too_large(limit: usize) -> AppError {
    AppError::Refused {
        http: 413,
        code: "file_too_large",
        vi: format!("Tệp vượt quá dung lượng cho phép ({} MB).", limit / 1_000_000),
        en: format!("The file exceeds the limit ({} MB).", limit / 1_000_000),
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("upload spool: {e}"))
}

/// Spools a stream of chunks (a request body, a multipart part) into `dir`, refusing with
/// 413 as soon as `limit` is passed. `declared` (a Content-Length) over the limit is refused
/// before anything is read.
pub async fn spool_stream<S, B, E>(dir: &Path, limit: usize, declared: Option<u64>, stream: S) -> Result<Spooled, AppError>
where
    S: futures_util::Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    use futures_util::StreamExt;
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    let mut spool = Spool::create(dir, limit).await?;
    let mut stream = std::pin::pin!(stream);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| AppError::Refused {
            http: 400,
            code: "upload_interrupted",
            vi: "Việc gửi tệp bị gián đoạn; vui lòng gửi lại.".into(),
            en: format!("The upload was interrupted ({e}); send it again."),
        })?;
        spool.write(chunk.as_ref()).await?;
    }
    spool.finish().await
}

/// A path removed when dropped.
#[derive(Debug)]
struct TempPath(PathBuf);

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A file being received.
pub struct Spool {
    file: tokio::fs::File,
    path: TempPath,
    size: usize,
    limit: usize,
    hasher: Sha256,
}

impl Spool {
    /// A new temporary file in `dir` for at most `limit` bytes.
    pub async fn create(dir: &Path, limit: usize) -> Result<Self, AppError> {
        tokio::fs::create_dir_all(dir).await.map_err(internal)?;
        let path = TempPath(dir.join(format!("{}.part", uuid::Uuid::new_v4())));
        let file = tokio::fs::File::create(&path.0).await.map_err(internal)?;
        Ok(Self { file, path, size: 0, limit, hasher: Sha256::new() })
    }

    /// Appends a chunk; past the limit the file is refused (413) and removed.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        self.size += chunk.len();
        if self.size > self.limit {
            return Err(too_large(self.limit));
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk).await.map_err(internal)
    }

    pub async fn finish(mut self) -> Result<Spooled, AppError> {
        self.file.flush().await.map_err(internal)?;
        Ok(Spooled { path: self.path, size: self.size, sha256: hex::encode(self.hasher.finalize()), loaded: OnceLock::new() })
    }
}

/// A received file on disk: its size and SHA-256 are known without reading it again.
///
/// It dereferences to its bytes (read once, on first use) so that handlers written for
/// in-memory uploads keep working; use cases take the path instead.
#[derive(Debug)]
pub struct Spooled {
    path: TempPath,
    size: usize,
    sha256: String,
    loaded: OnceLock<Vec<u8>>,
}

impl Spooled {
    pub fn len(&self) -> usize {
        self.size
    }

    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    pub fn path(&self) -> &Path {
        &self.path.0
    }

    /// The bytes, read from disk off the async threads.
    pub async fn read(&self) -> Result<Vec<u8>, AppError> {
        if let Some(b) = self.loaded.get() {
            return Ok(b.clone());
        }
        let p = self.path.0.clone();
        tokio::task::spawn_blocking(move || std::fs::read(p)).await.map_err(internal)?.map_err(internal)
    }

    /// Spools bytes already in memory (callers that hold them, e.g. tests and imports).
    pub async fn from_bytes(dir: &Path, bytes: &[u8]) -> Result<Self, AppError> {
        let mut s = Spool::create(dir, usize::MAX).await?;
        s.write(bytes).await?;
        s.finish().await
    }
}

impl std::ops::Deref for Spooled {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        // A read error leaves the bytes empty, which every caller refuses as an empty file.
        self.loaded.get_or_init(|| std::fs::read(&self.path.0).unwrap_or_default())
    }
}

/// The bytes of an upload as a use case receives them: spooled to disk (uploads over HTTP)
/// or already in memory (callers that built them).
pub enum Incoming {
    Memory(Vec<u8>),
    Spooled(Spooled),
}

impl From<Vec<u8>> for Incoming {
    fn from(b: Vec<u8>) -> Self {
        Self::Memory(b)
    }
}

impl From<Spooled> for Incoming {
    fn from(s: Spooled) -> Self {
        Self::Spooled(s)
    }
}

impl Incoming {
    pub fn len(&self) -> usize {
        match self {
            Self::Memory(b) => b.len(),
            Self::Spooled(s) => s.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn spools_hashes_enforces_the_limit_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Spool::create(dir.path(), 10).await.unwrap();
        s.write(b"hello").await.unwrap();
        s.write(b" you").await.unwrap();
        let f = s.finish().await.unwrap();
        assert_eq!((f.len(), &*f), (9, &b"hello you"[..]));
        assert_eq!(f.sha256(), hex::encode(Sha256::digest(b"hello you")));
        let path = f.path().to_path_buf();
        assert!(path.exists());
        drop(f);
        assert!(!path.exists(), "dropped, removed");

        let mut s = Spool::create(dir.path(), 10).await.unwrap();
        s.write(b"0123456789").await.unwrap();
        let e = s.write(b"x").await.unwrap_err();
        assert!(matches!(e, AppError::Refused { http: 413, code: "file_too_large", .. }));
        drop(s);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no temporary file left");
    }

    /// Sets a file's modification time `ago` before now.
    fn age(path: &Path, ago: std::time::Duration) {
        let f = std::fs::File::options().write(true).open(path).unwrap();
        f.set_modified(std::time::SystemTime::now() - ago).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_sweep_removes_only_stale_part_files_of_the_spool() {
        use std::time::{Duration, SystemTime};
        let root = tempfile::tempdir().unwrap();
        let spool = spool_dir(root.path());
        std::fs::create_dir_all(spool.join("sub")).unwrap();
        let hour = Duration::from_secs(3600);
        let write = |p: PathBuf, n: usize, ago: Duration| {
            std::fs::write(&p, vec![b'x'; n]).unwrap();
            age(&p, ago);
            p
        };
        let stale = [write(spool.join("a.part"), 1000, hour), write(spool.join("b.part"), 234, 2 * hour)];
        let fresh = write(spool.join("c.part"), 10, Duration::ZERO);
        let other = write(spool.join("notes.txt"), 10, hour);
        let nested = write(spool.join("sub").join("d.part"), 10, hour);
        // A link to an old file outside the spool: neither the link nor its target goes.
        let outside = write(root.path().join("keep.part"), 10, hour);
        std::os::unix::fs::symlink(&outside, spool.join("link.part")).unwrap();

        let swept = sweep(&spool, Duration::from_secs(600), SystemTime::now()).unwrap();
        assert_eq!(swept, Swept { files: 2, bytes: 1234 });
        assert!(stale.iter().all(|p| !p.exists()));
        for p in [&fresh, &other, &nested, &outside] {
            assert!(p.exists(), "{} kept", p.display());
        }
        assert!(std::fs::symlink_metadata(spool.join("link.part")).is_ok(), "the link is kept");
        // Nothing left to sweep; a missing spool is an empty one.
        assert_eq!(sweep(&spool, Duration::from_secs(600), SystemTime::now()).unwrap(), Swept::default());
        assert_eq!(sweep(&root.path().join("none"), Duration::ZERO, SystemTime::now()).unwrap(), Swept::default());
        assert_eq!(stale_after(30), Duration::from_secs(600));
        assert_eq!(stale_after(3600), Duration::from_secs(7200));
    }
}
