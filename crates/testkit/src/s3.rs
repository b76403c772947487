//! A real S3-compatible server for the file-store tests: `s3s-fs` (crates.io, the `s3s`
//! project's file-system backed S3 server: SigV4 authentication checked, payload SHA-256 and
//! Content-MD5 verified, objects kept as plain files under its root). A test server, not
//! production storage. `.ci/run` installs it pinned into `~/.cache/motcua/s3s-fs`.

use motcua_store::files::{S3Config, S3Files};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub const ACCESS_KEY: &str = "motcua-test";
pub const SECRET_KEY: &str = "bi-mat-cua-kho-thu-nghiem";
pub const BUCKET: &str = "motcua-files";

/// The `s3s-fs` binary (`MOTCUA_S3S_FS`, else where `.ci/run` installs it).
pub fn binary() -> PathBuf {
    let bin = std::env::var_os("MOTCUA_S3S_FS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/motcua/s3s-fs/bin/s3s-fs"));
    assert!(
        bin.is_file(),
        "the S3 file-store tests need s3s-fs at {} (run .ci/run, or `cargo install s3s-fs@0.14.1 --features binary --locked \
         --root ~/.cache/motcua/s3s-fs`, or set MOTCUA_S3S_FS)",
        bin.display()
    );
    bin
}

/// One server on a free loopback port over a fresh folder, with the bucket `BUCKET`
/// created through the S3 API; stopped when dropped.
pub struct S3Server {
    child: Child,
    pub endpoint: String,
    root: tempfile::TempDir,
}

impl S3Server {
    pub fn start() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(binary())
            .args(["--host", "127.0.0.1", "--port", "0", "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(root.path())
            .env("RUST_LOG", "s3s_fs=info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start s3s-fs");
        // The server names its address once listening (port 0: no race for a port); the
        // rest of its output is drained so it never blocks on a full pipe.
        let lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in lines.map_while(Result::ok) {
                if let Some(at) = l.find("server is running at ") {
                    let _ = tx.send(l[at + "server is running at ".len()..].trim().to_string());
                }
            }
        });
        let endpoint = match rx.recv_timeout(std::time::Duration::from_secs(30)) {
            Ok(e) => e,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("s3s-fs did not start listening within 30 s");
            }
        };
        let server = Self { child, endpoint, root };
        S3Files::new(server.config()).expect("client").create_bucket().expect("create the bucket");
        server
    }

    /// Settings for the app's `[files.s3]`.
    pub fn config(&self) -> S3Config {
        S3Config {
            endpoint: self.endpoint.clone(),
            bucket: BUCKET.into(),
            access_key_id: ACCESS_KEY.into(),
            secret_access_key: SECRET_KEY.into(),
            timeout_secs: 10,
            ..S3Config::default()
        }
    }

    /// Where the server keeps the object of `sha256` on its disk (for tests that alter or
    /// remove stored bytes behind the store's back, as a failing disk or an operator would).
    pub fn object_path(&self, sha256: &str) -> PathBuf {
        self.root.path().join(BUCKET).join("files").join(&sha256[..2]).join(sha256)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
