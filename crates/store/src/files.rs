//! The file store: content-addressed bytes (SHA-256). One interface; the filesystem is the
//! default. A file is written to a temporary name, synced and renamed, so a crash never
//! leaves a partial file under a digest.

use crate::StoreError;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

mod s3;
pub use s3::{CopyReport, S3Config, S3Files};

/// `[files]`: which store keeps the bytes.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(default)]
pub struct FilesConfig {
    /// `local` (under `<data_dir>/files`, the default) or `s3` (`[files.s3]`).
    pub backend: String,
    pub s3: S3Config,
}

impl Default for FilesConfig {
    fn default() -> Self {
        Self { backend: "local".into(), s3: S3Config::default() }
    }
}

impl FilesConfig {
    /// The configured store; an S3 bucket is checked first (reachable, these credentials
    /// accepted), so a wrong setting stops the start with a message naming it. Blocking.
    pub fn open(&self, local_root: PathBuf) -> Result<Arc<dyn FileStore>, StoreError> {
        match self.backend.as_str() {
            "local" => Ok(Arc::new(LocalFiles::new(local_root)?)),
            "s3" => {
                let s3 = S3Files::new(self.s3.clone())?;
                s3.check()?;
                Ok(Arc::new(s3))
            }
            other => Err(StoreError::Backend(format!("[files] backend must be \"local\" or \"s3\", not {other:?}"))),
        }
    }

    /// The configured store for reading only (`motcua verify`, `motcua backup`): nothing is
    /// created in the data directory or the bucket.
    pub fn open_read_only(&self, local_root: PathBuf) -> Result<Arc<dyn FileStore>, StoreError> {
        if self.backend == "s3" {
            Ok(Arc::new(S3Files::new(self.s3.clone())?))
        } else {
            Ok(Arc::new(LocalFiles::read_only(local_root)))
        }
    }
}

pub trait FileStore: Send + Sync {
    /// Stores the bytes (once per digest) and returns the digest and whether they were new.
    fn put(&self, bytes: &[u8]) -> Result<(String, bool), StoreError>;
    /// Stores the file at `src` whose digest the caller computed while receiving it. The
    /// default reads it and calls `put`; a local store moves it into place.
    fn put_file(&self, src: &std::path::Path, sha256: &str) -> Result<(String, bool), StoreError> {
        let _ = sha256;
        let bytes = std::fs::read(src).map_err(io)?;
        self.put(&bytes)
    }
    fn get(&self, sha256: &str) -> Result<Vec<u8>, StoreError>;
    /// The stored bytes as they are, even when they no longer match their digest (`motcua
    /// verify` reports the difference itself); `get` may refuse such bytes.
    fn get_unverified(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        self.get(sha256)
    }
    /// Whether bytes are stored under the digest (without reading them: pages mark a
    /// recorded file whose bytes are gone).
    fn exists(&self, sha256: &str) -> Result<bool, StoreError> {
        match self.get(sha256) {
            Ok(_) => Ok(true),
            Err(StoreError::NotFound) => Ok(false),
            Err(e) => Err(e),
        }
    }
    /// Removes bytes that were just stored when the transaction recording them failed.
    fn discard(&self, sha256: &str) -> Result<(), StoreError>;
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    pub fn new(root: PathBuf) -> Result<Self, StoreError> {
        std::fs::create_dir_all(&root).map_err(|e| StoreError::Backend(format!("cannot create {}: {e}", root.display())))?;
        Ok(Self { root })
    }

    /// The store at `root` for reading only (`motcua verify`): nothing is created, and a
    /// missing folder reads as every file missing.
    pub fn read_only(root: PathBuf) -> Self {
        Self { root }
    }

    fn path(&self, sha: &str) -> Result<PathBuf, StoreError> {
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound);
        }
        Ok(self.root.join(&sha[..2]).join(sha))
    }
}

pub(crate) fn io(e: std::io::Error) -> StoreError {
    StoreError::Backend(format!("file store: {e}"))
}

impl FileStore for LocalFiles {
    fn put(&self, bytes: &[u8]) -> Result<(String, bool), StoreError> {
        let sha = sha256_hex(bytes);
        let path = self.path(&sha)?;
        if path.exists() {
            return Ok((sha, false));
        }
        let dir = path.parent().expect("digest folder");
        std::fs::create_dir_all(dir).map_err(io)?;
        let tmp = dir.join(format!(".{sha}.{}.tmp", uuid::Uuid::new_v4()));
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            std::fs::File::open(dir)?.sync_all()
        };
        if let Err(e) = write() {
            let _ = std::fs::remove_file(&tmp);
            return Err(io(e));
        }
        Ok((sha, true))
    }

    fn put_file(&self, src: &std::path::Path, sha256: &str) -> Result<(String, bool), StoreError> {
        let path = self.path(sha256)?;
        if path.exists() {
            return Ok((sha256.to_string(), false));
        }
        let dir = path.parent().expect("digest folder");
        std::fs::create_dir_all(dir).map_err(io)?;
        let moved = || -> std::io::Result<()> {
            std::fs::File::open(src)?.sync_all()?;
            std::fs::rename(src, &path)?;
            std::fs::File::open(dir)?.sync_all()
        };
        match moved() {
            Ok(()) => Ok((sha256.to_string(), true)),
            // Another file system (a spool elsewhere): copy through `put`, which checks the digest.
            Err(_) => self.put(&std::fs::read(src).map_err(io)?),
        }
    }

    fn get(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        match std::fs::read(self.path(sha256)?) {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::NotFound),
            Err(e) => Err(io(e)),
        }
    }

    fn exists(&self, sha256: &str) -> Result<bool, StoreError> {
        match self.path(sha256) {
            Ok(p) => p.try_exists().map_err(io),
            Err(StoreError::NotFound) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn discard(&self, sha256: &str) -> Result<(), StoreError> {
        match std::fs::remove_file(self.path(sha256)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_once_by_digest() {
        let dir = tempfile::tempdir().unwrap();
        let fs = LocalFiles::new(dir.path().join("files")).unwrap();
        let (a, new_a) = fs.put(b"hello").unwrap();
        let (b, new_b) = fs.put(b"hello").unwrap();
        assert_eq!(a, b);
        assert!(new_a && !new_b);
        assert_eq!(fs.get(&a).unwrap(), b"hello");
        assert_eq!(fs.get("../../etc/passwd"), Err(StoreError::NotFound));
        fs.discard(&a).unwrap();
        assert_eq!(fs.get(&a), Err(StoreError::NotFound));
        // No temporary file is left behind.
        let left: Vec<_> = walk(dir.path());
        assert!(left.iter().all(|p| !p.ends_with(".tmp")), "{left:?}");
    }

    fn walk(p: &std::path::Path) -> Vec<String> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(p).unwrap().flatten() {
            if e.path().is_dir() {
                out.extend(walk(&e.path()));
            } else {
                out.push(e.path().display().to_string());
            }
        }
        out
    }
}
