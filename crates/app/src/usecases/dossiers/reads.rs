//! Reads: one dossier with its timeline, inboxes, the register (form 07), public tracking,
//! counter totals and officers' names.

use super::*;
use crate::access::AccessKind;
use crate::limits::{client_key, text_key};
use std::net::IpAddr;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub seq: i64,
    pub at: i64,
    pub actor_id: String,
    pub kind: String,
    #[schema(value_type = Object)]
    pub event: serde_json::Value,
}

/// The dossier's state alone (no timeline), if the reader may see it.
pub async fn state(ctx: &AppContext, current: &CurrentUser, id: &str) -> Result<Dossier, AppError> {
    crate::obs::record_dossier(id);
    let (current, id) = (current.clone(), id.to_string());
    ctx.store.read(move |db| load_visible(db, &current, &id)).await
}

/// The dossier's state for its control slip (form 06, which names the applicant): recorded
/// as an official's read of the dossier.
pub async fn for_control_slip(ctx: &AppContext, current: &CurrentUser, id: &str) -> Result<Dossier, AppError> {
    let d = state(ctx, current, id).await?;
    crate::access::dossier_read(ctx, current, AccessKind::DossierRead, &d.id, &d.receiving.path, Some("control slip".into()));
    Ok(d)
}

/// The dossier as `current` may see it: without the files they may not read (the result
/// document before resolution, for the applicant).
fn redacted(mut d: Dossier, current: &CurrentUser) -> Dossier {
    let a = actor(current);
    let hidden: Vec<String> = d.files.iter().filter(|f| !dossier::may_read_file(&d, f, &a)).map(|f| f.id.clone()).collect();
    d.files.retain(|f| !hidden.contains(&f.id));
    if !sees_ratings(current) {
        d.rating = None;
    }
    d
}

/// The applicant's rating is collected apart from the officers handling the dossier (issue
/// #18): read by its author and by those who read the unit's figures (leaders, supervisors,
/// administrators), not by the other officers.
fn sees_ratings(current: &CurrentUser) -> bool {
    current.user.account_type == motcua_domain::user::AccountType::Citizen
        || !motcua_domain::authz::scope(&current.principal, motcua_domain::authz::Permission::ViewIndicators).is_empty()
}

pub async fn get(ctx: &AppContext, current: &CurrentUser, id: &str) -> Result<(Dossier, Vec<TimelineEntry>), AppError> {
    crate::obs::record_dossier(id);
    let out = crate::obs::usecase("dossiers.get", get_unlogged(ctx, current, id)).await?;
    crate::access::dossier_read(ctx, current, AccessKind::DossierRead, &out.0.id, &out.0.receiving.path, None);
    Ok(out)
}

async fn get_unlogged(ctx: &AppContext, current: &CurrentUser, id: &str) -> Result<(Dossier, Vec<TimelineEntry>), AppError> {
    let (current, id) = (current.clone(), id.to_string());
    ctx.store
        .read(move |db| {
            let d = load_visible(db, &current, &id)?;
            let a = actor(&current);
            let events = repo::events(db, &id)?
                .into_iter()
                .filter(|r| !matches!(&r.event, Event::FileAttached { file } if !dossier::may_read_file(&d, file, &a)))
                .map(|r| TimelineEntry {
                    seq: r.seq,
                    at: r.at,
                    actor_id: r.actor_id,
                    kind: r.event.kind().to_string(),
                    event: match &r.event {
                        // That it was rated, not how.
                        Event::Rated { .. } if !sees_ratings(&current) => serde_json::json!({"kind": "rated"}),
                        e => serde_json::to_value(e).unwrap_or_default(),
                    },
                })
                .collect();
            Ok((redacted(d, &current), events))
        })
        .await
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub statuses: Vec<String>,
    pub q: Option<String>,
    /// Only online dossiers still waiting for their check past its due time (issue #11 item 14).
    pub check_overdue: bool,
    pub limit: i64,
    pub offset: i64,
    /// An inbox's keyset cursor (`next_cursor` of the previous page): the page after it.
    pub cursor: Option<String>,
    /// Free text: count every match (up to `TEXT_COUNT_CAP`) through the text index, slower
    /// over a long history; otherwise a count the first held rows do not settle is a lower
    /// bound (`ListOut::total_capped`).
    pub count_exact: bool,
}

/// The cursor of the page after `last` in an inbox (its next deadline and id).
pub fn next_cursor(last: &Dossier) -> String {
    let (due, id) = repo::next_cursor(last);
    format!("{due}_{id}")
}

fn parse_cursor(s: &str) -> Option<(i64, String)> {
    let (due, id) = s.split_once('_')?;
    let id = id.trim();
    (!id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .then(|| Some((due.parse().ok()?, id.to_string())))
        .flatten()
}

/// Inbox counts for the officer: overdue, due within one day, the rest, by each dossier's
/// next deadline (the legal one, or a waiting online dossier's check).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueCounts {
    pub overdue: i64,
    pub due_soon: i64,
    pub on_track: i64,
    /// Of the overdue: online dossiers waiting for their check past its due time.
    pub check_overdue: i64,
}

fn parent_of(path: &str) -> Option<String> {
    let t = path.strip_suffix('/')?;
    let i = t.rfind('/')?;
    (i > 0).then(|| path[..=i].to_string())
}

/// The filter of the list `q` for `current` at `now`: an officer's inbox (held where they
/// serve), a supervisor's subtree, or the applicant's own dossiers; authorization is in it.
pub fn filter_for(current: &CurrentUser, q: &ListQuery, now: i64) -> Result<DossierFilter, AppError> {
    let mut statuses = Vec::new();
    for s in &q.statuses {
        if Status::parse(s).is_none() {
            return Err(invalid("status", "invalid_status", "Trạng thái không hợp lệ.", "Unknown status."));
        }
        statuses.push(s.clone());
    }
    let mut f = DossierFilter {
        statuses,
        words: q
            .q
            .as_deref()
            .map(|t| motcua_domain::text::fold(t).split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
        limit: if q.limit <= 0 { 50 } else { q.limit },
        offset: q.offset,
        after: match q.cursor.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(
                parse_cursor(c)
                    .ok_or_else(|| invalid("cursor", "invalid_cursor", "Con trỏ trang không hợp lệ.", "Invalid page cursor."))?,
            ),
        },
        check_overdue_at: q.check_overdue.then_some(now),
        ..Default::default()
    };
    if current.user.account_type == AccountType::Citizen {
        f.owner_id = Some(current.user.id.clone());
        return Ok(f);
    }
    let oversee: Vec<String> = current
        .principal
        .memberships
        .iter()
        .filter(|m| matches!(m.role, Role::Supervisor | Role::Admin))
        .map(|m| m.agency_path.clone())
        .collect();
    if !oversee.is_empty() {
        f.receiving_scope = Some(oversee);
    } else {
        f.serving = Some(
            current
                .principal
                .memberships
                .iter()
                .map(|m| Serving {
                    subtree: m.agency_path.clone(),
                    parent: parent_of(&m.agency_path),
                    role: m.role.code().to_string(),
                })
                .collect(),
        );
    }
    Ok(f)
}

/// Where the count of a free-text inbox filter stops: beyond it the page says "at least".
pub const TEXT_COUNT_CAP: i64 = 1000;

/// A page of a list with its count and the view's due counts.
#[derive(Debug, Clone)]
pub struct ListOut {
    pub items: Vec<Dossier>,
    /// What the filter selects; with free text at most `TEXT_COUNT_CAP`.
    pub total: i64,
    /// `total` is a lower bound: the filter selects at least that many (free text over a
    /// large inbox, see `ListQuery::count_exact`).
    pub total_capped: bool,
    pub counts: DueCounts,
}

/// The officer's inbox (dossiers held now where they serve, most urgent first), a
/// supervisor's whole subtree, or the applicant's own dossiers. An official's list is
/// recorded in the access log (one entry for the request).
pub async fn list(ctx: &AppContext, current: &CurrentUser, q: ListQuery) -> Result<ListOut, AppError> {
    crate::obs::usecase("dossiers.list", list_unobserved(ctx, current, q)).await
}

async fn list_unobserved(ctx: &AppContext, current: &CurrentUser, q: ListQuery) -> Result<ListOut, AppError> {
    let now = ctx.clock.now_ms();
    let f = DossierFilter { count_cap: Some(TEXT_COUNT_CAP), count_exact: q.count_exact, ..filter_for(current, &q, now)? };
    let cur = current.clone();
    let out: ListOut = ctx
        .store
        .read(move |db| {
            let page = repo::list_page(db, &f)?;
            let items = page.items.into_iter().map(|d| redacted(d, &cur)).collect();
            // The counts are the inbox's (under its status filter) whatever the check and the
            // free-text filters show: an inbox's counters answer them.
            let all = DossierFilter { check_overdue_at: None, words: Vec::new(), ..f.clone() };
            let t = repo::due_counts(db, &all, now, 86_400_000)?;
            Ok::<_, AppError>(ListOut {
                items,
                total: page.total,
                total_capped: page.total_capped,
                counts: DueCounts {
                    overdue: t.overdue,
                    due_soon: t.due_soon,
                    on_track: t.on_track,
                    check_overdue: t.check_overdue,
                },
            })
        })
        .await?;
    let (statuses, offset) = (q.statuses.join("|"), q.offset.to_string());
    let filter = [("status", statuses.as_str()), ("q", q.q.as_deref().unwrap_or("")), ("offset", offset.as_str())];
    crate::access::list_read(ctx, current, "dossiers", &filter, out.items.len(), Some(out.total));
    Ok(out)
}

/// The plan of the inbox page `q` would read for `current` (the check that the page comes
/// from the index in due order); `None` when it is not an inbox of held dossiers.
pub async fn inbox_plan(ctx: &AppContext, current: &CurrentUser, q: ListQuery) -> Result<Option<Vec<String>>, AppError> {
    let f = filter_for(current, &q, ctx.clock.now_ms())?;
    ctx.store.read(move |db| repo::inbox_plan(db, &f).map_err(AppError::from)).await
}

/// Every dossier of the list `q` selects (its limit and offset ignored), in the list's
/// order, scoped in the query exactly as `list`: for a download. More than `max` answer 422
/// `export_too_large` after one count, before any further page is read. Recorded as one
/// `list_export` entry (`format` in its detail), a refused one too.
pub async fn list_for_export(
    ctx: &AppContext,
    current: &CurrentUser,
    q: ListQuery,
    max: usize,
    format: &str,
) -> Result<Vec<Dossier>, AppError> {
    const PAGE: i64 = 500;
    let f = filter_for(current, &ListQuery { limit: PAGE, offset: 0, cursor: None, ..q.clone() }, ctx.clock.now_ms())?;
    let statuses = q.statuses.join("|");
    let filter = [("status", statuses.as_str()), ("q", q.q.as_deref().unwrap_or("")), ("format", format)];
    let mut out: Vec<Dossier> = Vec::new();
    loop {
        let page = DossierFilter { offset: out.len() as i64, ..f.clone() };
        let (items, total) = ctx.store.read(move |db| repo::list(db, &page).map_err(AppError::from)).await?;
        if total > max as i64 {
            crate::access::list_export(ctx, current, "dossiers", &filter, 0, total);
            return Err(crate::usecases::exports::too_large(total, max));
        }
        let n = items.len();
        out.extend(items);
        if n == 0 || out.len() as i64 >= total {
            crate::access::list_export(ctx, current, "dossiers", &filter, out.len(), total);
            return Ok(out);
        }
    }
}

/// Where the register (form 07) of `current` reads, as agency subtrees: the agencies where
/// they work, each with its subtree. A counter keeps its centre's register and a unit
/// (phòng) works its department's dossiers, so those two kinds read their parent's subtree;
/// no other kind is widened (a department's or a commune's parent is the province).
fn register_scope(db: &mut Db, current: &CurrentUser) -> Result<Vec<String>, AppError> {
    let mut scope = Vec::new();
    for m in &current.principal.memberships {
        let a = agencies::get(db, &m.agency_id)?;
        let widen = matches!(a.kind, AgencyKind::Counter | AgencyKind::Unit);
        scope.push(if widen { parent_of(&a.path).unwrap_or(a.path) } else { a.path });
    }
    Ok(scope)
}

/// Dossiers received at the caller's counters' centres (a counter sees what its centre
/// received), in `statuses` (any when empty) and matching `q` (code, applicant, procedure):
/// the counter's results to hand back and its search by code. Scoped in the query to the
/// centres of the caller's reception-officer memberships; anyone else is refused.
pub async fn at_counter(
    ctx: &AppContext,
    current: &CurrentUser,
    statuses: Vec<String>,
    q: Option<String>,
    limit: i64,
) -> Result<Vec<Dossier>, AppError> {
    if !current.principal.memberships.iter().any(|m| m.role == Role::ReceptionOfficer) {
        return Err(AppError::Forbidden);
    }
    let list = ListQuery { statuses, q, limit, ..Default::default() };
    let mut f = filter_for(current, &list, ctx.clock.now_ms())?;
    let (statuses, q) = (list.statuses.join("|"), list.q.unwrap_or_default());
    let cur = current.clone();
    let scope = ctx
        .store
        .read(move |db| {
            let mut scope = Vec::new();
            for m in cur.principal.memberships.iter().filter(|m| m.role == Role::ReceptionOfficer) {
                let a = agencies::get(db, &m.agency_id)?;
                scope.push(if a.kind == AgencyKind::Counter { parent_of(&a.path).unwrap_or(a.path) } else { a.path });
            }
            Ok::<_, AppError>(scope)
        })
        .await?;
    f.serving = None;
    f.receiving_scope = Some(scope);
    let cur = current.clone();
    let items: Vec<Dossier> = ctx
        .store
        .read(move |db| {
            let (items, _) = repo::list(db, &f)?;
            Ok::<_, AppError>(items.into_iter().map(|d| redacted(d, &cur)).collect())
        })
        .await?;
    crate::access::list_read(ctx, current, "counter", &[("status", statuses.as_str()), ("q", q.as_str())], items.len(), None);
    Ok(items)
}

/// Days outside the calendar's range (1900–2199) answer 422 instead of failing deep inside.
fn check_day(errs: &mut Errors, field: &str, d: jiff::civil::Date) {
    if !(1900..=2199).contains(&d.year()) {
        errs.push(FieldError::new(
            field,
            "date_out_of_range",
            "Ngày nằm ngoài khoảng được hỗ trợ (01/01/1900 đến 31/12/2199).",
            "The date is outside the supported range (1900-01-01 to 2199-12-31).",
        ));
    }
}

/// The register (form 07): dossiers received over a period of local days that the
/// reader's agencies received or are competent for (see `register_scope`); a province
/// supervisor or administrator, working at the root, reads the whole province. Recorded in
/// the access log as `kind` (`RegisterRead` on screen, `RegisterExport` for a file).
pub(crate) async fn register_as(
    ctx: &AppContext,
    current: &CurrentUser,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
    kind: AccessKind,
) -> Result<Vec<Dossier>, AppError> {
    if current.user.account_type != AccountType::Official {
        return Err(AppError::Forbidden);
    }
    let mut errs = Errors::new();
    check_day(&mut errs, "from", from);
    check_day(&mut errs, "to", to);
    errs.finish()?;
    let tz = vn_time_zone();
    let start = from.to_zoned(tz.clone()).map_err(|e| AppError::Internal(e.to_string()))?.timestamp().as_millisecond();
    let end = to
        .tomorrow()
        .map_err(|e| AppError::Internal(e.to_string()))?
        .to_zoned(tz)
        .map_err(|e| AppError::Internal(e.to_string()))?
        .timestamp()
        .as_millisecond();
    let cur = current.clone();
    let scope = ctx.store.read(move |db| register_scope(db, &cur)).await?;
    let f = DossierFilter {
        received_or_competent: Some(scope),
        received_from: Some(start),
        received_to: Some(end),
        order_by_received: true,
        limit: 500,
        ..Default::default()
    };
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let page = DossierFilter { offset, ..f.clone() };
        let (items, total) = ctx.store.read(move |db| repo::list(db, &page).map_err(AppError::from)).await?;
        let n = items.len() as i64;
        out.extend(items);
        offset += n;
        if n == 0 || offset >= total || offset >= 20_000 {
            break;
        }
    }
    // The register lists applicants' names, addresses and phones: every read is logged.
    let mut e = crate::access::entry(ctx, current, kind);
    e.detail = Some(format!("{from}..{to}: {} dossiers", out.len()));
    ctx.access.record(e);
    Ok(out)
}

/// The tracking check as typed: the last four digits of the applicant's ID number or phone,
/// or the whole number (spaces, dots, dashes and a leading + allowed: "0912 345 678",
/// "+84 912.345.678"), of which the last four digits are the check. `None` if it is not one.
pub fn tracking_check(typed: &str) -> Option<String> {
    let typed = typed.trim();
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    let allowed = typed.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || " .-".contains(c) || (i == 0 && c == '+'));
    (allowed && (4..=15).contains(&digits.len())).then(|| digits[digits.len() - 4..].to_string())
}

/// Public tracking by code and a second factor (last four digits of the applicant's ID
/// number or phone). A wrong factor reads exactly like an unknown code.
///
/// Codes are sequential and the check has 10 000 values, so guessing is limited: each
/// client address has a rate, and wrong checks of one code put (code, address) — and,
/// after many more, the code for everyone — into back-off, refused with 429 before
/// anything is read. The applicant, from their own address, keeps access unless the code
/// is guessed at from many addresses.
pub async fn track(ctx: &AppContext, code: &str, check: &str, client: IpAddr) -> Result<Dossier, AppError> {
    crate::obs::usecase("dossiers.track", track_unobserved(ctx, code, check, client)).await
}

async fn track_unobserved(ctx: &AppContext, code: &str, check: &str, client: IpAddr) -> Result<Dossier, AppError> {
    let (doors, now, address) = (&ctx.doors, crate::now_ms(), client_key(client));
    if let Err(wait) = doors.tracking_per_address.take(&address, now) {
        if doors.log_gate.open(now) {
            tracing::warn!(%address, "tracking rate limit of the address reached");
        }
        return Err(AppError::throttled(429, "too_many_requests", wait));
    }
    let code_key = text_key(code);
    let pair = (code_key.clone(), address);
    if let Some(wait) =
        doors.tracking_failures.blocked(&pair, now).or_else(|| doors.tracking_code_failures.blocked(&code_key, now))
    {
        return Err(AppError::throttled(429, "tracking_throttled", wait));
    }
    // Codes are written in capitals, but a lowercase one is the same code.
    let code = code.trim().to_ascii_uppercase();
    let check = tracking_check(check).unwrap_or_default();
    let found = ctx.store.read(move |db| repo::get_for_tracking(db, &code, &check).map_err(AppError::from)).await?;
    let Some(d) = found else {
        let by_pair = doors.tracking_failures.failure(&pair, now);
        let by_code = doors.tracking_code_failures.failure(&code_key, now);
        if let Some(t) = by_pair.or(by_code) {
            tracing::warn!(code = %code_key, %address, failures = t.failures, wait_ms = t.wait_ms, all_addresses = by_pair.is_none(),
                "tracking back-off");
        }
        return Err(AppError::not_found("dossier"));
    };
    doors.tracking_failures.success(&pair);
    Ok(d)
}

/// Counter totals over local days `[from, to]` of the reception points where `current`
/// may view indicators (supervisors and administrators, over their agencies' subtrees;
/// the province root's reads the province). Anyone else is refused.
pub async fn kpi_totals(ctx: &AppContext, current: &CurrentUser, from: &str, to: &str) -> Result<Vec<(String, i64)>, AppError> {
    let scope = motcua_domain::authz::scope(&current.principal, motcua_domain::authz::Permission::ViewIndicators);
    if scope.is_empty() {
        return Err(AppError::Forbidden);
    }
    let mut errs = Errors::new();
    let mut days = Vec::new();
    for (field, s) in [("from", from), ("to", to)] {
        match motcua_domain::calendar::parse_date(s.trim()) {
            Ok(d) => {
                check_day(&mut errs, field, d);
                days.push(d);
            }
            Err(_) => {
                errs.push(FieldError::new(field, "invalid_date", "Ngày không hợp lệ (YYYY-MM-DD).", "Invalid date (YYYY-MM-DD)."))
            }
        }
    }
    errs.finish()?;
    // A period that ends before it starts is an error, not an empty answer (issue #16).
    crate::usecases::indicators::check_range(days[0], days[1], 3_700)?;
    let (from, to) = (from.trim().to_string(), to.trim().to_string());
    let now = ctx.clock.now_ms();
    ctx.store
        .read(move |db| {
            let mut totals = repo::kpi_totals(db, &scope, &from, &to)?;
            // Online dossiers whose check was overdue (issue #11 item 14): answered late in the
            // period (`check_late`, a counter) and, now, still waiting past the due time.
            let late = totals.iter().find(|(m, _)| m == "check_late").map_or(0, |(_, v)| *v);
            // Like the counters, a figure of 0 is left out.
            let waiting = repo::check_overdue_count(db, &scope, now)?;
            for (metric, n) in [("check_overdue_waiting", waiting), ("check_overdue", late + waiting)] {
                if n > 0 {
                    totals.push((metric.to_string(), n));
                }
            }
            Ok(totals)
        })
        .await
}

/// Full names of the given users (for the control slip and timelines); unknown ids are left out.
pub async fn user_names(ctx: &AppContext, ids: Vec<String>) -> Result<std::collections::HashMap<String, String>, AppError> {
    ctx.store
        .read(move |db| {
            let mut out = std::collections::HashMap::new();
            for id in ids {
                if out.contains_key(&id) {
                    continue;
                }
                match motcua_store::repo::users::get(db, &id) {
                    Ok(u) => {
                        out.insert(id, u.full_name);
                    }
                    Err(motcua_store::StoreError::NotFound) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(out)
        })
        .await
}

/// A rating at the counter's kiosk or second screen (issue #11 item 15): the applicant of a
/// paper dossier rates it at return with its code and the one-time rating code printed on
/// the receipt, once. A wrong pair reads like an unknown code, under the tracking limits
/// (per address, then back-off per code), so codes cannot be guessed.
pub async fn rate_at_counter(
    ctx: &AppContext,
    code: &str,
    rating_code: &str,
    satisfied: bool,
    comment: Option<String>,
    factors: Vec<dossier::FactorRating>,
    client: IpAddr,
) -> Result<Dossier, AppError> {
    let (doors, now, address) = (&ctx.doors, crate::now_ms(), client_key(client));
    if let Err(wait) = doors.tracking_per_address.take(&address, now) {
        return Err(AppError::throttled(429, "too_many_requests", wait));
    }
    let code_key = text_key(code);
    let pair = (code_key.clone(), address);
    if let Some(wait) =
        doors.tracking_failures.blocked(&pair, now).or_else(|| doors.tracking_code_failures.blocked(&code_key, now))
    {
        return Err(AppError::throttled(429, "tracking_throttled", wait));
    }
    let (code, rating_code) = (code.trim().to_ascii_uppercase(), rating_code.trim().to_string());
    let calendars = ctx.calendars.clone();
    let at = ctx.clock.now_ms();
    let issuing = Issuing::new(ctx);
    let result = ctx
        .store
        .write(move |db| {
            let d = repo::get_by_code(db, &code)?.filter(|d| d.rating_code.as_deref() == Some(rating_code.as_str()));
            let Some(d) = d else { return Ok::<_, AppError>(None) };
            let cal = calendars.for_agency(Some(&d.receiving.id));
            let ts = jiff::Timestamp::from_millisecond(at).map_err(|e| AppError::Internal(e.to_string()))?;
            let kiosk = Actor { user_id: dossier::KIOSK_ACTOR, account: AccountType::Citizen, memberships: &[] };
            let event = dossier::decide(
                &d,
                Command::RateAtCounter { satisfied, comment, rating_code, factors },
                &Ctx { actor: kiosk, now: ts, calendar: &cal, signed_result: false },
            )?;
            Ok(Some(commit(db, d, dossier::KIOSK_ACTOR, event, at, &issuing)?))
        })
        .await?;
    let Some(d) = result else {
        doors.tracking_failures.failure(&pair, now);
        doors.tracking_code_failures.failure(&code_key, now);
        return Err(AppError::not_found("dossier"));
    };
    doors.tracking_failures.success(&pair);
    Ok(d)
}
