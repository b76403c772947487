//! A lean HTTP/1.1 keep-alive client for `bench load`.
//!
//! The tool shares the machine's two cores with the server it measures, so whatever it
//! spends per request is taken from the server. As wrk does, a request is bytes encoded
//! once and written whole, and an answer is framed by `Content-Length` (or chunks) and kept
//! as bytes; nothing is parsed that the operation does not need. A general client (cookie
//! jar, pool, redirects, JSON both ways) cost about a quarter of the server's own CPU per
//! filing (docs/benchmarks.md).

use anyhow::{Context, Result, bail};
use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Headers read per answer; a server sending more is refused (bounded parsing).
const MAX_HEADERS: usize = 48;
/// Largest answer kept (bounded memory): the dossier page's JSON is far below.
const MAX_ANSWER: usize = 16 << 20;

/// Where the server listens, from a base URL such as `http://127.0.0.1:8080`.
#[derive(Clone, Debug)]
pub struct Target {
    pub addr: SocketAddr,
    /// The `Host` header.
    pub host: String,
}

impl Target {
    pub fn parse(base: &str) -> Result<Self> {
        let rest =
            base.strip_prefix("http://").context("bench load speaks plain HTTP on loopback: the URL starts with http://")?;
        let host = rest.split('/').next().unwrap_or_default().to_string();
        // Resolved once, before the load (a blocking lookup is fine here).
        let addr = std::net::ToSocketAddrs::to_socket_addrs(host.as_str())
            .with_context(|| format!("cannot resolve {host}"))?
            .next()
            .with_context(|| format!("{host} has no address"))?;
        Ok(Target { addr, host })
    }
}

/// One request, encoded once.
pub fn request(t: &Target, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Vec<u8> {
    let mut r = Vec::with_capacity(256 + body.map_or(0, <[u8]>::len));
    r.extend_from_slice(format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", t.host).as_bytes());
    for (k, v) in headers {
        r.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    if let Some(b) = body {
        r.extend_from_slice(format!("Content-Type: application/json\r\nContent-Length: {}\r\n\r\n", b.len()).as_bytes());
        r.extend_from_slice(b);
    } else {
        r.extend_from_slice(b"\r\n");
    }
    r
}

/// An answer: its status, the `Set-Cookie` values (`name=value` only) and the body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub cookies: Vec<String>,
    pub body: Vec<u8>,
}

/// One keep-alive connection, opened on first use and again after the server closed it.
pub struct Conn {
    target: SocketAddr,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

impl Conn {
    pub fn new(t: &Target) -> Self {
        Conn { target: t.addr, stream: None, buf: Vec::with_capacity(16 << 10) }
    }

    /// Sends one request and reads its whole answer. A request is never sent twice: on
    /// any error the connection is dropped and the next request opens a new one.
    pub async fn send(&mut self, request: &[u8]) -> io::Result<Answer> {
        let r = self.exchange(request).await;
        if !matches!(&r, Ok((_, true))) {
            self.stream = None;
        }
        r.map(|(a, _)| a)
    }

    async fn exchange(&mut self, request: &[u8]) -> io::Result<(Answer, bool)> {
        if self.stream.is_none() {
            let s = TcpStream::connect(self.target).await?;
            s.set_nodelay(true)?;
            self.stream = Some(s);
        }
        let s = self.stream.as_mut().unwrap_or_else(|| unreachable!());
        s.write_all(request).await?;
        self.buf.clear();
        // The head.
        let (status, head_len, framing, keep_alive, cookies) = loop {
            if let Some(head) = parse_head(&self.buf)? {
                break head;
            }
            read_more(s, &mut self.buf).await?;
        };
        let body = match framing {
            Framing::Length(n) => {
                if n > MAX_ANSWER {
                    return Err(invalid("answer too large"));
                }
                while self.buf.len() < head_len + n {
                    read_more(s, &mut self.buf).await?;
                }
                self.buf[head_len..head_len + n].to_vec()
            }
            Framing::Chunked => {
                let mut body = Vec::new();
                let mut at = head_len;
                loop {
                    match httparse::parse_chunk_size(&self.buf[at..]) {
                        Ok(httparse::Status::Complete((used, 0))) => {
                            // The last chunk, then an empty trailer line.
                            while self.buf.len() < at + used + 2 {
                                read_more(s, &mut self.buf).await?;
                            }
                            break;
                        }
                        Ok(httparse::Status::Complete((used, size))) => {
                            let size = usize::try_from(size).map_err(|_| invalid("chunk too large"))?;
                            if body.len() + size > MAX_ANSWER {
                                return Err(invalid("answer too large"));
                            }
                            while self.buf.len() < at + used + size + 2 {
                                read_more(s, &mut self.buf).await?;
                            }
                            body.extend_from_slice(&self.buf[at + used..at + used + size]);
                            at += used + size + 2;
                        }
                        Ok(httparse::Status::Partial) => read_more(s, &mut self.buf).await?,
                        Err(_) => return Err(invalid("bad chunk size")),
                    }
                }
                body
            }
            Framing::None => Vec::new(),
        };
        Ok((Answer { status, cookies, body }, keep_alive))
    }
}

enum Framing {
    Length(usize),
    Chunked,
    None,
}

type Head = (u16, usize, Framing, bool, Vec<String>);

fn parse_head(buf: &[u8]) -> io::Result<Option<Head>> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut headers);
    let head_len = match resp.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() < 64 << 10 => return Ok(None),
        Ok(httparse::Status::Partial) => return Err(invalid("head too large")),
        Err(e) => return Err(invalid(&format!("bad answer: {e}"))),
    };
    let status = resp.code.unwrap_or_default();
    let mut framing = if matches!(status, 100..=199 | 204 | 304) { Framing::None } else { Framing::Length(0) };
    let mut keep_alive = true;
    let mut cookies = Vec::new();
    for h in resp.headers.iter() {
        let v = std::str::from_utf8(h.value).unwrap_or_default();
        if h.name.eq_ignore_ascii_case("content-length") && !matches!(framing, Framing::None) {
            framing = Framing::Length(v.trim().parse().map_err(|_| invalid("bad Content-Length"))?);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked") {
            framing = Framing::Chunked;
        } else if h.name.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close") {
            keep_alive = false;
        } else if h.name.eq_ignore_ascii_case("set-cookie") {
            cookies.push(v.split(';').next().unwrap_or_default().trim().to_string());
        }
    }
    Ok(Some((status, head_len, framing, keep_alive, cookies)))
}

async fn read_more(s: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<()> {
    buf.reserve(16 << 10);
    if s.read_buf(buf).await? == 0 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed the connection"));
    }
    Ok(())
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_string())
}

/// Signs in through `POST /api/v1/auth/login`: the session cookie and the CSRF token.
pub async fn login(t: &Target, user: &str, password: &str) -> Result<(String, String)> {
    let body = serde_json::to_vec(&serde_json::json!({"username": user, "password": password}))?;
    let mut c = Conn::new(t);
    let a = c
        .send(&request(t, "POST", "/api/v1/auth/login", &[], Some(&body)))
        .await
        .with_context(|| format!("cannot reach {}", t.host))?;
    if a.status != 200 {
        bail!("login {user}: {} {}", a.status, String::from_utf8_lossy(&a.body));
    }
    let v: serde_json::Value = serde_json::from_slice(&a.body).context("login answer")?;
    let csrf = v["csrf_token"].as_str().unwrap_or_default().to_string();
    Ok((a.cookies.join("; "), csrf))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A loopback server that answers one keep-alive connection with the given raw answers.
    async fn serve(answers: Vec<&'static [u8]>) -> Target {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            for a in answers {
                let _ = s.read(&mut buf).await.unwrap();
                // Split the answer to exercise reading in pieces.
                let (x, y) = a.split_at(a.len() / 2);
                s.write_all(x).await.unwrap();
                s.flush().await.unwrap();
                tokio::task::yield_now().await;
                s.write_all(y).await.unwrap();
            }
        });
        Target { addr, host: addr.to_string() }
    }

    #[tokio::test]
    async fn reads_length_and_chunked_answers_on_one_connection() {
        let t = serve(vec![
            b"HTTP/1.1 201 Created\r\nSet-Cookie: motcua_session=abc; Path=/; HttpOnly\r\nContent-Length: 5\r\n\r\nhello",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n",
            b"HTTP/1.1 204 No Content\r\n\r\n",
        ])
        .await;
        let mut c = Conn::new(&t);
        let req = request(&t, "GET", "/", &[], None);
        let a = c.send(&req).await.unwrap();
        assert_eq!((a.status, a.body.as_slice(), a.cookies), (201, &b"hello"[..], vec!["motcua_session=abc".to_string()]));
        let a = c.send(&req).await.unwrap();
        assert_eq!((a.status, a.body.as_slice()), (200, &b"abcdefg"[..]));
        let a = c.send(&req).await.unwrap();
        assert_eq!((a.status, a.body.len()), (204, 0));
    }

    #[tokio::test]
    async fn a_closed_connection_is_an_error_not_an_answer() {
        let t = serve(vec![b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"]).await;
        let mut c = Conn::new(&t);
        let e = c.send(&request(&t, "GET", "/", &[], None)).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn a_request_is_encoded_once_with_its_length() {
        let t = Target { addr: "127.0.0.1:1".parse().unwrap(), host: "127.0.0.1:1".into() };
        let r = request(&t, "POST", "/x", &[("x-csrf-token", "k")], Some(b"{}"));
        assert_eq!(
            String::from_utf8(r).unwrap(),
            "POST /x HTTP/1.1\r\nHost: 127.0.0.1:1\r\nx-csrf-token: k\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        );
    }
}
