//! The signing key store (issue #13): `motcua seed` installs a demo PKI in `<data_dir>/pki`
//! (a seal per agency but the counters, a personal certificate per leader, specialist and
//! reception officer), signs with it, refuses a revoked or missing key with its code, and
//! a rotated key replaces the old one without revoking it.

use motcua_signing::pki::{KeyAlgorithm, Role};
use motcua_signing::{SignMeta, sign_pdf, verify_pdf};
use motcua_testkit::both_backends;

fn code(e: motcua_app::AppError) -> &'static str {
    match e {
        motcua_app::AppError::Refused { code, .. } => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

both_backends! {
    async fn seed_installs_the_demo_pki(app) {
        let keys = &app.ctx.keys;
        assert!(keys.is_configured());
        assert!(app.ctx.config.pki_dir().join("pki.json").exists());
        let hoalu = app.agency_id("000.00.31.H40").await;
        let seal = keys.seal_identity(&hoalu).expect("a seal for the commune");
        assert_eq!((seal.role, seal.algorithm), (Role::Seal, KeyAlgorithm::P256));
        assert_eq!(seal.name, "Ủy ban nhân dân phường Hoa Lư");
        let stp = app.agency_id("000.00.01.H40").await;
        assert_eq!(keys.seal_identity(&stp).unwrap().algorithm, KeyAlgorithm::Rsa2048);
        let leader = keys.personal_identity("lanhdao").expect("the leader's certificate");
        assert_eq!((leader.role, leader.algorithm), (Role::Personal, KeyAlgorithm::Rsa2048));
        assert!(keys.personal_identity("chuyenvien.hoalu").is_some());
        assert!(keys.personal_identity("admin").is_none(), "administrators sign nothing");
        assert!(keys.personal_identity("congdan").is_none());
        let counter = app.agency_id("000.02.31.H40").await;
        assert_eq!(code(keys.seal(&counter).err().expect("no seal for a counter")), "signing_key_missing");
        assert!(keys.root_pem().unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
    }
}

both_backends! {
    async fn a_revoked_certificate_signs_nothing_and_rotation_replaces_a_key(app) {
        let keys = &app.ctx.keys;
        let pdf = motcua_pdf::Renderer::new(None).render(&motcua_pdf::sample::sample(motcua_pdf::Form::Receipt), "https://motcua.example/xac-thuc/x").unwrap();
        let now = jiff::Timestamp::now();
        let meta = |crl| SignMeta { reason: "Phê duyệt", location: "Hoa Lư", name: "Ngô Đức Thắng", time: now, tsa: None, crl };
        let signer = keys.personal("lanhdao.hoalu").unwrap();
        let crl = keys.crl();
        let signed = sign_pdf(&pdf, &signer, meta(crl.as_ref())).expect("signs with a valid certificate");
        assert!(verify_pdf(&signed, crl.as_ref()).unwrap().iter().all(|s| s.is_valid() && !s.revoked));

        let old = keys.personal_identity("lanhdao.hoalu").unwrap();
        keys.revoke(&old.serial, now).unwrap();
        let crl = keys.crl();
        let err = sign_pdf(&pdf, &signer, meta(crl.as_ref())).unwrap_err();
        assert_eq!(code(motcua_app::keys::sign_error(err)), "cert_revoked");
        assert!(verify_pdf(&signed, crl.as_ref()).unwrap()[0].revoked, "what it signed now shows as revoked");

        let new_serial = keys.rotate("Ngô Đức Thắng", now).unwrap();
        assert_ne!(new_serial, old.serial);
        assert_eq!(keys.personal_identity("lanhdao.hoalu").unwrap().serial, new_serial);
        let signer = keys.personal("lanhdao.hoalu").unwrap();
        sign_pdf(&pdf, &signer, meta(keys.crl().as_ref())).expect("the new key signs");
        // Re-read from disk: the change is in the key store, not only in memory.
        let reopened = motcua_app::keys::Keys::open(app.ctx.config.pki_dir());
        assert_eq!(reopened.personal_identity("lanhdao.hoalu").unwrap().serial, new_serial);
    }
}
