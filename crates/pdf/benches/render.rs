//! Rendering form 01 (the receipt, one A4 page) with the sample data, on one thread: the
//! first render (fonts parsed, caches cold), then 300 renders; p50 / p99 and pages a second.
//! `cargo bench -p motcua-pdf --bench render`. The target is a receipt in under 50 ms p99.

use motcua_pdf::{Form, Renderer, sample};
use std::time::Instant;

const RUNS: usize = 300;

fn main() {
    let renderer = Renderer::new(None);
    let qr = "https://dichvucong.ninhbinh.gov.vn/xac-thuc/0190c0de-0000-7000-8000-000000000001?ho-so=000.00.31.H40-260302-0001&thu-tuc=1.910201.H40&giay-to=Gi%E1%BA%A5y+ti%E1%BA%BFp+nh%E1%BA%ADn";
    let mut input = sample::sample(Form::Receipt);
    let started = Instant::now();
    let first = renderer.render(&input, qr).expect("render");
    println!("form 01: first render {:.1} ms, {} bytes", started.elapsed().as_secs_f64() * 1e3, first.len());
    let mut times = Vec::with_capacity(RUNS);
    let all = Instant::now();
    for i in 0..RUNS {
        // A different applicant each time, as in use (no cached layout of the same text).
        if let motcua_pdf::Body::Receipt { dossier, .. } = &mut input.body {
            dossier.code = format!("000.00.31.H40-260302-{:04}", i + 1);
        }
        let t = Instant::now();
        let pdf = renderer.render(&input, qr).expect("render");
        times.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(pdf.starts_with(b"%PDF"));
    }
    let total = all.elapsed().as_secs_f64();
    times.sort_by(|a, b| a.total_cmp(b));
    let p = |x: f64| times[((times.len() as f64 * x) as usize).min(times.len() - 1)];
    println!(
        "form 01: {RUNS} renders, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {:.1} pages/s on one thread",
        p(0.5),
        p(0.99),
        times[times.len() - 1],
        RUNS as f64 / total
    );
}
