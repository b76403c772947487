//! RFC 3161 time-stamp requests over plain HTTP/1.1 (PAdES B-T).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::asn1::{Any, GeneralizedTime, Int, OctetString};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;

use crate::SignError;
use crate::keys::sha256_algorithm;

/// The largest TSA response accepted.
const MAX_RESPONSE: usize = 256 * 1024;

/// A time-stamping authority reachable at an `http://` URL.
#[derive(Clone, Debug)]
pub struct Tsa {
    /// `http://host[:port][/path]`; HTTPS is not supported (TSA responses are signed, and the
    /// public Vietnamese TSAs answer on plain HTTP).
    pub url: String,
    /// Connect/read timeout.
    pub timeout: Duration,
}

impl Tsa {
    /// A TSA at `url` with a 10-second timeout.
    pub fn new(url: impl Into<String>) -> Self {
        Tsa { url: url.into(), timeout: Duration::from_secs(10) }
    }

    /// Ask for a token over the SHA-256 `digest` and return the TimeStampToken (DER
    /// ContentInfo) after checking it is granted and stamps exactly that digest.
    pub(crate) fn timestamp(&self, digest: &[u8; 32]) -> Result<Vec<u8>, SignError> {
        let nonce: u64 = rand_core::RngCore::next_u64(&mut rand_core::OsRng) >> 1;
        let request = TimeStampReq {
            version: 1,
            message_imprint: MessageImprint {
                hash_algorithm: sha256_algorithm(),
                hashed_message: OctetString::new(digest.to_vec())?,
            },
            nonce: Some(Int::new(&nonce.to_be_bytes())?),
            cert_req: true,
        };
        let body = post(&self.url, &request.to_der()?, self.timeout)?;
        let token = token_from_response(&body)?;
        let info = tst_info(&token)?;
        if !info.stamps(digest) {
            return Err(SignError::TsaFailed("the token stamps another digest".into()));
        }
        if info.nonce.as_ref().map(|n| n.as_bytes()) != Some(Int::new(&nonce.to_be_bytes())?.as_bytes()) {
            return Err(SignError::TsaFailed("the token's nonce differs from the request's".into()));
        }
        Ok(token)
    }
}

#[derive(Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

#[derive(Sequence)]
struct TimeStampReq {
    version: u8,
    message_imprint: MessageImprint,
    nonce: Option<Int>,
    cert_req: bool,
}

/// TSTInfo, up to the fields we read (the rest are kept as raw values).
#[derive(Sequence)]
pub(crate) struct TstInfo {
    version: u8,
    policy: der::asn1::ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Int,
    pub gen_time: GeneralizedTime,
    #[asn1(optional = "true")]
    accuracy: Option<Any>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<Any>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<Any>,
}

impl TstInfo {
    /// Whether the token stamps the SHA-256 `digest`.
    pub(crate) fn stamps(&self, digest: &[u8; 32]) -> bool {
        self.message_imprint.hash_algorithm.oid == const_oid::db::rfc5912::ID_SHA_256
            && self.message_imprint.hashed_message.as_bytes() == digest
    }
}

/// The TSTInfo inside a TimeStampToken.
pub(crate) fn tst_info(token: &[u8]) -> Result<TstInfo, SignError> {
    let fail = |e: der::Error| SignError::TsaFailed(format!("the token cannot be read: {e}"));
    let info = ContentInfo::from_der(token).map_err(fail)?;
    let signed: SignedData = info.content.decode_as().map_err(fail)?;
    let content = signed.encap_content_info.econtent.ok_or_else(|| SignError::TsaFailed("the token has no TSTInfo".into()))?;
    let octets: OctetString = content.decode_as().map_err(fail)?;
    TstInfo::from_der(octets.as_bytes()).map_err(fail)
}

/// TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken OPTIONAL }
fn token_from_response(body: &[u8]) -> Result<Vec<u8>, SignError> {
    let fail = |e: der::Error| SignError::TsaFailed(format!("the response cannot be read: {e}"));
    let parts: Vec<Any> = Vec::from_der(body).map_err(fail)?;
    let status_info: Vec<Any> =
        parts.first().ok_or_else(|| SignError::TsaFailed("empty response".into()))?.decode_as().map_err(fail)?;
    let status: u8 = status_info.first().ok_or_else(|| SignError::TsaFailed("no status".into()))?.decode_as().map_err(fail)?;
    // 0 granted, 1 granted with modifications.
    if status > 1 {
        return Err(SignError::TsaFailed(format!("the TSA refused the request (status {status})")));
    }
    let token = parts.get(1).ok_or_else(|| SignError::TsaFailed("granted but no token".into()))?;
    Ok(token.to_der()?)
}

/// POST `body` as `application/timestamp-query` and return the response body.
fn post(url: &str, body: &[u8], timeout: Duration) -> Result<Vec<u8>, SignError> {
    let fail = |m: String| SignError::TsaFailed(m);
    let rest = url.strip_prefix("http://").ok_or_else(|| fail(format!("only http:// TSA URLs are supported: {url}")))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr_text = if authority.contains(':') { authority.to_owned() } else { format!("{authority}:80") };
    let addr = addr_text
        .to_socket_addrs()
        .map_err(|e| fail(format!("{authority}: {e}")))?
        .next()
        .ok_or_else(|| fail(format!("{authority}: no address")))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| fail(format!("{url}: {e}")))?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|_| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| fail(e.to_string()))?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/timestamp-query\r\nAccept: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(body)).map_err(|e| fail(format!("{url}: {e}")))?;
    let mut response = Vec::new();
    stream.take(MAX_RESPONSE as u64 + 1).read_to_end(&mut response).map_err(|e| fail(format!("{url}: {e}")))?;
    if response.len() > MAX_RESPONSE {
        return Err(fail("the response is too large".into()));
    }
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| fail("no HTTP header".into()))?;
    let header = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    let body = &response[split + 4..];
    let status_ok = header.lines().next().is_some_and(|l| l.split_whitespace().nth(1) == Some("200"));
    if !status_ok {
        return Err(fail(format!("HTTP status: {}", header.lines().next().unwrap_or(""))));
    }
    if header.lines().any(|l| l.starts_with("transfer-encoding:") && l.contains("chunked")) {
        return dechunk(body).ok_or_else(|| fail("malformed chunked body".into()));
    }
    Ok(body.to_vec())
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&body[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dechunks() {
        assert_eq!(super::dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").as_deref(), Some(&b"abcde"[..]));
        assert_eq!(super::dechunk(b"9\r\nabc"), None);
    }
}
