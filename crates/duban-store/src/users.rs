//! Users, roles and API tokens. Passwords are hashed with argon2id; tokens
//! are random and stored only as their SHA-256, so a database leak does not
//! leak credentials.

use crate::{audit, get_opt_str, get_str, new_id, now, Result, Store, StoreError};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use duban_core::names::{Role, UserName};
use duban_core::policy::Principal;
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub region_id: String,
    pub unit_id: Option<String>,
    pub campaign: Option<u32>,
}

/// An API token as listed for its owner or an administrator: never the
/// token itself, which is shown once at creation and stored only hashed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub user: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// The longest a token may live: a year. Longer asks are refused rather
/// than clamped, so that what was asked is what is stored.
pub const MAX_TOKEN_DAYS: u32 = 366;

pub struct NewUser {
    pub name: UserName,
    pub role: Role,
    /// Unit id, name or alias: required for a reporter.
    pub unit: Option<String>,
    /// Plan number: required for an office.
    pub campaign: Option<u32>,
    pub password: Option<String>,
}

fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    pub async fn add_user(&self, region_id: &str, new: NewUser, actor: &str) -> Result<User> {
        let unit_id = match (&new.role, &new.unit) {
            (Role::Reporter, None) => {
                return Err(StoreError::Invalid(
                    "填报账号必须用 --unit 指定所属单位。/ A reporter needs --unit.".into(),
                ))
            }
            (_, Some(u)) => Some(self.unit(region_id, u).await?.id),
            (_, None) => None,
        };
        if new.role == Role::Office && new.campaign.is_none() {
            return Err(StoreError::Invalid("专班办公室账号必须用 --campaign 指定攻坚（方案编号）。/ An office needs --campaign.".into()));
        }
        if let Some(c) = new.campaign {
            if !self
                .plans(region_id)
                .await?
                .iter()
                .any(|p| p.no == c as i64)
            {
                return Err(StoreError::NotFound(format!(
                    "本区域没有编号为 {c} 的方案。/ No plan number {c} in this region."
                )));
            }
        }
        let password_hash = new
            .password
            .as_deref()
            .map(crate::sessions::hash_password)
            .transpose()?;
        let user = User {
            id: new_id(),
            name: new.name.to_string(),
            role: new.role,
            region_id: region_id.to_string(),
            unit_id,
            campaign: new.campaign,
        };
        let mut tx = self.begin().await?;
        let exists = sqlx::query("SELECT id FROM users WHERE name = $1")
            .bind(&user.name)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!(
                "用户“{}”已存在。/ User '{}' exists.",
                user.name, user.name
            )));
        }
        sqlx::query(
            "INSERT INTO users (id, region_id, name, role, unit_id, campaign, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&user.id)
        .bind(region_id)
        .bind(&user.name)
        .bind(user.role.as_str())
        .bind(&user.unit_id)
        .bind(user.campaign.map(i64::from))
        .bind(password_hash)
        .bind(now())
        .persistent(false)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "user.create",
            "user",
            &user.id,
            None,
            Some(serde_json::to_value(&user).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn user(&self, name: &str) -> Result<User> {
        let row = sqlx::query("SELECT id, region_id, name, role, unit_id, campaign FROM users WHERE name = $1 AND deleted_at IS NULL")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("没有用户“{name}”。/ No user '{name}'.")))?;
        row_to_user(&row)
    }

    /// Creates an API token for the user and returns it; only its hash is kept.
    pub async fn create_token(&self, user_name: &str, actor: &str) -> Result<(User, String)> {
        self.create_token_expiring(user_name, None, actor).await
    }

    /// Creates an API token that stops working after `days` days (never,
    /// when None).
    pub async fn create_token_expiring(
        &self,
        user_name: &str,
        days: Option<u32>,
        actor: &str,
    ) -> Result<(User, String)> {
        let expires_at = match days {
            Some(d) if d == 0 || d > MAX_TOKEN_DAYS => {
                return Err(StoreError::Invalid(format!(
                "令牌有效期为 1 到 {MAX_TOKEN_DAYS} 天。/ A token lives 1..={MAX_TOKEN_DAYS} days."
            )))
            }
            Some(d) => Some(crate::timestamp(
                time::OffsetDateTime::now_utc() + time::Duration::days(i64::from(d)),
            )),
            None => None,
        };
        let user = self.user(user_name).await?;
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let token = format!(
            "dbn_{}",
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        let id = new_id();
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO tokens (id, region_id, user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&id)
            .bind(&user.region_id)
            .bind(&user.id)
            .bind(hash_token(&token))
            .bind(now())
            .bind(&expires_at)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            &user.region_id,
            actor,
            "token.create",
            "user",
            &user.id,
            None,
            Some(serde_json::json!({ "token_id": id, "expires_at": expires_at })),
        )
        .await?;
        tx.commit().await?;
        Ok((user, token))
    }

    /// Tokens of one user, or of every user, newest first.
    pub async fn tokens(&self, user_name: Option<&str>) -> Result<Vec<TokenInfo>> {
        let user_id = match user_name {
            Some(n) => Some(self.user(n).await?.id),
            None => None,
        };
        let rows = sqlx::query(
            "SELECT t.id, u.name, t.created_at, t.expires_at, t.revoked_at, t.user_id FROM tokens t JOIN users u ON u.id = t.user_id ORDER BY t.created_at DESC, t.id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .filter(|r| user_id.as_ref().is_none_or(|u| *u == get_str(r, "user_id")))
            .map(|r| TokenInfo {
                id: get_str(r, "id"),
                user: get_str(r, "name"),
                created_at: get_str(r, "created_at"),
                expires_at: get_opt_str(r, "expires_at"),
                revoked_at: get_opt_str(r, "revoked_at"),
            })
            .collect())
    }

    /// Revokes a token by its id (as `tokens` lists it); it stops working
    /// at once.
    pub async fn revoke_token(&self, token_id: &str, actor: &str) -> Result<TokenInfo> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT region_id, user_id, revoked_at FROM tokens WHERE id = $1")
            .bind(token_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| {
                StoreError::NotFound(format!("没有令牌“{token_id}”。/ No token '{token_id}'."))
            })?;
        if get_opt_str(&row, "revoked_at").is_some() {
            return Err(StoreError::Conflict(
                "该令牌已经吊销。/ The token is already revoked.".into(),
            ));
        }
        sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2")
            .bind(now())
            .bind(token_id)
            .execute(&mut *tx)
            .await?;
        let region_id = get_str(&row, "region_id");
        audit(
            &mut tx,
            &region_id,
            actor,
            "token.revoke",
            "user",
            &get_str(&row, "user_id"),
            None,
            Some(serde_json::json!({ "token_id": token_id })),
        )
        .await?;
        tx.commit().await?;
        self.tokens(None)
            .await?
            .into_iter()
            .find(|t| t.id == token_id)
            .ok_or_else(|| {
                StoreError::NotFound(format!("没有令牌“{token_id}”。/ No token '{token_id}'."))
            })
    }

    /// Users of every region (or one), by name; `disabled` says whether
    /// each may still sign in.
    pub async fn users(&self, region_id: Option<&str>) -> Result<Vec<(User, bool)>> {
        let rows = sqlx::query("SELECT id, region_id, name, role, unit_id, campaign, disabled_at FROM users WHERE deleted_at IS NULL ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .filter(|r| region_id.is_none_or(|id| get_str(r, "region_id") == id))
            .map(|r| Ok((row_to_user(r)?, get_opt_str(r, "disabled_at").is_some())))
            .collect()
    }

    /// Disables (or enables again) a user: a disabled user's tokens and
    /// password stop working at once; nothing they did is removed.
    pub async fn set_user_disabled(&self, name: &str, disabled: bool, actor: &str) -> Result<User> {
        let user = self.user(name).await?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
            .bind(disabled.then(now))
            .bind(&user.id)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            &user.region_id,
            actor,
            if disabled {
                "user.disable"
            } else {
                "user.enable"
            },
            "user",
            &user.id,
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Sets a user's password (argon2id; at least 8 characters).
    pub async fn set_password(&self, name: &str, password: &str, actor: &str) -> Result<User> {
        let hash = crate::sessions::hash_password(password)?;
        let user = self.user(name).await?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(&user.id)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            &user.region_id,
            actor,
            "user.password",
            "user",
            &user.id,
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The caller a bearer token stands for, if the token is valid.
    pub async fn principal_for_token(&self, token: &str) -> Result<Option<Principal>> {
        let row = sqlx::query(
            "SELECT u.id, u.region_id, u.name, u.role, u.unit_id, u.campaign FROM tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) \
             AND u.deleted_at IS NULL AND u.disabled_at IS NULL",
        )
        .bind(hash_token(token))
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let u = row_to_user(&r)?;
        Ok(Some(Principal {
            user_id: u.id,
            user: u.name,
            role: u.role,
            region_id: u.region_id,
            unit_id: u.unit_id,
            campaign: u.campaign,
        }))
    }

    /// Checks a password (for the web login).
    pub async fn verify_password(&self, name: &str, password: &str) -> Result<bool> {
        let row =
            sqlx::query("SELECT password_hash FROM users WHERE name = $1 AND deleted_at IS NULL AND disabled_at IS NULL")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        let Some(hash) = row.and_then(|r| get_opt_str(&r, "password_hash")) else {
            return Ok(false);
        };
        let parsed = PasswordHash::new(&hash).map_err(|e| StoreError::Invalid(e.to_string()))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    }
}

/// A user row; an unknown role or a campaign out of range is an error,
/// never a silent default (a role read as the wrong one is a privilege bug).
fn row_to_user(r: &sqlx::any::AnyRow) -> Result<User> {
    use sqlx::Row;
    let role = get_str(r, "role");
    let campaign = r
        .try_get::<Option<i64>, _>("campaign")
        .map_err(|e| StoreError::Corrupt(format!("users.campaign: {e}")))?;
    Ok(User {
        id: get_str(r, "id"),
        name: get_str(r, "name"),
        role: Role::parse(&role)
            .map_err(|_| StoreError::Corrupt(format!("users.role = “{role}”")))?,
        region_id: get_str(r, "region_id"),
        unit_id: get_opt_str(r, "unit_id"),
        campaign: campaign
            .map(|c| {
                u32::try_from(c).map_err(|_| StoreError::Corrupt(format!("users.campaign = {c}")))
            })
            .transpose()?,
    })
}
