//! Filing and returning by the public postal service (issue #17, QĐ 45/2016/QĐ-TTg;
//! `docs/postal.md`): the province an address is checked against, the shipments table kept
//! in step with the log, and the carrier's signed delivery reports.

use super::*;
use crate::config::PostConfig;
use hmac::{Hmac, Mac};
use motcua_domain::dossier::{AdminUnit, CARRIER_ACTOR, Province};
pub use motcua_pdf::PostalKind;
use motcua_store::repo::postal::{self as postal_repo, ShipmentRow};

/// The name an address uses for a unit of the tree: the commune's short name when it says
/// what it is ("Phường Hoa Lư"), else its name without "Ủy ban nhân dân" ("Tỉnh Ninh Bình").
fn unit_name(a: &AgencyRecord) -> String {
    if let Some(short) = a.short_name.as_deref().filter(|s| ["Xã ", "Phường ", "Đặc khu "].iter().any(|p| s.starts_with(p)))
    {
        return short.to_string();
    }
    let bare = a.name.trim_start_matches("Ủy ban nhân dân ").trim();
    let mut c = bare.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The province holding `path` in the agency tree, with its communes and wards in force
/// today: what a postal address is checked against. The tree's commune-level People's
/// Committees are the administrative units (since 1 July 2025 the province has two levels);
/// an address names one by its agency code.
pub fn province_of(db: &mut Db, path: &str, today: jiff::civil::Date) -> Result<Province, AppError> {
    let filter = agencies::AgencyFilter { kind: Some(AgencyKind::Province), limit: 100, ..Default::default() };
    let (provinces, _) = agencies::list(db, &filter)?;
    let Some(p) = provinces.into_iter().find(|p| path.starts_with(&p.path)) else {
        return Ok(Province::default());
    };
    let filter = agencies::AgencyFilter {
        scope: Some(vec![p.path.clone()]),
        kind: Some(AgencyKind::Commune),
        active_on: Some(today),
        limit: 1000,
        ..Default::default()
    };
    let (communes, _) = agencies::list(db, &filter)?;
    let mut communes: Vec<AdminUnit> = communes.iter().map(|c| AdminUnit { code: c.code.clone(), name: unit_name(c) }).collect();
    communes.sort_by_key(|c| motcua_domain::text::fold(&c.name));
    Ok(Province { code: p.code.clone(), name: unit_name(&p), communes })
}

/// The province of the agency at `path`, read in its own transaction (the address form).
pub async fn province(ctx: &AppContext, path: &str) -> Result<Province, AppError> {
    let (path, today) = (path.to_string(), local_date_ms(ctx.clock.now_ms()));
    ctx.store.read(move |db| province_of(db, &path, today)).await
}

/// The command with the province its address is checked against (read in the command's
/// snapshot); other commands as they are.
pub(super) fn with_province(db: &mut Db, d: &Dossier, cmd: Command, now: i64) -> Result<Command, AppError> {
    Ok(match cmd {
        Command::ChoosePostal { dossier_by_post, result_by_post, address, .. } => Command::ChoosePostal {
            dossier_by_post,
            result_by_post,
            address,
            province: Box::new(province_of(db, &d.receiving.path, local_date_ms(now))?),
        },
        other => other,
    })
}

/// Keeps `postal_shipments` in step with the log, in the event's transaction (and in the
/// rebuild). A tracking number the carrier already has refuses the hand-over.
pub(super) fn project(db: &mut Db, d: &Dossier, rec: &Recorded) -> Result<(), AppError> {
    match &rec.event {
        Event::Posted { tracking_number, carrier, fee } => {
            let row = ShipmentRow {
                dossier_id: d.id.clone(),
                seq: rec.seq,
                carrier: carrier.clone(),
                tracking_number: tracking_number.clone(),
                status: dossier::ShipmentStatus::InTransit.code().into(),
                fee: *fee,
                receiving_path: d.receiving.path.clone(),
                posted_at: rec.at,
                updated_at: rec.at,
                reason: None,
            };
            postal_repo::insert(db, &row).map_err(|e| match e {
                motcua_store::StoreError::Unique { constraint } if constraint == postal_repo::TRACKING_TAKEN => {
                    AppError::Validation(ValidationError::single(
                        "tracking_number",
                        "tracking_number_taken",
                        "Số hiệu bưu gửi này đã được dùng cho một bưu gửi khác của cùng đơn vị bưu chính.",
                        "This tracking number is already used by another shipment of the same carrier.",
                    ))
                }
                other => other.into(),
            })?;
        }
        Event::PostDelivered { tracking_number } => {
            postal_repo::finish(db, &d.id, tracking_number, "delivered", None, rec.at)?;
        }
        Event::PostUndelivered { tracking_number, reason } => {
            postal_repo::finish(db, &d.id, tracking_number, "undelivered", Some(reason), rec.at)?;
        }
        _ => {}
    }
    Ok(())
}

/// Empties the shipments before the rebuild projects them again from the log.
pub(super) fn clear(db: &mut Db) -> Result<(), AppError> {
    db.execute("DELETE FROM postal_shipments", &[])?;
    Ok(())
}

/// What a carrier reports about a shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CarrierStatus {
    InTransit,
    Delivered,
    /// Returned undelivered to the sender (the one-stop).
    Undelivered,
}

impl CarrierStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::InTransit => "in_transit",
            Self::Delivered => "delivered",
            Self::Undelivered => "undelivered",
        }
    }
}

/// One carrier report, as the webhook's body carries it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CarrierReport {
    /// The carrier's id of this report: each is taken once.
    pub event_id: String,
    pub tracking_number: String,
    pub status: CarrierStatus,
    /// Why it was not delivered (required for `undelivered`).
    #[serde(default)]
    pub reason: Option<String>,
}

/// What became of a report taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReportTaken {
    pub dossier_id: String,
    /// `returned` (delivered), `undelivered` (back at the counter) or `noted` (in transit:
    /// nothing changes on the dossier).
    pub outcome: &'static str,
}

fn refused(http: u16, code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::Refused { http, code, vi: vi.into(), en: en.into() }
}

type HmacSha256 = Hmac<Sha256>;

/// The signature header's value for `body` sent at `timestamp` (seconds): `sha256=` and the
/// hex HMAC-SHA256 of `"{timestamp}.{body}"` under the carrier's secret.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks a report's carrier, timestamp and signature (constant time) before anything is
/// read from its body: 401 with `unknown_carrier`, `stale_timestamp` or `bad_signature`.
pub fn verify(
    cfg: &PostConfig,
    carrier: &str,
    timestamp: &str,
    signature: &str,
    body: &[u8],
    now_ms: i64,
) -> Result<(), AppError> {
    let Some(c) = cfg.carriers.iter().find(|c| c.name == carrier && !c.secret.is_empty()) else {
        return Err(refused(401, "unknown_carrier", "Đơn vị bưu chính không được cấu hình.", "The carrier is not configured."));
    };
    let fresh = timestamp.parse::<i64>().ok().is_some_and(|t| (now_ms / 1000 - t).abs() <= cfg.max_age_secs);
    if !fresh {
        return Err(refused(
            401,
            "stale_timestamp",
            "Thời điểm ký (X-Motcua-Timestamp) thiếu hoặc lệch quá 5 phút.",
            "The signing time (X-Motcua-Timestamp) is missing or more than 5 minutes off.",
        ));
    }
    let given = signature.strip_prefix("sha256=").and_then(|h| hex::decode(h).ok());
    let mut mac = HmacSha256::new_from_slice(c.secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    match given {
        Some(g) if mac.verify_slice(&g).is_ok() => Ok(()),
        _ => Err(refused(401, "bad_signature", "Chữ ký của thông báo không đúng.", "The report's signature is wrong.")),
    }
}

/// Takes one verified report: each carrier event id once (409 `replayed_event`), for a
/// tracking number of that carrier (404 `unknown_tracking_number`). Delivered and
/// undelivered become the dossier's `post_delivered` / `post_undelivered` commands by the
/// carrier (`CARRIER_ACTOR`); a refused command (e.g. already returned) writes nothing.
pub async fn carrier_report(ctx: &AppContext, carrier: &str, report: CarrierReport) -> Result<ReportTaken, AppError> {
    let event_id = report.event_id.trim().to_string();
    if event_id.is_empty() || event_id.len() > 100 || !event_id.chars().all(|c| c.is_ascii_graphic()) {
        return Err(invalid("event_id", "invalid_event_id", "Mã sự kiện không hợp lệ.", "Invalid event id."));
    }
    let tracking = dossier::postal::check_tracking_number(&report.tracking_number)?;
    let carrier = carrier.to_string();
    let calendars = ctx.calendars.clone();
    let now = ctx.clock.now_ms();
    let issuing = Issuing::new(ctx);
    ctx.store
        .write(move |db| {
            if postal_repo::seen(db, &carrier, &event_id)? {
                return Err(refused(
                    409,
                    "replayed_event",
                    "Thông báo này đã được xử lý (trùng mã sự kiện).",
                    "This report was already taken (same event id).",
                ));
            }
            let Some(s) = postal_repo::by_tracking(db, &carrier, &tracking)? else {
                return Err(refused(
                    404,
                    "unknown_tracking_number",
                    "Không có bưu gửi nào với số hiệu này.",
                    "No shipment has this tracking number.",
                ));
            };
            let cmd = match report.status {
                CarrierStatus::InTransit => None,
                CarrierStatus::Delivered => Some(Command::PostDelivered { tracking_number: Some(tracking.clone()) }),
                CarrierStatus::Undelivered => Some(Command::PostUndelivered {
                    tracking_number: Some(tracking.clone()),
                    reason: report.reason.clone().unwrap_or_default(),
                }),
            };
            let outcome = match cmd {
                None => "noted",
                Some(cmd) => {
                    let d = repo::get(db, &s.dossier_id)?.ok_or(AppError::not_found("dossier"))?;
                    let cal = calendars.for_agency(Some(&d.receiving.id));
                    let at = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
                    let actor = Actor { user_id: CARRIER_ACTOR, account: AccountType::Citizen, memberships: &[] };
                    let event = dossier::decide(&d, cmd, &Ctx { actor, now: at, calendar: &cal, signed_result: false })?;
                    let outcome = if matches!(event, Event::PostDelivered { .. }) { "returned" } else { "undelivered" };
                    commit(db, d, CARRIER_ACTOR, event, now, &issuing)?;
                    outcome
                }
            };
            postal_repo::record_event(db, &carrier, &event_id, &tracking, report.status.code(), &s.dossier_id, now).map_err(
                |e| match e {
                    motcua_store::StoreError::Unique { .. } => refused(
                        409,
                        "replayed_event",
                        "Thông báo này đã được xử lý (trùng mã sự kiện).",
                        "This report was already taken (same event id).",
                    ),
                    other => other.into(),
                },
            )?;
            Ok(ReportTaken { dossier_id: s.dossier_id, outcome })
        })
        .await
}

/// The postal slip or label of the dossier's last shipment (officials who may read the
/// dossier; 409 `not_posted` before a hand-over). The QR carries the public tracking page of
/// the dossier code.
pub async fn postal_document(
    ctx: &AppContext,
    current: &CurrentUser,
    id: &str,
    kind: motcua_pdf::PostalKind,
) -> Result<Vec<u8>, AppError> {
    if current.user.account_type != AccountType::Official {
        return Err(AppError::Forbidden);
    }
    let (cur, id) = (current.clone(), id.to_string());
    let (d, unit) = ctx
        .store
        .read(move |db| {
            let d = load_visible(db, &cur, &id)?;
            let unit = agencies::find(db, &d.receiving.id)?;
            Ok::<_, AppError>((d, unit))
        })
        .await?;
    let (Some(s), Some(choice)) = (d.shipments.last(), d.postal.as_ref()) else {
        return Err(AppError::Conflict {
            code: "not_posted",
            field: None,
            vi: "Kết quả chưa được bàn giao cho bưu chính.",
            en: "The result has not been handed to the post.",
        });
    };
    let a = &choice.address;
    let mut items = vec![match &d.result {
        Some(r) => match &r.number {
            Some(n) => format!("{} (số {n})", r.name),
            None => r.name.clone(),
        },
        None => "Kết quả giải quyết thủ tục hành chính".into(),
    }];
    items.push(format!("Hồ sơ {}", d.code.clone().unwrap_or_default()));
    let code = d.code.clone().unwrap_or_default();
    let input = motcua_pdf::PostalInput {
        kind,
        title: match kind {
            motcua_pdf::PostalKind::Slip => "Phiếu bàn giao kết quả giải quyết thủ tục hành chính cho bưu chính".into(),
            motcua_pdf::PostalKind::Label => "Nhãn địa chỉ bưu gửi".into(),
        },
        unit: unit.as_ref().map_or_else(|| d.receiving.name.clone(), |u| u.name.clone()),
        unit_address: unit.and_then(|u| u.address).unwrap_or_default(),
        dossier_code: code.clone(),
        procedure: d.procedure.name.clone(),
        items,
        recipient: a.recipient.clone(),
        phone: a.phone.clone(),
        address: a.line(),
        tracking_number: s.tracking_number.clone(),
        carrier: s.carrier.clone(),
        fee: motcua_domain::text::money(s.fee),
        date: crate::error::hanoi_time(s.posted_at),
    };
    let qr = format!("{}/tra-cuu?code={}", ctx.documents.public_url.trim_end_matches('/'), motcua_domain::text::urlencode(&code));
    ctx.documents.on_demand(move |r| r.render_postal(&input, &qr)).await?.map_err(|e| AppError::Internal(e.to_string()))
}
