//! Browser sessions, sign-in throttling and password changes.
//!
//! The cookie carries a random token; the database keeps only its SHA-256
//! (a stolen backup cannot be replayed). A session ends after
//! [`SESSION_IDLE_SECS`] without a request or [`SESSION_ABSOLUTE_SECS`]
//! after sign-in, whichever comes first. Every sign-in, failure and
//! sign-out is written to the audit log.

use crate::{audit, audit_entry, get_str, timestamp, Result, Store, StoreError};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use duban_core::names::Role;
use duban_core::policy::Principal;
use sha2::{Digest, Sha256};

/// A session ends after two hours without a request.
pub const SESSION_IDLE_SECS: i64 = 2 * 3600;
/// A session ends twelve hours after sign-in whatever happens.
pub const SESSION_ABSOLUTE_SECS: i64 = 12 * 3600;
/// Failed sign-ins allowed per account and per client address within
/// [`THROTTLE_WINDOW_SECS`]; the next attempt is refused (HTTP 429).
pub const MAX_FAILURES: i64 = 5;
pub const THROTTLE_WINDOW_SECS: i64 = 15 * 60;
/// `last_seen_at` is written at most this often, so reading pages does not
/// turn every request into a write.
const TOUCH_EVERY_SECS: i64 = 60;

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub principal: Principal,
    /// The form token every state-changing form must post back.
    pub csrf: String,
}

/// Why a sign-in did not start a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInRefused {
    /// Wrong user name or password (never says which).
    BadCredentials,
    /// Too many failures for this account or this client address.
    Throttled,
}

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn ago(secs: i64) -> String {
    timestamp(time::OffsetDateTime::now_utc() - time::Duration::seconds(secs))
}

/// Hashes a new password (argon2id), enforcing the length rule.
pub(crate) fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < 8 {
        return Err(StoreError::Invalid(
            "密码至少 8 位。/ Passwords need at least 8 characters.".into(),
        ));
    }
    if password.len() > 256 {
        return Err(StoreError::Invalid(
            "密码过长（最多 256 字节）。/ Passwords are at most 256 bytes.".into(),
        ));
    }
    Argon2::default()
        .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(e.to_string()))
}

fn verify(hash: Option<String>, password: &str) -> bool {
    let Some(hash) = hash else { return false };
    let Ok(parsed) = PasswordHash::new(&hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

impl Store {
    /// Checks a user name and password, throttled per account and per
    /// client address, and starts a session. Returns the cookie token (shown
    /// once, never stored) and the session.
    pub async fn sign_in(
        &self,
        name: &str,
        password: &str,
        client: &str,
    ) -> Result<std::result::Result<(String, Session), SignInRefused>> {
        let name = name.trim();
        let keys = [format!("user:{name}"), format!("addr:{client}")];
        let since = ago(THROTTLE_WINDOW_SECS);
        for key in &keys {
            let row =
                sqlx::query("SELECT COUNT(*) AS n FROM login_failures WHERE key = $1 AND at > $2")
                    .bind(key)
                    .bind(&since)
                    .fetch_one(&self.pool)
                    .await?;
            if crate::get_i64(&row, "n") >= MAX_FAILURES {
                self.audit_sign_in(name, "login.throttled", client).await?;
                return Ok(Err(SignInRefused::Throttled));
            }
        }
        let row = sqlx::query(
            "SELECT id, region_id, name, role, unit_id, campaign, password_hash FROM users \
             WHERE name = $1 AND deleted_at IS NULL AND disabled_at IS NULL",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        let principal = match row {
            Some(r) if verify(crate::get_opt_str(&r, "password_hash"), password) => {
                principal_of(&r)?
            }
            _ => {
                let mut tx = self.begin().await?;
                let at = crate::now();
                for key in &keys {
                    sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
                        .bind(key)
                        .bind(&at)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                self.audit_sign_in(name, "login.failed", client).await?;
                return Ok(Err(SignInRefused::BadCredentials));
            }
        };
        let token = random_hex(32);
        let csrf = random_hex(16);
        let at = crate::now();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, csrf, client, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(sha256_hex(&token))
        .bind(&principal.user_id)
        .bind(&csrf)
        .bind(client)
        .bind(&at)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(&keys[0])
            .execute(&mut *tx)
            .await?;
        // Sign-in and sign-out are audited without moving the region's
        // ledger and catalog versions (`audit_entry`, not `audit`): they
        // change nothing a page or a cached read shows, and at a deadline
        // sixty units signing in would otherwise empty every cache of the
        // region sixty times (the audit pages are not cached).
        // Expired sessions are swept at sign-in: cheap, and no timer needed.
        sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
            .bind(ago(SESSION_IDLE_SECS))
            .bind(ago(SESSION_ABSOLUTE_SECS))
            .execute(&mut *tx)
            .await?;
        audit_entry(
            &mut tx,
            &principal.region_id,
            &principal.user,
            "login.success",
            "user",
            &principal.user_id,
            None,
            Some(serde_json::json!({ "client": client })),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok((token, Session { principal, csrf })))
    }

    async fn audit_sign_in(&self, name: &str, action: &str, client: &str) -> Result<()> {
        // A failure for a name that exists is logged in its region; an
        // unknown name under the empty region, which root admins see.
        let row = sqlx::query("SELECT id, region_id FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        let (region, id) = row
            .map(|r| (get_str(&r, "region_id"), get_str(&r, "id")))
            .unwrap_or_default();
        let name: String = name.chars().take(64).collect();
        let mut tx = self.begin().await?;
        audit_entry(
            &mut tx,
            &region,
            &name,
            action,
            "user",
            &id,
            None,
            Some(serde_json::json!({ "client": client })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session a cookie token stands for, if it is valid and not expired.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        if token.is_empty() || token.len() > 128 {
            return Ok(None);
        }
        let id = sha256_hex(token);
        let row = sqlx::query(
            "SELECT s.csrf, s.created_at, s.last_seen_at, u.id, u.region_id, u.name, u.role, u.unit_id, u.campaign \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND u.deleted_at IS NULL \
             AND u.disabled_at IS NULL",
        )
        .bind(&id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let last_seen = get_str(&row, "last_seen_at");
        if last_seen < ago(SESSION_IDLE_SECS)
            || get_str(&row, "created_at") < ago(SESSION_ABSOLUTE_SECS)
        {
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(&id)
                .execute(&self.pool)
                .await?;
            return Ok(None);
        }
        if last_seen < ago(TOUCH_EVERY_SECS) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                .bind(crate::now())
                .bind(&id)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(Session {
            csrf: get_str(&row, "csrf"),
            principal: principal_of(&row)?,
        }))
    }

    /// Ends a session (sign-out).
    pub async fn sign_out(&self, token: &str, who: &Principal) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(sha256_hex(token))
            .execute(&mut *tx)
            .await?;
        audit_entry(
            &mut tx,
            &who.region_id,
            &who.user,
            "logout",
            "user",
            &who.user_id,
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes a user's own password after checking the current one; every
    /// other session of the user ends.
    pub async fn change_own_password(
        &self,
        who: &Principal,
        current: &str,
        new: &str,
        keep_session_token: &str,
    ) -> Result<()> {
        let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(&who.user_id)
            .fetch_optional(&self.pool)
            .await?;
        if !verify(
            row.and_then(|r| crate::get_opt_str(&r, "password_hash")),
            current,
        ) {
            return Err(StoreError::Invalid(
                "当前密码不正确。/ The current password is wrong.".into(),
            ));
        }
        let hash = hash_password(new)?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(&who.user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(&who.user_id)
            .bind(sha256_hex(keep_session_token))
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            &who.region_id,
            &who.user,
            "user.password",
            "user",
            &who.user_id,
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn principal_of(r: &sqlx::any::AnyRow) -> Result<Principal> {
    use sqlx::Row;
    let role = get_str(r, "role");
    let role = Role::parse(&role).map_err(|_| {
        StoreError::Invalid(format!(
            "用户的角色“{role}”无法识别。/ Unknown stored role '{role}'."
        ))
    })?;
    Ok(Principal {
        user_id: get_str(r, "id"),
        user: get_str(r, "name"),
        role,
        region_id: get_str(r, "region_id"),
        unit_id: crate::get_opt_str(r, "unit_id"),
        campaign: r
            .try_get::<Option<i64>, _>("campaign")
            .ok()
            .flatten()
            .and_then(|c| u32::try_from(c).ok()),
    })
}
