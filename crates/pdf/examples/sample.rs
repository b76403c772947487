//! Writes every form, filled with the sample data, to `<dir>/mau-NN.pdf` (default: the
//! current folder): `cargo run -p motcua-pdf --example sample -- /tmp/forms [template-dir]`.

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let renderer = motcua_pdf::Renderer::new(args.next().map(Into::into));
    for form in motcua_pdf::Form::ALL {
        let input = motcua_pdf::sample::sample(form);
        let started = std::time::Instant::now();
        match renderer.render(&input, "https://motcua.example.vn/xac-thuc/0190-demo?ho-so=000.00.31.H40-260302-0001") {
            Ok(pdf) => {
                let path = dir.join(format!("mau-{}.pdf", form.number()));
                std::fs::write(&path, pdf).expect("write the PDF");
                println!("{} in {:?}", path.display(), started.elapsed());
            }
            Err(e) => println!("form {}: {e}", form.number()),
        }
    }
}
