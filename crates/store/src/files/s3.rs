//! The file store on S3-compatible object storage (issue #19): the same content-addressed
//! layout as the filesystem (`<prefix>/<aa>/<sha256>`), spoken over HTTP with AWS Signature
//! Version 4. The client is blocking (`ureq`, no async runtime of its own) because the
//! `FileStore` trait is synchronous and its callers run it on blocking threads.
//!
//! Integrity: every upload is signed over its payload's SHA-256 (`x-amz-content-sha256`),
//! which is the object's key, so the server refuses bytes that do not match; every download
//! is hashed again and refused when it differs from its key.

use super::{FileStore, sha256_hex};
use crate::StoreError;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// `[files.s3]`: where the objects live.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct S3Config {
    /// `http(s)://host[:port]` of the S3-compatible service.
    pub endpoint: String,
    pub bucket: String,
    /// The signing region (`us-east-1` for most self-hosted servers).
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// `true`: `endpoint/bucket/key` (MinIO, Garage, Ceph); `false`: `bucket.host/key`.
    pub path_style: bool,
    /// Key prefix inside the bucket (no leading or trailing `/`); empty = the bucket's root.
    pub prefix: String,
    /// Bound on one request, connection included.
    pub timeout_secs: u64,
    /// Further tries after a network error or a 5xx answer (with a growing pause).
    pub retries: u32,
    /// The largest object read back (a bound on memory: uploads are bounded before).
    pub max_object_bytes: u64,
}

impl Default for S3Config {
    fn default() -> Self {
        Self {
            endpoint: String::new(),
            bucket: String::new(),
            region: "us-east-1".into(),
            access_key_id: String::new(),
            secret_access_key: String::new(),
            path_style: true,
            prefix: "files".into(),
            timeout_secs: 30,
            retries: 2,
            max_object_bytes: 256 * 1024 * 1024,
        }
    }
}

impl std::fmt::Debug for S3Config {
    // The secret stays out of logs and start-up dumps.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"…")
            .field("path_style", &self.path_style)
            .field("prefix", &self.prefix)
            .field("timeout_secs", &self.timeout_secs)
            .field("retries", &self.retries)
            .field("max_object_bytes", &self.max_object_bytes)
            .finish()
    }
}

/// What `copy_from_dir` did.
#[derive(Debug, Default, PartialEq)]
pub struct CopyReport {
    pub copied: u64,
    pub bytes: u64,
    /// Already in the bucket.
    pub present: u64,
    /// Digest and why.
    pub failed: Vec<(String, String)>,
}

pub struct S3Files {
    cfg: S3Config,
    agent: ureq::Agent,
    /// `scheme://authority` the requests go to (with the bucket for virtual-host style).
    base: String,
    /// The `host` header as signed.
    host: String,
    /// `/bucket` (path style) or empty.
    bucket_path: String,
}

/// One answer: its status and, when asked for (or an error), its body.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

enum Body<'a> {
    Empty,
    Bytes(&'a [u8]),
    File(&'a std::path::Path),
}

impl S3Files {
    /// The client; nothing is sent (see `check`).
    pub fn new(cfg: S3Config) -> Result<Self, StoreError> {
        let bad = |m: &str| StoreError::Backend(format!("[files.s3] {m}"));
        let (scheme, rest) = cfg.endpoint.split_once("://").ok_or_else(|| bad("endpoint must start with http:// or https://"))?;
        if scheme != "http" && scheme != "https" {
            return Err(bad("endpoint must start with http:// or https://"));
        }
        let authority = rest.trim_end_matches('/');
        if authority.is_empty() || authority.contains('/') || authority.contains('@') {
            return Err(bad("endpoint must be scheme://host[:port], without a path or credentials"));
        }
        if cfg.bucket.is_empty()
            || !cfg.bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        {
            return Err(bad("bucket must be set (lowercase letters, digits, '-' and '.')"));
        }
        if cfg.access_key_id.is_empty() || cfg.secret_access_key.is_empty() {
            return Err(bad("access_key_id and secret_access_key must be set"));
        }
        if cfg.prefix.starts_with('/') || cfg.prefix.ends_with('/') {
            return Err(bad("prefix must not start or end with '/'"));
        }
        // The default port is left out of the signed host, as clients send it.
        let authority = match scheme {
            "http" => authority.strip_suffix(":80").unwrap_or(authority),
            _ => authority.strip_suffix(":443").unwrap_or(authority),
        };
        let (host, bucket_path) = if cfg.path_style {
            (authority.to_string(), format!("/{}", cfg.bucket))
        } else {
            (format!("{}.{authority}", cfg.bucket), String::new())
        };
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(cfg.timeout_secs.max(1))))
                .max_idle_connections_per_host(8)
                .build(),
        );
        Ok(Self { base: format!("{scheme}://{host}"), host, bucket_path, agent, cfg })
    }

    /// Where the files are, for messages (never the keys).
    pub fn describe(&self) -> String {
        format!("{} bucket {}", self.cfg.endpoint, self.cfg.bucket)
    }

    /// Whether the bucket answers with these credentials (the start-up check).
    pub fn check(&self) -> Result<(), StoreError> {
        let a = self.send("HEAD", &self.bucket_path_or_root(), "", Body::Empty, false)?;
        match a.status {
            200 => Ok(()),
            404 => Err(StoreError::Backend(format!("file store: {}: the bucket does not exist", self.describe()))),
            401 | 403 => Err(StoreError::Backend(format!(
                "file store: {}: access refused (check access_key_id and secret_access_key)",
                self.describe()
            ))),
            s => Err(StoreError::Backend(format!("file store: {}: unexpected HTTP {s}", self.describe()))),
        }
    }

    /// Creates the bucket (the tests' fresh server; an operator creates it with the
    /// storage's own tools). An existing bucket of ours is fine.
    pub fn create_bucket(&self) -> Result<(), StoreError> {
        // An empty body with its length (servers refuse a PUT without one).
        let a = self.send("PUT", &self.bucket_path_or_root(), "", Body::Bytes(&[]), false)?;
        match a.status {
            200..=299 => Ok(()),
            409 if String::from_utf8_lossy(&a.body).contains("BucketAlreadyOwnedByYou") => Ok(()),
            s => Err(self.unexpected("create bucket", s, &a.body)),
        }
    }

    fn bucket_path_or_root(&self) -> String {
        if self.bucket_path.is_empty() { "/".into() } else { self.bucket_path.clone() }
    }

    fn key(&self, sha: &str) -> Result<String, StoreError> {
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound);
        }
        let sha = sha.to_ascii_lowercase();
        Ok(if self.cfg.prefix.is_empty() {
            format!("{}/{sha}", &sha[..2])
        } else {
            format!("{}/{}/{sha}", self.cfg.prefix, &sha[..2])
        })
    }

    fn object_path(&self, key: &str) -> String {
        format!("{}/{}", self.bucket_path, uri_encode(key, false))
    }

    /// Every digest stored under the prefix (ListObjectsV2, page by page).
    pub fn list(&self) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        let prefix = if self.cfg.prefix.is_empty() { String::new() } else { format!("{}/", self.cfg.prefix) };
        loop {
            let mut q = vec![("list-type".to_string(), "2".to_string()), ("prefix".to_string(), prefix.clone())];
            if let Some(t) = &token {
                q.push(("continuation-token".into(), t.clone()));
            }
            q.sort();
            let query =
                q.iter().map(|(k, v)| format!("{}={}", uri_encode(k, true), uri_encode(v, true))).collect::<Vec<_>>().join("&");
            let a = self.send("GET", &self.bucket_path_or_root(), &query, Body::Empty, true)?;
            if a.status != 200 {
                return Err(self.unexpected("list", a.status, &a.body));
            }
            let xml = String::from_utf8_lossy(&a.body);
            for key in tags(&xml, "Key") {
                let name = key.rsplit('/').next().unwrap_or("");
                if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
                    out.push(name.to_string());
                }
            }
            let truncated = tags(&xml, "IsTruncated").next() == Some("true");
            token = tags(&xml, "NextContinuationToken").next().map(|t| t.replace("&amp;", "&"));
            if !truncated || token.is_none() {
                return Ok(out);
            }
        }
    }

    /// Copies every file of a local store's folder (`<root>/<aa>/<sha256>`) into the bucket,
    /// streaming each under its name's digest (the server refuses bytes that differ).
    /// Idempotent: what the bucket holds is skipped. A file that fails is named and the
    /// copy goes on.
    pub fn copy_from_dir(&self, root: &std::path::Path) -> Result<CopyReport, StoreError> {
        let mut report = CopyReport::default();
        let mut dirs: Vec<_> =
            std::fs::read_dir(root).map_err(super::io)?.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
        dirs.sort();
        for dir in dirs {
            let mut files: Vec<_> = std::fs::read_dir(&dir).map_err(super::io)?.flatten().map(|e| e.path()).collect();
            files.sort();
            for path in files {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
                if name.len() != 64 || !name.bytes().all(|b| b.is_ascii_hexdigit()) {
                    continue; // a temporary file of an interrupted write
                }
                let size = path.metadata().map(|m| m.len()).unwrap_or(0);
                match self.put_file(&path, &name) {
                    Ok((_, true)) => {
                        report.copied += 1;
                        report.bytes += size;
                    }
                    Ok((_, false)) => report.present += 1,
                    Err(e) => report.failed.push((name, e.to_string())),
                }
            }
        }
        Ok(report)
    }

    fn unexpected(&self, what: &str, status: u16, body: &[u8]) -> StoreError {
        // The S3 error code (`<Code>…</Code>`) says why; the body carries no secret.
        let text = String::from_utf8_lossy(body);
        let code = tags(&text, "Code").next().unwrap_or("").to_string();
        StoreError::Backend(format!("file store: {}: {what}: HTTP {status} {code}", self.describe()))
    }

    /// One signed request, tried again after a network error or a 5xx answer.
    fn send(&self, method: &str, path: &str, query: &str, body: Body<'_>, read: bool) -> Result<Answer, StoreError> {
        let mut pause = Duration::from_millis(200);
        let mut tries = 0;
        loop {
            tries += 1;
            match self.send_once(method, path, query, &body, read) {
                Ok(a) if a.status >= 500 && tries <= self.cfg.retries => {}
                Ok(a) => return Ok(a),
                Err(e) if tries <= self.cfg.retries => {
                    tracing::warn!(error = %e, method, try_ = tries, "file store request failed; trying again");
                }
                Err(e) => return Err(e),
            }
            std::thread::sleep(pause);
            pause *= 2;
        }
    }

    fn send_once(&self, method: &str, path: &str, query: &str, body: &Body<'_>, read: bool) -> Result<Answer, StoreError> {
        let payload_hash = match body {
            Body::Empty => hex::encode(Sha256::digest(b"")),
            Body::Bytes(b) => sha256_hex(b),
            // The caller's digest of the file is its key: the server checks it.
            Body::File(_) => path.rsplit('/').next().unwrap_or_default().to_string(),
        };
        let now = jiff::Timestamp::now();
        let amz_date = now.strftime("%Y%m%dT%H%M%SZ").to_string();
        let auth = self.authorization(method, path, query, &payload_hash, &amz_date);
        let url = if query.is_empty() { format!("{}{path}", self.base) } else { format!("{}{path}?{query}", self.base) };
        let req = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .header("host", &self.host)
            .header("x-amz-date", &amz_date)
            .header("x-amz-content-sha256", &payload_hash)
            .header("authorization", auth);
        let net = |e: ureq::Error| StoreError::Unavailable(format!("file store: {}: {method}: {e}", self.describe()));
        let resp = match body {
            Body::Empty => {
                let req = req.body(()).map_err(|e| StoreError::Backend(e.to_string()))?;
                self.agent.run(req)
            }
            Body::Bytes(b) => {
                let req = req.body(*b).map_err(|e| StoreError::Backend(e.to_string()))?;
                self.agent.run(req)
            }
            Body::File(p) => {
                let f = std::fs::File::open(p).map_err(super::io)?;
                let req = req.body(f).map_err(|e| StoreError::Backend(e.to_string()))?;
                self.agent.run(req)
            }
        }
        .map_err(net)?;
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        if read || status >= 300 {
            let limit = if status < 300 { self.cfg.max_object_bytes } else { 64 * 1024 };
            body = resp.into_body().into_with_config().limit(limit).read_to_vec().map_err(net)?;
        }
        Ok(Answer { status, body })
    }

    /// AWS Signature Version 4 over the method, path, query, host, date and payload hash.
    fn authorization(&self, method: &str, path: &str, query: &str, payload_hash: &str, amz_date: &str) -> String {
        let date = &amz_date[..8];
        let signed_headers = "host;x-amz-content-sha256;x-amz-date";
        let canonical = format!(
            "{method}\n{path}\n{query}\nhost:{}\nx-amz-content-sha256:{payload_hash}\nx-amz-date:{amz_date}\n\n{signed_headers}\n{payload_hash}",
            self.host
        );
        let scope = format!("{date}/{}/s3/aws4_request", self.cfg.region);
        let to_sign = format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex::encode(Sha256::digest(canonical.as_bytes())));
        let mut key = hmac(format!("AWS4{}", self.cfg.secret_access_key).as_bytes(), date.as_bytes());
        for part in [self.cfg.region.as_str(), "s3", "aws4_request"] {
            key = hmac(&key, part.as_bytes());
        }
        let signature = hex::encode(hmac(&key, to_sign.as_bytes()));
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            self.cfg.access_key_id
        )
    }

    fn upload(&self, sha: &str, body: Body<'_>) -> Result<(String, bool), StoreError> {
        let path = self.object_path(&self.key(sha)?);
        if self.head(&path)? {
            return Ok((sha.to_string(), false));
        }
        let a = self.send("PUT", &path, "", body, false)?;
        match a.status {
            200..=299 => Ok((sha.to_string(), true)),
            _ => Err(self.unexpected("upload", a.status, &a.body)),
        }
    }

    fn head(&self, path: &str) -> Result<bool, StoreError> {
        let a = self.send("HEAD", path, "", Body::Empty, false)?;
        match a.status {
            200 => Ok(true),
            404 => Ok(false),
            s => Err(self.unexpected("exists", s, &a.body)),
        }
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// S3's URI encoding: unreserved characters stay, `/` stays in a path, the rest is `%XX`.
fn uri_encode(s: &str, encode_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            b'/' if !encode_slash => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The texts of `<tag>…</tag>` in a small XML answer (S3's list and error documents).
fn tags<'a>(xml: &'a str, tag: &str) -> impl Iterator<Item = &'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut rest = xml;
    std::iter::from_fn(move || {
        let start = rest.find(&open)? + open.len();
        let len = rest[start..].find(&close)?;
        let text = &rest[start..start + len];
        rest = &rest[start + len + close.len()..];
        Some(text)
    })
}

impl FileStore for S3Files {
    fn put(&self, bytes: &[u8]) -> Result<(String, bool), StoreError> {
        self.upload(&sha256_hex(bytes), Body::Bytes(bytes))
    }

    /// Streams the file from disk (not held in memory), signed with the caller's digest.
    fn put_file(&self, src: &std::path::Path, sha256: &str) -> Result<(String, bool), StoreError> {
        self.upload(sha256, Body::File(src))
    }

    fn get(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        let bytes = self.get_unverified(sha256)?;
        if !sha256_hex(&bytes).eq_ignore_ascii_case(sha256) {
            // Bytes that are not those of their key are never served.
            return Err(StoreError::Backend(format!(
                "file store: {}: object {sha256} does not match its digest",
                self.describe()
            )));
        }
        Ok(bytes)
    }

    fn get_unverified(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.object_path(&self.key(sha256)?);
        let a = self.send("GET", &path, "", Body::Empty, true)?;
        match a.status {
            200 => Ok(a.body),
            404 => Err(StoreError::NotFound),
            s => Err(self.unexpected("read", s, &a.body)),
        }
    }

    fn exists(&self, sha256: &str) -> Result<bool, StoreError> {
        match self.key(sha256) {
            Ok(k) => self.head(&self.object_path(&k)),
            Err(StoreError::NotFound) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn discard(&self, sha256: &str) -> Result<(), StoreError> {
        let path = self.object_path(&self.key(sha256)?);
        let a = self.send("DELETE", &path, "", Body::Empty, false)?;
        match a.status {
            200..=299 | 404 => Ok(()),
            s => Err(self.unexpected("delete", s, &a.body)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The signing key derivation and signature of AWS's published SigV4 example
    /// (GET object, `examplebucket`, 2013-05-24), so a mistake in the signer shows here.
    #[test]
    fn signs_like_the_aws_example() {
        let s = S3Files::new(S3Config {
            endpoint: "https://s3.amazonaws.com".into(),
            bucket: "examplebucket".into(),
            region: "us-east-1".into(),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            path_style: false,
            ..S3Config::default()
        })
        .unwrap();
        assert_eq!(s.host, "examplebucket.s3.amazonaws.com");
        // The example signs `range` too; this signer signs the three headers it sends, so
        // the check is on the example without `range` (list objects, also published).
        let auth = s.authorization(
            "GET",
            "/",
            "max-keys=2&prefix=J",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "20130524T000000Z",
        );
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;x-amz-content-sha256;x-amz-date, \
             Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
        );
    }

    #[test]
    fn refuses_bad_settings_and_digests() {
        let ok = S3Config {
            endpoint: "http://127.0.0.1:9000".into(),
            bucket: "motcua".into(),
            access_key_id: "k".into(),
            secret_access_key: "s".into(),
            ..S3Config::default()
        };
        for bad in [
            S3Config { endpoint: "127.0.0.1:9000".into(), ..ok.clone() },
            S3Config { endpoint: "http://127.0.0.1:9000/path".into(), ..ok.clone() },
            S3Config { bucket: "Bad_Bucket".into(), ..ok.clone() },
            S3Config { secret_access_key: String::new(), ..ok.clone() },
            S3Config { prefix: "/files".into(), ..ok.clone() },
        ] {
            assert!(S3Files::new(bad).is_err());
        }
        let s = S3Files::new(ok).unwrap();
        assert_eq!(s.key("../../etc/passwd"), Err(StoreError::NotFound));
        assert_eq!(s.key(&"AB".repeat(32)).unwrap(), format!("files/ab/{}", "ab".repeat(32)));
        assert!(format!("{:?}", s.cfg).contains("secret_access_key: \"…\""));
    }
}
