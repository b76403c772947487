//! A result document end to end on one thread, as `Resolve` makes it: render the built-in
//! result template (`motcua-pdf`, one A4 page), the leader signs, the agency seals (an
//! incremental update); with P-256 keys (communes) and RSA-2048 keys (the province).
//! First p50 / p99 / pages a second over `RUNS` results, then divan's figures per step.
//! Run: `cargo bench -p motcua-signing --bench result` (release). Figures: docs/benchmarks.md.

use std::sync::LazyLock;
use std::time::Instant;

use divan::{Bencher, black_box};
use jiff::Timestamp;
use motcua_pdf::{Renderer, ResultInput, sample};
use motcua_signing::pki::{DemoPki, KeyAlgorithm};
use motcua_signing::{SignMeta, sign_pdf};

const RUNS: usize = 200;
const QR: &str = "https://dichvucong.ninhbinh.gov.vn/xac-thuc/0190c0de-0000-7000-8000-000000000001?ho-so=000.00.31.H40-260302-0001&thu-tuc=1.004873&giay-to=Gi%E1%BA%A5y+x%C3%A1c+nh%E1%BA%ADn";

const SEAL_P256: &str = "Ủy ban nhân dân phường Hoa Lư";
const LEADER_P256: &str = "Ngô Đức Thắng";
const SEAL_RSA: &str = "Sở Tư pháp tỉnh Ninh Bình";
const LEADER_RSA: &str = "Đinh Văn Hùng";

static PKI: LazyLock<DemoPki> = LazyLock::new(|| {
    DemoPki::generate(
        &[(SEAL_P256, KeyAlgorithm::P256), (SEAL_RSA, KeyAlgorithm::Rsa2048)],
        &[(LEADER_P256, KeyAlgorithm::P256), (LEADER_RSA, KeyAlgorithm::Rsa2048)],
        Timestamp::now(),
    )
    .unwrap()
});
static RENDERER: LazyLock<Renderer> = LazyLock::new(|| Renderer::new(None));

fn meta<'a>(reason: &'a str, name: &'a str) -> SignMeta<'a> {
    SignMeta { reason, location: "Hoa Lư", name, time: Timestamp::now(), tsa: None, crl: None }
}

/// One result: render, sign, seal.
fn result(input: &ResultInput, leader: &str, seal: &str) -> Vec<u8> {
    let pdf = RENDERER.render_result(input, None, QR).unwrap();
    let signed = sign_pdf(&pdf, &PKI.signer(leader).unwrap(), meta("Phê duyệt", leader)).unwrap();
    sign_pdf(&signed, &PKI.signer(seal).unwrap(), meta("Đóng dấu", seal)).unwrap()
}

fn percentiles(label: &str, leader: &str, seal: &str) {
    let mut input = sample::sample_result();
    let first = Instant::now();
    let pdf = result(&input, leader, seal);
    println!("{label}: first result {:.1} ms, {} bytes", first.elapsed().as_secs_f64() * 1e3, pdf.len());
    let mut times = Vec::with_capacity(RUNS);
    let all = Instant::now();
    for i in 0..RUNS {
        // A different dossier each time (no cached layout of the same text).
        input.dossier.code = format!("000.01.31.H40-260302-{:04}", i + 1);
        let t = Instant::now();
        black_box(result(&input, leader, seal));
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let total = all.elapsed().as_secs_f64();
    times.sort_by(|a, b| a.total_cmp(b));
    let p = |x: f64| times[((times.len() as f64 * x) as usize).min(times.len() - 1)];
    println!(
        "{label}: {RUNS} results, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {:.1} pages/s on one thread",
        p(0.5),
        p(0.99),
        times[times.len() - 1],
        RUNS as f64 / total
    );
}

fn main() {
    percentiles("P-256 leader + P-256 seal", LEADER_P256, SEAL_P256);
    percentiles("RSA-2048 leader + RSA-2048 seal", LEADER_RSA, SEAL_RSA);
    divan::main();
}

#[divan::bench]
fn render_only(bencher: Bencher) {
    let input = sample::sample_result();
    bencher.bench(|| RENDERER.render_result(black_box(&input), None, QR).unwrap());
}

#[divan::bench]
fn render_sign_seal_p256(bencher: Bencher) {
    let input = sample::sample_result();
    bencher.bench(|| result(black_box(&input), LEADER_P256, SEAL_P256));
}

#[divan::bench]
fn render_sign_seal_rsa2048(bencher: Bencher) {
    let input = sample::sample_result();
    bencher.bench(|| result(black_box(&input), LEADER_RSA, SEAL_RSA));
}
