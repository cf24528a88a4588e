//! Users, roles and API tokens. Passwords are hashed with argon2id; tokens
//! are random and stored only as their SHA-256, so a database leak does not
//! leak credentials.

use crate::{audit, get_opt_str, get_str, new_id, now, Result, Store, StoreError};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
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
        let password_hash = match &new.password {
            Some(pw) if pw.chars().count() < 8 => {
                return Err(StoreError::Invalid(
                    "密码至少 8 位。/ Passwords need at least 8 characters.".into(),
                ))
            }
            Some(pw) => Some(
                Argon2::default()
                    .hash_password(pw.as_bytes(), &SaltString::generate(&mut OsRng))
                    .map_err(|e| StoreError::Invalid(e.to_string()))?
                    .to_string(),
            ),
            None => None,
        };
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
        Ok(row_to_user(&row))
    }

    /// Creates an API token for the user and returns it; only its hash is kept.
    pub async fn create_token(&self, user_name: &str, actor: &str) -> Result<(User, String)> {
        let user = self.user(user_name).await?;
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let token = format!(
            "dbn_{}",
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        let id = new_id();
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO tokens (id, region_id, user_id, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(&user.region_id)
            .bind(&user.id)
            .bind(hash_token(&token))
            .bind(now())
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
            Some(serde_json::json!({ "token_id": id })),
        )
        .await?;
        tx.commit().await?;
        Ok((user, token))
    }

    /// The caller a bearer token stands for, if the token is valid.
    pub async fn principal_for_token(&self, token: &str) -> Result<Option<Principal>> {
        let row = sqlx::query(
            "SELECT u.id, u.region_id, u.name, u.role, u.unit_id, u.campaign FROM tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.deleted_at IS NULL",
        )
        .bind(hash_token(token))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| {
            let u = row_to_user(&r);
            Principal {
                user_id: u.id,
                user: u.name,
                role: u.role,
                region_id: u.region_id,
                unit_id: u.unit_id,
                campaign: u.campaign,
            }
        }))
    }

    /// Checks a password (for the web login).
    pub async fn verify_password(&self, name: &str, password: &str) -> Result<bool> {
        let row =
            sqlx::query("SELECT password_hash FROM users WHERE name = $1 AND deleted_at IS NULL")
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

fn row_to_user(r: &sqlx::any::AnyRow) -> User {
    use sqlx::Row;
    User {
        id: get_str(r, "id"),
        name: get_str(r, "name"),
        role: Role::parse(&get_str(r, "role")).unwrap_or(Role::Leader),
        region_id: get_str(r, "region_id"),
        unit_id: get_opt_str(r, "unit_id"),
        campaign: r
            .try_get::<Option<i64>, _>("campaign")
            .ok()
            .flatten()
            .map(|c| c as u32),
    }
}
