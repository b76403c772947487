//! Logs (text or JSON on stderr) and, when `[telemetry] otlp_endpoint` is set, OpenTelemetry
//! traces exported over OTLP/HTTP (protobuf).

use motcua_app::config::TelemetryConfig;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the global subscriber. Returns the tracer provider when traces are exported: shut
/// it down at exit to send the last spans.
pub fn init(json: bool, telemetry: &TelemetryConfig) -> Option<SdkTracerProvider> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MOTCUA_LOG").unwrap_or_else(|_| "info,tower_http=warn".into());
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let fmt = if json { fmt.json().boxed() } else { fmt.compact().boxed() };
    let (otel, provider) = match provider(telemetry) {
        Ok(Some(p)) => {
            let layer = tracing_opentelemetry::layer().with_tracer(p.tracer("motcua"));
            (Some(layer), Some(p))
        }
        Ok(None) => (None, None),
        Err(e) => {
            eprintln!("motcua: OTLP exporter not started ({e}); no traces are exported");
            (None, None)
        }
    };
    tracing_subscriber::registry().with(fmt).with(otel).with(filter).init();
    if provider.is_some() {
        tracing::info!(endpoint = %traces_url(&telemetry.otlp_endpoint), "OTLP traces on");
    }
    provider
}

/// `<endpoint>/v1/traces`, unless the endpoint already names it.
fn traces_url(endpoint: &str) -> String {
    let e = endpoint.trim().trim_end_matches('/');
    if e.ends_with("/v1/traces") { e.to_string() } else { format!("{e}/v1/traces") }
}

fn provider(t: &TelemetryConfig) -> Result<Option<SdkTracerProvider>, Box<dyn std::error::Error>> {
    if t.otlp_endpoint.trim().is_empty() {
        return Ok(None);
    }
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(traces_url(&t.otlp_endpoint))
        .with_timeout(std::time::Duration::from_secs(10))
        .build()?;
    let ratio = if t.sample_ratio.is_finite() { t.sample_ratio.clamp(0.0, 1.0) } else { 1.0 };
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(ratio))))
        .with_resource(opentelemetry_sdk::Resource::builder().with_service_name(t.service_name.clone()).build())
        .build();
    Ok(Some(provider))
}
