//! Passwords (argon2id) through a bounded hasher, login with per-client back-off, and
//! database sessions.

use crate::limits::{client_key, text_key};
use crate::{AppContext, AppError, now_ms};
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use motcua_domain::authz::Principal;
use motcua_store::repo::audit::{self, ADMIN_CHAIN, NewAudit};
use motcua_store::repo::sessions::{self, SessionRecord};
use motcua_store::repo::users::{self, MembershipRecord, UserRecord};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::Semaphore;

/// OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane. Stored in each hash, so it can be raised later.
fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).expect("valid argon2 params")
}

/// Password hashing with a bounded cost: at most `slots` hashes run at once, each in one of
/// `slots` memory areas allocated once and reused, so a storm of logins neither piles up
/// 19 MiB allocations on the blocking pool nor leaves the allocator holding them.
/// Logins beyond the slots wait in a short queue; beyond it, or after `wait`, they are
/// answered 429 `login_busy` (not 503: a 5xx per refused request would flood the error log
/// during the very attack it sheds).
pub struct Hasher {
    slots: Arc<Semaphore>,
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
    waiting: AtomicUsize,
    queue: usize,
    wait: Duration,
    /// When "busy" was last logged, so an attack does not flood the log.
    busy_logged_ms: AtomicI64,
}

impl Hasher {
    pub fn new(cfg: &crate::config::LoginConfig) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(cfg.hash_slots().max(1))),
            memory: Arc::new(Mutex::new(Vec::new())),
            waiting: AtomicUsize::new(0),
            queue: cfg.hash_queue,
            wait: Duration::from_millis(cfg.hash_wait_ms),
            busy_logged_ms: AtomicI64::new(0),
        }
    }

    fn busy(&self) -> AppError {
        let now = now_ms();
        let last = self.busy_logged_ms.load(Ordering::Relaxed);
        if now - last >= 1000 && self.busy_logged_ms.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
            tracing::warn!(waiting = self.waiting.load(Ordering::Relaxed), "password hasher saturated; logins answered 429");
        }
        AppError::throttled(429, "login_busy", 2000)
    }

    /// Runs `f` with a slot and its memory on the blocking pool.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Vec<Block>) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = match self.slots.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                // Counted out on drop: a request cancelled while waiting (client gone,
                // request timeout) must not leave its place in the queue taken.
                let _queued = Queued::enter(&self.waiting);
                if self.waiting.load(Ordering::SeqCst) > self.queue {
                    return Err(self.busy());
                }
                let got = tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await;
                match got {
                    Ok(Ok(p)) => p,
                    _ => return Err(self.busy()),
                }
            }
        };
        let memory = self.memory.clone();
        tokio::task::spawn_blocking(move || {
            // At most one area per slot exists: each is taken and put back under a permit.
            let mut area = memory.lock().unwrap_or_else(|e| e.into_inner()).pop().unwrap_or_default();
            let out = f(&mut area);
            // Leave no password-derived state behind in the reused memory.
            area.iter_mut().for_each(|b| *b = Block::new());
            memory.lock().unwrap_or_else(|e| e.into_inner()).push(area);
            drop(permit);
            out
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
    }

    /// A new PHC string for `password` (argon2id, the parameters above, a random salt).
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move |area| hash_with(area, &password)).await
    }

    /// Whether `password` matches the stored PHC string; `None` checks against a dummy
    /// hash, so an unknown username costs the same time as a wrong password.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        self.run(move |area| {
            let stored = stored.as_deref().unwrap_or_else(|| dummy_hash());
            verify_with(area, &password, stored)
        })
        .await
    }
}

/// One login waiting for a hash slot, for as long as this value lives.
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn enter(n: &'a AtomicUsize) -> Self {
        n.fetch_add(1, Ordering::SeqCst);
        Self(n)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn argon_err(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("argon2: {e}"))
}

/// Computes the raw hash into `out` with the reusable memory `area` (grown once to the
/// size the parameters need).
fn fill(
    area: &mut Vec<Block>,
    alg: Algorithm,
    version: Version,
    params: Params,
    pwd: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), AppError> {
    let need = params.block_count();
    if area.len() < need {
        area.resize(need, Block::new());
    }
    Argon2::new(alg, version, params).hash_password_into_with_memory(pwd, salt, out, &mut area[..need]).map_err(argon_err)
}

fn hash_with(area: &mut Vec<Block>, password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let params = params();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    fill(area, Algorithm::Argon2id, Version::V0x13, params.clone(), password.as_bytes(), &salt, &mut out)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(argon_err)?,
        salt: Some(Salt::new(&salt).map_err(argon_err)?),
        hash: Some(Output::new(&out).map_err(argon_err)?),
    };
    Ok(phc.to_string())
}

fn verify_with(area: &mut Vec<Block>, password: &str, stored: &str) -> Result<bool, AppError> {
    let parsed = PasswordHash::new(stored).map_err(|e| AppError::Internal(format!("stored hash: {e}")))?;
    let alg = Algorithm::try_from(parsed.algorithm.as_str()).map_err(argon_err)?;
    let version = parsed.version.map(Version::try_from).transpose().map_err(argon_err)?.unwrap_or_default();
    let params = Params::try_from(&parsed).map_err(argon_err)?;
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return Err(AppError::Internal("stored hash without salt or output".into()));
    };
    let mut out = vec![0u8; expected.len()];
    fill(area, alg, version, params, password.as_bytes(), salt.as_ref(), &mut out)?;
    Ok(tokens_match_bytes(&out, expected.as_bytes()))
}

/// For start-up work outside a request (the demo seed): allocates its own memory.
pub fn hash_password_blocking(password: &str) -> Result<String, AppError> {
    hash_with(&mut Vec::new(), password)
}

pub async fn hash_password(ctx: &AppContext, password: String) -> Result<String, AppError> {
    ctx.hasher.hash(password).await
}

pub async fn verify_password(ctx: &AppContext, password: String, hash: String) -> Result<bool, AppError> {
    ctx.hasher.verify(password, Some(hash)).await
}

/// A hash to verify against when the username does not exist, so a wrong username costs
/// the same time as a wrong password and does not reveal which accounts exist.
fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password_blocking("not-a-real-password-0").expect("hash"))
}

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The logged-in user as every request sees it.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: UserRecord,
    pub memberships: Vec<MembershipRecord>,
    pub principal: Principal,
    pub session: SessionRecord,
}

pub struct LoginOutcome {
    /// Goes into the cookie; never stored.
    pub token: String,
    pub current: CurrentUser,
}

/// Checks a username and password and opens a session. Before any hash is computed, the
/// client address and the whole server must be under their login rates, and this username
/// from this address must not be in back-off. Back-off is keyed by the username as typed,
/// so unknown names behave exactly like known ones, and by address, so a stranger's
/// failures never lock the account's owner out.
pub async fn login(
    ctx: &AppContext,
    username: &str,
    password: &str,
    client: IpAddr,
    user_agent: Option<String>,
) -> Result<LoginOutcome, AppError> {
    let out = crate::obs::usecase("auth.login", login_unobserved(ctx, username, password, client, user_agent)).await;
    if let Ok(o) = &out {
        crate::obs::record_user(&o.current.user.id);
    }
    out
}

async fn login_unobserved(
    ctx: &AppContext,
    username: &str,
    password: &str,
    client: IpAddr,
    user_agent: Option<String>,
) -> Result<LoginOutcome, AppError> {
    let username = username.trim().to_ascii_lowercase();
    let (doors, now) = (&ctx.doors, now_ms());
    let address = client_key(client);
    if let Err(wait) = doors.login_per_address.take(&address, now) {
        if doors.log_gate.open(now) {
            tracing::warn!(%address, "login rate limit of the address reached");
        }
        return Err(AppError::throttled(429, "too_many_requests", wait));
    }
    if let Err(wait) = doors.login_global.take(&(), now) {
        if doors.log_gate.open(now) {
            tracing::warn!("global login rate limit reached");
        }
        return Err(AppError::throttled(429, "too_many_requests", wait));
    }
    let key = (text_key(&username), address);
    if let Some(wait) = doors.login_failures.blocked(&key, now) {
        return Err(AppError::throttled(429, "login_throttled", wait));
    }
    let found = {
        let u = username.clone();
        ctx.store.read(move |db| users::find_for_login(db, &u).map_err(AppError::from)).await?
    };
    let ok = ctx.hasher.verify(password.to_string(), found.as_ref().map(|(_, h)| h.clone())).await?;
    let user = match found {
        Some((user, _)) if ok => user,
        found => {
            let mut e = motcua_store::repo::access_log::AccessEntry::new(now, crate::access::AccessKind::LoginFailed.code());
            e.user_id = found.as_ref().map(|f| f.0.id.clone());
            e.username = Some(username.clone());
            e.address = Some(client.to_string());
            ctx.access.record(e);
            return Err(failed_login(ctx, key, found.map(|f| f.0.id)).await);
        }
    };
    doors.login_failures.success(&key);
    open_session(ctx, user, client, user_agent, None, None).await
}

/// Opens a session for an authenticated `user` (password or OIDC sign-in) and records the
/// login. `auth_method` None = password; an OIDC session keeps its ID token for the
/// provider's logout.
pub(crate) async fn open_session(
    ctx: &AppContext,
    user: UserRecord,
    client: IpAddr,
    user_agent: Option<String>,
    auth_method: Option<&'static str>,
    id_token: Option<String>,
) -> Result<LoginOutcome, AppError> {
    let now = now_ms();
    if !user.active {
        return Err(AppError::Unauthenticated { code: "account_disabled" });
    }
    let ip = Some(client.to_string());
    let token = random_token();
    let session = SessionRecord {
        id_hash: token_hash(&token),
        user_id: user.id.clone(),
        csrf_token: random_token(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + ctx.config.session.idle_minutes * 60_000,
        auth_method: auth_method.map(str::to_string),
        id_token,
    };
    let current = {
        let s = session.clone();
        ctx.store
            .write(move |db| {
                users::record_login_success(db, &s.user_id, now)?;
                sessions::insert(db, &s, ip.as_deref(), user_agent.as_deref())?;
                let user = users::get(db, &s.user_id)?;
                let memberships = users::memberships(db, &s.user_id)?;
                Ok::<_, AppError>(current_user(user, memberships, s))
            })
            .await?
    };
    let mut e = crate::access::entry(ctx, &current, crate::access::AccessKind::Login);
    e.address = Some(client.to_string());
    if let Some(m) = auth_method {
        e.detail = Some(m.to_string());
    }
    ctx.access.record(e);
    Ok(LoginOutcome { token, current })
}

/// Counts a failed login of (username, address). The failure that starts or extends a
/// back-off is answered 429 and audited (for unknown names too, so the answers and their
/// cost stay alike); the others are the plain `invalid_credentials`.
async fn failed_login(ctx: &AppContext, key: (String, IpAddr), user_id: Option<String>) -> AppError {
    let now = now_ms();
    let Some(t) = ctx.doors.login_failures.failure(&key, now) else {
        // The user's id when the name is known, never the typed name (it can be an ID number).
        tracing::info!(user_id = user_id.as_deref(), address = %key.1, "failed login");
        return AppError::Unauthenticated { code: "invalid_credentials" };
    };
    let err = AppError::throttled(429, "login_throttled", t.wait_ms);
    tracing::warn!(user_id = user_id.as_deref(), address = %key.1, failures = t.failures, wait_ms = t.wait_ms, "login back-off");
    let (username, address) = key;
    let payload = json!({"username": username, "user_id": user_id, "address": address.to_string(),
                         "failures": t.failures, "retry_after_secs": err.retry_after_secs()});
    let written = ctx
        .store
        .write(move |db| {
            audit::append(
                db,
                NewAudit {
                    chain: ADMIN_CHAIN,
                    at_ms: now,
                    actor_id: None,
                    action: "auth.login_throttled",
                    entity_kind: "login",
                    entity_id: &username,
                    agency_path: None,
                    payload,
                },
            )
            .map(|_| ())
            .map_err(AppError::from)
        })
        .await;
    if let Err(e) = written {
        tracing::error!(error = %e, "cannot audit a login back-off");
    }
    err
}

fn current_user(user: UserRecord, memberships: Vec<MembershipRecord>, session: SessionRecord) -> CurrentUser {
    let principal = Principal {
        user_id: user.id.clone(),
        account: user.account_type,
        memberships: memberships.iter().map(MembershipRecord::to_domain).collect(),
    };
    crate::obs::record_user(&user.id);
    CurrentUser { user, memberships, principal, session }
}

/// Resolves a session cookie's token. Expired sessions are deleted and reported as such.
pub async fn authenticate(ctx: &AppContext, token: &str) -> Result<CurrentUser, AppError> {
    let id_hash = token_hash(token);
    let found = {
        let h = id_hash.clone();
        ctx.store
            .read(move |db| {
                let Some(s) = sessions::get(db, &h)? else { return Ok::<_, AppError>(None) };
                let user = users::get(db, &s.user_id)?;
                let memberships = users::memberships(db, &s.user_id)?;
                Ok(Some((s, user, memberships)))
            })
            .await?
    };
    let Some((session, user, memberships)) = found else {
        return Err(AppError::Unauthenticated { code: "not_authenticated" });
    };
    let now = now_ms();
    let absolute_end = session.created_at + ctx.config.session.absolute_hours * 3_600_000;
    if session.expires_at <= now || absolute_end <= now || !user.active {
        let h = id_hash.clone();
        ctx.store.write(move |db| sessions::delete(db, &h).map_err(AppError::from)).await?;
        return Err(AppError::Unauthenticated { code: if user.active { "session_expired" } else { "account_disabled" } });
    }
    // Slide the idle expiry, at most once a minute per session to spare the writer.
    let mut session = session;
    if now - session.last_seen_at > 60_000 {
        let expires = (now + ctx.config.session.idle_minutes * 60_000).min(absolute_end);
        let h = id_hash.clone();
        ctx.store.write(move |db| sessions::touch(db, &h, now, expires).map_err(AppError::from)).await?;
        session.last_seen_at = now;
        session.expires_at = expires;
    }
    Ok(current_user(user, memberships, session))
}

pub async fn logout(ctx: &AppContext, token: &str) -> Result<(), AppError> {
    let h = token_hash(token);
    ctx.store.write(move |db| sessions::delete(db, &h).map(|_| ()).map_err(AppError::from)).await
}

/// Constant-time comparison for CSRF tokens.
pub fn tokens_match(a: &str, b: &str) -> bool {
    tokens_match_bytes(a.as_bytes(), b.as_bytes())
}

fn tokens_match_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Resolves a bearer token of a machine client to its user. Bearer requests carry no
/// cookie, so they need no CSRF token; the session record stands for the token.
pub async fn authenticate_bearer(ctx: &AppContext, token: &str) -> Result<CurrentUser, AppError> {
    let hash = token_hash(token);
    let now = now_ms();
    let found = ctx
        .store
        .read(move |db| {
            let Some((user_id, last_used)) = sessions::token_user(db, &hash, now)? else { return Ok::<_, AppError>(None) };
            let user = users::get(db, &user_id)?;
            let memberships = users::memberships(db, &user_id)?;
            Ok(Some((hash, last_used, user, memberships)))
        })
        .await?;
    let Some((hash, last_used, user, memberships)) = found else {
        return Err(AppError::Unauthenticated { code: "invalid_token" });
    };
    if !user.active {
        return Err(AppError::Unauthenticated { code: "account_disabled" });
    }
    // Record the last use at most once a minute per token, to spare the writer.
    if last_used.is_none_or(|t| now - t > 60_000) {
        let h = hash.clone();
        ctx.store.write(move |db| sessions::touch_token(db, &h, now).map_err(AppError::from)).await?;
    }
    let session = SessionRecord {
        id_hash: hash,
        user_id: user.id.clone(),
        csrf_token: String::new(),
        created_at: now,
        last_seen_at: now,
        expires_at: now,
        auth_method: None,
        id_token: None,
    };
    Ok(current_user(user, memberships, session))
}

/// Lifetime of a bearer token issued without `days`; none lives longer than `MAX_TOKEN_DAYS`.
pub const DEFAULT_TOKEN_DAYS: i64 = 90;
pub const MAX_TOKEN_DAYS: i64 = 3650;

fn audit_token(
    db: &mut motcua_store::Db,
    actor: &str,
    action: &str,
    id: &str,
    payload: serde_json::Value,
) -> Result<(), AppError> {
    audit::append(
        db,
        NewAudit {
            chain: ADMIN_CHAIN,
            at_ms: now_ms(),
            actor_id: Some(actor),
            action,
            entity_kind: "api_token",
            entity_id: id,
            agency_path: None,
            payload,
        },
    )?;
    Ok(())
}

/// Issues a bearer token for the current user (shown once; only its hash is kept). Every
/// token expires: after `days`, or `DEFAULT_TOKEN_DAYS`. Issuing is audited.
pub async fn create_token(ctx: &AppContext, current: &CurrentUser, name: &str, days: Option<i64>) -> Result<String, AppError> {
    let name = motcua_domain::text::clean(name);
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::Validation(motcua_domain::error::ValidationError::single(
            "name",
            "invalid_token_name",
            "Đặt tên cho mã truy cập (1–100 ký tự) để nhận biết hệ thống sử dụng nó.",
            "Name the token (1–100 characters) after the system that uses it.",
        )));
    }
    let token = random_token();
    let (hash, user_id, now) = (token_hash(&token), current.user.id.clone(), now_ms());
    let days = days.filter(|d| *d > 0).unwrap_or(DEFAULT_TOKEN_DAYS).min(MAX_TOKEN_DAYS);
    let expires = now + days * 86_400_000;
    ctx.store
        .write(move |db| {
            sessions::insert_token(db, &hash, &user_id, &name, now, Some(expires))?;
            let id = &hash[..sessions::TOKEN_ID_LEN];
            audit_token(db, &user_id, "auth.token_issued", id, json!({"name": name, "expires_at": expires}))
        })
        .await?;
    let mut e = crate::access::entry(ctx, current, crate::access::AccessKind::TokenIssued);
    e.detail = Some(format!("expires in {days} days"));
    ctx.access.record(e);
    Ok(token)
}

/// The current user's bearer tokens, newest first (the last 200).
pub async fn list_tokens(ctx: &AppContext, current: &CurrentUser) -> Result<Vec<sessions::TokenRecord>, AppError> {
    let user_id = current.user.id.clone();
    ctx.store.read(move |db| sessions::list_tokens(db, &user_id, 200).map_err(AppError::from)).await
}

/// Revokes one of the current user's live tokens (audited); another user's token, or one
/// already revoked, reads as not found.
pub async fn revoke_token(ctx: &AppContext, current: &CurrentUser, id: &str) -> Result<(), AppError> {
    if id.len() != sessions::TOKEN_ID_LEN || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::not_found("token"));
    }
    let (user_id, id, now) = (current.user.id.clone(), id.to_ascii_lowercase(), now_ms());
    ctx.store
        .write(move |db| {
            let name = sessions::revoke_token(db, &user_id, &id, now)?.ok_or(AppError::not_found("token"))?;
            audit_token(db, &user_id, "auth.token_revoked", &id, json!({"name": name}))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    /// A login cancelled while it waits for a slot gives its place in the queue back; a
    /// full queue answers `login_busy` at once.
    #[tokio::test]
    async fn the_queue_is_bounded_and_cancelled_waits_leave_it() {
        let cfg =
            crate::config::LoginConfig { max_concurrent_hashes: 1, hash_queue: 1, hash_wait_ms: 60_000, ..Default::default() };
        let h = Hasher::new(&cfg);
        let slot = h.slots.clone().try_acquire_owned().unwrap();
        for _ in 0..3 {
            let waited = tokio::time::timeout(Duration::from_millis(20), h.verify("x".into(), None)).await;
            assert!(waited.is_err(), "still waiting for the slot");
            assert_eq!(h.waiting.load(Ordering::SeqCst), 0);
        }
        let (first, second) = tokio::join!(tokio::time::timeout(Duration::from_millis(50), h.verify("x".into(), None)), async {
            tokio::task::yield_now().await;
            h.verify("x".into(), None).await
        });
        assert!(first.is_err());
        assert!(matches!(second, Err(AppError::Throttled { code: "login_busy", .. })), "{second:?}");
        drop(slot);
        assert!(!h.verify("wrong".into(), None).await.unwrap());
    }

    /// Hashes made with the reused memory and those made by the argon2 crate's own API
    /// (every stored hash so far) are interchangeable.
    #[test]
    fn pooled_hashes_match_the_standard_ones() {
        let standard = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        let mut area = Vec::new();
        let ours = hash_with(&mut area, "Motcua@2026").unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{ours}");
        assert!(standard.verify_password(b"Motcua@2026", &PasswordHash::new(&ours).unwrap()).is_ok());
        let theirs = standard.hash_password(b"Motcua@2026").unwrap().to_string();
        assert!(verify_with(&mut area, "Motcua@2026", &theirs).unwrap());
        assert!(!verify_with(&mut area, "Motcua@2027", &theirs).unwrap());
        assert!(verify_with(&mut area, "Motcua@2026", &ours).unwrap());
        assert_eq!(area.len(), params().block_count(), "one area of 19 MiB, reused");
        // A hash with other (older or later) parameters still verifies.
        let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8 * 1024, 1, 1, None).unwrap());
        let h = other.hash_password(b"x-123456").unwrap().to_string();
        assert!(verify_with(&mut area, "x-123456", &h).unwrap());
        assert!(verify_with(&mut Vec::new(), "not-a-real-password-0", dummy_hash()).unwrap());
    }
}
