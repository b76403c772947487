//! Digitization (issue #13, TT 01/2023, REQ-13): the officer scans a paper component (or the
//! paper result) and certifies the electronic copy with a detached CMS signature by their
//! personal certificate over the scan's bytes. The scan goes through the upload checks of
//! any attachment and becomes a file of the dossier; the `.p7s` is stored by its digest too;
//! the `ComponentDigitized` event records both with the certifying officer.
//!
//! Nothing is half-written: the guard and the component are checked first, then the scan is
//! signed (a missing or revoked certificate refuses here), then both are stored and the event
//! appended in one transaction; a failed transaction removes the bytes it stored.
//!
//! The certified copies of a dossier are `Dossier::certified_copies` (in the dossier's state
//! and the `dossiers` projection): per component the latest is `Dossier::certified_copy`.

use super::attachments::{check_upload, discard_unreferenced, over_quota, probe};
use super::*;
use crate::upload::Incoming;
use motcua_domain::dossier::CertifiedCopy;
use motcua_signing::{DetachedMeta, Tsa, sign_detached};

/// The media type of a stored detached signature.
pub const SIGNATURE_MEDIA_TYPE: &str = "application/pkcs7-signature";

/// Scans `component_key` of the dossier (the upload `bytes`) and certifies it as the
/// current user. `result` is the paper result.
pub async fn digitize(
    ctx: &AppContext,
    current: &CurrentUser,
    id: &str,
    component_key: &str,
    declared_type: Option<&str>,
    name: &str,
    bytes: impl Into<Incoming>,
) -> Result<Dossier, AppError> {
    let upload = check_upload(ctx, declared_type, name, bytes.into()).await?;
    let d = state(ctx, current, id).await?;
    let max_dossier = ctx.config.attachments.max_dossier_bytes;
    over_quota(&d, upload.bytes.len(), max_dossier)?;
    let scan = upload.file_ref(ctx, current, component_key);
    let by_name = current.user.full_name.clone();
    let command =
        move |file: FileRef, signature_sha256: String, signature_size: i64, serial: String| Command::DigitizeComponent {
            file,
            signature_sha256,
            signature_size,
            by_name: by_name.clone(),
            certificate_serial: serial,
        };
    // Status, actor and component first: nothing is signed for a command that would fail.
    probe(ctx, current, &d, command(scan.clone(), "0".repeat(64), 1, String::new()))?;

    // The officer's own certificate, valid now and not revoked.
    let signer = ctx.keys.personal(&current.user.username)?;
    let serial = ctx.keys.personal_identity(&current.user.username).map(|i| i.serial).unwrap_or_default();
    let crl = ctx.keys.crl();
    let tsa = ctx.config.signing.tsa_url.clone().map(Tsa::new);
    let at = jiff::Timestamp::from_millisecond(ctx.clock.now_ms()).map_err(|e| AppError::Internal(e.to_string()))?;
    let content = upload.bytes.clone();
    let p7s = tokio::task::spawn_blocking(move || {
        sign_detached(&content, &signer, DetachedMeta { time: at, tsa: tsa.as_ref(), crl: crl.as_ref() })
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(crate::keys::sign_error)?;

    let files = ctx.files.clone();
    let sig_bytes = p7s.clone();
    let signature =
        tokio::task::spawn_blocking(move || files.put(&sig_bytes)).await.map_err(|e| AppError::Internal(e.to_string()))??;
    let stored_scan = match upload.store(ctx).await {
        Ok(s) => s,
        Err(e) => {
            discard_unreferenced(ctx, &[signature]).await;
            return Err(e);
        }
    };
    let (cur, id2, calendars) = (current.clone(), id.to_string(), ctx.calendars.clone());
    let (scan_sha, sig_sha, sig_size) = (stored_scan.0.clone(), signature.0.clone(), p7s.len() as i64);
    let now = ctx.clock.now_ms();
    let issuing = Issuing::new(ctx);
    let result = ctx
        .store
        .write(move |db| {
            let d = load_visible(db, &cur, &id2)?;
            over_quota(&d, scan.size as usize, max_dossier)?;
            repo::add_file(db, &scan_sha, scan.size, &scan.media_type, now)?;
            repo::add_file(db, &sig_sha, sig_size, SIGNATURE_MEDIA_TYPE, now)?;
            let file = FileRef { sha256: scan_sha.clone(), at: now, ..scan };
            let cal = calendars.for_agency(Some(&d.receiving.id));
            let at = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
            let ev = dossier::decide(
                &d,
                command(file, sig_sha, sig_size, serial),
                &Ctx { actor: actor(&cur), now: at, calendar: &cal, signed_result: false },
            )?;
            let id = cur.user.id.clone();
            commit(db, d, &id, ev, now, &issuing)
        })
        .await;
    if result.is_err() {
        discard_unreferenced(ctx, &[stored_scan, signature]).await;
    }
    result
}

/// The certified copy of a component now and its detached signature (`.p7s`), for whoever
/// may read the dossier and see the scan.
pub async fn certified_copy_signature(
    ctx: &AppContext,
    current: &CurrentUser,
    id: &str,
    component_key: &str,
) -> Result<(CertifiedCopy, Vec<u8>), AppError> {
    let d = state(ctx, current, id).await?;
    let copy = d
        .certified_copy(component_key)
        .filter(|c| d.files.iter().any(|f| f.id == c.file_id && dossier::may_read_file(&d, f, &actor(current))))
        .cloned()
        .ok_or(AppError::not_found("certified_copy"))?;
    crate::access::dossier_read(
        ctx,
        current,
        crate::access::AccessKind::FileRead,
        &d.id,
        &d.receiving.path,
        Some(format!("{component_key}.p7s")),
    );
    let files = ctx.files.clone();
    let sha = copy.signature_sha256.clone();
    let bytes = tokio::task::spawn_blocking(move || files.get(&sha)).await.map_err(|e| AppError::Internal(e.to_string()))??;
    Ok((copy, bytes))
}
