//! Signing a one-page PDF: the leader's signature (P-256 or RSA-2048, full save), the agency's
//! seal (RSA-2048, incremental update), both, and verifying the result.
//! Run: `cargo bench -p motcua-signing` (release). Figures are in docs/benchmarks.md.

use std::sync::LazyLock;

use divan::{Bencher, black_box};
use jiff::Timestamp;
use motcua_signing::pki::{DemoPki, KeyAlgorithm};
use motcua_signing::{FileSigner, SignMeta, sign_pdf, verify_pdf};

fn main() {
    divan::main();
}

const AGENCY: &str = "UBND xã Hoa Lư";
const LEADER_P256: &str = "Nguyễn Văn An";
const LEADER_RSA: &str = "Trần Thị Bình";

static PKI: LazyLock<DemoPki> = LazyLock::new(|| {
    DemoPki::generate(
        &[(AGENCY, KeyAlgorithm::Rsa2048)],
        &[(LEADER_P256, KeyAlgorithm::P256), (LEADER_RSA, KeyAlgorithm::Rsa2048)],
        Timestamp::now(),
    )
    .unwrap()
});
static PDF: LazyLock<Vec<u8>> = LazyLock::new(|| motcua_testkit::files::pdf("Giay chung nhan so 42"));
static SIGNED: LazyLock<Vec<u8>> = LazyLock::new(|| sign_pdf(&PDF, &signer(LEADER_P256), meta(LEADER_P256)).unwrap());

fn signer(name: &str) -> FileSigner {
    PKI.signer(name).unwrap()
}

fn meta(name: &str) -> SignMeta<'_> {
    SignMeta { reason: "Phê duyệt", location: "Ninh Bình", name, time: Timestamp::now(), tsa: None, crl: None }
}

#[divan::bench]
fn sign_p256(bencher: Bencher) {
    let leader = signer(LEADER_P256);
    bencher.bench(|| sign_pdf(black_box(&PDF), &leader, meta(LEADER_P256)).unwrap());
}

#[divan::bench]
fn sign_rsa2048(bencher: Bencher) {
    let leader = signer(LEADER_RSA);
    bencher.bench(|| sign_pdf(black_box(&PDF), &leader, meta(LEADER_RSA)).unwrap());
}

#[divan::bench]
fn seal_rsa2048_incremental(bencher: Bencher) {
    let agency = signer(AGENCY);
    bencher.bench(|| sign_pdf(black_box(&SIGNED), &agency, meta(AGENCY)).unwrap());
}

#[divan::bench]
fn sign_p256_then_seal_rsa2048(bencher: Bencher) {
    let (leader, agency) = (signer(LEADER_P256), signer(AGENCY));
    bencher.bench(|| {
        let signed = sign_pdf(black_box(&PDF), &leader, meta(LEADER_P256)).unwrap();
        sign_pdf(&signed, &agency, meta(AGENCY)).unwrap()
    });
}

#[divan::bench]
fn verify_signed_and_sealed(bencher: Bencher) {
    let sealed = sign_pdf(&SIGNED, &signer(AGENCY), meta(AGENCY)).unwrap();
    bencher.bench(|| verify_pdf(black_box(&sealed), None).unwrap());
}
