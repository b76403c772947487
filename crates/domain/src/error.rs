//! Validation errors with a machine code and bilingual messages (Vietnamese first).

use serde::Serialize;

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message_vi: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self { field: field.into(), code, message_vi: vi.into(), message_en: en.into() }
    }
}

/// A rejected input: every field error found, not only the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid input: {}", .0.iter().map(|f| format!("{}: {}", f.field, f.message_en)).collect::<Vec<_>>().join("; "))]
pub struct ValidationError(pub Vec<FieldError>);

impl ValidationError {
    pub fn single(field: impl Into<String>, code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self(vec![FieldError::new(field, code, vi, en)])
    }
}

/// Collects field errors while validating a whole input.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    /// Records the error of a parse result and returns its value, if any.
    pub fn take<T>(&mut self, r: Result<T, ValidationError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(ValidationError(es)) => {
                self.0.extend(es);
                None
            }
        }
    }
    pub fn finish(self) -> Result<(), ValidationError> {
        if self.0.is_empty() { Ok(()) } else { Err(ValidationError(self.0)) }
    }
}
