//! The store's own guarantees, through the same code on both engines.

use motcua_store::repo::audit::{ADMIN_CHAIN, NewAudit, append};
use motcua_store::{StoreError, migrate};
use motcua_testkit::both_backends;

both_backends! {
    async fn concurrent_transactions_fail_alone(app) {
        // 200 concurrent writers; every tenth violates a unique constraint. With group commit
        // on SQLite they share commits, yet each failure must roll back only its own work.
        let mut tasks = Vec::new();
        for i in 0..200 {
            let store = app.ctx.store.clone();
            tasks.push(tokio::spawn(async move {
                store.write(move |db| {
                    append(db, NewAudit { chain: "test", at_ms: i, actor_id: None, action: "probe", entity_kind: "probe",
                                          entity_id: &i.to_string(), agency_path: None, payload: serde_json::json!({"i": i}) })?;
                    let code = if i % 10 == 0 { "000.00.01.H40".to_string() } else { format!("T.{i}") };
                    db.execute("INSERT INTO agencies (id, code, name, kind, path, depth, valid_from, search_text, created_at, updated_at) \
                                VALUES ($1, $2, 'Probe', 'unit', $3, 9, '2025-07-01', '', 0, 0)",
                               &[format!("probe-{i}").into(), code.into(), format!("/probe-{i}/").into()])?;
                    Ok::<_, StoreError>(())
                }).await
            }));
        }
        let mut failures = 0;
        for (i, t) in tasks.into_iter().enumerate() {
            match t.await.unwrap() {
                Ok(()) => assert_ne!(i % 10, 0),
                Err(StoreError::Unique { constraint }) => {
                    assert_eq!(i % 10, 0);
                    assert_eq!(constraint, "uq_agencies_code");
                    failures += 1;
                }
                Err(e) => panic!("unexpected {e}"),
            }
        }
        assert_eq!(failures, 20);
        let probes: i64 = app.ctx.store.read(|db| db.query_one("SELECT COUNT(*) FROM agencies WHERE name = 'Probe'", &[])?.i64(0)).await.unwrap();
        assert_eq!(probes, 180);
        // The failed transactions' audit events were rolled back too: the chain has no holes.
        let chain = app.ctx.store.read(motcua_store::repo::audit::verify_all).await.unwrap().expect("intact chains");
        assert!(chain.iter().any(|c| c.chain == "test" && c.events == 180), "{chain:?}");
        assert!(chain.iter().any(|c| c.chain == ADMIN_CHAIN));
    }

    async fn rerunnable_transactions_fail_alone(app) {
        // The same with transactions that may run again: on SQLite they share a group without
        // savepoints, and a failure reruns the group without the failed one.
        let mut tasks = Vec::new();
        for i in 0..200 {
            let store = app.ctx.store.clone();
            tasks.push(tokio::spawn(async move {
                store.write_rerunnable(move |db| {
                    append(db, NewAudit { chain: "rerun", at_ms: i, actor_id: None, action: "probe", entity_kind: "probe",
                                          entity_id: &i.to_string(), agency_path: None, payload: serde_json::json!({"i": i}) })?;
                    let code = if i % 10 == 0 { "000.00.01.H40".to_string() } else { format!("R.{i}") };
                    db.execute("INSERT INTO agencies (id, code, name, kind, path, depth, valid_from, search_text, created_at, updated_at) \
                                VALUES ($1, $2, 'Rerun', 'unit', $3, 9, '2025-07-01', '', 0, 0)",
                               &[format!("rerun-{i}").into(), code.into(), format!("/rerun-{i}/").into()])?;
                    if i % 10 == 5 {
                        panic!("a transaction that panics after writing");
                    }
                    Ok::<_, StoreError>(i)
                }).await
            }));
        }
        let (mut unique, mut panicked) = (0, 0);
        for (i, t) in tasks.into_iter().enumerate() {
            match t.await.unwrap() {
                Ok(n) => assert!(n == i as i64 && i % 10 != 0 && i % 10 != 5),
                Err(StoreError::Unique { constraint }) => {
                    assert_eq!((i % 10, constraint.as_str()), (0, "uq_agencies_code"));
                    unique += 1;
                }
                Err(e) => {
                    assert_eq!(i % 10, 5, "{e}");
                    panicked += 1;
                }
            }
        }
        assert_eq!((unique, panicked), (20, 20));
        let kept: i64 = app.ctx.store.read(|db| db.query_one("SELECT COUNT(*) FROM agencies WHERE name = 'Rerun'", &[])?.i64(0)).await.unwrap();
        assert_eq!(kept, 160);
        let chain = app.ctx.store.read(motcua_store::repo::audit::verify_all).await.unwrap().expect("intact chains");
        assert!(chain.iter().any(|c| c.chain == "rerun" && c.events == 160), "{chain:?}");
    }

    async fn migrations_are_idempotent(app) {
        let again = migrate::run(&app.ctx.store).await.unwrap();
        assert!(again.is_empty());
        let versions = app.ctx.store.read(migrate::applied).await.unwrap();
        assert_eq!(versions, migrate::MIGRATIONS.iter().map(|m| m.version).collect::<Vec<_>>());
    }

    async fn reads_cannot_write(app) {
        let r = app.ctx.store.read(|db| db.execute("DELETE FROM users", &[])).await;
        assert!(r.is_err(), "a read transaction wrote");
        assert!(app.count("users").await > 0);
    }

    async fn values_round_trip(app) {
        let row = app.ctx.store.write(|db| {
            db.batch("CREATE TABLE probe_values (i BIGINT, t TEXT, r DOUBLE PRECISION, n TEXT)")?;
            db.execute("INSERT INTO probe_values (i, t, r, n) VALUES ($1, $2, $3, $4)",
                       &[i64::MAX.into(), "Đắk Lắk – ờ ứ".into(), 2.5_f64.into(), Option::<String>::None.into()])?;
            db.query_one("SELECT i, t, r, n FROM probe_values", &[])
        }).await.unwrap();
        assert_eq!(row.i64(0).unwrap(), i64::MAX);
        assert_eq!(row.text(1).unwrap(), "Đắk Lắk – ờ ứ");
        assert_eq!(row.opt_f64(2).unwrap(), Some(2.5));
        assert_eq!(row.opt_text(3).unwrap(), None);
    }
}

both_backends! {
    async fn warm_filings_compile_no_statement(app) {
        // SQLite only: a warm connection must run the filing's statements from its cache
        // (PostgreSQL's clients keep their own prepared statements).
        if app.ctx.store.statement_stats().is_none() {
            return;
        }
        let clerk = app.login("tiepnhan").await;
        let file = || async {
            let (s, b) = clerk.post("/api/v1/dossiers", serde_json::json!({
                "procedure_code": "1.910203.H40",
                "applicant": {"name": "Trần Thị Bình", "id_number": "037192004321", "phone": "0912345678"},
                "components": [{"key": "to_khai", "provided": true}, {"key": "anh_the", "provided": true},
                               {"key": "giay_to_quoc_tich", "provided": true}],
            })).await;
            assert_eq!(s, reqwest::StatusCode::CREATED, "{b}");
            b
        };
        // Warm-up: every reader and the writer have seen the statements.
        for _ in 0..12 {
            file().await;
        }
        let before = app.ctx.store.statement_stats().unwrap();
        for _ in 0..20 {
            file().await;
        }
        let after = app.ctx.store.statement_stats().unwrap();
        assert_eq!(after, before, "(cache misses, recompilations) grew over 20 warm filings");
    }
}
