//! Online fee payment and electronic receipts (issue #17, REQ-20; docs/payments.md).
//!
//! The applicant starts a payment of the noticed total (`start_online`): an attempt is
//! recorded and the browser sent to the gateway with a signed request. Only the gateway's
//! verified callback (`ipn`) or its answer to a query (`sweep`) records the payment, as the
//! `PAYMENT_ACTOR` (`Who::Gateway` in the guard table), and only for the exact amount
//! noticed. Every recorded payment (online, or cash at the counter) issues an electronic
//! receipt numbered in the collecting unit's series (`issue_receipt`, in the payment's
//! transaction: a rollback gives the number back).

use super::documents::{Issuing, dossier_label, issuing_agency};
use super::*;
use motcua_domain::dossier::{PAYMENT_ACTOR, PaymentMethod};
use motcua_payment::vnpay::{self, IpnAnswer, Outcome};
use motcua_payment::{PaymentConfig, Platform};
use motcua_store::repo::documents::{self as docs, DocumentRecord};
use motcua_store::repo::payments::{self as pay_repo, Attempt};
use std::collections::BTreeMap;

/// The documents' form code of a receipt.
pub const RECEIPT_FORM: &str = "BL";
const RECEIPT_NAME: &str = "Biên lai thu phí, lệ phí điện tử";
/// Attempts asked of the gateway, refunds made, per sweep at most.
const SWEEP_BATCH: i64 = 100;

fn method_of(cfg: &PaymentConfig) -> PaymentMethod {
    match cfg.platform {
        Platform::National => PaymentMethod::OnlineNational,
        Platform::Local => PaymentMethod::OnlineLocal,
    }
}

fn method_code(m: PaymentMethod) -> &'static str {
    match m {
        PaymentMethod::Cash => "cash",
        PaymentMethod::OnlineNational => "online_national",
        PaymentMethod::OnlineLocal => "online_local",
    }
}

fn method_label(m: PaymentMethod) -> &'static str {
    match m {
        PaymentMethod::Cash => "Tiền mặt tại Bộ phận Một cửa",
        PaymentMethod::OnlineNational => "Trực tuyến qua Nền tảng thanh toán trên Cổng DVCQG",
        PaymentMethod::OnlineLocal => "Trực tuyến qua cổng thanh toán của tỉnh",
    }
}

/// The online channel as the applicant knows it (the pay page).
pub fn gateway_label(ctx: &AppContext) -> &'static str {
    match ctx.config.payment.platform {
        Platform::National => "Nền tảng thanh toán trên Cổng Dịch vụ công quốc gia",
        Platform::Local => "Cổng thanh toán trực tuyến của tỉnh (VNPAY)",
    }
}

/// Pending attempts one dossier may hold at once.
pub const MAX_PENDING_ATTEMPTS: usize = 5;

fn refused(http: u16, code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::Refused { http, code, vi: vi.into(), en: en.into() }
}

fn disabled() -> AppError {
    refused(
        409,
        "payment_disabled",
        "Chưa mở thanh toán trực tuyến; vui lòng nộp tại Bộ phận Một cửa.",
        "Online payment is not enabled; please pay at the counter.",
    )
}

fn secret(cfg: &PaymentConfig) -> Result<&str, AppError> {
    cfg.hash_secret.as_deref().filter(|s| !s.is_empty()).ok_or_else(disabled)
}

/// Starts paying a dossier's noticed fees online: its applicant only, while it awaits
/// payment. Returns the gateway URL to send the browser to.
pub async fn start_online(ctx: &AppContext, current: &CurrentUser, id: &str, client_ip: &str) -> Result<String, AppError> {
    let cfg = ctx.config.payment.clone();
    if !cfg.enabled {
        return Err(disabled());
    }
    let secret = secret(&cfg)?.to_string();
    let (current, id, now) = (current.clone(), id.to_string(), ctx.clock.now_ms());
    let return_url = format!("{}/thanh-toan/vnpay/ket-qua", ctx.config.public_url());
    let ip = client_ip.to_string();
    let method = method_code(method_of(&cfg));
    ctx.store
        .write(move |db| {
            let d = load_visible(db, &current, &id)?;
            if d.owner_id.as_deref() != Some(current.user.id.as_str()) {
                return Err(AppError::Forbidden);
            }
            if d.status != Status::AwaitingPayment {
                return Err(refused(
                    409,
                    "not_awaiting_payment",
                    "Hồ sơ không ở trạng thái chờ nộp phí, lệ phí.",
                    "The dossier is not awaiting payment.",
                ));
            }
            let total: i64 = d.fees.iter().map(|f| f.amount).sum();
            if total <= 0 {
                return Err(refused(
                    409,
                    "nothing_to_pay",
                    "Không có khoản phí, lệ phí nào phải nộp.",
                    "There is nothing to pay.",
                ));
            }
            // Each click on "Thanh toán" opens an attempt; the pending ones a dossier may hold
            // at once are bounded (they expire at the gateway after `expire_minutes`).
            let pending = pay_repo::for_dossier(db, &d.id)?.iter().filter(|a| a.status == "pending").count();
            if pending >= MAX_PENDING_ATTEMPTS {
                return Err(refused(
                    429,
                    "too_many_payment_attempts",
                    "Hồ sơ đang có nhiều giao dịch thanh toán chưa hoàn tất; vui lòng thử lại sau ít phút.",
                    "The dossier has too many unfinished payment attempts; please try again in a few minutes.",
                ));
            }
            let txn_ref = new_id().replace('-', "");
            pay_repo::insert_attempt(
                db,
                &Attempt {
                    txn_ref: txn_ref.clone(),
                    dossier_id: d.id.clone(),
                    amount: total,
                    method: method.into(),
                    status: "pending".into(),
                    created_at: now,
                    created_by: current.user.id.clone(),
                    settled_at: None,
                    gateway_txn_no: None,
                    gateway_code: None,
                    pay_date: None,
                    refund_ref: None,
                },
            )?;
            let req = vnpay::PayRequest {
                txn_ref: txn_ref.clone(),
                amount: total,
                // ASCII, as the gateway's page shows it.
                order_info: format!("Nop phi le phi ho so {}", dossier_label(&d)),
                return_url,
                ip_addr: ip,
                created_ms: now,
                expire_ms: now + cfg.expire_minutes.max(1) * 60_000,
                locale: "vn".into(),
            };
            Ok(vnpay::pay_url(&cfg.pay_url, &cfg.tmn_code, &secret, &req))
        })
        .await
}

/// The gateway's server-to-server callback (IPN): verified, then recorded once.
pub async fn ipn(ctx: &AppContext, params: BTreeMap<String, String>) -> IpnAnswer {
    let cfg = &ctx.config.payment;
    let Some(secret) = cfg.hash_secret.as_deref().filter(|_| cfg.enabled) else { return IpnAnswer::Unknown };
    if !vnpay::verify_query(secret, &params) {
        tracing::warn!(txn_ref = params.get("vnp_TxnRef").map(String::as_str), "payment callback with a bad signature");
        return IpnAnswer::InvalidSignature;
    }
    let Ok(o) = vnpay::outcome(&params) else { return IpnAnswer::Unknown };
    if o.tmn_code != cfg.tmn_code {
        return IpnAnswer::OrderNotFound;
    }
    if o.currency.as_deref().is_some_and(|c| c != vnpay::CURRENCY) {
        return IpnAnswer::InvalidAmount;
    }
    let raw = serde_json::to_string(&params).unwrap_or_default();
    record(ctx, o, raw).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "payment callback not recorded");
        IpnAnswer::Unknown
    })
}

/// Records a verified gateway result for its attempt, in one transaction with the dossier's
/// `paid` event and its receipt.
async fn record(ctx: &AppContext, o: Outcome, raw: String) -> Result<IpnAnswer, AppError> {
    let method = method_of(&ctx.config.payment);
    let calendars = ctx.calendars.clone();
    let now = ctx.clock.now_ms();
    let issuing = Issuing::new(ctx);
    let issued = issuing.clone();
    let result = ctx
        .store
        .write(move |db| {
            let Some(a) = pay_repo::get(db, &o.txn_ref)? else { return Ok(IpnAnswer::OrderNotFound) };
            if a.status != "pending" {
                return Ok(IpnAnswer::AlreadyConfirmed);
            }
            if o.amount_x100 != a.amount * 100 {
                tracing::warn!(txn_ref = %a.txn_ref, sent = o.amount_x100, "payment callback with another amount");
                return Ok(IpnAnswer::InvalidAmount);
            }
            if !o.succeeded() {
                pay_repo::settle(db, &a.txn_ref, "failed", None, &o.response_code, Some(&o.pay_date), &raw, now)?;
                return Ok(IpnAnswer::Confirmed);
            }
            let d = repo::get(db, &a.dossier_id)?.ok_or(AppError::not_found("dossier"))?;
            if d.status != Status::AwaitingPayment {
                // Paid otherwise meanwhile (cash at the counter): the attempt is kept as
                // paid for the reconciliation and a refund, the dossier untouched.
                tracing::warn!(txn_ref = %a.txn_ref, "gateway payment for a dossier no longer awaiting payment");
                return Ok(IpnAnswer::AlreadyConfirmed);
            }
            if !pay_repo::settle(db, &a.txn_ref, "paid", Some(&o.transaction_no), &o.response_code, Some(&o.pay_date), &raw, now)?
            {
                return Ok(IpnAnswer::AlreadyConfirmed);
            }
            let cal = calendars.for_agency(Some(&d.receiving.id));
            let ts = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
            let gateway = Actor { user_id: PAYMENT_ACTOR, account: AccountType::Citizen, memberships: &[] };
            let event = dossier::decide(
                &d,
                Command::MarkPaid {
                    method,
                    receipt_number: format!("VNPAY-{}", o.transaction_no),
                    amount: Some(o.amount_x100 / 100),
                },
                &Ctx { actor: gateway, now: ts, calendar: &cal, signed_result: false },
            )?;
            commit(db, d, PAYMENT_ACTOR, event, now, &issued)?;
            Ok(IpnAnswer::Confirmed)
        })
        .await;
    match result {
        // The same gateway transaction recorded under another order.
        Err(AppError::Store(motcua_store::StoreError::Unique { .. })) => {
            issuing.discard_stored();
            Ok(IpnAnswer::AlreadyConfirmed)
        }
        Err(e) => {
            issuing.discard_stored();
            Err(e)
        }
        ok => ok,
    }
}

/// Issues the electronic receipt of a `paid` event (online or cash), in its transaction:
/// the next number of the collecting unit's series, the PDF stored as a dossier document.
pub(super) fn issue_receipt(db: &mut Db, issuing: &Issuing, d: &Dossier, rec: &Recorded) -> Result<(), AppError> {
    let Event::Paid { method, receipt_number, .. } = &rec.event else { return Ok(()) };
    let agency = issuing_agency(db, d)?;
    let year = i64::from(local_date_ms(rec.at).year());
    let symbol = format!("BL{:02}E-{}", year % 100, agency.code);
    let n = pay_repo::next_receipt_number(db, &agency.id, year, &symbol)?;
    let number = format!("{n:07}");
    let total: i64 = d.fees.iter().map(|f| f.amount).sum();
    let id = new_id();
    let qr = verification_url(&issuing.issuer.public_url, &id, &dossier_label(d), &d.procedure.code, RECEIPT_NAME);
    let gateway_txn = receipt_number.strip_prefix("VNPAY-").map(str::to_string);
    let input = motcua_pdf::ReceiptInput {
        unit: official_name(&agency),
        symbol: symbol.clone(),
        number: number.clone(),
        issued_at: form_time(Some(rec.at)),
        payer: d.applicant.name.clone(),
        dossier_code: dossier_label(d),
        procedure: d.procedure.name.clone(),
        items: d
            .fees
            .iter()
            .map(|f| motcua_pdf::ReceiptLine {
                name: match &f.exemption {
                    Some(e) => format!("{} (miễn: {e})", f.name),
                    None => f.name.clone(),
                },
                amount: motcua_domain::text::money(f.amount),
            })
            .collect(),
        total: motcua_domain::text::money(total),
        total_words: motcua_domain::text::money_words(total),
        method: method_label(*method).into(),
        gateway_txn: gateway_txn.clone().unwrap_or_else(|| receipt_number.clone()),
        verify_url: qr.clone(),
    };
    let pdf = issuing.issuer.renderer.render_receipt(&input, &qr).map_err(|e| {
        tracing::error!(error = %e, "receipt render failed");
        refused(
            500,
            "document_render_failed",
            "Không tạo được biên lai điện tử: mẫu in có lỗi, thao tác chưa được ghi nhận.",
            "Could not produce the e-receipt; nothing was recorded.",
        )
    })?;
    let (sha, size) = issuing.store(db, &pdf, rec.at)?;
    let in_locker = (format!("{RECEIPT_NAME} {symbol} {number}"), sha.clone());
    docs::insert(
        db,
        &DocumentRecord {
            id: id.clone(),
            dossier_id: d.id.clone(),
            event_seq: rec.seq,
            form: RECEIPT_FORM.into(),
            name: RECEIPT_NAME.into(),
            number: format!("{symbol} {number}"),
            agency_id: agency.id.clone(),
            sha256: sha,
            size,
            qr,
            created_at: rec.at,
            created_by: rec.actor_id.clone(),
        },
    )?;
    crate::usecases::locker::add_receipt(db, d, &id, in_locker.0, in_locker.1, size, rec.at)?;
    let txn_ref = match gateway_txn.as_deref() {
        Some(no) => db
            .query_opt("SELECT txn_ref FROM payment_attempts WHERE gateway_txn_no = $1", &motcua_store::params![no])?
            .map(|r| r.text(0))
            .transpose()?,
        None => None,
    };
    pay_repo::insert_receipt(
        db,
        &pay_repo::Receipt {
            id: new_id(),
            dossier_id: d.id.clone(),
            agency_id: agency.id,
            year,
            symbol,
            number: n,
            amount: total,
            method: method_code(*method).into(),
            txn_ref,
            gateway_txn_no: gateway_txn,
            document_id: id,
            created_at: rec.at,
        },
    )?;
    Ok(())
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Sweep {
    pub queried: usize,
    pub settled: usize,
    pub refunded: usize,
    pub errors: usize,
}

/// Settles the payments still pending `query_after_secs` after they started by asking the
/// gateway (`querydr`: the callback was lost), and refunds the online payments of dossiers
/// that ended without their result where the settings say so. Run by the worker.
pub async fn sweep(ctx: &AppContext) -> Result<Sweep, AppError> {
    let cfg = ctx.config.payment.clone();
    let mut out = Sweep::default();
    if !cfg.enabled {
        return Ok(out);
    }
    let client = motcua_payment::vnpay::Client::new(&cfg).map_err(AppError::Internal)?;
    let now = ctx.clock.now_ms();
    let before = now - cfg.query_after_secs.max(0) * 1000;
    let pending = ctx.store.read(move |db| pay_repo::pending_before(db, before, SWEEP_BATCH)).await?;
    for a in pending {
        out.queried += 1;
        match client.querydr(&new_id().replace('-', ""), &a.txn_ref, a.created_at, now).await {
            Ok(vnpay::Query::Paid(o)) => {
                let raw = serde_json::to_string(&o).unwrap_or_default();
                if record(ctx, o, raw).await? == IpnAnswer::Confirmed {
                    out.settled += 1;
                }
            }
            Ok(vnpay::Query::Failed(code)) => {
                let txn = a.txn_ref.clone();
                ctx.store.write(move |db| pay_repo::settle(db, &txn, "failed", None, &code, None, "querydr", now)).await?;
                out.settled += 1;
            }
            Ok(vnpay::Query::Pending(_)) => {}
            Err(e) => {
                tracing::warn!(txn_ref = %a.txn_ref, error = %e, "querydr failed");
                out.errors += 1;
            }
        }
    }
    let mut ended = Vec::new();
    if cfg.refund_on_withdrawal {
        ended.push("withdrawn");
    }
    if cfg.refund_on_stop {
        ended.push("stopped");
    }
    let due = ctx.store.read(move |db| pay_repo::paid_of_ended(db, &ended, SWEEP_BATCH)).await?;
    for a in due {
        let Some(no) = a.gateway_txn_no.clone() else { continue };
        let paid_at = a.settled_at.unwrap_or(a.created_at);
        match client.refund(&new_id().replace('-', ""), &a.txn_ref, &no, a.amount, paid_at, PAYMENT_ACTOR, now).await {
            Ok(Ok(())) => {
                refund_recorded(ctx, &a, &no).await?;
                out.refunded += 1;
            }
            Ok(Err(why)) => {
                tracing::warn!(txn_ref = %a.txn_ref, why, "refund refused by the gateway");
                out.errors += 1;
            }
            Err(e) => {
                tracing::warn!(txn_ref = %a.txn_ref, error = %e, "refund call failed");
                out.errors += 1;
            }
        }
    }
    Ok(out)
}

async fn refund_recorded(ctx: &AppContext, a: &Attempt, reference: &str) -> Result<(), AppError> {
    let (a, reference) = (a.clone(), format!("VNPAY-{reference}"));
    let calendars = ctx.calendars.clone();
    let now = ctx.clock.now_ms();
    let issuing = Issuing::new(ctx);
    ctx.store
        .write(move |db| {
            if !pay_repo::mark_refunded(db, &a.txn_ref, &reference)? {
                return Ok(());
            }
            let d = repo::get(db, &a.dossier_id)?.ok_or(AppError::not_found("dossier"))?;
            // A cash payment, or one the dossier does not carry (paid otherwise), has no event.
            if d.payment.as_ref().is_none_or(|p| p.method == PaymentMethod::Cash || p.refunded_at.is_some()) {
                return Ok(());
            }
            let cal = calendars.for_agency(Some(&d.receiving.id));
            let ts = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
            let gateway = Actor { user_id: PAYMENT_ACTOR, account: AccountType::Citizen, memberships: &[] };
            let event = dossier::decide(
                &d,
                Command::Refund { amount: a.amount, reference },
                &Ctx { actor: gateway, now: ts, calendar: &cal, signed_result: false },
            )?;
            commit(db, d, PAYMENT_ACTOR, event, now, &issuing)?;
            Ok(())
        })
        .await
}

/// A dossier's payment attempts and receipts, for whoever may read the dossier.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentView {
    pub attempts: Vec<AttemptView>,
    pub receipts: Vec<ReceiptView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttemptView {
    pub txn_ref: String,
    pub amount: i64,
    pub status: String,
    pub created_at: i64,
    pub gateway_txn_no: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReceiptView {
    pub symbol: String,
    pub number: String,
    pub amount: i64,
    pub method: String,
    pub gateway_txn_no: Option<String>,
    pub document_id: String,
}

pub async fn payments_of(ctx: &AppContext, current: &CurrentUser, id: &str) -> Result<PaymentView, AppError> {
    let (current, id) = (current.clone(), id.to_string());
    ctx.store
        .read(move |db| {
            let d = load_visible(db, &current, &id)?;
            let attempts = pay_repo::for_dossier(db, &d.id)?
                .into_iter()
                .map(|a| AttemptView {
                    txn_ref: a.txn_ref,
                    amount: a.amount,
                    status: a.status,
                    created_at: a.created_at,
                    gateway_txn_no: a.gateway_txn_no,
                })
                .collect();
            let receipts = pay_repo::receipts_for_dossier(db, &d.id)?
                .into_iter()
                .map(|r| ReceiptView {
                    symbol: r.symbol,
                    number: format!("{:07}", r.number),
                    amount: r.amount,
                    method: r.method,
                    gateway_txn_no: r.gateway_txn_no,
                    document_id: r.document_id,
                })
                .collect();
            Ok(PaymentView { attempts, receipts })
        })
        .await
}

/// Where the browser lands back from the gateway: the dossier it paid for and the result
/// the (verified) return query reports. Records nothing: only the IPN or a query does.
pub async fn returned(ctx: &AppContext, params: BTreeMap<String, String>) -> Result<(String, &'static str), AppError> {
    let cfg = &ctx.config.payment;
    let secret = secret(cfg)?;
    if !vnpay::verify_query(secret, &params) {
        return Err(refused(
            400,
            "invalid_signature",
            "Chữ ký của cổng thanh toán không hợp lệ.",
            "The gateway's signature is invalid.",
        ));
    }
    let o = vnpay::outcome(&params).map_err(|e| refused(400, "invalid_callback", &e, &e))?;
    let txn = o.txn_ref.clone();
    let a = ctx.store.read(move |db| pay_repo::get(db, &txn)).await?.ok_or(AppError::not_found("payment"))?;
    let state = match a.status.as_str() {
        "paid" | "refunded" => "paid",
        "failed" => "failed",
        _ if !o.succeeded() => "failed",
        _ => "pending",
    };
    Ok((a.dossier_id, state))
}

/// Settlement lines and recorded payments read per reconciliation, at most.
const MAX_RECONCILED: i64 = 100_000;

/// One reconciliation run with its mismatches.
#[derive(Debug, Clone, Serialize)]
pub struct Reconciled {
    pub id: String,
    pub day: String,
    pub started_at: i64,
    pub started_by: Option<String>,
    pub settled: i64,
    pub recorded: i64,
    pub mismatches: Vec<MismatchView>,
    /// Why the gateway's list could not be read (the run is kept, with no comparison).
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MismatchView {
    /// `missing_settlement` (recorded paid, not in the bank's list), `settlement_without_payment`
    /// (in the list, not recorded paid), `amount_differs`.
    pub kind: String,
    pub txn_ref: String,
    pub dossier_id: Option<String>,
    pub recorded: Option<i64>,
    pub settled: Option<i64>,
}

fn view(run: pay_repo::Run, mismatches: Vec<pay_repo::Mismatch>) -> Reconciled {
    Reconciled {
        id: run.id,
        day: run.day,
        started_at: run.started_at,
        started_by: run.started_by,
        settled: run.settled,
        recorded: run.recorded,
        mismatches: mismatches
            .into_iter()
            .map(|m| MismatchView {
                kind: m.kind,
                txn_ref: m.txn_ref,
                dossier_id: m.dossier_id,
                recorded: m.recorded,
                settled: m.settled,
            })
            .collect(),
        error: run.error,
    }
}

/// Compares the gateway's settlement list of `day` with the payments recorded for that day
/// (the gateway's pay date), lists and keeps every mismatch. Province administrators (the
/// queues' permission), the CLI and the worker (`user` None).
pub async fn reconcile(ctx: &AppContext, user: Option<&CurrentUser>, day: jiff::civil::Date) -> Result<Reconciled, AppError> {
    crate::usecases::require_province(user.map(|u| &u.principal), motcua_domain::authz::Permission::OperateQueues)?;
    let cfg = ctx.config.payment.clone();
    if !cfg.enabled {
        return Err(disabled());
    }
    let client = vnpay::Client::new(&cfg).map_err(AppError::Internal)?;
    let day_s = day.strftime("%Y-%m-%d").to_string();
    let compact = day.strftime("%Y%m%d").to_string();
    let listed = client.settlements(&day_s).await;
    let recorded = ctx.store.read(move |db| pay_repo::paid_on(db, &compact, MAX_RECONCILED)).await?;
    let mut mismatches = Vec::new();
    let (settled_n, error) = match &listed {
        Ok(list) => {
            let by_ref: BTreeMap<&str, &vnpay::Settlement> = list.iter().map(|s| (s.txn_ref.as_str(), s)).collect();
            let ours: BTreeMap<&str, &Attempt> = recorded.iter().map(|a| (a.txn_ref.as_str(), a)).collect();
            for a in &recorded {
                match by_ref.get(a.txn_ref.as_str()) {
                    None => mismatches.push(pay_repo::Mismatch {
                        kind: "missing_settlement".into(),
                        txn_ref: a.txn_ref.clone(),
                        dossier_id: Some(a.dossier_id.clone()),
                        recorded: Some(a.amount),
                        settled: None,
                    }),
                    Some(s) if s.amount != a.amount => mismatches.push(pay_repo::Mismatch {
                        kind: "amount_differs".into(),
                        txn_ref: a.txn_ref.clone(),
                        dossier_id: Some(a.dossier_id.clone()),
                        recorded: Some(a.amount),
                        settled: Some(s.amount),
                    }),
                    Some(_) => {}
                }
            }
            for s in list {
                if !ours.contains_key(s.txn_ref.as_str()) {
                    mismatches.push(pay_repo::Mismatch {
                        kind: "settlement_without_payment".into(),
                        txn_ref: s.txn_ref.clone(),
                        dossier_id: None,
                        recorded: None,
                        settled: Some(s.amount),
                    });
                }
            }
            (list.len() as i64, None)
        }
        Err(e) => (0, Some(e.to_string())),
    };
    let run = pay_repo::Run {
        id: new_id(),
        day: day_s,
        started_at: ctx.clock.now_ms(),
        started_by: user.map(|u| u.user.id.clone()),
        settled: settled_n,
        recorded: recorded.len() as i64,
        mismatches: mismatches.len() as i64,
        error,
    };
    let (r, m) = (run.clone(), mismatches.clone());
    ctx.store.write(move |db| pay_repo::insert_run(db, &r, &m)).await?;
    Ok(view(run, mismatches))
}

/// The latest reconciliation runs (at most 30), newest first, each with its mismatches (the
/// first 200).
pub async fn reconciliations(ctx: &AppContext, user: Option<&CurrentUser>) -> Result<Vec<Reconciled>, AppError> {
    crate::usecases::require_province(user.map(|u| &u.principal), motcua_domain::authz::Permission::OperateQueues)?;
    Ok(ctx
        .store
        .read(|db| {
            let runs = pay_repo::runs(db, 30)?;
            runs.into_iter()
                .map(|r| {
                    let m = pay_repo::mismatches(db, &r.id, 200)?;
                    Ok(view(r, m))
                })
                .collect::<Result<Vec<_>, motcua_store::StoreError>>()
        })
        .await?)
}

/// The worker's daily run: yesterday's reconciliation, once `reconcile_hour` (Vietnam
/// time) has come and no run of that day exists. Returns whether it ran.
pub async fn daily(ctx: &AppContext) -> Result<bool, AppError> {
    let Some(hour) = ctx.config.payment.reconcile_hour.filter(|_| ctx.config.payment.enabled) else { return Ok(false) };
    let now = jiff::Timestamp::from_millisecond(ctx.clock.now_ms()).map_err(|e| AppError::Internal(e.to_string()))?;
    let local = now.to_zoned(vn_time_zone());
    if local.hour() < hour {
        return Ok(false);
    }
    let yesterday = local.date().yesterday().map_err(|e| AppError::Internal(e.to_string()))?;
    let day = yesterday.strftime("%Y-%m-%d").to_string();
    let done = ctx
        .store
        .read(move |db| {
            Ok::<_, motcua_store::StoreError>(
                db.query_opt("SELECT 1 FROM payment_reconciliations WHERE day = $1", &motcua_store::params![day])?.is_some(),
            )
        })
        .await?;
    if done {
        return Ok(false);
    }
    reconcile(ctx, None, yesterday).await?;
    Ok(true)
}
