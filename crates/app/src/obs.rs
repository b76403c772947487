//! Observability helpers shared by the use cases: the request span's identifiers (never
//! personal data: ids only) and the per-use-case metrics.
//!
//! The web crate opens one `http` span per request with empty `user_id`, `dossier_id` and
//! `route` fields; the functions here fill them in, so every log line of the request (the JSON
//! log prints the span's fields) carries them. Outside a request (workers, the CLI) there is
//! no such span and recording is a no-op.

use crate::AppError;
use std::future::Future;
use std::time::Instant;

/// Records the signed-in user's id (not the name) on the current request span.
pub fn record_user(user_id: &str) {
    tracing::Span::current().record("user_id", user_id);
}

/// Records the dossier the request is about on the current request span.
pub fn record_dossier(dossier_id: &str) {
    tracing::Span::current().record("dossier_id", dossier_id);
}

/// Runs a use case, recording its latency (`usecase_duration_seconds{usecase}`) and, when it
/// fails, its error code (`usecase_errors_total{usecase, code}`). `name` is a static string
/// and codes are `AppError::code()`'s static set: the label sets stay bounded.
pub async fn usecase<T>(name: &'static str, fut: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let start = Instant::now();
    let out = fut.await;
    metrics::histogram!("usecase_duration_seconds", "usecase" => name).record(start.elapsed().as_secs_f64());
    if let Err(e) = &out {
        metrics::counter!("usecase_errors_total", "usecase" => name, "code" => e.code()).increment(1);
    }
    out
}

/// Describes the metrics of the application layer (called once when the recorder is set up).
pub fn describe() {
    metrics::describe_histogram!("usecase_duration_seconds", metrics::Unit::Seconds, "Latency of a use case, by use case");
    metrics::describe_counter!("usecase_errors_total", "Failed use cases, by use case and error code");
    metrics::describe_gauge!("outbox_pending", "Outbox rows not yet delivered (due or waiting for a retry), by topic");
    metrics::describe_gauge!("outbox_dead", "Outbox rows given up after their last attempt (dead letters), by topic");
    metrics::describe_gauge!(
        "outbox_lag_seconds",
        metrics::Unit::Seconds,
        "Age of the oldest undelivered outbox row, by topic (worker lag)"
    );
}
