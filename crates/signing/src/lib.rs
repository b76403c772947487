//! PAdES signatures for motcua's result documents (issue #13, REQ-23): the leader signs, then
//! the agency seals as an incremental update that keeps the first signature valid.
//!
//! - [`Signer`]: one interface for every key holder — [`FileSigner`] (PKCS#8 PEM file key),
//!   [`Pkcs11Signer`] (hardware token / HSM), and later a CA's remote-signing service.
//! - [`sign_pdf`]: adds one CAdES-detached signature (`ETSI.CAdES.detached`), optionally
//!   time-stamped by an RFC 3161 TSA (PAdES B-T).
//! - [`verify_pdf`]: what the public verification page shows.
//! - [`sign_detached`] / [`verify_detached`]: a detached CMS (`.p7s`) over any file, the
//!   officer's certification of a scanned component (TT 01/2023).
//! - [`pki::DemoPki`]: the demo root CA, agency seals, leaders' certificates and CRL that
//!   `motcua seed` creates; revocation and key rotation.
//!
//! See `docs/signatures.md`.

mod cades;
mod crl;
mod detached;
mod error;
mod keys;
mod pdf;
mod pkcs11;
pub mod pki;
mod signer;
mod tsa;

pub use crl::Crl;
pub use detached::{DetachedInfo, DetachedMeta, sign_detached, verify_detached};
pub use error::SignError;
pub use keys::fingerprint;
pub use pdf::{SignMeta, SignatureInfo, sign_pdf, verify_pdf};
pub use pkcs11::Pkcs11Signer;
pub use signer::{FileSigner, SignatureAlgorithm, Signer};
pub use tsa::Tsa;
pub use x509_cert::Certificate;
