//! PAdES B-T: an RFC 3161 token from a TSA the test runs itself (`openssl ts -reply` behind a
//! tiny loopback HTTP responder).

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use motcua_signing::{Tsa, sign_pdf, verify_pdf};
use motcua_testkit::files;

/// Start the TSA; returns its URL. The thread serves until the test process ends.
fn start_tsa(dir: &Path) -> String {
    require("openssl", "openssl");
    let (key, cert) = (dir.join("tsa.key"), dir.join("tsa.pem"));
    let out = run(Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
        .args(["-subj", "/CN=motcua test TSA/C=VN", "-addext", "extendedKeyUsage=critical,timeStamping"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert));
    assert!(out.ends_with("exit: exit status: 0"), "{out}");
    let cnf = dir.join("tsa.cnf");
    std::fs::write(
        &cnf,
        format!(
            "[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\nserial = {}\ncrypto_device = builtin\nsigner_digest = sha256\n\
             default_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\nordering = yes\ntsa_name = no\n\
             ess_cert_id_chain = no\ness_cert_id_alg = sha256\n",
            dir.join("tsa.serial").display()
        ),
    )
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tsa", listener.local_addr().unwrap());
    let dir: PathBuf = dir.to_owned();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let mut stream = stream.unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            let body_at = loop {
                let read = stream.read(&mut buf).unwrap();
                assert!(read > 0, "client closed early");
                request.extend_from_slice(&buf[..read]);
                if let Some(i) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i + 4;
                }
            };
            let head = String::from_utf8_lossy(&request[..body_at]).to_ascii_lowercase();
            assert!(head.contains("content-type: application/timestamp-query"), "{head}");
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().unwrap())
                .expect("content-length");
            while request.len() < body_at + length {
                let read = stream.read(&mut buf).unwrap();
                request.extend_from_slice(&buf[..read]);
            }
            let (query, reply) = (dir.join(format!("q{n}.tsq")), dir.join(format!("r{n}.tsr")));
            std::fs::write(&query, &request[body_at..]).unwrap();
            let out = run(Command::new("openssl")
                .args(["ts", "-reply", "-config"])
                .arg(dir.join("tsa.cnf"))
                .arg("-queryfile")
                .arg(&query)
                .arg("-signer")
                .arg(dir.join("tsa.pem"))
                .arg("-inkey")
                .arg(dir.join("tsa.key"))
                .arg("-out")
                .arg(&reply));
            assert!(out.ends_with("exit: exit status: 0"), "{out}");
            let body = std::fs::read(&reply).unwrap();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(&body)).unwrap();
        }
    });
    url
}

#[test]
fn signature_and_seal_carry_timestamps_from_the_tsa() {
    let dir = tempfile::tempdir().unwrap();
    let tsa = Tsa::new(start_tsa(dir.path()));
    let pki = pki();
    let pdf = files::pdf("timestamped");
    let signed = sign_pdf(&pdf, &pki.signer(LEADER).unwrap(), meta(LEADER, "Phê duyệt", Some(&tsa))).unwrap();
    let sealed = sign_pdf(&signed, &pki.signer(AGENCY).unwrap(), meta(AGENCY, "Đóng dấu", Some(&tsa))).unwrap();

    let infos = verify_pdf(&sealed, None).unwrap();
    assert_eq!(infos.len(), 2);
    for info in &infos {
        assert!(info.is_valid() && info.timestamped && info.timestamp_ok, "{info:#?}");
        let year = info.timestamp_time.as_deref().expect("genTime");
        assert!(year.starts_with(&jiff::Timestamp::now().strftime("%Y-").to_string()), "{year}");
    }
    let out = pdfsig(dir.path(), &sealed, None);
    assert_eq!(count(&out, "Signature is Valid"), 2, "{out}");
    let nss = nss_trusting(dir.path(), &pki.root.cert_pem);
    let out = pdfsig(dir.path(), &sealed, Some(&nss));
    assert_eq!(count(&out, "Certificate is Trusted"), 2, "{out}");
}

#[test]
fn an_unreachable_or_unsupported_tsa_is_tsa_failed_and_nothing_is_produced() {
    let pki = pki();
    let pdf = files::pdf("no tsa");
    // A port that was just free: nothing listens on it.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for url in [format!("http://127.0.0.1:{port}/tsa"), "https://tsa.example.invalid/".to_owned()] {
        let tsa = Tsa::new(url);
        let err = sign_pdf(&pdf, &pki.signer(LEADER).unwrap(), meta(LEADER, "Phê duyệt", Some(&tsa))).unwrap_err();
        assert_eq!(err.code(), "tsa_failed", "{err}");
    }
}
