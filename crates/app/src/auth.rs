//! Passwords (argon2id), login with lockout, and database sessions.

use crate::{AppContext, AppError, now_ms};
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use motcua_domain::authz::Principal;
use motcua_domain::user::after_failed_login;
use motcua_store::repo::sessions::{self, SessionRecord};
use motcua_store::repo::users::{self, MembershipRecord, UserRecord};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane. Stored in each hash, so it can be raised later.
fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19 * 1024, 2, 1, None).expect("valid argon2 params"))
}

pub fn hash_password_blocking(password: &str) -> Result<String, AppError> {
    argon2().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| AppError::Internal(format!("argon2: {e}")))
}

pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_password_blocking(&password)).await.map_err(|e| AppError::Internal(e.to_string()))?
}

pub async fn verify_password(password: String, hash: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(|e| AppError::Internal(format!("stored hash: {e}")))?;
        Ok(argon2().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
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

pub async fn login(
    ctx: &AppContext,
    username: &str,
    password: &str,
    ip: Option<String>,
    user_agent: Option<String>,
) -> Result<LoginOutcome, AppError> {
    let username = username.trim().to_ascii_lowercase();
    let found = {
        let u = username.clone();
        ctx.store.read(move |db| users::find_for_login(db, &u).map_err(AppError::from)).await?
    };
    let Some((user, hash)) = found else {
        let _ = verify_password(password.to_string(), dummy_hash().to_string()).await;
        return Err(AppError::Unauthenticated { code: "invalid_credentials" });
    };
    let now = now_ms();
    if let Some(until) = user.locked_until.filter(|u| *u > now) {
        return Err(AppError::Locked { until_ms: until });
    }
    if !verify_password(password.to_string(), hash).await? {
        let id = user.id.clone();
        let locked = ctx
            .store
            .write(move |db| {
                // Re-read inside the transaction so concurrent failures all count.
                let current = users::get(db, &id)?;
                let (failed, locked) = after_failed_login(current.failed_logins, now);
                users::record_login_failure(db, &id, failed, locked)?;
                Ok::<_, AppError>(locked)
            })
            .await?;
        tracing::warn!(username = %user.username, locked = locked.is_some(), "failed login");
        return Err(match locked {
            Some(until_ms) => AppError::Locked { until_ms },
            None => AppError::Unauthenticated { code: "invalid_credentials" },
        });
    }
    if !user.active {
        return Err(AppError::Unauthenticated { code: "account_disabled" });
    }
    let token = random_token();
    let session = SessionRecord {
        id_hash: token_hash(&token),
        user_id: user.id.clone(),
        csrf_token: random_token(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + ctx.config.session.idle_minutes * 60_000,
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
    Ok(LoginOutcome { token, current })
}

fn current_user(user: UserRecord, memberships: Vec<MembershipRecord>, session: SessionRecord) -> CurrentUser {
    let principal = Principal {
        user_id: user.id.clone(),
        account: user.account_type,
        memberships: memberships.iter().map(MembershipRecord::to_domain).collect(),
    };
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
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Resolves a bearer token of a machine client to its user. Bearer requests carry no
/// cookie, so they need no CSRF token; the session record stands for the token.
pub async fn authenticate_bearer(ctx: &AppContext, token: &str) -> Result<CurrentUser, AppError> {
    let hash = token_hash(token);
    let now = now_ms();
    let found = ctx
        .store
        .read(move |db| {
            let Some(user_id) = sessions::token_user(db, &hash, now)? else { return Ok::<_, AppError>(None) };
            let user = users::get(db, &user_id)?;
            let memberships = users::memberships(db, &user_id)?;
            Ok(Some((hash, user, memberships)))
        })
        .await?;
    let Some((hash, user, memberships)) = found else {
        return Err(AppError::Unauthenticated { code: "invalid_token" });
    };
    if !user.active {
        return Err(AppError::Unauthenticated { code: "account_disabled" });
    }
    let session = SessionRecord {
        id_hash: hash,
        user_id: user.id.clone(),
        csrf_token: String::new(),
        created_at: now,
        last_seen_at: now,
        expires_at: now,
    };
    Ok(current_user(user, memberships, session))
}

/// Issues a bearer token for the current user (shown once; only its hash is kept).
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
    let expires = days.filter(|d| *d > 0).map(|d| now + d.min(3650) * 86_400_000);
    ctx.store.write(move |db| sessions::insert_token(db, &hash, &user_id, &name, now, expires).map_err(AppError::from)).await?;
    Ok(token)
}
