//! The access log (issue #12 item 14): logins, bearer tokens issued, reads and exports of
//! the register, every read of a dossier's personal data by an official and every list of
//! dossiers an official is shown (one entry per request), with who, when, which dossier and
//! from which address. Reading the log is itself recorded. Recording never waits for the
//! database: entries go to a bounded queue that one task writes in batches (one transaction
//! for up to 500 entries); the same task purges entries past the retention period once a day.

use crate::auth::CurrentUser;
use crate::{AppContext, AppError};
use motcua_domain::error::{Errors, FieldError};
use motcua_store::Store;
use motcua_store::repo::access_log::{self as repo, AccessEntry, AccessFilter};
use std::net::IpAddr;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

tokio::task_local! {
    /// The client address of the request being served (set by the web layer).
    pub static CLIENT: IpAddr;
}

/// Runs `f` with `addr` as the client address of what it records.
pub async fn with_client<F: std::future::Future>(addr: IpAddr, f: F) -> F::Output {
    CLIENT.scope(addr, f).await
}

fn client() -> Option<String> {
    CLIENT.try_with(|a| a.to_string()).ok()
}

const QUEUE: usize = 10_000;
const BATCH: usize = 500;

enum Msg {
    Entry(Box<AccessEntry>),
    Flush(oneshot::Sender<()>),
}

/// The queue to the access-log writer.
pub struct AccessLog {
    tx: mpsc::Sender<Msg>,
    dropped: std::sync::atomic::AtomicU64,
}

impl AccessLog {
    /// Starts the writer (and the daily purge of entries older than `retention_days`; 0 =
    /// keep forever).
    pub fn start(store: Store, retention_days: u32) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(writer(store, rx, retention_days));
        Self { tx, dropped: Default::default() }
    }

    /// Queues an entry; when the queue is full (the database is far behind) the entry is
    /// dropped and counted rather than slowing the request.
    pub fn record(&self, mut e: AccessEntry) {
        if e.address.is_none() {
            e.address = client();
        }
        if self.tx.try_send(Msg::Entry(Box::new(e))).is_err() {
            let n = self.dropped.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if n.is_power_of_two() {
                tracing::warn!(dropped = n, "access log queue full; entries dropped");
            }
        }
    }

    /// Entries dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Waits until everything queued so far is written.
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Msg::Flush(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

async fn writer(store: Store, mut rx: mpsc::Receiver<Msg>, retention_days: u32) {
    let mut purge = tokio::time::interval(Duration::from_secs(86_400));
    loop {
        let first = tokio::select! {
            m = rx.recv() => match m { Some(m) => m, None => return },
            _ = purge.tick() => {
                if retention_days > 0 {
                    let before = crate::now_ms() - i64::from(retention_days) * 86_400_000;
                    match purge_before(&store, before).await {
                        Ok(n) if n > 0 => tracing::info!(removed = n, "access log purged"),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "access log purge failed"),
                    }
                }
                continue;
            }
        };
        let (mut batch, mut waiting) = (Vec::new(), Vec::new());
        let mut next = Some(first);
        while let Some(m) = next.take() {
            match m {
                Msg::Entry(e) => batch.push(*e),
                Msg::Flush(t) => waiting.push(t),
            }
            if batch.len() < BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            let n = batch.len();
            let written = store.write(move |db| repo::append(db, &batch).map_err(AppError::from)).await;
            if let Err(e) = written {
                tracing::warn!(error = %e, entries = n, "access log entries not written");
            }
        }
        for t in waiting {
            let _ = t.send(());
        }
    }
}

async fn purge_before(store: &Store, before_ms: i64) -> Result<u64, AppError> {
    store.write(move |db| repo::purge(db, before_ms).map_err(AppError::from)).await
}

/// Removes the entries older than the configured retention (`motcua` CLI and the daily
/// run of the writer); returns how many.
pub async fn purge(ctx: &AppContext) -> Result<u64, AppError> {
    let days = ctx.config.access_log.retention_days;
    if days == 0 {
        return Ok(0);
    }
    purge_before(&ctx.store, ctx.clock.now_ms() - i64::from(days) * 86_400_000).await
}

/// What an entry records: the kinds of access, each with its code in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessKind {
    Login,
    LoginFailed,
    TokenIssued,
    /// The register (form 07) on screen or through the API.
    RegisterRead,
    /// The register downloaded as a file (CSV, XLSX or the PDF of form 07).
    RegisterExport,
    DossierRead,
    FileRead,
    /// A document the system issued for the dossier (forms 01–06) downloaded.
    DocumentRead,
    /// A list of dossiers with applicants' data (inbox, search, counter lists, the API list).
    ListRead,
    /// A list of dossiers downloaded as a file (CSV or XLSX).
    ListExport,
    /// The access log itself (it names officials and what they read).
    AccessLogRead,
    /// A report of figures downloaded (the 766 index, the dashboard; issue #16).
    ReportExport,
}

impl AccessKind {
    pub const ALL: [Self; 12] = [
        Self::Login,
        Self::LoginFailed,
        Self::TokenIssued,
        Self::RegisterRead,
        Self::RegisterExport,
        Self::DossierRead,
        Self::FileRead,
        Self::DocumentRead,
        Self::ListRead,
        Self::ListExport,
        Self::AccessLogRead,
        Self::ReportExport,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::LoginFailed => "login_failed",
            Self::TokenIssued => "token_issued",
            Self::RegisterRead => "register_read",
            Self::RegisterExport => "register_export",
            Self::DossierRead => "dossier_read",
            Self::FileRead => "file_read",
            Self::DocumentRead => "document_read",
            Self::ListRead => "list_read",
            Self::ListExport => "list_export",
            Self::AccessLogRead => "access_log_read",
            Self::ReportExport => "report_export",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Login => "Đăng nhập",
            Self::LoginFailed => "Đăng nhập không thành công",
            Self::TokenIssued => "Cấp mã truy cập API",
            Self::RegisterRead => "Xem sổ theo dõi hồ sơ",
            Self::RegisterExport => "Tải về sổ theo dõi hồ sơ",
            Self::DossierRead => "Xem hồ sơ",
            Self::FileRead => "Xem tệp của hồ sơ",
            Self::DocumentRead => "Tải giấy tờ của hồ sơ (mẫu 01–06)",
            Self::ListRead => "Xem danh sách hồ sơ",
            Self::ListExport => "Tải về danh sách hồ sơ",
            Self::AccessLogRead => "Xem nhật ký truy cập",
            Self::ReportExport => "Tải về báo cáo chỉ số",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Login => "Login",
            Self::LoginFailed => "Failed login",
            Self::TokenIssued => "API token issued",
            Self::RegisterRead => "Register read",
            Self::RegisterExport => "Register downloaded",
            Self::DossierRead => "Dossier read",
            Self::FileRead => "Dossier file read",
            Self::DocumentRead => "Dossier document downloaded (forms 01–06)",
            Self::ListRead => "Dossier list read",
            Self::ListExport => "Dossier list downloaded",
            Self::AccessLogRead => "Access log read",
            Self::ReportExport => "Indicator report downloaded",
        }
    }
}

/// An entry by `user` (an official or anyone who logs in).
pub fn entry(ctx: &AppContext, user: &CurrentUser, kind: AccessKind) -> AccessEntry {
    let mut e = AccessEntry::new(ctx.clock.now_ms(), kind.code());
    e.user_id = Some(user.user.id.clone());
    e.username = Some(user.user.username.clone());
    e.agency_path = user.principal.memberships.first().map(|m| m.agency_path.clone());
    e
}

fn is_official(user: &CurrentUser) -> bool {
    user.user.account_type == motcua_domain::user::AccountType::Official
}

/// Records that an official read a dossier's personal data (applicants' own reads are not
/// logged: the data is theirs).
pub fn dossier_read(
    ctx: &AppContext,
    user: &CurrentUser,
    kind: AccessKind,
    dossier_id: &str,
    agency_path: &str,
    detail: Option<String>,
) {
    if !is_official(user) {
        return;
    }
    let mut e = entry(ctx, user, kind);
    e.dossier_id = Some(dossier_id.to_string());
    e.agency_path = Some(agency_path.to_string());
    e.detail = detail;
    ctx.access.record(e);
}

/// The longest `detail` kept (filters are typed by people; the entry stays small).
const DETAIL_MAX: usize = 400;

/// `key=value` pairs (empty values left out), then `; rows`, at most `DETAIL_MAX` bytes.
fn describe(filter: &[(&str, &str)], rows: &str) -> String {
    let pairs: Vec<String> = filter.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={v}")).collect();
    let mut s = if pairs.is_empty() { rows.to_string() } else { format!("{}; {rows}", pairs.join(", ")) };
    if s.len() > DETAIL_MAX {
        let mut cut = DETAIL_MAX;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}

/// Records that an official was shown a list of dossiers with applicants' data (`view`:
/// `dossiers` for the inbox, the search and the API list, `counter` for the counter's lists):
/// one entry per request with the filter and the number of rows, not one per dossier, so a
/// page of 50 costs one row. Every such request is recorded, even with no row (the search
/// terms say what was looked for). Applicants listing their own dossiers are not recorded.
pub fn list_read(ctx: &AppContext, user: &CurrentUser, view: &str, filter: &[(&str, &str)], rows: usize, total: Option<i64>) {
    list_entry(ctx, user, AccessKind::ListRead, view, filter, rows, total);
}

/// Records that an official downloaded a list of dossiers as a file (`format`: csv, xlsx),
/// like `list_read`: one entry with the filter, the format and the number of rows. An
/// export refused as too large is recorded too, with no row.
pub fn list_export(ctx: &AppContext, user: &CurrentUser, view: &str, filter: &[(&str, &str)], rows: usize, total: i64) {
    list_entry(ctx, user, AccessKind::ListExport, view, filter, rows, Some(total));
}

/// Records that an official downloaded a report of figures (`view`: `766`, `dashboard`)
/// with its unit, period and format, like `list_export`.
pub fn report_export(ctx: &AppContext, user: &CurrentUser, view: &str, filter: &[(&str, &str)], rows: usize) {
    list_entry(ctx, user, AccessKind::ReportExport, view, filter, rows, None);
}

fn list_entry(
    ctx: &AppContext,
    user: &CurrentUser,
    kind: AccessKind,
    view: &str,
    filter: &[(&str, &str)],
    rows: usize,
    total: Option<i64>,
) {
    if !is_official(user) {
        return;
    }
    let counted = match total {
        Some(t) => format!("{rows}/{t} rows"),
        None => format!("{rows} rows"),
    };
    let mut e = entry(ctx, user, kind);
    e.detail = Some(describe(&[&[("view", view)], filter].concat(), &counted));
    ctx.access.record(e);
}

/// A search of the access log, as typed (the API's and the page's filters).
#[derive(Debug, Clone, Default)]
pub struct AccessQuery {
    /// A username or a user id.
    pub user: Option<String>,
    pub dossier_id: Option<String>,
    pub dossier_code: Option<String>,
    /// An `AccessKind` code.
    pub kind: Option<String>,
    /// First local day (YYYY-MM-DD, Vietnam time), inclusive.
    pub from: Option<String>,
    /// Last local day, inclusive.
    pub to: Option<String>,
    /// Entries older than this instant.
    pub before_ms: Option<i64>,
    /// Entries after this one, newest first (the cursor of the next page).
    pub after: Option<(i64, String)>,
    /// Page size: 100 when 0 or less, at most 500.
    pub limit: i64,
}

/// The largest page of the access log.
pub const MAX_PAGE: i64 = 500;

/// An entry as an administrator reads it.
#[derive(Debug, Clone)]
pub struct AccessRow {
    pub entry: AccessEntry,
    pub kind: Option<AccessKind>,
    pub dossier_code: Option<String>,
    /// Whether the reader may open the dossier (the page links its code only then).
    pub dossier_visible: bool,
}

/// One page of the access log, newest first.
#[derive(Debug, Clone)]
pub struct AccessPage {
    pub rows: Vec<AccessRow>,
    /// There are older entries (the next page starts after the last row).
    pub more: bool,
}

fn date_error(field: &str, code: &'static str) -> FieldError {
    match code {
        "date_out_of_range" => FieldError::new(
            field,
            code,
            "Ngày nằm ngoài khoảng được hỗ trợ (01/01/1900 đến 31/12/2199).",
            "The date is outside the supported range (1900-01-01 to 2199-12-31).",
        ),
        _ => FieldError::new(field, code, "Ngày không hợp lệ (định dạng YYYY-MM-DD).", "Invalid date (YYYY-MM-DD)."),
    }
}

/// A local day as typed: `None` when blank, an error named by `field` when not a day.
fn local_day(errs: &mut Errors, field: &str, typed: Option<&str>) -> Option<jiff::civil::Date> {
    let t = typed.map(str::trim).filter(|s| !s.is_empty())?;
    match motcua_domain::calendar::parse_date(t) {
        Ok(d) if (1900..=2199).contains(&d.year()) => Some(d),
        Ok(_) => {
            errs.push(date_error(field, "date_out_of_range"));
            None
        }
        Err(_) => {
            errs.push(date_error(field, "invalid_date"));
            None
        }
    }
}

/// The instant a local day starts, in milliseconds.
fn day_start(d: jiff::civil::Date) -> Result<i64, AppError> {
    d.to_zoned(motcua_domain::calendar::vn_time_zone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|e| AppError::Internal(e.to_string()))
}

fn text_filter(errs: &mut Errors, field: &str, typed: Option<String>) -> Option<String> {
    let t = typed.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())?;
    if t.chars().count() > 100 {
        errs.push(FieldError::new(field, "too_long", "Tối đa 100 ký tự.", "At most 100 characters."));
        return None;
    }
    Some(t)
}

/// The access log as an administrator or supervisor may read it (the same permission as
/// the audit trail): over the province root everything, over a commune the entries about
/// its agencies (scoped inside the query); newest first, a page of at most `MAX_PAGE`.
/// Bad filters answer 422 by field and read nothing. The read is itself recorded.
pub async fn search(ctx: &AppContext, current: &CurrentUser, q: AccessQuery) -> Result<AccessPage, AppError> {
    use motcua_domain::authz::{Permission, authorize_user, scope};
    let actor = &current.principal;
    let s = scope(actor, Permission::ViewAudit);
    if s.is_empty() {
        return Err(AppError::Forbidden);
    }
    let mut errs = Errors::new();
    let from = local_day(&mut errs, "from", q.from.as_deref());
    let to = local_day(&mut errs, "to", q.to.as_deref());
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errs.push(FieldError::new(
            "to",
            "before_start",
            "Ngày cuối phải từ ngày đầu trở đi.",
            "The last day must not be before the first.",
        ));
    }
    let kind = q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty());
    if kind.is_some_and(|k| AccessKind::parse(k).is_none()) {
        errs.push(FieldError::new("kind", "invalid_kind", "Loại truy cập không hợp lệ.", "Unknown kind of access."));
    }
    let user = text_filter(&mut errs, "user", q.user);
    let dossier_code = text_filter(&mut errs, "code", q.dossier_code);
    let dossier_id = text_filter(&mut errs, "dossier", q.dossier_id);
    errs.finish()?;
    let limit = if q.limit <= 0 { 100 } else { q.limit.min(MAX_PAGE) };
    let filter = AccessFilter {
        scope: if authorize_user(actor, Permission::ViewAudit, &[]).is_ok() { None } else { Some(s) },
        user,
        dossier_id,
        dossier_code,
        action: kind.map(str::to_string),
        from_ms: from.map(day_start).transpose()?,
        to_ms: to.map(|d| d.tomorrow().map_err(|e| AppError::Internal(e.to_string())).and_then(day_start)).transpose()?,
        before_ms: q.before_ms,
        after: q.after,
        limit: limit + 1,
    };
    ctx.access.flush().await;
    let typed: Vec<(&str, String)> = vec![
        ("user", filter.user.clone().unwrap_or_default()),
        ("dossier", filter.dossier_id.clone().unwrap_or_default()),
        ("code", filter.dossier_code.clone().unwrap_or_default()),
        ("kind", filter.action.clone().unwrap_or_default()),
        ("from", from.map(|d| d.to_string()).unwrap_or_default()),
        ("to", to.map(|d| d.to_string()).unwrap_or_default()),
    ];
    let mut rows = ctx.store.read(move |db| repo::list(db, &filter).map_err(AppError::from)).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let reader = crate::usecases::dossiers::actor(current);
    let rows: Vec<AccessRow> = rows
        .into_iter()
        .map(|r| AccessRow {
            kind: AccessKind::parse(&r.entry.action),
            dossier_visible: r.dossier_code.is_some() && r.dossier_path.as_deref().is_some_and(|p| reader.oversees(p)),
            dossier_code: r.dossier_code,
            entry: r.entry,
        })
        .collect();
    let mut e = entry(ctx, current, AccessKind::AccessLogRead);
    let typed: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    e.detail = Some(describe(&typed, &format!("{} rows", rows.len())));
    ctx.access.record(e);
    Ok(AccessPage { rows, more })
}
